/*
 * fuzz_rest.c: libFuzzer target for the serialised REST heads carried
 * between security servers (rest_req_parse, rest_resp_parse) and the
 * error JSON parser; and the same bytes as an IS's HTTP request for the
 * client proxy (rest_req_from_http: the first line is the method, the
 * second the request-target, then "Name: value" header lines), whose
 * serialised head must parse back. Seeds: tests/fuzz/corpus/rest.
 */
#include "config.h"

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "fuzz.h"
#include "rest.h"

#define FUZZ_MAX_HEADERS	(REST_MAX_HEADERS + 8)

int
LLVMFuzzerInitialize(int *argc, char ***argv)
{
	fuzz_quiet();
	return 0;
}

/* The input as an IS's request: method, target, then header lines. */
static void
from_http(const uint8_t *data, size_t len)
{
	struct rest_header	 hdrs[FUZZ_MAX_HEADERS];
	struct rest_req		*r = NULL, *back = NULL;
	struct xr_err		 err;
	struct buf		*b = NULL;
	char			*text, *line, *next, *method = NULL;
	char			*target = NULL, *colon, *h;
	size_t			 n = 0, l;

	if ((text = fuzz_strndup(data, len)) == NULL)
		return;
	for (line = text; line != NULL; line = next) {
		if ((next = strchr(line, '\n')) != NULL)
			*next++ = '\0';
		if ((l = strlen(line)) > 0 && line[l - 1] == '\r')
			line[l - 1] = '\0';
		if (method == NULL)
			method = line;
		else if (target == NULL)
			target = line;
		else if (*line == '\0')
			break;
		else if ((colon = strchr(line, ':')) != NULL &&
		    n < FUZZ_MAX_HEADERS) {
			*colon++ = '\0';
			colon += strspn(colon, " \t");
			hdrs[n].rh_name = line;
			hdrs[n].rh_value = colon;
			n++;
		}
	}
	if (method == NULL || target == NULL)
		goto done;
	if (rest_req_from_http(method, target, hdrs, n, "fuzz-request-id",
	    &r, &err) != 0)
		goto done;
	if (rest_req_id(r) == NULL)
		(void)rest_req_set_id(r, "fuzz-id");
	if (rest_request_hash(r, NULL, &h) == 0)
		free(h);
	/* What the client proxy sends, the server proxy must read. */
	if (rest_req_serialize(r, &b) == 0 &&
	    rest_req_parse(buf_data(b), buf_len(b), &back, &err) != 0) {
		fprintf(stderr, "fuzz_rest: serialised head does not parse "
		    "back: %s\n%.*s\n", err.xe_msg, (int)buf_len(b),
		    (const char *)buf_data(b));
		abort();
	}
 done:
	rest_req_free(back);
	buf_free(b);
	rest_req_free(r);
	free(text);
}

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
	from_http(data, len);
	return 0;
}
