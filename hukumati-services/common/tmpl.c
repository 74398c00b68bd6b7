/*
 * tmpl.c: the template engine (see tmpl.h). Parsing makes a tree of
 * nodes per template; rendering walks it with a stack of data scopes.
 */
#include "config.h"

#include <sys/stat.h>

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <jansson.h>

#include "buf.h"
#include "compat.h"
#include "i18n.h"
#include "tmpl.h"

#define TMPL_NAME_MAX	128

enum tnode_type {
	TN_TEXT,	/* literal HTML */
	TN_VAR,		/* {{name}} */
	TN_MSG,		/* {{@key}} */
	TN_FRAG,	/* {{&name}} */
	TN_IF,		/* {{#if}} / {{#unless}} */
	TN_EACH		/* {{#each}} */
};

struct tnode {
	enum tnode_type	 n_type;
	char		*n_text;	/* TEXT: bytes; others: the name */
	size_t		 n_len;
	int		 n_negate;	/* #unless */
	struct tnode	*n_body;	/* IF then-part, EACH body */
	struct tnode	*n_else;
	struct tnode	*n_next;
};

struct tmpl {
	char		*t_name;
	struct tnode	*t_root;
};

struct tmpl_set {
	struct tmpl	*s_t;
	size_t		 s_n;
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

static void
node_free(struct tnode *n)
{
	struct tnode	*next;

	for (; n != NULL; n = next) {
		next = n->n_next;
		free(n->n_text);
		node_free(n->n_body);
		node_free(n->n_else);
		free(n);
	}
}

struct tmpl_set *
tmpl_set_new(void)
{
	return calloc(1, sizeof(struct tmpl_set));
}

void
tmpl_set_free(struct tmpl_set *s)
{
	size_t	 i;

	if (s == NULL)
		return;
	for (i = 0; i < s->s_n; i++) {
		free(s->s_t[i].t_name);
		node_free(s->s_t[i].t_root);
	}
	free(s->s_t);
	free(s);
}

/*
 * The parser. It reads text from p_cur, appending nodes to the list
 * whose tail pointer is given, until the end of the text or a closing
 * tag ({{else}}, {{/if}}, ...), which it reports to the caller.
 */
struct parser {
	const char	*p_name;
	const char	*p_start;
	const char	*p_cur;
	char		*p_err;
	size_t		 p_errlen;
};

enum ptag { PT_END, PT_ELSE, PT_CLOSE_IF, PT_CLOSE_UNLESS, PT_CLOSE_EACH,
    PT_ERR };

static int
line_of(const struct parser *p, const char *at)
{
	const char	*s;
	int		 line = 1;

	for (s = p->p_start; s < at; s++)
		if (*s == '\n')
			line++;
	return line;
}

static int
name_ok(const char *s, size_t n)
{
	size_t	 i;

	if (n == 0 || n > TMPL_NAME_MAX)
		return 0;
	if (n == 1 && s[0] == '.')
		return 1;
	for (i = 0; i < n; i++) {
		if (!((s[i] >= 'a' && s[i] <= 'z') ||
		    (s[i] >= 'A' && s[i] <= 'Z') ||
		    (s[i] >= '0' && s[i] <= '9') || s[i] == '_' ||
		    s[i] == '-' || s[i] == '.'))
			return 0;
	}
	/* No empty segments: "a..b", ".a", "a." */
	if (s[0] == '.' || s[n - 1] == '.')
		return 0;
	for (i = 1; i < n; i++)
		if (s[i] == '.' && s[i - 1] == '.')
			return 0;
	return 1;
}

static struct tnode *
node_new(enum tnode_type type, const char *text, size_t len)
{
	struct tnode	*n;

	if ((n = calloc(1, sizeof(*n))) == NULL)
		return NULL;
	n->n_type = type;
	if ((n->n_text = malloc(len + 1)) == NULL) {
		free(n);
		return NULL;
	}
	memcpy(n->n_text, text, len);
	n->n_text[len] = '\0';
	n->n_len = len;
	return n;
}

static enum ptag parse_list(struct parser *, struct tnode **, int depth);

/* Parse the body of a block; the closing tag must be want. */
static int
parse_block(struct parser *p, struct tnode *n, enum ptag want, int depth,
    const char *open_at)
{
	enum ptag	 t;

	t = parse_list(p, &n->n_body, depth + 1);
	if (t == PT_ELSE && n->n_type == TN_IF)
		t = parse_list(p, &n->n_else, depth + 1);
	if (t == PT_ERR)
		return -1;
	if (t != want) {
		set_err(p->p_err, p->p_errlen, "%s:%d: block opened here is "
		    "not closed by its own end tag", p->p_name,
		    line_of(p, open_at));
		return -1;
	}
	return 0;
}

static enum ptag
parse_list(struct parser *p, struct tnode **head, int depth)
{
	struct tnode	**tail = head, *n;
	const char	*open, *close, *tag, *e;
	size_t		 len;
	enum tnode_type	 type;
	enum ptag	 want;

	if (depth > TMPL_DEPTH_MAX) {
		set_err(p->p_err, p->p_errlen, "%s:%d: blocks nested deeper "
		    "than %d", p->p_name, line_of(p, p->p_cur),
		    TMPL_DEPTH_MAX);
		return PT_ERR;
	}
	for (;;) {
		open = strstr(p->p_cur, "{{");
		len = open != NULL ? (size_t)(open - p->p_cur) :
		    strlen(p->p_cur);
		if (len > 0) {
			if ((n = node_new(TN_TEXT, p->p_cur, len)) == NULL)
				goto nomem;
			*tail = n;
			tail = &n->n_next;
		}
		if (open == NULL) {
			p->p_cur += len;
			return PT_END;
		}
		if ((close = strstr(open + 2, "}}")) == NULL) {
			set_err(p->p_err, p->p_errlen, "%s:%d: '{{' without "
			    "'}}'", p->p_name, line_of(p, open));
			return PT_ERR;
		}
		p->p_cur = close + 2;
		tag = open + 2;
		e = close;
		while (tag < e && (*tag == ' ' || *tag == '\t'))
			tag++;
		while (e > tag && (e[-1] == ' ' || e[-1] == '\t'))
			e--;
		len = (size_t)(e - tag);
		if (len > 0 && *tag == '!')
			continue;
		if (len == 4 && strncmp(tag, "else", 4) == 0)
			return PT_ELSE;
		if (len == 3 && strncmp(tag, "/if", 3) == 0)
			return PT_CLOSE_IF;
		if (len == 7 && strncmp(tag, "/unless", 7) == 0)
			return PT_CLOSE_UNLESS;
		if (len == 5 && strncmp(tag, "/each", 5) == 0)
			return PT_CLOSE_EACH;
		type = TN_VAR;
		want = PT_END;
		if (len > 0 && (*tag == '@' || *tag == '&')) {
			type = *tag == '@' ? TN_MSG : TN_FRAG;
			tag++;
			len--;
		} else if (len > 4 && strncmp(tag, "#if ", 4) == 0) {
			type = TN_IF;
			want = PT_CLOSE_IF;
			tag += 4;
			len -= 4;
		} else if (len > 8 && strncmp(tag, "#unless ", 8) == 0) {
			type = TN_IF;
			want = PT_CLOSE_UNLESS;
			tag += 8;
			len -= 8;
		} else if (len > 6 && strncmp(tag, "#each ", 6) == 0) {
			type = TN_EACH;
			want = PT_CLOSE_EACH;
			tag += 6;
			len -= 6;
		}
		while (len > 0 && (*tag == ' ' || *tag == '\t')) {
			tag++;
			len--;
		}
		if (!name_ok(tag, len) || (type == TN_FRAG && len == 1 &&
		    *tag == '.')) {
			set_err(p->p_err, p->p_errlen, "%s:%d: bad tag "
			    "'{{%.*s}}'", p->p_name, line_of(p, open),
			    (int)(close - open - 2), open + 2);
			return PT_ERR;
		}
		if ((n = node_new(type, tag, len)) == NULL)
			goto nomem;
		n->n_negate = want == PT_CLOSE_UNLESS;
		*tail = n;
		tail = &n->n_next;
		if (want != PT_END && parse_block(p, n, want, depth, open) ==
		    -1)
			return PT_ERR;
	}
 nomem:
	set_err(p->p_err, p->p_errlen, "%s: out of memory", p->p_name);
	return PT_ERR;
}

int
tmpl_add(struct tmpl_set *s, const char *name, const char *text,
    char *err, size_t errlen)
{
	struct parser	 p;
	struct tnode	*root = NULL;
	struct tmpl	*t;
	enum ptag	 r;

	if (tmpl_has(s, name)) {
		set_err(err, errlen, "%s: template added twice", name);
		return -1;
	}
	if (strlen(text) > TMPL_FILE_MAX) {
		set_err(err, errlen, "%s: over %d bytes", name, TMPL_FILE_MAX);
		return -1;
	}
	memset(&p, 0, sizeof(p));
	p.p_name = name;
	p.p_start = p.p_cur = text;
	p.p_err = err;
	p.p_errlen = errlen;
	if ((r = parse_list(&p, &root, 0)) != PT_END) {
		if (r != PT_ERR)
			set_err(err, errlen, "%s:%d: end tag without a block",
			    name, line_of(&p, p.p_cur));
		node_free(root);
		return -1;
	}
	if ((t = reallocarray(s->s_t, s->s_n + 1, sizeof(*t))) == NULL) {
		node_free(root);
		set_err(err, errlen, "%s: out of memory", name);
		return -1;
	}
	s->s_t = t;
	if ((t[s->s_n].t_name = strdup(name)) == NULL) {
		node_free(root);
		set_err(err, errlen, "%s: out of memory", name);
		return -1;
	}
	t[s->s_n].t_root = root;
	s->s_n++;
	return 0;
}

static int
read_text(const char *path, char **out, char *err, size_t errlen)
{
	struct stat	 st;
	char		*text = NULL;
	size_t		 len = 0;
	ssize_t		 n;
	int		 fd;

	*out = NULL;
	if ((fd = open(path, O_RDONLY | O_CLOEXEC)) == -1) {
		set_err(err, errlen, "%s: %s", path, strerror(errno));
		return -1;
	}
	if (fstat(fd, &st) == -1 || !S_ISREG(st.st_mode) ||
	    st.st_size > TMPL_FILE_MAX) {
		set_err(err, errlen, "%s: not a regular file of at most %d "
		    "bytes", path, TMPL_FILE_MAX);
		goto fail;
	}
	if ((text = malloc((size_t)st.st_size + 1)) == NULL)
		goto fail;
	while (len < (size_t)st.st_size) {
		n = read(fd, text + len, (size_t)st.st_size - len);
		if (n == -1 && errno == EINTR)
			continue;
		if (n <= 0) {
			set_err(err, errlen, "%s: read error", path);
			goto fail;
		}
		len += (size_t)n;
	}
	text[len] = '\0';
	if (strlen(text) != len) {
		set_err(err, errlen, "%s: holds a NUL byte", path);
		goto fail;
	}
	(void)close(fd);
	*out = text;
	return 0;
 fail:
	free(text);
	(void)close(fd);
	return -1;
}

static int
name_cmp(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

int
tmpl_load_dir(struct tmpl_set *s, const char *dir, char *err,
    size_t errlen)
{
	DIR		*d;
	struct dirent	*de;
	char		**names = NULL, **nn, path[4096], name[TMPL_NAME_MAX];
	char		*text;
	size_t		 n = 0, i, len;
	int		 r = -1, w;

	if ((d = opendir(dir)) == NULL) {
		set_err(err, errlen, "%s: %s", dir, strerror(errno));
		return -1;
	}
	while ((de = readdir(d)) != NULL) {
		len = strlen(de->d_name);
		if (len <= 5 || de->d_name[0] == '.' ||
		    strcmp(de->d_name + len - 5, ".html") != 0)
			continue;
		if ((nn = reallocarray(names, n + 1, sizeof(*nn))) == NULL ||
		    (nn[n] = strdup(de->d_name)) == NULL) {
			if (nn != NULL)
				names = nn;
			set_err(err, errlen, "%s: out of memory", dir);
			goto done;
		}
		names = nn;
		n++;
	}
	/* Sorted, so errors and duplicates show in a stable order. */
	qsort(names, n, sizeof(*names), name_cmp);
	for (i = 0; i < n; i++) {
		len = strlen(names[i]) - 5;
		if (len >= sizeof(name)) {
			set_err(err, errlen, "%s/%s: name too long", dir,
			    names[i]);
			goto done;
		}
		memcpy(name, names[i], len);
		name[len] = '\0';
		w = snprintf(path, sizeof(path), "%s/%s", dir, names[i]);
		if (w < 0 || (size_t)w >= sizeof(path)) {
			set_err(err, errlen, "%s: path too long", dir);
			goto done;
		}
		if (read_text(path, &text, err, errlen) == -1)
			goto done;
		w = tmpl_add(s, name, text, err, errlen);
		free(text);
		if (w == -1) {
			/* Name the file, not just the template. */
			if (err != NULL && strncmp(err, name, strlen(name)) ==
			    0) {
				char	 tmp[1024];

				(void)snprintf(tmp, sizeof(tmp), "%s/%s%s",
				    dir, names[i], err + strlen(name));
				(void)strlcpy(err, tmp, errlen);
			}
			goto done;
		}
	}
	r = 0;
 done:
	for (i = 0; i < n; i++)
		free(names[i]);
	free(names);
	(void)closedir(d);
	return r;
}

static const struct tmpl *
tmpl_find(const struct tmpl_set *s, const char *name)
{
	size_t	 i;

	for (i = 0; i < s->s_n; i++)
		if (strcmp(s->s_t[i].t_name, name) == 0)
			return &s->s_t[i];
	return NULL;
}

int
tmpl_has(const struct tmpl_set *s, const char *name)
{
	return tmpl_find(s, name) != NULL;
}

int
tmpl_escape(struct buf *out, const char *s)
{
	const char	*run = s;
	const char	*rep;

	for (; *s != '\0'; s++) {
		switch (*s) {
		case '&':
			rep = "&amp;";
			break;
		case '<':
			rep = "&lt;";
			break;
		case '>':
			rep = "&gt;";
			break;
		case '"':
			rep = "&quot;";
			break;
		case '\'':
			rep = "&#39;";
			break;
		default:
			continue;
		}
		if (buf_append(out, run, (size_t)(s - run)) != 0 ||
		    buf_append_str(out, rep) != 0)
			return -1;
		run = s + 1;
	}
	return buf_append(out, run, (size_t)(s - run)) != 0 ? -1 : 0;
}

/* Rendering. */
struct render {
	const struct tmpl_frag	*r_frags;
	const struct i18n	*r_i18n;
	const char		*r_lang;
	const json_t		*r_scope[TMPL_DEPTH_MAX + 2];
	int			 r_nscope;
	struct buf		*r_out;
};

/* name in one value: "a.b.c" descends through objects. */
static const json_t *
lookup_in(const json_t *v, const char *name)
{
	const char	*dot;
	char		 seg[TMPL_NAME_MAX + 1];
	size_t		 len;

	while (v != NULL) {
		if (!json_is_object(v))
			return NULL;
		dot = strchr(name, '.');
		len = dot != NULL ? (size_t)(dot - name) : strlen(name);
		memcpy(seg, name, len);
		seg[len] = '\0';
		v = json_object_get(v, seg);
		if (dot == NULL)
			return v;
		name = dot + 1;
	}
	return NULL;
}

static const json_t *
lookup(const struct render *r, const char *name)
{
	const json_t	*v, *first;
	const char	*dot;
	char		 seg[TMPL_NAME_MAX + 1];
	size_t		 len;
	int		 i;

	if (strcmp(name, ".") == 0)
		return r->r_nscope > 0 ? r->r_scope[r->r_nscope - 1] : NULL;
	/* The innermost scope holding the first segment decides. */
	dot = strchr(name, '.');
	len = dot != NULL ? (size_t)(dot - name) : strlen(name);
	memcpy(seg, name, len);
	seg[len] = '\0';
	for (i = r->r_nscope - 1; i >= 0; i--) {
		first = json_is_object(r->r_scope[i]) ?
		    json_object_get(r->r_scope[i], seg) : NULL;
		if (first == NULL)
			continue;
		v = lookup_in(r->r_scope[i], name);
		return v;
	}
	return NULL;
}

static int
truthy(const json_t *v)
{
	if (v == NULL)
		return 0;
	switch (json_typeof(v)) {
	case JSON_STRING:
		return json_string_length(v) > 0;
	case JSON_INTEGER:
		return json_integer_value(v) != 0;
	case JSON_REAL:
		return json_real_value(v) != 0.0;
	case JSON_TRUE:
		return 1;
	case JSON_ARRAY:
		return json_array_size(v) > 0;
	case JSON_OBJECT:
		return json_object_size(v) > 0;
	default:
		return 0;
	}
}

static int
render_value(struct render *r, const json_t *v)
{
	char	 num[64];

	if (v == NULL)
		return 0;
	switch (json_typeof(v)) {
	case JSON_STRING:
		return tmpl_escape(r->r_out, json_string_value(v));
	case JSON_INTEGER:
		(void)snprintf(num, sizeof(num), "%" JSON_INTEGER_FORMAT,
		    json_integer_value(v));
		return tmpl_escape(r->r_out, num);
	case JSON_REAL:
		(void)snprintf(num, sizeof(num), "%g", json_real_value(v));
		return tmpl_escape(r->r_out, num);
	default:
		return 0;
	}
}

static int
render_list(struct render *r, const struct tnode *n)
{
	const struct tmpl_frag	*f;
	const json_t		*v, *item;
	size_t			 i;

	for (; n != NULL; n = n->n_next) {
		switch (n->n_type) {
		case TN_TEXT:
			if (buf_append(r->r_out, n->n_text, n->n_len) != 0)
				return -1;
			break;
		case TN_VAR:
			if (render_value(r, lookup(r, n->n_text)) == -1)
				return -1;
			break;
		case TN_MSG:
			if (tmpl_escape(r->r_out, r->r_i18n != NULL ?
			    i18n_get(r->r_i18n, r->r_lang, n->n_text) :
			    n->n_text) == -1)
				return -1;
			break;
		case TN_FRAG:
			for (f = r->r_frags; f != NULL && f->tf_name != NULL;
			    f++) {
				if (strcmp(f->tf_name, n->n_text) == 0) {
					if (f->tf_html != NULL &&
					    buf_append_str(r->r_out,
					    f->tf_html) != 0)
						return -1;
					break;
				}
			}
			break;
		case TN_IF:
			if (truthy(lookup(r, n->n_text)) != n->n_negate) {
				if (render_list(r, n->n_body) == -1)
					return -1;
			} else if (render_list(r, n->n_else) == -1)
				return -1;
			break;
		case TN_EACH:
			v = lookup(r, n->n_text);
			if (!json_is_array(v))
				break;
			/* Depth is bounded by the parser's nesting limit. */
			json_array_foreach(v, i, item) {
				r->r_scope[r->r_nscope++] = item;
				if (render_list(r, n->n_body) == -1)
					return -1;
				r->r_nscope--;
			}
			break;
		}
	}
	return 0;
}

int
tmpl_render(const struct tmpl_set *s, const char *name, const json_t *data,
    const struct tmpl_frag *frags, const struct i18n *i18n, const char *lang,
    struct buf *out)
{
	const struct tmpl	*t;
	struct render		 r;

	if ((t = tmpl_find(s, name)) == NULL)
		return -1;
	memset(&r, 0, sizeof(r));
	r.r_frags = frags;
	r.r_i18n = i18n;
	r.r_lang = lang;
	r.r_out = out;
	if (data != NULL)
		r.r_scope[r.r_nscope++] = data;
	return render_list(&r, t->t_root);
}
