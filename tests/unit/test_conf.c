/*
 * Unit tests for conf.c: the table-driven INI parser. Also loads every
 * file in tests/conf-bad/ (configs that must be rejected); each starts
 * with "# expect: TEXT" and the error must contain TEXT.
 */
#include "config.h"

#include <sys/stat.h>

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "compat.h"
#include "conf.h"
#include "hk_check.h"

static const char *const levels[] = { "warn", "info", "debug", NULL };

/* The table every test (and every file in tests/conf-bad/) uses. */
static const struct conf_option tbl[] = {
	{ "server", "name", CONF_STRING, "hukumati", 0, 0, NULL, 0,
	    "server name" },
	{ "server", "port", CONF_INT, "5500", 1, 65535, NULL, 0,
	    "listen port" },
	{ "server", "offset", CONF_INT, "0", -10, 10, NULL, 0,
	    "a signed number" },
	{ "server", "count", CONF_INT, "7", 0, 0, NULL, 0,
	    "an unbounded number" },
	{ "server", "verbose", CONF_BOOL, "no", 0, 0, NULL, 0,
	    "more logging" },
	{ "server", "timeout", CONF_DURATION, "30s", 1, 86400, NULL, 0,
	    "request time limit" },
	{ "server", "max-body", CONF_SIZE, "1M", 1024, 1024LL * 1024 * 1024,
	    NULL, 0, "largest request body" },
	{ "server", "log-level", CONF_ENUM, "info", 0, 0, levels, 0,
	    "logging verbosity" },
	{ "server", "state-dir", CONF_PATH, "/var/lib/hukumati", 0, 0, NULL,
	    0, "state directory" },
	{ "server", "motd", CONF_STRING, NULL, 0, 0, NULL, 0,
	    "message of the day" },
	{ "database", "password", CONF_STRING, NULL, 0, 0, NULL, CONF_SECRET,
	    "database password" },
	{ "database", "pin", CONF_INT, "1234", 0, 9999, NULL, CONF_SECRET,
	    "a secret number" },
	{ "service *", "url", CONF_STRING, NULL, 0, 0, NULL, CONF_REQUIRED,
	    "address of the service" },
	{ "service *", "timeout", CONF_DURATION, "10s", 1, 3600, NULL, 0,
	    "time limit for this service" },
	{ "service *", "enabled", CONF_BOOL, "yes", 0, 0, NULL, 0,
	    "whether the service is offered" },
	{ "client *", "token", CONF_STRING, NULL, 0, 0, NULL, CONF_SECRET,
	    "client access token" },
	CONF_OPTION_END
};

static char	err[1024];

/* Load text that must be accepted. */
static struct conf *
load_ok(const char *text)
{
	struct conf	*cf = NULL;
	int		 rc;

	err[0] = '\0';
	rc = conf_load_string(tbl, "t.conf", text, &cf, err, sizeof(err));
	ck_assert_msg(rc == 0, "rejected: %s", err);
	ck_assert_ptr_nonnull(cf);
	return cf;
}

/* Load text that must be rejected with an error containing want. */
static void
load_bad(const char *text, const char *want)
{
	struct conf	*cf = (struct conf *)&cf;

	err[0] = '\0';
	ck_assert_int_eq(conf_load_string(tbl, "t.conf", text, &cf, err,
	    sizeof(err)), -1);
	ck_assert_ptr_null(cf);
	ck_assert_msg(strstr(err, want) != NULL, "error \"%s\" lacks \"%s\"",
	    err, want);
}

START_TEST(test_defaults)
{
	struct conf	*cf = load_ok("");

	ck_assert_str_eq(conf_get_str(cf, "server", "name"), "hukumati");
	ck_assert_int_eq(conf_get_int(cf, "server", "port"), 5500);
	ck_assert_int_eq(conf_get_bool(cf, "server", "verbose"), 0);
	ck_assert_int_eq(conf_get_duration(cf, "server", "timeout"), 30);
	ck_assert_uint_eq(conf_get_size(cf, "server", "max-body"), 1048576);
	ck_assert_int_eq(conf_get_enum(cf, "server", "log-level"), 1);
	ck_assert_str_eq(conf_get_str(cf, "server", "log-level"), "info");
	ck_assert_str_eq(conf_get_str(cf, "server", "state-dir"),
	    "/var/lib/hukumati");
	ck_assert_ptr_null(conf_get_str(cf, "server", "motd"));
	ck_assert_int_eq(conf_isset(cf, "server", "motd"), 0);
	ck_assert_int_eq(conf_isset(cf, "server", "port"), 1);
	ck_assert_int_eq(conf_line(cf, "server", "port"), 0);
	ck_assert_ptr_null(conf_get_str(cf, "database", "password"));
	ck_assert_int_eq(conf_get_int(cf, "database", "pin"), 1234);
	ck_assert_str_eq(conf_name(cf), "t.conf");
	ck_assert_uint_eq(conf_section_count(cf, "service *"), 0);
	conf_free(cf);
	conf_free(NULL);
}
END_TEST

START_TEST(test_all_types)
{
	struct conf	*cf = load_ok(
	    "[server]\n"
	    "name = الخادم\n"
	    "port = 8080\n"
	    "offset = -10\n"
	    "count = -9223372036854775808\n"
	    "verbose = yes\n"
	    "timeout = 5m\n"
	    "max-body = 64K\n"
	    "log-level = debug\n"
	    "state-dir = /srv/hk state\n"
	    "motd = hello # not a comment ; at all\n"
	    "[database]\n"
	    "password = s3cret\n");

	ck_assert_str_eq(conf_get_str(cf, "server", "name"), "الخادم");
	ck_assert_int_eq(conf_get_int(cf, "server", "port"), 8080);
	ck_assert_int_eq(conf_line(cf, "server", "port"), 3);
	ck_assert_int_eq(conf_get_int(cf, "server", "offset"), -10);
	ck_assert(conf_get_int(cf, "server", "count") == LLONG_MIN);
	ck_assert_int_eq(conf_get_bool(cf, "server", "verbose"), 1);
	ck_assert_int_eq(conf_get_duration(cf, "server", "timeout"), 300);
	ck_assert_uint_eq(conf_get_size(cf, "server", "max-body"), 65536);
	ck_assert_int_eq(conf_get_enum(cf, "server", "log-level"), 2);
	ck_assert_str_eq(conf_get_str(cf, "server", "state-dir"),
	    "/srv/hk state");
	ck_assert_str_eq(conf_get_str(cf, "server", "motd"),
	    "hello # not a comment ; at all");
	ck_assert_str_eq(conf_get_str(cf, "database", "password"), "s3cret");
	conf_free(cf);
}
END_TEST

START_TEST(test_bool_values)
{
	static const struct {
		const char	*text;
		int		 val;
	} cases[] = {
		{ "yes", 1 }, { "no", 0 }, { "true", 1 }, { "false", 0 },
		{ "1", 1 }, { "0", 0 }, { "YES", 1 }, { "False", 0 },
	};
	struct conf	*cf;
	char		 text[128];
	size_t		 i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		(void)snprintf(text, sizeof(text), "[server]\nverbose = %s\n",
		    cases[i].text);
		cf = load_ok(text);
		ck_assert_int_eq(conf_get_bool(cf, "server", "verbose"),
		    cases[i].val);
		conf_free(cf);
	}
	load_bad("[server]\nverbose = on\n",
	    "t.conf:2: [server] verbose: bad value \"on\": not a boolean");
	load_bad("[server]\nverbose = 2\n", "not a boolean");
	load_bad("[server]\nverbose =\n", "not a boolean");
}
END_TEST

START_TEST(test_int_bounds)
{
	struct conf	*cf;

	cf = load_ok("[server]\nport = 1\noffset = 10\n");
	ck_assert_int_eq(conf_get_int(cf, "server", "port"), 1);
	ck_assert_int_eq(conf_get_int(cf, "server", "offset"), 10);
	conf_free(cf);
	cf = load_ok("[server]\nport = 65535\ncount = 9223372036854775807\n");
	ck_assert_int_eq(conf_get_int(cf, "server", "port"), 65535);
	ck_assert(conf_get_int(cf, "server", "count") == LLONG_MAX);
	conf_free(cf);
	load_bad("[server]\nport = 0\n",
	    "t.conf:2: [server] port: bad value \"0\": out of range 1..65535");
	load_bad("[server]\nport = 65536\n", "out of range 1..65535");
	load_bad("[server]\noffset = -11\n", "out of range -10..10");
	load_bad("[server]\ncount = 9223372036854775808\n", "out of range");
	load_bad("[server]\nport = 99999999999999999999999\n",
	    "out of range");
	load_bad("[server]\nport = 80x\n", "not an integer");
	load_bad("[server]\nport = +80\n", "not an integer");
	load_bad("[server]\nport = 0x50\n", "not an integer");
	load_bad("[server]\nport = 8 0\n", "not an integer");
	load_bad("[server]\nport =\n", "not an integer");
	load_bad("[server]\nport = 80 # http\n", "not an integer");
	load_bad("[server]\nport = -\n", "not an integer");
}
END_TEST

START_TEST(test_duration_suffixes)
{
	static const struct {
		const char	*text;
		long long	 secs;
	} cases[] = {
		{ "90", 90 }, { "90s", 90 }, { "5m", 300 }, { "2h", 7200 },
		{ "1d", 86400 }, { "1440m", 86400 }, { "1", 1 },
	};
	struct conf	*cf;
	char		 text[128];
	size_t		 i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		(void)snprintf(text, sizeof(text), "[server]\ntimeout = %s\n",
		    cases[i].text);
		cf = load_ok(text);
		ck_assert_int_eq(conf_get_duration(cf, "server", "timeout"),
		    cases[i].secs);
		conf_free(cf);
	}
	load_bad("[server]\ntimeout = 0\n", "out of range 1..86400 seconds");
	load_bad("[server]\ntimeout = 2d\n", "out of range 1..86400 seconds");
	load_bad("[server]\ntimeout = 86401\n", "out of range");
	load_bad("[server]\ntimeout = 5M\n", "not a duration");
	load_bad("[server]\ntimeout = 5w\n", "not a duration");
	load_bad("[server]\ntimeout = 5 m\n", "not a duration");
	load_bad("[server]\ntimeout = 5ms\n", "not a duration");
	load_bad("[server]\ntimeout = -5\n", "not a duration");
	load_bad("[server]\ntimeout = m\n", "not a duration");
	/* Overflow in the multiplication is a range error, not a wrap. */
	load_bad("[server]\ntimeout = 999999999999999999d\n", "out of range");
}
END_TEST

START_TEST(test_size_suffixes)
{
	static const struct {
		const char	*text;
		size_t		 bytes;
	} cases[] = {
		{ "1024", 1024 }, { "1K", 1024 }, { "1k", 1024 },
		{ "64K", 65536 }, { "3M", 3145728 }, { "1G", 1073741824 },
		{ "1g", 1073741824 },
	};
	struct conf	*cf;
	char		 text[128];
	size_t		 i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		(void)snprintf(text, sizeof(text), "[server]\nmax-body = %s\n",
		    cases[i].text);
		cf = load_ok(text);
		ck_assert_uint_eq(conf_get_size(cf, "server", "max-body"),
		    cases[i].bytes);
		conf_free(cf);
	}
	load_bad("[server]\nmax-body = 1023\n",
	    "out of range 1024..1073741824 bytes");
	load_bad("[server]\nmax-body = 2G\n", "out of range");
	load_bad("[server]\nmax-body = 1.5M\n", "not a size");
	load_bad("[server]\nmax-body = 1MB\n", "not a size");
	load_bad("[server]\nmax-body = 1T\n", "not a size");
	load_bad("[server]\nmax-body = 99999999999G\n", "out of range");
}
END_TEST

START_TEST(test_enum_and_path)
{
	load_bad("[server]\nlog-level = verbose\n",
	    "not one of: warn, info, debug");
	load_bad("[server]\nlog-level = INFO\n", "not one of");
	load_bad("[server]\nstate-dir =\n", "t.conf:2: [server] state-dir: "
	    "bad value \"\": empty path");
	load_bad("[server]\nstate-dir = \"\"\n", "empty path");
}
END_TEST

START_TEST(test_quoted_values)
{
	struct conf	*cf = load_ok(
	    "[server]\n"
	    "name = \"  spaced # kept ; \\\"q\\\" \\\\ \"\n"
	    "motd = \"\"\n"
	    "state-dir = \"/a b/\"\n"
	    "port = \"443\"\n");

	ck_assert_str_eq(conf_get_str(cf, "server", "name"),
	    "  spaced # kept ; \"q\" \\ ");
	ck_assert_str_eq(conf_get_str(cf, "server", "motd"), "");
	ck_assert_int_eq(conf_isset(cf, "server", "motd"), 1);
	ck_assert_str_eq(conf_get_str(cf, "server", "state-dir"), "/a b/");
	ck_assert_int_eq(conf_get_int(cf, "server", "port"), 443);
	conf_free(cf);

	/* A quote inside an unquoted value is just a character. */
	cf = load_ok("[server]\nname = say \"hi\"\n");
	ck_assert_str_eq(conf_get_str(cf, "server", "name"), "say \"hi\"");
	conf_free(cf);

	load_bad("[server]\n\nname = \"open\n",
	    "t.conf:3: [server] name: unterminated quoted value");
	load_bad("[server]\nname = \"a\\nb\"\n", "bad escape");
	load_bad("[server]\nname = \"a\" b\n", "text after closing quote");
	load_bad("[server]\nname = \"a\\\"\n", "unterminated");
}
END_TEST

START_TEST(test_comments_and_whitespace)
{
	struct conf	*cf = load_ok(
	    "\xef\xbb\xbf# leading BOM and comment\r\n"
	    "; another comment\r\n"
	    "\r\n"
	    "   [ server ]   \r\n"
	    "\t# indented comment\n"
	    "  port=81  \r\n"
	    "name\t=\tx y\t\n"
	    "motd = last line without newline");

	ck_assert_int_eq(conf_get_int(cf, "server", "port"), 81);
	ck_assert_int_eq(conf_line(cf, "server", "port"), 6);
	ck_assert_str_eq(conf_get_str(cf, "server", "name"), "x y");
	ck_assert_str_eq(conf_get_str(cf, "server", "motd"),
	    "last line without newline");
	conf_free(cf);
}
END_TEST

START_TEST(test_unknown_and_syntax)
{
	load_bad("# c\n[server]\nport = 1\n\nbogus = 2\n",
	    "t.conf:5: unknown key bogus in [server]");
	load_bad("[server]\n[nosuch]\n", "t.conf:2: unknown section [nosuch]");
	/* A wildcard needs something after its prefix. */
	load_bad("[service]\n", "t.conf:1: unknown section [service]");
	load_bad("[service ]\n", "unknown section [service]");
	/* Sections and keys are case-sensitive. */
	load_bad("[Server]\n", "unknown section [Server]");
	load_bad("[server]\nPort = 1\n", "unknown key Port");
	/* A key of another section is unknown here. */
	load_bad("[database]\nport = 1\n", "unknown key port in [database]");
	load_bad("port = 1\n", "t.conf:1: key port outside a section");
	load_bad("[server]\nport 1\n", "t.conf:2: expected \"key = value\"");
	load_bad("[server\n", "t.conf:1: section header must end with ']'");
	load_bad("[]\n", "bad section name");
	load_bad("[a]b]\n", "bad section name");
	load_bad("[server]\n= 5\n", "t.conf:2: bad key name");
	load_bad("[server]\nmy key = 5\n", "bad key name");
}
END_TEST

START_TEST(test_duplicates)
{
	load_bad("[server]\nport = 1\nname = a\nport = 2\n",
	    "t.conf:4: duplicate key port in [server] (first at line 2)");
	load_bad("[server]\nport = 1\n[database]\n[server]\nname = x\n",
	    "t.conf:4: duplicate section [server] (first at line 1)");
	load_bad("[service a]\nurl = x\n[service a]\nurl = y\n",
	    "t.conf:3: duplicate section [service a] (first at line 1)");
}
END_TEST

START_TEST(test_secret_redaction)
{
	struct conf	*cf;
	char		*out = NULL;
	size_t		 outlen = 0;
	FILE		*fp;

	cf = load_ok("[database]\npassword = hunter2-secret\npin = 4321\n"
	    "[client GOV/MOF]\ntoken = tok-very-secret\n");
	ck_assert_str_eq(conf_get_str(cf, "database", "password"),
	    "hunter2-secret");
	ck_assert_int_eq(conf_get_int(cf, "database", "pin"), 4321);
	fp = open_memstream(&out, &outlen);
	ck_assert_ptr_nonnull(fp);
	conf_print(cf, fp);
	fclose(fp);
	ck_assert_ptr_null(strstr(out, "hunter2"));
	ck_assert_ptr_null(strstr(out, "4321"));
	ck_assert_ptr_null(strstr(out, "tok-very"));
	ck_assert_ptr_nonnull(strstr(out, "[database]\npassword = ********\n"
	    "pin = ********\n"));
	ck_assert_ptr_nonnull(strstr(out, "[client GOV/MOF]\n"
	    "token = ********\n"));
	ck_assert_ptr_nonnull(strstr(out, "port = 5500\n"));
	ck_assert_ptr_nonnull(strstr(out, "# motd is not set\n"));
	free(out);
	conf_free(cf);

	/* A bad secret value is not echoed in the error. */
	load_bad("[database]\npin = 99999\n",
	    "t.conf:2: [database] pin: bad value: out of range");
	ck_assert_ptr_null(strstr(err, "99999"));
	load_bad("[database]\npin = \"s3cr\\et\"\n", "bad escape");
	ck_assert_ptr_null(strstr(err, "s3cr"));
}
END_TEST

/* Drop the redacted lines so printed output can be loaded again. */
static void
drop_redacted(char *text)
{
	char	*line = text, *nl, *w = text;
	size_t	 len;

	while (*line != '\0') {
		nl = strchr(line, '\n');
		len = nl != NULL ? (size_t)(nl - line) + 1 : strlen(line);
		if (memmem(line, len, "= ********", 10) == NULL) {
			memmove(w, line, len);
			w += len;
		}
		line += len;
	}
	*w = '\0';
}

START_TEST(test_print_round_trip)
{
	struct conf	*cf, *cf2;
	char		*out = NULL, *out2 = NULL;
	size_t		 len = 0, len2 = 0;
	FILE		*fp;

	cf = load_ok("[server]\nname = \" two  spaces \"\nmotd = \"\"\n"
	    "state-dir = \"\\\"quote\\\"d\\\\\"\n"
	    "timeout = 2h\n[service X/Y]\nurl = http://127.0.0.1:1/\n");
	ck_assert_str_eq(conf_get_str(cf, "server", "state-dir"),
	    "\"quote\"d\\");
	fp = open_memstream(&out, &len);
	conf_print(cf, fp);
	fclose(fp);
	drop_redacted(out);
	cf2 = load_ok(out);
	ck_assert_str_eq(conf_get_str(cf2, "server", "name"),
	    " two  spaces ");
	ck_assert_str_eq(conf_get_str(cf2, "server", "motd"), "");
	ck_assert_str_eq(conf_get_str(cf2, "server", "state-dir"),
	    "\"quote\"d\\");
	ck_assert_int_eq(conf_get_duration(cf2, "server", "timeout"), 7200);
	fp = open_memstream(&out2, &len2);
	conf_print(cf2, fp);
	fclose(fp);
	drop_redacted(out2);
	ck_assert_str_eq(out, out2);
	free(out);
	free(out2);
	conf_free(cf);
	conf_free(cf2);
}
END_TEST

START_TEST(test_wildcard_sections)
{
	struct conf	*cf = load_ok(
	    "[service GOV/MOI/CIVIL-REGISTER/getPerson]\n"
	    "url = http://127.0.0.1:8081/person\n"
	    "timeout = 2m\n"
	    "[server]\n"
	    "port = 1\n"
	    "[service GOV/MOT/LICENCES/getLicence]\n"
	    "url = http://127.0.0.1:8082/licence\n"
	    "enabled = no\n"
	    "[client GOV/MOF]\n"
	    "token = t\n");

	ck_assert_uint_eq(conf_section_count(cf, "service *"), 2);
	ck_assert_uint_eq(conf_section_count(cf, "client *"), 1);
	ck_assert_str_eq(conf_section_name(cf, "service *", 0),
	    "service GOV/MOI/CIVIL-REGISTER/getPerson");
	ck_assert_str_eq(conf_section_instance(cf, "service *", 0),
	    "GOV/MOI/CIVIL-REGISTER/getPerson");
	ck_assert_str_eq(conf_section_instance(cf, "service *", 1),
	    "GOV/MOT/LICENCES/getLicence");
	ck_assert_str_eq(conf_section_instance(cf, "client *", 0), "GOV/MOF");
	ck_assert_str_eq(conf_get_str(cf,
	    "service GOV/MOI/CIVIL-REGISTER/getPerson", "url"),
	    "http://127.0.0.1:8081/person");
	ck_assert_int_eq(conf_get_duration(cf,
	    "service GOV/MOI/CIVIL-REGISTER/getPerson", "timeout"), 120);
	ck_assert_int_eq(conf_get_bool(cf,
	    "service GOV/MOI/CIVIL-REGISTER/getPerson", "enabled"), 1);
	/* Instance values are separate; defaults fill the gaps. */
	ck_assert_int_eq(conf_get_duration(cf,
	    "service GOV/MOT/LICENCES/getLicence", "timeout"), 10);
	ck_assert_int_eq(conf_get_bool(cf,
	    "service GOV/MOT/LICENCES/getLicence", "enabled"), 0);
	ck_assert_int_eq(conf_line(cf,
	    "service GOV/MOT/LICENCES/getLicence", "enabled"), 8);
	/* An instance not in the file has the table defaults. */
	ck_assert_int_eq(conf_get_duration(cf, "service OTHER", "timeout"),
	    10);
	ck_assert_ptr_null(conf_get_str(cf, "service OTHER", "url"));
	ck_assert_int_eq(conf_get_int(cf, "server", "port"), 1);
	conf_free(cf);

	/* Required key missing in one instance: reported at its header. */
	load_bad("[service A]\nurl = x\n\n[service B]\ntimeout = 1\n",
	    "t.conf:4: [service B] url is required");
	/* Values are checked per instance with the wildcard's bounds. */
	load_bad("[service A]\nurl = x\ntimeout = 2h\n",
	    "t.conf:3: [service A] timeout: bad value \"2h\": out of range "
	    "1..3600");
	load_bad("[service A]\nurl = x\nport = 1\n",
	    "t.conf:3: unknown key port in [service A]");
}
END_TEST

START_TEST(test_required_fixed)
{
	static const struct conf_option req[] = {
		{ "db", "path", CONF_PATH, NULL, 0, 0, NULL, CONF_REQUIRED,
		    "database file" },
		CONF_OPTION_END
	};
	struct conf	*cf = NULL;

	ck_assert_int_eq(conf_load_string(req, "r.conf", "", &cf, err,
	    sizeof(err)), -1);
	ck_assert_str_eq(err, "r.conf: [db] path is required");
	ck_assert_int_eq(conf_load_string(req, "r.conf", "[db]\n", &cf, err,
	    sizeof(err)), -1);
	ck_assert_str_eq(err, "r.conf:1: [db] path is required");
	ck_assert_int_eq(conf_load_string(req, "r.conf",
	    "[db]\npath = /x.db\n", &cf, err, sizeof(err)), 0);
	ck_assert_str_eq(conf_get_str(cf, "db", "path"), "/x.db");
	conf_free(cf);
	/* A NULL error buffer is allowed. */
	ck_assert_int_eq(conf_load_string(req, NULL, "", &cf, NULL, 0), -1);
}
END_TEST

START_TEST(test_line_limits)
{
	char	*text, *big;
	size_t	 hdr = strlen("[server]\nname = ");
	struct conf *cf;

	/* "name = " plus value: exactly CONF_MAX_LINE bytes is fine. */
	text = malloc(hdr + CONF_MAX_LINE + 16);
	ck_assert_ptr_nonnull(text);
	memcpy(text, "[server]\nname = ", hdr);
	memset(text + hdr, 'a', CONF_MAX_LINE - 7);
	memcpy(text + hdr + CONF_MAX_LINE - 7, "\n", 2);
	cf = load_ok(text);
	ck_assert_uint_eq(strlen(conf_get_str(cf, "server", "name")),
	    CONF_MAX_LINE - 7);
	conf_free(cf);
	/* One more byte is not, and the line number is right. */
	memset(text + hdr, 'a', CONF_MAX_LINE - 6);
	memcpy(text + hdr + CONF_MAX_LINE - 6, "\n", 2);
	load_bad(text, "t.conf:2: line too long (max 4096 bytes)");
	free(text);

	/* Whole input over the file cap. */
	big = malloc(CONF_MAX_FILE + 2);
	ck_assert_ptr_nonnull(big);
	memset(big, '\n', CONF_MAX_FILE + 1);
	big[CONF_MAX_FILE + 1] = '\0';
	load_bad(big, "t.conf: file too large");
	big[CONF_MAX_FILE] = '\0';
	cf = load_ok(big);
	conf_free(cf);
	free(big);
}
END_TEST

START_TEST(test_utf8_and_control)
{
	struct conf	*cf = load_ok("[server]\nname = Hébron ✓ 😀 القدس\n");

	ck_assert_str_eq(conf_get_str(cf, "server", "name"),
	    "Hébron ✓ 😀 القدس");
	conf_free(cf);
	load_bad("[server]\nname = caf\xe9\n", "t.conf:2: invalid UTF-8");
	/* Overlong forms, a surrogate, past U+10FFFF, a cut sequence. */
	load_bad("[server]\nname = \xc0\xaf\n", "invalid UTF-8");
	load_bad("[server]\nname = \xe0\x80\xaf\n", "invalid UTF-8");
	load_bad("[server]\nname = \xf0\x80\x80\xaf\n", "invalid UTF-8");
	load_bad("[server]\nname = \xed\xa0\x80\n", "invalid UTF-8");
	load_bad("[server]\nname = \xf4\x90\x80\x80\n", "invalid UTF-8");
	load_bad("[server]\nname = \xe2\x9c\n", "invalid UTF-8");
	load_bad("[server]\nname = a\x01z\n",
	    "t.conf:2: NUL or control character");
	load_bad("[server]\nname = a\rz\n", "control character");
	load_bad("[server]\nname = a\x7fz\n", "control character");
}
END_TEST

static char	tmpdir[64];

static void
tmp_setup(void)
{
	(void)strlcpy(tmpdir, "/tmp/hk-conf-XXXXXX", sizeof(tmpdir));
	ck_assert_ptr_nonnull(mkdtemp(tmpdir));
}

static void
write_file(const char *path, const void *data, size_t len)
{
	FILE	*fp = fopen(path, "wb");

	ck_assert_ptr_nonnull(fp);
	ck_assert_uint_eq(fwrite(data, 1, len, fp), len);
	ck_assert_int_eq(fclose(fp), 0);
}

#define WRITE_LIT(path, lit)	write_file(path, lit, sizeof(lit) - 1)

START_TEST(test_load_file)
{
	struct conf	*cf = NULL;
	char		 path[128], path2[256];
	char		*big;

	tmp_setup();
	(void)snprintf(path, sizeof(path), "%s/hk.conf", tmpdir);
	WRITE_LIT(path, "[server]\nport = 99\n");
	ck_assert_int_eq(conf_load_file(tbl, path, &cf, err, sizeof(err)), 0);
	ck_assert_int_eq(conf_get_int(cf, "server", "port"), 99);
	ck_assert_str_eq(conf_name(cf), path);
	conf_free(cf);

	/* Errors carry the path. */
	WRITE_LIT(path, "[server]\nport = 0\n");
	ck_assert_int_eq(conf_load_file(tbl, path, &cf, err, sizeof(err)),
	    -1);
	ck_assert_ptr_null(cf);
	(void)snprintf(path2, sizeof(path2), "%s:2: [server] port", path);
	ck_assert_msg(strncmp(err, path2, strlen(path2)) == 0, "%s", err);

	/* A NUL byte in a file is rejected (text stops nowhere early). */
	WRITE_LIT(path, "[server]\nname = a\0b\nport = 0\n");
	ck_assert_int_eq(conf_load_file(tbl, path, &cf, err, sizeof(err)),
	    -1);
	ck_assert_msg(strstr(err, ":2: NUL or control") != NULL, "%s", err);

	/* Too large. */
	big = malloc(CONF_MAX_FILE + 1);
	memset(big, '#', CONF_MAX_FILE + 1);
	write_file(path, big, CONF_MAX_FILE + 1);
	free(big);
	ck_assert_int_eq(conf_load_file(tbl, path, &cf, err, sizeof(err)),
	    -1);
	ck_assert_msg(strstr(err, "file too large") != NULL, "%s", err);
	ck_assert_int_eq(unlink(path), 0);

	/* Missing file; a directory. */
	ck_assert_int_eq(conf_load_file(tbl, path, &cf, err, sizeof(err)),
	    -1);
	ck_assert_msg(strstr(err, "No such file") != NULL, "%s", err);
	ck_assert_int_eq(conf_load_file(tbl, tmpdir, &cf, err, sizeof(err)),
	    -1);
	ck_assert_msg(strstr(err, "not a regular file") != NULL, "%s", err);
	ck_assert_int_eq(rmdir(tmpdir), 0);
}
END_TEST

START_TEST(test_manpage_check)
{
	static const char page[] =
	    ".Sh SECTION server\n"
	    ".Bl -tag -width Ds\n"
	    ".It Ic name Ar string\n.It Ic port Ar number\n"
	    ".It Ic offset , count , verbose , timeout\n"
	    ".It Ic max\\-body Ar size\n"
	    ".It Ic log\\-level , state\\-dir , motd\n"
	    ".El\n"
	    ".Sh SECTION database\n"
	    "password, pin.\n"
	    ".Sh SECTION service\n"
	    "url, enabled; timeout again.\n"
	    ".Sh SECTION client\n"
	    "token\n";
	char	missing[256], *partial;

	ck_assert_int_eq(conf_table_check_manpage(tbl, page, missing,
	    sizeof(missing)), 0);
	ck_assert_str_eq(missing, "");

	/* Take out "pin" and the client section; "pinned" is not "pin". */
	partial = strdup(page);
	memcpy(strstr(partial, "pin."), "pinned", 4);
	memcpy(strstr(partial, "client"), "cl_ent", 6);
	ck_assert_int_eq(conf_table_check_manpage(tbl, partial, missing,
	    sizeof(missing)), 2);
	ck_assert_str_eq(missing, "[database] pin [client *]");
	ck_assert_int_eq(conf_table_check_manpage(tbl, partial, NULL, 0), 2);
	free(partial);

	/* "max-body" inside "max-body-limit" does not count. */
	partial = strdup(page);
	memcpy(strstr(partial, "max\\-body"), "max\\-bodz", 9);
	ck_assert_int_eq(conf_table_check_manpage(tbl, partial, missing,
	    sizeof(missing)), 1);
	ck_assert_str_eq(missing, "[server] max-body");
	free(partial);
}
END_TEST

START_TEST(test_table_validate)
{
	static const char *const empty[] = { NULL };
	static const struct conf_option bad_default[] = {
		{ "s", "k", CONF_INT, "70000", 1, 65535, NULL, 0, "d" },
		CONF_OPTION_END
	};
	static const struct conf_option bad_bounds[] = {
		{ "s", "k", CONF_INT, NULL, 5, 1, NULL, 0, "d" },
		CONF_OPTION_END
	};
	static const struct conf_option dup[] = {
		{ "s", "k", CONF_STRING, NULL, 0, 0, NULL, 0, "d" },
		{ "s", "k", CONF_STRING, NULL, 0, 0, NULL, 0, "d" },
		CONF_OPTION_END
	};
	static const struct conf_option bad_enum[] = {
		{ "s", "k", CONF_ENUM, NULL, 0, 0, empty, 0, "d" },
		CONF_OPTION_END
	};
	static const struct conf_option bad_wild[] = {
		{ "a*b", "k", CONF_STRING, NULL, 0, 0, NULL, 0, "d" },
		CONF_OPTION_END
	};
	static const struct conf_option no_desc[] = {
		{ "s", "k", CONF_STRING, NULL, 0, 0, NULL, 0, NULL },
		CONF_OPTION_END
	};
	static const struct conf_option req_default[] = {
		{ "s", "k", CONF_STRING, "x", 0, 0, NULL, CONF_REQUIRED, "d" },
		CONF_OPTION_END
	};
	static const struct conf_option neg_size[] = {
		{ "s", "k", CONF_SIZE, NULL, -1, 10, NULL, 0, "d" },
		CONF_OPTION_END
	};

	ck_assert_int_eq(conf_table_validate(tbl, err, sizeof(err)), 0);
	ck_assert_int_eq(conf_table_validate(bad_default, err, sizeof(err)),
	    -1);
	ck_assert_str_eq(err, "[s] k: bad default: out of range 1..65535");
	ck_assert_int_eq(conf_table_validate(bad_bounds, err, sizeof(err)),
	    -1);
	ck_assert_int_eq(conf_table_validate(dup, err, sizeof(err)), -1);
	ck_assert_str_eq(err, "[s] k: listed twice");
	ck_assert_int_eq(conf_table_validate(bad_enum, err, sizeof(err)), -1);
	ck_assert_int_eq(conf_table_validate(bad_wild, err, sizeof(err)), -1);
	ck_assert_int_eq(conf_table_validate(no_desc, err, sizeof(err)), -1);
	ck_assert_int_eq(conf_table_validate(req_default, err, sizeof(err)),
	    -1);
	ck_assert_int_eq(conf_table_validate(neg_size, err, sizeof(err)), -1);
}
END_TEST

/* Programming errors end the process (tcase_add_exit_test, status 1). */
START_TEST(test_fatal_unknown_key)
{
	struct conf	*cf = load_ok("");

	(void)conf_get_int(cf, "server", "no-such-key");
}
END_TEST

START_TEST(test_fatal_unknown_section)
{
	struct conf	*cf = load_ok("");

	(void)conf_get_int(cf, "nosuch", "port");
}
END_TEST

START_TEST(test_fatal_wrong_type)
{
	struct conf	*cf = load_ok("");

	(void)conf_get_bool(cf, "server", "port");
}
END_TEST

START_TEST(test_fatal_not_wildcard)
{
	struct conf	*cf = load_ok("");

	(void)conf_section_count(cf, "server");
}
END_TEST

START_TEST(test_fatal_bad_table)
{
	static const struct conf_option bad[] = {
		{ "s", "k", CONF_BOOL, "maybe", 0, 0, NULL, 0, "d" },
		CONF_OPTION_END
	};
	struct conf	*cf;

	(void)conf_load_string(bad, "x", "", &cf, err, sizeof(err));
}
END_TEST

/* Every file in tests/conf-bad/ is rejected with its expected message. */
START_TEST(test_conf_bad_folder)
{
	const char	*srcdir = getenv("top_srcdir");
	char		 dir[1024], path[2048], line[256], *want, *nl;
	struct dirent	*de;
	struct conf	*cf;
	DIR		*d;
	FILE		*fp;
	size_t		 n;
	int		 count = 0;

	(void)snprintf(dir, sizeof(dir), "%s/tests/conf-bad",
	    srcdir != NULL ? srcdir : ".");
	d = opendir(dir);
	ck_assert_msg(d != NULL, "%s: %s", dir, strerror(errno));
	while ((de = readdir(d)) != NULL) {
		n = strlen(de->d_name);
		if (n < 6 || strcmp(de->d_name + n - 5, ".conf") != 0)
			continue;
		(void)snprintf(path, sizeof(path), "%s/%s", dir, de->d_name);
		fp = fopen(path, "r");
		ck_assert_ptr_nonnull(fp);
		ck_assert_ptr_nonnull(fgets(line, sizeof(line), fp));
		fclose(fp);
		ck_assert_msg(strncmp(line, "# expect: ", 10) == 0,
		    "%s: first line must be \"# expect: TEXT\"", path);
		want = line + 10;
		if ((nl = strchr(want, '\n')) != NULL)
			*nl = '\0';
		cf = NULL;
		err[0] = '\0';
		ck_assert_msg(conf_load_file(tbl, path, &cf, err,
		    sizeof(err)) == -1, "%s was accepted", path);
		ck_assert_ptr_null(cf);
		ck_assert_msg(strncmp(err, path, strlen(path)) == 0 &&
		    strstr(err, want) != NULL,
		    "%s: error \"%s\" lacks \"%s\"", de->d_name, err, want);
		count++;
	}
	closedir(d);
	ck_assert_int_ge(count, 15);
}
END_TEST

static Suite *
conf_suite(void)
{
	Suite	*s = suite_create("conf");
	TCase	*tc = tcase_create("core");
	TCase	*tf = tcase_create("fatal");

	tcase_add_test(tc, test_defaults);
	tcase_add_test(tc, test_all_types);
	tcase_add_test(tc, test_bool_values);
	tcase_add_test(tc, test_int_bounds);
	tcase_add_test(tc, test_duration_suffixes);
	tcase_add_test(tc, test_size_suffixes);
	tcase_add_test(tc, test_enum_and_path);
	tcase_add_test(tc, test_quoted_values);
	tcase_add_test(tc, test_comments_and_whitespace);
	tcase_add_test(tc, test_unknown_and_syntax);
	tcase_add_test(tc, test_duplicates);
	tcase_add_test(tc, test_secret_redaction);
	tcase_add_test(tc, test_print_round_trip);
	tcase_add_test(tc, test_wildcard_sections);
	tcase_add_test(tc, test_required_fixed);
	tcase_add_test(tc, test_line_limits);
	tcase_add_test(tc, test_utf8_and_control);
	tcase_add_test(tc, test_load_file);
	tcase_add_test(tc, test_manpage_check);
	tcase_add_test(tc, test_table_validate);
	tcase_add_test(tc, test_conf_bad_folder);
	suite_add_tcase(s, tc);

	tcase_add_exit_test(tf, test_fatal_unknown_key, 1);
	tcase_add_exit_test(tf, test_fatal_unknown_section, 1);
	tcase_add_exit_test(tf, test_fatal_wrong_type, 1);
	tcase_add_exit_test(tf, test_fatal_not_wildcard, 1);
	tcase_add_exit_test(tf, test_fatal_bad_table, 1);
	suite_add_tcase(s, tf);
	return s;
}

HK_CHECK_MAIN(conf_suite)
