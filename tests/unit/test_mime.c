/* Unit tests for mime.c: header parameters, multipart parse and build. */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "buf.h"
#include "compat.h"
#include "hk_check.h"
#include "mime.h"

static char	err[MIME_ERR_MAX];

/* Read $top_srcdir/tests/data/<name>; caller frees. */
static char *
read_data(const char *name, size_t *lenp)
{
	char	 path[1024];
	const char *top = getenv("top_srcdir");
	FILE	*f;
	char	*p;
	long	 n;

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

/*
 * Split an example file into its Content-Type (unfolded) and body: the
 * header block ends at the first blank line.
 */
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
		if (strncasecmp(line, "Content-Type:", 13) == 0) {
			n = (size_t)snprintf(ctype, ctlen, "%s", line + 13);
		} else if (n > 0 && (line[0] == ' ' || line[0] == '\t')) {
			n += (size_t)snprintf(ctype + n, ctlen - n, "%s", line);
		} else
			n = 0;
	}
	return body + 2;
}

START_TEST(test_hval)
{
	struct mime_hval	*hv;
	const char		*n, *v;

	ck_assert_int_eq(mime_hval_parse(" Multipart/Related; "
	    "type=\"text/xml\"; start=\"<rootpart>\";boundary=MIME_boundary ;",
	    MIME_HV_CTYPE, &hv, err, sizeof(err)), 0);
	ck_assert_str_eq(mime_hval_value(hv), "multipart/related");
	ck_assert_str_eq(mime_hval_param(hv, "TYPE"), "text/xml");
	ck_assert_str_eq(mime_hval_param(hv, "start"), "<rootpart>");
	ck_assert_str_eq(mime_hval_param(hv, "boundary"), "MIME_boundary");
	ck_assert_ptr_null(mime_hval_param(hv, "charset"));
	ck_assert_uint_eq(mime_hval_nparams(hv), 3);
	ck_assert_int_eq(mime_hval_param_at(hv, 1, &n, &v), 0);
	ck_assert_str_eq(n, "start");
	ck_assert_int_eq(mime_hval_param_at(hv, 3, &n, &v), -1);
	mime_hval_free(hv);

	/* Quoted-pair and a non-media main value (folded header). */
	ck_assert_int_eq(mime_hval_parse("trng71M3bScT0fkc1TBWUaG+D28zTo;"
	    "    hash-algorithm-id=\"http://x/\\\"q\\\"\"", 0, &hv, err,
	    sizeof(err)), 0);
	ck_assert_str_eq(mime_hval_value(hv), "trng71M3bScT0fkc1TBWUaG+D28zTo");
	ck_assert_str_eq(mime_hval_param(hv, "hash-algorithm-id"),
	    "http://x/\"q\"");
	mime_hval_free(hv);

	/* Refused: no subtype, duplicate parameter, unterminated quote. */
	ck_assert_int_eq(mime_hval_parse("text", MIME_HV_CTYPE, &hv, err,
	    sizeof(err)), -1);
	ck_assert_ptr_null(hv);
	ck_assert_int_eq(mime_hval_parse("multipart/mixed; boundary=a; "
	    "Boundary=b", MIME_HV_CTYPE, &hv, err, sizeof(err)), -1);
	ck_assert_ptr_nonnull(strstr(err, "duplicate"));
	ck_assert_int_eq(mime_hval_parse("text/xml; charset=\"utf-8",
	    MIME_HV_CTYPE, &hv, err, sizeof(err)), -1);
	ck_assert_int_eq(mime_hval_parse("text/xml; charset", MIME_HV_CTYPE,
	    &hv, err, sizeof(err)), -1);
	ck_assert_int_eq(mime_hval_parse("text/xml junk", MIME_HV_CTYPE,
	    &hv, err, sizeof(err)), -1);
}
END_TEST

START_TEST(test_parse_swaref)
{
	struct mime_multipart	*mm;
	const struct mime_part	*pt;
	const unsigned char	*b;
	char			*file, ct[512];
	const char		*body;
	size_t			 len, blen;

	file = read_data("soap/request-swaref-attachment.mime.txt", &len);
	body = split_http(file, ct, sizeof(ct));
	ck_assert_int_eq(mime_parse_ctype(body, strlen(body), ct, NULL, &mm,
	    err, sizeof(err)), 0);
	ck_assert_uint_eq(mime_nparts(mm), 2);
	pt = mime_part_at(mm, 0);
	ck_assert_str_eq(mime_part_header(pt, "content-id"), "<rootpart>");
	ck_assert_str_eq(mime_part_header(pt, "Content-Transfer-Encoding"),
	    "8bit");
	ck_assert_uint_eq(mime_part_nheaders(pt), 3);
	b = mime_part_body(pt, &blen);
	ck_assert(blen > 100);
	ck_assert(memcmp(b, "<?xml", 5) == 0);
	/* The example has a blank line before the delimiter. */
	ck_assert(memcmp(b + blen - 21, "</SOAP-ENV:Envelope>\n", 21) == 0);
	pt = mime_part_at(mm, 1);
	ck_assert_str_eq(mime_part_header(pt, "Content-Disposition"),
	    "attachment; name=\"data.bin\"; filename=\"data.bin\"");
	b = mime_part_body(pt, &blen);
	ck_assert_uint_eq(blen, strlen("VGhpcyBpcyBhdHRhY2htZW50Lg0K"));
	ck_assert(memcmp(b, "VGhpcyBpcyBhdHRhY2htZW50Lg0K", blen) == 0);
	b = mime_part_head(pt, &blen);
	ck_assert(memcmp(b, "Content-Type: application/octet-stream", 38) ==
	    0);
	ck_assert_ptr_null(mime_part_at(mm, 2));
	mime_multipart_free(mm);
	free(file);
}
END_TEST

START_TEST(test_parse_nested_signed_directory)
{
	struct mime_multipart	*outer, *inner;
	const struct mime_part	*pt;
	struct mime_hval	*hv;
	const unsigned char	*b;
	char			*file, ct[512];
	const char		*body;
	size_t			 len, blen;

	file = read_data("mime/signed-directory.mime.txt", &len);
	body = split_http(file, ct, sizeof(ct));
	ck_assert_int_eq(mime_parse_ctype(body, strlen(body), ct, NULL,
	    &outer, err, sizeof(err)), 0);
	ck_assert_uint_eq(mime_nparts(outer), 2);
	/* The folded header is unfolded and its parameter readable. */
	pt = mime_part_at(outer, 1);
	ck_assert_int_eq(mime_hval_parse(mime_part_header(pt,
	    "Verification-certificate-hash"), 0, &hv, err, sizeof(err)), 0);
	ck_assert_str_eq(mime_hval_param(hv, "hash-algorithm-id"),
	    "http://www.w3.org/2001/04/xmlenc#sha512");
	mime_hval_free(hv);
	/* Part 1 holds a nested multipart/mixed. */
	pt = mime_part_at(outer, 0);
	b = mime_part_body(pt, &blen);
	ck_assert_int_eq(mime_parse_ctype(b, blen, mime_part_header(pt,
	    "content-type"), NULL, &inner, err, sizeof(err)), 0);
	ck_assert_uint_eq(mime_nparts(inner), 3);
	/* A header-only entry: no body. */
	pt = mime_part_at(inner, 0);
	ck_assert_str_eq(mime_part_header(pt, "Expire-date"),
	    "2014-05-20T17:42:55Z");
	b = mime_part_body(pt, &blen);
	ck_assert_uint_eq(blen, 0);
	pt = mime_part_at(inner, 2);
	ck_assert_str_eq(mime_part_header(pt, "Content-location"),
	    "/shared-parameters.xml");
	b = mime_part_body(pt, &blen);
	ck_assert_uint_eq(blen, 29);
	mime_multipart_free(inner);
	mime_multipart_free(outer);
	free(file);

	/* Transport padding after the boundary, and in the parameter. */
	file = read_data("mime/ocsp-download-response.mime.txt", &len);
	body = split_http(file, ct, sizeof(ct));
	ck_assert_int_eq(mime_parse_ctype(body, strlen(body), ct, NULL,
	    &outer, err, sizeof(err)), 0);
	ck_assert_uint_eq(mime_nparts(outer), 1);
	ck_assert_str_eq(mime_part_header(mime_part_at(outer, 0),
	    "Content-Type"), "application/ocsp-response");
	mime_multipart_free(outer);
	free(file);
}
END_TEST

START_TEST(test_parse_edges)
{
	struct mime_multipart	*mm;
	struct mime_limits	 lim = { 2, 3, 64 };
	const unsigned char	*b;
	size_t			 blen;
	const char		*crlf = "preamble\r\n--b1\r\nA: 1\r\n\r\nx\r\n"
	    "--b1x\r\nnot a delimiter\r\n--b1 \t\r\nB: 2\r\n\r\n\r\n--b1--\r\n"
	    "epilogue";
	const char		*trunc = "--b1\r\nA: 1\r\n\r\nx\r\n--b1\r\n\r\ny";

	ck_assert_int_eq(mime_parse(crlf, strlen(crlf), "b1", NULL, &mm, err,
	    sizeof(err)), 0);
	ck_assert_uint_eq(mime_nparts(mm), 2);
	b = mime_part_body(mime_part_at(mm, 0), &blen);
	ck_assert_uint_eq(blen, strlen("x\r\n--b1x\r\nnot a delimiter"));
	ck_assert(memcmp(b, "x\r\n--b1x", 8) == 0);
	b = mime_part_body(mime_part_at(mm, 1), &blen);
	ck_assert_uint_eq(blen, 0);		/* the CRLF is the delimiter's */
	mime_multipart_free(mm);

	/* Truncated: no close delimiter. */
	ck_assert_int_eq(mime_parse(trunc, strlen(trunc), "b1", NULL, &mm,
	    err, sizeof(err)), -1);
	ck_assert_ptr_nonnull(strstr(err, "close delimiter"));
	ck_assert_ptr_null(mm);
	/* No boundary at all; bad boundaries. */
	ck_assert_int_eq(mime_parse("abc", 3, "b1", NULL, &mm, err,
	    sizeof(err)), -1);
	ck_assert_int_eq(mime_parse(crlf, strlen(crlf), "", NULL, &mm, err,
	    sizeof(err)), -1);
	ck_assert_int_eq(mime_parse(crlf, strlen(crlf), "b\r1", NULL, &mm,
	    err, sizeof(err)), -1);
	ck_assert_int_eq(mime_parse(crlf, strlen(crlf), "b1 ", NULL, &mm, err,
	    sizeof(err)), -1);
	ck_assert_int_eq(mime_parse(crlf, strlen(crlf), NULL, NULL, &mm, err,
	    sizeof(err)), -1);
	/* Only a close delimiter. */
	ck_assert_int_eq(mime_parse("--b1--\r\n", 8, "b1", NULL, &mm, err,
	    sizeof(err)), -1);
	/* Not multipart. */
	ck_assert_int_eq(mime_parse_ctype(crlf, strlen(crlf), "text/xml",
	    NULL, &mm, err, sizeof(err)), -1);

	/* Caps: parts, header count, header bytes. */
	{
		const char *three = "--b\r\n\r\n1\r\n--b\r\n\r\n2\r\n--b\r\n\r\n3"
		    "\r\n--b--";
		const char *hdrs = "--b\r\nA: 1\r\nB: 2\r\nC: 3\r\nD: 4\r\n\r\n"
		    "x\r\n--b--";
		char big[200];

		ck_assert_int_eq(mime_parse(three, strlen(three), "b", &lim,
		    &mm, err, sizeof(err)), -1);
		ck_assert_ptr_nonnull(strstr(err, "too many parts"));
		ck_assert_int_eq(mime_parse(three, strlen(three), "b", NULL,
		    &mm, err, sizeof(err)), 0);
		ck_assert_uint_eq(mime_nparts(mm), 3);
		mime_multipart_free(mm);
		ck_assert_int_eq(mime_parse(hdrs, strlen(hdrs), "b", &lim,
		    &mm, err, sizeof(err)), -1);
		ck_assert_ptr_nonnull(strstr(err, "too many header"));
		snprintf(big, sizeof(big), "--b\r\nA: %0100d\r\n\r\nx\r\n--b--",
		    0);
		lim.ml_max_headers = 10;
		ck_assert_int_eq(mime_parse(big, strlen(big), "b", &lim, &mm,
		    err, sizeof(err)), -1);
		ck_assert_ptr_nonnull(strstr(err, "too large"));
	}
	/* Malformed part headers. */
#define PARSE_FAILS(s) ck_assert_int_eq(mime_parse((s), strlen(s), "b", \
	    NULL, &mm, err, sizeof(err)), -1)
	PARSE_FAILS("--b\r\nno colon\r\n\r\nx\r\n--b--");
	PARSE_FAILS("--b\r\n folded first\r\n\r\nx\r\n--b--");
	PARSE_FAILS("--b\r\nA B: x\r\n\r\nx\r\n--b--");
	PARSE_FAILS("--b\r\nA: x\by\r\n\r\nx\r\n--b--");
	PARSE_FAILS("--b\r\n: x\r\n\r\nx\r\n--b--");
#undef PARSE_FAILS
}
END_TEST

START_TEST(test_writer)
{
	struct mime_writer	*w;
	struct mime_multipart	*mm;
	struct buf		*out;
	const unsigned char	*b;
	size_t			 blen;
	char			 bnd[MIME_BOUNDARY_MAX + 1];
	const char		*h1[] = { "content-type", "text/xml; charset=UTF-8",
	    NULL };
	const char		*h2[] = { "Content-Type", "application/x",
	    "Content-Id", "<a>", NULL };
	const char		*bad[] = { "X", "a\r\nInjected: 1", NULL };
	const char		*badn[] = { "X Y", "a", NULL };

	ck_assert_ptr_nonnull(w = mime_writer_new(NULL, 4096));
	ck_assert_uint_eq(strlen(mime_writer_boundary(w)), 34);
	ck_assert(strncmp(mime_writer_boundary(w), "xtop", 4) == 0);
	strlcpy(bnd, mime_writer_boundary(w), sizeof(bnd));
	ck_assert_int_eq(mime_writer_add(w, h1, "<a/>", 4), 0);
	ck_assert_int_eq(mime_writer_add(w, h2, "\r\nbin\0ary\r\n", 11), 0);
	ck_assert_int_eq(mime_writer_add(w, bad, "x", 1), -1);
	ck_assert_int_eq(mime_writer_add(w, badn, "x", 1), -1);
	ck_assert_int_eq(mime_writer_add(w, h1, "a\r\n--xtop", 9), 0);
	ck_assert_int_eq(mime_writer_add(w, NULL, bnd, strlen(bnd)), 0);
	{
		char inb[80];

		snprintf(inb, sizeof(inb), "x\r\n--%s\r\n", bnd);
		ck_assert_int_eq(mime_writer_add(w, h1, inb, strlen(inb)), -1);
	}
	ck_assert_int_eq(mime_writer_finish(w, &out), 0);

	ck_assert_int_eq(mime_parse(buf_data(out), buf_len(out), bnd, NULL,
	    &mm, err, sizeof(err)), 0);
	ck_assert_uint_eq(mime_nparts(mm), 4);
	ck_assert_str_eq(mime_part_header(mime_part_at(mm, 0),
	    "Content-Type"), "text/xml; charset=UTF-8");
	b = mime_part_body(mime_part_at(mm, 0), &blen);
	ck_assert_uint_eq(blen, 4);
	ck_assert(memcmp(b, "<a/>", 4) == 0);
	b = mime_part_body(mime_part_at(mm, 1), &blen);
	ck_assert_uint_eq(blen, 11);
	ck_assert(memcmp(b, "\r\nbin\0ary\r\n", 11) == 0);
	ck_assert_str_eq(mime_part_header(mime_part_at(mm, 1), "content-id"),
	    "<a>");
	ck_assert_uint_eq(mime_part_nheaders(mime_part_at(mm, 3)), 0);
	mime_multipart_free(mm);
	buf_free(out);

	/* The cap: a part that does not fit adds nothing. */
	ck_assert_ptr_nonnull(w = mime_writer_new("b", 40));
	ck_assert_int_eq(mime_writer_add(w, NULL, "0123456789", 10), 0);
	ck_assert_int_eq(mime_writer_add(w, NULL, "0123456789abcdef", 16),
	    -1);
	ck_assert_int_eq(mime_writer_add(w, NULL, "01", 2), 0);
	ck_assert_int_eq(mime_writer_finish(w, &out), 0);
	ck_assert_str_eq(buf_str(out),
	    "--b\r\n\r\n0123456789\r\n--b\r\n\r\n01\r\n--b--\r\n");
	buf_free(out);
	/* Bad boundary; nothing added. */
	ck_assert_ptr_null(mime_writer_new("bad\nb", 100));
	ck_assert_ptr_nonnull(w = mime_writer_new("b", 100));
	ck_assert_int_eq(mime_writer_finish(w, &out), -1);
	ck_assert_ptr_null(out);
	mime_writer_free(NULL);
	mime_multipart_free(NULL);
	mime_hval_free(NULL);
}
END_TEST

static Suite *
mime_suite(void)
{
	Suite	*s = suite_create("mime");
	TCase	*tc = tcase_create("core");

	tcase_add_test(tc, test_hval);
	tcase_add_test(tc, test_parse_swaref);
	tcase_add_test(tc, test_parse_nested_signed_directory);
	tcase_add_test(tc, test_parse_edges);
	tcase_add_test(tc, test_writer);
	suite_add_tcase(s, tc);
	return s;
}

HK_CHECK_MAIN(mime_suite)
