/* Unit tests for xsig.c: XAdES message signatures. */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/x509.h>

#include <libxml/tree.h>

#include "b64.h"
#include "hashchain.h"
#include "hk_check.h"
#include "signer.h"
#include "sigtest.h"
#include "xsd.h"
#include "xsig.h"

#define KEY	"PS/GOV/MTIT"
/* 2026-01-02T03:04:05.678Z */
#define WHEN_MS	1767323045678LL

struct fixture {
	struct sigtest_key	 k;
	struct signer		*sg;
	unsigned char		 msg[64];
	unsigned char		*ocsp;
	size_t			 ocsplen;
	char			*xml;
	size_t			 len;
};

static void
fixture_init(struct fixture *f, int rsa)
{
	struct testpki_ocsp_opts	o;
	struct xsig_sign_params		sp;
	struct xsig_ref			ref;
	struct xsig_der			der;

	memset(f, 0, sizeof(*f));
	sigtest_key_new(&f->k, rsa, "/C=PS/O=GOV/CN=MTIT");
	f->sg = signer_new();
	sigtest_key_add(f->sg, KEY, &f->k);
	sigtest_sha512("<soap>hello</soap>", 18, f->msg);
	testpki_ocsp_opts_init(&o);
	f->ocsp = testpki_ocsp_response(f->k.leaf.cert, f->k.ca.cert, &f->k.ca,
	    &o, &f->ocsplen);

	memset(&sp, 0, sizeof(sp));
	ref.xr_uri = XSIG_URI_MESSAGE;
	ref.xr_digest = f->msg;
	ref.xr_mime = XSIG_MIME_XML;
	der.xd_der = f->ocsp;
	der.xd_len = f->ocsplen;
	sp.sp_signer = f->sg;
	sp.sp_key_id = KEY;
	sp.sp_refs = &ref;
	sp.sp_nrefs = 1;
	sp.sp_ocsp = &der;
	sp.sp_nocsp = 1;
	sp.sp_time_ms = WHEN_MS;
	ck_assert_int_eq(xsig_sign(&sp, &f->xml, &f->len), 0);
	ck_assert_uint_eq(strlen(f->xml), f->len);
	ck_assert_uint_eq(signer_sign_count(f->sg), 1);
}

static void
fixture_clear(struct fixture *f)
{
	free(f->xml);
	free(f->ocsp);
	signer_free(f->sg);
	sigtest_key_clear(&f->k);
}

static int
verify(const char *xml, size_t len, const unsigned char *digest,
    struct xsig_info **xi, char *err, size_t errlen)
{
	struct xsig_ref	ref;

	ref.xr_uri = XSIG_URI_MESSAGE;
	ref.xr_digest = digest;
	ref.xr_mime = NULL;
	return xsig_verify(xml, len, &ref, 1, xi, err, errlen);
}

/* Replace the first occurrence of from (after the first occurrence of
 * after, if given) with to. */
static char *
patched(const struct fixture *f, const char *after, const char *from,
    const char *to)
{
	char	*copy, *p = f->xml;
	size_t	 pre, len;

	if (after != NULL) {
		p = strstr(p, after);
		ck_assert_msg(p != NULL, "no %s", after);
	}
	p = strstr(p, from);
	ck_assert_msg(p != NULL, "no %s", from);
	pre = (size_t)(p - f->xml);
	len = f->len - strlen(from) + strlen(to);
	copy = malloc(len + 1);
	memcpy(copy, f->xml, pre);
	memcpy(copy + pre, to, strlen(to));
	memcpy(copy + pre + strlen(to), p + strlen(from),
	    f->len - pre - strlen(from) + 1);
	return copy;
}

/* Flip one base64 character inside the element that starts with tag. */
static char *
flip_b64(const struct fixture *f, const char *tag, size_t offset)
{
	char	*copy = strdup(f->xml), *p;

	p = strstr(copy, tag);
	ck_assert_ptr_nonnull(p);
	p = strchr(p, '>') + 1 + offset;
	*p = *p == 'A' ? 'B' : 'A';
	return copy;
}

static void
check_round_trip(int rsa)
{
	struct fixture		 f;
	struct xsig_info	*xi = NULL;
	char			 err[256];
	time_t			 when = (time_t)(WHEN_MS / 1000);

	fixture_init(&f, rsa);
	ck_assert_msg(verify(f.xml, f.len, f.msg, &xi, err, sizeof(err)) == 0,
	    "%s\n%s", err, f.xml);
	ck_assert_ptr_nonnull(xi);
	ck_assert_int_eq(X509_cmp(xi->xi_cert, f.k.leaf.cert), 0);
	ck_assert_int_eq(sk_X509_num(xi->xi_extra), 1);
	ck_assert_int_eq(X509_cmp(sk_X509_value(xi->xi_extra, 0), f.k.ca.cert),
	    0);
	ck_assert_uint_eq(xi->xi_nocsp, 1);
	ck_assert_uint_eq(xi->xi_ocsp[0].xo_len, f.ocsplen);
	ck_assert_mem_eq(xi->xi_ocsp[0].xo_der, f.ocsp, f.ocsplen);
	ck_assert_int_eq((long)xi->xi_signing_time, (long)when);
	ck_assert_str_eq(xi->xi_sig_alg, rsa ?
	    "http://www.w3.org/2001/04/xmldsig-more#rsa-sha512" :
	    "http://www.w3.org/2001/04/xmldsig-more#ecdsa-sha512");
	xsig_info_free(xi);
	xsig_info_free(NULL);
	fixture_clear(&f);
}

START_TEST(test_rsa_round_trip)
{
	check_round_trip(1);
}
END_TEST

START_TEST(test_ec_round_trip)
{
	check_round_trip(0);
}
END_TEST

/* The structure X-Road writes (SignatureXmlBuilder). */
START_TEST(test_structure)
{
	struct fixture	 f;
	const char	*want[] = {
		"<asic:XAdESSignatures xmlns:asic=\"http://uri.etsi.org/02918/"
		    "v1.2.1#\"",
		"xmlns:ds=\"http://www.w3.org/2000/09/xmldsig#\"",
		"xmlns:xades=\"http://uri.etsi.org/01903/v1.3.2#\"",
		"<ds:Signature Id=\"signature\">",
		"<ds:CanonicalizationMethod Algorithm=\"http://www.w3.org/TR/"
		    "2001/REC-xml-c14n-20010315\"/>",
		"<ds:Reference Id=\"signature-reference-0\" "
		    "URI=\"/message.xml\">",
		"<ds:Reference Id=\"signature-reference-1\" Type=\"http://uri."
		    "etsi.org/01903#SignedProperties\" URI=\"#signed-properties\">",
		"<ds:DigestMethod Algorithm=\"http://www.w3.org/2001/04/"
		    "xmlenc#sha512\"/>",
		"<ds:SignatureValue Id=\"signature-value\">",
		"<ds:KeyInfo><ds:X509Data><ds:X509Certificate>",
		"<xades:QualifyingProperties Target=\"#signature\">"
		    "<xades:SignedProperties Id=\"signed-properties\">",
		"<xades:SigningTime>2026-01-02T03:04:05.678Z</xades:SigningTime>",
		"<xades:SigningCertificate><xades:Cert><xades:CertDigest>",
		"<ds:X509IssuerName>CN=Test Issuing CA,O=Test,C=PS"
		    "</ds:X509IssuerName>",
		"<xades:Identifier Qualifier=\"OIDAsURN\">urn:oid:1.3.6.1.4.1."
		    "3516.16.2</xades:Identifier>",
		"<xades:Description>Profile for High Performance Digital "
		    "Signatures (version 1.2)</xades:Description>",
		"<xades:SPURI>https://repo.cyber.ee/dsig-profile-1.2.pdf"
		    "</xades:SPURI>",
		"<xades:DataObjectFormat ObjectReference=\"#signature-reference-"
		    "0\"><xades:MimeType>text/xml</xades:MimeType>",
		"<xades:CompleteCertificateRefs Id=\"complete-certificate-refs\">"
		    "<xades:CertRefs><xades:Cert URI=\"#encapsulated-cert-1\">",
		"<xades:EncapsulatedX509Certificate Id=\"encapsulated-cert-1\">",
		"<xades:RevocationValues><xades:OCSPValues>"
		    "<xades:EncapsulatedOCSPValue Id=\"ocsp-response-1\">",
	};
	size_t		 i;

	fixture_init(&f, 1);
	for (i = 0; i < sizeof(want) / sizeof(want[0]); i++)
		ck_assert_msg(strstr(f.xml, want[i]) != NULL, "missing %s in\n%s",
		    want[i], f.xml);
	fixture_clear(&f);
}
END_TEST

/* ds:Signature validates against xades-schema.xsd + xmldsig. */
START_TEST(test_schema)
{
	struct fixture	 f;
	struct xsd	*x;
	xmlDocPtr	 doc, sdoc;
	xmlNodePtr	 sig;
	char		 err[256];

	fixture_init(&f, 0);
	x = xsd_load(sigtest_schema_dir(), "xades-schema.xsd", err,
	    sizeof(err));
	ck_assert_msg(x != NULL, "%s", err);
	doc = xsd_read_doc(f.xml, f.len, err, sizeof(err));
	ck_assert_ptr_nonnull(doc);
	sig = xsd_first_elem(xmlDocGetRootElement(doc));
	ck_assert(xsd_elem_is(sig, "Signature",
	    "http://www.w3.org/2000/09/xmldsig#"));
	sdoc = xmlNewDoc(BAD_CAST "1.0");
	xmlDocSetRootElement(sdoc, xmlDocCopyNode(sig, sdoc, 1));
	ck_assert_msg(xsd_validate(x, sdoc, err, sizeof(err)) == 0, "%s", err);
	xmlFreeDoc(sdoc);
	xmlFreeDoc(doc);
	xsd_free(x);
	fixture_clear(&f);
}
END_TEST

START_TEST(test_tampering)
{
	struct fixture		 f;
	struct xsig_info	*xi = NULL;
	unsigned char		 wrong[64];
	char			 err[256], *bad;
	int			 rv;

	fixture_init(&f, 1);

	/* A flipped byte in the data. */
	memcpy(wrong, f.msg, 64);
	wrong[0] ^= 1;
	ck_assert_int_eq(verify(f.xml, f.len, wrong, &xi, err, sizeof(err)),
	    XSIG_ERR_REFERENCE);
	ck_assert_ptr_null(xi);

	/* A change in SignedInfo that keeps every reference intact. */
	bad = patched(&f, NULL, "signature-reference-0",
	    "signature-reference-7");
	ck_assert_int_eq(verify(bad, strlen(bad), f.msg, &xi, err, sizeof(err)),
	    XSIG_ERR_SIGNATURE);
	free(bad);
	/* A flipped digest inside SignedInfo. */
	bad = flip_b64(&f, "<ds:DigestValue", 10);
	ck_assert_int_eq(verify(bad, strlen(bad), f.msg, &xi, err, sizeof(err)),
	    XSIG_ERR_REFERENCE);
	free(bad);

	/* A flipped byte in SignatureValue. */
	bad = flip_b64(&f, "<ds:SignatureValue", 20);
	ck_assert_int_eq(verify(bad, strlen(bad), f.msg, &xi, err, sizeof(err)),
	    XSIG_ERR_SIGNATURE);
	free(bad);

	/* A flipped byte in the certificate (in its signature, so it
	 * still parses): not the cert SigningCertificate names. */
	{
		char	*p, *q;

		bad = strdup(f.xml);
		p = strstr(bad, "<ds:X509Certificate>");
		q = strstr(p, "</ds:X509Certificate>");
		q -= 12;
		*q = *q == 'A' ? 'B' : 'A';
		rv = verify(bad, strlen(bad), f.msg, &xi, err, sizeof(err));
		ck_assert_int_eq(rv, XSIG_ERR_CERT);
		free(bad);
	}

	/* A change in the signed properties. */
	bad = patched(&f, NULL, "2026-01-02T03:04:05.678Z",
	    "2026-01-02T03:04:06.678Z");
	ck_assert_int_eq(verify(bad, strlen(bad), f.msg, &xi, err, sizeof(err)),
	    XSIG_ERR_REFERENCE);
	free(bad);
	bad = patched(&f, NULL, "<xades:MimeType>text/xml",
	    "<xades:MimeType>text/xm1");
	ck_assert_int_eq(verify(bad, strlen(bad), f.msg, &xi, err, sizeof(err)),
	    XSIG_ERR_REFERENCE);
	free(bad);

	/* Another signed object name. */
	bad = patched(&f, NULL, "URI=\"/message.xml\"", "URI=\"/massage.xml\"");
	ck_assert_int_eq(verify(bad, strlen(bad), f.msg, &xi, err, sizeof(err)),
	    XSIG_ERR_REFERENCE);
	free(bad);

	/* A second element with Id="signed-properties" (wrapping). */
	bad = patched(&f, NULL, "Id=\"signature-value\"",
	    "Id=\"signed-properties\"");
	ck_assert_int_eq(verify(bad, strlen(bad), f.msg, &xi, err, sizeof(err)),
	    XSIG_ERR_MALFORMED);
	free(bad);

	/* Not XML, DOCTYPE, not a signature. */
	ck_assert_int_eq(verify("<x", 2, f.msg, &xi, err, sizeof(err)),
	    XSIG_ERR_MALFORMED);
	ck_assert_int_eq(verify("<!DOCTYPE a><a/>", 16, f.msg, &xi, err,
	    sizeof(err)), XSIG_ERR_MALFORMED);
	ck_assert_int_eq(verify("<a/>", 4, f.msg, &xi, err, sizeof(err)),
	    XSIG_ERR_MALFORMED);

	/* Still fine untouched. */
	ck_assert_int_eq(verify(f.xml, f.len, f.msg, &xi, err, sizeof(err)),
	    0);
	xsig_info_free(xi);
	fixture_clear(&f);
}
END_TEST

START_TEST(test_refs_must_match)
{
	struct fixture		 f;
	struct xsig_info	*xi = NULL;
	struct xsig_ref		 refs[2];
	unsigned char		 other[64];
	char			 err[256];

	fixture_init(&f, 0);
	sigtest_digest(3, other);
	refs[0].xr_uri = XSIG_URI_MESSAGE;
	refs[0].xr_digest = f.msg;
	refs[1].xr_uri = "/attachment1";
	refs[1].xr_digest = other;
	/* An object the signature does not sign. */
	ck_assert_int_eq(xsig_verify(f.xml, f.len, refs, 2, &xi, err,
	    sizeof(err)), XSIG_ERR_REFERENCE);
	ck_assert_ptr_nonnull(strstr(err, "/attachment1"));
	/* A signed object the caller does not have. */
	ck_assert_int_eq(xsig_verify(f.xml, f.len, refs + 1, 1, &xi, err,
	    sizeof(err)), XSIG_ERR_REFERENCE);
	ck_assert_int_eq(xsig_verify(f.xml, f.len, refs, 0, &xi, err,
	    sizeof(err)), XSIG_ERR_INTERNAL);
	fixture_clear(&f);
}
END_TEST

/* Two data objects; a hash chain result as the signed object. */
START_TEST(test_batch_and_multi_ref)
{
	struct sigtest_key	 k;
	struct signer		*sg = signer_new();
	struct hashchain	*hc = hashchain_new();
	struct xsig_sign_params	 sp;
	struct xsig_ref		 refs[2];
	struct xsig_info	*xi = NULL;
	unsigned char		 parts[128], md[64];
	char			*xml, *hcr, *chain, err[256];
	size_t			 len, hcrlen, chainlen;

	sigtest_key_new(&k, 0, "/C=PS/O=GOV/CN=MOI");
	sigtest_key_add(sg, "K", &k);
	sigtest_digest(1, parts);
	sigtest_digest(2, parts + 64);

	memset(&sp, 0, sizeof(sp));
	refs[0].xr_uri = "/message.xml";
	refs[0].xr_digest = parts;
	refs[0].xr_mime = "text/xml";
	refs[1].xr_uri = "/attachment1";
	refs[1].xr_digest = parts + 64;
	refs[1].xr_mime = NULL;
	sp.sp_signer = sg;
	sp.sp_key_id = "K";
	sp.sp_refs = refs;
	sp.sp_nrefs = 2;
	ck_assert_int_eq(xsig_sign(&sp, &xml, &len), 0);
	ck_assert_ptr_nonnull(strstr(xml, "signature-reference-2\" Type="));
	ck_assert_ptr_nonnull(strstr(xml, "application/octet-stream"));
	ck_assert_msg(xsig_verify(xml, len, refs, 2, &xi, err, sizeof(err)) ==
	    0, "%s", err);
	ck_assert_uint_eq(xi->xi_nocsp, 0);
	xsig_info_free(xi);
	free(xml);

	/* The X-Road way for a message with an attachment. */
	ck_assert_int_eq(hashchain_add_input(hc, parts, 2), 0);
	ck_assert_int_eq(hashchain_finish(hc), 0);
	ck_assert_int_eq(hashchain_result_xml(hc, XSIG_URI_HASHCHAIN, &hcr,
	    &hcrlen), 0);
	ck_assert_int_eq(hashchain_chain_xml(hc, 0, XSIG_URI_MESSAGE, NULL,
	    &chain, &chainlen), 0);
	sigtest_sha512(hcr, hcrlen, md);
	refs[0].xr_uri = XSIG_URI_HASHCHAIN_RESULT;
	refs[0].xr_digest = md;
	refs[0].xr_mime = XSIG_MIME_HASHCHAIN_RESULT;
	sp.sp_nrefs = 1;
	sp.sp_time_ms = 0;
	ck_assert_int_eq(xsig_sign(&sp, &xml, &len), 0);
	ck_assert_ptr_nonnull(strstr(xml, "URI=\"/sig-hashchainresult.xml\""));
	ck_assert_ptr_nonnull(strstr(xml, "application/hash-chain-result"));
	ck_assert_msg(xsig_verify_message(xml, len, hcr, hcrlen, chain,
	    chainlen, parts, 2, &xi, err, sizeof(err)) == 0, "%s", err);
	xsig_info_free(xi);
	/* The attachment changed. */
	parts[64] ^= 1;
	ck_assert_int_eq(xsig_verify_message(xml, len, hcr, hcrlen, chain,
	    chainlen, parts, 2, &xi, err, sizeof(err)), XSIG_ERR_HASHCHAIN);
	parts[64] ^= 1;
	/* The hash chain result changed (one byte of whitespace). */
	hcr[hcrlen - 1] = ' ';
	ck_assert_int_eq(xsig_verify_message(xml, len, hcr, hcrlen, chain,
	    chainlen, parts, 2, &xi, err, sizeof(err)), XSIG_ERR_REFERENCE);
	/* Without the chain, a two-part message cannot verify. */
	ck_assert_int_eq(xsig_verify_message(xml, len, NULL, 0, NULL, 0,
	    parts, 2, &xi, err, sizeof(err)), XSIG_ERR_MALFORMED);

	free(xml);
	free(hcr);
	free(chain);
	hashchain_free(hc);
	signer_free(sg);
	sigtest_key_clear(&k);
}
END_TEST

START_TEST(test_ec_raw_value)
{
	struct fixture	 f;
	char		*p, *q, *text;
	unsigned char	*raw;
	size_t		 rawlen;

	fixture_init(&f, 0);
	p = strstr(f.xml, "<ds:SignatureValue");
	p = strchr(p, '>') + 1;
	q = strstr(p, "</ds:SignatureValue>");
	text = strndup(p, (size_t)(q - p));
	ck_assert_int_eq(b64_decode(text, strlen(text), &raw, &rawlen), 0);
	/* XML-DSig ECDSA: r||s, 32 bytes each for P-256. */
	ck_assert_uint_eq(rawlen, 64);
	free(raw);
	free(text);
	fixture_clear(&f);
}
END_TEST

START_TEST(test_sign_errors)
{
	struct fixture		 f;
	struct xsig_sign_params	 sp;
	struct xsig_ref		 ref;
	char			*xml = NULL;
	size_t			 len;

	fixture_init(&f, 0);
	memset(&sp, 0, sizeof(sp));
	ref.xr_uri = XSIG_URI_MESSAGE;
	ref.xr_digest = f.msg;
	ref.xr_mime = NULL;
	sp.sp_signer = f.sg;
	sp.sp_key_id = "PS/GOV/NONE";
	sp.sp_refs = &ref;
	sp.sp_nrefs = 1;
	ck_assert_int_eq(xsig_sign(&sp, &xml, &len), XSIG_ERR_INTERNAL);
	sp.sp_key_id = KEY;
	sp.sp_nrefs = 0;
	ck_assert_int_eq(xsig_sign(&sp, &xml, &len), XSIG_ERR_INTERNAL);
	ref.xr_uri = "#signed-properties";
	sp.sp_nrefs = 1;
	ck_assert_int_eq(xsig_sign(&sp, &xml, &len), XSIG_ERR_INTERNAL);
	ck_assert_ptr_null(xml);
	ck_assert_uint_eq(signer_sign_count(f.sg), 1);
	ck_assert_str_eq(xsig_strerror(XSIG_ERR_SIGNATURE),
	    "invalid signature value");
	fixture_clear(&f);
}
END_TEST

static Suite *
xsig_suite(void)
{
	Suite	*s = suite_create("xsig");
	TCase	*tc = tcase_create("core");

	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, test_rsa_round_trip);
	tcase_add_test(tc, test_ec_round_trip);
	tcase_add_test(tc, test_structure);
	tcase_add_test(tc, test_schema);
	tcase_add_test(tc, test_tampering);
	tcase_add_test(tc, test_refs_must_match);
	tcase_add_test(tc, test_batch_and_multi_ref);
	tcase_add_test(tc, test_ec_raw_value);
	tcase_add_test(tc, test_sign_errors);
	suite_add_tcase(s, tc);
	return s;
}

HK_CHECK_MAIN(xsig_suite)
