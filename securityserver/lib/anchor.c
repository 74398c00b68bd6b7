/*
 * anchor.c: configuration anchors: model, XML writer, validating parser.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <libxml/tree.h>

#include "anchor.h"
#include "b64.h"
#include "compat.h"
#include "xsd.h"

struct anchor_cert {
	unsigned char	*ac_der;
	size_t		 ac_len;
};

struct anchor_src {
	char			*as_url;
	struct anchor_cert	*as_certs;
	size_t			 as_ncerts;
};

struct anchor {
	char			*an_instance;
	time_t			 an_generated;
	struct anchor_src	*an_srcs;
	size_t			 an_nsrcs;
};

static void
anchor_seterr(char *err, size_t errlen, const char *msg)
{
	if (err != NULL && errlen > 0)
		(void)strlcpy(err, msg, errlen);
}

struct anchor *
anchor_new(const char *instance, time_t generated_at)
{
	struct anchor *a;

	if (instance == NULL || *instance == '\0' || generated_at < 0)
		return NULL;
	if ((a = calloc(1, sizeof(*a))) == NULL)
		return NULL;
	if ((a->an_instance = strdup(instance)) == NULL) {
		free(a);
		return NULL;
	}
	a->an_generated = generated_at;
	return a;
}

void
anchor_free(struct anchor *a)
{
	size_t i, j;

	if (a == NULL)
		return;
	for (i = 0; i < a->an_nsrcs; i++) {
		for (j = 0; j < a->an_srcs[i].as_ncerts; j++)
			free(a->an_srcs[i].as_certs[j].ac_der);
		free(a->an_srcs[i].as_certs);
		free(a->an_srcs[i].as_url);
	}
	free(a->an_srcs);
	free(a->an_instance);
	free(a);
}

int
anchor_add_source(struct anchor *a, const char *url)
{
	struct anchor_src	*n;
	char			*u;

	if (url == NULL || *url == '\0' || a->an_nsrcs >= ANCHOR_MAX_SOURCES)
		return -1;
	if ((u = strdup(url)) == NULL)
		return -1;
	n = reallocarray(a->an_srcs, a->an_nsrcs + 1, sizeof(*n));
	if (n == NULL) {
		free(u);
		return -1;
	}
	a->an_srcs = n;
	memset(&n[a->an_nsrcs], 0, sizeof(*n));
	n[a->an_nsrcs].as_url = u;
	return (int)a->an_nsrcs++;
}

int
anchor_add_cert(struct anchor *a, size_t src, const unsigned char *der,
    size_t len)
{
	struct anchor_src	*s;
	struct anchor_cert	*n;
	unsigned char		*d;

	if (src >= a->an_nsrcs || der == NULL || len == 0)
		return -1;
	s = &a->an_srcs[src];
	if (s->as_ncerts >= ANCHOR_MAX_CERTS)
		return -1;
	if ((d = malloc(len)) == NULL)
		return -1;
	memcpy(d, der, len);
	n = reallocarray(s->as_certs, s->as_ncerts + 1, sizeof(*n));
	if (n == NULL) {
		free(d);
		return -1;
	}
	s->as_certs = n;
	n[s->as_ncerts].ac_der = d;
	n[s->as_ncerts].ac_len = len;
	s->as_ncerts++;
	return 0;
}

struct anchor *
anchor_dup(const struct anchor *a)
{
	struct anchor	*c;
	size_t		 i, j;
	int		 si;

	if ((c = anchor_new(a->an_instance, a->an_generated)) == NULL)
		return NULL;
	for (i = 0; i < a->an_nsrcs; i++) {
		if ((si = anchor_add_source(c, a->an_srcs[i].as_url)) < 0)
			goto fail;
		for (j = 0; j < a->an_srcs[i].as_ncerts; j++)
			if (anchor_add_cert(c, (size_t)si,
			    a->an_srcs[i].as_certs[j].ac_der,
			    a->an_srcs[i].as_certs[j].ac_len) != 0)
				goto fail;
	}
	return c;
 fail:
	anchor_free(c);
	return NULL;
}

const char *
anchor_instance(const struct anchor *a)
{
	return a->an_instance;
}

time_t
anchor_generated_at(const struct anchor *a)
{
	return a->an_generated;
}

size_t
anchor_nsources(const struct anchor *a)
{
	return a->an_nsrcs;
}

const char *
anchor_source_url(const struct anchor *a, size_t src)
{
	return src < a->an_nsrcs ? a->an_srcs[src].as_url : NULL;
}

size_t
anchor_source_ncerts(const struct anchor *a, size_t src)
{
	return src < a->an_nsrcs ? a->an_srcs[src].as_ncerts : 0;
}

const unsigned char *
anchor_source_cert(const struct anchor *a, size_t src, size_t i, size_t *len)
{
	if (src >= a->an_nsrcs || i >= a->an_srcs[src].as_ncerts)
		return NULL;
	*len = a->an_srcs[src].as_certs[i].ac_len;
	return a->an_srcs[src].as_certs[i].ac_der;
}

int
anchor_equal(const struct anchor *a, const struct anchor *b)
{
	size_t i, j;

	if (strcmp(a->an_instance, b->an_instance) != 0 ||
	    a->an_generated != b->an_generated || a->an_nsrcs != b->an_nsrcs)
		return 0;
	for (i = 0; i < a->an_nsrcs; i++) {
		const struct anchor_src *x = &a->an_srcs[i], *y = &b->an_srcs[i];

		if (strcmp(x->as_url, y->as_url) != 0 ||
		    x->as_ncerts != y->as_ncerts)
			return 0;
		for (j = 0; j < x->as_ncerts; j++)
			if (x->as_certs[j].ac_len != y->as_certs[j].ac_len ||
			    memcmp(x->as_certs[j].ac_der, y->as_certs[j].ac_der,
			    x->as_certs[j].ac_len) != 0)
				return 0;
	}
	return 1;
}

/* A child element in no namespace, with text content if not NULL. */
static xmlNodePtr
anchor_elem(xmlNodePtr parent, const char *name, const char *text)
{
	xmlNodePtr n;

	if ((n = xmlNewDocNode(parent->doc, NULL, BAD_CAST name, NULL)) ==
	    NULL)
		return NULL;
	if (xmlAddChild(parent, n) == NULL) {
		xmlFreeNode(n);
		return NULL;
	}
	if (text != NULL)
		xmlNodeAddContent(n, BAD_CAST text);
	return n;
}

/* Fill elem with the ConfigurationAnchorType children. */
static int
anchor_fill(const struct anchor *a, xmlNodePtr elem)
{
	char		 when[XSD_DATETIME_LEN], *b64;
	xmlNodePtr	 src, n;
	size_t		 i, j;

	if (a->an_generated != 0) {
		if (xsd_format_datetime(a->an_generated, when,
		    sizeof(when)) != 0)
			return -1;
		if (anchor_elem(elem, "generatedAt", when) == NULL)
			return -1;
	}
	if (anchor_elem(elem, "instanceIdentifier", a->an_instance) == NULL)
		return -1;
	if (a->an_nsrcs == 0)
		return -1;	/* the schema wants at least one source */
	for (i = 0; i < a->an_nsrcs; i++) {
		if (a->an_srcs[i].as_ncerts == 0)
			return -1;	/* ... each with a certificate */
		if ((src = anchor_elem(elem, "source", NULL)) == NULL)
			return -1;
		if (anchor_elem(src, "downloadURL",
		    a->an_srcs[i].as_url) == NULL)
			return -1;
		for (j = 0; j < a->an_srcs[i].as_ncerts; j++) {
			b64 = b64_encode(a->an_srcs[i].as_certs[j].ac_der,
			    a->an_srcs[i].as_certs[j].ac_len);
			if (b64 == NULL)
				return -1;
			n = anchor_elem(src, "verificationCert", b64);
			free(b64);
			if (n == NULL)
				return -1;
		}
	}
	return 0;
}

int
anchor_to_node(const struct anchor *a, xmlNodePtr parent, const char *name)
{
	xmlNodePtr elem;

	if ((elem = anchor_elem(parent, name, NULL)) == NULL)
		return -1;
	return anchor_fill(a, elem);
}

int
anchor_write(const struct anchor *a, unsigned char **out, size_t *outlen)
{
	xmlDocPtr	 doc;
	xmlNodePtr	 root;
	xmlNsPtr	 ns;
	int		 rc = -1;

	if ((doc = xmlNewDoc(BAD_CAST "1.0")) == NULL)
		return -1;
	if ((root = xmlNewNode(NULL, BAD_CAST "configurationAnchor")) == NULL)
		goto done;
	xmlDocSetRootElement(doc, root);
	if ((ns = xmlNewNs(root, BAD_CAST ANCHOR_NS, BAD_CAST "tns")) == NULL)
		goto done;
	xmlSetNs(root, ns);
	if (anchor_fill(a, root) != 0)
		goto done;
	rc = xsd_dump_doc(doc, out, outlen);
 done:
	xmlFreeDoc(doc);
	return rc;
}

int
anchor_from_node(struct anchor **out, xmlNodePtr node, char *err,
    size_t errlen)
{
	struct anchor	*a = NULL;
	xmlNodePtr	 n, c;
	time_t		 gen = 0;
	char		*s = NULL;
	unsigned char	*der;
	size_t		 derlen;
	int		 si;

	n = xsd_first_elem(node);
	if (xsd_elem_is(n, "generatedAt", NULL)) {
		if ((s = xsd_text(n)) == NULL)
			goto nomem;
		if (xsd_parse_datetime(s, &gen) != 0) {
			anchor_seterr(err, errlen, "anchor: bad generatedAt");
			goto fail;
		}
		free(s);
		s = NULL;
		n = xsd_next_elem(n);
	}
	if (!xsd_elem_is(n, "instanceIdentifier", NULL)) {
		anchor_seterr(err, errlen, "anchor: no instanceIdentifier");
		goto fail;
	}
	if ((s = xsd_text(n)) == NULL)
		goto nomem;
	if ((a = anchor_new(s, gen)) == NULL) {
		anchor_seterr(err, errlen, "anchor: empty instanceIdentifier");
		goto fail;
	}
	free(s);
	s = NULL;
	for (n = xsd_next_elem(n); n != NULL; n = xsd_next_elem(n)) {
		if (!xsd_elem_is(n, "source", NULL)) {
			anchor_seterr(err, errlen, "anchor: unexpected element");
			goto fail;
		}
		c = xsd_first_elem(n);
		if (!xsd_elem_is(c, "downloadURL", NULL)) {
			anchor_seterr(err, errlen, "anchor: no downloadURL");
			goto fail;
		}
		if ((s = xsd_text(c)) == NULL)
			goto nomem;
		if ((si = anchor_add_source(a, s)) < 0) {
			anchor_seterr(err, errlen,
			    "anchor: empty downloadURL or too many sources");
			goto fail;
		}
		free(s);
		s = NULL;
		for (c = xsd_next_elem(c); c != NULL; c = xsd_next_elem(c)) {
			if (!xsd_elem_is(c, "verificationCert", NULL)) {
				anchor_seterr(err, errlen,
				    "anchor: unexpected element in source");
				goto fail;
			}
			if ((s = xsd_text(c)) == NULL)
				goto nomem;
			der = NULL;
			if (b64_decode(s, strlen(s), &der, &derlen) != 0 ||
			    derlen == 0) {
				free(der);
				anchor_seterr(err, errlen,
				    "anchor: bad verificationCert");
				goto fail;
			}
			free(s);
			s = NULL;
			if (anchor_add_cert(a, (size_t)si, der, derlen) != 0) {
				free(der);
				anchor_seterr(err, errlen,
				    "anchor: too many certificates");
				goto fail;
			}
			free(der);
		}
		if (anchor_source_ncerts(a, (size_t)si) == 0) {
			anchor_seterr(err, errlen,
			    "anchor: source without verificationCert");
			goto fail;
		}
	}
	if (a->an_nsrcs == 0) {
		anchor_seterr(err, errlen, "anchor: no source");
		goto fail;
	}
	*out = a;
	return 0;
 nomem:
	anchor_seterr(err, errlen, "out of memory");
 fail:
	free(s);
	anchor_free(a);
	return -1;
}

int
anchor_parse(struct anchor **out, const void *xml, size_t len,
    const char *schema_dir, char *err, size_t errlen)
{
	struct xsd	*x = NULL;
	xmlDocPtr	 doc = NULL;
	xmlNodePtr	 root;
	char		 msg[512];
	int		 rc = -1;

	if ((doc = xsd_read_doc(xml, len, err, errlen)) == NULL)
		return -1;
	if ((x = xsd_load(schema_dir, ANCHOR_SCHEMA, msg, sizeof(msg))) ==
	    NULL) {
		(void)snprintf(err, errlen, "anchor schema: %s", msg);
		goto done;
	}
	if (xsd_validate(x, doc, msg, sizeof(msg)) != 0) {
		(void)snprintf(err, errlen, "anchor not schema-valid: %s", msg);
		goto done;
	}
	root = xmlDocGetRootElement(doc);
	if (!xsd_elem_is(root, "configurationAnchor", ANCHOR_NS)) {
		anchor_seterr(err, errlen, "not a configuration anchor");
		goto done;
	}
	rc = anchor_from_node(out, root, err, errlen);
 done:
	xsd_free(x);
	xmlFreeDoc(doc);
	return rc;
}
