/*
 * test_router.c: matching methods and paths to routes.
 */
#include <stdio.h>
#include <string.h>

#include <criterion/criterion.h>

#include "http.h"
#include "router.h"

static enum pie_res
nop(struct http_req *req, struct http_resp *resp)
{
	(void)req;
	(void)resp;
	return PIE_OK;
}

static const struct route table[] = {
	{ "GET", "/healthz", 0, 1, nop },
	{ "GET", "/v2/clients/{client_id}", 1, 0, nop },
	{ "PUT", "/v2/clients/{client_id}", 1, 0, nop },
	{ "POST", "/v2/clients/{client_id}/domains/{domain_id}/assignments",
	    2, 0, nop },
	{ "GET", "/v2/clients/{client_id}/domains/{domain_id}/assignments",
	    4, 0, nop },
	{ "PUT", "/v2/clients/{client_id}/domains/{domain_id}/assignments/"
	    "{capability}", 2, 0, nop },
};

static enum router_result
match(const char *method, const char *path, struct http_params *p,
    const struct route **rt, char *allow)
{
	return router_match(table, sizeof(table) / sizeof(table[0]), method,
	    path, p, rt, allow, 64);
}

Test(router, finds_a_literal_route)
{
	struct http_params	 p;
	const struct route	*rt = NULL;
	char			 allow[64];

	cr_assert_eq(match("GET", "/healthz", &p, &rt, allow), ROUTER_FOUND);
	cr_assert_eq(rt, &table[0]);
	cr_assert_eq(p.n, 0);
}

Test(router, extracts_and_decodes_placeholders)
{
	struct http_params	 p;
	const struct route	*rt = NULL;
	char			 allow[64];
	struct http_req		 req;

	cr_assert_eq(match("PUT", "/v2/clients/c%2D1/domains/south_australia"
	    "/assignments/fare_forecast", &p, &rt, allow), ROUTER_FOUND);
	cr_assert_eq(rt, &table[5]);
	memset(&req, 0, sizeof(req));
	req.params = p;
	/* The copy must still point into its own store. */
	cr_assert_str_eq(p.value[0], "c-1");
	cr_assert_str_eq(p.name[1], "domain_id");
	cr_assert_str_eq(p.value[1], "south_australia");
	cr_assert_str_eq(p.value[2], "fare_forecast");
}

Test(router, unknown_path_is_not_found)
{
	struct http_params	 p;
	const struct route	*rt = NULL;
	char			 allow[64];

	cr_assert_eq(match("GET", "/v2/nothing", &p, &rt, allow),
	    ROUTER_NOT_FOUND);
	cr_assert_eq(match("GET", "/healthz/", &p, &rt, allow),
	    ROUTER_NOT_FOUND);
	cr_assert_eq(match("GET", "/v2/clients//domains/x/assignments", &p,
	    &rt, allow), ROUTER_NOT_FOUND);
	cr_assert_eq(match("GET", "/v2/clients", &p, &rt, allow),
	    ROUTER_NOT_FOUND);
}

Test(router, wrong_method_lists_allowed_methods)
{
	struct http_params	 p;
	const struct route	*rt = NULL;
	char			 allow[64];

	cr_assert_eq(match("DELETE", "/v2/clients/c1", &p, &rt, allow),
	    ROUTER_BAD_METHOD);
	cr_assert_str_eq(allow, "GET, PUT");
	cr_assert_eq(match("PATCH", "/v2/clients/a/domains/b/assignments",
	    &p, &rt, allow), ROUTER_BAD_METHOD);
	cr_assert_str_eq(allow, "POST, GET");
}

Test(router, matches_an_undecodable_segment_with_no_value)
{
	static const char *const bad[] = {
		"/v2/clients/a%00b", "/v2/clients/a%zz", "/v2/clients/a%2",
	};
	struct http_params	 p;
	const struct route	*rt = NULL;
	char			 allow[64], path[4096];
	size_t			 i;

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		cr_assert_eq(match("GET", bad[i], &p, &rt, allow),
		    ROUTER_FOUND, "%s", bad[i]);
		cr_assert_eq(rt, &table[1]);
		cr_assert_eq(p.n, 1);
		cr_assert_str_eq(p.name[0], "client_id");
		cr_assert_null(p.value[0], "%s", bad[i]);
	}

	/* Longer than the parameter store: no value, and no overflow. */
	memcpy(path, "/v2/clients/", 12);
	memset(path + 12, 'a', sizeof(path) - 13);
	path[sizeof(path) - 1] = '\0';
	cr_assert_eq(match("GET", path, &p, &rt, allow), ROUTER_FOUND);
	cr_assert_null(p.value[0]);
}

Test(router, a_long_first_parameter_leaves_the_others_named)
{
	struct http_params	 p;
	const struct route	*rt = NULL;
	char			 allow[64], path[4096];
	int			 n;

	n = snprintf(path, sizeof(path), "/v2/clients/");
	memset(path + n, 'c', 2040);
	snprintf(path + n + 2040, sizeof(path) - n - 2040,
	    "/domains/d1/assignments");
	cr_assert_eq(match("GET", path, &p, &rt, allow), ROUTER_FOUND);
	cr_assert_eq(p.n, 2);
	cr_assert_str_eq(p.name[0], "client_id");
	cr_assert_str_eq(p.name[1], "domain_id");
	cr_assert_null(p.value[0]);
	cr_assert_str_eq(p.value[1], "d1");
}
