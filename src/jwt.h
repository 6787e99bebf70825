/*
 * jwt.h: compact JWS parsing and verification, and JWT claim checks.
 *
 * jwt_decode is what authentication calls: it verifies the signature over
 * the exact bytes received, then parses the claims and checks exp, nbf,
 * iat, iss and aud.  jwt_verify_jws stops after the signature, for
 * payloads that are not JWT claims (RFC test vectors) and for callers
 * that check claims themselves.
 *
 * Failures a client caused are PIE_ERR_AUTH with *code set to one of the
 * JWT_CODE_* strings below, which are the "code" of the 401 answer.
 * PIE_ERR_NOMEM and PIE_ERR_CRYPTO are this process's own failures (503).
 */
#ifndef PIE_JWT_H
#define PIE_JWT_H

#include <stddef.h>
#include <time.h>

#include <json-c/json.h>

#include "jwks.h"
#include "result.h"

#define JWT_CODE_MALFORMED	"malformed_token"
#define JWT_CODE_ALG		"unsupported_algorithm"
#define JWT_CODE_KEY		"unknown_key"
#define JWT_CODE_SIGNATURE	"invalid_signature"
#define JWT_CODE_EXPIRED	"token_expired"
#define JWT_CODE_NOT_YET	"token_not_yet_valid"
#define JWT_CODE_ISSUER		"invalid_issuer"
#define JWT_CODE_AUDIENCE	"invalid_audience"

#define JWT_TOKEN_MAX	8192	/* bytes of a whole compact token */
#define JWT_HEADER_MAX	2048	/* bytes of the decoded header */

enum jwt_alg {
	JWT_RS256, JWT_RS384, JWT_RS512,
	JWT_PS256, JWT_PS384, JWT_PS512,
	JWT_ES256, JWT_ES384, JWT_ES512,
	JWT_EDDSA,
	JWT_HS256, JWT_HS384, JWT_HS512,
	JWT_ALG_COUNT
};

/* Bit masks of enum jwt_alg values, for jwt_policy.algs. */
#define JWT_ALG_BIT(a)		(1u << (a))
#define JWT_ALGS_HMAC		(JWT_ALG_BIT(JWT_HS256) | \
	JWT_ALG_BIT(JWT_HS384) | JWT_ALG_BIT(JWT_HS512))
#define JWT_ALGS_ASYMMETRIC	(JWT_ALG_BIT(JWT_HS256) - 1)

/* The alg named (case-sensitive, as in JOSE), or -1 ("none" is -1). */
int		 jwt_alg_parse(const char *);
/* The JOSE name of an alg.  Never NULL for a valid alg. */
const char	*jwt_alg_name(enum jwt_alg);

struct jwt_policy {
	unsigned         algs;          /* JWT_ALG_BIT mask of allowed algs */
	const char	*issuer;	/* NULL: iss not checked */
	const char	*audience;	/* NULL: aud not checked */
	long		 leeway;	/* seconds of clock skew allowed */
};

/* The time claims of a token; has_nbf and has_iat say which were given. */
struct jwt_times {
	long long	 exp;
	long long	 nbf;
	long long	 iat;
	int		 has_nbf;
	int		 has_iat;
};

struct jwt;

/*
 * Parses token[0..len) and verifies its signature with a key of keys
 * allowed by algs.  On PIE_OK *out holds the header and the raw payload
 * (free with jwt_free); no claim has been looked at.  Otherwise *out is
 * untouched and, for PIE_ERR_AUTH, *code says why.
 */
enum pie_res	 jwt_verify_jws(const struct jwks *keys, unsigned algs,
		    const char *token, size_t len, struct jwt **out,
		    const char **code);

/*
 * jwt_verify_jws, then the payload must be a JSON object of claims that
 * passes jwt_check_claims at time now.  On PIE_OK *out is the token
 * (free with jwt_free); otherwise as jwt_verify_jws.
 */
enum pie_res	 jwt_decode(const struct jwks *keys,
		    const struct jwt_policy *policy, const char *token,
		    size_t len, time_t now, struct jwt **out,
		    const char **code);

/*
 * Checks the claims of a verified token: exp (required), nbf, iat, and
 * iss and aud when the policy names them; iss and sub must be strings
 * and aud a string or an array of strings when present.  Parses the
 * payload first when jwt_verify_jws left it raw.  Returns PIE_OK,
 * PIE_ERR_AUTH with *code set, or PIE_ERR_NOMEM.
 */
enum pie_res	 jwt_check_claims(struct jwt *, const struct jwt_policy *,
		    time_t now, const char **code);

/* NULL when the times pass at now with leeway, else the JWT_CODE_*. */
const char	*jwt_times_check(const struct jwt_times *, time_t now,
		    long leeway);

/* Accessors; the results are borrowed from the token. */
enum jwt_alg	 jwt_get_alg(const struct jwt *);
json_object	*jwt_header(const struct jwt *);
/* The claims object, or NULL before jwt_check_claims succeeded. */
json_object	*jwt_claims(const struct jwt *);
const struct jwt_times *jwt_get_times(const struct jwt *);
const unsigned char *jwt_payload(const struct jwt *, size_t *len);

void		 jwt_free(struct jwt *);

#endif /* PIE_JWT_H */
