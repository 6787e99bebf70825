/*
 * tenants.c: clients and domains (see tenants.h).
 *
 * Writes go through pie_client_put and pie_domain_put (sql/003); reads
 * are plain SELECTs on the natural keys.  A PUT replaces the whole
 * resource: display_name left out of the body becomes null.
 */
#include <stddef.h>

#include <json-c/json.h>

#include "body.h"
#include "db.h"
#include "handler.h"
#include "http.h"
#include "tenants.h"

/* The body of both PUTs: {"display_name"?: string | null}. */
static const struct body_field tenants_fields[] = {
	{ "display_name", BODY_T_STRING | BODY_T_NULL, 0, 256, IDENT_NONE },
	{ NULL, 0, 0, 0, IDENT_NONE }
};

static const char *const tenants_no_query[] = { NULL };
static const char *const tenants_list_query[] = { "limit", "cursor", NULL };

static const struct render_col tenants_client_cols[] = {
	{ "client_id", NULL, RENDER_STR },
	{ "display_name", NULL, RENDER_STR },
	{ "created_at", NULL, RENDER_STR },
	{ "updated_at", NULL, RENDER_STR },
	{ NULL, NULL, RENDER_STR }
};

static const struct render_col tenants_domain_cols[] = {
	{ "client_id", NULL, RENDER_STR },
	{ "domain_id", NULL, RENDER_STR },
	{ "display_name", NULL, RENDER_STR },
	{ "created_at", NULL, RENDER_STR },
	{ "updated_at", NULL, RENDER_STR },
	{ NULL, NULL, RENDER_STR }
};

static const char tenants_client_put_sql[] =
    "CALL pie_client_put(?, ?)";
static const char tenants_domain_put_sql[] =
    "CALL pie_domain_put(?, ?, ?)";
static const char tenants_client_sql[] =
    "SELECT client_id, display_name, pie_ts(created_at) AS created_at, "
    "pie_ts(updated_at) AS updated_at FROM clients WHERE client_id = ?";
static const char tenants_domain_sql[] =
    "SELECT client_id, domain_id, display_name, "
    "pie_ts(created_at) AS created_at, pie_ts(updated_at) AS updated_at "
    "FROM domains WHERE client_id = ? AND domain_id = ?";
static const char tenants_domains_sql[] =
    "SELECT client_id, domain_id, display_name, "
    "pie_ts(created_at) AS created_at, pie_ts(updated_at) AS updated_at "
    "FROM domains WHERE client_id = ? AND (? IS NULL OR domain_id > ?) "
    "ORDER BY domain_id LIMIT ?";
static const char tenants_exists_sql[] =
    "SELECT EXISTS (SELECT 1 FROM clients WHERE client_id = ?) AS c, "
    "EXISTS (SELECT 1 FROM domains WHERE client_id = ? "
    "AND domain_id = ?) AS d";

enum pie_res
tenants_require(struct http_req *req, struct http_resp *resp)
{
	const char		*client = http_param(req, "client_id");
	const char		*domain = http_param(req, "domain_id");
	struct db_result	*r = NULL;
	struct db_arg		 args[3];
	const char		*c, *d;
	enum pie_res		 res;

	args[0] = db_str(client);
	args[1] = db_str(client);
	args[2] = db_str(domain);
	res = db_exec(req->db, tenants_exists_sql, args, 3, &r);
	if (res != PIE_OK)
		return handler_db_error(req, resp, res, NULL);
	c = db_result_getn(r, 0, 0, "c");
	d = db_result_getn(r, 0, 0, "d");
	if (c == NULL || c[0] != '1')
		res = http_error(resp, 404, "not_found", "client %s not found",
		    client);
	else if (domain != NULL && (d == NULL || d[0] != '1'))
		res = http_error(resp, 404, "not_found", "domain %s not found",
		    domain);
	db_result_free(r);
	return res;
}

/*
 * The shared steps of both PUTs: no query, a JSON body of
 * tenants_fields, then sql with the path ids (client_id, and domain_id
 * when the path has one) and display_name; answers 201 or 200 with the
 * row rendered with cols.
 */
static enum pie_res
tenants_put(struct http_req *req, struct http_resp *resp, const char *sql,
    const struct render_col *cols)
{
	struct json_object	*body = NULL, *name;
	struct db_result	*r = NULL;
	struct db_arg		 args[3];
	struct verr		 err = { NULL, "" };
	size_t			 n = 0;
	enum pie_res		 res;

	if ((res = http_query_allow(req, resp, tenants_no_query)) != PIE_OK ||
	    (res = handler_body(req, resp, &body)) != PIE_OK)
		return res;
	res = body_check(body, tenants_fields, NULL, &err);
	if (res != PIE_OK) {
		res = handler_invalid(resp, &err);
		goto out;
	}

	args[n++] = db_str(http_param(req, "client_id"));
	if (http_param(req, "domain_id") != NULL)
		args[n++] = db_str(http_param(req, "domain_id"));
	args[n++] = json_object_object_get_ex(body, "display_name", &name) ?
	    db_str(json_object_get_string(name)) : db_null();
	if ((res = db_exec(req->db, sql, args, n, &r)) != PIE_OK) {
		res = handler_db_error(req, resp, res, NULL);
		goto out;
	}
	res = handler_put_answer(resp, r, cols);
out:
	db_result_free(r);
	json_object_put(body);
	return res;
}

enum pie_res
tenants_client_put(struct http_req *req, struct http_resp *resp)
{
	return tenants_put(req, resp, tenants_client_put_sql,
	    tenants_client_cols);
}

enum pie_res
tenants_domain_put(struct http_req *req, struct http_resp *resp)
{
	return tenants_put(req, resp, tenants_domain_put_sql,
	    tenants_domain_cols);
}

/*
 * Answers the one row of sql (run with the path's client_id and, when
 * the path has one, domain_id) rendered with cols, or 404 for whichever
 * of the two is missing.
 */
static enum pie_res
tenants_get(struct http_req *req, struct http_resp *resp, const char *sql,
    const struct render_col *cols)
{
	struct db_result	*r = NULL;
	struct json_object	*o;
	struct db_arg		 args[2];
	size_t			 n = 0;
	enum pie_res		 res;

	if ((res = http_query_allow(req, resp, tenants_no_query)) != PIE_OK)
		return res;
	args[n++] = db_str(http_param(req, "client_id"));
	if (http_param(req, "domain_id") != NULL)
		args[n++] = db_str(http_param(req, "domain_id"));
	if ((res = db_exec(req->db, sql, args, n, &r)) != PIE_OK)
		return handler_db_error(req, resp, res, NULL);
	/* Nothing is deleted: an empty read that races a create is 404. */
	if (db_result_rows(r, 0) == 0) {
		if ((res = tenants_require(req, resp)) == PIE_OK)
			res = http_error(resp, 404, "not_found", "not found");
	} else if ((o = handler_row(r, 0, 0, cols)) == NULL)
		res = PIE_ERR_NOMEM;
	else
		res = http_json(resp, 200, o);
	db_result_free(r);
	return res;
}

enum pie_res
tenants_client_get(struct http_req *req, struct http_resp *resp)
{
	return tenants_get(req, resp, tenants_client_sql,
	    tenants_client_cols);
}

enum pie_res
tenants_domain_get(struct http_req *req, struct http_resp *resp)
{
	return tenants_get(req, resp, tenants_domain_sql,
	    tenants_domain_cols);
}

enum pie_res
tenants_domain_list(struct http_req *req, struct http_resp *resp)
{
	struct handler_page	 page;
	struct db_result	*r = NULL;
	struct db_arg		 args[4];
	const char		*after;
	enum pie_res		 res;

	if ((res = http_query_allow(req, resp, tenants_list_query)) !=
	    PIE_OK || (res = handler_page(req, resp, &page)) != PIE_OK)
		return res;

	/* An empty page may mean that the client does not exist. */
	after = page.nafter > 0 ? page.after[0] : NULL;
	args[0] = db_str(http_param(req, "client_id"));
	args[1] = db_str(after);
	args[2] = db_str(after);
	args[3] = db_int(page.limit + 1);
	res = db_exec(req->db, tenants_domains_sql, args, 4, &r);
	if (res != PIE_OK)
		return handler_db_error(req, resp, res, NULL);
	if (db_result_rows(r, 0) == 0 &&
	    (res = tenants_require(req, resp)) != PIE_OK)
		goto out;
	res = handler_page_answer(resp, r, tenants_domain_cols, page.limit,
	    "domain_id");
out:
	db_result_free(r);
	return res;
}
