/*
 * conf.c: table-driven INI parser (see conf.h for the syntax).
 *
 * The whole file is read into memory (at most CONF_MAX_FILE bytes) and
 * parsed line by line. Every fixed section of the table exists from the
 * start with its defaults; a wildcard instance is added when its header is
 * met, with a copy of its pattern's defaults. Default texts point into the
 * table; texts from the file are owned (and wiped when secret).
 */
#include "config.h"

#include <sys/stat.h>

#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include <openssl/crypto.h>

#include "compat.h"
#include "conf.h"
#include "log.h"

struct conf_value {
	size_t		 cv_opt;	/* index into the table */
	const char	*cv_text;	/* NULL: unset */
	char		*cv_own;	/* owned copy, when from the file */
	long long	 cv_num;	/* INT, BOOL, DURATION, SIZE, ENUM */
	int		 cv_line;	/* 0: from the table */
};

struct conf_section {
	char			*cs_name;
	const char		*cs_pattern;	/* its co_section */
	int			 cs_wild;
	int			 cs_line;	/* 0: not in the file */
	struct conf_value	*cs_vals;
	size_t			 cs_nvals;
};

struct conf {
	const struct conf_option *cf_table;
	size_t			 cf_nopts;
	char			*cf_name;
	struct conf_value	*cf_defaults;	/* one per option */
	struct conf_section	*cf_sects;
	size_t			 cf_nsects;
	size_t			 cf_sectcap;
};

static void	 seterr(char *, size_t, const char *, ...)
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

static size_t
wild_prefix_len(const char *section)
{
	size_t	len = strlen(section);

	if (len > 0 && section[len - 1] == '*')
		return len - 1;
	return 0;
}

static int
is_key_char(int c)
{
	return isalnum((unsigned char)c) || c == '_' || c == '.' || c == '-';
}

static int
valid_key(const char *key)
{
	if (*key == '\0')
		return 0;
	for (; *key != '\0'; key++)
		if (!is_key_char(*key))
			return 0;
	return 1;
}

/* Table section name matching a section header, NULL if none. */
static const char *
table_pattern(const struct conf_option *table, const char *name, int *wild)
{
	const struct conf_option	*o;
	size_t				 plen;

	for (o = table; o->co_key != NULL; o++) {
		if (wild_prefix_len(o->co_section) == 0 &&
		    strcmp(o->co_section, name) == 0) {
			*wild = 0;
			return o->co_section;
		}
	}
	for (o = table; o->co_key != NULL; o++) {
		plen = wild_prefix_len(o->co_section);
		if (plen > 0 && strlen(name) > plen &&
		    strncmp(o->co_section, name, plen) == 0) {
			*wild = 1;
			return o->co_section;
		}
	}
	return NULL;
}

static long long
opt_min(const struct conf_option *o)
{
	if (o->co_min == 0 && o->co_max == 0)
		return o->co_type == CONF_INT ? LLONG_MIN : 0;
	return o->co_min;
}

static long long
opt_max(const struct conf_option *o)
{
	if (o->co_min == 0 && o->co_max == 0)
		return LLONG_MAX;
	return o->co_max;
}

/*
 * A decimal number with an optional one-letter suffix from sfx (matched
 * case-insensitively when icase) multiplying it by mult[i].
 * 0 ok, -1 malformed, -2 overflow.
 */
static int
parse_number(const char *s, int allow_neg, const char *sfx,
    const long long *mult, int icase, long long *out)
{
	unsigned long long	 v = 0, lim;
	const char		*p;
	int			 neg = 0, d;
	long long		 m = 1;

	if (allow_neg && *s == '-') {
		neg = 1;
		s++;
	}
	if (!isdigit((unsigned char)*s))
		return -1;
	lim = neg ? (unsigned long long)LLONG_MAX + 1 :
	    (unsigned long long)LLONG_MAX;
	for (; isdigit((unsigned char)*s); s++) {
		d = *s - '0';
		if (v > (lim - (unsigned long long)d) / 10)
			return -2;
		v = v * 10 + (unsigned long long)d;
	}
	if (*s != '\0') {
		if (sfx == NULL || s[1] != '\0')
			return -1;
		for (p = sfx; *p != '\0'; p++) {
			if (*p == *s || (icase &&
			    tolower((unsigned char)*p) ==
			    tolower((unsigned char)*s)))
				break;
		}
		if (*p == '\0')
			return -1;
		m = mult[p - sfx];
		if (v > lim / (unsigned long long)m)
			return -2;
		v *= (unsigned long long)m;
	}
	if (neg)
		*out = v == (unsigned long long)LLONG_MAX + 1 ? LLONG_MIN :
		    -(long long)v;
	else
		*out = (long long)v;
	return 0;
}

/*
 * Parse text for option o into *num. On error -1 and why holds a reason
 * that never contains the value.
 */
static int
parse_value(const struct conf_option *o, const char *text, long long *num,
    char *why, size_t whylen)
{
	static const long long	 dur_mult[] = { 1, 60, 3600, 86400 };
	static const long long	 size_mult[] = { 1024LL, 1024LL * 1024,
	    1024LL * 1024 * 1024 };
	const char *const	*e;
	long long		 v = 0;
	int			 r, i;

	*num = 0;
	switch (o->co_type) {
	case CONF_STRING:
		return 0;
	case CONF_PATH:
		if (*text == '\0') {
			seterr(why, whylen, "empty path");
			return -1;
		}
		return 0;
	case CONF_BOOL:
		if (strcasecmp(text, "yes") == 0 ||
		    strcasecmp(text, "true") == 0 || strcmp(text, "1") == 0)
			*num = 1;
		else if (strcasecmp(text, "no") == 0 ||
		    strcasecmp(text, "false") == 0 || strcmp(text, "0") == 0)
			*num = 0;
		else {
			seterr(why, whylen,
			    "not a boolean (yes/no, true/false, 1/0)");
			return -1;
		}
		return 0;
	case CONF_ENUM:
		for (e = o->co_enum, i = 0; *e != NULL; e++, i++) {
			if (strcmp(*e, text) == 0) {
				*num = i;
				return 0;
			}
		}
		{
			char	list[256] = "";

			for (e = o->co_enum; *e != NULL; e++) {
				if (e != o->co_enum)
					(void)strlcat(list, ", ", sizeof(list));
				(void)strlcat(list, *e, sizeof(list));
			}
			seterr(why, whylen, "not one of: %s", list);
		}
		return -1;
	case CONF_INT:
		r = parse_number(text, 1, NULL, NULL, 0, &v);
		if (r == -1) {
			seterr(why, whylen, "not an integer");
			return -1;
		}
		break;
	case CONF_DURATION:
		r = parse_number(text, 0, "smhd", dur_mult, 0, &v);
		if (r == -1) {
			seterr(why, whylen, "not a duration (seconds, "
			    "optionally with suffix s, m, h or d)");
			return -1;
		}
		break;
	case CONF_SIZE:
		r = parse_number(text, 0, "KMG", size_mult, 1, &v);
		if (r == -1) {
			seterr(why, whylen, "not a size (bytes, "
			    "optionally with suffix K, M or G)");
			return -1;
		}
		if (r == 0 && (unsigned long long)v > SIZE_MAX)
			r = -2;
		break;
	default:
		seterr(why, whylen, "unknown option type %d", o->co_type);
		return -1;
	}
	/* Numbers: range check in base units. */
	if (r == -2 || v < opt_min(o) || v > opt_max(o)) {
		seterr(why, whylen, "out of range %lld..%lld%s", opt_min(o),
		    opt_max(o), o->co_type == CONF_DURATION ? " seconds" :
		    o->co_type == CONF_SIZE ? " bytes" : "");
		return -1;
	}
	*num = v;
	return 0;
}

int
conf_table_validate(const struct conf_option *table, char *err,
    size_t errlen)
{
	const struct conf_option	*o, *p;
	const char			*s;
	char				 why[512];
	long long			 num;

	if (table == NULL) {
		seterr(err, errlen, "no table");
		return -1;
	}
	for (o = table; o->co_key != NULL; o++) {
		s = o->co_section;
		if (s == NULL || *s == '\0' || strpbrk(s, "[]\"") != NULL ||
		    isspace((unsigned char)s[0]) ||
		    isspace((unsigned char)s[strlen(s) - 1]) ||
		    (strchr(s, '*') != NULL &&
		    strchr(s, '*') != s + strlen(s) - 1) ||
		    strcmp(s, "*") == 0) {
			seterr(err, errlen, "option %s: bad section name",
			    o->co_key);
			return -1;
		}
		if (!valid_key(o->co_key)) {
			seterr(err, errlen, "[%s] %s: bad key name", s,
			    o->co_key);
			return -1;
		}
		if (o->co_desc == NULL || *o->co_desc == '\0') {
			seterr(err, errlen, "[%s] %s: no description", s,
			    o->co_key);
			return -1;
		}
		if (o->co_type < CONF_STRING || o->co_type > CONF_PATH) {
			seterr(err, errlen, "[%s] %s: bad type", s, o->co_key);
			return -1;
		}
		if (o->co_type == CONF_ENUM &&
		    (o->co_enum == NULL || o->co_enum[0] == NULL)) {
			seterr(err, errlen, "[%s] %s: empty enum list", s,
			    o->co_key);
			return -1;
		}
		if ((o->co_type == CONF_INT || o->co_type == CONF_DURATION ||
		    o->co_type == CONF_SIZE) && (o->co_min > o->co_max ||
		    (o->co_type != CONF_INT && o->co_min < 0))) {
			seterr(err, errlen, "[%s] %s: bad bounds", s,
			    o->co_key);
			return -1;
		}
		if ((o->co_flags & CONF_REQUIRED) && o->co_default != NULL) {
			seterr(err, errlen, "[%s] %s: required option with a "
			    "default", s, o->co_key);
			return -1;
		}
		if (o->co_default != NULL &&
		    parse_value(o, o->co_default, &num, why, sizeof(why)) ==
		    -1) {
			seterr(err, errlen, "[%s] %s: bad default: %s", s,
			    o->co_key, why);
			return -1;
		}
		for (p = table; p < o; p++) {
			if (strcmp(p->co_section, s) == 0 &&
			    strcmp(p->co_key, o->co_key) == 0) {
				seterr(err, errlen, "[%s] %s: listed twice",
				    s, o->co_key);
				return -1;
			}
		}
	}
	return 0;
}

static void
value_clear(struct conf *cf, struct conf_value *v)
{
	if (v->cv_own != NULL) {
		if (cf->cf_table[v->cv_opt].co_flags & CONF_SECRET)
			OPENSSL_cleanse(v->cv_own, strlen(v->cv_own));
		free(v->cv_own);
	}
	v->cv_own = NULL;
	v->cv_text = NULL;
}

void
conf_free(struct conf *cf)
{
	size_t	i, j;

	if (cf == NULL)
		return;
	for (i = 0; i < cf->cf_nsects; i++) {
		for (j = 0; j < cf->cf_sects[i].cs_nvals; j++)
			value_clear(cf, &cf->cf_sects[i].cs_vals[j]);
		free(cf->cf_sects[i].cs_vals);
		free(cf->cf_sects[i].cs_name);
	}
	free(cf->cf_sects);
	free(cf->cf_defaults);
	free(cf->cf_name);
	free(cf);
}

/* Add a section with its pattern's defaults. NULL on out of memory. */
static struct conf_section *
section_add(struct conf *cf, const char *name, const char *pattern, int wild)
{
	struct conf_section	*cs, *n;
	size_t			 i, k, cap;

	if (cf->cf_nsects == cf->cf_sectcap) {
		cap = cf->cf_sectcap == 0 ? 8 : cf->cf_sectcap * 2;
		n = reallocarray(cf->cf_sects, cap, sizeof(*n));
		if (n == NULL)
			return NULL;
		cf->cf_sects = n;
		cf->cf_sectcap = cap;
	}
	cs = &cf->cf_sects[cf->cf_nsects];
	memset(cs, 0, sizeof(*cs));
	cs->cs_pattern = pattern;
	cs->cs_wild = wild;
	for (i = 0; i < cf->cf_nopts; i++)
		if (strcmp(cf->cf_table[i].co_section, pattern) == 0)
			cs->cs_nvals++;
	if ((cs->cs_name = strdup(name)) == NULL)
		return NULL;
	cs->cs_vals = calloc(cs->cs_nvals == 0 ? 1 : cs->cs_nvals,
	    sizeof(*cs->cs_vals));
	if (cs->cs_vals == NULL) {
		free(cs->cs_name);
		return NULL;
	}
	for (i = 0, k = 0; i < cf->cf_nopts; i++)
		if (strcmp(cf->cf_table[i].co_section, pattern) == 0)
			cs->cs_vals[k++] = cf->cf_defaults[i];
	cf->cf_nsects++;
	return cs;
}

static struct conf_section *
section_find(const struct conf *cf, const char *name)
{
	size_t	i;

	for (i = 0; i < cf->cf_nsects; i++)
		if (strcmp(cf->cf_sects[i].cs_name, name) == 0)
			return &cf->cf_sects[i];
	return NULL;
}

static struct conf *
conf_new(const struct conf_option *table, const char *name)
{
	struct conf	*cf;
	char		 why[512];
	size_t		 i;
	int		 seen;

	if (conf_table_validate(table, why, sizeof(why)) == -1)
		fatalx("conf: bad option table: %s", why);
	if ((cf = calloc(1, sizeof(*cf))) == NULL)
		return NULL;
	cf->cf_table = table;
	while (table[cf->cf_nopts].co_key != NULL)
		cf->cf_nopts++;
	if ((cf->cf_name = strdup(name)) == NULL)
		goto fail;
	cf->cf_defaults = calloc(cf->cf_nopts + 1, sizeof(*cf->cf_defaults));
	if (cf->cf_defaults == NULL)
		goto fail;
	for (i = 0; i < cf->cf_nopts; i++) {
		cf->cf_defaults[i].cv_opt = i;
		cf->cf_defaults[i].cv_text = table[i].co_default;
		if (table[i].co_default != NULL)
			(void)parse_value(&table[i], table[i].co_default,
			    &cf->cf_defaults[i].cv_num, why, sizeof(why));
		else if (table[i].co_type == CONF_ENUM)
			cf->cf_defaults[i].cv_num = -1;
	}
	/* Every fixed section exists, in table order. */
	for (i = 0; i < cf->cf_nopts; i++) {
		if (wild_prefix_len(table[i].co_section) > 0)
			continue;
		seen = section_find(cf, table[i].co_section) != NULL;
		if (!seen && section_add(cf, table[i].co_section,
		    table[i].co_section, 0) == NULL)
			goto fail;
	}
	return cf;
 fail:
	conf_free(cf);
	return NULL;
}

/*
 * UTF-8 well-formedness (RFC 3629: no overlongs, no surrogates, at most
 * U+10FFFF) and no control characters but tab. 0 ok, else -1 and why.
 */
static int
check_text(const unsigned char *s, size_t len, const char **why)
{
	size_t		i = 0, n, k;
	unsigned int	c, min;

	while (i < len) {
		c = s[i];
		if (c < 0x80) {
			if ((c < 0x20 && c != '\t') || c == 0x7f) {
				*why = "NUL or control character";
				return -1;
			}
			i++;
			continue;
		}
		if (c >= 0xc2 && c <= 0xdf) {
			n = 1;
			c &= 0x1f;
			min = 0x80;
		} else if (c >= 0xe0 && c <= 0xef) {
			n = 2;
			c &= 0x0f;
			min = 0x800;
		} else if (c >= 0xf0 && c <= 0xf4) {
			n = 3;
			c &= 0x07;
			min = 0x10000;
		} else
			goto bad;
		if (len - i <= n)
			goto bad;
		for (k = 1; k <= n; k++) {
			if ((s[i + k] & 0xc0) != 0x80)
				goto bad;
			c = (c << 6) | (s[i + k] & 0x3f);
		}
		if (c < min || c > 0x10ffff || (c >= 0xd800 && c <= 0xdfff))
			goto bad;
		i += n + 1;
	}
	return 0;
 bad:
	*why = "invalid UTF-8";
	return -1;
}

static char *
trim(char *s)
{
	char	*e;

	while (*s == ' ' || *s == '\t')
		s++;
	e = s + strlen(s);
	while (e > s && (e[-1] == ' ' || e[-1] == '\t'))
		*--e = '\0';
	return s;
}

/* Unquote "..." in place (\" and \\ only). 0 ok, -1 and why. */
static int
unquote(char *s, const char **why)
{
	char	*r = s + 1, *w = s;

	for (;;) {
		if (*r == '\0') {
			*why = "unterminated quoted value";
			return -1;
		}
		if (*r == '"')
			break;
		if (*r == '\\') {
			r++;
			if (*r != '"' && *r != '\\') {
				*why = "bad escape in quoted value "
				    "(only \\\" and \\\\)";
				return -1;
			}
		}
		*w++ = *r++;
	}
	if (r[1] != '\0') {
		*why = "text after closing quote";
		return -1;
	}
	*w = '\0';
	return 0;
}

static int
parse_text(struct conf *cf, const char *text, size_t len, char *err,
    size_t errlen)
{
	const struct conf_option *o;
	struct conf_section	*cur = NULL, *cs;
	struct conf_value	*v;
	const char		*name = cf->cf_name, *p, *end, *nl, *why;
	const char		*pattern;
	char			 line[CONF_MAX_LINE + 1], reason[512];
	char			*s, *key, *val, *eq;
	size_t			 ll, i;
	long long		 num;
	int			 lineno = 0, wild, rc = -1;

	if (len > CONF_MAX_FILE) {
		seterr(err, errlen, "%s: file too large (max %d bytes)", name,
		    CONF_MAX_FILE);
		return -1;
	}
	p = text;
	end = text + len;
	if (len >= 3 && memcmp(p, "\xef\xbb\xbf", 3) == 0)
		p += 3;
	while (p < end) {
		lineno++;
		nl = memchr(p, '\n', (size_t)(end - p));
		ll = (size_t)((nl != NULL ? nl : end) - p);
		if (ll > 0 && p[ll - 1] == '\r')
			ll--;
		if (ll > CONF_MAX_LINE) {
			seterr(err, errlen, "%s:%d: line too long (max %d "
			    "bytes)", name, lineno, CONF_MAX_LINE);
			goto done;
		}
		if (check_text((const unsigned char *)p, ll, &why) == -1) {
			seterr(err, errlen, "%s:%d: %s", name, lineno, why);
			goto done;
		}
		memcpy(line, p, ll);
		line[ll] = '\0';
		p = nl != NULL ? nl + 1 : end;

		s = trim(line);
		if (*s == '\0' || *s == '#' || *s == ';')
			continue;
		if (*s == '[') {
			ll = strlen(s);
			if (s[ll - 1] != ']') {
				seterr(err, errlen, "%s:%d: section header "
				    "must end with ']'", name, lineno);
				goto done;
			}
			s[ll - 1] = '\0';
			s = trim(s + 1);
			if (*s == '\0' || strpbrk(s, "[]") != NULL) {
				seterr(err, errlen, "%s:%d: bad section name",
				    name, lineno);
				goto done;
			}
			if ((pattern = table_pattern(cf->cf_table, s,
			    &wild)) == NULL) {
				seterr(err, errlen, "%s:%d: unknown section "
				    "[%s]", name, lineno, s);
				goto done;
			}
			cs = section_find(cf, s);
			if (cs != NULL && cs->cs_line != 0) {
				seterr(err, errlen, "%s:%d: duplicate section "
				    "[%s] (first at line %d)", name, lineno, s,
				    cs->cs_line);
				goto done;
			}
			if (cs == NULL &&
			    (cs = section_add(cf, s, pattern, wild)) == NULL) {
				seterr(err, errlen, "%s:%d: out of memory",
				    name, lineno);
				goto done;
			}
			cs->cs_line = lineno;
			cur = cs;
			continue;
		}
		if ((eq = strchr(s, '=')) == NULL) {
			seterr(err, errlen, "%s:%d: expected \"key = value\" "
			    "or \"[section]\"", name, lineno);
			goto done;
		}
		*eq = '\0';
		key = trim(s);
		val = trim(eq + 1);
		if (!valid_key(key)) {
			seterr(err, errlen, "%s:%d: bad key name", name,
			    lineno);
			goto done;
		}
		if (cur == NULL) {
			seterr(err, errlen, "%s:%d: key %s outside a section",
			    name, lineno, key);
			goto done;
		}
		v = NULL;
		for (i = 0; i < cur->cs_nvals; i++) {
			if (strcmp(cf->cf_table[cur->cs_vals[i].cv_opt].co_key,
			    key) == 0) {
				v = &cur->cs_vals[i];
				break;
			}
		}
		if (v == NULL) {
			seterr(err, errlen, "%s:%d: unknown key %s in [%s]",
			    name, lineno, key, cur->cs_name);
			goto done;
		}
		o = &cf->cf_table[v->cv_opt];
		if (v->cv_line != 0) {
			seterr(err, errlen, "%s:%d: duplicate key %s in [%s] "
			    "(first at line %d)", name, lineno, key,
			    cur->cs_name, v->cv_line);
			goto done;
		}
		if (*val == '"' && unquote(val, &why) == -1) {
			seterr(err, errlen, "%s:%d: [%s] %s: %s", name, lineno,
			    cur->cs_name, key, why);
			goto done;
		}
		if (parse_value(o, val, &num, reason, sizeof(reason)) == -1) {
			if (o->co_flags & CONF_SECRET)
				seterr(err, errlen, "%s:%d: [%s] %s: bad value:"
				    " %s", name, lineno, cur->cs_name, key,
				    reason);
			else
				seterr(err, errlen, "%s:%d: [%s] %s: bad value "
				    "\"%s\": %s", name, lineno, cur->cs_name,
				    key, val, reason);
			goto done;
		}
		if ((v->cv_own = strdup(val)) == NULL) {
			seterr(err, errlen, "%s:%d: out of memory", name,
			    lineno);
			goto done;
		}
		v->cv_text = v->cv_own;
		v->cv_num = num;
		v->cv_line = lineno;
	}

	/* Required options, section by section. */
	for (i = 0; i < cf->cf_nsects; i++) {
		size_t	j;

		cs = &cf->cf_sects[i];
		for (j = 0; j < cs->cs_nvals; j++) {
			v = &cs->cs_vals[j];
			o = &cf->cf_table[v->cv_opt];
			if (!(o->co_flags & CONF_REQUIRED) || v->cv_line != 0)
				continue;
			if (cs->cs_line != 0)
				seterr(err, errlen, "%s:%d: [%s] %s is "
				    "required", name, cs->cs_line, cs->cs_name,
				    o->co_key);
			else
				seterr(err, errlen, "%s: [%s] %s is required",
				    name, cs->cs_name, o->co_key);
			goto done;
		}
	}
	rc = 0;
 done:
	OPENSSL_cleanse(line, sizeof(line));
	return rc;
}

int
conf_load_string(const struct conf_option *table, const char *name,
    const char *text, struct conf **out, char *err, size_t errlen)
{
	struct conf	*cf;
	size_t		 len;

	*out = NULL;
	if (name == NULL)
		name = "<string>";
	if ((cf = conf_new(table, name)) == NULL) {
		seterr(err, errlen, "%s: out of memory", name);
		return -1;
	}
	len = strnlen(text, (size_t)CONF_MAX_FILE + 1);
	if (parse_text(cf, text, len, err, errlen) == -1) {
		conf_free(cf);
		return -1;
	}
	*out = cf;
	return 0;
}

int
conf_load_file(const struct conf_option *table, const char *path,
    struct conf **out, char *err, size_t errlen)
{
	struct conf	*cf = NULL;
	struct stat	 st;
	char		*data = NULL;
	size_t		 len = 0, cap = (size_t)CONF_MAX_FILE + 1;
	ssize_t		 n;
	int		 fd, rc = -1;

	*out = NULL;
	/* O_NONBLOCK: a FIFO must not hang the daemon at start-up. */
	if ((fd = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK)) == -1) {
		seterr(err, errlen, "%s: %s", path, strerror(errno));
		return -1;
	}
	if (fstat(fd, &st) == -1) {
		seterr(err, errlen, "%s: %s", path, strerror(errno));
		goto done;
	}
	if (!S_ISREG(st.st_mode)) {
		seterr(err, errlen, "%s: not a regular file", path);
		goto done;
	}
	if (st.st_size > CONF_MAX_FILE) {
		seterr(err, errlen, "%s: file too large (max %d bytes)", path,
		    CONF_MAX_FILE);
		goto done;
	}
	if ((data = malloc(cap)) == NULL) {
		seterr(err, errlen, "%s: out of memory", path);
		goto done;
	}
	/* Read up to one byte past the cap: the file may have grown. */
	while (len < cap) {
		n = read(fd, data + len, cap - len);
		if (n == -1 && errno == EINTR)
			continue;
		if (n == -1) {
			seterr(err, errlen, "%s: %s", path, strerror(errno));
			goto done;
		}
		if (n == 0)
			break;
		len += (size_t)n;
	}
	if ((cf = conf_new(table, path)) == NULL) {
		seterr(err, errlen, "%s: out of memory", path);
		goto done;
	}
	if (parse_text(cf, data, len, err, errlen) == -1)
		goto done;
	*out = cf;
	cf = NULL;
	rc = 0;
 done:
	if (data != NULL) {
		OPENSSL_cleanse(data, len);
		free(data);
	}
	conf_free(cf);
	close(fd);
	return rc;
}

/* The value of (section, key), checking the type. Misuse is fatal. */
static const struct conf_value *
lookup(const struct conf *cf, const char *section, const char *key,
    unsigned int types, const char *fn)
{
	const struct conf_section	*cs;
	const char			*pattern;
	size_t				 i;
	int				 wild;

	if (cf == NULL || section == NULL || key == NULL)
		fatalx("%s: NULL argument", fn);
	if ((cs = section_find(cf, section)) != NULL)
		pattern = cs->cs_pattern;
	else if ((pattern = table_pattern(cf->cf_table, section,
	    &wild)) == NULL)
		fatalx("%s: no section [%s] in the option table", fn, section);
	for (i = 0; i < cf->cf_nopts; i++)
		if (strcmp(cf->cf_table[i].co_section, pattern) == 0 &&
		    strcmp(cf->cf_table[i].co_key, key) == 0)
			break;
	if (i == cf->cf_nopts)
		fatalx("%s: no option [%s] %s in the option table", fn,
		    section, key);
	if (!(types & (1U << cf->cf_table[i].co_type)))
		fatalx("%s: option [%s] %s has another type", fn, section,
		    key);
	if (cs == NULL)
		return &cf->cf_defaults[i];
	for (i = 0; i < cs->cs_nvals; i++)
		if (strcmp(cf->cf_table[cs->cs_vals[i].cv_opt].co_key,
		    key) == 0)
			return &cs->cs_vals[i];
	fatalx("%s: [%s] %s: internal error", fn, section, key);
}

#define T(t)		(1U << (t))
#define T_ANY		(T(CONF_STRING) | T(CONF_INT) | T(CONF_BOOL) | \
			    T(CONF_DURATION) | T(CONF_SIZE) | T(CONF_ENUM) | \
			    T(CONF_PATH))

const char *
conf_get_str(const struct conf *cf, const char *section, const char *key)
{
	return lookup(cf, section, key,
	    T(CONF_STRING) | T(CONF_PATH) | T(CONF_ENUM), __func__)->cv_text;
}

long long
conf_get_int(const struct conf *cf, const char *section, const char *key)
{
	return lookup(cf, section, key, T(CONF_INT), __func__)->cv_num;
}

int
conf_get_bool(const struct conf *cf, const char *section, const char *key)
{
	return lookup(cf, section, key, T(CONF_BOOL), __func__)->cv_num != 0;
}

long long
conf_get_duration(const struct conf *cf, const char *section,
    const char *key)
{
	return lookup(cf, section, key, T(CONF_DURATION), __func__)->cv_num;
}

size_t
conf_get_size(const struct conf *cf, const char *section, const char *key)
{
	return (size_t)lookup(cf, section, key, T(CONF_SIZE),
	    __func__)->cv_num;
}

int
conf_get_enum(const struct conf *cf, const char *section, const char *key)
{
	return (int)lookup(cf, section, key, T(CONF_ENUM), __func__)->cv_num;
}

int
conf_isset(const struct conf *cf, const char *section, const char *key)
{
	return lookup(cf, section, key, T_ANY, __func__)->cv_text != NULL;
}

int
conf_line(const struct conf *cf, const char *section, const char *key)
{
	return lookup(cf, section, key, T_ANY, __func__)->cv_line;
}

const char *
conf_name(const struct conf *cf)
{
	return cf->cf_name;
}

static void
check_pattern(const struct conf *cf, const char *pattern, const char *fn)
{
	size_t	i;

	for (i = 0; i < cf->cf_nopts; i++)
		if (strcmp(cf->cf_table[i].co_section, pattern) == 0 &&
		    wild_prefix_len(pattern) > 0)
			return;
	fatalx("%s: [%s] is not a wildcard section of the option table", fn,
	    pattern);
}

static const struct conf_section *
nth_instance(const struct conf *cf, const char *pattern, size_t n)
{
	size_t	i;

	for (i = 0; i < cf->cf_nsects; i++) {
		if (!cf->cf_sects[i].cs_wild ||
		    strcmp(cf->cf_sects[i].cs_pattern, pattern) != 0)
			continue;
		if (n-- == 0)
			return &cf->cf_sects[i];
	}
	return NULL;
}

size_t
conf_section_count(const struct conf *cf, const char *pattern)
{
	size_t	i, n = 0;

	check_pattern(cf, pattern, __func__);
	for (i = 0; i < cf->cf_nsects; i++)
		if (cf->cf_sects[i].cs_wild &&
		    strcmp(cf->cf_sects[i].cs_pattern, pattern) == 0)
			n++;
	return n;
}

const char *
conf_section_name(const struct conf *cf, const char *pattern, size_t i)
{
	const struct conf_section	*cs;

	check_pattern(cf, pattern, __func__);
	if ((cs = nth_instance(cf, pattern, i)) == NULL)
		fatalx("%s: [%s] has no instance %zu", __func__, pattern, i);
	return cs->cs_name;
}

const char *
conf_section_instance(const struct conf *cf, const char *pattern, size_t i)
{
	return conf_section_name(cf, pattern, i) + wild_prefix_len(pattern);
}

static void
print_value(FILE *fp, const char *key, const char *text)
{
	size_t	len = strlen(text);
	int	quote;

	quote = len == 0 || text[0] == '"' || text[0] == ' ' ||
	    text[0] == '\t' || text[len - 1] == ' ' || text[len - 1] == '\t';
	if (!quote) {
		fprintf(fp, "%s = %s\n", key, text);
		return;
	}
	fprintf(fp, "%s = \"", key);
	for (; *text != '\0'; text++) {
		if (*text == '"' || *text == '\\')
			fputc('\\', fp);
		fputc(*text, fp);
	}
	fputs("\"\n", fp);
}

void
conf_print(const struct conf *cf, FILE *fp)
{
	const struct conf_section	*cs;
	const struct conf_value		*v;
	const struct conf_option	*o;
	size_t				 i, j;

	for (i = 0; i < cf->cf_nsects; i++) {
		cs = &cf->cf_sects[i];
		fprintf(fp, "%s[%s]\n", i == 0 ? "" : "\n", cs->cs_name);
		for (j = 0; j < cs->cs_nvals; j++) {
			v = &cs->cs_vals[j];
			o = &cf->cf_table[v->cv_opt];
			if (v->cv_text == NULL)
				fprintf(fp, "# %s is not set\n", o->co_key);
			else if (o->co_flags & CONF_SECRET)
				fprintf(fp, "%s = ********\n", o->co_key);
			else
				print_value(fp, o->co_key, v->cv_text);
		}
	}
}

/* Normalise roff: "\-" is '-', "\&" disappears. Caller frees. */
static char *
roff_plain(const char *text)
{
	char	*out, *w;

	if ((out = malloc(strlen(text) + 1)) == NULL)
		return NULL;
	for (w = out; *text != '\0'; text++) {
		if (text[0] == '\\' && text[1] == '-') {
			*w++ = '-';
			text++;
		} else if (text[0] == '\\' && text[1] == '&')
			text++;
		else
			*w++ = *text;
	}
	*w = '\0';
	return out;
}

static int
is_word_char(int c)
{
	return isalnum((unsigned char)c) || c == '_' || c == '-';
}

/* Does word (of length len) occur in text with no word char around it? */
static int
has_word(const char *text, const char *word, size_t len)
{
	const char	*p = text;

	while ((p = strstr(p, word)) != NULL) {
		if ((p == text || !is_word_char(p[-1])) &&
		    !is_word_char(p[len]))
			return 1;
		p++;
	}
	return 0;
}

int
conf_table_check_manpage(const struct conf_option *table, const char *text,
    char *missing, size_t missinglen)
{
	const struct conf_option	*o, *p;
	char				*plain, *w, word[256], item[300];
	size_t				 len;
	int				 n = 0, dup;

	if (missing != NULL && missinglen > 0)
		missing[0] = '\0';
	if ((plain = roff_plain(text)) == NULL)
		fatal("%s", __func__);
	for (o = table; o->co_key != NULL; o++) {
		/* Each section name once. */
		dup = 0;
		for (p = table; p < o; p++)
			if (strcmp(p->co_section, o->co_section) == 0)
				dup = 1;
		if (!dup) {
			len = strlen(o->co_section);
			if (wild_prefix_len(o->co_section) > 0)
				len = wild_prefix_len(o->co_section);
			if (len >= sizeof(word))
				len = sizeof(word) - 1;
			memcpy(word, o->co_section, len);
			word[len] = '\0';
			/* "service *" is documented as "service". */
			w = trim(word);
			if (!has_word(plain, w, strlen(w))) {
				(void)snprintf(item, sizeof(item), "%s[%s]",
				    n > 0 ? " " : "", o->co_section);
				if (missing != NULL)
					(void)strlcat(missing, item,
					    missinglen);
				n++;
			}
		}
		if (!has_word(plain, o->co_key, strlen(o->co_key))) {
			(void)snprintf(item, sizeof(item), "%s[%s] %s",
			    n > 0 ? " " : "", o->co_section, o->co_key);
			if (missing != NULL)
				(void)strlcat(missing, item, missinglen);
			n++;
		}
	}
	free(plain);
	return n;
}
