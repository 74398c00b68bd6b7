/*
 * rest.c: X-Road REST r1 requests: request line, X-Road-* headers, the
 * serialised request head and X-Road-Request-Hash (NOTES.md 3.1, 3.2, 4.5).
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "b64.h"
#include "buf.h"
#include "compat.h"
#include "rest.h"
#include "rest_int.h"

static const char *const methods[] = {
	"DELETE", "GET", "HEAD", "OPTIONS", "PATCH", "POST", "PUT", "TRACE"
};

static const char *const skipped[] = {
	"connection", "keep-alive", "proxy-authenticate",
	"proxy-authorization", "te", "trailer", "transfer-encoding",
	"upgrade", "host", "user-agent", "server", "content-length", "expect"
};

int
rest_header_skipped(const char *name)
{
	size_t	i;

	for (i = 0; i < sizeof(skipped) / sizeof(skipped[0]); i++)
		if (strcasecmp(name, skipped[i]) == 0)
			return 1;
	return 0;
}

void
rest_hdrs_free(struct hdr_list *hl)
{
	size_t	i;

	for (i = 0; i < hl->hl_n; i++) {
		free(hl->hl_v[i].name);
		free(hl->hl_v[i].value);
	}
	free(hl->hl_v);
	hl->hl_v = NULL;
	hl->hl_n = 0;
}

int
rest_hdrs_add(struct hdr_list *hl, const char *name, size_t nlen,
    const char *value, size_t vlen)
{
	struct rest_hdr	*v;

	if (hl->hl_n >= REST_MAX_HEADERS)
		return -1;
	if ((v = reallocarray(hl->hl_v, hl->hl_n + 1, sizeof(*v))) == NULL)
		return -1;
	hl->hl_v = v;
	v = &hl->hl_v[hl->hl_n];
	v->name = strndup(name, nlen);
	v->value = strndup(value, vlen);
	if (v->name == NULL || v->value == NULL) {
		free(v->name);
		free(v->value);
		return -1;
	}
	hl->hl_n++;
	return 0;
}

const char *
rest_hdrs_get(const struct hdr_list *hl, const char *name)
{
	size_t	i;

	for (i = 0; i < hl->hl_n; i++)
		if (strcasecmp(hl->hl_v[i].name, name) == 0)
			return hl->hl_v[i].value;
	return NULL;
}

int
rest_hdrs_serialize(const struct hdr_list *hl, struct buf *b)
{
	size_t	i;

	for (i = 0; i < hl->hl_n; i++)
		if (buf_printf(b, "%s:%s\r\n", hl->hl_v[i].name,
		    hl->hl_v[i].value) != 0)
			return -1;
	return 0;
}

/* RFC 7230 token. */
int
rest_name_ok(const char *s)
{
	if (*s == '\0')
		return 0;
	for (; *s != '\0'; s++) {
		unsigned char c = (unsigned char)*s;

		if (c <= 0x20 || c >= 0x7f ||
		    strchr("\"(),/:;<=>?@[\\]{}", c) != NULL)
			return 0;
	}
	return 1;
}

int
rest_value_ok(const char *s, size_t len)
{
	size_t	i;

	if (len > REST_VALUE_MAX)
		return 0;
	for (i = 0; i < len; i++) {
		unsigned char c = (unsigned char)s[i];

		if ((c < 0x20 && c != '\t') || c == 0x7f)
			return 0;
	}
	return 1;
}

/* Is name listed in any Connection header (hop-by-hop by declaration)? */
int
rest_named_in_connection(const struct rest_header *hdrs, size_t n,
    const char *name)
{
	const char	*p, *s;
	size_t		 i, l = strlen(name);

	for (i = 0; i < n; i++) {
		if (strcasecmp(hdrs[i].rh_name, "connection") != 0)
			continue;
		for (p = hdrs[i].rh_value; *p != '\0';) {
			while (*p == ' ' || *p == '\t' || *p == ',')
				p++;
			s = p;
			while (*p != '\0' && *p != ',' && *p != ' ' &&
			    *p != '\t')
				p++;
			if ((size_t)(p - s) == l &&
			    strncasecmp(s, name, l) == 0)
				return 1;
		}
	}
	return 0;
}

void
rest_req_free(struct rest_req *r)
{
	if (r == NULL)
		return;
	free(r->rq_method);
	free(r->rq_path);
	free(r->rq_query);
	free(r->rq_service_path);
	free(r->rq_id);
	free(r->rq_user_id);
	free(r->rq_issue);
	free(r->rq_request_id);
	free(r->rq_repr_class);
	free(r->rq_repr_code);
	rest_hdrs_free(&r->rq_hdrs);
	free(r);
}

static int
method_ok(const char *m)
{
	size_t	i;

	for (i = 0; i < sizeof(methods) / sizeof(methods[0]); i++)
		if (strcmp(m, methods[i]) == 0)
			return 1;
	return 0;
}

/* A path segment that is "." or "..", also percent-encoded. */
static int
dot_segment(const char *s, size_t n)
{
	size_t	dots = 0, i = 0;

	while (i < n) {
		if (s[i] == '.')
			i++;
		else if (n - i >= 3 && s[i] == '%' && s[i + 1] == '2' &&
		    (s[i + 2] == 'e' || s[i + 2] == 'E'))
			i += 3;
		else
			return 0;
		dots++;
	}
	return dots == 1 || dots == 2;
}

static int
path_has_dot_segment(const char *p)
{
	const char	*s;

	while (*p == '/') {
		s = ++p;
		while (*p != '\0' && *p != '/')
			p++;
		if (dot_segment(s, (size_t)(p - s)))
			return 1;
	}
	return 0;
}

/*
 * Split the raw target into path and query and decode the service id
 * from /r1/INSTANCE/CLASS/MEMBER/SUBSYSTEM/SERVICE[/rest].
 */
static int
parse_target(struct rest_req *r, const char *target, const char *code,
    struct xr_err *err)
{
	const char	*q, *p, *seg[6];
	char		 part[5][XRID_PART_MAX + 1], e[XRID_ERR_MAX];
	size_t		 len[6], n, i;

	for (p = target; *p != '\0'; p++)
		if ((unsigned char)*p <= 0x20 || (unsigned char)*p >= 0x7f ||
		    *p == '#') {
			xr_err_set(err, code, "Invalid request URI");
			return -1;
		}
	if (target[0] != '/') {
		xr_err_set(err, code, "Invalid request URI");
		return -1;
	}
	q = strchr(target, '?');
	n = q != NULL ? (size_t)(q - target) : strlen(target);
	if ((r->rq_path = strndup(target, n)) == NULL ||
	    (q != NULL && (r->rq_query = strdup(q + 1)) == NULL))
		goto nomem;
	/* Segments after the leading '/': version and five id parts. */
	p = r->rq_path + 1;
	for (i = 0; i < 6; i++) {
		const char *slash = strchr(p, '/');

		seg[i] = p;
		len[i] = slash != NULL ? (size_t)(slash - p) : strlen(p);
		if (slash == NULL) {
			if (i < 5) {
				xr_err_set(err, code, "Invalid request URI");
				return -1;
			}
			p = NULL;
			break;
		}
		p = slash + 1;
	}
	if (len[0] != 2 || seg[0][0] != 'r' || seg[0][1] < '0' ||
	    seg[0][1] > '9') {
		xr_err_set(err, code, "Invalid protocol version %.16s",
		    seg[0]);
		return -1;
	}
	if (seg[0][1] - '0' != REST_PROTOCOL_VERSION) {
		xr_err_set(err, code, "Unsupported protocol version %c",
		    seg[0][1]);
		return -1;
	}
	for (i = 0; i < 5; i++)
		if (xrid_pct_decode(seg[i + 1], len[i + 1], part[i],
		    sizeof(part[i])) == -1) {
			xr_err_set(err, code, "Invalid service id in request "
			    "URI");
			return -1;
		}
	if (part[3][0] == '\0') {
		xr_err_set(err, code, "Invalid service id: empty subsystem "
		    "code");
		return -1;
	}
	if (xrid_set_service(&r->rq_service, part[0], part[1], part[2],
	    part[3], part[4], NULL, e, sizeof(e)) == -1) {
		xr_err_set(err, code, "Invalid service id: %s", e);
		return -1;
	}
	/* p: after the slash that ends the service code, or NULL. */
	if (p != NULL) {
		p--;
		if ((r->rq_service_path = strdup(p)) == NULL)
			goto nomem;
	} else if ((r->rq_service_path = strdup("")) == NULL)
		goto nomem;
	if (path_has_dot_segment(r->rq_service_path)) {
		xr_err_set(err, code, "Dot segments are not allowed in the "
		    "service path");
		return -1;
	}
	return 0;
 nomem:
	xr_err_set(err, XR_E_INTERNAL_ERROR, "out of memory");
	return -1;
}

static int
dup_once(char **dst, const char *v, const char *what, const char *code,
    struct xr_err *err)
{
	if (*dst != NULL) {
		xr_err_set(err, code, "Duplicate %s header", what);
		return -1;
	}
	if (v[0] == '\0') {
		xr_err_set(err, code, "Empty %s header", what);
		return -1;
	}
	if ((*dst = strdup(v)) == NULL) {
		xr_err_set(err, XR_E_INTERNAL_ERROR, "out of memory");
		return -1;
	}
	return 0;
}

static int
decode_repr(struct rest_req *r, const char *v, const char *code,
    struct xr_err *err)
{
	const char	*slash;
	char		 a[XRID_PART_MAX + 1], b[XRID_PART_MAX + 1];

	if (r->rq_has_repr) {
		xr_err_set(err, code, "Duplicate X-Road-Represented-Party "
		    "header");
		return -1;
	}
	if ((slash = strchr(v, '/')) != NULL && strchr(slash + 1, '/')) {
		xr_err_set(err, code, "Invalid RepresentedParty Id");
		return -1;
	}
	if (slash != NULL) {
		if (xrid_pct_decode(v, (size_t)(slash - v), a, sizeof(a)) ==
		    -1 || xrid_pct_decode(slash + 1, strlen(slash + 1), b,
		    sizeof(b)) == -1 ||
		    xrid_check_part(a, 0, NULL, 0) == -1 ||
		    xrid_check_part(b, 0, NULL, 0) == -1 ||
		    (r->rq_repr_class = strdup(a)) == NULL ||
		    (r->rq_repr_code = strdup(b)) == NULL)
			goto bad;
	} else if (xrid_pct_decode(v, strlen(v), b, sizeof(b)) == -1 ||
	    xrid_check_part(b, 0, NULL, 0) == -1 ||
	    (r->rq_repr_code = strdup(b)) == NULL)
		goto bad;
	r->rq_has_repr = 1;
	return 0;
 bad:
	xr_err_set(err, code, "Invalid RepresentedParty Id");
	return -1;
}

/* Identity fields from the kept headers. */
static int
decode_headers(struct rest_req *r, const char *code, struct xr_err *err)
{
	const struct rest_hdr	*h;
	const char		*client = NULL;
	char			 e[XRID_ERR_MAX];
	size_t			 i;

	for (i = 0; i < r->rq_hdrs.hl_n; i++) {
		h = &r->rq_hdrs.hl_v[i];
		if (strcasecmp(h->name, REST_H_CLIENT) == 0)
			client = h->value;	/* the last one wins */
		else if (strcasecmp(h->name, REST_H_ID) == 0) {
			if (dup_once(&r->rq_id, h->value, "X-Road-Id", code,
			    err) == -1)
				return -1;
		} else if (strcasecmp(h->name, REST_H_USER_ID) == 0) {
			if (dup_once(&r->rq_user_id, h->value,
			    "X-Road-UserId", code, err) == -1)
				return -1;
		} else if (strcasecmp(h->name, REST_H_ISSUE) == 0) {
			if (dup_once(&r->rq_issue, h->value, "X-Road-Issue",
			    code, err) == -1)
				return -1;
		} else if (strcasecmp(h->name, REST_H_REQUEST_ID) == 0) {
			if (dup_once(&r->rq_request_id, h->value,
			    "X-Road-Request-Id", code, err) == -1)
				return -1;
		} else if (strcasecmp(h->name, REST_H_SECURITY_SERVER) == 0) {
			if (r->rq_has_server) {
				xr_err_set(err, code, "Duplicate "
				    "X-Road-Security-Server header");
				return -1;
			}
			if (xrid_parse(&r->rq_server, XRID_MASK(XRID_SERVER),
			    h->value, XRID_F_PCT, e, sizeof(e)) == -1) {
				xr_err_set(err, code, "Invalid SecurityServer "
				    "Id: %s", e);
				return -1;
			}
			r->rq_has_server = 1;
		} else if (strcasecmp(h->name, REST_H_REPRESENTED_PARTY) ==
		    0) {
			if (decode_repr(r, h->value, code, err) == -1)
				return -1;
		}
	}
	if (client == NULL) {
		xr_err_set(err, code, "Missing X-Road-Client header");
		return -1;
	}
	if (xrid_parse_client(&r->rq_client, client, XRID_F_PCT, e,
	    sizeof(e)) == -1) {
		xr_err_set(err, code, "Invalid Client Id: %s", e);
		return -1;
	}
	return 0;
}

int
rest_req_from_http(const char *method, const char *target,
    const struct rest_header *hdrs, size_t nhdrs, const char *request_id,
    struct rest_req **out, struct xr_err *err)
{
	struct rest_req	*r;
	const char	*n, *v;
	size_t		 i;

	*out = NULL;
	if (!method_ok(method)) {
		xr_err_set(err, XR_E_BAD_REQUEST, "Unsupported HTTP method "
		    "'%.16s'", method);
		return -1;
	}
	if (request_id == NULL ||
	    !rest_value_ok(request_id, strlen(request_id))) {
		xr_err_set(err, XR_E_INTERNAL_ERROR, "bad request id");
		return -1;
	}
	if ((r = calloc(1, sizeof(*r))) == NULL ||
	    (r->rq_method = strdup(method)) == NULL) {
		xr_err_set(err, XR_E_INTERNAL_ERROR, "out of memory");
		goto fail;
	}
	if (parse_target(r, target, XR_E_BAD_REQUEST, err) == -1)
		goto fail;
	for (i = 0; i < nhdrs; i++) {
		n = hdrs[i].rh_name;
		v = hdrs[i].rh_value != NULL ? hdrs[i].rh_value : "";
		if (!rest_name_ok(n) || !rest_value_ok(v, strlen(v))) {
			xr_err_set(err, XR_E_BAD_REQUEST, "Invalid header "
			    "'%.64s'", n);
			goto fail;
		}
		if (rest_header_skipped(n) ||
		    strcasecmp(n, REST_H_REQUEST_ID) == 0 ||
		    strcasecmp(n, REST_H_REQUEST_HASH) == 0 ||
		    rest_named_in_connection(hdrs, nhdrs, n))
			continue;
		if (rest_hdrs_add(&r->rq_hdrs, n, strlen(n), v,
		    strlen(v)) == -1)
			goto toomany;
	}
	if (rest_hdrs_add(&r->rq_hdrs, REST_H_REQUEST_ID,
	    strlen(REST_H_REQUEST_ID), request_id, strlen(request_id)) == -1)
		goto toomany;
	if (decode_headers(r, XR_E_BAD_REQUEST, err) == -1)
		goto fail;
	*out = r;
	return 0;
 toomany:
	xr_err_set(err, XR_E_BAD_REQUEST, "Too many headers");
 fail:
	rest_req_free(r);
	return -1;
}

int
rest_req_set_id(struct rest_req *r, const char *id)
{
	if (r->rq_id != NULL || id == NULL || id[0] == '\0' ||
	    !rest_value_ok(id, strlen(id)))
		return -1;
	if ((r->rq_id = strdup(id)) == NULL)
		return -1;
	if (rest_hdrs_add(&r->rq_hdrs, REST_H_ID, strlen(REST_H_ID), id,
	    strlen(id)) == -1) {
		free(r->rq_id);
		r->rq_id = NULL;
		return -1;
	}
	return 0;
}

int
rest_req_serialize(const struct rest_req *r, struct buf **out)
{
	struct buf	*b;

	*out = NULL;
	if ((b = buf_new(REST_MAX_HEADERS * (REST_VALUE_MAX + 256) +
	    65536)) == NULL)
		return -1;
	if (buf_printf(b, "%s\r\n%s%s%s\r\n", r->rq_method, r->rq_path,
	    r->rq_query != NULL ? "?" : "",
	    r->rq_query != NULL ? r->rq_query : "") != 0 ||
	    rest_hdrs_serialize(&r->rq_hdrs, b) == -1) {
		buf_free(b);
		return -1;
	}
	*out = b;
	return 0;
}

/*
 * Next line of a serialised head (CRLF or LF): 1 and the line, 0 at the
 * end, -1 if the line holds NUL or a lone CR.
 */
int
rest_next_line(const char **pp, const char *end, const char **line, size_t *len)
{
	const char	*p = *pp, *nl;

	if (p >= end)
		return 0;
	nl = memchr(p, '\n', (size_t)(end - p));
	*line = p;
	*len = nl != NULL ? (size_t)(nl - p) : (size_t)(end - p);
	*pp = nl != NULL ? nl + 1 : end;
	if (*len > 0 && p[*len - 1] == '\r')
		(*len)--;
	if (memchr(p, '\0', *len) != NULL || memchr(p, '\r', *len) != NULL)
		return -1;
	return 1;
}

/* Header lines "Name:Value" until the end of the head. */
int
rest_parse_head_headers(const char *p, const char *end, struct hdr_list *hl,
    struct xr_err *err)
{
	const char	*line, *colon;
	size_t		 len;
	int		 r;
	char		 name[256];

	while ((r = rest_next_line(&p, end, &line, &len)) == 1) {
		if ((colon = memchr(line, ':', len)) == NULL ||
		    colon == line || (size_t)(colon - line) >= sizeof(name))
			goto bad;
		memcpy(name, line, (size_t)(colon - line));
		name[colon - line] = '\0';
		if (!rest_name_ok(name) || rest_header_skipped(name) ||
		    !rest_value_ok(colon + 1, len - (size_t)(colon - line) - 1))
			goto bad;
		if (rest_hdrs_add(hl, line, (size_t)(colon - line), colon + 1,
		    len - (size_t)(colon - line) - 1) == -1) {
			xr_err_set(err, XR_E_INVALID_REST, "Too many headers");
			return -1;
		}
	}
	if (r == -1)
		goto bad;
	return 0;
 bad:
	xr_err_set(err, XR_E_INVALID_REST, "Invalid header in REST message");
	return -1;
}

int
rest_req_parse(const void *head, size_t len, struct rest_req **out,
    struct xr_err *err)
{
	struct rest_req	*r;
	const char	*p = head, *end = p + len, *line;
	char		*target = NULL;
	size_t		 l;

	*out = NULL;
	if ((r = calloc(1, sizeof(*r))) == NULL) {
		xr_err_set(err, XR_E_INTERNAL_ERROR, "out of memory");
		return -1;
	}
	if (rest_next_line(&p, end, &line, &l) != 1 || l > 16 ||
	    (r->rq_method = strndup(line, l)) == NULL ||
	    !method_ok(r->rq_method)) {
		xr_err_set(err, XR_E_INVALID_REST, "Invalid REST request "
		    "method");
		goto fail;
	}
	if (rest_next_line(&p, end, &line, &l) != 1 ||
	    (target = strndup(line, l)) == NULL) {
		xr_err_set(err, XR_E_INVALID_REST, "Invalid REST request URI");
		goto fail;
	}
	if (parse_target(r, target, XR_E_INVALID_REST, err) == -1 ||
	    rest_parse_head_headers(p, end, &r->rq_hdrs, err) == -1 ||
	    decode_headers(r, XR_E_INVALID_REST, err) == -1)
		goto fail;
	free(target);
	*out = r;
	return 0;
 fail:
	free(target);
	rest_req_free(r);
	return -1;
}

const char *
rest_req_method(const struct rest_req *r)
{
	return r->rq_method;
}

const char *
rest_req_path(const struct rest_req *r)
{
	return r->rq_path;
}

const char *
rest_req_query(const struct rest_req *r)
{
	return r->rq_query;
}

const char *
rest_req_service_path(const struct rest_req *r)
{
	return r->rq_service_path;
}

const struct xrid *
rest_req_service(const struct rest_req *r)
{
	return &r->rq_service;
}

const struct xrid *
rest_req_client(const struct rest_req *r)
{
	return &r->rq_client;
}

const struct xrid *
rest_req_security_server(const struct rest_req *r)
{
	return r->rq_has_server ? &r->rq_server : NULL;
}

const char *
rest_req_id(const struct rest_req *r)
{
	return r->rq_id;
}

const char *
rest_req_user_id(const struct rest_req *r)
{
	return r->rq_user_id;
}

const char *
rest_req_issue(const struct rest_req *r)
{
	return r->rq_issue;
}

const char *
rest_req_request_id(const struct rest_req *r)
{
	return r->rq_request_id;
}

int
rest_req_represented_party(const struct rest_req *r, const char **cls,
    const char **code)
{
	if (!r->rq_has_repr)
		return -1;
	*cls = r->rq_repr_class;
	*code = r->rq_repr_code;
	return 0;
}

size_t
rest_req_nheaders(const struct rest_req *r)
{
	return r->rq_hdrs.hl_n;
}

int
rest_req_header_at(const struct rest_req *r, size_t i, const char **name,
    const char **value)
{
	if (i >= r->rq_hdrs.hl_n)
		return -1;
	*name = r->rq_hdrs.hl_v[i].name;
	*value = r->rq_hdrs.hl_v[i].value;
	return 0;
}

const char *
rest_req_header(const struct rest_req *r, const char *name)
{
	return rest_hdrs_get(&r->rq_hdrs, name);
}

int
rest_request_hash_raw(const void *head, size_t len,
    const unsigned char *body_sha512, char **out)
{
	unsigned char	md[XR_SHA512_LEN], cat[2 * XR_SHA512_LEN];

	*out = NULL;
	if (xr_sha512(head, len, md) == -1)
		return -1;
	if (body_sha512 != NULL) {
		memcpy(cat, md, XR_SHA512_LEN);
		memcpy(cat + XR_SHA512_LEN, body_sha512, XR_SHA512_LEN);
		if (xr_sha512(cat, sizeof(cat), md) == -1)
			return -1;
	}
	return (*out = b64_encode(md, sizeof(md))) == NULL ? -1 : 0;
}

int
rest_request_hash(const struct rest_req *r, const unsigned char *body_sha512,
    char **out)
{
	struct buf	*b;
	int		 ret;

	*out = NULL;
	if (rest_req_serialize(r, &b) == -1)
		return -1;
	ret = rest_request_hash_raw(buf_data(b), buf_len(b), body_sha512, out);
	buf_free(b);
	return ret;
}
