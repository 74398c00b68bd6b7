/*
 * mime.c: header values with parameters, multipart parse and build.
 */
#include "config.h"

#include <ctype.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <openssl/rand.h>

#include "buf.h"
#include "compat.h"
#include "mime.h"

#define HVAL_MAX_PARAMS	32

struct mime_param {
	char	*mp_name;	/* lowercased */
	char	*mp_value;
};

struct mime_hval {
	char			*hv_value;
	struct mime_param	 hv_params[HVAL_MAX_PARAMS];
	size_t			 hv_nparams;
};

struct mime_hdr {
	char	*mh_name;
	char	*mh_value;
};

struct mime_part {
	struct mime_hdr		*pt_hdrs;
	size_t			 pt_nhdrs;
	const unsigned char	*pt_head;
	size_t			 pt_headlen;
	const unsigned char	*pt_body;
	size_t			 pt_bodylen;
};

struct mime_multipart {
	struct mime_part	*mm_parts;
	size_t			 mm_nparts;
	size_t			 mm_cap;
};

struct mime_writer {
	struct buf	*mw_buf;
	char		 mw_boundary[MIME_BOUNDARY_MAX + 1];
	int		 mw_failed;
};

static void
seterr(char *err, size_t errlen, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static void
seterr(char *err, size_t errlen, const char *fmt, ...)
{
	va_list	ap;

	if (err == NULL || errlen == 0)
		return;
	va_start(ap, fmt);
	(void)vsnprintf(err, errlen, fmt, ap);
	va_end(ap);
}

static int
is_wsp(int c)
{
	return c == ' ' || c == '\t';
}

/* RFC 2045 token character. */
static int
is_token(int c)
{
	return c > 0x20 && c < 0x7f && strchr("()<>@,;:\\\"/[]?=", c) == NULL;
}

static char *
strndup_lower(const char *s, size_t n, int lower)
{
	char	*r;
	size_t	 i;

	if ((r = malloc(n + 1)) == NULL)
		return NULL;
	for (i = 0; i < n; i++)
		r[i] = lower ? (char)tolower((unsigned char)s[i]) : s[i];
	r[n] = '\0';
	return r;
}

void
mime_hval_free(struct mime_hval *hv)
{
	size_t	i;

	if (hv == NULL)
		return;
	for (i = 0; i < hv->hv_nparams; i++) {
		free(hv->hv_params[i].mp_name);
		free(hv->hv_params[i].mp_value);
	}
	free(hv->hv_value);
	free(hv);
}

/* Quoted string at *pp (after the opening quote); unescapes \x. */
static char *
parse_quoted(const char **pp, char *err, size_t errlen)
{
	const char	*p = *pp;
	char		*r;
	size_t		 n = 0;

	if ((r = malloc(strlen(p) + 1)) == NULL)
		return NULL;
	for (;;) {
		if (*p == '\0') {
			seterr(err, errlen, "unterminated quoted string");
			free(r);
			return NULL;
		}
		if (*p == '"')
			break;
		if (*p == '\\') {
			p++;
			if (*p == '\0')
				continue;
		}
		if ((unsigned char)*p < 0x20 && *p != '\t') {
			seterr(err, errlen, "control character in value");
			free(r);
			return NULL;
		}
		r[n++] = *p++;
	}
	r[n] = '\0';
	*pp = p + 1;
	return r;
}

int
mime_hval_parse(const char *value, unsigned flags, struct mime_hval **out,
    char *err, size_t errlen)
{
	struct mime_hval	*hv;
	const char		*p = value, *s, *e;
	size_t			 i;

	*out = NULL;
	if ((hv = calloc(1, sizeof(*hv))) == NULL) {
		seterr(err, errlen, "out of memory");
		return -1;
	}
	while (is_wsp(*p))
		p++;
	s = p;
	if (flags & MIME_HV_CTYPE) {
		while (is_token((unsigned char)*p))
			p++;
		if (p == s || *p != '/') {
			seterr(err, errlen, "media type must be type/subtype");
			goto fail;
		}
		p++;
		e = p;
		while (is_token((unsigned char)*p))
			p++;
		if (p == e) {
			seterr(err, errlen, "media type must be type/subtype");
			goto fail;
		}
		e = p;
	} else {
		while (*p != '\0' && *p != ';')
			p++;
		e = p;
		while (e > s && is_wsp(e[-1]))
			e--;
	}
	if ((hv->hv_value = strndup_lower(s, (size_t)(e - s),
	    (flags & MIME_HV_CTYPE) != 0)) == NULL) {
		seterr(err, errlen, "out of memory");
		goto fail;
	}
	for (;;) {
		struct mime_param *mp;

		while (is_wsp(*p))
			p++;
		if (*p == '\0')
			break;
		if (*p != ';') {
			seterr(err, errlen, "expected ';' in header value");
			goto fail;
		}
		p++;
		while (is_wsp(*p))
			p++;
		if (*p == '\0')
			break;		/* a trailing ';' is common */
		if (hv->hv_nparams == HVAL_MAX_PARAMS) {
			seterr(err, errlen, "too many parameters");
			goto fail;
		}
		s = p;
		while (is_token((unsigned char)*p))
			p++;
		if (p == s) {
			seterr(err, errlen, "bad parameter name");
			goto fail;
		}
		mp = &hv->hv_params[hv->hv_nparams];
		if ((mp->mp_name = strndup_lower(s, (size_t)(p - s), 1)) ==
		    NULL) {
			seterr(err, errlen, "out of memory");
			goto fail;
		}
		hv->hv_nparams++;
		for (i = 0; i + 1 < hv->hv_nparams; i++)
			if (strcmp(hv->hv_params[i].mp_name, mp->mp_name) ==
			    0) {
				seterr(err, errlen, "duplicate parameter '%s'",
				    mp->mp_name);
				goto fail;
			}
		while (is_wsp(*p))
			p++;
		if (*p != '=') {
			seterr(err, errlen, "expected '=' after parameter "
			    "name");
			goto fail;
		}
		p++;
		while (is_wsp(*p))
			p++;
		if (*p == '"') {
			p++;
			if ((mp->mp_value = parse_quoted(&p, err, errlen)) ==
			    NULL)
				goto fail;
		} else {
			/* Lenient token: what real peers send unquoted. */
			s = p;
			while ((unsigned char)*p > 0x20 && *p != 0x7f &&
			    *p != ';' && *p != '"')
				p++;
			if (p == s) {
				seterr(err, errlen, "empty parameter value");
				goto fail;
			}
			if ((mp->mp_value = strndup_lower(s, (size_t)(p - s),
			    0)) == NULL) {
				seterr(err, errlen, "out of memory");
				goto fail;
			}
		}
	}
	*out = hv;
	return 0;
 fail:
	mime_hval_free(hv);
	return -1;
}

const char *
mime_hval_value(const struct mime_hval *hv)
{
	return hv->hv_value;
}

const char *
mime_hval_param(const struct mime_hval *hv, const char *name)
{
	size_t	i;

	for (i = 0; i < hv->hv_nparams; i++)
		if (strcasecmp(hv->hv_params[i].mp_name, name) == 0)
			return hv->hv_params[i].mp_value;
	return NULL;
}

size_t
mime_hval_nparams(const struct mime_hval *hv)
{
	return hv->hv_nparams;
}

int
mime_hval_param_at(const struct mime_hval *hv, size_t i, const char **name,
    const char **value)
{
	if (i >= hv->hv_nparams)
		return -1;
	*name = hv->hv_params[i].mp_name;
	*value = hv->hv_params[i].mp_value;
	return 0;
}

/*
 * Multipart parsing.
 */

static int
boundary_ok(const char *b)
{
	size_t	i, n = strlen(b);

	if (n == 0 || n > MIME_BOUNDARY_MAX || b[n - 1] == ' ')
		return 0;
	for (i = 0; i < n; i++) {
		unsigned char c = (unsigned char)b[i];

		if (!isalnum(c) && strchr("'()+_,-./:=? ", c) == NULL)
			return 0;
	}
	return 1;
}

static void
part_clear(struct mime_part *pt)
{
	size_t	i;

	for (i = 0; i < pt->pt_nhdrs; i++) {
		free(pt->pt_hdrs[i].mh_name);
		free(pt->pt_hdrs[i].mh_value);
	}
	free(pt->pt_hdrs);
}

void
mime_multipart_free(struct mime_multipart *mm)
{
	size_t	i;

	if (mm == NULL)
		return;
	for (i = 0; i < mm->mm_nparts; i++)
		part_clear(&mm->mm_parts[i]);
	free(mm->mm_parts);
	free(mm);
}

/*
 * Is there a delimiter line at b[i] ("--boundary" then "--", or LWSP and
 * a line end)? On success *next is the index after the delimiter line
 * and *close tells whether it was the close delimiter.
 */
static int
delim_at(const unsigned char *b, size_t len, size_t i, const char *dl,
    size_t dlen, size_t *next, int *close)
{
	if (len - i < dlen || memcmp(b + i, dl, dlen) != 0)
		return 0;
	i += dlen;
	if (len - i >= 2 && b[i] == '-' && b[i + 1] == '-') {
		*close = 1;
		*next = i + 2;
		return 1;
	}
	while (i < len && is_wsp(b[i]))
		i++;
	if (i < len && b[i] == '\n') {
		*next = i + 1;
	} else if (len - i >= 2 && b[i] == '\r' && b[i + 1] == '\n') {
		*next = i + 2;
	} else
		return 0;
	*close = 0;
	return 1;
}

/*
 * Find the next delimiter line starting at or after "from", where it must
 * follow a LF. Returns the index of that LF, or len if none; *dstart is
 * where the delimiter's line end begins (the CR before the LF, if any).
 */
static size_t
find_delim(const unsigned char *b, size_t len, size_t from, const char *dl,
    size_t dlen, size_t *next, int *close)
{
	const unsigned char	*p;
	size_t			 i = from;

	while (i < len) {
		if ((p = memchr(b + i, '\n', len - i)) == NULL)
			return len;
		i = (size_t)(p - b);
		if (delim_at(b, len, i + 1, dl, dlen, next, close))
			return i;
		i++;
	}
	return len;
}

static int
add_header(struct mime_part *pt, const char *line, size_t n,
    const struct mime_limits *lim, char *err, size_t errlen)
{
	struct mime_hdr	*h;
	const char	*colon, *v, *e;
	size_t		 i;

	if (pt->pt_nhdrs >= lim->ml_max_headers) {
		seterr(err, errlen, "too many header fields in a part");
		return -1;
	}
	if ((colon = memchr(line, ':', n)) == NULL || colon == line) {
		seterr(err, errlen, "malformed header field in a part");
		return -1;
	}
	for (i = 0; line + i < colon; i++)
		if ((unsigned char)line[i] <= 0x20 ||
		    (unsigned char)line[i] >= 0x7f) {
			seterr(err, errlen, "bad header field name in a part");
			return -1;
		}
	for (i = (size_t)(colon - line) + 1; i < n; i++)
		if (((unsigned char)line[i] < 0x20 && line[i] != '\t') ||
		    line[i] == 0x7f) {
			seterr(err, errlen, "control character in header "
			    "field");
			return -1;
		}
	v = colon + 1;
	e = line + n;
	while (v < e && is_wsp(*v))
		v++;
	while (e > v && is_wsp(e[-1]))
		e--;
	if ((h = reallocarray(pt->pt_hdrs, pt->pt_nhdrs + 1,
	    sizeof(*h))) == NULL) {
		seterr(err, errlen, "out of memory");
		return -1;
	}
	pt->pt_hdrs = h;
	h = &pt->pt_hdrs[pt->pt_nhdrs];
	h->mh_name = strndup_lower(line, (size_t)(colon - line), 0);
	h->mh_value = strndup_lower(v, (size_t)(e - v), 0);
	if (h->mh_name == NULL || h->mh_value == NULL) {
		free(h->mh_name);
		free(h->mh_value);
		seterr(err, errlen, "out of memory");
		return -1;
	}
	pt->pt_nhdrs++;
	return 0;
}

/*
 * Split the content of one part (b[0..len)) into header fields and body.
 * Continuation lines (starting with SP/HT) are unfolded. If the content
 * ends before a blank line, it is all headers and the body is empty.
 */
static int
parse_part(struct mime_part *pt, const unsigned char *b, size_t len,
    const struct mime_limits *lim, char *err, size_t errlen)
{
	struct buf	*line = NULL;
	size_t		 i = 0, eol, n;
	const unsigned char *p;
	int		 ret = -1;

	if ((line = buf_new(lim->ml_max_header_bytes)) == NULL) {
		seterr(err, errlen, "out of memory");
		return -1;
	}
	pt->pt_head = b;
	pt->pt_body = b + len;
	pt->pt_bodylen = 0;
	while (i < len) {
		p = memchr(b + i, '\n', len - i);
		eol = p != NULL ? (size_t)(p - b) : len;
		n = eol - i;
		if (n > 0 && b[i + n - 1] == '\r')
			n--;
		if (eol > lim->ml_max_header_bytes) {
			seterr(err, errlen, "part header block too large");
			goto done;
		}
		if (n == 0) {
			/* Blank line: the body follows. */
			pt->pt_headlen = i;
			pt->pt_body = p != NULL ? b + eol + 1 : b + len;
			pt->pt_bodylen = (size_t)(b + len - pt->pt_body);
			break;
		}
		if (is_wsp(b[i])) {
			if (buf_len(line) == 0) {
				seterr(err, errlen, "continuation line without "
				    "a header field");
				goto done;
			}
		} else if (buf_len(line) > 0) {
			if (add_header(pt, buf_str(line), buf_len(line), lim,
			    err, errlen) == -1)
				goto done;
			buf_reset(line);
		}
		if (memchr(b + i, '\0', n) != NULL) {
			seterr(err, errlen, "NUL in part header");
			goto done;
		}
		if (buf_append(line, b + i, n) != 0) {
			seterr(err, errlen, "part header block too large");
			goto done;
		}
		pt->pt_headlen = eol;
		i = p != NULL ? eol + 1 : len;
	}
	if (buf_len(line) > 0 && add_header(pt, buf_str(line), buf_len(line),
	    lim, err, errlen) == -1)
		goto done;
	ret = 0;
 done:
	buf_free(line);
	return ret;
}

int
mime_parse(const void *data, size_t len, const char *boundary,
    const struct mime_limits *limp, struct mime_multipart **out, char *err,
    size_t errlen)
{
	static const struct mime_limits defl = { MIME_DEF_MAX_PARTS,
	    MIME_DEF_MAX_HEADERS, MIME_DEF_MAX_HEADER_BYTES };
	const struct mime_limits *lim = limp != NULL ? limp : &defl;
	const unsigned char	*b = data;
	struct mime_multipart	*mm = NULL;
	struct mime_part	*pt;
	char			 dl[MIME_BOUNDARY_MAX + 3];
	size_t			 dlen, next, start, at, end;
	int			 close = 0;

	*out = NULL;
	if (boundary == NULL || !boundary_ok(boundary)) {
		seterr(err, errlen, "missing or invalid multipart boundary");
		return -1;
	}
	dlen = (size_t)snprintf(dl, sizeof(dl), "--%s", boundary);
	if ((mm = calloc(1, sizeof(*mm))) == NULL) {
		seterr(err, errlen, "out of memory");
		return -1;
	}
	/* First delimiter: at the very start or after a preamble line. */
	if (!delim_at(b, len, 0, dl, dlen, &next, &close)) {
		if (find_delim(b, len, 0, dl, dlen, &next, &close) == len) {
			seterr(err, errlen, "multipart boundary not found");
			goto fail;
		}
	}
	while (!close) {
		start = next;
		/* The LF ending the delimiter line may start the next one. */
		at = find_delim(b, len, start - 1, dl, dlen, &next, &close);
		if (at == len) {
			seterr(err, errlen, "multipart close delimiter "
			    "missing (truncated?)");
			goto fail;
		}
		end = at;
		if (end > start && b[end - 1] == '\r')
			end--;
		if (end < start)
			end = start;
		if (mm->mm_nparts >= lim->ml_max_parts) {
			seterr(err, errlen, "too many parts");
			goto fail;
		}
		if (mm->mm_nparts == mm->mm_cap) {
			size_t ncap = mm->mm_cap ? mm->mm_cap * 2 : 4;

			pt = reallocarray(mm->mm_parts, ncap, sizeof(*pt));
			if (pt == NULL) {
				seterr(err, errlen, "out of memory");
				goto fail;
			}
			mm->mm_parts = pt;
			mm->mm_cap = ncap;
		}
		pt = &mm->mm_parts[mm->mm_nparts++];
		memset(pt, 0, sizeof(*pt));
		if (parse_part(pt, b + start, end - start, lim, err,
		    errlen) == -1)
			goto fail;
	}
	if (mm->mm_nparts == 0) {
		seterr(err, errlen, "multipart has no parts");
		goto fail;
	}
	*out = mm;
	return 0;
 fail:
	mime_multipart_free(mm);
	return -1;
}

int
mime_parse_ctype(const void *buf, size_t len, const char *content_type,
    const struct mime_limits *lim, struct mime_multipart **out, char *err,
    size_t errlen)
{
	struct mime_hval	*hv = NULL;
	int			 ret = -1;

	*out = NULL;
	if (content_type == NULL) {
		seterr(err, errlen, "missing Content-Type");
		return -1;
	}
	if (mime_hval_parse(content_type, MIME_HV_CTYPE, &hv, err,
	    errlen) == -1)
		return -1;
	if (strncmp(mime_hval_value(hv), "multipart/", 10) != 0) {
		seterr(err, errlen, "Content-Type is not multipart");
		goto done;
	}
	ret = mime_parse(buf, len, mime_hval_param(hv, "boundary"), lim, out,
	    err, errlen);
 done:
	mime_hval_free(hv);
	return ret;
}

size_t
mime_nparts(const struct mime_multipart *mm)
{
	return mm->mm_nparts;
}

const struct mime_part *
mime_part_at(const struct mime_multipart *mm, size_t i)
{
	return i < mm->mm_nparts ? &mm->mm_parts[i] : NULL;
}

const char *
mime_part_header(const struct mime_part *pt, const char *name)
{
	size_t	i;

	for (i = 0; i < pt->pt_nhdrs; i++)
		if (strcasecmp(pt->pt_hdrs[i].mh_name, name) == 0)
			return pt->pt_hdrs[i].mh_value;
	return NULL;
}

size_t
mime_part_nheaders(const struct mime_part *pt)
{
	return pt->pt_nhdrs;
}

int
mime_part_header_at(const struct mime_part *pt, size_t i, const char **name,
    const char **value)
{
	if (i >= pt->pt_nhdrs)
		return -1;
	*name = pt->pt_hdrs[i].mh_name;
	*value = pt->pt_hdrs[i].mh_value;
	return 0;
}

const unsigned char *
mime_part_body(const struct mime_part *pt, size_t *len)
{
	*len = pt->pt_bodylen;
	return pt->pt_body;
}

const unsigned char *
mime_part_head(const struct mime_part *pt, size_t *len)
{
	*len = pt->pt_headlen;
	return pt->pt_head;
}

/*
 * Building.
 */

struct mime_writer *
mime_writer_new(const char *boundary, size_t max)
{
	static const char	 letters[] =
	    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";
	struct mime_writer	*w;
	unsigned char		 rnd[30];
	size_t			 i;

	if ((w = calloc(1, sizeof(*w))) == NULL)
		return NULL;
	if (boundary != NULL) {
		if (!boundary_ok(boundary))
			goto fail;
		strlcpy(w->mw_boundary, boundary, sizeof(w->mw_boundary));
	} else {
		if (RAND_bytes(rnd, sizeof(rnd)) != 1)
			goto fail;
		strlcpy(w->mw_boundary, "xtop", sizeof(w->mw_boundary));
		for (i = 0; i < sizeof(rnd); i++)
			w->mw_boundary[4 + i] = letters[rnd[i] % 52];
		w->mw_boundary[4 + sizeof(rnd)] = '\0';
	}
	if ((w->mw_buf = buf_new(max)) == NULL)
		goto fail;
	return w;
 fail:
	free(w);
	return NULL;
}

const char *
mime_writer_boundary(const struct mime_writer *w)
{
	return w->mw_boundary;
}

static int
hdr_text_ok(const char *s, int name)
{
	for (; *s != '\0'; s++) {
		unsigned char c = (unsigned char)*s;

		if (c == '\r' || c == '\n')
			return 0;
		if (name && (c <= 0x20 || c == ':' || c >= 0x7f))
			return 0;
	}
	return 1;
}

static void *
memmem_(const void *h, size_t hl, const void *n, size_t nl)
{
	const unsigned char	*p = h, *e;

	if (nl == 0 || hl < nl)
		return NULL;
	for (e = p + hl - nl; p <= e; p++) {
		p = memchr(p, *(const unsigned char *)n, (size_t)(e - p) + 1);
		if (p == NULL)
			return NULL;
		if (memcmp(p, n, nl) == 0)
			return (void *)(uintptr_t)p;
	}
	return NULL;
}

int
mime_writer_add(struct mime_writer *w, const char *const *headers,
    const void *body, size_t len)
{
	struct buf	*b = w->mw_buf;
	char		 dl[MIME_BOUNDARY_MAX + 3];
	size_t		 i, dlen, need;

	if (w->mw_failed)
		return -1;
	dlen = (size_t)snprintf(dl, sizeof(dl), "--%s", w->mw_boundary);
	if (memmem_(body, len, dl, dlen) != NULL)
		return -1;
	/* Check everything and the room first: a refused part adds nothing. */
	need = (buf_len(b) > 0 ? 2 : 0) + dlen + 2 + 2;
	for (i = 0; headers != NULL && headers[i] != NULL; i += 2) {
		if (headers[i + 1] == NULL || headers[i][0] == '\0' ||
		    !hdr_text_ok(headers[i], 1) ||
		    !hdr_text_ok(headers[i + 1], 0))
			return -1;
		need += strlen(headers[i]) + 2 + strlen(headers[i + 1]) + 2;
	}
	if (len > buf_max(b) - buf_len(b) ||
	    need > buf_max(b) - buf_len(b) - len)
		return -1;
	if (buf_printf(b, "%s%s\r\n", buf_len(b) > 0 ? "\r\n" : "", dl) != 0)
		goto fail;
	for (i = 0; headers != NULL && headers[i] != NULL; i += 2)
		if (buf_printf(b, "%s: %s\r\n", headers[i],
		    headers[i + 1]) != 0)
			goto fail;
	if (buf_append(b, "\r\n", 2) != 0 ||
	    (len > 0 && buf_append(b, body, len) != 0))
		goto fail;
	return 0;
 fail:
	/* Out of memory half-way: the output is unusable. */
	w->mw_failed = 1;
	return -1;
}

int
mime_writer_finish(struct mime_writer *w, struct buf **out)
{
	int	ret = -1;

	*out = NULL;
	if (w->mw_failed || buf_len(w->mw_buf) == 0)
		goto done;
	if (buf_printf(w->mw_buf, "\r\n--%s--\r\n", w->mw_boundary) != 0)
		goto done;
	*out = w->mw_buf;
	w->mw_buf = NULL;
	ret = 0;
 done:
	mime_writer_free(w);
	return ret;
}

void
mime_writer_free(struct mime_writer *w)
{
	if (w == NULL)
		return;
	buf_free(w->mw_buf);
	free(w);
}
