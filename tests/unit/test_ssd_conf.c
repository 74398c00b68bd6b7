/*
 * Unit tests for ssd_conf.c: the option table is well formed, the manual
 * page documents every option, and a minimal demo-like file loads.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "conf.h"
#include "securityserverd.h"
#include "hk_check.h"

START_TEST(test_table_valid)
{
	char err[256];

	ck_assert_msg(conf_table_validate(ssd_options, err, sizeof(err)) == 0,
	    "%s", err);
}
END_TEST

START_TEST(test_manpage_lists_every_option)
{
	const char	*top = getenv("top_srcdir");
	char		 path[1024], missing[1024];
	char		*text;
	FILE		*f;
	long		 n;

	ck_assert_ptr_nonnull(top);
	snprintf(path, sizeof(path), "%s/man/securityserverd.ini.5", top);
	f = fopen(path, "rb");
	ck_assert_msg(f != NULL, "%s", path);
	fseek(f, 0, SEEK_END);
	n = ftell(f);
	rewind(f);
	text = calloc(1, (size_t)n + 1);
	ck_assert_uint_eq(fread(text, 1, (size_t)n, f), (size_t)n);
	fclose(f);
	ck_assert_msg(conf_table_check_manpage(ssd_options, text, missing,
	    sizeof(missing)) == 0, "not in the man page: %s", missing);
	free(text);
}
END_TEST

START_TEST(test_minimal_config)
{
	struct conf	*cf = NULL;
	char		 err[256];
	const char	*text =
	    "[server]\nserver-id = PS/GOV/MTIT/ss-mtit\nstate-dir = /tmp/x\n"
	    "[globalconf]\nanchor = /tmp/a.xml\n"
	    "[tls]\nauth-key = /tmp/k\nauth-cert = /tmp/c\n"
	    "[member PS/GOV/MTIT]\nsign-key = /tmp/s\nsign-cert = /tmp/t\n";

	ck_assert_msg(conf_load_string(ssd_options, "t.ini", text, &cf, err,
	    sizeof(err)) == 0, "%s", err);
	ck_assert_int_eq(conf_get_int(cf, "client-proxy", "port"), 8080);
	ck_assert_uint_eq(conf_section_count(cf, "member *"), 1);
	ck_assert_str_eq(conf_section_instance(cf, "member *", 0),
	    "PS/GOV/MTIT");
	conf_free(cf);
	/* A member section without its key is refused. */
	ck_assert_int_eq(conf_load_string(ssd_options, "t.ini",
	    "[server]\nserver-id = PS/GOV/MTIT/ss\nstate-dir = /x\n"
	    "[globalconf]\nanchor = /a\n[tls]\nauth-key = /k\n"
	    "auth-cert = /c\n[member PS/GOV/MOI]\nsign-cert = /t\n", &cf,
	    err, sizeof(err)), -1);
	ck_assert_ptr_nonnull(strstr(err, "sign-key"));
}
END_TEST

static Suite *
ssd_conf_suite(void)
{
	Suite	*s = suite_create("ssd_conf");
	TCase	*tc = tcase_create("core");

	tcase_add_test(tc, test_table_valid);
	tcase_add_test(tc, test_manpage_lists_every_option);
	tcase_add_test(tc, test_minimal_config);
	suite_add_tcase(s, tc);
	return s;
}

HK_CHECK_MAIN(ssd_conf_suite)
