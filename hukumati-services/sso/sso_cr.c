/*
 * sso_cr.c: the civil register (PS/GOV/MOI/CIVIL-REGISTER getPerson),
 * asked through the SSO's security server, and the matching of what a
 * citizen typed against its answer (see sso.h).
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include <libxml/tree.h>

#include "compat.h"
#include "log.h"
#include "soap.h"
#include "sso.h"
#include "xroad_client.h"

#define CR_NS	"http://moi.gov.ps/civil-register"

struct cr_call {
	sso_cr_done_fn	 cc_done;
	void		*cc_arg;
};

/* The first element child of n called name (any namespace), or NULL. */
static const xmlNode *
child(const xmlNode *n, const char *name)
{
	const xmlNode	*c;

	if (n == NULL)
		return NULL;
	for (c = n->children; c != NULL; c = c->next)
		if (c->type == XML_ELEMENT_NODE &&
		    strcmp((const char *)c->name, name) == 0)
			return c;
	return NULL;
}

/* The text of n's child name into out ("" if absent). */
static int
child_text(const xmlNode *n, const char *name, char *out, size_t outlen)
{
	const xmlNode	*c = child(n, name);
	xmlChar		*t;
	size_t		 r;

	out[0] = '\0';
	if (c == NULL)
		return 0;
	if ((t = xmlNodeGetContent(c)) == NULL)
		return -1;
	r = strlcpy(out, (const char *)t, outlen);
	xmlFree(t);
	return r >= outlen ? -1 : 0;
}

int
sso_cr_parse(const struct soap_msg *msg, struct sso_person *p)
{
	const xmlNode	*w = soap_msg_body_element(msg), *person, *ar, *en;
	char		 found[16];

	memset(p, 0, sizeof(*p));
	if (w == NULL || strcmp((const char *)w->name,
	    "getPersonResponse") != 0 ||
	    child_text(w, "found", found, sizeof(found)) == -1)
		return -1;
	if (strcmp(found, "false") == 0 || strcmp(found, "0") == 0)
		return 0;
	if (strcmp(found, "true") != 0 && strcmp(found, "1") != 0)
		return -1;
	if ((person = child(w, "person")) == NULL ||
	    (ar = child(person, "nameAr")) == NULL ||
	    (en = child(person, "nameEn")) == NULL)
		return -1;
	if (child_text(ar, "first", p->p_first_ar, sizeof(p->p_first_ar)) ==
	    -1 || child_text(ar, "family", p->p_family_ar,
	    sizeof(p->p_family_ar)) == -1 ||
	    child_text(en, "first", p->p_first_en, sizeof(p->p_first_en)) ==
	    -1 || child_text(en, "family", p->p_family_en,
	    sizeof(p->p_family_en)) == -1 ||
	    child_text(person, "dateOfBirth", p->p_dob, sizeof(p->p_dob)) ==
	    -1 || child_text(person, "status", p->p_status,
	    sizeof(p->p_status)) == -1)
		return -1;
	p->p_found = 1;
	return 0;
}

int
sso_cr_match(const struct sso_person *p, const char *first,
    const char *family, const char *dob)
{
	if (!p->p_found || strcmp(p->p_status, "alive") != 0 ||
	    strcmp(p->p_dob, dob) != 0)
		return 0;
	return (sso_name_match(first, p->p_first_ar) ||
	    sso_name_match(first, p->p_first_en)) &&
	    (sso_name_match(family, p->p_family_ar) ||
	    sso_name_match(family, p->p_family_en));
}

static void
cr_done(int status, const struct soap_msg *resp, const struct xrc_error *err,
    void *arg)
{
	struct cr_call		*cc = arg;
	struct sso_person	 p;
	int			 rc = -1;

	memset(&p, 0, sizeof(p));
	if (status != XRC_OK)
		log_warnx("civil register: %s%s%s", err->xe_code,
		    err->xe_code[0] != '\0' ? ": " : "", err->xe_message);
	else if (sso_cr_parse(resp, &p) == -1)
		log_warnx("civil register: unexpected getPerson answer");
	else
		rc = 0;
	cc->cc_done(rc, &p, cc->cc_arg);
	memset(&p, 0, sizeof(p));
	free(cc);
}

int
sso_cr_lookup(struct sso *s, const char *nid, const char *user_id,
    sso_cr_done_fn done, void *arg, struct xrc_call **callp)
{
	struct cr_call		*cc;
	struct xrc_error	 err;
	xmlDoc			*doc = NULL;
	xmlNode			*w = NULL;

	if ((cc = calloc(1, sizeof(*cc))) == NULL)
		return -1;
	cc->cc_done = done;
	cc->cc_arg = arg;
	if (xrc_soap_new(s->s_xrc, s->s_cr_service, CR_NS, user_id, NULL,
	    &doc, &w, &err) == -1 ||
	    xmlNewTextChild(w, w->ns, BAD_CAST "nationalId",
	    BAD_CAST nid) == NULL ||
	    xrc_soap_call(s->s_xrc, doc, cr_done, cc, callp, &err) == -1) {
		log_warnx("civil register: cannot ask: %s", err.xe_message);
		xmlFreeDoc(doc);
		free(cc);
		return -1;
	}
	xmlFreeDoc(doc);
	return 0;
}
