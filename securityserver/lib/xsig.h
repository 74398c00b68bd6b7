/*
 * xsig.h: X-Road message signatures (XAdES over XML-DSig, NOTES.md 4.6).
 *
 * The document xsig_sign() writes is the one X-Road's SignatureXmlBuilder
 * writes ("ASiC XAdES signature profile"):
 *
 * <asic:XAdESSignatures xmlns:asic="http://uri.etsi.org/02918/v1.2.1#"
 *     xmlns:ds=XML-DSig xmlns:xades="http://uri.etsi.org/01903/v1.3.2#"
 *     xmlns:xsi=...>
 *  <ds:Signature Id="signature">
 *   <ds:SignedInfo>
 *    <ds:CanonicalizationMethod Algorithm=C14N 1.0 (inclusive, no comments)/>
 *    <ds:SignatureMethod Algorithm=xmldsig-more#rsa-sha512 | #ecdsa-sha512/>
 *    <ds:Reference Id="signature-reference-0" URI="/message.xml">  (one per
 *      data object; no Transforms: the digest is over the raw bytes)
 *     <ds:DigestMethod Algorithm=xmlenc#sha512/><ds:DigestValue/>
 *    <ds:Reference Id="signature-reference-N" URI="#signed-properties"
 *      Type="http://uri.etsi.org/01903#SignedProperties">  (no Transforms:
 *      inclusive C14N 1.0 of the SignedProperties element)
 *   <ds:SignatureValue Id="signature-value">  (RSA PKCS#1 v1.5, or ECDSA
 *      r||s as XML-DSig requires)
 *   <ds:KeyInfo><ds:X509Data><ds:X509Certificate> signing cert
 *   <ds:Object><xades:QualifyingProperties Target="#signature">
 *    <xades:SignedProperties Id="signed-properties">
 *     SignedSignatureProperties: SigningTime (UTC, ms, "Z"),
 *      SigningCertificate/Cert (CertDigest SHA-512 + IssuerSerial with
 *      RFC 2253 issuer and decimal serial), SignaturePolicyIdentifier
 *      (urn:oid:1.3.6.1.4.1.3516.16.2, "Profile for High Performance
 *      Digital Signatures (version 1.2)", its SHA-512, SPURI
 *      https://repo.cyber.ee/dsig-profile-1.2.pdf)
 *     SignedDataObjectProperties: DataObjectFormat
 *      ObjectReference="#signature-reference-i" with the MimeType
 *    <xades:UnsignedProperties><xades:UnsignedSignatureProperties>
 *     CompleteCertificateRefs + CertificateValues (when the signer has
 *     intermediate CA certs), RevocationValues/OCSPValues/
 *     EncapsulatedOCSPValue Id="ocsp-response-i" (the OCSP responses).
 *
 * X-Road signs one data object: "/message.xml" (MimeType text/xml) for a
 * single-part message, or "/sig-hashchainresult.xml" (MimeType
 * application/hash-chain-result) for a batch or a multi-part message.
 *
 * xsig_verify() was checked by hand against X-Road's own test signature
 * (common-verifier batch-sig.xml: RSA, inclusive C14N, v1.1.1 ASiC
 * namespace) and a DSS-made one (exclusive C14N, SigningCertificateV2);
 * those files are not in this repository.
 *
 * Canonicalisation is libxml2's C14N; digests and signatures OpenSSL;
 * the private key stays in the signer (one signer_sign_digest() call per
 * signature). xmlsec1 is not used: it wants the private key in its own
 * key manager and resolves external URIs itself.
 */
#ifndef HK_XSIG_H
#define HK_XSIG_H

#include <stddef.h>
#include <stdint.h>
#include <time.h>

#include <openssl/x509.h>

struct signer;

#define XSIG_XML_MAX		(4 * 1024 * 1024)
#define XSIG_MAX_REFS		16
#define XSIG_MAX_CERTS		16
#define XSIG_MAX_OCSP		16

/* Names X-Road gives the signed objects (MessageFileNames.java). */
#define XSIG_URI_MESSAGE	"/message.xml"
#define XSIG_URI_HASHCHAIN_RESULT "/sig-hashchainresult.xml"
#define XSIG_URI_HASHCHAIN	"/sig-hashchain.xml"
#define XSIG_MIME_XML		"text/xml"
#define XSIG_MIME_HASHCHAIN_RESULT "application/hash-chain-result"

/* Results (negative = failure), to choose the X-Road fault. */
enum xsig_err {
	XSIG_OK = 0,
	XSIG_ERR_INTERNAL = -1,		/* memory, bad arguments */
	XSIG_ERR_MALFORMED = -2,	/* not a signature of this profile */
	XSIG_ERR_REFERENCE = -3,	/* a digest or reference is wrong */
	XSIG_ERR_SIGNATURE = -4,	/* SignatureValue does not verify */
	XSIG_ERR_CERT = -5,		/* signing cert missing or not bound */
	XSIG_ERR_HASHCHAIN = -6		/* hash chain does not verify */
};

/* A signed data object: URI and SHA-512 digest of its bytes. */
struct xsig_ref {
	const char		*xr_uri;
	const unsigned char	*xr_digest;	/* 64 bytes */
	const char		*xr_mime;	/* signing only */
};

/* DER bytes, borrowed. */
struct xsig_der {
	const unsigned char	*xd_der;
	size_t			 xd_len;
};

struct xsig_sign_params {
	struct signer		*sp_signer;
	const char		*sp_key_id;
	const struct xsig_ref	*sp_refs;	/* 1..XSIG_MAX_REFS */
	size_t			 sp_nrefs;
	const struct xsig_der	*sp_ocsp;	/* OCSP responses (may be 0) */
	size_t			 sp_nocsp;
	int64_t			 sp_time_ms;	/* SigningTime; 0 = now */
};

/*
 * Create the signature: one private-key operation. The extra certs come
 * from signer_chain(). *xml (caller frees with free(3)) gets *len bytes,
 * NUL-terminated. Returns 0 or an xsig_err.
 */
int	 xsig_sign(const struct xsig_sign_params *, char **xml, size_t *len);

/* What a verified signature carries. Everything is owned by the struct. */
struct xsig_ocsp {
	unsigned char	*xo_der;
	size_t		 xo_len;
};

struct xsig_info {
	X509		*xi_cert;	/* the signing cert (KeyInfo) */
	STACK_OF(X509)	*xi_extra;	/* CertificateValues, maybe empty */
	struct xsig_ocsp *xi_ocsp;	/* RevocationValues' OCSP responses */
	size_t		 xi_nocsp;
	time_t		 xi_signing_time; /* SigningTime, or 0 if absent */
	char		 xi_sig_alg[80];  /* SignatureMethod URI */
};

void	 xsig_info_free(struct xsig_info *);

/*
 * Verify a signature over the data objects refs (URI + SHA-512 digest;
 * xr_mime ignored): every ds:Reference to an external object must be one
 * of refs with that digest and every ref must be signed; the one
 * same-document Reference must point at this signature's SignedProperties
 * and match its canonical form; SignatureValue must verify with the
 * KeyInfo certificate; SigningCertificate's CertDigest (and serial) must
 * match that certificate. Accepts C14N 1.0/1.1 and exclusive C14N, with
 * or without comments, RSA and ECDSA with SHA-256/384/512, a bare
 * ds:Signature root or asic:XAdESSignatures around it.
 *
 * No chain, validity or OCSP checks here: certcheck_verify() does those
 * with what *info returns. On success *info (free with xsig_info_free)
 * is set. Returns 0 or an xsig_err, with a message in err (may be NULL).
 */
int	 xsig_verify(const void *xml, size_t len, const struct xsig_ref *refs,
	    size_t nrefs, struct xsig_info **info, char *err, size_t errlen);

/*
 * Verify the signature of a transport message as X-Road does.
 * parts: nparts SHA-512 digests (nparts * 64 bytes), part 0 being the
 * message ("/message.xml": SOAP or REST head), parts 1.. the attachments
 * ("/attachment1", ...). Without a hash chain (hcr_xml NULL) the
 * signature must sign the single part directly; with one, the hash
 * chain (known as "/sig-hashchain.xml") must lead from every part to the
 * HashChainResult, and the signature must sign the exact HashChainResult
 * bytes as "/sig-hashchainresult.xml". Returns like xsig_verify().
 */
int	 xsig_verify_message(const void *sig_xml, size_t sig_len,
	    const void *hcr_xml, size_t hcr_len, const void *hc_xml,
	    size_t hc_len, const unsigned char *parts, size_t nparts,
	    struct xsig_info **info, char *err, size_t errlen);

/* Short name of an xsig_err. */
const char	*xsig_strerror(int);

#endif /* HK_XSIG_H */
