/*
 * Unit tests for hukumati-sso (hukumati-services/sso): input rules
 * (national ID, mobile, date of birth, e-mail, names and their keys),
 * the password policy and refused list, argon2id hashing, lockouts and
 * SMS-code expiry on an injected clock, accounts and activation, the
 * civil register answer (parse and match), the configuration table, the
 * shipped templates and that both catalogues hold every message key the
 * code and the templates use.
 */
#include "config.h"

#include <sys/stat.h>

#include <dirent.h>
#include <errno.h>
#include <ftw.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <jansson.h>

#include "compat.h"
#include "conf.h"
#include "db.h"
#include "i18n.h"
#include "log.h"
#include "soap.h"
#include "sso.h"
#include "hk_check.h"

static char	 srcdir[PATH_MAX];
static char	 tmpdir[64];
static int64_t	 now_ms;
static struct conf *conf;
static struct sso *s;

/* 2026-01-15T12:00:00Z */
#define T0	1768478400LL

static int64_t
test_clock(void *arg)
{
	(void)arg;
	return now_ms;
}

static void
find_srcdir(void)
{
	const char	*e = getenv("top_srcdir");

	(void)strlcpy(srcdir, e != NULL ? e : ".", sizeof(srcdir));
}

static int
rm_one(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
	(void)st;
	(void)flag;
	(void)ftw;
	return remove(path) == -1 && errno != ENOENT ? -1 : 0;
}

static int
load_conf(const char *extra, struct conf **out, char *err, size_t errlen)
{
	static char	 text[6 * PATH_MAX];

	(void)snprintf(text, sizeof(text),
	    "[sso]\n"
	    "data-dir = %s/data\n"
	    "templates = %s/hukumati-services/sso/templates\n"
	    "locale-dir = %s/hukumati-services/sso/po\n"
	    "static-dir = %s/hukumati-services/sso/static\n"
	    "common-passwords = %s/hukumati-services/sso/common-passwords.txt\n"
	    "[password]\n"
	    "argon2-memory = 64\n"
	    "argon2-time-cost = 1\n"
	    "%s", tmpdir, srcdir, srcdir, srcdir, srcdir, extra);
	return conf_load_string(sso_conf_table, "test.ini", text, out, err,
	    errlen);
}

static void
setup(void)
{
	char	 err[512];

	find_srcdir();
	log_init("test_sso", 1, LOG_LEVEL_WARN);
	(void)strlcpy(tmpdir, "/tmp/test_sso.XXXXXX", sizeof(tmpdir));
	ck_assert_ptr_nonnull(mkdtemp(tmpdir));
	ck_assert_msg(load_conf("", &conf, err, sizeof(err)) == 0, "%s", err);
	ck_assert_msg(sso_new_ctl(conf, &s, err, sizeof(err)) == 0, "%s", err);
	now_ms = T0 * 1000;
	s->s_clock = test_clock;
	ck_assert_int_eq(sso_open_db(s), 0);
}

static void
teardown(void)
{
	sso_free(s);
	conf_free(conf);
	(void)nftw(tmpdir, rm_one, 16, FTW_DEPTH | FTW_PHYS);
}

START_TEST(test_nid)
{
	char	 out[SSO_NID_SIZE];

	ck_assert_int_eq(sso_valid_nid("400000014", out), 1);
	ck_assert_str_eq(out, "400000014");
	/* Blanks and Arabic-Indic digits are read as the digits they are. */
	ck_assert_int_eq(sso_valid_nid(" 400 000 014 ", out), 1);
	ck_assert_str_eq(out, "400000014");
	ck_assert_int_eq(sso_valid_nid("\xd9\xa4\xd9\xa0\xd9\xa0\xd9\xa0"
	    "\xd9\xa0\xd9\xa0\xd9\xa0\xd9\xa1\xd9\xa4", out), 1);
	ck_assert_str_eq(out, "400000014");
	ck_assert_int_eq(sso_valid_nid("400000015", out), 0);	/* check digit */
	ck_assert_str_eq(out, "");
	ck_assert_int_eq(sso_valid_nid("40000001", out), 0);
	ck_assert_int_eq(sso_valid_nid("4000000140", out), 0);
	ck_assert_int_eq(sso_valid_nid("40000001a", out), 0);
	ck_assert_int_eq(sso_valid_nid("-40000014", out), 0);
	ck_assert_int_eq(sso_valid_nid("", out), 0);
}
END_TEST

START_TEST(test_mobile)
{
	char	 out[SSO_PHONE_SIZE];

	ck_assert_int_eq(sso_norm_mobile("+970 599 000 001", out), 0);
	ck_assert_str_eq(out, "+970599000001");
	ck_assert_int_eq(sso_norm_mobile("00970-56-9000002", out), 0);
	ck_assert_str_eq(out, "+970569000002");
	ck_assert_int_eq(sso_norm_mobile("0599 123 456", out), 0);
	ck_assert_str_eq(out, "+970599123456");
	ck_assert_int_eq(sso_norm_mobile("(052) 123-4567", out), 0);
	ck_assert_str_eq(out, "+972521234567");
	ck_assert_int_eq(sso_norm_mobile("+972 54 123 4567", out), 0);
	ck_assert_str_eq(out, "+972541234567");
	ck_assert_int_eq(sso_norm_mobile("970599000001", out), 0);
	ck_assert_str_eq(out, "+970599000001");
	/* +970 needs 059/056; landlines, short, long, letters are refused. */
	ck_assert_int_eq(sso_norm_mobile("+970 52 000 0001", out), -1);
	ck_assert_int_eq(sso_norm_mobile("+970 2 298 0000", out), -1);
	ck_assert_int_eq(sso_norm_mobile("+970 599 000 00", out), -1);
	ck_assert_int_eq(sso_norm_mobile("+970 599 000 0011", out), -1);
	ck_assert_int_eq(sso_norm_mobile("+1 202 555 0100", out), -1);
	ck_assert_int_eq(sso_norm_mobile("+97059900000a", out), -1);
	ck_assert_int_eq(sso_norm_mobile("+970+599000001", out), -1);
	ck_assert_int_eq(sso_norm_mobile("", out), -1);
	ck_assert_str_eq(out, "");
}
END_TEST

START_TEST(test_dob)
{
	char	 out[SSO_DATE_SIZE];

	ck_assert_int_eq(sso_norm_dob("1985-03-14", T0, 16, out), 0);
	ck_assert_str_eq(out, "1985-03-14");
	ck_assert_int_eq(sso_norm_dob("14/03/1985", T0, 16, out), 0);
	ck_assert_str_eq(out, "1985-03-14");
	ck_assert_int_eq(sso_norm_dob("2000-02-29", T0, 16, out), 0);
	ck_assert_int_eq(sso_norm_dob("1900-02-29", T0, 16, out), -1);
	ck_assert_int_eq(sso_norm_dob("1985-02-30", T0, 16, out), -1);
	ck_assert_int_eq(sso_norm_dob("1985-13-01", T0, 16, out), -1);
	ck_assert_int_eq(sso_norm_dob("1985-3-14", T0, 16, out), -1);
	ck_assert_int_eq(sso_norm_dob("1899-12-31", T0, 16, out), -1);
	ck_assert_int_eq(sso_norm_dob("2026-01-16", T0, 0, out), -1);
	ck_assert_int_eq(sso_norm_dob("2026-01-15", T0, 0, out), 0);
	/* 16 on the day itself, not the day before. */
	ck_assert_int_eq(sso_norm_dob("2010-01-15", T0, 16, out), 0);
	ck_assert_int_eq(sso_norm_dob("2010-01-16", T0, 16, out), -2);
	ck_assert_str_eq(out, "");
	ck_assert_int_eq(sso_norm_dob("2015-09-09", T0, 16, out), -2);
}
END_TEST

START_TEST(test_email_names)
{
	char	 k[256];

	ck_assert_int_eq(sso_valid_email("ahmad.odeh@example.ps"), 1);
	ck_assert_int_eq(sso_valid_email("a@b.c"), 1);
	ck_assert_int_eq(sso_valid_email("no-at.example.ps"), 0);
	ck_assert_int_eq(sso_valid_email("a@@b.ps"), 0);
	ck_assert_int_eq(sso_valid_email("a@b"), 0);
	ck_assert_int_eq(sso_valid_email("a b@c.ps"), 0);
	ck_assert_int_eq(sso_valid_email("a@b..ps"), 0);
	ck_assert_int_eq(sso_valid_email("<a@b.ps>"), 0);

	ck_assert_int_eq(sso_valid_name("Ahmad"), 1);
	ck_assert_int_eq(sso_valid_name("Abu Ghazaleh"), 1);
	ck_assert_int_eq(sso_valid_name("O'Neil-Smith"), 1);
	ck_assert_int_eq(sso_valid_name("\xd8\xa3\xd8\xad\xd9\x85\xd8\xaf"), 1);
	ck_assert_int_eq(sso_valid_name("Ahmad1"), 0);
	ck_assert_int_eq(sso_valid_name("<b>"), 0);
	ck_assert_int_eq(sso_valid_name("-"), 0);
	ck_assert_int_eq(sso_valid_name(""), 0);

	/* Latin: case, blanks, hyphens, article. */
	ck_assert_int_eq(sso_name_key("Al-Barghouti", k, sizeof(k)), 0);
	ck_assert_str_eq(k, "barghouti");
	ck_assert_int_eq(sso_name_match("abu ghazaleh", "Abu Ghazaleh"), 1);
	ck_assert_int_eq(sso_name_match("AbuGhazaleh", "Abu Ghazaleh"), 1);
	ck_assert_int_eq(sso_name_match("Odeh", "Odah"), 0);
	/* Arabic: hamza forms of alef, taa marbuta, diacritics, article. */
	ck_assert_int_eq(sso_name_match("\xd8\xa7\xd8\xad\xd9\x85\xd8\xaf",
	    "\xd8\xa3\xd8\xad\xd9\x85\xd8\xaf"), 1);	/* احمد = أحمد */
	ck_assert_int_eq(sso_name_match("\xd9\x81\xd8\xa7\xd8\xb7\xd9\x85\xd9\x87",
	    "\xd9\x81\xd8\xa7\xd8\xb7\xd9\x85\xd8\xa9"), 1);	/* فاطمه = فاطمة */
	ck_assert_int_eq(sso_name_match("\xd8\xa3\xd9\x8e\xd8\xad\xd9\x92"
	    "\xd9\x85\xd9\x8e\xd8\xaf", "\xd8\xa3\xd8\xad\xd9\x85\xd8\xaf"), 1);
	ck_assert_int_eq(sso_name_match("\xd8\xa8\xd8\xb1\xd8\xba\xd9\x88"
	    "\xd8\xab\xd9\x8a", "\xd8\xa7\xd9\x84\xd8\xa8\xd8\xb1\xd8\xba"
	    "\xd9\x88\xd8\xab\xd9\x8a"), 1);		/* برغوثي = البرغوثي */
	ck_assert_int_eq(sso_name_match("\xd8\xb9\xd9\x85\xd8\xb1",
	    "\xd8\xb9\xd9\x85\xd8\xb1\xd9\x88"), 0);	/* عمر != عمرو */
	ck_assert_int_eq(sso_name_match("", ""), 0);
	ck_assert_int_eq(sso_name_match(NULL, "a"), 0);
}
END_TEST

START_TEST(test_password_policy)
{
	struct sso_pwlist	*pl = NULL;
	char			 big[400];

	ck_assert_int_eq(sso_pwlist_from_string("# comment\r\npassword\r\n"
	    "Palestine1\n\nqwertyuiop", &pl), 0);
	ck_assert_int_eq(sso_pwlist_has(pl, "PASSWORD"), 1);
	ck_assert_int_eq(sso_pwlist_has(pl, "palestine1"), 1);
	ck_assert_int_eq(sso_pwlist_has(pl, "# comment"), 0);
	ck_assert_int_eq(sso_pwlist_has(pl, "password2"), 0);
	ck_assert_ptr_null(sso_password_problem("correct horse", 8, pl,
	    "400000014", "+970599000001"));
	ck_assert_str_eq(sso_password_problem("short", 8, pl, NULL, NULL),
	    "err.password_short");
	/* Characters, not bytes: 7 Arabic letters are too short. */
	ck_assert_str_eq(sso_password_problem("\xd8\xa3\xd8\xad\xd9\x85\xd8\xaf"
	    "\xd8\xa3\xd8\xad\xd9\x85", 8, pl, NULL, NULL),
	    "err.password_short");
	ck_assert_str_eq(sso_password_problem("QwertyUIOP", 8, pl, NULL, NULL),
	    "err.password_common");
	ck_assert_str_eq(sso_password_problem("my400000014x", 8, pl,
	    "400000014", NULL), "err.password_personal");
	ck_assert_str_eq(sso_password_problem("x599000001x", 8, pl, NULL,
	    "+970599000001"), "err.password_personal");
	/* Long passwords and pasted phrases are fine up to the cap. */
	memset(big, 'x', 200);
	big[200] = '\0';
	ck_assert_ptr_null(sso_password_problem(big, 8, pl, NULL, NULL));
	memset(big, 'x', sizeof(big) - 1);
	big[sizeof(big) - 1] = '\0';
	ck_assert_str_eq(sso_password_problem(big, 8, pl, NULL, NULL),
	    "err.password_long");
	sso_pwlist_free(pl);
}
END_TEST

START_TEST(test_shipped_list)
{
	struct sso_pwlist	*pl = NULL;
	char			 path[PATH_MAX + 64], err[256];

	(void)snprintf(path, sizeof(path),
	    "%s/hukumati-services/sso/common-passwords.txt", srcdir);
	ck_assert_msg(sso_pwlist_load(path, &pl, err, sizeof(err)) == 0, "%s",
	    err);
	ck_assert_int_eq(sso_pwlist_has(pl, "P@ssw0rd"), 1);
	ck_assert_int_eq(sso_pwlist_has(pl, "12345678"), 1);
	ck_assert_int_eq(sso_pwlist_has(pl, "Palestine123"), 1);
	ck_assert_int_eq(sso_pwlist_has(pl, "correct horse battery"), 0);
	sso_pwlist_free(pl);
	ck_assert_int_eq(sso_pwlist_load("/nonexistent", &pl, err,
	    sizeof(err)), -1);
}
END_TEST

START_TEST(test_argon2)
{
	char	 h1[256], h2[256];

	ck_assert_int_eq(sso_pw_hash(s, "correct horse", h1, sizeof(h1)), 0);
	ck_assert_int_eq(sso_pw_hash(s, "correct horse", h2, sizeof(h2)), 0);
	ck_assert(strncmp(h1, "$argon2id$v=19$m=64,t=1,p=1$", 28) == 0);
	ck_assert_str_ne(h1, h2);	/* a fresh salt each time */
	ck_assert_int_eq(sso_pw_verify(h1, "correct horse"), 1);
	ck_assert_int_eq(sso_pw_verify(h1, "correct horsE"), 0);
	ck_assert_int_eq(sso_pw_verify(h1, ""), 0);
	ck_assert_int_eq(sso_pw_verify("$2y$10$bcrypt", "x"), -1);
	ck_assert_int_eq(sso_pw_hash(s, "x", h1, 20), -1);
}
END_TEST

START_TEST(test_lockout)
{
	int64_t	 until = 0;
	int	 i;

	s->s_max_failures = 6;
	s->s_lockout = 7200;
	for (i = 1; i <= 5; i++) {
		ck_assert_int_eq(sso_lock_fail(s, SSO_STEP_PASSWORD,
		    "400000014"), 0);
		ck_assert_int_eq(sso_lock_check(s, SSO_STEP_PASSWORD,
		    "400000014", &until), 0);
		now_ms += 1000;
	}
	/* The 6th failure locks this step for this subject only. */
	ck_assert_int_eq(sso_lock_fail(s, SSO_STEP_PASSWORD, "400000014"), 1);
	ck_assert_int_eq(sso_lock_check(s, SSO_STEP_PASSWORD, "400000014",
	    &until), 1);
	ck_assert_int_eq(until, now_ms / 1000 + 7200);
	ck_assert_int_eq(sso_lock_check(s, SSO_STEP_CODE, "400000014",
	    &until), 0);
	ck_assert_int_eq(sso_lock_check(s, SSO_STEP_PASSWORD, "400000022",
	    &until), 0);
	/* More failures while locked do not extend it or lock again. */
	ck_assert_int_eq(sso_lock_fail(s, SSO_STEP_PASSWORD, "400000014"), 0);
	now_ms += 7199 * 1000;
	ck_assert_int_eq(sso_lock_check(s, SSO_STEP_PASSWORD, "400000014",
	    &until), 1);
	now_ms += 1000;
	ck_assert_int_eq(sso_lock_check(s, SSO_STEP_PASSWORD, "400000014",
	    &until), 0);
	/* After the lock, the count starts again from one. */
	for (i = 1; i <= 5; i++)
		ck_assert_int_eq(sso_lock_fail(s, SSO_STEP_PASSWORD,
		    "400000014"), 0);
	ck_assert_int_eq(sso_lock_reset(s, SSO_STEP_PASSWORD, "400000014"), 0);
	ck_assert_int_eq(sso_lock_fail(s, SSO_STEP_PASSWORD, "400000014"), 0);
	/* Failures older than the lockout time are forgotten. */
	for (i = 1; i <= 4; i++)
		ck_assert_int_eq(sso_lock_fail(s, SSO_STEP_CODE, "7"), 0);
	now_ms += 7201 * 1000;
	for (i = 1; i <= 5; i++)
		ck_assert_int_eq(sso_lock_fail(s, SSO_STEP_CODE, "7"), 0);
	ck_assert_int_eq(sso_lock_fail(s, SSO_STEP_CODE, "7"), 1);
}
END_TEST

static int64_t
make_citizen(const char *nid, const char *status)
{
	struct sso_newacct	 n;
	int64_t			 id = 0;

	memset(&n, 0, sizeof(n));
	n.n_kind = "citizen";
	n.n_national_id = nid;
	n.n_role = SSO_ROLE_CITIZEN;
	n.n_first_name = "Ahmad";
	n.n_family_name = "Odeh";
	n.n_dob = "1985-03-14";
	n.n_mobile = "+970599000001";
	n.n_password = "correct horse";
	n.n_status = status;
	ck_assert_int_eq(sso_account_create(s, &n, &id), 0);
	return id;
}

/* A code that is not c (the next one, wrapping at 999999). */
static void
other_code(const char *c, char out[SSO_CODE_LEN + 1])
{
	const char	*errstr;
	long long	 v = strtonum(c, 0, 999999, &errstr);
	char		 tmp[32];

	ck_assert_ptr_null(errstr);
	(void)snprintf(tmp, sizeof(tmp), "%06lld", (v + 1) % 1000000);
	(void)strlcpy(out, tmp, SSO_CODE_LEN + 1);
}

START_TEST(test_codes)
{
	char	 c1[SSO_CODE_LEN + 1], c2[SSO_CODE_LEN + 1];
	char	 wrong[SSO_CODE_LEN + 1];
	int64_t	 id = make_citizen("400000014", "active");
	int64_t	 n = -1;

	s->s_code_validity = 900;
	ck_assert_int_eq(sso_code_new(s, id, "login", c1), 0);
	ck_assert_uint_eq(strlen(c1), 6);
	ck_assert_uint_eq(strspn(c1, "0123456789"), 6);
	/* Stored hashed, never as the code itself. */
	ck_assert_int_eq(db_query_int64(s->s_db, &n, "SELECT count(*) FROM"
	    " sms_code WHERE code_hash = ? OR hex(code_hash) LIKE"
	    " '%' || hex(?) || '%'", "tt", c1, c1), DB_ROW);
	ck_assert_int_eq(n, 0);
	other_code(c1, wrong);
	ck_assert_int_eq(sso_code_check(s, id, "login", wrong), 0);
	ck_assert_int_eq(sso_code_check(s, id, "reset", c1), 2);
	ck_assert_int_eq(sso_code_check(s, id, "login", c1), 1);
	/* Used up. */
	ck_assert_int_eq(sso_code_check(s, id, "login", c1), 2);

	/* Valid for 15 minutes, not a second more. */
	ck_assert_int_eq(sso_code_new(s, id, "login", c1), 0);
	other_code(c1, wrong);
	now_ms += 899 * 1000;
	ck_assert_int_eq(sso_code_check(s, id, "login", wrong), 0);
	now_ms += 1000;
	ck_assert_int_eq(sso_code_check(s, id, "login", c1), 2);
	now_ms -= 1000;
	ck_assert_int_eq(sso_code_check(s, id, "login", c1), 1);
	now_ms += 1000;

	/* A new code voids the one before. */
	ck_assert_int_eq(sso_code_new(s, id, "login", c1), 0);
	ck_assert_int_eq(sso_code_new(s, id, "login", c2), 0);
	if (strcmp(c1, c2) != 0)
		ck_assert_int_eq(sso_code_check(s, id, "login", c1), 0);
	ck_assert_int_eq(sso_code_check(s, id, "login", c2), 1);
	ck_assert_int_eq(sso_code_new(s, id, "login", c1), 0);
	ck_assert_int_eq(sso_code_void(s, id, "login"), 0);
	ck_assert_int_eq(sso_code_check(s, id, "login", c1), 2);
}
END_TEST

START_TEST(test_accounts)
{
	struct sso_account	 a;
	char			 hash[256];
	int64_t			 id, off, n = -1;

	id = make_citizen("400000014", "pending");
	ck_assert_int_gt(id, 0);
	ck_assert_int_eq(sso_account_by_nid(s, "400000014", &a), 1);
	ck_assert_str_eq(a.a_status, "pending");
	ck_assert_str_eq(a.a_acr, "low");
	ck_assert_str_eq(a.a_role, "citizen");
	ck_assert_int_eq(sso_account_by_nid(s, "400000022", &a), 0);
	ck_assert_int_eq(sso_account_by_login(s, "400 000 014", &a, hash,
	    sizeof(hash)), 1);
	ck_assert_int_eq(sso_pw_verify(hash, "correct horse"), 1);
	/* One account per national ID. */
	{
		struct sso_newacct	 d;

		memset(&d, 0, sizeof(d));
		d.n_kind = "citizen";
		d.n_national_id = "400000014";
		d.n_role = SSO_ROLE_CITIZEN;
		d.n_first_name = d.n_family_name = "X";
		d.n_mobile = "+970599000009";
		d.n_password = "whatever else";
		d.n_status = "pending";
		ck_assert_int_eq(sso_account_create(s, &d, &n), -2);
		/* Staff: a user name, a role. */
		d.n_kind = "staff";
		d.n_national_id = NULL;
		d.n_username = "officer.moi";
		d.n_role = SSO_ROLE_INTERIOR;
		d.n_office = "Ramallah";
		d.n_status = "active";
		ck_assert_int_eq(sso_account_create(s, &d, &off), 0);
	}
	ck_assert_int_eq(sso_account_by_login(s, "officer.moi", &a, NULL, 0),
	    1);
	ck_assert_int_eq(sso_account_is(&a, SSO_ROLE_INTERIOR), 1);
	ck_assert_int_eq(sso_account_is(&a, SSO_ROLE_POST), 0);
	/* Activation: once, audited by the caller, acr recorded. */
	ck_assert_int_eq(sso_account_activate(s, id, "in-person",
	    "substantial", off, "Ramallah"), 0);
	ck_assert_int_eq(sso_account_activate(s, id, "in-person",
	    "substantial", off, "Ramallah"), -2);
	ck_assert_int_eq(sso_account_by_id(s, id, &a), 1);
	ck_assert_str_eq(a.a_status, "active");
	ck_assert_str_eq(a.a_acr, "substantial");
	ck_assert_str_eq(a.a_route, "in-person");
	ck_assert_int_eq(db_query_int64(s->s_db, &n, "SELECT activated_by"
	    " FROM account WHERE id = ?", "I", id), DB_ROW);
	ck_assert_int_eq(n, off);
	ck_assert_int_eq(sso_audit(s, SSO_EV_ACTIVATE, id, off, "127.0.0.1",
	    json_pack("{s:s}", "where", "Ramallah")), 0);
	ck_assert_int_eq(sso_audit(s, SSO_EV_LOGIN_ERROR, 0, 0, NULL, NULL),
	    0);
	ck_assert_int_eq(db_query_int64(s->s_db, &n, "SELECT count(*) FROM"
	    " audit WHERE account_id IS NULL AND actor_id IS NULL", ""),
	    DB_ROW);
	ck_assert_int_eq(n, 1);
}
END_TEST

/* A getPersonResponse as the civil register answers it. */
static struct soap_msg *
cr_answer(const char *found, const char *person)
{
	char		 xml[4096];
	struct soap_msg	*m = NULL;
	struct xr_err	 xe;

	(void)snprintf(xml, sizeof(xml),
	    "<?xml version=\"1.0\" encoding=\"UTF-8\"?>"
	    "<SOAP-ENV:Envelope xmlns:SOAP-ENV=\"http://schemas.xmlsoap.org/"
	    "soap/envelope/\" xmlns:xrd=\"http://x-road.eu/xsd/xroad.xsd\" "
	    "xmlns:id=\"http://x-road.eu/xsd/identifiers\"><SOAP-ENV:Header>"
	    "<xrd:client id:objectType=\"SUBSYSTEM\"><id:xRoadInstance>PS"
	    "</id:xRoadInstance><id:memberClass>GOV</id:memberClass>"
	    "<id:memberCode>MTIT</id:memberCode><id:subsystemCode>SSO"
	    "</id:subsystemCode></xrd:client><xrd:service id:objectType="
	    "\"SERVICE\"><id:xRoadInstance>PS</id:xRoadInstance><id:memberClass>"
	    "GOV</id:memberClass><id:memberCode>MOI</id:memberCode>"
	    "<id:subsystemCode>CIVIL-REGISTER</id:subsystemCode><id:serviceCode>"
	    "getPerson</id:serviceCode></xrd:service><xrd:id>1</xrd:id>"
	    "<xrd:protocolVersion>4.0</xrd:protocolVersion></SOAP-ENV:Header>"
	    "<SOAP-ENV:Body><cr:getPersonResponse xmlns:cr=\"http://moi.gov.ps/"
	    "civil-register\"><cr:found>%s</cr:found>%s</cr:getPersonResponse>"
	    "</SOAP-ENV:Body></SOAP-ENV:Envelope>", found, person);
	ck_assert_msg(soap_parse(xml, strlen(xml), "text/xml", 1 << 20,
	    SOAP_RESPONSE, &m, &xe) == 0, "%s", xe.xe_msg);
	return m;
}

#define AHMAD \
	"<cr:person><cr:nationalId>400000014</cr:nationalId><cr:nameAr>" \
	"<cr:first>\xd8\xa3\xd8\xad\xd9\x85\xd8\xaf</cr:first><cr:father>x" \
	"</cr:father><cr:grandfather>x</cr:grandfather><cr:family>" \
	"\xd8\xb9\xd9\x88\xd8\xaf\xd8\xa9</cr:family></cr:nameAr><cr:nameEn>" \
	"<cr:first>Ahmad</cr:first><cr:father>Mahmoud</cr:father>" \
	"<cr:grandfather>Khalil</cr:grandfather><cr:family>Odeh</cr:family>" \
	"</cr:nameEn><cr:dateOfBirth>1985-03-14</cr:dateOfBirth><cr:sex>M" \
	"</cr:sex><cr:status>%s</cr:status></cr:person>"

START_TEST(test_civil_register)
{
	struct soap_msg		*m;
	struct sso_person	 p;
	char			 person[2048];

	(void)snprintf(person, sizeof(person), AHMAD, "alive");
	m = cr_answer("true", person);
	ck_assert_int_eq(sso_cr_parse(m, &p), 0);
	soap_msg_free(m);
	ck_assert_int_eq(p.p_found, 1);
	ck_assert_str_eq(p.p_first_en, "Ahmad");
	ck_assert_str_eq(p.p_dob, "1985-03-14");
	ck_assert_int_eq(sso_cr_match(&p, "ahmad", "ODEH", "1985-03-14"), 1);
	/* Arabic spelling, without hamza and with haa for taa marbuta. */
	ck_assert_int_eq(sso_cr_match(&p, "\xd8\xa7\xd8\xad\xd9\x85\xd8\xaf",
	    "\xd8\xb9\xd9\x88\xd8\xaf\xd9\x87", "1985-03-14"), 1);
	ck_assert_int_eq(sso_cr_match(&p, "Ahmad", "Odeh", "1985-03-15"), 0);
	ck_assert_int_eq(sso_cr_match(&p, "Omar", "Odeh", "1985-03-14"), 0);
	ck_assert_int_eq(sso_cr_match(&p, "Ahmad", "Haddad", "1985-03-14"), 0);
	/* The father's name is not the first name. */
	ck_assert_int_eq(sso_cr_match(&p, "Mahmoud", "Odeh", "1985-03-14"), 0);

	(void)snprintf(person, sizeof(person), AHMAD, "deceased");
	m = cr_answer("true", person);
	ck_assert_int_eq(sso_cr_parse(m, &p), 0);
	soap_msg_free(m);
	ck_assert_int_eq(sso_cr_match(&p, "Ahmad", "Odeh", "1985-03-14"), 0);

	m = cr_answer("false", "");
	ck_assert_int_eq(sso_cr_parse(m, &p), 0);
	soap_msg_free(m);
	ck_assert_int_eq(p.p_found, 0);
	ck_assert_int_eq(sso_cr_match(&p, "Ahmad", "Odeh", "1985-03-14"), 0);

	m = cr_answer("maybe", "");
	ck_assert_int_eq(sso_cr_parse(m, &p), -1);
	soap_msg_free(m);
	m = cr_answer("true", "");
	ck_assert_int_eq(sso_cr_parse(m, &p), -1);
	soap_msg_free(m);
}
END_TEST

START_TEST(test_conf)
{
	struct conf	*c = NULL;
	struct sso	*t = NULL;
	char		 err[512];

	ck_assert_msg(conf_table_validate(sso_conf_table, err,
	    sizeof(err)) == 0, "%s", err);
	/* The shipped templates, catalogues, CSS and list load. */
	ck_assert_int_eq(sso_new(conf, NULL, &t, err, sizeof(err)), 0);
	sso_free(t);
	t = NULL;
	ck_assert_int_eq(load_conf("[sso]\npublic-url = ftp://x\n", &c, err,
	    sizeof(err)), -1);	/* [sso] twice */
	ck_assert_int_eq(load_conf("[login]\nmax-failures = 0\n", &c, err,
	    sizeof(err)), -1);
	ck_assert_int_eq(load_conf("[password]\nmin-length = 6\n", &c, err,
	    sizeof(err)), -1);
	ck_assert_int_eq(load_conf("[session]\nidle = 2h\nabsolute = 1h\n",
	    &c, err, sizeof(err)), 0);
	ck_assert_int_eq(sso_new(c, NULL, &t, err, sizeof(err)), -1);
	ck_assert_msg(strstr(err, "absolute") != NULL, "%s", err);
	conf_free(c);
	c = NULL;
	ck_assert_int_eq(load_conf("[xroad]\nclient = PS/GOV\n", &c, err,
	    sizeof(err)), 0);
	ck_assert_int_eq(sso_new(c, NULL, &t, err, sizeof(err)), -1);
	ck_assert_msg(strstr(err, "client") != NULL, "%s", err);
	conf_free(c);
	c = NULL;
	ck_assert_int_eq(load_conf("[sms]\ngateway = http\n", &c, err,
	    sizeof(err)), 0);
	ck_assert_int_eq(sso_new(c, NULL, &t, err, sizeof(err)), -1);
	ck_assert_msg(strstr(err, "url") != NULL, "%s", err);
	conf_free(c);
}
END_TEST

/* Collect "err.x" / "sms.x" keys quoted in a C file, {{@x}} in a template. */
static void
keys_in(const char *path, int tmpl, json_t *keys)
{
	FILE	*f;
	char	 line[4096], *p, *e, key[128];

	ck_assert_ptr_nonnull(f = fopen(path, "r"));
	while (fgets(line, sizeof(line), f) != NULL) {
		for (p = line; (p = strstr(p, tmpl ? "{{@" : "\"")) != NULL;
		    p = e) {
			p += tmpl ? 3 : 1;
			e = p + strspn(p, "abcdefghijklmnopqrstuvwxyz0123456789_.");
			if (e == p || (size_t)(e - p) >= sizeof(key))
				continue;
			memcpy(key, p, (size_t)(e - p));
			key[e - p] = '\0';
			if (tmpl ? *e == '}' : (*e == '"' &&
			    (strncmp(key, "err.", 4) == 0 ||
			    strncmp(key, "sms.", 4) == 0)))
				(void)json_object_set_new(keys, key,
				    json_true());
			if (!tmpl && *e == '"')
				e++;
		}
	}
	fclose(f);
}

START_TEST(test_catalogues)
{
	struct i18n	*t = i18n_new();
	DIR		*d;
	struct dirent	*de;
	json_t		*keys = json_object(), *v;
	const char	*k, *langs[] = { "ar", "en", NULL };
	char		 path[PATH_MAX + 300], err[512];
	size_t		 i, n;

	(void)snprintf(path, sizeof(path), "%s/hukumati-services/sso/po",
	    srcdir);
	ck_assert_msg(i18n_load_dir(t, path, langs, err, sizeof(err)) == 0,
	    "%s", err);
	/* The same keys in both languages. */
	n = i18n_count(t, "ar");
	ck_assert_uint_eq(n, i18n_count(t, "en"));
	for (i = 0; i < n; i++)
		ck_assert_msg(i18n_has(t, "en", i18n_key_at(t, "ar", i)),
		    "en.po lacks %s", i18n_key_at(t, "ar", i));
	/* Every key the templates and the code use is translated. */
	(void)snprintf(path, sizeof(path), "%s/hukumati-services/sso",
	    srcdir);
	ck_assert_ptr_nonnull(d = opendir(path));
	while ((de = readdir(d)) != NULL) {
		n = strlen(de->d_name);
		if (n > 2 && strcmp(de->d_name + n - 2, ".c") == 0) {
			(void)snprintf(path, sizeof(path),
			    "%s/hukumati-services/sso/%s", srcdir, de->d_name);
			keys_in(path, 0, keys);
		}
	}
	closedir(d);
	(void)snprintf(path, sizeof(path),
	    "%s/hukumati-services/sso/templates", srcdir);
	ck_assert_ptr_nonnull(d = opendir(path));
	while ((de = readdir(d)) != NULL) {
		n = strlen(de->d_name);
		if (n > 5 && strcmp(de->d_name + n - 5, ".html") == 0) {
			(void)snprintf(path, sizeof(path),
			    "%s/hukumati-services/sso/templates/%s", srcdir,
			    de->d_name);
			keys_in(path, 1, keys);
		}
	}
	closedir(d);
	ck_assert_uint_gt(json_object_size(keys), 50);
	json_object_foreach(keys, k, v) {
		ck_assert_msg(i18n_has(t, "ar", k), "ar.po lacks %s", k);
		ck_assert_msg(i18n_has(t, "en", k), "en.po lacks %s", k);
	}
	json_decref(keys);
	i18n_free(t);
}
END_TEST

START_TEST(test_manpage)
{
	FILE	*f;
	char	 path[PATH_MAX + 64], missing[1024];
	char	*text;
	long	 n;

	find_srcdir();
	(void)snprintf(path, sizeof(path), "%s/man/hukumati-sso.8", srcdir);
	ck_assert_ptr_nonnull(f = fopen(path, "r"));
	ck_assert_int_eq(fseek(f, 0, SEEK_END), 0);
	n = ftell(f);
	rewind(f);
	ck_assert_ptr_nonnull(text = calloc(1, (size_t)n + 1));
	ck_assert_uint_eq(fread(text, 1, (size_t)n, f), (size_t)n);
	fclose(f);
	ck_assert_msg(conf_table_check_manpage(sso_conf_table, text, missing,
	    sizeof(missing)) == 0, "hukumati-sso.8 lacks: %s", missing);
	free(text);
}
END_TEST

static Suite *
sso_suite(void)
{
	Suite	*su = suite_create("sso");
	TCase	*tc = tcase_create("rules");
	TCase	*td = tcase_create("database");

	tcase_add_test(tc, test_nid);
	tcase_add_test(tc, test_mobile);
	tcase_add_test(tc, test_dob);
	tcase_add_test(tc, test_email_names);
	tcase_add_test(tc, test_civil_register);
	tcase_add_test(tc, test_manpage);
	suite_add_tcase(su, tc);
	tcase_add_checked_fixture(td, setup, teardown);
	tcase_add_test(td, test_password_policy);
	tcase_add_test(td, test_shipped_list);
	tcase_add_test(td, test_argon2);
	tcase_add_test(td, test_lockout);
	tcase_add_test(td, test_codes);
	tcase_add_test(td, test_accounts);
	tcase_add_test(td, test_conf);
	tcase_add_test(td, test_catalogues);
	suite_add_tcase(su, td);
	return su;
}

HK_CHECK_MAIN(sso_suite)
