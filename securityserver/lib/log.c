/*
 * log.c: leveled logging to stderr or syslog.
 */
#include "config.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <syslog.h>
#include <time.h>

#include "log.h"

static const char	*log_name = "hukumati";
static int		 log_stderr = 1;
static enum log_level	 log_level = LOG_LEVEL_INFO;
static log_sink_fn	 log_sink;
static void		*log_sink_arg;

static void	vlog(enum log_level, int, const char *, va_list)
	    __attribute__((format(printf, 3, 0)));

void
log_init(const char *name, int to_stderr, enum log_level level)
{
	log_name = name;
	log_stderr = to_stderr;
	log_level = level;
	if (!to_stderr)
		openlog(name, LOG_PID | LOG_NDELAY, LOG_DAEMON);
}

void
log_setlevel(enum log_level level)
{
	log_level = level;
}

enum log_level
log_getlevel(void)
{
	return log_level;
}

void
log_set_sink(log_sink_fn fn, void *arg)
{
	log_sink = fn;
	log_sink_arg = arg;
}

static void
vlog(enum log_level level, int with_errno, const char *fmt, va_list ap)
{
	char		 msg[2048];
	const char	*lv;
	int		 saved = errno, pri, n;

	if (level > log_level)
		return;
	n = vsnprintf(msg, sizeof(msg), fmt, ap);
	if (n < 0)
		return;
	if (with_errno && (size_t)n < sizeof(msg))
		(void)snprintf(msg + n, sizeof(msg) - (size_t)n, ": %s",
		    strerror(saved));

	switch (level) {
	case LOG_LEVEL_WARN:
		lv = "warning";
		pri = LOG_WARNING;
		break;
	case LOG_LEVEL_INFO:
		lv = "info";
		pri = LOG_INFO;
		break;
	default:
		lv = "debug";
		pri = LOG_DEBUG;
		break;
	}
	if (log_sink != NULL)
		log_sink(level, msg, log_sink_arg);
	if (log_stderr) {
		struct timespec	ts;
		struct tm	tm;
		char		tbuf[32];

		clock_gettime(CLOCK_REALTIME, &ts);
		gmtime_r(&ts.tv_sec, &tm);
		strftime(tbuf, sizeof(tbuf), "%Y-%m-%dT%H:%M:%S", &tm);
		fprintf(stderr, "%s.%03ldZ %s[%s]: %s\n", tbuf,
		    ts.tv_nsec / 1000000, log_name, lv, msg);
	} else
		syslog(pri, "%s", msg);
	errno = saved;
}

void
log_warn(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vlog(LOG_LEVEL_WARN, 1, fmt, ap);
	va_end(ap);
}

void
log_warnx(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vlog(LOG_LEVEL_WARN, 0, fmt, ap);
	va_end(ap);
}

void
log_info(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vlog(LOG_LEVEL_INFO, 0, fmt, ap);
	va_end(ap);
}

void
log_debug(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vlog(LOG_LEVEL_DEBUG, 0, fmt, ap);
	va_end(ap);
}

void
fatal(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vlog(LOG_LEVEL_WARN, 1, fmt, ap);
	va_end(ap);
	exit(1);
}

void
fatalx(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vlog(LOG_LEVEL_WARN, 0, fmt, ap);
	va_end(ap);
	exit(1);
}
