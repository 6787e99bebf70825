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
	const char	*model_id;
	const char	*model_version;
	const char	*capability;
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
int		 handler_blocked(struct http_resp *, const struct db_result *r,
		    const char *service_id);

/* How a column is rendered into JSON. */
enum render_kind {
	RENDER_STR,	/* a string; SQL NULL is null */
	RENDER_INT,	/* an integer */
	RENDER_BOOL,	/* 0/1 as false/true */
	RENDER_JSON	/* JSON text, embedded as a value */
};

struct render_col {
	const char		*column;	/* in the result set */
	const char		*name;		/* in JSON; NULL: column */
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
	int		 limit;			/* 1..500, default 100 */
	size_t		 nafter;		/* 0: first page */
	char		 after[HANDLER_CURSOR_MAX][256];
};

/*
 * Parses ?limit= and ?cursor=.  Returns PIE_OK, or PIE_ERR_INVALID with
 * a 400 answered (invalid_parameter / invalid_cursor).
 */
enum pie_res	 handler_page(const struct http_req *, struct http_resp *,
		    struct handler_page *);

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
 * The revision id an If-Match header names, unquoted, into buf; "" when
 * there is no header.  Returns PIE_OK or PIE_ERR_INVALID (400 answered)
 * for a list, a weak tag or a malformed one.  "*" is returned as "*".
 */
enum pie_res	 handler_if_match(const struct http_req *, struct http_resp *,
		    char *buf, size_t len);

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

#endif /* PIE_HANDLER_H */
