/*
 * admin.c: the admin port: GET /health (200 only when this server can
 * exchange messages, 500 with the reasons otherwise, NOTES.md 6.4) and
 * GET /metrics (Prometheus text format), with the remaining grace times
 * (global configuration expiry, OCSP freshness) visible before traffic
 * stops.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <event2/http.h>

#include "buf.h"
#include "certcheck.h"
#include "evidence.h"
#include "globalconf.h"
#include "http.h"
#include "log.h"
#include "msglog.h"
#include "ocsp.h"
#include "signer.h"
#include "securityserverd.h"

/* Seconds the auth cert's OCSP response stays fresh (negative: stale). */
static long long
auth_ocsp_remaining(struct ssd *sd, long long freshness)
{
	char		 hex[OCSP_SHA1_HEX_LEN + 1];
	unsigned char	*der = NULL;
	size_t		 len;
	time_t		 tu = 0;

	if (sd->sd_ocsp == NULL ||
	    certcheck_sha1_hex(sd->sd_auth_cert, hex) == -1 ||
	    ocsp_cache_get(sd->sd_ocsp, hex, &der, &len, &tu) == -1)
		return -1;
	free(der);
	return (long long)(tu + freshness - time(NULL));
}

static long long
freshness(struct ssd *sd)
{
	struct gc_snap	*gs = confclient_acquire(sd);
	long long	 f = OCSP_FRESHNESS_DEFAULT;

	if (gs != NULL) {
		f = gconf_ocsp_freshness(gs->gs_gc);
		confclient_release(gs);
	}
	return f;
}

/* Append the reasons this server cannot exchange messages now. */
int
admin_health_reasons(struct ssd *sd, struct buf *why)
{
	long long	rem;
	int		bad = 0;

	rem = confclient_remaining(sd);
	if (rem <= 0) {
		bad++;
		(void)buf_printf(why, "global configuration %s%s%s\n",
		    rem == -1 ? "not available" : "expired",
		    *confclient_last_error(sd) ? ": " : "",
		    confclient_last_error(sd));
	}
	if (auth_ocsp_remaining(sd, freshness(sd)) <= 0) {
		bad++;
		(void)buf_printf(why, "no fresh OCSP response for the "
		    "authentication certificate\n");
	}
	if (signer_key_count(sd->sd_signer) == 0) {
		bad++;
		(void)buf_printf(why, "no signing keys\n");
	}
	if (sd->sd_ts != NULL && timestamper_health(sd->sd_ts, why))
		bad++;
	if (sd->sd_sc_snap == NULL) {
		bad++;
		(void)buf_printf(why, "server configuration not loaded\n");
	}
	return bad;
}

static void
health(struct evhttp_request *req, void *arg)
{
	struct ssd	*sd = arg;
	struct buf	*why = buf_new(4096);

	if (why == NULL) {
		http_reply(req, HTTP_INTERNAL, "text/plain", "no memory\n", 10);
		return;
	}
	if (admin_health_reasons(sd, why) == 0)
		http_reply(req, HTTP_OK, "text/plain", "OK\n", 3);
	else
		http_reply(req, HTTP_INTERNAL, "text/plain; charset=utf-8",
		    buf_data(why), buf_len(why));
	buf_free(why);
}

static void
metrics(struct evhttp_request *req, void *arg)
{
	struct ssd		*sd = arg;
	struct buf		*b = buf_new(64 * 1024);
	const struct ssd_stats	*st = &sd->sd_stats;
	time_t			 oldest = 0;
	int			 missing = -1;

	if (b == NULL) {
		http_reply(req, HTTP_INTERNAL, "text/plain", "no memory\n", 10);
		return;
	}
	if (sd->sd_ocsp != NULL)
		missing = ocsp_cache_status(sd->sd_ocsp, &oldest);
	{
		struct buf *why = buf_new(4096);
		int up = why != NULL && admin_health_reasons(sd, why) == 0;

		buf_free(why);
		(void)buf_printf(b,
		    "# HELP hk_ss_up 1 when the server can exchange messages.\n"
		    "# TYPE hk_ss_up gauge\n"
		    "hk_ss_up %d\n", up);
	}
	(void)buf_printf(b,
	    "# HELP hk_ss_globalconf_remaining_seconds Seconds until the "
	    "global configuration in use expires.\n"
	    "# TYPE hk_ss_globalconf_remaining_seconds gauge\n"
	    "hk_ss_globalconf_remaining_seconds %lld\n"
	    "# HELP hk_ss_ocsp_auth_remaining_seconds Seconds until the "
	    "authentication certificate's OCSP response is too old.\n"
	    "# TYPE hk_ss_ocsp_auth_remaining_seconds gauge\n"
	    "hk_ss_ocsp_auth_remaining_seconds %lld\n"
	    "# HELP hk_ss_ocsp_missing Own certificates without an OCSP "
	    "response.\n"
	    "# TYPE hk_ss_ocsp_missing gauge\n"
	    "hk_ss_ocsp_missing %d\n"
	    "# HELP hk_ss_signatures_total Private-key operations by the "
	    "signer.\n"
	    "# TYPE hk_ss_signatures_total counter\n"
	    "hk_ss_signatures_total %lu\n"
	    "# HELP hk_ss_client_requests_total Requests from member "
	    "information systems.\n"
	    "# TYPE hk_ss_client_requests_total counter\n"
	    "hk_ss_client_requests_total %llu\n"
	    "hk_ss_client_requests_ok_total %llu\n"
	    "# HELP hk_ss_server_requests_total Requests from other "
	    "security servers.\n"
	    "# TYPE hk_ss_server_requests_total counter\n"
	    "hk_ss_server_requests_total %llu\n"
	    "hk_ss_server_requests_ok_total %llu\n"
	    "# HELP hk_ss_faults_total Faults answered.\n"
	    "# TYPE hk_ss_faults_total counter\n"
	    "hk_ss_faults_total %llu\n",
	    confclient_remaining(sd), auth_ocsp_remaining(sd, freshness(sd)),
	    missing, signer_sign_count(sd->sd_signer), st->st_requests,
	    st->st_requests_ok, st->st_served, st->st_served_ok,
	    st->st_faults);
	if (sd->sd_ts != NULL)
		timestamper_metrics(sd->sd_ts, b);
	http_reply(req, HTTP_OK, "text/plain; version=0.0.4", buf_data(b),
	    buf_len(b));
	buf_free(b);
}

int
admin_routes(struct ssd *sd)
{
	if (http_route(sd->sd_admin, EVHTTP_REQ_GET, "/health",
	    HTTP_ROUTE_EXACT, health, sd) == -1 ||
	    http_route(sd->sd_admin, EVHTTP_REQ_GET, "/metrics",
	    HTTP_ROUTE_EXACT, metrics, sd) == -1 ||
	    evidence_routes(sd) == -1)
		return -1;
	return 0;
}
