/*
 * Unit tests for hukumati-services/common/session.c: ids and cookies,
 * loading, idle and absolute expiry with an injected clock, rotation,
 * data, destroy, purge, and the CSRF check.
 */
#include "config.h"

#include <stdio.h>
#include <string.h>

#include <event2/http.h>
#include <event2/keyvalq_struct.h>

#include "db.h"
#include "session.h"
#include "web.h"
#include "hk_check.h"

static struct db	*db;
static struct sess_store *st;
static int64_t		 now_ms;

static int64_t
test_clock(void *arg)
{
	(void)arg;
	return now_ms;
}

static const char *const migrations[] = { SESS_MIGRATION };

static void
setup(void)
{
	struct sess_conf	 c;

	now_ms = 1700000000000LL;
	ck_assert_int_eq(db_open(":memory:", 0, &db), 0);
	ck_assert_int_eq(db_migrate(db, migrations, 1), 0);
	memset(&c, 0, sizeof(c));
	c.sc_idle = 600;
	c.sc_absolute = 3600;
	c.sc_clock = test_clock;
	st = sess_store_new(db, &c);
	ck_assert_ptr_nonnull(st);
}

static void
teardown(void)
{
	sess_store_free(st);
	db_close(db);
}

/* A request carrying cookie "hk_session=id". */
static struct evhttp_request *
req_with(const char *id)
{
	struct evhttp_request	*r = evhttp_request_new(NULL, NULL);
	char			 v[256];

	ck_assert_ptr_nonnull(r);
	if (id != NULL) {
		(void)snprintf(v, sizeof(v), "lang=ar; hk_session=%s; x=1", id);
		evhttp_add_header(evhttp_request_get_input_headers(r),
		    "Cookie", v);
	}
	return r;
}

/* The Set-Cookie header of a response, or NULL. */
static const char *
set_cookie(struct evhttp_request *r)
{
	return evhttp_find_header(evhttp_request_get_output_headers(r),
	    "Set-Cookie");
}

START_TEST(test_start_new)
{
	struct evhttp_request	*r = req_with(NULL);
	struct sess		*s = NULL;
	const char		*c;
	size_t			 i;

	ck_assert_int_eq(sess_start(st, r, &s), 0);
	ck_assert_ptr_nonnull(s);
	ck_assert_uint_eq(strlen(sess_id(s)), SESS_ID_LEN);
	for (i = 0; i < SESS_ID_LEN; i++)
		ck_assert(strchr("0123456789abcdef", sess_id(s)[i]) != NULL);
	ck_assert_uint_eq(strlen(sess_csrf(s)), SESS_CSRF_LEN);
	ck_assert_str_ne(sess_id(s), sess_csrf(s));
	c = set_cookie(r);
	ck_assert_ptr_nonnull(c);
	ck_assert(strncmp(c, "hk_session=", 11) == 0);
	ck_assert(strstr(c, sess_id(s)) != NULL);
	ck_assert(strstr(c, "; HttpOnly") != NULL);
	ck_assert(strstr(c, "; SameSite=Lax") != NULL);
	ck_assert(strstr(c, "; Path=/") != NULL);
	ck_assert(strstr(c, "Secure") == NULL);
	ck_assert(strstr(c, "Max-Age") == NULL);
	sess_free(s);
	evhttp_request_free(r);
}
END_TEST

START_TEST(test_id_not_stored)
{
	struct sess	*s = NULL;
	int64_t		 n = -1;

	ck_assert_int_eq(sess_start(st, NULL, &s), 0);
	/* The database holds a hash, never the id itself. */
	ck_assert_int_eq(db_query_int64(db, &n, "SELECT count(*) FROM"
	    " web_session WHERE hex(id_hash) = upper(?) OR id_hash = ?", "tt",
	    sess_id(s), sess_id(s)), DB_ROW);
	ck_assert_int_eq(n, 0);
	ck_assert_int_eq(db_query_int64(db, &n, "SELECT count(*) FROM"
	    " web_session", ""), DB_ROW);
	ck_assert_int_eq(n, 1);
	sess_free(s);
}
END_TEST

START_TEST(test_load_and_data)
{
	struct evhttp_request	*r;
	struct sess		*s = NULL, *t = NULL;
	char			 id[SESS_ID_LEN + 1], csrf[SESS_CSRF_LEN + 1];

	ck_assert_int_eq(sess_start(st, NULL, &s), 0);
	(void)snprintf(id, sizeof(id), "%s", sess_id(s));
	(void)snprintf(csrf, sizeof(csrf), "%s", sess_csrf(s));
	ck_assert_int_eq(sess_set(s, "uid", "42"), 0);
	ck_assert_int_eq(sess_set_int(s, "auth_time", 1234), 0);
	ck_assert_int_eq(sess_save(st, s), 0);
	sess_free(s);

	r = req_with(id);
	ck_assert_int_eq(sess_load(st, r, &t), 1);
	ck_assert_str_eq(sess_get(t, "uid"), "42");
	ck_assert_int_eq(sess_get_int(t, "auth_time", 0), 1234);
	ck_assert_int_eq(sess_get_int(t, "nope", -7), -7);
	ck_assert_ptr_null(sess_get(t, "auth_time"));
	ck_assert_str_eq(sess_csrf(t), csrf);
	/* sess_start on a live session keeps it and sets no cookie. */
	sess_free(t);
	t = NULL;
	ck_assert_int_eq(sess_start(st, r, &t), 0);
	ck_assert_str_eq(sess_id(t), id);
	ck_assert_ptr_null(set_cookie(r));
	ck_assert_int_eq(sess_set(t, "uid", NULL), 0);
	ck_assert_int_eq(sess_save(st, t), 0);
	sess_free(t);
	t = NULL;
	ck_assert_int_eq(sess_load(st, r, &t), 1);
	ck_assert_ptr_null(sess_get(t, "uid"));
	sess_free(t);
	evhttp_request_free(r);
}
END_TEST

START_TEST(test_bad_cookies)
{
	struct evhttp_request	*r;
	struct sess		*s = NULL;
	char			 id[SESS_ID_LEN + 1];

	/* Unknown, short, upper-case, non-hex ids: no session. */
	memset(id, 'a', SESS_ID_LEN);
	id[SESS_ID_LEN] = '\0';
	r = req_with(id);
	ck_assert_int_eq(sess_load(st, r, &s), 0);
	ck_assert_ptr_null(s);
	evhttp_request_free(r);
	r = req_with("abc");
	ck_assert_int_eq(sess_load(st, r, &s), 0);
	evhttp_request_free(r);
	ck_assert_int_eq(sess_start(st, NULL, &s), 0);
	(void)snprintf(id, sizeof(id), "%s", sess_id(s));
	sess_free(s);
	s = NULL;
	id[0] = id[0] == 'A' ? 'B' : 'A';
	r = req_with(id);
	ck_assert_int_eq(sess_load(st, r, &s), 0);
	evhttp_request_free(r);
	r = req_with(NULL);
	ck_assert_int_eq(sess_load(st, r, &s), 0);
	evhttp_request_free(r);
}
END_TEST

START_TEST(test_idle_expiry)
{
	struct evhttp_request	*r;
	struct sess		*s = NULL;
	char			 id[SESS_ID_LEN + 1];

	ck_assert_int_eq(sess_start(st, NULL, &s), 0);
	(void)snprintf(id, sizeof(id), "%s", sess_id(s));
	sess_free(s);
	s = NULL;
	r = req_with(id);
	/* Used every 599 s: alive past the idle time. */
	now_ms += 599 * 1000;
	ck_assert_int_eq(sess_load(st, r, &s), 1);
	sess_free(s);
	s = NULL;
	now_ms += 599 * 1000;
	ck_assert_int_eq(sess_load(st, r, &s), 1);
	sess_free(s);
	s = NULL;
	/* 600 s idle: gone, and deleted. */
	now_ms += 600 * 1000;
	ck_assert_int_eq(sess_load(st, r, &s), 0);
	now_ms -= 600 * 1000;
	ck_assert_int_eq(sess_load(st, r, &s), 0);
	evhttp_request_free(r);
}
END_TEST

START_TEST(test_absolute_expiry)
{
	struct evhttp_request	*r;
	struct sess		*s = NULL;
	char			 id[SESS_ID_LEN + 1];
	int			 i;

	ck_assert_int_eq(sess_start(st, NULL, &s), 0);
	(void)snprintf(id, sizeof(id), "%s", sess_id(s));
	sess_free(s);
	s = NULL;
	r = req_with(id);
	for (i = 0; i < 11; i++) {
		now_ms += 300 * 1000;	/* active, never idle */
		ck_assert_int_eq(sess_load(st, r, &s), 1);
		sess_free(s);
		s = NULL;
	}
	now_ms += 300 * 1000;		/* 3600 s since it began */
	ck_assert_int_eq(sess_load(st, r, &s), 0);
	evhttp_request_free(r);
}
END_TEST

START_TEST(test_rotate)
{
	struct evhttp_request	*r, *r2;
	struct sess		*s = NULL, *t = NULL;
	char			 id[SESS_ID_LEN + 1], csrf[SESS_CSRF_LEN + 1];
	const char		*c;
	int			 i;

	ck_assert_int_eq(sess_start(st, NULL, &s), 0);
	(void)snprintf(id, sizeof(id), "%s", sess_id(s));
	(void)snprintf(csrf, sizeof(csrf), "%s", sess_csrf(s));
	ck_assert_int_eq(sess_set(s, "lang", "en"), 0);
	now_ms += 3000 * 1000;
	r = req_with(NULL);
	ck_assert_int_eq(sess_rotate(st, r, s), 0);
	ck_assert_str_ne(sess_id(s), id);
	ck_assert_str_ne(sess_csrf(s), csrf);
	c = set_cookie(r);
	ck_assert_ptr_nonnull(c);
	ck_assert(strstr(c, sess_id(s)) != NULL);
	/* The old id opens nothing, the new one the same data. */
	r2 = req_with(id);
	ck_assert_int_eq(sess_load(st, r2, &t), 0);
	evhttp_request_free(r2);
	r2 = req_with(sess_id(s));
	ck_assert_int_eq(sess_load(st, r2, &t), 1);
	ck_assert_str_eq(sess_get(t, "lang"), "en");
	sess_free(t);
	t = NULL;
	/* The absolute timer restarted at the rotation (5500 s after the
	 * session began, 2500 s after the rotation). */
	for (i = 0; i < 5; i++) {
		now_ms += 500 * 1000;
		ck_assert_int_eq(sess_load(st, r2, &t), 1);
		sess_free(t);
		t = NULL;
	}
	evhttp_request_free(r2);
	evhttp_request_free(r);
	sess_free(s);
}
END_TEST

START_TEST(test_destroy_and_purge)
{
	struct evhttp_request	*r;
	struct sess		*s = NULL, *t = NULL;
	const char		*c;
	int64_t			 n = -1;

	ck_assert_int_eq(sess_start(st, NULL, &s), 0);
	r = req_with(sess_id(s));
	ck_assert_int_eq(sess_destroy(st, r, s), 0);
	c = set_cookie(r);
	ck_assert_ptr_nonnull(c);
	ck_assert(strncmp(c, "hk_session=;", 12) == 0);
	ck_assert(strstr(c, "Max-Age=0") != NULL);
	ck_assert_int_eq(sess_load(st, r, &t), 0);
	evhttp_request_free(r);
	sess_free(s);
	s = NULL;

	ck_assert_int_eq(sess_start(st, NULL, &s), 0);
	sess_free(s);
	s = NULL;
	now_ms += 100 * 1000;
	ck_assert_int_eq(sess_start(st, NULL, &s), 0);
	sess_free(s);
	ck_assert_int_eq(sess_purge(st), 0);
	now_ms += 550 * 1000;	/* the first is 650 s idle, the second 550 */
	ck_assert_int_eq(sess_purge(st), 1);
	ck_assert_int_eq(db_query_int64(db, &n, "SELECT count(*) FROM"
	    " web_session", ""), DB_ROW);
	ck_assert_int_eq(n, 1);
}
END_TEST

START_TEST(test_csrf)
{
	struct sess	*s = NULL, *t = NULL;
	char		 tok[SESS_CSRF_LEN + 2];

	ck_assert_int_eq(sess_start(st, NULL, &s), 0);
	ck_assert_int_eq(sess_start(st, NULL, &t), 0);
	ck_assert_int_eq(sess_csrf_ok(s, sess_csrf(s)), 1);
	ck_assert_int_eq(sess_csrf_ok(s, NULL), 0);
	ck_assert_int_eq(sess_csrf_ok(s, ""), 0);
	/* Another session's token is not this one's. */
	ck_assert_int_eq(sess_csrf_ok(s, sess_csrf(t)), 0);
	(void)snprintf(tok, sizeof(tok), "%s", sess_csrf(s));
	tok[SESS_CSRF_LEN - 1] = tok[SESS_CSRF_LEN - 1] == '0' ? '1' : '0';
	ck_assert_int_eq(sess_csrf_ok(s, tok), 0);
	/* A prefix or a longer string is refused. */
	(void)snprintf(tok, sizeof(tok), "%s", sess_csrf(s));
	tok[10] = '\0';
	ck_assert_int_eq(sess_csrf_ok(s, tok), 0);
	(void)snprintf(tok, sizeof(tok), "%sa", sess_csrf(s));
	ck_assert_int_eq(sess_csrf_ok(s, tok), 0);
	sess_free(s);
	sess_free(t);
}
END_TEST

START_TEST(test_secure_strict_cookie)
{
	struct sess_conf	 c;
	struct sess_store	*st2;
	struct sess		*s = NULL;
	char			 v[512];

	memset(&c, 0, sizeof(c));
	c.sc_cookie = "sso";
	c.sc_idle = 10;
	c.sc_absolute = 20;
	c.sc_secure = 1;
	c.sc_samesite = WEB_SAMESITE_STRICT;
	c.sc_clock = test_clock;
	ck_assert_ptr_nonnull(st2 = sess_store_new(db, &c));
	ck_assert_int_eq(sess_start(st2, NULL, &s), 0);
	ck_assert_int_eq(sess_cookie(st2, s, v, sizeof(v)), 0);
	ck_assert(strncmp(v, "sso=", 4) == 0);
	ck_assert(strstr(v, "; HttpOnly; Secure; SameSite=Strict") != NULL);
	sess_free(s);
	sess_store_free(st2);
	/* Bad settings are refused. */
	c.sc_absolute = 5;
	ck_assert_ptr_null(sess_store_new(db, &c));
	c.sc_absolute = 20;
	c.sc_samesite = WEB_SAMESITE_NONE;
	ck_assert_ptr_null(sess_store_new(db, &c));
}
END_TEST

static Suite *
session_suite(void)
{
	Suite	*s = suite_create("session");
	TCase	*tc = tcase_create("session");

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, test_start_new);
	tcase_add_test(tc, test_id_not_stored);
	tcase_add_test(tc, test_load_and_data);
	tcase_add_test(tc, test_bad_cookies);
	tcase_add_test(tc, test_idle_expiry);
	tcase_add_test(tc, test_absolute_expiry);
	tcase_add_test(tc, test_rotate);
	tcase_add_test(tc, test_destroy_and_purge);
	tcase_add_test(tc, test_csrf);
	tcase_add_test(tc, test_secure_strict_cookie);
	suite_add_tcase(s, tc);
	return s;
}

HK_CHECK_MAIN(session_suite)
