/*
 * soap.h: the X-Road message protocol for SOAP 4.0 (NOTES.md section 2):
 * parse and check envelopes, build requests, responses and faults, add
 * and verify requestHash, split SOAP with attachments. Pure parsing and
 * building over buffers; no networking.
 *
 * XML is parsed with libxml2 with XML_PARSE_NONET, without entity
 * substitution or DTD loading, and any DOCTYPE is refused. Errors come back
 * as a struct xr_err (xrmsg.h) holding a fault code without its origin;
 * the caller adds "Client.", "Server.ClientProxy." etc.
 */
#ifndef HK_SOAP_H
#define HK_SOAP_H

#include <stddef.h>

#include <libxml/tree.h>

#include "xrid.h"
#include "xrmsg.h"

struct buf;
struct mime_limits;
struct mime_part;

#define SOAP_NS_ENV	"http://schemas.xmlsoap.org/soap/envelope/"
#define SOAP_NS_REPR	"http://x-road.eu/xsd/representation.xsd"
#define SOAP_PROTOCOL_VERSION	"4.0"
/* Longest id, userId, issue, protocolVersion, partyCode ... value. */
#define SOAP_FIELD_MAX	4096

enum soap_kind {
	SOAP_REQUEST = 1,	/* body wrapper must be <serviceCode> */
	SOAP_RESPONSE		/* <serviceCode> or <serviceCode>Response, or a Fault */
};

/* A parsed message. Opaque; every pointer it returns is borrowed. */
struct soap_msg;

/*
 * Parse the SOAP bytes xml[0..len) (a whole HTTP body, or the root part
 * of a multipart). content_type may be NULL; otherwise it must be
 * text/xml or application/xop+xml and its charset is used. len > max is
 * refused. The bytes are copied (they are what requestHash covers).
 * Checks (NOTES 2.2): envelope structure; header present with client,
 * id, protocolVersion 4.x and service; no duplicate X-Road header field;
 * no unknown field in the X-Road namespace (elements of other namespaces
 * are allowed and kept); identifiers per identifiers.xsd; body with one
 * element named after serviceCode. A Fault body skips the "required"
 * checks and is refused for SOAP_REQUEST.
 * On success *out is freed with soap_msg_free; on failure err is filled.
 */
int		 soap_parse(const void *xml, size_t len, const char *content_type,
		    size_t max, enum soap_kind kind, struct soap_msg **out,
		    struct xr_err *err);
void		 soap_msg_free(struct soap_msg *);

enum soap_kind	 soap_msg_kind(const struct soap_msg *);
int		 soap_msg_is_fault(const struct soap_msg *);
/* Identifiers; NULL if absent (only possible in a fault). */
const struct xrid *soap_msg_client(const struct soap_msg *);
const struct xrid *soap_msg_service(const struct soap_msg *);
/* xrd:securityServer (extension); NULL if absent. */
const struct xrid *soap_msg_security_server(const struct soap_msg *);
/* Text fields; NULL if absent. */
const char	*soap_msg_id(const struct soap_msg *);
const char	*soap_msg_user_id(const struct soap_msg *);
const char	*soap_msg_issue(const struct soap_msg *);
const char	*soap_msg_protocol_version(const struct soap_msg *);
/* repr:representedParty: 0 and the parts (party_class may be NULL), or -1. */
int		 soap_msg_represented_party(const struct soap_msg *,
		    const char **party_class, const char **party_code);
/* xrd:requestHash value (whitespace kept) and algorithmId; NULL if absent. */
const char	*soap_msg_request_hash(const struct soap_msg *,
		    const char **algorithm_id);
/* First element of the body: local name and namespace (may be NULL). */
const char	*soap_msg_body_name(const struct soap_msg *);
const char	*soap_msg_body_ns(const struct soap_msg *);
/* That element itself, to read the payload (owned by the message). */
xmlNode		*soap_msg_body_element(const struct soap_msg *);
/* Fault fields (NULL if not a fault or the field is absent). */
const char	*soap_msg_fault_code(const struct soap_msg *);
const char	*soap_msg_fault_string(const struct soap_msg *);
const char	*soap_msg_fault_detail(const struct soap_msg *);
/* The bytes as received (what requestHash covers). */
const unsigned char *soap_msg_raw(const struct soap_msg *, size_t *len);

/*
 * A fault envelope as in examples/soap/fault-technical.xml: faultcode,
 * faultstring, empty faultactor, detail/faultDetail = detail_id (the id
 * also written to the log; NULL leaves detail out). UTF-8 bytes in *out
 * (caller frees with buf_free). Returns 0 or -1.
 */
int		 soap_fault_build(const char *faultcode, const char *faultstring,
		    const char *detail_id, struct buf **out);
/* The same from an xr_err and an origin prefix ("Server.ClientProxy"). */
int		 soap_fault_from_err(const struct xr_err *, const char *prefix,
		    const char *detail_id, struct buf **out);

/* Header fields for soap_request_new. NULL pointers are left out. */
struct soap_header {
	const struct xrid	*sh_client;		/* required */
	const struct xrid	*sh_service;		/* required */
	const struct xrid	*sh_security_server;
	const char		*sh_id;			/* required */
	const char		*sh_user_id;
	const char		*sh_issue;
	const char		*sh_party_class;
	const char		*sh_party_code;		/* with class: repr */
};

/*
 * A request envelope (for IS code that calls X-Road): header fields in
 * schema order with protocolVersion 4.0, and an empty body wrapper
 * <serviceCode> in namespace body_ns (prefix "ns1"). The caller adds the
 * payload under *wrapper, serialises with soap_doc_serialize and frees
 * *doc with xmlFreeDoc.
 */
int		 soap_request_new(const struct soap_header *, const char *body_ns,
		    xmlDoc **doc, xmlNode **wrapper);
/*
 * A response envelope for a parsed request (for provider IS code): every
 * header element of the request copied in order (requestHash left out),
 * and an empty body wrapper <serviceCode>Response in the namespace of the
 * request's wrapper. Same ownership as soap_request_new.
 */
int		 soap_response_new(const struct soap_msg *req, xmlDoc **doc,
		    xmlNode **wrapper);
/* UTF-8 bytes of doc with an XML declaration; refuses more than max. */
int		 soap_doc_serialize(xmlDoc *doc, size_t max, struct buf **out);

/*
 * Base64 SHA-512 over the request's raw bytes (NOTES 2.2). *out is
 * NUL-terminated, caller frees with free(3).
 */
int		 soap_request_hash(const struct soap_msg *req, char **out);

/*
 * Server proxy: turn the provider's response into the one handed back.
 * Parses resp (SOAP_RESPONSE); a fault is passed on byte for byte;
 * otherwise its header must match the request (client, service, id,
 * userId, issue, representedParty: InconsistentHeaders), any requestHash
 * is replaced by ours (algorithmId sha512) appended to the header, and the
 * result is serialised as UTF-8 (send it as text/xml; charset=UTF-8).
 * *out: caller frees with buf_free. *respp (may be NULL): the parsed
 * result, caller frees with soap_msg_free.
 */
int		 soap_response_finish(const struct soap_msg *req,
		    const void *resp, size_t resplen, const char *content_type,
		    size_t max, struct buf **out, struct soap_msg **respp,
		    struct xr_err *err);
/*
 * Client proxy: check the response that came back for our request. A
 * fault passes. Otherwise: header consistency (InconsistentHeaders),
 * requestHash present, known algorithm and equal to our own computation
 * over the request's raw bytes (InconsistentResponse).
 */
int		 soap_response_check(const struct soap_msg *req,
		    const struct soap_msg *resp, struct xr_err *err);
/* Header consistency alone (the fields listed for soap_response_finish). */
int		 soap_check_consistency(const struct soap_msg *req,
		    const struct soap_msg *resp, struct xr_err *err);

/*
 * SOAP with attachments / MTOM (NOTES 2.3). Given an HTTP body and its
 * Content-Type: text/xml is a plain SOAP message; multipart/related
 * (type text/xml or application/xop+xml) is split, the SOAP part must be
 * the first part (and match start= if given) with Content-Type text/xml
 * or application/xop+xml and a Content-Transfer-Encoding of 8bit, 7bit
 * or binary. Errors: InvalidContentType, MimeParsingFailed.
 * The result points into body, which must outlive it.
 */
struct soap_parts;

int		 soap_parts_parse(const void *body, size_t len,
		    const char *content_type, const struct mime_limits *,
		    struct soap_parts **out, struct xr_err *err);
void		 soap_parts_free(struct soap_parts *);
int		 soap_parts_is_multipart(const struct soap_parts *);
int		 soap_parts_is_mtom(const struct soap_parts *);
/* The SOAP bytes and their Content-Type (hand both to soap_parse). */
const unsigned char *soap_parts_soap(const struct soap_parts *, size_t *len);
const char	*soap_parts_soap_ctype(const struct soap_parts *);
/* Attachments: every part after the SOAP part, headers kept as received. */
size_t		 soap_parts_nattachments(const struct soap_parts *);
const struct mime_part *soap_parts_attachment(const struct soap_parts *,
		    size_t i);

#endif /* HK_SOAP_H */
