/*
 * test_b64url.c: the strict base64url codec accepts exactly one spelling
 * of each byte string.
 */
#include <stdlib.h>
#include <string.h>

#include <criterion/criterion.h>

#include "b64url.h"

/* Decodes s and returns the result (the caller frees), or NULL. */
static char *
decode(const char *s, enum pie_res *res)
{
	unsigned char	*out = NULL;
	size_t		 len;

	*res = b64url_decode(s, strlen(s), &out, &len);
	return (char *)out;
}

static void
expect_rejected(const char *s)
{
	enum pie_res	 res;
	char		*out = decode(s, &res);

	cr_expect_eq(res, PIE_ERR_INVALID, "\"%s\" was accepted", s);
	free(out);
}

Test(b64url, decodes_rfc4648_vectors)
{
	static const char *const pairs[][2] = {
		{ "", "" }, { "Zg", "f" }, { "Zm8", "fo" }, { "Zm9v", "foo" },
		{ "Zm9vYg", "foob" }, { "Zm9vYmE", "fooba" },
		{ "Zm9vYmFy", "foobar" },
	};
	enum pie_res	 res;
	size_t		 i;
	char		*out;

	for (i = 0; i < sizeof(pairs) / sizeof(pairs[0]); i++) {
		out = decode(pairs[i][0], &res);
		cr_assert_eq(res, PIE_OK);
		cr_expect_str_eq(out, pairs[i][1]);
		free(out);
	}
}

Test(b64url, uses_the_url_safe_alphabet)
{
	static const unsigned char bytes[] = { 0xfb, 0xff, 0xbf };
	enum pie_res	 res;
	char		*enc, *dec;

	cr_assert_eq(b64url_encode(bytes, sizeof(bytes), &enc), PIE_OK);
	cr_expect_str_eq(enc, "-_-_");
	dec = decode(enc, &res);
	cr_assert_eq(res, PIE_OK);
	cr_expect_eq(memcmp(dec, bytes, sizeof(bytes)), 0);
	free(enc);
	free(dec);
}

Test(b64url, round_trips_every_length_and_byte)
{
	unsigned char	 buf[300], *out;
	size_t		 n, len;
	char		*enc;

	for (n = 0; n < sizeof(buf); n++)
		buf[n] = (unsigned char)(n * 7 + 3);
	for (n = 0; n <= sizeof(buf); n++) {
		cr_assert_eq(b64url_encode(buf, n, &enc), PIE_OK);
		cr_assert_eq(strlen(enc), b64url_encoded_len(n));
		cr_assert_eq(b64url_decode(enc, strlen(enc), &out, &len),
		    PIE_OK);
		cr_assert_eq(len, n);
		cr_assert_eq(memcmp(out, buf, n), 0);
		free(enc);
		free(out);
	}
}

Test(b64url, rejects_standard_alphabet_and_padding)
{
	expect_rejected("+w");
	expect_rejected("/w");
	expect_rejected("Zg==");
	expect_rejected("Zg=");
	expect_rejected("Zm9v=");
}

Test(b64url, rejects_whitespace_and_other_bytes)
{
	expect_rejected("Zm9 v");
	expect_rejected("Zm9v\n");
	expect_rejected(" Zm9v");
	expect_rejected("Zm9v.");
	expect_rejected("Zm\xc3\xa9");
}

Test(b64url, rejects_an_embedded_nul)
{
	unsigned char	*out = NULL;
	size_t		 len;

	cr_expect_eq(b64url_decode("Zm\0v", 4, &out, &len), PIE_ERR_INVALID);
	free(out);
}

Test(b64url, rejects_a_lone_trailing_character)
{
	expect_rejected("Z");
	expect_rejected("Zm9vY");
}

Test(b64url, rejects_non_canonical_trailing_bits)
{
	/* "Zg" is "f"; "Zh".."Zv" carry bits the decoder would drop. */
	expect_rejected("Zh");
	expect_rejected("Zv");
	expect_rejected("Zm9");
	expect_rejected("Zm-");
}

Test(b64url, decode_buf_refuses_a_small_buffer)
{
	unsigned char	 out[2];
	size_t		 len;

	cr_expect_eq(b64url_decode_buf("Zm9v", 4, out, sizeof(out), &len),
	    PIE_ERR_TOO_BIG);
	cr_expect_eq(b64url_decode_buf("Zm8", 3, out, sizeof(out), &len),
	    PIE_OK);
	cr_expect_eq(len, 2);
}
