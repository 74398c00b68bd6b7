/*
 * tlsctx.c: SSL_CTXs between security servers and towards member
 * information systems.
 */
#include "config.h"

#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/err.h>
#include <openssl/pem.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>

#include "certcheck.h"
#include "compat.h"
#include "log.h"
#include "tlsctx.h"

#define TLSCTX_SESSIONS_MAX	1024

static const unsigned char	 ss_sid_ctx[] = "hukumati-ss";
static const unsigned char	 is_sid_ctx[] = "hukumati-is";

struct sess_entry {
	char		*se_key;
	SSL_SESSION	*se_sess;
};

struct sess_cache {
	pthread_mutex_t		 sc_mtx;
	struct sess_entry	*sc_entries;
	size_t			 sc_n;
	size_t			 sc_evict;	/* next slot to reuse when full */
};

/* What a context needs at handshake time; freed with the context. */
struct tlsctx_data {
	const struct certcheck_trust	*td_trust;
	tlsctx_peer_fn			 td_hook;
	void				*td_hook_arg;
	STACK_OF(X509)			*td_pins;	/* IS client pinning */
	struct sess_cache		*td_sessions;	/* client side */
};

static pthread_once_t	 idx_once = PTHREAD_ONCE_INIT;
static int		 ctx_idx = -1;
static int		 ssl_key_idx = -1;

static void	seterr(char *, size_t, const char *, ...)
		    __attribute__((format(printf, 3, 4)));

static void
seterr(char *err, size_t errlen, const char *fmt, ...)
{
	va_list	 ap;

	if (err == NULL || errlen == 0)
		return;
	va_start(ap, fmt);
	(void)vsnprintf(err, errlen, fmt, ap);
	va_end(ap);
}

/* Append OpenSSL's first queued error, then clear the queue. */
static void
seterr_ssl(char *err, size_t errlen, const char *what)
{
	char	 buf[256];

	ERR_error_string_n(ERR_peek_error(), buf, sizeof(buf));
	seterr(err, errlen, "%s: %s", what, buf);
	ERR_clear_error();
}

static void
sess_cache_free(struct sess_cache *sc)
{
	size_t	 i;

	if (sc == NULL)
		return;
	for (i = 0; i < sc->sc_n; i++) {
		free(sc->sc_entries[i].se_key);
		SSL_SESSION_free(sc->sc_entries[i].se_sess);
	}
	free(sc->sc_entries);
	pthread_mutex_destroy(&sc->sc_mtx);
	free(sc);
}

static void
data_free(struct tlsctx_data *d)
{
	if (d == NULL)
		return;
	sk_X509_pop_free(d->td_pins, X509_free);
	sess_cache_free(d->td_sessions);
	free(d);
}

static void
ctx_data_free_cb(void *parent, void *ptr, CRYPTO_EX_DATA *ad, int idx,
    long argl, void *argp)
{
	data_free(ptr);
}

static void
ssl_key_free_cb(void *parent, void *ptr, CRYPTO_EX_DATA *ad, int idx,
    long argl, void *argp)
{
	free(ptr);
}

static void
idx_init(void)
{
	ctx_idx = SSL_CTX_get_ex_new_index(0, NULL, NULL, NULL,
	    ctx_data_free_cb);
	ssl_key_idx = SSL_get_ex_new_index(0, NULL, NULL, NULL,
	    ssl_key_free_cb);
}

static int
idx_ready(void)
{
	if (pthread_once(&idx_once, idx_init) != 0)
		return 0;
	return ctx_idx >= 0 && ssl_key_idx >= 0;
}

void
tlsctx_params_init(struct tlsctx_params *p)
{
	memset(p, 0, sizeof(*p));
}

static int
no_passphrase(char *buf, int size, int rwflag, void *u)
{
	return -1;
}

int
tlsctx_load_pem(const char *cert_file, const char *key_file, X509 **cert,
    STACK_OF(X509) **chain, EVP_PKEY **key, char *err, size_t errlen)
{
	FILE		*fp = NULL;
	X509		*c = NULL, *x;
	STACK_OF(X509)	*ch = NULL;
	EVP_PKEY	*k = NULL;
	int		 rv = -1;

	*cert = NULL;
	*chain = NULL;
	*key = NULL;
	if ((fp = fopen(cert_file, "r")) == NULL) {
		seterr(err, errlen, "cannot open %s", cert_file);
		goto done;
	}
	if ((c = PEM_read_X509(fp, NULL, NULL, NULL)) == NULL) {
		seterr_ssl(err, errlen, cert_file);
		goto done;
	}
	if ((ch = sk_X509_new_null()) == NULL)
		goto nomem;
	while ((x = PEM_read_X509(fp, NULL, NULL, NULL)) != NULL) {
		if (!sk_X509_push(ch, x)) {
			X509_free(x);
			goto nomem;
		}
	}
	ERR_clear_error();	/* the end of the file */
	fclose(fp);
	if ((fp = fopen(key_file, "r")) == NULL) {
		seterr(err, errlen, "cannot open %s", key_file);
		goto done;
	}
	if ((k = PEM_read_PrivateKey(fp, NULL, no_passphrase, NULL)) == NULL) {
		seterr_ssl(err, errlen, key_file);
		goto done;
	}
	*cert = c;
	*chain = ch;
	*key = k;
	c = NULL;
	ch = NULL;
	k = NULL;
	rv = 0;
	goto done;
 nomem:
	seterr(err, errlen, "out of memory");
 done:
	if (fp != NULL)
		fclose(fp);
	X509_free(c);
	sk_X509_pop_free(ch, X509_free);
	EVP_PKEY_free(k);
	return rv;
}

/* Our cert and key from p (objects or files); optional when !need. */
static int
ctx_use_cert(SSL_CTX *ctx, const struct tlsctx_params *p, int need,
    char *err, size_t errlen)
{
	X509		*cert = NULL;
	STACK_OF(X509)	*chain = NULL;
	EVP_PKEY	*key = NULL;
	int		 rv = -1;

	if (p->tp_cert != NULL) {
		if (p->tp_key == NULL) {
			seterr(err, errlen, "certificate given without key");
			return -1;
		}
		if (!X509_check_private_key(p->tp_cert, p->tp_key)) {
			seterr_ssl(err, errlen, "key does not match "
			    "certificate");
			return -1;
		}
		if (!SSL_CTX_use_cert_and_key(ctx, p->tp_cert, p->tp_key,
		    p->tp_chain, 1)) {
			seterr_ssl(err, errlen, "cannot use certificate");
			return -1;
		}
	} else if (p->tp_cert_file != NULL && p->tp_key_file != NULL) {
		if (tlsctx_load_pem(p->tp_cert_file, p->tp_key_file, &cert,
		    &chain, &key, err, errlen) == -1)
			return -1;
		if (!X509_check_private_key(cert, key)) {
			seterr_ssl(err, errlen, "key does not match "
			    "certificate");
			goto done;
		}
		if (!SSL_CTX_use_cert_and_key(ctx, cert, key, chain, 1)) {
			seterr_ssl(err, errlen, "cannot use certificate");
			goto done;
		}
	} else if (need) {
		seterr(err, errlen, "no certificate and key given");
		return -1;
	} else
		return 0;
	if (!SSL_CTX_check_private_key(ctx)) {
		seterr_ssl(err, errlen, "key does not match certificate");
		goto done;
	}
	rv = 0;
 done:
	X509_free(cert);
	sk_X509_pop_free(chain, X509_free);
	EVP_PKEY_free(key);
	return rv;
}

static SSL_CTX *
ctx_new(int server, const struct tlsctx_params *p, const char *ciphers,
    struct tlsctx_data **dp, char *err, size_t errlen)
{
	SSL_CTX			*ctx;
	struct tlsctx_data	*d;
	uint64_t		 opts;

	*dp = NULL;
	if (!idx_ready()) {
		seterr(err, errlen, "cannot allocate ex_data indices");
		return NULL;
	}
	if ((ctx = SSL_CTX_new(server ? TLS_server_method() :
	    TLS_client_method())) == NULL) {
		seterr_ssl(err, errlen, "SSL_CTX_new");
		return NULL;
	}
	if ((d = calloc(1, sizeof(*d))) == NULL ||
	    !SSL_CTX_set_ex_data(ctx, ctx_idx, d)) {
		free(d);
		seterr(err, errlen, "out of memory");
		goto fail;
	}
	*dp = d;
	opts = SSL_OP_NO_RENEGOTIATION | SSL_OP_NO_COMPRESSION;
	if (server)
		opts |= SSL_OP_CIPHER_SERVER_PREFERENCE;
	(void)SSL_CTX_set_options(ctx, opts);
	if (!SSL_CTX_set_min_proto_version(ctx, TLS1_2_VERSION)) {
		seterr_ssl(err, errlen, "cannot set the TLS version");
		goto fail;
	}
	if (!SSL_CTX_set_cipher_list(ctx, p->tp_ciphers != NULL ?
	    p->tp_ciphers : ciphers)) {
		seterr_ssl(err, errlen, "bad cipher list");
		goto fail;
	}
	if (server && !SSL_CTX_set_dh_auto(ctx, 1)) {
		seterr_ssl(err, errlen, "cannot enable DHE");
		goto fail;
	}
	SSL_CTX_set_verify_depth(ctx, TLSCTX_VERIFY_DEPTH);
	(void)SSL_CTX_set_timeout(ctx, p->tp_session_timeout > 0 ?
	    p->tp_session_timeout : TLSCTX_SESSION_TIMEOUT);
	return ctx;
 fail:
	SSL_CTX_free(ctx);
	*dp = NULL;
	return NULL;
}

static int
new_session_cb(SSL *ssl, SSL_SESSION *sess)
{
	struct tlsctx_data	*d;
	struct sess_cache	*sc;
	struct sess_entry	*e = NULL;
	const char		*key;
	char			*kcopy = NULL;
	size_t			 i;

	d = SSL_CTX_get_ex_data(SSL_get_SSL_CTX(ssl), ctx_idx);
	key = SSL_get_ex_data(ssl, ssl_key_idx);
	if (d == NULL || (sc = d->td_sessions) == NULL || key == NULL)
		return 0;
	pthread_mutex_lock(&sc->sc_mtx);
	for (i = 0; i < sc->sc_n; i++)
		if (strcmp(sc->sc_entries[i].se_key, key) == 0) {
			e = &sc->sc_entries[i];
			break;
		}
	if (e == NULL) {
		if ((kcopy = strdup(key)) == NULL) {
			pthread_mutex_unlock(&sc->sc_mtx);
			return 0;
		}
		if (sc->sc_n < TLSCTX_SESSIONS_MAX)
			e = &sc->sc_entries[sc->sc_n++];
		else {
			e = &sc->sc_entries[sc->sc_evict];
			sc->sc_evict = (sc->sc_evict + 1) % TLSCTX_SESSIONS_MAX;
			free(e->se_key);
			SSL_SESSION_free(e->se_sess);
		}
		e->se_key = kcopy;
		e->se_sess = NULL;
	}
	SSL_SESSION_free(e->se_sess);
	e->se_sess = sess;	/* the callback's reference is ours */
	pthread_mutex_unlock(&sc->sc_mtx);
	return 1;
}

static int
client_sessions_enable(SSL_CTX *ctx, struct tlsctx_data *d)
{
	struct sess_cache	*sc;

	if ((sc = calloc(1, sizeof(*sc))) == NULL)
		return -1;
	if ((sc->sc_entries = calloc(TLSCTX_SESSIONS_MAX,
	    sizeof(*sc->sc_entries))) == NULL ||
	    pthread_mutex_init(&sc->sc_mtx, NULL) != 0) {
		free(sc->sc_entries);
		free(sc);
		return -1;
	}
	d->td_sessions = sc;
	SSL_CTX_set_session_cache_mode(ctx, SSL_SESS_CACHE_CLIENT |
	    SSL_SESS_CACHE_NO_INTERNAL_STORE);
	SSL_CTX_sess_set_new_cb(ctx, new_session_cb);
	return 0;
}

int
tlsctx_client_session_attach(SSL *ssl, const char *peer_key)
{
	struct tlsctx_data	*d;
	struct sess_cache	*sc;
	char			*k;
	size_t			 i;
	int			 rv = 0;

	if (!idx_ready() || ssl == NULL || peer_key == NULL)
		return -1;
	d = SSL_CTX_get_ex_data(SSL_get_SSL_CTX(ssl), ctx_idx);
	if (d == NULL || (sc = d->td_sessions) == NULL)
		return -1;
	if ((k = strdup(peer_key)) == NULL)
		return -1;
	free(SSL_get_ex_data(ssl, ssl_key_idx));
	if (!SSL_set_ex_data(ssl, ssl_key_idx, k)) {
		free(k);
		return -1;
	}
	pthread_mutex_lock(&sc->sc_mtx);
	for (i = 0; i < sc->sc_n; i++) {
		if (strcmp(sc->sc_entries[i].se_key, peer_key) != 0)
			continue;
		if (SSL_SESSION_is_resumable(sc->sc_entries[i].se_sess) &&
		    !SSL_set_session(ssl, sc->sc_entries[i].se_sess))
			rv = -1;
		break;
	}
	pthread_mutex_unlock(&sc->sc_mtx);
	return rv;
}

static void
log_reject(X509_STORE_CTX *xctx, const char *why)
{
	X509	*c = X509_STORE_CTX_get_current_cert(xctx);
	char	 subj[256];

	if (c == NULL)
		c = X509_STORE_CTX_get0_cert(xctx);
	if (c == NULL || X509_NAME_oneline(X509_get_subject_name(c), subj,
	    sizeof(subj)) == NULL)
		(void)strlcpy(subj, "?", sizeof(subj));
	log_info("tls: peer certificate %s rejected: %s", subj, why);
}

/* Replaces X509_verify_cert for security server contexts. */
static int
ss_verify_cb(X509_STORE_CTX *xctx, void *arg)
{
	struct tlsctx_data	*d = arg;
	STACK_OF(X509)		*orig, *all = NULL, *sent = NULL;
	STACK_OF(X509)		*chain, *inter;
	SSL			*ssl;
	X509			*leaf;
	int			 i, ok = 0;

	ssl = X509_STORE_CTX_get_ex_data(xctx,
	    SSL_get_ex_data_X509_STORE_CTX_idx());
	if ((leaf = X509_STORE_CTX_get0_cert(xctx)) == NULL)
		return 0;
	if (d->td_trust != NULL) {
		/* The peer's certs plus the approved intermediates. */
		orig = X509_STORE_CTX_get0_untrusted(xctx);
		all = orig != NULL ? sk_X509_dup(orig) : sk_X509_new_null();
		if (all == NULL)
			goto done;
		inter = certcheck_trust_intermediates(d->td_trust);
		for (i = 0; i < sk_X509_num(inter); i++)
			if (!sk_X509_push(all, sk_X509_value(inter, i)))
				goto done;
		X509_STORE_CTX_set0_untrusted(xctx, all);
		ok = X509_verify_cert(xctx);
		X509_STORE_CTX_set0_untrusted(xctx, orig);
		if (ok != 1) {
			ok = 0;
			log_reject(xctx, X509_verify_cert_error_string(
			    X509_STORE_CTX_get_error(xctx)));
			goto done;
		}
		chain = X509_STORE_CTX_get0_chain(xctx);
		if (sk_X509_num(chain) < 2) {
			ok = 0;
			X509_STORE_CTX_set_error(xctx,
			    X509_V_ERR_APPLICATION_VERIFICATION);
			log_reject(xctx, "a CA certificate as the leaf");
			goto done;
		}
	} else {
		/* No trust set: the hook sees what the peer sent. */
		if ((sent = sk_X509_new_null()) == NULL ||
		    !sk_X509_push(sent, leaf))
			goto done;
		orig = X509_STORE_CTX_get0_untrusted(xctx);
		for (i = 0; orig != NULL && i < sk_X509_num(orig); i++)
			if (X509_cmp(sk_X509_value(orig, i), leaf) != 0 &&
			    !sk_X509_push(sent, sk_X509_value(orig, i)))
				goto done;
		chain = sent;
	}
	ok = 1;
	if (d->td_hook != NULL && d->td_hook(ssl, leaf, chain,
	    d->td_hook_arg) != 0) {
		ok = 0;
		X509_STORE_CTX_set_error(xctx,
		    X509_V_ERR_APPLICATION_VERIFICATION);
		log_reject(xctx, "refused by the peer check");
	}
 done:
	sk_X509_free(all);
	sk_X509_free(sent);
	return ok;
}

static SSL_CTX *
ss_ctx_new(int server, const struct tlsctx_params *p, char *err,
    size_t errlen)
{
	SSL_CTX			*ctx;
	struct tlsctx_data	*d;

	if (p == NULL || (p->tp_trust == NULL && p->tp_peer_check == NULL)) {
		seterr(err, errlen, "no way to check the peer: give a trust "
		    "set or a peer check");
		return NULL;
	}
	if ((ctx = ctx_new(server, p, TLSCTX_SS_CIPHERS, &d, err,
	    errlen)) == NULL)
		return NULL;
	d->td_trust = p->tp_trust;
	d->td_hook = p->tp_peer_check;
	d->td_hook_arg = p->tp_peer_arg;
	if (ctx_use_cert(ctx, p, 1, err, errlen) == -1)
		goto fail;
	if (p->tp_trust != NULL && !SSL_CTX_set1_verify_cert_store(ctx,
	    certcheck_trust_store(p->tp_trust))) {
		seterr_ssl(err, errlen, "cannot set the trust store");
		goto fail;
	}
	SSL_CTX_set_cert_verify_callback(ctx, ss_verify_cb, d);
	if (server) {
		SSL_CTX_set_verify(ctx, SSL_VERIFY_PEER |
		    SSL_VERIFY_FAIL_IF_NO_PEER_CERT | SSL_VERIFY_CLIENT_ONCE,
		    NULL);
		if (!SSL_CTX_set_session_id_context(ctx, ss_sid_ctx,
		    sizeof(ss_sid_ctx) - 1)) {
			seterr_ssl(err, errlen, "session id context");
			goto fail;
		}
		(void)SSL_CTX_set_session_cache_mode(ctx,
		    SSL_SESS_CACHE_SERVER);
	} else {
		SSL_CTX_set_verify(ctx, SSL_VERIFY_PEER, NULL);
		if (client_sessions_enable(ctx, d) == -1) {
			seterr(err, errlen, "out of memory");
			goto fail;
		}
	}
	return ctx;
 fail:
	SSL_CTX_free(ctx);
	return NULL;
}

SSL_CTX *
tlsctx_ss_server_new(const struct tlsctx_params *p, char *err, size_t errlen)
{
	return ss_ctx_new(1, p, err, errlen);
}

SSL_CTX *
tlsctx_ss_client_new(const struct tlsctx_params *p, char *err, size_t errlen)
{
	return ss_ctx_new(0, p, err, errlen);
}

/* IS certs are pinned, not chained: accept here, check per request. */
static int
is_accept_any_cb(X509_STORE_CTX *xctx, void *arg)
{
	X509_STORE_CTX_set_error(xctx, X509_V_OK);
	return 1;
}

SSL_CTX *
tlsctx_is_server_new(const struct tlsctx_params *p, char *err,
    size_t errlen)
{
	SSL_CTX			*ctx;
	struct tlsctx_data	*d;

	if (p == NULL) {
		seterr(err, errlen, "no parameters");
		return NULL;
	}
	if ((ctx = ctx_new(1, p, TLSCTX_IS_CIPHERS, &d, err, errlen)) == NULL)
		return NULL;
	if (ctx_use_cert(ctx, p, 1, err, errlen) == -1)
		goto fail;
	SSL_CTX_set_cert_verify_callback(ctx, is_accept_any_cb, NULL);
	SSL_CTX_set_verify(ctx, SSL_VERIFY_PEER | SSL_VERIFY_CLIENT_ONCE,
	    NULL);
	if (!SSL_CTX_set_session_id_context(ctx, is_sid_ctx,
	    sizeof(is_sid_ctx) - 1)) {
		seterr_ssl(err, errlen, "session id context");
		goto fail;
	}
	(void)SSL_CTX_set_session_cache_mode(ctx, SSL_SESS_CACHE_SERVER);
	return ctx;
 fail:
	SSL_CTX_free(ctx);
	return NULL;
}

static int
pinned(STACK_OF(X509) *pins, X509 *c)
{
	int	 i;

	for (i = 0; pins != NULL && i < sk_X509_num(pins); i++)
		if (X509_cmp(sk_X509_value(pins, i), c) == 0)
			return 1;
	return 0;
}

int
tlsctx_is_client_allowed(SSL *ssl, enum tlsctx_is_auth mode,
    STACK_OF(X509) *is_certs, char *err, size_t errlen)
{
	X509	*peer;

	switch (mode) {
	case TLSCTX_IS_NOSSL:
		return 0;
	case TLSCTX_IS_SSLNOAUTH:
	case TLSCTX_IS_SSLAUTH:
		if (ssl == NULL) {
			seterr(err, errlen, "Client specifies HTTPS but the "
			    "request came over plain HTTP");
			return -1;
		}
		if (mode == TLSCTX_IS_SSLNOAUTH)
			return 0;
		if ((peer = SSL_get0_peer_certificate(ssl)) == NULL) {
			seterr(err, errlen, "Client specifies HTTPS with "
			    "authentication but did not supply a TLS "
			    "certificate");
			return -1;
		}
		if (!pinned(is_certs, peer)) {
			seterr(err, errlen, "Client TLS certificate does not "
			    "match any registered IS certificate");
			return -1;
		}
		return 0;
	}
	seterr(err, errlen, "unknown IS connection type");
	return -1;
}

static int
is_pin_cb(X509_STORE_CTX *xctx, void *arg)
{
	struct tlsctx_data	*d = arg;
	X509			*leaf = X509_STORE_CTX_get0_cert(xctx);

	if (leaf != NULL && pinned(d->td_pins, leaf)) {
		X509_STORE_CTX_set_error(xctx, X509_V_OK);
		return 1;
	}
	X509_STORE_CTX_set_error(xctx, X509_V_ERR_APPLICATION_VERIFICATION);
	log_reject(xctx, "not a registered IS certificate");
	return 0;
}

SSL_CTX *
tlsctx_is_client_new(const struct tlsctx_params *p, STACK_OF(X509) *is_certs,
    char *err, size_t errlen)
{
	struct tlsctx_params	 def;
	SSL_CTX			*ctx;
	struct tlsctx_data	*d;

	if (p == NULL) {
		tlsctx_params_init(&def);
		p = &def;
	}
	if ((ctx = ctx_new(0, p, TLSCTX_IS_CIPHERS, &d, err, errlen)) == NULL)
		return NULL;
	if (ctx_use_cert(ctx, p, 0, err, errlen) == -1)
		goto fail;
	if (is_certs != NULL) {
		if ((d->td_pins = X509_chain_up_ref(is_certs)) == NULL) {
			seterr(err, errlen, "out of memory");
			goto fail;
		}
		SSL_CTX_set_cert_verify_callback(ctx, is_pin_cb, d);
		SSL_CTX_set_verify(ctx, SSL_VERIFY_PEER, NULL);
	} else
		SSL_CTX_set_verify(ctx, SSL_VERIFY_NONE, NULL);
	if (client_sessions_enable(ctx, d) == -1) {
		seterr(err, errlen, "out of memory");
		goto fail;
	}
	return ctx;
 fail:
	SSL_CTX_free(ctx);
	return NULL;
}
