/*
 * xrmsg.h: pieces shared by the X-Road message modules (soap.c, rest.c,
 * mime.c): the error a parser hands back, the documented fault codes,
 * and the digest helpers used for requestHash.
 *
 * Fault codes (NOTES.md section 2.5) are the CamelCase form of X-Road
 * 7.7 ErrorCodes.java. A parser reports only the code ("MissingHeaderField");
 * the caller knows where the error happened and prepends the origin
 * (XR_PREFIX_CLIENT, XR_PREFIX_CLIENTPROXY, ...) with xr_err_faultcode().
 */
#ifndef HK_XRMSG_H
#define HK_XRMSG_H

#include <stddef.h>

/* Origins of a fault code. */
#define XR_PREFIX_CLIENT	"Client"
#define XR_PREFIX_CLIENTPROXY	"Server.ClientProxy"
#define XR_PREFIX_SERVERPROXY	"Server.ServerProxy"
#define XR_PREFIX_SIGNER	"Signer"
/* Inserted after the origin when the provider's answer was bad. */
#define XR_E_SERVICE_FAILED	"ServiceFailed"

/* Codes produced by this layer. */
#define XR_E_INVALID_SOAP		"InvalidSoap"
#define XR_E_INVALID_XML		"InvalidXml"
#define XR_E_MISSING_HEADER		"MissingHeader"
#define XR_E_MISSING_HEADER_FIELD	"MissingHeaderField"
#define XR_E_DUPLICATE_HEADER_FIELD	"DuplicateHeaderField"
#define XR_E_MISSING_BODY		"MissingBody"
#define XR_E_INVALID_BODY		"InvalidBody"
#define XR_E_INVALID_PROTOCOL_VERSION	"InvalidProtocolVersion"
#define XR_E_INCONSISTENT_HEADERS	"InconsistentHeaders"
#define XR_E_INCONSISTENT_RESPONSE	"InconsistentResponse"
#define XR_E_INVALID_CONTENT_TYPE	"InvalidContentType"
#define XR_E_MIME_PARSING_FAILED	"MimeParsingFailed"
#define XR_E_BAD_REQUEST		"BadRequest"
#define XR_E_INVALID_HTTP_METHOD	"InvalidHttpMethod"
#define XR_E_INVALID_REST		"InvalidRest"
#define XR_E_INTERNAL_ERROR		"InternalError"

struct xr_err {
	char	xe_code[64];	/* e.g. "MissingHeaderField", no origin */
	char	xe_msg[512];	/* human text for faultstring / message */
};

/* Fill err (may be NULL); the message is truncated if too long. */
void	xr_err_set(struct xr_err *err, const char *code, const char *fmt, ...)
	    __attribute__((format(printf, 3, 4)));
/*
 * out = "<prefix>.<code>", e.g. "Client.MissingHeaderField". Returns 0,
 * or -1 if it does not fit.
 */
int	xr_err_faultcode(const struct xr_err *err, const char *prefix,
	    char *out, size_t outlen);

/* Digest algorithm URIs (requestHash@algorithmId, hash-algorithm-id). */
#define XR_ALGO_SHA256	"http://www.w3.org/2001/04/xmlenc#sha256"
#define XR_ALGO_SHA384	"http://www.w3.org/2001/04/xmldsig-more#sha384"
#define XR_ALGO_SHA512	"http://www.w3.org/2001/04/xmlenc#sha512"

#define XR_SHA512_LEN	64
#define XR_DIGEST_MAX	64

/* SHA-512 of buf. Returns 0 or -1. */
int	xr_sha512(const void *buf, size_t len, unsigned char out[XR_SHA512_LEN]);
/*
 * Digest with the algorithm named by an XML-DSig/xmlenc URI (see above).
 * *outlen gets the digest length. Returns -1 for an unknown URI.
 */
int	xr_digest_uri(const char *algo_uri, const void *buf, size_t len,
	    unsigned char out[XR_DIGEST_MAX], size_t *outlen);
/* Base64: use b64.h. */

#endif /* HK_XRMSG_H */
