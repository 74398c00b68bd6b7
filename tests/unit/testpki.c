/*
 * testpki.c: in-memory CA, certs and OCSP responses for unit tests.
 */
#include "config.h"

#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <openssl/bn.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/ocsp.h>
#include <openssl/pem.h>
#include <openssl/rand.h>
#include <openssl/rsa.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include "testpki.h"

static void
die(const char *what)
{
	fprintf(stderr, "testpki: %s failed\n", what);
	ERR_print_errors_fp(stderr);
	abort();
}

EVP_PKEY *
testpki_key(int rsa)
{
	if (rsa)
		return EVP_RSA_gen(2048);
	return EVP_EC_gen("P-256");
}

static int
add_ext(X509 *cert, X509 *issuer, int nid, const char *value)
{
	X509V3_CTX	 ctx;
	X509_EXTENSION	*ext;
	int		 ok;

	X509V3_set_ctx_nodb(&ctx);
	X509V3_set_ctx(&ctx, issuer, cert, NULL, NULL, 0);
	if ((ext = X509V3_EXT_nconf_nid(NULL, &ctx, nid, value)) == NULL)
		return -1;
	ok = X509_add_ext(cert, ext, -1);
	X509_EXTENSION_free(ext);
	return ok ? 0 : -1;
}

static X509_NAME *
parse_name(const char *s)
{
	X509_NAME	*name;
	char		*copy, *p, *next, *eq;

	/* "/C=PS/O=GOV/CN=MOI" */
	if (s == NULL || *s != '/' || (copy = strdup(s + 1)) == NULL)
		return NULL;
	if ((name = X509_NAME_new()) == NULL) {
		free(copy);
		return NULL;
	}
	for (p = copy; p != NULL && *p != '\0'; p = next) {
		if ((next = strchr(p, '/')) != NULL)
			*next++ = '\0';
		if ((eq = strchr(p, '=')) == NULL)
			goto fail;
		*eq++ = '\0';
		if (!X509_NAME_add_entry_by_txt(name, p, MBSTRING_UTF8,
		    (unsigned char *)eq, -1, -1, 0))
			goto fail;
	}
	free(copy);
	return name;
 fail:
	free(copy);
	X509_NAME_free(name);
	return NULL;
}

int
testpki_make(struct testpki_pair *out, enum testpki_kind kind,
    const struct testpki_opts *opts, const struct testpki_pair *issuer)
{
	X509		*c = NULL;
	EVP_PKEY	*key = NULL;
	X509_NAME	*name = NULL;
	X509		*icert;
	EVP_PKEY	*ikey;
	ASN1_INTEGER	*serial;
	BIGNUM		*bn = NULL;
	time_t		 now = time(NULL), nb, na;
	char		 aia[512];

	out->cert = NULL;
	out->key = NULL;
	if (kind != TESTPKI_ROOT && (issuer == NULL || issuer->cert == NULL))
		return -1;
	if ((key = testpki_key(opts->rsa)) == NULL)
		goto fail;
	if ((c = X509_new()) == NULL || !X509_set_version(c, 2))
		goto fail;
	serial = X509_get_serialNumber(c);
	if (opts->serial != 0) {
		if (!ASN1_INTEGER_set(serial, opts->serial))
			goto fail;
	} else {
		if ((bn = BN_new()) == NULL || !BN_rand(bn, 63, 0, 0) ||
		    BN_to_ASN1_INTEGER(bn, serial) == NULL)
			goto fail;
	}
	nb = opts->not_before != 0 ? opts->not_before : now - 86400;
	na = opts->not_after != 0 ? opts->not_after : now + 365 * 86400;
	if (ASN1_TIME_set(X509_getm_notBefore(c), nb) == NULL ||
	    ASN1_TIME_set(X509_getm_notAfter(c), na) == NULL)
		goto fail;
	if ((name = parse_name(opts->subject)) == NULL ||
	    !X509_set_subject_name(c, name) || !X509_set_pubkey(c, key))
		goto fail;
	if (kind == TESTPKI_ROOT) {
		icert = c;
		ikey = key;
	} else {
		icert = issuer->cert;
		ikey = issuer->key;
	}
	if (!X509_set_issuer_name(c, X509_get_subject_name(icert)))
		goto fail;
	if (add_ext(c, icert, NID_subject_key_identifier, "hash") == -1)
		goto fail;
	if (kind != TESTPKI_ROOT &&
	    add_ext(c, icert, NID_authority_key_identifier, "keyid:always")
	    == -1)
		goto fail;
	switch (kind) {
	case TESTPKI_ROOT:
	case TESTPKI_CA:
		if (add_ext(c, icert, NID_basic_constraints,
		    "critical,CA:TRUE") == -1 ||
		    add_ext(c, icert, NID_key_usage,
		    "critical,keyCertSign,cRLSign") == -1)
			goto fail;
		break;
	case TESTPKI_AUTH:
		if (add_ext(c, icert, NID_basic_constraints, "CA:FALSE") ==
		    -1 || add_ext(c, icert, NID_key_usage,
		    "critical,digitalSignature,keyEncipherment") == -1 ||
		    add_ext(c, icert, NID_ext_key_usage,
		    "serverAuth,clientAuth") == -1 ||
		    add_ext(c, icert, NID_subject_alt_name,
		    "DNS:localhost,IP:127.0.0.1") == -1)
			goto fail;
		break;
	case TESTPKI_SIGN:
		if (add_ext(c, icert, NID_basic_constraints, "CA:FALSE") ==
		    -1 || add_ext(c, icert, NID_key_usage,
		    "critical,nonRepudiation") == -1)
			goto fail;
		break;
	case TESTPKI_OCSP:
		if (add_ext(c, icert, NID_basic_constraints, "CA:FALSE") ==
		    -1 || add_ext(c, icert, NID_key_usage,
		    "critical,digitalSignature") == -1 ||
		    add_ext(c, icert, NID_ext_key_usage, "OCSPSigning") == -1)
			goto fail;
		break;
	case TESTPKI_TSA:
		if (add_ext(c, icert, NID_basic_constraints, "CA:FALSE") ==
		    -1 || add_ext(c, icert, NID_key_usage,
		    "critical,digitalSignature") == -1 ||
		    add_ext(c, icert, NID_ext_key_usage,
		    "critical,timeStamping") == -1)
			goto fail;
		break;
	case TESTPKI_PLAIN:
		if (add_ext(c, icert, NID_basic_constraints, "CA:FALSE") == -1)
			goto fail;
		break;
	}
	if (opts->ocsp_url != NULL) {
		if (snprintf(aia, sizeof(aia), "OCSP;URI:%s", opts->ocsp_url) >=
		    (int)sizeof(aia) ||
		    add_ext(c, icert, NID_info_access, aia) == -1)
			goto fail;
	}
	if (!X509_sign(c, ikey, EVP_sha256()))
		goto fail;
	X509_NAME_free(name);
	BN_free(bn);
	out->cert = c;
	out->key = key;
	return 0;
 fail:
	ERR_print_errors_fp(stderr);
	X509_NAME_free(name);
	BN_free(bn);
	X509_free(c);
	EVP_PKEY_free(key);
	return -1;
}

struct testpki_pair
testpki_new_opts(enum testpki_kind kind, const struct testpki_opts *opts,
    const struct testpki_pair *issuer)
{
	struct testpki_pair	 p;

	if (testpki_make(&p, kind, opts, issuer) == -1)
		die("testpki_make");
	return p;
}

struct testpki_pair
testpki_new(enum testpki_kind kind, const char *subject,
    const struct testpki_pair *issuer)
{
	struct testpki_opts	 o;

	memset(&o, 0, sizeof(o));
	o.subject = subject;
	return testpki_new_opts(kind, &o, issuer);
}

void
testpki_clear(struct testpki_pair *p)
{
	if (p == NULL)
		return;
	X509_free(p->cert);
	EVP_PKEY_free(p->key);
	p->cert = NULL;
	p->key = NULL;
}

void
testpki_ocsp_opts_init(struct testpki_ocsp_opts *o)
{
	memset(o, 0, sizeof(*o));
	o->response_status = OCSP_RESPONSE_STATUS_SUCCESSFUL;
	o->status = V_OCSP_CERTSTATUS_GOOD;
	o->reason = -1;
}

static unsigned char *
to_der(OCSP_RESPONSE *resp, size_t *lenp)
{
	unsigned char	*out, *p;
	int		 n;

	if ((n = i2d_OCSP_RESPONSE(resp, NULL)) <= 0)
		die("i2d_OCSP_RESPONSE");
	if ((out = malloc((size_t)n)) == NULL)
		die("malloc");
	p = out;
	if (i2d_OCSP_RESPONSE(resp, &p) != n)
		die("i2d_OCSP_RESPONSE");
	*lenp = (size_t)n;
	return out;
}

/* Sign a basic response holding one status per id (ids are copied). */
static unsigned char *
sign_response(OCSP_CERTID **ids, int nids,
    const struct testpki_pair *signer, const struct testpki_ocsp_opts *o,
    size_t *lenp)
{
	OCSP_BASICRESP		*bs;
	OCSP_RESPONSE		*resp;
	ASN1_TIME		*thisupd, *nextupd = NULL, *revtime = NULL;
	unsigned char		*der;
	unsigned long		 flags = 0;
	time_t			 tu;
	int			 i;

	if (o->response_status != OCSP_RESPONSE_STATUS_SUCCESSFUL) {
		if ((resp = OCSP_response_create(o->response_status,
		    NULL)) == NULL)
			die("OCSP_response_create");
		der = to_der(resp, lenp);
		OCSP_RESPONSE_free(resp);
		return der;
	}
	tu = o->this_update != 0 ? o->this_update : time(NULL);
	if ((bs = OCSP_BASICRESP_new()) == NULL ||
	    (thisupd = ASN1_GENERALIZEDTIME_set(NULL, tu)) == NULL)
		die("OCSP_BASICRESP_new");
	if (o->next_update != 0 && (nextupd =
	    ASN1_GENERALIZEDTIME_set(NULL, o->next_update)) == NULL)
		die("ASN1_GENERALIZEDTIME_set");
	if (o->status == V_OCSP_CERTSTATUS_REVOKED && (revtime =
	    ASN1_GENERALIZEDTIME_set(NULL, o->revoked_at != 0 ?
	    o->revoked_at : tu - 3600)) == NULL)
		die("ASN1_GENERALIZEDTIME_set");
	for (i = 0; i < nids; i++)
		if (OCSP_basic_add1_status(bs, ids[i], o->status, o->reason,
		    revtime, thisupd, nextupd) == NULL)
			die("OCSP_basic_add1_status");
	if (o->no_certs)
		flags |= OCSP_NOCERTS;
	if (o->by_key)
		flags |= OCSP_RESPID_KEY;
	if (!OCSP_basic_sign(bs, signer->cert, signer->key, EVP_sha256(),
	    NULL, flags))
		die("OCSP_basic_sign");
	if ((resp = OCSP_response_create(OCSP_RESPONSE_STATUS_SUCCESSFUL,
	    bs)) == NULL)
		die("OCSP_response_create");
	der = to_der(resp, lenp);
	OCSP_RESPONSE_free(resp);
	OCSP_BASICRESP_free(bs);
	ASN1_TIME_free(thisupd);
	ASN1_TIME_free(nextupd);
	ASN1_TIME_free(revtime);
	return der;
}

unsigned char *
testpki_ocsp_response(X509 *cert, X509 *issuer,
    const struct testpki_pair *signer, const struct testpki_ocsp_opts *o,
    size_t *lenp)
{
	struct testpki_ocsp_opts	 def;
	OCSP_CERTID			*id;
	unsigned char			*der;

	if (o == NULL) {
		testpki_ocsp_opts_init(&def);
		o = &def;
	}
	if ((id = OCSP_cert_to_id(o->id_md != NULL ? o->id_md : EVP_sha1(),
	    cert, issuer)) == NULL)
		die("OCSP_cert_to_id");
	der = sign_response(&id, 1, signer, o, lenp);
	OCSP_CERTID_free(id);
	return der;
}

unsigned char *
testpki_ocsp_answer(const unsigned char *req, size_t reqlen,
    const struct testpki_pair *signer, const struct testpki_ocsp_opts *o,
    size_t *lenp, int *has_nonce)
{
	struct testpki_ocsp_opts	 def;
	OCSP_REQUEST			*r;
	OCSP_ONEREQ			*one;
	OCSP_CERTID			*ids[16];
	const unsigned char		*p = req;
	unsigned char			*der;
	int				 i, n;

	if (o == NULL) {
		testpki_ocsp_opts_init(&def);
		o = &def;
	}
	if ((r = d2i_OCSP_REQUEST(NULL, &p, (long)reqlen)) == NULL) {
		ERR_clear_error();
		return NULL;
	}
	if (has_nonce != NULL)
		*has_nonce = OCSP_REQUEST_get_ext_by_NID(r, NID_id_pkix_OCSP_Nonce,
		    -1) >= 0;
	n = OCSP_request_onereq_count(r);
	if (n <= 0 || n > 16) {
		OCSP_REQUEST_free(r);
		return NULL;
	}
	for (i = 0; i < n; i++) {
		one = OCSP_request_onereq_get0(r, i);
		ids[i] = OCSP_onereq_get0_id(one);
	}
	der = sign_response(ids, n, signer, o, lenp);
	OCSP_REQUEST_free(r);
	return der;
}

int
testpki_write_pem(const char *path, X509 *cert, EVP_PKEY *key)
{
	FILE	*fp;
	int	 fd, ok;

	if ((fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0600)) == -1)
		return -1;
	if ((fp = fdopen(fd, "w")) == NULL) {
		close(fd);
		return -1;
	}
	ok = (cert == NULL || PEM_write_X509(fp, cert)) &&
	    (key == NULL || PEM_write_PrivateKey(fp, key, NULL, NULL, 0, NULL,
	    NULL));
	if (fclose(fp) != 0)
		ok = 0;
	return ok ? 0 : -1;
}

STACK_OF(X509) *
testpki_stack(X509 *first, ...)
{
	STACK_OF(X509)	*sk;
	va_list		 ap;
	X509		*x;

	if ((sk = sk_X509_new_null()) == NULL)
		die("sk_X509_new_null");
	va_start(ap, first);
	for (x = first; x != NULL; x = va_arg(ap, X509 *)) {
		if (!X509_up_ref(x) || !sk_X509_push(sk, x))
			die("sk_X509_push");
	}
	va_end(ap);
	return sk;
}
