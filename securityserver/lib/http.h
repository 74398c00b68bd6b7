/*
 * http.h: the HTTP(S) server helper every Hukumati daemon builds on.
 *
 * A struct http_server is one libevent evhttp listener with mandatory
 * limits (header size, body size, idle timeout), optional TLS (the caller's
 * SSL_CTX, so mutual TLS is the caller's choice of verify mode), and a tiny
 * router: handlers are registered by method set + exact path or path
 * prefix; 400 (dot segments), 404 and 405 (with Allow) are answered
 * automatically.
 *
 * evhttp answers some errors itself, in HTML, before any handler runs:
 * 413 for a body over hs_max_body, 400 for headers over hs_max_header
 * (libevent 2.1), 501 for methods outside GET HEAD POST PUT PATCH DELETE
 * OPTIONS, 400 for malformed requests.
 *
 * Requests are libevent's struct evhttp_request, so a handler may use the
 * whole evhttp API. A handler answers every request exactly once, now or
 * later from the same event loop (asynchronous handlers are fine): with
 * the http_reply* helpers here or evhttp_send_reply*. If the client goes
 * away first, evhttp keeps the request alive until that reply, which then
 * just frees it.
 *
 * Single-threaded: everything runs on the event_base given to
 * http_server_new. The outgoing side is httpc.h.
 */
#ifndef HK_HTTP_H
#define HK_HTTP_H

#include <stddef.h>
#include <stdint.h>
#include <sys/time.h>

#include <event2/event.h>
#include <event2/http.h>
#include <jansson.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>

struct buf;
struct http_server;
struct http_query;

/* A handler; arg is the one given to http_route. */
typedef void (*http_handler_fn)(struct evhttp_request *req, void *arg);

/*
 * Answers the router's own errors (400, 404, 405). type is a short token
 * ("not_found", "method_not_allowed", "bad_request"). It must reply.
 * The default is http_reply_error_json.
 */
typedef void (*http_error_fn)(struct evhttp_request *req, int status,
    const char *type, const char *message, void *arg);

struct http_server_conf {
	const char	*hs_addr;	/* NULL: "127.0.0.1" */
	uint16_t	 hs_port;	/* 0: any free one (http_server_port) */
	size_t		 hs_max_header;	/* request line + headers, bytes; > 0 */
	size_t		 hs_max_body;	/* request body, bytes; > 0 */
	/*
	 * Read and write idle timeout, ms, > 0. It also ends idle keep-alive
	 * connections; it does not run while a handler holds a request.
	 * libevent 2.1 has one value for both directions, and it is an idle
	 * timer: a peer that trickles bytes keeps it alive (the size caps
	 * still bound what it can make us hold).
	 */
	int		 hs_timeout_ms;
	/*
	 * NULL: plain HTTP. Else HTTPS with this context (up-referenced, so
	 * the caller may free its own reference). Its verify mode decides
	 * whether client certificates are asked for and required.
	 */
	SSL_CTX		*hs_ssl_ctx;
	http_error_fn	 hs_error;	/* NULL: JSON errors */
	void		*hs_error_arg;
};

/*
 * Bind and listen. Returns NULL (after logging why) on a bad conf or a
 * bind error. The caller frees with http_server_free.
 */
struct http_server *http_server_new(struct event_base *,
		    const struct http_server_conf *);
/*
 * Closes the listener and every connection at once. Requests that
 * asynchronous handlers still hold are freed with their connections, so
 * those handlers must have stopped (and must never reply) by then: use
 * http_server_shutdown first. Not to be called from a handler.
 */
void		 http_server_free(struct http_server *);
/* The bound port (useful with hs_port 0). */
uint16_t	 http_server_port(const struct http_server *);
size_t		 http_server_max_body(const struct http_server *);

/*
 * Graceful shutdown: stop accepting now, answer later requests on open
 * connections with "Connection: close", and call done(arg) from the event
 * loop once every dispatched request is answered or grace has passed
 * (NULL grace: 10 s). done may call http_server_free. Calling it twice
 * returns -1.
 */
int		 http_server_shutdown(struct http_server *,
		    const struct timeval *grace, void (*done)(void *),
		    void *arg);
/* Requests dispatched and not yet completely answered. */
unsigned int	 http_server_inflight(const struct http_server *);

/*
 * Routing. methods: an OR of EVHTTP_REQ_* (GET POST HEAD PUT DELETE
 * OPTIONS PATCH). HTTP_ROUTE_EXACT matches the path alone; HTTP_ROUTE_PREFIX
 * every path starting with path (so "/api/" matches "/api/x", not "/api").
 * An exact match wins over prefixes; the longest prefix wins among them.
 * If the best match has no handler for the method, the answer is 405 with
 * Allow. HEAD without a route of its own goes to the GET handler (evhttp
 * leaves the body out). Paths are compared raw (still percent-encoded, no
 * query), after the router refused with 400 any path that is not
 * absolute or holds a "." or ".." segment or a NUL, also when
 * percent-encoded.
 * Returns -1 on bad arguments or a clash with an existing route.
 */
#define HTTP_ROUTE_EXACT	0
#define HTTP_ROUTE_PREFIX	1
int		 http_route(struct http_server *, int methods, const char *path,
		    int match, http_handler_fn, void *arg);

/*
 * Replies. Each sends the reply (so the request is gone afterwards).
 * content_type NULL: no Content-Type header. A NULL json, or one that
 * cannot be serialised, becomes a 500.
 */
void		 http_reply(struct evhttp_request *, int status,
		    const char *content_type, const void *body, size_t len);
/* json is borrowed (the caller keeps its reference). */
void		 http_reply_json(struct evhttp_request *, int status,
		    const json_t *json);
/*
 * {"type": type, "message": message} as application/json; charset=utf-8,
 * the shape of X-Road REST errors (a caller adds X-Road-Error itself).
 */
void		 http_reply_error_json(struct evhttp_request *, int status,
		    const char *type, const char *message);

/*
 * The request body as a new struct buf capped at max bytes (the caller
 * frees it). The listener has already refused bodies over hs_max_body with
 * 413, so max = http_server_max_body() never fails for size; a smaller max
 * is a per-route limit. Returns 0, -1 (no memory) or -2 (over max).
 */
int		 http_req_body(struct evhttp_request *, size_t max,
		    struct buf **out);
/* A request header, case-insensitive, first one; borrowed from req. */
const char	*http_req_header(struct evhttp_request *, const char *name);
/* The raw path (percent-encoded, no query); borrowed from req. */
const char	*http_req_path(struct evhttp_request *);
/*
 * The client's address as text ("127.0.0.1", "::1") into host and its
 * port into *port (may be NULL). -1 if the connection is gone or host is
 * too small.
 */
int		 http_req_client_addr(struct evhttp_request *, char *host,
		    size_t hostlen, uint16_t *port);
/*
 * TLS of the request's connection, borrowed (valid while req is): NULL on
 * plain HTTP or when the connection is gone. http_req_peer_cert is the
 * client's certificate, NULL if it sent none; whether it was verified is
 * the SSL_CTX's business (see SSL_get_verify_result).
 */
SSL		*http_req_ssl(struct evhttp_request *);
X509		*http_req_peer_cert(struct evhttp_request *);

/*
 * Query strings (and application/x-www-form-urlencoded bodies), parsed by
 * evhttp_parse_query_str: '+' and %XX decoded. Malformed input ("a&b=1")
 * is an error (-1). The caller frees with http_query_free.
 */
int		 http_req_query(struct evhttp_request *, struct http_query **);
int		 http_query_parse(const char *str, struct http_query **);
void		 http_query_free(struct http_query *);
/*
 * The value of key name (case-sensitive), borrowed from q. NULL if the key
 * is absent or repeated: ambiguous input is refused rather than guessed.
 */
const char	*http_query_get(const struct http_query *, const char *name);
/* How many times name occurs. */
unsigned int	 http_query_count(const struct http_query *, const char *name);

#endif /* HK_HTTP_H */
