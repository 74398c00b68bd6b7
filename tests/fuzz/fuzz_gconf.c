/*
 * fuzz_gconf.c: libFuzzer target for shared (and private) parameters of
 * the global configuration (gconf_parse: XML, schema validation, the
 * model and its indexes).
 * Input: an optional first line "3".."6" naming the version (else the
 * default), then the shared parameters, then optionally a NUL and the
 * private parameters. Seeds: tests/fuzz/corpus/gconf.
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "fuzz.h"
#include "globalconf.h"

int
LLVMFuzzerInitialize(int *argc, char ***argv)
{
	fuzz_quiet();
	return 0;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t len)
{
	struct gconf			*g = NULL;
	const struct gconf_member	*m;
	const struct gconf_server	*s;
	const uint8_t			*priv = NULL, *nul;
	size_t				 slen = len, plen = 0, n, i;
	unsigned char			*out = NULL;
	size_t				 outlen;
	char				 err[512];
	int				 version = 0;

	if (len >= 2 && data[0] >= '3' && data[0] <= '6' && data[1] == '\n') {
		version = data[0] - '0';
		data += 2;
		len -= 2;
		slen = len;
	}
	if ((nul = memchr(data, '\0', len)) != NULL) {
		slen = (size_t)(nul - data);
		priv = nul + 1;
		plen = len - slen - 1;
	}
	if (gconf_parse(&g, version, data, slen, priv, plen,
	    fuzz_schema_dir(), err, sizeof(err)) != 0)
		return 0;
	(void)gconf_instance(g);
	(void)gconf_ocsp_freshness(g);
	(void)gconf_ts_interval(g);
	(void)gconf_management(g);
	(void)gconf_member_classes(g, &n);
	(void)gconf_sources(g, &n);
	(void)gconf_cas(g, &n);
	(void)gconf_tsas(g, &n);
	(void)gconf_groups(g, &n);
	m = gconf_members(g, &n);
	(void)m;
	s = gconf_servers(g, &n);
	(void)s;
	for (i = 0; i < gconf_nanchors(g); i++)
		(void)gconf_anchor(g, i);
	/* The writer must cope with whatever the reader accepted. */
	if (gconf_write_shared(g, &out, &outlen, err, sizeof(err)) == 0)
		free(out);
	out = NULL;
	if (priv != NULL &&
	    gconf_write_private(g, &out, &outlen, err, sizeof(err)) == 0)
		free(out);
	gconf_free(g);
	return 0;
}
