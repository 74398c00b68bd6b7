/*
 * proxy.h: pieces the client proxy (proxy_client.c) and the server proxy
 * (proxy_server.c) share: faults in the protocol's own form, signing and
 * verifying transport messages, the OCSP of our own certs, and the
 * connections to other security servers (proxy_peer.c).
 *
 * Internal to securityserverd; everything runs on the daemon's event loop.
 */
#ifndef HK_PROXY_H
#define HK_PROXY_H

#include <stddef.h>

#include <openssl/x509.h>

#include "batchsign.h"
#include "certcheck.h"
#include "xrid.h"
#include "xrmsg.h"

struct buf;
struct evhttp_request;
struct gc_snap;
struct gconf_server;
struct httpc_call;
struct httpc_ev;
struct mime_part;
struct ssd;
struct transport_attachment;
struct transport_msg;

/* x-proxy-version we send. */
#define PROXY_VERSION		"hukumati/" PACKAGE_VERSION
#define PROXY_UUID_LEN		36
/* Security servers tried for one request (hosting the provider). */
#define PROXY_MAX_TARGETS	16
/* Server proxy port when global configuration names none (X-Road). */
#define PROXY_DEFAULT_PORT	5500
/*
 * The OCSP download port of a peer is not in global configuration.
 * X-Road uses 5577 next to 5500; this federation runs several servers on
 * one host (5500/5577, 5510/5587, ...), so the convention is: the peer's
 * OCSP port is its server proxy port + 77.
 */
#define PROXY_OCSP_PORT_OFFSET	77

/* A fault on its way to the caller. */
struct proxy_fault {
	char	pf_code[192];	/* "Server.ServerProxy.AccessDenied" */
	char	pf_msg[512];	/* faultstring / message */
	char	pf_detail[PROXY_UUID_LEN + 1];	/* faultDetail, "" = new */
};

/* proxy_common.c */
/* A random (version 4) UUID, lower case. Returns 0 or -1. */
int	proxy_uuid(char out[PROXY_UUID_LEN + 1]);
/* f = "<prefix>.<code>" (prefix NULL: code alone) and the message. */
void	proxy_fault_set(struct proxy_fault *f, const char *prefix,
	    const char *code, const char *fmt, ...)
	    __attribute__((format(printf, 4, 5)));
void	proxy_fault_err(struct proxy_fault *f, const char *prefix,
	    const struct xr_err *err);
/*
 * A fault that came from elsewhere (a peer's SOAP fault): kept as it is,
 * detail included. Returns 0, or -1 if xml is not a SOAP fault.
 */
int	proxy_fault_parse(const void *xml, size_t len, struct proxy_fault *f);
/*
 * Answer req with the fault: a SOAP fault (HTTP 200, text/xml, as X-Road
 * sends them) or, rest set, the REST error JSON with X-Road-Error and
 * 400/500. A new detail id is made if f has none; the code, id and
 * message are logged with log_warnx (side: "client proxy", ...).
 */
void	proxy_reply_fault(struct evhttp_request *req, int rest,
	    struct proxy_fault *f, const char *side);
/* SOAP fault bytes for f (detail made if missing); buf_free *out. */
int	proxy_fault_xml(struct proxy_fault *f, struct buf **out);

/* Certificate checks parameterised by global configuration. */
void	proxy_certcheck_params(struct certcheck_params *,
	    const struct gc_snap *, enum certcheck_purpose);
/* The fault code for a certcheck failure (no origin). */
const char *proxy_certcheck_code(enum certcheck_code);
/* serverconf_allowed's global group question; arg: struct gc_snap. */
int	proxy_in_global_group(void *arg, const struct xrid *group,
	    const struct xrid *client);

/*
 * A fresh OCSP response of one of our own certs from the cache (ocspd.c
 * fills it). *der: caller frees. Returns 0, or -1 with a reason in err
 * (none cached, or older than the freshness of global configuration).
 */
int	proxy_own_ocsp(struct ssd *, X509 *cert, const struct gc_snap *,
	    unsigned char **der, size_t *len, char *err, size_t errlen);

/*
 * Signing: batch signing on the event loop (sd->sd_batch), with the
 * signing cert's OCSP response from the cache embedded. proxy_sign_start
 * creates sd->sd_batch (NULL on failure); proxy_sign_stop frees both.
 */
struct proxy_signctx;
struct proxy_signctx *proxy_sign_start(struct ssd *);
void	proxy_sign_stop(struct ssd *, struct proxy_signctx *);
/*
 * Sign the data objects (n SHA-512 digests) with member's key (key id =
 * the member in slash form). NULL with f set (prefix: our side) when
 * there is no key or the request cannot be queued.
 */
struct batchsign_req *proxy_sign(struct ssd *, const struct xrid *member,
	    const unsigned char *digests, size_t n, batchsign_cb cb, void *arg,
	    const char *prefix, struct proxy_fault *f);
/* The fault for a batch signing error. */
void	proxy_sign_fault(int error, const char *prefix, struct proxy_fault *f);

/*
 * Verify a signed transport message: the signature over its parts, the
 * signing cert's chain to an approved CA with the OCSP responses inside
 * the signature fresh and GOOD, and the signer is member (from the
 * cert's subject). Returns 0, or -1 with f set (prefix: our side).
 */
int	proxy_verify_signed(const struct transport_msg *,
	    const struct gc_snap *, const struct xrid *member,
	    const char *prefix, struct proxy_fault *f);

/*
 * MIME parts (attachments) as transport attachments: the header arrays
 * point into the parts, which must outlive *out. proxy_atts_free frees.
 */
struct proxy_atts {
	struct transport_attachment	*pa_att;
	size_t				 pa_n;
	const char			**pa_hdrs;
};
int	proxy_atts_new(const struct mime_part *const *parts, size_t n,
	    struct proxy_atts *out);
void	proxy_atts_free(struct proxy_atts *);
/*
 * SOAP with attachments as an IS expects it: multipart/related with the
 * SOAP part first (its type from soap_ctype; MTOM when that is
 * application/xop+xml) and the attachments with their headers. *out:
 * buf_free; ctype gets the Content-Type. Returns 0 or -1.
 */
int	proxy_soap_multipart(const void *soap, size_t len,
	    const char *soap_ctype, const struct transport_attachment *att,
	    size_t natt, size_t max, struct buf **out, char *ctype,
	    size_t ctypelen);

/*
 * proxy_meta.c: metaservices. The client proxy answers listClients; the
 * server proxy answers, for a provider subsystem, SOAP listMethods,
 * allowedMethods and getWsdl and REST listMethods, allowedMethods and
 * getOpenAPI (NOTES 3.4, 6.1).
 */
int	proxy_meta_routes(struct ssd *, struct http_server *);

struct rest_req;
struct serverconf;
struct soap_msg;

/* 1 if service is a metaservice the server proxy answers itself. */
int	proxy_meta_is_provider(const struct xrid *service, int rest);

/* The answer, before the server proxy adds requestHash and signs. */
struct proxy_meta_answer {
	/* SOAP: the response envelope, the request's header copied. */
	struct buf	*pa_soap;
	/* getWsdl: the WSDL, sent as an attachment (text/xml). */
	struct buf	*pa_att;
	/* REST: status, Content-Type and body. */
	int		 pa_status;
	char		 pa_ctype[128];
	struct buf	*pa_body;
};
void	proxy_meta_answer_free(struct proxy_meta_answer *);

struct proxy_meta_call;
/* ans: the callee's (free with proxy_meta_answer_free); NULL: f says why. */
typedef void (*proxy_meta_done_fn)(struct proxy_meta_answer *ans,
	    struct proxy_fault *f, void *arg);
/*
 * Answer a provider metaservice for client. sc and gs are borrowed and
 * must stay until the answer. Returns 0 with *ans set (answered now), 1
 * when done will run later (a description is being fetched; *callp
 * identifies the call until then), or -1 with f set. The description of
 * getWsdl / getOpenAPI is fetched through http (URL) or read (file).
 */
int	proxy_meta_provider(struct ssd *, struct httpc_ev *http,
	    const struct serverconf *sc, struct gc_snap *gs,
	    const struct xrid *client, const struct xrid *service,
	    const struct soap_msg *soap, const struct rest_req *rreq,
	    struct proxy_meta_answer **ans, proxy_meta_done_fn done,
	    void *arg, struct proxy_meta_call **callp, struct proxy_fault *f);
/* done will not run. NULL is fine. */
void	proxy_meta_cancel(struct proxy_meta_call *);

/* proxy_peer.c: connections to other security servers */
struct proxy_peers;
struct proxy_peer;

/*
 * A security server's address in global configuration: "host",
 * "host:port", "[v6]" or "[v6]:port" (port default PROXY_DEFAULT_PORT; at
 * most 65535 - PROXY_OCSP_PORT_OFFSET); the host only of letters,
 * digits, '.', '-', '_' and (in brackets) ':'. Returns 0 or -1.
 */
int	proxy_parse_address(const char *addr, char *host, size_t hostlen,
	    unsigned int *port);

struct proxy_peers *proxy_peers_new(struct ssd *);
/* Cancels every call in flight (their callbacks do not run). */
void	proxy_peers_free(struct proxy_peers *);
/*
 * The peer for a security server of global configuration (one mutual-TLS
 * HTTP context each, so connections are pooled per server and the
 * handshake check knows which server it talks to). NULL with f set when
 * the server has no usable address.
 */
struct proxy_peer *proxy_peer_get(struct proxy_peers *,
	    const struct gc_snap *, const struct gconf_server *,
	    struct proxy_fault *f);
/* "https://host:port/" and the server id of the peer. */
const char *proxy_peer_url(const struct proxy_peer *);
const char *proxy_peer_name(const struct proxy_peer *);
struct httpc_ev *proxy_peer_http(struct proxy_peer *);
/*
 * Connection failures: a server that could not be reached within the
 * last PROXY_PEER_DOWN_S seconds is tried after the others.
 */
#define PROXY_PEER_DOWN_S	60
void	proxy_peer_set_down(struct proxy_peer *);
int	proxy_peer_is_down(const struct proxy_peer *);
/* 1 if its auth cert is known and its OCSP response is not fresh. */
int	proxy_peer_ocsp_due(const struct proxy_peer *, const struct gc_snap *);
/*
 * After a failed handshake: 1 if it failed only because no fresh OCSP
 * response of the peer's (otherwise acceptable) auth cert is known. why
 * gets our handshake check's refusal reason ("" if it did not refuse:
 * the peer or TLS itself failed). Both are cleared.
 */
int	proxy_peer_take_need_ocsp(struct proxy_peer *, char *why,
	    size_t whylen);
/*
 * Download the OCSP response of the peer's auth cert from its OCSP port
 * (GET /?cert=<sha1 hex>), verify it (GOOD, fresh, by an accepted
 * responder) and keep it. done(0) or done(-1, why) runs later from the
 * event loop, unless the fetch is cancelled first. NULL: not started
 * (done will not run).
 */
typedef void (*proxy_peer_done_fn)(int rc, const char *why, void *arg);
struct proxy_fetch;
struct proxy_fetch *proxy_peer_fetch_ocsp(struct proxy_peer *,
	    proxy_peer_done_fn, void *arg);
void	proxy_fetch_cancel(struct proxy_fetch *);

/* proxy_common.c: the message-log record of a message just signed */
struct batchsign_result;
struct transport_out;
void	proxy_msglog_signed(struct msglog_rec *, struct transport_out *,
	    const struct batchsign_result *);

#endif /* HK_PROXY_H */
