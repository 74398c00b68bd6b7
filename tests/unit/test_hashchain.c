/* Unit tests for hashchain.c: X-Road hash chains. */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <libxml/tree.h>

#include "b64.h"
#include "hashchain.h"
#include "hk_check.h"
#include "sigtest.h"
#include "xsd.h"

#define URI	"/message.xml"
#define CHAIN	"/sig-hashchain.xml"

/* H(DigestList(a, b)) through the library. */
static void
pair(const unsigned char *a, const unsigned char *b, unsigned char *out)
{
	unsigned char	two[128];

	memcpy(two, a, 64);
	memcpy(two + 64, b, 64);
	ck_assert_int_eq(hashchain_digest_list(two, 2, out), 0);
}

/*
 * The expected root: the first 2^(k-1) leaves (k = ceil(log2 n)) form a
 * full left subtree, the rest the right one; a single leaf is itself.
 */
static void
ref_root(const unsigned char *leaves, size_t n, unsigned char *out)
{
	unsigned char	l[64], r[64];
	size_t		half = 1;

	if (n == 1) {
		memcpy(out, leaves, 64);
		return;
	}
	while (half * 2 < n)
		half *= 2;
	ref_root(leaves, half, l);
	ref_root(leaves + half * 64, n - half, r);
	pair(l, r, out);
}

static struct xsd *
hc_schema(void)
{
	struct xsd	*x;
	char		 err[256];

	x = xsd_load(sigtest_schema_dir(), "hashchain.xsd", err, sizeof(err));
	if (x == NULL)
		ck_abort_msg("hashchain.xsd: %s", err);
	return x;
}

static void
schema_valid(struct xsd *x, const char *xml, size_t len)
{
	xmlDocPtr	doc;
	char		err[256];

	doc = xsd_read_doc(xml, len, err, sizeof(err));
	ck_assert_msg(doc != NULL, "parse: %s", err);
	ck_assert_msg(xsd_validate(x, doc, err, sizeof(err)) == 0,
	    "hashchain.xsd: %s\n%s", err, xml);
	xmlFreeDoc(doc);
}

START_TEST(test_digest_list_der)
{
	static const char	 uri[] = "http://www.w3.org/2001/04/xmlenc#sha512";
	unsigned char		 d[128], der[225], want[64], got[64];
	unsigned char		*p = der;
	int			 i;

	sigtest_digest(0, d);
	sigtest_digest(1, d + 64);
	/* SEQUENCE { 2 x SEQUENCE { OCTET STRING, UTF8String, SEQUENCE{} } } */
	*p++ = 0x30; *p++ = 0x81; *p++ = 0xde;
	for (i = 0; i < 2; i++) {
		*p++ = 0x30; *p++ = 0x6d;
		*p++ = 0x04; *p++ = 0x40;
		memcpy(p, d + 64 * i, 64);
		p += 64;
		*p++ = 0x0c; *p++ = (unsigned char)strlen(uri);
		memcpy(p, uri, strlen(uri));
		p += strlen(uri);
		*p++ = 0x30; *p++ = 0x00;
	}
	ck_assert_int_eq((int)(p - der), 225);
	sigtest_sha512(der, sizeof(der), want);
	ck_assert_int_eq(hashchain_digest_list(d, 2, got), 0);
	ck_assert_mem_eq(got, want, 64);
	/* The root of two inputs is exactly that. */
	ck_assert_int_eq(hashchain_merkle_root(d, 2, got), 0);
	ck_assert_mem_eq(got, want, 64);
}
END_TEST

/* Build, check the root against the reference shape, every chain. */
static void
check_n(size_t n, struct xsd *x)
{
	struct hashchain	*hc = hashchain_new();
	struct hashchain_input	 in;
	struct hashchain_step	*steps;
	unsigned char		*leaves = calloc(n, 64);
	unsigned char		 root[64], want[64], wrong[64], top[64];
	char			*res = NULL, *chain = NULL, *other = NULL;
	char			 err[256];
	size_t			 reslen, chainlen, otherlen, nsteps, i;

	for (i = 0; i < n; i++) {
		sigtest_digest((unsigned int)(1000 * n + i), leaves + 64 * i);
		ck_assert_int_eq(hashchain_add_input(hc, leaves + 64 * i, 1),
		    (long)i);
	}
	ck_assert_int_eq(hashchain_finish(hc), 0);
	ck_assert_int_eq(hashchain_add_input(hc, leaves, 1), -1);
	ck_assert_int_eq(hashchain_root(hc, root), 0);
	ref_root(leaves, n, want);
	ck_assert_msg(memcmp(root, want, 64) == 0, "root of %zu inputs", n);
	ck_assert_int_eq(hashchain_merkle_root(leaves, n, top), 0);
	ck_assert_mem_eq(top, root, 64);

	if (n == 1) {
		/* No chain for a single plain input: sign it directly. */
		ck_assert_mem_eq(root, leaves, 64);
		ck_assert_int_eq(hashchain_result_xml(hc, CHAIN, &res,
		    &reslen), -1);
		ck_assert_int_eq(hashchain_chain_xml(hc, 0, URI, NULL, &chain,
		    &chainlen), -1);
		ck_assert_int_eq(hashchain_path(hc, 0, &steps, &nsteps), 0);
		ck_assert_uint_eq(nsteps, 0);
		goto done;
	}
	ck_assert_int_eq(hashchain_result_xml(hc, CHAIN, &res, &reslen), 0);
	ck_assert_uint_eq(strlen(res), reslen);
	if (x != NULL)
		schema_valid(x, res, reslen);

	for (i = 0; i < n; i++) {
		ck_assert_int_eq(hashchain_chain_xml(hc, i, URI, NULL, &chain,
		    &chainlen), 0);
		if (x != NULL)
			schema_valid(x, chain, chainlen);
		in.hi_uri = URI;
		in.hi_digest = leaves + 64 * i;
		ck_assert_msg(hashchain_verify(res, reslen, chain, chainlen,
		    CHAIN, &in, 1, err, sizeof(err)) == 0,
		    "n=%zu i=%zu: %s", n, i, err);
		/* A wrong leaf fails. */
		memcpy(wrong, leaves + 64 * i, 64);
		wrong[17] ^= 0x80;
		in.hi_digest = wrong;
		ck_assert_int_eq(hashchain_verify(res, reslen, chain, chainlen,
		    CHAIN, &in, 1, err, sizeof(err)), -1);
		/* Another input's digest with this chain fails. */
		in.hi_digest = leaves + 64 * ((i + 1) % n);
		ck_assert_int_eq(hashchain_verify(res, reslen, chain, chainlen,
		    CHAIN, &in, 1, err, sizeof(err)), -1);
		/* The chain under another name fails. */
		in.hi_digest = leaves + 64 * i;
		ck_assert_int_eq(hashchain_verify(res, reslen, chain, chainlen,
		    "/other.xml", &in, 1, err, sizeof(err)), -1);
		/* Plain path gives the same root. */
		ck_assert_int_eq(hashchain_path(hc, i, &steps, &nsteps), 0);
		ck_assert_int_eq(hashchain_path_root(leaves + 64 * i, steps,
		    nsteps, top), 0);
		ck_assert_mem_eq(top, root, 64);
		if (nsteps > 0) {
			steps[0].hs_left = !steps[0].hs_left;
			ck_assert_int_eq(hashchain_path_root(leaves + 64 * i,
			    steps, nsteps, top), 0);
			ck_assert_int_ne(memcmp(top, root, 64), 0);
		}
		free(steps);
		/* Input 0's chain does not prove input i (i > 0). */
		if (i > 0) {
			ck_assert_int_eq(hashchain_chain_xml(hc, 0, URI, NULL,
			    &other, &otherlen), 0);
			ck_assert_int_eq(hashchain_verify(res, reslen, other,
			    otherlen, CHAIN, &in, 1, err, sizeof(err)), -1);
			free(other);
			other = NULL;
		}
		free(chain);
		chain = NULL;
	}
 done:
	free(res);
	free(chain);
	free(leaves);
	hashchain_free(hc);
}

START_TEST(test_sizes_from_brief)
{
	static const size_t	 sizes[] = { 1, 2, 3, 5, 8, 13 };
	struct xsd		*x = hc_schema();
	size_t			 i;

	for (i = 0; i < sizeof(sizes) / sizeof(sizes[0]); i++)
		check_n(sizes[i], x);
	xsd_free(x);
}
END_TEST

START_TEST(test_sizes_1_to_70)
{
	size_t	n;

	for (n = 1; n <= 70; n++)
		check_n(n, NULL);
}
END_TEST

START_TEST(test_known_shapes)
{
	unsigned char	l[7 * 64], p01[64], p23[64], p45[64], a[64], b[64];
	unsigned char	want[64], got[64];
	size_t		i;

	for (i = 0; i < 7; i++)
		sigtest_digest((unsigned int)(70 + i), l + 64 * i);
	pair(l, l + 64, p01);
	pair(l + 128, l + 192, p23);
	pair(l + 256, l + 320, p45);
	/* 3: H(H(0,1), 2) -- the orphan moves up unhashed. */
	pair(p01, l + 128, want);
	ck_assert_int_eq(hashchain_merkle_root(l, 3, got), 0);
	ck_assert_mem_eq(got, want, 64);
	/* 5: H(H(H(0,1),H(2,3)), 4). */
	pair(p01, p23, a);
	pair(a, l + 256, want);
	ck_assert_int_eq(hashchain_merkle_root(l, 5, got), 0);
	ck_assert_mem_eq(got, want, 64);
	/* 6: H(H(H(0,1),H(2,3)), H(4,5)). */
	pair(a, p45, want);
	ck_assert_int_eq(hashchain_merkle_root(l, 6, got), 0);
	ck_assert_mem_eq(got, want, 64);
	/* 7: H(H(H(0,1),H(2,3)), H(H(4,5), 6)). */
	pair(p45, l + 384, b);
	pair(a, b, want);
	ck_assert_int_eq(hashchain_merkle_root(l, 7, got), 0);
	ck_assert_mem_eq(got, want, 64);
}
END_TEST

START_TEST(test_xml_shape)
{
	struct hashchain	*hc = hashchain_new();
	unsigned char		 l[128];
	char			*res, *c0, *c1;
	size_t			 len;

	sigtest_digest(1, l);
	sigtest_digest(2, l + 64);
	hashchain_add_input(hc, l, 1);
	hashchain_add_input(hc, l + 64, 1);
	ck_assert_int_eq(hashchain_finish(hc), 0);
	ck_assert_int_eq(hashchain_result_xml(hc, CHAIN, &res, &len), 0);
	ck_assert_ptr_nonnull(strstr(res, "<ns2:HashChainResult"));
	ck_assert_ptr_nonnull(strstr(res,
	    "xmlns:ns2=\"http://cyber.ee/hashchain\""));
	ck_assert_ptr_nonnull(strstr(res,
	    "xmlns=\"http://www.w3.org/2000/09/xmldsig#\""));
	ck_assert_ptr_nonnull(strstr(res, "URI=\"/sig-hashchain.xml#STEP0\""));
	ck_assert_ptr_nonnull(strstr(res, "<DigestMethod Algorithm=\""
	    "http://www.w3.org/2001/04/xmlenc#sha512\"/>"));
	ck_assert_int_eq(hashchain_chain_xml(hc, 0, URI, NULL, &c0, &len), 0);
	ck_assert_int_eq(hashchain_chain_xml(hc, 1, URI, NULL, &c1, &len), 0);
	ck_assert_ptr_nonnull(strstr(c0, "<ns2:DefaultDigestMethod"));
	ck_assert_ptr_nonnull(strstr(c0, "<ns2:HashStep id=\"STEP0\">"));
	/* Children in tree order: input 0 is the left one. */
	ck_assert_ptr_nonnull(strstr(c0, "DataRef URI=\"/message.xml\""));
	ck_assert(strstr(c0, "DataRef") < strstr(c0, "HashValue"));
	ck_assert(strstr(c1, "HashValue") < strstr(c1, "DataRef"));
	ck_assert_ptr_null(strstr(c0, "STEP1"));
	free(res);
	free(c0);
	free(c1);
	hashchain_free(hc);
}
END_TEST

/* A message with attachments, alone and inside a batch. */
START_TEST(test_multipart)
{
	struct xsd		*x = hc_schema();
	struct hashchain	*hc;
	struct hashchain_input	 in[3];
	unsigned char		 parts[3 * 64], other[64], leaf[64], root[64];
	char			*res, *chain, err[256];
	size_t			 reslen, chainlen, i;
	const char		*names[] = { "/attachment1", "/attachment2" };

	for (i = 0; i < 3; i++)
		sigtest_digest((unsigned int)(500 + i), parts + 64 * i);
	in[0].hi_uri = "/message.xml";
	in[1].hi_uri = "/attachment1";
	in[2].hi_uri = "/attachment2";
	for (i = 0; i < 3; i++)
		in[i].hi_digest = parts + 64 * i;

	/* Alone: the tree top is H(DigestList(parts)), one step. */
	hc = hashchain_new();
	ck_assert_int_eq(hashchain_add_input(hc, parts, 3), 0);
	ck_assert_int_eq(hashchain_finish(hc), 0);
	ck_assert_int_eq(hashchain_root(hc, root), 0);
	ck_assert_int_eq(hashchain_digest_list(parts, 3, leaf), 0);
	ck_assert_mem_eq(root, leaf, 64);
	ck_assert_int_eq(hashchain_result_xml(hc, CHAIN, &res, &reslen), 0);
	ck_assert_int_eq(hashchain_chain_xml(hc, 0, URI, NULL, &chain,
	    &chainlen), 0);
	schema_valid(x, chain, chainlen);
	ck_assert_ptr_nonnull(strstr(chain, "URI=\"/attachment2\""));
	ck_assert_ptr_null(strstr(chain, "STEP1"));
	ck_assert_msg(hashchain_verify(res, reslen, chain, chainlen, CHAIN, in,
	    3, err, sizeof(err)) == 0, "%s", err);
	/* An input left out, or an extra one, fails. */
	ck_assert_int_eq(hashchain_verify(res, reslen, chain, chainlen, CHAIN,
	    in, 2, err, sizeof(err)), -1);
	ck_assert_ptr_nonnull(strstr(err, "/attachment2"));
	free(chain);
	free(res);
	hashchain_free(hc);

	/* In a batch of 4 at index 2, with caller-given part names. */
	hc = hashchain_new();
	for (i = 0; i < 4; i++) {
		sigtest_digest((unsigned int)(600 + i), other);
		if (i == 2)
			ck_assert_int_eq(hashchain_add_input(hc, parts, 3), 2);
		else
			ck_assert_int_eq(hashchain_add_input(hc, other, 1),
			    (long)i);
	}
	ck_assert_int_eq(hashchain_finish(hc), 0);
	ck_assert_int_eq(hashchain_result_xml(hc, CHAIN, &res, &reslen), 0);
	ck_assert_int_eq(hashchain_chain_xml(hc, 2, URI, names, &chain,
	    &chainlen), 0);
	schema_valid(x, chain, chainlen);
	ck_assert_msg(hashchain_verify(res, reslen, chain, chainlen, CHAIN, in,
	    3, err, sizeof(err)) == 0, "%s", err);
	in[1].hi_digest = other;
	ck_assert_int_eq(hashchain_verify(res, reslen, chain, chainlen, CHAIN,
	    in, 3, err, sizeof(err)), -1);
	/* Path root from H(parts) is the tree top. */
	{
		struct hashchain_step	*steps;
		size_t			 n;

		ck_assert_int_eq(hashchain_path(hc, 2, &steps, &n), 0);
		ck_assert_uint_eq(n, 2);
		ck_assert_int_eq(hashchain_path_root(leaf, steps, n, other),
		    0);
		ck_assert_int_eq(hashchain_root(hc, root), 0);
		ck_assert_mem_eq(other, root, 64);
		free(steps);
	}
	free(chain);
	free(res);
	hashchain_free(hc);
	xsd_free(x);
}
END_TEST

static const char hostile_res[] =
    "<ns2:HashChainResult xmlns=\"http://www.w3.org/2000/09/xmldsig#\" "
    "xmlns:ns2=\"http://cyber.ee/hashchain\" URI=\"%s\">"
    "<DigestMethod Algorithm=\"http://www.w3.org/2001/04/xmlenc#sha512\"/>"
    "<DigestValue>%s</DigestValue></ns2:HashChainResult>";

START_TEST(test_hostile_chains)
{
	struct hashchain_input	 in;
	unsigned char		 d[64];
	char			 res[1024], err[256];
	const char		*chain;
	char			*b64;

	sigtest_digest(9, d);
	b64 = b64_encode(d, sizeof(d));
	in.hi_uri = URI;
	in.hi_digest = d;

	/* A cycle. */
	(void)snprintf(res, sizeof(res), hostile_res, CHAIN "#STEP0", b64);
	chain = "<ns2:HashChain xmlns:ns2=\"http://cyber.ee/hashchain\">"
	    "<ns2:DefaultDigestMethod Algorithm=\"http://www.w3.org/2001/04/"
	    "xmlenc#sha512\"/><ns2:HashStep id=\"STEP0\"><ns2:StepRef "
	    "URI=\"#STEP0\"/></ns2:HashStep></ns2:HashChain>";
	ck_assert_int_eq(hashchain_verify(res, strlen(res), chain,
	    strlen(chain), CHAIN, &in, 1, err, sizeof(err)), -1);
	ck_assert_ptr_nonnull(strstr(err, "cycle"));
	/* Duplicate step ids. */
	chain = "<ns2:HashChain xmlns:ns2=\"http://cyber.ee/hashchain\">"
	    "<ns2:HashStep id=\"STEP0\"/><ns2:HashStep id=\"STEP0\"/>"
	    "</ns2:HashChain>";
	ck_assert_int_eq(hashchain_verify(res, strlen(res), chain,
	    strlen(chain), CHAIN, &in, 1, err, sizeof(err)), -1);
	/* DOCTYPE refused. */
	chain = "<!DOCTYPE x [<!ENTITY e \"x\">]><ns2:HashChain "
	    "xmlns:ns2=\"http://cyber.ee/hashchain\"/>";
	ck_assert_int_eq(hashchain_verify(res, strlen(res), chain,
	    strlen(chain), CHAIN, &in, 1, err, sizeof(err)), -1);
	/* Result pointing at another document. */
	(void)snprintf(res, sizeof(res), hostile_res, "/elsewhere.xml#STEP0",
	    b64);
	chain = "<ns2:HashChain xmlns:ns2=\"http://cyber.ee/hashchain\">"
	    "<ns2:HashStep id=\"STEP0\"/></ns2:HashChain>";
	ck_assert_int_eq(hashchain_verify(res, strlen(res), chain,
	    strlen(chain), CHAIN, &in, 1, err, sizeof(err)), -1);
	/* Not SHA-512. */
	(void)snprintf(res, sizeof(res), hostile_res, CHAIN "#STEP0", b64);
	chain = "<ns2:HashChain xmlns:ns2=\"http://cyber.ee/hashchain\">"
	    "<ns2:DefaultDigestMethod Algorithm=\"http://www.w3.org/2001/04/"
	    "xmlenc#sha256\"/><ns2:HashStep id=\"STEP0\"/></ns2:HashChain>";
	ck_assert_int_eq(hashchain_verify(res, strlen(res), chain,
	    strlen(chain), CHAIN, &in, 1, err, sizeof(err)), -1);
	ck_assert_ptr_nonnull(strstr(err, "SHA-512"));
	/* Garbage. */
	ck_assert_int_eq(hashchain_verify("x", 1, "y", 1, CHAIN, &in, 1, err,
	    sizeof(err)), -1);
	ck_assert_int_eq(hashchain_verify(res, strlen(res), chain,
	    strlen(chain), CHAIN, &in, 0, err, sizeof(err)), -1);
	/* Bad builder calls. */
	ck_assert_int_eq(hashchain_add_input(NULL, d, 1), -1);
	{
		struct hashchain *hc = hashchain_new();

		ck_assert_int_eq(hashchain_add_input(hc, d, 0), -1);
		ck_assert_int_eq(hashchain_finish(hc), -1);
		ck_assert_int_eq(hashchain_root(hc, d), -1);
		hashchain_free(hc);
	}
	hashchain_free(NULL);
	free(b64);
}
END_TEST

static Suite *
hashchain_suite(void)
{
	Suite	*s = suite_create("hashchain");
	TCase	*tc = tcase_create("core");

	tcase_set_timeout(tc, 120);
	tcase_add_test(tc, test_digest_list_der);
	tcase_add_test(tc, test_sizes_from_brief);
	tcase_add_test(tc, test_sizes_1_to_70);
	tcase_add_test(tc, test_known_shapes);
	tcase_add_test(tc, test_xml_shape);
	tcase_add_test(tc, test_multipart);
	tcase_add_test(tc, test_hostile_chains);
	suite_add_tcase(s, tc);
	return s;
}

HK_CHECK_MAIN(hashchain_suite)
