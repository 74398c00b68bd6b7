/*
 * driver.c: a main() for the fuzz targets when libFuzzer is not there
 * (the normal build), so that make check builds every target and runs it
 * over its seed corpus: the targets never rot, and under
 * --enable-sanitizers the seeds are checked for memory errors.
 *
 *	fuzz_NAME [-flag ...] [file-or-folder ...]
 *
 * Arguments starting with '-' are ignored (libFuzzer's options, so the
 * same command line works with both mains). Without a file or folder the
 * seeds in $top_srcdir/tests/fuzz/corpus/NAME are used. Each input is
 * read into a buffer of exactly its size, so that ASan catches a read
 * past its end. Fails when an input cannot be read or none was found.
 */
#include "config.h"

#include <sys/stat.h>

#include <dirent.h>
#include <errno.h>
#include <limits.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);
int	LLVMFuzzerInitialize(int *, char ***) __attribute__((weak));

/* Largest input this driver reads (libFuzzer's default -max_len is 4 KiB). */
#define DRIVER_MAX_INPUT	(16 * 1024 * 1024)

static const char	*progname = "fuzz";
static size_t		 ninputs;

static int
run_file(const char *path)
{
	FILE		*f;
	struct stat	 st;
	uint8_t		*data;
	size_t		 len;

	if ((f = fopen(path, "rb")) == NULL) {
		fprintf(stderr, "%s: %s: %s\n", progname, path,
		    strerror(errno));
		return -1;
	}
	if (fstat(fileno(f), &st) == -1 || st.st_size < 0 ||
	    st.st_size > DRIVER_MAX_INPUT) {
		fprintf(stderr, "%s: %s: unreadable or too large\n", progname,
		    path);
		fclose(f);
		return -1;
	}
	len = (size_t)st.st_size;
	/* malloc(0) may return NULL; keep one byte, pass len 0. */
	if ((data = malloc(len > 0 ? len : 1)) == NULL ||
	    fread(data, 1, len, f) != len) {
		fprintf(stderr, "%s: %s: read failed\n", progname, path);
		free(data);
		fclose(f);
		return -1;
	}
	fclose(f);
	fprintf(stderr, "%s: running %s (%zu bytes)\n", progname, path, len);
	(void)LLVMFuzzerTestOneInput(data, len);
	free(data);
	ninputs++;
	return 0;
}

static int
name_cmp(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Every regular file of a folder (not below it), in name order. */
static int
run_dir(const char *dir)
{
	DIR		*d;
	struct dirent	*de;
	char		**names = NULL, **nn, path[PATH_MAX];
	size_t		 n = 0, i;
	int		 rc = 0;

	if ((d = opendir(dir)) == NULL) {
		fprintf(stderr, "%s: %s: %s\n", progname, dir, strerror(errno));
		return -1;
	}
	while ((de = readdir(d)) != NULL) {
		if (de->d_name[0] == '.')
			continue;
		if ((nn = reallocarray(names, n + 1, sizeof(*names))) == NULL ||
		    (nn[n] = strdup(de->d_name)) == NULL) {
			if (nn != NULL)
				names = nn;
			rc = -1;
			break;
		}
		names = nn;
		n++;
	}
	closedir(d);
	if (n > 0)
		qsort(names, n, sizeof(*names), name_cmp);
	for (i = 0; i < n && rc == 0; i++) {
		struct stat	st;
		int		len;

		len = snprintf(path, sizeof(path), "%s/%s", dir, names[i]);
		if (len < 0 || (size_t)len >= sizeof(path) ||
		    stat(path, &st) == -1) {
			rc = -1;
			break;
		}
		if (S_ISREG(st.st_mode) && run_file(path) == -1)
			rc = -1;
	}
	for (i = 0; i < n; i++)
		free(names[i]);
	free(names);
	return rc;
}

static int
run_path(const char *path)
{
	struct stat	st;

	if (stat(path, &st) == -1) {
		fprintf(stderr, "%s: %s: %s\n", progname, path,
		    strerror(errno));
		return -1;
	}
	return S_ISDIR(st.st_mode) ? run_dir(path) : run_file(path);
}

int
main(int argc, char *argv[])
{
	const char	*top, *name;
	char		 dir[PATH_MAX];
	int		 i, len, given = 0;

	if (argc > 0 && argv[0] != NULL) {
		progname = (name = strrchr(argv[0], '/')) != NULL ?
		    name + 1 : argv[0];
	}
	if (LLVMFuzzerInitialize != NULL)
		(void)LLVMFuzzerInitialize(&argc, &argv);
	for (i = 1; i < argc; i++) {
		if (argv[i][0] == '-')
			continue;
		given = 1;
		if (run_path(argv[i]) == -1)
			return 1;
	}
	if (!given) {
		/* fuzz_NAME runs tests/fuzz/corpus/NAME. */
		name = strncmp(progname, "fuzz_", 5) == 0 ? progname + 5 :
		    progname;
		if ((top = getenv("top_srcdir")) == NULL)
			top = ".";
		len = snprintf(dir, sizeof(dir), "%s/tests/fuzz/corpus/%s",
		    top, name);
		if (len < 0 || (size_t)len >= sizeof(dir) ||
		    run_dir(dir) == -1)
			return 1;
	}
	if (ninputs == 0) {
		fprintf(stderr, "%s: no inputs\n", progname);
		return 1;
	}
	fprintf(stderr, "%s: %zu inputs, no crash\n", progname, ninputs);
	return 0;
}
