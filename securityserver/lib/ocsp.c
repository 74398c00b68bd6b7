/*
 * ocsp.c: OCSP requests, fetching, verification, the own-cert cache,
 * its refresh timer and the OCSP download endpoint body.
 */
#include "config.h"

#include <sys/queue.h>
#include <sys/stat.h>
#include <sys/types.h>

#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <curl/curl.h>
#include <event2/event.h>
#include <event2/http.h>
#include <event2/keyvalq_struct.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/ocsp.h>
#include <openssl/x509v3.h>

#include "buf.h"
#include "certcheck.h"
#include "compat.h"
#include "log.h"
#include "mime.h"
#include "ocsp.h"

#define OCSP_CACHE_MAX_CERTS	4096

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

static int
asn1_to_time(const ASN1_TIME *t, time_t *out)
{
	struct tm	 tm;

	if (t == NULL || !ASN1_TIME_to_tm(t, &tm))
		return -1;
	*out = timegm(&tm);
	return 0;
}

static void
fmt_time(time_t t, char *s, size_t n)
{
	struct tm	 tm;

	if (gmtime_r(&t, &tm) == NULL ||
	    strftime(s, n, "%Y-%m-%dT%H:%M:%SZ", &tm) == 0)
		(void)snprintf(s, n, "%lld", (long long)t);
}

const char *
ocsp_verdict_str(enum ocsp_verdict v)
{
	switch (v) {
	case OCSP_V_GOOD:
		return "good";
	case OCSP_V_MALFORMED:
		return "malformed";
	case OCSP_V_NOT_SUCCESSFUL:
		return "not successful";
	case OCSP_V_WRONG_CERT:
		return "wrong certificate";
	case OCSP_V_UNAUTHORIZED:
		return "unauthorized responder";
	case OCSP_V_BAD_SIGNATURE:
		return "bad signature";
	case OCSP_V_REVOKED:
		return "revoked";
	case OCSP_V_UNKNOWN:
		return "unknown";
	case OCSP_V_NOT_YET_VALID:
		return "not yet valid";
	case OCSP_V_TOO_OLD:
		return "too old";
	case OCSP_V_EXPIRED:
		return "expired";
	case OCSP_V_INTERNAL:
		return "internal error";
	}
	return "?";
}

void
ocsp_verify_params_init(struct ocsp_verify_params *p, time_t now)
{
	memset(p, 0, sizeof(*p));
	p->op_now = now;
	p->op_freshness = OCSP_FRESHNESS_DEFAULT;
	p->op_skew = OCSP_SKEW_DEFAULT;
	p->op_check_next_update = 0;
	p->op_responders = NULL;
}

/* Index of the single response for (cert, issuer), -1 if none. */
static int
find_single(OCSP_BASICRESP *bs, X509 *cert, X509 *issuer)
{
	OCSP_SINGLERESP		*sr;
	OCSP_CERTID		*sid, *id;
	ASN1_OBJECT		*mdobj;
	const EVP_MD		*md;
	int			 i, n, match;

	n = OCSP_resp_count(bs);
	for (i = 0; i < n; i++) {
		if ((sr = OCSP_resp_get0(bs, i)) == NULL)
			continue;
		sid = (OCSP_CERTID *)OCSP_SINGLERESP_get0_id(sr);
		mdobj = NULL;
		if (sid == NULL ||
		    !OCSP_id_get0_info(NULL, &mdobj, NULL, NULL, sid) ||
		    (md = EVP_get_digestbyobj(mdobj)) == NULL)
			continue;
		if ((id = OCSP_cert_to_id(md, cert, issuer)) == NULL)
			continue;
		match = OCSP_id_cmp(id, sid) == 0;
		OCSP_CERTID_free(id);
		if (match)
			return i;
	}
	return -1;
}

/* Does c match the response's responder id (by name or by key hash)? */
static int
respid_match(const ASN1_OCTET_STRING *pid, const X509_NAME *pname, X509 *c)
{
	unsigned char	 md[EVP_MAX_MD_SIZE];
	unsigned int	 mdlen;

	if (pname != NULL)
		return X509_NAME_cmp(pname, X509_get_subject_name(c)) == 0;
	if (pid == NULL || ASN1_STRING_length(pid) != SHA_DIGEST_LENGTH)
		return 0;
	if (!X509_pubkey_digest(c, EVP_sha1(), md, &mdlen) ||
	    mdlen != SHA_DIGEST_LENGTH)
		return 0;
	return memcmp(md, ASN1_STRING_get0_data(pid), mdlen) == 0;
}

/*
 * The signer: configured certs (issuer, trusted responders) first, so a
 * stray cert in the response cannot shadow the CA; then the response's.
 */
static X509 *
find_signer(OCSP_BASICRESP *bs, X509 *issuer, STACK_OF(X509) *responders)
{
	const ASN1_OCTET_STRING	*pid = NULL;
	const X509_NAME		*pname = NULL;
	const STACK_OF(X509)	*certs;
	int			 i;

	if (!OCSP_resp_get0_id(bs, &pid, &pname))
		return NULL;
	if (respid_match(pid, pname, issuer))
		return issuer;
	for (i = 0; responders != NULL && i < sk_X509_num(responders); i++)
		if (respid_match(pid, pname, sk_X509_value(responders, i)))
			return sk_X509_value(responders, i);
	certs = OCSP_resp_get0_certs(bs);
	for (i = 0; certs != NULL && i < sk_X509_num(certs); i++)
		if (respid_match(pid, pname, sk_X509_value(certs, i)))
			return sk_X509_value(certs, i);
	return NULL;
}

static int
valid_at(X509 *c, time_t now, long skew)
{
	time_t	 lo = now + skew, hi = now - skew;

	/* X509_cmp_time: -1 if the cert's time is before, 1 after, 0 error */
	if (X509_cmp_time(X509_get0_notBefore(c), &lo) != -1)
		return 0;
	if (X509_cmp_time(X509_get0_notAfter(c), &hi) != 1)
		return 0;
	return 1;
}

static enum ocsp_verdict
check_responder(X509 *signer, X509 *issuer,
    const struct ocsp_verify_params *p, char *err, size_t errlen)
{
	char		 tbuf[32];
	int		 i, trusted = 0;
	EVP_PKEY	*ikey;

	if (X509_cmp(signer, issuer) == 0)
		return OCSP_V_GOOD;
	for (i = 0; p->op_responders != NULL &&
	    i < sk_X509_num(p->op_responders); i++)
		if (X509_cmp(signer, sk_X509_value(p->op_responders, i)) == 0)
			trusted = 1;
	if (!trusted) {
		ikey = X509_get0_pubkey(issuer);
		if (ikey == NULL ||
		    X509_check_issued(issuer, signer) != X509_V_OK ||
		    X509_verify(signer, ikey) != 1 ||
		    (X509_get_extension_flags(signer) & EXFLAG_XKUSAGE) == 0 ||
		    (X509_get_extended_key_usage(signer) & XKU_OCSP_SIGN) == 0) {
			ERR_clear_error();
			seterr(err, errlen,
			    "OCSP responder is not authorized for given CA");
			return OCSP_V_UNAUTHORIZED;
		}
	}
	if (!valid_at(signer, p->op_now, p->op_skew)) {
		fmt_time(p->op_now, tbuf, sizeof(tbuf));
		seterr(err, errlen, "OCSP responder certificate is not valid "
		    "at %s", tbuf);
		return OCSP_V_UNAUTHORIZED;
	}
	return OCSP_V_GOOD;
}

static void
info_clear(struct ocsp_info *info)
{
	memset(info, 0, sizeof(*info));
	info->oi_status = -1;
	info->oi_reason = -1;
}

enum ocsp_verdict
ocsp_verify(const unsigned char *der, size_t len, X509 *cert, X509 *issuer,
    const struct ocsp_verify_params *p, struct ocsp_info *info, char *err,
    size_t errlen)
{
	OCSP_RESPONSE		*resp = NULL;
	OCSP_BASICRESP		*bs = NULL;
	OCSP_SINGLERESP		*sr;
	STACK_OF(X509)		*one = NULL;
	ASN1_GENERALIZEDTIME	*revtime = NULL, *thisupd = NULL;
	ASN1_GENERALIZEDTIME	*nextupd = NULL;
	const unsigned char	*pp = der;
	struct ocsp_info	 tmp;
	enum ocsp_verdict	 v;
	X509			*signer;
	char			 hex[OCSP_SHA1_HEX_LEN + 1], tbuf[32];
	int			 st, idx, reason = -1;

	if (info == NULL)
		info = &tmp;
	info_clear(info);
	seterr(err, errlen, "OCSP response is valid");
	if (der == NULL || len == 0 || len > LONG_MAX || cert == NULL ||
	    issuer == NULL || p == NULL) {
		seterr(err, errlen, "OCSP verification: invalid arguments");
		return OCSP_V_INTERNAL;
	}
	resp = d2i_OCSP_RESPONSE(NULL, &pp, (long)len);
	if (resp == NULL || pp != der + len) {
		seterr(err, errlen, "OCSP response is malformed");
		v = OCSP_V_MALFORMED;
		goto done;
	}
	st = OCSP_response_status(resp);
	if (st != OCSP_RESPONSE_STATUS_SUCCESSFUL) {
		seterr(err, errlen, "OCSP response status is not successful: "
		    "%s", OCSP_response_status_str(st));
		v = OCSP_V_NOT_SUCCESSFUL;
		goto done;
	}
	if ((bs = OCSP_response_get1_basic(resp)) == NULL) {
		seterr(err, errlen, "OCSP response has no basic response");
		v = OCSP_V_MALFORMED;
		goto done;
	}
	(void)asn1_to_time(OCSP_resp_get0_produced_at(bs),
	    &info->oi_produced_at);

	if ((idx = find_single(bs, cert, issuer)) < 0 ||
	    (sr = OCSP_resp_get0(bs, idx)) == NULL) {
		if (certcheck_sha1_hex(cert, hex) == -1)
			hex[0] = '\0';
		seterr(err, errlen, "OCSP response does not apply to "
		    "certificate %s", hex);
		v = OCSP_V_WRONG_CERT;
		goto done;
	}
	st = OCSP_single_get0_status(sr, &reason, &revtime, &thisupd,
	    &nextupd);
	info->oi_status = st;
	if (st == V_OCSP_CERTSTATUS_REVOKED)
		info->oi_reason = reason;
	if (thisupd == NULL ||
	    asn1_to_time(thisupd, &info->oi_this_update) == -1 ||
	    (nextupd != NULL &&
	    asn1_to_time(nextupd, &info->oi_next_update) == -1) ||
	    (revtime != NULL &&
	    asn1_to_time(revtime, &info->oi_revoked_at) == -1)) {
		seterr(err, errlen, "OCSP response has invalid times");
		v = OCSP_V_MALFORMED;
		goto done;
	}

	if ((signer = find_signer(bs, issuer, p->op_responders)) == NULL) {
		seterr(err, errlen, "Could not find OCSP responder "
		    "certificate");
		v = OCSP_V_UNAUTHORIZED;
		goto done;
	}
	if ((v = check_responder(signer, issuer, p, err, errlen)) !=
	    OCSP_V_GOOD)
		goto done;
	/* Signature only: the responder was authorised above. */
	if ((one = sk_X509_new_null()) == NULL || !sk_X509_push(one, signer)) {
		seterr(err, errlen, "out of memory");
		v = OCSP_V_INTERNAL;
		goto done;
	}
	if (OCSP_basic_verify(bs, one, NULL,
	    OCSP_NOINTERN | OCSP_NOVERIFY | OCSP_NOCHAIN) <= 0) {
		seterr(err, errlen, "Signature on OCSP response is not valid");
		v = OCSP_V_BAD_SIGNATURE;
		goto done;
	}

	if (st == V_OCSP_CERTSTATUS_REVOKED) {
		fmt_time(info->oi_revoked_at, tbuf, sizeof(tbuf));
		seterr(err, errlen, "Certificate has been revoked (revocation "
		    "time: %s, reason: %s)", tbuf, reason >= 0 ?
		    OCSP_crl_reason_str(reason) : "unspecified");
		v = OCSP_V_REVOKED;
		goto done;
	}
	if (st != V_OCSP_CERTSTATUS_GOOD) {
		seterr(err, errlen, "OCSP response status for the certificate "
		    "is unknown");
		v = OCSP_V_UNKNOWN;
		goto done;
	}
	if (info->oi_this_update > p->op_now + p->op_skew) {
		fmt_time(info->oi_this_update, tbuf, sizeof(tbuf));
		seterr(err, errlen, "OCSP response is not yet valid "
		    "(thisUpdate: %s)", tbuf);
		v = OCSP_V_NOT_YET_VALID;
		goto done;
	}
	if (info->oi_this_update < p->op_now - p->op_freshness) {
		fmt_time(info->oi_this_update, tbuf, sizeof(tbuf));
		seterr(err, errlen, "OCSP response is too old (thisUpdate: %s)",
		    tbuf);
		v = OCSP_V_TOO_OLD;
		goto done;
	}
	if (p->op_check_next_update && nextupd != NULL &&
	    info->oi_next_update < p->op_now - p->op_skew) {
		fmt_time(info->oi_next_update, tbuf, sizeof(tbuf));
		seterr(err, errlen, "OCSP response is expired (nextUpdate: %s)",
		    tbuf);
		v = OCSP_V_EXPIRED;
		goto done;
	}
	v = OCSP_V_GOOD;
 done:
	sk_X509_free(one);
	OCSP_BASICRESP_free(bs);
	OCSP_RESPONSE_free(resp);
	ERR_clear_error();
	return v;
}

int
ocsp_response_is_for(const unsigned char *der, size_t len, X509 *cert,
    X509 *issuer)
{
	OCSP_RESPONSE		*resp;
	OCSP_BASICRESP		*bs = NULL;
	const unsigned char	*pp = der;
	int			 ok = 0;

	if (der == NULL || len == 0 || len > LONG_MAX)
		return 0;
	if ((resp = d2i_OCSP_RESPONSE(NULL, &pp, (long)len)) == NULL)
		goto done;
	if ((bs = OCSP_response_get1_basic(resp)) == NULL)
		goto done;
	ok = find_single(bs, cert, issuer) >= 0;
 done:
	OCSP_BASICRESP_free(bs);
	OCSP_RESPONSE_free(resp);
	ERR_clear_error();
	return ok;
}

int
ocsp_request_der(X509 *cert, X509 *issuer, unsigned char **der,
    size_t *lenp)
{
	OCSP_REQUEST	*req = NULL;
	OCSP_CERTID	*id = NULL;
	unsigned char	*out = NULL, *p;
	int		 n, rv = -1;

	*der = NULL;
	*lenp = 0;
	if ((req = OCSP_REQUEST_new()) == NULL)
		goto done;
	if ((id = OCSP_cert_to_id(EVP_sha1(), cert, issuer)) == NULL)
		goto done;
	if (OCSP_request_add0_id(req, id) == NULL)
		goto done;
	id = NULL;	/* owned by req */
	/* No OCSP_request_add1_nonce(): X-Road never sends a nonce. */
	if ((n = i2d_OCSP_REQUEST(req, NULL)) <= 0)
		goto done;
	if ((out = malloc(n)) == NULL)
		goto done;
	p = out;
	if (i2d_OCSP_REQUEST(req, &p) != n)
		goto done;
	*der = out;
	*lenp = (size_t)n;
	out = NULL;
	rv = 0;
 done:
	free(out);
	OCSP_CERTID_free(id);
	OCSP_REQUEST_free(req);
	ERR_clear_error();
	return rv;
}

int
ocsp_responder_url(X509 *cert, char *url, size_t urlsize)
{
	STACK_OF(OPENSSL_STRING)	*urls;
	const char			*u;
	int				 i, rv = -1;

	if ((urls = X509_get1_ocsp(cert)) == NULL)
		return -1;
	for (i = 0; i < sk_OPENSSL_STRING_num(urls); i++) {
		u = sk_OPENSSL_STRING_value(urls, i);
		if (strncasecmp(u, "http://", 7) != 0 &&
		    strncasecmp(u, "https://", 8) != 0)
			continue;
		if (strlcpy(url, u, urlsize) >= urlsize)
			continue;
		rv = 0;
		break;
	}
	X509_email_free(urls);
	return rv;
}

void
ocsp_fetch_opts_init(struct ocsp_fetch_opts *o)
{
	o->of_connect_timeout_ms = OCSP_CONNECT_TIMEOUT_MS;
	o->of_timeout_ms = OCSP_TIMEOUT_MS;
	o->of_max_response = OCSP_RESPONSE_MAX;
}

struct fetch_sink {
	struct buf	*fs_buf;
	int		 fs_full;
};

static size_t
fetch_write(char *ptr, size_t size, size_t nmemb, void *arg)
{
	struct fetch_sink	*fs = arg;
	size_t			 n = size * nmemb;

	if (buf_append(fs->fs_buf, ptr, n) != 0) {
		fs->fs_full = 1;
		return 0;
	}
	return n;
}

int
ocsp_fetch(X509 *cert, X509 *issuer, const char *url,
    const struct ocsp_fetch_opts *opts, unsigned char **der, size_t *lenp,
    char *err, size_t errlen)
{
	struct ocsp_fetch_opts	 defopts;
	struct fetch_sink	 fs = { NULL, 0 };
	struct curl_slist	*hdrs = NULL;
	OCSP_RESPONSE		*resp;
	CURL			*curl = NULL;
	CURLcode		 rc;
	const unsigned char	*pp;
	unsigned char		*req = NULL;
	size_t			 reqlen;
	long			 status = 0;
	char			 aia[2048], cerr[CURL_ERROR_SIZE];
	int			 rv = -1;

	*der = NULL;
	*lenp = 0;
	if (opts == NULL) {
		ocsp_fetch_opts_init(&defopts);
		opts = &defopts;
	}
	if (url == NULL) {
		if (ocsp_responder_url(cert, aia, sizeof(aia)) == -1) {
			seterr(err, errlen, "certificate has no http(s) OCSP "
			    "responder URL");
			return -1;
		}
		url = aia;
	}
	if (strncasecmp(url, "http://", 7) != 0 &&
	    strncasecmp(url, "https://", 8) != 0) {
		seterr(err, errlen, "OCSP responder URL is not http(s)");
		return -1;
	}
	if (ocsp_request_der(cert, issuer, &req, &reqlen) == -1) {
		seterr(err, errlen, "cannot build OCSP request");
		return -1;
	}
	if ((fs.fs_buf = buf_new(opts->of_max_response)) == NULL ||
	    (curl = curl_easy_init()) == NULL) {
		seterr(err, errlen, "out of memory");
		goto done;
	}
	if ((hdrs = curl_slist_append(NULL,
	    "Content-Type: application/ocsp-request")) == NULL ||
	    (hdrs = curl_slist_append(hdrs,
	    "Accept: application/ocsp-response")) == NULL) {
		seterr(err, errlen, "out of memory");
		goto done;
	}
	cerr[0] = '\0';
	if (curl_easy_setopt(curl, CURLOPT_URL, url) != CURLE_OK ||
#if LIBCURL_VERSION_NUM >= 0x075500
	    curl_easy_setopt(curl, CURLOPT_PROTOCOLS_STR, "http,https") !=
	    CURLE_OK ||
#else
	    curl_easy_setopt(curl, CURLOPT_PROTOCOLS,
	    (long)(CURLPROTO_HTTP | CURLPROTO_HTTPS)) != CURLE_OK ||
#endif
	    curl_easy_setopt(curl, CURLOPT_ERRORBUFFER, cerr) != CURLE_OK ||
	    curl_easy_setopt(curl, CURLOPT_NOSIGNAL, 1L) != CURLE_OK ||
	    curl_easy_setopt(curl, CURLOPT_FOLLOWLOCATION, 0L) != CURLE_OK ||
	    curl_easy_setopt(curl, CURLOPT_NOPROXY,
	    "127.0.0.1,localhost,::1") != CURLE_OK ||
	    curl_easy_setopt(curl, CURLOPT_CONNECTTIMEOUT_MS,
	    opts->of_connect_timeout_ms) != CURLE_OK ||
	    curl_easy_setopt(curl, CURLOPT_TIMEOUT_MS,
	    opts->of_timeout_ms) != CURLE_OK ||
	    curl_easy_setopt(curl, CURLOPT_MAXFILESIZE_LARGE,
	    (curl_off_t)opts->of_max_response) != CURLE_OK ||
	    curl_easy_setopt(curl, CURLOPT_HTTPHEADER, hdrs) != CURLE_OK ||
	    curl_easy_setopt(curl, CURLOPT_POST, 1L) != CURLE_OK ||
	    curl_easy_setopt(curl, CURLOPT_POSTFIELDS, req) != CURLE_OK ||
	    curl_easy_setopt(curl, CURLOPT_POSTFIELDSIZE, (long)reqlen) !=
	    CURLE_OK ||
	    curl_easy_setopt(curl, CURLOPT_WRITEFUNCTION, fetch_write) !=
	    CURLE_OK ||
	    curl_easy_setopt(curl, CURLOPT_WRITEDATA, &fs) != CURLE_OK) {
		seterr(err, errlen, "cannot set up the OCSP HTTP request");
		goto done;
	}
	rc = curl_easy_perform(curl);
	if (fs.fs_full || rc == CURLE_FILESIZE_EXCEEDED) {
		seterr(err, errlen, "OCSP response from %s exceeds %zu bytes",
		    url, opts->of_max_response);
		goto done;
	}
	if (rc != CURLE_OK) {
		seterr(err, errlen, "OCSP request to %s failed: %s", url,
		    cerr[0] != '\0' ? cerr : curl_easy_strerror(rc));
		goto done;
	}
	(void)curl_easy_getinfo(curl, CURLINFO_RESPONSE_CODE, &status);
	if (status != 200) {
		seterr(err, errlen, "OCSP responder %s answered HTTP %ld", url,
		    status);
		goto done;
	}
	pp = buf_data(fs.fs_buf);
	if (buf_len(fs.fs_buf) == 0 || (resp = d2i_OCSP_RESPONSE(NULL, &pp,
	    (long)buf_len(fs.fs_buf))) == NULL) {
		ERR_clear_error();
		seterr(err, errlen, "OCSP responder %s sent no OCSP response",
		    url);
		goto done;
	}
	OCSP_RESPONSE_free(resp);
	*der = buf_release(fs.fs_buf, lenp);
	fs.fs_buf = NULL;
	if (*der == NULL) {
		seterr(err, errlen, "out of memory");
		goto done;
	}
	rv = 0;
 done:
	curl_slist_free_all(hdrs);
	if (curl != NULL)
		curl_easy_cleanup(curl);
	buf_free(fs.fs_buf);
	free(req);
	return rv;
}

/*
 * The cache.
 */

struct ocsp_entry {
	X509		*oe_cert;
	X509		*oe_issuer;
	char		*oe_url;		/* NULL: AIA */
	char		 oe_sha1[OCSP_SHA1_HEX_LEN + 1];
	char		 oe_sha256[OCSP_SHA256_HEX_LEN + 1];
	unsigned char	*oe_der;		/* latest good response */
	size_t		 oe_len;
	time_t		 oe_this_update;
};

struct ocsp_cache {
	pthread_mutex_t		 oc_mtx;
	char			*oc_dir;
	struct ocsp_entry	**oc_entries;
	size_t			 oc_n;
	size_t			 oc_cap;
	long			 oc_freshness;
	long			 oc_skew;
	int			 oc_check_next_update;
	struct ocsp_fetch_opts	 oc_fetch;
	STACK_OF(X509)		*oc_responders;
	ocsp_clock_fn		 oc_clock;
	void			*oc_clock_arg;
};

static void
entry_free(struct ocsp_entry *e)
{
	if (e == NULL)
		return;
	X509_free(e->oe_cert);
	X509_free(e->oe_issuer);
	free(e->oe_url);
	free(e->oe_der);
	free(e);
}

/* Lower-case a 40 or 64 digit hex string into out; -1 if malformed. */
static int
hex_norm(const char *hex, char *out, size_t outsize)
{
	size_t	 i, n;

	if (hex == NULL)
		return -1;
	n = strlen(hex);
	if ((n != OCSP_SHA1_HEX_LEN && n != OCSP_SHA256_HEX_LEN) ||
	    n >= outsize)
		return -1;
	for (i = 0; i < n; i++) {
		if (!isxdigit((unsigned char)hex[i]))
			return -1;
		out[i] = (char)tolower((unsigned char)hex[i]);
	}
	out[n] = '\0';
	return 0;
}

/* Called with the lock held. */
static struct ocsp_entry *
cache_find(struct ocsp_cache *c, const char *hex)
{
	size_t	 i;

	for (i = 0; i < c->oc_n; i++)
		if (strcmp(c->oc_entries[i]->oe_sha1, hex) == 0 ||
		    strcmp(c->oc_entries[i]->oe_sha256, hex) == 0)
			return c->oc_entries[i];
	return NULL;
}

static time_t
cache_now(struct ocsp_cache *c)
{
	if (c->oc_clock != NULL)
		return c->oc_clock(c->oc_clock_arg);
	return time(NULL);
}

static void
cache_params(struct ocsp_cache *c, struct ocsp_verify_params *p)
{
	ocsp_verify_params_init(p, cache_now(c));
	p->op_freshness = c->oc_freshness;
	p->op_skew = c->oc_skew;
	p->op_check_next_update = c->oc_check_next_update;
	p->op_responders = c->oc_responders;
}

struct ocsp_cache *
ocsp_cache_new(const char *dir)
{
	struct ocsp_cache	*c;

	if ((c = calloc(1, sizeof(*c))) == NULL)
		return NULL;
	if (pthread_mutex_init(&c->oc_mtx, NULL) != 0) {
		free(c);
		return NULL;
	}
	c->oc_freshness = OCSP_FRESHNESS_DEFAULT;
	c->oc_skew = OCSP_SKEW_DEFAULT;
	ocsp_fetch_opts_init(&c->oc_fetch);
	if (dir != NULL) {
		if (mkdir(dir, 0700) == -1 && errno != EEXIST) {
			log_warn("ocsp cache: mkdir %s", dir);
			goto fail;
		}
		if ((c->oc_dir = strdup(dir)) == NULL)
			goto fail;
	}
	return c;
 fail:
	ocsp_cache_free(c);
	return NULL;
}

void
ocsp_cache_free(struct ocsp_cache *c)
{
	size_t	 i;

	if (c == NULL)
		return;
	for (i = 0; i < c->oc_n; i++)
		entry_free(c->oc_entries[i]);
	free(c->oc_entries);
	sk_X509_pop_free(c->oc_responders, X509_free);
	free(c->oc_dir);
	pthread_mutex_destroy(&c->oc_mtx);
	free(c);
}

void
ocsp_cache_set_clock(struct ocsp_cache *c, ocsp_clock_fn fn, void *arg)
{
	pthread_mutex_lock(&c->oc_mtx);
	c->oc_clock = fn;
	c->oc_clock_arg = arg;
	pthread_mutex_unlock(&c->oc_mtx);
}

void
ocsp_cache_set_limits(struct ocsp_cache *c, long freshness, long skew,
    int check_next_update)
{
	pthread_mutex_lock(&c->oc_mtx);
	if (freshness >= 0)
		c->oc_freshness = freshness;
	if (skew >= 0)
		c->oc_skew = skew;
	c->oc_check_next_update = check_next_update;
	pthread_mutex_unlock(&c->oc_mtx);
}

void
ocsp_cache_set_fetch_opts(struct ocsp_cache *c,
    const struct ocsp_fetch_opts *o)
{
	pthread_mutex_lock(&c->oc_mtx);
	c->oc_fetch = *o;
	pthread_mutex_unlock(&c->oc_mtx);
}

int
ocsp_cache_set_responders(struct ocsp_cache *c, STACK_OF(X509) *rs)
{
	STACK_OF(X509)	*copy = NULL;

	if (rs != NULL && (copy = X509_chain_up_ref(rs)) == NULL)
		return -1;
	pthread_mutex_lock(&c->oc_mtx);
	sk_X509_pop_free(c->oc_responders, X509_free);
	c->oc_responders = copy;
	pthread_mutex_unlock(&c->oc_mtx);
	return 0;
}

static int
cache_path(struct ocsp_cache *c, const char *sha1, int tmp, char *path,
    size_t size)
{
	int	 n;

	n = snprintf(path, size, "%s/%s%s.der%s", c->oc_dir, tmp ? "." : "",
	    sha1, tmp ? ".tmp" : "");
	return (n < 0 || (size_t)n >= size) ? -1 : 0;
}

/* Write atomically (temp file + rename). Called with the lock held. */
static void
cache_persist(struct ocsp_cache *c, const struct ocsp_entry *e)
{
	char		 path[PATH_MAX], tmp[PATH_MAX];
	const unsigned char *p = e->oe_der;
	size_t		 left = e->oe_len;
	ssize_t		 n;
	int		 fd;

	if (c->oc_dir == NULL)
		return;
	if (cache_path(c, e->oe_sha1, 0, path, sizeof(path)) == -1 ||
	    cache_path(c, e->oe_sha1, 1, tmp, sizeof(tmp)) == -1) {
		log_warnx("ocsp cache: path too long");
		return;
	}
	if ((fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC,
	    0644)) == -1) {
		log_warn("ocsp cache: open %s", tmp);
		return;
	}
	while (left > 0) {
		if ((n = write(fd, p, left)) == -1) {
			if (errno == EINTR)
				continue;
			log_warn("ocsp cache: write %s", tmp);
			goto fail;
		}
		p += n;
		left -= (size_t)n;
	}
	if (fsync(fd) == -1) {
		log_warn("ocsp cache: fsync %s", tmp);
		goto fail;
	}
	if (close(fd) == -1) {
		fd = -1;
		log_warn("ocsp cache: close %s", tmp);
		goto fail;
	}
	fd = -1;
	if (rename(tmp, path) == -1) {
		log_warn("ocsp cache: rename %s", path);
		goto fail;
	}
	return;
 fail:
	if (fd != -1)
		close(fd);
	(void)unlink(tmp);
}

/* Read <dir>/<sha1>.der into a malloc'ed buffer; -1 if absent. */
static int
cache_load(struct ocsp_cache *c, const char *sha1, unsigned char **der,
    size_t *lenp)
{
	struct buf	*b = NULL;
	char		 path[PATH_MAX];
	unsigned char	 chunk[4096];
	ssize_t		 n;
	int		 fd, rv = -1;

	*der = NULL;
	if (c->oc_dir == NULL ||
	    cache_path(c, sha1, 0, path, sizeof(path)) == -1)
		return -1;
	if ((fd = open(path, O_RDONLY | O_CLOEXEC)) == -1) {
		if (errno != ENOENT)
			log_warn("ocsp cache: open %s", path);
		return -1;
	}
	if ((b = buf_new(OCSP_RESPONSE_MAX)) == NULL)
		goto done;
	for (;;) {
		if ((n = read(fd, chunk, sizeof(chunk))) == -1) {
			if (errno == EINTR)
				continue;
			log_warn("ocsp cache: read %s", path);
			goto done;
		}
		if (n == 0)
			break;
		if (buf_append(b, chunk, (size_t)n) != 0) {
			log_warnx("ocsp cache: %s is too large", path);
			goto done;
		}
	}
	if (buf_len(b) == 0)
		goto done;
	*der = buf_release(b, lenp);
	b = NULL;
	rv = *der != NULL ? 0 : -1;
 done:
	buf_free(b);
	close(fd);
	return rv;
}

/* Verify and store der in e. Called with the lock held. */
static enum ocsp_verdict
entry_store(struct ocsp_cache *c, struct ocsp_entry *e,
    const unsigned char *der, size_t len, int persist, char *err,
    size_t errlen)
{
	struct ocsp_verify_params	 p;
	struct ocsp_info		 info;
	enum ocsp_verdict		 v;
	unsigned char			*copy;

	cache_params(c, &p);
	v = ocsp_verify(der, len, e->oe_cert, e->oe_issuer, &p, &info, err,
	    errlen);
	if (v != OCSP_V_GOOD)
		return v;
	if ((copy = malloc(len)) == NULL) {
		seterr(err, errlen, "out of memory");
		return OCSP_V_INTERNAL;
	}
	memcpy(copy, der, len);
	free(e->oe_der);
	e->oe_der = copy;
	e->oe_len = len;
	e->oe_this_update = info.oi_this_update;
	if (persist)
		cache_persist(c, e);
	return OCSP_V_GOOD;
}

int
ocsp_cache_add_cert(struct ocsp_cache *c, X509 *cert, X509 *issuer,
    const char *url)
{
	struct ocsp_entry	*e = NULL, *old, **ne;
	unsigned char		*der = NULL;
	size_t			 len, ncap;
	char			 err[256];
	int			 rv = -1;

	if (cert == NULL || issuer == NULL)
		return -1;
	if ((e = calloc(1, sizeof(*e))) == NULL)
		return -1;
	if (certcheck_sha1_hex(cert, e->oe_sha1) == -1 ||
	    certcheck_sha256_hex(cert, e->oe_sha256) == -1)
		goto fail;
	if (url != NULL && (e->oe_url = strdup(url)) == NULL)
		goto fail;
	if (!X509_up_ref(cert))
		goto fail;
	e->oe_cert = cert;
	if (!X509_up_ref(issuer))
		goto fail;
	e->oe_issuer = issuer;

	pthread_mutex_lock(&c->oc_mtx);
	if ((old = cache_find(c, e->oe_sha1)) != NULL) {
		/* Same cert: new issuer and url, keep the response. */
		X509_free(old->oe_issuer);
		old->oe_issuer = e->oe_issuer;
		e->oe_issuer = NULL;
		free(old->oe_url);
		old->oe_url = e->oe_url;
		e->oe_url = NULL;
		pthread_mutex_unlock(&c->oc_mtx);
		entry_free(e);
		return 0;
	}
	if (c->oc_n == c->oc_cap) {
		ncap = c->oc_cap == 0 ? 8 : c->oc_cap * 2;
		if (ncap > OCSP_CACHE_MAX_CERTS ||
		    (ne = reallocarray(c->oc_entries, ncap,
		    sizeof(*ne))) == NULL) {
			pthread_mutex_unlock(&c->oc_mtx);
			goto fail;
		}
		c->oc_entries = ne;
		c->oc_cap = ncap;
	}
	if (cache_load(c, e->oe_sha1, &der, &len) == 0) {
		if (entry_store(c, e, der, len, 0, err, sizeof(err)) ==
		    OCSP_V_GOOD)
			log_debug("ocsp cache: loaded response for %s",
			    e->oe_sha1);
		else
			log_info("ocsp cache: ignoring stored response for "
			    "%s: %s", e->oe_sha1, err);
		free(der);
	}
	c->oc_entries[c->oc_n++] = e;
	pthread_mutex_unlock(&c->oc_mtx);
	return 0;
 fail:
	entry_free(e);
	return rv;
}

int
ocsp_cache_remove_cert(struct ocsp_cache *c, const char *hex)
{
	char	 h[OCSP_SHA256_HEX_LEN + 1];
	size_t	 i;
	int	 rv = -1;

	if (hex_norm(hex, h, sizeof(h)) == -1)
		return -1;
	pthread_mutex_lock(&c->oc_mtx);
	for (i = 0; i < c->oc_n; i++) {
		if (strcmp(c->oc_entries[i]->oe_sha1, h) != 0 &&
		    strcmp(c->oc_entries[i]->oe_sha256, h) != 0)
			continue;
		entry_free(c->oc_entries[i]);
		memmove(&c->oc_entries[i], &c->oc_entries[i + 1],
		    (c->oc_n - i - 1) * sizeof(c->oc_entries[0]));
		c->oc_n--;
		rv = 0;
		break;
	}
	pthread_mutex_unlock(&c->oc_mtx);
	return rv;
}

enum ocsp_verdict
ocsp_cache_put(struct ocsp_cache *c, X509 *cert, const unsigned char *der,
    size_t len, char *err, size_t errlen)
{
	struct ocsp_entry	*e;
	enum ocsp_verdict	 v;
	char			 hex[OCSP_SHA1_HEX_LEN + 1];

	if (cert == NULL || certcheck_sha1_hex(cert, hex) == -1) {
		seterr(err, errlen, "invalid certificate");
		return OCSP_V_INTERNAL;
	}
	pthread_mutex_lock(&c->oc_mtx);
	if ((e = cache_find(c, hex)) == NULL) {
		seterr(err, errlen, "certificate %s is not in the OCSP cache",
		    hex);
		v = OCSP_V_INTERNAL;
	} else
		v = entry_store(c, e, der, len, 1, err, errlen);
	pthread_mutex_unlock(&c->oc_mtx);
	return v;
}

struct refresh_item {
	X509	*ri_cert;
	X509	*ri_issuer;
	char	*ri_url;
};

int
ocsp_cache_refresh(struct ocsp_cache *c, char *err, size_t errlen)
{
	struct refresh_item	*items = NULL;
	struct ocsp_fetch_opts	 fo;
	unsigned char		*der;
	size_t			 i, n = 0, len;
	char			 e[512];
	int			 failed = 0;

	seterr(err, errlen, "ok");
	pthread_mutex_lock(&c->oc_mtx);
	fo = c->oc_fetch;
	if (c->oc_n > 0 &&
	    (items = calloc(c->oc_n, sizeof(*items))) == NULL) {
		pthread_mutex_unlock(&c->oc_mtx);
		seterr(err, errlen, "out of memory");
		return -1;
	}
	for (n = 0; n < c->oc_n; n++) {
		items[n].ri_cert = c->oc_entries[n]->oe_cert;
		items[n].ri_issuer = c->oc_entries[n]->oe_issuer;
		X509_up_ref(items[n].ri_cert);
		X509_up_ref(items[n].ri_issuer);
		if (c->oc_entries[n]->oe_url != NULL)
			items[n].ri_url = strdup(c->oc_entries[n]->oe_url);
	}
	pthread_mutex_unlock(&c->oc_mtx);

	/* Fetch without the lock: a responder may be slow. */
	for (i = 0; i < n; i++) {
		if (ocsp_fetch(items[i].ri_cert, items[i].ri_issuer,
		    items[i].ri_url, &fo, &der, &len, e, sizeof(e)) == -1) {
			log_warnx("ocsp refresh: %s", e);
			if (!failed)
				seterr(err, errlen, "%s", e);
			failed = 1;
			continue;
		}
		if (ocsp_cache_put(c, items[i].ri_cert, der, len, e,
		    sizeof(e)) != OCSP_V_GOOD) {
			log_warnx("ocsp refresh: %s", e);
			if (!failed)
				seterr(err, errlen, "%s", e);
			failed = 1;
		}
		free(der);
	}
	for (i = 0; i < n; i++) {
		X509_free(items[i].ri_cert);
		X509_free(items[i].ri_issuer);
		free(items[i].ri_url);
	}
	free(items);
	return failed ? -1 : 0;
}

int
ocsp_cache_get(struct ocsp_cache *c, const char *hex, unsigned char **der,
    size_t *lenp, time_t *this_update)
{
	struct ocsp_entry	*e;
	char			 h[OCSP_SHA256_HEX_LEN + 1];
	int			 rv = -1;

	*der = NULL;
	*lenp = 0;
	if (hex_norm(hex, h, sizeof(h)) == -1)
		return -1;
	pthread_mutex_lock(&c->oc_mtx);
	if ((e = cache_find(c, h)) != NULL && e->oe_der != NULL &&
	    (*der = malloc(e->oe_len)) != NULL) {
		memcpy(*der, e->oe_der, e->oe_len);
		*lenp = e->oe_len;
		if (this_update != NULL)
			*this_update = e->oe_this_update;
		rv = 0;
	}
	pthread_mutex_unlock(&c->oc_mtx);
	return rv;
}

int
ocsp_cache_status(struct ocsp_cache *c, time_t *oldest)
{
	size_t	 i;
	int	 missing = 0;

	*oldest = 0;
	pthread_mutex_lock(&c->oc_mtx);
	for (i = 0; i < c->oc_n; i++) {
		if (c->oc_entries[i]->oe_der == NULL) {
			missing++;
			continue;
		}
		if (*oldest == 0 || c->oc_entries[i]->oe_this_update < *oldest)
			*oldest = c->oc_entries[i]->oe_this_update;
	}
	pthread_mutex_unlock(&c->oc_mtx);
	return missing;
}

/*
 * The OCSP download endpoint body (CertHashBasedOcspResponder).
 */

int
ocsp_download_body(struct ocsp_cache *c, const char *const *hexes,
    size_t n, struct buf **body, char *ctype, size_t ctypelen, char *err,
    size_t errlen)
{
	static const char *const hdrs[] = {
		"Content-Type", "application/ocsp-response", NULL
	};
	unsigned char		*ders[OCSP_DOWNLOAD_MAX_CERTS];
	size_t			 lens[OCSP_DOWNLOAD_MAX_CERTS];
	struct mime_writer	*w = NULL;
	size_t			 i, got = 0, total = 0;
	int			 k, rv = -1;

	*body = NULL;
	if (n == 0 || n > OCSP_DOWNLOAD_MAX_CERTS) {
		seterr(err, errlen, "expected 1 to %d cert parameters",
		    OCSP_DOWNLOAD_MAX_CERTS);
		return -1;
	}
	for (got = 0; got < n; got++) {
		if (ocsp_cache_get(c, hexes[got], &ders[got], &lens[got],
		    NULL) == -1) {
			seterr(err, errlen, "Could not find OCSP response for "
			    "certificate %.64s", hexes[got]);
			goto done;
		}
		total += lens[got];
	}
	if ((w = mime_writer_new(NULL, total + n * 256 + 256)) == NULL) {
		seterr(err, errlen, "out of memory");
		goto done;
	}
	k = snprintf(ctype, ctypelen,
	    "multipart/related; charset=UTF-8; boundary=%s",
	    mime_writer_boundary(w));
	if (k < 0 || (size_t)k >= ctypelen) {
		seterr(err, errlen, "content type buffer too small");
		goto done;
	}
	for (i = 0; i < n; i++) {
		if (mime_writer_add(w, hdrs, ders[i], lens[i]) != 0) {
			seterr(err, errlen, "cannot add a MIME part");
			goto done;
		}
	}
	k = mime_writer_finish(w, body);
	w = NULL;
	if (k != 0) {
		*body = NULL;
		seterr(err, errlen, "cannot finish the MIME body");
		goto done;
	}
	rv = 0;
 done:
	for (i = 0; i < got; i++)
		free(ders[i]);
	mime_writer_free(w);
	return rv;
}

int
ocsp_download_query(struct ocsp_cache *c, const char *query,
    struct buf **body, char *ctype, size_t ctypelen, char *err,
    size_t errlen)
{
	struct evkeyvalq	 kv;
	struct evkeyval		*p;
	const char		*hexes[OCSP_DOWNLOAD_MAX_CERTS];
	size_t			 n = 0;
	int			 rv = -1;

	*body = NULL;
	TAILQ_INIT(&kv);
	if (query == NULL || evhttp_parse_query_str(query, &kv) == -1) {
		seterr(err, errlen, "malformed query string");
		goto done;
	}
	TAILQ_FOREACH(p, &kv, next) {
		if (strcmp(p->key, "cert") != 0)
			continue;
		if (n == OCSP_DOWNLOAD_MAX_CERTS) {
			seterr(err, errlen, "more than %d cert parameters",
			    OCSP_DOWNLOAD_MAX_CERTS);
			goto done;
		}
		hexes[n++] = p->value;
	}
	rv = ocsp_download_body(c, hexes, n, body, ctype, ctypelen, err,
	    errlen);
 done:
	evhttp_clear_headers(&kv);
	return rv;
}

/*
 * The refresh schedule.
 */

struct ocsp_refresher {
	struct event_base	*or_base;
	struct ocsp_cache	*or_cache;
	struct event		*or_timer;
	struct event		*or_done_ev;
	int			 or_pipe[2];
	pthread_t		 or_thread;
	int			 or_running;
	int			 or_result;	/* read after pthread_join */
	unsigned int		 or_interval;
	unsigned int		 or_retry;
	ocsp_refresh_done_fn	 or_done;
	void			*or_arg;
};

static void
refresher_schedule(struct ocsp_refresher *r, unsigned int secs)
{
	struct timeval	 tv;

	tv.tv_sec = secs;
	tv.tv_usec = 0;
	if (evtimer_add(r->or_timer, &tv) == -1)
		log_warnx("ocsp refresh: cannot schedule the timer");
}

static void *
refresher_worker(void *arg)
{
	struct ocsp_refresher	*r = arg;
	char			 err[512];
	unsigned char		 one = 1;

	r->or_result = ocsp_cache_refresh(r->or_cache, err, sizeof(err));
	while (write(r->or_pipe[1], &one, 1) == -1 && errno == EINTR)
		;
	return NULL;
}

static void
refresher_timer_cb(evutil_socket_t fd, short what, void *arg)
{
	struct ocsp_refresher	*r = arg;
	int			 e;

	if (r->or_running)
		return;
	r->or_running = 1;
	if ((e = pthread_create(&r->or_thread, NULL, refresher_worker,
	    r)) != 0) {
		log_warnx("ocsp refresh: pthread_create: %s", strerror(e));
		r->or_running = 0;
		refresher_schedule(r, r->or_retry);
	}
}

static void
refresher_done_cb(evutil_socket_t fd, short what, void *arg)
{
	struct ocsp_refresher	*r = arg;
	unsigned char		 c;
	int			 result;

	if (read(fd, &c, 1) != 1 || !r->or_running)
		return;
	pthread_join(r->or_thread, NULL);
	r->or_running = 0;
	result = r->or_result;
	if (result == 0)
		log_debug("ocsp refresh: ok, next in %u s", r->or_interval);
	else
		log_warnx("ocsp refresh failed, retry in %u s", r->or_retry);
	refresher_schedule(r, result == 0 ? r->or_interval : r->or_retry);
	if (r->or_done != NULL)
		r->or_done(result, r->or_arg);
}

struct ocsp_refresher *
ocsp_refresher_new(struct event_base *base, struct ocsp_cache *cache,
    unsigned int interval_s, unsigned int retry_s, ocsp_refresh_done_fn done,
    void *arg)
{
	struct ocsp_refresher	*r;

	if (base == NULL || cache == NULL)
		return NULL;
	if ((r = calloc(1, sizeof(*r))) == NULL)
		return NULL;
	r->or_pipe[0] = r->or_pipe[1] = -1;
	r->or_base = base;
	r->or_cache = cache;
	r->or_done = done;
	r->or_arg = arg;
	ocsp_refresher_set_interval(r, interval_s, retry_s);
	/* Before any worker thread exists. */
	if (curl_global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK) {
		free(r);
		return NULL;
	}
	if (pipe2(r->or_pipe, O_CLOEXEC) == -1 ||
	    evutil_make_socket_nonblocking(r->or_pipe[0]) == -1)
		goto fail;
	if ((r->or_timer = evtimer_new(base, refresher_timer_cb, r)) == NULL ||
	    (r->or_done_ev = event_new(base, r->or_pipe[0],
	    EV_READ | EV_PERSIST, refresher_done_cb, r)) == NULL ||
	    event_add(r->or_done_ev, NULL) == -1)
		goto fail;
	return r;
 fail:
	ocsp_refresher_free(r);
	return NULL;
}

int
ocsp_refresher_start(struct ocsp_refresher *r)
{
	struct timeval	 tv = { 0, 0 };

	return evtimer_add(r->or_timer, &tv);
}

void
ocsp_refresher_set_interval(struct ocsp_refresher *r,
    unsigned int interval_s, unsigned int retry_s)
{
	r->or_interval = interval_s > 0 ? interval_s :
	    OCSP_FETCH_INTERVAL_DEFAULT;
	r->or_retry = retry_s > 0 ? retry_s : OCSP_RETRY_DELAY_DEFAULT;
}

void
ocsp_refresher_free(struct ocsp_refresher *r)
{
	if (r == NULL)
		return;
	if (r->or_timer != NULL)
		event_free(r->or_timer);
	if (r->or_done_ev != NULL)
		event_free(r->or_done_ev);
	if (r->or_running)
		pthread_join(r->or_thread, NULL);
	if (r->or_pipe[0] != -1)
		close(r->or_pipe[0]);
	if (r->or_pipe[1] != -1)
		close(r->or_pipe[1]);
	curl_global_cleanup();
	free(r);
}
