/*
 * fuzz_tsa.c: libFuzzer target for devtsa's request handler
 * (tsa_respond: any bytes in, a DER TimeStampResp out). A throwaway TSA
 * key and certificate are made at start-up (tests/unit/testpki.c), the
 * serial store lives in a temporary folder removed at exit, and the clock
 * is fixed. Every answer must decode as a TimeStampResp.
 * Seeds: tests/fuzz/corpus/tsa (openssl ts -query requests).
 */
#include "config.h"

#include <sys/time.h>

#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <openssl/ts.h>

#include "fuzz.h"
#include "testpki.h"
#include "tsa.h"

#define FUZZ_NOW	1790000000

static struct tsa		*tsa;
static struct tsa_serial	*serial;
static char			 dir[PATH_MAX], path[PATH_MAX + 16];

static int
fixed_clock(void *arg, struct timeval *tv)
{
	tv->tv_sec = FUZZ_NOW;
	tv->tv_usec = 0;
	return 0;
}

static void
cleanup(void)
{
	char	lock[PATH_MAX + 32];

	tsa_free(tsa);
	tsa_serial_close(serial);
	(void)snprintf(lock, sizeof(lock), "%s.lock", path);
	(void)unlink(lock);
	(void)unlink(path);
	(void)rmdir(dir);
}

int
LLVMFuzzerInitialize(int *argc, char ***argv)
{
	struct testpki_pair	 root, cert;
	const char		*tmp;

	fuzz_quiet();
	if ((tmp = getenv("TMPDIR")) == NULL || *tmp == '\0')
		tmp = "/tmp";
	(void)snprintf(dir, sizeof(dir), "%s/fuzz_tsa.XXXXXX", tmp);
	if (mkdtemp(dir) == NULL) {
		perror("fuzz_tsa: mkdtemp");
		abort();
	}
	(void)snprintf(path, sizeof(path), "%s/serial", dir);
	root = testpki_new(TESTPKI_ROOT, "/CN=Fuzz TSA CA", NULL);
	cert = testpki_new(TESTPKI_TSA, "/CN=Fuzz TSA", &root);
	if ((serial = tsa_serial_open(path, TSA_SERIAL_BLOCK_MAX)) == NULL ||
	    (tsa = tsa_new(cert.key, cert.cert, NULL, NULL, serial)) == NULL) {
		fprintf(stderr, "fuzz_tsa: cannot set up the TSA\n");
		abort();
	}
	tsa_set_clock(tsa, fixed_clock, NULL);
	testpki_clear(&cert);
	testpki_clear(&root);
	atexit(cleanup);
	return 0;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t len)
{
	struct tsa_result	 r;
	unsigned char		*resp = NULL;
	const unsigned char	*p;
	size_t			 rlen;
	TS_RESP			*ts;

	if (tsa_respond(tsa, data, len, &resp, &rlen, &r) != 0)
		return 0;
	p = resp;
	if ((ts = d2i_TS_RESP(NULL, &p, (long)rlen)) == NULL ||
	    p != resp + rlen) {
		fprintf(stderr, "fuzz_tsa: the answer is not a TimeStampResp\n");
		abort();
	}
	(void)tsa_failinfo_name(r.tr_failinfo);
	TS_RESP_free(ts);
	free(resp);
	return 0;
}
