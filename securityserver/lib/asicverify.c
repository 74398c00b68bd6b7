/*
 * asicverify.c: offline verification of ASiC-E containers against a
 * verification configuration (asicverify.h).
 */
#include "config.h"

#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <openssl/crypto.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/ocsp.h>
#include <openssl/pkcs7.h>
#include <openssl/ts.h>
#include <openssl/x509.h>
#include <openssl/x509_vfy.h>

#include "asic.h"
#include "asicverify.h"
#include "asicverify_int.h"
#include "b64.h"
#include "buf.h"
#include "certcheck.h"
#include "compat.h"
#include "globalconf.h"
#include "hashchain.h"
#include "rest.h"
#include "soap.h"
#include "xrid.h"
#include "xrmsg.h"
#include "xsd.h"
#include "xsig.h"

/* Reports. */

void
asicv_report_init(struct asicv_report *r, asicv_trace_fn fn, void *arg)
{
	memset(r, 0, sizeof(*r));
	r->vr_trace = fn;
	r->vr_trace_arg = arg;
}

static int
rfail(struct asicv_report *r, const char *entry, const char *check,
    const char *fmt, ...) __attribute__((format(printf, 4, 5)));

static int
rfail(struct asicv_report *r, const char *entry, const char *check,
    const char *fmt, ...)
{
	va_list	ap;

	(void)strlcpy(r->vr_entry, entry, sizeof(r->vr_entry));
	(void)strlcpy(r->vr_check, check, sizeof(r->vr_check));
	va_start(ap, fmt);
	(void)vsnprintf(r->vr_msg, sizeof(r->vr_msg), fmt, ap);
	va_end(ap);
	return -1;
}

static void
trace(struct asicv_report *r, const char *entry, const char *check,
    const char *fmt, ...) __attribute__((format(printf, 4, 5)));

static void
trace(struct asicv_report *r, const char *entry, const char *check,
    const char *fmt, ...)
{
	va_list	ap;
	char	msg[768];

	if (r->vr_trace == NULL)
		return;
	va_start(ap, fmt);
	(void)vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	r->vr_trace(entry, check, msg, r->vr_trace_arg);
}

static const char *
ossl_err(char *buf, size_t len)
{
	unsigned long	e;

	e = ERR_peek_last_error();
	if (e == 0)
		(void)strlcpy(buf, "no detail", len);
	else
		ERR_error_string_n(e, buf, len);
	ERR_clear_error();
	return buf;
}

static void
fmt_time(time_t t, char *buf, size_t len)
{
	if (xsd_format_datetime(t, buf, len) == -1)
		(void)strlcpy(buf, "?", len);
}

/*
 * Certificates that ride along unsigned (in a token, in OCSP responses,
 * in CertificateValues) must still be intact: each is an approved cert
 * or is signed by a cert of pool (approved CAs and TSAs, and the certs
 * that came with it), so a changed byte in one does not go unnoticed.
 */
static int
pool_add(STACK_OF(X509) *pool, X509 *x)
{
	if (x == NULL)
		return 0;
	if (!X509_up_ref(x))
		return -1;
	if (!sk_X509_push(pool, x)) {
		X509_free(x);
		return -1;
	}
	return 0;
}

/* Approved CA certs (top, intermediates, OCSP responders) and TSAs. */
static STACK_OF(X509) *
pool_new(const struct asicv_conf *c)
{
	STACK_OF(X509)		*pool;
	const struct gconf_ca	*cas;
	const struct gconf_cainfo *lv;
	const struct gconf_tsa	*tsas;
	size_t			 i, j, k, n, m;

	if ((pool = sk_X509_new_null()) == NULL)
		return NULL;
	for (i = 0; i < c->c_n; i++) {
		cas = gconf_cas(c->c_inst[i].ai_gc, &n);
		for (j = 0; j < n; j++)
			for (k = 0; k <= cas[j].gc_ninter; k++) {
				lv = k == 0 ? &cas[j].gc_top :
				    &cas[j].gc_inter[k - 1];
				if (pool_add(pool, lv->gi_x509) == -1)
					goto fail;
				for (m = 0; m < lv->gi_nocsp; m++)
					if (pool_add(pool,
					    lv->gi_ocsp[m].go_x509) == -1)
						goto fail;
			}
		tsas = gconf_tsas(c->c_inst[i].ai_gc, &n);
		for (j = 0; j < n; j++)
			if (pool_add(pool, tsas[j].gt_x509) == -1)
				goto fail;
	}
	return pool;
fail:
	sk_X509_pop_free(pool, X509_free);
	return NULL;
}

/*
 * 0 if every cert of certs is one of trusted (byte for byte) or is
 * signed by a cert of trusted or of helpers (which may hold certs itself:
 * a self-signed cert verifies with its own key).
 */
static int
signed_by(X509 *x, const STACK_OF(X509) *pool)
{
	X509		*y;
	EVP_PKEY	*k;
	int		 j;

	for (j = 0; j < sk_X509_num(pool); j++) {
		y = sk_X509_value(pool, j);
		if (X509_check_issued(y, x) == X509_V_OK &&
		    (k = X509_get0_pubkey(y)) != NULL && X509_verify(x, k) == 1)
			return 1;
	}
	return 0;
}

static int
pool_vouches(const STACK_OF(X509) *trusted, const STACK_OF(X509) *helpers,
    const STACK_OF(X509) *certs, char *bad, size_t badlen)
{
	X509	*x;
	int	 i, j, ok;

	for (i = 0; i < sk_X509_num(certs); i++) {
		x = sk_X509_value(certs, i);
		ok = 0;
		for (j = 0; j < sk_X509_num(trusted) && !ok; j++)
			if (X509_cmp(x, sk_X509_value(trusted, j)) == 0)
				ok = 1;
		if (!ok)
			ok = signed_by(x, trusted) ||
			    (helpers != NULL && signed_by(x, helpers));
		ERR_clear_error();
		if (!ok) {
			X509_NAME_oneline(X509_get_subject_name(x), bad,
			    (int)badlen);
			return -1;
		}
	}
	return 0;
}

/* pool plus the certs of extra (new references). 0 / -1. */
static int
pool_extend(STACK_OF(X509) *pool, const STACK_OF(X509) *extra)
{
	int	i;

	for (i = 0; i < sk_X509_num(extra); i++)
		if (pool_add(pool, sk_X509_value(extra, i)) == -1)
			return -1;
	return 0;
}

/* Timestamp. */

static int
asn1_time_t(const ASN1_GENERALIZEDTIME *g, time_t *out)
{
	struct tm	tm;

	memset(&tm, 0, sizeof(tm));
	if (g == NULL || !ASN1_TIME_to_tm(g, &tm))
		return -1;
	*out = timegm(&tm);
	return 0;
}

/* Names equal byte for byte (X509_NAME_cmp ignores case). */
static int
name_same(const X509_NAME *a, const X509_NAME *b)
{
	const unsigned char	*da, *db;
	size_t			 la, lb;

	if (!X509_NAME_get0_der(a, &da, &la) ||
	    !X509_NAME_get0_der(b, &db, &lb))
		return 0;
	return la == lb && memcmp(da, db, la) == 0;
}

/*
 * The signer's signatureAlgorithm is not covered by its signature: it
 * must name the key type and digest the signer really uses.
 */
static int
sig_alg_fits(const PKCS7_SIGNER_INFO *si, X509 *signer)
{
	const ASN1_OBJECT	*obj;
	const void		*pval;
	EVP_PKEY		*k;
	int			 ptype, nid, dnid, pknid;

	X509_ALGOR_get0(&obj, &ptype, &pval, si->digest_enc_alg);
	nid = OBJ_obj2nid(obj);
	if ((k = X509_get0_pubkey(signer)) == NULL)
		return 0;
	if (nid == NID_rsaEncryption)
		return EVP_PKEY_get_base_id(k) == EVP_PKEY_RSA &&
		    (ptype == V_ASN1_NULL || ptype == V_ASN1_UNDEF);
	if (!OBJ_find_sigid_algs(nid, &dnid, &pknid))
		return 0;
	if (dnid != OBJ_obj2nid(si->digest_alg->algorithm))
		return 0;
	if (pknid == NID_rsaEncryption)
		return EVP_PKEY_get_base_id(k) == EVP_PKEY_RSA &&
		    (ptype == V_ASN1_NULL || ptype == V_ASN1_UNDEF);
	if (pknid == NID_X9_62_id_ecPublicKey)
		return EVP_PKEY_get_base_id(k) == EVP_PKEY_EC &&
		    ptype == V_ASN1_UNDEF;
	return 0;
}

/* A digest AlgorithmIdentifier has NULL or absent parameters. */
static int
params_null(const X509_ALGOR *a)
{
	int	ptype;

	X509_ALGOR_get0(NULL, &ptype, NULL, a);
	return ptype == V_ASN1_NULL || ptype == V_ASN1_UNDEF;
}

/*
 * The parts of a token its signature does not cover must still be as
 * issued: DER as encoded, SignedData version 3 with one SignerInfo of
 * version 1, digestAlgorithms naming exactly the signer's digest, no
 * unsigned attributes, and every embedded cert intact (pool_vouches).
 */
static int
token_strict(const struct asicv_conf *c, PKCS7 *tok, const unsigned char *der,
    size_t len, char *err, size_t errlen)
{
	PKCS7_SIGNED		*sd;
	PKCS7_SIGNER_INFO	*si;
	X509_ALGOR		*a;
	STACK_OF(X509)		*pool = NULL;
	unsigned char		*enc = NULL;
	char			 bad[256];
	int			 n, i, rv = -1;

	if (!PKCS7_type_is_signed(tok) || (sd = tok->d.sign) == NULL ||
	    sk_PKCS7_SIGNER_INFO_num(sd->signer_info) != 1 ||
	    (si = sk_PKCS7_SIGNER_INFO_value(sd->signer_info, 0)) == NULL) {
		(void)snprintf(err, errlen, "not a SignedData with one signer");
		return -1;
	}
	if ((n = i2d_PKCS7(tok, &enc)) <= 0 || (size_t)n != len ||
	    memcmp(enc, der, len) != 0) {
		(void)snprintf(err, errlen, "the token's DER does not encode "
		    "again to the same bytes");
		goto done;
	}
	if (ASN1_INTEGER_get(sd->version) != 3 ||
	    ASN1_INTEGER_get(si->version) != 1) {
		(void)snprintf(err, errlen, "unexpected SignedData or "
		    "SignerInfo version");
		goto done;
	}
	if (sk_X509_ALGOR_num(sd->md_algs) < 1) {
		(void)snprintf(err, errlen, "no digestAlgorithms");
		goto done;
	}
	if (!params_null(si->digest_alg)) {
		(void)snprintf(err, errlen, "digest algorithm parameters");
		goto done;
	}
	for (i = 0; i < sk_X509_ALGOR_num(sd->md_algs); i++) {
		a = sk_X509_ALGOR_value(sd->md_algs, i);
		if (OBJ_cmp(a->algorithm, si->digest_alg->algorithm) != 0 ||
		    !params_null(a)) {
			(void)snprintf(err, errlen, "digestAlgorithms names a "
			    "digest the signer does not use");
			goto done;
		}
	}
	if (sk_X509_ATTRIBUTE_num(si->unauth_attr) > 0) {
		(void)snprintf(err, errlen, "unsigned attributes present");
		goto done;
	}
	if (sd->cert != NULL && sk_X509_num(sd->cert) > 0) {
		if ((pool = pool_new(c)) == NULL) {
			(void)snprintf(err, errlen, "out of memory");
			goto done;
		}
		if (pool_vouches(pool, sd->cert, sd->cert, bad,
		    sizeof(bad)) == -1) {
			(void)snprintf(err, errlen, "embedded certificate %.180s "
			    "is damaged or unknown", bad);
			goto done;
		}
	}
	rv = 0;
done:
	OPENSSL_free(enc);
	sk_X509_pop_free(pool, X509_free);
	return rv;
}

/*
 * Verify token over data: imprint, signature of an approved TSA (cert
 * valid at genTime). Fills r->vr_ts_time and r->vr_tsa.
 */
static int
verify_token(const struct asicv_conf *c, const unsigned char *der,
    size_t len, const void *data, size_t datalen, const char *entry,
    const char *what, struct asicv_report *r)
{
	const unsigned char	*p = der;
	PKCS7			*tok = NULL;
	TS_TST_INFO		*tst = NULL;
	TS_VERIFY_CTX		*ctx = NULL;
	X509_STORE		*st = NULL;
	STACK_OF(X509)		*certs = NULL;
	STACK_OF(PKCS7_SIGNER_INFO) *sis;
	PKCS7_SIGNER_INFO	*si;
	TS_MSG_IMPRINT		*mi;
	const ASN1_OBJECT	*obj;
	const EVP_MD		*md;
	const ASN1_OCTET_STRING	*want;
	const struct gconf_tsa	*tsa = NULL;
	const struct gconf_tsa	*tsas;
	unsigned char		 got[EVP_MAX_MD_SIZE];
	unsigned int		 gotlen;
	char			 ebuf[256], tbuf[XSD_DATETIME_LEN];
	size_t			 i, j, ntsa;
	X509			*x, *signer = NULL;
	int			 rv = -1, nid;

	if (len > LONG_MAX ||
	    (tok = d2i_PKCS7(NULL, &p, (long)len)) == NULL ||
	    p != der + len) {
		rfail(r, entry, "timestamp", "not a DER TimeStampToken");
		goto done;
	}
	if ((tst = PKCS7_to_TS_TST_INFO(tok)) == NULL) {
		rfail(r, entry, "timestamp", "not a TimeStampToken (%s)",
		    ossl_err(ebuf, sizeof(ebuf)));
		goto done;
	}
	if (token_strict(c, tok, der, len, ebuf, sizeof(ebuf)) == -1) {
		rfail(r, entry, "timestamp", "%s", ebuf);
		goto done;
	}
	if (asn1_time_t(TS_TST_INFO_get_time(tst), &r->vr_ts_time) == -1) {
		rfail(r, entry, "timestamp", "bad genTime");
		goto done;
	}

	/* The imprint: what was stamped. */
	mi = TS_TST_INFO_get_msg_imprint(tst);
	X509_ALGOR_get0(&obj, NULL, NULL, TS_MSG_IMPRINT_get_algo(mi));
	nid = OBJ_obj2nid(obj);
	if (nid != NID_sha256 && nid != NID_sha384 && nid != NID_sha512) {
		rfail(r, entry, "timestamp", "imprint algorithm %s not "
		    "accepted", OBJ_nid2sn(nid));
		goto done;
	}
	md = EVP_get_digestbynid(nid);
	want = TS_MSG_IMPRINT_get_msg(mi);
	if (md == NULL ||
	    !EVP_Digest(data, datalen, got, &gotlen, md, NULL) ||
	    want == NULL || ASN1_STRING_length(want) != (int)gotlen ||
	    CRYPTO_memcmp(ASN1_STRING_get0_data(want), got, gotlen) != 0) {
		rfail(r, entry, "timestamp", "the token does not stamp %s",
		    what);
		goto done;
	}

	/* The signer: one of the approved TSA certs. */
	if ((sis = PKCS7_get_signer_info(tok)) == NULL ||
	    sk_PKCS7_SIGNER_INFO_num(sis) != 1 ||
	    (si = sk_PKCS7_SIGNER_INFO_value(sis, 0)) == NULL ||
	    si->issuer_and_serial == NULL) {
		rfail(r, entry, "timestamp", "token must have one signer");
		goto done;
	}
	if ((certs = sk_X509_new_null()) == NULL ||
	    (st = X509_STORE_new()) == NULL) {
		rfail(r, entry, "timestamp", "out of memory");
		goto done;
	}
	for (i = 0; i < c->c_n; i++) {
		tsas = gconf_tsas(c->c_inst[i].ai_gc, &ntsa);
		for (j = 0; j < ntsa; j++) {
			if ((x = tsas[j].gt_x509) == NULL)
				continue;
			if (!X509_STORE_add_cert(st, x) ||
			    !X509_up_ref(x) || !sk_X509_push(certs, x)) {
				rfail(r, entry, "timestamp", "out of memory");
				goto done;
			}
			if (signer == NULL && name_same(
			    si->issuer_and_serial->issuer,
			    X509_get_issuer_name(x)) &&
			    ASN1_INTEGER_cmp(si->issuer_and_serial->serial,
			    X509_get0_serialNumber(x)) == 0) {
				signer = x;
				tsa = &tsas[j];
			}
		}
	}
	ERR_clear_error();
	if (signer == NULL) {
		rfail(r, entry, "timestamp", "signed by a TSA that is not "
		    "approved in the verification configuration");
		goto done;
	}
	(void)strlcpy(r->vr_tsa, tsa->gt_name != NULL ? tsa->gt_name : "?",
	    sizeof(r->vr_tsa));
	if (!sig_alg_fits(si, signer)) {
		rfail(r, entry, "timestamp", "the signer's signature algorithm "
		    "does not fit the TSA key and digest");
		goto done;
	}
	(void)X509_STORE_set_flags(st, X509_V_FLAG_PARTIAL_CHAIN);
	X509_VERIFY_PARAM_set_time(X509_STORE_get0_param(st), r->vr_ts_time);
	if ((ctx = TS_VERIFY_CTX_new()) == NULL) {
		rfail(r, entry, "timestamp", "out of memory");
		goto done;
	}
	TS_VERIFY_CTX_set_flags(ctx, TS_VFY_SIGNATURE);
	TS_VERIFY_CTX_set_store(ctx, st);
	st = NULL;
	TS_VERIFY_CTX_set_certs(ctx, certs);
	certs = NULL;
	if (TS_RESP_verify_token(ctx, tok) != 1) {
		rfail(r, entry, "timestamp", "signature of TSA %s does not "
		    "verify (%s)", r->vr_tsa, ossl_err(ebuf, sizeof(ebuf)));
		goto done;
	}
	fmt_time(r->vr_ts_time, tbuf, sizeof(tbuf));
	trace(r, entry, "timestamp", "%s stamped at %s by TSA %s", what, tbuf,
	    r->vr_tsa);
	rv = 0;
done:
	ERR_clear_error();
	TS_VERIFY_CTX_free(ctx);
	X509_STORE_free(st);
	sk_X509_pop_free(certs, X509_free);
	TS_TST_INFO_free(tst);
	PKCS7_free(tok);
	return rv;
}

static int
check_timestamp(const struct asicv_conf *c, const struct asic_parts *p,
    struct asicv_report *r)
{
	struct hashchain_input	 in;
	unsigned char		 md[HASHCHAIN_DIGEST_LEN], *sv = NULL;
	size_t			 svlen;
	char			 msg[512];
	int			 rv;

	if (p->ap_ts_token.ad_data == NULL && p->ap_signature.ad_data != NULL) {
		/* A SignatureTimeStamp that is there but unreadable. */
		rv = asic_sig_timestamp(p->ap_signature.ad_data,
		    p->ap_signature.ad_len, &sv, &svlen);
		free(sv);
		sv = NULL;
		if (rv == -1)
			return rfail(r, ASIC_E_SIGNATURE, "timestamp", "the "
			    "SignatureTimeStamp cannot be read (no "
			    "EncapsulatedTimeStamp in base64)");
	}
	if (p->ap_ts_token.ad_data == NULL)
		return rfail(r, ASIC_E_TIMESTAMP, "timestamp", "the container "
		    "has no timestamp (neither %s nor a SignatureTimeStamp)",
		    ASIC_E_TIMESTAMP);
	if (p->ap_ts_hashchain_result.ad_data != NULL) {
		/* Batch: the token stamps ts-hashchainresult.xml ... */
		r->vr_batch_ts = 1;
		if (verify_token(c, p->ap_ts_token.ad_data,
		    p->ap_ts_token.ad_len, p->ap_ts_hashchain_result.ad_data,
		    p->ap_ts_hashchain_result.ad_len, ASIC_E_TIMESTAMP,
		    ASIC_E_TS_HCR, r) == -1)
			return -1;
		/* ... whose chain leads to this signature. */
		if (!EVP_Digest(p->ap_signature.ad_data, p->ap_signature.ad_len,
		    md, NULL, EVP_sha512(), NULL))
			return rfail(r, ASIC_E_TS_HC, "ts-hashchain",
			    "digest failed");
		in.hi_uri = ASIC_URI_SIGNATURE;
		in.hi_digest = md;
		if (hashchain_verify(p->ap_ts_hashchain_result.ad_data,
		    p->ap_ts_hashchain_result.ad_len,
		    p->ap_ts_hashchain.ad_data, p->ap_ts_hashchain.ad_len,
		    ASIC_URI_TS_HC, &in, 1, msg, sizeof(msg)) == -1) {
			if (strstr(msg, ASIC_URI_SIGNATURE) != NULL &&
			    strstr(msg, "does not match") != NULL)
				return rfail(r, ASIC_E_SIGNATURE,
				    "ts-hashchain", "%s is not the signature "
				    "that was time-stamped (%s)",
				    ASIC_E_SIGNATURE, msg);
			return rfail(r, ASIC_E_TS_HC, "ts-hashchain", "%s",
			    msg);
		}
		trace(r, ASIC_E_TS_HC, "ts-hashchain", "leads from %s to the "
		    "time-stamped root", ASIC_E_SIGNATURE);
		return 0;
	}
	/* Single: the token stamps the raw ds:SignatureValue. */
	r->vr_batch_ts = 0;
	if (asic_sig_value(p->ap_signature.ad_data, p->ap_signature.ad_len,
	    &sv, &svlen) == -1)
		return rfail(r, ASIC_E_SIGNATURE, "timestamp", "no readable "
		    "ds:SignatureValue to check the SignatureTimeStamp with");
	rv = verify_token(c, p->ap_ts_token.ad_data, p->ap_ts_token.ad_len,
	    sv, svlen, ASIC_E_SIGNATURE, "the signature value of "
	    ASIC_E_SIGNATURE, r);
	free(sv);
	return rv;
}

/* Signature. */

/* Which entry a signature verification error points at. */
static const char *
sig_blame(int code, const char *msg, char *buf, size_t len)
{
	const char	*s;
	size_t		 n;

	if ((s = strstr(msg, "digest of /")) != NULL) {
		s += strlen("digest of /");
		for (n = 0; s[n] != '\0' && s[n] != ' ' && n + 1 < len; n++)
			buf[n] = s[n];
		buf[n] = '\0';
		if (strcmp(buf, ASIC_E_MESSAGE) == 0 ||
		    strncmp(buf, ASIC_E_ATTACHMENT,
		    strlen(ASIC_E_ATTACHMENT)) == 0 ||
		    strcmp(buf, ASIC_E_SIG_HCR) == 0)
			return buf;
	}
	if (code == XSIG_ERR_HASHCHAIN)
		return ASIC_E_SIG_HC;
	return ASIC_E_SIGNATURE;
}

static int
check_signature(const struct asic_parts *p, struct xsig_info **xi,
    struct asicv_report *r)
{
	unsigned char	*parts;
	size_t		 nparts, i;
	char		 msg[512], blame[64];
	const char	*entry;
	int		 code;

	nparts = 1 + p->ap_nattachments;
	if ((parts = calloc(nparts, HASHCHAIN_DIGEST_LEN)) == NULL)
		return rfail(r, ASIC_E_SIGNATURE, "signature", "out of memory");
	(void)EVP_Digest(p->ap_message.ad_data, p->ap_message.ad_len, parts,
	    NULL, EVP_sha512(), NULL);
	for (i = 0; i < p->ap_nattachments; i++)
		(void)EVP_Digest(p->ap_attachments[i].ad_data != NULL ?
		    (const void *)p->ap_attachments[i].ad_data : "",
		    p->ap_attachments[i].ad_len,
		    parts + (i + 1) * HASHCHAIN_DIGEST_LEN, NULL, EVP_sha512(),
		    NULL);
	code = xsig_verify_message(p->ap_signature.ad_data,
	    p->ap_signature.ad_len, p->ap_sig_hashchain_result.ad_data,
	    p->ap_sig_hashchain_result.ad_len, p->ap_sig_hashchain.ad_data,
	    p->ap_sig_hashchain.ad_len, parts, nparts, xi, msg, sizeof(msg));
	free(parts);
	if (code == XSIG_ERR_HASHCHAIN) {
		/* The chain or its result? The signature tells. */
		struct xsig_info	*x2 = NULL;
		struct xsig_ref		 ref;
		unsigned char		 md[HASHCHAIN_DIGEST_LEN];
		char			 m2[256];

		(void)EVP_Digest(p->ap_sig_hashchain_result.ad_data,
		    p->ap_sig_hashchain_result.ad_len, md, NULL, EVP_sha512(),
		    NULL);
		memset(&ref, 0, sizeof(ref));
		ref.xr_uri = XSIG_URI_HASHCHAIN_RESULT;
		ref.xr_digest = md;
		if (xsig_verify(p->ap_signature.ad_data, p->ap_signature.ad_len,
		    &ref, 1, &x2, m2, sizeof(m2)) == XSIG_ERR_REFERENCE &&
		    strstr(m2, "digest of " XSIG_URI_HASHCHAIN_RESULT) != NULL)
			(void)snprintf(msg, sizeof(msg), "%s", m2);
		xsig_info_free(x2);
	}
	if (code != XSIG_OK) {
		entry = sig_blame(code, msg, blame, sizeof(blame));
		if (strcmp(entry, ASIC_E_SIGNATURE) != 0 &&
		    strcmp(entry, ASIC_E_SIG_HC) != 0)
			return rfail(r, entry, "signature", "%s does not match "
			    "its digest in %s (%s)", entry,
			    code == XSIG_ERR_HASHCHAIN ? ASIC_E_SIG_HC :
			    ASIC_E_SIGNATURE, msg);
		return rfail(r, entry, "signature", "%s: %s",
		    xsig_strerror(code), msg);
	}
	trace(r, ASIC_E_SIGNATURE, "signature", "signs %s%s%s",
	    ASIC_E_MESSAGE, p->ap_nattachments > 0 ? " and its attachments" :
	    "", p->ap_sig_hashchain_result.ad_data != NULL ?
	    " through " ASIC_E_SIG_HC : "");
	return 0;
}

/* CertificateValues and the certs inside the OCSP responses. */
static int
unsigned_certs_intact(const struct asicv_conf *c, const struct xsig_info *xi,
    struct asicv_report *r)
{
	STACK_OF(X509)		*pool, *helpers = NULL;
	OCSP_RESPONSE		*resp = NULL;
	OCSP_BASICRESP		*br = NULL;
	const unsigned char	*p;
	char			 bad[256];
	size_t			 i;
	int			 rv = -1;

	if ((pool = pool_new(c)) == NULL ||
	    (helpers = sk_X509_new_null()) == NULL ||
	    pool_extend(helpers, xi->xi_extra) == -1) {
		rfail(r, ASIC_E_SIGNATURE, "certificate", "out of memory");
		goto done;
	}
	if (pool_vouches(pool, helpers, xi->xi_extra, bad, sizeof(bad)) ==
	    -1) {
		rfail(r, ASIC_E_SIGNATURE, "certificate", "CertificateValues: "
		    "%s is damaged or unknown", bad);
		goto done;
	}
	for (i = 0; i < xi->xi_nocsp; i++) {
		p = xi->xi_ocsp[i].xo_der;
		if ((resp = d2i_OCSP_RESPONSE(NULL, &p,
		    (long)xi->xi_ocsp[i].xo_len)) == NULL ||
		    p != xi->xi_ocsp[i].xo_der + xi->xi_ocsp[i].xo_len ||
		    (br = OCSP_response_get1_basic(resp)) == NULL) {
			rfail(r, ASIC_E_SIGNATURE, "ocsp", "OCSP response %zu "
			    "does not parse", i + 1);
			goto done;
		}
		if (pool_extend(helpers, OCSP_resp_get0_certs(br)) == -1 ||
		    pool_vouches(pool, helpers, OCSP_resp_get0_certs(br), bad,
		    sizeof(bad)) == -1) {
			rfail(r, ASIC_E_SIGNATURE, "ocsp", "OCSP response %zu: "
			    "certificate %s is damaged or unknown", i + 1, bad);
			goto done;
		}
		OCSP_BASICRESP_free(br);
		OCSP_RESPONSE_free(resp);
		br = NULL;
		resp = NULL;
	}
	rv = 0;
done:
	ERR_clear_error();
	OCSP_BASICRESP_free(br);
	OCSP_RESPONSE_free(resp);
	sk_X509_pop_free(helpers, X509_free);
	sk_X509_pop_free(pool, X509_free);
	return rv;
}

static int
check_cert(const struct asicv_conf *c, const struct xsig_info *xi,
    struct asicv_report *r)
{
	const struct av_inst	*in;
	struct certcheck_params	 cp;
	struct certcheck_error	 ce;
	struct certcheck_ocsp	 ocsp[XSIG_MAX_OCSP];
	struct xrid		 signer;
	char			 tbuf[XSD_DATETIME_LEN];
	size_t			 i;
	long long		 fresh;

	if (certcheck_member_id(xi->xi_cert, &signer) == -1)
		return rfail(r, ASIC_E_SIGNATURE, "certificate", "the signing "
		    "certificate names no member (C, O, CN)");
	(void)xrid_format_doc(&signer, r->vr_signer, sizeof(r->vr_signer));
	if ((in = asicv_inst_find(c, signer.instance)) == NULL)
		return rfail(r, ASIC_E_SIGNATURE, "certificate", "no "
		    "verification configuration for instance %s of signer %s",
		    signer.instance, r->vr_signer);
	for (i = 0; i < xi->xi_nocsp && i < XSIG_MAX_OCSP; i++) {
		ocsp[i].co_der = xi->xi_ocsp[i].xo_der;
		ocsp[i].co_len = xi->xi_ocsp[i].xo_len;
	}
	if (unsigned_certs_intact(c, xi, r) == -1)
		return -1;
	certcheck_params_init(&cp, r->vr_signing_time, CERTCHECK_PURPOSE_SIGN);
	if ((fresh = gconf_ocsp_freshness(in->ai_gc)) > 0)
		cp.cp_ocsp_freshness = (long)fresh;
	cp.cp_ocsp_responders = in->ai_responders;
	memset(&ce, 0, sizeof(ce));
	if (certcheck_verify(in->ai_trust, xi->xi_cert, xi->xi_extra, ocsp, i,
	    &cp, NULL, &ce) == -1) {
		switch (ce.ce_code) {
		case CERTCHECK_OCSP_MISSING:
		case CERTCHECK_OCSP_INVALID:
		case CERTCHECK_OCSP_TOO_OLD:
		case CERTCHECK_REVOKED:
		case CERTCHECK_OCSP_UNKNOWN:
			return rfail(r, ASIC_E_SIGNATURE, "ocsp", "signer %s "
			    "at signing time: %s: %s", r->vr_signer,
			    certcheck_code_str(ce.ce_code), ce.ce_msg);
		default:
			return rfail(r, ASIC_E_SIGNATURE, "certificate",
			    "signer %s at signing time: %s: %s", r->vr_signer,
			    certcheck_code_str(ce.ce_code), ce.ce_msg);
		}
	}
	fmt_time(r->vr_signing_time, tbuf, sizeof(tbuf));
	trace(r, ASIC_E_SIGNATURE, "certificate", "%s: chain to a CA approved "
	    "in %s, valid at %s", r->vr_signer, signer.instance, tbuf);
	trace(r, ASIC_E_SIGNATURE, "ocsp", "%zu OCSP response(s): GOOD and "
	    "fresh at %s", i, tbuf);
	return 0;
}

/* The message: SOAP or REST, who sent it, the request hash. */

struct av_msg {
	int		 m_rest;
	enum asicv_kind	 m_kind;
	struct xrid	 m_client;
	struct xrid	 m_service;
	int		 m_has_client, m_has_service;
	char		 m_id[XRID_PART_MAX + 1];
	char		 m_request_hash[ASICV_HASH_MAX];	/* response */
	char		 m_hash_alg[128];
};

static int
looks_soap(const unsigned char *s, size_t len)
{
	size_t	i = 0;

	if (len >= 3 && s[0] == 0xef && s[1] == 0xbb && s[2] == 0xbf)
		i = 3;
	while (i < len && (s[i] == ' ' || s[i] == '\t' || s[i] == '\r' ||
	    s[i] == '\n'))
		i++;
	return i < len && s[i] == '<';
}

static int
msg_read(const struct asic_parts *p, enum asicv_kind hint, struct av_msg *m,
    char *err, size_t errlen)
{
	struct soap_msg		*sm = NULL;
	struct rest_req		*rq = NULL;
	struct rest_resp	*rs = NULL;
	struct xr_err		 xe;
	const struct xrid	*id;
	const char		*s, *alg = NULL, *name;
	char			 want[XRID_PART_MAX + 16];
	int			 rv = -1;

	memset(m, 0, sizeof(*m));
	memset(&xe, 0, sizeof(xe));
	if (looks_soap(p->ap_message.ad_data, p->ap_message.ad_len)) {
		if (soap_parse(p->ap_message.ad_data, p->ap_message.ad_len,
		    NULL, ASIC_MAX_PART, SOAP_RESPONSE, &sm, &xe) == -1) {
			(void)snprintf(err, errlen, "not an X-Road SOAP "
			    "message: %.60s: %.400s", xe.xe_code, xe.xe_msg);
			goto done;
		}
		if ((id = soap_msg_client(sm)) != NULL) {
			m->m_client = *id;
			m->m_has_client = 1;
		}
		if ((id = soap_msg_service(sm)) != NULL) {
			m->m_service = *id;
			m->m_has_service = 1;
		}
		if ((s = soap_msg_id(sm)) != NULL)
			(void)strlcpy(m->m_id, s, sizeof(m->m_id));
		if ((s = soap_msg_request_hash(sm, &alg)) != NULL) {
			(void)strlcpy(m->m_request_hash, s,
			    sizeof(m->m_request_hash));
			if (alg != NULL)
				(void)strlcpy(m->m_hash_alg, alg,
				    sizeof(m->m_hash_alg));
		}
		name = soap_msg_body_name(sm);
		(void)snprintf(want, sizeof(want), "%sResponse",
		    m->m_service.service_code);
		if (soap_msg_is_fault(sm) || s != NULL ||
		    (name != NULL && m->m_has_service &&
		    strcmp(name, want) == 0))
			m->m_kind = ASICV_RESPONSE;
		else
			m->m_kind = ASICV_REQUEST;
		/* A response with a body named like the request. */
		if (hint == ASICV_RESPONSE && !soap_msg_is_fault(sm) &&
		    m->m_has_service && name != NULL &&
		    strcmp(name, m->m_service.service_code) == 0)
			m->m_kind = ASICV_RESPONSE;
	} else {
		m->m_rest = 1;
		if (rest_head_is_response(p->ap_message.ad_data,
		    p->ap_message.ad_len)) {
			if (rest_resp_parse(p->ap_message.ad_data,
			    p->ap_message.ad_len, &rs, &xe) == -1) {
				(void)snprintf(err, errlen, "not an X-Road REST "
				    "response head: %.400s", xe.xe_msg);
				goto done;
			}
			m->m_kind = ASICV_RESPONSE;
			if ((id = rest_resp_client(rs)) != NULL) {
				m->m_client = *id;
				m->m_has_client = 1;
			}
			if ((id = rest_resp_service(rs)) != NULL) {
				m->m_service = *id;
				m->m_has_service = 1;
			}
			if ((s = rest_resp_id(rs)) != NULL)
				(void)strlcpy(m->m_id, s, sizeof(m->m_id));
			if ((s = rest_resp_request_hash(rs)) != NULL)
				(void)strlcpy(m->m_request_hash, s,
				    sizeof(m->m_request_hash));
		} else {
			if (rest_req_parse(p->ap_message.ad_data,
			    p->ap_message.ad_len, &rq, &xe) == -1) {
				(void)snprintf(err, errlen, "not an X-Road REST "
				    "request head: %.400s", xe.xe_msg);
				goto done;
			}
			m->m_kind = ASICV_REQUEST;
			if ((id = rest_req_client(rq)) != NULL) {
				m->m_client = *id;
				m->m_has_client = 1;
			}
			if ((id = rest_req_service(rq)) != NULL) {
				m->m_service = *id;
				m->m_has_service = 1;
			}
			if ((s = rest_req_id(rq)) != NULL)
				(void)strlcpy(m->m_id, s, sizeof(m->m_id));
		}
	}
	if (hint != ASICV_UNKNOWN && hint != m->m_kind) {
		(void)snprintf(err, errlen, "the message is a %s, expected "
		    "a %s", m->m_kind == ASICV_REQUEST ?
		    "request" : "response", hint == ASICV_REQUEST ? "request" :
		    "response");
		goto done;
	}
	rv = 0;
done:
	soap_msg_free(sm);
	rest_req_free(rq);
	rest_resp_free(rs);
	return rv;
}

/* The requestHash a response to this request must carry. */
static int
hash_of_request(const struct asic_parts *p, const struct av_msg *m,
    char *out, size_t outlen)
{
	unsigned char	 md[EVP_MAX_MD_SIZE];
	char		*h = NULL;
	int		 rv = -1;

	if (m->m_rest) {
		if (p->ap_nattachments > 0) {
			if (!EVP_Digest(p->ap_attachments[0].ad_data != NULL ?
			    (const void *)p->ap_attachments[0].ad_data : "",
			    p->ap_attachments[0].ad_len, md, NULL,
			    EVP_sha512(), NULL))
				return -1;
		}
		if (rest_request_hash_raw(p->ap_message.ad_data,
		    p->ap_message.ad_len, p->ap_nattachments > 0 ? md : NULL,
		    &h) == -1)
			return -1;
	} else {
		if (!EVP_Digest(p->ap_message.ad_data, p->ap_message.ad_len,
		    md, NULL, EVP_sha512(), NULL) ||
		    (h = b64_encode(md, 64)) == NULL)
			return -1;
	}
	if (strlcpy(out, h, outlen) < outlen)
		rv = 0;
	free(h);
	return rv;
}

static int
check_signer(const struct asic_parts *p, const struct xsig_info *xi,
    enum asicv_kind hint, struct asicv_report *r)
{
	struct av_msg	 m;
	struct xrid	 cert_id, sender, member;
	char		 err[600];

	if (msg_read(p, hint, &m, err, sizeof(err)) == -1)
		return rfail(r, ASIC_E_MESSAGE, "signer", "%s", err);
	r->vr_rest = m.m_rest;
	r->vr_kind = m.m_kind;
	(void)strlcpy(r->vr_query_id, m.m_id, sizeof(r->vr_query_id));
	if (m.m_kind == ASICV_RESPONSE) {
		(void)strlcpy(r->vr_request_hash, m.m_request_hash,
		    sizeof(r->vr_request_hash));
		if (!m.m_has_service)
			return rfail(r, ASIC_E_MESSAGE, "signer", "the response "
			    "names no service");
		sender = m.m_service;
	} else {
		if (hash_of_request(p, &m, r->vr_hash_of_request,
		    sizeof(r->vr_hash_of_request)) == -1)
			return rfail(r, ASIC_E_MESSAGE, "signer", "cannot hash "
			    "the request");
		if (!m.m_has_client)
			return rfail(r, ASIC_E_MESSAGE, "signer", "the request "
			    "names no client");
		sender = m.m_client;
	}
	(void)xrid_format_doc(&sender, r->vr_sender, sizeof(r->vr_sender));
	if (certcheck_member_id(xi->xi_cert, &cert_id) == -1 ||
	    xrid_member(&sender, &member) == -1 ||
	    !xrid_equal(&member, &cert_id))
		return rfail(r, ASIC_E_MESSAGE, "signer", "the %s comes from "
		    "%s, but %s signed it", m.m_kind == ASICV_REQUEST ?
		    "request" : "response", r->vr_sender, r->vr_signer);
	trace(r, ASIC_E_MESSAGE, "signer", "%s %s %s, signed by %s",
	    m.m_rest ? "REST" : "SOAP", m.m_kind == ASICV_REQUEST ?
	    "request from" : "response from", r->vr_sender, r->vr_signer);
	return 0;
}

int
asicv_verify_parts(const struct asicv_conf *c, const struct asic_parts *p,
    enum asicv_kind hint, struct asicv_report *r)
{
	struct xsig_info	*xi = NULL;
	char			 msg[512], t1[XSD_DATETIME_LEN];
	char			 t2[XSD_DATETIME_LEN];
	int			 rv = -1;

	if (c == NULL || p == NULL || r == NULL)
		return -1;
	if (asic_check_manifests(p, msg, sizeof(msg)) == -1) {
		const char *colon = strchr(msg, ':');
		char entry[64];

		(void)snprintf(entry, sizeof(entry), "%.*s",
		    colon != NULL ? (int)(colon - msg) : 0, msg);
		return rfail(r, entry[0] != '\0' ? entry : ASIC_E_MANIFEST,
		    "manifest", "%s", colon != NULL ? colon + 2 : msg);
	}
	trace(r, ASIC_E_MANIFEST, "manifest", "lists the entries%s",
	    p->ap_asic_manifest.ad_data != NULL ? "; " ASIC_E_ASIC_MANIFEST
	    " holds the digest of " ASIC_E_TS_HCR : "");
	if (check_timestamp(c, p, r) == -1)
		goto done;
	if (check_signature(p, &xi, r) == -1)
		goto done;
	r->vr_signing_time = xi->xi_signing_time != 0 ?
	    xi->xi_signing_time : r->vr_ts_time;
	if (r->vr_signing_time > r->vr_ts_time + ASICV_SKEW) {
		fmt_time(r->vr_signing_time, t1, sizeof(t1));
		fmt_time(r->vr_ts_time, t2, sizeof(t2));
		rfail(r, ASIC_E_SIGNATURE, "signature", "SigningTime %s is "
		    "after the timestamp %s", t1, t2);
		goto done;
	}
	if (check_cert(c, xi, r) == -1)
		goto done;
	if (check_signer(p, xi, hint, r) == -1)
		goto done;
	rv = 0;
done:
	xsig_info_free(xi);
	return rv;
}

int
asicv_verify_container(const struct asicv_conf *c, const void *zip,
    size_t len, enum asicv_kind hint, struct asicv_report *r)
{
	struct asic_parts	*p = NULL;
	char			 msg[512];
	const char		*colon;
	char			 entry[64];
	int			 rv;

	if (c == NULL || zip == NULL || r == NULL)
		return -1;
	if (asic_parse(zip, len, &p, msg, sizeof(msg)) == -1) {
		colon = strchr(msg, ':');
		(void)snprintf(entry, sizeof(entry), "%.*s",
		    colon != NULL ? (int)(colon - msg) : 3, colon != NULL ?
		    msg : "zip");
		return rfail(r, entry, "structure", "%s", colon != NULL &&
		    colon[1] == ' ' ? colon + 2 : msg);
	}
	trace(r, "zip", "structure", "%zu attachment(s), %s timestamp",
	    p->ap_nattachments, p->ap_ts_token.ad_data == NULL ? "no" :
	    p->ap_ts_embedded ? "embedded" : "batch");
	rv = asicv_verify_parts(c, p, hint, r);
	asic_parts_free(p);
	return rv;
}

int
asicv_verify_pair(const struct asic_parts *req, const struct asic_parts *resp,
    struct asicv_report *r)
{
	struct av_msg	 mq, ms;
	char		 err[600], want[ASICV_HASH_MAX];
	unsigned char	*a = NULL, *b = NULL;
	size_t		 alen, blen;
	int		 same;

	if (req == NULL || resp == NULL || r == NULL)
		return -1;
	if (msg_read(req, ASICV_REQUEST, &mq, err, sizeof(err)) == -1)
		return rfail(r, "request " ASIC_E_MESSAGE, "request-hash",
		    "%s", err);
	if (msg_read(resp, ASICV_RESPONSE, &ms, err, sizeof(err)) == -1)
		return rfail(r, "response " ASIC_E_MESSAGE, "request-hash",
		    "%s", err);
	if (mq.m_rest != ms.m_rest)
		return rfail(r, "pair", "request-hash", "one message is SOAP, "
		    "the other REST");
	(void)strlcpy(r->vr_query_id, mq.m_id, sizeof(r->vr_query_id));
	if (strcmp(mq.m_id, ms.m_id) != 0)
		return rfail(r, "pair", "request-hash", "message ids differ: "
		    "%s and %s", mq.m_id, ms.m_id);
	if (!mq.m_has_client || !ms.m_has_client ||
	    !xrid_equal(&mq.m_client, &ms.m_client) ||
	    !mq.m_has_service || !ms.m_has_service ||
	    !xrid_equal(&mq.m_service, &ms.m_service))
		return rfail(r, "pair", "request-hash", "client or service "
		    "differ between request and response");
	if (ms.m_request_hash[0] == '\0')
		return rfail(r, "response " ASIC_E_MESSAGE, "request-hash",
		    "the response carries no request hash");
	if (!ms.m_rest && ms.m_hash_alg[0] != '\0' &&
	    strcmp(ms.m_hash_alg, XR_ALGO_SHA512) != 0)
		return rfail(r, "response " ASIC_E_MESSAGE, "request-hash",
		    "requestHash algorithm %s is not SHA-512", ms.m_hash_alg);
	if (hash_of_request(req, &mq, want, sizeof(want)) == -1)
		return rfail(r, "request " ASIC_E_MESSAGE, "request-hash",
		    "cannot hash the request");
	(void)strlcpy(r->vr_hash_of_request, want,
	    sizeof(r->vr_hash_of_request));
	(void)strlcpy(r->vr_request_hash, ms.m_request_hash,
	    sizeof(r->vr_request_hash));
	/* Compare decoded values (the SOAP text may hold whitespace). */
	same = b64_decode(want, strlen(want), &a, &alen) == 0 &&
	    b64_decode(ms.m_request_hash, strlen(ms.m_request_hash), &b,
	    &blen) == 0 && alen == blen && alen > 0 &&
	    CRYPTO_memcmp(a, b, alen) == 0;
	free(a);
	free(b);
	if (!same)
		return rfail(r, "response " ASIC_E_MESSAGE, "request-hash",
		    "the response's request hash is not the hash of this "
		    "request");
	trace(r, "pair", "request-hash", "the response to %s carries the "
	    "hash of the request", mq.m_id);
	return 0;
}
