/*
 * ocsp.h: OCSP for the security server (NOTES.md 4.4 and 4.7).
 *
 * - Requests carry no nonce (X-Road never sends one: responders may
 *   pre-generate responses).
 * - ocsp_verify() checks a DER response for (cert, issuer) against a
 *   caller-given "now", so tests and auditors get the same verdict every
 *   time; each failure has its own verdict and an X-Road-like message.
 * - struct ocsp_cache keeps the latest good response for each of the
 *   server's own certificates, keyed by hex SHA-1 (the OCSP download
 *   endpoint's key) and hex SHA-256; it persists them to a folder and a
 *   struct ocsp_refresher refreshes them from a libevent timer.
 * - ocsp_download_*() build the body of the OCSP download endpoint
 *   (GET /?cert=<hex SHA-1>&cert=...): multipart/related, one
 *   application/ocsp-response part per certificate.
 *
 * Unless said otherwise, X509 and EVP_PKEY arguments are borrowed (the
 * callee takes its own reference when it keeps one). DER buffers handed
 * out are malloc(3)ed and freed by the caller with free(3).
 */
#ifndef HK_OCSP_H
#define HK_OCSP_H

#include <stddef.h>
#include <time.h>

#include <openssl/x509.h>

struct buf;
struct event_base;

#define OCSP_FRESHNESS_DEFAULT		3600	/* ocspFreshnessSeconds */
#define OCSP_SKEW_DEFAULT		60	/* clock skew tolerated, s */
#define OCSP_FETCH_INTERVAL_DEFAULT	1200	/* ocspFetchInterval, s */
#define OCSP_FETCH_INTERVAL_MIN		60
#define OCSP_RETRY_DELAY_DEFAULT	60	/* ocsp-retry-delay, s */
#define OCSP_CONNECT_TIMEOUT_MS		20000
#define OCSP_TIMEOUT_MS			30000
#define OCSP_RESPONSE_MAX		(256 * 1024)
#define OCSP_DOWNLOAD_MAX_CERTS		32
#define OCSP_SHA1_HEX_LEN		40
#define OCSP_SHA256_HEX_LEN		64

enum ocsp_verdict {
	OCSP_V_GOOD = 0,
	OCSP_V_MALFORMED,	/* not a DER OCSP response / no basic resp */
	OCSP_V_NOT_SUCCESSFUL,	/* responseStatus is not successful */
	OCSP_V_WRONG_CERT,	/* no single response for this cert id */
	OCSP_V_UNAUTHORIZED,	/* responder is not the CA nor delegated */
	OCSP_V_BAD_SIGNATURE,	/* signature on the response is invalid */
	OCSP_V_REVOKED,
	OCSP_V_UNKNOWN,		/* certStatus unknown */
	OCSP_V_NOT_YET_VALID,	/* thisUpdate in the future (beyond skew) */
	OCSP_V_TOO_OLD,		/* thisUpdate older than the freshness */
	OCSP_V_EXPIRED,		/* nextUpdate passed (when checked) */
	OCSP_V_INTERNAL		/* out of memory, bad arguments */
};

/* Short name of a verdict ("good", "revoked", "too old", ...). */
const char	*ocsp_verdict_str(enum ocsp_verdict);

struct ocsp_verify_params {
	time_t		 op_now;		/* the verification time */
	long		 op_freshness;		/* max age of thisUpdate, s */
	long		 op_skew;		/* tolerated clock skew, s */
	int		 op_check_next_update;	/* reject past nextUpdate */
	/*
	 * Responder certificates trusted for this CA by configuration (the
	 * global configuration's approvedCA/ocspInfo/cert), borrowed; NULL
	 * when there are none. The CA itself and certificates it issued
	 * with id-kp-OCSPSigning are always accepted.
	 */
	STACK_OF(X509)	*op_responders;
};

/* Defaults: freshness 3600 s, skew 60 s, no nextUpdate check. */
void	ocsp_verify_params_init(struct ocsp_verify_params *, time_t now);

/* What a response said; times are 0 where absent. */
struct ocsp_info {
	int		 oi_status;	/* V_OCSP_CERTSTATUS_*, -1 if none */
	int		 oi_reason;	/* CRL reason when revoked, else -1 */
	time_t		 oi_this_update;
	time_t		 oi_next_update;
	time_t		 oi_produced_at;
	time_t		 oi_revoked_at;
};

/*
 * Verify DER response (der, len) for cert issued by issuer. Checks, in
 * this order: well-formed and successful; a single response whose
 * CertID matches (cert, issuer) with the hash algorithm it names; the
 * signer is found (in the response, the issuer or op_responders) and is
 * the CA, a responder trusted in op_responders, or a certificate the CA
 * issued with id-kp-OCSPSigning and valid at op_now; the signature;
 * certStatus (revoked and unknown win over the time checks: a signed
 * revocation is final); thisUpdate not after now + skew; thisUpdate not
 * older than the freshness; nextUpdate (if op_check_next_update and
 * present) not before now - skew.
 * info (may be NULL) is filled as far as parsing got; err (may be NULL)
 * gets a message like X-Road's ("OCSP response is too old (thisUpdate:
 * 2024-05-01T10:00:00Z)", "OCSP responder is not authorized for given
 * CA").
 */
enum ocsp_verdict ocsp_verify(const unsigned char *der, size_t len,
	    X509 *cert, X509 *issuer, const struct ocsp_verify_params *,
	    struct ocsp_info *info, char *err, size_t errlen);

/* 1 if the response holds a single response for (cert, issuer), else 0. */
int	ocsp_response_is_for(const unsigned char *der, size_t len, X509 *cert,
	    X509 *issuer);

/* DER OCSP request for (cert, issuer), SHA-1 CertID, no nonce. */
int	ocsp_request_der(X509 *cert, X509 *issuer, unsigned char **der,
	    size_t *lenp);

/*
 * First http(s) OCSP URL of cert's Authority Information Access into
 * url. -1 when there is none or it does not fit.
 */
int	ocsp_responder_url(X509 *cert, char *url, size_t urlsize);

struct ocsp_fetch_opts {
	long		 of_connect_timeout_ms;
	long		 of_timeout_ms;		/* whole transfer */
	size_t		 of_max_response;	/* bytes */
};

/* 20 s connect, 30 s total, 256 KiB. */
void	ocsp_fetch_opts_init(struct ocsp_fetch_opts *);

/*
 * POST a request for (cert, issuer) to url (NULL: the cert's AIA URL)
 * with libcurl (http and https only, no redirects, no proxy for
 * loopback) and return the DER response in *der (caller frees). The
 * response is only checked to be HTTP 200 and DER-parsable; verify it
 * with ocsp_verify(). opts may be NULL for the defaults. Blocks for up
 * to of_timeout_ms.
 */
int	ocsp_fetch(X509 *cert, X509 *issuer, const char *url,
	    const struct ocsp_fetch_opts *opts, unsigned char **der,
	    size_t *lenp, char *err, size_t errlen);

/*
 * The cache of the server's own certificates' OCSP responses. All
 * functions are thread-safe (the refresher fetches in a worker thread
 * while the event loop reads).
 */
struct ocsp_cache;

/* Clock for verification; NULL means time(3). */
typedef time_t	(*ocsp_clock_fn)(void *arg);

/*
 * dir: folder for <sha1hex>.der files (created if missing, 0700), or
 * NULL for memory only. Caller frees with ocsp_cache_free().
 */
struct ocsp_cache *ocsp_cache_new(const char *dir);
void	 ocsp_cache_free(struct ocsp_cache *);
void	 ocsp_cache_set_clock(struct ocsp_cache *, ocsp_clock_fn, void *arg);
/* freshness/skew < 0 leave the current value. */
void	 ocsp_cache_set_limits(struct ocsp_cache *, long freshness,
	    long skew, int check_next_update);
void	 ocsp_cache_set_fetch_opts(struct ocsp_cache *,
	    const struct ocsp_fetch_opts *);
/* Extra trusted responder certs (copied with new references), or NULL. */
int	 ocsp_cache_set_responders(struct ocsp_cache *, STACK_OF(X509) *);

/*
 * Keep (cert, issuer) fresh; url NULL means the cert's AIA URL at each
 * refresh. A response persisted in the folder is loaded when it still
 * verifies GOOD. Adding a cert twice updates its issuer and url.
 */
int	 ocsp_cache_add_cert(struct ocsp_cache *, X509 *cert, X509 *issuer,
	    const char *url);
/* hex: SHA-1 or SHA-256 hex of the cert. -1 if unknown. */
int	 ocsp_cache_remove_cert(struct ocsp_cache *, const char *hex);

/*
 * Verify der for the registered cert and store it as its latest response
 * (and persist it). Returns the verdict; nothing is stored unless GOOD.
 */
enum ocsp_verdict ocsp_cache_put(struct ocsp_cache *, X509 *cert,
	    const unsigned char *der, size_t len, char *err, size_t errlen);

/*
 * Fetch, verify, store and persist a response for every registered
 * cert. Returns 0 when every cert now has a fresh response from this
 * run, -1 if any failed (err names the first failure). Blocks; the event
 * loop uses struct ocsp_refresher instead.
 */
int	 ocsp_cache_refresh(struct ocsp_cache *, char *err, size_t errlen);

/*
 * Latest good response of the cert with this hex SHA-1 or SHA-256
 * (either case). *der is a copy the caller frees; this_update may be
 * NULL. Returns -1 when the cert is not registered or has no response.
 * The response is not re-checked for freshness here: compare
 * *this_update with the freshness limit where it matters.
 */
int	 ocsp_cache_get(struct ocsp_cache *, const char *hex,
	    unsigned char **der, size_t *lenp, time_t *this_update);

/*
 * For health and metrics: number of registered certs without a stored
 * response (return value, -1 on error) and the oldest stored thisUpdate
 * (0 when none) in *oldest.
 */
int	 ocsp_cache_status(struct ocsp_cache *, time_t *oldest);

/*
 * OCSP download endpoint body: one part per requested cert, in order.
 * Fails (-1, err names the hash) if a hash is malformed, unknown or has
 * no response, or there are none or more than OCSP_DOWNLOAD_MAX_CERTS.
 * *body (caller frees with buf_free) and ctype ("multipart/related;
 * charset=UTF-8; boundary=...") are set on success.
 */
int	 ocsp_download_body(struct ocsp_cache *, const char *const *hexes,
	    size_t n, struct buf **body, char *ctype, size_t ctypelen,
	    char *err, size_t errlen);
/* The same from a raw query string "cert=<hex>&cert=<hex>". */
int	 ocsp_download_query(struct ocsp_cache *, const char *query,
	    struct buf **body, char *ctype, size_t ctypelen, char *err,
	    size_t errlen);

/*
 * The refresh schedule: a libevent timer that runs ocsp_cache_refresh()
 * in a worker thread (so a slow responder never stalls the event loop),
 * then schedules the next run interval_s later, or retry_s after a
 * failure. done (may be NULL) is called on the event loop thread after
 * each run with 0 or -1. Start after any fork(2).
 */
struct ocsp_refresher;

typedef void	(*ocsp_refresh_done_fn)(int result, void *arg);

/* The cache is borrowed and must outlive the refresher. */
struct ocsp_refresher *ocsp_refresher_new(struct event_base *,
	    struct ocsp_cache *, unsigned int interval_s, unsigned int retry_s,
	    ocsp_refresh_done_fn done, void *arg);
/* First run right away. */
int	 ocsp_refresher_start(struct ocsp_refresher *);
/* Takes effect when the next run is scheduled (e.g. from globalconf). */
void	 ocsp_refresher_set_interval(struct ocsp_refresher *,
	    unsigned int interval_s, unsigned int retry_s);
/* Stops the timer; waits for a running refresh to finish. */
void	 ocsp_refresher_free(struct ocsp_refresher *);

#endif /* HK_OCSP_H */
