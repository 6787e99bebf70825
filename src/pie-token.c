/*
 * pie-token: mints a signed JWT for trying pie with curl and for tests.
 *
 *	pie-token -k private.pem -S "assignments:read" -C client-1
 *
 * prints a compact token signed with the key (RS256, ES256/384/512 or
 * EdDSA by default, from the key's type; -a picks another alg of the
 * same type) or with an HMAC secret file.  Every claim can be set or
 * overridden, so it also mints the bad tokens tests need: expired, not
 * yet valid, wrong iss or aud, odd headers, even alg "none".  It is a
 * test tool: it signs whatever it is asked to.
 */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <json-c/json.h>
#include <openssl/core_names.h>
#include <openssl/ec.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/rsa.h>

#include "b64url.h"
#include "jwt.h"

struct token_opts {
	const char	*keyfile;
	const char	*secretfile;
	const char	*alg;
	const char	*kid;
	const char	*sub;
	const char	*scope;
	const char	*clients;
	const char	*iss;
	const char	*aud;
	long long	 now;
	long long	 exp;
	long long	 nbf;
	long long	 iat;
	int		 no_exp;
	int		 no_iat;
	int		 has_nbf;
};

static void
token_usage(void)
{
	fprintf(stderr,
"usage: pie-token (-k private.pem | --secret-file file) [-a alg] [-i kid]\n"
"           [-s sub] [-S \"scope words\"] [-C \"client ...\" | -C '*']\n"
"           [-e exp-offset] [-n nbf-offset] [--iat offset] [--now time]\n"
"           [--no-exp] [--no-iat] [--no-sub] [--iss issuer]\n"
"           [--aud audience] [--claim name=json]... [--header name=json]...\n"
"  offsets are seconds from now and may be negative; exp defaults to\n"
"  3600, iat to 0; -a none gives an unsigned token (for tests).\n");
	exit(2);
}

static void
token_die(const char *what)
{
	unsigned long	 e = ERR_get_error();

	if (e != 0)
		fprintf(stderr, "pie-token: %s: %s\n", what,
		    ERR_reason_error_string(e));
	else
		fprintf(stderr, "pie-token: %s\n", what);
	exit(1);
}

/* Parses a signed decimal number of seconds or exits. */
static long long
token_number(const char *s)
{
	char		*end;
	long long	 v;

	errno = 0;
	v = strtoll(s, &end, 10);
	if (errno != 0 || *s == '\0' || *end != '\0') {
		fprintf(stderr, "pie-token: not a number: %s\n", s);
		exit(2);
	}
	return v;
}

/* Sets member "name=json" of obj, or exits. */
static void
token_set_json(json_object *obj, const char *arg)
{
	const char	*eq = strchr(arg, '=');
	json_object	*v;
	char		*name;

	if (eq == NULL || eq == arg)
		token_usage();
	if ((v = json_tokener_parse(eq + 1)) == NULL &&
	    strcmp(eq + 1, "null") != 0) {
		fprintf(stderr, "pie-token: not JSON: %s\n", eq + 1);
		exit(2);
	}
	if ((name = strndup(arg, (size_t)(eq - arg))) == NULL)
		token_die("out of memory");
	json_object_object_add(obj, name, v);
	free(name);
}

/* A JSON array of the space-separated words of s. */
static json_object *
token_words(const char *s)
{
	json_object	*a = json_object_new_array();
	size_t		 len;

	for (;;) {
		s += strspn(s, " \t");
		if (*s == '\0')
			return a;
		len = strcspn(s, " \t");
		json_object_array_add(a, json_object_new_string_len(s,
		    (int)len));
		s += len;
	}
}

/* The default alg for a private key. */
static const char *
token_default_alg(EVP_PKEY *pkey)
{
	char	 group[64];
	size_t	 glen;

	if (EVP_PKEY_is_a(pkey, "RSA"))
		return "RS256";
	if (EVP_PKEY_is_a(pkey, "ED25519"))
		return "EdDSA";
	if (EVP_PKEY_is_a(pkey, "EC") &&
	    EVP_PKEY_get_utf8_string_param(pkey, OSSL_PKEY_PARAM_GROUP_NAME,
	    group, sizeof(group), &glen)) {
		if (strcmp(group, "prime256v1") == 0)
			return "ES256";
		if (strcmp(group, "secp384r1") == 0)
			return "ES384";
		if (strcmp(group, "secp521r1") == 0)
			return "ES512";
	}
	token_die("unsupported key type");
	return NULL;
}

/* Reads the HMAC secret file the way pie does (one newline stripped). */
static unsigned char *
token_read_secret(const char *path, size_t *len)
{
	FILE		*f;
	unsigned char	*buf;
	size_t		 n;

	if ((f = fopen(path, "rb")) == NULL)
		token_die(path);
	if ((buf = malloc(65536)) == NULL)
		token_die("out of memory");
	n = fread(buf, 1, 65536, f);
	fclose(f);
	if (n > 0 && buf[n - 1] == '\n')
		n--;
	if (n > 0 && buf[n - 1] == '\r')
		n--;
	*len = n;
	return buf;
}

/* The digest name of an alg ("SHA256"), NULL for EdDSA. */
static const char *
token_md(const char *alg)
{
	if (strcmp(alg, "EdDSA") == 0)
		return NULL;
	if (strcmp(alg + 2, "256") == 0)
		return "SHA256";
	if (strcmp(alg + 2, "384") == 0)
		return "SHA384";
	return "SHA512";
}

/* Converts a DER ECDSA signature to R||S of clen bytes each. */
static size_t
token_ecdsa_raw(const unsigned char *der, size_t derlen, unsigned char *out,
    int clen)
{
	ECDSA_SIG	*es;
	const BIGNUM	*r, *s;

	if ((es = d2i_ECDSA_SIG(NULL, &der, (long)derlen)) == NULL)
		token_die("bad ECDSA signature");
	ECDSA_SIG_get0(es, &r, &s);
	if (BN_bn2binpad(r, out, clen) != clen ||
	    BN_bn2binpad(s, out + clen, clen) != clen)
		token_die("bad ECDSA signature");
	ECDSA_SIG_free(es);
	return (size_t)clen * 2;
}

/* Signs msg with pkey under alg into sig (at least 1024 bytes). */
static size_t
token_sign_pkey(EVP_PKEY *pkey, const char *alg, const char *msg,
    unsigned char *sig)
{
	EVP_MD_CTX	*md;
	EVP_PKEY_CTX	*pctx;
	unsigned char	 der[256];
	size_t		 len = 1024;
	int		 ec = alg[0] == 'E' && alg[1] == 'S';

	if ((md = EVP_MD_CTX_new()) == NULL)
		token_die("out of memory");
	if (EVP_DigestSignInit_ex(md, &pctx, token_md(alg), NULL, NULL, pkey,
	    NULL) <= 0)
		token_die("the key cannot sign with this alg");
	if (alg[0] == 'P' && (EVP_PKEY_CTX_set_rsa_padding(pctx,
	    RSA_PKCS1_PSS_PADDING) <= 0 ||
	    EVP_PKEY_CTX_set_rsa_pss_saltlen(pctx,
	    RSA_PSS_SALTLEN_DIGEST) <= 0))
		token_die("PSS setup failed");
	if (ec)
		len = sizeof(der);
	if (EVP_DigestSign(md, ec ? der : sig, &len,
	    (const unsigned char *)msg, strlen(msg)) <= 0)
		token_die("signing failed");
	EVP_MD_CTX_free(md);
	if (ec)
		len = token_ecdsa_raw(der, len, sig, strcmp(alg, "ES256") == 0 ?
		    32 : strcmp(alg, "ES384") == 0 ? 48 : 66);
	return len;
}

/* Encodes obj as base64url of its compact JSON; the caller frees. */
static char *
token_b64_json(json_object *obj)
{
	const char	*s;
	char		*out;

	s = json_object_to_json_string_ext(obj, JSON_C_TO_STRING_PLAIN |
	    JSON_C_TO_STRING_NOSLASHESCAPE);
	if (b64url_encode((const unsigned char *)s, strlen(s), &out) != PIE_OK)
		token_die("out of memory");
	return out;
}

/* Builds the header from the options (before --header overrides). */
static json_object *
token_header(const struct token_opts *o)
{
	json_object	*h = json_object_new_object();

	json_object_object_add(h, "alg", json_object_new_string(o->alg));
	json_object_object_add(h, "typ", json_object_new_string("JWT"));
	if (o->kid != NULL)
		json_object_object_add(h, "kid",
		    json_object_new_string(o->kid));
	return h;
}

/* Adds (or replaces) every member of extra into base; frees extra. */
static json_object *
token_merge(json_object *base, json_object *extra)
{
	json_object_object_foreach(extra, k, v)
		json_object_object_add(base, k, json_object_get(v));
	json_object_put(extra);
	return base;
}

/* Builds the claims from the options (before --claim overrides). */
static json_object *
token_claims(const struct token_opts *o)
{
	json_object	*c = json_object_new_object();

	if (o->sub != NULL)
		json_object_object_add(c, "sub",
		    json_object_new_string(o->sub));
	if (o->iss != NULL)
		json_object_object_add(c, "iss",
		    json_object_new_string(o->iss));
	if (o->aud != NULL)
		json_object_object_add(c, "aud",
		    json_object_new_string(o->aud));
	if (!o->no_iat)
		json_object_object_add(c, "iat",
		    json_object_new_int64(o->now + o->iat));
	if (o->has_nbf)
		json_object_object_add(c, "nbf",
		    json_object_new_int64(o->now + o->nbf));
	if (!o->no_exp)
		json_object_object_add(c, "exp",
		    json_object_new_int64(o->now + o->exp));
	if (o->scope != NULL)
		json_object_object_add(c, "scope",
		    json_object_new_string(o->scope));
	if (o->clients != NULL)
		json_object_object_add(c, "clients", token_words(o->clients));
	return c;
}

/*
 * Reads the private key (NULL for an HS alg or alg none) and settles
 * o->alg and o->secretfile.  Exits on error.  The caller frees the key.
 */
static EVP_PKEY *
token_load_key(struct token_opts *o)
{
	EVP_PKEY	*pkey = NULL;
	FILE		*f;

	/* With an HS alg the key file is the secret, whatever it holds. */
	if (o->keyfile != NULL && (o->alg == NULL || o->alg[0] != 'H')) {
		if ((f = fopen(o->keyfile, "r")) == NULL)
			token_die(o->keyfile);
		pkey = PEM_read_PrivateKey(f, NULL, NULL, NULL);
		fclose(f);
		if (pkey == NULL)
			token_die("no PEM private key in the key file");
		if (o->alg == NULL)
			o->alg = token_default_alg(pkey);
	} else if (o->alg == NULL)
		o->alg = "HS256";
	if (o->alg[0] == 'H' && o->secretfile == NULL)
		o->secretfile = o->keyfile;
	if (o->alg[0] == 'H' && o->secretfile == NULL)
		token_usage();
	if (strcmp(o->alg, "none") != 0 && jwt_alg_parse(o->alg) < 0)
		token_die("unknown alg");
	return pkey;
}

/* Signs input under o->alg into sig (1024 bytes); returns its length. */
static size_t
token_sign(const struct token_opts *o, EVP_PKEY *pkey, const char *input,
    unsigned char *sig)
{
	unsigned char	*secret;
	size_t		 slen, siglen;

	if (strcmp(o->alg, "none") == 0)
		return 0;
	if (o->alg[0] != 'H') {
		if (pkey == NULL)
			token_die("this alg needs -k private.pem");
		return token_sign_pkey(pkey, o->alg, input, sig);
	}
	secret = token_read_secret(o->secretfile, &slen);
	if (EVP_Q_mac(NULL, "HMAC", NULL, token_md(o->alg), NULL, secret,
	    slen, (const unsigned char *)input, strlen(input), sig, 1024,
	    &siglen) == NULL)
		token_die("HMAC failed");
	free(secret);
	return siglen;
}

int
main(int argc, char *argv[])
{
	static const struct option longopts[] = {
		{ "secret-file", required_argument, NULL, 'K' },
		{ "iss", required_argument, NULL, 'I' },
		{ "aud", required_argument, NULL, 'A' },
		{ "claim", required_argument, NULL, 'c' },
		{ "header", required_argument, NULL, 'H' },
		{ "iat", required_argument, NULL, 't' },
		{ "now", required_argument, NULL, 'N' },
		{ "no-exp", no_argument, NULL, 'x' },
		{ "no-iat", no_argument, NULL, 'y' },
		{ "no-sub", no_argument, NULL, 'u' },
		{ NULL, 0, NULL, 0 }
	};
	struct token_opts o = { .sub = "pie-token", .exp = 3600 };
	json_object	*hdr, *claims;
	EVP_PKEY	*pkey;
	unsigned char	 sig[1024];
	char		*h64, *p64, *s64, *input;
	size_t		 siglen;
	int		 ch;

	o.now = (long long)time(NULL);
	hdr = json_object_new_object();
	claims = json_object_new_object();
	while ((ch = getopt_long(argc, argv, "k:a:i:s:S:C:e:n:", longopts,
	    NULL)) != -1) {
		switch (ch) {
		case 'k':
			o.keyfile = optarg;
			break;
		case 'K':
			o.secretfile = optarg;
			break;
		case 'a':
			o.alg = optarg;
			break;
		case 'i':
			o.kid = optarg;
			break;
		case 's':
			o.sub = optarg;
			break;
		case 'S':
			o.scope = optarg;
			break;
		case 'C':
			o.clients = optarg;
			break;
		case 'e':
			o.exp = token_number(optarg);
			break;
		case 'n':
			o.nbf = token_number(optarg);
			o.has_nbf = 1;
			break;
		case 't':
			o.iat = token_number(optarg);
			break;
		case 'N':
			o.now = token_number(optarg);
			break;
		case 'x':
			o.no_exp = 1;
			break;
		case 'y':
			o.no_iat = 1;
			break;
		case 'u':
			o.sub = NULL;
			break;
		case 'I':
			o.iss = optarg;
			break;
		case 'A':
			o.aud = optarg;
			break;
		case 'c':
			token_set_json(claims, optarg);
			break;
		case 'H':
			token_set_json(hdr, optarg);
			break;
		default:
			token_usage();
		}
	}
	if (optind != argc || (o.keyfile != NULL && o.secretfile != NULL))
		token_usage();

	pkey = token_load_key(&o);

	/* Options first, so that --header and --claim override them. */
	hdr = token_merge(token_header(&o), hdr);
	claims = token_merge(token_claims(&o), claims);

	h64 = token_b64_json(hdr);
	p64 = token_b64_json(claims);
	if (asprintf(&input, "%s.%s", h64, p64) < 0)
		token_die("out of memory");

	siglen = token_sign(&o, pkey, input, sig);

	if (b64url_encode(sig, siglen, &s64) != PIE_OK)
		token_die("out of memory");
	printf("%s.%s\n", input, s64);

	free(h64);
	free(p64);
	free(s64);
	free(input);
	json_object_put(hdr);
	json_object_put(claims);
	EVP_PKEY_free(pkey);
	return 0;
}
