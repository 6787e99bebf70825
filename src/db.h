/*
 * db.h: the database access layer.
 *
 * Each worker holds one connection.  Every statement is a prepared
 * statement with bound parameters (no SQL is ever built from input), and
 * prepared statements are cached per SQL text for the life of the
 * connection.  A call that meets a deadlock or a lock wait timeout is
 * retried a few times with jitter; a connection that went away is
 * reopened on the next call.  Every wait on the server is bounded (the
 * [database] timeouts), so a database that hangs costs a request a 503,
 * never the web server's 504.  Results are copied out as strings, which
 * is all the handlers need: they render JSON.
 */
#ifndef PIE_DB_H
#define PIE_DB_H

#include <stddef.h>
#include <string.h>

#include "result.h"

struct config;
struct db;
struct db_result;

enum db_type {
	DB_NULL,
	DB_STR,
	DB_INT
};

struct db_arg {
	enum db_type	 type;
	const char	*s;
	size_t		 len;
	long long	 i;
};

/* A string argument; NULL becomes SQL NULL. */
static inline struct db_arg
db_str(const char *s)
{
	struct db_arg	 a = { s == NULL ? DB_NULL : DB_STR, s,
	    s == NULL ? 0 : strlen(s), 0 };

	return a;
}

static inline struct db_arg
db_int(long long i)
{
	struct db_arg	 a = { DB_INT, NULL, 0, i };

	return a;
}

static inline struct db_arg
db_null(void)
{
	struct db_arg	 a = { DB_NULL, NULL, 0, 0 };

	return a;
}

/*
 * A new handle for the database described by cfg (which must outlive
 * it).  It connects on first use, not here, so that a worker starts (and
 * answers /healthz) at once even while the database hangs; /readyz
 * reports the database.  Returns NULL only when out of memory.
 */
struct db	*db_new(const struct config *cfg);
void		 db_free(struct db *);

/*
 * PIE_OK when the server answers within ping_timeout, PIE_ERR_DB (logged)
 * otherwise; a connection that does not answer is closed and one new one
 * tried, with the same limit.
 */
enum pie_res	 db_ping(struct db *);

/*
 * The longest pause db_exec makes before its retry number attempt
 * (counted from 0), in milliseconds.
 */
long		 db_backoff_max_ms(int attempt);

/*
 * Runs SQL (a constant string: its address keys the statement cache) with
 * the NARGS arguments, and copies every result set into *out, which the
 * caller frees with db_result_free() (out may be NULL when no rows are
 * wanted).  Returns:
 *   PIE_OK
 *   PIE_ERR_REFUSED   a procedure SIGNALled a refusal (SQLSTATE class 45):
 *                     db_sqlstate() and db_message() say which
 *   PIE_ERR_RETRY     still deadlocked after the configured retries
 *   PIE_ERR_DB        anything else, already logged
 *   PIE_ERR_NOMEM
 */
enum pie_res	 db_exec(struct db *, const char *sql,
		    const struct db_arg *args, size_t nargs,
		    struct db_result **out);

/* The SQLSTATE and message of the last refusal. */
const char	*db_sqlstate(const struct db *);
const char	*db_message(const struct db *);

/* Accessors: out-of-range indexes give 0 or NULL, never a crash. */
size_t		 db_result_sets(const struct db_result *);
size_t		 db_result_rows(const struct db_result *, size_t set);
size_t		 db_result_cols(const struct db_result *, size_t set);
/* The column named NAME in SET, or -1. */
int		 db_result_col(const struct db_result *, size_t set,
		    const char *name);
/* A cell as a NUL-terminated string, or NULL for SQL NULL. */
const char	*db_result_get(const struct db_result *, size_t set,
		    size_t row, size_t col);
/* The same, looked up by column name. */
const char	*db_result_getn(const struct db_result *, size_t set,
		    size_t row, const char *name);
void		 db_result_free(struct db_result *);

/*
 * Turns a DATETIME(3) as the server prints it ("2026-12-03 18:26:23.123")
 * into RFC 3339 UTC ("2026-12-03T18:26:23.123Z").  out needs 25 bytes.
 * Returns 0, or -1 when the input is not of that shape.
 */
int		 db_rfc3339(const char *in, char *out, size_t outlen);

#endif /* PIE_DB_H */
