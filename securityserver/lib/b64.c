/*
 * b64.c: base64 encoding and strict, whitespace-tolerant decoding.
 */
#include "config.h"

#include <limits.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/evp.h>

#include "b64.h"

char *
b64_encode(const void *data, size_t len)
{
	char	*out;
	size_t	 olen;

	if (len > (size_t)INT_MAX / 4 * 3 - 3)
		return NULL;
	olen = 4 * ((len + 2) / 3);
	if ((out = malloc(olen + 1)) == NULL)
		return NULL;
	if (len == 0) {
		out[0] = '\0';
		return out;
	}
	(void)EVP_EncodeBlock((unsigned char *)out, data, (int)len);
	out[olen] = '\0';
	return out;
}

static int
b64_char(unsigned char c)
{
	return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') ||
	    (c >= '0' && c <= '9') || c == '+' || c == '/';
}

int
b64_decode(const char *in, size_t inlen, unsigned char **out, size_t *outlen)
{
	unsigned char	*clean = NULL, *dec = NULL;
	size_t		 n = 0, i, pad = 0;
	int		 dlen;

	if (inlen > (size_t)INT_MAX)
		return -1;
	if ((clean = malloc(inlen + 1)) == NULL)
		return -1;
	for (i = 0; i < inlen; i++) {
		unsigned char c = (unsigned char)in[i];

		if (c == ' ' || c == '\t' || c == '\r' || c == '\n')
			continue;
		if (c == '=') {
			pad++;
		} else if (!b64_char(c) || pad > 0)
			goto fail;	/* bad char, or data after padding */
		clean[n++] = c;
	}
	if (n % 4 != 0 || pad > 2)
		goto fail;
	if ((dec = malloc(n / 4 * 3 + 1)) == NULL)
		goto fail;
	dlen = 0;
	if (n > 0 && (dlen = EVP_DecodeBlock(dec, clean, (int)n)) < 0)
		goto fail;
	if ((size_t)dlen < pad)
		goto fail;
	dlen -= (int)pad;
	dec[dlen] = '\0';
	free(clean);
	*out = dec;
	*outlen = (size_t)dlen;
	return 0;
 fail:
	free(clean);
	free(dec);
	return -1;
}
