/*
 * test_assignments.c: assignment upserts and reads at both scopes,
 * through nginx over TLS, as API.md section 4 describes them: every
 * member of the field table, every status, the invariant on both sides
 * (upserts and service writes), revisions, ETags, dry runs and effective
 * assignments now and in the past.  Every test makes its own client,
 * domain, model and services with unique ids, through the API.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <criterion/criterion.h>
#include <json-c/json.h>

#include "itest.h"

/*
 * A fixture: a client and domain, a model with three versions, and the
 * services the test adds.  Version 1 needs a string route; version 2
 * also needs cabin_category (economy or business) and an integer
 * capacity of 1..5000 when given; version 3 needs nothing.
 */
struct fx {
	char	 client[96], domain[96], model[96];
	char	 domain_path[512];	/* /v2/clients/{c}/domains/{d} */
	char	 assignments[600];	/* ... /assignments */
};

static void
fx_put(const char *path, const char *body)
{
	struct it_resp	*r = it_send("PUT", path, body);

	cr_assert(r->status == 200 || r->status == 201, "PUT %s: %ld %s",
	    path, r->status, r->body);
	it_free(r);
}

static void
fx_make(struct fx *f)
{
	char	 path[512];

	snprintf(f->client, sizeof(f->client), "%s", it_unique("ac"));
	snprintf(f->domain, sizeof(f->domain), "%s", it_unique("ad"));
	snprintf(f->model, sizeof(f->model), "%s", it_unique("am"));
	snprintf(f->domain_path, sizeof(f->domain_path),
	    "/v2/clients/%s/domains/%s", f->client, f->domain);
	snprintf(f->assignments, sizeof(f->assignments), "%s/assignments",
	    f->domain_path);

	snprintf(path, sizeof(path), "/v2/clients/%s", f->client);
	fx_put(path, "{\"display_name\":\"assignments\"}");
	fx_put(f->domain_path, "{}");
	snprintf(path, sizeof(path), "/v2/models/%s", f->model);
	fx_put(path, "{}");
	snprintf(path, sizeof(path), "/v2/models/%s/versions/1", f->model);
	fx_put(path, "{\"freeze\":{\"features\":[{\"name\":\"route\","
	    "\"type\":\"string\",\"mandatory\":true}]}}");
	snprintf(path, sizeof(path), "/v2/models/%s/versions/2", f->model);
	fx_put(path, "{\"freeze\":{\"features\":[{\"name\":\"route\","
	    "\"type\":\"string\",\"mandatory\":true},{\"name\":"
	    "\"cabin_category\",\"type\":\"string\",\"mandatory\":true,"
	    "\"allowed_values\":[\"economy\",\"business\"]},{\"name\":"
	    "\"capacity\",\"type\":\"integer\",\"minimum\":1,"
	    "\"maximum\":5000}]}}");
	snprintf(path, sizeof(path), "/v2/models/%s/versions/3", f->model);
	fx_put(path, "{\"freeze\":{\"features\":[]}}");
}

/* The path of service s of the fixture (static storage). */
static const char *
fx_service_path(const struct fx *f, const char *s)
{
	static char	 path[4][700];
	static int	 next;
	char		*p = path[next++ % 4];

	snprintf(p, sizeof(path[0]), "%s/services/%s", f->domain_path, s);
	return p;
}

/* Creates service s, scheduled, with provided_features (JSON text). */
static void
fx_service(const struct fx *f, const char *s, const char *features)
{
	char	 body[2048];

	snprintf(body, sizeof(body), "{\"status\":\"scheduled\","
	    "\"provided_features\":%s}", features);
	fx_put(fx_service_path(f, s), body);
}

/* POSTs a domain-default upsert of cap to version v with extra members. */
static struct it_resp *
fx_upsert(const struct fx *f, const char *cap, const char *v,
    const char *extra)
{
	struct it_resp	*r;
	char		*body;

	cr_assert(asprintf(&body, "{\"capability\":\"%s\",\"model_id\":"
	    "\"%s\",\"model_version\":\"%s\"%s%s}", cap, f->model, v,
	    extra != NULL ? "," : "", extra != NULL ? extra : "") > 0);
	r = it_send("POST", f->assignments, body);
	free(body);
	return r;
}

/* The same at service scope, for service s. */
static struct it_resp *
fx_upsert_service(const struct fx *f, const char *s, const char *cap,
    const char *v, const char *extra)
{
	struct it_resp	*r;
	char		*body, path[800];

	snprintf(path, sizeof(path), "%s/assignments", fx_service_path(f, s));
	cr_assert(asprintf(&body, "{\"capability\":\"%s\",\"model_id\":"
	    "\"%s\",\"model_version\":\"%s\"%s%s}", cap, f->model, v,
	    extra != NULL ? "," : "", extra != NULL ? extra : "") > 0);
	r = it_send("POST", path, body);
	free(body);
	return r;
}

/* Asserts r is 200 and frees it. */
static void
fx_ok(struct it_resp *r)
{
	cr_assert_eq(r->status, 200, "expected 200: %ld %s", r->status,
	    r->body);
	it_free(r);
}

/* Asserts r is the error status/code and frees it. */
static void
fx_err(struct it_resp *r, long status, const char *code)
{
	it_assert_error(r, status, code);
	it_free(r);
}

/* Asserts an error whose message contains word, then frees it. */
static void
fx_err_naming(struct it_resp *r, long status, const char *code,
    const char *word)
{
	it_assert_error(r, status, code);
	cr_assert(strstr(it_str(r, "error"), word) != NULL,
	    "message \"%s\" does not name %s", it_str(r, "error"), word);
	it_free(r);
}

/* Asserts JSON member name of r equals the JSON text want. */
static void
fx_json(const struct it_resp *r, const char *name, const char *want)
{
	struct json_object	*w, *v;

	/* null parses to no object: the member must be there, null. */
	if (strcmp(want, "null") == 0) {
		const char	*dot = strrchr(name, '.');
		char		 parent[256];
		struct json_object *o = r->json;

		if (dot != NULL) {
			snprintf(parent, sizeof(parent), "%.*s",
			    (int)(dot - name), name);
			o = it_obj(r, parent);
		}
		cr_assert(json_object_object_get_ex(o, dot ? dot + 1 : name,
		    &v) && v == NULL, "%s is not null in %s", name, r->body);
		return;
	}
	w = json_tokener_parse(want);
	cr_assert_not_null(w, "bad JSON in the test: %s", want);
	cr_assert(json_object_equal(it_obj(r, name), w), "%s is %s, not %s",
	    name, json_object_to_json_string(it_obj(r, name)), want);
	json_object_put(w);
}

/* GETs the revisions of a domain-default key (path suffix after it). */
static struct it_resp *
fx_revisions(const struct fx *f, const char *cap)
{
	char	 path[800];

	snprintf(path, sizeof(path), "%s/%s/revisions?limit=500",
	    f->assignments, cap);
	return it_get(path);
}

/* The number of revisions of a domain-default key (0: never assigned). */
static size_t
fx_revision_count(const struct fx *f, const char *cap)
{
	struct it_resp	*r = fx_revisions(f, cap);
	size_t		 n = 0;

	if (r->status == 404)
		it_assert_error(r, 404, "not_found");
	else {
		cr_assert_eq(r->status, 200, "%s", r->body);
		n = json_object_array_length(it_obj(r, "items"));
	}
	it_free(r);
	return n;
}

/* Asserts that service s provides exactly the features want (JSON). */
static void
fx_features(const struct fx *f, const char *s, const char *want)
{
	struct it_resp	*r = it_get(fx_service_path(f, s));

	cr_assert_eq(r->status, 200, "%s", r->body);
	fx_json(r, "provided_features", want);
	it_free(r);
}

/* --- The revision and its headers ------------------------------------ */

Test(assignments, post_answers_200_with_the_whole_revision_and_etag)
{
	struct fx	 f;
	struct it_resp	*r;
	char		 etag[64];

	fx_make(&f);
	fx_service(&f, "s1", "{\"route\":\"r1\"}");
	r = fx_upsert(&f, "fare", "1", "\"parameters\":{\"horizon\":7},"
	    "\"metadata\":{\"team\":\"ops\"}");
	cr_assert_eq(r->status, 200, "%s", r->body);
	cr_assert_eq(json_object_object_length(r->json), 15, "%s", r->body);
	cr_assert_eq(strlen(it_str(r, "id")), 36);
	cr_assert_str_eq(it_str(r, "client_id"), f.client);
	cr_assert_str_eq(it_str(r, "domain_id"), f.domain);
	fx_json(r, "service_id", "null");
	cr_assert_str_eq(it_str(r, "capability"), "fare");
	cr_assert_eq(it_int(r, "revision"), 1);
	cr_assert_str_eq(it_str(r, "model_id"), f.model);
	cr_assert_str_eq(it_str(r, "model_version"), "1");
	cr_assert_str_eq(it_str(r, "status"), "active");
	fx_json(r, "parameters", "{\"horizon\":7}");
	fx_json(r, "metadata", "{\"team\":\"ops\"}");
	fx_json(r, "updated_services", "[]");
	cr_assert_eq(strlen(it_str(r, "created_at")), 24);
	cr_assert_eq(it_str(r, "created_at")[23], 'Z');
	cr_assert_str_eq(it_str(r, "created_by"), "tester");
	fx_json(r, "archived_at", "null");
	snprintf(etag, sizeof(etag), "\"%s\"", it_str(r, "id"));
	cr_assert_str_eq(it_header(r, "etag"), etag);
	cr_assert_str_eq(it_header(r, "cache-control"), "no-store");
	it_free(r);
}

Test(assignments, omitted_parameters_and_metadata_are_empty_objects)
{
	struct fx	 f;
	struct it_resp	*r;

	fx_make(&f);
	r = fx_upsert(&f, "fare", "3", NULL);
	cr_assert_eq(r->status, 200, "%s", r->body);
	fx_json(r, "parameters", "{}");
	fx_json(r, "metadata", "{}");
	it_free(r);
}

Test(assignments, numbers_beyond_64_bits_keep_their_digits)
{
	struct fx	 f;
	struct it_resp	*r;
	char		 path[800];
	int		 i;

	fx_make(&f);
	r = fx_upsert(&f, "big", "3", "\"parameters\":{\"p\":"
	    "99999999999999999999},\"metadata\":{\"n\":"
	    "-9223372036854775809}");
	cr_assert_eq(r->status, 200, "%s", r->body);
	snprintf(path, sizeof(path), "%s/big", f.assignments);
	for (i = 0; i < 2; i++) {
		cr_assert(strstr(r->body, "\"p\":99999999999999999999") !=
		    NULL, "%s", r->body);
		cr_assert(strstr(r->body, "\"n\":-9223372036854775809") !=
		    NULL, "%s", r->body);
		it_free(r);
		if (i == 0)
			r = it_get(path);
	}
}

/* --- 400: the field table ---------------------------------------------- */

Test(assignments, reference_example_without_capability_is_400_saying_how)
{
	struct fx	 f;
	struct it_resp	*r;
	char		 body[512];

	fx_make(&f);
	fx_service(&f, "svc-001", "{\"route\":\"r\"}");
	snprintf(body, sizeof(body), "{\"model_id\":\"%s\",\"model_version\":"
	    "\"1\",\"service_updates\":[{\"service_id\":\"svc-001\","
	    "\"static_features\":{\"route\":\"route-a\"}}]}", f.model);
	r = it_send("POST", f.assignments, body);
	it_assert_error(r, 400, "missing_field");
	cr_assert(strstr(it_str(r, "error"), "capability") != NULL);
	cr_assert(strstr(it_str(r, "error"), "PUT") != NULL);
	it_free(r);
	fx_features(&f, "svc-001", "{\"route\":\"r\"}");
}

Test(assignments, keyed_put_needs_no_capability_but_refuses_another)
{
	struct fx	 f;
	struct it_resp	*r;
	char		 path[800], body[512];

	fx_make(&f);
	snprintf(path, sizeof(path), "%s/fare", f.assignments);
	snprintf(body, sizeof(body), "{\"model_id\":\"%s\",\"model_version\":"
	    "\"3\"}", f.model);
	r = it_send("PUT", path, body);
	cr_assert_eq(r->status, 200, "%s", r->body);
	cr_assert_str_eq(it_str(r, "capability"), "fare");
	it_free(r);

	snprintf(body, sizeof(body), "{\"capability\":\"fare\",\"model_id\":"
	    "\"%s\",\"model_version\":\"3\"}", f.model);
	fx_ok(it_send("PUT", path, body));
	snprintf(body, sizeof(body), "{\"capability\":\"other\",\"model_id\":"
	    "\"%s\",\"model_version\":\"3\"}", f.model);
	fx_err_naming(it_send("PUT", path, body), 400, "invalid_value",
	    "capability");
	cr_assert_eq(fx_revision_count(&f, "fare"), 2);
}

Test(assignments, every_member_is_strictly_typed_and_named)
{
	struct fx	 f;
	char		 body[512];

	fx_make(&f);
	fx_err_naming(fx_upsert(&f, "-bad", "1", NULL), 400, "invalid_value",
	    "capability");
	snprintf(body, sizeof(body), "{\"capability\":\"c\","
	    "\"model_version\":\"1\"}");
	fx_err_naming(it_send("POST", f.assignments, body), 400,
	    "missing_field", "model_id");
	snprintf(body, sizeof(body), "{\"capability\":\"c\",\"model_id\":"
	    "\"%s\"}", f.model);
	fx_err_naming(it_send("POST", f.assignments, body), 400,
	    "missing_field", "model_version");
	snprintf(body, sizeof(body), "{\"capability\":\"c\",\"model_id\":"
	    "\"a/b\",\"model_version\":\"1\"}");
	fx_err_naming(it_send("POST", f.assignments, body), 400,
	    "invalid_value", "model_id");
	fx_err_naming(fx_upsert(&f, "c", "1 0", NULL), 400, "invalid_value",
	    "model_version");
	fx_err_naming(fx_upsert(&f, "c", "1", "\"status\":\"paused\""), 400,
	    "invalid_value", "status");
	fx_err_naming(fx_upsert(&f, "c", "1", "\"parameters\":[1]"), 400,
	    "invalid_type", "parameters");
	fx_err_naming(fx_upsert(&f, "c", "1", "\"metadata\":\"x\""), 400,
	    "invalid_type", "metadata");
	fx_err_naming(fx_upsert(&f, "c", "1", "\"service_updates\":{}"), 400,
	    "invalid_type", "service_updates");
	fx_err_naming(fx_upsert(&f, "c", "1", "\"colour\":\"red\""), 400,
	    "unknown_field", "colour");
	cr_assert_eq(fx_revision_count(&f, "c"), 0);
}

Test(assignments, parameters_over_16_kib_are_400)
{
	struct fx	 f;
	char		*extra;
	char		 pad[16400];

	fx_make(&f);
	memset(pad, 'x', sizeof(pad) - 1);
	pad[sizeof(pad) - 1] = '\0';
	cr_assert(asprintf(&extra, "\"parameters\":{\"k\":\"%s\"}", pad) > 0);
	fx_err_naming(fx_upsert(&f, "c", "3", extra), 400, "too_large",
	    "parameters");
	free(extra);
}

Test(assignments, service_update_errors_name_the_item_path)
{
	struct fx	 f;

	fx_make(&f);
	fx_err_naming(fx_upsert(&f, "c", "1", "\"service_updates\":["
	    "{\"service_id\":\"a\",\"static_features\":{}},"
	    "{\"service_id\":\"b\",\"static_features\":{}},"
	    "{\"service_id\":\"c\",\"static_features\":{\"route\":{}}}]"),
	    400, "invalid_type", "service_updates[2].static_features.route");
	fx_err_naming(fx_upsert(&f, "c", "1", "\"service_updates\":["
	    "{\"service_id\":\"a\",\"static_features\":{}},"
	    "{\"service_id\":\"a\",\"static_features\":{}}]"),
	    400, "invalid_value", "service_updates[1].service_id");
	fx_err_naming(fx_upsert(&f, "c", "1", "\"service_updates\":["
	    "{\"service_id\":\"a\",\"static_features\":{},\"x\":1}]"),
	    400, "unknown_field", "service_updates[0].x");
	fx_err_naming(fx_upsert(&f, "c", "1", "\"service_updates\":["
	    "{\"static_features\":{}}]"), 400, "missing_field",
	    "service_updates[0].service_id");
}

Test(assignments, service_updates_on_a_service_scope_route_are_400)
{
	struct fx	 f;

	fx_make(&f);
	fx_service(&f, "s1", "{\"route\":\"r\"}");
	fx_err_naming(fx_upsert_service(&f, "s1", "c", "1",
	    "\"service_updates\":[]"), 400, "unknown_field",
	    "service_updates");
}

Test(assignments, more_than_1000_service_updates_are_400)
{
	struct fx	 f;
	char		*extra, *p;
	size_t		 i, len = 64 + 1001 * 64;

	fx_make(&f);
	extra = p = malloc(len);
	cr_assert_not_null(extra);
	p += sprintf(p, "\"service_updates\":[");
	for (i = 0; i < 1001; i++)
		p += sprintf(p, "%s{\"service_id\":\"s%zu\","
		    "\"static_features\":{}}", i > 0 ? "," : "", i);
	sprintf(p, "]");
	{
		struct it_resp	*r;
		char		*body;

		cr_assert(asprintf(&body, "{\"capability\":\"c\",\"model_id\":"
		    "\"%s\",\"model_version\":\"1\",%s}", f.model, extra) > 0);
		r = it_send("POST", f.assignments, body);
		fx_err_naming(r, 400, "too_large", "service_updates");
		free(body);
	}
	free(extra);
}

Test(assignments, bodies_that_are_not_json_objects_are_refused)
{
	static const char *const text[] = { "Content-Type: text/plain",
	    NULL };
	struct fx	 f;

	fx_make(&f);
	fx_err(it_call("POST", f.assignments, it_admin_token(), "{}", text),
	    415, "unsupported_media_type");
	fx_err(it_send("POST", f.assignments, "[1]"), 400, NULL);
	fx_err(it_send("POST", f.assignments, "{\"a\":1,\"a\":2}"), 400,
	    NULL);
	fx_err(it_send("POST", f.assignments, "{"), 400, "invalid_json");
}

Test(assignments, unknown_query_parameters_and_bad_dry_run_are_400)
{
	struct fx	 f;
	char		 path[800], body[256];

	fx_make(&f);
	snprintf(body, sizeof(body), "{\"capability\":\"c\",\"model_id\":"
	    "\"%s\",\"model_version\":\"3\"}", f.model);
	snprintf(path, sizeof(path), "%s?dry_run=maybe", f.assignments);
	fx_err(it_send("POST", path, body), 400, "invalid_parameter");
	snprintf(path, sizeof(path), "%s?force=1", f.assignments);
	fx_err(it_send("POST", path, body), 400, NULL);
	cr_assert_eq(fx_revision_count(&f, "c"), 0);
}

/* --- 401, 403, 404 ---------------------------------------------------- */

Test(assignments, no_token_is_401_and_wrong_scope_or_client_is_403)
{
	struct fx	 f;
	char		*read_only, *foreign, *writer, body[256];
	static const char *const json[] = {
	    "Content-Type: application/json", NULL };

	fx_make(&f);
	snprintf(body, sizeof(body), "{\"capability\":\"c\",\"model_id\":"
	    "\"%s\",\"model_version\":\"3\"}", f.model);
	read_only = it_token("-S 'assignments:read' -C '*' -e 600");
	foreign = it_token("-S 'assignments:read assignments:write' "
	    "-C someone-else -e 600");
	writer = it_token("-S 'assignments:write' -C '*' -e 600");

	fx_err(it_call("POST", f.assignments, NULL, body, json), 401,
	    "missing_token");
	fx_err(it_call("POST", f.assignments, read_only, body, json), 403,
	    "insufficient_scope");
	fx_err(it_call("POST", f.assignments, foreign, body, json), 403,
	    "forbidden_client");
	fx_err(it_call("GET", f.assignments, writer, NULL, NULL), 403,
	    "insufficient_scope");
	fx_err(it_call("GET", f.assignments, foreign, NULL, NULL), 403,
	    "forbidden_client");
	fx_ok(it_call("GET", f.assignments, read_only, NULL, NULL));
	fx_ok(it_call("POST", f.assignments, writer, body, json));
	free(read_only);
	free(foreign);
	free(writer);
}

Test(assignments, missing_client_domain_or_service_is_404)
{
	struct fx	 f;
	char		 path[800], body[256];

	fx_make(&f);
	snprintf(body, sizeof(body), "{\"capability\":\"c\",\"model_id\":"
	    "\"%s\",\"model_version\":\"3\"}", f.model);
	snprintf(path, sizeof(path), "/v2/clients/%s/domains/%s/assignments",
	    it_unique("nc"), f.domain);
	fx_err_naming(it_send("POST", path, body), 404, "not_found",
	    "client");
	fx_err_naming(it_get(path), 404, "not_found", "client");
	snprintf(path, sizeof(path), "/v2/clients/%s/domains/nd/assignments",
	    f.client);
	fx_err_naming(it_send("POST", path, body), 404, "not_found",
	    "domain");
	fx_err_naming(it_get(path), 404, "not_found", "domain");
	snprintf(path, sizeof(path), "%s/assignments",
	    fx_service_path(&f, "nosuch"));
	fx_err_naming(it_send("POST", path, body), 404, "not_found",
	    "service");
	fx_err_naming(it_get(path), 404, "not_found", "service");
	snprintf(path, sizeof(path), "%s/effective-assignments",
	    fx_service_path(&f, "nosuch"));
	fx_err_naming(it_get(path), 404, "not_found", "service");
}

Test(assignments, never_assigned_key_is_404_for_one_and_revisions)
{
	struct fx	 f;
	char		 path[800];

	fx_make(&f);
	snprintf(path, sizeof(path), "%s/never", f.assignments);
	fx_err(it_get(path), 404, "not_found");
	snprintf(path, sizeof(path), "%s/never/revisions", f.assignments);
	fx_err(it_get(path), 404, "not_found");
}

/* --- 422 --------------------------------------------------------------- */

Test(assignments, unknown_model_or_version_is_422_unknown_model_version)
{
	struct fx	 f;
	char		 body[256];

	fx_make(&f);
	fx_err_naming(fx_upsert(&f, "c", "9", NULL), 422,
	    "unknown_model_version", "9");
	snprintf(body, sizeof(body), "{\"capability\":\"c\",\"model_id\":"
	    "\"%s\",\"model_version\":\"1\"}", it_unique("nomodel"));
	fx_err(it_send("POST", f.assignments, body), 422,
	    "unknown_model_version");
	cr_assert_eq(fx_revision_count(&f, "c"), 0);
}

Test(assignments, unknown_or_departed_service_updates_are_422)
{
	struct fx	 f;

	fx_make(&f);
	fx_service(&f, "s1", "{\"route\":\"r\"}");
	fx_put(fx_service_path(&f, "gone"), "{\"status\":\"departed\","
	    "\"provided_features\":{}}");
	fx_err_naming(fx_upsert(&f, "c", "1", "\"service_updates\":["
	    "{\"service_id\":\"s1\",\"static_features\":{\"route\":\"x\"}},"
	    "{\"service_id\":\"ghost\",\"static_features\":{}}]"), 422,
	    "unknown_service", "service_updates[1].service_id: ghost");
	fx_err_naming(fx_upsert(&f, "c", "1", "\"service_updates\":["
	    "{\"service_id\":\"gone\",\"static_features\":{}}]"), 422,
	    "service_departed", "service_updates[0].service_id: service gone");
	fx_err(fx_upsert_service(&f, "gone", "c", "3", NULL), 422,
	    "service_departed");
	fx_features(&f, "s1", "{\"route\":\"r\"}");
	cr_assert_eq(fx_revision_count(&f, "c"), 0);
}

Test(assignments, blocked_upsert_is_422_with_sorted_entries)
{
	struct fx	 f;
	struct it_resp	*r;

	fx_make(&f);
	fx_service(&f, "s-b", "{\"route\":\"r\",\"cabin_category\":\"first\","
	    "\"capacity\":2.5}");
	fx_service(&f, "s-a", "{\"cabin_category\":\"economy\","
	    "\"capacity\":9000}");
	fx_service(&f, "s-c", "{\"route\":\"r\",\"cabin_category\":"
	    "\"business\"}");
	fx_service(&f, "s-d", "{\"route\":7,\"cabin_category\":\"economy\"}");

	r = fx_upsert(&f, "c", "2", NULL);
	it_assert_error(r, 422, "assignment_blocked");
	cr_assert_str_eq(it_str(r, "error"), "cannot assign model version 2: "
	    "3 service(s) have incompatible provided_features");
	fx_json(r, "blocking_services", "["
	    "{\"service_id\":\"s-a\",\"feature\":\"capacity\",\"value\":9000,"
	    "\"reason\":\"out_of_range\"},"
	    "{\"service_id\":\"s-a\",\"feature\":\"route\",\"value\":null,"
	    "\"reason\":\"missing\"},"
	    "{\"service_id\":\"s-b\",\"feature\":\"cabin_category\","
	    "\"value\":\"first\",\"reason\":\"not_allowed\"},"
	    "{\"service_id\":\"s-b\",\"feature\":\"capacity\",\"value\":2.5,"
	    "\"reason\":\"wrong_type\"},"
	    "{\"service_id\":\"s-d\",\"feature\":\"route\",\"value\":7,"
	    "\"reason\":\"wrong_type\"}]");
	cr_assert_eq(it_int(r, "blocking_services_total"), 5);
	it_free(r);
}

/* Asserts entries a then b are in (service_id, feature) byte order. */
static void
fx_assert_ordered(struct json_object *a, struct json_object *b)
{
	struct json_object	*sa, *sb, *fa, *fb;
	int			 c;

	json_object_object_get_ex(a, "service_id", &sa);
	json_object_object_get_ex(b, "service_id", &sb);
	json_object_object_get_ex(a, "feature", &fa);
	json_object_object_get_ex(b, "feature", &fb);
	c = strcmp(json_object_get_string(sa), json_object_get_string(sb));
	if (c == 0)
		c = strcmp(json_object_get_string(fa),
		    json_object_get_string(fb));
	cr_assert(c < 0, "%s/%s listed before %s/%s",
	    json_object_get_string(sa), json_object_get_string(fa),
	    json_object_get_string(sb), json_object_get_string(fb));
}

Test(assignments, blocked_report_lists_1000_entries_and_the_full_total)
{
	struct fx		 f;
	struct it_resp		*r;
	struct json_object	*list;
	char			 path[800], name[16], *freeze, *p;
	size_t			 i;

	/* Version 4: 100 mandatory features; 11 bare services miss all. */
	fx_make(&f);
	freeze = p = malloc(100 * 64 + 64);
	cr_assert_not_null(freeze);
	p += sprintf(p, "{\"freeze\":{\"features\":[");
	for (i = 0; i < 100; i++)
		p += sprintf(p, "%s{\"name\":\"f%03zu\",\"type\":\"string\","
		    "\"mandatory\":true}", i > 0 ? "," : "", i);
	sprintf(p, "]}}");
	snprintf(path, sizeof(path), "/v2/models/%s/versions/4", f.model);
	fx_put(path, freeze);
	free(freeze);
	for (i = 0; i < 11; i++) {
		snprintf(name, sizeof(name), "s%02zu", 10 - i);
		fx_service(&f, name, "{}");
	}

	r = fx_upsert(&f, "c", "4", NULL);
	it_assert_error(r, 422, "assignment_blocked");
	cr_assert_str_eq(it_str(r, "error"), "cannot assign model version 4: "
	    "11 service(s) have incompatible provided_features");
	cr_assert_eq(it_int(r, "blocking_services_total"), 1100);
	list = it_obj(r, "blocking_services");
	cr_assert_eq(json_object_array_length(list), 1000);
	for (i = 1; i < 1000; i++)
		fx_assert_ordered(json_object_array_get_idx(list, i - 1),
		    json_object_array_get_idx(list, i));
	cr_assert_str_eq(it_str(r, "blocking_services.0.service_id"), "s00");
	cr_assert_str_eq(it_str(r, "blocking_services.0.feature"), "f000");
	cr_assert_str_eq(it_str(r, "blocking_services.999.service_id"),
	    "s09");
	fx_json(r, "blocking_services.0.value", "null");
	cr_assert_str_eq(it_str(r, "blocking_services.0.reason"), "missing");
	it_free(r);
}

Test(assignments, blocked_upsert_changes_no_service_and_no_revision)
{
	struct fx	 f;

	fx_make(&f);
	fx_service(&f, "s1", "{\"route\":\"r\"}");
	fx_service(&f, "s2", "{\"route\":\"r\"}");
	fx_ok(fx_upsert(&f, "c", "1", NULL));

	/* s1 is cured, s2 is not: nothing at all may change. */
	fx_err(fx_upsert(&f, "c", "2", "\"service_updates\":["
	    "{\"service_id\":\"s1\",\"static_features\":"
	    "{\"cabin_category\":\"economy\"}}]"), 422, "assignment_blocked");
	fx_features(&f, "s1", "{\"route\":\"r\"}");
	cr_assert_eq(fx_revision_count(&f, "c"), 1);
}

Test(assignments, blocked_by_another_capability_names_the_target_version)
{
	struct fx	 f;
	struct it_resp	*r;

	/* s1 fits version 2 of "fare"; the patch for "eta" breaks that. */
	fx_make(&f);
	fx_service(&f, "s1", "{\"route\":\"r\",\"cabin_category\":"
	    "\"economy\"}");
	fx_ok(fx_upsert(&f, "fare", "2", NULL));
	r = fx_upsert(&f, "eta", "3", "\"service_updates\":[{\"service_id\":"
	    "\"s1\",\"static_features\":{\"cabin_category\":null}}]");
	it_assert_error(r, 422, "assignment_blocked");
	cr_assert_str_eq(it_str(r, "error"), "cannot assign model version 3: "
	    "1 service(s) have incompatible provided_features");
	fx_json(r, "blocking_services", "[{\"service_id\":\"s1\","
	    "\"feature\":\"cabin_category\",\"value\":null,"
	    "\"reason\":\"missing\"}]");
	it_free(r);
	cr_assert_eq(fx_revision_count(&f, "eta"), 0);
}

Test(assignments, exactly_1000_service_updates_reach_the_services)
{
	struct fx	 f;
	struct it_resp	*r;
	char		*body, *p;
	size_t		 i;

	/* None of them exists: the refusal names the first, not the size. */
	fx_make(&f);
	body = p = malloc(256 + 1000 * 64);
	cr_assert_not_null(body);
	p += sprintf(p, "{\"capability\":\"c\",\"model_id\":\"%s\","
	    "\"model_version\":\"3\",\"service_updates\":[", f.model);
	for (i = 0; i < 1000; i++)
		p += sprintf(p, "%s{\"service_id\":\"s%04zu\","
		    "\"static_features\":{\"n\":%zu}}", i > 0 ? "," : "", i,
		    i);
	sprintf(p, "]}");
	r = it_send("POST", f.assignments, body);
	fx_err_naming(r, 422, "unknown_service", "s0000");
	free(body);
}

Test(assignments, patches_that_cure_every_blocker_make_it_succeed)
{
	struct fx	 f;
	struct it_resp	*r;
	const char	*cure = "\"service_updates\":["
	    "{\"service_id\":\"s2\",\"static_features\":{\"cabin_category\":"
	    "\"business\",\"capacity\":null}},"
	    "{\"service_id\":\"s1\",\"static_features\":{\"cabin_category\":"
	    "\"economy\"}}]";

	fx_make(&f);
	fx_service(&f, "s1", "{\"route\":\"r\"}");
	fx_service(&f, "s2", "{\"route\":\"r\",\"capacity\":0}");
	r = fx_upsert(&f, "c", "2", NULL);
	it_assert_error(r, 422, "assignment_blocked");
	cr_assert_eq(it_int(r, "blocking_services_total"), 3);
	it_free(r);

	r = fx_upsert(&f, "c", "2", cure);
	cr_assert_eq(r->status, 200, "%s", r->body);
	fx_json(r, "updated_services", "[\"s2\",\"s1\"]");
	it_free(r);
	fx_features(&f, "s1", "{\"cabin_category\":"
	    "\"economy\",\"route\":\"r\"}");
	fx_features(&f, "s2", "{\"cabin_category\":"
	    "\"business\",\"route\":\"r\"}");
}

Test(assignments, patched_service_must_fit_the_target_even_when_archived)
{
	struct fx	 f;

	fx_make(&f);
	fx_service(&f, "s1", "{\"route\":\"r\"}");
	fx_err(fx_upsert(&f, "c", "1", "\"status\":\"archived\","
	    "\"service_updates\":[{\"service_id\":\"s1\","
	    "\"static_features\":{\"route\":null}}]"), 422,
	    "assignment_blocked");
	fx_features(&f, "s1", "{\"route\":\"r\"}");
}

Test(assignments, service_override_does_not_block_the_domain_default)
{
	struct fx	 f;
	struct it_resp	*r;

	fx_make(&f);
	fx_service(&f, "s1", "{\"route\":\"r\",\"cabin_category\":"
	    "\"economy\"}");
	fx_service(&f, "s2", "{}");
	fx_err(fx_upsert(&f, "c", "2", NULL), 422, "assignment_blocked");

	r = fx_upsert_service(&f, "s2", "c", "3", NULL);
	cr_assert_eq(r->status, 200, "%s", r->body);
	cr_assert_str_eq(it_str(r, "service_id"), "s2");
	it_free(r);
	fx_ok(fx_upsert(&f, "c", "2", NULL));
}

Test(assignments, service_scope_upsert_checks_its_one_service)
{
	struct fx	 f;
	struct it_resp	*r;

	fx_make(&f);
	fx_service(&f, "s1", "{\"route\":\"r\"}");
	fx_service(&f, "s2", "{}");
	r = fx_upsert_service(&f, "s1", "c", "2", NULL);
	it_assert_error(r, 422, "assignment_blocked");
	cr_assert_eq(it_int(r, "blocking_services_total"), 1);
	cr_assert_str_eq(it_str(r, "blocking_services.0.service_id"), "s1");
	it_free(r);
	fx_ok(fx_upsert_service(&f, "s1", "c", "1", NULL));
}

Test(assignments, revisions_count_up_and_exactly_one_stays_active)
{
	struct fx	 f;
	struct it_resp	*r;
	struct json_object *items, *it;
	size_t		 i, n, active = 0;

	fx_make(&f);
	for (i = 0; i < 4; i++)
		fx_ok(fx_upsert(&f, "c", i % 2 ? "1" : "3", NULL));
	fx_service(&f, "s1", "{\"route\":\"r\"}");
	fx_ok(fx_upsert(&f, "c", "1", NULL));

	r = fx_revisions(&f, "c");
	cr_assert_eq(r->status, 200, "%s", r->body);
	items = it_obj(r, "items");
	n = json_object_array_length(items);
	cr_assert_eq(n, 5);
	for (i = 0; i < n; i++) {
		struct json_object *v;

		it = json_object_array_get_idx(items, i);
		json_object_object_get_ex(it, "revision", &v);
		cr_assert_eq(json_object_get_int(v), (int)(5 - i));
		json_object_object_get_ex(it, "status", &v);
		if (strcmp(json_object_get_string(v), "active") == 0)
			active++;
		json_object_object_get_ex(it, "archived_at", &v);
		cr_assert_eq(v == NULL, i == 0, "archived_at of revision %zu",
		    5 - i);
	}
	cr_assert_eq(active, 1);
	cr_assert_str_eq(it_str(r, "items.0.status"), "active");
	it_free(r);
}

Test(assignments, archived_then_active_again)
{
	struct fx	 f;
	struct it_resp	*r;
	char		 path[800];

	fx_make(&f);
	fx_service(&f, "s1", "{\"route\":\"r\"}");
	fx_ok(fx_upsert(&f, "c", "1", NULL));
	r = fx_upsert(&f, "c", "1", "\"status\":\"archived\"");
	cr_assert_eq(r->status, 200, "%s", r->body);
	cr_assert_str_eq(it_str(r, "status"), "archived");
	cr_assert_eq(it_int(r, "revision"), 2);
	cr_assert_str_eq(it_str(r, "archived_at"), it_str(r, "created_at"));
	it_free(r);

	snprintf(path, sizeof(path), "%s/effective-assignments",
	    fx_service_path(&f, "s1"));
	r = it_get(path);
	cr_assert_eq(r->status, 200, "%s", r->body);
	fx_json(r, "items", "[]");
	it_free(r);

	/* Archived: even an incompatible domain accepts the retirement. */
	fx_service(&f, "s2", "{}");
	fx_ok(fx_upsert(&f, "c", "2", "\"status\":\"archived\""));
	r = fx_upsert(&f, "c", "3", NULL);
	cr_assert_eq(r->status, 200, "%s", r->body);
	cr_assert_eq(it_int(r, "revision"), 4);
	cr_assert_str_eq(it_str(r, "status"), "active");
	it_free(r);
	r = it_get(path);
	cr_assert_str_eq(it_str(r, "items.0.assignment.model_version"), "3");
	it_free(r);
}

Test(assignments, archiving_a_service_override_checks_the_domain_default)
{
	struct fx	 f;
	struct it_resp	*r;

	fx_make(&f);
	fx_service(&f, "s1", "{}");
	fx_ok(fx_upsert_service(&f, "s1", "c", "3", NULL));
	fx_ok(fx_upsert(&f, "c", "1", NULL));

	/*
	 * Handing s1 back to version 1 would break it, and the message
	 * names version 1, whose freeze s1 fails.
	 */
	r = fx_upsert_service(&f, "s1", "c", "3", "\"status\":\"archived\"");
	it_assert_error(r, 422, "assignment_blocked");
	cr_assert_str_eq(it_str(r, "blocking_services.0.feature"), "route");
	cr_assert_str_eq(it_str(r, "error"), "cannot assign model version 1: "
	    "1 service(s) have incompatible provided_features");
	it_free(r);

	fx_put(fx_service_path(&f, "s1"), "{\"status\":\"scheduled\","
	    "\"provided_features\":{\"route\":\"r\"}}");
	fx_ok(fx_upsert_service(&f, "s1", "c", "3", "\"status\":"
	    "\"archived\""));
}

Test(assignments, dry_run_writes_nothing)
{
	struct fx	 f;
	struct it_resp	*r;
	char		 path[800], body[512], etag[64];

	fx_make(&f);
	fx_service(&f, "s1", "{\"route\":\"r\"}");
	fx_ok(fx_upsert(&f, "c", "1", NULL));
	snprintf(path, sizeof(path), "%s/c", f.assignments);
	r = it_get(path);
	snprintf(etag, sizeof(etag), "%s", it_header(r, "etag"));
	it_free(r);

	snprintf(path, sizeof(path), "%s?dry_run=true", f.assignments);
	snprintf(body, sizeof(body), "{\"capability\":\"c\",\"model_id\":"
	    "\"%s\",\"model_version\":\"2\",\"service_updates\":[{"
	    "\"service_id\":\"s1\",\"static_features\":{\"cabin_category\":"
	    "\"economy\"}}]}", f.model);
	r = it_send("POST", path, body);
	cr_assert_eq(r->status, 200, "%s", r->body);
	cr_assert_eq(it_int(r, "revision"), 2);
	cr_assert_str_eq(it_str(r, "model_version"), "2");
	fx_json(r, "updated_services", "[\"s1\"]");
	it_free(r);

	/* A dry run of a new key leaves no trace either. */
	snprintf(body, sizeof(body), "{\"capability\":\"fresh\",\"model_id\":"
	    "\"%s\",\"model_version\":\"3\"}", f.model);
	fx_ok(it_send("POST", path, body));

	fx_features(&f, "s1", "{\"route\":\"r\"}");
	cr_assert_eq(fx_revision_count(&f, "c"), 1);
	cr_assert_eq(fx_revision_count(&f, "fresh"), 0);
	snprintf(path, sizeof(path), "%s/c", f.assignments);
	r = it_get(path);
	cr_assert_str_eq(it_header(r, "etag"), etag);
	cr_assert_str_eq(it_str(r, "model_version"), "1");
	it_free(r);
}

Test(assignments, dry_run_reports_blockers_like_the_real_thing)
{
	struct fx	 f;
	char		 path[800], body[256];

	fx_make(&f);
	fx_service(&f, "s1", "{}");
	snprintf(path, sizeof(path), "%s?dry_run=1", f.assignments);
	snprintf(body, sizeof(body), "{\"capability\":\"c\",\"model_id\":"
	    "\"%s\",\"model_version\":\"1\"}", f.model);
	fx_err(it_send("POST", path, body), 422, "assignment_blocked");
}

/* --- ETag and If-Match -------------------------------------------------- */

Test(assignments, stale_if_match_is_412_and_fresh_one_succeeds)
{
	struct fx	 f;
	struct it_resp	*r;
	char		 path[800], body[256], old[64], fresh[80];
	const char	*hdr[3] = { "Content-Type: application/json", NULL,
	    NULL };

	fx_make(&f);
	snprintf(path, sizeof(path), "%s/c", f.assignments);
	snprintf(body, sizeof(body), "{\"model_id\":\"%s\","
	    "\"model_version\":\"3\"}", f.model);
	r = it_send("PUT", path, body);
	snprintf(old, sizeof(old), "If-Match: %s", it_header(r, "etag"));
	it_free(r);
	fx_ok(it_send("PUT", path, body));

	hdr[1] = old;
	fx_err(it_call("PUT", path, it_admin_token(), body, hdr), 412,
	    "precondition_failed");
	cr_assert_eq(fx_revision_count(&f, "c"), 2);

	r = it_get(path);
	cr_assert_eq(r->status, 200);
	snprintf(fresh, sizeof(fresh), "If-Match: %s", it_header(r, "etag"));
	cr_assert_eq(it_int(r, "revision"), 2);
	it_free(r);
	hdr[1] = fresh;
	r = it_call("PUT", path, it_admin_token(), body, hdr);
	cr_assert_eq(r->status, 200, "%s", r->body);
	cr_assert_eq(it_int(r, "revision"), 3);
	it_free(r);
}

Test(assignments, if_match_on_a_never_assigned_key_is_412)
{
	struct fx	 f;
	char		 path[800], body[256];
	const char	*hdr[] = { "Content-Type: application/json",
	    "If-Match: \"01900000-0000-7000-8000-000000000000\"", NULL };

	fx_make(&f);
	snprintf(path, sizeof(path), "%s/c", f.assignments);
	snprintf(body, sizeof(body), "{\"model_id\":\"%s\","
	    "\"model_version\":\"3\"}", f.model);
	fx_err(it_call("PUT", path, it_admin_token(), body, hdr), 412,
	    "precondition_failed");
	cr_assert_eq(fx_revision_count(&f, "c"), 0);
}

Test(assignments, service_scope_keyed_reads_and_puts_carry_etags)
{
	struct fx	 f;
	struct it_resp	*r;
	char		 path[800], body[256], tag[80], etag[64];
	const char	*hdr[] = { "Content-Type: application/json", tag,
	    NULL };

	fx_make(&f);
	fx_service(&f, "s1", "{}");
	snprintf(path, sizeof(path), "%s/assignments/c",
	    fx_service_path(&f, "s1"));
	snprintf(body, sizeof(body), "{\"model_id\":\"%s\","
	    "\"model_version\":\"3\"}", f.model);
	r = it_send("PUT", path, body);
	cr_assert_eq(r->status, 200, "%s", r->body);
	snprintf(etag, sizeof(etag), "%s", it_header(r, "etag"));
	it_free(r);
	r = it_get(path);
	cr_assert_str_eq(it_header(r, "etag"), etag);
	cr_assert_str_eq(it_str(r, "service_id"), "s1");
	it_free(r);
	snprintf(tag, sizeof(tag), "If-Match: %s", etag);
	fx_ok(it_call("PUT", path, it_admin_token(), body, hdr));
	fx_err(it_call("PUT", path, it_admin_token(), body, hdr), 412,
	    "precondition_failed");
}

/* PUTs body to path with the header line hdr; returns the answer. */
static struct it_resp *
fx_put_if(const char *path, const char *body, const char *hdr)
{
	const char      *h[] = { "Content-Type: application/json", hdr, NULL };

	return it_call("PUT", path, it_admin_token(), body, h);
}

Test(assignments, if_match_compares_strongly_and_takes_lists_and_bare_ids)
{
	struct fx	 f;
	struct it_resp	*r;
	char		 path[800], body[256], id[64], h[200];

	fx_make(&f);
	snprintf(path, sizeof(path), "%s/c", f.assignments);
	snprintf(body, sizeof(body), "{\"model_id\":\"%s\","
	    "\"model_version\":\"3\"}", f.model);
	r = it_send("PUT", path, body);
	cr_assert_eq(r->status, 200, "%s", r->body);
	snprintf(id, sizeof(id), "%s", it_str(r, "id"));
	it_free(r);

	/* A weak tag never matches: If-Match compares strongly. */
	snprintf(h, sizeof(h), "If-Match: W/\"%s\"", id);
	fx_err(fx_put_if(path, body, h), 412, "precondition_failed");
	snprintf(h, sizeof(h), "If-Match: \"old\", \"%s\"", id);
	r = fx_put_if(path, body, h);
	cr_assert_eq(r->status, 200, "%s", r->body);
	snprintf(id, sizeof(id), "%s", it_str(r, "id"));
	it_free(r);

	/* The id of a body, sent without quotes, is that revision's tag. */
	snprintf(h, sizeof(h), "If-Match: %s", id);
	fx_ok(fx_put_if(path, body, h));
	fx_err(fx_put_if(path, body, h), 412, "precondition_failed");
	fx_err(fx_put_if(path, body, "If-Match: \"unterminated"), 400,
	    "invalid_header");
	cr_assert_eq(fx_revision_count(&f, "c"), 3);
}

Test(assignments, post_upserts_honour_if_match_too)
{
	struct fx	 f;
	struct it_resp	*r;
	char		 body[256], stale[80], fresh[80];
	const char	*h[] = { "Content-Type: application/json", stale,
	    NULL };

	fx_make(&f);
	snprintf(body, sizeof(body), "{\"capability\":\"c\",\"model_id\":"
	    "\"%s\",\"model_version\":\"3\"}", f.model);
	r = it_send("POST", f.assignments, body);
	snprintf(stale, sizeof(stale), "If-Match: %s", it_header(r, "etag"));
	it_free(r);
	r = it_send("POST", f.assignments, body);
	snprintf(fresh, sizeof(fresh), "If-Match: %s", it_header(r, "etag"));
	it_free(r);

	fx_err(it_call("POST", f.assignments, it_admin_token(), body, h), 412,
	    "precondition_failed");
	h[1] = fresh;
	fx_ok(it_call("POST", f.assignments, it_admin_token(), body, h));
	cr_assert_eq(fx_revision_count(&f, "c"), 3);
}

/* --- Lists ------------------------------------------------------------- */

Test(assignments, list_shows_latest_of_each_key_filtered_and_paged)
{
	struct fx	 f;
	struct it_resp	*r;
	char		 path[1200], cursor[512];

	fx_make(&f);
	fx_ok(fx_upsert(&f, "a", "3", NULL));
	fx_ok(fx_upsert(&f, "b", "3", NULL));
	fx_ok(fx_upsert(&f, "b", "3", "\"status\":\"archived\""));
	fx_ok(fx_upsert(&f, "c", "3", NULL));
	fx_service(&f, "s1", "{}");
	fx_ok(fx_upsert_service(&f, "s1", "z", "3", NULL));

	r = it_get(f.assignments);
	cr_assert_eq(r->status, 200, "%s", r->body);
	cr_assert_eq(json_object_array_length(it_obj(r, "items")), 3);
	cr_assert_str_eq(it_str(r, "items.1.capability"), "b");
	cr_assert_eq(it_int(r, "items.1.revision"), 2);
	fx_json(r, "next_cursor", "null");
	it_free(r);

	snprintf(path, sizeof(path), "%s?status=archived", f.assignments);
	r = it_get(path);
	cr_assert_eq(json_object_array_length(it_obj(r, "items")), 1);
	cr_assert_str_eq(it_str(r, "items.0.capability"), "b");
	it_free(r);
	snprintf(path, sizeof(path), "%s?model_id=other", f.assignments);
	r = it_get(path);
	fx_json(r, "items", "[]");
	it_free(r);
	snprintf(path, sizeof(path), "%s?status=gone", f.assignments);
	fx_err(it_get(path), 400, "invalid_parameter");

	snprintf(path, sizeof(path), "%s?limit=2", f.assignments);
	r = it_get(path);
	cr_assert_eq(json_object_array_length(it_obj(r, "items")), 2);
	cr_assert_not_null(it_str(r, "next_cursor"));
	snprintf(cursor, sizeof(cursor), "%s", it_str(r, "next_cursor"));
	it_free(r);
	snprintf(path, sizeof(path), "%s?limit=2&cursor=%s", f.assignments,
	    cursor);
	r = it_get(path);
	cr_assert_eq(json_object_array_length(it_obj(r, "items")), 1);
	cr_assert_str_eq(it_str(r, "items.0.capability"), "c");
	fx_json(r, "next_cursor", "null");
	it_free(r);

	snprintf(path, sizeof(path), "%s/assignments",
	    fx_service_path(&f, "s1"));
	r = it_get(path);
	cr_assert_eq(json_object_array_length(it_obj(r, "items")), 1);
	cr_assert_str_eq(it_str(r, "items.0.capability"), "z");
	it_free(r);
}

Test(assignments, revisions_are_paged_newest_first)
{
	struct fx	 f;
	struct it_resp	*r;
	char		 path[1200], cursor[512];
	int		 i;

	fx_make(&f);
	for (i = 0; i < 3; i++)
		fx_ok(fx_upsert(&f, "c", "3", NULL));
	snprintf(path, sizeof(path), "%s/c/revisions?limit=2", f.assignments);
	r = it_get(path);
	cr_assert_eq(it_int(r, "items.0.revision"), 3);
	cr_assert_eq(it_int(r, "items.1.revision"), 2);
	snprintf(cursor, sizeof(cursor), "%s", it_str(r, "next_cursor"));
	it_free(r);
	snprintf(path, sizeof(path), "%s/c/revisions?limit=2&cursor=%s",
	    f.assignments, cursor);
	r = it_get(path);
	cr_assert_eq(json_object_array_length(it_obj(r, "items")), 1);
	cr_assert_eq(it_int(r, "items.0.revision"), 1);
	fx_json(r, "next_cursor", "null");
	it_free(r);
}

Test(assignments, revisions_past_the_last_page_are_empty_unless_404)
{
	struct fx	 f;
	struct it_resp	*r;
	char		 path[1200], cursor[512];

	fx_make(&f);
	fx_ok(fx_upsert(&f, "c", "3", NULL));
	fx_ok(fx_upsert(&f, "c", "3", NULL));
	snprintf(path, sizeof(path), "%s/c/revisions?limit=1", f.assignments);
	r = it_get(path);
	snprintf(cursor, sizeof(cursor), "%s", it_str(r, "next_cursor"));
	it_free(r);

	snprintf(path, sizeof(path), "%s/c/revisions?cursor=%s",
	    f.assignments, cursor);
	r = it_get(path);
	cr_assert_eq(r->status, 200, "%s", r->body);
	cr_assert_eq(it_int(r, "items.0.revision"), 1);
	it_free(r);
	snprintf(path, sizeof(path), "/v2/clients/%s/domains/%s/assignments/"
	    "c/revisions?cursor=%s", it_unique("nc"), f.domain, cursor);
	fx_err_naming(it_get(path), 404, "not_found", "client");
	snprintf(path, sizeof(path), "%s/assignments/c/revisions?cursor=%s",
	    fx_service_path(&f, "nosuch"), cursor);
	fx_err_naming(it_get(path), 404, "not_found", "service");

	/* A cursor does not make a never-assigned key exist. */
	snprintf(path, sizeof(path), "%s/never/revisions?cursor=%s",
	    f.assignments, cursor);
	fx_err_naming(it_get(path), 404, "not_found", "never");
}

/* --- Effective assignments --------------------------------------------- */

Test(assignments, effective_assignments_now_and_in_the_past)
{
	struct fx	 f;
	struct it_resp	*r;
	char		 path[800], at[64], q[1000];

	fx_make(&f);
	fx_service(&f, "s1", "{\"route\":\"r\"}");
	fx_ok(fx_upsert(&f, "b-cap", "1", NULL));
	fx_ok(fx_upsert(&f, "a-cap", "3", NULL));
	usleep(20000);
	snprintf(path, sizeof(path), "%s/effective-assignments",
	    fx_service_path(&f, "s1"));
	r = it_get(path);
	cr_assert_eq(r->status, 200, "%s", r->body);
	snprintf(at, sizeof(at), "%s", it_str(r, "as_of"));
	it_free(r);
	usleep(20000);

	/* Later: b-cap moves to version 3 for s1 only. */
	fx_ok(fx_upsert_service(&f, "s1", "b-cap", "3", NULL));
	r = it_get(path);
	cr_assert_str_eq(it_str(r, "service_id"), "s1");
	cr_assert_eq(json_object_array_length(it_obj(r, "items")), 2);
	cr_assert_str_eq(it_str(r, "items.0.capability"), "a-cap");
	cr_assert_str_eq(it_str(r, "items.0.source"), "domain");
	cr_assert_str_eq(it_str(r, "items.1.capability"), "b-cap");
	cr_assert_str_eq(it_str(r, "items.1.source"), "service");
	cr_assert_str_eq(it_str(r, "items.1.assignment.model_version"), "3");
	it_free(r);

	snprintf(q, sizeof(q), "%s?as_of=%s", path, at);
	r = it_get(q);
	cr_assert_eq(r->status, 200, "%s", r->body);
	cr_assert_str_eq(it_str(r, "as_of"), at);
	cr_assert_str_eq(it_str(r, "items.1.capability"), "b-cap");
	cr_assert_str_eq(it_str(r, "items.1.source"), "domain");
	cr_assert_str_eq(it_str(r, "items.1.assignment.model_version"), "1");
	it_free(r);

	snprintf(q, sizeof(q), "%s?as_of=2000-01-01T00:00:00%%2B01:00", path);
	r = it_get(q);
	cr_assert_eq(r->status, 200, "%s", r->body);
	cr_assert_str_eq(it_str(r, "as_of"), "1999-12-31T23:00:00.000Z");
	fx_json(r, "items", "[]");
	it_free(r);

	snprintf(q, sizeof(q), "%s?as_of=yesterday", path);
	fx_err(it_get(q), 400, "invalid_parameter");
}

Test(assignments, as_of_takes_offsets_even_with_an_unescaped_plus)
{
	struct fx	 f;
	struct it_resp	*r;
	char		 path[800], q[1000];

	fx_make(&f);
	fx_service(&f, "s1", "{}");
	fx_ok(fx_upsert(&f, "c", "3", NULL));
	snprintf(path, sizeof(path), "%s/effective-assignments",
	    fx_service_path(&f, "s1"));

	/* Written the way a shell user types it: "+" is not escaped. */
	snprintf(q, sizeof(q), "%s?as_of=2999-01-01T02:00:00+02:00", path);
	r = it_get(q);
	cr_assert_eq(r->status, 200, "%s", r->body);
	cr_assert_str_eq(it_str(r, "as_of"), "2999-01-01T00:00:00.000Z");
	cr_assert_str_eq(it_str(r, "items.0.capability"), "c");
	it_free(r);
	snprintf(q, sizeof(q), "%s?as_of=2000-01-01T00:00:00-05:30", path);
	r = it_get(q);
	cr_assert_str_eq(it_str(r, "as_of"), "2000-01-01T05:30:00.000Z");
	fx_json(r, "items", "[]");
	it_free(r);
	snprintf(q, sizeof(q), "%s?as_of=2026-12-03T18:26:23", path);
	fx_err_naming(it_get(q), 400, "invalid_parameter", "as_of");
}

/* --- The invariant from the services' side ------------------------------ */

Test(assignments, service_write_that_breaks_an_assignment_is_422)
{
	struct fx	 f;
	struct it_resp	*r;

	fx_make(&f);
	fx_service(&f, "s1", "{\"route\":\"r\",\"cabin_category\":"
	    "\"economy\"}");
	fx_ok(fx_upsert(&f, "c", "2", NULL));
	r = it_send("PATCH", fx_service_path(&f, "s1"),
	    "{\"provided_features\":{\"cabin_category\":\"first\"}}");
	it_assert_error(r, 422, "assignment_blocked");
	cr_assert_str_eq(it_str(r, "blocking_services.0.reason"),
	    "not_allowed");
	it_free(r);
	fx_err(it_send("PUT", fx_service_path(&f, "s2"), "{\"status\":"
	    "\"scheduled\",\"provided_features\":{}}"), 422,
	    "assignment_blocked");
	fx_features(&f, "s1", "{\"cabin_category\":"
	    "\"economy\",\"route\":\"r\"}");
}

/* --- The reference example ----------------------------------------------- */

Test(assignments, reference_example_with_capability_works_on_demo_data)
{
	struct it_resp	*r;
	const char      *base = "/v2/clients/client-1/domains/south_australia";
	char		 path[256];

	snprintf(path, sizeof(path), "%s/services/svc-001", base);
	r = it_get(path);
	if (r->status != 200) {
		it_free(r);
		cr_skip_test("demo data not loaded: no client-1/"
		    "south_australia/svc-001 (scripts/demo-data loads it)");
	}
	it_free(r);
	r = it_get("/v2/models/example-model/versions/2.0.0");
	if (r->status != 200) {
		it_free(r);
		cr_skip_test("demo data not loaded: no example-model 2.0.0");
	}
	it_free(r);

	snprintf(path, sizeof(path), "%s/assignments", base);
	r = it_send("POST", path, "{\"capability\":\"fare_forecast\","
	    "\"model_id\":\"example-model\",\"model_version\":\"2.0.0\","
	    "\"service_updates\":[{\"service_id\":\"svc-001\","
	    "\"static_features\":{\"route\":\"route-a\"}}]}");
	cr_assert_eq(r->status, 200, "%s", r->body);
	cr_assert_str_eq(it_str(r, "status"), "active");
	fx_json(r, "updated_services", "[\"svc-001\"]");
	it_free(r);
}
