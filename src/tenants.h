/*
 * tenants.h: clients and their domains (API.md section 5): the PUTs that
 * create or update them and the reads.
 */
#ifndef PIE_TENANTS_H
#define PIE_TENANTS_H

#include "result.h"

struct http_req;
struct http_resp;

/* PUT and GET /v2/clients/{client_id}. */
enum pie_res	 tenants_client_put(struct http_req *, struct http_resp *);
enum pie_res	 tenants_client_get(struct http_req *, struct http_resp *);

/* GET /v2/clients/{client_id}/domains, paginated by domain_id. */
enum pie_res	 tenants_domain_list(struct http_req *, struct http_resp *);

/* PUT and GET /v2/clients/{client_id}/domains/{domain_id}. */
enum pie_res	 tenants_domain_put(struct http_req *, struct http_resp *);
enum pie_res	 tenants_domain_get(struct http_req *, struct http_resp *);

#endif /* PIE_TENANTS_H */
