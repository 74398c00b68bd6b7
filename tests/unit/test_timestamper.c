/*
 * Unit tests for securityserver/timestamper.c against the devtsa core
 * (certs/devtsa/tsa.c) answering on an in-process HTTP server on
 * 127.0.0.1, on the same event loop: one TSA request per batch, the hash
 * chains and the token's imprint, responses that must be refused (wrong
 * TSA certificate, nonce or imprint; rejections; garbage), the failure
 * period with an injected clock, and the backlog after an outage.
 */
#include "config.h"

#include <sys/stat.h>

#include <ftw.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <event2/event.h>
#include <event2/http.h>
#include <openssl/evp.h>
#include <openssl/pkcs7.h>
#include <openssl/ts.h>
#include <openssl/x509.h>

#include "b64.h"
#include "buf.h"
#include "globalconf.h"
#include "hashchain.h"
#include "hk_check.h"
#include "http.h"
#include "msglog.h"
#include "tsa.h"
#include "testpki.h"
#include "xrid.h"

enum tamper {
	T_NONE,
	T_IMPRINT,	/* the TSA stamps another imprint */
	T_NONCE,	/* the TSA answers another nonce */
	T_HTTP_500,
	T_GARBAGE,
	T_POLICY	/* the TSA rejects (unaccepted policy) */
};

static char			 workdir[256];
static struct event_base	*base;
static struct testpki_pair	 root, ca, tsa_pair, other_tsa;
static struct tsa_serial	*serial;
static struct tsa		*tsa;
static struct http_server	*srv;
static char			 tsa_url[64];
static enum tamper		 tamper;
static int			 tsa_calls;
static struct gconf		*gc;
static time_t			 fake_now;
static struct xrid		 client_id, service_id;

/* The result of the last round (hook). */
static int			 rounds, last_rc;
static size_t			 last_stamped;
static char			 last_err[512];

static int
rm_entry(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
	return remove(path);
}

static void
tamper_request(unsigned char **reqp, size_t *lenp)
{
	const unsigned char	*p = *reqp;
	unsigned char		*der = NULL;
	TS_REQ			*req;
	ASN1_OCTET_STRING	*os;
	ASN1_INTEGER		*n;
	unsigned char		 d[MSGLOG_HASH_LEN];
	int			 len;

	ck_assert_ptr_nonnull(req = d2i_TS_REQ(NULL, &p, (long)*lenp));
	if (tamper == T_IMPRINT) {
		os = TS_MSG_IMPRINT_get_msg(TS_REQ_get_msg_imprint(req));
		memcpy(d, ASN1_STRING_get0_data(os), sizeof(d));
		d[7] ^= 0x01;
		ck_assert_int_eq(ASN1_OCTET_STRING_set(os, d, sizeof(d)), 1);
	} else if (tamper == T_NONCE) {
		ck_assert_ptr_nonnull(n = ASN1_INTEGER_new());
		ck_assert_int_eq(ASN1_INTEGER_set(n, 424242), 1);
		ck_assert_int_eq(TS_REQ_set_nonce(req, n), 1);
		ASN1_INTEGER_free(n);
	} else if (tamper == T_POLICY) {
		ASN1_OBJECT *o = OBJ_txt2obj("1.2.3.4.5", 1);

		ck_assert_int_eq(TS_REQ_set_policy_id(req, o), 1);
		ASN1_OBJECT_free(o);
	}
	ck_assert_int_gt(len = i2d_TS_REQ(req, &der), 0);
	TS_REQ_free(req);
	free(*reqp);
	ck_assert_ptr_nonnull(*reqp = malloc((size_t)len));
	memcpy(*reqp, der, (size_t)len);
	*lenp = (size_t)len;
	OPENSSL_free(der);
}

static void
h_tsa(struct evhttp_request *req, void *arg)
{
	struct buf	*b = NULL;
	unsigned char	*in, *out = NULL;
	size_t		 inlen, outlen = 0;

	tsa_calls++;
	if (tamper == T_HTTP_500) {
		http_reply(req, 500, "text/plain", "down\n", 5);
		return;
	}
	if (tamper == T_GARBAGE) {
		http_reply(req, 200, "application/timestamp-reply", "\x30\x03"
		    "abc", 5);
		return;
	}
	ck_assert_int_eq(http_req_body(req, TSA_MAX_REQUEST, &b), 0);
	ck_assert_str_eq(http_req_header(req, "Content-Type"),
	    "application/timestamp-query");
	in = buf_release(b, &inlen);
	if (tamper != T_NONE)
		tamper_request(&in, &inlen);
	ck_assert_int_eq(tsa_respond(tsa, in, inlen, &out, &outlen, NULL), 0);
	http_reply(req, 200, "application/timestamp-reply", out, outlen);
	free(in);
	free(out);
}

/* Global conf with the given TSAs (cert of pair for each url). */
static void
set_gconf(const char *url1, X509 *cert1, const char *url2, X509 *cert2)
{
	unsigned char	*der = NULL;
	char		 err[256];
	int		 len;

	gconf_free(gc);
	ck_assert_ptr_nonnull(gc = gconf_new("PS"));
	if (url1 != NULL) {
		ck_assert_int_gt(len = i2d_X509(cert1, &der), 0);
		ck_assert_int_eq(gconf_add_tsa(gc, "TSA 1", url1, der,
		    (size_t)len), 0);
		OPENSSL_free(der);
		der = NULL;
	}
	if (url2 != NULL) {
		ck_assert_int_gt(len = i2d_X509(cert2, &der), 0);
		ck_assert_int_ge(gconf_add_tsa(gc, "TSA 2", url2, der,
		    (size_t)len), 0);
		OPENSSL_free(der);
	}
	ck_assert_int_eq(gconf_set_ts_interval(gc, 60), 0);
	ck_assert_msg(gconf_finish(gc, err, sizeof(err)) == 0, "%s", err);
}

static const struct gconf *
get_gconf(void *arg, void **ref)
{
	*ref = NULL;
	return gc;
}

static time_t
get_now(void *arg)
{
	return fake_now;
}

static void
on_round(int rc, size_t stamped, const char *err, void *arg)
{
	rounds++;
	last_rc = rc;
	last_stamped = stamped;
	snprintf(last_err, sizeof(last_err), "%s", err);
}

static void
setup(void)
{
	const char		*tmp = getenv("TMPDIR");
	struct http_server_conf	 hc;
	STACK_OF(X509)		*chain;
	char			 path[300];

	snprintf(workdir, sizeof(workdir), "%s/test_timestamper.XXXXXX",
	    tmp != NULL && *tmp != '\0' ? tmp : "/tmp");
	ck_assert_ptr_nonnull(mkdtemp(workdir));
	ck_assert_ptr_nonnull(base = event_base_new());

	root = testpki_new(TESTPKI_ROOT, "/C=PS/O=Test/CN=Root", NULL);
	ca = testpki_new(TESTPKI_CA, "/C=PS/O=Test/CN=Issuing CA", &root);
	tsa_pair = testpki_new(TESTPKI_TSA, "/C=PS/O=Test/CN=TSA", &ca);
	other_tsa = testpki_new(TESTPKI_TSA, "/C=PS/O=Test/CN=Other TSA",
	    &ca);
	snprintf(path, sizeof(path), "%s/serial", workdir);
	ck_assert_ptr_nonnull(serial = tsa_serial_open(path, 10));
	chain = testpki_stack(ca.cert, NULL);
	ck_assert_ptr_nonnull(tsa = tsa_new(tsa_pair.key, tsa_pair.cert,
	    chain, NULL, serial));
	sk_X509_pop_free(chain, X509_free);

	memset(&hc, 0, sizeof(hc));
	hc.hs_addr = "127.0.0.1";
	hc.hs_max_header = 16 * 1024;
	hc.hs_max_body = TSA_MAX_REQUEST;
	hc.hs_timeout_ms = 10000;
	ck_assert_ptr_nonnull(srv = http_server_new(base, &hc));
	ck_assert_int_eq(http_route(srv, EVHTTP_REQ_POST, "/",
	    HTTP_ROUTE_EXACT, h_tsa, NULL), 0);
	snprintf(tsa_url, sizeof(tsa_url), "http://127.0.0.1:%u/",
	    (unsigned)http_server_port(srv));
	set_gconf(tsa_url, tsa_pair.cert, NULL, NULL);

	tamper = T_NONE;
	tsa_calls = rounds = last_rc = 0;
	last_stamped = 0;
	fake_now = 1000000;
	ck_assert_int_eq(xrid_set_client(&client_id, "PS", "GOV", "MTIT",
	    "SSO", NULL, 0), 0);
	ck_assert_int_eq(xrid_set_service(&service_id, "PS", "GOV", "MOI",
	    "CIVIL-REGISTER", "getPerson", NULL, NULL, 0), 0);
}

static void
teardown(void)
{
	http_server_free(srv);
	tsa_free(tsa);
	tsa_serial_close(serial);
	gconf_free(gc);
	gc = NULL;
	testpki_clear(&root);
	testpki_clear(&ca);
	testpki_clear(&tsa_pair);
	testpki_clear(&other_tsa);
	event_base_free(base);
	(void)nftw(workdir, rm_entry, 16, FTW_DEPTH | FTW_PHYS);
}

static struct msglog *
open_log(void)
{
	struct msglog_options	 o;
	struct msglog		*ml = NULL;
	char			 path[300];

	memset(&o, 0, sizeof(o));
	o.mo_base = base;
	snprintf(path, sizeof(path), "%s/%s", workdir, MSGLOG_DB_NAME);
	ck_assert_int_eq(msglog_open(path, &o, &ml), 0);
	return ml;
}

static struct timestamper *
new_ts(struct msglog *ml, size_t limit, long long period)
{
	struct timestamper_conf	 tc;
	struct timestamper	*ts = NULL;

	timestamper_conf_init(&tc);
	tc.tc_records_limit = limit;
	tc.tc_failure_period = period;
	tc.tc_retry_interval = 3600;	/* rounds only when the test asks */
	tc.tc_timeout_ms = 10000;
	tc.tc_gconf_acquire = get_gconf;
	tc.tc_clock = get_now;
	ck_assert_int_eq(timestamper_new(base, ml, &tc, &ts), 0);
	timestamper_set_round_hook(ts, on_round, NULL);
	return ts;
}

/* The signature document of record i (its own SignatureValue). */
static char *
signature_xml(int i)
{
	char	 value[64], *b64, *xml;
	size_t	 len;

	snprintf(value, sizeof(value), "signature value %d", i);
	ck_assert_ptr_nonnull(b64 = b64_encode(value, strlen(value)));
	len = strlen(b64) + 200;
	ck_assert_ptr_nonnull(xml = malloc(len));
	snprintf(xml, len, "<ds:Signature xmlns:ds=\"http://www.w3.org/2000/"
	    "09/xmldsig#\"><ds:SignatureValue>%s</ds:SignatureValue>"
	    "</ds:Signature>", b64);
	free(b64);
	return xml;
}

static void
on_appended(int rc, int64_t id, void *arg)
{
	ck_assert_int_eq(rc, 0);
	(*(int *)arg)++;
}

/* Append n records (numbered from first) and commit them. */
static void
append(struct msglog *ml, int first, int n)
{
	struct msglog_record	 r;
	char			*sig;
	int			 i, done = 0;

	for (i = first; i < first + n; i++) {
		memset(&r, 0, sizeof(r));
		r.mr_query_id = "q";
		r.mr_client = &client_id;
		r.mr_service = &service_id;
		r.mr_message = "<m/>";
		r.mr_message_len = 4;
		sig = signature_xml(i);
		r.mr_signature = sig;
		r.mr_signature_len = strlen(sig);
		ck_assert_int_eq(msglog_append(ml, &r, on_appended, &done), 0);
		free(sig);
	}
	ck_assert_int_eq(msglog_flush(ml), 0);
	while (done < n)
		ck_assert_int_ne(event_base_loop(base, EVLOOP_ONCE), -1);
}

/* Run rounds (the first one now) until want rounds have ended. */
static void
run_rounds(struct timestamper *ts, int want)
{
	int	target = rounds + want;
	time_t	t0 = time(NULL);

	timestamper_run_now(ts);
	while (rounds < target) {
		ck_assert_int_ne(event_base_loop(base, EVLOOP_ONCE), -1);
		ck_assert_msg(time(NULL) - t0 < 30, "rounds did not end");
	}
}

static void
sha512(const void *p, size_t len, unsigned char *out)
{
	ck_assert_int_eq(EVP_Digest(p, len, out, NULL, EVP_sha512(), NULL),
	    1);
}

/* The token's message imprint, checked to be SHA-512. */
static void
token_imprint(const unsigned char *der, size_t len, unsigned char *out)
{
	const unsigned char	*p = der;
	PKCS7			*token;
	TS_TST_INFO		*tst;
	TS_MSG_IMPRINT		*mi;
	ASN1_OCTET_STRING	*os;
	const ASN1_OBJECT	*obj;

	ck_assert_ptr_nonnull(token = d2i_PKCS7(NULL, &p, (long)len));
	ck_assert_ptr_nonnull(tst = PKCS7_to_TS_TST_INFO(token));
	mi = TS_TST_INFO_get_msg_imprint(tst);
	X509_ALGOR_get0(&obj, NULL, NULL, TS_MSG_IMPRINT_get_algo(mi));
	ck_assert_int_eq(OBJ_obj2nid(obj), NID_sha512);
	os = TS_MSG_IMPRINT_get_msg(mi);
	ck_assert_int_eq(ASN1_STRING_length(os), MSGLOG_HASH_LEN);
	memcpy(out, ASN1_STRING_get0_data(os), MSGLOG_HASH_LEN);
	TS_TST_INFO_free(tst);
	PKCS7_free(token);
}

/* Record id is stamped by a batch token and its chain verifies. */
static int64_t
check_batch_record(struct msglog *ml, int64_t id)
{
	struct msglog_entry	*e = NULL;
	struct hashchain_input	 in;
	unsigned char		 sh[MSGLOG_HASH_LEN], imp[MSGLOG_HASH_LEN];
	unsigned char		 rh[MSGLOG_HASH_LEN];
	char			 err[256];
	int64_t			 ts_id;

	ck_assert_int_eq(msglog_entry_get(ml, id, &e), 0);
	ck_assert_int_gt(e->me_ts_id, 0);
	ck_assert_ptr_nonnull(e->me_ts_token);
	ck_assert_ptr_nonnull(e->me_ts_hashchain);
	ck_assert_ptr_nonnull(e->me_ts_hashchain_result);
	ck_assert_int_gt(e->me_ts_time_ms, 0);
	/* The leaf: SHA-512 of the signature document. */
	sha512(e->me_signature, e->me_signature_len, sh);
	ck_assert_int_eq(memcmp(sh, e->me_signature_hash, sizeof(sh)), 0);
	in.hi_uri = MSGLOG_URI_SIGNATURE;
	in.hi_digest = sh;
	ck_assert_msg(hashchain_verify(e->me_ts_hashchain_result,
	    e->me_ts_hashchain_result_len, e->me_ts_hashchain,
	    e->me_ts_hashchain_len, MSGLOG_URI_TS_CHAIN, &in, 1, err,
	    sizeof(err)) == 0, "record %lld: %s", (long long)id, err);
	/* The token stamps SHA-512 of the result document. */
	sha512(e->me_ts_hashchain_result, e->me_ts_hashchain_result_len, rh);
	token_imprint(e->me_ts_token, e->me_ts_token_len, imp);
	ck_assert_int_eq(memcmp(imp, rh, sizeof(rh)), 0);
	/* Another record's signature does not fit this chain. */
	sh[0] ^= 1;
	ck_assert_int_eq(hashchain_verify(e->me_ts_hashchain_result,
	    e->me_ts_hashchain_result_len, e->me_ts_hashchain,
	    e->me_ts_hashchain_len, MSGLOG_URI_TS_CHAIN, &in, 1, err,
	    sizeof(err)), -1);
	ts_id = e->me_ts_id;
	msglog_entry_free(e);
	return ts_id;
}

static void
check_unstamped(struct msglog *ml, int64_t from, int64_t to)
{
	struct msglog_entry	*e;
	int64_t			 id;

	for (id = from; id <= to; id++) {
		ck_assert_int_eq(msglog_entry_get(ml, id, &e), 0);
		ck_assert_int_eq(e->me_ts_id, 0);
		ck_assert_ptr_null(e->me_ts_token);
		ck_assert_ptr_null(e->me_ts_hashchain);
		msglog_entry_free(e);
	}
}

START_TEST(test_batch_one_request)
{
	struct msglog		*ml = open_log();
	struct timestamper	*ts;
	struct timestamper_stats st;
	struct msglog_verify	 mv;
	int64_t			 id, ts_id;

	append(ml, 1, 7);
	ts = new_ts(ml, 10000, 14400);
	run_rounds(ts, 1);
	ck_assert_msg(last_rc == 0, "%s", last_err);
	ck_assert_uint_eq(last_stamped, 7);
	ck_assert_int_eq(tsa_calls, 1);		/* one request for all */
	ts_id = check_batch_record(ml, 1);
	for (id = 2; id <= 7; id++)
		ck_assert_int_eq(check_batch_record(ml, id), ts_id);
	timestamper_stats(ts, &st);
	ck_assert_int_eq(st.tss_unstamped, 0);
	ck_assert_uint_eq(st.tss_requests, 1);
	ck_assert_uint_eq(st.tss_stamped, 7);
	ck_assert_int_eq(st.tss_first_failure, 0);
	ck_assert_int_eq(timestamper_refuse(ts), 0);
	ck_assert_int_eq(timestamper_grace_remaining(ts), -1);
	ck_assert_str_eq(timestamper_last_error(ts), "");
	/* Stamping leaves the record chain intact. */
	ck_assert_int_eq(msglog_verify_chain(ml, &mv), 0);

	/* Nothing left: a round without a TSA call. */
	run_rounds(ts, 1);
	ck_assert_int_eq(last_rc, 0);
	ck_assert_uint_eq(last_stamped, 0);
	ck_assert_int_eq(tsa_calls, 1);

	/* New records get a new token. */
	append(ml, 8, 2);
	run_rounds(ts, 1);
	ck_assert_int_eq(last_rc, 0);
	ck_assert_int_eq(tsa_calls, 2);
	ck_assert_int_ne(check_batch_record(ml, 9), ts_id);
	timestamper_free(ts);
	msglog_close(ml);
}
END_TEST

START_TEST(test_single_record)
{
	struct msglog		*ml = open_log();
	struct timestamper	*ts;
	struct msglog_entry	*e;
	unsigned char		 want[MSGLOG_HASH_LEN], imp[MSGLOG_HASH_LEN];
	const char		*value = "signature value 1";

	append(ml, 1, 1);
	ts = new_ts(ml, 10000, 14400);
	run_rounds(ts, 1);
	ck_assert_msg(last_rc == 0, "%s", last_err);
	ck_assert_int_eq(msglog_entry_get(ml, 1, &e), 0);
	ck_assert_int_gt(e->me_ts_id, 0);
	ck_assert_ptr_null(e->me_ts_hashchain);
	ck_assert_ptr_null(e->me_ts_hashchain_result);
	/* As X-Road: the token covers the raw ds:SignatureValue. */
	sha512(value, strlen(value), want);
	token_imprint(e->me_ts_token, e->me_ts_token_len, imp);
	ck_assert_int_eq(memcmp(imp, want, sizeof(want)), 0);
	msglog_entry_free(e);
	timestamper_free(ts);
	msglog_close(ml);
}
END_TEST

/* A response that must be refused: nothing stored, the round fails. */
static void
expect_refused(const char *why)
{
	struct msglog		*ml = open_log();
	struct timestamper	*ts;

	append(ml, 1, 3);
	ts = new_ts(ml, 10000, 14400);
	run_rounds(ts, 1);
	ck_assert_int_eq(last_rc, -1);
	ck_assert_msg(strstr(last_err, why) != NULL, "error: %s", last_err);
	ck_assert_int_eq(tsa_calls, 1);
	check_unstamped(ml, 1, 3);
	ck_assert_int_eq(msglog_unstamped_count(ml), 3);
	ck_assert_int_gt(timestamper_grace_remaining(ts), 0);
	ck_assert_ptr_nonnull(strstr(timestamper_last_error(ts), why));
	timestamper_free(ts);
	msglog_close(ml);
}

START_TEST(test_wrong_tsa_cert)
{
	/* Global conf approves another TSA at that address. */
	set_gconf(tsa_url, other_tsa.cert, NULL, NULL);
	expect_refused("does not verify");
}
END_TEST

START_TEST(test_wrong_nonce)
{
	tamper = T_NONCE;
	expect_refused("does not verify");
}
END_TEST

START_TEST(test_wrong_imprint)
{
	tamper = T_IMPRINT;
	expect_refused("does not verify");
}
END_TEST

START_TEST(test_rejected)
{
	tamper = T_POLICY;
	expect_refused("not granted");
}
END_TEST

START_TEST(test_garbage)
{
	tamper = T_GARBAGE;
	expect_refused("not a TimeStampResp");
}
END_TEST

START_TEST(test_http_error)
{
	tamper = T_HTTP_500;
	expect_refused("HTTP status 500");
}
END_TEST

START_TEST(test_no_tsa)
{
	struct msglog		*ml = open_log();
	struct timestamper	*ts;

	set_gconf(NULL, NULL, NULL, NULL);
	ts = new_ts(ml, 10000, 14400);
	/* Nothing to stamp is no failure, even without a TSA. */
	run_rounds(ts, 1);
	ck_assert_int_eq(last_rc, 0);
	append(ml, 1, 2);
	run_rounds(ts, 1);
	ck_assert_int_eq(last_rc, -1);
	ck_assert_ptr_nonnull(strstr(last_err, "no timestamping services"));
	ck_assert_int_eq(tsa_calls, 0);
	/* No global configuration at all. */
	gconf_free(gc);
	gc = NULL;
	run_rounds(ts, 1);
	ck_assert_int_eq(last_rc, -1);
	ck_assert_ptr_nonnull(strstr(last_err, "global configuration"));
	timestamper_free(ts);
	msglog_close(ml);
}
END_TEST

START_TEST(test_second_tsa)
{
	struct msglog		*ml = open_log();
	struct timestamper	*ts;

	/* The first approved TSA is down; the second one stamps. */
	set_gconf("http://127.0.0.1:1/", other_tsa.cert, tsa_url,
	    tsa_pair.cert);
	append(ml, 1, 4);
	ts = new_ts(ml, 10000, 14400);
	run_rounds(ts, 1);
	ck_assert_msg(last_rc == 0, "%s", last_err);
	ck_assert_int_eq(tsa_calls, 1);
	check_batch_record(ml, 4);
	timestamper_free(ts);
	msglog_close(ml);
}
END_TEST

START_TEST(test_failure_period)
{
	struct msglog		*ml = open_log();
	struct timestamper	*ts;
	struct buf		*why;

	append(ml, 1, 2);
	ts = new_ts(ml, 10000, 100);
	tamper = T_HTTP_500;
	run_rounds(ts, 1);
	ck_assert_int_eq(last_rc, -1);
	ck_assert_int_eq(timestamper_failing_for(ts), 0);
	ck_assert_int_eq(timestamper_grace_remaining(ts), 100);
	ck_assert_int_eq(timestamper_refuse(ts), 0);

	/* Traffic goes on during the grace period; retries keep failing. */
	fake_now += 60;
	append(ml, 3, 2);
	run_rounds(ts, 1);
	ck_assert_int_eq(last_rc, -1);
	ck_assert_int_eq(timestamper_failing_for(ts), 60);	/* first */
	ck_assert_int_eq(timestamper_grace_remaining(ts), 40);
	fake_now += 39;
	ck_assert_int_eq(timestamper_refuse(ts), 0);
	ck_assert_ptr_nonnull(why = buf_new(4096));
	ck_assert_int_eq(timestamper_health(ts, why), 0);
	ck_assert_ptr_nonnull(strstr(buf_str(why), "refused in 1 s"));
	buf_reset(why);
	fake_now += 1;
	ck_assert_int_eq(timestamper_refuse(ts), 1);
	ck_assert_int_eq(timestamper_grace_remaining(ts), 0);
	ck_assert_int_eq(timestamper_health(ts, why), 1);
	ck_assert_ptr_nonnull(strstr(buf_str(why), "refused"));
	buf_reset(why);
	timestamper_metrics(ts, why);
	ck_assert_ptr_nonnull(strstr(buf_str(why),
	    "hk_ss_timestamper_grace_remaining_seconds 0\n"));
	ck_assert_ptr_nonnull(strstr(buf_str(why),
	    "hk_ss_msglog_unstamped 4\n"));
	buf_free(why);

	/* The TSA is back: one success lifts the refusal. */
	tamper = T_NONE;
	run_rounds(ts, 1);
	ck_assert_msg(last_rc == 0, "%s", last_err);
	ck_assert_uint_eq(last_stamped, 4);
	ck_assert_int_eq(timestamper_refuse(ts), 0);
	ck_assert_int_eq(timestamper_grace_remaining(ts), -1);
	ck_assert_int_eq(timestamper_failing_for(ts), 0);
	check_batch_record(ml, 1);
	check_batch_record(ml, 4);

	/* A new outage starts a new period. */
	fake_now += 1000;
	append(ml, 5, 1);
	tamper = T_HTTP_500;
	run_rounds(ts, 1);
	ck_assert_int_eq(timestamper_grace_remaining(ts), 100);
	timestamper_free(ts);
	msglog_close(ml);
}
END_TEST

START_TEST(test_period_zero_never_refuses)
{
	struct msglog		*ml = open_log();
	struct timestamper	*ts;

	append(ml, 1, 2);
	ts = new_ts(ml, 10000, 0);
	tamper = T_HTTP_500;
	run_rounds(ts, 1);
	fake_now += 1000000;
	ck_assert_int_eq(timestamper_refuse(ts), 0);
	ck_assert_int_eq(timestamper_grace_remaining(ts), -1);
	ck_assert_int_eq(timestamper_failing_for(ts), 1000000);
	timestamper_free(ts);
	msglog_close(ml);
}
END_TEST

START_TEST(test_backlog_in_batches)
{
	struct msglog		*ml = open_log();
	struct timestamper	*ts;
	int64_t			 a, b, c;

	append(ml, 1, 10);
	ts = new_ts(ml, 4, 100);
	tamper = T_HTTP_500;
	run_rounds(ts, 1);
	fake_now += 200;
	ck_assert_int_eq(timestamper_refuse(ts), 1);

	/* Back: 4 + 4 + 2, one request each, one round after the other. */
	tamper = T_NONE;
	run_rounds(ts, 3);
	ck_assert_msg(last_rc == 0, "%s", last_err);
	ck_assert_uint_eq(last_stamped, 2);
	ck_assert_int_eq(tsa_calls, 1 + 3);
	ck_assert_int_eq(msglog_unstamped_count(ml), 0);
	ck_assert_int_eq(timestamper_refuse(ts), 0);
	a = check_batch_record(ml, 1);
	ck_assert_int_eq(check_batch_record(ml, 4), a);
	b = check_batch_record(ml, 5);
	ck_assert_int_eq(check_batch_record(ml, 8), b);
	c = check_batch_record(ml, 9);
	ck_assert_int_eq(check_batch_record(ml, 10), c);
	ck_assert_int_ne(a, b);
	ck_assert_int_ne(b, c);
	timestamper_free(ts);
	msglog_close(ml);
}
END_TEST

START_TEST(test_bad_settings)
{
	struct msglog		*ml = open_log();
	struct timestamper_conf	 tc;
	struct timestamper	*ts = NULL;

	timestamper_conf_init(&tc);
	ck_assert_int_eq(timestamper_new(base, ml, &tc, &ts), -1); /* gconf */
	tc.tc_gconf_acquire = get_gconf;
	tc.tc_records_limit = 0;
	ck_assert_int_eq(timestamper_new(base, ml, &tc, &ts), -1);
	tc.tc_records_limit = 10;
	tc.tc_interval = 0;
	ck_assert_int_eq(timestamper_new(base, ml, &tc, &ts), -1);
	ck_assert_ptr_null(ts);
	timestamper_free(NULL);
	msglog_close(ml);
}
END_TEST

static Suite *
timestamper_suite(void)
{
	Suite	*s = suite_create("timestamper");
	TCase	*tc = tcase_create("core");

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, test_batch_one_request);
	tcase_add_test(tc, test_single_record);
	tcase_add_test(tc, test_wrong_tsa_cert);
	tcase_add_test(tc, test_wrong_nonce);
	tcase_add_test(tc, test_wrong_imprint);
	tcase_add_test(tc, test_rejected);
	tcase_add_test(tc, test_garbage);
	tcase_add_test(tc, test_http_error);
	tcase_add_test(tc, test_no_tsa);
	tcase_add_test(tc, test_second_tsa);
	tcase_add_test(tc, test_failure_period);
	tcase_add_test(tc, test_period_zero_never_refuses);
	tcase_add_test(tc, test_backlog_in_batches);
	tcase_add_test(tc, test_bad_settings);
	suite_add_tcase(s, tc);
	return s;
}

HK_CHECK_MAIN(timestamper_suite)
