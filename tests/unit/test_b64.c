/* Unit tests for b64.c: base64 encoding and strict decoding. */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "b64.h"
#include "hk_check.h"

static void
dec_ok(const char *in, const char *want, size_t wantlen)
{
	unsigned char	*out;
	size_t		 len;

	ck_assert_msg(b64_decode(in, strlen(in), &out, &len) == 0, "%s", in);
	ck_assert_uint_eq(len, wantlen);
	ck_assert_mem_eq(out, want, wantlen);
	free(out);
}

static void
dec_bad(const char *in)
{
	unsigned char	*out = NULL;
	size_t		 len;

	ck_assert_msg(b64_decode(in, strlen(in), &out, &len) == -1, "%s", in);
}

START_TEST(test_roundtrip)
{
	unsigned char	 data[256], *back;
	char		*e;
	size_t		 n, len;

	for (n = 0; n < sizeof(data); n++)
		data[n] = (unsigned char)(n * 7 + 3);
	for (n = 0; n <= sizeof(data); n++) {
		e = b64_encode(data, n);
		ck_assert_ptr_nonnull(e);
		ck_assert_uint_eq(strlen(e), 4 * ((n + 2) / 3));
		ck_assert_int_eq(b64_decode(e, strlen(e), &back, &len), 0);
		ck_assert_uint_eq(len, n);
		if (n > 0)
			ck_assert_mem_eq(back, data, n);
		free(back);
		free(e);
	}
}
END_TEST

START_TEST(test_decode)
{
	dec_ok("ZGVmYXVsdA==", "default", 7);
	dec_ok("Zm9v", "foo", 3);
	dec_ok("Zm8=", "fo", 2);
	dec_ok(" Zm\r\n9v\t", "foo", 3);
	dec_ok("", "", 0);
	dec_bad("Zm9");		/* length */
	dec_bad("Zm=v");	/* data after padding */
	dec_bad("Z===");
	dec_bad("Zm9v!");
	dec_bad("Zm9-");	/* URL alphabet is not accepted */
}
END_TEST

static Suite *
b64_suite(void)
{
	Suite	*s = suite_create("b64");
	TCase	*tc = tcase_create("core");

	tcase_add_test(tc, test_roundtrip);
	tcase_add_test(tc, test_decode);
	suite_add_tcase(s, tc);
	return s;
}

HK_CHECK_MAIN(b64_suite)
