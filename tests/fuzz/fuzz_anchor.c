/*
 * fuzz_anchor.c: libFuzzer target for configuration anchors
 * (anchor_parse: XML, schema validation, reading). An anchor that parses
 * must write out and parse back to an equal anchor.
 * Seeds: tests/fuzz/corpus/anchor.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>

#include "anchor.h"
#include "fuzz.h"

int
LLVMFuzzerInitialize(int *argc, char ***argv)
{
	fuzz_quiet();
	return 0;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t len)
{
	struct anchor	*a = NULL, *b = NULL, *c = NULL;
	unsigned char	*out = NULL;
	size_t		 outlen, i, j, n, dlen;
	char		 err[512];

	if (anchor_parse(&a, data, len, fuzz_schema_dir(), err,
	    sizeof(err)) != 0)
		return 0;
	for (i = 0; i < anchor_nsources(a); i++) {
		(void)anchor_source_url(a, i);
		n = anchor_source_ncerts(a, i);
		for (j = 0; j < n; j++)
			(void)anchor_source_cert(a, i, j, &dlen);
	}
	if ((c = anchor_dup(a)) == NULL || !anchor_equal(a, c)) {
		fprintf(stderr, "anchor_dup differs\n");
		abort();
	}
	if (anchor_write(a, &out, &outlen) == 0) {
		if (anchor_parse(&b, out, outlen, fuzz_schema_dir(), err,
		    sizeof(err)) != 0 || !anchor_equal(a, b)) {
			fprintf(stderr, "anchor does not read back: %s\n%s\n",
			    b == NULL ? err : "differs", out);
			abort();
		}
	}
	free(out);
	anchor_free(c);
	anchor_free(b);
	anchor_free(a);
	return 0;
}
