/*
 * fuzz.h: what every fuzz target under tests/fuzz shares. Each target
 * defines LLVMFuzzerTestOneInput (and LLVMFuzzerInitialize if it needs
 * set-up) and is linked either with libFuzzer (--enable-fuzzing) or with
 * driver.c, which runs the seed corpus in make check.
 */
#ifndef HK_FUZZ_H
#define HK_FUZZ_H

#include <stddef.h>
#include <stdint.h>

int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);
int	LLVMFuzzerInitialize(int *, char ***);

/*
 * Quiet libxml2's global error output and the log (warnings about bad
 * input are expected by the thousand). Call from LLVMFuzzerInitialize.
 */
void	fuzz_quiet(void);

/*
 * A NUL-terminated copy of data (caller frees), or NULL when data holds a
 * NUL (string parsers never see one) or memory runs out.
 */
char	*fuzz_strndup(const uint8_t *data, size_t len);

/*
 * Split off the first line: *line gets a NUL-terminated copy of it
 * (caller frees; a trailing CR and an optional "Content-Type:" prefix are
 * removed), *rest and *restlen the bytes after it, after one more empty
 * line if there is one (so a saved message "Content-Type: ...\n\nbody"
 * works). -1 when there is no line end or the line holds a NUL.
 */
int	fuzz_ctype_line(const uint8_t *data, size_t len, char **line,
	    const uint8_t **rest, size_t *restlen);

/* The X-Road schemas: $HK_FUZZ_SCHEMA_DIR, else the source tree's. */
const char *fuzz_schema_dir(void);

#endif /* HK_FUZZ_H */
