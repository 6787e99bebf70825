/*
 * test_concurrency.c: upserts racing each other through nginx, with
 * curl's multi interface driving every request at once.
 *
 * One key: every racer must succeed, each with its own revision number,
 * the numbers dense from 1, and one active revision left.  Many keys:
 * racers of different keys must all succeed and each key must end with
 * dense revisions; independence is shown without timing by holding one
 * key's lock open (an upsert waiting on it) while the other keys are
 * written: they finish although that key cannot.
 */
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <criterion/criterion.h>
#include <curl/curl.h>
#include <json-c/json.h>

#include "itest.h"

#define RACE_MAX	100

struct race {
	CURL			*easy[RACE_MAX];
	struct curl_slist	*hdrs;
	char			*body[RACE_MAX];
	size_t			 len[RACE_MAX];
	char			 url[RACE_MAX][700];
	char			 payload[RACE_MAX][512];
	long			 status[RACE_MAX];
	size_t			 n;
};

static size_t
race_collect(char *data, size_t size, size_t n, void *user)
{
	char	**slot = user, *np;
	size_t	  old = *slot != NULL ? strlen(*slot) : 0;

	np = realloc(*slot, old + size * n + 1);
	cr_assert_not_null(np);
	memcpy(np + old, data, size * n);
	np[old + size * n] = '\0';
	*slot = np;
	return size * n;
}

/* Adds a POST of payload to path to the race. */
static void
race_add(struct race *rc, const char *path, const char *payload)
{
	char	 ca[1024];
	size_t	 i = rc->n++;
	CURL	*c;

	cr_assert(i < RACE_MAX);
	snprintf(rc->url[i], sizeof(rc->url[i]), "%s%s",
	    getenv("PIE_TEST_URL"), path);
	snprintf(rc->payload[i], sizeof(rc->payload[i]), "%s", payload);
	snprintf(ca, sizeof(ca), "%s/tls/cert.pem", it_stack_dir());
	c = rc->easy[i] = curl_easy_init();
	cr_assert_not_null(c);
	curl_easy_setopt(c, CURLOPT_URL, rc->url[i]);
	curl_easy_setopt(c, CURLOPT_CAINFO, ca);
	curl_easy_setopt(c, CURLOPT_POSTFIELDS, rc->payload[i]);
	curl_easy_setopt(c, CURLOPT_HTTPHEADER, rc->hdrs);
	curl_easy_setopt(c, CURLOPT_TIMEOUT, 120L);
	curl_easy_setopt(c, CURLOPT_HTTP_VERSION,
	    (long)CURL_HTTP_VERSION_1_1);
	curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, race_collect);
	curl_easy_setopt(c, CURLOPT_WRITEDATA, &rc->body[i]);
}

static void
race_init(struct race *rc)
{
	char	 auth[8192];

	it_require_stack();
	memset(rc, 0, sizeof(*rc));
	snprintf(auth, sizeof(auth), "Authorization: Bearer %s",
	    it_admin_token());
	rc->hdrs = curl_slist_append(rc->hdrs, auth);
	rc->hdrs = curl_slist_append(rc->hdrs,
	    "Content-Type: application/json");
	rc->hdrs = curl_slist_append(rc->hdrs, "Expect:");
}

/* Runs every request of the race at once, to the end. */
static void
race_run(struct race *rc)
{
	CURLM	*m = curl_multi_init();
	size_t	 i;
	int	 running = 1;

	cr_assert_not_null(m);
	curl_multi_setopt(m, CURLMOPT_MAX_TOTAL_CONNECTIONS, (long)RACE_MAX);
	for (i = 0; i < rc->n; i++)
		curl_multi_add_handle(m, rc->easy[i]);
	while (running) {
		cr_assert_eq(curl_multi_perform(m, &running), CURLM_OK);
		if (running)
			curl_multi_poll(m, NULL, 0, 1000, NULL);
	}
	for (i = 0; i < rc->n; i++) {
		curl_easy_getinfo(rc->easy[i], CURLINFO_RESPONSE_CODE,
		    &rc->status[i]);
		curl_multi_remove_handle(m, rc->easy[i]);
	}
	curl_multi_cleanup(m);
}

static void
race_free(struct race *rc)
{
	size_t	 i;

	for (i = 0; i < rc->n; i++) {
		curl_easy_cleanup(rc->easy[i]);
		free(rc->body[i]);
	}
	curl_slist_free_all(rc->hdrs);
}

/* Asserts that every request of the race was answered 200. */
static void
race_assert_all_ok(const struct race *rc)
{
	size_t	 i;

	for (i = 0; i < rc->n; i++)
		cr_assert_eq(rc->status[i], 200, "racer %zu: %ld %s", i,
		    rc->status[i], rc->body[i] ? rc->body[i] : "");
}

/*
 * The revision member of response i, or -1; its id into id (id_size
 * bytes, "" when there is none) unless id is NULL.
 */
static int
race_revision(const struct race *rc, size_t i, char *id, size_t id_size)
{
	struct json_object	*o = json_tokener_parse(rc->body[i] ?
	    rc->body[i] : ""), *v;
	int			 rev = -1;

	if (o != NULL && json_object_object_get_ex(o, "revision", &v))
		rev = json_object_get_int(v);
	if (id != NULL)
		snprintf(id, id_size, "%s", o != NULL &&
		    json_object_object_get_ex(o, "id", &v) ?
		    json_object_get_string(v) : "");
	json_object_put(o);
	return rev;
}

struct cfx {
	char	 client[96], domain[96], model[96];
	char	 assignments[600];
};

/* A client, a domain, a model whose version 1 accepts anything. */
static void
cfx_make(struct cfx *f)
{
	struct it_resp	*r;
	const char	*bodies[] = { "{}", "{}", "{}",
	    "{\"freeze\":{\"features\":[]}}" };
	char		 paths[4][512];
	size_t		 i;

	snprintf(f->client, sizeof(f->client), "%s", it_unique("cc"));
	snprintf(f->domain, sizeof(f->domain), "%s", it_unique("cd"));
	snprintf(f->model, sizeof(f->model), "%s", it_unique("cm"));
	snprintf(paths[0], sizeof(paths[0]), "/v2/clients/%s", f->client);
	snprintf(paths[1], sizeof(paths[1]), "/v2/clients/%s/domains/%s",
	    f->client, f->domain);
	snprintf(paths[2], sizeof(paths[2]), "/v2/models/%s", f->model);
	snprintf(paths[3], sizeof(paths[3]), "/v2/models/%s/versions/1",
	    f->model);
	for (i = 0; i < 4; i++) {
		r = it_send("PUT", paths[i], bodies[i]);
		cr_assert_eq(r->status, 201, "PUT %s: %s", paths[i], r->body);
		it_free(r);
	}
	snprintf(f->assignments, sizeof(f->assignments), "%s/assignments",
	    paths[1]);
}

/* Asserts key cap has revisions n..1, newest first, one active. */
static void
cfx_assert_dense(const struct cfx *f, const char *cap, int n)
{
	struct it_resp		*r;
	struct json_object	*items, *v;
	char			 path[800];
	int			 i, active = 0;

	snprintf(path, sizeof(path), "%s/%s/revisions?limit=500",
	    f->assignments, cap);
	r = it_get(path);
	cr_assert_eq(r->status, 200, "%s", r->body);
	items = it_obj(r, "items");
	cr_assert_eq((int)json_object_array_length(items), n, "%s: %s", cap,
	    r->body);
	for (i = 0; i < n; i++) {
		json_object_object_get_ex(json_object_array_get_idx(items,
		    (size_t)i), "revision", &v);
		cr_assert_eq(json_object_get_int(v), n - i);
		json_object_object_get_ex(json_object_array_get_idx(items,
		    (size_t)i), "status", &v);
		active += strcmp(json_object_get_string(v), "active") == 0;
	}
	cr_assert_eq(active, 1, "%s has %d active revisions", cap, active);
	it_free(r);
}

static const char *
cfx_body(const struct cfx *f, const char *cap)
{
	static char	 body[512];

	snprintf(body, sizeof(body), "{\"capability\":\"%s\",\"model_id\":"
	    "\"%s\",\"model_version\":\"1\"}", cap, f->model);
	return body;
}

Test(concurrency, fifty_upserts_of_one_new_key_get_revisions_1_to_50)
{
	struct race	 rc;
	struct cfx	 f;
	char		 ids[51][64];
	int		 seen[51] = { 0 }, rev;
	size_t		 i;

	cfx_make(&f);
	race_init(&rc);
	for (i = 0; i < 50; i++)
		race_add(&rc, f.assignments, cfx_body(&f, "hot"));
	race_run(&rc);
	for (i = 0; i < rc.n; i++) {
		cr_assert_eq(rc.status[i], 200, "racer %zu: %ld %s", i,
		    rc.status[i], rc.body[i] ? rc.body[i] : "");
		rev = race_revision(&rc, i, NULL, 0);
		cr_assert(rev >= 1 && rev <= 50, "revision %d", rev);
		cr_assert_eq(seen[rev]++, 0, "revision %d given twice", rev);
		race_revision(&rc, i, ids[rev], sizeof(ids[rev]));
	}
	race_free(&rc);
	cfx_assert_dense(&f, "hot", 50);

	/* Ids are time-ordered: they sort as the revisions were made. */
	for (rev = 2; rev <= 50; rev++)
		cr_assert_gt(strcmp(ids[rev], ids[rev - 1]), 0,
		    "revision %d has id %s, before %s of revision %d", rev,
		    ids[rev], ids[rev - 1], rev - 1);
}

Test(concurrency, twenty_keys_times_five_upserts_all_succeed_densely)
{
	struct race	 rc;
	struct cfx	 f;
	char		 cap[32];
	size_t		 i, k;

	cfx_make(&f);
	race_init(&rc);
	for (i = 0; i < 5; i++)
		for (k = 0; k < 20; k++) {
			snprintf(cap, sizeof(cap), "key-%02zu", k);
			race_add(&rc, f.assignments, cfx_body(&f, cap));
		}
	race_run(&rc);
	race_assert_all_ok(&rc);
	race_free(&rc);
	for (k = 0; k < 20; k++) {
		snprintf(cap, sizeof(cap), "key-%02zu", k);
		cfx_assert_dense(&f, cap, 5);
	}
}

/*
 * Upserts of different keys that each patch a service of the domain must
 * each check that service against every effective assignment, so they
 * hold each other's keys; they take them in one order and never
 * deadlock, which would end, after the retries, in 503s.
 */
Test(concurrency, keys_that_patch_services_all_succeed_at_once)
{
	struct race	 rc;
	struct cfx	 f;
	struct it_resp	*r;
	char		 path[800], body[512];
	size_t		 i, k;

	cfx_make(&f);
	for (k = 0; k < 20; k++) {
		snprintf(path, sizeof(path), "/v2/clients/%s/domains/%s/"
		    "services/s%02zu", f.client, f.domain, k);
		r = it_send("PUT", path, "{\"provided_features\":{}}");
		cr_assert_eq(r->status, 201, "%s", r->body);
		it_free(r);
	}
	race_init(&rc);
	for (i = 0; i < 2; i++)
		for (k = 0; k < 20; k++) {
			snprintf(body, sizeof(body), "{\"capability\":"
			    "\"key-%02zu\",\"model_id\":\"%s\","
			    "\"model_version\":\"1\",\"service_updates\":"
			    "[{\"service_id\":\"s%02zu\",\"static_features\":"
			    "{\"round\":%zu}}]}", k, f.model, k, i);
			race_add(&rc, f.assignments, body);
		}
	race_run(&rc);
	race_assert_all_ok(&rc);
	race_free(&rc);
	for (k = 0; k < 20; k++) {
		snprintf(path, sizeof(path), "key-%02zu", k);
		cfx_assert_dense(&f, path, 2);
	}
}

/*
 * Opens a database session that locks the domain-default key row of cap
 * in the fixture's domain, and returns once it holds it.  Only the key
 * row: a lock on the domain row would stop new keys too.  The session
 * writes its answers to out (a path filled here); "ROLLBACK" and
 * pclose() let go.
 */
static FILE *
cfx_lock_key(const struct cfx *f, const char *cap, char *out, size_t len)
{
	FILE	*sql;

	snprintf(out, len, "%s/log/%s.sql.out", it_stack_dir(),
	    it_unique("lock"));
	sql = it_db_session(out);
	fprintf(sql, "SELECT domain_pk INTO @d FROM domains WHERE "
	    "client_id = '%s' AND domain_id = '%s'; START TRANSACTION; "
	    "SELECT key_pk FROM assignment_keys WHERE domain_pk = @d AND "
	    "scope_pk = 0 AND capability = '%s' FOR UPDATE; "
	    "SELECT 'key-locked';\n", f->client, f->domain, cap);
	fflush(sql);
	it_wait_for(out, "key-locked");
	return sql;
}

/* Drives m until done_needed more of its transfers have finished. */
static void
cfx_drive(CURLM *m, size_t done_needed)
{
	CURLMsg	*msg;
	size_t	 done = 0;
	int	 running, left;

	while (done < done_needed) {
		cr_assert_eq(curl_multi_perform(m, &running), CURLM_OK);
		while ((msg = curl_multi_info_read(m, &left)) != NULL)
			if (msg->msg == CURLMSG_DONE)
				done++;
		if (done < done_needed)
			curl_multi_poll(m, NULL, 0, 1000, NULL);
	}
}

/*
 * While one key's row is locked (by a database session that holds it
 * until told to let go), an upsert of that key waits, and upserts of
 * other keys, new and old, finish: they never wait on that key.  The
 * assertion is about order, not time: the others are all done while the
 * waiting upsert is still not.
 */
Test(concurrency, a_locked_key_does_not_hold_up_other_keys)
{
	struct race	 rc;
	struct cfx	 f;
	struct it_resp	*r;
	CURLM		*m;
	FILE		*sql;
	char		 cap[32], out[256];
	size_t		 i;
	long		 code = 0;

	cfx_make(&f);
	for (i = 0; i < 6; i++) {
		snprintf(cap, sizeof(cap), i < 5 ? "free-%02zu" : "held", i);
		r = it_send("POST", f.assignments, cfx_body(&f, cap));
		cr_assert_eq(r->status, 200, "%s", r->body);
		it_free(r);
	}

	sql = cfx_lock_key(&f, "held", out, sizeof(out));

	/* Racer 0 waits for the lock; racers 1..10 must all finish. */
	race_init(&rc);
	race_add(&rc, f.assignments, cfx_body(&f, "held"));
	for (i = 0; i < 10; i++) {
		snprintf(cap, sizeof(cap), i < 5 ? "free-%02zu" : "new-%02zu",
		    i % 5);
		race_add(&rc, f.assignments, cfx_body(&f, cap));
	}
	m = curl_multi_init();
	cr_assert_not_null(m);
	for (i = 0; i < rc.n; i++)
		curl_multi_add_handle(m, rc.easy[i]);
	cfx_drive(m, rc.n - 1);
	curl_easy_getinfo(rc.easy[0], CURLINFO_RESPONSE_CODE, &code);
	cr_assert_eq(code, 0, "the upsert of the locked key finished (%ld) "
	    "while its row was locked", code);
	for (i = 1; i < rc.n; i++) {
		curl_easy_getinfo(rc.easy[i], CURLINFO_RESPONSE_CODE, &code);
		cr_assert_eq(code, 200, "racer %zu: %ld %s", i, code,
		    rc.body[i] ? rc.body[i] : "");
	}

	/* Let go: the waiting upsert now goes through. */
	fprintf(sql, "ROLLBACK;\n");
	pclose(sql);
	cfx_drive(m, 1);
	curl_easy_getinfo(rc.easy[0], CURLINFO_RESPONSE_CODE, &code);
	cr_assert_eq(code, 200, "%s", rc.body[0] ? rc.body[0] : "");
	for (i = 0; i < rc.n; i++)
		curl_multi_remove_handle(m, rc.easy[i]);
	curl_multi_cleanup(m);
	race_free(&rc);
	unlink(out);

	cfx_assert_dense(&f, "held", 2);
	for (i = 0; i < 5; i++) {
		snprintf(cap, sizeof(cap), "free-%02zu", i);
		cfx_assert_dense(&f, cap, 2);
		snprintf(cap, sizeof(cap), "new-%02zu", i);
		cfx_assert_dense(&f, cap, 1);
	}
}

/* Sends sig to the stack's master process. */
static void
cfx_signal_master(int sig)
{
	pid_t	 pid = it_master_pid();

	cr_assert_gt(pid, 0, "the stack's master does not run");
	cr_assert_eq(kill(pid, sig), 0);
}

/*
 * A reload replaces every worker, and the old ones are told to stop: a
 * request one of them is serving (here an upsert waiting for a key row a
 * database session holds) still finishes, with its answer, instead of
 * being cut off.
 */
Test(concurrency, a_request_in_flight_survives_a_reload)
{
	struct race	 rc;
	struct cfx	 f;
	struct it_resp	*r;
	CURLM		*m;
	FILE		*sql;
	char		 out[256];
	long		 code = 0;
	int		 i, running;

	cfx_make(&f);
	r = it_send("POST", f.assignments, cfx_body(&f, "held"));
	cr_assert_eq(r->status, 200, "%s", r->body);
	it_free(r);

	sql = cfx_lock_key(&f, "held", out, sizeof(out));

	/* The upsert reaches a worker and waits there for the row. */
	race_init(&rc);
	race_add(&rc, f.assignments, cfx_body(&f, "held"));
	m = curl_multi_init();
	cr_assert_not_null(m);
	curl_multi_add_handle(m, rc.easy[0]);
	for (i = 0; i < 50; i++) {
		curl_multi_perform(m, &running);
		curl_multi_poll(m, NULL, 0, 10, NULL);
	}

	/* Replace the pool while that worker is busy, then let go. */
	cfx_signal_master(SIGHUP);
	for (i = 0; i < 100; i++) {
		curl_multi_perform(m, &running);
		curl_multi_poll(m, NULL, 0, 10, NULL);
	}
	curl_easy_getinfo(rc.easy[0], CURLINFO_RESPONSE_CODE, &code);
	cr_assert_eq(code, 0, "the upsert finished (%ld) while its key row "
	    "was still locked", code);
	fprintf(sql, "ROLLBACK;\n");
	pclose(sql);
	cfx_drive(m, 1);
	curl_easy_getinfo(rc.easy[0], CURLINFO_RESPONSE_CODE, &code);
	cr_assert_eq(code, 200, "the upsert in flight got %ld: %s", code,
	    rc.body[0] ? rc.body[0] : "");
	curl_multi_remove_handle(m, rc.easy[0]);
	curl_multi_cleanup(m);
	race_free(&rc);
	unlink(out);
	cfx_assert_dense(&f, "held", 2);
}
