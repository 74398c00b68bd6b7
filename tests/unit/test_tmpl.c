/*
 * Unit tests for hukumati-services/common/tmpl.c: escaping by default,
 * trusted fragments only from the program, conditions, loops, scopes,
 * messages, syntax errors with lines, loading a folder.
 */
#include "config.h"

#include <sys/stat.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <jansson.h>

#include "buf.h"
#include "compat.h"
#include "i18n.h"
#include "tmpl.h"
#include "hk_check.h"

static struct tmpl_set	*set;
static struct buf	*out;

static void
setup(void)
{
	ck_assert_ptr_nonnull(set = tmpl_set_new());
	ck_assert_ptr_nonnull(out = buf_new(64 * 1024));
}

static void
teardown(void)
{
	tmpl_set_free(set);
	buf_free(out);
}

/* Render text with data (JSON text) and return the output. */
static const char *
render(const char *text, const char *data, const struct tmpl_frag *frags)
{
	json_t	*j = NULL;
	char	 err[256];
	static int n;
	char	 name[32];

	(void)snprintf(name, sizeof(name), "t%d", n++);
	ck_assert_msg(tmpl_add(set, name, text, err, sizeof(err)) == 0, "%s",
	    err);
	if (data != NULL)
		ck_assert_ptr_nonnull(j = json_loads(data, 0, NULL));
	buf_reset(out);
	ck_assert_int_eq(tmpl_render(set, name, j, frags, NULL, NULL, out), 0);
	json_decref(j);
	return buf_str(out);
}

START_TEST(test_escape)
{
	ck_assert_str_eq(render("<p>{{x}}</p>",
	    "{\"x\": \"<script>alert('x')</script> & \\\"q\\\"\"}", NULL),
	    "<p>&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt; &amp; "
	    "&quot;q&quot;</p>");
	/* Safe in a quoted attribute. */
	ck_assert_str_eq(render("<input value=\"{{v}}\">",
	    "{\"v\": \"\\\" onfocus=\\\"evil()\"}", NULL),
	    "<input value=\"&quot; onfocus=&quot;evil()\">");
	ck_assert_str_eq(render("{{n}} {{r}} {{t}} {{z}} {{o}} {{missing}}.",
	    "{\"n\": 42, \"r\": 1.5, \"t\": true, \"z\": null, \"o\": {}}",
	    NULL), "42 1.5    .");
	ck_assert_str_eq(render("{{ x }}", "{\"x\": \"a\"}", NULL), "a");
	ck_assert_str_eq(render("no tags", NULL, NULL), "no tags");
}
END_TEST

START_TEST(test_fragments)
{
	struct tmpl_frag	 f[] = {
		{ "content", "<main>ok</main>" },
		{ NULL, NULL }
	};

	ck_assert_str_eq(render("<body>{{&content}}</body>", NULL, f),
	    "<body><main>ok</main></body>");
	/* Data never becomes raw HTML, even named like a fragment. */
	ck_assert_str_eq(render("{{&content}}|{{content}}",
	    "{\"content\": \"<b>x</b>\"}", NULL), "|&lt;b&gt;x&lt;/b&gt;");
	ck_assert_str_eq(render("[{{&other}}]", NULL, f), "[]");
}
END_TEST

START_TEST(test_blocks)
{
	const char	*d = "{\"user\": {\"name\": \"Ahmad\", \"roles\": "
	    "[\"citizen\", \"officer\"]}, \"errors\": [{\"field\": \"nid\", "
	    "\"msg\": \"bad <id>\"}, {\"field\": \"dob\", \"msg\": \"old\"}],"
	    " \"title\": \"T\", \"empty\": [], \"zero\": 0, \"no\": false}";

	ck_assert_str_eq(render("{{#if user}}Hi {{user.name}}{{else}}Login"
	    "{{/if}}", d, NULL), "Hi Ahmad");
	ck_assert_str_eq(render("{{#if nobody}}Hi{{else}}Login{{/if}}", d,
	    NULL), "Login");
	ck_assert_str_eq(render("{{#unless empty}}none{{/unless}}"
	    "{{#if zero}}z{{/if}}{{#if no}}n{{/if}}", d, NULL), "none");
	ck_assert_str_eq(render("<ul>{{#each errors}}<li><a href=\"#"
	    "{{field}}\">{{msg}}</a> {{title}}</li>{{/each}}</ul>", d, NULL),
	    "<ul><li><a href=\"#nid\">bad &lt;id&gt;</a> T</li>"
	    "<li><a href=\"#dob\">old</a> T</li></ul>");
	ck_assert_str_eq(render("{{#each user.roles}}[{{.}}]{{/each}}", d,
	    NULL), "[citizen][officer]");
	ck_assert_str_eq(render("{{#each title}}x{{/each}}", d, NULL), "");
	ck_assert_str_eq(render("{{#if user}}{{#each user.roles}}{{#if ."
	    "}}<{{.}}>{{/if}}{{/each}}{{/if}}", d, NULL),
	    "<citizen><officer>");
	ck_assert_str_eq(render("a{{! a comment }}b", d, NULL), "ab");
}
END_TEST

START_TEST(test_messages)
{
	struct i18n	*t = i18n_new();
	char		 err[256];

	ck_assert_int_eq(i18n_load_string(t, "ar", "ar.po",
	    "msgid \"hello\"\nmsgstr \"\xd9\x85\xd8\xb1\xd8\xad\xd8\xa8\xd8\xa7"
	    "\"\n", err, sizeof(err)), 0);
	ck_assert_int_eq(i18n_load_string(t, "en", "en.po",
	    "msgid \"hello\"\nmsgstr \"Hello <you>\"\n", err, sizeof(err)), 0);
	ck_assert_int_eq(tmpl_add(set, "m", "{{@hello}} {{@missing.key}}",
	    err, sizeof(err)), 0);
	ck_assert_int_eq(tmpl_render(set, "m", NULL, NULL, t, "en", out), 0);
	ck_assert_str_eq(buf_str(out), "Hello &lt;you&gt; missing.key");
	buf_reset(out);
	ck_assert_int_eq(tmpl_render(set, "m", NULL, NULL, t, "ar", out), 0);
	ck_assert_str_eq(buf_str(out), "\xd9\x85\xd8\xb1\xd8\xad\xd8\xa8"
	    "\xd8\xa7 missing.key");
	i18n_free(t);
}
END_TEST

static void
expect_error(const char *text, const char *what)
{
	char	 err[256];

	err[0] = '\0';
	ck_assert_int_eq(tmpl_add(set, "bad", text, err, sizeof(err)), -1);
	ck_assert_msg(strstr(err, what) != NULL, "'%s' lacks '%s'", err, what);
	ck_assert_int_eq(tmpl_has(set, "bad"), 0);
}

START_TEST(test_syntax_errors)
{
	char	 deep[1024];
	size_t	 i;

	expect_error("a\nb {{x", "bad:2: '{{' without '}}'");
	expect_error("{{#if x}}\n\nno end", "bad:1: block opened here");
	expect_error("{{#if x}}{{/each}}", "bad:1: block opened here");
	expect_error("x\n{{/if}}", "bad:2: end tag without a block");
	expect_error("{{else}}", "end tag without a block");
	expect_error("{{x y}}", "bad tag '{{x y}}'");
	expect_error("{{}}", "bad tag");
	expect_error("{{a..b}}", "bad tag");
	expect_error("{{&.}}", "bad tag");
	expect_error("{{#if}}{{/if}}", "bad tag");
	expect_error("{{<script>}}", "bad tag");
	deep[0] = '\0';
	for (i = 0; i < 20; i++)
		(void)strlcat(deep, "{{#if x}}", sizeof(deep));
	expect_error(deep, "nested deeper");
	ck_assert_int_eq(tmpl_add(set, "ok", "x", NULL, 0), 0);
	ck_assert_int_eq(tmpl_add(set, "ok", "y", deep, sizeof(deep)), -1);
	ck_assert_int_eq(tmpl_render(set, "nope", NULL, NULL, NULL, NULL, out),
	    -1);
}
END_TEST

START_TEST(test_full_buffer)
{
	struct buf	*small = buf_new(8);
	json_t		*j = json_pack("{s:s}", "x", "<<<<<<<<");

	ck_assert_int_eq(tmpl_add(set, "f", "{{x}}", NULL, 0), 0);
	ck_assert_int_eq(tmpl_render(set, "f", j, NULL, NULL, NULL, small), -1);
	json_decref(j);
	buf_free(small);
}
END_TEST

START_TEST(test_load_dir)
{
	char	 dir[] = "/tmp/test_tmpl.XXXXXX", path[128], err[512];
	FILE	*f;

	ck_assert_ptr_nonnull(mkdtemp(dir));
	(void)snprintf(path, sizeof(path), "%s/page.html", dir);
	ck_assert_ptr_nonnull(f = fopen(path, "w"));
	fputs("<h1>{{title}}</h1>\n", f);
	fclose(f);
	(void)snprintf(path, sizeof(path), "%s/notes.txt", dir);
	ck_assert_ptr_nonnull(f = fopen(path, "w"));
	fputs("{{ignored", f);
	fclose(f);
	ck_assert_msg(tmpl_load_dir(set, dir, err, sizeof(err)) == 0, "%s",
	    err);
	ck_assert_int_eq(tmpl_has(set, "page"), 1);
	ck_assert_int_eq(tmpl_has(set, "notes"), 0);
	(void)snprintf(path, sizeof(path), "%s/broken.html", dir);
	ck_assert_ptr_nonnull(f = fopen(path, "w"));
	fputs("ok\n{{#each x}}\n", f);
	fclose(f);
	tmpl_set_free(set);
	set = tmpl_set_new();
	ck_assert_int_eq(tmpl_load_dir(set, dir, err, sizeof(err)), -1);
	ck_assert_msg(strstr(err, "broken.html:2:") != NULL, "%s", err);
	(void)unlink(path);
	(void)snprintf(path, sizeof(path), "%s/page.html", dir);
	(void)unlink(path);
	(void)snprintf(path, sizeof(path), "%s/notes.txt", dir);
	(void)unlink(path);
	(void)rmdir(dir);
	ck_assert_int_eq(tmpl_load_dir(set, dir, err, sizeof(err)), -1);
}
END_TEST

static Suite *
tmpl_suite(void)
{
	Suite	*s = suite_create("tmpl");
	TCase	*tc = tcase_create("tmpl");

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, test_escape);
	tcase_add_test(tc, test_fragments);
	tcase_add_test(tc, test_blocks);
	tcase_add_test(tc, test_messages);
	tcase_add_test(tc, test_syntax_errors);
	tcase_add_test(tc, test_full_buffer);
	tcase_add_test(tc, test_load_dir);
	suite_add_tcase(s, tc);
	return s;
}

HK_CHECK_MAIN(tmpl_suite)
