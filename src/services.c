/*
 * services.c: services and their provided features (see services.h).
 *
 * provided_features is validated and normalised in C (feature.c); the
 * writes are pie_service_put and pie_service_patch (sql/005), which
 * check the service against its effective assignments and answer
 * "blocked" result sets instead of an error when it would break the
 * invariant.  A PUT replaces the service: an omitted status is
 * "scheduled" and omitted provided_features are {}.  A PUT stores
 * provided_features as sent, null members included (canonical, see
 * feature.h); a null is no value to the check, so the normalised rows
 * leave it out.  In a PATCH, as in any merge patch, null removes.
 */
#include <stdlib.h>
#include <string.h>

#include <json-c/json.h>

#include "body.h"
#include "db.h"
#include "feature.h"
#include "handler.h"
#include "http.h"
#include "services.h"

/* The members of a PUT body, and of a PATCH body (at least one). */
static const struct body_field services_fields[] = {
	{ "status", BODY_T_STRING, 0, 0, IDENT_NONE },
	{ "provided_features", BODY_T_OBJECT, 0, 0, IDENT_NONE },
	{ NULL, 0, 0, 0, IDENT_NONE }
};

static const char *const services_no_query[] = { NULL };
static const char *const services_list_query[] = { "status", "limit",
    "cursor", NULL };

static const struct render_col services_cols[] = {
	{ "client_id", NULL, RENDER_STR },
	{ "domain_id", NULL, RENDER_STR },
	{ "service_id", NULL, RENDER_STR },
	{ "status", NULL, RENDER_STR },
	{ "provided_features", NULL, RENDER_JSON },
	{ "created_at", NULL, RENDER_STR },
	{ "updated_at", NULL, RENDER_STR },
	{ NULL, NULL, RENDER_STR }
};

#define SERVICES_COLUMNS "client_id, domain_id, service_id, status, " \
	"provided_features, pie_ts(created_at) AS created_at, " \
	"pie_ts(updated_at) AS updated_at"

static const char services_put_sql[] =
    "CALL pie_service_put(?, ?, ?, ?, ?, ?)";
static const char services_patch_sql[] =
    "CALL pie_service_patch(?, ?, ?, ?, ?, ?)";
static const char services_one_sql[] =
    "SELECT " SERVICES_COLUMNS " FROM services "
    "WHERE client_id = ? AND domain_id = ? AND service_id = ?";
static const char services_list_sql[] =
    "SELECT " SERVICES_COLUMNS " FROM services "
    "WHERE client_id = ? AND domain_id = ? AND (? IS NULL OR status = ?) "
    "AND (? IS NULL OR service_id > ?) ORDER BY service_id LIMIT ?";

/* 1 when s is a status a service can have, else 0. */
static int
services_status_valid(const char *s)
{
	return strcmp(s, "scheduled") == 0 || strcmp(s, "departed") == 0;
}

/* The string member name of obj, or NULL when it has none. */
static const char *
services_member(struct json_object *obj, const char *name)
{
	struct json_object	*v;

	if (!json_object_object_get_ex(obj, name, &v))
		return NULL;
	return json_object_get_string(v);
}

/*
 * Reads the body of a write: services_fields, and a status the service
 * can have.  Returns PIE_OK with *body set (the caller puts it), or
 * PIE_ERR_INVALID with the refusal answered.
 */
static enum pie_res
services_body(struct http_req *req, struct http_resp *resp,
    struct json_object **body)
{
	const char	*status;
	enum pie_res	 res;

	res = handler_body_checked(req, resp, services_no_query,
	    services_fields, body);
	if (res != PIE_OK)
		return res;
	status = services_member(*body, "status");
	if (status != NULL && !services_status_valid(status)) {
		json_object_put(*body);
		*body = NULL;
		return http_error(resp, 400, BODY_E_VALUE, "status must be "
		    "\"scheduled\" or \"departed\"");
	}
	return PIE_OK;
}

/*
 * Runs a service write (sql with args) and answers: 422 when the write
 * was blocked, else the service row (201 when it was created).
 */
static enum pie_res
services_write(struct http_req *req, struct http_resp *resp,
    const char *sql, const struct db_arg *args, size_t nargs)
{
	struct db_result	*r = NULL;
	enum pie_res		 res;

	res = db_exec(req->db, sql, args, nargs, &r);
	if (res != PIE_OK)
		return handler_db_error(req, resp, res, NULL);
	if (handler_blocked(resp, r, http_param(req, "service_id")))
		res = PIE_OK;
	else
		res = handler_put_answer(resp, r, services_cols);
	db_result_free(r);
	return res;
}

/* The path's client_id, domain_id and service_id into args[0..2]. */
static void
services_path_args(const struct http_req *req, struct db_arg *args)
{
	args[0] = db_str(http_param(req, "client_id"));
	args[1] = db_str(http_param(req, "domain_id"));
	args[2] = db_str(http_param(req, "service_id"));
}

enum pie_res
services_put(struct http_req *req, struct http_resp *resp)
{
	struct json_object	*body, *pf, *empty = NULL;
	struct db_arg		 args[6];
	struct verr		 err = { NULL, "" };
	const char		*status;
	char			*canon = NULL, *norm = NULL;
	enum pie_res		 res;

	if ((res = services_body(req, resp, &body)) != PIE_OK)
		return res;
	if (!json_object_object_get_ex(body, "provided_features", &pf) &&
	    (pf = empty = json_object_new_object()) == NULL) {
		res = PIE_ERR_NOMEM;
		goto out;
	}
	res = feature_validate(pf, "provided_features", &canon, &norm, &err);
	if (res != PIE_OK) {
		res = handler_invalid(resp, &err);
		goto out;
	}

	status = services_member(body, "status");
	services_path_args(req, args);
	args[3] = db_str(status != NULL ? status : "scheduled");
	args[4] = db_str(canon);
	args[5] = db_str(norm);
	res = services_write(req, resp, services_put_sql, args, 6);
out:
	free(canon);
	free(norm);
	json_object_put(empty);
	json_object_put(body);
	return res;
}

/*
 * Turns the normalised patch array norm into the merge patch to store:
 * {name: canonical value, or null to remove}.  Returns a new string the
 * caller frees, or NULL when out of memory.
 */
static char *
services_patch_text(const char *norm)
{
	struct json_object	*arr, *obj, *e, *n, *t, *v;
	const char		*s;
	char			*out = NULL;
	size_t			 i;

	if ((arr = json_tokener_parse(norm)) == NULL)
		return NULL;
	if ((obj = json_object_new_object()) == NULL)
		goto out;
	for (i = 0; i < json_object_array_length(arr); i++) {
		e = json_object_array_get_idx(arr, i);
		if (!json_object_object_get_ex(e, "n", &n) ||
		    !json_object_object_get_ex(e, "t", &t))
			goto out;
		v = NULL;
		if (strcmp(json_object_get_string(t), "z") != 0 &&
		    json_object_object_get_ex(e, "v", &v))
			json_object_get(v);
		if (json_object_object_add(obj, json_object_get_string(n),
		    v) != 0) {
			json_object_put(v);
			goto out;
		}
	}
	s = json_object_to_json_string_ext(obj, JSON_C_TO_STRING_PLAIN |
	    JSON_C_TO_STRING_NOSLASHESCAPE);
	out = s != NULL ? strdup(s) : NULL;
out:
	json_object_put(obj);
	json_object_put(arr);
	return out;
}

/*
 * Validates the merge patch of provided_features in body, if any.
 * Returns PIE_OK with *norm (its normalised array) and *patch (the merge
 * patch to store) set, both NULL when the body has none, and the caller
 * frees them; else PIE_ERR_INVALID with the refusal answered, or
 * PIE_ERR_NOMEM.
 */
static enum pie_res
services_patch_features(struct http_resp *resp, struct json_object *body,
    char **norm, char **patch)
{
	struct json_object	*pf;
	struct verr		 err = { NULL, "" };

	*norm = *patch = NULL;
	if (!json_object_object_get_ex(body, "provided_features", &pf))
		return PIE_OK;
	if (feature_patch_validate(pf, "provided_features", norm,
	    &err) != PIE_OK)
		return handler_invalid(resp, &err);

	/* The procedure counts the merged features, atomically. */
	if ((*patch = services_patch_text(*norm)) == NULL) {
		free(*norm);
		*norm = NULL;
		return PIE_ERR_NOMEM;
	}
	return PIE_OK;
}

enum pie_res
services_patch(struct http_req *req, struct http_resp *resp)
{
	struct json_object	*body;
	struct db_arg		 args[6];
	char			*norm = NULL, *patch = NULL;
	enum pie_res		 res;

	/* {} is a merge patch too: it changes nothing. */
	if ((res = services_body(req, resp, &body)) != PIE_OK)
		return res;
	if ((res = services_patch_features(resp, body, &norm,
	    &patch)) == PIE_OK) {
		services_path_args(req, args);
		args[3] = db_str(services_member(body, "status"));
		args[4] = db_str(patch);
		args[5] = db_str(norm);
		res = services_write(req, resp, services_patch_sql, args, 6);
	}
	free(norm);
	free(patch);
	json_object_put(body);
	return res;
}

enum pie_res
services_get(struct http_req *req, struct http_resp *resp)
{
	struct db_arg	 args[3];
	enum pie_res	 res;

	if ((res = http_query_allow(req, resp, services_no_query)) != PIE_OK)
		return res;
	services_path_args(req, args);
	return handler_get_one(req, resp, services_one_sql, args, 3,
	    services_cols, "service", "service_id");
}

enum pie_res
services_list(struct http_req *req, struct http_resp *resp)
{
	struct handler_page	 page;
	struct db_arg		 args[7];
	char			 status[16];
	const char		*st = NULL;
	int			 rc;
	enum pie_res		 res;

	if ((res = http_query_allow(req, resp, services_list_query)) !=
	    PIE_OK || (res = handler_page(req, resp, &page,
	    IDENT_SERVICE, 1)) != PIE_OK)
		return res;
	rc = http_query(req, "status", status, sizeof(status));
	if (rc < 0 || (rc > 0 && !services_status_valid(status)))
		return http_error(resp, 400, "invalid_parameter", "status: "
		    "expected scheduled or departed");
	if (rc > 0)
		st = status;

	args[0] = db_str(http_param(req, "client_id"));
	args[1] = db_str(http_param(req, "domain_id"));
	args[2] = db_str(st);
	args[3] = db_str(st);
	return handler_list_page(req, resp, &page, services_list_sql, args, 4,
	    services_cols, "service_id");
}
