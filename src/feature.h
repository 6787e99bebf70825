/*
 * feature.h: provided features of services, their normalised form, and
 * the compatibility rule.
 *
 * A service's provided_features is a flat JSON object of scalars (string,
 * number, boolean); null means absent.  Keys follow the feature-name rule
 * of ident.h.  The C code validates values once and hands the stored
 * procedures the normalised array of docs/internals.md, one element per
 * feature, sorted by name:
 *
 *	{"n": name, "t": "s"|"n"|"b"|"z", "i": 0|1, "d": number|null,
 *	 "k": value key|null, "v": the value as stored}
 *
 * Canonical values: strings are kept as their UTF-8 bytes (no Unicode
 * normalisation: "u" + U+0308 differs from U+00FC); numbers without
 * fractional part below 2^53 in magnitude are written as integers (1.0
 * and 1e3 are stored as 1 and 1000), other doubles in the shortest form
 * that reads back to the same double; integers written without fraction
 * are kept exactly even past 2^53.  Keys of stored objects are sorted by
 * byte value.
 *
 * A value's key is the lowercase hex SHA-256 of "s:" + bytes, "n:" +
 * "%.17g" of its double ("-0" as "0"), or "b:true" / "b:false"; two
 * values are equal for allowed_values exactly when their keys are.
 *
 * feature_check is the reference implementation of the compatibility
 * rule (API.md "The freeze"); the stored procedures implement the same
 * rule over the normalised forms, and the unit tests are its
 * specification.
 */
#ifndef PIE_FEATURE_H
#define PIE_FEATURE_H

#include <stddef.h>

#include "body.h"
#include "result.h"

struct json_object;

#define FEATURE_KEY_LEN	64	/* hex digits of a value key */
#define FEATURE_MAX		256	/* features of a service */
#define FEATURE_MAX_BYTES       65536   /* its provided_features, as JSON */

/* Returns 1 when v is a string, a number or a boolean, else 0. */
int		 feature_is_scalar(const struct json_object *v);

/*
 * Writes the value key of the scalar v into key (FEATURE_KEY_LEN hex
 * digits and a NUL).  Returns PIE_OK, PIE_ERR_INVALID when v is not a
 * scalar, PIE_ERR_NOMEM or PIE_ERR_CRYPTO.
 */
enum pie_res	 feature_value_key(struct json_object *v,
		    char key[FEATURE_KEY_LEN + 1]);

/*
 * Writes d into buf (at least 32 bytes) in the shortest "%.Ng" form that
 * reads back to d; zero, also negative zero, is "0".
 */
void		 feature_format_double(double d, char *buf, size_t size);

/*
 * Returns a new json-c object holding the canonical form of the scalar v
 * (see above), or NULL when v is not a scalar or memory ran out.  The
 * caller frees it with json_object_put.
 */
struct json_object *feature_canon_value(struct json_object *v);

/* The same for a double: an int below 2^53 when whole, else a double. */
struct json_object *feature_canon_double(double d);

/*
 * Returns 1 when the value v fits the freeze type ty ("string",
 * "integer", "number" or "boolean"), else 0 (also for an unknown ty).
 */
int		 feature_type_fits(const char *ty,
		    const struct json_object *v);

/*
 * Serialises obj as compact JSON, the form every canonical text takes,
 * into a new string the caller frees; NULL when memory ran out.
 */
char		*feature_dump(struct json_object *obj);

/*
 * Validates provided, a service's provided_features found at path (such
 * as "provided_features"): an object of at most FEATURE_MAX members
 * whose names are feature names and whose values are scalars or null, at
 * most FEATURE_MAX_BYTES of JSON once canonical.  A null is kept as sent
 * in the canonical object (a service reads back as it was sent) and is
 * "t": "z" in the normalised array: no value, to the check.  Returns
 * PIE_OK with *canon (the canonical object to store) and *norm (the
 * normalised array) set, both NUL-terminated JSON the caller frees with
 * free; PIE_ERR_INVALID with err filled (invalid_type, invalid_value or
 * too_large); PIE_ERR_NOMEM or PIE_ERR_CRYPTO.  Both outputs are NULL on
 * failure.
 */
enum pie_res	 feature_validate(struct json_object *provided,
		    const char *path, char **canon, char **norm,
		    struct verr *err);

/*
 * Validates patch, a JSON merge patch (RFC 7386) of provided_features
 * found at path (such as "service_updates[2].static_features"): the same
 * rules, except that null stays, as "t": "z", meaning "remove".  Returns
 * PIE_OK with *norm set (the caller frees it), or an error as
 * feature_validate.  Whether the patched service keeps within
 * FEATURE_MAX features is for the caller who applies the patch.
 */
enum pie_res	 feature_patch_validate(struct json_object *patch,
		    const char *path, char **norm, struct verr *err);

/*
 * Checks the provided features provided (an object as stored; NULL for
 * none) against freeze (a freeze as freeze_validate accepts it).  Returns
 * PIE_OK with *blocking set to a new array of the failures, sorted by
 * feature name, each {"feature", "value", "reason"}: value is the
 * provided value (null when missing) and reason one of "missing",
 * "wrong_type", "not_allowed", "out_of_range".  The array is empty when
 * the service is compatible; the caller frees it with json_object_put.
 * Returns PIE_ERR_INVALID when freeze is not shaped like a freeze,
 * PIE_ERR_NOMEM or PIE_ERR_CRYPTO; *blocking is NULL then.
 */
enum pie_res	 feature_check(const struct json_object *freeze,
		    const struct json_object *provided,
		    struct json_object **blocking);

#endif /* PIE_FEATURE_H */
