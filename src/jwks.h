/*
 * jwks.h: the set of keys that may sign a token.
 *
 * Keys come from a JWKS file (RFC 7517: RSA, EC P-256/384/521, OKP
 * Ed25519, and "oct" keys used as HMAC secrets), from PEM public key
 * files, and from a file holding an HMAC secret.  A set only ever grows
 * while it is being loaded and is read-only afterwards; it owns its keys.
 *
 * Key ids: a JWKS key keeps its "kid" (or none).  A PEM or secret file
 * gets the file's name without directory and last extension as its kid,
 * so "/etc/pie/keys/2026-01.pem" verifies tokens with "kid":"2026-01" and
 * tokens with no kid (when it is the only key that fits).
 */
#ifndef PIE_JWKS_H
#define PIE_JWKS_H

#include <stddef.h>

#include <openssl/evp.h>

#include "result.h"

/* What a key can verify; a token's alg needs exactly one of these. */
enum jwks_kind {
	JWKS_KIND_RSA,
	JWKS_KIND_P256,
	JWKS_KIND_P384,
	JWKS_KIND_P521,
	JWKS_KIND_ED25519,
	JWKS_KIND_HMAC
};

/* The size limits of the files read here. */
#define JWKS_FILE_MAX		(1024 * 1024)
#define JWKS_SECRET_MIN         32      /* bytes: RFC 7518 3.2 for HS256 */
#define JWKS_RSA_BITS_MIN	2048	/* RFC 7518 3.3 */

struct jwks;
struct jwks_key;

/*
 * Writes a formatted one-line reason into err (nothing when err is NULL
 * or errlen 0).  The loaders report through it, and so does auth.c,
 * which loads the sets.
 */
void		 jwks_err(char *err, size_t errlen, const char *fmt, ...)
		    __attribute__((format(printf, 3, 4)));

/* Returns PIE_OK with a new empty set in *out (free with jwks_free). */
enum pie_res	 jwks_new(struct jwks **out);
void		 jwks_free(struct jwks *);

/*
 * Each loader adds keys to the set.  On failure it returns PIE_ERR_IO
 * (unreadable file), PIE_ERR_INVALID (a bad key: err names the file and
 * the key's index and kid), PIE_ERR_TOO_BIG, PIE_ERR_NOMEM or
 * PIE_ERR_CRYPTO, writes a one-line reason into err, and leaves the set
 * holding whatever was added before the bad key: a caller that fails
 * frees the set.  Keys whose "use" is not "sig", or whose kty, crv or alg
 * pie does not know, are skipped with a warning, not an error.
 */
enum pie_res	 jwks_load_file(struct jwks *, const char *path, char *err,
		    size_t errlen);
/* The same, from JSON in memory; name is used in messages. */
enum pie_res	 jwks_load_json(struct jwks *, const char *json, size_t len,
		    const char *name, char *err, size_t errlen);
enum pie_res	 jwks_load_pem(struct jwks *, const char *path, char *err,
		    size_t errlen);
/* The whole file is the secret, less one trailing "\n" or "\r\n". */
enum pie_res	 jwks_load_secret_file(struct jwks *, const char *path,
		    char *err, size_t errlen);
/* Adds an HMAC secret (copied); kid may be NULL. */
enum pie_res	 jwks_add_secret(struct jwks *, const unsigned char *secret,
		    size_t len, const char *kid, char *err, size_t errlen);

/* Keys are numbered 0..jwks_count()-1; the pointers live as the set. */
size_t		 jwks_count(const struct jwks *);
const struct jwks_key *jwks_get(const struct jwks *, size_t i);
/* 1 when the set holds at least one HMAC secret. */
int		 jwks_has_secret(const struct jwks *);

/* The kid, or NULL when the key has none. */
const char	*jwks_key_kid(const struct jwks_key *);
/* The JWK "alg" the key is restricted to, or NULL for any that fits. */
const char	*jwks_key_alg(const struct jwks_key *);
enum jwks_kind	 jwks_key_kind(const struct jwks_key *);
/* The public key, or NULL for an HMAC secret.  Borrowed. */
EVP_PKEY	*jwks_key_pkey(const struct jwks_key *);
/* The secret of an HMAC key (NULL otherwise), its length in *len. */
const unsigned char *jwks_key_secret(const struct jwks_key *, size_t *len);

#endif /* PIE_JWKS_H */
