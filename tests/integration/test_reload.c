/*
 * test_reload.c: the master's lifecycle, as a user of the stack sees it.
 *
 * Keys and settings reload on SIGHUP without dropping a request: threads
 * keep calling the API through nginx while the master replaces its
 * workers, and every answer must be 200 or the 401 a refused key earns,
 * never a 502 or any other failure.  Under load the old workers are gone
 * soon after the SIGHUP, and from then on every answer is the new
 * configuration's.  A broken configuration leaves the running one in
 * force and says why in the log.  Every test that changes the stack's
 * configuration restores it when it ends, even when it fails.
 *
 * A pool drains on SIGTERM: each worker answers the request in hand and
 * takes no other, even when connections are always waiting.  Its workers
 * stop when its master is killed; it refuses a socket another pool
 * serves, moves its pid file on a reload and removes it at stop, and
 * holds no descriptor it inherited.  Tests that stop a pool, or keep
 * one busier than nginx's rate limit lets a client, start a private
 * pie-fcgi with the stack's configuration on a socket of its own and
 * speak FastCGI to it directly, as nginx would, so the stack serves on
 * undisturbed.  The one exception kills the stack's master itself, to
 * show through nginx that its workers stop with it, and starts the pool
 * again as scripts/stack-up does.
 */
#include <sys/types.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/time.h>
#include <sys/un.h>
#include <sys/wait.h>

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <criterion/criterion.h>
#include <curl/curl.h>

#include "itconf.h"
#include "itest.h"

#define RELOAD_PATH	"/v2/models?limit=1"
#define RELOAD_THREADS	32	/* eight times the stack's workers */
#define RELOAD_CLIENTS	12	/* six times a private pool's workers */
#define RELOAD_WORKERS	2	/* in a private pool */
#define RELOAD_STRAY_FD	9	/* a descriptor a private pool inherits */
#define RELOAD_MAX_KIDS	64

struct reload_load;

/* What one request thread saw. */
struct reload_loop {
	struct reload_load	*load;
	const char		*tokens[2];	/* used in turn */
	long			 after[2];	/* their status once done */
	long			 n200, n401, nother, nstale;
	long			 first_other;	/* its status */
	char			 why[256];	/* its body */
	pthread_t		 thread;
};

/* Threads calling the API through nginx, and their sums. */
struct reload_load {
	struct reload_loop	 loop[RELOAD_THREADS];
	int			 n;
	const char		*path;		/* RELOAD_PATH unless set */
	const char		*body;		/* a PUT's, or NULL: GET */
	useconds_t		 pause;		/* between two requests */
	volatile int		 stop;
	volatile int		 done;		/* the reload has finished */
	struct reload_loop	 sum;
};

static char	 reload_priv[PATH_MAX], reload_pub[PATH_MAX];

/* The load running, stopped by the fini when an assert ends a test. */
static struct reload_load	*reload_running;

static size_t
reload_body(char *data, size_t size, size_t n, void *user)
{
	char	*buf = user;
	size_t	 have = strlen(buf), len = size * n;

	if (have + len >= 256)
		len = 255 - have;
	memcpy(buf + have, data, len);
	buf[have + len] = '\0';
	return size * n;
}

/*
 * Counts one answer to tokens[which]: 200, the 401 a refused key earns,
 * or a failure (the first kept for the message).  An answer to a request
 * sent after the reload finished must be the new configuration's.
 */
static void
reload_count(struct reload_loop *l, int which, long status,
    const char *body, int after)
{
	if (status == 200)
		l->n200++;
	else if (status == 401 && strstr(body, "\"code\":\"invalid_"
	    "signature\"") != NULL)
		l->n401++;
	else if (l->nother++ == 0) {
		l->first_other = status;
		snprintf(l->why, sizeof(l->why), "%s", body);
	}
	if (after && l->after[which] != 0 && status != l->after[which])
		l->nstale++;
}

/*
 * The request loop, in its own thread: it may not use Criterion's
 * asserts, so it only counts, and the test asserts on the counts.
 */
static void *
reload_run(void *arg)
{
	struct reload_loop	*l = arg;
	const struct reload_load *ld = l->load;
	struct curl_slist	*h;
	char			 url[1024], ca[PATH_MAX], auth[4096];
	char			 body[256];
	long			 status, i;
	int			 after;
	CURL			*c = curl_easy_init();

	snprintf(url, sizeof(url), "%s%s", getenv("PIE_TEST_URL"),
	    ld->path != NULL ? ld->path : RELOAD_PATH);
	snprintf(ca, sizeof(ca), "%s/tls/cert.pem", getenv("PIE_STACK_DIR"));
	if (c != NULL && ld->body != NULL) {
		curl_easy_setopt(c, CURLOPT_CUSTOMREQUEST, "PUT");
		curl_easy_setopt(c, CURLOPT_POSTFIELDS, ld->body);
	}
	for (i = 0; c != NULL && !ld->stop; i++) {
		snprintf(auth, sizeof(auth), "Authorization: Bearer %s",
		    l->tokens[i % 2]);
		h = curl_slist_append(NULL, auth);
		if (ld->body != NULL)
			h = curl_slist_append(h, "Content-Type: "
			    "application/json");
		body[0] = '\0';
		after = ld->done;
		curl_easy_setopt(c, CURLOPT_URL, url);
		curl_easy_setopt(c, CURLOPT_CAINFO, ca);
		curl_easy_setopt(c, CURLOPT_HTTPHEADER, h);
		curl_easy_setopt(c, CURLOPT_TIMEOUT, 30L);
		curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, reload_body);
		curl_easy_setopt(c, CURLOPT_WRITEDATA, body);
		status = curl_easy_perform(c) == CURLE_OK ? 0 : -1;
		if (status == 0)
			curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &status);
		curl_slist_free_all(h);
		reload_count(l, (int)(i % 2), status, body, after);
		if (ld->pause > 0)
			usleep(ld->pause);
	}
	curl_easy_cleanup(c);
	return NULL;
}

/*
 * Starts n request threads (at most RELOAD_THREADS) sending tokens a and
 * b in turn, each pausing pause microseconds between requests: GET
 * RELOAD_PATH, or PUT body to path when path is not NULL.  after[] are
 * the statuses a and b must get once ld->done is set (0: any).
 */
static void
reload_load_start(struct reload_load *ld, int n, useconds_t pause,
    const char *path, const char *body, const char *a, const char *b,
    const long after[2])
{
	int	 i;

	memset(ld, 0, sizeof(*ld));
	ld->n = n;
	ld->pause = pause;
	ld->path = path;
	ld->body = body;
	curl_global_init(CURL_GLOBAL_DEFAULT);
	for (i = 0; i < n; i++) {
		ld->loop[i].load = ld;
		ld->loop[i].tokens[0] = a;
		ld->loop[i].tokens[1] = b;
		if (after != NULL) {
			ld->loop[i].after[0] = after[0];
			ld->loop[i].after[1] = after[1];
		}
		cr_assert_eq(pthread_create(&ld->loop[i].thread, NULL,
		    reload_run, &ld->loop[i]), 0);
	}
	reload_running = ld;
	usleep(300000);
}

/* Stops the threads of the running load, if any. */
static void
reload_load_stop(void)
{
	int	 i;

	if (reload_running == NULL)
		return;
	reload_running->stop = 1;
	for (i = 0; i < reload_running->n; i++)
		pthread_join(reload_running->loop[i].thread, NULL);
	reload_running = NULL;
}

/*
 * Stops the threads, sums what they saw into ld->sum, and asserts they
 * saw nothing but 200 and expected 401.
 */
static void
reload_load_finish(struct reload_load *ld)
{
	struct reload_loop	*s = &ld->sum, *l;
	int			 i;

	usleep(300000);
	reload_load_stop();
	for (i = 0; i < ld->n; i++) {
		l = &ld->loop[i];
		s->n200 += l->n200;
		s->n401 += l->n401;
		s->nstale += l->nstale;
		if (l->nother > 0 && s->nother == 0) {
			s->first_other = l->first_other;
			memcpy(s->why, l->why, sizeof(s->why));
		}
		s->nother += l->nother;
	}
	cr_assert_eq(s->nother, 0, "%ld of %ld requests failed during the "
	    "reload; the first: %ld %s", s->nother,
	    s->n200 + s->n401 + s->nother, s->first_other, s->why);
	cr_assert_gt(s->n200, 0, "no request succeeded during the reload");
}

/* GET RELOAD_PATH with token; returns the status, checks a 401's code. */
static long
reload_try(const char *token)
{
	struct it_resp  *r = it_call("GET", RELOAD_PATH, token, NULL, NULL);
	long		 status = r->status;

	if (status == 401)
		it_assert_error(r, 401, "invalid_signature");
	it_free(r);
	return status;
}

static void
reload_setup(void)
{
	it_require_stack();
	itconf_save();
	itconf_new_key("rotated", reload_priv, reload_pub);
}

static void
reload_teardown(void)
{
	reload_load_stop();
	itconf_restore();
	unlink(reload_priv);
	unlink(reload_pub);
}

Test(reload, sighup_swaps_the_key_without_failing_a_request,
    .init = reload_setup, .fini = reload_teardown)
{
	static struct reload_load ld;	/* the fini may stop it */
	char			*old, *new, args[PATH_MAX + 64];

	old = it_token("-S 'registry:read' -C '*'");
	snprintf(args, sizeof(args), "-S 'registry:read' -C '*' -k '%s'",
	    reload_priv);
	new = it_token(args);
	cr_assert_eq(reload_try(old), 200);
	cr_assert_eq(reload_try(new), 401);

	reload_load_start(&ld, 1, 2000, NULL, NULL, old, new, NULL);
	itconf_write(reload_pub, NULL);
	cr_assert_eq(itconf_reload(), 1, "the new key was refused");
	reload_load_finish(&ld);
	cr_assert_gt(ld.sum.n401, 0);

	cr_assert_eq(reload_try(old), 401, "the old key is still trusted");
	cr_assert_eq(reload_try(new), 200, "the new key is not trusted");
	free(old);
	free(new);
}

Test(reload, a_missing_key_file_keeps_the_running_configuration,
    .init = reload_setup, .fini = reload_teardown)
{
	static struct reload_load ld;	/* the fini may stop it */
	char			*old, *log, missing[PATH_MAX];

	old = it_token("-S 'registry:read' -C '*'");
	snprintf(missing, sizeof(missing), "%s/keys/no-such-key.pem",
	    it_stack_dir());
	reload_load_start(&ld, 1, 2000, NULL, NULL, old, old, NULL);
	itconf_write(missing, NULL);
	cr_assert_eq(itconf_reload(), 0, "a reload without its key file "
	    "was accepted");
	reload_load_finish(&ld);
	cr_assert_eq(ld.sum.n401, 0);

	log = itconf_log_since_reload();
	cr_assert(strstr(log, "reload refused") != NULL, "%s", log);
	cr_assert(strstr(log, "no-such-key.pem") != NULL,
	    "the log does not name the missing file: %s", log);
	free(log);
	cr_assert_eq(reload_try(old), 200);
	free(old);
}

Test(reload, a_configuration_that_does_not_parse_keeps_the_running_one,
    .init = reload_setup, .fini = reload_teardown)
{
	char	*old, *log;

	old = it_token("-S 'registry:read' -C '*'");
	itconf_write_raw("[server]\nworkers = many\n[no such section\n");
	cr_assert_eq(itconf_reload(), 0, "a broken file was accepted");
	log = itconf_log_since_reload();
	cr_assert(strstr(log, "reload refused") != NULL, "%s", log);
	cr_assert(strstr(log, "pie.conf") != NULL,
	    "the log does not name the file: %s", log);
	free(log);
	cr_assert_eq(reload_try(old), 200);
	free(old);
}

Test(reload, the_restored_configuration_trusts_the_original_key_again,
    .init = reload_setup, .fini = reload_teardown)
{
	char	*old = it_token("-S 'registry:read' -C '*'");

	itconf_write(reload_pub, NULL);
	cr_assert_eq(itconf_reload(), 1);
	cr_assert_eq(reload_try(old), 401);
	itconf_restore();
	cr_assert_eq(reload_try(old), 200);
	free(old);
}

/*
 * The end of a log, short enough for an assertion message (Criterion
 * drops a message that is too long for its pipe, and the test hangs).
 */
static const char *
reload_tail(const char *log)
{
	size_t	 len = strlen(log);

	return len > 1500 ? log + len - 1500 : log;
}

/*
 * A key to write under load: a new client, domain and model (one version)
 * through the API.  path gets the assignment's path, body the upsert.
 */
static void
reload_fixture(char *path, size_t plen, char *body, size_t blen)
{
	char	 domain[256], model[256];

	it_new_domain(domain, sizeof(domain));
	it_new_model(model, sizeof(model));
	snprintf(path, plen, "%s/versions/1", model);
	it_expect("PUT", path, "{\"freeze\":{\"features\":[]}}", 201);
	snprintf(path, plen, "%s/assignments/load", domain);
	snprintf(body, blen, "{\"model_id\":\"%s\",\"model_version\":"
	    "\"1\"}", strrchr(model, '/') + 1);
	it_expect("PUT", path, body, 200);
}

Test(reload, sighup_under_load_replaces_every_worker_and_fails_nothing,
    .init = reload_setup, .fini = reload_teardown)
{
	static const long	 after[2] = { 401, 200 };
	static struct reload_load ld;	/* the fini may stop it */
	static char		 path[512], body[512];
	char			*old, *new, *log, args[PATH_MAX + 64];

	reload_fixture(path, sizeof(path), body, sizeof(body));
	old = it_token("-S 'assignments:write' -C '*'");
	snprintf(args, sizeof(args), "-S 'assignments:write' -C '*' -k "
	    "'%s'", reload_priv);
	new = it_token(args);

	/*
	 * Upserts of one key wait for each other's row lock, so with eight
	 * times as many threads as workers the workers are the bottleneck
	 * and connections always wait on the socket, well below nginx's
	 * rate limit.  itconf_reload returns once no old worker is left and
	 * gives up after 20 s; from then on the old key must be refused.
	 */
	reload_load_start(&ld, RELOAD_THREADS, 0, path, body, old, new,
	    after);
	itconf_write(reload_pub, NULL);
	cr_assert_eq(itconf_reload(), 1, "the new key was refused");
	ld.done = 1;
	reload_load_finish(&ld);
	cr_assert_gt(ld.sum.n401, 0);
	cr_assert_eq(ld.sum.nstale, 0, "%ld requests sent after the reload "
	    "finished were answered with the old key set", ld.sum.nstale);

	log = itconf_log_since_reload();
	cr_assert(strstr(log, "reload done: every worker is of generation")
	    != NULL, "%s", reload_tail(log));
	cr_assert(strstr(log, "killing") == NULL, "%s", reload_tail(log));
	free(log);
	free(old);
	free(new);
}

/* How many times needle occurs in hay. */
static int
reload_occurrences(const char *hay, const char *needle)
{
	int	 n = 0;

	while ((hay = strstr(hay, needle)) != NULL) {
		n++;
		hay += strlen(needle);
	}
	return n;
}

/* The pid scripts/stack-up wrote for the stack's master. */
static pid_t
reload_stack_master(void)
{
	pid_t	 pid = it_master_pid();

	cr_assert_gt(pid, 0, "the stack's master does not run");
	return pid;
}

/* Waits up to seconds for every pid of kids to end; 1 when they did. */
static int
reload_wait_gone(const pid_t *kids, int n, int seconds)
{
	int	 i, t, left = n;

	for (t = 0; t < seconds * 10 && left > 0; t++) {
		usleep(100000);
		for (i = 0, left = 0; i < n; i++)
			left += !it_gone(kids[i]);
	}
	return left == 0;
}

/* GET path through nginx; returns the status. */
static long
reload_status(const char *path)
{
	struct it_resp	*r = it_call("GET", path, NULL, NULL, NULL);
	long		 status = r->status;

	it_free(r);
	return status;
}

/*
 * Starts the stack's pool again when its master is gone, as
 * scripts/stack-up's start_pie does, and waits for nginx to reach it.
 */
static void
reload_stack_restart(void)
{
	const char	*s = it_stack_dir();
	char		 cmd[6 * PATH_MAX];
	int		 i;

	if (it_master_pid() != 0)
		return;
	snprintf(cmd, sizeof(cmd), "setsid '%s/build/pie-fcgi' -c "
	    "'%s/etc/pie.conf' </dev/null >>'%s/log/pie.log' 2>&1 & "
	    "echo $! >'%s/run/pie.pid'", s, s, s, s);
	cr_assert_eq(system(cmd), 0, "cannot run %s", cmd);
	for (i = 0; i < 100 && reload_status("/healthz") != 200; i++)
		usleep(100000);
	cr_assert(reload_status("/healthz") == 200 &&
	    it_master_pid() != 0, "the stack's pool did not "
	    "start again: see %s/log/pie.log", s);
}

Test(reload, workers_stop_when_their_master_is_killed,
    .init = it_require_stack, .fini = reload_stack_restart)
{
	pid_t		 master = reload_stack_master(), kids[RELOAD_MAX_KIDS];
	struct it_resp	*r;
	int		 n;

	cr_assert_eq(reload_status("/healthz"), 200);
	n = it_children(master, kids, RELOAD_MAX_KIDS);
	cr_assert_gt(n, 0, "the master %ld has no workers", (long)master);

	cr_assert_eq(kill(master, SIGKILL), 0);
	cr_assert(reload_wait_gone(kids, n, 10), "workers of the killed "
	    "master still run 10 s later");
	r = it_call("GET", "/healthz", NULL, NULL, NULL);
	it_assert_error(r, 502, "bad_gateway");
	it_free(r);

	/* The socket file left behind is stale, and a new pool takes it. */
	reload_stack_restart();
	cr_assert_neq(reload_stack_master(), master);
}

/* The pie-fcgi to start: PIE_FCGI_BIN, else the stack's build. */
static const char *
reload_bin(void)
{
	static char	 bin[PATH_MAX];
	const char	*env = getenv("PIE_FCGI_BIN");

	if (env != NULL && env[0] != '\0')
		return env;
	snprintf(bin, sizeof(bin), "%s/build/pie-fcgi", it_stack_dir());
	return bin;
}

Test(reload, a_second_pool_refuses_the_socket_a_pool_serves,
    .init = it_require_stack)
{
	char	 cmd[3 * PATH_MAX], out[4096];
	pid_t	 master = reload_stack_master();
	FILE	*p;
	size_t	 n;
	int	 status;

	/* A pool that took the socket would serve until stopped. */
	snprintf(cmd, sizeof(cmd), "timeout 10 '%s' -c '%s/etc/pie.conf' "
	    "</dev/null 2>&1", reload_bin(), it_stack_dir());
	p = popen(cmd, "r");
	cr_assert_not_null(p);
	n = fread(out, 1, sizeof(out) - 1, p);
	out[n] = '\0';
	status = pclose(p);
	cr_assert(WIFEXITED(status) && WEXITSTATUS(status) == 1,
	    "a second pool on a live socket did not fail: %s", out);
	cr_assert(strstr(out, "another process accepts connections") !=
	    NULL, "%s", out);

	cr_assert(!it_gone(master));
	cr_assert_eq(reload_status("/healthz"), 200, "the first pool lost "
	    "its socket");
}

/* A pool of its own: the stack's configuration on another socket. */
struct reload_pool {
	char	 dir[64];
	char	 conf[128], sock[128], log[128];
	pid_t	 pid;
	int	 stray;		/* read end of what the pool inherited */
};

/* The private pool of the test running, cleaned by reload_pool_fini. */
static struct reload_pool	 reload_pool_cur = { .stray = -1 };

static void	 reload_pool_fini(void);

/*
 * Writes the pool's configuration: the stack's, with its own socket,
 * RELOAD_WORKERS workers and, unless pid is NULL, pid_file = dir/pid.
 */
static void
reload_pool_conf(struct reload_pool *p, const char *pid)
{
	char	 path[PATH_MAX], *line = NULL;
	size_t	 cap = 0;
	FILE	*in, *out;

	snprintf(path, sizeof(path), "%s/etc/pie.conf", it_stack_dir());
	in = fopen(path, "r");
	out = fopen(p->conf, "w");
	cr_assert(in != NULL && out != NULL);
	while (getline(&line, &cap, in) > 0) {
		if (strncmp(line, "listen", 6) == 0 ||
		    strncmp(line, "workers", 7) == 0 ||
		    strncmp(line, "pid_file", 8) == 0)
			continue;
		fputs(line, out);
		if (strncmp(line, "[server]", 8) != 0)
			continue;
		fprintf(out, "listen = unix:%s\nworkers = %d\n", p->sock,
		    RELOAD_WORKERS);
		if (pid != NULL)
			fprintf(out, "pid_file = %s/%s\n", p->dir, pid);
	}
	free(line);
	fclose(in);
	cr_assert_eq(fclose(out), 0);
}

/* Execs the pool in a forked child: output to its log, fd 9 stray. */
static void
reload_pool_exec(const struct reload_pool *p, int stray)
{
	int	 fd = open(p->log, O_WRONLY | O_CREAT | O_APPEND, 0600);
	int	 nul = open("/dev/null", O_RDONLY);

	if (fd < 0 || nul < 0 || dup2(nul, 0) < 0 || dup2(fd, 1) < 0 ||
	    dup2(fd, 2) < 0 || dup2(stray, RELOAD_STRAY_FD) < 0)
		_exit(126);
	execl(reload_bin(), "pie-fcgi", "-c", p->conf, (char *)NULL);
	_exit(127);
}

/*
 * Starts a private pool (pid_file as reload_pool_conf) and waits until
 * it has started its workers.  It inherits the write end of a pipe as
 * fd RELOAD_STRAY_FD; p->stray is the read end, non-blocking.
 */
static void
reload_pool_start(struct reload_pool *p, const char *pid)
{
	char	*log = NULL;
	int	 fds[2], i, status, fd;

	memset(p, 0, sizeof(*p));
	p->stray = -1;
	strcpy(p->dir, "/tmp/pie-pool-XXXXXX");
	cr_assert_not_null(mkdtemp(p->dir));
	snprintf(p->conf, sizeof(p->conf), "%s/pie.conf", p->dir);
	snprintf(p->sock, sizeof(p->sock), "%s/pie.sock", p->dir);
	snprintf(p->log, sizeof(p->log), "%s/pie.log", p->dir);
	reload_pool_conf(p, pid);
	fd = open(p->log, O_WRONLY | O_CREAT, 0600);
	cr_assert_geq(fd, 0, "cannot create %s", p->log);
	close(fd);

	cr_assert_eq(pipe2(fds, O_CLOEXEC), 0);
	if ((p->pid = fork()) == 0)
		reload_pool_exec(p, fds[1]);
	close(fds[1]);
	p->stray = fds[0];
	fcntl(p->stray, F_SETFL, O_NONBLOCK);
	cr_assert_gt(p->pid, 0);

	for (i = 0; i < 100; i++) {
		usleep(100000);
		free(log);
		log = it_read_file(p->log, 0);
		if (strstr(log, "] started ") != NULL)
			break;
		if (waitpid(p->pid, &status, WNOHANG) == p->pid) {
			p->pid = 0;
			break;
		}
	}
	cr_assert(strstr(log, "] started ") != NULL, "the pool did not "
	    "start: %s", reload_tail(log));
	free(log);
	usleep(300000);
}

/*
 * Sends SIGTERM to the pool's master and waits for it, longer than its
 * own 30 s of grace.  Returns its wait status.
 */
static int
reload_pool_stop(struct reload_pool *p)
{
	int	 i, status = 0;

	cr_assert_eq(kill(p->pid, SIGTERM), 0);
	for (i = 0; i < 450; i++) {
		if (waitpid(p->pid, &status, WNOHANG) == p->pid)
			break;
		usleep(100000);
	}
	cr_assert_lt(i, 450, "the pool did not stop in 45 s");
	p->pid = 0;
	return status;
}

/* Kills what is left of the pool and removes its files. */
static void
reload_pool_clean(struct reload_pool *p)
{
	char	 cmd[128];

	if (p->pid > 0) {
		kill(p->pid, SIGKILL);
		waitpid(p->pid, NULL, 0);
		p->pid = 0;
	}
	if (p->stray >= 0)
		close(p->stray);
	p->stray = -1;
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", p->dir);
	if (p->dir[0] != '\0' && system(cmd) != 0)
		cr_log_warn("cannot remove %s", p->dir);
	p->dir[0] = '\0';
}

Test(reload, the_pool_closes_descriptors_it_inherited,
    .init = it_require_stack, .fini = reload_pool_fini)
{
	struct reload_pool	*p = &reload_pool_cur;
	char			 c;
	ssize_t			 n;

	reload_pool_start(p, NULL);

	/* Once nobody holds the pipe's write end, reading it ends. */
	n = read(p->stray, &c, 1);
	cr_assert_eq(n, 0, "fd %d inherited by the pool is still open in it"
	    " (read: %s)", RELOAD_STRAY_FD, n < 0 ? strerror(errno) : "data");
	reload_pool_stop(p);
}

/*
 * Sends SIGHUP to the pool and waits until its log says the reload was
 * made or refused.  Returns 1 when made, 0 when refused.
 */
static int
reload_pool_hup(struct reload_pool *p)
{
	struct stat	 st;
	char		*log;
	int		 i, done = -1;

	cr_assert_eq(stat(p->log, &st), 0);
	cr_assert_eq(kill(p->pid, SIGHUP), 0);
	for (i = 0; i < 100 && done < 0; i++) {
		usleep(100000);
		log = it_read_file(p->log, 0);
		if (strstr(log + st.st_size, "reload refused") != NULL)
			done = 0;
		else if (strstr(log + st.st_size, "reloaded ") != NULL)
			done = 1;
		free(log);
	}
	cr_assert_geq(done, 0, "the pool did not reload in 10 s");
	return done;
}

/* The pid in dir/name, or 0 when there is no such file. */
static long
reload_pid_in(const struct reload_pool *p, const char *name)
{
	char	 path[PATH_MAX], *s;
	long	 pid;

	snprintf(path, sizeof(path), "%s/%s", p->dir, name);
	if (access(path, F_OK) != 0)
		return 0;
	s = it_read_file(path, 0);
	pid = atol(s);
	free(s);
	return pid;
}

Test(reload, the_pid_file_follows_a_reload_and_goes_at_stop,
    .init = it_require_stack, .fini = reload_pool_fini)
{
	struct reload_pool	*p = &reload_pool_cur;
	long			 master;
	int			 status;

	reload_pool_start(p, "a.pid");
	master = (long)p->pid;
	cr_assert_eq(reload_pid_in(p, "a.pid"), master);

	reload_pool_conf(p, "b.pid");
	cr_assert_eq(reload_pool_hup(p), 1);
	cr_assert_eq(reload_pid_in(p, "b.pid"), master, "the new pid file "
	    "was not written");
	cr_assert_eq(reload_pid_in(p, "a.pid"), 0, "the old pid file "
	    "was left behind");

	/* A pid file that cannot be written refuses the whole reload. */
	reload_pool_conf(p, "no-such-dir/c.pid");
	cr_assert_eq(reload_pool_hup(p), 0);
	cr_assert_eq(reload_pid_in(p, "b.pid"), master);

	status = reload_pool_stop(p);
	cr_assert(WIFEXITED(status) && WEXITSTATUS(status) == 0);
	cr_assert_eq(reload_pid_in(p, "b.pid"), 0, "the pid file was left "
	    "behind at stop");
}

/* How one FastCGI request to a pool ended. */
enum reload_end {
	RELOAD_ANSWERED,	/* a whole answer, END_REQUEST included */
	RELOAD_REFUSED,		/* no connection: nobody listens */
	RELOAD_DROPPED,		/* connected, closed without a byte */
	RELOAD_CUT		/* part of an answer, then closed */
};

/* Appends a FastCGI record header for request 1; returns the new end. */
static size_t
reload_fcgi_head(unsigned char *buf, size_t at, int type, size_t len)
{
	buf[at++] = 1;
	buf[at++] = (unsigned char)type;
	buf[at++] = 0;
	buf[at++] = 1;
	buf[at++] = (unsigned char)(len >> 8);
	buf[at++] = (unsigned char)(len & 0xff);
	buf[at++] = 0;
	buf[at++] = 0;
	return at;
}

/* Appends a FastCGI name or value length; returns the new end. */
static size_t
reload_fcgi_len(unsigned char *buf, size_t at, size_t len)
{
	if (len < 128) {
		buf[at++] = (unsigned char)len;
		return at;
	}
	buf[at++] = (unsigned char)(0x80 | (len >> 24));
	buf[at++] = (unsigned char)(len >> 16);
	buf[at++] = (unsigned char)(len >> 8);
	buf[at++] = (unsigned char)len;
	return at;
}

/* Appends one FastCGI parameter; returns the new end. */
static size_t
reload_fcgi_param(unsigned char *buf, size_t at, const char *name,
    const char *value)
{
	at = reload_fcgi_len(buf, at, strlen(name));
	at = reload_fcgi_len(buf, at, strlen(value));
	memcpy(buf + at, name, strlen(name));
	at += strlen(name);
	memcpy(buf + at, value, strlen(value));
	return at + strlen(value);
}

/*
 * Builds the records nginx would send for GET RELOAD_PATH with token:
 * BEGIN_REQUEST (responder, connection not kept), the parameters, and
 * an empty body.  Returns the length in buf (4096 bytes).
 */
static size_t
reload_fcgi_request(unsigned char *buf, const char *token, long id)
{
	static const unsigned char begin[8] = { 0, 1 };
	unsigned char	 params[3072];
	char		 auth[2048], rid[32];
	size_t		 at = 0, plen = 0;

	snprintf(auth, sizeof(auth), "Bearer %s", token);
	snprintf(rid, sizeof(rid), "drain-%ld", id);
	plen = reload_fcgi_param(params, plen, "REQUEST_METHOD", "GET");
	plen = reload_fcgi_param(params, plen, "REQUEST_URI", RELOAD_PATH);
	plen = reload_fcgi_param(params, plen, "REQUEST_ID", rid);
	plen = reload_fcgi_param(params, plen, "HTTP_AUTHORIZATION", auth);

	at = reload_fcgi_head(buf, at, 1, sizeof(begin));
	memcpy(buf + at, begin, sizeof(begin));
	at += sizeof(begin);
	at = reload_fcgi_head(buf, at, 4, plen);
	memcpy(buf + at, params, plen);
	at += plen;
	at = reload_fcgi_head(buf, at, 4, 0);
	return reload_fcgi_head(buf, at, 5, 0);
}

/*
 * 1 when the records in buf include END_REQUEST; *status is then the
 * Status the answer carries (0 when it has none).
 */
static int
reload_fcgi_ended(const unsigned char *buf, size_t len, long *status)
{
	const unsigned char	*st;
	size_t			 at = 0, clen;

	st = memmem(buf, len, "Status: ", 8);
	*status = st != NULL ? atol((const char *)st + 8) : 0;
	while (at + 8 <= len) {
		if (buf[at + 1] == 3)
			return 1;
		clen = (size_t)buf[at + 4] << 8 | buf[at + 5];
		at += 8 + clen + buf[at + 6];
	}
	return 0;
}

/* Sends one request to the pool on sock; says how it ended. */
static enum reload_end
reload_fcgi_get(const char *sock, const char *token, long id, long *status)
{
	struct sockaddr_un	 sun;
	struct timeval		 tv = { 20, 0 };
	unsigned char		 req[4096], buf[65536];
	size_t			 len, got = 0;
	ssize_t			 n;
	int			 fd;

	memset(&sun, 0, sizeof(sun));
	sun.sun_family = AF_UNIX;
	snprintf(sun.sun_path, sizeof(sun.sun_path), "%s", sock);
	if ((fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0)) < 0)
		return RELOAD_REFUSED;
	if (connect(fd, (struct sockaddr *)&sun, sizeof(sun)) != 0) {
		close(fd);
		return RELOAD_REFUSED;
	}
	setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
	len = reload_fcgi_request(req, token, id);
	n = send(fd, req, len, MSG_NOSIGNAL);
	while (got < sizeof(buf) &&
	    (n = recv(fd, buf + got, sizeof(buf) - got, 0)) > 0)
		got += (size_t)n;
	close(fd);
	if (got == 0)
		return RELOAD_DROPPED;
	return reload_fcgi_ended(buf, got, status) ? RELOAD_ANSWERED :
	    RELOAD_CUT;
}

struct reload_flood;

/* One thread of a flood and what it saw, by how each request ended. */
struct reload_client {
	struct reload_flood	*flood;
	long			 id;		/* of its next request */
	long			 count[4];
	long			 not200;	/* answers other than 200 */
	pthread_t		 thread;
};

/* Threads sending FastCGI requests to a private pool without a pause. */
struct reload_flood {
	const char		*sock, *token;
	volatile int		 stop;
	struct reload_client	 client[RELOAD_CLIENTS];
	long			 sum[4], not200;
};

/* The flood running, stopped by reload_pool_fini after a failure. */
static struct reload_flood	*reload_flooding;

static void *
reload_flood_run(void *arg)
{
	struct reload_client	*c = arg;
	struct reload_flood	*f = c->flood;
	enum reload_end		 end;
	long			 status;

	while (!f->stop) {
		end = reload_fcgi_get(f->sock, f->token, c->id++, &status);
		c->count[end]++;
		if (end == RELOAD_ANSWERED && status != 200)
			c->not200++;
		if (end == RELOAD_REFUSED)
			usleep(10000);
	}
	return NULL;
}

static void
reload_flood_start(struct reload_flood *f, const char *sock)
{
	int	 i;

	memset(f, 0, sizeof(*f));
	f->sock = sock;
	f->token = it_admin_token();
	for (i = 0; i < RELOAD_CLIENTS; i++) {
		f->client[i].flood = f;
		f->client[i].id = (long)i * 1000000;
		cr_assert_eq(pthread_create(&f->client[i].thread, NULL,
		    reload_flood_run, &f->client[i]), 0);
	}
	reload_flooding = f;
	usleep(500000);
}

/* Stops the flood and sums what its threads saw. */
static void
reload_flood_finish(struct reload_flood *f)
{
	int	 i, e;

	f->stop = 1;
	for (i = 0; i < RELOAD_CLIENTS; i++) {
		pthread_join(f->client[i].thread, NULL);
		for (e = 0; e < 4; e++)
			f->sum[e] += f->client[i].count[e];
		f->not200 += f->client[i].not200;
	}
	reload_flooding = NULL;
}

/* Stops a flood and the private pool a failed test left running. */
static void
reload_pool_fini(void)
{
	if (reload_flooding != NULL)
		reload_flood_finish(reload_flooding);
	reload_pool_clean(&reload_pool_cur);
}

Test(reload, sigterm_under_load_finishes_what_it_took_and_takes_no_more,
    .init = it_require_stack, .fini = reload_pool_fini)
{
	struct reload_pool	*p = &reload_pool_cur;
	static struct reload_flood f;	/* the fini may stop it */
	char			*log, *stop;
	int			 status, late;

	reload_pool_start(p, NULL);
	reload_flood_start(&f, p->sock);
	status = reload_pool_stop(p);
	reload_flood_finish(&f);
	log = it_read_file(p->log, 0);

	cr_assert(WIFEXITED(status) && WEXITSTATUS(status) == 0, "%s",
	    reload_tail(log));
	cr_assert(strstr(log, "killing") == NULL, "workers had to be "
	    "killed: %s", reload_tail(log));
	cr_assert_not_null(stop = strstr(log, "stopping on signal 15"));
	cr_assert_eq(reload_occurrences(stop, "exited with status 0"),
	    RELOAD_WORKERS, "%s", reload_tail(stop));

	/*
	 * After the SIGTERM each worker logs at most the request it had in
	 * hand and one it was accepting at that instant; every answer that
	 * started came out whole.
	 */
	late = reload_occurrences(stop, " GET /v2/models ");
	cr_assert_leq(late, 2 * RELOAD_WORKERS, "%d requests were served "
	    "after the SIGTERM", late);
	cr_assert_gt(f.sum[RELOAD_ANSWERED], RELOAD_CLIENTS);
	cr_assert_eq(f.not200, 0, "%ld answers were not 200", f.not200);
	cr_assert_eq(f.sum[RELOAD_CUT], 0, "%ld answers were cut short",
	    f.sum[RELOAD_CUT]);
	cr_log_info("answered %ld, dropped from the backlog %ld, refused %ld",
	    f.sum[RELOAD_ANSWERED], f.sum[RELOAD_DROPPED],
	    f.sum[RELOAD_REFUSED]);
	free(log);
}

Test(reload, sighup_under_load_replaces_every_old_worker_at_once,
    .init = it_require_stack, .fini = reload_pool_fini)
{
	struct reload_pool	*p = &reload_pool_cur;
	static struct reload_flood f;	/* the fini may stop it */
	pid_t			 old[RELOAD_MAX_KIDS];
	char			*log;
	int			 n;

	reload_pool_start(p, NULL);
	reload_flood_start(&f, p->sock);
	n = it_children(p->pid, old, RELOAD_MAX_KIDS);
	cr_assert_eq(n, RELOAD_WORKERS);

	/*
	 * The clients keep a connection waiting on the socket, so an old
	 * worker that waited for a quiet moment to see its SIGTERM would
	 * run for as long as the load lasts.
	 */
	cr_assert_eq(kill(p->pid, SIGHUP), 0);
	cr_assert(reload_wait_gone(old, n, 20), "old workers still run 20 s "
	    "after the SIGHUP");
	reload_flood_finish(&f);
	log = it_read_file(p->log, 0);
	cr_assert(strstr(log, "reload done") != NULL, "%s",
	    reload_tail(log));
	free(log);

	/* The socket stayed open throughout: every request was answered. */
	cr_assert_gt(f.sum[RELOAD_ANSWERED], RELOAD_CLIENTS);
	cr_assert_eq(f.sum[RELOAD_REFUSED] + f.sum[RELOAD_DROPPED] +
	    f.sum[RELOAD_CUT], 0, "refused %ld, dropped %ld, cut %ld",
	    f.sum[RELOAD_REFUSED], f.sum[RELOAD_DROPPED], f.sum[RELOAD_CUT]);
	cr_assert_eq(f.not200, 0, "%ld answers were not 200", f.not200);
	reload_pool_stop(p);
}
