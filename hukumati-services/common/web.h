/*
 * web.h: small pieces every Hukumati web service shares on top of
 * http.h: a clock that tests can replace, random tokens, cookies, the
 * security headers, HTML and redirect replies, 429 answers.
 *
 * The other modules of hukumati-services/common (libhkweb.a):
 *	session.h	server-side sessions in SQLite, CSRF tokens
 *	form.h		application/x-www-form-urlencoded bodies
 *	tmpl.h		HTML templates that escape by default
 *	i18n.h		message catalogues (.po), Arabic first
 *	ratelimit.h	per-key token buckets (per client IP)
 *	xroad_client.h	X-Road SOAP 4.0 and REST r1 calls through the
 *			member's security server
 */
#ifndef HK_WEB_H
#define HK_WEB_H

#include <stddef.h>
#include <stdint.h>

#include <event2/http.h>

/*
 * A clock in milliseconds since the epoch. NULL everywhere means the real
 * clock (CLOCK_REALTIME); tests pass their own to move time on.
 */
typedef int64_t (*web_clock_fn)(void *arg);

int64_t	 web_now_ms(web_clock_fn fn, void *arg);

/*
 * nbytes random bytes (OpenSSL RAND_bytes) as lower-case hex into out,
 * which must hold 2 * nbytes + 1. Returns 0, or -1 (RNG failure or out
 * too small; out is then "").
 */
int	 web_random_hex(char *out, size_t outlen, size_t nbytes);
/* Lower-case hex of len bytes; out must hold 2 * len + 1. 0 or -1. */
int	 web_hex(const void *data, size_t len, char *out, size_t outlen);

/*
 * Cookies (RFC 6265). web_cookie_get copies the value of the first
 * cookie called name in the request's Cookie headers into out. Returns 1
 * found, 0 absent, -1 when the value does not fit or holds bytes outside
 * the cookie-octet set (the cookie is then ignored by callers).
 */
int	 web_cookie_get(struct evhttp_request *, const char *name, char *out,
	    size_t outlen);

enum web_samesite {
	WEB_SAMESITE_LAX = 0,
	WEB_SAMESITE_STRICT,
	WEB_SAMESITE_NONE	/* only with wc_secure */
};

struct web_cookie {
	const char		*wc_name;	/* token characters */
	const char		*wc_value;	/* cookie-octets; "" to clear */
	const char		*wc_path;	/* NULL: "/" */
	/* -1: a session cookie (no Max-Age); 0: delete it now; > 0 seconds */
	long			 wc_max_age;
	int			 wc_http_only;
	int			 wc_secure;
	enum web_samesite	 wc_samesite;
};

/*
 * The Set-Cookie value for c into out. Returns 0, or -1 for a bad name,
 * value or path, or if out is too small.
 */
int	 web_cookie_format(const struct web_cookie *c, char *out,
	    size_t outlen);
/* Add a Set-Cookie header to the response. 0 or -1. */
int	 web_cookie_set(struct evhttp_request *, const struct web_cookie *c);

/*
 * Security headers of every HTML answer: Content-Security-Policy
 * (default-src 'self' and no framing, plugins or <base>),
 * X-Frame-Options DENY, X-Content-Type-Options nosniff, Referrer-Policy
 * same-origin, Cross-Origin-Opener-Policy same-origin and, with flags:
 * WEB_HDR_NOSTORE	Cache-Control: no-store (pages with personal data
 *			or tokens)
 * WEB_HDR_HSTS		Strict-Transport-Security (only on HTTPS)
 * Headers already present are replaced.
 */
#define WEB_HDR_NOSTORE	0x01
#define WEB_HDR_HSTS	0x02
#define WEB_CSP_DEFAULT	"default-src 'self'; base-uri 'none'; " \
	"frame-ancestors 'none'; object-src 'none'"
void	 web_security_headers(struct evhttp_request *, int flags);

/*
 * Replies. Each sends the reply. web_reply_html adds the security headers
 * (with flags) and Content-Type text/html; charset=utf-8.
 */
void	 web_reply_html(struct evhttp_request *, int status, int flags,
	    const char *html, size_t len);
/* 303 See Other to location (a path on this site or an absolute URL). */
void	 web_redirect(struct evhttp_request *, const char *location);
/* A short text/plain answer (errors that need no page). */
void	 web_reply_text(struct evhttp_request *, int status, const char *text);
/* 429 Too Many Requests with Retry-After: seconds (at least 1). */
void	 web_reply_429(struct evhttp_request *, unsigned int retry_after,
	    const char *text);

/* The client's address as text (http_req_client_addr). 0 or -1. */
int	 web_client_ip(struct evhttp_request *, char *out, size_t outlen);

/*
 * 1 if s is valid UTF-8 (no overlongs, surrogates or code points above
 * U+10FFFF) without control characters other than tab, CR and LF.
 */
int	 web_utf8_text(const char *s);

#endif /* HK_WEB_H */
