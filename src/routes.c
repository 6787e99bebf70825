/*
 * routes.c: the table of every route pie answers, with the scopes that
 * admit a caller (any one of them).  Grouped by resource in the order of
 * API.md, so a reader can check it against the contract line by line.
 */
#include "auth.h"
#include "health.h"
#include "routes.h"

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

	/* Tenants (API.md section 5). */

	/* The model registry. */

	/* Services. */

	/* Jobs. */
};

const size_t routes_count = sizeof(routes) / sizeof(routes[0]);
