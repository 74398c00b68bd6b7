/*
 * luhn.h: the Luhn (mod 10) check digit.
 *
 * Used by the Palestinian national ID (9 digits, the last one the Luhn
 * check digit over the first 8; the same as weights 1,2,1,2,... from the
 * left with digit sums), by payment references and by test data. Every
 * function takes ASCII digits only: a sign, a blank or any other byte is
 * an error, never skipped.
 */
#ifndef HK_LUHN_H
#define HK_LUHN_H

#include <stddef.h>

/* Length of a national ID, check digit included. */
#define LUHN_NID_LEN	9

/*
 * The check digit (0..9) to append to the n digits s[0..n). -1 if n is 0
 * or a byte is not an ASCII digit.
 */
int	luhn_digit(const char *s, size_t n);

/*
 * 1 if s[0..n) are n >= 2 ASCII digits and the last one is the check
 * digit of the others; else 0.
 */
int	luhn_valid(const char *s, size_t n);

/*
 * Write payload followed by its check digit, NUL-terminated, into out.
 * Returns 0, or -1 if payload is empty or not all digits or out is too
 * small (out is then "" when outlen > 0).
 */
int	luhn_complete(const char *payload, char *out, size_t outlen);

/*
 * 1 if s (NUL-terminated, may be NULL) is a well-formed national ID:
 * exactly LUHN_NID_LEN ASCII digits with a valid check digit; else 0.
 */
int	luhn_nid_valid(const char *s);

#endif /* HK_LUHN_H */
