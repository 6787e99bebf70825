/*
 * assignments.c: assignment upserts at both scopes (see assignments.h).
 *
 * Everything about the request is decided here before the database is
 * asked anything: the body is checked member by member against API.md
 * section 4, and the service_updates are turned into the canonical
 * patches and normalised features the procedure takes.  The procedure
 * then does the rest in one transaction: 404s, 422s, 412, the check of
 * the domain, the new revision.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <json-c/json.h>

#include "assignments.h"
#include "auth.h"
#include "body.h"
#include "db.h"
#include "feature.h"
#include "handler.h"
#include "http.h"
#include "log.h"

#define ASSIGN_JSON_FLAGS \
	(JSON_C_TO_STRING_PLAIN | JSON_C_TO_STRING_NOSLASHESCAPE)

const struct render_col assign_cols[] = {
	{ "id", NULL, RENDER_STR },
	{ "client_id", NULL, RENDER_STR },
	{ "domain_id", NULL, RENDER_STR },
	{ "service_id", NULL, RENDER_STR },
	{ "capability", NULL, RENDER_STR },
	{ "revision", NULL, RENDER_INT },
	{ "model_id", NULL, RENDER_STR },
	{ "model_version", NULL, RENDER_STR },
	{ "status", NULL, RENDER_STR },
	{ "parameters", NULL, RENDER_JSON },
	{ "metadata", NULL, RENDER_JSON },
	{ "updated_services", NULL, RENDER_JSON },
	{ "created_at", NULL, RENDER_STR },
	{ "created_by", NULL, RENDER_STR },
	{ "archived_at", NULL, RENDER_STR },
	{ NULL, NULL, RENDER_STR }
};

static const struct body_field assign_fields[] = {
	{ "capability", BODY_T_STRING, 0, 0, IDENT_CAPABILITY },
	{ "model_id", BODY_T_STRING, 1, 0, IDENT_MODEL },
	{ "model_version", BODY_T_STRING, 1, 0, IDENT_MODEL_VERSION },
	{ "status", BODY_T_STRING, 0, 0, IDENT_NONE },
	{ "parameters", BODY_T_OBJECT, 0, ASSIGN_OBJECT_MAX, IDENT_NONE },
	{ "metadata", BODY_T_OBJECT, 0, ASSIGN_OBJECT_MAX, IDENT_NONE },
	{ "service_updates", BODY_T_ARRAY, 0, ASSIGN_UPDATES_MAX,
	    IDENT_NONE },
	{ NULL, 0, 0, 0, IDENT_NONE }
};

static const struct body_field assign_update_fields[] = {
	{ "service_id", BODY_T_STRING, 1, 0, IDENT_SERVICE },
	{ "static_features", BODY_T_OBJECT, 1, 0, IDENT_NONE },
	{ NULL, 0, 0, 0, IDENT_NONE }
};

void
assign_req_clear(struct assign_req *a)
{
	free(a->parameters);
	free(a->metadata);
	free(a->service_updates);
	memset(a, 0, sizeof(*a));
}

/* The string member name of obj, borrowed, or NULL when absent. */
static const char *
assign_str(struct json_object *obj, const char *name)
{
	struct json_object	*v;

	if (!json_object_object_get_ex(obj, name, &v) ||
	    !json_object_is_type(v, json_type_string))
		return NULL;
	return json_object_get_string(v);
}

/*
 * A new compact serialisation of member name of obj into *text (NULL
 * when absent).  Returns PIE_OK or PIE_ERR_NOMEM.
 */
static enum pie_res
assign_text(struct json_object *obj, const char *name, char **text)
{
	struct json_object	*v;
	const char		*s;

	*text = NULL;
	if (!json_object_object_get_ex(obj, name, &v))
		return PIE_OK;
	if ((s = json_object_to_json_string_ext(v, ASSIGN_JSON_FLAGS)) ==
	    NULL || (*text = strdup(s)) == NULL)
		return PIE_ERR_NOMEM;
	return PIE_OK;
}

/*
 * The key: a POST must name it; a keyed PUT takes it from the path, and
 * a body that names it too must name the same.
 */
static enum pie_res
assign_capability(struct json_object *body, const char *path_cap,
    struct assign_req *out, struct verr *err)
{
	const char	*cap = assign_str(body, "capability");

	if (path_cap == NULL && cap == NULL)
		return body_fail(err, BODY_E_MISSING, "capability is required: "
		    "add \"capability\" to the body, or use the keyed PUT "
		    ".../assignments/{capability}");
	if (path_cap != NULL && cap != NULL && strcmp(cap, path_cap) != 0)
		return body_fail(err, BODY_E_VALUE, "capability: \"%s\" "
		    "differs from the capability of the path, \"%s\"", cap,
		    path_cap);
	out->capability = path_cap != NULL ? path_cap : cap;
	return PIE_OK;
}

/*
 * Writes the canonical merge patch of static_features (null stays null:
 * it removes the feature) to f.  Returns PIE_OK or PIE_ERR_NOMEM.
 */
static enum pie_res
assign_patch_write(FILE *f, struct json_object *sf)
{
	struct json_object	*patch, *cv;
	const char		*s;
	enum pie_res		 res = PIE_ERR_NOMEM;

	if ((patch = json_object_new_object()) == NULL)
		return PIE_ERR_NOMEM;
	{
		json_object_object_foreach(sf, key, val) {
			cv = NULL;
			if (val != NULL &&
			    (cv = feature_canon_value(val)) == NULL)
				goto out;
			if (json_object_object_add(patch, key, cv) != 0) {
				json_object_put(cv);
				goto out;
			}
		}
	}
	if ((s = json_object_to_json_string_ext(patch, ASSIGN_JSON_FLAGS)) ==
	    NULL)
		goto out;
	fputs(s, f);
	res = PIE_OK;
out:
	json_object_put(patch);
	return res;
}

/*
 * Validates item i of service_updates (already checked by body_check)
 * and writes it to f in the procedure's form: {"service_id", "patch",
 * "features"}.  Returns PIE_OK, PIE_ERR_INVALID with err filled,
 * PIE_ERR_NOMEM or PIE_ERR_CRYPTO.
 */
static enum pie_res
assign_update_write(FILE *f, struct json_object *item, size_t i,
    struct verr *err)
{
	struct json_object	*sf;
	char			 ipath[BODY_PATH_MAX], path[BODY_PATH_MAX];
	char			*norm = NULL;
	enum pie_res		 res;

	body_path_index(ipath, sizeof(ipath), "service_updates", i);
	body_path(path, sizeof(path), ipath, "static_features");
	json_object_object_get_ex(item, "static_features", &sf);
	if ((res = feature_patch_validate(sf, path, &norm, err)) != PIE_OK)
		return res;

	/* service_id follows the identifier rule: nothing to escape. */
	fprintf(f, "%s{\"service_id\":\"%s\",\"patch\":", i > 0 ? "," : "",
	    assign_str(item, "service_id"));
	if ((res = assign_patch_write(f, sf)) == PIE_OK)
		fprintf(f, ",\"features\":%s}", norm);
	free(norm);
	return res;
}

/*
 * Validates service_updates and sets *text to the procedure's array.
 * Returns as assign_validate.
 */
static enum pie_res
assign_updates(struct json_object *arr, char **text, struct verr *err)
{
	char		 path[BODY_PATH_MAX];
	size_t		 i, n = json_object_array_length(arr), len;
	FILE		*f;
	enum pie_res	 res;

	*text = NULL;
	for (i = 0; i < n; i++) {
		body_path_index(path, sizeof(path), "service_updates", i);
		if ((res = body_check(json_object_array_get_idx(arr, i),
		    assign_update_fields, path, err)) != PIE_OK)
			return res;
	}
	if ((res = body_check_unique(arr, "service_id", "service_updates",
	    err)) != PIE_OK)
		return res;

	if ((f = open_memstream(text, &len)) == NULL)
		return PIE_ERR_NOMEM;
	fputc('[', f);
	for (i = 0, res = PIE_OK; i < n && res == PIE_OK; i++)
		res = assign_update_write(f, json_object_array_get_idx(arr, i),
		    i, err);
	fputc(']', f);
	if (ferror(f) && res == PIE_OK)
		res = PIE_ERR_NOMEM;
	if (fclose(f) != 0 && res == PIE_OK)
		res = PIE_ERR_NOMEM;
	if (res != PIE_OK) {
		free(*text);
		*text = NULL;
	}
	return res;
}

enum pie_res
assign_validate(struct json_object *body, const char *path_capability,
    int service_scope, struct assign_req *out, struct verr *err)
{
	struct json_object	*v;
	enum pie_res		 res;

	memset(out, 0, sizeof(*out));
	if ((res = body_check(body, assign_fields, NULL, err)) != PIE_OK)
		return res;
	if (service_scope &&
	    json_object_object_get_ex(body, "service_updates", NULL))
		return body_fail(err, BODY_E_UNKNOWN, "service_updates is "
		    "only allowed on domain-default assignments; patch the "
		    "service itself instead");
	if ((res = assign_capability(body, path_capability, out, err)) !=
	    PIE_OK)
		return res;
	out->model_id = assign_str(body, "model_id");
	out->model_version = assign_str(body, "model_version");
	out->status = assign_str(body, "status");
	if (out->status == NULL)
		out->status = "active";
	if (strcmp(out->status, "active") != 0 &&
	    strcmp(out->status, "archived") != 0)
		return body_fail(err, BODY_E_VALUE, "status must be \"active\" "
		    "or \"archived\"");

	if (assign_text(body, "parameters", &out->parameters) != PIE_OK ||
	    assign_text(body, "metadata", &out->metadata) != PIE_OK)
		return PIE_ERR_NOMEM;
	if (json_object_object_get_ex(body, "service_updates", &v))
		return assign_updates(v, &out->service_updates, err);
	return PIE_OK;
}

/* 1 when c may appear inside an entity tag (RFC 9110 etagc). */
static int
assign_etagc(unsigned char c)
{
	return c == 0x21 || (c >= 0x23 && c <= 0x7e) || c >= 0x80;
}

/*
 * Reads one element of an If-Match list at *p (after white space) and
 * moves past it: the tag's text in *tag and *n, without quotes (a bare
 * tag is taken as the id it spells), and whether it is weak.  Returns 0,
 * or -1 when the element is malformed.
 */
static int
assign_if_match_tag(const char **p, const char **tag, size_t *n, int *weak)
{
	const char	*s = *p;
	int		 quoted = 0;

	*weak = 0;
	if (s[0] == 'W' && s[1] == '/' && s[2] == '"') {
		*weak = 1;
		s += 2;
	}
	if (*s == '"') {
		quoted = 1;
		s++;
	}
	for (*tag = s; *s != '\0' && *s != '"' && (quoted || *s != ',') &&
	    assign_etagc((unsigned char)*s); s++)
		continue;
	*n = (size_t)(s - *tag);

	if (quoted && *s++ != '"')
		return -1;
	if (!quoted && *n == 0)
		return -1;
	*p = s;
	return 0;
}

char *
assign_if_match(const char *h, int *malformed)
{
	const char	*p = h, *tag;
	char		*out, *o;
	size_t		 n;
	int		 weak, tags = 0;

	*malformed = 0;
	if ((out = o = malloc(strlen(h) + 2)) == NULL)
		return NULL;

	p += strspn(p, " \t");
	if (*p == '*') {
		p += 1 + strspn(p + 1, " \t");
		if (*p != '\0')
			goto bad;
		strcpy(out, "*");
		return out;
	}
	for (;;) {
		p += strspn(p, " \t,");
		if (*p == '\0')
			break;
		if (assign_if_match_tag(&p, &tag, &n, &weak) != 0)
			goto bad;
		tags++;

		/* No revision id holds a comma: such a tag never matches. */
		if (!weak && memchr(tag, ',', n) == NULL) {
			if (o != out)
				*o++ = ',';
			memcpy(o, tag, n);
			o += n;
		}
		p += strspn(p, " \t");
		if (*p != '\0' && *p != ',')
			goto bad;
	}
	if (tags == 0)
		goto bad;

	/* Only weak tags: a list that no revision id is in. */
	if (o == out)
		*o++ = '-';
	*o = '\0';
	return out;
bad:
	free(out);
	*malformed = 1;
	return NULL;
}

/*
 * Turns the If-Match header into what the procedure compares under the
 * key lock (see assign_if_match): *match is NULL when there is no
 * condition, else a new string the caller frees.  Returns PIE_OK, or
 * the response's result when it answered (400 on a malformed header,
 * 503 when out of memory).
 */
static enum pie_res
assign_condition(struct http_req *req, struct http_resp *resp,
    char **match)
{
	const char	*h = req->if_match;
	int		 malformed;

	*match = NULL;
	if (h == NULL || h[strspn(h, " \t")] == '\0')
		return PIE_OK;
	if ((*match = assign_if_match(h, &malformed)) != NULL)
		return PIE_OK;
	if (malformed)
		return http_error(resp, 400, "invalid_header", "If-Match: "
		    "expected * or entity tags, as ETag gave them");
	return PIE_ERR_NOMEM;
}

/*
 * Answers the procedure's result r for the request a: the 422 report,
 * or 200 with the revision and its ETag (none on a dry run: nothing was
 * written).  The report's message names the version a assigns, whichever
 * version the entries failed, except when a archives a service-scope
 * revision: the service then falls back to the domain default, and it
 * is that version the service cannot take.
 */
static enum pie_res
assign_render(struct http_req *req, struct http_resp *resp,
    const struct db_result *r, const struct assign_req *a, int dry)
{
	struct json_object	*row;
	const char		*kind = db_result_getn(r, 0, 0, "kind");
	const char		*id = db_result_getn(r, 0, 0, "id");
	const char		*version = a->model_version;

	if (http_param(req, "service_id") != NULL &&
	    strcmp(a->status, "archived") == 0)
		version = NULL;
	if (handler_blocked_as(resp, r, NULL, version))
		return PIE_OK;
	if (kind == NULL || strcmp(kind, "ok") != 0 || id == NULL) {
		log_error("pie_assignment_upsert gave no result row");
		return http_error(resp, 500, "internal_error",
		    "internal error");
	}
	if ((row = handler_row(r, 0, 0, assign_cols)) == NULL)
		return PIE_ERR_NOMEM;
	if (!dry && http_header(resp, "ETag", "\"%s\"", id) != PIE_OK) {
		json_object_put(row);
		return PIE_ERR_NOMEM;
	}
	return http_json(resp, 200, row);
}

/* Calls the procedure once for the validated request a. */
static enum pie_res
assign_call(struct http_req *req, struct http_resp *resp,
    struct json_object *body, const struct assign_req *a, const char *match,
    int dry)
{
	static const char	 sql[] = "CALL pie_assignment_upsert(?, ?, ?, "
	    "?, ?, ?, ?, ?, ?, ?, ?, ?, ?)";
	struct handler_ctx	 ctx = { a->model_id, a->model_version,
	    a->capability, NULL };
	struct db_arg		 args[13];
	struct db_result	*r = NULL;
	enum pie_res		 res;

	args[0] = db_str(http_param(req, "client_id"));
	args[1] = db_str(http_param(req, "domain_id"));
	args[2] = db_str(http_param(req, "service_id"));
	args[3] = db_str(a->capability);
	args[4] = db_str(a->model_id);
	args[5] = db_str(a->model_version);
	args[6] = db_str(a->status);
	args[7] = db_str(a->parameters);
	args[8] = db_str(a->metadata);
	args[9] = db_str(a->service_updates);
	args[10] = db_str(auth_principal_sub(req->who));
	args[11] = db_str(match);
	args[12] = db_int(dry);

	json_object_object_get_ex(body, "service_updates", &ctx.updates);
	if ((res = db_exec(req->db, sql, args, 13, &r)) != PIE_OK)
		return handler_db_error(req, resp, res, &ctx);
	res = assign_render(req, resp, r, a, dry);
	db_result_free(r);
	return res;
}

/*
 * The upsert shared by every route: body, query, If-Match, one call.
 * keyed is 1 on the PUT routes, whose path names the capability.
 */
static enum pie_res
assign_upsert(struct http_req *req, struct http_resp *resp, int keyed)
{
	static const char *const query[] = { "dry_run", NULL };
	struct json_object	*body = NULL;
	struct assign_req	 a;
	struct verr		 err;
	char			*match = NULL;
	int			 dry = 0;
	enum pie_res		 res;

	memset(&a, 0, sizeof(a));
	memset(&err, 0, sizeof(err));
	if ((res = handler_body(req, resp, &body)) != PIE_OK)
		return res;
	res = assign_validate(body, keyed ? http_param(req, "capability") :
	    NULL, http_param(req, "service_id") != NULL, &a, &err);
	if (res == PIE_ERR_INVALID)
		res = handler_invalid(resp, &err);
	if (res != PIE_OK)
		goto out;

	if ((res = http_query_allow(req, resp, query)) != PIE_OK ||
	    (res = handler_flag(req, resp, "dry_run", &dry)) != PIE_OK ||
	    (res = assign_condition(req, resp, &match)) != PIE_OK)
		goto out;
	res = assign_call(req, resp, body, &a, match, dry);
out:
	free(match);
	assign_req_clear(&a);
	json_object_put(body);
	return res;
}

enum pie_res
assign_post(struct http_req *req, struct http_resp *resp)
{
	return assign_upsert(req, resp, 0);
}

enum pie_res
assign_put(struct http_req *req, struct http_resp *resp)
{
	return assign_upsert(req, resp, 1);
}
