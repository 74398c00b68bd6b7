/*
 * xsig.c: X-Road XAdES message signatures: create and verify.
 *
 * Canonical XML comes from libxml2's C14N (xmlC14NExecute with a
 * visibility callback selecting one element's subtree), streamed into an
 * OpenSSL digest. The private-key operation is signer_sign_digest().
 */
#include "config.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <openssl/bn.h>
#include <openssl/crypto.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/rsa.h>
#include <openssl/x509.h>

#include <libxml/c14n.h>
#include <libxml/tree.h>
#include <libxml/xmlIO.h>

#include "b64.h"
#include "hashchain.h"
#include "signer.h"
#include "xsd.h"
#include "xsig.h"

#define NS_ASIC		"http://uri.etsi.org/02918/v1.2.1#"
#define NS_ASIC_OLD	"http://uri.etsi.org/02918/v1.1.1#"
#define NS_DS		"http://www.w3.org/2000/09/xmldsig#"
#define NS_XADES	"http://uri.etsi.org/01903/v1.3.2#"
#define NS_XSI		"http://www.w3.org/2001/XMLSchema-instance"
#define TYPE_SIGNED_PROPS "http://uri.etsi.org/01903#SignedProperties"

#define C14N_10		"http://www.w3.org/TR/2001/REC-xml-c14n-20010315"
#define C14N_11		"http://www.w3.org/2006/12/xml-c14n11"
#define C14N_EXC	"http://www.w3.org/2001/10/xml-exc-c14n#"

/* The signature policy X-Road names (SignatureXmlBuilder.java). */
#define POLICY_ID	"urn:oid:1.3.6.1.4.1.3516.16.2"
#define POLICY_DESC	"Profile for High Performance Digital Signatures " \
			"(version 1.2)"
#define POLICY_SHA512	"BuO0EDNfkxSVlUbxCzmQPzX1AUF1/xx9ytWHk3/6SAOePxQini" \
			"EfDYk+90QeYb3lWpV3Izhuz9fKaYyE+lTcXw=="
#define POLICY_SPURI	"https://repo.cyber.ee/dsig-profile-1.2.pdf"

#define ID_SIGNATURE	"signature"
#define ID_SIGNED_PROPS	"signed-properties"
#define ID_SIG_VALUE	"signature-value"
#define ID_REF_PREFIX	"signature-reference-"

static int	 xs_fail(char *, size_t, int, const char *, ...)
		    __attribute__((format(printf, 4, 5)));

static int
xs_fail(char *err, size_t errlen, int code, const char *fmt, ...)
{
	va_list	ap;

	if (err != NULL && errlen > 0) {
		va_start(ap, fmt);
		(void)vsnprintf(err, errlen, fmt, ap);
		va_end(ap);
	}
	return code;
}

const char *
xsig_strerror(int code)
{
	switch (code) {
	case XSIG_OK:
		return "ok";
	case XSIG_ERR_MALFORMED:
		return "malformed signature";
	case XSIG_ERR_REFERENCE:
		return "invalid reference";
	case XSIG_ERR_SIGNATURE:
		return "invalid signature value";
	case XSIG_ERR_CERT:
		return "incorrect signing certificate";
	case XSIG_ERR_HASHCHAIN:
		return "invalid hash chain";
	default:
		return "internal error";
	}
}

/* ---- canonicalisation + digest ---- */

struct xs_sink {
	EVP_MD_CTX	*s_ctx;
	int		 s_fail;
};

static int
xs_sink_write(void *arg, const char *buf, int len)
{
	struct xs_sink	*s = arg;

	if (len < 0 || !EVP_DigestUpdate(s->s_ctx, buf, (size_t)len)) {
		s->s_fail = 1;
		return -1;
	}
	return len;
}

/* The node set: one element and everything below it. */
static int
xs_visible(void *arg, xmlNodePtr node, xmlNodePtr parent)
{
	xmlNodePtr	apex = arg, n;

	if (node == NULL)
		return 0;
	/* A namespace node is an xmlNs; its element is parent. */
	n = node->type == XML_NAMESPACE_DECL ? parent : node;
	for (; n != NULL; n = n->parent)
		if (n == apex)
			return 1;
	return 0;
}

/* Map a C14N algorithm URI. Returns 0 or -1. */
static int
xs_c14n_mode(const char *uri, int *mode, int *comments)
{
	static const struct {
		const char	*uri;
		int		 mode;
		int		 comments;
	} tab[] = {
		{ C14N_10, XML_C14N_1_0, 0 },
		{ C14N_10 "#WithComments", XML_C14N_1_0, 1 },
		{ C14N_11, XML_C14N_1_1, 0 },
		{ C14N_11 "#WithComments", XML_C14N_1_1, 1 },
		{ C14N_EXC, XML_C14N_EXCLUSIVE_1_0, 0 },
		{ C14N_EXC "WithComments", XML_C14N_EXCLUSIVE_1_0, 1 },
	};
	size_t	i;

	for (i = 0; i < sizeof(tab) / sizeof(tab[0]); i++)
		if (strcmp(tab[i].uri, uri) == 0) {
			*mode = tab[i].mode;
			*comments = tab[i].comments;
			return 0;
		}
	return -1;
}

/* Digest of the canonical form of apex's subtree. out: EVP_MAX_MD_SIZE. */
static int
xs_c14n_digest(xmlDocPtr doc, xmlNodePtr apex, int mode, int comments,
    const EVP_MD *md, unsigned char *out, unsigned int *outlen)
{
	struct xs_sink		 sink;
	xmlOutputBufferPtr	 ob;
	int			 n, r;

	memset(&sink, 0, sizeof(sink));
	if ((sink.s_ctx = EVP_MD_CTX_new()) == NULL)
		return -1;
	if (!EVP_DigestInit_ex(sink.s_ctx, md, NULL) ||
	    (ob = xmlOutputBufferCreateIO(xs_sink_write, NULL, &sink,
	    NULL)) == NULL) {
		EVP_MD_CTX_free(sink.s_ctx);
		return -1;
	}
	n = xmlC14NExecute(doc, xs_visible, apex, mode, NULL, comments, ob);
	r = xmlOutputBufferClose(ob);
	if (n < 0 || r < 0 || sink.s_fail ||
	    !EVP_DigestFinal_ex(sink.s_ctx, out, outlen)) {
		EVP_MD_CTX_free(sink.s_ctx);
		return -1;
	}
	EVP_MD_CTX_free(sink.s_ctx);
	return 0;
}

/* ---- building ---- */

struct xs_build {
	xmlDocPtr	 b_doc;
	xmlNsPtr	 b_ds;
	xmlNsPtr	 b_xades;
	int		 b_fail;
};

static xmlNodePtr
xs_el(struct xs_build *b, xmlNodePtr parent, xmlNsPtr ns, const char *name,
    const char *text)
{
	xmlNodePtr	n;

	if (parent == NULL) {
		b->b_fail = 1;
		return NULL;
	}
	if ((n = xmlNewTextChild(parent, ns, BAD_CAST name,
	    BAD_CAST text)) == NULL)
		b->b_fail = 1;
	return n;
}

static void
xs_attr(struct xs_build *b, xmlNodePtr n, const char *name, const char *val)
{
	if (n == NULL || val == NULL ||
	    xmlNewProp(n, BAD_CAST name, BAD_CAST val) == NULL)
		b->b_fail = 1;
}

/* A line break, as Apache Santuario writes inside SignedInfo. */
static void
xs_nl(struct xs_build *b, xmlNodePtr parent)
{
	xmlNodePtr	t;

	if (parent == NULL || (t = xmlNewDocText(b->b_doc,
	    BAD_CAST "\n")) == NULL) {
		b->b_fail = 1;
		return;
	}
	if (xmlAddChild(parent, t) == NULL) {
		xmlFreeNode(t);
		b->b_fail = 1;
	}
}

static void
xs_text_b64(struct xs_build *b, xmlNodePtr n, const unsigned char *data,
    size_t len)
{
	char	*s;

	if (n == NULL || (s = b64_encode(data, len)) == NULL) {
		b->b_fail = 1;
		return;
	}
	xmlNodeAddContent(n, BAD_CAST s);
	free(s);
}

/* ds:DigestMethod + ds:DigestValue under parent. */
static xmlNodePtr
xs_digest_pair(struct xs_build *b, xmlNodePtr parent, const char *alg_uri,
    const unsigned char *digest, size_t len, int newlines)
{
	xmlNodePtr	dm, dv;

	dm = xs_el(b, parent, b->b_ds, "DigestMethod", NULL);
	xs_attr(b, dm, "Algorithm", alg_uri);
	if (newlines)
		xs_nl(b, parent);
	dv = xs_el(b, parent, b->b_ds, "DigestValue", NULL);
	if (digest != NULL)
		xs_text_b64(b, dv, digest, len);
	if (newlines)
		xs_nl(b, parent);
	return dv;
}

/* xades:CertDigest + xades:IssuerSerial under parent, for cert. */
static void
xs_cert_id(struct xs_build *b, xmlNodePtr parent, X509 *cert)
{
	unsigned char	 md[EVP_MAX_MD_SIZE];
	unsigned int	 mdlen = 0;
	xmlNodePtr	 cd, is;
	BIO		*bio = NULL;
	BIGNUM		*bn = NULL;
	char		*name = NULL, *dec = NULL;
	long		 n;
	char		*p;

	if (!X509_digest(cert, EVP_sha512(), md, &mdlen)) {
		b->b_fail = 1;
		return;
	}
	cd = xs_el(b, parent, b->b_xades, "CertDigest", NULL);
	(void)xs_digest_pair(b, cd, signer_digest_uri(SIGNER_DIGEST_SHA512),
	    md, mdlen, 0);

	/* Issuer as RFC 2253 (Java's X500Principal.getName()). */
	if ((bio = BIO_new(BIO_s_mem())) == NULL ||
	    X509_NAME_print_ex(bio, X509_get_issuer_name(cert), 0,
	    XN_FLAG_RFC2253) < 0 ||
	    (n = BIO_get_mem_data(bio, &p)) < 0 ||
	    (name = strndup(p, (size_t)n)) == NULL)
		goto fail;
	if ((bn = ASN1_INTEGER_to_BN(X509_get0_serialNumber(cert),
	    NULL)) == NULL || (dec = BN_bn2dec(bn)) == NULL)
		goto fail;
	is = xs_el(b, parent, b->b_xades, "IssuerSerial", NULL);
	(void)xs_el(b, is, b->b_ds, "X509IssuerName", name);
	(void)xs_el(b, is, b->b_ds, "X509SerialNumber", dec);
	goto done;
 fail:
	b->b_fail = 1;
 done:
	OPENSSL_free(dec);
	BN_free(bn);
	free(name);
	BIO_free(bio);
}

static void
xs_cert_b64(struct xs_build *b, xmlNodePtr n, X509 *cert)
{
	unsigned char	*der = NULL;
	int		 len;

	if ((len = i2d_X509(cert, &der)) <= 0) {
		b->b_fail = 1;
		return;
	}
	xs_text_b64(b, n, der, (size_t)len);
	OPENSSL_free(der);
}

static int
xs_format_time(int64_t ms, char *buf, size_t len)
{
	struct timespec	ts;
	struct tm	tm;
	time_t		t;
	int		n;

	if (ms == 0) {
		if (clock_gettime(CLOCK_REALTIME, &ts) == -1)
			return -1;
		ms = (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
	}
	t = (time_t)(ms / 1000);
	if (gmtime_r(&t, &tm) == NULL)
		return -1;
	n = snprintf(buf, len, "%04d-%02d-%02dT%02d:%02d:%02d.%03dZ",
	    tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday, tm.tm_hour,
	    tm.tm_min, tm.tm_sec, (int)(ms % 1000));
	return n < 0 || (size_t)n >= len ? -1 : 0;
}

int
xsig_sign(const struct xsig_sign_params *sp, char **xml, size_t *len)
{
	struct xs_build		 b;
	X509			*cert, *x;
	STACK_OF(X509)		*chain;
	xmlNodePtr		 root, sig, si, ref, spdv = NULL, sv, n, qp;
	xmlNodePtr		 sprops, ssp, sc, spi, spid, sdop, usp, ccr;
	xmlNodePtr		 refs, cv, ov, cert_el;
	const char		*alg_uri, *sha512_uri;
	unsigned char		 md[EVP_MAX_MD_SIZE];
	unsigned int		 mdlen = 0;
	unsigned char		*sigval = NULL, *raw = NULL;
	size_t			 siglen = 0, rawlen = 0, i;
	xmlChar			*mem = NULL;
	char			 id[64], when[40];
	int			 size = 0, rv = XSIG_ERR_INTERNAL, nchain;

	if (sp == NULL || xml == NULL || len == NULL || sp->sp_refs == NULL ||
	    sp->sp_nrefs == 0 || sp->sp_nrefs > XSIG_MAX_REFS ||
	    sp->sp_nocsp > XSIG_MAX_OCSP ||
	    (sp->sp_nocsp > 0 && sp->sp_ocsp == NULL))
		return XSIG_ERR_INTERNAL;
	for (i = 0; i < sp->sp_nrefs; i++)
		if (sp->sp_refs[i].xr_uri == NULL ||
		    sp->sp_refs[i].xr_uri[0] == '#' ||
		    sp->sp_refs[i].xr_digest == NULL)
			return XSIG_ERR_INTERNAL;
	if ((cert = signer_cert(sp->sp_signer, sp->sp_key_id)) == NULL ||
	    (chain = signer_chain(sp->sp_signer, sp->sp_key_id)) == NULL ||
	    (alg_uri = signer_sig_alg_uri(sp->sp_signer, sp->sp_key_id,
	    SIGNER_DIGEST_SHA512)) == NULL)
		return XSIG_ERR_INTERNAL;
	if (xs_format_time(sp->sp_time_ms, when, sizeof(when)) == -1)
		return XSIG_ERR_INTERNAL;
	sha512_uri = signer_digest_uri(SIGNER_DIGEST_SHA512);
	nchain = sk_X509_num(chain);

	memset(&b, 0, sizeof(b));
	if ((b.b_doc = xmlNewDoc(BAD_CAST "1.0")) == NULL)
		return XSIG_ERR_INTERNAL;
	b.b_doc->standalone = 0;
	if ((root = xmlNewDocNode(b.b_doc, NULL, BAD_CAST "XAdESSignatures",
	    NULL)) == NULL)
		goto done;
	(void)xmlDocSetRootElement(b.b_doc, root);
	xmlSetNs(root, xmlNewNs(root, BAD_CAST NS_ASIC, BAD_CAST "asic"));
	b.b_ds = xmlNewNs(root, BAD_CAST NS_DS, BAD_CAST "ds");
	b.b_xades = xmlNewNs(root, BAD_CAST NS_XADES, BAD_CAST "xades");
	if (root->ns == NULL || b.b_ds == NULL || b.b_xades == NULL ||
	    xmlNewNs(root, BAD_CAST NS_XSI, BAD_CAST "xsi") == NULL)
		goto done;

	sig = xs_el(&b, root, b.b_ds, "Signature", NULL);
	xs_attr(&b, sig, "Id", ID_SIGNATURE);
	xs_nl(&b, sig);

	/* SignedInfo (the SignedProperties digest is filled in below). */
	si = xs_el(&b, sig, b.b_ds, "SignedInfo", NULL);
	xs_nl(&b, sig);
	xs_nl(&b, si);
	n = xs_el(&b, si, b.b_ds, "CanonicalizationMethod", NULL);
	xs_attr(&b, n, "Algorithm", C14N_10);
	xs_nl(&b, si);
	n = xs_el(&b, si, b.b_ds, "SignatureMethod", NULL);
	xs_attr(&b, n, "Algorithm", alg_uri);
	xs_nl(&b, si);
	for (i = 0; i <= sp->sp_nrefs; i++) {
		ref = xs_el(&b, si, b.b_ds, "Reference", NULL);
		(void)snprintf(id, sizeof(id), "%s%zu", ID_REF_PREFIX, i);
		xs_attr(&b, ref, "Id", id);
		if (i < sp->sp_nrefs) {
			xs_attr(&b, ref, "URI", sp->sp_refs[i].xr_uri);
			xs_nl(&b, ref);
			(void)xs_digest_pair(&b, ref, sha512_uri,
			    sp->sp_refs[i].xr_digest, HASHCHAIN_DIGEST_LEN, 1);
		} else {
			xs_attr(&b, ref, "Type", TYPE_SIGNED_PROPS);
			xs_attr(&b, ref, "URI", "#" ID_SIGNED_PROPS);
			xs_nl(&b, ref);
			spdv = xs_digest_pair(&b, ref, sha512_uri, NULL, 0, 1);
		}
		xs_nl(&b, si);
	}

	sv = xs_el(&b, sig, b.b_ds, "SignatureValue", NULL);
	xs_attr(&b, sv, "Id", ID_SIG_VALUE);
	xs_nl(&b, sig);
	n = xs_el(&b, sig, b.b_ds, "KeyInfo", NULL);
	n = xs_el(&b, n, b.b_ds, "X509Data", NULL);
	n = xs_el(&b, n, b.b_ds, "X509Certificate", NULL);
	xs_cert_b64(&b, n, cert);
	xs_nl(&b, sig);

	/* QualifyingProperties. */
	n = xs_el(&b, sig, b.b_ds, "Object", NULL);
	xs_nl(&b, sig);
	qp = xs_el(&b, n, b.b_xades, "QualifyingProperties", NULL);
	xs_attr(&b, qp, "Target", "#" ID_SIGNATURE);
	sprops = xs_el(&b, qp, b.b_xades, "SignedProperties", NULL);
	xs_attr(&b, sprops, "Id", ID_SIGNED_PROPS);
	ssp = xs_el(&b, sprops, b.b_xades, "SignedSignatureProperties", NULL);
	(void)xs_el(&b, ssp, b.b_xades, "SigningTime", when);
	sc = xs_el(&b, ssp, b.b_xades, "SigningCertificate", NULL);
	sc = xs_el(&b, sc, b.b_xades, "Cert", NULL);
	if (sc != NULL)
		xs_cert_id(&b, sc, cert);
	spi = xs_el(&b, ssp, b.b_xades, "SignaturePolicyIdentifier", NULL);
	spi = xs_el(&b, spi, b.b_xades, "SignaturePolicyId", NULL);
	spid = xs_el(&b, spi, b.b_xades, "SigPolicyId", NULL);
	n = xs_el(&b, spid, b.b_xades, "Identifier", POLICY_ID);
	xs_attr(&b, n, "Qualifier", "OIDAsURN");
	(void)xs_el(&b, spid, b.b_xades, "Description", POLICY_DESC);
	n = xs_el(&b, spi, b.b_xades, "SigPolicyHash", NULL);
	n = xs_digest_pair(&b, n, sha512_uri, NULL, 0, 0);
	if (n != NULL)
		xmlNodeAddContent(n, BAD_CAST POLICY_SHA512);
	n = xs_el(&b, spi, b.b_xades, "SigPolicyQualifiers", NULL);
	n = xs_el(&b, n, b.b_xades, "SigPolicyQualifier", NULL);
	(void)xs_el(&b, n, b.b_xades, "SPURI", POLICY_SPURI);
	sdop = xs_el(&b, sprops, b.b_xades, "SignedDataObjectProperties",
	    NULL);
	for (i = 0; i < sp->sp_nrefs; i++) {
		n = xs_el(&b, sdop, b.b_xades, "DataObjectFormat", NULL);
		(void)snprintf(id, sizeof(id), "#%s%zu", ID_REF_PREFIX, i);
		xs_attr(&b, n, "ObjectReference", id);
		(void)xs_el(&b, n, b.b_xades, "MimeType",
		    sp->sp_refs[i].xr_mime != NULL ? sp->sp_refs[i].xr_mime :
		    "application/octet-stream");
	}

	/* Unsigned: intermediates and OCSP responses. */
	usp = xs_el(&b, qp, b.b_xades, "UnsignedProperties", NULL);
	usp = xs_el(&b, usp, b.b_xades, "UnsignedSignatureProperties", NULL);
	if (nchain > 0) {
		ccr = xs_el(&b, usp, b.b_xades, "CompleteCertificateRefs",
		    NULL);
		xs_attr(&b, ccr, "Id", "complete-certificate-refs");
		refs = xs_el(&b, ccr, b.b_xades, "CertRefs", NULL);
		for (i = 0; i < (size_t)nchain; i++) {
			x = sk_X509_value(chain, (int)i);
			cert_el = xs_el(&b, refs, b.b_xades, "Cert", NULL);
			(void)snprintf(id, sizeof(id), "#encapsulated-cert-%zu",
			    i + 1);
			xs_attr(&b, cert_el, "URI", id);
			if (cert_el != NULL)
				xs_cert_id(&b, cert_el, x);
		}
		cv = xs_el(&b, usp, b.b_xades, "CertificateValues", NULL);
		for (i = 0; i < (size_t)nchain; i++) {
			n = xs_el(&b, cv, b.b_xades,
			    "EncapsulatedX509Certificate", NULL);
			xs_cert_b64(&b, n, sk_X509_value(chain, (int)i));
			(void)snprintf(id, sizeof(id), "encapsulated-cert-%zu",
			    i + 1);
			xs_attr(&b, n, "Id", id);
		}
	}
	n = xs_el(&b, usp, b.b_xades, "RevocationValues", NULL);
	if (sp->sp_nocsp > 0) {
		ov = xs_el(&b, n, b.b_xades, "OCSPValues", NULL);
		for (i = 0; i < sp->sp_nocsp; i++) {
			n = xs_el(&b, ov, b.b_xades, "EncapsulatedOCSPValue",
			    NULL);
			(void)snprintf(id, sizeof(id), "ocsp-response-%zu",
			    i + 1);
			xs_attr(&b, n, "Id", id);
			if (sp->sp_ocsp[i].xd_der == NULL) {
				b.b_fail = 1;
				break;
			}
			xs_text_b64(&b, n, sp->sp_ocsp[i].xd_der,
			    sp->sp_ocsp[i].xd_len);
		}
	}
	if (b.b_fail || spdv == NULL)
		goto done;

	/* Digest of the SignedProperties, then of SignedInfo; sign. */
	if (xs_c14n_digest(b.b_doc, sprops, XML_C14N_1_0, 0, EVP_sha512(),
	    md, &mdlen) == -1)
		goto done;
	xs_text_b64(&b, spdv, md, mdlen);
	if (b.b_fail || xs_c14n_digest(b.b_doc, si, XML_C14N_1_0, 0,
	    EVP_sha512(), md, &mdlen) == -1)
		goto done;
	if (signer_sign_digest(sp->sp_signer, sp->sp_key_id,
	    SIGNER_DIGEST_SHA512, md, mdlen, &sigval, &siglen) == -1)
		goto done;
	if (signer_key_type(sp->sp_signer, sp->sp_key_id) == SIGNER_KEY_EC) {
		if (signer_ecdsa_der_to_raw(sigval, siglen,
		    signer_ecdsa_field_len(X509_get0_pubkey(cert)), &raw,
		    &rawlen) == -1)
			goto done;
		xs_text_b64(&b, sv, raw, rawlen);
	} else
		xs_text_b64(&b, sv, sigval, siglen);
	if (b.b_fail)
		goto done;

	xmlDocDumpMemoryEnc(b.b_doc, &mem, &size, "UTF-8");
	if (mem == NULL || size <= 0)
		goto done;
	if ((*xml = malloc((size_t)size + 1)) == NULL)
		goto done;
	memcpy(*xml, mem, (size_t)size);
	(*xml)[size] = '\0';
	*len = (size_t)size;
	rv = XSIG_OK;
 done:
	xmlFree(mem);
	free(sigval);
	free(raw);
	xmlFreeDoc(b.b_doc);
	return rv;
}

/* ---- verification ---- */

struct xs_verify {
	xmlDocPtr	 v_doc;
	xmlNodePtr	 v_sig;
	xmlNodePtr	 v_si;
	xmlNodePtr	 v_sprops;	/* set by the same-document reference */
	X509		*v_cert;
	char		*v_err;
	size_t		 v_errlen;
};

void
xsig_info_free(struct xsig_info *xi)
{
	size_t	i;

	if (xi == NULL)
		return;
	X509_free(xi->xi_cert);
	sk_X509_pop_free(xi->xi_extra, X509_free);
	for (i = 0; i < xi->xi_nocsp; i++)
		free(xi->xi_ocsp[i].xo_der);
	free(xi->xi_ocsp);
	free(xi);
}

/* Only whitespace text and comments between the elements of n. */
static int
xs_only_elements(xmlNodePtr n)
{
	xmlNodePtr	 c;
	const xmlChar	*p;

	for (c = n->children; c != NULL; c = c->next) {
		if (c->type == XML_ELEMENT_NODE || c->type == XML_COMMENT_NODE)
			continue;
		if (c->type != XML_TEXT_NODE)
			return 0;
		for (p = c->content; p != NULL && *p != '\0'; p++)
			if (*p != ' ' && *p != '\t' && *p != '\r' &&
			    *p != '\n')
				return 0;
	}
	return 1;
}

/* Algorithm="..." of an element, with no child elements allowed. */
static char *
xs_alg(xmlNodePtr n)
{
	xmlChar	*a;
	char	*s;

	if (n == NULL || xsd_first_elem(n) != NULL ||
	    (a = xmlGetNoNsProp(n, BAD_CAST "Algorithm")) == NULL)
		return NULL;
	s = strdup((const char *)a);
	xmlFree(a);
	return s;
}

/* Base64 text content of an element (no child elements). */
static int
xs_b64(xmlNodePtr n, unsigned char **out, size_t *outlen)
{
	char	*text;
	int	 rv;

	if (n == NULL || xsd_first_elem(n) != NULL ||
	    (text = xsd_text(n)) == NULL)
		return -1;
	rv = b64_decode(text, strlen(text), out, outlen);
	free(text);
	if (rv == 0 && *outlen == 0) {
		free(*out);
		*out = NULL;
		rv = -1;
	}
	return rv;
}

static X509 *
xs_b64_cert(xmlNodePtr n)
{
	unsigned char		*der = NULL;
	const unsigned char	*p;
	size_t			 len;
	X509			*x = NULL;

	if (xs_b64(n, &der, &len) == -1)
		return NULL;
	p = der;
	if (len <= 100000 &&
	    (x = d2i_X509(NULL, &p, (long)len)) != NULL && p != der + len) {
		X509_free(x);
		x = NULL;
	}
	ERR_clear_error();
	free(der);
	return x;
}

/* The unique element of the document whose attribute Id is id. */
static xmlNodePtr
xs_find_id(xmlDocPtr doc, const char *id, int *count)
{
	xmlNodePtr	 n, found = NULL;
	xmlChar		*v;

	*count = 0;
	n = xmlDocGetRootElement(doc);
	while (n != NULL) {
		if (n->type == XML_ELEMENT_NODE &&
		    (v = xmlGetNoNsProp(n, BAD_CAST "Id")) != NULL) {
			if (strcmp((const char *)v, id) == 0) {
				found = n;
				(*count)++;
			}
			xmlFree(v);
		}
		/* Depth-first, document order. */
		if (n->type == XML_ELEMENT_NODE && n->children != NULL)
			n = n->children;
		else {
			while (n != NULL && n->next == NULL)
				n = n->parent == (xmlNodePtr)doc ? NULL :
				    n->parent;
			if (n != NULL)
				n = n->next;
		}
	}
	return found;
}

/* Check one ds:Reference against the caller's objects. */
static int
xs_check_ref(struct xs_verify *v, xmlNodePtr ref, const struct xsig_ref *refs,
    size_t nrefs, unsigned char *used, int *nsame)
{
	xmlNodePtr	 c, tr = NULL, target;
	xmlChar		*uri = NULL, *type = NULL;
	char		*alg = NULL, *talg = NULL;
	unsigned char	*dv = NULL, md[EVP_MAX_MD_SIZE];
	unsigned int	 mdlen = 0;
	size_t		 dvlen = 0, i;
	enum signer_digest dalg;
	int		 rv = XSIG_ERR_MALFORMED, mode = XML_C14N_1_0;
	int		 comments = 0, count;

	if (!xs_only_elements(ref) ||
	    (uri = xmlGetNoNsProp(ref, BAD_CAST "URI")) == NULL ||
	    uri[0] == '\0') {
		rv = xs_fail(v->v_err, v->v_errlen, XSIG_ERR_MALFORMED,
		    "signature: Reference without URI");
		goto done;
	}
	c = xsd_first_elem(ref);
	if (c != NULL && xsd_elem_is(c, "Transforms", NS_DS)) {
		tr = c;
		c = xsd_next_elem(c);
	}
	if (!xsd_elem_is(c, "DigestMethod", NS_DS) ||
	    (alg = xs_alg(c)) == NULL ||
	    (dalg = signer_digest_from_uri(alg)) == 0) {
		rv = xs_fail(v->v_err, v->v_errlen, XSIG_ERR_MALFORMED,
		    "signature: bad DigestMethod in reference to %.200s",
		    (const char *)uri);
		goto done;
	}
	c = xsd_next_elem(c);
	if (!xsd_elem_is(c, "DigestValue", NS_DS) ||
	    xs_b64(c, &dv, &dvlen) == -1 || dvlen != signer_digest_len(dalg) ||
	    xsd_next_elem(c) != NULL) {
		rv = xs_fail(v->v_err, v->v_errlen, XSIG_ERR_MALFORMED,
		    "signature: bad DigestValue in reference to %.200s",
		    (const char *)uri);
		goto done;
	}

	if (uri[0] != '#') {
		/* An external data object: its digest came from the caller. */
		if (tr != NULL || dalg != SIGNER_DIGEST_SHA512) {
			rv = xs_fail(v->v_err, v->v_errlen,
			    XSIG_ERR_MALFORMED, "signature: reference to "
			    "%.200s must be plain SHA-512", (const char *)uri);
			goto done;
		}
		for (i = 0; i < nrefs; i++)
			if (strcmp(refs[i].xr_uri, (const char *)uri) == 0)
				break;
		if (i == nrefs || used[i]) {
			rv = xs_fail(v->v_err, v->v_errlen,
			    XSIG_ERR_REFERENCE, "signature: %s reference to "
			    "%.200s", i == nrefs ? "unexpected" : "duplicate",
			    (const char *)uri);
			goto done;
		}
		used[i] = 1;
		if (memcmp(dv, refs[i].xr_digest, dvlen) != 0) {
			rv = xs_fail(v->v_err, v->v_errlen,
			    XSIG_ERR_REFERENCE, "signature: digest of %.200s "
			    "does not match", (const char *)uri);
			goto done;
		}
		rv = XSIG_OK;
		goto done;
	}

	/* The same-document reference: this signature's SignedProperties. */
	if (++*nsame > 1) {
		rv = xs_fail(v->v_err, v->v_errlen, XSIG_ERR_MALFORMED,
		    "signature: more than one same-document reference");
		goto done;
	}
	target = xs_find_id(v->v_doc, (const char *)uri + 1, &count);
	if (count != 1 || !xsd_elem_is(target, "SignedProperties", NS_XADES) ||
	    !xsd_elem_is(target->parent, "QualifyingProperties", NS_XADES) ||
	    !xsd_elem_is(target->parent->parent, "Object", NS_DS) ||
	    target->parent->parent->parent != v->v_sig) {
		rv = xs_fail(v->v_err, v->v_errlen, XSIG_ERR_MALFORMED,
		    "signature: %.200s is not this signature's unique "
		    "SignedProperties", (const char *)uri);
		goto done;
	}
	if ((type = xmlGetNoNsProp(ref, BAD_CAST "Type")) != NULL &&
	    strcmp((const char *)type, TYPE_SIGNED_PROPS) != 0) {
		rv = xs_fail(v->v_err, v->v_errlen, XSIG_ERR_MALFORMED,
		    "signature: reference type %.200s", (const char *)type);
		goto done;
	}
	if (tr != NULL) {
		/* One canonicalisation transform at most. */
		c = xsd_first_elem(tr);
		if (!xs_only_elements(tr) ||
		    !xsd_elem_is(c, "Transform", NS_DS) ||
		    xsd_next_elem(c) != NULL || (talg = xs_alg(c)) == NULL ||
		    xs_c14n_mode(talg, &mode, &comments) == -1) {
			rv = xs_fail(v->v_err, v->v_errlen,
			    XSIG_ERR_MALFORMED, "signature: unsupported "
			    "transform on %.200s", (const char *)uri);
			goto done;
		}
	}
	if (xs_c14n_digest(v->v_doc, target, mode, comments,
	    signer_digest_md(dalg), md, &mdlen) == -1) {
		rv = XSIG_ERR_INTERNAL;
		goto done;
	}
	if (mdlen != dvlen || memcmp(md, dv, dvlen) != 0) {
		rv = xs_fail(v->v_err, v->v_errlen, XSIG_ERR_REFERENCE,
		    "signature: digest of the signed properties does not "
		    "match");
		goto done;
	}
	v->v_sprops = target;
	rv = XSIG_OK;
 done:
	xmlFree(uri);
	xmlFree(type);
	free(alg);
	free(talg);
	free(dv);
	return rv;
}

/* SignatureValue against the KeyInfo cert. */
static int
xs_check_value(struct xs_verify *v, const char *c14n_uri,
    const char *sig_uri, xmlNodePtr sv)
{
	EVP_PKEY		*pub;
	EVP_PKEY_CTX		*ctx = NULL;
	enum signer_key_type	 type;
	enum signer_digest	 alg;
	unsigned char		 md[EVP_MAX_MD_SIZE];
	unsigned char		*sig = NULL, *der = NULL;
	unsigned int		 mdlen = 0;
	size_t			 siglen = 0, derlen = 0, field;
	int			 mode, comments, rv = XSIG_ERR_SIGNATURE, base;

	if (xs_c14n_mode(c14n_uri, &mode, &comments) == -1)
		return xs_fail(v->v_err, v->v_errlen, XSIG_ERR_MALFORMED,
		    "signature: canonicalization %.200s not supported",
		    c14n_uri);
	if (signer_sig_alg_parse(sig_uri, &type, &alg) == -1)
		return xs_fail(v->v_err, v->v_errlen, XSIG_ERR_MALFORMED,
		    "signature: signature method %.200s not supported",
		    sig_uri);
	pub = X509_get0_pubkey(v->v_cert);
	base = pub == NULL ? 0 : EVP_PKEY_get_base_id(pub);
	if ((type == SIGNER_KEY_RSA && base != EVP_PKEY_RSA) ||
	    (type == SIGNER_KEY_EC && base != EVP_PKEY_EC))
		return xs_fail(v->v_err, v->v_errlen, XSIG_ERR_CERT,
		    "signature: signing cert key does not fit %.200s",
		    sig_uri);
	if (xs_b64(sv, &sig, &siglen) == -1 || siglen > SIGNER_SIG_MAX)
		return xs_fail(v->v_err, v->v_errlen, XSIG_ERR_MALFORMED,
		    "signature: bad SignatureValue");
	if (xs_c14n_digest(v->v_doc, v->v_si, mode, comments,
	    signer_digest_md(alg), md, &mdlen) == -1) {
		rv = XSIG_ERR_INTERNAL;
		goto done;
	}
	if (type == SIGNER_KEY_EC) {
		field = signer_ecdsa_field_len(pub);
		if (siglen != 2 * field || signer_ecdsa_raw_to_der(sig,
		    siglen, &der, &derlen) == -1) {
			rv = xs_fail(v->v_err, v->v_errlen,
			    XSIG_ERR_SIGNATURE, "signature: ECDSA value of "
			    "%zu bytes", siglen);
			goto done;
		}
		free(sig);
		sig = der;
		siglen = derlen;
		der = NULL;
	}
	if ((ctx = EVP_PKEY_CTX_new(pub, NULL)) == NULL ||
	    EVP_PKEY_verify_init(ctx) <= 0 ||
	    (type == SIGNER_KEY_RSA &&
	    EVP_PKEY_CTX_set_rsa_padding(ctx, RSA_PKCS1_PADDING) <= 0) ||
	    EVP_PKEY_CTX_set_signature_md(ctx, signer_digest_md(alg)) <= 0) {
		rv = XSIG_ERR_INTERNAL;
		goto done;
	}
	if (EVP_PKEY_verify(ctx, sig, siglen, md, mdlen) != 1) {
		rv = xs_fail(v->v_err, v->v_errlen, XSIG_ERR_SIGNATURE,
		    "signature: signature value is not valid");
		goto done;
	}
	rv = XSIG_OK;
 done:
	ERR_clear_error();
	EVP_PKEY_CTX_free(ctx);
	free(sig);
	free(der);
	return rv;
}

/* One xades:Cert of SigningCertificate: does it name v_cert? */
static int
xs_cert_matches(struct xs_verify *v, xmlNodePtr certel)
{
	xmlNodePtr	 cd, c;
	char		*alg = NULL, *text = NULL;
	unsigned char	*dv = NULL, md[EVP_MAX_MD_SIZE];
	unsigned int	 mdlen = 0;
	size_t		 dvlen = 0;
	enum signer_digest dalg;
	BIGNUM		*want = NULL, *have = NULL;
	int		 ok = 0;

	cd = xsd_first_elem(certel);
	if (!xsd_elem_is(cd, "CertDigest", NS_XADES))
		return 0;
	c = xsd_first_elem(cd);
	if (!xsd_elem_is(c, "DigestMethod", NS_DS) ||
	    (alg = xs_alg(c)) == NULL ||
	    (dalg = signer_digest_from_uri(alg)) == 0)
		goto done;
	c = xsd_next_elem(c);
	if (!xsd_elem_is(c, "DigestValue", NS_DS) ||
	    xs_b64(c, &dv, &dvlen) == -1)
		goto done;
	if (!X509_digest(v->v_cert, signer_digest_md(dalg), md, &mdlen) ||
	    mdlen != dvlen || memcmp(md, dv, dvlen) != 0)
		goto done;
	/* IssuerSerial (v1): the serial must agree too. */
	c = xsd_next_elem(cd);
	if (xsd_elem_is(c, "IssuerSerial", NS_XADES)) {
		c = xsd_first_elem(c);
		if (c != NULL && xsd_elem_is(c, "X509IssuerName", NS_DS))
			c = xsd_next_elem(c);
		if (!xsd_elem_is(c, "X509SerialNumber", NS_DS) ||
		    (text = xsd_text(c)) == NULL ||
		    BN_dec2bn(&want, text) == 0 ||
		    strlen(text) != strspn(text, "0123456789") ||
		    (have = ASN1_INTEGER_to_BN(
		    X509_get0_serialNumber(v->v_cert), NULL)) == NULL ||
		    BN_cmp(want, have) != 0)
			goto done;
	}
	ok = 1;
 done:
	ERR_clear_error();
	BN_free(want);
	BN_free(have);
	free(alg);
	free(text);
	free(dv);
	return ok;
}

/* SigningTime and SigningCertificate from the signed properties. */
static int
xs_check_props(struct xs_verify *v, struct xsig_info *xi)
{
	xmlNodePtr	 ssp, c, certel;
	char		*text;
	int		 bound = 0, rv;

	ssp = xsd_first_elem(v->v_sprops);
	if (!xsd_elem_is(ssp, "SignedSignatureProperties", NS_XADES))
		return xs_fail(v->v_err, v->v_errlen, XSIG_ERR_MALFORMED,
		    "signature: no SignedSignatureProperties");
	for (c = xsd_first_elem(ssp); c != NULL; c = xsd_next_elem(c)) {
		if (xsd_elem_is(c, "SigningTime", NS_XADES)) {
			if ((text = xsd_text(c)) == NULL)
				return XSIG_ERR_INTERNAL;
			rv = xsd_parse_datetime(text, &xi->xi_signing_time);
			free(text);
			if (rv == -1)
				return xs_fail(v->v_err, v->v_errlen,
				    XSIG_ERR_MALFORMED,
				    "signature: bad SigningTime");
		} else if (xsd_elem_is(c, "SigningCertificate", NS_XADES) ||
		    xsd_elem_is(c, "SigningCertificateV2", NS_XADES)) {
			for (certel = xsd_first_elem(c); certel != NULL &&
			    !bound; certel = xsd_next_elem(certel))
				if (xsd_elem_is(certel, "Cert", NS_XADES))
					bound = xs_cert_matches(v, certel);
		}
	}
	if (!bound)
		return xs_fail(v->v_err, v->v_errlen, XSIG_ERR_CERT,
		    "signature: SigningCertificate does not name the KeyInfo "
		    "certificate");
	return XSIG_OK;
}

/* Intermediates and OCSP responses from the unsigned properties. */
static int
xs_collect_unsigned(struct xs_verify *v, struct xsig_info *xi)
{
	xmlNodePtr	 up, usp, c, d, e;
	X509		*x;
	struct xsig_ocsp *o;

	for (up = xsd_first_elem(v->v_sprops->parent); up != NULL;
	    up = xsd_next_elem(up))
		if (xsd_elem_is(up, "UnsignedProperties", NS_XADES))
			break;
	if (up == NULL)
		return XSIG_OK;
	for (usp = xsd_first_elem(up); usp != NULL; usp = xsd_next_elem(usp)) {
		if (!xsd_elem_is(usp, "UnsignedSignatureProperties", NS_XADES))
			continue;
		for (c = xsd_first_elem(usp); c != NULL; c = xsd_next_elem(c)) {
			if (xsd_elem_is(c, "CertificateValues", NS_XADES)) {
				for (d = xsd_first_elem(c); d != NULL;
				    d = xsd_next_elem(d)) {
					if (!xsd_elem_is(d,
					    "EncapsulatedX509Certificate",
					    NS_XADES))
						continue;
					if (sk_X509_num(xi->xi_extra) >=
					    XSIG_MAX_CERTS)
						return xs_fail(v->v_err,
						    v->v_errlen,
						    XSIG_ERR_MALFORMED,
						    "signature: too many certs");
					if ((x = xs_b64_cert(d)) == NULL)
						return xs_fail(v->v_err,
						    v->v_errlen,
						    XSIG_ERR_MALFORMED,
						    "signature: bad "
						    "EncapsulatedX509Certificate");
					if (!sk_X509_push(xi->xi_extra, x)) {
						X509_free(x);
						return XSIG_ERR_INTERNAL;
					}
				}
			} else if (xsd_elem_is(c, "RevocationValues",
			    NS_XADES)) {
				for (d = xsd_first_elem(c); d != NULL;
				    d = xsd_next_elem(d)) {
					if (!xsd_elem_is(d, "OCSPValues",
					    NS_XADES))
						continue;
					for (e = xsd_first_elem(d); e != NULL;
					    e = xsd_next_elem(e)) {
						if (!xsd_elem_is(e,
						    "EncapsulatedOCSPValue",
						    NS_XADES))
							continue;
						if (xi->xi_nocsp >=
						    XSIG_MAX_OCSP)
							return xs_fail(
							    v->v_err,
							    v->v_errlen,
							    XSIG_ERR_MALFORMED,
							    "signature: too "
							    "many OCSP "
							    "responses");
						o = &xi->xi_ocsp[xi->xi_nocsp];
						if (xs_b64(e, &o->xo_der,
						    &o->xo_len) == -1)
							return xs_fail(
							    v->v_err,
							    v->v_errlen,
							    XSIG_ERR_MALFORMED,
							    "signature: bad "
							    "OCSP value");
						xi->xi_nocsp++;
					}
				}
			}
		}
	}
	return XSIG_OK;
}

int
xsig_verify(const void *xml, size_t len, const struct xsig_ref *refs,
    size_t nrefs, struct xsig_info **info, char *err, size_t errlen)
{
	struct xs_verify	 v;
	struct xsig_info	*xi = NULL;
	xmlNodePtr		 root, c, cm, sm, sv, ki, kc;
	char			*c14n_uri = NULL, *sig_uri = NULL;
	unsigned char		 used[XSIG_MAX_REFS];
	char			 perr[256];
	xmlChar			*target = NULL, *sigid = NULL;
	size_t			 i;
	int			 rv, nsame = 0, nref = 0;

	if (info != NULL)
		*info = NULL;
	(void)xs_fail(err, errlen, XSIG_ERR_INTERNAL, "signature: internal "
	    "error");
	if (xml == NULL || info == NULL || refs == NULL || nrefs == 0 ||
	    nrefs > XSIG_MAX_REFS)
		return XSIG_ERR_INTERNAL;
	for (i = 0; i < nrefs; i++)
		if (refs[i].xr_uri == NULL || refs[i].xr_digest == NULL)
			return XSIG_ERR_INTERNAL;
	if (len > XSIG_XML_MAX)
		return xs_fail(err, errlen, XSIG_ERR_MALFORMED,
		    "signature: document too large");
	memset(&v, 0, sizeof(v));
	memset(used, 0, sizeof(used));
	v.v_err = err;
	v.v_errlen = errlen;

	if ((v.v_doc = xsd_read_doc(xml, len, perr, sizeof(perr))) == NULL) {
		rv = xs_fail(err, errlen, XSIG_ERR_MALFORMED, "signature: %s",
		    perr);
		goto done;
	}
	if ((xi = calloc(1, sizeof(*xi))) == NULL ||
	    (xi->xi_extra = sk_X509_new_null()) == NULL ||
	    (xi->xi_ocsp = calloc(XSIG_MAX_OCSP, sizeof(*xi->xi_ocsp))) ==
	    NULL) {
		rv = XSIG_ERR_INTERNAL;
		goto done;
	}

	/* asic:XAdESSignatures around exactly one ds:Signature, or bare. */
	root = xmlDocGetRootElement(v.v_doc);
	if (xsd_elem_is(root, "XAdESSignatures", NS_ASIC) ||
	    xsd_elem_is(root, "XAdESSignatures", NS_ASIC_OLD)) {
		c = xsd_first_elem(root);
		if (!xs_only_elements(root) || c == NULL ||
		    xsd_next_elem(c) != NULL) {
			rv = xs_fail(err, errlen, XSIG_ERR_MALFORMED,
			    "signature: XAdESSignatures must hold one "
			    "signature");
			goto done;
		}
		v.v_sig = c;
	} else
		v.v_sig = root;
	if (!xsd_elem_is(v.v_sig, "Signature", NS_DS) ||
	    !xs_only_elements(v.v_sig)) {
		rv = xs_fail(err, errlen, XSIG_ERR_MALFORMED,
		    "signature: no ds:Signature");
		goto done;
	}

	/* Signature: SignedInfo, SignatureValue, KeyInfo, Object... */
	v.v_si = xsd_first_elem(v.v_sig);
	sv = v.v_si == NULL ? NULL : xsd_next_elem(v.v_si);
	ki = sv == NULL ? NULL : xsd_next_elem(sv);
	if (!xsd_elem_is(v.v_si, "SignedInfo", NS_DS) ||
	    !xsd_elem_is(sv, "SignatureValue", NS_DS) ||
	    !xsd_elem_is(ki, "KeyInfo", NS_DS) ||
	    !xs_only_elements(v.v_si)) {
		rv = xs_fail(err, errlen, XSIG_ERR_MALFORMED, "signature: "
		    "SignedInfo, SignatureValue and KeyInfo expected");
		goto done;
	}
	cm = xsd_first_elem(v.v_si);
	sm = cm == NULL ? NULL : xsd_next_elem(cm);
	if (!xsd_elem_is(cm, "CanonicalizationMethod", NS_DS) ||
	    !xsd_elem_is(sm, "SignatureMethod", NS_DS) ||
	    (c14n_uri = xs_alg(cm)) == NULL ||
	    (sig_uri = xs_alg(sm)) == NULL) {
		rv = xs_fail(err, errlen, XSIG_ERR_MALFORMED, "signature: "
		    "bad CanonicalizationMethod or SignatureMethod");
		goto done;
	}
	if (strlen(sig_uri) >= sizeof(xi->xi_sig_alg)) {
		rv = xs_fail(err, errlen, XSIG_ERR_MALFORMED,
		    "signature: signature method too long");
		goto done;
	}
	memcpy(xi->xi_sig_alg, sig_uri, strlen(sig_uri) + 1);

	/* The signing cert: first X509Certificate in KeyInfo. */
	kc = xsd_first_elem(ki);
	if (xsd_elem_is(kc, "X509Data", NS_DS)) {
		for (kc = xsd_first_elem(kc); kc != NULL;
		    kc = xsd_next_elem(kc))
			if (xsd_elem_is(kc, "X509Certificate", NS_DS))
				break;
	} else
		kc = NULL;
	if (kc == NULL || (v.v_cert = xs_b64_cert(kc)) == NULL) {
		rv = xs_fail(err, errlen, XSIG_ERR_CERT,
		    "signature: no readable signing certificate in KeyInfo");
		goto done;
	}

	/* References. */
	for (c = xsd_next_elem(sm); c != NULL; c = xsd_next_elem(c)) {
		if (!xsd_elem_is(c, "Reference", NS_DS)) {
			rv = xs_fail(err, errlen, XSIG_ERR_MALFORMED,
			    "signature: unexpected element in SignedInfo");
			goto done;
		}
		if (++nref > XSIG_MAX_REFS + 1) {
			rv = xs_fail(err, errlen, XSIG_ERR_MALFORMED,
			    "signature: too many references");
			goto done;
		}
		if ((rv = xs_check_ref(&v, c, refs, nrefs, used, &nsame)) !=
		    XSIG_OK)
			goto done;
	}
	for (i = 0; i < nrefs; i++)
		if (!used[i]) {
			rv = xs_fail(err, errlen, XSIG_ERR_REFERENCE,
			    "signature: %.200s is not signed", refs[i].xr_uri);
			goto done;
		}
	if (v.v_sprops == NULL) {
		rv = xs_fail(err, errlen, XSIG_ERR_MALFORMED,
		    "signature: signed properties are not signed");
		goto done;
	}
	/* QualifyingProperties must target this signature, if it has an Id. */
	if ((sigid = xmlGetNoNsProp(v.v_sig, BAD_CAST "Id")) != NULL &&
	    ((target = xmlGetNoNsProp(v.v_sprops->parent,
	    BAD_CAST "Target")) == NULL || target[0] != '#' ||
	    strcmp((const char *)target + 1, (const char *)sigid) != 0)) {
		rv = xs_fail(err, errlen, XSIG_ERR_MALFORMED,
		    "signature: QualifyingProperties target another "
		    "signature");
		goto done;
	}

	if ((rv = xs_check_value(&v, c14n_uri, sig_uri, sv)) != XSIG_OK)
		goto done;
	if ((rv = xs_check_props(&v, xi)) != XSIG_OK)
		goto done;
	if ((rv = xs_collect_unsigned(&v, xi)) != XSIG_OK)
		goto done;

	xi->xi_cert = v.v_cert;
	v.v_cert = NULL;
	*info = xi;
	xi = NULL;
	(void)xs_fail(err, errlen, XSIG_OK, "ok");
	rv = XSIG_OK;
 done:
	xmlFree(sigid);
	xmlFree(target);
	free(c14n_uri);
	free(sig_uri);
	X509_free(v.v_cert);
	xsig_info_free(xi);
	xmlFreeDoc(v.v_doc);
	return rv;
}

int
xsig_verify_message(const void *sig_xml, size_t sig_len, const void *hcr_xml,
    size_t hcr_len, const void *hc_xml, size_t hc_len,
    const unsigned char *parts, size_t nparts, struct xsig_info **info,
    char *err, size_t errlen)
{
	struct hashchain_input	*in = NULL;
	struct xsig_ref		 ref;
	char			(*names)[32] = NULL;
	unsigned char		 md[HASHCHAIN_DIGEST_LEN];
	size_t			 i;
	int			 rv;

	if (info != NULL)
		*info = NULL;
	if (sig_xml == NULL || parts == NULL || nparts == 0 ||
	    nparts > HASHCHAIN_MAX_PARTS || info == NULL)
		return xs_fail(err, errlen, XSIG_ERR_INTERNAL,
		    "signature: bad arguments");
	memset(&ref, 0, sizeof(ref));
	if (hcr_xml == NULL) {
		if (hc_xml != NULL || nparts != 1)
			return xs_fail(err, errlen, XSIG_ERR_MALFORMED,
			    "signature: a message with attachments needs a "
			    "hash chain");
		ref.xr_uri = XSIG_URI_MESSAGE;
		ref.xr_digest = parts;
		return xsig_verify(sig_xml, sig_len, &ref, 1, info, err,
		    errlen);
	}
	if (hc_xml == NULL)
		return xs_fail(err, errlen, XSIG_ERR_MALFORMED,
		    "signature: hash chain result without hash chain");

	if ((in = calloc(nparts, sizeof(*in))) == NULL ||
	    (names = calloc(nparts, sizeof(*names))) == NULL) {
		rv = XSIG_ERR_INTERNAL;
		goto done;
	}
	for (i = 0; i < nparts; i++) {
		if (i == 0)
			(void)snprintf(names[i], sizeof(names[i]), "%s",
			    XSIG_URI_MESSAGE);
		else
			(void)snprintf(names[i], sizeof(names[i]),
			    "/attachment%zu", i);
		in[i].hi_uri = names[i];
		in[i].hi_digest = parts + i * HASHCHAIN_DIGEST_LEN;
	}
	if (hashchain_verify(hcr_xml, hcr_len, hc_xml, hc_len,
	    XSIG_URI_HASHCHAIN, in, nparts, err, errlen) == -1) {
		rv = XSIG_ERR_HASHCHAIN;
		goto done;
	}
	if (!EVP_Digest(hcr_xml, hcr_len, md, NULL, EVP_sha512(), NULL)) {
		rv = XSIG_ERR_INTERNAL;
		goto done;
	}
	ref.xr_uri = XSIG_URI_HASHCHAIN_RESULT;
	ref.xr_digest = md;
	rv = xsig_verify(sig_xml, sig_len, &ref, 1, info, err, errlen);
 done:
	free(in);
	free(names);
	return rv;
}
