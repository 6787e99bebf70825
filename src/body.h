/*
 * body.h: a small declarative checker for request bodies, and the error
 * record that every input validator in pie shares.
 *
 * A handler describes the members an object may have in a table of
 * struct body_field and calls body_check once per object; the checker
 * refuses unknown members, missing required ones, wrong JSON types and
 * values over a size limit, and reports a machine code with a message
 * that names the member by its path ("service_updates[2].service_id").
 * Every such refusal is PIE_ERR_INVALID, that is a 400; the code tells
 * the kinds apart.
 */
#ifndef PIE_BODY_H
#define PIE_BODY_H

#include <stddef.h>

#include "ident.h"
#include "result.h"

struct json_object;

/* The machine codes of input refusals. */
#define BODY_E_UNKNOWN  "unknown_field" /* a member nobody asked for */
#define BODY_E_MISSING  "missing_field" /* a required member is absent */
#define BODY_E_TYPE	"invalid_type"	/* the JSON type is wrong */
#define BODY_E_TOO_LARGE "too_large"	/* over a length or size limit */
#define BODY_E_VALUE    "invalid_value" /* right type, value refused */

/*
 * An input refusal: code is one of the BODY_E_ strings (static, never
 * freed) or NULL while nothing failed; msg is for the API user.
 */
struct verr {
	const char	*code;
	char		 msg[256];
};

/* Room for a member path; longer paths are cut with "...". */
#define BODY_PATH_MAX	192

/* JSON types a member may have, as bits of body_field.types. */
#define BODY_T_NULL	0x01
#define BODY_T_BOOLEAN	0x02
#define BODY_T_INTEGER	0x04	/* a number without fractional part */
#define BODY_T_NUMBER	0x08	/* any number */
#define BODY_T_STRING	0x10
#define BODY_T_ARRAY	0x20
#define BODY_T_OBJECT	0x40
#define BODY_T_SCALAR	(BODY_T_STRING | BODY_T_NUMBER | BODY_T_BOOLEAN)

/*
 * How deep a free-form object (one with a byte limit) may nest, counting
 * itself: MariaDB's JSON functions refuse documents over 32 levels, and
 * the procedures wrap such objects in a few more.
 */
#define BODY_OBJECT_DEPTH_MAX	16

/*
 * One member an object may have.  max limits a string to that many
 * characters (code points), an array to that many items and an object to
 * that many bytes of compact serialised JSON and BODY_OBJECT_DEPTH_MAX
 * levels of objects and arrays; 0 means no limit.  ident,
 * when not IDENT_NONE, is the identifier rule a string value must follow.
 * A table ends with an entry whose name is NULL.
 */
struct body_field {
	const char	*name;
	unsigned int	 types;
	int		 required;
	size_t		 max;
	enum ident_kind	 ident;
};

/*
 * Fills err with code and a printf-style message; returns PIE_ERR_INVALID
 * so that a validator can "return body_fail(err, ...)".
 */
enum pie_res	 body_fail(struct verr *err, const char *code,
		    const char *fmt, ...)
		    __attribute__((format(printf, 3, 4)));

/*
 * Writes the path of member name below prefix into buf ("name" when
 * prefix is NULL or empty, else "prefix.name"); body_path_index writes
 * "prefix[index]".  Too long a path is cut and ends with "...".
 */
void		 body_path(char *buf, size_t size, const char *prefix,
		    const char *name);
void		 body_path_index(char *buf, size_t size, const char *prefix,
		    size_t index);

/*
 * Checks the object obj, found at path prefix (NULL or "" for the request
 * body itself), against the table fields.  Returns PIE_OK, or
 * PIE_ERR_INVALID with err filled for the first problem found: obj not an
 * object (invalid_type), an unknown member (unknown_field), a missing
 * required member (missing_field), a wrong type (invalid_type), a value
 * over max (too_large) or an invalid identifier (invalid_value).  Returns
 * PIE_ERR_NOMEM when serialising an object for its size fails.  A member
 * whose value is null counts as present; it passes only when the table
 * allows BODY_T_NULL.
 */
enum pie_res	 body_check(struct json_object *obj,
		    const struct body_field *fields, const char *prefix,
		    struct verr *err);

/*
 * Checks that the string member member of the objects of array arr
 * (found at path prefix) is unique; items that are not objects or lack a
 * string member are skipped, body_check's job.  Returns PIE_OK or
 * PIE_ERR_INVALID (invalid_value, naming the second occurrence).
 */
enum pie_res	 body_check_unique(const struct json_object *arr,
		    const char *member, const char *prefix,
		    struct verr *err);

/*
 * Returns 1 when v is a JSON number without fractional part (3, 3.0 and
 * 1e3 are; 2.5 is not), else 0.
 */
int		 body_is_integer(const struct json_object *v);

/*
 * Writes into buf a phrase naming the types in the bits types, such as
 * "a string or null"; for messages.
 */
void		 body_types_phrase(char *buf, size_t size,
		    unsigned int types);

#endif /* PIE_BODY_H */
