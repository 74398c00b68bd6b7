/*
 * proxy_meta.c: metaservices (NOTES.md 3.4, 6.1).
 *
 * Client proxy: GET /listClients[?xRoadInstance=X] lists the members and
 * subsystems of global configuration, as clientList XML
 * (service-metainfo.xsd) or, with Accept: application/json, as JSON.
 * Only this instance is known (no federation): another instance gets an
 * empty list.
 *
 * Server proxy, for a provider subsystem registered here, after the
 * request was verified like any other: SOAP listMethods (its SOAP
 * services), allowedMethods (those the client may call), getWsdl (the
 * service's WSDL from its description URL or file, soap:address set to
 * http://example.org/xroad-endpoint, as a text/xml attachment); REST
 * listMethods and allowedMethods (JSON; a REST service's endpoint is
 * "* **", X-Road's default; allowedMethods lists the services without
 * endpoints: serverconf has no per-endpoint view of the rights) and
 * getOpenAPI?serviceCode=X (the description as stored). getWsdl and
 * getOpenAPI need the access right to that service.
 */
#include "config.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <event2/event.h>
#include <event2/http.h>
#include <jansson.h>
#include <libxml/parser.h>
#include <libxml/tree.h>

#include "buf.h"
#include "compat.h"
#include "globalconf.h"
#include "http.h"
#include "httpc.h"
#include "log.h"
#include "rest.h"
#include "soap.h"
#include "securityserverd.h"
#include "proxy.h"

#define SP		XR_PREFIX_SERVERPROXY
#define META_DESC_MAX	(4 * 1024 * 1024)
#define META_ENDPOINT	"http://example.org/xroad-endpoint"
#define WSDL_NS_SOAP	"http://schemas.xmlsoap.org/wsdl/soap/"
#define WSDL_NS_SOAP12	"http://schemas.xmlsoap.org/wsdl/soap12/"

#define META_SIDE	"client proxy"
#define META_XML_MAX	(16 * 1024 * 1024)

static int
wants_json(struct evhttp_request *req)
{
	const char *a = http_req_header(req, "Accept");

	return a != NULL && strstr(a, "application/json") != NULL;
}

static int
add_xml(xmlNode *root, xmlNs *ns, const struct xrid *id, const char *name)
{
	xmlNode *m;

	if ((m = xmlNewChild(root, ns, BAD_CAST "member", NULL)) == NULL ||
	    xrid_to_xml(id, m, XRID_NS_XROAD, "xrd", "id") == NULL)
		return -1;
	if (name != NULL && xmlNewTextChild(m, ns, BAD_CAST "name",
	    BAD_CAST name) == NULL)
		return -1;
	return 0;
}

static int
add_json(json_t *arr, const struct xrid *id, const char *name)
{
	json_t *o, *jid;

	jid = json_pack("{s:s, s:s, s:s, s:s}", "member_class",
	    id->member_class, "member_code", id->member_code, "object_type",
	    xrid_type_name(id->type), "xroad_instance", id->instance);
	if (jid == NULL)
		return -1;
	if (id->type == XRID_SUBSYSTEM && json_object_set_new(jid,
	    "subsystem_code", json_string(id->subsystem_code)) == -1) {
		json_decref(jid);
		return -1;
	}
	if ((o = json_pack("{s:o}", "id", jid)) == NULL)
		return -1;
	if (name != NULL && json_object_set_new(o, "name",
	    json_string(name)) == -1) {
		json_decref(o);
		return -1;
	}
	return json_array_append_new(arr, o);
}

static void
list_clients(struct evhttp_request *req, void *arg)
{
	struct ssd			*sd = arg;
	struct gc_snap			*gs;
	struct http_query		*q = NULL;
	struct proxy_fault		 f;
	const struct gconf_member	*mem;
	const char			*inst;
	struct xrid			 id;
	xmlDoc				*doc = NULL;
	xmlNode				*root = NULL;
	xmlNs				*ns = NULL;
	json_t				*arr = NULL, *top;
	struct buf			*b = NULL;
	size_t				 n, i, j;
	int				 json = wants_json(req), ok = -1;

	if ((gs = confclient_acquire(sd)) == NULL) {
		proxy_fault_set(&f, XR_PREFIX_CLIENTPROXY, "OutdatedGlobalConf",
		    "Global configuration is expired or not available");
		proxy_reply_fault(req, json, &f, META_SIDE);
		return;
	}
	if (http_req_query(req, &q) == -1) {
		proxy_fault_set(&f, "Client", XR_E_BAD_REQUEST,
		    "Malformed query string");
		proxy_reply_fault(req, json, &f, META_SIDE);
		confclient_release(gs);
		return;
	}
	inst = http_query_get(q, "xRoadInstance");
	if (json)
		arr = json_array();
	else if ((doc = xmlNewDoc(BAD_CAST "1.0")) != NULL &&
	    (root = xmlNewNode(NULL, BAD_CAST "clientList")) != NULL) {
		xmlDocSetRootElement(doc, root);
		ns = xmlNewNs(root, BAD_CAST XRID_NS_XROAD, BAD_CAST "xrd");
		xmlSetNs(root, ns);
		xmlNewNs(root, BAD_CAST XRID_NS_ID, BAD_CAST "id");
	}
	if ((json && arr == NULL) || (!json && ns == NULL))
		goto done;
	mem = gconf_members(gs->gs_gc, &n);
	if (inst != NULL && strcmp(inst, gconf_instance(gs->gs_gc)) != 0)
		n = 0;
	for (i = 0; i < n; i++) {
		if (xrid_set_client(&id, gconf_instance(gs->gs_gc),
		    mem[i].gm_class, mem[i].gm_code, NULL, NULL, 0) == -1)
			continue;
		if ((json ? add_json(arr, &id, mem[i].gm_name) :
		    add_xml(root, ns, &id, mem[i].gm_name)) == -1)
			goto done;
		for (j = 0; j < mem[i].gm_nsubsystems; j++) {
			if (xrid_set_client(&id, gconf_instance(gs->gs_gc),
			    mem[i].gm_class, mem[i].gm_code,
			    mem[i].gm_subsystems[j], NULL, 0) == -1)
				continue;
			if ((json ? add_json(arr, &id, mem[i].gm_name) :
			    add_xml(root, ns, &id, mem[i].gm_name)) == -1)
				goto done;
		}
	}
	if (json) {
		if ((top = json_pack("{s:O}", "member", arr)) == NULL)
			goto done;
		http_reply_json(req, 200, top);
		json_decref(top);
		ok = 0;
	} else if (soap_doc_serialize(doc, META_XML_MAX, &b) == 0) {
		http_reply(req, 200, "text/xml; charset=UTF-8", buf_data(b),
		    buf_len(b));
		ok = 0;
	}
 done:
	if (ok == -1) {
		proxy_fault_set(&f, XR_PREFIX_CLIENTPROXY, XR_E_INTERNAL_ERROR,
		    "Cannot build the client list");
		proxy_reply_fault(req, json, &f, META_SIDE);
	}
	buf_free(b);
	json_decref(arr);
	xmlFreeDoc(doc);
	http_query_free(q);
	confclient_release(gs);
}

int
proxy_meta_routes(struct ssd *sd, struct http_server *srv)
{
	return http_route(srv, EVHTTP_REQ_GET, "/listClients",
	    HTTP_ROUTE_EXACT, list_clients, sd);
}

/*
 * The server proxy's metaservices.
 */

enum meta_kind {
	META_NONE = 0,
	META_LIST,
	META_ALLOWED,
	META_DESCRIPTION	/* getWsdl, getOpenAPI */
};

static enum meta_kind
meta_kind(const struct xrid *service, int rest)
{
	const char *c = service->service_code;

	if (strcmp(c, "listMethods") == 0)
		return META_LIST;
	if (strcmp(c, "allowedMethods") == 0)
		return META_ALLOWED;
	if ((!rest && strcmp(c, "getWsdl") == 0) ||
	    (rest && strcmp(c, "getOpenAPI") == 0))
		return META_DESCRIPTION;
	return META_NONE;
}

int
proxy_meta_is_provider(const struct xrid *service, int rest)
{
	return meta_kind(service, rest) != META_NONE;
}

void
proxy_meta_answer_free(struct proxy_meta_answer *a)
{
	if (a == NULL)
		return;
	buf_free(a->pa_soap);
	buf_free(a->pa_att);
	buf_free(a->pa_body);
	free(a);
}

struct proxy_meta_call {
	struct httpc_call		*mc_call;
	struct proxy_meta_answer	*mc_ans;
	const struct soap_msg		*mc_soap;
	int				 mc_rest;
	proxy_meta_done_fn		 mc_done;
	void				*mc_arg;
};

void
proxy_meta_cancel(struct proxy_meta_call *mc)
{
	if (mc == NULL)
		return;
	httpc_call_cancel(mc->mc_call);
	proxy_meta_answer_free(mc->mc_ans);
	free(mc);
}

/* The SOAP services (rest 0) or REST services (1) of provider. */
static int
provider_service(const struct sc_service *svc, const struct xrid *provider,
    int rest)
{
	struct xrid p;

	return svc->s_rest == rest &&
	    xrid_service_provider(&svc->s_id, &p) == 0 &&
	    xrid_equal(&p, provider);
}

static int
soap_list(const struct serverconf *sc, struct gc_snap *gs,
    const struct xrid *client, const struct xrid *provider,
    const struct soap_msg *soap, int allowed, struct proxy_meta_answer *a)
{
	const struct sc_service	*svc;
	xmlDoc			*doc = NULL;
	xmlNode			*w;
	size_t			 i;
	int			 rc = -1;

	if (soap_response_new(soap, &doc, &w) == -1)
		return -1;
	for (i = 0; i < serverconf_nservices(sc); i++) {
		svc = serverconf_service_at(sc, i);
		if (!provider_service(svc, provider, 0))
			continue;
		if (allowed && !serverconf_allowed(sc, client, &svc->s_id,
		    NULL, NULL, proxy_in_global_group, gs))
			continue;
		if (xrid_to_xml(&svc->s_id, w, XRID_NS_XROAD, "xrd",
		    "service") == NULL)
			goto done;
	}
	rc = soap_doc_serialize(doc, META_DESC_MAX, &a->pa_soap);
 done:
	xmlFreeDoc(doc);
	return rc;
}

static int
rest_list(const struct serverconf *sc, struct gc_snap *gs,
    const struct xrid *client, const struct xrid *provider, int allowed,
    struct proxy_meta_answer *a)
{
	const struct sc_service	*svc;
	const struct xrid	*id;
	json_t			*arr, *o, *top = NULL;
	char			*txt = NULL;
	size_t			 i;
	int			 rc = -1;

	if ((arr = json_array()) == NULL)
		return -1;
	for (i = 0; i < serverconf_nservices(sc); i++) {
		svc = serverconf_service_at(sc, i);
		id = &svc->s_id;
		if (!provider_service(svc, provider, 1))
			continue;
		if (allowed && !serverconf_allowed(sc, client, id, NULL, NULL,
		    proxy_in_global_group, gs))
			continue;
		o = json_pack("{s:s, s:s, s:s, s:s, s:s, s:s, s:s}",
		    "member_class", id->member_class, "member_code",
		    id->member_code, "object_type", "SERVICE", "service_code",
		    id->service_code, "service_type", svc->s_description !=
		    NULL && *svc->s_description != '\0' ? "OPENAPI" : "REST",
		    "subsystem_code", id->subsystem_code, "xroad_instance",
		    id->instance);
		if (o == NULL || json_array_append_new(arr, o) == -1)
			goto done;
		if (!allowed && json_object_set_new(o, "endpoint_list",
		    json_pack("[{s:s, s:s}]", "method", "*", "path", "**")) ==
		    -1)
			goto done;
	}
	if ((top = json_pack("{s:O}", "service", arr)) == NULL ||
	    (txt = json_dumps(top, JSON_COMPACT)) == NULL)
		goto done;
	if ((a->pa_body = buf_new(strlen(txt) + 1)) == NULL ||
	    buf_append_str(a->pa_body, txt) != 0)
		goto done;
	a->pa_status = 200;
	(void)strlcpy(a->pa_ctype, "application/json; charset=utf-8",
	    sizeof(a->pa_ctype));
	rc = 0;
 done:
	free(txt);
	json_decref(top);
	json_decref(arr);
	return rc;
}

/* X-Road shows WSDLs with a neutral endpoint (PR-META 4). */
static int
wsdl_rewrite(const unsigned char *in, size_t len, struct buf **out,
    struct proxy_fault *f)
{
	xmlDoc		*doc;
	xmlNode		*n, *next;
	xmlChar		*mem = NULL;
	int		 mlen = 0, rc = -1;

	if (len > META_DESC_MAX || (doc = xmlReadMemory((const char *)in,
	    (int)len, NULL, NULL, XML_PARSE_NONET | XML_PARSE_NOERROR |
	    XML_PARSE_NOWARNING)) == NULL) {
		proxy_fault_set(f, SP, "InvalidWsdl", "The service's WSDL is "
		    "not well-formed XML");
		return -1;
	}
	if (doc->intSubset != NULL || xmlDocGetRootElement(doc) == NULL) {
		proxy_fault_set(f, SP, "InvalidWsdl", "The service's WSDL has "
		    "a DOCTYPE or no root");
		goto done;
	}
	/* Depth-first over every element. */
	for (n = xmlDocGetRootElement(doc); n != NULL; n = next) {
		if (n->type == XML_ELEMENT_NODE && n->ns != NULL &&
		    xmlStrcmp(n->name, BAD_CAST "address") == 0 &&
		    (xmlStrcmp(n->ns->href, BAD_CAST WSDL_NS_SOAP) == 0 ||
		    xmlStrcmp(n->ns->href, BAD_CAST WSDL_NS_SOAP12) == 0) &&
		    xmlSetProp(n, BAD_CAST "location", BAD_CAST META_ENDPOINT) ==
		    NULL)
			goto nomem;
		if (n->type == XML_ELEMENT_NODE && n->children != NULL) {
			next = n->children;
			continue;
		}
		while (n != NULL && n->next == NULL)
			n = n->parent != NULL && n->parent->type ==
			    XML_ELEMENT_NODE ? n->parent : NULL;
		next = n != NULL ? n->next : NULL;
	}
	xmlDocDumpMemoryEnc(doc, &mem, &mlen, "UTF-8");
	if (mem == NULL || mlen < 0 || (*out = buf_new((size_t)mlen + 1)) ==
	    NULL || buf_append(*out, mem, (size_t)mlen) != 0)
		goto nomem;
	rc = 0;
	goto done;
 nomem:
	buf_free(*out);
	*out = NULL;
	proxy_fault_set(f, SP, XR_E_INTERNAL_ERROR, "Out of memory");
 done:
	xmlFree(mem);
	xmlFreeDoc(doc);
	return rc;
}

/* The description arrived: finish the answer. */
static int
description_answer(struct proxy_meta_answer *a, const struct soap_msg *soap,
    int rest, const unsigned char *desc, size_t len, const char *ctype,
    struct proxy_fault *f)
{
	xmlDoc			*doc = NULL;
	xmlNode			*w;
	size_t			 i;
	int			 rc = -1;

	if (rest) {
		if ((a->pa_body = buf_new(len + 1)) == NULL ||
		    (len > 0 && buf_append(a->pa_body, desc, len) != 0))
			goto nomem;
		a->pa_status = 200;
		for (i = 0; i < len && isspace(desc[i]); i++)
			;
		(void)strlcpy(a->pa_ctype, ctype != NULL ? ctype :
		    (i < len && desc[i] == '{') ? "application/json" :
		    "application/yaml", sizeof(a->pa_ctype));
		return 0;
	}
	if (wsdl_rewrite(desc, len, &a->pa_att, f) == -1)
		return -1;
	/* getWsdlResponse: the serviceCode (and version) asked for. */
	if (soap_response_new(soap, &doc, &w) == -1)
		goto nomem;
	{
		xmlNode	*req = soap_msg_body_element(soap), *c;

		for (c = req->children; c != NULL; c = c->next) {
			xmlChar *v;

			if (c->type != XML_ELEMENT_NODE)
				continue;
			v = xmlNodeGetContent(c);
			if (xmlNewTextChild(w, w->ns, c->name, v) == NULL) {
				xmlFree(v);
				goto nomem;
			}
			xmlFree(v);
		}
	}
	rc = soap_doc_serialize(doc, META_DESC_MAX, &a->pa_soap);
	xmlFreeDoc(doc);
	if (rc == -1)
		goto nomem;
	return 0;
 nomem:
	xmlFreeDoc(doc);
	proxy_fault_set(f, SP, XR_E_INTERNAL_ERROR, "Out of memory");
	return -1;
}

static void
description_fetched(int rc, struct httpc_resp *resp, const char *errmsg,
    void *arg)
{
	struct proxy_meta_call		*mc = arg;
	struct proxy_meta_answer	*a = mc->mc_ans;
	struct proxy_fault		 f;
	proxy_meta_done_fn		 done = mc->mc_done;
	void				*darg = mc->mc_arg;
	const struct buf		*b;

	mc->mc_call = NULL;
	if (rc != 0)
		proxy_fault_set(&f, SP, "ServiceFailed.IOError", "Cannot fetch "
		    "the service description: %s", errmsg);
	else if (httpc_resp_status(resp) != 200)
		proxy_fault_set(&f, SP, "ServiceFailed.IOError", "Cannot fetch "
		    "the service description: HTTP %d",
		    httpc_resp_status(resp));
	else {
		b = httpc_resp_body(resp);
		if (description_answer(a, mc->mc_soap, mc->mc_rest,
		    buf_data(b), buf_len(b), httpc_resp_header(resp,
		    "Content-Type"), &f) == 0) {
			mc->mc_ans = NULL;
			httpc_resp_free(resp);
			free(mc);
			done(a, NULL, darg);
			return;
		}
	}
	httpc_resp_free(resp);
	proxy_meta_cancel(mc);
	done(NULL, &f, darg);
}

/* A description stored as a file (read at once, bounded). */
static int
read_description(const char *path, struct buf **out)
{
	FILE	*fp;
	char	 chunk[8192];
	size_t	 n;

	if ((fp = fopen(path, "rb")) == NULL)
		return -1;
	if ((*out = buf_new(META_DESC_MAX)) == NULL) {
		fclose(fp);
		return -1;
	}
	while ((n = fread(chunk, 1, sizeof(chunk), fp)) > 0)
		if (buf_append(*out, chunk, n) != 0) {
			fclose(fp);
			buf_free(*out);
			*out = NULL;
			return -1;
		}
	fclose(fp);
	return 0;
}

/* The service named by getWsdl's body or getOpenAPI's query. */
static int
described_service(const struct xrid *provider, const struct soap_msg *soap,
    const struct rest_req *rreq, struct xrid *out, struct proxy_fault *f)
{
	struct http_query	*q = NULL;
	xmlNode			*req, *c;
	char			 code[XRID_PART_MAX + 1] = "";
	char			 version[XRID_PART_MAX + 1] = "";
	const char		*v;

	if (rreq != NULL) {
		if (rest_req_query(rreq) == NULL ||
		    http_query_parse(rest_req_query(rreq), &q) == -1 ||
		    (v = http_query_get(q, "serviceCode")) == NULL ||
		    strlcpy(code, v, sizeof(code)) >= sizeof(code)) {
			http_query_free(q);
			proxy_fault_set(f, "Client", XR_E_BAD_REQUEST,
			    "getOpenAPI needs one serviceCode parameter");
			return -1;
		}
		http_query_free(q);
	} else {
		req = soap_msg_body_element(soap);
		for (c = req->children; c != NULL; c = c->next) {
			xmlChar *t;

			if (c->type != XML_ELEMENT_NODE)
				continue;
			t = xmlNodeGetContent(c);
			if (xmlStrcmp(c->name, BAD_CAST "serviceCode") == 0)
				(void)strlcpy(code, (const char *)t,
				    sizeof(code));
			else if (xmlStrcmp(c->name,
			    BAD_CAST "serviceVersion") == 0)
				(void)strlcpy(version, (const char *)t,
				    sizeof(version));
			xmlFree(t);
		}
	}
	if (xrid_set_service(out, provider->instance, provider->member_class,
	    provider->member_code, provider->subsystem_code, code, version,
	    NULL, 0) == -1) {
		proxy_fault_set(f, "Client", XR_E_BAD_REQUEST, "No valid "
		    "serviceCode in the request");
		return -1;
	}
	return 0;
}

int
proxy_meta_provider(struct ssd *sd, struct httpc_ev *http,
    const struct serverconf *sc, struct gc_snap *gs,
    const struct xrid *client, const struct xrid *service,
    const struct soap_msg *soap, const struct rest_req *rreq,
    struct proxy_meta_answer **ansp, proxy_meta_done_fn done, void *arg,
    struct proxy_meta_call **callp, struct proxy_fault *f)
{
	struct proxy_meta_answer	*a;
	struct proxy_meta_call		*mc;
	const struct sc_service		*svc;
	struct httpc_req		 rq;
	struct xrid			 provider, target;
	struct buf			*desc = NULL;
	int				 rest = rreq != NULL;
	char				 sid[XRID_STR_MAX];

	(void)sd;
	*ansp = NULL;
	*callp = NULL;
	if (xrid_service_provider(service, &provider) == -1 ||
	    (a = calloc(1, sizeof(*a))) == NULL) {
		proxy_fault_set(f, SP, XR_E_INTERNAL_ERROR, "Out of memory");
		return -1;
	}
	switch (meta_kind(service, rest)) {
	case META_LIST:
	case META_ALLOWED:
		if ((rest ? rest_list(sc, gs, client, &provider,
		    meta_kind(service, rest) == META_ALLOWED, a) :
		    soap_list(sc, gs, client, &provider, soap,
		    meta_kind(service, rest) == META_ALLOWED, a)) == -1) {
			proxy_fault_set(f, SP, XR_E_INTERNAL_ERROR,
			    "Cannot build the list of services");
			goto fail;
		}
		*ansp = a;
		return 0;
	case META_DESCRIPTION:
		break;
	default:
		proxy_fault_set(f, SP, "UnknownService", "Not a metaservice");
		goto fail;
	}
	if (described_service(&provider, soap, rreq, &target, f) == -1)
		goto fail;
	(void)xrid_format(&target, 0, sid, sizeof(sid));
	if ((svc = serverconf_service(sc, &target)) == NULL ||
	    svc->s_rest != rest) {
		proxy_fault_set(f, SP, "UnknownService", "Unknown %s service: "
		    "%s", rest ? "REST" : "SOAP", sid);
		goto fail;
	}
	if (!serverconf_allowed(sc, client, &svc->s_id, NULL, NULL,
	    proxy_in_global_group, gs)) {
		proxy_fault_set(f, SP, "AccessDenied", "Request is not "
		    "allowed: %s", sid);
		goto fail;
	}
	if (svc->s_description == NULL || *svc->s_description == '\0') {
		proxy_fault_set(f, SP, "UnknownService", "Service %s has no "
		    "%s description", sid, rest ? "OpenAPI" : "WSDL");
		goto fail;
	}
	if (strncmp(svc->s_description, "http://", 7) != 0 &&
	    strncmp(svc->s_description, "https://", 8) != 0) {
		if (read_description(svc->s_description, &desc) == -1) {
			proxy_fault_set(f, SP, "ServiceFailed.IOError",
			    "Cannot read the service description");
			goto fail;
		}
		if (description_answer(a, soap, rest, buf_data(desc),
		    buf_len(desc), NULL, f) == -1) {
			buf_free(desc);
			goto fail;
		}
		buf_free(desc);
		*ansp = a;
		return 0;
	}
	if ((mc = calloc(1, sizeof(*mc))) == NULL) {
		proxy_fault_set(f, SP, XR_E_INTERNAL_ERROR, "Out of memory");
		goto fail;
	}
	mc->mc_ans = a;
	mc->mc_soap = soap;
	mc->mc_rest = rest;
	mc->mc_done = done;
	mc->mc_arg = arg;
	memset(&rq, 0, sizeof(rq));
	rq.hr_method = "GET";
	rq.hr_url = svc->s_description;
	rq.hr_timeout_ms = (svc->s_timeout > 0 ? svc->s_timeout : 30) * 1000L;
	rq.hr_max_body = META_DESC_MAX;
	if (httpc_ev_start(http, &rq, description_fetched, mc,
	    &mc->mc_call) != 0) {
		free(mc);
		proxy_fault_set(f, SP, "ServiceFailed.IOError", "Cannot fetch "
		    "the service description");
		goto fail;
	}
	*callp = mc;
	return 1;
 fail:
	proxy_meta_answer_free(a);
	return -1;
}
