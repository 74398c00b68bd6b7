/*
 * hashchain.c: X-Road hash chains: Merkle tree, XML, verification.
 *
 * The tree walk mirrors X-Road's HashChainBuilder (array-stored binary
 * tree, orphans promoted without rehashing) so that roots and chains are
 * byte-for-byte the same values; see hashchain.h for the shape.
 */
#include "config.h"

#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/asn1.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>

#include <libxml/tree.h>

#include "b64.h"
#include "hashchain.h"
#include "xsd.h"

#define DS_NS		"http://www.w3.org/2000/09/xmldsig#"
#define HC_STEP		"STEP"
/* Verification bounds (X-Road's HashChainVerifier uses the same). */
#define HC_MAX_DEPTH	64
#define HC_MAX_STEPS	1024
#define HC_MAX_VALUES	10000

struct hc_input {
	unsigned char	 hi_leaf[HASHCHAIN_DIGEST_LEN];
	unsigned char	*hi_parts;	/* nparts * 64 bytes if nparts > 1 */
	size_t		 hi_nparts;
};

struct hashchain {
	struct hc_input	*hc_inputs;
	size_t		 hc_ninputs;
	size_t		 hc_cap;
	unsigned char	*hc_nodes;	/* hc_nnodes * 64 bytes */
	unsigned char	*hc_have;	/* node i computed? */
	size_t		 hc_nnodes;
	size_t		 hc_max_index;	/* nnodes + ninputs */
	int		 hc_finished;
};

/* One step of an input's walk from the root down. */
struct hc_wstep {
	int			 ws_dir;	/* 0: we are the left child */
	size_t			 ws_my;		/* our child's index */
	const unsigned char	*ws_other;	/* the sibling's value */
};

static int	 hc_ceil_log2(size_t);
static const unsigned char *hc_get(const struct hashchain *, size_t);
static const unsigned char *hc_get_deep(const struct hashchain *, size_t);
static const unsigned char *hc_fix(struct hashchain *, size_t);
static int	 hc_pair(const unsigned char *, const unsigned char *,
		    unsigned char *);
static int	 hc_walk(const struct hashchain *, size_t, struct hc_wstep *,
		    size_t *);
static int	 hc_der_list(const unsigned char *const *, size_t,
		    unsigned char **, size_t *);
static xmlDocPtr hc_doc_new(const char *, xmlNodePtr *, xmlNsPtr *,
		    xmlNsPtr *);
static int	 hc_add_digest(xmlNodePtr, xmlNsPtr, const unsigned char *);
static xmlNodePtr hc_add_dataref(xmlNodePtr, xmlNsPtr, xmlNsPtr,
		    const char *, const unsigned char *);
static int	 hc_doc_dump(xmlDocPtr, char **, size_t *);
static void	 hc_err(char *, size_t, const char *, ...)
		    __attribute__((format(printf, 3, 4)));

struct hashchain *
hashchain_new(void)
{
	return calloc(1, sizeof(struct hashchain));
}

void
hashchain_free(struct hashchain *hc)
{
	size_t	i;

	if (hc == NULL)
		return;
	for (i = 0; i < hc->hc_ninputs; i++)
		free(hc->hc_inputs[i].hi_parts);
	free(hc->hc_inputs);
	free(hc->hc_nodes);
	free(hc->hc_have);
	free(hc);
}

long
hashchain_add_input(struct hashchain *hc, const unsigned char *digests,
    size_t nparts)
{
	struct hc_input	*in, *tmp;
	size_t		 ncap;

	if (hc == NULL || hc->hc_finished || digests == NULL ||
	    nparts == 0 || nparts > HASHCHAIN_MAX_PARTS ||
	    hc->hc_ninputs >= HASHCHAIN_MAX_INPUTS)
		return -1;
	if (hc->hc_ninputs == hc->hc_cap) {
		ncap = hc->hc_cap == 0 ? 8 : hc->hc_cap * 2;
		if ((tmp = reallocarray(hc->hc_inputs, ncap,
		    sizeof(*tmp))) == NULL)
			return -1;
		hc->hc_inputs = tmp;
		hc->hc_cap = ncap;
	}
	in = &hc->hc_inputs[hc->hc_ninputs];
	memset(in, 0, sizeof(*in));
	if (nparts == 1)
		memcpy(in->hi_leaf, digests, HASHCHAIN_DIGEST_LEN);
	else {
		if ((in->hi_parts = malloc(nparts * HASHCHAIN_DIGEST_LEN)) ==
		    NULL)
			return -1;
		memcpy(in->hi_parts, digests, nparts * HASHCHAIN_DIGEST_LEN);
		if (hashchain_digest_list(digests, nparts, in->hi_leaf) == -1) {
			free(in->hi_parts);
			in->hi_parts = NULL;
			return -1;
		}
	}
	in->hi_nparts = nparts;
	return (long)hc->hc_ninputs++;
}

/* Smallest k with 2^k >= n (n >= 1). */
static int
hc_ceil_log2(size_t n)
{
	int	k = 0;

	while (((size_t)1 << k) < n)
		k++;
	return k;
}

/* Inner nodes and leaves seen as one array; NULL where nothing is. */
static const unsigned char *
hc_get(const struct hashchain *hc, size_t idx)
{
	if (idx < hc->hc_nnodes)
		return hc->hc_have[idx] ?
		    hc->hc_nodes + idx * HASHCHAIN_DIGEST_LEN : NULL;
	if (idx < hc->hc_max_index)
		return hc->hc_inputs[idx - hc->hc_nnodes].hi_leaf;
	return NULL;
}

/* Like hc_get, but an empty node stands for its leftmost descendant. */
static const unsigned char *
hc_get_deep(const struct hashchain *hc, size_t idx)
{
	const unsigned char	*v = hc_get(hc, idx);

	while (v == NULL && idx < hc->hc_max_index) {
		idx = 2 * idx + 1;
		v = hc_get(hc, idx);
	}
	return v;
}

/* out = H(DigestList(left, right)). */
static int
hc_pair(const unsigned char *left, const unsigned char *right,
    unsigned char *out)
{
	const unsigned char	*two[2];
	unsigned char		*der = NULL;
	size_t			 len;
	int			 rv;

	two[0] = left;
	two[1] = right;
	if (hc_der_list(two, 2, &der, &len) == -1)
		return -1;
	rv = EVP_Digest(der, len, out, NULL, EVP_sha512(), NULL) ? 0 : -1;
	free(der);
	return rv;
}

/*
 * Fill in the inner nodes an incomplete tree left empty: a node with
 * both subtrees gets their hash; a node with only a left subtree
 * passes the left value up (not stored); returns the subtree's value.
 */
static const unsigned char *
hc_fix(struct hashchain *hc, size_t idx)
{
	const unsigned char	*left, *right, *v;
	unsigned char		*dst;

	if (idx >= hc->hc_max_index)
		return NULL;
	if ((v = hc_get(hc, idx)) != NULL)
		return v;
	if ((left = hc_get(hc, 2 * idx + 1)) == NULL)
		return hc_fix(hc, 2 * idx + 1);
	if ((right = hc_fix(hc, 2 * idx + 2)) == NULL)
		return left;
	dst = hc->hc_nodes + idx * HASHCHAIN_DIGEST_LEN;
	if (hc_pair(left, right, dst) == -1)
		return NULL;
	hc->hc_have[idx] = 1;
	return dst;
}

int
hashchain_finish(struct hashchain *hc)
{
	size_t	 i, start, end, item;
	int	 k;

	if (hc == NULL || hc->hc_finished || hc->hc_ninputs == 0)
		return -1;
	k = hc_ceil_log2(hc->hc_ninputs);
	hc->hc_nnodes = ((size_t)1 << k) - 1;
	if (hc->hc_nnodes > 0) {
		if ((hc->hc_nodes = calloc(hc->hc_nnodes,
		    HASHCHAIN_DIGEST_LEN)) == NULL ||
		    (hc->hc_have = calloc(hc->hc_nnodes, 1)) == NULL)
			return -1;
	}
	if (hc->hc_ninputs < 2) {
		hc->hc_finished = 1;
		return 0;
	}
	hc->hc_max_index = hc->hc_nnodes + hc->hc_ninputs;

	/* The lowest inner level: pairs of inputs, left to right. */
	for (i = 0; i + 1 < hc->hc_ninputs; i += 2) {
		item = (hc->hc_nnodes + i - 1) / 2;
		if (hc_pair(hc->hc_inputs[i].hi_leaf,
		    hc->hc_inputs[i + 1].hi_leaf,
		    hc->hc_nodes + item * HASHCHAIN_DIGEST_LEN) == -1)
			return -1;
		hc->hc_have[item] = 1;
	}
	/* Then each level up, while both children exist. */
	for (start = hc->hc_nnodes / 2; start > 0; start /= 2) {
		end = start * 2;
		for (i = start; i < end && hc->hc_have[i] &&
		    hc->hc_have[i + 1]; i += 2) {
			item = (i - 1) / 2;
			if (hc_pair(hc->hc_nodes + i * HASHCHAIN_DIGEST_LEN,
			    hc->hc_nodes + (i + 1) * HASHCHAIN_DIGEST_LEN,
			    hc->hc_nodes + item * HASHCHAIN_DIGEST_LEN) == -1)
				return -1;
			hc->hc_have[item] = 1;
		}
	}
	/* Orphans. */
	if (hc_fix(hc, 0) == NULL || !hc->hc_have[0])
		return -1;
	hc->hc_finished = 1;
	return 0;
}

size_t
hashchain_count(const struct hashchain *hc)
{
	return hc == NULL ? 0 : hc->hc_ninputs;
}

int
hashchain_root(const struct hashchain *hc, unsigned char *out)
{
	if (hc == NULL || !hc->hc_finished || out == NULL)
		return -1;
	if (hc->hc_ninputs == 1)
		memcpy(out, hc->hc_inputs[0].hi_leaf, HASHCHAIN_DIGEST_LEN);
	else
		memcpy(out, hc->hc_nodes, HASHCHAIN_DIGEST_LEN);
	return 0;
}

/*
 * The walk from the root to input item, as HashChainBuilder makes its
 * chain: at each inner node take the child on item's side (the bit of
 * item for that level), skipping down-left through empty nodes.
 */
static int
hc_walk(const struct hashchain *hc, size_t item, struct hc_wstep *ws,
    size_t *nws)
{
	const unsigned char	*other;
	size_t			 cur = 0, my, n = 0;
	int			 level, dir;

	*nws = 0;
	if (item >= hc->hc_ninputs)
		return -1;
	if (hc->hc_ninputs < 2)
		return 0;
	level = hc_ceil_log2(hc->hc_ninputs) - 1;
	while (cur < hc->hc_nnodes) {
		if (level < 0 || n >= HC_MAX_DEPTH)
			return -1;
		dir = (int)((item >> level) & 1);
		my = 2 * cur + 1 + (size_t)dir;
		while (hc_get(hc, my) == NULL) {
			if (my >= hc->hc_max_index || --level < 0)
				return -1;
			my = 2 * my + 1;
		}
		if ((other = hc_get_deep(hc, 2 * cur + 2 - (size_t)dir)) ==
		    NULL)
			return -1;
		ws[n].ws_dir = dir;
		ws[n].ws_my = my;
		ws[n].ws_other = other;
		n++;
		cur = my;
		level--;
	}
	if (cur != hc->hc_nnodes + item)
		return -1;	/* cannot happen: the walk follows item */
	*nws = n;
	return 0;
}

int
hashchain_path(const struct hashchain *hc, size_t idx,
    struct hashchain_step **steps, size_t *nsteps)
{
	struct hc_wstep		 ws[HC_MAX_DEPTH];
	struct hashchain_step	*out = NULL;
	size_t			 n, i;

	if (hc == NULL || !hc->hc_finished || steps == NULL ||
	    nsteps == NULL)
		return -1;
	*steps = NULL;
	*nsteps = 0;
	if (hc_walk(hc, idx, ws, &n) == -1)
		return -1;
	if (n == 0)
		return 0;
	if ((out = calloc(n, sizeof(*out))) == NULL)
		return -1;
	/* Walk order is root first; a path goes leaf first. */
	for (i = 0; i < n; i++) {
		memcpy(out[i].hs_digest, ws[n - 1 - i].ws_other,
		    HASHCHAIN_DIGEST_LEN);
		out[i].hs_left = ws[n - 1 - i].ws_dir == 1;
	}
	*steps = out;
	*nsteps = n;
	return 0;
}

int
hashchain_path_root(const unsigned char *leaf,
    const struct hashchain_step *steps, size_t nsteps, unsigned char *out)
{
	unsigned char	v[HASHCHAIN_DIGEST_LEN], t[HASHCHAIN_DIGEST_LEN];
	size_t		i;

	if (leaf == NULL || out == NULL || (nsteps > 0 && steps == NULL))
		return -1;
	memcpy(v, leaf, sizeof(v));
	for (i = 0; i < nsteps; i++) {
		if (steps[i].hs_left) {
			if (hc_pair(steps[i].hs_digest, v, t) == -1)
				return -1;
		} else if (hc_pair(v, steps[i].hs_digest, t) == -1)
			return -1;
		memcpy(v, t, sizeof(v));
	}
	memcpy(out, v, sizeof(v));
	return 0;
}

int
hashchain_merkle_root(const unsigned char *leaves, size_t n,
    unsigned char *out)
{
	struct hashchain	*hc;
	size_t			 i;
	int			 rv = -1;

	if (leaves == NULL || n == 0 || out == NULL ||
	    (hc = hashchain_new()) == NULL)
		return -1;
	for (i = 0; i < n; i++)
		if (hashchain_add_input(hc, leaves + i * HASHCHAIN_DIGEST_LEN,
		    1) == -1)
			goto done;
	if (hashchain_finish(hc) == -1)
		goto done;
	rv = hashchain_root(hc, out);
 done:
	hashchain_free(hc);
	return rv;
}

/*
 * DER of DigestList: SEQUENCE OF SEQUENCE { OCTET STRING digest,
 * UTF8String method URI, SEQUENCE {} }, encoded with OpenSSL.
 */
static int
hc_der_list(const unsigned char *const *digests, size_t n,
    unsigned char **der, size_t *derlen)
{
	ASN1_OCTET_STRING	*os = NULL;
	ASN1_UTF8STRING		*uri = NULL;
	unsigned char		*buf = NULL, *p;
	size_t			 i;
	int			 oslen, urilen, ilen, isz, total, tsz;

	if (n == 0 || n > HC_MAX_VALUES)
		return -1;
	if ((os = ASN1_OCTET_STRING_new()) == NULL ||
	    (uri = ASN1_UTF8STRING_new()) == NULL)
		goto fail;
	if (!ASN1_STRING_set(uri, HASHCHAIN_DIGEST_URI, -1) ||
	    !ASN1_OCTET_STRING_set(os, digests[0], HASHCHAIN_DIGEST_LEN))
		goto fail;
	/* Every item has the same length: 64-byte digest, same URI. */
	if ((oslen = i2d_ASN1_OCTET_STRING(os, NULL)) <= 0 ||
	    (urilen = i2d_ASN1_UTF8STRING(uri, NULL)) <= 0)
		goto fail;
	ilen = oslen + urilen + ASN1_object_size(1, 0, V_ASN1_SEQUENCE);
	isz = ASN1_object_size(1, ilen, V_ASN1_SEQUENCE);
	if (isz <= 0 || (size_t)isz > INT_MAX / n)
		goto fail;
	total = isz * (int)n;
	if ((tsz = ASN1_object_size(1, total, V_ASN1_SEQUENCE)) <= 0)
		goto fail;
	if ((buf = malloc((size_t)tsz)) == NULL)
		goto fail;
	p = buf;
	ASN1_put_object(&p, 1, total, V_ASN1_SEQUENCE, V_ASN1_UNIVERSAL);
	for (i = 0; i < n; i++) {
		if (!ASN1_OCTET_STRING_set(os, digests[i],
		    HASHCHAIN_DIGEST_LEN))
			goto fail;
		ASN1_put_object(&p, 1, ilen, V_ASN1_SEQUENCE,
		    V_ASN1_UNIVERSAL);
		if (i2d_ASN1_OCTET_STRING(os, &p) != oslen ||
		    i2d_ASN1_UTF8STRING(uri, &p) != urilen)
			goto fail;
		ASN1_put_object(&p, 1, 0, V_ASN1_SEQUENCE, V_ASN1_UNIVERSAL);
	}
	if (p != buf + tsz)
		goto fail;
	ASN1_OCTET_STRING_free(os);
	ASN1_UTF8STRING_free(uri);
	*der = buf;
	*derlen = (size_t)tsz;
	return 0;

 fail:
	ASN1_OCTET_STRING_free(os);
	ASN1_UTF8STRING_free(uri);
	free(buf);
	return -1;
}

int
hashchain_digest_list(const unsigned char *digests, size_t n,
    unsigned char *out)
{
	const unsigned char	**v;
	unsigned char		 *der = NULL;
	size_t			  i, len;
	int			  rv = -1;

	if (digests == NULL || out == NULL || n == 0 || n > HC_MAX_VALUES)
		return -1;
	if ((v = calloc(n, sizeof(*v))) == NULL)
		return -1;
	for (i = 0; i < n; i++)
		v[i] = digests + i * HASHCHAIN_DIGEST_LEN;
	if (hc_der_list(v, n, &der, &len) == 0 &&
	    EVP_Digest(der, len, out, NULL, EVP_sha512(), NULL))
		rv = 0;
	free(der);
	free(v);
	return rv;
}

/* ---- XML output ---- */

static xmlDocPtr
hc_doc_new(const char *rootname, xmlNodePtr *rootp, xmlNsPtr *hcns,
    xmlNsPtr *dsns)
{
	xmlDocPtr	doc;
	xmlNodePtr	root;

	if ((doc = xmlNewDoc(BAD_CAST "1.0")) == NULL)
		return NULL;
	doc->standalone = 1;
	if ((root = xmlNewDocNode(doc, NULL, BAD_CAST rootname, NULL)) ==
	    NULL) {
		xmlFreeDoc(doc);
		return NULL;
	}
	(void)xmlDocSetRootElement(doc, root);
	/* As JAXB: DSig as the default namespace, hash chains as ns2. */
	if ((*dsns = xmlNewNs(root, BAD_CAST DS_NS, NULL)) == NULL ||
	    (*hcns = xmlNewNs(root, BAD_CAST HASHCHAIN_NS,
	    BAD_CAST "ns2")) == NULL) {
		xmlFreeDoc(doc);
		return NULL;
	}
	xmlSetNs(root, *hcns);
	*rootp = root;
	return doc;
}

/* Append <DigestValue>base64</DigestValue> (XML-DSig namespace). */
static int
hc_add_digest(xmlNodePtr parent, xmlNsPtr dsns, const unsigned char *digest)
{
	char	*b64;
	int	 rv = 0;

	if ((b64 = b64_encode(digest, HASHCHAIN_DIGEST_LEN)) == NULL)
		return -1;
	if (xmlNewTextChild(parent, dsns, BAD_CAST "DigestValue",
	    BAD_CAST b64) == NULL)
		rv = -1;
	free(b64);
	return rv;
}

static xmlNodePtr
hc_add_dataref(xmlNodePtr step, xmlNsPtr hcns, xmlNsPtr dsns,
    const char *uri, const unsigned char *digest)
{
	xmlNodePtr	ref;

	if ((ref = xmlNewChild(step, hcns, BAD_CAST "DataRef", NULL)) ==
	    NULL ||
	    xmlNewProp(ref, BAD_CAST "URI", BAD_CAST uri) == NULL ||
	    hc_add_digest(ref, dsns, digest) == -1)
		return NULL;
	return ref;
}

static int
hc_doc_dump(xmlDocPtr doc, char **xml, size_t *len)
{
	xmlChar	*mem = NULL;
	char	*out;
	int	 size = 0;

	xmlDocDumpFormatMemoryEnc(doc, &mem, &size, "UTF-8", 1);
	if (mem == NULL || size <= 0)
		return -1;
	if ((out = malloc((size_t)size + 1)) == NULL) {
		xmlFree(mem);
		return -1;
	}
	memcpy(out, mem, (size_t)size);
	out[size] = '\0';
	xmlFree(mem);
	*xml = out;
	*len = (size_t)size;
	return 0;
}

int
hashchain_result_xml(const struct hashchain *hc, const char *chain_uri,
    char **xml, size_t *len)
{
	xmlDocPtr	 doc;
	xmlNodePtr	 root, dm;
	xmlNsPtr	 hcns, dsns;
	unsigned char	 top[HASHCHAIN_DIGEST_LEN];
	char		 uri[1024];
	int		 rv = -1, n;

	if (hc == NULL || !hc->hc_finished || chain_uri == NULL ||
	    xml == NULL || len == NULL)
		return -1;
	if (hc->hc_ninputs == 1 && hc->hc_inputs[0].hi_nparts == 1)
		return -1;	/* sign the single input directly */
	n = snprintf(uri, sizeof(uri), "%s#%s0", chain_uri, HC_STEP);
	if (n < 0 || (size_t)n >= sizeof(uri))
		return -1;
	if (hashchain_root(hc, top) == -1)
		return -1;
	if ((doc = hc_doc_new("HashChainResult", &root, &hcns, &dsns)) ==
	    NULL)
		return -1;
	if (xmlNewProp(root, BAD_CAST "URI", BAD_CAST uri) == NULL ||
	    (dm = xmlNewChild(root, dsns, BAD_CAST "DigestMethod",
	    NULL)) == NULL ||
	    xmlNewProp(dm, BAD_CAST "Algorithm",
	    BAD_CAST HASHCHAIN_DIGEST_URI) == NULL ||
	    hc_add_digest(root, dsns, top) == -1)
		goto done;
	rv = hc_doc_dump(doc, xml, len);
 done:
	xmlFreeDoc(doc);
	return rv;
}

int
hashchain_chain_xml(const struct hashchain *hc, size_t idx,
    const char *data_uri, const char *const *part_uris, char **xml,
    size_t *len)
{
	struct hc_wstep		 ws[HC_MAX_DEPTH];
	const struct hc_input	*in;
	xmlDocPtr		 doc = NULL;
	xmlNodePtr		 root, dm, step, mine, other, hv;
	xmlNsPtr		 hcns, dsns;
	char			 id[32], ref[40], auri[40];
	const char		*puri;
	size_t			 n, i;
	int			 rv = -1;

	if (hc == NULL || !hc->hc_finished || data_uri == NULL ||
	    xml == NULL || len == NULL || idx >= hc->hc_ninputs)
		return -1;
	in = &hc->hc_inputs[idx];
	if (hc->hc_ninputs == 1 && in->hi_nparts == 1)
		return -1;	/* no chain for a single plain input */
	if (hc_walk(hc, idx, ws, &n) == -1)
		return -1;
	if ((doc = hc_doc_new("HashChain", &root, &hcns, &dsns)) == NULL)
		return -1;
	if ((dm = xmlNewChild(root, hcns, BAD_CAST "DefaultDigestMethod",
	    NULL)) == NULL ||
	    xmlNewProp(dm, BAD_CAST "Algorithm",
	    BAD_CAST HASHCHAIN_DIGEST_URI) == NULL)
		goto done;

	for (i = 0; i < n; i++) {
		(void)snprintf(id, sizeof(id), "%s%zu", HC_STEP, i);
		if ((step = xmlNewChild(root, hcns, BAD_CAST "HashStep",
		    NULL)) == NULL ||
		    xmlNewProp(step, BAD_CAST "id", BAD_CAST id) == NULL)
			goto done;
		/* Our side: the input itself at the leaf, else the next step. */
		if (ws[i].ws_my >= hc->hc_nnodes && in->hi_nparts == 1) {
			if ((mine = xmlNewNode(hcns, BAD_CAST "DataRef")) ==
			    NULL)
				goto done;
			if (xmlNewProp(mine, BAD_CAST "URI",
			    BAD_CAST data_uri) == NULL ||
			    hc_add_digest(mine, dsns, in->hi_leaf) == -1) {
				xmlFreeNode(mine);
				goto done;
			}
		} else {
			(void)snprintf(ref, sizeof(ref), "#%s%zu", HC_STEP,
			    i + 1);
			if ((mine = xmlNewNode(hcns, BAD_CAST "StepRef")) ==
			    NULL)
				goto done;
			if (xmlNewProp(mine, BAD_CAST "URI", BAD_CAST ref) ==
			    NULL) {
				xmlFreeNode(mine);
				goto done;
			}
		}
		if ((other = xmlNewNode(hcns, BAD_CAST "HashValue")) == NULL) {
			xmlFreeNode(mine);
			goto done;
		}
		if (hc_add_digest(other, dsns, ws[i].ws_other) == -1) {
			xmlFreeNode(mine);
			xmlFreeNode(other);
			goto done;
		}
		/* Children in tree order: left, right. */
		if (ws[i].ws_dir == 0) {
			xmlAddChild(step, mine);
			xmlAddChild(step, other);
		} else {
			xmlAddChild(step, other);
			xmlAddChild(step, mine);
		}
	}

	if (in->hi_nparts > 1) {
		/* The last step names every part of the message. */
		(void)snprintf(id, sizeof(id), "%s%zu", HC_STEP, n);
		if ((step = xmlNewChild(root, hcns, BAD_CAST "HashStep",
		    NULL)) == NULL ||
		    xmlNewProp(step, BAD_CAST "id", BAD_CAST id) == NULL)
			goto done;
		for (i = 0; i < in->hi_nparts; i++) {
			if (i == 0)
				puri = data_uri;
			else if (part_uris != NULL)
				puri = part_uris[i - 1];
			else {
				(void)snprintf(auri, sizeof(auri),
				    "/attachment%zu", i);
				puri = auri;
			}
			if (puri == NULL || (hv = hc_add_dataref(step, hcns,
			    dsns, puri, in->hi_parts +
			    i * HASHCHAIN_DIGEST_LEN)) == NULL)
				goto done;
		}
	}
	rv = hc_doc_dump(doc, xml, len);
 done:
	xmlFreeDoc(doc);
	return rv;
}

/* ---- verification ---- */

struct hc_vctx {
	xmlNodePtr			 v_chain;	/* HashChain element */
	const char			*v_chain_uri;
	const struct hashchain_input	*v_inputs;
	size_t				 v_ninputs;
	unsigned char			*v_used;
	xmlNodePtr			 v_active[HC_MAX_DEPTH];
	int				 v_depth;
	int				 v_steps;
	int				 v_values;
	char				*v_err;
	size_t				 v_errlen;
};

static void
hc_err(char *err, size_t errlen, const char *fmt, ...)
{
	va_list	ap;

	if (err == NULL || errlen == 0)
		return;
	va_start(ap, fmt);
	(void)vsnprintf(err, errlen, fmt, ap);
	va_end(ap);
}

/* Only whitespace text and comments may sit between elements. */
static int
hc_only_elements(xmlNodePtr parent)
{
	xmlNodePtr	 c;
	const xmlChar	*p;

	for (c = parent->children; c != NULL; c = c->next) {
		if (c->type == XML_ELEMENT_NODE || c->type == XML_COMMENT_NODE)
			continue;
		if (c->type != XML_TEXT_NODE)
			return 0;
		for (p = c->content; p != NULL && *p != '\0'; p++)
			if (*p != ' ' && *p != '\t' && *p != '\r' &&
			    *p != '\n')
				return 0;
	}
	return 1;
}

/* Algorithm attribute of a DigestMethod must be SHA-512. */
static int
hc_check_method(xmlNodePtr dm, char *err, size_t errlen)
{
	xmlChar	*alg;
	int	 ok;

	if ((alg = xmlGetNoNsProp(dm, BAD_CAST "Algorithm")) == NULL) {
		hc_err(err, errlen, "hash chain: DigestMethod without "
		    "Algorithm");
		return -1;
	}
	ok = strcmp((const char *)alg, HASHCHAIN_DIGEST_URI) == 0;
	if (!ok)
		hc_err(err, errlen, "hash chain: digest method %.100s not "
		    "supported (SHA-512 only)", (const char *)alg);
	xmlFree(alg);
	return ok ? 0 : -1;
}

/* Decode the text of a ds:DigestValue: exactly 64 bytes. */
static int
hc_digest_value(xmlNodePtr dv, unsigned char *out, char *err, size_t errlen)
{
	char		*text;
	unsigned char	*bin = NULL;
	size_t		 len = 0;
	int		 rv = -1;

	if (!xsd_elem_is(dv, "DigestValue", DS_NS) ||
	    xsd_first_elem(dv) != NULL) {
		hc_err(err, errlen, "hash chain: DigestValue expected");
		return -1;
	}
	if ((text = xsd_text(dv)) == NULL)
		return -1;
	if (b64_decode(text, strlen(text), &bin, &len) == -1 ||
	    len != HASHCHAIN_DIGEST_LEN)
		hc_err(err, errlen, "hash chain: bad DigestValue");
	else {
		memcpy(out, bin, HASHCHAIN_DIGEST_LEN);
		rv = 0;
	}
	free(bin);
	free(text);
	return rv;
}

/*
 * A value element (HashValue, StepRef, DataRef): optional ds:DigestMethod
 * (else the chain's default, which then must exist), then for HashValue
 * and DataRef a ds:DigestValue. Transforms are not supported.
 */
static int
hc_value_parts(struct hc_vctx *v, xmlNodePtr val, int want_digest,
    unsigned char *digest)
{
	xmlNodePtr	c, dm;

	if (!hc_only_elements(val)) {
		hc_err(v->v_err, v->v_errlen, "hash chain: text in %s",
		    (const char *)val->name);
		return -1;
	}
	c = xsd_first_elem(val);
	if (c != NULL && xsd_elem_is(c, "DigestMethod", DS_NS)) {
		if (hc_check_method(c, v->v_err, v->v_errlen) == -1)
			return -1;
		c = xsd_next_elem(c);
	} else {
		dm = xsd_first_elem(v->v_chain);
		if (dm == NULL ||
		    !xsd_elem_is(dm, "DefaultDigestMethod", HASHCHAIN_NS)) {
			hc_err(v->v_err, v->v_errlen, "hash chain: no digest "
			    "method for a value");
			return -1;
		}
	}
	if (!want_digest) {
		if (c != NULL) {
			hc_err(v->v_err, v->v_errlen, "hash chain: unexpected "
			    "element in StepRef");
			return -1;
		}
		return 0;
	}
	if (c == NULL) {
		hc_err(v->v_err, v->v_errlen, "hash chain: %s without "
		    "DigestValue", (const char *)val->name);
		return -1;
	}
	if (xsd_elem_is(c, "Transforms", DS_NS)) {
		hc_err(v->v_err, v->v_errlen, "hash chain: Transforms not "
		    "supported");
		return -1;
	}
	if (hc_digest_value(c, digest, v->v_err, v->v_errlen) == -1)
		return -1;
	if (xsd_next_elem(c) != NULL) {
		hc_err(v->v_err, v->v_errlen, "hash chain: unexpected element "
		    "after DigestValue");
		return -1;
	}
	return 0;
}

static int	hc_resolve(struct hc_vctx *, const char *, int,
		    unsigned char *);

/* The value of one child of a hash step. */
static int
hc_value(struct hc_vctx *v, xmlNodePtr val, unsigned char *out)
{
	xmlChar		*uri = NULL;
	unsigned char	 chain_digest[HASHCHAIN_DIGEST_LEN];
	size_t		 i;
	int		 rv = -1;

	if (++v->v_values > HC_MAX_VALUES) {
		hc_err(v->v_err, v->v_errlen, "hash chain: too many values");
		return -1;
	}
	if (xsd_elem_is(val, "HashValue", HASHCHAIN_NS))
		return hc_value_parts(v, val, 1, out);
	if ((uri = xmlGetNoNsProp(val, BAD_CAST "URI")) == NULL) {
		hc_err(v->v_err, v->v_errlen, "hash chain: %s without URI",
		    (const char *)val->name);
		return -1;
	}
	if (xsd_elem_is(val, "StepRef", HASHCHAIN_NS)) {
		if (hc_value_parts(v, val, 0, NULL) == 0)
			rv = hc_resolve(v, (const char *)uri, 1, out);
	} else if (xsd_elem_is(val, "DataRef", HASHCHAIN_NS)) {
		if (hc_value_parts(v, val, 1, chain_digest) == -1)
			goto done;
		for (i = 0; i < v->v_ninputs; i++)
			if (strcmp(v->v_inputs[i].hi_uri,
			    (const char *)uri) == 0)
				break;
		if (i == v->v_ninputs) {
			hc_err(v->v_err, v->v_errlen, "hash chain refers to "
			    "%.200s, which is not an input", (const char *)uri);
			goto done;
		}
		if (memcmp(chain_digest, v->v_inputs[i].hi_digest,
		    HASHCHAIN_DIGEST_LEN) != 0) {
			hc_err(v->v_err, v->v_errlen, "hash chain: digest of "
			    "%.200s does not match the input",
			    (const char *)uri);
			goto done;
		}
		v->v_used[i] = 1;
		memcpy(out, v->v_inputs[i].hi_digest, HASHCHAIN_DIGEST_LEN);
		rv = 0;
	} else
		hc_err(v->v_err, v->v_errlen, "hash chain: unexpected element "
		    "%.100s in HashStep", (const char *)val->name);
 done:
	xmlFree(uri);
	return rv;
}

/*
 * Resolve a step reference "[base]#id" to the SHA-512 of its DigestList.
 * in_chain: the reference comes from inside the chain (so a bare
 * fragment is allowed).
 */
static int
hc_resolve(struct hc_vctx *v, const char *uri, int in_chain,
    unsigned char *out)
{
	const char		*frag;
	const unsigned char	**vals = NULL;
	unsigned char		*digests = NULL, *der = NULL;
	xmlNodePtr		 step, c;
	xmlChar			*id;
	size_t			 nvals = 0, i, derlen;
	int			 found, rv = -1;

	if ((frag = strchr(uri, '#')) == NULL || frag[1] == '\0') {
		hc_err(v->v_err, v->v_errlen, "invalid hash step URI %.200s",
		    uri);
		return -1;
	}
	if (frag == uri) {
		if (!in_chain) {
			hc_err(v->v_err, v->v_errlen, "hash chain result "
			    "must name the hash chain document");
			return -1;
		}
	} else if (strlen(v->v_chain_uri) != (size_t)(frag - uri) ||
	    strncmp(uri, v->v_chain_uri, (size_t)(frag - uri)) != 0) {
		hc_err(v->v_err, v->v_errlen, "hash step URI %.200s is not "
		    "in %.200s", uri, v->v_chain_uri);
		return -1;
	}
	frag++;

	for (step = xsd_first_elem(v->v_chain); step != NULL;
	    step = xsd_next_elem(step)) {
		if (!xsd_elem_is(step, "HashStep", HASHCHAIN_NS))
			continue;
		id = xmlGetNoNsProp(step, BAD_CAST "id");
		found = id != NULL && strcmp((const char *)id, frag) == 0;
		xmlFree(id);
		if (found)
			break;
	}
	if (step == NULL) {
		hc_err(v->v_err, v->v_errlen, "hash step %.200s not found",
		    uri);
		return -1;
	}
	for (i = 0; i < (size_t)v->v_depth; i++)
		if (v->v_active[i] == step) {
			hc_err(v->v_err, v->v_errlen, "hash chain: cycle at "
			    "step %.200s", uri);
			return -1;
		}
	if (v->v_depth >= HC_MAX_DEPTH || ++v->v_steps > HC_MAX_STEPS) {
		hc_err(v->v_err, v->v_errlen, "hash chain too deep or too "
		    "long");
		return -1;
	}

	for (c = xsd_first_elem(step); c != NULL; c = xsd_next_elem(c))
		nvals++;
	if (nvals == 0 || nvals > HC_MAX_VALUES) {
		hc_err(v->v_err, v->v_errlen, "hash step %.200s is empty or "
		    "too large", uri);
		return -1;
	}
	if ((digests = calloc(nvals, HASHCHAIN_DIGEST_LEN)) == NULL ||
	    (vals = calloc(nvals, sizeof(*vals))) == NULL)
		goto done;
	v->v_active[v->v_depth++] = step;
	for (c = xsd_first_elem(step), i = 0; c != NULL;
	    c = xsd_next_elem(c), i++) {
		if (hc_value(v, c, digests + i * HASHCHAIN_DIGEST_LEN) == -1) {
			v->v_depth--;
			goto done;
		}
		vals[i] = digests + i * HASHCHAIN_DIGEST_LEN;
	}
	v->v_depth--;
	if (hc_der_list(vals, nvals, &der, &derlen) == -1 ||
	    !EVP_Digest(der, derlen, out, NULL, EVP_sha512(), NULL))
		goto done;
	rv = 0;
 done:
	free(der);
	free(vals);
	free(digests);
	return rv;
}

/* Structure of a HashChain document: DefaultDigestMethod?, HashStep*. */
static int
hc_check_chain(xmlNodePtr root, char *err, size_t errlen)
{
	xmlNodePtr	 c, d;
	xmlChar		*id, *id2;
	int		 nsteps = 0, dup;

	if (!xsd_elem_is(root, "HashChain", HASHCHAIN_NS)) {
		hc_err(err, errlen, "hash chain: root is not HashChain");
		return -1;
	}
	if (!hc_only_elements(root)) {
		hc_err(err, errlen, "hash chain: text in HashChain");
		return -1;
	}
	c = xsd_first_elem(root);
	if (c != NULL && xsd_elem_is(c, "DefaultDigestMethod", HASHCHAIN_NS)) {
		if (hc_check_method(c, err, errlen) == -1)
			return -1;
		c = xsd_next_elem(c);
	}
	for (; c != NULL; c = xsd_next_elem(c)) {
		if (!xsd_elem_is(c, "HashStep", HASHCHAIN_NS) ||
		    !hc_only_elements(c)) {
			hc_err(err, errlen, "hash chain: unexpected content");
			return -1;
		}
		if (++nsteps > HC_MAX_STEPS) {
			hc_err(err, errlen, "hash chain: too many steps");
			return -1;
		}
		if ((id = xmlGetNoNsProp(c, BAD_CAST "id")) == NULL)
			continue;	/* unreachable, but valid */
		dup = 0;
		for (d = xsd_next_elem(c); d != NULL && !dup;
		    d = xsd_next_elem(d)) {
			if ((id2 = xmlGetNoNsProp(d, BAD_CAST "id")) == NULL)
				continue;
			dup = strcmp((const char *)id, (const char *)id2) == 0;
			xmlFree(id2);
		}
		xmlFree(id);
		if (dup) {
			hc_err(err, errlen, "hash chain: duplicate step id");
			return -1;
		}
	}
	return 0;
}

int
hashchain_verify(const void *result_xml, size_t result_len,
    const void *chain_xml, size_t chain_len, const char *chain_uri,
    const struct hashchain_input *inputs, size_t ninputs, char *err,
    size_t errlen)
{
	struct hc_vctx	 v;
	xmlDocPtr	 rdoc = NULL, cdoc = NULL;
	xmlNodePtr	 root, c;
	xmlChar		*uri = NULL;
	unsigned char	 want[HASHCHAIN_DIGEST_LEN], got[HASHCHAIN_DIGEST_LEN];
	char		 perr[256];
	size_t		 i;
	int		 rv = -1;

	hc_err(err, errlen, "hash chain: bad arguments");
	if (result_xml == NULL || chain_xml == NULL || chain_uri == NULL ||
	    inputs == NULL || ninputs == 0 || ninputs > HASHCHAIN_MAX_PARTS ||
	    result_len > HASHCHAIN_XML_MAX || chain_len > HASHCHAIN_XML_MAX)
		return -1;
	for (i = 0; i < ninputs; i++)
		if (inputs[i].hi_uri == NULL || inputs[i].hi_digest == NULL)
			return -1;
	memset(&v, 0, sizeof(v));

	if ((rdoc = xsd_read_doc(result_xml, result_len, perr,
	    sizeof(perr))) == NULL) {
		hc_err(err, errlen, "hash chain result: %s", perr);
		goto done;
	}
	if ((cdoc = xsd_read_doc(chain_xml, chain_len, perr,
	    sizeof(perr))) == NULL) {
		hc_err(err, errlen, "hash chain: %s", perr);
		goto done;
	}

	/* HashChainResult URI=...: DigestMethod, DigestValue. */
	root = xmlDocGetRootElement(rdoc);
	if (!xsd_elem_is(root, "HashChainResult", HASHCHAIN_NS) ||
	    !hc_only_elements(root)) {
		hc_err(err, errlen, "hash chain result: not a "
		    "HashChainResult");
		goto done;
	}
	if ((uri = xmlGetNoNsProp(root, BAD_CAST "URI")) == NULL) {
		hc_err(err, errlen, "hash chain result: no URI");
		goto done;
	}
	c = xsd_first_elem(root);
	if (c == NULL || !xsd_elem_is(c, "DigestMethod", DS_NS)) {
		hc_err(err, errlen, "hash chain result: no DigestMethod");
		goto done;
	}
	if (hc_check_method(c, err, errlen) == -1 ||
	    hc_digest_value(xsd_next_elem(c), want, err, errlen) == -1)
		goto done;
	if (xsd_next_elem(xsd_next_elem(c)) != NULL) {
		hc_err(err, errlen, "hash chain result: unexpected element");
		goto done;
	}

	root = xmlDocGetRootElement(cdoc);
	if (hc_check_chain(root, err, errlen) == -1)
		goto done;

	v.v_chain = root;
	v.v_chain_uri = chain_uri;
	v.v_inputs = inputs;
	v.v_ninputs = ninputs;
	v.v_err = err;
	v.v_errlen = errlen;
	if ((v.v_used = calloc(ninputs, 1)) == NULL) {
		hc_err(err, errlen, "out of memory");
		goto done;
	}
	if (hc_resolve(&v, (const char *)uri, 0, got) == -1)
		goto done;
	if (memcmp(got, want, sizeof(got)) != 0) {
		hc_err(err, errlen, "hash chain result does not match hash "
		    "chain calculation");
		goto done;
	}
	for (i = 0; i < ninputs; i++)
		if (!v.v_used[i]) {
			hc_err(err, errlen, "input %.200s not referenced by "
			    "the hash chain", inputs[i].hi_uri);
			goto done;
		}
	hc_err(err, errlen, "ok");
	rv = 0;
 done:
	free(v.v_used);
	xmlFree(uri);
	xmlFreeDoc(rdoc);
	xmlFreeDoc(cdoc);
	return rv;
}
