/*
 * Unit tests for hukumati-services/common/ratelimit.c: burst, refill,
 * Retry-After seconds, independent keys, the key cap and eviction, all
 * on an injected clock.
 */
#include "config.h"

#include <stdio.h>

#include "ratelimit.h"
#include "hk_check.h"

static int64_t	 now_ms = 1000000;

static int64_t
test_clock(void *arg)
{
	(void)arg;
	return now_ms;
}

START_TEST(test_burst_and_refill)
{
	struct ratelimit	*rl;
	unsigned int		 ra = 0;
	int			 i;

	/* 5 at once, then one every 12 s (5 a minute). */
	rl = ratelimit_new(5.0 / 60.0, 5, 100, test_clock, NULL);
	ck_assert_ptr_nonnull(rl);
	for (i = 0; i < 5; i++)
		ck_assert_int_eq(ratelimit_take(rl, "10.0.0.1", &ra), 0);
	ck_assert_int_eq(ratelimit_take(rl, "10.0.0.1", &ra), 1);
	ck_assert_uint_eq(ra, 12);
	now_ms += 5000;
	ck_assert_int_eq(ratelimit_take(rl, "10.0.0.1", &ra), 1);
	ck_assert_uint_eq(ra, 7);
	now_ms += 6500;
	ck_assert_int_eq(ratelimit_take(rl, "10.0.0.1", &ra), 1);
	ck_assert_uint_eq(ra, 1);	/* 0.5 s left: rounded up */
	now_ms += 500;
	ck_assert_int_eq(ratelimit_take(rl, "10.0.0.1", &ra), 0);
	ck_assert_int_eq(ratelimit_take(rl, "10.0.0.1", NULL), 1);
	/* Another key has its own bucket. */
	ck_assert_int_eq(ratelimit_take(rl, "10.0.0.2", &ra), 0);
	/* A long pause refills to the burst, not beyond. */
	now_ms += 3600 * 1000;
	for (i = 0; i < 5; i++)
		ck_assert_int_eq(ratelimit_take(rl, "10.0.0.1", &ra), 0);
	ck_assert_int_eq(ratelimit_take(rl, "10.0.0.1", &ra), 1);
	/* The clock going back takes nothing and gives nothing. */
	now_ms -= 60 * 1000;
	ck_assert_int_eq(ratelimit_take(rl, "10.0.0.1", &ra), 1);
	ratelimit_free(rl);
}
END_TEST

START_TEST(test_key_cap)
{
	struct ratelimit	*rl;
	char			 k[32];
	int			 i;

	rl = ratelimit_new(1.0, 2, 10, test_clock, NULL);
	ck_assert_ptr_nonnull(rl);
	for (i = 0; i < 10; i++) {
		(void)snprintf(k, sizeof(k), "k%d", i);
		ck_assert_int_eq(ratelimit_take(rl, k, NULL), 0);
		ck_assert_int_eq(ratelimit_take(rl, k, NULL), 0);
		now_ms += 10;
	}
	ck_assert_uint_eq(ratelimit_size(rl), 10);
	ck_assert_int_eq(ratelimit_take(rl, "k9", NULL), 1);
	/* A new key when full drops the least recently used one (k0)... */
	ck_assert_int_eq(ratelimit_take(rl, "new", NULL), 0);
	ck_assert_uint_eq(ratelimit_size(rl), 10);
	/* ... so k0 starts afresh, while k9 is still empty. */
	ck_assert_int_eq(ratelimit_take(rl, "k0", NULL), 0);
	ck_assert_int_eq(ratelimit_take(rl, "k9", NULL), 1);
	ck_assert_uint_eq(ratelimit_size(rl), 10);
	/* After a while every bucket is full again and swept. */
	now_ms += 10 * 1000;
	ck_assert_int_eq(ratelimit_take(rl, "later", NULL), 0);
	ck_assert_uint_eq(ratelimit_size(rl), 1);
	ratelimit_free(rl);
}
END_TEST

START_TEST(test_bad_args)
{
	ck_assert_ptr_null(ratelimit_new(0, 5, 10, NULL, NULL));
	ck_assert_ptr_null(ratelimit_new(1, 0.5, 10, NULL, NULL));
	ck_assert_ptr_null(ratelimit_new(1, 5, 0, NULL, NULL));
	ratelimit_free(NULL);
}
END_TEST

static Suite *
ratelimit_suite(void)
{
	Suite	*s = suite_create("ratelimit");
	TCase	*tc = tcase_create("ratelimit");

	tcase_add_test(tc, test_burst_and_refill);
	tcase_add_test(tc, test_key_cap);
	tcase_add_test(tc, test_bad_args);
	suite_add_tcase(s, tc);
	return s;
}

HK_CHECK_MAIN(ratelimit_suite)
