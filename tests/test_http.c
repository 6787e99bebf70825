/*
 * test_http.c: the error envelope, headers and query parsing.
 */
#include <stdio.h>
#include <string.h>

#include <criterion/criterion.h>
#include <json-c/json.h>

#include "http.h"

static struct json_object *
body_of(const struct http_resp *resp)
{
	struct json_object	*o = json_tokener_parse(resp->body);

	cr_assert_not_null(o, "body is not JSON: %s", resp->body);
	return o;
}

Test(http, error_is_the_json_envelope)
{
	struct http_resp	 resp;
	struct json_object	*o, *v;

	memset(&resp, 0, sizeof(resp));
	cr_assert_eq(http_error(&resp, 404, "not_found", "no client %s",
	    "c1"), PIE_ERR_INVALID);
	cr_assert_eq(resp.status, 404);
	o = body_of(&resp);
	cr_assert(json_object_object_get_ex(o, "success", &v));
	cr_assert_eq(json_object_get_boolean(v), 0);
	cr_assert(json_object_object_get_ex(o, "code", &v));
	cr_assert_str_eq(json_object_get_string(v), "not_found");
	cr_assert(json_object_object_get_ex(o, "error", &v));
	cr_assert_str_eq(json_object_get_string(v), "no client c1");
	cr_assert_eq(json_object_object_length(o), 3);
	json_object_put(o);
	http_resp_clear(&resp);
}

Test(http, error_message_with_quotes_and_bad_bytes_stays_valid_json)
{
	struct http_resp	 resp;
	struct json_object	*o, *v;

	memset(&resp, 0, sizeof(resp));
	http_error(&resp, 400, "invalid_json", "bad \"x\"\n\\ here \xff");
	o = body_of(&resp);
	cr_assert(json_object_object_get_ex(o, "error", &v));
	cr_assert_str_eq(json_object_get_string(v), "bad \"x\"?\\ here ?");
	json_object_put(o);
	http_resp_clear(&resp);
}

Test(http, headers_accumulate_and_refuse_overflow)
{
	struct http_resp	 resp;
	char			 big[600], huge[700];

	memset(&resp, 0, sizeof(resp));
	cr_assert_eq(http_header(&resp, "Allow", "GET, PUT"), PIE_OK);
	cr_assert_eq(http_header(&resp, "ETag", "\"%s\"", "abc"), PIE_OK);
	cr_assert_str_eq(resp.headers, "Allow: GET, PUT\r\nETag: \"abc\"\r\n");
	memset(big, 'x', sizeof(big) - 1);
	big[sizeof(big) - 1] = '\0';
	cr_assert_eq(http_header(&resp, "X-A", "%s", big), PIE_OK);
	cr_assert_eq(http_header(&resp, "X-B", "%s", big), PIE_ERR_TOO_BIG);
	cr_assert(strstr(resp.headers, "X-B") == NULL);

	/* A value is never cut short: it fits whole or is refused. */
	http_resp_clear(&resp);
	memset(huge, 'y', sizeof(huge) - 1);
	huge[sizeof(huge) - 1] = '\0';
	cr_assert_eq(http_header(&resp, "X-C", "%s", huge), PIE_ERR_TOO_BIG);
	cr_assert(strstr(resp.headers, "X-C") == NULL);
}

Test(http, query_parameters_are_decoded)
{
	struct http_req	 req;
	char		 buf[64];

	memset(&req, 0, sizeof(req));
	req.query = "limit=10&cursor=a%2Bb&as_of=2026-12-03T10:00:00%2B01:00"
	    "&flag";
	cr_assert_eq(http_query(&req, "limit", buf, sizeof(buf)), 1);
	cr_assert_str_eq(buf, "10");
	cr_assert_eq(http_query(&req, "cursor", buf, sizeof(buf)), 1);
	cr_assert_str_eq(buf, "a+b");
	cr_assert_eq(http_query(&req, "as_of", buf, sizeof(buf)), 1);
	cr_assert_str_eq(buf, "2026-12-03T10:00:00+01:00");
	cr_assert_eq(http_query(&req, "flag", buf, sizeof(buf)), 1);
	cr_assert_str_eq(buf, "");
	cr_assert_eq(http_query(&req, "lim", buf, sizeof(buf)), 0);
	req.query = "limit=%00";
	cr_assert_eq(http_query(&req, "limit", buf, sizeof(buf)), -1);
}

Test(http, query_parameter_names_are_decoded_before_matching)
{
	static const char *const allowed[] = { "limit", "dry_run", NULL };
	struct http_req		 req;
	struct http_resp	 resp;
	char			 buf[64];

	memset(&req, 0, sizeof(req));
	memset(&resp, 0, sizeof(resp));
	req.query = "%6Cimit=5&dry%5Frun=tr%75e";
	cr_assert_eq(http_query_allow(&req, &resp, allowed), PIE_OK);
	cr_assert_eq(http_query(&req, "limit", buf, sizeof(buf)), 1);
	cr_assert_str_eq(buf, "5");
	cr_assert_eq(http_query(&req, "dry_run", buf, sizeof(buf)), 1);
	cr_assert_str_eq(buf, "true");

	/* Spelled two ways, it is still one parameter given twice. */
	req.query = "limit=1&%6c%69mit=2";
	cr_assert_eq(http_query_allow(&req, &resp, allowed),
	    PIE_ERR_INVALID);
	cr_assert_str_eq(resp.code, "invalid_parameter");
	cr_assert(strstr(resp.body, "limit is given more than once"), "%s",
	    resp.body);
	http_resp_clear(&resp);
}

/*
 * Asserts that query is refused by http_query_allow with a 400 of code
 * whose body holds named and, unless NULL, also.
 */
static void
query_refused(const char *query, const char *const *allowed,
    const char *code, const char *named, const char *also)
{
	struct http_req		 req;
	struct http_resp	 resp;

	memset(&req, 0, sizeof(req));
	memset(&resp, 0, sizeof(resp));
	req.query = query;
	cr_assert_eq(http_query_allow(&req, &resp, allowed),
	    PIE_ERR_INVALID, "%s", query);
	cr_assert_eq(resp.status, 400);
	cr_assert_str_eq(resp.code, code);
	cr_assert(strstr(resp.body, named) != NULL &&
	    (also == NULL || strstr(resp.body, also) != NULL), "%s",
	    resp.body);
	http_resp_clear(&resp);
}

Test(http, a_query_parameter_name_that_does_not_decode_is_named)
{
	static const char *const allowed[] = { "limit", NULL };
	static const struct {
		const char	*query, *named;
	} bad[] = {
		{ "%6=1", "\\\"%6\\\"" },
		{ "limit=1&li%zzmit=2", "\\\"li%zzmit\\\"" },
		{ "a%00=1", "\\\"a%00\\\"" },
		{ "lim%", "\\\"lim%\\\"" },
	};
	struct http_req		 req;
	char			 buf[16];
	size_t			 i;

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		query_refused(bad[i].query, allowed, "invalid_parameter",
		    bad[i].named, "percent-encoded");

	/* Such a name is no parameter a route could look up. */
	memset(&req, 0, sizeof(req));
	req.query = "li%6dit%=5";
	cr_assert_eq(http_query(&req, "limit", buf, sizeof(buf)), 0);
}

Test(http, unknown_query_parameter_is_named)
{
	static const char *const allowed[] = { "limit", "cursor", NULL };
	struct http_req		 req;
	struct http_resp	 resp;

	memset(&req, 0, sizeof(req));
	memset(&resp, 0, sizeof(resp));
	req.query = "limit=1&colour=red";
	cr_assert_eq(http_query_allow(&req, &resp, allowed),
	    PIE_ERR_INVALID);
	cr_assert_eq(resp.status, 400);
	cr_assert(strstr(resp.body, "colour") != NULL);
	http_resp_clear(&resp);
	req.query = "limit=1&cursor=x";
	cr_assert_eq(http_query_allow(&req, &resp, allowed), PIE_OK);
}

Test(http, a_repeated_or_unnamed_query_parameter_is_refused)
{
	static const char *const allowed[] = { "limit", "cursor", NULL };
	static const struct {
		const char	*query, *code, *named;
	} bad[] = {
		{ "limit=1&cursor=x&limit=2", "invalid_parameter", "limit" },
		{ "=1", "unknown_parameter", "\"\"" },
		{ "a%41aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"
		    "aaaaaaaaaaaaaaaa=1", "unknown_parameter",
		    "aAaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa...\\\"" },
		{ "%ff%fe=1", "unknown_parameter", "\\\"??\\\"" },
	};
	struct http_req		 req;
	struct http_resp	 resp;
	size_t			 i;

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		query_refused(bad[i].query, allowed, bad[i].code,
		    bad[i].named, NULL);

	/* Empty pairs are no parameter at all. */
	memset(&req, 0, sizeof(req));
	memset(&resp, 0, sizeof(resp));
	req.query = "&&limit=1&";
	cr_assert_eq(http_query_allow(&req, &resp, allowed), PIE_OK);
}

Test(http, json_bodies_need_the_json_media_type)
{
	static const char *const refused[] = { "application/jsonx",
	    "application/json garbage", "application/json; charset=latin1",
	    "application/json;charset=utf-16", "application/merge-patch+json",
	    NULL };
	const char *const	*bad;
	struct http_req		 req;
	struct http_resp	 resp;

	memset(&req, 0, sizeof(req));
	memset(&resp, 0, sizeof(resp));
	req.body = "{}";
	req.body_len = 2;
	req.content_type = "text/plain";
	http_require_json(&req, &resp);
	cr_assert_eq(resp.status, 415);
	http_resp_clear(&resp);
	req.content_type = "application/json; charset=utf-8";
	cr_assert_eq(http_require_json(&req, &resp), PIE_OK);
	req.content_type = "Application/JSON;charset=\"UTF-8\"; x=y";
	cr_assert_eq(http_require_json(&req, &resp), PIE_OK);
	req.content_type = "application/json ";
	cr_assert_eq(http_require_json(&req, &resp), PIE_OK);
	for (bad = refused; *bad != NULL; bad++) {
		req.content_type = *bad;
		http_require_json(&req, &resp);
		cr_assert_eq(resp.status, 415, "took %s", *bad);
		http_resp_clear(&resp);
	}
	req.content_type = "application/json";
	req.body_len = 0;
	http_require_json(&req, &resp);
	cr_assert_eq(resp.status, 400);
	http_resp_clear(&resp);
}

Test(http, patch_bodies_may_also_be_sent_as_merge_patches)
{
	static const char *const methods[] = { "PUT", "POST", NULL };
	const char *const	*m;
	struct http_req		 req;
	struct http_resp	 resp;

	memset(&req, 0, sizeof(req));
	memset(&resp, 0, sizeof(resp));
	req.body = "{}";
	req.body_len = 2;
	req.method = "PATCH";
	req.content_type = "application/merge-patch+json";
	cr_assert_eq(http_require_json(&req, &resp), PIE_OK);
	req.content_type = "Application/Merge-Patch+JSON; charset=utf-8";
	cr_assert_eq(http_require_json(&req, &resp), PIE_OK);
	req.content_type = "application/json";
	cr_assert_eq(http_require_json(&req, &resp), PIE_OK);
	req.content_type = "application/merge-patch+json; charset=latin1";
	http_require_json(&req, &resp);
	cr_assert_eq(resp.status, 415);
	http_resp_clear(&resp);
	req.content_type = "text/plain";
	http_require_json(&req, &resp);
	cr_assert_eq(resp.status, 415);
	cr_assert(strstr(resp.body, "application/merge-patch+json"), "%s",
	    resp.body);
	http_resp_clear(&resp);

	/* Only a PATCH is a merge patch. */
	req.content_type = "application/merge-patch+json";
	for (m = methods; *m != NULL; m++) {
		req.method = *m;
		http_require_json(&req, &resp);
		cr_assert_eq(resp.status, 415, "%s took a merge patch", *m);
		cr_assert_null(strstr(resp.body, "merge-patch"), "%s",
		    resp.body);
		http_resp_clear(&resp);
	}
}

Test(http, a_503_says_when_to_try_again)
{
	struct http_resp	 resp;
	char			 want[64];

	memset(&resp, 0, sizeof(resp));
	http_error(&resp, 503, "unavailable", "the database is away");
	cr_assert_eq(resp.status, 503);
	snprintf(want, sizeof(want), "Retry-After: %d\r\n",
	    HTTP_RETRY_AFTER);
	cr_assert_str_eq(resp.headers, want);
	http_resp_clear(&resp);

	/* Other refusals are not passing: no hint. */
	http_error(&resp, 400, "invalid_json", "bad");
	cr_assert_null(strstr(resp.headers, "Retry-After"));
	http_resp_clear(&resp);
}
