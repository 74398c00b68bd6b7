/*
 * proxy_peer.c: the client proxy's connections to other security servers
 * (NOTES.md 4.2 step 4, 4.4).
 *
 * One mutual-TLS HTTP context (httpc_ev) per peer server, so connections
 * and TLS sessions are pooled per peer and the handshake check knows
 * which server it should be talking to. The check, against the global
 * configuration of the moment: the peer's auth cert chains to an approved
 * CA, its hash is registered for exactly that server, and a fresh GOOD
 * OCSP response for it is known. The OCSP response is not in the
 * handshake: the first handshake with a new cert is refused for want of
 * it, the exchange downloads it from the peer's OCSP port (X-Road's
 * GET /?cert=<sha1 hex>; port = server proxy port + 77, see proxy.h),
 * and tries again. Pooled connections skip the handshake, so before each
 * request the exchange asks whether the known cert's response went
 * stale (proxy_peer_ocsp_due) and refreshes it first.
 *
 * A peer whose address or registered cert changed in global
 * configuration is retired (its pooled connections stay with it) and a
 * new one is made; retired peers are freed at shutdown.
 */
#include "config.h"

#include <sys/queue.h>

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <openssl/ssl.h>

#include "buf.h"
#include "certcheck.h"
#include "compat.h"
#include "globalconf.h"
#include "httpc.h"
#include "log.h"
#include "mime.h"
#include "ocsp.h"
#include "tlsctx.h"
#include "securityserverd.h"
#include "proxy.h"

#define PEER_MAX		1024
#define PEER_HOST_MAX		255

struct proxy_peer {
	TAILQ_ENTRY(proxy_peer)	 pp_entry;
	struct proxy_peers	*pp_peers;
	struct xrid		 pp_server;
	char			 pp_name[XRID_STR_MAX];
	char			 pp_host[PEER_HOST_MAX + 1];
	unsigned int		 pp_port;
	char			 pp_url[PEER_HOST_MAX + 32];
	struct httpc_ev		*pp_tls;
	int			 pp_retired;
	/* The auth cert of the last handshake that got as far as OCSP. */
	X509			*pp_cert;
	X509			*pp_issuer;
	STACK_OF(X509)		*pp_chain;
	/* Its verified OCSP response. */
	unsigned char		*pp_ocsp;
	size_t			 pp_ocsp_len;
	time_t			 pp_ocsp_this_update;
	int			 pp_need_ocsp;
	char			 pp_why[640];
	time_t			 pp_down;	/* last connection failure */
};

struct proxy_fetch {
	TAILQ_ENTRY(proxy_fetch) pf_entry;
	struct proxy_peer	*pf_peer;
	struct httpc_call	*pf_call;
	proxy_peer_done_fn	 pf_done;
	void			*pf_arg;
};

struct proxy_peers {
	struct ssd			*ps_sd;
	struct httpc_ev			*ps_plain;	/* OCSP downloads */
	TAILQ_HEAD(, proxy_peer)	 ps_list;
	TAILQ_HEAD(, proxy_fetch)	 ps_fetches;
	size_t				 ps_n;
};

static void
peer_forget_cert(struct proxy_peer *pp)
{
	X509_free(pp->pp_cert);
	X509_free(pp->pp_issuer);
	sk_X509_pop_free(pp->pp_chain, X509_free);
	free(pp->pp_ocsp);
	pp->pp_cert = NULL;
	pp->pp_issuer = NULL;
	pp->pp_chain = NULL;
	pp->pp_ocsp = NULL;
	pp->pp_ocsp_len = 0;
	pp->pp_ocsp_this_update = 0;
}

static void
peer_free(struct proxy_peer *pp)
{
	httpc_ev_free(pp->pp_tls);
	peer_forget_cert(pp);
	free(pp);
}

static long long
freshness(const struct gc_snap *gs)
{
	long long f = gconf_ocsp_freshness(gs->gs_gc);

	return f > 0 ? f : OCSP_FRESHNESS_DEFAULT;
}

static int
ocsp_fresh(const struct proxy_peer *pp, const struct gc_snap *gs)
{
	return pp->pp_ocsp != NULL &&
	    pp->pp_ocsp_this_update + freshness(gs) > time(NULL);
}

/*
 * The handshake check (httpc_peer_fn): runs inside libcurl's handshake
 * on the event loop; chain is what the peer sent (leaf first).
 */
static int
peer_check(X509 *leaf, STACK_OF(X509) *chain, void *arg)
{
	struct proxy_peer	*pp = arg;
	struct gc_snap		*gs;
	struct certcheck_params	 cp;
	struct certcheck_error	 ce;
	STACK_OF(X509)		*verified = NULL;
	const struct gconf_server *want, *have;
	int			 ok = -1;

	pp->pp_need_ocsp = 0;
	if ((gs = confclient_acquire(pp->pp_peers->ps_sd)) == NULL) {
		(void)strlcpy(pp->pp_why, "no valid global configuration",
		    sizeof(pp->pp_why));
		return -1;
	}
	proxy_certcheck_params(&cp, gs, CERTCHECK_PURPOSE_AUTH);
	cp.cp_flags |= CERTCHECK_NO_OCSP;
	if (certcheck_verify(gs->gs_trust, leaf, chain, NULL, 0, &cp,
	    &verified, &ce) == -1) {
		(void)snprintf(pp->pp_why, sizeof(pp->pp_why), "the "
		    "authentication certificate of %.200s is not valid: %.200s",
		    pp->pp_name, ce.ce_msg);
		goto done;
	}
	want = gconf_server_by_id(gs->gs_gc, &pp->pp_server);
	have = gconf_server_by_auth_cert(gs->gs_gc, leaf);
	if (want == NULL || have != want) {
		(void)snprintf(pp->pp_why, sizeof(pp->pp_why), "the peer's "
		    "authentication certificate is not registered for "
		    "security server %.200s", pp->pp_name);
		goto done;
	}
	if (pp->pp_cert == NULL || X509_cmp(pp->pp_cert, leaf) != 0) {
		peer_forget_cert(pp);
		if (sk_X509_num(verified) < 2 || X509_up_ref(leaf) != 1)
			goto done;
		pp->pp_cert = leaf;
		pp->pp_issuer = sk_X509_value(verified, 1);
		if (X509_up_ref(pp->pp_issuer) != 1) {
			pp->pp_issuer = NULL;
			goto done;
		}
		if (chain != NULL &&
		    (pp->pp_chain = X509_chain_up_ref(chain)) == NULL)
			goto done;
	}
	if (!ocsp_fresh(pp, gs)) {
		pp->pp_need_ocsp = 1;
		(void)snprintf(pp->pp_why, sizeof(pp->pp_why), "no fresh OCSP "
		    "response for the authentication certificate of %.200s",
		    pp->pp_name);
		goto done;
	}
	pp->pp_why[0] = '\0';
	ok = 0;
 done:
	sk_X509_pop_free(verified, X509_free);
	confclient_release(gs);
	return ok;
}

/* TLS 1.2+ and the cipher list of security servers (tlsctx.h). */
static int
peer_ctx_setup(SSL_CTX *ctx, void *arg)
{
	(void)arg;
	if (!SSL_CTX_set_min_proto_version(ctx, TLS1_2_VERSION) ||
	    SSL_CTX_set_cipher_list(ctx, TLSCTX_SS_CIPHERS) != 1)
		return -1;
	return 0;
}

int
proxy_parse_address(const char *addr, char *host, size_t hostlen,
    unsigned int *port)
{
	const char	*p, *end, *colon;
	const char	*errstr = NULL;
	size_t		 n;

	*port = PROXY_DEFAULT_PORT;
	if (addr == NULL || *addr == '\0')
		return -1;
	if (*addr == '[') {
		if ((end = strchr(addr, ']')) == NULL)
			return -1;
		p = addr + 1;
		n = (size_t)(end - p);
		colon = end[1] == ':' ? end + 1 : NULL;
		if (end[1] != '\0' && colon == NULL)
			return -1;
	} else {
		p = addr;
		colon = strrchr(addr, ':');
		if (colon != NULL && strchr(addr, ':') != colon)
			return -1;	/* bare IPv6 needs brackets */
		n = colon != NULL ? (size_t)(colon - addr) : strlen(addr);
	}
	if (n == 0 || n >= hostlen)
		return -1;
	memcpy(host, p, n);
	host[n] = '\0';
	for (p = host; *p != '\0'; p++)
		if (!isalnum((unsigned char)*p) && *p != '.' && *p != '-' &&
		    *p != ':' && *p != '_')
			return -1;
	if (colon != NULL) {
		*port = (unsigned int)strtonum(colon + 1, 1,
		    65535 - PROXY_OCSP_PORT_OFFSET, &errstr);
		if (errstr != NULL)
			return -1;
	}
	return 0;
}

struct proxy_peers *
proxy_peers_new(struct ssd *sd)
{
	struct proxy_peers *ps;

	if ((ps = calloc(1, sizeof(*ps))) == NULL)
		return NULL;
	ps->ps_sd = sd;
	TAILQ_INIT(&ps->ps_list);
	TAILQ_INIT(&ps->ps_fetches);
	if ((ps->ps_plain = httpc_ev_new(sd->sd_base, NULL)) == NULL) {
		free(ps);
		return NULL;
	}
	return ps;
}

void
proxy_peers_free(struct proxy_peers *ps)
{
	struct proxy_peer	*pp;
	struct proxy_fetch	*pf;

	if (ps == NULL)
		return;
	while ((pf = TAILQ_FIRST(&ps->ps_fetches)) != NULL)
		proxy_fetch_cancel(pf);
	httpc_ev_free(ps->ps_plain);
	while ((pp = TAILQ_FIRST(&ps->ps_list)) != NULL) {
		TAILQ_REMOVE(&ps->ps_list, pp, pp_entry);
		peer_free(pp);
	}
	free(ps);
}

static struct proxy_peer *
peer_new(struct proxy_peers *ps, const struct xrid *id, const char *host,
    unsigned int port, struct proxy_fault *f)
{
	struct proxy_peer	*pp;
	struct httpc_tls	 t;
	struct ssd		*sd = ps->ps_sd;

	if (ps->ps_n >= PEER_MAX) {
		proxy_fault_set(f, XR_PREFIX_CLIENTPROXY, XR_E_INTERNAL_ERROR,
		    "Too many security servers");
		return NULL;
	}
	if ((pp = calloc(1, sizeof(*pp))) == NULL)
		goto nomem;
	pp->pp_peers = ps;
	pp->pp_server = *id;
	(void)xrid_format(id, 0, pp->pp_name, sizeof(pp->pp_name));
	(void)strlcpy(pp->pp_host, host, sizeof(pp->pp_host));
	pp->pp_port = port;
	(void)snprintf(pp->pp_url, sizeof(pp->pp_url), strchr(host, ':') ?
	    "https://[%s]:%u/" : "https://%s:%u/", host, port);
	memset(&t, 0, sizeof(t));
	t.ht_cert = sd->sd_auth_cert;
	t.ht_key = sd->sd_auth_key;
	t.ht_chain = sd->sd_auth_chain;
	/* Identity is the registered cert hash, not a host name. */
	t.ht_no_verify_peer = 1;
	t.ht_no_verify_host = 1;
	t.ht_peer_check = peer_check;
	t.ht_peer_arg = pp;
	t.ht_ctx_setup = peer_ctx_setup;
	if ((pp->pp_tls = httpc_ev_new(sd->sd_base, &t)) == NULL) {
		free(pp);
		goto nomem;
	}
	TAILQ_INSERT_HEAD(&ps->ps_list, pp, pp_entry);
	ps->ps_n++;
	return pp;
 nomem:
	proxy_fault_set(f, XR_PREFIX_CLIENTPROXY, XR_E_INTERNAL_ERROR,
	    "Out of memory");
	return NULL;
}

struct proxy_peer *
proxy_peer_get(struct proxy_peers *ps, const struct gc_snap *gs,
    const struct gconf_server *srv, struct proxy_fault *f)
{
	struct proxy_peer	*pp;
	struct xrid		 id;
	char			 host[PEER_HOST_MAX + 1];
	unsigned int		 port;

	if (xrid_set_server(&id, gconf_instance(gs->gs_gc), srv->gv_owner_class,
	    srv->gv_owner_code, srv->gv_code, NULL, 0) == -1) {
		proxy_fault_set(f, XR_PREFIX_CLIENTPROXY, XR_E_INTERNAL_ERROR,
		    "Bad security server identifier in global configuration");
		return NULL;
	}
	if (proxy_parse_address(srv->gv_address, host, sizeof(host),
	    &port) == -1) {
		proxy_fault_set(f, XR_PREFIX_CLIENTPROXY, "NetworkError",
		    "Security server %s/%s/%s has no usable address in global "
		    "configuration", srv->gv_owner_class, srv->gv_owner_code,
		    srv->gv_code);
		return NULL;
	}
	TAILQ_FOREACH(pp, &ps->ps_list, pp_entry) {
		if (pp->pp_retired || !xrid_equal(&pp->pp_server, &id))
			continue;
		if (strcmp(pp->pp_host, host) != 0 || pp->pp_port != port ||
		    (pp->pp_cert != NULL && gconf_server_by_auth_cert(
		    gs->gs_gc, pp->pp_cert) != srv)) {
			/* Moved or re-keyed: new connections from now on. */
			log_info("peer %s changed in global configuration",
			    pp->pp_name);
			pp->pp_retired = 1;
			break;
		}
		return pp;
	}
	return peer_new(ps, &id, host, port, f);
}

const char *
proxy_peer_url(const struct proxy_peer *pp)
{
	return pp->pp_url;
}

const char *
proxy_peer_name(const struct proxy_peer *pp)
{
	return pp->pp_name;
}

struct httpc_ev *
proxy_peer_http(struct proxy_peer *pp)
{
	return pp->pp_tls;
}

void
proxy_peer_set_down(struct proxy_peer *pp)
{
	pp->pp_down = time(NULL);
}

int
proxy_peer_is_down(const struct proxy_peer *pp)
{
	return pp->pp_down != 0 && time(NULL) - pp->pp_down <
	    PROXY_PEER_DOWN_S;
}

int
proxy_peer_ocsp_due(const struct proxy_peer *pp, const struct gc_snap *gs)
{
	return pp->pp_cert != NULL && !ocsp_fresh(pp, gs);
}

int
proxy_peer_take_need_ocsp(struct proxy_peer *pp, char *why, size_t whylen)
{
	int need = pp->pp_need_ocsp;

	pp->pp_need_ocsp = 0;
	(void)strlcpy(why, pp->pp_why, whylen);
	pp->pp_why[0] = '\0';
	return need;
}

/* Check a downloaded response and keep it. */
static int
peer_ocsp_accept(struct proxy_peer *pp, const unsigned char *der, size_t len,
    char *why, size_t whylen)
{
	struct gc_snap			*gs;
	struct certcheck_params		 cp;
	struct certcheck_error		 ce;
	struct certcheck_ocsp		 co = { der, len };
	struct ocsp_verify_params	 op;
	struct ocsp_info		 oi;
	int				 rc = -1;

	if ((gs = confclient_acquire(pp->pp_peers->ps_sd)) == NULL) {
		(void)strlcpy(why, "no valid global configuration", whylen);
		return -1;
	}
	proxy_certcheck_params(&cp, gs, CERTCHECK_PURPOSE_AUTH);
	if (certcheck_verify(gs->gs_trust, pp->pp_cert, pp->pp_chain, &co, 1,
	    &cp, NULL, &ce) == -1) {
		(void)snprintf(why, whylen, "authentication certificate of "
		    "%.200s: %.200s", pp->pp_name, ce.ce_msg);
		goto done;
	}
	ocsp_verify_params_init(&op, cp.cp_now);
	op.op_freshness = cp.cp_ocsp_freshness;
	op.op_responders = gs->gs_ocsp_responders;
	if (ocsp_verify(der, len, pp->pp_cert, pp->pp_issuer, &op, &oi, why,
	    whylen) != OCSP_V_GOOD)
		goto done;
	free(pp->pp_ocsp);
	if ((pp->pp_ocsp = malloc(len)) == NULL) {
		pp->pp_ocsp_len = 0;
		(void)strlcpy(why, "out of memory", whylen);
		goto done;
	}
	memcpy(pp->pp_ocsp, der, len);
	pp->pp_ocsp_len = len;
	pp->pp_ocsp_this_update = oi.oi_this_update;
	rc = 0;
 done:
	confclient_release(gs);
	return rc;
}

static void
fetch_done(int rc, struct httpc_resp *resp, const char *errmsg, void *arg)
{
	struct proxy_fetch	*pf = arg;
	struct proxy_peer	*pp = pf->pf_peer;
	struct mime_multipart	*mm = NULL;
	const unsigned char	*der;
	const char		*ct;
	char			 why[512], merr[MIME_ERR_MAX];
	size_t			 len;
	int			 ok = -1;

	TAILQ_REMOVE(&pp->pp_peers->ps_fetches, pf, pf_entry);
	if (rc != 0) {
		(void)snprintf(why, sizeof(why), "OCSP download from %.200s "
		    "failed: %.200s", pp->pp_name, errmsg);
		goto done;
	}
	if (httpc_resp_status(resp) != 200) {
		(void)snprintf(why, sizeof(why), "OCSP download from %.200s: "
		    "HTTP "
		    "%d", pp->pp_name, httpc_resp_status(resp));
		goto done;
	}
	ct = httpc_resp_header(resp, "Content-Type");
	if (mime_parse_ctype(buf_data(httpc_resp_body(resp)),
	    buf_len(httpc_resp_body(resp)), ct, NULL, &mm, merr,
	    sizeof(merr)) == -1) {
		(void)snprintf(why, sizeof(why), "OCSP download from %.200s: "
		    "%.200s", pp->pp_name, merr);
		goto done;
	}
	der = mime_part_body(mime_part_at(mm, 0), &len);
	if (pp->pp_cert == NULL) {
		(void)strlcpy(why, "peer certificate forgotten", sizeof(why));
		goto done;
	}
	ok = peer_ocsp_accept(pp, der, len, why, sizeof(why));
 done:
	mime_multipart_free(mm);
	httpc_resp_free(resp);
	if (ok == 0)
		log_debug("peer %s: OCSP response of its auth cert verified",
		    pp->pp_name);
	pf->pf_done(ok, ok == 0 ? "" : why, pf->pf_arg);
	free(pf);
}

struct proxy_fetch *
proxy_peer_fetch_ocsp(struct proxy_peer *pp, proxy_peer_done_fn done,
    void *arg)
{
	struct proxy_fetch	*pf;
	struct httpc_req	 rq;
	char			 hex[OCSP_SHA1_HEX_LEN + 1];
	char			 url[PEER_HOST_MAX + 128];

	if (pp->pp_cert == NULL || certcheck_sha1_hex(pp->pp_cert, hex) == -1)
		return NULL;
	if (snprintf(url, sizeof(url), strchr(pp->pp_host, ':') != NULL ?
	    "http://[%s]:%u/?cert=%s" : "http://%s:%u/?cert=%s", pp->pp_host,
	    pp->pp_port + PROXY_OCSP_PORT_OFFSET, hex) >= (int)sizeof(url))
		return NULL;
	if ((pf = calloc(1, sizeof(*pf))) == NULL)
		return NULL;
	pf->pf_peer = pp;
	pf->pf_done = done;
	pf->pf_arg = arg;
	memset(&rq, 0, sizeof(rq));
	rq.hr_method = "GET";
	rq.hr_url = url;
	rq.hr_connect_timeout_ms = OCSP_CONNECT_TIMEOUT_MS;
	rq.hr_timeout_ms = OCSP_TIMEOUT_MS;
	rq.hr_max_body = OCSP_RESPONSE_MAX + 4096;
	if (httpc_ev_start(pp->pp_peers->ps_plain, &rq, fetch_done, pf,
	    &pf->pf_call) != 0) {
		free(pf);
		return NULL;
	}
	TAILQ_INSERT_TAIL(&pp->pp_peers->ps_fetches, pf, pf_entry);
	log_debug("peer %s: fetching %s", pp->pp_name, url);
	return pf;
}

void
proxy_fetch_cancel(struct proxy_fetch *pf)
{
	if (pf == NULL)
		return;
	httpc_call_cancel(pf->pf_call);
	TAILQ_REMOVE(&pf->pf_peer->pp_peers->ps_fetches, pf, pf_entry);
	free(pf);
}
