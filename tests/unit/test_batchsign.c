/* Unit tests for batchsign.c: batch signing on a libevent loop. */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <event2/event.h>
#include <libxml/tree.h>

#include "batchsign.h"
#include "hashchain.h"
#include "hk_check.h"
#include "signer.h"
#include "sigtest.h"
#include "xsd.h"
#include "xsig.h"

#define MAXREQ	16

/* What one request got back. */
struct got {
	int		 called;
	int		 error;
	char		*sig;
	size_t		 siglen;
	char		*hcr;
	size_t		 hcrlen;
	char		*hc;
	size_t		 hclen;
	size_t		 batch;
	unsigned char	 parts[3 * 64];
	size_t		 nparts;
	/* Optional actions from inside the callback. */
	struct batchsign	*resubmit;
	struct batchsign_req	*cancel;
	struct got		*resubmit_got;
};

static char *
dup_mem(const char *p, size_t len)
{
	char	*c;

	if (p == NULL)
		return NULL;
	c = malloc(len + 1);
	memcpy(c, p, len);
	c[len] = '\0';
	return c;
}

static void
on_signed(int error, const struct batchsign_result *res, void *arg)
{
	struct got	*g = arg;

	g->called++;
	g->error = error;
	if (res != NULL) {
		g->sig = dup_mem(res->br_signature, res->br_signature_len);
		g->siglen = res->br_signature_len;
		g->hcr = dup_mem(res->br_hashchain_result,
		    res->br_hashchain_result_len);
		g->hcrlen = res->br_hashchain_result_len;
		g->hc = dup_mem(res->br_hashchain, res->br_hashchain_len);
		g->hclen = res->br_hashchain_len;
		g->batch = res->br_batch_size;
	}
	if (g->cancel != NULL)
		batchsign_cancel(g->cancel);
	if (g->resubmit != NULL)
		ck_assert_ptr_nonnull(batchsign_submit(g->resubmit, "A",
		    g->resubmit_got->parts, 1, on_signed, g->resubmit_got));
}

static void
got_clear(struct got *g)
{
	free(g->sig);
	free(g->hcr);
	free(g->hc);
	memset(g, 0, sizeof(*g));
}

static void
got_verify(const struct got *g, X509 *cert)
{
	struct xsig_info	*xi = NULL;
	char			 err[256];

	ck_assert_int_eq(g->called, 1);
	ck_assert_int_eq(g->error, 0);
	ck_assert_ptr_nonnull(g->sig);
	ck_assert_msg(xsig_verify_message(g->sig, g->siglen, g->hcr, g->hcrlen,
	    g->hc, g->hclen, g->parts, g->nparts, &xi, err, sizeof(err)) == 0,
	    "%s", err);
	ck_assert_int_eq(X509_cmp(xi->xi_cert, cert), 0);
	xsig_info_free(xi);
}

struct env {
	struct event_base	*base;
	struct signer		*sg;
	struct sigtest_key	 a, b;
	struct got		 g[MAXREQ];
};

static void
env_init(struct env *e, int two_keys)
{
	size_t	i;

	memset(e, 0, sizeof(*e));
	e->base = event_base_new();
	ck_assert_ptr_nonnull(e->base);
	e->sg = signer_new();
	sigtest_key_new(&e->a, 1, "/C=PS/O=GOV/CN=A");
	sigtest_key_add(e->sg, "A", &e->a);
	if (two_keys) {
		sigtest_key_new(&e->b, 0, "/C=PS/O=GOV/CN=B");
		sigtest_key_add(e->sg, "B", &e->b);
	}
	for (i = 0; i < MAXREQ; i++) {
		sigtest_digest((unsigned int)(100 + i), e->g[i].parts);
		e->g[i].nparts = 1;
	}
}

static void
env_clear(struct env *e)
{
	size_t	i;

	for (i = 0; i < MAXREQ; i++)
		got_clear(&e->g[i]);
	signer_free(e->sg);
	sigtest_key_clear(&e->a);
	if (e->b.leaf.cert != NULL)
		sigtest_key_clear(&e->b);
	event_base_free(e->base);
}

/* Five requests of one key: one private-key operation, five proofs. */
START_TEST(test_batch_of_five)
{
	struct env		 e;
	struct batchsign	*bs;
	struct xsd		*x;
	xmlDocPtr		 doc;
	char			 err[256];
	size_t			 i;

	env_init(&e, 0);
	bs = batchsign_new(e.base, e.sg, 0);
	ck_assert_ptr_nonnull(bs);
	for (i = 0; i < 5; i++)
		ck_assert_ptr_nonnull(batchsign_submit(bs, "A", e.g[i].parts, 1,
		    on_signed, &e.g[i]));
	/* Nothing happens inside submit. */
	ck_assert_uint_eq(batchsign_pending(bs), 5);
	for (i = 0; i < 5; i++)
		ck_assert_int_eq(e.g[i].called, 0);
	ck_assert_uint_eq(signer_sign_count(e.sg), 0);

	/* One turn of the loop, no network. */
	ck_assert_int_ne(event_base_loop(e.base, EVLOOP_NONBLOCK), -1);
	ck_assert_uint_eq(batchsign_pending(bs), 0);
	ck_assert_uint_eq(signer_sign_count(e.sg), 1);
	ck_assert_uint_eq(batchsign_batches(bs), 1);
	ck_assert_uint_eq(batchsign_requests(bs), 5);

	x = xsd_load(sigtest_schema_dir(), "hashchain.xsd", err, sizeof(err));
	ck_assert_msg(x != NULL, "%s", err);
	for (i = 0; i < 5; i++) {
		got_verify(&e.g[i], e.a.leaf.cert);
		ck_assert_uint_eq(e.g[i].batch, 5);
		ck_assert_ptr_nonnull(e.g[i].hcr);
		ck_assert_ptr_nonnull(e.g[i].hc);
		/* The same signature and result for all. */
		ck_assert_uint_eq(e.g[i].siglen, e.g[0].siglen);
		ck_assert_mem_eq(e.g[i].sig, e.g[0].sig, e.g[0].siglen);
		ck_assert_str_eq(e.g[i].hcr, e.g[0].hcr);
		doc = xsd_read_doc(e.g[i].hc, e.g[i].hclen, err, sizeof(err));
		ck_assert_ptr_nonnull(doc);
		ck_assert_msg(xsd_validate(x, doc, err, sizeof(err)) == 0,
		    "%s", err);
		xmlFreeDoc(doc);
	}
	/* One message's chain does not prove another message. */
	memcpy(e.g[0].parts, e.g[1].parts, 64);
	{
		struct xsig_info	*xi = NULL;

		ck_assert_int_eq(xsig_verify_message(e.g[0].sig,
		    e.g[0].siglen, e.g[0].hcr, e.g[0].hcrlen, e.g[0].hc,
		    e.g[0].hclen, e.g[0].parts, 1, &xi, err, sizeof(err)),
		    XSIG_ERR_HASHCHAIN);
	}
	xsd_free(x);
	batchsign_free(bs);
	env_clear(&e);
}
END_TEST

/* A batch of one plain message: signed directly, no hash chain. */
START_TEST(test_batch_of_one)
{
	struct env		 e;
	struct batchsign	*bs;

	env_init(&e, 0);
	bs = batchsign_new(e.base, e.sg, 0);
	ck_assert_ptr_nonnull(batchsign_submit(bs, "A", e.g[0].parts, 1,
	    on_signed, &e.g[0]));
	ck_assert_uint_eq(batchsign_flush(bs), 1);
	got_verify(&e.g[0], e.a.leaf.cert);
	ck_assert_ptr_null(e.g[0].hcr);
	ck_assert_ptr_null(e.g[0].hc);
	ck_assert_ptr_nonnull(strstr(e.g[0].sig, "URI=\"/message.xml\""));
	/* The event that was scheduled finds nothing to do. */
	ck_assert_int_ne(event_base_loop(e.base, EVLOOP_NONBLOCK), -1);
	ck_assert_uint_eq(signer_sign_count(e.sg), 1);

	/* One message with two attachments: hash chain even alone. */
	sigtest_digest(7, e.g[1].parts + 64);
	sigtest_digest(8, e.g[1].parts + 128);
	e.g[1].nparts = 3;
	ck_assert_ptr_nonnull(batchsign_submit(bs, "A", e.g[1].parts, 3,
	    on_signed, &e.g[1]));
	ck_assert_int_ne(event_base_loop(e.base, EVLOOP_NONBLOCK), -1);
	got_verify(&e.g[1], e.a.leaf.cert);
	ck_assert_ptr_nonnull(e.g[1].hcr);
	ck_assert_ptr_nonnull(strstr(e.g[1].hc, "/attachment2"));
	ck_assert_ptr_nonnull(strstr(e.g[1].sig,
	    "URI=\"/sig-hashchainresult.xml\""));
	batchsign_free(bs);
	env_clear(&e);
}
END_TEST

/* Two keys interleaved; a batch size limit; a mixed multi-part batch. */
START_TEST(test_keys_and_limits)
{
	struct env		 e;
	struct batchsign	*bs;
	size_t			 i;

	env_init(&e, 1);
	bs = batchsign_new(e.base, e.sg, 0);
	for (i = 0; i < 5; i++)
		ck_assert_ptr_nonnull(batchsign_submit(bs, i % 2 ? "B" : "A",
		    e.g[i].parts, 1, on_signed, &e.g[i]));
	ck_assert_int_ne(event_base_loop(e.base, EVLOOP_NONBLOCK), -1);
	ck_assert_uint_eq(signer_sign_count(e.sg), 2);
	for (i = 0; i < 5; i++) {
		got_verify(&e.g[i], i % 2 ? e.b.leaf.cert : e.a.leaf.cert);
		ck_assert_uint_eq(e.g[i].batch, i % 2 ? 2 : 3);
		got_clear(&e.g[i]);
		sigtest_digest((unsigned int)(200 + i), e.g[i].parts);
		e.g[i].nparts = 1;
	}
	batchsign_free(bs);

	/* At most 2 per signature: 5 requests, 3 key operations. */
	bs = batchsign_new(e.base, e.sg, 2);
	sigtest_digest(9, e.g[3].parts + 64);
	e.g[3].nparts = 2;
	for (i = 0; i < 5; i++)
		ck_assert_ptr_nonnull(batchsign_submit(bs, "A", e.g[i].parts,
		    e.g[i].nparts, on_signed, &e.g[i]));
	ck_assert_uint_eq(batchsign_flush(bs), 3);
	ck_assert_uint_eq(signer_sign_count(e.sg), 5);
	for (i = 0; i < 5; i++)
		got_verify(&e.g[i], e.a.leaf.cert);
	ck_assert_uint_eq(e.g[4].batch, 1);
	ck_assert_ptr_null(e.g[4].hcr);
	batchsign_free(bs);
	env_clear(&e);
}
END_TEST

/* Cancelling, and submitting from inside a callback. */
START_TEST(test_cancel_and_reentry)
{
	struct env		 e;
	struct batchsign	*bs;
	struct batchsign_req	*r[4];
	size_t			 i;

	env_init(&e, 0);
	bs = batchsign_new(e.base, e.sg, 0);
	for (i = 0; i < 4; i++)
		r[i] = batchsign_submit(bs, "A", e.g[i].parts, 1, on_signed,
		    &e.g[i]);
	/* Cancelled before the turn: gone. */
	batchsign_cancel(r[1]);
	ck_assert_uint_eq(batchsign_pending(bs), 3);
	/* Cancelled by an earlier callback of the same batch. */
	e.g[0].cancel = r[3];
	/* A new request from inside a callback waits for the next turn. */
	e.g[2].resubmit = bs;
	e.g[2].resubmit_got = &e.g[5];
	ck_assert_uint_eq(batchsign_flush(bs), 1);
	ck_assert_int_eq(e.g[0].called, 1);
	ck_assert_int_eq(e.g[1].called, 0);
	ck_assert_int_eq(e.g[2].called, 1);
	ck_assert_int_eq(e.g[3].called, 0);
	ck_assert_int_eq(e.g[5].called, 0);
	ck_assert_uint_eq(batchsign_pending(bs), 1);
	/* The batch still held 3 messages (the 4th was cancelled late). */
	ck_assert_uint_eq(e.g[0].batch, 3);
	got_verify(&e.g[0], e.a.leaf.cert);
	got_verify(&e.g[2], e.a.leaf.cert);
	ck_assert_int_ne(event_base_loop(e.base, EVLOOP_NONBLOCK), -1);
	got_verify(&e.g[5], e.a.leaf.cert);
	ck_assert_uint_eq(signer_sign_count(e.sg), 2);

	/* Freed with pending requests: no callback, no leak. */
	ck_assert_ptr_nonnull(batchsign_submit(bs, "A", e.g[6].parts, 1,
	    on_signed, &e.g[6]));
	batchsign_free(bs);
	ck_assert_int_eq(e.g[6].called, 0);
	batchsign_free(NULL);
	env_clear(&e);
}
END_TEST

static unsigned char	*test_ocsp;
static size_t		 test_ocsp_len;
static int		 ocsp_fail;

static int
ocsp_for(const char *key_id, const struct xsig_der **ocsp, size_t *nocsp,
    void *arg)
{
	static struct xsig_der	der;

	if (ocsp_fail || strcmp(key_id, "A") != 0)
		return -1;
	der.xd_der = test_ocsp;
	der.xd_len = test_ocsp_len;
	*ocsp = &der;
	*nocsp = 1;
	return 0;
}

/* Errors reach the callbacks; the OCSP response is embedded. */
START_TEST(test_errors_and_ocsp)
{
	struct env			 e;
	struct batchsign		*bs;
	struct testpki_ocsp_opts	 o;
	struct xsig_info		*xi = NULL;
	char				 err[256];

	env_init(&e, 0);
	testpki_ocsp_opts_init(&o);
	test_ocsp = testpki_ocsp_response(e.a.leaf.cert, e.a.ca.cert, &e.a.ca,
	    &o, &test_ocsp_len);
	bs = batchsign_new(e.base, e.sg, 0);
	batchsign_set_ocsp_fn(bs, ocsp_for, NULL);

	ck_assert_ptr_nonnull(batchsign_submit(bs, "NOPE", e.g[0].parts, 1,
	    on_signed, &e.g[0]));
	ck_assert_ptr_nonnull(batchsign_submit(bs, "A", e.g[1].parts, 1,
	    on_signed, &e.g[1]));
	ck_assert_int_ne(event_base_loop(e.base, EVLOOP_NONBLOCK), -1);
	ck_assert_int_eq(e.g[0].called, 1);
	ck_assert_int_eq(e.g[0].error, BATCHSIGN_ERR_KEY);
	ck_assert_ptr_null(e.g[0].sig);
	got_verify(&e.g[1], e.a.leaf.cert);
	ck_assert_int_eq(xsig_verify_message(e.g[1].sig, e.g[1].siglen, NULL,
	    0, NULL, 0, e.g[1].parts, 1, &xi, err, sizeof(err)), 0);
	ck_assert_uint_eq(xi->xi_nocsp, 1);
	ck_assert_mem_eq(xi->xi_ocsp[0].xo_der, test_ocsp, test_ocsp_len);
	xsig_info_free(xi);
	ck_assert_uint_eq(signer_sign_count(e.sg), 1);

	ocsp_fail = 1;
	ck_assert_ptr_nonnull(batchsign_submit(bs, "A", e.g[2].parts, 1,
	    on_signed, &e.g[2]));
	ck_assert_uint_eq(batchsign_flush(bs), 1);
	ck_assert_int_eq(e.g[2].error, BATCHSIGN_ERR_OCSP);
	ck_assert_uint_eq(signer_sign_count(e.sg), 1);
	ocsp_fail = 0;

	/* Bad submissions. */
	ck_assert_ptr_null(batchsign_submit(bs, "A", e.g[3].parts, 0,
	    on_signed, &e.g[3]));
	ck_assert_ptr_null(batchsign_submit(bs, "A", e.g[3].parts, 1,
	    NULL, &e.g[3]));
	ck_assert_ptr_null(batchsign_submit(NULL, "A", e.g[3].parts, 1,
	    on_signed, &e.g[3]));
	ck_assert_ptr_null(batchsign_new(NULL, e.sg, 0));

	batchsign_free(bs);
	free(test_ocsp);
	env_clear(&e);
}
END_TEST

static Suite *
batchsign_suite(void)
{
	Suite	*s = suite_create("batchsign");
	TCase	*tc = tcase_create("core");

	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, test_batch_of_five);
	tcase_add_test(tc, test_batch_of_one);
	tcase_add_test(tc, test_keys_and_limits);
	tcase_add_test(tc, test_cancel_and_reentry);
	tcase_add_test(tc, test_errors_and_ocsp);
	suite_add_tcase(s, tc);
	return s;
}

HK_CHECK_MAIN(batchsign_suite)
