/*
 * compat.c: strlcpy, strlcat and strtonum for systems without them.
 */
#include "config.h"

#include <errno.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>

#include "compat.h"

#ifndef HAVE_STRLCPY
size_t
strlcpy(char *dst, const char *src, size_t dsize)
{
	size_t len = strlen(src);

	if (dsize != 0) {
		size_t n = len >= dsize ? dsize - 1 : len;

		memcpy(dst, src, n);
		dst[n] = '\0';
	}
	return len;
}
#endif

#ifndef HAVE_STRLCAT
size_t
strlcat(char *dst, const char *src, size_t dsize)
{
	size_t dlen = strnlen(dst, dsize);

	if (dlen == dsize)
		return dsize + strlen(src);
	return dlen + strlcpy(dst + dlen, src, dsize - dlen);
}
#endif

long long
strtonum(const char *numstr, long long minval, long long maxval,
    const char **errstr)
{
	long long	 ll = 0;
	char		*ep;
	int		 saved = errno;

	*errstr = NULL;
	if (minval > maxval || numstr == NULL || *numstr == '\0') {
		*errstr = "invalid";
		return 0;
	}
	errno = 0;
	ll = strtoll(numstr, &ep, 10);
	if (*ep != '\0' || ep == numstr)
		*errstr = "invalid";
	else if ((ll == LLONG_MIN && errno == ERANGE) || ll < minval)
		*errstr = "too small";
	else if ((ll == LLONG_MAX && errno == ERANGE) || ll > maxval)
		*errstr = "too large";
	errno = saved;
	return *errstr != NULL ? 0 : ll;
}
