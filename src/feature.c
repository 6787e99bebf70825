/*
 * feature.c: validation and normalisation of provided features, value
 * keys, and the reference compatibility check (see feature.h).
 *
 * Everything here is pure: json-c trees in, JSON text or trees out.  The
 * value key is the one place where C and SQL must agree byte for byte, so
 * it is computed only here and handed to the database ready-made.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <json-c/json.h>
#include <openssl/evp.h>

#include "feature.h"
#include "ident.h"

/* Doubles of at least this magnitude are whole but not exact integers. */
#define FEATURE_EXACT	9007199254740992.0	/* 2^53 */

#define FEATURE_JSON_FLAGS \
	(JSON_C_TO_STRING_PLAIN | JSON_C_TO_STRING_NOSLASHESCAPE)

int
feature_is_scalar(const struct json_object *v)
{

	switch (json_object_get_type(v)) {
	case json_type_string:
	case json_type_int:
	case json_type_double:
	case json_type_boolean:
		return 1;
	default:
		return 0;
	}
}

void
feature_format_double(double d, char *buf, size_t size)
{
	int	 prec;

	if (d == 0) {
		snprintf(buf, size, "0");
		return;
	}
	/* The shortest precision that reads back; at most 17 tries. */
	for (prec = 1; prec < 17; prec++) {
		snprintf(buf, size, "%.*g", prec, d);
		if (strtod(buf, NULL) == d)
			return;
	}
	snprintf(buf, size, "%.17g", d);
}

/* SHA-256 of data as lowercase hex into key. */
static enum pie_res
feature_hex_sha256(const void *data, size_t len,
    char key[FEATURE_KEY_LEN + 1])
{
	static const char	 hex[] = "0123456789abcdef";
	unsigned char		 md[EVP_MAX_MD_SIZE];
	unsigned int		 mdlen = 0, i;

	if (EVP_Digest(data, len, md, &mdlen, EVP_sha256(), NULL) != 1 ||
	    mdlen * 2 != FEATURE_KEY_LEN)
		return PIE_ERR_CRYPTO;
	for (i = 0; i < mdlen; i++) {
		key[2 * i] = hex[md[i] >> 4];
		key[2 * i + 1] = hex[md[i] & 0x0f];
	}
	key[FEATURE_KEY_LEN] = '\0';
	return PIE_OK;
}

enum pie_res
feature_value_key(struct json_object *v, char key[FEATURE_KEY_LEN + 1])
{
	char		 small[256], *form = small, *big = NULL;
	const char	*s;
	size_t		 n;
	double		 d;
	enum pie_res	 res;

	switch (json_object_get_type(v)) {
	case json_type_string:
		/* Long strings need a heap copy of "s:" + bytes. */
		s = json_object_get_string(v);
		n = (size_t)json_object_get_string_len(v);
		if (n + 2 > sizeof(small)) {
			if ((big = malloc(n + 2)) == NULL)
				return PIE_ERR_NOMEM;
			form = big;
		}
		memcpy(form, "s:", 2);
		memcpy(form + 2, s, n);
		n += 2;
		break;
	case json_type_int:
	case json_type_double:
		d = json_object_get_double(v);
		if (d == 0)
			d = 0;	/* -0 and 0 share a key */
		n = (size_t)snprintf(small, sizeof(small), "n:%.17g", d);
		break;
	case json_type_boolean:
		n = (size_t)snprintf(small, sizeof(small), "b:%s",
		    json_object_get_boolean(v) ? "true" : "false");
		break;
	default:
		return PIE_ERR_INVALID;
	}

	res = feature_hex_sha256(form, n, key);
	free(big);
	return res;
}

struct json_object *
feature_canon_double(double d)
{
	char	 buf[40];

	/* The range first: converting a double past int64 is undefined. */
	if (d < FEATURE_EXACT && d > -FEATURE_EXACT &&
	    d == (double)(int64_t)d)
		return json_object_new_int64((int64_t)d);
	feature_format_double(d, buf, sizeof(buf));
	return json_object_new_double_s(d, buf);
}

struct json_object *
feature_canon_value(struct json_object *v)
{

	switch (json_object_get_type(v)) {
	case json_type_string:
		return json_object_new_string_len(json_object_get_string(v),
		    json_object_get_string_len(v));
	case json_type_int:
		return json_object_new_int64(json_object_get_int64(v));
	case json_type_double:
		return feature_canon_double(json_object_get_double(v));
	case json_type_boolean:
		return json_object_new_boolean(json_object_get_boolean(v));
	default:
		return NULL;
	}
}

/*
 * Adds key: val to obj, taking val even on failure.  A NULL val is what a
 * failed constructor returns, so it means out of memory here.
 */
static enum pie_res
feature_add(struct json_object *obj, const char *key,
    struct json_object *val)
{

	if (val == NULL)
		return PIE_ERR_NOMEM;
	if (json_object_object_add(obj, key, val) != 0) {
		json_object_put(val);
		return PIE_ERR_NOMEM;
	}
	return PIE_OK;
}

/* The same for a member that may be JSON null (val NULL). */
static enum pie_res
feature_add_opt(struct json_object *obj, const char *key,
    struct json_object *val)
{

	if (json_object_object_add(obj, key, val) != 0) {
		json_object_put(val);
		return PIE_ERR_NOMEM;
	}
	return PIE_OK;
}

/*
 * Builds the normalised element for feature name with value v (NULL for
 * a removal in a patch).  Returns PIE_OK with *out set (the caller puts
 * it), PIE_ERR_NOMEM or PIE_ERR_CRYPTO.
 */
static enum pie_res
feature_norm_one(const char *name, struct json_object *v,
    struct json_object **out)
{
	struct json_object	*e, *k = NULL, *d = NULL, *cv = NULL;
	char			 key[FEATURE_KEY_LEN + 1];
	const char		*t = "z";
	int			 isnum;
	enum pie_res		 res = PIE_ERR_NOMEM;

	*out = NULL;
	if ((e = json_object_new_object()) == NULL)
		return PIE_ERR_NOMEM;

	isnum = json_object_is_type(v, json_type_int) ||
	    json_object_is_type(v, json_type_double);
	if (v != NULL) {
		if ((res = feature_value_key(v, key)) != PIE_OK)
			goto out;
		res = PIE_ERR_NOMEM;
		t = isnum ? "n" : json_object_is_type(v, json_type_string) ?
		    "s" : "b";
		if ((k = json_object_new_string(key)) == NULL ||
		    (cv = feature_canon_value(v)) == NULL)
			goto out;
		if (isnum && (d = feature_canon_double(
		    json_object_get_double(v))) == NULL)
			goto out;
	}

	if (feature_add(e, "n", json_object_new_string(name)) != PIE_OK ||
	    feature_add(e, "t", json_object_new_string(t)) != PIE_OK ||
	    feature_add(e, "i", json_object_new_int(isnum &&
	    body_is_integer(v))) != PIE_OK)
		goto out;

	/* Each add takes its value, so forget it once handed over. */
	res = feature_add_opt(e, "d", d);
	d = NULL;
	if (res == PIE_OK)
		res = feature_add_opt(e, "k", k);
	k = NULL;
	if (res == PIE_OK)
		res = feature_add_opt(e, "v", cv);
	cv = NULL;
	if (res != PIE_OK)
		goto out;

	*out = e;
	e = NULL;
out:
	json_object_put(e);
	json_object_put(k);
	json_object_put(d);
	json_object_put(cv);
	return res;
}

static int
feature_cmp_names(const void *a, const void *b)
{

	return strcmp(*(const char *const *)a, *(const char *const *)b);
}

/*
 * Checks the members of obj (at path) and collects the names to keep,
 * sorted, into a new array *names of *n entries (the caller frees the
 * array, not the names, which obj owns).  Nulls are kept when keep_null.
 */
static enum pie_res
feature_names(struct json_object *obj, const char *path, int keep_null,
    const char ***names, size_t *n, struct verr *err)
{
	const char	**list;
	char		  p[BODY_PATH_MAX];
	size_t		  cap;

	*names = NULL;
	*n = 0;
	if (!json_object_is_type(obj, json_type_object))
		return body_fail(err, BODY_E_TYPE, "%s must be an object",
		    path);
	cap = (size_t)json_object_object_length(obj);
	if ((list = calloc(cap + 1, sizeof(*list))) == NULL)
		return PIE_ERR_NOMEM;

	{
		json_object_object_foreach(obj, key, val) {
			body_path(p, sizeof(p), path, key);
			if (!ident_valid(IDENT_FEATURE, key)) {
				free(list);
				return body_fail(err, BODY_E_VALUE,
				    "%s: \"%s\" is not a valid feature name",
				    path, key);
			}
			if (val != NULL && !feature_is_scalar(val)) {
				free(list);
				return body_fail(err, BODY_E_TYPE,
				    "%s must be a string, number, boolean "
				    "or null", p);
			}
			if (val != NULL || keep_null)
				list[(*n)++] = key;
		}
	}

	if (*n > FEATURE_MAX) {
		free(list);
		*n = 0;
		return body_fail(err, BODY_E_TOO_LARGE,
		    "%s must have at most %d features", path, FEATURE_MAX);
	}
	qsort(list, *n, sizeof(*list), feature_cmp_names);
	*names = list;
	return PIE_OK;
}

/*
 * Builds the normalised array for the names of obj, and the canonical
 * object when canon is not NULL.
 */
static enum pie_res
feature_build(struct json_object *obj, const char **names, size_t n,
    struct json_object *canon, struct json_object *norm)
{
	struct json_object	*v, *e;
	size_t			 i;
	enum pie_res		 res;

	for (i = 0; i < n; i++) {
		json_object_object_get_ex(obj, names[i], &v);
		if (canon != NULL && v == NULL &&
		    (res = feature_add_opt(canon, names[i], NULL)) != PIE_OK)
			return res;
		if (canon != NULL && v != NULL && (res = feature_add(canon,
		    names[i], feature_canon_value(v))) != PIE_OK)
			return res;
		if ((res = feature_norm_one(names[i], v, &e)) != PIE_OK)
			return res;
		if (json_object_array_add(norm, e) != 0) {
			json_object_put(e);
			return PIE_ERR_NOMEM;
		}
	}
	return PIE_OK;
}

char *
feature_dump(struct json_object *obj)
{
	const char	*s;

	if ((s = json_object_to_json_string_ext(obj,
	    FEATURE_JSON_FLAGS)) == NULL)
		return NULL;
	return strdup(s);
}

enum pie_res
feature_validate(struct json_object *provided, const char *path,
    char **canon, char **norm, struct verr *err)
{
	struct json_object	*cobj = NULL, *narr = NULL;
	const char		**names = NULL;
	size_t			  n;
	enum pie_res		  res;

	*canon = *norm = NULL;
	res = feature_names(provided, path, 1, &names, &n, err);
	if (res != PIE_OK)
		goto out;
	if ((cobj = json_object_new_object()) == NULL ||
	    (narr = json_object_new_array()) == NULL) {
		res = PIE_ERR_NOMEM;
		goto out;
	}
	if ((res = feature_build(provided, names, n, cobj, narr)) != PIE_OK)
		goto out;

	res = PIE_ERR_NOMEM;
	if ((*canon = feature_dump(cobj)) == NULL)
		goto out;
	if (strlen(*canon) > FEATURE_MAX_BYTES) {
		res = body_fail(err, BODY_E_TOO_LARGE,
		    "%s must be at most %d bytes of JSON", path,
		    FEATURE_MAX_BYTES);
		goto out;
	}
	if ((*norm = feature_dump(narr)) == NULL)
		goto out;
	res = PIE_OK;
out:
	if (res != PIE_OK) {
		free(*canon);
		free(*norm);
		*canon = *norm = NULL;
	}
	free(names);
	json_object_put(cobj);
	json_object_put(narr);
	return res;
}

enum pie_res
feature_patch_validate(struct json_object *patch, const char *path,
    char **norm, struct verr *err)
{
	struct json_object	*narr = NULL;
	const char		**names = NULL, *s;
	size_t			  n;
	enum pie_res		  res;

	*norm = NULL;
	res = feature_names(patch, path, 1, &names, &n, err);
	if (res != PIE_OK)
		goto out;
	if ((narr = json_object_new_array()) == NULL) {
		res = PIE_ERR_NOMEM;
		goto out;
	}
	if ((res = feature_build(patch, names, n, NULL, narr)) != PIE_OK)
		goto out;

	/* The patch itself, as sent, bounds what it can add. */
	res = PIE_ERR_NOMEM;
	if ((s = json_object_to_json_string_ext(patch,
	    FEATURE_JSON_FLAGS)) == NULL)
		goto out;
	if (strlen(s) > FEATURE_MAX_BYTES) {
		res = body_fail(err, BODY_E_TOO_LARGE,
		    "%s must be at most %d bytes of JSON", path,
		    FEATURE_MAX_BYTES);
		goto out;
	}
	if ((*norm = feature_dump(narr)) == NULL)
		goto out;
	res = PIE_OK;
out:
	free(names);
	json_object_put(narr);
	return res;
}

int
feature_type_fits(const char *ty, const struct json_object *v)
{

	if (strcmp(ty, "string") == 0)
		return json_object_is_type(v, json_type_string);
	if (strcmp(ty, "boolean") == 0)
		return json_object_is_type(v, json_type_boolean);
	if (strcmp(ty, "integer") == 0)
		return body_is_integer(v);
	if (strcmp(ty, "number") == 0)
		return json_object_is_type(v, json_type_int) ||
		    json_object_is_type(v, json_type_double);
	return 0;
}

/* Sets *found to whether v's key is the key of an item of av. */
static enum pie_res
feature_allowed(struct json_object *av, struct json_object *v,
    int *found)
{
	char             key[FEATURE_KEY_LEN + 1], other[FEATURE_KEY_LEN + 1];
	size_t		 i;
	enum pie_res	 res;

	*found = 0;
	if ((res = feature_value_key(v, key)) != PIE_OK)
		return res;
	for (i = 0; i < json_object_array_length(av); i++) {
		res = feature_value_key(json_object_array_get_idx(av, i),
		    other);
		if (res != PIE_OK)
			return res;
		if (strcmp(key, other) == 0) {
			*found = 1;
			break;
		}
	}
	return PIE_OK;
}

/*
 * Judges the value v (NULL when absent or null) against one freeze
 * feature f.  Sets *reason to the first failure in the order missing,
 * wrong_type, not_allowed, out_of_range, or NULL when v passes.
 */
static enum pie_res
feature_judge(struct json_object *f, struct json_object *v,
    const char **reason)
{
	struct json_object	*ty, *m, *av, *lo, *hi;
	double			 d;
	int			 found;
	enum pie_res		 res;

	*reason = NULL;
	if (!json_object_object_get_ex(f, "type", &ty) ||
	    !json_object_is_type(ty, json_type_string))
		return PIE_ERR_INVALID;

	if (v == NULL) {
		if (json_object_object_get_ex(f, "mandatory", &m) &&
		    json_object_get_boolean(m) &&
		    !json_object_object_get_ex(f, "default", NULL))
			*reason = "missing";
		return PIE_OK;
	}
	if (!feature_type_fits(json_object_get_string(ty), v)) {
		*reason = "wrong_type";
		return PIE_OK;
	}
	if (json_object_object_get_ex(f, "allowed_values", &av) &&
	    json_object_is_type(av, json_type_array)) {
		if ((res = feature_allowed(av, v, &found)) != PIE_OK)
			return res;
		if (!found) {
			*reason = "not_allowed";
			return PIE_OK;
		}
	}

	d = json_object_get_double(v);
	if ((json_object_object_get_ex(f, "minimum", &lo) && lo != NULL &&
	    d < json_object_get_double(lo)) ||
	    (json_object_object_get_ex(f, "maximum", &hi) && hi != NULL &&
	    d > json_object_get_double(hi)))
		*reason = "out_of_range";
	return PIE_OK;
}

/* Appends {"feature", "value", "reason"} to arr. */
static enum pie_res
feature_block(struct json_object *arr, const char *name,
    struct json_object *v, const char *reason)
{
	struct json_object	*e;

	if ((e = json_object_new_object()) == NULL)
		return PIE_ERR_NOMEM;
	if (feature_add(e, "feature", json_object_new_string(name)) !=
	    PIE_OK ||
	    feature_add_opt(e, "value", json_object_get(v)) != PIE_OK ||
	    feature_add(e, "reason", json_object_new_string(reason)) !=
	    PIE_OK ||
	    json_object_array_add(arr, e) != 0) {
		json_object_put(e);
		return PIE_ERR_NOMEM;
	}
	return PIE_OK;
}

static int
feature_cmp_blocks(const void *a, const void *b)
{
	struct json_object	*fa, *fb;

	json_object_object_get_ex(*(struct json_object *const *)a,
	    "feature", &fa);
	json_object_object_get_ex(*(struct json_object *const *)b,
	    "feature", &fb);
	return strcmp(json_object_get_string(fa),
	    json_object_get_string(fb));
}

enum pie_res
feature_check(const struct json_object *freeze,
    const struct json_object *provided, struct json_object **blocking)
{
	struct json_object	*list, *arr = NULL, *f, *name, *v;
	const char		*reason;
	size_t			 i;
	enum pie_res		 res;

	*blocking = NULL;
	if (!json_object_object_get_ex(freeze, "features", &list) ||
	    !json_object_is_type(list, json_type_array))
		return PIE_ERR_INVALID;
	if ((arr = json_object_new_array()) == NULL)
		return PIE_ERR_NOMEM;

	for (i = 0; i < json_object_array_length(list); i++) {
		f = json_object_array_get_idx(list, i);
		if (!json_object_object_get_ex(f, "name", &name) ||
		    !json_object_is_type(name, json_type_string)) {
			res = PIE_ERR_INVALID;
			goto out;
		}

		/* A null value is absent; features not in the freeze stay
		 * unread. */
		v = NULL;
		if (provided != NULL)
			json_object_object_get_ex(provided,
			    json_object_get_string(name), &v);
		if ((res = feature_judge(f, v, &reason)) != PIE_OK)
			goto out;
		if (reason != NULL && (res = feature_block(arr,
		    json_object_get_string(name), v, reason)) != PIE_OK)
			goto out;
	}

	json_object_array_sort(arr, feature_cmp_blocks);
	*blocking = arr;
	arr = NULL;
	res = PIE_OK;
out:
	json_object_put(arr);
	return res;
}
