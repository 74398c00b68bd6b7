/*
 * jose.h: the JOSE pieces OpenID Connect needs, over OpenSSL and jansson:
 * base64url, signing keys with their public JWK and RFC 7638 thumbprint
 * as kid, compact JWS (JWT) signing and verification with RS256 (RSA
 * 2048 bits or more, PKCS#1 v1.5, SHA-256) and ES256 (P-256, SHA-256,
 * signature as r || s), and the PKCE S256 challenge (RFC 7636).
 *
 * jose_verify checks the signature with the given key only and refuses a
 * header whose alg is not the key's (no "none", no algorithm confusion);
 * the caller checks the claims (iss, aud, exp ...).
 */
#ifndef HK_JOSE_H
#define HK_JOSE_H

#include <stddef.h>

#include <jansson.h>
#include <openssl/evp.h>

struct jose_key;

#define JOSE_S256_LEN	43	/* base64url of a SHA-256, no padding */
#define JOSE_JWS_MAX	(64 * 1024)

/* base64url without padding; the caller frees the result (NULL: no memory). */
char		*jose_b64url(const void *data, size_t len);
/*
 * Decode base64url (padding refused, as JWS forbids it). *out is
 * NUL-terminated for convenience; caller frees. 0 or -1.
 */
int		 jose_b64url_decode(const char *s, size_t len,
		    unsigned char **out, size_t *outlen);

/*
 * Keys. jose_key_load reads a PEM private key (PKCS#8 or traditional) of
 * RSA >= 2048 bits (RS256) or EC P-256 (ES256); -1 with the reason in err.
 * jose_key_generate makes one ("RS256": RSA 2048, "ES256": P-256) and
 * jose_key_save writes it as PKCS#8 PEM, mode 0600, without replacing a
 * file. Caller frees with jose_key_free.
 */
int		 jose_key_load(const char *path, struct jose_key **out,
		    char *err, size_t errlen);
int		 jose_key_generate(const char *alg, struct jose_key **out);
int		 jose_key_save(const struct jose_key *, const char *path);
/* Up-references pkey. */
int		 jose_key_from_pkey(EVP_PKEY *pkey, struct jose_key **out);
void		 jose_key_free(struct jose_key *);
/* "RS256" or "ES256"; the kid (RFC 7638 SHA-256 thumbprint). Borrowed. */
const char	*jose_key_alg(const struct jose_key *);
const char	*jose_key_kid(const struct jose_key *);
/* The public JWK {kty, kid, use: sig, alg, n, e | crv, x, y}; caller decrefs. */
json_t		*jose_key_jwk(const struct jose_key *);

/*
 * Sign claims as a compact JWS with header {alg, kid, typ: "JWT"}.
 * *out is NUL-terminated, caller frees. 0 or -1.
 */
int		 jose_sign(const struct jose_key *, const json_t *claims,
		    char **out);
/*
 * Verify a compact JWS against key: 0 and *claims (the payload object,
 * caller decrefs), or -1 for anything wrong (format, alg, kid other than
 * the key's when present, signature, payload not a JSON object).
 */
int		 jose_verify(const struct jose_key *, const char *jws,
		    json_t **claims);
/* The kid of a JWS header, into out; 0 or -1 (none, malformed). */
int		 jose_header_kid(const char *jws, char *out, size_t outlen);

/*
 * PKCE: the S256 challenge of verifier (43-128 characters of
 * [A-Za-z0-9-._~]) into out. 0, or -1 for a malformed verifier.
 */
int		 jose_pkce_s256(const char *verifier,
		    char out[JOSE_S256_LEN + 1]);

#endif /* HK_JOSE_H */
