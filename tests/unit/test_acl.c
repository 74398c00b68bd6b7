/* Unit tests for acl.c: path normalisation and glob matching. */
#include "config.h"

#include "securityserverd.h"
#include "hk_check.h"

static const char *
norm(const char *in)
{
	static char out[512];

	if (acl_path_normalize(in, out, sizeof(out)) != 0)
		return NULL;
	return out;
}

START_TEST(test_normalize)
{
	ck_assert_str_eq(norm("/"), "/");
	ck_assert_str_eq(norm("/a/b"), "/a/b");
	ck_assert_str_eq(norm("/a//b/"), "/a/b");
	ck_assert_str_eq(norm("/a/./b"), "/a/b");
	ck_assert_str_eq(norm("/a/x/../b"), "/a/b");
	ck_assert_str_eq(norm("/a/%62"), "/a/b");
	ck_assert_str_eq(norm("/a/%2f"), "/a/%2F");
	ck_assert_str_eq(norm("/a/b?x=/../y"), "/a/b");
	ck_assert_ptr_null(norm("/../etc"));
	ck_assert_ptr_null(norm("/a/%zz"));
	ck_assert_ptr_null(norm("/a/%00"));
	ck_assert_ptr_null(norm("a/b"));
	ck_assert_ptr_null(norm("/a/\x01"));
}
END_TEST

START_TEST(test_glob)
{
	ck_assert(acl_path_match("/**", "/"));
	ck_assert(acl_path_match("/**", "/a/b/c"));
	ck_assert(acl_path_match("/persons/*", "/persons/123"));
	ck_assert(!acl_path_match("/persons/*", "/persons/123/x"));
	ck_assert(acl_path_match("/persons/**", "/persons/123/x"));
	ck_assert(acl_path_match("/persons/*/photo", "/persons/9/photo"));
	ck_assert(!acl_path_match("/persons/*/photo", "/persons/9/x/photo"));
	ck_assert(acl_path_match("/a/**/z", "/a/b/c/z"));
	ck_assert(!acl_path_match("/a/b", "/a/bc"));
	ck_assert(acl_path_match("/a/b*", "/a/bc"));
}
END_TEST

START_TEST(test_method)
{
	ck_assert(acl_method_match("*", "DELETE"));
	ck_assert(acl_method_match("GET", "get"));
	ck_assert(!acl_method_match("GET", "POST"));
}
END_TEST

static Suite *
acl_suite(void)
{
	Suite	*s = suite_create("acl");
	TCase	*tc = tcase_create("core");

	tcase_add_test(tc, test_normalize);
	tcase_add_test(tc, test_glob);
	tcase_add_test(tc, test_method);
	suite_add_tcase(s, tc);
	return s;
}

HK_CHECK_MAIN(acl_suite)
