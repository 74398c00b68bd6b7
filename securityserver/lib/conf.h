/*
 * conf.h: the one table-driven INI parser every daemon uses.
 *
 * A daemon declares a static table of struct conf_option (ended by
 * CONF_OPTION_END) naming every option it accepts, then loads a file:
 *
 *	static const char *const log_levels[] = { "warn", "info", "debug",
 *	    NULL };
 *	static const struct conf_option opts[] = {
 *		{ "server", "port", CONF_INT, "5500", 1, 65535, NULL, 0,
 *		    "port of the client proxy" },
 *		{ "server", "log-level", CONF_ENUM, "info", 0, 0, log_levels,
 *		    0, "logging verbosity" },
 *		{ "database", "password", CONF_STRING, NULL, 0, 0, NULL,
 *		    CONF_SECRET, "database password" },
 *		{ "service *", "timeout", CONF_DURATION, "30s", 1, 3600, NULL,
 *		    0, "time limit for one request to this service" },
 *		CONF_OPTION_END
 *	};
 *
 * File syntax:
 *	# comment			(also ';'; whole lines only)
 *	[section]
 *	key = value
 *	key = "quoted value"		(\" and \\ are the only escapes)
 * Leading and trailing blanks around names and values are dropped. A '#'
 * or ';' after a value is part of the value (passwords, URLs), so
 * "port = 80 # http" is a bad integer. The text must be UTF-8; control
 * characters other than tab are rejected. Keys are [A-Za-z0-9_.-]+.
 *
 * Sections: a table section is either a fixed name ("server"), which may
 * appear at most once, or a wildcard ending in '*' ("service *"), which
 * matches every section whose name starts with the text before the '*'
 * and has at least one more character ("[service GOV/MOI/CR/getPerson]").
 * Each such instance may appear once and gets its own values; getters take
 * the full section name, and conf_section_count/_name/_instance list them.
 *
 * Types and value syntax:
 *	CONF_STRING	any text (may be empty)
 *	CONF_INT	decimal integer within [co_min, co_max]
 *	CONF_BOOL	yes/no, true/false, 1/0 (case-insensitive)
 *	CONF_DURATION	seconds, optional suffix s, m, h, d ("90", "5m")
 *	CONF_SIZE	bytes, optional suffix K, M, G (1024-based,
 *			case-insensitive: "512", "64K", "1M")
 *	CONF_ENUM	one of co_enum (NULL-terminated list, exact match)
 *	CONF_PATH	non-empty text
 * For INT, DURATION and SIZE the bounds are inclusive and in base units
 * (seconds, bytes); co_min == co_max == 0 means no bounds (durations and
 * sizes are never negative).
 *
 * Loading applies the defaults (co_default is text parsed like a file
 * value; NULL means unset), then the file. Unknown sections and keys,
 * duplicates, bad values and out-of-range numbers are rejected with
 * "FILE:LINE: what is wrong" in the caller's buffer. The value of a
 * secret option is never copied into an error message.
 *
 * A table mistake (bad default, bad bounds, duplicate entry) is a
 * programming error: conf_load_* calls fatalx(); unit tests of a daemon
 * call conf_table_validate() to catch it first. Calling a getter for an
 * option not in the table, or with the wrong type, is also fatalx().
 */
#ifndef HK_CONF_H
#define HK_CONF_H

#include <stddef.h>
#include <stdio.h>

/* Hard caps on input. */
#define CONF_MAX_LINE	4096		/* bytes a line, no newline */
#define CONF_MAX_FILE	(1024 * 1024)	/* bytes per file */

enum conf_type {
	CONF_STRING,
	CONF_INT,
	CONF_BOOL,
	CONF_DURATION,
	CONF_SIZE,
	CONF_ENUM,
	CONF_PATH
};

/* co_flags */
#define CONF_SECRET	0x01	/* printed as ********, not in errors */
#define CONF_REQUIRED	0x02	/* must be set in the file (in each
				   instance, for a wildcard section) */

struct conf_option {
	const char		*co_section;	/* "server", "peer *" */
	const char		*co_key;
	enum conf_type		 co_type;
	const char		*co_default;	/* text; NULL: unset */
	long long		 co_min;	/* INT, DURATION, SIZE */
	long long		 co_max;
	const char *const	*co_enum;	/* ENUM: NULL-terminated */
	int			 co_flags;	/* CONF_SECRET, ... */
	const char		*co_desc;	/* one line, for docs */
};

#define CONF_OPTION_END \
	{ NULL, NULL, CONF_STRING, NULL, 0, 0, NULL, 0, NULL }

struct conf;

/*
 * Check a table: names, bounds, enum lists, that every default parses and
 * is in range, no duplicate (section, key). 0 if good, else -1 with the
 * reason in err (may be NULL).
 */
int	conf_table_validate(const struct conf_option *table, char *err,
	    size_t errlen);

/*
 * Load a configuration. The table must outlive the struct conf (it is
 * normally static). On success *out is the new configuration (caller frees
 * with conf_free) and 0 is returned; on error -1 and err holds
 * "FILE:LINE: message" (or "FILE: message" for whole-file problems).
 * err may be NULL. name is the file name used in messages.
 */
int	conf_load_file(const struct conf_option *table, const char *path,
	    struct conf **out, char *err, size_t errlen);
int	conf_load_string(const struct conf_option *table, const char *name,
	    const char *text, struct conf **out, char *err, size_t errlen);
/* Wipes secret values. Accepts NULL. */
void	conf_free(struct conf *);

/*
 * Typed getters. section is a fixed section name or the full name of a
 * wildcard instance ("service GOV/MOI/CR/getPerson"); an instance that is
 * not in the file gives the table defaults. Strings are borrowed and valid
 * until conf_free.
 */
/* CONF_STRING, CONF_PATH, CONF_ENUM: the text, NULL if unset. */
const char *conf_get_str(const struct conf *, const char *section,
	    const char *key);
/* CONF_INT; 0 if unset. */
long long conf_get_int(const struct conf *, const char *section,
	    const char *key);
/* CONF_BOOL: 1 or 0; 0 if unset. */
int	conf_get_bool(const struct conf *, const char *section,
	    const char *key);
/* CONF_DURATION: seconds; 0 if unset. */
long long conf_get_duration(const struct conf *, const char *section,
	    const char *key);
/* CONF_SIZE: bytes; 0 if unset. */
size_t	conf_get_size(const struct conf *, const char *section,
	    const char *key);
/* CONF_ENUM: index into co_enum; -1 if unset. */
int	conf_get_enum(const struct conf *, const char *section,
	    const char *key);
/* Any type: 1 if the option has a value (from the file or a default). */
int	conf_isset(const struct conf *, const char *section,
	    const char *key);
/*
 * Any type: the line that set the option, 0 if it comes from the table.
 * With conf_name() a daemon can report its own cross-option checks in the
 * same "FILE:LINE: message" form.
 */
int	conf_line(const struct conf *, const char *section, const char *key);
/* The name given to conf_load_*; borrowed. */
const char *conf_name(const struct conf *);

/*
 * Instances of a wildcard section (pattern exactly as in the table, e.g.
 * "service *"), in file order. _name gives the full section name,
 * _instance the part after the prefix ("GOV/MOI/CR/getPerson"). i must
 * be < conf_section_count(). Strings borrowed until conf_free.
 */
size_t	conf_section_count(const struct conf *, const char *pattern);
const char *conf_section_name(const struct conf *, const char *pattern,
	    size_t i);
const char *conf_section_instance(const struct conf *, const char *pattern,
	    size_t i);

/*
 * Print the effective configuration (every fixed section in table order,
 * then the wildcard instances in file order) in the file syntax, secret
 * values as ********. Unset options are printed as comments. Output
 * without secrets loads back to the same values.
 */
void	conf_print(const struct conf *, FILE *);

/*
 * Check that a manual page mentions every section (the part before any
 * '*') and every key of the table, as whole words; roff escapes "\-" and
 * "\&" are understood. Returns the number of missing names (0: all
 * present); missing gets them space-separated ("[server] tls-key ...",
 * truncated to fit; may be NULL).
 */
int	conf_table_check_manpage(const struct conf_option *table,
	    const char *text, char *missing, size_t missinglen);

#endif /* HK_CONF_H */
