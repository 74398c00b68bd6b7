/*
 * transport.c: the signed multipart transport message between security
 * servers (NOTES.md 4.5): build it for sending, parse and check it on
 * arrival, compute the digests its signature covers. See transport.h.
 */
#include "config.h"

#include <ctype.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "buf.h"
#include "compat.h"
#include "mime.h"
#include "transport.h"
#include "xrmsg.h"
#include "xsig.h"

/* Tries with a fresh random boundary if a body happens to hold one. */
#define TRANSPORT_BOUNDARY_TRIES	4

struct transport_msg {
	enum transport_kind	 tm_kind;
	enum transport_dir	 tm_dir;
	struct mime_multipart	*tm_mm;
	struct mime_multipart	*tm_att;	/* attachments, or NULL */
	const struct mime_part	*tm_ocsp[TRANSPORT_MAX_OCSP];
	size_t			 tm_nocsp;
	const struct mime_part	*tm_msg;
	char			*tm_msg_ctype;
	const struct mime_part	*tm_body;	/* REST body */
	const struct mime_part	*tm_hcr;
	const struct mime_part	*tm_hc;
	const struct mime_part	*tm_sig;
	const struct mime_part	*tm_fault;
};

static void
seterr(char *err, size_t errlen, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static void
seterr(char *err, size_t errlen, const char *fmt, ...)
{
	va_list	ap;

	if (err == NULL || errlen == 0)
		return;
	va_start(ap, fmt);
	(void)vsnprintf(err, errlen, fmt, ap);
	va_end(ap);
}

/*
 * Digests.
 */

static int
digests_new(size_t n, unsigned char **out)
{
	if (n == 0 || n > TRANSPORT_MAX_ATTACHMENTS + 1)
		return -1;
	*out = calloc(n, XR_SHA512_LEN);
	return *out == NULL ? -1 : 0;
}

int
transport_out_digests(const struct transport_out *o, unsigned char **digests,
    size_t *n)
{
	unsigned char	*d = NULL;
	size_t		 cnt, i;

	*digests = NULL;
	*n = 0;
	if (o->to_msg == NULL)
		return -1;
	if (o->to_kind == TRANSPORT_SOAP)
		cnt = 1 + o->to_natt;
	else
		cnt = 1 + (o->to_has_body ? 1 : 0);
	if (digests_new(cnt, &d) == -1)
		return -1;
	if (xr_sha512(o->to_msg, o->to_msg_len, d) == -1)
		goto fail;
	if (o->to_kind == TRANSPORT_SOAP) {
		for (i = 0; i < o->to_natt; i++)
			if (xr_sha512(o->to_att[i].ta_body, o->to_att[i].ta_len,
			    d + (i + 1) * XR_SHA512_LEN) == -1)
				goto fail;
	} else if (o->to_has_body &&
	    xr_sha512(o->to_body, o->to_body_len, d + XR_SHA512_LEN) == -1)
		goto fail;
	*digests = d;
	*n = cnt;
	return 0;
 fail:
	free(d);
	return -1;
}

int
transport_msg_digests(const struct transport_msg *m, unsigned char **digests,
    size_t *n)
{
	const unsigned char	*p;
	unsigned char		*d = NULL;
	size_t			 cnt, i, len;

	*digests = NULL;
	*n = 0;
	if (m->tm_kind == TRANSPORT_SOAP)
		cnt = 1 + (m->tm_att != NULL ? mime_nparts(m->tm_att) : 0);
	else
		cnt = 1 + (m->tm_body != NULL ? 1 : 0);
	if (digests_new(cnt, &d) == -1)
		return -1;
	p = mime_part_body(m->tm_msg, &len);
	if (xr_sha512(p, len, d) == -1)
		goto fail;
	for (i = 1; i < cnt; i++) {
		if (m->tm_kind == TRANSPORT_SOAP)
			p = mime_part_body(mime_part_at(m->tm_att, i - 1),
			    &len);
		else
			p = mime_part_body(m->tm_body, &len);
		if (xr_sha512(p, len, d + i * XR_SHA512_LEN) == -1)
			goto fail;
	}
	*digests = d;
	*n = cnt;
	return 0;
 fail:
	free(d);
	return -1;
}

/*
 * Building.
 */

static int
soap_ctype_ok(const char *ctype)
{
	struct mime_hval	*hv = NULL;
	int			 ok;

	if (mime_hval_parse(ctype, MIME_HV_CTYPE, &hv, NULL, 0) == -1)
		return 0;
	ok = strcmp(mime_hval_value(hv), TRANSPORT_CT_XML) == 0 ||
	    strcmp(mime_hval_value(hv), TRANSPORT_CT_XOP) == 0;
	mime_hval_free(hv);
	return ok;
}

/* The nested multipart/mixed of the attachments into *out. */
static int
build_attachments(const struct transport_out *o, size_t max, struct buf **out,
    char *ctype, size_t ctypelen)
{
	struct mime_writer	*w = NULL;
	size_t			 i;
	int			 tries;

	for (tries = 0; tries < TRANSPORT_BOUNDARY_TRIES; tries++) {
		if ((w = mime_writer_new(NULL, max)) == NULL)
			return -1;
		for (i = 0; i < o->to_natt; i++)
			if (mime_writer_add(w, o->to_att[i].ta_headers,
			    o->to_att[i].ta_body, o->to_att[i].ta_len) == -1)
				break;
		if (i == o->to_natt)
			break;
		mime_writer_free(w);
		w = NULL;
	}
	if (w == NULL)
		return -1;
	if (snprintf(ctype, ctypelen, "%s; charset=UTF-8; boundary=%s",
	    TRANSPORT_CT_MULTIPART, mime_writer_boundary(w)) >= (int)ctypelen) {
		mime_writer_free(w);
		return -1;
	}
	return mime_writer_finish(w, out);
}

/* One attempt with one random boundary; -2 when a body holds it. */
static int
build_once(const struct transport_out *o, const struct buf *att,
    const char *att_ctype, size_t max, struct buf **out, char *ctype,
    size_t ctypelen)
{
	struct mime_writer	*w;
	const char		*h[3] = { "Content-Type", NULL, NULL };
	size_t			 i;

	if ((w = mime_writer_new(NULL, max)) == NULL)
		return -1;
	h[1] = TRANSPORT_CT_OCSP;
	for (i = 0; i < o->to_nocsp; i++)
		if (mime_writer_add(w, h, o->to_ocsp[i].xd_der,
		    o->to_ocsp[i].xd_len) == -1)
			goto refused;
	if (o->to_kind == TRANSPORT_SOAP)
		h[1] = o->to_msg_ctype != NULL ? o->to_msg_ctype :
		    "text/xml; charset=UTF-8";
	else
		h[1] = o->to_dir == TRANSPORT_REQUEST ? TRANSPORT_CT_REST_REQ :
		    TRANSPORT_CT_REST_RESP;
	if (mime_writer_add(w, h, o->to_msg, o->to_msg_len) == -1)
		goto refused;
	if (att != NULL) {
		h[1] = att_ctype;
		if (mime_writer_add(w, h, buf_data(att), buf_len(att)) == -1)
			goto refused;
	}
	if (o->to_kind == TRANSPORT_REST && o->to_has_body) {
		h[1] = TRANSPORT_CT_REST_BODY;
		if (mime_writer_add(w, h, o->to_body, o->to_body_len) == -1)
			goto refused;
	}
	if (o->to_hcr != NULL) {
		h[1] = TRANSPORT_CT_HCR;
		if (mime_writer_add(w, h, o->to_hcr, o->to_hcr_len) == -1)
			goto refused;
		h[1] = TRANSPORT_CT_HC;
		if (mime_writer_add(w, h, o->to_hc, o->to_hc_len) == -1)
			goto refused;
	}
	h[1] = TRANSPORT_CT_SIGNATURE;
	if (mime_writer_add(w, h, o->to_sig, o->to_sig_len) == -1)
		goto refused;
	if (snprintf(ctype, ctypelen, "%s; charset=UTF-8; boundary=%s",
	    TRANSPORT_CT_MULTIPART, mime_writer_boundary(w)) >= (int)ctypelen) {
		mime_writer_free(w);
		return -1;
	}
	return mime_writer_finish(w, out);
 refused:
	mime_writer_free(w);
	return -2;
}

int
transport_build(const struct transport_out *o, size_t max, struct buf **out,
    char *ctype, size_t ctypelen, char *err, size_t errlen)
{
	struct buf	*att = NULL;
	char		 att_ctype[160];
	int		 tries, rc = -1;

	*out = NULL;
	if ((o->to_kind != TRANSPORT_SOAP && o->to_kind != TRANSPORT_REST) ||
	    (o->to_dir != TRANSPORT_REQUEST &&
	    o->to_dir != TRANSPORT_RESPONSE)) {
		seterr(err, errlen, "bad kind or direction");
		return -1;
	}
	if (o->to_msg == NULL || o->to_msg_len == 0 || o->to_sig == NULL ||
	    o->to_sig_len == 0) {
		seterr(err, errlen, "no message or no signature");
		return -1;
	}
	if ((o->to_hcr == NULL) != (o->to_hc == NULL)) {
		seterr(err, errlen, "hash chain and result go together");
		return -1;
	}
	if (o->to_nocsp > TRANSPORT_MAX_OCSP ||
	    (o->to_nocsp > 0 && o->to_dir != TRANSPORT_REQUEST)) {
		seterr(err, errlen, "OCSP parts: at most %d, requests only",
		    TRANSPORT_MAX_OCSP);
		return -1;
	}
	if (o->to_kind == TRANSPORT_SOAP) {
		if (o->to_msg_ctype != NULL &&
		    !soap_ctype_ok(o->to_msg_ctype)) {
			seterr(err, errlen, "SOAP part type is not text/xml or "
			    "application/xop+xml");
			return -1;
		}
		if (o->to_natt > TRANSPORT_MAX_ATTACHMENTS) {
			seterr(err, errlen, "too many attachments");
			return -1;
		}
		if (o->to_natt > 0 && build_attachments(o, max, &att,
		    att_ctype, sizeof(att_ctype)) == -1) {
			seterr(err, errlen, "cannot build the attachments "
			    "(bad header or too big)");
			return -1;
		}
	} else if (o->to_natt > 0) {
		seterr(err, errlen, "attachments in a REST message");
		return -1;
	}
	for (tries = 0; tries < TRANSPORT_BOUNDARY_TRIES; tries++)
		if ((rc = build_once(o, att, att_ctype, max, out, ctype,
		    ctypelen)) != -2)
			break;
	buf_free(att);
	if (rc != 0) {
		*out = NULL;
		seterr(err, errlen, "cannot build the transport message (too "
		    "big or out of memory)");
		return -1;
	}
	return 0;
}

/*
 * Parsing.
 */

/* Lower-case type/subtype of a part into out; -1 if missing or bad. */
static int
part_type(const struct mime_part *p, char *out, size_t outlen, char **full)
{
	struct mime_hval	*hv = NULL;
	const char		*ct;
	size_t			 i;
	int			 ret = -1;

	if ((ct = mime_part_header(p, "Content-Type")) == NULL)
		return -1;
	/*
	 * Not MIME_HV_CTYPE: "signature/bdoc-1.0/ts" has two slashes, which
	 * RFC 2045 does not allow but X-Road sends.
	 */
	if (mime_hval_parse(ct, 0, &hv, NULL, 0) == -1)
		return -1;
	if (strlcpy(out, mime_hval_value(hv), outlen) >= outlen ||
	    strchr(out, '/') == NULL)
		goto done;
	for (i = 0; out[i] != '\0'; i++)
		out[i] = (char)tolower((unsigned char)out[i]);
	if (full != NULL && (*full = strdup(ct)) == NULL)
		goto done;
	ret = 0;
 done:
	mime_hval_free(hv);
	return ret;
}

void
transport_msg_free(struct transport_msg *m)
{
	if (m == NULL)
		return;
	mime_multipart_free(m->tm_mm);
	mime_multipart_free(m->tm_att);
	free(m->tm_msg_ctype);
	free(m);
}

int
transport_parse(const void *body, size_t len, const char *content_type,
    enum transport_dir dir, struct transport_msg **out, char *err,
    size_t errlen)
{
	struct mime_limits	 lim = { TRANSPORT_MAX_PARTS,
	    MIME_DEF_MAX_HEADERS, TRANSPORT_MAX_HEADER_BYTES };
	struct mime_limits	 alim = { TRANSPORT_MAX_ATTACHMENTS,
	    MIME_DEF_MAX_HEADERS, TRANSPORT_MAX_HEADER_BYTES };
	struct transport_msg	*m = NULL;
	struct mime_hval	*hv = NULL;
	const struct mime_part	*p;
	const unsigned char	*pb;
	char			 t[128], merr[MIME_ERR_MAX];
	char			*full = NULL;
	size_t			 i = 0, n, plen;

	*out = NULL;
	if (content_type == NULL || mime_hval_parse(content_type,
	    MIME_HV_CTYPE, &hv, NULL, 0) == -1 ||
	    strcmp(mime_hval_value(hv), TRANSPORT_CT_MULTIPART) != 0) {
		seterr(err, errlen, "transport message is not %s",
		    TRANSPORT_CT_MULTIPART);
		goto fail;
	}
	if ((m = calloc(1, sizeof(*m))) == NULL) {
		seterr(err, errlen, "out of memory");
		goto fail;
	}
	m->tm_dir = dir;
	if (mime_parse(body, len, mime_hval_param(hv, "boundary"), &lim,
	    &m->tm_mm, merr, sizeof(merr)) == -1) {
		seterr(err, errlen, "transport message: %s", merr);
		goto fail;
	}
	n = mime_nparts(m->tm_mm);
#define PART_TYPE()	(part_type(p = mime_part_at(m->tm_mm, i), t,	\
			    sizeof(t), NULL) == 0)

	/* OCSP responses of the sender's auth cert (requests only). */
	while (i < n && PART_TYPE() && strcmp(t, TRANSPORT_CT_OCSP) == 0) {
		if (dir != TRANSPORT_REQUEST) {
			seterr(err, errlen, "OCSP part in a response");
			goto fail;
		}
		if (m->tm_nocsp == TRANSPORT_MAX_OCSP) {
			seterr(err, errlen, "more than %d OCSP parts",
			    TRANSPORT_MAX_OCSP);
			goto fail;
		}
		m->tm_ocsp[m->tm_nocsp++] = p;
		i++;
	}
	/* The message. */
	if (i == n || part_type(p = mime_part_at(m->tm_mm, i), t, sizeof(t),
	    &full) == -1) {
		seterr(err, errlen, "no message part (or one without a valid "
		    "Content-Type)");
		goto fail;
	}
	if (strcmp(t, TRANSPORT_CT_XML) == 0 ||
	    strcmp(t, TRANSPORT_CT_XOP) == 0)
		m->tm_kind = TRANSPORT_SOAP;
	else if (strcmp(t, dir == TRANSPORT_REQUEST ? TRANSPORT_CT_REST_REQ :
	    TRANSPORT_CT_REST_RESP) == 0)
		m->tm_kind = TRANSPORT_REST;
	else {
		seterr(err, errlen, "unexpected part %.100s where the message "
		    "should be", t);
		goto fail;
	}
	pb = mime_part_body(p, &plen);
	if (plen == 0) {
		seterr(err, errlen, "empty message part");
		goto fail;
	}
	m->tm_msg = p;
	m->tm_msg_ctype = full;
	full = NULL;
	i++;
	/* Attachments or the REST body. */
	if (i < n && PART_TYPE()) {
		if (m->tm_kind == TRANSPORT_SOAP &&
		    strncmp(t, "multipart/", 10) == 0) {
			const char *ct = mime_part_header(p, "Content-Type");

			pb = mime_part_body(p, &plen);
			if (mime_parse_ctype(pb, plen, ct, &alim, &m->tm_att,
			    merr, sizeof(merr)) == -1) {
				seterr(err, errlen, "attachments: %s", merr);
				goto fail;
			}
			i++;
		} else if (m->tm_kind == TRANSPORT_REST &&
		    strcmp(t, TRANSPORT_CT_REST_BODY) == 0) {
			m->tm_body = p;
			i++;
		}
	}
	/* Hash chain result and hash chain, together. */
	if (i < n && PART_TYPE() && strcmp(t, TRANSPORT_CT_HCR) == 0) {
		m->tm_hcr = p;
		i++;
		if (i == n || !PART_TYPE() || strcmp(t, TRANSPORT_CT_HC) != 0) {
			seterr(err, errlen, "hash chain result without its "
			    "hash chain");
			goto fail;
		}
		m->tm_hc = p;
		i++;
	}
	/* The signature, or (responses) a fault instead. */
	if (i == n) {
		seterr(err, errlen, "no signature part");
		goto fail;
	}
	if (!PART_TYPE()) {
		seterr(err, errlen, "part %zu has no valid Content-Type", i);
		goto fail;
	}
	if (strcmp(t, TRANSPORT_CT_SIGNATURE) == 0)
		m->tm_sig = p;
	else if (dir == TRANSPORT_RESPONSE && strcmp(t, TRANSPORT_CT_XML) == 0)
		m->tm_fault = p;
	else {
		seterr(err, errlen, "unexpected part %.100s where the "
		    "signature should be", t);
		goto fail;
	}
	pb = mime_part_body(p, &plen);
	if (plen == 0) {
		seterr(err, errlen, "empty signature part");
		goto fail;
	}
	if (++i != n) {
		seterr(err, errlen, "%zu parts after the signature", n - i);
		goto fail;
	}
#undef PART_TYPE
	mime_hval_free(hv);
	*out = m;
	return 0;
 fail:
	free(full);
	mime_hval_free(hv);
	transport_msg_free(m);
	return -1;
}

enum transport_kind
transport_msg_kind(const struct transport_msg *m)
{
	return m->tm_kind;
}

size_t
transport_msg_nocsp(const struct transport_msg *m)
{
	return m->tm_nocsp;
}

const unsigned char *
transport_msg_ocsp(const struct transport_msg *m, size_t i, size_t *len)
{
	if (i >= m->tm_nocsp)
		return NULL;
	return mime_part_body(m->tm_ocsp[i], len);
}

const unsigned char *
transport_msg_message(const struct transport_msg *m, size_t *len)
{
	return mime_part_body(m->tm_msg, len);
}

const char *
transport_msg_message_ctype(const struct transport_msg *m)
{
	return m->tm_msg_ctype;
}

size_t
transport_msg_nattachments(const struct transport_msg *m)
{
	return m->tm_att != NULL ? mime_nparts(m->tm_att) : 0;
}

const struct mime_part *
transport_msg_attachment(const struct transport_msg *m, size_t i)
{
	return m->tm_att != NULL ? mime_part_at(m->tm_att, i) : NULL;
}

const unsigned char *
transport_msg_body(const struct transport_msg *m, size_t *len)
{
	*len = 0;
	return m->tm_body != NULL ? mime_part_body(m->tm_body, len) : NULL;
}

static const char *
part_text(const struct mime_part *p, size_t *len)
{
	*len = 0;
	return p != NULL ? (const char *)mime_part_body(p, len) : NULL;
}

const char *
transport_msg_signature(const struct transport_msg *m, size_t *len)
{
	return part_text(m->tm_sig, len);
}

const char *
transport_msg_hcr(const struct transport_msg *m, size_t *len)
{
	return part_text(m->tm_hcr, len);
}

const char *
transport_msg_hc(const struct transport_msg *m, size_t *len)
{
	return part_text(m->tm_hc, len);
}

const unsigned char *
transport_msg_fault(const struct transport_msg *m, size_t *len)
{
	*len = 0;
	return m->tm_fault != NULL ? mime_part_body(m->tm_fault, len) : NULL;
}

int
transport_msg_verify(const struct transport_msg *m, struct xsig_info **info,
    char *err, size_t errlen)
{
	unsigned char	*d = NULL;
	const char	*sig, *hcr, *hc;
	size_t		 n, siglen, hcrlen, hclen;
	int		 rc;

	*info = NULL;
	if ((sig = transport_msg_signature(m, &siglen)) == NULL) {
		seterr(err, errlen, "the message carries no signature");
		return XSIG_ERR_MALFORMED;
	}
	if (transport_msg_digests(m, &d, &n) == -1) {
		seterr(err, errlen, "cannot compute the message digests");
		return XSIG_ERR_INTERNAL;
	}
	hcr = transport_msg_hcr(m, &hcrlen);
	hc = transport_msg_hc(m, &hclen);
	rc = xsig_verify_message(sig, siglen, hcr, hcrlen, hc, hclen, d, n,
	    info, err, errlen);
	free(d);
	return rc;
}
