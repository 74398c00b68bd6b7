/*
 * Unit tests for transport.c: the signed transport message between
 * security servers. Build -> parse round trips for SOAP (with and without
 * attachments) and REST (requests and responses) with real signatures
 * (a signer over the in-memory test PKI, batch signing for the multi-part
 * ones), tampering detected by the signature check, the bounds, malformed
 * and out-of-order input, and the X-Road example messages.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <check.h>
#include <event2/event.h>

#include "batchsign.h"
#include "buf.h"
#include "mime.h"
#include "signer.h"
#include "sigtest.h"
#include "transport.h"
#include "xsig.h"
#include "hk_check.h"

#define SOAP_REQ \
	"<?xml version=\"1.0\" encoding=\"UTF-8\"?>\r\n<SOAP-ENV:Envelope " \
	"xmlns:SOAP-ENV=\"http://schemas.xmlsoap.org/soap/envelope/\">" \
	"<SOAP-ENV:Body><x/></SOAP-ENV:Body></SOAP-ENV:Envelope>\r\n"
#define REST_HEAD \
	"GET\r\n/r1/PS/GOV/MOI/CR/persons/123?x=1\r\nx-road-client:PS/GOV/" \
	"MTIT/SSO\r\nx-road-request-id:8f1c0a4e-1f43-4d5b-9c1e-0a1b2c3d4e5f\r\n"
#define REST_RESP_HEAD \
	"200\r\nOK\r\ncontent-type:application/json\r\n"

static char	 err[512];

/* A signer with key "PS/GOV/MTIT", a base for batch signing. */
struct env {
	struct event_base	*base;
	struct signer		*sg;
	struct sigtest_key	 key;
	struct batchsign	*bs;
};

struct signed_parts {
	int	 called;
	int	 error;
	char	*sig, *hcr, *hc;
	size_t	 siglen, hcrlen, hclen;
};

static void
on_signed(int error, const struct batchsign_result *r, void *arg)
{
	struct signed_parts *s = arg;

	s->called++;
	s->error = error;
	if (r == NULL)
		return;
	s->sig = strndup(r->br_signature, r->br_signature_len);
	s->siglen = r->br_signature_len;
	if (r->br_hashchain_result != NULL) {
		s->hcr = strndup(r->br_hashchain_result,
		    r->br_hashchain_result_len);
		s->hcrlen = r->br_hashchain_result_len;
		s->hc = strndup(r->br_hashchain, r->br_hashchain_len);
		s->hclen = r->br_hashchain_len;
	}
}

static void
signed_clear(struct signed_parts *s)
{
	free(s->sig);
	free(s->hcr);
	free(s->hc);
	memset(s, 0, sizeof(*s));
}

static void
env_init(struct env *e)
{
	memset(e, 0, sizeof(*e));
	e->base = event_base_new();
	ck_assert_ptr_nonnull(e->base);
	e->sg = signer_new();
	ck_assert_ptr_nonnull(e->sg);
	sigtest_key_new(&e->key, 0, "/C=PS/O=GOV/CN=MTIT");
	sigtest_key_add(e->sg, "PS/GOV/MTIT", &e->key);
	e->bs = batchsign_new(e->base, e->sg, 0);
	ck_assert_ptr_nonnull(e->bs);
}

static void
env_clear(struct env *e)
{
	batchsign_free(e->bs);
	signer_free(e->sg);
	sigtest_key_clear(&e->key);
	event_base_free(e->base);
}

/* Sign o's data objects as the daemon does and fill its signature. */
static void
sign_out(struct env *e, struct transport_out *o, struct signed_parts *s)
{
	unsigned char	*d = NULL;
	size_t		 n = 0;

	memset(s, 0, sizeof(*s));
	ck_assert_int_eq(transport_out_digests(o, &d, &n), 0);
	ck_assert_ptr_nonnull(batchsign_submit(e->bs, "PS/GOV/MTIT", d, n,
	    on_signed, s));
	free(d);
	ck_assert_uint_eq(batchsign_flush(e->bs), 1);
	ck_assert_int_eq(s->called, 1);
	ck_assert_int_eq(s->error, 0);
	o->to_sig = s->sig;
	o->to_sig_len = s->siglen;
	o->to_hcr = s->hcr;
	o->to_hcr_len = s->hcrlen;
	o->to_hc = s->hc;
	o->to_hc_len = s->hclen;
}

static struct transport_msg *
parse_ok(const struct buf *b, const char *ctype, enum transport_dir dir)
{
	struct transport_msg *m = NULL;

	ck_assert_msg(transport_parse(buf_data(b), buf_len(b), ctype, dir, &m,
	    err, sizeof(err)) == 0, "parse: %s", err);
	ck_assert_ptr_nonnull(m);
	return m;
}

static void
verify_ok(const struct transport_msg *m, X509 *cert)
{
	struct xsig_info *xi = NULL;

	ck_assert_msg(transport_msg_verify(m, &xi, err, sizeof(err)) == 0,
	    "verify: %s", err);
	ck_assert_int_eq(X509_cmp(xi->xi_cert, cert), 0);
	xsig_info_free(xi);
}

/* A SOAP request, two OCSP parts, signed directly over /message.xml. */
START_TEST(test_soap_request_round_trip)
{
	struct env		 e;
	struct transport_out	 o;
	struct signed_parts	 s;
	struct transport_msg	*m;
	struct xsig_der		 ocsp[2] = {
		{ (const unsigned char *)"\x30\x03\x0a\x01\x00", 5 },
		{ (const unsigned char *)"\x30\x03\x0a\x01\x01\r\n--x", 9 }
	};
	struct buf		*b = NULL;
	const unsigned char	*p;
	char			 ctype[256];
	size_t			 len;

	env_init(&e);
	memset(&o, 0, sizeof(o));
	o.to_kind = TRANSPORT_SOAP;
	o.to_dir = TRANSPORT_REQUEST;
	o.to_ocsp = ocsp;
	o.to_nocsp = 2;
	o.to_msg = SOAP_REQ;
	o.to_msg_len = strlen(SOAP_REQ);
	sign_out(&e, &o, &s);
	ck_assert_ptr_null(s.hcr);
	ck_assert_int_eq(transport_build(&o, 1024 * 1024, &b, ctype,
	    sizeof(ctype), err, sizeof(err)), 0);
	ck_assert_msg(strncmp(ctype, "multipart/mixed; charset=UTF-8; "
	    "boundary=", 41) == 0, "%s", ctype);

	m = parse_ok(b, ctype, TRANSPORT_REQUEST);
	ck_assert_int_eq(transport_msg_kind(m), TRANSPORT_SOAP);
	ck_assert_uint_eq(transport_msg_nocsp(m), 2);
	p = transport_msg_ocsp(m, 1, &len);
	ck_assert_uint_eq(len, 9);
	ck_assert_mem_eq(p, ocsp[1].xd_der, 9);
	ck_assert_ptr_null(transport_msg_ocsp(m, 2, &len));
	p = transport_msg_message(m, &len);
	ck_assert_uint_eq(len, strlen(SOAP_REQ));
	ck_assert_mem_eq(p, SOAP_REQ, len);
	ck_assert_str_eq(transport_msg_message_ctype(m),
	    "text/xml; charset=UTF-8");
	ck_assert_uint_eq(transport_msg_nattachments(m), 0);
	ck_assert_ptr_null(transport_msg_body(m, &len));
	ck_assert_ptr_null(transport_msg_fault(m, &len));
	ck_assert_ptr_null(transport_msg_hcr(m, &len));
	verify_ok(m, e.key.leaf.cert);
	transport_msg_free(m);

	/* A response must not carry OCSP parts. */
	ck_assert_int_eq(transport_parse(buf_data(b), buf_len(b), ctype,
	    TRANSPORT_RESPONSE, &m, err, sizeof(err)), -1);
	ck_assert_ptr_null(m);
	ck_assert_ptr_nonnull(strstr(err, "OCSP part in a response"));
	buf_free(b);

	/* ... and cannot be built with them. */
	o.to_dir = TRANSPORT_RESPONSE;
	ck_assert_int_eq(transport_build(&o, 1024 * 1024, &b, ctype,
	    sizeof(ctype), err, sizeof(err)), -1);
	ck_assert_ptr_null(b);
	signed_clear(&s);
	env_clear(&e);
}
END_TEST

/* Tampering with any signed byte, or the signature, is detected. */
START_TEST(test_soap_tampered)
{
	struct env		 e;
	struct transport_out	 o;
	struct signed_parts	 s;
	struct transport_msg	*m;
	struct xsig_info	*xi = NULL;
	struct buf		*b = NULL;
	unsigned char		*copy;
	const char		*sig;
	char			 ctype[256];
	size_t			 len, off;

	env_init(&e);
	memset(&o, 0, sizeof(o));
	o.to_kind = TRANSPORT_SOAP;
	o.to_dir = TRANSPORT_RESPONSE;
	o.to_msg = SOAP_REQ;
	o.to_msg_len = strlen(SOAP_REQ);
	sign_out(&e, &o, &s);
	ck_assert_int_eq(transport_build(&o, 1024 * 1024, &b, ctype,
	    sizeof(ctype), err, sizeof(err)), 0);

	/* Flip one byte of the SOAP body (<x/> -> <y/>). */
	copy = malloc(buf_len(b));
	memcpy(copy, buf_data(b), buf_len(b));
	off = (size_t)((const unsigned char *)memmem(copy, buf_len(b), "<x/>",
	    4) - copy);
	copy[off + 1] = 'y';
	ck_assert_int_eq(transport_parse(copy, buf_len(b), ctype,
	    TRANSPORT_RESPONSE, &m, err, sizeof(err)), 0);
	ck_assert_int_eq(transport_msg_verify(m, &xi, err, sizeof(err)),
	    XSIG_ERR_REFERENCE);
	ck_assert_ptr_null(xi);
	transport_msg_free(m);

	/* Flip a byte of the SignatureValue. */
	memcpy(copy, buf_data(b), buf_len(b));
	ck_assert_int_eq(transport_parse(copy, buf_len(b), ctype,
	    TRANSPORT_RESPONSE, &m, err, sizeof(err)), 0);
	sig = transport_msg_signature(m, &len);
	off = (size_t)((const unsigned char *)strstr(sig,
	    "<ds:SignatureValue") - copy);
	off = (size_t)((unsigned char *)memchr(copy + off, '>', 100) - copy);
	copy[off + 5] = copy[off + 5] == 'A' ? 'B' : 'A';
	ck_assert_int_eq(transport_msg_verify(m, &xi, err, sizeof(err)),
	    XSIG_ERR_SIGNATURE);
	transport_msg_free(m);
	free(copy);
	buf_free(b);
	signed_clear(&s);
	env_clear(&e);
}
END_TEST

/* SOAP with attachments: nested multipart, headers kept, hash chain. */
START_TEST(test_soap_attachments)
{
	struct env			 e;
	struct transport_out		 o;
	struct signed_parts		 s;
	struct transport_msg		*m;
	struct xsig_info		*xi = NULL;
	const char *const		 h1[] = { "Content-Type", "text/plain",
	    "Content-ID", "<a1@example>", NULL };
	const char *const		 h2[] = { "Content-Type",
	    "application/octet-stream", "Content-Transfer-Encoding", "binary",
	    NULL };
	const unsigned char		 bin[] = { 0, 1, 2, '\r', '\n', '-',
	    '-', 0xff, '\r' };
	struct transport_attachment	 att[2] = {
		{ h1, "hello attachment", 16 },
		{ h2, bin, sizeof(bin) }
	};
	const struct mime_part		*mp;
	const unsigned char		*p;
	struct buf			*b = NULL;
	unsigned char			*copy;
	char				 ctype[256];
	size_t				 len, off;

	env_init(&e);
	memset(&o, 0, sizeof(o));
	o.to_kind = TRANSPORT_SOAP;
	o.to_dir = TRANSPORT_REQUEST;
	o.to_msg_ctype = "application/xop+xml; charset=UTF-8; "
	    "type=\"text/xml\"";
	o.to_msg = SOAP_REQ;
	o.to_msg_len = strlen(SOAP_REQ);
	o.to_att = att;
	o.to_natt = 2;
	sign_out(&e, &o, &s);
	ck_assert_ptr_nonnull(s.hcr);
	ck_assert_int_eq(transport_build(&o, 1024 * 1024, &b, ctype,
	    sizeof(ctype), err, sizeof(err)), 0);

	m = parse_ok(b, ctype, TRANSPORT_REQUEST);
	ck_assert_int_eq(transport_msg_kind(m), TRANSPORT_SOAP);
	ck_assert_str_eq(transport_msg_message_ctype(m), o.to_msg_ctype);
	ck_assert_uint_eq(transport_msg_nattachments(m), 2);
	mp = transport_msg_attachment(m, 0);
	ck_assert_str_eq(mime_part_header(mp, "content-id"), "<a1@example>");
	p = mime_part_body(mp, &len);
	ck_assert_uint_eq(len, 16);
	ck_assert_mem_eq(p, "hello attachment", 16);
	p = mime_part_body(transport_msg_attachment(m, 1), &len);
	ck_assert_uint_eq(len, sizeof(bin));
	ck_assert_mem_eq(p, bin, sizeof(bin));
	ck_assert_ptr_null(transport_msg_attachment(m, 2));
	ck_assert_ptr_nonnull(transport_msg_hcr(m, &len));
	ck_assert_ptr_nonnull(transport_msg_hc(m, &len));
	verify_ok(m, e.key.leaf.cert);
	transport_msg_free(m);

	/* A changed attachment breaks the hash chain. */
	copy = malloc(buf_len(b));
	memcpy(copy, buf_data(b), buf_len(b));
	off = (size_t)((unsigned char *)memmem(copy, buf_len(b),
	    "hello attachment", 16) - copy);
	copy[off] = 'j';
	ck_assert_int_eq(transport_parse(copy, buf_len(b), ctype,
	    TRANSPORT_REQUEST, &m, err, sizeof(err)), 0);
	ck_assert_int_ne(transport_msg_verify(m, &xi, err, sizeof(err)), 0);
	ck_assert_ptr_null(xi);
	transport_msg_free(m);
	free(copy);
	buf_free(b);

	/* REST messages carry no attachments. */
	o.to_kind = TRANSPORT_REST;
	ck_assert_int_eq(transport_build(&o, 1024 * 1024, &b, ctype,
	    sizeof(ctype), err, sizeof(err)), -1);
	signed_clear(&s);
	env_clear(&e);
}
END_TEST

/* REST request with a body and response without one. */
START_TEST(test_rest_round_trip)
{
	struct env		 e;
	struct transport_out	 o;
	struct signed_parts	 s;
	struct transport_msg	*m;
	struct buf		*b = NULL;
	const unsigned char	*p;
	struct xsig_der		 ocsp = { (const unsigned char *)"ocsp", 4 };
	char			 ctype[256];
	size_t			 len;

	env_init(&e);
	memset(&o, 0, sizeof(o));
	o.to_kind = TRANSPORT_REST;
	o.to_dir = TRANSPORT_REQUEST;
	o.to_ocsp = &ocsp;
	o.to_nocsp = 1;
	o.to_msg = REST_HEAD;
	o.to_msg_len = strlen(REST_HEAD);
	o.to_has_body = 1;
	o.to_body = "{\"a\":1}";
	o.to_body_len = 7;
	sign_out(&e, &o, &s);
	ck_assert_ptr_nonnull(s.hcr);	/* two parts: a hash chain */
	ck_assert_int_eq(transport_build(&o, 1024 * 1024, &b, ctype,
	    sizeof(ctype), err, sizeof(err)), 0);
	m = parse_ok(b, ctype, TRANSPORT_REQUEST);
	ck_assert_int_eq(transport_msg_kind(m), TRANSPORT_REST);
	p = transport_msg_message(m, &len);
	ck_assert_uint_eq(len, strlen(REST_HEAD));
	ck_assert_mem_eq(p, REST_HEAD, len);
	p = transport_msg_body(m, &len);
	ck_assert_ptr_nonnull(p);
	ck_assert_uint_eq(len, 7);
	ck_assert_mem_eq(p, "{\"a\":1}", 7);
	ck_assert_uint_eq(transport_msg_nattachments(m), 0);
	verify_ok(m, e.key.leaf.cert);
	transport_msg_free(m);
	/* A request head is not a response. */
	ck_assert_int_eq(transport_parse(buf_data(b), buf_len(b), ctype,
	    TRANSPORT_RESPONSE, &m, err, sizeof(err)), -1);
	buf_free(b);
	signed_clear(&s);

	/* Response, empty body: one part, signed directly. */
	memset(&o, 0, sizeof(o));
	o.to_kind = TRANSPORT_REST;
	o.to_dir = TRANSPORT_RESPONSE;
	o.to_msg = REST_RESP_HEAD;
	o.to_msg_len = strlen(REST_RESP_HEAD);
	o.to_has_body = 1;	/* present but empty: still a part */
	o.to_body = "";
	o.to_body_len = 0;
	sign_out(&e, &o, &s);
	ck_assert_int_eq(transport_build(&o, 1024 * 1024, &b, ctype,
	    sizeof(ctype), err, sizeof(err)), 0);
	m = parse_ok(b, ctype, TRANSPORT_RESPONSE);
	ck_assert_ptr_nonnull(transport_msg_body(m, &len));
	ck_assert_uint_eq(len, 0);
	verify_ok(m, e.key.leaf.cert);
	transport_msg_free(m);
	ck_assert_int_eq(transport_parse(buf_data(b), buf_len(b), ctype,
	    TRANSPORT_REQUEST, &m, err, sizeof(err)), -1);
	buf_free(b);

	/* The size cap holds. */
	ck_assert_int_eq(transport_build(&o, 200, &b, ctype, sizeof(ctype),
	    err, sizeof(err)), -1);
	ck_assert_ptr_null(b);
	signed_clear(&s);
	env_clear(&e);
}
END_TEST

/* Hand-made bodies: boundary "B". */
struct bad_case {
	const char	*name;
	const char	*ctype;
	enum transport_dir dir;
	const char	*body;
	const char	*want;	/* part of the error message */
};

#define P(ct, body)	"--B\r\nContent-Type: " ct "\r\n\r\n" body "\r\n"
#define END		"--B--\r\n"
#define MT		"multipart/mixed; boundary=B"

static const struct bad_case bad_cases[] = {
	{ "not multipart/mixed", "multipart/related; boundary=B",
	    TRANSPORT_REQUEST, P("text/xml", "<x/>") P("signature/bdoc-1.0/ts",
	    "s") END, "not multipart/mixed" },
	{ "no content type", NULL, TRANSPORT_REQUEST,
	    P("text/xml", "<x/>") END, "not multipart/mixed" },
	{ "truncated", MT, TRANSPORT_REQUEST,
	    P("text/xml", "<x/>") P("signature/bdoc-1.0/ts", "s"),
	    "truncated" },
	{ "no signature", MT, TRANSPORT_REQUEST, P("text/xml", "<x/>") END,
	    "no signature" },
	{ "only OCSP", MT, TRANSPORT_REQUEST,
	    P("application/ocsp-response", "o") END, "no message part" },
	{ "unknown message", MT, TRANSPORT_REQUEST,
	    P("application/json", "{}") P("signature/bdoc-1.0/ts", "s") END,
	    "where the message" },
	{ "empty message", MT, TRANSPORT_REQUEST,
	    P("text/xml", "") P("signature/bdoc-1.0/ts", "s") END,
	    "empty message" },
	{ "two messages", MT, TRANSPORT_REQUEST,
	    P("text/xml", "<x/>") P("text/xml", "<y/>")
	    P("signature/bdoc-1.0/ts", "s") END, "where the signature" },
	{ "part after the signature", MT, TRANSPORT_REQUEST,
	    P("text/xml", "<x/>") P("signature/bdoc-1.0/ts", "s")
	    P("text/plain", "x") END, "after the signature" },
	{ "two signatures", MT, TRANSPORT_REQUEST,
	    P("text/xml", "<x/>") P("signature/bdoc-1.0/ts", "s")
	    P("signature/bdoc-1.0/ts", "s") END, "after the signature" },
	{ "OCSP after the message", MT, TRANSPORT_REQUEST,
	    P("text/xml", "<x/>") P("application/ocsp-response", "o")
	    P("signature/bdoc-1.0/ts", "s") END, "where the signature" },
	{ "hash chain result alone", MT, TRANSPORT_REQUEST,
	    P("text/xml", "<x/>") P("application/hash-chain-result", "r")
	    P("signature/bdoc-1.0/ts", "s") END, "without its hash chain" },
	{ "hash chain alone", MT, TRANSPORT_REQUEST,
	    P("text/xml", "<x/>") P("application/hash-chain", "c")
	    P("signature/bdoc-1.0/ts", "s") END, "where the signature" },
	{ "REST body in SOAP", MT, TRANSPORT_REQUEST,
	    P("text/xml", "<x/>") P("application/x-road-rest-body", "b")
	    P("signature/bdoc-1.0/ts", "s") END, "where the signature" },
	{ "attachments in REST", MT, TRANSPORT_REQUEST,
	    P("application/x-road-rest-request", "GET")
	    P("multipart/mixed; boundary=C", "--C\r\n\r\nx\r\n--C--")
	    P("signature/bdoc-1.0/ts", "s") END, "where the signature" },
	{ "REST response in a request", MT, TRANSPORT_REQUEST,
	    P("application/x-road-rest-response", "200")
	    P("signature/bdoc-1.0/ts", "s") END, "where the message" },
	{ "fault ending a request", MT, TRANSPORT_REQUEST,
	    P("text/xml", "<x/>") P("text/xml", "<fault/>") END,
	    "where the signature" },
	{ "empty signature", MT, TRANSPORT_REQUEST,
	    P("text/xml", "<x/>") P("signature/bdoc-1.0/ts", "") END,
	    "empty signature" },
	{ "broken attachments", MT, TRANSPORT_REQUEST,
	    P("text/xml", "<x/>") P("multipart/mixed; boundary=C", "--C\r\nx")
	    P("signature/bdoc-1.0/ts", "s") END, "attachments:" },
	{ "part without a type", MT, TRANSPORT_REQUEST,
	    P("text/xml", "<x/>") "--B\r\nX-Foo: bar\r\n\r\ns\r\n" END,
	    "no valid Content-Type" },
	{ "nine OCSP parts", MT, TRANSPORT_REQUEST,
	    P("application/ocsp-response", "o") P("application/ocsp-response",
	    "o") P("application/ocsp-response", "o")
	    P("application/ocsp-response", "o") P("application/ocsp-response",
	    "o") P("application/ocsp-response", "o")
	    P("application/ocsp-response", "o") P("application/ocsp-response",
	    "o") P("application/ocsp-response", "o") P("text/xml", "<x/>")
	    P("signature/bdoc-1.0/ts", "s") END, "more than 8 OCSP" },
	{ "too many parts", MT, TRANSPORT_REQUEST,
	    P("text/xml", "<x/>") P("a/b", "") P("a/b", "") P("a/b", "")
	    P("a/b", "") P("a/b", "") P("a/b", "") P("a/b", "") P("a/b", "")
	    P("a/b", "") P("a/b", "") P("a/b", "") P("a/b", "") P("a/b", "")
	    P("a/b", "") END, "too many parts" },
};

START_TEST(test_malformed)
{
	const struct bad_case	*c = &bad_cases[_i];
	struct transport_msg	*m = (void *)1;

	err[0] = '\0';
	ck_assert_msg(transport_parse(c->body, strlen(c->body), c->ctype,
	    c->dir, &m, err, sizeof(err)) == -1, "%s: accepted", c->name);
	ck_assert_ptr_null(m);
	ck_assert_msg(strstr(err, c->want) != NULL, "%s: error '%s', want "
	    "'%s'", c->name, err, c->want);
}
END_TEST

/* A response may end in a SOAP fault instead of its signature. */
START_TEST(test_fault_last_part)
{
	const char *body = P("text/xml", "<resp/>") P("text/xml; charset=UTF-8",
	    "<fault/>") END;
	struct transport_msg	*m = NULL;
	struct xsig_info	*xi = NULL;
	const unsigned char	*f;
	size_t			 len;

	ck_assert_int_eq(transport_parse(body, strlen(body), MT,
	    TRANSPORT_RESPONSE, &m, err, sizeof(err)), 0);
	f = transport_msg_fault(m, &len);
	ck_assert_ptr_nonnull(f);
	ck_assert_uint_eq(len, 8);
	ck_assert_mem_eq(f, "<fault/>", 8);
	ck_assert_ptr_null(transport_msg_signature(m, &len));
	ck_assert_int_eq(transport_msg_verify(m, &xi, err, sizeof(err)),
	    XSIG_ERR_MALFORMED);
	transport_msg_free(m);
}
END_TEST

/* Attachments beyond TRANSPORT_MAX_ATTACHMENTS are refused. */
START_TEST(test_attachment_bound)
{
	struct buf		*b = buf_new(1024 * 1024);
	struct buf		*in = buf_new(1024 * 1024);
	struct transport_msg	*m = NULL;
	size_t			 i;

	for (i = 0; i < TRANSPORT_MAX_ATTACHMENTS + 1; i++)
		ck_assert_int_eq(buf_printf(in, "--C\r\nContent-Type: "
		    "text/plain\r\n\r\n%zu\r\n", i), 0);
	ck_assert_int_eq(buf_append_str(in, "--C--"), 0);
	ck_assert_int_eq(buf_printf(b, "%s--B\r\nContent-Type: multipart/mixed;"
	    " boundary=C\r\n\r\n%s\r\n%s%s", P("text/xml", "<x/>"), buf_str(in),
	    P("signature/bdoc-1.0/ts", "s"), END), 0);
	ck_assert_int_eq(transport_parse(buf_data(b), buf_len(b), MT,
	    TRANSPORT_REQUEST, &m, err, sizeof(err)), -1);
	ck_assert_ptr_nonnull(strstr(err, "too many parts"));
	buf_free(b);
	buf_free(in);
}
END_TEST

/* A header block over the cap is refused. */
START_TEST(test_header_bound)
{
	struct buf		*b = buf_new(1024 * 1024);
	struct transport_msg	*m = NULL;
	size_t			 i;

	ck_assert_int_eq(buf_append_str(b, "--B\r\nContent-Type: text/xml\r\n"),
	    0);
	for (i = 0; i < 300; i++)
		ck_assert_int_eq(buf_append_str(b, "X-Pad: 0123456789012345678"
		    "90123456789\r\n"), 0);
	ck_assert_int_eq(buf_printf(b, "\r\n<x/>\r\n%s%s",
	    P("signature/bdoc-1.0/ts", "s"), END), 0);
	ck_assert_int_eq(transport_parse(buf_data(b), buf_len(b), MT,
	    TRANSPORT_REQUEST, &m, err, sizeof(err)), -1);
	buf_free(b);
}
END_TEST

/* Read $top_srcdir/tests/data/<name>; split off its Content-Type. */
static char *
read_example(const char *name, char *ctype, size_t ctlen, size_t *bodylen)
{
	char	 path[1024];
	const char *top = getenv("top_srcdir");
	char	*p, *body, *eol;
	size_t	 len;

	snprintf(path, sizeof(path), "%s/tests/data/transport/%s",
	    top != NULL ? top : ".", name);
	p = sigtest_read_file(path, &len);
	ck_assert_int_eq(strncasecmp(p, "Content-Type:", 13), 0);
	eol = strchr(p, '\n');
	body = strstr(p, "\n\n");
	ck_assert_ptr_nonnull(eol);
	ck_assert_ptr_nonnull(body);
	*eol = '\0';
	snprintf(ctype, ctlen, "%s", p + 13);
	body += 2;
	*bodylen = len - (size_t)(body - p);
	memmove(p, body, *bodylen);
	return p;
}

/* The X-Road examples (placeholder bodies) have the expected structure. */
START_TEST(test_xroad_examples)
{
	struct transport_msg	*m = NULL;
	const unsigned char	*p;
	char			 ctype[256], *body;
	size_t			 len, blen;

	body = read_example("soap-request.mime.txt", ctype, sizeof(ctype),
	    &blen);
	ck_assert_msg(transport_parse(body, blen, ctype, TRANSPORT_REQUEST,
	    &m, err, sizeof(err)) == 0, "%s", err);
	ck_assert_int_eq(transport_msg_kind(m), TRANSPORT_SOAP);
	ck_assert_uint_eq(transport_msg_nocsp(m), 1);
	p = transport_msg_message(m, &len);
	ck_assert_uint_eq(len, strlen("...request SOAP..."));
	ck_assert_mem_eq(p, "...request SOAP...", len);
	ck_assert_ptr_nonnull(transport_msg_signature(m, &len));
	transport_msg_free(m);
	free(body);

	body = read_example("soap-request-attachments.mime.txt", ctype,
	    sizeof(ctype), &blen);
	ck_assert_msg(transport_parse(body, blen, ctype, TRANSPORT_REQUEST,
	    &m, err, sizeof(err)) == 0, "%s", err);
	ck_assert_uint_eq(transport_msg_nattachments(m), 2);
	ck_assert_str_eq(mime_part_header(transport_msg_attachment(m, 0),
	    "Content-Location"), "attachment.txt");
	ck_assert_str_eq(mime_part_header(transport_msg_attachment(m, 1),
	    "Content-Id"), "<data.bin>");
	ck_assert_ptr_nonnull(transport_msg_hcr(m, &len));
	transport_msg_free(m);
	free(body);

	body = read_example("rest-request.mime.txt", ctype, sizeof(ctype),
	    &blen);
	ck_assert_msg(transport_parse(body, blen, ctype, TRANSPORT_REQUEST,
	    &m, err, sizeof(err)) == 0, "%s", err);
	ck_assert_int_eq(transport_msg_kind(m), TRANSPORT_REST);
	ck_assert_ptr_nonnull(transport_msg_body(m, &len));
	transport_msg_free(m);
	free(body);

	body = read_example("rest-response.mime.txt", ctype, sizeof(ctype),
	    &blen);
	ck_assert_msg(transport_parse(body, blen, ctype, TRANSPORT_RESPONSE,
	    &m, err, sizeof(err)) == 0, "%s", err);
	ck_assert_int_eq(transport_msg_kind(m), TRANSPORT_REST);
	ck_assert_uint_eq(transport_msg_nocsp(m), 0);
	transport_msg_free(m);
	free(body);

	body = read_example("soap-response.mime.txt", ctype, sizeof(ctype),
	    &blen);
	ck_assert_msg(transport_parse(body, blen, ctype, TRANSPORT_RESPONSE,
	    &m, err, sizeof(err)) == 0, "%s", err);
	ck_assert_ptr_null(transport_msg_fault(m, &len));
	transport_msg_free(m);
	free(body);

	body = read_example("soap-response-fault-last-part.mime.txt", ctype,
	    sizeof(ctype), &blen);
	ck_assert_msg(transport_parse(body, blen, ctype, TRANSPORT_RESPONSE,
	    &m, err, sizeof(err)) == 0, "%s", err);
	p = transport_msg_fault(m, &len);
	ck_assert_ptr_nonnull(p);
	ck_assert_mem_eq(p, "...SOAP fault...", len);
	transport_msg_free(m);
	free(body);
}
END_TEST

static Suite *
transport_suite(void)
{
	Suite	*s = suite_create("transport");
	TCase	*tc = tcase_create("core");

	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, test_soap_request_round_trip);
	tcase_add_test(tc, test_soap_tampered);
	tcase_add_test(tc, test_soap_attachments);
	tcase_add_test(tc, test_rest_round_trip);
	tcase_add_loop_test(tc, test_malformed, 0,
	    (int)(sizeof(bad_cases) / sizeof(bad_cases[0])));
	tcase_add_test(tc, test_fault_last_part);
	tcase_add_test(tc, test_attachment_bound);
	tcase_add_test(tc, test_header_bound);
	tcase_add_test(tc, test_xroad_examples);
	suite_add_tcase(s, tc);
	return s;
}

HK_CHECK_MAIN(transport_suite)
