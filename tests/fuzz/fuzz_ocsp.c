/*
 * fuzz_ocsp.c: libFuzzer target for OCSP response verification
 * (ocsp_verify, ocsp_response_is_for) of a fixed throwaway certificate
 * and its CA (their keys are gone; the seeds in tests/fuzz/corpus/ocsp
 * were signed with them: good by the CA, good by a delegated responder,
 * revoked, unknown, too old, tryLater).
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>

#include <openssl/pem.h>
#include <openssl/x509.h>

#include "fuzz.h"
#include "ocsp.h"

/* The seeds' thisUpdate is 10 minutes before this (2026-09-21). */
#define FUZZ_NOW	1790000000

static const char ca_pem[] =
    "-----BEGIN CERTIFICATE-----\n"
    "MIIBnjCCAUWgAwIBAgIBATAKBggqhkjOPQQDAjA3MQswCQYDVQQGEwJQUzEWMBQG\n"
    "A1UECgwNSHVrdW1hdGkgRnV6ejEQMA4GA1UEAwwHRnV6eiBDQTAeFw0yMzExMTQy\n"
    "MjEzMjBaFw0zMzA1MTgwMzMzMjBaMDcxCzAJBgNVBAYTAlBTMRYwFAYDVQQKDA1I\n"
    "dWt1bWF0aSBGdXp6MRAwDgYDVQQDDAdGdXp6IENBMFkwEwYHKoZIzj0CAQYIKoZI\n"
    "zj0DAQcDQgAE9lDIbp1V8wZwd1D8P8J4dqSa1XtFVjtAyaDIHF7q9zROIU7znZBj\n"
    "33e2nF8w2J168voKIqPKeg0qqx2HVSwxJKNCMEAwHQYDVR0OBBYEFGX6U/J+R3db\n"
    "Lq3MM7Kp2/jLvnspMA8GA1UdEwEB/wQFMAMBAf8wDgYDVR0PAQH/BAQDAgEGMAoG\n"
    "CCqGSM49BAMCA0cAMEQCICYhkF9Q4UvPsSomf8Q0KJxY+r4azxt7ZEVfM/i7Xby9\n"
    "AiAVj1+IGQyvSiifH5cQy8ZaRheZeh5WJcCnA6eUl+RncQ==\n"
    "-----END CERTIFICATE-----\n";

static const char leaf_pem[] =
    "-----BEGIN CERTIFICATE-----\n"
    "MIICHTCCAcOgAwIBAgICEJIwCgYIKoZIzj0EAwIwNzELMAkGA1UEBhMCUFMxFjAU\n"
    "BgNVBAoMDUh1a3VtYXRpIEZ1enoxEDAOBgNVBAMMB0Z1enogQ0EwHhcNMjMxMTE0\n"
    "MjIxMzIwWhcNMzMwNTE4MDMzMzIwWjApMQswCQYDVQQGEwJQUzEMMAoGA1UECgwD\n"
    "R09WMQwwCgYDVQQDDANNT0kwWTATBgcqhkjOPQIBBggqhkjOPQMBBwNCAAQUQLDw\n"
    "TjchQfRz7VAc6m8zQY9glEXnf8pLX5rf7zfaUtmhnms8Y1iCn4LUpGo/pBaUYZ+H\n"
    "w7vJrclCQtzHiCk2o4HMMIHJMB0GA1UdDgQWBBTHffgvDuC3OCiICJZtFDNKPLOD\n"
    "KzAfBgNVHSMEGDAWgBRl+lPyfkd3Wy6tzDOyqdv4y757KTAJBgNVHRMEAjAAMA4G\n"
    "A1UdDwEB/wQEAwIFoDAdBgNVHSUEFjAUBggrBgEFBQcDAQYIKwYBBQUHAwIwGgYD\n"
    "VR0RBBMwEYIJbG9jYWxob3N0hwR/AAABMDEGCCsGAQUFBwEBBCUwIzAhBggrBgEF\n"
    "BQcwAYYVaHR0cDovLzEyNy4wLjAuMTo4MDkyMAoGCCqGSM49BAMCA0gAMEUCIGWl\n"
    "+Wu/1FsEfpYTfdCMLRs1y1HLZ1HDQr8JeE6eb3W/AiEA0AfPcv6k8BoIg2v0dU5P\n"
    "JhegEcpUBtNn0Rzg53j1atQ=\n"
    "-----END CERTIFICATE-----\n";

static X509	*ca, *leaf;

static X509 *
load(const char *pem)
{
	BIO	*b;
	X509	*x;

	if ((b = BIO_new_mem_buf(pem, -1)) == NULL ||
	    (x = PEM_read_bio_X509(b, NULL, NULL, NULL)) == NULL) {
		fprintf(stderr, "fuzz_ocsp: bad built-in certificate\n");
		abort();
	}
	BIO_free(b);
	return x;
}

int
LLVMFuzzerInitialize(int *argc, char ***argv)
{
	fuzz_quiet();
	ca = load(ca_pem);
	leaf = load(leaf_pem);
	return 0;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t len)
{
	struct ocsp_verify_params	p;
	struct ocsp_info		info;
	char				err[512];

	ocsp_verify_params_init(&p, FUZZ_NOW);
	(void)ocsp_verify(data, len, leaf, ca, &p, &info, err, sizeof(err));
	p.op_check_next_update = 1;
	p.op_freshness = 60;
	(void)ocsp_verify(data, len, leaf, ca, &p, NULL, NULL, 0);
	/* The CA's own status, as if it had an issuer: a wrong CertID. */
	(void)ocsp_verify(data, len, ca, ca, &p, &info, err, sizeof(err));
	(void)ocsp_response_is_for(data, len, leaf, ca);
	return 0;
}
