/*
 * Unit tests for anchor.c (configuration anchors) and xsd.c (safe XML
 * reading, schema validation, xs:dateTime).
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "anchor.h"
#include "hk_check.h"
#include "xsd.h"

static char	schema_dir[4096];
static char	data_dir[4096];

static void
setup(void)
{
	const char *top = getenv("top_srcdir");

	if (top == NULL)
		top = ".";
	(void)snprintf(schema_dir, sizeof(schema_dir),
	    "%s/securityserver/schemas", top);
	(void)snprintf(data_dir, sizeof(data_dir), "%s/tests/data/globalconf",
	    top);
}

static unsigned char *
slurp(const char *dir, const char *name, size_t *len)
{
	char		 path[8192];
	FILE		*f;
	unsigned char	*b;
	long		 n;

	(void)snprintf(path, sizeof(path), "%s/%s", dir, name);
	f = fopen(path, "rb");
	ck_assert_msg(f != NULL, "cannot open %s", path);
	ck_assert_int_eq(fseek(f, 0, SEEK_END), 0);
	n = ftell(f);
	ck_assert_int_ge(n, 0);
	rewind(f);
	b = malloc((size_t)n + 1);
	ck_assert_ptr_nonnull(b);
	ck_assert_uint_eq(fread(b, 1, (size_t)n, f), (size_t)n);
	b[n] = '\0';
	fclose(f);
	*len = (size_t)n;
	return b;
}

static struct anchor *
sample_anchor(void)
{
	static const unsigned char c1[] = { 0x30, 0x82, 0x01, 0x02, 0xff };
	static const unsigned char c2[] = "second cert & <stuff>";
	struct anchor	*a;
	int		 s0, s1;

	a = anchor_new("PS", 1770000000);
	ck_assert_ptr_nonnull(a);
	s0 = anchor_add_source(a, "http://127.0.0.1:8090/internalconf");
	s1 = anchor_add_source(a, "https://cs2.example/internalconf?x=1&y=2");
	ck_assert_int_eq(s0, 0);
	ck_assert_int_eq(s1, 1);
	ck_assert_int_eq(anchor_add_cert(a, 0, c1, sizeof(c1)), 0);
	ck_assert_int_eq(anchor_add_cert(a, 1, c1, sizeof(c1)), 0);
	ck_assert_int_eq(anchor_add_cert(a, 1, c2, sizeof(c2)), 0);
	return a;
}

START_TEST(test_roundtrip)
{
	struct anchor	*a = sample_anchor(), *b = NULL;
	unsigned char	*xml, *xml2;
	size_t		 len, len2, cl;
	char		 err[256];

	ck_assert_int_eq(anchor_write(a, &xml, &len), 0);
	ck_assert_ptr_nonnull(strstr((char *)xml, "<tns:configurationAnchor"));
	ck_assert_ptr_nonnull(strstr((char *)xml,
	    "<generatedAt>2026-02-02T02:40:00Z</generatedAt>"));
	ck_assert_ptr_nonnull(strstr((char *)xml, "x=1&amp;y=2"));
	ck_assert_msg(anchor_parse(&b, xml, len, schema_dir, err,
	    sizeof(err)) == 0, "%s", err);
	ck_assert(anchor_equal(a, b));
	ck_assert_str_eq(anchor_instance(b), "PS");
	ck_assert_int_eq(anchor_generated_at(b), 1770000000);
	ck_assert_uint_eq(anchor_nsources(b), 2);
	ck_assert_str_eq(anchor_source_url(b, 1),
	    "https://cs2.example/internalconf?x=1&y=2");
	ck_assert_uint_eq(anchor_source_ncerts(b, 1), 2);
	ck_assert_ptr_nonnull(anchor_source_cert(b, 1, 1, &cl));
	ck_assert_uint_eq(cl, sizeof("second cert & <stuff>"));
	ck_assert_ptr_null(anchor_source_cert(b, 1, 2, &cl));
	ck_assert_ptr_null(anchor_source_url(b, 2));
	/* Writing the parsed anchor gives the same bytes. */
	ck_assert_int_eq(anchor_write(b, &xml2, &len2), 0);
	ck_assert_uint_eq(len, len2);
	ck_assert_mem_eq(xml, xml2, len);
	free(xml);
	free(xml2);
	anchor_free(a);
	anchor_free(b);
}
END_TEST

START_TEST(test_no_generated_at_and_dup)
{
	struct anchor	*a, *c, *b = NULL;
	unsigned char	*xml;
	size_t		 len;
	char		 err[256];

	a = anchor_new("EE-test", 0);
	ck_assert_int_eq(anchor_add_source(a, "http://x/conf"), 0);
	ck_assert_int_eq(anchor_add_cert(a, 0, (const unsigned char *)"k", 1),
	    0);
	c = anchor_dup(a);
	ck_assert(anchor_equal(a, c));
	ck_assert_int_eq(anchor_write(c, &xml, &len), 0);
	ck_assert_ptr_null(strstr((char *)xml, "generatedAt"));
	ck_assert_msg(anchor_parse(&b, xml, len, schema_dir, err,
	    sizeof(err)) == 0, "%s", err);
	ck_assert_int_eq(anchor_generated_at(b), 0);
	ck_assert(anchor_equal(a, b));
	/* Differences are seen. */
	ck_assert_int_eq(anchor_add_cert(c, 0, (const unsigned char *)"j", 1),
	    0);
	ck_assert(!anchor_equal(a, c));
	free(xml);
	anchor_free(a);
	anchor_free(b);
	anchor_free(c);
}
END_TEST

START_TEST(test_example_anchor)
{
	struct anchor	*a = NULL;
	unsigned char	*xml;
	const unsigned char *c;
	size_t		 len, cl;
	char		 err[256];

	xml = slurp(data_dir, "configuration-anchor.xml", &len);
	ck_assert_msg(anchor_parse(&a, xml, len, schema_dir, err,
	    sizeof(err)) == 0, "%s", err);
	ck_assert_str_eq(anchor_instance(a), "EE");
	/* 2014-05-20T16:42:55Z */
	ck_assert_int_eq(anchor_generated_at(a), 1400604175);
	ck_assert_uint_eq(anchor_nsources(a), 1);
	ck_assert_str_eq(anchor_source_url(a, 0), "http://10.10.10.10/conf");
	c = anchor_source_cert(a, 0, 0, &cl);
	ck_assert_uint_eq(cl, 7);
	ck_assert_mem_eq(c, "default", 7);
	free(xml);
	anchor_free(a);
}
END_TEST

static void
expect_reject(const char *xml, const char *needle)
{
	struct anchor	*a = NULL;
	char		 err[256] = "";

	ck_assert_int_eq(anchor_parse(&a, xml, strlen(xml), schema_dir, err,
	    sizeof(err)), -1);
	ck_assert_ptr_null(a);
	ck_assert_msg(strstr(err, needle) != NULL, "error \"%s\" lacks \"%s\"",
	    err, needle);
}

#define NS "xmlns:tns=\"http://x-road.eu/xsd/xroad.xsd\""

START_TEST(test_bad_anchors)
{
	/* Missing instanceIdentifier: the schema says no. */
	expect_reject("<tns:configurationAnchor " NS "><source><downloadURL>"
	    "http://x</downloadURL><verificationCert>AAAA</verificationCert>"
	    "</source></tns:configurationAnchor>", "not schema-valid");
	/* A source without a certificate. */
	expect_reject("<tns:configurationAnchor " NS "><instanceIdentifier>EE"
	    "</instanceIdentifier><source><downloadURL>http://x</downloadURL>"
	    "</source></tns:configurationAnchor>", "not schema-valid");
	/* Not base64 (libxml2's base64Binary check lets this through). */
	expect_reject("<tns:configurationAnchor " NS "><instanceIdentifier>EE"
	    "</instanceIdentifier><source><downloadURL>http://x</downloadURL>"
	    "<verificationCert>!!!</verificationCert></source>"
	    "</tns:configurationAnchor>", "bad verificationCert");
	/* Empty instance passes the schema but not us. */
	expect_reject("<tns:configurationAnchor " NS "><instanceIdentifier>"
	    "</instanceIdentifier><source><downloadURL>http://x</downloadURL>"
	    "<verificationCert>AAAA</verificationCert></source>"
	    "</tns:configurationAnchor>", "empty instanceIdentifier");
	/* Wrong namespace. */
	expect_reject("<configurationAnchor><instanceIdentifier>EE"
	    "</instanceIdentifier></configurationAnchor>", "not schema-valid");
	/* DOCTYPE (entity expansion attacks) refused before anything else. */
	expect_reject("<?xml version=\"1.0\"?><!DOCTYPE a [<!ENTITY x \"y\">]>"
	    "<tns:configurationAnchor " NS "/>", "DOCTYPE");
	expect_reject("<tns:configurationAnchor " NS ">", "not well-formed");
	expect_reject("", "empty");
}
END_TEST

START_TEST(test_builder_limits)
{
	struct anchor	*a;
	unsigned char	*xml = NULL;
	size_t		 len;
	int		 i;

	ck_assert_ptr_null(anchor_new("", 0));
	ck_assert_ptr_null(anchor_new(NULL, 0));
	a = anchor_new("PS", 0);
	/* No source: the schema needs one, so writing fails. */
	ck_assert_int_eq(anchor_write(a, &xml, &len), -1);
	ck_assert_int_eq(anchor_add_source(a, ""), -1);
	ck_assert_int_eq(anchor_add_source(a, "http://x"), 0);
	/* A source without a certificate cannot be written either. */
	ck_assert_int_eq(anchor_write(a, &xml, &len), -1);
	ck_assert_int_eq(anchor_add_cert(a, 1, (const unsigned char *)"x", 1),
	    -1);
	ck_assert_int_eq(anchor_add_cert(a, 0, NULL, 0), -1);
	for (i = 1; i < ANCHOR_MAX_SOURCES; i++)
		ck_assert_int_eq(anchor_add_source(a, "http://y"), i);
	ck_assert_int_eq(anchor_add_source(a, "http://z"), -1);
	anchor_free(a);
	anchor_free(NULL);
}
END_TEST

START_TEST(test_datetime)
{
	time_t	t;
	char	buf[XSD_DATETIME_LEN];

	ck_assert_int_eq(xsd_parse_datetime("2014-05-20T16:42:55Z", &t), 0);
	ck_assert_int_eq(t, 1400604175);
	ck_assert_int_eq(xsd_parse_datetime("2014-05-20T16:42:55.123Z", &t),
	    0);
	ck_assert_int_eq(t, 1400604175);
	ck_assert_int_eq(xsd_parse_datetime("2014-05-20T18:42:55+02:00", &t),
	    0);
	ck_assert_int_eq(t, 1400604175);
	ck_assert_int_eq(xsd_parse_datetime(" 2014-05-20T16:42:55 ", &t), 0);
	ck_assert_int_eq(t, 1400604175);
	ck_assert_int_eq(xsd_parse_datetime("2014-05-20 16:42:55Z", &t), -1);
	ck_assert_int_eq(xsd_parse_datetime("2014-13-20T16:42:55Z", &t), -1);
	ck_assert_int_eq(xsd_parse_datetime("2014-05-20T16:42:55Zjunk", &t),
	    -1);
	ck_assert_int_eq(xsd_parse_datetime("2014-05-20T16:42", &t), -1);
	ck_assert_int_eq(xsd_format_datetime(1400604175, buf, sizeof(buf)), 0);
	ck_assert_str_eq(buf, "2014-05-20T16:42:55Z");
}
END_TEST

START_TEST(test_xsd_errors)
{
	char		 err[256];
	struct xsd	*x;

	x = xsd_load(schema_dir, "no-such.xsd", err, sizeof(err));
	ck_assert_ptr_null(x);
	ck_assert(err[0] != '\0');
	x = xsd_load(schema_dir, ANCHOR_SCHEMA, err, sizeof(err));
	ck_assert_ptr_nonnull(x);
	xsd_free(x);
	xsd_free(NULL);
}
END_TEST

static Suite *
anchor_suite(void)
{
	Suite	*s = suite_create("anchor");
	TCase	*tc = tcase_create("core");

	tcase_add_checked_fixture(tc, setup, NULL);
	tcase_add_test(tc, test_roundtrip);
	tcase_add_test(tc, test_no_generated_at_and_dup);
	tcase_add_test(tc, test_example_anchor);
	tcase_add_test(tc, test_bad_anchors);
	tcase_add_test(tc, test_builder_limits);
	tcase_add_test(tc, test_datetime);
	tcase_add_test(tc, test_xsd_errors);
	suite_add_tcase(s, tc);
	return s;
}

HK_CHECK_MAIN(anchor_suite)
