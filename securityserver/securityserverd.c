/*
 * securityserverd.c: the security server daemon: configuration, keys,
 * listeners, the event loop and signals. The message path lives in
 * proxy_client.c (member side) and proxy_server.c (between servers).
 */
#include "config.h"

#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <event2/event.h>
#include <openssl/err.h>
#include <openssl/pem.h>
#include <openssl/ssl.h>
#include <openssl/x509v3.h>

#include "certcheck.h"
#include "compat.h"
#include "conf.h"
#include "db.h"
#include "http.h"
#include "httpc.h"
#include "log.h"
#include "ocsp.h"
#include "signer.h"
#include "tlsctx.h"
#include "securityserverd.h"

static void
usage(void)
{
	fprintf(stderr, "usage: securityserverd [-dn] -c config\n");
	exit(2);
}

static void
on_signal(evutil_socket_t sig, short ev, void *arg)
{
	struct ssd *sd = arg;

	(void)ev;
	if (sig == SIGHUP) {
		log_info("SIGHUP: reloading server configuration");
		ssd_serverconf_refresh(sd, 1);
		return;
	}
	log_info("signal %d: stopping", (int)sig);
	event_base_loopexit(sd->sd_base, NULL);
}

/* Load the member signing keys of every [member ID] section. */
static int
load_member_keys(struct ssd *sd)
{
	size_t	i, n = conf_section_count(sd->sd_conf, "member *");

	for (i = 0; i < n; i++) {
		const char	*sec = conf_section_name(sd->sd_conf,
		    "member *", i);
		const char	*mid = conf_section_instance(sd->sd_conf,
		    "member *", i);
		struct xrid	 m;
		char		 err[XRID_ERR_MAX];

		if (xrid_parse(&m, XRID_MASK(XRID_MEMBER), mid, 0, err,
		    sizeof(err)) == -1) {
			log_warnx("%s: [%s]: %s", conf_name(sd->sd_conf), sec,
			    err);
			return -1;
		}
		if (signer_add_key_files(sd->sd_signer, mid,
		    conf_get_str(sd->sd_conf, sec, "sign-key"),
		    conf_get_str(sd->sd_conf, sec, "sign-cert"),
		    conf_get_str(sd->sd_conf, sec, "sign-chain")) == -1) {
			log_warnx("%s: [%s]: cannot load the signing key",
			    conf_name(sd->sd_conf), sec);
			return -1;
		}
	}
	return 0;
}

/* Append the certificates of a PEM file to *chain (created if NULL). */
static int
load_chain(const char *file, STACK_OF(X509) **chain)
{
	BIO	*bio;
	X509	*x;
	int	 n = 0;

	if ((bio = BIO_new_file(file, "r")) == NULL)
		return -1;
	if (*chain == NULL && (*chain = sk_X509_new_null()) == NULL) {
		BIO_free(bio);
		return -1;
	}
	while ((x = PEM_read_bio_X509(bio, NULL, NULL, NULL)) != NULL) {
		/* A self-signed root is the peer's business, not ours. */
		if (X509_check_issued(x, x) == X509_V_OK ||
		    sk_X509_push(*chain, x) == 0) {
			X509_free(x);
			continue;
		}
		n++;
	}
	ERR_clear_error();
	BIO_free(bio);
	return n > 0 ? 0 : -1;
}

/* Everything that -n checks: config, keys, certificates, anchor. */
static int
ssd_load(struct ssd *sd, const char *path)
{
	char	err[512];

	if (conf_load_file(ssd_options, path, &sd->sd_conf, err,
	    sizeof(err)) == -1) {
		log_warnx("%s", err);
		return -1;
	}
	log_setlevel((enum log_level)conf_get_enum(sd->sd_conf, "server",
	    "log-level"));
	if (xrid_parse(&sd->sd_server_id, XRID_MASK(XRID_SERVER),
	    conf_get_str(sd->sd_conf, "server", "server-id"), 0, err,
	    sizeof(err)) == -1) {
		log_warnx("%s: server-id: %s", path, err);
		return -1;
	}
	xrid_member(&sd->sd_server_id, &sd->sd_owner);
	if (strlcpy(sd->sd_state_dir, conf_get_str(sd->sd_conf, "server",
	    "state-dir"), sizeof(sd->sd_state_dir)) >=
	    sizeof(sd->sd_state_dir)) {
		log_warnx("%s: state-dir too long", path);
		return -1;
	}
	if (tlsctx_load_pem(conf_get_str(sd->sd_conf, "tls", "auth-cert"),
	    conf_get_str(sd->sd_conf, "tls", "auth-key"), &sd->sd_auth_cert,
	    &sd->sd_auth_chain, &sd->sd_auth_key, err, sizeof(err)) == -1) {
		log_warnx("%s: auth key/cert: %s", path, err);
		return -1;
	}
	if (conf_isset(sd->sd_conf, "tls", "auth-chain") &&
	    load_chain(conf_get_str(sd->sd_conf, "tls", "auth-chain"),
	    &sd->sd_auth_chain) == -1) {
		log_warnx("%s: auth-chain: cannot read", path);
		return -1;
	}
	if ((sd->sd_signer = signer_new()) == NULL)
		return -1;
	if (load_member_keys(sd) == -1)
		return -1;
	if (confclient_check_anchor(sd) == -1)
		return -1;
	return 0;
}

static void
on_sc_timer(evutil_socket_t fd, short ev, void *arg)
{
	(void)fd;
	(void)ev;
	(void)ssd_serverconf_refresh(arg, 0);
}

static struct http_server *
listen_on(struct ssd *sd, const char *section, const char *portkey,
    size_t max_body, int timeout_s, SSL_CTX *ssl)
{
	struct http_server_conf hc;

	memset(&hc, 0, sizeof(hc));
	hc.hs_addr = conf_get_str(sd->sd_conf, section, "address");
	hc.hs_port = (uint16_t)conf_get_int(sd->sd_conf, section, portkey);
	hc.hs_max_header = 64 * 1024;
	hc.hs_max_body = max_body;
	hc.hs_timeout_ms = timeout_s * 1000;
	hc.hs_ssl_ctx = ssl;
	return http_server_new(sd->sd_base, &hc);
}

static int
ssd_start(struct ssd *sd)
{
	struct conf	*c = sd->sd_conf;
	char		 path[1024];

	if ((sd->sd_base = event_base_new()) == NULL)
		return -1;
	if (snprintf(path, sizeof(path), "%s/serverconf.db",
	    sd->sd_state_dir) >= (int)sizeof(path))
		return -1;
	if (serverconf_open(path, 0, &sd->sd_scdb) == -1)
		return -1;
	if (ssd_serverconf_refresh(sd, 1) == -1)
		return -1;
	/* securityserverctl changes take effect within two seconds. */
	{
		struct timeval two = { 2, 0 };

		sd->sd_sc_timer = event_new(sd->sd_base, -1, EV_PERSIST,
		    on_sc_timer, sd);
		if (sd->sd_sc_timer == NULL ||
		    event_add(sd->sd_sc_timer, &two) == -1)
			return -1;
	}
	if (confclient_start(sd) == -1)
		return -1;
	if (ssd_msglog_start(sd) == -1)
		return -1;
	if (ssd_ocsp_start(sd) == -1)
		return -1;
	if (proxy_server_start(sd) == -1)
		return -1;

	sd->sd_cp = listen_on(sd, "client-proxy", "port",
	    conf_get_size(c, "client-proxy", "max-body-size"),
	    (int)conf_get_duration(c, "client-proxy", "timeout"), NULL);
	if (conf_get_int(c, "client-proxy", "https-port") != 0) {
		struct tlsctx_params	tp;
		char			err[256];

		tlsctx_params_init(&tp);
		if (conf_isset(c, "client-proxy", "tls-cert")) {
			tp.tp_cert_file = conf_get_str(c, "client-proxy",
			    "tls-cert");
			tp.tp_key_file = conf_get_str(c, "client-proxy",
			    "tls-key");
		} else {
			tp.tp_cert = sd->sd_auth_cert;
			tp.tp_chain = sd->sd_auth_chain;
			tp.tp_key = sd->sd_auth_key;
		}
		if ((sd->sd_tls_is = tlsctx_is_server_new(&tp, err,
		    sizeof(err))) == NULL) {
			log_warnx("client proxy HTTPS: %s", err);
			return -1;
		}
		if ((sd->sd_cps = listen_on(sd, "client-proxy", "https-port",
		    conf_get_size(c, "client-proxy", "max-body-size"),
		    (int)conf_get_duration(c, "client-proxy", "timeout"),
		    sd->sd_tls_is)) == NULL)
			return -1;
	}
	sd->sd_sp = listen_on(sd, "server-proxy", "port",
	    conf_get_size(c, "server-proxy", "max-body-size"),
	    (int)conf_get_duration(c, "server-proxy", "timeout"),
	    sd->sd_tls_server);
	sd->sd_ocspd = listen_on(sd, "server-proxy", "ocsp-port", 4096, 30,
	    NULL);
	sd->sd_admin = listen_on(sd, "admin", "port", 64 * 1024, 30, NULL);
	if (sd->sd_cp == NULL || sd->sd_sp == NULL || sd->sd_ocspd == NULL ||
	    sd->sd_admin == NULL)
		return -1;
	if (proxy_client_routes(sd) == -1 || proxy_server_routes(sd) == -1 ||
	    ssd_ocsp_routes(sd) == -1 || admin_routes(sd) == -1)
		return -1;
	log_info("%s ready: client proxy %u, server proxy %u, OCSP %u, "
	    "admin %u", conf_get_str(c, "server", "server-id"),
	    http_server_port(sd->sd_cp), http_server_port(sd->sd_sp),
	    http_server_port(sd->sd_ocspd), http_server_port(sd->sd_admin));
	return 0;
}

static void
ssd_free(struct ssd *sd)
{
	http_server_free(sd->sd_cp);
	http_server_free(sd->sd_cps);
	SSL_CTX_free(sd->sd_tls_is);
	http_server_free(sd->sd_sp);
	http_server_free(sd->sd_ocspd);
	http_server_free(sd->sd_admin);
	proxy_client_stop(sd);
	proxy_server_stop(sd);
	ssd_msglog_stop(sd);
	confclient_stop(sd);
	ssd_ocsp_stop(sd);
	if (sd->sd_sc_timer != NULL)
		event_free(sd->sd_sc_timer);
	ssd_serverconf_release(sd->sd_sc_snap);
	db_close(sd->sd_scdb);
	signer_free(sd->sd_signer);
	X509_free(sd->sd_auth_cert);
	sk_X509_pop_free(sd->sd_auth_chain, X509_free);
	EVP_PKEY_free(sd->sd_auth_key);
	SSL_CTX_free(sd->sd_tls_server);
	conf_free(sd->sd_conf);
	if (sd->sd_base != NULL)
		event_base_free(sd->sd_base);
}

int
main(int argc, char *argv[])
{
	struct ssd	 sd;
	struct event	*sigev[3];
	const int	 sigs[3] = { SIGTERM, SIGINT, SIGHUP };
	const char	*config = NULL;
	int		 ch, check = 0, i;

	memset(&sd, 0, sizeof(sd));
	log_init("securityserverd", 1, LOG_LEVEL_INFO);
	while ((ch = getopt(argc, argv, "c:dn")) != -1) {
		switch (ch) {
		case 'c':
			config = optarg;
			break;
		case 'd':
			log_setlevel(LOG_LEVEL_DEBUG);
			break;
		case 'n':
			check = 1;
			break;
		default:
			usage();
		}
	}
	if (config == NULL || optind != argc)
		usage();
	if (ssd_load(&sd, config) == -1) {
		ssd_free(&sd);
		return 1;
	}
	if (check) {
		printf("configuration OK\n");
		ssd_free(&sd);
		return 0;
	}
	signal(SIGPIPE, SIG_IGN);
	if (ssd_start(&sd) == -1) {
		log_warnx("start-up failed");
		ssd_free(&sd);
		return 1;
	}
	for (i = 0; i < 3; i++) {
		sigev[i] = evsignal_new(sd.sd_base, sigs[i], on_signal, &sd);
		event_add(sigev[i], NULL);
	}
	event_base_dispatch(sd.sd_base);
	for (i = 0; i < 3; i++)
		event_free(sigev[i]);
	ssd_free(&sd);
	log_info("stopped");
	return 0;
}
