/*
 * fuzz_xsig.c: libFuzzer target for xsig_verify().
 * Input: the 64-byte SHA-512 digest of "/message.xml", then the
 * signature XML.
 */
#include "config.h"

#include <stddef.h>
#include <stdint.h>

#include "fuzz.h"
#include "xsig.h"

int
LLVMFuzzerInitialize(int *argc, char ***argv)
{
	fuzz_quiet();
	return 0;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct xsig_ref		 ref;
	struct xsig_info	*xi = NULL;
	char			 err[256];

	if (size < 64)
		return 0;
	ref.xr_uri = "/message.xml";
	ref.xr_digest = data;
	ref.xr_mime = NULL;
	if (xsig_verify(data + 64, size - 64, &ref, 1, &xi, err,
	    sizeof(err)) == 0)
		xsig_info_free(xi);
	return 0;
}
