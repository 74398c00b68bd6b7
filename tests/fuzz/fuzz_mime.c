/*
 * fuzz_mime.c: libFuzzer target for mime_hval_parse and mime_parse
 * (nested once). The first line of the input is the Content-Type (an
 * optional "Content-Type:" prefix and one empty line after it are
 * skipped, so saved messages work as seeds).
 * Seeds: tests/fuzz/corpus/mime.
 */
#include "config.h"

#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz.h"
#include "mime.h"

static void
walk(const void *body, size_t len, const char *ctype, int depth)
{
	struct mime_multipart	*mm;
	const struct mime_part	*pt;
	const unsigned char	*b;
	const char		*n, *v;
	size_t			 i, j, blen;
	char			 err[MIME_ERR_MAX];

	if (mime_parse_ctype(body, len, ctype, NULL, &mm, err,
	    sizeof(err)) == -1)
		return;
	for (i = 0; (pt = mime_part_at(mm, i)) != NULL; i++) {
		for (j = 0; mime_part_header_at(pt, j, &n, &v) == 0; j++)
			;
		b = mime_part_body(pt, &blen);
		if (depth == 0 && (v = mime_part_header(pt,
		    "Content-Type")) != NULL)
			walk(b, blen, v, 1);
	}
	mime_multipart_free(mm);
}

int
LLVMFuzzerInitialize(int *argc, char ***argv)
{
	fuzz_quiet();
	return 0;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t len)
{
	const uint8_t		*body;
	char			*ctype;
	struct mime_hval	*hv;
	char			 err[MIME_ERR_MAX];
	size_t			 blen;

	if (fuzz_ctype_line(data, len, &ctype, &body, &blen) != 0)
		return 0;
	if (mime_hval_parse(ctype, MIME_HV_CTYPE, &hv, err,
	    sizeof(err)) == 0)
		mime_hval_free(hv);
	walk(body, blen, ctype, 0);
	free(ctype);
	return 0;
}
