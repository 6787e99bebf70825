/*
 * registry.c: models and model versions (see registry.h).
 *
 * The freeze of a version is validated and made canonical in C
 * (freeze.c); pie_model_version_put (sql/004) stores the canonical text
 * and compares a second PUT with it byte for byte, so a re-PUT that only
 * differs in spacing or member order is the same version.  A PUT of a
 * model replaces it: description left out becomes null.
 */
#include <stdlib.h>

#include <json-c/json.h>

#include "body.h"
#include "db.h"
#include "freeze.h"
#include "handler.h"
#include "http.h"
#include "registry.h"

#define REGISTRY_DESCRIPTION_MAX	4096	/* characters */

static const struct body_field registry_model_fields[] = {
	{ "description", BODY_T_STRING | BODY_T_NULL, 0,
	    REGISTRY_DESCRIPTION_MAX, IDENT_NONE },
	{ NULL, 0, 0, 0, IDENT_NONE }
};

static const struct body_field registry_version_fields[] = {
	{ "freeze", BODY_T_OBJECT, 1, 0, IDENT_NONE },
	{ NULL, 0, 0, 0, IDENT_NONE }
};

static const char *const registry_no_query[] = { NULL };
static const char *const registry_list_query[] = { "limit", "cursor",
    NULL };

static const struct render_col registry_model_cols[] = {
	{ "model_id", NULL, RENDER_STR },
	{ "description", NULL, RENDER_STR },
	{ "created_at", NULL, RENDER_STR },
	{ "updated_at", NULL, RENDER_STR },
	{ NULL, NULL, RENDER_STR }
};

static const struct render_col registry_version_cols[] = {
	{ "model_id", NULL, RENDER_STR },
	{ "model_version", NULL, RENDER_STR },
	{ "freeze", NULL, RENDER_JSON },
	{ "created_at", NULL, RENDER_STR },
	{ NULL, NULL, RENDER_STR }
};

static const char registry_model_put_sql[] =
    "CALL pie_model_put(?, ?)";
static const char registry_version_put_sql[] =
    "CALL pie_model_version_put(?, ?, ?, ?)";
static const char registry_models_sql[] =
    "SELECT model_id, description, pie_ts(created_at) AS created_at, "
    "pie_ts(updated_at) AS updated_at FROM models "
    "WHERE (? IS NULL OR model_id > ?) ORDER BY model_id LIMIT ?";
static const char registry_model_sql[] =
    "SELECT model_id, description, pie_ts(created_at) AS created_at, "
    "pie_ts(updated_at) AS updated_at FROM models WHERE model_id = ?";
static const char registry_versions_sql[] =
    "SELECT model_id, model_version, freeze, "
    "pie_ts(created_at) AS created_at FROM model_versions "
    "WHERE model_id = ? AND (? IS NULL OR model_version > ?) "
    "ORDER BY model_version LIMIT ?";
static const char registry_version_sql[] =
    "SELECT model_id, model_version, freeze, "
    "pie_ts(created_at) AS created_at FROM model_versions "
    "WHERE model_id = ? AND model_version = ?";
static const char registry_model_exists_sql[] =
    "SELECT 1 AS found FROM models WHERE model_id = ?";

/*
 * Answers 404 when the model of the path is missing.  Returns PIE_OK
 * when it exists, else PIE_ERR_INVALID with the response answered.
 */
static enum pie_res
registry_require_model(struct http_req *req, struct http_resp *resp)
{
	struct db_result	*r = NULL;
	struct db_arg		 arg = db_str(http_param(req, "model_id"));
	enum pie_res		 res;

	res = db_exec(req->db, registry_model_exists_sql, &arg, 1, &r);
	if (res != PIE_OK)
		return handler_db_error(req, resp, res, NULL);
	if (db_result_rows(r, 0) == 0)
		res = http_error(resp, 404, "not_found", "model %s not found",
		    http_param(req, "model_id"));
	db_result_free(r);
	return res;
}

/*
 * Answers the one row of sql, run with the path's model_id and, when
 * the path has one, model_version, rendered with cols; or 404 naming
 * the model or the version that is missing.
 */
static enum pie_res
registry_get(struct http_req *req, struct http_resp *resp, const char *sql,
    const struct render_col *cols)
{
	const char		*version = http_param(req, "model_version");
	struct db_result	*r = NULL;
	struct json_object	*o;
	struct db_arg		 args[2];
	enum pie_res		 res;

	if ((res = http_query_allow(req, resp, registry_no_query)) != PIE_OK)
		return res;
	args[0] = db_str(http_param(req, "model_id"));
	args[1] = db_str(version);
	res = db_exec(req->db, sql, args, version != NULL ? 2 : 1, &r);
	if (res != PIE_OK)
		return handler_db_error(req, resp, res, NULL);
	if (db_result_rows(r, 0) == 0) {
		if ((res = registry_require_model(req, resp)) == PIE_OK)
			res = http_error(resp, 404, "not_found", "model %s "
			    "has no version %s", http_param(req, "model_id"),
			    version != NULL ? version : "?");
	} else if ((o = handler_row(r, 0, 0, cols)) == NULL)
		res = PIE_ERR_NOMEM;
	else
		res = http_json(resp, 200, o);
	db_result_free(r);
	return res;
}

/*
 * Answers a page of sql, run with the path's model_id when model is set,
 * then the cursor (twice) and the limit; key is the order column.  An
 * empty page of a missing model is 404.
 */
static enum pie_res
registry_list(struct http_req *req, struct http_resp *resp, int model,
    const char *sql, const struct render_col *cols, const char *key)
{
	struct handler_page	 page;
	struct db_result	*r = NULL;
	struct db_arg		 args[4];
	const char		*after;
	size_t			 n = 0;
	enum pie_res		 res;

	if ((res = http_query_allow(req, resp, registry_list_query)) !=
	    PIE_OK || (res = handler_page(req, resp, &page)) != PIE_OK)
		return res;

	after = page.nafter > 0 ? page.after[0] : NULL;
	if (model)
		args[n++] = db_str(http_param(req, "model_id"));
	args[n++] = db_str(after);
	args[n++] = db_str(after);
	args[n++] = db_int(page.limit + 1);
	if ((res = db_exec(req->db, sql, args, n, &r)) != PIE_OK)
		return handler_db_error(req, resp, res, NULL);
	if (model && db_result_rows(r, 0) == 0 &&
	    (res = registry_require_model(req, resp)) != PIE_OK)
		goto out;
	res = handler_page_answer(resp, r, cols, page.limit, key);
out:
	db_result_free(r);
	return res;
}

enum pie_res
registry_model_list(struct http_req *req, struct http_resp *resp)
{
	return registry_list(req, resp, 0, registry_models_sql,
	    registry_model_cols, "model_id");
}

enum pie_res
registry_model_get(struct http_req *req, struct http_resp *resp)
{
	return registry_get(req, resp, registry_model_sql,
	    registry_model_cols);
}

enum pie_res
registry_version_list(struct http_req *req, struct http_resp *resp)
{
	return registry_list(req, resp, 1, registry_versions_sql,
	    registry_version_cols, "model_version");
}

enum pie_res
registry_version_get(struct http_req *req, struct http_resp *resp)
{
	return registry_get(req, resp, registry_version_sql,
	    registry_version_cols);
}

enum pie_res
registry_model_put(struct http_req *req, struct http_resp *resp)
{
	struct json_object	*body = NULL, *desc;
	struct db_result	*r = NULL;
	struct db_arg		 args[2];
	struct verr		 err = { NULL, "" };
	enum pie_res		 res;

	if ((res = http_query_allow(req, resp, registry_no_query)) != PIE_OK ||
	    (res = handler_body(req, resp, &body)) != PIE_OK)
		return res;
	res = body_check(body, registry_model_fields, NULL, &err);
	if (res != PIE_OK) {
		res = handler_invalid(resp, &err);
		goto out;
	}

	args[0] = db_str(http_param(req, "model_id"));
	args[1] = json_object_object_get_ex(body, "description", &desc) ?
	    db_str(json_object_get_string(desc)) : db_null();
	res = db_exec(req->db, registry_model_put_sql, args, 2, &r);
	if (res != PIE_OK) {
		res = handler_db_error(req, resp, res, NULL);
		goto out;
	}
	res = handler_put_answer(resp, r, registry_model_cols);
out:
	db_result_free(r);
	json_object_put(body);
	return res;
}

enum pie_res
registry_version_put(struct http_req *req, struct http_resp *resp)
{
	struct json_object	*body = NULL, *freeze;
	struct db_result	*r = NULL;
	struct db_arg		 args[4];
	struct verr		 err = { NULL, "" };
	char			*canon = NULL, *norm = NULL;
	enum pie_res		 res;

	if ((res = http_query_allow(req, resp, registry_no_query)) != PIE_OK ||
	    (res = handler_body(req, resp, &body)) != PIE_OK)
		return res;
	res = body_check(body, registry_version_fields, NULL, &err);
	if (res == PIE_OK) {
		json_object_object_get_ex(body, "freeze", &freeze);
		res = freeze_validate(freeze, &canon, &norm, &err);
	}
	if (res != PIE_OK) {
		res = handler_invalid(resp, &err);
		goto out;
	}

	args[0] = db_str(http_param(req, "model_id"));
	args[1] = db_str(http_param(req, "model_version"));
	args[2] = db_str(canon);
	args[3] = db_str(norm);
	res = db_exec(req->db, registry_version_put_sql, args, 4, &r);
	if (res != PIE_OK) {
		res = handler_db_error(req, resp, res, NULL);
		goto out;
	}
	res = handler_put_answer(resp, r, registry_version_cols);
out:
	free(canon);
	free(norm);
	db_result_free(r);
	json_object_put(body);
	return res;
}
