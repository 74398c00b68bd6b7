/*
 * Unit tests for ocsp.c: requests, verdicts of ocsp_verify(), fetching
 * from an in-process responder on 127.0.0.1, the cache (persistence,
 * lookups, the download endpoint body) and the refresh timer.
 */
#include "config.h"

#include <sys/socket.h>
#include <sys/stat.h>

#include <netinet/in.h>

#include <ctype.h>
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <event2/buffer.h>
#include <event2/event.h>
#include <event2/http.h>
#include <openssl/ocsp.h>

#include "buf.h"
#include "certcheck.h"
#include "compat.h"
#include "hk_check.h"
#include "mime.h"
#include "ocsp.h"
#include "testpki.h"

static struct testpki_pair	 ca, other_ca, leaf, leaf2, responder;
static struct testpki_pair	 foreign_responder, noeku_responder;
static struct testpki_pair	 expired_responder;
static time_t			 T;

static void
pki_setup(void)
{
	struct testpki_opts	 o;

	T = time(NULL);
	ca = testpki_new(TESTPKI_ROOT, "/C=PS/O=Test/CN=Test CA", NULL);
	other_ca = testpki_new(TESTPKI_ROOT, "/C=PS/O=Test/CN=Other CA",
	    NULL);
	memset(&o, 0, sizeof(o));
	o.subject = "/C=PS/O=GOV/CN=MOI";
	o.ocsp_url = "http://127.0.0.1:1/ocsp";
	leaf = testpki_new_opts(TESTPKI_SIGN, &o, &ca);
	leaf2 = testpki_new(TESTPKI_AUTH, "/C=PS/O=GOV/OU=MOI/CN=ss-moi",
	    &ca);
	responder = testpki_new(TESTPKI_OCSP, "/C=PS/O=Test/CN=OCSP", &ca);
	foreign_responder = testpki_new(TESTPKI_OCSP,
	    "/C=PS/O=Test/CN=Foreign OCSP", &other_ca);
	noeku_responder = testpki_new(TESTPKI_PLAIN,
	    "/C=PS/O=Test/CN=Not an OCSP responder", &ca);
	memset(&o, 0, sizeof(o));
	o.subject = "/C=PS/O=Test/CN=Expired OCSP";
	o.not_before = T - 10 * 86400;
	o.not_after = T - 86400;
	expired_responder = testpki_new_opts(TESTPKI_OCSP, &o, &ca);
}

static void
pki_teardown(void)
{
	testpki_clear(&ca);
	testpki_clear(&other_ca);
	testpki_clear(&leaf);
	testpki_clear(&leaf2);
	testpki_clear(&responder);
	testpki_clear(&foreign_responder);
	testpki_clear(&noeku_responder);
	testpki_clear(&expired_responder);
}

/* Make a response with opts o (NULL: good, thisUpdate T - 10). */
static unsigned char *
resp(X509 *cert, const struct testpki_pair *signer,
    struct testpki_ocsp_opts *o, size_t *lenp)
{
	struct testpki_ocsp_opts	 def;

	if (o == NULL) {
		testpki_ocsp_opts_init(&def);
		def.this_update = T - 10;
		o = &def;
	}
	return testpki_ocsp_response(cert, ca.cert, signer, o, lenp);
}

static enum ocsp_verdict
verify_at(const unsigned char *der, size_t len, time_t now, char *err,
    size_t errlen)
{
	struct ocsp_verify_params	 p;

	ocsp_verify_params_init(&p, now);
	return ocsp_verify(der, len, leaf.cert, ca.cert, &p, NULL, err,
	    errlen);
}

START_TEST(test_request_no_nonce)
{
	OCSP_REQUEST		*r;
	OCSP_CERTID		*id, *want;
	const unsigned char	*p;
	unsigned char		*der;
	size_t			 len;

	ck_assert_int_eq(ocsp_request_der(leaf.cert, ca.cert, &der, &len), 0);
	p = der;
	r = d2i_OCSP_REQUEST(NULL, &p, (long)len);
	ck_assert_ptr_nonnull(r);
	ck_assert_int_eq(OCSP_request_onereq_count(r), 1);
	ck_assert_int_lt(OCSP_REQUEST_get_ext_by_NID(r,
	    NID_id_pkix_OCSP_Nonce, -1), 0);
	id = OCSP_onereq_get0_id(OCSP_request_onereq_get0(r, 0));
	want = OCSP_cert_to_id(EVP_sha1(), leaf.cert, ca.cert);
	ck_assert_int_eq(OCSP_id_cmp(id, want), 0);
	OCSP_CERTID_free(want);
	OCSP_REQUEST_free(r);
	free(der);
}
END_TEST

START_TEST(test_responder_url)
{
	char	 url[256];

	ck_assert_int_eq(ocsp_responder_url(leaf.cert, url, sizeof(url)), 0);
	ck_assert_str_eq(url, "http://127.0.0.1:1/ocsp");
	ck_assert_int_eq(ocsp_responder_url(leaf.cert, url, 8), -1);
	ck_assert_int_eq(ocsp_responder_url(leaf2.cert, url, sizeof(url)),
	    -1);
}
END_TEST

START_TEST(test_good_by_ca)
{
	struct ocsp_verify_params	 p;
	struct ocsp_info		 info;
	unsigned char			*der;
	size_t				 len;
	char				 err[256];

	der = resp(leaf.cert, &ca, NULL, &len);
	ocsp_verify_params_init(&p, T);
	ck_assert_int_eq(ocsp_verify(der, len, leaf.cert, ca.cert, &p, &info,
	    err, sizeof(err)), OCSP_V_GOOD);
	ck_assert_int_eq(info.oi_status, V_OCSP_CERTSTATUS_GOOD);
	ck_assert_int_eq((long)info.oi_this_update, (long)(T - 10));
	ck_assert_int_eq((long)info.oi_next_update, 0);
	ck_assert(ocsp_response_is_for(der, len, leaf.cert, ca.cert));
	ck_assert(!ocsp_response_is_for(der, len, leaf2.cert, ca.cert));
	/* Another cert of the same CA: no single response for it. */
	ck_assert_int_eq(ocsp_verify(der, len, leaf2.cert, ca.cert, &p, NULL,
	    err, sizeof(err)), OCSP_V_WRONG_CERT);
	ck_assert_ptr_nonnull(strstr(err, "does not apply"));
	free(der);
}
END_TEST

START_TEST(test_good_by_delegated_responder)
{
	struct testpki_ocsp_opts	 o;
	unsigned char			*der;
	size_t				 len;
	char				 err[256];

	der = resp(leaf.cert, &responder, NULL, &len);
	ck_assert_int_eq(verify_at(der, len, T, err, sizeof(err)),
	    OCSP_V_GOOD);
	free(der);
	/* Responder id by key hash. */
	testpki_ocsp_opts_init(&o);
	o.this_update = T - 10;
	o.by_key = 1;
	der = resp(leaf.cert, &responder, &o, &len);
	ck_assert_int_eq(verify_at(der, len, T, err, sizeof(err)),
	    OCSP_V_GOOD);
	free(der);
	/* SHA-256 CertID. */
	testpki_ocsp_opts_init(&o);
	o.this_update = T - 10;
	o.id_md = EVP_sha256();
	der = resp(leaf.cert, &responder, &o, &len);
	ck_assert_int_eq(verify_at(der, len, T, err, sizeof(err)),
	    OCSP_V_GOOD);
	ck_assert(ocsp_response_is_for(der, len, leaf.cert, ca.cert));
	free(der);
}
END_TEST

START_TEST(test_responder_not_included)
{
	struct ocsp_verify_params	 p;
	struct testpki_ocsp_opts	 o;
	STACK_OF(X509)			*rs;
	unsigned char			*der;
	size_t				 len;
	char				 err[256];

	testpki_ocsp_opts_init(&o);
	o.this_update = T - 10;
	o.no_certs = 1;
	/* The CA is always known: no certs needed. */
	der = resp(leaf.cert, &ca, &o, &len);
	ck_assert_int_eq(verify_at(der, len, T, err, sizeof(err)),
	    OCSP_V_GOOD);
	free(der);
	/* A delegated responder not in the response cannot be found... */
	der = resp(leaf.cert, &responder, &o, &len);
	ck_assert_int_eq(verify_at(der, len, T, err, sizeof(err)),
	    OCSP_V_UNAUTHORIZED);
	ck_assert_ptr_nonnull(strstr(err, "Could not find"));
	/* ...unless configuration names it. */
	rs = testpki_stack(responder.cert, NULL);
	ocsp_verify_params_init(&p, T);
	p.op_responders = rs;
	ck_assert_int_eq(ocsp_verify(der, len, leaf.cert, ca.cert, &p, NULL,
	    err, sizeof(err)), OCSP_V_GOOD);
	sk_X509_pop_free(rs, X509_free);
	free(der);
}
END_TEST

START_TEST(test_unauthorized_responders)
{
	struct ocsp_verify_params	 p;
	STACK_OF(X509)			*rs;
	unsigned char			*der;
	size_t				 len;
	char				 err[256];

	/* OCSPSigning cert of another CA. */
	der = resp(leaf.cert, &foreign_responder, NULL, &len);
	ck_assert_int_eq(verify_at(der, len, T, err, sizeof(err)),
	    OCSP_V_UNAUTHORIZED);
	ck_assert_str_eq(err, "OCSP responder is not authorized for given CA");
	/* Trusted by configuration: accepted. */
	rs = testpki_stack(foreign_responder.cert, NULL);
	ocsp_verify_params_init(&p, T);
	p.op_responders = rs;
	ck_assert_int_eq(ocsp_verify(der, len, leaf.cert, ca.cert, &p, NULL,
	    err, sizeof(err)), OCSP_V_GOOD);
	sk_X509_pop_free(rs, X509_free);
	free(der);
	/* Issued by the CA but without id-kp-OCSPSigning. */
	der = resp(leaf.cert, &noeku_responder, NULL, &len);
	ck_assert_int_eq(verify_at(der, len, T, err, sizeof(err)),
	    OCSP_V_UNAUTHORIZED);
	ck_assert_str_eq(err, "OCSP responder is not authorized for given CA");
	free(der);
	/* Another CA itself. */
	der = resp(leaf.cert, &other_ca, NULL, &len);
	ck_assert_int_eq(verify_at(der, len, T, err, sizeof(err)),
	    OCSP_V_UNAUTHORIZED);
	free(der);
	/* A leaf (not a responder at all). */
	der = resp(leaf.cert, &leaf2, NULL, &len);
	ck_assert_int_eq(verify_at(der, len, T, err, sizeof(err)),
	    OCSP_V_UNAUTHORIZED);
	free(der);
	/* Delegated responder whose cert expired. */
	der = resp(leaf.cert, &expired_responder, NULL, &len);
	ck_assert_int_eq(verify_at(der, len, T, err, sizeof(err)),
	    OCSP_V_UNAUTHORIZED);
	ck_assert_ptr_nonnull(strstr(err, "not valid at"));
	free(der);
}
END_TEST

START_TEST(test_bad_signature)
{
	struct testpki_ocsp_opts	 o;
	unsigned char			*der;
	size_t				 len;
	char				 err[256];

	testpki_ocsp_opts_init(&o);
	o.this_update = T - 10;
	o.no_certs = 1;
	der = resp(leaf.cert, &ca, &o, &len);
	/* Without certs the signature value ends the DER. */
	der[len - 1] ^= 0x01;
	ck_assert_int_eq(verify_at(der, len, T, err, sizeof(err)),
	    OCSP_V_BAD_SIGNATURE);
	ck_assert_str_eq(err, "Signature on OCSP response is not valid");
	free(der);
}
END_TEST

START_TEST(test_revoked_unknown)
{
	struct testpki_ocsp_opts	 o;
	struct ocsp_verify_params	 p;
	struct ocsp_info		 info;
	unsigned char			*der;
	size_t				 len;
	char				 err[256];

	testpki_ocsp_opts_init(&o);
	o.this_update = T - 10;
	o.status = V_OCSP_CERTSTATUS_REVOKED;
	o.reason = OCSP_REVOKED_STATUS_KEYCOMPROMISE;
	o.revoked_at = T - 7200;
	der = resp(leaf.cert, &responder, &o, &len);
	ocsp_verify_params_init(&p, T);
	ck_assert_int_eq(ocsp_verify(der, len, leaf.cert, ca.cert, &p, &info,
	    err, sizeof(err)), OCSP_V_REVOKED);
	ck_assert_int_eq(info.oi_status, V_OCSP_CERTSTATUS_REVOKED);
	ck_assert_int_eq(info.oi_reason, OCSP_REVOKED_STATUS_KEYCOMPROMISE);
	ck_assert_int_eq((long)info.oi_revoked_at, (long)(T - 7200));
	ck_assert_ptr_nonnull(strstr(err, "revoked"));
	ck_assert_ptr_nonnull(strstr(err, "keyCompromise"));
	/* A signed revocation wins over staleness. */
	ck_assert_int_eq(verify_at(der, len, T + 86400, err, sizeof(err)),
	    OCSP_V_REVOKED);
	free(der);

	testpki_ocsp_opts_init(&o);
	o.this_update = T - 10;
	o.status = V_OCSP_CERTSTATUS_UNKNOWN;
	der = resp(leaf.cert, &responder, &o, &len);
	ck_assert_int_eq(verify_at(der, len, T, err, sizeof(err)),
	    OCSP_V_UNKNOWN);
	ck_assert_ptr_nonnull(strstr(err, "unknown"));
	free(der);
}
END_TEST

START_TEST(test_freshness)
{
	struct testpki_ocsp_opts	 o;
	struct ocsp_verify_params	 p;
	unsigned char			*der;
	size_t				 len;
	char				 err[256], want[128];
	struct tm			 tm;

	testpki_ocsp_opts_init(&o);
	o.this_update = T - 3600;
	der = resp(leaf.cert, &responder, &o, &len);
	/* Exactly at the limit: still fresh; one second later: too old. */
	ck_assert_int_eq(verify_at(der, len, T, err, sizeof(err)),
	    OCSP_V_GOOD);
	ck_assert_int_eq(verify_at(der, len, T + 1, err, sizeof(err)),
	    OCSP_V_TOO_OLD);
	gmtime_r(&o.this_update, &tm);
	strftime(want, sizeof(want),
	    "OCSP response is too old (thisUpdate: %Y-%m-%dT%H:%M:%SZ)", &tm);
	ck_assert_str_eq(err, want);
	/* A larger ocspFreshnessSeconds accepts it. */
	ocsp_verify_params_init(&p, T + 1800);
	p.op_freshness = 7200;
	ck_assert_int_eq(ocsp_verify(der, len, leaf.cert, ca.cert, &p, NULL,
	    err, sizeof(err)), OCSP_V_GOOD);
	free(der);

	/* thisUpdate slightly ahead of our clock: tolerated skew. */
	testpki_ocsp_opts_init(&o);
	o.this_update = T + 30;
	der = resp(leaf.cert, &responder, &o, &len);
	ck_assert_int_eq(verify_at(der, len, T, err, sizeof(err)),
	    OCSP_V_GOOD);
	free(der);
	o.this_update = T + 120;
	der = resp(leaf.cert, &responder, &o, &len);
	ck_assert_int_eq(verify_at(der, len, T, err, sizeof(err)),
	    OCSP_V_NOT_YET_VALID);
	ocsp_verify_params_init(&p, T);
	p.op_skew = 300;
	ck_assert_int_eq(ocsp_verify(der, len, leaf.cert, ca.cert, &p, NULL,
	    err, sizeof(err)), OCSP_V_GOOD);
	free(der);
}
END_TEST

START_TEST(test_next_update)
{
	struct testpki_ocsp_opts	 o;
	struct ocsp_verify_params	 p;
	struct ocsp_info		 info;
	unsigned char			*der;
	size_t				 len;
	char				 err[256];

	testpki_ocsp_opts_init(&o);
	o.this_update = T - 600;
	o.next_update = T - 300;
	der = resp(leaf.cert, &responder, &o, &len);
	/* Off by default (X-Road's verifyNextUpdate is optional). */
	ocsp_verify_params_init(&p, T);
	ck_assert_int_eq(ocsp_verify(der, len, leaf.cert, ca.cert, &p, &info,
	    err, sizeof(err)), OCSP_V_GOOD);
	ck_assert_int_eq((long)info.oi_next_update, (long)(T - 300));
	p.op_check_next_update = 1;
	ck_assert_int_eq(ocsp_verify(der, len, leaf.cert, ca.cert, &p, NULL,
	    err, sizeof(err)), OCSP_V_EXPIRED);
	ck_assert_ptr_nonnull(strstr(err, "nextUpdate"));
	/* Within the skew it passes. */
	p.op_now = T - 300 + 30;
	ck_assert_int_eq(ocsp_verify(der, len, leaf.cert, ca.cert, &p, NULL,
	    err, sizeof(err)), OCSP_V_GOOD);
	free(der);
}
END_TEST

START_TEST(test_malformed_and_unsuccessful)
{
	struct testpki_ocsp_opts	 o;
	unsigned char			 junk[64], *der, *longer;
	size_t				 len;
	char				 err[256];

	memset(junk, 0x30, sizeof(junk));
	ck_assert_int_eq(verify_at(junk, sizeof(junk), T, err, sizeof(err)),
	    OCSP_V_MALFORMED);
	ck_assert_int_eq(verify_at(junk, 0, T, err, sizeof(err)),
	    OCSP_V_INTERNAL);
	ck_assert(!ocsp_response_is_for(junk, sizeof(junk), leaf.cert,
	    ca.cert));

	/* Trailing bytes after a good response. */
	der = resp(leaf.cert, &ca, NULL, &len);
	longer = malloc(len + 1);
	memcpy(longer, der, len);
	longer[len] = 0;
	ck_assert_int_eq(verify_at(longer, len + 1, T, err, sizeof(err)),
	    OCSP_V_MALFORMED);
	/* Truncated. */
	ck_assert_int_eq(verify_at(der, len - 1, T, err, sizeof(err)),
	    OCSP_V_MALFORMED);
	free(longer);
	free(der);

	testpki_ocsp_opts_init(&o);
	o.response_status = OCSP_RESPONSE_STATUS_TRYLATER;
	der = resp(leaf.cert, &ca, &o, &len);
	ck_assert_int_eq(verify_at(der, len, T, err, sizeof(err)),
	    OCSP_V_NOT_SUCCESSFUL);
	ck_assert_ptr_nonnull(strstr(err, "trylater"));
	free(der);
	ck_assert_str_eq(ocsp_verdict_str(OCSP_V_TOO_OLD), "too old");
}
END_TEST

/*
 * An OCSP responder over HTTP on 127.0.0.1, answering with testpki; it
 * runs either on its own thread (for the blocking ocsp_fetch) or on a
 * caller's event base (for the refresher).
 */
struct test_responder {
	struct event_base		*tr_base;
	struct evhttp			*tr_http;
	struct event			*tr_stop_ev;
	pthread_t			 tr_thread;
	int				 tr_own_thread;
	int				 tr_stop[2];
	int				 tr_port;
	const struct testpki_pair	*tr_signer;
	struct testpki_ocsp_opts	 tr_opts;
	int				 tr_http_status;  /* 0: answer */
	size_t				 tr_padding;	/* junk appended */
	int				 tr_requests;
	int				 tr_saw_nonce;
	int				 tr_bad_content_type;
};

static void
responder_cb(struct evhttp_request *req, void *arg)
{
	struct test_responder	*tr = arg;
	struct evbuffer		*in, *out;
	const char		*ct;
	unsigned char		*body, *der;
	size_t			 len, dlen;
	int			 nonce = 0;

	tr->tr_requests++;
	if (evhttp_request_get_command(req) != EVHTTP_REQ_POST) {
		evhttp_send_error(req, 405, NULL);
		return;
	}
	ct = evhttp_find_header(evhttp_request_get_input_headers(req),
	    "Content-Type");
	if (ct == NULL || strcmp(ct, "application/ocsp-request") != 0)
		tr->tr_bad_content_type = 1;
	if (tr->tr_http_status != 0) {
		evhttp_send_error(req, tr->tr_http_status, NULL);
		return;
	}
	in = evhttp_request_get_input_buffer(req);
	len = evbuffer_get_length(in);
	body = evbuffer_pullup(in, -1);
	der = testpki_ocsp_answer(body, len, tr->tr_signer, &tr->tr_opts,
	    &dlen, &nonce);
	if (nonce)
		tr->tr_saw_nonce = 1;
	if (der == NULL) {
		evhttp_send_error(req, 400, NULL);
		return;
	}
	out = evbuffer_new();
	evbuffer_add(out, der, dlen);
	if (tr->tr_padding > 0) {
		char	*pad = calloc(1, tr->tr_padding);

		evbuffer_add(out, pad, tr->tr_padding);
		free(pad);
	}
	evhttp_add_header(evhttp_request_get_output_headers(req),
	    "Content-Type", "application/ocsp-response");
	evhttp_send_reply(req, 200, "OK", out);
	evbuffer_free(out);
	free(der);
}

static void
responder_stop_cb(evutil_socket_t fd, short what, void *arg)
{
	struct test_responder	*tr = arg;

	event_base_loopbreak(tr->tr_base);
}

static void *
responder_thread(void *arg)
{
	struct test_responder	*tr = arg;

	event_base_dispatch(tr->tr_base);
	return NULL;
}

/* base NULL: own base and thread. */
static void
responder_start(struct test_responder *tr, struct event_base *base,
    const struct testpki_pair *signer)
{
	struct evhttp_bound_socket	*bs;
	struct sockaddr_in		 sin;
	socklen_t			 slen = sizeof(sin);

	memset(tr, 0, sizeof(*tr));
	testpki_ocsp_opts_init(&tr->tr_opts);
	tr->tr_signer = signer;
	tr->tr_own_thread = base == NULL;
	tr->tr_base = base != NULL ? base : event_base_new();
	ck_assert_ptr_nonnull(tr->tr_base);
	tr->tr_http = evhttp_new(tr->tr_base);
	ck_assert_ptr_nonnull(tr->tr_http);
	evhttp_set_gencb(tr->tr_http, responder_cb, tr);
	bs = evhttp_bind_socket_with_handle(tr->tr_http, "127.0.0.1", 0);
	ck_assert_ptr_nonnull(bs);
	ck_assert_int_eq(getsockname(evhttp_bound_socket_get_fd(bs),
	    (struct sockaddr *)&sin, &slen), 0);
	tr->tr_port = ntohs(sin.sin_port);
	if (tr->tr_own_thread) {
		ck_assert_int_eq(pipe(tr->tr_stop), 0);
		tr->tr_stop_ev = event_new(tr->tr_base, tr->tr_stop[0],
		    EV_READ, responder_stop_cb, tr);
		event_add(tr->tr_stop_ev, NULL);
		ck_assert_int_eq(pthread_create(&tr->tr_thread, NULL,
		    responder_thread, tr), 0);
	}
}

static void
responder_stop(struct test_responder *tr)
{
	if (tr->tr_own_thread) {
		ck_assert_int_eq(write(tr->tr_stop[1], "x", 1), 1);
		pthread_join(tr->tr_thread, NULL);
		event_free(tr->tr_stop_ev);
		close(tr->tr_stop[0]);
		close(tr->tr_stop[1]);
	}
	evhttp_free(tr->tr_http);
	if (tr->tr_own_thread)
		event_base_free(tr->tr_base);
}

static void
responder_url(struct test_responder *tr, char *url, size_t n)
{
	snprintf(url, n, "http://127.0.0.1:%d/", tr->tr_port);
}

START_TEST(test_fetch)
{
	struct test_responder		 tr;
	struct ocsp_fetch_opts		 fo;
	unsigned char			*der;
	size_t				 len;
	char				 url[64], err[256];

	responder_start(&tr, NULL, &responder);
	responder_url(&tr, url, sizeof(url));
	tr.tr_opts.this_update = T - 10;

	ck_assert_int_eq(ocsp_fetch(leaf.cert, ca.cert, url, NULL, &der, &len,
	    err, sizeof(err)), 0);
	ck_assert_int_eq(verify_at(der, len, T, err, sizeof(err)),
	    OCSP_V_GOOD);
	ck_assert_int_eq(tr.tr_saw_nonce, 0);
	ck_assert_int_eq(tr.tr_bad_content_type, 0);
	free(der);

	/* Revoked comes back as a response; verification says revoked. */
	tr.tr_opts.status = V_OCSP_CERTSTATUS_REVOKED;
	ck_assert_int_eq(ocsp_fetch(leaf.cert, ca.cert, url, NULL, &der, &len,
	    err, sizeof(err)), 0);
	ck_assert_int_eq(verify_at(der, len, T, err, sizeof(err)),
	    OCSP_V_REVOKED);
	free(der);
	tr.tr_opts.status = V_OCSP_CERTSTATUS_GOOD;

	/* HTTP error. */
	tr.tr_http_status = 500;
	ck_assert_int_eq(ocsp_fetch(leaf.cert, ca.cert, url, NULL, &der, &len,
	    err, sizeof(err)), -1);
	ck_assert_ptr_null(der);
	ck_assert_ptr_nonnull(strstr(err, "HTTP 500"));
	tr.tr_http_status = 0;

	/* Response over the size cap. */
	tr.tr_padding = 8192;
	ocsp_fetch_opts_init(&fo);
	fo.of_max_response = 4096;
	ck_assert_int_eq(ocsp_fetch(leaf.cert, ca.cert, url, &fo, &der, &len,
	    err, sizeof(err)), -1);
	ck_assert_ptr_nonnull(strstr(err, "exceeds"));
	tr.tr_padding = 0;
	ck_assert_int_ge(tr.tr_requests, 4);
	responder_stop(&tr);

	/* Nobody listening any more. */
	ocsp_fetch_opts_init(&fo);
	fo.of_connect_timeout_ms = 2000;
	fo.of_timeout_ms = 4000;
	ck_assert_int_eq(ocsp_fetch(leaf.cert, ca.cert, url, &fo, &der, &len,
	    err, sizeof(err)), -1);
	ck_assert_ptr_nonnull(strstr(err, "failed"));
	/* Not http(s); no AIA. */
	ck_assert_int_eq(ocsp_fetch(leaf.cert, ca.cert, "file:///etc/passwd",
	    NULL, &der, &len, err, sizeof(err)), -1);
	ck_assert_int_eq(ocsp_fetch(leaf2.cert, ca.cert, NULL, NULL, &der,
	    &len, err, sizeof(err)), -1);
	ck_assert_ptr_nonnull(strstr(err, "no http(s) OCSP"));
}
END_TEST

static time_t	 fake_now;

static time_t
fake_clock(void *arg)
{
	return fake_now;
}

static char *
make_tmpdir(void)
{
	char	 tmpl[] = "/tmp/hk-test-ocsp-XXXXXX";
	char	*d = mkdtemp(tmpl);

	ck_assert_ptr_nonnull(d);
	return strdup(d);
}

static void
rm_tmpdir(const char *dir, X509 *a, X509 *b)
{
	char	 path[512], hex[OCSP_SHA1_HEX_LEN + 1];

	if (certcheck_sha1_hex(a, hex) == 0) {
		snprintf(path, sizeof(path), "%s/%s.der", dir, hex);
		unlink(path);
	}
	if (b != NULL && certcheck_sha1_hex(b, hex) == 0) {
		snprintf(path, sizeof(path), "%s/%s.der", dir, hex);
		unlink(path);
	}
	rmdir(dir);
}

START_TEST(test_cache_put_get_persist)
{
	struct ocsp_cache	*c;
	unsigned char		*der, *got;
	size_t			 len, glen;
	time_t			 tu, oldest;
	char			 sha1[OCSP_SHA1_HEX_LEN + 1];
	char			 sha256[OCSP_SHA256_HEX_LEN + 1], upper[41];
	char			 err[256], *dir;
	struct testpki_ocsp_opts o;
	int			 i;

	dir = make_tmpdir();
	fake_now = T;
	c = ocsp_cache_new(dir);
	ck_assert_ptr_nonnull(c);
	ocsp_cache_set_clock(c, fake_clock, NULL);
	ck_assert_int_eq(ocsp_cache_add_cert(c, leaf.cert, ca.cert, NULL), 0);
	ck_assert_int_eq(ocsp_cache_add_cert(c, leaf2.cert, ca.cert, NULL), 0);
	ck_assert_int_eq(ocsp_cache_status(c, &oldest), 2);
	ck_assert_int_eq(certcheck_sha1_hex(leaf.cert, sha1), 0);
	ck_assert_int_eq(certcheck_sha256_hex(leaf.cert, sha256), 0);
	ck_assert_int_eq(ocsp_cache_get(c, sha1, &got, &glen, NULL), -1);

	/* A revoked response is refused and not stored. */
	testpki_ocsp_opts_init(&o);
	o.this_update = T - 10;
	o.status = V_OCSP_CERTSTATUS_REVOKED;
	der = resp(leaf.cert, &responder, &o, &len);
	ck_assert_int_eq(ocsp_cache_put(c, leaf.cert, der, len, err,
	    sizeof(err)), OCSP_V_REVOKED);
	free(der);
	ck_assert_int_eq(ocsp_cache_get(c, sha1, &got, &glen, NULL), -1);
	/* A response for another cert is refused too. */
	der = resp(leaf2.cert, &responder, NULL, &len);
	ck_assert_int_eq(ocsp_cache_put(c, leaf.cert, der, len, err,
	    sizeof(err)), OCSP_V_WRONG_CERT);
	free(der);
	/* Unregistered cert. */
	der = resp(responder.cert, &ca, NULL, &len);
	ck_assert_int_eq(ocsp_cache_put(c, responder.cert, der, len, err,
	    sizeof(err)), OCSP_V_INTERNAL);
	free(der);

	der = resp(leaf.cert, &responder, NULL, &len);
	ck_assert_int_eq(ocsp_cache_put(c, leaf.cert, der, len, err,
	    sizeof(err)), OCSP_V_GOOD);
	ck_assert_int_eq(ocsp_cache_get(c, sha1, &got, &glen, &tu), 0);
	ck_assert_uint_eq(glen, len);
	ck_assert_mem_eq(got, der, len);
	ck_assert_int_eq((long)tu, (long)(T - 10));
	free(got);
	/* By SHA-256, and in upper case. */
	ck_assert_int_eq(ocsp_cache_get(c, sha256, &got, &glen, NULL), 0);
	free(got);
	for (i = 0; i < OCSP_SHA1_HEX_LEN; i++)
		upper[i] = (char)toupper((unsigned char)sha1[i]);
	upper[OCSP_SHA1_HEX_LEN] = '\0';
	ck_assert_int_eq(ocsp_cache_get(c, upper, &got, &glen, NULL), 0);
	free(got);
	ck_assert_int_eq(ocsp_cache_get(c, "zz", &got, &glen, NULL), -1);
	ck_assert_int_eq(ocsp_cache_status(c, &oldest), 1);
	ck_assert_int_eq((long)oldest, (long)(T - 10));
	ocsp_cache_free(c);

	/* A restart loads it from the folder. */
	c = ocsp_cache_new(dir);
	ocsp_cache_set_clock(c, fake_clock, NULL);
	ck_assert_int_eq(ocsp_cache_add_cert(c, leaf.cert, ca.cert, NULL), 0);
	ck_assert_int_eq(ocsp_cache_get(c, sha1, &got, &glen, NULL), 0);
	ck_assert_mem_eq(got, der, len);
	free(got);
	ocsp_cache_free(c);

	/* Restarted much later: the stale file is ignored. */
	fake_now = T + 7200;
	c = ocsp_cache_new(dir);
	ocsp_cache_set_clock(c, fake_clock, NULL);
	ck_assert_int_eq(ocsp_cache_add_cert(c, leaf.cert, ca.cert, NULL), 0);
	ck_assert_int_eq(ocsp_cache_get(c, sha1, &got, &glen, NULL), -1);
	/* Remove. */
	ck_assert_int_eq(ocsp_cache_remove_cert(c, sha256), 0);
	ck_assert_int_eq(ocsp_cache_remove_cert(c, sha256), -1);
	ck_assert_int_eq(ocsp_cache_status(c, &oldest), 0);
	ocsp_cache_free(c);
	ocsp_cache_free(NULL);
	free(der);
	rm_tmpdir(dir, leaf.cert, NULL);
	free(dir);
}
END_TEST

static void
check_parts(struct buf *body, const char *ctype, const unsigned char *d1,
    size_t l1, const unsigned char *d2, size_t l2)
{
	struct mime_multipart	*mp;
	const struct mime_part	*part;
	const unsigned char	*b;
	char			 err[256];
	size_t			 len;

	ck_assert(strncmp(ctype, "multipart/related; charset=UTF-8; "
	    "boundary=", 43) == 0);
	ck_assert_int_eq(mime_parse_ctype(buf_data(body), buf_len(body),
	    ctype, NULL, &mp, err, sizeof(err)), 0);
	ck_assert_uint_eq(mime_nparts(mp), 2);
	part = mime_part_at(mp, 0);
	ck_assert_str_eq(mime_part_header(part, "Content-Type"),
	    "application/ocsp-response");
	b = mime_part_body(part, &len);
	ck_assert_uint_eq(len, l1);
	ck_assert_mem_eq(b, d1, l1);
	part = mime_part_at(mp, 1);
	ck_assert_str_eq(mime_part_header(part, "content-type"),
	    "application/ocsp-response");
	b = mime_part_body(part, &len);
	ck_assert_uint_eq(len, l2);
	ck_assert_mem_eq(b, d2, l2);
	mime_multipart_free(mp);
}

START_TEST(test_download_body)
{
	struct ocsp_cache	*c;
	struct buf		*body = NULL;
	unsigned char		*d1, *d2;
	size_t			 l1, l2;
	const char		*hexes[2];
	char			 h1[41], h2[41], ctype[128], err[256];
	char			 query[200];

	c = ocsp_cache_new(NULL);
	fake_now = T;
	ocsp_cache_set_clock(c, fake_clock, NULL);
	ocsp_cache_add_cert(c, leaf.cert, ca.cert, NULL);
	ocsp_cache_add_cert(c, leaf2.cert, ca.cert, NULL);
	d1 = resp(leaf.cert, &responder, NULL, &l1);
	d2 = resp(leaf2.cert, &ca, NULL, &l2);
	ck_assert_int_eq(ocsp_cache_put(c, leaf.cert, d1, l1, err,
	    sizeof(err)), OCSP_V_GOOD);
	certcheck_sha1_hex(leaf.cert, h1);
	certcheck_sha1_hex(leaf2.cert, h2);

	/* leaf2 has no response yet. */
	hexes[0] = h1;
	hexes[1] = h2;
	ck_assert_int_eq(ocsp_download_body(c, hexes, 2, &body, ctype,
	    sizeof(ctype), err, sizeof(err)), -1);
	ck_assert_ptr_null(body);
	ck_assert_ptr_nonnull(strstr(err, h2));
	ck_assert_int_eq(ocsp_cache_put(c, leaf2.cert, d2, l2, err,
	    sizeof(err)), OCSP_V_GOOD);

	ck_assert_int_eq(ocsp_download_body(c, hexes, 2, &body, ctype,
	    sizeof(ctype), err, sizeof(err)), 0);
	check_parts(body, ctype, d1, l1, d2, l2);
	buf_free(body);

	/* From the query string, repeated cert parameters, upper case. */
	snprintf(query, sizeof(query), "cert=%s&cert=%s", h2, h1);
	query[5] = (char)toupper((unsigned char)query[5]);
	ck_assert_int_eq(ocsp_download_query(c, query, &body, ctype,
	    sizeof(ctype), err, sizeof(err)), 0);
	check_parts(body, ctype, d2, l2, d1, l1);
	buf_free(body);

	/* Bad requests. */
	ck_assert_int_eq(ocsp_download_query(c, "", &body, ctype,
	    sizeof(ctype), err, sizeof(err)), -1);
	ck_assert_int_eq(ocsp_download_query(c, "foo=bar", &body, ctype,
	    sizeof(ctype), err, sizeof(err)), -1);
	ck_assert_int_eq(ocsp_download_query(c, "cert=abc", &body, ctype,
	    sizeof(ctype), err, sizeof(err)), -1);
	ck_assert_int_eq(ocsp_download_query(c,
	    "cert=0000000000000000000000000000000000000000", &body, ctype,
	    sizeof(ctype), err, sizeof(err)), -1);
	ck_assert_ptr_nonnull(strstr(err, "Could not find"));
	/* Content type buffer too small. */
	ck_assert_int_eq(ocsp_download_body(c, hexes, 1, &body, ctype, 20,
	    err, sizeof(err)), -1);
	ck_assert_ptr_null(body);
	free(d1);
	free(d2);
	ocsp_cache_free(c);
}
END_TEST

START_TEST(test_cache_refresh)
{
	struct test_responder	 tr;
	struct ocsp_cache	*c;
	unsigned char		*got;
	size_t			 glen;
	time_t			 tu;
	char			 url[64], h[41], err[256];

	responder_start(&tr, NULL, &responder);
	responder_url(&tr, url, sizeof(url));
	c = ocsp_cache_new(NULL);
	ck_assert_int_eq(ocsp_cache_refresh(c, err, sizeof(err)), 0);
	ocsp_cache_add_cert(c, leaf.cert, ca.cert, url);
	ocsp_cache_add_cert(c, leaf2.cert, ca.cert, url);
	ck_assert_int_eq(ocsp_cache_refresh(c, err, sizeof(err)), 0);
	ck_assert_int_eq(tr.tr_requests, 2);
	certcheck_sha1_hex(leaf2.cert, h);
	ck_assert_int_eq(ocsp_cache_get(c, h, &got, &glen, &tu), 0);
	free(got);

	/* The responder now says revoked: refresh fails, old one stays. */
	tr.tr_opts.status = V_OCSP_CERTSTATUS_REVOKED;
	ck_assert_int_eq(ocsp_cache_refresh(c, err, sizeof(err)), -1);
	ck_assert_ptr_nonnull(strstr(err, "revoked"));
	ck_assert_int_eq(ocsp_cache_get(c, h, &got, &glen, NULL), 0);
	free(got);
	/* The responder fails: refresh fails. */
	tr.tr_opts.status = V_OCSP_CERTSTATUS_GOOD;
	tr.tr_http_status = 503;
	ck_assert_int_eq(ocsp_cache_refresh(c, err, sizeof(err)), -1);
	ck_assert_ptr_nonnull(strstr(err, "HTTP 503"));
	ocsp_cache_free(c);
	responder_stop(&tr);
}
END_TEST

struct refresh_watch {
	struct event_base	*rw_base;
	struct test_responder	*rw_tr;
	int			 rw_results[4];
	int			 rw_n;
};

static void
refresh_done(int result, void *arg)
{
	struct refresh_watch	*rw = arg;

	rw->rw_results[rw->rw_n++] = result;
	/* After the first failure, the responder heals. */
	rw->rw_tr->tr_http_status = 0;
	if (rw->rw_n == 2)
		event_base_loopbreak(rw->rw_base);
}

static void
refresh_timeout(evutil_socket_t fd, short what, void *arg)
{
	event_base_loopbreak(arg);
}

START_TEST(test_refresher_retry)
{
	struct event_base	*base;
	struct test_responder	 tr;
	struct ocsp_cache	*c;
	struct ocsp_refresher	*r;
	struct refresh_watch	 rw;
	struct event		*guard;
	struct timeval		 tv = { 20, 0 };
	unsigned char		*got;
	size_t			 glen;
	char			 url[64], h[41];
	time_t			 t0;

	base = event_base_new();
	/* The responder shares the loop: the fetch runs on a worker. */
	responder_start(&tr, base, &responder);
	responder_url(&tr, url, sizeof(url));
	tr.tr_http_status = 500;
	c = ocsp_cache_new(NULL);
	ocsp_cache_add_cert(c, leaf.cert, ca.cert, url);
	memset(&rw, 0, sizeof(rw));
	rw.rw_base = base;
	rw.rw_tr = &tr;
	r = ocsp_refresher_new(base, c, 1200, 1, refresh_done, &rw);
	ck_assert_ptr_nonnull(r);
	guard = evtimer_new(base, refresh_timeout, base);
	evtimer_add(guard, &tv);
	t0 = time(NULL);
	ck_assert_int_eq(ocsp_refresher_start(r), 0);
	event_base_dispatch(base);
	ck_assert_int_eq(rw.rw_n, 2);
	ck_assert_int_eq(rw.rw_results[0], -1);
	ck_assert_int_eq(rw.rw_results[1], 0);
	/* The retry came after retry_s, far before the interval. */
	ck_assert_int_ge((long)(time(NULL) - t0), 1);
	ck_assert_int_lt((long)(time(NULL) - t0), 15);
	certcheck_sha1_hex(leaf.cert, h);
	ck_assert_int_eq(ocsp_cache_get(c, h, &got, &glen, NULL), 0);
	free(got);
	ocsp_refresher_free(r);
	ocsp_refresher_free(NULL);
	event_free(guard);
	ocsp_cache_free(c);
	responder_stop(&tr);
	event_base_free(base);
}
END_TEST

static Suite *
ocsp_suite(void)
{
	Suite	*s = suite_create("ocsp");
	TCase	*tc = tcase_create("verify");
	TCase	*tn = tcase_create("net");

	tcase_add_unchecked_fixture(tc, pki_setup, pki_teardown);
	tcase_add_test(tc, test_request_no_nonce);
	tcase_add_test(tc, test_responder_url);
	tcase_add_test(tc, test_good_by_ca);
	tcase_add_test(tc, test_good_by_delegated_responder);
	tcase_add_test(tc, test_responder_not_included);
	tcase_add_test(tc, test_unauthorized_responders);
	tcase_add_test(tc, test_bad_signature);
	tcase_add_test(tc, test_revoked_unknown);
	tcase_add_test(tc, test_freshness);
	tcase_add_test(tc, test_next_update);
	tcase_add_test(tc, test_malformed_and_unsuccessful);
	tcase_add_test(tc, test_cache_put_get_persist);
	tcase_add_test(tc, test_download_body);
	suite_add_tcase(s, tc);

	tcase_add_unchecked_fixture(tn, pki_setup, pki_teardown);
	tcase_set_timeout(tn, 60);
	tcase_add_test(tn, test_fetch);
	tcase_add_test(tn, test_cache_refresh);
	tcase_add_test(tn, test_refresher_retry);
	suite_add_tcase(s, tn);
	return s;
}

HK_CHECK_MAIN(ocsp_suite)
