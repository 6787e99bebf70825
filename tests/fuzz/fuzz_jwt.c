/*
 * fuzz_jwt.c: a libFuzzer target for the token path.
 *
 * Each input is tried three ways: as a whole token for jwt_decode (the
 * parser and every verifier up to the signature check); as a header and
 * payload that this target signs with the HMAC key it configured, so
 * that fuzzed claims get past the signature and through jwt_check_claims
 * and auth_authenticate (scopes, clients, sub, the cache); and as a JWKS
 * document for jwks_load_json.  Build and run: see README.md beside it.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <openssl/evp.h>

#include "auth.h"
#include "b64url.h"
#include "jwks.h"
#include "jwt.h"
#include "log.h"

#define FUZZ_NOW	1767225600

/* Public keys of RFC 7515 A.2/A.3/A.4 and RFC 8037, and A.1's secret. */
static const char fuzz_jwks[] =
    "{\"keys\":["
    "{\"kty\":\"oct\",\"kid\":\"h\",\"k\":\"AyM1SysPpbyDfgZld3umj1qzKObw"
    "VMkoqQ-EstJQLr_T-1qS0gZH75aKtMN3Yj0iPS4hcgUuTwjAzZr1Z9CAow\"},"
    "{\"kty\":\"RSA\",\"kid\":\"r\",\"e\":\"AQAB\",\"n\":\"ofgWCuLjybRlzo0t"
    "ZWJjNiuSfb4p4fAkd_wWJcyQoTbji9k0l8W26mPddxHmfHQp-Vaw-4qPCJrcS2mJPMEz"
    "P1Pt0Bm4d4QlL-yRT-SFd2lZS-pCgNMsD1W_YpRPEwOWvG6b32690r2jZ47soMZo9wGz"
    "jb_7OMg0LOL-bSf63kpaSHSXndS5z5rexMdbBYUsLA9e-KXBdQOS-UTo7WTBEMa2R2Ca"
    "pHg665xsmtdVMTBQY4uDZlxvb3qCo5ZwKh9kG4LT6_I5IhlJH7aGhyxXFvUK-DWNmoud"
    "F8NAco9_h9iaGNj8q2ethFkMLs91kzk2PAcDTW9gb54h4FRWyuXpoQ\"},"
    "{\"kty\":\"EC\",\"kid\":\"e\",\"crv\":\"P-256\",\"x\":\"f83OJ3D2xF1Bg8"
    "vub9tLe1gHMzV76e8Tus9uPHvRVEU\",\"y\":\"x_FEzRu9m36HLN_tue659LNpXW6p"
    "CyStikYjKIWI5a0\"},"
    "{\"kty\":\"EC\",\"kid\":\"e5\",\"crv\":\"P-521\",\"x\":\"AekpBQ8ST8a8V"
    "cfVOTNl353vSrDCLLJXmPk06wTjxrrjcBpXp5EOnYG_NjFZ6OvLFV1jSfS9tsz4qUxcW"
    "ceqwQGk\",\"y\":\"ADSmRA43Z1DSNx_RvcLI87cdL07l6jQyyBXMoxVg_l2Th-x3S1WD"
    "hjDly79ajL4Kkd0AZMaZmh9ubmf63e3kyMj2\"},"
    "{\"kty\":\"OKP\",\"kid\":\"d\",\"crv\":\"Ed25519\",\"x\":\"11qYAYKxCr"
    "fVS_7TyWQHOg7hcvPapiMlrwIaaPcHURo\"}]}";

static struct jwks	*fuzz_keys;
static struct auth_ctx	*fuzz_auth;

/* Loads the keys once, and an auth context from the same text. */
static void
fuzz_init(void)
{
	struct auth_settings	 s = { .leeway = 60, .cache_size = 8,
				    .issuer = NULL, .audience = NULL };
	char			 path[] = "/tmp/fuzz_jwt.XXXXXX", err[256];
	FILE			*f;
	int			 fd;

	log_threshold = LOG_LVL_ERROR;
	if (jwks_new(&fuzz_keys) != PIE_OK ||
	    jwks_load_json(fuzz_keys, fuzz_jwks, strlen(fuzz_jwks), "fuzz",
	    err, sizeof(err)) != PIE_OK)
		abort();
	if ((fd = mkstemp(path)) < 0 || (f = fdopen(fd, "w")) == NULL)
		abort();
	fputs(fuzz_jwks, f);
	fclose(f);
	s.jwks_file = path;
	if (auth_load(&s, &fuzz_auth, err, sizeof(err)) != PIE_OK)
		abort();
	unlink(path);
}

/* The input as a token, under a policy that names iss and aud. */
static void
fuzz_decode(const char *tok, size_t len)
{
	struct jwt_policy	 pol = { JWT_ALGS_ASYMMETRIC | JWT_ALGS_HMAC,
				    "joe", "pie", 60 };
	struct jwt		*t = NULL;
	const char		*code;

	if (jwt_decode(fuzz_keys, &pol, tok, len, FUZZ_NOW, &t, &code) ==
	    PIE_OK)
		jwt_free(t);
}

/* The input as "header.payload", signed here with HS256 and key h. */
static void
fuzz_signed(const uint8_t *data, size_t size)
{
	static const char	 key[] = "AyM1SysPpbyDfgZld3umj1qzKObwVMkoqQ-"
				    "EstJQLr_T-1qS0gZH75aKtMN3Yj0iPS4hcgUuTw"
				    "jAzZr1Z9CAow";
	unsigned char		 mac[32], *secret;
	struct auth_principal	*p = NULL;
	const char		*code;
	char			*sig, *hdr;
	size_t			 slen, maclen, hlen;

	if (size > 6000 || b64url_decode(key, strlen(key), &secret, &slen) !=
	    PIE_OK)
		return;
	if (EVP_Q_mac(NULL, "HMAC", NULL, "SHA256", NULL, secret, slen, data,
	    size, mac, sizeof(mac), &maclen) == NULL ||
	    b64url_encode(mac, maclen, &sig) != PIE_OK) {
		free(secret);
		return;
	}
	hlen = 7 + size + 1 + strlen(sig);
	if ((hdr = malloc(hlen + 1)) != NULL) {
		memcpy(hdr, "Bearer ", 7);
		memcpy(hdr + 7, data, size);
		hdr[7 + size] = '.';
		memcpy(hdr + 8 + size, sig, strlen(sig) + 1);
		fuzz_decode(hdr + 7, hlen - 7);
		if (strlen(hdr) == hlen && auth_authenticate(fuzz_auth, hdr,
		    FUZZ_NOW, &p, &code) == PIE_OK) {
			(void)auth_has_scope(p, AUTH_ANY_READ);
			(void)auth_may_touch_client(p, "client-1");
			auth_principal_free(p);
		}
		free(hdr);
	}
	free(sig);
	free(secret);
}

int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct jwks	*scratch;
	char		*tok, err[256];

	if (fuzz_keys == NULL)
		fuzz_init();

	/* A copy, so that reading past size is caught. */
	if ((tok = malloc(size + 1)) == NULL)
		return 0;
	memcpy(tok, data, size);
	tok[size] = '\0';
	fuzz_decode(tok, size);
	free(tok);

	fuzz_signed(data, size);

	if (size < 65536 && jwks_new(&scratch) == PIE_OK) {
		(void)jwks_load_json(scratch, (const char *)data, size,
		    "fuzz", err, sizeof(err));
		jwks_free(scratch);
	}
	return 0;
}
