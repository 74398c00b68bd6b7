/*
 * compat.h: BSD string and number helpers that glibc 2.36 lacks.
 */
#ifndef HK_COMPAT_H
#define HK_COMPAT_H

#include <stddef.h>

#ifndef HAVE_STRLCPY
size_t	strlcpy(char *dst, const char *src, size_t dsize);
#endif
#ifndef HAVE_STRLCAT
size_t	strlcat(char *dst, const char *src, size_t dsize);
#endif

/*
 * strtonum(3) as in OpenBSD: a decimal number within [minval, maxval];
 * on error returns 0 and sets *errstr to "invalid", "too small" or
 * "too large".
 */
long long strtonum(const char *numstr, long long minval, long long maxval,
	    const char **errstr);

#endif /* HK_COMPAT_H */
