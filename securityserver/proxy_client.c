/*
 * proxy_client.c: the client proxy, the member side of the security
 * server (NOTES.md 4.2; DESIGN.md 4.1).
 *
 * A member information system sends an X-Road SOAP 4.0 request (POST,
 * text/xml or multipart/related) or a REST r1 request (/r1/...). One
 * exchange, each step on the event loop:
 *
 *   parse and check the request (Client.*)
 *   -> the client is registered here (UnknownMember), may use this
 *      connection (SslAuthenticationFailed), global configuration is
 *      valid (OutdatedGlobalConf), the provider's servers are known
 *      (UnknownMember / InvalidSecurityServer), our auth cert has a
 *      fresh OCSP response (CertValidation)
 *   -> batch-sign with the client member's key      (cx_sign)
 *   -> build the transport message, log the request (cx_log)
 *   -> POST it over mutual TLS to a provider server (cx_call; the next
 *      server on a connection failure; the peer's OCSP downloaded first
 *      when needed, cx_fetch)
 *   -> the answer: a fault is passed on; a signed response must verify
 *      (signed by the provider member, chain and OCSP fresh) and match
 *      the request (id, client, service, request hash)
 *   -> log the response (cx_log), then answer the IS.
 *
 * Faults go back in the protocol's own form with a detail id that is
 * also logged. Every exchange is on pc_xchgs so shutdown can cancel it.
 */
#include "config.h"

#include <sys/queue.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <event2/http.h>
#include <event2/keyvalq_struct.h>
#include <openssl/rand.h>
#include <openssl/x509v3.h>

#include "buf.h"
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
#include "xsig.h"
#include "securityserverd.h"
#include "proxy.h"

#define CP_SIDE		"client proxy"
#define CP		XR_PREFIX_CLIENTPROXY

struct proxy_client {
	struct ssd			*pc_sd;
	struct proxy_peers		*pc_peers;
	TAILQ_HEAD(, cp_xchg)		 pc_xchgs;
	size_t				 pc_max_body;	/* from the IS */
	size_t				 pc_max_transport; /* from peers */
	long				 pc_connect_ms;
	long				 pc_timeout_ms;
};

struct cp_xchg {
	TAILQ_ENTRY(cp_xchg)	 cx_entry;
	struct proxy_client	*cx_pc;
	struct ssd		*cx_sd;
	struct evhttp_request	*cx_req;
	int			 cx_rest;
	struct sc_snap		*cx_sc;
	struct gc_snap		*cx_gc;
	struct buf		*cx_body;	/* the IS request body */
	char			 cx_request_id[PROXY_UUID_LEN + 1];
	char			 cx_query_id[SOAP_FIELD_MAX + 1];
	struct xrid		 cx_client;
	struct xrid		 cx_service;
	struct xrid		 cx_provider_member;
	int			 cx_body_logging;
	/* SOAP */
	struct soap_parts	*cx_parts;
	struct soap_msg		*cx_soap;
	char			*cx_orig_ctype;
	char			*cx_soapaction;
	/* REST */
	struct rest_req		*cx_rreq;
	struct buf		*cx_rhead;
	/* What goes out */
	struct proxy_atts	 cx_atts;
	struct xsig_der		 cx_auth_ocsp[TRANSPORT_MAX_OCSP];
	size_t			 cx_nauth_ocsp;
	struct transport_out	 cx_out;
	struct buf		*cx_transport;
	char			 cx_ctype[200];
	/* Where it goes */
	const struct gconf_server *cx_targets[PROXY_MAX_TARGETS];
	size_t			 cx_ntargets;
	size_t			 cx_next;
	struct proxy_peer	*cx_peer;
	int			 cx_fetched;	/* peer OCSP fetched for it */
	struct proxy_fault	 cx_last;	/* last connection failure */
	/* In flight (at most one at a time) */
	struct batchsign_req	*cx_sign;
	struct msglog_req	*cx_log;
	struct httpc_call	*cx_call;
	struct proxy_fetch	*cx_fetch;
	/* The answer */
	struct httpc_resp	*cx_resp;
	struct transport_msg	*cx_tmsg;
	struct soap_msg		*cx_rsoap;
	struct rest_resp	*cx_rresp;
};

static void	cp_send(struct cp_xchg *);

/*
 * Exchanges.
 */

static struct cp_xchg *
xchg_new(struct proxy_client *pc, struct evhttp_request *req, int rest)
{
	struct cp_xchg *x;

	if ((x = calloc(1, sizeof(*x))) == NULL)
		return NULL;
	x->cx_pc = pc;
	x->cx_sd = pc->pc_sd;
	x->cx_req = req;
	x->cx_rest = rest;
	if (proxy_uuid(x->cx_request_id) == -1) {
		free(x);
		return NULL;
	}
	TAILQ_INSERT_TAIL(&pc->pc_xchgs, x, cx_entry);
	pc->pc_sd->sd_stats.st_requests++;
	return x;
}

static void
xchg_free(struct cp_xchg *x)
{
	size_t	i;

	TAILQ_REMOVE(&x->cx_pc->pc_xchgs, x, cx_entry);
	batchsign_cancel(x->cx_sign);
	msglog_cancel(x->cx_log);
	httpc_call_cancel(x->cx_call);
	proxy_fetch_cancel(x->cx_fetch);
	ssd_serverconf_release(x->cx_sc);
	confclient_release(x->cx_gc);
	buf_free(x->cx_body);
	soap_parts_free(x->cx_parts);
	soap_msg_free(x->cx_soap);
	free(x->cx_orig_ctype);
	free(x->cx_soapaction);
	rest_req_free(x->cx_rreq);
	buf_free(x->cx_rhead);
	proxy_atts_free(&x->cx_atts);
	for (i = 0; i < x->cx_nauth_ocsp; i++)
		free((void *)x->cx_auth_ocsp[i].xd_der);
	buf_free(x->cx_transport);
	transport_msg_free(x->cx_tmsg);
	httpc_resp_free(x->cx_resp);
	soap_msg_free(x->cx_rsoap);
	rest_resp_free(x->cx_rresp);
	free(x);
}

/* End with a fault to the IS. */
static void
xchg_fail(struct cp_xchg *x, struct proxy_fault *f)
{
	x->cx_sd->sd_stats.st_faults++;
	proxy_reply_fault(x->cx_req, x->cx_rest, f, CP_SIDE);
	xchg_free(x);
}

static void
xchg_failf(struct cp_xchg *x, const char *prefix, const char *code,
    const char *msg)
{
	struct proxy_fault f;

	proxy_fault_set(&f, prefix, code, "%s", msg);
	xchg_fail(x, &f);
}

/*
 * The answer to the IS.
 */

static void
reply_soap(struct cp_xchg *x)
{
	struct transport_msg		*m = x->cx_tmsg;
	const struct mime_part		*parts[TRANSPORT_MAX_ATTACHMENTS];
	struct proxy_atts		 pa;
	const unsigned char		*msg;
	struct buf			*b = NULL;
	char				 ctype[256];
	size_t				 len, i, n;

	msg = transport_msg_message(m, &len);
	n = transport_msg_nattachments(m);
	if (n == 0) {
		http_reply(x->cx_req, 200, transport_msg_message_ctype(m), msg,
		    len);
		return;
	}
	for (i = 0; i < n; i++)
		parts[i] = transport_msg_attachment(m, i);
	if (proxy_atts_new(parts, n, &pa) == -1 ||
	    proxy_soap_multipart(msg, len, transport_msg_message_ctype(m),
	    pa.pa_att, pa.pa_n, x->cx_pc->pc_max_transport, &b, ctype,
	    sizeof(ctype)) == -1) {
		struct proxy_fault f;

		proxy_atts_free(&pa);
		proxy_fault_set(&f, CP, XR_E_INTERNAL_ERROR,
		    "Cannot build the multipart response");
		proxy_reply_fault(x->cx_req, 0, &f, CP_SIDE);
		return;
	}
	http_reply(x->cx_req, 200, ctype, buf_data(b), buf_len(b));
	buf_free(b);
	proxy_atts_free(&pa);
}

static void
reply_rest(struct cp_xchg *x)
{
	struct evkeyvalq	*oh;
	const unsigned char	*body;
	const char		*name, *value, *ctype = NULL;
	size_t			 i, len;

	oh = evhttp_request_get_output_headers(x->cx_req);
	for (i = 0; i < rest_resp_nheaders(x->cx_rresp); i++) {
		if (rest_resp_header_at(x->cx_rresp, i, &name, &value) == -1 ||
		    rest_header_skipped(name))
			continue;
		if (strcasecmp(name, "Content-Type") == 0) {
			ctype = value;
			continue;
		}
		evhttp_add_header(oh, name, value);
	}
	body = transport_msg_body(x->cx_tmsg, &len);
	http_reply(x->cx_req, rest_resp_status(x->cx_rresp), ctype, body, len);
}

static void
logged_response(int rc, const char *why, void *arg)
{
	struct cp_xchg *x = arg;

	x->cx_log = NULL;
	if (rc != 0) {
		xchg_failf(x, CP, MSGLOG_HOOK_FAULT(rc), why);
		return;
	}
	if (x->cx_rest)
		reply_rest(x);
	else
		reply_soap(x);
	x->cx_sd->sd_stats.st_requests_ok++;
	xchg_free(x);
}

/*
 * A fault from the provider's server proxy: passed on as it came (SOAP),
 * or as the REST error of the same type. Its detail id is the peer's,
 * logged here too.
 */
static void
pass_fault(struct cp_xchg *x, const void *xml, size_t len)
{
	struct proxy_fault f;

	if (proxy_fault_parse(xml, len, &f) == -1) {
		proxy_fault_set(&f, CP, "InvalidResponse", "The security "
		    "server of the provider sent a malformed fault");
		xchg_fail(x, &f);
		return;
	}
	if (x->cx_rest) {
		xchg_fail(x, &f);	/* logs it */
		return;
	}
	log_warnx("%s: fault %s (detail %s) from %s: %s", CP_SIDE, f.pf_code,
	    f.pf_detail, x->cx_peer != NULL ? proxy_peer_name(x->cx_peer) :
	    "?", f.pf_msg);
	x->cx_sd->sd_stats.st_faults++;
	http_reply(x->cx_req, 200, "text/xml; charset=UTF-8", xml, len);
	xchg_free(x);
}

/* Check the signed response and that it answers our request. */
static int
check_response(struct cp_xchg *x, struct proxy_fault *f)
{
	struct transport_msg	*m = x->cx_tmsg;
	struct xr_err		 err;
	const unsigned char	*p;
	unsigned char		 bd[XR_SHA512_LEN];
	size_t			 len;

	if (transport_msg_kind(m) != (x->cx_rest ? TRANSPORT_REST :
	    TRANSPORT_SOAP)) {
		proxy_fault_set(f, CP, "InvalidResponse", "The response is "
		    "not of the request's protocol");
		return -1;
	}
	if (proxy_verify_signed(m, x->cx_gc, &x->cx_provider_member, CP,
	    f) == -1)
		return -1;
	p = transport_msg_message(m, &len);
	if (!x->cx_rest) {
		if (soap_parse(p, len, transport_msg_message_ctype(m),
		    x->cx_pc->pc_max_transport, SOAP_RESPONSE, &x->cx_rsoap,
		    &err) == -1 ||
		    soap_response_check(x->cx_soap, x->cx_rsoap, &err) == -1) {
			proxy_fault_err(f, CP, &err);
			return -1;
		}
		return 0;
	}
	if (rest_resp_parse(p, len, &x->cx_rresp, &err) == -1) {
		proxy_fault_err(f, CP, &err);
		return -1;
	}
	if (x->cx_out.to_has_body && xr_sha512(x->cx_out.to_body,
	    x->cx_out.to_body_len, bd) == -1) {
		proxy_fault_set(f, CP, XR_E_INTERNAL_ERROR, "digest failed");
		return -1;
	}
	if (rest_resp_check(x->cx_rreq, x->cx_rresp,
	    x->cx_out.to_has_body ? bd : NULL, &err) == -1) {
		proxy_fault_err(f, CP, &err);
		return -1;
	}
	return 0;
}

static void
log_response(struct cp_xchg *x)
{
	struct msglog_rec	 r;
	struct proxy_fault	 f;
	const char		*qid;

	memset(&r, 0, sizeof(r));
	r.mr_point = MSGLOG_CLIENT_RESPONSE;
	r.mr_rest = x->cx_rest;
	qid = x->cx_rest ? rest_resp_id(x->cx_rresp) : soap_msg_id(x->cx_rsoap);
	r.mr_query_id = qid != NULL ? qid : x->cx_query_id;
	r.mr_request_id = x->cx_request_id;
	r.mr_client = &x->cx_client;
	r.mr_service = &x->cx_service;
	r.mr_body_logging = x->cx_body_logging;
	r.mr_message = transport_msg_message(x->cx_tmsg, &r.mr_message_len);
	r.mr_body = transport_msg_body(x->cx_tmsg, &r.mr_body_len);
	r.mr_nattachments = transport_msg_nattachments(x->cx_tmsg);
	r.mr_signature = transport_msg_signature(x->cx_tmsg,
	    &r.mr_signature_len);
	r.mr_hcr = transport_msg_hcr(x->cx_tmsg, &r.mr_hcr_len);
	r.mr_hc = transport_msg_hc(x->cx_tmsg, &r.mr_hc_len);
	r.mr_status = x->cx_rest ? rest_resp_status(x->cx_rresp) : 0;
	if ((x->cx_log = msglog_hook(x->cx_sd, &r, logged_response, x)) ==
	    NULL) {
		proxy_fault_set(&f, CP, "LoggingFailed",
		    "Cannot write the response to the message log");
		xchg_fail(x, &f);
	}
}

static void
fetched(int rc, const char *why, void *arg)
{
	struct cp_xchg		*x = arg;
	struct proxy_fault	 f;

	x->cx_fetch = NULL;
	if (rc != 0) {
		proxy_fault_set(&f, CP, "SslAuthenticationFailed", "%s", why);
		xchg_fail(x, &f);
		return;
	}
	x->cx_fetched = 1;
	cp_send(x);
}

static void
sent(int rc, struct httpc_resp *resp, const char *errmsg, void *arg)
{
	struct cp_xchg		*x = arg;
	struct proxy_fault	 f;
	struct mime_hval	*hv = NULL;
	const struct buf	*b;
	const unsigned char	*fx;
	const char		*ct;
	char			 err[512], why[640];
	size_t			 flen;
	int			 is_xml;

	x->cx_call = NULL;
	if (rc != 0) {
		switch (rc) {
		case HTTPC_ERR_TLS:
			if (proxy_peer_take_need_ocsp(x->cx_peer, why,
			    sizeof(why)) && !x->cx_fetched) {
				x->cx_fetch = proxy_peer_fetch_ocsp(x->cx_peer,
				    fetched, x);
				if (x->cx_fetch == NULL)
					xchg_failf(x, CP,
					    "SslAuthenticationFailed", why);
				return;
			}
			proxy_fault_set(&f, CP, "SslAuthenticationFailed",
			    "TLS with %s failed: %s", proxy_peer_name(
			    x->cx_peer), why[0] != '\0' ? why : errmsg);
			xchg_fail(x, &f);
			return;
		case HTTPC_ERR_CONNECT:
			/* Nothing was sent: the next server may do. */
			proxy_peer_set_down(x->cx_peer);
			proxy_fault_set(&x->cx_last, CP, "NetworkError",
			    "Could not connect to %s (%s): %s",
			    proxy_peer_name(x->cx_peer),
			    proxy_peer_url(x->cx_peer), errmsg);
			log_info("%s: %s", CP_SIDE, x->cx_last.pf_msg);
			x->cx_next++;
			x->cx_fetched = 0;
			cp_send(x);
			return;
		default:
			proxy_fault_set(&f, CP, "NetworkError", "Exchange with "
			    "%s failed: %s", proxy_peer_name(x->cx_peer),
			    errmsg);
			xchg_fail(x, &f);
			return;
		}
	}
	x->cx_resp = resp;
	b = httpc_resp_body(resp);
	ct = httpc_resp_header(resp, "Content-Type");
	if (ct == NULL || mime_hval_parse(ct, MIME_HV_CTYPE, &hv, NULL,
	    0) == -1) {
		xchg_failf(x, CP, "InvalidResponse", "The security server of "
		    "the provider sent no valid Content-Type");
		return;
	}
	is_xml = strcmp(mime_hval_value(hv), "text/xml") == 0;
	mime_hval_free(hv);
	if (is_xml) {
		pass_fault(x, buf_data(b), buf_len(b));
		return;
	}
	if (httpc_resp_status(resp) != 200) {
		proxy_fault_set(&f, CP, "NetworkError", "HTTP %d from %s",
		    httpc_resp_status(resp), proxy_peer_name(x->cx_peer));
		xchg_fail(x, &f);
		return;
	}
	if (transport_parse(buf_data(b), buf_len(b), ct, TRANSPORT_RESPONSE,
	    &x->cx_tmsg, err, sizeof(err)) == -1) {
		proxy_fault_set(&f, CP, XR_E_MIME_PARSING_FAILED, "Response "
		    "from %s: %s", proxy_peer_name(x->cx_peer), err);
		xchg_fail(x, &f);
		return;
	}
	if ((fx = transport_msg_fault(x->cx_tmsg, &flen)) != NULL) {
		pass_fault(x, fx, flen);
		return;
	}
	if (check_response(x, &f) == -1) {
		xchg_fail(x, &f);
		return;
	}
	log_response(x);
}

/* POST the transport message to the next provider server. */
static void
cp_send(struct cp_xchg *x)
{
	struct proxy_client	*pc = x->cx_pc;
	struct proxy_fault	 f;
	struct httpc_req	 rq;
	char			 h[6][1100];
	const char		*hp[8];
	size_t			 nh = 0;

	while (x->cx_next < x->cx_ntargets) {
		x->cx_peer = proxy_peer_get(pc->pc_peers, x->cx_gc,
		    x->cx_targets[x->cx_next], &x->cx_last);
		if (x->cx_peer == NULL) {
			x->cx_next++;
			continue;
		}
		if (!x->cx_fetched && proxy_peer_ocsp_due(x->cx_peer,
		    x->cx_gc)) {
			if ((x->cx_fetch = proxy_peer_fetch_ocsp(x->cx_peer,
			    fetched, x)) == NULL)
				xchg_failf(x, CP, "SslAuthenticationFailed",
				    "Cannot start the OCSP download");
			return;
		}
		(void)snprintf(h[nh++], sizeof(h[0]), "Content-Type: %s",
		    x->cx_ctype);
		(void)snprintf(h[nh++], sizeof(h[0]), "%s: SHA-512",
		    TRANSPORT_H_HASH_ALGO);
		(void)snprintf(h[nh++], sizeof(h[0]), "%s: %s",
		    TRANSPORT_H_PROXY_VERSION, PROXY_VERSION);
		(void)snprintf(h[nh++], sizeof(h[0]), "%s: %s",
		    TRANSPORT_H_REQUEST_ID, x->cx_request_id);
		if (x->cx_rest)
			(void)snprintf(h[nh++], sizeof(h[0]), "%s: REST",
			    TRANSPORT_H_MESSAGE_TYPE);
		else {
			(void)snprintf(h[nh++], sizeof(h[0]), "%s: %.1000s",
			    TRANSPORT_H_ORIG_CTYPE, x->cx_orig_ctype);
			if (x->cx_soapaction != NULL)
				(void)snprintf(h[nh++], sizeof(h[0]),
				    "%s: %.1000s", TRANSPORT_H_ORIG_SOAPACTION,
				    x->cx_soapaction);
		}
		for (size_t i = 0; i < nh; i++)
			hp[i] = h[i];
		hp[nh] = NULL;
		memset(&rq, 0, sizeof(rq));
		rq.hr_method = "POST";
		rq.hr_url = proxy_peer_url(x->cx_peer);
		rq.hr_headers = hp;
		rq.hr_body = buf_data(x->cx_transport);
		rq.hr_body_len = buf_len(x->cx_transport);
		rq.hr_timeout_ms = pc->pc_timeout_ms;
		rq.hr_connect_timeout_ms = pc->pc_connect_ms;
		rq.hr_max_body = pc->pc_max_transport;
		if (httpc_ev_start(proxy_peer_http(x->cx_peer), &rq, sent, x,
		    &x->cx_call) != 0) {
			xchg_failf(x, CP, XR_E_INTERNAL_ERROR,
			    "Cannot start the request");
			return;
		}
		log_debug("%s: %s sent to %s", CP_SIDE, x->cx_query_id,
		    proxy_peer_url(x->cx_peer));
		return;
	}
	if (x->cx_last.pf_code[0] == '\0')
		proxy_fault_set(&x->cx_last, CP, "NetworkError",
		    "Could not connect to any target host");
	f = x->cx_last;
	xchg_fail(x, &f);
}

static void
logged_request(int rc, const char *why, void *arg)
{
	struct cp_xchg *x = arg;

	x->cx_log = NULL;
	if (rc != 0) {
		xchg_failf(x, CP, MSGLOG_HOOK_FAULT(rc), why);
		return;
	}
	cp_send(x);
}

static void
signed_request(int error, const struct batchsign_result *res, void *arg)
{
	struct cp_xchg		*x = arg;
	struct proxy_fault	 f;
	struct msglog_rec	 r;
	char			 err[256];

	x->cx_sign = NULL;
	if (error != 0) {
		proxy_sign_fault(error, CP, &f);
		xchg_fail(x, &f);
		return;
	}
	x->cx_out.to_sig = res->br_signature;
	x->cx_out.to_sig_len = res->br_signature_len;
	x->cx_out.to_hcr = res->br_hashchain_result;
	x->cx_out.to_hcr_len = res->br_hashchain_result_len;
	x->cx_out.to_hc = res->br_hashchain;
	x->cx_out.to_hc_len = res->br_hashchain_len;
	if (transport_build(&x->cx_out, x->cx_pc->pc_max_transport,
	    &x->cx_transport, x->cx_ctype, sizeof(x->cx_ctype), err,
	    sizeof(err)) == -1) {
		xchg_failf(x, CP, XR_E_INTERNAL_ERROR, err);
		return;
	}
	memset(&r, 0, sizeof(r));
	r.mr_point = MSGLOG_CLIENT_REQUEST;
	r.mr_rest = x->cx_rest;
	r.mr_query_id = x->cx_query_id;
	r.mr_request_id = x->cx_request_id;
	r.mr_client = &x->cx_client;
	r.mr_service = &x->cx_service;
	r.mr_body_logging = x->cx_body_logging;
	proxy_msglog_signed(&r, &x->cx_out, res);
	if ((x->cx_log = msglog_hook(x->cx_sd, &r, logged_request, x)) ==
	    NULL)
		xchg_failf(x, CP, "LoggingFailed",
		    "Cannot write the request to the message log");
}

/* Is srv the server named by id (XRID_SERVER)? */
static int
server_is(const struct gc_snap *gs, const struct gconf_server *srv,
    const struct xrid *id)
{
	return gconf_server_by_id(gs->gs_gc, id) == srv;
}

/* The provider's servers, the one asked for if any, shuffled. */
static int
find_targets(struct cp_xchg *x, const struct xrid *provider,
    const struct xrid *want, struct proxy_fault *f)
{
	const struct gconf_server	*all[PROXY_MAX_TARGETS];
	unsigned char			 rnd[PROXY_MAX_TARGETS];
	size_t				 n, i, j;
	char				 pid[XRID_STR_MAX];

	n = gconf_client_servers(x->cx_gc->gs_gc, provider, all,
	    PROXY_MAX_TARGETS);
	if (n > PROXY_MAX_TARGETS)
		n = PROXY_MAX_TARGETS;
	(void)xrid_format(provider, 0, pid, sizeof(pid));
	if (n == 0) {
		proxy_fault_set(f, CP, "UnknownMember", "Could not find "
		    "addresses for service provider \"%s\"", pid);
		return -1;
	}
	for (i = 0; i < n; i++) {
		if (want != NULL && !server_is(x->cx_gc, all[i], want))
			continue;
		x->cx_targets[x->cx_ntargets++] = all[i];
	}
	if (x->cx_ntargets == 0) {
		char sid[XRID_STR_MAX];

		(void)xrid_format(want, 0, sid, sizeof(sid));
		proxy_fault_set(f, CP, "InvalidSecurityServer", "Security "
		    "server \"%s\" does not serve provider \"%s\"", sid, pid);
		return -1;
	}
	/* Spread the load over the provider's servers (Fisher-Yates). */
	if (x->cx_ntargets > 1 && RAND_bytes(rnd, sizeof(rnd)) == 1)
		for (i = x->cx_ntargets - 1; i > 0; i--) {
			const struct gconf_server *t;

			j = rnd[i] % (i + 1);
			t = x->cx_targets[i];
			x->cx_targets[i] = x->cx_targets[j];
			x->cx_targets[j] = t;
		}
	/* Servers that could not be reached lately go last. */
	for (i = 0, j = 0; i < x->cx_ntargets; i++) {
		struct proxy_fault		 ignored;
		struct proxy_peer		*pp;
		const struct gconf_server	*t = x->cx_targets[i];

		pp = proxy_peer_get(x->cx_pc->pc_peers, x->cx_gc, t, &ignored);
		if (pp != NULL && proxy_peer_is_down(pp))
			continue;
		memmove(&x->cx_targets[j + 1], &x->cx_targets[j],
		    (i - j) * sizeof(x->cx_targets[0]));
		x->cx_targets[j++] = t;
	}
	return 0;
}

/*
 * The OCSP responses of our auth cert chain for the transport message:
 * the leaf's must be cached and fresh; those of intermediate CAs go
 * along when the cache has them (a peer's check wants one for each cert
 * below its trust anchor).
 */
static int
auth_ocsp(struct cp_xchg *x, char *err, size_t errlen)
{
	struct ssd	*sd = x->cx_sd;
	unsigned char	*der;
	size_t		 len;
	char		 ignored[256];
	int		 i;

	if (proxy_own_ocsp(sd, sd->sd_auth_cert, x->cx_gc, &der, &len, err,
	    errlen) == -1)
		return -1;
	x->cx_auth_ocsp[0].xd_der = der;
	x->cx_auth_ocsp[0].xd_len = len;
	x->cx_nauth_ocsp = 1;
	for (i = 0; i < sk_X509_num(sd->sd_auth_chain) &&
	    x->cx_nauth_ocsp < TRANSPORT_MAX_OCSP; i++) {
		X509 *c = sk_X509_value(sd->sd_auth_chain, i);

		if (X509_check_issued(c, c) == X509_V_OK ||
		    proxy_own_ocsp(sd, c, x->cx_gc, &der, &len, ignored,
		    sizeof(ignored)) == -1)
			continue;
		x->cx_auth_ocsp[x->cx_nauth_ocsp].xd_der = der;
		x->cx_auth_ocsp[x->cx_nauth_ocsp++].xd_len = len;
	}
	return 0;
}

/* Everything both protocols check before signing; then sign. */
static void
cp_start(struct cp_xchg *x, const struct xrid *security_server)
{
	struct ssd		*sd = x->cx_sd;
	const struct sc_client	*c;
	struct proxy_fault	 f;
	struct xrid		 provider, member;
	unsigned char		*d = NULL;
	size_t			 n;
	char			 cid[XRID_STR_MAX], err[512];

	(void)xrid_format(&x->cx_client, 0, cid, sizeof(cid));
	if ((x->cx_sc = ssd_serverconf_acquire(sd)) == NULL) {
		xchg_failf(x, CP, "DatabaseError",
		    "Server configuration is not available");
		return;
	}
	c = serverconf_client(x->cx_sc->ss_sc, &x->cx_client);
	if (c == NULL || c->c_status != SC_REGISTERED) {
		proxy_fault_set(&f, CP, "UnknownMember", "Client \"%s\" is "
		    "not %s on this security server", cid, c == NULL ?
		    "a client" : "registered");
		xchg_fail(x, &f);
		return;
	}
	x->cx_body_logging = c->c_body_logging;
	if (tlsctx_is_client_allowed(http_req_ssl(x->cx_req),
	    (enum tlsctx_is_auth)c->c_is_auth, c->c_is_certs, err,
	    sizeof(err)) == -1) {
		xchg_failf(x, CP, "SslAuthenticationFailed", err);
		return;
	}
	if ((x->cx_gc = confclient_acquire(sd)) == NULL) {
		xchg_failf(x, CP, "OutdatedGlobalConf", "Global configuration "
		    "is expired or not available");
		return;
	}
	if (xrid_service_provider(&x->cx_service, &provider) == -1 ||
	    xrid_member(&x->cx_service, &x->cx_provider_member) == -1 ||
	    xrid_member(&x->cx_client, &member) == -1) {
		xchg_failf(x, "Client", XR_E_BAD_REQUEST, "Bad identifiers");
		return;
	}
	if (find_targets(x, &provider, security_server, &f) == -1) {
		xchg_fail(x, &f);
		return;
	}
	if (auth_ocsp(x, err, sizeof(err)) == -1) {
		proxy_fault_set(&f, CP, "CertValidation", "This security "
		    "server cannot prove its authentication certificate is "
		    "valid: %s", err);
		xchg_fail(x, &f);
		return;
	}
	x->cx_out.to_ocsp = x->cx_auth_ocsp;
	x->cx_out.to_nocsp = x->cx_nauth_ocsp;
	x->cx_out.to_dir = TRANSPORT_REQUEST;
	if (transport_out_digests(&x->cx_out, &d, &n) == -1) {
		xchg_failf(x, CP, XR_E_INTERNAL_ERROR, "digest failed");
		return;
	}
	x->cx_sign = proxy_sign(sd, &member, d, n, signed_request, x, CP, &f);
	free(d);
	if (x->cx_sign == NULL)
		xchg_fail(x, &f);
}

/*
 * SOAP: POST of text/xml or multipart/related.
 */
static void
cp_soap(struct evhttp_request *req, void *arg)
{
	struct proxy_client		*pc = arg;
	struct cp_xchg			*x;
	struct xr_err			 err;
	const struct mime_part		*parts[TRANSPORT_MAX_ATTACHMENTS];
	const unsigned char		*soap;
	const char			*ct, *sa;
	size_t				 len, i, n;
	int				 rc;

	if ((x = xchg_new(pc, req, 0)) == NULL) {
		http_reply(req, 500, NULL, NULL, 0);
		return;
	}
	if ((rc = http_req_body(req, pc->pc_max_body, &x->cx_body)) != 0) {
		xchg_failf(x, "Client", XR_E_BAD_REQUEST, rc == -2 ?
		    "Request body too large" : "Cannot read the request");
		return;
	}
	ct = http_req_header(req, "Content-Type");
	if (ct == NULL) {
		xchg_failf(x, "Client", XR_E_INVALID_CONTENT_TYPE,
		    "Missing Content-Type");
		return;
	}
	if ((x->cx_orig_ctype = strdup(ct)) == NULL ||
	    ((sa = http_req_header(req, "SOAPAction")) != NULL &&
	    (x->cx_soapaction = strdup(sa)) == NULL)) {
		xchg_failf(x, CP, XR_E_INTERNAL_ERROR, "Out of memory");
		return;
	}
	if (soap_parts_parse(buf_data(x->cx_body), buf_len(x->cx_body), ct,
	    NULL, &x->cx_parts, &err) == -1) {
		struct proxy_fault f;

		proxy_fault_err(&f, "Client", &err);
		xchg_fail(x, &f);
		return;
	}
	soap = soap_parts_soap(x->cx_parts, &len);
	if (soap_parse(soap, len, soap_parts_soap_ctype(x->cx_parts),
	    pc->pc_max_body, SOAP_REQUEST, &x->cx_soap, &err) == -1) {
		struct proxy_fault f;

		proxy_fault_err(&f, "Client", &err);
		xchg_fail(x, &f);
		return;
	}
	x->cx_client = *soap_msg_client(x->cx_soap);
	x->cx_service = *soap_msg_service(x->cx_soap);
	(void)strlcpy(x->cx_query_id, soap_msg_id(x->cx_soap),
	    sizeof(x->cx_query_id));
	n = soap_parts_nattachments(x->cx_parts);
	if (n > TRANSPORT_MAX_ATTACHMENTS) {
		xchg_failf(x, "Client", XR_E_MIME_PARSING_FAILED,
		    "Too many attachments");
		return;
	}
	for (i = 0; i < n; i++)
		parts[i] = soap_parts_attachment(x->cx_parts, i);
	if (proxy_atts_new(parts, n, &x->cx_atts) == -1) {
		xchg_failf(x, CP, XR_E_INTERNAL_ERROR, "Out of memory");
		return;
	}
	x->cx_out.to_kind = TRANSPORT_SOAP;
	x->cx_out.to_msg_ctype = soap_parts_soap_ctype(x->cx_parts);
	x->cx_out.to_msg = soap;
	x->cx_out.to_msg_len = len;
	x->cx_out.to_att = x->cx_atts.pa_att;
	x->cx_out.to_natt = x->cx_atts.pa_n;
	cp_start(x, soap_msg_security_server(x->cx_soap));
}

/* X-Road: GET is not a SOAP request. */
static void
cp_get(struct evhttp_request *req, void *arg)
{
	struct proxy_fault f;

	(void)arg;
	proxy_fault_set(&f, "Client", XR_E_INVALID_HTTP_METHOD,
	    "Must use POST request method instead of GET");
	proxy_reply_fault(req, 0, &f, CP_SIDE);
}

static const char *
method_name(enum evhttp_cmd_type cmd)
{
	switch (cmd) {
	case EVHTTP_REQ_GET:
		return "GET";
	case EVHTTP_REQ_POST:
		return "POST";
	case EVHTTP_REQ_HEAD:
		return "HEAD";
	case EVHTTP_REQ_PUT:
		return "PUT";
	case EVHTTP_REQ_DELETE:
		return "DELETE";
	case EVHTTP_REQ_OPTIONS:
		return "OPTIONS";
	case EVHTTP_REQ_PATCH:
		return "PATCH";
	case EVHTTP_REQ_TRACE:
		return "TRACE";
	default:
		return NULL;
	}
}

/*
 * REST: /r1/INSTANCE/CLASS/MEMBER/SUBSYSTEM/SERVICE[/path][?query].
 */
static void
cp_rest(struct evhttp_request *req, void *arg)
{
	struct proxy_client	*pc = arg;
	struct cp_xchg		*x;
	struct xr_err		 err;
	struct proxy_fault	 f;
	struct rest_header	 hdrs[REST_MAX_HEADERS];
	struct evkeyval		*kv;
	const char		*method, *id;
	size_t			 nh = 0;
	int			 rc;

	if ((x = xchg_new(pc, req, 1)) == NULL) {
		http_reply(req, 500, NULL, NULL, 0);
		return;
	}
	method = method_name(evhttp_request_get_command(req));
	TAILQ_FOREACH(kv, evhttp_request_get_input_headers(req), next) {
		if (nh == REST_MAX_HEADERS) {
			xchg_failf(x, "Client", XR_E_BAD_REQUEST,
			    "Too many headers");
			return;
		}
		hdrs[nh].rh_name = kv->key;
		hdrs[nh].rh_value = kv->value;
		nh++;
	}
	if (rest_req_from_http(method != NULL ? method : "?",
	    evhttp_request_get_uri(req), hdrs, nh, x->cx_request_id,
	    &x->cx_rreq, &err) == -1) {
		proxy_fault_err(&f, "Client", &err);
		xchg_fail(x, &f);
		return;
	}
	if ((id = rest_req_id(x->cx_rreq)) == NULL) {
		char uuid[PROXY_UUID_LEN + 1];

		if (proxy_uuid(uuid) == -1 ||
		    rest_req_set_id(x->cx_rreq, uuid) == -1) {
			xchg_failf(x, CP, XR_E_INTERNAL_ERROR, "Out of memory");
			return;
		}
		id = rest_req_id(x->cx_rreq);
	}
	(void)strlcpy(x->cx_query_id, id, sizeof(x->cx_query_id));
	if ((rc = http_req_body(req, pc->pc_max_body, &x->cx_body)) != 0) {
		xchg_failf(x, "Client", XR_E_BAD_REQUEST, rc == -2 ?
		    "Request body too large" : "Cannot read the request");
		return;
	}
	if (rest_req_serialize(x->cx_rreq, &x->cx_rhead) == -1) {
		xchg_failf(x, CP, XR_E_INTERNAL_ERROR, "Out of memory");
		return;
	}
	x->cx_client = *rest_req_client(x->cx_rreq);
	x->cx_service = *rest_req_service(x->cx_rreq);
	x->cx_out.to_kind = TRANSPORT_REST;
	x->cx_out.to_msg = buf_data(x->cx_rhead);
	x->cx_out.to_msg_len = buf_len(x->cx_rhead);
	if (buf_len(x->cx_body) > 0) {
		x->cx_out.to_has_body = 1;
		x->cx_out.to_body = buf_data(x->cx_body);
		x->cx_out.to_body_len = buf_len(x->cx_body);
	}
	cp_start(x, rest_req_security_server(x->cx_rreq));
}

int
proxy_client_routes(struct ssd *sd)
{
	struct proxy_client	*pc;
	struct conf		*c = sd->sd_conf;
	int			 i;
	const int		 all = EVHTTP_REQ_GET | EVHTTP_REQ_POST |
	    EVHTTP_REQ_HEAD | EVHTTP_REQ_PUT | EVHTTP_REQ_DELETE |
	    EVHTTP_REQ_OPTIONS | EVHTTP_REQ_PATCH;

	if ((pc = calloc(1, sizeof(*pc))) == NULL)
		return -1;
	pc->pc_sd = sd;
	TAILQ_INIT(&pc->pc_xchgs);
	sd->sd_pc = pc;
	pc->pc_max_body = conf_get_size(c, "client-proxy", "max-body-size");
	pc->pc_max_transport = conf_get_size(c, "server-proxy",
	    "max-body-size");
	if (pc->pc_max_transport < pc->pc_max_body + 1024 * 1024)
		pc->pc_max_transport = pc->pc_max_body + 1024 * 1024;
	pc->pc_connect_ms = (long)conf_get_duration(c, "client-proxy",
	    "connect-timeout") * 1000;
	pc->pc_timeout_ms = (long)conf_get_duration(c, "client-proxy",
	    "request-timeout") * 1000;
	if ((pc->pc_peers = proxy_peers_new(sd)) == NULL)
		return -1;
	/* The same routes on the HTTP and (if configured) HTTPS listeners. */
	for (i = 0; i < 2; i++) {
		struct http_server *srv = i == 0 ? sd->sd_cp : sd->sd_cps;

		if (srv == NULL)
			continue;
		if (http_route(srv, EVHTTP_REQ_POST, "/", HTTP_ROUTE_PREFIX,
		    cp_soap, pc) == -1 ||
		    http_route(srv, EVHTTP_REQ_GET, "/", HTTP_ROUTE_PREFIX,
		    cp_get, pc) == -1 ||
		    http_route(srv, all, "/r1/", HTTP_ROUTE_PREFIX, cp_rest,
		    pc) == -1 ||
		    proxy_meta_routes(sd, srv) == -1)
			return -1;
	}
	return 0;
}

void
proxy_client_stop(struct ssd *sd)
{
	struct proxy_client	*pc = sd->sd_pc;
	struct cp_xchg		*x;

	if (pc == NULL)
		return;
	/* The requests are gone with the listener: never reply now. */
	while ((x = TAILQ_FIRST(&pc->pc_xchgs)) != NULL)
		xchg_free(x);
	proxy_peers_free(pc->pc_peers);
	free(pc);
	sd->sd_pc = NULL;
}
