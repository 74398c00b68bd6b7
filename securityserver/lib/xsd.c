/*
 * xsd.c: safe XML reading and XML Schema validation with libxml2.
 */
#include "config.h"

#include <ctype.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <libxml/parser.h>
#include <libxml/tree.h>
#include <libxml/xmlerror.h>
#include <libxml/xmlschemas.h>

#include "compat.h"
#include "xsd.h"

struct xsd {
	xmlSchemaPtr	 x_schema;
};

struct xsd_errstate {
	char	*es_buf;
	size_t	 es_len;
	int	 es_seen;
};

static void
xsd_seterr(char *err, size_t errlen, const char *msg)
{
	if (err != NULL && errlen > 0)
		(void)strlcpy(err, msg, errlen);
}

/* Keep the first error, without libxml2's trailing newline. */
static void
xsd_structured_err(void *arg, xmlErrorPtr e)
{
	struct xsd_errstate	*es = arg;
	size_t			 n;

	if (es->es_seen || e == NULL || e->level == XML_ERR_WARNING)
		return;
	es->es_seen = 1;
	if (es->es_buf == NULL || es->es_len == 0)
		return;
	if (e->line > 0)
		(void)snprintf(es->es_buf, es->es_len, "line %d: %s", e->line,
		    e->message != NULL ? e->message : "error");
	else
		(void)snprintf(es->es_buf, es->es_len, "%s",
		    e->message != NULL ? e->message : "error");
	n = strlen(es->es_buf);
	while (n > 0 && (es->es_buf[n - 1] == '\n' || es->es_buf[n - 1] == ' '))
		es->es_buf[--n] = '\0';
}

struct xsd *
xsd_load(const char *dir, const char *rel, char *err, size_t errlen)
{
	struct xsd_errstate	 es = { err, errlen, 0 };
	xmlSchemaParserCtxtPtr	 pctx = NULL;
	struct xsd		*x = NULL;
	char			 path[4096];
	int			 n;

	n = snprintf(path, sizeof(path), "%s/%s", dir, rel);
	if (n < 0 || (size_t)n >= sizeof(path)) {
		xsd_seterr(err, errlen, "schema path too long");
		return NULL;
	}
	if ((x = calloc(1, sizeof(*x))) == NULL) {
		xsd_seterr(err, errlen, "out of memory");
		return NULL;
	}
	if ((pctx = xmlSchemaNewParserCtxt(path)) == NULL) {
		xsd_seterr(err, errlen, "cannot create schema parser");
		goto fail;
	}
	xmlSchemaSetParserStructuredErrors(pctx, xsd_structured_err, &es);
	if ((x->x_schema = xmlSchemaParse(pctx)) == NULL) {
		if (!es.es_seen)
			xsd_seterr(err, errlen, "cannot load schema");
		goto fail;
	}
	xmlSchemaFreeParserCtxt(pctx);
	return x;
 fail:
	xmlSchemaFreeParserCtxt(pctx);
	xsd_free(x);
	return NULL;
}

void
xsd_free(struct xsd *x)
{
	if (x == NULL)
		return;
	if (x->x_schema != NULL)
		xmlSchemaFree(x->x_schema);
	free(x);
}

int
xsd_validate(const struct xsd *x, xmlDocPtr doc, char *err, size_t errlen)
{
	struct xsd_errstate	 es = { err, errlen, 0 };
	xmlSchemaValidCtxtPtr	 vctx;
	int			 rc;

	if ((vctx = xmlSchemaNewValidCtxt(x->x_schema)) == NULL) {
		xsd_seterr(err, errlen, "out of memory");
		return -1;
	}
	xmlSchemaSetValidStructuredErrors(vctx, xsd_structured_err, &es);
	rc = xmlSchemaValidateDoc(vctx, doc);
	xmlSchemaFreeValidCtxt(vctx);
	if (rc != 0) {
		if (!es.es_seen)
			xsd_seterr(err, errlen, "schema validation failed");
		return -1;
	}
	return 0;
}

xmlDocPtr
xsd_read_doc(const void *buf, size_t len, char *err, size_t errlen)
{
	xmlParserCtxtPtr	 ctx;
	xmlDocPtr		 doc;
	const xmlError		*e;
	char			 msg[256];

	if (len == 0 || len > XSD_DOC_MAX) {
		xsd_seterr(err, errlen, "XML document empty or too large");
		return NULL;
	}
	if ((ctx = xmlNewParserCtxt()) == NULL) {
		xsd_seterr(err, errlen, "out of memory");
		return NULL;
	}
	doc = xmlCtxtReadMemory(ctx, buf, (int)len, NULL, NULL,
	    XML_PARSE_NONET | XML_PARSE_NOERROR | XML_PARSE_NOWARNING);
	if (doc == NULL || !ctx->wellFormed) {
		e = xmlCtxtGetLastError(ctx);
		if (e != NULL && e->message != NULL) {
			(void)snprintf(msg, sizeof(msg), "XML not well-formed:"
			    " line %d: %s", e->line, e->message);
			msg[strcspn(msg, "\n")] = '\0';
			xsd_seterr(err, errlen, msg);
		} else
			xsd_seterr(err, errlen, "XML not well-formed");
		xmlFreeDoc(doc);
		xmlFreeParserCtxt(ctx);
		return NULL;
	}
	xmlFreeParserCtxt(ctx);
	if (doc->intSubset != NULL || doc->extSubset != NULL) {
		xsd_seterr(err, errlen, "DOCTYPE not allowed");
		xmlFreeDoc(doc);
		return NULL;
	}
	if (xmlDocGetRootElement(doc) == NULL) {
		xsd_seterr(err, errlen, "no root element");
		xmlFreeDoc(doc);
		return NULL;
	}
	return doc;
}

int
xsd_dump_doc(xmlDocPtr doc, unsigned char **out, size_t *outlen)
{
	xmlChar		*mem = NULL;
	unsigned char	*copy;
	int		 size = 0;

	xmlDocDumpFormatMemoryEnc(doc, &mem, &size, "UTF-8", 1);
	if (mem == NULL || size <= 0) {
		xmlFree(mem);
		return -1;
	}
	if ((copy = malloc((size_t)size + 1)) == NULL) {
		xmlFree(mem);
		return -1;
	}
	memcpy(copy, mem, (size_t)size);
	copy[size] = '\0';
	xmlFree(mem);
	*out = copy;
	*outlen = (size_t)size;
	return 0;
}

/* Read exactly n decimal digits. */
static int
xsd_digits(const char **sp, int n, int *out)
{
	const char	*s = *sp;
	int		 v = 0, i;

	for (i = 0; i < n; i++) {
		if (!isdigit((unsigned char)s[i]))
			return -1;
		v = v * 10 + (s[i] - '0');
	}
	*sp = s + n;
	*out = v;
	return 0;
}

int
xsd_parse_datetime(const char *s, time_t *out)
{
	struct tm	tm;
	int		Y, M, D, h, m, sec, zh = 0, zm = 0, sign = 0;
	time_t		t;

	while (isspace((unsigned char)*s))
		s++;
	if (xsd_digits(&s, 4, &Y) || *s++ != '-' || xsd_digits(&s, 2, &M) ||
	    *s++ != '-' || xsd_digits(&s, 2, &D) || *s++ != 'T' ||
	    xsd_digits(&s, 2, &h) || *s++ != ':' || xsd_digits(&s, 2, &m) ||
	    *s++ != ':' || xsd_digits(&s, 2, &sec))
		return -1;
	if (*s == '.') {
		s++;
		if (!isdigit((unsigned char)*s))
			return -1;
		while (isdigit((unsigned char)*s))
			s++;
	}
	if (*s == 'Z')
		s++;
	else if (*s == '+' || *s == '-') {
		sign = *s++ == '+' ? 1 : -1;
		if (xsd_digits(&s, 2, &zh) || *s++ != ':' ||
		    xsd_digits(&s, 2, &zm) || zh > 14 || zm > 59)
			return -1;
	}
	while (isspace((unsigned char)*s))
		s++;
	if (*s != '\0')
		return -1;
	if (Y < 1970 || M < 1 || M > 12 || D < 1 || D > 31 || h > 23 ||
	    m > 59 || sec > 60)
		return -1;
	memset(&tm, 0, sizeof(tm));
	tm.tm_year = Y - 1900;
	tm.tm_mon = M - 1;
	tm.tm_mday = D;
	tm.tm_hour = h;
	tm.tm_min = m;
	tm.tm_sec = sec;
	if ((t = timegm(&tm)) == (time_t)-1)
		return -1;
	t -= (time_t)sign * (zh * 3600 + zm * 60);
	*out = t;
	return 0;
}

int
xsd_format_datetime(time_t t, char *buf, size_t len)
{
	struct tm	tm;

	if (gmtime_r(&t, &tm) == NULL)
		return -1;
	if (strftime(buf, len, "%Y-%m-%dT%H:%M:%SZ", &tm) == 0)
		return -1;
	return 0;
}

xmlNodePtr
xsd_first_elem(xmlNodePtr parent)
{
	xmlNodePtr n;

	if (parent == NULL)
		return NULL;
	for (n = parent->children; n != NULL; n = n->next)
		if (n->type == XML_ELEMENT_NODE)
			return n;
	return NULL;
}

xmlNodePtr
xsd_next_elem(xmlNodePtr node)
{
	xmlNodePtr n;

	for (n = node->next; n != NULL; n = n->next)
		if (n->type == XML_ELEMENT_NODE)
			return n;
	return NULL;
}

int
xsd_elem_is(xmlNodePtr node, const char *name, const char *ns)
{
	if (node == NULL || node->type != XML_ELEMENT_NODE ||
	    strcmp((const char *)node->name, name) != 0)
		return 0;
	if (ns == NULL)
		return node->ns == NULL || node->ns->href == NULL;
	return node->ns != NULL && node->ns->href != NULL &&
	    strcmp((const char *)node->ns->href, ns) == 0;
}

char *
xsd_text(xmlNodePtr node)
{
	xmlChar	*c;
	char	*s;

	if ((c = xmlNodeGetContent(node)) == NULL)
		return strdup("");
	s = strdup((const char *)c);
	xmlFree(c);
	return s;
}
