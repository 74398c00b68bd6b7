/*
 * soap_build.c: X-Road SOAP 4.0 messages: faults, request and response
 * envelopes, requestHash added by the server proxy and checked by the
 * client proxy (NOTES.md 2.2, 2.5). Declared in soap.h.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/crypto.h>

#include <libxml/tree.h>

#include "b64.h"
#include "buf.h"
#include "soap.h"
#include "soap_int.h"

/* A fault we build is small; this bounds a huge faultstring. */
#define SOAP_FAULT_MAX	(1024 * 1024)

int
soap_doc_serialize(xmlDoc *doc, size_t max, struct buf **out)
{
	xmlChar		*mem = NULL;
	int		 len = 0;
	struct buf	*b = NULL;

	*out = NULL;
	xmlDocDumpFormatMemoryEnc(doc, &mem, &len, "UTF-8", 0);
	if (mem == NULL || len < 0 || (size_t)len > max)
		goto fail;
	if ((b = buf_new(len > 0 ? (size_t)len : 1)) == NULL ||
	    buf_append(b, mem, (size_t)len) != 0)
		goto fail;
	xmlFree(mem);
	*out = b;
	return 0;
 fail:
	xmlFree(mem);
	buf_free(b);
	return -1;
}

/*
 * An element without namespace under parent (xmlNewChild with a NULL
 * namespace would inherit the parent's), with text escaped on output.
 */
static xmlNode *
plain_child(xmlNode *parent, const char *name, const char *text)
{
	xmlNode	*n;

	if ((n = xmlNewDocRawNode(parent->doc, NULL, BAD_CAST name,
	    text != NULL ? BAD_CAST text : NULL)) == NULL)
		return NULL;
	if (xmlAddChild(parent, n) == NULL) {
		xmlFreeNode(n);
		return NULL;
	}
	return n;
}

/* A new document with SOAP-ENV:Envelope, Header (optional) and Body. */
static xmlDoc *
new_envelope(xmlNode **hdr, xmlNode **body)
{
	xmlDoc	*doc;
	xmlNode	*env;
	xmlNs	*ns;

	if ((doc = xmlNewDoc(BAD_CAST "1.0")) == NULL)
		return NULL;
	if ((env = xmlNewDocNode(doc, NULL, BAD_CAST "Envelope", NULL)) ==
	    NULL)
		goto fail;
	xmlDocSetRootElement(doc, env);
	if ((ns = xmlNewNs(env, BAD_CAST SOAP_NS_ENV,
	    BAD_CAST "SOAP-ENV")) == NULL)
		goto fail;
	xmlSetNs(env, ns);
	if (hdr != NULL && (*hdr = xmlNewChild(env, ns, BAD_CAST "Header",
	    NULL)) == NULL)
		goto fail;
	if ((*body = xmlNewChild(env, ns, BAD_CAST "Body", NULL)) == NULL)
		goto fail;
	return doc;
 fail:
	xmlFreeDoc(doc);
	return NULL;
}

int
soap_fault_build(const char *faultcode, const char *faultstring,
    const char *detail_id, struct buf **out)
{
	xmlDoc	*doc;
	xmlNode	*body, *fault, *detail, *fd;
	int	 ret = -1;

	*out = NULL;
	if ((doc = new_envelope(NULL, &body)) == NULL)
		return -1;
	if ((fault = xmlNewChild(body, body->ns, BAD_CAST "Fault",
	    NULL)) == NULL ||
	    plain_child(fault, "faultcode", faultcode) == NULL ||
	    plain_child(fault, "faultstring",
	    faultstring != NULL ? faultstring : "") == NULL ||
	    plain_child(fault, "faultactor", "") == NULL)
		goto done;
	if (detail_id != NULL) {
		if ((detail = plain_child(fault, "detail", NULL)) == NULL ||
		    (fd = plain_child(detail, "faultDetail", detail_id)) ==
		    NULL)
			goto done;
		/* As X-Road writes it: faultDetail xmlns="". */
		if (xmlNewNs(fd, BAD_CAST "", NULL) == NULL)
			goto done;
	}
	ret = soap_doc_serialize(doc, SOAP_FAULT_MAX, out);
 done:
	xmlFreeDoc(doc);
	return ret;
}

int
soap_fault_from_err(const struct xr_err *err, const char *prefix,
    const char *detail_id, struct buf **out)
{
	char	code[160];

	*out = NULL;
	if (xr_err_faultcode(err, prefix, code, sizeof(code)) == -1)
		return -1;
	return soap_fault_build(code, err->xe_msg, detail_id, out);
}

static int
add_text(xmlNode *parent, xmlNs *ns, const char *name, const char *value)
{
	if (value == NULL)
		return 0;
	return xmlNewTextChild(parent, ns, BAD_CAST name, BAD_CAST value) ==
	    NULL ? -1 : 0;
}

int
soap_request_new(const struct soap_header *h, const char *body_ns,
    xmlDoc **docp, xmlNode **wrapperp)
{
	xmlDoc	*doc;
	xmlNode	*hdr, *body, *w, *rp;
	xmlNs	*xrd, *repr, *bns;

	*docp = NULL;
	*wrapperp = NULL;
	if (h->sh_client == NULL || h->sh_service == NULL ||
	    h->sh_id == NULL || h->sh_service->type != XRID_SERVICE ||
	    (h->sh_client->type != XRID_MEMBER &&
	    h->sh_client->type != XRID_SUBSYSTEM) ||
	    (h->sh_security_server != NULL &&
	    h->sh_security_server->type != XRID_SERVER))
		return -1;
	if ((doc = new_envelope(&hdr, &body)) == NULL)
		return -1;
	if ((xrd = xmlNewNs(hdr->parent, BAD_CAST XRID_NS_XROAD,
	    BAD_CAST "xrd")) == NULL ||
	    xmlNewNs(hdr->parent, BAD_CAST XRID_NS_ID, BAD_CAST "id") == NULL)
		goto fail;
	if (xrid_to_xml(h->sh_client, hdr, XRID_NS_XROAD, "xrd",
	    "client") == NULL ||
	    xrid_to_xml(h->sh_service, hdr, XRID_NS_XROAD, "xrd",
	    "service") == NULL ||
	    (h->sh_security_server != NULL &&
	    xrid_to_xml(h->sh_security_server, hdr, XRID_NS_XROAD, "xrd",
	    "securityServer") == NULL))
		goto fail;
	if (add_text(hdr, xrd, "id", h->sh_id) == -1 ||
	    add_text(hdr, xrd, "userId", h->sh_user_id) == -1 ||
	    add_text(hdr, xrd, "issue", h->sh_issue) == -1 ||
	    add_text(hdr, xrd, "protocolVersion", SOAP_PROTOCOL_VERSION) == -1)
		goto fail;
	if (h->sh_party_code != NULL) {
		if ((rp = plain_child(hdr, "representedParty", NULL)) ==
		    NULL ||
		    (repr = xmlNewNs(rp, BAD_CAST SOAP_NS_REPR,
		    BAD_CAST "repr")) == NULL)
			goto fail;
		xmlSetNs(rp, repr);
		if (add_text(rp, repr, "partyClass", h->sh_party_class) == -1 ||
		    add_text(rp, repr, "partyCode", h->sh_party_code) == -1)
			goto fail;
	}
	if ((w = plain_child(body, h->sh_service->service_code, NULL)) ==
	    NULL)
		goto fail;
	if (body_ns != NULL) {
		if ((bns = xmlNewNs(w, BAD_CAST body_ns, BAD_CAST "ns1")) ==
		    NULL)
			goto fail;
		xmlSetNs(w, bns);
	}
	*docp = doc;
	*wrapperp = w;
	return 0;
 fail:
	xmlFreeDoc(doc);
	return -1;
}

/* Declare on dst every namespace declared on src (same prefix). */
static int
copy_nsdefs(xmlNode *dst, const xmlNode *src)
{
	const xmlNs	*ns;

	for (ns = src->nsDef; ns != NULL; ns = ns->next) {
		if (xmlSearchNs(dst->doc, dst, ns->prefix) != NULL)
			continue;
		if (xmlNewNs(dst, ns->href, ns->prefix) == NULL)
			return -1;
	}
	return 0;
}

int
soap_response_new(const struct soap_msg *req, xmlDoc **docp,
    xmlNode **wrapperp)
{
	xmlDoc		*doc;
	xmlNode		*env, *hdr, *body, *n, *copy, *w;
	xmlNs		*ns;
	char		 name[XRID_PART_MAX + 16];
	const xmlNode	*rw = req->sm_wrapper;

	*docp = NULL;
	*wrapperp = NULL;
	if (req->sm_fault || req->sm_header == NULL || !req->sm_has_service)
		return -1;
	if ((doc = new_envelope(&hdr, &body)) == NULL)
		return -1;
	env = xmlDocGetRootElement(doc);
	/* The request's prefixes, so copied headers need no redeclaring. */
	if (copy_nsdefs(env, req->sm_header->parent) == -1 ||
	    copy_nsdefs(env, req->sm_header) == -1)
		goto fail;
	for (n = req->sm_header->children; n != NULL; n = n->next) {
		if (n->type != XML_ELEMENT_NODE)
			continue;
		if (soap_is_elem(n, XRID_NS_XROAD, "requestHash"))
			continue;
		copy = NULL;
		if (xmlDOMWrapCloneNode(NULL, req->sm_doc, n, &copy, doc, hdr,
		    1, 0) != 0 || copy == NULL) {
			xmlFreeNode(copy);
			goto fail;
		}
		if (xmlAddChild(hdr, copy) == NULL) {
			xmlFreeNode(copy);
			goto fail;
		}
	}
	if (snprintf(name, sizeof(name), "%sResponse",
	    req->sm_service.service_code) >= (int)sizeof(name))
		goto fail;
	if ((w = plain_child(body, name, NULL)) == NULL)
		goto fail;
	if (rw->ns != NULL) {
		if ((ns = xmlSearchNsByHref(doc, w, rw->ns->href)) == NULL &&
		    (ns = xmlNewNs(w, rw->ns->href, rw->ns->prefix)) == NULL)
			goto fail;
		xmlSetNs(w, ns);
	}
	*docp = doc;
	*wrapperp = w;
	return 0;
 fail:
	xmlFreeDoc(doc);
	return -1;
}

/*
 * requestHash.
 */

static int
hash_raw(const struct soap_msg *req, const char *algo,
    unsigned char *md, size_t *mdlen)
{
	return xr_digest_uri(algo, req->sm_raw, req->sm_rawlen, md, mdlen);
}

int
soap_request_hash(const struct soap_msg *req, char **out)
{
	unsigned char	md[XR_DIGEST_MAX];
	size_t		mdlen;

	*out = NULL;
	if (hash_raw(req, XR_ALGO_SHA512, md, &mdlen) == -1)
		return -1;
	return (*out = b64_encode(md, mdlen)) == NULL ? -1 : 0;
}

static int
str_eq(const char *a, const char *b)
{
	if (a == NULL || b == NULL)
		return a == b;
	return strcmp(a, b) == 0;
}

static int
id_eq(int ha, const struct xrid *a, int hb, const struct xrid *b)
{
	if (!ha || !hb)
		return ha == hb;
	return xrid_equal(a, b);
}

int
soap_check_consistency(const struct soap_msg *req,
    const struct soap_msg *resp, struct xr_err *err)
{
	const char	*field = NULL;

	if (!id_eq(req->sm_has_client, &req->sm_client, resp->sm_has_client,
	    &resp->sm_client))
		field = "client";
	else if (!id_eq(req->sm_has_service, &req->sm_service,
	    resp->sm_has_service, &resp->sm_service))
		field = "service";
	else if (!str_eq(req->sm_id, resp->sm_id))
		field = "id";
	else if (!str_eq(req->sm_user_id, resp->sm_user_id))
		field = "userId";
	else if (!str_eq(req->sm_issue, resp->sm_issue))
		field = "issue";
	else if (req->sm_has_repr != resp->sm_has_repr ||
	    !str_eq(req->sm_repr_class, resp->sm_repr_class) ||
	    !str_eq(req->sm_repr_code, resp->sm_repr_code))
		field = "representedParty";
	if (field != NULL) {
		xr_err_set(err, XR_E_INCONSISTENT_HEADERS,
		    "Field '%s' does not match in request and response", field);
		return -1;
	}
	return 0;
}

/* Replace any requestHash in m's header by ours and serialise. */
static int
set_request_hash(const struct soap_msg *req, struct soap_msg *m, size_t max,
    struct buf **out, struct xr_err *err)
{
	xmlNode	*n, *next, *h;
	xmlNs	*xrd;
	char	*b64 = NULL;
	int	 ret = -1;

	for (n = m->sm_header->children; n != NULL; n = next) {
		next = n->next;
		if (soap_is_elem(n, XRID_NS_XROAD, "requestHash")) {
			xmlUnlinkNode(n);
			xmlFreeNode(n);
		}
	}
	if (soap_request_hash(req, &b64) == -1)
		goto nomem;
	if ((h = plain_child(m->sm_header, "requestHash", b64)) == NULL)
		goto nomem;
	if ((xrd = xmlSearchNsByHref(m->sm_doc, h,
	    BAD_CAST XRID_NS_XROAD)) == NULL &&
	    (xrd = xmlNewNs(h, BAD_CAST XRID_NS_XROAD, BAD_CAST "xrd")) ==
	    NULL)
		goto nomem;
	xmlSetNs(h, xrd);
	if (xmlSetProp(h, BAD_CAST "algorithmId", BAD_CAST XR_ALGO_SHA512) ==
	    NULL)
		goto nomem;
	if (soap_doc_serialize(m->sm_doc, max, out) == -1) {
		xr_err_set(err, XR_E_INVALID_SOAP,
		    "Response larger than %zu bytes", max);
		goto done;
	}
	ret = 0;
	goto done;
 nomem:
	xr_err_set(err, XR_E_INTERNAL_ERROR, "out of memory");
 done:
	free(b64);
	return ret;
}

int
soap_response_finish(const struct soap_msg *req, const void *resp,
    size_t resplen, const char *content_type, size_t max, struct buf **out,
    struct soap_msg **respp, struct xr_err *err)
{
	struct soap_msg	*m = NULL, *final = NULL;
	struct buf	*b = NULL;
	int		 ret = -1;

	*out = NULL;
	if (respp != NULL)
		*respp = NULL;
	if (soap_parse(resp, resplen, content_type, max, SOAP_RESPONSE, &m,
	    err) == -1)
		return -1;
	if (m->sm_fault) {
		/* Faults go back unchanged. */
		if ((b = buf_new(resplen > 0 ? resplen : 1)) == NULL ||
		    buf_append(b, resp, resplen) != 0) {
			xr_err_set(err, XR_E_INTERNAL_ERROR, "out of memory");
			goto done;
		}
		final = m;
		m = NULL;
	} else {
		if (soap_check_consistency(req, m, err) == -1 ||
		    set_request_hash(req, m, max, &b, err) == -1)
			goto done;
		if (respp != NULL && soap_parse(buf_data(b), buf_len(b),
		    "text/xml; charset=UTF-8", max, SOAP_RESPONSE, &final,
		    err) == -1)
			goto done;
	}
	*out = b;
	b = NULL;
	if (respp != NULL) {
		*respp = final;
		final = NULL;
	}
	ret = 0;
 done:
	buf_free(b);
	soap_msg_free(m);
	soap_msg_free(final);
	return ret;
}

int
soap_response_check(const struct soap_msg *req, const struct soap_msg *resp,
    struct xr_err *err)
{
	unsigned char	 md[XR_DIGEST_MAX], *got = NULL;
	size_t		 mdlen, gotlen = 0;
	int		 ret = -1;

	if (resp->sm_fault)
		return 0;
	if (soap_check_consistency(req, resp, err) == -1)
		return -1;
	if (resp->sm_hash == NULL) {
		xr_err_set(err, XR_E_INCONSISTENT_RESPONSE,
		    "Response from server proxy is missing request message "
		    "hash");
		return -1;
	}
	if (hash_raw(req, resp->sm_hash_algo != NULL ? resp->sm_hash_algo :
	    XR_ALGO_SHA512, md, &mdlen) == -1) {
		xr_err_set(err, XR_E_INCONSISTENT_RESPONSE,
		    "Unsupported request hash algorithm '%.100s'",
		    resp->sm_hash_algo);
		return -1;
	}
	if (b64_decode(resp->sm_hash, strlen(resp->sm_hash), &got,
	    &gotlen) == -1 || gotlen != mdlen ||
	    CRYPTO_memcmp(got, md, mdlen) != 0) {
		xr_err_set(err, XR_E_INCONSISTENT_RESPONSE,
		    "Request message hash does not match request message");
		goto done;
	}
	ret = 0;
 done:
	free(got);
	return ret;
}
