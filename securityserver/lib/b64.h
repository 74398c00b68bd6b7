/*
 * b64.h: base64 (RFC 4648, standard alphabet, padded) over OpenSSL.
 *
 * Used for the base64Binary values of X-Road XML (certificates, hashes)
 * and the base64 MIME bodies of the signed configuration directory.
 */
#ifndef HK_B64_H
#define HK_B64_H

#include <stddef.h>

/*
 * Encode len bytes on one line (no line breaks). Returns a NUL-terminated
 * string the caller frees with free(3), or NULL (out of memory).
 */
char	*b64_encode(const void *data, size_t len);

/*
 * Decode base64 text of inlen bytes. Whitespace (space, tab, CR, LF) is
 * skipped anywhere; anything else outside the alphabet, a bad length or
 * misplaced padding fails. On success *out (caller frees with free(3),
 * never NULL, NUL-terminated for convenience) holds *outlen bytes.
 * Returns 0 or -1.
 */
int	 b64_decode(const char *in, size_t inlen, unsigned char **out,
	    size_t *outlen);

#endif /* HK_B64_H */
