/* Unit tests for luhn.c: check digits, validation, national IDs. */
#include "config.h"

#include <string.h>

#include "luhn.h"
#include "hk_check.h"

START_TEST(test_digit_vectors)
{
	/* The textbook example and a card test number. */
	ck_assert_int_eq(luhn_digit("7992739871", 10), 3);
	ck_assert_int_eq(luhn_digit("411111111111111", 15), 1);
	/* National IDs (weights 1,2,1,2,... from the left). */
	ck_assert_int_eq(luhn_digit("12345678", 8), 2);
	ck_assert_int_eq(luhn_digit("00000001", 8), 8);
	ck_assert_int_eq(luhn_digit("40000000", 8), 6);
	ck_assert_int_eq(luhn_digit("40000001", 8), 4);
	ck_assert_int_eq(luhn_digit("40000005", 8), 5);
	ck_assert_int_eq(luhn_digit("0", 1), 0);
	ck_assert_int_eq(luhn_digit("9", 1), 1);
	ck_assert_int_eq(luhn_digit("5", 1), 9);
	/* Only the first n bytes count. */
	ck_assert_int_eq(luhn_digit("12345678xyz", 8), 2);
}
END_TEST

START_TEST(test_digit_bad)
{
	ck_assert_int_eq(luhn_digit("", 0), -1);
	ck_assert_int_eq(luhn_digit(NULL, 3), -1);
	ck_assert_int_eq(luhn_digit("12a4", 4), -1);
	ck_assert_int_eq(luhn_digit(" 1234", 5), -1);
	ck_assert_int_eq(luhn_digit("-1234", 5), -1);
	ck_assert_int_eq(luhn_digit("12\0004", 4), -1);
}
END_TEST

START_TEST(test_valid)
{
	ck_assert_int_eq(luhn_valid("79927398713", 11), 1);
	ck_assert_int_eq(luhn_valid("4111111111111111", 16), 1);
	ck_assert_int_eq(luhn_valid("79927398710", 11), 0);
	ck_assert_int_eq(luhn_valid("79927398713x", 12), 0);
	ck_assert_int_eq(luhn_valid("00", 2), 1);
	ck_assert_int_eq(luhn_valid("0", 1), 0);
	ck_assert_int_eq(luhn_valid("", 0), 0);
	ck_assert_int_eq(luhn_valid(NULL, 5), 0);
}
END_TEST

/* Every single-digit error and every adjacent swap (but 09/90) is caught. */
START_TEST(test_detects_errors)
{
	char	 id[LUHN_NID_LEN + 1] = "123456782", t[LUHN_NID_LEN + 1];
	size_t	 i;
	char	 c, x;

	ck_assert_int_eq(luhn_nid_valid(id), 1);
	for (i = 0; i < LUHN_NID_LEN; i++) {
		for (c = '0'; c <= '9'; c++) {
			if (c == id[i])
				continue;
			memcpy(t, id, sizeof(t));
			t[i] = c;
			ck_assert_msg(luhn_nid_valid(t) == 0, "%s accepted", t);
		}
	}
	for (i = 0; i + 1 < LUHN_NID_LEN; i++) {
		memcpy(t, id, sizeof(t));
		if (t[i] == t[i + 1])
			continue;
		x = t[i];
		t[i] = t[i + 1];
		t[i + 1] = x;
		ck_assert_msg(luhn_nid_valid(t) == 0, "swap %s accepted", t);
	}
}
END_TEST

START_TEST(test_complete)
{
	char	 out[16];

	ck_assert_int_eq(luhn_complete("40000001", out, sizeof(out)), 0);
	ck_assert_str_eq(out, "400000014");
	ck_assert_int_eq(luhn_nid_valid(out), 1);
	ck_assert_int_eq(luhn_complete("7992739871", out, sizeof(out)), 0);
	ck_assert_str_eq(out, "79927398713");
	/* Exactly enough room: payload, digit, NUL. */
	ck_assert_int_eq(luhn_complete("1234", out, 6), 0);
	ck_assert_str_eq(out, "12344");
	ck_assert_int_eq(luhn_complete("1234", out, 5), -1);
	ck_assert_str_eq(out, "");
	ck_assert_int_eq(luhn_complete("", out, sizeof(out)), -1);
	ck_assert_int_eq(luhn_complete("12x", out, sizeof(out)), -1);
	ck_assert_str_eq(out, "");
	ck_assert_int_eq(luhn_complete(NULL, out, sizeof(out)), -1);
}
END_TEST

START_TEST(test_nid)
{
	ck_assert_int_eq(luhn_nid_valid("400000014"), 1);
	ck_assert_int_eq(luhn_nid_valid("400000022"), 1);
	ck_assert_int_eq(luhn_nid_valid("400000006"), 1);
	ck_assert_int_eq(luhn_nid_valid("400000015"), 0);
	ck_assert_int_eq(luhn_nid_valid("400000001"), 0);
	/* Luhn-valid but not nine digits. */
	ck_assert_int_eq(luhn_nid_valid("79927398713"), 0);
	ck_assert_int_eq(luhn_nid_valid("00000018"), 0);
	ck_assert_int_eq(luhn_nid_valid("0400000014"), 0);
	ck_assert_int_eq(luhn_nid_valid("40000001 4"), 0);
	ck_assert_int_eq(luhn_nid_valid("4000000l4"), 0);
	ck_assert_int_eq(luhn_nid_valid(""), 0);
	ck_assert_int_eq(luhn_nid_valid(NULL), 0);
}
END_TEST

static Suite *
luhn_suite(void)
{
	Suite	*s = suite_create("luhn");
	TCase	*tc = tcase_create("core");

	tcase_add_test(tc, test_digit_vectors);
	tcase_add_test(tc, test_digit_bad);
	tcase_add_test(tc, test_valid);
	tcase_add_test(tc, test_detects_errors);
	tcase_add_test(tc, test_complete);
	tcase_add_test(tc, test_nid);
	suite_add_tcase(s, tc);
	return s;
}

HK_CHECK_MAIN(luhn_suite)
