/*
 * proxy_meta.c: metaservices the client proxy answers itself (NOTES.md
 * 6.1): GET /listClients[?xRoadInstance=X] lists the members and
 * subsystems of global configuration, as clientList XML
 * (service-metainfo.xsd) or, with Accept: application/json, as JSON.
 * Only this instance is known (no federation): another instance gets an
 * empty list.
 */
#include "config.h"

#include <string.h>

#include <event2/http.h>
#include <jansson.h>
#include <libxml/tree.h>

#include "buf.h"
#include "globalconf.h"
#include "http.h"
#include "log.h"
#include "soap.h"
#include "securityserverd.h"
#include "proxy.h"

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
proxy_meta_routes(struct ssd *sd)
{
	return http_route(sd->sd_cp, EVHTTP_REQ_GET, "/listClients",
	    HTTP_ROUTE_EXACT, list_clients, sd);
}
