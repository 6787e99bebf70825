/*
 * b64url.h: strict base64url (RFC 4648 section 5) without padding, as
 * JOSE uses it.
 *
 * The decoder accepts only the 64 letters of the URL-safe alphabet: no
 * '+', '/', '=', whitespace or NUL, no length that leaves one lone
 * character, and no non-zero bits in the unused tail of the last
 * character, so each byte string has exactly one accepted encoding.
 */
#ifndef PIE_B64URL_H
#define PIE_B64URL_H

#include <stddef.h>

#include "result.h"

/* The number of bytes an unpadded encoding of len bytes takes. */
size_t		 b64url_encoded_len(size_t len);

/*
 * Decodes in[0..inlen) into a new buffer, NUL-terminated for convenience
 * (the terminator is not counted in *outlen).  Returns PIE_OK with *out
 * set (the caller frees it with free), PIE_ERR_INVALID when the input is
 * not canonical base64url, or PIE_ERR_NOMEM.
 */
enum pie_res	 b64url_decode(const char *in, size_t inlen,
		    unsigned char **out, size_t *outlen);

/*
 * Decodes into a caller buffer of outsize bytes.  Returns PIE_OK with
 * *outlen set, PIE_ERR_INVALID, or PIE_ERR_TOO_BIG when the result would
 * not fit.  Allocates nothing.
 */
enum pie_res	 b64url_decode_buf(const char *in, size_t inlen,
		    unsigned char *out, size_t outsize, size_t *outlen);

/*
 * Encodes in[0..len) as a new NUL-terminated string.  Returns PIE_OK with
 * *out set (the caller frees it with free) or PIE_ERR_NOMEM.
 */
enum pie_res	 b64url_encode(const unsigned char *in, size_t len,
		    char **out);

#endif /* PIE_B64URL_H */
