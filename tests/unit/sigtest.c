/*
 * sigtest.c: shared helpers of the signature unit tests.
 */
#include "config.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/bio.h>
#include <openssl/evp.h>
#include <openssl/pem.h>

#include "signer.h"
#include "sigtest.h"

static void die(const char *) __attribute__((noreturn));

static void
die(const char *what)
{
	fprintf(stderr, "sigtest: %s failed\n", what);
	abort();
}

void
sigtest_key_new(struct sigtest_key *k, int rsa, const char *subject)
{
	struct testpki_opts	o;

	k->root = testpki_new(TESTPKI_ROOT, "/C=PS/O=Test/CN=Test Root",
	    NULL);
	k->ca = testpki_new(TESTPKI_CA, "/C=PS/O=Test/CN=Test Issuing CA",
	    &k->root);
	memset(&o, 0, sizeof(o));
	o.subject = subject;
	o.rsa = rsa;
	k->leaf = testpki_new_opts(TESTPKI_SIGN, &o, &k->ca);
}

void
sigtest_key_clear(struct sigtest_key *k)
{
	testpki_clear(&k->leaf);
	testpki_clear(&k->ca);
	testpki_clear(&k->root);
}

static char *
bio_take(BIO *bio, size_t *lenp)
{
	char	*p, *out;
	long	 n;

	if ((n = BIO_get_mem_data(bio, &p)) <= 0 ||
	    (out = malloc((size_t)n + 1)) == NULL)
		die("bio_take");
	memcpy(out, p, (size_t)n);
	out[n] = '\0';
	*lenp = (size_t)n;
	BIO_free(bio);
	return out;
}

char *
sigtest_pem_key(EVP_PKEY *key, size_t *lenp)
{
	BIO	*bio;

	if ((bio = BIO_new(BIO_s_mem())) == NULL ||
	    !PEM_write_bio_PrivateKey(bio, key, NULL, NULL, 0, NULL, NULL))
		die("PEM_write_bio_PrivateKey");
	return bio_take(bio, lenp);
}

char *
sigtest_pem_certs(size_t *lenp, X509 *first, ...)
{
	va_list	 ap;
	BIO	*bio;
	X509	*x;

	if ((bio = BIO_new(BIO_s_mem())) == NULL)
		die("BIO_new");
	va_start(ap, first);
	for (x = first; x != NULL; x = va_arg(ap, X509 *))
		if (!PEM_write_bio_X509(bio, x))
			die("PEM_write_bio_X509");
	va_end(ap);
	return bio_take(bio, lenp);
}

void
sigtest_key_add(struct signer *sg, const char *key_id,
    const struct sigtest_key *k)
{
	char	*key, *cert, *chain;
	size_t	 klen, clen, chlen;

	key = sigtest_pem_key(k->leaf.key, &klen);
	cert = sigtest_pem_certs(&clen, k->leaf.cert, NULL);
	chain = sigtest_pem_certs(&chlen, k->ca.cert, k->root.cert, NULL);
	if (signer_add_key_pem(sg, key_id, key, klen, cert, clen, chain,
	    chlen) == -1)
		die("signer_add_key_pem");
	free(key);
	free(cert);
	free(chain);
}

void
sigtest_sha512(const void *data, size_t len, unsigned char *out)
{
	if (!EVP_Digest(data, len, out, NULL, EVP_sha512(), NULL))
		die("EVP_Digest");
}

void
sigtest_digest(unsigned int i, unsigned char *out)
{
	char	seed[32];
	int	n;

	n = snprintf(seed, sizeof(seed), "input-%u", i);
	sigtest_sha512(seed, (size_t)n, out);
}

char *
sigtest_read_file(const char *path, size_t *lenp)
{
	FILE	*f;
	char	*buf;
	long	 n;

	if ((f = fopen(path, "rb")) == NULL || fseek(f, 0, SEEK_END) != 0 ||
	    (n = ftell(f)) < 0 || fseek(f, 0, SEEK_SET) != 0 ||
	    (buf = malloc((size_t)n + 1)) == NULL ||
	    fread(buf, 1, (size_t)n, f) != (size_t)n)
		die(path);
	fclose(f);
	buf[n] = '\0';
	*lenp = (size_t)n;
	return buf;
}

const char *
sigtest_schema_dir(void)
{
	static char	 dir[4096];
	const char	*top = getenv("top_srcdir");

	(void)snprintf(dir, sizeof(dir), "%s/securityserver/schemas",
	    top != NULL ? top : ".");
	return dir;
}
