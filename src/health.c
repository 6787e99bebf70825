/*
 * health.c: the two probes (see health.h).
 */
#include <json-c/json.h>

#include "db.h"
#include "health.h"
#include "http.h"

/* {"success": true, "status": STATUS}, or NULL when out of memory. */
static struct json_object *
health_body(const char *status)
{
	struct json_object	*o;

	if ((o = json_object_new_object()) == NULL)
		return NULL;
	json_object_object_add(o, "success", json_object_new_boolean(1));
	json_object_object_add(o, "status", json_object_new_string(status));
	return o;
}

enum pie_res
health_live(struct http_req *req, struct http_resp *resp)
{
	(void)req;
	return http_json(resp, 200, health_body("alive"));
}

enum pie_res
health_ready(struct http_req *req, struct http_resp *resp)
{
	if (db_ping(req->db) != PIE_OK) {
		http_error(resp, 503, "database_unavailable",
		    "the database does not answer");
		return PIE_OK;
	}
	return http_json(resp, 200, health_body("ready"));
}
