/*
 * handler.h: the steps every API handler shares.
 *
 * Handlers (tenants.c, registry.c, services.c, assignments.c, jobs.c)
 * each read a body, call one procedure or query, and render rows as
 * JSON.  What is the same in all of them lives here, so that every route
 * answers errors, pages and refusals in exactly the same words.
 */
#ifndef PIE_HANDLER_H
#define PIE_HANDLER_H

#include <stddef.h>

#include "ident.h"
#include "result.h"

struct db_result;
struct http_req;
struct http_resp;
struct json_object;
struct verr;

/*
 * Reads the request body as a JSON object, strictly (I-JSON).  Returns
 * PIE_OK with *out set (the caller puts it), or PIE_ERR_INVALID with a
 * 415 or 400 answered.
 */
enum pie_res	 handler_body(struct http_req *, struct http_resp *,
		    struct json_object **out);

/* Answers a validation failure as 400 with its code and message. */
enum pie_res	 handler_invalid(struct http_resp *, const struct verr *);

/*
 * Context for the words of database refusals: the ids the request named
 * in its body, so a message can say which model or service it means.
 * Every member may be NULL.
 */
struct handler_ctx {
	const char		*model_id;
	const char		*model_version;
	const char		*capability;
	struct json_object	*updates;	/* service_updates, or NULL */
};

/*
 * Answers the failure res of db_exec: a procedure's refusal by its
 * SQLSTATE (docs/database.md), a lasting deadlock or a lost database as
 * 503.  ctx may be NULL.  Always returns PIE_ERR_INVALID (answered).
 */
enum pie_res	 handler_db_error(struct http_req *, struct http_resp *,
		    enum pie_res res, const struct handler_ctx *ctx);

/*
 * When the first result set of r is a "blocked" report of the
 * compatibility check, answers 422 assignment_blocked with the blocking
 * entries and returns 1; otherwise returns 0.  service_id names the
 * service a service write was about (NULL for assignment upserts), which
 * only changes the message.
 */
int              handler_blocked(struct http_resp *, const struct db_result *r,
		    const char *service_id);

/*
 * The same, with the message naming version (when not NULL) instead of
 * the version whose freeze failed first: an upsert names the version it
 * assigns, also when a patched service failed another capability.
 */
int		 handler_blocked_as(struct http_resp *,
		    const struct db_result *r, const char *service_id,
		    const char *version);

/* How a column is rendered into JSON. */
enum render_kind {
	RENDER_STR,	/* a string; SQL NULL is null */
	RENDER_INT,	/* an integer */
	RENDER_BOOL,	/* 0/1 as false/true */
	RENDER_JSON	/* JSON text, embedded as a value */
};

struct render_col {
	const char		*column;	/* in the result set */
	const char              *name;          /* in JSON; NULL: column */
	enum render_kind	 kind;
};

/*
 * Renders one row as a JSON object with the columns of cols (terminated
 * by a NULL column), in that order.  A missing column is a bug: it is
 * logged and rendered as null.  Returns NULL when out of memory.
 */
struct json_object *handler_row(const struct db_result *, size_t set,
		    size_t row, const struct render_col *cols);

#define HANDLER_CURSOR_MAX	 2

/* A page request: ?limit= and the decoded ?cursor=. */
struct handler_page {
	int              limit;                 /* 1..500, default 100 */
	size_t		 nafter;		/* 0: first page */
	char		 after[HANDLER_CURSOR_MAX][256];
};

/*
 * Parses ?limit= and ?cursor=.  A cursor holds exactly nkeys values, the
 * sort key of the list's last row (1 to HANDLER_CURSOR_MAX); a list
 * ordered by one identifier names its kind, whose rule every value of
 * the cursor must follow (IDENT_NONE: the caller checks the values
 * itself).  Returns PIE_OK, or PIE_ERR_INVALID with a 400 answered
 * (invalid_parameter / invalid_cursor).
 */
enum pie_res	 handler_page(const struct http_req *, struct http_resp *,
		    struct handler_page *, enum ident_kind, size_t nkeys);

/*
 * Answers 200 {"items": items, "next_cursor": ...}, taking items.  When
 * more rows exist past this page, last holds the nlast values of the last
 * row's sort key, which become the opaque next cursor; else last is NULL.
 */
enum pie_res	 handler_list(struct http_resp *, struct json_object *items,
		    const char *const *last, size_t nlast);

/*
 * Reads a boolean query flag (true/false/1/0).  Returns PIE_OK with *on
 * set (0 when absent), or PIE_ERR_INVALID with a 400 answered.
 */
enum pie_res	 handler_flag(const struct http_req *, struct http_resp *,
		    const char *name, int *on);

/*
 * Answers a creating PUT from the first row of set 0 of r, rendered with
 * cols: 201 when its "created" column is 1, else 200.  Returns PIE_OK,
 * or PIE_ERR_NOMEM unanswered.
 */
enum pie_res	 handler_put_answer(struct http_resp *,
		    const struct db_result *r, const struct render_col *cols);

/*
 * Answers a page of set 0 of r, which was fetched with LIMIT limit + 1
 * in the order of the column key: at most limit rows rendered with cols,
 * and when the extra row came, a next cursor holding the key of the last
 * row shown.  Returns PIE_OK, or PIE_ERR_NOMEM unanswered.
 */
enum pie_res	 handler_page_answer(struct http_resp *,
		    const struct db_result *r, const struct render_col *cols,
		    int limit, const char *key);

struct body_field;
struct db_arg;

/*
 * Refuses a query parameter not in the NULL-terminated list query, reads
 * the body (handler_body) and checks it against fields (body_check).
 * Returns PIE_OK with *out set (the caller puts it), or PIE_ERR_INVALID
 * with the refusal answered.
 */
enum pie_res	 handler_body_checked(struct http_req *, struct http_resp *,
		    const char *const *query, const struct body_field *fields,
		    struct json_object **out);

/*
 * Checks that what the path names above the item exists: its client,
 * domain, service and model, whichever of them it has.  Returns PIE_OK,
 * or PIE_ERR_INVALID with a 404 naming the first one missing (or a 503)
 * answered.
 */
enum pie_res     handler_require_path(struct http_req *, struct http_resp *);

/*
 * Answers 200 with the one row of sql (run with args) rendered with
 * cols.  With no row, answers 404: for a missing resource of the path
 * (handler_require_path), else "what <path parameter param> not found".
 */
enum pie_res	 handler_get_one(struct http_req *, struct http_resp *,
		    const char *sql, const struct db_arg *args, size_t nargs,
		    const struct render_col *cols, const char *what,
		    const char *param);

/*
 * Answers one page of a list ordered by the column key.  sql takes
 * args[0..nargs) first, then the page's cursor twice and the row limit,
 * as in "AND (? IS NULL OR key > ?) ORDER BY key LIMIT ?"; args must
 * have room for nargs + 3.  An empty page of a path with a missing
 * resource is 404.  Returns PIE_OK or an error, answered.
 */
enum pie_res	 handler_list_page(struct http_req *, struct http_resp *,
		    const struct handler_page *page, const char *sql,
		    struct db_arg *args, size_t nargs,
		    const struct render_col *cols, const char *key);

/*
 * The PUT of a resource that has one optional string member besides its
 * path ids: fields holds that member (first) and no query is allowed.
 * Runs sql with the path parameters named in the NULL-terminated params,
 * in that order, then the member (null when left out), and answers 201
 * or 200 with the row rendered with cols (handler_put_answer).
 */
enum pie_res	 handler_put_named(struct http_req *, struct http_resp *,
		    const struct body_field *fields,
		    const char *const *params, const char *sql,
		    const struct render_col *cols);

#endif /* PIE_HANDLER_H */
