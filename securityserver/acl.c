/*
 * acl.c: access rights (NOTES.md 4.9). Default deny; a right names a
 * subject (member, subsystem, global group or local group) and, for REST,
 * an HTTP method and a path glob where '*' matches within one segment and
 * '**' across segments. Paths are normalised before matching, so that
 * "/a/./b", "/a//b" and "/a/%62" all mean "/a/b".
 */
#include "config.h"

#include <ctype.h>
#include <string.h>
#include <strings.h>

#include "compat.h"
#include "securityserverd.h"

static int
hexval(int c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	c = tolower(c);
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	return -1;
}

static int
is_unreserved(int c)
{
	return isalnum(c) || c == '-' || c == '.' || c == '_' || c == '~';
}

/*
 * Normalise a request path: decode %XX of unreserved characters (other
 * escapes stay encoded, upper-cased), drop empty and "." segments, resolve
 * ".." (never above the root). The query string is not part of the path.
 * Returns 0, or -1 for a malformed path or one that does not fit.
 */
int
acl_path_normalize(const char *in, char *out, size_t outlen)
{
	char	 seg[1024];
	size_t	 olen = 0, slen;
	size_t	 starts[256];
	int	 depth = 0;
	const char *p = in;

	if (outlen < 2 || in == NULL || *in != '/')
		return -1;
	while (*p != '\0' && *p != '?' && *p != '#') {
		while (*p == '/')
			p++;
		slen = 0;
		while (*p != '\0' && *p != '/' && *p != '?' && *p != '#') {
			int c = (unsigned char)*p;

			if (c == '%') {
				int h = hexval((unsigned char)p[1]);
				int l = h < 0 ? -1 : hexval((unsigned char)p[2]);

				if (h < 0 || l < 0)
					return -1;
				c = h * 16 + l;
				if (c == 0)
					return -1;
				if (is_unreserved(c)) {
					if (slen + 1 >= sizeof(seg))
						return -1;
					seg[slen++] = (char)c;
				} else {
					if (slen + 3 >= sizeof(seg))
						return -1;
					seg[slen++] = '%';
					seg[slen++] = "0123456789ABCDEF"[c >> 4];
					seg[slen++] = "0123456789ABCDEF"[c & 15];
				}
				p += 3;
				continue;
			}
			if (c < 0x20 || c == 0x7f)
				return -1;
			if (slen + 1 >= sizeof(seg))
				return -1;
			seg[slen++] = (char)c;
			p++;
		}
		seg[slen] = '\0';
		if (slen == 0 || strcmp(seg, ".") == 0)
			continue;
		if (strcmp(seg, "..") == 0) {
			if (depth == 0)
				return -1;
			olen = starts[--depth];
			continue;
		}
		if (depth >= (int)(sizeof(starts) / sizeof(starts[0])))
			return -1;
		if (olen + 1 + slen + 1 > outlen)
			return -1;
		starts[depth++] = olen;
		out[olen++] = '/';
		memcpy(out + olen, seg, slen);
		olen += slen;
	}
	if (olen == 0)
		out[olen++] = '/';
	out[olen] = '\0';
	return 0;
}

/* Glob match: '**' spans segments, '*' stays within one, others literal. */
int
acl_path_match(const char *glob, const char *path)
{
	while (*glob != '\0') {
		if (glob[0] == '*' && glob[1] == '*') {
			glob += 2;
			if (*glob == '\0')
				return 1;
			for (; ; path++) {
				if (acl_path_match(glob, path))
					return 1;
				if (*path == '\0')
					return 0;
			}
		}
		if (*glob == '*') {
			glob++;
			for (; ; path++) {
				if (acl_path_match(glob, path))
					return 1;
				if (*path == '\0' || *path == '/')
					return 0;
			}
		}
		if (*glob != *path)
			return 0;
		glob++;
		path++;
	}
	return *path == '\0';
}

int
acl_method_match(const char *rule, const char *method)
{
	return strcmp(rule, "*") == 0 || strcasecmp(rule, method) == 0;
}
