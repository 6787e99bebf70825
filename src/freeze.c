/*
 * freeze.c: validation of a model version's freeze, and its canonical and
 * normalised forms (see freeze.h and docs/internals.md).
 *
 * Member presence and JSON types are left to the body checker's tables;
 * what is here are the rules between members: a default and allowed
 * values that agree with the type and the range, and names that are
 * unique.  Problems are reported in the order the members are documented,
 * so the same freeze always gets the same message.
 */
#include <stdlib.h>
#include <string.h>

#include <json-c/json.h>

#include "feature.h"
#include "freeze.h"
#include "ident.h"

/* One feature of the freeze being read; the members belong to the tree. */
struct freeze_feat {
	const char		*name;
	const char		*type;
	int			 mandatory;
	struct json_object	*def;		/* NULL when absent */
	struct json_object	*av;
	struct json_object	*min;
	struct json_object	*max;
	char			 path[BODY_PATH_MAX];
};

static const struct body_field freeze_top[] = {
	{ "features", BODY_T_ARRAY, 1, FREEZE_MAX_FEATURES, IDENT_NONE },
	{ NULL, 0, 0, 0, IDENT_NONE }
};

static const struct body_field freeze_fields[] = {
	{ "name", BODY_T_STRING, 1, 0, IDENT_FEATURE },
	{ "type", BODY_T_STRING, 1, 0, IDENT_NONE },
	{ "mandatory", BODY_T_BOOLEAN, 0, 0, IDENT_NONE },
	{ "default", BODY_T_SCALAR, 0, 0, IDENT_NONE },
	{ "allowed_values", BODY_T_ARRAY, 0, FREEZE_MAX_ALLOWED, IDENT_NONE },
	{ "minimum", BODY_T_NUMBER, 0, 0, IDENT_NONE },
	{ "maximum", BODY_T_NUMBER, 0, 0, IDENT_NONE },
	{ NULL, 0, 0, 0, IDENT_NONE }
};

/* The member name of obj, or NULL when absent. */
static struct json_object *
freeze_member(struct json_object *obj, const char *name)
{
	struct json_object	*v = NULL;

	json_object_object_get_ex(obj, name, &v);
	return v;
}

/* Adds key: val to obj, taking val; a NULL val is an allocation failure. */
static enum pie_res
freeze_add(struct json_object *obj, const char *key, struct json_object *val)
{

	if (val == NULL)
		return PIE_ERR_NOMEM;
	if (json_object_object_add(obj, key, val) != 0) {
		json_object_put(val);
		return PIE_ERR_NOMEM;
	}
	return PIE_OK;
}

static const char *
freeze_type_phrase(const char *type)
{

	if (strcmp(type, "integer") == 0)
		return "an integer";
	return type[0] == 'n' ? "a number" : type[0] == 's' ? "a string" :
	    "a boolean";
}

static int
freeze_numeric(const struct freeze_feat *ff)
{

	return strcmp(ff->type, "integer") == 0 ||
	    strcmp(ff->type, "number") == 0;
}

/* Reads feature i into ff after the table checks and the type name. */
static enum pie_res
freeze_read(struct json_object *f, size_t i, struct freeze_feat *ff,
    struct verr *err)
{
	static const char *const types[] =
	    { "string", "integer", "number", "boolean" };
	struct json_object	*v;
	size_t			 t;
	enum pie_res		 res;

	memset(ff, 0, sizeof(*ff));
	body_path_index(ff->path, sizeof(ff->path), "freeze.features", i);
	if ((res = body_check(f, freeze_fields, ff->path, err)) != PIE_OK)
		return res;

	ff->name = json_object_get_string(freeze_member(f, "name"));
	ff->type = json_object_get_string(freeze_member(f, "type"));
	for (t = 0; t < 4; t++)
		if (strcmp(ff->type, types[t]) == 0)
			break;
	if (t == 4)
		return body_fail(err, BODY_E_VALUE, "%s.type must be one of "
		    "string, integer, number or boolean", ff->path);

	if ((v = freeze_member(f, "mandatory")) != NULL)
		ff->mandatory = json_object_get_boolean(v);
	ff->def = freeze_member(f, "default");
	ff->av = freeze_member(f, "allowed_values");
	ff->min = freeze_member(f, "minimum");
	ff->max = freeze_member(f, "maximum");
	return PIE_OK;
}

/* Checks minimum and maximum against the type and each other. */
static enum pie_res
freeze_range(const struct freeze_feat *ff, struct verr *err)
{
	const char	*which = ff->min != NULL ? "minimum" : "maximum";

	if (ff->min == NULL && ff->max == NULL)
		return PIE_OK;
	if (!freeze_numeric(ff))
		return body_fail(err, BODY_E_VALUE, "%s.%s is only allowed "
		    "for integer and number features", ff->path, which);
	if (ff->min != NULL && !feature_type_fits(ff->type, ff->min))
		return body_fail(err, BODY_E_TYPE,
		    "%s.minimum must be an integer", ff->path);
	if (ff->max != NULL && !feature_type_fits(ff->type, ff->max))
		return body_fail(err, BODY_E_TYPE,
		    "%s.maximum must be an integer", ff->path);
	if (ff->min != NULL && ff->max != NULL &&
	    json_object_get_double(ff->min) > json_object_get_double(ff->max))
		return body_fail(err, BODY_E_VALUE,
		    "%s.minimum must not be greater than maximum", ff->path);
	return PIE_OK;
}

/*
 * Checks that v (at path) fits the type and the range of ff; what a
 * default and each allowed value must do.
 */
static enum pie_res
freeze_value(const struct freeze_feat *ff, struct json_object *v,
    const char *path, struct verr *err)
{
	double	 d;

	if (!feature_type_fits(ff->type, v))
		return body_fail(err, BODY_E_TYPE, "%s must be %s", path,
		    freeze_type_phrase(ff->type));
	if (!freeze_numeric(ff))
		return PIE_OK;
	d = json_object_get_double(v);
	if (ff->min != NULL && d < json_object_get_double(ff->min))
		return body_fail(err, BODY_E_VALUE, "%s is below the minimum",
		    path);
	if (ff->max != NULL && d > json_object_get_double(ff->max))
		return body_fail(err, BODY_E_VALUE, "%s is above the maximum",
		    path);
	return PIE_OK;
}

/*
 * Checks allowed_values and collects their keys into keys, an array of
 * strings in the order given.
 */
static enum pie_res
freeze_allowed(const struct freeze_feat *ff, struct json_object *keys,
    struct verr *err)
{
	struct json_object	*k;
	char			 base[BODY_PATH_MAX], path[BODY_PATH_MAX];
	char			 key[FEATURE_KEY_LEN + 1];
	size_t			 i, j, n;
	enum pie_res		 res;

	n = json_object_array_length(ff->av);
	if (n == 0)
		return body_fail(err, BODY_E_VALUE,
		    "%s.allowed_values must not be empty", ff->path);

	body_path(base, sizeof(base), ff->path, "allowed_values");
	for (i = 0; i < n; i++) {
		body_path_index(path, sizeof(path), base, i);
		res = freeze_value(ff, json_object_array_get_idx(ff->av, i),
		    path, err);
		if (res != PIE_OK)
			return res;
		res = feature_value_key(json_object_array_get_idx(ff->av, i),
		    key);
		if (res != PIE_OK)
			return res;

		/* Quadratic over at most FREEZE_MAX_ALLOWED short keys. */
		for (j = 0; j < i; j++)
			if (strcmp(json_object_get_string(
			    json_object_array_get_idx(keys, j)), key) == 0)
				return body_fail(err, BODY_E_VALUE,
				    "%s duplicates allowed_values[%zu]",
				    path, j);
		if ((k = json_object_new_string(key)) == NULL)
			return PIE_ERR_NOMEM;
		if (json_object_array_add(keys, k) != 0) {
			json_object_put(k);
			return PIE_ERR_NOMEM;
		}
	}
	return PIE_OK;
}

/* Checks the default against the type, allowed values and range. */
static enum pie_res
freeze_default(const struct freeze_feat *ff, struct json_object *keys,
    struct verr *err)
{
	char		 path[BODY_PATH_MAX], key[FEATURE_KEY_LEN + 1];
	size_t		 j;
	enum pie_res	 res;

	if (ff->def == NULL)
		return PIE_OK;
	body_path(path, sizeof(path), ff->path, "default");
	if ((res = freeze_value(ff, ff->def, path, err)) != PIE_OK)
		return res;
	if (ff->av == NULL)
		return PIE_OK;

	if ((res = feature_value_key(ff->def, key)) != PIE_OK)
		return res;
	for (j = 0; j < json_object_array_length(keys); j++)
		if (strcmp(json_object_get_string(
		    json_object_array_get_idx(keys, j)), key) == 0)
			return PIE_OK;
	return body_fail(err, BODY_E_VALUE,
	    "%s is not one of allowed_values", path);
}

/* A new array of the canonical forms of the values of arr. */
static struct json_object *
freeze_canon_array(struct json_object *arr)
{
	struct json_object	*out, *v;
	size_t			 i;

	if ((out = json_object_new_array()) == NULL)
		return NULL;
	for (i = 0; i < json_object_array_length(arr); i++) {
		v = feature_canon_value(json_object_array_get_idx(arr, i));
		if (v == NULL || json_object_array_add(out, v) != 0) {
			json_object_put(v);
			json_object_put(out);
			return NULL;
		}
	}
	return out;
}

/* Appends the canonical form of ff to carr. */
static enum pie_res
freeze_emit_canon(const struct freeze_feat *ff, struct json_object *carr)
{
	struct json_object	*c;
	enum pie_res		 res;

	if ((c = json_object_new_object()) == NULL)
		return PIE_ERR_NOMEM;
	if ((res = freeze_add(c, "name",
	    json_object_new_string(ff->name))) != PIE_OK ||
	    (res = freeze_add(c, "type",
	    json_object_new_string(ff->type))) != PIE_OK ||
	    (res = freeze_add(c, "mandatory",
	    json_object_new_boolean(ff->mandatory))) != PIE_OK)
		goto out;
	if (ff->def != NULL && (res = freeze_add(c, "default",
	    feature_canon_value(ff->def))) != PIE_OK)
		goto out;
	if (ff->av != NULL && (res = freeze_add(c, "allowed_values",
	    freeze_canon_array(ff->av))) != PIE_OK)
		goto out;
	if (ff->min != NULL && (res = freeze_add(c, "minimum",
	    feature_canon_value(ff->min))) != PIE_OK)
		goto out;
	if (ff->max != NULL && (res = freeze_add(c, "maximum",
	    feature_canon_value(ff->max))) != PIE_OK)
		goto out;

	res = PIE_ERR_NOMEM;
	if (json_object_array_add(carr, c) != 0)
		goto out;
	c = NULL;
	res = PIE_OK;
out:
	json_object_put(c);
	return res;
}

/* The canonical form of a bound, or NULL for JSON null when absent. */
static enum pie_res
freeze_add_bound(struct json_object *e, const char *key,
    struct json_object *bound)
{
	struct json_object	*v = NULL;

	if (bound != NULL &&
	    (v = feature_canon_double(json_object_get_double(bound))) == NULL)
		return PIE_ERR_NOMEM;
	if (json_object_object_add(e, key, v) != 0) {
		json_object_put(v);
		return PIE_ERR_NOMEM;
	}
	return PIE_OK;
}

/* Appends the normalised element of ff, at position i, to narr. */
static enum pie_res
freeze_emit_norm(const struct freeze_feat *ff, size_t i,
    struct json_object *keys, struct json_object *narr)
{
	struct json_object	*e, *av;
	enum pie_res		 res;

	if ((e = json_object_new_object()) == NULL)
		return PIE_ERR_NOMEM;
	if ((res = freeze_add(e, "o",
	    json_object_new_int64((int64_t)i))) != PIE_OK ||
	    (res = freeze_add(e, "n",
	    json_object_new_string(ff->name))) != PIE_OK ||
	    (res = freeze_add(e, "ty",
	    json_object_new_string(ff->type))) != PIE_OK ||
	    (res = freeze_add(e, "m",
	    json_object_new_int(ff->mandatory))) != PIE_OK ||
	    (res = freeze_add(e, "hd",
	    json_object_new_int(ff->def != NULL))) != PIE_OK ||
	    (res = freeze_add_bound(e, "min", ff->min)) != PIE_OK ||
	    (res = freeze_add_bound(e, "max", ff->max)) != PIE_OK)
		goto out;

	res = PIE_ERR_NOMEM;
	av = ff->av != NULL ? json_object_get(keys) : NULL;
	if (json_object_object_add(e, "av", av) != 0) {
		json_object_put(av);
		goto out;
	}
	if (json_object_array_add(narr, e) != 0)
		goto out;
	e = NULL;
	res = PIE_OK;
out:
	json_object_put(e);
	return res;
}

/*
 * Validates feature i and appends its forms; names holds the names of
 * the features before it, for the uniqueness check.
 */
static enum pie_res
freeze_feature(struct json_object *f, size_t i, const char **names,
    struct json_object *carr, struct json_object *narr, struct verr *err)
{
	struct freeze_feat	 ff;
	struct json_object	*keys = NULL;
	size_t			 j;
	enum pie_res		 res;

	if ((res = freeze_read(f, i, &ff, err)) != PIE_OK)
		goto out;
	for (j = 0; j < i; j++)
		if (strcmp(names[j], ff.name) == 0) {
			res = body_fail(err, BODY_E_VALUE, "%s.name \"%s\" "
			    "is already the name of freeze.features[%zu]",
			    ff.path, ff.name, j);
			goto out;
		}
	names[i] = ff.name;

	if ((keys = json_object_new_array()) == NULL) {
		res = PIE_ERR_NOMEM;
		goto out;
	}
	if ((res = freeze_range(&ff, err)) != PIE_OK ||
	    (ff.av != NULL && (res = freeze_allowed(&ff, keys, err)) !=
	    PIE_OK) ||
	    (res = freeze_default(&ff, keys, err)) != PIE_OK)
		goto out;

	if ((res = freeze_emit_canon(&ff, carr)) != PIE_OK)
		goto out;
	res = freeze_emit_norm(&ff, i, keys, narr);
out:
	json_object_put(keys);
	return res;
}

enum pie_res
freeze_validate(struct json_object *freeze, char **canon, char **norm,
    struct verr *err)
{
	struct json_object      *list, *top = NULL, *carr = NULL, *narr = NULL;
	const char		**names = NULL;
	size_t			  i, n;
	enum pie_res		  res;

	*canon = *norm = NULL;
	if ((res = body_check(freeze, freeze_top, "freeze", err)) != PIE_OK)
		goto out;
	list = freeze_member(freeze, "features");
	n = json_object_array_length(list);

	res = PIE_ERR_NOMEM;
	if ((names = calloc(n + 1, sizeof(*names))) == NULL ||
	    (top = json_object_new_object()) == NULL ||
	    (carr = json_object_new_array()) == NULL ||
	    (narr = json_object_new_array()) == NULL)
		goto out;

	for (i = 0; i < n; i++) {
		res = freeze_feature(json_object_array_get_idx(list, i), i,
		    names, carr, narr, err);
		if (res != PIE_OK)
			goto out;
	}

	/* top takes carr whatever happens. */
	res = freeze_add(top, "features", carr);
	carr = NULL;
	if (res != PIE_OK)
		goto out;
	res = PIE_ERR_NOMEM;
	if ((*canon = feature_dump(top)) == NULL ||
	    (*norm = feature_dump(narr)) == NULL)
		goto out;
	res = PIE_OK;
out:
	if (res != PIE_OK) {
		free(*canon);
		*canon = NULL;
	}
	free(names);
	json_object_put(top);
	json_object_put(carr);
	json_object_put(narr);
	return res;
}
