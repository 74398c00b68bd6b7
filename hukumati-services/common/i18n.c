/*
 * i18n.c: .po message catalogues and the language of a request (see
 * i18n.h).
 */
#include "config.h"

#include <sys/stat.h>

#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include "compat.h"
#include "http.h"
#include "i18n.h"
#include "web.h"

struct i18n_msg {
	char	*m_key;
	char	*m_val;
};

struct i18n_cat {
	char		 c_lang[I18N_LANG_MAX + 1];
	struct i18n_msg	*c_msgs;	/* sorted by key after loading */
	size_t		 c_n;
	size_t		 c_cap;
};

struct i18n {
	struct i18n_cat	*i_cats;
	size_t		 i_n;
	size_t		 i_default;
};

static void
set_err(char *err, size_t errlen, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static void
set_err(char *err, size_t errlen, const char *fmt, ...)
{
	va_list	 ap;

	if (err == NULL || errlen == 0)
		return;
	va_start(ap, fmt);
	(void)vsnprintf(err, errlen, fmt, ap);
	va_end(ap);
}

struct i18n *
i18n_new(void)
{
	return calloc(1, sizeof(struct i18n));
}

static void
cat_clear(struct i18n_cat *c)
{
	size_t	 i;

	for (i = 0; i < c->c_n; i++) {
		free(c->c_msgs[i].m_key);
		free(c->c_msgs[i].m_val);
	}
	free(c->c_msgs);
	c->c_msgs = NULL;
	c->c_n = c->c_cap = 0;
}

void
i18n_free(struct i18n *t)
{
	size_t	 i;

	if (t == NULL)
		return;
	for (i = 0; i < t->i_n; i++)
		cat_clear(&t->i_cats[i]);
	free(t->i_cats);
	free(t);
}

static const struct i18n_cat *
cat_find(const struct i18n *t, const char *lang)
{
	size_t	 i;

	if (lang == NULL)
		return NULL;
	for (i = 0; i < t->i_n; i++)
		if (strcmp(t->i_cats[i].c_lang, lang) == 0)
			return &t->i_cats[i];
	return NULL;
}

static int
lang_ok(const char *lang)
{
	size_t	 i;

	for (i = 0; lang[i] != '\0'; i++)
		if (lang[i] < 'a' || lang[i] > 'z')
			return 0;
	return i >= 2 && i <= I18N_LANG_MAX;
}

static int
msg_cmp(const void *a, const void *b)
{
	return strcmp(((const struct i18n_msg *)a)->m_key,
	    ((const struct i18n_msg *)b)->m_key);
}

/*
 * The .po reader. State: the keyword whose string is being built
 * (msgid or msgstr), the two strings, the fuzzy flag of the entry.
 */
enum po_kw { PO_NONE, PO_ID, PO_STR };

struct po {
	const char	*p_name;
	int		 p_line;
	char		*p_id;
	size_t		 p_idlen;
	char		*p_str;
	size_t		 p_strlen;
	int		 p_have_id;
	int		 p_have_str;
	int		 p_fuzzy;
	int		 p_next_fuzzy;
	int		 p_id_line;
	enum po_kw	 p_kw;
	char		*p_err;
	size_t		 p_errlen;
};

/* Append the quoted string at s (after blanks) to *dst. */
static int
po_string(struct po *p, const char *s, char **dst, size_t *dlen)
{
	char	*d;
	size_t	 n = *dlen;

	while (*s == ' ' || *s == '\t')
		s++;
	if (*s != '"') {
		set_err(p->p_err, p->p_errlen, "%s:%d: a quoted string is "
		    "expected", p->p_name, p->p_line);
		return -1;
	}
	s++;
	if ((d = realloc(*dst, n + strlen(s) + 1)) == NULL) {
		set_err(p->p_err, p->p_errlen, "%s: out of memory", p->p_name);
		return -1;
	}
	*dst = d;
	for (; *s != '"'; s++) {
		if (*s == '\0')
			goto bad;
		if (*s != '\\') {
			d[n++] = *s;
			continue;
		}
		switch (*++s) {
		case 'n':
			d[n++] = '\n';
			break;
		case 't':
			d[n++] = '\t';
			break;
		case '"':
		case '\\':
			d[n++] = *s;
			break;
		default:
			goto bad;
		}
	}
	s++;
	while (*s == ' ' || *s == '\t' || *s == '\r')
		s++;
	if (*s != '\0')
		goto bad;
	d[n] = '\0';
	if (n > I18N_MSG_MAX) {
		set_err(p->p_err, p->p_errlen, "%s:%d: message over %d bytes",
		    p->p_name, p->p_line, I18N_MSG_MAX);
		return -1;
	}
	*dlen = n;
	return 0;
 bad:
	d[n] = '\0';
	set_err(p->p_err, p->p_errlen, "%s:%d: bad string (unterminated, "
	    "text after it or an unknown escape)", p->p_name, p->p_line);
	return -1;
}

static int
po_add(struct po *p, struct i18n_cat *c)
{
	struct i18n_msg	*m;
	const char	*ct;
	size_t		 ncap;

	if (!p->p_have_id)
		return 0;
	if (!p->p_have_str) {
		set_err(p->p_err, p->p_errlen, "%s:%d: msgid without msgstr",
		    p->p_name, p->p_id_line);
		return -1;
	}
	if (p->p_idlen == 0) {
		/* The header entry. */
		ct = p->p_str != NULL ? strcasestr(p->p_str, "charset=") :
		    NULL;
		if (ct == NULL || strncasecmp(ct + 8, "UTF-8", 5) != 0) {
			set_err(p->p_err, p->p_errlen, "%s:%d: the header "
			    "must declare charset=UTF-8", p->p_name,
			    p->p_id_line);
			return -1;
		}
		goto reset;
	}
	if (p->p_fuzzy || p->p_strlen == 0)
		goto reset;
	if (!web_utf8_text(p->p_id) || !web_utf8_text(p->p_str)) {
		set_err(p->p_err, p->p_errlen, "%s:%d: not UTF-8 text",
		    p->p_name, p->p_id_line);
		return -1;
	}
	if (c->c_n == c->c_cap) {
		ncap = c->c_cap == 0 ? 64 : c->c_cap * 2;
		if ((m = reallocarray(c->c_msgs, ncap, sizeof(*m))) == NULL) {
			set_err(p->p_err, p->p_errlen, "%s: out of memory",
			    p->p_name);
			return -1;
		}
		c->c_msgs = m;
		c->c_cap = ncap;
	}
	m = &c->c_msgs[c->c_n++];
	m->m_key = p->p_id;
	m->m_val = p->p_str;
	p->p_id = p->p_str = NULL;
 reset:
	free(p->p_id);
	free(p->p_str);
	p->p_id = p->p_str = NULL;
	p->p_idlen = p->p_strlen = 0;
	p->p_have_id = p->p_have_str = 0;
	p->p_kw = PO_NONE;
	return 0;
}

static int
po_line(struct po *p, struct i18n_cat *c, const char *l)
{
	while (*l == ' ' || *l == '\t')
		l++;
	if (*l == '\0' || *l == '\r')
		return 0;
	if (*l == '#') {
		/* "#, fuzzy, c-format": flags of the next entry. */
		if (l[1] == ',' && strstr(l, "fuzzy") != NULL)
			p->p_next_fuzzy = 1;
		return 0;
	}
	if (strncmp(l, "msgid_plural", 12) == 0 ||
	    strncmp(l, "msgstr[", 7) == 0 || strncmp(l, "msgctxt", 7) == 0) {
		set_err(p->p_err, p->p_errlen, "%s:%d: plural forms and "
		    "msgctxt are not supported", p->p_name, p->p_line);
		return -1;
	}
	if (strncmp(l, "msgid", 5) == 0 && (l[5] == ' ' || l[5] == '\t')) {
		if (po_add(p, c) == -1)
			return -1;
		p->p_fuzzy = p->p_next_fuzzy;
		p->p_next_fuzzy = 0;
		p->p_have_id = 1;
		p->p_id_line = p->p_line;
		p->p_kw = PO_ID;
		if ((p->p_id = strdup("")) == NULL)
			return -1;
		return po_string(p, l + 5, &p->p_id, &p->p_idlen);
	}
	if (strncmp(l, "msgstr", 6) == 0 && (l[6] == ' ' || l[6] == '\t')) {
		if (p->p_kw != PO_ID) {
			set_err(p->p_err, p->p_errlen, "%s:%d: msgstr without "
			    "msgid", p->p_name, p->p_line);
			return -1;
		}
		p->p_have_str = 1;
		p->p_kw = PO_STR;
		if ((p->p_str = strdup("")) == NULL)
			return -1;
		return po_string(p, l + 6, &p->p_str, &p->p_strlen);
	}
	if (*l == '"') {
		if (p->p_kw == PO_ID)
			return po_string(p, l, &p->p_id, &p->p_idlen);
		if (p->p_kw == PO_STR)
			return po_string(p, l, &p->p_str, &p->p_strlen);
	}
	set_err(p->p_err, p->p_errlen, "%s:%d: unexpected line", p->p_name,
	    p->p_line);
	return -1;
}

int
i18n_load_string(struct i18n *t, const char *lang, const char *name,
    const char *text, char *err, size_t errlen)
{
	struct i18n_cat	 c, *cats;
	struct po	 p;
	const char	*s, *e;
	char		 line[I18N_MSG_MAX + 64];
	size_t		 i, n;

	memset(&c, 0, sizeof(c));
	memset(&p, 0, sizeof(p));
	if (!lang_ok(lang)) {
		set_err(err, errlen, "%s: bad language code", name);
		return -1;
	}
	if (cat_find(t, lang) != NULL) {
		set_err(err, errlen, "%s: language %s loaded twice", name,
		    lang);
		return -1;
	}
	if (strlen(text) > I18N_FILE_MAX) {
		set_err(err, errlen, "%s: over %d bytes", name, I18N_FILE_MAX);
		return -1;
	}
	(void)strlcpy(c.c_lang, lang, sizeof(c.c_lang));
	p.p_name = name;
	p.p_err = err;
	p.p_errlen = errlen;
	for (s = text; *s != '\0'; s = *e == '\0' ? e : e + 1) {
		p.p_line++;
		if ((e = strchr(s, '\n')) == NULL)
			e = s + strlen(s);
		n = (size_t)(e - s);
		if (n >= sizeof(line)) {
			set_err(err, errlen, "%s:%d: line too long", name,
			    p.p_line);
			goto fail;
		}
		memcpy(line, s, n);
		line[n] = '\0';
		if (po_line(&p, &c, line) == -1)
			goto fail;
	}
	if (po_add(&p, &c) == -1)
		goto fail;
	qsort(c.c_msgs, c.c_n, sizeof(*c.c_msgs), msg_cmp);
	for (i = 1; i < c.c_n; i++) {
		if (strcmp(c.c_msgs[i - 1].m_key, c.c_msgs[i].m_key) == 0) {
			set_err(err, errlen, "%s: duplicate msgid \"%s\"",
			    name, c.c_msgs[i].m_key);
			goto fail;
		}
	}
	if ((cats = reallocarray(t->i_cats, t->i_n + 1, sizeof(*cats))) ==
	    NULL) {
		set_err(err, errlen, "%s: out of memory", name);
		goto fail;
	}
	t->i_cats = cats;
	t->i_cats[t->i_n++] = c;
	return 0;
 fail:
	free(p.p_id);
	free(p.p_str);
	cat_clear(&c);
	return -1;
}

int
i18n_load_file(struct i18n *t, const char *lang, const char *path,
    char *err, size_t errlen)
{
	struct stat	 st;
	char		*text = NULL;
	size_t		 len = 0;
	ssize_t		 n;
	int		 fd, r = -1;

	if ((fd = open(path, O_RDONLY | O_CLOEXEC)) == -1) {
		set_err(err, errlen, "%s: %s", path, strerror(errno));
		return -1;
	}
	if (fstat(fd, &st) == -1 || !S_ISREG(st.st_mode) ||
	    st.st_size > I18N_FILE_MAX) {
		set_err(err, errlen, "%s: not a regular file of at most %d "
		    "bytes", path, I18N_FILE_MAX);
		goto done;
	}
	if ((text = malloc((size_t)st.st_size + 1)) == NULL) {
		set_err(err, errlen, "%s: out of memory", path);
		goto done;
	}
	while (len < (size_t)st.st_size) {
		n = read(fd, text + len, (size_t)st.st_size - len);
		if (n == -1 && errno == EINTR)
			continue;
		if (n <= 0) {
			set_err(err, errlen, "%s: read error", path);
			goto done;
		}
		len += (size_t)n;
	}
	text[len] = '\0';
	if (strlen(text) != len) {
		set_err(err, errlen, "%s: holds a NUL byte", path);
		goto done;
	}
	r = i18n_load_string(t, lang, path, text, err, errlen);
 done:
	free(text);
	(void)close(fd);
	return r;
}

int
i18n_load_dir(struct i18n *t, const char *dir, const char *const langs[],
    char *err, size_t errlen)
{
	char	 path[4096];
	size_t	 i;
	int	 r;

	for (i = 0; langs[i] != NULL; i++) {
		r = snprintf(path, sizeof(path), "%s/%s.po", dir, langs[i]);
		if (r < 0 || (size_t)r >= sizeof(path)) {
			set_err(err, errlen, "%s: path too long", dir);
			return -1;
		}
		if (i18n_load_file(t, langs[i], path, err, errlen) == -1)
			return -1;
	}
	return 0;
}

const char *
i18n_default(const struct i18n *t)
{
	return t->i_n == 0 ? NULL : t->i_cats[t->i_default].c_lang;
}

int
i18n_set_default(struct i18n *t, const char *lang)
{
	size_t	 i;

	for (i = 0; i < t->i_n; i++) {
		if (strcmp(t->i_cats[i].c_lang, lang) == 0) {
			t->i_default = i;
			return 0;
		}
	}
	return -1;
}

int
i18n_has_lang(const struct i18n *t, const char *lang)
{
	return cat_find(t, lang) != NULL;
}

static const char *
cat_get(const struct i18n_cat *c, const char *key)
{
	struct i18n_msg	 k, *m;

	if (c == NULL)
		return NULL;
	k.m_key = (char *)(uintptr_t)key;
	m = bsearch(&k, c->c_msgs, c->c_n, sizeof(*c->c_msgs), msg_cmp);
	return m != NULL ? m->m_val : NULL;
}

const char *
i18n_get(const struct i18n *t, const char *lang, const char *key)
{
	const char	*v;

	if ((v = cat_get(cat_find(t, lang), key)) != NULL)
		return v;
	if (t->i_n > 0 && (v = cat_get(&t->i_cats[t->i_default], key)) !=
	    NULL)
		return v;
	return key;
}

int
i18n_has(const struct i18n *t, const char *lang, const char *key)
{
	return cat_get(cat_find(t, lang), key) != NULL;
}

size_t
i18n_count(const struct i18n *t, const char *lang)
{
	const struct i18n_cat	*c = cat_find(t, lang);

	return c != NULL ? c->c_n : 0;
}

const char *
i18n_key_at(const struct i18n *t, const char *lang, size_t i)
{
	const struct i18n_cat	*c = cat_find(t, lang);

	return c != NULL && i < c->c_n ? c->c_msgs[i].m_key : NULL;
}

const char *
i18n_dir(const char *lang)
{
	if (lang != NULL && (strcmp(lang, "ar") == 0 ||
	    strcmp(lang, "he") == 0 || strcmp(lang, "fa") == 0 ||
	    strcmp(lang, "ur") == 0))
		return "rtl";
	return "ltr";
}

const char *
i18n_choose(const struct i18n *t, const char *query_lang,
    const char *cookie_lang)
{
	const struct i18n_cat	*c;

	if (t->i_n == 0)
		return NULL;
	if ((c = cat_find(t, query_lang)) == NULL &&
	    (c = cat_find(t, cookie_lang)) == NULL)
		c = &t->i_cats[t->i_default];
	return c->c_lang;
}

const char *
i18n_pick(const struct i18n *t, struct evhttp_request *req, int secure)
{
	struct http_query	*q = NULL;
	struct web_cookie	 ck;
	const char		*v = NULL, *lang;
	char			 cookie[I18N_LANG_MAX + 1];

	if (t->i_n == 0)
		return NULL;
	if (http_req_query(req, &q) == 0)
		v = http_query_get(q, "lang");
	if (web_cookie_get(req, "lang", cookie, sizeof(cookie)) != 1)
		cookie[0] = '\0';
	lang = i18n_choose(t, v, cookie);
	if (v != NULL && strcmp(v, lang) == 0) {
		/* Remember an explicit choice. */
		memset(&ck, 0, sizeof(ck));
		ck.wc_name = "lang";
		ck.wc_value = lang;
		ck.wc_max_age = 365L * 24 * 3600;
		ck.wc_http_only = 1;
		ck.wc_secure = secure;
		ck.wc_samesite = WEB_SAMESITE_LAX;
		(void)web_cookie_set(req, &ck);
	}
	http_query_free(q);
	return lang;
}
