/*
 * ss_peer: a test-only "rogue" security server for
 * tests/integration/test_exchange.sh. It sends one SOAP request to a
 * server proxy the way a client proxy does (mutual TLS with an auth cert,
 * OCSP parts, a signed transport message) but lets the test choose every
 * piece and spoil one after signing, so that the server proxy's checks
 * can be seen to refuse it:
 *
 *   ss_peer -u URL -a AUTH.pem -k AUTH.key [-o AUTH-OCSP.der]...
 *           -s SIGN.pem -K SIGN.key [-O SIGN-OCSP.der] [-c CHAIN.pem]
 *           [-t body|signature] REQUEST.xml
 *
 * -o: an OCSP response to send for the auth cert (any number, none is
 * allowed); -O: the one embedded in the signature; -c: CA certificates
 * sent along with the auth cert and put into the signature; -t body:
 * change one byte of the SOAP body after signing (the signature stays);
 * -t signature: change one byte of the SignatureValue.
 *
 * The answer's body goes to stdout and "HTTP <status>" (or the transport
 * error) to stderr. Exit 0 when an HTTP answer came, 1 on a transport
 * error (TLS refused, ...), 2 on bad usage.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "buf.h"
#include "httpc.h"
#include "log.h"
#include "signer.h"
#include "transport.h"
#include "xrmsg.h"
#include "xsig.h"

#define KEY_ID	"rogue"

static void
usage(void)
{
	fprintf(stderr, "usage: ss_peer -u URL -a AUTH.pem -k AUTH.key "
	    "[-o OCSP.der]... -s SIGN.pem -K SIGN.key [-O OCSP.der] "
	    "[-c CHAIN.pem] [-t body|signature] REQUEST.xml\n");
	exit(2);
}

static unsigned char *
slurp(const char *path, size_t *lenp)
{
	FILE		*fp;
	unsigned char	*p;
	long		 n;

	if ((fp = fopen(path, "rb")) == NULL || fseek(fp, 0, SEEK_END) != 0 ||
	    (n = ftell(fp)) < 0 || fseek(fp, 0, SEEK_SET) != 0 ||
	    (p = malloc((size_t)n + 1)) == NULL ||
	    fread(p, 1, (size_t)n, fp) != (size_t)n) {
		perror(path);
		exit(2);
	}
	fclose(fp);
	p[n] = '\0';
	*lenp = (size_t)n;
	return p;
}

int
main(int argc, char *argv[])
{
	const char		*url = NULL, *auth = NULL, *authkey = NULL;
	const char		*sign = NULL, *signkey = NULL, *chain = NULL;
	const char		*tamper = NULL, *signocsp = NULL;
	const char		*ocspf[TRANSPORT_MAX_OCSP];
	struct xsig_der		 ocsp[TRANSPORT_MAX_OCSP], sdo;
	size_t			 nocsp = 0, i;
	struct transport_out	 o;
	struct xsig_sign_params	 sp;
	struct xsig_ref		 ref;
	struct signer		*sg;
	struct httpc		*c;
	struct httpc_tls	 t;
	struct httpc_req	 rq;
	struct httpc_resp	*resp = NULL;
	struct buf		*body = NULL;
	unsigned char		*msg, *so = NULL, digest[XR_SHA512_LEN];
	unsigned char		*p;
	char			*sig = NULL, ctype[256], err[256], hct[300];
	const char		*hdrs[5];
	size_t			 msglen, siglen, solen = 0;
	int			 ch, rc;

	log_init("ss_peer", 1, LOG_LEVEL_WARN);
	while ((ch = getopt(argc, argv, "a:c:K:k:O:o:s:t:u:")) != -1) {
		switch (ch) {
		case 'a':
			auth = optarg;
			break;
		case 'c':
			chain = optarg;
			break;
		case 'K':
			signkey = optarg;
			break;
		case 'k':
			authkey = optarg;
			break;
		case 'O':
			signocsp = optarg;
			break;
		case 'o':
			if (nocsp == TRANSPORT_MAX_OCSP)
				usage();
			ocspf[nocsp++] = optarg;
			break;
		case 's':
			sign = optarg;
			break;
		case 't':
			tamper = optarg;
			break;
		case 'u':
			url = optarg;
			break;
		default:
			usage();
		}
	}
	if (url == NULL || auth == NULL || authkey == NULL || sign == NULL ||
	    signkey == NULL || optind + 1 != argc)
		usage();
	msg = slurp(argv[optind], &msglen);
	for (i = 0; i < nocsp; i++)
		ocsp[i].xd_der = slurp(ocspf[i], &ocsp[i].xd_len);
	if (signocsp != NULL) {
		so = slurp(signocsp, &solen);
		sdo.xd_der = so;
		sdo.xd_len = solen;
	}

	/* Sign the message directly, as a batch of one. */
	if ((sg = signer_new()) == NULL ||
	    signer_add_key_files(sg, KEY_ID, signkey, sign, chain) == -1) {
		fprintf(stderr, "cannot load the signing key\n");
		return 2;
	}
	if (xr_sha512(msg, msglen, digest) == -1)
		return 2;
	memset(&sp, 0, sizeof(sp));
	ref.xr_uri = XSIG_URI_MESSAGE;
	ref.xr_digest = digest;
	ref.xr_mime = XSIG_MIME_XML;
	sp.sp_signer = sg;
	sp.sp_key_id = KEY_ID;
	sp.sp_refs = &ref;
	sp.sp_nrefs = 1;
	sp.sp_ocsp = so != NULL ? &sdo : NULL;
	sp.sp_nocsp = so != NULL ? 1 : 0;
	if (xsig_sign(&sp, &sig, &siglen) != 0) {
		fprintf(stderr, "signing failed\n");
		return 2;
	}
	if (tamper != NULL && strcmp(tamper, "body") == 0) {
		/* A digit of the body: still well-formed, no longer signed. */
		p = (unsigned char *)strstr((char *)msg, "Body");
		if (p == NULL ||
		    (p = (unsigned char *)strpbrk((char *)p, "0123456789")) ==
		    NULL) {
			fprintf(stderr, "no digit in the body to change\n");
			return 2;
		}
		*p = *p == '9' ? '8' : (unsigned char)(*p + 1);
	} else if (tamper != NULL && strcmp(tamper, "signature") == 0) {
		char *v = strstr(sig, "SignatureValue");

		if (v == NULL || (v = strchr(v, '>')) == NULL) {
			fprintf(stderr, "no SignatureValue\n");
			return 2;
		}
		v[4] = v[4] == 'A' ? 'B' : 'A';
	} else if (tamper != NULL)
		usage();

	memset(&o, 0, sizeof(o));
	o.to_kind = TRANSPORT_SOAP;
	o.to_dir = TRANSPORT_REQUEST;
	o.to_ocsp = ocsp;
	o.to_nocsp = nocsp;
	o.to_msg = msg;
	o.to_msg_len = msglen;
	o.to_sig = sig;
	o.to_sig_len = siglen;
	if (transport_build(&o, 16 * 1024 * 1024, &body, ctype, sizeof(ctype),
	    err, sizeof(err)) == -1) {
		fprintf(stderr, "transport: %s\n", err);
		return 2;
	}

	memset(&t, 0, sizeof(t));
	t.ht_cert_file = auth;
	t.ht_key_file = authkey;
	t.ht_no_verify_peer = 1;
	t.ht_no_verify_host = 1;
	if ((c = httpc_new(&t)) == NULL)
		return 2;
	(void)snprintf(hct, sizeof(hct), "Content-Type: %s", ctype);
	hdrs[0] = hct;
	hdrs[1] = "x-hash-algorithm: SHA-512";
	hdrs[2] = "x-original-content-type: text/xml; charset=UTF-8";
	hdrs[3] = "x-proxy-version: ss_peer";
	hdrs[4] = NULL;
	memset(&rq, 0, sizeof(rq));
	rq.hr_method = "POST";
	rq.hr_url = url;
	rq.hr_headers = hdrs;
	rq.hr_body = buf_data(body);
	rq.hr_body_len = buf_len(body);
	rq.hr_timeout_ms = 20000;
	rq.hr_max_body = 16 * 1024 * 1024;
	if ((rc = httpc_request(c, &rq, &resp)) != 0) {
		fprintf(stderr, "%s: %s\n", httpc_strerror(rc),
		    httpc_errmsg(c));
		rc = 1;
	} else {
		fprintf(stderr, "HTTP %d\n", httpc_resp_status(resp));
		fwrite(buf_data(httpc_resp_body(resp)), 1,
		    buf_len(httpc_resp_body(resp)), stdout);
	}
	httpc_resp_free(resp);
	httpc_free(c);
	buf_free(body);
	signer_free(sg);
	free(sig);
	free(msg);
	free(so);
	for (i = 0; i < nocsp; i++)
		free((void *)ocsp[i].xd_der);
	return rc;
}
