/*
 * handler.c: what every API handler shares (see handler.h).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <json-c/json.h>

#include "b64url.h"
#include "body.h"
#include "db.h"
#include "handler.h"
#include "http.h"
#include "ijson.h"
#include "log.h"

#define HANDLER_BLOCKED_MAX	 1000

enum pie_res
handler_body(struct http_req *req, struct http_resp *resp,
    struct json_object **out)
{
	struct json_object	*o = NULL;
	char			 err[256];
	enum pie_res		 res;

	if ((res = http_require_json(req, resp)) != PIE_OK)
		return res;
	res = ijson_parse(req->body, req->body_len, &o, err, sizeof(err));
	if (res == PIE_ERR_NOMEM)
		return http_error(resp, 503, "unavailable", "out of memory");
	if (res != PIE_OK)
		return http_error(resp, 400, "invalid_json", "the body is not "
		    "valid JSON: %s", err);
	if (!json_object_is_type(o, json_type_object)) {
		json_object_put(o);
		return http_error(resp, 400, "invalid_json", "the body must be "
		    "a JSON object");
	}
	*out = o;
	return PIE_OK;
}

enum pie_res
handler_invalid(struct http_resp *resp, const struct verr *err)
{
	if (err->code == NULL)
		return http_error(resp, 503, "unavailable", "out of memory");
	return http_error(resp, 400, err->code, "%s", err->msg);
}

/* The path parameter a 404 refusal's resource kind names. */
static const char *
handler_param_of(const char *kind)
{
	static const struct {
		const char	*kind, *param;
	} m[] = {
		{ "client", "client_id" },
		{ "domain", "domain_id" },
		{ "service", "service_id" },
		{ "model", "model_id" },
		{ "job", "job_id" },
		{ "assignment", "capability" },
	};
	size_t	 i;

	for (i = 0; i < sizeof(m) / sizeof(m[0]); i++)
		if (strcmp(m[i].kind, kind) == 0)
			return m[i].param;
	return NULL;
}

/*
 * Answers a 45400 refusal.  A MESSAGE_TEXT "path: what" names a limit
 * only the database can see, because it holds after a merge patch (a
 * service over 256 features or 64 KiB of provided_features): a 400 for
 * the user, too_large for "more than" and "larger than".  A bare
 * argument name means the C code let through what it should have
 * refused: logged.
 */
static enum pie_res
handler_db_invalid(struct http_resp *resp, const char *msg)
{
	const char	*what = strstr(msg, ": ");

	if (what != NULL && (strncmp(what + 2, "more than ", 10) == 0 ||
	    strncmp(what + 2, "larger than ", 12) == 0))
		return http_error(resp, 400, "too_large", "%s once the patch "
		    "is applied", msg);
	if (what != NULL)
		return http_error(resp, 400, "invalid_value", "%s", msg);
	log_warn("database refused argument %s", msg);
	return http_error(resp, 400, "invalid_value", "%s: refused", msg);
}

/*
 * Writes the path of the service_id of the item of updates that names
 * service ("service_updates[2].service_id") into buf, or "" when none
 * does (updates may be NULL).
 */
static void
handler_update_path(struct json_object *updates, const char *service,
    char *buf, size_t len)
{
	struct json_object	*v;
	size_t			 i, n;

	buf[0] = '\0';
	n = updates != NULL ? json_object_array_length(updates) : 0;
	for (i = 0; i < n; i++) {
		if (json_object_object_get_ex(json_object_array_get_idx(
		    updates, i), "service_id", &v) &&
		    strcmp(json_object_get_string(v), service) == 0) {
			snprintf(buf, len, "service_updates[%zu].service_id",
			    i);
			break;
		}
	}
}

enum pie_res
handler_db_error(struct http_req *req, struct http_resp *resp,
    enum pie_res res, const struct handler_ctx *ctx)
{
	static const struct handler_ctx none;
	const char	*state = db_sqlstate(req->db);
	const char	*msg = db_message(req->db), *param, *id;
	char		 path[BODY_PATH_MAX];

	if (ctx == NULL)
		ctx = &none;
	if (res == PIE_ERR_NOMEM || res == PIE_ERR_RETRY || res == PIE_ERR_DB)
		return http_error(resp, 503, "unavailable", "%s",
		    res == PIE_ERR_RETRY ? "too many concurrent changes to the "
		    "same data; try again" : "the database is unavailable; "
		    "try again");
	if (res != PIE_ERR_REFUSED) {
		log_error("unexpected database result %s", pie_res_str(res));
		return http_error(resp, 500, "internal_error",
		    "internal error");
	}

	if (strcmp(state, "45404") == 0) {
		param = handler_param_of(msg);
		id = param != NULL ? http_param(req, param) : NULL;
		return http_error(resp, 404, "not_found", "%s%s%s not found",
		    msg, id != NULL ? " " : "", id != NULL ? id : "");
	}
	if (strcmp(state, "45409") == 0)
		return http_error(resp, 409, "conflict", "model version %s "
		    "already exists with a different freeze; versions are "
		    "immutable", http_param(req, "model_version"));
	if (strcmp(state, "45412") == 0)
		return http_error(resp, 412, "precondition_failed", "If-Match "
		    "does not name the latest revision of this assignment; "
		    "read it again");
	if (strcmp(state, "45422") == 0) {
		if (strcmp(msg, "model") == 0)
			return http_error(resp, 422, "unknown_model_version",
			    "model_id: model %s is not in the registry",
			    ctx->model_id ? ctx->model_id : "(unnamed)");
		return http_error(resp, 422, "unknown_model_version",
		    "model_version: model %s has no version %s",
		    ctx->model_id ? ctx->model_id : "(unnamed)",
		    ctx->model_version ? ctx->model_version : "(unnamed)");
	}
	handler_update_path(ctx->updates, msg, path, sizeof(path));
	if (strcmp(state, "45423") == 0)
		return http_error(resp, 422, "unknown_service",
		    "%s: %s is not a service of domain %s",
		    path[0] != '\0' ? path : "service_updates", msg,
		    http_param(req, "domain_id"));
	if (strcmp(state, "45424") == 0)
		return http_error(resp, 422, "service_departed", "%s%sservice "
		    "%s has departed; a departed service cannot change or be "
		    "assigned", path, path[0] != '\0' ? ": " : "", msg);
	if (strcmp(state, "45425") == 0)
		return http_error(resp, 422, "no_active_assignment",
		    "service %s has no active assignment of capability %s",
		    http_param(req, "service_id"), msg);
	if (strcmp(state, "45426") == 0)
		return http_error(resp, 422, "invalid_status_transition",
		    "status: a job cannot go %s (queued, then running, then "
		    "succeeded or failed)", msg);
	if (strcmp(state, "45400") == 0)
		return handler_db_invalid(resp, msg);
	log_error("unknown refusal SQLSTATE %s: %s", state, msg);
	return http_error(resp, 500, "internal_error", "internal error");
}

/*
 * Parses a cell of JSON text; null for SQL NULL or (logged) bad text.
 * Read like a body, so that a number json-c cannot hold as an integer
 * keeps the digits it was stored with instead of saturating.
 */
static struct json_object *
handler_json_cell(const char *text)
{
	struct json_object	*o = NULL;
	char			 err[256];

	if (text == NULL)
		return NULL;
	if (ijson_parse(text, strlen(text), &o, err, sizeof(err)) ==
	    PIE_ERR_INVALID)
		log_error("stored JSON does not parse: %s", err);
	return o;
}

int
handler_blocked(struct http_resp *resp, const struct db_result *r,
    const char *service_id)
{
	return handler_blocked_as(resp, r, service_id, NULL);
}

int
handler_blocked_as(struct http_resp *resp, const struct db_result *r,
    const char *service_id, const char *version)
{
	struct json_object	*body, *list, *e;
	const char		*kind, *ver, *cap;
	long long		 services, total;
	size_t			 i, n;
	char			 msg[512];

	kind = db_result_getn(r, 0, 0, "kind");
	if (kind == NULL || strcmp(kind, "blocked") != 0)
		return 0;
	services = atoll(db_result_getn(r, 0, 0, "services") ?
	    db_result_getn(r, 0, 0, "services") : "0");
	total = atoll(db_result_getn(r, 0, 0, "total") ?
	    db_result_getn(r, 0, 0, "total") : "0");
	ver = version != NULL ? version :
	    db_result_getn(r, 0, 0, "model_version");
	cap = db_result_getn(r, 0, 0, "capability");

	if (service_id == NULL)
		snprintf(msg, sizeof(msg), "cannot assign model version %s: "
		    "%lld service(s) have incompatible provided_features",
		    ver ? ver : "?", services);
	else
		snprintf(msg, sizeof(msg), "cannot change service %s: it would "
		    "be incompatible with model version %s, assigned for "
		    "capability %s", service_id, ver ? ver : "?",
		    cap ? cap : "?");

	resp->code = "assignment_blocked";
	if ((body = http_error_body("assignment_blocked", msg)) == NULL ||
	    (list = json_object_new_array()) == NULL) {
		json_object_put(body);
		http_error(resp, 503, "unavailable", "out of memory");
		return 1;
	}
	n = db_result_rows(r, 1);
	for (i = 0; i < n && i < HANDLER_BLOCKED_MAX; i++) {
		if ((e = json_object_new_object()) == NULL)
			break;
		json_object_object_add(e, "service_id", json_object_new_string(
		    db_result_getn(r, 1, i, "service_id")));
		json_object_object_add(e, "feature", json_object_new_string(
		    db_result_getn(r, 1, i, "feature")));
		json_object_object_add(e, "value", handler_json_cell(
		    db_result_getn(r, 1, i, "value")));
		json_object_object_add(e, "reason", json_object_new_string(
		    db_result_getn(r, 1, i, "reason")));
		json_object_array_add(list, e);
	}
	json_object_object_add(body, "blocking_services", list);
	json_object_object_add(body, "blocking_services_total",
	    json_object_new_int64(total));
	if (http_json(resp, 422, body) != PIE_OK)
		http_error(resp, 503, "unavailable", "out of memory");
	return 1;
}

struct json_object *
handler_row(const struct db_result *r, size_t set, size_t row,
    const struct render_col *cols)
{
	struct json_object	*o, *v;
	const char		*cell;
	int			 col;

	if ((o = json_object_new_object()) == NULL)
		return NULL;
	for (; cols->column != NULL; cols++) {
		col = db_result_col(r, set, cols->column);
		if (col < 0)
			log_error("result has no column %s", cols->column);
		cell = col < 0 ? NULL : db_result_get(r, set, row,
		    (size_t)col);
		v = NULL;
		if (cell != NULL) {
			switch (cols->kind) {
			case RENDER_STR:
				v = json_object_new_string(cell);
				break;
			case RENDER_INT:
				v = json_object_new_int64(atoll(cell));
				break;
			case RENDER_BOOL:
				v = json_object_new_boolean(atoi(cell) != 0);
				break;
			case RENDER_JSON:
				v = handler_json_cell(cell);
				break;
			}
		}
		if (json_object_object_add(o, cols->name != NULL ?
		    cols->name : cols->column, v) != 0) {
			json_object_put(v);
			json_object_put(o);
			return NULL;
		}
	}
	return o;
}

enum pie_res
handler_page(const struct http_req *req, struct http_resp *resp,
    struct handler_page *page, enum ident_kind kind, size_t nkeys)
{
	struct json_object	*o = NULL;
	unsigned char		 raw[1024];
	char			 buf[1400], *end;
	size_t			 len, i;
	long			 n;
	int			 rc;

	memset(page, 0, sizeof(*page));
	page->limit = 100;
	rc = http_query(req, "limit", buf, sizeof(buf));
	if (rc != 0) {
		/* Digits only: strtol would also take " 5" and "+5". */
		errno = 0;
		n = rc < 0 || buf[0] < '0' || buf[0] > '9' ? 0 :
		    strtol(buf, &end, 10);
		if (n < 1 || errno != 0 || *end != '\0' || n > 500)
			return http_error(resp, 400, "invalid_parameter",
			    "limit: expected an integer from 1 to 500");
		page->limit = (int)n;
	}

	rc = http_query(req, "cursor", buf, sizeof(buf));
	if (rc == 0)
		return PIE_OK;

	/* A cursor is base64url of a JSON array of strings we made. */
	if (rc < 0 || b64url_decode_buf(buf, strlen(buf), raw,
	    sizeof(raw) - 1, &len) != PIE_OK)
		goto bad;
	raw[len] = '\0';
	o = json_tokener_parse((char *)raw);
	if (o == NULL || !json_object_is_type(o, json_type_array) ||
	    json_object_array_length(o) != nkeys ||
	    nkeys > HANDLER_CURSOR_MAX)
		goto bad;
	for (i = 0; i < json_object_array_length(o); i++) {
		struct json_object *v = json_object_array_get_idx(o, i);

		if (!json_object_is_type(v, json_type_string) ||
		    (size_t)json_object_get_string_len(v) >=
		    sizeof(page->after[0]) || (kind != IDENT_NONE &&
		    !ident_valid(kind, json_object_get_string(v))))
			goto bad;
		memcpy(page->after[i], json_object_get_string(v),
		    (size_t)json_object_get_string_len(v) + 1);
	}
	page->nafter = i;
	json_object_put(o);
	return PIE_OK;
bad:
	json_object_put(o);
	return http_error(resp, 400, "invalid_cursor", "cursor: not a cursor "
	    "this service gave out; start again without it");
}

enum pie_res
handler_list(struct http_resp *resp, struct json_object *items,
    const char *const *last, size_t nlast)
{
	struct json_object	*o, *key;
	char			*cursor = NULL;
	const char		*s;
	size_t			 i, len;

	if ((o = json_object_new_object()) == NULL) {
		json_object_put(items);
		return PIE_ERR_NOMEM;
	}
	json_object_object_add(o, "items", items);
	if (last != NULL) {
		if ((key = json_object_new_array()) == NULL) {
			json_object_put(o);
			return PIE_ERR_NOMEM;
		}
		for (i = 0; i < nlast; i++)
			json_object_array_add(key,
			    json_object_new_string(last[i]));
		s = json_object_to_json_string_length(key,
		    JSON_C_TO_STRING_PLAIN, &len);
		if (s == NULL || b64url_encode((const unsigned char *)s, len,
		    &cursor) != PIE_OK) {
			json_object_put(key);
			json_object_put(o);
			return PIE_ERR_NOMEM;
		}
		json_object_put(key);
	}
	json_object_object_add(o, "next_cursor", cursor != NULL ?
	    json_object_new_string(cursor) : NULL);
	free(cursor);
	return http_json(resp, 200, o);
}

enum pie_res
handler_flag(const struct http_req *req, struct http_resp *resp,
    const char *name, int *on)
{
	char	 buf[16];
	int	 rc = http_query(req, name, buf, sizeof(buf));

	*on = 0;
	if (rc == 0)
		return PIE_OK;
	if (rc > 0 && (strcmp(buf, "true") == 0 || strcmp(buf, "1") == 0)) {
		*on = 1;
		return PIE_OK;
	}
	if (rc > 0 && (strcmp(buf, "false") == 0 || strcmp(buf, "0") == 0))
		return PIE_OK;
	return http_error(resp, 400, "invalid_parameter", "%s: expected true "
	    "or false", name);
}

enum pie_res
handler_put_answer(struct http_resp *resp, const struct db_result *r,
    const struct render_col *cols)
{
	const char		*created = db_result_getn(r, 0, 0, "created");
	struct json_object	*o;

	if ((o = handler_row(r, 0, 0, cols)) == NULL)
		return PIE_ERR_NOMEM;
	return http_json(resp, created != NULL && strcmp(created, "1") == 0 ?
	    201 : 200, o);
}

enum pie_res
handler_page_answer(struct http_resp *resp, const struct db_result *r,
    const struct render_col *cols, int limit, const char *key)
{
	struct json_object	*items, *o;
	const char		*last[1];
	size_t			 i, n = db_result_rows(r, 0);

	if ((items = json_object_new_array()) == NULL)
		return PIE_ERR_NOMEM;
	for (i = 0; i < n && i < (size_t)limit; i++) {
		if ((o = handler_row(r, 0, i, cols)) == NULL ||
		    json_object_array_add(items, o) != 0) {
			json_object_put(o);
			json_object_put(items);
			return PIE_ERR_NOMEM;
		}
	}

	/* The extra row only says that there is a next page. */
	if (n <= (size_t)limit)
		return handler_list(resp, items, NULL, 0);
	last[0] = db_result_getn(r, 0, (size_t)limit - 1, key);
	if (last[0] == NULL) {
		log_error("page key %s missing", key);
		json_object_put(items);
		return PIE_ERR_INTERNAL;
	}
	return handler_list(resp, items, last, 1);
}

enum pie_res
handler_body_checked(struct http_req *req, struct http_resp *resp,
    const char *const *query, const struct body_field *fields,
    struct json_object **out)
{
	struct json_object	*body = NULL;
	struct verr		 err = { NULL, "" };
	enum pie_res		 res;

	*out = NULL;
	if ((res = http_query_allow(req, resp, query)) != PIE_OK ||
	    (res = handler_body(req, resp, &body)) != PIE_OK)
		return res;
	if (body_check(body, fields, NULL, &err) != PIE_OK) {
		json_object_put(body);
		return handler_invalid(resp, &err);
	}
	*out = body;
	return PIE_OK;
}

/* 1 when the column name of the one row of r is 1, else 0. */
static int
handler_exists(const struct db_result *r, const char *name)
{
	const char	*cell = db_result_getn(r, 0, 0, name);

	return cell != NULL && cell[0] == '1';
}

enum pie_res
handler_require_path(struct http_req *req, struct http_resp *resp)
{
	static const char	 sql[] = "SELECT "
	    "EXISTS (SELECT 1 FROM clients WHERE client_id = ?) AS c, "
	    "EXISTS (SELECT 1 FROM domains WHERE client_id = ? "
	    "AND domain_id = ?) AS d, "
	    "EXISTS (SELECT 1 FROM services WHERE client_id = ? "
	    "AND domain_id = ? AND service_id = ?) AS s, "
	    "EXISTS (SELECT 1 FROM models WHERE model_id = ?) AS m";
	/* The order in which a path names them; column, kind, parameter. */
	static const char *const levels[][3] = {
		{ "c", "client", "client_id" },
		{ "d", "domain", "domain_id" },
		{ "s", "service", "service_id" },
		{ "m", "model", "model_id" },
	};
	const char		*c = http_param(req, "client_id");
	const char		*d = http_param(req, "domain_id");
	const char		*s = http_param(req, "service_id");
	const char		*m = http_param(req, "model_id"), *id;
	struct db_result	*r = NULL;
	struct db_arg		 args[7];
	enum pie_res		 res;
	size_t			 i;

	if (c == NULL && m == NULL)
		return PIE_OK;
	args[0] = db_str(c);
	args[1] = db_str(c);
	args[2] = db_str(d);
	args[3] = db_str(c);
	args[4] = db_str(d);
	args[5] = db_str(s);
	args[6] = db_str(m);
	if ((res = db_exec(req->db, sql, args, 7, &r)) != PIE_OK)
		return handler_db_error(req, resp, res, NULL);

	for (i = 0; i < sizeof(levels) / sizeof(levels[0]); i++) {
		id = http_param(req, levels[i][2]);
		if (id != NULL && !handler_exists(r, levels[i][0])) {
			res = http_error(resp, 404, "not_found",
			    "%s %s not found", levels[i][1], id);
			break;
		}
	}
	db_result_free(r);
	return res;
}

enum pie_res
handler_get_one(struct http_req *req, struct http_resp *resp,
    const char *sql, const struct db_arg *args, size_t nargs,
    const struct render_col *cols, const char *what, const char *param)
{
	struct db_result	*r = NULL;
	struct json_object	*o;
	enum pie_res		 res;

	if ((res = db_exec(req->db, sql, args, nargs, &r)) != PIE_OK)
		return handler_db_error(req, resp, res, NULL);

	/* Nothing is deleted: an empty read that races a create is 404. */
	if (db_result_rows(r, 0) == 0) {
		if ((res = handler_require_path(req, resp)) == PIE_OK)
			res = http_error(resp, 404, "not_found",
			    "%s %s not found", what, http_param(req, param));
	} else if ((o = handler_row(r, 0, 0, cols)) == NULL)
		res = PIE_ERR_NOMEM;
	else
		res = http_json(resp, 200, o);
	db_result_free(r);
	return res;
}

enum pie_res
handler_list_page(struct http_req *req, struct http_resp *resp,
    const struct handler_page *page, const char *sql, struct db_arg *args,
    size_t nargs, const struct render_col *cols, const char *key)
{
	struct db_result	*r = NULL;
	const char		*after;
	enum pie_res		 res;

	after = page->nafter > 0 ? page->after[0] : NULL;
	args[nargs++] = db_str(after);
	args[nargs++] = db_str(after);
	args[nargs++] = db_int(page->limit + 1);
	if ((res = db_exec(req->db, sql, args, nargs, &r)) != PIE_OK)
		return handler_db_error(req, resp, res, NULL);

	/* An empty page may mean that a resource of the path is missing. */
	if (db_result_rows(r, 0) > 0 ||
	    (res = handler_require_path(req, resp)) == PIE_OK)
		res = handler_page_answer(resp, r, cols, page->limit, key);
	db_result_free(r);
	return res;
}

enum pie_res
handler_put_named(struct http_req *req, struct http_resp *resp,
    const struct body_field *fields, const char *const *params,
    const char *sql, const struct render_col *cols)
{
	static const char *const no_query[] = { NULL };
	struct json_object	*body, *v;
	struct db_result	*r = NULL;
	struct db_arg		 args[4];
	size_t			 n = 0;
	enum pie_res		 res;

	res = handler_body_checked(req, resp, no_query, fields, &body);
	if (res != PIE_OK)
		return res;
	for (; *params != NULL && n < 3; params++)
		args[n++] = db_str(http_param(req, *params));
	args[n++] = json_object_object_get_ex(body, fields[0].name, &v) ?
	    db_str(json_object_get_string(v)) : db_null();
	if ((res = db_exec(req->db, sql, args, n, &r)) != PIE_OK)
		res = handler_db_error(req, resp, res, NULL);
	else
		res = handler_put_answer(resp, r, cols);
	db_result_free(r);
	json_object_put(body);
	return res;
}
