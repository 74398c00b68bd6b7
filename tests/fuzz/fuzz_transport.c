/*
 * fuzz_transport.c: libFuzzer target for the transport message between
 * security servers (transport_parse as request and as response, the
 * accessors, the digests of the signed data objects and the signature
 * check). Input: the Content-Type on the first line (an optional
 * "Content-Type:" prefix and one empty line after it are skipped, so the
 * saved X-Road examples work), then the body.
 * Seeds: tests/fuzz/corpus/transport.
 */
#include "config.h"

#include <stdlib.h>

#include "fuzz.h"
#include "mime.h"
#include "transport.h"
#include "xsig.h"

int
LLVMFuzzerInitialize(int *argc, char ***argv)
{
	fuzz_quiet();
	return 0;
}

static void
walk(const struct transport_msg *m)
{
	struct xsig_info	*xi = NULL;
	const struct mime_part	*pt;
	unsigned char		*dg = NULL;
	size_t			 i, n, len;
	char			 err[512];

	(void)transport_msg_kind(m);
	n = transport_msg_nocsp(m);
	for (i = 0; i < n; i++)
		(void)transport_msg_ocsp(m, i, &len);
	(void)transport_msg_message(m, &len);
	(void)transport_msg_message_ctype(m);
	n = transport_msg_nattachments(m);
	for (i = 0; i < n; i++) {
		pt = transport_msg_attachment(m, i);
		(void)mime_part_body(pt, &len);
	}
	(void)transport_msg_body(m, &len);
	(void)transport_msg_signature(m, &len);
	(void)transport_msg_hcr(m, &len);
	(void)transport_msg_hc(m, &len);
	(void)transport_msg_fault(m, &len);
	if (transport_msg_digests(m, &dg, &n) == 0)
		free(dg);
	if (transport_msg_verify(m, &xi, err, sizeof(err)) == 0)
		xsig_info_free(xi);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t len)
{
	struct transport_msg	*m;
	const uint8_t		*body;
	size_t			 blen;
	char			*ctype, err[512];

	if (fuzz_ctype_line(data, len, &ctype, &body, &blen) != 0)
		return 0;
	if (transport_parse(body, blen, ctype, TRANSPORT_REQUEST, &m, err,
	    sizeof(err)) == 0) {
		walk(m);
		transport_msg_free(m);
	}
	if (transport_parse(body, blen, ctype, TRANSPORT_RESPONSE, &m, err,
	    sizeof(err)) == 0) {
		walk(m);
		transport_msg_free(m);
	}
	free(ctype);
	return 0;
}
