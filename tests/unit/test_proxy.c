/*
 * Unit tests for the pure pieces of the message path (proxy_common.c,
 * proxy_peer.c): security server addresses of global configuration,
 * faults (codes, messages, the SOAP fault round trip), request ids,
 * SOAP with attachments rebuilt for an IS, the certcheck -> fault code
 * mapping and global group membership for access rights.
 */
#include "config.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#include <check.h>

#include "buf.h"
#include "certcheck.h"
#include "globalconf.h"
#include "mime.h"
#include "soap.h"
#include "transport.h"
#include "securityserverd.h"
#include "proxy.h"
#include "hk_check.h"

struct addr_case {
	const char	*in;
	int		 ok;
	const char	*host;
	unsigned int	 port;
};

static const struct addr_case addr_cases[] = {
	{ "127.0.0.1", 0, "127.0.0.1", PROXY_DEFAULT_PORT },
	{ "127.0.0.1:5510", 0, "127.0.0.1", 5510 },
	{ "ss-moi.gov.ps", 0, "ss-moi.gov.ps", PROXY_DEFAULT_PORT },
	{ "ss_moi:1", 0, "ss_moi", 1 },
	{ "[::1]", 0, "::1", PROXY_DEFAULT_PORT },
	{ "[::1]:5500", 0, "::1", 5500 },
	{ "host:65458", 0, "host", 65458 },
	/* 65459 + 77 would not be a port for the OCSP download. */
	{ "host:65459", -1, NULL, 0 },
	{ "host:0", -1, NULL, 0 },
	{ "host:", -1, NULL, 0 },
	{ "host:55x", -1, NULL, 0 },
	{ "host:-1", -1, NULL, 0 },
	{ "::1", -1, NULL, 0 },		/* IPv6 needs brackets */
	{ "[::1", -1, NULL, 0 },
	{ "[::1]x", -1, NULL, 0 },
	{ "[]:5500", -1, NULL, 0 },
	{ ":5500", -1, NULL, 0 },
	{ "", -1, NULL, 0 },
	{ "a b", -1, NULL, 0 },
	{ "host/path", -1, NULL, 0 },
	{ "user@host", -1, NULL, 0 },
	{ "host?x=1", -1, NULL, 0 },
	{ "ho%73t", -1, NULL, 0 },
};

START_TEST(test_parse_address)
{
	const struct addr_case	*c = &addr_cases[_i];
	char			 host[64];
	unsigned int		 port = 0;
	int			 rc;

	rc = proxy_parse_address(c->in, host, sizeof(host), &port);
	ck_assert_msg(rc == c->ok, "'%s': rc %d, want %d", c->in, rc, c->ok);
	if (rc == 0) {
		ck_assert_str_eq(host, c->host);
		ck_assert_uint_eq(port, c->port);
	}
}
END_TEST

START_TEST(test_parse_address_bounds)
{
	char		host[8], big[400];
	unsigned int	port;

	ck_assert_int_eq(proxy_parse_address(NULL, host, sizeof(host), &port),
	    -1);
	/* The host must fit. */
	ck_assert_int_eq(proxy_parse_address("1234567", host, sizeof(host),
	    &port), 0);
	ck_assert_int_eq(proxy_parse_address("12345678", host, sizeof(host),
	    &port), -1);
	memset(big, 'a', sizeof(big) - 1);
	big[sizeof(big) - 1] = '\0';
	ck_assert_int_eq(proxy_parse_address(big, host, sizeof(host), &port),
	    -1);
}
END_TEST

START_TEST(test_uuid)
{
	char	a[PROXY_UUID_LEN + 1], b[PROXY_UUID_LEN + 1];
	int	i;

	ck_assert_int_eq(proxy_uuid(a), 0);
	ck_assert_int_eq(proxy_uuid(b), 0);
	ck_assert_uint_eq(strlen(a), PROXY_UUID_LEN);
	ck_assert_str_ne(a, b);
	for (i = 0; i < PROXY_UUID_LEN; i++) {
		if (i == 8 || i == 13 || i == 18 || i == 23)
			ck_assert_int_eq(a[i], '-');
		else
			ck_assert_msg(isxdigit((unsigned char)a[i]) &&
			    !isupper((unsigned char)a[i]), "%s", a);
	}
	ck_assert_int_eq(a[14], '4');			/* version 4 */
	ck_assert_ptr_nonnull(strchr("89ab", a[19]));	/* RFC 4122 variant */
}
END_TEST

START_TEST(test_fault_set)
{
	struct proxy_fault	f;
	struct xr_err		e;

	proxy_fault_set(&f, XR_PREFIX_SERVERPROXY, "AccessDenied",
	    "Request is not allowed: %s", "x\n\n");
	ck_assert_str_eq(f.pf_code, "Server.ServerProxy.AccessDenied");
	/* libxml2-style trailing newlines go. */
	ck_assert_str_eq(f.pf_msg, "Request is not allowed: x");
	ck_assert_str_eq(f.pf_detail, "");
	proxy_fault_set(&f, NULL, "Client.BadRequest", "m");
	ck_assert_str_eq(f.pf_code, "Client.BadRequest");

	xr_err_set(&e, XR_E_MISSING_HEADER_FIELD, "Required field '%s' is "
	    "missing", "id");
	proxy_fault_err(&f, XR_PREFIX_CLIENT, &e);
	ck_assert_str_eq(f.pf_code, "Client.MissingHeaderField");
	ck_assert_str_eq(f.pf_msg, "Required field 'id' is missing");
	/* An error without a code is an internal error, never "Client." */
	memset(&e, 0, sizeof(e));
	proxy_fault_err(&f, XR_PREFIX_CLIENTPROXY, &e);
	ck_assert_str_eq(f.pf_code, "Server.ClientProxy.InternalError");
}
END_TEST

/* What the server proxy sends is what the client proxy passes on. */
START_TEST(test_fault_round_trip)
{
	struct proxy_fault	 f, g;
	struct buf		*b = NULL;

	proxy_fault_set(&f, XR_PREFIX_SERVERPROXY, "ServiceDisabled",
	    "Service is disabled: <closed> & \"quoted\"");
	ck_assert_int_eq(proxy_fault_xml(&f, &b), 0);
	/* A detail id was made and is in the XML. */
	ck_assert_uint_eq(strlen(f.pf_detail), PROXY_UUID_LEN);
	ck_assert_ptr_nonnull(memmem(buf_data(b), buf_len(b), f.pf_detail,
	    PROXY_UUID_LEN));
	ck_assert_int_eq(proxy_fault_parse(buf_data(b), buf_len(b), &g), 0);
	ck_assert_str_eq(g.pf_code, f.pf_code);
	ck_assert_str_eq(g.pf_msg, f.pf_msg);
	ck_assert_str_eq(g.pf_detail, f.pf_detail);
	buf_free(b);

	/* Not a fault: refused. */
	ck_assert_int_eq(proxy_fault_parse("<a/>", 4, &g), -1);
	ck_assert_int_eq(proxy_fault_parse("not xml", 7, &g), -1);
	ck_assert_int_eq(proxy_fault_parse("", 0, &g), -1);
	{
		const char *empty = "<SOAP-ENV:Envelope xmlns:SOAP-ENV=\""
		    SOAP_NS_ENV "\"><SOAP-ENV:Body><SOAP-ENV:Fault><faultcode>"
		    "</faultcode><faultstring>x</faultstring></SOAP-ENV:Fault>"
		    "</SOAP-ENV:Body></SOAP-ENV:Envelope>";

		ck_assert_int_eq(proxy_fault_parse(empty, strlen(empty), &g),
		    -1);
	}
}
END_TEST

START_TEST(test_certcheck_codes)
{
	ck_assert_str_eq(proxy_certcheck_code(CERTCHECK_UNTRUSTED_CA),
	    "InvalidCertPath");
	ck_assert_str_eq(proxy_certcheck_code(CERTCHECK_EXPIRED),
	    "InvalidCertPath");
	ck_assert_str_eq(proxy_certcheck_code(CERTCHECK_WRONG_PURPOSE),
	    "InvalidCertPath");
	ck_assert_str_eq(proxy_certcheck_code(CERTCHECK_REVOKED),
	    "CertValidation");
	ck_assert_str_eq(proxy_certcheck_code(CERTCHECK_OCSP_TOO_OLD),
	    "CertValidation");
	ck_assert_str_eq(proxy_certcheck_code(CERTCHECK_OCSP_MISSING),
	    "CertValidation");
	ck_assert_str_eq(proxy_certcheck_code(CERTCHECK_INTERNAL),
	    "InternalError");
}
END_TEST

#define SOAP_MSG \
	"<?xml version=\"1.0\"?>\r\n<SOAP-ENV:Envelope xmlns:SOAP-ENV=\"" \
	SOAP_NS_ENV "\"><SOAP-ENV:Body><x/></SOAP-ENV:Body>" \
	"</SOAP-ENV:Envelope>"

/* Attachments out of one multipart, into the IS's multipart/related. */
START_TEST(test_soap_multipart)
{
	const char *in = "--B\r\nContent-Type: text/plain\r\nContent-ID: "
	    "<a1>\r\n\r\nfirst\r\n--B\r\nContent-Type: application/octet-"
	    "stream\r\nContent-Transfer-Encoding: binary\r\n\r\n\x01\x02"
	    "\r\n--B--\r\n";
	struct mime_multipart	*mm = NULL;
	const struct mime_part	*parts[2];
	struct proxy_atts	 pa;
	struct soap_parts	*sp = NULL;
	struct xr_err		 err;
	struct buf		*b = NULL;
	const struct mime_part	*p;
	const unsigned char	*body;
	char			 ctype[256], merr[MIME_ERR_MAX];
	size_t			 len;

	ck_assert_int_eq(mime_parse(in, strlen(in), "B", NULL, &mm, merr,
	    sizeof(merr)), 0);
	parts[0] = mime_part_at(mm, 0);
	parts[1] = mime_part_at(mm, 1);
	ck_assert_int_eq(proxy_atts_new(parts, 2, &pa), 0);
	ck_assert_uint_eq(pa.pa_n, 2);
	ck_assert_str_eq(pa.pa_att[0].ta_headers[0], "Content-Type");
	ck_assert_str_eq(pa.pa_att[0].ta_headers[3], "<a1>");
	ck_assert_ptr_null(pa.pa_att[0].ta_headers[4]);
	ck_assert_uint_eq(pa.pa_att[1].ta_len, 2);

	ck_assert_int_eq(proxy_soap_multipart(SOAP_MSG, strlen(SOAP_MSG),
	    "text/xml; charset=UTF-8", pa.pa_att, pa.pa_n, 1024 * 1024, &b,
	    ctype, sizeof(ctype)), 0);
	ck_assert_ptr_nonnull(strstr(ctype, "multipart/related; "
	    "type=\"text/xml\"; boundary="));
	/* What an IS sends back in: the SOAP part first, then ours. */
	ck_assert_int_eq(soap_parts_parse(buf_data(b), buf_len(b), ctype, NULL,
	    &sp, &err), 0);
	ck_assert_int_eq(soap_parts_is_multipart(sp), 1);
	ck_assert_int_eq(soap_parts_is_mtom(sp), 0);
	body = soap_parts_soap(sp, &len);
	ck_assert_uint_eq(len, strlen(SOAP_MSG));
	ck_assert_mem_eq(body, SOAP_MSG, len);
	ck_assert_uint_eq(soap_parts_nattachments(sp), 2);
	p = soap_parts_attachment(sp, 0);
	ck_assert_str_eq(mime_part_header(p, "Content-ID"), "<a1>");
	body = mime_part_body(p, &len);
	ck_assert_uint_eq(len, 5);
	ck_assert_mem_eq(body, "first", 5);
	body = mime_part_body(soap_parts_attachment(sp, 1), &len);
	ck_assert_uint_eq(len, 2);
	ck_assert_mem_eq(body, "\x01\x02", 2);
	soap_parts_free(sp);
	buf_free(b);

	/* MTOM keeps its type. */
	ck_assert_int_eq(proxy_soap_multipart(SOAP_MSG, strlen(SOAP_MSG),
	    "application/xop+xml; charset=UTF-8; type=\"text/xml\"", pa.pa_att,
	    pa.pa_n, 1024 * 1024, &b, ctype, sizeof(ctype)), 0);
	ck_assert_ptr_nonnull(strstr(ctype, "type=\"application/xop+xml\""));
	ck_assert_int_eq(soap_parts_parse(buf_data(b), buf_len(b), ctype, NULL,
	    &sp, &err), 0);
	ck_assert_int_eq(soap_parts_is_mtom(sp), 1);
	soap_parts_free(sp);
	buf_free(b);

	/* The cap holds; a bad SOAP type is refused. */
	ck_assert_int_eq(proxy_soap_multipart(SOAP_MSG, strlen(SOAP_MSG),
	    "text/xml", pa.pa_att, pa.pa_n, 100, &b, ctype, sizeof(ctype)), -1);
	ck_assert_ptr_null(b);
	ck_assert_int_eq(proxy_soap_multipart(SOAP_MSG, strlen(SOAP_MSG),
	    "no type", pa.pa_att, pa.pa_n, 1024 * 1024, &b, ctype,
	    sizeof(ctype)), -1);
	proxy_atts_free(&pa);
	proxy_atts_free(&pa);	/* twice is fine */
	mime_multipart_free(mm);

	/* No attachments: nothing allocated. */
	ck_assert_int_eq(proxy_atts_new(NULL, 0, &pa), 0);
	ck_assert_uint_eq(pa.pa_n, 0);
	ck_assert_ptr_null(pa.pa_att);
}
END_TEST

/* Global groups of global configuration for access rights. */
START_TEST(test_global_group)
{
	struct gc_snap	gs;
	struct gconf	*gc;
	struct xrid	sso, portal, grp, other;
	char		err[256];
	int		g;

	gc = gconf_new("PS");
	ck_assert_ptr_nonnull(gc);
	ck_assert_int_eq(gconf_add_member_class(gc, "GOV", "Government"), 0);
	ck_assert_int_ge(gconf_add_member(gc, "GOV", "MTIT", "MTIT"), 0);
	ck_assert_int_eq(gconf_add_subsystem(gc, "GOV", "MTIT", "SSO"), 0);
	ck_assert_int_eq(gconf_add_subsystem(gc, "GOV", "MTIT", "PORTAL"), 0);
	ck_assert_int_eq(xrid_set_client(&sso, "PS", "GOV", "MTIT", "SSO",
	    NULL, 0), 0);
	ck_assert_int_eq(xrid_set_client(&portal, "PS", "GOV", "MTIT",
	    "PORTAL", NULL, 0), 0);
	g = gconf_add_group(gc, "services", "the services");
	ck_assert_int_ge(g, 0);
	ck_assert_int_eq(gconf_group_add_member(gc, (size_t)g, &sso), 0);
	ck_assert_msg(gconf_finish(gc, err, sizeof(err)) == 0, "%s", err);
	memset(&gs, 0, sizeof(gs));
	gs.gs_gc = gc;

	ck_assert_int_eq(xrid_set_globalgroup(&grp, "PS", "services", NULL, 0),
	    0);
	ck_assert_int_eq(proxy_in_global_group(&gs, &grp, &sso), 1);
	ck_assert_int_eq(proxy_in_global_group(&gs, &grp, &portal), 0);
	/* A group of another instance is never ours. */
	ck_assert_int_eq(xrid_set_globalgroup(&other, "EE", "services", NULL,
	    0), 0);
	ck_assert_int_eq(proxy_in_global_group(&gs, &other, &sso), 0);
	ck_assert_int_eq(xrid_set_globalgroup(&other, "PS", "nosuch", NULL,
	    0), 0);
	ck_assert_int_eq(proxy_in_global_group(&gs, &other, &sso), 0);
	/* No global configuration: no group. */
	ck_assert_int_eq(proxy_in_global_group(NULL, &grp, &sso), 0);
	gconf_free(gc);
}
END_TEST

static Suite *
proxy_suite(void)
{
	Suite	*s = suite_create("proxy");
	TCase	*tc = tcase_create("core");

	tcase_add_loop_test(tc, test_parse_address, 0,
	    (int)(sizeof(addr_cases) / sizeof(addr_cases[0])));
	tcase_add_test(tc, test_parse_address_bounds);
	tcase_add_test(tc, test_uuid);
	tcase_add_test(tc, test_fault_set);
	tcase_add_test(tc, test_fault_round_trip);
	tcase_add_test(tc, test_certcheck_codes);
	tcase_add_test(tc, test_soap_multipart);
	tcase_add_test(tc, test_global_group);
	suite_add_tcase(s, tc);
	return s;
}

HK_CHECK_MAIN(proxy_suite)
