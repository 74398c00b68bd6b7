/*
 * Unit tests for hukumati-services/common/jose.c: base64url, the PKCE
 * S256 vector of RFC 7636, the JWK thumbprint vector of RFC 7638, JWS
 * RS256 and ES256 round trips, and refusals: tampered payload or
 * signature, "none", another algorithm, another kid, wrong key, bad
 * keys.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <jansson.h>
#include <openssl/core_names.h>
#include <openssl/evp.h>
#include <openssl/ec.h>
#include <openssl/param_build.h>
#include <openssl/rsa.h>

#include "jose.h"
#include "hk_check.h"

START_TEST(test_b64url)
{
	unsigned char	*d = NULL;
	size_t		 n;
	char		*s;

	ck_assert_str_eq(s = jose_b64url("", 0), "");
	free(s);
	ck_assert_str_eq(s = jose_b64url("f", 1), "Zg");
	free(s);
	ck_assert_str_eq(s = jose_b64url("fo", 2), "Zm8");
	free(s);
	ck_assert_str_eq(s = jose_b64url("foo", 3), "Zm9v");
	free(s);
	ck_assert_str_eq(s = jose_b64url("\xfb\xff\xfe", 3), "-__-");
	free(s);
	ck_assert_int_eq(jose_b64url_decode("-__-", 4, &d, &n), 0);
	ck_assert_uint_eq(n, 3);
	ck_assert_int_eq(memcmp(d, "\xfb\xff\xfe", 3), 0);
	free(d);
	ck_assert_int_eq(jose_b64url_decode("Zm8", 3, &d, &n), 0);
	ck_assert_str_eq((char *)d, "fo");
	free(d);
	ck_assert_int_eq(jose_b64url_decode("Zm8=", 4, &d, &n), -1);
	ck_assert_int_eq(jose_b64url_decode("Zm+v", 4, &d, &n), -1);
	ck_assert_int_eq(jose_b64url_decode("Z", 1, &d, &n), -1);
	ck_assert_int_eq(jose_b64url_decode("Zm9", 3, &d, &n), -1);
}
END_TEST

START_TEST(test_pkce)
{
	char	 c[JOSE_S256_LEN + 1];

	/* RFC 7636 appendix B. */
	ck_assert_int_eq(jose_pkce_s256(
	    "dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk", c), 0);
	ck_assert_str_eq(c, "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM");
	ck_assert_int_eq(jose_pkce_s256("short", c), -1);
	ck_assert_int_eq(jose_pkce_s256(
	    "dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjX+", c), -1);
}
END_TEST

/* RFC 7638 section 3.1: the RSA key and its thumbprint. */
static const char rfc7638_n[] =
    "0vx7agoebGcQSuuPiLJXZptN9nndrQmbXEps2aiAFbWhM78LhWx4cbbfAAtVT86zwu1RK7"
    "aPFFxuhDR1L6tSoc_BJECPebWKRXjBZCiFV4n3oknjhMstn64tZ_2W-5JsGY4Hc5n9yBXA"
    "rwl93lqt7_RN5w6Cf0h4QyQ5v-65YGjQR0_FDW2QvzqY368QQMicAtaSqzs8KJZgnYb9c7"
    "d0zgdAZHzu6qMQvRL5hajrn1n91CbOpbISD08qNLyrdkt-bFTWhAI4vMQFh6WeZu0fM4lF"
    "d2NcRwr3XPksINHaQ-G_xBniIqbw0Ls1jF44-csFCur-kEgU8awapJzKnqDKgw";

static struct jose_key *
rfc7638_key(void)
{
	OSSL_PARAM_BLD	*b;
	OSSL_PARAM	*p;
	EVP_PKEY_CTX	*ctx;
	EVP_PKEY	*pkey = NULL;
	BIGNUM		*n, *e;
	unsigned char	*raw = NULL;
	size_t		 len;
	struct jose_key	*k = NULL;

	ck_assert_int_eq(jose_b64url_decode(rfc7638_n, strlen(rfc7638_n),
	    &raw, &len), 0);
	ck_assert_ptr_nonnull(n = BN_bin2bn(raw, (int)len, NULL));
	ck_assert_ptr_nonnull(e = BN_new());
	ck_assert_int_eq(BN_set_word(e, 65537), 1);
	ck_assert_ptr_nonnull(b = OSSL_PARAM_BLD_new());
	ck_assert_int_eq(OSSL_PARAM_BLD_push_BN(b, OSSL_PKEY_PARAM_RSA_N, n),
	    1);
	ck_assert_int_eq(OSSL_PARAM_BLD_push_BN(b, OSSL_PKEY_PARAM_RSA_E, e),
	    1);
	ck_assert_ptr_nonnull(p = OSSL_PARAM_BLD_to_param(b));
	ck_assert_ptr_nonnull(ctx = EVP_PKEY_CTX_new_from_name(NULL, "RSA",
	    NULL));
	ck_assert_int_eq(EVP_PKEY_fromdata_init(ctx), 1);
	ck_assert_int_eq(EVP_PKEY_fromdata(ctx, &pkey, EVP_PKEY_PUBLIC_KEY, p),
	    1);
	ck_assert_int_eq(jose_key_from_pkey(pkey, &k), 0);
	EVP_PKEY_free(pkey);
	EVP_PKEY_CTX_free(ctx);
	OSSL_PARAM_free(p);
	OSSL_PARAM_BLD_free(b);
	BN_free(n);
	BN_free(e);
	free(raw);
	return k;
}

START_TEST(test_thumbprint)
{
	struct jose_key	*k = rfc7638_key();
	json_t		*jwk;

	ck_assert_str_eq(jose_key_kid(k),
	    "NzbLsXh8uDCcd-6MNwXF4W_7noWXFZAfHkxZsRGC9Xs");
	ck_assert_str_eq(jose_key_alg(k), "RS256");
	ck_assert_ptr_nonnull(jwk = jose_key_jwk(k));
	ck_assert_str_eq(json_string_value(json_object_get(jwk, "n")),
	    rfc7638_n);
	ck_assert_str_eq(json_string_value(json_object_get(jwk, "e")), "AQAB");
	ck_assert_str_eq(json_string_value(json_object_get(jwk, "use")),
	    "sig");
	ck_assert_ptr_null(json_object_get(jwk, "d"));
	json_decref(jwk);
	jose_key_free(k);
}
END_TEST

/* Replace part i (0 header, 1 payload, 2 signature) of jws by text. */
static char *
swap_part(const char *jws, int i, const char *text)
{
	const char	*d1 = strchr(jws, '.'), *d2 = strchr(d1 + 1, '.');
	char		*out;
	size_t		 n = strlen(jws) + strlen(text) + 4;

	ck_assert_ptr_nonnull(out = malloc(n));
	if (i == 0)
		(void)snprintf(out, n, "%s%s", text, d1);
	else if (i == 1)
		(void)snprintf(out, n, "%.*s%s%s", (int)(d1 - jws + 1), jws,
		    text, d2);
	else
		(void)snprintf(out, n, "%.*s%s", (int)(d2 - jws + 1), jws,
		    text);
	return out;
}

static void
round_trip(const char *alg)
{
	struct jose_key	*k = NULL, *other = NULL, *l = NULL;
	json_t		*claims, *back = NULL, *jwk;
	char		*jws = NULL, *bad, *b64, kid[64], path[] =
			    "/tmp/test_jose.XXXXXX", err[256];
	const char	*d1;
	int		 fd;

	ck_assert_int_eq(jose_key_generate(alg, &k), 0);
	ck_assert_int_eq(jose_key_generate(alg, &other), 0);
	ck_assert_str_eq(jose_key_alg(k), alg);
	ck_assert_str_ne(jose_key_kid(k), jose_key_kid(other));
	claims = json_pack("{s:s, s:s, s:I}", "iss", "http://127.0.0.1:8001",
	    "sub", "PS400000014", "exp", (json_int_t)2000000000);
	ck_assert_int_eq(jose_sign(k, claims, &jws), 0);
	ck_assert_int_eq(jose_header_kid(jws, kid, sizeof(kid)), 0);
	ck_assert_str_eq(kid, jose_key_kid(k));
	ck_assert_int_eq(jose_verify(k, jws, &back), 0);
	ck_assert_int_eq(json_equal(claims, back), 1);
	json_decref(back);
	back = NULL;
	/* The wrong key. */
	ck_assert_int_eq(jose_verify(other, jws, &back), -1);
	/* A changed payload. */
	b64 = jose_b64url("{\"sub\":\"PS400000022\"}", 21);
	bad = swap_part(jws, 1, b64);
	ck_assert_int_eq(jose_verify(k, bad, &back), -1);
	free(bad);
	free(b64);
	/* A changed signature byte. */
	bad = strdup(jws);
	d1 = strrchr(bad, '.');
	bad[d1 - bad + 5] = bad[d1 - bad + 5] == 'A' ? 'B' : 'A';
	ck_assert_int_eq(jose_verify(k, bad, &back), -1);
	free(bad);
	/* alg "none", another alg, another kid. */
	b64 = jose_b64url("{\"alg\":\"none\"}", 14);
	bad = swap_part(jws, 0, b64);
	ck_assert_int_eq(jose_verify(k, bad, &back), -1);
	free(bad);
	free(b64);
	b64 = jose_b64url(strcmp(alg, "RS256") == 0 ? "{\"alg\":\"ES256\"}" :
	    "{\"alg\":\"RS256\"}", 15);
	bad = swap_part(jws, 0, b64);
	ck_assert_int_eq(jose_verify(k, bad, &back), -1);
	free(bad);
	free(b64);
	/* Not three parts. */
	ck_assert_int_eq(jose_verify(k, "a.b", &back), -1);
	ck_assert_int_eq(jose_verify(k, "a.b.c.d", &back), -1);
	ck_assert_ptr_null(back);
	/* The public JWK has no private part. */
	ck_assert_ptr_nonnull(jwk = jose_key_jwk(k));
	ck_assert_ptr_null(json_object_get(jwk, "d"));
	ck_assert_str_eq(json_string_value(json_object_get(jwk, "kid")),
	    jose_key_kid(k));
	json_decref(jwk);
	/* Save and load: the same key (kid). */
	ck_assert_int_ne(fd = mkstemp(path), -1);
	(void)close(fd);
	(void)unlink(path);
	ck_assert_int_eq(jose_key_save(k, path), 0);
	ck_assert_int_eq(jose_key_save(k, path), -1);	/* never replaced */
	ck_assert_int_eq(jose_key_load(path, &l, err, sizeof(err)), 0);
	ck_assert_str_eq(jose_key_kid(l), jose_key_kid(k));
	ck_assert_int_eq(jose_verify(l, jws, &back), 0);
	json_decref(back);
	(void)unlink(path);
	jose_key_free(l);
	ck_assert_int_eq(jose_key_load(path, &l, err, sizeof(err)), -1);
	free(jws);
	json_decref(claims);
	jose_key_free(k);
	jose_key_free(other);
}

START_TEST(test_rs256)
{
	round_trip("RS256");
}
END_TEST

START_TEST(test_es256)
{
	round_trip("ES256");
}
END_TEST

START_TEST(test_bad_keys)
{
	EVP_PKEY	*p;
	struct jose_key	*k = NULL;

	ck_assert_ptr_nonnull(p = EVP_RSA_gen(1024));
	ck_assert_int_eq(jose_key_from_pkey(p, &k), -1);
	EVP_PKEY_free(p);
	ck_assert_ptr_nonnull(p = EVP_EC_gen("P-384"));
	ck_assert_int_eq(jose_key_from_pkey(p, &k), -1);
	EVP_PKEY_free(p);
	ck_assert_int_eq(jose_key_generate("HS256", &k), -1);
	ck_assert_ptr_null(k);
}
END_TEST

static Suite *
jose_suite(void)
{
	Suite	*s = suite_create("jose");
	TCase	*tc = tcase_create("jose");

	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, test_b64url);
	tcase_add_test(tc, test_pkce);
	tcase_add_test(tc, test_thumbprint);
	tcase_add_test(tc, test_rs256);
	tcase_add_test(tc, test_es256);
	tcase_add_test(tc, test_bad_keys);
	suite_add_tcase(s, tc);
	return s;
}

HK_CHECK_MAIN(jose_suite)
