/*
 * test_stack.c: the running stack as a whole, through nginx over TLS:
 * health probes, the JSON errors of unknown routes and wrong methods,
 * nginx's own errors, a worker killed mid-life, the database going away,
 * hanging and coming back, a lock wait that outlasts the retries, and
 * the request log.  These tests disturb the stack, so they run one at a
 * time (scripts/test runs the suites in sequence).
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
	pid_t	 master = it_master_pid();

	cr_assert_gt(master, 0, "the stack's master does not run");
	return it_children(master, pids, max);
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

/* The pid in the stack's file rel (e.g. "mariadb/mariadb.pid"). */
static pid_t
pid_of(const char *rel)
{
	char	 path[1024];
	FILE	*f;
	long	 pid = 0;

	snprintf(path, sizeof(path), "%s/%s", it_stack_dir(), rel);
	f = fopen(path, "r");
	cr_assert_not_null(f, "no %s", path);
	cr_assert_eq(fscanf(f, "%ld", &pid), 1, "no pid in %s", path);
	fclose(f);
	cr_assert_gt(pid, 0);
	return (pid_t)pid;
}

/* The database server while a test holds it stopped, else 0. */
static pid_t	 frozen;

static void
thaw(void)
{
	if (frozen > 0)
		kill(frozen, SIGCONT);
	frozen = 0;
}

/*
 * Starts a GET of path with the curl program, in the background; its
 * status code is read back with fetched().
 */
static FILE *
fetch(const char *path)
{
	char	 cmd[1024];
	FILE	*p;

	snprintf(cmd, sizeof(cmd), "curl -sk -o /dev/null -w '%%{http_code}' "
	    "'%s%s'", getenv("PIE_TEST_URL"), path);
	p = popen(cmd, "r");
	cr_assert_not_null(p, "cannot run %s", cmd);
	return p;
}

static long
fetched(FILE *p)
{
	long	 code = 0;

	if (fscanf(p, "%ld", &code) != 1)
		code = 0;
	pclose(p);
	return code;
}

/*
 * A database that hangs (stopped, its socket still open) must cost
 * /readyz a short ping, not the web server's timeout: 503 JSON, even
 * with every worker probing at once.  /healthz never waits for the
 * database, so it stays 200 meanwhile.
 */
Test(stack, readyz_is_503_and_healthz_200_while_the_database_hangs,
    .fini = thaw)
{
	FILE		*probe[64];
	pid_t		 pids[64];
	struct it_resp	*r;
	int		 n, i;

	it_require_stack();
	cr_assert_eq(readyz_until(200), 200);
	n = workers(pids, 64);
	cr_assert_gt(n, 0, "no workers found");

	frozen = pid_of("mariadb/mariadb.pid");
	cr_assert_eq(kill(frozen, SIGSTOP), 0);

	/* One probe per worker, so /healthz has to wait for one. */
	for (i = 0; i < n; i++)
		probe[i] = fetch("/readyz");
	r = it_call("GET", "/healthz", NULL, NULL, NULL);
	cr_assert_eq(r->status, 200, "%ld %s", r->status, r->body);
	it_free(r);
	for (i = 0; i < n; i++)
		cr_assert_eq(fetched(probe[i]), 503, "probe %d", i);

	r = it_call("GET", "/readyz", NULL, NULL, NULL);
	it_assert_error(r, 503, "database_unavailable");
	it_free(r);
	r = it_call("GET", "/healthz", NULL, NULL, NULL);
	cr_assert_eq(r->status, 200, "%ld %s", r->status, r->body);
	it_free(r);

	thaw();
	cr_assert_eq(readyz_until(200), 200);
}

/* A mariadb session the lock test holds a row with, else NULL. */
static FILE	*holder;
static char	 holder_out[1024];

static void
release(void)
{
	if (holder != NULL) {
		fprintf(holder, "ROLLBACK;\n");
		pclose(holder);
	}
	holder = NULL;
	if (holder_out[0] != '\0')
		unlink(holder_out);
	holder_out[0] = '\0';
}

/*
 * Opens a root session on the stack's database that runs sql, whose
 * answers go unbuffered to holder_out, and waits (at most 30 s) until
 * they contain word.
 */
static void
hold(const char *sql, const char *word)
{
	snprintf(holder_out, sizeof(holder_out), "%s/log/%s.out",
	    it_stack_dir(), it_unique("hold"));
	holder = it_db_session(holder_out);
	fprintf(holder, "%s\n", sql);
	fflush(holder);
	it_wait_for(holder_out, word);
}

/*
 * A write that waits on a row lock longer than the stack's short
 * lock_wait_timeout, on every retry, is answered 503 unavailable (not
 * the web server's 504), and does not land later either.
 */
Test(stack, a_lock_wait_that_outlasts_the_retries_is_503, .fini = release)
{
	char		 path[256], sql[512];
	struct it_resp	*r;

	it_require_stack();
	it_new_client(path, sizeof(path));
	snprintf(sql, sizeof(sql), "START TRANSACTION; SELECT client_id "
	    "FROM clients WHERE client_id = '%s' FOR UPDATE; "
	    "SELECT 'row-locked';", path + strlen("/v2/clients/"));
	hold(sql, "row-locked");

	r = it_send("PUT", path, "{\"display_name\": \"changed\"}");
	it_assert_error(r, 503, "unavailable");
	it_free(r);

	release();
	r = it_get(path);
	cr_assert_eq(r->status, 200, "%s", r->body);
	cr_assert_str_eq(it_str(r, "display_name"), "Test client");
	it_free(r);
}

/* The line of the pool's log that has the request id, or NULL. */
static char *
log_line_of(const char *request_id)
{
	char	 path[1024], line[8192];
	FILE	*f;
	char	*found = NULL;

	snprintf(path, sizeof(path), "%s/log/pie.log", it_stack_dir());
	f = fopen(path, "r");
	cr_assert_not_null(f, "no %s", path);
	while (fgets(line, sizeof(line), f) != NULL)
		if (strstr(line, request_id) != NULL) {
			free(found);
			found = strdup(line);
		}
	fclose(f);
	return found;
}

/*
 * The request log names the caller's sub and client as single fields:
 * a sub with spaces and '=' cannot add a field of its own.  The
 * development stack stamps each line with the time.
 */
Test(stack, a_sub_cannot_forge_fields_of_the_request_log)
{
	char		*token, *line = NULL, id[128];
	struct it_resp	*r;
	int		 i;

	it_require_stack();
	token = it_token("-s 'ali ce client=forged code=x' "
	    "-S registry:read -e 60");
	r = it_call("GET", "/v2/models?limit=1", token, NULL, NULL);
	cr_assert_eq(r->status, 200, "%s", r->body);
	snprintf(id, sizeof(id), "%s", it_header(r, "x-request-id"));
	it_free(r);
	free(token);

	/* The worker writes the line just after it answers. */
	for (i = 0; i < 50 && line == NULL; i++)
		if ((line = log_line_of(id)) == NULL)
			usleep(100000);
	cr_assert_not_null(line, "no log line for request %s", id);
	cr_assert(strstr(line, " sub=ali%20ce%20client%3Dforged%20code%3Dx "
	    "client=-\n") != NULL, "%s", line);
	cr_assert_null(strstr(line, "client=forged"), "%s", line);
	cr_assert_null(strstr(line, " code=x"), "%s", line);
	cr_assert(line[0] >= '2' && line[0] <= '9' && line[4] == '-' &&
	    line[10] == 'T' && strchr(line, 'Z') != NULL &&
	    strchr(line, 'Z') < strstr(line, " info "), "%s", line);
	free(line);
}
