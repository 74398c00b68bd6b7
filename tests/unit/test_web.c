/*
 * Unit tests for hukumati-services/common/web.c: random hex, cookie
 * reading and formatting, security headers, UTF-8 text checks, 429.
 */
#include "config.h"

#include <string.h>

#include <event2/http.h>
#include <event2/keyvalq_struct.h>

#include "web.h"
#include "hk_check.h"

static struct evhttp_request *
req_cookie(const char *c1, const char *c2)
{
	struct evhttp_request	*r = evhttp_request_new(NULL, NULL);

	ck_assert_ptr_nonnull(r);
	if (c1 != NULL)
		evhttp_add_header(evhttp_request_get_input_headers(r),
		    "Cookie", c1);
	if (c2 != NULL)
		evhttp_add_header(evhttp_request_get_input_headers(r),
		    "cookie", c2);
	return r;
}

START_TEST(test_random_hex)
{
	char	 a[65], b[65], small[10];

	ck_assert_int_eq(web_random_hex(a, sizeof(a), 32), 0);
	ck_assert_int_eq(web_random_hex(b, sizeof(b), 32), 0);
	ck_assert_uint_eq(strlen(a), 64);
	ck_assert_str_ne(a, b);
	ck_assert_uint_eq(strspn(a, "0123456789abcdef"), 64);
	ck_assert_int_eq(web_random_hex(small, sizeof(small), 5), -1);
	ck_assert_str_eq(small, "");
	ck_assert_int_eq(web_random_hex(a, sizeof(a), 0), -1);
	ck_assert_int_eq(web_hex("\x01\xab", 2, small, sizeof(small)), 0);
	ck_assert_str_eq(small, "01ab");
}
END_TEST

START_TEST(test_cookie_get)
{
	struct evhttp_request	*r;
	char			 v[16];

	r = req_cookie("a=1; lang=en; b=2", NULL);
	ck_assert_int_eq(web_cookie_get(r, "lang", v, sizeof(v)), 1);
	ck_assert_str_eq(v, "en");
	ck_assert_int_eq(web_cookie_get(r, "a", v, sizeof(v)), 1);
	ck_assert_str_eq(v, "1");
	ck_assert_int_eq(web_cookie_get(r, "la", v, sizeof(v)), 0);
	ck_assert_int_eq(web_cookie_get(r, "c", v, sizeof(v)), 0);
	evhttp_request_free(r);

	/* Second header, quoted value, blanks, a pair without '='. */
	r = req_cookie("junk; x=y", " lang = \"ar\" ;z=");
	ck_assert_int_eq(web_cookie_get(r, "lang", v, sizeof(v)), 1);
	ck_assert_str_eq(v, "ar");
	ck_assert_int_eq(web_cookie_get(r, "z", v, sizeof(v)), 1);
	ck_assert_str_eq(v, "");
	evhttp_request_free(r);

	/* Too long, or bytes outside cookie-octet: refused. */
	r = req_cookie("lang=0123456789abcdefghij; q=a\\b; s=a,b", NULL);
	ck_assert_int_eq(web_cookie_get(r, "lang", v, sizeof(v)), -1);
	ck_assert_str_eq(v, "");
	ck_assert_int_eq(web_cookie_get(r, "q", v, sizeof(v)), -1);
	ck_assert_int_eq(web_cookie_get(r, "s", v, sizeof(v)), -1);
	evhttp_request_free(r);
	r = req_cookie(NULL, NULL);
	ck_assert_int_eq(web_cookie_get(r, "lang", v, sizeof(v)), 0);
	evhttp_request_free(r);
}
END_TEST

START_TEST(test_cookie_format)
{
	struct web_cookie	 c;
	char			 v[256];

	memset(&c, 0, sizeof(c));
	c.wc_name = "sid";
	c.wc_value = "abc";
	c.wc_max_age = -1;
	c.wc_http_only = 1;
	ck_assert_int_eq(web_cookie_format(&c, v, sizeof(v)), 0);
	ck_assert_str_eq(v, "sid=abc; Path=/; HttpOnly; SameSite=Lax");
	c.wc_path = "/officer";
	c.wc_max_age = 0;
	c.wc_value = "";
	c.wc_secure = 1;
	c.wc_samesite = WEB_SAMESITE_STRICT;
	ck_assert_int_eq(web_cookie_format(&c, v, sizeof(v)), 0);
	ck_assert_str_eq(v, "sid=; Path=/officer; Max-Age=0; HttpOnly; "
	    "Secure; SameSite=Strict");
	/* Header injection and bad names are refused. */
	c.wc_value = "a;b";
	ck_assert_int_eq(web_cookie_format(&c, v, sizeof(v)), -1);
	c.wc_value = "a\r\nX: y";
	ck_assert_int_eq(web_cookie_format(&c, v, sizeof(v)), -1);
	c.wc_value = "ok";
	c.wc_name = "a b";
	ck_assert_int_eq(web_cookie_format(&c, v, sizeof(v)), -1);
	c.wc_name = "sid";
	c.wc_path = "/x;Domain=evil";
	ck_assert_int_eq(web_cookie_format(&c, v, sizeof(v)), -1);
	c.wc_path = "/";
	c.wc_secure = 0;
	c.wc_samesite = WEB_SAMESITE_NONE;
	ck_assert_int_eq(web_cookie_format(&c, v, sizeof(v)), -1);
	c.wc_samesite = WEB_SAMESITE_LAX;
	ck_assert_int_eq(web_cookie_format(&c, v, 10), -1);
}
END_TEST

START_TEST(test_security_headers)
{
	struct evhttp_request	*r = evhttp_request_new(NULL, NULL);
	struct evkeyvalq	*h = evhttp_request_get_output_headers(r);
	const char		*csp;

	evhttp_add_header(h, "X-Frame-Options", "SAMEORIGIN");
	web_security_headers(r, WEB_HDR_NOSTORE);
	csp = evhttp_find_header(h, "Content-Security-Policy");
	ck_assert_ptr_nonnull(csp);
	ck_assert(strstr(csp, "default-src 'self'") != NULL);
	ck_assert(strstr(csp, "frame-ancestors 'none'") != NULL);
	ck_assert_str_eq(evhttp_find_header(h, "X-Frame-Options"), "DENY");
	ck_assert_str_eq(evhttp_find_header(h, "X-Content-Type-Options"),
	    "nosniff");
	ck_assert_ptr_nonnull(evhttp_find_header(h, "Referrer-Policy"));
	ck_assert_str_eq(evhttp_find_header(h, "Cache-Control"), "no-store");
	ck_assert_ptr_null(evhttp_find_header(h,
	    "Strict-Transport-Security"));
	web_security_headers(r, WEB_HDR_HSTS);
	ck_assert_ptr_nonnull(evhttp_find_header(h,
	    "Strict-Transport-Security"));
	evhttp_request_free(r);
}
END_TEST

START_TEST(test_utf8)
{
	ck_assert_int_eq(web_utf8_text("plain ascii\ttab\r\n"), 1);
	ck_assert_int_eq(web_utf8_text("\xd8\xa3\xd8\xad\xd9\x85\xd8\xaf"), 1);
	ck_assert_int_eq(web_utf8_text("\xf0\x9f\x98\x80"), 1);
	ck_assert_int_eq(web_utf8_text(""), 1);
	ck_assert_int_eq(web_utf8_text("bell\a"), 0);
	ck_assert_int_eq(web_utf8_text("del\x7f"), 0);
	ck_assert_int_eq(web_utf8_text("\xc0\xaf"), 0);	/* overlong */
	ck_assert_int_eq(web_utf8_text("\xed\xa0\x80"), 0);	/* surrogate */
	ck_assert_int_eq(web_utf8_text("\xf4\x90\x80\x80"), 0);	/* > U+10FFFF */
	ck_assert_int_eq(web_utf8_text("\xd8"), 0);		/* cut */
	ck_assert_int_eq(web_utf8_text("\xc2\x85"), 0);	/* C1 control */
	ck_assert_int_eq(web_utf8_text("\xff"), 0);
}
END_TEST

static Suite *
web_suite(void)
{
	Suite	*s = suite_create("web");
	TCase	*tc = tcase_create("web");

	tcase_add_test(tc, test_random_hex);
	tcase_add_test(tc, test_cookie_get);
	tcase_add_test(tc, test_cookie_format);
	tcase_add_test(tc, test_security_headers);
	tcase_add_test(tc, test_utf8);
	suite_add_tcase(s, tc);
	return s;
}

HK_CHECK_MAIN(web_suite)
