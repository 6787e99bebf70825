/*
 * routes.c: the table of every route pie answers, with the scopes that
 * admit a caller (any one of them).  Grouped by resource in the order of
 * API.md, so a reader can check it against the contract line by line.
 */
#include "assignment_reads.h"
#include "assignments.h"
#include "auth.h"
#include "health.h"
#include "jobs.h"
#include "registry.h"
#include "routes.h"
#include "services.h"
#include "tenants.h"

#define PUBLIC(m, p, h)		{ m, p, 0, 1, h }
#define SCOPED(m, p, s, h)	{ m, p, s, 0, h }

#define CLIENT		"/v2/clients/{client_id}"
#define DOMAIN		CLIENT "/domains/{domain_id}"
#define SERVICE		DOMAIN "/services/{service_id}"
#define MODEL		"/v2/models/{model_id}"

const struct route routes[] = {
	PUBLIC("GET", "/healthz", health_live),
	PUBLIC("GET", "/readyz", health_ready),

	/* Assignments (API.md section 4). */
	SCOPED("POST", DOMAIN "/assignments", AUTH_ASSIGNMENTS_WRITE,
	    assign_post),
	SCOPED("PUT", DOMAIN "/assignments/{capability}",
	    AUTH_ASSIGNMENTS_WRITE, assign_put),
	SCOPED("GET", DOMAIN "/assignments", AUTH_ASSIGNMENTS_READ,
	    assign_reads_list),
	SCOPED("GET", DOMAIN "/assignments/{capability}",
	    AUTH_ASSIGNMENTS_READ, assign_reads_one),
	SCOPED("GET", DOMAIN "/assignments/{capability}/revisions",
	    AUTH_ASSIGNMENTS_READ, assign_reads_revisions),
	SCOPED("POST", SERVICE "/assignments", AUTH_ASSIGNMENTS_WRITE,
	    assign_post),
	SCOPED("PUT", SERVICE "/assignments/{capability}",
	    AUTH_ASSIGNMENTS_WRITE, assign_put),
	SCOPED("GET", SERVICE "/assignments", AUTH_ASSIGNMENTS_READ,
	    assign_reads_list),
	SCOPED("GET", SERVICE "/assignments/{capability}",
	    AUTH_ASSIGNMENTS_READ, assign_reads_one),
	SCOPED("GET", SERVICE "/assignments/{capability}/revisions",
	    AUTH_ASSIGNMENTS_READ, assign_reads_revisions),
	SCOPED("GET", SERVICE "/effective-assignments",
	    AUTH_ASSIGNMENTS_READ, assign_reads_effective),

	/* Tenants (API.md section 5). */
	SCOPED("PUT", CLIENT, AUTH_TENANTS_ADMIN, tenants_client_put),
	SCOPED("GET", CLIENT, AUTH_ANY_READ, tenants_client_get),
	SCOPED("GET", CLIENT "/domains", AUTH_ANY_READ, tenants_domain_list),
	SCOPED("PUT", DOMAIN, AUTH_TENANTS_ADMIN, tenants_domain_put),
	SCOPED("GET", DOMAIN, AUTH_ANY_READ, tenants_domain_get),

	/* The model registry. */
	SCOPED("GET", "/v2/models", AUTH_REGISTRY_READ, registry_model_list),
	SCOPED("PUT", MODEL, AUTH_REGISTRY_WRITE, registry_model_put),
	SCOPED("GET", MODEL, AUTH_REGISTRY_READ, registry_model_get),
	SCOPED("GET", MODEL "/versions", AUTH_REGISTRY_READ,
	    registry_version_list),
	SCOPED("PUT", MODEL "/versions/{model_version}", AUTH_REGISTRY_WRITE,
	    registry_version_put),
	SCOPED("GET", MODEL "/versions/{model_version}", AUTH_REGISTRY_READ,
	    registry_version_get),

	/* Services. */
	SCOPED("GET", DOMAIN "/services", AUTH_SERVICES_READ, services_list),
	SCOPED("PUT", SERVICE, AUTH_SERVICES_WRITE, services_put),
	SCOPED("PATCH", SERVICE, AUTH_SERVICES_WRITE, services_patch),
	SCOPED("GET", SERVICE, AUTH_SERVICES_READ, services_get),

	/* Jobs. */
	SCOPED("POST", SERVICE "/jobs", AUTH_JOBS_WRITE, jobs_launch),
	SCOPED("GET", SERVICE "/jobs", AUTH_JOBS_READ, jobs_list),
	SCOPED("GET", SERVICE "/jobs/{job_id}", AUTH_JOBS_READ, jobs_get),
	SCOPED("PATCH", SERVICE "/jobs/{job_id}", AUTH_JOBS_WRITE, jobs_patch),
};

const size_t routes_count = sizeof(routes) / sizeof(routes[0]);
