/*
 * gconf_xml.c: reading shared-params.xml and private-params.xml
 * (globalconf versions 3 to 6), schema-validated first, into the model
 * through globalconf.h. Writing is in gconf_write.c.
 */
#include "config.h"

#include <ctype.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <libxml/tree.h>

#include "anchor.h"
#include "b64.h"
#include "compat.h"
#include "gconf_int.h"
#include "globalconf.h"
#include "xrid.h"
#include "xsd.h"

/* Member and subsystem XML IDs, for IDREF resolution. */
struct gx_id {
	char	*id_name;
	size_t	 id_member;
	size_t	 id_sub;		/* SIZE_MAX for the member itself */
};

/* Member classes as the members state them, for classes not listed. */
struct gx_class {
	char	*xc_code;
	char	*xc_desc;
};

struct gx_parse {
	struct gconf	*p_g;
	struct gx_id	*p_ids;
	size_t		 p_nids;
	size_t		 p_capids;
	struct gx_class	*p_classes;
	size_t		 p_nclasses;
	char		*p_err;
	size_t		 p_errlen;
};

static int
gx_cmp_id(const void *a, const void *b)
{
	const struct gx_id *x = a, *y = b;

	return strcmp(x->id_name, y->id_name);
}

static void
gx_trim(char *s)
{
	size_t n = strlen(s), i = 0;

	while (n > 0 && isspace((unsigned char)s[n - 1]))
		s[--n] = '\0';
	while (isspace((unsigned char)s[i]))
		i++;
	if (i > 0)
		memmove(s, s + i, n - i + 1);
}

/* Text of a child element, or NULL (with an error) if missing. */
static char *
gx_child_text(struct gx_parse *p, xmlNodePtr parent, const char *name,
    const char *ns)
{
	xmlNodePtr	 n;
	char		*s;

	for (n = xsd_first_elem(parent); n != NULL; n = xsd_next_elem(n))
		if (xsd_elem_is(n, name, ns))
			break;
	if (n == NULL) {
		gconf_seterr(p->p_err, p->p_errlen, "%s: missing %s",
		    (const char *)parent->name, name);
		return NULL;
	}
	if ((s = xsd_text(n)) == NULL)
		gconf_seterr(p->p_err, p->p_errlen, "out of memory");
	return s;
}

static int
gx_decode(struct gx_parse *p, xmlNodePtr n, unsigned char **der,
    size_t *len)
{
	char	*s;
	int	 rc;

	if ((s = xsd_text(n)) == NULL) {
		gconf_seterr(p->p_err, p->p_errlen, "out of memory");
		return -1;
	}
	rc = b64_decode(s, strlen(s), der, len);
	free(s);
	if (rc != 0 || *len == 0) {
		if (rc == 0)
			free(*der);
		gconf_seterr(p->p_err, p->p_errlen, "%s: bad base64 value",
		    (const char *)n->name);
		return -1;
	}
	return 0;
}

static int
gx_number(struct gx_parse *p, xmlNodePtr n, long long *out)
{
	const char	*errstr;
	char		*s;

	if ((s = xsd_text(n)) == NULL) {
		gconf_seterr(p->p_err, p->p_errlen, "out of memory");
		return -1;
	}
	gx_trim(s);
	*out = strtonum(s, 0, INT32_MAX, &errstr);
	free(s);
	if (errstr != NULL) {
		gconf_seterr(p->p_err, p->p_errlen, "%s: number %s",
		    (const char *)n->name, errstr);
		return -1;
	}
	return 0;
}

/* An XRoadClientIdentifierType element into an xrid (MEMBER/SUBSYSTEM). */
static int
gx_read_clientid(struct gx_parse *p, xmlNodePtr node, struct xrid *id)
{
	xmlChar		*type;
	xmlNodePtr	 n;
	char		*s;
	char		*dst;
	size_t		 dstlen;
	int		 rc = -1;

	memset(id, 0, sizeof(*id));
	type = xmlGetNsProp(node, BAD_CAST "objectType", BAD_CAST XRID_NS_ID);
	if (type != NULL && strcmp((char *)type, "MEMBER") == 0)
		id->type = XRID_MEMBER;
	else if (type != NULL && strcmp((char *)type, "SUBSYSTEM") == 0)
		id->type = XRID_SUBSYSTEM;
	xmlFree(type);
	if (id->type == 0) {
		gconf_seterr(p->p_err, p->p_errlen, "%s: objectType must be MEMBER "
		    "or SUBSYSTEM", (const char *)node->name);
		return -1;
	}
	for (n = xsd_first_elem(node); n != NULL; n = xsd_next_elem(n)) {
		if (xsd_elem_is(n, "xRoadInstance", XRID_NS_ID))
			dst = id->instance;
		else if (xsd_elem_is(n, "memberClass", XRID_NS_ID))
			dst = id->member_class;
		else if (xsd_elem_is(n, "memberCode", XRID_NS_ID))
			dst = id->member_code;
		else if (xsd_elem_is(n, "subsystemCode", XRID_NS_ID))
			dst = id->subsystem_code;
		else {
			gconf_seterr(p->p_err, p->p_errlen, "%s: unexpected %s",
			    (const char *)node->name, (const char *)n->name);
			return -1;
		}
		dstlen = XRID_PART_MAX + 1;
		if ((s = xsd_text(n)) == NULL)
			return -1;
		if (strlcpy(dst, s, dstlen) >= dstlen) {
			free(s);
			gconf_seterr(p->p_err, p->p_errlen, "%s: identifier part "
			    "too long", (const char *)node->name);
			return -1;
		}
		free(s);
	}
	if (id->instance[0] == '\0' || id->member_class[0] == '\0' ||
	    id->member_code[0] == '\0' ||
	    (id->type == XRID_SUBSYSTEM) != (id->subsystem_code[0] != '\0'))
		gconf_seterr(p->p_err, p->p_errlen, "%s: incomplete identifier",
		    (const char *)node->name);
	else
		rc = 0;
	return rc;
}

static int
gx_add_id(struct gx_parse *p, xmlNodePtr node, size_t member, size_t sub)
{
	xmlChar		*v;
	struct gx_id	*n;

	if ((v = xmlGetProp(node, BAD_CAST "id")) == NULL)
		return 0;	/* optional; nothing can refer to it */
	if (p->p_nids == p->p_capids) {
		size_t cap = p->p_capids == 0 ? 64 : p->p_capids * 2;

		if ((n = reallocarray(p->p_ids, cap, sizeof(*n))) == NULL)
			goto nomem;
		p->p_ids = n;
		p->p_capids = cap;
	}
	if ((p->p_ids[p->p_nids].id_name = strdup((char *)v)) == NULL)
		goto nomem;
	p->p_ids[p->p_nids].id_member = member;
	p->p_ids[p->p_nids].id_sub = sub;
	p->p_nids++;
	xmlFree(v);
	return 0;
 nomem:
	xmlFree(v);
	gconf_seterr(p->p_err, p->p_errlen, "out of memory");
	return -1;
}

static const struct gx_id *
gx_find_id(struct gx_parse *p, xmlNodePtr n)
{
	struct gx_id	 key;
	struct gx_id	*hit;
	char		*s;

	if ((s = xsd_text(n)) == NULL)
		return NULL;
	gx_trim(s);
	key.id_name = s;
	hit = p->p_nids == 0 ? NULL : bsearch(&key, p->p_ids, p->p_nids,
	    sizeof(*p->p_ids), gx_cmp_id);
	if (hit == NULL)
		gconf_seterr(p->p_err, p->p_errlen, "%s: unknown reference \"%s\"",
		    (const char *)n->name, s);
	free(s);
	return hit;
}

static int
gx_read_source(struct gx_parse *p, xmlNodePtr node)
{
	xmlNodePtr	 n;
	char		*addr;
	unsigned char	*der;
	size_t		 len;
	int		 si, ext;

	if ((addr = gx_child_text(p, node, "address", NULL)) == NULL)
		return -1;
	si = gconf_add_source(p->p_g, addr);
	free(addr);
	if (si < 0) {
		gconf_seterr(p->p_err, p->p_errlen, "source: bad address");
		return -1;
	}
	for (n = xsd_first_elem(node); n != NULL; n = xsd_next_elem(n)) {
		if (xsd_elem_is(n, "internalVerificationCert", NULL))
			ext = 0;
		else if (xsd_elem_is(n, "externalVerificationCert", NULL))
			ext = 1;
		else
			continue;
		if (gx_decode(p, n, &der, &len) != 0)
			return -1;
		if (gconf_source_add_cert(p->p_g, (size_t)si, ext, der,
		    len) != 0) {
			free(der);
			gconf_seterr(p->p_err, p->p_errlen, "source: cannot add "
			    "certificate");
			return -1;
		}
		free(der);
	}
	return 0;
}

static int
gx_read_ocsps(struct gx_parse *p, xmlNodePtr info, size_t ca, size_t level)
{
	xmlNodePtr	 n, c;
	char		*url;
	unsigned char	*der = NULL;
	size_t		 len = 0;
	int		 rc;

	for (n = xsd_first_elem(info); n != NULL; n = xsd_next_elem(n)) {
		if (!xsd_elem_is(n, "ocsp", NULL))
			continue;
		if ((url = gx_child_text(p, n, "url", NULL)) == NULL)
			return -1;
		der = NULL;
		len = 0;
		for (c = xsd_first_elem(n); c != NULL; c = xsd_next_elem(c))
			if (xsd_elem_is(c, "cert", NULL))
				break;
		if (c != NULL && gx_decode(p, c, &der, &len) != 0) {
			free(url);
			return -1;
		}
		rc = gconf_ca_add_ocsp(p->p_g, ca, level, url, der, len);
		free(url);
		free(der);
		if (rc != 0) {
			gconf_seterr(p->p_err, p->p_errlen, "ocsp: bad url");
			return -1;
		}
	}
	return 0;
}

static int
gx_read_ca(struct gx_parse *p, xmlNodePtr node)
{
	xmlNodePtr	 n, top = NULL, acme = NULL, certn;
	char		*name = NULL, *profile = NULL, *s = NULL, *ip = NULL;
	unsigned char	*der = NULL;
	size_t		 len;
	int		 ca, level, auth_only = -1, rc = -1;

	for (n = xsd_first_elem(node); n != NULL; n = xsd_next_elem(n)) {
		if (xsd_elem_is(n, "topCA", NULL))
			top = n;
		else if (xsd_elem_is(n, "acmeServer", NULL))
			acme = n;
		else if (xsd_elem_is(n, "authenticationOnly", NULL)) {
			if ((s = xsd_text(n)) == NULL)
				goto done;
			gx_trim(s);
			if (strcmp(s, "true") == 0 || strcmp(s, "1") == 0)
				auth_only = 1;
			else if (strcmp(s, "false") == 0 || strcmp(s, "0") == 0)
				auth_only = 0;
			else {
				gconf_seterr(p->p_err, p->p_errlen, "approvedCA: bad "
				    "authenticationOnly");
				goto done;
			}
			free(s);
			s = NULL;
		}
	}
	if ((name = gx_child_text(p, node, "name", NULL)) == NULL ||
	    (profile = gx_child_text(p, node, "certificateProfileInfo",
	    NULL)) == NULL)
		goto done;
	if (top == NULL || (certn = xsd_first_elem(top)) == NULL ||
	    !xsd_elem_is(certn, "cert", NULL)) {
		gconf_seterr(p->p_err, p->p_errlen, "approvedCA: no topCA cert");
		goto done;
	}
	if (gx_decode(p, certn, &der, &len) != 0)
		goto done;
	if ((ca = gconf_add_ca(p->p_g, name, der, len, profile)) < 0 ||
	    gconf_ca_set_auth_only(p->p_g, (size_t)ca, auth_only) != 0) {
		gconf_seterr(p->p_err, p->p_errlen, "approvedCA: cannot add");
		goto done;
	}
	free(der);
	der = NULL;
	if (gx_read_ocsps(p, top, (size_t)ca, 0) != 0)
		goto done;
	for (n = xsd_first_elem(node); n != NULL; n = xsd_next_elem(n)) {
		if (!xsd_elem_is(n, "intermediateCA", NULL))
			continue;
		if ((certn = xsd_first_elem(n)) == NULL ||
		    !xsd_elem_is(certn, "cert", NULL)) {
			gconf_seterr(p->p_err, p->p_errlen, "intermediateCA: no "
			    "cert");
			goto done;
		}
		if (gx_decode(p, certn, &der, &len) != 0)
			goto done;
		level = gconf_ca_add_intermediate(p->p_g, (size_t)ca, der, len);
		free(der);
		der = NULL;
		if (level < 0 ||
		    gx_read_ocsps(p, n, (size_t)ca, (size_t)level) != 0)
			goto done;
	}
	if (acme != NULL) {
		if ((s = gx_child_text(p, acme, "directoryURL", NULL)) == NULL)
			goto done;
		for (n = xsd_first_elem(acme); n != NULL; n = xsd_next_elem(n))
			if (xsd_elem_is(n, "ipAddress", NULL) &&
			    (ip = xsd_text(n)) == NULL)
				goto done;
		if (gconf_ca_set_acme(p->p_g, (size_t)ca, s, ip) != 0) {
			gconf_seterr(p->p_err, p->p_errlen, "acmeServer: bad value");
			goto done;
		}
	}
	rc = 0;
 done:
	free(name);
	free(profile);
	free(s);
	free(ip);
	free(der);
	return rc;
}

static int
gx_read_tsa(struct gx_parse *p, xmlNodePtr node)
{
	xmlNodePtr	 n;
	char		*name = NULL, *url = NULL;
	unsigned char	*der = NULL;
	size_t		 len;
	int		 rc = -1;

	if ((name = gx_child_text(p, node, "name", NULL)) == NULL ||
	    (url = gx_child_text(p, node, "url", NULL)) == NULL)
		goto done;
	for (n = xsd_first_elem(node); n != NULL; n = xsd_next_elem(n))
		if (xsd_elem_is(n, "cert", NULL))
			break;
	if (n == NULL || gx_decode(p, n, &der, &len) != 0)
		goto done;
	if (gconf_add_tsa(p->p_g, name, url, der, len) != 0)
		gconf_seterr(p->p_err, p->p_errlen, "approvedTSA: cannot add");
	else
		rc = 0;
 done:
	free(name);
	free(url);
	free(der);
	return rc;
}

static int
gx_note_class(struct gx_parse *p, xmlNodePtr mc)
{
	struct gx_class	*n;
	char		*code, *desc;
	size_t		 i;

	if ((code = gx_child_text(p, mc, "code", NULL)) == NULL)
		return -1;
	for (i = 0; i < p->p_nclasses; i++)
		if (strcmp(p->p_classes[i].xc_code, code) == 0) {
			free(code);
			return 0;
		}
	if ((desc = gx_child_text(p, mc, "description", NULL)) == NULL) {
		free(code);
		return -1;
	}
	if ((n = reallocarray(p->p_classes, p->p_nclasses + 1,
	    sizeof(*n))) == NULL) {
		free(code);
		free(desc);
		gconf_seterr(p->p_err, p->p_errlen, "out of memory");
		return -1;
	}
	p->p_classes = n;
	n[p->p_nclasses].xc_code = code;
	n[p->p_nclasses].xc_desc = desc;
	p->p_nclasses++;
	return 0;
}

static int
gx_read_member(struct gx_parse *p, xmlNodePtr node)
{
	xmlNodePtr	 n, mc = NULL;
	char		*cls = NULL, *code = NULL, *name = NULL, *sub;
	size_t		 nsub = 0;
	int		 m, rc = -1;

	for (n = xsd_first_elem(node); n != NULL; n = xsd_next_elem(n))
		if (xsd_elem_is(n, "memberClass", NULL))
			mc = n;
	if (mc == NULL) {
		gconf_seterr(p->p_err, p->p_errlen, "member: no memberClass");
		return -1;
	}
	if ((cls = gx_child_text(p, mc, "code", NULL)) == NULL ||
	    gx_note_class(p, mc) != 0 ||
	    (code = gx_child_text(p, node, "memberCode", NULL)) == NULL ||
	    (name = gx_child_text(p, node, "name", NULL)) == NULL)
		goto done;
	if ((m = gconf_add_member(p->p_g, cls, code, name)) < 0) {
		gconf_seterr(p->p_err, p->p_errlen, "member %s/%s: bad value", cls,
		    code);
		goto done;
	}
	if (gx_add_id(p, node, (size_t)m, SIZE_MAX) != 0)
		goto done;
	for (n = xsd_first_elem(node); n != NULL; n = xsd_next_elem(n)) {
		if (!xsd_elem_is(n, "subsystem", NULL))
			continue;
		if ((sub = gx_child_text(p, n, "subsystemCode", NULL)) == NULL)
			goto done;
		if (gconf_member_add_subsystem(p->p_g, (size_t)m, sub) != 0) {
			gconf_seterr(p->p_err, p->p_errlen, "member %s/%s: bad or "
			    "repeated subsystem %s", cls, code, sub);
			free(sub);
			goto done;
		}
		free(sub);
		if (gx_add_id(p, n, (size_t)m, nsub++) != 0)
			goto done;
	}
	rc = 0;
 done:
	free(cls);
	free(code);
	free(name);
	return rc;
}

/* The xrid of a member or subsystem named by an IDREF. */
static int
gx_ref_xrid(struct gx_parse *p, const struct gx_id *id, struct xrid *x)
{
	const struct gconf_member	*mem;
	size_t				 n;

	mem = gconf_members(p->p_g, &n);
	if (id->id_member >= n)
		return -1;
	mem = &mem[id->id_member];
	memset(x, 0, sizeof(*x));
	x->type = id->id_sub == SIZE_MAX ? XRID_MEMBER : XRID_SUBSYSTEM;
	(void)strlcpy(x->instance, gconf_instance(p->p_g), sizeof(x->instance));
	(void)strlcpy(x->member_class, mem->gm_class, sizeof(x->member_class));
	(void)strlcpy(x->member_code, mem->gm_code, sizeof(x->member_code));
	if (id->id_sub != SIZE_MAX)
		(void)strlcpy(x->subsystem_code,
		    mem->gm_subsystems[id->id_sub], sizeof(x->subsystem_code));
	return 0;
}

static int
gx_read_server(struct gx_parse *p, xmlNodePtr node)
{
	const struct gx_id		*id;
	const struct gconf_member	*mem;
	xmlNodePtr			 n;
	struct xrid			 x;
	char				*code = NULL, *addr = NULL;
	unsigned char			*h = NULL;
	size_t				 len, nm;
	int				 si, rc = -1;

	for (n = xsd_first_elem(node); n != NULL; n = xsd_next_elem(n))
		if (xsd_elem_is(n, "owner", NULL))
			break;
	if (n == NULL || (id = gx_find_id(p, n)) == NULL)
		goto done;
	if (id->id_sub != SIZE_MAX) {
		gconf_seterr(p->p_err, p->p_errlen, "securityServer: owner is a "
		    "subsystem");
		goto done;
	}
	mem = &gconf_members(p->p_g, &nm)[id->id_member];
	if ((code = gx_child_text(p, node, "serverCode", NULL)) == NULL)
		goto done;
	for (n = xsd_first_elem(node); n != NULL; n = xsd_next_elem(n))
		if (xsd_elem_is(n, "address", NULL) &&
		    (addr = xsd_text(n)) == NULL)
			goto done;
	if ((si = gconf_add_server(p->p_g, mem->gm_class, mem->gm_code, code,
	    addr)) < 0) {
		gconf_seterr(p->p_err, p->p_errlen, "securityServer %s: bad value",
		    code);
		goto done;
	}
	for (n = xsd_first_elem(node); n != NULL; n = xsd_next_elem(n)) {
		if (xsd_elem_is(n, "authCertHash", NULL)) {
			if (gx_decode(p, n, &h, &len) != 0)
				goto done;
			if (len != GCONF_AUTH_HASH_LEN) {
				gconf_seterr(p->p_err, p->p_errlen, "securityServer "
				    "%s: authCertHash is not SHA-256", code);
				goto done;
			}
			if (gconf_server_add_auth_hash(p->p_g, (size_t)si,
			    h) != 0)
				goto done;
			free(h);
			h = NULL;
		} else if (xsd_elem_is(n, "client", NULL)) {
			if ((id = gx_find_id(p, n)) == NULL ||
			    gx_ref_xrid(p, id, &x) != 0)
				goto done;
			if (gconf_server_add_client(p->p_g, (size_t)si,
			    &x) != 0) {
				gconf_seterr(p->p_err, p->p_errlen, "securityServer "
				    "%s: cannot add client", code);
				goto done;
			}
		}
	}
	rc = 0;
 done:
	free(code);
	free(addr);
	free(h);
	return rc;
}

static int
gx_read_group(struct gx_parse *p, xmlNodePtr node)
{
	xmlNodePtr	 n;
	struct xrid	 x;
	char		*code = NULL, *desc = NULL;
	int		 gi, rc = -1;

	if ((code = gx_child_text(p, node, "groupCode", NULL)) == NULL ||
	    (desc = gx_child_text(p, node, "description", NULL)) == NULL)
		goto done;
	if ((gi = gconf_add_group(p->p_g, code, desc)) < 0) {
		gconf_seterr(p->p_err, p->p_errlen, "globalGroup %s: bad value",
		    code);
		goto done;
	}
	for (n = xsd_first_elem(node); n != NULL; n = xsd_next_elem(n)) {
		if (!xsd_elem_is(n, "groupMember", NULL))
			continue;
		if (gx_read_clientid(p, n, &x) != 0)
			goto done;
		if (gconf_group_add_member(p->p_g, (size_t)gi, &x) != 0) {
			gconf_seterr(p->p_err, p->p_errlen, "globalGroup %s: bad "
			    "member", code);
			goto done;
		}
	}
	rc = 0;
 done:
	free(code);
	free(desc);
	return rc;
}

static int
gx_read_settings(struct gx_parse *p, xmlNodePtr node)
{
	xmlNodePtr	 n;
	char		*code, *desc;
	long long	 v;
	int		 rc;

	for (n = xsd_first_elem(node); n != NULL; n = xsd_next_elem(n)) {
		if (xsd_elem_is(n, "memberClass", NULL)) {
			if ((code = gx_child_text(p, n, "code", NULL)) == NULL)
				return -1;
			if ((desc = gx_child_text(p, n, "description",
			    NULL)) == NULL) {
				free(code);
				return -1;
			}
			rc = gconf_add_member_class(p->p_g, code, desc);
			if (rc != 0)
				gconf_seterr(p->p_err, p->p_errlen, "memberClass %s:"
				    " bad or repeated", code);
			free(code);
			free(desc);
			if (rc != 0)
				return -1;
		} else if (xsd_elem_is(n, "ocspFreshnessSeconds", NULL)) {
			if (gx_number(p, n, &v) != 0 ||
			    gconf_set_ocsp_freshness(p->p_g, v) != 0)
				return -1;
		}
	}
	return 0;
}

/* Member classes only stated by members join the list at the end. */
static int
gx_add_member_classes(struct gx_parse *p)
{
	const struct gconf_member_class	*c;
	size_t				 i, j, n;

	for (i = 0; i < p->p_nclasses; i++) {
		c = gconf_member_classes(p->p_g, &n);
		for (j = 0; j < n; j++)
			if (strcmp(c[j].mc_code, p->p_classes[i].xc_code) == 0)
				break;
		if (j < n)
			continue;
		if (gconf_add_member_class(p->p_g, p->p_classes[i].xc_code,
		    p->p_classes[i].xc_desc) != 0) {
			gconf_seterr(p->p_err, p->p_errlen, "memberClass %s: bad",
			    p->p_classes[i].xc_code);
			return -1;
		}
	}
	return 0;
}

static xmlDocPtr
gx_load(const void *xml, size_t len, const char *schema_dir,
    const char *rel, const char *what, char *err, size_t errlen)
{
	struct xsd	*x;
	xmlDocPtr	 doc;
	char		 msg[512];

	if ((doc = xsd_read_doc(xml, len, msg, sizeof(msg))) == NULL) {
		gconf_seterr(err, errlen, "%s: %s", what, msg);
		return NULL;
	}
	if ((x = xsd_load(schema_dir, rel, msg, sizeof(msg))) == NULL) {
		gconf_seterr(err, errlen, "%s schema %s: %s", what, rel, msg);
		xmlFreeDoc(doc);
		return NULL;
	}
	if (xsd_validate(x, doc, msg, sizeof(msg)) != 0) {
		gconf_seterr(err, errlen, "%s not schema-valid: %s", what, msg);
		xsd_free(x);
		xmlFreeDoc(doc);
		return NULL;
	}
	xsd_free(x);
	if (!xsd_elem_is(xmlDocGetRootElement(doc), "conf", GCONF_NS)) {
		gconf_seterr(err, errlen, "%s: root is not tns:conf", what);
		xmlFreeDoc(doc);
		return NULL;
	}
	return doc;
}

static int
gx_read_shared(struct gx_parse *p, xmlNodePtr root)
{
	xmlNodePtr	n;
	size_t		i;
	int		rc = 0;

	/* Pass 1: everything but the servers, which refer to member IDs. */
	for (n = xsd_next_elem(xsd_first_elem(root)); n != NULL && rc == 0;
	    n = xsd_next_elem(n)) {
		if (xsd_elem_is(n, "source", NULL))
			rc = gx_read_source(p, n);
		else if (xsd_elem_is(n, "approvedCA", NULL))
			rc = gx_read_ca(p, n);
		else if (xsd_elem_is(n, "approvedTSA", NULL))
			rc = gx_read_tsa(p, n);
		else if (xsd_elem_is(n, "member", NULL))
			rc = gx_read_member(p, n);
		else if (xsd_elem_is(n, "globalGroup", NULL))
			rc = gx_read_group(p, n);
		else if (xsd_elem_is(n, "globalSettings", NULL))
			rc = gx_read_settings(p, n);
		/* centralService (deprecated) and extensions: skipped */
	}
	if (rc != 0 || gx_add_member_classes(p) != 0)
		return -1;
	if (p->p_nids > 0)
		qsort(p->p_ids, p->p_nids, sizeof(*p->p_ids), gx_cmp_id);
	for (i = 1; i < p->p_nids; i++)
		if (strcmp(p->p_ids[i - 1].id_name, p->p_ids[i].id_name) == 0) {
			gconf_seterr(p->p_err, p->p_errlen, "ID \"%s\" used twice",
			    p->p_ids[i].id_name);
			return -1;
		}
	/* Pass 2: security servers. */
	for (n = xsd_first_elem(root); n != NULL; n = xsd_next_elem(n))
		if (xsd_elem_is(n, "securityServer", NULL) &&
		    gx_read_server(p, n) != 0)
			return -1;
	return 0;
}

static int
gx_read_private(struct gx_parse *p, xmlNodePtr root)
{
	struct anchor	*a;
	xmlNodePtr	 n, c;
	struct xrid	 prov;
	char		*s = NULL, *addr = NULL;
	unsigned char	*der = NULL;
	size_t		 len = 0;
	long long	 v;
	int		 have_mgmt = 0, have_ts = 0, rc = -1;

	n = xsd_first_elem(root);
	if (!xsd_elem_is(n, "instanceIdentifier", NULL) ||
	    (s = xsd_text(n)) == NULL ||
	    strcmp(s, gconf_instance(p->p_g)) != 0) {
		gconf_seterr(p->p_err, p->p_errlen, "private parameters are for "
		    "another instance");
		goto done;
	}
	for (n = xsd_next_elem(n); n != NULL; n = xsd_next_elem(n)) {
		if (xsd_elem_is(n, "configurationAnchor", NULL)) {
			if (anchor_from_node(&a, n, p->p_err,
			    p->p_errlen) != 0)
				goto done;
			if (gconf_add_anchor(p->p_g, a) != 0) {
				anchor_free(a);
				gconf_seterr(p->p_err, p->p_errlen, "out of memory");
				goto done;
			}
			anchor_free(a);
		} else if (xsd_elem_is(n, "managementService", NULL)) {
			if ((addr = gx_child_text(p, n,
			    "authCertRegServiceAddress", NULL)) == NULL)
				goto done;
			for (c = xsd_first_elem(n); c != NULL;
			    c = xsd_next_elem(c))
				if (xsd_elem_is(c, "authCertRegServiceCert",
				    NULL) && gx_decode(p, c, &der, &len) != 0)
					goto done;
			for (c = xsd_first_elem(n); c != NULL;
			    c = xsd_next_elem(c))
				if (xsd_elem_is(c,
				    "managementRequestServiceProviderId", NULL))
					break;
			if (c == NULL || gx_read_clientid(p, c, &prov) != 0)
				goto done;
			if (gconf_set_management(p->p_g, addr, der, len,
			    &prov) != 0) {
				gconf_seterr(p->p_err, p->p_errlen,
				    "managementService: bad value");
				goto done;
			}
			have_mgmt = 1;
		} else if (xsd_elem_is(n, "timeStampingIntervalSeconds",
		    NULL)) {
			if (gx_number(p, n, &v) != 0 ||
			    gconf_set_ts_interval(p->p_g, v) != 0)
				goto done;
			have_ts = 1;
		}
	}
	if (!have_mgmt || !have_ts) {
		gconf_seterr(p->p_err, p->p_errlen, "private parameters incomplete");
		goto done;
	}
	rc = 0;
 done:
	free(s);
	free(addr);
	free(der);
	return rc;
}

int
gconf_parse(struct gconf **out, int version, const void *shared,
    size_t sharedlen, const void *priv, size_t privlen,
    const char *schema_dir, char *err, size_t errlen)
{
	struct gx_parse	 p;
	xmlDocPtr	 sdoc = NULL, pdoc = NULL;
	xmlNodePtr	 n;
	char		 rel[64], *inst = NULL;
	size_t		 i;
	int		 rc = -1;

	memset(&p, 0, sizeof(p));
	p.p_err = err;
	p.p_errlen = errlen;
	if (version == 0)
		version = GCONF_VERSION;
	if (version < GCONF_VERSION_MIN || version > GCONF_VERSION_MAX) {
		gconf_seterr(err, errlen, "global configuration version %d not "
		    "supported", version);
		return -1;
	}
	(void)snprintf(rel, sizeof(rel), "globalconf/v%d/shared-parameters.xsd",
	    version);
	if ((sdoc = gx_load(shared, sharedlen, schema_dir, rel,
	    "shared parameters", err, errlen)) == NULL)
		goto done;
	n = xsd_first_elem(xmlDocGetRootElement(sdoc));
	if (!xsd_elem_is(n, "instanceIdentifier", NULL) ||
	    (inst = xsd_text(n)) == NULL ||
	    (p.p_g = gconf_new(inst)) == NULL) {
		gconf_seterr(err, errlen, "shared parameters: bad instanceIdentifier");
		goto done;
	}
	if (gx_read_shared(&p, xmlDocGetRootElement(sdoc)) != 0)
		goto done;
	if (priv != NULL) {
		/* Private parameters have not changed since version 3. */
		if ((pdoc = gx_load(priv, privlen, schema_dir,
		    "globalconf/v3/private-parameters.xsd",
		    "private parameters", err, errlen)) == NULL ||
		    gx_read_private(&p, xmlDocGetRootElement(pdoc)) != 0)
			goto done;
	}
	if (gconf_finish(p.p_g, err, errlen) != 0)
		goto done;
	*out = p.p_g;
	p.p_g = NULL;
	rc = 0;
 done:
	for (i = 0; i < p.p_nids; i++)
		free(p.p_ids[i].id_name);
	free(p.p_ids);
	for (i = 0; i < p.p_nclasses; i++) {
		free(p.p_classes[i].xc_code);
		free(p.p_classes[i].xc_desc);
	}
	free(p.p_classes);
	gconf_free(p.p_g);
	free(inst);
	xmlFreeDoc(sdoc);
	xmlFreeDoc(pdoc);
	return rc;
}
