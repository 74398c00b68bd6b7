/*
 * fuzz_gconfdir.c: libFuzzer target for the signed global configuration
 * directory (gconf_dir_parse_verify: MIME, headers, signature with a
 * fixed anchor, expiry, entries).
 * Input: either a saved directory starting with its own "Content-Type:"
 * header (verified with content_type NULL), or a first line holding the
 * HTTP Content-Type and then the body. The anchor's certificate is a
 * throwaway EC key's (the seed tests/fuzz/corpus/gconfdir/good is signed
 * with it; the key is gone). Seeds: tests/fuzz/corpus/gconfdir.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <openssl/pem.h>
#include <openssl/x509.h>

#include "anchor.h"
#include "fuzz.h"
#include "gconfdir.h"

/* The seeds are valid at this time (2026-09-21) and expire in 2036. */
#define FUZZ_NOW	1790000000

static const char confsign_pem[] =
    "-----BEGIN CERTIFICATE-----\n"
    "MIIBqjCCAVGgAwIBAgIBCTAKBggqhkjOPQQDAjA9MQswCQYDVQQGEwJQUzEWMBQG\n"
    "A1UECgwNSHVrdW1hdGkgRnV6ejEWMBQGA1UEAwwNRnV6eiBjb25mc2lnbjAeFw0y\n"
    "MzExMTQyMjEzMjBaFw0zMzA1MTgwMzMzMjBaMD0xCzAJBgNVBAYTAlBTMRYwFAYD\n"
    "VQQKDA1IdWt1bWF0aSBGdXp6MRYwFAYDVQQDDA1GdXp6IGNvbmZzaWduMFkwEwYH\n"
    "KoZIzj0CAQYIKoZIzj0DAQcDQgAElKkAhvATEQf+C+odncuUOiuAtswnn5ur3CYH\n"
    "5tEm/qHQWsKoComvJylbvP0ZPQRQZkrSTA+0YncXlXf8XTfljqNCMEAwHQYDVR0O\n"
    "BBYEFNVWTCe7mmleou7Yb/aAEVoJik30MA8GA1UdEwEB/wQFMAMBAf8wDgYDVR0P\n"
    "AQH/BAQDAgEGMAoGCCqGSM49BAMCA0cAMEQCIDD7lUGvgZ6zPvvMDvMY9BlmhgbI\n"
    "3K8H0xt5i9kbw4OOAiBn5hr3jKjudCmkNIcIOcDVOZWOHEvUvOnmsKW7dGcxVA==\n"
    "-----END CERTIFICATE-----\n";

static struct anchor	*anchor;

int
LLVMFuzzerInitialize(int *argc, char ***argv)
{
	BIO		*b;
	X509		*x;
	unsigned char	*der = NULL;
	int		 n;

	fuzz_quiet();
	if ((b = BIO_new_mem_buf(confsign_pem, -1)) == NULL ||
	    (x = PEM_read_bio_X509(b, NULL, NULL, NULL)) == NULL ||
	    (n = i2d_X509(x, &der)) <= 0 ||
	    (anchor = anchor_new("PS", FUZZ_NOW)) == NULL ||
	    anchor_add_source(anchor, "http://127.0.0.1:8090/internalconf") != 0 ||
	    anchor_add_cert(anchor, 0, der, (size_t)n) != 0) {
		fprintf(stderr, "fuzz_gconfdir: cannot make the anchor\n");
		abort();
	}
	OPENSSL_free(der);
	X509_free(x);
	BIO_free(b);
	return 0;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t len)
{
	struct gconf_dir		*d = NULL;
	const struct gconf_dir_entry	*e;
	const uint8_t			*body = data;
	size_t				 blen = len, i;
	char				*ctype = NULL, url[1024];
	char				 err[512];

	if (len < 13 || strncasecmp((const char *)data, "Content-Type:",
	    13) != 0) {
		if (fuzz_ctype_line(data, len, &ctype, &body, &blen) != 0)
			return 0;
	}
	if (gconf_dir_parse_verify(&d, body, blen, ctype, anchor, 0,
	    FUZZ_NOW, err, sizeof(err)) == 0) {
		(void)gconf_dir_expire(d);
		(void)gconf_dir_version(d);
		for (i = 0; (e = gconf_dir_entry(d, i)) != NULL; i++) {
			(void)gconf_dir_find(d, e->de_content_id,
			    e->de_instance);
			(void)gconf_dir_verify_file(e, data, len);
			(void)gconf_dir_file_url("http://127.0.0.1:8090/"
			    "internalconf", e->de_location, url, sizeof(url));
		}
		gconf_dir_free(d);
	}
	free(ctype);
	return 0;
}
