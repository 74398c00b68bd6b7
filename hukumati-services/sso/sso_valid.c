/*
 * sso_valid.c: the rules for what citizens type (see sso.h): national
 * ID, mobile number, date of birth, e-mail, names and the name keys used
 * to match the civil register, and the password policy.
 */
#include "config.h"

#include <sys/stat.h>

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include <unistd.h>

#include "compat.h"
#include "luhn.h"
#include "sso.h"
#include "web.h"

#define PWLIST_FILE_MAX	(4 * 1024 * 1024)

/* Next code point of UTF-8 text (already checked); advances *p. */
static uint32_t
next_cp(const unsigned char **p)
{
	const unsigned char	*s = *p;
	uint32_t		 cp;
	int			 n, i;

	if (s[0] < 0x80) {
		*p = s + 1;
		return s[0];
	}
	if ((s[0] & 0xe0) == 0xc0) {
		n = 1;
		cp = s[0] & 0x1f;
	} else if ((s[0] & 0xf0) == 0xe0) {
		n = 2;
		cp = s[0] & 0x0f;
	} else {
		n = 3;
		cp = s[0] & 0x07;
	}
	for (i = 1; i <= n && s[i] != '\0'; i++)
		cp = (cp << 6) | (s[i] & 0x3f);
	*p = s + i;
	return cp;
}

static int
put_cp(char *out, size_t outlen, size_t *pos, uint32_t cp)
{
	unsigned char	 b[4];
	size_t		 n;

	if (cp < 0x80) {
		b[0] = (unsigned char)cp;
		n = 1;
	} else if (cp < 0x800) {
		b[0] = 0xc0 | (cp >> 6);
		b[1] = 0x80 | (cp & 0x3f);
		n = 2;
	} else if (cp < 0x10000) {
		b[0] = 0xe0 | (cp >> 12);
		b[1] = 0x80 | ((cp >> 6) & 0x3f);
		b[2] = 0x80 | (cp & 0x3f);
		n = 3;
	} else {
		b[0] = 0xf0 | (cp >> 18);
		b[1] = 0x80 | ((cp >> 12) & 0x3f);
		b[2] = 0x80 | ((cp >> 6) & 0x3f);
		b[3] = 0x80 | (cp & 0x3f);
		n = 4;
	}
	if (*pos + n >= outlen)
		return -1;
	memcpy(out + *pos, b, n);
	*pos += n;
	out[*pos] = '\0';
	return 0;
}

int
sso_digits(const char *in, char *out, size_t outlen)
{
	const unsigned char	*p = (const unsigned char *)in;
	uint32_t		 cp;
	size_t			 n = 0;

	if (outlen == 0 || !web_utf8_text(in))
		return -1;
	out[0] = '\0';
	while (*p != '\0') {
		cp = next_cp(&p);
		if (cp >= 0x660 && cp <= 0x669)
			cp = '0' + (cp - 0x660);
		else if (cp >= 0x6f0 && cp <= 0x6f9)
			cp = '0' + (cp - 0x6f0);
		else if (cp == ' ' || cp == '\t' || cp == 0xa0)
			continue;
		if (put_cp(out, outlen, &n, cp) == -1) {
			out[0] = '\0';
			return -1;
		}
	}
	return 0;
}

int
sso_valid_nid(const char *in, char out[SSO_NID_SIZE])
{
	char	 d[64];

	out[0] = '\0';
	if (sso_digits(in, d, sizeof(d)) == -1 || !luhn_nid_valid(d))
		return 0;
	(void)strlcpy(out, d, SSO_NID_SIZE);
	return 1;
}

static int
all_digits(const char *s, size_t n)
{
	size_t	 i;

	if (strlen(s) != n)
		return 0;
	for (i = 0; i < n; i++)
		if (s[i] < '0' || s[i] > '9')
			return 0;
	return 1;
}

int
sso_norm_mobile(const char *in, char out[SSO_PHONE_SIZE])
{
	char		 d[64], e[64];
	const char	*p, *rest;
	size_t		 n = 0;

	out[0] = '\0';
	if (sso_digits(in, d, sizeof(d)) == -1)
		return -1;
	/* Keep digits and one leading '+'; drop - . ( ) as separators. */
	for (p = d; *p != '\0'; p++) {
		if (*p >= '0' && *p <= '9')
			e[n++] = *p;
		else if (*p == '+' && n == 0 && p == d)
			e[n++] = '+';
		else if (*p != '-' && *p != '.' && *p != '(' && *p != ')')
			return -1;
		if (n >= sizeof(e) - 1)
			return -1;
	}
	e[n] = '\0';
	if (strncmp(e, "+", 1) == 0)
		rest = e + 1;
	else if (strncmp(e, "00", 2) == 0)
		rest = e + 2;
	else if (strncmp(e, "0", 1) == 0) {
		/* National form: 059/056 are Palestinian, other 05x Israeli. */
		if (!all_digits(e, 10) || e[1] != '5')
			return -1;
		if (snprintf(out, SSO_PHONE_SIZE, "+%s%s", e[2] == '9' ||
		    e[2] == '6' ? "970" : "972", e + 1) >= SSO_PHONE_SIZE) {
			out[0] = '\0';
			return -1;
		}
		return 0;
	} else
		rest = e;
	if (strncmp(rest, "970", 3) == 0 && all_digits(rest + 3, 9) &&
	    rest[3] == '5' && (rest[4] == '9' || rest[4] == '6'))
		goto ok;
	if (strncmp(rest, "972", 3) == 0 && all_digits(rest + 3, 9) &&
	    rest[3] == '5')
		goto ok;
	return -1;
 ok:
	if (snprintf(out, SSO_PHONE_SIZE, "+%s", rest) >= SSO_PHONE_SIZE) {
		out[0] = '\0';
		return -1;
	}
	return 0;
}

static int
leap(int y)
{
	return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
}

int
sso_norm_dob(const char *in, int64_t now, int min_age,
    char out[SSO_DATE_SIZE])
{
	static const int mdays[] = { 31, 28, 31, 30, 31, 30, 31, 31, 30,
	    31, 30, 31 };
	char		 d[32], date[32], today[32];
	int		 y, m, day, ty, tm_, td, age;
	struct tm	 tm;
	time_t		 t = (time_t)now;

	out[0] = '\0';
	if (sso_digits(in, d, sizeof(d)) == -1)
		return -1;
	if (strlen(d) == 10 && d[4] == '-' && d[7] == '-' &&
	    all_digits((char[]){ d[0], d[1], d[2], d[3], d[5], d[6], d[8],
	    d[9], '\0' }, 8)) {
		y = (d[0] - '0') * 1000 + (d[1] - '0') * 100 +
		    (d[2] - '0') * 10 + (d[3] - '0');
		m = (d[5] - '0') * 10 + (d[6] - '0');
		day = (d[8] - '0') * 10 + (d[9] - '0');
	} else if (strlen(d) == 10 && d[2] == '/' && d[5] == '/' &&
	    all_digits((char[]){ d[0], d[1], d[3], d[4], d[6], d[7], d[8],
	    d[9], '\0' }, 8)) {
		day = (d[0] - '0') * 10 + (d[1] - '0');
		m = (d[3] - '0') * 10 + (d[4] - '0');
		y = (d[6] - '0') * 1000 + (d[7] - '0') * 100 +
		    (d[8] - '0') * 10 + (d[9] - '0');
	} else
		return -1;
	if (y < 1900 || m < 1 || m > 12 || day < 1 ||
	    day > mdays[m - 1] + (m == 2 && leap(y)))
		return -1;
	if (gmtime_r(&t, &tm) == NULL)
		return -1;
	ty = tm.tm_year + 1900;
	tm_ = tm.tm_mon + 1;
	td = tm.tm_mday;
	(void)snprintf(date, sizeof(date), "%04d-%02d-%02d", y, m, day);
	(void)snprintf(today, sizeof(today), "%04d-%02d-%02d", ty, tm_, td);
	if (strcmp(date, today) > 0)
		return -1;
	age = ty - y - (tm_ < m || (tm_ == m && td < day));
	if (age < min_age)
		return -2;
	(void)strlcpy(out, date, SSO_DATE_SIZE);
	return 0;
}

int
sso_valid_email(const char *in)
{
	const char	*at, *p, *dot;
	size_t		 n = strlen(in);

	if (n < 3 || n >= SSO_EMAIL_SIZE)
		return 0;
	for (p = in; *p != '\0'; p++)
		if ((unsigned char)*p <= 0x20 || (unsigned char)*p >= 0x7f ||
		    strchr("\"<>(),;:\\[]", *p) != NULL)
			return 0;
	if ((at = strchr(in, '@')) == NULL || at == in ||
	    strchr(at + 1, '@') != NULL)
		return 0;
	dot = strrchr(at + 1, '.');
	return dot != NULL && dot > at + 1 && dot[1] != '\0' &&
	    strstr(at + 1, "..") == NULL;
}

/* Arabic letters (U+0621-U+064A), Persian extras, and Latin letters. */
static int
letter(uint32_t cp)
{
	return (cp >= 'a' && cp <= 'z') || (cp >= 'A' && cp <= 'Z') ||
	    (cp >= 0xc0 && cp <= 0x24f && cp != 0xd7 && cp != 0xf7) ||
	    (cp >= 0x621 && cp <= 0x64a) || (cp >= 0x64b && cp <= 0x65f) ||
	    cp == 0x640 || cp == 0x670 || (cp >= 0x671 && cp <= 0x6d3);
}

int
sso_valid_name(const char *in)
{
	const unsigned char	*p = (const unsigned char *)in;
	uint32_t		 cp;
	int			 n = 0, letters = 0;

	if (!web_utf8_text(in))
		return 0;
	while (*p != '\0') {
		cp = next_cp(&p);
		if (letter(cp))
			letters++;
		else if (cp != ' ' && cp != '-' && cp != '\'' && cp != '.' &&
		    cp != 0x2019)
			return 0;
		n++;
	}
	return letters > 0 && n <= 100;
}

int
sso_name_key(const char *in, char *out, size_t outlen)
{
	const unsigned char	*p;
	uint32_t		 cp;
	size_t			 n = 0;

	if (outlen == 0 || !web_utf8_text(in))
		return -1;
	out[0] = '\0';
	while (*in == ' ')
		in++;
	/* A leading article: "al-", "el ", "ال" (the last only if more follows). */
	if ((strncasecmp(in, "al", 2) == 0 || strncasecmp(in, "el", 2) == 0) &&
	    (in[2] == '-' || in[2] == ' '))
		in += 3;
	else if (strncmp(in, "\xd8\xa7\xd9\x84", 4) == 0 && strlen(in) > 8)
		in += 4;
	p = (const unsigned char *)in;
	while (*p != '\0') {
		cp = next_cp(&p);
		if (cp == ' ' || cp == '-' || cp == '\'' || cp == '.' ||
		    cp == 0x2019 || cp == 0x640 ||
		    (cp >= 0x64b && cp <= 0x65f) || cp == 0x670)
			continue;
		if (cp >= 'A' && cp <= 'Z')
			cp += 'a' - 'A';
		else if (cp == 0x622 || cp == 0x623 || cp == 0x625 ||
		    cp == 0x671)
			cp = 0x627;		/* alef forms -> alef */
		else if (cp == 0x629)
			cp = 0x647;		/* taa marbuta -> haa */
		else if (cp == 0x649 || cp == 0x626)
			cp = 0x64a;		/* alef maqsura, yeh hamza -> yeh */
		else if (cp == 0x624)
			cp = 0x648;		/* waw hamza -> waw */
		if (put_cp(out, outlen, &n, cp) == -1) {
			out[0] = '\0';
			return -1;
		}
	}
	return 0;
}

int
sso_name_match(const char *a, const char *b)
{
	char	 ka[SSO_NAME_SIZE * 2], kb[SSO_NAME_SIZE * 2];

	if (a == NULL || b == NULL ||
	    sso_name_key(a, ka, sizeof(ka)) == -1 ||
	    sso_name_key(b, kb, sizeof(kb)) == -1 || ka[0] == '\0')
		return 0;
	return strcmp(ka, kb) == 0;
}

/*
 * The common-password list: sorted lower-case lines.
 */
struct sso_pwlist {
	char	 *pl_text;
	char	**pl_words;
	size_t	  pl_n;
};

static int
str_cmp(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static void
lower_ascii(char *s)
{
	for (; *s != '\0'; s++)
		if (*s >= 'A' && *s <= 'Z')
			*s += 'a' - 'A';
}

int
sso_pwlist_from_string(const char *text, struct sso_pwlist **out)
{
	struct sso_pwlist	*pl;
	char			*s, *e, **w;
	size_t			 cap = 0;

	*out = NULL;
	if ((pl = calloc(1, sizeof(*pl))) == NULL ||
	    (pl->pl_text = strdup(text)) == NULL)
		goto fail;
	for (s = pl->pl_text; *s != '\0'; s = e) {
		if ((e = strchr(s, '\n')) != NULL)
			*e++ = '\0';
		else
			e = s + strlen(s);
		if (strlen(s) > 0 && s[strlen(s) - 1] == '\r')
			s[strlen(s) - 1] = '\0';
		if (*s == '\0' || *s == '#')
			continue;
		lower_ascii(s);
		if (pl->pl_n == cap) {
			cap = cap == 0 ? 256 : cap * 2;
			if ((w = reallocarray(pl->pl_words, cap,
			    sizeof(*w))) == NULL)
				goto fail;
			pl->pl_words = w;
		}
		pl->pl_words[pl->pl_n++] = s;
	}
	qsort(pl->pl_words, pl->pl_n, sizeof(*pl->pl_words), str_cmp);
	*out = pl;
	return 0;
 fail:
	sso_pwlist_free(pl);
	return -1;
}

int
sso_pwlist_load(const char *path, struct sso_pwlist **out, char *err,
    size_t errlen)
{
	struct stat	 st;
	char		*text = NULL;
	size_t		 len = 0;
	ssize_t		 n;
	int		 fd, r = -1;

	*out = NULL;
	if ((fd = open(path, O_RDONLY | O_CLOEXEC)) == -1) {
		(void)snprintf(err, errlen, "%s: %s", path, strerror(errno));
		return -1;
	}
	if (fstat(fd, &st) == -1 || !S_ISREG(st.st_mode) ||
	    st.st_size > PWLIST_FILE_MAX ||
	    (text = malloc((size_t)st.st_size + 1)) == NULL) {
		(void)snprintf(err, errlen, "%s: not a regular file of at "
		    "most %d bytes", path, PWLIST_FILE_MAX);
		goto done;
	}
	while (len < (size_t)st.st_size) {
		n = read(fd, text + len, (size_t)st.st_size - len);
		if (n == -1 && errno == EINTR)
			continue;
		if (n <= 0) {
			(void)snprintf(err, errlen, "%s: read error", path);
			goto done;
		}
		len += (size_t)n;
	}
	text[len] = '\0';
	if ((r = sso_pwlist_from_string(text, out)) == -1)
		(void)snprintf(err, errlen, "%s: out of memory", path);
 done:
	free(text);
	(void)close(fd);
	return r;
}

void
sso_pwlist_free(struct sso_pwlist *pl)
{
	if (pl == NULL)
		return;
	free(pl->pl_words);
	free(pl->pl_text);
	free(pl);
}

int
sso_pwlist_has(const struct sso_pwlist *pl, const char *pw)
{
	char	 low[SSO_PW_MAX], *k = low;
	int	 r;

	if (pl == NULL || strlcpy(low, pw, sizeof(low)) >= sizeof(low))
		return 0;
	lower_ascii(low);
	r = bsearch(&k, pl->pl_words, pl->pl_n, sizeof(*pl->pl_words),
	    str_cmp) != NULL;
	explicit_bzero(low, sizeof(low));
	return r;
}

/* Characters (code points) of UTF-8 text. */
static size_t
utf8_chars(const char *s)
{
	size_t	 n = 0;

	for (; *s != '\0'; s++)
		if (((unsigned char)*s & 0xc0) != 0x80)
			n++;
	return n;
}

const char *
sso_password_problem(const char *pw, size_t min, const struct sso_pwlist *pl,
    const char *nid, const char *mobile)
{
	if (utf8_chars(pw) < min)
		return "err.password_short";
	if (strlen(pw) >= SSO_PW_MAX)
		return "err.password_long";
	if (!web_utf8_text(pw))
		return "err.password_chars";
	if (sso_pwlist_has(pl, pw))
		return "err.password_common";
	if (nid != NULL && nid[0] != '\0' && strstr(pw, nid) != NULL)
		return "err.password_personal";
	/* The mobile number without its country code, e.g. 599000001. */
	if (mobile != NULL && strlen(mobile) > 4 &&
	    strstr(pw, mobile + 4) != NULL)
		return "err.password_personal";
	return SSO_PW_OK;
}
