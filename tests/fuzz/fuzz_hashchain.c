/*
 * fuzz_hashchain.c: libFuzzer target for hashchain_verify().
 * Input: HashChainResult XML, NUL, HashChain XML, NUL, 64-byte digest of
 * the input "/message.xml" (zero-padded when short).
 */
#include "config.h"

#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "fuzz.h"
#include "hashchain.h"

int
LLVMFuzzerInitialize(int *argc, char ***argv)
{
	fuzz_quiet();
	return 0;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct hashchain_input	 in;
	const uint8_t		*res = data, *chain, *dig, *end = data + size;
	unsigned char		 digest[HASHCHAIN_DIGEST_LEN];
	char			 err[256];
	size_t			 reslen, chainlen;

	if ((chain = memchr(res, '\0', size)) == NULL)
		return 0;
	reslen = (size_t)(chain - res);
	chain++;
	if ((dig = memchr(chain, '\0', (size_t)(end - chain))) == NULL)
		return 0;
	chainlen = (size_t)(dig - chain);
	dig++;
	memset(digest, 0, sizeof(digest));
	memcpy(digest, dig, (size_t)(end - dig) < sizeof(digest) ?
	    (size_t)(end - dig) : sizeof(digest));
	in.hi_uri = "/message.xml";
	in.hi_digest = digest;
	(void)hashchain_verify(res, reslen, chain, chainlen,
	    "/sig-hashchain.xml", &in, 1, err, sizeof(err));
	return 0;
}
