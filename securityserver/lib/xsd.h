/*
 * xsd.h: safe reading of untrusted XML and validation against the
 * X-Road XML schemas shipped in $(pkgdatadir)/securityserver/schemas.
 *
 * Documents are parsed with XML_PARSE_NONET, without entity substitution
 * or DTD loading, and any document with a DOCTYPE is refused.
 */
#ifndef HK_XSD_H
#define HK_XSD_H

#include <stddef.h>
#include <time.h>

#include <libxml/tree.h>

/* Largest document xsd_read_doc accepts. */
#define XSD_DOC_MAX	(64 * 1024 * 1024)

struct xsd;

/*
 * Compile the schema at dir/rel (rel may contain '/'; imports resolve
 * relative to the file). Returns NULL with a message in err on failure.
 * The caller frees with xsd_free. A compiled schema may be used by several
 * threads at once.
 */
struct xsd	*xsd_load(const char *dir, const char *rel, char *err,
		    size_t errlen);
void		 xsd_free(struct xsd *);

/* Validate doc. Returns 0, or -1 with the first error in err. */
int		 xsd_validate(const struct xsd *, xmlDocPtr doc, char *err,
		    size_t errlen);

/*
 * Parse len bytes of XML (no DOCTYPE, no network, at most XSD_DOC_MAX).
 * Returns a document the caller frees with xmlFreeDoc, or NULL with a
 * message in err.
 */
xmlDocPtr	 xsd_read_doc(const void *buf, size_t len, char *err,
		    size_t errlen);

/*
 * Serialise doc as UTF-8 with an XML declaration, indented. *out is
 * NUL-terminated and freed by the caller with free(3). 0 / -1.
 */
int		 xsd_dump_doc(xmlDocPtr doc, unsigned char **out,
		    size_t *outlen);

/*
 * xs:dateTime <-> time_t. Parsing accepts YYYY-MM-DDThh:mm:ss with
 * optional fraction and a zone of Z, +hh:mm or -hh:mm (none = UTC).
 * Formatting writes UTC with 'Z'; buf needs XSD_DATETIME_LEN bytes.
 */
#define XSD_DATETIME_LEN	32
int		 xsd_parse_datetime(const char *s, time_t *out);
int		 xsd_format_datetime(time_t t, char *buf, size_t len);

/*
 * Small tree helpers for schema-validated documents.
 * xsd_first_elem / xsd_next_elem walk element children only.
 * xsd_elem_is: the element has this local name and namespace (ns NULL
 * for an unqualified element).
 * xsd_text: the element's text content as a string the caller frees
 * with free(3), or NULL (out of memory).
 */
xmlNodePtr	 xsd_first_elem(xmlNodePtr parent);
xmlNodePtr	 xsd_next_elem(xmlNodePtr node);
int		 xsd_elem_is(xmlNodePtr node, const char *name, const char *ns);
char		*xsd_text(xmlNodePtr node);

#endif /* HK_XSD_H */
