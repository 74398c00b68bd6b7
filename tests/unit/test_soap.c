/* Unit tests for soap.c, soap_build.c, soap_mime.c: X-Road SOAP 4.0. */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <libxml/tree.h>

#include "b64.h"
#include "buf.h"
#include "compat.h"
#include "hk_check.h"
#include "mime.h"
#include "soap.h"

#define MAX	(1024 * 1024)

/* openssl dgst -sha512 -binary tests/data/soap/request.xml | base64 -w0 */
#define REQUEST_XML_HASH "VTHXJS2u1lS37zY1Jh0fm/htGd/lArmug6iKyr0uYMsagCp50z5K" \
	"nF2dOVZczWm9K1vkDeijFENvgVp+EeyCVQ=="

static struct xr_err	xe;

static char *
read_data(const char *name, size_t *lenp)
{
	char		 path[1024];
	const char	*top = getenv("top_srcdir");
	FILE		*f;
	char		*p;
	long		 n;

	snprintf(path, sizeof(path), "%s/tests/data/%s", top ? top : ".",
	    name);
	f = fopen(path, "rb");
	ck_assert_msg(f != NULL, "cannot open %s", path);
	fseek(f, 0, SEEK_END);
	n = ftell(f);
	fseek(f, 0, SEEK_SET);
	p = malloc((size_t)n + 1);
	ck_assert_ptr_nonnull(p);
	ck_assert_uint_eq(fread(p, 1, (size_t)n, f), (size_t)n);
	p[n] = '\0';
	fclose(f);
	*lenp = (size_t)n;
	return p;
}

/* s with the first "from" replaced by "to" (must occur); caller frees. */
static char *
replace(const char *s, const char *from, const char *to)
{
	const char	*p = strstr(s, from);
	char		*r;
	size_t		 n;

	ck_assert_msg(p != NULL, "'%s' not found", from);
	n = strlen(s) - strlen(from) + strlen(to) + 1;
	r = malloc(n);
	ck_assert_ptr_nonnull(r);
	snprintf(r, n, "%.*s%s%s", (int)(p - s), s, to, p + strlen(from));
	return r;
}

static char *
request_xml(void)
{
	size_t	len;

	return read_data("soap/request.xml", &len);
}

/* Parse s as a request; returns 0 or the error code in xe. */
static int
parse_req(const char *s, struct soap_msg **m)
{
	return soap_parse(s, strlen(s), "text/xml; charset=UTF-8", MAX,
	    SOAP_REQUEST, m, &xe);
}

/* The variant of request.xml must fail with code. */
static void
fails_with(const char *from, const char *to, const char *code)
{
	char		*x = request_xml(), *y = replace(x, from, to);
	struct soap_msg	*m = NULL;

	ck_assert_msg(parse_req(y, &m) == -1, "accepted: %s -> %s", from, to);
	ck_assert_ptr_null(m);
	ck_assert_msg(strcmp(xe.xe_code, code) == 0, "%s: got %s (%s)", to,
	    xe.xe_code, xe.xe_msg);
	free(x);
	free(y);
}

START_TEST(test_parse_request)
{
	char		*x = request_xml();
	struct soap_msg	*m;
	const char	*algo, *pc, *pcode;
	size_t		 len;

	ck_assert_int_eq(parse_req(x, &m), 0);
	ck_assert_int_eq(soap_msg_kind(m), SOAP_REQUEST);
	ck_assert_int_eq(soap_msg_is_fault(m), 0);
	ck_assert_int_eq(soap_msg_client(m)->type, XRID_SUBSYSTEM);
	ck_assert_str_eq(soap_msg_client(m)->member_code, "MEMBER1");
	ck_assert_str_eq(soap_msg_client(m)->subsystem_code, "SUBSYSTEM1");
	ck_assert_str_eq(soap_msg_service(m)->service_code, "exampleService");
	ck_assert_str_eq(soap_msg_service(m)->service_version, "v1");
	ck_assert_str_eq(soap_msg_service(m)->subsystem_code, "SUBSYSTEM2");
	ck_assert_ptr_null(soap_msg_security_server(m));
	ck_assert_str_eq(soap_msg_id(m),
	    "4894e35d-bf0f-44a6-867a-8e51f1daa7e0");
	ck_assert_str_eq(soap_msg_user_id(m), "EE12345678901");
	ck_assert_str_eq(soap_msg_issue(m), "12345");
	ck_assert_str_eq(soap_msg_protocol_version(m), "4.0");
	ck_assert_int_eq(soap_msg_represented_party(m, &pc, &pcode), -1);
	ck_assert_ptr_null(soap_msg_request_hash(m, &algo));
	ck_assert_str_eq(soap_msg_body_name(m), "exampleService");
	ck_assert_str_eq(soap_msg_body_ns(m), "http://producer.x-road.eu");
	ck_assert_ptr_nonnull(soap_msg_body_element(m));
	ck_assert_ptr_null(soap_msg_fault_code(m));
	ck_assert(memcmp(soap_msg_raw(m, &len), x, strlen(x)) == 0);
	ck_assert_uint_eq(len, strlen(x));
	soap_msg_free(m);
	soap_msg_free(NULL);

	/* No content type, a BOM, and an extension header all pass. */
	{
		char *bom = malloc(strlen(x) + 4);

		memcpy(bom, "\xef\xbb\xbf", 3);
		memcpy(bom + 3, x, strlen(x) + 1);
		ck_assert_int_eq(soap_parse(bom, strlen(bom), NULL, MAX,
		    SOAP_REQUEST, &m, &xe), 0);
		soap_msg_free(m);
		free(bom);
	}
	{
		char *y = replace(x, "<xrd:id>", "<t:token xmlns:t=\"urn:t\" "
		    "tokenType=\"JWT\">abc<t:x/></t:token>\n<xrd:id>");

		ck_assert_int_eq(parse_req(y, &m), 0);
		soap_msg_free(m);
		free(y);
	}
	/* Represented party and securityServer extensions. */
	{
		char *y = replace(x, "<xrd:id>", "<repr:representedParty "
		    "xmlns:repr=\"http://x-road.eu/xsd/representation.xsd\">"
		    "<repr:partyClass>COM</repr:partyClass>"
		    "<repr:partyCode>UNKNOWN</repr:partyCode>"
		    "</repr:representedParty>"
		    "<xrd:securityServer id:objectType=\"SERVER\">"
		    "<id:xRoadInstance>EE</id:xRoadInstance>"
		    "<id:memberClass>GOV</id:memberClass>"
		    "<id:memberCode>MEMBER2</id:memberCode>"
		    "<id:serverCode>ss1</id:serverCode></xrd:securityServer>"
		    "<xrd:id>");

		ck_assert_int_eq(parse_req(y, &m), 0);
		ck_assert_int_eq(soap_msg_represented_party(m, &pc, &pcode),
		    0);
		ck_assert_str_eq(pc, "COM");
		ck_assert_str_eq(pcode, "UNKNOWN");
		ck_assert_str_eq(soap_msg_security_server(m)->server_code,
		    "ss1");
		soap_msg_free(m);
		free(y);
	}
	/* Protocol 4.1 is compatible. */
	{
		char *y = replace(x, ">4.0<", ">4.12<");

		ck_assert_int_eq(parse_req(y, &m), 0);
		soap_msg_free(m);
		free(y);
	}
	/* ISO-8859-1 from the Content-Type. */
	{
		char *y = replace(x, "<exampleInput>foo", "<exampleInput>f\xf6o");
		char *z = replace(y, " encoding=\"UTF-8\"", "");

		ck_assert_int_eq(soap_parse(z, strlen(z),
		    "text/xml; charset=ISO-8859-1", MAX, SOAP_REQUEST, &m, &xe),
		    0);
		soap_msg_free(m);
		ck_assert_int_eq(soap_parse(z, strlen(z), "text/xml; "
		    "charset=no-such-charset", MAX, SOAP_REQUEST, &m, &xe), -1);
		ck_assert_str_eq(xe.xe_code, XR_E_INVALID_CONTENT_TYPE);
		free(y);
		free(z);
	}
	free(x);
}
END_TEST

static const char *id_client =
    "<xrd:client id:objectType=\"SUBSYSTEM\">\n"
    "            <id:xRoadInstance>EE</id:xRoadInstance>\n"
    "            <id:memberClass>GOV</id:memberClass>\n"
    "            <id:memberCode>MEMBER1</id:memberCode>\n"
    "            <id:subsystemCode>SUBSYSTEM1</id:subsystemCode>\n"
    "        </xrd:client>";

START_TEST(test_missing_fields)
{
	fails_with(id_client, "", XR_E_MISSING_HEADER_FIELD);
	ck_assert_str_eq(xe.xe_msg, "Required field 'client' is missing");
	fails_with("<xrd:id>4894e35d-bf0f-44a6-867a-8e51f1daa7e0</xrd:id>",
	    "", XR_E_MISSING_HEADER_FIELD);
	ck_assert_str_eq(xe.xe_msg, "Required field 'id' is missing");
	fails_with("<xrd:id>4894e35d-bf0f-44a6-867a-8e51f1daa7e0</xrd:id>",
	    "<xrd:id></xrd:id>", XR_E_MISSING_HEADER_FIELD);
	fails_with("<xrd:protocolVersion>4.0</xrd:protocolVersion>", "",
	    XR_E_MISSING_HEADER_FIELD);
	ck_assert_str_eq(xe.xe_msg,
	    "Required field 'protocolVersion' is missing");
	fails_with("<xrd:service ", "<xrd:notservice ", XR_E_INVALID_SOAP);
	{
		char *x = request_xml(), *a, *b;
		struct soap_msg *m;

		a = strstr(x, "<xrd:service ");
		b = strstr(x, "</xrd:service>") + strlen("</xrd:service>");
		memmove(a, b, strlen(b) + 1);
		ck_assert_int_eq(parse_req(x, &m), -1);
		ck_assert_str_eq(xe.xe_code, XR_E_MISSING_HEADER_FIELD);
		ck_assert_str_eq(xe.xe_msg,
		    "Message header must contain service id");
		free(x);
	}
	/* No header at all; no body. */
	{
		char *x = request_xml(), *a, *b;
		struct soap_msg *m;

		a = strstr(x, "<SOAP-ENV:Header>");
		b = strstr(x, "</SOAP-ENV:Header>") +
		    strlen("</SOAP-ENV:Header>");
		memmove(a, b, strlen(b) + 1);
		ck_assert_int_eq(parse_req(x, &m), -1);
		ck_assert_str_eq(xe.xe_code, XR_E_MISSING_HEADER);
		free(x);
		x = request_xml();
		a = strstr(x, "<SOAP-ENV:Body>");
		b = strstr(x, "</SOAP-ENV:Body>") + strlen("</SOAP-ENV:Body>");
		memmove(a, b, strlen(b) + 1);
		ck_assert_int_eq(parse_req(x, &m), -1);
		ck_assert_str_eq(xe.xe_code, XR_E_MISSING_BODY);
		free(x);
	}
}
END_TEST

START_TEST(test_duplicates_and_order)
{
	char	dup[2048];

	snprintf(dup, sizeof(dup), "%s%s", id_client, id_client);
	fails_with(id_client, dup, XR_E_DUPLICATE_HEADER_FIELD);
	ck_assert_str_eq(xe.xe_msg,
	    "SOAP header contains duplicate field 'client'");
	fails_with("<xrd:id>", "<xrd:id>a</xrd:id><xrd:id>",
	    XR_E_DUPLICATE_HEADER_FIELD);
	fails_with("<xrd:userId>", "<xrd:userId>a</xrd:userId><xrd:userId>",
	    XR_E_DUPLICATE_HEADER_FIELD);
	fails_with("<xrd:issue>", "<xrd:issue>a</xrd:issue><xrd:issue>",
	    XR_E_DUPLICATE_HEADER_FIELD);
	fails_with("<xrd:protocolVersion>", "<xrd:protocolVersion>4.0"
	    "</xrd:protocolVersion><xrd:protocolVersion>",
	    XR_E_DUPLICATE_HEADER_FIELD);
	fails_with("<xrd:id>", "<xrd:service id:objectType=\"SERVICE\">"
	    "<id:xRoadInstance>EE</id:xRoadInstance>"
	    "<id:memberClass>GOV</id:memberClass>"
	    "<id:memberCode>MEMBER2</id:memberCode>"
	    "<id:serviceCode>exampleService</id:serviceCode></xrd:service>"
	    "<xrd:id>", XR_E_DUPLICATE_HEADER_FIELD);
	fails_with("<xrd:id>", "<xrd:requestHash>a</xrd:requestHash>"
	    "<xrd:requestHash>b</xrd:requestHash><xrd:id>",
	    XR_E_DUPLICATE_HEADER_FIELD);
	/* Duplicate and misordered identifier parts. */
	fails_with("<id:memberClass>GOV</id:memberClass>",
	    "<id:memberClass>GOV</id:memberClass>"
	    "<id:memberClass>GOV</id:memberClass>", XR_E_INVALID_XML);
	fails_with("<id:xRoadInstance>EE</id:xRoadInstance>\n"
	    "            <id:memberClass>GOV</id:memberClass>",
	    "<id:memberClass>GOV</id:memberClass>"
	    "<id:xRoadInstance>EE</id:xRoadInstance>", XR_E_INVALID_XML);
	ck_assert_ptr_nonnull(strstr(xe.xe_msg, "out of order"));
	/* Wrong objectType for the context. */
	fails_with("<xrd:client id:objectType=\"SUBSYSTEM\">",
	    "<xrd:client id:objectType=\"SERVICE\">", XR_E_INVALID_XML);
	fails_with("<xrd:service id:objectType=\"SERVICE\">",
	    "<xrd:service id:objectType=\"SUBSYSTEM\">", XR_E_INVALID_XML);
	fails_with("<xrd:client id:objectType=\"SUBSYSTEM\">",
	    "<xrd:client>", XR_E_INVALID_XML);
	/* Bad identifier characters. */
	fails_with(">MEMBER1<", ">MEMBER_1<", XR_E_INVALID_XML);
	/* Unknown field in the X-Road namespace, unqualified header. */
	fails_with("<xrd:id>", "<xrd:async>true</xrd:async><xrd:id>",
	    XR_E_INVALID_SOAP);
	fails_with("<xrd:id>", "<plain>x</plain><xrd:id>", XR_E_INVALID_SOAP);
	fails_with("<xrd:id>", "text<xrd:id>", XR_E_INVALID_SOAP);
	/* Element content in a text field. */
	fails_with("<xrd:issue>12345", "<xrd:issue><b>12345</b>",
	    XR_E_INVALID_XML);
}
END_TEST

START_TEST(test_version_body_envelope)
{
	fails_with(">4.0<", ">3.1<", XR_E_INVALID_PROTOCOL_VERSION);
	fails_with(">4.0<", ">4.<", XR_E_INVALID_PROTOCOL_VERSION);
	fails_with(">4.0<", ">4.0a<", XR_E_INVALID_PROTOCOL_VERSION);
	fails_with(">4.0<", "><", XR_E_INVALID_PROTOCOL_VERSION);
	/* Wrapper must be named after serviceCode. */
	{
		static const char *names[] = { "otherService",
		    "exampleServiceResponse", "exampleServic", "ExampleService" };
		struct soap_msg *m;
		char *x = request_xml(), *y, *z;
		size_t i;

		for (i = 0; i < 4; i++) {
			char to[64];

			snprintf(to, sizeof(to), "ns1:%s>", names[i]);
			y = replace(x, "ns1:exampleService>", to);
			z = replace(y, "ns1:exampleService>", to);
			ck_assert_int_eq(parse_req(z, &m), -1);
			ck_assert_str_eq(xe.xe_code, XR_E_INCONSISTENT_HEADERS);
			/* A response may use <serviceCode>Response only. */
			ck_assert_int_eq(soap_parse(z, strlen(z), NULL, MAX,
			    SOAP_RESPONSE, &m, &xe), i == 1 ? 0 : -1);
			if (i == 1)
				soap_msg_free(m);
			free(y);
			free(z);
		}
		free(x);
	}
	/* Exactly one body element. */
	fails_with("</SOAP-ENV:Body>", "<x/></SOAP-ENV:Body>",
	    XR_E_INVALID_BODY);
	fails_with("<ns1:exampleService>", "text<ns1:exampleService>",
	    XR_E_INVALID_BODY);
	{
		char *x = request_xml(), *a, *b;
		struct soap_msg *m;

		a = strstr(x, "<ns1:exampleService>");
		b = strstr(x, "</ns1:exampleService>") +
		    strlen("</ns1:exampleService>");
		memmove(a, b, strlen(b) + 1);
		ck_assert_int_eq(parse_req(x, &m), -1);
		ck_assert_str_eq(xe.xe_code, XR_E_INVALID_BODY);
		free(x);
	}
	/* Envelope structure. */
	fails_with("http://schemas.xmlsoap.org/soap/envelope/",
	    "http://www.w3.org/2003/05/soap-envelope", XR_E_INVALID_SOAP);
	ck_assert_str_eq(xe.xe_msg, "Malformed SOAP message: envelope missing");
	fails_with("</SOAP-ENV:Envelope>", "<SOAP-ENV:Body/>"
	    "</SOAP-ENV:Envelope>", XR_E_INVALID_SOAP);
	fails_with("</SOAP-ENV:Envelope>", "<x/></SOAP-ENV:Envelope>",
	    XR_E_INVALID_SOAP);
	fails_with("</SOAP-ENV:Envelope>", "</SOAP-ENV:Envelope><x/>",
	    XR_E_INVALID_SOAP);
	fails_with("<exampleInput>foo</exampleInput>",
	    "<exampleInput>foo</exampleInpu>", XR_E_INVALID_SOAP);
	/* A fault is no request. */
	fails_with("<ns1:exampleService>\n"
	    "            <exampleInput>foo</exampleInput>\n"
	    "        </ns1:exampleService>", "<SOAP-ENV:Fault><faultcode>x"
	    "</faultcode></SOAP-ENV:Fault>", XR_E_INVALID_SOAP);
}
END_TEST

START_TEST(test_attacks)
{
	const char *laughs =
	    "<?xml version=\"1.0\"?>\n<!DOCTYPE lolz [\n"
	    " <!ENTITY lol \"lol\">\n"
	    " <!ENTITY lol2 \"&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;\">\n"
	    " <!ENTITY lol3 \"&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;\">\n"
	    " <!ENTITY lol4 \"&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;\">\n"
	    "]>\n<lolz>&lol4;</lolz>";
	const char *xxe =
	    "<?xml version=\"1.0\"?>\n<!DOCTYPE foo [ <!ENTITY xxe SYSTEM "
	    "\"file:///etc/passwd\"> ]>\n"
	    "<SOAP-ENV:Envelope xmlns:SOAP-ENV=\"http://schemas.xmlsoap.org/"
	    "soap/envelope/\"><SOAP-ENV:Body><a>&xxe;</a></SOAP-ENV:Body>"
	    "</SOAP-ENV:Envelope>";
	const char *ext =
	    "<?xml version=\"1.0\"?>\n<!DOCTYPE foo SYSTEM "
	    "\"http://127.0.0.1:1/x.dtd\">\n<foo/>";
	struct soap_msg	*m = NULL;
	char		*x, *y;

	ck_assert_int_eq(parse_req(laughs, &m), -1);
	ck_assert_str_eq(xe.xe_code, XR_E_INVALID_SOAP);
	ck_assert_ptr_nonnull(strstr(xe.xe_msg, "DOCTYPE"));
	ck_assert_int_eq(parse_req(xxe, &m), -1);
	ck_assert_ptr_nonnull(strstr(xe.xe_msg, "DOCTYPE"));
	ck_assert_int_eq(parse_req(ext, &m), -1);
	ck_assert_ptr_nonnull(strstr(xe.xe_msg, "DOCTYPE"));
	ck_assert_ptr_null(m);
	/*
	 * The parser stops at the DOCTYPE itself: a broken internal subset
	 * after it is never read (else libxml2 would report that instead).
	 */
	ck_assert_int_eq(parse_req("<!DOCTYPE x [ garbage <!ENTITY ]><x/>",
	    &m), -1);
	ck_assert_str_eq(xe.xe_msg,
	    "Malformed SOAP message: DOCTYPE is not allowed");
	/* A DOCTYPE in front of a valid request. */
	x = request_xml();
	y = replace(x, "<SOAP-ENV:Envelope", "<!DOCTYPE SOAP-ENV:Envelope>\n"
	    "<SOAP-ENV:Envelope");
	ck_assert_int_eq(parse_req(y, &m), -1);
	ck_assert_ptr_nonnull(strstr(xe.xe_msg, "DOCTYPE"));
	free(y);
	/* An undeclared entity is not well-formed. */
	y = replace(x, ">foo<", ">&xxe;<");
	ck_assert_int_eq(parse_req(y, &m), -1);
	ck_assert_str_eq(xe.xe_code, XR_E_INVALID_SOAP);
	free(y);
	/* Predefined and character references are fine. */
	y = replace(x, ">foo<", ">&lt;&#65;&amp;<");
	ck_assert_int_eq(parse_req(y, &m), 0);
	soap_msg_free(m);
	free(y);
	/* Size cap, garbage, empty, wrong content type. */
	ck_assert_int_eq(soap_parse(x, strlen(x), NULL, strlen(x) - 1,
	    SOAP_REQUEST, &m, &xe), -1);
	ck_assert_str_eq(xe.xe_code, XR_E_INVALID_SOAP);
	ck_assert_int_eq(soap_parse(x, strlen(x), NULL, strlen(x),
	    SOAP_REQUEST, &m, &xe), 0);
	soap_msg_free(m);
	ck_assert_int_eq(parse_req("not xml", &m), -1);
	ck_assert_str_eq(xe.xe_code, XR_E_INVALID_SOAP);
	ck_assert_int_eq(soap_parse("", 0, NULL, MAX, SOAP_REQUEST, &m, &xe),
	    -1);
	ck_assert_int_eq(soap_parse(x, strlen(x), "application/json", MAX,
	    SOAP_REQUEST, &m, &xe), -1);
	ck_assert_str_eq(xe.xe_code, XR_E_INVALID_CONTENT_TYPE);
	ck_assert_int_eq(soap_parse(x, strlen(x), "text", MAX, SOAP_REQUEST,
	    &m, &xe), -1);
	ck_assert_str_eq(xe.xe_code, XR_E_INVALID_CONTENT_TYPE);
	free(x);
}
END_TEST

START_TEST(test_fault)
{
	struct buf	*out;
	struct soap_msg	*m;
	size_t		 len;
	char		*ref, code[128];
	struct xr_err	 e;

	/* The example parses as a fault response. */
	ref = read_data("soap/fault-technical.xml", &len);
	ck_assert_int_eq(soap_parse(ref, len, "text/xml", MAX, SOAP_RESPONSE,
	    &m, &xe), 0);
	ck_assert_int_eq(soap_msg_is_fault(m), 1);
	ck_assert_str_eq(soap_msg_fault_code(m),
	    "Server.ClientProxy.ServiceFailed.MissingBody");
	ck_assert_str_eq(soap_msg_fault_string(m),
	    "Malformed SOAP message: body missing");
	ck_assert_str_eq(soap_msg_fault_detail(m),
	    "f31e7451-f0ac-48f6-9f05-1f0459e48eea");
	ck_assert_ptr_null(soap_msg_client(m));
	soap_msg_free(m);

	/* What we build says the same, in the same shape. */
	ck_assert_int_eq(soap_fault_build(
	    "Server.ClientProxy.ServiceFailed.MissingBody",
	    "Malformed SOAP message: body missing",
	    "f31e7451-f0ac-48f6-9f05-1f0459e48eea", &out), 0);
	ck_assert_ptr_nonnull(strstr(buf_str(out),
	    "<?xml version=\"1.0\" encoding=\"UTF-8\"?>"));
	ck_assert_ptr_nonnull(strstr(buf_str(out), "<SOAP-ENV:Envelope "
	    "xmlns:SOAP-ENV=\"http://schemas.xmlsoap.org/soap/envelope/\">"));
	ck_assert_ptr_nonnull(strstr(buf_str(out), "<faultactor></faultactor>")
	    ? strstr(buf_str(out), "<faultactor></faultactor>") :
	    strstr(buf_str(out), "<faultactor/>"));
	ck_assert_ptr_nonnull(strstr(buf_str(out), "<SOAP-ENV:Fault><faultcode>"
	    "Server.ClientProxy.ServiceFailed.MissingBody</faultcode>"
	    "<faultstring>Malformed SOAP message: body missing</faultstring>"));
	ck_assert_ptr_nonnull(strstr(buf_str(out), "<detail><faultDetail "
	    "xmlns=\"\">f31e7451-f0ac-48f6-9f05-1f0459e48eea</faultDetail>"
	    "</detail>"));
	ck_assert_int_eq(soap_parse(buf_data(out), buf_len(out), NULL, MAX,
	    SOAP_RESPONSE, &m, &xe), 0);
	ck_assert_int_eq(soap_msg_is_fault(m), 1);
	ck_assert_str_eq(soap_msg_fault_code(m),
	    "Server.ClientProxy.ServiceFailed.MissingBody");
	ck_assert_str_eq(soap_msg_fault_detail(m),
	    "f31e7451-f0ac-48f6-9f05-1f0459e48eea");
	soap_msg_free(m);
	buf_free(out);
	free(ref);

	/* From a parse error, escaped. */
	xr_err_set(&e, XR_E_MISSING_HEADER_FIELD, "Required field '%s' <&>",
	    "client");
	ck_assert_int_eq(xr_err_faultcode(&e, XR_PREFIX_CLIENT, code,
	    sizeof(code)), 0);
	ck_assert_str_eq(code, "Client.MissingHeaderField");
	ck_assert_int_eq(soap_fault_from_err(&e, XR_PREFIX_CLIENT, NULL,
	    &out), 0);
	ck_assert_ptr_nonnull(strstr(buf_str(out), "&lt;&amp;&gt;"));
	ck_assert_ptr_null(strstr(buf_str(out), "<detail"));
	ck_assert_int_eq(soap_parse(buf_data(out), buf_len(out), NULL, MAX,
	    SOAP_RESPONSE, &m, &xe), 0);
	ck_assert_str_eq(soap_msg_fault_string(m),
	    "Required field 'client' <&>");
	soap_msg_free(m);
	buf_free(out);
}
END_TEST

START_TEST(test_request_hash)
{
	char		*x = request_xml(), *h;
	struct soap_msg	*m;

	ck_assert_int_eq(parse_req(x, &m), 0);
	ck_assert_int_eq(soap_request_hash(m, &h), 0);
	ck_assert_str_eq(h, REQUEST_XML_HASH);
	free(h);
	soap_msg_free(m);
	free(x);
}
END_TEST

/* Names of the header children of a serialised envelope, in order. */
static void
header_names(const struct soap_msg *m, char *out, size_t outlen)
{
	xmlNode	*body = soap_msg_body_element(m)->parent, *n;

	out[0] = '\0';
	for (n = body->prev; n != NULL && n->type != XML_ELEMENT_NODE;
	    n = n->prev)
		;
	ck_assert_ptr_nonnull(n);	/* the Header */
	for (n = n->children; n != NULL; n = n->next)
		if (n->type == XML_ELEMENT_NODE) {
			strlcat(out, (const char *)n->name, outlen);
			strlcat(out, ",", outlen);
		}
}

START_TEST(test_response_roundtrip)
{
	char		*x = request_xml(), *y, names[512], *h;
	struct soap_msg	*req, *resp, *fin, *m;
	xmlDoc		*doc;
	xmlNode		*w;
	struct buf	*b, *out;
	const char	*algo;

	/* A request with an extension header in the middle. */
	y = replace(x, "<xrd:userId>", "<t:token xmlns:t=\"urn:t\">abc"
	    "</t:token><xrd:userId>");
	ck_assert_int_eq(parse_req(y, &req), 0);
	/* Provider side: the response copies every header in order. */
	ck_assert_int_eq(soap_response_new(req, &doc, &w), 0);
	ck_assert_str_eq((const char *)w->name, "exampleServiceResponse");
	xmlNewTextChild(w, NULL, BAD_CAST "exampleOutput", BAD_CAST "bar");
	ck_assert_int_eq(soap_doc_serialize(doc, MAX, &b), 0);
	xmlFreeDoc(doc);
	ck_assert_int_eq(soap_parse(buf_data(b), buf_len(b), NULL, MAX,
	    SOAP_RESPONSE, &resp, &xe), 0);
	header_names(resp, names, sizeof(names));
	ck_assert_str_eq(names,
	    "client,service,id,token,userId,issue,protocolVersion,");
	ck_assert_str_eq(soap_msg_body_ns(resp), "http://producer.x-road.eu");
	ck_assert_int_eq(soap_check_consistency(req, resp, &xe), 0);
	ck_assert_ptr_null(soap_msg_request_hash(resp, NULL));
	/* Without requestHash the client side refuses it. */
	ck_assert_int_eq(soap_response_check(req, resp, &xe), -1);
	ck_assert_str_eq(xe.xe_code, XR_E_INCONSISTENT_RESPONSE);
	soap_msg_free(resp);

	/* Server proxy adds requestHash; client proxy accepts it. */
	ck_assert_int_eq(soap_response_finish(req, buf_data(b), buf_len(b),
	    "text/xml; charset=UTF-8", MAX, &out, &fin, &xe), 0);
	ck_assert_str_eq(soap_msg_request_hash(fin, &algo),
	    soap_request_hash(req, &h) == 0 ? h : "");
	ck_assert_str_eq(algo, XR_ALGO_SHA512);
	header_names(fin, names, sizeof(names));
	ck_assert_str_eq(names, "client,service,id,token,userId,issue,"
	    "protocolVersion,requestHash,");
	ck_assert_int_eq(soap_response_check(req, fin, &xe), 0);
	free(h);
	soap_msg_free(fin);

	/* A wrong requestHash from the provider is replaced. */
	{
		char *z = replace(buf_str(b), "</SOAP-ENV:Header>",
		    "<xrd:requestHash algorithmId=\"x\">AAAA</xrd:requestHash>"
		    "</SOAP-ENV:Header>");
		struct buf *o2;

		ck_assert_int_eq(soap_response_finish(req, z, strlen(z), NULL,
		    MAX, &o2, &fin, &xe), 0);
		ck_assert_int_eq(soap_response_check(req, fin, &xe), 0);
		ck_assert_ptr_null(strstr(buf_str(o2), "AAAA"));
		soap_msg_free(fin);
		buf_free(o2);
		free(z);
	}
	/* The check fails for another request (different bytes). */
	ck_assert_int_eq(soap_parse(buf_data(out), buf_len(out), NULL, MAX,
	    SOAP_RESPONSE, &fin, &xe), 0);
	ck_assert_int_eq(parse_req(x, &m), 0);	/* same fields, other bytes */
	ck_assert_int_eq(soap_response_check(m, fin, &xe), -1);
	ck_assert_str_eq(xe.xe_code, XR_E_INCONSISTENT_RESPONSE);
	ck_assert_str_eq(xe.xe_msg,
	    "Request message hash does not match request message");
	soap_msg_free(m);
	/* A tampered hash value fails too. */
	{
		char *z = replace(buf_str(out), "<xrd:requestHash "
		    "algorithmId=\"http://www.w3.org/2001/04/xmlenc#sha512\">",
		    "<xrd:requestHash algorithmId=\"http://www.w3.org/2001/04/"
		    "xmlenc#sha512\">A");
		struct soap_msg *t;

		ck_assert_int_eq(soap_parse(z, strlen(z), NULL, MAX,
		    SOAP_RESPONSE, &t, &xe), 0);
		ck_assert_int_eq(soap_response_check(req, t, &xe), -1);
		soap_msg_free(t);
		free(z);
	}
	soap_msg_free(fin);
	buf_free(out);

	/* Inconsistent headers from the provider. */
	{
		char *z = replace(buf_str(b), "4894e35d", "00000000");
		struct buf *o2;

		ck_assert_int_eq(soap_response_finish(req, z, strlen(z), NULL,
		    MAX, &o2, NULL, &xe), -1);
		ck_assert_str_eq(xe.xe_code, XR_E_INCONSISTENT_HEADERS);
		ck_assert_str_eq(xe.xe_msg,
		    "Field 'id' does not match in request and response");
		free(z);
		z = replace(buf_str(b), ">12345<", ">54321<");
		ck_assert_int_eq(soap_response_finish(req, z, strlen(z), NULL,
		    MAX, &o2, NULL, &xe), -1);
		ck_assert_str_eq(xe.xe_code, XR_E_INCONSISTENT_HEADERS);
		free(z);
		{
			char *t = replace(buf_str(b),
			    "exampleServiceResponse>", "otherResponse>");

			z = replace(t, "exampleServiceResponse",
			    "otherResponse");
			free(t);
		}
		ck_assert_int_eq(soap_response_finish(req, z, strlen(z), NULL,
		    MAX, &o2, NULL, &xe), -1);
		ck_assert_str_eq(xe.xe_code, XR_E_INCONSISTENT_HEADERS);
		free(z);
	}
	/* A provider fault is passed on unchanged. */
	{
		struct buf *f, *o2;

		ck_assert_int_eq(soap_fault_build("Server.Oops", "no", NULL,
		    &f), 0);
		ck_assert_int_eq(soap_response_finish(req, buf_data(f),
		    buf_len(f), NULL, MAX, &o2, &fin, &xe), 0);
		ck_assert_uint_eq(buf_len(o2), buf_len(f));
		ck_assert(memcmp(buf_data(o2), buf_data(f), buf_len(f)) == 0);
		ck_assert_int_eq(soap_msg_is_fault(fin), 1);
		ck_assert_int_eq(soap_response_check(req, fin, &xe), 0);
		soap_msg_free(fin);
		buf_free(o2);
		buf_free(f);
	}
	buf_free(b);
	soap_msg_free(req);
	free(y);
	free(x);
}
END_TEST

START_TEST(test_example_response)
{
	size_t		 len;
	char		*r = read_data("soap/response.xml", &len);
	struct soap_msg	*m;
	const char	*algo;

	ck_assert_int_eq(soap_parse(r, len, NULL, MAX, SOAP_RESPONSE, &m,
	    &xe), 0);
	ck_assert_ptr_nonnull(strstr(soap_msg_request_hash(m, &algo),
	    "29KTVbZf83XlfdYrsxjaSYMGoxvktnTUBTtA4BmSrh1e"));
	ck_assert_str_eq(algo, XR_ALGO_SHA512);
	ck_assert_str_eq(soap_msg_body_name(m), "exampleServiceResponse");
	soap_msg_free(m);
	/* As a request the wrapper name is wrong. */
	ck_assert_int_eq(soap_parse(r, len, NULL, MAX, SOAP_REQUEST, &m, &xe),
	    -1);
	ck_assert_str_eq(xe.xe_code, XR_E_INCONSISTENT_HEADERS);
	free(r);
}
END_TEST

START_TEST(test_request_new)
{
	struct xrid		 client, service, server;
	struct soap_header	 h;
	xmlDoc			*doc;
	xmlNode			*w;
	struct buf		*b;
	struct soap_msg		*m;
	const char		*pc, *pcode;
	char			 e[XRID_ERR_MAX];

	ck_assert_int_eq(xrid_set_client(&client, "PS", "GOV", "MTIT", "SSO",
	    e, sizeof(e)), 0);
	ck_assert_int_eq(xrid_set_service(&service, "PS", "GOV", "MOI",
	    "CIVIL-REGISTER", "getPerson", "v1", e, sizeof(e)), 0);
	ck_assert_int_eq(xrid_set_server(&server, "PS", "GOV", "MOI",
	    "ss-moi", e, sizeof(e)), 0);
	memset(&h, 0, sizeof(h));
	h.sh_client = &client;
	h.sh_service = &service;
	h.sh_security_server = &server;
	h.sh_id = "id-1 <&>";
	h.sh_user_id = "PS123";
	h.sh_party_code = "X";
	ck_assert_int_eq(soap_request_new(&h, "urn:moi", &doc, &w), 0);
	xmlNewTextChild(w, NULL, BAD_CAST "personId", BAD_CAST "42");
	ck_assert_int_eq(soap_doc_serialize(doc, MAX, &b), 0);
	xmlFreeDoc(doc);
	ck_assert_int_eq(soap_parse(buf_data(b), buf_len(b), NULL, MAX,
	    SOAP_REQUEST, &m, &xe), 0);
	ck_assert_int_eq(xrid_equal(soap_msg_client(m), &client), 1);
	ck_assert_int_eq(xrid_equal(soap_msg_service(m), &service), 1);
	ck_assert_int_eq(xrid_equal(soap_msg_security_server(m), &server), 1);
	ck_assert_str_eq(soap_msg_id(m), "id-1 <&>");
	ck_assert_str_eq(soap_msg_user_id(m), "PS123");
	ck_assert_ptr_null(soap_msg_issue(m));
	ck_assert_str_eq(soap_msg_protocol_version(m), "4.0");
	ck_assert_int_eq(soap_msg_represented_party(m, &pc, &pcode), 0);
	ck_assert_ptr_null(pc);
	ck_assert_str_eq(pcode, "X");
	ck_assert_str_eq(soap_msg_body_name(m), "getPerson");
	ck_assert_str_eq(soap_msg_body_ns(m), "urn:moi");
	soap_msg_free(m);
	buf_free(b);
	/* Required fields. */
	h.sh_id = NULL;
	ck_assert_int_eq(soap_request_new(&h, "urn:moi", &doc, &w), -1);
	h.sh_id = "x";
	h.sh_client = &service;
	ck_assert_int_eq(soap_request_new(&h, "urn:moi", &doc, &w), -1);
	ck_assert_ptr_null(doc);
}
END_TEST

/* Split an example file into Content-Type and body (see test_mime.c). */
static const char *
split_http(char *file, char *ctype, size_t ctlen)
{
	char	*body = strstr(file, "\n\n"), *p, *line;
	size_t	 n = 0;

	ck_assert_ptr_nonnull(body);
	*body = '\0';
	ctype[0] = '\0';
	for (line = file; line != NULL && *line != '\0'; line = p) {
		if ((p = strchr(line, '\n')) != NULL)
			*p++ = '\0';
		if (strncasecmp(line, "Content-Type:", 13) == 0)
			n = (size_t)snprintf(ctype, ctlen, "%s", line + 13);
		else if (n > 0 && (line[0] == ' ' || line[0] == '\t'))
			n += (size_t)snprintf(ctype + n, ctlen - n, "%s", line);
		else
			n = 0;
	}
	return body + 2;
}

START_TEST(test_parts)
{
	static const char *files[] = {
		"soap/request-swaref-attachment.mime.txt",
		"soap/request-mtom.mime.txt"
	};
	struct soap_parts	*sp;
	struct soap_msg		*m;
	const unsigned char	*s;
	const struct mime_part	*a;
	char			*file, ct[512], *bad;
	const char		*body;
	size_t			 len, slen, i;

	for (i = 0; i < 2; i++) {
		file = read_data(files[i], &len);
		body = split_http(file, ct, sizeof(ct));
		ck_assert_int_eq(soap_parts_parse(body, strlen(body), ct, NULL,
		    &sp, &xe), 0);
		ck_assert_int_eq(soap_parts_is_multipart(sp), 1);
		ck_assert_int_eq(soap_parts_is_mtom(sp), (int)i);
		ck_assert_uint_eq(soap_parts_nattachments(sp), 1);
		a = soap_parts_attachment(sp, 0);
		ck_assert_str_eq(mime_part_header(a, "Content-ID"),
		    "<data.bin>");
		ck_assert_ptr_null(soap_parts_attachment(sp, 1));
		s = soap_parts_soap(sp, &slen);
		/* The SOAP part parses (its wrapper is not serviceCode). */
		ck_assert_int_eq(soap_parse(s, slen, soap_parts_soap_ctype(sp),
		    MAX, SOAP_REQUEST, &m, &xe), -1);
		ck_assert_str_eq(xe.xe_code, XR_E_INCONSISTENT_HEADERS);
		soap_parts_free(sp);

		/* start= naming another part. */
		bad = replace(ct, "<rootpart>", "<other>");
		ck_assert_int_eq(soap_parts_parse(body, strlen(body), bad,
		    NULL, &sp, &xe), -1);
		ck_assert_str_eq(xe.xe_code, XR_E_MIME_PARSING_FAILED);
		free(bad);
		/* Truncated. */
		ck_assert_int_eq(soap_parts_parse(body, strlen(body) - 20, ct,
		    NULL, &sp, &xe), -1);
		ck_assert_str_eq(xe.xe_code, XR_E_MIME_PARSING_FAILED);
		free(file);
	}
	/* Plain text/xml. */
	file = request_xml();
	ck_assert_int_eq(soap_parts_parse(file, strlen(file), "text/xml; "
	    "charset=UTF-8", NULL, &sp, &xe), 0);
	ck_assert_int_eq(soap_parts_is_multipart(sp), 0);
	ck_assert_uint_eq(soap_parts_nattachments(sp), 0);
	s = soap_parts_soap(sp, &slen);
	ck_assert_uint_eq(slen, strlen(file));
	ck_assert_int_eq(soap_parse(s, slen, soap_parts_soap_ctype(sp), MAX,
	    SOAP_REQUEST, &m, &xe), 0);
	soap_msg_free(m);
	soap_parts_free(sp);
	ck_assert_int_eq(soap_parts_parse(file, strlen(file),
	    "application/soap+xml", NULL, &sp, &xe), -1);
	ck_assert_str_eq(xe.xe_code, XR_E_INVALID_CONTENT_TYPE);
	ck_assert_int_eq(soap_parts_parse(file, strlen(file), NULL, NULL, &sp,
	    &xe), -1);
	/* A base64 SOAP part is refused. */
	{
		const char *mp = "--b\r\nContent-Type: text/xml\r\n"
		    "Content-Transfer-Encoding: base64\r\n\r\nPGEvPg==\r\n--b--";

		ck_assert_int_eq(soap_parts_parse(mp, strlen(mp),
		    "multipart/related; type=\"text/xml\"; boundary=b", NULL,
		    &sp, &xe), -1);
		ck_assert_str_eq(xe.xe_code, XR_E_MIME_PARSING_FAILED);
		ck_assert_int_eq(soap_parts_parse(mp, strlen(mp),
		    "multipart/related; type=\"image/png\"; boundary=b", NULL,
		    &sp, &xe), -1);
		ck_assert_str_eq(xe.xe_code, XR_E_INVALID_CONTENT_TYPE);
	}
	soap_parts_free(NULL);
	free(file);
}
END_TEST

static Suite *
soap_suite(void)
{
	Suite	*s = suite_create("soap");
	TCase	*tc = tcase_create("core");

	tcase_add_test(tc, test_parse_request);
	tcase_add_test(tc, test_missing_fields);
	tcase_add_test(tc, test_duplicates_and_order);
	tcase_add_test(tc, test_version_body_envelope);
	tcase_add_test(tc, test_attacks);
	tcase_add_test(tc, test_fault);
	tcase_add_test(tc, test_request_hash);
	tcase_add_test(tc, test_response_roundtrip);
	tcase_add_test(tc, test_example_response);
	tcase_add_test(tc, test_request_new);
	tcase_add_test(tc, test_parts);
	suite_add_tcase(s, tc);
	return s;
}

HK_CHECK_MAIN(soap_suite)
