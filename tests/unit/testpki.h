/*
 * testpki.h: a throwaway PKI made in memory for unit tests.
 *
 * Root and intermediate CAs, leaf certs shaped like those of the dev
 * PKI (certs/mkpki.sh: auth, sign, OCSP responder, TSA) and OCSP
 * responses with any status, times and signer. Keys are EC P-256
 * (fast) unless opts.rsa is set (RSA 2048). Tests only: the
 * testpki_new*() helpers abort(3) on failure so a test never runs on a
 * half-made PKI.
 *
 * Every returned X509, EVP_PKEY and buffer is owned by the caller.
 */
#ifndef HK_TESTPKI_H
#define HK_TESTPKI_H

#include <stddef.h>
#include <time.h>

#include <openssl/evp.h>
#include <openssl/x509.h>

struct testpki_pair {
	X509		*cert;
	EVP_PKEY	*key;
};

enum testpki_kind {
	TESTPKI_ROOT,	/* self-signed CA (issuer ignored) */
	TESTPKI_CA,	/* intermediate CA */
	TESTPKI_AUTH,	/* KU digitalSignature+keyEncipherment, EKU server+
			   clientAuth, SAN DNS:localhost IP:127.0.0.1 */
	TESTPKI_SIGN,	/* KU nonRepudiation */
	TESTPKI_OCSP,	/* KU digitalSignature, EKU OCSPSigning */
	TESTPKI_TSA,	/* KU digitalSignature, EKU timeStamping (critical) */
	TESTPKI_PLAIN	/* basicConstraints CA:FALSE only */
};

struct testpki_opts {
	const char	*subject;	/* "/C=PS/O=GOV/CN=MOI" */
	time_t		 not_before;	/* 0: now - 1 day */
	time_t		 not_after;	/* 0: now + 365 days */
	const char	*ocsp_url;	/* AIA OCSP URL, NULL for none */
	int		 rsa;		/* RSA 2048 instead of EC P-256 */
	long		 serial;	/* 0: random */
};

/* A fresh key: EC P-256, or RSA 2048 when rsa is set. */
EVP_PKEY	*testpki_key(int rsa);

/*
 * Make a cert of this kind, signed by issuer (NULL or ignored for
 * TESTPKI_ROOT: self-signed). Returns 0 or -1.
 */
int	testpki_make(struct testpki_pair *out, enum testpki_kind kind,
	    const struct testpki_opts *opts, const struct testpki_pair *issuer);
/* The same with default opts and this subject; aborts on failure. */
struct testpki_pair testpki_new(enum testpki_kind kind, const char *subject,
	    const struct testpki_pair *issuer);
/* With full opts; aborts on failure. */
struct testpki_pair testpki_new_opts(enum testpki_kind kind,
	    const struct testpki_opts *opts, const struct testpki_pair *issuer);
/* Frees both members and sets them to NULL. */
void	testpki_clear(struct testpki_pair *);

struct testpki_ocsp_opts {
	int		 response_status; /* OCSP_RESPONSE_STATUS_*, 0 = ok */
	int		 status;	/* V_OCSP_CERTSTATUS_GOOD (0) etc. */
	int		 reason;	/* CRL reason when revoked; -1 none */
	time_t		 this_update;	/* 0: now */
	time_t		 next_update;	/* 0: absent */
	time_t		 revoked_at;	/* 0: this_update - 1 h */
	int		 no_certs;	/* leave the signer cert out */
	int		 by_key;	/* responder id by key hash */
	const EVP_MD	*id_md;		/* CertID hash, NULL: SHA-1 */
};

/* Defaults: successful, GOOD, thisUpdate now, no nextUpdate. */
void	testpki_ocsp_opts_init(struct testpki_ocsp_opts *);

/*
 * A DER OCSP response for (cert, issuer) signed by signer (the CA, a
 * responder, or anything for negative tests). *lenp gets the length;
 * free the result with free(3). Aborts on failure.
 */
unsigned char	*testpki_ocsp_response(X509 *cert, X509 *issuer,
		    const struct testpki_pair *signer,
		    const struct testpki_ocsp_opts *opts, size_t *lenp);

/*
 * Answer a DER OCSP request like a responder would: each CertID in the
 * request gets status from opts (the cert itself is not needed). Used by
 * in-process HTTP responders in tests. NULL if the request is malformed.
 */
unsigned char	*testpki_ocsp_answer(const unsigned char *req, size_t reqlen,
		    const struct testpki_pair *signer,
		    const struct testpki_ocsp_opts *opts, size_t *lenp,
		    int *has_nonce);

/* Write cert (and key, if not NULL) as PEM to path (mode 0600). */
int	testpki_write_pem(const char *path, X509 *cert, EVP_PKEY *key);

/* A stack holding new references to the given certs (NULL-ended list). */
STACK_OF(X509)	*testpki_stack(X509 *first, ...);

#endif /* HK_TESTPKI_H */
