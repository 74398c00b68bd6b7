/* Unit tests for xrid.c: X-Road identifiers. */
#include "config.h"

#include <string.h>

#include <libxml/parser.h>
#include <libxml/tree.h>

#include "hk_check.h"
#include "xrid.h"

static char	err[XRID_ERR_MAX];

START_TEST(test_parse_client)
{
	struct xrid	id;
	char		s[XRID_STR_MAX];

	ck_assert_int_eq(xrid_parse_client(&id, "PS/GOV/MTIT/SSO", 0, err,
	    sizeof(err)), 0);
	ck_assert_int_eq(id.type, XRID_SUBSYSTEM);
	ck_assert_str_eq(id.instance, "PS");
	ck_assert_str_eq(id.member_class, "GOV");
	ck_assert_str_eq(id.member_code, "MTIT");
	ck_assert_str_eq(id.subsystem_code, "SSO");
	ck_assert_int_eq(xrid_format(&id, 0, s, sizeof(s)), 0);
	ck_assert_str_eq(s, "PS/GOV/MTIT/SSO");

	ck_assert_int_eq(xrid_parse_client(&id, "PS/GOV/MTIT", 0, err,
	    sizeof(err)), 0);
	ck_assert_int_eq(id.type, XRID_MEMBER);
	ck_assert_str_eq(id.subsystem_code, "");

	/* Wrong number of parts, empty parts. */
	ck_assert_int_eq(xrid_parse_client(&id, "PS/GOV", 0, err,
	    sizeof(err)), -1);
	ck_assert_ptr_nonnull(strstr(err, "number of parts"));
	ck_assert_int_eq(xrid_parse_client(&id, "PS/GOV/MTIT/SSO/X", 0, err,
	    sizeof(err)), -1);
	ck_assert_int_eq(xrid_parse_client(&id, "PS//MTIT/SSO", 0, err,
	    sizeof(err)), -1);
	ck_assert_ptr_nonnull(strstr(err, "memberClass is empty"));
	ck_assert_int_eq(xrid_parse_client(&id, "PS/GOV/MTIT/", 0, err,
	    sizeof(err)), -1);
	ck_assert_int_eq(xrid_parse_client(&id, "", 0, err, sizeof(err)), -1);
	/* A failed parse leaves nothing behind. */
	ck_assert_int_eq(id.type, 0);
	ck_assert_str_eq(id.instance, "");
}
END_TEST

START_TEST(test_strict_chars)
{
	struct xrid	id;
	char		long_code[300];

	/* Every allowed punctuation character. */
	ck_assert_int_eq(xrid_parse_client(&id, "EE-test/GOV/a'()+,-.=?b/S1",
	    0, err, sizeof(err)), 0);
	ck_assert_str_eq(id.member_code, "a'()+,-.=?b");
	/* Refused: underscore, space, colon, non-ASCII, backslash. */
	ck_assert_int_eq(xrid_parse_client(&id, "PS/GOV/MT_IT", 0, err,
	    sizeof(err)), -1);
	ck_assert_ptr_nonnull(strstr(err, "memberCode"));
	ck_assert_ptr_nonnull(strstr(err, "0x5f"));
	ck_assert_ptr_nonnull(strstr(err, "allowed: A-Z a-z 0-9"));
	ck_assert_int_eq(xrid_parse_client(&id, "PS/GOV/MT IT", 0, err,
	    sizeof(err)), -1);
	ck_assert_int_eq(xrid_parse_client(&id, "PS/GOV/MT:IT", 0, err,
	    sizeof(err)), -1);
	ck_assert_int_eq(xrid_parse_client(&id, "PS/GOV/M\xc3\xa4", 0, err,
	    sizeof(err)), -1);
	ck_assert_int_eq(xrid_check_part("a\\b", 0, err, sizeof(err)), -1);
	ck_assert_int_eq(xrid_check_part("", 0, err, sizeof(err)), -1);
	ck_assert_ptr_nonnull(strstr(err, "empty"));
	/* Lax mode: underscore and UTF-8 pass, ; / \ % : do not. */
	ck_assert_int_eq(xrid_parse_client(&id, "PS/GOV/MT_IT\xc3\xa4",
	    XRID_F_LAX, err, sizeof(err)), 0);
	ck_assert_int_eq(xrid_check_part("a;b", XRID_F_LAX, err,
	    sizeof(err)), -1);
	ck_assert_int_eq(xrid_check_part("a%b", XRID_F_LAX, err,
	    sizeof(err)), -1);
	ck_assert_int_eq(xrid_check_part("a\tb", XRID_F_LAX, err,
	    sizeof(err)), -1);
	/* Length: 255 is fine, 256 is not. */
	memset(long_code, 'A', 255);
	long_code[255] = '\0';
	ck_assert_int_eq(xrid_check_part(long_code, 0, err, sizeof(err)), 0);
	ck_assert_int_eq(xrid_set_client(&id, "PS", "GOV", long_code, NULL,
	    err, sizeof(err)), 0);
	long_code[255] = 'A';
	long_code[256] = '\0';
	ck_assert_int_eq(xrid_check_part(long_code, 0, err, sizeof(err)), -1);
	ck_assert_ptr_nonnull(strstr(err, "longer than 255"));
	ck_assert_int_eq(xrid_set_client(&id, "PS", "GOV", long_code, NULL,
	    err, sizeof(err)), -1);
}
END_TEST

START_TEST(test_service_server_groups)
{
	struct xrid	id;
	char		s[XRID_STR_MAX];

	ck_assert_int_eq(xrid_parse(&id, XRID_MASK(XRID_SERVICE),
	    "PS/GOV/MOI/CIVIL-REGISTER/getPerson", 0, err, sizeof(err)), 0);
	ck_assert_int_eq(id.type, XRID_SERVICE);
	ck_assert_str_eq(id.subsystem_code, "CIVIL-REGISTER");
	ck_assert_str_eq(id.service_code, "getPerson");
	ck_assert_str_eq(id.service_version, "");
	ck_assert_int_eq(xrid_parse(&id, XRID_MASK(XRID_SERVICE),
	    "PS/GOV/MOI/CIVIL-REGISTER/getPerson/v1", 0, err, sizeof(err)), 0);
	ck_assert_str_eq(id.service_version, "v1");
	ck_assert_int_eq(xrid_format(&id, 0, s, sizeof(s)), 0);
	ck_assert_str_eq(s, "PS/GOV/MOI/CIVIL-REGISTER/getPerson/v1");
	ck_assert_int_eq(xrid_parse(&id, XRID_MASK(XRID_SERVICE),
	    "PS/GOV/MOI/CIVIL-REGISTER", 0, err, sizeof(err)), -1);

	ck_assert_int_eq(xrid_parse(&id, XRID_MASK(XRID_SERVER),
	    "PS/GOV/MTIT/ss-mtit", 0, err, sizeof(err)), 0);
	ck_assert_int_eq(id.type, XRID_SERVER);
	ck_assert_str_eq(id.server_code, "ss-mtit");
	ck_assert_str_eq(id.subsystem_code, "");
	/* Four parts could be either: refuse the ambiguous mask. */
	ck_assert_int_eq(xrid_parse(&id, XRID_MASK(XRID_SERVER) |
	    XRID_MASK(XRID_SUBSYSTEM), "PS/GOV/MTIT/x", 0, err, sizeof(err)),
	    -1);
	ck_assert_ptr_nonnull(strstr(err, "ambiguous"));

	ck_assert_int_eq(xrid_parse(&id, XRID_MASK(XRID_GLOBALGROUP),
	    "PS/a/b", 0, err, sizeof(err)), -1);
	ck_assert_int_eq(xrid_parse(&id, XRID_MASK(XRID_GLOBALGROUP),
	    "PS/owners", 0, err, sizeof(err)), 0);
	ck_assert_str_eq(id.group_code, "owners");
	ck_assert_int_eq(xrid_parse(&id, XRID_MASK(XRID_LOCALGROUP),
	    "admins", 0, err, sizeof(err)), 0);
	ck_assert_int_eq(id.type, XRID_LOCALGROUP);
	ck_assert_int_eq(xrid_format(&id, 0, s, sizeof(s)), 0);
	ck_assert_str_eq(s, "admins");
	/* Output too small. */
	ck_assert_int_eq(xrid_format(&id, 0, s, 3), -1);
}
END_TEST

START_TEST(test_percent)
{
	struct xrid	id;
	char		s[XRID_STR_MAX * 3];

	ck_assert_int_eq(xrid_parse(&id, XRID_MASK(XRID_SERVICE),
	    "INSTANCE/CLASS/MEMBER/SUB/BAR%3FSERVICE", XRID_F_PCT, err,
	    sizeof(err)), 0);
	ck_assert_str_eq(id.service_code, "BAR?SERVICE");
	ck_assert_int_eq(xrid_format(&id, XRID_F_PCT, s, sizeof(s)), 0);
	ck_assert_str_eq(s, "INSTANCE/CLASS/MEMBER/SUB/BAR%3FSERVICE");
	/* Without the flag the % is a forbidden character. */
	ck_assert_int_eq(xrid_parse(&id, XRID_MASK(XRID_SERVICE),
	    "INSTANCE/CLASS/MEMBER/SUB/BAR%3FSERVICE", 0, err, sizeof(err)),
	    -1);
	/* An encoded '/' decodes to a forbidden character. */
	ck_assert_int_eq(xrid_parse_client(&id, "I/C/M/A%2FB", XRID_F_PCT,
	    err, sizeof(err)), -1);
	/* Malformed escapes and NUL. */
	ck_assert_int_eq(xrid_parse_client(&id, "I/C/M/A%4", XRID_F_PCT,
	    err, sizeof(err)), -1);
	ck_assert_int_eq(xrid_parse_client(&id, "I/C/M/A%zz", XRID_F_PCT,
	    err, sizeof(err)), -1);
	ck_assert_int_eq(xrid_parse_client(&id, "I/C/M/A%00", XRID_F_PCT,
	    err, sizeof(err)), -1);
	/* Plain parts pass through; '+' is not a space in paths. */
	ck_assert_int_eq(xrid_parse_client(&id, "I/C/M/a+b", XRID_F_PCT,
	    err, sizeof(err)), 0);
	ck_assert_str_eq(id.subsystem_code, "a+b");

	ck_assert_int_eq(xrid_pct_encode("a b/c?%", s, sizeof(s)), 0);
	ck_assert_str_eq(s, "a%20b%2Fc%3F%25");
	ck_assert_int_eq(xrid_pct_encode("abc", s, 3), -1);
	ck_assert_int_eq(xrid_pct_decode("a%20b", 5, s, sizeof(s)), 0);
	ck_assert_str_eq(s, "a b");
}
END_TEST

START_TEST(test_doc_form)
{
	struct xrid	id;
	char		s[XRID_STR_MAX];

	ck_assert_int_eq(xrid_parse_doc(&id, "SUBSYSTEM:PS/GOV/MTIT/SSO", 0,
	    err, sizeof(err)), 0);
	ck_assert_int_eq(id.type, XRID_SUBSYSTEM);
	ck_assert_int_eq(xrid_format_doc(&id, s, sizeof(s)), 0);
	ck_assert_str_eq(s, "SUBSYSTEM:PS/GOV/MTIT/SSO");
	ck_assert_int_eq(xrid_parse_doc(&id,
	    "SERVICE:EE/BUSINESS/123456789/highsecurity/getSecureData/v1", 0,
	    err, sizeof(err)), 0);
	ck_assert_str_eq(id.service_version, "v1");
	ck_assert_int_eq(xrid_format_doc(&id, s, sizeof(s)), 0);
	ck_assert_str_eq(s,
	    "SERVICE:EE/BUSINESS/123456789/highsecurity/getSecureData/v1");
	ck_assert_int_eq(xrid_parse_doc(&id, "SERVER:PS/GOV/MTIT/ss-mtit", 0,
	    err, sizeof(err)), 0);
	ck_assert_int_eq(id.type, XRID_SERVER);
	ck_assert_int_eq(xrid_parse_doc(&id, "MEMBER:PS/GOV/MTIT", 0, err,
	    sizeof(err)), 0);
	/* Type and part count must agree. */
	ck_assert_int_eq(xrid_parse_doc(&id, "MEMBER:PS/GOV/MTIT/SSO", 0, err,
	    sizeof(err)), -1);
	ck_assert_int_eq(xrid_parse_doc(&id, "subsystem:PS/GOV/MTIT/SSO", 0,
	    err, sizeof(err)), -1);
	ck_assert_int_eq(xrid_parse_doc(&id, "PS/GOV/MTIT/SSO", 0, err,
	    sizeof(err)), -1);
	ck_assert_int_eq(xrid_type_parse("GLOBALGROUP",
	    (enum xrid_type *)&id.type), 0);
	ck_assert_int_eq(id.type, XRID_GLOBALGROUP);
	ck_assert_ptr_null(xrid_type_name((enum xrid_type)99));
}
END_TEST

START_TEST(test_equal_member)
{
	struct xrid	a, b, m, p;

	ck_assert_int_eq(xrid_set_client(&a, "PS", "GOV", "MTIT", "SSO", err,
	    sizeof(err)), 0);
	b = a;
	ck_assert_int_eq(xrid_equal(&a, &b), 1);
	ck_assert_int_eq(xrid_set_client(&b, "PS", "GOV", "MTIT", "sso", err,
	    sizeof(err)), 0);
	ck_assert_int_eq(xrid_equal(&a, &b), 0);	/* case-sensitive */
	ck_assert_int_eq(xrid_set_client(&m, "PS", "GOV", "MTIT", NULL, err,
	    sizeof(err)), 0);
	ck_assert_int_eq(m.type, XRID_MEMBER);
	ck_assert_int_eq(xrid_member_of(&a, &m), 1);
	ck_assert_int_eq(xrid_member_of(&m, &m), 1);
	ck_assert_int_eq(xrid_member_of(&a, &a), 0);	/* not a member id */
	ck_assert_int_eq(xrid_set_client(&b, "PS", "GOV", "MOF", "SSO", err,
	    sizeof(err)), 0);
	ck_assert_int_eq(xrid_member_of(&b, &m), 0);
	ck_assert_int_eq(xrid_member(&a, &p), 0);
	ck_assert_int_eq(xrid_equal(&p, &m), 1);

	ck_assert_int_eq(xrid_set_service(&b, "PS", "GOV", "MTIT", "SSO",
	    "login", "v2", err, sizeof(err)), 0);
	ck_assert_int_eq(xrid_member_of(&b, &m), 1);
	ck_assert_int_eq(xrid_service_provider(&b, &p), 0);
	ck_assert_int_eq(xrid_equal(&p, &a), 1);
	xrid_service_unversioned(&b, &p);
	ck_assert_str_eq(p.service_version, "");
	ck_assert_str_eq(p.service_code, "login");
	ck_assert_int_eq(xrid_service_provider(&a, &p), -1);
	ck_assert_int_eq(xrid_set_server(&b, "PS", "GOV", "MTIT", "ss-mtit",
	    err, sizeof(err)), 0);
	ck_assert_int_eq(xrid_member_of(&b, &m), 1);
	ck_assert_int_eq(xrid_set_globalgroup(&b, "PS", "owners", err,
	    sizeof(err)), 0);
	ck_assert_int_eq(xrid_member(&b, &p), -1);
	ck_assert_int_eq(xrid_set_localgroup(&b, "x_y", err, sizeof(err)), -1);

	/* validate: a field that does not belong to the type. */
	a.server_code[0] = 'X';
	ck_assert_int_eq(xrid_validate(&a, 0, err, sizeof(err)), -1);
	ck_assert_ptr_nonnull(strstr(err, "serverCode is not allowed"));
}
END_TEST

/* <xrd:client> built from a string, as in a SOAP header. */
static xmlDoc *
doc_from(const char *inner)
{
	char	x[4096];
	int	n;

	n = snprintf(x, sizeof(x), "<h xmlns:xrd=\"" XRID_NS_XROAD "\" "
	    "xmlns:id=\"" XRID_NS_ID "\">%s</h>", inner);
	ck_assert(n > 0 && (size_t)n < sizeof(x));
	return xmlReadMemory(x, n, NULL, NULL, XML_PARSE_NONET);
}

static int
from_xml(const char *inner, unsigned mask, struct xrid *id)
{
	xmlDoc	*d = doc_from(inner);
	xmlNode	*n;
	int	 r;

	ck_assert_ptr_nonnull(d);
	for (n = xmlDocGetRootElement(d)->children; n != NULL; n = n->next)
		if (n->type == XML_ELEMENT_NODE)
			break;
	ck_assert_ptr_nonnull(n);
	r = xrid_from_xml(id, n, mask, err, sizeof(err));
	xmlFreeDoc(d);
	return r;
}

START_TEST(test_xml)
{
	struct xrid	id;

	ck_assert_int_eq(from_xml("<xrd:client id:objectType=\"SUBSYSTEM\">\n"
	    "  <id:xRoadInstance>EE</id:xRoadInstance>\n"
	    "  <id:memberClass>GOV</id:memberClass><!-- c -->\n"
	    "  <id:memberCode>MEMBER1</id:memberCode>\n"
	    "  <id:subsystemCode>SUBSYSTEM1</id:subsystemCode>\n"
	    "</xrd:client>", XRID_MASK_CLIENT, &id), 0);
	ck_assert_int_eq(id.type, XRID_SUBSYSTEM);
	ck_assert_str_eq(id.subsystem_code, "SUBSYSTEM1");

	/* Wrong order. */
	ck_assert_int_eq(from_xml("<xrd:client id:objectType=\"MEMBER\">"
	    "<id:memberClass>GOV</id:memberClass>"
	    "<id:xRoadInstance>EE</id:xRoadInstance>"
	    "<id:memberCode>M</id:memberCode></xrd:client>",
	    XRID_MASK_CLIENT, &id), -1);
	ck_assert_ptr_nonnull(strstr(err, "out of order"));
	/* Duplicate. */
	ck_assert_int_eq(from_xml("<xrd:client id:objectType=\"MEMBER\">"
	    "<id:xRoadInstance>EE</id:xRoadInstance>"
	    "<id:memberClass>GOV</id:memberClass>"
	    "<id:memberClass>GOV</id:memberClass>"
	    "<id:memberCode>M</id:memberCode></xrd:client>",
	    XRID_MASK_CLIENT, &id), -1);
	ck_assert_ptr_nonnull(strstr(err, "duplicate"));
	/* Unknown child, child in another namespace. */
	ck_assert_int_eq(from_xml("<xrd:client id:objectType=\"MEMBER\">"
	    "<id:xRoadInstance>EE</id:xRoadInstance>"
	    "<id:memberClass>GOV</id:memberClass>"
	    "<id:memberCode>M</id:memberCode><id:foo>x</id:foo></xrd:client>",
	    XRID_MASK_CLIENT, &id), -1);
	ck_assert_ptr_nonnull(strstr(err, "unknown element"));
	ck_assert_int_eq(from_xml("<xrd:client id:objectType=\"MEMBER\">"
	    "<id:xRoadInstance>EE</id:xRoadInstance>"
	    "<xrd:memberClass>GOV</xrd:memberClass>"
	    "<id:memberCode>M</id:memberCode></xrd:client>",
	    XRID_MASK_CLIENT, &id), -1);
	/* MEMBER with a subsystemCode; SUBSYSTEM without one. */
	ck_assert_int_eq(from_xml("<xrd:client id:objectType=\"MEMBER\">"
	    "<id:xRoadInstance>EE</id:xRoadInstance>"
	    "<id:memberClass>GOV</id:memberClass>"
	    "<id:memberCode>M</id:memberCode>"
	    "<id:subsystemCode>S</id:subsystemCode></xrd:client>",
	    XRID_MASK_CLIENT, &id), -1);
	ck_assert_int_eq(from_xml("<xrd:client id:objectType=\"SUBSYSTEM\">"
	    "<id:xRoadInstance>EE</id:xRoadInstance>"
	    "<id:memberClass>GOV</id:memberClass>"
	    "<id:memberCode>M</id:memberCode></xrd:client>",
	    XRID_MASK_CLIENT, &id), -1);
	ck_assert_ptr_nonnull(strstr(err, "missing element 'subsystemCode'"));
	/* Wrong objectType for the context; missing; unknown; unqualified. */
	ck_assert_int_eq(from_xml("<xrd:client id:objectType=\"SERVER\">"
	    "<id:xRoadInstance>EE</id:xRoadInstance>"
	    "<id:memberClass>GOV</id:memberClass>"
	    "<id:memberCode>M</id:memberCode>"
	    "<id:serverCode>S</id:serverCode></xrd:client>",
	    XRID_MASK_CLIENT, &id), -1);
	ck_assert_ptr_nonnull(strstr(err, "unexpected objectType SERVER"));
	ck_assert_int_eq(from_xml("<xrd:client>"
	    "<id:xRoadInstance>EE</id:xRoadInstance></xrd:client>",
	    XRID_MASK_CLIENT, &id), -1);
	ck_assert_ptr_nonnull(strstr(err, "missing id:objectType"));
	ck_assert_int_eq(from_xml("<xrd:client id:objectType=\"member\">"
	    "</xrd:client>", XRID_MASK_CLIENT, &id), -1);
	ck_assert_int_eq(from_xml("<xrd:client objectType=\"MEMBER\">"
	    "<id:xRoadInstance>EE</id:xRoadInstance>"
	    "<id:memberClass>GOV</id:memberClass>"
	    "<id:memberCode>M</id:memberCode></xrd:client>",
	    XRID_MASK_CLIENT, &id), -1);
	/* Element content inside a part; stray text; bad characters. */
	ck_assert_int_eq(from_xml("<xrd:client id:objectType=\"MEMBER\">"
	    "<id:xRoadInstance>E<b/>E</id:xRoadInstance>"
	    "<id:memberClass>GOV</id:memberClass>"
	    "<id:memberCode>M</id:memberCode></xrd:client>",
	    XRID_MASK_CLIENT, &id), -1);
	ck_assert_int_eq(from_xml("<xrd:client id:objectType=\"MEMBER\">x"
	    "<id:xRoadInstance>EE</id:xRoadInstance>"
	    "<id:memberClass>GOV</id:memberClass>"
	    "<id:memberCode>M</id:memberCode></xrd:client>",
	    XRID_MASK_CLIENT, &id), -1);
	ck_assert_int_eq(from_xml("<xrd:client id:objectType=\"MEMBER\">"
	    "<id:xRoadInstance>EE</id:xRoadInstance>"
	    "<id:memberClass>GOV</id:memberClass>"
	    "<id:memberCode> M</id:memberCode></xrd:client>",
	    XRID_MASK_CLIENT, &id), -1);
	/* Service with and without optional parts. */
	ck_assert_int_eq(from_xml("<xrd:service id:objectType=\"SERVICE\">"
	    "<id:xRoadInstance>EE</id:xRoadInstance>"
	    "<id:memberClass>GOV</id:memberClass>"
	    "<id:memberCode>M</id:memberCode>"
	    "<id:serviceCode>s</id:serviceCode></xrd:service>",
	    XRID_MASK(XRID_SERVICE), &id), 0);
	ck_assert_str_eq(id.service_code, "s");
	ck_assert_str_eq(id.subsystem_code, "");
	ck_assert_int_eq(from_xml("<xrd:service id:objectType=\"SERVICE\">"
	    "<id:xRoadInstance>EE</id:xRoadInstance>"
	    "<id:memberClass>GOV</id:memberClass>"
	    "<id:memberCode>M</id:memberCode>"
	    "<id:serviceVersion>v1</id:serviceVersion>"
	    "<id:serviceCode>s</id:serviceCode></xrd:service>",
	    XRID_MASK(XRID_SERVICE), &id), -1);
}
END_TEST

START_TEST(test_xml_roundtrip)
{
	struct xrid	 in, out;
	xmlDoc		*d;
	xmlNode		*root, *n;
	xmlChar		*mem;
	int		 len;

	ck_assert_int_eq(xrid_set_service(&in, "PS", "GOV", "MOI",
	    "CIVIL-REGISTER", "getPerson", "v1", err, sizeof(err)), 0);
	d = xmlNewDoc(BAD_CAST "1.0");
	root = xmlNewDocNode(d, NULL, BAD_CAST "Header", NULL);
	xmlDocSetRootElement(d, root);
	n = xrid_to_xml(&in, root, XRID_NS_XROAD, "xrd", "service");
	ck_assert_ptr_nonnull(n);
	ck_assert_int_eq(xrid_from_xml(&out, n, XRID_MASK(XRID_SERVICE), err,
	    sizeof(err)), 0);
	ck_assert_int_eq(xrid_equal(&in, &out), 1);
	xmlDocDumpMemory(d, &mem, &len);
	ck_assert_ptr_nonnull(strstr((char *)mem, "<xrd:service "));
	ck_assert_ptr_nonnull(strstr((char *)mem,
	    "id:objectType=\"SERVICE\""));
	ck_assert_ptr_nonnull(strstr((char *)mem,
	    "<id:serviceVersion>v1</id:serviceVersion>"));
	xmlFree(mem);
	/* A second id reuses the namespaces in scope. */
	ck_assert_int_eq(xrid_set_client(&in, "PS", "GOV", "MTIT", NULL, err,
	    sizeof(err)), 0);
	n = xrid_to_xml(&in, n, XRID_NS_XROAD, "xrd", "client");
	ck_assert_ptr_nonnull(n);
	ck_assert_ptr_null(n->nsDef);
	ck_assert_int_eq(xrid_from_xml(&out, n, XRID_MASK(XRID_SERVICE), err,
	    sizeof(err)), -1);
	ck_assert_int_eq(xrid_from_xml(&out, n, XRID_MASK_CLIENT, err,
	    sizeof(err)), 0);
	ck_assert_int_eq(out.type, XRID_MEMBER);
	xmlFreeDoc(d);
}
END_TEST

static Suite *
xrid_suite(void)
{
	Suite	*s = suite_create("xrid");
	TCase	*tc = tcase_create("core");

	tcase_add_test(tc, test_parse_client);
	tcase_add_test(tc, test_strict_chars);
	tcase_add_test(tc, test_service_server_groups);
	tcase_add_test(tc, test_percent);
	tcase_add_test(tc, test_doc_form);
	tcase_add_test(tc, test_equal_member);
	tcase_add_test(tc, test_xml);
	tcase_add_test(tc, test_xml_roundtrip);
	suite_add_tcase(s, tc);
	return s;
}

HK_CHECK_MAIN(xrid_suite)
