/* Unit tests for buf.c: bounded growable buffers. */
#include "config.h"

#include <stdint.h>
#include <string.h>

#include "buf.h"
#include "hk_check.h"

START_TEST(test_append_and_cap)
{
	struct buf	*b = buf_new(10);

	ck_assert_ptr_nonnull(b);
	ck_assert_int_eq(buf_append_str(b, "hello"), 0);
	ck_assert_int_eq(buf_append_str(b, "world"), 0);
	ck_assert_uint_eq(buf_len(b), 10);
	ck_assert_str_eq(buf_str(b), "helloworld");
	/* One byte past the cap fails and changes nothing. */
	ck_assert_int_eq(buf_append(b, "!", 1), BUF_ERR_FULL);
	ck_assert_str_eq(buf_str(b), "helloworld");
	buf_free(b);
}
END_TEST

START_TEST(test_printf_grows)
{
	struct buf	*b = buf_new(100000);
	int		 i;

	for (i = 0; i < 1000; i++)
		ck_assert_int_eq(buf_printf(b, "%03d,", i), 0);
	ck_assert_uint_eq(buf_len(b), 4000);
	ck_assert(strncmp(buf_str(b), "000,001,", 8) == 0);
	ck_assert_int_eq(buf_printf(b, "%99999d", 1), BUF_ERR_FULL);
	ck_assert_uint_eq(buf_len(b), 4000);
	buf_free(b);
}
END_TEST

START_TEST(test_consume_release)
{
	struct buf	*b = buf_new(64);
	unsigned char	*p;
	size_t		 len;

	ck_assert_int_eq(buf_append_str(b, "abcdef"), 0);
	buf_consume(b, 2);
	ck_assert_str_eq(buf_str(b), "cdef");
	buf_consume(b, 100);
	ck_assert_uint_eq(buf_len(b), 0);
	ck_assert_int_eq(buf_append_str(b, "xyz"), 0);
	p = buf_release(b, &len);
	ck_assert_uint_eq(len, 3);
	ck_assert_str_eq((char *)p, "xyz");
	free(p);
}
END_TEST

START_TEST(test_zero_max_and_null_free)
{
	ck_assert_ptr_null(buf_new(0));
	ck_assert_ptr_null(buf_new(SIZE_MAX));
	buf_free(NULL);
	buf_free_secret(NULL);
}
END_TEST

static Suite *
buf_suite(void)
{
	Suite	*s = suite_create("buf");
	TCase	*tc = tcase_create("core");

	tcase_add_test(tc, test_append_and_cap);
	tcase_add_test(tc, test_printf_grows);
	tcase_add_test(tc, test_consume_release);
	tcase_add_test(tc, test_zero_max_and_null_free);
	suite_add_tcase(s, tc);
	return s;
}

HK_CHECK_MAIN(buf_suite)
