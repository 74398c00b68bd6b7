/*
 * proxy_common.c: what the client proxy and the server proxy share:
 * faults in the protocol's own form (NOTES.md 2.5, 3.3), signing with
 * batch signing and our OCSP responses, verifying a signed transport
 * message (signature, signer cert chain and OCSP, signer identity), and
 * SOAP attachments.
 */
#include "config.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <event2/http.h>
#include <openssl/rand.h>

#include "batchsign.h"
#include "buf.h"
#include "certcheck.h"
#include "compat.h"
#include "globalconf.h"
#include "http.h"
#include "log.h"
#include "mime.h"
#include "ocsp.h"
#include "rest.h"
#include "signer.h"
#include "soap.h"
#include "transport.h"
#include "xsig.h"
#include "securityserverd.h"
#include "proxy.h"

#define FAULT_XML_MAX	(64 * 1024)
#define MULTIPART_TRIES	4

int
proxy_uuid(char out[PROXY_UUID_LEN + 1])
{
	unsigned char	b[16];

	if (RAND_bytes(b, sizeof(b)) != 1)
		return -1;
	b[6] = (unsigned char)((b[6] & 0x0f) | 0x40);
	b[8] = (unsigned char)((b[8] & 0x3f) | 0x80);
	(void)snprintf(out, PROXY_UUID_LEN + 1,
	    "%02x%02x%02x%02x-%02x%02x-%02x%02x-%02x%02x-"
	    "%02x%02x%02x%02x%02x%02x", b[0], b[1], b[2], b[3], b[4], b[5],
	    b[6], b[7], b[8], b[9], b[10], b[11], b[12], b[13], b[14], b[15]);
	return 0;
}

/*
 * Faults.
 */

void
proxy_fault_set(struct proxy_fault *f, const char *prefix, const char *code,
    const char *fmt, ...)
{
	va_list	ap;
	size_t	n;

	if (prefix != NULL)
		(void)snprintf(f->pf_code, sizeof(f->pf_code), "%s.%s", prefix,
		    code);
	else
		(void)strlcpy(f->pf_code, code, sizeof(f->pf_code));
	va_start(ap, fmt);
	(void)vsnprintf(f->pf_msg, sizeof(f->pf_msg), fmt, ap);
	va_end(ap);
	/* libxml2's messages end in a newline. */
	n = strlen(f->pf_msg);
	while (n > 0 && (f->pf_msg[n - 1] == '\n' || f->pf_msg[n - 1] == ' '))
		f->pf_msg[--n] = '\0';
	f->pf_detail[0] = '\0';
}

void
proxy_fault_err(struct proxy_fault *f, const char *prefix,
    const struct xr_err *err)
{
	proxy_fault_set(f, prefix, err->xe_code[0] != '\0' ? err->xe_code :
	    XR_E_INTERNAL_ERROR, "%s", err->xe_msg);
}

int
proxy_fault_parse(const void *xml, size_t len, struct proxy_fault *f)
{
	struct soap_msg	*m = NULL;
	struct xr_err	 err;
	const char	*s;

	if (soap_parse(xml, len, NULL, FAULT_XML_MAX, SOAP_RESPONSE, &m,
	    &err) == -1 || !soap_msg_is_fault(m) ||
	    (s = soap_msg_fault_code(m)) == NULL || *s == '\0') {
		soap_msg_free(m);
		return -1;
	}
	(void)strlcpy(f->pf_code, s, sizeof(f->pf_code));
	s = soap_msg_fault_string(m);
	(void)strlcpy(f->pf_msg, s != NULL ? s : "", sizeof(f->pf_msg));
	s = soap_msg_fault_detail(m);
	(void)strlcpy(f->pf_detail, s != NULL ? s : "", sizeof(f->pf_detail));
	soap_msg_free(m);
	return 0;
}

static void
fault_detail(struct proxy_fault *f)
{
	if (f->pf_detail[0] == '\0' && proxy_uuid(f->pf_detail) == -1)
		(void)strlcpy(f->pf_detail, "no-detail", sizeof(f->pf_detail));
}

int
proxy_fault_xml(struct proxy_fault *f, struct buf **out)
{
	fault_detail(f);
	return soap_fault_build(f->pf_code, f->pf_msg, f->pf_detail, out);
}

void
proxy_reply_fault(struct evhttp_request *req, int rest, struct proxy_fault *f,
    const char *side)
{
	struct buf	*b = NULL;
	char		*json = NULL;

	fault_detail(f);
	log_warnx("%s: fault %s (detail %s): %s", side, f->pf_code,
	    f->pf_detail, f->pf_msg);
	if (rest) {
		if (rest_error_json(f->pf_code, f->pf_msg, f->pf_detail,
		    &json) == -1) {
			http_reply(req, 500, NULL, NULL, 0);
			return;
		}
		evhttp_add_header(evhttp_request_get_output_headers(req),
		    "X-Road-Error", f->pf_code);
		http_reply(req, rest_error_status(f->pf_code), REST_CT_ERROR,
		    json, strlen(json));
		free(json);
		return;
	}
	if (soap_fault_build(f->pf_code, f->pf_msg, f->pf_detail, &b) == -1) {
		http_reply(req, 500, NULL, NULL, 0);
		return;
	}
	/* X-Road sends SOAP faults with HTTP 200 (HandlerBase.java). */
	http_reply(req, 200, "text/xml; charset=UTF-8", buf_data(b),
	    buf_len(b));
	buf_free(b);
}

/*
 * Certificates.
 */

void
proxy_certcheck_params(struct certcheck_params *p, const struct gc_snap *gs,
    enum certcheck_purpose purpose)
{
	long long fresh = gconf_ocsp_freshness(gs->gs_gc);

	certcheck_params_init(p, time(NULL), purpose);
	if (fresh > 0)
		p->cp_ocsp_freshness = (long)fresh;
	p->cp_ocsp_responders = gs->gs_ocsp_responders;
}

const char *
proxy_certcheck_code(enum certcheck_code c)
{
	switch (c) {
	case CERTCHECK_UNTRUSTED_CA:
	case CERTCHECK_EXPIRED:
	case CERTCHECK_NOT_YET_VALID:
	case CERTCHECK_BAD_SIGNATURE:
	case CERTCHECK_WRONG_PURPOSE:
	case CERTCHECK_CHAIN_INVALID:
		return "InvalidCertPath";
	case CERTCHECK_OCSP_MISSING:
	case CERTCHECK_OCSP_INVALID:
	case CERTCHECK_OCSP_TOO_OLD:
	case CERTCHECK_REVOKED:
	case CERTCHECK_OCSP_UNKNOWN:
		return "CertValidation";
	default:
		return XR_E_INTERNAL_ERROR;
	}
}

int
proxy_in_global_group(void *arg, const struct xrid *group,
    const struct xrid *client)
{
	const struct gc_snap *gs = arg;

	if (gs == NULL ||
	    strcmp(group->instance, gconf_instance(gs->gs_gc)) != 0)
		return 0;
	return gconf_group_has_member(gs->gs_gc, group->group_code, client);
}

int
proxy_own_ocsp(struct ssd *sd, X509 *cert, const struct gc_snap *gs,
    unsigned char **der, size_t *len, char *err, size_t errlen)
{
	char		hex[OCSP_SHA1_HEX_LEN + 1];
	time_t		tu = 0, now = time(NULL);
	long long	fresh;

	fresh = gs != NULL ? gconf_ocsp_freshness(gs->gs_gc) : 0;
	*der = NULL;
	*len = 0;
	if (fresh <= 0)
		fresh = OCSP_FRESHNESS_DEFAULT;
	if (sd->sd_ocsp == NULL || certcheck_sha1_hex(cert, hex) == -1 ||
	    ocsp_cache_get(sd->sd_ocsp, hex, der, len, &tu) == -1) {
		(void)snprintf(err, errlen, "no OCSP response cached for "
		    "certificate %s", sd->sd_ocsp == NULL ? "?" : hex);
		return -1;
	}
	if (tu + fresh < now) {
		(void)snprintf(err, errlen, "the cached OCSP response of "
		    "certificate %s is too old (%lld s, freshness %lld s)", hex,
		    (long long)(now - tu), fresh);
		free(*der);
		*der = NULL;
		return -1;
	}
	return 0;
}

/*
 * Signing.
 */

struct proxy_signctx {
	struct ssd	*sc_sd;
	/* The OCSP responses of this batch's signing cert and its chain. */
	struct xsig_der	 sc_xd[XSIG_MAX_OCSP];
	size_t		 sc_n;
};

static void
signctx_clear(struct proxy_signctx *sc)
{
	size_t i;

	for (i = 0; i < sc->sc_n; i++)
		free((void *)sc->sc_xd[i].xd_der);
	sc->sc_n = 0;
}

/*
 * batchsign asks once per batch: the signing cert's OCSP response (must
 * be fresh) and those of its intermediate CAs that the cache holds.
 */
static int
sign_ocsp_fn(const char *key_id, const struct xsig_der **ocsp, size_t *nocsp,
    void *arg)
{
	struct proxy_signctx	*sc = arg;
	struct ssd		*sd = sc->sc_sd;
	struct gc_snap		*gs;
	STACK_OF(X509)		*chain;
	X509			*cert;
	unsigned char		*der;
	size_t			 len;
	char			 err[256];
	int			 i, rc = -1;

	signctx_clear(sc);
	if ((cert = signer_cert(sd->sd_signer, key_id)) == NULL)
		return -1;
	gs = confclient_acquire(sd);
	if (proxy_own_ocsp(sd, cert, gs, &der, &len, err, sizeof(err)) ==
	    -1) {
		log_warnx("signing for %s: %s", key_id, err);
		goto done;
	}
	sc->sc_xd[sc->sc_n].xd_der = der;
	sc->sc_xd[sc->sc_n++].xd_len = len;
	chain = signer_chain(sd->sd_signer, key_id);
	for (i = 0; i < sk_X509_num(chain) && sc->sc_n < XSIG_MAX_OCSP; i++) {
		if (proxy_own_ocsp(sd, sk_X509_value(chain, i), gs, &der, &len,
		    err, sizeof(err)) == -1)
			continue;
		sc->sc_xd[sc->sc_n].xd_der = der;
		sc->sc_xd[sc->sc_n++].xd_len = len;
	}
	*ocsp = sc->sc_xd;
	*nocsp = sc->sc_n;
	rc = 0;
 done:
	confclient_release(gs);
	return rc;
}

struct proxy_signctx *
proxy_sign_start(struct ssd *sd)
{
	struct proxy_signctx *sc;

	if ((sc = calloc(1, sizeof(*sc))) == NULL)
		return NULL;
	sc->sc_sd = sd;
	if (sd->sd_batch == NULL &&
	    (sd->sd_batch = batchsign_new(sd->sd_base, sd->sd_signer, 0)) ==
	    NULL) {
		free(sc);
		return NULL;
	}
	batchsign_set_ocsp_fn(sd->sd_batch, sign_ocsp_fn, sc);
	return sc;
}

void
proxy_sign_stop(struct ssd *sd, struct proxy_signctx *sc)
{
	batchsign_free(sd->sd_batch);
	sd->sd_batch = NULL;
	if (sc != NULL) {
		signctx_clear(sc);
		free(sc);
	}
}

struct batchsign_req *
proxy_sign(struct ssd *sd, const struct xrid *member,
    const unsigned char *digests, size_t n, batchsign_cb cb, void *arg,
    const char *prefix, struct proxy_fault *f)
{
	struct batchsign_req	*r;
	char			 key_id[XRID_STR_MAX];

	if (xrid_format(member, 0, key_id, sizeof(key_id)) == -1 ||
	    !signer_has_key(sd->sd_signer, key_id)) {
		proxy_fault_set(f, prefix, "CannotCreateSignature",
		    "No signing key for member %s on this security server",
		    member->member_code);
		return NULL;
	}
	if (sd->sd_batch == NULL || (r = batchsign_submit(sd->sd_batch,
	    key_id, digests, n, cb, arg)) == NULL) {
		proxy_fault_set(f, prefix, "CannotCreateSignature",
		    "Cannot queue the message for signing");
		return NULL;
	}
	return r;
}

void
proxy_sign_fault(int error, const char *prefix, struct proxy_fault *f)
{
	switch (error) {
	case BATCHSIGN_ERR_KEY:
		proxy_fault_set(f, prefix, "CannotCreateSignature",
		    "The signing key is gone");
		break;
	case BATCHSIGN_ERR_OCSP:
		proxy_fault_set(f, prefix, "CannotCreateSignature",
		    "No fresh OCSP response for the signing certificate");
		break;
	default:
		proxy_fault_set(f, prefix, "CannotCreateSignature",
		    "Signing failed: %s", xsig_strerror(error));
		break;
	}
}

static const char *
xsig_code(int rc)
{
	switch (rc) {
	case XSIG_ERR_MALFORMED:
		return "MalformedSignature";
	case XSIG_ERR_REFERENCE:
		return "InvalidReference";
	case XSIG_ERR_SIGNATURE:
	case XSIG_ERR_CERT:
		return "InvalidSignatureValue";
	case XSIG_ERR_HASHCHAIN:
		return "InvalidHashChain";
	default:
		return XR_E_INTERNAL_ERROR;
	}
}

int
proxy_verify_signed(const struct transport_msg *m, const struct gc_snap *gs,
    const struct xrid *member, const char *prefix, struct proxy_fault *f)
{
	struct xsig_info	*xi = NULL;
	struct certcheck_ocsp	 co[XSIG_MAX_OCSP];
	struct certcheck_params	 cp;
	struct certcheck_error	 ce;
	struct xrid		 signer;
	char			 err[512];
	size_t			 i;
	int			 rc;

	if ((rc = transport_msg_verify(m, &xi, err, sizeof(err))) != 0) {
		proxy_fault_set(f, prefix, xsig_code(rc), "Signature of the "
		    "message does not verify: %s", err);
		return -1;
	}
	for (i = 0; i < xi->xi_nocsp && i < XSIG_MAX_OCSP; i++) {
		co[i].co_der = xi->xi_ocsp[i].xo_der;
		co[i].co_len = xi->xi_ocsp[i].xo_len;
	}
	proxy_certcheck_params(&cp, gs, CERTCHECK_PURPOSE_SIGN);
	if (certcheck_verify(gs->gs_trust, xi->xi_cert, xi->xi_extra, co, i,
	    &cp, NULL, &ce) == -1) {
		proxy_fault_set(f, prefix, proxy_certcheck_code(ce.ce_code),
		    "Signing certificate is not valid: %s", ce.ce_msg);
		goto fail;
	}
	if (certcheck_member_id(xi->xi_cert, &signer) == -1 ||
	    strcmp(signer.instance, member->instance) != 0 ||
	    strcmp(signer.member_class, member->member_class) != 0 ||
	    strcmp(signer.member_code, member->member_code) != 0) {
		proxy_fault_set(f, prefix, "IncorrectCertificate",
		    "The message is not signed by member %s/%s/%s",
		    member->instance, member->member_class,
		    member->member_code);
		goto fail;
	}
	xsig_info_free(xi);
	return 0;
 fail:
	xsig_info_free(xi);
	return -1;
}

/*
 * Attachments.
 */

void
proxy_atts_free(struct proxy_atts *pa)
{
	free(pa->pa_att);
	free(pa->pa_hdrs);
	memset(pa, 0, sizeof(*pa));
}

int
proxy_atts_new(const struct mime_part *const *parts, size_t n,
    struct proxy_atts *pa)
{
	size_t	i, j, nh = 0, at = 0;

	memset(pa, 0, sizeof(*pa));
	if (n == 0)
		return 0;
	for (i = 0; i < n; i++)
		nh += mime_part_nheaders(parts[i]) * 2 + 1;
	if ((pa->pa_att = calloc(n, sizeof(*pa->pa_att))) == NULL ||
	    (pa->pa_hdrs = calloc(nh, sizeof(*pa->pa_hdrs))) == NULL) {
		proxy_atts_free(pa);
		return -1;
	}
	for (i = 0; i < n; i++) {
		pa->pa_att[i].ta_headers = &pa->pa_hdrs[at];
		for (j = 0; j < mime_part_nheaders(parts[i]); j++) {
			if (mime_part_header_at(parts[i], j, &pa->pa_hdrs[at],
			    &pa->pa_hdrs[at + 1]) == -1) {
				proxy_atts_free(pa);
				return -1;
			}
			at += 2;
		}
		pa->pa_hdrs[at++] = NULL;
		pa->pa_att[i].ta_body = mime_part_body(parts[i],
		    &pa->pa_att[i].ta_len);
	}
	pa->pa_n = n;
	return 0;
}

int
proxy_soap_multipart(const void *soap, size_t len, const char *soap_ctype,
    const struct transport_attachment *att, size_t natt, size_t max,
    struct buf **out, char *ctype, size_t ctypelen)
{
	struct mime_writer	*w = NULL;
	struct mime_hval	*hv = NULL;
	const char		*h[5];
	int			 mtom, tries, rc = -1;
	size_t			 i;

	*out = NULL;
	if (mime_hval_parse(soap_ctype, MIME_HV_CTYPE, &hv, NULL, 0) == -1)
		return -1;
	mtom = strcmp(mime_hval_value(hv), "application/xop+xml") == 0;
	mime_hval_free(hv);
	h[0] = "Content-Type";
	h[1] = soap_ctype;
	h[2] = "Content-Transfer-Encoding";
	h[3] = mtom ? "binary" : "8bit";
	h[4] = NULL;
	for (tries = 0; tries < MULTIPART_TRIES; tries++) {
		if ((w = mime_writer_new(NULL, max)) == NULL)
			return -1;
		if (mime_writer_add(w, h, soap, len) == 0) {
			for (i = 0; i < natt; i++)
				if (mime_writer_add(w, att[i].ta_headers,
				    att[i].ta_body, att[i].ta_len) == -1)
					break;
			if (i == natt)
				break;
		}
		mime_writer_free(w);
		w = NULL;
	}
	if (w == NULL)
		return -1;
	if (mtom)
		rc = snprintf(ctype, ctypelen, "multipart/related; "
		    "type=\"application/xop+xml\"; start-info=\"text/xml\"; "
		    "boundary=%s", mime_writer_boundary(w));
	else
		rc = snprintf(ctype, ctypelen, "multipart/related; "
		    "type=\"text/xml\"; boundary=%s", mime_writer_boundary(w));
	if (rc < 0 || (size_t)rc >= ctypelen) {
		mime_writer_free(w);
		return -1;
	}
	return mime_writer_finish(w, out);
}

/*
 * The record of a message just signed: the message as it goes into the
 * transport and its signature. The transport message already holds
 * copies of the signature parts, so out no longer points at them.
 */
void
proxy_msglog_signed(struct msglog_rec *r, struct transport_out *out,
    const struct batchsign_result *res)
{
	r->mr_message = out->to_msg;
	r->mr_message_len = out->to_msg_len;
	r->mr_body = out->to_has_body ? out->to_body : NULL;
	r->mr_body_len = out->to_body_len;
	r->mr_nattachments = out->to_natt;
	r->mr_signature = res->br_signature;
	r->mr_signature_len = res->br_signature_len;
	r->mr_hcr = res->br_hashchain_result;
	r->mr_hcr_len = res->br_hashchain_result_len;
	r->mr_hc = res->br_hashchain;
	r->mr_hc_len = res->br_hashchain_len;
	out->to_sig = NULL;
	out->to_hcr = NULL;
	out->to_hc = NULL;
}
