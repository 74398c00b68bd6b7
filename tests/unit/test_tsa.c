/*
 * Unit tests for certs/devtsa/tsa.c: RFC 3161 responses and the serial
 * store. A throwaway PKI (root -> issuing CA -> TSA, ECDSA P-256) is made
 * in-process for each test.
 */
#include "config.h"

#include <sys/stat.h>
#include <sys/time.h>

#include <fcntl.h>
#include <ftw.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/pkcs7.h>
#include <openssl/rand.h>
#include <openssl/ts.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include "hk_check.h"
#include "tsa.h"

/* The throwaway PKI and work folder of the running test. */
static EVP_PKEY		*root_key, *ca_key, *tsa_key, *other_key;
static X509		*root_cert, *ca_cert, *tsa_cert, *plain_cert;
static STACK_OF(X509)	*chain;		/* issuing CA + root */
static char		 workdir[256];
static char		 serial_path[300];

static EVP_PKEY *
gen_key(void)
{
	EVP_PKEY	*k = EVP_EC_gen("P-256");

	ck_assert_ptr_nonnull(k);
	return k;
}

static void
add_ext(X509 *cert, X509 *issuer, int nid, const char *value)
{
	X509V3_CTX	 ctx;
	X509_EXTENSION	*ext;

	X509V3_set_ctx(&ctx, issuer, cert, NULL, NULL, 0);
	ext = X509V3_EXT_conf_nid(NULL, &ctx, nid, value);
	ck_assert_ptr_nonnull(ext);
	ck_assert_int_eq(X509_add_ext(cert, ext, -1), 1);
	X509_EXTENSION_free(ext);
}

/* issuer NULL: self-signed. kind: 0 CA, 1 TSA, 2 leaf without EKU. */
static X509 *
make_cert(EVP_PKEY *key, const char *cn, X509 *issuer, EVP_PKEY *issuer_key,
    long serial, int kind)
{
	X509		*x = X509_new();
	X509_NAME	*name = X509_NAME_new();

	ck_assert_ptr_nonnull(x);
	ck_assert_ptr_nonnull(name);
	ck_assert_int_eq(X509_NAME_add_entry_by_txt(name, "C", MBSTRING_ASC,
	    (const unsigned char *)"PS", -1, -1, 0), 1);
	ck_assert_int_eq(X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_ASC,
	    (const unsigned char *)cn, -1, -1, 0), 1);
	ck_assert_int_eq(X509_set_version(x, 2), 1);
	ck_assert_int_eq(ASN1_INTEGER_set(X509_get_serialNumber(x), serial), 1);
	ck_assert_int_eq(X509_set_subject_name(x, name), 1);
	ck_assert_int_eq(X509_set_issuer_name(x, issuer != NULL ?
	    X509_get_subject_name(issuer) : name), 1);
	ck_assert_ptr_nonnull(X509_gmtime_adj(X509_getm_notBefore(x), -3600));
	ck_assert_ptr_nonnull(X509_gmtime_adj(X509_getm_notAfter(x),
	    86400L * 30));
	ck_assert_int_eq(X509_set_pubkey(x, key), 1);
	if (issuer == NULL) {
		issuer = x;
		issuer_key = key;
	}
	add_ext(x, issuer, NID_subject_key_identifier, "hash");
	if (issuer != x)
		add_ext(x, issuer, NID_authority_key_identifier, "keyid");
	switch (kind) {
	case 0:
		add_ext(x, issuer, NID_basic_constraints, "critical,CA:TRUE");
		add_ext(x, issuer, NID_key_usage, "critical,keyCertSign,cRLSign");
		break;
	case 1:
		add_ext(x, issuer, NID_basic_constraints, "CA:FALSE");
		add_ext(x, issuer, NID_key_usage,
		    "critical,digitalSignature,nonRepudiation");
		add_ext(x, issuer, NID_ext_key_usage, "critical,timeStamping");
		break;
	default:
		add_ext(x, issuer, NID_basic_constraints, "CA:FALSE");
		add_ext(x, issuer, NID_key_usage,
		    "critical,digitalSignature");
		break;
	}
	ck_assert_int_gt(X509_sign(x, issuer_key, EVP_sha256()), 0);
	X509_NAME_free(name);
	return x;
}

static int
rm_entry(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
	return remove(path);
}

static void
setup(void)
{
	const char	*tmp = getenv("TMPDIR");

	snprintf(workdir, sizeof(workdir), "%s/test_tsa.XXXXXX",
	    tmp != NULL && *tmp != '\0' ? tmp : "/tmp");
	ck_assert_ptr_nonnull(mkdtemp(workdir));
	snprintf(serial_path, sizeof(serial_path), "%s/serial", workdir);

	root_key = gen_key();
	ca_key = gen_key();
	tsa_key = gen_key();
	other_key = gen_key();
	root_cert = make_cert(root_key, "Test Root CA", NULL, NULL, 1, 0);
	ca_cert = make_cert(ca_key, "Test Issuing CA", root_cert, root_key,
	    2, 0);
	tsa_cert = make_cert(tsa_key, "Test TSA", ca_cert, ca_key, 3, 1);
	plain_cert = make_cert(other_key, "Not a TSA", ca_cert, ca_key, 4, 2);
	chain = sk_X509_new_null();
	ck_assert_ptr_nonnull(chain);
	X509_up_ref(ca_cert);
	sk_X509_push(chain, ca_cert);
	X509_up_ref(root_cert);
	sk_X509_push(chain, root_cert);
}

static void
teardown(void)
{
	sk_X509_pop_free(chain, X509_free);
	X509_free(plain_cert);
	X509_free(tsa_cert);
	X509_free(ca_cert);
	X509_free(root_cert);
	EVP_PKEY_free(other_key);
	EVP_PKEY_free(tsa_key);
	EVP_PKEY_free(ca_key);
	EVP_PKEY_free(root_key);
	if (workdir[0] != '\0')
		(void)nftw(workdir, rm_entry, 8, FTW_DEPTH | FTW_PHYS);
	workdir[0] = '\0';
}

/* A TimeStampReq as DER; imprint of len bytes under the digest nid. */
struct query {
	TS_REQ		*q_req;
	unsigned char	*q_der;
	size_t		 q_len;
};

static void
make_query(struct query *q, int nid, size_t len, int with_nonce,
    int cert_req, const char *policy)
{
	TS_MSG_IMPRINT	*mi = TS_MSG_IMPRINT_new();
	X509_ALGOR	*alg = X509_ALGOR_new();
	ASN1_INTEGER	*nonce = NULL;
	ASN1_OBJECT	*oid;
	unsigned char	 digest[128], *der = NULL;
	int		 n;

	ck_assert_uint_le(len, sizeof(digest));
	memset(q, 0, sizeof(*q));
	ck_assert_int_eq(RAND_bytes(digest, sizeof(digest)), 1);
	q->q_req = TS_REQ_new();
	ck_assert_ptr_nonnull(q->q_req);
	ck_assert_int_eq(TS_REQ_set_version(q->q_req, 1), 1);
	ck_assert_int_eq(X509_ALGOR_set0(alg, OBJ_nid2obj(nid), V_ASN1_NULL,
	    NULL), 1);
	ck_assert_int_eq(TS_MSG_IMPRINT_set_algo(mi, alg), 1);
	ck_assert_int_eq(TS_MSG_IMPRINT_set_msg(mi, digest, (int)len), 1);
	ck_assert_int_eq(TS_REQ_set_msg_imprint(q->q_req, mi), 1);
	if (with_nonce) {
		BIGNUM	*bn = BN_new();

		ck_assert_int_eq(BN_rand(bn, 64, BN_RAND_TOP_ANY,
		    BN_RAND_BOTTOM_ANY), 1);
		nonce = BN_to_ASN1_INTEGER(bn, NULL);
		ck_assert_ptr_nonnull(nonce);
		ck_assert_int_eq(TS_REQ_set_nonce(q->q_req, nonce), 1);
		BN_free(bn);
	}
	ck_assert_int_eq(TS_REQ_set_cert_req(q->q_req, cert_req), 1);
	if (policy != NULL) {
		oid = OBJ_txt2obj(policy, 1);
		ck_assert_ptr_nonnull(oid);
		ck_assert_int_eq(TS_REQ_set_policy_id(q->q_req, oid), 1);
		ASN1_OBJECT_free(oid);
	}
	n = i2d_TS_REQ(q->q_req, &der);
	ck_assert_int_gt(n, 0);
	q->q_der = malloc((size_t)n);
	ck_assert_ptr_nonnull(q->q_der);
	memcpy(q->q_der, der, (size_t)n);
	q->q_len = (size_t)n;
	OPENSSL_free(der);
	ASN1_INTEGER_free(nonce);
	X509_ALGOR_free(alg);
	TS_MSG_IMPRINT_free(mi);
}

static void
free_query(struct query *q)
{
	TS_REQ_free(q->q_req);
	free(q->q_der);
}

static struct tsa *
new_tsa(struct tsa_serial **sp, unsigned int block, const char *policy)
{
	struct tsa	*t;

	*sp = tsa_serial_open(serial_path, block);
	ck_assert_ptr_nonnull(*sp);
	t = tsa_new(tsa_key, tsa_cert, chain, policy, *sp);
	ck_assert_ptr_nonnull(t);
	return t;
}

/* Ask, check the encoding and that result agrees with it; caller frees. */
static TS_RESP *
ask(struct tsa *t, const unsigned char *req, size_t len,
    struct tsa_result *res)
{
	unsigned char		*der = NULL;
	const unsigned char	*p;
	size_t			 dlen = 0;
	TS_RESP			*resp;
	long			 status;

	ck_assert_int_eq(tsa_respond(t, req, len, &der, &dlen, res), 0);
	ck_assert_ptr_nonnull(der);
	ck_assert_uint_gt(dlen, 0);
	p = der;
	resp = d2i_TS_RESP(NULL, &p, (long)dlen);
	ck_assert_ptr_nonnull(resp);
	ck_assert_ptr_eq(p, der + dlen);
	status = ASN1_INTEGER_get(TS_STATUS_INFO_get0_status(
	    TS_RESP_get_status_info(resp)));
	ck_assert_int_eq(status, res->tr_status);
	free(der);
	return resp;
}

/* Verify as `openssl ts -verify` does, trusting only the root. */
static int
verify(TS_RESP *resp, TS_REQ *req, STACK_OF(X509) *untrusted)
{
	TS_VERIFY_CTX	*vctx;
	X509_STORE	*store;
	STACK_OF(X509)	*certs;
	int		 ok;

	vctx = TS_REQ_to_TS_VERIFY_CTX(req, NULL);
	ck_assert_ptr_nonnull(vctx);
	TS_VERIFY_CTX_add_flags(vctx, TS_VFY_SIGNATURE | TS_VFY_SIGNER);
	store = X509_STORE_new();
	ck_assert_ptr_nonnull(store);
	ck_assert_int_eq(X509_STORE_add_cert(store, root_cert), 1);
	/* The context owns what it is given. */
	TS_VERIFY_CTX_set_store(vctx, store);
	if (untrusted != NULL) {
		certs = X509_chain_up_ref(untrusted);
		ck_assert_ptr_nonnull(certs);
		TS_VERIFY_CTX_set_certs(vctx, certs);
	}
	ok = TS_RESP_verify_response(vctx, resp);
	TS_VERIFY_CTX_free(vctx);
	ERR_clear_error();
	return ok;
}

static int
token_cert_count(TS_RESP *resp)
{
	PKCS7	*p7 = TS_RESP_get_token(resp);

	ck_assert_ptr_nonnull(p7);
	ck_assert(PKCS7_type_is_signed(p7));
	return p7->d.sign->cert == NULL ? 0 : sk_X509_num(p7->d.sign->cert);
}

START_TEST(test_granted_sha512_verifies)
{
	struct tsa_serial	*s;
	struct tsa		*t = new_tsa(&s, TSA_SERIAL_BLOCK, NULL);
	struct tsa_result	 res;
	struct query		 q;
	TS_RESP			*resp;
	TS_TST_INFO		*tst;
	const TS_ACCURACY	*acc;
	char			 oid[128];

	make_query(&q, NID_sha512, 64, 1, 1, NULL);
	resp = ask(t, q.q_der, q.q_len, &res);
	ck_assert_int_eq(res.tr_status, TS_STATUS_GRANTED);
	ck_assert_uint_eq(res.tr_failinfo, 0);
	ck_assert_uint_ge(res.tr_serial, 1);
	ck_assert_int_eq(verify(resp, q.q_req, NULL), 1);

	tst = TS_RESP_get_tst_info(resp);
	ck_assert_ptr_nonnull(tst);
	/* The nonce is echoed. */
	ck_assert_ptr_nonnull(TS_TST_INFO_get_nonce(tst));
	ck_assert_int_eq(ASN1_INTEGER_cmp(TS_TST_INFO_get_nonce(tst),
	    TS_REQ_get_nonce(q.q_req)), 0);
	/* Default policy, accuracy 1 s, ordering false. */
	OBJ_obj2txt(oid, sizeof(oid), TS_TST_INFO_get_policy_id(tst), 1);
	ck_assert_str_eq(oid, TSA_DEFAULT_POLICY);
	acc = TS_TST_INFO_get_accuracy(tst);
	ck_assert_ptr_nonnull(acc);
	ck_assert_int_eq(ASN1_INTEGER_get(TS_ACCURACY_get_seconds(acc)), 1);
	ck_assert_int_eq(TS_TST_INFO_get_ordering(tst), 0);
	ck_assert_ptr_nonnull(TS_TST_INFO_get_tsa(tst));
	/* certReq: the TSA certificate and the chain are in the token. */
	ck_assert_int_eq(token_cert_count(resp), 3);

	/* Verification fails for another message imprint. */
	{
		struct query	 other;

		make_query(&other, NID_sha512, 64, 0, 1, NULL);
		TS_REQ_set_nonce(other.q_req, TS_REQ_get_nonce(q.q_req));
		ck_assert_int_ne(verify(resp, other.q_req, NULL), 1);
		free_query(&other);
	}
	TS_RESP_free(resp);
	free_query(&q);
	tsa_free(t);
	tsa_serial_close(s);
}
END_TEST

START_TEST(test_sha256_sha384_accepted)
{
	struct tsa_serial	*s;
	struct tsa		*t = new_tsa(&s, 1, NULL);
	struct tsa_result	 res;
	struct query		 q;
	TS_RESP			*resp;

	make_query(&q, NID_sha256, 32, 1, 1, NULL);
	resp = ask(t, q.q_der, q.q_len, &res);
	ck_assert_int_eq(res.tr_status, TS_STATUS_GRANTED);
	ck_assert_int_eq(verify(resp, q.q_req, NULL), 1);
	TS_RESP_free(resp);
	free_query(&q);

	make_query(&q, NID_sha384, 48, 0, 1, NULL);
	resp = ask(t, q.q_der, q.q_len, &res);
	ck_assert_int_eq(res.tr_status, TS_STATUS_GRANTED);
	ck_assert_int_eq(verify(resp, q.q_req, NULL), 1);
	ck_assert_ptr_null(TS_TST_INFO_get_nonce(TS_RESP_get_tst_info(resp)));
	TS_RESP_free(resp);
	free_query(&q);
	tsa_free(t);
	tsa_serial_close(s);
}
END_TEST

START_TEST(test_cert_req_false)
{
	struct tsa_serial	*s;
	struct tsa		*t = new_tsa(&s, 1, NULL);
	struct tsa_result	 res;
	struct query		 q;
	TS_RESP			*resp;
	STACK_OF(X509)		*untrusted;

	make_query(&q, NID_sha512, 64, 1, 0, NULL);
	resp = ask(t, q.q_der, q.q_len, &res);
	ck_assert_int_eq(res.tr_status, TS_STATUS_GRANTED);
	ck_assert_int_eq(token_cert_count(resp), 0);
	/* Without certificates it verifies only when they are given. */
	ck_assert_int_ne(verify(resp, q.q_req, NULL), 1);
	untrusted = X509_chain_up_ref(chain);
	X509_up_ref(tsa_cert);
	sk_X509_push(untrusted, tsa_cert);
	ck_assert_int_eq(verify(resp, q.q_req, untrusted), 1);
	sk_X509_pop_free(untrusted, X509_free);
	TS_RESP_free(resp);
	free_query(&q);
	tsa_free(t);
	tsa_serial_close(s);
}
END_TEST

static void
expect_rejection(struct tsa *t, const unsigned char *req, size_t len,
    unsigned int failinfo)
{
	struct tsa_result	 res;
	TS_RESP			*resp;

	resp = ask(t, req, len, &res);
	ck_assert_int_eq(res.tr_status, TS_STATUS_REJECTION);
	ck_assert_msg(res.tr_failinfo == failinfo,
	    "failinfo %#x (%s), expected %#x", res.tr_failinfo, res.tr_text,
	    failinfo);
	ck_assert_ptr_null(TS_RESP_get_tst_info(resp));
	ck_assert_ptr_null(TS_RESP_get_token(resp));
	TS_RESP_free(resp);
}

START_TEST(test_sha1_refused)
{
	struct tsa_serial	*s;
	struct tsa		*t = new_tsa(&s, 1, NULL);
	struct query		 q;

	make_query(&q, NID_sha1, 20, 1, 1, NULL);
	expect_rejection(t, q.q_der, q.q_len, TSA_FAIL_BAD_ALG);
	free_query(&q);
	make_query(&q, NID_md5, 16, 1, 1, NULL);
	expect_rejection(t, q.q_der, q.q_len, TSA_FAIL_BAD_ALG);
	free_query(&q);
	ck_assert_str_eq(tsa_failinfo_name(TSA_FAIL_BAD_ALG), "badAlg");
	tsa_free(t);
	tsa_serial_close(s);
}
END_TEST

START_TEST(test_wrong_imprint_length)
{
	struct tsa_serial	*s;
	struct tsa		*t = new_tsa(&s, 1, NULL);
	struct query		 q;

	make_query(&q, NID_sha512, 32, 1, 1, NULL);
	expect_rejection(t, q.q_der, q.q_len, TSA_FAIL_BAD_DATA_FORMAT);
	free_query(&q);
	make_query(&q, NID_sha256, 33, 0, 0, NULL);
	expect_rejection(t, q.q_der, q.q_len, TSA_FAIL_BAD_DATA_FORMAT);
	free_query(&q);
	make_query(&q, NID_sha384, 0, 0, 0, NULL);
	expect_rejection(t, q.q_der, q.q_len, TSA_FAIL_BAD_DATA_FORMAT);
	free_query(&q);
	tsa_free(t);
	tsa_serial_close(s);
}
END_TEST

START_TEST(test_garbage_rejected)
{
	struct tsa_serial	*s;
	struct tsa		*t = new_tsa(&s, 1, NULL);
	struct query		 q;
	unsigned char		 junk[512], *big, *longer;
	size_t			 i;

	ck_assert_int_eq(RAND_bytes(junk, sizeof(junk)), 1);
	junk[0] = 0x04;	/* never a SEQUENCE */
	expect_rejection(t, junk, sizeof(junk), TSA_FAIL_BAD_DATA_FORMAT);
	expect_rejection(t, (const unsigned char *)"hello", 5,
	    TSA_FAIL_BAD_DATA_FORMAT);
	expect_rejection(t, NULL, 0, TSA_FAIL_BAD_DATA_FORMAT);
	expect_rejection(t, (const unsigned char *)"\x30\x80", 2,
	    TSA_FAIL_BAD_DATA_FORMAT);

	make_query(&q, NID_sha512, 64, 1, 1, NULL);
	/* Truncated, or followed by anything, is not a request. */
	expect_rejection(t, q.q_der, q.q_len - 1, TSA_FAIL_BAD_DATA_FORMAT);
	longer = malloc(q.q_len + 1);
	ck_assert_ptr_nonnull(longer);
	memcpy(longer, q.q_der, q.q_len);
	longer[q.q_len] = 0;
	expect_rejection(t, longer, q.q_len + 1, TSA_FAIL_BAD_DATA_FORMAT);
	free(longer);
	/* Over the size limit, even when it starts as a valid request. */
	big = calloc(1, TSA_MAX_REQUEST + 1);
	ck_assert_ptr_nonnull(big);
	memcpy(big, q.q_der, q.q_len);
	expect_rejection(t, big, TSA_MAX_REQUEST + 1,
	    TSA_FAIL_BAD_DATA_FORMAT);
	free(big);

	/* Every single-byte change and truncation gets some response. */
	for (i = 0; i < q.q_len; i++) {
		unsigned char		*m = malloc(q.q_len);
		struct tsa_result	 res;
		TS_RESP			*resp;

		ck_assert_ptr_nonnull(m);
		memcpy(m, q.q_der, q.q_len);
		m[i] ^= 0xa5;
		resp = ask(t, m, q.q_len, &res);
		TS_RESP_free(resp);
		resp = ask(t, q.q_der, i, &res);
		ck_assert_int_eq(res.tr_status, TS_STATUS_REJECTION);
		TS_RESP_free(resp);
		free(m);
	}
	free_query(&q);
	tsa_free(t);
	tsa_serial_close(s);
}
END_TEST

START_TEST(test_bad_version_and_policy)
{
	struct tsa_serial	*s;
	struct tsa		*t = new_tsa(&s, 1, "1.2.3.4.5");
	struct tsa_result	 res;
	struct query		 q;
	unsigned char		*der = NULL;
	TS_RESP			*resp;
	char			 oid[64];
	int			 n;

	/* A policy the TSA does not have. */
	make_query(&q, NID_sha256, 32, 1, 1, "1.2.3.4.6");
	expect_rejection(t, q.q_der, q.q_len, TSA_FAIL_UNACCEPTED_POLICY);
	free_query(&q);

	/* Its configured policy, asked for or not. */
	make_query(&q, NID_sha256, 32, 1, 1, "1.2.3.4.5");
	resp = ask(t, q.q_der, q.q_len, &res);
	ck_assert_int_eq(res.tr_status, TS_STATUS_GRANTED);
	ck_assert_int_eq(verify(resp, q.q_req, NULL), 1);
	OBJ_obj2txt(oid, sizeof(oid),
	    TS_TST_INFO_get_policy_id(TS_RESP_get_tst_info(resp)), 1);
	ck_assert_str_eq(oid, "1.2.3.4.5");
	TS_RESP_free(resp);

	/* Version 2 is a bad request. */
	ck_assert_int_eq(TS_REQ_set_version(q.q_req, 2), 1);
	n = i2d_TS_REQ(q.q_req, &der);
	ck_assert_int_gt(n, 0);
	expect_rejection(t, der, (size_t)n, TSA_FAIL_BAD_REQUEST);
	OPENSSL_free(der);
	free_query(&q);
	tsa_free(t);
	tsa_serial_close(s);
}
END_TEST

static uint64_t
serial_of(struct tsa *t)
{
	struct tsa_result	 res;
	struct query		 q;
	TS_RESP			*resp;

	make_query(&q, NID_sha512, 64, 1, 0, NULL);
	resp = ask(t, q.q_der, q.q_len, &res);
	ck_assert_int_eq(res.tr_status, TS_STATUS_GRANTED);
	TS_RESP_free(resp);
	free_query(&q);
	return res.tr_serial;
}

static unsigned long long
serial_file_value(void)
{
	FILE			*f = fopen(serial_path, "r");
	unsigned long long	 v = 0;

	ck_assert_ptr_nonnull(f);
	ck_assert_int_eq(fscanf(f, "%llu", &v), 1);
	fclose(f);
	return v;
}

START_TEST(test_serials_increase_and_persist)
{
	struct tsa_serial	*s;
	struct tsa		*t;
	uint64_t		 prev = 0, cur;
	unsigned int		 block = (unsigned int)_i;
	int			 round, i;

	for (round = 0; round < 3; round++) {
		t = new_tsa(&s, block, NULL);
		for (i = 0; i < 7; i++) {
			cur = serial_of(t);
			ck_assert_msg(cur > prev, "serial %llu after %llu",
			    (unsigned long long)cur,
			    (unsigned long long)prev);
			prev = cur;
			/* The file covers every serial handed out. */
			ck_assert_uint_gt(serial_file_value(), cur);
		}
		tsa_free(t);
		tsa_serial_close(s);
	}
	if (block == 1)
		ck_assert_uint_eq(prev, 21);
	ck_assert_int_eq(access(serial_path, F_OK), 0);
}
END_TEST

START_TEST(test_serial_store_errors)
{
	struct tsa_serial	*s, *s2;
	uint64_t		 v;
	FILE			*f;
	static const char	*bad[] = { "", "0\n", "-5\n", "abc\n",
	    "12x\n", "99999999999999999999999\n", " 7\n" };
	size_t			 i;

	/* A missing file starts at 1; the folder must be writable. */
	ck_assert_int_eq(tsa_serial_check(serial_path), 0);
	s = tsa_serial_open(serial_path, 5);
	ck_assert_ptr_nonnull(s);
	ck_assert_int_eq(tsa_serial_next(s, &v), 0);
	ck_assert_uint_eq(v, 1);
	ck_assert_uint_eq(serial_file_value(), 6);
	/* One store per file at a time. */
	s2 = tsa_serial_open(serial_path, 5);
	ck_assert_ptr_null(s2);
	tsa_serial_close(s);
	ck_assert_int_eq(tsa_serial_check(serial_path), 0);

	/* A restart continues after the reserved block. */
	s = tsa_serial_open(serial_path, 5);
	ck_assert_ptr_nonnull(s);
	ck_assert_int_eq(tsa_serial_next(s, &v), 0);
	ck_assert_uint_eq(v, 6);
	tsa_serial_close(s);

	ck_assert_ptr_null(tsa_serial_open(serial_path, 0));
	ck_assert_ptr_null(tsa_serial_open(serial_path,
	    TSA_SERIAL_BLOCK_MAX + 1));
	ck_assert_ptr_null(tsa_serial_open("", 1));
	ck_assert_ptr_null(tsa_serial_open("/nonexistent-dir/x/serial", 1));
	ck_assert_int_eq(tsa_serial_check("/nonexistent-dir/x/serial"), -1);

	/* A damaged file is an error, never a silent restart at 1. */
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		f = fopen(serial_path, "w");
		ck_assert_ptr_nonnull(f);
		fputs(bad[i], f);
		fclose(f);
		ck_assert_msg(tsa_serial_open(serial_path, 1) == NULL,
		    "serial file \"%s\" accepted", bad[i]);
		ck_assert_int_eq(tsa_serial_check(serial_path), -1);
	}

	/* Near the top of the range, the block is cut and then it stops. */
	f = fopen(serial_path, "w");
	ck_assert_ptr_nonnull(f);
	fputs("9223372036854775806\n", f);
	fclose(f);
	s = tsa_serial_open(serial_path, 100);
	ck_assert_ptr_nonnull(s);
	ck_assert_int_eq(tsa_serial_next(s, &v), 0);
	ck_assert_uint_eq(v, 9223372036854775806ULL);
	ck_assert_int_eq(tsa_serial_next(s, &v), -1);
	tsa_serial_close(s);
}
END_TEST

START_TEST(test_no_serial_store)
{
	struct tsa		*t;
	struct query		 q;

	/* The -n context: requests get systemFailure. */
	t = tsa_new(tsa_key, tsa_cert, NULL, NULL, NULL);
	ck_assert_ptr_nonnull(t);
	make_query(&q, NID_sha512, 64, 1, 1, NULL);
	expect_rejection(t, q.q_der, q.q_len, TSA_FAIL_SYSTEM_FAILURE);
	free_query(&q);
	tsa_free(t);
}
END_TEST

static int
fixed_clock(void *arg, struct timeval *tv)
{
	int	*fail = arg;

	if (*fail)
		return -1;
	tv->tv_sec = 1700000000;	/* 2023-11-14 22:13:20 UTC */
	tv->tv_usec = 250000;
	return 0;
}

START_TEST(test_clock)
{
	struct tsa_serial	*s;
	struct tsa		*t = new_tsa(&s, 1, NULL);
	struct tsa_result	 res;
	struct query		 q;
	TS_RESP			*resp;
	const ASN1_GENERALIZEDTIME *gt;
	int			 fail = 0;

	tsa_set_clock(t, fixed_clock, &fail);
	make_query(&q, NID_sha512, 64, 1, 1, NULL);
	resp = ask(t, q.q_der, q.q_len, &res);
	ck_assert_int_eq(res.tr_status, TS_STATUS_GRANTED);
	gt = TS_TST_INFO_get_time(TS_RESP_get_tst_info(resp));
	ck_assert_str_eq((const char *)ASN1_STRING_get0_data(gt),
	    "20231114221320Z");
	TS_RESP_free(resp);
	fail = 1;
	expect_rejection(t, q.q_der, q.q_len, TSA_FAIL_TIME_NOT_AVAILABLE);
	free_query(&q);
	tsa_free(t);
	tsa_serial_close(s);
}
END_TEST

START_TEST(test_new_refuses_bad_setup)
{
	struct tsa_serial	*s = tsa_serial_open(serial_path, 1);

	ck_assert_ptr_nonnull(s);
	/* A certificate without timeStamping. */
	ck_assert_ptr_null(tsa_new(other_key, plain_cert, NULL, NULL, s));
	/* A key that is not the certificate's. */
	ck_assert_ptr_null(tsa_new(other_key, tsa_cert, NULL, NULL, s));
	/* A policy that is no OID. */
	ck_assert_ptr_null(tsa_new(tsa_key, tsa_cert, NULL, "not.an.oid",
	    s));
	ck_assert_ptr_null(tsa_new(tsa_key, tsa_cert, NULL, "sha256", s));
	ck_assert_ptr_null(tsa_new(NULL, tsa_cert, NULL, NULL, s));
	tsa_free(NULL);
	tsa_serial_close(NULL);
	tsa_serial_close(s);
}
END_TEST

static void
write_pem(const char *name, X509 *cert1, X509 *cert2, EVP_PKEY *key,
    const char *pass, char *path, size_t len)
{
	BIO	*bio;

	snprintf(path, len, "%s/%s", workdir, name);
	bio = BIO_new_file(path, "w");
	ck_assert_ptr_nonnull(bio);
	if (cert1 != NULL)
		ck_assert_int_eq(PEM_write_bio_X509(bio, cert1), 1);
	if (cert2 != NULL)
		ck_assert_int_eq(PEM_write_bio_X509(bio, cert2), 1);
	if (key != NULL)
		ck_assert_int_eq(PEM_write_bio_PrivateKey(bio, key,
		    pass != NULL ? EVP_aes_256_cbc() : NULL, NULL, 0, NULL,
		    (void *)pass), 1);
	BIO_free(bio);
}

START_TEST(test_load_files)
{
	char		 key_path[300], enc_path[300], cert_path[300];
	char		 chain_path[300], junk_path[300];
	EVP_PKEY	*key;
	X509		*cert;
	STACK_OF(X509)	*c;
	FILE		*f;

	write_pem("tsa.key", NULL, NULL, tsa_key, NULL, key_path,
	    sizeof(key_path));
	write_pem("enc.key", NULL, NULL, tsa_key, "secret", enc_path,
	    sizeof(enc_path));
	write_pem("tsa.pem", tsa_cert, NULL, NULL, NULL, cert_path,
	    sizeof(cert_path));
	write_pem("chain.pem", ca_cert, root_cert, NULL, NULL, chain_path,
	    sizeof(chain_path));
	snprintf(junk_path, sizeof(junk_path), "%s/junk.pem", workdir);
	f = fopen(junk_path, "w");
	ck_assert_ptr_nonnull(f);
	fputs("-----BEGIN CERTIFICATE-----\nnot base64!\n"
	    "-----END CERTIFICATE-----\n", f);
	fclose(f);

	ck_assert_int_eq(tsa_load_key(key_path, &key), 0);
	ck_assert_int_eq(EVP_PKEY_eq(key, tsa_key), 1);
	EVP_PKEY_free(key);
	ck_assert_int_eq(tsa_load_key(enc_path, &key), -1);
	ck_assert_ptr_null(key);
	ck_assert_int_eq(tsa_load_key(cert_path, &key), -1);
	ck_assert_int_eq(tsa_load_key("/nonexistent.key", &key), -1);

	ck_assert_int_eq(tsa_load_cert(cert_path, &cert), 0);
	ck_assert_int_eq(X509_cmp(cert, tsa_cert), 0);
	X509_free(cert);
	ck_assert_int_eq(tsa_load_cert(key_path, &cert), -1);

	ck_assert_int_eq(tsa_load_chain(chain_path, &c), 0);
	ck_assert_int_eq(sk_X509_num(c), 2);
	ck_assert_int_eq(X509_cmp(sk_X509_value(c, 1), root_cert), 0);
	sk_X509_pop_free(c, X509_free);
	ck_assert_int_eq(tsa_load_chain(junk_path, &c), -1);
	ck_assert_ptr_null(c);
	ck_assert_int_eq(tsa_load_chain(key_path, &c), -1);
	ck_assert_int_eq(tsa_load_chain("/nonexistent.pem", &c), -1);
}
END_TEST

static Suite *
tsa_suite(void)
{
	Suite	*s = suite_create("tsa");
	TCase	*tc = tcase_create("core");

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, test_granted_sha512_verifies);
	tcase_add_test(tc, test_sha256_sha384_accepted);
	tcase_add_test(tc, test_cert_req_false);
	tcase_add_test(tc, test_sha1_refused);
	tcase_add_test(tc, test_wrong_imprint_length);
	tcase_add_test(tc, test_garbage_rejected);
	tcase_add_test(tc, test_bad_version_and_policy);
	tcase_add_loop_test(tc, test_serials_increase_and_persist, 1, 4);
	tcase_add_test(tc, test_serial_store_errors);
	tcase_add_test(tc, test_no_serial_store);
	tcase_add_test(tc, test_clock);
	tcase_add_test(tc, test_new_refuses_bad_setup);
	tcase_add_test(tc, test_load_files);
	suite_add_tcase(s, tc);
	return s;
}

HK_CHECK_MAIN(tsa_suite)
