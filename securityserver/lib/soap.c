/*
 * soap.c: X-Road SOAP 4.0 messages: parse and check (NOTES.md section 2).
 */
#include "config.h"

#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <libxml/encoding.h>
#include <libxml/parser.h>
#include <libxml/tree.h>
#include <libxml/xmlerror.h>

#include "buf.h"
#include "compat.h"
#include "mime.h"
#include "soap.h"
#include "soap_int.h"


/* Set while parsing: a DOCTYPE was seen. */
struct parse_state {
	int	ps_dtd;
};

void
soap_msg_free(struct soap_msg *m)
{
	if (m == NULL)
		return;
	xmlFreeDoc(m->sm_doc);
	free(m->sm_raw);
	free(m->sm_id);
	free(m->sm_user_id);
	free(m->sm_issue);
	free(m->sm_version);
	free(m->sm_repr_class);
	free(m->sm_repr_code);
	free(m->sm_hash);
	free(m->sm_hash_algo);
	free(m->sm_fault_code);
	free(m->sm_fault_string);
	free(m->sm_fault_detail);
	free(m);
}

static int
ns_is(const xmlNode *n, const char *href)
{
	return n->ns != NULL && n->ns->href != NULL &&
	    strcmp((const char *)n->ns->href, href) == 0;
}

int
soap_is_elem(const xmlNode *n, const char *href, const char *name)
{
	return n->type == XML_ELEMENT_NODE && ns_is(n, href) &&
	    strcmp((const char *)n->name, name) == 0;
}

/*
 * Text of an element that may hold only text (and comments); a copy in
 * *out (caller frees). Fails on child elements or more than max bytes.
 */
static int
elem_text(const xmlNode *n, size_t max, char **out)
{
	const xmlNode	*c;
	struct buf	*b;
	int		 ret = -1;

	*out = NULL;
	if ((b = buf_new(max)) == NULL)
		return -1;
	for (c = n->children; c != NULL; c = c->next) {
		if (c->type == XML_COMMENT_NODE || c->type == XML_PI_NODE)
			continue;
		if (c->type != XML_TEXT_NODE &&
		    c->type != XML_CDATA_SECTION_NODE)
			goto done;
		if (c->content != NULL &&
		    buf_append_str(b, (const char *)c->content) != 0)
			goto done;
	}
	if ((*out = strdup(buf_str(b))) == NULL)
		goto done;
	ret = 0;
 done:
	buf_free(b);
	return ret;
}

/* Skip ignorable nodes; 0 if n is whitespace text, comment or PI. */
static int
ignorable(const xmlNode *n)
{
	if (n->type == XML_COMMENT_NODE || n->type == XML_PI_NODE)
		return 1;
	if (n->type == XML_TEXT_NODE || n->type == XML_CDATA_SECTION_NODE)
		return xmlIsBlankNode(n);
	return 0;
}

static int
text_field(const xmlNode *n, const char *name, char **dst,
    struct xr_err *err)
{
	if (*dst != NULL) {
		xr_err_set(err, XR_E_DUPLICATE_HEADER_FIELD,
		    "SOAP header contains duplicate field '%s'", name);
		return -1;
	}
	if (elem_text(n, SOAP_FIELD_MAX, dst) == -1) {
		xr_err_set(err, XR_E_INVALID_XML, "Header field '%s' must be "
		    "text of at most %d bytes", name, SOAP_FIELD_MAX);
		return -1;
	}
	return 0;
}

static int
id_field(const xmlNode *n, const char *name, unsigned mask, struct xrid *id,
    int *seen, struct xr_err *err)
{
	char	e[XRID_ERR_MAX];

	if (*seen) {
		xr_err_set(err, XR_E_DUPLICATE_HEADER_FIELD,
		    "SOAP header contains duplicate field '%s'", name);
		return -1;
	}
	if (xrid_from_xml(id, n, mask, e, sizeof(e)) == -1) {
		xr_err_set(err, XR_E_INVALID_XML, "Invalid identifier: %s", e);
		return -1;
	}
	*seen = 1;
	return 0;
}

static int
parse_repr(struct soap_msg *m, const xmlNode *n, struct xr_err *err)
{
	const xmlNode	*c;

	if (m->sm_has_repr) {
		xr_err_set(err, XR_E_DUPLICATE_HEADER_FIELD,
		    "SOAP header contains duplicate field 'representedParty'");
		return -1;
	}
	m->sm_has_repr = 1;
	for (c = n->children; c != NULL; c = c->next) {
		if (ignorable(c))
			continue;
		if (soap_is_elem(c, SOAP_NS_REPR, "partyClass") &&
		    m->sm_repr_class == NULL && m->sm_repr_code == NULL) {
			if (text_field(c, "partyClass", &m->sm_repr_class,
			    err) == -1)
				return -1;
		} else if (soap_is_elem(c, SOAP_NS_REPR, "partyCode") &&
		    m->sm_repr_code == NULL) {
			if (text_field(c, "partyCode", &m->sm_repr_code,
			    err) == -1)
				return -1;
		} else {
			xr_err_set(err, XR_E_INVALID_XML, "representedParty: "
			    "unexpected, duplicate or misplaced content");
			return -1;
		}
	}
	if (m->sm_repr_code == NULL || m->sm_repr_code[0] == '\0') {
		xr_err_set(err, XR_E_INVALID_XML,
		    "representedParty: missing partyCode");
		return -1;
	}
	return 0;
}

static int
version_ok(const char *v)
{
	size_t	i;

	if (strncmp(v, "4.", 2) != 0 || v[2] == '\0')
		return 0;
	for (i = 2; v[i] != '\0'; i++)
		if (v[i] < '0' || v[i] > '9')
			return 0;
	return 1;
}

static int
parse_header(struct soap_msg *m, xmlNode *hdr, struct xr_err *err)
{
	xmlNode		*n;
	const char	*name;

	for (n = hdr->children; n != NULL; n = n->next) {
		if (ignorable(n))
			continue;
		if (n->type != XML_ELEMENT_NODE) {
			xr_err_set(err, XR_E_INVALID_SOAP,
			    "Malformed SOAP message: unexpected content in "
			    "header");
			return -1;
		}
		if (n->ns == NULL) {
			xr_err_set(err, XR_E_INVALID_SOAP, "Malformed SOAP "
			    "message: header element '%.64s' is not "
			    "namespace-qualified", (const char *)n->name);
			return -1;
		}
		name = (const char *)n->name;
		if (ns_is(n, SOAP_NS_REPR)) {
			if (strcmp(name, "representedParty") != 0) {
				xr_err_set(err, XR_E_INVALID_SOAP,
				    "Unknown header field '%.64s'", name);
				return -1;
			}
			if (parse_repr(m, n, err) == -1)
				return -1;
			continue;
		}
		if (!ns_is(n, XRID_NS_XROAD))
			continue;	/* extension: allowed and kept */
		if (strcmp(name, "client") == 0) {
			if (id_field(n, name, XRID_MASK_CLIENT, &m->sm_client,
			    &m->sm_has_client, err) == -1)
				return -1;
		} else if (strcmp(name, "service") == 0) {
			if (id_field(n, name, XRID_MASK(XRID_SERVICE),
			    &m->sm_service, &m->sm_has_service, err) == -1)
				return -1;
		} else if (strcmp(name, "securityServer") == 0) {
			if (id_field(n, name, XRID_MASK(XRID_SERVER),
			    &m->sm_server, &m->sm_has_server, err) == -1)
				return -1;
		} else if (strcmp(name, "id") == 0) {
			if (text_field(n, name, &m->sm_id, err) == -1)
				return -1;
		} else if (strcmp(name, "userId") == 0) {
			if (text_field(n, name, &m->sm_user_id, err) == -1)
				return -1;
		} else if (strcmp(name, "issue") == 0) {
			if (text_field(n, name, &m->sm_issue, err) == -1)
				return -1;
		} else if (strcmp(name, "protocolVersion") == 0) {
			if (text_field(n, name, &m->sm_version, err) == -1)
				return -1;
			if (!version_ok(m->sm_version)) {
				xr_err_set(err, XR_E_INVALID_PROTOCOL_VERSION,
				    "Unsupported protocol version '%.32s'",
				    m->sm_version);
				return -1;
			}
		} else if (strcmp(name, "requestHash") == 0) {
			xmlChar *a;

			if (text_field(n, name, &m->sm_hash, err) == -1)
				return -1;
			a = xmlGetNoNsProp(n, BAD_CAST "algorithmId");
			if (a != NULL) {
				m->sm_hash_algo = strdup((const char *)a);
				xmlFree(a);
				if (m->sm_hash_algo == NULL) {
					xr_err_set(err, XR_E_INTERNAL_ERROR,
					    "out of memory");
					return -1;
				}
			}
		} else {
			xr_err_set(err, XR_E_INVALID_SOAP,
			    "Unknown X-Road header field '%.64s'", name);
			return -1;
		}
	}
	return 0;
}

static int
parse_fault(struct soap_msg *m, xmlNode *fault, struct xr_err *err)
{
	xmlNode		*n, *d;
	char		**dst;
	const char	*name;

	for (n = fault->children; n != NULL; n = n->next) {
		if (n->type != XML_ELEMENT_NODE)
			continue;
		name = (const char *)n->name;
		dst = NULL;
		if (strcmp(name, "faultcode") == 0)
			dst = &m->sm_fault_code;
		else if (strcmp(name, "faultstring") == 0)
			dst = &m->sm_fault_string;
		else if (strcmp(name, "detail") == 0) {
			for (d = n->children; d != NULL; d = d->next)
				if (d->type == XML_ELEMENT_NODE &&
				    strcmp((const char *)d->name,
				    "faultDetail") == 0)
					break;
			if (d == NULL)
				d = n;
			if (m->sm_fault_detail == NULL) {
				xmlChar *t = xmlNodeGetContent(d);

				m->sm_fault_detail = strdup(t != NULL ?
				    (const char *)t : "");
				xmlFree(t);
				if (m->sm_fault_detail == NULL)
					goto nomem;
			}
			continue;
		}
		if (dst != NULL && *dst == NULL) {
			xmlChar *t = xmlNodeGetContent(n);

			*dst = strdup(t != NULL ? (const char *)t : "");
			xmlFree(t);
			if (*dst == NULL)
				goto nomem;
		}
	}
	if (m->sm_fault_code == NULL) {
		xr_err_set(err, XR_E_INVALID_SOAP,
		    "Malformed SOAP fault: faultcode missing");
		return -1;
	}
	return 0;
 nomem:
	xr_err_set(err, XR_E_INTERNAL_ERROR, "out of memory");
	return -1;
}

static int
parse_body(struct soap_msg *m, xmlNode *body, struct xr_err *err)
{
	xmlNode	*n;
	int	 count = 0;

	for (n = body->children; n != NULL; n = n->next) {
		if (ignorable(n))
			continue;
		if (n->type != XML_ELEMENT_NODE) {
			xr_err_set(err, XR_E_INVALID_BODY, "Malformed SOAP "
			    "message: body must have exactly one child "
			    "element");
			return -1;
		}
		if (count++ == 0)
			m->sm_wrapper = n;
	}
	if (count != 1) {
		xr_err_set(err, XR_E_INVALID_BODY, "Malformed SOAP message: "
		    "body must have exactly one child element");
		return -1;
	}
	if (soap_is_elem(m->sm_wrapper, SOAP_NS_ENV, "Fault")) {
		m->sm_fault = 1;
		return parse_fault(m, m->sm_wrapper, err);
	}
	return 0;
}

static int
check_required(struct soap_msg *m, struct xr_err *err)
{
	const char	*name, *sc;
	size_t		 l;

	if (m->sm_header == NULL) {
		xr_err_set(err, XR_E_MISSING_HEADER,
		    "Malformed SOAP message: header missing");
		return -1;
	}
	if (m->sm_version == NULL) {
		xr_err_set(err, XR_E_MISSING_HEADER_FIELD,
		    "Required field 'protocolVersion' is missing");
		return -1;
	}
	if (!m->sm_has_client) {
		xr_err_set(err, XR_E_MISSING_HEADER_FIELD,
		    "Required field 'client' is missing");
		return -1;
	}
	if (m->sm_id == NULL || m->sm_id[0] == '\0') {
		xr_err_set(err, XR_E_MISSING_HEADER_FIELD,
		    "Required field 'id' is missing");
		return -1;
	}
	if (!m->sm_has_service) {
		xr_err_set(err, XR_E_MISSING_HEADER_FIELD,
		    "Message header must contain service id");
		return -1;
	}
	/* Document/literal wrapped: the wrapper is named after the service. */
	name = (const char *)m->sm_wrapper->name;
	sc = m->sm_service.service_code;
	l = strlen(sc);
	if (strcmp(name, sc) == 0)
		return 0;
	if (m->sm_kind == SOAP_RESPONSE && strncmp(name, sc, l) == 0 &&
	    strcmp(name + l, "Response") == 0)
		return 0;
	xr_err_set(err, XR_E_INCONSISTENT_HEADERS, "Malformed SOAP message: "
	    "service code does not match in header and body");
	return -1;
}

static void
quiet_error(void *ctx, xmlErrorPtr e)
{
	(void)ctx;
	(void)e;
}

static void
reject_dtd(void *ctx, const xmlChar *name, const xmlChar *eid,
    const xmlChar *sid)
{
	xmlParserCtxtPtr	 ctxt = ctx;
	struct parse_state	*ps = ctxt->_private;

	(void)name;
	(void)eid;
	(void)sid;
	if (ps != NULL)
		ps->ps_dtd = 1;
	xmlStopParser(ctxt);
}

/* Content-Type check; *enc gets the charset (caller frees) or NULL. */
static int
check_ctype(const char *ctype, char **enc, struct xr_err *err)
{
	struct mime_hval	*hv = NULL;
	xmlCharEncodingHandler	*eh;
	const char		*t, *cs;
	char			 e[MIME_ERR_MAX];

	*enc = NULL;
	if (ctype == NULL)
		return 0;
	if (mime_hval_parse(ctype, MIME_HV_CTYPE, &hv, e, sizeof(e)) == -1) {
		xr_err_set(err, XR_E_INVALID_CONTENT_TYPE,
		    "Invalid content type: %.128s (%s)", ctype, e);
		return -1;
	}
	t = mime_hval_value(hv);
	if (strcmp(t, "text/xml") != 0 &&
	    strcmp(t, "application/xop+xml") != 0) {
		xr_err_set(err, XR_E_INVALID_CONTENT_TYPE,
		    "Invalid content type: %.128s", t);
		mime_hval_free(hv);
		return -1;
	}
	if ((cs = mime_hval_param(hv, "charset")) != NULL) {
		/* Known to libxml2 (built in or iconv)? */
		if ((eh = xmlFindCharEncodingHandler(cs)) == NULL) {
			xr_err_set(err, XR_E_INVALID_CONTENT_TYPE,
			    "Unsupported charset '%.64s'", cs);
			mime_hval_free(hv);
			return -1;
		}
		xmlCharEncCloseFunc(eh);
		if ((*enc = strdup(cs)) == NULL) {
			xr_err_set(err, XR_E_INTERNAL_ERROR, "out of memory");
			mime_hval_free(hv);
			return -1;
		}
	}
	mime_hval_free(hv);
	return 0;
}

static xmlDoc *
read_xml(const void *xml, size_t len, const char *enc, struct xr_err *err)
{
	xmlParserCtxtPtr	 ctxt;
	struct parse_state	 ps = { 0 };
	xmlDoc			*doc;
	const xmlError		*xe;

	xmlInitParser();
	if ((ctxt = xmlNewParserCtxt()) == NULL) {
		xr_err_set(err, XR_E_INTERNAL_ERROR, "out of memory");
		return NULL;
	}
	ctxt->_private = &ps;
	ctxt->sax->internalSubset = reject_dtd;
	ctxt->sax->externalSubset = reject_dtd;
	ctxt->sax->serror = quiet_error;
	/* Never XML_PARSE_NOENT or XML_PARSE_DTDLOAD. */
	doc = xmlCtxtReadMemory(ctxt, xml, (int)len, NULL, enc,
	    XML_PARSE_NONET | XML_PARSE_NOERROR | XML_PARSE_NOWARNING);
	if (ps.ps_dtd || (doc != NULL && (doc->intSubset != NULL ||
	    doc->extSubset != NULL))) {
		xr_err_set(err, XR_E_INVALID_SOAP,
		    "Malformed SOAP message: DOCTYPE is not allowed");
		goto fail;
	}
	if (doc == NULL || !ctxt->wellFormed) {
		xe = xmlCtxtGetLastError(ctxt);
		xr_err_set(err, XR_E_INVALID_SOAP, "Malformed SOAP message: "
		    "%.200s", xe != NULL && xe->message ? xe->message :
		    "not well-formed XML");
		goto fail;
	}
	xmlFreeParserCtxt(ctxt);
	return doc;
 fail:
	xmlFreeDoc(doc);
	xmlFreeParserCtxt(ctxt);
	return NULL;
}

int
soap_parse(const void *xml, size_t len, const char *content_type,
    size_t max, enum soap_kind kind, struct soap_msg **out,
    struct xr_err *err)
{
	struct soap_msg	*m = NULL;
	xmlNode		*env, *n;
	char		*enc = NULL;
	int		 ret = -1;

	*out = NULL;
	if (len > max || len > INT_MAX) {
		xr_err_set(err, XR_E_INVALID_SOAP,
		    "SOAP message larger than %zu bytes", max);
		return -1;
	}
	if (check_ctype(content_type, &enc, err) == -1)
		return -1;
	if ((m = calloc(1, sizeof(*m))) == NULL ||
	    (m->sm_raw = malloc(len > 0 ? len : 1)) == NULL) {
		xr_err_set(err, XR_E_INTERNAL_ERROR, "out of memory");
		goto done;
	}
	memcpy(m->sm_raw, xml, len);
	m->sm_rawlen = len;
	m->sm_kind = kind;
	if ((m->sm_doc = read_xml(xml, len, enc, err)) == NULL)
		goto done;
	env = xmlDocGetRootElement(m->sm_doc);
	if (env == NULL || !soap_is_elem(env, SOAP_NS_ENV, "Envelope")) {
		xr_err_set(err, XR_E_INVALID_SOAP,
		    "Malformed SOAP message: envelope missing");
		goto done;
	}
	for (n = env->children; n != NULL; n = n->next) {
		if (ignorable(n))
			continue;
		if (soap_is_elem(n, SOAP_NS_ENV, "Header") &&
		    m->sm_header == NULL && m->sm_body == NULL) {
			m->sm_header = n;
			if (parse_header(m, n, err) == -1)
				goto done;
		} else if (soap_is_elem(n, SOAP_NS_ENV, "Body") &&
		    m->sm_body == NULL) {
			m->sm_body = n;
		} else {
			xr_err_set(err, XR_E_INVALID_SOAP, "Malformed SOAP "
			    "message: unexpected '%.64s' in envelope",
			    n->name ? (const char *)n->name : "content");
			goto done;
		}
	}
	if (m->sm_body == NULL) {
		/* Java reports a missing header first; so do we. */
		if (m->sm_header == NULL)
			xr_err_set(err, XR_E_MISSING_HEADER,
			    "Malformed SOAP message: header missing");
		else
			xr_err_set(err, XR_E_MISSING_BODY,
			    "Malformed SOAP message: body missing");
		goto done;
	}
	if (parse_body(m, m->sm_body, err) == -1)
		goto done;
	if (m->sm_fault) {
		if (kind == SOAP_REQUEST) {
			xr_err_set(err, XR_E_INVALID_SOAP,
			    "A request must not be a SOAP fault");
			goto done;
		}
	} else if (check_required(m, err) == -1)
		goto done;
	*out = m;
	m = NULL;
	ret = 0;
 done:
	free(enc);
	soap_msg_free(m);
	return ret;
}

enum soap_kind
soap_msg_kind(const struct soap_msg *m)
{
	return m->sm_kind;
}

int
soap_msg_is_fault(const struct soap_msg *m)
{
	return m->sm_fault;
}

const struct xrid *
soap_msg_client(const struct soap_msg *m)
{
	return m->sm_has_client ? &m->sm_client : NULL;
}

const struct xrid *
soap_msg_service(const struct soap_msg *m)
{
	return m->sm_has_service ? &m->sm_service : NULL;
}

const struct xrid *
soap_msg_security_server(const struct soap_msg *m)
{
	return m->sm_has_server ? &m->sm_server : NULL;
}

const char *
soap_msg_id(const struct soap_msg *m)
{
	return m->sm_id;
}

const char *
soap_msg_user_id(const struct soap_msg *m)
{
	return m->sm_user_id;
}

const char *
soap_msg_issue(const struct soap_msg *m)
{
	return m->sm_issue;
}

const char *
soap_msg_protocol_version(const struct soap_msg *m)
{
	return m->sm_version;
}

int
soap_msg_represented_party(const struct soap_msg *m, const char **cls,
    const char **code)
{
	if (!m->sm_has_repr)
		return -1;
	*cls = m->sm_repr_class;
	*code = m->sm_repr_code;
	return 0;
}

const char *
soap_msg_request_hash(const struct soap_msg *m, const char **algo)
{
	if (algo != NULL)
		*algo = m->sm_hash_algo;
	return m->sm_hash;
}

const char *
soap_msg_body_name(const struct soap_msg *m)
{
	return (const char *)m->sm_wrapper->name;
}

const char *
soap_msg_body_ns(const struct soap_msg *m)
{
	return m->sm_wrapper->ns != NULL ?
	    (const char *)m->sm_wrapper->ns->href : NULL;
}

xmlNode *
soap_msg_body_element(const struct soap_msg *m)
{
	return m->sm_wrapper;
}

const char *
soap_msg_fault_code(const struct soap_msg *m)
{
	return m->sm_fault_code;
}

const char *
soap_msg_fault_string(const struct soap_msg *m)
{
	return m->sm_fault_string;
}

const char *
soap_msg_fault_detail(const struct soap_msg *m)
{
	return m->sm_fault_detail;
}

const unsigned char *
soap_msg_raw(const struct soap_msg *m, size_t *len)
{
	*len = m->sm_rawlen;
	return m->sm_raw;
}
