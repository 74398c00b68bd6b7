/*
 * evtest.c: message log evidence made from real pieces (evtest.h).
 */
#include "config.h"

#include <sys/stat.h>

#include <ftw.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <openssl/bn.h>
#include <openssl/evp.h>
#include <openssl/ocsp.h>
#include <openssl/rand.h>
#include <openssl/ts.h>

#include <zip.h>

#include "asic.h"
#include "asicverify.h"
#include "b64.h"
#include "buf.h"
#include "evtest.h"
#include "globalconf.h"
#include "hashchain.h"
#include "rest.h"
#include "sigtest.h"
#include "signer.h"
#include "soap.h"
#include "tsa.h"
#include "xrmsg.h"
#include "xsig.h"

static void die(const char *) __attribute__((noreturn));

static void
die(const char *what)
{
	fprintf(stderr, "evtest: %s failed\n", what);
	abort();
}

static void
der_of(X509 *x, unsigned char **d, size_t *l)
{
	int	n;

	*d = NULL;
	if ((n = i2d_X509(x, d)) <= 0)
		die("i2d_X509");
	*l = (size_t)n;
}

static void
add_key(struct signer *sg, const char *id, struct testpki_pair *leaf,
    struct testpki_pair *ca, struct testpki_pair *root)
{
	struct sigtest_key	k;

	k.root = *root;
	k.ca = *ca;
	k.leaf = *leaf;
	sigtest_key_add(sg, id, &k);
}

void
evtest_init(struct evtest *ev)
{
	struct testpki_opts	 o;
	struct gconf		*gc;
	unsigned char		*d;
	size_t			 l;
	char			 path[300], err[512];
	int			 ca;

	memset(ev, 0, sizeof(*ev));
	(void)snprintf(ev->dir, sizeof(ev->dir), "/tmp/hk-evtest-XXXXXX");
	if (mkdtemp(ev->dir) == NULL)
		die("mkdtemp");
	ev->root = testpki_new(TESTPKI_ROOT, "/C=PS/O=Test/CN=Test Root",
	    NULL);
	ev->ca = testpki_new(TESTPKI_CA, "/C=PS/O=Test/CN=Test Issuing CA",
	    &ev->root);
	memset(&o, 0, sizeof(o));
	o.subject = "/C=PS/O=GOV/CN=MTIT";
	ev->mtit = testpki_new_opts(TESTPKI_SIGN, &o, &ev->ca);
	o.subject = "/C=PS/O=GOV/CN=MOI";
	ev->moi = testpki_new_opts(TESTPKI_SIGN, &o, &ev->ca);
	ev->tsa_cert = testpki_new(TESTPKI_TSA, "/C=PS/O=Test/CN=Test TSA",
	    &ev->ca);
	ev->other_tsa = testpki_new(TESTPKI_TSA,
	    "/C=PS/O=Test/CN=Unapproved TSA", &ev->ca);

	if ((ev->sg = signer_new()) == NULL)
		die("signer_new");
	add_key(ev->sg, EVTEST_KEY_MTIT, &ev->mtit, &ev->ca, &ev->root);
	add_key(ev->sg, EVTEST_KEY_MOI, &ev->moi, &ev->ca, &ev->root);

	(void)snprintf(path, sizeof(path), "%s/tsa-serial", ev->dir);
	if ((ev->serial = tsa_serial_open(path, 1)) == NULL ||
	    (ev->tsa = tsa_new(ev->tsa_cert.key, ev->tsa_cert.cert, NULL, NULL,
	    ev->serial)) == NULL)
		die("tsa");

	/* The global configuration: the issuing CA and the TSA approved. */
	if ((gc = gconf_new("PS")) == NULL ||
	    gconf_add_source(gc, "127.0.0.1:1") == -1)
		die("gconf_new");
	der_of(ev->root.cert, &d, &l);
	if (gconf_source_add_cert(gc, 0, 0, d, l) == -1)
		die("gconf_source_add_cert");
	OPENSSL_free(d);
	der_of(ev->ca.cert, &d, &l);
	if ((ca = gconf_add_ca(gc, "Test Issuing CA", d, l,
	    "ee.ria.xroad.common.certificateprofile.impl."
	    "EjbcaCertificateProfileInfoProvider")) != 0 ||
	    gconf_ca_add_ocsp(gc, (size_t)ca, 0, "http://127.0.0.1:1/ocsp",
	    NULL, 0) == -1)
		die("gconf_add_ca");
	OPENSSL_free(d);
	der_of(ev->tsa_cert.cert, &d, &l);
	if (gconf_add_tsa(gc, "Test TSA", "http://127.0.0.1:1/tsa", d, l) ==
	    -1)
		die("gconf_add_tsa");
	OPENSSL_free(d);
	if (gconf_add_member_class(gc, "GOV", "Government") == -1 ||
	    gconf_add_member(gc, "GOV", "MTIT", "Ministry of IT") == -1 ||
	    gconf_add_subsystem(gc, "GOV", "MTIT", "SSO") == -1 ||
	    gconf_add_member(gc, "GOV", "MOI", "Ministry of Interior") == -1 ||
	    gconf_add_subsystem(gc, "GOV", "MOI", "CIVIL-REGISTER") == -1 ||
	    gconf_set_ocsp_freshness(gc, 3600) == -1)
		die("gconf members");
	if (gconf_write_shared(gc, &ev->shared, &ev->sharedlen, err,
	    sizeof(err)) == -1) {
		fprintf(stderr, "evtest: %s\n", err);
		die("gconf_write_shared");
	}
	gconf_free(gc);
}

static int
rm_entry(const char *path, const struct stat *sb, int flag, struct FTW *f)
{
	(void)sb;
	(void)flag;
	(void)f;
	return remove(path);
}

void
evtest_free(struct evtest *ev)
{
	tsa_free(ev->tsa);
	tsa_serial_close(ev->serial);
	signer_free(ev->sg);
	free(ev->shared);
	testpki_clear(&ev->other_tsa);
	testpki_clear(&ev->tsa_cert);
	testpki_clear(&ev->moi);
	testpki_clear(&ev->mtit);
	testpki_clear(&ev->ca);
	testpki_clear(&ev->root);
	if (ev->dir[0] != '\0' && getenv("EVTEST_KEEP") == NULL)
		(void)nftw(ev->dir, rm_entry, 8, FTW_DEPTH | FTW_PHYS);
	memset(ev, 0, sizeof(*ev));
}

struct asicv_conf *
evtest_conf(struct evtest *ev)
{
	struct asicv_conf	*c;
	struct gconf		*gc;
	char			 err[512];

	if (gconf_parse(&gc, 0, ev->shared, ev->sharedlen, NULL, 0,
	    sigtest_schema_dir(), err, sizeof(err)) == -1) {
		fprintf(stderr, "evtest: %s\n", err);
		die("gconf_parse");
	}
	if ((c = asicv_conf_new()) == NULL || asicv_conf_add(c, gc) == -1)
		die("asicv_conf_add");
	return c;
}

/* Messages. */

#define SOAP_REQUEST_FMT \
"<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n" \
"<SOAP-ENV:Envelope xmlns:SOAP-ENV=\"http://schemas.xmlsoap.org/soap/envelope/\"" \
" xmlns:xrd=\"http://x-road.eu/xsd/xroad.xsd\"" \
" xmlns:id=\"http://x-road.eu/xsd/identifiers\"" \
" xmlns:cr=\"http://moi.gov.ps/civil-register\">\n" \
"<SOAP-ENV:Header>\n" \
"<xrd:client id:objectType=\"SUBSYSTEM\"><id:xRoadInstance>PS</id:xRoadInstance>" \
"<id:memberClass>GOV</id:memberClass><id:memberCode>MTIT</id:memberCode>" \
"<id:subsystemCode>SSO</id:subsystemCode></xrd:client>\n" \
"<xrd:service id:objectType=\"SERVICE\"><id:xRoadInstance>PS</id:xRoadInstance>" \
"<id:memberClass>GOV</id:memberClass><id:memberCode>MOI</id:memberCode>" \
"<id:subsystemCode>CIVIL-REGISTER</id:subsystemCode>" \
"<id:serviceCode>getPerson</id:serviceCode></xrd:service>\n" \
"<xrd:id>%s</xrd:id>\n" \
"<xrd:userId>PS400000001</xrd:userId>\n" \
"<xrd:protocolVersion>4.0</xrd:protocolVersion>\n" \
"</SOAP-ENV:Header>\n" \
"<SOAP-ENV:Body><cr:getPerson><cr:nationalId>400000001</cr:nationalId>" \
"</cr:getPerson></SOAP-ENV:Body>\n" \
"</SOAP-ENV:Envelope>\n"

#define SOAP_RESPONSE_FMT \
"<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n" \
"<SOAP-ENV:Envelope xmlns:SOAP-ENV=\"http://schemas.xmlsoap.org/soap/envelope/\"" \
" xmlns:xrd=\"http://x-road.eu/xsd/xroad.xsd\"" \
" xmlns:id=\"http://x-road.eu/xsd/identifiers\"" \
" xmlns:cr=\"http://moi.gov.ps/civil-register\">\n" \
"<SOAP-ENV:Header>\n" \
"<xrd:client id:objectType=\"SUBSYSTEM\"><id:xRoadInstance>PS</id:xRoadInstance>" \
"<id:memberClass>GOV</id:memberClass><id:memberCode>MTIT</id:memberCode>" \
"<id:subsystemCode>SSO</id:subsystemCode></xrd:client>\n" \
"<xrd:service id:objectType=\"SERVICE\"><id:xRoadInstance>PS</id:xRoadInstance>" \
"<id:memberClass>GOV</id:memberClass><id:memberCode>MOI</id:memberCode>" \
"<id:subsystemCode>CIVIL-REGISTER</id:subsystemCode>" \
"<id:serviceCode>getPerson</id:serviceCode></xrd:service>\n" \
"<xrd:id>%s</xrd:id>\n" \
"<xrd:userId>PS400000001</xrd:userId>\n" \
"<xrd:protocolVersion>4.0</xrd:protocolVersion>\n" \
"<xrd:requestHash algorithmId=\"http://www.w3.org/2001/04/xmlenc#sha512\">%s" \
"</xrd:requestHash>\n" \
"</SOAP-ENV:Header>\n" \
"<SOAP-ENV:Body><cr:getPersonResponse><cr:name>Amal Haddad</cr:name>" \
"<cr:born>1990-01-01</cr:born></cr:getPersonResponse></SOAP-ENV:Body>\n" \
"</SOAP-ENV:Envelope>\n"

/* The request (response 0, a = id) or the response (a = id, b = hash). */
static char *
fmt(size_t *lenp, int response, const char *a, const char *b)
{
	char	*s;
	int	 n;

	n = response ? snprintf(NULL, 0, SOAP_RESPONSE_FMT, a, b) :
	    snprintf(NULL, 0, SOAP_REQUEST_FMT, a);
	if (n < 0 || (s = malloc((size_t)n + 1)) == NULL)
		die("fmt");
	if (response)
		(void)snprintf(s, (size_t)n + 1, SOAP_RESPONSE_FMT, a, b);
	else
		(void)snprintf(s, (size_t)n + 1, SOAP_REQUEST_FMT, a);
	*lenp = (size_t)n;
	return s;
}

void
evtest_soap_request(struct evtest_rec *r, const char *id)
{
	memset(r, 0, sizeof(*r));
	r->msg = fmt(&r->msglen, 0, id, NULL);
}

void
evtest_soap_response(struct evtest_rec *r, const struct evtest_rec *req)
{
	struct soap_msg	*m;
	struct xr_err	 xe;
	char		*h;

	memset(r, 0, sizeof(*r));
	if (soap_parse(req->msg, req->msglen, NULL, 1 << 20, SOAP_REQUEST, &m,
	    &xe) == -1 || soap_request_hash(m, &h) == -1)
		die("soap request");
	r->msg = fmt(&r->msglen, 1, soap_msg_id(m), h);
	free(h);
	soap_msg_free(m);
}

static char *
dup_bytes(const void *p, size_t len)
{
	char	*s;

	if ((s = malloc(len + 1)) == NULL)
		die("malloc");
	memcpy(s, p, len);
	s[len] = '\0';
	return s;
}

void
evtest_rest_request(struct evtest_rec *r, const char *id, const char *body)
{
	struct rest_header	 h[] = {
		{ "X-Road-Client", "PS/GOV/MTIT/SSO" },
		{ "Content-Type", "application/json" }
	};
	struct rest_req		*rq;
	struct buf		*b;
	struct xr_err		 xe;

	memset(r, 0, sizeof(*r));
	if (rest_req_from_http("POST",
	    "/r1/PS/GOV/MOI/CIVIL-REGISTER/persons?q=1", h, 2, "rid-1", &rq,
	    &xe) == -1 || rest_req_set_id(rq, id) == -1 ||
	    rest_req_serialize(rq, &b) == -1)
		die("rest request");
	r->msg = dup_bytes(buf_data(b), buf_len(b));
	r->msglen = buf_len(b);
	buf_free(b);
	rest_req_free(rq);
	if (body != NULL) {
		r->att = (unsigned char *)dup_bytes(body, strlen(body));
		r->attlen = strlen(body);
	}
}

void
evtest_rest_response(struct evtest_rec *r, const struct evtest_rec *req)
{
	struct rest_header	 h[] = {
		{ "Content-Type", "application/json" }
	};
	struct rest_req		*rq;
	struct rest_resp	*rs;
	struct buf		*b;
	struct xr_err		 xe;
	unsigned char		 md[64];
	char			*hash;
	static const char	 body[] = "{\"name\":\"Amal Haddad\"}";

	memset(r, 0, sizeof(*r));
	if (req->att != NULL)
		sigtest_sha512(req->att, req->attlen, md);
	if (rest_req_parse(req->msg, req->msglen, &rq, &xe) == -1 ||
	    rest_request_hash_raw(req->msg, req->msglen,
	    req->att != NULL ? md : NULL, &hash) == -1 ||
	    rest_resp_new(rq, 200, "OK", h, 1, hash, &rs, &xe) == -1 ||
	    rest_resp_serialize(rs, &b) == -1)
		die("rest response");
	r->msg = dup_bytes(buf_data(b), buf_len(b));
	r->msglen = buf_len(b);
	r->att = (unsigned char *)dup_bytes(body, strlen(body));
	r->attlen = strlen(body);
	free(hash);
	buf_free(b);
	rest_resp_free(rs);
	rest_req_free(rq);
}

/* Signatures. */

static struct testpki_pair *
leaf_of(struct evtest *ev, const char *key_id)
{
	return strcmp(key_id, EVTEST_KEY_MOI) == 0 ? &ev->moi : &ev->mtit;
}

void
evtest_sign(struct evtest *ev, struct evtest_rec *r, const char *key_id,
    int ocsp_status, long ocsp_age)
{
	struct xsig_sign_params	 sp;
	struct xsig_ref		 ref;
	struct xsig_der		 ocsp;
	struct testpki_ocsp_opts oo;
	struct hashchain	*hc = NULL;
	unsigned char		 parts[2 * 64], hmd[64];
	unsigned char		*od;
	size_t			 olen, np;
	time_t			 now = time(NULL);

	np = r->att != NULL ? 2 : 1;
	sigtest_sha512(r->msg, r->msglen, parts);
	if (r->att != NULL)
		sigtest_sha512(r->att, r->attlen, parts + 64);

	testpki_ocsp_opts_init(&oo);
	oo.status = ocsp_status;
	oo.this_update = now - ocsp_age;
	od = testpki_ocsp_response(leaf_of(ev, key_id)->cert, ev->ca.cert,
	    &ev->ca, &oo, &olen);
	ocsp.xd_der = od;
	ocsp.xd_len = olen;

	memset(&ref, 0, sizeof(ref));
	if (np == 1) {
		ref.xr_uri = XSIG_URI_MESSAGE;
		ref.xr_digest = parts;
		ref.xr_mime = XSIG_MIME_XML;
	} else {
		/* A message with its attachment: a one-input hash chain. */
		if ((hc = hashchain_new()) == NULL ||
		    hashchain_add_input(hc, parts, np) != 0 ||
		    hashchain_finish(hc) == -1 ||
		    hashchain_result_xml(hc, XSIG_URI_HASHCHAIN, &r->sig_hcr,
		    &r->sig_hcrlen) == -1 ||
		    hashchain_chain_xml(hc, 0, XSIG_URI_MESSAGE, NULL,
		    &r->sig_hc, &r->sig_hclen) == -1)
			die("sig hash chain");
		hashchain_free(hc);
		sigtest_sha512(r->sig_hcr, r->sig_hcrlen, hmd);
		ref.xr_uri = XSIG_URI_HASHCHAIN_RESULT;
		ref.xr_digest = hmd;
		ref.xr_mime = XSIG_MIME_HASHCHAIN_RESULT;
	}
	memset(&sp, 0, sizeof(sp));
	sp.sp_signer = ev->sg;
	sp.sp_key_id = key_id;
	sp.sp_refs = &ref;
	sp.sp_nrefs = 1;
	sp.sp_ocsp = &ocsp;
	sp.sp_nocsp = 1;
	sp.sp_time_ms = (int64_t)now * 1000;
	if (xsig_sign(&sp, &r->sig, &r->siglen) != 0)
		die("xsig_sign");
	free(od);
}

unsigned char *
evtest_token(struct evtest *ev, const void *data, size_t len, size_t *lenp)
{
	TS_REQ			*req;
	TS_MSG_IMPRINT		*mi;
	X509_ALGOR		*alg;
	TS_RESP			*resp;
	struct tsa_result	 res;
	unsigned char		 md[64], *der = NULL, *rd = NULL, *out;
	const unsigned char	*p;
	size_t			 rlen;
	int			 n;

	sigtest_sha512(data, len, md);
	if ((req = TS_REQ_new()) == NULL || (mi = TS_MSG_IMPRINT_new()) ==
	    NULL || (alg = X509_ALGOR_new()) == NULL ||
	    !TS_REQ_set_version(req, 1) ||
	    !X509_ALGOR_set0(alg, OBJ_nid2obj(NID_sha512), V_ASN1_NULL, NULL) ||
	    !TS_MSG_IMPRINT_set_algo(mi, alg) ||
	    !TS_MSG_IMPRINT_set_msg(mi, md, 64) ||
	    !TS_REQ_set_msg_imprint(req, mi) || !TS_REQ_set_cert_req(req, 1))
		die("TS_REQ");
	if ((n = i2d_TS_REQ(req, &der)) <= 0)
		die("i2d_TS_REQ");
	if (tsa_respond(ev->tsa, der, (size_t)n, &rd, &rlen, &res) == -1 ||
	    res.tr_status != 0)
		die("tsa_respond");
	p = rd;
	if ((resp = d2i_TS_RESP(NULL, &p, (long)rlen)) == NULL)
		die("d2i_TS_RESP");
	OPENSSL_free(der);
	der = NULL;
	if ((n = i2d_PKCS7(TS_RESP_get_token(resp), &der)) <= 0)
		die("i2d_PKCS7");
	if ((out = malloc((size_t)n)) == NULL)
		die("malloc");
	memcpy(out, der, (size_t)n);
	*lenp = (size_t)n;
	OPENSSL_free(der);
	TS_RESP_free(resp);
	free(rd);
	TS_REQ_free(req);
	TS_MSG_IMPRINT_free(mi);
	X509_ALGOR_free(alg);
	return out;
}

void
evtest_stamp_single(struct evtest *ev, struct evtest_rec *r)
{
	unsigned char	*sv;
	size_t		 svlen;

	if (asic_sig_value(r->sig, r->siglen, &sv, &svlen) == -1)
		die("asic_sig_value");
	r->tok = evtest_token(ev, sv, svlen, &r->toklen);
	free(sv);
}

void
evtest_stamp_batch(struct evtest *ev, struct evtest_rec **recs, size_t n)
{
	struct hashchain	*hc;
	unsigned char		 md[64];
	char			*hcr;
	size_t			 hcrlen, i;

	if (n < 2 || (hc = hashchain_new()) == NULL)
		die("batch");
	for (i = 0; i < n; i++) {
		sigtest_sha512(recs[i]->sig, recs[i]->siglen, md);
		if (hashchain_add_input(hc, md, 1) != (long)i)
			die("hashchain_add_input");
	}
	if (hashchain_finish(hc) == -1 ||
	    hashchain_result_xml(hc, ASIC_URI_TS_HC, &hcr, &hcrlen) == -1)
		die("ts hash chain");
	for (i = 0; i < n; i++) {
		if (hashchain_chain_xml(hc, i, ASIC_URI_SIGNATURE, NULL,
		    &recs[i]->ts_hc, &recs[i]->ts_hclen) == -1)
			die("ts chain");
		recs[i]->ts_hcr = dup_bytes(hcr, hcrlen);
		recs[i]->ts_hcrlen = hcrlen;
		recs[i]->tok = i == 0 ? evtest_token(ev, hcr, hcrlen,
		    &recs[i]->toklen) : (unsigned char *)dup_bytes(recs[0]->tok,
		    recs[0]->toklen);
		recs[i]->toklen = recs[0]->toklen;
	}
	free(hcr);
	hashchain_free(hc);
}

void
evtest_parts(const struct evtest_rec *r, struct asic_parts *p,
    struct asic_data *att)
{
	memset(p, 0, sizeof(*p));
	p->ap_message.ad_data = (const unsigned char *)r->msg;
	p->ap_message.ad_len = r->msglen;
	if (r->att != NULL) {
		att->ad_data = r->att;
		att->ad_len = r->attlen;
		p->ap_attachments = att;
		p->ap_nattachments = 1;
	}
	p->ap_signature.ad_data = (const unsigned char *)r->sig;
	p->ap_signature.ad_len = r->siglen;
	p->ap_sig_hashchain_result.ad_data = (const unsigned char *)r->sig_hcr;
	p->ap_sig_hashchain_result.ad_len = r->sig_hcrlen;
	p->ap_sig_hashchain.ad_data = (const unsigned char *)r->sig_hc;
	p->ap_sig_hashchain.ad_len = r->sig_hclen;
	p->ap_ts_token.ad_data = r->tok;
	p->ap_ts_token.ad_len = r->toklen;
	p->ap_ts_hashchain_result.ad_data = (const unsigned char *)r->ts_hcr;
	p->ap_ts_hashchain_result.ad_len = r->ts_hcrlen;
	p->ap_ts_hashchain.ad_data = (const unsigned char *)r->ts_hc;
	p->ap_ts_hashchain.ad_len = r->ts_hclen;
}

unsigned char *
evtest_container(const struct evtest_rec *r, int64_t time_ms, size_t *lenp)
{
	struct asic_parts	 p;
	struct asic_data	 att;
	unsigned char		*out;
	char			 err[512];

	evtest_parts(r, &p, &att);
	p.ap_time_ms = time_ms;
	if (asic_build(&p, &out, lenp, err, sizeof(err)) == -1) {
		fprintf(stderr, "evtest: %s\n", err);
		die("asic_build");
	}
	return out;
}

void
evtest_rec_clear(struct evtest_rec *r)
{
	free(r->msg);
	free(r->att);
	free(r->sig);
	free(r->sig_hcr);
	free(r->sig_hc);
	free(r->tok);
	free(r->ts_hcr);
	free(r->ts_hc);
	memset(r, 0, sizeof(*r));
}

/* ZIP surgery. */

static unsigned char *
source_bytes(zip_source_t *src, size_t *lenp)
{
	zip_stat_t	 st;
	unsigned char	*b;

	zip_stat_init(&st);
	if (zip_source_stat(src, &st) == -1 || zip_source_open(src) == -1 ||
	    (b = malloc(st.size)) == NULL ||
	    zip_source_read(src, b, st.size) != (zip_int64_t)st.size)
		die("zip source read");
	(void)zip_source_close(src);
	*lenp = st.size;
	return b;
}

unsigned char *
evtest_zip_entry(const unsigned char *zip, size_t len, const char *name,
    size_t *lenp)
{
	zip_source_t	*src;
	zip_t		*za;
	zip_int64_t	 idx;
	unsigned char	*out;
	char		 err[256];

	if ((src = zip_source_buffer_create(zip, len, 0, NULL)) == NULL ||
	    (za = zip_open_from_source(src, ZIP_RDONLY, NULL)) == NULL)
		die("zip open");
	if ((idx = zip_name_locate(za, name, 0)) < 0)
		die("zip_name_locate");
	if (asic_zip_read(za, (zip_uint64_t)idx, name, 1 << 30, NULL, &out,
	    lenp, err, sizeof(err)) == -1)
		die("asic_zip_read");
	zip_discard(za);
	return out;
}

static unsigned char *
zip_alter(const unsigned char *zip, size_t len, const char *name,
    const char *find, size_t skip, size_t at, size_t *lenp)
{
	unsigned char	*data, *out, *hit;
	size_t		 dlen, pos;

	data = evtest_zip_entry(zip, len, name, &dlen);
	if (find != NULL) {
		if ((hit = memmem(data, dlen, find, strlen(find))) == NULL)
		{
			fprintf(stderr, "evtest: %s not in %s\n", find, name);
			die("evtest_zip_alter: text not found");
		}
		pos = (size_t)(hit - data) + skip;
	} else if (at != (size_t)-1)
		pos = at;
	else
		pos = dlen / 2;
	if (pos >= dlen)
		die("evtest_zip_alter: position");
	if ((data[pos] >= 'a' && data[pos] <= 'z') ||
	    (data[pos] >= 'A' && data[pos] <= 'Z'))
		data[pos] ^= 0x20;
	else
		data[pos] ^= 0x01;
	out = evtest_zip_replace(zip, len, name, data, dlen, 0, lenp);
	free(data);
	return out;
}

unsigned char *
evtest_zip_replace(const unsigned char *zip, size_t len, const char *name,
    const void *data, size_t dlen, int store, size_t *lenp)
{
	zip_source_t	*src, *ns;
	zip_t		*za;
	zip_int64_t	 idx;
	unsigned char	*copy, *dcopy, *out;

	if ((copy = malloc(len)) == NULL || (dcopy = malloc(dlen + 1)) == NULL)
		die("malloc");
	memcpy(copy, zip, len);
	memcpy(dcopy, data, dlen);
	if ((src = zip_source_buffer_create(copy, len, 1, NULL)) == NULL ||
	    (za = zip_open_from_source(src, 0, NULL)) == NULL)
		die("zip open rw");
	zip_source_keep(src);
	if ((idx = zip_name_locate(za, name, 0)) < 0 ||
	    (ns = zip_source_buffer(za, dcopy, dlen, 1)) == NULL ||
	    zip_file_replace(za, (zip_uint64_t)idx, ns, 0) == -1 ||
	    (store && zip_set_file_compression(za, (zip_uint64_t)idx,
	    ZIP_CM_STORE, 0) == -1))
		die("zip_file_replace");
	if (zip_close(za) == -1)
		die("zip_close");
	out = source_bytes(src, lenp);
	zip_source_free(src);
	return out;
}

unsigned char *
evtest_zip_alter(const unsigned char *zip, size_t len, const char *name,
    const char *find, size_t skip, size_t *lenp)
{
	return zip_alter(zip, len, name, find, skip, (size_t)-1, lenp);
}

unsigned char *
evtest_zip_alter_at(const unsigned char *zip, size_t len, const char *name,
    size_t pos, size_t *lenp)
{
	return zip_alter(zip, len, name, NULL, 0, pos, lenp);
}

void
evtest_write(const char *path, const void *data, size_t len)
{
	FILE	*f;

	if ((f = fopen(path, "wb")) == NULL ||
	    fwrite(data, 1, len, f) != len || fclose(f) != 0)
		die("evtest_write");
}

unsigned char *
evtest_read(const char *path, size_t *lenp)
{
	size_t	len;

	return (unsigned char *)sigtest_read_file(path, lenp != NULL ? lenp :
	    &len);
}
