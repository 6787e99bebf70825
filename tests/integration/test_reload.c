/*
 * test_reload.c: keys and settings reload on SIGHUP without dropping a
 * request.  A thread keeps calling the API through nginx while the
 * master replaces its workers; every answer must be 200 or the 401 a
 * refused key earns, never a 502 or any other failure.  A broken
 * configuration must leave the running one in force and say why in the
 * log.  Every test restores the stack's configuration when it ends,
 * even when it fails.
 */
#include <limits.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <criterion/criterion.h>
#include <curl/curl.h>

#include "itconf.h"
#include "itest.h"

#define RELOAD_PATH	"/v2/models?limit=1"

/* What the request loop saw. */
struct reload_loop {
	const char		*tokens[2];	/* used in turn */
	volatile int		 stop;
	long			 n200, n401, nother;
	long			 first_other;	/* its status */
	char			 why[256];	/* its body */
	pthread_t		 thread;
};

static char	 reload_priv[PATH_MAX], reload_pub[PATH_MAX];

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
 * The request loop, in its own thread: it may not use Criterion's
 * asserts, so it only counts, and the test asserts on the counts.
 */
static void *
reload_run(void *arg)
{
	struct reload_loop	*l = arg;
	struct curl_slist	*h;
	char			 url[512], ca[PATH_MAX], auth[4096];
	char			 body[256];
	long			 status, i;
	CURL			*c = curl_easy_init();

	snprintf(url, sizeof(url), "%s%s", getenv("PIE_TEST_URL"),
	    RELOAD_PATH);
	snprintf(ca, sizeof(ca), "%s/tls/cert.pem", getenv("PIE_STACK_DIR"));
	for (i = 0; c != NULL && !l->stop; i++) {
		snprintf(auth, sizeof(auth), "Authorization: Bearer %s",
		    l->tokens[i % 2]);
		h = curl_slist_append(NULL, auth);
		body[0] = '\0';
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
		if (status == 200)
			l->n200++;
		else if (status == 401 && strstr(body, "\"code\":\"invalid_"
		    "signature\"") != NULL)
			l->n401++;
		else if (l->nother++ == 0) {
			l->first_other = status;
			snprintf(l->why, sizeof(l->why), "%s", body);
		}
		usleep(2000);
	}
	curl_easy_cleanup(c);
	return NULL;
}

static void
reload_loop_start(struct reload_loop *l, const char *a, const char *b)
{
	memset(l, 0, sizeof(*l));
	l->tokens[0] = a;
	l->tokens[1] = b;
	cr_assert_eq(pthread_create(&l->thread, NULL, reload_run, l), 0);
	usleep(300000);
}

/* Stops the loop and asserts it saw nothing but 200 and expected 401. */
static void
reload_loop_finish(struct reload_loop *l)
{
	usleep(300000);
	l->stop = 1;
	pthread_join(l->thread, NULL);
	cr_assert_eq(l->nother, 0, "%ld of %ld requests failed during the "
	    "reload; the first: %ld %s", l->nother,
	    l->n200 + l->n401 + l->nother, l->first_other, l->why);
	cr_assert_gt(l->n200, 0, "no request succeeded during the reload");
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
	itconf_restore();
	unlink(reload_priv);
	unlink(reload_pub);
}

Test(reload, sighup_swaps_the_key_without_failing_a_request,
    .init = reload_setup, .fini = reload_teardown)
{
	struct reload_loop	 l;
	char			*old, *new, args[PATH_MAX + 64];

	old = it_token("-S 'registry:read' -C '*'");
	snprintf(args, sizeof(args), "-S 'registry:read' -C '*' -k '%s'",
	    reload_priv);
	new = it_token(args);
	cr_assert_eq(reload_try(old), 200);
	cr_assert_eq(reload_try(new), 401);

	reload_loop_start(&l, old, new);
	itconf_write(reload_pub, NULL);
	cr_assert_eq(itconf_reload(), 1, "the new key was refused");
	reload_loop_finish(&l);
	cr_assert_gt(l.n401, 0);

	cr_assert_eq(reload_try(old), 401, "the old key is still trusted");
	cr_assert_eq(reload_try(new), 200, "the new key is not trusted");
	free(old);
	free(new);
}

Test(reload, a_missing_key_file_keeps_the_running_configuration,
    .init = reload_setup, .fini = reload_teardown)
{
	struct reload_loop	 l;
	char			*old, *log, missing[PATH_MAX];

	old = it_token("-S 'registry:read' -C '*'");
	snprintf(missing, sizeof(missing), "%s/keys/no-such-key.pem",
	    it_stack_dir());
	reload_loop_start(&l, old, old);
	itconf_write(missing, NULL);
	cr_assert_eq(itconf_reload(), 0, "a reload without its key file "
	    "was accepted");
	reload_loop_finish(&l);
	cr_assert_eq(l.n401, 0);

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
