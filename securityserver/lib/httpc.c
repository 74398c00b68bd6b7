/*
 * httpc.c: outgoing HTTP(S) over libcurl: TLS settings, the set-up of one
 * transfer and the turning of its result into a response or an error
 * (shared with httpc_ev.c through httpc_xfer.h), and blocking calls on
 * the easy API. See httpc.h.
 */
#include "config.h"

#include <ctype.h>
#include <pthread.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <curl/curl.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>
#include <openssl/x509_vfy.h>

#include "buf.h"
#include "compat.h"
#include "httpc.h"
#include "httpc_xfer.h"
#include "log.h"

#define HTTPC_USER_AGENT	PACKAGE_NAME "/" PACKAGE_VERSION

struct httpc_hdr {
	char	*h_name;
	char	*h_value;
};

struct httpc_resp {
	int			 rs_status;
	struct buf		*rs_body;
	struct httpc_hdr	*rs_hdrs;
	size_t			 rs_nhdrs;
};

struct httpc {
	struct httpc_tlsconf	 c_tls;
	CURL			*c_easy;
	char			 c_err[CURL_ERROR_SIZE];
};

static pthread_once_t	httpc_once = PTHREAD_ONCE_INIT;
static int		httpc_init_rc = -1;

static void
httpc_global_init(void)
{
	httpc_init_rc = curl_global_init(CURL_GLOBAL_DEFAULT) == CURLE_OK ?
	    0 : -1;
}

int
httpc_init(void)
{
	if (pthread_once(&httpc_once, httpc_global_init) != 0)
		return -1;
	return httpc_init_rc;
}

const char *
httpc_strerror(int rc)
{
	switch (rc) {
	case 0:
		return "success";
	case HTTPC_ERR_INVALID:
		return "invalid request";
	case HTTPC_ERR_NOMEM:
		return "out of memory";
	case HTTPC_ERR_CONNECT:
		return "cannot connect";
	case HTTPC_ERR_TLS:
		return "TLS failure";
	case HTTPC_ERR_TIMEOUT:
		return "timed out";
	case HTTPC_ERR_TOO_BIG:
		return "response too large";
	case HTTPC_ERR_IO:
		return "transfer failed";
	}
	return "unknown error";
}

/*
 * TLS settings.
 */

void
httpc_tls_clear(struct httpc_tlsconf *t)
{
	free(t->t_ca_file);
	free(t->t_cert_file);
	free(t->t_key_file);
	X509_STORE_free(t->t_store);
	X509_free(t->t_cert);
	EVP_PKEY_free(t->t_key);
	sk_X509_pop_free(t->t_chain, X509_free);
	memset(t, 0, sizeof(*t));
}

static int
httpc_strdup_opt(const char *s, char **out)
{
	*out = NULL;
	if (s == NULL)
		return 0;
	if ((*out = strdup(s)) == NULL)
		return -1;
	return 0;
}

int
httpc_tls_init(struct httpc_tlsconf *t, const struct httpc_tls *in)
{
	static const struct httpc_tls	defaults;

	memset(t, 0, sizeof(*t));
	if (in == NULL)
		in = &defaults;
	if ((in->ht_ca_file != NULL && in->ht_ca_store != NULL) ||
	    (in->ht_cert_file != NULL && in->ht_cert != NULL) ||
	    ((in->ht_cert_file == NULL) != (in->ht_key_file == NULL)) ||
	    ((in->ht_cert == NULL) != (in->ht_key == NULL)) ||
	    (in->ht_chain != NULL && in->ht_cert == NULL)) {
		log_warnx("httpc: inconsistent TLS settings");
		return -1;
	}
	if (in->ht_cert != NULL &&
	    X509_check_private_key(in->ht_cert, in->ht_key) != 1) {
		log_warnx("httpc: client key does not match its certificate");
		return -1;
	}
	if (httpc_strdup_opt(in->ht_ca_file, &t->t_ca_file) == -1 ||
	    httpc_strdup_opt(in->ht_cert_file, &t->t_cert_file) == -1 ||
	    httpc_strdup_opt(in->ht_key_file, &t->t_key_file) == -1)
		goto nomem;
	if (in->ht_ca_store != NULL) {
		if (X509_STORE_up_ref(in->ht_ca_store) != 1)
			goto nomem;
		t->t_store = in->ht_ca_store;
	}
	if (in->ht_cert != NULL) {
		if (X509_up_ref(in->ht_cert) != 1)
			goto nomem;
		t->t_cert = in->ht_cert;
		if (EVP_PKEY_up_ref(in->ht_key) != 1)
			goto nomem;
		t->t_key = in->ht_key;
	}
	if (in->ht_chain != NULL &&
	    (t->t_chain = X509_chain_up_ref(in->ht_chain)) == NULL)
		goto nomem;
	t->t_verify_peer = !in->ht_no_verify_peer;
	t->t_verify_host = !in->ht_no_verify_host;
	t->t_peer_fn = in->ht_peer_check;
	t->t_peer_arg = in->ht_peer_arg;
	t->t_ctx_setup = in->ht_ctx_setup;
	t->t_ctx_arg = in->ht_ctx_arg;
	return 0;
 nomem:
	log_warnx("httpc: out of memory");
	httpc_tls_clear(t);
	return -1;
}

/* OpenSSL calls this instead of X509_verify_cert when a peer hook is set. */
static int
httpc_verify_cb(X509_STORE_CTX *sctx, void *arg)
{
	const struct httpc_tlsconf	*t = arg;
	STACK_OF(X509)			*chain;

	if (t->t_verify_peer) {
		if (X509_verify_cert(sctx) <= 0)
			return 0;
		chain = X509_STORE_CTX_get0_chain(sctx);
	} else
		chain = X509_STORE_CTX_get0_untrusted(sctx);
	if (t->t_peer_fn(X509_STORE_CTX_get0_cert(sctx), chain,
	    t->t_peer_arg) != 0) {
		X509_STORE_CTX_set_error(sctx,
		    X509_V_ERR_APPLICATION_VERIFICATION);
		return 0;
	}
	return 1;
}

/* libcurl hands us each new SSL_CTX after its own set-up. */
static CURLcode
httpc_sslctx_cb(CURL *easy, void *sslctx, void *arg)
{
	const struct httpc_tlsconf	*t = arg;
	SSL_CTX				*ctx = sslctx;
	int				 i;

	if (t->t_store != NULL) {
		if (X509_STORE_up_ref(t->t_store) != 1)
			return CURLE_OUT_OF_MEMORY;
		SSL_CTX_set_cert_store(ctx, t->t_store);
	}
	if (t->t_cert != NULL) {
		if (SSL_CTX_use_certificate(ctx, t->t_cert) != 1 ||
		    SSL_CTX_use_PrivateKey(ctx, t->t_key) != 1)
			return CURLE_SSL_CERTPROBLEM;
		for (i = 0; i < sk_X509_num(t->t_chain); i++)
			if (SSL_CTX_add1_chain_cert(ctx,
			    sk_X509_value(t->t_chain, i)) != 1)
				return CURLE_SSL_CERTPROBLEM;
	}
	if (t->t_peer_fn != NULL) {
		/* VERIFY_PEER so that a refusal aborts even without checks. */
		SSL_CTX_set_verify(ctx, SSL_VERIFY_PEER, NULL);
		SSL_CTX_set_cert_verify_callback(ctx, httpc_verify_cb,
		    (void *)t);
	}
	if (t->t_ctx_setup != NULL && t->t_ctx_setup(ctx, t->t_ctx_arg) != 0)
		return CURLE_SSL_CERTPROBLEM;
	return CURLE_OK;
}

/*
 * Responses.
 */

void
httpc_resp_free(struct httpc_resp *r)
{
	size_t i;

	if (r == NULL)
		return;
	for (i = 0; i < r->rs_nhdrs; i++) {
		free(r->rs_hdrs[i].h_name);
		free(r->rs_hdrs[i].h_value);
	}
	free(r->rs_hdrs);
	buf_free(r->rs_body);
	free(r);
}

int
httpc_resp_status(const struct httpc_resp *r)
{
	return r->rs_status;
}

const char *
httpc_resp_header(const struct httpc_resp *r, const char *name)
{
	size_t i;

	for (i = 0; i < r->rs_nhdrs; i++)
		if (strcasecmp(r->rs_hdrs[i].h_name, name) == 0)
			return r->rs_hdrs[i].h_value;
	return NULL;
}

size_t
httpc_resp_nheaders(const struct httpc_resp *r)
{
	return r->rs_nhdrs;
}

int
httpc_resp_header_at(const struct httpc_resp *r, size_t i, const char **name,
    const char **value)
{
	if (i >= r->rs_nhdrs)
		return -1;
	*name = r->rs_hdrs[i].h_name;
	*value = r->rs_hdrs[i].h_value;
	return 0;
}

const struct buf *
httpc_resp_body(const struct httpc_resp *r)
{
	return r->rs_body;
}

struct buf *
httpc_resp_take_body(struct httpc_resp *r)
{
	struct buf *b = r->rs_body;

	r->rs_body = NULL;
	return b;
}

/* Copy the final response's headers out of libcurl (its header API). */
static int
httpc_copy_headers(CURL *easy, struct httpc_resp *r)
{
	struct curl_header	*h = NULL;
	struct httpc_hdr	*n;
	size_t			 cnt = 0;

	while ((h = curl_easy_nextheader(easy, CURLH_HEADER, -1, h)) != NULL)
		cnt++;
	if (cnt == 0)
		return 0;
	if ((r->rs_hdrs = calloc(cnt, sizeof(*r->rs_hdrs))) == NULL)
		return -1;
	while (r->rs_nhdrs < cnt &&
	    (h = curl_easy_nextheader(easy, CURLH_HEADER, -1, h)) != NULL) {
		n = &r->rs_hdrs[r->rs_nhdrs];
		if ((n->h_name = strdup(h->name)) == NULL ||
		    (n->h_value = strdup(h->value)) == NULL) {
			free(n->h_name);
			return -1;
		}
		r->rs_nhdrs++;
	}
	return 0;
}

/*
 * Transfers.
 */

static size_t
httpc_write_cb(char *p, size_t size, size_t n, void *arg)
{
	struct httpc_xfer	*x = arg;
	int			 rc;

	if ((rc = buf_append(x->x_body, p, n)) == 0)
		return n;
	if (rc == BUF_ERR_FULL)
		x->x_too_big = 1;
	else
		x->x_nomem = 1;
	return 0;	/* abort the transfer */
}

static size_t
httpc_header_cb(char *p, size_t size, size_t n, void *arg)
{
	struct httpc_xfer *x = arg;

	if (n > x->x_max_hdr - x->x_hdr_bytes) {
		x->x_too_big = 1;
		return 0;
	}
	x->x_hdr_bytes += n;
	return n;
}

static int
httpc_method_ok(const char *m)
{
	size_t i;

	for (i = 0; m[i] != '\0'; i++)
		if (!isupper((unsigned char)m[i]) || i >= 16)
			return 0;
	return i > 0;
}

static int
httpc_header_ok(const char *h)
{
	return strchr(h, ':') != NULL && strpbrk(h, "\r\n") == NULL &&
	    h[0] != ':' && !isspace((unsigned char)h[0]);
}

void
httpc_xfer_clear(struct httpc_xfer *x)
{
	curl_slist_free_all(x->x_headers);
	buf_free(x->x_body);
	x->x_headers = NULL;
	x->x_body = NULL;
}

#define SETOPT(opt, val) do {						\
	if (curl_easy_setopt(easy, (opt), (val)) != CURLE_OK)		\
		goto fail;						\
} while (0)

/*
 * Set up easy for one call. copy_body: let libcurl keep its own copy of
 * the body (the call outlives the caller's buffer).
 */
int
httpc_xfer_setup(struct httpc_xfer *x, CURL *easy,
    const struct httpc_tlsconf *t, const struct httpc_req *req, int copy_body)
{
	const char *const	*hp;
	struct curl_slist	*l;
	const char		*method;
	long			 timeout, ctimeout;
	int			 rc = HTTPC_ERR_INVALID;

	memset(x, 0, sizeof(*x));
	x->x_easy = easy;
	if (req == NULL || req->hr_url == NULL || req->hr_max_body == 0 ||
	    req->hr_timeout_ms < 0 || req->hr_connect_timeout_ms < 0 ||
	    (uint64_t)req->hr_max_body > (uint64_t)INT64_MAX ||
	    (req->hr_body == NULL && req->hr_body_len > 0) ||
	    (uint64_t)req->hr_body_len > (uint64_t)INT64_MAX)
		return HTTPC_ERR_INVALID;
	method = req->hr_method;
	if (method == NULL)
		method = req->hr_body != NULL ? "POST" : "GET";
	if (!httpc_method_ok(method) ||
	    (req->hr_body != NULL && (strcmp(method, "GET") == 0 ||
	    strcmp(method, "HEAD") == 0)))
		return HTTPC_ERR_INVALID;
	for (hp = req->hr_headers; hp != NULL && *hp != NULL; hp++) {
		if (!httpc_header_ok(*hp))
			goto fail;
		if ((l = curl_slist_append(x->x_headers, *hp)) == NULL) {
			rc = HTTPC_ERR_NOMEM;
			goto fail;
		}
		x->x_headers = l;
	}
	x->x_max_hdr = req->hr_max_header != 0 ? req->hr_max_header :
	    HTTPC_DEFAULT_MAX_HEADER;
	if ((x->x_body = buf_new(req->hr_max_body)) == NULL) {
		rc = HTTPC_ERR_NOMEM;
		goto fail;
	}
	timeout = req->hr_timeout_ms != 0 ? req->hr_timeout_ms :
	    HTTPC_DEFAULT_TIMEOUT_MS;
	ctimeout = req->hr_connect_timeout_ms != 0 &&
	    req->hr_connect_timeout_ms < timeout ? req->hr_connect_timeout_ms :
	    timeout;

	SETOPT(CURLOPT_ERRORBUFFER, x->x_err);
	SETOPT(CURLOPT_URL, req->hr_url);
	SETOPT(CURLOPT_PROTOCOLS_STR, "http,https");
	SETOPT(CURLOPT_FOLLOWLOCATION, 0L);
	SETOPT(CURLOPT_NOSIGNAL, 1L);
	SETOPT(CURLOPT_PROXY, "");
	SETOPT(CURLOPT_HTTP_VERSION, (long)CURL_HTTP_VERSION_1_1);
	SETOPT(CURLOPT_USERAGENT, HTTPC_USER_AGENT);
	SETOPT(CURLOPT_TIMEOUT_MS, timeout);
	SETOPT(CURLOPT_CONNECTTIMEOUT_MS, ctimeout);
	SETOPT(CURLOPT_MAXFILESIZE_LARGE, (curl_off_t)req->hr_max_body);
	SETOPT(CURLOPT_WRITEFUNCTION, httpc_write_cb);
	SETOPT(CURLOPT_WRITEDATA, x);
	SETOPT(CURLOPT_HEADERFUNCTION, httpc_header_cb);
	SETOPT(CURLOPT_HEADERDATA, x);
	if (x->x_headers != NULL)
		SETOPT(CURLOPT_HTTPHEADER, x->x_headers);

	if (strcmp(method, "GET") == 0)
		SETOPT(CURLOPT_HTTPGET, 1L);
	else if (strcmp(method, "HEAD") == 0)
		SETOPT(CURLOPT_NOBODY, 1L);
	else {
		if (strcmp(method, "POST") != 0)
			SETOPT(CURLOPT_CUSTOMREQUEST, method);
		if (req->hr_body != NULL || strcmp(method, "POST") == 0 ||
		    strcmp(method, "PUT") == 0 ||
		    strcmp(method, "PATCH") == 0) {
			SETOPT(CURLOPT_POSTFIELDSIZE_LARGE,
			    (curl_off_t)req->hr_body_len);
			SETOPT(copy_body ? CURLOPT_COPYPOSTFIELDS :
			    CURLOPT_POSTFIELDS, req->hr_body != NULL ?
			    (const char *)req->hr_body : "");
		}
	}

	SETOPT(CURLOPT_SSLVERSION, (long)CURL_SSLVERSION_TLSv1_2);
	SETOPT(CURLOPT_SSL_VERIFYPEER, t->t_verify_peer ? 1L : 0L);
	SETOPT(CURLOPT_SSL_VERIFYHOST, t->t_verify_host ? 2L : 0L);
	if (t->t_ca_file != NULL)
		SETOPT(CURLOPT_CAINFO, t->t_ca_file);
	if (t->t_store != NULL) {
		/* Our store replaces whatever libcurl would load. */
		SETOPT(CURLOPT_CAINFO, NULL);
		SETOPT(CURLOPT_CAPATH, NULL);
	}
	if (t->t_cert_file != NULL) {
		SETOPT(CURLOPT_SSLCERT, t->t_cert_file);
		SETOPT(CURLOPT_SSLCERTTYPE, "PEM");
		SETOPT(CURLOPT_SSLKEY, t->t_key_file);
		SETOPT(CURLOPT_SSLKEYTYPE, "PEM");
	}
	if (t->t_store != NULL || t->t_cert != NULL || t->t_peer_fn != NULL ||
	    t->t_ctx_setup != NULL) {
		SETOPT(CURLOPT_SSL_CTX_FUNCTION, httpc_sslctx_cb);
		SETOPT(CURLOPT_SSL_CTX_DATA, (void *)t);
	}
	return 0;
 fail:
	httpc_xfer_clear(x);
	return rc;
}
#undef SETOPT

static int
httpc_map_error(const struct httpc_xfer *x, CURLcode cc)
{
	if (x->x_too_big)
		return HTTPC_ERR_TOO_BIG;
	if (x->x_nomem)
		return HTTPC_ERR_NOMEM;
	switch (cc) {
	case CURLE_OK:
		return 0;
	case CURLE_OUT_OF_MEMORY:
		return HTTPC_ERR_NOMEM;
	case CURLE_URL_MALFORMAT:
	case CURLE_UNSUPPORTED_PROTOCOL:
	case CURLE_BAD_FUNCTION_ARGUMENT:
		return HTTPC_ERR_INVALID;
	case CURLE_COULDNT_RESOLVE_HOST:
	case CURLE_COULDNT_CONNECT:
		return HTTPC_ERR_CONNECT;
	case CURLE_OPERATION_TIMEDOUT:
		return HTTPC_ERR_TIMEOUT;
	case CURLE_FILESIZE_EXCEEDED:
		return HTTPC_ERR_TOO_BIG;
	case CURLE_SSL_CONNECT_ERROR:
	case CURLE_PEER_FAILED_VERIFICATION:
	case CURLE_SSL_CERTPROBLEM:
	case CURLE_SSL_CIPHER:
	case CURLE_SSL_CACERT_BADFILE:
	case CURLE_SSL_ENGINE_NOTFOUND:
	case CURLE_SSL_ENGINE_SETFAILED:
	case CURLE_SSL_ISSUER_ERROR:
	case CURLE_SSL_PINNEDPUBKEYNOTMATCH:
	case CURLE_SSL_INVALIDCERTSTATUS:
	case CURLE_SSL_CRL_BADFILE:
	case CURLE_SSL_SHUTDOWN_FAILED:
	case CURLE_USE_SSL_FAILED:
		return HTTPC_ERR_TLS;
	default:
		return HTTPC_ERR_IO;
	}
}

/* Turn a finished transfer into *out or an error; clears x either way. */
int
httpc_xfer_finish(struct httpc_xfer *x, CURLcode cc, struct httpc_resp **out)
{
	struct httpc_resp	*r = NULL;
	long			 status = 0;
	int			 rc;

	*out = NULL;
	if (x->x_err[0] == '\0' && cc != CURLE_OK)
		(void)strlcpy(x->x_err, curl_easy_strerror(cc),
		    sizeof(x->x_err));
	if ((rc = httpc_map_error(x, cc)) != 0)
		goto done;
	if (curl_easy_getinfo(x->x_easy, CURLINFO_RESPONSE_CODE,
	    &status) != CURLE_OK || status < 100 || status > 999) {
		rc = HTTPC_ERR_IO;
		goto done;
	}
	if ((r = calloc(1, sizeof(*r))) == NULL ||
	    httpc_copy_headers(x->x_easy, r) == -1) {
		rc = HTTPC_ERR_NOMEM;
		goto done;
	}
	r->rs_status = (int)status;
	r->rs_body = x->x_body;
	x->x_body = NULL;
	*out = r;
	r = NULL;
 done:
	if (rc != 0 && x->x_err[0] == '\0')
		(void)strlcpy(x->x_err, httpc_strerror(rc), sizeof(x->x_err));
	if (rc == HTTPC_ERR_TOO_BIG)
		(void)strlcpy(x->x_err, "response over its size limit",
		    sizeof(x->x_err));
	httpc_resp_free(r);
	httpc_xfer_clear(x);
	return rc;
}

/*
 * Blocking contexts.
 */

struct httpc *
httpc_new(const struct httpc_tls *tls)
{
	struct httpc *c;

	if (httpc_init() == -1) {
		log_warnx("httpc: curl_global_init failed");
		return NULL;
	}
	if ((c = calloc(1, sizeof(*c))) == NULL)
		return NULL;
	if (httpc_tls_init(&c->c_tls, tls) == -1) {
		free(c);
		return NULL;
	}
	if ((c->c_easy = curl_easy_init()) == NULL) {
		httpc_free(c);
		return NULL;
	}
	return c;
}

void
httpc_free(struct httpc *c)
{
	if (c == NULL)
		return;
	curl_easy_cleanup(c->c_easy);
	httpc_tls_clear(&c->c_tls);
	free(c);
}

const char *
httpc_errmsg(const struct httpc *c)
{
	return c != NULL ? c->c_err : "";
}

int
httpc_request(struct httpc *c, const struct httpc_req *req,
    struct httpc_resp **resp)
{
	struct httpc_xfer	 x;
	struct httpc		*tmp = NULL;
	CURLcode		 cc;
	int			 rc;

	*resp = NULL;
	if (c == NULL && (c = tmp = httpc_new(NULL)) == NULL)
		return HTTPC_ERR_NOMEM;
	c->c_err[0] = '\0';
	/* Options back to defaults; live connections and sessions stay. */
	curl_easy_reset(c->c_easy);
	if ((rc = httpc_xfer_setup(&x, c->c_easy, &c->c_tls, req, 0)) != 0) {
		(void)strlcpy(c->c_err, httpc_strerror(rc), sizeof(c->c_err));
		goto done;
	}
	cc = curl_easy_perform(c->c_easy);
	rc = httpc_xfer_finish(&x, cc, resp);
	(void)strlcpy(c->c_err, x.x_err, sizeof(c->c_err));
	if (rc != 0)
		log_debug("httpc: %s: %s", req->hr_url, c->c_err);
 done:
	httpc_free(tmp);
	return rc;
}
