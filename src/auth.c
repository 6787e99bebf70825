/*
 * auth.c: turns an Authorization header into a principal.
 *
 * jwt.c decides whether a token is genuine and current; this file owns
 * the configuration (which keys, which algorithms), what pie reads from
 * the claims (sub, scopes, clients), and a small cache of tokens already
 * verified.  The cache is direct-mapped by the SHA-256 of the whole
 * token: a slot holds one token and a newer token that maps to the same
 * slot replaces it.  A hit re-applies the time checks, so the cache
 * never accepts what a full check would refuse; the policy checks (iss,
 * aud, keys) do not depend on time and a reload builds a new context
 * with an empty cache.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <openssl/evp.h>

#include "auth.h"
#include "jwks.h"
#include "jwt.h"

#define AUTH_DIGEST_LEN	32

struct auth_principal {
	unsigned	 refs;		/* the cache may hold one */
	char		*sub;
	unsigned	 scopes;
	int		 all_clients;
	char		**clients;
	size_t		 nclients;
};

struct auth_cache_entry {
	unsigned char		 digest[AUTH_DIGEST_LEN];
	struct jwt_times	 times;
	struct auth_principal	*p;	/* NULL: the slot is empty */
};

struct auth_ctx {
	struct jwks		*keys;
	struct jwt_policy	 policy;
	char			*issuer;
	char			*audience;
	char			*clients_claim;
	EVP_MD			*sha256;
	struct auth_cache_entry	*cache;
	size_t			 cache_size;
};

static const struct {
	const char	*name;
	unsigned	 bit;
} auth_scopes[] = {
	{ "assignments:read", AUTH_ASSIGNMENTS_READ },
	{ "assignments:write", AUTH_ASSIGNMENTS_WRITE },
	{ "services:read", AUTH_SERVICES_READ },
	{ "services:write", AUTH_SERVICES_WRITE },
	{ "registry:read", AUTH_REGISTRY_READ },
	{ "registry:write", AUTH_REGISTRY_WRITE },
	{ "jobs:read", AUTH_JOBS_READ },
	{ "jobs:write", AUTH_JOBS_WRITE },
	{ "tenants:admin", AUTH_TENANTS_ADMIN },
};

#define AUTH_CODE_MISSING	"missing_token"

const char *
auth_scope_name(unsigned scope)
{
	size_t	 i;

	for (i = 0; i < sizeof(auth_scopes) / sizeof(auth_scopes[0]); i++)
		if (auth_scopes[i].bit == scope)
			return auth_scopes[i].name;
	return NULL;
}

/* The bit of the scope word w[0..len), or 0 for a word pie ignores. */
static unsigned
auth_scope_bit(const char *w, size_t len)
{
	size_t	 i;

	for (i = 0; i < sizeof(auth_scopes) / sizeof(auth_scopes[0]); i++)
		if (strlen(auth_scopes[i].name) == len &&
		    memcmp(auth_scopes[i].name, w, len) == 0)
			return auth_scopes[i].bit;
	return 0;
}

/*
 * Calls fn on each space- or tab-separated word of s.  Stops at and
 * returns the first non-zero result of fn.
 */
static int
auth_words(const char *s, int (*fn)(const char *, size_t, void *), void *arg)
{
	size_t	 len;
	int	 r;

	for (;;) {
		s += strspn(s, " \t");
		if (*s == '\0')
			return 0;
		len = strcspn(s, " \t");
		if ((r = fn(s, len, arg)) != 0)
			return r;
		s += len;
	}
}

/* auth_words callback: adds a scope word's bit to *(unsigned *)arg. */
static int
auth_scope_word(const char *w, size_t len, void *arg)
{
	*(unsigned *)arg |= auth_scope_bit(w, len);
	return 0;
}

/* What auth_load passes to auth_load_word while reading word lists. */
struct auth_loading {
	struct auth_ctx	*ctx;
	char		*err;
	size_t		 errlen;
	enum pie_res	 res;
	unsigned	 algs;
};

/* auth_words callback: loads one PEM public key path. */
static int
auth_pem_word(const char *w, size_t len, void *arg)
{
	struct auth_loading	*l = arg;
	char			*path;

	if ((path = strndup(w, len)) == NULL) {
		l->res = PIE_ERR_NOMEM;
		jwks_err(l->err, l->errlen, "out of memory");
		return 1;
	}
	l->res = jwks_load_pem(l->ctx->keys, path, l->err, l->errlen);
	free(path);
	return l->res != PIE_OK;
}

/* auth_words callback: adds one algorithm name to l->algs. */
static int
auth_alg_word(const char *w, size_t len, void *arg)
{
	struct auth_loading	*l = arg;
	char			 name[16];
	int			 a;

	if (len >= sizeof(name))
		a = -1;
	else {
		memcpy(name, w, len);
		name[len] = '\0';
		a = jwt_alg_parse(name);
	}
	if (a < 0) {
		l->res = PIE_ERR_INVALID;
		jwks_err(l->err, l->errlen, "algorithms: \"%.*s\" is not a "
		    "supported signature algorithm", (int)(len > 32 ? 32 : len),
		    w);
		return 1;
	}
	l->algs |= JWT_ALG_BIT(a);
	return 0;
}

/* Loads every configured key source into ctx->keys.  As auth_load. */
static enum pie_res
auth_load_keys(struct auth_ctx *ctx, const struct auth_settings *s,
    char *err, size_t errlen)
{
	struct auth_loading	 l = { ctx, err, errlen, PIE_OK, 0 };
	enum pie_res		 res;

	if ((res = jwks_new(&ctx->keys)) != PIE_OK) {
		jwks_err(err, errlen, "out of memory");
		return res;
	}
	if (s->jwks_file != NULL && (res = jwks_load_file(ctx->keys,
	    s->jwks_file, err, errlen)) != PIE_OK)
		return res;
	if (s->public_keys != NULL &&
	    auth_words(s->public_keys, auth_pem_word, &l) != 0)
		return l.res;
	if (s->hmac_secret_file != NULL && (res = jwks_load_secret_file(
	    ctx->keys, s->hmac_secret_file, err, errlen)) != PIE_OK)
		return res;
	if (jwks_count(ctx->keys) == 0) {
		jwks_err(err, errlen, "no usable verification key is "
		    "configured (jwks file, public keys or HMAC secret)");
		return PIE_ERR_INVALID;
	}
	return PIE_OK;
}

/* Sets ctx->policy.algs from the settings.  As auth_load. */
static enum pie_res
auth_load_algs(struct auth_ctx *ctx, const struct auth_settings *s,
    char *err, size_t errlen)
{
	struct auth_loading	 l = { ctx, err, errlen, PIE_OK, 0 };
	int			 secret = jwks_has_secret(ctx->keys);

	if (s->algorithms == NULL) {
		ctx->policy.algs = JWT_ALGS_ASYMMETRIC |
		    (secret ? JWT_ALGS_HMAC : 0);
		return PIE_OK;
	}
	if (auth_words(s->algorithms, auth_alg_word, &l) != 0)
		return l.res;
	if (l.algs == 0) {
		jwks_err(err, errlen, "algorithms: the list is empty");
		return PIE_ERR_INVALID;
	}
	if ((l.algs & JWT_ALGS_HMAC) && !secret) {
		jwks_err(err, errlen, "algorithms: HS256/HS384/HS512 need an "
		    "HMAC secret (a secret file or an oct key)");
		return PIE_ERR_INVALID;
	}
	ctx->policy.algs = l.algs;
	return PIE_OK;
}

/* strdup of an optional string into *out.  Returns 0, or -1 (NOMEM). */
static int
auth_dup(const char *s, char **out)
{
	*out = NULL;
	if (s != NULL && (*out = strdup(s)) == NULL)
		return -1;
	return 0;
}

enum pie_res
auth_load(const struct auth_settings *s, struct auth_ctx **out, char *err,
    size_t errlen)
{
	struct auth_ctx	*ctx;
	enum pie_res	 res;

	if (s->leeway < 0 || s->cache_size > AUTH_CACHE_MAX) {
		jwks_err(err, errlen, s->leeway < 0 ? "leeway is negative" :
		    "the token cache is larger than %u entries",
		    AUTH_CACHE_MAX);
		return PIE_ERR_INVALID;
	}
	if ((ctx = calloc(1, sizeof(*ctx))) == NULL) {
		jwks_err(err, errlen, "out of memory");
		return PIE_ERR_NOMEM;
	}

	if ((res = auth_load_keys(ctx, s, err, errlen)) != PIE_OK ||
	    (res = auth_load_algs(ctx, s, err, errlen)) != PIE_OK)
		goto out;

	res = PIE_ERR_NOMEM;
	if (auth_dup(s->issuer, &ctx->issuer) < 0 ||
	    auth_dup(s->audience, &ctx->audience) < 0 ||
	    auth_dup(s->clients_claim == NULL ? "clients" : s->clients_claim,
	    &ctx->clients_claim) < 0) {
		jwks_err(err, errlen, "out of memory");
		goto out;
	}
	ctx->policy.issuer = ctx->issuer;
	ctx->policy.audience = ctx->audience;
	ctx->policy.leeway = s->leeway;

	if ((ctx->sha256 = EVP_MD_fetch(NULL, "SHA256", NULL)) == NULL) {
		res = PIE_ERR_CRYPTO;
		jwks_err(err, errlen, "OpenSSL has no SHA-256");
		goto out;
	}
	if (s->cache_size > 0 &&
	    (ctx->cache = calloc(s->cache_size, sizeof(*ctx->cache))) == NULL) {
		jwks_err(err, errlen, "out of memory for the token cache");
		goto out;
	}
	ctx->cache_size = s->cache_size;
	*out = ctx;
	ctx = NULL;
	res = PIE_OK;
out:
	auth_free(ctx);
	return res;
}

void
auth_principal_free(struct auth_principal *p)
{
	size_t	 i;

	if (p == NULL || --p->refs > 0)
		return;
	for (i = 0; i < p->nclients; i++)
		free(p->clients[i]);
	free(p->clients);
	free(p->sub);
	free(p);
}

void
auth_free(struct auth_ctx *ctx)
{
	size_t	 i;

	if (ctx == NULL)
		return;
	for (i = 0; i < ctx->cache_size; i++)
		auth_principal_free(ctx->cache[i].p);
	free(ctx->cache);
	EVP_MD_free(ctx->sha256);
	jwks_free(ctx->keys);
	free(ctx->issuer);
	free(ctx->audience);
	free(ctx->clients_claim);
	free(ctx);
}

/*
 * Finds the token in a Bearer header.  Returns its start and sets *len,
 * or NULL when there is no Bearer token.
 */
static const char *
auth_bearer(const char *h, size_t *len)
{
	size_t	 n;

	if (h == NULL)
		return NULL;
	h += strspn(h, " \t");
	if (strncasecmp(h, "Bearer", 6) != 0 || (h[6] != ' ' && h[6] != '\t'))
		return NULL;
	h += 6;
	h += strspn(h, " \t");
	n = strlen(h);
	while (n > 0 && (h[n - 1] == ' ' || h[n - 1] == '\t'))
		n--;
	if (n == 0)
		return NULL;
	*len = n;
	return h;
}

/* 1 when sub is an acceptable caller name. */
static int
auth_sub_ok(const char *sub, size_t len)
{
	size_t	 i;

	if (len == 0 || len > AUTH_SUB_MAX || strlen(sub) != len)
		return 0;
	for (i = 0; i < len; i++)
		if ((unsigned char)sub[i] < 0x20 || sub[i] == 0x7f)
			return 0;
	return 1;
}

/*
 * Looks up claim name of c into *v (NULL when absent).  Returns 0, or -1
 * when the claim is present but null: a claim pie reads has a value of
 * its type or is left out.
 */
static int
auth_claim(json_object *c, const char *name, json_object **v)
{
	*v = NULL;
	if (json_object_object_get_ex(c, name, v) && *v == NULL)
		return -1;
	return 0;
}

/*
 * Adds the scope words of claim v, a string (space-separated) when
 * string_ok, or an array of strings when array_ok.  Returns 0, or -1
 * when v has another type.
 */
static int
auth_scope_claim(json_object *v, int string_ok, int array_ok,
    unsigned *scopes)
{
	json_object	*e;
	size_t		 i, n;

	if (v == NULL)
		return 0;
	if (string_ok && json_object_is_type(v, json_type_string)) {
		auth_words(json_object_get_string(v), auth_scope_word, scopes);
		return 0;
	}
	if (!array_ok || !json_object_is_type(v, json_type_array))
		return -1;
	n = json_object_array_length(v);
	for (i = 0; i < n; i++) {
		e = json_object_array_get_idx(v, i);
		if (!json_object_is_type(e, json_type_string))
			return -1;
		*scopes |= auth_scope_bit(json_object_get_string(e),
		    (size_t)json_object_get_string_len(e));
	}
	return 0;
}

/*
 * Copies the clients claim v (absent, or an array of strings) into p.
 * Returns PIE_OK, PIE_ERR_INVALID (wrong type) or PIE_ERR_NOMEM.
 */
static enum pie_res
auth_clients_claim(json_object *v, struct auth_principal *p)
{
	json_object	*e;
	size_t		 i, n;

	if (v == NULL)
		return PIE_OK;
	if (!json_object_is_type(v, json_type_array))
		return PIE_ERR_INVALID;
	n = json_object_array_length(v);
	if (n > 0 && (p->clients = calloc(n, sizeof(*p->clients))) == NULL)
		return PIE_ERR_NOMEM;
	for (i = 0; i < n; i++) {
		e = json_object_array_get_idx(v, i);
		if (!json_object_is_type(e, json_type_string))
			return PIE_ERR_INVALID;
		if (strcmp(json_object_get_string(e), "*") == 0)
			p->all_clients = 1;
		p->clients[i] = strdup(json_object_get_string(e));
		if (p->clients[i] == NULL)
			return PIE_ERR_NOMEM;
		p->nclients = i + 1;
	}
	return PIE_OK;
}

/*
 * Builds the principal of verified claims c.  Returns PIE_OK with *out
 * set (one reference), PIE_ERR_AUTH with *code, or PIE_ERR_NOMEM.
 */
static enum pie_res
auth_principal_new(const struct auth_ctx *ctx, json_object *c,
    struct auth_principal **out, const char **code)
{
	struct auth_principal	*p;
	json_object             *v = NULL, *scope = NULL, *scp = NULL;
	json_object		*perms = NULL, *clients = NULL;
	enum pie_res		 res;

	if ((p = calloc(1, sizeof(*p))) == NULL)
		return PIE_ERR_NOMEM;
	p->refs = 1;

	/* sub is optional; when present it must name someone. */
	res = PIE_ERR_AUTH;
	*code = JWT_CODE_MALFORMED;
	if (json_object_object_get_ex(c, "sub", &v) &&
	    (!json_object_is_type(v, json_type_string) ||
	    !auth_sub_ok(json_object_get_string(v),
	    (size_t)json_object_get_string_len(v))))
		goto out;

	if (auth_claim(c, "scope", &scope) < 0 ||
	    auth_claim(c, "scp", &scp) < 0 ||
	    auth_claim(c, "permissions", &perms) < 0 ||
	    auth_claim(c, ctx->clients_claim, &clients) < 0)
		goto out;
	if (auth_scope_claim(scope, 1, 0, &p->scopes) < 0 ||
	    auth_scope_claim(scp, 1, 1, &p->scopes) < 0 ||
	    auth_scope_claim(perms, 0, 1, &p->scopes) < 0)
		goto out;

	if ((res = auth_clients_claim(clients, p)) != PIE_OK) {
		if (res == PIE_ERR_INVALID)
			res = PIE_ERR_AUTH;
		goto out;
	}
	if (v != NULL && (p->sub = strdup(json_object_get_string(v))) ==
	    NULL) {
		res = PIE_ERR_NOMEM;
		goto out;
	}
	*code = NULL;
	*out = p;
	p = NULL;
	res = PIE_OK;
out:
	if (res != PIE_ERR_AUTH)
		*code = NULL;
	auth_principal_free(p);
	return res;
}

/* The cache slot of a digest. */
static struct auth_cache_entry *
auth_cache_slot(struct auth_ctx *ctx, const unsigned char *digest)
{
	unsigned long long	 h = 0;
	size_t			 i;

	for (i = 0; i < sizeof(h); i++)
		h = h << 8 | digest[i];
	return &ctx->cache[h % ctx->cache_size];
}

static void
auth_cache_clear(struct auth_cache_entry *e)
{
	auth_principal_free(e->p);
	e->p = NULL;
}

/*
 * Looks the token up in the cache.  Returns 1 on a hit (with *out a new
 * reference, or *code when the cached token's time has run out), or 0 on
 * a miss.
 */
static int
auth_cache_get(struct auth_ctx *ctx, const unsigned char *digest,
    time_t now, struct auth_principal **out, const char **code)
{
	struct auth_cache_entry	*e = auth_cache_slot(ctx, digest);

	if (e->p == NULL || memcmp(e->digest, digest, AUTH_DIGEST_LEN) != 0)
		return 0;
	if ((*code = jwt_times_check(&e->times, now,
	    ctx->policy.leeway)) != NULL) {
		if (strcmp(*code, JWT_CODE_EXPIRED) == 0)
			auth_cache_clear(e);
		return 1;
	}
	e->p->refs++;
	*out = e->p;
	return 1;
}

/* Keeps a reference to p for the token of digest, times tm. */
static void
auth_cache_put(struct auth_ctx *ctx, const unsigned char *digest,
    const struct jwt_times *tm, struct auth_principal *p)
{
	struct auth_cache_entry	*e = auth_cache_slot(ctx, digest);

	auth_cache_clear(e);
	memcpy(e->digest, digest, AUTH_DIGEST_LEN);
	e->times = *tm;
	p->refs++;
	e->p = p;
}

enum pie_res
auth_authenticate(struct auth_ctx *ctx, const char *header, time_t now,
    struct auth_principal **out, const char **code)
{
	unsigned char	 digest[AUTH_DIGEST_LEN];
	const char	*tok;
	struct jwt	*t = NULL;
	size_t		 len;
	enum pie_res	 res;

	*code = NULL;
	if ((tok = auth_bearer(header, &len)) == NULL) {
		*code = AUTH_CODE_MISSING;
		return PIE_ERR_AUTH;
	}

	/* Oversized tokens are refused before any hashing. */
	if (len > JWT_TOKEN_MAX) {
		*code = JWT_CODE_MALFORMED;
		return PIE_ERR_AUTH;
	}
	if (ctx->cache_size > 0) {
		if (EVP_Digest(tok, len, digest, NULL, ctx->sha256,
		    NULL) != 1)
			return PIE_ERR_CRYPTO;
		if (auth_cache_get(ctx, digest, now, out, code))
			return *code == NULL ? PIE_OK : PIE_ERR_AUTH;
	}

	res = jwt_decode(ctx->keys, &ctx->policy, tok, len, now, &t, code);
	if (res != PIE_OK)
		return res;
	res = auth_principal_new(ctx, jwt_claims(t), out, code);
	if (res == PIE_OK && ctx->cache_size > 0)
		auth_cache_put(ctx, digest, jwt_get_times(t), *out);
	jwt_free(t);
	return res;
}

const char *
auth_principal_sub(const struct auth_principal *p)
{
	return p->sub;
}

int
auth_has_scope(const struct auth_principal *p, unsigned mask)
{
	return (p->scopes & mask) != 0;
}

int
auth_may_touch_client(const struct auth_principal *p, const char *client_id)
{
	size_t	 i;

	if (p->all_clients)
		return 1;
	for (i = 0; i < p->nclients; i++)
		if (strcmp(p->clients[i], client_id) == 0)
			return 1;
	return 0;
}
