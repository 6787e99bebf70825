/*
 * test_jwt.c: the JWS verifier against the RFC 7515 and RFC 8037
 * examples, against tokens minted by Node's crypto (cases.json, made by
 * tests/vectors/jwt/make-vectors.js), and against hand-made edge cases.
 * Each refusal is checked for its exact code.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <criterion/criterion.h>
#include <json-c/json.h>

#include "b64url.h"
#include "jwks.h"
#include "jwt.h"

#define ALL_ALGS	(JWT_ALGS_ASYMMETRIC | JWT_ALGS_HMAC)

/* The path of a vector file; a static buffer. */
static const char *
vec(const char *name)
{
	static char	 path[1024];
	const char	*srcdir = getenv("srcdir");

	snprintf(path, sizeof(path), "%s/tests/vectors/jwt/%s",
	    srcdir == NULL ? "." : srcdir, name);
	return path;
}

/* The first line of a vector file, as a new string. */
static char *
read_line(const char *name)
{
	FILE	*f = fopen(vec(name), "r");
	char	*line = NULL;
	size_t	 cap = 0;
	ssize_t	 n;

	cr_assert_not_null(f, "cannot open %s", vec(name));
	n = getline(&line, &cap, f);
	fclose(f);
	cr_assert_gt(n, 0);
	line[strcspn(line, "\n")] = '\0';
	return line;
}

static struct jwks *
load_keys(const char *name)
{
	struct jwks	*keys;
	char		 err[256];

	cr_assert_eq(jwks_new(&keys), PIE_OK);
	cr_assert_eq(jwks_load_file(keys, vec(name), err, sizeof(err)),
	    PIE_OK, "%s", err);
	return keys;
}

/* Verifies the signature of a vector; returns the code or NULL. */
static const char *
verify_rfc(const char *stem, size_t *payloadlen, char *payload)
{
	char		 name[64];
	struct jwks	*keys;
	struct jwt	*t = NULL;
	const char	*code = NULL, *p;
	char		*tok;
	enum pie_res	 res;

	snprintf(name, sizeof(name), "rfc/%s.jwks", stem);
	keys = load_keys(name);
	snprintf(name, sizeof(name), "rfc/%s.jwt", stem);
	tok = read_line(name);
	res = jwt_verify_jws(keys, ALL_ALGS, tok, strlen(tok), &t, &code);
	if (res == PIE_OK) {
		p = (const char *)jwt_payload(t, payloadlen);
		memcpy(payload, p, *payloadlen + 1);
	} else
		cr_assert_eq(res, PIE_ERR_AUTH);
	jwt_free(t);
	jwks_free(keys);
	free(tok);
	return code;
}

Test(jwt, verifies_rfc7515_a1_hs256)
{
	char	 payload[256];
	size_t	 len;

	cr_assert_null(verify_rfc("a1-hs256", &len, payload));
	cr_expect_not_null(strstr(payload, "\"iss\":\"joe\""));
}

Test(jwt, verifies_rfc7515_a2_rs256)
{
	char	 payload[256];
	size_t	 len;

	cr_assert_null(verify_rfc("a2-rs256", &len, payload));
	cr_expect_not_null(strstr(payload, "is_root"));
}

Test(jwt, verifies_rfc7515_a3_es256)
{
	char	 payload[256];
	size_t	 len;

	cr_assert_null(verify_rfc("a3-es256", &len, payload));
}

Test(jwt, verifies_rfc7515_a4_es512)
{
	char	 payload[256];
	size_t	 len;

	cr_assert_null(verify_rfc("a4-es512", &len, payload));
	cr_expect_str_eq(payload, "Payload");
}

Test(jwt, verifies_rfc8037_ed25519)
{
	char	 payload[256];
	size_t	 len;

	cr_assert_null(verify_rfc("rfc8037-eddsa", &len, payload));
	cr_expect_str_eq(payload, "Example of Ed25519 signing");
}

/* Runs jwt_decode on an RFC example at a fixed time. */
static const char *
decode_rfc_at(const char *stem, time_t now)
{
	struct jwt_policy	 pol = { ALL_ALGS, NULL, NULL, 0 };
	char			 name[64];
	struct jwks		*keys;
	struct jwt		*t = NULL;
	const char		*code = NULL;
	char			*tok;

	snprintf(name, sizeof(name), "rfc/%s.jwks", stem);
	keys = load_keys(name);
	snprintf(name, sizeof(name), "rfc/%s.jwt", stem);
	tok = read_line(name);
	if (jwt_decode(keys, &pol, tok, strlen(tok), now, &t, &code) ==
	    PIE_OK)
		cr_assert_null(code);
	jwt_free(t);
	jwks_free(keys);
	free(tok);
	return code;
}

Test(jwt, accepts_rfc7515_examples_before_their_exp)
{
	/* Their exp is 1300819380 (2011-03-22). */
	cr_expect_null(decode_rfc_at("a1-hs256", 1300819000));
	cr_expect_null(decode_rfc_at("a2-rs256", 1300819000));
	cr_expect_null(decode_rfc_at("a3-es256", 1300819000));
}

Test(jwt, calls_a_correctly_signed_old_rfc_example_expired)
{
	cr_expect_str_eq(decode_rfc_at("a2-rs256", 1767225600),
	    JWT_CODE_EXPIRED);
	cr_expect_str_eq(decode_rfc_at("a3-es256", 1767225600),
	    JWT_CODE_EXPIRED);
}

Test(jwt, calls_a_non_json_payload_malformed_once_signed)
{
	cr_expect_str_eq(decode_rfc_at("rfc8037-eddsa", 0), JWT_CODE_MALFORMED);
}

Test(jwt, refuses_rfc_examples_under_another_key)
{
	struct jwks	*keys = load_keys("rfc/a2-rs256.jwks");
	struct jwt	*t = NULL;
	const char	*code = NULL;
	char		*tok = read_line("rfc/a3-es256.jwt");

	cr_expect_eq(jwt_verify_jws(keys, ALL_ALGS, tok, strlen(tok), &t,
	    &code), PIE_ERR_AUTH);
	cr_expect_str_eq(code, JWT_CODE_KEY);
	jwks_free(keys);
	free(tok);
}

/* The vectors minted by make-vectors.js, with their policy. */
struct cases {
	json_object		*root;
	json_object		*list;
	struct jwks		*keys;
	struct jwt_policy	 pol;
	time_t			 now;
};

static void
cases_load(struct cases *c)
{
	json_object	*v;

	c->root = json_object_from_file(vec("cases.json"));
	cr_assert_not_null(c->root);
	cr_assert(json_object_object_get_ex(c->root, "cases", &c->list));
	c->keys = load_keys("jwks.json");
	c->pol.algs = ALL_ALGS;
	json_object_object_get_ex(c->root, "issuer", &v);
	c->pol.issuer = json_object_get_string(v);
	json_object_object_get_ex(c->root, "audience", &v);
	c->pol.audience = json_object_get_string(v);
	json_object_object_get_ex(c->root, "leeway", &v);
	c->pol.leeway = json_object_get_int(v);
	json_object_object_get_ex(c->root, "now", &v);
	c->now = (time_t)json_object_get_int64(v);
}

static void
cases_free(struct cases *c)
{
	jwks_free(c->keys);
	json_object_put(c->root);
}

/* Decodes a token under the cases' policy; returns the code or NULL. */
static const char *
cases_decode(struct cases *c, const char *tok)
{
	struct jwt	*t = NULL;
	const char	*code = NULL;
	enum pie_res	 res;

	res = jwt_decode(c->keys, &c->pol, tok, strlen(tok), c->now, &t,
	    &code);
	cr_assert(res == PIE_OK || res == PIE_ERR_AUTH, "result %d", res);
	cr_assert((res == PIE_OK) == (code == NULL));
	jwt_free(t);
	return code;
}

/* The code of the named case, checked against the one it expects. */
static void
expect_case(const char *name)
{
	struct cases	 c;
	json_object	*e, *v;
	const char	*want, *got;
	size_t		 i;

	cases_load(&c);
	for (i = 0; i < json_object_array_length(c.list); i++) {
		e = json_object_array_get_idx(c.list, i);
		json_object_object_get_ex(e, "name", &v);
		if (strcmp(json_object_get_string(v), name) != 0)
			continue;
		json_object_object_get_ex(e, "code", &v);
		want = v == NULL ? NULL : json_object_get_string(v);
		json_object_object_get_ex(e, "token", &v);
		got = cases_decode(&c, json_object_get_string(v));
		if (want == NULL)
			cr_expect_null(got, "%s: refused as %s", name, got);
		else
			cr_expect(got != NULL && strcmp(got, want) == 0,
			    "%s: got %s, want %s", name,
			    got == NULL ? "success" : got, want);
		cases_free(&c);
		return;
	}
	cases_free(&c);
	cr_assert_fail("no case %s in cases.json", name);
}

Test(jwt, gives_every_minted_vector_its_code)
{
	struct cases	 c;
	json_object	*e, *v;
	const char	*name, *want, *got;
	size_t		 i, n;

	cases_load(&c);
	n = json_object_array_length(c.list);
	cr_assert_geq(n, 50);
	for (i = 0; i < n; i++) {
		e = json_object_array_get_idx(c.list, i);
		json_object_object_get_ex(e, "name", &v);
		name = json_object_get_string(v);
		json_object_object_get_ex(e, "code", &v);
		want = v == NULL ? NULL : json_object_get_string(v);
		json_object_object_get_ex(e, "token", &v);
		got = cases_decode(&c, json_object_get_string(v));
		cr_expect((want == NULL && got == NULL) || (want != NULL &&
		    got != NULL && strcmp(want, got) == 0),
		    "%s: got %s, want %s", name, got == NULL ? "success" : got,
		    want == NULL ? "success" : want);
	}
	cases_free(&c);
}

Test(jwt, accepts_every_supported_algorithm)
{
	static const char *const algs[] = { "rs256", "rs384", "rs512",
	    "ps256", "ps384", "ps512", "es256", "es384", "es512", "eddsa",
	    "hs256", "hs384", "hs512" };
	char	 name[32];
	size_t	 i;

	for (i = 0; i < sizeof(algs) / sizeof(algs[0]); i++) {
		snprintf(name, sizeof(name), "valid_%s", algs[i]);
		expect_case(name);
	}
}

Test(jwt, rejects_alg_none)
{
	expect_case("alg_none");
}

Test(jwt, rejects_hs256_signed_with_the_rsa_public_key)
{
	expect_case("hs256_signed_with_rsa_public_key_and_its_kid");
	expect_case("hs256_signed_with_rsa_public_key_no_kid");
}

Test(jwt, rejects_signature_bit_flips)
{
	expect_case("signature_bit_flip_rs256");
	expect_case("signature_bit_flip_ps512");
	expect_case("signature_bit_flip_es256");
	expect_case("signature_bit_flip_es512");
	expect_case("signature_bit_flip_eddsa");
	expect_case("signature_bit_flip_hs256");
}

Test(jwt, rejects_es256_signature_in_der_form)
{
	expect_case("es256_signature_in_der_form");
}

Test(jwt, rejects_ecdsa_r_or_s_zero_or_out_of_range)
{
	expect_case("es256_r_zero");
	expect_case("es256_s_zero");
	expect_case("es256_r_equal_to_order");
	expect_case("es256_signature_too_long");
}

Test(jwt, rejects_a_key_of_the_wrong_type_for_the_alg)
{
	expect_case("es256_alg_with_rsa_kid");
	expect_case("rs256_alg_with_ec_kid");
	expect_case("eddsa_alg_with_hmac_kid");
}

Test(jwt, needs_a_kid_unless_exactly_one_key_fits)
{
	expect_case("valid_without_kid_when_one_key_fits");
	expect_case("missing_kid_with_two_rsa_keys");
	expect_case("unknown_kid");
}

Test(jwt, rejects_unknown_crit_and_keys_carried_in_the_token)
{
	expect_case("unknown_crit");
	expect_case("jwk_in_header");
	expect_case("jku_in_header");
	expect_case("x5c_in_header");
}

Test(jwt, rejects_bad_base64url_and_bad_segments)
{
	expect_case("payload_with_padding");
	expect_case("payload_with_plus");
	expect_case("signature_with_slash");
	expect_case("trailing_segment");
	expect_case("two_segments");
	expect_case("whitespace_in_token");
	expect_case("empty_header_segment");
}

Test(jwt, rejects_non_object_json_and_huge_headers)
{
	expect_case("header_is_an_array");
	expect_case("payload_is_a_string");
	expect_case("payload_is_not_json");
	expect_case("huge_header");
}

Test(jwt, checks_exp_nbf_and_iat_with_leeway)
{
	expect_case("missing_exp");
	expect_case("exp_is_a_string");
	expect_case("expired");
	expect_case("expired_beyond_leeway");
	expect_case("valid_within_leeway");
	expect_case("not_yet_valid");
	expect_case("issued_in_the_future");
}

Test(jwt, checks_the_signature_before_any_claim)
{
	expect_case("expired_and_badly_signed");
}

Test(jwt, checks_issuer_and_audience)
{
	expect_case("wrong_issuer");
	expect_case("missing_issuer");
	expect_case("wrong_audience");
	expect_case("wrong_audience_array");
	expect_case("valid_with_aud_array");
}

/* The token of a named case, as a new string. */
static char *
case_token(const char *name)
{
	json_object	*root, *list, *e, *v;
	char		*tok = NULL;
	size_t		 i;

	root = json_object_from_file(vec("cases.json"));
	cr_assert_not_null(root);
	json_object_object_get_ex(root, "cases", &list);
	for (i = 0; i < json_object_array_length(list); i++) {
		e = json_object_array_get_idx(list, i);
		json_object_object_get_ex(e, "name", &v);
		if (strcmp(json_object_get_string(v), name) != 0)
			continue;
		json_object_object_get_ex(e, "token", &v);
		tok = strdup(json_object_get_string(v));
	}
	json_object_put(root);
	cr_assert_not_null(tok);
	return tok;
}

Test(jwt, refuses_hmac_when_the_policy_does_not_allow_it)
{
	struct cases	 c;
	char		*tok = case_token("valid_hs256");

	cases_load(&c);
	c.pol.algs = JWT_ALGS_ASYMMETRIC;
	cr_expect_str_eq(cases_decode(&c, tok), JWT_CODE_ALG);
	cases_free(&c);
	free(tok);
}

/*
 * The code of the valid ES256 vector with its header segment replaced
 * by the encoding of hdr (payload and signature kept).
 */
static const char *
code_with_header(const char *hdr)
{
	static char	 code[64];
	struct cases	 c;
	char		*tok = case_token("valid_es256"), *h2, *fake;
	const char	*got;

	cr_assert_eq(b64url_encode((const unsigned char *)hdr, strlen(hdr),
	    &h2), PIE_OK);
	cr_assert_gt(asprintf(&fake, "%s%s", h2, strchr(tok, '.')), 0);
	cases_load(&c);
	got = cases_decode(&c, fake);
	snprintf(code, sizeof(code), "%s", got == NULL ? "ok" : got);
	cases_free(&c);
	free(h2);
	free(fake);
	free(tok);
	return code;
}

Test(jwt, checks_the_signature_over_the_exact_received_header)
{
	/* Same meaning, other bytes: the signature no longer matches. */
	cr_expect_str_eq(code_with_header("{\"alg\":\"ES256\", "
	    "\"typ\":\"JWT\",\"kid\":\"ec-p256\"}"), JWT_CODE_SIGNATURE);
}

Test(jwt, rejects_a_header_member_named_twice)
{
	/* Two parsers could read two algorithms into one header. */
	cr_expect_str_eq(code_with_header("{\"alg\":\"none\","
	    "\"alg\":\"ES256\",\"kid\":\"ec-p256\"}"), JWT_CODE_MALFORMED);
}

Test(jwt, rejects_a_token_over_8_kib)
{
	struct cases	 c;
	char		*big;

	big = malloc(JWT_TOKEN_MAX + 2);
	cr_assert_not_null(big);
	memset(big, 'A', JWT_TOKEN_MAX + 1);
	big[10] = '.';
	big[20] = '.';
	big[JWT_TOKEN_MAX + 1] = '\0';
	cases_load(&c);
	cr_expect_str_eq(cases_decode(&c, big), JWT_CODE_MALFORMED);
	cases_free(&c);
	free(big);
}

Test(jwt, refuses_an_empty_token)
{
	struct cases	 c;

	cases_load(&c);
	cr_expect_str_eq(cases_decode(&c, ""), JWT_CODE_MALFORMED);
	cr_expect_str_eq(cases_decode(&c, ".."), JWT_CODE_MALFORMED);
	cases_free(&c);
}

Test(jwt, times_check_honours_leeway_at_the_edges)
{
	struct jwt_times tm = { .exp = 1000, .nbf = 500, .has_nbf = 1,
	    .iat = 500, .has_iat = 1 };

	cr_expect_null(jwt_times_check(&tm, 999, 0));
	cr_expect_str_eq(jwt_times_check(&tm, 1000, 0), JWT_CODE_EXPIRED);
	cr_expect_null(jwt_times_check(&tm, 1059, 60));
	cr_expect_str_eq(jwt_times_check(&tm, 1060, 60), JWT_CODE_EXPIRED);
	cr_expect_null(jwt_times_check(&tm, 500, 0));
	cr_expect_str_eq(jwt_times_check(&tm, 499, 0), JWT_CODE_NOT_YET);
	cr_expect_null(jwt_times_check(&tm, 440, 60));
	tm.has_nbf = 0;
	tm.iat = 900;
	cr_expect_str_eq(jwt_times_check(&tm, 800, 60), JWT_CODE_NOT_YET);
}

Test(jwt, names_and_parses_every_alg)
{
	int	 a;

	for (a = 0; a < JWT_ALG_COUNT; a++)
		cr_expect_eq(jwt_alg_parse(jwt_alg_name((enum jwt_alg)a)), a);
	cr_expect_eq(jwt_alg_parse("none"), -1);
	cr_expect_eq(jwt_alg_parse("rs256"), -1);
	cr_expect_eq(jwt_alg_parse("ES256K"), -1);
}
