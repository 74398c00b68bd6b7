/*
 * web.c: clock, random tokens, cookies, security headers and replies
 * (see web.h).
 */
#include "config.h"

#include <sys/queue.h>

#include <stdio.h>
#include <string.h>
#include <time.h>

#include <event2/buffer.h>
#include <event2/http.h>
#include <event2/keyvalq_struct.h>
#include <openssl/crypto.h>
#include <openssl/rand.h>

#include "compat.h"
#include "http.h"
#include "log.h"
#include "web.h"

#define WEB_COOKIE_MAX	4096

int64_t
web_now_ms(web_clock_fn fn, void *arg)
{
	struct timespec	 ts;

	if (fn != NULL)
		return fn(arg);
	if (clock_gettime(CLOCK_REALTIME, &ts) == -1)
		fatal("clock_gettime");
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

int
web_hex(const void *data, size_t len, char *out, size_t outlen)
{
	static const char	 digits[] = "0123456789abcdef";
	const unsigned char	*p = data;
	size_t			 i;

	if (outlen == 0)
		return -1;
	out[0] = '\0';
	if (len > (outlen - 1) / 2)
		return -1;
	for (i = 0; i < len; i++) {
		out[2 * i] = digits[p[i] >> 4];
		out[2 * i + 1] = digits[p[i] & 0x0f];
	}
	out[2 * len] = '\0';
	return 0;
}

int
web_random_hex(char *out, size_t outlen, size_t nbytes)
{
	unsigned char	 rnd[64];
	int		 r;

	if (outlen > 0)
		out[0] = '\0';
	if (nbytes == 0 || nbytes > sizeof(rnd) || outlen < 2 * nbytes + 1)
		return -1;
	if (RAND_bytes(rnd, (int)nbytes) != 1) {
		log_warnx("RAND_bytes failed");
		return -1;
	}
	r = web_hex(rnd, nbytes, out, outlen);
	OPENSSL_cleanse(rnd, sizeof(rnd));
	return r;
}

/* RFC 6265 cookie-octet. */
static int
cookie_octet(unsigned char c)
{
	return c == 0x21 || (c >= 0x23 && c <= 0x2b) ||
	    (c >= 0x2d && c <= 0x3a) || (c >= 0x3c && c <= 0x5b) ||
	    (c >= 0x5d && c <= 0x7e);
}

/* RFC 7230 token character. */
static int
token_char(unsigned char c)
{
	if (c <= 0x20 || c >= 0x7f)
		return 0;
	return strchr("()<>@,;:\\\"/[]?={}", c) == NULL;
}

static int
is_token(const char *s)
{
	if (s == NULL || *s == '\0')
		return 0;
	for (; *s != '\0'; s++)
		if (!token_char((unsigned char)*s))
			return 0;
	return 1;
}

/* Look for name=value pairs in one Cookie header. */
static int
cookie_find(const char *hdr, const char *name, char *out, size_t outlen)
{
	const char	*p = hdr, *k, *v, *e;
	size_t		 nlen = strlen(name), vlen, i;

	while (*p != '\0') {
		while (*p == ' ' || *p == '\t' || *p == ';')
			p++;
		k = p;
		while (*p != '\0' && *p != '=' && *p != ';')
			p++;
		if (*p != '=') {
			/* A pair without '=' is ignored (RFC 6265 5.2). */
			continue;
		}
		e = p;
		while (e > k && (e[-1] == ' ' || e[-1] == '\t'))
			e--;
		v = ++p;
		while (*v == ' ' || *v == '\t')
			v++;
		while (*p != '\0' && *p != ';')
			p++;
		if ((size_t)(e - k) != nlen || strncmp(k, name, nlen) != 0)
			continue;
		vlen = (size_t)(p - v);
		while (vlen > 0 && (v[vlen - 1] == ' ' || v[vlen - 1] == '\t'))
			vlen--;
		if (vlen >= 2 && v[0] == '"' && v[vlen - 1] == '"') {
			v++;
			vlen -= 2;
		}
		if (vlen >= outlen)
			return -1;
		for (i = 0; i < vlen; i++)
			if (!cookie_octet((unsigned char)v[i]))
				return -1;
		memcpy(out, v, vlen);
		out[vlen] = '\0';
		return 1;
	}
	return 0;
}

int
web_cookie_get(struct evhttp_request *req, const char *name, char *out,
    size_t outlen)
{
	struct evkeyvalq	*hdrs = evhttp_request_get_input_headers(req);
	struct evkeyval		*kv;
	int			 r;

	if (outlen == 0)
		return -1;
	out[0] = '\0';
	if (hdrs == NULL)
		return 0;
	TAILQ_FOREACH(kv, hdrs, next) {
		if (evutil_ascii_strcasecmp(kv->key, "Cookie") != 0)
			continue;
		if (strlen(kv->value) > WEB_COOKIE_MAX)
			return -1;
		if ((r = cookie_find(kv->value, name, out, outlen)) != 0) {
			if (r == -1)
				out[0] = '\0';
			return r;
		}
	}
	return 0;
}

int
web_cookie_format(const struct web_cookie *c, char *out, size_t outlen)
{
	const char	*path = c->wc_path != NULL ? c->wc_path : "/";
	const char	*ss, *p;
	char		 age[32];
	int		 r;

	if (outlen > 0)
		out[0] = '\0';
	if (!is_token(c->wc_name) || c->wc_value == NULL)
		return -1;
	for (p = c->wc_value; *p != '\0'; p++)
		if (!cookie_octet((unsigned char)*p))
			return -1;
	if (path[0] != '/')
		return -1;
	for (p = path; *p != '\0'; p++)
		if ((unsigned char)*p < 0x20 || *p == ';' || *p == 0x7f)
			return -1;
	switch (c->wc_samesite) {
	case WEB_SAMESITE_STRICT:
		ss = "Strict";
		break;
	case WEB_SAMESITE_NONE:
		if (!c->wc_secure)
			return -1;
		ss = "None";
		break;
	default:
		ss = "Lax";
		break;
	}
	age[0] = '\0';
	if (c->wc_max_age >= 0)
		(void)snprintf(age, sizeof(age), "; Max-Age=%ld",
		    c->wc_max_age);
	r = snprintf(out, outlen, "%s=%s; Path=%s%s%s%s; SameSite=%s",
	    c->wc_name, c->wc_value, path, age,
	    c->wc_http_only ? "; HttpOnly" : "",
	    c->wc_secure ? "; Secure" : "", ss);
	if (r < 0 || (size_t)r >= outlen) {
		if (outlen > 0)
			out[0] = '\0';
		return -1;
	}
	return 0;
}

int
web_cookie_set(struct evhttp_request *req, const struct web_cookie *c)
{
	char	 v[WEB_COOKIE_MAX];

	if (web_cookie_format(c, v, sizeof(v)) == -1)
		return -1;
	return evhttp_add_header(evhttp_request_get_output_headers(req),
	    "Set-Cookie", v) == 0 ? 0 : -1;
}

static void
set_header(struct evhttp_request *req, const char *name, const char *value)
{
	struct evkeyvalq	*h = evhttp_request_get_output_headers(req);

	(void)evhttp_remove_header(h, name);
	(void)evhttp_add_header(h, name, value);
}

void
web_security_headers(struct evhttp_request *req, int flags)
{
	set_header(req, "Content-Security-Policy", WEB_CSP_DEFAULT);
	set_header(req, "X-Frame-Options", "DENY");
	set_header(req, "X-Content-Type-Options", "nosniff");
	set_header(req, "Referrer-Policy", "same-origin");
	set_header(req, "Cross-Origin-Opener-Policy", "same-origin");
	if (flags & WEB_HDR_NOSTORE)
		set_header(req, "Cache-Control", "no-store");
	if (flags & WEB_HDR_HSTS)
		set_header(req, "Strict-Transport-Security",
		    "max-age=31536000");
}

void
web_reply_html(struct evhttp_request *req, int status, int flags,
    const char *html, size_t len)
{
	web_security_headers(req, flags);
	http_reply(req, status, "text/html; charset=utf-8", html, len);
}

void
web_redirect(struct evhttp_request *req, const char *location)
{
	const char	*p;

	/* A header value never carries CR or LF. */
	for (p = location; *p != '\0'; p++) {
		if (*p == '\r' || *p == '\n') {
			web_reply_text(req, 500, "internal error");
			return;
		}
	}
	web_security_headers(req, WEB_HDR_NOSTORE);
	set_header(req, "Location", location);
	http_reply(req, 303, NULL, NULL, 0);
}

void
web_reply_text(struct evhttp_request *req, int status, const char *text)
{
	web_security_headers(req, WEB_HDR_NOSTORE);
	http_reply(req, status, "text/plain; charset=utf-8", text,
	    strlen(text));
}

void
web_reply_429(struct evhttp_request *req, unsigned int retry_after,
    const char *text)
{
	char	 v[16];

	if (retry_after == 0)
		retry_after = 1;
	(void)snprintf(v, sizeof(v), "%u", retry_after);
	set_header(req, "Retry-After", v);
	web_reply_text(req, 429, text != NULL ? text :
	    "Too many requests. Try again later.\n");
}

int
web_client_ip(struct evhttp_request *req, char *out, size_t outlen)
{
	return http_req_client_addr(req, out, outlen, NULL);
}

int
web_utf8_text(const char *s)
{
	const unsigned char	*p = (const unsigned char *)s;
	uint32_t		 cp;
	int			 n, i;

	while (*p != '\0') {
		if (*p < 0x80) {
			if ((*p < 0x20 && *p != '\t' && *p != '\r' &&
			    *p != '\n') || *p == 0x7f)
				return 0;
			p++;
			continue;
		}
		if ((*p & 0xe0) == 0xc0) {
			n = 1;
			cp = *p & 0x1f;
		} else if ((*p & 0xf0) == 0xe0) {
			n = 2;
			cp = *p & 0x0f;
		} else if ((*p & 0xf8) == 0xf0) {
			n = 3;
			cp = *p & 0x07;
		} else
			return 0;
		for (i = 1; i <= n; i++) {
			if ((p[i] & 0xc0) != 0x80)
				return 0;
			cp = (cp << 6) | (p[i] & 0x3f);
		}
		if ((n == 1 && cp < 0x80) || (n == 2 && cp < 0x800) ||
		    (n == 3 && cp < 0x10000) || cp > 0x10ffff ||
		    (cp >= 0xd800 && cp <= 0xdfff) ||
		    (cp >= 0x80 && cp < 0xa0))
			return 0;
		p += n + 1;
	}
	return 1;
}
