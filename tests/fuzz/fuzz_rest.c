/*
 * fuzz_rest.c: libFuzzer target for the serialised REST heads carried
 * between security servers (rest_req_parse, rest_resp_parse) and the
 * error JSON parser. Seeds: tests/fuzz/corpus/rest.
 */
#include "config.h"

#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>

#include "buf.h"
#include "rest.h"

int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t len)
{
	struct rest_req		*r;
	struct rest_resp	*s;
	struct xr_err		 err;
	struct buf		*b;
	char			*t, *m, *d, *h;

	if (rest_head_is_response(data, len)) {
		if (rest_resp_parse(data, len, &s, &err) == 0) {
			if (rest_resp_serialize(s, &b) == 0)
				buf_free(b);
			rest_resp_free(s);
		}
	} else if (rest_req_parse(data, len, &r, &err) == 0) {
		if (rest_req_serialize(r, &b) == 0)
			buf_free(b);
		if (rest_request_hash(r, NULL, &h) == 0)
			free(h);
		rest_req_free(r);
	}
	if (rest_error_parse(data, len, &t, &m, &d) == 0) {
		free(t);
		free(m);
		free(d);
	}
	return 0;
}
