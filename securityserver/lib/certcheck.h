/*
 * certcheck.h: is a certificate acceptable to the security server?
 *
 * certcheck_verify() checks a leaf certificate (a peer's auth cert or a
 * message signer's sign cert) the way X-Road does (NOTES.md 4.3, 4.4,
 * 4.7): the chain reaches an approved CA, every cert is valid at the
 * given time, the leaf fits its purpose, and every cert below the trust
 * anchor has a GOOD and fresh OCSP response among those that came with
 * the message. A failure comes back as a code (for choosing the X-Road
 * fault) and a message.
 *
 * Also: the member identity in a signing cert's subject, and hex SHA-1 /
 * SHA-256 of a cert's DER (global configuration and the OCSP download
 * endpoint name certs by these).
 *
 * X509 arguments are borrowed unless said otherwise.
 */
#ifndef HK_CERTCHECK_H
#define HK_CERTCHECK_H

#include <stddef.h>
#include <time.h>

#include <openssl/x509.h>

#include "ocsp.h"

struct xrid;

/*
 * The approved CAs (global configuration's approvedCA): trust anchors,
 * plus intermediate CAs that only help to build chains. Any anchor ends
 * a chain, even one that is not self-signed (partial chains allowed), so
 * an approved intermediate can be the anchor. Build it when the global
 * configuration changes; share it read-only between threads.
 */
struct certcheck_trust;

struct certcheck_trust *certcheck_trust_new(void);
void	 certcheck_trust_free(struct certcheck_trust *);
/* Takes a new reference to ca. */
int	 certcheck_trust_add(struct certcheck_trust *, X509 *ca);
/* Every certificate in a PEM file as anchors. */
int	 certcheck_trust_add_pem(struct certcheck_trust *, const char *path);
/* Takes a new reference; used for chain building only. */
int	 certcheck_trust_add_intermediate(struct certcheck_trust *, X509 *);
/* Borrowed views, valid while the trust set lives. */
X509_STORE	*certcheck_trust_store(const struct certcheck_trust *);
STACK_OF(X509)	*certcheck_trust_intermediates(const struct certcheck_trust *);
size_t	 certcheck_trust_count(const struct certcheck_trust *);

enum certcheck_code {
	CERTCHECK_OK = 0,
	CERTCHECK_UNTRUSTED_CA,		/* chain does not reach an approved CA */
	CERTCHECK_EXPIRED,		/* a cert of the chain expired */
	CERTCHECK_NOT_YET_VALID,
	CERTCHECK_BAD_SIGNATURE,	/* a cert's signature is invalid */
	CERTCHECK_WRONG_PURPOSE,	/* key usage / EKU does not fit */
	CERTCHECK_CHAIN_INVALID,	/* other chain errors */
	CERTCHECK_OCSP_MISSING,		/* no OCSP response for a cert */
	CERTCHECK_OCSP_INVALID,		/* malformed, unauthorized, bad sig */
	CERTCHECK_OCSP_TOO_OLD,		/* too old or nextUpdate passed */
	CERTCHECK_REVOKED,
	CERTCHECK_OCSP_UNKNOWN,		/* responder does not know the cert */
	CERTCHECK_INTERNAL
};

const char	*certcheck_code_str(enum certcheck_code);

enum certcheck_purpose {
	CERTCHECK_PURPOSE_NONE = 0,
	CERTCHECK_PURPOSE_TLS_CLIENT,	/* EKU clientAuth if EKU present */
	CERTCHECK_PURPOSE_TLS_SERVER,	/* EKU serverAuth if EKU present */
	CERTCHECK_PURPOSE_AUTH,		/* security server auth cert: both */
	CERTCHECK_PURPOSE_SIGN		/* keyUsage with nonRepudiation */
};

#define CERTCHECK_NO_OCSP	0x01	/* chain, time and purpose only */

struct certcheck_params {
	time_t			 cp_now;
	enum certcheck_purpose	 cp_purpose;
	int			 cp_flags;
	long			 cp_ocsp_freshness;	/* s */
	long			 cp_ocsp_skew;		/* s */
	int			 cp_ocsp_check_next_update;
	STACK_OF(X509)		*cp_ocsp_responders;	/* borrowed, or NULL */
};

/* Freshness 3600 s, skew 60 s, no nextUpdate check, OCSP required. */
void	certcheck_params_init(struct certcheck_params *, time_t now,
	    enum certcheck_purpose);

struct certcheck_error {
	enum certcheck_code	 ce_code;
	enum ocsp_verdict	 ce_ocsp;	/* verdict when OCSP failed */
	int			 ce_depth;	/* 0 = leaf; -1 unknown */
	char			 ce_msg[512];
};

/* One DER OCSP response that came with the message (borrowed). */
struct certcheck_ocsp {
	const unsigned char	*co_der;
	size_t			 co_len;
};

/*
 * Verify leaf. extra: intermediates that came with it (may be NULL).
 * ocsp/nocsp: the OCSP responses that came with it, in any order; each
 * cert of the chain below the anchor needs one (matched by CertID).
 * On success *chain (if chain != NULL) gets the verified chain, leaf
 * first, anchor last; free it with sk_X509_pop_free(chain, X509_free).
 * Returns 0, or -1 with err (may be NULL) filled.
 */
int	certcheck_verify(const struct certcheck_trust *, X509 *leaf,
	    STACK_OF(X509) *extra, const struct certcheck_ocsp *ocsp,
	    size_t nocsp, const struct certcheck_params *,
	    STACK_OF(X509) **chain, struct certcheck_error *err);

/*
 * Member identity from a signing cert's subject (X-Road's default EJBCA
 * profile: C = instance, O = member class, CN = member code). Each must
 * be present exactly once, non-empty, at most XRID_PART_MAX bytes and
 * without control characters. Fills *id as an XRID_MEMBER.
 */
int	certcheck_member_id(X509 *sign_cert, struct xrid *id);

/* Digest of the cert's DER; out holds EVP_MAX_MD_SIZE bytes. */
int	certcheck_digest(X509 *, const EVP_MD *, unsigned char *out,
	    unsigned int *lenp);
/* Lower-case hex SHA-1 (41 bytes with NUL) and SHA-256 (65 bytes). */
int	certcheck_sha1_hex(X509 *, char out[OCSP_SHA1_HEX_LEN + 1]);
int	certcheck_sha256_hex(X509 *, char out[OCSP_SHA256_HEX_LEN + 1]);

#endif /* HK_CERTCHECK_H */
