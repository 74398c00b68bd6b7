/*
 * Unit tests for hukumati-services/common/i18n.c: the .po reader
 * (continuations, escapes, fuzzy and untranslated entries, header
 * charset, refused constructs with lines), lookups with fallback, the
 * language of a request (?lang=, cookie, default) and text direction.
 */
#include "config.h"

#include <string.h>

#include "i18n.h"
#include "hk_check.h"

static const char ar_po[] =
    "# Arabic\n"
    "msgid \"\"\n"
    "msgstr \"\"\n"
    "\"Content-Type: text/plain; charset=UTF-8\\n\"\n"
    "\n"
    "#: login.html\n"
    "msgid \"login.title\"\n"
    "msgstr \"\xd8\xaa\xd8\xb3\xd8\xac\xd9\x8a\xd9\x84 \xd8\xa7\xd9\x84\xd8\xaf\xd8\xae\xd9\x88\xd9\x84\"\n"
    "\n"
    "msgid \"multi\"\n"
    "msgstr \"\"\n"
    "\"one \"\n"
    "\"\\\"two\\\"\\n\"\n"
    "\n"
    "#, fuzzy\n"
    "msgid \"fuzzy.one\"\n"
    "msgstr \"not yet\"\n"
    "\n"
    "msgid \"only.en\"\n"
    "msgstr \"\"\n";

static const char en_po[] =
    "msgid \"login.title\"\r\n"
    "msgstr \"Log in\"\r\n"
    "msgid \"only.en\"\n"
    "msgstr \"English only\"\n"
    "msgid \"multi\"\n"
    "msgstr \"Multi\"\n";

static struct i18n *t;

static void
setup(void)
{
	char	 err[256];

	ck_assert_ptr_nonnull(t = i18n_new());
	ck_assert_msg(i18n_load_string(t, "ar", "ar.po", ar_po, err,
	    sizeof(err)) == 0, "%s", err);
	ck_assert_msg(i18n_load_string(t, "en", "en.po", en_po, err,
	    sizeof(err)) == 0, "%s", err);
}

static void
teardown(void)
{
	i18n_free(t);
}

START_TEST(test_lookup)
{
	ck_assert_str_eq(i18n_default(t), "ar");
	ck_assert_str_eq(i18n_get(t, "ar", "login.title"),
	    "\xd8\xaa\xd8\xb3\xd8\xac\xd9\x8a\xd9\x84 \xd8\xa7\xd9\x84\xd8\xaf"
	    "\xd8\xae\xd9\x88\xd9\x84");
	ck_assert_str_eq(i18n_get(t, "en", "login.title"), "Log in");
	ck_assert_str_eq(i18n_get(t, "ar", "multi"), "one \"two\"\n");
	/* Fuzzy and untranslated entries are skipped. */
	ck_assert_int_eq(i18n_has(t, "ar", "fuzzy.one"), 0);
	ck_assert_int_eq(i18n_has(t, "ar", "only.en"), 0);
	/* Missing in the language: the default language, then the key. */
	ck_assert_str_eq(i18n_get(t, "ar", "only.en"), "only.en");
	ck_assert_int_eq(i18n_set_default(t, "en"), 0);
	ck_assert_str_eq(i18n_get(t, "ar", "only.en"), "English only");
	ck_assert_str_eq(i18n_get(t, "fr", "login.title"), "Log in");
	ck_assert_int_eq(i18n_set_default(t, "fr"), -1);
	ck_assert_str_eq(i18n_get(t, "en", "no.such"), "no.such");
	ck_assert_uint_eq(i18n_count(t, "ar"), 2);
	ck_assert_uint_eq(i18n_count(t, "en"), 3);
	ck_assert_str_eq(i18n_key_at(t, "en", 0), "login.title");
	ck_assert_ptr_null(i18n_key_at(t, "en", 3));
	ck_assert_str_eq(i18n_dir("ar"), "rtl");
	ck_assert_str_eq(i18n_dir("en"), "ltr");
	ck_assert_str_eq(i18n_dir(NULL), "ltr");
}
END_TEST

static void
bad_po(const char *text, const char *what)
{
	struct i18n	*u = i18n_new();
	char		 err[256];

	err[0] = '\0';
	ck_assert_int_eq(i18n_load_string(u, "ar", "x.po", text, err,
	    sizeof(err)), -1);
	ck_assert_msg(strstr(err, what) != NULL, "'%s' lacks '%s'", err, what);
	ck_assert_int_eq(i18n_has_lang(u, "ar"), 0);
	i18n_free(u);
}

START_TEST(test_bad_po)
{
	bad_po("msgid \"a\"\nmsgstr \"b\nc\"\n", "x.po:2: bad string");
	bad_po("msgid \"a\"\nmsgstr \"b\" junk\n", "x.po:2: bad string");
	bad_po("msgid \"a\"\nmsgstr \"\\x41\"\n", "x.po:2: bad string");
	bad_po("msgid \"a\"\n\nmsgid \"b\"\nmsgstr \"c\"\n",
	    "x.po:1: msgid without msgstr");
	bad_po("msgstr \"b\"\n", "x.po:1: msgstr without msgid");
	bad_po("msgctxt \"c\"\nmsgid \"a\"\nmsgstr \"b\"\n",
	    "x.po:1: plural forms and msgctxt");
	bad_po("msgid \"a\"\nmsgid_plural \"as\"\nmsgstr[0] \"b\"\n",
	    "x.po:2: plural");
	bad_po("msgid \"a\"\nmsgstr \"1\"\nmsgid \"a\"\nmsgstr \"2\"\n",
	    "duplicate msgid \"a\"");
	bad_po("msgid \"\"\nmsgstr \"Content-Type: text/plain; "
	    "charset=ISO-8859-1\\n\"\n", "charset=UTF-8");
	bad_po("msgid \"a\"\nmsgstr \"\xff\"\n", "not UTF-8");
	bad_po("hello\n", "x.po:1: unexpected line");
}
END_TEST

START_TEST(test_load_rules)
{
	char	 err[256];

	ck_assert_int_eq(i18n_load_string(t, "ar", "again", "", err,
	    sizeof(err)), -1);
	ck_assert_int_eq(i18n_load_string(t, "AR", "x", "", err,
	    sizeof(err)), -1);
	ck_assert_int_eq(i18n_load_string(t, "a", "x", "", err,
	    sizeof(err)), -1);
	ck_assert_int_eq(i18n_load_file(t, "fr", "/nonexistent/fr.po", err,
	    sizeof(err)), -1);
	ck_assert(strstr(err, "/nonexistent/fr.po") != NULL);
}
END_TEST

START_TEST(test_choose)
{
	ck_assert_str_eq(i18n_choose(t, NULL, NULL), "ar");
	ck_assert_str_eq(i18n_choose(t, "en", NULL), "en");
	ck_assert_str_eq(i18n_choose(t, NULL, "en"), "en");
	ck_assert_str_eq(i18n_choose(t, "ar", "en"), "ar");
	ck_assert_str_eq(i18n_choose(t, "fr", "en"), "en");
	ck_assert_str_eq(i18n_choose(t, "fr", "de"), "ar");
	ck_assert_str_eq(i18n_choose(t, "", "<x>"), "ar");
}
END_TEST

static Suite *
i18n_suite(void)
{
	Suite	*s = suite_create("i18n");
	TCase	*tc = tcase_create("i18n");

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, test_lookup);
	tcase_add_test(tc, test_bad_po);
	tcase_add_test(tc, test_load_rules);
	tcase_add_test(tc, test_choose);
	suite_add_tcase(s, tc);
	return s;
}

HK_CHECK_MAIN(i18n_suite)
