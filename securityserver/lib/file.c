/*
 * file.c: whole-file reads with a hard cap, and atomic writes.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "buf.h"
#include "compat.h"
#include "file.h"

int
file_read(const char *path, size_t max, struct buf **out)
{
	struct buf	*b;
	unsigned char	 chunk[16384];
	ssize_t		 n;
	int		 fd, rc, saved;

	*out = NULL;
	if ((fd = open(path, O_RDONLY | O_CLOEXEC)) == -1)
		return -1;
	if ((b = buf_new(max)) == NULL) {
		close(fd);
		errno = ENOMEM;
		return -1;
	}
	for (;;) {
		n = read(fd, chunk, sizeof(chunk));
		if (n == -1 && errno == EINTR)
			continue;
		if (n <= 0)
			break;
		if ((rc = buf_append(b, chunk, (size_t)n)) != 0) {
			errno = rc == BUF_ERR_FULL ? EFBIG : ENOMEM;
			n = -1;
			break;
		}
	}
	saved = errno;
	close(fd);
	if (n == -1) {
		buf_free(b);
		errno = saved;
		return -1;
	}
	*out = b;
	return 0;
}

int
file_read_bytes(const char *path, size_t max, unsigned char **out,
    size_t *lenp)
{
	struct buf *b;

	*out = NULL;
	if (file_read(path, max, &b) == -1)
		return -1;
	*out = buf_release(b, lenp);
	return 0;
}

int
file_write_atomic(const char *path, const void *data, size_t len, mode_t mode)
{
	char	 tmp[4096], dir[4096];
	size_t	 off = 0;
	ssize_t	 w;
	int	 fd, dfd, saved;

	if (snprintf(tmp, sizeof(tmp), "%s.tmp.%ld", path, (long)getpid()) >=
	    (int)sizeof(tmp) || strlcpy(dir, path, sizeof(dir)) >=
	    sizeof(dir)) {
		errno = ENAMETOOLONG;
		return -1;
	}
	if ((fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC,
	    mode)) == -1)
		return -1;
	while (off < len) {
		if ((w = write(fd, (const char *)data + off, len - off)) <= 0) {
			if (w == -1 && errno == EINTR)
				continue;
			goto fail;
		}
		off += (size_t)w;
	}
	if (fsync(fd) == -1 || close(fd) == -1) {
		fd = -1;
		goto fail;
	}
	fd = -1;
	if (rename(tmp, path) == -1)
		goto fail;
	/* The rename itself must survive a crash. */
	if ((dfd = open(dirname(dir), O_RDONLY | O_DIRECTORY | O_CLOEXEC)) !=
	    -1) {
		(void)fsync(dfd);
		close(dfd);
	}
	return 0;
fail:
	saved = errno;
	if (fd != -1)
		close(fd);
	unlink(tmp);
	errno = saved;
	return -1;
}
