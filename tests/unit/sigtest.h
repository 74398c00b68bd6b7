/*
 * sigtest.h: helpers shared by the signature unit tests (test_signer,
 * test_hashchain, test_xsig, test_batchsign): a signing key with its
 * chain made in memory (tests/unit/testpki.h) and loaded into a signer
 * as PEM, and small digest helpers. Tests only: failures abort(3).
 */
#ifndef HK_SIGTEST_H
#define HK_SIGTEST_H

#include <stddef.h>

#include <openssl/evp.h>
#include <openssl/x509.h>

#include "testpki.h"

struct signer;

/* A member's signing key: root -> issuing CA -> signing cert. */
struct sigtest_key {
	struct testpki_pair	root;
	struct testpki_pair	ca;
	struct testpki_pair	leaf;
};

/* Make a key (RSA 2048 if rsa, else EC P-256) with its chain. */
void	sigtest_key_new(struct sigtest_key *, int rsa, const char *subject);
void	sigtest_key_clear(struct sigtest_key *);
/* Register it in sg under key_id (chain PEM: CA + root). Aborts on error. */
void	sigtest_key_add(struct signer *sg, const char *key_id,
	    const struct sigtest_key *);

/* PEM of a private key / of certs (NULL-ended list); free(3) them. */
char	*sigtest_pem_key(EVP_PKEY *, size_t *lenp);
char	*sigtest_pem_certs(size_t *lenp, X509 *first, ...);

void	sigtest_sha512(const void *data, size_t len, unsigned char *out);
/* Deterministic pseudo-random digest number i (64 bytes). */
void	sigtest_digest(unsigned int i, unsigned char *out);
/* Whole file into a malloc(3)ed NUL-terminated buffer; aborts on error. */
char	*sigtest_read_file(const char *path, size_t *lenp);
/* $top_srcdir/securityserver/schemas (or the source-relative default). */
const char *sigtest_schema_dir(void);

#endif /* HK_SIGTEST_H */
