/*
 * test_contract_http.c: the HTTP behaviour every route shares, as a
 * caller meets it through nginx: wrong methods with Allow on every
 * route, HEAD, OPTIONS and TRACE, nginx's own answers in the error
 * envelope, malformed and overlong path parameters checked after the
 * token, query parameters, the body forms a client may send (chunked,
 * with a charset, on a GET), both HTTP versions, the one log line of a
 * request, pie-fcgi -t, and the answers while the database or the
 * workers are away, with Retry-After on the 503s and on nginx's 429 (a
 * second nginx with the stack's site and a tiny rate limit shows it).
 * The last tests disturb the stack and put it back.
 */
#include <sys/socket.h>
#include <sys/wait.h>

#include <netinet/in.h>
#include <arpa/inet.h>

#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <criterion/criterion.h>
#include <json-c/json.h>

#include "itest.h"

static char	 ch_client[96];
static char	 ch_path[160];

/* A client to read, so that an admitted request answers 200. */
static void
ch_setup(void)
{
	struct it_resp	*r;

	it_require_stack();
	snprintf(ch_client, sizeof(ch_client), "%s", it_unique("hc"));
	snprintf(ch_path, sizeof(ch_path), "/v2/clients/%s", ch_client);
	r = it_send("PUT", ch_path, "{\"display_name\":\"http\"}");
	cr_assert_eq(r->status, 201, "%s", r->body);
	it_free(r);
}

/* A path of n bytes: prefix, then 'a' up to n, then suffix. */
static char *
ch_long_path(const char *prefix, size_t n, const char *suffix)
{
	size_t	 plen = strlen(prefix), slen = strlen(suffix);
	char	*p = malloc(plen + n + slen + 1);

	cr_assert_not_null(p);
	memcpy(p, prefix, plen);
	memset(p + plen, 'a', n);
	memcpy(p + plen + n, suffix, slen + 1);
	return p;
}

/* 1 when the comma-separated list has exactly the methods of want. */
static int
ch_same_methods(const char *list, const char *const *want)
{
	char		 copy[128], *w, *save = NULL;
	size_t		 n = 0, i;

	snprintf(copy, sizeof(copy), "%s", list);
	for (w = strtok_r(copy, ", ", &save); w != NULL;
	    w = strtok_r(NULL, ", ", &save)) {
		for (i = 0; want[i] != NULL; i++)
			if (strcmp(want[i], w) == 0)
				break;
		if (want[i] == NULL)
			return 0;
		n++;
	}
	for (i = 0; want[i] != NULL; i++)
		;
	return n == i;
}

Test(http_contract, every_route_refuses_other_methods_with_405_and_allow)
{
	static const struct {
		const char	*path;
		const char	*allow[4];
	} paths[] = {
		{ "/healthz", { "GET" } },
		{ "/readyz", { "GET" } },
		{ "/v2/clients/c", { "GET", "PUT" } },
		{ "/v2/clients/c/domains", { "GET" } },
		{ "/v2/clients/c/domains/d", { "GET", "PUT" } },
		{ "/v2/clients/c/domains/d/assignments", { "GET", "POST" } },
		{ "/v2/clients/c/domains/d/assignments/cap", { "GET", "PUT" } },
		{ "/v2/clients/c/domains/d/assignments/cap/revisions",
		    { "GET" } },
		{ "/v2/clients/c/domains/d/services", { "GET" } },
		{ "/v2/clients/c/domains/d/services/s",
		    { "GET", "PUT", "PATCH" } },
		{ "/v2/clients/c/domains/d/services/s/assignments",
		    { "GET", "POST" } },
		{ "/v2/clients/c/domains/d/services/s/assignments/cap",
		    { "GET", "PUT" } },
		{ "/v2/clients/c/domains/d/services/s/assignments/cap/"
		    "revisions", { "GET" } },
		{ "/v2/clients/c/domains/d/services/s/effective-assignments",
		    { "GET" } },
		{ "/v2/clients/c/domains/d/services/s/jobs",
		    { "GET", "POST" } },
		{ "/v2/clients/c/domains/d/services/s/jobs/j",
		    { "GET", "PATCH" } },
		{ "/v2/models", { "GET" } },
		{ "/v2/models/m", { "GET", "PUT" } },
		{ "/v2/models/m/versions", { "GET" } },
		{ "/v2/models/m/versions/1", { "GET", "PUT" } },
	};
	static const char *const methods[] = {
		"GET", "PUT", "POST", "PATCH", "DELETE", "TRACE",
	};
	struct it_resp	*r;
	size_t		 i, m, k;
	int		 allowed;

	for (i = 0; i < sizeof(paths) / sizeof(paths[0]); i++)
		for (m = 0; m < sizeof(methods) / sizeof(methods[0]); m++) {
			allowed = 0;
			for (k = 0; paths[i].allow[k] != NULL; k++)
				allowed |= !strcmp(paths[i].allow[k],
				    methods[m]);
			if (allowed)
				continue;
			r = it_call(methods[m], paths[i].path,
			    it_admin_token(), NULL, NULL);
			it_assert_error(r, 405, "method_not_allowed");
			cr_assert_not_null(it_header(r, "allow"), "%s %s",
			    methods[m], paths[i].path);
			cr_assert(ch_same_methods(it_header(r, "allow"),
			    paths[i].allow), "%s %s: Allow: %s", methods[m],
			    paths[i].path, it_header(r, "allow"));
			it_free(r);
		}
}

Test(http_contract, trace_on_an_unknown_path_is_a_json_404)
{
	struct it_resp  *r = it_call("TRACE", "/no/such/thing", NULL, NULL,
	    NULL);

	it_assert_error(r, 404, "not_found");
	it_free(r);
}

Test(http_contract, v2_without_its_slash_is_a_json_404)
{
	struct it_resp	*r = it_get("/v2");

	it_assert_error(r, 404, "not_found");
	cr_assert_null(it_header(r, "location"), "%s", r->headers);
	it_free(r);
}

Test(http_contract, head_answers_the_head_of_get_without_a_body,
    .init = ch_setup)
{
	struct it_resp	*g = it_get(ch_path);
	struct it_resp  *h = it_call("HEAD", ch_path, it_admin_token(), NULL,
	    NULL);
	char		 len[32];

	cr_assert_eq(g->status, 200, "%s", g->body);
	cr_assert_eq(h->status, 200, "%s", h->headers);
	cr_assert_eq(h->len, 0);
	snprintf(len, sizeof(len), "%zu", g->len);
	cr_assert_str_eq(it_header(h, "content-length"), len);
	cr_assert(strstr(it_header(h, "content-type"), "application/json"));
	cr_assert_str_eq(it_header(h, "cache-control"), "no-store");
	cr_assert_not_null(it_header(h, "x-request-id"));
	it_free(g);
	it_free(h);
}

Test(http_contract, head_needs_a_token_as_get_does, .init = ch_setup)
{
	struct it_resp	*r = it_call("HEAD", ch_path, NULL, NULL, NULL);

	cr_assert_eq(r->status, 401, "%s", r->headers);
	cr_assert_str_eq(it_header(r, "www-authenticate"),
	    "Bearer realm=\"pie\"");
	cr_assert_eq(r->len, 0);
	it_free(r);
}

Test(http_contract, options_lists_the_methods_of_the_path)
{
	static const char *const want[] = { "GET", "PUT", NULL };
	struct it_resp  *r = it_call("OPTIONS", "/v2/models/m", NULL, NULL,
	    NULL);

	cr_assert_eq(r->status, 204, "%ld %s", r->status, r->body);
	cr_assert_not_null(it_header(r, "allow"));
	cr_assert(ch_same_methods(it_header(r, "allow"), want), "%s",
	    it_header(r, "allow"));
	cr_assert_str_eq(it_header(r, "cache-control"), "no-store");
	cr_assert_not_null(it_header(r, "x-request-id"));
	it_free(r);

	r = it_call("OPTIONS", "/v2/no/such/thing", NULL, NULL, NULL);
	it_assert_error(r, 404, "not_found");
	it_free(r);
}

Test(http_contract, an_overlong_identifier_without_a_token_is_401)
{
	char		*path = ch_long_path("/v2/clients/", 3000, "");
	struct it_resp	*r = it_call("GET", path, NULL, NULL, NULL);

	it_assert_error(r, 401, "missing_token");
	it_free(r);
	free(path);
}

Test(http_contract, an_overlong_identifier_is_400_naming_its_parameter)
{
	static const struct {
		const char	*prefix, *suffix, *name;
	} cases[] = {
		{ "/v2/clients/", "", "client_id" },
		{ "/v2/clients/c/domains/", "/services", "domain_id" },
		{ "/v2/clients/c/domains/d/services/", "/jobs", "service_id" },
		{ "/v2/models/", "/versions", "model_id" },
		{ "/v2/models/m/versions/", "", "model_version" },
		{ "/v2/clients/c/domains/d/assignments/", "", "capability" },
	};
	static const size_t lengths[] = { 129, 3000 };
	struct it_resp	*r;
	char		*path;
	size_t		 i, l, n;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
		for (l = 0; l < 2; l++) {
			/* The shorter rules: versions 64, capabilities 64. */
			n = lengths[l];
			if (l == 0 && (!strcmp(cases[i].name, "capability") ||
			    !strcmp(cases[i].name, "model_version")))
				n = 65;
			path = ch_long_path(cases[i].prefix, n,
			    cases[i].suffix);
			r = it_get(path);
			it_assert_error(r, 400, "invalid_parameter");
			cr_assert(strstr(it_str(r, "error"), cases[i].name),
			    "%s: %s", cases[i].name, r->body);
			it_free(r);
			free(path);
		}
}

Test(http_contract, a_bad_percent_encoding_in_a_parameter_names_it)
{
	struct it_resp  *r = it_get("/v2/clients/c/domains/d%C3/services");

	it_assert_error(r, 400, "invalid_parameter");
	cr_assert(strstr(it_str(r, "error"), "domain_id"), "%s", r->body);
	it_free(r);
}

Test(http_contract, percent_encoded_parameters_are_decoded,
    .init = ch_setup)
{
	char		 path[256], *p;
	const char	*c;
	struct it_resp	*r;

	/* Every '-' of the client id sent as %2D. */
	p = path + snprintf(path, sizeof(path), "/v2/clients/");
	for (c = ch_client; *c != '\0'; c++)
		p += *c == '-' ? snprintf(p, 4, "%%2D") :
		    snprintf(p, 2, "%c", *c);
	r = it_get(path);
	cr_assert_eq(r->status, 200, "%s: %s", path, r->body);
	cr_assert_str_eq(it_str(r, "client_id"), ch_client);
	it_free(r);
}

Test(http_contract, unknown_or_repeated_query_parameters_are_400,
    .init = ch_setup)
{
	static const struct {
		const char	*query, *code, *named;
	} bad[] = {
		{ "/domains?limit=1&limit=2", "invalid_parameter", "limit" },
		{ "/domains?limit=1&%6Cimit=2", "invalid_parameter", "limit" },
		{ "?colour=red", "unknown_parameter", "colour" },
		{ "?c%6Flour=red", "unknown_parameter", "colour" },
		{ "/domains?li%6=1", "invalid_parameter", "li%6" },
		{ "/domains?li%zzmit=1", "invalid_parameter", "li%zzmit" },
	};
	char		 path[256];
	struct it_resp	*r;
	size_t		 i;

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		snprintf(path, sizeof(path), "%s%s", ch_path, bad[i].query);
		r = it_get(path);
		it_assert_error(r, 400, bad[i].code);
		cr_assert(strstr(it_str(r, "error"), bad[i].named), "%s",
		    r->body);
		it_free(r);
	}
}

Test(http_contract, percent_encoded_query_names_are_decoded,
    .init = ch_setup)
{
	char		 path[256], dom[256];
	struct it_resp	*r;
	int		 i;

	for (i = 0; i < 2; i++) {
		snprintf(dom, sizeof(dom), "%s/domains/d%d", ch_path, i);
		it_expect("PUT", dom, "{}", 201);
	}
	snprintf(path, sizeof(path), "%s/domains?%%6C%%69mit=1", ch_path);
	r = it_get(path);
	cr_assert_eq(r->status, 200, "%s", r->body);
	cr_assert_eq(json_object_array_length(it_obj(r, "items")), 1,
	    "%s", r->body);
	cr_assert_not_null(it_str(r, "next_cursor"), "%s", r->body);
	it_free(r);
}

Test(http_contract, a_chunked_body_without_content_length_is_read,
    .init = ch_setup)
{
	static const char *const chunked[] = {
		"Content-Type: application/json",
		"Transfer-Encoding: chunked", NULL };
	struct it_resp	*r;

	it_http1 = 1;
	r = it_call("PUT", ch_path, it_admin_token(),
	    "{\"display_name\":\"sent in chunks\"}", chunked);
	it_http1 = 0;
	cr_assert_eq(r->status, 200, "%s", r->body);
	cr_assert_str_eq(it_str(r, "display_name"), "sent in chunks");
	it_free(r);
}

Test(http_contract, json_with_parameters_is_accepted_other_types_are_415,
    .init = ch_setup)
{
	static const struct {
		const char	*type;
		long		 status;
	} types[] = {
		{ "Content-Type: application/json; charset=utf-8", 200 },
		{ "Content-Type: Application/JSON;charset=UTF-8", 200 },
		{ "Content-Type: text/plain", 415 },
		{ "Content-Type: application/jsonx", 415 },
		{ "Content-Type: application/merge-patch+json", 415 },
	};
	const char	*hdr[2] = { NULL, NULL };
	struct it_resp	*r;
	size_t		 i;

	for (i = 0; i < sizeof(types) / sizeof(types[0]); i++) {
		hdr[0] = types[i].type;
		r = it_call("PUT", ch_path, it_admin_token(),
		    "{\"display_name\":\"typed\"}", hdr);
		if (types[i].status == 415)
			it_assert_error(r, 415, "unsupported_media_type");
		else
			cr_assert_eq(r->status, 200, "%s: %s", types[i].type,
			    r->body);
		it_free(r);
	}
}

Test(http_contract, bodies_that_are_not_i_json_objects_are_400,
    .init = ch_setup)
{
	static const char *const bodies[] = {
		"[]", "\"a\"", "null", "42",
		"\xef\xbb\xbf{}",
		"{\"display_name\":\"\xff\"}",
		"{\"display_name\":\"a\",\"display_name\":\"b\"}",
		"{\"display_name\":1e400}",
		"{\"display_name\":\"a\"} {}",
		"{\"display_name\":\"\\uffff\"}",
		"{\"display_name\":\"\\ud83f\\udffe\"}",
		"{\"display_name\":\"a\xef\xb7\x90\"}",
		"{\"display_name\":\"a\\u0000b\"}",
	};
	struct it_resp	*r;
	size_t		 i;

	for (i = 0; i < sizeof(bodies) / sizeof(bodies[0]); i++) {
		r = it_send("PUT", ch_path, bodies[i]);
		it_assert_error(r, 400, "invalid_json");
		it_free(r);
	}

	/* A noncharacter is named with where it is. */
	r = it_send("PUT", ch_path, "{\"display_name\":\"ab\\ufdd0\"}");
	it_assert_error(r, 400, "invalid_json");
	cr_assert(strstr(it_str(r, "error"), "noncharacter U+FDD0 in string "
	    "at display_name (byte 19)"), "%s", r->body);
	it_free(r);
}

Test(http_contract, a_body_on_a_get_is_ignored, .init = ch_setup)
{
	struct it_resp	*r = it_send("GET", ch_path, "{\"x\":1}");

	cr_assert_eq(r->status, 200, "%s", r->body);
	cr_assert_str_eq(it_str(r, "client_id"), ch_client);
	it_free(r);
}

Test(http_contract, http1_and_http2_answer_alike, .init = ch_setup)
{
	struct it_resp	*a, *b;

	it_http1 = 1;
	a = it_get(ch_path);
	b = it_call("GET", ch_path, NULL, NULL, NULL);
	it_http1 = 0;
	cr_assert_eq(a->status, 200, "%s", a->body);
	cr_assert(strstr(a->headers, "http/1.1 200"), "%s", a->headers);
	cr_assert_str_eq(it_header(a, "cache-control"), "no-store");
	cr_assert_not_null(it_header(a, "x-request-id"));
	it_assert_error(b, 401, "missing_token");
	it_free(a);
	it_free(b);

	a = it_get(ch_path);
	cr_assert(strstr(a->headers, "http/2 200"), "%s", a->headers);
	it_free(a);
}

/* The lines of the pool's log holding id; the caller frees. */
static char *
ch_log_lines(const char *id)
{
	char		 path[PATH_MAX], line[8192];
	char		*out = NULL;
	size_t		 len = 0, n;
	FILE		*f;
	int		 tries;

	snprintf(path, sizeof(path), "%s/log/pie.log", it_stack_dir());
	for (tries = 0; tries < 50 && len == 0; tries++) {
		if (tries > 0)
			usleep(20000);
		f = fopen(path, "r");
		cr_assert_not_null(f, "cannot open %s", path);
		while (fgets(line, sizeof(line), f) != NULL) {
			if (strstr(line, id) == NULL)
				continue;
			n = strlen(line);
			out = realloc(out, len + n + 1);
			cr_assert_not_null(out);
			memcpy(out + len, line, n + 1);
			len += n;
		}
		fclose(f);
	}
	return out != NULL ? out : strdup("");
}

Test(http_contract, a_request_is_one_log_line_without_token_or_body,
    .init = ch_setup)
{
	char		 id[128], *lines, want[256];
	const char	*nl;
	struct it_resp	*r;

	r = it_send("PUT", ch_path, "{\"display_name\":\"body-secret-7d1\"}");
	cr_assert_eq(r->status, 200, "%s", r->body);
	snprintf(id, sizeof(id), "%s", it_header(r, "x-request-id"));
	it_free(r);

	lines = ch_log_lines(id);
	nl = strchr(lines, '\n');
	cr_assert(nl != NULL && nl[1] == '\0', "not one line: %s", lines);
	snprintf(want, sizeof(want), "PUT %s 200 ", ch_path);
	cr_assert(strstr(lines, want), "%s", lines);
	cr_assert(strstr(lines, "ms "), "no duration: %s", lines);
	cr_assert(strstr(lines, "sub=tester"), "%s", lines);
	snprintf(want, sizeof(want), "client=%s", ch_client);
	cr_assert(strstr(lines, want), "%s", lines);
	cr_assert_null(strstr(lines, "body-secret-7d1"), "%s", lines);
	cr_assert_null(strstr(lines, it_admin_token()), "%s", lines);
	cr_assert_null(strstr(lines, "eyJ"), "%s", lines);
	free(lines);
}

Test(http_contract, a_caller_without_sub_is_logged_as_a_dash,
    .init = ch_setup)
{
	char		*anon = it_token("-S 'tenants:admin' -C '*' --no-sub");
	char		 id[128], *lines;
	struct it_resp	*r = it_call("GET", ch_path, anon, NULL, NULL);

	cr_assert_eq(r->status, 200, "%s", r->body);
	snprintf(id, sizeof(id), "%s", it_header(r, "x-request-id"));
	it_free(r);
	free(anon);

	lines = ch_log_lines(id);
	cr_assert(strstr(lines, " sub=- "), "%s", lines);
	free(lines);
}

Test(http_contract, bytes_outside_ascii_in_a_path_are_escaped_in_the_log)
{
	struct it_resp	*r = it_get("/v2/clients/x%C3%28y");
	char		 id[128], *lines;
	const char	*p;

	it_assert_error(r, 400, "invalid_parameter");
	snprintf(id, sizeof(id), "%s", it_header(r, "x-request-id"));
	it_free(r);

	lines = ch_log_lines(id);
	cr_assert(lines[0] != '\0', "no log line for %s", id);
	for (p = lines; *p != '\0'; p++)
		cr_assert((unsigned char)*p < 0x80, "raw byte in: %s", lines);
	free(lines);
}

Test(http_contract, methods_nginx_refuses_are_named_in_the_405_and_the_log)
{
	static const char *const methods[] = { "TRACE", "CONNECT" };
	char		 want[128], id[128], *lines;
	struct it_resp	*r;
	size_t		 i;
	int		 v;

	for (v = 0; v < 2; v++)
		for (i = 0; i < sizeof(methods) / sizeof(methods[0]); i++) {
			it_http1 = v;
			r = it_call(methods[i], "/v2/models", NULL, NULL,
			    NULL);
			it_http1 = 0;
			it_assert_error(r, 405, "method_not_allowed");
			cr_assert_str_eq(it_header(r, "allow"), "GET");
			snprintf(want, sizeof(want), "%s is not allowed",
			    methods[i]);
			cr_assert(strstr(it_str(r, "error"), want), "%s",
			    r->body);
			snprintf(id, sizeof(id), "%s",
			    it_header(r, "x-request-id"));
			it_free(r);

			lines = ch_log_lines(id);
			snprintf(want, sizeof(want), "%s /v2/models 405 ",
			    methods[i]);
			cr_assert(strstr(lines, want), "%s", lines);
			free(lines);
		}
}

/* Runs scripts/stack-mariadb what; returns its exit status. */
static int
ch_mariadb(const char *what)
{
	char	 cmd[PATH_MAX * 2];

	snprintf(cmd, sizeof(cmd), "%s/scripts/stack-mariadb %s "
	    ">/dev/null 2>&1", getenv("PIE_TOP"), what);
	return system(cmd);
}

/* The Retry-After header of r, "" when it has none. */
static const char *
ch_retry_after(const struct it_resp *r)
{
	const char	*v = it_header(r, "retry-after");

	return v != NULL ? v : "";
}

Test(http_contract, without_the_database_503_says_retry_after_until_it_is_back)
{
	struct it_resp	*r, *ready, *models;
	int		 i;

	/*
	 * Every worker uses its connection, which the restart breaks
	 * within the few seconds in which a worker trusts a connection
	 * without pinging it first.
	 */
	for (i = 0; i < 40; i++)
		it_free(it_call("GET", "/readyz", NULL, NULL, NULL));
	cr_assert_eq(ch_mariadb("stop"), 0, "cannot stop MariaDB");

	/* Meanwhile, 503s that say when to try again. */
	ready = it_call("GET", "/readyz", NULL, NULL, NULL);
	models = it_get("/v2/models");
	cr_assert_eq(ch_mariadb("start"), 0, "cannot start MariaDB");
	it_assert_error(ready, 503, "database_unavailable");
	it_assert_error(models, 503, "unavailable");
	cr_assert_str_eq(ch_retry_after(ready), "2", "%s", ready->headers);
	cr_assert_str_eq(ch_retry_after(models), "2", "%s", models->headers);
	it_free(ready);
	it_free(models);

	for (i = 0; i < 40; i++) {
		r = it_call("GET", "/readyz", NULL, NULL, NULL);
		cr_assert_eq(r->status, 200, "request %d: %s", i, r->body);
		it_free(r);
	}
}

/*
 * A second nginx with the stack's own site, on a free port, its rate
 * limit cut to one request a minute with a burst of one: the third
 * request in a row is refused.  PIE_TEST_URL points at it while it runs.
 */
static char	 ch_rate_dir[PATH_MAX];
static char	 ch_rate_url_saved[512];

/* A TCP port of 127.0.0.1 that nobody listens on now. */
static int
ch_free_port(void)
{
	struct sockaddr_in	 sa;
	socklen_t		 len = sizeof(sa);
	int			 fd, port;

	fd = socket(AF_INET, SOCK_STREAM, 0);
	cr_assert_geq(fd, 0);
	memset(&sa, 0, sizeof(sa));
	sa.sin_family = AF_INET;
	sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	cr_assert_eq(bind(fd, (struct sockaddr *)&sa, sizeof(sa)), 0);
	cr_assert_eq(getsockname(fd, (struct sockaddr *)&sa, &len), 0);
	port = ntohs(sa.sin_port);
	close(fd);
	return port;
}

/* 1 once something accepts connections on 127.0.0.1:port. */
static int
ch_listening(int port)
{
	struct sockaddr_in	 sa;
	int			 fd, ok;

	fd = socket(AF_INET, SOCK_STREAM, 0);
	cr_assert_geq(fd, 0);
	memset(&sa, 0, sizeof(sa));
	sa.sin_family = AF_INET;
	sa.sin_port = htons((unsigned short)port);
	sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	ok = connect(fd, (struct sockaddr *)&sa, sizeof(sa)) == 0;
	close(fd);
	return ok;
}

/* Starts the second nginx, refusing with status past its rate. */
static void
ch_rate_nginx_start(int status)
{
	const char	*s = it_stack_dir();
	char		 cmd[PATH_MAX * 6], url[64];
	int		 port = ch_free_port(), i;

	snprintf(ch_rate_url_saved, sizeof(ch_rate_url_saved), "%s",
	    getenv("PIE_TEST_URL"));
	snprintf(ch_rate_dir, sizeof(ch_rate_dir), "%s/nginx-rate-%d", s,
	    (int)getpid());
	snprintf(cmd, sizeof(cmd), "d='%s' s='%s'; mkdir -p \"$d/tmp\" && "
	    "sed -e 's|listen 127.0.0.1:[0-9]* |listen 127.0.0.1:%d |' "
	    "-e 's|rate=1000r/s|rate=1r/m|' -e 's|burst=2000 |burst=1 |' "
	    "-e 's|limit_req_status 429;|limit_req_status %d;|' "
	    "\"$s/nginx/site.conf\" >\"$d/site.conf\" && "
	    "grep -q 'rate=1r/m' \"$d/site.conf\" && "
	    "grep -q 'burst=1 ' \"$d/site.conf\" && "
	    "grep -q '127.0.0.1:%d ' \"$d/site.conf\" && "
	    "sed -e \"s|$s/nginx/site.conf|$d/site.conf|\" "
	    "-e \"s|^pid .*|pid $d/nginx.pid;|\" "
	    "-e \"s|^error_log .*|error_log $d/error.log warn;|\" "
	    "-e 's|access_log .*|access_log off;|' "
	    "-e \"s|$s/nginx/tmp|$d/tmp|\" "
	    "\"$s/nginx/nginx.conf\" >\"$d/nginx.conf\" && "
	    "nginx -q -e \"$d/error.log\" -p \"$d\" -c \"$d/nginx.conf\"",
	    ch_rate_dir, s, port, status, port);
	cr_assert_eq(system(cmd), 0, "the second nginx did not start: %s",
	    cmd);
	for (i = 0; i < 100 && !ch_listening(port); i++)
		usleep(50000);
	cr_assert(ch_listening(port), "the second nginx does not listen");
	snprintf(url, sizeof(url), "https://127.0.0.1:%d", port);
	setenv("PIE_TEST_URL", url, 1);
}

/* Stops the second nginx, if it started, and points back at the stack. */
static void
ch_rate_nginx_stop(void)
{
	char	 path[PATH_MAX + 16], cmd[PATH_MAX + 32];
	FILE	*f;
	long	 pid = 0;
	int	 i;

	if (ch_rate_url_saved[0] != '\0')
		setenv("PIE_TEST_URL", ch_rate_url_saved, 1);
	if (ch_rate_dir[0] == '\0')
		return;
	snprintf(path, sizeof(path), "%s/nginx.pid", ch_rate_dir);
	if ((f = fopen(path, "r")) != NULL) {
		if (fscanf(f, "%ld", &pid) != 1)
			pid = 0;
		fclose(f);
	}
	if (pid > 0 && kill((pid_t)pid, SIGTERM) == 0)
		for (i = 0; i < 100 && kill((pid_t)pid, 0) == 0; i++)
			usleep(50000);
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", ch_rate_dir);
	cr_assert_eq(system(cmd), 0);
}

/* Sends requests until one is refused; returns that one. */
static struct it_resp *
ch_until_refused(void)
{
	struct it_resp	*r = NULL;
	int		 i;

	for (i = 0; i < 5; i++) {
		it_free(r);
		r = it_call("GET", "/healthz", NULL, NULL, NULL);
		if (r->status != 200)
			break;
	}
	return r;
}

Test(http_contract, nginx_rate_limit_answers_429_with_retry_after,
    .fini = ch_rate_nginx_stop)
{
	struct it_resp	*r;

	it_require_stack();
	ch_rate_nginx_start(429);
	r = ch_until_refused();
	it_assert_error(r, 429, "rate_limited");
	cr_assert_str_eq(ch_retry_after(r), "1", "%s", r->headers);
	it_free(r);
}

Test(http_contract, a_503_of_nginx_carries_retry_after,
    .fini = ch_rate_nginx_stop)
{
	struct it_resp	*r;

	it_require_stack();
	ch_rate_nginx_start(503);
	r = ch_until_refused();
	it_assert_error(r, 503, "unavailable");
	cr_assert_str_eq(ch_retry_after(r), "2", "%s", r->headers);
	it_free(r);
}

/* The directory of the stack's binaries, from PIE_TOKEN_BIN. */
static const char *
ch_bindir(void)
{
	static char	 bin[PATH_MAX];
	char		*slash;

	snprintf(bin, sizeof(bin), "%s", getenv("PIE_TOKEN_BIN"));
	if ((slash = strrchr(bin, '/')) != NULL)
		*slash = '\0';
	return bin;
}

/* Runs pie-fcgi -t on conf; returns its exit status, output in out. */
static int
ch_check_config(const char *conf, char *out, size_t len)
{
	char	 cmd[PATH_MAX * 3];
	FILE	*p;
	size_t	 n;
	int	 st;

	snprintf(cmd, sizeof(cmd), "%s/pie-fcgi -t -c %s 2>&1", ch_bindir(),
	    conf);
	p = popen(cmd, "r");
	cr_assert_not_null(p);
	n = fread(out, 1, len - 1, p);
	out[n] = '\0';
	st = pclose(p);
	return WIFEXITED(st) ? WEXITSTATUS(st) : -1;
}

Test(http_contract, pie_fcgi_t_checks_a_configuration_and_exits)
{
	char	 conf[PATH_MAX], bad[PATH_MAX], out[2048];
	FILE	*f;

	it_require_stack();
	snprintf(conf, sizeof(conf), "%s/etc/pie.conf", it_stack_dir());
	cr_assert_eq(ch_check_config(conf, out, sizeof(out)), 0, "%s", out);
	cr_assert(strstr(out, "successful"), "%s", out);

	snprintf(bad, sizeof(bad), "%s/etc/pie.conf.bad-%d",
	    it_stack_dir(), (int)getpid());
	f = fopen(bad, "w");
	cr_assert_not_null(f);
	fprintf(f, "[server]\nworkers = 4\nwrokers = 2\n");
	fclose(f);
	cr_assert_eq(ch_check_config(bad, out, sizeof(out)), 1, "%s", out);
	unlink(bad);
	cr_assert(strstr(out, ":3:") && strstr(out, "wrokers"), "%s", out);
	cr_assert(strstr(out, "failed"), "%s", out);
}

/* Starts the worker pool again, as scripts/stack-up does. */
static void
ch_start_pool(void)
{
	char		 cmd[PATH_MAX * 5];
	struct it_resp	*r;
	long		 status = 0;
	int		 i;

	if (it_master_pid() != 0)
		return;
	snprintf(cmd, sizeof(cmd), "setsid %s/pie-fcgi -c %s/etc/pie.conf "
	    "</dev/null >>%s/log/pie.log 2>&1 & echo $! >%s/run/pie.pid",
	    ch_bindir(), it_stack_dir(), it_stack_dir(), it_stack_dir());
	cr_assert_eq(system(cmd), 0);

	/* Ready when a request is answered by a worker again. */
	for (i = 0; i < 100 && status != 200; i++) {
		usleep(100000);
		r = it_call("GET", "/readyz", NULL, NULL, NULL);
		status = r->status;
		it_free(r);
	}
	cr_assert_eq(status, 200, "the pool did not start again");
}

Test(http_contract, with_no_worker_nginx_answers_a_json_502,
    .fini = ch_start_pool)
{
	static const char *const methods[] = { "GET", "TRACE", "PUT" };
	pid_t		 master = it_master_pid();
	struct it_resp	*r;
	size_t		 i;
	int		 tries;

	it_require_stack();
	cr_assert_neq(master, 0, "the worker pool is not running");
	cr_assert_eq(kill(master, SIGTERM), 0);
	for (tries = 0; tries < 200 && kill(master, 0) == 0; tries++)
		usleep(50000);
	cr_assert_neq(kill(master, 0), 0, "the pool did not stop");

	for (i = 0; i < sizeof(methods) / sizeof(methods[0]); i++) {
		r = it_call(methods[i], "/v2/models", it_admin_token(), NULL,
		    NULL);
		it_assert_error(r, 502, "bad_gateway");
		it_free(r);
	}
}
