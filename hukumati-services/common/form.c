/*
 * form.c: application/x-www-form-urlencoded bodies (see form.h).
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "buf.h"
#include "compat.h"
#include "form.h"
#include "http.h"
#include "web.h"

#define FORM_TYPE	"application/x-www-form-urlencoded"

static int
type_ok(const char *ct)
{
	size_t	 n = strlen(FORM_TYPE);

	if (ct == NULL)
		return 0;
	while (*ct == ' ' || *ct == '\t')
		ct++;
	if (strncasecmp(ct, FORM_TYPE, n) != 0)
		return 0;
	ct += n;
	while (*ct == ' ' || *ct == '\t')
		ct++;
	/* Parameters (charset=UTF-8) may follow. */
	return *ct == '\0' || *ct == ';';
}

int
form_parse_body(const char *content_type, const void *body, size_t len,
    struct http_query **out)
{
	char	*text;
	int	 r;

	*out = NULL;
	if (!type_ok(content_type))
		return FORM_BAD_TYPE;
	if ((text = malloc(len + 1)) == NULL)
		return FORM_ERR;
	memcpy(text, body, len);
	text[len] = '\0';
	/* A raw NUL, or an encoded one that would cut a value short. */
	if (strlen(text) != len || strstr(text, "%00") != NULL)
		goto malformed;
	r = http_query_parse(text, out);
	explicit_bzero(text, len);
	free(text);
	return r == 0 ? FORM_OK : FORM_MALFORMED;
 malformed:
	explicit_bzero(text, len);
	free(text);
	return FORM_MALFORMED;
}

int
form_parse(struct evhttp_request *req, size_t max, struct http_query **out)
{
	struct buf	*b = NULL;
	int		 r;

	*out = NULL;
	if (!type_ok(http_req_header(req, "Content-Type")))
		return FORM_BAD_TYPE;
	if ((r = http_req_body(req, max, &b)) != 0)
		return r == -2 ? FORM_TOO_BIG : FORM_ERR;
	r = form_parse_body(http_req_header(req, "Content-Type"),
	    buf_data(b), buf_len(b), out);
	buf_free_secret(b);
	return r;
}

int
form_field(const struct http_query *q, const char *name, int trim,
    char *out, size_t outlen)
{
	const char	*v, *e;
	size_t		 len;

	if (outlen == 0)
		return FIELD_BAD;
	out[0] = '\0';
	if (http_query_count(q, name) > 1)
		return FIELD_BAD;
	if ((v = http_query_get(q, name)) == NULL)
		return FIELD_MISSING;
	e = v + strlen(v);
	if (trim) {
		while (*v == ' ' || *v == '\t' || *v == '\r' || *v == '\n')
			v++;
		while (e > v && (e[-1] == ' ' || e[-1] == '\t' ||
		    e[-1] == '\r' || e[-1] == '\n'))
			e--;
	}
	len = (size_t)(e - v);
	if (len == 0)
		return FIELD_MISSING;
	if (len >= outlen - 1)
		return FIELD_BAD;
	memcpy(out, v, len);
	out[len] = '\0';
	if (!web_utf8_text(out)) {
		explicit_bzero(out, len);
		out[0] = '\0';
		return FIELD_BAD;
	}
	return FIELD_OK;
}
