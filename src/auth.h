/*
 * auth.h: who is calling, and what they may do.
 *
 * A worker builds one struct auth_ctx from the configuration with
 * auth_load (keys, algorithm allow-list, iss/aud policy, and a cache of
 * verified tokens) and passes each request's Authorization header to
 * auth_authenticate, which answers with a principal: its sub, its scopes
 * and the clients it may touch.  On SIGHUP the worker loads a new context
 * and frees the old one only once the new one loaded, so a bad key file
 * leaves the old keys in force.  Principals are independent of the
 * context that made them and may outlive it.  Not thread-safe: one
 * context per single-threaded worker.
 */
#ifndef PIE_AUTH_H
#define PIE_AUTH_H

#include <stddef.h>
#include <time.h>

#include "result.h"

/* Filled by the configuration module; auth_load copies what it keeps. */
struct auth_settings {
	const char	*jwks_file;	/* may be NULL */
	const char      *public_keys;   /* space-separated PEM paths, or NULL */
	const char	*hmac_secret_file; /* may be NULL */
	const char      *algorithms;    /* space-separated allow-list; NULL:
					   every asymmetric alg, plus HS*
					   when a secret is configured */
	const char	*issuer;	/* NULL: iss not checked */
	const char	*audience;	/* NULL: aud not checked */
	int		 leeway;	/* seconds, >= 0 (default 60) */
	const char	*clients_claim;	/* NULL: "clients" */
	size_t           cache_size;    /* verified tokens kept, 0: none */
};

#define AUTH_LEEWAY_DEFAULT	60
#define AUTH_CACHE_MAX		(1u << 20)
#define AUTH_SUB_MAX		255	/* bytes of sub (created_by) */

enum auth_scope {
	AUTH_ASSIGNMENTS_READ	= 1u << 0,
	AUTH_ASSIGNMENTS_WRITE	= 1u << 1,
	AUTH_SERVICES_READ	= 1u << 2,
	AUTH_SERVICES_WRITE	= 1u << 3,
	AUTH_REGISTRY_READ	= 1u << 4,
	AUTH_REGISTRY_WRITE	= 1u << 5,
	AUTH_JOBS_READ		= 1u << 6,
	AUTH_JOBS_WRITE		= 1u << 7,
	AUTH_TENANTS_ADMIN	= 1u << 8
};

/* "Any read scope" (reading clients and domains); tenants:admin too. */
#define AUTH_ANY_READ	(AUTH_ASSIGNMENTS_READ | AUTH_SERVICES_READ | \
	AUTH_REGISTRY_READ | AUTH_JOBS_READ | AUTH_TENANTS_ADMIN)

struct auth_ctx;
struct auth_principal;

/*
 * Loads keys and policy.  Returns PIE_OK with *out set (free with
 * auth_free), or an error with a one-line reason in err naming the file
 * and key at fault: PIE_ERR_INVALID (bad setting or key), PIE_ERR_IO,
 * PIE_ERR_TOO_BIG, PIE_ERR_NOMEM or PIE_ERR_CRYPTO.  No keys at all, an
 * unknown algorithm name, "none", or an HS* algorithm without a secret
 * are errors.
 */
enum pie_res	 auth_load(const struct auth_settings *,
		    struct auth_ctx **out, char *err, size_t errlen);
void		 auth_free(struct auth_ctx *);

/*
 * Authenticates the value of an Authorization header (NULL when the
 * request had none) at time now.  Returns:
 *   PIE_OK: *out is the caller (free with auth_principal_free);
 *   PIE_ERR_AUTH: *code is the 401 code: "missing_token" (no header, a
 *     scheme other than Bearer, or an empty token), "malformed_token",
 *     "unsupported_algorithm", "unknown_key", "invalid_signature",
 *     "token_expired", "token_not_yet_valid", "invalid_issuer" or
 *     "invalid_audience";
 *   PIE_ERR_NOMEM or PIE_ERR_CRYPTO: this process failed (a 503).
 * A token may leave sub out; a sub it carries must be a non-empty string
 * of at most AUTH_SUB_MAX bytes without control characters
 * ("malformed_token" otherwise).  scope, scp, permissions and the
 * clients claim of the wrong JSON type are "malformed_token" too.
 * Unknown scope words are ignored.
 */
enum pie_res	 auth_authenticate(struct auth_ctx *, const char *header,
		    time_t now, struct auth_principal **out,
		    const char **code);

/*
 * The token's sub, or NULL when the token has none (created_by is then
 * null).  Borrowed from the principal.
 */
const char	*auth_principal_sub(const struct auth_principal *);
/* 1 when the principal holds any scope of mask. */
int              auth_has_scope(const struct auth_principal *, unsigned mask);
/* 1 when the clients claim lists client_id, or is ["*"]. */
int		 auth_may_touch_client(const struct auth_principal *,
		    const char *client_id);
/* The name of one scope bit ("assignments:write"), NULL if not one. */
const char	*auth_scope_name(unsigned scope);
void		 auth_principal_free(struct auth_principal *);

#endif /* PIE_AUTH_H */
