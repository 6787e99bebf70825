/*
 * router.h: from a method and a raw path to a route.
 *
 * A route pattern is a path whose segments are literals or {name}
 * placeholders: "/v2/clients/{client_id}/domains".  Matching is segment by
 * segment on the raw path; each placeholder's segment is percent-decoded
 * into the request's parameters.  A path that some route matches under
 * another method is a 405 with the methods listed for Allow.  A segment
 * that does not decode still matches: its parameter's value is NULL, and
 * the caller refuses it after the token check.
 */
#ifndef PIE_ROUTER_H
#define PIE_ROUTER_H

#include <stddef.h>

#include "result.h"

struct http_req;
struct http_resp;
struct http_params;

/* A handler answers the request by filling the response. */
typedef enum pie_res (*route_handler)(struct http_req *, struct http_resp *);

struct route {
	const char	*method;
	const char	*pattern;
	unsigned	 scopes;	/* any of these; 0 with public */
	int		 public;	/* no token needed */
	route_handler	 handler;
};

enum router_result {
	ROUTER_FOUND,
	ROUTER_NOT_FOUND,
	ROUTER_BAD_METHOD	/* allow[] holds "GET, PUT" */
};

/*
 * Finds the route for METHOD and PATH in TABLE (N entries).  On
 * ROUTER_FOUND sets *found and fills params (a value is NULL when its
 * segment has a bad escape, an encoded NUL, or does not fit); on
 * ROUTER_BAD_METHOD fills allow.  PATH must not contain the query.
 */
enum router_result router_match(const struct route *table, size_t n,
		    const char *method, const char *path,
		    struct http_params *params, const struct route **found,
		    char *allow, size_t allowlen);

#endif /* PIE_ROUTER_H */
