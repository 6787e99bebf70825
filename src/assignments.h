/*
 * assignments.h: assignment upserts at both scopes (API.md section 4).
 *
 * A request body is validated in C, completely and without a database,
 * by assign_validate; the handlers then call pie_assignment_upsert once
 * and render its row, the 422 blocked report, or the refusal.  The
 * column table of a revision is shared with the reads
 * (assignment_reads.c), so that every route shows a revision the same
 * way.
 */
#ifndef PIE_ASSIGNMENTS_H
#define PIE_ASSIGNMENTS_H

#include <stddef.h>

#include "handler.h"
#include "result.h"

struct http_req;
struct http_resp;
struct json_object;
struct verr;

#define ASSIGN_OBJECT_MAX       16384   /* bytes of parameters, metadata */
#define ASSIGN_UPDATES_MAX	1000	/* items of service_updates */

/*
 * A validated upsert request.  The strings are borrowed from the body
 * object (or the path) given to assign_validate, which must outlive this;
 * the JSON texts are owned and freed by assign_req_clear.
 */
struct assign_req {
	const char	*capability;
	const char	*model_id;
	const char	*model_version;
	const char	*status;		/* "active" or "archived" */
	char            *parameters;            /* compact JSON or NULL */
	char		*metadata;		/* compact JSON or NULL */
	char            *service_updates;       /* procedure form or NULL */
};

/*
 * Validates an upsert body.  path_capability is the capability of a
 * keyed PUT's path (NULL on a POST, where the body must name it);
 * service_scope is 1 on the service-scope routes, which refuse
 * service_updates.  service_updates become the array the procedure
 * takes: [{"service_id", "patch", "features"}], the patch canonical.
 * Returns PIE_OK with *out filled (release it with assign_req_clear
 * even on failure), PIE_ERR_INVALID with err filled (a 400),
 * PIE_ERR_NOMEM or PIE_ERR_CRYPTO.
 */
enum pie_res	 assign_validate(struct json_object *body,
		    const char *path_capability, int service_scope,
		    struct assign_req *out, struct verr *err);

/*
 * What an If-Match header value h asks of the key's latest revision, in
 * the form pie_assignment_upsert compares under the key lock: "*" (any
 * revision), or the strong entity tags h lists, comma-separated ("-"
 * when it lists only weak tags, which never match: If-Match compares
 * strongly).  A bare id, without quotes, is taken as the tag it spells.
 * Returns a new string the caller frees, or NULL with *malformed set
 * when h is malformed (*malformed 0: out of memory).
 */
char		*assign_if_match(const char *h, int *malformed);

/* Frees what assign_validate allocated and zeroes the request. */
void		 assign_req_clear(struct assign_req *);

/* The columns of a revision, in the order of API.md. */
extern const struct render_col	 assign_cols[];

/*
 * The upsert routes: POST .../assignments and PUT
 * .../assignments/{capability}, at domain-default scope or, when the
 * path names a {service_id}, at service scope.
 */
enum pie_res	 assign_post(struct http_req *, struct http_resp *);
enum pie_res	 assign_put(struct http_req *, struct http_resp *);

#endif /* PIE_ASSIGNMENTS_H */
