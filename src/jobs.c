/*
 * jobs.c: job launches, reads and status changes (see jobs.h).
 *
 * A launch and a status change are one procedure call each
 * (pie_job_launch and pie_job_patch in sql/007): the procedure pins the
 * effective revision and enforces the forward-only status machine, so
 * this file only validates input and renders rows.  Reads are SELECTs
 * on the jobs table, which repeats every natural id and needs no join.
 */
#include <ctype.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include <json-c/json.h>

#include "auth.h"
#include "body.h"
#include "db.h"
#include "handler.h"
#include "http.h"
#include "jobs.h"
#include "log.h"
#include "uuid.h"

#define JOBS_PARAMETERS_MAX	16384	/* bytes of compact JSON */
#define JOBS_JSON_FLAGS	(JSON_C_TO_STRING_PLAIN | \
	JSON_C_TO_STRING_NOSLASHESCAPE)

static const struct body_field jobs_launch_fields[] = {
	{ "capability", BODY_T_STRING, 1, 64, IDENT_CAPABILITY },
	{ "parameters", BODY_T_OBJECT, 0, JOBS_PARAMETERS_MAX, IDENT_NONE },
	{ NULL, 0, 0, 0, IDENT_NONE }
};

static const struct body_field jobs_patch_fields[] = {
	{ "status", BODY_T_STRING, 1, 16, IDENT_NONE },
	{ NULL, 0, 0, 0, IDENT_NONE }
};

static const char *const jobs_statuses[] = {
	"queued", "running", "succeeded", "failed", NULL
};

static const char *const jobs_no_query[] = { NULL };
static const char *const jobs_list_query[] = {
	"limit", "cursor", "status", NULL
};

static const struct render_col jobs_cols[] = {
	{ "id", NULL, RENDER_STR },
	{ "client_id", NULL, RENDER_STR },
	{ "domain_id", NULL, RENDER_STR },
	{ "service_id", NULL, RENDER_STR },
	{ "capability", NULL, RENDER_STR },
	{ "assignment_id", NULL, RENDER_STR },
	{ "model_id", NULL, RENDER_STR },
	{ "model_version", NULL, RENDER_STR },
	{ "parameters", NULL, RENDER_JSON },
	{ "status", NULL, RENDER_STR },
	{ "created_at", NULL, RENDER_STR },
	{ "updated_at", NULL, RENDER_STR },
	{ "created_by", NULL, RENDER_STR },
	{ NULL, NULL, RENDER_STR }
};

#define JOBS_SELECT \
    "SELECT id, client_id, domain_id, service_id, capability, " \
    "assignment_id, model_id, model_version, parameters, status, " \
    "pie_ts(created_at) AS created_at, pie_ts(updated_at) AS updated_at, " \
    "created_by "

static const char jobs_launch_sql[] =
    "CALL pie_job_launch(?, ?, ?, ?, ?, ?, ?)";
static const char jobs_patch_sql[] =
    "CALL pie_job_patch(?, ?, ?, ?, ?)";
static const char jobs_get_sql[] =
    JOBS_SELECT "FROM jobs WHERE id = ? AND client_id = ? "
    "AND domain_id = ? AND service_id = ?";

/* The sort key is created_at as the server prints it, then id. */
static const char jobs_list_sql[] =
    JOBS_SELECT ", CAST(created_at AS CHAR) AS sort_at FROM jobs "
    "WHERE client_id = ? AND domain_id = ? AND service_id = ? "
    "AND (? IS NULL OR status = ?) "
    "AND (? IS NULL OR created_at > ? OR (created_at = ? AND id > ?)) "
    "ORDER BY created_at, id LIMIT ?";
/* 1 when s is one of the job statuses, else 0. */
static int
jobs_status_known(const char *s)
{
	size_t	 i;

	for (i = 0; jobs_statuses[i] != NULL; i++)
		if (strcmp(jobs_statuses[i], s) == 0)
			return 1;
	return 0;
}

/* Answers 404 for a job that is not there, or for its missing parent. */
static enum pie_res
jobs_not_found(struct http_req *req, struct http_resp *resp)
{
	enum pie_res	 res;

	if ((res = handler_require_path(req, resp)) != PIE_OK)
		return res;
	return http_error(resp, 404, "not_found", "job %s not found",
	    http_param(req, "job_id"));
}

/*
 * Answers status with the job in the first row of r; a 201 also carries
 * the job's Location.  Returns PIE_OK, or an error when out of memory.
 */
static enum pie_res
jobs_answer(struct http_resp *resp, const struct db_result *r, int status)
{
	struct json_object	*o;

	if (db_result_rows(r, 0) != 1) {
		log_error("a job procedure returned %zu rows",
		    db_result_rows(r, 0));
		return http_error(resp, 500, "internal_error",
		    "internal error");
	}
	if (status == 201 && http_header(resp, "Location",
	    "/v2/clients/%s/domains/%s/services/%s/jobs/%s",
	    db_result_getn(r, 0, 0, "client_id"),
	    db_result_getn(r, 0, 0, "domain_id"),
	    db_result_getn(r, 0, 0, "service_id"),
	    db_result_getn(r, 0, 0, "id")) != PIE_OK)
		return PIE_ERR_NOMEM;
	if ((o = handler_row(r, 0, 0, jobs_cols)) == NULL)
		return PIE_ERR_NOMEM;
	return http_json(resp, status, o);
}

/*
 * Appends to steps one patch per leaf of patch: {"a":{"b":1,"c":null}}
 * gives {"a":{"b":1}} and {"a":{"c":null}}.  Applied in turn they merge
 * exactly as the whole patch would (RFC 7386 treats members apart), and
 * they spare MariaDB's JSON_MERGE_PATCH the patches it gets wrong (see
 * pie_job_launch).  path holds the names above this level.  Returns
 * PIE_OK or PIE_ERR_NOMEM.
 */
static enum pie_res
jobs_patch_steps(struct json_object *patch, struct json_object *steps,
    const char **path, size_t depth)
{
	struct json_object	*step, *inner;
	size_t			 i;

	json_object_object_foreach(patch, key, val) {
		if (json_object_is_type(val, json_type_object) &&
		    json_object_object_length(val) > 0 && depth < 64) {
			path[depth] = key;
			if (jobs_patch_steps(val, steps, path,
			    depth + 1) != PIE_OK)
				return PIE_ERR_NOMEM;
			continue;
		}

		/* Wrap the leaf in the objects of its path, inside out. */
		step = json_object_get(val);
		inner = json_object_new_object();
		if (inner == NULL || json_object_object_add(inner, key,
		    step) != 0) {
			json_object_put(inner);
			json_object_put(step);
			return PIE_ERR_NOMEM;
		}
		for (i = depth; i > 0; i--) {
			step = inner;
			if ((inner = json_object_new_object()) == NULL ||
			    json_object_object_add(inner, path[i - 1],
			    step) != 0) {
				json_object_put(inner);
				json_object_put(step);
				return PIE_ERR_NOMEM;
			}
		}
		if (json_object_array_add(steps, inner) != 0) {
			json_object_put(inner);
			return PIE_ERR_NOMEM;
		}
	}
	return PIE_OK;
}

enum pie_res
jobs_launch(struct http_req *req, struct http_resp *resp)
{
	struct json_object	*body, *cap, *par, *steps = NULL;
	struct db_result	*r = NULL;
	struct db_arg		 args[7];
	struct handler_ctx	 ctx = { NULL, NULL, NULL, NULL };
	const char		*params = NULL, *path[64];
	char			 id[UUID_STR_LEN];
	enum pie_res		 res;

	res = handler_body_checked(req, resp, jobs_no_query,
	    jobs_launch_fields, &body);
	if (res != PIE_OK)
		return res;
	json_object_object_get_ex(body, "capability", &cap);
	ctx.capability = json_object_get_string(cap);

	/* The procedure merges these over the revision's parameters. */
	if (json_object_object_get_ex(body, "parameters", &par) &&
	    ((steps = json_object_new_array()) == NULL ||
	    jobs_patch_steps(par, steps, path, 0) != PIE_OK ||
	    (params = json_object_to_json_string_ext(steps,
	    JOBS_JSON_FLAGS)) == NULL)) {
		res = http_error(resp, 503, "unavailable", "out of memory");
		goto out;
	}
	if (uuid_v7(id) != PIE_OK) {
		res = http_error(resp, 503, "unavailable", "no job id could be "
		    "made; try again");
		goto out;
	}

	args[0] = db_str(id);
	args[1] = db_str(http_param(req, "client_id"));
	args[2] = db_str(http_param(req, "domain_id"));
	args[3] = db_str(http_param(req, "service_id"));
	args[4] = db_str(ctx.capability);
	args[5] = db_str(params);
	args[6] = db_str(auth_principal_sub(req->who));
	if ((res = db_exec(req->db, jobs_launch_sql, args, 7, &r)) != PIE_OK) {
		res = handler_db_error(req, resp, res, &ctx);
		goto out;
	}
	res = jobs_answer(resp, r, 201);
out:
	db_result_free(r);
	json_object_put(steps);
	json_object_put(body);
	return res;
}

/*
 * 1 when s follows shape, where 'd' stands for a decimal digit and 'x'
 * for a lowercase hexadecimal one.
 */
static int
jobs_shaped(const char *s, const char *shape)
{
	for (; *shape != '\0'; s++, shape++) {
		if (*shape == 'd' ? !isdigit((unsigned char)*s) :
		    *shape == 'x' ? strchr("0123456789abcdef", *s) == NULL ||
		    *s == '\0' : *s != *shape)
			return 0;
	}
	return *s == '\0';
}

/*
 * 1 when the decoded cursor is one jobs_list gives out: a DATETIME(3) as
 * the server prints it, then a job id.  A forged cursor must not reach
 * the SQL as a date the server would have to guess at, so the date must
 * name a real moment (no February 31st, no hour 24) in the range of a
 * DATETIME: it must print back unchanged once made a time.
 */
static int
jobs_cursor_valid(const struct handler_page *page)
{
	const char	*at = page->after[0];
	struct tm	 tm;
	time_t		 t;
	char		 back[96];	/* room for any values of the fields */
	int		 ms;

	if (!jobs_shaped(at, "dddd-dd-dd dd:dd:dd.ddd") ||
	    !jobs_shaped(page->after[1],
	    "xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx"))
		return 0;
	memset(&tm, 0, sizeof(tm));
	if (sscanf(at, "%4d-%2d-%2d %2d:%2d:%2d.%3d", &tm.tm_year,
	    &tm.tm_mon, &tm.tm_mday, &tm.tm_hour, &tm.tm_min, &tm.tm_sec,
	    &ms) != 7 || tm.tm_year < 1000)
		return 0;

	/* timegm carries what overflows (Feb 31 is Mar 3); compare. */
	tm.tm_year -= 1900;
	tm.tm_mon -= 1;
	t = timegm(&tm);
	if (gmtime_r(&t, &tm) == NULL)
		return 0;
	snprintf(back, sizeof(back), "%04d-%02d-%02d %02d:%02d:%02d.%03d",
	    tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday, tm.tm_hour,
	    tm.tm_min, tm.tm_sec, ms);
	return strcmp(back, at) == 0;
}

/*
 * Reads ?status= into buf (empty when absent).  Returns PIE_OK, or
 * PIE_ERR_INVALID with a 400 answered for a value that is no status.
 */
static enum pie_res
jobs_status_filter(const struct http_req *req, struct http_resp *resp,
    char *buf, size_t len)
{
	int	 rc = http_query(req, "status", buf, len);

	if (rc == 0)
		buf[0] = '\0';
	else if (rc < 0 || !jobs_status_known(buf))
		return http_error(resp, 400, "invalid_parameter", "status: "
		    "expected queued, running, succeeded or failed");
	return PIE_OK;
}

/*
 * Renders the first limit rows of r as the page's items and answers
 * 200; when r holds one row more, the last item's sort key becomes the
 * next cursor.  Returns PIE_OK or PIE_ERR_NOMEM.
 */
static enum pie_res
jobs_page_answer(struct http_resp *resp, const struct db_result *r,
    int limit)
{
	struct json_object	*items, *o;
	const char		*last[2];
	size_t			 i, n = db_result_rows(r, 0);
	int			 more = n > (size_t)limit;

	if ((items = json_object_new_array()) == NULL)
		return PIE_ERR_NOMEM;
	if (more)
		n = (size_t)limit;
	for (i = 0; i < n; i++) {
		if ((o = handler_row(r, 0, i, jobs_cols)) == NULL ||
		    json_object_array_add(items, o) != 0) {
			json_object_put(o);
			json_object_put(items);
			return PIE_ERR_NOMEM;
		}
	}
	if (more) {
		last[0] = db_result_getn(r, 0, n - 1, "sort_at");
		last[1] = db_result_getn(r, 0, n - 1, "id");
	}
	return handler_list(resp, items, more ? last : NULL, 2);
}

enum pie_res
jobs_list(struct http_req *req, struct http_resp *resp)
{
	struct handler_page	 page;
	struct db_result	*r = NULL;
	struct db_arg		 args[10];
	char			 status[16];
	const char		*st, *at = NULL, *id = NULL;
	enum pie_res		 res;

	if ((res = http_query_allow(req, resp, jobs_list_query)) != PIE_OK ||
	    (res = handler_page(req, resp, &page, IDENT_NONE, 2)) != PIE_OK ||
	    (res = jobs_status_filter(req, resp, status, sizeof(status))) !=
	    PIE_OK)
		return res;
	if (page.nafter > 0 && !jobs_cursor_valid(&page))
		return http_error(resp, 400, "invalid_cursor", "cursor: not a "
		    "cursor this service gave out; start again without it");
	if (page.nafter > 0) {
		at = page.after[0];
		id = page.after[1];
	}
	st = status[0] != '\0' ? status : NULL;

	args[0] = db_str(http_param(req, "client_id"));
	args[1] = db_str(http_param(req, "domain_id"));
	args[2] = db_str(http_param(req, "service_id"));
	args[3] = db_str(st);
	args[4] = db_str(st);
	args[5] = db_str(at);
	args[6] = db_str(at);
	args[7] = db_str(at);
	args[8] = db_str(id);
	args[9] = db_int(page.limit + 1);
	if ((res = db_exec(req->db, jobs_list_sql, args, 10, &r)) != PIE_OK)
		return handler_db_error(req, resp, res, NULL);

	/* An empty page may mean that the service does not exist. */
	if (db_result_rows(r, 0) == 0 &&
	    (res = handler_require_path(req, resp)) != PIE_OK)
		goto out;
	res = jobs_page_answer(resp, r, page.limit);
out:
	db_result_free(r);
	return res;
}

enum pie_res
jobs_get(struct http_req *req, struct http_resp *resp)
{
	struct db_arg	 args[4];
	enum pie_res	 res;

	if ((res = http_query_allow(req, resp, jobs_no_query)) != PIE_OK)
		return res;
	args[0] = db_str(http_param(req, "job_id"));
	args[1] = db_str(http_param(req, "client_id"));
	args[2] = db_str(http_param(req, "domain_id"));
	args[3] = db_str(http_param(req, "service_id"));
	return handler_get_one(req, resp, jobs_get_sql, args, 4, jobs_cols,
	    "job", "job_id");
}

enum pie_res
jobs_patch(struct http_req *req, struct http_resp *resp)
{
	struct json_object	*body, *st;
	struct db_result	*r = NULL;
	struct db_arg		 args[5];
	const char		*job = http_param(req, "job_id"), *status;
	enum pie_res		 res;

	res = handler_body_checked(req, resp, jobs_no_query,
	    jobs_patch_fields, &body);
	if (res != PIE_OK)
		return res;
	json_object_object_get_ex(body, "status", &st);
	status = json_object_get_string(st);
	if (!jobs_status_known(status)) {
		res = http_error(resp, 400, BODY_E_VALUE, "status: expected "
		    "running, succeeded or failed");
		goto out;
	}

	/* The procedure takes a CHAR(36): a longer id is not a job. */
	if (strlen(job) != UUID_STR_LEN - 1) {
		res = jobs_not_found(req, resp);
		goto out;
	}
	args[0] = db_str(http_param(req, "client_id"));
	args[1] = db_str(http_param(req, "domain_id"));
	args[2] = db_str(http_param(req, "service_id"));
	args[3] = db_str(job);
	args[4] = db_str(status);
	if ((res = db_exec(req->db, jobs_patch_sql, args, 5, &r)) != PIE_OK) {
		res = handler_db_error(req, resp, res, NULL);
		goto out;
	}
	res = jobs_answer(resp, r, 200);
out:
	db_result_free(r);
	json_object_put(body);
	return res;
}
