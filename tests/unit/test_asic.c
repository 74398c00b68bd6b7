/*
 * Unit tests for asic.c (ASiC-E containers) and asicverify.c (their
 * offline verification): round trips, the X-Road layout, bounds, and
 * that changing any entry makes verification fail naming it.
 */
#include "config.h"

#include <sys/stat.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/ocsp.h>

#include <zip.h>

#include "asic.h"
#include "asicverify.h"
#include "compat.h"
#include "evtest.h"
#include "hk_check.h"
#include "sigtest.h"
#include "tsa.h"
#include "xsig.h"

#define T_MS	1767323045678LL		/* 2026-01-02T03:04:05.678Z */

static struct evtest		 ev;
static struct asicv_conf	*conf;
/* SOAP request + response stamped in one batch; a REST pair alone. */
static struct evtest_rec	 sreq, sresp, rreq, rresp;

static void
setup(void)
{
	struct evtest_rec	*batch[2];

	evtest_init(&ev);
	conf = evtest_conf(&ev);
	evtest_soap_request(&sreq, "q-soap-1");
	evtest_sign(&ev, &sreq, EVTEST_KEY_MTIT, V_OCSP_CERTSTATUS_GOOD, 60);
	evtest_soap_response(&sresp, &sreq);
	evtest_sign(&ev, &sresp, EVTEST_KEY_MOI, V_OCSP_CERTSTATUS_GOOD, 60);
	batch[0] = &sreq;
	batch[1] = &sresp;
	evtest_stamp_batch(&ev, batch, 2);

	evtest_rest_request(&rreq, "q-rest-1", "{\"nationalId\":\"400000001\"}");
	evtest_sign(&ev, &rreq, EVTEST_KEY_MTIT, V_OCSP_CERTSTATUS_GOOD, 60);
	evtest_stamp_single(&ev, &rreq);
	evtest_rest_response(&rresp, &rreq);
	evtest_sign(&ev, &rresp, EVTEST_KEY_MOI, V_OCSP_CERTSTATUS_GOOD, 60);
	evtest_stamp_single(&ev, &rresp);
}

static void
teardown(void)
{
	evtest_rec_clear(&sreq);
	evtest_rec_clear(&sresp);
	evtest_rec_clear(&rreq);
	evtest_rec_clear(&rresp);
	asicv_conf_free(conf);
	evtest_free(&ev);
}

static void
same(const struct asic_data *a, const void *b, size_t blen)
{
	if (b == NULL) {
		ck_assert_ptr_null(a->ad_data);
		return;
	}
	ck_assert_ptr_nonnull(a->ad_data);
	ck_assert_uint_eq(a->ad_len, blen);
	ck_assert_int_eq(memcmp(a->ad_data, b, blen), 0);
}

/* Entry names of a ZIP in order, comma-separated. */
static void
entry_names(const unsigned char *zip, size_t len, char *out, size_t outlen,
    int *mimetype_stored)
{
	zip_source_t	*src;
	zip_t		*za;
	zip_stat_t	 st;
	zip_int64_t	 i, n;

	out[0] = '\0';
	src = zip_source_buffer_create(zip, len, 0, NULL);
	za = zip_open_from_source(src, ZIP_RDONLY, NULL);
	ck_assert_ptr_nonnull(za);
	n = zip_get_num_entries(za, 0);
	for (i = 0; i < n; i++) {
		if (i > 0)
			strlcat(out, ",", outlen);
		strlcat(out, zip_get_name(za, (zip_uint64_t)i, 0), outlen);
	}
	ck_assert_int_eq(zip_stat_index(za, 0, 0, &st), 0);
	*mimetype_stored = st.comp_method == ZIP_CM_STORE;
	zip_discard(za);
}

START_TEST(test_layout_batch)
{
	unsigned char		*c;
	size_t			 len;
	char			 names[1024];
	int			 stored;

	c = evtest_container(&sreq, T_MS, &len);
	/* The local header of the first entry: "mimetype", then its text. */
	ck_assert_int_eq(memcmp(c, "PK\003\004", 4), 0);
	ck_assert_int_eq(memcmp(c + 30, "mimetype" ASIC_MIMETYPE, 8 +
	    strlen(ASIC_MIMETYPE)), 0);
	entry_names(c, len, names, sizeof(names), &stored);
	ck_assert_str_eq(names, "mimetype,message.xml,META-INF/signatures.xml,"
	    "ts-hashchainresult.xml,ts-hashchain.xml,META-INF/manifest.xml,"
	    "META-INF/ASiCManifest.xml,META-INF/timestamp.tst");
	ck_assert_int_eq(stored, 1);
	free(c);

	/* REST with a body: the sig hash chain, attachment1 last. */
	c = evtest_container(&rreq, T_MS, &len);
	entry_names(c, len, names, sizeof(names), &stored);
	ck_assert_str_eq(names, "mimetype,message.xml,META-INF/signatures.xml,"
	    "sig-hashchainresult.xml,sig-hashchain.xml,META-INF/manifest.xml,"
	    "attachment1");
	free(c);
}
END_TEST

START_TEST(test_round_trip_batch)
{
	struct asic_parts	*p;
	unsigned char		*c, *c2;
	size_t			 len, len2;
	char			 err[256];

	c = evtest_container(&sresp, T_MS, &len);
	ck_assert_msg(asic_parse(c, len, &p, err, sizeof(err)) == 0, "%s",
	    err);
	same(&p->ap_message, sresp.msg, sresp.msglen);
	same(&p->ap_signature, sresp.sig, sresp.siglen);
	same(&p->ap_sig_hashchain_result, NULL, 0);
	same(&p->ap_sig_hashchain, NULL, 0);
	same(&p->ap_ts_token, sresp.tok, sresp.toklen);
	same(&p->ap_ts_hashchain_result, sresp.ts_hcr, sresp.ts_hcrlen);
	same(&p->ap_ts_hashchain, sresp.ts_hc, sresp.ts_hclen);
	ck_assert_uint_eq(p->ap_nattachments, 0);
	ck_assert_int_eq(p->ap_ts_embedded, 0);
	ck_assert_ptr_nonnull(p->ap_manifest.ad_data);
	ck_assert_ptr_nonnull(strstr((const char *)p->ap_manifest.ad_data,
	    "manifest:full-path=\"message.xml\""));
	ck_assert_ptr_nonnull(p->ap_asic_manifest.ad_data);
	ck_assert_int_eq(asic_check_manifests(p, err, sizeof(err)), 0);

	/* Building again from the parsed parts gives the same bytes. */
	p->ap_time_ms = T_MS;
	ck_assert_int_eq(asic_build(p, &c2, &len2, err, sizeof(err)), 0);
	ck_assert_uint_eq(len, len2);
	ck_assert_int_eq(memcmp(c, c2, len), 0);
	asic_parts_free(p);
	free(c);
	free(c2);
}
END_TEST

START_TEST(test_round_trip_single)
{
	struct asic_parts	*p;
	unsigned char		*c, *tok;
	size_t			 len, toklen;
	char			 err[256];

	c = evtest_container(&rreq, T_MS, &len);
	ck_assert_int_eq(asic_parse(c, len, &p, err, sizeof(err)), 0);
	same(&p->ap_message, rreq.msg, rreq.msglen);
	ck_assert_uint_eq(p->ap_nattachments, 1);
	same(&p->ap_attachments[0], rreq.att, rreq.attlen);
	same(&p->ap_sig_hashchain_result, rreq.sig_hcr, rreq.sig_hcrlen);
	same(&p->ap_sig_hashchain, rreq.sig_hc, rreq.sig_hclen);
	/* The token travels inside the signature. */
	ck_assert_int_eq(p->ap_ts_embedded, 1);
	same(&p->ap_ts_token, rreq.tok, rreq.toklen);
	ck_assert_ptr_null(p->ap_ts_hashchain_result.ad_data);
	ck_assert_ptr_null(p->ap_asic_manifest.ad_data);
	ck_assert_int_eq(asic_sig_timestamp(p->ap_signature.ad_data,
	    p->ap_signature.ad_len, &tok, &toklen), 0);
	ck_assert_uint_eq(toklen, rreq.toklen);
	free(tok);
	ck_assert_int_eq(asic_sig_timestamp(rreq.sig, rreq.siglen, &tok,
	    &toklen), 1);
	/* Adding it twice is refused. */
	ck_assert_int_eq(asic_sig_add_timestamp(p->ap_signature.ad_data,
	    p->ap_signature.ad_len, rreq.tok, rreq.toklen, &tok, &toklen), -1);
	asic_parts_free(p);
	free(c);
}
END_TEST

START_TEST(test_build_refuses)
{
	struct asic_parts	 p;
	struct asic_data	 att;
	unsigned char		*c;
	size_t			 len;
	char			 err[256];

	evtest_parts(&sreq, &p, &att);
	p.ap_message.ad_data = NULL;
	ck_assert_int_eq(asic_build(&p, &c, &len, err, sizeof(err)), -1);
	ck_assert_str_eq(err, "message.xml: missing");
	evtest_parts(&sreq, &p, &att);
	p.ap_ts_hashchain.ad_data = NULL;
	ck_assert_int_eq(asic_build(&p, &c, &len, err, sizeof(err)), -1);
	evtest_parts(&sreq, &p, &att);
	p.ap_ts_token.ad_data = NULL;
	ck_assert_int_eq(asic_build(&p, &c, &len, err, sizeof(err)), -1);
	evtest_parts(&rreq, &p, &att);
	p.ap_sig_hashchain.ad_data = NULL;
	ck_assert_int_eq(asic_build(&p, &c, &len, err, sizeof(err)), -1);
	evtest_parts(&sreq, &p, &att);
	p.ap_signature.ad_len = 0;
	ck_assert_int_eq(asic_build(&p, &c, &len, err, sizeof(err)), -1);
	/* A signature already carrying another token. */
	evtest_parts(&rresp, &p, &att);
	c = NULL;
	{
		unsigned char	*sig;
		size_t		 siglen;

		ck_assert_int_eq(asic_sig_add_timestamp(rresp.sig,
		    rresp.siglen, rreq.tok, rreq.toklen, &sig, &siglen), 0);
		p.ap_signature.ad_data = sig;
		p.ap_signature.ad_len = siglen;
		ck_assert_int_eq(asic_build(&p, &c, &len, err, sizeof(err)),
		    -1);
		ck_assert_ptr_nonnull(strstr(err, "another"));
		free(sig);
	}
}
END_TEST

/* A ZIP made by hand from (name, data, store) triples. */
static unsigned char *
make_zip(const char *const *names, const char *const *datas, size_t n,
    size_t *lenp)
{
	zip_source_t	*src, *s;
	zip_t		*za;
	zip_stat_t	 st;
	unsigned char	*out;
	size_t		 i;

	src = zip_source_buffer_create(NULL, 0, 0, NULL);
	za = zip_open_from_source(src, ZIP_TRUNCATE, NULL);
	ck_assert_ptr_nonnull(za);
	zip_source_keep(src);
	for (i = 0; i < n; i++) {
		s = zip_source_buffer(za, datas[i], strlen(datas[i]), 0);
		ck_assert_int_ge(zip_file_add(za, names[i], s, 0), 0);
	}
	ck_assert_int_eq(zip_close(za), 0);
	zip_stat_init(&st);
	ck_assert_int_eq(zip_source_stat(src, &st), 0);
	ck_assert_int_eq(zip_source_open(src), 0);
	out = malloc(st.size);
	ck_assert_int_eq(zip_source_read(src, out, st.size), st.size);
	zip_source_close(src);
	zip_source_free(src);
	*lenp = st.size;
	return out;
}

static void
parse_fails(const char *const *names, const char *const *datas, size_t n,
    const char *want)
{
	struct asic_parts	*p = NULL;
	unsigned char		*z;
	size_t			 len;
	char			 err[256];

	z = make_zip(names, datas, n, &len);
	ck_assert_int_eq(asic_parse(z, len, &p, err, sizeof(err)), -1);
	ck_assert_ptr_null(p);
	ck_assert_msg(strstr(err, want) != NULL, "%s: wanted %s", err, want);
	free(z);
}

START_TEST(test_parse_refuses)
{
	const char *mt = ASIC_MIMETYPE;
	const char *n1[] = { "message.xml", "mimetype",
	    "META-INF/signatures.xml" };
	const char *d1[] = { "<m/>", mt, "<s/>" };
	const char *n2[] = { "mimetype", "message.xml",
	    "META-INF/signatures.xml", "evil.sh" };
	const char *d2[] = { mt, "<m/>", "<s/>", "x" };
	const char *n3[] = { "mimetype", "message.xml",
	    "META-INF/signatures.xml", "attachment2" };
	const char *d3[] = { mt, "<m/>", "<s/>", "x" };
	const char *n4[] = { "mimetype", "message.xml" };
	const char *d4[] = { mt, "<m/>" };
	const char *n5[] = { "mimetype", "message.xml",
	    "META-INF/signatures.xml" };
	const char *d5[] = { "application/zip", "<m/>", "<s/>" };
	const char *n6[] = { "mimetype", "message.xml",
	    "META-INF/signatures.xml", "ts-hashchain.xml" };
	const char *d6[] = { mt, "<m/>", "<s/>", "<c/>" };
	const char *n7[] = { "mimetype", "message.xml",
	    "META-INF/signatures.xml", "ts-hashchain.xml",
	    "ts-hashchainresult.xml" };
	const char *d7[] = { mt, "<m/>", "<s/>", "<c/>", "<r/>" };
	const char *n8[] = { "mimetype", "message.xml",
	    "META-INF/signatures.xml", "attachment01" };
	const char *d8[] = { mt, "<m/>", "<s/>", "x" };
	const char *n9[] = { "mimetype", "message.xml",
	    "META-INF/signatures.xml", "../message.xml" };
	const char *d9[] = { mt, "<m/>", "<s/>", "x" };
	struct asic_parts	*p;
	unsigned char		 junk[100];
	char			 err[256];

	parse_fails(n1, d1, 3, "mimetype: must be the first entry");
	parse_fails(n2, d2, 4, "evil.sh: unexpected entry");
	parse_fails(n3, d3, 4, "attachment1: missing");
	parse_fails(n4, d4, 2, "META-INF/signatures.xml: missing");
	parse_fails(n5, d5, 3, "mimetype: not");
	parse_fails(n6, d6, 4, "ts-hashchainresult.xml: missing");
	parse_fails(n7, d7, 5, "META-INF/timestamp.tst");
	parse_fails(n8, d8, 4, "unexpected entry");
	parse_fails(n9, d9, 4, "unexpected entry");
	memset(junk, 'A', sizeof(junk));
	ck_assert_int_eq(asic_parse(junk, sizeof(junk), &p, err, sizeof(err)),
	    -1);
	ck_assert_int_eq(strncmp(err, "zip: ", 5), 0);
}
END_TEST

/* A deflated entry that inflates far beyond the bounds. */
START_TEST(test_zip_bomb)
{
	const char	*names[] = { "mimetype", "message.xml",
	    "META-INF/signatures.xml" };
	const char	*datas[3];
	char		*big, err[256];
	struct asic_parts *p;
	unsigned char	*z;
	size_t		 len, n = ASIC_MAX_PART + 1;

	big = malloc(n + 1);
	ck_assert_ptr_nonnull(big);
	memset(big, '<', n);
	big[n] = '\0';
	datas[0] = ASIC_MIMETYPE;
	datas[1] = big;
	datas[2] = "<s/>";
	z = make_zip(names, datas, 3, &len);
	free(big);
	ck_assert_uint_lt(len, 1024 * 1024);	/* small on disk */
	ck_assert_int_eq(asic_parse(z, len, &p, err, sizeof(err)), -1);
	ck_assert_msg(strstr(err, "message.xml: too large") != NULL, "%s",
	    err);
	free(z);
}
END_TEST

/* Each container of the fixture verifies, with what it shows. */
START_TEST(test_verify_ok)
{
	struct asicv_report	 r;
	unsigned char		*c;
	size_t			 len;

	c = evtest_container(&sreq, T_MS, &len);
	asicv_report_init(&r, NULL, NULL);
	ck_assert_msg(asicv_verify_container(conf, c, len, ASICV_UNKNOWN,
	    &r) == 0, "%s: %s: %s", r.vr_entry, r.vr_check, r.vr_msg);
	ck_assert_int_eq(r.vr_kind, ASICV_REQUEST);
	ck_assert_int_eq(r.vr_rest, 0);
	ck_assert_int_eq(r.vr_batch_ts, 1);
	ck_assert_str_eq(r.vr_signer, "MEMBER:PS/GOV/MTIT");
	ck_assert_str_eq(r.vr_sender, "SUBSYSTEM:PS/GOV/MTIT/SSO");
	ck_assert_str_eq(r.vr_query_id, "q-soap-1");
	ck_assert_str_eq(r.vr_tsa, "Test TSA");
	ck_assert_int_gt(r.vr_ts_time, 0);
	ck_assert_int_le(r.vr_signing_time, r.vr_ts_time + ASICV_SKEW);
	ck_assert_uint_gt(strlen(r.vr_hash_of_request), 80);
	/* The hint must agree with the message. */
	ck_assert_int_eq(asicv_verify_container(conf, c, len, ASICV_RESPONSE,
	    &r), -1);
	ck_assert_str_eq(r.vr_check, "signer");
	free(c);

	c = evtest_container(&sresp, T_MS, &len);
	asicv_report_init(&r, NULL, NULL);
	ck_assert_msg(asicv_verify_container(conf, c, len, ASICV_RESPONSE,
	    &r) == 0, "%s: %s: %s", r.vr_entry, r.vr_check, r.vr_msg);
	ck_assert_int_eq(r.vr_kind, ASICV_RESPONSE);
	ck_assert_str_eq(r.vr_signer, "MEMBER:PS/GOV/MOI");
	free(c);

	c = evtest_container(&rreq, T_MS, &len);
	asicv_report_init(&r, NULL, NULL);
	ck_assert_msg(asicv_verify_container(conf, c, len, ASICV_REQUEST,
	    &r) == 0, "%s: %s: %s", r.vr_entry, r.vr_check, r.vr_msg);
	ck_assert_int_eq(r.vr_rest, 1);
	ck_assert_int_eq(r.vr_batch_ts, 0);
	ck_assert_str_eq(r.vr_query_id, "q-rest-1");
	free(c);

	c = evtest_container(&rresp, T_MS, &len);
	asicv_report_init(&r, NULL, NULL);
	ck_assert_msg(asicv_verify_container(conf, c, len, ASICV_UNKNOWN,
	    &r) == 0, "%s: %s: %s", r.vr_entry, r.vr_check, r.vr_msg);
	ck_assert_int_eq(r.vr_kind, ASICV_RESPONSE);
	free(c);
}
END_TEST

static int ntrace;

static void
count_trace(const char *entry, const char *check, const char *detail,
    void *arg)
{
	(void)entry;
	(void)check;
	(void)detail;
	(void)arg;
	ntrace++;
}

START_TEST(test_verify_trace)
{
	struct asicv_report	 r;
	unsigned char		*c;
	size_t			 len;

	c = evtest_container(&sreq, T_MS, &len);
	ntrace = 0;
	asicv_report_init(&r, count_trace, NULL);
	ck_assert_int_eq(asicv_verify_container(conf, c, len, ASICV_UNKNOWN,
	    &r), 0);
	/* structure, manifest, timestamp, ts-hashchain, signature,
	 * certificate, ocsp, signer */
	ck_assert_int_eq(ntrace, 8);
	free(c);
}
END_TEST

/* Changing one byte of an entry makes the container fail, naming it. */
static void
tamper(const struct evtest_rec *rec, const char *entry, const char *find,
    size_t skip, const char *check)
{
	struct asicv_report	 r;
	unsigned char		*c, *bad;
	size_t			 len, blen;
	char			 all[1024];

	c = evtest_container(rec, T_MS, &len);
	bad = evtest_zip_alter(c, len, entry, find, skip, &blen);
	asicv_report_init(&r, NULL, NULL);
	ck_assert_msg(asicv_verify_container(conf, bad, blen, ASICV_UNKNOWN,
	    &r) == -1, "%s altered and still verifies", entry);
	(void)snprintf(all, sizeof(all), "%s: %s", r.vr_entry, r.vr_msg);
	ck_assert_msg(strstr(all, entry) != NULL, "altered %s, told: %s: "
	    "%s: %s", entry, r.vr_entry, r.vr_check, r.vr_msg);
	if (check != NULL)
		ck_assert_msg(strcmp(r.vr_check, check) == 0, "altered %s: "
		    "check %s, wanted %s (%s)", entry, r.vr_check, check,
		    r.vr_msg);
	free(bad);
	free(c);
}

START_TEST(test_tamper_batch)
{
	tamper(&sreq, "message.xml", "400000001", 0, "signature");
	tamper(&sreq, "message.xml", "q-soap-1", 2, "signature");
	tamper(&sreq, "META-INF/signatures.xml", "Id=\"signature-value\">", 30,
	    NULL);
	tamper(&sreq, "META-INF/signatures.xml", "SigningTime>", 13, NULL);
	tamper(&sreq, "META-INF/timestamp.tst", NULL, 0, "timestamp");
	tamper(&sreq, "ts-hashchainresult.xml", "DigestValue>", 20, NULL);
	tamper(&sreq, "ts-hashchain.xml", "HashValue>", 20, "ts-hashchain");
	tamper(&sreq, "META-INF/manifest.xml", "message.xml", 0, "manifest");
	tamper(&sreq, "META-INF/ASiCManifest.xml", "DigestValue>", 20,
	    "manifest");
	tamper(&sresp, "message.xml", "Amal", 0, "signature");
	tamper(&sresp, "message.xml", "requestHash", 20, "signature");
}
END_TEST

START_TEST(test_tamper_single)
{
	tamper(&rreq, "message.xml", "persons", 0, "signature");
	tamper(&rreq, "attachment1", "400000001", 0, "signature");
	tamper(&rreq, "sig-hashchainresult.xml", "DigestValue>", 20,
	    "signature");
	tamper(&rreq, "sig-hashchain.xml", "DigestValue>", 20, "signature");
	tamper(&rreq, "META-INF/signatures.xml", "Id=\"signature-value\">", 30,
	    "timestamp");
	tamper(&rreq, "META-INF/signatures.xml", "EncapsulatedTimeStamp>", 300,
	    "timestamp");
	tamper(&rreq, "META-INF/signatures.xml", "SigningTime>", 13,
	    "signature");
	tamper(&rresp, "attachment1", "Amal", 0, "signature");
	tamper(&rresp, "message.xml", "x-road-request-hash:", 22, "signature");
}
END_TEST

/*
 * Every byte of the evidence entries of a batch-stamped container: a
 * changed byte never passes (the ZIP envelope is covered by CRCs here and
 * by linkinginfo in an archive; see test_archive).
 */
static void
sweep(const struct evtest_rec *rec, const char *entry, size_t step)
{
	struct asicv_report	 r;
	unsigned char		*c, *e, *bad;
	size_t			 len, elen, blen, i, passed = 0;

	c = evtest_container(rec, T_MS, &len);
	e = evtest_zip_entry(c, len, entry, &elen);
	free(e);
	for (i = 0; i < elen; i += step) {
		bad = evtest_zip_alter_at(c, len, entry, i, &blen);
		asicv_report_init(&r, NULL, NULL);
		if (asicv_verify_container(conf, bad, blen, ASICV_UNKNOWN,
		    &r) == 0) {
			passed++;
			if (passed < 50)
				fprintf(stderr, "%s: flip at %zu of %zu "
				    "passed\n", entry, i, elen);
		}
		free(bad);
	}
	ck_assert_uint_eq(passed, 0);
	free(c);
}

START_TEST(test_sweep_batch)
{
	sweep(&sreq, "message.xml", 1);
	sweep(&sreq, "META-INF/signatures.xml", 1);
	sweep(&sreq, "META-INF/timestamp.tst", 1);
	sweep(&sreq, "ts-hashchainresult.xml", 1);
}
END_TEST

START_TEST(test_verify_refuses)
{
	struct asicv_report	 r;
	struct asic_parts	 p;
	struct asic_data	 att;
	struct evtest_rec	 rec, other;
	unsigned char		*c;
	size_t			 len;

	/* Not time-stamped. */
	evtest_parts(&sreq, &p, &att);
	p.ap_ts_token.ad_data = NULL;
	p.ap_ts_hashchain_result.ad_data = NULL;
	p.ap_ts_hashchain.ad_data = NULL;
	ck_assert_int_eq(asic_build(&p, &c, &len, NULL, 0), 0);
	asicv_report_init(&r, NULL, NULL);
	ck_assert_int_eq(asicv_verify_container(conf, c, len, ASICV_UNKNOWN,
	    &r), -1);
	ck_assert_str_eq(r.vr_check, "timestamp");
	free(c);

	/* Revoked signing certificate. */
	evtest_soap_request(&rec, "q-revoked");
	evtest_sign(&ev, &rec, EVTEST_KEY_MTIT, V_OCSP_CERTSTATUS_REVOKED, 60);
	evtest_stamp_single(&ev, &rec);
	c = evtest_container(&rec, T_MS, &len);
	ck_assert_int_eq(asicv_verify_container(conf, c, len, ASICV_UNKNOWN,
	    &r), -1);
	ck_assert_str_eq(r.vr_check, "ocsp");
	free(c);
	evtest_rec_clear(&rec);

	/* OCSP response older than ocspFreshnessSeconds at signing time. */
	evtest_soap_request(&rec, "q-stale");
	evtest_sign(&ev, &rec, EVTEST_KEY_MTIT, V_OCSP_CERTSTATUS_GOOD, 7200);
	evtest_stamp_single(&ev, &rec);
	c = evtest_container(&rec, T_MS, &len);
	ck_assert_int_eq(asicv_verify_container(conf, c, len, ASICV_UNKNOWN,
	    &r), -1);
	ck_assert_str_eq(r.vr_check, "ocsp");
	free(c);
	evtest_rec_clear(&rec);

	/* The request signed by the provider's key: wrong signer. */
	evtest_soap_request(&rec, "q-wrong-signer");
	evtest_sign(&ev, &rec, EVTEST_KEY_MOI, V_OCSP_CERTSTATUS_GOOD, 60);
	evtest_stamp_single(&ev, &rec);
	c = evtest_container(&rec, T_MS, &len);
	ck_assert_int_eq(asicv_verify_container(conf, c, len, ASICV_UNKNOWN,
	    &r), -1);
	ck_assert_str_eq(r.vr_check, "signer");
	ck_assert_str_eq(r.vr_entry, "message.xml");
	free(c);

	evtest_rec_clear(&rec);

	/* A token from a TSA that is not approved. */
	evtest_soap_request(&rec, "q-other-tsa");
	evtest_sign(&ev, &rec, EVTEST_KEY_MTIT, V_OCSP_CERTSTATUS_GOOD, 60);
	{
		struct tsa	*t = ev.tsa;

		ev.tsa = tsa_new(ev.other_tsa.key, ev.other_tsa.cert, NULL,
		    NULL, ev.serial);
		ck_assert_ptr_nonnull(ev.tsa);
		evtest_stamp_single(&ev, &rec);
		tsa_free(ev.tsa);
		ev.tsa = t;
	}
	c = evtest_container(&rec, T_MS, &len);
	ck_assert_int_eq(asicv_verify_container(conf, c, len, ASICV_UNKNOWN,
	    &r), -1);
	ck_assert_str_eq(r.vr_check, "timestamp");
	ck_assert_ptr_nonnull(strstr(r.vr_msg, "not approved"));
	free(c);
	evtest_rec_clear(&rec);

	/* A signature moved onto another message of the same signer. */
	evtest_soap_request(&other, "q-other");
	evtest_parts(&sreq, &p, &att);
	p.ap_message.ad_data = (const unsigned char *)other.msg;
	p.ap_message.ad_len = other.msglen;
	ck_assert_int_eq(asic_build(&p, &c, &len, NULL, 0), 0);
	ck_assert_int_eq(asicv_verify_container(conf, c, len, ASICV_UNKNOWN,
	    &r), -1);
	ck_assert_str_eq(r.vr_entry, "message.xml");
	free(c);
	evtest_rec_clear(&other);
}
END_TEST

START_TEST(test_pair)
{
	struct asic_parts	 q, s;
	struct asic_data	 qa, sa;
	struct asicv_report	 r;
	struct evtest_rec	 other;

	evtest_parts(&sreq, &q, &qa);
	evtest_parts(&sresp, &s, &sa);
	asicv_report_init(&r, NULL, NULL);
	ck_assert_msg(asicv_verify_pair(&q, &s, &r) == 0, "%s", r.vr_msg);
	ck_assert_str_eq(r.vr_hash_of_request, r.vr_request_hash);

	evtest_parts(&rreq, &q, &qa);
	evtest_parts(&rresp, &s, &sa);
	ck_assert_msg(asicv_verify_pair(&q, &s, &r) == 0, "%s", r.vr_msg);

	/* The REST request body changed: the hash no longer matches. */
	qa.ad_len--;
	ck_assert_int_eq(asicv_verify_pair(&q, &s, &r), -1);
	ck_assert_str_eq(r.vr_check, "request-hash");

	/* A response paired with another request of the same id. */
	evtest_soap_request(&other, "q-soap-1");
	*strstr(other.msg, "PS400000001") = 'X';
	evtest_parts(&other, &q, &qa);
	evtest_parts(&sresp, &s, &sa);
	ck_assert_int_eq(asicv_verify_pair(&q, &s, &r), -1);
	ck_assert_ptr_nonnull(strstr(r.vr_msg, "not the hash"));
	evtest_rec_clear(&other);

	/* Different ids. */
	evtest_soap_request(&other, "q-other");
	evtest_parts(&other, &q, &qa);
	ck_assert_int_eq(asicv_verify_pair(&q, &s, &r), -1);
	ck_assert_ptr_nonnull(strstr(r.vr_msg, "ids differ"));
	/* SOAP with REST. */
	evtest_parts(&rresp, &s, &sa);
	ck_assert_int_eq(asicv_verify_pair(&q, &s, &r), -1);
	evtest_rec_clear(&other);
}
END_TEST

START_TEST(test_conf_load)
{
	struct asicv_conf	*c;
	char			 path[400], err[512];

	(void)snprintf(path, sizeof(path), "%s/conf", ev.dir);
	ck_assert_int_eq(mkdir(path, 0700), 0);
	ck_assert_int_eq(asicv_conf_load(path, "/nonexistent", &c, err,
	    sizeof(err)), -1);
	ck_assert_ptr_nonnull(strstr(err, "no shared-params.xml"));
	(void)snprintf(path, sizeof(path), "%s/conf/PS", ev.dir);
	ck_assert_int_eq(mkdir(path, 0700), 0);
	(void)snprintf(path, sizeof(path), "%s/conf/PS/shared-params.xml",
	    ev.dir);
	evtest_write(path, ev.shared, ev.sharedlen);
	(void)snprintf(path, sizeof(path), "%s/conf", ev.dir);
	ck_assert_msg(asicv_conf_load(path, sigtest_schema_dir(), &c, err,
	    sizeof(err)) == 0, "%s", err);
	ck_assert_uint_eq(asicv_conf_count(c), 1);
	asicv_conf_free(c);
	/* The file itself. */
	(void)snprintf(path, sizeof(path), "%s/conf/PS/shared-params.xml",
	    ev.dir);
	ck_assert_int_eq(asicv_conf_load(path, sigtest_schema_dir(), &c, err,
	    sizeof(err)), 0);
	asicv_conf_free(c);
	/* Not schema-valid. */
	evtest_write(path, "<x/>", 4);
	ck_assert_int_eq(asicv_conf_load(path, sigtest_schema_dir(), &c, err,
	    sizeof(err)), -1);
}
END_TEST

static Suite *
asic_suite(void)
{
	Suite	*s = suite_create("asic");
	TCase	*tc = tcase_create("core");

	tcase_add_unchecked_fixture(tc, setup, teardown);
	tcase_set_timeout(tc, 120);
	tcase_add_test(tc, test_layout_batch);
	tcase_add_test(tc, test_round_trip_batch);
	tcase_add_test(tc, test_round_trip_single);
	tcase_add_test(tc, test_build_refuses);
	tcase_add_test(tc, test_parse_refuses);
	tcase_add_test(tc, test_zip_bomb);
	tcase_add_test(tc, test_verify_ok);
	tcase_add_test(tc, test_verify_trace);
	tcase_add_test(tc, test_tamper_batch);
	tcase_add_test(tc, test_tamper_single);
	tcase_add_test(tc, test_sweep_batch);
	tcase_add_test(tc, test_verify_refuses);
	tcase_add_test(tc, test_pair);
	tcase_add_test(tc, test_conf_load);
	suite_add_tcase(s, tc);
	return s;
}

HK_CHECK_MAIN(asic_suite)
