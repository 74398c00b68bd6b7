/*
 * securityserverd.h: the security server daemon's modules.
 *
 * Shared, reusable pieces (identifiers, SOAP/REST, signatures, OCSP, global
 * configuration, HTTP, SQLite) live in securityserver/lib/ with their own
 * headers; this header holds the daemon's own modules, grouped by file.
 */
#ifndef HK_SECURITYSERVERD_H
#define HK_SECURITYSERVERD_H

#include <stddef.h>
#include <time.h>

#include <openssl/ssl.h>
#include <openssl/x509.h>

#include "conf.h"
#include "xrid.h"

struct batchsign;
struct db;
struct event;
struct event_base;
struct gconf;
struct certcheck_trust;
struct http_server;
struct ocsp_cache;
struct ocsp_refresher;
struct archiver;
struct msglog;
struct timestamper;
struct serverconf;
struct signer;
struct confclient;
struct proxy_client;
struct proxy_server;

/*
 * Snapshots of configuration that change while requests are in flight: a
 * request acquires the current one and releases it when it is done, so a
 * reload never frees what an exchange still reads.
 */
struct sc_snap {
	int			 ss_refs;
	struct serverconf	*ss_sc;
};

struct gc_snap {
	int			 gs_refs;
	struct gconf		*gs_gc;
	time_t			 gs_expires;	/* Expire-date of the directory */
	struct certcheck_trust	*gs_trust;	/* approved CAs */
	STACK_OF(X509)		*gs_ocsp_responders;
};

struct ssd_stats {
	unsigned long long	st_requests;	/* client proxy */
	unsigned long long	st_requests_ok;
	unsigned long long	st_served;	/* server proxy */
	unsigned long long	st_served_ok;
	unsigned long long	st_faults;
};

/* The daemon: one per process, passed to every module (no globals). */
struct ssd {
	struct event_base	*sd_base;
	struct conf		*sd_conf;
	struct xrid		 sd_server_id;	/* SERVER */
	struct xrid		 sd_owner;	/* MEMBER owning this server */
	char			 sd_state_dir[1024];
	X509			*sd_auth_cert;
	STACK_OF(X509)		*sd_auth_chain;
	EVP_PKEY		*sd_auth_key;
	struct signer		*sd_signer;
	struct batchsign	*sd_batch;
	struct ocsp_cache	*sd_ocsp;	/* this server's own certs */
	struct ocsp_refresher	*sd_ocsp_refresher;
	struct msglog		*sd_msglog;	/* message log */
	struct timestamper	*sd_ts;		/* its batch timestamper */
	struct archiver		*sd_archiver;	/* its archiver */
	SSL_CTX			*sd_tls_server;	/* server proxy, mutual TLS */
	struct db		*sd_scdb;
	struct sc_snap		*sd_sc_snap;
	struct event		*sd_sc_timer;
	long long		 sd_sc_version;	/* PRAGMA data_version seen */
	struct confclient	*sd_cc;
	struct proxy_client	*sd_pc;
	struct proxy_server	*sd_ps;
	struct http_server	*sd_cp;		/* client proxy listener */
	struct http_server	*sd_cps;	/* client proxy HTTPS, or NULL */
	SSL_CTX			*sd_tls_is;	/* its TLS context */
	struct http_server	*sd_sp;		/* server proxy listener */
	struct http_server	*sd_ocspd;	/* OCSP download listener */
	struct http_server	*sd_admin;	/* health, metrics, admin */
	struct ssd_stats	 sd_stats;
};

/* securityserverd.c */
extern const struct conf_option ssd_options[];

/* acl.c */
int	acl_path_normalize(const char *in, char *out, size_t outlen);
int	acl_path_match(const char *glob, const char *path);
int	acl_method_match(const char *rule, const char *method);

/* serverconf.c */
enum sc_status { SC_REGISTERED = 1, SC_DISABLED };
enum sc_is_auth { SC_NOSSL = 0, SC_SSLNOAUTH, SC_SSLAUTH };

struct sc_client {
	struct xrid	 c_id;
	enum sc_status	 c_status;
	enum sc_is_auth	 c_is_auth;
	int		 c_body_logging;
	STACK_OF(X509)	*c_is_certs;	/* pinned IS certs (SSLAUTH), or NULL */
};

struct sc_service {
	struct xrid	 s_id;		/* SERVICE, with version if any */
	int		 s_rest;
	char		*s_url;		/* the provider IS endpoint */
	int		 s_timeout;	/* seconds */
	int		 s_disabled;
	char		*s_disabled_notice;
	char		*s_description;	/* WSDL / OpenAPI file or URL */
};

/* Is client in global group (a GLOBALGROUP id)? Answered by global conf. */
typedef int (*sc_group_fn)(void *arg, const struct xrid *group,
	    const struct xrid *client);

struct serverconf;
int	serverconf_open(const char *path, int readonly, struct db **out);
/* A snapshot; every pointer it returns lives as long as the snapshot. */
int	serverconf_load(struct db *, struct serverconf **out);
void	serverconf_free(struct serverconf *);
size_t	serverconf_nclients(const struct serverconf *);
const struct sc_client *serverconf_client_at(const struct serverconf *,
	    size_t);
const struct sc_client *serverconf_client(const struct serverconf *,
	    const struct xrid *);
size_t	serverconf_nservices(const struct serverconf *);
const struct sc_service *serverconf_service_at(const struct serverconf *,
	    size_t);
const struct sc_service *serverconf_service(const struct serverconf *,
	    const struct xrid *service);
/*
 * 1 if client may call service; for REST, method and path (raw request
 * path, normalised here) are checked against each right's method and
 * glob; for SOAP pass NULL for both.
 */
int	serverconf_allowed(const struct serverconf *, const struct xrid *client,
	    const struct xrid *service, const char *method, const char *path,
	    sc_group_fn in_global_group, void *arg);
int	serverconf_audit(struct db *, const char *actor, const char *action,
	    const char *detail);
int	serverconf_client_add(struct db *, const struct xrid *client,
	    const char *is_auth);
/* Pin an IS certificate (PEM text) for a client; -1 if not a cert. */
int	serverconf_is_cert_add(struct db *, const struct xrid *client,
	    const char *pem);
int	serverconf_service_add(struct db *, const struct xrid *service,
	    int rest, const char *url, int timeout, const char *description);
int	serverconf_service_enable(struct db *, const struct xrid *service,
	    int enable, const char *notice);
/* Local groups of a provider client; add = 0 removes the member. */
int	serverconf_group_add(struct db *, const struct xrid *provider,
	    const char *code, const char *description);
int	serverconf_group_member(struct db *, const struct xrid *provider,
	    const char *code, const struct xrid *member, int add);
int	serverconf_right_grant(struct db *, const struct xrid *service,
	    const struct xrid *subject, const char *method, const char *path);
int	serverconf_right_revoke(struct db *, const struct xrid *service,
	    const struct xrid *subject, const char *method, const char *path);

/* serverconf.c (daemon side) */
/* Reload the snapshot if the database changed (or force). */
int	ssd_serverconf_refresh(struct ssd *, int force);
/* The current snapshot, referenced; release it when done. */
struct sc_snap *ssd_serverconf_acquire(struct ssd *);
void	ssd_serverconf_release(struct sc_snap *);

/* confclient.c: global configuration download, verification, swap */
int	confclient_check_anchor(struct ssd *);
int	confclient_start(struct ssd *);
void	confclient_stop(struct ssd *);
/*
 * The current global configuration, referenced, or NULL when there is
 * none or it has expired (answer Server.ClientProxy.OutdatedGlobalConf).
 */
struct gc_snap *confclient_acquire(struct ssd *);
void	confclient_release(struct gc_snap *);
/* Seconds until the current copy expires (negative: expired/none). */
long long confclient_remaining(struct ssd *);
/* Why the last download failed, "" after a success. */
const char *confclient_last_error(struct ssd *);
/* Start a download now (the result comes later). */
void	confclient_fetch_now(struct ssd *);

/* ocspd.c: OCSP of this server's own certs; the download endpoint */
int	ssd_ocsp_start(struct ssd *);
int	ssd_ocsp_routes(struct ssd *);
void	ssd_ocsp_stop(struct ssd *);

/*
 * msglog_hook.c: the four points where the message log writes a record.
 * A placeholder that reports success; the message-log module replaces
 * the file. The exchange continues only once done() reports success.
 */
enum msglog_point {
	MSGLOG_CLIENT_REQUEST = 1,	/* client proxy: signed, not yet sent */
	MSGLOG_CLIENT_RESPONSE,		/* client proxy: verified, not yet answered */
	MSGLOG_SERVER_REQUEST,		/* server proxy: verified, not yet forwarded */
	MSGLOG_SERVER_RESPONSE		/* server proxy: signed, not yet answered */
};

/* One record; every pointer is borrowed for the msglog_hook() call. */
struct msglog_rec {
	enum msglog_point	 mr_point;
	int			 mr_rest;	/* 0 SOAP, 1 REST */
	const char		*mr_query_id;	/* xrd:id / X-Road-Id */
	const char		*mr_request_id;	/* x-road-request-id (UUID) */
	const struct xrid	*mr_client;
	const struct xrid	*mr_service;
	int			 mr_body_logging; /* of the local subsystem */
	const unsigned char	*mr_message;	/* SOAP bytes or REST head */
	size_t			 mr_message_len;
	const unsigned char	*mr_body;	/* REST body, or NULL */
	size_t			 mr_body_len;
	size_t			 mr_nattachments; /* SOAP attachments */
	const char		*mr_signature;	/* signature/bdoc-1.0/ts */
	size_t			 mr_signature_len;
	const char		*mr_hcr;	/* hash chain result, or NULL */
	size_t			 mr_hcr_len;
	const char		*mr_hc;		/* hash chain, or NULL */
	size_t			 mr_hc_len;
	int			 mr_status;	/* REST response status, else 0 */
};

/*
 * rc 0: the record is durably written; -1: it is not (LoggingFailed);
 * MSGLOG_HOOK_TSFAIL: timestamping has failed for longer than the
 * acceptable period, new exchanges are refused
 * (LoggingFailed.TimestamperFailed).
 */
#define MSGLOG_HOOK_TSFAIL	(-2)
#define MSGLOG_HOOK_FAULT(rc) ((rc) == MSGLOG_HOOK_TSFAIL ? \
	"LoggingFailed.TimestamperFailed" : "LoggingFailed")
typedef void (*msglog_done_fn)(int rc, const char *why, void *arg);
struct msglog_req;

/*
 * Write a record. done runs exactly once, later, from the event loop
 * (never from inside this call), unless msglog_cancel() comes first.
 * Returns NULL (done will not run) if the record cannot be queued.
 */
struct msglog_req *msglog_hook(struct ssd *, const struct msglog_rec *,
	    msglog_done_fn done, void *arg);
/* The exchange is gone: done will not run. NULL is fine. */
void	msglog_cancel(struct msglog_req *);
/* Open / close the message log and its timestamper. */
int	ssd_msglog_start(struct ssd *);
void	ssd_msglog_stop(struct ssd *);

/* proxy_client.c: the member side (client proxy) */
int	proxy_client_routes(struct ssd *);
void	proxy_client_stop(struct ssd *);

/* proxy_server.c: between security servers (server proxy) */
int	proxy_server_start(struct ssd *);
int	proxy_server_routes(struct ssd *);
void	proxy_server_stop(struct ssd *);

/* admin.c: health, metrics */
struct buf;
int	admin_routes(struct ssd *);
/* Number of reasons (appended to why) this server cannot exchange now. */
int	admin_health_reasons(struct ssd *, struct buf *why);

#endif /* HK_SECURITYSERVERD_H */
