/*
 * body.c: the declarative request-body checker and the shared error
 * record (see body.h).
 *
 * The checker knows nothing of any route: a handler passes a table, and
 * the checker walks the object once for unknown members and once over the
 * table for everything else, so that the first problem reported does not
 * depend on the order a client wrote its members in.
 */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include <json-c/json.h>

#include "body.h"
#include "ijson.h"

enum pie_res
body_fail(struct verr *err, const char *code, const char *fmt, ...)
{
	va_list	 ap;

	if (err == NULL)
		return PIE_ERR_INVALID;
	err->code = code;
	va_start(ap, fmt);
	vsnprintf(err->msg, sizeof(err->msg), fmt, ap);
	va_end(ap);

	/* Names from the request may hold anything; the message may not. */
	ijson_msg_clean(err->msg);
	return PIE_ERR_INVALID;
}

/* Marks a cut path so that nobody mistakes it for a whole one. */
static void
body_path_cut(char *buf, size_t size, int n)
{

	if (n >= 0 && (size_t)n < size)
		return;
	if (size >= 4) {
		buf[size - 4] = '\0';
		ijson_msg_clean(buf);
		strcat(buf, "...");
	}
}

void
body_path(char *buf, size_t size, const char *prefix, const char *name)
{
	int	 n;

	if (size == 0)
		return;
	if (prefix == NULL || prefix[0] == '\0')
		n = snprintf(buf, size, "%s", name);
	else
		n = snprintf(buf, size, "%s.%s", prefix, name);
	body_path_cut(buf, size, n);
}

void
body_path_index(char *buf, size_t size, const char *prefix, size_t index)
{
	int	 n;

	if (size == 0)
		return;
	n = snprintf(buf, size, "%s[%zu]", prefix == NULL ? "" : prefix,
	    index);
	body_path_cut(buf, size, n);
}

void
body_types_phrase(char *buf, size_t size, unsigned int types)
{
	static const struct {
		unsigned int	 bit;
		const char	*phrase;
	} names[] = {
		{ BODY_T_STRING, "a string" },
		{ BODY_T_INTEGER, "an integer" },
		{ BODY_T_NUMBER, "a number" },
		{ BODY_T_BOOLEAN, "a boolean" },
		{ BODY_T_ARRAY, "an array" },
		{ BODY_T_OBJECT, "an object" },
		{ BODY_T_NULL, "null" },
	};
	const char	*list[7], *sep;
	size_t		 i, n = 0, len = 0;
	int		 w;

	/* "a number" already says "an integer". */
	if (types & BODY_T_NUMBER)
		types &= ~BODY_T_INTEGER;
	for (i = 0; i < sizeof(names) / sizeof(names[0]); i++)
		if (types & names[i].bit)
			list[n++] = names[i].phrase;

	if (size == 0)
		return;
	buf[0] = '\0';
	for (i = 0; i < n && len < size; i++) {
		sep = i == 0 ? "" : i + 1 == n ? " or " : ", ";
		w = snprintf(buf + len, size - len, "%s%s", sep, list[i]);
		if (w < 0)
			break;
		len += (size_t)w;
	}
}

int
body_is_integer(const struct json_object *v)
{
	double	 d;

	if (json_object_is_type(v, json_type_int))
		return 1;
	if (!json_object_is_type(v, json_type_double))
		return 0;

	/* From 2^53 on every finite double is a whole number. */
	d = json_object_get_double(v);
	if (d >= 9007199254740992.0 || d <= -9007199254740992.0)
		return d - d == 0;
	return d == (double)(long long)d;
}

/* The BODY_T_ bits a JSON value satisfies. */
static unsigned int
body_type_of(const struct json_object *v)
{

	switch (json_object_get_type(v)) {
	case json_type_null:
		return BODY_T_NULL;
	case json_type_boolean:
		return BODY_T_BOOLEAN;
	case json_type_int:
	case json_type_double:
		if (body_is_integer(v))
			return BODY_T_INTEGER | BODY_T_NUMBER;
		return BODY_T_NUMBER;
	case json_type_string:
		return BODY_T_STRING;
	case json_type_array:
		return BODY_T_ARRAY;
	case json_type_object:
		return BODY_T_OBJECT;
	}
	return 0;
}

/* The number of code points in a UTF-8 string of len bytes. */
static size_t
body_utf8_chars(const char *s, size_t len)
{
	size_t	 i, n = 0;

	for (i = 0; i < len; i++)
		if (((unsigned char)s[i] & 0xc0) != 0x80)
			n++;
	return n;
}

static const struct body_field *
body_find(const struct body_field *fields, const char *name)
{

	for (; fields->name != NULL; fields++)
		if (strcmp(fields->name, name) == 0)
			return fields;
	return NULL;
}

/* The levels of objects and arrays in v: 0 for a scalar. */
static size_t
body_depth(struct json_object *v)
{
	struct json_object_iterator	 it, end;
	size_t				 d, deepest = 0, i, n;

	if (json_object_is_type(v, json_type_array)) {
		n = json_object_array_length(v);
		for (i = 0; i < n; i++)
			if ((d = body_depth(json_object_array_get_idx(v,
			    i))) > deepest)
				deepest = d;
		return deepest + 1;
	}
	if (!json_object_is_type(v, json_type_object))
		return 0;

	it = json_object_iter_begin(v);
	end = json_object_iter_end(v);
	for (; !json_object_iter_equal(&it, &end); json_object_iter_next(&it))
		if ((d = body_depth(json_object_iter_peek_value(&it))) >
		    deepest)
			deepest = d;
	return deepest + 1;
}

/* Checks the size limit and identifier rule of one present member. */
static enum pie_res
body_check_value(struct json_object *v, const struct body_field *f,
    const char *path, struct verr *err)
{
	const char	*s;
	size_t		 n;

	switch (json_object_get_type(v)) {
	case json_type_string:
		s = json_object_get_string(v);
		n = (size_t)json_object_get_string_len(v);
		if (f->max != 0 && body_utf8_chars(s, n) > f->max)
			return body_fail(err, BODY_E_TOO_LARGE,
			    "%s must be at most %zu characters", path,
			    f->max);
		if (f->ident != IDENT_NONE &&
		    (!ident_valid(f->ident, s) || strlen(s) != n))
			return body_fail(err, BODY_E_VALUE,
			    "%s is not a valid %s", path,
			    ident_kind_name(f->ident));
		break;
	case json_type_array:
		n = json_object_array_length(v);
		if (f->max != 0 && n > f->max)
			return body_fail(err, BODY_E_TOO_LARGE,
			    "%s must have at most %zu items", path, f->max);
		break;
	case json_type_object:
		if (f->max == 0)
			break;
		s = json_object_to_json_string_ext(v,
		    JSON_C_TO_STRING_PLAIN | JSON_C_TO_STRING_NOSLASHESCAPE);
		if (s == NULL)
			return PIE_ERR_NOMEM;
		if (strlen(s) > f->max)
			return body_fail(err, BODY_E_TOO_LARGE,
			    "%s must be at most %zu bytes of JSON", path,
			    f->max);
		if (body_depth(v) > BODY_OBJECT_DEPTH_MAX)
			return body_fail(err, BODY_E_TOO_LARGE,
			    "%s must nest at most %d levels of objects and "
			    "arrays", path, BODY_OBJECT_DEPTH_MAX);
		break;
	default:
		break;
	}
	return PIE_OK;
}

enum pie_res
body_check(struct json_object *obj, const struct body_field *fields,
    const char *prefix, struct verr *err)
{
	const struct body_field	*f;
	struct json_object	*v;
	char			 path[BODY_PATH_MAX], what[64];
	enum pie_res		 res;

	if (!json_object_is_type(obj, json_type_object)) {
		if (prefix == NULL || prefix[0] == '\0')
			return body_fail(err, BODY_E_TYPE,
			    "the request body must be a JSON object");
		return body_fail(err, BODY_E_TYPE, "%s must be an object",
		    prefix);
	}

	/* Unknown members first: a typo explains a "missing" one. */
	{
		json_object_object_foreach(obj, key, val) {
			(void)val;
			if (body_find(fields, key) != NULL)
				continue;
			body_path(path, sizeof(path), prefix, key);
			return body_fail(err, BODY_E_UNKNOWN,
			    "unknown field %s", path);
		}
	}

	for (f = fields; f->name != NULL; f++) {
		body_path(path, sizeof(path), prefix, f->name);
		if (!json_object_object_get_ex(obj, f->name, &v)) {
			if (f->required)
				return body_fail(err, BODY_E_MISSING,
				    "%s is required", path);
			continue;
		}
		if ((body_type_of(v) & f->types) == 0) {
			body_types_phrase(what, sizeof(what), f->types);
			return body_fail(err, BODY_E_TYPE, "%s must be %s",
			    path, what);
		}
		if ((res = body_check_value(v, f, path, err)) != PIE_OK)
			return res;
	}
	return PIE_OK;
}

enum pie_res
body_check_unique(const struct json_object *arr, const char *member,
    const char *prefix, struct verr *err)
{
	struct json_object	*a, *b, *sa, *sb;
	char			 ipath[BODY_PATH_MAX], path[BODY_PATH_MAX];
	size_t			 i, j, n;

	if (!json_object_is_type(arr, json_type_array))
		return PIE_OK;

	/* Quadratic, but arrays here are at most a thousand items. */
	n = json_object_array_length(arr);
	for (i = 1; i < n; i++) {
		a = json_object_array_get_idx(arr, i);
		if (!json_object_object_get_ex(a, member, &sa) ||
		    !json_object_is_type(sa, json_type_string))
			continue;
		for (j = 0; j < i; j++) {
			b = json_object_array_get_idx(arr, j);
			if (!json_object_object_get_ex(b, member, &sb) ||
			    !json_object_equal(sa, sb))
				continue;
			body_path_index(ipath, sizeof(ipath), prefix, i);
			body_path(path, sizeof(path), ipath, member);
			return body_fail(err, BODY_E_VALUE,
			    "%s \"%s\" appears more than once", path,
			    json_object_get_string(sa));
		}
	}
	return PIE_OK;
}
