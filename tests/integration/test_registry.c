/*
 * test_registry.c: models and their immutable versions through nginx:
 * 201 then 200 on a re-PUT, 409 for a changed freeze, the freeze's
 * validation naming the member at fault, the order of refusals (401,
 * 400 path, 403, 415/400 body, 404), and the lists' pages.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <criterion/criterion.h>
#include <json-c/json.h>

#include "itest.h"

#define FREEZE_A "{\"freeze\": {\"features\": [" \
	"{\"name\": \"route\", \"type\": \"string\", \"mandatory\": true}, " \
	"{\"name\": \"capacity\", \"type\": \"integer\", \"minimum\": 1, " \
	"\"maximum\": 5000}]}}"

/* The same freeze, spelled differently: member order, 1.0, spaces. */
#define FREEZE_A2 "{\"freeze\":{\"features\":[" \
	"{\"type\":\"string\",\"mandatory\":true,\"name\":\"route\"}," \
	"{\"maximum\":5000,\"minimum\":1.0,\"name\":\"capacity\"," \
	"\"type\":\"integer\",\"mandatory\":false}]}}"

#define FREEZE_B "{\"freeze\": {\"features\": [" \
	"{\"name\": \"route\", \"type\": \"string\"}]}}"

/* Asserts that the freeze of the version at path has n features. */
static void
assert_features(const char *path, size_t n)
{
	struct it_resp		*r = it_get(path);
	struct json_object	*f;

	cr_assert_eq(r->status, 200, "%s", r->body);
	f = it_obj(r, "freeze.features");
	cr_assert(f != NULL && json_object_is_type(f, json_type_array),
	    "%s", r->body);
	cr_assert_eq(json_object_array_length(f), n, "%s", r->body);
	it_free(r);
}

Test(registry, model_put_creates_with_201_then_replaces_with_200)
{
	char		 path[256];
	struct it_resp	*r;

	snprintf(path, sizeof(path), "/v2/models/%s", it_unique("m"));
	r = it_send("PUT", path, "{\"description\": \"one\"}");
	cr_assert_eq(r->status, 201, "%s", r->body);
	cr_assert_str_eq(it_str(r, "model_id"), path + strlen("/v2/models/"));
	cr_assert_str_eq(it_str(r, "description"), "one");
	it_free(r);
	it_expect("PUT", path, "{}", 200);
	r = it_get(path);
	cr_assert_eq(r->status, 200, "%s", r->body);
	cr_assert_null(it_obj(r, "description"), "%s", r->body);
	cr_assert_not_null(it_str(r, "updated_at"));
	it_free(r);
}

Test(registry, model_put_refuses_bad_bodies_and_keeps_the_model)
{
	char		 path[256];
	struct it_resp	*r;

	it_new_model(path, sizeof(path));
	r = it_send("PUT", path, "{\"descr\": \"x\"}");
	it_assert_error(r, 400, "unknown_field");
	cr_assert(strstr(it_str(r, "error"), "descr"), "%s", r->body);
	it_free(r);
	r = it_send("PUT", path, "{\"description\": true}");
	it_assert_error(r, 400, "invalid_type");
	it_free(r);
	r = it_call("PUT", path, it_admin_token(), "{}", NULL);
	it_assert_error(r, 415, "unsupported_media_type");
	it_free(r);
	r = it_get(path);
	cr_assert_str_eq(it_str(r, "description"), "a test model");
	it_free(r);
}

Test(registry, writes_need_registry_write_and_reads_registry_read)
{
	char		*ro = it_token("-S 'registry:read' -C '*' -e 600");
	char		*wo = it_token("-S 'services:read tenants:admin' "
	    "-C '*' -e 600");
	char		 path[256], ver[300];
	struct it_resp	*r;

	it_new_model(path, sizeof(path));
	snprintf(ver, sizeof(ver), "%s/versions/1.0.0", path);
	r = it_call("PUT", ver, ro, FREEZE_A, it_json_ct);
	it_assert_error(r, 403, "insufficient_scope");
	it_free(r);
	r = it_call("PUT", path, ro, "{}", it_json_ct);
	it_assert_error(r, 403, "insufficient_scope");
	it_free(r);
	r = it_call("GET", path, wo, NULL, NULL);
	it_assert_error(r, 403, "insufficient_scope");
	it_free(r);
	r = it_call("GET", "/v2/models", NULL, NULL, NULL);
	it_assert_error(r, 401, "missing_token");
	it_free(r);
	r = it_call("GET", path, ro, NULL, NULL);
	cr_assert_eq(r->status, 200, "%s", r->body);
	it_free(r);
	r = it_get(ver);
	it_assert_error(r, 404, "not_found");
	it_free(r);
	free(ro);
	free(wo);
}

Test(registry, version_put_is_201_then_200_for_the_same_freeze)
{
	char		 path[256], ver[300];
	struct it_resp	*r;

	it_new_model(path, sizeof(path));
	snprintf(ver, sizeof(ver), "%s/versions/2.0.0", path);
	r = it_send("PUT", ver, FREEZE_A);
	cr_assert_eq(r->status, 201, "%s", r->body);
	cr_assert_str_eq(it_str(r, "model_version"), "2.0.0");
	cr_assert_str_eq(it_str(r, "freeze.features.1.name"), "capacity");
	cr_assert_eq(it_int(r, "freeze.features.1.minimum"), 1);
	it_free(r);
	it_expect("PUT", ver, FREEZE_A, 200);
	it_expect("PUT", ver, FREEZE_A2, 200);
	assert_features(ver, 2);
}

Test(registry, version_put_of_a_changed_freeze_is_409_and_keeps_it)
{
	char		 path[256], ver[300];
	struct it_resp	*r;

	it_new_model(path, sizeof(path));
	snprintf(ver, sizeof(ver), "%s/versions/3", path);
	it_expect("PUT", ver, FREEZE_A, 201);
	r = it_send("PUT", ver, FREEZE_B);
	it_assert_error(r, 409, "conflict");
	it_free(r);
	assert_features(ver, 2);
}

Test(registry, version_of_a_missing_model_is_404_after_the_body)
{
	char		 path[256];
	struct it_resp	*r;

	snprintf(path, sizeof(path), "/v2/models/%s/versions/1",
	    it_unique("m"));
	r = it_send("PUT", path, FREEZE_A);
	it_assert_error(r, 404, "not_found");
	cr_assert(strstr(it_str(r, "error"), "model"), "%s", r->body);
	it_free(r);
	r = it_send("PUT", path, "{\"freeze\": {}}");
	it_assert_error(r, 400, "missing_field");
	it_free(r);
	r = it_get(path);
	it_assert_error(r, 404, "not_found");
	it_free(r);
	*strrchr(path, '/') = '\0';
	r = it_get(path);
	it_assert_error(r, 404, "not_found");
	it_free(r);
}

Test(registry, version_put_with_a_bad_version_id_is_400)
{
	char		 path[256];
	struct it_resp	*r;

	snprintf(path, sizeof(path), "/v2/models/%s/versions/1.0%%2F0",
	    it_unique("m"));
	r = it_send("PUT", path, FREEZE_A);
	it_assert_error(r, 400, "invalid_parameter");
	cr_assert(strstr(it_str(r, "error"), "model_version"), "%s", r->body);
	it_free(r);
}

/* A freeze that is refused, the code it gets and the path named. */
struct bad_freeze {
	const char	*body;
	const char	*code;
	const char	*names;
};

static const struct bad_freeze bad_freezes[] = {
	{ "{}", "missing_field", "freeze" },
	{ "{\"freeze\": []}", "invalid_type", "freeze" },
	{ "{\"freeze\": {\"features\": []}, \"x\": 1}", "unknown_field",
	    "x" },
	{ "{\"freeze\": {\"features\": [], \"extra\": 1}}", "unknown_field",
	    "extra" },
	{ "{\"freeze\": {\"features\": [{\"name\": \"a\", \"type\": "
	    "\"string\"}, {\"name\": \"b\", \"type\": \"string\"}, "
	    "{\"name\": \"c\", \"type\": \"integer\"}, {\"name\": \"d\", "
	    "\"type\": \"integer\", \"default\": \"many\"}]}}",
	    "invalid_type", "freeze.features[3].default" },
	{ "{\"freeze\": {\"features\": [{\"name\": \"a\", \"type\": "
	    "\"text\"}]}}", "invalid_value", "freeze.features[0].type" },
	{ "{\"freeze\": {\"features\": [{\"name\": \"a\", \"type\": "
	    "\"string\"}, {\"name\": \"a\", \"type\": \"string\"}]}}",
	    "invalid_value", "freeze.features[1]" },
	{ "{\"freeze\": {\"features\": [{\"name\": \"a\", \"type\": "
	    "\"integer\", \"minimum\": 5, \"maximum\": 1}]}}",
	    "invalid_value", "freeze.features[0]" },
	{ "{\"freeze\": {\"features\": [{\"name\": \"a\", \"type\": "
	    "\"string\", \"minimum\": 5}]}}", "invalid_value",
	    "freeze.features[0].minimum" },
	{ "{\"freeze\": {\"features\": [{\"name\": \"a\", \"type\": "
	    "\"string\", \"allowed_values\": [\"x\", 1]}]}}", "invalid_type",
	    "freeze.features[0].allowed_values[1]" },
	{ "{\"freeze\": {\"features\": [{\"name\": \"a\", \"type\": "
	    "\"string\", \"default\": \"z\", \"allowed_values\": [\"x\"]}]}}",
	    "invalid_value", "freeze.features[0].default" },
	{ "{\"freeze\": {\"features\": [{\"name\": \"a\", \"type\": "
	    "\"string\", \"mandatory\": \"yes\"}]}}", "invalid_type",
	    "freeze.features[0].mandatory" },
	{ "{\"freeze\": {\"features\": [{\"type\": \"string\"}]}}",
	    "missing_field", "freeze.features[0].name" },
	{ "{\"freeze\": {\"features\": [{\"name\": \"a\", \"type\": "
	    "\"string\", \"colour\": \"red\"}]}}", "unknown_field",
	    "colour" },
	{ NULL, NULL, NULL }
};

Test(registry, bad_freezes_are_400_naming_the_member_and_store_nothing)
{
	const struct bad_freeze	*b;
	char			 path[256], ver[300];
	struct it_resp		*r;

	it_new_model(path, sizeof(path));
	snprintf(ver, sizeof(ver), "%s/versions/1", path);
	for (b = bad_freezes; b->body != NULL; b++) {
		r = it_send("PUT", ver, b->body);
		it_assert_error(r, 400, b->code);
		cr_assert(strstr(it_str(r, "error"), b->names), "%s: %s",
		    b->body, r->body);
		it_free(r);
	}
	r = it_get(ver);
	it_assert_error(r, 404, "not_found");
	it_free(r);
}

Test(registry, versions_list_walks_five_versions_two_at_a_time)
{
	char		 path[256], ver[300], *ids[8];
	int		 pages, i;
	size_t		 n;

	it_new_model(path, sizeof(path));
	for (i = 5; i >= 1; i--) {
		snprintf(ver, sizeof(ver), "%s/versions/%d.0.0", path, i);
		it_expect("PUT", ver, FREEZE_A, 201);
	}
	snprintf(ver, sizeof(ver), "%s/versions?limit=2", path);
	n = it_walk(ver, 2, "model_version", ids, 8, &pages);
	cr_assert_eq(n, 5);
	cr_assert_eq(pages, 3);
	for (i = 0; i < 5; i++) {
		snprintf(ver, sizeof(ver), "%d.0.0", i + 1);
		cr_assert_str_eq(ids[i], ver);
		free(ids[i]);
	}
}

Test(registry, versions_list_of_a_missing_model_is_404)
{
	char		 path[256];
	struct it_resp	*r;

	snprintf(path, sizeof(path), "/v2/models/%s/versions",
	    it_unique("m"));
	r = it_get(path);
	it_assert_error(r, 404, "not_found");
	it_free(r);
}

Test(registry, models_list_holds_each_model_once_in_order)
{
	char		 mine[5][128], path[256], **ids;
	size_t		 n, i, j, found = 0;

	for (i = 0; i < 5; i++) {
		snprintf(mine[i], sizeof(mine[i]), "%s", it_unique("m"));
		snprintf(path, sizeof(path), "/v2/models/%.127s", mine[i]);
		it_expect("PUT", path, "{}", 201);
	}
	ids = calloc(100000, sizeof(*ids));
	cr_assert_not_null(ids);
	n = it_walk("/v2/models?limit=500", 500, "model_id", ids, 100000,
	    NULL);
	cr_assert_leq(n, 100000);
	for (i = 0; i < n; i++) {
		if (i > 0)
			cr_assert_lt(strcmp(ids[i - 1], ids[i]), 0,
			    "%s before %s", ids[i - 1], ids[i]);
		for (j = 0; j < 5; j++)
			if (strcmp(ids[i], mine[j]) == 0)
				found++;
	}
	cr_assert_eq(found, 5);
	for (i = 0; i < n; i++)
		free(ids[i]);
	free(ids);
}

Test(registry, models_list_refuses_unknown_parameters_and_bad_cursors)
{
	struct it_resp	*r = it_get("/v2/models?sort=desc");

	it_assert_error(r, 400, "unknown_parameter");
	it_free(r);
	r = it_get("/v2/models?cursor=WzFd");
	it_assert_error(r, 400, "invalid_cursor");
	it_free(r);
}
