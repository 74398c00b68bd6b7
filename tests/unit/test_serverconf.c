/* Unit tests for serverconf.c: clients, services, access rights. */
#include "config.h"

#include <string.h>

#include "db.h"
#include "securityserverd.h"
#include "hk_check.h"

static struct xrid
id(const char *doc)
{
	struct xrid	x;
	char		err[XRID_ERR_MAX];

	ck_assert_msg(xrid_parse_doc(&x, doc, 0, err, sizeof(err)) == 0,
	    "%s: %s", doc, err);
	return x;
}

static int
gg(void *arg, const struct xrid *group, const struct xrid *client)
{
	struct xrid sso = id("SUBSYSTEM:PS/GOV/MTIT/SSO");

	(void)arg;
	return strcmp(group->group_code, "ministries") == 0 &&
	    xrid_equal(client, &sso);
}

static struct db *
setup(void)
{
	struct db	*db;
	struct xrid	 prov = id("SUBSYSTEM:PS/GOV/MOI/CIVIL-REGISTER");
	struct xrid	 svc = id("SERVICE:PS/GOV/MOI/CIVIL-REGISTER/getPerson/v1");
	struct xrid	 rest = id("SERVICE:PS/GOV/MOI/CIVIL-REGISTER/persons");
	struct xrid	 portal = id("SUBSYSTEM:PS/GOV/MTIT/PORTAL");

	ck_assert_int_eq(serverconf_open(":memory:", 0, &db), 0);
	ck_assert_int_eq(serverconf_client_add(db, &prov, "NOSSL"), 0);
	ck_assert_int_eq(serverconf_service_add(db, &svc, 0,
	    "http://127.0.0.1:8210/soap", 30, ""), 0);
	ck_assert_int_eq(serverconf_service_add(db, &rest, 1,
	    "http://127.0.0.1:8210/rest", 30, ""), 0);
	ck_assert_int_eq(serverconf_right_grant(db, &svc, &portal, NULL,
	    NULL), 0);
	ck_assert_int_eq(serverconf_right_grant(db, &rest, &portal, "GET",
	    "/persons/*"), 0);
	return db;
}

START_TEST(test_lookup_and_soap_rights)
{
	struct db		*db = setup();
	struct serverconf	*sc;
	struct xrid		 prov = id("SUBSYSTEM:PS/GOV/MOI/CIVIL-REGISTER");
	struct xrid		 svc = id("SERVICE:PS/GOV/MOI/CIVIL-REGISTER/getPerson");
	struct xrid		 other = id("SERVICE:PS/GOV/MOI/CIVIL-REGISTER/nope");
	struct xrid		 portal = id("SUBSYSTEM:PS/GOV/MTIT/PORTAL");
	struct xrid		 sso = id("SUBSYSTEM:PS/GOV/MTIT/SSO");
	struct xrid		 mtit = id("MEMBER:PS/GOV/MTIT");
	const struct sc_service	*s;

	ck_assert_int_eq(serverconf_load(db, &sc), 0);
	ck_assert_ptr_nonnull(serverconf_client(sc, &prov));
	ck_assert_ptr_null(serverconf_client(sc, &portal));
	s = serverconf_service(sc, &svc);
	ck_assert_ptr_nonnull(s);
	ck_assert_str_eq(s->s_url, "http://127.0.0.1:8210/soap");
	ck_assert_str_eq(s->s_id.service_version, "v1");
	ck_assert_ptr_null(serverconf_service(sc, &other));
	ck_assert(serverconf_allowed(sc, &portal, &svc, NULL, NULL, gg, NULL));
	ck_assert(!serverconf_allowed(sc, &sso, &svc, NULL, NULL, gg, NULL));
	/* A right for a subsystem does not extend to its member. */
	ck_assert(!serverconf_allowed(sc, &mtit, &svc, NULL, NULL, gg, NULL));
	serverconf_free(sc);
	db_close(db);
}
END_TEST

START_TEST(test_rest_rights_and_groups)
{
	struct db		*db = setup();
	struct serverconf	*sc;
	struct xrid		 rest = id("SERVICE:PS/GOV/MOI/CIVIL-REGISTER/persons");
	struct xrid		 svc = id("SERVICE:PS/GOV/MOI/CIVIL-REGISTER/getPerson");
	struct xrid		 portal = id("SUBSYSTEM:PS/GOV/MTIT/PORTAL");
	struct xrid		 sso = id("SUBSYSTEM:PS/GOV/MTIT/SSO");
	struct xrid		 group = id("GLOBALGROUP:PS/ministries");

	ck_assert_int_eq(serverconf_right_grant(db, &svc, &group, NULL, NULL),
	    0);
	ck_assert_int_eq(serverconf_load(db, &sc), 0);
	ck_assert(serverconf_allowed(sc, &portal, &rest, "GET",
	    "/persons/123", gg, NULL));
	ck_assert(serverconf_allowed(sc, &portal, &rest, "GET",
	    "/persons/x/../123", gg, NULL));
	ck_assert(!serverconf_allowed(sc, &portal, &rest, "POST",
	    "/persons/123", gg, NULL));
	ck_assert(!serverconf_allowed(sc, &portal, &rest, "GET",
	    "/persons/123/photo", gg, NULL));
	ck_assert(!serverconf_allowed(sc, &portal, &rest, "GET",
	    "/../persons/123", gg, NULL));
	/* Global group membership comes from the callback. */
	ck_assert(serverconf_allowed(sc, &sso, &svc, NULL, NULL, gg, NULL));
	serverconf_free(sc);

	ck_assert_int_eq(serverconf_right_revoke(db, &svc, &group, NULL,
	    NULL), 0);
	ck_assert_int_eq(serverconf_load(db, &sc), 0);
	ck_assert(!serverconf_allowed(sc, &sso, &svc, NULL, NULL, gg, NULL));
	serverconf_free(sc);
	db_close(db);
}
END_TEST

START_TEST(test_local_groups)
{
	struct db		*db = setup();
	struct serverconf	*sc;
	struct xrid		 prov = id("SUBSYSTEM:PS/GOV/MOI/CIVIL-REGISTER");
	struct xrid		 svc = id("SERVICE:PS/GOV/MOI/CIVIL-REGISTER/getPerson");
	struct xrid		 sso = id("SUBSYSTEM:PS/GOV/MTIT/SSO");
	struct xrid		 lg = id("LOCALGROUP:ministries");

	ck_assert_int_eq(serverconf_group_add(db, &prov, "ministries",
	    "Ministries"), 0);
	ck_assert_int_eq(serverconf_right_grant(db, &svc, &lg, NULL, NULL), 0);
	ck_assert_int_eq(serverconf_load(db, &sc), 0);
	ck_assert(!serverconf_allowed(sc, &sso, &svc, NULL, NULL, NULL, NULL));
	serverconf_free(sc);
	ck_assert_int_eq(serverconf_group_member(db, &prov, "ministries", &sso,
	    1), 0);
	ck_assert_int_eq(serverconf_load(db, &sc), 0);
	ck_assert(serverconf_allowed(sc, &sso, &svc, NULL, NULL, NULL, NULL));
	serverconf_free(sc);
	ck_assert_int_eq(serverconf_group_member(db, &prov, "ministries", &sso,
	    0), 0);
	ck_assert_int_eq(serverconf_load(db, &sc), 0);
	ck_assert(!serverconf_allowed(sc, &sso, &svc, NULL, NULL, NULL, NULL));
	serverconf_free(sc);
	/* A group code with a forbidden character is refused. */
	ck_assert_int_eq(serverconf_group_add(db, &prov, "bad/code", ""), -1);
	db_close(db);
}
END_TEST

static Suite *
serverconf_suite(void)
{
	Suite	*s = suite_create("serverconf");
	TCase	*tc = tcase_create("core");

	tcase_add_test(tc, test_lookup_and_soap_rights);
	tcase_add_test(tc, test_rest_rights_and_groups);
	tcase_add_test(tc, test_local_groups);
	suite_add_tcase(s, tc);
	return s;
}

HK_CHECK_MAIN(serverconf_suite)
