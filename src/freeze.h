/*
 * freeze.h: validation of a model version's freeze, the feature schema
 * the version was trained on (API.md "The freeze").
 *
 * A freeze is {"features": [...]}, at most FREEZE_MAX_FEATURES features,
 * each an object with exactly these members:
 *
 *	name		required; a feature name (ident.h: 1 to 128 of
 *			A-Z a-z 0-9 _ . : -, not starting with . : -),
 *			unique within the freeze
 *      type            required; "string", "integer", "number" or "boolean"
 *	mandatory	boolean, default false
 *      default         a value of the type, within allowed_values and the
 *			range when those are given
 *	allowed_values	a non-empty array of at most FREEZE_MAX_ALLOWED
 *			values of the type, no two with the same value key
 *			(feature.h), each within the range when one is given
 *	minimum		a number, only for integer and number features
 *      maximum         (whole numbers for integer ones); minimum <= maximum
 *
 * "integer" means a JSON number without fractional part, so 3.0 and 1e3
 * are integers.  Unknown members are refused at every level.
 *
 * The canonical form, stored and compared byte for byte when a version is
 * PUT again, is compact JSON with the features in the order given and the
 * members of each in the order above; mandatory is always written (false
 * when omitted), the other optional members only when given; values are
 * canonical as in feature.h (1.0 becomes 1), allowed_values keep their
 * order.  So a re-PUT that differs only in spacing, member order, an
 * explicit "mandatory": false or the spelling of a number is the same
 * version.
 */
#ifndef PIE_FREEZE_H
#define PIE_FREEZE_H

#include "body.h"
#include "result.h"

struct json_object;

#define FREEZE_MAX_FEATURES	256
#define FREEZE_MAX_ALLOWED	1024

/*
 * Validates freeze, the value of a version's "freeze" member; messages
 * name paths below "freeze" ("freeze.features[3].default").  Returns
 * PIE_OK with *canon set to the canonical freeze and *norm to the
 * normalised freeze array of docs/internals.md, both NUL-terminated JSON
 * the caller frees with free; PIE_ERR_INVALID with err filled (codes of
 * body.h); PIE_ERR_NOMEM or PIE_ERR_CRYPTO.  Both outputs are NULL on
 * failure.
 */
enum pie_res	 freeze_validate(struct json_object *freeze, char **canon,
		    char **norm, struct verr *err);

#endif /* PIE_FREEZE_H */
