/*
 * test_auth.c: authentication and authorization as a caller meets them
 * through nginx over TLS: each 401 code with its WWW-Authenticate
 * header, the 403s of scope and tenancy, and the order of the checks
 * (401, then 400 for a malformed path, then 403).  The issuer and
 * audience checks run with the stack's configuration changed for the
 * test and restored afterwards.
 */
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <criterion/criterion.h>

#include "itconf.h"
#include "itest.h"

static char	 auth_client[96];
static char	 auth_path[160];

/* A client to read, so that an admitted request answers 200. */
static void
auth_setup(void)
{
	struct it_resp	*r;

	it_require_stack();
	snprintf(auth_client, sizeof(auth_client), "%s", it_unique("ac"));
	snprintf(auth_path, sizeof(auth_path), "/v2/clients/%s", auth_client);
	r = it_send("PUT", auth_path, "{}");
	cr_assert_eq(r->status, 201, "%s", r->body);
	it_free(r);
}

/* GETs the client with token (may be NULL). */
static struct it_resp *
auth_get(const char *token)
{
	return it_call("GET", auth_path, token, NULL, NULL);
}

/*
 * Asserts a 401 with code, and a WWW-Authenticate: Bearer challenge
 * that says error="invalid_token" exactly when a token was presented.
 */
static void
auth_assert_401(const struct it_resp *r, const char *code, int presented)
{
	const char	*www;

	it_assert_error(r, 401, code);
	www = it_header(r, "www-authenticate");
	cr_assert_not_null(www, "no WWW-Authenticate: %s", r->headers);
	cr_assert_eq(strncmp(www, "Bearer", 6), 0, "%s", www);
	if (presented)
		cr_assert(strstr(www, "error=\"invalid_token\"") != NULL,
		    "%s", www);
	else
		cr_assert(strstr(www, "error=") == NULL, "%s", www);
}

/* GETs the client with a token minted from args; asserts a 401 code. */
static void
auth_refused(const char *args, const char *code)
{
	char		*tok = it_token(args);
	struct it_resp	*r = auth_get(tok);

	auth_assert_401(r, code, 1);
	it_free(r);
	free(tok);
}

/* GETs the client with a literal token; asserts a 401 code. */
static void
auth_refused_text(const char *tok, const char *code)
{
	struct it_resp	*r = auth_get(tok);

	auth_assert_401(r, code, 1);
	it_free(r);
}

/* GETs the client with a token minted from args; asserts the status. */
static void
auth_status(const char *args, long want, const char *code)
{
	char		*tok = it_token(args);
	struct it_resp	*r = auth_get(tok);

	if (code != NULL)
		it_assert_error(r, want, code);
	else
		cr_assert_eq(r->status, want, "%s: %s", args, r->body);
	it_free(r);
	free(tok);
}

Test(auth, no_authorization_header_is_401_without_an_error_attribute,
    .init = auth_setup)
{
	struct it_resp	*r = auth_get(NULL);

	auth_assert_401(r, "missing_token", 0);
	it_free(r);
}

Test(auth, basic_scheme_is_401_missing_token, .init = auth_setup)
{
	static const char *const basic[] = {
	    "Authorization: Basic dXNlcjpwYXNzd29yZA==", NULL };
	struct it_resp	*r = it_call("GET", auth_path, NULL, NULL, basic);

	it_assert_error(r, 401, "missing_token");
	cr_assert_eq(strncmp(it_header(r, "www-authenticate"), "Bearer", 6),
	    0);
	it_free(r);
}

Test(auth, tokens_that_are_not_jws_are_malformed, .init = auth_setup)
{
	char	*good = it_token("-S 'tenants:admin' -C '*'");
	char	*bad = strdup(good), *dot;

	auth_refused_text("garbage", "malformed_token");
	auth_refused_text("abc.def", "malformed_token");
	auth_refused_text("a.b.c.d", "malformed_token");

	/* '*' is not in the base64url alphabet. */
	dot = strchr(bad, '.');
	dot[1] = '*';
	auth_refused_text(bad, "malformed_token");
	free(bad);
	free(good);
}

Test(auth, alg_none_and_algs_not_allowed_are_unsupported,
    .init = auth_setup)
{
	auth_refused("-S 'tenants:admin' -C '*' -a none",
	    "unsupported_algorithm");
	/* No shared secret is configured, so no HS* alg is allowed. */
	auth_refused("-S 'tenants:admin' -C '*' -a HS256",
	    "unsupported_algorithm");
}

Test(auth, a_kid_nobody_has_is_unknown_key, .init = auth_setup)
{
	auth_refused("-S 'tenants:admin' -C '*' -i no-such-key",
	    "unknown_key");
}

Test(auth, a_key_type_nobody_configured_is_unknown_key, .init = auth_setup)
{
	char	 priv[PATH_MAX], cmd[PATH_MAX + 128], args[PATH_MAX + 64];

	snprintf(priv, sizeof(priv), "%s/keys/other-rsa-%ld.pem",
	    it_stack_dir(), (long)getpid());
	snprintf(cmd, sizeof(cmd), "openssl genpkey -algorithm rsa "
	    "-pkeyopt rsa_keygen_bits:2048 -out '%s' 2>/dev/null", priv);
	cr_assert_eq(system(cmd), 0);
	snprintf(args, sizeof(args), "-S 'tenants:admin' -C '*' -k '%s' "
	    "-a RS256", priv);
	auth_refused(args, "unknown_key");
	unlink(priv);
}

Test(auth, a_flipped_signature_byte_is_invalid_signature,
    .init = auth_setup)
{
	char	*tok = it_token("-S 'tenants:admin' -C '*'");
	char	*sig = strrchr(tok, '.') + 1;

	/* The first character holds six whole bits of the signature. */
	sig[0] = sig[0] == 'A' ? 'B' : 'A';
	auth_refused_text(tok, "invalid_signature");
	free(tok);
}

Test(auth, another_ed25519_key_without_kid_is_invalid_signature,
    .init = auth_setup)
{
	char	 priv[PATH_MAX], pub[PATH_MAX], args[PATH_MAX + 64];

	itconf_new_key("stranger", priv, pub);
	snprintf(args, sizeof(args), "-S 'tenants:admin' -C '*' -k '%s'",
	    priv);
	auth_refused(args, "invalid_signature");
	unlink(priv);
	unlink(pub);
}

Test(auth, expiry_is_checked_with_the_leeway, .init = auth_setup)
{
	auth_refused("-S 'tenants:admin' -C '*' -e -120", "token_expired");
	auth_status("-S 'tenants:admin' -C '*' -e -30", 200, NULL);
	auth_refused("-S 'tenants:admin' -C '*' --no-exp", "malformed_token");
}

Test(auth, sub_may_be_left_out_but_not_empty, .init = auth_setup)
{
	char	 args[512];

	auth_status("-S 'tenants:admin' -C '*' --no-sub", 200, NULL);
	auth_refused("-S 'tenants:admin' -C '*' -s ''", "malformed_token");
	auth_refused("-S 'tenants:admin' -C '*' --claim sub=5",
	    "malformed_token");
	auth_refused("-S 'tenants:admin' -C '*' --claim sub=null",
	    "malformed_token");
	snprintf(args, sizeof(args), "-S 'tenants:admin' -C '*' -s %0256d",
	    7);
	auth_refused(args, "malformed_token");
}

Test(auth, a_not_before_in_the_future_is_not_yet_valid, .init = auth_setup)
{
	auth_refused("-S 'tenants:admin' -C '*' -n 300",
	    "token_not_yet_valid");
	auth_status("-S 'tenants:admin' -C '*' -n 30", 200, NULL);
}

Test(auth, a_token_without_the_routes_scope_is_403, .init = auth_setup)
{
	auth_status("-S 'jobs:write services:write' -C '*'", 403,
	    "insufficient_scope");
	auth_status("-C '*'", 403, "insufficient_scope");
	auth_status("-S 'registry:read' -C '*'", 200, NULL);
}

Test(auth, a_client_the_token_does_not_list_is_403, .init = auth_setup)
{
	char	 args[256];

	auth_status("-S 'tenants:admin' -C 'someone-else'", 403,
	    "forbidden_client");
	auth_status("-S 'tenants:admin'", 403, "forbidden_client");
	snprintf(args, sizeof(args), "-S 'tenants:admin' -C 'x %s'",
	    auth_client);
	auth_status(args, 200, NULL);
	auth_status("-S 'tenants:admin' -C '*'", 200, NULL);
}

Test(auth, a_bad_token_on_a_malformed_path_is_still_401,
    .init = auth_setup)
{
	struct it_resp	*r;

	r = it_call("GET", "/v2/clients/-bad-", "garbage", NULL, NULL);
	auth_assert_401(r, "malformed_token", 1);
	it_free(r);
	r = it_call("GET", "/v2/clients/-bad-", NULL, NULL, NULL);
	auth_assert_401(r, "missing_token", 0);
	it_free(r);
}

Test(auth, a_good_token_on_a_malformed_path_is_400_before_403,
    .init = auth_setup)
{
	char		*noscope = it_token("-S 'jobs:write' -C '*'");
	char		*noclient = it_token("-S 'tenants:admin' -C other");
	struct it_resp	*r;

	r = it_call("GET", "/v2/clients/-bad-", noscope, NULL, NULL);
	it_assert_error(r, 400, "invalid_parameter");
	it_free(r);
	r = it_call("GET", "/v2/clients/-bad-", noclient, NULL, NULL);
	it_assert_error(r, 400, "invalid_parameter");
	it_free(r);
	free(noscope);
	free(noclient);
}

/* The stack trusts only tokens of one issuer for one audience. */
static void
auth_claims_setup(void)
{
	auth_setup();
	itconf_save();
	itconf_write(NULL, "issuer = https://issuer.example\n"
	    "audience = pie-api");
	cr_assert_eq(itconf_reload(), 1, "the pool refused the issuer "
	    "and audience settings");
}

static void
auth_claims_teardown(void)
{
	itconf_restore();
}

Test(auth_claims, a_configured_issuer_is_required,
    .init = auth_claims_setup, .fini = auth_claims_teardown)
{
	auth_refused("-S 'tenants:admin' -C '*' --aud pie-api "
	    "--iss https://other.example", "invalid_issuer");
	auth_refused("-S 'tenants:admin' -C '*' --aud pie-api",
	    "invalid_issuer");
	auth_status("-S 'tenants:admin' -C '*' --aud pie-api "
	    "--iss https://issuer.example", 200, NULL);
}

Test(auth_claims, a_configured_audience_is_required,
    .init = auth_claims_setup, .fini = auth_claims_teardown)
{
	auth_refused("-S 'tenants:admin' -C '*' --iss https://issuer.example "
	    "--aud someone-else", "invalid_audience");
	auth_refused("-S 'tenants:admin' -C '*' --iss https://issuer.example",
	    "invalid_audience");
	auth_status("-S 'tenants:admin' -C '*' --iss https://issuer.example "
	    "--claim 'aud=[\"x\",\"pie-api\"]'", 200, NULL);
}
