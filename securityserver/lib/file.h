/*
 * file.h: whole-file reads with a hard cap, and atomic writes.
 */
#ifndef HK_FILE_H
#define HK_FILE_H

#include <stddef.h>
#include <sys/types.h>

struct buf;

/*
 * Read the whole file at path into a new buffer (caller frees) of at most
 * max bytes. -1 with errno set on failure (EFBIG: larger than max).
 */
int	file_read(const char *path, size_t max, struct buf **out);
/* The same, handing the bytes over (caller frees with free(3)). */
int	file_read_bytes(const char *path, size_t max, unsigned char **out,
	    size_t *lenp);
/*
 * Replace path atomically: write a temporary file beside it, fsync it,
 * rename it over path and fsync the folder. -1 with errno on failure
 * (path is then unchanged).
 */
int	file_write_atomic(const char *path, const void *data, size_t len,
	    mode_t mode);

#endif /* HK_FILE_H */
