/*
 * tmpl.h: HTML templates that escape by default.
 *
 * A template is HTML text with tags in double braces:
 *
 *	{{name}}		the value of name, HTML-escaped (& < > " '
 *				become entities, so it is safe in text and
 *				in quoted attribute values; never put a
 *				value in an unquoted attribute, a URL
 *				scheme, <script> or <style>)
 *	{{a.b}}			a member of an object
 *	{{.}}			the current item inside #each
 *	{{@key}}		the message key in the request's language
 *				(i18n.h), escaped like a value
 *	{{&name}}		a trusted HTML fragment, inserted as is:
 *				only from the fragments table given to
 *				tmpl_render by the program (e.g. a page
 *				rendered by another template into the
 *				layout), never from the data
 *	{{#if name}} .. {{else}} .. {{/if}}
 *	{{#unless name}} .. {{/unless}}
 *				false: absent, null, false, "", 0, [] and {}
 *	{{#each name}} .. {{/each}}
 *				once per array element (inside, names are
 *				looked up in the element first, then
 *				outwards)
 *	{{!comment}}		nothing
 *
 * The data is a jansson object. Strings are escaped, numbers printed,
 * true/false/null/objects/arrays print nothing. Templates are parsed when
 * they are added, so a syntax error shows at start-up with its file and
 * line.
 */
#ifndef HK_TMPL_H
#define HK_TMPL_H

#include <stddef.h>

#include <jansson.h>

struct buf;
struct i18n;
struct tmpl_set;

#define TMPL_FILE_MAX	(256 * 1024)
#define TMPL_DEPTH_MAX	16	/* nesting of #if / #each */

/* A trusted fragment for {{&name}}; tables end with tf_name NULL. */
struct tmpl_frag {
	const char	*tf_name;
	const char	*tf_html;
};

/* An empty set; NULL if out of memory. Caller frees. */
struct tmpl_set	*tmpl_set_new(void);
void		 tmpl_set_free(struct tmpl_set *);
/*
 * Add a template called name from text, or every "*.html" file of dir
 * (named by file name without ".html"). A name may be added once.
 * 0, or -1 with "NAME:LINE: reason" in err.
 */
int		 tmpl_add(struct tmpl_set *, const char *name,
		    const char *text, char *err, size_t errlen);
int		 tmpl_load_dir(struct tmpl_set *, const char *dir,
		    char *err, size_t errlen);
/* 1 if the set has a template called name. */
int		 tmpl_has(const struct tmpl_set *, const char *name);

/*
 * Render template name with data (borrowed; may be NULL), trusted
 * fragments frags (may be NULL), messages from i18n in lang (both may
 * be NULL: {{@key}} then prints key) into out (appended). 0, or -1 for
 * an unknown template or a full buffer.
 */
int		 tmpl_render(const struct tmpl_set *, const char *name,
		    const json_t *data, const struct tmpl_frag *frags,
		    const struct i18n *i18n, const char *lang,
		    struct buf *out);

/* Append s HTML-escaped to out. 0 or -1 (buffer full). */
int		 tmpl_escape(struct buf *out, const char *s);

#endif /* HK_TMPL_H */
