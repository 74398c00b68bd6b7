/*
 * Unit tests for http.c (server helper) and httpc.c (client): an in-process
 * evhttp server on 127.0.0.1 port 0 runs its event loop in a thread while
 * the blocking client talks to it; the event-driven client shares one loop
 * with the server. TLS material is made here with the OpenSSL API.
 */
#include "config.h"

#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/time.h>

#include <netinet/in.h>
#include <arpa/inet.h>

#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include <unistd.h>

#include <event2/buffer.h>
#include <event2/event.h>
#include <event2/http.h>
#include <jansson.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include "buf.h"
#include "compat.h"
#include "http.h"
#include "httpc.h"
#include "hk_check.h"

#define MAX_HEADER	4096
#define MAX_BODY	1024
#define SRV_TIMEOUT_MS	2000
#define BIG_BODY	(2 * 1024 * 1024)
#define T_OK		30000	/* ms, for calls that should succeed */

/*
 * The test server: an event_base with an http_server, run in a thread
 * until a byte arrives on its stop pipe (or a handler breaks the loop).
 */
struct tsrv {
	struct event_base	*ts_base;
	struct http_server	*ts_srv;
	struct event		*ts_stop;
	pthread_t		 ts_thr;
	int			 ts_pipe[2];
	int			 ts_threaded;
	int			 ts_done_called;
	unsigned int		 ts_inflight_at_done;
};

/* Handler runs, read by the test thread (atomic). */
static int	peer_calls;	/* /peer */
static int	late_started;	/* /late dispatched */
static int	late_replied;	/* /late answered */

static long
now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000L + ts.tv_nsec / 1000000L;
}

/* Wait (at most 30 s) until a handler counter reaches want. */
static void
wait_count(int *counter, int want)
{
	long t0 = now_ms();

	while (__atomic_load_n(counter, __ATOMIC_SEQ_CST) < want &&
	    now_ms() - t0 < 30000)
		usleep(10000);
	ck_assert_int_ge(__atomic_load_n(counter, __ATOMIC_SEQ_CST), want);
}

/*
 * Handlers.
 */

static void
h_echo(struct evhttp_request *req, void *arg)
{
	struct tsrv	*ts = arg;
	struct buf	*body = NULL;
	json_t		*j;
	const char	*xt;
	char		 host[64];
	uint16_t	 port = 0;

	if (http_req_body(req, http_server_max_body(ts->ts_srv), &body) != 0) {
		http_reply_error_json(req, 500, "internal", "body");
		return;
	}
	if (http_req_client_addr(req, host, sizeof(host), &port) == -1)
		(void)strlcpy(host, "?", sizeof(host));
	xt = http_req_header(req, "x-test");
	j = json_pack("{s:s, s:s#, s:s?, s:s, s:i, s:s}",
	    "method", evhttp_request_get_command(req) == EVHTTP_REQ_GET ?
	    "GET" : "other",
	    "body", buf_str(body), (int)buf_len(body),
	    "x_test", xt,
	    "client", host,
	    "port", (int)port,
	    "path", http_req_path(req));
	if (xt != NULL)
		evhttp_add_header(evhttp_request_get_output_headers(req),
		    "X-Echo", xt);
	http_reply_json(req, 200, j);
	json_decref(j);
	buf_free(body);
}

static void
h_text(struct evhttp_request *req, void *arg)
{
	const char *s = arg;

	http_reply(req, 200, "text/plain", s, strlen(s));
}

static void
h_path(struct evhttp_request *req, void *arg)
{
	const char *p = http_req_path(req);

	http_reply(req, 200, "text/plain", p, strlen(p));
}

static long
query_num(struct evhttp_request *req)
{
	struct http_query	*q;
	const char		*errstr;
	long			 n = -1;

	if (http_req_query(req, &q) == 0) {
		if (http_query_get(q, "n") != NULL)
			n = strtonum(http_query_get(q, "n"), 0, 1000000,
			    &errstr);
		http_query_free(q);
	}
	return n;
}

static void
h_big(struct evhttp_request *req, void *arg)
{
	long	 n = query_num(req);
	char	*p;

	if (n < 0 || (p = malloc(n + 1)) == NULL) {
		http_reply_error_json(req, 400, "bad", "n");
		return;
	}
	memset(p, 'x', n);
	http_reply(req, 200, "application/octet-stream", p, n);
	free(p);
}

static void
h_chunked(struct evhttp_request *req, void *arg)
{
	struct evbuffer	*evb;
	long		 n = query_num(req), i;

	evb = evbuffer_new();
	evhttp_send_reply_start(req, 200, NULL);
	for (i = 0; i < n; i += 100) {
		evbuffer_add_printf(evb, "%.*s", (int)(n - i < 100 ? n - i :
		    100), "xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx"
		    "xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx");
		evhttp_send_reply_chunk(req, evb);
	}
	evhttp_send_reply_end(req);
	evbuffer_free(evb);
}

static void
h_hang(struct evhttp_request *req, void *arg)
{
	/* Never answers; evhttp frees it with the server. */
}

static void
late_reply(evutil_socket_t fd, short what, void *arg)
{
	struct evhttp_request *req = arg;

	http_reply(req, 200, "text/plain", "late", 4);
	__atomic_add_fetch(&late_replied, 1, __ATOMIC_SEQ_CST);
}

static void
h_late(struct evhttp_request *req, void *arg)
{
	struct tsrv	*ts = arg;
	struct timeval	 tv = { 0, 500000 };
	long		 n = query_num(req);

	if (n > 0) {
		tv.tv_sec = n / 1000;
		tv.tv_usec = (n % 1000) * 1000;
	}
	__atomic_add_fetch(&late_started, 1, __ATOMIC_SEQ_CST);
	event_base_once(ts->ts_base, -1, EV_TIMEOUT, late_reply, req, &tv);
}

static void
h_query(struct evhttp_request *req, void *arg)
{
	struct http_query	*q;
	json_t			*j;

	if (http_req_query(req, &q) == -1) {
		http_reply_error_json(req, 400, "bad_query", "malformed query");
		return;
	}
	j = json_pack("{s:s?, s:i, s:s?, s:s?}",
	    "a", http_query_get(q, "a"),
	    "count_a", (int)http_query_count(q, "a"),
	    "b", http_query_get(q, "b"),
	    "c", http_query_get(q, "c"));
	http_reply_json(req, 200, j);
	json_decref(j);
	http_query_free(q);
}

static void
h_error(struct evhttp_request *req, void *arg)
{
	http_reply_error_json(req, 418, "teapot", "short and stout");
}

static void
h_peer(struct evhttp_request *req, void *arg)
{
	X509	*x = http_req_peer_cert(req);
	char	 cn[128] = "";

	__atomic_add_fetch(&peer_calls, 1, __ATOMIC_SEQ_CST);
	if (x == NULL) {
		http_reply(req, 200, "text/plain", "none", 4);
		return;
	}
	X509_NAME_get_text_by_NID(X509_get_subject_name(x), NID_commonName,
	    cn, sizeof(cn));
	http_reply(req, 200, "text/plain", cn, strlen(cn));
}

static void
h_tlsver(struct evhttp_request *req, void *arg)
{
	SSL		*ssl = http_req_ssl(req);
	const char	*v = ssl != NULL ? SSL_get_version(ssl) : "plain";

	http_reply(req, 200, "text/plain", v, strlen(v));
}

static void
h_limited(struct evhttp_request *req, void *arg)
{
	struct buf	*b;
	int		 rc;

	if ((rc = http_req_body(req, 10, &b)) == -2) {
		http_reply_error_json(req, 413, "too_big", "over 10 bytes");
		return;
	}
	http_reply(req, 200, "text/plain", buf_data(b), buf_len(b));
	buf_free(b);
}

static void
shutdown_done(void *arg)
{
	struct tsrv *ts = arg;

	ts->ts_done_called = 1;
	ts->ts_inflight_at_done = http_server_inflight(ts->ts_srv);
	event_base_loopbreak(ts->ts_base);
}

static void
h_shutdown(struct evhttp_request *req, void *arg)
{
	struct tsrv	*ts = arg;
	struct timeval	 grace = { 5, 0 };

	if (http_server_shutdown(ts->ts_srv, &grace, shutdown_done, ts) != 0 ||
	    http_server_shutdown(ts->ts_srv, &grace, shutdown_done, ts) != -1)
		http_reply(req, 500, "text/plain", "bad", 3);
	else
		http_reply(req, 200, "text/plain", "bye", 3);
}

/*
 * Fixture.
 */

static void
stop_cb(evutil_socket_t fd, short what, void *arg)
{
	struct tsrv	*ts = arg;
	char		 c;

	if (read(fd, &c, 1) == -1)
		return;
	event_base_loopbreak(ts->ts_base);
}

static void *
tsrv_main(void *arg)
{
	struct tsrv *ts = arg;

	event_base_dispatch(ts->ts_base);
	return NULL;
}

static void
tsrv_routes(struct tsrv *ts)
{
	struct http_server *s = ts->ts_srv;

	ck_assert_int_eq(http_route(s, EVHTTP_REQ_GET | EVHTTP_REQ_POST |
	    EVHTTP_REQ_PUT, "/echo", HTTP_ROUTE_EXACT, h_echo, ts), 0);
	ck_assert_int_eq(http_route(s, EVHTTP_REQ_GET, "/only-get",
	    HTTP_ROUTE_EXACT, h_text, "get"), 0);
	ck_assert_int_eq(http_route(s, EVHTTP_REQ_DELETE, "/only-get",
	    HTTP_ROUTE_EXACT, h_text, "delete"), 0);
	ck_assert_int_eq(http_route(s, EVHTTP_REQ_GET, "/files/",
	    HTTP_ROUTE_PREFIX, h_path, NULL), 0);
	ck_assert_int_eq(http_route(s, EVHTTP_REQ_GET, "/files/deep/",
	    HTTP_ROUTE_PREFIX, h_text, "deep"), 0);
	ck_assert_int_eq(http_route(s, EVHTTP_REQ_GET, "/files/special",
	    HTTP_ROUTE_EXACT, h_text, "special"), 0);
	ck_assert_int_eq(http_route(s, EVHTTP_REQ_GET, "/big",
	    HTTP_ROUTE_EXACT, h_big, ts), 0);
	ck_assert_int_eq(http_route(s, EVHTTP_REQ_GET, "/chunked",
	    HTTP_ROUTE_EXACT, h_chunked, ts), 0);
	ck_assert_int_eq(http_route(s, EVHTTP_REQ_GET, "/hang",
	    HTTP_ROUTE_EXACT, h_hang, ts), 0);
	ck_assert_int_eq(http_route(s, EVHTTP_REQ_GET, "/late",
	    HTTP_ROUTE_EXACT, h_late, ts), 0);
	ck_assert_int_eq(http_route(s, EVHTTP_REQ_GET, "/query",
	    HTTP_ROUTE_EXACT, h_query, ts), 0);
	ck_assert_int_eq(http_route(s, EVHTTP_REQ_GET, "/error",
	    HTTP_ROUTE_EXACT, h_error, ts), 0);
	ck_assert_int_eq(http_route(s, EVHTTP_REQ_GET, "/peer",
	    HTTP_ROUTE_EXACT, h_peer, ts), 0);
	ck_assert_int_eq(http_route(s, EVHTTP_REQ_GET, "/tlsver",
	    HTTP_ROUTE_EXACT, h_tlsver, ts), 0);
	ck_assert_int_eq(http_route(s, EVHTTP_REQ_POST, "/limited",
	    HTTP_ROUTE_EXACT, h_limited, ts), 0);
	ck_assert_int_eq(http_route(s, EVHTTP_REQ_POST, "/shutdown",
	    HTTP_ROUTE_EXACT, h_shutdown, ts), 0);
}

/*
 * threaded: run the loop in a thread (for the blocking client). errfn:
 * the router's error replies (NULL: default).
 */
static void
tsrv_start_err(struct tsrv *ts, SSL_CTX *ctx, int threaded,
    http_error_fn errfn)
{
	struct http_server_conf conf;

	memset(ts, 0, sizeof(*ts));
	memset(&conf, 0, sizeof(conf));
	conf.hs_max_header = MAX_HEADER;
	conf.hs_max_body = MAX_BODY;
	conf.hs_timeout_ms = SRV_TIMEOUT_MS;
	conf.hs_ssl_ctx = ctx;
	conf.hs_error = errfn;
	conf.hs_error_arg = "custom";
	ck_assert_ptr_nonnull(ts->ts_base = event_base_new());
	ck_assert_ptr_nonnull(ts->ts_srv = http_server_new(ts->ts_base,
	    &conf));
	ck_assert_uint_ne(http_server_port(ts->ts_srv), 0);
	tsrv_routes(ts);
	ck_assert_int_eq(pipe(ts->ts_pipe), 0);
	ts->ts_stop = event_new(ts->ts_base, ts->ts_pipe[0],
	    EV_READ | EV_PERSIST, stop_cb, ts);
	ck_assert_int_eq(event_add(ts->ts_stop, NULL), 0);
	ts->ts_threaded = threaded;
	if (threaded)
		ck_assert_int_eq(pthread_create(&ts->ts_thr, NULL, tsrv_main,
		    ts), 0);
}

static void
tsrv_start(struct tsrv *ts, SSL_CTX *ctx, int threaded)
{
	tsrv_start_err(ts, ctx, threaded, NULL);
}

static void
tsrv_stop(struct tsrv *ts)
{
	if (ts->ts_threaded) {
		ck_assert_int_eq(write(ts->ts_pipe[1], "x", 1), 1);
		ck_assert_int_eq(pthread_join(ts->ts_thr, NULL), 0);
	}
	http_server_free(ts->ts_srv);
	event_free(ts->ts_stop);
	event_base_free(ts->ts_base);
	close(ts->ts_pipe[0]);
	close(ts->ts_pipe[1]);
}

static void
url_for(char *url, size_t len, const char *scheme, struct tsrv *ts,
    const char *path)
{
	int n;

	n = snprintf(url, len, "%s://127.0.0.1:%u%s", scheme,
	    http_server_port(ts->ts_srv), path);
	ck_assert(n > 0 && (size_t)n < len);
}

static int
call(struct httpc *c, const char *method, const char *url,
    const char *const *hdrs, const char *body, size_t bodylen,
    size_t max_body, long timeout_ms, struct httpc_resp **r)
{
	struct httpc_req req;

	memset(&req, 0, sizeof(req));
	req.hr_method = method;
	req.hr_url = url;
	req.hr_headers = hdrs;
	req.hr_body = body;
	req.hr_body_len = bodylen;
	req.hr_max_body = max_body;
	req.hr_timeout_ms = timeout_ms;
	return httpc_request(c, &req, r);
}

static json_t *
resp_json(const struct httpc_resp *r)
{
	const struct buf	*b = httpc_resp_body(r);
	json_t			*j;

	j = json_loadb((const char *)buf_data(b), buf_len(b), JSON_ALLOW_NUL,
	    NULL);
	ck_assert_ptr_nonnull(j);
	return j;
}

static const char *
jstr(json_t *j, const char *key)
{
	return json_string_value(json_object_get(j, key));
}

/* Send raw bytes, read the answer until the server closes (or 30 s). */
static ssize_t
raw_exchange(uint16_t port, const char *req, char *out, size_t outlen)
{
	struct sockaddr_in	sin;
	struct timeval		tv = { 30, 0 };
	size_t			got = 0;
	ssize_t			n = 0;
	int			s;

	memset(&sin, 0, sizeof(sin));
	sin.sin_family = AF_INET;
	sin.sin_port = htons(port);
	sin.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	ck_assert_int_ge(s = socket(AF_INET, SOCK_STREAM, 0), 0);
	ck_assert_int_eq(setsockopt(s, SOL_SOCKET, SO_RCVTIMEO, &tv,
	    sizeof(tv)), 0);
	ck_assert_int_eq(connect(s, (struct sockaddr *)&sin, sizeof(sin)), 0);
	if (req[0] != '\0')
		ck_assert_int_eq(write(s, req, strlen(req)),
		    (ssize_t)strlen(req));
	while (got < outlen - 1 &&
	    (n = read(s, out + got, outlen - 1 - got)) > 0)
		got += n;
	out[got] = '\0';
	close(s);
	return n == -1 ? -1 : (ssize_t)got;	/* -1: no close in 30 s */
}

static int
raw_status(uint16_t port, const char *req)
{
	char	out[4096];
	int	status = -1;

	if (raw_exchange(port, req, out, sizeof(out)) > 0)
		(void)sscanf(out, "HTTP/1.%*d %d", &status);
	return status;
}

/*
 * PKI made in memory: a CA, a server certificate for 127.0.0.1/localhost,
 * a client certificate, and an unrelated CA.
 */
struct tpki {
	EVP_PKEY	*ca_key, *srv_key, *cli_key, *other_key;
	X509		*ca, *srv, *cli, *other;
	X509_STORE	*store, *other_store;
	char		 dir[64];
	char		 ca_file[128], cert_file[128], key_file[128];
};

static void
add_ext(X509 *x, X509 *issuer, int nid, const char *value)
{
	X509V3_CTX	 v3;
	X509_EXTENSION	*ext;

	X509V3_set_ctx(&v3, issuer, x, NULL, NULL, 0);
	ck_assert_ptr_nonnull(ext = X509V3_EXT_conf_nid(NULL, &v3, nid,
	    value));
	ck_assert_int_eq(X509_add_ext(x, ext, -1), 1);
	X509_EXTENSION_free(ext);
}

static X509 *
make_cert(const char *cn, EVP_PKEY *key, X509 *issuer, EVP_PKEY *ikey,
    int kind)
{
	static long	 serial = 1;
	X509		*x;
	X509_NAME	*name;

	ck_assert_ptr_nonnull(x = X509_new());
	ck_assert_int_eq(X509_set_version(x, 2), 1);
	ASN1_INTEGER_set(X509_get_serialNumber(x), serial++);
	X509_gmtime_adj(X509_getm_notBefore(x), -3600);
	X509_gmtime_adj(X509_getm_notAfter(x), 86400);
	name = X509_get_subject_name(x);
	X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_ASC,
	    (const unsigned char *)cn, -1, -1, 0);
	if (issuer == NULL)
		issuer = x;
	X509_set_issuer_name(x, X509_get_subject_name(issuer));
	X509_set_pubkey(x, key);
	switch (kind) {
	case 0:		/* CA */
		add_ext(x, issuer, NID_basic_constraints, "critical,CA:TRUE");
		add_ext(x, issuer, NID_key_usage,
		    "critical,keyCertSign,cRLSign");
		add_ext(x, issuer, NID_subject_key_identifier, "hash");
		break;
	case 1:		/* server */
		add_ext(x, issuer, NID_basic_constraints, "critical,CA:FALSE");
		add_ext(x, issuer, NID_ext_key_usage, "serverAuth");
		add_ext(x, issuer, NID_subject_alt_name,
		    "IP:127.0.0.1,DNS:localhost");
		break;
	default:	/* client */
		add_ext(x, issuer, NID_basic_constraints, "critical,CA:FALSE");
		add_ext(x, issuer, NID_ext_key_usage, "clientAuth");
		break;
	}
	ck_assert_int_gt(X509_sign(x, ikey, EVP_sha256()), 0);
	return x;
}

static void
write_pem(const char *path, X509 *x, EVP_PKEY *k)
{
	FILE *f;

	ck_assert_ptr_nonnull(f = fopen(path, "w"));
	if (x != NULL)
		ck_assert_int_eq(PEM_write_X509(f, x), 1);
	if (k != NULL)
		ck_assert_int_eq(PEM_write_PrivateKey(f, k, NULL, NULL, 0,
		    NULL, NULL), 1);
	ck_assert_int_eq(fclose(f), 0);
}

static void
tpki_init(struct tpki *p)
{
	memset(p, 0, sizeof(*p));
	ck_assert_ptr_nonnull(p->ca_key = EVP_EC_gen("P-256"));
	ck_assert_ptr_nonnull(p->srv_key = EVP_EC_gen("P-256"));
	ck_assert_ptr_nonnull(p->cli_key = EVP_EC_gen("P-256"));
	ck_assert_ptr_nonnull(p->other_key = EVP_EC_gen("P-256"));
	p->ca = make_cert("Test CA", p->ca_key, NULL, p->ca_key, 0);
	p->srv = make_cert("server", p->srv_key, p->ca, p->ca_key, 1);
	p->cli = make_cert("client-1", p->cli_key, p->ca, p->ca_key, 2);
	p->other = make_cert("Other CA", p->other_key, NULL, p->other_key, 0);
	ck_assert_ptr_nonnull(p->store = X509_STORE_new());
	ck_assert_int_eq(X509_STORE_add_cert(p->store, p->ca), 1);
	ck_assert_ptr_nonnull(p->other_store = X509_STORE_new());
	ck_assert_int_eq(X509_STORE_add_cert(p->other_store, p->other), 1);

	(void)strlcpy(p->dir, "/tmp/test_http.XXXXXX", sizeof(p->dir));
	ck_assert_ptr_nonnull(mkdtemp(p->dir));
	snprintf(p->ca_file, sizeof(p->ca_file), "%s/ca.pem", p->dir);
	snprintf(p->cert_file, sizeof(p->cert_file), "%s/cli.pem", p->dir);
	snprintf(p->key_file, sizeof(p->key_file), "%s/cli.key", p->dir);
	write_pem(p->ca_file, p->ca, NULL);
	write_pem(p->cert_file, p->cli, NULL);
	write_pem(p->key_file, NULL, p->cli_key);
}

static void
tpki_free(struct tpki *p)
{
	(void)unlink(p->ca_file);
	(void)unlink(p->cert_file);
	(void)unlink(p->key_file);
	(void)rmdir(p->dir);
	X509_STORE_free(p->store);
	X509_STORE_free(p->other_store);
	X509_free(p->ca);
	X509_free(p->srv);
	X509_free(p->cli);
	X509_free(p->other);
	EVP_PKEY_free(p->ca_key);
	EVP_PKEY_free(p->srv_key);
	EVP_PKEY_free(p->cli_key);
	EVP_PKEY_free(p->other_key);
}

static SSL_CTX *
server_ctx(struct tpki *p, int verify_mode)
{
	SSL_CTX *ctx;

	ck_assert_ptr_nonnull(ctx = SSL_CTX_new(TLS_server_method()));
	ck_assert_int_eq(SSL_CTX_set_min_proto_version(ctx, TLS1_2_VERSION),
	    1);
	ck_assert_int_eq(SSL_CTX_use_certificate(ctx, p->srv), 1);
	ck_assert_int_eq(SSL_CTX_use_PrivateKey(ctx, p->srv_key), 1);
	ck_assert_int_eq(X509_STORE_add_cert(SSL_CTX_get_cert_store(ctx),
	    p->ca), 1);
	SSL_CTX_set_verify(ctx, verify_mode, NULL);
	return ctx;
}

/*
 * Tests: blocking client against the threaded server.
 */

START_TEST(test_get_post_roundtrip)
{
	struct tsrv		 ts;
	struct httpc		*c;
	struct httpc_resp	*r;
	const char		*hdrs[] = { "X-Test: abc", NULL };
	char			 url[128];
	json_t			*j;
	int			 port1;

	tsrv_start(&ts, NULL, 1);
	ck_assert_ptr_nonnull(c = httpc_new(NULL));
	url_for(url, sizeof(url), "http", &ts, "/echo");

	ck_assert_int_eq(call(c, "GET", url, hdrs, NULL, 0, 4096, T_OK, &r),
	    0);
	ck_assert_int_eq(httpc_resp_status(r), 200);
	ck_assert_str_eq(httpc_resp_header(r, "content-type"),
	    "application/json; charset=utf-8");
	ck_assert_str_eq(httpc_resp_header(r, "x-ECHO"), "abc");
	ck_assert_ptr_null(httpc_resp_header(r, "X-Missing"));
	{
		/* Every header, in order, names as sent. */
		const char	*hn, *hv;
		size_t		 hi, seen = 0;

		for (hi = 0; hi < httpc_resp_nheaders(r); hi++) {
			ck_assert_int_eq(httpc_resp_header_at(r, hi, &hn, &hv),
			    0);
			if (strcasecmp(hn, "x-echo") == 0) {
				ck_assert_str_eq(hv, "abc");
				seen++;
			}
		}
		ck_assert_uint_eq(seen, 1);
		ck_assert_int_eq(httpc_resp_header_at(r, hi, &hn, &hv), -1);
	}
	j = resp_json(r);
	ck_assert_str_eq(jstr(j, "method"), "GET");
	ck_assert_str_eq(jstr(j, "x_test"), "abc");
	ck_assert_str_eq(jstr(j, "client"), "127.0.0.1");
	ck_assert_str_eq(jstr(j, "body"), "");
	port1 = (int)json_integer_value(json_object_get(j, "port"));
	ck_assert_int_ne(port1, 0);
	json_decref(j);
	httpc_resp_free(r);

	/* POST with a body (NUL bytes included), same connection. */
	ck_assert_int_eq(call(c, NULL, url, NULL, "hel\0lo", 6, 4096, T_OK,
	    &r), 0);
	ck_assert_int_eq(httpc_resp_status(r), 200);
	j = resp_json(r);
	ck_assert_str_eq(jstr(j, "method"), "other");
	ck_assert_uint_eq(json_string_length(json_object_get(j, "body")), 6);
	ck_assert_mem_eq(jstr(j, "body"), "hel\0lo", 6);
	ck_assert(json_is_null(json_object_get(j, "x_test")));
	ck_assert_int_eq((int)json_integer_value(json_object_get(j, "port")),
	    port1);
	json_decref(j);
	httpc_resp_free(r);

	/* PUT, and taking the body over. */
	ck_assert_int_eq(call(c, "PUT", url, NULL, "x", 1, 4096, T_OK, &r), 0);
	ck_assert_int_eq(httpc_resp_status(r), 200);
	{
		struct buf *b = httpc_resp_take_body(r);

		ck_assert_ptr_nonnull(b);
		ck_assert_ptr_null(httpc_resp_body(r));
		ck_assert_ptr_nonnull(strstr(buf_str(b), "\"body\":\"x\""));
		buf_free(b);
	}
	httpc_resp_free(r);

	/* A one-off call without a context. */
	ck_assert_int_eq(call(NULL, "GET", url, NULL, NULL, 0, 4096, T_OK, &r),
	    0);
	ck_assert_int_eq(httpc_resp_status(r), 200);
	httpc_resp_free(r);

	httpc_free(c);
	tsrv_stop(&ts);
}
END_TEST

START_TEST(test_router)
{
	struct tsrv		 ts;
	struct httpc		*c;
	struct httpc_resp	*r;
	char			 url[128];
	json_t			*j;
	uint16_t		 port;

	tsrv_start(&ts, NULL, 1);
	port = http_server_port(ts.ts_srv);
	ck_assert_ptr_nonnull(c = httpc_new(NULL));

	url_for(url, sizeof(url), "http", &ts, "/nope");
	ck_assert_int_eq(call(c, "GET", url, NULL, NULL, 0, 4096, T_OK, &r),
	    0);
	ck_assert_int_eq(httpc_resp_status(r), 404);
	ck_assert_str_eq(httpc_resp_header(r, "Content-Type"),
	    "application/json; charset=utf-8");
	j = resp_json(r);
	ck_assert_str_eq(jstr(j, "type"), "not_found");
	ck_assert_ptr_nonnull(jstr(j, "message"));
	json_decref(j);
	httpc_resp_free(r);

	/* 405 lists the methods of every route on that path. */
	url_for(url, sizeof(url), "http", &ts, "/only-get");
	ck_assert_int_eq(call(c, "POST", url, NULL, "x", 1, 4096, T_OK, &r),
	    0);
	ck_assert_int_eq(httpc_resp_status(r), 405);
	ck_assert_str_eq(httpc_resp_header(r, "Allow"), "GET, HEAD, DELETE");
	j = resp_json(r);
	ck_assert_str_eq(jstr(j, "type"), "method_not_allowed");
	json_decref(j);
	httpc_resp_free(r);
	ck_assert_int_eq(call(c, "DELETE", url, NULL, NULL, 0, 4096, T_OK, &r),
	    0);
	ck_assert_int_eq(httpc_resp_status(r), 200);
	ck_assert_str_eq(buf_str(httpc_resp_body(r)), "delete");
	httpc_resp_free(r);

	/* HEAD goes to the GET handler, without a body. */
	ck_assert_int_eq(call(c, "HEAD", url, NULL, NULL, 0, 4096, T_OK, &r),
	    0);
	ck_assert_int_eq(httpc_resp_status(r), 200);
	ck_assert_uint_eq(buf_len(httpc_resp_body(r)), 0);
	httpc_resp_free(r);
	url_for(url, sizeof(url), "http", &ts, "/limited");
	ck_assert_int_eq(call(c, "HEAD", url, NULL, NULL, 0, 4096, T_OK, &r),
	    0);
	ck_assert_int_eq(httpc_resp_status(r), 405);
	ck_assert_str_eq(httpc_resp_header(r, "Allow"), "POST");
	httpc_resp_free(r);

	/* Exact beats prefix, longest prefix wins, prefix needs its '/'. */
	url_for(url, sizeof(url), "http", &ts, "/files/special");
	ck_assert_int_eq(call(c, "GET", url, NULL, NULL, 0, 4096, T_OK, &r),
	    0);
	ck_assert_str_eq(buf_str(httpc_resp_body(r)), "special");
	httpc_resp_free(r);
	url_for(url, sizeof(url), "http", &ts, "/files/a/b%20c?x=1");
	ck_assert_int_eq(call(c, "GET", url, NULL, NULL, 0, 4096, T_OK, &r),
	    0);
	ck_assert_int_eq(httpc_resp_status(r), 200);
	ck_assert_str_eq(buf_str(httpc_resp_body(r)), "/files/a/b%20c");
	httpc_resp_free(r);
	url_for(url, sizeof(url), "http", &ts, "/files/deep/x");
	ck_assert_int_eq(call(c, "GET", url, NULL, NULL, 0, 4096, T_OK, &r),
	    0);
	ck_assert_str_eq(buf_str(httpc_resp_body(r)), "deep");
	httpc_resp_free(r);
	url_for(url, sizeof(url), "http", &ts, "/files");
	ck_assert_int_eq(call(c, "GET", url, NULL, NULL, 0, 4096, T_OK, &r),
	    0);
	ck_assert_int_eq(httpc_resp_status(r), 404);
	httpc_resp_free(r);

	/* Dot segments, NULs never reach a handler (curl would fold them). */
	ck_assert_int_eq(raw_status(port,
	    "GET /files/../echo HTTP/1.0\r\n\r\n"), 400);
	ck_assert_int_eq(raw_status(port,
	    "GET /files/%2e%2E/echo HTTP/1.0\r\n\r\n"), 400);
	ck_assert_int_eq(raw_status(port,
	    "GET /files/a%2F..%2Fb HTTP/1.0\r\n\r\n"), 400);
	ck_assert_int_eq(raw_status(port,
	    "GET /files/./x HTTP/1.0\r\n\r\n"), 400);
	ck_assert_int_eq(raw_status(port,
	    "GET /files/a%00b HTTP/1.0\r\n\r\n"), 400);
	ck_assert_int_eq(raw_status(port,
	    "GET /files/..a HTTP/1.0\r\n\r\n"), 200);
	/* A method the listener does not allow. */
	ck_assert_int_eq(raw_status(port, "TRACE /echo HTTP/1.0\r\n\r\n"),
	    501);

	/* Registration errors. */
	ck_assert_int_eq(http_route(ts.ts_srv, EVHTTP_REQ_GET, "/echo",
	    HTTP_ROUTE_EXACT, h_echo, NULL), -1);
	ck_assert_int_eq(http_route(ts.ts_srv, EVHTTP_REQ_GET, "relative",
	    HTTP_ROUTE_EXACT, h_echo, NULL), -1);
	ck_assert_int_eq(http_route(ts.ts_srv, 0, "/x", HTTP_ROUTE_EXACT,
	    h_echo, NULL), -1);
	ck_assert_int_eq(http_route(ts.ts_srv, EVHTTP_REQ_TRACE, "/x",
	    HTTP_ROUTE_EXACT, h_echo, NULL), -1);
	ck_assert_int_eq(http_route(ts.ts_srv, EVHTTP_REQ_GET, "/x", 7,
	    h_echo, NULL), -1);
	ck_assert_int_eq(http_route(ts.ts_srv, EVHTTP_REQ_GET, "/x",
	    HTTP_ROUTE_EXACT, NULL, NULL), -1);

	httpc_free(c);
	tsrv_stop(&ts);
}
END_TEST

static void
text_error(struct evhttp_request *req, int status, const char *type,
    const char *message, void *arg)
{
	char	s[128];
	int	n;

	n = snprintf(s, sizeof(s), "%s %d %s", (const char *)arg, status,
	    type);
	http_reply(req, status, "text/plain", s, n);
}

START_TEST(test_custom_errors)
{
	struct tsrv		 ts;
	struct httpc_resp	*r;
	char			 url[128];

	tsrv_start_err(&ts, NULL, 1, text_error);
	url_for(url, sizeof(url), "http", &ts, "/nope");
	ck_assert_int_eq(call(NULL, "GET", url, NULL, NULL, 0, 4096, T_OK, &r),
	    0);
	ck_assert_int_eq(httpc_resp_status(r), 404);
	ck_assert_str_eq(httpc_resp_header(r, "Content-Type"), "text/plain");
	ck_assert_str_eq(buf_str(httpc_resp_body(r)), "custom 404 not_found");
	httpc_resp_free(r);
	url_for(url, sizeof(url), "http", &ts, "/echo");
	ck_assert_int_eq(call(NULL, "DELETE", url, NULL, NULL, 0, 4096, T_OK,
	    &r), 0);
	ck_assert_str_eq(buf_str(httpc_resp_body(r)),
	    "custom 405 method_not_allowed");
	httpc_resp_free(r);
	tsrv_stop(&ts);
}
END_TEST

START_TEST(test_request_limits)
{
	struct tsrv		 ts;
	struct httpc		*c;
	struct httpc_resp	*r;
	char			 url[128], *big, *hdr;
	const char		*hdrs[2];
	uint16_t		 port;
	int			 st;

	tsrv_start(&ts, NULL, 1);
	port = http_server_port(ts.ts_srv);
	ck_assert_ptr_nonnull(c = httpc_new(NULL));
	ck_assert_ptr_nonnull(big = malloc(BIG_BODY));
	memset(big, 'b', BIG_BODY);

	/* Body over the listener's max: 413 from evhttp, server lives on. */
	url_for(url, sizeof(url), "http", &ts, "/echo");
	ck_assert_int_eq(call(c, "POST", url, NULL, big, MAX_BODY + 1, 4096,
	    T_OK, &r), 0);
	ck_assert_int_eq(httpc_resp_status(r), 413);
	httpc_resp_free(r);
	ck_assert_int_eq(call(c, "POST", url, NULL, big, 100000, 4096, T_OK,
	    &r), 0);
	ck_assert_int_eq(httpc_resp_status(r), 413);
	httpc_resp_free(r);
	/* Big enough for libcurl to ask "Expect: 100-continue" first. */
	ck_assert_int_eq(call(c, "POST", url, NULL, big, BIG_BODY, 4096, T_OK,
	    &r), 0);
	ck_assert_int_eq(httpc_resp_status(r), 413);
	httpc_resp_free(r);
	/* Exactly the max is fine. */
	ck_assert_int_eq(call(c, "POST", url, NULL, big, MAX_BODY, 4096, T_OK,
	    &r), 0);
	ck_assert_int_eq(httpc_resp_status(r), 200);
	httpc_resp_free(r);
	/* Chunked upload over the max (0x500 = 1280 bytes). */
	{
		struct buf *raw = buf_new(4096);

		ck_assert_int_eq(buf_printf(raw, "POST /echo HTTP/1.1\r\n"
		    "Host: x\r\nTransfer-Encoding: chunked\r\n\r\n"
		    "500\r\n%.*s\r\n0\r\n\r\n", 1280, big), 0);
		ck_assert_int_eq(raw_status(port, buf_str(raw)), 413);
		buf_free(raw);
	}

	/* A per-route limit through http_req_body. */
	url_for(url, sizeof(url), "http", &ts, "/limited");
	ck_assert_int_eq(call(c, "POST", url, NULL, big, 11, 4096, T_OK, &r),
	    0);
	ck_assert_int_eq(httpc_resp_status(r), 413);
	httpc_resp_free(r);
	ck_assert_int_eq(call(c, "POST", url, NULL, big, 10, 4096, T_OK, &r),
	    0);
	ck_assert_int_eq(httpc_resp_status(r), 200);
	ck_assert_uint_eq(buf_len(httpc_resp_body(r)), 10);
	httpc_resp_free(r);

	/* Headers over the max: libevent 2.1 answers 400 (not 431). */
	ck_assert_ptr_nonnull(hdr = malloc(MAX_HEADER + 100));
	memcpy(hdr, "X-Big: ", 7);
	memset(hdr + 7, 'h', MAX_HEADER + 50);
	hdr[MAX_HEADER + 57] = '\0';
	hdrs[0] = hdr;
	hdrs[1] = NULL;
	url_for(url, sizeof(url), "http", &ts, "/echo");
	st = call(c, "GET", url, hdrs, NULL, 0, 4096, T_OK, &r);
	if (st == 0) {
		ck_assert_int_eq(httpc_resp_status(r), 400);
		httpc_resp_free(r);
	} else
		ck_assert_int_eq(st, HTTPC_ERR_IO);
	free(hdr);

	/* Still serving. */
	ck_assert_int_eq(call(c, "GET", url, NULL, NULL, 0, 4096, T_OK, &r),
	    0);
	ck_assert_int_eq(httpc_resp_status(r), 200);
	httpc_resp_free(r);

	free(big);
	httpc_free(c);
	tsrv_stop(&ts);
}
END_TEST

START_TEST(test_response_caps)
{
	struct tsrv		 ts;
	struct httpc		*c;
	struct httpc_resp	*r;
	struct httpc_req	 req;
	char			 url[128];

	tsrv_start(&ts, NULL, 1);
	ck_assert_ptr_nonnull(c = httpc_new(NULL));

	/* Known length over the cap, exactly the cap. */
	url_for(url, sizeof(url), "http", &ts, "/big?n=5000");
	ck_assert_int_eq(call(c, "GET", url, NULL, NULL, 0, 1000, T_OK, &r),
	    HTTPC_ERR_TOO_BIG);
	ck_assert_ptr_null(r);
	ck_assert_str_ne(httpc_errmsg(c), "");
	url_for(url, sizeof(url), "http", &ts, "/big?n=1000");
	ck_assert_int_eq(call(c, "GET", url, NULL, NULL, 0, 1000, T_OK, &r), 0);
	ck_assert_uint_eq(buf_len(httpc_resp_body(r)), 1000);
	httpc_resp_free(r);

	/* Chunked (no length known up front) over the cap, and under it. */
	url_for(url, sizeof(url), "http", &ts, "/chunked?n=5000");
	ck_assert_int_eq(call(c, "GET", url, NULL, NULL, 0, 1000, T_OK, &r),
	    HTTPC_ERR_TOO_BIG);
	url_for(url, sizeof(url), "http", &ts, "/chunked?n=999");
	ck_assert_int_eq(call(c, "GET", url, NULL, NULL, 0, 1000, T_OK, &r), 0);
	ck_assert_uint_eq(buf_len(httpc_resp_body(r)), 999);
	httpc_resp_free(r);

	/* The header cap. */
	memset(&req, 0, sizeof(req));
	url_for(url, sizeof(url), "http", &ts, "/echo");
	req.hr_url = url;
	req.hr_max_body = 4096;
	req.hr_max_header = 40;
	ck_assert_int_eq(httpc_request(c, &req, &r), HTTPC_ERR_TOO_BIG);
	req.hr_max_header = 0;
	ck_assert_int_eq(httpc_request(c, &req, &r), 0);
	httpc_resp_free(r);

	httpc_free(c);
	tsrv_stop(&ts);
}
END_TEST

START_TEST(test_timeouts)
{
	struct tsrv		 ts;
	struct httpc		*c;
	struct httpc_resp	*r;
	char			 url[128], out[256];
	long			 t0, dt;
	int			 n;

	tsrv_start(&ts, NULL, 1);
	ck_assert_ptr_nonnull(c = httpc_new(NULL));

	/* A server that never answers. */
	url_for(url, sizeof(url), "http", &ts, "/hang");
	t0 = now_ms();
	ck_assert_int_eq(call(c, "GET", url, NULL, NULL, 0, 4096, 300, &r),
	    HTTPC_ERR_TIMEOUT);
	dt = now_ms() - t0;
	ck_assert_int_ge(dt, 250);
	ck_assert_int_lt(dt, 15000);
	ck_assert_ptr_null(r);

	/* The handler replies after the client left: no harm done. */
	url_for(url, sizeof(url), "http", &ts, "/late?n=400");
	n = __atomic_load_n(&late_replied, __ATOMIC_SEQ_CST);
	ck_assert_int_eq(call(c, "GET", url, NULL, NULL, 0, 4096, 100, &r),
	    HTTPC_ERR_TIMEOUT);
	wait_count(&late_replied, n + 1);
	url_for(url, sizeof(url), "http", &ts, "/late?n=10");
	ck_assert_int_eq(call(c, "GET", url, NULL, NULL, 0, 4096, 3000, &r), 0);
	ck_assert_str_eq(buf_str(httpc_resp_body(r)), "late");
	httpc_resp_free(r);

	/* A handler may take longer than the listener's idle timeout. */
	url_for(url, sizeof(url), "http", &ts, "/late?n=2600");
	ck_assert_int_eq(call(c, "GET", url, NULL, NULL, 0, 4096, T_OK, &r),
	    0);
	ck_assert_str_eq(buf_str(httpc_resp_body(r)), "late");
	httpc_resp_free(r);

	/* The server drops a client that stalls mid-request. */
	t0 = now_ms();
	ck_assert_int_eq(raw_exchange(http_server_port(ts.ts_srv),
	    "GET /echo HTTP/1.1\r\nHost: x\r\n", out, sizeof(out)), 0);
	dt = now_ms() - t0;
	ck_assert_int_ge(dt, SRV_TIMEOUT_MS - 200);
	ck_assert_int_lt(dt, SRV_TIMEOUT_MS + 15000);

	httpc_free(c);
	tsrv_stop(&ts);
}
END_TEST

START_TEST(test_error_json_and_query)
{
	struct tsrv		 ts;
	struct httpc_resp	*r;
	char			 url[256];
	json_t			*j;

	tsrv_start(&ts, NULL, 1);

	url_for(url, sizeof(url), "http", &ts, "/error");
	ck_assert_int_eq(call(NULL, "GET", url, NULL, NULL, 0, 4096, T_OK, &r),
	    0);
	ck_assert_int_eq(httpc_resp_status(r), 418);
	ck_assert_str_eq(httpc_resp_header(r, "content-type"),
	    "application/json; charset=utf-8");
	j = resp_json(r);
	ck_assert_uint_eq(json_object_size(j), 2);
	ck_assert_str_eq(jstr(j, "type"), "teapot");
	ck_assert_str_eq(jstr(j, "message"), "short and stout");
	json_decref(j);
	httpc_resp_free(r);

	url_for(url, sizeof(url), "http", &ts,
	    "/query?a=1&b=hello%20world&c=x+y%26z");
	ck_assert_int_eq(call(NULL, "GET", url, NULL, NULL, 0, 4096, T_OK, &r),
	    0);
	ck_assert_int_eq(httpc_resp_status(r), 200);
	j = resp_json(r);
	ck_assert_str_eq(jstr(j, "a"), "1");
	ck_assert_str_eq(jstr(j, "b"), "hello world");
	ck_assert_str_eq(jstr(j, "c"), "x y&z");
	json_decref(j);
	httpc_resp_free(r);

	/* A repeated key is ambiguous: absent for get, counted. */
	url_for(url, sizeof(url), "http", &ts, "/query?a=1&a=2");
	ck_assert_int_eq(call(NULL, "GET", url, NULL, NULL, 0, 4096, T_OK, &r),
	    0);
	j = resp_json(r);
	ck_assert(json_is_null(json_object_get(j, "a")));
	ck_assert_int_eq(json_integer_value(json_object_get(j, "count_a")), 2);
	json_decref(j);
	httpc_resp_free(r);

	url_for(url, sizeof(url), "http", &ts, "/query?a&b=1");
	ck_assert_int_eq(call(NULL, "GET", url, NULL, NULL, 0, 4096, T_OK, &r),
	    0);
	ck_assert_int_eq(httpc_resp_status(r), 400);
	httpc_resp_free(r);

	tsrv_stop(&ts);
}
END_TEST

START_TEST(test_query_parse)
{
	struct http_query *q;

	ck_assert_int_eq(http_query_parse("x=1&y=&A=%41", &q), 0);
	ck_assert_str_eq(http_query_get(q, "x"), "1");
	ck_assert_str_eq(http_query_get(q, "y"), "");
	ck_assert_str_eq(http_query_get(q, "A"), "A");
	ck_assert_ptr_null(http_query_get(q, "a"));	/* case-sensitive */
	ck_assert_uint_eq(http_query_count(q, "x"), 1);
	ck_assert_uint_eq(http_query_count(q, "z"), 0);
	http_query_free(q);
	ck_assert_int_eq(http_query_parse(NULL, &q), 0);
	ck_assert_ptr_null(http_query_get(q, "x"));
	http_query_free(q);
	ck_assert_int_eq(http_query_parse("novalue", &q), -1);
	ck_assert_ptr_null(q);
	http_query_free(NULL);
}
END_TEST

START_TEST(test_client_errors)
{
	struct tsrv		 ts;
	struct httpc		*c;
	struct httpc_resp	*r;
	struct httpc_tls	 tls;
	const char		*crlf[] = { "X-A: b\r\nX-Evil: 1", NULL };
	const char		*nocolon[] = { "X-A", NULL };
	char			 url[128];
	uint16_t		 port;

	ck_assert_ptr_nonnull(c = httpc_new(NULL));
	tsrv_start(&ts, NULL, 1);
	url_for(url, sizeof(url), "http", &ts, "/echo");
	ck_assert_int_eq(call(c, "GET", url, crlf, NULL, 0, 4096, T_OK, &r),
	    HTTPC_ERR_INVALID);
	ck_assert_int_eq(call(c, "GET", url, nocolon, NULL, 0, 4096, T_OK, &r),
	    HTTPC_ERR_INVALID);
	ck_assert_int_eq(call(c, "GET", url, NULL, NULL, 0, 0, T_OK, &r),
	    HTTPC_ERR_INVALID);
	ck_assert_int_eq(call(c, "get", url, NULL, NULL, 0, 4096, T_OK, &r),
	    HTTPC_ERR_INVALID);
	ck_assert_int_eq(call(c, "GET", url, NULL, "x", 1, 4096, T_OK, &r),
	    HTTPC_ERR_INVALID);
	ck_assert_int_eq(call(c, "GET", "ftp://127.0.0.1/", NULL, NULL, 0,
	    4096, T_OK, &r), HTTPC_ERR_INVALID);
	ck_assert_int_eq(call(c, "GET", "file:///etc/passwd", NULL, NULL, 0,
	    4096, T_OK, &r), HTTPC_ERR_INVALID);
	ck_assert_int_eq(call(c, "GET", "http://[::1", NULL, NULL, 0,
	    4096, T_OK, &r), HTTPC_ERR_INVALID);
	ck_assert_ptr_null(r);
	/* The context still works after refusals. */
	ck_assert_int_eq(call(c, "GET", url, NULL, NULL, 0, 4096, T_OK, &r), 0);
	httpc_resp_free(r);
	port = http_server_port(ts.ts_srv);
	tsrv_stop(&ts);

	/* Nobody listens there any more. */
	snprintf(url, sizeof(url), "http://127.0.0.1:%u/", port);
	ck_assert_int_eq(call(c, "GET", url, NULL, NULL, 0, 4096, T_OK, &r),
	    HTTPC_ERR_CONNECT);
	ck_assert_str_ne(httpc_errmsg(c), "");
	ck_assert_str_eq(httpc_strerror(HTTPC_ERR_TIMEOUT), "timed out");
	httpc_free(c);
	httpc_free(NULL);
	httpc_resp_free(NULL);

	/* Inconsistent TLS settings. */
	memset(&tls, 0, sizeof(tls));
	tls.ht_cert_file = "/nonexistent.pem";
	ck_assert_ptr_null(httpc_new(&tls));

	/* Listener limits are mandatory. */
	{
		struct event_base	*base = event_base_new();
		struct http_server	*srv;
		struct http_server_conf	 conf;

		memset(&conf, 0, sizeof(conf));
		conf.hs_max_header = 1;
		conf.hs_max_body = 1;
		ck_assert_ptr_null(http_server_new(base, &conf));
		conf.hs_timeout_ms = 1;
		conf.hs_max_body = 0;
		ck_assert_ptr_null(http_server_new(base, &conf));
		conf.hs_max_body = 1;
		/* A port in use. */
		conf.hs_port = port;
		ck_assert_ptr_nonnull(srv = http_server_new(base, &conf));
		ck_assert_ptr_null(http_server_new(base, &conf));
		http_server_free(srv);
		http_server_free(NULL);
		event_base_free(base);
	}
}
END_TEST

static int
reject_peer(X509 *leaf, STACK_OF(X509) *chain, void *arg)
{
	int *calls = arg;

	(*calls)++;
	return -1;
}

/* Accepts only a leaf named "server" in a chain of 2 (or 1 unverified). */
static int
check_peer(X509 *leaf, STACK_OF(X509) *chain, void *arg)
{
	int	*calls = arg;
	char	 cn[64] = "";

	(*calls)++;
	X509_NAME_get_text_by_NID(X509_get_subject_name(leaf), NID_commonName,
	    cn, sizeof(cn));
	if (strcmp(cn, "server") != 0 || sk_X509_num(chain) < 1)
		return -1;
	return 0;
}

/* The caller's last say on libcurl's SSL_CTX: TLS 1.2 only, or refuse. */
static int
ctx_tls12(SSL_CTX *ctx, void *arg)
{
	int *calls = arg;

	(*calls)++;
	return SSL_CTX_set_max_proto_version(ctx, TLS1_2_VERSION) == 1 ? 0 :
	    -1;
}

static int
ctx_refuse(SSL_CTX *ctx, void *arg)
{
	return -1;
}

static int
tls_get(struct httpc *c, struct tsrv *ts, struct httpc_resp **r)
{
	char url[128];

	url_for(url, sizeof(url), "https", ts, "/peer");
	return call(c, "GET", url, NULL, NULL, 0, 4096, T_OK, r);
}

START_TEST(test_mutual_tls)
{
	struct tpki		 p;
	struct tsrv		 ts;
	struct httpc		*c;
	struct httpc_resp	*r;
	struct httpc_tls	 tls;
	SSL_CTX			*ctx;
	char			 url[128];
	int			 rc, calls, hook_calls;

	tpki_init(&p);
	ctx = server_ctx(&p, SSL_VERIFY_PEER | SSL_VERIFY_FAIL_IF_NO_PEER_CERT);
	tsrv_start(&ts, ctx, 1);
	SSL_CTX_free(ctx);	/* the server holds its own reference */

	/* In-memory trust and identity: the handler sees the client cert. */
	memset(&tls, 0, sizeof(tls));
	tls.ht_ca_store = p.store;
	tls.ht_cert = p.cli;
	tls.ht_key = p.cli_key;
	ck_assert_ptr_nonnull(c = httpc_new(&tls));
	ck_assert_int_eq(tls_get(c, &ts, &r), 0);
	ck_assert_int_eq(httpc_resp_status(r), 200);
	ck_assert_str_eq(buf_str(httpc_resp_body(r)), "client-1");
	httpc_resp_free(r);
	/* Reused connection. */
	url_for(url, sizeof(url), "https", &ts, "/echo");
	{
		json_t	*j;
		int	 port1;

		ck_assert_int_eq(call(c, "GET", url, NULL, NULL, 0, 4096, T_OK,
		    &r), 0);
		j = resp_json(r);
		port1 = (int)json_integer_value(json_object_get(j, "port"));
		ck_assert_int_ne(port1, 0);
		json_decref(j);
		httpc_resp_free(r);
		ck_assert_int_eq(call(c, "GET", url, NULL, NULL, 0, 4096, T_OK,
		    &r), 0);
		j = resp_json(r);
		ck_assert_int_eq((int)json_integer_value(json_object_get(j,
		    "port")), port1);
		json_decref(j);
		httpc_resp_free(r);
	}
	httpc_free(c);

	/* Files: CA bundle, client cert and key in PEM. */
	memset(&tls, 0, sizeof(tls));
	tls.ht_ca_file = p.ca_file;
	tls.ht_cert_file = p.cert_file;
	tls.ht_key_file = p.key_file;
	ck_assert_ptr_nonnull(c = httpc_new(&tls));
	ck_assert_int_eq(tls_get(c, &ts, &r), 0);
	ck_assert_str_eq(buf_str(httpc_resp_body(r)), "client-1");
	httpc_resp_free(r);
	httpc_free(c);

	/* No client certificate: refused, the handler never runs. */
	calls = __atomic_load_n(&peer_calls, __ATOMIC_SEQ_CST);
	memset(&tls, 0, sizeof(tls));
	tls.ht_ca_store = p.store;
	ck_assert_ptr_nonnull(c = httpc_new(&tls));
	rc = tls_get(c, &ts, &r);
	ck_assert_msg(rc == HTTPC_ERR_TLS || rc == HTTPC_ERR_IO,
	    "rc %d (%s)", rc, httpc_errmsg(c));
	ck_assert_ptr_null(r);
	httpc_free(c);
	ck_assert_int_eq(__atomic_load_n(&peer_calls, __ATOMIC_SEQ_CST), calls);

	/* A server from an untrusted CA. */
	memset(&tls, 0, sizeof(tls));
	tls.ht_ca_store = p.other_store;
	tls.ht_cert = p.cli;
	tls.ht_key = p.cli_key;
	ck_assert_ptr_nonnull(c = httpc_new(&tls));
	ck_assert_int_eq(tls_get(c, &ts, &r), HTTPC_ERR_TLS);
	httpc_free(c);
	/* The system CAs do not know our test CA either. */
	ck_assert_int_eq(tls_get(NULL, &ts, &r), HTTPC_ERR_TLS);

	/* The peer hook can refuse a server that verifies... */
	memset(&tls, 0, sizeof(tls));
	tls.ht_ca_store = p.store;
	tls.ht_cert = p.cli;
	tls.ht_key = p.cli_key;
	tls.ht_peer_check = reject_peer;
	tls.ht_peer_arg = &hook_calls;
	hook_calls = 0;
	ck_assert_ptr_nonnull(c = httpc_new(&tls));
	ck_assert_int_eq(tls_get(c, &ts, &r), HTTPC_ERR_TLS);
	ck_assert_int_eq(hook_calls, 1);
	httpc_free(c);
	/* ... and decide alone when chain checks are off. */
	tls.ht_ca_store = p.other_store;
	tls.ht_no_verify_peer = 1;
	hook_calls = 0;
	ck_assert_ptr_nonnull(c = httpc_new(&tls));
	ck_assert_int_eq(tls_get(c, &ts, &r), HTTPC_ERR_TLS);
	ck_assert_int_eq(hook_calls, 1);
	httpc_free(c);
	tls.ht_peer_check = check_peer;
	hook_calls = 0;
	ck_assert_ptr_nonnull(c = httpc_new(&tls));
	ck_assert_int_eq(tls_get(c, &ts, &r), 0);
	ck_assert_str_eq(buf_str(httpc_resp_body(r)), "client-1");
	ck_assert_int_eq(hook_calls, 1);
	httpc_resp_free(r);
	httpc_free(c);
	/* With chain checks on, the hook sees the verified chain. */
	tls.ht_ca_store = p.store;
	tls.ht_no_verify_peer = 0;
	hook_calls = 0;
	ck_assert_ptr_nonnull(c = httpc_new(&tls));
	ck_assert_int_eq(tls_get(c, &ts, &r), 0);
	ck_assert_int_eq(hook_calls, 1);
	httpc_resp_free(r);
	httpc_free(c);

	/* The SSL_CTX hook: applied, or failing the call. */
	memset(&tls, 0, sizeof(tls));
	tls.ht_ca_file = p.ca_file;
	tls.ht_cert_file = p.cert_file;
	tls.ht_key_file = p.key_file;
	tls.ht_ctx_setup = ctx_tls12;
	tls.ht_ctx_arg = &hook_calls;
	hook_calls = 0;
	ck_assert_ptr_nonnull(c = httpc_new(&tls));
	ck_assert_int_eq(tls_get(c, &ts, &r), 0);
	ck_assert_str_eq(buf_str(httpc_resp_body(r)), "client-1");
	ck_assert_int_eq(hook_calls, 1);
	httpc_resp_free(r);
	url_for(url, sizeof(url), "https", &ts, "/tlsver");
	ck_assert_int_eq(call(c, "GET", url, NULL, NULL, 0, 4096, T_OK, &r), 0);
	ck_assert_str_eq(buf_str(httpc_resp_body(r)), "TLSv1.2");
	httpc_resp_free(r);
	httpc_free(c);
	tls.ht_ctx_setup = NULL;
	ck_assert_ptr_nonnull(c = httpc_new(&tls));
	ck_assert_int_eq(call(c, "GET", url, NULL, NULL, 0, 4096, T_OK, &r), 0);
	ck_assert_str_eq(buf_str(httpc_resp_body(r)), "TLSv1.3");
	httpc_resp_free(r);
	httpc_free(c);
	tls.ht_ctx_setup = ctx_refuse;
	ck_assert_ptr_nonnull(c = httpc_new(&tls));
	ck_assert_int_eq(tls_get(c, &ts, &r), HTTPC_ERR_TLS);
	httpc_free(c);

	/* A key that is not the certificate's. */
	memset(&tls, 0, sizeof(tls));
	tls.ht_cert = p.cli;
	tls.ht_key = p.srv_key;
	ck_assert_ptr_null(httpc_new(&tls));

	/* Plain HTTP to the TLS port does not get an answer. */
	url_for(url, sizeof(url), "http", &ts, "/peer");
	calls = __atomic_load_n(&peer_calls, __ATOMIC_SEQ_CST);
	ck_assert_int_ne(call(NULL, "GET", url, NULL, NULL, 0, 4096, 3000, &r),
	    0);
	ck_assert_int_eq(__atomic_load_n(&peer_calls, __ATOMIC_SEQ_CST), calls);

	tsrv_stop(&ts);
	tpki_free(&p);
}
END_TEST

START_TEST(test_tls_optional_client_cert)
{
	struct tpki		 p;
	struct tsrv		 ts;
	struct httpc		*c;
	struct httpc_resp	*r;
	struct httpc_tls	 tls;
	SSL_CTX			*ctx;
	char			 url[128];

	tpki_init(&p);
	ctx = server_ctx(&p, SSL_VERIFY_PEER);
	tsrv_start(&ts, ctx, 1);
	SSL_CTX_free(ctx);
	memset(&tls, 0, sizeof(tls));
	tls.ht_ca_store = p.store;
	ck_assert_ptr_nonnull(c = httpc_new(&tls));
	ck_assert_int_eq(tls_get(c, &ts, &r), 0);
	ck_assert_str_eq(buf_str(httpc_resp_body(r)), "none");
	httpc_resp_free(r);
	/* The name must match: "localhost" is in the SAN, "127.0.0.2" not. */
	snprintf(url, sizeof(url), "https://localhost:%u/peer",
	    http_server_port(ts.ts_srv));
	ck_assert_int_eq(call(c, "GET", url, NULL, NULL, 0, 4096, T_OK, &r), 0);
	httpc_resp_free(r);
	httpc_free(c);
	tsrv_stop(&ts);

	/* And a plain server reports no TLS at all. */
	tsrv_start(&ts, NULL, 1);
	url_for(url, sizeof(url), "http", &ts, "/peer");
	ck_assert_int_eq(call(NULL, "GET", url, NULL, NULL, 0, 4096, T_OK, &r),
	    0);
	ck_assert_str_eq(buf_str(httpc_resp_body(r)), "none");
	httpc_resp_free(r);
	tsrv_stop(&ts);
	tpki_free(&p);
}
END_TEST

/*
 * Graceful shutdown: a slow request in flight is answered, new
 * connections are refused, and done runs after the last answer.
 */
struct slow_arg {
	char	url[128];
	int	rc;
	int	status;
	long	finished;
};

static void *
slow_main(void *arg)
{
	struct slow_arg		*sa = arg;
	struct httpc_resp	*r;

	sa->rc = call(NULL, "GET", sa->url, NULL, NULL, 0, 4096, T_OK, &r);
	sa->finished = now_ms();
	if (sa->rc == 0) {
		sa->status = httpc_resp_status(r);
		httpc_resp_free(r);
	}
	return NULL;
}

START_TEST(test_graceful_shutdown)
{
	struct tsrv		 ts;
	struct slow_arg		 sa;
	struct httpc_resp	*r;
	pthread_t		 thr;
	char			 url[128];
	long			 stopped;
	int			 n;

	tsrv_start(&ts, NULL, 1);
	memset(&sa, 0, sizeof(sa));
	url_for(sa.url, sizeof(sa.url), "http", &ts, "/late?n=600");
	n = __atomic_load_n(&late_started, __ATOMIC_SEQ_CST);
	ck_assert_int_eq(pthread_create(&thr, NULL, slow_main, &sa), 0);
	wait_count(&late_started, n + 1);

	url_for(url, sizeof(url), "http", &ts, "/shutdown");
	ck_assert_int_eq(call(NULL, "POST", url, NULL, "", 0, 4096, T_OK, &r),
	    0);
	ck_assert_int_eq(httpc_resp_status(r), 200);
	httpc_resp_free(r);
	/* The listener is closed. */
	url_for(url, sizeof(url), "http", &ts, "/echo");
	ck_assert_int_eq(call(NULL, "GET", url, NULL, NULL, 0, 4096, T_OK, &r),
	    HTTPC_ERR_CONNECT);

	/* done breaks the loop once the slow request is answered. */
	ck_assert_int_eq(pthread_join(ts.ts_thr, NULL), 0);
	stopped = now_ms();
	ts.ts_threaded = 0;
	ck_assert_int_eq(pthread_join(thr, NULL), 0);
	ck_assert_int_eq(sa.rc, 0);
	ck_assert_int_eq(sa.status, 200);
	ck_assert_int_eq(ts.ts_done_called, 1);
	ck_assert_uint_eq(ts.ts_inflight_at_done, 0);
	ck_assert_int_le(sa.finished, stopped + 50);
	tsrv_stop(&ts);
}
END_TEST

/*
 * The event-driven client and the server on one loop.
 */
struct ev_result {
	int		 rc;
	int		 status;
	size_t		 len;
	char		 err[256];
	int		 called;
};

struct ev_test {
	struct event_base	*base;
	int			 pending;
	struct ev_result	 res[4];
};

struct ev_slot {
	struct ev_test	*t;
	int		 i;
};

static void
ev_done(int rc, struct httpc_resp *resp, const char *errmsg, void *arg)
{
	struct ev_slot		*s = arg;
	struct ev_result	*res = &s->t->res[s->i];

	res->called++;
	res->rc = rc;
	(void)strlcpy(res->err, errmsg, sizeof(res->err));
	if (resp != NULL) {
		res->status = httpc_resp_status(resp);
		res->len = buf_len(httpc_resp_body(resp));
		httpc_resp_free(resp);
	}
	if (--s->t->pending == 0)
		event_base_loopbreak(s->t->base);
}

static void
ev_never(int rc, struct httpc_resp *resp, const char *errmsg, void *arg)
{
	int *called = arg;

	(*called)++;
	httpc_resp_free(resp);
}

START_TEST(test_event_client)
{
	struct tsrv		 ts;
	struct ev_test		 t;
	struct ev_slot		 slots[4];
	struct httpc_ev		*ev;
	struct httpc_call	*callp, *hang;
	struct httpc_req	 req;
	struct timeval		 guard = { 60, 0 };
	char			 url[4][128];
	const char		*paths[] = { "/echo", "/big?n=5000", "/hang",
				    "/echo" };
	long			 timeouts[] = { T_OK, T_OK, 300, T_OK };
	int			 i, never = 0;

	tsrv_start(&ts, NULL, 0);
	memset(&t, 0, sizeof(t));
	t.base = ts.ts_base;
	ck_assert_ptr_nonnull(ev = httpc_ev_new(ts.ts_base, NULL));

	for (i = 0; i < 4; i++) {
		url_for(url[i], sizeof(url[i]), "http", &ts, paths[i]);
		memset(&req, 0, sizeof(req));
		req.hr_url = url[i];
		req.hr_max_body = 1000;
		req.hr_timeout_ms = timeouts[i];
		if (i == 3) {
			req.hr_method = "POST";
			req.hr_body = "async body";
			req.hr_body_len = 10;
		}
		slots[i].t = &t;
		slots[i].i = i;
		ck_assert_int_eq(httpc_ev_start(ev, &req, ev_done, &slots[i],
		    &callp), 0);
		ck_assert_ptr_nonnull(callp);
		t.pending++;
	}
	/* A call cancelled before it ends never reports. */
	memset(&req, 0, sizeof(req));
	req.hr_url = url[2];
	req.hr_max_body = 100;
	ck_assert_int_eq(httpc_ev_start(ev, &req, ev_never, &never, &hang), 0);
	ck_assert_int_eq(httpc_ev_start(ev, NULL, ev_never, &never, NULL),
	    HTTPC_ERR_INVALID);

	event_base_loopexit(ts.ts_base, &guard);
	/* Let the cancelled call get under way first. */
	{
		struct timeval tv = { 0, 100000 };

		event_base_loopexit(ts.ts_base, &tv);
		event_base_dispatch(ts.ts_base);
		httpc_call_cancel(hang);
		event_base_loopexit(ts.ts_base, &guard);
	}
	if (t.pending > 0)
		event_base_dispatch(ts.ts_base);
	ck_assert_int_eq(t.pending, 0);
	for (i = 0; i < 4; i++)
		ck_assert_int_eq(t.res[i].called, 1);
	ck_assert_int_eq(t.res[0].rc, 0);
	ck_assert_int_eq(t.res[0].status, 200);
	ck_assert_str_eq(t.res[0].err, "");
	ck_assert_int_eq(t.res[1].rc, HTTPC_ERR_TOO_BIG);
	ck_assert_int_eq(t.res[2].rc, HTTPC_ERR_TIMEOUT);
	ck_assert_str_ne(t.res[2].err, "");
	ck_assert_int_eq(t.res[3].rc, 0);
	ck_assert_int_eq(t.res[3].status, 200);
	ck_assert_int_eq(never, 0);

	/* A call still running when the context goes is dropped quietly. */
	memset(&req, 0, sizeof(req));
	req.hr_url = url[2];
	req.hr_max_body = 100;
	ck_assert_int_eq(httpc_ev_start(ev, &req, ev_never, &never, NULL), 0);
	{
		struct timeval tv = { 0, 100000 };

		event_base_loopexit(ts.ts_base, &tv);
		event_base_dispatch(ts.ts_base);
	}
	httpc_ev_free(ev);
	ck_assert_int_eq(never, 0);
	httpc_ev_free(NULL);
	tsrv_stop(&ts);
}
END_TEST

static Suite *
http_suite(void)
{
	Suite	*s = suite_create("http");
	TCase	*tc = tcase_create("core");

	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, test_get_post_roundtrip);
	tcase_add_test(tc, test_router);
	tcase_add_test(tc, test_custom_errors);
	tcase_add_test(tc, test_request_limits);
	tcase_add_test(tc, test_response_caps);
	tcase_add_test(tc, test_timeouts);
	tcase_add_test(tc, test_error_json_and_query);
	tcase_add_test(tc, test_query_parse);
	tcase_add_test(tc, test_client_errors);
	tcase_add_test(tc, test_mutual_tls);
	tcase_add_test(tc, test_tls_optional_client_cert);
	tcase_add_test(tc, test_graceful_shutdown);
	tcase_add_test(tc, test_event_client);
	suite_add_tcase(s, tc);
	return s;
}

HK_CHECK_MAIN(http_suite)
