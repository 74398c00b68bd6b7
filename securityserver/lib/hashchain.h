/*
 * hashchain.h: X-Road hash chains (batch signatures, batch timestamps).
 *
 * The tree is the one X-Road's HashChainBuilder builds (NOTES.md 4.6),
 * so chains made here verify in X-Road and the other way round:
 *
 * - A node's value is SHA-512 over the DER of a DigestList:
 *     DigestList   ::= SEQUENCE OF SingleDigest
 *     SingleDigest ::= SEQUENCE { digest OCTET STRING,
 *                                 digestMethod UTF8String,  -- the URI
 *                                 transforms SEQUENCE {} }  -- empty
 *   of its children, left first.
 * - The binary tree is kept as an array (children of i at 2i+1, 2i+2):
 *   2^ceil(log2 N) - 1 inner nodes, then the N inputs as leaves. Inputs
 *   are paired left to right; an inner node that lacks a right subtree
 *   is not hashed again: its left value moves up unchanged (so with
 *   N = 3 the root is H(H(in0, in1), in2)). The root of N = 1 is the
 *   input itself. Equivalently: with k = ceil(log2 N), the root is
 *   H(root of the first 2^(k-1) inputs, root of the rest), recursively
 *   (tests/unit/test_hashchain.c checks this for N = 1..70).
 * - An input with several parts (a message and its attachments) enters
 *   the tree as H(DigestList(parts)); its chain ends with one extra step
 *   holding a DataRef per part.
 * - HashChainResult: URI "<chain_uri>#STEP0" (e.g. "/sig-hashchain.xml
 *   #STEP0"), DigestMethod SHA-512, DigestValue = root.
 * - HashChain of input i: DefaultDigestMethod SHA-512, then HashStep
 *   id="STEPk" from the root down; each step lists the two children in
 *   tree order: the sibling as HashValue, our side as StepRef "#STEPk+1"
 *   or, at the leaf, DataRef URI=<data_uri> with the input digest.
 * Namespaces: hash chain elements in http://cyber.ee/hashchain (prefix
 * ns2, as JAXB writes it), DigestMethod/DigestValue in XML-DSig (default
 * namespace). Only SHA-512 is produced or accepted.
 *
 * Plain Merkle helpers (root, per-leaf path) use the same construction,
 * for the message log's batch timestamps.
 */
#ifndef HK_HASHCHAIN_H
#define HK_HASHCHAIN_H

#include <stddef.h>

#define HASHCHAIN_DIGEST_LEN	64
#define HASHCHAIN_NS		"http://cyber.ee/hashchain"
#define HASHCHAIN_DIGEST_URI	"http://www.w3.org/2001/04/xmlenc#sha512"
/* Hard limits: inputs per tree, parts per input, chain document size. */
#define HASHCHAIN_MAX_INPUTS	(1 << 20)
#define HASHCHAIN_MAX_PARTS	1024
#define HASHCHAIN_XML_MAX	(1024 * 1024)

struct hashchain;

/* A builder; add inputs, then hashchain_finish(). Caller frees. */
struct hashchain	*hashchain_new(void);
void			 hashchain_free(struct hashchain *);

/*
 * Add one input: nparts SHA-512 digests (nparts * 64 bytes, copied).
 * nparts == 1: a plain input; > 1: a message (part 0) with attachments.
 * Returns the input's index, or -1 (finished tree, limits, memory).
 */
long	 hashchain_add_input(struct hashchain *, const unsigned char *digests,
	    size_t nparts);
/* Compute the tree. At least one input. Returns 0 or -1. */
int	 hashchain_finish(struct hashchain *);
size_t	 hashchain_count(const struct hashchain *);

/* The root (tree top) of a finished tree into out[64]. 0 or -1. */
int	 hashchain_root(const struct hashchain *, unsigned char *out);

/*
 * XML of a finished tree; *xml (caller frees with free(3)) holds *len
 * bytes, NUL-terminated. Like X-Road, a tree of a single one-part input
 * has no hash chain (sign the input directly): both calls fail then.
 *
 * hashchain_result_xml: chain_uri names the HashChain document as the
 * verifier will find it, e.g. "/sig-hashchain.xml".
 * hashchain_chain_xml: the chain of input idx; data_uri is the DataRef
 * URI of its (first) part, e.g. "/message.xml"; part_uris (may be NULL)
 * name parts 1..nparts-1 (part_uris[0] is part 1), default
 * "/attachment1", "/attachment2", ... as X-Road.
 */
int	 hashchain_result_xml(const struct hashchain *, const char *chain_uri,
	    char **xml, size_t *len);
int	 hashchain_chain_xml(const struct hashchain *, size_t idx,
	    const char *data_uri, const char *const *part_uris, char **xml,
	    size_t *len);

/*
 * Plain Merkle paths. A path leads from a leaf value up to the root:
 * at each step the running value v becomes H(sibling, v) when hs_left
 * is 1 (the sibling is the left child), else H(v, sibling), where
 * H(a, b) = hashchain_digest_list() of the two digests. The leaf value
 * of a multi-part input is hashchain_digest_list() of its parts.
 * hashchain_path: *steps (caller frees with free(3); NULL when empty)
 * gets *nsteps entries for input idx of a finished tree.
 */
struct hashchain_step {
	unsigned char	hs_digest[HASHCHAIN_DIGEST_LEN];
	int		hs_left;
};

int	 hashchain_path(const struct hashchain *, size_t idx,
	    struct hashchain_step **steps, size_t *nsteps);
int	 hashchain_path_root(const unsigned char *leaf,
	    const struct hashchain_step *steps, size_t nsteps,
	    unsigned char *out);
/* Root over n one-part leaves (n * 64 bytes), out[64]. 0 or -1. */
int	 hashchain_merkle_root(const unsigned char *leaves, size_t n,
	    unsigned char *out);
/* SHA-512 of the DER DigestList of n SHA-512 digests, out[64]. */
int	 hashchain_digest_list(const unsigned char *digests, size_t n,
	    unsigned char *out);

/*
 * Verify that the inputs are covered by a HashChainResult (as X-Road's
 * HashChainVerifier). chain_xml is the HashChain document known as
 * chain_uri: the result's URI must point into it. Each input is a
 * (DataRef URI, SHA-512 digest) pair. Every DataRef met must name an
 * input and carry that input's digest, every input must be met, and
 * the steps must lead to the result's DigestValue. Recursion depth,
 * step and value counts are bounded; StepRef cycles fail.
 * Returns 0, or -1 with a message in err (may be NULL).
 */
struct hashchain_input {
	const char		*hi_uri;
	const unsigned char	*hi_digest;	/* 64 bytes */
};

int	 hashchain_verify(const void *result_xml, size_t result_len,
	    const void *chain_xml, size_t chain_len, const char *chain_uri,
	    const struct hashchain_input *inputs, size_t ninputs, char *err,
	    size_t errlen);

#endif /* HK_HASHCHAIN_H */
