/*
 * rest_resp.c: X-Road REST r1 response heads, the consistency check of
 * the client proxy, and the error JSON body (NOTES.md 3.2, 3.3, 4.5).
 * Declared in rest.h.
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <jansson.h>
#include <openssl/crypto.h>

#include "b64.h"
#include "buf.h"
#include "compat.h"
#include "rest.h"
#include "rest_int.h"

struct rest_resp {
	int		 rs_status;
	char		*rs_reason;
	char		*rs_id;
	struct xrid	 rs_client;
	struct xrid	 rs_service;
	int		 rs_has_client;
	int		 rs_has_service;
	char		*rs_request_id;
	char		*rs_hash;
	struct hdr_list	 rs_hdrs;
};

void
rest_resp_free(struct rest_resp *s)
{
	if (s == NULL)
		return;
	free(s->rs_reason);
	free(s->rs_id);
	free(s->rs_request_id);
	free(s->rs_hash);
	rest_hdrs_free(&s->rs_hdrs);
	free(s);
}

static int
add_str(struct hdr_list *hl, const char *name, const char *value)
{
	return rest_hdrs_add(hl, name, strlen(name), value, strlen(value));
}

static int
add_id(struct hdr_list *hl, const char *name, const struct xrid *id)
{
	char	v[3 * XRID_STR_MAX];

	if (xrid_format(id, XRID_F_PCT, v, sizeof(v)) == -1)
		return -1;
	return add_str(hl, name, v);
}

/* X-Road fields of a response from its headers. */
static int
decode_resp(struct rest_resp *s, struct xr_err *err)
{
	const char	*v;
	char		 e[XRID_ERR_MAX];

	if ((v = rest_hdrs_get(&s->rs_hdrs, REST_H_ID)) == NULL ||
	    v[0] == '\0' ||
	    (s->rs_id = strdup(v)) == NULL ||
	    (v = rest_hdrs_get(&s->rs_hdrs, REST_H_REQUEST_HASH)) == NULL ||
	    v[0] == '\0' || (s->rs_hash = strdup(v)) == NULL) {
		xr_err_set(err, XR_E_INVALID_REST,
		    "Invalid REST Response message");
		return -1;
	}
	if ((v = rest_hdrs_get(&s->rs_hdrs, REST_H_REQUEST_ID)) != NULL &&
	    (s->rs_request_id = strdup(v)) == NULL)
		goto nomem;
	if ((v = rest_hdrs_get(&s->rs_hdrs, REST_H_CLIENT)) != NULL) {
		if (xrid_parse_client(&s->rs_client, v, XRID_F_PCT, e,
		    sizeof(e)) == -1) {
			xr_err_set(err, XR_E_INVALID_REST, "Invalid Client "
			    "Id: %s", e);
			return -1;
		}
		s->rs_has_client = 1;
	}
	if ((v = rest_hdrs_get(&s->rs_hdrs, REST_H_SERVICE)) != NULL) {
		if (xrid_parse(&s->rs_service, XRID_MASK(XRID_SERVICE), v,
		    XRID_F_PCT, e, sizeof(e)) == -1) {
			xr_err_set(err, XR_E_INVALID_REST, "Invalid Service "
			    "Id: %s", e);
			return -1;
		}
		s->rs_has_service = 1;
	}
	return 0;
 nomem:
	xr_err_set(err, XR_E_INTERNAL_ERROR, "out of memory");
	return -1;
}

int
rest_resp_new(const struct rest_req *req, int status, const char *reason,
    const struct rest_header *hdrs, size_t nhdrs, const char *request_hash,
    struct rest_resp **out, struct xr_err *err)
{
	static const char *const own[] = { REST_H_ID, REST_H_CLIENT,
	    REST_H_SERVICE, REST_H_REQUEST_ID, REST_H_REQUEST_HASH };
	struct rest_resp	*s;
	const char		*n, *v;
	size_t			 i, j;

	*out = NULL;
	if (reason == NULL)
		reason = "";
	if (status < 100 || status > 599 || !rest_value_ok(reason,
	    strlen(reason)) || req->rq_id == NULL ||
	    req->rq_request_id == NULL || request_hash == NULL) {
		xr_err_set(err, XR_E_INTERNAL_ERROR, "bad response arguments");
		return -1;
	}
	if ((s = calloc(1, sizeof(*s))) == NULL ||
	    (s->rs_reason = strdup(reason)) == NULL)
		goto nomem;
	s->rs_status = status;
	for (i = 0; i < nhdrs; i++) {
		n = hdrs[i].rh_name;
		v = hdrs[i].rh_value != NULL ? hdrs[i].rh_value : "";
		if (!rest_name_ok(n) || !rest_value_ok(v, strlen(v))) {
			xr_err_set(err, XR_E_INVALID_REST, "Invalid header "
			    "'%.64s' in provider response", n);
			goto fail;
		}
		if (rest_header_skipped(n) ||
		    rest_named_in_connection(hdrs, nhdrs, n))
			continue;
		for (j = 0; j < sizeof(own) / sizeof(own[0]); j++)
			if (strcasecmp(n, own[j]) == 0)
				break;
		if (j < sizeof(own) / sizeof(own[0]))
			continue;
		if (add_str(&s->rs_hdrs, n, v) == -1)
			goto toomany;
	}
	if (add_str(&s->rs_hdrs, REST_H_ID, req->rq_id) == -1 ||
	    add_id(&s->rs_hdrs, REST_H_CLIENT, &req->rq_client) == -1 ||
	    add_id(&s->rs_hdrs, REST_H_SERVICE, &req->rq_service) == -1 ||
	    add_str(&s->rs_hdrs, REST_H_REQUEST_ID, req->rq_request_id) ==
	    -1 || add_str(&s->rs_hdrs, REST_H_REQUEST_HASH, request_hash) == -1)
		goto toomany;
	if (decode_resp(s, err) == -1)
		goto fail;
	*out = s;
	return 0;
 toomany:
	xr_err_set(err, XR_E_INVALID_REST, "Too many headers in response");
	goto fail;
 nomem:
	xr_err_set(err, XR_E_INTERNAL_ERROR, "out of memory");
 fail:
	rest_resp_free(s);
	return -1;
}

int
rest_resp_serialize(const struct rest_resp *s, struct buf **out)
{
	struct buf	*b;

	*out = NULL;
	if ((b = buf_new(REST_MAX_HEADERS * (REST_VALUE_MAX + 256) +
	    65536)) == NULL)
		return -1;
	if (buf_printf(b, "%d\r\n%s\r\n", s->rs_status, s->rs_reason) != 0 ||
	    rest_hdrs_serialize(&s->rs_hdrs, b) == -1) {
		buf_free(b);
		return -1;
	}
	*out = b;
	return 0;
}

int
rest_resp_parse(const void *head, size_t len, struct rest_resp **out,
    struct xr_err *err)
{
	struct rest_resp	*s;
	const char		*p = head, *end = p + len, *line, *errstr;
	char			 num[8];
	size_t			 l;

	*out = NULL;
	if ((s = calloc(1, sizeof(*s))) == NULL) {
		xr_err_set(err, XR_E_INTERNAL_ERROR, "out of memory");
		return -1;
	}
	if (rest_next_line(&p, end, &line, &l) != 1 || l != 3) {
		xr_err_set(err, XR_E_INVALID_REST, "Invalid REST response "
		    "status");
		goto fail;
	}
	memcpy(num, line, l);
	num[l] = '\0';
	s->rs_status = (int)strtonum(num, 100, 599, &errstr);
	if (errstr != NULL) {
		xr_err_set(err, XR_E_INVALID_REST, "Invalid REST response "
		    "status");
		goto fail;
	}
	if (rest_next_line(&p, end, &line, &l) != 1 ||
	    !rest_value_ok(line, l) ||
	    (s->rs_reason = strndup(line, l)) == NULL) {
		xr_err_set(err, XR_E_INVALID_REST, "Invalid REST response "
		    "reason");
		goto fail;
	}
	if (rest_parse_head_headers(p, end, &s->rs_hdrs, err) == -1 ||
	    decode_resp(s, err) == -1)
		goto fail;
	*out = s;
	return 0;
 fail:
	rest_resp_free(s);
	return -1;
}

int
rest_resp_status(const struct rest_resp *s)
{
	return s->rs_status;
}

const char *
rest_resp_reason(const struct rest_resp *s)
{
	return s->rs_reason;
}

const char *
rest_resp_id(const struct rest_resp *s)
{
	return s->rs_id;
}

const struct xrid *
rest_resp_client(const struct rest_resp *s)
{
	return s->rs_has_client ? &s->rs_client : NULL;
}

const struct xrid *
rest_resp_service(const struct rest_resp *s)
{
	return s->rs_has_service ? &s->rs_service : NULL;
}

const char *
rest_resp_request_id(const struct rest_resp *s)
{
	return s->rs_request_id;
}

const char *
rest_resp_request_hash(const struct rest_resp *s)
{
	return s->rs_hash;
}

size_t
rest_resp_nheaders(const struct rest_resp *s)
{
	return s->rs_hdrs.hl_n;
}

int
rest_resp_header_at(const struct rest_resp *s, size_t i, const char **name,
    const char **value)
{
	if (i >= s->rs_hdrs.hl_n)
		return -1;
	*name = s->rs_hdrs.hl_v[i].name;
	*value = s->rs_hdrs.hl_v[i].value;
	return 0;
}

const char *
rest_resp_header(const struct rest_resp *s, const char *name)
{
	return rest_hdrs_get(&s->rs_hdrs, name);
}

static int
streq(const char *a, const char *b)
{
	return a != NULL && b != NULL && strcmp(a, b) == 0;
}

int
rest_resp_check(const struct rest_req *req, const struct rest_resp *resp,
    const unsigned char *body_sha512, struct xr_err *err)
{
	unsigned char	*want = NULL, *got = NULL;
	size_t		 wl = 0, gl = 0;
	char		*mine = NULL;
	int		 ret = -1;

	if (!resp->rs_has_client || !xrid_equal(&req->rq_client,
	    &resp->rs_client)) {
		xr_err_set(err, XR_E_INCONSISTENT_RESPONSE,
		    "Response client id does not match request message");
		return -1;
	}
	if (!streq(req->rq_id, resp->rs_id)) {
		xr_err_set(err, XR_E_INCONSISTENT_RESPONSE,
		    "Response message id does not match request message");
		return -1;
	}
	if (!resp->rs_has_service || !xrid_equal(&req->rq_service,
	    &resp->rs_service)) {
		xr_err_set(err, XR_E_INCONSISTENT_RESPONSE,
		    "Response service id does not match request message");
		return -1;
	}
	if (!streq(req->rq_request_id, resp->rs_request_id)) {
		xr_err_set(err, XR_E_INCONSISTENT_RESPONSE, "Response message "
		    "request id does not match request message");
		return -1;
	}
	if (rest_request_hash(req, body_sha512, &mine) == -1 ||
	    b64_decode(mine, strlen(mine), &want, &wl) == -1) {
		xr_err_set(err, XR_E_INTERNAL_ERROR, "cannot hash request");
		goto done;
	}
	if (b64_decode(resp->rs_hash, strlen(resp->rs_hash), &got, &gl) ==
	    -1 || gl != wl || CRYPTO_memcmp(got, want, wl) != 0) {
		xr_err_set(err, XR_E_INCONSISTENT_RESPONSE,
		    "Response message hash does not match request message");
		goto done;
	}
	ret = 0;
 done:
	free(mine);
	free(want);
	free(got);
	return ret;
}

int
rest_head_is_response(const void *head, size_t len)
{
	const unsigned char *p = head;

	return len > 0 && p[0] >= '1' && p[0] <= '9';
}

/*
 * Error bodies.
 */

int
rest_error_json(const char *type, const char *message, const char *detail,
    char **out)
{
	json_t	*o;

	*out = NULL;
	if ((o = json_object()) == NULL)
		return -1;
	if (json_object_set_new(o, "type", json_string(type)) != 0 ||
	    json_object_set_new(o, "message",
	    json_string(message != NULL ? message : "")) != 0 ||
	    json_object_set_new(o, "detail",
	    json_string(detail != NULL ? detail : "")) != 0) {
		json_decref(o);
		return -1;
	}
	*out = json_dumps(o, JSON_COMPACT | JSON_PRESERVE_ORDER);
	json_decref(o);
	return *out != NULL ? 0 : -1;
}

int
rest_error_from_err(const struct xr_err *err, const char *prefix,
    const char *detail, char **json, char *type_out, size_t type_len)
{
	*json = NULL;
	if (xr_err_faultcode(err, prefix, type_out, type_len) == -1)
		return -1;
	return rest_error_json(type_out, err->xe_msg, detail, json);
}

int
rest_error_status(const char *type)
{
	if (strncmp(type, XR_PREFIX_CLIENT ".", strlen(XR_PREFIX_CLIENT) + 1)
	    == 0 || strcmp(type, XR_PREFIX_CLIENT) == 0)
		return 400;
	return 500;
}

static int
json_str(json_t *o, const char *key, char **out)
{
	json_t	*v = json_object_get(o, key);

	*out = NULL;
	if (v == NULL)
		return 0;
	if (!json_is_string(v))
		return -1;
	return (*out = strdup(json_string_value(v))) == NULL ? -1 : 0;
}

int
rest_error_parse(const void *json, size_t len, char **type, char **message,
    char **detail)
{
	json_t		*o;
	json_error_t	 je;

	*type = *message = *detail = NULL;
	if ((o = json_loadb(json, len, JSON_REJECT_DUPLICATES, &je)) == NULL)
		return -1;
	if (!json_is_object(o) || json_str(o, "type", type) == -1 ||
	    *type == NULL || json_str(o, "message", message) == -1 ||
	    json_str(o, "detail", detail) == -1) {
		json_decref(o);
		free(*type);
		free(*message);
		free(*detail);
		*type = *message = *detail = NULL;
		return -1;
	}
	json_decref(o);
	return 0;
}
