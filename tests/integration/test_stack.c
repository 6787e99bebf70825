/*
 * test_stack.c: the running stack as a whole, through nginx over TLS:
 * health probes, the JSON errors of unknown routes and wrong methods,
 * nginx's own errors, a worker killed mid-life, and the database going
 * away and coming back.  These tests disturb the stack, so they run one
 * at a time (scripts/test runs the suites in sequence).
 */
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <criterion/criterion.h>
#include <json-c/json.h>

#include "itest.h"

Test(stack, healthz_answers_json_without_a_token)
{
	struct it_resp	*r = it_call("GET", "/healthz", NULL, NULL, NULL);

	cr_assert_eq(r->status, 200, "%s", r->body);
	cr_assert_str_eq(it_str(r, "status"), "alive");
	cr_assert(strstr(it_header(r, "content-type"), "application/json"));
	cr_assert_str_eq(it_header(r, "cache-control"), "no-store");
	cr_assert_not_null(it_header(r, "x-request-id"));
	it_free(r);
}

Test(stack, readyz_is_200_while_the_database_answers)
{
	struct it_resp	*r = it_call("GET", "/readyz", NULL, NULL, NULL);

	cr_assert_eq(r->status, 200, "%s", r->body);
	cr_assert_str_eq(it_str(r, "status"), "ready");
	it_free(r);
}

Test(stack, request_ids_differ_between_requests)
{
	struct it_resp	*a = it_call("GET", "/healthz", NULL, NULL, NULL);
	char		 first[128];
	struct it_resp	*b;

	snprintf(first, sizeof(first), "%s", it_header(a, "x-request-id"));
	b = it_call("GET", "/healthz", NULL, NULL, NULL);
	cr_assert_str_neq(first, it_header(b, "x-request-id"));
	it_free(a);
	it_free(b);
}

Test(stack, unknown_route_outside_v2_is_json_404_from_nginx)
{
	struct it_resp  *r = it_call("GET", "/index.html", NULL, NULL, NULL);

	it_assert_error(r, 404, "not_found");
	it_free(r);
}

Test(stack, unknown_route_under_v2_is_json_404)
{
	struct it_resp	*r = it_get("/v2/no/such/thing");

	it_assert_error(r, 404, "not_found");
	it_free(r);
}

Test(stack, wrong_method_is_405_with_allow)
{
	struct it_resp  *r = it_call("DELETE", "/healthz", NULL, NULL, NULL);

	it_assert_error(r, 405, "method_not_allowed");
	cr_assert_str_eq(it_header(r, "allow"), "GET");
	it_free(r);
}

Test(stack, body_over_one_mebibyte_is_json_413_from_nginx)
{
	size_t		 n = (1 << 20) + 10;
	char		*body = malloc(n + 1);
	struct it_resp	*r;

	cr_assert_not_null(body);
	memset(body, ' ', n);
	body[0] = '{';
	body[n - 1] = '}';
	body[n] = '\0';
	r = it_send("POST", "/v2/clients/c/domains/d/assignments", body);
	it_assert_error(r, 413, "payload_too_large");
	free(body);
	it_free(r);
}

Test(stack, encoded_nul_in_the_request_line_is_json_400)
{
	struct it_resp	*r;

	it_http1 = 1;
	r = it_call("GET", "/v2/clients/a%00b", NULL, NULL, NULL);
	it_http1 = 0;
	it_assert_error(r, 400, NULL);
	it_free(r);
}

Test(stack, dot_segments_above_the_root_are_json_400)
{
	struct it_resp	*r;

	it_http1 = 1;
	r = it_call("GET", "/../../etc/passwd", NULL, NULL, NULL);
	it_http1 = 0;
	it_assert_error(r, 400, NULL);
	it_free(r);
}

Test(stack, plain_http_on_the_https_port_is_json_400)
{
	struct it_resp	*r;

	it_plain = 1;
	r = it_call("GET", "/healthz", NULL, NULL, NULL);
	it_plain = 0;
	it_assert_error(r, 400, "https_required");
	it_free(r);
}

Test(stack, an_unknown_transfer_coding_is_json_501)
{
	static const char *const te[] = { "Transfer-Encoding: gzip", NULL };
	struct it_resp	*r;

	it_http1 = 1;
	r = it_call("POST", "/v2/models", NULL, NULL, te);
	it_http1 = 0;
	it_assert_error(r, 501, "not_implemented");
	it_free(r);
}

Test(stack, overlong_uri_is_a_json_error)
{
	size_t		 n = 20000;
	char		*path = malloc(n + 2);
	struct it_resp	*r;

	memset(path, 'a', n);
	path[0] = '/';
	path[n] = '\0';
	it_http1 = 1;
	r = it_call("GET", path, NULL, NULL, NULL);
	it_http1 = 0;
	cr_assert(r->status == 414 || r->status == 400, "%ld", r->status);
	it_assert_error(r, r->status, NULL);
	free(path);
	it_free(r);
}

/* The pids of the master's workers, from pgrep.  Returns how many. */
static int
workers(pid_t *pids, int max)
{
	char	 cmd[1024];
	FILE	*p;
	int	 n = 0;
	long	 pid;

	snprintf(cmd, sizeof(cmd), "pgrep -P \"$(cat %s/run/pie.pid)\"",
	    it_stack_dir());
	p = popen(cmd, "r");
	cr_assert_not_null(p);
	while (n < max && fscanf(p, "%ld", &pid) == 1)
		pids[n++] = (pid_t)pid;
	pclose(p);
	return n;
}

Test(stack, a_killed_worker_is_replaced_and_requests_keep_succeeding)
{
	pid_t		 before[64], after[64];
	int		 nb, na, i, tries;
	struct it_resp	*r;

	nb = workers(before, 64);
	cr_assert_gt(nb, 0, "no workers found");
	cr_assert_eq(kill(before[0], SIGKILL), 0);

	for (i = 0; i < 40; i++) {
		r = it_call("GET", "/healthz", NULL, NULL, NULL);
		cr_assert_eq(r->status, 200, "request %d: %ld %s", i,
		    r->status, r->body);
		it_free(r);
	}
	for (tries = 0; tries < 50; tries++) {
		na = workers(after, 64);
		if (na == nb)
			break;
		usleep(100000);
	}
	cr_assert_eq(na, nb, "the pool has %d workers, expected %d", na, nb);
	for (i = 0; i < na; i++)
		cr_assert_neq(after[i], before[0], "the killed pid is back");
}

static int
run(const char *what)
{
	char	 cmd[1024];

	snprintf(cmd, sizeof(cmd), "%s/scripts/stack-mariadb %s "
	    ">/dev/null 2>&1", getenv("PIE_TOP"), what);
	return system(cmd);
}

/* Polls /readyz until it answers want, for at most 30 s. */
static long
readyz_until(long want)
{
	struct it_resp	*r;
	long		 got = 0;
	int		 i;

	for (i = 0; i < 300 && got != want; i++) {
		r = it_call("GET", "/readyz", NULL, NULL, NULL);
		got = r->status;
		if (got == 503)
			it_assert_error(r, 503, "database_unavailable");
		it_free(r);
		if (got != want)
			usleep(100000);
	}
	return got;
}

Test(stack, readyz_follows_the_database_down_and_up_without_a_restart)
{
	it_require_stack();
	cr_assert_eq(run("stop"), 0, "cannot stop MariaDB");
	cr_assert_eq(readyz_until(503), 503);
	cr_assert_eq(run("start"), 0, "cannot start MariaDB");
	cr_assert_eq(readyz_until(200), 200);
}
