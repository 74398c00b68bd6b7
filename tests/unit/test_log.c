/* Unit tests for log.c: levels, errno suffix, sink. */
#include "config.h"

#include <errno.h>
#include <string.h>

#include "compat.h"
#include "log.h"
#include "hk_check.h"

static char	last[256];
static int	nlines;

static void
sink(enum log_level lv, const char *line, void *arg)
{
	(void)lv;
	(void)arg;
	strlcpy(last, line, sizeof(last));
	nlines++;
}

START_TEST(test_levels)
{
	log_init("test", 1, LOG_LEVEL_INFO);
	log_set_sink(sink, NULL);
	nlines = 0;
	log_debug("hidden %d", 1);
	ck_assert_int_eq(nlines, 0);
	log_info("shown %d", 2);
	ck_assert_int_eq(nlines, 1);
	ck_assert_str_eq(last, "shown 2");
	log_setlevel(LOG_LEVEL_DEBUG);
	log_debug("now %s", "visible");
	ck_assert_str_eq(last, "now visible");
	log_set_sink(NULL, NULL);
}
END_TEST

START_TEST(test_warn_errno)
{
	log_init("test", 1, LOG_LEVEL_INFO);
	log_set_sink(sink, NULL);
	errno = ENOENT;
	log_warn("open %s", "x");
	ck_assert_str_eq(last, "open x: No such file or directory");
	errno = ENOENT;
	log_warnx("plain");
	ck_assert_str_eq(last, "plain");
	ck_assert_int_eq(errno, ENOENT);
	log_set_sink(NULL, NULL);
}
END_TEST

START_TEST(test_fatalx_exits)
{
	log_init("test", 1, LOG_LEVEL_INFO);
	fatalx("broken invariant %d", 7);
}
END_TEST

static Suite *
log_suite(void)
{
	Suite	*s = suite_create("log");
	TCase	*tc = tcase_create("core");

	tcase_add_test(tc, test_levels);
	tcase_add_test(tc, test_warn_errno);
	tcase_add_exit_test(tc, test_fatalx_exits, 1);
	suite_add_tcase(s, tc);
	return s;
}

HK_CHECK_MAIN(log_suite)
