/*
 * hk_check.h: the main() every unit test program shares: run one suite,
 * print Check's summary line, exit non-zero on any failure.
 */
#ifndef HK_CHECK_H
#define HK_CHECK_H

#include <check.h>
#include <stdlib.h>

#define HK_CHECK_MAIN(suite_fn)						\
int									\
main(void)								\
{									\
	SRunner	*sr = srunner_create(suite_fn());			\
	int	 failed;						\
									\
	srunner_run_all(sr, CK_NORMAL);					\
	failed = srunner_ntests_failed(sr);				\
	srunner_free(sr);						\
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;		\
}

#endif /* HK_CHECK_H */
