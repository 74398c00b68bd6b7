/*
 * certcheck.c: chain, time, purpose and OCSP checks of a certificate
 * against the approved CAs; member identity and hashes of certs.
 */
#include "config.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include "certcheck.h"
#include "compat.h"
#include "ocsp.h"
#include "xrid.h"

struct certcheck_trust {
	X509_STORE	*ct_store;
	STACK_OF(X509)	*ct_anchors;
	STACK_OF(X509)	*ct_inter;
};

static void	seterr(struct certcheck_error *, enum certcheck_code, int,
		    const char *, ...) __attribute__((format(printf, 4, 5)));

static void
seterr(struct certcheck_error *e, enum certcheck_code code, int depth,
    const char *fmt, ...)
{
	va_list	 ap;

	e->ce_code = code;
	e->ce_depth = depth;
	va_start(ap, fmt);
	(void)vsnprintf(e->ce_msg, sizeof(e->ce_msg), fmt, ap);
	va_end(ap);
}

const char *
certcheck_code_str(enum certcheck_code c)
{
	switch (c) {
	case CERTCHECK_OK:
		return "ok";
	case CERTCHECK_UNTRUSTED_CA:
		return "untrusted CA";
	case CERTCHECK_EXPIRED:
		return "certificate expired";
	case CERTCHECK_NOT_YET_VALID:
		return "certificate not yet valid";
	case CERTCHECK_BAD_SIGNATURE:
		return "invalid certificate signature";
	case CERTCHECK_WRONG_PURPOSE:
		return "wrong certificate purpose";
	case CERTCHECK_CHAIN_INVALID:
		return "invalid certificate chain";
	case CERTCHECK_OCSP_MISSING:
		return "OCSP response missing";
	case CERTCHECK_OCSP_INVALID:
		return "OCSP response invalid";
	case CERTCHECK_OCSP_TOO_OLD:
		return "OCSP response too old";
	case CERTCHECK_REVOKED:
		return "certificate revoked";
	case CERTCHECK_OCSP_UNKNOWN:
		return "certificate status unknown";
	case CERTCHECK_INTERNAL:
		return "internal error";
	}
	return "?";
}

struct certcheck_trust *
certcheck_trust_new(void)
{
	struct certcheck_trust	*t;

	if ((t = calloc(1, sizeof(*t))) == NULL)
		return NULL;
	if ((t->ct_store = X509_STORE_new()) == NULL ||
	    (t->ct_anchors = sk_X509_new_null()) == NULL ||
	    (t->ct_inter = sk_X509_new_null()) == NULL) {
		certcheck_trust_free(t);
		return NULL;
	}
	/* An approved intermediate may be the anchor of a chain. */
	if (!X509_STORE_set_flags(t->ct_store, X509_V_FLAG_PARTIAL_CHAIN)) {
		certcheck_trust_free(t);
		return NULL;
	}
	return t;
}

void
certcheck_trust_free(struct certcheck_trust *t)
{
	if (t == NULL)
		return;
	X509_STORE_free(t->ct_store);
	sk_X509_pop_free(t->ct_anchors, X509_free);
	sk_X509_pop_free(t->ct_inter, X509_free);
	free(t);
}

int
certcheck_trust_add(struct certcheck_trust *t, X509 *ca)
{
	int	 i;

	if (ca == NULL)
		return -1;
	/* Adding the same cert twice is harmless. */
	for (i = 0; i < sk_X509_num(t->ct_anchors); i++)
		if (X509_cmp(sk_X509_value(t->ct_anchors, i), ca) == 0)
			return 0;
	if (!X509_STORE_add_cert(t->ct_store, ca)) {
		ERR_clear_error();
		return -1;
	}
	if (!X509_up_ref(ca))
		return -1;
	if (!sk_X509_push(t->ct_anchors, ca)) {
		X509_free(ca);
		return -1;
	}
	return 0;
}

int
certcheck_trust_add_pem(struct certcheck_trust *t, const char *path)
{
	FILE	*fp;
	X509	*x;
	int	 n = 0, rv = 0;

	if ((fp = fopen(path, "r")) == NULL)
		return -1;
	while ((x = PEM_read_X509(fp, NULL, NULL, NULL)) != NULL) {
		if (certcheck_trust_add(t, x) == -1)
			rv = -1;
		X509_free(x);
		n++;
	}
	ERR_clear_error();
	fclose(fp);
	return (n == 0) ? -1 : rv;
}

int
certcheck_trust_add_intermediate(struct certcheck_trust *t, X509 *c)
{
	if (c == NULL || !X509_up_ref(c))
		return -1;
	if (!sk_X509_push(t->ct_inter, c)) {
		X509_free(c);
		return -1;
	}
	return 0;
}

X509_STORE *
certcheck_trust_store(const struct certcheck_trust *t)
{
	return t->ct_store;
}

STACK_OF(X509) *
certcheck_trust_intermediates(const struct certcheck_trust *t)
{
	return t->ct_inter;
}

size_t
certcheck_trust_count(const struct certcheck_trust *t)
{
	return (size_t)sk_X509_num(t->ct_anchors);
}

void
certcheck_params_init(struct certcheck_params *p, time_t now,
    enum certcheck_purpose purpose)
{
	memset(p, 0, sizeof(*p));
	p->cp_now = now;
	p->cp_purpose = purpose;
	p->cp_ocsp_freshness = OCSP_FRESHNESS_DEFAULT;
	p->cp_ocsp_skew = OCSP_SKEW_DEFAULT;
}

static void
subject_str(X509 *c, char *s, size_t n)
{
	if (c == NULL || X509_NAME_oneline(X509_get_subject_name(c), s,
	    (int)n) == NULL)
		(void)strlcpy(s, "?", n);
}

static enum certcheck_code
map_x509_error(int e)
{
	switch (e) {
	case X509_V_ERR_CERT_HAS_EXPIRED:
		return CERTCHECK_EXPIRED;
	case X509_V_ERR_CERT_NOT_YET_VALID:
		return CERTCHECK_NOT_YET_VALID;
	case X509_V_ERR_UNABLE_TO_GET_ISSUER_CERT:
	case X509_V_ERR_UNABLE_TO_GET_ISSUER_CERT_LOCALLY:
	case X509_V_ERR_UNABLE_TO_VERIFY_LEAF_SIGNATURE:
	case X509_V_ERR_SELF_SIGNED_CERT_IN_CHAIN:
	case X509_V_ERR_DEPTH_ZERO_SELF_SIGNED_CERT:
		return CERTCHECK_UNTRUSTED_CA;
	case X509_V_ERR_CERT_SIGNATURE_FAILURE:
	case X509_V_ERR_UNABLE_TO_DECRYPT_CERT_SIGNATURE:
	case X509_V_ERR_UNABLE_TO_DECODE_ISSUER_PUBLIC_KEY:
		return CERTCHECK_BAD_SIGNATURE;
	case X509_V_ERR_INVALID_PURPOSE:
		return CERTCHECK_WRONG_PURPOSE;
	default:
		return CERTCHECK_CHAIN_INVALID;
	}
}

static int
check_purpose(X509 *leaf, enum certcheck_purpose purpose,
    struct certcheck_error *err)
{
	uint32_t	 flags;
	char		 subj[256];

	subject_str(leaf, subj, sizeof(subj));
	switch (purpose) {
	case CERTCHECK_PURPOSE_NONE:
		return 0;
	case CERTCHECK_PURPOSE_TLS_CLIENT:
	case CERTCHECK_PURPOSE_TLS_SERVER:
	case CERTCHECK_PURPOSE_AUTH:
		if (purpose != CERTCHECK_PURPOSE_TLS_SERVER &&
		    X509_check_purpose(leaf, X509_PURPOSE_SSL_CLIENT, 0) != 1)
			goto bad;
		if (purpose != CERTCHECK_PURPOSE_TLS_CLIENT &&
		    X509_check_purpose(leaf, X509_PURPOSE_SSL_SERVER, 0) != 1)
			goto bad;
		return 0;
	case CERTCHECK_PURPOSE_SIGN:
		/* X-Road's isSigningCert: keyUsage has nonRepudiation. */
		flags = X509_get_extension_flags(leaf);
		if ((flags & EXFLAG_KUSAGE) == 0 ||
		    (X509_get_key_usage(leaf) & KU_NON_REPUDIATION) == 0 ||
		    (flags & EXFLAG_CA) != 0)
			goto bad;
		return 0;
	}
 bad:
	ERR_clear_error();
	seterr(err, CERTCHECK_WRONG_PURPOSE, 0, "certificate %s is not %s",
	    subj, purpose == CERTCHECK_PURPOSE_SIGN ? "a signing certificate "
	    "(keyUsage nonRepudiation)" : "a TLS authentication certificate");
	return -1;
}

static enum certcheck_code
map_ocsp_verdict(enum ocsp_verdict v)
{
	switch (v) {
	case OCSP_V_GOOD:
		return CERTCHECK_OK;
	case OCSP_V_REVOKED:
		return CERTCHECK_REVOKED;
	case OCSP_V_UNKNOWN:
		return CERTCHECK_OCSP_UNKNOWN;
	case OCSP_V_TOO_OLD:
	case OCSP_V_EXPIRED:
		return CERTCHECK_OCSP_TOO_OLD;
	case OCSP_V_INTERNAL:
		return CERTCHECK_INTERNAL;
	default:
		return CERTCHECK_OCSP_INVALID;
	}
}

static int
check_ocsp(STACK_OF(X509) *chain, const struct certcheck_ocsp *ocsp,
    size_t nocsp, const struct certcheck_params *p,
    struct certcheck_error *err)
{
	struct ocsp_verify_params	 op;
	enum ocsp_verdict		 v;
	X509				*c, *issuer;
	char				 hex[OCSP_SHA1_HEX_LEN + 1];
	char				 subj[256], msg[400];
	size_t				 j;
	int				 i, n = sk_X509_num(chain);

	ocsp_verify_params_init(&op, p->cp_now);
	op.op_freshness = p->cp_ocsp_freshness;
	op.op_skew = p->cp_ocsp_skew;
	op.op_check_next_update = p->cp_ocsp_check_next_update;
	op.op_responders = p->cp_ocsp_responders;
	/* Every cert below the anchor (the last one). */
	for (i = 0; i < n - 1; i++) {
		c = sk_X509_value(chain, i);
		issuer = sk_X509_value(chain, i + 1);
		for (j = 0; j < nocsp; j++)
			if (ocsp_response_is_for(ocsp[j].co_der,
			    ocsp[j].co_len, c, issuer))
				break;
		if (certcheck_sha1_hex(c, hex) == -1)
			hex[0] = '\0';
		subject_str(c, subj, sizeof(subj));
		if (j == nocsp) {
			seterr(err, CERTCHECK_OCSP_MISSING, i, "No OCSP "
			    "response for certificate %s (%s)", hex, subj);
			return -1;
		}
		v = ocsp_verify(ocsp[j].co_der, ocsp[j].co_len, c, issuer, &op,
		    NULL, msg, sizeof(msg));
		if (v != OCSP_V_GOOD) {
			err->ce_ocsp = v;
			seterr(err, map_ocsp_verdict(v), i, "%s (certificate "
			    "%s)", msg, subj);
			return -1;
		}
	}
	return 0;
}

int
certcheck_verify(const struct certcheck_trust *trust, X509 *leaf,
    STACK_OF(X509) *extra, const struct certcheck_ocsp *ocsp, size_t nocsp,
    const struct certcheck_params *p, STACK_OF(X509) **chainp,
    struct certcheck_error *err)
{
	struct certcheck_error	 tmp;
	X509_STORE_CTX		*ctx = NULL;
	STACK_OF(X509)		*untrusted = NULL, *chain = NULL;
	X509_VERIFY_PARAM	*vp;
	char			 subj[256];
	int			 i, e, depth, rv = -1;

	if (err == NULL)
		err = &tmp;
	memset(err, 0, sizeof(*err));
	err->ce_code = CERTCHECK_OK;
	err->ce_ocsp = OCSP_V_GOOD;
	err->ce_depth = -1;
	if (chainp != NULL)
		*chainp = NULL;
	if (trust == NULL || leaf == NULL || p == NULL ||
	    (nocsp > 0 && ocsp == NULL)) {
		seterr(err, CERTCHECK_INTERNAL, -1, "invalid arguments");
		return -1;
	}
	/* Borrowed pointers: free the stack only. */
	if ((untrusted = sk_X509_new_null()) == NULL)
		goto nomem;
	for (i = 0; extra != NULL && i < sk_X509_num(extra); i++)
		if (!sk_X509_push(untrusted, sk_X509_value(extra, i)))
			goto nomem;
	for (i = 0; i < sk_X509_num(trust->ct_inter); i++)
		if (!sk_X509_push(untrusted, sk_X509_value(trust->ct_inter, i)))
			goto nomem;
	if ((ctx = X509_STORE_CTX_new()) == NULL ||
	    !X509_STORE_CTX_init(ctx, trust->ct_store, leaf, untrusted))
		goto nomem;
	vp = X509_STORE_CTX_get0_param(ctx);
	X509_VERIFY_PARAM_set_time(vp, p->cp_now);
	if (X509_verify_cert(ctx) != 1) {
		e = X509_STORE_CTX_get_error(ctx);
		depth = X509_STORE_CTX_get_error_depth(ctx);
		subject_str(X509_STORE_CTX_get_current_cert(ctx), subj,
		    sizeof(subj));
		seterr(err, map_x509_error(e), depth, "certificate %s: %s",
		    subj, X509_verify_cert_error_string(e));
		goto done;
	}
	if ((chain = X509_STORE_CTX_get1_chain(ctx)) == NULL)
		goto nomem;
	if (sk_X509_num(chain) < 2) {
		subject_str(leaf, subj, sizeof(subj));
		seterr(err, CERTCHECK_UNTRUSTED_CA, 0, "certificate %s is a "
		    "CA certificate, not an end-entity one", subj);
		goto done;
	}
	if (check_purpose(leaf, p->cp_purpose, err) == -1)
		goto done;
	if ((p->cp_flags & CERTCHECK_NO_OCSP) == 0 &&
	    check_ocsp(chain, ocsp, nocsp, p, err) == -1)
		goto done;
	if (chainp != NULL) {
		*chainp = chain;
		chain = NULL;
	}
	rv = 0;
	goto done;
 nomem:
	seterr(err, CERTCHECK_INTERNAL, -1, "out of memory");
 done:
	sk_X509_pop_free(chain, X509_free);
	X509_STORE_CTX_free(ctx);
	sk_X509_free(untrusted);
	ERR_clear_error();
	return rv;
}

static int
name_part(const X509_NAME *name, int nid, char *out, size_t outsize)
{
	const X509_NAME_ENTRY	*ne;
	unsigned char		*u = NULL;
	int			 idx, n, i, rv = -1;

	idx = X509_NAME_get_index_by_NID(name, nid, -1);
	if (idx < 0 || X509_NAME_get_index_by_NID(name, nid, idx) >= 0)
		return -1;
	if ((ne = X509_NAME_get_entry(name, idx)) == NULL)
		return -1;
	n = ASN1_STRING_to_UTF8(&u, X509_NAME_ENTRY_get_data(ne));
	if (n <= 0 || n > XRID_PART_MAX || (size_t)n >= outsize)
		goto done;
	for (i = 0; i < n; i++)
		if (u[i] < 0x20 || u[i] == 0x7f)
			goto done;
	memcpy(out, u, (size_t)n);
	out[n] = '\0';
	rv = 0;
 done:
	OPENSSL_free(u);
	return rv;
}

int
certcheck_member_id(X509 *cert, struct xrid *id)
{
	const X509_NAME	*name;

	memset(id, 0, sizeof(*id));
	if (cert == NULL || (name = X509_get_subject_name(cert)) == NULL)
		return -1;
	if (name_part(name, NID_countryName, id->instance,
	    sizeof(id->instance)) == -1 ||
	    name_part(name, NID_organizationName, id->member_class,
	    sizeof(id->member_class)) == -1 ||
	    name_part(name, NID_commonName, id->member_code,
	    sizeof(id->member_code)) == -1) {
		memset(id, 0, sizeof(*id));
		ERR_clear_error();
		return -1;
	}
	id->type = XRID_MEMBER;
	return 0;
}

int
certcheck_digest(X509 *c, const EVP_MD *md, unsigned char *out,
    unsigned int *lenp)
{
	if (c == NULL || md == NULL || !X509_digest(c, md, out, lenp)) {
		ERR_clear_error();
		return -1;
	}
	return 0;
}

static int
digest_hex(X509 *c, const EVP_MD *md, char *out, size_t outsize)
{
	static const char	 digits[] = "0123456789abcdef";
	unsigned char		 d[EVP_MAX_MD_SIZE];
	unsigned int		 n, i;

	if (certcheck_digest(c, md, d, &n) == -1 || 2 * (size_t)n >= outsize)
		return -1;
	for (i = 0; i < n; i++) {
		out[2 * i] = digits[d[i] >> 4];
		out[2 * i + 1] = digits[d[i] & 0x0f];
	}
	out[2 * n] = '\0';
	return 0;
}

int
certcheck_sha1_hex(X509 *c, char out[OCSP_SHA1_HEX_LEN + 1])
{
	return digest_hex(c, EVP_sha1(), out, OCSP_SHA1_HEX_LEN + 1);
}

int
certcheck_sha256_hex(X509 *c, char out[OCSP_SHA256_HEX_LEN + 1])
{
	return digest_hex(c, EVP_sha256(), out, OCSP_SHA256_HEX_LEN + 1);
}
