/*
 * http.c: evhttp listener with limits, optional TLS, a small router and
 * reply/read helpers. See http.h.
 */
#include "config.h"

#include <sys/queue.h>
#include <sys/socket.h>

#include <netinet/in.h>
#include <netinet/tcp.h>

#include <errno.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>

#include <event2/buffer.h>
#include <event2/bufferevent.h>
#include <event2/bufferevent_ssl.h>
#include <event2/event.h>
#include <event2/http.h>
#include <event2/keyvalq_struct.h>
#include <jansson.h>
#include <openssl/ssl.h>

#include "buf.h"
#include "compat.h"
#include "http.h"
#include "log.h"

#define HTTP_METHODS	(EVHTTP_REQ_GET | EVHTTP_REQ_POST | EVHTTP_REQ_HEAD | \
			    EVHTTP_REQ_PUT | EVHTTP_REQ_DELETE | \
			    EVHTTP_REQ_OPTIONS | EVHTTP_REQ_PATCH)
#define HTTP_GRACE_DEFAULT_S	10
#define HTTP_JSON_TYPE	"application/json; charset=utf-8"

struct http_route {
	TAILQ_ENTRY(http_route)	 rt_entry;
	char			*rt_path;
	size_t			 rt_len;
	int			 rt_match;	/* HTTP_ROUTE_* */
	int			 rt_methods;
	http_handler_fn		 rt_fn;
	void			*rt_arg;
};
TAILQ_HEAD(http_routes, http_route);

struct http_server {
	struct evhttp			*hs_http;
	struct evhttp_bound_socket	*hs_sock;	/* NULL once closed */
	SSL_CTX				*hs_ssl;
	struct event			*hs_drain_ev;
	struct http_routes		 hs_routes;
	http_error_fn			 hs_error;
	void				*hs_error_arg;
	size_t				 hs_max_body;
	unsigned int			 hs_inflight;
	uint16_t			 hs_port;
	int				 hs_draining;
	void				(*hs_done)(void *);
	void				*hs_done_arg;
};

struct http_query {
	struct evkeyvalq	 q_kv;
};

static const struct {
	int		 m_flag;
	const char	*m_name;
} http_method_names[] = {
	{ EVHTTP_REQ_GET,	"GET" },
	{ EVHTTP_REQ_HEAD,	"HEAD" },
	{ EVHTTP_REQ_POST,	"POST" },
	{ EVHTTP_REQ_PUT,	"PUT" },
	{ EVHTTP_REQ_PATCH,	"PATCH" },
	{ EVHTTP_REQ_DELETE,	"DELETE" },
	{ EVHTTP_REQ_OPTIONS,	"OPTIONS" },
};

static void
http_default_error(struct evhttp_request *req, int status, const char *type,
    const char *message, void *arg)
{
	http_reply_error_json(req, status, type, message);
}

static void
http_error(struct http_server *srv, struct evhttp_request *req, int status,
    const char *type, const char *message)
{
	srv->hs_error(req, status, type, message, srv->hs_error_arg);
}

/*
 * Refuse what no handler should have to think about: a relative path, a
 * "." or ".." segment, a NUL, also when percent-encoded (the check runs on
 * the decoded path, so "%2F..%2F" counts as a ".." segment).
 */
static int
http_path_ok(const char *path)
{
	char	*dec, *seg, *end;
	size_t	 len, n;
	int	 ok = 0;

	if (path == NULL || path[0] != '/')
		return 0;
	if ((dec = evhttp_uridecode(path, 0, &len)) == NULL)
		return 0;
	if (strlen(dec) != len)
		goto done;
	for (seg = dec + 1; ; seg = end + 1) {
		end = strchr(seg, '/');
		n = end != NULL ? (size_t)(end - seg) : strlen(seg);
		if ((n == 1 && seg[0] == '.') ||
		    (n == 2 && seg[0] == '.' && seg[1] == '.'))
			goto done;
		if (end == NULL)
			break;
	}
	ok = 1;
 done:
	free(dec);
	return ok;
}

static void
http_req_complete(struct evhttp_request *req, void *arg)
{
	struct http_server *srv = arg;

	if (srv->hs_inflight > 0)
		srv->hs_inflight--;
	if (srv->hs_draining && srv->hs_inflight == 0 && srv->hs_done != NULL)
		event_active(srv->hs_drain_ev, EV_TIMEOUT, 1);
}

static void
http_drain_cb(evutil_socket_t fd, short what, void *arg)
{
	struct http_server	*srv = arg;
	void			(*done)(void *) = srv->hs_done;

	if (done == NULL)
		return;
	srv->hs_done = NULL;
	/* done may free srv: nothing touches it afterwards. */
	done(srv->hs_done_arg);
}

static void
http_allow_header(struct evhttp_request *req, int methods)
{
	char	allow[64] = "";
	size_t	i;

	for (i = 0; i < sizeof(http_method_names) /
	    sizeof(http_method_names[0]); i++) {
		if ((methods & http_method_names[i].m_flag) == 0)
			continue;
		if (allow[0] != '\0')
			(void)strlcat(allow, ", ", sizeof(allow));
		(void)strlcat(allow, http_method_names[i].m_name,
		    sizeof(allow));
	}
	(void)evhttp_add_header(evhttp_request_get_output_headers(req),
	    "Allow", allow);
}

static void
http_dispatch(struct evhttp_request *req, void *arg)
{
	struct http_server	*srv = arg;
	struct http_route	*rt, *best = NULL, *get = NULL;
	const char		*path;
	int			 cmd, methods = 0;

	srv->hs_inflight++;
	evhttp_request_set_on_complete_cb(req, http_req_complete, srv);
	if (srv->hs_draining)
		(void)evhttp_add_header(evhttp_request_get_output_headers(req),
		    "Connection", "close");

	/*
	 * evhttp falls back to a plain connection if the TLS bufferevent
	 * could not be made: never serve plain text on an HTTPS listener.
	 */
	if (srv->hs_ssl != NULL && http_req_ssl(req) == NULL) {
		(void)evhttp_add_header(evhttp_request_get_output_headers(req),
		    "Connection", "close");
		evhttp_send_error(req, HTTP_INTERNAL, NULL);
		return;
	}

	path = http_req_path(req);
	if (!http_path_ok(path)) {
		http_error(srv, req, HTTP_BADREQUEST, "bad_request",
		    "invalid request path");
		return;
	}

	/* The best path match: exact, else the longest prefix. */
	TAILQ_FOREACH(rt, &srv->hs_routes, rt_entry) {
		if (rt->rt_match == HTTP_ROUTE_EXACT) {
			if (strcmp(path, rt->rt_path) != 0)
				continue;
		} else if (strncmp(path, rt->rt_path, rt->rt_len) != 0)
			continue;
		if (best == NULL ||
		    (best->rt_match != HTTP_ROUTE_EXACT &&
		    (rt->rt_match == HTTP_ROUTE_EXACT ||
		    rt->rt_len > best->rt_len)))
			best = rt;
	}
	if (best == NULL) {
		http_error(srv, req, HTTP_NOTFOUND, "not_found",
		    "no such resource");
		return;
	}

	/*
	 * Routes for the same path and kind may split the methods. HEAD
	 * falls back to the GET handler (evhttp sends no body for HEAD).
	 */
	cmd = (int)evhttp_request_get_command(req);
	TAILQ_FOREACH(rt, &srv->hs_routes, rt_entry) {
		if (rt->rt_match != best->rt_match ||
		    strcmp(rt->rt_path, best->rt_path) != 0)
			continue;
		if (rt->rt_methods & cmd) {
			rt->rt_fn(req, rt->rt_arg);
			return;
		}
		if (cmd == EVHTTP_REQ_HEAD &&
		    (rt->rt_methods & EVHTTP_REQ_GET) && get == NULL)
			get = rt;
		methods |= rt->rt_methods;
	}
	if (get != NULL) {
		get->rt_fn(req, get->rt_arg);
		return;
	}
	if (methods & EVHTTP_REQ_GET)
		methods |= EVHTTP_REQ_HEAD;
	http_allow_header(req, methods);
	http_error(srv, req, HTTP_BADMETHOD, "method_not_allowed",
	    "method not allowed");
}

static struct bufferevent *
http_bevcb(struct event_base *base, void *arg)
{
	struct http_server	*srv = arg;
	struct bufferevent	*bev;
	SSL			*ssl;

	if ((ssl = SSL_new(srv->hs_ssl)) == NULL) {
		log_warnx("%s: SSL_new failed", __func__);
		return NULL;
	}
	/* On failure libevent frees ssl (BEV_OPT_CLOSE_ON_FREE). */
	bev = bufferevent_openssl_socket_new(base, -1, ssl,
	    BUFFEREVENT_SSL_ACCEPTING, BEV_OPT_CLOSE_ON_FREE);
	if (bev == NULL) {
		log_warnx("%s: cannot make a TLS bufferevent", __func__);
		return NULL;
	}
	/* Many clients close without close_notify once they have a reply. */
	bufferevent_openssl_set_allow_dirty_shutdown(bev, 1);
	return bev;
}

static int
http_bound_port(struct evhttp_bound_socket *sock, uint16_t *port)
{
	struct sockaddr_storage	ss;
	socklen_t		len = sizeof(ss);
	evutil_socket_t		fd;

	fd = evhttp_bound_socket_get_fd(sock);
	if (getsockname(fd, (struct sockaddr *)&ss, &len) == -1)
		return -1;
	switch (ss.ss_family) {
	case AF_INET:
		*port = ntohs(((struct sockaddr_in *)&ss)->sin_port);
		return 0;
	case AF_INET6:
		*port = ntohs(((struct sockaddr_in6 *)&ss)->sin6_port);
		return 0;
	}
	return -1;
}

struct http_server *
http_server_new(struct event_base *base, const struct http_server_conf *conf)
{
	struct http_server	*srv = NULL;
	struct timeval		 tv;
	const char		*addr;

	if (base == NULL || conf == NULL || conf->hs_max_header == 0 ||
	    conf->hs_max_body == 0 || conf->hs_timeout_ms <= 0 ||
	    conf->hs_max_header > SSIZE_MAX || conf->hs_max_body > SSIZE_MAX) {
		log_warnx("%s: invalid listener limits", __func__);
		return NULL;
	}
	addr = conf->hs_addr != NULL ? conf->hs_addr : "127.0.0.1";

	if ((srv = calloc(1, sizeof(*srv))) == NULL) {
		log_warn("%s", __func__);
		return NULL;
	}
	TAILQ_INIT(&srv->hs_routes);
	srv->hs_max_body = conf->hs_max_body;
	srv->hs_error = conf->hs_error != NULL ? conf->hs_error :
	    http_default_error;
	srv->hs_error_arg = conf->hs_error_arg;

	srv->hs_http = evhttp_new(base);
	srv->hs_drain_ev = evtimer_new(base, http_drain_cb, srv);
	if (srv->hs_http == NULL || srv->hs_drain_ev == NULL) {
		log_warnx("%s: out of memory", __func__);
		goto fail;
	}
	evhttp_set_max_headers_size(srv->hs_http,
	    (ev_ssize_t)conf->hs_max_header);
	evhttp_set_max_body_size(srv->hs_http, (ev_ssize_t)conf->hs_max_body);
	tv.tv_sec = conf->hs_timeout_ms / 1000;
	tv.tv_usec = (conf->hs_timeout_ms % 1000) * 1000;
	evhttp_set_timeout_tv(srv->hs_http, &tv);
	evhttp_set_allowed_methods(srv->hs_http, HTTP_METHODS);
	evhttp_set_gencb(srv->hs_http, http_dispatch, srv);
	if (conf->hs_ssl_ctx != NULL) {
		if (SSL_CTX_up_ref(conf->hs_ssl_ctx) != 1)
			goto fail;
		srv->hs_ssl = conf->hs_ssl_ctx;
		evhttp_set_bevcb(srv->hs_http, http_bevcb, srv);
	}

	srv->hs_sock = evhttp_bind_socket_with_handle(srv->hs_http, addr,
	    conf->hs_port);
	if (srv->hs_sock == NULL) {
		log_warn("%s: cannot listen on %s port %u", __func__, addr,
		    conf->hs_port);
		goto fail;
	}
	if (http_bound_port(srv->hs_sock, &srv->hs_port) == -1) {
		log_warn("%s: getsockname", __func__);
		goto fail;
	}
	/*
	 * Replies leave in more than one write (head, body; TLS records):
	 * without TCP_NODELAY, Nagle's algorithm and the peer's delayed ACK
	 * hold the last one back ~40 ms. Accepted sockets inherit it (Linux).
	 */
	{
		int one = 1;

		if (setsockopt(evhttp_bound_socket_get_fd(srv->hs_sock),
		    IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one)) == -1)
			log_warn("%s: TCP_NODELAY", __func__);
	}
	log_debug("http: listening on %s port %u%s", addr, srv->hs_port,
	    srv->hs_ssl != NULL ? " (TLS)" : "");
	return srv;

 fail:
	http_server_free(srv);
	return NULL;
}

void
http_server_free(struct http_server *srv)
{
	struct http_route *rt;

	if (srv == NULL)
		return;
	if (srv->hs_http != NULL)
		evhttp_free(srv->hs_http);
	if (srv->hs_drain_ev != NULL)
		event_free(srv->hs_drain_ev);
	SSL_CTX_free(srv->hs_ssl);
	while ((rt = TAILQ_FIRST(&srv->hs_routes)) != NULL) {
		TAILQ_REMOVE(&srv->hs_routes, rt, rt_entry);
		free(rt->rt_path);
		free(rt);
	}
	free(srv);
}

uint16_t
http_server_port(const struct http_server *srv)
{
	return srv->hs_port;
}

size_t
http_server_max_body(const struct http_server *srv)
{
	return srv->hs_max_body;
}

unsigned int
http_server_inflight(const struct http_server *srv)
{
	return srv->hs_inflight;
}

int
http_server_shutdown(struct http_server *srv, const struct timeval *grace,
    void (*done)(void *), void *arg)
{
	struct timeval tv = { HTTP_GRACE_DEFAULT_S, 0 };

	if (srv->hs_draining || done == NULL)
		return -1;
	srv->hs_draining = 1;
	srv->hs_done = done;
	srv->hs_done_arg = arg;
	if (srv->hs_sock != NULL) {
		evhttp_del_accept_socket(srv->hs_http, srv->hs_sock);
		srv->hs_sock = NULL;
	}
	if (grace != NULL)
		tv = *grace;
	if (evtimer_add(srv->hs_drain_ev, &tv) == -1)
		return -1;
	if (srv->hs_inflight == 0)
		event_active(srv->hs_drain_ev, EV_TIMEOUT, 1);
	return 0;
}

int
http_route(struct http_server *srv, int methods, const char *path, int match,
    http_handler_fn fn, void *arg)
{
	struct http_route *rt;

	if (srv == NULL || path == NULL || path[0] != '/' || fn == NULL ||
	    methods == 0 || (methods & ~HTTP_METHODS) != 0 ||
	    (match != HTTP_ROUTE_EXACT && match != HTTP_ROUTE_PREFIX))
		return -1;
	TAILQ_FOREACH(rt, &srv->hs_routes, rt_entry) {
		if (rt->rt_match == match && strcmp(rt->rt_path, path) == 0 &&
		    (rt->rt_methods & methods) != 0)
			return -1;
	}
	if ((rt = calloc(1, sizeof(*rt))) == NULL)
		return -1;
	if ((rt->rt_path = strdup(path)) == NULL) {
		free(rt);
		return -1;
	}
	rt->rt_len = strlen(path);
	rt->rt_match = match;
	rt->rt_methods = methods;
	rt->rt_fn = fn;
	rt->rt_arg = arg;
	TAILQ_INSERT_TAIL(&srv->hs_routes, rt, rt_entry);
	return 0;
}

void
http_reply(struct evhttp_request *req, int status, const char *content_type,
    const void *body, size_t len)
{
	struct evkeyvalq	*hdrs = evhttp_request_get_output_headers(req);
	struct evbuffer		*out = evhttp_request_get_output_buffer(req);

	if (content_type != NULL) {
		evhttp_remove_header(hdrs, "Content-Type");
		if (evhttp_add_header(hdrs, "Content-Type", content_type) == -1)
			goto fail;
	}
	if (len > 0 && evbuffer_add(out, body, len) == -1)
		goto fail;
	evhttp_send_reply(req, status, NULL, NULL);
	return;
 fail:
	log_warnx("%s: cannot build a %d reply", __func__, status);
	(void)evbuffer_drain(out, evbuffer_get_length(out));
	evhttp_send_error(req, HTTP_INTERNAL, NULL);
}

void
http_reply_json(struct evhttp_request *req, int status, const json_t *json)
{
	char *s;

	if (json == NULL ||
	    (s = json_dumps(json, JSON_COMPACT | JSON_ENCODE_ANY)) == NULL) {
		http_reply_error_json(req, HTTP_INTERNAL, "internal_error",
		    "cannot encode the reply");
		return;
	}
	http_reply(req, status, HTTP_JSON_TYPE, s, strlen(s));
	free(s);
}

void
http_reply_error_json(struct evhttp_request *req, int status,
    const char *type, const char *message)
{
	json_t	*j;
	char	*s = NULL;

	/* json_pack refuses NULL and invalid UTF-8 (e.g. a peer's bytes). */
	j = json_pack("{s:s, s:s}", "type", type != NULL ? type : "error",
	    "message", message != NULL ? message : "");
	if (j == NULL)
		j = json_pack("{s:s, s:s}", "type", "error", "message",
		    "(unprintable message)");
	if (j != NULL)
		s = json_dumps(j, JSON_COMPACT);
	json_decref(j);
	if (s == NULL) {
		http_reply(req, status, NULL, NULL, 0);
		return;
	}
	http_reply(req, status, HTTP_JSON_TYPE, s, strlen(s));
	free(s);
}

int
http_req_body(struct evhttp_request *req, size_t max, struct buf **out)
{
	struct evbuffer	*in = evhttp_request_get_input_buffer(req);
	struct buf	*b;
	unsigned char	*p;
	size_t		 len = evbuffer_get_length(in);

	*out = NULL;
	if (len > max)
		return -2;
	if ((b = buf_new(max)) == NULL)
		return -1;
	if (len > 0) {
		if ((p = evbuffer_pullup(in, -1)) == NULL ||
		    buf_append(b, p, len) != 0) {
			buf_free(b);
			return -1;
		}
	}
	*out = b;
	return 0;
}

const char *
http_req_header(struct evhttp_request *req, const char *name)
{
	return evhttp_find_header(evhttp_request_get_input_headers(req), name);
}

const char *
http_req_path(struct evhttp_request *req)
{
	const struct evhttp_uri *uri = evhttp_request_get_evhttp_uri(req);

	return uri != NULL ? evhttp_uri_get_path(uri) : NULL;
}

int
http_req_client_addr(struct evhttp_request *req, char *host, size_t hostlen,
    uint16_t *port)
{
	struct evhttp_connection	*conn;
	char				*addr = NULL;
	ev_uint16_t			 p = 0;

	if ((conn = evhttp_request_get_connection(req)) == NULL)
		return -1;
	evhttp_connection_get_peer(conn, &addr, &p);
	if (addr == NULL || strlcpy(host, addr, hostlen) >= hostlen)
		return -1;
	if (port != NULL)
		*port = p;
	return 0;
}

SSL *
http_req_ssl(struct evhttp_request *req)
{
	struct evhttp_connection	*conn;
	struct bufferevent		*bev;

	if ((conn = evhttp_request_get_connection(req)) == NULL ||
	    (bev = evhttp_connection_get_bufferevent(conn)) == NULL)
		return NULL;
	/* NULL for a bufferevent that is not an OpenSSL one. */
	return bufferevent_openssl_get_ssl(bev);
}

X509 *
http_req_peer_cert(struct evhttp_request *req)
{
	SSL *ssl;

	if ((ssl = http_req_ssl(req)) == NULL)
		return NULL;
	return SSL_get0_peer_certificate(ssl);
}

int
http_query_parse(const char *str, struct http_query **out)
{
	struct http_query *q;

	*out = NULL;
	if ((q = calloc(1, sizeof(*q))) == NULL)
		return -1;
	TAILQ_INIT(&q->q_kv);
	if (str != NULL && str[0] != '\0' &&
	    evhttp_parse_query_str(str, &q->q_kv) == -1) {
		http_query_free(q);
		return -1;
	}
	*out = q;
	return 0;
}

int
http_req_query(struct evhttp_request *req, struct http_query **out)
{
	const struct evhttp_uri *uri = evhttp_request_get_evhttp_uri(req);

	return http_query_parse(uri != NULL ? evhttp_uri_get_query(uri) :
	    NULL, out);
}

void
http_query_free(struct http_query *q)
{
	if (q == NULL)
		return;
	evhttp_clear_headers(&q->q_kv);
	free(q);
}

unsigned int
http_query_count(const struct http_query *q, const char *name)
{
	const struct evkeyval	*kv;
	unsigned int		 n = 0;

	TAILQ_FOREACH(kv, &q->q_kv, next) {
		if (strcmp(kv->key, name) == 0)
			n++;
	}
	return n;
}

const char *
http_query_get(const struct http_query *q, const char *name)
{
	const struct evkeyval	*kv;
	const char		*val = NULL;

	TAILQ_FOREACH(kv, &q->q_kv, next) {
		if (strcmp(kv->key, name) != 0)
			continue;
		if (val != NULL)
			return NULL;
		val = kv->value;
	}
	return val;
}
