/*
 * tlsctx.h: OpenSSL SSL_CTXs of the security server (NOTES.md 4.2-4.4).
 *
 * Between security servers: mutual TLS 1.2+ (1.3 allowed) with the
 * servers' authentication certs. The peer's chain is verified against
 * the approved CAs (struct certcheck_trust), then a hook of the daemon
 * decides (the cert hash is registered for the expected server in global
 * configuration, OCSP is fresh). TLS 1.2 offers X-Road's cipher list
 * after modern AEAD suites so stock X-Road peers interoperate. Sessions
 * resume (server cache + tickets; a per-peer client cache) so pooled
 * connections are cheap.
 *
 * Towards member information systems (IS): an HTTPS listener that asks
 * for, but does not require, an IS client cert, and a per-request check
 * of the client subsystem's connection type (NOSSL, SSLNOAUTH, SSLAUTH);
 * and a client context to call provider IS over HTTPS, pinning the IS
 * certs when "verify TLS certificate" is on.
 *
 * Every returned SSL_CTX belongs to the caller (SSL_CTX_free). X509,
 * STACK_OF(X509) and EVP_PKEY arguments are borrowed: the context takes
 * its own references. The trust set and the hook's argument are
 * borrowed and must outlive the context.
 *
 * A resumed session skips certificate verification: the peer cert is
 * remembered in the session (SSL_get0_peer_certificate), so a daemon
 * that must re-check registration or OCSP per request does so with it.
 */
#ifndef HK_TLSCTX_H
#define HK_TLSCTX_H

#include <stddef.h>

#include <openssl/ssl.h>
#include <openssl/x509.h>

struct certcheck_trust;

/* X-Road's xroad-tls-ciphers (TLS 1.2), in OpenSSL names. */
#define TLSCTX_XROAD_CIPHERS \
	"ECDHE-RSA-AES256-SHA384:DHE-RSA-AES256-SHA256:" \
	"ECDHE-ECDSA-AES256-SHA384"
#define TLSCTX_AEAD_CIPHERS \
	"ECDHE-ECDSA-AES256-GCM-SHA384:ECDHE-RSA-AES256-GCM-SHA384:" \
	"ECDHE-ECDSA-CHACHA20-POLY1305:ECDHE-RSA-CHACHA20-POLY1305:" \
	"ECDHE-ECDSA-AES128-GCM-SHA256:ECDHE-RSA-AES128-GCM-SHA256"
/* Between security servers: AEAD first, then X-Road's list. */
#define TLSCTX_SS_CIPHERS	TLSCTX_AEAD_CIPHERS ":" TLSCTX_XROAD_CIPHERS
/* Towards IS: ECDHE/DHE with AES-GCM or AES-CBC (ug-syspar note 1). */
#define TLSCTX_IS_CIPHERS	TLSCTX_AEAD_CIPHERS ":" \
	"DHE-RSA-AES256-GCM-SHA384:DHE-RSA-AES128-GCM-SHA256:" \
	"ECDHE-ECDSA-AES256-SHA384:ECDHE-RSA-AES256-SHA384:" \
	"DHE-RSA-AES256-SHA256"

#define TLSCTX_SESSION_TIMEOUT	300	/* s, default session lifetime */
#define TLSCTX_VERIFY_DEPTH	8

/*
 * The daemon's peer check, called during the handshake after the chain
 * verified against the trust set (chain: leaf first, anchor last) or,
 * without a trust set, with the chain the peer sent (leaf first). ssl
 * gives access to the connection (SSL_get_app_data). Return 0 to accept,
 * -1 to abort the handshake.
 */
typedef int	(*tlsctx_peer_fn)(SSL *ssl, X509 *peer, STACK_OF(X509) *chain,
		    void *arg);

struct tlsctx_params {
	/* Our cert, its chain (may be NULL) and key... */
	X509			*tp_cert;
	STACK_OF(X509)		*tp_chain;
	EVP_PKEY		*tp_key;
	/* ...or PEM files (cert first, then its chain), when tp_cert NULL. */
	const char		*tp_cert_file;
	const char		*tp_key_file;
	/* Peer verification (at least one of the two for SS contexts). */
	const struct certcheck_trust *tp_trust;
	tlsctx_peer_fn		 tp_peer_check;
	void			*tp_peer_arg;
	long			 tp_session_timeout;	/* s; 0: default */
	const char		*tp_ciphers;	/* TLS 1.2 list; NULL: default */
};

/* Zeroes p (the defaults). */
void	tlsctx_params_init(struct tlsctx_params *p);

/*
 * Security server contexts. The server requires a client cert (a client
 * without one is refused in the handshake); the client presents ours.
 * Peer purpose: the server checks the client cert for TLS client use,
 * the client the server cert for TLS server use. NULL with err on error.
 */
SSL_CTX	*tlsctx_ss_server_new(const struct tlsctx_params *, char *err,
	    size_t errlen);
SSL_CTX	*tlsctx_ss_client_new(const struct tlsctx_params *, char *err,
	    size_t errlen);

/*
 * Client-side session reuse for a context from tlsctx_ss_client_new or
 * tlsctx_is_client_new: name the peer (e.g. "host:port" or the server
 * id) before SSL_connect; a session cached for that name is offered and
 * new sessions are cached under it (at most 1024 peers).
 */
int	tlsctx_client_session_attach(SSL *ssl, const char *peer_key);

/* IS connection types of a client subsystem (X-Road isAuthentication). */
enum tlsctx_is_auth {
	TLSCTX_IS_NOSSL = 0,	/* HTTP or HTTPS, no client cert check */
	TLSCTX_IS_SSLNOAUTH,	/* HTTPS required */
	TLSCTX_IS_SSLAUTH	/* HTTPS + a registered IS cert required */
};

/*
 * The client proxy's HTTPS listener: our internal TLS cert and key from
 * p (trust and hook are ignored); asks for a client cert, accepts any
 * (IS certs are usually self-signed: they are pinned, see below).
 */
SSL_CTX	*tlsctx_is_server_new(const struct tlsctx_params *, char *err,
	    size_t errlen);

/*
 * May a request that came over ssl (NULL: plain HTTP) act for a client
 * subsystem with this connection type and these registered IS certs
 * (may be NULL)? 0 yes, -1 no with err.
 */
int	tlsctx_is_client_allowed(SSL *ssl, enum tlsctx_is_auth,
	    STACK_OF(X509) *is_certs, char *err, size_t errlen);

/*
 * Calling a provider IS over HTTPS. p may carry our internal TLS cert
 * and key to present (tp_cert NULL and no files: none). is_certs NULL:
 * the IS cert is not checked; otherwise the IS must present one of
 * them (pinning; references are taken).
 */
SSL_CTX	*tlsctx_is_client_new(const struct tlsctx_params *,
	    STACK_OF(X509) *is_certs, char *err, size_t errlen);

/*
 * Load a PEM cert file (leaf first, then chain) and a PEM key file.
 * *chain may come back empty. Caller frees all three.
 */
int	tlsctx_load_pem(const char *cert_file, const char *key_file,
	    X509 **cert, STACK_OF(X509) **chain, EVP_PKEY **key, char *err,
	    size_t errlen);

#endif /* HK_TLSCTX_H */
