/*
 * Unit tests for the central server (securityserver/central): the
 * registry (checks, transactions, audit) and the publication (model,
 * signed directory verified with the anchor, file locations, expiry).
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <openssl/x509.h>

#include "anchor.h"
#include "central/central.h"
#include "compat.h"
#include "conf.h"
#include "db.h"
#include "gconfdir.h"
#include "globalconf.h"
#include "signer.h"
#include "sigtest.h"
#include "testpki.h"
#include "hk_check.h"

#define ACTOR	"tester"

static unsigned char *
der_of(X509 *x, size_t *len)
{
	unsigned char	*der = NULL;
	int		 n;

	n = i2d_X509(x, &der);
	ck_assert_int_gt(n, 0);
	*len = (size_t)n;
	return der;
}

static struct xrid
cid(const char *s)
{
	struct xrid	x;
	char		err[XRID_ERR_MAX];

	ck_assert_msg(xrid_parse(&x, XRID_MASK_CLIENT, s, 0, err,
	    sizeof(err)) == 0, "%s: %s", s, err);
	return x;
}

static struct xrid
sid(const char *s)
{
	struct xrid	x;
	char		err[XRID_ERR_MAX];

	ck_assert_msg(xrid_parse(&x, XRID_MASK(XRID_SERVER), s, 0, err,
	    sizeof(err)) == 0, "%s: %s", s, err);
	return x;
}

static int64_t
count(struct db *db, const char *table)
{
	char	sql[128];
	int64_t	n = -1;

	(void)snprintf(sql, sizeof(sql), "SELECT COUNT(*) FROM %s", table);
	ck_assert_int_eq(db_query_int64(db, &n, sql, ""), DB_ROW);
	return n;
}

static struct db *
reg_new(void)
{
	struct db	*db;
	char		 err[256];

	ck_assert_msg(registry_open(":memory:", "PS", 1, &db, err,
	    sizeof(err)) == 0, "%s", err);
	return db;
}

/* A small federation: GOV/MTIT with SSO and ss-mtit, GOV/MOI, a CA. */
struct fed {
	struct testpki_pair	root, ca, ocsp, tsa, auth;
	unsigned char		*root_der, *ca_der, *ocsp_der, *tsa_der;
	unsigned char		*auth_der;
	size_t			 root_len, ca_len, ocsp_len, tsa_len, auth_len;
};

static void
fed_pki(struct fed *f)
{
	memset(f, 0, sizeof(*f));
	f->root = testpki_new(TESTPKI_ROOT, "/CN=Test Root", NULL);
	f->ca = testpki_new(TESTPKI_CA, "/CN=Test CA", &f->root);
	f->ocsp = testpki_new(TESTPKI_OCSP, "/CN=Test OCSP", &f->ca);
	f->tsa = testpki_new(TESTPKI_TSA, "/CN=Test TSA", &f->ca);
	f->auth = testpki_new(TESTPKI_AUTH, "/C=PS/O=GOV/OU=MTIT/CN=ss-mtit",
	    &f->ca);
	f->root_der = der_of(f->root.cert, &f->root_len);
	f->ca_der = der_of(f->ca.cert, &f->ca_len);
	f->ocsp_der = der_of(f->ocsp.cert, &f->ocsp_len);
	f->tsa_der = der_of(f->tsa.cert, &f->tsa_len);
	f->auth_der = der_of(f->auth.cert, &f->auth_len);
}

static void
fed_free(struct fed *f)
{
	testpki_clear(&f->root);
	testpki_clear(&f->ca);
	testpki_clear(&f->ocsp);
	testpki_clear(&f->tsa);
	testpki_clear(&f->auth);
	OPENSSL_free(f->root_der);
	OPENSSL_free(f->ca_der);
	OPENSSL_free(f->ocsp_der);
	OPENSSL_free(f->tsa_der);
	OPENSSL_free(f->auth_der);
}

static void
fed_register(struct db *db, struct fed *f)
{
	struct registry_ocsp	 oc = { "http://127.0.0.1:8092", NULL, 0 };
	struct registry_ca_level lv[2];
	struct xrid		 srv = sid("PS/GOV/MTIT/ss-mtit");
	struct xrid		 sso = cid("PS/GOV/MTIT/SSO");
	char			 e[512];

	oc.ro_der = f->ocsp_der;
	oc.ro_len = f->ocsp_len;
	memset(lv, 0, sizeof(lv));
	lv[0].rl_der = f->root_der;
	lv[0].rl_len = f->root_len;
	lv[1].rl_der = f->ca_der;
	lv[1].rl_len = f->ca_len;
	lv[1].rl_ocsp = &oc;
	lv[1].rl_nocsp = 1;
	ck_assert_msg(registry_class_add(db, ACTOR, "GOV", "Government", e,
	    sizeof(e)) == 0, "%s", e);
	ck_assert_msg(registry_member_add(db, ACTOR, "GOV", "MTIT",
	    "Ministry of Telecommunications", e, sizeof(e)) == 0, "%s", e);
	ck_assert_msg(registry_member_add(db, ACTOR, "GOV", "MOI",
	    "Ministry of Interior", e, sizeof(e)) == 0, "%s", e);
	ck_assert_msg(registry_subsystem_add(db, ACTOR, "GOV", "MTIT", "SSO",
	    e, sizeof(e)) == 0, "%s", e);
	ck_assert_msg(registry_server_add(db, ACTOR, "GOV", "MTIT", "ss-mtit",
	    "127.0.0.1:5500", f->auth_der, f->auth_len, e, sizeof(e)) == 0,
	    "%s", e);
	ck_assert_msg(registry_server_client(db, ACTOR, 1, &srv, &sso, e,
	    sizeof(e)) == 0, "%s", e);
	ck_assert_msg(registry_ca_add(db, ACTOR, "Test CA", lv, 2, NULL, 0, e,
	    sizeof(e)) == 0, "%s", e);
	ck_assert_msg(registry_tsa_add(db, ACTOR, "Test TSA",
	    "http://127.0.0.1:8091", f->tsa_der, f->tsa_len, e,
	    sizeof(e)) == 0, "%s", e);
	ck_assert_msg(registry_group_add(db, ACTOR, "hukumati-services",
	    "Hukumati services", e, sizeof(e)) == 0, "%s", e);
	ck_assert_msg(registry_group_member(db, ACTOR, 1, "hukumati-services",
	    &sso, e, sizeof(e)) == 0, "%s", e);
}

START_TEST(test_conf_table)
{
	char		 err[256], missing[1024];
	const char	*top = getenv("top_srcdir");
	char		 path[4096];
	FILE		*f;
	char		*text;
	long		 n;

	ck_assert_msg(conf_table_validate(central_options, err,
	    sizeof(err)) == 0, "%s", err);
	(void)snprintf(path, sizeof(path), "%s/man/centralserver.8",
	    top != NULL ? top : ".");
	f = fopen(path, "r");
	ck_assert_msg(f != NULL, "cannot open %s", path);
	fseek(f, 0, SEEK_END);
	n = ftell(f);
	rewind(f);
	text = calloc(1, (size_t)n + 1);
	ck_assert_uint_eq(fread(text, 1, (size_t)n, f), (size_t)n);
	fclose(f);
	ck_assert_msg(conf_table_check_manpage(central_options, text, missing,
	    sizeof(missing)) == 0, "not in the man page: %s", missing);
	free(text);
}
END_TEST

START_TEST(test_open)
{
	struct db	*db = NULL;
	char		 dir[] = "/tmp/test_central.XXXXXX", path[256];
	char		 err[512];

	ck_assert_ptr_nonnull(mkdtemp(dir));
	(void)snprintf(path, sizeof(path), "%s/registry.db", dir);
	/* No registry yet: opening refuses and creates nothing. */
	ck_assert_int_eq(registry_open(path, "PS", 0, &db, err, sizeof(err)),
	    -1);
	ck_assert_ptr_nonnull(strstr(err, "init"));
	ck_assert_int_eq(access(path, F_OK), -1);
	ck_assert_int_eq(registry_open(path, "bad/instance", 1, &db, err,
	    sizeof(err)), -1);
	ck_assert_msg(registry_open(path, "PS", 1, &db, err,
	    sizeof(err)) == 0, "%s", err);
	db_close(db);
	ck_assert_int_eq(registry_open(path, "PS", 1, &db, err, sizeof(err)),
	    -1);
	ck_assert_ptr_nonnull(strstr(err, "already exists"));
	ck_assert_int_eq(registry_open(path, "EE", 0, &db, err, sizeof(err)),
	    -1);
	ck_assert_ptr_nonnull(strstr(err, "instance PS"));
	ck_assert_msg(registry_open(path, "PS", 0, &db, err,
	    sizeof(err)) == 0, "%s", err);
	ck_assert_int_eq(count(db, "audit"), 1);
	db_close(db);
	(void)snprintf(err, sizeof(err), "rm -rf %s", dir);
	ck_assert_int_eq(system(err), 0);
}
END_TEST

START_TEST(test_members)
{
	struct db	*db = reg_new();
	char		 e[512];

	/* A member needs its class. */
	ck_assert_int_eq(registry_member_add(db, ACTOR, "GOV", "MOI", "x", e,
	    sizeof(e)), -1);
	ck_assert_ptr_nonnull(strstr(e, "no member class GOV"));
	ck_assert_int_eq(registry_class_add(db, ACTOR, "GOV", "Government", e,
	    sizeof(e)), 0);
	ck_assert_int_eq(registry_class_add(db, ACTOR, "GOV", "again", e,
	    sizeof(e)), -1);
	ck_assert_str_eq(e, "member class GOV already exists");
	ck_assert_int_eq(registry_class_add(db, ACTOR, "G:V", "bad", e,
	    sizeof(e)), -1);
	ck_assert_int_eq(registry_class_add(db, ACTOR, "COM", "", e,
	    sizeof(e)), -1);
	ck_assert_int_eq(registry_class_add(db, ACTOR, "COM", "a\nb", e,
	    sizeof(e)), -1);
	ck_assert_int_eq(registry_class_add(db, ACTOR, "COM", "\xff\xfe", e,
	    sizeof(e)), -1);
	ck_assert_int_eq(registry_member_add(db, ACTOR, "GOV", "MOI",
	    "وزارة الداخلية", e, sizeof(e)), 0);
	ck_assert_int_eq(registry_member_add(db, ACTOR, "GOV", "MOI", "x", e,
	    sizeof(e)), -1);
	ck_assert_str_eq(e, "member GOV/MOI already exists");
	ck_assert_int_eq(registry_member_add(db, ACTOR, "GOV", "M/I", "x", e,
	    sizeof(e)), -1);
	ck_assert_int_eq(registry_subsystem_add(db, ACTOR, "GOV", "MOF", "PAY",
	    e, sizeof(e)), -1);
	ck_assert_str_eq(e, "no member GOV/MOF");
	ck_assert_int_eq(registry_subsystem_add(db, ACTOR, "GOV", "MOI",
	    "CIVIL-REGISTER", e, sizeof(e)), 0);
	ck_assert_int_eq(registry_subsystem_add(db, ACTOR, "GOV", "MOI",
	    "CIVIL-REGISTER", e, sizeof(e)), -1);
	ck_assert_ptr_nonnull(strstr(e, "already exists"));
	/* Only the three changes that worked left rows and audit records. */
	ck_assert_int_eq(count(db, "member_class"), 1);
	ck_assert_int_eq(count(db, "member"), 1);
	ck_assert_int_eq(count(db, "subsystem"), 1);
	ck_assert_int_eq(count(db, "audit"), 1 + 3);
	db_close(db);
}
END_TEST

START_TEST(test_servers)
{
	struct db	*db = reg_new();
	struct fed	 f;
	struct xrid	 srv = sid("PS/GOV/MTIT/ss-mtit");
	struct xrid	 other = sid("PS/GOV/MTIT/ss-other");
	struct xrid	 cr = cid("PS/GOV/MOI/CIVIL-REGISTER");
	struct xrid	 ee = cid("EE/GOV/MOI");
	unsigned char	 junk[16] = { 0x30, 0x03, 1, 2, 3 };
	char		 e[512];
	int64_t		 audit;

	fed_pki(&f);
	fed_register(db, &f);
	audit = count(db, "audit");
	ck_assert_int_eq(registry_server_add(db, ACTOR, "GOV", "MOF", "ss-mof",
	    NULL, NULL, 0, e, sizeof(e)), -1);
	ck_assert_str_eq(e, "no member GOV/MOF");
	ck_assert_int_eq(registry_server_add(db, ACTOR, "GOV", "MOI", "ss-moi",
	    "127.0.0.1:5510", junk, sizeof(junk), e, sizeof(e)), -1);
	ck_assert_ptr_nonnull(strstr(e, "not a DER X.509"));
	ck_assert_int_eq(registry_server_add(db, ACTOR, "GOV", "MOI", "ss-moi",
	    "127.0.0.1 5510", NULL, 0, e, sizeof(e)), -1);
	ck_assert_int_eq(registry_server_add(db, ACTOR, "GOV", "MTIT",
	    "ss-mtit", NULL, NULL, 0, e, sizeof(e)), -1);
	ck_assert_str_eq(e, "security server GOV/MTIT/ss-mtit already exists");
	/* The owner is a client of its server already. */
	ck_assert_int_eq(count(db, "server_client"), 2);
	ck_assert_int_eq(registry_server_client(db, ACTOR, 1, &srv, &cr, e,
	    sizeof(e)), -1);
	ck_assert_str_eq(e, "no subsystem GOV/MOI/CIVIL-REGISTER");
	ck_assert_int_eq(registry_server_client(db, ACTOR, 1, &other, &cr, e,
	    sizeof(e)), -1);
	ck_assert_int_eq(registry_server_client(db, ACTOR, 1, &srv, &ee, e,
	    sizeof(e)), -1);
	ck_assert_ptr_nonnull(strstr(e, "instance EE"));
	ck_assert_int_eq(registry_subsystem_add(db, ACTOR, "GOV", "MOI",
	    "CIVIL-REGISTER", e, sizeof(e)), 0);
	ck_assert_int_eq(registry_server_client(db, ACTOR, 1, &srv, &cr, e,
	    sizeof(e)), 0);
	ck_assert_int_eq(registry_server_client(db, ACTOR, 1, &srv, &cr, e,
	    sizeof(e)), -1);
	ck_assert_ptr_nonnull(strstr(e, "already a client"));
	ck_assert_int_eq(registry_server_client(db, ACTOR, 0, &srv, &cr, e,
	    sizeof(e)), 0);
	ck_assert_int_eq(registry_server_client(db, ACTOR, 0, &srv, &cr, e,
	    sizeof(e)), -1);
	ck_assert_ptr_nonnull(strstr(e, "not a client"));
	ck_assert_int_eq(count(db, "server_client"), 2);
	ck_assert_int_eq(count(db, "audit"), audit + 3);
	fed_free(&f);
	db_close(db);
}
END_TEST

START_TEST(test_trust_services)
{
	struct db		*db = reg_new();
	struct fed		 f;
	struct testpki_pair	 other;
	struct registry_ocsp	 oc = { "ftp://x", NULL, 0 };
	struct registry_ca_level lv[2];
	unsigned char		*other_der;
	size_t			 other_len;
	char			 e[512];

	fed_pki(&f);
	other = testpki_new(TESTPKI_ROOT, "/CN=Other Root", NULL);
	other_der = der_of(other.cert, &other_len);
	memset(lv, 0, sizeof(lv));
	/* An intermediate that the top CA did not issue. */
	lv[0].rl_der = other_der;
	lv[0].rl_len = other_len;
	lv[1].rl_der = f.ca_der;
	lv[1].rl_len = f.ca_len;
	ck_assert_int_eq(registry_ca_add(db, ACTOR, "x", lv, 2, NULL, 0, e,
	    sizeof(e)), -1);
	ck_assert_ptr_nonnull(strstr(e, "not issued by"));
	/* A leaf is not a CA. */
	lv[0].rl_der = f.tsa_der;
	lv[0].rl_len = f.tsa_len;
	ck_assert_int_eq(registry_ca_add(db, ACTOR, "x", lv, 1, NULL, 0, e,
	    sizeof(e)), -1);
	ck_assert_ptr_nonnull(strstr(e, "not a CA"));
	lv[0].rl_der = f.root_der;
	lv[0].rl_len = f.root_len;
	lv[0].rl_ocsp = &oc;
	lv[0].rl_nocsp = 1;
	ck_assert_int_eq(registry_ca_add(db, ACTOR, "x", lv, 2, NULL, 0, e,
	    sizeof(e)), -1);
	ck_assert_ptr_nonnull(strstr(e, "OCSP URL"));
	oc.ro_url = "http://127.0.0.1:8092";
	ck_assert_int_eq(registry_ca_add(db, ACTOR, "x", lv, 2, "my.Profile",
	    1, e, sizeof(e)), 0);
	ck_assert_int_eq(registry_ca_add(db, ACTOR, "x", lv, 1, NULL, 0, e,
	    sizeof(e)), -1);
	ck_assert_str_eq(e, "CA x already exists");
	ck_assert_int_eq(count(db, "ca"), 1);
	ck_assert_int_eq(count(db, "ca_cert"), 2);
	ck_assert_int_eq(count(db, "ca_ocsp"), 1);

	ck_assert_int_eq(registry_tsa_add(db, ACTOR, "t", "127.0.0.1:8091",
	    f.tsa_der, f.tsa_len, e, sizeof(e)), -1);
	ck_assert_int_eq(registry_tsa_add(db, ACTOR, "t",
	    "http://127.0.0.1:8091", NULL, 0, e, sizeof(e)), -1);
	ck_assert_int_eq(registry_tsa_add(db, ACTOR, "t",
	    "http://127.0.0.1:8091", f.tsa_der, f.tsa_len, e, sizeof(e)), 0);
	ck_assert_int_eq(count(db, "tsa"), 1);
	ck_assert_int_eq(count(db, "audit"), 1 + 2);
	testpki_clear(&other);
	OPENSSL_free(other_der);
	fed_free(&f);
	db_close(db);
}
END_TEST

START_TEST(test_groups_and_settings)
{
	struct db	*db = reg_new();
	struct fed	 f;
	struct xrid	 moi = cid("PS/GOV/MOI");
	struct xrid	 nope = cid("PS/GOV/MOI/NOPE");
	struct xrid	 ee = cid("EE/GOV/70000007/x-road");
	char		 e[512];
	long long	 v = 0;

	fed_pki(&f);
	fed_register(db, &f);
	ck_assert_int_eq(registry_group_add(db, ACTOR, CENTRAL_OWNERS_GROUP,
	    "x", e, sizeof(e)), -1);
	ck_assert_ptr_nonnull(strstr(e, "reserved"));
	ck_assert_int_eq(registry_group_member(db, ACTOR, 1, "nope", &moi, e,
	    sizeof(e)), -1);
	ck_assert_str_eq(e, "no global group nope");
	ck_assert_int_eq(registry_group_member(db, ACTOR, 1,
	    "hukumati-services", &nope, e, sizeof(e)), -1);
	ck_assert_int_eq(registry_group_member(db, ACTOR, 1,
	    "hukumati-services", &moi, e, sizeof(e)), 0);
	ck_assert_int_eq(registry_group_member(db, ACTOR, 1,
	    "hukumati-services", &moi, e, sizeof(e)), -1);
	ck_assert_ptr_nonnull(strstr(e, "already in group"));
	/* Another instance's client is taken as given. */
	ck_assert_int_eq(registry_group_member(db, ACTOR, 1,
	    "hukumati-services", &ee, e, sizeof(e)), 0);
	ck_assert_int_eq(registry_group_member(db, ACTOR, 0,
	    "hukumati-services", &moi, e, sizeof(e)), 0);
	ck_assert_int_eq(registry_group_member(db, ACTOR, 0,
	    "hukumati-services", &moi, e, sizeof(e)), -1);
	ck_assert_int_eq(count(db, "grp_member"), 2);

	ck_assert_int_eq(registry_get(db, CENTRAL_SET_TS_INTERVAL, &v), 0);
	ck_assert_int_eq(registry_set(db, ACTOR, "nope", 5, e, sizeof(e)), -1);
	ck_assert_int_eq(registry_set(db, ACTOR, CENTRAL_SET_TS_INTERVAL, 0,
	    e, sizeof(e)), -1);
	ck_assert_int_eq(registry_set(db, ACTOR, CENTRAL_SET_TS_INTERVAL, 5,
	    e, sizeof(e)), 0);
	ck_assert_int_eq(registry_set(db, ACTOR, CENTRAL_SET_TS_INTERVAL, 7,
	    e, sizeof(e)), 0);
	ck_assert_int_eq(registry_get(db, CENTRAL_SET_TS_INTERVAL, &v), 1);
	ck_assert_int_eq(v, 7);
	fed_free(&f);
	db_close(db);
}
END_TEST

static void
params_init(struct central_params *p)
{
	memset(p, 0, sizeof(*p));
	p->cp_instance = "PS";
	p->cp_download_url = "http://127.0.0.1:8090/internalconf";
	p->cp_source_address = "127.0.0.1:8090";
	p->cp_schema_dir = sigtest_schema_dir();
	p->cp_expire_interval = 600;
	p->cp_ocsp_freshness = 3600;
	p->cp_ts_interval = 60;
	p->cp_mgmt_address = "http://127.0.0.1:8090/managementservice/";
}

START_TEST(test_model)
{
	struct db			*db = reg_new();
	struct fed			 f;
	struct central_params		 p;
	struct gconf			*g;
	const struct gconf_server	*srv;
	const struct gconf_ca		*cas;
	const struct gconf_cainfo	*lv;
	struct xrid			 s = sid("PS/GOV/MTIT/ss-mtit");
	struct xrid			 sso = cid("PS/GOV/MTIT/SSO");
	struct xrid			 mtit = cid("PS/GOV/MTIT");
	struct xrid			 moi = cid("PS/GOV/MOI");
	char				 e[512];
	size_t				 n;

	fed_pki(&f);
	params_init(&p);
	/* No member yet: no management services provider. */
	g = publish_model(db, &p, f.ca_der, f.ca_len, e, sizeof(e));
	ck_assert_ptr_null(g);
	ck_assert_ptr_nonnull(strstr(e, "management"));
	fed_register(db, &f);
	ck_assert_int_eq(registry_set(db, ACTOR, CENTRAL_SET_TS_INTERVAL, 5,
	    e, sizeof(e)), 0);
	g = publish_model(db, &p, f.ca_der, f.ca_len, e, sizeof(e));
	ck_assert_msg(g != NULL, "%s", e);
	ck_assert_int_eq(gconf_has_client(g, &sso), 1);
	ck_assert_int_eq(gconf_has_client(g, &moi), 1);
	ck_assert_ptr_nonnull(srv = gconf_server_by_id(g, &s));
	ck_assert_str_eq(srv->gv_address, "127.0.0.1:5500");
	ck_assert_int_eq(gconf_server_has_client(g, srv, &sso), 1);
	ck_assert_int_eq(gconf_server_has_client(g, srv, &mtit), 1);
	ck_assert_int_eq(gconf_server_has_client(g, srv, &moi), 0);
	ck_assert_ptr_eq(gconf_server_by_auth_cert(g, f.auth.cert), srv);
	ck_assert_int_eq(gconf_group_has_member(g, "hukumati-services", &sso),
	    1);
	ck_assert_int_eq(gconf_group_has_member(g, CENTRAL_OWNERS_GROUP,
	    &mtit), 1);
	ck_assert_int_eq(gconf_group_has_member(g, CENTRAL_OWNERS_GROUP,
	    &moi), 0);
	ck_assert_ptr_nonnull(gconf_ca_find_issuer(g, f.auth.cert, &lv));
	ck_assert_uint_eq(lv->gi_nocsp, 1);
	ck_assert_str_eq(lv->gi_ocsp[0].go_url, "http://127.0.0.1:8092");
	cas = gconf_cas(g, &n);
	ck_assert_uint_eq(n, 1);
	ck_assert_str_eq(cas[0].gc_profile, CENTRAL_DEFAULT_PROFILE);
	ck_assert_ptr_nonnull(gconf_tsa_by_cert(g, f.tsa.cert));
	ck_assert_int_eq(gconf_ts_interval(g), 5);
	ck_assert_int_eq(gconf_ocsp_freshness(g), 3600);
	ck_assert_str_eq(gconf_management(g)->mg_reg_address,
	    p.cp_mgmt_address);
	ck_assert_str_eq(gconf_management(g)->mg_provider.gg_code, "MTIT");
	gconf_free(g);
	/* A configured provider wins; a bad one fails the generation. */
	p.cp_mgmt_provider = "PS/GOV/MOI";
	g = publish_model(db, &p, f.ca_der, f.ca_len, e, sizeof(e));
	ck_assert_msg(g != NULL, "%s", e);
	ck_assert_str_eq(gconf_management(g)->mg_provider.gg_code, "MOI");
	gconf_free(g);
	p.cp_mgmt_provider = "PS/GOV";
	ck_assert_ptr_null(publish_model(db, &p, f.ca_der, f.ca_len, e,
	    sizeof(e)));
	fed_free(&f);
	db_close(db);
}
END_TEST

struct pubfix {
	struct db		*db;
	struct fed		 f;
	struct central_params	 p;
	struct signer		*sg;
	struct sigtest_key	 key;
	struct anchor		*anchor;
	struct publisher	*pb;
};

static void
pubfix_init(struct pubfix *x, int rsa)
{
	unsigned char	*xml;
	size_t		 len;
	char		 e[512];

	memset(x, 0, sizeof(*x));
	x->db = reg_new();
	fed_pki(&x->f);
	fed_register(x->db, &x->f);
	params_init(&x->p);
	ck_assert_ptr_nonnull(x->sg = signer_new());
	sigtest_key_new(&x->key, rsa, "/C=PS/O=Hukumati/CN=Central Server");
	sigtest_key_add(x->sg, CENTRAL_SIGN_KEY_ID, &x->key);
	ck_assert_msg(publish_anchor(&x->p, x->sg, 1700000000, &xml, &len, e,
	    sizeof(e)) == 0, "%s", e);
	ck_assert_msg(anchor_parse(&x->anchor, xml, len,
	    sigtest_schema_dir(), e, sizeof(e)) == 0, "%s", e);
	free(xml);
	ck_assert_str_eq(anchor_instance(x->anchor), "PS");
	ck_assert_str_eq(anchor_source_url(x->anchor, 0),
	    "http://127.0.0.1:8090/internalconf");
	ck_assert_ptr_nonnull(x->pb = publisher_new(&x->p, x->sg));
}

static void
pubfix_free(struct pubfix *x)
{
	publisher_free(x->pb);
	anchor_free(x->anchor);
	signer_free(x->sg);
	sigtest_key_clear(&x->key);
	fed_free(&x->f);
	db_close(x->db);
}

/* Verify the current directory at now; returns the gconfdir result. */
static int
verify_dir(struct pubfix *x, time_t at, time_t now, struct gconf_dir **out)
{
	const unsigned char	*body;
	const char		*ctype;
	size_t			 len;
	char			 e[512];
	int			 rc;

	*out = NULL;
	ck_assert_int_eq(publisher_directory(x->pb, at, &body, &len, &ctype,
	    NULL), 0);
	rc = gconf_dir_parse_verify(out, body, len, ctype, x->anchor,
	    GCONF_VERSION, now, e, sizeof(e));
	return rc;
}

static const char *
location_of(struct gconf_dir *d, const char *cid)
{
	const struct gconf_dir_entry *en = gconf_dir_find(d, cid, "PS");

	ck_assert_ptr_nonnull(en);
	return en->de_location;
}

static void
check_publication(int rsa)
{
	struct pubfix			 x;
	struct gconf_dir		*d = NULL;
	struct gconf			*g = NULL;
	const struct gconf_dir_entry	*sh, *pr;
	const unsigned char		*sdata, *pdata;
	size_t				 slen, plen;
	struct timespec			 now = { 1800000000, 123456789 };
	const char			*ctype;
	char				 e[512];

	pubfix_init(&x, rsa);
	ck_assert_int_eq(publisher_directory(x.pb, now.tv_sec, &sdata, &slen,
	    &ctype, NULL), -1);
	ck_assert_msg(publisher_generate(x.pb, x.db, &now, e,
	    sizeof(e)) == 0, "%s", e);
	ck_assert_uint_eq(publisher_generation(x.pb), 1);
	ck_assert_int_eq(verify_dir(&x, now.tv_sec, now.tv_sec, &d), 0);
	ck_assert_int_eq(gconf_dir_version(d), GCONF_VERSION);
	ck_assert_int_eq(gconf_dir_expire(d), now.tv_sec + 600);
	ck_assert_uint_eq(gconf_dir_nentries(d), 2);
	sh = gconf_dir_find(d, GCONF_CID_SHARED, "PS");
	pr = gconf_dir_find(d, GCONF_CID_PRIVATE, "PS");
	ck_assert_ptr_nonnull(sh);
	ck_assert_ptr_nonnull(pr);
	ck_assert_str_eq(sh->de_location,
	    "/V3/20270115080000123456789/shared-params.xml");
	ck_assert_int_eq(publisher_file(x.pb, sh->de_location, now.tv_sec,
	    &sdata, &slen), 0);
	ck_assert_int_eq(publisher_file(x.pb, pr->de_location, now.tv_sec,
	    &pdata, &plen), 0);
	ck_assert_int_eq(publisher_file(x.pb, "/V3/x/shared-params.xml",
	    now.tv_sec, &sdata, &slen), -1);
	ck_assert_int_eq(publisher_file(x.pb, sh->de_location, now.tv_sec,
	    &sdata, &slen), 0);
	ck_assert_int_eq(gconf_dir_verify_file(sh, sdata, slen), 0);
	ck_assert_int_eq(gconf_dir_verify_file(pr, pdata, plen), 0);
	ck_assert_int_eq(gconf_dir_verify_file(sh, pdata, plen),
	    GCONF_DIR_ERR_HASH);
	/* What a security server would load. */
	ck_assert_msg(gconf_parse(&g, GCONF_VERSION, sdata, slen, pdata, plen,
	    sigtest_schema_dir(), e, sizeof(e)) == 0, "%s", e);
	ck_assert_int_eq(gconf_ts_interval(g), 60);
	gconf_free(g);
	gconf_dir_free(d);
	/* The client refuses it once expired; so does the publisher. */
	ck_assert_int_eq(verify_dir(&x, now.tv_sec, now.tv_sec + 601, &d),
	    GCONF_DIR_ERR_EXPIRED);
	ck_assert_ptr_null(d);
	ck_assert_int_eq(publisher_directory(x.pb, now.tv_sec + 600, &sdata,
	    &slen, &ctype, NULL), -1);
	ck_assert_int_eq(publisher_file(x.pb,
	    "/V3/20270115080000123456789/shared-params.xml", now.tv_sec + 600,
	    &sdata, &slen), -1);
	pubfix_free(&x);
}

START_TEST(test_publish_ec)
{
	check_publication(0);
}
END_TEST

START_TEST(test_publish_rsa)
{
	check_publication(1);
}
END_TEST

START_TEST(test_regenerate)
{
	struct pubfix		 x;
	struct gconf_dir	*d1 = NULL, *d2 = NULL, *d3 = NULL;
	struct timespec		 t1 = { 1800000000, 0 }, t2 = t1, t3 = t1;
	const unsigned char	*data;
	size_t			 len;
	char			 e[512], sh1[GCONF_DIR_LOCATION_MAX];
	char			 pr1[GCONF_DIR_LOCATION_MAX];

	pubfix_init(&x, 0);
	t2.tv_sec += 60;
	t3.tv_sec += 700;
	ck_assert_int_eq(publisher_generate(x.pb, x.db, &t1, e, sizeof(e)), 0);
	ck_assert_int_eq(verify_dir(&x, t1.tv_sec, t1.tv_sec, &d1), 0);
	(void)strlcpy(sh1, location_of(d1, GCONF_CID_SHARED), sizeof(sh1));
	(void)strlcpy(pr1, location_of(d1, GCONF_CID_PRIVATE), sizeof(pr1));
	/* A registry change: a new shared file, the same private one. */
	ck_assert_int_eq(registry_member_add(x.db, ACTOR, "GOV", "MOF",
	    "Ministry of Finance", e, sizeof(e)), 0);
	ck_assert_int_eq(publisher_generate(x.pb, x.db, &t2, e, sizeof(e)), 0);
	ck_assert_int_eq(verify_dir(&x, t2.tv_sec, t2.tv_sec, &d2), 0);
	ck_assert_int_eq(gconf_dir_expire(d2), t2.tv_sec + 600);
	ck_assert_str_ne(location_of(d2, GCONF_CID_SHARED), sh1);
	ck_assert_str_eq(location_of(d2, GCONF_CID_PRIVATE), pr1);
	ck_assert_int_eq(publisher_file(x.pb, location_of(d2,
	    GCONF_CID_SHARED), t2.tv_sec, &data, &len), 0);
	ck_assert_ptr_nonnull(memmem(data, len, "<memberCode>MOF</memberCode>",
	    28));
	/* The first directory's file stays until that directory expires. */
	ck_assert_int_eq(publisher_file(x.pb, sh1, t2.tv_sec, &data, &len), 0);
	ck_assert_ptr_null(memmem(data, len, "<memberCode>MOF</memberCode>",
	    28));
	/* Re-signed later: the old shared file is gone, the others stay. */
	ck_assert_int_eq(publisher_generate(x.pb, x.db, &t3, e, sizeof(e)), 0);
	ck_assert_int_eq(verify_dir(&x, t3.tv_sec, t3.tv_sec, &d3), 0);
	ck_assert_int_eq(publisher_file(x.pb, sh1, t3.tv_sec, &data, &len),
	    -1);
	ck_assert_str_eq(location_of(d3, GCONF_CID_SHARED),
	    location_of(d2, GCONF_CID_SHARED));
	ck_assert_str_eq(location_of(d3, GCONF_CID_PRIVATE), pr1);
	/* Two generations in the same clock tick get distinct files. */
	ck_assert_int_eq(registry_member_add(x.db, ACTOR, "GOV", "MOH",
	    "Ministry of Health", e, sizeof(e)), 0);
	ck_assert_int_eq(publisher_generate(x.pb, x.db, &t3, e, sizeof(e)), 0);
	gconf_dir_free(d1);
	ck_assert_int_eq(verify_dir(&x, t3.tv_sec, t3.tv_sec, &d1), 0);
	ck_assert_str_ne(location_of(d1, GCONF_CID_SHARED),
	    location_of(d3, GCONF_CID_SHARED));
	ck_assert_uint_eq(publisher_generation(x.pb), 4);
	gconf_dir_free(d1);
	gconf_dir_free(d2);
	gconf_dir_free(d3);
	pubfix_free(&x);
}
END_TEST

START_TEST(test_failures)
{
	struct pubfix		 x;
	struct gconf_dir	*d = NULL;
	struct timespec		 t1 = { 1800000000, 0 }, t2 = t1;
	const unsigned char	*body;
	const char		*ctype;
	unsigned char		*copy;
	size_t			 len;
	char			 e[512];

	pubfix_init(&x, 0);
	t2.tv_sec += 60;
	ck_assert_int_eq(publisher_generate(x.pb, x.db, &t1, e, sizeof(e)), 0);
	/* Tampering breaks the signature. */
	ck_assert_int_eq(publisher_directory(x.pb, t1.tv_sec, &body, &len,
	    &ctype, NULL), 0);
	copy = malloc(len);
	memcpy(copy, body, len);
	{
		unsigned char *p = memmem(copy, len, "Version: 3", 10);

		ck_assert_ptr_nonnull(p);
		p[9] = '4';
	}
	ck_assert_int_lt(gconf_dir_parse_verify(&d, copy, len, ctype,
	    x.anchor, 0, t1.tv_sec, e, sizeof(e)), 0);
	ck_assert_ptr_null(d);
	free(copy);
	/* A failed generation keeps the last good directory. */
	x.p.cp_schema_dir = "/nonexistent";
	ck_assert_int_eq(publisher_generate(x.pb, x.db, &t2, e, sizeof(e)),
	    -1);
	ck_assert_ptr_nonnull(strstr(e, "own check"));
	ck_assert_str_eq(publisher_last_error(x.pb), e);
	ck_assert_uint_eq(publisher_generation(x.pb), 1);
	ck_assert_int_eq(verify_dir(&x, t2.tv_sec, t2.tv_sec, &d), 0);
	ck_assert_int_eq(gconf_dir_expire(d), t1.tv_sec + 600);
	gconf_dir_free(d);
	x.p.cp_schema_dir = sigtest_schema_dir();
	ck_assert_int_eq(publisher_generate(x.pb, x.db, &t2, e, sizeof(e)), 0);
	ck_assert_str_eq(publisher_last_error(x.pb), "");
	pubfix_free(&x);
}
END_TEST

START_TEST(test_print)
{
	struct db	*db = reg_new();
	struct fed	 f;
	char		*text = NULL;
	size_t		 len = 0;
	FILE		*out;

	fed_pki(&f);
	fed_register(db, &f);
	ck_assert_ptr_nonnull(out = open_memstream(&text, &len));
	ck_assert_int_eq(registry_print(db, 0, out), 0);
	ck_assert_int_eq(registry_print(db, 1, out), 0);
	fclose(out);
	ck_assert_ptr_nonnull(strstr(text, "instance PS"));
	ck_assert_ptr_nonnull(strstr(text, "GOV/MTIT/ss-mtit\t127.0.0.1:5500"));
	ck_assert_ptr_nonnull(strstr(text, "hukumati-services\tPS/GOV/MTIT/SSO"));
	ck_assert_ptr_nonnull(strstr(text, "tester\tserver add"));
	free(text);
	fed_free(&f);
	db_close(db);
}
END_TEST

static Suite *
central_suite(void)
{
	Suite	*s = suite_create("central");
	TCase	*tc = tcase_create("central");

	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, test_conf_table);
	tcase_add_test(tc, test_open);
	tcase_add_test(tc, test_members);
	tcase_add_test(tc, test_servers);
	tcase_add_test(tc, test_trust_services);
	tcase_add_test(tc, test_groups_and_settings);
	tcase_add_test(tc, test_model);
	tcase_add_test(tc, test_publish_ec);
	tcase_add_test(tc, test_publish_rsa);
	tcase_add_test(tc, test_regenerate);
	tcase_add_test(tc, test_failures);
	tcase_add_test(tc, test_print);
	suite_add_tcase(s, tc);
	return s;
}

HK_CHECK_MAIN(central_suite)
