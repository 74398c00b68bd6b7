/*
 * fuzz_util.c: helpers shared by the fuzz targets (fuzz.h).
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <libxml/parser.h>
#include <libxml/xmlerror.h>

#include "fuzz.h"
#include "log.h"

static void
xml_silent(void *ctx, const char *fmt, ...)
{
}

void
fuzz_quiet(void)
{
	xmlInitParser();
	xmlSetGenericErrorFunc(NULL, xml_silent);
	xmlSetStructuredErrorFunc(NULL, NULL);
	log_init("fuzz", 1, LOG_LEVEL_WARN);
}

char *
fuzz_strndup(const uint8_t *data, size_t len)
{
	char	*s;

	if (memchr(data, '\0', len) != NULL || (s = malloc(len + 1)) == NULL)
		return NULL;
	memcpy(s, data, len);
	s[len] = '\0';
	return s;
}

int
fuzz_ctype_line(const uint8_t *data, size_t len, char **line,
    const uint8_t **rest, size_t *restlen)
{
	const uint8_t	*nl, *p, *end = data + len;
	size_t		 n, skip;

	*line = NULL;
	if ((nl = memchr(data, '\n', len)) == NULL)
		return -1;
	p = data;
	n = (size_t)(nl - data);
	if (n > 0 && p[n - 1] == '\r')
		n--;
	skip = strlen("Content-Type:");
	if (n >= skip && strncasecmp((const char *)p, "Content-Type:",
	    skip) == 0) {
		p += skip;
		n -= skip;
	}
	while (n > 0 && (*p == ' ' || *p == '\t')) {
		p++;
		n--;
	}
	while (n > 0 && (p[n - 1] == ' ' || p[n - 1] == '\t'))
		n--;
	if ((*line = fuzz_strndup(p, n)) == NULL)
		return -1;
	nl++;
	if (nl < end && *nl == '\n')
		nl++;
	else if (end - nl >= 2 && nl[0] == '\r' && nl[1] == '\n')
		nl += 2;
	*rest = nl;
	*restlen = (size_t)(end - nl);
	return 0;
}

const char *
fuzz_schema_dir(void)
{
	const char	*d;

	if ((d = getenv("HK_FUZZ_SCHEMA_DIR")) != NULL && *d != '\0')
		return d;
	return HK_FUZZ_SCHEMA_DIR;
}
