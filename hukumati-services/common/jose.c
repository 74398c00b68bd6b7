/*
 * jose.c: base64url, JWKs, compact JWS with RS256 / ES256, PKCE S256
 * (see jose.h).
 */
#include "config.h"

#include <sys/stat.h>

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <jansson.h>
#include <openssl/bn.h>
#include <openssl/core_names.h>
#include <openssl/crypto.h>
#include <openssl/ec.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/rsa.h>

#include "compat.h"
#include "jose.h"

#define JOSE_KID_LEN	43

enum jose_alg { JOSE_RS256, JOSE_ES256 };

struct jose_key {
	EVP_PKEY	*k_pkey;
	enum jose_alg	 k_alg;
	char		 k_kid[JOSE_KID_LEN + 1];
};

static const char b64url_chars[] =
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

char *
jose_b64url(const void *data, size_t len)
{
	const unsigned char	*p = data;
	char			*out, *o;
	size_t			 i;
	uint32_t		 v;

	if (len > (SIZE_MAX - 4) / 4 * 3)
		return NULL;
	if ((out = malloc((len + 2) / 3 * 4 + 1)) == NULL)
		return NULL;
	o = out;
	for (i = 0; i + 2 < len; i += 3) {
		v = ((uint32_t)p[i] << 16) | ((uint32_t)p[i + 1] << 8) |
		    p[i + 2];
		*o++ = b64url_chars[(v >> 18) & 63];
		*o++ = b64url_chars[(v >> 12) & 63];
		*o++ = b64url_chars[(v >> 6) & 63];
		*o++ = b64url_chars[v & 63];
	}
	if (len - i == 1) {
		v = (uint32_t)p[i] << 16;
		*o++ = b64url_chars[(v >> 18) & 63];
		*o++ = b64url_chars[(v >> 12) & 63];
	} else if (len - i == 2) {
		v = ((uint32_t)p[i] << 16) | ((uint32_t)p[i + 1] << 8);
		*o++ = b64url_chars[(v >> 18) & 63];
		*o++ = b64url_chars[(v >> 12) & 63];
		*o++ = b64url_chars[(v >> 6) & 63];
	}
	*o = '\0';
	return out;
}

static int
b64url_val(unsigned char c)
{
	const char	*p;

	if (c == '\0' || (p = strchr(b64url_chars, c)) == NULL)
		return -1;
	return (int)(p - b64url_chars);
}

int
jose_b64url_decode(const char *s, size_t len, unsigned char **out,
    size_t *outlen)
{
	unsigned char	*o;
	size_t		 i, n = 0;
	uint32_t	 v = 0;
	int		 bits = 0, c;

	*out = NULL;
	*outlen = 0;
	if (len % 4 == 1)
		return -1;
	if ((o = malloc(len / 4 * 3 + 3)) == NULL)
		return -1;
	for (i = 0; i < len; i++) {
		if ((c = b64url_val((unsigned char)s[i])) == -1)
			goto fail;
		v = (v << 6) | (uint32_t)c;
		bits += 6;
		if (bits >= 8) {
			bits -= 8;
			o[n++] = (v >> bits) & 0xff;
		}
	}
	/* Leftover bits must be zero (canonical encoding). */
	if (bits > 0 && (v & ((1u << bits) - 1)) != 0)
		goto fail;
	o[n] = '\0';
	*out = o;
	*outlen = n;
	return 0;
 fail:
	free(o);
	return -1;
}

/* The big-endian bytes of a BIGNUM parameter, padded to len (0: natural). */
static char *
bn_param_b64(const EVP_PKEY *pkey, const char *name, size_t len)
{
	BIGNUM		*bn = NULL;
	unsigned char	*buf = NULL;
	char		*r = NULL;
	int		 n;

	if (EVP_PKEY_get_bn_param(pkey, name, &bn) != 1)
		return NULL;
	n = len > 0 ? (int)len : BN_num_bytes(bn);
	if ((buf = malloc((size_t)n > 0 ? (size_t)n : 1)) != NULL &&
	    BN_bn2binpad(bn, buf, n) == n)
		r = jose_b64url(buf, (size_t)n);
	free(buf);
	BN_free(bn);
	return r;
}

/* The required members of the JWK, in RFC 7638 order, for the thumbprint. */
static json_t *
jwk_core(const struct jose_key *k)
{
	char	*a = NULL, *b = NULL;
	json_t	*j = NULL;

	if (k->k_alg == JOSE_RS256) {
		if ((a = bn_param_b64(k->k_pkey, OSSL_PKEY_PARAM_RSA_E, 0)) !=
		    NULL && (b = bn_param_b64(k->k_pkey,
		    OSSL_PKEY_PARAM_RSA_N, 0)) != NULL)
			j = json_pack("{s:s, s:s, s:s}", "e", a, "kty", "RSA",
			    "n", b);
	} else {
		if ((a = bn_param_b64(k->k_pkey, OSSL_PKEY_PARAM_EC_PUB_X,
		    32)) != NULL && (b = bn_param_b64(k->k_pkey,
		    OSSL_PKEY_PARAM_EC_PUB_Y, 32)) != NULL)
			j = json_pack("{s:s, s:s, s:s, s:s}", "crv", "P-256",
			    "kty", "EC", "x", a, "y", b);
	}
	free(a);
	free(b);
	return j;
}

static int
set_kid(struct jose_key *k)
{
	json_t		*core;
	char		*text, *kid;
	unsigned char	 h[32];
	unsigned int	 hl = 0;
	int		 r = -1;

	if ((core = jwk_core(k)) == NULL)
		return -1;
	/* Sorted keys, no blanks: the canonical form RFC 7638 asks for. */
	if ((text = json_dumps(core, JSON_COMPACT | JSON_SORT_KEYS)) != NULL &&
	    EVP_Digest(text, strlen(text), h, &hl, EVP_sha256(), NULL) == 1 &&
	    (kid = jose_b64url(h, hl)) != NULL) {
		(void)strlcpy(k->k_kid, kid, sizeof(k->k_kid));
		free(kid);
		r = 0;
	}
	free(text);
	json_decref(core);
	return r;
}

int
jose_key_from_pkey(EVP_PKEY *pkey, struct jose_key **out)
{
	struct jose_key	*k;
	char		 group[32];
	size_t		 glen = 0;

	*out = NULL;
	if ((k = calloc(1, sizeof(*k))) == NULL)
		return -1;
	if (EVP_PKEY_is_a(pkey, "RSA")) {
		if (EVP_PKEY_get_bits(pkey) < 2048)
			goto fail;
		k->k_alg = JOSE_RS256;
	} else if (EVP_PKEY_is_a(pkey, "EC")) {
		if (EVP_PKEY_get_utf8_string_param(pkey,
		    OSSL_PKEY_PARAM_GROUP_NAME, group, sizeof(group), &glen) !=
		    1 || strcmp(group, "prime256v1") != 0)
			goto fail;
		k->k_alg = JOSE_ES256;
	} else
		goto fail;
	if (EVP_PKEY_up_ref(pkey) != 1)
		goto fail;
	k->k_pkey = pkey;
	if (set_kid(k) == -1)
		goto fail;
	*out = k;
	return 0;
 fail:
	jose_key_free(k);
	return -1;
}

int
jose_key_load(const char *path, struct jose_key **out, char *err,
    size_t errlen)
{
	FILE		*f;
	EVP_PKEY	*pkey;
	int		 r;

	*out = NULL;
	if ((f = fopen(path, "r")) == NULL) {
		(void)snprintf(err, errlen, "%s: %s", path, strerror(errno));
		return -1;
	}
	pkey = PEM_read_PrivateKey(f, NULL, NULL, NULL);
	(void)fclose(f);
	if (pkey == NULL) {
		(void)snprintf(err, errlen, "%s: not a PEM private key", path);
		return -1;
	}
	r = jose_key_from_pkey(pkey, out);
	EVP_PKEY_free(pkey);
	if (r == -1)
		(void)snprintf(err, errlen, "%s: not an RSA key of 2048 bits or "
		    "more or an EC P-256 key", path);
	return r;
}

int
jose_key_generate(const char *alg, struct jose_key **out)
{
	EVP_PKEY	*pkey = NULL;
	int		 r;

	*out = NULL;
	if (strcmp(alg, "RS256") == 0)
		pkey = EVP_RSA_gen(2048);
	else if (strcmp(alg, "ES256") == 0)
		pkey = EVP_EC_gen("P-256");
	if (pkey == NULL)
		return -1;
	r = jose_key_from_pkey(pkey, out);
	EVP_PKEY_free(pkey);
	return r;
}

int
jose_key_save(const struct jose_key *k, const char *path)
{
	FILE	*f;
	int	 fd, r;

	if ((fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC,
	    0600)) == -1)
		return -1;
	if ((f = fdopen(fd, "w")) == NULL) {
		(void)close(fd);
		return -1;
	}
	r = PEM_write_PrivateKey(f, k->k_pkey, NULL, NULL, 0, NULL, NULL) ==
	    1 ? 0 : -1;
	if (fclose(f) != 0)
		r = -1;
	return r;
}

void
jose_key_free(struct jose_key *k)
{
	if (k == NULL)
		return;
	EVP_PKEY_free(k->k_pkey);
	free(k);
}

const char *
jose_key_alg(const struct jose_key *k)
{
	return k->k_alg == JOSE_RS256 ? "RS256" : "ES256";
}

const char *
jose_key_kid(const struct jose_key *k)
{
	return k->k_kid;
}

json_t *
jose_key_jwk(const struct jose_key *k)
{
	json_t	*j;

	if ((j = jwk_core(k)) == NULL)
		return NULL;
	if (json_object_set_new(j, "kid", json_string(k->k_kid)) == -1 ||
	    json_object_set_new(j, "use", json_string("sig")) == -1 ||
	    json_object_set_new(j, "alg", json_string(jose_key_alg(k))) ==
	    -1) {
		json_decref(j);
		return NULL;
	}
	return j;
}

/* ES256: DER ECDSA-Sig-Value <-> 64 bytes r || s. */
static int
ecdsa_der_to_raw(const unsigned char *der, size_t len, unsigned char raw[64])
{
	ECDSA_SIG	*sig;
	const BIGNUM	*r, *s;
	int		 ok;

	if ((sig = d2i_ECDSA_SIG(NULL, &der, (long)len)) == NULL)
		return -1;
	ECDSA_SIG_get0(sig, &r, &s);
	ok = BN_bn2binpad(r, raw, 32) == 32 && BN_bn2binpad(s, raw + 32, 32) ==
	    32;
	ECDSA_SIG_free(sig);
	return ok ? 0 : -1;
}

static int
ecdsa_raw_to_der(const unsigned char raw[64], unsigned char **der,
    size_t *len)
{
	ECDSA_SIG	*sig;
	BIGNUM		*r, *s;
	int		 n;

	*der = NULL;
	if ((sig = ECDSA_SIG_new()) == NULL)
		return -1;
	r = BN_bin2bn(raw, 32, NULL);
	s = BN_bin2bn(raw + 32, 32, NULL);
	if (r == NULL || s == NULL || ECDSA_SIG_set0(sig, r, s) != 1) {
		BN_free(r);
		BN_free(s);
		ECDSA_SIG_free(sig);
		return -1;
	}
	n = i2d_ECDSA_SIG(sig, der);
	ECDSA_SIG_free(sig);
	if (n <= 0)
		return -1;
	*len = (size_t)n;
	return 0;
}

int
jose_sign(const struct jose_key *k, const json_t *claims, char **out)
{
	EVP_MD_CTX	*ctx = NULL;
	json_t		*hdr = NULL;
	char		*htext = NULL, *ptext = NULL, *h64 = NULL, *p64 = NULL;
	char		*s64 = NULL, *input = NULL, *jws = NULL;
	unsigned char	*sig = NULL, raw[64];
	size_t		 siglen = 0, inlen, n;
	int		 r = -1;

	*out = NULL;
	if (!json_is_object(claims))
		return -1;
	if ((hdr = json_pack("{s:s, s:s, s:s}", "alg", jose_key_alg(k),
	    "kid", k->k_kid, "typ", "JWT")) == NULL ||
	    (htext = json_dumps(hdr, JSON_COMPACT)) == NULL ||
	    (ptext = json_dumps(claims, JSON_COMPACT)) == NULL ||
	    (h64 = jose_b64url(htext, strlen(htext))) == NULL ||
	    (p64 = jose_b64url(ptext, strlen(ptext))) == NULL)
		goto done;
	inlen = strlen(h64) + 1 + strlen(p64);
	if ((input = malloc(inlen + 1)) == NULL)
		goto done;
	(void)snprintf(input, inlen + 1, "%s.%s", h64, p64);
	if ((ctx = EVP_MD_CTX_new()) == NULL ||
	    EVP_DigestSignInit(ctx, NULL, EVP_sha256(), NULL, k->k_pkey) !=
	    1 || EVP_DigestSign(ctx, NULL, &siglen, (unsigned char *)input,
	    inlen) != 1 || (sig = malloc(siglen)) == NULL ||
	    EVP_DigestSign(ctx, sig, &siglen, (unsigned char *)input, inlen) !=
	    1)
		goto done;
	if (k->k_alg == JOSE_ES256) {
		if (ecdsa_der_to_raw(sig, siglen, raw) == -1 ||
		    (s64 = jose_b64url(raw, sizeof(raw))) == NULL)
			goto done;
	} else if ((s64 = jose_b64url(sig, siglen)) == NULL)
		goto done;
	n = inlen + 1 + strlen(s64) + 1;
	if ((jws = malloc(n)) == NULL)
		goto done;
	(void)snprintf(jws, n, "%s.%s", input, s64);
	*out = jws;
	r = 0;
 done:
	EVP_MD_CTX_free(ctx);
	json_decref(hdr);
	free(htext);
	free(ptext);
	free(h64);
	free(p64);
	free(s64);
	free(input);
	free(sig);
	return r;
}

/* Split a compact JWS: the two dots; -1 unless exactly three parts. */
static int
jws_split(const char *jws, const char **d1, const char **d2)
{
	if (jws == NULL || strlen(jws) > JOSE_JWS_MAX ||
	    (*d1 = strchr(jws, '.')) == NULL ||
	    (*d2 = strchr(*d1 + 1, '.')) == NULL || strchr(*d2 + 1, '.') !=
	    NULL)
		return -1;
	return 0;
}

static json_t *
part_json(const char *s, size_t len)
{
	unsigned char	*raw = NULL;
	size_t		 rawlen;
	json_t		*j;

	if (jose_b64url_decode(s, len, &raw, &rawlen) == -1)
		return NULL;
	j = json_loadb((const char *)raw, rawlen, JSON_REJECT_DUPLICATES,
	    NULL);
	free(raw);
	if (j != NULL && !json_is_object(j)) {
		json_decref(j);
		return NULL;
	}
	return j;
}

int
jose_header_kid(const char *jws, char *out, size_t outlen)
{
	const char	*d1, *d2, *kid;
	json_t		*h;
	int		 r = -1;

	if (jws_split(jws, &d1, &d2) == -1 ||
	    (h = part_json(jws, (size_t)(d1 - jws))) == NULL)
		return -1;
	if ((kid = json_string_value(json_object_get(h, "kid"))) != NULL &&
	    strlcpy(out, kid, outlen) < outlen)
		r = 0;
	json_decref(h);
	return r;
}

int
jose_verify(const struct jose_key *k, const char *jws, json_t **claims)
{
	EVP_MD_CTX	*ctx = NULL;
	const char	*d1, *d2, *alg, *kid;
	json_t		*hdr = NULL, *payload = NULL;
	unsigned char	*sig = NULL, *der = NULL;
	size_t		 siglen, derlen = 0;
	int		 r = -1;

	*claims = NULL;
	if (jws_split(jws, &d1, &d2) == -1 ||
	    (hdr = part_json(jws, (size_t)(d1 - jws))) == NULL)
		goto done;
	alg = json_string_value(json_object_get(hdr, "alg"));
	kid = json_string_value(json_object_get(hdr, "kid"));
	if (alg == NULL || strcmp(alg, jose_key_alg(k)) != 0 ||
	    (kid != NULL && strcmp(kid, k->k_kid) != 0) ||
	    json_object_get(hdr, "crit") != NULL)
		goto done;
	if (jose_b64url_decode(d2 + 1, strlen(d2 + 1), &sig, &siglen) == -1)
		goto done;
	if (k->k_alg == JOSE_ES256) {
		if (siglen != 64 || ecdsa_raw_to_der(sig, &der, &derlen) == -1)
			goto done;
	}
	if ((ctx = EVP_MD_CTX_new()) == NULL ||
	    EVP_DigestVerifyInit(ctx, NULL, EVP_sha256(), NULL, k->k_pkey) !=
	    1 || EVP_DigestVerify(ctx, der != NULL ? der : sig,
	    der != NULL ? derlen : siglen, (const unsigned char *)jws,
	    (size_t)(d2 - jws)) != 1)
		goto done;
	if ((payload = part_json(d1 + 1, (size_t)(d2 - d1 - 1))) == NULL)
		goto done;
	*claims = payload;
	r = 0;
 done:
	EVP_MD_CTX_free(ctx);
	json_decref(hdr);
	free(sig);
	OPENSSL_free(der);
	return r;
}

int
jose_pkce_s256(const char *verifier, char out[JOSE_S256_LEN + 1])
{
	unsigned char	 h[32];
	unsigned int	 hl = 0;
	char		*b;
	size_t		 n = strlen(verifier), i;

	out[0] = '\0';
	if (n < 43 || n > 128)
		return -1;
	for (i = 0; i < n; i++)
		if (!((verifier[i] >= 'A' && verifier[i] <= 'Z') ||
		    (verifier[i] >= 'a' && verifier[i] <= 'z') ||
		    (verifier[i] >= '0' && verifier[i] <= '9') ||
		    strchr("-._~", verifier[i]) != NULL))
			return -1;
	if (EVP_Digest(verifier, n, h, &hl, EVP_sha256(), NULL) != 1 ||
	    (b = jose_b64url(h, hl)) == NULL)
		return -1;
	(void)strlcpy(out, b, JOSE_S256_LEN + 1);
	free(b);
	return 0;
}
