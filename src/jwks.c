/*
 * jwks.c: loads verification keys into a struct jwks.
 *
 * Public keys are built with OSSL_PARAM_BLD and EVP_PKEY_fromdata, then
 * checked with EVP_PKEY_public_check, so a point off its curve or a
 * truncated coordinate is refused when the file is loaded rather than
 * when a token arrives.  Private key material in a JWKS is refused: a
 * verifier has no use for it and it should not sit in its files.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <json-c/json.h>
#include <openssl/core_names.h>
#include <openssl/err.h>
#include <openssl/param_build.h>
#include <openssl/pem.h>

#include "b64url.h"
#include "jwks.h"
#include "log.h"

struct jwks_key {
	char		*kid;		/* NULL when none */
	char		*alg;		/* JWK "alg", NULL when none */
	enum jwks_kind	 kind;
	EVP_PKEY	*pkey;		/* NULL for HMAC */
	unsigned char	*secret;	/* HMAC only */
	size_t		 secretlen;
};

struct jwks {
	struct jwks_key	*keys;
	size_t		 nkeys;
	size_t		 cap;
};

/* One supported EC or OKP curve. */
struct jwks_curve {
	const char	*crv;		/* JWK name */
	const char	*ossl;		/* OpenSSL group or key type */
	enum jwks_kind	 kind;
	size_t		 len;		/* coordinate bytes */
};

static const struct jwks_curve jwks_curves[] = {
	{ "P-256", "prime256v1", JWKS_KIND_P256, 32 },
	{ "P-384", "secp384r1", JWKS_KIND_P384, 48 },
	{ "P-521", "secp521r1", JWKS_KIND_P521, 66 },
	{ "Ed25519", "ED25519", JWKS_KIND_ED25519, 32 },
};

/* The algorithms a JWK "alg" may name; others make the key skipped. */
static const char *const jwks_algs[] = {
	"RS256", "RS384", "RS512", "PS256", "PS384", "PS512",
	"ES256", "ES384", "ES512", "EdDSA", "HS256", "HS384", "HS512",
};

void
jwks_err(char *err, size_t errlen, const char *fmt, ...)
{
	va_list	 ap;

	if (err == NULL || errlen == 0)
		return;
	va_start(ap, fmt);
	vsnprintf(err, errlen, fmt, ap);
	va_end(ap);
}

enum pie_res
jwks_new(struct jwks **out)
{
	if ((*out = calloc(1, sizeof(**out))) == NULL)
		return PIE_ERR_NOMEM;
	return PIE_OK;
}

static void
jwks_key_clear(struct jwks_key *k)
{
	free(k->kid);
	free(k->alg);
	EVP_PKEY_free(k->pkey);
	if (k->secret != NULL)
		OPENSSL_clear_free(k->secret, k->secretlen);
	memset(k, 0, sizeof(*k));
}

void
jwks_free(struct jwks *set)
{
	size_t	 i;

	if (set == NULL)
		return;
	for (i = 0; i < set->nkeys; i++)
		jwks_key_clear(&set->keys[i]);
	free(set->keys);
	free(set);
}

/*
 * Moves *k into the set (the set owns its parts from then on, and *k is
 * cleared).  On PIE_ERR_NOMEM *k is left for the caller to clear.
 */
static enum pie_res
jwks_push(struct jwks *set, struct jwks_key *k)
{
	struct jwks_key	*nk;
	size_t		 ncap;

	if (set->nkeys == set->cap) {
		ncap = set->cap == 0 ? 4 : set->cap * 2;
		nk = reallocarray(set->keys, ncap, sizeof(*nk));
		if (nk == NULL)
			return PIE_ERR_NOMEM;
		set->keys = nk;
		set->cap = ncap;
	}
	set->keys[set->nkeys++] = *k;
	memset(k, 0, sizeof(*k));
	return PIE_OK;
}

/*
 * Reads a whole file of at most max bytes into a new NUL-terminated
 * buffer (the caller frees it).  Returns PIE_ERR_IO, PIE_ERR_TOO_BIG or
 * PIE_ERR_NOMEM with err filled in.
 */
static enum pie_res
jwks_read_file(const char *path, size_t max, char **out, size_t *outlen,
    char *err, size_t errlen)
{
	FILE		*f;
	char		*buf;
	size_t		 n;
	enum pie_res	 res;

	if ((f = fopen(path, "rb")) == NULL) {
		jwks_err(err, errlen, "%s: %s", path, strerror(errno));
		return PIE_ERR_IO;
	}
	if ((buf = malloc(max + 2)) == NULL) {
		res = PIE_ERR_NOMEM;
		jwks_err(err, errlen, "%s: out of memory", path);
		goto out;
	}

	/* Reading one byte past the limit tells a long file apart. */
	n = fread(buf, 1, max + 1, f);
	if (ferror(f)) {
		res = PIE_ERR_IO;
		jwks_err(err, errlen, "%s: read error", path);
		goto out;
	}
	if (n > max) {
		res = PIE_ERR_TOO_BIG;
		jwks_err(err, errlen, "%s: larger than %zu bytes", path, max);
		goto out;
	}
	buf[n] = '\0';
	*out = buf;
	*outlen = n;
	buf = NULL;
	res = PIE_OK;
out:
	free(buf);
	fclose(f);
	return res;
}

/*
 * The kid a key file gets: its base name without the last extension.
 * Returns a new string (the caller frees it) or NULL when out of memory.
 */
static char *
jwks_kid_from_path(const char *path)
{
	const char	*base, *dot;
	size_t		 len;
	char		*kid;

	base = strrchr(path, '/');
	base = base == NULL ? path : base + 1;
	dot = strrchr(base, '.');
	len = dot == NULL || dot == base ? strlen(base) : (size_t)(dot - base);
	if ((kid = malloc(len + 1)) == NULL)
		return NULL;
	memcpy(kid, base, len);
	kid[len] = '\0';
	return kid;
}

/*
 * Decodes the base64url string member name of a JWK.  Returns PIE_OK
 * with a new buffer in *out (the caller frees it), PIE_ERR_INVALID when
 * it is missing, not a string or not base64url, or PIE_ERR_NOMEM.
 */
static enum pie_res
jwks_member_bytes(json_object *jwk, const char *name, unsigned char **out,
    size_t *outlen)
{
	json_object	*v;

	if (!json_object_object_get_ex(jwk, name, &v) ||
	    !json_object_is_type(v, json_type_string))
		return PIE_ERR_INVALID;
	return b64url_decode(json_object_get_string(v),
	    (size_t)json_object_get_string_len(v), out, outlen);
}

/*
 * Finishes a public key: builds it from params, checks it, and stores it
 * in k->pkey.  Returns PIE_OK, PIE_ERR_INVALID (the key does not check
 * out) or PIE_ERR_CRYPTO.
 */
static enum pie_res
jwks_fromdata(const char *type, OSSL_PARAM_BLD *bld, struct jwks_key *k)
{
	OSSL_PARAM	*params = NULL;
	EVP_PKEY_CTX	*ctx = NULL, *check = NULL;
	enum pie_res	 res = PIE_ERR_CRYPTO;

	if ((params = OSSL_PARAM_BLD_to_param(bld)) == NULL)
		goto out;
	if ((ctx = EVP_PKEY_CTX_new_from_name(NULL, type, NULL)) == NULL)
		goto out;
	if (EVP_PKEY_fromdata_init(ctx) <= 0)
		goto out;
	if (EVP_PKEY_fromdata(ctx, &k->pkey, EVP_PKEY_PUBLIC_KEY,
	    params) <= 0) {
		res = PIE_ERR_INVALID;
		goto out;
	}

	/* fromdata takes the numbers as given; this checks they make sense. */
	if ((check = EVP_PKEY_CTX_new_from_pkey(NULL, k->pkey, NULL)) == NULL)
		goto out;
	if (EVP_PKEY_public_check(check) <= 0) {
		res = PIE_ERR_INVALID;
		goto out;
	}
	res = PIE_OK;
out:
	ERR_clear_error();
	EVP_PKEY_CTX_free(check);
	EVP_PKEY_CTX_free(ctx);
	OSSL_PARAM_free(params);
	return res;
}

/* Builds an RSA JWK's public key into k.  Returns as jwks_fromdata. */
static enum pie_res
jwks_rsa(json_object *jwk, struct jwks_key *k)
{
	unsigned char	*n = NULL, *e = NULL;
	size_t		 nlen, elen;
	BIGNUM		*bn = NULL, *be = NULL;
	OSSL_PARAM_BLD	*bld = NULL;
	enum pie_res	 res;

	if ((res = jwks_member_bytes(jwk, "n", &n, &nlen)) != PIE_OK ||
	    (res = jwks_member_bytes(jwk, "e", &e, &elen)) != PIE_OK)
		goto out;
	if (nlen == 0 || elen == 0 || elen > 8) {
		res = PIE_ERR_INVALID;
		goto out;
	}

	res = PIE_ERR_CRYPTO;
	if ((bn = BN_bin2bn(n, (int)nlen, NULL)) == NULL ||
	    (be = BN_bin2bn(e, (int)elen, NULL)) == NULL)
		goto out;
	if (BN_num_bits(bn) < JWKS_RSA_BITS_MIN) {
		res = PIE_ERR_INVALID;
		goto out;
	}
	if ((bld = OSSL_PARAM_BLD_new()) == NULL ||
	    !OSSL_PARAM_BLD_push_BN(bld, OSSL_PKEY_PARAM_RSA_N, bn) ||
	    !OSSL_PARAM_BLD_push_BN(bld, OSSL_PKEY_PARAM_RSA_E, be))
		goto out;
	k->kind = JWKS_KIND_RSA;
	res = jwks_fromdata("RSA", bld, k);
out:
	OSSL_PARAM_BLD_free(bld);
	BN_free(bn);
	BN_free(be);
	free(n);
	free(e);
	return res;
}

/* The curve a JWK "crv" names, or NULL when pie does not know it. */
static const struct jwks_curve *
jwks_curve(json_object *jwk, int okp)
{
	json_object	*v;
	const char	*crv;
	size_t		 i;

	if (!json_object_object_get_ex(jwk, "crv", &v) ||
	    !json_object_is_type(v, json_type_string))
		return NULL;
	crv = json_object_get_string(v);
	for (i = 0; i < sizeof(jwks_curves) / sizeof(jwks_curves[0]); i++)
		if (strcmp(crv, jwks_curves[i].crv) == 0 &&
		    (jwks_curves[i].kind == JWKS_KIND_ED25519) == okp)
			return &jwks_curves[i];
	return NULL;
}

/*
 * Builds an EC or OKP JWK's public key into k.  Coordinates must have
 * the curve's full length (RFC 7518 6.2.1.2).  Returns as jwks_fromdata.
 */
static enum pie_res
jwks_curve_key(json_object *jwk, const struct jwks_curve *c,
    struct jwks_key *k)
{
	unsigned char	*x = NULL, *y = NULL, pt[1 + 2 * 66];
	size_t		 xlen, ylen, ptlen;
	OSSL_PARAM_BLD	*bld = NULL;
	enum pie_res	 res;
	int		 okp = c->kind == JWKS_KIND_ED25519;

	if ((res = jwks_member_bytes(jwk, "x", &x, &xlen)) != PIE_OK)
		goto out;
	if (!okp && (res = jwks_member_bytes(jwk, "y", &y, &ylen)) != PIE_OK)
		goto out;
	if (xlen != c->len || (!okp && ylen != c->len)) {
		res = PIE_ERR_INVALID;
		goto out;
	}

	/* EC points go in uncompressed form; Ed25519 keys are raw bytes. */
	if (okp) {
		memcpy(pt, x, xlen);
		ptlen = xlen;
	} else {
		pt[0] = 0x04;
		memcpy(pt + 1, x, xlen);
		memcpy(pt + 1 + xlen, y, ylen);
		ptlen = 1 + xlen + ylen;
	}

	res = PIE_ERR_CRYPTO;
	if ((bld = OSSL_PARAM_BLD_new()) == NULL)
		goto out;
	if (!okp && !OSSL_PARAM_BLD_push_utf8_string(bld,
	    OSSL_PKEY_PARAM_GROUP_NAME, c->ossl, 0))
		goto out;
	if (!OSSL_PARAM_BLD_push_octet_string(bld, OSSL_PKEY_PARAM_PUB_KEY,
	    pt, ptlen))
		goto out;
	k->kind = c->kind;
	res = jwks_fromdata(okp ? "ED25519" : "EC", bld, k);
out:
	OSSL_PARAM_BLD_free(bld);
	free(x);
	free(y);
	return res;
}

/* Builds an oct JWK's secret into k.  Returns PIE_OK or PIE_ERR_*. */
static enum pie_res
jwks_oct(json_object *jwk, struct jwks_key *k)
{
	enum pie_res	 res;

	res = jwks_member_bytes(jwk, "k", &k->secret, &k->secretlen);
	if (res != PIE_OK)
		return res;
	if (k->secretlen < JWKS_SECRET_MIN)
		return PIE_ERR_INVALID;
	k->kind = JWKS_KIND_HMAC;
	return PIE_OK;
}

/*
 * Reads an optional string member into a new string in *out (NULL when
 * absent).  Returns PIE_OK, PIE_ERR_INVALID (present but not a string)
 * or PIE_ERR_NOMEM.
 */
static enum pie_res
jwks_opt_string(json_object *jwk, const char *name, char **out)
{
	json_object	*v;

	*out = NULL;
	if (!json_object_object_get_ex(jwk, name, &v))
		return PIE_OK;
	if (!json_object_is_type(v, json_type_string))
		return PIE_ERR_INVALID;
	if ((*out = strdup(json_object_get_string(v))) == NULL)
		return PIE_ERR_NOMEM;
	return PIE_OK;
}

/*
 * Whether a JWK is for signatures pie can check: 1 yes, 0 skip it.
 * why is set to the reason for a skip.
 */
static int
jwks_usable(json_object *jwk, const char *alg, const char **why)
{
	json_object	*v;
	size_t		 i;

	if (json_object_object_get_ex(jwk, "use", &v) &&
	    (!json_object_is_type(v, json_type_string) ||
	    strcmp(json_object_get_string(v), "sig") != 0)) {
		*why = "its use is not sig";
		return 0;
	}
	if (alg == NULL)
		return 1;
	for (i = 0; i < sizeof(jwks_algs) / sizeof(jwks_algs[0]); i++)
		if (strcmp(alg, jwks_algs[i]) == 0)
			return 1;
	*why = "its alg is not a supported signature algorithm";
	return 0;
}

/*
 * Adds the JWK at index i of file name to the set.  Returns PIE_OK
 * (added or skipped) or an error with err filled in.
 */
static enum pie_res
jwks_add_jwk(struct jwks *set, json_object *jwk, size_t i, const char *name,
    char *err, size_t errlen)
{
	struct jwks_key		 k;
	json_object		*v;
	const struct jwks_curve	*c = NULL;
	const char		*kty, *why = NULL, *what = "is not valid";
	enum pie_res		 res;

	memset(&k, 0, sizeof(k));
	if (!json_object_is_type(jwk, json_type_object)) {
		res = PIE_ERR_INVALID;
		what = "is not a JSON object";
		goto out;
	}
	if ((res = jwks_opt_string(jwk, "kid", &k.kid)) != PIE_OK ||
	    (res = jwks_opt_string(jwk, "alg", &k.alg)) != PIE_OK) {
		what = "has a kid or alg that is not a string";
		goto out;
	}
	if (!json_object_object_get_ex(jwk, "kty", &v) ||
	    !json_object_is_type(v, json_type_string)) {
		res = PIE_ERR_INVALID;
		what = "has no kty";
		goto out;
	}
	kty = json_object_get_string(v);

	/* A verifier never needs private parts; refuse rather than hold. */
	if (json_object_object_get_ex(jwk, "d", NULL)) {
		res = PIE_ERR_INVALID;
		what = "holds private key material (\"d\")";
		goto out;
	}

	if (!jwks_usable(jwk, k.alg, &why)) {
		res = PIE_OK;
		goto skip;
	}
	if (strcmp(kty, "RSA") == 0)
		res = jwks_rsa(jwk, &k);
	else if (strcmp(kty, "EC") == 0 || strcmp(kty, "OKP") == 0) {
		if ((c = jwks_curve(jwk, strcmp(kty, "OKP") == 0)) == NULL) {
			why = "its curve is not supported";
			res = PIE_OK;
			goto skip;
		}
		res = jwks_curve_key(jwk, c, &k);
	} else if (strcmp(kty, "oct") == 0) {
		res = jwks_oct(jwk, &k);
		what = "is not a base64url secret of at least 32 bytes";
	} else {
		why = "its kty is not supported";
		res = PIE_OK;
		goto skip;
	}
	if (res != PIE_OK)
		goto out;
	if ((res = jwks_push(set, &k)) != PIE_OK)
		what = "could not be stored (out of memory)";
	goto out;
skip:
	log_warn("%s: key %zu (kid %s) skipped: %s", name, i,
	    k.kid == NULL ? "none" : k.kid, why);
out:
	if (res != PIE_OK)
		jwks_err(err, errlen, "%s: key %zu (kid %s) %s", name, i,
		    k.kid == NULL ? "none" : k.kid,
		    res == PIE_ERR_CRYPTO ? "failed in OpenSSL" : what);
	jwks_key_clear(&k);
	return res;
}

enum pie_res
jwks_load_json(struct jwks *set, const char *json, size_t len,
    const char *name, char *err, size_t errlen)
{
	json_tokener	*tok;
	json_object	*root = NULL, *keys;
	size_t		 i, n;
	enum pie_res	 res;

	if ((tok = json_tokener_new()) == NULL) {
		jwks_err(err, errlen, "%s: out of memory", name);
		return PIE_ERR_NOMEM;
	}
	json_tokener_set_flags(tok, JSON_TOKENER_STRICT |
	    JSON_TOKENER_VALIDATE_UTF8);
	root = json_tokener_parse_ex(tok, json, (int)len);
	if (root == NULL || json_tokener_get_parse_end(tok) != len ||
	    !json_object_is_type(root, json_type_object)) {
		res = PIE_ERR_INVALID;
		jwks_err(err, errlen, "%s: not a JSON object", name);
		goto out;
	}

	/* A lone JWK is accepted as a set of one. */
	if (json_object_object_get_ex(root, "kty", NULL)) {
		res = jwks_add_jwk(set, root, 0, name, err, errlen);
		goto out;
	}
	if (!json_object_object_get_ex(root, "keys", &keys) ||
	    !json_object_is_type(keys, json_type_array)) {
		res = PIE_ERR_INVALID;
		jwks_err(err, errlen, "%s: no \"keys\" array", name);
		goto out;
	}
	n = json_object_array_length(keys);
	res = PIE_OK;
	for (i = 0; i < n && res == PIE_OK; i++)
		res = jwks_add_jwk(set, json_object_array_get_idx(keys, i), i,
		    name, err, errlen);
out:
	json_object_put(root);
	json_tokener_free(tok);
	return res;
}

enum pie_res
jwks_load_file(struct jwks *set, const char *path, char *err, size_t errlen)
{
	char		*buf;
	size_t		 len;
	enum pie_res	 res;

	res = jwks_read_file(path, JWKS_FILE_MAX, &buf, &len, err, errlen);
	if (res != PIE_OK)
		return res;
	res = jwks_load_json(set, buf, len, path, err, errlen);
	free(buf);
	return res;
}

/*
 * The kind of a public key read from PEM, or -1 when pie cannot verify
 * with it.
 */
static int
jwks_pkey_kind(EVP_PKEY *pkey)
{
	char	 group[64];
	size_t	 i, glen;

	if (EVP_PKEY_is_a(pkey, "RSA"))
		return JWKS_KIND_RSA;
	if (EVP_PKEY_is_a(pkey, "ED25519"))
		return JWKS_KIND_ED25519;
	if (!EVP_PKEY_is_a(pkey, "EC") ||
	    !EVP_PKEY_get_utf8_string_param(pkey, OSSL_PKEY_PARAM_GROUP_NAME,
	    group, sizeof(group), &glen))
		return -1;
	for (i = 0; i < sizeof(jwks_curves) / sizeof(jwks_curves[0]); i++)
		if (strcmp(group, jwks_curves[i].ossl) == 0)
			return (int)jwks_curves[i].kind;
	return -1;
}

enum pie_res
jwks_load_pem(struct jwks *set, const char *path, char *err, size_t errlen)
{
	struct jwks_key	 k;
	BIO		*bio;
	int		 kind;
	enum pie_res	 res;

	memset(&k, 0, sizeof(k));
	if ((bio = BIO_new_file(path, "r")) == NULL) {
		ERR_clear_error();
		jwks_err(err, errlen, "%s: %s", path, strerror(errno));
		return PIE_ERR_IO;
	}
	if ((k.pkey = PEM_read_bio_PUBKEY(bio, NULL, NULL, NULL)) == NULL) {
		res = PIE_ERR_INVALID;
		jwks_err(err, errlen, "%s: no PEM public key "
		    "(\"BEGIN PUBLIC KEY\") in the file", path);
		goto out;
	}
	if ((kind = jwks_pkey_kind(k.pkey)) < 0) {
		res = PIE_ERR_INVALID;
		jwks_err(err, errlen, "%s: not an RSA, P-256, P-384, P-521 "
		    "or Ed25519 public key", path);
		goto out;
	}
	k.kind = (enum jwks_kind)kind;
	if (kind == JWKS_KIND_RSA &&
	    EVP_PKEY_get_bits(k.pkey) < JWKS_RSA_BITS_MIN) {
		res = PIE_ERR_INVALID;
		jwks_err(err, errlen, "%s: RSA key shorter than %d bits", path,
		    JWKS_RSA_BITS_MIN);
		goto out;
	}
	res = PIE_ERR_NOMEM;
	if ((k.kid = jwks_kid_from_path(path)) == NULL ||
	    jwks_push(set, &k) != PIE_OK) {
		jwks_err(err, errlen, "%s: out of memory", path);
		goto out;
	}
	res = PIE_OK;
out:
	ERR_clear_error();
	jwks_key_clear(&k);
	BIO_free(bio);
	return res;
}

enum pie_res
jwks_add_secret(struct jwks *set, const unsigned char *secret, size_t len,
    const char *kid, char *err, size_t errlen)
{
	struct jwks_key	 k;
	enum pie_res	 res;

	memset(&k, 0, sizeof(k));
	if (len < JWKS_SECRET_MIN) {
		jwks_err(err, errlen, "HMAC secret %s is shorter than %d bytes",
		    kid == NULL ? "(no kid)" : kid, JWKS_SECRET_MIN);
		return PIE_ERR_INVALID;
	}

	res = PIE_ERR_NOMEM;
	k.kind = JWKS_KIND_HMAC;
	k.secretlen = len;
	if ((k.secret = malloc(len)) == NULL)
		goto out;
	memcpy(k.secret, secret, len);
	if (kid != NULL && (k.kid = strdup(kid)) == NULL)
		goto out;
	res = jwks_push(set, &k);
out:
	if (res != PIE_OK)
		jwks_err(err, errlen, "HMAC secret: out of memory");
	jwks_key_clear(&k);
	return res;
}

enum pie_res
jwks_load_secret_file(struct jwks *set, const char *path, char *err,
    size_t errlen)
{
	char		*buf, *kid = NULL;
	size_t		 len;
	enum pie_res	 res;

	res = jwks_read_file(path, 64 * 1024, &buf, &len, err, errlen);
	if (res != PIE_OK)
		return res;

	/* Editors add a newline that was never meant to be secret. */
	if (len > 0 && buf[len - 1] == '\n')
		len--;
	if (len > 0 && buf[len - 1] == '\r')
		len--;

	if ((kid = jwks_kid_from_path(path)) == NULL) {
		res = PIE_ERR_NOMEM;
		jwks_err(err, errlen, "%s: out of memory", path);
		goto out;
	}
	res = jwks_add_secret(set, (unsigned char *)buf, len, kid, err,
	    errlen);
	if (res == PIE_ERR_INVALID)
		jwks_err(err, errlen, "%s: the secret is shorter than %d "
		    "bytes", path, JWKS_SECRET_MIN);
out:
	OPENSSL_clear_free(buf, len + 2);
	free(kid);
	return res;
}

size_t
jwks_count(const struct jwks *set)
{
	return set->nkeys;
}

const struct jwks_key *
jwks_get(const struct jwks *set, size_t i)
{
	return i < set->nkeys ? &set->keys[i] : NULL;
}

int
jwks_has_secret(const struct jwks *set)
{
	size_t	 i;

	for (i = 0; i < set->nkeys; i++)
		if (set->keys[i].kind == JWKS_KIND_HMAC)
			return 1;
	return 0;
}

const char *
jwks_key_kid(const struct jwks_key *k)
{
	return k->kid;
}

const char *
jwks_key_alg(const struct jwks_key *k)
{
	return k->alg;
}

enum jwks_kind
jwks_key_kind(const struct jwks_key *k)
{
	return k->kind;
}

EVP_PKEY *
jwks_key_pkey(const struct jwks_key *k)
{
	return k->pkey;
}

const unsigned char *
jwks_key_secret(const struct jwks_key *k, size_t *len)
{
	*len = k->secretlen;
	return k->secret;
}
