/*
 * Unit tests for globalconf.c / gconf_xml.c: building the model, writing
 * schema-valid v3 shared and private parameters, parsing them back into
 * the same model, lookups, and refusal of bad input.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/evp.h>
#include <openssl/x509.h>

#include "anchor.h"
#include "globalconf.h"
#include "hk_check.h"
#include "testpki.h"
#include "xrid.h"
#include "xsd.h"

static char			schema_dir[4096];
static struct testpki_pair	root, inter, ocsp, tsa, auth1, auth2;
static struct testpki_pair	sign1, other_root, other_leaf, root2;

static void
der_of(X509 *x, unsigned char **der, size_t *len)
{
	int n;

	*der = NULL;
	n = i2d_X509(x, der);
	ck_assert_int_gt(n, 0);
	*len = (size_t)n;
}

static void
pki_setup(void)
{
	const char *top = getenv("top_srcdir");

	(void)snprintf(schema_dir, sizeof(schema_dir),
	    "%s/securityserver/schemas", top != NULL ? top : ".");
	root = testpki_new(TESTPKI_ROOT, "/CN=Test Root", NULL);
	inter = testpki_new(TESTPKI_CA, "/CN=Test Issuing", &root);
	ocsp = testpki_new(TESTPKI_OCSP, "/CN=Test OCSP", &inter);
	tsa = testpki_new(TESTPKI_TSA, "/CN=Test TSA", &inter);
	auth1 = testpki_new(TESTPKI_AUTH, "/C=PS/O=GOV/OU=MTIT/CN=ss-mtit",
	    &inter);
	auth2 = testpki_new(TESTPKI_AUTH, "/C=PS/O=GOV/OU=MOI/CN=ss-moi",
	    &inter);
	sign1 = testpki_new(TESTPKI_SIGN, "/C=PS/O=GOV/CN=MOI", &inter);
	other_root = testpki_new(TESTPKI_ROOT, "/CN=Test Issuing", NULL);
	other_leaf = testpki_new(TESTPKI_SIGN, "/CN=x", &other_root);
	root2 = testpki_new(TESTPKI_ROOT, "/CN=Auth Only Root", NULL);
}

static void
pki_teardown(void)
{
	testpki_clear(&root);
	testpki_clear(&inter);
	testpki_clear(&ocsp);
	testpki_clear(&tsa);
	testpki_clear(&auth1);
	testpki_clear(&auth2);
	testpki_clear(&sign1);
	testpki_clear(&other_root);
	testpki_clear(&other_leaf);
	testpki_clear(&root2);
}

static struct xrid
client(const char *inst, const char *cls, const char *code, const char *sub)
{
	struct xrid x;

	memset(&x, 0, sizeof(x));
	x.type = sub != NULL ? XRID_SUBSYSTEM : XRID_MEMBER;
	(void)snprintf(x.instance, sizeof(x.instance), "%s", inst);
	(void)snprintf(x.member_class, sizeof(x.member_class), "%s", cls);
	(void)snprintf(x.member_code, sizeof(x.member_code), "%s", code);
	if (sub != NULL)
		(void)snprintf(x.subsystem_code, sizeof(x.subsystem_code),
		    "%s", sub);
	return x;
}

static struct xrid
server(const char *cls, const char *code, const char *srv)
{
	struct xrid x;

	memset(&x, 0, sizeof(x));
	x.type = XRID_SERVER;
	(void)snprintf(x.instance, sizeof(x.instance), "PS");
	(void)snprintf(x.member_class, sizeof(x.member_class), "%s", cls);
	(void)snprintf(x.member_code, sizeof(x.member_code), "%s", code);
	(void)snprintf(x.server_code, sizeof(x.server_code), "%s", srv);
	return x;
}

/* The demo federation, roughly (DESIGN.md 3). */
static struct gconf *
sample(void)
{
	struct gconf	*g;
	struct anchor	*fed;
	struct xrid	 x;
	unsigned char	*d;
	size_t		 l;
	int		 ca, ca2, lvl, s1, s2, grp;

	g = gconf_new("PS");
	ck_assert_ptr_nonnull(g);
	ck_assert_int_eq(gconf_add_source(g, "127.0.0.1:8090"), 0);
	der_of(root.cert, &d, &l);
	ck_assert_int_eq(gconf_source_add_cert(g, 0, 0, d, l), 0);
	ck_assert_int_eq(gconf_source_add_cert(g, 0, 1, d, l), 0);

	ca = gconf_add_ca(g, "Hukumati Dev CA", d, l,
	    "ee.ria.xroad.common.certificateprofile.impl."
	    "EjbcaCertificateProfileInfoProvider");
	ck_assert_int_eq(ca, 0);
	OPENSSL_free(d);
	ck_assert_int_eq(gconf_ca_set_auth_only(g, ca, 0), 0);
	ck_assert_int_eq(gconf_ca_add_ocsp(g, ca, 0, "http://127.0.0.1:8092",
	    NULL, 0), 0);
	der_of(inter.cert, &d, &l);
	lvl = gconf_ca_add_intermediate(g, ca, d, l);
	ck_assert_int_eq(lvl, 1);
	OPENSSL_free(d);
	der_of(ocsp.cert, &d, &l);
	ck_assert_int_eq(gconf_ca_add_ocsp(g, ca, 1, "http://127.0.0.1:8092/i",
	    d, l), 0);
	ck_assert_int_eq(gconf_ca_add_ocsp(g, ca, 2, "http://x", NULL, 0), -1);
	OPENSSL_free(d);
	der_of(root2.cert, &d, &l);
	ca2 = gconf_add_ca(g, "Auth only", d, l, "p.Q");
	OPENSSL_free(d);
	ck_assert_int_eq(ca2, 1);
	ck_assert_int_eq(gconf_ca_set_auth_only(g, ca2, 1), 0);
	ck_assert_int_eq(gconf_ca_set_acme(g, ca2, "https://acme/dir",
	    "10.0.0.1,10.0.0.2"), 0);

	der_of(tsa.cert, &d, &l);
	ck_assert_int_eq(gconf_add_tsa(g, "Dev TSA", "http://127.0.0.1:8091",
	    d, l), 0);
	OPENSSL_free(d);

	ck_assert_int_eq(gconf_add_member_class(g, "GOV", "Government"), 0);
	ck_assert_int_eq(gconf_add_member_class(g, "COM", "Companies & co"),
	    0);
	ck_assert_int_eq(gconf_add_member_class(g, "GOV", "again"), -1);
	ck_assert_int_eq(gconf_add_member(g, "GOV", "MTIT",
	    "Ministry of Telecom & IT"), 0);
	ck_assert_int_eq(gconf_add_subsystem(g, "GOV", "MTIT", "SSO"), 0);
	ck_assert_int_eq(gconf_add_subsystem(g, "GOV", "MTIT", "PORTAL"), 0);
	ck_assert_int_eq(gconf_add_subsystem(g, "GOV", "MTIT", "SSO"), -1);
	ck_assert_int_eq(gconf_add_member(g, "GOV", "MOI", "وزارة الداخلية"),
	    1);
	ck_assert_int_eq(gconf_member_add_subsystem(g, 1, "CIVIL-REGISTER"),
	    0);
	ck_assert_int_eq(gconf_add_member(g, "COM", "ACME", "Acme Ltd"), 2);
	ck_assert_int_eq(gconf_add_subsystem(g, "GOV", "NOPE", "X"), -1);

	s1 = gconf_add_server(g, "GOV", "MTIT", "ss-mtit", "127.0.0.1:5500");
	ck_assert_int_eq(s1, 0);
	der_of(auth1.cert, &d, &l);
	ck_assert_int_eq(gconf_server_add_auth_cert(g, s1, d, l), 0);
	OPENSSL_free(d);
	x = client("PS", "GOV", "MTIT", "SSO");
	ck_assert_int_eq(gconf_server_add_client(g, s1, &x), 0);
	x = client("PS", "GOV", "MTIT", "PORTAL");
	ck_assert_int_eq(gconf_server_add_client(g, s1, &x), 0);
	x = client("PS", "GOV", "MTIT", NULL);
	ck_assert_int_eq(gconf_server_add_client(g, s1, &x), 0);
	/* Clients of other instances cannot be registered here. */
	x = client("EE", "GOV", "MTIT", "SSO");
	ck_assert_int_eq(gconf_server_add_client(g, s1, &x), -1);

	s2 = gconf_add_server(g, "GOV", "MOI", "ss-moi", NULL);
	ck_assert_int_eq(s2, 1);
	der_of(auth2.cert, &d, &l);
	ck_assert_int_eq(gconf_server_add_auth_cert(g, s2, d, l), 0);
	OPENSSL_free(d);
	x = client("PS", "GOV", "MOI", "CIVIL-REGISTER");
	ck_assert_int_eq(gconf_server_add_client(g, s2, &x), 0);
	/* GOV/MTIT/SSO is hosted on two servers (HA). */
	x = client("PS", "GOV", "MTIT", "SSO");
	ck_assert_int_eq(gconf_server_add_client(g, s2, &x), 0);

	grp = gconf_add_group(g, "security-server-owners",
	    "Security server owners");
	ck_assert_int_eq(grp, 0);
	x = client("PS", "GOV", "MTIT", NULL);
	ck_assert_int_eq(gconf_group_add_member(g, grp, &x), 0);
	x = client("PS", "GOV", "MOI", NULL);
	ck_assert_int_eq(gconf_group_add_member(g, grp, &x), 0);
	grp = gconf_add_group(g, "partners", "Federated partners");
	x = client("EE", "GOV", "70000001", "rr");
	ck_assert_int_eq(gconf_group_add_member(g, grp, &x), 0);
	ck_assert_int_eq(gconf_add_group(g, "", "x"), -1);

	ck_assert_int_eq(gconf_set_ocsp_freshness(g, 1800), 0);
	ck_assert_int_eq(gconf_set_ocsp_freshness(g, -1), -1);

	ck_assert_int_eq(gconf_set_ts_interval(g, 60), 0);
	x = client("PS", "GOV", "MTIT", "MANAGEMENT");
	der_of(auth1.cert, &d, &l);
	ck_assert_int_eq(gconf_set_management(g,
	    "https://127.0.0.1:4001/managementservice/", d, l, &x), 0);
	fed = anchor_new("EE", 1400604175);
	ck_assert_int_eq(anchor_add_source(fed, "http://ee/externalconf"), 0);
	ck_assert_int_eq(anchor_add_cert(fed, 0, d, l), 0);
	OPENSSL_free(d);
	ck_assert_int_eq(gconf_add_anchor(g, fed), 0);
	anchor_free(fed);
	return g;
}

static void
write_both(struct gconf *g, unsigned char **sp, size_t *sl,
    unsigned char **pp, size_t *pl)
{
	char err[512];

	ck_assert_msg(gconf_write_shared(g, sp, sl, err, sizeof(err)) == 0,
	    "%s", err);
	ck_assert_msg(gconf_write_private(g, pp, pl, err, sizeof(err)) == 0,
	    "%s", err);
}

static void
assert_valid(const unsigned char *xml, size_t len, const char *rel)
{
	struct xsd	*x;
	xmlDocPtr	 doc;
	char		 err[512];

	x = xsd_load(schema_dir, rel, err, sizeof(err));
	ck_assert_msg(x != NULL, "%s", err);
	doc = xsd_read_doc(xml, len, err, sizeof(err));
	ck_assert_msg(doc != NULL, "%s", err);
	ck_assert_msg(xsd_validate(x, doc, err, sizeof(err)) == 0, "%s: %s",
	    rel, err);
	xmlFreeDoc(doc);
	xsd_free(x);
}

START_TEST(test_roundtrip)
{
	struct gconf	*g = sample(), *h = NULL;
	unsigned char	*s, *p, *s2, *p2;
	size_t		 sl, pl, sl2, pl2;
	char		 err[512];
	int		 v;

	write_both(g, &s, &sl, &p, &pl);
	/* Schema-valid against v3, and (forward compatible) v4 to v6. */
	assert_valid(s, sl, "globalconf/v3/shared-parameters.xsd");
	assert_valid(p, pl, "globalconf/v3/private-parameters.xsd");
	for (v = 3; v <= 6; v++) {
		ck_assert_msg(gconf_parse(&h, v, s, sl, p, pl, schema_dir, err,
		    sizeof(err)) == 0, "v%d: %s", v, err);
		gconf_free(h);
	}
	ck_assert_msg(gconf_parse(&h, 0, s, sl, p, pl, schema_dir, err,
	    sizeof(err)) == 0, "%s", err);
	/* The same model: it writes the same bytes. */
	write_both(h, &s2, &sl2, &p2, &pl2);
	ck_assert_uint_eq(sl, sl2);
	ck_assert_mem_eq(s, s2, sl);
	ck_assert_uint_eq(pl, pl2);
	ck_assert_mem_eq(p, p2, pl);
	/* A few spot checks of what was written. */
	ck_assert_ptr_nonnull(strstr((char *)s, "<authenticationOnly>false"));
	ck_assert_ptr_nonnull(strstr((char *)s,
	    "<owner>m0</owner>"));
	ck_assert_ptr_nonnull(strstr((char *)s,
	    "<ocspFreshnessSeconds>1800</ocspFreshnessSeconds>"));
	ck_assert_ptr_nonnull(strstr((char *)s, "id:objectType=\"SUBSYSTEM\""));
	ck_assert_ptr_nonnull(strstr((char *)p,
	    "<timeStampingIntervalSeconds>60</timeStampingIntervalSeconds>"));
	free(s);
	free(p);
	free(s2);
	free(p2);
	gconf_free(g);
	gconf_free(h);
}
END_TEST

START_TEST(test_parsed_fields)
{
	struct gconf			*g = sample(), *h = NULL;
	const struct gconf_ca		*cas;
	const struct gconf_member	*m;
	const struct gconf_server	*v;
	const struct gconf_mgmt		*mg;
	const struct gconf_source	*src;
	const struct gconf_member_class	*mc;
	const struct gconf_group	*gr;
	const struct gconf_tsa		*t;
	unsigned char			*s, *p;
	size_t				 sl, pl, n;
	char				 err[512];

	write_both(g, &s, &sl, &p, &pl);
	ck_assert_msg(gconf_parse(&h, GCONF_VERSION, s, sl, p, pl, schema_dir,
	    err, sizeof(err)) == 0, "%s", err);
	ck_assert_str_eq(gconf_instance(h), "PS");
	ck_assert_int_eq(gconf_ocsp_freshness(h), 1800);
	ck_assert_int_eq(gconf_ts_interval(h), 60);
	src = gconf_sources(h, &n);
	ck_assert_uint_eq(n, 1);
	ck_assert_str_eq(src[0].gs_address, "127.0.0.1:8090");
	ck_assert_uint_eq(src[0].gs_nint, 1);
	ck_assert_uint_eq(src[0].gs_next, 1);
	cas = gconf_cas(h, &n);
	ck_assert_uint_eq(n, 2);
	ck_assert_int_eq(cas[0].gc_auth_only, 0);
	ck_assert_int_eq(cas[1].gc_auth_only, 1);
	ck_assert_uint_eq(cas[0].gc_ninter, 1);
	ck_assert_uint_eq(cas[0].gc_top.gi_nocsp, 1);
	ck_assert_ptr_null(cas[0].gc_top.gi_ocsp[0].go_cert);
	ck_assert_ptr_nonnull(cas[0].gc_inter[0].gi_ocsp[0].go_x509);
	ck_assert_int_eq(X509_cmp(cas[0].gc_inter[0].gi_ocsp[0].go_x509,
	    ocsp.cert), 0);
	ck_assert_ptr_null(cas[0].gc_acme_url);
	ck_assert_str_eq(cas[1].gc_acme_url, "https://acme/dir");
	ck_assert_str_eq(cas[1].gc_acme_ip, "10.0.0.1,10.0.0.2");
	t = gconf_tsas(h, &n);
	ck_assert_uint_eq(n, 1);
	ck_assert_str_eq(t[0].gt_url, "http://127.0.0.1:8091");
	mc = gconf_member_classes(h, &n);
	ck_assert_uint_eq(n, 2);
	ck_assert_str_eq(mc[1].mc_description, "Companies & co");
	m = gconf_member(h, "GOV", "MOI");
	ck_assert_ptr_nonnull(m);
	ck_assert_str_eq(m->gm_name, "وزارة الداخلية");
	ck_assert_uint_eq(m->gm_nsubsystems, 1);
	v = gconf_servers(h, &n);
	ck_assert_uint_eq(n, 2);
	ck_assert_str_eq(v[0].gv_address, "127.0.0.1:5500");
	ck_assert_ptr_null(v[1].gv_address);
	ck_assert_uint_eq(v[0].gv_nclients, 3);
	ck_assert_ptr_null(v[0].gv_clients[2].cr_subsystem);
	gr = gconf_groups(h, &n);
	ck_assert_uint_eq(n, 2);
	ck_assert_str_eq(gr[1].gr_members[0].gg_instance, "EE");
	ck_assert_str_eq(gr[1].gr_members[0].gg_subsystem, "rr");
	mg = gconf_management(h);
	ck_assert_ptr_nonnull(mg);
	ck_assert_str_eq(mg->mg_provider.gg_subsystem, "MANAGEMENT");
	ck_assert_ptr_nonnull(mg->mg_reg_cert);
	ck_assert_uint_eq(gconf_nanchors(h), 1);
	ck_assert_str_eq(anchor_instance(gconf_anchor(h, 0)), "EE");
	ck_assert(anchor_equal(gconf_anchor(g, 0), gconf_anchor(h, 0)));
	ck_assert_ptr_null(gconf_anchor(h, 1));
	free(s);
	free(p);
	gconf_free(g);
	gconf_free(h);
}
END_TEST

START_TEST(test_lookups)
{
	struct gconf			*g = sample(), *h = NULL;
	const struct gconf_server	*out[4], *srv;
	const struct gconf_cainfo	*lvl;
	const struct gconf_ca		*ca;
	const struct gconf_group	*gr;
	unsigned char			*s, *p;
	unsigned char			 hash[GCONF_AUTH_HASH_LEN];
	unsigned int			 hl;
	unsigned char			*der;
	size_t				 sl, pl, n, dl;
	struct xrid			 x;
	char				 err[512];

	write_both(g, &s, &sl, &p, &pl);
	ck_assert_msg(gconf_parse(&h, 0, s, sl, NULL, 0, schema_dir, err,
	    sizeof(err)) == 0, "%s", err);
	/* Without private parameters. */
	ck_assert_int_eq(gconf_ts_interval(h), -1);
	ck_assert_ptr_null(gconf_management(h));

	x = client("PS", "GOV", "MTIT", NULL);
	ck_assert(gconf_has_client(h, &x));
	x = client("PS", "GOV", "MTIT", "SSO");
	ck_assert(gconf_has_client(h, &x));
	x = client("PS", "COM", "ACME", NULL);
	ck_assert(gconf_has_client(h, &x));
	x = client("PS", "GOV", "MTIT", "NOPE");
	ck_assert(!gconf_has_client(h, &x));
	x = client("EE", "GOV", "MTIT", "SSO");
	ck_assert(!gconf_has_client(h, &x));
	x = client("PS", "GOV", "MTIT", NULL);
	x.type = XRID_SUBSYSTEM;		/* subsystem with no code */
	ck_assert(!gconf_has_client(h, &x));
	x = server("GOV", "MTIT", "ss-mtit");
	ck_assert(!gconf_has_client(h, &x));

	x = client("PS", "GOV", "MTIT", "SSO");
	n = gconf_client_servers(h, &x, out, 4);
	ck_assert_uint_eq(n, 2);
	ck_assert_str_eq(out[0]->gv_code, "ss-mtit");
	ck_assert_str_eq(out[1]->gv_code, "ss-moi");
	/* Fewer slots than servers: the count is still the total. */
	ck_assert_uint_eq(gconf_client_servers(h, &x, out, 1), 2);
	x = client("PS", "GOV", "MOI", "CIVIL-REGISTER");
	ck_assert_uint_eq(gconf_client_servers(h, &x, out, 4), 1);
	ck_assert_str_eq(out[0]->gv_code, "ss-moi");
	x = client("PS", "COM", "ACME", NULL);
	ck_assert_uint_eq(gconf_client_servers(h, &x, out, 4), 0);
	/* The member is a client on ss-mtit, its subsystem only elsewhere. */
	x = client("PS", "GOV", "MTIT", NULL);
	ck_assert_uint_eq(gconf_client_servers(h, &x, out, 4), 1);

	/* Auth cert -> server -> hosts client? */
	srv = gconf_server_by_auth_cert(h, auth1.cert);
	ck_assert_ptr_nonnull(srv);
	ck_assert_str_eq(srv->gv_code, "ss-mtit");
	x = client("PS", "GOV", "MTIT", "PORTAL");
	ck_assert(gconf_server_has_client(h, srv, &x));
	x = client("PS", "GOV", "MOI", "CIVIL-REGISTER");
	ck_assert(!gconf_server_has_client(h, srv, &x));
	srv = gconf_server_by_auth_cert(h, auth2.cert);
	ck_assert_str_eq(srv->gv_code, "ss-moi");
	ck_assert(gconf_server_has_client(h, srv, &x));
	ck_assert_ptr_null(gconf_server_by_auth_cert(h, sign1.cert));
	der = NULL;
	dl = (size_t)i2d_X509(auth2.cert, &der);
	ck_assert_int_eq(EVP_Digest(der, dl, hash, &hl, EVP_sha256(), NULL), 1);
	OPENSSL_free(der);
	ck_assert_ptr_eq(gconf_server_by_auth_hash(h, hash), srv);
	hash[0] ^= 1;
	ck_assert_ptr_null(gconf_server_by_auth_hash(h, hash));

	x = server("GOV", "MOI", "ss-moi");
	ck_assert_ptr_eq(gconf_server_by_id(h, &x), srv);
	x = server("GOV", "MOI", "ss-mtit");
	ck_assert_ptr_null(gconf_server_by_id(h, &x));

	/* CAs. */
	ca = gconf_ca_by_cert(h, inter.cert, &lvl);
	ck_assert_ptr_nonnull(ca);
	ck_assert_str_eq(ca->gc_name, "Hukumati Dev CA");
	ck_assert_uint_eq(lvl->gi_nocsp, 1);
	ck_assert_str_eq(lvl->gi_ocsp[0].go_url, "http://127.0.0.1:8092/i");
	ca = gconf_ca_by_cert(h, root.cert, &lvl);
	ck_assert_ptr_eq(lvl, &ca->gc_top);
	ck_assert_ptr_null(gconf_ca_by_cert(h, auth1.cert, NULL));
	ck_assert_ptr_null(gconf_ca_by_cert(h, other_root.cert, NULL));
	ca = gconf_ca_find_issuer(h, sign1.cert, &lvl);
	ck_assert_ptr_nonnull(ca);
	ck_assert_int_eq(X509_cmp(lvl->gi_x509, inter.cert), 0);
	ca = gconf_ca_find_issuer(h, inter.cert, &lvl);
	ck_assert_ptr_eq(lvl, &ca->gc_top);
	/* Same issuer name as the approved intermediate, other key. */
	ck_assert_ptr_null(gconf_ca_find_issuer(h, other_leaf.cert, NULL));

	/* TSAs. */
	ck_assert_ptr_nonnull(gconf_tsa_by_cert(h, tsa.cert));
	ck_assert_ptr_null(gconf_tsa_by_cert(h, ocsp.cert));

	/* Groups. */
	gr = gconf_group(h, "security-server-owners");
	ck_assert_ptr_nonnull(gr);
	ck_assert_uint_eq(gr->gr_nmembers, 2);
	ck_assert_ptr_null(gconf_group(h, "nobody"));
	x = client("PS", "GOV", "MOI", NULL);
	ck_assert(gconf_group_has_member(h, "security-server-owners", &x));
	ck_assert(!gconf_group_has_member(h, "partners", &x));
	x = client("PS", "GOV", "MOI", "CIVIL-REGISTER");
	ck_assert(!gconf_group_has_member(h, "security-server-owners", &x));
	x = client("EE", "GOV", "70000001", "rr");
	ck_assert(gconf_group_has_member(h, "partners", &x));
	ck_assert(!gconf_group_has_member(h, "nobody", &x));
	ck_assert_int_eq(gconf_ocsp_freshness(h), 1800);

	/* A change drops the indexes until gconf_finish. */
	ck_assert_int_eq(gconf_add_member(h, "GOV", "NEW", "New"), 3);
	x = client("PS", "GOV", "NEW", NULL);
	ck_assert(!gconf_has_client(h, &x));
	ck_assert_int_eq(gconf_finish(h, err, sizeof(err)), 0);
	ck_assert(gconf_has_client(h, &x));
	free(s);
	free(p);
	gconf_free(g);
	gconf_free(h);
}
END_TEST

START_TEST(test_finish_errors)
{
	struct gconf	*g;
	struct xrid	 x;
	unsigned char	 h[GCONF_AUTH_HASH_LEN] = { 1 };
	unsigned char	*out;
	size_t		 len;
	char		 err[512];
	int		 s;

	ck_assert_ptr_null(gconf_new(""));
	ck_assert_ptr_null(gconf_new("P\nS"));
	gconf_free(NULL);

	/* Member of an unknown class. */
	g = gconf_new("PS");
	ck_assert_int_eq(gconf_add_member(g, "GOV", "A", "a"), 0);
	ck_assert_int_eq(gconf_finish(g, err, sizeof(err)), -1);
	ck_assert_ptr_nonnull(strstr(err, "unknown member class"));
	ck_assert_int_eq(gconf_add_member_class(g, "GOV", "g"), 0);
	ck_assert_int_eq(gconf_finish(g, err, sizeof(err)), 0);
	/* Duplicate member. */
	ck_assert_int_eq(gconf_add_member(g, "GOV", "A", "again"), 1);
	ck_assert_int_eq(gconf_finish(g, err, sizeof(err)), -1);
	ck_assert_ptr_nonnull(strstr(err, "twice"));
	gconf_free(g);

	/* Server owner not a member; client not registered. */
	g = gconf_new("PS");
	ck_assert_int_eq(gconf_add_member_class(g, "GOV", "g"), 0);
	ck_assert_int_eq(gconf_add_member(g, "GOV", "A", "a"), 0);
	s = gconf_add_server(g, "GOV", "B", "ss", NULL);
	ck_assert_int_eq(gconf_finish(g, err, sizeof(err)), -1);
	ck_assert_ptr_nonnull(strstr(err, "owner is not a member"));
	gconf_free(g);
	g = gconf_new("PS");
	ck_assert_int_eq(gconf_add_member_class(g, "GOV", "g"), 0);
	ck_assert_int_eq(gconf_add_member(g, "GOV", "A", "a"), 0);
	s = gconf_add_server(g, "GOV", "A", "ss", NULL);
	x = client("PS", "GOV", "A", "NOSUB");
	ck_assert_int_eq(gconf_server_add_client(g, s, &x), 0);
	ck_assert_int_eq(gconf_finish(g, err, sizeof(err)), -1);
	ck_assert_ptr_nonnull(strstr(err, "is not registered"));
	gconf_free(g);

	/* One auth cert on two servers. */
	g = gconf_new("PS");
	ck_assert_int_eq(gconf_add_member_class(g, "GOV", "g"), 0);
	ck_assert_int_eq(gconf_add_member(g, "GOV", "A", "a"), 0);
	ck_assert_int_eq(gconf_add_server(g, "GOV", "A", "s1", NULL), 0);
	ck_assert_int_eq(gconf_add_server(g, "GOV", "A", "s2", NULL), 1);
	ck_assert_int_eq(gconf_server_add_auth_hash(g, 0, h), 0);
	ck_assert_int_eq(gconf_server_add_auth_hash(g, 1, h), 0);
	ck_assert_int_eq(gconf_finish(g, err, sizeof(err)), -1);
	ck_assert_ptr_nonnull(strstr(err, "registered twice"));
	gconf_free(g);

	/* A CA certificate that is not a certificate. */
	g = gconf_new("PS");
	ck_assert_int_eq(gconf_add_ca(g, "bad", (const unsigned char *)"xx",
	    2, "p"), 0);
	ck_assert_int_eq(gconf_finish(g, err, sizeof(err)), -1);
	ck_assert_ptr_nonnull(strstr(err, "bad top CA certificate"));
	/* Shared parameters need a source; private need their fields. */
	gconf_free(g);
	g = gconf_new("PS");
	ck_assert_int_eq(gconf_write_shared(g, &out, &len, err, sizeof(err)),
	    -1);
	ck_assert_ptr_nonnull(strstr(err, "source"));
	ck_assert_int_eq(gconf_write_private(g, &out, &len, err, sizeof(err)),
	    -1);
	gconf_free(g);
}
END_TEST

/* Parse a shared-parameters document written here; expect failure. */
static void
expect_parse_fail(const char *shared, const char *priv, int version,
    const char *needle)
{
	struct gconf	*g = NULL;
	char		 err[512] = "";

	ck_assert_int_eq(gconf_parse(&g, version, shared, strlen(shared), priv,
	    priv != NULL ? strlen(priv) : 0, schema_dir, err, sizeof(err)), -1);
	ck_assert_ptr_null(g);
	ck_assert_msg(strstr(err, needle) != NULL, "error \"%s\" lacks \"%s\"",
	    err, needle);
}

#define SP_HEAD "<tns:conf xmlns:tns=\"http://x-road.eu/xsd/xroad.xsd\" " \
	"xmlns:id=\"http://x-road.eu/xsd/identifiers\">" \
	"<instanceIdentifier>PS</instanceIdentifier>" \
	"<source><address>cs</address></source>"
#define SP_MEMBER "<member id=\"a\"><memberClass><code>GOV</code>" \
	"<description>G</description></memberClass><memberCode>A</memberCode>" \
	"<name>A</name><subsystem id=\"b\"><subsystemCode>S</subsystemCode>" \
	"</subsystem></member>"
#define SP_TAIL "<globalSettings><ocspFreshnessSeconds>600" \
	"</ocspFreshnessSeconds></globalSettings></tns:conf>"
/* 32 bytes of zeros / 20 bytes of zeros (a v2-style SHA-1 hash). */
#define H32 "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA="
#define H20 "AAAAAAAAAAAAAAAAAAAAAAAAAAA="

START_TEST(test_parse_minimal_and_implicit_class)
{
	static const char sp[] = SP_HEAD SP_MEMBER
	    "<securityServer><owner>a</owner><serverCode>ss</serverCode>"
	    "<authCertHash>" H32 "</authCertHash><client>b</client>"
	    "</securityServer>" SP_TAIL;
	struct gconf			*g = NULL;
	const struct gconf_member_class	*mc;
	struct xrid			 x;
	size_t				 n;
	char				 err[512];

	ck_assert_msg(gconf_parse(&g, 3, sp, strlen(sp), NULL, 0, schema_dir,
	    err, sizeof(err)) == 0, "%s", err);
	/* The class only the member names joins the list. */
	mc = gconf_member_classes(g, &n);
	ck_assert_uint_eq(n, 1);
	ck_assert_str_eq(mc[0].mc_description, "G");
	x = client("PS", "GOV", "A", "S");
	ck_assert_uint_eq(gconf_client_servers(g, &x, NULL, 0), 1);
	ck_assert_int_eq(gconf_ocsp_freshness(g), 600);
	gconf_free(g);
}
END_TEST

START_TEST(test_parse_v6_extras)
{
	/* Elements later versions add are accepted and skipped. */
	static const char sp[] = SP_HEAD
	    "<member id=\"a\"><memberClass><code>GOV</code>"
	    "<description>G</description></memberClass><memberCode>A"
	    "</memberCode><name>A</name><subsystem id=\"b\"><subsystemCode>S"
	    "</subsystemCode><subsystemName>Ess</subsystemName></subsystem>"
	    "</member><securityServer><owner>a</owner><serverCode>ss"
	    "</serverCode><client>b</client><inMaintenanceMode><message>m"
	    "</message></inMaintenanceMode></securityServer>" SP_TAIL;
	struct gconf	*g = NULL;
	char		 err[512];

	ck_assert_msg(gconf_parse(&g, 6, sp, strlen(sp), NULL, 0, schema_dir,
	    err, sizeof(err)) == 0, "%s", err);
	gconf_free(g);
	/* ... but v3 does not know them. */
	expect_parse_fail(sp, NULL, 3, "not schema-valid");
}
END_TEST

START_TEST(test_parse_errors)
{
	static const char priv_other[] = "<tns:conf "
	    "xmlns:tns=\"http://x-road.eu/xsd/xroad.xsd\" "
	    "xmlns:id=\"http://x-road.eu/xsd/identifiers\">"
	    "<instanceIdentifier>EE</instanceIdentifier><managementService>"
	    "<authCertRegServiceAddress>x</authCertRegServiceAddress>"
	    "<managementRequestServiceProviderId id:objectType=\"MEMBER\">"
	    "<id:xRoadInstance>EE</id:xRoadInstance><id:memberClass>GOV"
	    "</id:memberClass><id:memberCode>1</id:memberCode>"
	    "</managementRequestServiceProviderId></managementService>"
	    "<timeStampingIntervalSeconds>60</timeStampingIntervalSeconds>"
	    "</tns:conf>";

	/* Missing globalSettings. */
	expect_parse_fail(SP_HEAD "</tns:conf>", NULL, 3, "not schema-valid");
	/* Missing source (required since v3). */
	expect_parse_fail("<tns:conf xmlns:tns=\"http://x-road.eu/xsd/xroad.xsd\">"
	    "<instanceIdentifier>PS</instanceIdentifier>" SP_TAIL, NULL, 3,
	    "not schema-valid");
	/* A v2-style SHA-1 authCertHash. */
	expect_parse_fail(SP_HEAD SP_MEMBER "<securityServer><owner>a</owner>"
	    "<serverCode>ss</serverCode><authCertHash>" H20 "</authCertHash>"
	    "</securityServer>" SP_TAIL, NULL, 3, "not SHA-256");
	/* IDREF to nothing (libxml2's schema check does not catch it). */
	expect_parse_fail(SP_HEAD SP_MEMBER "<securityServer><owner>a</owner>"
	    "<serverCode>ss</serverCode><client>zz</client></securityServer>"
	    SP_TAIL, NULL, 3, "unknown reference");
	/* Owner must be a member, not a subsystem. */
	expect_parse_fail(SP_HEAD SP_MEMBER "<securityServer><owner>b</owner>"
	    "<serverCode>ss</serverCode></securityServer>" SP_TAIL, NULL, 3,
	    "owner is a subsystem");
	/* Group member of type SERVER. */
	expect_parse_fail(SP_HEAD "<globalGroup><groupCode>g</groupCode>"
	    "<description>d</description><groupMember id:objectType=\"SERVER\">"
	    "<id:xRoadInstance>PS</id:xRoadInstance><id:memberClass>GOV"
	    "</id:memberClass><id:memberCode>A</id:memberCode></groupMember>"
	    "</globalGroup>" SP_TAIL, NULL, 3, "objectType");
	/* Private parameters of another instance. */
	expect_parse_fail(SP_HEAD SP_TAIL, priv_other, 3, "another instance");
	/* DOCTYPE, garbage, versions. */
	expect_parse_fail("<!DOCTYPE x [<!ENTITY a \"b\">]>" SP_HEAD SP_TAIL,
	    NULL, 3, "DOCTYPE");
	expect_parse_fail("<tns:conf", NULL, 3, "not well-formed");
	expect_parse_fail(SP_HEAD SP_TAIL, NULL, 2, "not supported");
	expect_parse_fail(SP_HEAD SP_TAIL, NULL, 7, "not supported");
}
END_TEST

/* Many members and servers: every client is found, on the right server. */
START_TEST(test_scale)
{
	struct gconf			*g, *h = NULL;
	const struct gconf_server	*out[2];
	struct xrid			 x;
	unsigned char			*s;
	size_t				 sl;
	char				 code[32], sub[32], err[512];
	int				 i, srv;

	g = gconf_new("PS");
	ck_assert_int_eq(gconf_add_source(g, "cs"), 0);
	ck_assert_int_eq(gconf_add_member_class(g, "GOV", "g"), 0);
	for (i = 0; i < 3000; i++) {
		(void)snprintf(code, sizeof(code), "M%d", (i * 7919) % 3000);
		ck_assert_int_eq(gconf_add_member(g, "GOV", code, code), i);
		ck_assert_int_eq(gconf_member_add_subsystem(g, i, "A"), 0);
		ck_assert_int_eq(gconf_member_add_subsystem(g, i, "B"), 0);
	}
	for (i = 0; i < 1000; i++) {
		(void)snprintf(code, sizeof(code), "M%d", i);
		(void)snprintf(sub, sizeof(sub), "ss%d", i);
		srv = gconf_add_server(g, "GOV", code, sub, NULL);
		ck_assert_int_eq(srv, i);
		x = client("PS", "GOV", code, "A");
		ck_assert_int_eq(gconf_server_add_client(g, srv, &x), 0);
		(void)snprintf(code, sizeof(code), "M%d", 2999 - i);
		x = client("PS", "GOV", code, "B");
		ck_assert_int_eq(gconf_server_add_client(g, srv, &x), 0);
	}
	ck_assert_msg(gconf_write_shared(g, &s, &sl, err, sizeof(err)) == 0,
	    "%s", err);
	ck_assert_msg(gconf_parse(&h, 3, s, sl, NULL, 0, schema_dir, err,
	    sizeof(err)) == 0, "%s", err);
	for (i = 0; i < 3000; i++) {
		(void)snprintf(code, sizeof(code), "M%d", i);
		x = client("PS", "GOV", code, "A");
		ck_assert(gconf_has_client(h, &x));
		ck_assert_uint_eq(gconf_client_servers(h, &x, out, 2),
		    i < 1000 ? 1 : 0);
		if (i < 1000) {
			(void)snprintf(sub, sizeof(sub), "ss%d", i);
			ck_assert_str_eq(out[0]->gv_code, sub);
		}
		x = client("PS", "GOV", code, "B");
		ck_assert_uint_eq(gconf_client_servers(h, &x, out, 2),
		    i >= 2000 ? 1 : 0);
	}
	free(s);
	gconf_free(g);
	gconf_free(h);
}
END_TEST

static Suite *
globalconf_suite(void)
{
	Suite	*s = suite_create("globalconf");
	TCase	*tc = tcase_create("core");

	tcase_add_unchecked_fixture(tc, pki_setup, pki_teardown);
	tcase_set_timeout(tc, 120);
	tcase_add_test(tc, test_roundtrip);
	tcase_add_test(tc, test_parsed_fields);
	tcase_add_test(tc, test_lookups);
	tcase_add_test(tc, test_finish_errors);
	tcase_add_test(tc, test_parse_minimal_and_implicit_class);
	tcase_add_test(tc, test_parse_v6_extras);
	tcase_add_test(tc, test_parse_errors);
	tcase_add_test(tc, test_scale);
	suite_add_tcase(s, tc);
	return s;
}

HK_CHECK_MAIN(globalconf_suite)
