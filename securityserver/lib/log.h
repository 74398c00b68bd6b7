/*
 * log.h: the one logging interface (OpenBSD style).
 *
 * Messages go to stderr (foreground) or syslog. A secret is never passed
 * to these functions; config printing redacts secret keys before it logs.
 */
#ifndef HK_LOG_H
#define HK_LOG_H

#include <stdarg.h>

enum log_level {
	LOG_LEVEL_WARN = 0,
	LOG_LEVEL_INFO = 1,
	LOG_LEVEL_DEBUG = 2
};

/* name: program name in each line; to_stderr: 1 for stderr, 0 for syslog. */
void	log_init(const char *name, int to_stderr, enum log_level level);
void	log_setlevel(enum log_level level);
enum log_level log_getlevel(void);

/* log_warn appends ": strerror(errno)"; log_warnx does not. */
void	log_warn(const char *, ...) __attribute__((format(printf, 1, 2)));
void	log_warnx(const char *, ...) __attribute__((format(printf, 1, 2)));
void	log_info(const char *, ...) __attribute__((format(printf, 1, 2)));
void	log_debug(const char *, ...) __attribute__((format(printf, 1, 2)));
void	fatal(const char *, ...)
	    __attribute__((format(printf, 1, 2), noreturn));
void	fatalx(const char *, ...)
	    __attribute__((format(printf, 1, 2), noreturn));

/* Test hook: every formatted line is also handed to fn (NULL to remove). */
typedef void (*log_sink_fn)(enum log_level, const char *line, void *arg);
void	log_set_sink(log_sink_fn fn, void *arg);

#endif /* HK_LOG_H */
