/*
 * ocsp_fetch: test driver for tests/integration/test_ocsp_fetch.sh. Runs
 * ocsp.c and certcheck.c against the real dev OCSP responder.
 *
 *   ocsp_fetch verify CERT ISSUER URL
 *	fetch and verify; prints the verdict ("good", "revoked", ...)
 *   ocsp_fetch chain CERT ISSUER URL TRUST auth|sign
 *	fetch, then certcheck_verify with the anchors in TRUST; prints the
 *	code ("ok", "certificate revoked", ...)
 *   ocsp_fetch cache DIR CERT ISSUER URL
 *	refresh a cache persisted in DIR; prints "refreshed" and the
 *	download endpoint's content type
 *   ocsp_fetch cached DIR CERT ISSUER
 *	a new cache over DIR (no network); prints "cached" or "missing"
 *
 * The message goes to stderr. Exit 0 when the answer is the good one.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/pem.h>

#include "buf.h"
#include "certcheck.h"
#include "log.h"
#include "ocsp.h"

static X509 *
load(const char *path)
{
	FILE	*fp;
	X509	*x;

	if ((fp = fopen(path, "r")) == NULL) {
		perror(path);
		exit(2);
	}
	if ((x = PEM_read_X509(fp, NULL, NULL, NULL)) == NULL) {
		fprintf(stderr, "%s: not a PEM certificate\n", path);
		exit(2);
	}
	fclose(fp);
	return x;
}

static int
do_verify(X509 *cert, X509 *issuer, const char *url)
{
	struct ocsp_verify_params	 p;
	enum ocsp_verdict		 v;
	unsigned char			*der;
	size_t				 len;
	char				 err[512];

	if (ocsp_fetch(cert, issuer, url, NULL, &der, &len, err,
	    sizeof(err)) == -1) {
		fprintf(stderr, "%s\n", err);
		printf("fetch failed\n");
		return 1;
	}
	ocsp_verify_params_init(&p, time(NULL));
	v = ocsp_verify(der, len, cert, issuer, &p, NULL, err, sizeof(err));
	fprintf(stderr, "%s\n", err);
	printf("%s\n", ocsp_verdict_str(v));
	free(der);
	return v == OCSP_V_GOOD ? 0 : 1;
}

static int
do_chain(X509 *cert, X509 *issuer, const char *url, const char *trustfile,
    const char *purpose)
{
	struct certcheck_trust	*t;
	struct certcheck_params	 p;
	struct certcheck_error	 err;
	struct certcheck_ocsp	 co;
	unsigned char		*der = NULL;
	size_t			 len = 0;
	char			 msg[512];
	int			 rv;

	if ((t = certcheck_trust_new()) == NULL ||
	    certcheck_trust_add_pem(t, trustfile) == -1) {
		fprintf(stderr, "%s: cannot load\n", trustfile);
		return 2;
	}
	/* A failed fetch leaves no response: certcheck says "missing". */
	if (ocsp_fetch(cert, issuer, url, NULL, &der, &len, msg,
	    sizeof(msg)) == -1)
		fprintf(stderr, "%s\n", msg);
	co.co_der = der;
	co.co_len = len;
	certcheck_params_init(&p, time(NULL), strcmp(purpose, "auth") == 0 ?
	    CERTCHECK_PURPOSE_AUTH : CERTCHECK_PURPOSE_SIGN);
	rv = certcheck_verify(t, cert, NULL, &co, der != NULL ? 1 : 0, &p,
	    NULL, &err);
	fprintf(stderr, "%s\n", err.ce_msg);
	printf("%s\n", certcheck_code_str(err.ce_code));
	free(der);
	certcheck_trust_free(t);
	return rv == 0 ? 0 : 1;
}

static int
do_cache(const char *dir, X509 *cert, X509 *issuer, const char *url)
{
	struct ocsp_cache	*c;
	struct buf		*body;
	char			 err[512], hex[OCSP_SHA1_HEX_LEN + 1];
	char			 ctype[128];
	const char		*hexes[1] = { hex };
	int			 rv = 1;

	if ((c = ocsp_cache_new(dir)) == NULL ||
	    ocsp_cache_add_cert(c, cert, issuer, url) == -1 ||
	    certcheck_sha1_hex(cert, hex) == -1)
		return 2;
	if (url != NULL) {
		if (ocsp_cache_refresh(c, err, sizeof(err)) == -1) {
			fprintf(stderr, "%s\n", err);
			printf("failed\n");
			goto done;
		}
		printf("refreshed\n");
		if (ocsp_download_body(c, hexes, 1, &body, ctype,
		    sizeof(ctype), err, sizeof(err)) == -1) {
			fprintf(stderr, "%s\n", err);
			goto done;
		}
		printf("%s %zu\n", ctype, buf_len(body));
		buf_free(body);
		rv = 0;
	} else {
		unsigned char	*der;
		size_t		 len;

		if (ocsp_cache_get(c, hex, &der, &len, NULL) == 0) {
			printf("cached\n");
			free(der);
			rv = 0;
		} else
			printf("missing\n");
	}
 done:
	ocsp_cache_free(c);
	return rv;
}

int
main(int argc, char *argv[])
{
	X509	*cert, *issuer;
	int	 rv = 2;

	log_init("ocsp_fetch", 1, LOG_LEVEL_WARN);
	if (argc == 5 && strcmp(argv[1], "verify") == 0) {
		cert = load(argv[2]);
		issuer = load(argv[3]);
		rv = do_verify(cert, issuer, argv[4]);
	} else if (argc == 7 && strcmp(argv[1], "chain") == 0) {
		cert = load(argv[2]);
		issuer = load(argv[3]);
		rv = do_chain(cert, issuer, argv[4], argv[5], argv[6]);
	} else if ((argc == 6 && strcmp(argv[1], "cache") == 0) ||
	    (argc == 5 && strcmp(argv[1], "cached") == 0)) {
		cert = load(argv[3]);
		issuer = load(argv[4]);
		rv = do_cache(argv[2], cert, issuer, argc == 6 ? argv[5] :
		    NULL);
	} else {
		fprintf(stderr, "usage: see tests/integration/ocsp_fetch.c\n");
		return 2;
	}
	X509_free(cert);
	X509_free(issuer);
	return rv;
}
