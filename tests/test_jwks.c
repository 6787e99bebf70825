/*
 * test_jwks.c: key loading from JWKS, PEM and secret files, and the
 * errors a bad key file gives.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <criterion/criterion.h>

#include "jwks.h"

static const char *
vec(const char *name)
{
	static char	 path[1024];
	const char	*srcdir = getenv("srcdir");

	snprintf(path, sizeof(path), "%s/tests/vectors/jwt/%s",
	    srcdir == NULL ? "." : srcdir, name);
	return path;
}

/* Loads a JWKS text; returns the result, err holds the message. */
static enum pie_res
load_text(const char *json, struct jwks **keys, char *err, size_t errlen)
{
	cr_assert_eq(jwks_new(keys), PIE_OK);
	err[0] = '\0';
	return jwks_load_json(*keys, json, strlen(json), "test.jwks", err,
	    errlen);
}

/* The key of a kid, or NULL. */
static const struct jwks_key *
by_kid(const struct jwks *keys, const char *kid)
{
	const struct jwks_key	*k;
	size_t			 i;

	for (i = 0; i < jwks_count(keys); i++) {
		k = jwks_get(keys, i);
		if (jwks_key_kid(k) != NULL &&
		    strcmp(jwks_key_kid(k), kid) == 0)
			return k;
	}
	return NULL;
}

Test(jwks, loads_every_key_type_of_a_jwks_file)
{
	struct jwks	*keys;
	char		 err[256];

	cr_assert_eq(jwks_new(&keys), PIE_OK);
	cr_assert_eq(jwks_load_file(keys, vec("jwks.json"), err, sizeof(err)),
	    PIE_OK, "%s", err);
	cr_expect_eq(jwks_count(keys), 7);
	cr_expect_eq(jwks_key_kind(by_kid(keys, "rsa-1")), JWKS_KIND_RSA);
	cr_expect_eq(jwks_key_kind(by_kid(keys, "ec-p256")), JWKS_KIND_P256);
	cr_expect_eq(jwks_key_kind(by_kid(keys, "ec-p384")), JWKS_KIND_P384);
	cr_expect_eq(jwks_key_kind(by_kid(keys, "ec-p521")), JWKS_KIND_P521);
	cr_expect_eq(jwks_key_kind(by_kid(keys, "ed-1")), JWKS_KIND_ED25519);
	cr_expect_eq(jwks_key_kind(by_kid(keys, "hmac-1")), JWKS_KIND_HMAC);
	cr_expect_null(jwks_key_pkey(by_kid(keys, "hmac-1")));
	cr_expect_not_null(jwks_key_pkey(by_kid(keys, "ed-1")));
	cr_expect(jwks_has_secret(keys));
	jwks_free(keys);
}

Test(jwks, names_pem_keys_after_their_file)
{
	static const char *const files[] = { "keys/rsa-1.pub.pem",
	    "keys/ec-p521.pub.pem", "keys/ed-1.pub.pem" };
	struct jwks	*keys;
	char		 err[256];
	size_t		 i;

	cr_assert_eq(jwks_new(&keys), PIE_OK);
	for (i = 0; i < 3; i++)
		cr_assert_eq(jwks_load_pem(keys, vec(files[i]), err,
		    sizeof(err)), PIE_OK, "%s", err);
	cr_expect_str_eq(jwks_key_kid(jwks_get(keys, 0)), "rsa-1.pub");
	cr_expect_eq(jwks_key_kind(jwks_get(keys, 0)), JWKS_KIND_RSA);
	cr_expect_eq(jwks_key_kind(jwks_get(keys, 1)), JWKS_KIND_P521);
	cr_expect_eq(jwks_key_kind(jwks_get(keys, 2)), JWKS_KIND_ED25519);
	cr_expect_not(jwks_has_secret(keys));
	jwks_free(keys);
}

Test(jwks, refuses_a_private_key_pem_as_a_public_key)
{
	struct jwks	*keys;
	char		 err[256];

	cr_assert_eq(jwks_new(&keys), PIE_OK);
	cr_expect_eq(jwks_load_pem(keys, vec("keys/ec-p256.pem"), err,
	    sizeof(err)), PIE_ERR_INVALID);
	cr_expect_not_null(strstr(err, "ec-p256.pem"));
	jwks_free(keys);
}

Test(jwks, strips_one_trailing_newline_from_a_secret_file)
{
	struct jwks		*keys;
	const struct jwks_key	*file, *oct;
	const unsigned char	*a, *b;
	size_t			 alen, blen;
	char			 err[256];

	cr_assert_eq(jwks_new(&keys), PIE_OK);
	cr_assert_eq(jwks_load_secret_file(keys, vec("keys/hmac-1.secret"),
	    err, sizeof(err)), PIE_OK, "%s", err);
	cr_assert_eq(jwks_load_file(keys, vec("jwks.json"), err, sizeof(err)),
	    PIE_OK, "%s", err);
	file = jwks_get(keys, 0);
	oct = by_kid(keys, "hmac-1");
	cr_expect_str_eq(jwks_key_kid(file), "hmac-1");
	a = jwks_key_secret(file, &alen);
	b = jwks_key_secret(oct, &blen);
	cr_assert_eq(alen, blen);
	cr_expect_eq(memcmp(a, b, alen), 0);
	jwks_free(keys);
}

Test(jwks, names_the_file_and_key_of_a_bad_key)
{
	struct jwks	*keys;
	char		 err[256];

	cr_expect_eq(load_text("{\"keys\": [{\"kty\":\"OKP\",\"crv\":"
	    "\"Ed25519\",\"kid\":\"good\",\"x\":\"11qYAYKxCrfVS_7TyWQHOg7hcvPap"
	    "iMlrwIaaPcHURo\"}, {\"kty\":\"EC\",\"crv\":\"P-256\",\"kid\":"
	    "\"short\",\"x\":\"AAAA\",\"y\":\"AAAA\"}]}", &keys, err,
	    sizeof(err)), PIE_ERR_INVALID);
	cr_expect_not_null(strstr(err, "test.jwks"), "%s", err);
	cr_expect_not_null(strstr(err, "key 1"), "%s", err);
	cr_expect_not_null(strstr(err, "short"), "%s", err);
	jwks_free(keys);
}

Test(jwks, refuses_an_ec_point_off_its_curve)
{
	struct jwks	*keys;
	char		 err[256];

	/* RFC 7515 A.3's x with y changed in its last byte. */
	cr_expect_eq(load_text("{\"kty\":\"EC\",\"crv\":\"P-256\",\"x\":"
	    "\"f83OJ3D2xF1Bg8vub9tLe1gHMzV76e8Tus9uPHvRVEU\",\"y\":"
	    "\"x_FEzRu9m36HLN_tue659LNpXW6pCyStikYjKIWI5a4\"}", &keys, err,
	    sizeof(err)), PIE_ERR_INVALID);
	jwks_free(keys);
}

Test(jwks, refuses_private_key_material)
{
	struct jwks	*keys;
	char		 err[256];

	cr_expect_eq(load_text("{\"kty\":\"OKP\",\"crv\":\"Ed25519\",\"x\":"
	    "\"11qYAYKxCrfVS_7TyWQHOg7hcvPapiMlrwIaaPcHURo\",\"d\":"
	    "\"nWGxne_9WmC6hEr0kuwsxERJxWl7MmkZcDusAxyuf2A\"}", &keys, err,
	    sizeof(err)), PIE_ERR_INVALID);
	cr_expect_not_null(strstr(err, "private"), "%s", err);
	jwks_free(keys);
}

Test(jwks, refuses_short_rsa_keys_and_secrets)
{
	struct jwks	*keys;
	char		 err[256];

	/* The 2048-bit modulus of RFC 7515 A.2 passes. */
	cr_expect_eq(load_text("{\"kty\":\"RSA\",\"e\":\"AQAB\",\"n\":\""
	    "ofgWCuLjybRlzo0tZWJjNiuSfb4p4fAkd_wWJcyQoTbji9k0l8W26mPddx"
	    "HmfHQp-Vaw-4qPCJrcS2mJPMEzP1Pt0Bm4d4QlL-yRT-SFd2lZS-pCgNMs"
	    "D1W_YpRPEwOWvG6b32690r2jZ47soMZo9wGzjb_7OMg0LOL-bSf63kpaSH"
	    "SXndS5z5rexMdbBYUsLA9e-KXBdQOS-UTo7WTBEMa2R2CapHg665xsmtdV"
	    "MTBQY4uDZlxvb3qCo5ZwKh9kG4LT6_I5IhlJH7aGhyxXFvUK-DWNmoudF8"
	    "NAco9_h9iaGNj8q2ethFkMLs91kzk2PAcDTW9gb54h4FRWyuXpoQ"
	    "\"}", &keys, err, sizeof(err)), PIE_OK, "%s", err);
	jwks_free(keys);

	/* Its first 1032 bits do not. */
	cr_expect_eq(load_text("{\"kty\":\"RSA\",\"e\":\"AQAB\",\"n\":\""
	    "ofgWCuLjybRlzo0tZWJjNiuSfb4p4fAkd_wWJcyQoTbji9k0l8W26mPddx"
	    "HmfHQp-Vaw-4qPCJrcS2mJPMEzP1Pt0Bm4d4QlL-yRT-SFd2lZS-pCgNMs"
	    "D1W_YpRPEwOWvG6b32690r2jZ47soMZo9wGzjb_7OMg0LOL-bSf63kpa"
	    "\"}", &keys, err, sizeof(err)), PIE_ERR_INVALID);
	jwks_free(keys);

	cr_expect_eq(load_text("{\"kty\":\"oct\",\"k\":\"c2hvcnQ\"}", &keys,
	    err, sizeof(err)), PIE_ERR_INVALID);
	jwks_free(keys);
}

Test(jwks, skips_keys_not_meant_for_signatures)
{
	struct jwks	*keys;
	char		 err[256];

	cr_expect_eq(load_text("{\"keys\": [{\"kty\":\"OKP\",\"crv\":"
	    "\"X25519\",\"x\":\"AAAA\"}, {\"kty\":\"OKP\",\"crv\":\"Ed25519\","
	    "\"use\":\"enc\",\"x\":\"11qYAYKxCrfVS_7TyWQHOg7hcvPapiMlrwIaaPcHU"
	    "Ro\"}, {\"kty\":\"XYZ\"}, {\"kty\":\"oct\",\"alg\":\"A128KW\","
	    "\"k\":\"AAAA\"}]}", &keys, err, sizeof(err)), PIE_OK, "%s", err);
	cr_expect_eq(jwks_count(keys), 0);
	jwks_free(keys);
}

Test(jwks, keeps_a_jwk_alg_restriction)
{
	struct jwks	*keys;
	char		 err[256];

	cr_assert_eq(load_text("{\"kty\":\"OKP\",\"crv\":\"Ed25519\",\"alg\":"
	    "\"EdDSA\",\"x\":\"11qYAYKxCrfVS_7TyWQHOg7hcvPapiMlrwIaaPcHURo\"}",
	    &keys, err, sizeof(err)), PIE_OK, "%s", err);
	cr_expect_str_eq(jwks_key_alg(jwks_get(keys, 0)), "EdDSA");
	jwks_free(keys);
}

Test(jwks, reports_a_missing_file_by_name)
{
	struct jwks	*keys;
	char		 err[256];

	cr_assert_eq(jwks_new(&keys), PIE_OK);
	cr_expect_eq(jwks_load_file(keys, "/nonexistent/keys.json", err,
	    sizeof(err)), PIE_ERR_IO);
	cr_expect_not_null(strstr(err, "/nonexistent/keys.json"));
	cr_expect_eq(jwks_load_pem(keys, "/nonexistent/k.pem", err,
	    sizeof(err)), PIE_ERR_IO);
	cr_expect_eq(jwks_load_secret_file(keys, "/nonexistent/s", err,
	    sizeof(err)), PIE_ERR_IO);
	jwks_free(keys);
}

Test(jwks, refuses_text_that_is_not_a_jwks)
{
	struct jwks	*keys;
	char		 err[256];

	cr_expect_eq(load_text("[1,2]", &keys, err, sizeof(err)),
	    PIE_ERR_INVALID);
	jwks_free(keys);
	cr_expect_eq(load_text("{\"keys\": 5}", &keys, err, sizeof(err)),
	    PIE_ERR_INVALID);
	jwks_free(keys);
	cr_expect_eq(load_text("{\"keys\": []} x", &keys, err, sizeof(err)),
	    PIE_ERR_INVALID);
	jwks_free(keys);
	cr_expect_eq(load_text("{\"keys\": [7]}", &keys, err, sizeof(err)),
	    PIE_ERR_INVALID);
	jwks_free(keys);
}
