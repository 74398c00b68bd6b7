/*
 * Unit tests for hukumati-services/common/xroad_client.c against a fake
 * security server (an in-process HTTP server in a thread): the SOAP
 * envelope it builds, answers with and without requestHash (via a
 * security server / direct), faults, mismatched answers, bad HTTP
 * statuses, no server at all, blocking and event-loop calls, and REST r1
 * with X-Road-Client, X-Road-UserId and X-Road-Error.
 */
#include "config.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <event2/event.h>
#include <event2/http.h>
#include <event2/keyvalq_struct.h>
#include <libxml/tree.h>

#include "buf.h"
#include "http.h"
#include "httpc.h"
#include "soap.h"
#include "xrid.h"
#include "xroad_client.h"
#include "hk_check.h"

#define NS	"http://moi.gov.ps/civil-register"
#define SVC	"PS/GOV/MOI/CIVIL-REGISTER/getPerson/v1"

enum mode {
	M_OK,		/* answer with requestHash, as a security server does */
	M_NOHASH,	/* answer without requestHash, as a provider IS does */
	M_FAULT,
	M_WRONG_ID,
	M_404,
	M_GARBAGE
};

static volatile int	 mode;
static struct event_base *sbase;
static struct http_server *srv;
static pthread_t	 thr;
static int		 stop_pipe[2];
static struct event	*stop_ev;
static char		 url[64];
/* What the fake server saw last (read after the call returned). */
static char		 seen_client[256], seen_user[256], seen_path[256];

static void
stop_cb(evutil_socket_t fd, short ev, void *arg)
{
	(void)fd;
	(void)ev;
	(void)arg;
	event_base_loopbreak(sbase);
}

static void *
srv_main(void *arg)
{
	(void)arg;
	(void)event_base_dispatch(sbase);
	return NULL;
}

static void
fake_soap(struct evhttp_request *req, void *arg)
{
	struct buf	*body = NULL, *out = NULL, *fin = NULL;
	struct soap_msg	*msg = NULL;
	struct xr_err	 xe;
	xmlDoc		*doc = NULL;
	xmlNode		*w;
	const char	*text;
	char		*s, *p;

	(void)arg;
	ck_assert_int_eq(http_req_body(req, 1 << 20, &body), 0);
	if (mode == M_404) {
		http_reply(req, 404, "text/plain", "no", 2);
		goto done;
	}
	if (mode == M_GARBAGE) {
		http_reply(req, 200, "text/xml", "<a>", 3);
		goto done;
	}
	if (mode == M_FAULT) {
		ck_assert_int_eq(soap_fault_build(
		    "Server.ServerProxy.AccessDenied", "Request is not allowed",
		    "f00-ba4", &out), 0);
		http_reply(req, 500, "text/xml; charset=UTF-8", buf_data(out),
		    buf_len(out));
		goto done;
	}
	ck_assert_int_eq(soap_parse(buf_data(body), buf_len(body),
	    http_req_header(req, "Content-Type"), 1 << 20, SOAP_REQUEST, &msg,
	    &xe), 0);
	(void)snprintf(seen_user, sizeof(seen_user), "%s",
	    soap_msg_user_id(msg) != NULL ? soap_msg_user_id(msg) : "");
	ck_assert_int_eq(soap_response_new(msg, &doc, &w), 0);
	ck_assert_ptr_nonnull(xmlNewChild(w, w->ns, BAD_CAST "found",
	    BAD_CAST "true"));
	ck_assert_int_eq(soap_doc_serialize(doc, 1 << 20, &out), 0);
	if (mode == M_OK) {
		ck_assert_int_eq(soap_response_finish(msg, buf_data(out),
		    buf_len(out), "text/xml", 1 << 20, &fin, NULL, &xe), 0);
		http_reply(req, 200, "text/xml; charset=UTF-8", buf_data(fin),
		    buf_len(fin));
	} else if (mode == M_WRONG_ID) {
		text = buf_str(out);
		ck_assert_ptr_nonnull(s = strdup(text));
		ck_assert_ptr_nonnull(p = strstr(s, soap_msg_id(msg)));
		p[0] = p[0] == 'f' ? 'e' : 'f';
		http_reply(req, 200, "text/xml", s, strlen(s));
		free(s);
	} else
		http_reply(req, 200, "text/xml; charset=UTF-8", buf_data(out),
		    buf_len(out));
 done:
	xmlFreeDoc(doc);
	soap_msg_free(msg);
	buf_free(body);
	buf_free(out);
	buf_free(fin);
}

static void
fake_rest(struct evhttp_request *req, void *arg)
{
	struct evkeyvalq	*h = evhttp_request_get_output_headers(req);
	const char		*v;
	static const char	 err[] = "{\"type\": "
	    "\"Server.ServerProxy.AccessDenied\", \"message\": "
	    "\"Request is not allowed\", \"detail\": \"x\"}";

	(void)arg;
	v = http_req_header(req, "X-Road-Client");
	(void)snprintf(seen_client, sizeof(seen_client), "%s", v ? v : "");
	v = http_req_header(req, "X-Road-UserId");
	(void)snprintf(seen_user, sizeof(seen_user), "%s", v ? v : "");
	(void)snprintf(seen_path, sizeof(seen_path), "%s",
	    evhttp_request_get_uri(req));
	if (mode == M_FAULT) {
		evhttp_add_header(h, "X-Road-Error",
		    "Server.ServerProxy.AccessDenied");
		http_reply(req, 403, "application/json", err, strlen(err));
		return;
	}
	if (mode == M_404) {
		http_reply(req, 404, "application/json", "{}", 2);
		return;
	}
	http_reply(req, 200, "application/json", "{\"ok\": true}", 12);
}

static void
setup(void)
{
	struct http_server_conf	 c;

	memset(&c, 0, sizeof(c));
	c.hs_max_header = 16384;
	c.hs_max_body = 1 << 20;
	c.hs_timeout_ms = 10000;
	ck_assert_ptr_nonnull(sbase = event_base_new());
	ck_assert_ptr_nonnull(srv = http_server_new(sbase, &c));
	ck_assert_int_eq(http_route(srv, EVHTTP_REQ_POST, "/",
	    HTTP_ROUTE_EXACT, fake_soap, NULL), 0);
	ck_assert_int_eq(http_route(srv, EVHTTP_REQ_GET | EVHTTP_REQ_POST,
	    "/r1/", HTTP_ROUTE_PREFIX, fake_rest, NULL), 0);
	(void)snprintf(url, sizeof(url), "http://127.0.0.1:%u",
	    (unsigned int)http_server_port(srv));
	ck_assert_int_eq(pipe(stop_pipe), 0);
	ck_assert_ptr_nonnull(stop_ev = event_new(sbase, stop_pipe[0],
	    EV_READ, stop_cb, NULL));
	ck_assert_int_eq(event_add(stop_ev, NULL), 0);
	ck_assert_int_eq(pthread_create(&thr, NULL, srv_main, NULL), 0);
}

static void
teardown(void)
{
	ck_assert_int_eq(write(stop_pipe[1], "x", 1), 1);
	ck_assert_int_eq(pthread_join(thr, NULL), 0);
	event_free(stop_ev);
	http_server_free(srv);
	event_base_free(sbase);
	(void)close(stop_pipe[0]);
	(void)close(stop_pipe[1]);
}

static struct xrc *
client(struct event_base *base, const char *u, int direct)
{
	struct xrc_conf	 c;
	struct xrc	*x;
	char		 err[256];

	memset(&c, 0, sizeof(c));
	c.xc_url = u;
	c.xc_client = "PS/GOV/MTIT/SSO";
	c.xc_direct = direct;
	c.xc_timeout_ms = 5000;
	x = xrc_new(base, &c, err, sizeof(err));
	ck_assert_msg(x != NULL, "%s", err);
	return x;
}

static xmlDoc *
request(struct xrc *x)
{
	struct xrc_error	 e;
	xmlDoc			*doc = NULL;
	xmlNode			*w = NULL;

	ck_assert_int_eq(xrc_soap_new(x, SVC, NS, "PS400000014", NULL, &doc,
	    &w, &e), 0);
	ck_assert_ptr_nonnull(xmlNewChild(w, w->ns, BAD_CAST "nationalId",
	    BAD_CAST "400000014"));
	return doc;
}

START_TEST(test_envelope)
{
	struct xrc		*x = client(NULL, url, 0);
	struct xrc_error	 e;
	struct buf		*b = NULL;
	struct soap_msg		*m = NULL;
	struct xr_err		 xe;
	xmlDoc			*doc = request(x), *d2 = NULL;
	xmlNode			*w = NULL;
	char			 s[XRID_STR_MAX];

	ck_assert_int_eq(soap_doc_serialize(doc, 1 << 20, &b), 0);
	ck_assert_int_eq(soap_parse(buf_data(b), buf_len(b), "text/xml",
	    1 << 20, SOAP_REQUEST, &m, &xe), 0);
	ck_assert_int_eq(xrid_format(soap_msg_client(m), 0, s, sizeof(s)),
	    0);
	ck_assert_str_eq(s, "PS/GOV/MTIT/SSO");
	ck_assert_int_eq(xrid_format(soap_msg_service(m), 0, s, sizeof(s)),
	    0);
	ck_assert_str_eq(s, SVC);
	ck_assert_str_eq(soap_msg_protocol_version(m), "4.0");
	ck_assert_str_eq(soap_msg_user_id(m), "PS400000014");
	ck_assert_uint_eq(strlen(soap_msg_id(m)), 36);
	ck_assert_str_eq(soap_msg_body_name(m), "getPerson");
	ck_assert_str_eq(soap_msg_body_ns(m), NS);
	soap_msg_free(m);
	buf_free(b);
	xmlFreeDoc(doc);
	/* Bad services are refused. */
	ck_assert_int_eq(xrc_soap_new(x, "PS/GOV/MOI", NS, NULL, NULL, &d2,
	    &w, &e), -1);
	ck_assert(strstr(e.xe_message, "service") != NULL);
	ck_assert_int_eq(xrc_soap_new(x, NULL, NS, NULL, NULL, &d2, &w, &e),
	    -1);
	xrc_free(x);
}
END_TEST

START_TEST(test_bad_conf)
{
	struct xrc_conf	 c;
	char		 err[256];

	memset(&c, 0, sizeof(c));
	c.xc_url = "ftp://127.0.0.1";
	c.xc_client = "PS/GOV/MTIT/SSO";
	ck_assert_ptr_null(xrc_new(NULL, &c, err, sizeof(err)));
	c.xc_url = "http://127.0.0.1:8100";
	c.xc_client = "PS/GOV";
	ck_assert_ptr_null(xrc_new(NULL, &c, err, sizeof(err)));
	ck_assert(strstr(err, "client") != NULL);
	c.xc_client = NULL;
	ck_assert_ptr_null(xrc_new(NULL, &c, err, sizeof(err)));
}
END_TEST

static int
sync_call(int m, int direct, struct xrc_error *e)
{
	struct xrc	*x = client(NULL, url, direct);
	struct soap_msg	*resp = NULL;
	xmlDoc		*doc = request(x);
	int		 st;

	mode = m;
	st = xrc_soap_call_sync(x, doc, &resp, e);
	if (st == XRC_OK) {
		ck_assert_ptr_nonnull(resp);
		ck_assert_str_eq(soap_msg_body_name(resp), "getPersonResponse");
	} else
		ck_assert_ptr_null(resp);
	soap_msg_free(resp);
	xmlFreeDoc(doc);
	xrc_free(x);
	return st;
}

START_TEST(test_soap_sync)
{
	struct xrc_error	 e;

	ck_assert_int_eq(sync_call(M_OK, 0, &e), XRC_OK);
	ck_assert_str_eq(seen_user, "PS400000014");
	/* Via a security server the requestHash must be there... */
	ck_assert_int_eq(sync_call(M_NOHASH, 0, &e), XRC_ERR_PROTOCOL);
	ck_assert(strstr(e.xe_message, "does not match") != NULL);
	/* ... talking to the provider directly it is not. */
	ck_assert_int_eq(sync_call(M_NOHASH, 1, &e), XRC_OK);
	ck_assert_int_eq(sync_call(M_OK, 1, &e), XRC_OK);
	ck_assert_int_eq(sync_call(M_FAULT, 0, &e), XRC_FAULT);
	ck_assert_str_eq(e.xe_code, "Server.ServerProxy.AccessDenied");
	ck_assert_str_eq(e.xe_message, "Request is not allowed");
	ck_assert_int_eq(sync_call(M_WRONG_ID, 1, &e), XRC_ERR_PROTOCOL);
	ck_assert_str_eq(e.xe_code, "InconsistentHeaders");
	ck_assert_int_eq(sync_call(M_404, 0, &e), XRC_ERR_PROTOCOL);
	ck_assert(strstr(e.xe_message, "404") != NULL);
	ck_assert_int_eq(sync_call(M_GARBAGE, 0, &e), XRC_ERR_PROTOCOL);
}
END_TEST

START_TEST(test_no_server)
{
	struct xrc		*x;
	struct soap_msg		*resp = NULL;
	struct xrc_error	 e;
	xmlDoc			*doc;
	char			 u[64];
	int			 fd;

	/* A port that nobody listens on: the server's, once closed. */
	(void)snprintf(u, sizeof(u), "%s", url);
	x = client(NULL, u, 0);
	doc = request(x);
	teardown();
	ck_assert_int_eq(xrc_soap_call_sync(x, doc, &resp, &e),
	    XRC_ERR_TRANSPORT);
	ck_assert(strstr(e.xe_message, "no answer") != NULL);
	xmlFreeDoc(doc);
	xrc_free(x);
	setup();
	(void)fd;
}
END_TEST

struct async_result {
	struct event_base	*base;
	int			 status;
	int			 http_status;
	int			 calls;
	char			 code[128];
	char			 body[256];
};

static void
soap_done(int status, const struct soap_msg *resp,
    const struct xrc_error *err, void *arg)
{
	struct async_result	*r = arg;

	r->status = status;
	r->calls++;
	(void)snprintf(r->code, sizeof(r->code), "%s", err->xe_code);
	if (status == XRC_OK)
		(void)snprintf(r->body, sizeof(r->body), "%s",
		    soap_msg_body_name(resp));
	event_base_loopbreak(r->base);
}

START_TEST(test_soap_async)
{
	struct event_base	*base = event_base_new();
	struct xrc		*x = client(base, url, 0);
	struct async_result	 r;
	struct xrc_error	 e;
	struct xrc_call		*call = NULL;
	xmlDoc			*doc = request(x);

	memset(&r, 0, sizeof(r));
	r.base = base;
	mode = M_OK;
	ck_assert_int_eq(xrc_soap_call(x, doc, soap_done, &r, &call, &e), 0);
	ck_assert_ptr_nonnull(call);
	ck_assert_int_eq(event_base_dispatch(base), 0);
	ck_assert_int_eq(r.calls, 1);
	ck_assert_int_eq(r.status, XRC_OK);
	ck_assert_str_eq(r.body, "getPersonResponse");

	memset(&r, 0, sizeof(r));
	r.base = base;
	mode = M_FAULT;
	ck_assert_int_eq(xrc_soap_call(x, doc, soap_done, &r, NULL, &e), 0);
	ck_assert_int_eq(event_base_dispatch(base), 0);
	ck_assert_int_eq(r.status, XRC_FAULT);
	ck_assert_str_eq(r.code, "Server.ServerProxy.AccessDenied");

	/* A cancelled call never calls back; freeing cancels the rest. */
	memset(&r, 0, sizeof(r));
	r.base = base;
	mode = M_OK;
	ck_assert_int_eq(xrc_soap_call(x, doc, soap_done, &r, &call, &e), 0);
	xrc_call_cancel(call);
	ck_assert_int_eq(xrc_soap_call(x, doc, soap_done, &r, NULL, &e), 0);
	xrc_free(x);
	(void)event_base_loop(base, EVLOOP_NONBLOCK);
	ck_assert_int_eq(r.calls, 0);
	xmlFreeDoc(doc);
	event_base_free(base);
}
END_TEST

static void
rest_done(int status, int http_status, const struct httpc_resp *resp,
    const struct xrc_error *err, void *arg)
{
	struct async_result	*r = arg;
	const struct buf	*b;

	r->status = status;
	r->http_status = http_status;
	r->calls++;
	(void)snprintf(r->code, sizeof(r->code), "%s", err->xe_code);
	if (resp != NULL && (b = httpc_resp_body(resp)) != NULL)
		(void)snprintf(r->body, sizeof(r->body), "%s", buf_str(b));
	event_base_loopbreak(r->base);
}

START_TEST(test_rest)
{
	struct event_base	*base = event_base_new();
	struct xrc		*x = client(base, url, 0), *xd;
	struct xrc_rest_req	 q;
	struct xrc_error	 e;
	struct httpc_resp	*resp = NULL;
	struct async_result	 r;

	memset(&q, 0, sizeof(q));
	q.xq_method = "GET";
	q.xq_service = "PS/GOV/MOI/CIVIL-REGISTER/persons";
	q.xq_path = "/400000014";
	q.xq_query = "fields=name";
	q.xq_user_id = "PS400000014";
	mode = M_OK;
	ck_assert_int_eq(xrc_rest_call_sync(x, &q, &resp, &e), XRC_OK);
	ck_assert_int_eq(httpc_resp_status(resp), 200);
	ck_assert_str_eq(seen_client, "PS/GOV/MTIT/SSO");
	ck_assert_str_eq(seen_user, "PS400000014");
	ck_assert_str_eq(seen_path,
	    "/r1/PS/GOV/MOI/CIVIL-REGISTER/persons/400000014?fields=name");
	httpc_resp_free(resp);
	resp = NULL;

	mode = M_FAULT;
	ck_assert_int_eq(xrc_rest_call_sync(x, &q, &resp, &e), XRC_FAULT);
	ck_assert_str_eq(e.xe_code, "Server.ServerProxy.AccessDenied");
	ck_assert_str_eq(e.xe_message, "Request is not allowed");
	ck_assert_int_eq(httpc_resp_status(resp), 403);
	httpc_resp_free(resp);
	resp = NULL;

	/* A provider's own 404 is an answer, not an X-Road error. */
	memset(&r, 0, sizeof(r));
	r.base = base;
	mode = M_404;
	ck_assert_int_eq(xrc_rest_call(x, &q, rest_done, &r, NULL, &e), 0);
	ck_assert_int_eq(event_base_dispatch(base), 0);
	ck_assert_int_eq(r.status, XRC_OK);
	ck_assert_int_eq(r.http_status, 404);

	/* Request-line injection and bad services are refused. */
	q.xq_path = "/4 HTTP/1.1\r\nX: y";
	ck_assert_int_eq(xrc_rest_call_sync(x, &q, &resp, &e),
	    XRC_ERR_INVALID);
	q.xq_path = "noslash";
	ck_assert_int_eq(xrc_rest_call_sync(x, &q, &resp, &e),
	    XRC_ERR_INVALID);
	q.xq_path = NULL;
	q.xq_user_id = "a\nb";
	ck_assert_int_eq(xrc_rest_call_sync(x, &q, &resp, &e),
	    XRC_ERR_INVALID);
	q.xq_user_id = NULL;
	q.xq_service = "PS/GOV/MOI";
	ck_assert_int_eq(xrc_rest_call_sync(x, &q, &resp, &e),
	    XRC_ERR_INVALID);
	/* Direct mode is SOAP only. */
	q.xq_service = "PS/GOV/MOI/CIVIL-REGISTER/persons";
	xd = client(NULL, url, 1);
	ck_assert_int_eq(xrc_rest_call_sync(xd, &q, &resp, &e),
	    XRC_ERR_INVALID);
	xrc_free(xd);
	xrc_free(x);
	event_base_free(base);
}
END_TEST

static Suite *
xroad_client_suite(void)
{
	Suite	*s = suite_create("xroad_client");
	TCase	*tc = tcase_create("xroad_client");

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, test_envelope);
	tcase_add_test(tc, test_bad_conf);
	tcase_add_test(tc, test_soap_sync);
	tcase_add_test(tc, test_no_server);
	tcase_add_test(tc, test_soap_async);
	tcase_add_test(tc, test_rest);
	suite_add_tcase(s, tc);
	return s;
}

HK_CHECK_MAIN(xroad_client_suite)
