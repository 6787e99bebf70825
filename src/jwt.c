/*
 * jwt.c: compact JWS (RFC 7515) verification and JWT (RFC 7519) claims.
 *
 * The order of the checks is the point of this file.  The token's form
 * is checked first (three canonical base64url segments, a JSON object
 * header), then the header (an allowed alg, no crit, no key carried in
 * the token), then a key is chosen by kid and by type, and the signature
 * is checked over the bytes exactly as received.  Only then is the
 * payload parsed and a claim believed, so that a forged token is
 * "invalid_signature" whatever it claims.  Header and payload are read
 * as I-JSON, like a request body: a member named twice (RFC 7515 section
 * 4 lets a parser take either choice, and two parsers may choose apart)
 * or a U+0000 that would cut a C string short is a malformed token.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/crypto.h>
#include <openssl/ec.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/obj_mac.h>
#include <openssl/rsa.h>

#include "b64url.h"
#include "ijson.h"
#include "jwt.h"

struct jwt {
	enum jwt_alg	 alg;
	json_object	*header;
	json_object	*claims;	/* NULL until jwt_check_claims */
	unsigned char	*payload;	/* decoded, NUL-terminated */
	size_t		 payloadlen;
	struct jwt_times times;
};

struct jwt_alg_info {
	const char	*name;
	const char	*md;		/* NULL for EdDSA */
	enum jwks_kind	 kind;
	int		 pss;
	size_t           hlen;          /* digest bytes (HMAC key minimum) */
	int		 nid;		/* ECDSA curve */
	size_t		 clen;		/* ECDSA coordinate bytes */
};

static const struct jwt_alg_info jwt_algs[JWT_ALG_COUNT] = {
	[JWT_RS256] = { "RS256", "SHA256", JWKS_KIND_RSA, 0, 32, 0, 0 },
	[JWT_RS384] = { "RS384", "SHA384", JWKS_KIND_RSA, 0, 48, 0, 0 },
	[JWT_RS512] = { "RS512", "SHA512", JWKS_KIND_RSA, 0, 64, 0, 0 },
	[JWT_PS256] = { "PS256", "SHA256", JWKS_KIND_RSA, 1, 32, 0, 0 },
	[JWT_PS384] = { "PS384", "SHA384", JWKS_KIND_RSA, 1, 48, 0, 0 },
	[JWT_PS512] = { "PS512", "SHA512", JWKS_KIND_RSA, 1, 64, 0, 0 },
	[JWT_ES256] = { "ES256", "SHA256", JWKS_KIND_P256, 0, 32,
	    NID_X9_62_prime256v1, 32 },
	[JWT_ES384] = { "ES384", "SHA384", JWKS_KIND_P384, 0, 48,
	    NID_secp384r1, 48 },
	[JWT_ES512] = { "ES512", "SHA512", JWKS_KIND_P521, 0, 64,
	    NID_secp521r1, 66 },
	[JWT_EDDSA] = { "EdDSA", NULL, JWKS_KIND_ED25519, 0, 0, 0, 0 },
	[JWT_HS256] = { "HS256", "SHA256", JWKS_KIND_HMAC, 0, 32, 0, 0 },
	[JWT_HS384] = { "HS384", "SHA384", JWKS_KIND_HMAC, 0, 48, 0, 0 },
	[JWT_HS512] = { "HS512", "SHA512", JWKS_KIND_HMAC, 0, 64, 0, 0 },
};

/* Header parameters that would let the token name its own key. */
static const char *const jwt_key_sources[] = {
	"jwk", "jku", "x5u", "x5c"
};

int
jwt_alg_parse(const char *name)
{
	int	 a;

	for (a = 0; a < JWT_ALG_COUNT; a++)
		if (strcmp(name, jwt_algs[a].name) == 0)
			return a;
	return -1;
}

const char *
jwt_alg_name(enum jwt_alg alg)
{
	return (unsigned)alg < JWT_ALG_COUNT ? jwt_algs[alg].name : "?";
}

void
jwt_free(struct jwt *t)
{
	if (t == NULL)
		return;
	json_object_put(t->header);
	json_object_put(t->claims);
	free(t->payload);
	free(t);
}

/*
 * Parses buf[0..len) as I-JSON (ijson.h) and requires an object.
 * Returns PIE_OK with *out set (release with json_object_put),
 * PIE_ERR_INVALID or PIE_ERR_NOMEM.
 */
static enum pie_res
jwt_parse_object(const unsigned char *buf, size_t len, json_object **out)
{
	json_object	*obj;
	enum pie_res	 res;

	res = ijson_parse((const char *)buf, len, &obj, NULL, 0);
	if (res != PIE_OK)
		return res;
	if (!json_object_is_type(obj, json_type_object)) {
		json_object_put(obj);
		return PIE_ERR_INVALID;
	}
	*out = obj;
	return PIE_OK;
}

/*
 * Checks the header's own rules and sets *alg.  Returns NULL when the
 * header is acceptable under algs, else the JWT_CODE_*.
 */
static const char *
jwt_check_header(json_object *hdr, unsigned algs, enum jwt_alg *alg)
{
	json_object	*v;
	size_t		 i;
	int		 a;

	if (!json_object_object_get_ex(hdr, "alg", &v) ||
	    !json_object_is_type(v, json_type_string))
		return JWT_CODE_MALFORMED;
	if ((a = jwt_alg_parse(json_object_get_string(v))) < 0 ||
	    !(algs & JWT_ALG_BIT(a)))
		return JWT_CODE_ALG;
	*alg = (enum jwt_alg)a;

	/* pie understands no extension, so any crit is one it cannot honour. */
	if (json_object_object_get_ex(hdr, "crit", NULL))
		return JWT_CODE_MALFORMED;
	for (i = 0; i < sizeof(jwt_key_sources) / sizeof(jwt_key_sources[0]);
	    i++)
		if (json_object_object_get_ex(hdr, jwt_key_sources[i], NULL))
			return JWT_CODE_MALFORMED;
	if (json_object_object_get_ex(hdr, "kid", &v) &&
	    !json_object_is_type(v, json_type_string))
		return JWT_CODE_MALFORMED;
	if (json_object_object_get_ex(hdr, "typ", &v) &&
	    !json_object_is_type(v, json_type_string))
		return JWT_CODE_MALFORMED;
	return NULL;
}

/* 1 when key k may verify alg: its type, its JWK alg, its length. */
static int
jwt_key_fits(const struct jwks_key *k, enum jwt_alg alg)
{
	const struct jwt_alg_info	*ai = &jwt_algs[alg];
	const char			*kalg;
	size_t				 slen;

	if (jwks_key_kind(k) != ai->kind)
		return 0;
	if ((kalg = jwks_key_alg(k)) != NULL && strcmp(kalg, ai->name) != 0)
		return 0;
	if (ai->kind == JWKS_KIND_HMAC) {
		/* RFC 7518 3.2: a key at least as long as the hash. */
		(void)jwks_key_secret(k, &slen);
		if (slen < ai->hlen)
			return 0;
	}
	return 1;
}

/*
 * Writes the DER INTEGER of the big-endian v[0..len) (not zero) at out.
 * Returns the bytes written, at most len + 3.
 */
static size_t
jwt_der_int(unsigned char *out, const unsigned char *v, size_t len)
{
	size_t	 n = 0;

	while (len > 1 && v[0] == 0) {
		v++;
		len--;
	}
	out[n++] = 0x02;
	out[n++] = (unsigned char)(len + (v[0] & 0x80 ? 1 : 0));
	if (v[0] & 0x80)
		out[n++] = 0x00;
	memcpy(out + n, v, len);
	return n + len;
}

/* 1 when the big-endian v[0..len) is all zero bytes. */
static int
jwt_is_zero(const unsigned char *v, size_t len)
{
	unsigned char	 acc = 0;
	size_t		 i;

	for (i = 0; i < len; i++)
		acc |= v[i];
	return acc == 0;
}

/*
 * Turns a raw R||S ECDSA signature (RFC 7518 3.4) into DER at der, which
 * holds at least 2 * (clen + 3) + 3 bytes.  r and s must each be in
 * 1..n-1 for the curve's order n.  Returns PIE_OK with *derlen set,
 * PIE_ERR_AUTH when the signature cannot be valid, PIE_ERR_NOMEM or
 * PIE_ERR_CRYPTO.
 */
static enum pie_res
jwt_ecdsa_der(const struct jwt_alg_info *ai, const unsigned char *sig,
    size_t siglen, unsigned char *der, size_t *derlen)
{
	unsigned char	 order[66], body[2 * (66 + 3)];
	const unsigned char *r = sig, *s = sig + ai->clen;
	EC_GROUP	*group;
	size_t		 n, blen;

	if (siglen != 2 * ai->clen)
		return PIE_ERR_AUTH;
	if ((group = EC_GROUP_new_by_curve_name(ai->nid)) == NULL)
		return PIE_ERR_CRYPTO;
	n = (size_t)BN_bn2binpad(EC_GROUP_get0_order(group), order,
	    (int)ai->clen);
	EC_GROUP_free(group);
	if (n != ai->clen)
		return PIE_ERR_CRYPTO;

	/* Equal lengths, big-endian: memcmp orders them as numbers. */
	if (jwt_is_zero(r, ai->clen) || jwt_is_zero(s, ai->clen) ||
	    memcmp(r, order, ai->clen) >= 0 || memcmp(s, order, ai->clen) >= 0)
		return PIE_ERR_AUTH;

	blen = jwt_der_int(body, r, ai->clen);
	blen += jwt_der_int(body + blen, s, ai->clen);
	n = 0;
	der[n++] = 0x30;
	if (blen >= 0x80)
		der[n++] = 0x81;
	der[n++] = (unsigned char)blen;
	memcpy(der + n, body, blen);
	*derlen = n + blen;
	return PIE_OK;
}

/*
 * Checks an HMAC tag in constant time.  Returns PIE_OK (*ok set to 1 or
 * 0) or PIE_ERR_CRYPTO.
 */
static enum pie_res
jwt_hmac_check(const struct jwks_key *k, const struct jwt_alg_info *ai,
    const unsigned char *msg, size_t msglen, const unsigned char *sig,
    size_t siglen, int *ok)
{
	unsigned char		 mac[EVP_MAX_MD_SIZE];
	const unsigned char	*secret;
	size_t			 slen, maclen;

	secret = jwks_key_secret(k, &slen);
	if (EVP_Q_mac(NULL, "HMAC", NULL, ai->md, NULL, secret, slen, msg,
	    msglen, mac, sizeof(mac), &maclen) == NULL) {
		ERR_clear_error();
		return PIE_ERR_CRYPTO;
	}
	*ok = siglen == maclen && CRYPTO_memcmp(mac, sig, maclen) == 0;
	OPENSSL_cleanse(mac, sizeof(mac));
	return PIE_OK;
}

/*
 * Checks sig over msg with public key k under alg.  Returns PIE_OK with
 * *ok set to 1 (valid) or 0 (not), or PIE_ERR_NOMEM / PIE_ERR_CRYPTO
 * when OpenSSL could not even try.
 */
static enum pie_res
jwt_sig_check(const struct jwks_key *k, enum jwt_alg alg,
    const unsigned char *msg, size_t msglen, const unsigned char *sig,
    size_t siglen, int *ok)
{
	const struct jwt_alg_info	*ai = &jwt_algs[alg];
	unsigned char			 der[2 * (66 + 3) + 3];
	EVP_MD_CTX			*md = NULL;
	EVP_PKEY_CTX			*pctx = NULL;
	EVP_PKEY			*pkey = jwks_key_pkey(k);
	size_t				 derlen;
	enum pie_res			 res;

	*ok = 0;
	if (ai->kind == JWKS_KIND_HMAC)
		return jwt_hmac_check(k, ai, msg, msglen, sig, siglen, ok);

	/* Exact lengths: a longer or shorter signature is never valid. */
	if (ai->clen != 0) {
		res = jwt_ecdsa_der(ai, sig, siglen, der, &derlen);
		if (res == PIE_ERR_AUTH)
			return PIE_OK;
		if (res != PIE_OK)
			return res;
		sig = der;
		siglen = derlen;
	} else if (ai->kind == JWKS_KIND_ED25519 ? siglen != 64 :
	    siglen != (size_t)EVP_PKEY_get_size(pkey))
		return PIE_OK;

	res = PIE_ERR_NOMEM;
	if ((md = EVP_MD_CTX_new()) == NULL)
		goto out;
	res = PIE_ERR_CRYPTO;
	if (EVP_DigestVerifyInit_ex(md, &pctx, ai->md, NULL, NULL, pkey,
	    NULL) <= 0)
		goto out;
	if (ai->pss && (EVP_PKEY_CTX_set_rsa_padding(pctx,
	    RSA_PKCS1_PSS_PADDING) <= 0 ||
	    EVP_PKEY_CTX_set_rsa_pss_saltlen(pctx,
	    RSA_PSS_SALTLEN_DIGEST) <= 0 ||
	    EVP_PKEY_CTX_set_rsa_mgf1_md_name(pctx, ai->md, NULL) <= 0))
		goto out;

	/* Anything but 1 is a refusal, whatever OpenSSL's reason. */
	*ok = EVP_DigestVerify(md, sig, siglen, msg, msglen) == 1;
	res = PIE_OK;
out:
	ERR_clear_error();
	EVP_MD_CTX_free(md);
	return res;
}

/*
 * Finds the keys that may verify the token and tries them.  Returns
 * PIE_OK when one verified, PIE_ERR_AUTH with *code, or another error.
 */
static enum pie_res
jwt_verify_with_keys(const struct jwks *keys, enum jwt_alg alg,
    const char *kid, const unsigned char *msg, size_t msglen,
    const unsigned char *sig, size_t siglen, const char **code)
{
	const struct jwks_key	*k, *only = NULL;
	const char		*kkid;
	size_t			 i, nfit = 0;
	enum pie_res		 res;
	int			 ok;

	for (i = 0; i < jwks_count(keys); i++) {
		k = jwks_get(keys, i);
		if (!jwt_key_fits(k, alg))
			continue;
		kkid = jwks_key_kid(k);
		if (kid != NULL && (kkid == NULL || strcmp(kid, kkid) != 0))
			continue;

		/* Without a kid the key must be the only candidate. */
		if (kid == NULL) {
			only = k;
			nfit++;
			continue;
		}
		nfit++;
		res = jwt_sig_check(k, alg, msg, msglen, sig, siglen, &ok);
		if (res != PIE_OK || ok)
			return res;
	}

	if (nfit == 0 || (kid == NULL && nfit > 1)) {
		*code = JWT_CODE_KEY;
		return PIE_ERR_AUTH;
	}
	if (kid == NULL) {
		res = jwt_sig_check(only, alg, msg, msglen, sig, siglen, &ok);
		if (res != PIE_OK || ok)
			return res;
	}
	*code = JWT_CODE_SIGNATURE;
	return PIE_ERR_AUTH;
}

/*
 * Splits token into its three segments.  Returns 0 and sets the
 * offsets, or -1 when it is not "a.b.c" within the size limits.
 */
static int
jwt_split(const char *token, size_t len, size_t *dot1, size_t *dot2)
{
	const char	*p, *q;

	if (len == 0 || len > JWT_TOKEN_MAX)
		return -1;
	if ((p = memchr(token, '.', len)) == NULL)
		return -1;
	*dot1 = (size_t)(p - token);
	q = memchr(p + 1, '.', len - *dot1 - 1);
	if (q == NULL || memchr(q + 1, '.', len - (size_t)(q - token) - 1))
		return -1;
	*dot2 = (size_t)(q - token);
	if (*dot1 == 0 || *dot2 == *dot1 + 1 ||
	    *dot1 > b64url_encoded_len(JWT_HEADER_MAX))
		return -1;
	return 0;
}

enum pie_res
jwt_verify_jws(const struct jwks *keys, unsigned algs, const char *token,
    size_t len, struct jwt **out, const char **code)
{
	struct jwt	*t;
	unsigned char	*hdr = NULL, *sig = NULL;
	size_t		 dot1, dot2, hdrlen, siglen;
	json_object	*v;
	const char	*kid = NULL;
	enum pie_res	 res;

	*code = JWT_CODE_MALFORMED;
	if (jwt_split(token, len, &dot1, &dot2) < 0)
		return PIE_ERR_AUTH;
	if ((t = calloc(1, sizeof(*t))) == NULL)
		return PIE_ERR_NOMEM;

	/* Every segment must decode before anything else is looked at. */
	if ((res = b64url_decode(token, dot1, &hdr, &hdrlen)) != PIE_OK ||
	    (res = b64url_decode(token + dot1 + 1, dot2 - dot1 - 1,
	    &t->payload, &t->payloadlen)) != PIE_OK ||
	    (res = b64url_decode(token + dot2 + 1, len - dot2 - 1, &sig,
	    &siglen)) != PIE_OK)
		goto fail;
	if ((res = jwt_parse_object(hdr, hdrlen, &t->header)) != PIE_OK)
		goto fail;

	if ((*code = jwt_check_header(t->header, algs, &t->alg)) != NULL) {
		res = PIE_ERR_AUTH;
		goto out;
	}
	if (json_object_object_get_ex(t->header, "kid", &v))
		kid = json_object_get_string(v);

	/* The signing input is the received text up to the second dot. */
	res = jwt_verify_with_keys(keys, t->alg, kid,
	    (const unsigned char *)token, dot2, sig, siglen, code);
	if (res == PIE_OK) {
		*out = t;
		t = NULL;
	}
	goto out;
fail:
	if (res == PIE_ERR_INVALID || res == PIE_ERR_TOO_BIG)
		res = PIE_ERR_AUTH;
out:
	if (res != PIE_ERR_AUTH)
		*code = NULL;
	jwt_free(t);
	free(hdr);
	free(sig);
	return res;
}

/*
 * Reads a NumericDate claim into *out, rounding a fraction towards the
 * stricter side (down for exp, up for nbf and iat) and clamping to
 * +-2^62 so later arithmetic cannot overflow.  Returns 1 when present
 * and numeric, 0 when absent, -1 when present and not a number.
 */
static int
jwt_numeric_date(json_object *claims, const char *name, int up,
    long long *out)
{
	const long long	 lim = 1LL << 62;
	json_object	*v;
	double		 d;

	if (!json_object_object_get_ex(claims, name, &v))
		return 0;
	if (json_object_is_type(v, json_type_int)) {
		*out = (long long)json_object_get_int64(v);
	} else if (json_object_is_type(v, json_type_double)) {
		d = json_object_get_double(v);
		if (!isfinite(d))
			return -1;
		if (d > (double)lim)
			*out = lim;
		else if (d < -(double)lim)
			*out = -lim;
		else {
			/* The cast truncates towards zero; round as asked. */
			*out = (long long)d;
			if (up && (double)*out < d)
				(*out)++;
			if (!up && (double)*out > d)
				(*out)--;
		}
	} else
		return -1;
	if (*out > lim)
		*out = lim;
	if (*out < -lim)
		*out = -lim;
	return 1;
}

/* 1 when aud (present; NULL for a JSON null) is a string, or an array
 * of only strings. */
static int
jwt_aud_well_formed(json_object *aud)
{
	size_t	 i, n;

	if (json_object_is_type(aud, json_type_string))
		return 1;
	if (!json_object_is_type(aud, json_type_array))
		return 0;
	n = json_object_array_length(aud);
	for (i = 0; i < n; i++)
		if (!json_object_is_type(json_object_array_get_idx(aud, i),
		    json_type_string))
			return 0;
	return 1;
}

/* 1 when aud (well formed) is or contains want. */
static int
jwt_aud_has(json_object *aud, const char *want)
{
	size_t	 i, n;

	if (aud == NULL)
		return 0;
	if (json_object_is_type(aud, json_type_string))
		return strcmp(json_object_get_string(aud), want) == 0;
	n = json_object_array_length(aud);
	for (i = 0; i < n; i++)
		if (strcmp(json_object_get_string(
		    json_object_array_get_idx(aud, i)), want) == 0)
			return 1;
	return 0;
}

const char *
jwt_times_check(const struct jwt_times *tm, time_t now, long leeway)
{
	long long	 n = (long long)now;

	if (n - leeway >= tm->exp)
		return JWT_CODE_EXPIRED;
	if (tm->has_nbf && tm->nbf > n + leeway)
		return JWT_CODE_NOT_YET;
	if (tm->has_iat && tm->iat > n + leeway)
		return JWT_CODE_NOT_YET;
	return NULL;
}

/*
 * Reads and type-checks the claims of a parsed payload into t->times.
 * Returns NULL or JWT_CODE_MALFORMED.
 */
static const char *
jwt_read_claims(struct jwt *t)
{
	json_object	*c = t->claims, *v, *aud = NULL;
	int		 r;

	if (jwt_numeric_date(c, "exp", 0, &t->times.exp) != 1)
		return JWT_CODE_MALFORMED;
	if ((r = jwt_numeric_date(c, "nbf", 1, &t->times.nbf)) < 0)
		return JWT_CODE_MALFORMED;
	t->times.has_nbf = r;
	if ((r = jwt_numeric_date(c, "iat", 1, &t->times.iat)) < 0)
		return JWT_CODE_MALFORMED;
	t->times.has_iat = r;

	if (json_object_object_get_ex(c, "iss", &v) &&
	    !json_object_is_type(v, json_type_string))
		return JWT_CODE_MALFORMED;
	if (json_object_object_get_ex(c, "sub", &v) &&
	    !json_object_is_type(v, json_type_string))
		return JWT_CODE_MALFORMED;
	if (json_object_object_get_ex(c, "aud", &aud) &&
	    !jwt_aud_well_formed(aud))
		return JWT_CODE_MALFORMED;
	return NULL;
}

enum pie_res
jwt_check_claims(struct jwt *t, const struct jwt_policy *policy,
    time_t now, const char **code)
{
	json_object	*v = NULL;
	enum pie_res	 res;

	*code = NULL;
	if (t->claims == NULL) {
		res = jwt_parse_object(t->payload, t->payloadlen, &t->claims);
		if (res == PIE_ERR_NOMEM)
			return res;
		if (res != PIE_OK) {
			*code = JWT_CODE_MALFORMED;
			return PIE_ERR_AUTH;
		}
	}

	if ((*code = jwt_read_claims(t)) != NULL ||
	    (*code = jwt_times_check(&t->times, now, policy->leeway)) != NULL)
		return PIE_ERR_AUTH;

	if (policy->issuer != NULL &&
	    (!json_object_object_get_ex(t->claims, "iss", &v) ||
	    strcmp(json_object_get_string(v), policy->issuer) != 0)) {
		*code = JWT_CODE_ISSUER;
		return PIE_ERR_AUTH;
	}
	v = NULL;
	json_object_object_get_ex(t->claims, "aud", &v);
	if (policy->audience != NULL && !jwt_aud_has(v, policy->audience)) {
		*code = JWT_CODE_AUDIENCE;
		return PIE_ERR_AUTH;
	}
	return PIE_OK;
}

enum pie_res
jwt_decode(const struct jwks *keys, const struct jwt_policy *policy,
    const char *token, size_t len, time_t now, struct jwt **out,
    const char **code)
{
	struct jwt	*t;
	enum pie_res	 res;

	res = jwt_verify_jws(keys, policy->algs, token, len, &t, code);
	if (res != PIE_OK)
		return res;
	if ((res = jwt_check_claims(t, policy, now, code)) != PIE_OK) {
		jwt_free(t);
		return res;
	}
	*out = t;
	return PIE_OK;
}

enum jwt_alg
jwt_get_alg(const struct jwt *t)
{
	return t->alg;
}

json_object *
jwt_header(const struct jwt *t)
{
	return t->header;
}

json_object *
jwt_claims(const struct jwt *t)
{
	return t->claims;
}

const struct jwt_times *
jwt_get_times(const struct jwt *t)
{
	return &t->times;
}

const unsigned char *
jwt_payload(const struct jwt *t, size_t *len)
{
	*len = t->payloadlen;
	return t->payload;
}
