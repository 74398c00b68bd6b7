/*
 * i18n.h: message catalogues for the web services; Arabic first.
 *
 * Catalogues are gettext .po files, one per language (ar.po, en.po),
 * read at start-up by a small reader of the subset the services use:
 * comments, msgid, msgstr, continued strings and the escapes \" \\ \n
 * \t. Plural forms and msgctxt are refused; fuzzy and untranslated
 * entries are skipped, as gettext does. The msgids are symbolic keys
 * ("login.title"), not English sentences, so both languages are
 * translations and a test can check that each catalogue has every key.
 *
 * Why not libintl at run time: gettext(3) picks a language through the
 * process locale, which must be installed on the host (ar_PS.UTF-8 often
 * is not), and switching it per request is global state. Reading the .po
 * files ourselves keeps the translators' format and tools (msgfmt -c,
 * Poedit) with none of that.
 *
 * The language of a request (i18n_pick): ?lang=xx if it is a loaded
 * language (it is then remembered in a "lang" cookie), else the "lang"
 * cookie if it names one, else the default language (the first loaded,
 * or i18n_set_default).
 */
#ifndef HK_I18N_H
#define HK_I18N_H

#include <stddef.h>

#include <event2/http.h>

struct i18n;

#define I18N_FILE_MAX	(1024 * 1024)
#define I18N_MSG_MAX	8192
#define I18N_LANG_MAX	8

/* An empty set; NULL if out of memory. Caller frees. */
struct i18n	*i18n_new(void);
void		 i18n_free(struct i18n *);

/*
 * Load a catalogue for lang (2-8 lower-case letters, "ar") from a file
 * or a string. A language may be loaded once. The header entry, if any,
 * must declare charset=UTF-8. 0, or -1 with "NAME:LINE: reason" in err.
 */
int		 i18n_load_file(struct i18n *, const char *lang,
		    const char *path, char *err, size_t errlen);
int		 i18n_load_string(struct i18n *, const char *lang,
		    const char *name, const char *text, char *err,
		    size_t errlen);
/* Load DIR/LANG.po for each language of the NULL-terminated list. */
int		 i18n_load_dir(struct i18n *, const char *dir,
		    const char *const langs[], char *err, size_t errlen);

/* The default language (borrowed), and choosing it (must be loaded). */
const char	*i18n_default(const struct i18n *);
int		 i18n_set_default(struct i18n *, const char *lang);
/* 1 if lang is loaded. */
int		 i18n_has_lang(const struct i18n *, const char *lang);

/*
 * The message of key in lang; if lang lacks it, in the default language;
 * else key itself (so a missing translation shows, and nothing fails).
 * Borrowed from the set.
 */
const char	*i18n_get(const struct i18n *, const char *lang,
		    const char *key);
/* 1 if lang's catalogue has key. */
int		 i18n_has(const struct i18n *, const char *lang,
		    const char *key);
/* Keys of a language, sorted: count and the i-th (borrowed). */
size_t		 i18n_count(const struct i18n *, const char *lang);
const char	*i18n_key_at(const struct i18n *, const char *lang, size_t i);

/* "rtl" for Arabic, Hebrew, Persian and Urdu, else "ltr". */
const char	*i18n_dir(const char *lang);

/*
 * The choice itself: query_lang if loaded, else cookie_lang if loaded,
 * else the default (borrowed from the set; NULL if nothing is loaded).
 * Either may be NULL.
 */
const char	*i18n_choose(const struct i18n *, const char *query_lang,
		    const char *cookie_lang);
/*
 * The language for req (see above); borrowed from the set. With
 * ?lang=xx the cookie is added to req's response (secure: add Secure).
 */
const char	*i18n_pick(const struct i18n *, struct evhttp_request *,
		    int secure);

#endif /* HK_I18N_H */
