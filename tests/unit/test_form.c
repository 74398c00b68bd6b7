/*
 * Unit tests for hukumati-services/common/form.c: content types, decoding,
 * %00, repeated fields, trimming, lengths, UTF-8.
 */
#include "config.h"

#include <string.h>

#include "form.h"
#include "http.h"
#include "hk_check.h"

#define CT	"application/x-www-form-urlencoded"

static struct http_query *
parse_ok(const char *ct, const char *body)
{
	struct http_query	*q = NULL;

	ck_assert_int_eq(form_parse_body(ct, body, strlen(body), &q),
	    FORM_OK);
	ck_assert_ptr_nonnull(q);
	return q;
}

START_TEST(test_types)
{
	struct http_query	*q = NULL;

	http_query_free(parse_ok(CT, "a=1"));
	http_query_free(parse_ok("Application/X-WWW-Form-Urlencoded; "
	    "charset=UTF-8", "a=1"));
	http_query_free(parse_ok(CT, ""));
	ck_assert_int_eq(form_parse_body("text/plain", "a=1", 3, &q),
	    FORM_BAD_TYPE);
	ck_assert_int_eq(form_parse_body(NULL, "a=1", 3, &q), FORM_BAD_TYPE);
	ck_assert_int_eq(form_parse_body(CT "x", "a=1", 3, &q),
	    FORM_BAD_TYPE);
	ck_assert_int_eq(form_parse_body("multipart/form-data; boundary=x",
	    "a=1", 3, &q), FORM_BAD_TYPE);
	ck_assert_ptr_null(q);
}
END_TEST

START_TEST(test_decode)
{
	struct http_query	*q;
	char			 v[64];

	q = parse_ok(CT, "name=Ahmad+Odeh&ar=%D8%A3%D8%AD%D9%85%D8%AF"
	    "&pw=a%26b%3Dc&empty=&blank=+++");
	ck_assert_int_eq(form_field(q, "name", 1, v, sizeof(v)), FIELD_OK);
	ck_assert_str_eq(v, "Ahmad Odeh");
	ck_assert_int_eq(form_field(q, "ar", 1, v, sizeof(v)), FIELD_OK);
	ck_assert_str_eq(v, "\xd8\xa3\xd8\xad\xd9\x85\xd8\xaf");
	ck_assert_int_eq(form_field(q, "pw", 0, v, sizeof(v)), FIELD_OK);
	ck_assert_str_eq(v, "a&b=c");
	ck_assert_int_eq(form_field(q, "empty", 1, v, sizeof(v)),
	    FIELD_MISSING);
	ck_assert_int_eq(form_field(q, "blank", 1, v, sizeof(v)),
	    FIELD_MISSING);
	ck_assert_int_eq(form_field(q, "blank", 0, v, sizeof(v)), FIELD_OK);
	ck_assert_str_eq(v, "   ");
	ck_assert_int_eq(form_field(q, "absent", 1, v, sizeof(v)),
	    FIELD_MISSING);
	http_query_free(q);
}
END_TEST

START_TEST(test_bad)
{
	struct http_query	*q = NULL;
	char			 v[8], w[16];

	/* An encoded NUL would cut a value short: refused. */
	ck_assert_int_eq(form_parse_body(CT, "pw=abc%00def", 12, &q),
	    FORM_MALFORMED);
	ck_assert_int_eq(form_parse_body(CT, "a=1\0b=2", 7, &q),
	    FORM_MALFORMED);
	q = parse_ok(CT, "a=1&a=2&b=%01&c=%C0%AF&d=12345678&e=+x+");
	ck_assert_int_eq(form_field(q, "a", 1, v, sizeof(v)), FIELD_BAD);
	ck_assert_str_eq(v, "");
	ck_assert_int_eq(form_field(q, "b", 1, v, sizeof(v)), FIELD_BAD);
	ck_assert_int_eq(form_field(q, "c", 1, v, sizeof(v)), FIELD_BAD);
	/* 8 bytes do not fit 8 (one is the NUL, one the margin). */
	ck_assert_int_eq(form_field(q, "d", 1, v, sizeof(v)), FIELD_BAD);
	ck_assert_int_eq(form_field(q, "d", 1, w, 10), FIELD_OK);
	ck_assert_str_eq(w, "12345678");
	ck_assert_int_eq(form_field(q, "e", 1, v, sizeof(v)), FIELD_OK);
	ck_assert_str_eq(v, "x");
	http_query_free(q);
}
END_TEST

static Suite *
form_suite(void)
{
	Suite	*s = suite_create("form");
	TCase	*tc = tcase_create("form");

	tcase_add_test(tc, test_types);
	tcase_add_test(tc, test_decode);
	tcase_add_test(tc, test_bad);
	suite_add_tcase(s, tc);
	return s;
}

HK_CHECK_MAIN(form_suite)
