/*
 * xrmsg.c: errors and digest helpers shared by the X-Road message modules.
 */
#include "config.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include <openssl/evp.h>

#include "compat.h"
#include "xrmsg.h"

void
xr_err_set(struct xr_err *err, const char *code, const char *fmt, ...)
{
	va_list	ap;

	if (err == NULL)
		return;
	strlcpy(err->xe_code, code, sizeof(err->xe_code));
	va_start(ap, fmt);
	(void)vsnprintf(err->xe_msg, sizeof(err->xe_msg), fmt, ap);
	va_end(ap);
}

int
xr_err_faultcode(const struct xr_err *err, const char *prefix, char *out,
    size_t outlen)
{
	int	n;

	n = snprintf(out, outlen, "%s.%s", prefix, err->xe_code);
	if (n < 0 || (size_t)n >= outlen)
		return -1;
	return 0;
}

static const EVP_MD *
md_from_uri(const char *uri)
{
	if (uri == NULL)
		return NULL;
	if (strcmp(uri, XR_ALGO_SHA512) == 0)
		return EVP_sha512();
	if (strcmp(uri, XR_ALGO_SHA384) == 0)
		return EVP_sha384();
	if (strcmp(uri, XR_ALGO_SHA256) == 0)
		return EVP_sha256();
	return NULL;
}

int
xr_digest_uri(const char *algo_uri, const void *buf, size_t len,
    unsigned char out[XR_DIGEST_MAX], size_t *outlen)
{
	const EVP_MD	*md;
	unsigned int	 n = 0;

	if ((md = md_from_uri(algo_uri)) == NULL)
		return -1;
	if (EVP_Digest(buf, len, out, &n, md, NULL) != 1)
		return -1;
	*outlen = n;
	return 0;
}

int
xr_sha512(const void *buf, size_t len, unsigned char out[XR_SHA512_LEN])
{
	size_t	n;

	if (xr_digest_uri(XR_ALGO_SHA512, buf, len, out, &n) == -1 ||
	    n != XR_SHA512_LEN)
		return -1;
	return 0;
}
