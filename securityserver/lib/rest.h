/*
 * rest.h: the X-Road message protocol for REST r1 (NOTES.md section 3):
 * the request line /r1/INSTANCE/CLASS/MEMBER/SUBSYSTEM/SERVICE[/path][?q],
 * the X-Road-* headers, which headers are dropped, the serialised heads
 * carried between security servers (application/x-road-rest-request and
 * -response, NOTES 4.5), X-Road-Request-Hash, and the error JSON body.
 * Pure parsing and building; no networking.
 *
 * Errors come back in a struct xr_err (xrmsg.h) with a code without its
 * origin: BadRequest for a client's HTTP request, InvalidRest for a
 * serialised head, InconsistentResponse for a response that does not
 * match its request.
 */
#ifndef HK_REST_H
#define HK_REST_H

#include <stddef.h>

#include "xrid.h"
#include "xrmsg.h"

struct buf;

/* Header names as X-Road writes them (matched case-insensitively). */
#define REST_H_CLIENT		"x-road-client"
#define REST_H_ID		"x-road-id"
#define REST_H_USER_ID		"x-road-userid"
#define REST_H_ISSUE		"x-road-issue"
#define REST_H_SECURITY_SERVER	"x-road-security-server"
#define REST_H_REPRESENTED_PARTY "x-road-represented-party"
#define REST_H_SERVICE		"x-road-service"
#define REST_H_REQUEST_ID	"x-road-request-id"
#define REST_H_REQUEST_HASH	"x-road-request-hash"
#define REST_H_ERROR		"x-road-error"
#define REST_H_MESSAGE_TYPE	"x-road-message-type"	/* value "REST" */

/* MIME types of the transport parts. */
#define REST_CT_REQUEST		"application/x-road-rest-request"
#define REST_CT_RESPONSE	"application/x-road-rest-response"
#define REST_CT_BODY		"application/x-road-rest-body"
#define REST_CT_ERROR		"application/json; charset=utf-8"

#define REST_PROTOCOL_VERSION	1
#define REST_MAX_HEADERS	256
#define REST_VALUE_MAX		8192	/* one header value */

/* A header as the caller has it (borrowed strings). */
struct rest_header {
	const char	*rh_name;
	const char	*rh_value;
};

/*
 * 1 if the header is never forwarded (NOTES 3.2): Connection, Keep-Alive,
 * Proxy-Authenticate, Proxy-Authorization, TE, Trailer,
 * Transfer-Encoding, Upgrade, Host, User-Agent, Server, Content-Length,
 * Expect. Headers named in a Connection header are dropped as well.
 */
int		 rest_header_skipped(const char *name);

/* A REST request (opaque; every pointer it returns is borrowed). */
struct rest_req;

/*
 * Client proxy: the IS's request. method must be one of DELETE GET HEAD
 * OPTIONS PATCH POST PUT TRACE; target is the raw request-target
 * (origin-form, as received, percent-encoding intact). Headers: skipped
 * ones and the IS's own X-Road-Request-Id / X-Road-Request-Hash are
 * dropped, the rest kept in order, then x-road-request-id: request_id is
 * appended. X-Road-Client is required (the last one wins); the other
 * X-Road-* identity headers may appear once. Service path dot segments
 * ("." and "..", also percent-encoded) are refused.
 */
int		 rest_req_from_http(const char *method, const char *target,
		    const struct rest_header *hdrs, size_t nhdrs,
		    const char *request_id, struct rest_req **out,
		    struct xr_err *err);
/* Set the message id when the IS sent no X-Road-Id (appends x-road-id). */
int		 rest_req_set_id(struct rest_req *, const char *id);
/* Serialised head: METHOD CRLF path[?query] CRLF Name:Value CRLF ... */
int		 rest_req_serialize(const struct rest_req *, struct buf **out);
/* Server proxy: parse a serialised head (InvalidRest on error). */
int		 rest_req_parse(const void *head, size_t len,
		    struct rest_req **out, struct xr_err *err);
void		 rest_req_free(struct rest_req *);

const char	*rest_req_method(const struct rest_req *);
/* Raw path as received (/r1/...), raw query (NULL if no '?'). */
const char	*rest_req_path(const struct rest_req *);
const char	*rest_req_query(const struct rest_req *);
/* Raw rest of the path after the service code: "" or "/...". */
const char	*rest_req_service_path(const struct rest_req *);
const struct xrid *rest_req_service(const struct rest_req *);
const struct xrid *rest_req_client(const struct rest_req *);
const struct xrid *rest_req_security_server(const struct rest_req *); /* or NULL */
const char	*rest_req_id(const struct rest_req *);		/* or NULL */
const char	*rest_req_user_id(const struct rest_req *);	/* or NULL */
const char	*rest_req_issue(const struct rest_req *);	/* or NULL */
const char	*rest_req_request_id(const struct rest_req *);	/* or NULL */
/* 0 and the parts (party_class may be NULL), or -1 if absent. */
int		 rest_req_represented_party(const struct rest_req *,
		    const char **party_class, const char **party_code);
/* Kept headers in order (the ones forwarded and serialised). */
size_t		 rest_req_nheaders(const struct rest_req *);
int		 rest_req_header_at(const struct rest_req *, size_t i,
		    const char **name, const char **value);
/* First kept header with this name (case-insensitive), or NULL. */
const char	*rest_req_header(const struct rest_req *, const char *name);

/*
 * X-Road-Request-Hash (NOTES 3.2): Base64(SHA512(SHA512(head) ||
 * body_sha512)) with a body, Base64(SHA512(head)) without (body_sha512
 * NULL). head is the serialised request head as sent/received.
 * *out: caller frees with free(3).
 */
int		 rest_request_hash_raw(const void *head, size_t len,
		    const unsigned char *body_sha512, char **out);
/* The same over rest_req_serialize(req). */
int		 rest_request_hash(const struct rest_req *req,
		    const unsigned char *body_sha512, char **out);

/* A REST response head. */
struct rest_resp;

/*
 * Server proxy: the head for the provider's answer. Provider headers are
 * filtered (skipped ones and X-Road-Id/-Client/-Service/-Request-Id/
 * -Request-Hash), then x-road-id, x-road-client, x-road-service,
 * x-road-request-id and x-road-request-hash (request_hash, Base64) are
 * appended from req. reason may be NULL.
 */
int		 rest_resp_new(const struct rest_req *req, int status,
		    const char *reason, const struct rest_header *hdrs,
		    size_t nhdrs, const char *request_hash,
		    struct rest_resp **out, struct xr_err *err);
/* Serialised head: STATUS CRLF REASON CRLF Name:Value CRLF ... */
int		 rest_resp_serialize(const struct rest_resp *, struct buf **out);
/* Client proxy: parse a serialised response head (InvalidRest). */
int		 rest_resp_parse(const void *head, size_t len,
		    struct rest_resp **out, struct xr_err *err);
void		 rest_resp_free(struct rest_resp *);

int		 rest_resp_status(const struct rest_resp *);
const char	*rest_resp_reason(const struct rest_resp *);
const char	*rest_resp_id(const struct rest_resp *);
const struct xrid *rest_resp_client(const struct rest_resp *);	/* or NULL */
const struct xrid *rest_resp_service(const struct rest_resp *);	/* or NULL */
const char	*rest_resp_request_id(const struct rest_resp *);
const char	*rest_resp_request_hash(const struct rest_resp *);
size_t		 rest_resp_nheaders(const struct rest_resp *);
int		 rest_resp_header_at(const struct rest_resp *, size_t i,
		    const char **name, const char **value);
const char	*rest_resp_header(const struct rest_resp *, const char *name);

/*
 * Client proxy: the response matches the request: same client, X-Road-Id,
 * service and request id, and X-Road-Request-Hash equal to
 * rest_request_hash(req, body_sha512) (InconsistentResponse).
 */
int		 rest_resp_check(const struct rest_req *req,
		    const struct rest_resp *resp,
		    const unsigned char *body_sha512, struct xr_err *err);

/* 1 if a serialised head is a response (first byte 1-9), 0 if not. */
int		 rest_head_is_response(const void *head, size_t len);

/*
 * Error body (NOTES 3.3): {"type","message","detail"} as compact JSON,
 * sent with X-Road-Error: <type> and Content-Type REST_CT_ERROR.
 * *out: caller frees with free(3).
 */
int		 rest_error_json(const char *type, const char *message,
		    const char *detail, char **out);
/* type = "<prefix>.<code>" of err; type_out gets it for X-Road-Error. */
int		 rest_error_from_err(const struct xr_err *, const char *prefix,
		    const char *detail, char **json, char *type_out,
		    size_t type_len);
/* HTTP status for an error type: 400 for Client.*, else 500. */
int		 rest_error_status(const char *type);
/* Parse an error body; each out string is freed with free(3). */
int		 rest_error_parse(const void *json, size_t len, char **type,
		    char **message, char **detail);

#endif /* HK_REST_H */
