/*
 * fuzz_soap.c: libFuzzer target for soap_parse (as request and response),
 * soap_parts_parse and soap_response_check. Seeds: tests/data/soap.
 */
#include "config.h"

#include <stddef.h>
#include <stdint.h>

#include "buf.h"
#include "fuzz.h"
#include "soap.h"

int
LLVMFuzzerInitialize(int *argc, char ***argv)
{
	fuzz_quiet();
	return 0;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t len)
{
	struct soap_msg		*m = NULL, *r = NULL;
	struct soap_parts	*sp = NULL;
	struct xr_err		 err;
	struct buf		*out = NULL;
	const unsigned char	*s;
	size_t			 slen;

	if (soap_parse(data, len, NULL, 1 << 20, SOAP_REQUEST, &m,
	    &err) == 0) {
		/* A request answers itself: exercise the response path. */
		if (soap_response_finish(m, data, len, NULL, 1 << 20, &out,
		    &r, &err) == 0)
			(void)soap_response_check(m, r, &err);
	}
	buf_free(out);
	soap_msg_free(r);
	soap_msg_free(m);
	if (soap_parse(data, len, "text/xml; charset=UTF-8", 1 << 20,
	    SOAP_RESPONSE, &m, &err) == 0)
		soap_msg_free(m);
	if (soap_parts_parse(data, len, "multipart/related; "
	    "type=\"text/xml\"; start=\"<rootpart>\"; boundary=MIME_boundary",
	    NULL, &sp, &err) == 0) {
		s = soap_parts_soap(sp, &slen);
		if (soap_parse(s, slen, soap_parts_soap_ctype(sp), 1 << 20,
		    SOAP_REQUEST, &m, &err) == 0)
			soap_msg_free(m);
		soap_parts_free(sp);
	}
	return 0;
}
