/*
 * xroad_client.c: SOAP 4.0 and REST r1 calls through the member's
 * security server (see xroad_client.h).
 */
#include "config.h"

#include <sys/queue.h>

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <event2/event.h>
#include <jansson.h>
#include <libxml/tree.h>
#include <openssl/rand.h>

#include "buf.h"
#include "compat.h"
#include "httpc.h"
#include "log.h"
#include "soap.h"
#include "xrid.h"
#include "xrmsg.h"
#include "xroad_client.h"

#define XRC_DEFAULT_TIMEOUT_MS	30000
#define XRC_DEFAULT_MAX_BODY	(4 * 1024 * 1024)
#define XRC_URL_MAX		2048
#define XRC_REQ_MAX		(16 * 1024 * 1024)
#define XRC_UUID_LEN		36
#define XRC_HEADERS_MAX		32

struct xrc_call {
	TAILQ_ENTRY(xrc_call)	 xl_entry;
	struct xrc		*xl_xrc;
	struct httpc_call	*xl_http;
	struct soap_msg		*xl_req;	/* SOAP: the request as sent */
	xrc_soap_done_fn	 xl_soap_done;
	xrc_rest_done_fn	 xl_rest_done;
	void			*xl_arg;
};
TAILQ_HEAD(xrc_calls, xrc_call);

struct xrc {
	char		 x_url[XRC_URL_MAX];
	struct xrid	 x_client;
	char		 x_client_str[XRID_STR_MAX];
	int		 x_direct;
	long		 x_timeout_ms;
	size_t		 x_max_body;
	struct httpc	*x_http;
	struct httpc_ev	*x_ev;
	struct xrc_calls x_calls;
};

static void
xerr(struct xrc_error *e, const char *code, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static void
xerr(struct xrc_error *e, const char *code, const char *fmt, ...)
{
	va_list	 ap;

	if (e == NULL)
		return;
	(void)strlcpy(e->xe_code, code != NULL ? code : "",
	    sizeof(e->xe_code));
	va_start(ap, fmt);
	(void)vsnprintf(e->xe_message, sizeof(e->xe_message), fmt, ap);
	va_end(ap);
}

static void
xerr_clear(struct xrc_error *e)
{
	if (e != NULL)
		memset(e, 0, sizeof(*e));
}

struct xrc *
xrc_new(struct event_base *base, const struct xrc_conf *c, char *err,
    size_t errlen)
{
	struct xrc	*x;
	char		 xe[XRID_ERR_MAX];
	size_t		 n;

	if (err != NULL && errlen > 0)
		err[0] = '\0';
	if (c->xc_url == NULL || (strncmp(c->xc_url, "http://", 7) != 0 &&
	    strncmp(c->xc_url, "https://", 8) != 0)) {
		if (err != NULL)
			(void)snprintf(err, errlen, "the security server URL "
			    "must be http:// or https://");
		return NULL;
	}
	if ((x = calloc(1, sizeof(*x))) == NULL)
		return NULL;
	TAILQ_INIT(&x->x_calls);
	if (strlcpy(x->x_url, c->xc_url, sizeof(x->x_url)) >=
	    sizeof(x->x_url)) {
		if (err != NULL)
			(void)snprintf(err, errlen, "URL too long");
		goto fail;
	}
	/* No trailing '/': paths are appended with their own. */
	n = strlen(x->x_url);
	while (n > 0 && x->x_url[n - 1] == '/')
		x->x_url[--n] = '\0';
	if (c->xc_client == NULL || xrid_parse_client(&x->x_client,
	    c->xc_client, 0, xe, sizeof(xe)) == -1) {
		if (err != NULL)
			(void)snprintf(err, errlen, "client: %s",
			    c->xc_client == NULL ? "missing" : xe);
		goto fail;
	}
	if (xrid_format(&x->x_client, 0, x->x_client_str,
	    sizeof(x->x_client_str)) == -1)
		goto fail;
	x->x_direct = c->xc_direct;
	x->x_timeout_ms = c->xc_timeout_ms > 0 ? c->xc_timeout_ms :
	    XRC_DEFAULT_TIMEOUT_MS;
	x->x_max_body = c->xc_max_body > 0 ? c->xc_max_body :
	    XRC_DEFAULT_MAX_BODY;
	if ((x->x_http = httpc_new(c->xc_tls)) == NULL ||
	    (base != NULL && (x->x_ev = httpc_ev_new(base, c->xc_tls)) ==
	    NULL)) {
		if (err != NULL)
			(void)snprintf(err, errlen, "cannot make the HTTP "
			    "client (TLS settings?)");
		goto fail;
	}
	return x;
 fail:
	xrc_free(x);
	return NULL;
}

static void
call_free(struct xrc_call *call)
{
	if (call == NULL)
		return;
	TAILQ_REMOVE(&call->xl_xrc->x_calls, call, xl_entry);
	soap_msg_free(call->xl_req);
	free(call);
}

void
xrc_free(struct xrc *x)
{
	struct xrc_call	*call;

	if (x == NULL)
		return;
	while ((call = TAILQ_FIRST(&x->x_calls)) != NULL) {
		httpc_call_cancel(call->xl_http);
		call_free(call);
	}
	httpc_ev_free(x->x_ev);
	httpc_free(x->x_http);
	free(x);
}

const struct xrid *
xrc_client(const struct xrc *x)
{
	return &x->x_client;
}

static int
make_uuid(char out[XRC_UUID_LEN + 1])
{
	unsigned char	 b[16];

	if (RAND_bytes(b, sizeof(b)) != 1)
		return -1;
	b[6] = (b[6] & 0x0f) | 0x40;
	b[8] = (b[8] & 0x3f) | 0x80;
	(void)snprintf(out, XRC_UUID_LEN + 1, "%02x%02x%02x%02x-%02x%02x-"
	    "%02x%02x-%02x%02x-%02x%02x%02x%02x%02x%02x", b[0], b[1], b[2],
	    b[3], b[4], b[5], b[6], b[7], b[8], b[9], b[10], b[11], b[12],
	    b[13], b[14], b[15]);
	return 0;
}

int
xrc_soap_new(const struct xrc *x, const char *service, const char *body_ns,
    const char *user_id, const char *issue, xmlDoc **doc, xmlNode **wrapper,
    struct xrc_error *err)
{
	struct soap_header	 h;
	struct xrid		 svc;
	char			 id[XRC_UUID_LEN + 1], xe[XRID_ERR_MAX];

	*doc = NULL;
	*wrapper = NULL;
	xerr_clear(err);
	if (service == NULL || xrid_parse(&svc, XRID_MASK(XRID_SERVICE),
	    service, 0, xe, sizeof(xe)) == -1) {
		xerr(err, NULL, "service: %s", service == NULL ? "missing" :
		    xe);
		return -1;
	}
	if (make_uuid(id) == -1) {
		xerr(err, NULL, "no random numbers");
		return -1;
	}
	memset(&h, 0, sizeof(h));
	h.sh_client = &x->x_client;
	h.sh_service = &svc;
	h.sh_id = id;
	h.sh_user_id = user_id;
	h.sh_issue = issue;
	if (soap_request_new(&h, body_ns, doc, wrapper) == -1) {
		xerr(err, NULL, "cannot build the SOAP request");
		return -1;
	}
	return 0;
}

/* The bytes of doc and the request as parsed back (for the checks). */
static int
soap_prepare(xmlDoc *doc, struct buf **bytes, struct soap_msg **req,
    struct xrc_error *err)
{
	struct xr_err	 xe;

	*bytes = NULL;
	*req = NULL;
	if (soap_doc_serialize(doc, XRC_REQ_MAX, bytes) == -1) {
		xerr(err, NULL, "cannot serialise the SOAP request");
		return -1;
	}
	if (soap_parse(buf_data(*bytes), buf_len(*bytes),
	    "text/xml; charset=UTF-8", XRC_REQ_MAX, SOAP_REQUEST, req,
	    &xe) == -1) {
		xerr(err, xe.xe_code, "the request is not valid X-Road SOAP: "
		    "%s", xe.xe_msg);
		buf_free(*bytes);
		*bytes = NULL;
		return -1;
	}
	return 0;
}

int
xrc_soap_check(const struct soap_msg *req, int direct, int http_status,
    const char *content_type, const void *body, size_t len, size_t max,
    struct soap_msg **respp, struct xrc_error *err)
{
	struct soap_msg	*resp = NULL;
	struct xr_err	 xe;
	const char	*s;

	*respp = NULL;
	xerr_clear(err);
	if (http_status != 200 && http_status != 500) {
		xerr(err, NULL, "HTTP status %d from the security server",
		    http_status);
		return XRC_ERR_PROTOCOL;
	}
	if (soap_parse(body, len, content_type, max, SOAP_RESPONSE, &resp,
	    &xe) == -1) {
		xerr(err, xe.xe_code, "the answer is not X-Road SOAP: %s",
		    xe.xe_msg);
		return XRC_ERR_PROTOCOL;
	}
	if (soap_msg_is_fault(resp)) {
		s = soap_msg_fault_string(resp);
		xerr(err, soap_msg_fault_code(resp) != NULL ?
		    soap_msg_fault_code(resp) : "", "%s", s != NULL ? s : "");
		soap_msg_free(resp);
		return XRC_FAULT;
	}
	if (http_status != 200) {
		xerr(err, NULL, "HTTP status %d without a SOAP fault",
		    http_status);
		soap_msg_free(resp);
		return XRC_ERR_PROTOCOL;
	}
	if ((direct ? soap_check_consistency(req, resp, &xe) :
	    soap_response_check(req, resp, &xe)) == -1) {
		xerr(err, xe.xe_code, "the answer does not match the request: "
		    "%s", xe.xe_msg);
		soap_msg_free(resp);
		return XRC_ERR_PROTOCOL;
	}
	*respp = resp;
	return XRC_OK;
}

static void
soap_http_req(const struct xrc *x, const struct buf *bytes,
    struct httpc_req *hr, const char **hdrs)
{
	memset(hr, 0, sizeof(*hr));
	hdrs[0] = "Content-Type: text/xml; charset=UTF-8";
	hdrs[1] = "SOAPAction: \"\"";
	hdrs[2] = NULL;
	hr->hr_method = "POST";
	hr->hr_url = x->x_url;
	hr->hr_headers = hdrs;
	hr->hr_body = buf_data(bytes);
	hr->hr_body_len = buf_len(bytes);
	hr->hr_timeout_ms = x->x_timeout_ms;
	hr->hr_max_body = x->x_max_body;
}

static int
transport_status(int rc, const char *msg, struct xrc_error *err)
{
	xerr(err, NULL, "no answer from the security server: %s%s%s",
	    httpc_strerror(rc), msg != NULL && *msg != '\0' ? ": " : "",
	    msg != NULL ? msg : "");
	return XRC_ERR_TRANSPORT;
}

static void
soap_done(int rc, struct httpc_resp *hresp, const char *errmsg, void *arg)
{
	struct xrc_call		*call = arg;
	struct xrc		*x = call->xl_xrc;
	struct soap_msg		*resp = NULL;
	struct xrc_error	 err;
	const struct buf	*body;
	int			 st;

	xerr_clear(&err);
	if (rc != 0)
		st = transport_status(rc, errmsg, &err);
	else {
		body = httpc_resp_body(hresp);
		st = xrc_soap_check(call->xl_req, x->x_direct,
		    httpc_resp_status(hresp),
		    httpc_resp_header(hresp, "Content-Type"), buf_data(body),
		    buf_len(body), x->x_max_body, &resp, &err);
	}
	httpc_resp_free(hresp);
	call->xl_soap_done(st, resp, &err, call->xl_arg);
	soap_msg_free(resp);
	call_free(call);
}

int
xrc_soap_call(struct xrc *x, xmlDoc *doc, xrc_soap_done_fn done, void *arg,
    struct xrc_call **callp, struct xrc_error *err)
{
	struct xrc_call	*call = NULL;
	struct buf	*bytes = NULL;
	struct httpc_req hr;
	const char	*hdrs[3];
	int		 rc;

	if (callp != NULL)
		*callp = NULL;
	xerr_clear(err);
	if (x->x_ev == NULL) {
		xerr(err, NULL, "no event loop");
		return -1;
	}
	if ((call = calloc(1, sizeof(*call))) == NULL) {
		xerr(err, NULL, "out of memory");
		return -1;
	}
	call->xl_xrc = x;
	call->xl_soap_done = done;
	call->xl_arg = arg;
	TAILQ_INSERT_TAIL(&x->x_calls, call, xl_entry);
	if (soap_prepare(doc, &bytes, &call->xl_req, err) == -1)
		goto fail;
	soap_http_req(x, bytes, &hr, hdrs);
	if ((rc = httpc_ev_start(x->x_ev, &hr, soap_done, call,
	    &call->xl_http)) != 0) {
		(void)transport_status(rc, NULL, err);
		goto fail;
	}
	buf_free(bytes);
	if (callp != NULL)
		*callp = call;
	return 0;
 fail:
	buf_free(bytes);
	call_free(call);
	return -1;
}

int
xrc_soap_call_sync(struct xrc *x, xmlDoc *doc, struct soap_msg **resp,
    struct xrc_error *err)
{
	struct soap_msg		*req = NULL;
	struct buf		*bytes = NULL;
	struct httpc_resp	*hresp = NULL;
	const struct buf	*body;
	struct httpc_req	 hr;
	const char		*hdrs[3];
	int			 rc, st;

	*resp = NULL;
	xerr_clear(err);
	if (soap_prepare(doc, &bytes, &req, err) == -1)
		return XRC_ERR_INVALID;
	soap_http_req(x, bytes, &hr, hdrs);
	if ((rc = httpc_request(x->x_http, &hr, &hresp)) != 0)
		st = transport_status(rc, httpc_errmsg(x->x_http), err);
	else {
		body = httpc_resp_body(hresp);
		st = xrc_soap_check(req, x->x_direct, httpc_resp_status(hresp),
		    httpc_resp_header(hresp, "Content-Type"), buf_data(body),
		    buf_len(body), x->x_max_body, resp, err);
	}
	httpc_resp_free(hresp);
	soap_msg_free(req);
	buf_free(bytes);
	return st;
}

/*
 * REST.
 */

int
xrc_rest_check(const struct httpc_resp *resp, struct xrc_error *err)
{
	const struct buf	*body;
	const char		*type, *msg;
	json_t			*j;

	xerr_clear(err);
	if ((type = httpc_resp_header(resp, "X-Road-Error")) == NULL)
		return XRC_OK;
	body = httpc_resp_body(resp);
	msg = NULL;
	j = body != NULL ? json_loadb((const char *)buf_data(body),
	    buf_len(body), 0, NULL) : NULL;
	if (j != NULL)
		msg = json_string_value(json_object_get(j, "message"));
	xerr(err, type, "%s", msg != NULL ? msg : "");
	json_decref(j);
	return XRC_FAULT;
}

/* The request line's URL and the headers of a REST call. */
static int
rest_prepare(const struct xrc *x, const struct xrc_rest_req *q,
    char *url, size_t urllen, char hbuf[][512], const char **hdrs,
    struct xrc_error *err)
{
	struct xrid	 svc;
	char		 sv[XRID_STR_MAX * 3], xe[XRID_ERR_MAX];
	char		 id[XRC_UUID_LEN + 1];
	const char	*p;
	size_t		 n = 0, i;
	int		 r;

	if (x->x_direct) {
		xerr(err, NULL, "REST calls need a security server (direct "
		    "mode is SOAP only)");
		return -1;
	}
	if (q->xq_method == NULL || q->xq_service == NULL ||
	    xrid_parse(&svc, XRID_MASK(XRID_SERVICE), q->xq_service, 0, xe,
	    sizeof(xe)) == -1 || xrid_format(&svc, XRID_F_PCT, sv,
	    sizeof(sv)) == -1) {
		xerr(err, NULL, "service: %s", q->xq_service == NULL ?
		    "missing" : xe);
		return -1;
	}
	for (p = q->xq_method; *p != '\0'; p++)
		if (*p < 'A' || *p > 'Z')
			goto badarg;
	/* Path and query go on the request line as given: no blanks, CR/LF. */
	for (p = q->xq_path != NULL ? q->xq_path : ""; *p != '\0'; p++)
		if ((unsigned char)*p <= 0x20 || *p == 0x7f || *p == '?' ||
		    *p == '#')
			goto badarg;
	for (p = q->xq_query != NULL ? q->xq_query : ""; *p != '\0'; p++)
		if ((unsigned char)*p <= 0x20 || *p == 0x7f || *p == '#')
			goto badarg;
	if (q->xq_path != NULL && q->xq_path[0] != '\0' &&
	    q->xq_path[0] != '/')
		goto badarg;
	r = snprintf(url, urllen, "%s/r1/%s%s%s%s", x->x_url, sv,
	    q->xq_path != NULL ? q->xq_path : "",
	    q->xq_query != NULL && *q->xq_query != '\0' ? "?" : "",
	    q->xq_query != NULL ? q->xq_query : "");
	if (r < 0 || (size_t)r >= urllen)
		goto badarg;
	if (make_uuid(id) == -1)
		goto badarg;
	r = snprintf(hbuf[n++], 512, "X-Road-Client: %s", x->x_client_str);
	if (r < 0 || r >= 512)
		goto badarg;
	(void)snprintf(hbuf[n++], 512, "X-Road-Id: %s", id);
	if (q->xq_user_id != NULL) {
		for (p = q->xq_user_id; *p != '\0'; p++)
			if ((unsigned char)*p < 0x20 || *p == 0x7f)
				goto badarg;
		r = snprintf(hbuf[n++], 512, "X-Road-UserId: %s",
		    q->xq_user_id);
		if (r < 0 || r >= 512)
			goto badarg;
	}
	for (i = 0; i < n; i++)
		hdrs[i] = hbuf[i];
	for (i = 0; q->xq_headers != NULL && q->xq_headers[i] != NULL; i++) {
		if (n + 1 >= XRC_HEADERS_MAX)
			goto badarg;
		hdrs[n++] = q->xq_headers[i];
	}
	hdrs[n] = NULL;
	return 0;
 badarg:
	xerr(err, NULL, "bad REST request (method, path, query, user id or "
	    "too many headers)");
	return -1;
}

static void
rest_http_req(const struct xrc *x, const struct xrc_rest_req *q,
    const char *url, const char **hdrs, struct httpc_req *hr)
{
	memset(hr, 0, sizeof(*hr));
	hr->hr_method = q->xq_method;
	hr->hr_url = url;
	hr->hr_headers = hdrs;
	hr->hr_body = q->xq_body;
	hr->hr_body_len = q->xq_body_len;
	hr->hr_timeout_ms = x->x_timeout_ms;
	hr->hr_max_body = x->x_max_body;
}

static void
rest_done(int rc, struct httpc_resp *hresp, const char *errmsg, void *arg)
{
	struct xrc_call		*call = arg;
	struct xrc_error	 err;
	int			 st, status = 0;

	xerr_clear(&err);
	if (rc != 0)
		st = transport_status(rc, errmsg, &err);
	else {
		status = httpc_resp_status(hresp);
		st = xrc_rest_check(hresp, &err);
	}
	call->xl_rest_done(st, status, hresp, &err, call->xl_arg);
	httpc_resp_free(hresp);
	call_free(call);
}

int
xrc_rest_call(struct xrc *x, const struct xrc_rest_req *q,
    xrc_rest_done_fn done, void *arg, struct xrc_call **callp,
    struct xrc_error *err)
{
	struct xrc_call	*call;
	struct httpc_req hr;
	char		 url[XRC_URL_MAX * 2], hbuf[3][512];
	const char	*hdrs[XRC_HEADERS_MAX];
	int		 rc;

	if (callp != NULL)
		*callp = NULL;
	xerr_clear(err);
	if (x->x_ev == NULL) {
		xerr(err, NULL, "no event loop");
		return -1;
	}
	if (rest_prepare(x, q, url, sizeof(url), hbuf, hdrs, err) == -1)
		return -1;
	if ((call = calloc(1, sizeof(*call))) == NULL) {
		xerr(err, NULL, "out of memory");
		return -1;
	}
	call->xl_xrc = x;
	call->xl_rest_done = done;
	call->xl_arg = arg;
	TAILQ_INSERT_TAIL(&x->x_calls, call, xl_entry);
	rest_http_req(x, q, url, hdrs, &hr);
	if ((rc = httpc_ev_start(x->x_ev, &hr, rest_done, call,
	    &call->xl_http)) != 0) {
		(void)transport_status(rc, NULL, err);
		call_free(call);
		return -1;
	}
	if (callp != NULL)
		*callp = call;
	return 0;
}

int
xrc_rest_call_sync(struct xrc *x, const struct xrc_rest_req *q,
    struct httpc_resp **resp, struct xrc_error *err)
{
	struct httpc_req hr;
	char		 url[XRC_URL_MAX * 2], hbuf[3][512];
	const char	*hdrs[XRC_HEADERS_MAX];
	int		 rc, st;

	*resp = NULL;
	xerr_clear(err);
	if (rest_prepare(x, q, url, sizeof(url), hbuf, hdrs, err) == -1)
		return XRC_ERR_INVALID;
	rest_http_req(x, q, url, hdrs, &hr);
	if ((rc = httpc_request(x->x_http, &hr, resp)) != 0)
		return transport_status(rc, httpc_errmsg(x->x_http), err);
	if ((st = xrc_rest_check(*resp, err)) != XRC_OK &&
	    st != XRC_FAULT) {
		httpc_resp_free(*resp);
		*resp = NULL;
	}
	return st;
}

void
xrc_call_cancel(struct xrc_call *call)
{
	if (call == NULL)
		return;
	httpc_call_cancel(call->xl_http);
	call_free(call);
}
