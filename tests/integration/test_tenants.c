/*
 * test_tenants.c: clients and domains through nginx: creating and
 * replacing PUTs (201, then 200), the reads, every refusal in the
 * contract's order (401, 400 path, 403, 415/400 body, 404), and the
 * domain list's pages.  Every id comes from it_unique, so runs never
 * collide with each other or with the demo data.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <criterion/criterion.h>
#include <json-c/json.h>

#include "itest.h"

/* Asserts that GET path has display_name want (NULL: null). */
static void
assert_display_name(const char *path, const char *want)
{
	struct it_resp	*r = it_get(path);

	cr_assert_eq(r->status, 200, "%s", r->body);
	if (want == NULL)
		cr_assert_null(it_obj(r, "display_name"), "%s", r->body);
	else
		cr_assert_str_eq(it_str(r, "display_name"), want);
	it_free(r);
}

Test(tenants, client_put_creates_with_201_then_replaces_with_200)
{
	char		 path[256];
	struct it_resp	*r;

	snprintf(path, sizeof(path), "/v2/clients/%s", it_unique("c"));
	r = it_send("PUT", path, "{\"display_name\": \"First\"}");
	cr_assert_eq(r->status, 201, "%s", r->body);
	cr_assert_str_eq(it_str(r, "client_id"), path + strlen("/v2/clients/"));
	cr_assert_str_eq(it_str(r, "display_name"), "First");
	cr_assert_eq(strlen(it_str(r, "created_at")), 24);
	cr_assert_eq(it_str(r, "created_at")[23], 'Z');
	it_free(r);

	r = it_send("PUT", path, "{\"display_name\": \"Second\"}");
	cr_assert_eq(r->status, 200, "%s", r->body);
	it_free(r);
	assert_display_name(path, "Second");
}

Test(tenants, client_put_without_display_name_clears_it)
{
	char	 path[256];

	it_new_client(path, sizeof(path));
	it_expect("PUT", path, "{}", 200);
	assert_display_name(path, NULL);
	it_expect("PUT", path, "{\"display_name\": null}", 200);
	assert_display_name(path, NULL);
}

Test(tenants, client_put_refuses_an_unknown_field_by_name)
{
	char		 path[256];
	struct it_resp	*r;

	it_new_client(path, sizeof(path));
	r = it_send("PUT", path, "{\"display_name\": \"x\", \"colour\": 1}");
	it_assert_error(r, 400, "unknown_field");
	cr_assert(strstr(it_str(r, "error"), "colour"), "%s", r->body);
	it_free(r);
	assert_display_name(path, "Test client");
}

Test(tenants, client_put_refuses_a_display_name_of_the_wrong_type)
{
	char		 path[256];
	struct it_resp	*r;

	it_new_client(path, sizeof(path));
	r = it_send("PUT", path, "{\"display_name\": 5}");
	it_assert_error(r, 400, "invalid_type");
	cr_assert(strstr(it_str(r, "error"), "display_name"), "%s", r->body);
	it_free(r);
	assert_display_name(path, "Test client");
}

Test(tenants, client_put_refuses_a_display_name_over_256_characters)
{
	char		 path[256], body[600], name[300];
	struct it_resp	*r;

	it_new_client(path, sizeof(path));
	memset(name, 'n', 257);
	name[257] = '\0';
	snprintf(body, sizeof(body), "{\"display_name\": \"%s\"}", name);
	r = it_send("PUT", path, body);
	it_assert_error(r, 400, "too_large");
	it_free(r);

	/* 256 characters, some of them two bytes, are fine. */
	snprintf(body, sizeof(body), "{\"display_name\": "
	    "\"%.254s\\u00e9\\u00e9\"}", name);
	it_expect("PUT", path, body, 200);
}

Test(tenants, client_put_refuses_bodies_that_are_not_json_objects)
{
	char		 path[256];
	struct it_resp	*r;

	it_new_client(path, sizeof(path));
	r = it_send("PUT", path, "{\"display_name\": ");
	it_assert_error(r, 400, "invalid_json");
	it_free(r);
	r = it_send("PUT", path, "[]");
	it_assert_error(r, 400, "invalid_json");
	it_free(r);
	r = it_send("PUT", path, "{\"display_name\": \"a\", "
	    "\"display_name\": \"b\"}");
	it_assert_error(r, 400, "invalid_json");
	it_free(r);
	assert_display_name(path, "Test client");
}

Test(tenants, client_put_without_a_json_content_type_is_415)
{
	char		 path[256];
	struct it_resp	*r;

	it_new_client(path, sizeof(path));
	r = it_call("PUT", path, it_admin_token(), "{}", NULL);
	it_assert_error(r, 415, "unsupported_media_type");
	it_free(r);
	assert_display_name(path, "Test client");
}

Test(tenants, client_put_without_a_token_is_401)
{
	struct it_resp	*r;

	r = it_call("PUT", "/v2/clients/c-any", NULL, "{}", it_json_ct);
	it_assert_error(r, 401, "missing_token");
	cr_assert_not_null(it_header(r, "www-authenticate"));
	it_free(r);
}

Test(tenants, client_put_needs_tenants_admin)
{
	char		*tok = it_token("-S 'assignments:read "
	    "assignments:write services:read services:write registry:read "
	    "registry:write jobs:read jobs:write' -C '*' -e 600");
	char		 path[256];
	struct it_resp	*r;

	snprintf(path, sizeof(path), "/v2/clients/%s", it_unique("c"));
	r = it_call("PUT", path, tok, "{}", it_json_ct);
	it_assert_error(r, 403, "insufficient_scope");
	it_free(r);
	r = it_get(path);
	it_assert_error(r, 404, "not_found");
	it_free(r);
	free(tok);
}

Test(tenants, client_put_of_a_client_the_token_does_not_list_is_403)
{
	char            *tok = it_token("-S 'tenants:admin' -C other-client "
	    "-e 600");
	char		 path[256];
	struct it_resp	*r;

	it_new_client(path, sizeof(path));
	r = it_call("PUT", path, tok, "{\"display_name\": \"mine\"}",
	    it_json_ct);
	it_assert_error(r, 403, "forbidden_client");
	it_free(r);
	r = it_call("GET", path, tok, NULL, NULL);
	it_assert_error(r, 403, "forbidden_client");
	it_free(r);
	assert_display_name(path, "Test client");
	free(tok);
}

Test(tenants, client_put_with_an_invalid_client_id_is_400)
{
	struct it_resp	*r = it_send("PUT", "/v2/clients/-bad", "{}");

	it_assert_error(r, 400, "invalid_parameter");
	cr_assert(strstr(it_str(r, "error"), "client_id"), "%s", r->body);
	it_free(r);
}

Test(tenants, client_and_domains_can_be_read_with_any_read_scope)
{
	char		*tok = it_token("-S 'jobs:read' -C '*' -e 600");
	char		 path[256], dom[300];
	struct it_resp	*r;

	it_new_client(path, sizeof(path));
	snprintf(dom, sizeof(dom), "%s/domains/d1", path);
	it_expect("PUT", dom, "{}", 201);
	r = it_call("GET", path, tok, NULL, NULL);
	cr_assert_eq(r->status, 200, "%s", r->body);
	it_free(r);
	r = it_call("GET", dom, tok, NULL, NULL);
	cr_assert_eq(r->status, 200, "%s", r->body);
	it_free(r);
	free(tok);

	tok = it_token("-S 'assignments:write' -C '*' -e 600");
	r = it_call("GET", path, tok, NULL, NULL);
	it_assert_error(r, 403, "insufficient_scope");
	it_free(r);
	free(tok);
}

Test(tenants, missing_client_is_404)
{
	char		 path[256];
	struct it_resp	*r;

	snprintf(path, sizeof(path), "/v2/clients/%s", it_unique("c"));
	r = it_get(path);
	it_assert_error(r, 404, "not_found");
	it_free(r);
	strcat(path, "/domains");
	r = it_get(path);
	it_assert_error(r, 404, "not_found");
	cr_assert(strstr(it_str(r, "error"), "client"), "%s", r->body);
	it_free(r);
	strcat(path, "/d1");
	r = it_send("PUT", path, "{}");
	it_assert_error(r, 404, "not_found");
	it_free(r);
	r = it_get(path);
	it_assert_error(r, 404, "not_found");
	cr_assert(strstr(it_str(r, "error"), "client"), "%s", r->body);
	it_free(r);
}

Test(tenants, bad_body_beats_missing_client)
{
	char		 path[256];
	struct it_resp	*r;

	snprintf(path, sizeof(path), "/v2/clients/%s/domains/d1",
	    it_unique("c"));
	r = it_send("PUT", path, "{\"name\": \"x\"}");
	it_assert_error(r, 400, "unknown_field");
	it_free(r);
}

Test(tenants, domain_put_creates_with_201_then_replaces_with_200)
{
	char		 path[256], dom[300];
	struct it_resp	*r;

	it_new_client(path, sizeof(path));
	snprintf(dom, sizeof(dom), "%s/domains/south_australia", path);
	r = it_send("PUT", dom, "{\"display_name\": \"South Australia\"}");
	cr_assert_eq(r->status, 201, "%s", r->body);
	cr_assert_str_eq(it_str(r, "domain_id"), "south_australia");
	cr_assert_str_eq(it_str(r, "client_id"), path + strlen("/v2/clients/"));
	it_free(r);
	it_expect("PUT", dom, "{\"display_name\": \"SA\"}", 200);
	assert_display_name(dom, "SA");

	r = it_send("PUT", dom, "{\"display_name\": [\"SA\"]}");
	it_assert_error(r, 400, "invalid_type");
	it_free(r);
	assert_display_name(dom, "SA");
}

Test(tenants, missing_domain_is_404_naming_the_domain)
{
	char		 path[256], dom[300];
	struct it_resp	*r;

	it_new_client(path, sizeof(path));
	snprintf(dom, sizeof(dom), "%s/domains/nowhere", path);
	r = it_get(dom);
	it_assert_error(r, 404, "not_found");
	cr_assert(strstr(it_str(r, "error"), "domain nowhere"), "%s",
	    r->body);
	it_free(r);
}

Test(tenants, domain_list_walks_five_domains_two_at_a_time)
{
	char		 path[256], dom[300], list[300], *ids[8];
	int		 pages, i;
	size_t		 n;

	it_new_client(path, sizeof(path));
	for (i = 5; i >= 1; i--) {
		snprintf(dom, sizeof(dom), "%s/domains/d%d", path, i);
		it_expect("PUT", dom, "{}", 201);
	}
	snprintf(list, sizeof(list), "%s/domains?limit=2", path);
	n = it_walk(list, 2, "domain_id", ids, 8, &pages);
	cr_assert_eq(n, 5);
	cr_assert_eq(pages, 3);
	for (i = 0; i < 5; i++) {
		snprintf(dom, sizeof(dom), "d%d", i + 1);
		cr_assert_str_eq(ids[i], dom);
		free(ids[i]);
	}
}

Test(tenants, domain_list_of_a_client_without_domains_is_empty)
{
	char		 path[256], list[300];
	struct it_resp	*r;

	it_new_client(path, sizeof(path));
	snprintf(list, sizeof(list), "%s/domains", path);
	r = it_get(list);
	cr_assert_eq(r->status, 200, "%s", r->body);
	cr_assert_eq(json_object_array_length(it_obj(r, "items")), 0);
	cr_assert_null(it_obj(r, "next_cursor"));
	cr_assert_not_null(r->json);
	it_free(r);
}

Test(tenants, domain_list_refuses_bad_queries)
{
	static const char *const bad[] = {
	    "?limit=0", "?limit=501", "?limit=two", "?cursor=bm90IGpzb24",
	    "?cursor=%%%", "?colour=blue", NULL };
	char		 path[256], list[300];
	struct it_resp	*r;
	size_t		 i;

	it_new_client(path, sizeof(path));
	for (i = 0; bad[i] != NULL; i++) {
		snprintf(list, sizeof(list), "%s/domains%s", path, bad[i]);
		r = it_get(list);
		it_assert_error(r, 400, NULL);
		it_free(r);
	}
	snprintf(list, sizeof(list), "%s/domains?cursor=bm90IGpzb24", path);
	r = it_get(list);
	it_assert_error(r, 400, "invalid_cursor");
	it_free(r);

	/* ["d100","zzz"]: a domain id, and a second value no cursor has. */
	snprintf(list, sizeof(list), "%s/domains?cursor=WyJkMTAwIiwienp6Il0",
	    path);
	r = it_get(list);
	it_assert_error(r, 400, "invalid_cursor");
	it_free(r);
}
