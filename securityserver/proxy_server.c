/*
 * proxy_server.c: the server proxy, the provider side (NOTES.md 4.3;
 * DESIGN.md 4.1).
 *
 * Another security server POSTs a signed transport message over mutual
 * TLS. Nothing is forwarded before everything below holds:
 *
 *   TLS: the peer's auth cert chains to an approved CA and is registered
 *        for a security server in global configuration (handshake, and
 *        again per request: sessions resume)
 *   the transport message parses within its bounds; the X-Road message
 *        inside it parses (SOAP header / REST head)
 *   securityServer (if named) is this server       (InvalidSecurityServer)
 *   the peer's server hosts the client; the OCSP responses it sent for
 *        its auth cert are fresh and GOOD          (SslAuthenticationFailed)
 *   the provider subsystem is registered here      (UnknownMember)
 *   the service exists                              (UnknownService)
 *   and is of the request's protocol                (ServiceType)
 *   the client may call it (REST: method and path)  (AccessDenied)
 *   it is enabled                                   (ServiceDisabled)
 *   the signature verifies, by the client member, cert chain and OCSP
 *        fresh                                      (InvalidSignatureValue,
 *                                                    CertValidation, ...)
 *
 * then: log the request, call the provider IS at the service URL (REST:
 * URL + rest of the path + query) with the service timeout, make the
 * answer (SOAP: header checked against the request, requestHash added;
 * REST: X-Road-Request-Hash and the X-Road headers), sign it with the
 * provider member's key, log it, and return the signed transport
 * response. Errors before that are a text/xml SOAP fault (HTTP 200, as
 * X-Road), which the client proxy passes on.
 */
#include "config.h"

#include <sys/queue.h>

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <event2/http.h>
#include <openssl/ssl.h>

#include "buf.h"
#include "certcheck.h"
#include "compat.h"
#include "conf.h"
#include "globalconf.h"
#include "http.h"
#include "httpc.h"
#include "log.h"
#include "mime.h"
#include "rest.h"
#include "soap.h"
#include "tlsctx.h"
#include "transport.h"
#include "securityserverd.h"
#include "proxy.h"

#define SP_SIDE		"server proxy"
#define SP		XR_PREFIX_SERVERPROXY
#define SP_URL_MAX	8192

struct proxy_server {
	struct ssd			*ps_sd;
	struct proxy_signctx		*ps_sign;
	struct httpc_ev			*ps_is;		/* provider IS calls */
	TAILQ_HEAD(, sp_xchg)		 ps_xchgs;
	size_t				 ps_max_body;
	int				 ps_default_timeout;	/* s */
};

struct sp_xchg {
	TAILQ_ENTRY(sp_xchg)	 sx_entry;
	struct proxy_server	*sx_ps;
	struct ssd		*sx_sd;
	struct evhttp_request	*sx_req;
	int			 sx_rest;
	struct sc_snap		*sx_sc;
	struct gc_snap		*sx_gc;
	struct buf		*sx_body;
	struct transport_msg	*sx_tmsg;
	char			 sx_request_id[PROXY_UUID_LEN + 1];
	const char		*sx_query_id;
	struct xrid		 sx_client;
	struct xrid		 sx_service;
	struct xrid		 sx_provider;
	struct xrid		 sx_provider_member;
	int			 sx_body_logging;
	const struct sc_service	*sx_svc;
	/* SOAP request */
	struct soap_msg		*sx_soap;
	char			*sx_soapaction;
	/* REST request */
	struct rest_req		*sx_rreq;
	/* In flight */
	struct msglog_req	*sx_log;
	struct httpc_call	*sx_call;
	struct batchsign_req	*sx_sign;
	/* The provider's answer and what we make of it */
	struct httpc_resp	*sx_resp;
	struct soap_parts	*sx_rparts;
	struct buf		*sx_rmsg;	/* SOAP answer or REST head */
	char			*sx_rmsg_ctype;
	struct proxy_atts	 sx_ratts;
	struct transport_out	 sx_out;
	struct buf		*sx_transport;
	/* Metaservices answered here */
	int			 sx_meta;
	struct proxy_meta_call	*sx_mcall;
	struct proxy_meta_answer *sx_mans;
	const char		*sx_matt_hdrs[3];
	struct transport_attachment sx_matt;
	char			 sx_ctype[200];
	int			 sx_status;
};

/*
 * Exchanges.
 */

static struct sp_xchg *
xchg_new(struct proxy_server *ps, struct evhttp_request *req)
{
	struct sp_xchg *x;

	if ((x = calloc(1, sizeof(*x))) == NULL)
		return NULL;
	x->sx_ps = ps;
	x->sx_sd = ps->ps_sd;
	x->sx_req = req;
	TAILQ_INSERT_TAIL(&ps->ps_xchgs, x, sx_entry);
	ps->ps_sd->sd_stats.st_served++;
	return x;
}

static void
xchg_free(struct sp_xchg *x)
{
	TAILQ_REMOVE(&x->sx_ps->ps_xchgs, x, sx_entry);
	msglog_cancel(x->sx_log);
	httpc_call_cancel(x->sx_call);
	batchsign_cancel(x->sx_sign);
	proxy_meta_cancel(x->sx_mcall);
	proxy_meta_answer_free(x->sx_mans);
	ssd_serverconf_release(x->sx_sc);
	confclient_release(x->sx_gc);
	transport_msg_free(x->sx_tmsg);
	buf_free(x->sx_body);
	soap_msg_free(x->sx_soap);
	free(x->sx_soapaction);
	rest_req_free(x->sx_rreq);
	proxy_atts_free(&x->sx_ratts);
	soap_parts_free(x->sx_rparts);
	httpc_resp_free(x->sx_resp);
	buf_free(x->sx_rmsg);
	free(x->sx_rmsg_ctype);
	buf_free(x->sx_transport);
	free(x);
}

/* Errors go back as a SOAP fault, whatever the protocol (X-Road). */
static void
xchg_fail(struct sp_xchg *x, struct proxy_fault *f)
{
	x->sx_sd->sd_stats.st_faults++;
	proxy_reply_fault(x->sx_req, 0, f, SP_SIDE);
	xchg_free(x);
}

static void
xchg_failf(struct sp_xchg *x, const char *code, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static void
xchg_failf(struct sp_xchg *x, const char *code, const char *fmt, ...)
{
	struct proxy_fault	f;
	char			msg[512];
	va_list			ap;

	va_start(ap, fmt);
	(void)vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	proxy_fault_set(&f, SP, code, "%s", msg);
	xchg_fail(x, &f);
}

/*
 * The response, back to the client's server.
 */

static void
logged_response(int rc, const char *why, void *arg)
{
	struct sp_xchg *x = arg;

	x->sx_log = NULL;
	if (rc != 0) {
		xchg_failf(x, MSGLOG_HOOK_FAULT(rc), "%s", why);
		return;
	}
	if (x->sx_rest)
		evhttp_add_header(evhttp_request_get_output_headers(x->sx_req),
		    TRANSPORT_H_MESSAGE_TYPE, "REST");
	http_reply(x->sx_req, 200, x->sx_ctype, buf_data(x->sx_transport),
	    buf_len(x->sx_transport));
	x->sx_sd->sd_stats.st_served_ok++;
	xchg_free(x);
}

static void
signed_response(int error, const struct batchsign_result *res, void *arg)
{
	struct sp_xchg		*x = arg;
	struct proxy_fault	 f;
	struct msglog_rec	 r;
	char			 err[256];

	x->sx_sign = NULL;
	if (error != 0) {
		proxy_sign_fault(error, SP, &f);
		xchg_fail(x, &f);
		return;
	}
	x->sx_out.to_sig = res->br_signature;
	x->sx_out.to_sig_len = res->br_signature_len;
	x->sx_out.to_hcr = res->br_hashchain_result;
	x->sx_out.to_hcr_len = res->br_hashchain_result_len;
	x->sx_out.to_hc = res->br_hashchain;
	x->sx_out.to_hc_len = res->br_hashchain_len;
	if (transport_build(&x->sx_out, x->sx_ps->ps_max_body + 1024 * 1024,
	    &x->sx_transport, x->sx_ctype, sizeof(x->sx_ctype), err,
	    sizeof(err)) == -1) {
		xchg_failf(x, XR_E_INTERNAL_ERROR, "%s", err);
		return;
	}
	memset(&r, 0, sizeof(r));
	r.mr_point = MSGLOG_SERVER_RESPONSE;
	r.mr_rest = x->sx_rest;
	r.mr_query_id = x->sx_query_id;
	r.mr_request_id = x->sx_request_id;
	r.mr_client = &x->sx_client;
	r.mr_service = &x->sx_service;
	r.mr_body_logging = x->sx_body_logging;
	r.mr_status = x->sx_status;
	proxy_msglog_signed(&r, &x->sx_out, res);
	if ((x->sx_log = msglog_hook(x->sx_sd, &r, logged_response, x)) ==
	    NULL)
		xchg_failf(x, "LoggingFailed",
		    "Cannot write the response to the message log");
}

static void
sign_response(struct sp_xchg *x)
{
	struct proxy_fault	 f;
	unsigned char		*d = NULL;
	size_t			 n;

	x->sx_out.to_dir = TRANSPORT_RESPONSE;
	if (transport_out_digests(&x->sx_out, &d, &n) == -1) {
		xchg_failf(x, XR_E_INTERNAL_ERROR, "digest failed");
		return;
	}
	x->sx_sign = proxy_sign(x->sx_sd, &x->sx_provider_member, d, n,
	    signed_response, x, SP, &f);
	free(d);
	if (x->sx_sign == NULL)
		xchg_fail(x, &f);
}

/* The provider's SOAP answer: checked, requestHash added. */
static int
soap_answer(struct sp_xchg *x, struct proxy_fault *f)
{
	struct xr_err			 err;
	struct soap_msg			*rsoap = NULL;
	const struct buf		*b = httpc_resp_body(x->sx_resp);
	const struct mime_part		*parts[TRANSPORT_MAX_ATTACHMENTS];
	const unsigned char		*soap;
	const char			*ct, *sct;
	size_t				 len, i, n;

	ct = httpc_resp_header(x->sx_resp, "Content-Type");
	if (ct == NULL) {
		proxy_fault_set(f, SP, XR_E_SERVICE_FAILED "."
		    XR_E_INVALID_CONTENT_TYPE, "The service answered HTTP %d "
		    "without a Content-Type", httpc_resp_status(x->sx_resp));
		return -1;
	}
	if (soap_parts_parse(buf_data(b), buf_len(b), ct, NULL, &x->sx_rparts,
	    &err) == -1)
		goto bad;
	soap = soap_parts_soap(x->sx_rparts, &len);
	sct = soap_parts_soap_ctype(x->sx_rparts);
	if (soap_response_finish(x->sx_soap, soap, len, sct,
	    x->sx_ps->ps_max_body, &x->sx_rmsg, &rsoap, &err) == -1)
		goto bad;
	/* A fault is passed on byte for byte, in its own encoding. */
	if (soap_msg_is_fault(rsoap))
		x->sx_rmsg_ctype = strdup(sct != NULL ? sct :
		    "text/xml; charset=UTF-8");
	else if (soap_parts_is_mtom(x->sx_rparts))
		x->sx_rmsg_ctype = strdup("application/xop+xml; "
		    "charset=UTF-8; type=\"text/xml\"");
	else
		x->sx_rmsg_ctype = strdup("text/xml; charset=UTF-8");
	soap_msg_free(rsoap);
	if (x->sx_rmsg_ctype == NULL) {
		proxy_fault_set(f, SP, XR_E_INTERNAL_ERROR, "Out of memory");
		return -1;
	}
	n = soap_parts_nattachments(x->sx_rparts);
	if (n > TRANSPORT_MAX_ATTACHMENTS) {
		proxy_fault_set(f, SP, XR_E_SERVICE_FAILED "."
		    XR_E_MIME_PARSING_FAILED, "Too many attachments");
		return -1;
	}
	for (i = 0; i < n; i++)
		parts[i] = soap_parts_attachment(x->sx_rparts, i);
	if (proxy_atts_new(parts, n, &x->sx_ratts) == -1) {
		proxy_fault_set(f, SP, XR_E_INTERNAL_ERROR, "Out of memory");
		return -1;
	}
	x->sx_out.to_kind = TRANSPORT_SOAP;
	x->sx_out.to_msg_ctype = x->sx_rmsg_ctype;
	x->sx_out.to_msg = buf_data(x->sx_rmsg);
	x->sx_out.to_msg_len = buf_len(x->sx_rmsg);
	x->sx_out.to_att = x->sx_ratts.pa_att;
	x->sx_out.to_natt = x->sx_ratts.pa_n;
	return 0;
 bad:
	proxy_fault_set(f, SP, XR_E_SERVICE_FAILED, "%s", err.xe_msg);
	(void)snprintf(f->pf_code, sizeof(f->pf_code), "%s.%s.%s", SP,
	    XR_E_SERVICE_FAILED, err.xe_code);
	return -1;
}

/* The REST response head (X-Road headers, request hash) and body. */
static int
rest_head(struct sp_xchg *x, int status, const struct rest_header *hdrs,
    size_t n, const struct buf *b, struct proxy_fault *f)
{
	struct rest_resp	*rr = NULL;
	struct xr_err		 err;
	const unsigned char	*head, *body;
	unsigned char		 bd[XR_SHA512_LEN];
	char			*hash = NULL;
	size_t			 hlen, blen;

	head = transport_msg_message(x->sx_tmsg, &hlen);
	body = transport_msg_body(x->sx_tmsg, &blen);
	if ((body != NULL && xr_sha512(body, blen, bd) == -1) ||
	    rest_request_hash_raw(head, hlen, body != NULL ? bd : NULL,
	    &hash) == -1) {
		proxy_fault_set(f, SP, XR_E_INTERNAL_ERROR, "digest failed");
		return -1;
	}
	x->sx_status = status;
	if (rest_resp_new(x->sx_rreq, x->sx_status, NULL, hdrs, n, hash, &rr,
	    &err) == -1 || rest_resp_serialize(rr, &x->sx_rmsg) == -1) {
		free(hash);
		rest_resp_free(rr);
		proxy_fault_set(f, SP, XR_E_SERVICE_FAILED, "%s", err.xe_msg);
		return -1;
	}
	free(hash);
	rest_resp_free(rr);
	x->sx_out.to_kind = TRANSPORT_REST;
	x->sx_out.to_msg = buf_data(x->sx_rmsg);
	x->sx_out.to_msg_len = buf_len(x->sx_rmsg);
	if (b != NULL && buf_len(b) > 0) {
		x->sx_out.to_has_body = 1;
		x->sx_out.to_body = buf_data(b);
		x->sx_out.to_body_len = buf_len(b);
	}
	return 0;
}

/* The provider's REST answer: any status passes (NOTES 3.3 cat. 1). */
static int
rest_answer(struct sp_xchg *x, struct proxy_fault *f)
{
	struct rest_header	 hdrs[REST_MAX_HEADERS];
	size_t			 n = 0, i;

	for (i = 0; i < httpc_resp_nheaders(x->sx_resp) &&
	    n < REST_MAX_HEADERS; i++)
		if (httpc_resp_header_at(x->sx_resp, i, &hdrs[n].rh_name,
		    &hdrs[n].rh_value) == 0)
			n++;
	return rest_head(x, httpc_resp_status(x->sx_resp), hdrs, n,
	    httpc_resp_body(x->sx_resp), f);
}

/* A metaservice answered here: like a provider's answer. */
static void
meta_done(struct proxy_meta_answer *a, struct proxy_fault *mf, void *arg)
{
	struct sp_xchg		*x = arg;
	struct proxy_fault	 f;
	struct rest_header	 h;
	struct xr_err		 err;

	x->sx_mcall = NULL;
	if (a == NULL) {
		f = *mf;
		xchg_fail(x, &f);
		return;
	}
	x->sx_mans = a;
	if (x->sx_rest) {
		h.rh_name = "Content-Type";
		h.rh_value = a->pa_ctype;
		if (rest_head(x, a->pa_status, &h, 1, a->pa_body, &f) == -1) {
			xchg_fail(x, &f);
			return;
		}
		sign_response(x);
		return;
	}
	if (soap_response_finish(x->sx_soap, buf_data(a->pa_soap),
	    buf_len(a->pa_soap), "text/xml; charset=UTF-8",
	    x->sx_ps->ps_max_body, &x->sx_rmsg, NULL, &err) == -1) {
		proxy_fault_err(&f, SP, &err);
		xchg_fail(x, &f);
		return;
	}
	if ((x->sx_rmsg_ctype = strdup("text/xml; charset=UTF-8")) == NULL) {
		xchg_failf(x, XR_E_INTERNAL_ERROR, "Out of memory");
		return;
	}
	x->sx_out.to_kind = TRANSPORT_SOAP;
	x->sx_out.to_msg_ctype = x->sx_rmsg_ctype;
	x->sx_out.to_msg = buf_data(x->sx_rmsg);
	x->sx_out.to_msg_len = buf_len(x->sx_rmsg);
	if (a->pa_att != NULL) {
		x->sx_matt_hdrs[0] = "Content-Type";
		x->sx_matt_hdrs[1] = "text/xml; charset=UTF-8";
		x->sx_matt_hdrs[2] = NULL;
		x->sx_matt.ta_headers = x->sx_matt_hdrs;
		x->sx_matt.ta_body = buf_data(a->pa_att);
		x->sx_matt.ta_len = buf_len(a->pa_att);
		x->sx_out.to_att = &x->sx_matt;
		x->sx_out.to_natt = 1;
	}
	sign_response(x);
}

static void
meta_answer(struct sp_xchg *x)
{
	struct proxy_meta_answer	*a = NULL;
	struct proxy_fault		 f;

	switch (proxy_meta_provider(x->sx_sd, x->sx_ps->ps_is,
	    x->sx_sc->ss_sc, x->sx_gc, &x->sx_client, &x->sx_service,
	    x->sx_soap, x->sx_rreq, &a, meta_done, x, &x->sx_mcall, &f)) {
	case 0:
		meta_done(a, NULL, x);
		break;
	case 1:
		break;
	default:
		xchg_fail(x, &f);
		break;
	}
}

static void
provider_done(int rc, struct httpc_resp *resp, const char *errmsg, void *arg)
{
	struct sp_xchg		*x = arg;
	struct proxy_fault	 f;

	x->sx_call = NULL;
	switch (rc) {
	case 0:
		break;
	case HTTPC_ERR_CONNECT:
		xchg_failf(x, "NetworkError", "Could not connect to the "
		    "service: %s", errmsg);
		return;
	case HTTPC_ERR_TIMEOUT:
		xchg_failf(x, XR_E_SERVICE_FAILED ".IOError", "Read timed out "
		    "(%d s): %s", x->sx_svc->s_timeout > 0 ?
		    x->sx_svc->s_timeout : x->sx_ps->ps_default_timeout,
		    errmsg);
		return;
	case HTTPC_ERR_TOO_BIG:
		xchg_failf(x, XR_E_SERVICE_FAILED ".IOError", "The service's "
		    "response is too large");
		return;
	default:
		xchg_failf(x, XR_E_SERVICE_FAILED ".IOError", "%s", errmsg);
		return;
	}
	x->sx_resp = resp;
	if ((x->sx_rest ? rest_answer(x, &f) : soap_answer(x, &f)) == -1) {
		xchg_fail(x, &f);
		return;
	}
	sign_response(x);
}

/* Call the provider IS. */
static void
forward(struct sp_xchg *x)
{
	struct proxy_server	*ps = x->sx_ps;
	const struct sc_service	*svc = x->sx_svc;
	struct httpc_req	 rq;
	struct buf		*mp = NULL;
	const char		*hp[REST_MAX_HEADERS + 3];
	char			 hbuf[3][1200], url[SP_URL_MAX], ctype[256];
	const unsigned char	*msg;
	const char		*name, *value, *q;
	struct proxy_atts	 pa;
	const struct mime_part	*parts[TRANSPORT_MAX_ATTACHMENTS];
	char			**rh = NULL;
	size_t			 len, i, n, nh = 0;
	int			 timeout;

	memset(&rq, 0, sizeof(rq));
	memset(&pa, 0, sizeof(pa));
	timeout = svc->s_timeout > 0 ? svc->s_timeout : ps->ps_default_timeout;
	rq.hr_timeout_ms = (long)timeout * 1000;
	rq.hr_connect_timeout_ms = rq.hr_timeout_ms;
	rq.hr_max_body = ps->ps_max_body;
	rq.hr_headers = hp;
	if (!x->sx_rest) {
		msg = transport_msg_message(x->sx_tmsg, &len);
		n = transport_msg_nattachments(x->sx_tmsg);
		if (n == 0)
			(void)snprintf(hbuf[0], sizeof(hbuf[0]),
			    "Content-Type: %.1100s",
			    transport_msg_message_ctype(x->sx_tmsg));
		else {
			for (i = 0; i < n; i++)
				parts[i] = transport_msg_attachment(x->sx_tmsg,
				    i);
			if (proxy_atts_new(parts, n, &pa) == -1 ||
			    proxy_soap_multipart(msg, len,
			    transport_msg_message_ctype(x->sx_tmsg), pa.pa_att,
			    pa.pa_n, ps->ps_max_body + 1024 * 1024, &mp, ctype,
			    sizeof(ctype)) == -1) {
				proxy_atts_free(&pa);
				xchg_failf(x, XR_E_INTERNAL_ERROR,
				    "Cannot build the multipart request");
				return;
			}
			proxy_atts_free(&pa);
			(void)snprintf(hbuf[0], sizeof(hbuf[0]),
			    "Content-Type: %s", ctype);
			msg = buf_data(mp);
			len = buf_len(mp);
		}
		hp[nh++] = hbuf[0];
		(void)snprintf(hbuf[1], sizeof(hbuf[1]), "SOAPAction: %.1100s",
		    x->sx_soapaction != NULL ? x->sx_soapaction : "\"\"");
		hp[nh++] = hbuf[1];
		rq.hr_method = "POST";
		rq.hr_url = svc->s_url;
		rq.hr_body = msg;
		rq.hr_body_len = len;
	} else {
		q = rest_req_query(x->sx_rreq);
		if (snprintf(url, sizeof(url), "%s%s%s%s", svc->s_url,
		    rest_req_service_path(x->sx_rreq), q != NULL ? "?" : "",
		    q != NULL ? q : "") >= (int)sizeof(url)) {
			xchg_failf(x, XR_E_INTERNAL_ERROR, "Service URL too "
			    "long");
			return;
		}
		n = rest_req_nheaders(x->sx_rreq);
		if ((rh = calloc(n + 1, sizeof(*rh))) == NULL) {
			xchg_failf(x, XR_E_INTERNAL_ERROR, "Out of memory");
			return;
		}
		for (i = 0; i < n && nh < REST_MAX_HEADERS; i++) {
			if (rest_req_header_at(x->sx_rreq, i, &name,
			    &value) == -1 || asprintf(&rh[nh], "%s: %s", name,
			    value) == -1) {
				rh[nh] = NULL;
				continue;
			}
			hp[nh] = rh[nh];
			nh++;
		}
		rq.hr_method = rest_req_method(x->sx_rreq);
		rq.hr_url = url;
		rq.hr_body = transport_msg_body(x->sx_tmsg, &len);
		rq.hr_body_len = len;
	}
	hp[nh] = NULL;
	if (httpc_ev_start(ps->ps_is, &rq, provider_done, x, &x->sx_call) !=
	    0) {
		for (i = 0; rh != NULL && rh[i] != NULL; i++)
			free(rh[i]);
		free(rh);
		buf_free(mp);
		xchg_failf(x, XR_E_SERVICE_FAILED ".IOError", "Cannot call the "
		    "service at its URL");
		return;
	}
	for (i = 0; rh != NULL && rh[i] != NULL; i++)
		free(rh[i]);
	free(rh);
	buf_free(mp);
}

static void
logged_request(int rc, const char *why, void *arg)
{
	struct sp_xchg *x = arg;

	x->sx_log = NULL;
	if (rc != 0) {
		xchg_failf(x, MSGLOG_HOOK_FAULT(rc), "%s", why);
		return;
	}
	if (x->sx_meta)
		meta_answer(x);
	else
		forward(x);
}

/* The peer's auth cert: registered, hosts the client, OCSP sent is good. */
static int
check_peer(struct sp_xchg *x, X509 *peer, struct proxy_fault *f)
{
	const struct gconf_server	*srv;
	struct certcheck_ocsp		 co[TRANSPORT_MAX_OCSP];
	struct certcheck_params		 cp;
	struct certcheck_error		 ce;
	SSL				*ssl = http_req_ssl(x->sx_req);
	char				 cid[XRID_STR_MAX];
	size_t				 i;

	srv = gconf_server_by_auth_cert(x->sx_gc->gs_gc, peer);
	if (srv == NULL) {
		proxy_fault_set(f, SP, "SslAuthenticationFailed", "The "
		    "client's authentication certificate is not registered "
		    "for any security server");
		return -1;
	}
	if (!gconf_server_has_client(x->sx_gc->gs_gc, srv, &x->sx_client)) {
		(void)xrid_format(&x->sx_client, 0, cid, sizeof(cid));
		proxy_fault_set(f, SP, "SslAuthenticationFailed", "Security "
		    "server %s/%s/%s does not host client %s",
		    srv->gv_owner_class, srv->gv_owner_code, srv->gv_code, cid);
		return -1;
	}
	for (i = 0; i < transport_msg_nocsp(x->sx_tmsg); i++)
		co[i].co_der = transport_msg_ocsp(x->sx_tmsg, i,
		    &co[i].co_len);
	proxy_certcheck_params(&cp, x->sx_gc, CERTCHECK_PURPOSE_AUTH);
	if (certcheck_verify(x->sx_gc->gs_trust, peer, ssl != NULL ?
	    SSL_get_peer_cert_chain(ssl) : NULL, co, i, &cp, NULL,
	    &ce) == -1) {
		proxy_fault_set(f, SP, "SslAuthenticationFailed", "The "
		    "client's authentication certificate is not valid: %s",
		    ce.ce_msg);
		return -1;
	}
	return 0;
}

/* Provider, service, access, then the signature. */
static int
check_request(struct sp_xchg *x, struct proxy_fault *f)
{
	const struct sc_client	*pc;
	const struct sc_service	*svc;
	struct xrid		 client_member;
	char			 sid[XRID_STR_MAX], cid[XRID_STR_MAX];

	(void)xrid_format(&x->sx_service, 0, sid, sizeof(sid));
	(void)xrid_format(&x->sx_client, 0, cid, sizeof(cid));
	if (xrid_service_provider(&x->sx_service, &x->sx_provider) == -1 ||
	    xrid_member(&x->sx_service, &x->sx_provider_member) == -1 ||
	    xrid_member(&x->sx_client, &client_member) == -1) {
		proxy_fault_set(f, SP, XR_E_INTERNAL_ERROR, "Bad identifiers");
		return -1;
	}
	pc = serverconf_client(x->sx_sc->ss_sc, &x->sx_provider);
	if (pc == NULL || pc->c_status != SC_REGISTERED) {
		(void)xrid_format(&x->sx_provider, 0, sid, sizeof(sid));
		proxy_fault_set(f, SP, "UnknownMember", "Client '%s' not "
		    "found on this security server", sid);
		return -1;
	}
	x->sx_body_logging = pc->c_body_logging;
	if (proxy_meta_is_provider(&x->sx_service, x->sx_rest)) {
		/* Answered here; access is checked per described service. */
		x->sx_meta = 1;
		return proxy_verify_signed(x->sx_tmsg, x->sx_gc,
		    &client_member, SP, f);
	}
	if ((svc = serverconf_service(x->sx_sc->ss_sc, &x->sx_service)) ==
	    NULL) {
		proxy_fault_set(f, SP, "UnknownService", "Unknown service: %s",
		    sid);
		return -1;
	}
	if (svc->s_rest != x->sx_rest) {
		proxy_fault_set(f, SP, "ServiceType", "Service %s is a %s "
		    "service", sid, svc->s_rest ? "REST" : "SOAP");
		return -1;
	}
	if (!serverconf_allowed(x->sx_sc->ss_sc, &x->sx_client,
	    &x->sx_service, x->sx_rest ? rest_req_method(x->sx_rreq) : NULL,
	    x->sx_rest ? (*rest_req_service_path(x->sx_rreq) != '\0' ?
	    rest_req_service_path(x->sx_rreq) : "/") : NULL,
	    proxy_in_global_group, x->sx_gc)) {
		proxy_fault_set(f, SP, "AccessDenied", "Request is not "
		    "allowed: %s for %s", sid, cid);
		return -1;
	}
	if (svc->s_disabled) {
		proxy_fault_set(f, SP, "ServiceDisabled", "Service %s is "
		    "disabled: %s", sid, svc->s_disabled_notice != NULL ?
		    svc->s_disabled_notice : "");
		return -1;
	}
	if (svc->s_url == NULL || *svc->s_url == '\0') {
		proxy_fault_set(f, SP, "ServiceFailed", "Service %s has no "
		    "URL", sid);
		return -1;
	}
	x->sx_svc = svc;
	return proxy_verify_signed(x->sx_tmsg, x->sx_gc, &client_member, SP, f);
}

static void
sp_handle(struct evhttp_request *req, void *arg)
{
	struct proxy_server	*ps = arg;
	struct sp_xchg		*x;
	struct proxy_fault	 f;
	struct xr_err		 err;
	struct msglog_rec	 r;
	const unsigned char	*msg;
	const char		*ct, *rid, *sa;
	const struct xrid	*ss;
	X509			*peer;
	char			 perr[512];
	size_t			 len;
	int			 rc;

	if ((x = xchg_new(ps, req)) == NULL) {
		http_reply(req, 500, NULL, NULL, 0);
		return;
	}
	if ((peer = http_req_peer_cert(req)) == NULL) {
		xchg_failf(x, "SslAuthenticationFailed", "No client "
		    "certificate");
		return;
	}
	if ((x->sx_gc = confclient_acquire(x->sx_sd)) == NULL) {
		xchg_failf(x, "OutdatedGlobalConf", "Global configuration is "
		    "expired or not available");
		return;
	}
	if ((x->sx_sc = ssd_serverconf_acquire(x->sx_sd)) == NULL) {
		xchg_failf(x, "DatabaseError", "Server configuration is not "
		    "available");
		return;
	}
	if ((rc = http_req_body(req, ps->ps_max_body, &x->sx_body)) != 0) {
		xchg_failf(x, XR_E_BAD_REQUEST, "%s", rc == -2 ? "Message too "
		    "large" : "Cannot read the message");
		return;
	}
	ct = http_req_header(req, "Content-Type");
	if (transport_parse(buf_data(x->sx_body), buf_len(x->sx_body), ct,
	    TRANSPORT_REQUEST, &x->sx_tmsg, perr, sizeof(perr)) == -1) {
		xchg_failf(x, XR_E_MIME_PARSING_FAILED, "%s", perr);
		return;
	}
	rid = http_req_header(req, TRANSPORT_H_REQUEST_ID);
	if (rid != NULL && strlen(rid) == PROXY_UUID_LEN)
		(void)strlcpy(x->sx_request_id, rid, sizeof(x->sx_request_id));
	else if (proxy_uuid(x->sx_request_id) == -1) {
		xchg_failf(x, XR_E_INTERNAL_ERROR, "No randomness");
		return;
	}
	msg = transport_msg_message(x->sx_tmsg, &len);
	x->sx_rest = transport_msg_kind(x->sx_tmsg) == TRANSPORT_REST;
	if (!x->sx_rest) {
		if (soap_parse(msg, len,
		    transport_msg_message_ctype(x->sx_tmsg), ps->ps_max_body,
		    SOAP_REQUEST, &x->sx_soap, &err) == -1) {
			proxy_fault_err(&f, SP, &err);
			xchg_fail(x, &f);
			return;
		}
		x->sx_client = *soap_msg_client(x->sx_soap);
		x->sx_service = *soap_msg_service(x->sx_soap);
		x->sx_query_id = soap_msg_id(x->sx_soap);
		ss = soap_msg_security_server(x->sx_soap);
		sa = http_req_header(req, TRANSPORT_H_ORIG_SOAPACTION);
		if (sa != NULL && (x->sx_soapaction = strdup(sa)) == NULL) {
			xchg_failf(x, XR_E_INTERNAL_ERROR, "Out of memory");
			return;
		}
	} else {
		if (rest_req_parse(msg, len, &x->sx_rreq, &err) == -1) {
			proxy_fault_err(&f, SP, &err);
			xchg_fail(x, &f);
			return;
		}
		x->sx_client = *rest_req_client(x->sx_rreq);
		x->sx_service = *rest_req_service(x->sx_rreq);
		x->sx_query_id = rest_req_id(x->sx_rreq);
		ss = rest_req_security_server(x->sx_rreq);
	}
	if (ss != NULL && !xrid_equal(ss, &x->sx_sd->sd_server_id)) {
		char sid[XRID_STR_MAX];

		(void)xrid_format(ss, 0, sid, sizeof(sid));
		xchg_failf(x, "InvalidSecurityServer", "Invalid security "
		    "server: %s is not this server", sid);
		return;
	}
	if (check_peer(x, peer, &f) == -1 || check_request(x, &f) == -1) {
		xchg_fail(x, &f);
		return;
	}
	memset(&r, 0, sizeof(r));
	r.mr_point = MSGLOG_SERVER_REQUEST;
	r.mr_rest = x->sx_rest;
	r.mr_query_id = x->sx_query_id;
	r.mr_request_id = x->sx_request_id;
	r.mr_client = &x->sx_client;
	r.mr_service = &x->sx_service;
	r.mr_body_logging = x->sx_body_logging;
	r.mr_message = msg;
	r.mr_message_len = len;
	r.mr_body = transport_msg_body(x->sx_tmsg, &r.mr_body_len);
	r.mr_nattachments = transport_msg_nattachments(x->sx_tmsg);
	r.mr_signature = transport_msg_signature(x->sx_tmsg,
	    &r.mr_signature_len);
	r.mr_hcr = transport_msg_hcr(x->sx_tmsg, &r.mr_hcr_len);
	r.mr_hc = transport_msg_hc(x->sx_tmsg, &r.mr_hc_len);
	if ((x->sx_log = msglog_hook(x->sx_sd, &r, logged_request, x)) ==
	    NULL)
		xchg_failf(x, "LoggingFailed",
		    "Cannot write the request to the message log");
}

/*
 * The TLS handshake check: the client's auth cert chains to an approved
 * CA and is registered for a security server in the global configuration
 * of the moment. (OCSP comes inside the message.)
 */
static int
sp_peer_check(SSL *ssl, X509 *peer, STACK_OF(X509) *chain, void *arg)
{
	struct ssd		*sd = arg;
	struct gc_snap		*gs;
	struct certcheck_params	 cp;
	struct certcheck_error	 ce;
	int			 ok = -1;

	(void)ssl;
	if ((gs = confclient_acquire(sd)) == NULL) {
		log_warnx("%s: TLS client refused: no valid global "
		    "configuration", SP_SIDE);
		return -1;
	}
	proxy_certcheck_params(&cp, gs, CERTCHECK_PURPOSE_AUTH);
	cp.cp_flags |= CERTCHECK_NO_OCSP;
	if (certcheck_verify(gs->gs_trust, peer, chain, NULL, 0, &cp, NULL,
	    &ce) == -1)
		log_warnx("%s: TLS client refused: %s", SP_SIDE, ce.ce_msg);
	else if (gconf_server_by_auth_cert(gs->gs_gc, peer) == NULL)
		log_warnx("%s: TLS client refused: its certificate is not "
		    "registered for any security server", SP_SIDE);
	else
		ok = 0;
	confclient_release(gs);
	return ok;
}

int
proxy_server_start(struct ssd *sd)
{
	struct proxy_server	*ps;
	struct tlsctx_params	 tp;
	char			 err[256];

	if ((ps = calloc(1, sizeof(*ps))) == NULL)
		return -1;
	ps->ps_sd = sd;
	TAILQ_INIT(&ps->ps_xchgs);
	sd->sd_ps = ps;
	ps->ps_max_body = conf_get_size(sd->sd_conf, "server-proxy",
	    "max-body-size");
	ps->ps_default_timeout = (int)conf_get_duration(sd->sd_conf,
	    "server-proxy", "default-service-timeout");
	if (conf_get_int(sd->sd_conf, "server-proxy", "ocsp-port") !=
	    conf_get_int(sd->sd_conf, "server-proxy", "port") +
	    PROXY_OCSP_PORT_OFFSET)
		log_warnx("%s: ocsp-port is not port + %d: other security "
		    "servers will not find this server's OCSP responses",
		    SP_SIDE, PROXY_OCSP_PORT_OFFSET);
	if ((ps->ps_sign = proxy_sign_start(sd)) == NULL) {
		log_warnx("%s: cannot start batch signing", SP_SIDE);
		return -1;
	}
	if ((ps->ps_is = httpc_ev_new(sd->sd_base, NULL)) == NULL)
		return -1;
	tlsctx_params_init(&tp);
	tp.tp_cert = sd->sd_auth_cert;
	tp.tp_chain = sd->sd_auth_chain;
	tp.tp_key = sd->sd_auth_key;
	/* The trust set changes with global conf: checked in the hook. */
	tp.tp_peer_check = sp_peer_check;
	tp.tp_peer_arg = sd;
	if ((sd->sd_tls_server = tlsctx_ss_server_new(&tp, err,
	    sizeof(err))) == NULL) {
		log_warnx("%s: TLS: %s", SP_SIDE, err);
		return -1;
	}
	return 0;
}

int
proxy_server_routes(struct ssd *sd)
{
	return http_route(sd->sd_sp, EVHTTP_REQ_POST, "/", HTTP_ROUTE_PREFIX,
	    sp_handle, sd->sd_ps);
}

void
proxy_server_stop(struct ssd *sd)
{
	struct proxy_server	*ps = sd->sd_ps;
	struct sp_xchg		*x;

	if (ps == NULL)
		return;
	while ((x = TAILQ_FIRST(&ps->ps_xchgs)) != NULL)
		xchg_free(x);
	httpc_ev_free(ps->ps_is);
	proxy_sign_stop(sd, ps->ps_sign);
	free(ps);
	sd->sd_ps = NULL;
}
