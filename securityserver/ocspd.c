/*
 * ocspd.c: OCSP for this server's own certificates (NOTES.md 4.7). The
 * server keeps fresh responses for its authentication certificate and
 * every member signing certificate it holds, refreshed in the background
 * every [ocsp] fetch-interval (retry after 60 s on failure), persisted
 * under state-dir/ocsp, sent along with its messages, and served to peers
 * at the X-Road OCSP download endpoint GET /?cert=<hex SHA-1>[&cert=...].
 * Peers never contact our OCSP responder.
 */
#include "config.h"

#include <stdio.h>
#include <string.h>

#include <event2/http.h>
#include <openssl/x509v3.h>

#include "buf.h"
#include "conf.h"
#include "http.h"
#include "log.h"
#include "ocsp.h"
#include "signer.h"
#include "securityserverd.h"

#define OCSP_RETRY_S	60

static void
refreshed(int result, void *arg)
{
	struct ssd	*sd = arg;
	time_t		 oldest = 0;
	int		 missing = ocsp_cache_status(sd->sd_ocsp, &oldest);

	if (result == 0)
		log_debug("ocsp: responses refreshed");
	else
		log_warnx("ocsp: refresh failed (%d certificates without a "
		    "response); retrying in %d s", missing, OCSP_RETRY_S);
}

/* The first cert of the chain issued the leaf (PEM files: leaf, chain). */
static int
add_cert(struct ssd *sd, X509 *cert, STACK_OF(X509) *chain, const char *what)
{
	X509	*issuer = NULL;
	int	 i;

	for (i = 0; chain != NULL && i < sk_X509_num(chain); i++)
		if (X509_check_issued(sk_X509_value(chain, i), cert) ==
		    X509_V_OK) {
			issuer = sk_X509_value(chain, i);
			break;
		}
	/* Member certs from the same CA as ours: the auth chain has it. */
	for (i = 0; issuer == NULL && sd->sd_auth_chain != NULL &&
	    i < sk_X509_num(sd->sd_auth_chain); i++)
		if (X509_check_issued(sk_X509_value(sd->sd_auth_chain, i),
		    cert) == X509_V_OK)
			issuer = sk_X509_value(sd->sd_auth_chain, i);
	if (issuer == NULL) {
		log_warnx("ocsp: no issuer for the %s certificate in its chain "
		    "file", what);
		return -1;
	}
	return ocsp_cache_add_cert(sd->sd_ocsp, cert, issuer, NULL);
}

int
ssd_ocsp_start(struct ssd *sd)
{
	char		 dir[1200];
	size_t		 i, n;

	if (snprintf(dir, sizeof(dir), "%s/ocsp", sd->sd_state_dir) >=
	    (int)sizeof(dir))
		return -1;
	if ((sd->sd_ocsp = ocsp_cache_new(dir)) == NULL)
		return -1;
	if (add_cert(sd, sd->sd_auth_cert, sd->sd_auth_chain,
	    "authentication") == -1)
		return -1;
	n = conf_section_count(sd->sd_conf, "member *");
	for (i = 0; i < n; i++) {
		const char *mid = conf_section_instance(sd->sd_conf,
		    "member *", i);

		if (add_cert(sd, signer_cert(sd->sd_signer, mid),
		    signer_chain(sd->sd_signer, mid), mid) == -1)
			return -1;
	}
	sd->sd_ocsp_refresher = ocsp_refresher_new(sd->sd_base, sd->sd_ocsp,
	    (unsigned int)conf_get_duration(sd->sd_conf, "ocsp",
	    "fetch-interval"), OCSP_RETRY_S, refreshed, sd);
	if (sd->sd_ocsp_refresher == NULL ||
	    ocsp_refresher_start(sd->sd_ocsp_refresher) == -1)
		return -1;
	return 0;
}

/* GET /?cert=<hex>&cert=<hex>: our responses, multipart/related. */
static void
ocsp_download(struct evhttp_request *req, void *arg)
{
	struct ssd	*sd = arg;
	const char	*q = evhttp_uri_get_query(evhttp_request_get_evhttp_uri(
	    req));
	struct buf	*body = NULL;
	char		 ctype[256], err[256];

	if (q == NULL) {
		http_reply_error_json(req, HTTP_BADREQUEST, "bad_request",
		    "expected ?cert=<hex SHA-1 of a certificate>");
		return;
	}
	if (ocsp_download_query(sd->sd_ocsp, q, &body, ctype, sizeof(ctype),
	    err, sizeof(err)) == -1) {
		http_reply_error_json(req, HTTP_NOTFOUND, "not_found", err);
		return;
	}
	http_reply(req, HTTP_OK, ctype, buf_data(body), buf_len(body));
	buf_free(body);
}

int
ssd_ocsp_routes(struct ssd *sd)
{
	return http_route(sd->sd_ocspd, EVHTTP_REQ_GET, "/", HTTP_ROUTE_EXACT,
	    ocsp_download, sd);
}

void
ssd_ocsp_stop(struct ssd *sd)
{
	ocsp_refresher_free(sd->sd_ocsp_refresher);
	sd->sd_ocsp_refresher = NULL;
	ocsp_cache_free(sd->sd_ocsp);
	sd->sd_ocsp = NULL;
}
