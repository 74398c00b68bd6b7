/*
 * Unit tests for hukumati-agency's core (agency.c) and the civil register
 * module: configuration, seeding, SOAP getPerson (header echo, answers,
 * faults, DOCTYPE), the JSON person, the WSDL and OpenAPI loading.
 */
#include "config.h"

#include <sys/stat.h>

#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <jansson.h>
#include <libxml/parser.h>
#include <libxml/tree.h>
#include <libxml/xpath.h>
#include <libxml/xmlschemas.h>
#include <libxml/xpathInternals.h>

#include "agency.h"
#include "buf.h"
#include "compat.h"
#include "conf.h"
#include "db.h"
#include "log.h"
#include "luhn.h"
#include "soap.h"
#include "hk_check.h"

#define CR_NS	"http://moi.gov.ps/civil-register"

static char		 tmpdir[64];
static char		 srcdir[PATH_MAX];
static struct conf	*conf;
static struct agency	*ag;

/* The test tree: $top_srcdir (make check) or the current folder. */
static void
find_srcdir(void)
{
	const char	*s = getenv("top_srcdir");

	(void)strlcpy(srcdir, s != NULL ? s : ".", sizeof(srcdir));
}

static int
rm_one(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
	(void)st;
	(void)flag;
	(void)ftw;
	return remove(path) == -1 && errno != ENOENT ? -1 : 0;
}

static void
rm_rf(const char *dir)
{
	if (dir[0] != '\0')
		(void)nftw(dir, rm_one, 16, FTW_DEPTH | FTW_PHYS);
}

/* A configuration for data folder sub (of tmpdir) plus extra lines. */
static int
load_conf(const char *sub, const char *extra, struct conf **out,
    char *err, size_t errlen)
{
	char	 text[4 * PATH_MAX];

	(void)snprintf(text, sizeof(text),
	    "[agency]\n"
	    "module = civil-register\n"
	    "subsystem = PS/GOV/MOI/CIVIL-REGISTER\n"
	    "data-dir = %s/%s\n"
	    "seed-count = 50\n"
	    "wsdl = %s/hukumati-services/agency/wsdl/civil-register.wsdl\n"
	    "openapi = %s/hukumati-services/agency/openapi/"
	    "civil-register.json\n"
	    "%s"
	    "[http]\n"
	    "port = 0\n"
	    "public-url = http://agency.test:9999/\n",
	    tmpdir, sub, srcdir, srcdir, extra != NULL ? extra : "");
	return conf_load_string(agency_conf_table, "test.ini", text, out, err,
	    errlen);
}

static void
setup(void)
{
	char	 err[512];

	find_srcdir();
	log_init("test_agency", 1, LOG_LEVEL_WARN);
	xmlInitParser();
	(void)strlcpy(tmpdir, "/tmp/hk-agency-XXXXXX", sizeof(tmpdir));
	ck_assert_ptr_nonnull(mkdtemp(tmpdir));
	ck_assert_msg(load_conf("data", NULL, &conf, err, sizeof(err)) == 0,
	    "%s", err);
	ck_assert_msg(agency_new(conf, &ag, err, sizeof(err)) == 0, "%s",
	    err);
	ck_assert_int_eq(agency_open_db(ag), 0);
}

static void
teardown(void)
{
	agency_free(ag);
	ag = NULL;
	conf_free(conf);
	conf = NULL;
	rm_rf(tmpdir);
}

/*
 * Requests.
 */

#define HDR_CLIENT \
	"<xrd:client id:objectType=\"SUBSYSTEM\">" \
	"<id:xRoadInstance>PS</id:xRoadInstance>" \
	"<id:memberClass>GOV</id:memberClass>" \
	"<id:memberCode>MTIT</id:memberCode>" \
	"<id:subsystemCode>SSO</id:subsystemCode></xrd:client>"

/* A request for member/subsystem/service with body inner XML. */
static char *
make_req(const char *member, const char *subsystem, const char *service,
    const char *body)
{
	static char	 x[8192];
	int		 r;

	r = snprintf(x, sizeof(x),
	    "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
	    "<SOAP-ENV:Envelope"
	    " xmlns:SOAP-ENV=\"http://schemas.xmlsoap.org/soap/envelope/\""
	    " xmlns:xrd=\"http://x-road.eu/xsd/xroad.xsd\""
	    " xmlns:id=\"http://x-road.eu/xsd/identifiers\""
	    " xmlns:cr=\"" CR_NS "\">\n"
	    "<SOAP-ENV:Header>\n" HDR_CLIENT "\n"
	    "<xrd:service id:objectType=\"SERVICE\">"
	    "<id:xRoadInstance>PS</id:xRoadInstance>"
	    "<id:memberClass>GOV</id:memberClass>"
	    "<id:memberCode>%s</id:memberCode>"
	    "<id:subsystemCode>%s</id:subsystemCode>"
	    "<id:serviceCode>%s</id:serviceCode>"
	    "<id:serviceVersion>v1</id:serviceVersion></xrd:service>\n"
	    "<xrd:id>0f3c1d2e-8a4b-4c5d-9e6f-123456789abc</xrd:id>\n"
	    "<xrd:userId>PS400000014</xrd:userId>\n"
	    "<xrd:issue>case 7</xrd:issue>\n"
	    "<xrd:protocolVersion>4.0</xrd:protocolVersion>\n"
	    "</SOAP-ENV:Header>\n"
	    "<SOAP-ENV:Body>%s</SOAP-ENV:Body>\n"
	    "</SOAP-ENV:Envelope>\n", member, subsystem, service, body);
	ck_assert(r > 0 && (size_t)r < sizeof(x));
	return x;
}

static char *
person_req(const char *id)
{
	static char	 body[512];

	(void)snprintf(body, sizeof(body), "<cr:getPerson>"
	    "<cr:nationalId>%s</cr:nationalId></cr:getPerson>", id);
	return make_req("MOI", "CIVIL-REGISTER", "getPerson", body);
}

/* Call agency_soap; *status gets the HTTP status; caller frees. */
static struct buf *
call(const char *xml, const char *ctype, int *status)
{
	struct buf	*out = NULL;

	ck_assert_int_eq(agency_soap(ag, xml, strlen(xml), ctype, &out,
	    status), 0);
	ck_assert_ptr_nonnull(out);
	return out;
}

/*
 * Reading answers.
 */

static xmlDoc *
parse(const struct buf *b)
{
	xmlDoc	*doc;

	doc = xmlReadMemory(buf_str(b), (int)buf_len(b), NULL, NULL,
	    XML_PARSE_NONET | XML_PARSE_NOERROR | XML_PARSE_NOWARNING);
	ck_assert_msg(doc != NULL, "not XML: %s", buf_str(b));
	return doc;
}

/* The text of the first node of expr, or NULL (caller frees). */
static char *
xp(xmlDoc *doc, const char *expr)
{
	xmlXPathContext	*ctx;
	xmlXPathObject	*o;
	char		*s = NULL;

	ctx = xmlXPathNewContext(doc);
	ck_assert_ptr_nonnull(ctx);
	(void)xmlXPathRegisterNs(ctx, BAD_CAST "s",
	    BAD_CAST "http://schemas.xmlsoap.org/soap/envelope/");
	(void)xmlXPathRegisterNs(ctx, BAD_CAST "xrd",
	    BAD_CAST "http://x-road.eu/xsd/xroad.xsd");
	(void)xmlXPathRegisterNs(ctx, BAD_CAST "id",
	    BAD_CAST "http://x-road.eu/xsd/identifiers");
	(void)xmlXPathRegisterNs(ctx, BAD_CAST "cr", BAD_CAST CR_NS);
	o = xmlXPathEvalExpression(BAD_CAST expr, ctx);
	ck_assert_msg(o != NULL, "bad xpath %s", expr);
	if (o->nodesetval != NULL && o->nodesetval->nodeNr > 0)
		s = (char *)xmlNodeGetContent(o->nodesetval->nodeTab[0]);
	xmlXPathFreeObject(o);
	xmlXPathFreeContext(ctx);
	return s;
}

static void
assert_xp(xmlDoc *doc, const char *expr, const char *want)
{
	char	*got = xp(doc, expr);

	if (want == NULL) {
		ck_assert_msg(got == NULL, "%s: want nothing, got '%s'", expr,
		    got);
		return;
	}
	ck_assert_msg(got != NULL, "%s: missing", expr);
	ck_assert_msg(strcmp(got, want) == 0, "%s: want '%s', got '%s'",
	    expr, want, got);
	xmlFree(got);
}

/* A fault with code (and, if given, text in the faultstring). */
static void
assert_fault(const char *xml, const char *code, const char *text)
{
	struct buf	*out;
	xmlDoc		*doc;
	char		*s;
	int		 status;

	out = call(xml, "text/xml; charset=UTF-8", &status);
	ck_assert_int_eq(status, 500);
	doc = parse(out);
	assert_xp(doc, "/s:Envelope/s:Body/s:Fault/faultcode", code);
	if (text != NULL) {
		s = xp(doc, "/s:Envelope/s:Body/s:Fault/faultstring");
		ck_assert_msg(s != NULL && strstr(s, text) != NULL,
		    "faultstring '%s' lacks '%s'", s, text);
		xmlFree(s);
	}
	/* The detail is a UUID for the log. */
	s = xp(doc, "/s:Envelope/s:Body/s:Fault/detail/faultDetail");
	ck_assert_msg(s != NULL && strlen(s) == 36 && s[14] == '4', "%s", s);
	xmlFree(s);
	xmlFreeDoc(doc);
	buf_free(out);
}

/*
 * Tests.
 */

START_TEST(test_conf_table)
{
	struct conf	*c = NULL;
	char		 err[256], path[PATH_MAX];

	ck_assert_msg(conf_table_validate(agency_conf_table, err,
	    sizeof(err)) == 0, "%s", err);
	/* The sample configuration loads. */
	ck_assert(snprintf(path, sizeof(path), "%s/conf/agency-moi.ini",
	    srcdir) < (int)sizeof(path));
	ck_assert_msg(conf_load_file(agency_conf_table, path, &c, err,
	    sizeof(err)) == 0, "%s", err);
	ck_assert_str_eq(conf_get_str(c, "agency", "module"),
	    "civil-register");
	ck_assert_int_eq(conf_get_int(c, "http", "port"), 8210);
	conf_free(c);
}
END_TEST

START_TEST(test_manpage)
{
	char	 path[PATH_MAX], missing[512], *text;
	FILE	*f;
	long	 n;

	find_srcdir();
	ck_assert(snprintf(path, sizeof(path), "%s/man/hukumati-agency.8",
	    srcdir) < (int)sizeof(path));
	ck_assert_msg((f = fopen(path, "r")) != NULL, "%s", path);
	ck_assert_int_eq(fseek(f, 0, SEEK_END), 0);
	n = ftell(f);
	rewind(f);
	ck_assert((text = calloc(1, (size_t)n + 1)) != NULL);
	ck_assert_int_eq(fread(text, 1, (size_t)n, f), (size_t)n);
	(void)fclose(f);
	ck_assert_msg(conf_table_check_manpage(agency_conf_table, text, missing,
	    sizeof(missing)) == 0, "man page lacks %s", missing);
	free(text);
}
END_TEST

START_TEST(test_get_person)
{
	struct buf	*out;
	struct soap_msg	*req, *resp;
	struct xr_err	 err;
	xmlDoc		*doc;
	const char	*x = person_req("400000014");
	int		 status;

	out = call(x, "text/xml; charset=UTF-8", &status);
	ck_assert_int_eq(status, 200);

	/* A valid X-Road response whose header matches the request's. */
	ck_assert(soap_parse(x, strlen(x), NULL, 65536, SOAP_REQUEST, &req,
	    &err) == 0);
	ck_assert_msg(soap_parse(buf_data(out), buf_len(out), "text/xml",
	    1 << 20, SOAP_RESPONSE, &resp, &err) == 0, "%s", err.xe_msg);
	ck_assert_msg(soap_check_consistency(req, resp, &err) == 0, "%s",
	    err.xe_msg);
	ck_assert_str_eq(soap_msg_protocol_version(resp), "4.0");
	ck_assert_str_eq(soap_msg_id(resp),
	    "0f3c1d2e-8a4b-4c5d-9e6f-123456789abc");
	ck_assert_str_eq(soap_msg_body_name(resp), "getPersonResponse");
	ck_assert_str_eq(soap_msg_body_ns(resp), CR_NS);
	ck_assert_ptr_null(soap_msg_request_hash(resp, NULL));
	soap_msg_free(req);
	soap_msg_free(resp);

	doc = parse(out);
	assert_xp(doc, "//cr:getPersonResponse/cr:found", "true");
	assert_xp(doc, "//cr:person/cr:nationalId", "400000014");
	assert_xp(doc, "//cr:person/cr:nameAr/cr:first", "أحمد");
	assert_xp(doc, "//cr:person/cr:nameAr/cr:father", "محمود");
	assert_xp(doc, "//cr:person/cr:nameAr/cr:grandfather", "خليل");
	assert_xp(doc, "//cr:person/cr:nameAr/cr:family", "عودة");
	assert_xp(doc, "//cr:person/cr:nameEn/cr:first", "Ahmad");
	assert_xp(doc, "//cr:person/cr:nameEn/cr:family", "Odeh");
	assert_xp(doc, "//cr:person/cr:dateOfBirth", "1985-03-14");
	assert_xp(doc, "//cr:person/cr:sex", "M");
	assert_xp(doc, "//cr:person/cr:placeOfBirth/cr:en", "Ramallah");
	assert_xp(doc, "//cr:person/cr:address/cr:governorate/cr:ar",
	    "رام الله والبيرة");
	assert_xp(doc, "//cr:person/cr:address/cr:postcode", "P3000412");
	assert_xp(doc, "//cr:person/cr:maritalStatus", "married");
	assert_xp(doc, "//cr:person/cr:status", "alive");
	assert_xp(doc, "//cr:person/cr:mobile", "+970599000001");
	assert_xp(doc, "//cr:person/cr:dateOfDeath", NULL);
	xmlFreeDoc(doc);
	buf_free(out);
}
END_TEST

/* Every header element comes back in order with the same text. */
START_TEST(test_header_echo)
{
	struct buf	*out;
	xmlDoc		*rq, *rs;
	xmlNode		*a, *b;
	const char	*x = person_req("400000022");
	int		 status, n = 0;
	xmlChar		*ta, *tb;

	out = call(x, NULL, &status);
	ck_assert_int_eq(status, 200);
	rq = xmlReadMemory(x, (int)strlen(x), NULL, NULL, XML_PARSE_NONET);
	rs = parse(out);
	a = xmlFirstElementChild(xmlFirstElementChild(
	    xmlDocGetRootElement(rq)));
	b = xmlFirstElementChild(xmlFirstElementChild(
	    xmlDocGetRootElement(rs)));
	for (; a != NULL; a = xmlNextElementSibling(a),
	    b = xmlNextElementSibling(b), n++) {
		ck_assert_msg(b != NULL, "header %s missing", a->name);
		ck_assert_str_eq((const char *)a->name, (const char *)b->name);
		ck_assert_str_eq((const char *)a->ns->href,
		    (const char *)b->ns->href);
		ta = xmlNodeGetContent(a);
		tb = xmlNodeGetContent(b);
		ck_assert_str_eq((const char *)ta, (const char *)tb);
		xmlFree(ta);
		xmlFree(tb);
	}
	ck_assert_ptr_null(b);
	ck_assert_int_eq(n, 6);
	xmlFreeDoc(rq);
	xmlFreeDoc(rs);
	buf_free(out);
}
END_TEST

START_TEST(test_not_found)
{
	struct buf	*out;
	xmlDoc		*doc;
	int		 status;

	/* A valid check digit, never assigned. */
	out = call(person_req("400000006"), "text/xml", &status);
	ck_assert_int_eq(status, 200);
	doc = parse(out);
	assert_xp(doc, "//cr:getPersonResponse/cr:found", "false");
	assert_xp(doc, "//cr:person/cr:nationalId", NULL);
	assert_xp(doc, "/s:Envelope/s:Header/xrd:id",
	    "0f3c1d2e-8a4b-4c5d-9e6f-123456789abc");
	xmlFreeDoc(doc);
	buf_free(out);
}
END_TEST

START_TEST(test_deceased_and_minor)
{
	struct buf	*out;
	xmlDoc		*doc;
	int		 status;

	out = call(person_req("400000055"), NULL, &status);
	ck_assert_int_eq(status, 200);
	doc = parse(out);
	assert_xp(doc, "//cr:person/cr:status", "deceased");
	assert_xp(doc, "//cr:person/cr:dateOfDeath", "2021-02-11");
	assert_xp(doc, "//cr:person/cr:mobile", NULL);
	xmlFreeDoc(doc);
	buf_free(out);

	out = call(person_req("400000063"), NULL, &status);
	ck_assert_int_eq(status, 200);
	doc = parse(out);
	assert_xp(doc, "//cr:person/cr:nameAr/cr:first", "يارا");
	assert_xp(doc, "//cr:person/cr:nameAr/cr:father", "أحمد");
	assert_xp(doc, "//cr:person/cr:mobile", NULL);
	assert_xp(doc, "//cr:person/cr:maritalStatus", "single");
	xmlFreeDoc(doc);
	buf_free(out);
}
END_TEST

/* Payload forms accepted: unqualified child, default namespace, blanks. */
START_TEST(test_payload_forms)
{
	static const char *const bodies[] = {
		"<cr:getPerson><nationalId>400000030</nationalId>"
		    "</cr:getPerson>",
		"<getPerson xmlns=\"" CR_NS "\"><nationalId>400000030"
		    "</nationalId></getPerson>",
		"<cr:getPerson>\n  <cr:nationalId> 400000030\n"
		    "</cr:nationalId>\n</cr:getPerson>",
		NULL
	};
	struct buf	*out;
	xmlDoc		*doc;
	size_t		 i;
	int		 status;

	for (i = 0; bodies[i] != NULL; i++) {
		out = call(make_req("MOI", "CIVIL-REGISTER", "getPerson",
		    bodies[i]), NULL, &status);
		ck_assert_msg(status == 200, "%s: %s", bodies[i],
		    buf_str(out));
		doc = parse(out);
		assert_xp(doc, "//cr:person/cr:nameEn/cr:family", "Haddad");
		xmlFreeDoc(doc);
		buf_free(out);
	}
}
END_TEST

START_TEST(test_bad_ids)
{
	assert_fault(person_req("400000015"), "Client.InvalidNationalId",
	    "check digit");
	assert_fault(person_req("40000001"), "Client.InvalidNationalId",
	    "9 digits");
	assert_fault(person_req("4000000140"), "Client.InvalidNationalId",
	    "9 digits");
	assert_fault(person_req("40000001a"), "Client.InvalidNationalId",
	    "9 digits");
	assert_fault(person_req(""), "Client.InvalidNationalId", NULL);
	assert_fault(make_req("MOI", "CIVIL-REGISTER", "getPerson",
	    "<cr:getPerson/>"), "Client.BadRequest", "nationalId");
	assert_fault(make_req("MOI", "CIVIL-REGISTER", "getPerson",
	    "<cr:getPerson><cr:nationalId>400000014</cr:nationalId>"
	    "<nationalId>400000022</nationalId></cr:getPerson>"),
	    "Client.BadRequest", "exactly one");
	/* A nationalId in another namespace does not count. */
	assert_fault(make_req("MOI", "CIVIL-REGISTER", "getPerson",
	    "<cr:getPerson><x:nationalId xmlns:x=\"urn:x\">400000014"
	    "</x:nationalId></cr:getPerson>"), "Client.BadRequest", NULL);
	/* Structure where text is expected. */
	assert_fault(make_req("MOI", "CIVIL-REGISTER", "getPerson",
	    "<cr:getPerson><cr:nationalId><b>400000014</b></cr:nationalId>"
	    "</cr:getPerson>"), "Client.BadRequest", NULL);
}
END_TEST

START_TEST(test_malformed)
{
	char	 x[8192];

	assert_fault("<not xml", "Client.InvalidSoap", NULL);
	assert_fault("", "Client.InvalidSoap", NULL);
	/* Cut in the middle. */
	(void)strlcpy(x, person_req("400000014"), sizeof(x));
	x[strlen(x) / 2] = '\0';
	assert_fault(x, "Client.InvalidSoap", NULL);
	/* Not an envelope. */
	assert_fault("<?xml version=\"1.0\"?><getPerson/>",
	    "Client.InvalidSoap", "envelope");
	/* No header. */
	assert_fault("<SOAP-ENV:Envelope xmlns:SOAP-ENV="
	    "\"http://schemas.xmlsoap.org/soap/envelope/\"><SOAP-ENV:Body>"
	    "<getPerson xmlns=\"" CR_NS "\"/></SOAP-ENV:Body>"
	    "</SOAP-ENV:Envelope>", "Client.MissingHeader", NULL);
	/* Wrapper does not match the service code. */
	assert_fault(make_req("MOI", "CIVIL-REGISTER", "getPerson",
	    "<cr:getPersonX><cr:nationalId>400000014</cr:nationalId>"
	    "</cr:getPersonX>"), "Client.InconsistentHeaders", NULL);
}
END_TEST

START_TEST(test_doctype)
{
	char		 x[8192];
	const char	*req = person_req("400000014");
	const char	*p = strstr(req, "<SOAP-ENV:Envelope");
	int		 r;

	/* An internal subset with an entity used in the payload. */
	r = snprintf(x, sizeof(x), "<?xml version=\"1.0\"?>\n"
	    "<!DOCTYPE SOAP-ENV:Envelope [<!ENTITY nid \"400000014\">]>\n"
	    "%s", p);
	ck_assert(r > 0 && (size_t)r < sizeof(x));
	assert_fault(x, "Client.InvalidSoap", "DOCTYPE");
	/* An external one. */
	r = snprintf(x, sizeof(x), "<?xml version=\"1.0\"?>\n"
	    "<!DOCTYPE SOAP-ENV:Envelope SYSTEM \"file:///etc/passwd\">\n"
	    "%s", p);
	ck_assert(r > 0 && (size_t)r < sizeof(x));
	assert_fault(x, "Client.InvalidSoap", "DOCTYPE");
}
END_TEST

START_TEST(test_wrong_service)
{
	/* Another provider's service. */
	assert_fault(make_req("MOT", "LICENSING", "getPerson",
	    "<cr:getPerson><cr:nationalId>400000014</cr:nationalId>"
	    "</cr:getPerson>"), "Client.UnknownService", "GOV/MOT");
	/* A service code this agency does not have. */
	assert_fault(make_req("MOI", "CIVIL-REGISTER", "getLicence",
	    "<cr:getLicence/>"), "Client.UnknownService", "getLicence");
	/* The wrapper in another namespace. */
	assert_fault(make_req("MOI", "CIVIL-REGISTER", "getPerson",
	    "<getPerson xmlns=\"urn:other\"><nationalId>400000014"
	    "</nationalId></getPerson>"), "Client.InvalidBody", CR_NS);
	assert_fault(make_req("MOI", "CIVIL-REGISTER", "getPerson",
	    "<getPerson><nationalId>400000014</nationalId></getPerson>"),
	    "Client.InvalidBody", NULL);
	/* A content type that is not SOAP. */
	{
		struct buf	*out = NULL;
		const char	*x = person_req("400000014");
		int		 status;

		ck_assert_int_eq(agency_soap(ag, x, strlen(x),
		    "application/json", &out, &status), 0);
		ck_assert_int_eq(status, 500);
		ck_assert_ptr_nonnull(strstr(buf_str(out),
		    "Client.InvalidContentType"));
		buf_free(out);
	}
}
END_TEST

START_TEST(test_json)
{
	json_t		*j = NULL;
	const char	*s;

	ck_assert_int_eq(cr_person_json(agency_db(ag), "400000048", &j), 1);
	ck_assert_str_eq(json_string_value(json_object_get(j, "nationalId")),
	    "400000048");
	s = json_string_value(json_object_get(json_object_get(
	    json_object_get(j, "name"), "ar"), "family"));
	ck_assert_str_eq(s, "البرغوثي");
	s = json_string_value(json_object_get(json_object_get(
	    json_object_get(j, "name"), "en"), "first"));
	ck_assert_str_eq(s, "Layla");
	s = json_string_value(json_object_get(json_object_get(
	    json_object_get(j, "address"), "city"), "en"));
	ck_assert_str_eq(s, "Gaza");
	ck_assert_str_eq(json_string_value(json_object_get(j, "sex")), "F");
	ck_assert_ptr_null(json_object_get(j, "dateOfDeath"));
	json_decref(j);

	j = NULL;
	ck_assert_int_eq(cr_person_json(agency_db(ag), "400000055", &j), 1);
	ck_assert_str_eq(json_string_value(json_object_get(j, "dateOfDeath")),
	    "2021-02-11");
	ck_assert_ptr_null(json_object_get(j, "mobile"));
	json_decref(j);

	j = NULL;
	ck_assert_int_eq(cr_person_json(agency_db(ag), "400000006", &j), 0);
	ck_assert_ptr_null(j);
}
END_TEST

/* Every seeded row is well-formed; the demo persons are all there. */
START_TEST(test_seed_content)
{
	struct db	*db = agency_db(ag);
	sqlite3_stmt	*st = NULL;
	const char	*id, *mob;
	int64_t		 n = -1;
	size_t		 i;
	int		 r, rows = 0;

	ck_assert_int_eq(db_query_int64(db, &n,
	    "SELECT count(*) FROM person", ""), DB_ROW);
	ck_assert_int_eq(n, 6 + 50);
	for (i = 0; cr_demo_ids[i] != NULL; i++) {
		ck_assert_int_eq(luhn_nid_valid(cr_demo_ids[i]), 1);
		ck_assert_int_eq(db_query_int64(db, &n, "SELECT count(*) FROM "
		    "person WHERE national_id = ?", "t", cr_demo_ids[i]),
		    DB_ROW);
		ck_assert_int_eq(n, 1);
	}
	ck_assert_int_eq(db_queryf(db, &st, "SELECT national_id, mobile, "
	    "first_name_ar, family_name_en FROM person", ""), 0);
	while ((r = db_step(db, st)) == DB_ROW) {
		rows++;
		id = (const char *)sqlite3_column_text(st, 0);
		mob = (const char *)sqlite3_column_text(st, 1);
		ck_assert_msg(luhn_nid_valid(id), "%s", id);
		ck_assert(sqlite3_column_bytes(st, 2) > 0);
		ck_assert(sqlite3_column_bytes(st, 3) > 0);
		if (mob != NULL) {
			ck_assert_msg(strlen(mob) == 13 &&
			    (strncmp(mob, "+97059", 6) == 0 ||
			    strncmp(mob, "+97056", 6) == 0), "%s", mob);
		}
	}
	ck_assert_int_eq(r, DB_DONE);
	db_finalize(st);
	ck_assert_int_eq(rows, 56);
	/* Only the demo persons are in the 4000000xx range. */
	ck_assert_int_eq(db_query_int64(db, &n, "SELECT count(*) FROM person "
	    "WHERE national_id LIKE '4000000%'", ""), DB_ROW);
	ck_assert_int_eq(n, 6);
	/* Nobody married under 18, nobody both alive and dead. */
	ck_assert_int_eq(db_query_int64(db, &n, "SELECT count(*) FROM person "
	    "WHERE marital_status != 'single' AND date_of_birth > "
	    "'2008-01-01'", ""), DB_ROW);
	ck_assert_int_eq(n, 0);
	ck_assert_int_eq(db_query_int64(db, &n, "SELECT count(*) FROM person "
	    "WHERE (status = 'deceased') != (date_of_death IS NOT NULL)", ""),
	    DB_ROW);
	ck_assert_int_eq(n, 0);
}
END_TEST

static char *
dump_people(struct db *db)
{
	char	*s = NULL;

	ck_assert_int_eq(db_query_text(db, &s, "SELECT group_concat("
	    "national_id || first_name_ar || family_name_en || date_of_birth "
	    "|| coalesce(mobile, '-') || postcode, '|') FROM (SELECT * FROM "
	    "person ORDER BY national_id)", ""), DB_ROW);
	ck_assert_ptr_nonnull(s);
	return s;
}

/* Two fresh databases hold the same people; a restart does not reseed. */
START_TEST(test_seed_deterministic)
{
	struct conf	*c2 = NULL;
	struct agency	*a2 = NULL;
	char		 err[512], *d1, *d2;
	int64_t		 n = -1;

	ck_assert_msg(load_conf("data2", NULL, &c2, err, sizeof(err)) == 0,
	    "%s", err);
	ck_assert_int_eq(agency_new(c2, &a2, err, sizeof(err)), 0);
	ck_assert_int_eq(agency_open_db(a2), 0);
	d1 = dump_people(agency_db(ag));
	d2 = dump_people(agency_db(a2));
	ck_assert_str_eq(d1, d2);
	free(d2);
	agency_free(a2);

	/* Reopen data2 after a deletion: no reseeding, same schema. */
	ck_assert_int_eq(agency_new(c2, &a2, err, sizeof(err)), 0);
	ck_assert_int_eq(agency_open_db(a2), 0);
	ck_assert_int_eq(db_version(agency_db(a2)), 1);
	ck_assert_int_eq(db_execf(agency_db(a2), "DELETE FROM person WHERE "
	    "national_id != ?", "t", "400000014"), 0);
	agency_free(a2);
	ck_assert_int_eq(agency_new(c2, &a2, err, sizeof(err)), 0);
	ck_assert_int_eq(agency_open_db(a2), 0);
	ck_assert_int_eq(db_query_int64(agency_db(a2), &n,
	    "SELECT count(*) FROM person", ""), DB_ROW);
	ck_assert_int_eq(n, 1);
	agency_free(a2);
	conf_free(c2);
	free(d1);

	/* seed = no: an empty register. */
	ck_assert_int_eq(load_conf("data3", "seed = no\n", &c2, err,
	    sizeof(err)), 0);
	ck_assert_int_eq(agency_new(c2, &a2, err, sizeof(err)), 0);
	ck_assert_int_eq(agency_open_db(a2), 0);
	ck_assert_int_eq(db_query_int64(agency_db(a2), &n,
	    "SELECT count(*) FROM person", ""), DB_ROW);
	ck_assert_int_eq(n, 0);
	agency_free(a2);
	conf_free(c2);
}
END_TEST

START_TEST(test_descriptions)
{
	const char	*w, *o;
	size_t		 wl, ol;
	json_t		*j;
	json_error_t	 jerr;

	w = agency_wsdl(ag, &wl);
	ck_assert_ptr_nonnull(w);
	ck_assert_uint_eq(strlen(w), wl);
	ck_assert_ptr_nonnull(strstr(w,
	    "location=\"http://agency.test:9999/soap\""));
	ck_assert_ptr_null(strstr(w, "127.0.0.1:8210"));
	/* UTF-8 survives the rewrite. */
	ck_assert_ptr_nonnull(strstr(w, "رقم الهوية"));

	o = agency_openapi(ag, &ol);
	ck_assert_ptr_nonnull(o);
	j = json_loadb(o, ol, 0, &jerr);
	ck_assert_msg(j != NULL, "%s", jerr.text);
	ck_assert_str_eq(json_string_value(json_object_get(json_array_get(
	    json_object_get(j, "servers"), 0), "url")),
	    "http://agency.test:9999/rest");
	ck_assert_ptr_nonnull(json_object_get(json_object_get(j, "paths"),
	    "/persons/{nationalId}"));
	json_decref(j);
}
END_TEST

static void
write_file(const char *path, const char *text)
{
	FILE	*f = fopen(path, "w");

	ck_assert_ptr_nonnull(f);
	ck_assert_int_eq(fputs(text, f) >= 0, 1);
	ck_assert_int_eq(fclose(f), 0);
}

/* Configurations agency_new must refuse, with the reason. */
START_TEST(test_bad_config)
{
	struct conf	*c = NULL;
	struct agency	*a = NULL;
	char		 err[512], text[4 * PATH_MAX], p[PATH_MAX];

	/* Unknown module. */
	ck_assert_int_eq(conf_load_string(agency_conf_table, "t.ini",
	    "[agency]\nmodule = parking\ndata-dir = /tmp/x\n[http]\nport = 1\n",
	    &c, err, sizeof(err)), 0);
	ck_assert_int_eq(agency_new(c, &a, err, sizeof(err)), -1);
	ck_assert_ptr_nonnull(strstr(err, "unknown module 'parking'"));
	ck_assert_ptr_null(a);
	conf_free(c);

	/* Port and data-dir are required. */
	ck_assert_int_eq(conf_load_string(agency_conf_table, "t.ini",
	    "[agency]\nmodule = civil-register\ndata-dir = /tmp/x\n",
	    &c, err, sizeof(err)), -1);
	ck_assert_int_eq(conf_load_string(agency_conf_table, "t.ini",
	    "[agency]\nmodule = civil-register\n[http]\nport = 1\n",
	    &c, err, sizeof(err)), -1);

	/* A subsystem that is not INSTANCE/CLASS/MEMBER/SUBSYSTEM. */
	(void)snprintf(text, sizeof(text), "[agency]\nmodule = civil-register\n"
	    "subsystem = PS/GOV/MOI\ndata-dir = %s/d\n[http]\nport = 1\n",
	    tmpdir);
	ck_assert_int_eq(conf_load_string(agency_conf_table, "t.ini", text,
	    &c, err, sizeof(err)), 0);
	ck_assert_int_eq(agency_new(c, &a, err, sizeof(err)), -1);
	ck_assert_ptr_nonnull(strstr(err, "subsystem"));
	conf_free(c);

	/* A public URL that is not http(s). */
	(void)snprintf(text, sizeof(text), "[agency]\nmodule = civil-register\n"
	    "data-dir = %s/d\nwsdl = %s/hukumati-services/agency/wsdl/"
	    "civil-register.wsdl\nopenapi = %s/hukumati-services/agency/"
	    "openapi/civil-register.json\n[http]\nport = 1\n"
	    "public-url = ftp://x\n", tmpdir, srcdir, srcdir);
	ck_assert_int_eq(conf_load_string(agency_conf_table, "t.ini", text,
	    &c, err, sizeof(err)), 0);
	ck_assert_int_eq(agency_new(c, &a, err, sizeof(err)), -1);
	ck_assert_ptr_nonnull(strstr(err, "public-url"));
	conf_free(c);

	/* WSDLs that must not load: DOCTYPE, not WSDL, operation unbound. */
	(void)snprintf(p, sizeof(p), "%s/bad.wsdl", tmpdir);
	(void)snprintf(text, sizeof(text), "[agency]\nmodule = civil-register\n"
	    "data-dir = %s/d\nwsdl = %s\n[http]\nport = 1\n", tmpdir, p);
	write_file(p, "<!DOCTYPE x [<!ENTITY e \"e\">]>"
	    "<definitions xmlns=\"http://schemas.xmlsoap.org/wsdl/\"/>");
	ck_assert_int_eq(conf_load_string(agency_conf_table, "t.ini", text,
	    &c, err, sizeof(err)), 0);
	ck_assert_int_eq(agency_new(c, &a, err, sizeof(err)), -1);
	ck_assert_msg(strstr(err, "DOCTYPE") != NULL, "%s", err);
	write_file(p, "<definitions/>");
	ck_assert_int_eq(agency_new(c, &a, err, sizeof(err)), -1);
	ck_assert_msg(strstr(err, "not a WSDL") != NULL, "%s", err);
	write_file(p, "<definitions xmlns=\"http://schemas.xmlsoap.org/wsdl/\">"
	    "<binding name=\"b\"><operation name=\"getOther\"/></binding>"
	    "</definitions>");
	ck_assert_int_eq(agency_new(c, &a, err, sizeof(err)), -1);
	ck_assert_msg(strstr(err, "getPerson") != NULL, "%s", err);
	write_file(p, "<definitions");
	ck_assert_int_eq(agency_new(c, &a, err, sizeof(err)), -1);
	ck_assert_msg(strstr(err, "well-formed") != NULL, "%s", err);
	(void)unlink(p);
	ck_assert_int_eq(agency_new(c, &a, err, sizeof(err)), -1);
	ck_assert_msg(strstr(err, "No such file") != NULL, "%s", err);
	ck_assert_ptr_null(a);
	conf_free(c);
}
END_TEST

START_TEST(test_bad_openapi)
{
	struct conf	*c = NULL;
	struct agency	*a = NULL;
	char		 err[512], text[3 * PATH_MAX], p[PATH_MAX];

	(void)snprintf(p, sizeof(p), "%s/bad.json", tmpdir);
	(void)snprintf(text, sizeof(text), "[agency]\nmodule = civil-register\n"
	    "data-dir = %s/d\nwsdl = %s/hukumati-services/agency/wsdl/"
	    "civil-register.wsdl\nopenapi = %s\n[http]\nport = 1\n", tmpdir,
	    srcdir, p);
	ck_assert_int_eq(conf_load_string(agency_conf_table, "t.ini", text,
	    &c, err, sizeof(err)), 0);
	write_file(p, "{\"openapi\": \"3.0.3\", \"paths\": {}, \"paths\": {}}");
	ck_assert_int_eq(agency_new(c, &a, err, sizeof(err)), -1);
	ck_assert_msg(strstr(err, "duplicate") != NULL, "%s", err);
	write_file(p, "{\"swagger\": \"2.0\", \"paths\": {}}");
	ck_assert_int_eq(agency_new(c, &a, err, sizeof(err)), -1);
	ck_assert_msg(strstr(err, "OpenAPI 3") != NULL, "%s", err);
	write_file(p, "{\"openapi\": \"3.1.0\", \"paths\": {}}");
	ck_assert_msg(agency_new(c, &a, err, sizeof(err)) == 0, "%s", err);
	agency_free(a);
	conf_free(c);
}
END_TEST

/* The first element child of n named name (any namespace), or NULL. */
static xmlNode *
child(xmlNode *n, const char *name)
{
	for (n = xmlFirstElementChild(n); n != NULL;
	    n = xmlNextElementSibling(n))
		if (strcmp((const char *)n->name, name) == 0)
			return n;
	return NULL;
}

/*
 * Every person of the register, answered through agency_soap, is valid
 * against the schema in the WSDL (the xrd import is dropped: it only
 * serves the appinfo titles and would need the network).
 */
START_TEST(test_schema_valid)
{
	struct db		*db = agency_db(ag);
	struct buf		*out;
	sqlite3_stmt		*st = NULL;
	xmlDoc			*wd, *sd, *rd, *bd;
	xmlNode			*schema, *n, *next;
	xmlSchemaParserCtxt	*pc;
	xmlSchema		*xs;
	xmlSchemaValidCtxt	*vc;
	const char		*w;
	size_t			 wl;
	int			 status, count = 0, found = 0;

	w = agency_wsdl(ag, &wl);
	wd = xmlReadMemory(w, (int)wl, NULL, NULL, XML_PARSE_NONET);
	ck_assert_ptr_nonnull(wd);
	schema = child(child(xmlDocGetRootElement(wd), "types"), "schema");
	ck_assert_ptr_nonnull(schema);
	sd = xmlNewDoc(BAD_CAST "1.0");
	xmlDocSetRootElement(sd, xmlDocCopyNode(schema, sd, 1));
	for (n = xmlFirstElementChild(xmlDocGetRootElement(sd)); n != NULL;
	    n = next) {
		next = xmlNextElementSibling(n);
		if (strcmp((const char *)n->name, "import") == 0) {
			xmlUnlinkNode(n);
			xmlFreeNode(n);
		}
	}
	ck_assert_ptr_nonnull(pc = xmlSchemaNewDocParserCtxt(sd));
	ck_assert_ptr_nonnull(xs = xmlSchemaParse(pc));
	ck_assert_ptr_nonnull(vc = xmlSchemaNewValidCtxt(xs));

	ck_assert_int_eq(db_queryf(db, &st, "SELECT national_id FROM person "
	    "UNION ALL SELECT '400000006'", ""), 0);
	while (db_step(db, st) == DB_ROW) {
		out = call(person_req((const char *)sqlite3_column_text(st, 0)),
		    NULL, &status);
		ck_assert_int_eq(status, 200);
		rd = parse(out);
		n = xmlFirstElementChild(child(xmlDocGetRootElement(rd),
		    "Body"));
		ck_assert_ptr_nonnull(n);
		bd = xmlNewDoc(BAD_CAST "1.0");
		xmlDocSetRootElement(bd, xmlDocCopyNode(n, bd, 1));
		ck_assert_msg(xmlSchemaValidateDoc(vc, bd) == 0,
		    "invalid: %s", buf_str(out));
		if (child(xmlDocGetRootElement(bd), "person") != NULL)
			found++;
		count++;
		xmlFreeDoc(bd);
		xmlFreeDoc(rd);
		buf_free(out);
	}
	db_finalize(st);
	ck_assert_int_eq(count, 57);
	ck_assert_int_eq(found, 56);
	xmlSchemaFreeValidCtxt(vc);
	xmlSchemaFree(xs);
	xmlSchemaFreeParserCtxt(pc);
	xmlFreeDoc(sd);
	xmlFreeDoc(wd);
}
END_TEST

static Suite *
agency_suite(void)
{
	Suite	*s = suite_create("agency");
	TCase	*tc = tcase_create("core");

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, test_conf_table);
	tcase_add_test(tc, test_manpage);
	tcase_add_test(tc, test_get_person);
	tcase_add_test(tc, test_header_echo);
	tcase_add_test(tc, test_not_found);
	tcase_add_test(tc, test_deceased_and_minor);
	tcase_add_test(tc, test_payload_forms);
	tcase_add_test(tc, test_bad_ids);
	tcase_add_test(tc, test_malformed);
	tcase_add_test(tc, test_doctype);
	tcase_add_test(tc, test_wrong_service);
	tcase_add_test(tc, test_json);
	tcase_add_test(tc, test_seed_content);
	tcase_add_test(tc, test_seed_deterministic);
	tcase_add_test(tc, test_descriptions);
	tcase_add_test(tc, test_schema_valid);
	tcase_add_test(tc, test_bad_config);
	tcase_add_test(tc, test_bad_openapi);
	suite_add_tcase(s, tc);
	return s;
}

HK_CHECK_MAIN(agency_suite)
