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

#define REGISTRY_MODEL_SELECT \
    "SELECT model_id, description, pie_ts(created_at) AS created_at, " \
    "pie_ts(updated_at) AS updated_at FROM models "
#define REGISTRY_VERSION_SELECT \
    "SELECT model_id, model_version, freeze, " \
    "pie_ts(created_at) AS created_at FROM model_versions " \
    "WHERE model_id = ? "

static const char registry_model_put_sql[] =
    "CALL pie_model_put(?, ?)";
static const char registry_version_put_sql[] =
    "CALL pie_model_version_put(?, ?, ?, ?)";
static const char registry_models_sql[] =
    REGISTRY_MODEL_SELECT "WHERE (? IS NULL OR model_id > ?) "
    "ORDER BY model_id LIMIT ?";
static const char registry_model_sql[] =
    REGISTRY_MODEL_SELECT "WHERE model_id = ?";
static const char registry_versions_sql[] =
    REGISTRY_VERSION_SELECT "AND (? IS NULL OR model_version > ?) "
    "ORDER BY model_version LIMIT ?";
static const char registry_version_sql[] =
    REGISTRY_VERSION_SELECT "AND model_version = ?";

static const char *const registry_model_params[] = { "model_id", NULL };

/*
 * Answers a page of sql, run with the path's model_id when model is set;
 * key is the order column.
 */
static enum pie_res
registry_list(struct http_req *req, struct http_resp *resp, int model,
    const char *sql, const struct render_col *cols, const char *key)
{
	struct handler_page	 page;
	struct db_arg		 args[4];
	size_t			 n = 0;
	enum pie_res		 res;

	if ((res = http_query_allow(req, resp, registry_list_query)) !=
	    PIE_OK || (res = handler_page(req, resp, &page,
	    model ? IDENT_MODEL_VERSION : IDENT_MODEL, 1)) != PIE_OK)
		return res;
	if (model)
		args[n++] = db_str(http_param(req, "model_id"));
	return handler_list_page(req, resp, &page, sql, args, n, cols, key);
}

enum pie_res
registry_model_list(struct http_req *req, struct http_resp *resp)
{
	return registry_list(req, resp, 0, registry_models_sql,
	    registry_model_cols, "model_id");
}

enum pie_res
registry_version_list(struct http_req *req, struct http_resp *resp)
{
	return registry_list(req, resp, 1, registry_versions_sql,
	    registry_version_cols, "model_version");
}

/*
 * Answers the model of the path, or with version set its version of the
 * path; 404 naming the model or the version that is missing.
 */
static enum pie_res
registry_get(struct http_req *req, struct http_resp *resp, int version)
{
	struct db_arg	 args[2];
	enum pie_res	 res;

	if ((res = http_query_allow(req, resp, registry_no_query)) != PIE_OK)
		return res;
	args[0] = db_str(http_param(req, "model_id"));
	if (!version)
		return handler_get_one(req, resp, registry_model_sql, args, 1,
		    registry_model_cols, "model", "model_id");
	args[1] = db_str(http_param(req, "model_version"));
	return handler_get_one(req, resp, registry_version_sql, args, 2,
	    registry_version_cols, "model version", "model_version");
}

enum pie_res
registry_model_get(struct http_req *req, struct http_resp *resp)
{
	return registry_get(req, resp, 0);
}

enum pie_res
registry_version_get(struct http_req *req, struct http_resp *resp)
{
	return registry_get(req, resp, 1);
}

enum pie_res
registry_model_put(struct http_req *req, struct http_resp *resp)
{
	return handler_put_named(req, resp, registry_model_fields,
	    registry_model_params, registry_model_put_sql,
	    registry_model_cols);
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

	res = handler_body_checked(req, resp, registry_no_query,
	    registry_version_fields, &body);
	if (res != PIE_OK)
		return res;
	json_object_object_get_ex(body, "freeze", &freeze);
	if (freeze_validate(freeze, &canon, &norm, &err) != PIE_OK) {
		res = handler_invalid(resp, &err);
		goto out;
	}

	args[0] = db_str(http_param(req, "model_id"));
	args[1] = db_str(http_param(req, "model_version"));
	args[2] = db_str(canon);
	args[3] = db_str(norm);
	res = db_exec(req->db, registry_version_put_sql, args, 4, &r);
	if (res != PIE_OK)
		res = handler_db_error(req, resp, res, NULL);
	else
		res = handler_put_answer(resp, r, registry_version_cols);
out:
	free(canon);
	free(norm);
	db_result_free(r);
	json_object_put(body);
	return res;
}
