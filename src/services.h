/*
 * services.h: the services of a domain (API.md section 5): create or
 * replace (PUT), merge-patch (PATCH) and read them.  Every write keeps
 * the invariant of API.md section 1 or is refused with 422
 * assignment_blocked; a departed service never changes again.
 */
#ifndef PIE_SERVICES_H
#define PIE_SERVICES_H

#include "result.h"

struct http_req;
struct http_resp;

/* GET .../domains/{domain_id}/services: ?status=, paginated. */
enum pie_res	 services_list(struct http_req *, struct http_resp *);

/* PUT, PATCH and GET .../domains/{domain_id}/services/{service_id}. */
enum pie_res	 services_put(struct http_req *, struct http_resp *);
enum pie_res	 services_patch(struct http_req *, struct http_resp *);
enum pie_res	 services_get(struct http_req *, struct http_resp *);

#endif /* PIE_SERVICES_H */
