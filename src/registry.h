/*
 * registry.h: the model registry (API.md section 5): models, shared by
 * every client, and their immutable versions, each with the freeze it
 * was trained on.
 */
#ifndef PIE_REGISTRY_H
#define PIE_REGISTRY_H

#include "result.h"

struct http_req;
struct http_resp;

/* GET /v2/models, paginated by model_id. */
enum pie_res	 registry_model_list(struct http_req *, struct http_resp *);

/* PUT and GET /v2/models/{model_id}. */
enum pie_res	 registry_model_put(struct http_req *, struct http_resp *);
enum pie_res	 registry_model_get(struct http_req *, struct http_resp *);

/* GET /v2/models/{model_id}/versions, paginated by model_version. */
enum pie_res	 registry_version_list(struct http_req *,
		    struct http_resp *);

/*
 * PUT /v2/models/{model_id}/versions/{model_version}: 201 when created,
 * 200 when the same freeze was PUT before, 409 when another was.
 */
enum pie_res     registry_version_put(struct http_req *, struct http_resp *);
enum pie_res     registry_version_get(struct http_req *, struct http_resp *);

#endif /* PIE_REGISTRY_H */
