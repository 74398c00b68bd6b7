/*
 * luhn.c: the Luhn (mod 10) check digit (see luhn.h).
 */
#include "config.h"

#include <stddef.h>
#include <string.h>

#include "luhn.h"

static int
is_digit(char c)
{
	return c >= '0' && c <= '9';
}

int
luhn_digit(const char *s, size_t n)
{
	unsigned int	 sum = 0, d;
	size_t		 i;
	int		 dbl = 1;

	if (s == NULL || n == 0)
		return -1;
	/* From the right: the digit next to the check digit is doubled. */
	for (i = n; i > 0; i--) {
		if (!is_digit(s[i - 1]))
			return -1;
		d = (unsigned int)(s[i - 1] - '0');
		if (dbl) {
			d *= 2;
			if (d > 9)
				d -= 9;
		}
		sum += d;
		dbl = !dbl;
	}
	return (int)((10 - sum % 10) % 10);
}

int
luhn_valid(const char *s, size_t n)
{
	int	 c;

	if (s == NULL || n < 2 || !is_digit(s[n - 1]))
		return 0;
	if ((c = luhn_digit(s, n - 1)) == -1)
		return 0;
	return c == s[n - 1] - '0';
}

int
luhn_complete(const char *payload, char *out, size_t outlen)
{
	size_t	 n;
	int	 c;

	if (outlen > 0)
		out[0] = '\0';
	if (payload == NULL)
		return -1;
	n = strlen(payload);
	if ((c = luhn_digit(payload, n)) == -1 || outlen < n + 2)
		return -1;
	memcpy(out, payload, n);
	out[n] = (char)('0' + c);
	out[n + 1] = '\0';
	return 0;
}

int
luhn_nid_valid(const char *s)
{
	if (s == NULL || strlen(s) != LUHN_NID_LEN)
		return 0;
	return luhn_valid(s, LUHN_NID_LEN);
}
