/*
 * b64url.c: strict unpadded base64url, the encoding of every JOSE
 * segment.  Strictness matters here: a signature is checked over the
 * received bytes, so a decoder that tolerated stray characters or
 * trailing bits would let two different tokens carry one signature.
 */
#include <stdint.h>
#include <stdlib.h>

#include "b64url.h"

static const char b64url_alphabet[] =
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

/* The 6-bit value of a character, or -1 when it is not in the alphabet. */
static int
b64url_value(unsigned char c)
{
	if (c >= 'A' && c <= 'Z')
		return c - 'A';
	if (c >= 'a' && c <= 'z')
		return c - 'a' + 26;
	if (c >= '0' && c <= '9')
		return c - '0' + 52;
	if (c == '-')
		return 62;
	if (c == '_')
		return 63;
	return -1;
}

size_t
b64url_encoded_len(size_t len)
{
	return len / 3 * 4 + (len % 3 == 0 ? 0 : len % 3 + 1);
}

/*
 * The decoded length of inlen characters, or SIZE_MAX when no canonical
 * encoding has that length (a remainder of one character).
 */
static size_t
b64url_decoded_len(size_t inlen)
{
	switch (inlen % 4) {
	case 0:
		return inlen / 4 * 3;
	case 2:
		return inlen / 4 * 3 + 1;
	case 3:
		return inlen / 4 * 3 + 2;
	default:
		return SIZE_MAX;
	}
}

enum pie_res
b64url_decode_buf(const char *in, size_t inlen, unsigned char *out,
    size_t outsize, size_t *outlen)
{
	size_t		 need, i, o;
	uint32_t	 acc;
	int		 v, bits;

	need = b64url_decoded_len(inlen);
	if (need == SIZE_MAX)
		return PIE_ERR_INVALID;
	if (need > outsize)
		return PIE_ERR_TOO_BIG;

	acc = 0;
	bits = 0;
	o = 0;
	for (i = 0; i < inlen; i++) {
		if ((v = b64url_value((unsigned char)in[i])) < 0)
			return PIE_ERR_INVALID;
		acc = (acc << 6) | (uint32_t)v;
		bits += 6;
		if (bits >= 8) {
			bits -= 8;
			out[o++] = (unsigned char)(acc >> bits);
			acc &= (1u << bits) - 1;
		}
	}

	/* Leftover bits must be zero, or the encoding is not canonical. */
	if (acc != 0)
		return PIE_ERR_INVALID;
	*outlen = o;
	return PIE_OK;
}

enum pie_res
b64url_decode(const char *in, size_t inlen, unsigned char **out,
    size_t *outlen)
{
	unsigned char	*buf;
	size_t		 need;
	enum pie_res	 res;

	need = b64url_decoded_len(inlen);
	if (need == SIZE_MAX)
		return PIE_ERR_INVALID;
	if ((buf = malloc(need + 1)) == NULL)
		return PIE_ERR_NOMEM;

	if ((res = b64url_decode_buf(in, inlen, buf, need, outlen)) != PIE_OK) {
		free(buf);
		return res;
	}
	buf[*outlen] = '\0';
	*out = buf;
	return PIE_OK;
}

enum pie_res
b64url_encode(const unsigned char *in, size_t len, char **out)
{
	char		*s;
	size_t		 i, o;
	uint32_t	 acc;
	int		 bits;

	if (len > (SIZE_MAX - 1) / 4 * 3)
		return PIE_ERR_NOMEM;
	if ((s = malloc(b64url_encoded_len(len) + 1)) == NULL)
		return PIE_ERR_NOMEM;

	acc = 0;
	bits = 0;
	o = 0;
	for (i = 0; i < len; i++) {
		acc = (acc << 8) | in[i];
		bits += 8;
		while (bits >= 6) {
			bits -= 6;
			s[o++] = b64url_alphabet[(acc >> bits) & 63];
		}
		acc &= (1u << bits) - 1;
	}

	/* The last partial group is padded with zero bits on the right. */
	if (bits > 0)
		s[o++] = b64url_alphabet[(acc << (6 - bits)) & 63];
	s[o] = '\0';
	*out = s;
	return PIE_OK;
}
