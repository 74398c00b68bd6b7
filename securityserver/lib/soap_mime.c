/*
 * soap_mime.c: SOAP with attachments and MTOM (NOTES.md 2.3): find the
 * SOAP part of a multipart/related body. Declared in soap.h.
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "mime.h"
#include "soap.h"

struct soap_parts {
	struct mime_multipart	*sp_mp;		/* NULL: plain SOAP */
	const unsigned char	*sp_soap;
	size_t			 sp_soaplen;
	char			*sp_ctype;
	int			 sp_mtom;
};

void
soap_parts_free(struct soap_parts *sp)
{
	if (sp == NULL)
		return;
	mime_multipart_free(sp->sp_mp);
	free(sp->sp_ctype);
	free(sp);
}

/* Compare Content-IDs ignoring the angle brackets. */
static int
cid_eq(const char *a, const char *b)
{
	size_t	la, lb;

	if (*a == '<')
		a++;
	if (*b == '<')
		b++;
	la = strlen(a);
	lb = strlen(b);
	if (la > 0 && a[la - 1] == '>')
		la--;
	if (lb > 0 && b[lb - 1] == '>')
		lb--;
	return la == lb && memcmp(a, b, la) == 0;
}

static int
root_type_ok(const char *t, int *mtom)
{
	*mtom = strcmp(t, "application/xop+xml") == 0;
	return *mtom || strcmp(t, "text/xml") == 0;
}

static int
split_multipart(struct soap_parts *sp, const void *body, size_t len,
    const char *content_type, const struct mime_hval *hv,
    const struct mime_limits *lim, struct xr_err *err)
{
	const struct mime_part	*root;
	struct mime_hval	*rt = NULL;
	const char		*p, *start, *cte, *cid;
	char			 e[MIME_ERR_MAX];
	int			 ret = -1;

	if ((p = mime_hval_param(hv, "type")) != NULL &&
	    strcasecmp(p, "text/xml") != 0 &&
	    strcasecmp(p, "application/xop+xml") != 0) {
		xr_err_set(err, XR_E_INVALID_CONTENT_TYPE,
		    "Invalid multipart type parameter: %.64s", p);
		return -1;
	}
	if (mime_parse_ctype(body, len, content_type, lim, &sp->sp_mp, e,
	    sizeof(e)) == -1) {
		xr_err_set(err, XR_E_MIME_PARSING_FAILED,
		    "Malformed multipart message: %s", e);
		return -1;
	}
	root = mime_part_at(sp->sp_mp, 0);
	if ((start = mime_hval_param(hv, "start")) != NULL &&
	    ((cid = mime_part_header(root, "Content-ID")) == NULL ||
	    !cid_eq(start, cid))) {
		xr_err_set(err, XR_E_MIME_PARSING_FAILED,
		    "The SOAP part (start=%.64s) must be the first part",
		    start);
		return -1;
	}
	if ((p = mime_part_header(root, "Content-Type")) == NULL ||
	    mime_hval_parse(p, MIME_HV_CTYPE, &rt, e, sizeof(e)) == -1 ||
	    !root_type_ok(mime_hval_value(rt), &sp->sp_mtom)) {
		xr_err_set(err, XR_E_INVALID_CONTENT_TYPE,
		    "Invalid content type of the SOAP part: %.128s",
		    p != NULL ? p : "(none)");
		goto done;
	}
	if ((cte = mime_part_header(root, "Content-Transfer-Encoding")) !=
	    NULL && strcasecmp(cte, "8bit") != 0 &&
	    strcasecmp(cte, "7bit") != 0 && strcasecmp(cte, "binary") != 0) {
		xr_err_set(err, XR_E_MIME_PARSING_FAILED,
		    "Content-Transfer-Encoding of the SOAP part must be 8bit, "
		    "not %.32s", cte);
		goto done;
	}
	if ((sp->sp_ctype = strdup(p)) == NULL) {
		xr_err_set(err, XR_E_INTERNAL_ERROR, "out of memory");
		goto done;
	}
	sp->sp_soap = mime_part_body(root, &sp->sp_soaplen);
	ret = 0;
 done:
	mime_hval_free(rt);
	return ret;
}

int
soap_parts_parse(const void *body, size_t len, const char *content_type,
    const struct mime_limits *lim, struct soap_parts **out,
    struct xr_err *err)
{
	struct soap_parts	*sp = NULL;
	struct mime_hval	*hv = NULL;
	const char		*t;
	char			 e[MIME_ERR_MAX];
	int			 ret = -1;

	*out = NULL;
	if (content_type == NULL) {
		xr_err_set(err, XR_E_INVALID_CONTENT_TYPE,
		    "Missing content type");
		return -1;
	}
	if (mime_hval_parse(content_type, MIME_HV_CTYPE, &hv, e,
	    sizeof(e)) == -1) {
		xr_err_set(err, XR_E_INVALID_CONTENT_TYPE,
		    "Invalid content type: %.128s (%s)", content_type, e);
		return -1;
	}
	if ((sp = calloc(1, sizeof(*sp))) == NULL) {
		xr_err_set(err, XR_E_INTERNAL_ERROR, "out of memory");
		goto done;
	}
	t = mime_hval_value(hv);
	if (strcmp(t, "text/xml") == 0) {
		sp->sp_soap = body;
		sp->sp_soaplen = len;
		if ((sp->sp_ctype = strdup(content_type)) == NULL) {
			xr_err_set(err, XR_E_INTERNAL_ERROR, "out of memory");
			goto done;
		}
	} else if (strcmp(t, "multipart/related") == 0) {
		if (split_multipart(sp, body, len, content_type, hv, lim,
		    err) == -1)
			goto done;
	} else {
		xr_err_set(err, XR_E_INVALID_CONTENT_TYPE,
		    "Invalid content type: %.128s", t);
		goto done;
	}
	*out = sp;
	sp = NULL;
	ret = 0;
 done:
	mime_hval_free(hv);
	soap_parts_free(sp);
	return ret;
}

int
soap_parts_is_multipart(const struct soap_parts *sp)
{
	return sp->sp_mp != NULL;
}

int
soap_parts_is_mtom(const struct soap_parts *sp)
{
	return sp->sp_mtom;
}

const unsigned char *
soap_parts_soap(const struct soap_parts *sp, size_t *len)
{
	*len = sp->sp_soaplen;
	return sp->sp_soap;
}

const char *
soap_parts_soap_ctype(const struct soap_parts *sp)
{
	return sp->sp_ctype;
}

size_t
soap_parts_nattachments(const struct soap_parts *sp)
{
	return sp->sp_mp != NULL ? mime_nparts(sp->sp_mp) - 1 : 0;
}

const struct mime_part *
soap_parts_attachment(const struct soap_parts *sp, size_t i)
{
	if (sp->sp_mp == NULL)
		return NULL;
	return mime_part_at(sp->sp_mp, i + 1);
}
