/*
 * buf.h: a growable byte buffer with a hard maximum set when it is made.
 *
 * Every buffer that grows from input is a struct buf: an append past the
 * cap fails with BUF_ERR_FULL and leaves the contents as they were.
 * The data is always NUL-terminated (the NUL is not counted in the length)
 * so a text buffer can be read as a C string.
 */
#ifndef HK_BUF_H
#define HK_BUF_H

#include <stdarg.h>
#include <stddef.h>

struct buf;

#define BUF_ERR_NOMEM	(-1)
#define BUF_ERR_FULL	(-2)

/*
 * max: the most bytes the buffer may ever hold (> 0, at most SIZE_MAX / 4);
 * NULL on a bad max or no memory. Caller frees.
 */
struct buf	*buf_new(size_t max);
void		 buf_free(struct buf *);
/* buf_free_secret wipes the storage first. */
void		 buf_free_secret(struct buf *);

int		 buf_append(struct buf *, const void *, size_t);
int		 buf_append_str(struct buf *, const char *);
int		 buf_printf(struct buf *, const char *, ...)
		    __attribute__((format(printf, 2, 3)));
int		 buf_vprintf(struct buf *, const char *, va_list)
		    __attribute__((format(printf, 2, 0)));
void		 buf_reset(struct buf *);
/* Drop the first n bytes (n <= length). */
void		 buf_consume(struct buf *, size_t n);

/* Borrowed views; valid until the next change to the buffer. */
const unsigned char *buf_data(const struct buf *);
const char	*buf_str(const struct buf *);
size_t		 buf_len(const struct buf *);
size_t		 buf_max(const struct buf *);

/*
 * Hand the storage over: *lenp gets the length; the caller frees the
 * returned pointer with free(3); the struct buf is freed.
 */
unsigned char	*buf_release(struct buf *, size_t *lenp);

#endif /* HK_BUF_H */
