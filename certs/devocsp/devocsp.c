/*
 * devocsp.c: the dev/test OCSP responder (RFC 6960, HTTP binding of its
 * appendix A) over the issuing CA's openssl ca database (index.txt).
 *
 * It does what "openssl ocsp -index ... -port ..." does, but listens on
 * 127.0.0.1 only (openssl ocsp binds every address) and re-reads the index
 * when "openssl ca" rewrites it, so a revocation shows at once. Responses
 * are signed by a delegated responder certificate (EKU OCSPSigning) and
 * carry thisUpdate, nextUpdate and the request's nonce.
 *
 * Statuses: index type V or E -> good, R -> revoked (time and reason from
 * the index), a serial not in the index or another issuer -> unknown.
 */
#include "config.h"

#include <sys/stat.h>
#include <sys/socket.h>

#include <netinet/in.h>

#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include <unistd.h>

#include <event2/buffer.h>
#include <event2/event.h>
#include <event2/http.h>
#include <event2/keyvalq_struct.h>

#include <openssl/bio.h>
#include <openssl/bn.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/ocsp.h>
#include <openssl/pem.h>
#include <openssl/txt_db.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include "compat.h"
#include "log.h"

#define DEVOCSP_MAX_BODY	(64 * 1024)	/* an OCSP request is small */
#define DEVOCSP_MAX_HEADERS	(16 * 1024)
#define DEVOCSP_TIMEOUT		10		/* seconds per request */
#define DEVOCSP_MAX_ONEREQ	64		/* certificates per request */
#define DEVOCSP_MAX_INDEX	(64L * 1024 * 1024)

/* Fields of an openssl ca index.txt line. */
enum {
	IDX_TYPE = 0,
	IDX_EXPIRY,
	IDX_REVOCATION,
	IDX_SERIAL,
	IDX_FILE,
	IDX_NAME,
	IDX_NFIELDS
};

struct devocsp {
	X509		*dc_ca;		/* issuer of the certs we answer for */
	X509		*dc_rcert;	/* responder certificate */
	EVP_PKEY	*dc_rkey;	/* responder key */
	const char	*dc_index;	/* path of index.txt */
	long		 dc_nmin;	/* nextUpdate - thisUpdate, minutes */
	TXT_DB		*dc_db;		/* the index as last read */
	struct stat	 dc_db_st;	/* what the index file was then */
};

static const struct {
	const char	*name;
	int		 code;
} devocsp_reasons[] = {
	{ "unspecified", OCSP_REVOKED_STATUS_UNSPECIFIED },
	{ "keyCompromise", OCSP_REVOKED_STATUS_KEYCOMPROMISE },
	{ "CACompromise", OCSP_REVOKED_STATUS_CACOMPROMISE },
	{ "affiliationChanged", OCSP_REVOKED_STATUS_AFFILIATIONCHANGED },
	{ "superseded", OCSP_REVOKED_STATUS_SUPERSEDED },
	{ "cessationOfOperation", OCSP_REVOKED_STATUS_CESSATIONOFOPERATION },
	{ "certificateHold", OCSP_REVOKED_STATUS_CERTIFICATEHOLD },
	{ "removeFromCRL", OCSP_REVOKED_STATUS_REMOVEFROMCRL },
	/* openssl ca's extended forms (-crl_hold, -crl_compromise, ...) */
	{ "holdInstruction", OCSP_REVOKED_STATUS_CERTIFICATEHOLD },
	{ "keyTime", OCSP_REVOKED_STATUS_KEYCOMPROMISE },
	{ "CAkeyTime", OCSP_REVOKED_STATUS_CACOMPROMISE }
};

static void __attribute__((noreturn))
usage(void)
{
	fprintf(stderr, "usage: devocsp [-d] [-n minutes] -p port -i index.txt "
	    "-c ca.pem -r responder.pem -k responder.key\n");
	exit(2);
}

static void
devocsp_ssl_errors(const char *what)
{
	unsigned long	 e;
	char		 buf[256];

	while ((e = ERR_get_error()) != 0) {
		ERR_error_string_n(e, buf, sizeof(buf));
		log_warnx("%s: %s", what, buf);
	}
}

static X509 *
devocsp_load_cert(const char *path)
{
	BIO	*bio;
	X509	*x;

	if ((bio = BIO_new_file(path, "r")) == NULL) {
		devocsp_ssl_errors(path);
		return NULL;
	}
	x = PEM_read_bio_X509(bio, NULL, NULL, NULL);
	BIO_free(bio);
	if (x == NULL)
		devocsp_ssl_errors(path);
	return x;
}

static EVP_PKEY *
devocsp_load_key(const char *path)
{
	BIO		*bio;
	EVP_PKEY	*k;

	if ((bio = BIO_new_file(path, "r")) == NULL) {
		devocsp_ssl_errors(path);
		return NULL;
	}
	k = PEM_read_bio_PrivateKey(bio, NULL, NULL, NULL);
	BIO_free(bio);
	if (k == NULL)
		devocsp_ssl_errors(path);
	return k;
}

/*
 * Read the index again if the file changed (openssl ca replaces it by a
 * rename). On error the previous copy stays in use. Returns 0 when a
 * database is available.
 */
static int
devocsp_index_refresh(struct devocsp *dc)
{
	struct stat	 st;
	BIO		*bio = NULL;
	TXT_DB		*db = NULL;

	if (stat(dc->dc_index, &st) == -1) {
		log_warn("%s", dc->dc_index);
		goto done;
	}
	if (dc->dc_db != NULL && st.st_ino == dc->dc_db_st.st_ino &&
	    st.st_dev == dc->dc_db_st.st_dev &&
	    st.st_size == dc->dc_db_st.st_size &&
	    st.st_mtim.tv_sec == dc->dc_db_st.st_mtim.tv_sec &&
	    st.st_mtim.tv_nsec == dc->dc_db_st.st_mtim.tv_nsec)
		goto done;
	if (st.st_size > DEVOCSP_MAX_INDEX) {
		log_warnx("%s: too large", dc->dc_index);
		goto done;
	}
	if ((bio = BIO_new_file(dc->dc_index, "r")) == NULL) {
		devocsp_ssl_errors(dc->dc_index);
		goto done;
	}
	if ((db = TXT_DB_read(bio, IDX_NFIELDS)) == NULL) {
		log_warnx("%s: cannot parse the index", dc->dc_index);
		devocsp_ssl_errors(dc->dc_index);
		goto done;
	}
	TXT_DB_free(dc->dc_db);
	dc->dc_db = db;
	dc->dc_db_st = st;
	log_debug("%s: %d entries", dc->dc_index,
	    sk_OPENSSL_PSTRING_num(db->data));
 done:
	BIO_free(bio);
	return dc->dc_db != NULL ? 0 : -1;
}

/* The index row of a serial number (hex, any case, leading zeros or not). */
static char **
devocsp_index_find(struct devocsp *dc, const ASN1_INTEGER *serial)
{
	BIGNUM		*bn;
	char		*hex = NULL, **row, **found = NULL;
	const char	*s, *h;
	int		 i;

	if ((bn = ASN1_INTEGER_to_BN(serial, NULL)) == NULL ||
	    (hex = BN_bn2hex(bn)) == NULL)
		goto done;
	/* BN_bn2hex writes whole bytes ("09C1..."): compare without zeros. */
	for (h = hex; *h == '0' && h[1] != '\0'; h++)
		;
	for (i = 0; i < sk_OPENSSL_PSTRING_num(dc->dc_db->data); i++) {
		row = sk_OPENSSL_PSTRING_value(dc->dc_db->data, i);
		for (s = row[IDX_SERIAL]; *s == '0' && s[1] != '\0'; s++)
			;
		if (strcasecmp(s, h) == 0) {
			found = row;
			break;
		}
	}
 done:
	OPENSSL_free(hex);
	BN_free(bn);
	return found;
}

/*
 * Revocation field of the index: "TIME" or "TIME,REASON" or
 * "TIME,REASON,EXTRA". Sets *when (caller frees) and *reason.
 */
static int
devocsp_revinfo(const char *field, ASN1_TIME **when, int *reason)
{
	char		 tm[32];
	const char	*comma, *r;
	size_t		 i, n;

	*when = NULL;
	*reason = OCSP_REVOKED_STATUS_NOSTATUS;
	comma = strchr(field, ',');
	n = comma != NULL ? (size_t)(comma - field) : strlen(field);
	if (n == 0 || n >= sizeof(tm))
		return -1;
	memcpy(tm, field, n);
	tm[n] = '\0';
	if ((*when = ASN1_TIME_new()) == NULL ||
	    !ASN1_TIME_set_string(*when, tm)) {
		ASN1_TIME_free(*when);
		*when = NULL;
		return -1;
	}
	if (comma == NULL)
		return 0;
	r = comma + 1;
	n = strcspn(r, ",");
	for (i = 0; i < sizeof(devocsp_reasons) / sizeof(devocsp_reasons[0]);
	    i++) {
		if (strlen(devocsp_reasons[i].name) == n &&
		    strncasecmp(r, devocsp_reasons[i].name, n) == 0) {
			*reason = devocsp_reasons[i].code;
			break;
		}
	}
	return 0;
}

/* Add the status of one certificate id to the basic response. */
static int
devocsp_add_status(struct devocsp *dc, OCSP_BASICRESP *bs, OCSP_CERTID *cid,
    ASN1_TIME *thisupd, ASN1_TIME *nextupd)
{
	ASN1_OBJECT	*md_obj = NULL;
	ASN1_INTEGER	*serial = NULL;
	const EVP_MD	*md;
	OCSP_CERTID	*ca_id = NULL;
	ASN1_TIME	*revtime = NULL;
	char		**row = NULL;
	int		 status = V_OCSP_CERTSTATUS_UNKNOWN;
	int		 reason = OCSP_REVOKED_STATUS_NOSTATUS;
	int		 rv = -1;

	if (!OCSP_id_get0_info(NULL, &md_obj, NULL, &serial, cid))
		goto done;
	/* Another issuer, or a hash we cannot compute: unknown. */
	if ((md = EVP_get_digestbyobj(md_obj)) != NULL &&
	    (ca_id = OCSP_cert_to_id(md, NULL, dc->dc_ca)) != NULL &&
	    OCSP_id_issuer_cmp(ca_id, cid) == 0)
		row = devocsp_index_find(dc, serial);
	if (row != NULL) {
		switch (row[IDX_TYPE][0]) {
		case 'V':
		case 'E':
			status = V_OCSP_CERTSTATUS_GOOD;
			break;
		case 'R':
			if (devocsp_revinfo(row[IDX_REVOCATION], &revtime,
			    &reason) == -1) {
				log_warnx("serial %s: bad revocation field "
				    "\"%s\"", row[IDX_SERIAL],
				    row[IDX_REVOCATION]);
				goto done;
			}
			status = V_OCSP_CERTSTATUS_REVOKED;
			break;
		default:
			break;
		}
	}
	log_debug("serial %s: %s", row != NULL ? row[IDX_SERIAL] : "(none)",
	    OCSP_cert_status_str(status));
	if (OCSP_basic_add1_status(bs, cid, status, reason, revtime, thisupd,
	    nextupd) == NULL)
		goto done;
	rv = 0;
 done:
	ASN1_TIME_free(revtime);
	OCSP_CERTID_free(ca_id);
	return rv;
}

/* The OCSP response to a DER request; NULL only when out of memory. */
static OCSP_RESPONSE *
devocsp_respond(struct devocsp *dc, const unsigned char *der, long len)
{
	const unsigned char	*p = der;
	OCSP_REQUEST		*req = NULL;
	OCSP_BASICRESP		*bs = NULL;
	OCSP_RESPONSE		*resp = NULL;
	ASN1_TIME		*thisupd = NULL, *nextupd = NULL;
	int			 i, n, status;

	status = OCSP_RESPONSE_STATUS_MALFORMEDREQUEST;
	if (len <= 0 || (req = d2i_OCSP_REQUEST(NULL, &p, len)) == NULL ||
	    p != der + len) {
		ERR_clear_error();
		log_info("malformed request (%ld bytes)", len);
		goto fail;
	}
	n = OCSP_request_onereq_count(req);
	if (n <= 0 || n > DEVOCSP_MAX_ONEREQ) {
		log_info("request for %d certificates refused", n);
		goto fail;
	}
	status = OCSP_RESPONSE_STATUS_INTERNALERROR;
	if (devocsp_index_refresh(dc) == -1)
		goto fail;
	if ((bs = OCSP_BASICRESP_new()) == NULL ||
	    (thisupd = X509_gmtime_adj(NULL, 0)) == NULL ||
	    (nextupd = X509_time_adj_ex(NULL, 0, dc->dc_nmin * 60,
	    NULL)) == NULL)
		goto fail;
	for (i = 0; i < n; i++) {
		if (devocsp_add_status(dc, bs,
		    OCSP_onereq_get0_id(OCSP_request_onereq_get0(req, i)),
		    thisupd, nextupd) == -1)
			goto fail;
	}
	if (OCSP_copy_nonce(bs, req) <= 0 ||
	    !OCSP_basic_sign(bs, dc->dc_rcert, dc->dc_rkey, EVP_sha256(), NULL,
	    0))
		goto fail;
	resp = OCSP_response_create(OCSP_RESPONSE_STATUS_SUCCESSFUL, bs);
	goto done;
 fail:
	devocsp_ssl_errors("response");
	resp = OCSP_response_create(status, NULL);
 done:
	ASN1_TIME_free(thisupd);
	ASN1_TIME_free(nextupd);
	OCSP_BASICRESP_free(bs);
	OCSP_REQUEST_free(req);
	return resp;
}

/* GET /<url-encoded base64 of the DER request> (RFC 6960 A.1). */
static int
devocsp_get_request(struct evhttp_request *req, unsigned char **der,
    long *len)
{
	const struct evhttp_uri	*uri;
	const char		*path;
	char			*b64 = NULL;
	unsigned char		*out = NULL;
	EVP_ENCODE_CTX		*ctx = NULL;
	size_t			 b64len;
	int			 n, m, rv = -1;

	if ((uri = evhttp_request_get_evhttp_uri(req)) == NULL ||
	    (path = evhttp_uri_get_path(uri)) == NULL)
		goto done;
	while (*path == '/')
		path++;
	if ((b64 = evhttp_uridecode(path, 0, &b64len)) == NULL ||
	    b64len == 0 || b64len > DEVOCSP_MAX_BODY)
		goto done;
	/* decoded data is shorter than its base64; 80 covers the tail */
	if ((out = malloc(b64len + 80)) == NULL ||
	    (ctx = EVP_ENCODE_CTX_new()) == NULL)
		goto done;
	EVP_DecodeInit(ctx);
	if (EVP_DecodeUpdate(ctx, out, &n, (unsigned char *)b64,
	    (int)b64len) < 0 || EVP_DecodeFinal(ctx, out + n, &m) < 0)
		goto done;
	*der = out;
	*len = n + m;
	out = NULL;
	rv = 0;
 done:
	EVP_ENCODE_CTX_free(ctx);
	free(out);
	free(b64);
	return rv;
}

static void
devocsp_http(struct evhttp_request *req, void *arg)
{
	struct devocsp		*dc = arg;
	struct evbuffer		*in, *out = NULL;
	OCSP_RESPONSE		*resp = NULL;
	unsigned char		*der = NULL, *rder = NULL;
	long			 len = 0;
	int			 rlen;

	switch (evhttp_request_get_command(req)) {
	case EVHTTP_REQ_POST:
		in = evhttp_request_get_input_buffer(req);
		len = (long)evbuffer_get_length(in);
		if (len > DEVOCSP_MAX_BODY) {
			evhttp_send_error(req, 413, NULL);
			return;
		}
		if (len > 0 && (der = evbuffer_pullup(in, len)) == NULL) {
			evhttp_send_error(req, 500, NULL);
			return;
		}
		resp = devocsp_respond(dc, der, len);
		der = NULL;	/* owned by the input buffer */
		break;
	case EVHTTP_REQ_GET:
		if (devocsp_get_request(req, &der, &len) == -1) {
			log_info("GET %s: not an OCSP request",
			    evhttp_request_get_uri(req));
			evhttp_send_error(req, 400, NULL);
			return;
		}
		resp = devocsp_respond(dc, der, len);
		break;
	default:
		evhttp_send_error(req, 405, NULL);
		return;
	}
	free(der);
	if (resp == NULL || (rlen = i2d_OCSP_RESPONSE(resp, &rder)) <= 0 ||
	    (out = evbuffer_new()) == NULL ||
	    evbuffer_add(out, rder, (size_t)rlen) == -1) {
		devocsp_ssl_errors("response");
		evhttp_send_error(req, 500, NULL);
		goto done;
	}
	evhttp_add_header(evhttp_request_get_output_headers(req),
	    "Content-Type", "application/ocsp-response");
	evhttp_add_header(evhttp_request_get_output_headers(req),
	    "Cache-Control", "no-store");
	evhttp_send_reply(req, 200, "OK", out);
 done:
	evbuffer_free(out);
	OPENSSL_free(rder);
	OCSP_RESPONSE_free(resp);
}

static void
devocsp_signal(evutil_socket_t sig, short what, void *arg)
{
	struct event_base	*base = arg;

	log_info("signal %d, stopping", (int)sig);
	event_base_loopexit(base, NULL);
}

int
main(int argc, char *argv[])
{
	struct devocsp			 dc;
	struct event_base		*base = NULL;
	struct evhttp			*http = NULL;
	struct evhttp_bound_socket	*bound;
	struct event			*sigint = NULL, *sigterm = NULL;
	struct sockaddr_in		 sin;
	socklen_t			 slen = sizeof(sin);
	const char			*errstr, *ca = NULL, *rcert = NULL;
	const char			*rkey = NULL;
	long long			 port = -1;
	int				 ch, debug = 0, rv = 1;

	memset(&dc, 0, sizeof(dc));
	dc.dc_nmin = 60;
	while ((ch = getopt(argc, argv, "c:di:k:n:p:r:")) != -1) {
		switch (ch) {
		case 'c':
			ca = optarg;
			break;
		case 'd':
			debug = 1;
			break;
		case 'i':
			dc.dc_index = optarg;
			break;
		case 'k':
			rkey = optarg;
			break;
		case 'n':
			dc.dc_nmin = (long)strtonum(optarg, 1, 7 * 24 * 60,
			    &errstr);
			if (errstr != NULL)
				fatalx("-n %s: %s", optarg, errstr);
			break;
		case 'p':
			port = strtonum(optarg, 0, 65535, &errstr);
			if (errstr != NULL)
				fatalx("-p %s: %s", optarg, errstr);
			break;
		case 'r':
			rcert = optarg;
			break;
		default:
			usage();
		}
	}
	if (optind != argc || port == -1 || dc.dc_index == NULL ||
	    ca == NULL || rcert == NULL || rkey == NULL)
		usage();
	log_init("devocsp", 1, debug ? LOG_LEVEL_DEBUG : LOG_LEVEL_INFO);
	signal(SIGPIPE, SIG_IGN);

	if ((dc.dc_ca = devocsp_load_cert(ca)) == NULL ||
	    (dc.dc_rcert = devocsp_load_cert(rcert)) == NULL ||
	    (dc.dc_rkey = devocsp_load_key(rkey)) == NULL)
		goto done;
	if (!X509_check_private_key(dc.dc_rcert, dc.dc_rkey)) {
		log_warnx("%s does not match %s", rkey, rcert);
		goto done;
	}
	if (X509_check_issued(dc.dc_ca, dc.dc_rcert) != X509_V_OK)
		log_warnx("%s is not issued by %s: clients will reject the "
		    "responses", rcert, ca);
	if (devocsp_index_refresh(&dc) == -1)
		goto done;

	if ((base = event_base_new()) == NULL ||
	    (http = evhttp_new(base)) == NULL)
		fatalx("libevent initialisation failed");
	evhttp_set_max_body_size(http, DEVOCSP_MAX_BODY);
	evhttp_set_max_headers_size(http, DEVOCSP_MAX_HEADERS);
	evhttp_set_timeout(http, DEVOCSP_TIMEOUT);
	evhttp_set_allowed_methods(http, EVHTTP_REQ_GET | EVHTTP_REQ_POST);
	evhttp_set_gencb(http, devocsp_http, &dc);
	if ((bound = evhttp_bind_socket_with_handle(http, "127.0.0.1",
	    (unsigned short)port)) == NULL) {
		log_warnx("cannot listen on 127.0.0.1:%lld", port);
		goto done;
	}
	if (getsockname(evhttp_bound_socket_get_fd(bound),
	    (struct sockaddr *)&sin, &slen) == -1)
		fatal("getsockname");
	log_info("listening on 127.0.0.1:%d, index %s", ntohs(sin.sin_port),
	    dc.dc_index);

	if ((sigint = evsignal_new(base, SIGINT, devocsp_signal, base)) ==
	    NULL || (sigterm = evsignal_new(base, SIGTERM, devocsp_signal,
	    base)) == NULL || evsignal_add(sigint, NULL) == -1 ||
	    evsignal_add(sigterm, NULL) == -1)
		fatalx("cannot set signal handlers");
	if (event_base_dispatch(base) == -1)
		log_warnx("event loop failed");
	else
		rv = 0;
 done:
	if (sigint != NULL)
		event_free(sigint);
	if (sigterm != NULL)
		event_free(sigterm);
	if (http != NULL)
		evhttp_free(http);
	if (base != NULL)
		event_base_free(base);
	TXT_DB_free(dc.dc_db);
	EVP_PKEY_free(dc.dc_rkey);
	X509_free(dc.dc_rcert);
	X509_free(dc.dc_ca);
	return rv;
}
