/*
 * test_services.c: services through nginx: create and replace (201,
 * 200), merge patches, departed being final, writes that would break
 * the invariant refused with 422 assignment_blocked, every refusal in
 * the contract's order, and the list's filter and pages, also while
 * services are added between pages.  A refused write must leave the
 * service as it was, so most refusals are followed by a GET.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <criterion/criterion.h>
#include <json-c/json.h>

#include "itest.h"

/* A new scheduled service in a new domain; its path into buf. */
static void
new_service(char *buf, size_t len, const char *body)
{
	char	 dom[256];

	it_new_domain(dom, sizeof(dom));
	snprintf(buf, len, "%s/services/svc-1", dom);
	it_expect("PUT", buf, body, 201);
}

/* Asserts that GET path shows status and provided_features as want. */
static void
assert_service(const char *path, const char *status, const char *want)
{
	struct it_resp		*r = it_get(path);
	struct json_object	*w = json_tokener_parse(want);

	cr_assert_eq(r->status, 200, "%s", r->body);
	cr_assert_str_eq(it_str(r, "status"), status);
	cr_assert(json_object_equal(it_obj(r, "provided_features"), w),
	    "provided_features %s, expected %s", r->body, want);
	json_object_put(w);
	it_free(r);
}

Test(services, put_creates_with_201_then_replaces_with_200)
{
	char		 dom[256], path[300];
	struct it_resp	*r;

	it_new_domain(dom, sizeof(dom));
	snprintf(path, sizeof(path), "%s/services/svc-1", dom);
	r = it_send("PUT", path, "{\"provided_features\": {\"route\": "
	    "\"route-a\", \"capacity\": 120.0, \"night\": false}}");
	cr_assert_eq(r->status, 201, "%s", r->body);
	cr_assert_str_eq(it_str(r, "service_id"), "svc-1");
	cr_assert_str_eq(it_str(r, "domain_id"), "d1");
	cr_assert_str_eq(it_str(r, "status"), "scheduled");
	cr_assert_eq(it_int(r, "provided_features.capacity"), 120);
	cr_assert_not_null(it_str(r, "client_id"));
	cr_assert_not_null(it_str(r, "created_at"));
	cr_assert_not_null(it_str(r, "updated_at"));
	it_free(r);

	it_expect("PUT", path, "{\"status\": \"scheduled\", "
	    "\"provided_features\": {\"route\": \"route-b\"}}", 200);
	assert_service(path, "scheduled", "{\"route\": \"route-b\"}");
	it_expect("PUT", path, "{}", 200);
	assert_service(path, "scheduled", "{}");
}

/* 1 when the object at path of r's body has a member name that is null. */
static int
has_null(const struct it_resp *r, const char *path, const char *name)
{
	struct json_object	*v = NULL;

	return json_object_object_get_ex(it_obj(r, path), name, &v) &&
	    v == NULL;
}

Test(services, put_keeps_null_features_as_sent)
{
	char		 path[300];
	struct it_resp	*r;

	new_service(path, sizeof(path), "{\"provided_features\": "
	    "{\"b\": null, \"a\": 1}}");
	assert_service(path, "scheduled", "{\"a\": 1, \"b\": null}");
	r = it_get(path);
	cr_assert(has_null(r, "provided_features", "b"), "%s", r->body);
	cr_assert(strstr(r->body, "{\"a\":1,\"b\":null}"), "not in name "
	    "order: %s", r->body);
	it_free(r);

	r = it_send("PUT", path, "{\"provided_features\": {\"c\": null}}");
	cr_assert_eq(r->status, 200, "%s", r->body);
	cr_assert(has_null(r, "provided_features", "c"), "%s", r->body);
	it_free(r);
}

Test(services, an_empty_patch_changes_nothing)
{
	char		 path[300];
	struct it_resp	*r;
	char		 updated[64];

	new_service(path, sizeof(path), "{\"provided_features\": "
	    "{\"a\": 1}}");
	r = it_get(path);
	snprintf(updated, sizeof(updated), "%s", it_str(r, "updated_at"));
	it_free(r);

	r = it_send("PATCH", path, "{}");
	cr_assert_eq(r->status, 200, "%s", r->body);
	cr_assert_str_eq(it_str(r, "updated_at"), updated);
	it_free(r);
	assert_service(path, "scheduled", "{\"a\": 1}");

	it_expect("PATCH", path, "{\"status\": \"departed\"}", 200);
	r = it_send("PATCH", path, "{}");
	it_assert_error(r, 422, "service_departed");
	it_free(r);
}

Test(services, patch_keeps_a_stored_null_it_does_not_name)
{
	char		 path[300];
	struct it_resp	*r;

	new_service(path, sizeof(path), "{\"provided_features\": "
	    "{\"a\": null, \"b\": 1}}");
	r = it_send("PATCH", path, "{\"provided_features\": {\"b\": 2}}");
	cr_assert_eq(r->status, 200, "%s", r->body);
	it_free(r);
	assert_service(path, "scheduled", "{\"a\": null, \"b\": 2}");

	r = it_send("PATCH", path, "{\"provided_features\": {\"a\": null}}");
	cr_assert_eq(r->status, 200, "%s", r->body);
	it_free(r);
	assert_service(path, "scheduled", "{\"b\": 2}");
}

/* A body that is refused, the code it gets and a word of the message. */
struct bad_body {
	const char	*body;
	const char	*code;
	const char	*names;
};

static const struct bad_body bad_puts[] = {
	{ "{\"colour\": 1}", "unknown_field", "colour" },
	{ "{\"status\": \"gone\"}", "invalid_value", "status" },
	{ "{\"status\": 1}", "invalid_type", "status" },
	{ "{\"status\": null}", "invalid_type", "status" },
	{ "{\"provided_features\": []}", "invalid_type",
	    "provided_features" },
	{ "{\"provided_features\": {\"route\": {\"a\": 1}}}", "invalid_type",
	    "provided_features.route" },
	{ "{\"provided_features\": {\"route\": [\"a\"]}}", "invalid_type",
	    "provided_features.route" },
	{ "{\"provided_features\": {\"-route\": \"a\"}}", "invalid_value",
	    "-route" },
	{ "{\"provided_features\": {\"a\": 1e999}}", "invalid_json", "" },
	{ NULL, NULL, NULL }
};

Test(services, put_refuses_bad_bodies_and_keeps_the_service)
{
	const struct bad_body	*b;
	char			 path[300];
	struct it_resp		*r;

	new_service(path, sizeof(path), "{\"provided_features\": "
	    "{\"route\": \"route-a\"}}");
	for (b = bad_puts; b->body != NULL; b++) {
		r = it_send("PUT", path, b->body);
		it_assert_error(r, 400, b->code);
		cr_assert(strstr(it_str(r, "error"), b->names), "%s: %s",
		    b->body, r->body);
		it_free(r);
	}
	assert_service(path, "scheduled", "{\"route\": \"route-a\"}");
}

/* {"provided_features": {"f0": 0, ... "f<n-1>": n-1}} in a new string. */
static char *
many_features(int n)
{
	char	*s = malloc((size_t)n * 24 + 64);
	size_t	 len;
	int	 i;

	cr_assert_not_null(s);
	len = (size_t)sprintf(s, "{\"provided_features\": {");
	for (i = 0; i < n; i++)
		len += (size_t)sprintf(s + len, "%s\"f%d\": %d",
		    i > 0 ? ", " : "", i, i);
	strcpy(s + len, "}}");
	return s;
}

Test(services, put_refuses_more_than_256_features)
{
	char		 path[300], *body;
	struct it_resp	*r;

	new_service(path, sizeof(path), "{}");
	body = many_features(257);
	r = it_send("PUT", path, body);
	it_assert_error(r, 400, "too_large");
	cr_assert(strstr(it_str(r, "error"), "provided_features"), "%s",
	    r->body);
	it_free(r);
	free(body);
	assert_service(path, "scheduled", "{}");

	body = many_features(256);
	it_expect("PUT", path, body, 200);
	free(body);
}

Test(services, put_counts_null_features_against_the_limit)
{
	char		 path[300], *body;
	struct it_resp	*r;

	new_service(path, sizeof(path), "{}");
	body = many_features(256);
	strcpy(body + strlen(body) - 2, ", \"z\": null}}");
	r = it_send("PUT", path, body);
	it_assert_error(r, 400, "too_large");
	cr_assert(strstr(it_str(r, "error"), "provided_features"), "%s",
	    r->body);
	it_free(r);
	free(body);
	assert_service(path, "scheduled", "{}");
}

Test(services, patch_past_256_features_is_400)
{
	char		 path[300], *body;
	struct it_resp	*r;

	new_service(path, sizeof(path), "{}");
	body = many_features(256);
	it_expect("PUT", path, body, 200);
	free(body);
	r = it_send("PATCH", path, "{\"provided_features\": {\"g\": 1}}");
	it_assert_error(r, 400, "too_large");
	cr_assert(strstr(it_str(r, "error"), "provided_features"), "%s",
	    r->body);
	it_free(r);

	/* Replacing one feature by another keeps the count. */
	it_expect("PATCH", path, "{\"provided_features\": {\"f0\": null, "
	    "\"g\": 1}}", 200);
}

Test(services, patch_merges_features_and_null_removes_one)
{
	char		 path[300];
	struct it_resp	*r;

	new_service(path, sizeof(path), "{\"provided_features\": "
	    "{\"route\": \"route-a\", \"capacity\": 100, \"old\": true}}");
	r = it_send("PATCH", path, "{\"provided_features\": {\"capacity\": "
	    "150.0, \"old\": null, \"cabin_category\": \"economy\", "
	    "\"absent\": null}}");
	cr_assert_eq(r->status, 200, "%s", r->body);
	it_free(r);
	assert_service(path, "scheduled", "{\"route\": \"route-a\", "
	    "\"capacity\": 150, \"cabin_category\": \"economy\"}");
}

Test(services, patch_of_the_status_alone_keeps_the_features)
{
	char	 path[300];

	new_service(path, sizeof(path), "{\"provided_features\": "
	    "{\"route\": \"route-a\"}}");
	it_expect("PATCH", path, "{\"status\": \"scheduled\"}", 200);
	assert_service(path, "scheduled", "{\"route\": \"route-a\"}");
	it_expect("PATCH", path, "{\"status\": \"departed\"}", 200);
	assert_service(path, "departed", "{\"route\": \"route-a\"}");
}

static const struct bad_body bad_patches[] = {
	{ "{\"status\": \"late\"}", "invalid_value", "status" },
	{ "{\"provided_features\": null}", "invalid_type",
	    "provided_features" },
	{ "{\"provided_features\": {\"x\": [1]}}", "invalid_type",
	    "provided_features.x" },
	{ "{\"features\": {}}", "unknown_field", "features" },
	{ NULL, NULL, NULL }
};

Test(services, patch_refuses_bad_bodies_and_keeps_the_service)
{
	const struct bad_body	*b;
	char			 path[300];
	struct it_resp		*r;

	new_service(path, sizeof(path), "{\"provided_features\": "
	    "{\"route\": \"route-a\"}}");
	for (b = bad_patches; b->body != NULL; b++) {
		r = it_send("PATCH", path, b->body);
		it_assert_error(r, 400, b->code);
		cr_assert(strstr(it_str(r, "error"), b->names), "%s: %s",
		    b->body, r->body);
		it_free(r);
	}
	assert_service(path, "scheduled", "{\"route\": \"route-a\"}");
}

Test(services, a_departed_service_is_final)
{
	char		 path[300];
	struct it_resp	*r;

	new_service(path, sizeof(path), "{\"status\": \"departed\", "
	    "\"provided_features\": {\"route\": \"route-a\"}}");
	r = it_send("PUT", path, "{\"provided_features\": {}}");
	it_assert_error(r, 422, "service_departed");
	it_free(r);
	r = it_send("PUT", path, "{\"status\": \"departed\", "
	    "\"provided_features\": {\"route\": \"route-a\"}}");
	it_assert_error(r, 422, "service_departed");
	it_free(r);
	r = it_send("PATCH", path, "{\"status\": \"scheduled\"}");
	it_assert_error(r, 422, "service_departed");
	it_free(r);
	r = it_send("PATCH", path, "{\"provided_features\": {\"a\": 1}}");
	it_assert_error(r, 422, "service_departed");
	it_free(r);
	assert_service(path, "departed", "{\"route\": \"route-a\"}");
}

Test(services, missing_parents_are_404_after_the_body)
{
	char		 dom[256], path[400];
	struct it_resp	*r;

	it_new_domain(dom, sizeof(dom));
	snprintf(path, sizeof(path), "%s/services/svc-none", dom);
	r = it_send("PATCH", path, "{\"status\": \"departed\"}");
	it_assert_error(r, 404, "not_found");
	cr_assert(strstr(it_str(r, "error"), "service"), "%s", r->body);
	it_free(r);
	r = it_get(path);
	it_assert_error(r, 404, "not_found");
	it_free(r);

	snprintf(path, sizeof(path), "%s-none/services/svc-1", dom);
	r = it_send("PUT", path, "{}");
	it_assert_error(r, 404, "not_found");
	cr_assert(strstr(it_str(r, "error"), "domain"), "%s", r->body);
	it_free(r);
	r = it_send("PUT", path, "{\"colour\": 1}");
	it_assert_error(r, 400, "unknown_field");
	it_free(r);
	snprintf(path, sizeof(path), "%s-none/services", dom);
	r = it_get(path);
	it_assert_error(r, 404, "not_found");
	it_free(r);

	snprintf(path, sizeof(path), "/v2/clients/%s/domains/d1/services/s",
	    it_unique("c"));
	r = it_send("PUT", path, "{}");
	it_assert_error(r, 404, "not_found");
	cr_assert(strstr(it_str(r, "error"), "client"), "%s", r->body);
	it_free(r);
	r = it_send("PATCH", path, "{\"status\": \"departed\"}");
	it_assert_error(r, 404, "not_found");
	it_free(r);
}

Test(services, refusals_before_the_body_401_400_403_415)
{
	char		*ro = it_token("-S 'services:read' -C '*' -e 600");
	char            *other = it_token("-S 'services:read services:write' "
	    "-C other-client -e 600");
	char		 path[300], bad[400];
	struct it_resp	*r;

	new_service(path, sizeof(path), "{}");
	r = it_call("PUT", path, NULL, "{}", it_json_ct);
	it_assert_error(r, 401, "missing_token");
	it_free(r);
	snprintf(bad, sizeof(bad), "%s", path);
	strcpy(strrchr(bad, '/'), "/svc%20one");
	r = it_send("PUT", bad, "{}");
	it_assert_error(r, 400, "invalid_parameter");
	it_free(r);
	r = it_call("PATCH", path, ro, "{\"status\": \"departed\"}",
	    it_json_ct);
	it_assert_error(r, 403, "insufficient_scope");
	it_free(r);
	r = it_call("PUT", path, other, "{\"colour\": 1}", it_json_ct);
	it_assert_error(r, 403, "forbidden_client");
	it_free(r);
	r = it_call("GET", path, other, NULL, NULL);
	it_assert_error(r, 403, "forbidden_client");
	it_free(r);
	r = it_call("PATCH", path, it_admin_token(),
	    "{\"status\": \"departed\"}", NULL);
	it_assert_error(r, 415, "unsupported_media_type");
	it_free(r);
	r = it_call("GET", path, ro, NULL, NULL);
	cr_assert_eq(r->status, 200, "%s", r->body);
	it_free(r);
	assert_service(path, "scheduled", "{}");
	free(ro);
	free(other);
}

/*
 * Makes a model whose version "1" needs route, with allowed values
 * route-a and route-b, and assigns it as the domain default of
 * capability cap at dom.  Needs the assignments routes.
 */
static void
assign_route_model(const char *dom)
{
	char	 model[256], path[300], body[512];

	snprintf(model, sizeof(model), "%s", it_unique("m"));
	snprintf(path, sizeof(path), "/v2/models/%s", model);
	it_expect("PUT", path, "{}", 201);
	strcat(path, "/versions/1");
	it_expect("PUT", path, "{\"freeze\": {\"features\": [{\"name\": "
	    "\"route\", \"type\": \"string\", \"mandatory\": true, "
	    "\"allowed_values\": [\"route-a\", \"route-b\"]}]}}", 201);
	snprintf(path, sizeof(path), "%s/assignments", dom);
	snprintf(body, sizeof(body), "{\"capability\": \"cap\", "
	    "\"model_id\": \"%s\", \"model_version\": \"1\"}", model);
	it_expect("POST", path, body, 200);
}

/*
 * A new domain (its path into dom) with service svc-1 on route-a (its
 * path into path), under assign_route_model.
 */
static void
routed_service(char *dom, size_t dlen, char *path, size_t plen)
{
	it_new_domain(dom, dlen);
	snprintf(path, plen, "%s/services/svc-1", dom);
	it_expect("PUT", path, "{\"provided_features\": {\"route\": "
	    "\"route-a\"}}", 201);
	assign_route_model(dom);
}

Test(services, writes_that_break_an_assignment_are_422_and_change_nothing)
{
	char		 dom[256], path[300], other[300];
	struct it_resp	*r;

	routed_service(dom, sizeof(dom), path, sizeof(path));

	r = it_send("PATCH", path, "{\"provided_features\": "
	    "{\"route\": \"route-z\"}}");
	it_assert_error(r, 422, "assignment_blocked");
	cr_assert_str_eq(it_str(r, "blocking_services.0.service_id"),
	    "svc-1");
	cr_assert_str_eq(it_str(r, "blocking_services.0.feature"), "route");
	cr_assert_str_eq(it_str(r, "blocking_services.0.value"), "route-z");
	cr_assert_str_eq(it_str(r, "blocking_services.0.reason"),
	    "not_allowed");
	cr_assert_eq(it_int(r, "blocking_services_total"), 1);
	it_free(r);
	r = it_send("PUT", path, "{}");
	it_assert_error(r, 422, "assignment_blocked");
	cr_assert_str_eq(it_str(r, "blocking_services.0.reason"), "missing");
	it_free(r);
	assert_service(path, "scheduled", "{\"route\": \"route-a\"}");

	/* A new service must be compatible too; departing is allowed. */
	snprintf(other, sizeof(other), "%s/services/svc-2", dom);
	r = it_send("PUT", other, "{\"provided_features\": {\"route\": 7}}");
	it_assert_error(r, 422, "assignment_blocked");
	cr_assert_str_eq(it_str(r, "blocking_services.0.reason"),
	    "wrong_type");
	it_free(r);
	r = it_get(other);
	it_assert_error(r, 404, "not_found");
	it_free(r);
	it_expect("PATCH", path, "{\"status\": \"departed\", "
	    "\"provided_features\": {\"route\": null}}", 200);
	assert_service(path, "departed", "{}");
}

Test(services, a_null_mandatory_feature_is_missing_with_value_null)
{
	char		 dom[256], path[300];
	struct it_resp	*r;

	routed_service(dom, sizeof(dom), path, sizeof(path));

	/* Not absent, not null: a null is as good as no value. */
	r = it_send("PUT", path, "{\"provided_features\": {\"route\": "
	    "null}}");
	it_assert_error(r, 422, "assignment_blocked");
	cr_assert_eq(it_int(r, "blocking_services_total"), 1, "%s", r->body);
	cr_assert_str_eq(it_str(r, "blocking_services.0.feature"), "route");
	cr_assert_str_eq(it_str(r, "blocking_services.0.reason"), "missing");
	cr_assert(has_null(r, "blocking_services.0", "value"), "%s", r->body);
	it_free(r);
	assert_service(path, "scheduled", "{\"route\": \"route-a\"}");
}

Test(services, patch_takes_the_merge_patch_media_type_and_put_does_not)
{
	static const char *const merge[] = {
		"Content-Type: application/merge-patch+json", NULL };
	char		 path[300];
	struct it_resp	*r;

	new_service(path, sizeof(path), "{\"provided_features\": "
	    "{\"route\": \"route-a\", \"old\": 1}}");
	r = it_call("PATCH", path, it_admin_token(), "{\"provided_features\": "
	    "{\"old\": null, \"new\": 2}}", merge);
	cr_assert_eq(r->status, 200, "%s", r->body);
	it_free(r);
	assert_service(path, "scheduled", "{\"route\": \"route-a\", "
	    "\"new\": 2}");

	r = it_call("PUT", path, it_admin_token(), "{}", merge);
	it_assert_error(r, 415, "unsupported_media_type");
	it_free(r);
	assert_service(path, "scheduled", "{\"route\": \"route-a\", "
	    "\"new\": 2}");
}

/* Creates the services named in ids, NULL-terminated, under dom. */
static void
put_services(const char *dom, const char *const *ids, const char *body)
{
	char	 path[400];

	for (; *ids != NULL; ids++) {
		snprintf(path, sizeof(path), "%s/services/%s", dom, *ids);
		it_expect("PUT", path, body, 201);
	}
}

Test(services, list_walks_five_services_two_at_a_time)
{
	static const char *const ids[] = { "s5", "s3", "s1", "s4", "s2",
	    NULL };
	char		 dom[256], list[300], *got[8];
	int		 pages, i;

	it_new_domain(dom, sizeof(dom));
	put_services(dom, ids, "{}");
	snprintf(list, sizeof(list), "%s/services?limit=2", dom);
	cr_assert_eq(it_walk(list, 2, "service_id", got, 8, &pages), 5);
	cr_assert_eq(pages, 3);
	for (i = 0; i < 5; i++) {
		snprintf(list, sizeof(list), "s%d", i + 1);
		cr_assert_str_eq(got[i], list);
		free(got[i]);
	}
}

Test(services, list_filters_by_status)
{
	static const char *const sched[] = { "a", "c", "e", NULL };
	static const char *const gone[] = { "b", "d", NULL };
	char		 dom[256], list[300], *got[8];
	struct it_resp	*r;

	it_new_domain(dom, sizeof(dom));
	put_services(dom, sched, "{}");
	put_services(dom, gone, "{\"status\": \"departed\"}");
	snprintf(list, sizeof(list), "%s/services?limit=1&status=departed",
	    dom);
	cr_assert_eq(it_walk(list, 1, "service_id", got, 8, NULL), 2);
	cr_assert_str_eq(got[0], "b");
	cr_assert_str_eq(got[1], "d");
	free(got[0]);
	free(got[1]);
	snprintf(list, sizeof(list), "%s/services?status=scheduled&limit=500",
	    dom);
	cr_assert_eq(it_walk(list, 500, "service_id", got, 8, NULL), 3);
	free(got[0]);
	free(got[1]);
	free(got[2]);
	snprintf(list, sizeof(list), "%s/services?status=late", dom);
	r = it_get(list);
	it_assert_error(r, 400, "invalid_parameter");
	it_free(r);
}

Test(services, list_walk_with_inserts_between_pages_has_no_gaps)
{
	static const char *const ids[] = { "s10", "s20", "s30", "s40",
	    "s50", NULL };
	static const char *const early[] = { "s05", NULL };
	static const char *const late[] = { "s45", "s60", NULL };
	static const char *const want[] = { "s10", "s20", "s30", "s40",
	    "s45", "s50", "s60", NULL };
	char		 dom[256], list[600], cursor[512] = "";
	struct it_resp	*r;
	struct json_object *items;
	size_t		 i, n = 0;
	int		 page = 0;

	it_new_domain(dom, sizeof(dom));
	put_services(dom, ids, "{}");
	do {
		snprintf(list, sizeof(list), "%s/services?limit=2%s%s", dom,
		    cursor[0] ? "&cursor=" : "", cursor);
		r = it_get(list);
		cr_assert_eq(r->status, 200, "%s", r->body);
		items = it_obj(r, "items");
		for (i = 0; i < json_object_array_length(items); i++, n++) {
			cr_assert_not_null(want[n], "too many items");
			cr_assert_str_eq(json_object_get_string(
			    json_object_object_get(json_object_array_get_idx(
			    items, i), "service_id")), want[n]);
		}
		snprintf(cursor, sizeof(cursor), "%s",
		    it_str(r, "next_cursor") ? it_str(r, "next_cursor") : "");
		it_free(r);

		/* After the first page: one service behind, two ahead. */
		if (page++ == 0) {
			put_services(dom, early, "{}");
			put_services(dom, late, "{}");
		}
	} while (cursor[0] != '\0');
	cr_assert_null(want[n], "stopped after %zu items", n);
}

Test(services, list_refuses_bad_cursors_and_parameters)
{
	static const char *const bad[] = { "?cursor=!!", "?cursor=bnVsbA",
	    "?limit=-1", "?limit=1000", "?sort=service_id", NULL };
	char		 dom[256], list[300];
	struct it_resp	*r;
	size_t		 i;

	it_new_domain(dom, sizeof(dom));
	for (i = 0; bad[i] != NULL; i++) {
		snprintf(list, sizeof(list), "%s/services%s", dom, bad[i]);
		r = it_get(list);
		it_assert_error(r, 400, NULL);
		it_free(r);
	}
}
