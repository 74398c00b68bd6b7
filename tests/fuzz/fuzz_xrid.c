/*
 * fuzz_xrid.c: libFuzzer target for X-Road identifiers: the slash form
 * (xrid_parse, xrid_parse_client), the documentation form
 * (xrid_parse_doc) and the XML form (xrid_from_xml on every element of
 * the input parsed as XML). An identifier that parses must format and
 * parse back to the same identifier.
 * Seeds: tests/fuzz/corpus/xrid.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <libxml/tree.h>

#include "fuzz.h"
#include "xrid.h"
#include "xsd.h"

#define ALL_TYPES (XRID_MASK(XRID_MEMBER) | XRID_MASK(XRID_SUBSYSTEM) | \
	XRID_MASK(XRID_SERVICE) | XRID_MASK(XRID_GLOBALGROUP) | \
	XRID_MASK(XRID_LOCALGROUP))

static void
fail(const char *what, const char *in, const char *out)
{
	fprintf(stderr, "xrid %s round trip: \"%s\" -> \"%s\"\n", what, in,
	    out);
	abort();
}

static void
slash(const char *s, unsigned mask, unsigned flags)
{
	struct xrid	id, back;
	char		out[XRID_STR_MAX * 3 + 1], err[XRID_ERR_MAX];

	if (xrid_parse(&id, mask, s, flags, err, sizeof(err)) != 0)
		return;
	if (xrid_validate(&id, flags, err, sizeof(err)) != 0)
		fail("validate", s, err);
	/* A service of a member without subsystem has no slash form. */
	if (xrid_format(&id, flags, out, sizeof(out)) != 0)
		return;
	if (xrid_parse(&back, mask, out, flags, err, sizeof(err)) != 0 ||
	    !xrid_equal(&id, &back))
		fail("slash", s, out);
	if (xrid_format_doc(&id, out, sizeof(out)) == 0 &&
	    (flags & XRID_F_PCT) == 0 &&
	    (xrid_parse_doc(&back, out, flags, err, sizeof(err)) != 0 ||
	    !xrid_equal(&id, &back)))
		fail("doc", s, out);
}

static void
doc(const char *s)
{
	struct xrid	id, back, m;
	char		out[XRID_STR_MAX + 1], err[XRID_ERR_MAX];

	if (xrid_parse_doc(&id, s, 0, err, sizeof(err)) != 0 &&
	    xrid_parse_doc(&id, s, XRID_F_LAX, err, sizeof(err)) != 0)
		return;
	if (xrid_format_doc(&id, out, sizeof(out)) != 0)
		fail("format_doc", s, "(failed)");
	if (xrid_parse_doc(&back, out, XRID_F_LAX, err, sizeof(err)) != 0 ||
	    !xrid_equal(&id, &back))
		fail("doc", s, out);
	(void)xrid_member(&id, &m);
	if (id.type == XRID_SERVICE) {
		(void)xrid_service_provider(&id, &m);
		xrid_service_unversioned(&id, &back);
	}
}

static void
xml(const uint8_t *data, size_t len)
{
	xmlDocPtr	 d, d2;
	xmlNodePtr	 n, root, cp;
	struct xrid	 id, back;
	char		 err[XRID_ERR_MAX];
	unsigned	 t;

	if ((d = xsd_read_doc(data, len, err, sizeof(err))) == NULL)
		return;
	/* Every element of the first two levels, with every type mask. */
	for (root = xmlDocGetRootElement(d); root != NULL; root = root->next) {
		for (n = root; n != NULL;
		    n = n == root ? root->children : n->next) {
			if (n->type != XML_ELEMENT_NODE)
				continue;
			for (t = XRID_MEMBER; t <= XRID_LOCALGROUP; t++) {
				if (xrid_from_xml(&id, n, XRID_MASK(t), err,
				    sizeof(err)) != 0)
					continue;
				/* It must write back and read back the same. */
				if ((d2 = xmlNewDoc(BAD_CAST "1.0")) == NULL)
					continue;
				cp = xmlNewDocNode(d2, NULL, BAD_CAST "r", NULL);
				if (cp != NULL) {
					xmlDocSetRootElement(d2, cp);
					if ((cp = xrid_to_xml(&id, cp,
					    XRID_NS_XROAD, "xrd", "id")) != NULL &&
					    (xrid_from_xml(&back, cp,
					    XRID_MASK(t), err, sizeof(err)) != 0 ||
					    !xrid_equal(&id, &back)))
						fail("xml", "(element)", err);
				}
				xmlFreeDoc(d2);
			}
		}
	}
	xmlFreeDoc(d);
}

int
LLVMFuzzerInitialize(int *argc, char ***argv)
{
	fuzz_quiet();
	return 0;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t len)
{
	struct xrid	 id;
	char		*s, err[XRID_ERR_MAX], pct[XRID_STR_MAX * 3 + 1];
	unsigned	 f;

	if ((s = fuzz_strndup(data, len)) != NULL) {
		for (f = 0; f <= (XRID_F_PCT | XRID_F_LAX); f++) {
			slash(s, ALL_TYPES, f);
			slash(s, XRID_MASK(XRID_SERVER), f);
			(void)xrid_parse_client(&id, s, f, err, sizeof(err));
		}
		doc(s);
		(void)xrid_check_part(s, 0, err, sizeof(err));
		(void)xrid_pct_encode(s, pct, sizeof(pct));
		(void)xrid_pct_decode(s, strlen(s), pct, sizeof(pct));
		(void)xrid_type_parse(s, &id.type);
		free(s);
	}
	xml(data, len);
	return 0;
}
