/*
 * Unit tests for gconfdir.c: a directory built and signed here verifies
 * with the anchor's certificate, and fails after any byte of the
 * directory, the signature or a file changes, or once it has expired.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <openssl/evp.h>
#include <openssl/x509.h>

#include "anchor.h"
#include "b64.h"
#include "gconfdir.h"
#include "hk_check.h"
#include "testpki.h"

#define NOW	1770000000
#define EXPIRE	(NOW + 600)

static struct testpki_pair	ec, rsa, other;
static char			data_dir[4096], schema_dir[4096];

static const char shared_xml[] = "<shared/>";
static const char private_xml[] = "<private/>";
static char loc_shared[128], loc_private[128];

static void
setup(void)
{
	const char	*top = getenv("top_srcdir");
	struct timespec	 ts = { NOW, 123456789 };

	if (top == NULL)
		top = ".";
	(void)snprintf(data_dir, sizeof(data_dir), "%s/tests/data/globalconf",
	    top);
	(void)snprintf(schema_dir, sizeof(schema_dir),
	    "%s/securityserver/schemas", top);
	ec = testpki_new(TESTPKI_ROOT, "/CN=confsign-ec", NULL);
	rsa = testpki_new_opts(TESTPKI_ROOT, &(struct testpki_opts){
	    .subject = "/CN=confsign-rsa", .rsa = 1 }, NULL);
	other = testpki_new(TESTPKI_ROOT, "/CN=someone else", NULL);
	ck_assert_int_eq(gconf_dir_location(loc_shared, sizeof(loc_shared), 3,
	    &ts, GCONF_FILE_SHARED), 0);
	ck_assert_int_eq(gconf_dir_location(loc_private, sizeof(loc_private),
	    3, &ts, GCONF_FILE_PRIVATE), 0);
}

static void
teardown(void)
{
	testpki_clear(&ec);
	testpki_clear(&rsa);
	testpki_clear(&other);
}

/* The signing callback, as the central server's signer would do it. */
static int
sign_cb(void *arg, const unsigned char *dg, size_t len, unsigned char **sig,
    size_t *siglen, const char **alg)
{
	EVP_PKEY	*key = arg;
	EVP_PKEY_CTX	*c;
	int		 ok;

	if (len != 64 || (c = EVP_PKEY_CTX_new(key, NULL)) == NULL)
		return -1;
	ok = EVP_PKEY_sign_init(c) == 1 &&
	    EVP_PKEY_CTX_set_signature_md(c, EVP_sha512()) == 1 &&
	    EVP_PKEY_sign(c, NULL, siglen, dg, len) == 1 &&
	    (*sig = malloc(*siglen)) != NULL &&
	    EVP_PKEY_sign(c, *sig, siglen, dg, len) == 1;
	EVP_PKEY_CTX_free(c);
	*alg = EVP_PKEY_get_base_id(key) == EVP_PKEY_RSA ?
	    GCONF_URI_RSA_SHA512 : GCONF_URI_ECDSA_SHA512;
	return ok ? 0 : -1;
}

/* Signs with a mismatching algorithm name. */
static int
sign_wrong_alg(void *arg, const unsigned char *dg, size_t len,
    unsigned char **sig, size_t *siglen, const char **alg)
{
	int rc = sign_cb(arg, dg, len, sig, siglen, alg);

	*alg = GCONF_URI_RSA_SHA512;
	return rc;
}

static int
sign_fail(void *arg, const unsigned char *dg, size_t len, unsigned char **sig,
    size_t *siglen, const char **alg)
{
	return -1;
}

static struct anchor *
anchor_with(X509 *c1, X509 *c2)
{
	struct anchor	*a = anchor_new("PS", NOW);
	unsigned char	*der = NULL;
	int		 n;

	ck_assert_int_eq(anchor_add_source(a,
	    "http://127.0.0.1:8090/internalconf"), 0);
	n = i2d_X509(c1, &der);
	ck_assert_int_eq(anchor_add_cert(a, 0, der, (size_t)n), 0);
	OPENSSL_free(der);
	if (c2 != NULL) {
		ck_assert_int_eq(anchor_add_source(a, "http://cs2/internalconf"),
		    1);
		der = NULL;
		n = i2d_X509(c2, &der);
		ck_assert_int_eq(anchor_add_cert(a, 1, der, (size_t)n), 0);
		OPENSSL_free(der);
	}
	return a;
}

static void
build(struct testpki_pair *k, unsigned char **body, size_t *len, char **ct)
{
	struct gconf_dir_file	 f[2];
	unsigned char		*der = NULL;
	char			 err[256];
	int			 n;

	memset(f, 0, sizeof(f));
	f[0].df_content_id = GCONF_CID_PRIVATE;
	f[0].df_instance = "PS";
	f[0].df_location = loc_private;
	f[0].df_data = (const unsigned char *)private_xml;
	f[0].df_len = strlen(private_xml);
	f[1].df_content_id = GCONF_CID_SHARED;
	f[1].df_instance = "PS";
	f[1].df_location = loc_shared;
	f[1].df_data = (const unsigned char *)shared_xml;
	f[1].df_len = strlen(shared_xml);
	n = i2d_X509(k->cert, &der);
	ck_assert_msg(gconf_dir_build(f, 2, EXPIRE, 3, der, (size_t)n, sign_cb,
	    k->key, body, len, ct, err, sizeof(err)) == 0, "%s", err);
	OPENSSL_free(der);
}

static int
verify(const unsigned char *body, size_t len, const char *ct,
    const struct anchor *a, int version, time_t now, struct gconf_dir **d)
{
	char	err[256];
	int	rc;

	*d = NULL;
	rc = gconf_dir_parse_verify(d, body, len, ct, a, version, now, err,
	    sizeof(err));
	if (rc != 0)
		ck_assert_ptr_null(*d);
	return rc;
}

static void
check_good(struct testpki_pair *k)
{
	struct anchor			*a = anchor_with(other.cert, k->cert);
	struct gconf_dir		*d;
	const struct gconf_dir_entry	*e;
	unsigned char			*body;
	size_t				 len;
	char				*ct;

	build(k, &body, &len, &ct);
	ck_assert(strncmp(ct, "multipart/related; charset=UTF-8; boundary=",
	    43) == 0);
	ck_assert_int_eq(verify(body, len, ct, a, 3, NOW, &d), 0);
	ck_assert_int_eq(gconf_dir_expire(d), EXPIRE);
	ck_assert_int_eq(gconf_dir_version(d), 3);
	ck_assert_uint_eq(gconf_dir_nentries(d), 2);
	e = gconf_dir_entry(d, 0);
	ck_assert_str_eq(e->de_content_id, GCONF_CID_PRIVATE);
	ck_assert_str_eq(e->de_location, loc_private);
	ck_assert_str_eq(e->de_hash_alg, GCONF_URI_SHA512);
	ck_assert_uint_eq(e->de_hashlen, 64);
	ck_assert_ptr_null(gconf_dir_entry(d, 2));
	e = gconf_dir_find(d, GCONF_CID_SHARED, "PS");
	ck_assert_ptr_nonnull(e);
	ck_assert_str_eq(e->de_instance, "PS");
	ck_assert_ptr_null(gconf_dir_find(d, GCONF_CID_SHARED, "EE"));
	ck_assert_ptr_null(gconf_dir_find(d, "MONITORING", NULL));
	/* Files are checked against their hashes after download. */
	ck_assert_int_eq(gconf_dir_verify_file(e, shared_xml,
	    strlen(shared_xml)), 0);
	ck_assert_int_eq(gconf_dir_verify_file(e, private_xml,
	    strlen(private_xml)), GCONF_DIR_ERR_HASH);
	ck_assert_int_eq(gconf_dir_verify_file(e, "<shared/ >", 10),
	    GCONF_DIR_ERR_HASH);
	/* Any version accepted with 0; up to and at the expiry instant. */
	gconf_dir_free(d);
	ck_assert_int_eq(verify(body, len, ct, a, 0, EXPIRE, &d), 0);
	gconf_dir_free(d);
	free(body);
	free(ct);
	anchor_free(a);
}

START_TEST(test_good_ec)
{
	check_good(&ec);
}
END_TEST

START_TEST(test_good_rsa)
{
	check_good(&rsa);
}
END_TEST

START_TEST(test_layout)
{
	unsigned char	*body;
	size_t		 len;
	char		*ct, *s;

	build(&ec, &body, &len, &ct);
	s = (char *)body;
	ck_assert_uint_eq(strlen(s), len);
	ck_assert_ptr_nonnull(strstr(s, "Content-Type: multipart/mixed; "
	    "charset=UTF-8; boundary="));
	ck_assert_ptr_nonnull(strstr(s, "\r\nExpire-date: 2026-02-02T02:50:00Z"
	    "\r\nVersion: 3\r\n"));
	ck_assert_ptr_nonnull(strstr(s, "Content-identifier: "
	    "SHARED-PARAMETERS; instance=\"PS\"\r\n"));
	ck_assert_ptr_nonnull(strstr(s, "Content-location: "
	    "/V3/20260202024000123456789/shared-params.xml\r\n"));
	ck_assert_ptr_nonnull(strstr(s, "Hash-algorithm-id: "
	    "http://www.w3.org/2001/04/xmlenc#sha512\r\n"));
	ck_assert_ptr_nonnull(strstr(s, "Signature-algorithm-id: "
	    "http://www.w3.org/2001/04/xmldsig-more#ecdsa-sha512\r\n"));
	ck_assert_ptr_nonnull(strstr(s, "; hash-algorithm-id=\""
	    "http://www.w3.org/2001/04/xmlenc#sha512\"\r\n"));
	free(body);
	free(ct);
}
END_TEST

/* Flip one byte at the first occurrence of needle (+ off). */
static void
flip_at(unsigned char *body, size_t len, const char *needle, size_t off,
    unsigned char to)
{
	char *p = strstr((char *)body, needle);

	ck_assert_msg(p != NULL, "no %s", needle);
	ck_assert_uint_lt((size_t)(p - (char *)body) + off, len);
	ck_assert_uint_ne((unsigned char)p[off], to);
	p[off] = (char)to;
}

START_TEST(test_tampering)
{
	struct anchor		*a = anchor_with(ec.cert, NULL);
	struct gconf_dir	*d;
	unsigned char		*body, *copy;
	size_t			 len, sigoff;
	char			*ct, *p;

	build(&ec, &body, &len, &ct);
	copy = malloc(len + 1);

	/* The version, the expiry, a listed hash, a location. */
	memcpy(copy, body, len + 1);
	flip_at(copy, len, "Version: 3", 9, '4');
	ck_assert_int_eq(verify(copy, len, ct, a, 0, NOW, &d),
	    GCONF_DIR_ERR_SIGNATURE);
	memcpy(copy, body, len + 1);
	flip_at(copy, len, "Expire-date: 2026", 16, '7');
	ck_assert_int_eq(verify(copy, len, ct, a, 0, NOW, &d),
	    GCONF_DIR_ERR_SIGNATURE);
	memcpy(copy, body, len + 1);
	p = strstr((char *)copy, "xmlenc#sha512\r\n\r\n");
	p += strlen("xmlenc#sha512\r\n\r\n") + 3;
	*p = *p == 'A' ? 'B' : 'A';
	ck_assert_int_eq(verify(copy, len, ct, a, 0, NOW, &d),
	    GCONF_DIR_ERR_SIGNATURE);
	memcpy(copy, body, len + 1);
	flip_at(copy, len, "shared-params.xml", 0, 'S');
	ck_assert_int_eq(verify(copy, len, ct, a, 0, NOW, &d),
	    GCONF_DIR_ERR_SIGNATURE);

	/* The signature itself: one base64 character. */
	memcpy(copy, body, len + 1);
	p = strstr((char *)copy, "xmlenc#sha512\"\r\n\r\n");
	ck_assert_ptr_nonnull(p);
	sigoff = (size_t)(p - (char *)copy) + strlen("xmlenc#sha512\"\r\n\r\n")
	    + 10;
	copy[sigoff] = copy[sigoff] == 'A' ? 'B' : 'A';
	ck_assert_int_eq(verify(copy, len, ct, a, 0, NOW, &d),
	    GCONF_DIR_ERR_SIGNATURE);
	/* The named certificate hash. */
	memcpy(copy, body, len + 1);
	p = strstr((char *)copy, "Verification-certificate-hash: ");
	p += strlen("Verification-certificate-hash: ") + 2;
	*p = *p == 'A' ? 'B' : 'A';
	ck_assert_int_eq(verify(copy, len, ct, a, 0, NOW, &d),
	    GCONF_DIR_ERR_SIGNATURE);
	/* The algorithm. */
	memcpy(copy, body, len + 1);
	flip_at(copy, len, "ecdsa-sha512", 0, 'r');
	ck_assert_int_eq(verify(copy, len, ct, a, 0, NOW, &d),
	    GCONF_DIR_ERR_SIGNATURE);

	/* Truncated: MIME framing error. */
	ck_assert_int_eq(verify(body, len - 20, ct, a, 0, NOW, &d),
	    GCONF_DIR_ERR_FORMAT);
	/* Wrong boundary in the Content-Type. */
	ck_assert_int_eq(verify(body, len, "multipart/related; boundary=zzz",
	    a, 0, NOW, &d), GCONF_DIR_ERR_FORMAT);
	ck_assert_int_eq(verify(body, len, "text/plain", a, 0, NOW, &d),
	    GCONF_DIR_ERR_FORMAT);
	/* The untouched original still verifies. */
	ck_assert_int_eq(verify(body, len, ct, a, 3, NOW, &d), 0);
	gconf_dir_free(d);
	free(copy);
	free(body);
	free(ct);
	anchor_free(a);
}
END_TEST

START_TEST(test_expiry_version_anchor)
{
	struct anchor		*a = anchor_with(ec.cert, NULL);
	struct anchor		*b = anchor_with(other.cert, rsa.cert);
	struct gconf_dir	*d;
	unsigned char		*body;
	size_t			 len;
	char			*ct;

	build(&ec, &body, &len, &ct);
	ck_assert_int_eq(verify(body, len, ct, a, 3, EXPIRE + 1, &d),
	    GCONF_DIR_ERR_EXPIRED);
	ck_assert_int_eq(verify(body, len, ct, a, 4, NOW, &d),
	    GCONF_DIR_ERR_VERSION);
	/* Signed by a key the anchor does not hold. */
	ck_assert_int_eq(verify(body, len, ct, b, 3, NOW, &d),
	    GCONF_DIR_ERR_SIGNATURE);
	ck_assert_str_eq(gconf_dir_strerror(GCONF_DIR_ERR_EXPIRED),
	    "configuration directory expired");
	free(body);
	free(ct);
	anchor_free(a);
	anchor_free(b);
}
END_TEST

START_TEST(test_saved_file_form)
{
	struct anchor		*a = anchor_with(ec.cert, NULL);
	struct gconf_dir	*d;
	unsigned char		*body, *file;
	size_t			 len, flen;
	char			*ct;

	/* "Content-Type: ...", a blank line, then the body. */
	build(&ec, &body, &len, &ct);
	flen = strlen("Content-Type: ") + strlen(ct) + 4 + len;
	file = malloc(flen + 1);
	(void)snprintf((char *)file, flen + 1, "Content-Type: %s\r\n\r\n%s", ct,
	    body);
	ck_assert_int_eq(verify(file, flen, NULL, a, 3, NOW, &d), 0);
	gconf_dir_free(d);
	/* Without the header block it cannot be read. */
	ck_assert_int_eq(verify(body, len, NULL, a, 3, NOW, &d),
	    GCONF_DIR_ERR_FORMAT);
	free(file);
	free(body);
	free(ct);
	anchor_free(a);
}
END_TEST

static unsigned char *
slurp(const char *name, size_t *len)
{
	char		 path[8192];
	FILE		*f;
	unsigned char	*b;
	long		 n;

	(void)snprintf(path, sizeof(path), "%s/%s", data_dir, name);
	ck_assert_ptr_nonnull(f = fopen(path, "rb"));
	fseek(f, 0, SEEK_END);
	n = ftell(f);
	rewind(f);
	b = malloc((size_t)n + 1);
	ck_assert_uint_eq(fread(b, 1, (size_t)n, f), (size_t)n);
	b[n] = '\0';
	fclose(f);
	*len = (size_t)n;
	return b;
}

START_TEST(test_spec_example)
{
	struct anchor		*a = NULL;
	struct gconf_dir	*d;
	unsigned char		*xml, *dir;
	size_t			 xl, dl;
	char			 err[256];
	int			 rc;

	/*
	 * PR-GCONF's example (LF line ends, folded header, no Version): the
	 * MIME framing and headers are read; its certificate hash and
	 * signature are truncated placeholders, so it fails there and
	 * nowhere earlier.
	 */
	xml = slurp("configuration-anchor.xml", &xl);
	ck_assert_int_eq(anchor_parse(&a, xml, xl, schema_dir, err,
	    sizeof(err)), 0);
	dir = slurp("signed-directory.mime.txt", &dl);
	rc = gconf_dir_parse_verify(&d, dir, dl, NULL, a, 0, 0, err,
	    sizeof(err));
	ck_assert_msg(rc == GCONF_DIR_ERR_SIGNATURE, "%d %s", rc, err);
	ck_assert_msg(strstr(err, "Verification-certificate-hash") != NULL,
	    "%s", err);
	free(xml);
	free(dir);
	anchor_free(a);
}
END_TEST

/*
 * A directory laid out as PR-GCONF's example is (bare LF line ends, a
 * folded Verification-certificate-hash, single-quoted instance, no blank
 * line after the header-only entry), signed here: it verifies.
 */
START_TEST(test_foreign_layout)
{
	struct anchor			*a = anchor_with(ec.cert, NULL);
	struct gconf_dir		*d;
	const struct gconf_dir_entry	*e;
	unsigned char			 h[64], *sig = NULL, *der = NULL;
	unsigned int			 hl;
	size_t				 siglen;
	char				*hb, *sb, *cb, dir[2048], body[8192];
	const char			*alg;
	int				 n, rc;
	char				 err[256];

	ck_assert_int_eq(EVP_Digest(shared_xml, strlen(shared_xml), h, &hl,
	    EVP_sha512(), NULL), 1);
	hb = b64_encode(h, hl);
	n = snprintf(dir, sizeof(dir), "--innerboundary\n"
	    "Expire-date: 2026-02-02T02:50:00Z\n"
	    "--innerboundary\n"
	    "Content-type: application/octet-stream\n"
	    "Content-transfer-encoding: base64\n"
	    "Content-identifier: SHARED-PARAMETERS; instance='PS'\n"
	    "Content-location: /shared-parameters.xml\n"
	    "Hash-algorithm-id: http://www.w3.org/2001/04/xmlenc#sha512\n"
	    "\n%s\n--innerboundary--", hb);
	ck_assert_int_lt(n, (int)sizeof(dir));
	ck_assert_int_eq(EVP_Digest(dir, (size_t)n, h, &hl, EVP_sha512(),
	    NULL), 1);
	ck_assert_int_eq(sign_cb(ec.key, h, hl, &sig, &siglen, &alg), 0);
	sb = b64_encode(sig, siglen);
	n = i2d_X509(ec.cert, &der);
	ck_assert_int_eq(EVP_Digest(der, (size_t)n, h, &hl, EVP_sha512(),
	    NULL), 1);
	cb = b64_encode(h, hl);
	n = snprintf(body, sizeof(body),
	    "Content-Type: multipart/related; charset=UTF-8; "
	    "boundary=envelopeboundary\n\n"
	    "--envelopeboundary\n"
	    "Content-Type: multipart/mixed; charset=UTF-8; "
	    "boundary=innerboundary\n\n%s\n"
	    "--envelopeboundary\n"
	    "Content-type: application/octet-stream\n"
	    "Content-transfer-encoding: base64\n"
	    "Signature-algorithm-id: %s\n"
	    "Verification-certificate-hash: %s;\n"
	    "    hash-algorithm-id=\"http://www.w3.org/2001/04/xmlenc#sha512\"\n"
	    "\n%.40s\n%s\n--envelopeboundary--\n", dir, alg, cb, sb,
	    strlen(sb) > 40 ? sb + 40 : "");
	ck_assert_int_lt(n, (int)sizeof(body));
	rc = gconf_dir_parse_verify(&d, body, (size_t)n, NULL, a, 0, NOW, err,
	    sizeof(err));
	ck_assert_msg(rc == 0, "%d %s", rc, err);
	ck_assert_int_eq(gconf_dir_version(d), 0);
	ck_assert_uint_eq(gconf_dir_nentries(d), 1);
	e = gconf_dir_entry(d, 0);
	ck_assert_str_eq(e->de_instance, "PS");
	ck_assert_str_eq(e->de_location, "/shared-parameters.xml");
	ck_assert_int_eq(gconf_dir_verify_file(e, shared_xml,
	    strlen(shared_xml)), 0);
	gconf_dir_free(d);
	/* Asking for version 3 refuses a directory that does not say. */
	ck_assert_int_eq(gconf_dir_parse_verify(&d, body, (size_t)n, NULL, a,
	    3, NOW, err, sizeof(err)), GCONF_DIR_ERR_VERSION);
	free(hb);
	free(sb);
	free(cb);
	free(sig);
	OPENSSL_free(der);
	anchor_free(a);
}
END_TEST

START_TEST(test_build_errors)
{
	struct gconf_dir_file	 f;
	unsigned char		*der = NULL, *body = NULL;
	size_t			 len;
	char			*ct = NULL, err[256];
	int			 n;

	n = i2d_X509(ec.cert, &der);
	memset(&f, 0, sizeof(f));
	f.df_location = "/V3/x/shared-params.xml";
	f.df_data = (const unsigned char *)"x";
	f.df_len = 1;
	/* Signed with the key of another cert than the one named. */
	ck_assert_int_eq(gconf_dir_build(&f, 1, EXPIRE, 3, der, (size_t)n,
	    sign_cb, other.key, &body, &len, &ct, err, sizeof(err)),
	    GCONF_DIR_ERR_SIGNATURE);
	ck_assert_int_eq(gconf_dir_build(&f, 1, EXPIRE, 3, der, (size_t)n,
	    sign_wrong_alg, ec.key, &body, &len, &ct, err, sizeof(err)),
	    GCONF_DIR_ERR_SIGNATURE);
	ck_assert_int_eq(gconf_dir_build(&f, 1, EXPIRE, 3, der, (size_t)n,
	    sign_fail, NULL, &body, &len, &ct, err, sizeof(err)),
	    GCONF_DIR_ERR_SIGNATURE);
	/* Bad locations and identifiers. */
	f.df_location = "/V3/../etc/passwd";
	ck_assert_int_eq(gconf_dir_build(&f, 1, EXPIRE, 3, der, (size_t)n,
	    sign_cb, ec.key, &body, &len, &ct, err, sizeof(err)),
	    GCONF_DIR_ERR_ARG);
	f.df_location = "relative.xml";
	ck_assert_int_eq(gconf_dir_build(&f, 1, EXPIRE, 3, der, (size_t)n,
	    sign_cb, ec.key, &body, &len, &ct, err, sizeof(err)),
	    GCONF_DIR_ERR_ARG);
	f.df_location = "/a\r\nX-Evil: 1";
	ck_assert_int_eq(gconf_dir_build(&f, 1, EXPIRE, 3, der, (size_t)n,
	    sign_cb, ec.key, &body, &len, &ct, err, sizeof(err)),
	    GCONF_DIR_ERR_ARG);
	f.df_location = "/ok.xml";
	f.df_instance = "P\"S";
	f.df_content_id = GCONF_CID_SHARED;
	ck_assert_int_eq(gconf_dir_build(&f, 1, EXPIRE, 3, der, (size_t)n,
	    sign_cb, ec.key, &body, &len, &ct, err, sizeof(err)),
	    GCONF_DIR_ERR_ARG);
	ck_assert_int_eq(gconf_dir_build(&f, 0, EXPIRE, 3, der, (size_t)n,
	    sign_cb, ec.key, &body, &len, &ct, err, sizeof(err)),
	    GCONF_DIR_ERR_ARG);
	ck_assert_ptr_null(body);
	ck_assert_ptr_null(ct);
	OPENSSL_free(der);
}
END_TEST

START_TEST(test_urls)
{
	char			buf[256];
	struct timespec		ts = { 0, 5 };

	ck_assert_int_eq(gconf_dir_file_url("http://127.0.0.1:8090/internalconf",
	    "/V3/1/shared-params.xml", buf, sizeof(buf)), 0);
	ck_assert_str_eq(buf, "http://127.0.0.1:8090/V3/1/shared-params.xml");
	ck_assert_int_eq(gconf_dir_file_url("https://cs.example?x=1",
	    "/a.xml", buf, sizeof(buf)), 0);
	ck_assert_str_eq(buf, "https://cs.example/a.xml");
	ck_assert_int_eq(gconf_dir_file_url("ftp://cs/x", "/a.xml", buf,
	    sizeof(buf)), -1);
	ck_assert_int_eq(gconf_dir_file_url("http:///x", "/a.xml", buf,
	    sizeof(buf)), -1);
	ck_assert_int_eq(gconf_dir_file_url("http://cs/x", "/a/../b", buf,
	    sizeof(buf)), -1);
	ck_assert_int_eq(gconf_dir_file_url("http://cs/x", "/a.xml", buf, 10),
	    -1);
	ck_assert_int_eq(gconf_dir_location(buf, sizeof(buf), 3, &ts,
	    "private-params.xml"), 0);
	ck_assert_str_eq(buf, "/V3/19700101000000000000005/private-params.xml");
	ck_assert_int_eq(gconf_dir_location(buf, 10, 3, &ts, "x"), -1);
}
END_TEST

static Suite *
gconfdir_suite(void)
{
	Suite	*s = suite_create("gconfdir");
	TCase	*tc = tcase_create("core");

	tcase_add_unchecked_fixture(tc, setup, teardown);
	tcase_add_test(tc, test_good_ec);
	tcase_add_test(tc, test_good_rsa);
	tcase_add_test(tc, test_layout);
	tcase_add_test(tc, test_tampering);
	tcase_add_test(tc, test_expiry_version_anchor);
	tcase_add_test(tc, test_saved_file_form);
	tcase_add_test(tc, test_spec_example);
	tcase_add_test(tc, test_foreign_layout);
	tcase_add_test(tc, test_build_errors);
	tcase_add_test(tc, test_urls);
	suite_add_tcase(s, tc);
	return s;
}

HK_CHECK_MAIN(gconfdir_suite)
