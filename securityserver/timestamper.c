/*
 * timestamper.c: batch timestamping of the message log (NOTES.md 5.2).
 *
 * A round takes up to tc_records_limit unstamped records, oldest first.
 * Two or more: their signature hashes are the leaves of X-Road's hash
 * tree (hashchain.h); the TSA stamps SHA-512 of ts-hashchainresult.xml
 * and each record keeps its ts-hashchain.xml (DataRef
 * /META-INF/signatures.xml). One alone: the TSA stamps SHA-512 of the
 * record's ds:SignatureValue, as X-Road's SingleTimestampRequest (the
 * container builder embeds the token as XAdES SignatureTimeStamp).
 *
 * The response must be granted, signed by the certificate of an approved
 * TSA of global configuration (that certificate is the trust anchor, as
 * X-Road verifies it), and carry our imprint and nonce; only then are the
 * token and the chains stored, in one transaction.
 *
 * A failed round is retried after tc_retry_interval; the first failure of
 * an outage is remembered, and once it is tc_failure_period old the
 * proxies refuse new exchanges (timestamper_refuse) until a round
 * succeeds again. A round with nothing to stamp is a success.
 */
#include "config.h"

#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <event2/event.h>
#include <libxml/parser.h>
#include <libxml/tree.h>
#include <openssl/asn1.h>
#include <openssl/bn.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/objects.h>
#include <openssl/pkcs7.h>
#include <openssl/rand.h>
#include <openssl/ts.h>
#include <openssl/x509.h>
#include <openssl/x509_vfy.h>

#include "b64.h"
#include "buf.h"
#include "compat.h"
#include "conf.h"
#include "globalconf.h"
#include "hashchain.h"
#include "httpc.h"
#include "log.h"
#include "msglog.h"
#include "securityserverd.h"

#define DSIG_NS		"http://www.w3.org/2000/09/xmldsig#"

struct ts_tsa {
	char	*tt_url;
	X509	*tt_cert;
};

/* One round: what was asked of which TSA. */
struct ts_round {
	struct msglog_leaf	*tr_leaves;
	size_t			 tr_n;
	struct hashchain	*tr_hc;		/* tr_n >= 2 */
	char			*tr_result_xml;
	size_t			 tr_result_len;
	unsigned char		 tr_imprint[MSGLOG_HASH_LEN];
	struct ts_tsa		*tr_tsas;
	size_t			 tr_ntsas;
	size_t			 tr_cur;	/* TSA being asked */
	TS_REQ			*tr_req;
	struct httpc_call	*tr_call;
	char			 tr_err[512];
};

struct timestamper {
	struct event_base	*ts_base;
	struct msglog		*ts_ml;
	struct timestamper_conf	 ts_conf;
	struct httpc_ev		*ts_http;
	struct event		*ts_timer;
	struct ts_round		*ts_round;
	time_t			 ts_first_failure;
	time_t			 ts_last_success;
	uint64_t		 ts_requests;
	uint64_t		 ts_failures;
	uint64_t		 ts_stamped;
	char			 ts_last_error[512];
	timestamper_round_fn	 ts_hook;
	void			*ts_hook_arg;
};

static void	round_send(struct timestamper *);

static time_t
ts_now(const struct timestamper *ts)
{
	if (ts->ts_conf.tc_clock != NULL)
		return ts->ts_conf.tc_clock(ts->ts_conf.tc_clock_arg);
	return time(NULL);
}

void
timestamper_conf_init(struct timestamper_conf *tc)
{
	memset(tc, 0, sizeof(*tc));
	tc->tc_records_limit = TIMESTAMPER_RECORDS_LIMIT;
	tc->tc_failure_period = TIMESTAMPER_FAILURE_PERIOD;
	tc->tc_retry_interval = TIMESTAMPER_RETRY_INTERVAL;
	tc->tc_interval = TIMESTAMPER_INTERVAL;
	tc->tc_timeout_ms = TIMESTAMPER_TIMEOUT_MS;
}

static void
round_free(struct ts_round *r)
{
	size_t	i;

	if (r == NULL)
		return;
	if (r->tr_call != NULL)
		httpc_call_cancel(r->tr_call);
	free(r->tr_leaves);
	hashchain_free(r->tr_hc);
	free(r->tr_result_xml);
	for (i = 0; i < r->tr_ntsas; i++) {
		free(r->tr_tsas[i].tt_url);
		X509_free(r->tr_tsas[i].tt_cert);
	}
	free(r->tr_tsas);
	TS_REQ_free(r->tr_req);
	free(r);
}

static void
schedule(struct timestamper *ts, long long secs)
{
	struct timeval	tv;

	if (secs < 0)
		secs = 0;
	tv.tv_sec = (time_t)secs;
	tv.tv_usec = 0;
	(void)evtimer_add(ts->ts_timer, &tv);
}

/* The interval of global configuration, or the configured fallback. */
static long long
ts_interval(struct timestamper *ts)
{
	const struct gconf	*gc;
	void			*ref = NULL;
	long long		 iv = -1;

	gc = ts->ts_conf.tc_gconf_acquire(ts->ts_conf.tc_gconf_arg, &ref);
	if (gc == NULL) {
		/*
		 * No global configuration yet (start-up): look again soon
		 * rather than waiting a whole fallback interval once it comes.
		 */
		return ts->ts_conf.tc_interval < 5 ? ts->ts_conf.tc_interval : 5;
	}
	iv = gconf_ts_interval(gc);
	if (ts->ts_conf.tc_gconf_release != NULL)
		ts->ts_conf.tc_gconf_release(ref);
	return iv > 0 ? iv : ts->ts_conf.tc_interval;
}

/* End the round: remember the outcome, schedule the next one. */
static void
round_end(struct timestamper *ts, int rc)
{
	struct ts_round	*r = ts->ts_round;
	size_t		 stamped = 0;
	int		 more = 0;

	ts->ts_round = NULL;
	if (rc == 0) {
		stamped = r != NULL ? r->tr_n : 0;
		more = stamped > 0 && stamped >= ts->ts_conf.tc_records_limit;
		ts->ts_stamped += stamped;
		if (ts->ts_first_failure != 0)
			log_info("timestamping works again after %lld s",
			    (long long)(ts_now(ts) - ts->ts_first_failure));
		ts->ts_first_failure = 0;
		ts->ts_last_success = ts_now(ts);
		ts->ts_last_error[0] = '\0';
		/* A full batch: the backlog goes on at once. */
		schedule(ts, more ? 0 : ts_interval(ts));
	} else {
		ts->ts_failures++;
		if (ts->ts_first_failure == 0)
			ts->ts_first_failure = ts_now(ts);
		(void)snprintf(ts->ts_last_error, sizeof(ts->ts_last_error),
		    "%s", r != NULL ? r->tr_err : "");
		log_warnx("timestamping failed: %s (failing for %lld s)",
		    ts->ts_last_error,
		    (long long)(ts_now(ts) - ts->ts_first_failure));
		schedule(ts, ts->ts_conf.tc_retry_interval);
	}
	if (ts->ts_hook != NULL)
		ts->ts_hook(rc, stamped, ts->ts_last_error, ts->ts_hook_arg);
	round_free(r);
}

static int
fail(struct ts_round *r, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

static int
fail(struct ts_round *r, const char *fmt, ...)
{
	va_list	ap;

	va_start(ap, fmt);
	(void)vsnprintf(r->tr_err, sizeof(r->tr_err), fmt, ap);
	va_end(ap);
	return -1;
}

static xmlNode *
find_dsig(xmlNode *n, const char *name)
{
	xmlNode	*c, *f;

	for (; n != NULL; n = n->next) {
		if (n->type != XML_ELEMENT_NODE)
			continue;
		if (n->ns != NULL && xmlStrEqual(n->ns->href, BAD_CAST DSIG_NS) &&
		    xmlStrEqual(n->name, BAD_CAST name))
			return n;
		if ((c = n->children) != NULL &&
		    (f = find_dsig(c, name)) != NULL)
			return f;
	}
	return NULL;
}

/* SHA-512 of the raw ds:SignatureValue of a signature document. */
static int
signature_value_hash(const char *xml, size_t len, unsigned char *out)
{
	xmlDoc		*doc = NULL;
	xmlNode		*sv;
	xmlChar		*text = NULL;
	unsigned char	*raw = NULL;
	size_t		 rawlen = 0;
	int		 rc = -1;

	if (len > INT_MAX)
		return -1;
	doc = xmlReadMemory(xml, (int)len, NULL, NULL, XML_PARSE_NONET |
	    XML_PARSE_NOERROR | XML_PARSE_NOWARNING);
	if (doc == NULL || doc->intSubset != NULL ||
	    (sv = find_dsig(xmlDocGetRootElement(doc), "SignatureValue")) ==
	    NULL || (text = xmlNodeGetContent(sv)) == NULL ||
	    b64_decode((const char *)text, strlen((const char *)text), &raw,
	    &rawlen) == -1 || rawlen == 0 ||
	    EVP_Digest(raw, rawlen, out, NULL, EVP_sha512(), NULL) != 1)
		goto done;
	rc = 0;
 done:
	free(raw);
	xmlFree(text);
	xmlFreeDoc(doc);
	return rc;
}

/* What to stamp: the tree's result document, or one SignatureValue. */
static int
round_prepare(struct timestamper *ts, struct ts_round *r)
{
	struct msglog_entry	*e = NULL;
	size_t			 i;
	int			 rc;

	if (r->tr_n == 1) {
		rc = msglog_entry_get(ts->ts_ml, r->tr_leaves[0].ml_id, &e);
		if (rc != 0)
			return fail(r, "cannot read record %lld",
			    (long long)r->tr_leaves[0].ml_id);
		rc = signature_value_hash(e->me_signature,
		    e->me_signature_len, r->tr_imprint);
		msglog_entry_free(e);
		if (rc == -1)
			return fail(r, "record %lld: no ds:SignatureValue in "
			    "its signature", (long long)r->tr_leaves[0].ml_id);
		return 0;
	}
	if ((r->tr_hc = hashchain_new()) == NULL)
		return fail(r, "out of memory");
	for (i = 0; i < r->tr_n; i++)
		if (hashchain_add_input(r->tr_hc, r->tr_leaves[i].ml_hash,
		    1) == -1)
			return fail(r, "cannot build the hash tree");
	if (hashchain_finish(r->tr_hc) == -1 ||
	    hashchain_result_xml(r->tr_hc, MSGLOG_URI_TS_CHAIN,
	    &r->tr_result_xml, &r->tr_result_len) == -1)
		return fail(r, "cannot build the hash tree");
	if (EVP_Digest(r->tr_result_xml, r->tr_result_len, r->tr_imprint,
	    NULL, EVP_sha512(), NULL) != 1)
		return fail(r, "SHA-512 failed");
	return 0;
}

/* Copy the approved TSAs; NULL gconf counts as none. */
static int
round_tsas(struct timestamper *ts, struct ts_round *r)
{
	const struct gconf	*gc;
	const struct gconf_tsa	*t;
	void			*ref = NULL;
	size_t			 i, n = 0;
	int			 rc = -1;

	gc = ts->ts_conf.tc_gconf_acquire(ts->ts_conf.tc_gconf_arg, &ref);
	if (gc == NULL)
		return fail(r, "no valid global configuration");
	t = gconf_tsas(gc, &n);
	if (n == 0) {
		(void)fail(r, "no timestamping services configured");
		goto done;
	}
	if ((r->tr_tsas = calloc(n, sizeof(*r->tr_tsas))) == NULL) {
		(void)fail(r, "out of memory");
		goto done;
	}
	for (i = 0; i < n; i++) {
		if (t[i].gt_x509 == NULL || t[i].gt_url == NULL)
			continue;
		if ((r->tr_tsas[r->tr_ntsas].tt_url = strdup(t[i].gt_url)) ==
		    NULL) {
			(void)fail(r, "out of memory");
			goto done;
		}
		X509_up_ref(t[i].gt_x509);
		r->tr_tsas[r->tr_ntsas++].tt_cert = t[i].gt_x509;
	}
	if (r->tr_ntsas == 0) {
		(void)fail(r, "no usable timestamping service configured");
		goto done;
	}
	rc = 0;
 done:
	if (ts->ts_conf.tc_gconf_release != NULL)
		ts->ts_conf.tc_gconf_release(ref);
	return rc;
}

static void
round_start(struct timestamper *ts)
{
	struct ts_round	*r;

	if (ts->ts_round != NULL)
		return;
	if ((r = calloc(1, sizeof(*r))) == NULL) {
		ts->ts_round = NULL;
		round_end(ts, -1);
		return;
	}
	ts->ts_round = r;
	if (msglog_unstamped(ts->ts_ml, ts->ts_conf.tc_records_limit,
	    &r->tr_leaves, &r->tr_n) == -1) {
		(void)fail(r, "cannot read the unstamped records");
		round_end(ts, -1);
		return;
	}
	if (r->tr_n == 0) {
		round_end(ts, 0);
		return;
	}
	if (round_tsas(ts, r) == -1 || round_prepare(ts, r) == -1) {
		round_end(ts, -1);
		return;
	}
	round_send(ts);
}

static void
ts_timer(evutil_socket_t fd, short what, void *arg)
{
	round_start(arg);
}

/* A TimeStampReq for the round's imprint with a fresh nonce. */
static TS_REQ *
make_request(const unsigned char *imprint)
{
	TS_REQ		*req = NULL;
	TS_MSG_IMPRINT	*mi = NULL;
	X509_ALGOR	*alg = NULL;
	ASN1_INTEGER	*nonce = NULL;
	BIGNUM		*bn = NULL;
	unsigned char	 rnd[8];

	if ((req = TS_REQ_new()) == NULL ||
	    TS_REQ_set_version(req, 1) != 1 ||
	    (mi = TS_MSG_IMPRINT_new()) == NULL ||
	    (alg = X509_ALGOR_new()) == NULL)
		goto fail;
	X509_ALGOR_set_md(alg, EVP_sha512());
	if (TS_MSG_IMPRINT_set_algo(mi, alg) != 1 ||
	    TS_MSG_IMPRINT_set_msg(mi, (unsigned char *)imprint,
	    MSGLOG_HASH_LEN) != 1 ||
	    TS_REQ_set_msg_imprint(req, mi) != 1)
		goto fail;
	if (RAND_bytes(rnd, sizeof(rnd)) != 1)
		goto fail;
	rnd[0] &= 0x7f;
	rnd[0] |= 0x01;		/* a positive nonce of full length */
	if ((bn = BN_bin2bn(rnd, sizeof(rnd), NULL)) == NULL ||
	    (nonce = BN_to_ASN1_INTEGER(bn, NULL)) == NULL ||
	    TS_REQ_set_nonce(req, nonce) != 1 ||
	    TS_REQ_set_cert_req(req, 1) != 1)
		goto fail;
	BN_free(bn);
	ASN1_INTEGER_free(nonce);
	X509_ALGOR_free(alg);
	TS_MSG_IMPRINT_free(mi);
	return req;
 fail:
	BN_free(bn);
	ASN1_INTEGER_free(nonce);
	X509_ALGOR_free(alg);
	TS_MSG_IMPRINT_free(mi);
	TS_REQ_free(req);
	return NULL;
}

static void	on_response(int, struct httpc_resp *, const char *, void *);

/* Ask the current TSA; on a failure to start, the next one. */
static void
round_send(struct timestamper *ts)
{
	static const char *const headers[] = {
		"Content-Type: application/timestamp-query",
		"Accept: application/timestamp-reply",
		NULL
	};
	struct ts_round		*r = ts->ts_round;
	struct httpc_req	 hr;
	unsigned char		*der = NULL;
	int			 len, rc;

	for (; r->tr_cur < r->tr_ntsas; r->tr_cur++) {
		TS_REQ_free(r->tr_req);
		if ((r->tr_req = make_request(r->tr_imprint)) == NULL ||
		    (len = i2d_TS_REQ(r->tr_req, &der)) <= 0) {
			(void)fail(r, "cannot make a timestamp request");
			break;
		}
		memset(&hr, 0, sizeof(hr));
		hr.hr_url = r->tr_tsas[r->tr_cur].tt_url;
		hr.hr_headers = headers;
		hr.hr_body = der;
		hr.hr_body_len = (size_t)len;
		hr.hr_timeout_ms = ts->ts_conf.tc_timeout_ms;
		hr.hr_max_body = TIMESTAMPER_MAX_RESPONSE;
		rc = httpc_ev_start(ts->ts_http, &hr, on_response, ts,
		    &r->tr_call);
		OPENSSL_free(der);
		der = NULL;
		ts->ts_requests++;
		if (rc == 0)
			return;
		r->tr_call = NULL;
		(void)fail(r, "%s: %s", hr.hr_url, httpc_strerror(rc));
	}
	round_end(ts, -1);
}

static int
is_approved(const struct ts_round *r, X509 *cert)
{
	size_t	i;

	for (i = 0; i < r->tr_ntsas; i++)
		if (X509_cmp(r->tr_tsas[i].tt_cert, cert) == 0)
			return 1;
	return 0;
}

static void
openssl_reason(char *out, size_t len)
{
	unsigned long	e = ERR_peek_last_error();

	if (e == 0)
		(void)strlcpy(out, "unknown reason", len);
	else
		ERR_error_string_n(e, out, len);
	ERR_clear_error();
}

/*
 * Check a DER TimeStampResp against the round's request and the approved
 * TSAs; on success *tokenp (OPENSSL_free) holds the DER TimeStampToken
 * and *gen_ms its genTime.
 */
static int
verify_response(struct ts_round *r, const unsigned char *p, size_t len,
    unsigned char **tokenp, int *tokenlen, int64_t *gen_ms)
{
	const unsigned char	*q = p;
	TS_RESP			*resp = NULL;
	TS_VERIFY_CTX		*vctx = NULL;
	X509_STORE		*store = NULL;
	STACK_OF(X509)		*certs = NULL, *signers = NULL, *mine = NULL;
	PKCS7			*token;
	TS_TST_INFO		*tst;
	const ASN1_INTEGER	*status;
	struct tm		 tm;
	char			 why[256];
	size_t			 i;
	long			 st;
	int			 rc = -1;

	*tokenp = NULL;
	if (len > LONG_MAX ||
	    (resp = d2i_TS_RESP(NULL, &q, (long)len)) == NULL ||
	    q != p + len) {
		(void)fail(r, "not a TimeStampResp");
		goto done;
	}
	status = TS_STATUS_INFO_get0_status(TS_RESP_get_status_info(resp));
	st = status != NULL ? ASN1_INTEGER_get(status) : -1;
	if (st != TS_STATUS_GRANTED && st != TS_STATUS_GRANTED_WITH_MODS) {
		(void)fail(r, "request not granted (status %ld)", st);
		goto done;
	}
	if ((token = TS_RESP_get_token(resp)) == NULL ||
	    (tst = TS_RESP_get_tst_info(resp)) == NULL) {
		(void)fail(r, "no token in the response");
		goto done;
	}

	/* The approved TSA certs are the trust anchors, and the only ones. */
	if ((store = X509_STORE_new()) == NULL ||
	    (certs = sk_X509_new_null()) == NULL)
		goto nomem;
	for (i = 0; i < r->tr_ntsas; i++) {
		if (X509_STORE_add_cert(store, r->tr_tsas[i].tt_cert) != 1 ||
		    !sk_X509_push(certs, r->tr_tsas[i].tt_cert))
			goto nomem;
		X509_up_ref(r->tr_tsas[i].tt_cert);
	}
	(void)X509_STORE_set_flags(store, X509_V_FLAG_PARTIAL_CHAIN);
	if ((vctx = TS_REQ_to_TS_VERIFY_CTX(r->tr_req, NULL)) == NULL)
		goto nomem;
	TS_VERIFY_CTX_add_flags(vctx, TS_VFY_SIGNATURE | TS_VFY_VERSION |
	    TS_VFY_IMPRINT | TS_VFY_NONCE);
	TS_VERIFY_CTX_set_store(vctx, store);
	store = NULL;
	TS_VERIFY_CTX_set_certs(vctx, certs);
	certs = NULL;
	if (TS_RESP_verify_response(vctx, resp) != 1) {
		openssl_reason(why, sizeof(why));
		(void)fail(r, "response does not verify: %s", why);
		goto done;
	}
	/* Belt and braces: the signer itself is an approved TSA. */
	if ((mine = sk_X509_new_null()) == NULL)
		goto nomem;
	for (i = 0; i < r->tr_ntsas; i++)
		if (!sk_X509_push(mine, r->tr_tsas[i].tt_cert))
			goto nomem;
	signers = PKCS7_get0_signers(token, mine, 0);
	if (signers == NULL || sk_X509_num(signers) != 1 ||
	    !is_approved(r, sk_X509_value(signers, 0))) {
		ERR_clear_error();
		(void)fail(r, "token not signed by an approved TSA");
		goto done;
	}
	if (ASN1_TIME_to_tm(TS_TST_INFO_get_time(tst), &tm) != 1) {
		(void)fail(r, "bad genTime");
		goto done;
	}
	*gen_ms = (int64_t)timegm(&tm) * 1000;
	if ((*tokenlen = i2d_PKCS7(token, tokenp)) <= 0) {
		*tokenp = NULL;
		goto nomem;
	}
	rc = 0;
	goto done;
 nomem:
	(void)fail(r, "out of memory");
 done:
	sk_X509_free(signers);
	sk_X509_free(mine);
	sk_X509_pop_free(certs, X509_free);
	X509_STORE_free(store);
	TS_VERIFY_CTX_free(vctx);
	TS_RESP_free(resp);
	ERR_clear_error();
	return rc;
}

/* Store the verified token and each record's chain. */
static int
round_store(struct timestamper *ts, struct ts_round *r,
    const unsigned char *token, size_t tokenlen, int64_t gen_ms)
{
	struct msglog_stamp	 stp;
	int64_t			*ids = NULL;
	char			**chains = NULL;
	size_t			*lens = NULL, i;
	int			 rc = -1;

	if ((ids = calloc(r->tr_n, sizeof(*ids))) == NULL ||
	    (chains = calloc(r->tr_n, sizeof(*chains))) == NULL ||
	    (lens = calloc(r->tr_n, sizeof(*lens))) == NULL) {
		(void)fail(r, "out of memory");
		goto done;
	}
	for (i = 0; i < r->tr_n; i++) {
		ids[i] = r->tr_leaves[i].ml_id;
		if (r->tr_hc != NULL && hashchain_chain_xml(r->tr_hc, i,
		    MSGLOG_URI_SIGNATURE, NULL, &chains[i], &lens[i]) == -1) {
			(void)fail(r, "cannot write the hash chain of record "
			    "%lld", (long long)ids[i]);
			goto done;
		}
	}
	memset(&stp, 0, sizeof(stp));
	stp.st_token = token;
	stp.st_token_len = tokenlen;
	stp.st_time_ms = gen_ms;
	stp.st_hashchain_result = r->tr_result_xml;
	stp.st_hashchain_result_len = r->tr_result_len;
	stp.st_tsa_url = r->tr_tsas[r->tr_cur].tt_url;
	if (msglog_store_stamp(ts->ts_ml, &stp, ids,
	    (const char *const *)chains, lens, r->tr_n, NULL) == -1) {
		(void)fail(r, "cannot store the timestamp");
		goto done;
	}
	rc = 0;
 done:
	if (chains != NULL)
		for (i = 0; i < r->tr_n; i++)
			free(chains[i]);
	free(chains);
	free(lens);
	free(ids);
	return rc;
}

static void
on_response(int rc, struct httpc_resp *resp, const char *errmsg, void *arg)
{
	struct timestamper	*ts = arg;
	struct ts_round		*r = ts->ts_round;
	const struct buf	*body;
	unsigned char		*token = NULL;
	const char		*url = r->tr_tsas[r->tr_cur].tt_url;
	int			 tokenlen = 0, status;
	int64_t			 gen_ms = 0;

	r->tr_call = NULL;
	if (rc != 0) {
		(void)fail(r, "%s: %s%s%s", url, httpc_strerror(rc),
		    *errmsg != '\0' ? ": " : "", errmsg);
		goto next;
	}
	status = httpc_resp_status(resp);
	body = httpc_resp_body(resp);
	if (status != 200) {
		(void)fail(r, "%s: HTTP status %d", url, status);
		goto next;
	}
	if (verify_response(r, buf_data(body), buf_len(body), &token,
	    &tokenlen, &gen_ms) == -1) {
		char	tmp[sizeof(r->tr_err)];

		(void)strlcpy(tmp, r->tr_err, sizeof(tmp));
		(void)fail(r, "%s: %s", url, tmp);
		goto next;
	}
	httpc_resp_free(resp);
	rc = round_store(ts, r, token, (size_t)tokenlen, gen_ms);
	OPENSSL_free(token);
	round_end(ts, rc);
	return;
 next:
	httpc_resp_free(resp);
	r->tr_cur++;
	round_send(ts);
}

int
timestamper_new(struct event_base *base, struct msglog *ml,
    const struct timestamper_conf *tc, struct timestamper **out)
{
	struct timestamper	*ts;

	*out = NULL;
	if (base == NULL || ml == NULL || tc == NULL ||
	    tc->tc_gconf_acquire == NULL || tc->tc_records_limit == 0 ||
	    tc->tc_records_limit > HASHCHAIN_MAX_INPUTS ||
	    tc->tc_failure_period < 0 || tc->tc_retry_interval < 0 ||
	    tc->tc_interval <= 0) {
		log_warnx("%s: bad settings", __func__);
		return -1;
	}
	if ((ts = calloc(1, sizeof(*ts))) == NULL) {
		log_warn("%s", __func__);
		return -1;
	}
	ts->ts_base = base;
	ts->ts_ml = ml;
	ts->ts_conf = *tc;
	ts->ts_conf.tc_tls = NULL;	/* copied by httpc_ev_new */
	if ((ts->ts_http = httpc_ev_new(base, tc->tc_tls)) == NULL ||
	    (ts->ts_timer = evtimer_new(base, ts_timer, ts)) == NULL) {
		log_warnx("%s: cannot make the TSA client", __func__);
		timestamper_free(ts);
		return -1;
	}
	schedule(ts, 0);
	*out = ts;
	return 0;
}

void
timestamper_free(struct timestamper *ts)
{
	if (ts == NULL)
		return;
	round_free(ts->ts_round);
	if (ts->ts_timer != NULL)
		event_free(ts->ts_timer);
	httpc_ev_free(ts->ts_http);
	free(ts);
}

void
timestamper_run_now(struct timestamper *ts)
{
	if (ts->ts_round != NULL)
		return;
	(void)evtimer_del(ts->ts_timer);
	schedule(ts, 0);
}

void
timestamper_set_round_hook(struct timestamper *ts, timestamper_round_fn fn,
    void *arg)
{
	ts->ts_hook = fn;
	ts->ts_hook_arg = arg;
}

long long
timestamper_failing_for(const struct timestamper *ts)
{
	long long	d;

	if (ts->ts_first_failure == 0)
		return 0;
	d = (long long)(ts_now(ts) - ts->ts_first_failure);
	return d > 0 ? d : 0;
}

long long
timestamper_grace_remaining(const struct timestamper *ts)
{
	long long	left;

	if (ts->ts_first_failure == 0 || ts->ts_conf.tc_failure_period == 0)
		return -1;
	left = ts->ts_conf.tc_failure_period - timestamper_failing_for(ts);
	return left > 0 ? left : 0;
}

int
timestamper_refuse(const struct timestamper *ts)
{
	return timestamper_grace_remaining(ts) == 0;
}

const char *
timestamper_last_error(const struct timestamper *ts)
{
	return ts->ts_last_error;
}

void
timestamper_stats(const struct timestamper *ts, struct timestamper_stats *st)
{
	memset(st, 0, sizeof(*st));
	st->tss_unstamped = msglog_unstamped_count(ts->ts_ml);
	st->tss_requests = ts->ts_requests;
	st->tss_failures = ts->ts_failures;
	st->tss_stamped = ts->ts_stamped;
	st->tss_last_success = ts->ts_last_success;
	st->tss_first_failure = ts->ts_first_failure;
}

int
timestamper_health(const struct timestamper *ts, struct buf *why)
{
	long long	left = timestamper_grace_remaining(ts);

	if (ts->ts_first_failure == 0)
		return 0;
	if (left == 0) {
		(void)buf_printf(why, "timestamping has failed for %lld s, "
		    "longer than acceptable-timestamp-failure-period (%lld s); "
		    "new messages are refused: %s\n",
		    timestamper_failing_for(ts),
		    ts->ts_conf.tc_failure_period, ts->ts_last_error);
		return 1;
	}
	(void)buf_printf(why, "warning: timestamping failing for %lld s, "
	    "messages refused in %lld s: %s\n", timestamper_failing_for(ts),
	    left, ts->ts_last_error);
	return 0;
}

void
timestamper_metrics(const struct timestamper *ts, struct buf *b)
{
	struct msglog_stats	ms;
	struct timestamper_stats st;

	msglog_stats(ts->ts_ml, &ms);
	timestamper_stats(ts, &st);
	(void)buf_printf(b,
	    "# HELP hk_ss_msglog_records_total Message log records written.\n"
	    "# TYPE hk_ss_msglog_records_total counter\n"
	    "hk_ss_msglog_records_total %llu\n"
	    "# HELP hk_ss_msglog_commits_total Group commits of the message "
	    "log.\n"
	    "# TYPE hk_ss_msglog_commits_total counter\n"
	    "hk_ss_msglog_commits_total %llu\n"
	    "# HELP hk_ss_msglog_failed_total Records whose commit failed.\n"
	    "# TYPE hk_ss_msglog_failed_total counter\n"
	    "hk_ss_msglog_failed_total %llu\n"
	    "# HELP hk_ss_msglog_refused_total Records refused (too big, "
	    "invalid).\n"
	    "# TYPE hk_ss_msglog_refused_total counter\n"
	    "hk_ss_msglog_refused_total %llu\n"
	    "# HELP hk_ss_msglog_unstamped Records waiting for a "
	    "timestamp.\n"
	    "# TYPE hk_ss_msglog_unstamped gauge\n"
	    "hk_ss_msglog_unstamped %lld\n"
	    "# HELP hk_ss_timestamper_requests_total Requests sent to TSAs.\n"
	    "# TYPE hk_ss_timestamper_requests_total counter\n"
	    "hk_ss_timestamper_requests_total %llu\n"
	    "# HELP hk_ss_timestamper_failures_total Timestamping rounds "
	    "that failed.\n"
	    "# TYPE hk_ss_timestamper_failures_total counter\n"
	    "hk_ss_timestamper_failures_total %llu\n"
	    "# HELP hk_ss_timestamper_failing_seconds Seconds since the "
	    "first failure of the current outage (0: working).\n"
	    "# TYPE hk_ss_timestamper_failing_seconds gauge\n"
	    "hk_ss_timestamper_failing_seconds %lld\n"
	    "# HELP hk_ss_timestamper_grace_remaining_seconds Seconds until "
	    "messages are refused (-1: not failing).\n"
	    "# TYPE hk_ss_timestamper_grace_remaining_seconds gauge\n"
	    "hk_ss_timestamper_grace_remaining_seconds %lld\n",
	    (unsigned long long)ms.ms_appended,
	    (unsigned long long)ms.ms_transactions,
	    (unsigned long long)ms.ms_failed,
	    (unsigned long long)ms.ms_refused,
	    (long long)st.tss_unstamped,
	    (unsigned long long)st.tss_requests,
	    (unsigned long long)st.tss_failures,
	    timestamper_failing_for(ts), timestamper_grace_remaining(ts));
}

/* Daemon glue. */

static const struct gconf *
ssd_gconf(void *arg, void **ref)
{
	struct gc_snap	*gs = confclient_acquire(arg);

	*ref = gs;
	return gs != NULL ? gs->gs_gc : NULL;
}

static void
ssd_gconf_release(void *ref)
{
	confclient_release(ref);
}

int
timestamper_new_ssd(struct ssd *sd, struct msglog *ml,
    struct timestamper **out)
{
	struct timestamper_conf	tc;

	timestamper_conf_init(&tc);
	tc.tc_records_limit = (size_t)conf_get_int(sd->sd_conf, "message-log",
	    "timestamp-records-limit");
	tc.tc_failure_period = conf_get_duration(sd->sd_conf, "message-log",
	    "acceptable-timestamp-failure-period");
	tc.tc_retry_interval = conf_get_duration(sd->sd_conf, "message-log",
	    "retry-interval");
	tc.tc_gconf_acquire = ssd_gconf;
	tc.tc_gconf_release = ssd_gconf_release;
	tc.tc_gconf_arg = sd;
	return timestamper_new(sd->sd_base, ml, &tc, out);
}
