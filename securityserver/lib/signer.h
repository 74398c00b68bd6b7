/*
 * signer.h: the one place where private signing keys live.
 *
 * A struct signer holds the members' signing keys (RSA >= 2048 bits or
 * ECDSA P-256/P-384), each registered under a key id such as the member
 * id "PS/GOV/MTIT", with its signing certificate and the intermediate CA
 * certificates of its chain. The only private-key operation is
 * signer_sign_digest(): the caller hashes, the signer signs a digest of
 * exactly the length of the named algorithm (no "sign any blob" call).
 *
 * Every call takes and returns plain data (strings, byte arrays, DER),
 * so the signer can later move into its own process behind an IPC
 * channel with the same interface; the X509 views below are the only
 * exception and have DER twins.
 *
 * Key material is never logged; PEM buffers read from files are wiped
 * before they are freed, and keys are freed (wiped by OpenSSL) with
 * signer_remove_key() / signer_free().
 *
 * Not thread-safe: one signer per thread or process.
 */
#ifndef HK_SIGNER_H
#define HK_SIGNER_H

#include <stddef.h>

#include <openssl/x509.h>

struct signer;

/* Longest key id accepted (bytes, without the NUL). */
#define SIGNER_KEY_ID_MAX	255
/* Largest PEM file signer_add_key_files() reads. */
#define SIGNER_PEM_MAX		(1024 * 1024)
/* Largest signature signer_sign_digest() produces (RSA 8192 bits). */
#define SIGNER_SIG_MAX		1024

enum signer_digest {
	SIGNER_DIGEST_SHA256 = 1,	/* 32 bytes */
	SIGNER_DIGEST_SHA384,		/* 48 bytes */
	SIGNER_DIGEST_SHA512		/* 64 bytes: X-Road message signatures */
};

enum signer_key_type {
	SIGNER_KEY_NONE = 0,
	SIGNER_KEY_RSA,			/* PKCS#1 v1.5 signatures */
	SIGNER_KEY_EC			/* ECDSA */
};

struct signer	*signer_new(void);
/* Frees every key (OpenSSL wipes private key material). NULL is fine. */
void		 signer_free(struct signer *);

/*
 * Register a key under key_id (an id already present is refused):
 * key_path: PEM private key (PKCS#8 or traditional, unencrypted; an
 * encrypted key fails, nothing prompts); cert_path: PEM signing cert,
 * possibly followed by chain certs; chain_path: optional PEM file of
 * CA certificates (e.g. ca-chain.pem). Self-signed certificates (roots)
 * are dropped from the chain: trust anchors come from global
 * configuration, not from the signer. The cert's public key must match
 * the private key. A key file readable by group or others is accepted
 * with a warning. Returns 0 or -1 (logged, without secrets).
 */
int	 signer_add_key_files(struct signer *, const char *key_id,
	    const char *key_path, const char *cert_path,
	    const char *chain_path);
/* The same from memory (chain_pem may be NULL / 0). */
int	 signer_add_key_pem(struct signer *, const char *key_id,
	    const void *key_pem, size_t key_len, const void *cert_pem,
	    size_t cert_len, const void *chain_pem, size_t chain_len);
/* Forget a key (freed and wiped). Returns 0, or -1 if unknown. */
int	 signer_remove_key(struct signer *, const char *key_id);
int	 signer_has_key(const struct signer *, const char *key_id);
size_t	 signer_key_count(const struct signer *);

/*
 * Sign a digest computed by the caller with algorithm alg; digest_len
 * must be the algorithm's length. RSA: PKCS#1 v1.5 over DigestInfo
 * (= SHA512withRSA, XML-DSig rsa-sha512). EC: the DER ECDSA-Sig-Value
 * (SEQUENCE { r, s }); XML-DSig wants r||s instead: convert with
 * signer_ecdsa_der_to_raw(). On success *sig (caller frees with
 * free(3)) holds *sig_len bytes. Returns 0 or -1.
 */
int	 signer_sign_digest(struct signer *, const char *key_id,
	    enum signer_digest alg, const unsigned char *digest,
	    size_t digest_len, unsigned char **sig, size_t *sig_len);

/* Number of private-key operations done so far (metrics, tests). */
unsigned long	 signer_sign_count(const struct signer *);

/* Key type and size in bits, or SIGNER_KEY_NONE / 0 for unknown ids. */
enum signer_key_type signer_key_type(const struct signer *, const char *key_id);
int	 signer_key_bits(const struct signer *, const char *key_id);

/*
 * XML-DSig SignatureMethod URI for the key and digest, e.g.
 * "http://www.w3.org/2001/04/xmldsig-more#rsa-sha512" or "...#ecdsa-sha512".
 * Static string; NULL for an unknown key id.
 */
const char	*signer_sig_alg_uri(const struct signer *, const char *key_id,
		    enum signer_digest);

/*
 * The signing cert and its chain (intermediates, leaf's issuer first),
 * borrowed: valid until the key is removed or the signer freed. The
 * chain may be empty, never NULL for a known key id.
 */
X509		*signer_cert(const struct signer *, const char *key_id);
STACK_OF(X509)	*signer_chain(const struct signer *, const char *key_id);
/* The same as DER: *der (caller frees) gets *len bytes. 0 or -1. */
int	 signer_cert_der(const struct signer *, const char *key_id,
	    unsigned char **der, size_t *len);

/*
 * Pure helpers (no key involved).
 * signer_digest_len: 32/48/64, or 0 for a bad value.
 * signer_digest_md: the OpenSSL digest, or NULL.
 * signer_digest_uri: XML-Enc DigestMethod URI
 * ("http://www.w3.org/2001/04/xmlenc#sha512"), or NULL.
 * signer_digest_from_uri: SIGNER_DIGEST_* for a DigestMethod URI, or 0.
 */
size_t		 signer_digest_len(enum signer_digest);
const EVP_MD	*signer_digest_md(enum signer_digest);
const char	*signer_digest_uri(enum signer_digest);
enum signer_digest signer_digest_from_uri(const char *uri);

/*
 * Parse an XML-DSig SignatureMethod URI: fills *type and *alg.
 * Returns 0, or -1 for an algorithm this code does not accept.
 */
int	 signer_sig_alg_parse(const char *uri, enum signer_key_type *type,
	    enum signer_digest *alg);

/*
 * ECDSA signature encodings. field_len: byte length of the curve order
 * (32 for P-256, 48 for P-384; signer_ecdsa_field_len() gives it for a
 * key). der_to_raw writes r||s, each left-padded to field_len; raw_to_der
 * the reverse. Outputs are malloc(3)ed for the caller. 0 or -1.
 */
int	 signer_ecdsa_der_to_raw(const unsigned char *der, size_t der_len,
	    size_t field_len, unsigned char **raw, size_t *raw_len);
int	 signer_ecdsa_raw_to_der(const unsigned char *raw, size_t raw_len,
	    unsigned char **der, size_t *der_len);
size_t	 signer_ecdsa_field_len(EVP_PKEY *pub);

#endif /* HK_SIGNER_H */
