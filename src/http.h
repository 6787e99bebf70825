/*
 * http.h: one request and its response, independent of FastCGI.
 *
 * The worker fills a struct http_req from the FastCGI environment and
 * hands it to a handler, which answers by filling a struct http_resp with
 * the helpers below.  Every body pie sends is JSON; every error body is
 * the envelope of API.md section 3: {"success": false, "error", "code"}.
 * Keeping this apart from libfcgi lets the unit tests drive it directly.
 */
#ifndef PIE_HTTP_H
#define PIE_HTTP_H

#include <stddef.h>

#include "result.h"

struct json_object;
struct auth_principal;
struct db;
struct config;

#define HTTP_MAX_PARAMS	 8

/* Room for a decoded query parameter name; longer ones are unknown. */
#define HTTP_QUERY_NAME_MAX	 64

/*
 * The seconds a 503 asks a client to wait before trying again
 * (Retry-After): the database restarting, or a deadlock outlasting the
 * retries, is usually over by then.
 */
#define HTTP_RETRY_AFTER	 2

/*
 * The named segments of a matched route, percent-decoded; a value is
 * NULL when its segment could not be decoded.
 */
struct http_params {
	size_t		 n;
	const char	*name[HTTP_MAX_PARAMS];
	const char	*value[HTTP_MAX_PARAMS];
	char		 store[2048];	/* backing for value[] */
};

struct http_req {
	const char		*method;
	const char		*uri;		/* raw, with the query */
	char			*path;		/* raw path, owned */
	const char              *query;         /* raw, after '?', or NULL */
	const char		*request_id;
	const char		*content_type;
	const char		*authorization;
	const char		*if_match;
	long long		 content_length; /* -1 when absent */
	char                    *body;          /* NUL-terminated, owned */
	size_t			 body_len;

	struct http_params	 params;
	struct auth_principal   *who;           /* NULL on public routes */
	struct db		*db;
	const struct config	*cfg;
};

struct http_resp {
	int		 status;
	char             headers[1024]; /* extra "Name: value\r\n" lines */
	size_t		 headers_len;
	char		*body;		/* owned */
	size_t		 body_len;
	const char	*code;		/* error code, for the log */
};

/*
 * Percent-decodes [s, s + len) into buf; with plus_is_space, '+' becomes a
 * space as in form encoding (queries, not paths).  Returns 0, or -1 on a
 * bad escape, an encoded NUL, or no room.
 */
int		 http_unescape(const char *s, size_t len, char *buf,
		    size_t buflen, int plus_is_space);

/* Returns the value of path parameter NAME, or NULL (absent, undecoded). */
const char	*http_param(const struct http_req *, const char *name);

/*
 * Looks up query parameter NAME, matching names and decoding the value
 * into buf as a form is decoded (%XX, '+' for a space).  Returns 1 when
 * found, 0 when absent, -1 when its value's encoding is bad or it does
 * not fit.
 */
int		 http_query(const struct http_req *, const char *name,
		    char *buf, size_t buflen);

/*
 * Refuses a query whose parameter names, once decoded, are not all in
 * the NULL-terminated list (400 unknown_parameter, filling resp), that
 * names one twice, or whose name does not decode (400
 * invalid_parameter).  Returns PIE_OK or PIE_ERR_INVALID.
 */
enum pie_res     http_query_allow(const struct http_req *, struct http_resp *,
		    const char *const *names);

/*
 * Checks the Content-Type (415 unsupported_media_type): application/json,
 * and for a PATCH, whose body is a merge patch, also
 * application/merge-patch+json (RFC 7386).  Then checks that a body was
 * sent (400 invalid_json).  Returns PIE_OK or PIE_ERR_INVALID with resp
 * filled.
 */
enum pie_res	 http_require_json(const struct http_req *,
		    struct http_resp *);

/* Adds a header line.  Returns PIE_ERR_TOO_BIG when there is no room. */
enum pie_res	 http_header(struct http_resp *, const char *name,
		    const char *fmt, ...)
		    __attribute__((format(printf, 3, 4)));

/*
 * Answers with OBJ serialised as the body, taking ownership of OBJ (it is
 * put even on failure).  Returns PIE_ERR_NOMEM when serialising failed.
 */
enum pie_res	 http_json(struct http_resp *, int status,
		    struct json_object *obj);

/* A new error envelope object, or NULL when out of memory. */
struct json_object *http_error_body(const char *code, const char *msg);

/*
 * Answers with the error envelope; a 503 also carries Retry-After.
 * Always returns PIE_ERR_INVALID so a handler can write "return
 * http_error(...)"; a failure to allocate is turned into a bare 503 by
 * the worker.
 */
enum pie_res     http_error(struct http_resp *, int status, const char *code,
		    const char *fmt, ...)
		    __attribute__((format(printf, 4, 5)));

/* The reason phrase for a status, e.g. "Not Found". */
const char	*http_reason(int status);

/* Releases what a request and a response own (not the structs). */
void		 http_req_clear(struct http_req *);
void		 http_resp_clear(struct http_resp *);

#endif /* PIE_HTTP_H */
