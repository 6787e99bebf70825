/*
 * test_auth.c: from an Authorization header to a principal: the 401
 * codes, scopes, tenancy, settings, the token cache and reloading.
 * Tokens are minted here with HS256 and the vector secret, so each test
 * can say exactly which claims it wants.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <criterion/criterion.h>
#include <openssl/evp.h>

#include "auth.h"
#include "b64url.h"

#define NOW	1767225600LL

static const char *
vec(const char *name)
{
	static char	 path[4][1024];
	static int	 next;
	const char	*srcdir = getenv("srcdir");
	char		*p = path[next++ % 4];

	snprintf(p, sizeof(path[0]), "%s/tests/vectors/jwt/%s",
	    srcdir == NULL ? "." : srcdir, name);
	return p;
}

/* Reads the vector HMAC secret (without its newline); static buffer. */
static const unsigned char *
secret(size_t *len)
{
	static unsigned char	 buf[256];
	FILE			*f = fopen(vec("keys/hmac-1.secret"), "r");

	cr_assert_not_null(f);
	*len = fread(buf, 1, sizeof(buf), f);
	fclose(f);
	while (*len > 0 && buf[*len - 1] == '\n')
		(*len)--;
	return buf;
}

/* "Bearer " and an HS256 token of the claims; the caller frees. */
static char *
bearer(const char *claims)
{
	const char	*hdr = "{\"alg\":\"HS256\",\"kid\":\"hmac-1\"}";
	unsigned char	 mac[64];
	const unsigned char *key;
	char		*h, *p, *s, *input, *out;
	size_t		 klen, maclen;

	cr_assert_eq(b64url_encode((const unsigned char *)hdr, strlen(hdr),
	    &h), PIE_OK);
	cr_assert_eq(b64url_encode((const unsigned char *)claims,
	    strlen(claims), &p), PIE_OK);
	cr_assert_gt(asprintf(&input, "%s.%s", h, p), 0);
	key = secret(&klen);
	cr_assert_not_null(EVP_Q_mac(NULL, "HMAC", NULL, "SHA256", NULL, key,
	    klen, (unsigned char *)input, strlen(input), mac, sizeof(mac),
	    &maclen));
	cr_assert_eq(b64url_encode(mac, maclen, &s), PIE_OK);
	cr_assert_gt(asprintf(&out, "Bearer %s.%s", input, s), 0);
	free(h);
	free(p);
	free(s);
	free(input);
	return out;
}

static struct auth_settings
settings(void)
{
	struct auth_settings	 s = {
		.jwks_file = vec("jwks.json"),
		.leeway = 60,
		.cache_size = 16,
	};

	return s;
}

static struct auth_ctx *
load(const struct auth_settings *s)
{
	struct auth_ctx	*ctx = NULL;
	char		 err[256];

	cr_assert_eq(auth_load(s, &ctx, err, sizeof(err)), PIE_OK, "%s", err);
	return ctx;
}

/* Authenticates a header at NOW; returns the code, *p when accepted. */
static const char *
authn(struct auth_ctx *ctx, const char *header, struct auth_principal **p)
{
	struct auth_principal	*got = NULL;
	const char		*code = NULL;
	enum pie_res		 res;

	res = auth_authenticate(ctx, header, (time_t)NOW, &got, &code);
	cr_assert((res == PIE_OK) == (code == NULL), "result %d", res);
	if (res == PIE_OK) {
		if (p != NULL)
			*p = got;
		else
			auth_principal_free(got);
	} else
		cr_assert_eq(res, PIE_ERR_AUTH);
	return code;
}

/* The code for a token of these claims under default settings. */
static const char *
code_for(const char *claims)
{
	static char		 code[64];
	struct auth_settings	 s = settings();
	struct auth_ctx		*ctx = load(&s);
	char			*h = bearer(claims);
	const char		*c = authn(ctx, h, NULL);

	snprintf(code, sizeof(code), "%s", c == NULL ? "ok" : c);
	free(h);
	auth_free(ctx);
	return code;
}

#define CLAIMS(extra) "{\"sub\":\"alice\",\"exp\":1767229200" extra "}"

Test(auth, accepts_a_good_token_and_reads_its_principal)
{
	struct auth_settings	 s = settings();
	struct auth_ctx		*ctx = load(&s);
	struct auth_principal	*p = NULL;
	char			*h = bearer(CLAIMS(",\"scope\":"
				    "\"assignments:read jobs:write bogus\","
				    "\"clients\":[\"client-1\",\"client-2\"]"));

	cr_assert_null(authn(ctx, h, &p));
	cr_expect_str_eq(auth_principal_sub(p), "alice");
	cr_expect(auth_has_scope(p, AUTH_ASSIGNMENTS_READ));
	cr_expect(auth_has_scope(p, AUTH_JOBS_WRITE));
	cr_expect(auth_has_scope(p, AUTH_ANY_READ));
	cr_expect_not(auth_has_scope(p, AUTH_ASSIGNMENTS_WRITE));
	cr_expect_not(auth_has_scope(p, AUTH_TENANTS_ADMIN));
	cr_expect(auth_may_touch_client(p, "client-2"));
	cr_expect_not(auth_may_touch_client(p, "client-3"));
	auth_principal_free(p);
	free(h);
	auth_free(ctx);
}

Test(auth, calls_no_header_or_another_scheme_missing_token)
{
	struct auth_settings	 s = settings();
	struct auth_ctx		*ctx = load(&s);

	cr_expect_str_eq(authn(ctx, NULL, NULL), "missing_token");
	cr_expect_str_eq(authn(ctx, "", NULL), "missing_token");
	cr_expect_str_eq(authn(ctx, "Basic YWxpY2U6c2VjcmV0", NULL),
	    "missing_token");
	cr_expect_str_eq(authn(ctx, "Bearer", NULL), "missing_token");
	cr_expect_str_eq(authn(ctx, "Bearer   ", NULL), "missing_token");
	cr_expect_str_eq(authn(ctx, "Bearerabc", NULL), "missing_token");
	cr_expect_str_eq(authn(ctx, "Bearer abc", NULL), "malformed_token");
	auth_free(ctx);
}

Test(auth, takes_the_scheme_in_any_case_and_trims_blanks)
{
	struct auth_settings	 s = settings();
	struct auth_ctx		*ctx = load(&s);
	char			*h = bearer(CLAIMS("")), *h2;

	cr_assert_gt(asprintf(&h2, "  bEARER   %s  ", h + 7), 0);
	cr_expect_null(authn(ctx, h2, NULL));
	free(h);
	free(h2);
	auth_free(ctx);
}

Test(auth, reads_scopes_from_scp_and_permissions)
{
	struct auth_settings	 s = settings();
	struct auth_ctx		*ctx = load(&s);
	struct auth_principal	*p = NULL;
	char			*h = bearer(CLAIMS(
				    ",\"scp\":[\"registry:read\"],"
				    "\"permissions\":[\"tenants:admin\","
				    "\"x:y\"]"));

	cr_assert_null(authn(ctx, h, &p));
	cr_expect(auth_has_scope(p, AUTH_REGISTRY_READ));
	cr_expect(auth_has_scope(p, AUTH_TENANTS_ADMIN));
	cr_expect_not(auth_has_scope(p, AUTH_REGISTRY_WRITE));
	cr_expect_not(auth_may_touch_client(p, "client-1"));
	auth_principal_free(p);
	free(h);
	auth_free(ctx);
}

Test(auth, lets_a_star_touch_every_client)
{
	struct auth_settings	 s = settings();
	struct auth_ctx		*ctx = load(&s);
	struct auth_principal	*p = NULL;
	char			*h = bearer(CLAIMS(",\"clients\":[\"*\"]"));

	cr_assert_null(authn(ctx, h, &p));
	cr_expect(auth_may_touch_client(p, "any-client"));
	auth_principal_free(p);
	free(h);
	auth_free(ctx);
}

Test(auth, reads_tenancy_from_the_configured_claim)
{
	struct auth_settings	 s = settings();
	struct auth_ctx		*ctx;
	struct auth_principal	*p = NULL;
	char			*h = bearer(CLAIMS(",\"clients\":[\"a\"],"
				    "\"https://pie/tenants\":[\"b\"]"));

	s.clients_claim = "https://pie/tenants";
	ctx = load(&s);
	cr_assert_null(authn(ctx, h, &p));
	cr_expect(auth_may_touch_client(p, "b"));
	cr_expect_not(auth_may_touch_client(p, "a"));
	auth_principal_free(p);
	free(h);
	auth_free(ctx);
}

Test(auth, accepts_a_token_without_sub_as_no_one_in_particular)
{
	struct auth_settings	 s = settings();
	struct auth_ctx		*ctx = load(&s);
	struct auth_principal	*p = NULL;
	char			*h = bearer("{\"exp\":1767229200,"
				    "\"scope\":\"jobs:write\","
				    "\"clients\":[\"*\"]}");

	cr_assert_null(authn(ctx, h, &p));
	cr_expect_null(auth_principal_sub(p));
	cr_expect(auth_has_scope(p, AUTH_JOBS_WRITE));
	cr_expect(auth_may_touch_client(p, "client-1"));
	auth_principal_free(p);

	/* Again, from the cache. */
	p = NULL;
	cr_assert_null(authn(ctx, h, &p));
	cr_expect_null(auth_principal_sub(p));
	auth_principal_free(p);
	free(h);
	auth_free(ctx);
}

Test(auth, refuses_a_sub_that_names_no_one)
{
	char	 claims[400];

	cr_expect_str_eq(code_for("{\"sub\":5,\"exp\":1767229200}"),
	    "malformed_token");
	cr_expect_str_eq(code_for("{\"sub\":[\"a\"],\"exp\":1767229200}"),
	    "malformed_token");
	cr_expect_str_eq(code_for("{\"sub\":null,\"exp\":1767229200}"),
	    "malformed_token");
	cr_expect_str_eq(code_for("{\"sub\":\"\",\"exp\":1767229200}"),
	    "malformed_token");
	cr_expect_str_eq(code_for("{\"sub\":\"a\\nb\",\"exp\":1767229200}"),
	    "malformed_token");
	cr_expect_str_eq(code_for("{\"sub\":\"a\\u007fb\","
	    "\"exp\":1767229200}"), "malformed_token");

	/* At most AUTH_SUB_MAX bytes (255). */
	snprintf(claims, sizeof(claims), "{\"sub\":\"%0*d\","
	    "\"exp\":1767229200}", AUTH_SUB_MAX, 7);
	cr_expect_str_eq(code_for(claims), "ok");
	snprintf(claims, sizeof(claims), "{\"sub\":\"%0*d\","
	    "\"exp\":1767229200}", AUTH_SUB_MAX + 1, 7);
	cr_expect_str_eq(code_for(claims), "malformed_token");
}

Test(auth, refuses_claims_of_the_wrong_type)
{
	cr_expect_str_eq(code_for(CLAIMS(",\"scope\":[\"jobs:read\"]")),
	    "malformed_token");
	cr_expect_str_eq(code_for(CLAIMS(",\"permissions\":\"jobs:read\"")),
	    "malformed_token");
	cr_expect_str_eq(code_for(CLAIMS(",\"clients\":\"client-1\"")),
	    "malformed_token");
	cr_expect_str_eq(code_for(CLAIMS(",\"clients\":[1]")),
	    "malformed_token");
	cr_expect_str_eq(code_for(CLAIMS(",\"scp\":\"jobs:read\"")), "ok");
}

Test(auth, refuses_null_where_a_claim_needs_a_value)
{
	cr_expect_str_eq(code_for(CLAIMS(",\"scope\":null")),
	    "malformed_token");
	cr_expect_str_eq(code_for(CLAIMS(",\"scp\":null")), "malformed_token");
	cr_expect_str_eq(code_for(CLAIMS(",\"permissions\":null")),
	    "malformed_token");
	cr_expect_str_eq(code_for(CLAIMS(",\"clients\":null")),
	    "malformed_token");
	cr_expect_str_eq(code_for(CLAIMS(",\"aud\":null")), "malformed_token");
}

Test(auth, refuses_a_nul_that_would_shorten_a_client)
{
	cr_expect_str_eq(code_for(CLAIMS(",\"clients\":[\"c\\u0000x\"]")),
	    "malformed_token");
}

Test(auth, refuses_a_claim_named_twice)
{
	cr_expect_str_eq(code_for("{\"sub\":\"a\",\"exp\":1767229200,"
	    "\"scope\":\"jobs:read\",\"scope\":\"tenants:admin\"}"),
	    "malformed_token");
}

Test(auth, answers_expired_and_not_yet_valid)
{
	cr_expect_str_eq(code_for("{\"sub\":\"a\",\"exp\":1767225500}"),
	    "token_expired");
	cr_expect_str_eq(code_for("{\"sub\":\"a\",\"exp\":1767225600}"), "ok");
	cr_expect_str_eq(code_for(CLAIMS(",\"nbf\":1767225660")), "ok");
	cr_expect_str_eq(code_for(CLAIMS(",\"nbf\":1767225661")),
	    "token_not_yet_valid");
	cr_expect_str_eq(code_for(CLAIMS(",\"iat\":1767229200")),
	    "token_not_yet_valid");
}

Test(auth, checks_issuer_and_audience_when_configured)
{
	struct auth_settings	 s = settings();
	struct auth_ctx		*ctx;
	char                    *good = bearer(CLAIMS(",\"iss\":\"https://i\","
				    "\"aud\":[\"x\",\"pie\"]"));
	char			*badiss = bearer(CLAIMS(
				    ",\"iss\":\"https://j\",\"aud\":\"pie\""));
	char			*badaud = bearer(CLAIMS(
				    ",\"iss\":\"https://i\",\"aud\":\"pie2\""));

	s.issuer = "https://i";
	s.audience = "pie";
	ctx = load(&s);
	cr_expect_null(authn(ctx, good, NULL));
	cr_expect_str_eq(authn(ctx, badiss, NULL), "invalid_issuer");
	cr_expect_str_eq(authn(ctx, badaud, NULL), "invalid_audience");
	free(good);
	free(badiss);
	free(badaud);
	auth_free(ctx);
}

Test(auth, keeps_cached_tokens_to_the_same_time_rules)
{
	struct auth_settings	 s = settings();
	struct auth_ctx		*ctx = load(&s);
	struct auth_principal	*a = NULL, *b = NULL;
	const char		*code = NULL;
	char                    *h = bearer("{\"sub\":\"a\",\"exp\":1767225700,"
				    "\"nbf\":1767225500}");

	cr_assert_eq(auth_authenticate(ctx, h, (time_t)NOW, &a, &code),
	    PIE_OK);
	cr_assert_eq(auth_authenticate(ctx, h, (time_t)NOW, &b, &code),
	    PIE_OK);
	cr_expect_eq(a, b, "the second call did not come from the cache");
	auth_principal_free(a);
	auth_principal_free(b);

	/* Before nbf (less leeway), then after exp (plus leeway). */
	cr_expect_eq(auth_authenticate(ctx, h, 1767225400, &a, &code),
	    PIE_ERR_AUTH);
	cr_expect_str_eq(code, "token_not_yet_valid");
	cr_expect_eq(auth_authenticate(ctx, h, 1767225760, &a, &code),
	    PIE_ERR_AUTH);
	cr_expect_str_eq(code, "token_expired");
	cr_expect_eq(auth_authenticate(ctx, h, 1767225760, &a, &code),
	    PIE_ERR_AUTH);
	cr_expect_str_eq(code, "token_expired");
	free(h);
	auth_free(ctx);
}

Test(auth, works_without_a_cache)
{
	struct auth_settings	 s = settings();
	struct auth_ctx		*ctx;
	char			*h = bearer(CLAIMS(""));

	s.cache_size = 0;
	ctx = load(&s);
	cr_expect_null(authn(ctx, h, NULL));
	cr_expect_null(authn(ctx, h, NULL));
	free(h);
	auth_free(ctx);
}

Test(auth, principals_outlive_their_context)
{
	struct auth_settings	 s = settings();
	struct auth_ctx		*ctx = load(&s);
	struct auth_principal	*p = NULL;
	char			*h = bearer(CLAIMS(""));

	cr_assert_null(authn(ctx, h, &p));
	auth_free(ctx);
	cr_expect_str_eq(auth_principal_sub(p), "alice");
	auth_principal_free(p);
	free(h);
}

Test(auth, leaves_the_old_context_alone_when_a_reload_fails)
{
	struct auth_settings	 s = settings(), bad = settings();
	struct auth_ctx		*ctx = load(&s), *next = ctx;
	char			 err[256];
	char			*h = bearer(CLAIMS(""));

	bad.jwks_file = vec("keys/rsa-1.pem");
	cr_expect_neq(auth_load(&bad, &next, err, sizeof(err)), PIE_OK);
	cr_expect_eq(next, ctx);
	cr_expect_not_null(strstr(err, "rsa-1.pem"), "%s", err);
	cr_expect_null(authn(ctx, h, NULL));
	free(h);
	auth_free(ctx);
}

Test(auth, refuses_bad_algorithm_settings)
{
	struct auth_settings	 s = settings();
	struct auth_ctx		*ctx = NULL;
	char			 err[256];

	s.algorithms = "ES256 none";
	cr_expect_eq(auth_load(&s, &ctx, err, sizeof(err)), PIE_ERR_INVALID);
	cr_expect_not_null(strstr(err, "none"), "%s", err);
	s.algorithms = " ";
	cr_expect_eq(auth_load(&s, &ctx, err, sizeof(err)), PIE_ERR_INVALID);

	/* HS* needs a secret: here only PEM public keys are configured. */
	s.jwks_file = NULL;
	s.public_keys = vec("keys/ed-1.pub.pem");
	s.algorithms = "EdDSA HS256";
	cr_expect_eq(auth_load(&s, &ctx, err, sizeof(err)), PIE_ERR_INVALID);
	cr_expect_not_null(strstr(err, "HMAC"), "%s", err);
	s.algorithms = NULL;
	s.public_keys = NULL;
	cr_expect_eq(auth_load(&s, &ctx, err, sizeof(err)), PIE_ERR_INVALID);
	cr_expect_not_null(strstr(err, "no usable"), "%s", err);
	s.jwks_file = vec("jwks.json");
	s.leeway = -1;
	cr_expect_eq(auth_load(&s, &ctx, err, sizeof(err)), PIE_ERR_INVALID);
	cr_expect_null(ctx);
}

Test(auth, enforces_the_configured_algorithm_list)
{
	struct auth_settings	 s = settings();
	struct auth_ctx		*ctx;
	char			*h = bearer(CLAIMS(""));

	s.algorithms = "ES256 EdDSA";
	ctx = load(&s);
	cr_expect_str_eq(authn(ctx, h, NULL), "unsupported_algorithm");
	auth_free(ctx);
	free(h);
}

Test(auth, allows_hmac_by_default_only_with_a_secret)
{
	struct auth_settings	 s = settings();
	struct auth_ctx		*ctx;
	char			*h = bearer(CLAIMS(""));

	s.jwks_file = NULL;
	s.public_keys = vec("keys/ec-p256.pub.pem");
	ctx = load(&s);
	cr_expect_str_eq(authn(ctx, h, NULL), "unsupported_algorithm");
	auth_free(ctx);

	/* The secret file's kid is its name: hmac-1. */
	s.hmac_secret_file = vec("keys/hmac-1.secret");
	ctx = load(&s);
	cr_expect_null(authn(ctx, h, NULL));
	auth_free(ctx);
	free(h);
}

Test(auth, loads_several_pem_keys)
{
	struct auth_settings	 s = settings();
	struct auth_ctx		*ctx;
	char			 list[2048];

	snprintf(list, sizeof(list), " %s\t%s ", vec("keys/rsa-1.pub.pem"),
	    vec("keys/ec-p384.pub.pem"));
	s.jwks_file = NULL;
	s.public_keys = list;
	ctx = load(&s);
	auth_free(ctx);
}

Test(auth, names_scopes)
{
	cr_expect_str_eq(auth_scope_name(AUTH_ASSIGNMENTS_WRITE),
	    "assignments:write");
	cr_expect_str_eq(auth_scope_name(AUTH_TENANTS_ADMIN), "tenants:admin");
	cr_expect_null(auth_scope_name(AUTH_JOBS_READ | AUTH_JOBS_WRITE));
}
