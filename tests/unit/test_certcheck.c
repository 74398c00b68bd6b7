/*
 * Unit tests for certcheck.c: chain, time, purpose and OCSP verdicts of
 * certcheck_verify() over an in-memory PKI, member identity from a
 * signing cert subject, cert hashes.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <openssl/evp.h>
#include <openssl/ocsp.h>
#include <openssl/pem.h>

#include "certcheck.h"
#include "hk_check.h"
#include "ocsp.h"
#include "testpki.h"
#include "xrid.h"

static struct testpki_pair	 root, inter, sign, auth, responder;
static struct testpki_pair	 expired, unknown_root, unknown_leaf;
static time_t			 T;

static void
pki_setup(void)
{
	struct testpki_opts	 o;

	T = time(NULL);
	root = testpki_new(TESTPKI_ROOT, "/C=PS/O=Test/CN=Test Root CA",
	    NULL);
	inter = testpki_new(TESTPKI_CA, "/C=PS/O=Test/CN=Test Issuing CA",
	    &root);
	sign = testpki_new(TESTPKI_SIGN, "/C=PS/O=GOV/CN=MOI", &inter);
	auth = testpki_new(TESTPKI_AUTH, "/C=PS/O=GOV/OU=MOI/CN=ss-moi",
	    &inter);
	responder = testpki_new(TESTPKI_OCSP, "/C=PS/O=Test/CN=OCSP", &inter);
	memset(&o, 0, sizeof(o));
	o.subject = "/C=PS/O=GOV/CN=EXPIRED";
	o.not_before = T - 30 * 86400;
	o.not_after = T - 86400;
	expired = testpki_new_opts(TESTPKI_SIGN, &o, &inter);
	unknown_root = testpki_new(TESTPKI_ROOT, "/C=PS/O=Evil/CN=Unknown CA",
	    NULL);
	unknown_leaf = testpki_new(TESTPKI_SIGN, "/C=PS/O=GOV/CN=MOI",
	    &unknown_root);
}

static void
pki_teardown(void)
{
	testpki_clear(&root);
	testpki_clear(&inter);
	testpki_clear(&sign);
	testpki_clear(&auth);
	testpki_clear(&responder);
	testpki_clear(&expired);
	testpki_clear(&unknown_root);
	testpki_clear(&unknown_leaf);
}

/* OCSP responses for a chain: [0] leaf by responder, [1] inter by root. */
struct chain_ocsp {
	unsigned char		*co_der[2];
	struct certcheck_ocsp	 co[2];
};

static void
make_ocsp(struct chain_ocsp *c, X509 *leaf, int leaf_status,
    time_t leaf_this_update, const struct testpki_pair *leaf_signer)
{
	struct testpki_ocsp_opts	 o;

	testpki_ocsp_opts_init(&o);
	o.status = leaf_status;
	o.this_update = leaf_this_update;
	c->co_der[0] = testpki_ocsp_response(leaf, inter.cert, leaf_signer,
	    &o, &c->co[0].co_len);
	c->co[0].co_der = c->co_der[0];
	testpki_ocsp_opts_init(&o);
	o.this_update = T - 60;
	c->co_der[1] = testpki_ocsp_response(inter.cert, root.cert, &root, &o,
	    &c->co[1].co_len);
	c->co[1].co_der = c->co_der[1];
}

static void
free_ocsp(struct chain_ocsp *c)
{
	free(c->co_der[0]);
	free(c->co_der[1]);
}

static struct certcheck_trust *
trust_root(void)
{
	struct certcheck_trust	*t = certcheck_trust_new();

	ck_assert_ptr_nonnull(t);
	ck_assert_int_eq(certcheck_trust_add(t, root.cert), 0);
	return t;
}

/* Verify leaf (+ inter as extra) at T with purpose; returns the code. */
static enum certcheck_code
check(struct certcheck_trust *t, X509 *leaf, const struct certcheck_ocsp *o,
    size_t n, enum certcheck_purpose purpose, time_t now,
    struct certcheck_error *err)
{
	struct certcheck_params	 p;
	STACK_OF(X509)		*extra = testpki_stack(inter.cert, NULL);
	int			 rv;

	certcheck_params_init(&p, now, purpose);
	rv = certcheck_verify(t, leaf, extra, o, n, &p, NULL, err);
	sk_X509_pop_free(extra, X509_free);
	ck_assert_int_eq(rv, err->ce_code == CERTCHECK_OK ? 0 : -1);
	return err->ce_code;
}

START_TEST(test_good_chain)
{
	struct certcheck_trust	*t = trust_root();
	struct certcheck_params	 p;
	struct certcheck_error	 err;
	struct chain_ocsp	 co;
	struct certcheck_ocsp	 rev[2];
	STACK_OF(X509)		*extra, *chain;

	make_ocsp(&co, sign.cert, V_OCSP_CERTSTATUS_GOOD, T - 10, &responder);
	certcheck_params_init(&p, T, CERTCHECK_PURPOSE_SIGN);
	extra = testpki_stack(inter.cert, NULL);
	ck_assert_int_eq(certcheck_verify(t, sign.cert, extra, co.co, 2, &p,
	    &chain, &err), 0);
	ck_assert_int_eq(err.ce_code, CERTCHECK_OK);
	ck_assert_int_eq(sk_X509_num(chain), 3);
	ck_assert_int_eq(X509_cmp(sk_X509_value(chain, 0), sign.cert), 0);
	ck_assert_int_eq(X509_cmp(sk_X509_value(chain, 2), root.cert), 0);
	sk_X509_pop_free(chain, X509_free);
	/* OCSP responses in any order. */
	rev[0] = co.co[1];
	rev[1] = co.co[0];
	ck_assert_int_eq(certcheck_verify(t, sign.cert, extra, rev, 2, &p,
	    NULL, &err), 0);
	sk_X509_pop_free(extra, X509_free);

	/* The intermediate known from configuration instead of the peer. */
	ck_assert_int_eq(certcheck_trust_add_intermediate(t, inter.cert), 0);
	ck_assert_int_eq(certcheck_verify(t, sign.cert, NULL, co.co, 2, &p,
	    NULL, &err), 0);
	ck_assert_uint_eq(certcheck_trust_count(t), 1);
	/* err may be NULL. */
	ck_assert_int_eq(certcheck_verify(t, sign.cert, NULL, co.co, 2, &p,
	    NULL, NULL), 0);
	free_ocsp(&co);
	certcheck_trust_free(t);
	certcheck_trust_free(NULL);
}
END_TEST

START_TEST(test_intermediate_anchor)
{
	struct certcheck_trust	*t = certcheck_trust_new();
	struct certcheck_params	 p;
	struct certcheck_error	 err;
	struct chain_ocsp	 co;
	STACK_OF(X509)		*chain;

	/* An approved CA that is not self-signed ends the chain. */
	ck_assert_int_eq(certcheck_trust_add(t, inter.cert), 0);
	make_ocsp(&co, auth.cert, V_OCSP_CERTSTATUS_GOOD, T - 10, &inter);
	certcheck_params_init(&p, T, CERTCHECK_PURPOSE_AUTH);
	ck_assert_int_eq(certcheck_verify(t, auth.cert, NULL, co.co, 1, &p,
	    &chain, &err), 0);
	ck_assert_int_eq(sk_X509_num(chain), 2);
	sk_X509_pop_free(chain, X509_free);
	/* The CA cert itself is not an acceptable leaf. */
	certcheck_params_init(&p, T, CERTCHECK_PURPOSE_NONE);
	ck_assert_int_eq(certcheck_verify(t, inter.cert, NULL, NULL, 0, &p,
	    NULL, &err), -1);
	ck_assert_int_eq(err.ce_code, CERTCHECK_UNTRUSTED_CA);
	free_ocsp(&co);
	certcheck_trust_free(t);
}
END_TEST

START_TEST(test_untrusted)
{
	struct certcheck_trust	*t = trust_root();
	struct certcheck_params	 p;
	struct certcheck_error	 err;

	certcheck_params_init(&p, T, CERTCHECK_PURPOSE_SIGN);
	p.cp_flags = CERTCHECK_NO_OCSP;
	/* Issued by an unknown CA. */
	ck_assert_int_eq(check(t, unknown_leaf.cert, NULL, 0,
	    CERTCHECK_PURPOSE_SIGN, T, &err), CERTCHECK_UNTRUSTED_CA);
	ck_assert_ptr_nonnull(strstr(err.ce_msg, "MOI"));
	/* The intermediate is missing. */
	ck_assert_int_eq(certcheck_verify(t, sign.cert, NULL, NULL, 0, &p,
	    NULL, &err), -1);
	ck_assert_int_eq(err.ce_code, CERTCHECK_UNTRUSTED_CA);
	/* The unknown CA's root presented by the peer does not help. */
	{
		STACK_OF(X509) *ex = testpki_stack(unknown_root.cert, NULL);

		ck_assert_int_eq(certcheck_verify(t, unknown_leaf.cert, ex,
		    NULL, 0, &p, NULL, &err), -1);
		ck_assert_int_eq(err.ce_code, CERTCHECK_UNTRUSTED_CA);
		sk_X509_pop_free(ex, X509_free);
	}
	/* Empty trust set. */
	certcheck_trust_free(t);
	t = certcheck_trust_new();
	ck_assert_int_eq(check(t, sign.cert, NULL, 0, CERTCHECK_PURPOSE_SIGN,
	    T, &err), CERTCHECK_UNTRUSTED_CA);
	ck_assert_str_eq(certcheck_code_str(err.ce_code), "untrusted CA");
	certcheck_trust_free(t);
}
END_TEST

START_TEST(test_validity)
{
	struct certcheck_trust	*t = trust_root();
	struct certcheck_error	 err;
	struct chain_ocsp	 co;

	make_ocsp(&co, expired.cert, V_OCSP_CERTSTATUS_GOOD, T - 10,
	    &responder);
	ck_assert_int_eq(check(t, expired.cert, co.co, 2,
	    CERTCHECK_PURPOSE_SIGN, T, &err), CERTCHECK_EXPIRED);
	ck_assert_int_eq(err.ce_depth, 0);
	/* Valid back then (the injected clock). */
	ck_assert_int_eq(check(t, sign.cert, co.co, 0,
	    CERTCHECK_PURPOSE_SIGN, T - 3 * 86400, &err),
	    CERTCHECK_NOT_YET_VALID);
	/* Far future: the whole chain expired. */
	ck_assert_int_eq(check(t, sign.cert, co.co, 2,
	    CERTCHECK_PURPOSE_SIGN, T + 400 * 86400, &err), CERTCHECK_EXPIRED);
	free_ocsp(&co);
	certcheck_trust_free(t);
}
END_TEST

START_TEST(test_purpose)
{
	struct certcheck_trust	*t = trust_root();
	struct certcheck_error	 err;
	struct chain_ocsp	 cs, ca;

	make_ocsp(&cs, sign.cert, V_OCSP_CERTSTATUS_GOOD, T - 10, &responder);
	make_ocsp(&ca, auth.cert, V_OCSP_CERTSTATUS_GOOD, T - 10, &responder);
	ck_assert_int_eq(check(t, auth.cert, ca.co, 2, CERTCHECK_PURPOSE_AUTH,
	    T, &err), CERTCHECK_OK);
	ck_assert_int_eq(check(t, auth.cert, ca.co, 2,
	    CERTCHECK_PURPOSE_TLS_CLIENT, T, &err), CERTCHECK_OK);
	ck_assert_int_eq(check(t, auth.cert, ca.co, 2,
	    CERTCHECK_PURPOSE_TLS_SERVER, T, &err), CERTCHECK_OK);
	/* An auth cert cannot sign messages, a sign cert cannot do TLS. */
	ck_assert_int_eq(check(t, auth.cert, ca.co, 2, CERTCHECK_PURPOSE_SIGN,
	    T, &err), CERTCHECK_WRONG_PURPOSE);
	ck_assert_ptr_nonnull(strstr(err.ce_msg, "signing"));
	ck_assert_int_eq(check(t, sign.cert, cs.co, 2, CERTCHECK_PURPOSE_AUTH,
	    T, &err), CERTCHECK_WRONG_PURPOSE);
	ck_assert_int_eq(check(t, sign.cert, cs.co, 2,
	    CERTCHECK_PURPOSE_TLS_CLIENT, T, &err), CERTCHECK_WRONG_PURPOSE);
	/* The OCSP responder cert is neither. */
	ck_assert_int_eq(check(t, responder.cert, NULL, 0,
	    CERTCHECK_PURPOSE_SIGN, T, &err), CERTCHECK_WRONG_PURPOSE);
	free_ocsp(&cs);
	free_ocsp(&ca);
	certcheck_trust_free(t);
}
END_TEST

START_TEST(test_ocsp_verdicts)
{
	struct certcheck_trust	*t = trust_root();
	struct certcheck_error	 err;
	struct chain_ocsp	 co;

	/* None at all; only the leaf's (the intermediate's missing). */
	make_ocsp(&co, sign.cert, V_OCSP_CERTSTATUS_GOOD, T - 10, &responder);
	ck_assert_int_eq(check(t, sign.cert, NULL, 0, CERTCHECK_PURPOSE_SIGN,
	    T, &err), CERTCHECK_OCSP_MISSING);
	ck_assert_int_eq(err.ce_depth, 0);
	ck_assert_int_eq(check(t, sign.cert, co.co, 1, CERTCHECK_PURPOSE_SIGN,
	    T, &err), CERTCHECK_OCSP_MISSING);
	ck_assert_int_eq(err.ce_depth, 1);
	ck_assert_ptr_nonnull(strstr(err.ce_msg, "Issuing CA"));
	/* Fresh at T, too old an hour and a bit later. */
	ck_assert_int_eq(check(t, sign.cert, co.co, 2, CERTCHECK_PURPOSE_SIGN,
	    T + 3600, &err), CERTCHECK_OCSP_TOO_OLD);
	ck_assert_int_eq(err.ce_ocsp, OCSP_V_TOO_OLD);
	ck_assert_ptr_nonnull(strstr(err.ce_msg,
	    "OCSP response is too old (thisUpdate: "));
	free_ocsp(&co);

	make_ocsp(&co, sign.cert, V_OCSP_CERTSTATUS_REVOKED, T - 10,
	    &responder);
	ck_assert_int_eq(check(t, sign.cert, co.co, 2, CERTCHECK_PURPOSE_SIGN,
	    T, &err), CERTCHECK_REVOKED);
	ck_assert_int_eq(err.ce_ocsp, OCSP_V_REVOKED);
	ck_assert_str_eq(certcheck_code_str(err.ce_code),
	    "certificate revoked");
	free_ocsp(&co);

	make_ocsp(&co, sign.cert, V_OCSP_CERTSTATUS_UNKNOWN, T - 10,
	    &responder);
	ck_assert_int_eq(check(t, sign.cert, co.co, 2, CERTCHECK_PURPOSE_SIGN,
	    T, &err), CERTCHECK_OCSP_UNKNOWN);
	free_ocsp(&co);

	/* Signed by someone the CA did not authorise. */
	make_ocsp(&co, sign.cert, V_OCSP_CERTSTATUS_GOOD, T - 10, &auth);
	ck_assert_int_eq(check(t, sign.cert, co.co, 2, CERTCHECK_PURPOSE_SIGN,
	    T, &err), CERTCHECK_OCSP_INVALID);
	ck_assert_int_eq(err.ce_ocsp, OCSP_V_UNAUTHORIZED);
	ck_assert_ptr_nonnull(strstr(err.ce_msg, "not authorized"));
	free_ocsp(&co);

	/* OCSP checks off: chain, time and purpose only. */
	{
		struct certcheck_params p;

		certcheck_params_init(&p, T, CERTCHECK_PURPOSE_SIGN);
		p.cp_flags = CERTCHECK_NO_OCSP;
		ck_assert_int_eq(certcheck_trust_add_intermediate(t,
		    inter.cert), 0);
		ck_assert_int_eq(certcheck_verify(t, sign.cert, NULL, NULL, 0,
		    &p, NULL, &err), 0);
		/* Bad arguments. */
		ck_assert_int_eq(certcheck_verify(t, NULL, NULL, NULL, 0, &p,
		    NULL, &err), -1);
		ck_assert_int_eq(err.ce_code, CERTCHECK_INTERNAL);
	}
	certcheck_trust_free(t);
}
END_TEST

START_TEST(test_member_id)
{
	struct testpki_pair	 c;
	struct xrid		 id;

	ck_assert_int_eq(certcheck_member_id(sign.cert, &id), 0);
	ck_assert_int_eq(id.type, XRID_MEMBER);
	ck_assert_str_eq(id.instance, "PS");
	ck_assert_str_eq(id.member_class, "GOV");
	ck_assert_str_eq(id.member_code, "MOI");
	ck_assert_str_eq(id.subsystem_code, "");

	/* No O: not a member signing cert. */
	c = testpki_new(TESTPKI_SIGN, "/C=PS/CN=MOI", &inter);
	ck_assert_int_eq(certcheck_member_id(c.cert, &id), -1);
	ck_assert_str_eq(id.instance, "");
	testpki_clear(&c);
	/* Two CNs are ambiguous. */
	c = testpki_new(TESTPKI_SIGN, "/C=PS/O=GOV/CN=MOI/CN=MOF", &inter);
	ck_assert_int_eq(certcheck_member_id(c.cert, &id), -1);
	testpki_clear(&c);
	/* UTF-8 is passed through. */
	c = testpki_new(TESTPKI_SIGN, "/C=PS/O=GOV/CN=\xd9\x88\xd8\xb2\xd8\xa7"
	    "\xd8\xb1\xd8\xa9", &inter);
	ck_assert_int_eq(certcheck_member_id(c.cert, &id), 0);
	ck_assert_str_eq(id.member_code, "\xd9\x88\xd8\xb2\xd8\xa7\xd8\xb1"
	    "\xd8\xa9");
	testpki_clear(&c);
	ck_assert_int_eq(certcheck_member_id(NULL, &id), -1);
}
END_TEST

START_TEST(test_hashes)
{
	unsigned char	*der = NULL, md[EVP_MAX_MD_SIZE];
	unsigned int	 mdlen;
	char		 h1[41], h256[65], want[65];
	int		 n, i;

	ck_assert_int_eq(certcheck_sha1_hex(sign.cert, h1), 0);
	ck_assert_int_eq(certcheck_sha256_hex(sign.cert, h256), 0);
	ck_assert_uint_eq(strlen(h1), 40);
	ck_assert_uint_eq(strlen(h256), 64);
	n = i2d_X509(sign.cert, &der);
	ck_assert_int_gt(n, 0);
	ck_assert_int_eq(EVP_Digest(der, (size_t)n, md, &mdlen, EVP_sha1(),
	    NULL), 1);
	for (i = 0; i < (int)mdlen; i++)
		snprintf(want + 2 * i, 3, "%02x", md[i]);
	ck_assert_str_eq(h1, want);
	ck_assert_int_eq(EVP_Digest(der, (size_t)n, md, &mdlen, EVP_sha256(),
	    NULL), 1);
	for (i = 0; i < (int)mdlen; i++)
		snprintf(want + 2 * i, 3, "%02x", md[i]);
	ck_assert_str_eq(h256, want);
	OPENSSL_free(der);
	ck_assert_int_eq(certcheck_sha1_hex(NULL, h1), -1);
}
END_TEST

START_TEST(test_trust_pem)
{
	struct certcheck_trust	*t = certcheck_trust_new();
	struct certcheck_error	 err;
	char			 path[] = "/tmp/hk-test-certcheck-XXXXXX";
	FILE			*fp;
	int			 fd;

	fd = mkstemp(path);
	ck_assert_int_ge(fd, 0);
	fp = fdopen(fd, "w");
	ck_assert(PEM_write_X509(fp, root.cert));
	ck_assert(PEM_write_X509(fp, unknown_root.cert));
	fclose(fp);
	ck_assert_int_eq(certcheck_trust_add_pem(t, path), 0);
	ck_assert_uint_eq(certcheck_trust_count(t), 2);
	/* Twice: no duplicates. */
	ck_assert_int_eq(certcheck_trust_add_pem(t, path), 0);
	ck_assert_uint_eq(certcheck_trust_count(t), 2);
	ck_assert_int_eq(check(t, unknown_leaf.cert, NULL, 0,
	    CERTCHECK_PURPOSE_SIGN, T, &err), CERTCHECK_OCSP_MISSING);
	unlink(path);
	ck_assert_int_eq(certcheck_trust_add_pem(t, path), -1);
	ck_assert_int_eq(certcheck_trust_add_pem(t, "/dev/null"), -1);
	certcheck_trust_free(t);
}
END_TEST

static Suite *
certcheck_suite(void)
{
	Suite	*s = suite_create("certcheck");
	TCase	*tc = tcase_create("core");

	tcase_add_unchecked_fixture(tc, pki_setup, pki_teardown);
	tcase_add_test(tc, test_good_chain);
	tcase_add_test(tc, test_intermediate_anchor);
	tcase_add_test(tc, test_untrusted);
	tcase_add_test(tc, test_validity);
	tcase_add_test(tc, test_purpose);
	tcase_add_test(tc, test_ocsp_verdicts);
	tcase_add_test(tc, test_member_id);
	tcase_add_test(tc, test_hashes);
	tcase_add_test(tc, test_trust_pem);
	suite_add_tcase(s, tc);
	return s;
}

HK_CHECK_MAIN(certcheck_suite)
