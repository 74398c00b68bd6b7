/*
 * gconf_write.c: writing shared-params.xml and private-params.xml
 * (globalconf version 3) from the model, through globalconf.h.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <libxml/tree.h>

#include "anchor.h"
#include "b64.h"
#include "gconf_int.h"
#include "globalconf.h"
#include "xrid.h"
#include "xsd.h"

/*
 * A child element in no namespace (the schemas' local elements are
 * unqualified; xmlNewChild would inherit the parent's namespace).
 */
static xmlNodePtr
gx_elem(xmlNodePtr parent, const char *name)
{
	xmlNodePtr n;

	if ((n = xmlNewDocNode(parent->doc, NULL, BAD_CAST name, NULL)) ==
	    NULL)
		return NULL;
	if (xmlAddChild(parent, n) == NULL) {
		xmlFreeNode(n);
		return NULL;
	}
	return n;
}

static int
gx_text(xmlNodePtr parent, const char *name, const char *text)
{
	xmlNodePtr n;

	if ((n = gx_elem(parent, name)) == NULL)
		return -1;
	xmlNodeAddContent(n, BAD_CAST text);
	return 0;
}

static int
gx_b64(xmlNodePtr parent, const char *name, const unsigned char *der,
    size_t len)
{
	char	*b;
	int	 rc;

	if ((b = b64_encode(der, len)) == NULL)
		return -1;
	rc = gx_text(parent, name, b);
	free(b);
	return rc;
}

static int
gx_llong(xmlNodePtr parent, const char *name, long long v)
{
	char buf[32];

	(void)snprintf(buf, sizeof(buf), "%lld", v);
	return gx_text(parent, name, buf);
}

/* An XRoadClientIdentifierType element. */
static int
gx_clientid(xmlNodePtr parent, const char *name, xmlNsPtr idns,
    const struct gconf_gmember *m)
{
	xmlNodePtr n;

	if ((n = gx_elem(parent, name)) == NULL)
		return -1;
	if (xmlNewNsProp(n, idns, BAD_CAST "objectType",
	    BAD_CAST (m->gg_subsystem != NULL ? "SUBSYSTEM" : "MEMBER")) ==
	    NULL)
		return -1;
	if (xmlNewTextChild(n, idns, BAD_CAST "xRoadInstance",
	    BAD_CAST m->gg_instance) == NULL ||
	    xmlNewTextChild(n, idns, BAD_CAST "memberClass",
	    BAD_CAST m->gg_class) == NULL ||
	    xmlNewTextChild(n, idns, BAD_CAST "memberCode",
	    BAD_CAST m->gg_code) == NULL)
		return -1;
	if (m->gg_subsystem != NULL && xmlNewTextChild(n, idns,
	    BAD_CAST "subsystemCode", BAD_CAST m->gg_subsystem) == NULL)
		return -1;
	return 0;
}

static xmlDocPtr
gx_new_conf(xmlNsPtr *idns)
{
	xmlDocPtr	doc;
	xmlNodePtr	root;
	xmlNsPtr	ns;

	if ((doc = xmlNewDoc(BAD_CAST "1.0")) == NULL)
		return NULL;
	if ((root = xmlNewNode(NULL, BAD_CAST "conf")) == NULL) {
		xmlFreeDoc(doc);
		return NULL;
	}
	xmlDocSetRootElement(doc, root);
	if ((ns = xmlNewNs(root, BAD_CAST GCONF_NS, BAD_CAST "tns")) == NULL ||
	    (*idns = xmlNewNs(root, BAD_CAST XRID_NS_ID, BAD_CAST "id")) ==
	    NULL) {
		xmlFreeDoc(doc);
		return NULL;
	}
	xmlSetNs(root, ns);
	return doc;
}

static int
gx_cainfo(xmlNodePtr parent, const char *name, const struct gconf_cainfo *ci)
{
	xmlNodePtr	n, o;
	size_t		i;

	if ((n = gx_elem(parent, name)) == NULL ||
	    gx_b64(n, "cert", ci->gi_cert, ci->gi_certlen) != 0)
		return -1;
	for (i = 0; i < ci->gi_nocsp; i++) {
		if ((o = gx_elem(n, "ocsp")) == NULL ||
		    gx_text(o, "url", ci->gi_ocsp[i].go_url) != 0)
			return -1;
		if (ci->gi_ocsp[i].go_cert != NULL &&
		    gx_b64(o, "cert", ci->gi_ocsp[i].go_cert,
		    ci->gi_ocsp[i].go_certlen) != 0)
			return -1;
	}
	return 0;
}

static const char *
gx_class_desc(const struct gconf *g, const char *code)
{
	const struct gconf_member_class	*c;
	size_t				 i, n;

	c = gconf_member_classes(g, &n);
	for (i = 0; i < n; i++)
		if (strcmp(c[i].mc_code, code) == 0)
			return c[i].mc_description;
	return "";
}

/* The ID attribute value of a member or of one of its subsystems. */
static int
gx_ref(const struct gconf *g, const char *cls, const char *code,
    const char *sub, char *buf, size_t len)
{
	const struct gconf_member	*m, *base;
	size_t				 n, i;
	int				 r;

	if ((m = gconf_member(g, cls, code)) == NULL)
		return -1;
	base = gconf_members(g, &n);
	if (sub == NULL)
		r = snprintf(buf, len, "m%zu", (size_t)(m - base));
	else {
		for (i = 0; i < m->gm_nsubsystems; i++)
			if (strcmp(m->gm_subsystems[i], sub) == 0)
				break;
		if (i == m->gm_nsubsystems)
			return -1;
		r = snprintf(buf, len, "m%zus%zu", (size_t)(m - base), i);
	}
	return r < 0 || (size_t)r >= len ? -1 : 0;
}

static int
gx_shared_body(struct gconf *g, xmlNodePtr root, xmlNsPtr idns)
{
	const struct gconf_source	*src;
	const struct gconf_ca		*ca;
	const struct gconf_tsa		*tsa;
	const struct gconf_member	*mem;
	const struct gconf_server	*srv;
	const struct gconf_group	*grp;
	const struct gconf_member_class	*cls;
	xmlNodePtr			 n, c;
	size_t				 nsrc, nca, ntsa, nmem, nsrv, ngrp;
	size_t				 ncls, i, j;
	char				 id[64];

	if (gx_text(root, "instanceIdentifier", gconf_instance(g)) != 0)
		return -1;
	src = gconf_sources(g, &nsrc);
	for (i = 0; i < nsrc; i++) {
		if ((n = gx_elem(root, "source")) == NULL ||
		    gx_text(n, "address", src[i].gs_address) != 0)
			return -1;
		for (j = 0; j < src[i].gs_nint; j++)
			if (gx_b64(n, "internalVerificationCert",
			    src[i].gs_int_certs[j], src[i].gs_int_lens[j]) != 0)
				return -1;
		for (j = 0; j < src[i].gs_next; j++)
			if (gx_b64(n, "externalVerificationCert",
			    src[i].gs_ext_certs[j], src[i].gs_ext_lens[j]) != 0)
				return -1;
	}
	ca = gconf_cas(g, &nca);
	for (i = 0; i < nca; i++) {
		if ((n = gx_elem(root, "approvedCA")) == NULL ||
		    gx_text(n, "name", ca[i].gc_name) != 0)
			return -1;
		if (ca[i].gc_auth_only != -1 && gx_text(n, "authenticationOnly",
		    ca[i].gc_auth_only ? "true" : "false") != 0)
			return -1;
		if (gx_cainfo(n, "topCA", &ca[i].gc_top) != 0)
			return -1;
		for (j = 0; j < ca[i].gc_ninter; j++)
			if (gx_cainfo(n, "intermediateCA",
			    &ca[i].gc_inter[j]) != 0)
				return -1;
		if (gx_text(n, "certificateProfileInfo",
		    ca[i].gc_profile) != 0)
			return -1;
		if (ca[i].gc_acme_url != NULL) {
			if ((c = gx_elem(n, "acmeServer")) == NULL ||
			    gx_text(c, "directoryURL", ca[i].gc_acme_url) != 0)
				return -1;
			if (ca[i].gc_acme_ip != NULL &&
			    gx_text(c, "ipAddress", ca[i].gc_acme_ip) != 0)
				return -1;
		}
	}
	tsa = gconf_tsas(g, &ntsa);
	for (i = 0; i < ntsa; i++)
		if ((n = gx_elem(root, "approvedTSA")) == NULL ||
		    gx_text(n, "name", tsa[i].gt_name) != 0 ||
		    gx_text(n, "url", tsa[i].gt_url) != 0 ||
		    gx_b64(n, "cert", tsa[i].gt_cert, tsa[i].gt_certlen) != 0)
			return -1;
	mem = gconf_members(g, &nmem);
	for (i = 0; i < nmem; i++) {
		(void)snprintf(id, sizeof(id), "m%zu", i);
		if ((n = gx_elem(root, "member")) == NULL ||
		    xmlNewProp(n, BAD_CAST "id", BAD_CAST id) == NULL ||
		    (c = gx_elem(n, "memberClass")) == NULL ||
		    gx_text(c, "code", mem[i].gm_class) != 0 ||
		    gx_text(c, "description",
		    gx_class_desc(g, mem[i].gm_class)) != 0 ||
		    gx_text(n, "memberCode", mem[i].gm_code) != 0 ||
		    gx_text(n, "name", mem[i].gm_name) != 0)
			return -1;
		for (j = 0; j < mem[i].gm_nsubsystems; j++) {
			(void)snprintf(id, sizeof(id), "m%zus%zu", i, j);
			if ((c = gx_elem(n, "subsystem")) == NULL ||
			    xmlNewProp(c, BAD_CAST "id", BAD_CAST id) == NULL ||
			    gx_text(c, "subsystemCode",
			    mem[i].gm_subsystems[j]) != 0)
				return -1;
		}
	}
	srv = gconf_servers(g, &nsrv);
	for (i = 0; i < nsrv; i++) {
		if ((n = gx_elem(root, "securityServer")) == NULL ||
		    gx_ref(g, srv[i].gv_owner_class, srv[i].gv_owner_code,
		    NULL, id, sizeof(id)) != 0 ||
		    gx_text(n, "owner", id) != 0 ||
		    gx_text(n, "serverCode", srv[i].gv_code) != 0)
			return -1;
		if (srv[i].gv_address != NULL &&
		    gx_text(n, "address", srv[i].gv_address) != 0)
			return -1;
		for (j = 0; j < srv[i].gv_nauth; j++)
			if (gx_b64(n, "authCertHash", srv[i].gv_auth_hashes[j],
			    GCONF_AUTH_HASH_LEN) != 0)
				return -1;
		for (j = 0; j < srv[i].gv_nclients; j++)
			if (gx_ref(g, srv[i].gv_clients[j].cr_class,
			    srv[i].gv_clients[j].cr_code,
			    srv[i].gv_clients[j].cr_subsystem, id,
			    sizeof(id)) != 0 || gx_text(n, "client", id) != 0)
				return -1;
	}
	grp = gconf_groups(g, &ngrp);
	for (i = 0; i < ngrp; i++) {
		if ((n = gx_elem(root, "globalGroup")) == NULL ||
		    gx_text(n, "groupCode", grp[i].gr_code) != 0 ||
		    gx_text(n, "description", grp[i].gr_description) != 0)
			return -1;
		for (j = 0; j < grp[i].gr_nmembers; j++)
			if (gx_clientid(n, "groupMember", idns,
			    &grp[i].gr_members[j]) != 0)
				return -1;
	}
	if ((n = gx_elem(root, "globalSettings")) == NULL)
		return -1;
	cls = gconf_member_classes(g, &ncls);
	for (i = 0; i < ncls; i++)
		if ((c = gx_elem(n, "memberClass")) == NULL ||
		    gx_text(c, "code", cls[i].mc_code) != 0 ||
		    gx_text(c, "description", cls[i].mc_description) != 0)
			return -1;
	return gx_llong(n, "ocspFreshnessSeconds", gconf_ocsp_freshness(g));
}

int
gconf_write_shared(struct gconf *g, unsigned char **out, size_t *len,
    char *err, size_t errlen)
{
	xmlDocPtr	doc;
	xmlNsPtr	idns;
	size_t		nsrc;
	int		rc = -1;

	if (gconf_finish(g, err, errlen) != 0)
		return -1;
	(void)gconf_sources(g, &nsrc);
	if (nsrc == 0) {
		gconf_seterr(err, errlen, "shared parameters need a source");
		return -1;
	}
	if ((doc = gx_new_conf(&idns)) == NULL) {
		gconf_seterr(err, errlen, "out of memory");
		return -1;
	}
	if (gx_shared_body(g, xmlDocGetRootElement(doc), idns) != 0 ||
	    xsd_dump_doc(doc, out, len) != 0)
		gconf_seterr(err, errlen, "cannot write shared parameters");
	else
		rc = 0;
	xmlFreeDoc(doc);
	return rc;
}

int
gconf_write_private(struct gconf *g, unsigned char **out, size_t *len,
    char *err, size_t errlen)
{
	const struct gconf_mgmt	*mg;
	xmlDocPtr		 doc;
	xmlNodePtr		 root, n;
	xmlNsPtr		 idns;
	size_t			 i;
	int			 rc = -1;

	if ((mg = gconf_management(g)) == NULL || gconf_ts_interval(g) < 0) {
		gconf_seterr(err, errlen, "private parameters need the management "
		    "service and timeStampingIntervalSeconds");
		return -1;
	}
	if ((doc = gx_new_conf(&idns)) == NULL) {
		gconf_seterr(err, errlen, "out of memory");
		return -1;
	}
	root = xmlDocGetRootElement(doc);
	if (gx_text(root, "instanceIdentifier", gconf_instance(g)) != 0)
		goto fail;
	for (i = 0; i < gconf_nanchors(g); i++)
		if (anchor_to_node(gconf_anchor(g, i), root,
		    "configurationAnchor") != 0)
			goto fail;
	if ((n = gx_elem(root, "managementService")) == NULL ||
	    gx_text(n, "authCertRegServiceAddress", mg->mg_reg_address) != 0)
		goto fail;
	if (mg->mg_reg_cert != NULL && gx_b64(n, "authCertRegServiceCert",
	    mg->mg_reg_cert, mg->mg_reg_certlen) != 0)
		goto fail;
	if (gx_clientid(n, "managementRequestServiceProviderId", idns,
	    &mg->mg_provider) != 0 ||
	    gx_llong(root, "timeStampingIntervalSeconds",
	    gconf_ts_interval(g)) != 0 ||
	    xsd_dump_doc(doc, out, len) != 0)
		goto fail;
	rc = 0;
	goto done;
 fail:
	gconf_seterr(err, errlen, "cannot write private parameters");
 done:
	xmlFreeDoc(doc);
	return rc;
}
