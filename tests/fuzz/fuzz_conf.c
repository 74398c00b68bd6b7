/*
 * fuzz_conf.c: libFuzzer target for the INI parser (conf_load_string)
 * with a small table holding every option type, a secret and a wildcard
 * section. A configuration that loads is printed, loaded back and
 * printed again: both prints must be the same (conf.h promises that
 * conf_print output loads back to the same values).
 * Seeds: tests/fuzz/corpus/conf.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "conf.h"
#include "fuzz.h"

static const char *const levels[] = { "warn", "info", "debug", NULL };

static const struct conf_option table[] = {
	{ "server", "port", CONF_INT, "5500", 1, 65535, NULL, 0, "port" },
	{ "server", "name", CONF_STRING, NULL, 0, 0, NULL, 0, "name" },
	{ "server", "verbose", CONF_BOOL, "no", 0, 0, NULL, 0, "verbose" },
	{ "server", "timeout", CONF_DURATION, "30s", 1, 86400, NULL, 0,
	    "timeout" },
	{ "server", "max-body", CONF_SIZE, "1M", 1, 1024 * 1024 * 1024, NULL,
	    0, "body cap" },
	{ "server", "log-level", CONF_ENUM, "info", 0, 0, levels, 0,
	    "log level" },
	{ "server", "state-dir", CONF_PATH, "/var/lib/x", 0, 0, NULL, 0,
	    "state" },
	{ "database", "password", CONF_STRING, NULL, 0, 0, NULL, CONF_SECRET,
	    "password" },
	{ "database", "size", CONF_SIZE, NULL, 0, 0, NULL, 0, "size" },
	{ "service *", "url", CONF_STRING, NULL, 0, 0, NULL, CONF_REQUIRED,
	    "url" },
	{ "service *", "timeout", CONF_DURATION, "5m", 0, 0, NULL, 0,
	    "timeout" },
	{ "service *", "count", CONF_INT, "1", -5, 5, NULL, 0, "count" },
	CONF_OPTION_END
};

/* conf_print into a malloc(3)ed string. */
static char *
print(const struct conf *c)
{
	FILE	*f;
	char	*s = NULL;
	size_t	 n = 0;

	if ((f = open_memstream(&s, &n)) == NULL)
		return NULL;
	conf_print(c, f);
	if (fclose(f) != 0) {
		free(s);
		return NULL;
	}
	return s;
}

static void
walk(const struct conf *c)
{
	const struct conf_option	*o;
	size_t				 i, n;
	const char			*sec;

	for (o = table; o->co_section != NULL; o++) {
		if (strchr(o->co_section, '*') != NULL)
			continue;
		(void)conf_isset(c, o->co_section, o->co_key);
		(void)conf_line(c, o->co_section, o->co_key);
	}
	(void)conf_get_int(c, "server", "port");
	(void)conf_get_str(c, "server", "name");
	(void)conf_get_bool(c, "server", "verbose");
	(void)conf_get_duration(c, "server", "timeout");
	(void)conf_get_size(c, "server", "max-body");
	(void)conf_get_enum(c, "server", "log-level");
	(void)conf_get_str(c, "server", "state-dir");
	(void)conf_get_size(c, "database", "size");
	n = conf_section_count(c, "service *");
	for (i = 0; i < n; i++) {
		sec = conf_section_name(c, "service *", i);
		(void)conf_section_instance(c, "service *", i);
		(void)conf_get_str(c, sec, "url");
		(void)conf_get_duration(c, sec, "timeout");
		(void)conf_get_int(c, sec, "count");
	}
}

int
LLVMFuzzerInitialize(int *argc, char ***argv)
{
	char	err[256];

	fuzz_quiet();
	if (conf_table_validate(table, err, sizeof(err)) != 0) {
		fprintf(stderr, "fuzz_conf: bad table: %s\n", err);
		abort();
	}
	return 0;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t len)
{
	struct conf	*c = NULL, *c2 = NULL;
	char		*text, *p1 = NULL, *p2 = NULL;
	char		 err[512];

	if ((text = fuzz_strndup(data, len)) == NULL)
		return 0;
	if (conf_load_string(table, "fuzz.conf", text, &c, err,
	    sizeof(err)) == 0) {
		walk(c);
		if ((p1 = print(c)) != NULL) {
			if (conf_load_string(table, "print.conf", p1, &c2, err,
			    sizeof(err)) != 0) {
				fprintf(stderr, "printed config does not load: "
				    "%s\n---\n%s---\n", err, p1);
				abort();
			}
			if ((p2 = print(c2)) != NULL && strcmp(p1, p2) != 0) {
				fprintf(stderr, "print changes on reload:\n"
				    "---\n%s---\n%s---\n", p1, p2);
				abort();
			}
		}
	}
	free(p2);
	free(p1);
	conf_free(c2);
	conf_free(c);
	free(text);
	return 0;
}
