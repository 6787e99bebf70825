/*
 * itest.h: helpers for the integration tests, which talk to a running
 * stack through nginx over TLS, exactly as a user's curl would.
 *
 * The stack is the one scripts/test brings up; it is found through the
 * environment (PIE_TEST_URL, PIE_STACK_DIR, PIE_TOKEN_BIN).  Without it
 * every integration test is skipped, so "make check" on a machine with no
 * stack still runs the unit tests.
 */
#ifndef PIE_ITEST_H
#define PIE_ITEST_H

#include <sys/types.h>

#include <stddef.h>
#include <stdio.h>

struct json_object;

struct it_resp {
	long			 status;
	char			*body;
	size_t			 len;
	char			*headers;	/* raw, lowercase names */
	struct json_object	*json;		/* NULL when not JSON */
};

/* Set to 1 to speak HTTP/1.1 instead of negotiating HTTP/2. */
extern int	 it_http1;
/* Set to 1 to speak plain HTTP/1.1 to the HTTPS port. */
extern int	 it_plain;

/* Skips the calling test when no stack is configured. */
void		 it_require_stack(void);

/* The stack's state directory (for keys, logs and pid files). */
const char	*it_stack_dir(void);

/*
 * Mints a token with pie-token.  args are extra pie-token arguments,
 * e.g. "-S 'assignments:read' -C client-1 -e 60".  The default key and
 * algorithm of the stack are used unless args say otherwise.  Returns a
 * new string; the test aborts when minting fails.
 */
char		*it_token(const char *args);

/* A token with every scope for every client. */
const char	*it_admin_token(void);

/*
 * Sends a request.  token may be NULL (no Authorization header); body may
 * be NULL.  extra is NULL or a NULL-terminated list of header lines.
 * Aborts the test when the request cannot be made at all.
 */
struct it_resp	*it_call(const char *method, const char *path,
		    const char *token, const char *body,
		    const char *const *extra);

/* Shorthands with the admin token and a JSON content type. */
struct it_resp	*it_get(const char *path);
struct it_resp	*it_send(const char *method, const char *path,
		    const char *body);

/* The value of a response header (name in lowercase), or NULL. */
const char	*it_header(const struct it_resp *, const char *name);

/* A string member of the JSON body ("a.b" descends), or NULL. */
const char	*it_str(const struct it_resp *, const char *path);
/* An integer member of the JSON body, or -1. */
long long	 it_int(const struct it_resp *, const char *path);
/* A member of the JSON body, borrowed, or NULL. */
struct json_object *it_obj(const struct it_resp *, const char *path);

/*
 * Asserts the response is an error envelope with this status and code:
 * success false, a non-empty error message, and the API's headers.
 */
void		 it_assert_error(const struct it_resp *, long status,
		    const char *code);

/* A unique identifier for this test run, prefixed (e.g. "c-…"). */
const char	*it_unique(const char *prefix);

/*
 * Walks every page of the list at path, whose query must already hold
 * ?limit=limit, following next_cursor until it is null.  Asserts that
 * each page is 200 with at most limit items.  Returns the number of
 * items; the first max of them have their string member key copied into
 * ids (free each with free).  *pages, when not NULL, gets the number of
 * pages.
 */
size_t		 it_walk(const char *path, int limit, const char *key,
		    char **ids, size_t max, int *pages);

void		 it_free(struct it_resp *);

/* The header list of a JSON body, for it_call's extra. */
extern const char *const it_json_ct[];

/*
 * Sends body (may be NULL) with method to path with the admin token and
 * asserts that the answer has this status.
 */
void		 it_expect(const char *method, const char *path,
		    const char *body, long status);

/*
 * Creates a new client (its path into buf), a new client with one
 * domain "d1" (the domain's path), or a new model (its path), each with
 * a unique id, asserting 201.
 */
void		 it_new_client(char *buf, size_t len);
void		 it_new_domain(char *buf, size_t len);
void		 it_new_model(char *buf, size_t len);

/*
 * 1 when pid no longer runs.  A process that ended but that nobody has
 * reaped yet (its new parent may be slow to) counts as ended.
 */
int		 it_gone(pid_t pid);

/*
 * The pid of the stack's master (run/pie.pid, as scripts/stack-up
 * writes it), or 0 when there is none or it names no live process.
 */
pid_t		 it_master_pid(void);

/* The child processes of pid into kids, at most max; returns how many. */
int		 it_children(pid_t pid, pid_t *kids, int max);

/*
 * Opens a root mariadb client on the stack's database whose answers go
 * to the file out, unbuffered, so a test can see when a statement has
 * run (it_wait_for).  The session lives until the returned pipe is
 * closed (pclose).
 */
FILE		*it_db_session(const char *out);

/* Waits (at most 30 s) until the file path contains word. */
void		 it_wait_for(const char *path, const char *word);

/*
 * The file at path from offset on (past its end: nothing), as a
 * NUL-terminated string the caller frees.  Aborts the test when the
 * file cannot be read.
 */
char		*it_read_file(const char *path, long offset);

#endif /* PIE_ITEST_H */
