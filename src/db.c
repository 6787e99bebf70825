/*
 * db.c: one MariaDB connection per worker (see db.h).
 */
#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <mysql.h>
#include <mysqld_error.h>
#include <errmsg.h>

#include <openssl/rand.h>

#include "config.h"
#include "db.h"
#include "log.h"

#define DB_STMT_CACHE	 64
#define DB_MAX_ARGS	 32
#define DB_IDLE_PING     5      /* s: an idle connection is pinged first */

struct db_stmt {
	const char      *sql;           /* the key: a constant's address */
	MYSQL_STMT	*stmt;
};

struct db {
	const struct config	*cfg;
	MYSQL                   *conn;          /* NULL while disconnected */
	time_t                   used;          /* last successful use */
	struct db_stmt		 cache[DB_STMT_CACHE];
	size_t			 ncache;
	char			 sqlstate[6];
	char			 message[512];
};

struct db_set {
	size_t		 cols, rows;
	char		**names;	/* cols entries */
	char            **cells;        /* rows * cols entries, NULL = NULL */
};

struct db_result {
	size_t		 nsets;
	struct db_set	*sets;
};

/* Closes every cached statement and the connection itself. */
static void
db_disconnect(struct db *db)
{
	size_t	 i;

	for (i = 0; i < db->ncache; i++)
		mysql_stmt_close(db->cache[i].stmt);
	db->ncache = 0;
	if (db->conn != NULL)
		mysql_close(db->conn);
	db->conn = NULL;
}

/*
 * Opens the connection, waiting at most timeout seconds for the server's
 * greeting.  Every later read and write on it is bounded by read_timeout
 * and write_timeout, and the session's lock waits by lock_wait_timeout,
 * so that a lock wait comes back as an error that can be retried before
 * the web server gives up on the request.  Returns PIE_OK or PIE_ERR_DB
 * (logged).
 */
static enum pie_res
db_open(struct db *db, unsigned int timeout)
{
	const struct config	*c = db->cfg;
	unsigned int		 rd = (unsigned)c->db_read_timeout;
	unsigned int		 wr = (unsigned)c->db_write_timeout;
	char			 init[128];
	MYSQL			*m;

	if ((m = mysql_init(NULL)) == NULL) {
		log_error("database: mysql_init failed: out of memory");
		return PIE_ERR_DB;
	}
	snprintf(init, sizeof(init), "SET time_zone = '+00:00', "
	    "innodb_lock_wait_timeout = %d", c->db_lock_wait_timeout);
	mysql_options(m, MYSQL_OPT_CONNECT_TIMEOUT, &timeout);
	mysql_options(m, MYSQL_OPT_READ_TIMEOUT, &rd);
	mysql_options(m, MYSQL_OPT_WRITE_TIMEOUT, &wr);
	mysql_options(m, MYSQL_SET_CHARSET_NAME, "utf8mb4");
	mysql_options(m, MYSQL_INIT_COMMAND, init);
	if (mysql_real_connect(m, c->db_socket != NULL ? NULL : c->db_host,
	    c->db_user, c->db_password, c->db_name, (unsigned)c->db_port,
	    c->db_socket, CLIENT_MULTI_RESULTS) == NULL) {
		log_error("database: cannot connect to %s: %s",
		    c->db_socket != NULL ? c->db_socket : c->db_host,
		    mysql_error(m));
		mysql_close(m);
		return PIE_ERR_DB;
	}

	/* Pings wait less than statements do: see db_ping_within. */
	if (mysql_options(m, MYSQL_OPT_NONBLOCK, 0) != 0) {
		log_error("database: cannot set up non-blocking pings: out "
		    "of memory");
		mysql_close(m);
		return PIE_ERR_DB;
	}
	db->conn = m;
	db->used = time(NULL);
	return PIE_OK;
}

/* Milliseconds since start. */
static long
db_elapsed_ms(const struct timespec *start)
{
	struct timespec	 now;

	clock_gettime(CLOCK_MONOTONIC, &now);
	return (now.tv_sec - start->tv_sec) * 1000L +
	    (now.tv_nsec - start->tv_nsec) / 1000000L;
}

/*
 * Pings the server and waits at most ms for its answer.  A blocking
 * ping would wait the whole read_timeout, which is sized for the longest
 * statement, not for a probe; so the ping runs through the client
 * library's non-blocking calls and this function does the waiting.
 * Returns 0 when the server answered; -1 otherwise, after which the
 * connection is unusable and must be closed.
 */
static int
db_ping_within(MYSQL *m, int ms)
{
	struct pollfd	 pfd;
	struct timespec	 start;
	long		 left;
	int		 status, ret = 1, rc, ev;

	clock_gettime(CLOCK_MONOTONIC, &start);
	status = mysql_ping_start(&ret, m);
	while (status != 0) {
		if ((left = ms - db_elapsed_ms(&start)) <= 0)
			return -1;
		if ((status & MYSQL_WAIT_TIMEOUT) &&
		    (long)mysql_get_timeout_value_ms(m) < left)
			left = (long)mysql_get_timeout_value_ms(m);
		pfd.fd = mysql_get_socket(m);
		pfd.events = ((status & MYSQL_WAIT_READ) ? POLLIN : 0) |
		    ((status & MYSQL_WAIT_WRITE) ? POLLOUT : 0) |
		    ((status & MYSQL_WAIT_EXCEPT) ? POLLPRI : 0);
		pfd.revents = 0;
		if ((rc = poll(&pfd, 1, (int)left)) < 0 && errno == EINTR)
			continue;
		if (rc <= 0)
			return -1;
		ev = 0;
		if (pfd.revents & (POLLIN | POLLHUP | POLLERR))
			ev |= MYSQL_WAIT_READ;
		if (pfd.revents & POLLOUT)
			ev |= MYSQL_WAIT_WRITE;
		if (pfd.revents & POLLPRI)
			ev |= MYSQL_WAIT_EXCEPT;
		status = mysql_ping_cont(&ret, m, ev);
	}
	return ret == 0 ? 0 : -1;
}

/* Why a ping failed, for the log. */
static const char *
db_ping_error(MYSQL *m)
{
	return mysql_errno(m) != 0 ? mysql_error(m) : "no answer in time";
}

/*
 * Connects if not connected.  A connection idle for a while is pinged
 * first: the server may have closed it (wait_timeout, a restart), and a
 * statement sent on it would fail half-way, when it can no longer be
 * retried safely.  Returns PIE_OK or PIE_ERR_DB (logged).
 */
static enum pie_res
db_connect(struct db *db)
{
	const struct config	*c = db->cfg;
	time_t			 now = time(NULL);

	if (db->conn != NULL && now - db->used >= DB_IDLE_PING &&
	    db_ping_within(db->conn, c->db_ping_timeout * 1000) != 0) {
		log_info("database: idle connection does not answer (%s); "
		    "reconnecting", db_ping_error(db->conn));
		db_disconnect(db);
	}
	if (db->conn != NULL) {
		db->used = now;
		return PIE_OK;
	}
	return db_open(db, (unsigned)c->db_connect_timeout);
}

struct db *
db_new(const struct config *cfg)
{
	struct db	*db;

	if ((db = calloc(1, sizeof(*db))) == NULL)
		return NULL;
	db->cfg = cfg;
	return db;
}

void
db_free(struct db *db)
{
	if (db == NULL)
		return;
	db_disconnect(db);
	free(db);
}

enum pie_res
db_ping(struct db *db)
{
	const struct config	*c = db->cfg;
	unsigned int		 timeout = (unsigned)c->db_ping_timeout;
	int			 attempt;

	if ((unsigned)c->db_connect_timeout < timeout)
		timeout = (unsigned)c->db_connect_timeout;

	/*
	 * A connection the server dropped (a restart) fails its ping;
	 * the second attempt opens a new one, so the first probe after
	 * the database came back already says ready.  Opening waits no
	 * longer than the ping does, so a hung server costs the probe
	 * two ping timeouts at most.
	 */
	for (attempt = 0; attempt < 2; attempt++) {
		if (db->conn == NULL && db_open(db, timeout) != PIE_OK)
			return PIE_ERR_DB;
		if (db_ping_within(db->conn, c->db_ping_timeout * 1000) ==
		    0) {
			db->used = time(NULL);
			return PIE_OK;
		}
		log_warn("database: ping failed: %s",
		    db_ping_error(db->conn));
		db_disconnect(db);
	}
	return PIE_ERR_DB;
}

const char *
db_sqlstate(const struct db *db)
{
	return db->sqlstate;
}

const char *
db_message(const struct db *db)
{
	return db->message;
}

/* Errors after which the connection is unusable and must be reopened. */
static int
db_lost(unsigned int err)
{
	return err == CR_SERVER_GONE_ERROR || err == CR_SERVER_LOST ||
	    err == CR_CONNECTION_ERROR || err == CR_CONN_HOST_ERROR ||
	    err == ER_CONNECTION_KILLED || err == CR_COMMANDS_OUT_OF_SYNC;
}

/*
 * Returns the cached prepared statement for sql, preparing it on first
 * use.  NULL on failure, with *err set to the server's error number.
 */
static MYSQL_STMT *
db_prepare(struct db *db, const char *sql, unsigned int *err)
{
	MYSQL_STMT	*st;
	size_t		 i;

	for (i = 0; i < db->ncache; i++)
		if (db->cache[i].sql == sql)
			return db->cache[i].stmt;

	if ((st = mysql_stmt_init(db->conn)) == NULL) {
		*err = CR_OUT_OF_MEMORY;
		return NULL;
	}
	if (mysql_stmt_prepare(st, sql, strlen(sql)) != 0) {
		*err = mysql_stmt_errno(st);
		log_error("database: cannot prepare \"%.60s\": %s", sql,
		    mysql_stmt_error(st));
		mysql_stmt_close(st);
		return NULL;
	}

	/* A full cache drops its oldest entry. */
	if (db->ncache == DB_STMT_CACHE) {
		mysql_stmt_close(db->cache[0].stmt);
		memmove(db->cache, db->cache + 1,
		    sizeof(db->cache[0]) * (DB_STMT_CACHE - 1));
		db->ncache--;
	}
	db->cache[db->ncache].sql = sql;
	db->cache[db->ncache++].stmt = st;
	return st;
}

void
db_result_free(struct db_result *r)
{
	size_t	 i, j;

	if (r == NULL)
		return;
	for (i = 0; i < r->nsets; i++) {
		for (j = 0; j < r->sets[i].cols; j++)
			free(r->sets[i].names[j]);
		for (j = 0; j < r->sets[i].cols * r->sets[i].rows; j++)
			free(r->sets[i].cells[j]);
		free(r->sets[i].names);
		free(r->sets[i].cells);
	}
	free(r->sets);
	free(r);
}

/* What fetching one result set needs, per column: a bind, a length, a flag. */
struct db_fetch {
	MYSQL_RES	*meta;		/* kept until the set is read */
	size_t		 cols;
	MYSQL_BIND	*bind;
	unsigned long	*lens;
	my_bool		*nulls;
};

static void
db_fetch_clear(struct db_fetch *f)
{
	if (f->meta != NULL)
		mysql_free_result(f->meta);
	free(f->bind);
	free(f->lens);
	free(f->nulls);
}

/*
 * Appends an empty set to r, named after the columns of st's current
 * result, and binds those columns as strings of unknown length.  Returns
 * the set, or NULL with *res set (PIE_ERR_NOMEM, or PIE_ERR_DB with *err).
 */
static struct db_set *
db_set_open(MYSQL_STMT *st, struct db_result *r, struct db_fetch *f,
    enum pie_res *res, unsigned int *err)
{
	MYSQL_FIELD	*fld;
	struct db_set	*set, *sets;
	size_t		 i;

	*res = PIE_ERR_NOMEM;
	f->cols = mysql_stmt_field_count(st);
	if ((sets = realloc(r->sets, sizeof(*sets) * (r->nsets + 1))) == NULL)
		return NULL;
	r->sets = sets;
	set = &r->sets[r->nsets++];
	memset(set, 0, sizeof(*set));

	if ((f->meta = mysql_stmt_result_metadata(st)) == NULL)
		return NULL;
	if ((set->names = calloc(f->cols, sizeof(char *))) == NULL ||
	    (f->bind = calloc(f->cols, sizeof(*f->bind))) == NULL ||
	    (f->lens = calloc(f->cols, sizeof(*f->lens))) == NULL ||
	    (f->nulls = calloc(f->cols, sizeof(*f->nulls))) == NULL)
		return NULL;
	set->cols = f->cols;
	fld = mysql_fetch_fields(f->meta);
	for (i = 0; i < f->cols; i++) {
		if ((set->names[i] = strdup(fld[i].name)) == NULL)
			return NULL;
		f->bind[i].buffer_type = MYSQL_TYPE_STRING;
		f->bind[i].length = &f->lens[i];
		f->bind[i].is_null = &f->nulls[i];
	}
	if (mysql_stmt_bind_result(st, f->bind) != 0) {
		*err = mysql_stmt_errno(st);
		*res = PIE_ERR_DB;
		return NULL;
	}
	*res = PIE_OK;
	return set;
}

/*
 * Copies the row just fetched into a new row of set: each cell is sized
 * from its length, then fetched alone.  Returns PIE_OK, PIE_ERR_NOMEM,
 * or PIE_ERR_DB with *err set.
 */
static enum pie_res
db_copy_row(MYSQL_STMT *st, struct db_set *set, const struct db_fetch *f,
    size_t *cap, unsigned int *err)
{
	MYSQL_BIND	 b;
	char		**cells;
	size_t		 i;

	if ((set->rows + 1) * f->cols > *cap) {
		*cap = *cap == 0 ? f->cols * 16 : *cap * 2;
		if ((cells = realloc(set->cells, *cap * sizeof(char *))) ==
		    NULL)
			return PIE_ERR_NOMEM;
		set->cells = cells;
	}
	cells = set->cells + set->rows * f->cols;
	memset(cells, 0, f->cols * sizeof(char *));
	set->rows++;

	for (i = 0; i < f->cols; i++) {
		if (f->nulls[i])
			continue;
		if ((cells[i] = malloc(f->lens[i] + 1)) == NULL)
			return PIE_ERR_NOMEM;
		memset(&b, 0, sizeof(b));
		b.buffer_type = MYSQL_TYPE_STRING;
		b.buffer = cells[i];
		b.buffer_length = f->lens[i] + 1;
		if (f->lens[i] > 0 && mysql_stmt_fetch_column(st, &b,
		    (unsigned)i, 0) != 0) {
			*err = mysql_stmt_errno(st);
			return PIE_ERR_DB;
		}
		cells[i][f->lens[i]] = '\0';
	}
	return PIE_OK;
}

/*
 * Copies the current result set of st into a new set of r.  Returns
 * PIE_OK, PIE_ERR_NOMEM, or PIE_ERR_DB with *err set.  On failure the
 * rest of the set is drained, so the statement stays usable.
 */
static enum pie_res
db_copy_set(MYSQL_STMT *st, struct db_result *r, unsigned int *err)
{
	struct db_fetch	 f;
	struct db_set	*set;
	size_t		 cap = 0;
	int		 rc;
	enum pie_res	 res = PIE_OK;

	memset(&f, 0, sizeof(f));
	if ((set = db_set_open(st, r, &f, &res, err)) == NULL) {
		db_fetch_clear(&f);
		return res;
	}
	while ((rc = mysql_stmt_fetch(st)) == 0 || rc == MYSQL_DATA_TRUNCATED)
		if ((res = db_copy_row(st, set, &f, &cap, err)) != PIE_OK)
			break;
	if (res != PIE_OK)
		while ((rc = mysql_stmt_fetch(st)) == 0 ||
		    rc == MYSQL_DATA_TRUNCATED)
			continue;
	else if (rc == 1) {
		*err = mysql_stmt_errno(st);
		res = PIE_ERR_DB;
	}
	db_fetch_clear(&f);
	return res;
}

/*
 * One attempt at a statement.  Returns PIE_OK, PIE_ERR_NOMEM, or
 * PIE_ERR_DB with *err holding the server or client error number (the
 * statement's SQLSTATE and message are copied into db).
 */
static enum pie_res
db_attempt(struct db *db, const char *sql, const struct db_arg *args,
    size_t nargs, struct db_result *r, unsigned int *err)
{
	MYSQL_BIND	 bind[DB_MAX_ARGS];
	MYSQL_STMT	*st;
	size_t		 i;
	int		 status;
	enum pie_res	 res = PIE_OK;

	*err = 0;
	if (db_connect(db) != PIE_OK) {
		*err = CR_CONNECTION_ERROR;
		return PIE_ERR_DB;
	}
	if ((st = db_prepare(db, sql, err)) == NULL)
		return PIE_ERR_DB;

	memset(bind, 0, sizeof(bind));
	for (i = 0; i < nargs; i++) {
		if (args[i].type == DB_NULL)
			bind[i].buffer_type = MYSQL_TYPE_NULL;
		else if (args[i].type == DB_INT) {
			bind[i].buffer_type = MYSQL_TYPE_LONGLONG;
			bind[i].buffer = (void *)&args[i].i;
		} else {
			bind[i].buffer_type = MYSQL_TYPE_STRING;
			bind[i].buffer = (void *)args[i].s;
			bind[i].buffer_length = args[i].len;
		}
	}
	if (mysql_stmt_bind_param(st, bind) != 0 ||
	    mysql_stmt_execute(st) != 0)
		goto fail;

	/* A CALL yields any number of result sets, then a status. */
	do {
		if (mysql_stmt_field_count(st) > 0) {
			res = db_copy_set(st, r, err);
			mysql_stmt_free_result(st);
			if (res == PIE_ERR_DB)
				goto fail;
		}
		status = mysql_stmt_next_result(st);
	} while (status == 0);
	if (status > 0)
		goto fail;
	return res;
fail:
	*err = mysql_stmt_errno(st);
	snprintf(db->sqlstate, sizeof(db->sqlstate), "%s",
	    mysql_stmt_sqlstate(st));
	snprintf(db->message, sizeof(db->message), "%s",
	    mysql_stmt_error(st));
	mysql_stmt_reset(st);
	return PIE_ERR_DB;
}

/* The pauses before retries: 5 ms plus up to 20 << attempt ms more. */
#define DB_BACKOFF_MIN		5
#define DB_BACKOFF_SPAN(a)	(20L << ((a) < 6 ? (a) : 6))

long
db_backoff_max_ms(int attempt)
{
	return DB_BACKOFF_MIN + DB_BACKOFF_SPAN(attempt) - 1;
}

/* Sleeps a random time of the range above, so retries do not collide. */
static void
db_backoff(int attempt)
{
	unsigned int	 r = 0;
	long		 ms;
	struct timespec	 ts;

	if (RAND_bytes((unsigned char *)&r, sizeof(r)) != 1)
		r = (unsigned int)rand();
	ms = DB_BACKOFF_MIN + (long)(r % (unsigned long)DB_BACKOFF_SPAN(
	    attempt));
	ts.tv_sec = ms / 1000;
	ts.tv_nsec = (ms % 1000) * 1000000L;
	while (nanosleep(&ts, &ts) != 0 && errno == EINTR)
		continue;
}

enum pie_res
db_exec(struct db *db, const char *sql, const struct db_arg *args,
    size_t nargs, struct db_result **out)
{
	struct db_result	*r = NULL;
	unsigned int		 err = 0;
	int			 attempt, reconnected = 0;
	enum pie_res		 res;

	if (out != NULL)
		*out = NULL;
	if (nargs > DB_MAX_ARGS)
		return PIE_ERR_INTERNAL;
	db->sqlstate[0] = db->message[0] = '\0';

	for (attempt = 0; ; attempt++) {
		db_result_free(r);
		if ((r = calloc(1, sizeof(*r))) == NULL)
			return PIE_ERR_NOMEM;
		res = db_attempt(db, sql, args, nargs, r, &err);
		if (res != PIE_ERR_DB)
			break;

		/* A refusal by a procedure: the caller maps it. */
		if (strncmp(db->sqlstate, "45", 2) == 0) {
			res = PIE_ERR_REFUSED;
			break;
		}
		if (err == ER_LOCK_DEADLOCK || err == ER_LOCK_WAIT_TIMEOUT) {
			if (attempt >= db->cfg->db_retries) {
				log_warn("database: still conflicting after "
				    "%d retries: %s", attempt, db->message);
				res = PIE_ERR_RETRY;
				break;
			}
			log_info("database: %s; retrying", db->message);
			db_backoff(attempt);
			continue;
		}

		/*
		 * A connection that was gone before the statement ran is
		 * reopened and the statement tried once more; one lost in
		 * the middle may have committed, so that is not retried.
		 * Nor is a connection that could not be opened just now:
		 * trying again at once would double the wait on a server
		 * that does not answer.
		 */
		if (db_lost(err)) {
			int	 before = err == CR_SERVER_GONE_ERROR;

			db_disconnect(db);
			if (before && !reconnected++)
				continue;
		}
		if (err != CR_CONNECTION_ERROR)
			log_error("database: %s (%u, SQLSTATE %s)",
			    db->message, err, db->sqlstate);
		break;
	}
	if (res != PIE_OK || out == NULL)
		db_result_free(r);
	else
		*out = r;
	return res;
}

size_t
db_result_sets(const struct db_result *r)
{
	return r == NULL ? 0 : r->nsets;
}

size_t
db_result_rows(const struct db_result *r, size_t set)
{
	return r == NULL || set >= r->nsets ? 0 : r->sets[set].rows;
}

size_t
db_result_cols(const struct db_result *r, size_t set)
{
	return r == NULL || set >= r->nsets ? 0 : r->sets[set].cols;
}

int
db_result_col(const struct db_result *r, size_t set, const char *name)
{
	size_t	 i;

	if (r == NULL || set >= r->nsets)
		return -1;
	for (i = 0; i < r->sets[set].cols; i++)
		if (strcmp(r->sets[set].names[i], name) == 0)
			return (int)i;
	return -1;
}

const char *
db_result_get(const struct db_result *r, size_t set, size_t row,
    size_t col)
{
	const struct db_set	*s;

	if (r == NULL || set >= r->nsets)
		return NULL;
	s = &r->sets[set];
	if (row >= s->rows || col >= s->cols)
		return NULL;
	return s->cells[row * s->cols + col];
}

const char *
db_result_getn(const struct db_result *r, size_t set, size_t row,
    const char *name)
{
	int	 col = db_result_col(r, set, name);

	return col < 0 ? NULL : db_result_get(r, set, row, (size_t)col);
}

int
db_rfc3339(const char *in, char *out, size_t outlen)
{
	size_t	 n;

	if (in == NULL || outlen < 25)
		return -1;
	n = strlen(in);
	if (n < 19 || in[10] != ' ')
		return -1;

	/* Always three fractional digits, whatever the column kept. */
	snprintf(out, outlen, "%.10sT%.8s.%.3s%sZ", in, in + 11,
	    n > 20 ? in + 20 : "000", n > 20 && n < 23 ?
	    (n == 21 ? "00" : "0") : "");
	return 0;
}
