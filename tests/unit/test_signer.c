/* Unit tests for signer.c: key loading and the one signing call. */
#include "config.h"

#include <sys/stat.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>

#include "compat.h"
#include "hk_check.h"
#include "log.h"
#include "signer.h"
#include "sigtest.h"

/* Sign SHA-512("hello") and check it with OpenSSL's own one-shot
 * verify of "hello": the signature is a standard SHA512withRSA/ECDSA. */
static void
check_sign_verify(int rsa)
{
	struct sigtest_key	 k;
	struct signer		*sg = signer_new();
	unsigned char		 md[64], *sig = NULL;
	size_t			 siglen = 0;
	EVP_MD_CTX		*ctx;

	sigtest_key_new(&k, rsa, "/C=PS/O=GOV/CN=MTIT");
	sigtest_key_add(sg, "PS/GOV/MTIT", &k);
	ck_assert_int_eq(signer_key_type(sg, "PS/GOV/MTIT"),
	    rsa ? SIGNER_KEY_RSA : SIGNER_KEY_EC);
	ck_assert_int_eq(signer_key_bits(sg, "PS/GOV/MTIT"), rsa ? 2048 : 256);
	sigtest_sha512("hello", 5, md);
	ck_assert_uint_eq(signer_sign_count(sg), 0);
	ck_assert_int_eq(signer_sign_digest(sg, "PS/GOV/MTIT",
	    SIGNER_DIGEST_SHA512, md, sizeof(md), &sig, &siglen), 0);
	ck_assert_uint_eq(signer_sign_count(sg), 1);
	if (rsa)
		ck_assert_uint_eq(siglen, 256);

	ctx = EVP_MD_CTX_new();
	ck_assert_int_eq(EVP_DigestVerifyInit(ctx, NULL, EVP_sha512(), NULL,
	    X509_get0_pubkey(k.leaf.cert)), 1);
	ck_assert_int_eq(EVP_DigestVerify(ctx, sig, siglen,
	    (const unsigned char *)"hello", 5), 1);
	EVP_MD_CTX_free(ctx);
	/* And not for other data. */
	ctx = EVP_MD_CTX_new();
	ck_assert_int_eq(EVP_DigestVerifyInit(ctx, NULL, EVP_sha512(), NULL,
	    X509_get0_pubkey(k.leaf.cert)), 1);
	ck_assert_int_ne(EVP_DigestVerify(ctx, sig, siglen,
	    (const unsigned char *)"hellO", 5), 1);
	EVP_MD_CTX_free(ctx);

	/* The cert and chain views: the root is dropped, the CA kept. */
	ck_assert_int_eq(X509_cmp(signer_cert(sg, "PS/GOV/MTIT"),
	    k.leaf.cert), 0);
	ck_assert_int_eq(sk_X509_num(signer_chain(sg, "PS/GOV/MTIT")), 1);
	ck_assert_int_eq(X509_cmp(sk_X509_value(signer_chain(sg,
	    "PS/GOV/MTIT"), 0), k.ca.cert), 0);
	ck_assert_str_eq(signer_sig_alg_uri(sg, "PS/GOV/MTIT",
	    SIGNER_DIGEST_SHA512), rsa ?
	    "http://www.w3.org/2001/04/xmldsig-more#rsa-sha512" :
	    "http://www.w3.org/2001/04/xmldsig-more#ecdsa-sha512");

	free(sig);
	signer_free(sg);
	sigtest_key_clear(&k);
}

START_TEST(test_rsa_sign_verify)
{
	check_sign_verify(1);
}
END_TEST

START_TEST(test_ec_sign_verify)
{
	check_sign_verify(0);
}
END_TEST

START_TEST(test_digest_length_refused)
{
	struct sigtest_key	 k;
	struct signer		*sg = signer_new();
	unsigned char		 md[65], *sig = (unsigned char *)"x";
	size_t			 siglen = 7;

	memset(md, 0x42, sizeof(md));
	sigtest_key_new(&k, 0, "/C=PS/O=GOV/CN=MOI");
	sigtest_key_add(sg, "PS/GOV/MOI", &k);
	ck_assert_int_eq(signer_sign_digest(sg, "PS/GOV/MOI",
	    SIGNER_DIGEST_SHA512, md, 63, &sig, &siglen), -1);
	ck_assert_ptr_null(sig);
	ck_assert_uint_eq(siglen, 0);
	ck_assert_int_eq(signer_sign_digest(sg, "PS/GOV/MOI",
	    SIGNER_DIGEST_SHA512, md, 65, &sig, &siglen), -1);
	ck_assert_int_eq(signer_sign_digest(sg, "PS/GOV/MOI",
	    SIGNER_DIGEST_SHA512, md, 32, &sig, &siglen), -1);
	ck_assert_int_eq(signer_sign_digest(sg, "PS/GOV/MOI",
	    SIGNER_DIGEST_SHA256, md, 64, &sig, &siglen), -1);
	ck_assert_int_eq(signer_sign_digest(sg, "PS/GOV/MOI",
	    (enum signer_digest)99, md, 64, &sig, &siglen), -1);
	/* Nothing reached the key. */
	ck_assert_uint_eq(signer_sign_count(sg), 0);
	/* The right length works, SHA-256 too. */
	ck_assert_int_eq(signer_sign_digest(sg, "PS/GOV/MOI",
	    SIGNER_DIGEST_SHA256, md, 32, &sig, &siglen), 0);
	free(sig);
	ck_assert_uint_eq(signer_sign_count(sg), 1);
	/* Unknown key id. */
	ck_assert_int_eq(signer_sign_digest(sg, "PS/GOV/NOPE",
	    SIGNER_DIGEST_SHA512, md, 64, &sig, &siglen), -1);
	ck_assert_int_eq(signer_sign_digest(sg, NULL,
	    SIGNER_DIGEST_SHA512, md, 64, &sig, &siglen), -1);
	signer_free(sg);
	sigtest_key_clear(&k);
}
END_TEST

START_TEST(test_load_refusals)
{
	struct sigtest_key	 a, b;
	struct signer		*sg = signer_new();
	EVP_PKEY		*weak, *p521;
	BIO			*bio;
	char			*key, *cert, *other, *enc, *p;
	size_t			 klen, clen, olen, elen;
	long			 n;

	sigtest_key_new(&a, 0, "/C=PS/O=GOV/CN=A");
	sigtest_key_new(&b, 0, "/C=PS/O=GOV/CN=B");
	key = sigtest_pem_key(a.leaf.key, &klen);
	cert = sigtest_pem_certs(&clen, a.leaf.cert, NULL);
	other = sigtest_pem_certs(&olen, b.leaf.cert, NULL);

	/* Cert of another key. */
	ck_assert_int_eq(signer_add_key_pem(sg, "A", key, klen, other, olen,
	    NULL, 0), -1);
	/* No cert at all, garbage key. */
	ck_assert_int_eq(signer_add_key_pem(sg, "A", key, klen, "junk", 4,
	    NULL, 0), -1);
	ck_assert_int_eq(signer_add_key_pem(sg, "A", "junk", 4, cert, clen,
	    NULL, 0), -1);
	/* Empty or too long key ids. */
	ck_assert_int_eq(signer_add_key_pem(sg, "", key, klen, cert, clen,
	    NULL, 0), -1);
	{
		char	longid[SIGNER_KEY_ID_MAX + 2];

		memset(longid, 'x', sizeof(longid) - 1);
		longid[sizeof(longid) - 1] = '\0';
		ck_assert_int_eq(signer_add_key_pem(sg, longid, key, klen,
		    cert, clen, NULL, 0), -1);
	}
	ck_assert_uint_eq(signer_key_count(sg), 0);
	/* The good one, then the same id again. */
	ck_assert_int_eq(signer_add_key_pem(sg, "A", key, klen, cert, clen,
	    NULL, 0), 0);
	ck_assert_int_eq(signer_add_key_pem(sg, "A", key, klen, cert, clen,
	    NULL, 0), -1);
	ck_assert_uint_eq(signer_key_count(sg), 1);
	ck_assert_int_eq(sk_X509_num(signer_chain(sg, "A")), 0);

	/* An encrypted key fails (and does not prompt). */
	bio = BIO_new(BIO_s_mem());
	ck_assert_int_eq(PEM_write_bio_PrivateKey(bio, a.leaf.key,
	    EVP_aes_128_cbc(), (unsigned char *)"secret", 6, NULL, NULL), 1);
	n = BIO_get_mem_data(bio, &p);
	enc = strndup(p, (size_t)n);
	elen = (size_t)n;
	BIO_free(bio);
	ck_assert_int_eq(signer_add_key_pem(sg, "ENC", enc, elen, cert, clen,
	    NULL, 0), -1);
	free(enc);

	/* RSA 1024 and P-521 are refused. */
	weak = EVP_RSA_gen(1024);
	p521 = EVP_EC_gen("P-521");
	ck_assert_ptr_nonnull(weak);
	ck_assert_ptr_nonnull(p521);
	free(key);
	key = sigtest_pem_key(weak, &klen);
	ck_assert_int_eq(signer_add_key_pem(sg, "WEAK", key, klen, cert, clen,
	    NULL, 0), -1);
	free(key);
	key = sigtest_pem_key(p521, &klen);
	ck_assert_int_eq(signer_add_key_pem(sg, "P521", key, klen, cert, clen,
	    NULL, 0), -1);
	EVP_PKEY_free(weak);
	EVP_PKEY_free(p521);

	/* Remove. */
	ck_assert_int_eq(signer_remove_key(sg, "A"), 0);
	ck_assert_int_eq(signer_remove_key(sg, "A"), -1);
	ck_assert_int_eq(signer_has_key(sg, "A"), 0);
	ck_assert_ptr_null(signer_cert(sg, "A"));
	ck_assert_ptr_null(signer_sig_alg_uri(sg, "A", SIGNER_DIGEST_SHA512));

	free(key);
	free(cert);
	free(other);
	signer_free(sg);
	signer_free(NULL);
	sigtest_key_clear(&a);
	sigtest_key_clear(&b);
}
END_TEST

static char	logged[16384];

static void
capture(enum log_level lvl, const char *line, void *arg)
{
	(void)strlcat(logged, line, sizeof(logged));
	(void)strlcat(logged, "\n", sizeof(logged));
}

START_TEST(test_files_and_no_secret_in_log)
{
	struct sigtest_key	 k;
	struct signer		*sg = signer_new();
	char			 dir[] = "/tmp/test_signer.XXXXXX";
	char			 kp[256], cp[256], chp[256], line[128];
	char			*pem, *body;
	size_t			 len;
	FILE			*f;

	ck_assert_ptr_nonnull(mkdtemp(dir));
	sigtest_key_new(&k, 1, "/C=PS/O=GOV/CN=MOF");
	(void)snprintf(kp, sizeof(kp), "%s/sign.key", dir);
	(void)snprintf(cp, sizeof(cp), "%s/sign.pem", dir);
	(void)snprintf(chp, sizeof(chp), "%s/ca-chain.pem", dir);
	ck_assert_int_eq(testpki_write_pem(kp, k.leaf.cert, k.leaf.key), 0);
	ck_assert_int_eq(testpki_write_pem(cp, k.leaf.cert, NULL), 0);
	pem = sigtest_pem_certs(&len, k.ca.cert, k.root.cert, NULL);
	f = fopen(chp, "w");
	ck_assert_ptr_nonnull(f);
	ck_assert_uint_eq(fwrite(pem, 1, len, f), len);
	fclose(f);
	free(pem);

	logged[0] = '\0';
	log_init("test_signer", 1, LOG_LEVEL_DEBUG);
	log_set_sink(capture, NULL);

	ck_assert_int_eq(signer_add_key_files(sg, "PS/GOV/MOF", kp, cp, chp),
	    0);
	ck_assert_int_eq(sk_X509_num(signer_chain(sg, "PS/GOV/MOF")), 1);
	/* Missing files. */
	ck_assert_int_eq(signer_add_key_files(sg, "X", "/nonexistent/k", cp,
	    NULL), -1);
	ck_assert_int_eq(signer_add_key_files(sg, "X", kp, "/nonexistent/c",
	    NULL), -1);
	/* A group-readable key loads with a warning. */
	ck_assert_int_eq(chmod(kp, 0640), 0);
	ck_assert_int_eq(signer_add_key_files(sg, "PS/GOV/MOF2", kp, cp, NULL),
	    0);
	ck_assert_ptr_nonnull(strstr(logged, "readable by group"));
	/* The key file itself given as cert: refused, key not logged. */
	ck_assert_int_eq(signer_add_key_files(sg, "Y", cp, kp, NULL), -1);

	log_set_sink(NULL, NULL);
	/* No line of the private key PEM may appear in the log. */
	pem = sigtest_pem_key(k.leaf.key, &len);
	ck_assert_ptr_null(strstr(logged, "PRIVATE KEY"));
	body = strchr(pem, '\n') + 1;
	(void)strlcpy(line, body, 40);
	ck_assert_ptr_null(strstr(logged, line));
	free(pem);

	(void)unlink(kp);
	(void)unlink(cp);
	(void)unlink(chp);
	(void)rmdir(dir);
	signer_free(sg);
	sigtest_key_clear(&k);
}
END_TEST

START_TEST(test_ecdsa_encodings)
{
	struct sigtest_key	 k;
	struct signer		*sg = signer_new();
	unsigned char		 md[64], *sig, *raw, *der;
	size_t			 siglen, rawlen, derlen;
	EVP_PKEY_CTX		*ctx;

	sigtest_key_new(&k, 0, "/C=PS/O=GOV/CN=EC");
	sigtest_key_add(sg, "EC", &k);
	sigtest_digest(1, md);
	ck_assert_int_eq(signer_sign_digest(sg, "EC", SIGNER_DIGEST_SHA512,
	    md, 64, &sig, &siglen), 0);
	ck_assert_uint_eq(signer_ecdsa_field_len(X509_get0_pubkey(k.leaf.cert)),
	    32);
	ck_assert_int_eq(signer_ecdsa_der_to_raw(sig, siglen, 32, &raw,
	    &rawlen), 0);
	ck_assert_uint_eq(rawlen, 64);
	ck_assert_int_eq(signer_ecdsa_raw_to_der(raw, rawlen, &der, &derlen),
	    0);
	/* The round trip verifies. */
	ctx = EVP_PKEY_CTX_new(X509_get0_pubkey(k.leaf.cert), NULL);
	ck_assert_int_eq(EVP_PKEY_verify_init(ctx), 1);
	ck_assert_int_eq(EVP_PKEY_CTX_set_signature_md(ctx, EVP_sha512()), 1);
	ck_assert_int_eq(EVP_PKEY_verify(ctx, der, derlen, md, 64), 1);
	raw[5] ^= 1;
	free(der);
	ck_assert_int_eq(signer_ecdsa_raw_to_der(raw, rawlen, &der, &derlen),
	    0);
	ck_assert_int_ne(EVP_PKEY_verify(ctx, der, derlen, md, 64), 1);
	EVP_PKEY_CTX_free(ctx);
	/* Bad inputs. */
	ck_assert_int_eq(signer_ecdsa_raw_to_der(raw, 63, &der, &derlen), -1);
	ck_assert_int_eq(signer_ecdsa_der_to_raw(sig, siglen - 1, 32, &raw,
	    &rawlen), -1);
	ck_assert_int_eq(signer_ecdsa_der_to_raw(sig, siglen, 0, &raw,
	    &rawlen), -1);
	free(der);
	free(raw);
	free(sig);
	signer_free(sg);
	sigtest_key_clear(&k);
}
END_TEST

START_TEST(test_rsa3072)
{
	struct signer	*sg = signer_new();
	struct sigtest_key k;
	EVP_PKEY	*big = EVP_RSA_gen(3072);
	X509		*self;
	X509_NAME	*name;
	char		*key, *cert;
	size_t		 klen, clen;
	unsigned char	 md[64], *sig;
	size_t		 siglen;

	/* A self-signed cert is enough to bind the key. */
	memset(&k, 0, sizeof(k));
	self = X509_new();
	name = X509_get_subject_name(self);
	X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_ASC,
	    (const unsigned char *)"big", -1, -1, 0);
	X509_set_issuer_name(self, name);
	X509_set_pubkey(self, big);
	X509_gmtime_adj(X509_getm_notBefore(self), 0);
	X509_gmtime_adj(X509_getm_notAfter(self), 3600);
	ck_assert_int_ne(X509_sign(self, big, EVP_sha256()), 0);
	key = sigtest_pem_key(big, &klen);
	cert = sigtest_pem_certs(&clen, self, NULL);
	ck_assert_int_eq(signer_add_key_pem(sg, "BIG", key, klen, cert, clen,
	    cert, clen), 0);
	/* The self-signed cert is not kept as a chain cert. */
	ck_assert_int_eq(sk_X509_num(signer_chain(sg, "BIG")), 0);
	ck_assert_int_eq(signer_key_bits(sg, "BIG"), 3072);
	sigtest_digest(2, md);
	ck_assert_int_eq(signer_sign_digest(sg, "BIG", SIGNER_DIGEST_SHA512,
	    md, 64, &sig, &siglen), 0);
	ck_assert_uint_eq(siglen, 384);
	free(sig);
	free(key);
	free(cert);
	X509_free(self);
	EVP_PKEY_free(big);
	signer_free(sg);
}
END_TEST

START_TEST(test_uris)
{
	enum signer_key_type	t;
	enum signer_digest	d;

	ck_assert_uint_eq(signer_digest_len(SIGNER_DIGEST_SHA512), 64);
	ck_assert_uint_eq(signer_digest_len(SIGNER_DIGEST_SHA256), 32);
	ck_assert_uint_eq(signer_digest_len((enum signer_digest)0), 0);
	ck_assert_str_eq(signer_digest_uri(SIGNER_DIGEST_SHA512),
	    "http://www.w3.org/2001/04/xmlenc#sha512");
	ck_assert_int_eq(signer_digest_from_uri(
	    "http://www.w3.org/2001/04/xmlenc#sha512"), SIGNER_DIGEST_SHA512);
	ck_assert_int_eq(signer_digest_from_uri(
	    "http://www.w3.org/2000/09/xmldsig#sha1"), 0);
	ck_assert_int_eq(signer_sig_alg_parse(
	    "http://www.w3.org/2001/04/xmldsig-more#ecdsa-sha256", &t, &d), 0);
	ck_assert_int_eq(t, SIGNER_KEY_EC);
	ck_assert_int_eq(d, SIGNER_DIGEST_SHA256);
	ck_assert_int_eq(signer_sig_alg_parse(
	    "http://www.w3.org/2000/09/xmldsig#rsa-sha1", &t, &d), -1);
}
END_TEST

static Suite *
signer_suite(void)
{
	Suite	*s = suite_create("signer");
	TCase	*tc = tcase_create("core");

	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, test_rsa_sign_verify);
	tcase_add_test(tc, test_ec_sign_verify);
	tcase_add_test(tc, test_digest_length_refused);
	tcase_add_test(tc, test_load_refusals);
	tcase_add_test(tc, test_files_and_no_secret_in_log);
	tcase_add_test(tc, test_ecdsa_encodings);
	tcase_add_test(tc, test_rsa3072);
	tcase_add_test(tc, test_uris);
	suite_add_tcase(s, tc);
	return s;
}

HK_CHECK_MAIN(signer_suite)
