/* Unit tests for rest.c and rest_resp.c: X-Road REST r1. */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/evp.h>

#include "b64.h"
#include "buf.h"
#include "hk_check.h"
#include "rest.h"

static struct xr_err	xe;

#define NH(a)	(sizeof(a) / sizeof((a)[0]))

static const struct rest_header base_hdrs[] = {
	{ "Host", "ss:8080" },
	{ "Accept", "application/json" },
	{ "X-Road-Client", "INSTANCE/CLASS1/MEMBER1/SUBSYSTEM1" },
	{ "User-Agent", "curl/8" },
	{ "Connection", "keep-alive, X-Hop" },
	{ "X-Hop", "dropped" },
	{ "X-Road-Request-Id", "forged" },
	{ "X-Road-Request-Hash", "forged" },
	{ "Content-Length", "0" },
	{ "Authorization", "Bearer abc" }
};

static struct rest_req *
sample(void)
{
	struct rest_req	*r;

	ck_assert_int_eq(rest_req_from_http("GET",
	    "/r1/INSTANCE/CLASS2/MEMBER2/SUBSYSTEM2/BARSERVICE/v1/bar/zyggy?quu=1",
	    base_hdrs, NH(base_hdrs), "req-1", &r, &xe), 0);
	return r;
}

START_TEST(test_request_line)
{
	struct rest_req		*r = sample();
	const struct xrid	*s, *c;
	const char		*n, *v;

	ck_assert_str_eq(rest_req_method(r), "GET");
	ck_assert_str_eq(rest_req_path(r),
	    "/r1/INSTANCE/CLASS2/MEMBER2/SUBSYSTEM2/BARSERVICE/v1/bar/zyggy");
	ck_assert_str_eq(rest_req_query(r), "quu=1");
	ck_assert_str_eq(rest_req_service_path(r), "/v1/bar/zyggy");
	s = rest_req_service(r);
	ck_assert_int_eq(s->type, XRID_SERVICE);
	ck_assert_str_eq(s->instance, "INSTANCE");
	ck_assert_str_eq(s->member_class, "CLASS2");
	ck_assert_str_eq(s->member_code, "MEMBER2");
	ck_assert_str_eq(s->subsystem_code, "SUBSYSTEM2");
	ck_assert_str_eq(s->service_code, "BARSERVICE");
	c = rest_req_client(r);
	ck_assert_int_eq(c->type, XRID_SUBSYSTEM);
	ck_assert_str_eq(c->subsystem_code, "SUBSYSTEM1");
	ck_assert_ptr_null(rest_req_id(r));
	ck_assert_ptr_null(rest_req_security_server(r));
	ck_assert_str_eq(rest_req_request_id(r), "req-1");
	/* Kept headers, in order, our request id last. */
	ck_assert_uint_eq(rest_req_nheaders(r), 4);
	ck_assert_int_eq(rest_req_header_at(r, 0, &n, &v), 0);
	ck_assert_str_eq(n, "Accept");
	ck_assert_int_eq(rest_req_header_at(r, 1, &n, &v), 0);
	ck_assert_str_eq(n, "X-Road-Client");
	ck_assert_int_eq(rest_req_header_at(r, 2, &n, &v), 0);
	ck_assert_str_eq(n, "Authorization");
	ck_assert_int_eq(rest_req_header_at(r, 3, &n, &v), 0);
	ck_assert_str_eq(n, "x-road-request-id");
	ck_assert_str_eq(v, "req-1");
	ck_assert_int_eq(rest_req_header_at(r, 4, &n, &v), -1);
	ck_assert_ptr_null(rest_req_header(r, "host"));
	ck_assert_ptr_null(rest_req_header(r, "x-hop"));
	ck_assert_str_eq(rest_req_header(r, "authorization"), "Bearer abc");
	rest_req_free(r);
	rest_req_free(NULL);

	ck_assert_int_eq(rest_header_skipped("Transfer-Encoding"), 1);
	ck_assert_int_eq(rest_header_skipped("TE"), 1);
	ck_assert_int_eq(rest_header_skipped("expect"), 1);
	ck_assert_int_eq(rest_header_skipped("Accept"), 0);
}
END_TEST

static void
target_fails(const char *method, const char *target, const char *msg)
{
	struct rest_req	*r = NULL;
	struct rest_header h[] = { { "X-Road-Client", "I/C/M/S" } };

	ck_assert_msg(rest_req_from_http(method, target, h, 1, "r", &r,
	    &xe) == -1, "accepted %s", target);
	ck_assert_ptr_null(r);
	ck_assert_str_eq(xe.xe_code, XR_E_BAD_REQUEST);
	if (msg != NULL)
		ck_assert_msg(strstr(xe.xe_msg, msg) != NULL, "%s: %s", target,
		    xe.xe_msg);
}

static struct rest_req *
target_ok(const char *target)
{
	struct rest_req	*r = NULL;
	struct rest_header h[] = { { "X-Road-Client", "I/C/M/S" } };

	ck_assert_msg(rest_req_from_http("POST", target, h, 1, "r", &r,
	    &xe) == 0, "%s: %s", target, xe.xe_msg);
	return r;
}

START_TEST(test_targets)
{
	struct rest_req	*r;

	r = target_ok("/r1/I/C/M/S/SVC");
	ck_assert_str_eq(rest_req_service_path(r), "");
	ck_assert_ptr_null(rest_req_query(r));
	rest_req_free(r);
	r = target_ok("/r1/I/C/M/S/SVC/");
	ck_assert_str_eq(rest_req_service_path(r), "/");
	rest_req_free(r);
	r = target_ok("/r1/I/C/M/S/SVC?");
	ck_assert_str_eq(rest_req_query(r), "");
	rest_req_free(r);
	/* Percent-encoded parts are decoded one by one; the path stays raw. */
	r = target_ok("/r1/I/C/M/S/BAR%3FSERVICE/a%2Fb?x=%20");
	ck_assert_str_eq(rest_req_service(r)->service_code, "BAR?SERVICE");
	ck_assert_str_eq(rest_req_service_path(r), "/a%2Fb");
	ck_assert_str_eq(rest_req_query(r), "x=%20");
	rest_req_free(r);
	/* Dots inside names are fine. */
	r = target_ok("/r1/I/C/M/S/SVC/a.b/..c/.well-known");
	rest_req_free(r);

	target_fails("GET", "/r1/I/C/M/S", "Invalid request URI");
	target_fails("GET", "/r1/I/C/M", "Invalid request URI");
	target_fails("GET", "/r2/I/C/M/S/SVC", "Unsupported protocol version");
	target_fails("GET", "/x1/I/C/M/S/SVC", "Invalid protocol version");
	target_fails("GET", "/r10/I/C/M/S/SVC", "Invalid protocol version");
	target_fails("GET", "http://h/r1/I/C/M/S/SVC", "Invalid request URI");
	target_fails("GET", "r1/I/C/M/S/SVC", "Invalid request URI");
	target_fails("GET", "/r1/I/C/M//SVC", "empty subsystem");
	target_fails("GET", "/r1/I/C/M/S/", "Invalid service id");
	target_fails("GET", "/r1/I/C/M/S/A%2FB", "Invalid service id");
	target_fails("GET", "/r1/I/C/M/S/A_B", "Invalid service id");
	target_fails("GET", "/r1/I/C/M/S/A%zz", "Invalid service id");
	target_fails("GET", "/r1/I/C/M/S/SVC/a b", "Invalid request URI");
	target_fails("GET", "/r1/I/C/M/S/SVC#frag", "Invalid request URI");
	target_fails("GET", "/r1/I/C/M/S/SVC/../admin", "Dot segments");
	target_fails("GET", "/r1/I/C/M/S/SVC/a/%2e%2E/admin", "Dot segments");
	target_fails("GET", "/r1/I/C/M/S/SVC/./x", "Dot segments");
	target_fails("GET", "/r1/I/C/M/S/SVC/x/..", "Dot segments");
	target_fails("FOO", "/r1/I/C/M/S/SVC", "Unsupported HTTP method");
	target_fails("get", "/r1/I/C/M/S/SVC", "Unsupported HTTP method");
}
END_TEST

static void
headers_fail(const struct rest_header *h, size_t n, const char *msg)
{
	struct rest_req	*r = NULL;

	ck_assert_int_eq(rest_req_from_http("GET", "/r1/I/C/M/S/SVC", h, n,
	    "r", &r, &xe), -1);
	ck_assert_str_eq(xe.xe_code, XR_E_BAD_REQUEST);
	ck_assert_msg(strstr(xe.xe_msg, msg) != NULL, "%s", xe.xe_msg);
}

START_TEST(test_xroad_headers)
{
	struct rest_req		*r;
	const char		*pc, *pcode;
	const struct rest_header full[] = {
		{ "x-road-client", "I/C/M/FIRST" },
		{ "X-Road-Client", "I/C/M/S%3F" },
		{ "X-Road-Id", "id-1" },
		{ "X-Road-UserId", "PS123" },
		{ "X-Road-Issue", "case 9" },
		{ "X-Road-Security-Server", "I/C/M/ss1" },
		{ "X-Road-Represented-Party", "COM/CODE1" }
	};

	ck_assert_int_eq(rest_req_from_http("PUT", "/r1/I/C/M/S/SVC", full,
	    NH(full), "r", &r, &xe), 0);
	/* The last X-Road-Client wins. */
	ck_assert_str_eq(rest_req_client(r)->subsystem_code, "S?");
	ck_assert_str_eq(rest_req_id(r), "id-1");
	ck_assert_str_eq(rest_req_user_id(r), "PS123");
	ck_assert_str_eq(rest_req_issue(r), "case 9");
	ck_assert_str_eq(rest_req_security_server(r)->server_code, "ss1");
	ck_assert_int_eq(rest_req_represented_party(r, &pc, &pcode), 0);
	ck_assert_str_eq(pc, "COM");
	ck_assert_str_eq(pcode, "CODE1");
	/* An id is already there. */
	ck_assert_int_eq(rest_req_set_id(r, "other"), -1);
	rest_req_free(r);

	{
		const struct rest_header h[] = {
			{ "X-Road-Client", "I/C/M" },
			{ "X-Road-Represented-Party", "CODE1" } };

		ck_assert_int_eq(rest_req_from_http("GET", "/r1/I/C/M/S/SVC",
		    h, 2, "r", &r, &xe), 0);
		ck_assert_int_eq(rest_req_client(r)->type, XRID_MEMBER);
		ck_assert_int_eq(rest_req_represented_party(r, &pc, &pcode),
		    0);
		ck_assert_ptr_null(pc);
		ck_assert_str_eq(pcode, "CODE1");
		ck_assert_int_eq(rest_req_set_id(r, "PS-uuid"), 0);
		ck_assert_str_eq(rest_req_id(r), "PS-uuid");
		ck_assert_str_eq(rest_req_header(r, "X-Road-Id"), "PS-uuid");
		rest_req_free(r);
	}
	{
		const struct rest_header h[] = { { "Accept", "x" } };
		headers_fail(h, 1, "Missing X-Road-Client");
	}
	{
		const struct rest_header h[] = { { "X-Road-Client", "I/C" } };
		headers_fail(h, 1, "Invalid Client Id");
	}
	{
		const struct rest_header h[] = {
			{ "X-Road-Client", "I/C/M/S/X" } };
		headers_fail(h, 1, "Invalid Client Id");
	}
	{
		const struct rest_header h[] = { { "X-Road-Client", "I/C/M" },
			{ "X-Road-Id", "a" }, { "x-road-id", "b" } };
		headers_fail(h, 3, "Duplicate X-Road-Id");
	}
	{
		const struct rest_header h[] = { { "X-Road-Client", "I/C/M" },
			{ "X-Road-Id", "" } };
		headers_fail(h, 2, "Empty X-Road-Id");
	}
	{
		const struct rest_header h[] = { { "X-Road-Client", "I/C/M" },
			{ "X-Road-Security-Server", "I/C/M" } };
		headers_fail(h, 2, "Invalid SecurityServer");
	}
	{
		const struct rest_header h[] = { { "X-Road-Client", "I/C/M" },
			{ "X-Road-Represented-Party", "A/B/C" } };
		headers_fail(h, 2, "Invalid RepresentedParty");
	}
	{
		const struct rest_header h[] = { { "X-Road-Client", "I/C/M" },
			{ "X-Evil", "a\r\nX-Road-Client: I/C/X" } };
		headers_fail(h, 2, "Invalid header");
	}
	{
		const struct rest_header h[] = { { "X-Road-Client", "I/C/M" },
			{ "Bad Name", "a" } };
		headers_fail(h, 2, "Invalid header");
	}
	/* Headers named by Connection are hop-by-hop: even X-Road-Client. */
	{
		const struct rest_header h[] = { { "X-Road-Client", "I/C/M" },
			{ "Connection", "x-road-client" } };
		headers_fail(h, 2, "Missing X-Road-Client");
	}
}
END_TEST

START_TEST(test_serialize_roundtrip)
{
	struct rest_req		*r = sample(), *p;
	struct buf		*b, *b2;
	const char		*n, *v;
	size_t			 i;

	ck_assert_int_eq(rest_req_set_id(r, "INSTANCE-1234"), 0);
	ck_assert_int_eq(rest_req_serialize(r, &b), 0);
	ck_assert_str_eq(buf_str(b), "GET\r\n"
	    "/r1/INSTANCE/CLASS2/MEMBER2/SUBSYSTEM2/BARSERVICE/v1/bar/zyggy"
	    "?quu=1\r\n"
	    "Accept:application/json\r\n"
	    "X-Road-Client:INSTANCE/CLASS1/MEMBER1/SUBSYSTEM1\r\n"
	    "Authorization:Bearer abc\r\n"
	    "x-road-request-id:req-1\r\n"
	    "x-road-id:INSTANCE-1234\r\n");
	ck_assert_int_eq(rest_head_is_response(buf_data(b), buf_len(b)), 0);

	ck_assert_int_eq(rest_req_parse(buf_data(b), buf_len(b), &p, &xe), 0);
	ck_assert_str_eq(rest_req_method(p), "GET");
	ck_assert_str_eq(rest_req_query(p), "quu=1");
	ck_assert_str_eq(rest_req_service_path(p), "/v1/bar/zyggy");
	ck_assert_int_eq(xrid_equal(rest_req_service(p), rest_req_service(r)),
	    1);
	ck_assert_int_eq(xrid_equal(rest_req_client(p), rest_req_client(r)),
	    1);
	ck_assert_str_eq(rest_req_id(p), "INSTANCE-1234");
	ck_assert_str_eq(rest_req_request_id(p), "req-1");
	ck_assert_uint_eq(rest_req_nheaders(p), rest_req_nheaders(r));
	for (i = 0; i < rest_req_nheaders(p); i++) {
		const char *n2, *v2;

		ck_assert_int_eq(rest_req_header_at(p, i, &n, &v), 0);
		ck_assert_int_eq(rest_req_header_at(r, i, &n2, &v2), 0);
		ck_assert_str_eq(n, n2);
		ck_assert_str_eq(v, v2);
	}
	ck_assert_int_eq(rest_req_serialize(p, &b2), 0);
	ck_assert_str_eq(buf_str(b2), buf_str(b));
	buf_free(b2);
	rest_req_free(p);

	/* LF line ends are read too; an empty value is kept. */
	{
		const char *lf = "POST\n/r1/I/C/M/S/SVC\nX-Road-Client:I/C/M\n"
		    "X-Empty:\n";

		ck_assert_int_eq(rest_req_parse(lf, strlen(lf), &p, &xe), 0);
		ck_assert_str_eq(rest_req_header(p, "x-empty"), "");
		rest_req_free(p);
	}
	/* Bad heads. */
#define HEAD_FAILS(s) do {						\
	ck_assert_int_eq(rest_req_parse((s), strlen(s), &p, &xe), -1);	\
	ck_assert_str_eq(xe.xe_code, XR_E_INVALID_REST);		\
} while (0)
	HEAD_FAILS("");
	HEAD_FAILS("FOO\r\n/r1/I/C/M/S/SVC\r\nX-Road-Client:I/C/M\r\n");
	HEAD_FAILS("GET\r\n/r1/I/C/M/S\r\nX-Road-Client:I/C/M\r\n");
	HEAD_FAILS("GET\r\n/r1/I/C/M/S/SVC\r\n");
	HEAD_FAILS("GET\r\n/r1/I/C/M/S/SVC\r\nX-Road-Client I/C/M\r\n");
	HEAD_FAILS("GET\r\n/r1/I/C/M/S/SVC\r\nX-Road-Client:I/C/M\r\n\r\n");
	HEAD_FAILS("GET\r\n/r1/I/C/M/S/SVC\r\nX-Road-Client:I/C/M\r\n"
	    "Host:x\r\n");
	HEAD_FAILS("GET\r\n/r1/I/C/M/S/SVC\r\nX-Road-Client:I/C/M\rX:y\r\n");
#undef HEAD_FAILS
	buf_free(b);
	rest_req_free(r);
}
END_TEST

static void
sha512(const void *p, size_t n, unsigned char *out)
{
	unsigned int	l;

	ck_assert_int_eq(EVP_Digest(p, n, out, &l, EVP_sha512(), NULL), 1);
}

START_TEST(test_request_hash)
{
	const char	*head = "GET\r\n/r1/I/C/M/S/SVC\r\nX-Road-Client:I/C/M\r\n";
	unsigned char	 h1[64], body[64], cat[128], want[64];
	char		*got, *exp;
	struct rest_req	*r;
	struct buf	*b;

	/* Without body: SHA512(head). */
	sha512(head, strlen(head), h1);
	exp = b64_encode(h1, 64);
	ck_assert_int_eq(rest_request_hash_raw(head, strlen(head), NULL, &got),
	    0);
	ck_assert_str_eq(got, exp);
	free(got);
	free(exp);
	/* With body: SHA512(SHA512(head) || SHA512(body)). */
	sha512("{\"a\":1}", 7, body);
	memcpy(cat, h1, 64);
	memcpy(cat + 64, body, 64);
	sha512(cat, 128, want);
	exp = b64_encode(want, 64);
	ck_assert_int_eq(rest_request_hash_raw(head, strlen(head), body, &got),
	    0);
	ck_assert_str_eq(got, exp);
	free(got);
	free(exp);
	/* rest_request_hash is the same over the serialised head. */
	r = sample();
	ck_assert_int_eq(rest_req_serialize(r, &b), 0);
	ck_assert_int_eq(rest_request_hash_raw(buf_data(b), buf_len(b), body,
	    &exp), 0);
	ck_assert_int_eq(rest_request_hash(r, body, &got), 0);
	ck_assert_str_eq(got, exp);
	free(got);
	free(exp);
	buf_free(b);
	rest_req_free(r);
}
END_TEST

START_TEST(test_response)
{
	struct rest_req		*r = sample();
	struct rest_resp	*s, *p;
	struct buf		*b;
	unsigned char		 body[64];
	char			*hash;
	const struct rest_header ph[] = {
		{ "Content-Type", "application/json" },
		{ "Server", "nginx" },
		{ "Transfer-Encoding", "chunked" },
		{ "X-Road-Client", "I/C/EVIL" },
		{ "X-Road-Request-Hash", "forged" },
		{ "X-Powered-By", "PHP" }
	};

	sha512("{}", 2, body);
	ck_assert_int_eq(rest_req_set_id(r, "ID-1"), 0);
	/* Provider side: the hash over the head as received. */
	ck_assert_int_eq(rest_request_hash(r, body, &hash), 0);
	ck_assert_int_eq(rest_resp_new(r, 200, "OK", ph, NH(ph), hash, &s,
	    &xe), 0);
	ck_assert_int_eq(rest_resp_serialize(s, &b), 0);
	{
		char want[1024];

		snprintf(want, sizeof(want), "200\r\nOK\r\n"
		    "Content-Type:application/json\r\n"
		    "X-Powered-By:PHP\r\n"
		    "x-road-id:ID-1\r\n"
		    "x-road-client:INSTANCE/CLASS1/MEMBER1/SUBSYSTEM1\r\n"
		    "x-road-service:INSTANCE/CLASS2/MEMBER2/SUBSYSTEM2/"
		    "BARSERVICE\r\n"
		    "x-road-request-id:req-1\r\n"
		    "x-road-request-hash:%s\r\n", hash);
		ck_assert_str_eq(buf_str(b), want);
	}
	ck_assert_int_eq(rest_head_is_response(buf_data(b), buf_len(b)), 1);
	rest_resp_free(s);

	/* Client side: parse and check. */
	ck_assert_int_eq(rest_resp_parse(buf_data(b), buf_len(b), &p, &xe), 0);
	ck_assert_int_eq(rest_resp_status(p), 200);
	ck_assert_str_eq(rest_resp_reason(p), "OK");
	ck_assert_str_eq(rest_resp_id(p), "ID-1");
	ck_assert_str_eq(rest_resp_request_id(p), "req-1");
	ck_assert_str_eq(rest_resp_request_hash(p), hash);
	ck_assert_str_eq(rest_resp_service(p)->service_code, "BARSERVICE");
	ck_assert_str_eq(rest_resp_header(p, "content-type"),
	    "application/json");
	ck_assert_uint_eq(rest_resp_nheaders(p), 7);
	ck_assert_int_eq(rest_resp_check(r, p, body, &xe), 0);
	/* Another body, or none: the hash does not match. */
	ck_assert_int_eq(rest_resp_check(r, p, NULL, &xe), -1);
	ck_assert_str_eq(xe.xe_code, XR_E_INCONSISTENT_RESPONSE);
	ck_assert_str_eq(xe.xe_msg,
	    "Response message hash does not match request message");
	rest_resp_free(p);

	/* Tampered fields. */
	{
		static const struct { const char *from, *to, *msg; } t[] = {
			{ "x-road-id:ID-1", "x-road-id:ID-2", "message id" },
			{ "MEMBER1/SUBSYSTEM1", "MEMBER1/SUBSYSTEMX",
			    "client id" },
			{ "/BARSERVICE", "/FOOSERVICE", "service id" },
			{ "request-id:req-1", "request-id:req-2",
			    "request id" },
		};
		size_t i;

		for (i = 0; i < NH(t); i++) {
			char *x = strdup(buf_str(b)), *q = strstr(x, t[i].from);
			char y[2048];

			ck_assert_ptr_nonnull(q);
			*q = '\0';
			snprintf(y, sizeof(y), "%s%s%s", x, t[i].to,
			    q + strlen(t[i].from));
			ck_assert_int_eq(rest_resp_parse(y, strlen(y), &p, &xe),
			    0);
			ck_assert_int_eq(rest_resp_check(r, p, body, &xe), -1);
			ck_assert_str_eq(xe.xe_code,
			    XR_E_INCONSISTENT_RESPONSE);
			ck_assert_msg(strstr(xe.xe_msg, t[i].msg) != NULL,
			    "%s", xe.xe_msg);
			rest_resp_free(p);
			free(x);
		}
	}
	/* Bad response heads. */
#define RESP_FAILS(s) do {						\
	ck_assert_int_eq(rest_resp_parse((s), strlen(s), &p, &xe), -1);	\
	ck_assert_str_eq(xe.xe_code, XR_E_INVALID_REST);		\
} while (0)
	RESP_FAILS("200\r\nOK\r\nx-road-request-hash:AAAA\r\n");
	RESP_FAILS("200\r\nOK\r\nx-road-id:1\r\n");
	RESP_FAILS("2000\r\nOK\r\nx-road-id:1\r\nx-road-request-hash:AA\r\n");
	RESP_FAILS("abc\r\nOK\r\nx-road-id:1\r\nx-road-request-hash:AA\r\n");
	RESP_FAILS("099\r\nOK\r\nx-road-id:1\r\nx-road-request-hash:AA\r\n");
	RESP_FAILS("200\r\nOK\r\nx-road-id:1\r\nx-road-request-hash:AA\r\n"
	    "x-road-client:I/C\r\n");
#undef RESP_FAILS
	{
		const char *h = "404\r\n\r\nx-road-id:1\r\n"
		    "x-road-request-hash:AA\r\n";

		ck_assert_int_eq(rest_resp_parse(h, strlen(h), &p, &xe), 0);
	}
	ck_assert_int_eq(rest_resp_status(p), 404);
	ck_assert_str_eq(rest_resp_reason(p), "");
	ck_assert_ptr_null(rest_resp_client(p));
	/* No client in the response: the check fails. */
	ck_assert_int_eq(rest_resp_check(r, p, body, &xe), -1);
	rest_resp_free(p);
	rest_resp_free(NULL);

	/* Bad arguments for a new response. */
	ck_assert_int_eq(rest_resp_new(r, 99, "x", NULL, 0, hash, &s, &xe),
	    -1);
	ck_assert_int_eq(rest_resp_new(r, 200, "a\r\nb", NULL, 0, hash, &s,
	    &xe), -1);
	{
		const struct rest_header bad[] = { { "X", "a\nb" } };

		ck_assert_int_eq(rest_resp_new(r, 200, "OK", bad, 1, hash, &s,
		    &xe), -1);
	}
	free(hash);
	buf_free(b);
	rest_req_free(r);
}
END_TEST

START_TEST(test_error_json)
{
	const char	*top = getenv("top_srcdir");
	char		 path[1024], file[2048], *json, *t, *m, *d;
	char		 type[128];
	struct xr_err	 e;
	FILE		*f;
	size_t		 n;

	/* The documented example reads back. */
	snprintf(path, sizeof(path), "%s/tests/data/rest/"
	    "error-cat2-serverproxy-networkerror.json", top ? top : ".");
	ck_assert_ptr_nonnull(f = fopen(path, "rb"));
	n = fread(file, 1, sizeof(file) - 1, f);
	fclose(f);
	ck_assert_int_eq(rest_error_parse(file, n, &t, &m, &d), 0);
	ck_assert_str_eq(t, "Server.ServerProxy.NetworkError");
	ck_assert_str_eq(d, "9bc95b6e-2f1d-4a41-a7e6-11eda7d734d5");
	ck_assert_int_eq(rest_error_status(t), 500);
	/* What we write is the same object. */
	ck_assert_int_eq(rest_error_json(t, m, d, &json), 0);
	ck_assert(strncmp(json, "{\"type\":\"Server.ServerProxy.NetworkError\","
	    "\"message\":\"Connect to 10.139.178.1:8080", 70) == 0);
	free(t);
	free(m);
	free(d);
	ck_assert_int_eq(rest_error_parse(json, strlen(json), &t, &m, &d), 0);
	ck_assert_str_eq(t, "Server.ServerProxy.NetworkError");
	free(t);
	free(m);
	free(d);
	free(json);

	xr_err_set(&e, XR_E_BAD_REQUEST, "Error parsing \"the\" request");
	ck_assert_int_eq(rest_error_from_err(&e, XR_PREFIX_CLIENT,
	    "018cbcae", &json, type, sizeof(type)), 0);
	ck_assert_str_eq(type, "Client.BadRequest");
	ck_assert_str_eq(json, "{\"type\":\"Client.BadRequest\",\"message\":"
	    "\"Error parsing \\\"the\\\" request\",\"detail\":\"018cbcae\"}");
	ck_assert_int_eq(rest_error_status(type), 400);
	ck_assert_int_eq(rest_error_status("ClientX.Y"), 500);
	free(json);

	ck_assert_int_eq(rest_error_parse("[1]", 3, &t, &m, &d), -1);
	ck_assert_int_eq(rest_error_parse("{\"message\":\"x\"}", 15, &t, &m,
	    &d), -1);
	ck_assert_int_eq(rest_error_parse("{\"type\":1}", 10, &t, &m, &d), -1);
	ck_assert_int_eq(rest_error_parse("{\"type\":\"a\",\"type\":\"b\"}", 23,
	    &t, &m, &d), -1);
	ck_assert_int_eq(rest_error_parse("{", 1, &t, &m, &d), -1);
	ck_assert_ptr_null(t);
}
END_TEST

static Suite *
rest_suite(void)
{
	Suite	*s = suite_create("rest");
	TCase	*tc = tcase_create("core");

	tcase_add_test(tc, test_request_line);
	tcase_add_test(tc, test_targets);
	tcase_add_test(tc, test_xroad_headers);
	tcase_add_test(tc, test_serialize_roundtrip);
	tcase_add_test(tc, test_request_hash);
	tcase_add_test(tc, test_response);
	tcase_add_test(tc, test_error_json);
	suite_add_tcase(s, tc);
	return s;
}

HK_CHECK_MAIN(rest_suite)
