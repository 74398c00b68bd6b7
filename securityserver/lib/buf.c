/*
 * buf.c: bounded growable buffers.
 */
#include "config.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/crypto.h>

#include "buf.h"

struct buf {
	unsigned char	*b_data;
	size_t		 b_len;
	size_t		 b_cap;		/* allocated, including the NUL */
	size_t		 b_max;		/* hard limit on b_len */
};

struct buf *
buf_new(size_t max)
{
	struct buf *b;

	/* max + 1 (for the NUL) and doubling must not overflow. */
	if (max == 0 || max > SIZE_MAX / 4)
		return NULL;
	if ((b = calloc(1, sizeof(*b))) == NULL)
		return NULL;
	b->b_cap = max < 256 ? max + 1 : 256;
	if ((b->b_data = malloc(b->b_cap)) == NULL) {
		free(b);
		return NULL;
	}
	b->b_data[0] = '\0';
	b->b_max = max;
	return b;
}

void
buf_free(struct buf *b)
{
	if (b == NULL)
		return;
	free(b->b_data);
	free(b);
}

void
buf_free_secret(struct buf *b)
{
	if (b == NULL)
		return;
	OPENSSL_cleanse(b->b_data, b->b_cap);
	buf_free(b);
}

static int
buf_reserve(struct buf *b, size_t add)
{
	size_t		 need, ncap;
	unsigned char	*n;

	if (add > b->b_max - b->b_len)
		return BUF_ERR_FULL;
	need = b->b_len + add + 1;
	if (need <= b->b_cap)
		return 0;
	ncap = b->b_cap;
	while (ncap < need)
		ncap = ncap > (b->b_max + 1) / 2 ? b->b_max + 1 : ncap * 2;
	if ((n = realloc(b->b_data, ncap)) == NULL)
		return BUF_ERR_NOMEM;
	b->b_data = n;
	b->b_cap = ncap;
	return 0;
}

int
buf_append(struct buf *b, const void *p, size_t len)
{
	int rc;

	if ((rc = buf_reserve(b, len)) != 0)
		return rc;
	if (len > 0)
		memcpy(b->b_data + b->b_len, p, len);
	b->b_len += len;
	b->b_data[b->b_len] = '\0';
	return 0;
}

int
buf_append_str(struct buf *b, const char *s)
{
	return buf_append(b, s, strlen(s));
}

int
buf_vprintf(struct buf *b, const char *fmt, va_list ap)
{
	va_list	ap2;
	int	n, rc;

	va_copy(ap2, ap);
	n = vsnprintf(NULL, 0, fmt, ap2);
	va_end(ap2);
	if (n < 0)
		return BUF_ERR_NOMEM;
	if ((rc = buf_reserve(b, (size_t)n)) != 0)
		return rc;
	(void)vsnprintf((char *)b->b_data + b->b_len, (size_t)n + 1, fmt, ap);
	b->b_len += (size_t)n;
	return 0;
}

int
buf_printf(struct buf *b, const char *fmt, ...)
{
	va_list	ap;
	int	rc;

	va_start(ap, fmt);
	rc = buf_vprintf(b, fmt, ap);
	va_end(ap);
	return rc;
}

void
buf_reset(struct buf *b)
{
	b->b_len = 0;
	b->b_data[0] = '\0';
}

void
buf_consume(struct buf *b, size_t n)
{
	if (n >= b->b_len) {
		buf_reset(b);
		return;
	}
	memmove(b->b_data, b->b_data + n, b->b_len - n);
	b->b_len -= n;
	b->b_data[b->b_len] = '\0';
}

const unsigned char *
buf_data(const struct buf *b)
{
	return b->b_data;
}

const char *
buf_str(const struct buf *b)
{
	return (const char *)b->b_data;
}

size_t
buf_len(const struct buf *b)
{
	return b->b_len;
}

size_t
buf_max(const struct buf *b)
{
	return b->b_max;
}

unsigned char *
buf_release(struct buf *b, size_t *lenp)
{
	unsigned char *p = b->b_data;

	if (lenp != NULL)
		*lenp = b->b_len;
	free(b);
	return p;
}
