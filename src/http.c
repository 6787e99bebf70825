/*
 * http.c: request accessors and response builders (see http.h).
 */
#include <ctype.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <json-c/json.h>

#include "http.h"
#include "ijson.h"
#include "log.h"

const char *
http_param(const struct http_req *req, const char *name)
{
	size_t	 i;

	for (i = 0; i < req->params.n; i++)
		if (strcmp(req->params.name[i], name) == 0)
			return req->params.value[i];
	return NULL;
}

static int
http_hex(int c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	c = tolower(c);
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	return -1;
}

int
http_unescape(const char *s, size_t len, char *buf, size_t buflen,
    int plus_is_space)
{
	size_t	 i, n = 0;
	int	 hi, lo, c;

	for (i = 0; i < len; i++) {
		c = (unsigned char)s[i];
		if (c == '%') {
			if (i + 2 >= len)
				return -1;
			if ((hi = http_hex(s[i + 1])) < 0 ||
			    (lo = http_hex(s[i + 2])) < 0)
				return -1;
			c = hi * 16 + lo;
			i += 2;
		} else if (c == '+' && plus_is_space)
			c = ' ';
		if (c == '\0' || n + 1 >= buflen)
			return -1;
		buf[n++] = (char)c;
	}
	buf[n] = '\0';
	return 0;
}

/*
 * 1 when every escape of s[0..len) is a well-formed %XX that is not %00,
 * that is when http_unescape would decode it given room, else 0.
 */
static int
http_escapes_ok(const char *s, size_t len)
{
	size_t	 i;

	for (i = 0; i < len; i++) {
		if (s[i] != '%')
			continue;
		if (i + 2 >= len || http_hex(s[i + 1]) < 0 ||
		    http_hex(s[i + 2]) < 0 ||
		    (s[i + 1] == '0' && s[i + 2] == '0'))
			return 0;
		i += 2;
	}
	return 1;
}

/*
 * Decodes the query parameter name n[0..nlen) into buf (len bytes), as
 * a form decodes it.  Returns 0; -1 when the name does not decode (a bad
 * escape, an encoded NUL); 1 when it decodes but is longer than buf
 * holds, which no name a route reads is.
 */
static int
http_query_name(const char *n, size_t nlen, char *buf, size_t len)
{
	if (!http_escapes_ok(n, nlen))
		return -1;
	return http_unescape(n, nlen, buf, len, 1) == 0 ? 0 : 1;
}

/*
 * Steps to the next "name=value" pair of a query, skipping empty pairs.
 * *p is the rest of the query (NULL or "" when done).  Returns 1 with
 * the pair's name and value (raw, value "" when there is no '='), or 0
 * at the end.
 */
static int
http_query_next(const char **p, const char **name, size_t *nlen,
    const char **val, size_t *vlen)
{
	const char	*s = *p, *amp, *eq;

	for (; s != NULL && *s != '\0'; s = *amp != '\0' ? amp + 1 : amp) {
		amp = s + strcspn(s, "&");
		if (amp == s)
			continue;
		eq = memchr(s, '=', (size_t)(amp - s));
		*name = s;
		*nlen = (size_t)((eq != NULL ? eq : amp) - s);
		*val = eq != NULL ? eq + 1 : amp;
		*vlen = (size_t)(amp - *val);
		*p = *amp != '\0' ? amp + 1 : amp;
		return 1;
	}
	return 0;
}

int
http_query(const struct http_req *req, const char *name, char *buf,
    size_t buflen)
{
	const char	*p = req->query, *n, *v;
	size_t		 nlen, vlen;
	char		 got[HTTP_QUERY_NAME_MAX];

	/* Names compare decoded: "%6Cimit" is "limit". */
	while (http_query_next(&p, &n, &nlen, &v, &vlen))
		if (http_query_name(n, nlen, got, sizeof(got)) == 0 &&
		    strcmp(got, name) == 0)
			return http_unescape(v, vlen, buf, buflen, 1) == 0 ?
			    1 : -1;
	return 0;
}

/*
 * Writes the query name n[0..nlen) for a message into buf (at least 56
 * bytes): its first 48 bytes and "..." when longer, decoded when raw is
 * 0, else as sent (a name that does not decode).
 */
static void
http_query_shown(const char *n, size_t nlen, int raw, char *buf,
    size_t len)
{
	size_t	 cut = nlen;

	if (cut > 48) {
		cut = 48;
		/* Never split a %XX escape. */
		if (!raw && n[cut - 1] == '%')
			cut -= 1;
		else if (!raw && n[cut - 2] == '%')
			cut -= 2;
	}
	if (raw || http_unescape(n, cut, buf, len - 4, 1) != 0)
		snprintf(buf, len - 4, "%.*s", (int)cut, n);
	if (cut < nlen)
		strcat(buf, "...");
}

enum pie_res
http_query_allow(const struct http_req *req, struct http_resp *resp,
    const char *const *names)
{
	const char	*p = req->query, *n, *v;
	size_t		 i, nlen, vlen;
	unsigned	 seen = 0;
	char		 shown[64], got[HTTP_QUERY_NAME_MAX];
	int		 rc;

	while (http_query_next(&p, &n, &nlen, &v, &vlen)) {
		rc = http_query_name(n, nlen, got, sizeof(got));
		http_query_shown(n, nlen, rc < 0, shown, sizeof(shown));
		if (rc < 0)
			return http_error(resp, 400, "invalid_parameter",
			    "query parameter name \"%s\" is not validly "
			    "percent-encoded", shown);
		for (i = 0; rc == 0 && names[i] != NULL; i++)
			if (strcmp(got, names[i]) == 0)
				break;
		if (rc != 0 || names[i] == NULL)
			return http_error(resp, 400, "unknown_parameter",
			    "unknown query parameter \"%s\"", shown);

		/* A second value would be ignored; say so instead. */
		if (i < sizeof(seen) * 8 && (seen & 1U << i))
			return http_error(resp, 400, "invalid_parameter",
			    "query parameter %s is given more than once",
			    shown);
		if (i < sizeof(seen) * 8)
			seen |= 1U << i;
	}
	return PIE_OK;
}

/*
 * 1 when the media type ct is type, with parameters or none; a charset,
 * when given, must be UTF-8, which is what the body is read as (RFC 8259
 * section 8.1).
 */
static int
http_is_type(const char *ct, const char *type)
{
	size_t	 n = strlen(type), v;

	if (ct == NULL || strncasecmp(ct, type, n) != 0)
		return 0;
	for (ct += n; *ct == ' ' || *ct == '\t'; ct++)
		continue;
	while (*ct == ';') {
		for (ct++; *ct == ' ' || *ct == '\t'; ct++)
			continue;
		v = strcspn(ct, ";");
		if (strncasecmp(ct, "charset=", 8) == 0 &&
		    !((v == 13 && strncasecmp(ct + 8, "utf-8", 5) == 0) ||
		    (v == 15 && strncasecmp(ct + 8, "\"utf-8\"", 7) == 0)))
			return 0;
		ct += v;
	}
	return *ct == '\0';
}

enum pie_res
http_require_json(const struct http_req *req, struct http_resp *resp)
{
	/* A PATCH body is a merge patch, so its own type is welcome too. */
	int	 patch = req->method != NULL &&
	    strcmp(req->method, "PATCH") == 0;

	if (!http_is_type(req->content_type, "application/json") &&
	    !(patch && http_is_type(req->content_type,
	    "application/merge-patch+json")))
		return http_error(resp, 415, "unsupported_media_type",
		    "the body must be sent as Content-Type: "
		    "application/json%s (with charset=utf-8, if any)",
		    patch ? " or application/merge-patch+json" : "");
	if (req->body_len == 0)
		return http_error(resp, 400, "invalid_json",
		    "the request body is empty; a JSON object is required");
	return PIE_OK;
}

enum pie_res
http_header(struct http_resp *resp, const char *name, const char *fmt, ...)
{
	char	 value[640];
	int	 n;
	va_list	 ap;

	/* Room for a Location of the longest identifiers. */
	va_start(ap, fmt);
	n = vsnprintf(value, sizeof(value), fmt, ap);
	va_end(ap);
	if (n < 0 || (size_t)n >= sizeof(value))
		return PIE_ERR_TOO_BIG;

	n = snprintf(resp->headers + resp->headers_len,
	    sizeof(resp->headers) - resp->headers_len, "%s: %s\r\n", name,
	    value);
	if (n < 0 || (size_t)n >= sizeof(resp->headers) - resp->headers_len) {
		resp->headers[resp->headers_len] = '\0';
		return PIE_ERR_TOO_BIG;
	}
	resp->headers_len += (size_t)n;
	return PIE_OK;
}

enum pie_res
http_json(struct http_resp *resp, int status, struct json_object *obj)
{
	const char	*s;
	size_t		 len;
	char		*copy;

	if (obj == NULL)
		return PIE_ERR_NOMEM;
	s = json_object_to_json_string_length(obj,
	    JSON_C_TO_STRING_PLAIN | JSON_C_TO_STRING_NOSLASHESCAPE, &len);
	if (s == NULL || (copy = malloc(len + 1)) == NULL) {
		json_object_put(obj);
		return PIE_ERR_NOMEM;
	}
	memcpy(copy, s, len + 1);
	json_object_put(obj);

	free(resp->body);
	resp->body = copy;
	resp->body_len = len;
	resp->status = status;
	return PIE_OK;
}

struct json_object *
http_error_body(const char *code, const char *msg)
{
	struct json_object	*o;

	if ((o = json_object_new_object()) == NULL)
		return NULL;
	if (json_object_object_add(o, "success",
	    json_object_new_boolean(0)) != 0 ||
	    json_object_object_add(o, "error",
	    json_object_new_string(msg)) != 0 ||
	    json_object_object_add(o, "code",
	    json_object_new_string(code)) != 0) {
		json_object_put(o);
		return NULL;
	}
	return o;
}

enum pie_res
http_error(struct http_resp *resp, int status, const char *code,
    const char *fmt, ...)
{
	char	 msg[512];
	va_list	 ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);

	/* Messages quote paths and names as the client sent them. */
	ijson_msg_clean(msg);
	resp->code = code;
	if (http_json(resp, status, http_error_body(code, msg)) != PIE_OK)
		status = resp->status = 503;

	/*
	 * A 503 is temporary (a lost database, a lasting deadlock, no
	 * memory): say when to try again.  A full header block only loses
	 * the hint.
	 */
	if (status == 503 && http_header(resp, "Retry-After", "%d",
	    HTTP_RETRY_AFTER) != PIE_OK)
		log_warn("no room for Retry-After in a 503 answer");
	return PIE_ERR_INVALID;
}

const char *
http_reason(int status)
{
	switch (status) {
	case 200: return "OK";
	case 201: return "Created";
	case 204: return "No Content";
	case 400: return "Bad Request";
	case 401: return "Unauthorized";
	case 403: return "Forbidden";
	case 404: return "Not Found";
	case 405: return "Method Not Allowed";
	case 409: return "Conflict";
	case 412: return "Precondition Failed";
	case 413: return "Content Too Large";
	case 415: return "Unsupported Media Type";
	case 422: return "Unprocessable Content";
	case 500: return "Internal Server Error";
	case 503: return "Service Unavailable";
	default: return "Unknown";
	}
}

void
http_req_clear(struct http_req *req)
{
	free(req->path);
	free(req->body);
	req->path = NULL;
	req->body = NULL;
}

void
http_resp_clear(struct http_resp *resp)
{
	free(resp->body);
	memset(resp, 0, sizeof(*resp));
}
