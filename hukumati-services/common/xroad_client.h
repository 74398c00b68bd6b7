/*
 * xroad_client.h: how a Hukumati service (an information system, IS)
 * calls another member's service: through its own security server's
 * client proxy (for GOV/MTIT subsystems http://127.0.0.1:8100), with the
 * X-Road message protocol for SOAP 4.0 or REST r1 (DESIGN.md section 1:
 * no IS talks to another member directly).
 *
 * SOAP: xrc_soap_new makes the envelope (client = the configured
 * subsystem, service, a fresh UUID id, userId, issue, protocolVersion
 * 4.0) and hands back the body wrapper for the payload; xrc_soap_call
 * POSTs it and checks the answer: a SOAP fault becomes XRC_FAULT with
 * faultcode/faultstring; otherwise the response header must match the
 * request (client, service, id, ...) and, unless xc_direct, carry the
 * requestHash of our exact request bytes (proof that the provider's
 * security server answered this request).
 *
 * REST r1: xrc_rest_call sends METHOD {url}/r1/{service}{path}[?query]
 * with X-Road-Client (and X-Road-Id, X-Road-UserId); a response with
 * X-Road-Error is XRC_FAULT (type and message from the JSON body), any
 * other response XRC_OK with the provider's status and body.
 *
 * xc_direct = 1 is for tests and development only: xc_url is then the
 * provider IS itself (which answers SOAP without requestHash). It is
 * never what a deployment does.
 *
 * Calls run on the event loop given to xrc_new (done is called once,
 * from the loop, unless cancelled) or block (the _sync variants, which
 * work with or without a loop).
 */
#ifndef HK_XROAD_CLIENT_H
#define HK_XROAD_CLIENT_H

#include <stddef.h>

#include <event2/event.h>
#include <libxml/tree.h>

#include "httpc.h"
#include "soap.h"
#include "xrid.h"

struct xrc;
struct xrc_call;

struct xrc_conf {
	const char		*xc_url;	/* client proxy, http(s)://host:port */
	const char		*xc_client;	/* INSTANCE/CLASS/MEMBER[/SUBSYSTEM] */
	int			 xc_direct;	/* see above */
	long			 xc_timeout_ms;	/* whole call; 0: 30 s */
	size_t			 xc_max_body;	/* response cap; 0: 4 MiB */
	const struct httpc_tls	*xc_tls;	/* NULL: defaults */
};

/* Outcomes (the status given to done and returned by _sync). */
#define XRC_OK			0	/* an answer (REST: any provider status) */
#define XRC_FAULT		1	/* SOAP fault / REST X-Road-Error */
#define XRC_ERR_TRANSPORT	(-1)	/* no answer: connect, timeout, size */
#define XRC_ERR_PROTOCOL	(-2)	/* an answer that is not X-Road's */
#define XRC_ERR_INVALID		(-3)	/* bad arguments, no memory */

struct xrc_error {
	char	xe_code[128];		/* faultcode / X-Road-Error, or "" */
	char	xe_message[512];	/* faultstring / message / reason */
};

/*
 * base may be NULL (then only the _sync calls work). NULL on bad settings
 * with the reason in err. Caller frees; xrc_free cancels running calls
 * (their done is not called).
 */
struct xrc	*xrc_new(struct event_base *base, const struct xrc_conf *,
		    char *err, size_t errlen);
void		 xrc_free(struct xrc *);
/* The client id the calls carry (borrowed). */
const struct xrid *xrc_client(const struct xrc *);

/*
 * A request envelope for service (slash form
 * INSTANCE/CLASS/MEMBER/SUBSYSTEM/CODE[/VERSION]) with the body wrapper
 * <CODE> in namespace body_ns. user_id and issue may be NULL. The caller
 * adds the payload under *wrapper and frees *doc with xmlFreeDoc after
 * the call was started. 0, or -1 with the reason in err.
 */
int		 xrc_soap_new(const struct xrc *, const char *service,
		    const char *body_ns, const char *user_id,
		    const char *issue, xmlDoc **doc, xmlNode **wrapper,
		    struct xrc_error *err);

/*
 * done: resp is the parsed response (XRC_OK: its body wrapper holds the
 * answer; borrowed for the call), err describes XRC_FAULT and the
 * errors.
 */
typedef void (*xrc_soap_done_fn)(int status, const struct soap_msg *resp,
    const struct xrc_error *err, void *arg);

/*
 * Start a SOAP call (doc is serialised at once; the caller keeps it).
 * 0 and *callp (may be NULL; valid until done runs), or -1 with err (done
 * is then not called).
 */
int		 xrc_soap_call(struct xrc *, xmlDoc *doc, xrc_soap_done_fn done,
		    void *arg, struct xrc_call **callp, struct xrc_error *err);
/* Blocking: the status; XRC_OK gives *resp (caller soap_msg_free). */
int		 xrc_soap_call_sync(struct xrc *, xmlDoc *doc,
		    struct soap_msg **resp, struct xrc_error *err);
/*
 * The checks of a SOAP answer, without the network: req the request as
 * sent (parsed), the HTTP status, Content-Type and body of the answer.
 * Returns a status as above; XRC_OK gives *resp (caller frees).
 */
int		 xrc_soap_check(const struct soap_msg *req, int direct,
		    int http_status, const char *content_type,
		    const void *body, size_t len, size_t max,
		    struct soap_msg **resp, struct xrc_error *err);

/* REST r1. */
struct xrc_rest_req {
	const char		*xq_method;	/* "GET", "POST", ... */
	const char		*xq_service;	/* slash form with CODE */
	const char		*xq_path;	/* after the service: "/4000";
						   NULL: none */
	const char		*xq_query;	/* without '?'; NULL: none */
	const char		*xq_user_id;	/* NULL: none */
	const char *const	*xq_headers;	/* more "Name: value", or NULL */
	const void		*xq_body;
	size_t			 xq_body_len;
};

/*
 * done: http_status and resp (borrowed for the call; NULL unless XRC_OK
 * or XRC_FAULT) of the answer.
 */
typedef void (*xrc_rest_done_fn)(int status, int http_status,
    const struct httpc_resp *resp, const struct xrc_error *err, void *arg);

int		 xrc_rest_call(struct xrc *, const struct xrc_rest_req *,
		    xrc_rest_done_fn done, void *arg, struct xrc_call **callp,
		    struct xrc_error *err);
/* Blocking: XRC_OK and XRC_FAULT give *resp (caller httpc_resp_free). */
int		 xrc_rest_call_sync(struct xrc *, const struct xrc_rest_req *,
		    struct httpc_resp **resp, struct xrc_error *err);
/* The check of a REST answer (X-Road-Error), without the network. */
int		 xrc_rest_check(const struct httpc_resp *, struct xrc_error *);

/* Abort a call whose done has not run; done will not run. */
void		 xrc_call_cancel(struct xrc_call *);

#endif /* HK_XROAD_CLIENT_H */
