/*
 * ijson.h: strict acceptance of request bodies as I-JSON (RFC 7493), the
 * strict profile of RFC 8259 that the API requires.
 *
 * json-c alone is too lenient for a contract (it keeps the last of two
 * members with one name, and clamps integers it cannot hold), so pie reads
 * every body with this parser, which checks each rule and builds the
 * json-c tree itself.  Refused: an empty body, a UTF-8 byte-order mark,
 * invalid UTF-8 (overlong forms, surrogates, code points over U+10FFFF),
 * \u escapes that leave a lone surrogate, raw control characters in
 * strings, noncharacters in strings (U+FDD0..U+FDEF and U+xFFFE, U+xFFFF
 * of every plane, raw or escaped), U+0000 in strings (C strings and
 * identifiers would be cut at it; I-JSON allows it, pie does not),
 * duplicate member names (compared after unescaping), numbers whose
 * magnitude exceeds an IEEE double (1e400; 1e-400 is read as 0), any other
 * grammar error, data after the value, and nesting deeper than
 * IJSON_MAX_DEPTH arrays and objects.
 *
 * Numbers become json-c ints when written without fraction and exponent
 * and within 64 bits, else doubles that keep their text.  Number syntax is
 * read with strtod, so the process must run in the C locale (the default).
 */
#ifndef PIE_IJSON_H
#define PIE_IJSON_H

#include <stddef.h>

#include "result.h"

struct json_object;

#define IJSON_MAX_DEPTH	64

/*
 * Parses buf[0..len), which need not be NUL-terminated.  Returns PIE_OK
 * with *out set to the tree (the caller frees it with json_object_put),
 * PIE_ERR_INVALID with a message for the API user in err (errlen bytes,
 * naming the member path when there is one), or PIE_ERR_NOMEM.  err may be
 * NULL.  *out is NULL on failure.
 */
enum pie_res	 ijson_parse(const char *buf, size_t len,
		    struct json_object **out, char *err, size_t errlen);

/*
 * Makes the NUL-terminated message s, which may quote user input, safe to
 * show as a JSON string: control characters and bytes that are not
 * well-formed UTF-8 become '?', and a partial UTF-8 sequence left at the
 * end by a truncating snprintf is cut off.
 */
void		 ijson_msg_clean(char *s);

#endif /* PIE_IJSON_H */
