/*
 * router.c: matching a raw path against the route patterns (see router.h).
 *
 * The table is small (a few dozen routes) and paths are short, so a linear
 * scan with segment comparison is both the simplest and fast enough: it
 * costs well under a microsecond next to a database round trip.
 */
#include <stdio.h>
#include <string.h>

#include "http.h"
#include "router.h"

/*
 * Compares one pattern with a path.  Returns 1 when every segment
 * matches, recording the raw placeholder segments in seg[]; 0 otherwise.
 */
static int
router_try(const char *pattern, const char *path, const char **name,
    size_t *namelen, const char **seg, size_t *seglen, size_t *nseg)
{
	const char	*p = pattern, *q = path, *pe, *qe;
	size_t		 n = 0;

	for (;;) {
		if (*p != '/' || *q != '/')
			return 0;
		p++;
		q++;
		pe = p + strcspn(p, "/");
		qe = q + strcspn(q, "/");
		if (*p == '{') {
			if (qe == q || n == HTTP_MAX_PARAMS)
				return 0;
			name[n] = p + 1;
			namelen[n] = (size_t)(pe - p - 2);
			seg[n] = q;
			seglen[n++] = (size_t)(qe - q);
		} else if (pe - p != qe - q || strncmp(p, q, pe - p) != 0)
			return 0;
		p = pe;
		q = qe;
		if (*p == '\0' || *q == '\0')
			break;
	}
	*nseg = n;
	return *p == '\0' && *q == '\0';
}

/*
 * Decodes the placeholder segments into params.  A segment with a bad
 * escape or an encoded NUL, or one that does not fit, gets a NULL value:
 * the request still reaches its route, so that the token is checked
 * before the caller learns that the parameter is malformed.
 */
static void
router_fill(struct http_params *params, const char **name,
    const size_t *namelen, const char **seg, const size_t *seglen,
    size_t n)
{
	size_t	 i, used = 0;

	/* The names first: they are short and come from the table. */
	params->n = 0;
	for (i = 0; i < n; i++) {
		if (namelen[i] + 1 > sizeof(params->store) - used)
			return;
		memcpy(params->store + used, name[i], namelen[i]);
		params->store[used + namelen[i]] = '\0';
		params->name[i] = params->store + used;
		used += namelen[i] + 1;
	}

	for (i = 0; i < n; i++) {
		params->value[i] = NULL;
		if (http_unescape(seg[i], seglen[i], params->store + used,
		    sizeof(params->store) - used, 0) == 0) {
			params->value[i] = params->store + used;
			used += strlen(params->value[i]) + 1;
		}
	}
	params->n = n;
}

enum router_result
router_match(const struct route *table, size_t n, const char *method,
    const char *path, struct http_params *params, const struct route **found,
    char *allow, size_t allowlen)
{
	const char	*name[HTTP_MAX_PARAMS], *seg[HTTP_MAX_PARAMS];
	size_t           namelen[HTTP_MAX_PARAMS], seglen[HTTP_MAX_PARAMS];
	size_t		 i, nseg, used = 0;
	int		 other = 0;

	if (allowlen > 0)
		allow[0] = '\0';
	for (i = 0; i < n; i++) {
		if (!router_try(table[i].pattern, path, name, namelen, seg,
		    seglen, &nseg))
			continue;
		if (strcmp(table[i].method, method) == 0) {
			router_fill(params, name, namelen, seg, seglen, nseg);
			*found = &table[i];
			return ROUTER_FOUND;
		}

		/* Remember the method for Allow, once each. */
		if (strstr(allow, table[i].method) == NULL &&
		    used + strlen(table[i].method) + 3 < allowlen)
			used += (size_t)snprintf(allow + used,
			    allowlen - used, "%s%s", other ? ", " : "",
			    table[i].method);
		other = 1;
	}
	return other ? ROUTER_BAD_METHOD : ROUTER_NOT_FOUND;
}
