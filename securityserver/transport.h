/*
 * transport.h: the signed transport message between security servers
 * (NOTES.md 4.5, PR-MESSTRANSP 3.1), built and parsed over buffers.
 *
 * The body of the HTTP POST (and of its answer) is multipart/mixed; the
 * parts, in this order:
 *
 *   application/ocsp-response   0..TRANSPORT_MAX_OCSP, requests only: the
 *                               OCSP responses of the sender's auth cert
 *   the message                 SOAP: text/xml or application/xop+xml,
 *                               the IS's bytes unchanged;
 *                               REST: application/x-road-rest-request
 *                               (requests) or -response (responses), the
 *                               serialised head (rest.h)
 *   multipart/mixed             SOAP only, optional: the attachments, each
 *                               with the MIME headers it came with
 *   application/x-road-rest-body  REST only, optional: the body
 *   application/hash-chain-result + application/hash-chain
 *                               optional, together: batch or multi-part
 *                               signature
 *   signature/bdoc-1.0/ts       the XAdES signature (xsig.h)
 *
 * A response may end in a text/xml SOAP fault instead of the signature
 * (X-Road does that when signing fails after the parts were streamed):
 * transport_parse accepts it and transport_msg_fault() returns it; such a
 * message carries no signature.
 *
 * The signed data objects are the message part ("/message.xml") and then
 * each attachment or the REST body ("/attachment1", ...): SHA-512 over the
 * bytes of each (an attachment's body as it appears in its part).
 *
 * Pure code: no networking, no keys. Parsing never copies: a struct
 * transport_msg points into the caller's buffer, which must outlive it.
 */
#ifndef HK_TRANSPORT_H
#define HK_TRANSPORT_H

#include <stddef.h>

struct buf;
struct mime_part;
struct xsig_der;
struct xsig_info;

/* Part types (matched case-insensitively, parameters ignored). */
#define TRANSPORT_CT_MULTIPART	"multipart/mixed"
#define TRANSPORT_CT_OCSP	"application/ocsp-response"
#define TRANSPORT_CT_XML	"text/xml"
#define TRANSPORT_CT_XOP	"application/xop+xml"
#define TRANSPORT_CT_REST_REQ	"application/x-road-rest-request"
#define TRANSPORT_CT_REST_RESP	"application/x-road-rest-response"
#define TRANSPORT_CT_REST_BODY	"application/x-road-rest-body"
#define TRANSPORT_CT_HCR	"application/hash-chain-result"
#define TRANSPORT_CT_HC		"application/hash-chain"
#define TRANSPORT_CT_SIGNATURE	"signature/bdoc-1.0/ts"

/* HTTP headers of the transport POST (MimeUtils.java). */
#define TRANSPORT_H_HASH_ALGO	"x-hash-algorithm"	/* "SHA-512" */
#define TRANSPORT_H_ORIG_CTYPE	"x-original-content-type"
#define TRANSPORT_H_ORIG_SOAPACTION "x-original-soapaction"
#define TRANSPORT_H_PROXY_VERSION "x-proxy-version"
#define TRANSPORT_H_REQUEST_ID	"x-road-request-id"
#define TRANSPORT_H_MESSAGE_TYPE "x-road-message-type"	/* "REST" */

/* Hard limits on what a parsed message may hold. */
#define TRANSPORT_MAX_OCSP	8
#define TRANSPORT_MAX_ATTACHMENTS 128
#define TRANSPORT_MAX_PARTS	(TRANSPORT_MAX_OCSP + 6)
#define TRANSPORT_MAX_HEADER_BYTES 8192	/* one part's header block */

enum transport_kind {
	TRANSPORT_SOAP = 1,
	TRANSPORT_REST
};

enum transport_dir {
	TRANSPORT_REQUEST = 1,
	TRANSPORT_RESPONSE
};

/* A SOAP attachment to carry: its MIME headers and body (borrowed). */
struct transport_attachment {
	const char *const	*ta_headers;	/* name, value, ..., NULL */
	const void		*ta_body;
	size_t			 ta_len;
};

/* What to build (every pointer borrowed for the call). */
struct transport_out {
	enum transport_kind	 to_kind;
	enum transport_dir	 to_dir;
	/* Requests only: OCSP responses of the sender's auth cert chain. */
	const struct xsig_der	*to_ocsp;
	size_t			 to_nocsp;
	/*
	 * The message: SOAP bytes with their Content-Type (text/xml or
	 * application/xop+xml with parameters; NULL: "text/xml;
	 * charset=UTF-8"), or a serialised REST head (to_msg_ctype ignored).
	 */
	const char		*to_msg_ctype;
	const void		*to_msg;
	size_t			 to_msg_len;
	/* SOAP: attachments (may be 0). */
	const struct transport_attachment *to_att;
	size_t			 to_natt;
	/* REST: the body, if to_has_body. */
	int			 to_has_body;
	const void		*to_body;
	size_t			 to_body_len;
	/* The signature; the hash chain parts only with a hash chain. */
	const char		*to_sig;
	size_t			 to_sig_len;
	const char		*to_hcr;
	size_t			 to_hcr_len;
	const char		*to_hc;
	size_t			 to_hc_len;
};

/*
 * SHA-512 digests of the signed data objects of o (its signature fields
 * are not needed): *digests (caller frees with free(3)) gets *n * 64
 * bytes, the message first. Returns 0 or -1.
 */
int	 transport_out_digests(const struct transport_out *o,
	    unsigned char **digests, size_t *n);

/*
 * Build the multipart/mixed body. The result may be at most max bytes.
 * *out (caller frees with buf_free) gets the body and ctype its HTTP
 * Content-Type ("multipart/mixed; charset=UTF-8; boundary=..."). Returns
 * 0, or -1 with a message in err.
 */
int	 transport_build(const struct transport_out *o, size_t max,
	    struct buf **out, char *ctype, size_t ctypelen, char *err,
	    size_t errlen);

/* A parsed message (opaque; every pointer it returns is borrowed). */
struct transport_msg;

/*
 * Parse body (len bytes) whose HTTP Content-Type is content_type (must
 * be multipart/mixed) as a message going in direction dir. Checks the
 * order and number of the parts as above; refuses unknown parts, a
 * second message, a hash chain without its result (or the other way
 * round), parts after the signature, more than TRANSPORT_MAX_OCSP OCSP
 * parts, TRANSPORT_MAX_ATTACHMENTS attachments or
 * TRANSPORT_MAX_HEADER_BYTES of headers in a part, a missing signature
 * (unless a response ends in a fault). body must outlive *out. Returns
 * 0, or -1 with a message in err.
 */
int	 transport_parse(const void *body, size_t len, const char *content_type,
	    enum transport_dir dir, struct transport_msg **out, char *err,
	    size_t errlen);
void	 transport_msg_free(struct transport_msg *);

enum transport_kind transport_msg_kind(const struct transport_msg *);
size_t	 transport_msg_nocsp(const struct transport_msg *);
const unsigned char *transport_msg_ocsp(const struct transport_msg *,
	    size_t i, size_t *len);
/* The message part: bytes and Content-Type as received. */
const unsigned char *transport_msg_message(const struct transport_msg *,
	    size_t *len);
const char *transport_msg_message_ctype(const struct transport_msg *);
/* SOAP attachments (0 for REST). */
size_t	 transport_msg_nattachments(const struct transport_msg *);
const struct mime_part *transport_msg_attachment(const struct transport_msg *,
	    size_t i);
/* REST body, NULL if none. */
const unsigned char *transport_msg_body(const struct transport_msg *,
	    size_t *len);
/* Signature and hash chain parts, NULL if absent. */
const char *transport_msg_signature(const struct transport_msg *,
	    size_t *len);
const char *transport_msg_hcr(const struct transport_msg *, size_t *len);
const char *transport_msg_hc(const struct transport_msg *, size_t *len);
/* The fault a response ends in instead of a signature, or NULL. */
const unsigned char *transport_msg_fault(const struct transport_msg *,
	    size_t *len);

/* Digests of the signed data objects, as transport_out_digests. */
int	 transport_msg_digests(const struct transport_msg *,
	    unsigned char **digests, size_t *n);
/*
 * Verify the signature over the message's data objects with
 * xsig_verify_message(); no certificate checks (certcheck.h does those
 * with *info). Returns 0 or an xsig_err (xsig.h), with a message in err.
 */
int	 transport_msg_verify(const struct transport_msg *,
	    struct xsig_info **info, char *err, size_t errlen);

#endif /* HK_TRANSPORT_H */
