/* Unit tests for compat.c: strlcpy, strlcat, strtonum. */
#include "config.h"

#include <string.h>

#include "compat.h"
#include "hk_check.h"

START_TEST(test_strlcpy_truncates)
{
	char	d[4];

	ck_assert_uint_eq(strlcpy(d, "abcdef", sizeof(d)), 6);
	ck_assert_str_eq(d, "abc");
	ck_assert_uint_eq(strlcpy(d, "ab", sizeof(d)), 2);
	ck_assert_str_eq(d, "ab");
	ck_assert_uint_eq(strlcat(d, "xyz", sizeof(d)), 5);
	ck_assert_str_eq(d, "abx");
}
END_TEST

START_TEST(test_strtonum)
{
	const char	*err;

	ck_assert_int_eq(strtonum("42", 0, 100, &err), 42);
	ck_assert_ptr_null(err);
	ck_assert_int_eq(strtonum("101", 0, 100, &err), 0);
	ck_assert_str_eq(err, "too large");
	ck_assert_int_eq(strtonum("-1", 0, 100, &err), 0);
	ck_assert_str_eq(err, "too small");
	ck_assert_int_eq(strtonum("12x", 0, 100, &err), 0);
	ck_assert_str_eq(err, "invalid");
	ck_assert_int_eq(strtonum("", 0, 100, &err), 0);
	ck_assert_str_eq(err, "invalid");
	ck_assert_int_eq(strtonum("99999999999999999999", 0, 100, &err), 0);
	ck_assert_str_eq(err, "too large");
}
END_TEST

static Suite *
compat_suite(void)
{
	Suite	*s = suite_create("compat");
	TCase	*tc = tcase_create("core");

	tcase_add_test(tc, test_strlcpy_truncates);
	tcase_add_test(tc, test_strtonum);
	suite_add_tcase(s, tc);
	return s;
}

HK_CHECK_MAIN(compat_suite)
