/*
 * assignment_reads.c: the read routes of assignments (see
 * assignment_reads.h).
 *
 * Every read is one SELECT over the tables of docs/database.md, in the
 * order the contract promises (capability, or revision newest first).
 * When a read finds nothing, one more query tells a missing client,
 * domain or service (404 naming it) from a key never assigned.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <json-c/json.h>

#include "assignment_reads.h"
#include "assignments.h"
#include "db.h"
#include "handler.h"
#include "http.h"
#include "ident.h"

/* The columns of a revision, timestamps rendered as RFC 3339. */
#define AR_COLS "id, client_id, domain_id, service_id, capability, " \
	"revision, model_id, model_version, status, parameters, metadata, " \
	"updated_services, pie_ts(created_at) AS created_at, created_by, " \
	"pie_ts(archived_at) AS archived_at"

/* Past every revision number (INT UNSIGNED). */
#define AR_REVISION_TOP	"4294967296"

/* Days of month m (1..12) of year y in the proleptic Gregorian calendar. */
static int
assign_reads_mdays(int y, int m)
{
	static const int	 days[] = { 31, 28, 31, 30, 31, 30, 31, 31,
	    30, 31, 30, 31 };
	int			 leap = (y % 4 == 0 && y % 100 != 0) ||
	    y % 400 == 0;

	return days[m - 1] + (m == 2 && leap);
}

/* Reads n digits at *p into *v and moves past them; -1 when not digits. */
static int
assign_reads_digits(const char **p, int n, int *v)
{
	*v = 0;
	for (; n > 0; n--, (*p)++) {
		if (**p < '0' || **p > '9')
			return -1;
		*v = *v * 10 + (**p - '0');
	}
	return 0;
}

/*
 * Reads the zone of an RFC 3339 time at p ("Z" or "+hh:mm") into *off,
 * in seconds east of UTC.  Returns 0, or -1 when malformed.
 */
static int
assign_reads_zone(const char *p, long *off)
{
	int	 hh, mm, sign;

	if ((*p == 'Z' || *p == 'z') && p[1] == '\0') {
		*off = 0;
		return 0;
	}
	/* A "+" sent unescaped in a query string arrives as a space. */
	if (*p != '+' && *p != '-' && *p != ' ')
		return -1;
	sign = *p++ == '-' ? -1 : 1;
	if (assign_reads_digits(&p, 2, &hh) != 0 || *p++ != ':' ||
	    assign_reads_digits(&p, 2, &mm) != 0 || *p != '\0' || hh > 23 ||
	    mm > 59)
		return -1;
	*off = sign * (hh * 3600L + mm * 60L);
	return 0;
}

int
assign_reads_time(const char *s, char *out, size_t size)
{
	struct tm	 tm;
	const char	*p = s;
	int		 ms = 0, d, i;
	long		 off;
	time_t		 t;

	memset(&tm, 0, sizeof(tm));
	if (assign_reads_digits(&p, 4, &tm.tm_year) != 0 || *p++ != '-' ||
	    assign_reads_digits(&p, 2, &tm.tm_mon) != 0 || *p++ != '-' ||
	    assign_reads_digits(&p, 2, &tm.tm_mday) != 0)
		return -1;
	if (*p != 'T' && *p != 't')
		return -1;
	p++;
	if (assign_reads_digits(&p, 2, &tm.tm_hour) != 0 || *p++ != ':' ||
	    assign_reads_digits(&p, 2, &tm.tm_min) != 0 || *p++ != ':' ||
	    assign_reads_digits(&p, 2, &tm.tm_sec) != 0)
		return -1;
	if (tm.tm_mon < 1 || tm.tm_mon > 12 || tm.tm_mday < 1 ||
	    tm.tm_mday > assign_reads_mdays(tm.tm_year, tm.tm_mon) ||
	    tm.tm_hour > 23 || tm.tm_min > 59 || tm.tm_sec > 60)
		return -1;

	/* Milliseconds: the first three digits of the fraction count. */
	if (*p == '.') {
		for (p++, i = 0; *p >= '0' && *p <= '9'; p++, i++)
			if (i < 3)
				ms += (*p - '0') * (i == 0 ? 100 : i == 1 ?
				    10 : 1);
		if (i == 0)
			return -1;
	}
	if (assign_reads_zone(p, &off) != 0)
		return -1;

	tm.tm_year -= 1900;
	tm.tm_mon -= 1;
	t = timegm(&tm) - off;
	if (gmtime_r(&t, &tm) == NULL || tm.tm_year + 1900 < 1 ||
	    tm.tm_year + 1900 > 9999)
		return -1;
	d = snprintf(out, size, "%04d-%02d-%02d %02d:%02d:%02d.%03d",
	    tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday, tm.tm_hour,
	    tm.tm_min, tm.tm_sec, ms);
	return d < 0 || (size_t)d >= size ? -1 : 0;
}

/* Reads ?status= and ?model_id= into the buffers ("" when absent). */
static enum pie_res
assign_reads_filters(const struct http_req *req, struct http_resp *resp,
    char *status, size_t ssize, char *model, size_t msize)
{
	int	 rc;

	status[0] = model[0] = '\0';
	rc = http_query(req, "status", status, ssize);
	if (rc < 0 || (rc > 0 && strcmp(status, "active") != 0 &&
	    strcmp(status, "archived") != 0))
		return http_error(resp, 400, "invalid_parameter", "status: "
		    "expected active or archived");
	rc = http_query(req, "model_id", model, msize);
	if (rc < 0 || (rc > 0 && !ident_valid(IDENT_MODEL, model)))
		return http_error(resp, 400, "invalid_parameter", "model_id: "
		    "not a valid model_id");
	return PIE_OK;
}

enum pie_res
assign_reads_list(struct http_req *req, struct http_resp *resp)
{
	static const char *const query[] = { "status", "model_id", "limit",
	    "cursor", NULL };
	static const char	 sql[] = "SELECT " AR_COLS
	    " FROM pie_latest_assignments WHERE client_id = ? "
	    "AND domain_id = ? AND service_id <=> ? "
	    "AND (? IS NULL OR status = ?) AND (? IS NULL OR model_id = ?) "
	    "AND capability > ? ORDER BY capability LIMIT ?";
	struct handler_page	 page;
	struct db_arg		 args[9];
	struct db_result	*r = NULL;
	char			 status[16], model[256];
	enum pie_res		 res;

	if ((res = http_query_allow(req, resp, query)) != PIE_OK ||
	    (res = assign_reads_filters(req, resp, status, sizeof(status),
	    model, sizeof(model))) != PIE_OK ||
	    (res = handler_page(req, resp, &page, IDENT_CAPABILITY, 1)) !=
	    PIE_OK || (res = handler_require_path(req, resp)) != PIE_OK)
		return res;

	args[0] = db_str(http_param(req, "client_id"));
	args[1] = db_str(http_param(req, "domain_id"));
	args[2] = db_str(http_param(req, "service_id"));
	args[3] = args[4] = db_str(status[0] != '\0' ? status : NULL);
	args[5] = args[6] = db_str(model[0] != '\0' ? model : NULL);
	args[7] = db_str(page.nafter > 0 ? page.after[0] : "");
	args[8] = db_int(page.limit + 1);
	if ((res = db_exec(req->db, sql, args, 9, &r)) != PIE_OK)
		return handler_db_error(req, resp, res, NULL);
	res = handler_page_answer(resp, r, assign_cols, page.limit,
	    "capability");
	db_result_free(r);
	return res;
}

/*
 * The key the path names, as the first four arguments of a statement:
 * client_id, domain_id, service_id (NULL at domain scope), capability.
 */
static void
assign_reads_key_args(const struct http_req *req, struct db_arg *args)
{
	args[0] = db_str(http_param(req, "client_id"));
	args[1] = db_str(http_param(req, "domain_id"));
	args[2] = db_str(http_param(req, "service_id"));
	args[3] = db_str(http_param(req, "capability"));
}

/* Answers 404 for a key of this path that was never assigned. */
static enum pie_res
assign_reads_never(struct http_req *req, struct http_resp *resp)
{
	enum pie_res	 res;

	if ((res = handler_require_path(req, resp)) != PIE_OK)
		return res;
	return http_error(resp, 404, "not_found", "capability %s has never "
	    "been assigned here", http_param(req, "capability"));
}

/*
 * Whether the key of the path has a revision: *has is 1 or 0.  Returns
 * PIE_OK or a db_exec failure.
 */
static enum pie_res
assign_reads_assigned(struct http_req *req, int *has)
{
	static const char	 sql[] = "SELECT 1 FROM pie_latest_assignments "
	    "WHERE client_id = ? AND domain_id = ? AND service_id <=> ? "
	    "AND capability = ?";
	struct db_arg		 args[4];
	struct db_result	*r = NULL;
	enum pie_res		 res;

	assign_reads_key_args(req, args);
	if ((res = db_exec(req->db, sql, args, 4, &r)) != PIE_OK)
		return res;
	*has = db_result_rows(r, 0) > 0;
	db_result_free(r);
	return PIE_OK;
}

enum pie_res
assign_reads_one(struct http_req *req, struct http_resp *resp)
{
	static const char *const query[] = { NULL };
	static const char	 sql[] = "SELECT " AR_COLS
	    " FROM pie_latest_assignments WHERE client_id = ? "
	    "AND domain_id = ? AND service_id <=> ? AND capability = ?";
	struct json_object	*row;
	struct db_arg		 args[4];
	struct db_result	*r = NULL;
	enum pie_res		 res;

	if ((res = http_query_allow(req, resp, query)) != PIE_OK)
		return res;
	assign_reads_key_args(req, args);
	if ((res = db_exec(req->db, sql, args, 4, &r)) != PIE_OK)
		return handler_db_error(req, resp, res, NULL);
	if (db_result_rows(r, 0) == 0) {
		db_result_free(r);
		return assign_reads_never(req, resp);
	}

	res = PIE_ERR_NOMEM;
	if ((row = handler_row(r, 0, 0, assign_cols)) == NULL)
		goto out;
	if (http_header(resp, "ETag", "\"%s\"",
	    db_result_getn(r, 0, 0, "id")) != PIE_OK) {
		json_object_put(row);
		goto out;
	}
	res = http_json(resp, 200, row);
out:
	db_result_free(r);
	return res;
}

enum pie_res
assign_reads_revisions(struct http_req *req, struct http_resp *resp)
{
	static const char *const query[] = { "limit", "cursor", NULL };
	static const char	 sql[] = "SELECT " AR_COLS
	    " FROM assignments WHERE client_id = ? AND domain_id = ? "
	    "AND service_id <=> ? AND capability = ? "
	    "AND revision < CAST(? AS UNSIGNED) ORDER BY revision DESC "
	    "LIMIT ?";
	struct handler_page	 page;
	struct db_arg		 args[6];
	struct db_result	*r = NULL;
	const char		*before = AR_REVISION_TOP;
	int			 has;
	enum pie_res		 res;

	if ((res = http_query_allow(req, resp, query)) != PIE_OK ||
	    (res = handler_page(req, resp, &page, IDENT_NONE, 1)) != PIE_OK)
		return res;
	if (page.nafter > 0) {
		before = page.after[0];
		if (before[0] == '\0' || strspn(before, "0123456789") !=
		    strlen(before) || strlen(before) > 10)
			return http_error(resp, 400, "invalid_cursor",
			    "cursor: not a cursor this service gave out; "
			    "start again without it");
	}

	assign_reads_key_args(req, args);
	args[4] = db_str(before);
	args[5] = db_int(page.limit + 1);
	if ((res = db_exec(req->db, sql, args, 6, &r)) != PIE_OK)
		return handler_db_error(req, resp, res, NULL);
	/*
	 * No revision on this page: a never-assigned key is 404, whatever
	 * the cursor says; past the last page of an assigned key, an empty
	 * page.
	 */
	has = db_result_rows(r, 0) > 0;
	if (!has && page.nafter > 0 &&
	    (res = assign_reads_assigned(req, &has)) != PIE_OK)
		res = handler_db_error(req, resp, res, NULL);
	else if (!has)
		res = assign_reads_never(req, resp);
	else
		res = handler_page_answer(resp, r, assign_cols, page.limit,
		    "revision");
	db_result_free(r);
	return res;
}

/*
 * Adds the string member name (a copy of v) to o.  Returns 0, or -1 when
 * out of memory.
 */
static int
assign_reads_add_str(struct json_object *o, const char *name,
    const char *v)
{
	struct json_object	*s;

	if ((s = json_object_new_string(v != NULL ? v : "")) == NULL)
		return -1;
	if (json_object_object_add(o, name, s) != 0) {
		json_object_put(s);
		return -1;
	}
	return 0;
}

/*
 * Renders row i of the effective revisions in r as an item
 * {"capability", "source", "assignment"}.  Returns NULL when out of
 * memory.
 */
static struct json_object *
assign_reads_effective_item(const struct db_result *r, size_t i)
{
	struct json_object	*item, *row = NULL;

	if ((item = json_object_new_object()) == NULL)
		return NULL;
	if (assign_reads_add_str(item, "capability",
	    db_result_getn(r, 0, i, "capability")) != 0 ||
	    assign_reads_add_str(item, "source",
	    db_result_getn(r, 0, i, "source")) != 0 ||
	    (row = handler_row(r, 0, i, assign_cols)) == NULL ||
	    json_object_object_add(item, "assignment", row) != 0) {
		json_object_put(row);
		json_object_put(item);
		return NULL;
	}
	return item;
}

/*
 * Answers {"service_id", "as_of", "items"} from the effective revisions
 * r at the moment t (as the database reads it), taking nothing.
 * Returns PIE_OK or PIE_ERR_NOMEM unanswered.
 */
static enum pie_res
assign_reads_effective_answer(struct http_req *req, struct http_resp *resp,
    const struct db_result *r, const char *t)
{
	struct json_object	*o, *items, *item;
	char			 as_of[32];
	size_t			 i, n = db_result_rows(r, 0);

	if (db_rfc3339(t, as_of, sizeof(as_of)) != 0)
		snprintf(as_of, sizeof(as_of), "%s", t);
	if ((o = json_object_new_object()) == NULL)
		return PIE_ERR_NOMEM;
	if (assign_reads_add_str(o, "service_id",
	    http_param(req, "service_id")) != 0 ||
	    assign_reads_add_str(o, "as_of", as_of) != 0 ||
	    (items = json_object_new_array()) == NULL ||
	    json_object_object_add(o, "items", items) != 0)
		goto nomem;
	for (i = 0; i < n; i++) {
		if ((item = assign_reads_effective_item(r, i)) == NULL)
			goto nomem;
		if (json_object_array_add(items, item) != 0) {
			json_object_put(item);
			goto nomem;
		}
	}
	return http_json(resp, 200, o);
nomem:
	json_object_put(o);
	return PIE_ERR_NOMEM;
}

/*
 * Answers the effective revisions at the moment t (as the database
 * reads it).
 */
static enum pie_res
assign_reads_effective_at(struct http_req *req, struct http_resp *resp,
    const char *t)
{
	static const char	 sql[] = "SELECT " AR_COLS ", "
	    "IF(a.service_id IS NULL, 'domain', 'service') AS source "
	    "FROM assignments a WHERE a.client_id = ? AND a.domain_id = ? "
	    "AND (a.service_id IS NULL OR a.service_id = ?) "
	    "AND a.created_at <= CAST(? AS DATETIME(3)) "
	    "AND (a.archived_at IS NULL OR "
	    "a.archived_at > CAST(? AS DATETIME(3))) "
	    "AND NOT (a.service_id IS NULL AND EXISTS (SELECT 1 "
	    "FROM assignments o WHERE o.client_id = a.client_id "
	    "AND o.domain_id = a.domain_id AND o.service_id = ? "
	    "AND o.capability = a.capability "
	    "AND o.created_at <= CAST(? AS DATETIME(3)) "
	    "AND (o.archived_at IS NULL OR "
	    "o.archived_at > CAST(? AS DATETIME(3))))) "
	    "ORDER BY a.capability";
	struct db_arg		 args[8];
	struct db_result	*r = NULL;
	enum pie_res		 res;

	args[0] = db_str(http_param(req, "client_id"));
	args[1] = db_str(http_param(req, "domain_id"));
	args[2] = args[5] = db_str(http_param(req, "service_id"));
	args[3] = args[4] = args[6] = args[7] = db_str(t);
	if ((res = db_exec(req->db, sql, args, 8, &r)) != PIE_OK)
		return handler_db_error(req, resp, res, NULL);
	res = assign_reads_effective_answer(req, resp, r, t);
	db_result_free(r);
	return res;
}

/*
 * The database's now into t ("YYYY-MM-DD HH:MM:SS.mmm"), the clock every
 * created_at was read from.  Returns PIE_OK or PIE_ERR_INVALID answered.
 */
static enum pie_res
assign_reads_now(struct http_req *req, struct http_resp *resp, char *t,
    size_t size)
{
	struct db_result	*r = NULL;
	const char		*cell;
	enum pie_res		 res;

	if ((res = db_exec(req->db, "SELECT UTC_TIMESTAMP(3)", NULL, 0,
	    &r)) != PIE_OK)
		return handler_db_error(req, resp, res, NULL);
	cell = db_result_get(r, 0, 0, 0);
	snprintf(t, size, "%s", cell != NULL ? cell : "");
	db_result_free(r);
	return PIE_OK;
}

enum pie_res
assign_reads_effective(struct http_req *req, struct http_resp *resp)
{
	static const char *const query[] = { "as_of", NULL };
	char			 buf[128], t[ASSIGN_READS_TIME_LEN];
	int			 rc;
	enum pie_res		 res;

	if ((res = http_query_allow(req, resp, query)) != PIE_OK)
		return res;
	rc = http_query(req, "as_of", buf, sizeof(buf));
	if (rc < 0 || (rc > 0 && assign_reads_time(buf, t, sizeof(t)) != 0))
		return http_error(resp, 400, "invalid_parameter", "as_of: "
		    "expected an RFC 3339 date-time with a time zone, such "
		    "as 2026-12-03T18:26:23Z");
	if ((res = handler_require_path(req, resp)) != PIE_OK ||
	    (rc <= 0 && (res = assign_reads_now(req, resp, t,
	    sizeof(t))) != PIE_OK))
		return res;
	return assign_reads_effective_at(req, resp, t);
}
