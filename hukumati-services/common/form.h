/*
 * form.h: HTML form submissions (application/x-www-form-urlencoded).
 *
 * The body is read with a cap, its Content-Type checked, and parsed by
 * http_query_parse (libevent: '+' and %XX decoded). A body holding an
 * encoded NUL (%00) is refused rather than silently cut. Fields are read
 * with form_field, which also refuses a repeated field (ambiguous), text
 * that is not UTF-8 or holds control characters, and values over a
 * length.
 */
#ifndef HK_FORM_H
#define HK_FORM_H

#include <stddef.h>

#include <event2/http.h>

struct http_query;

#define FORM_OK		0
#define FORM_ERR	(-1)	/* no memory */
#define FORM_TOO_BIG	(-2)	/* body over max */
#define FORM_BAD_TYPE	(-3)	/* not application/x-www-form-urlencoded */
#define FORM_MALFORMED	(-4)	/* unparsable, or %00 */

/*
 * Parse the body of req (a POST) into *out (caller frees with
 * http_query_free). Returns FORM_OK or one of the errors above.
 */
int	 form_parse(struct evhttp_request *req, size_t max,
	    struct http_query **out);
/* The same over a body already read (tests, fuzzing). */
int	 form_parse_body(const char *content_type, const void *body,
	    size_t len, struct http_query **out);

#define FIELD_OK	0
#define FIELD_MISSING	1	/* absent or empty (after trimming) */
#define FIELD_BAD	2	/* repeated, not UTF-8 text, or too long */

/*
 * The value of field name, with leading and trailing blanks dropped when
 * trim is 1 (never for passwords), copied into out (outlen bytes; values
 * of outlen - 1 bytes or more are FIELD_BAD). Returns FIELD_OK,
 * FIELD_MISSING (out is "") or FIELD_BAD (out is "").
 */
int	 form_field(const struct http_query *, const char *name, int trim,
	    char *out, size_t outlen);

#endif /* HK_FORM_H */
