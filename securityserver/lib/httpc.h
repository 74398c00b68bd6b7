/*
 * httpc.h: the outgoing HTTP(S) client (libcurl), blocking or driven by a
 * libevent loop.
 *
 * A client context holds the TLS identity and trust (struct httpc_tls,
 * fixed when the context is made) and the pooled connections, so calls
 * through one context reuse keep-alive connections and TLS sessions. One
 * context never mixes identities: use a context per identity.
 *
 * Every call has a hard cap on the response body and headers (exceeding
 * it is an error, HTTPC_ERR_TOO_BIG, and nothing is kept) and a timeout
 * for the whole exchange. Redirects are never followed, only http and
 * https URLs are accepted, proxies from the environment are ignored, TLS
 * is 1.2 or later, and HTTP is 1.1.
 *
 * A blocking context (struct httpc) is for one thread at a time; an event
 * context (struct httpc_ev) lives on one event_base.
 */
#ifndef HK_HTTPC_H
#define HK_HTTPC_H

#include <stddef.h>

#include <event2/event.h>
#include <openssl/evp.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>

struct buf;
struct httpc;
struct httpc_ev;
struct httpc_call;
struct httpc_resp;

#define HTTPC_ERR_INVALID	(-1)	/* bad argument, URL or header */
#define HTTPC_ERR_NOMEM		(-2)
#define HTTPC_ERR_CONNECT	(-3)	/* name lookup, refused, unreachable */
#define HTTPC_ERR_TLS		(-4)	/* handshake, verification, peer hook */
#define HTTPC_ERR_TIMEOUT	(-5)
#define HTTPC_ERR_TOO_BIG	(-6)	/* response body or headers over cap */
#define HTTPC_ERR_IO		(-7)	/* send/receive failure, bad response */

#define HTTPC_DEFAULT_TIMEOUT_MS	30000
#define HTTPC_DEFAULT_MAX_HEADER	(64 * 1024)

/*
 * Called during the TLS handshake with the server's certificate and chain
 * (borrowed for the call): the verified chain, leaf first, when
 * ht_no_verify_peer is 0, else the chain as the server sent it. Return 0
 * to accept, -1 to abort the handshake (HTTPC_ERR_TLS). For pinning, or
 * for checks against a registry (e.g. authentication certificates named
 * in global configuration). It runs even with ht_no_verify_peer set.
 */
typedef int (*httpc_peer_fn)(X509 *leaf, STACK_OF(X509) *chain, void *arg);

/*
 * TLS settings; all zero is the safe default: verify the chain against
 * the system CAs and the host name. Strings are copied and objects
 * up-referenced when the context is made, so the caller keeps its own.
 */
struct httpc_tls {
	const char	*ht_ca_file;	/* PEM trust anchors (not with store) */
	X509_STORE	*ht_ca_store;	/* in-memory trust anchors */
	/* Client certificate: files (PEM) or objects, not both. */
	const char	*ht_cert_file;
	const char	*ht_key_file;
	X509		*ht_cert;
	EVP_PKEY	*ht_key;
	STACK_OF(X509)	*ht_chain;	/* intermediates sent after ht_cert */
	int		 ht_no_verify_peer;	/* 1: no chain check */
	int		 ht_no_verify_host;	/* 1: no name check */
	httpc_peer_fn	 ht_peer_check;		/* optional */
	void		*ht_peer_arg;
	/*
	 * Optional last say on each SSL_CTX libcurl makes, after the
	 * settings above (e.g. a cipher list or session handling from
	 * tlsctx.h). Return 0, or -1 to fail the call (HTTPC_ERR_TLS).
	 */
	int		(*ht_ctx_setup)(SSL_CTX *ctx, void *arg);
	void		*ht_ctx_arg;
};

/* One call. Borrowed for the call (httpc_ev_start copies what it keeps). */
struct httpc_req {
	const char	*hr_method;	/* NULL: POST with a body, else GET */
	const char	*hr_url;	/* http:// or https:// */
	/* NULL-terminated "Name: value" lines (no CR/LF), or NULL. */
	const char *const *hr_headers;
	const void	*hr_body;	/* NULL: none */
	size_t		 hr_body_len;
	long		 hr_timeout_ms;	/* whole call; 0: the default */
	long		 hr_connect_timeout_ms;	/* 0: hr_timeout_ms */
	size_t		 hr_max_body;	/* response body cap, > 0 */
	size_t		 hr_max_header;	/* 0: HTTPC_DEFAULT_MAX_HEADER */
};

/* tls NULL: the defaults. NULL on bad settings (logged). */
struct httpc	*httpc_new(const struct httpc_tls *tls);
void		 httpc_free(struct httpc *);

/*
 * Blocking call. Any HTTP status is success (0) with *resp set (caller
 * frees); otherwise a negative HTTPC_ERR_* and *resp is NULL. c may be
 * NULL for a one-off call with the default TLS settings.
 */
int		 httpc_request(struct httpc *c, const struct httpc_req *,
		    struct httpc_resp **resp);
/* Why the last call through c failed (libcurl's words), or "". Borrowed. */
const char	*httpc_errmsg(const struct httpc *c);
const char	*httpc_strerror(int);

/*
 * Event-driven calls on an event_base: httpc_ev_start returns at once and
 * done runs later from the loop, exactly once unless the call is
 * cancelled. The request and its body are copied. *callp (may be NULL)
 * identifies the call until done runs.
 */
typedef void (*httpc_done_fn)(int rc, struct httpc_resp *resp,
    const char *errmsg, void *arg);
/*
 * done gets rc as httpc_request returns it; resp is the callee's to free
 * (NULL if rc != 0); errmsg is borrowed for the call ("" on success).
 */
struct httpc_ev	*httpc_ev_new(struct event_base *, const struct httpc_tls *);
/* Cancels the calls still running (their done is not called). */
void		 httpc_ev_free(struct httpc_ev *);
int		 httpc_ev_start(struct httpc_ev *, const struct httpc_req *,
		    httpc_done_fn done, void *arg, struct httpc_call **callp);
/* Abort a call whose done has not run yet; done will not run. */
void		 httpc_call_cancel(struct httpc_call *);

/* Responses; the caller owns one and frees it with httpc_resp_free. */
void		 httpc_resp_free(struct httpc_resp *);
int		 httpc_resp_status(const struct httpc_resp *);
/* First header of that name, case-insensitive; borrowed from resp. */
const char	*httpc_resp_header(const struct httpc_resp *, const char *name);
/*
 * Every header of the final response in the order received (names as the
 * server wrote them): name and value borrowed from resp. -1 if out of range.
 */
size_t		 httpc_resp_nheaders(const struct httpc_resp *);
int		 httpc_resp_header_at(const struct httpc_resp *, size_t i,
		    const char **name, const char **value);
/* The body (never NULL until taken); borrowed from resp. */
const struct buf *httpc_resp_body(const struct httpc_resp *);
/* Hand the body over (caller frees with buf_free); NULL once taken. */
struct buf	*httpc_resp_take_body(struct httpc_resp *);

#endif /* HK_HTTPC_H */
