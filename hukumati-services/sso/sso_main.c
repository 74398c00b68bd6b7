/*
 * sso_main.c: hukumati-sso, citizen registration, activation and login
 * (see sso.h and hukumati-sso(8)).
 *
 *	hukumati-sso [-dn] [-c file]
 *
 * Runs in the foreground and logs to stderr.
 */
#include "config.h"

#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <event2/event.h>

#include "conf.h"
#include "log.h"
#include "sso.h"

#define SSO_PROG	"hukumati-sso"
#define SSO_CONF	HK_SYSCONFDIR "/sso.ini"

static void __attribute__((noreturn))
usage(void)
{
	fprintf(stderr, "usage: %s [-dn] [-c file]\n", SSO_PROG);
	exit(1);
}

static void
sso_signal(evutil_socket_t sig, short events, void *arg)
{
	struct event_base	*base = arg;

	(void)events;
	if (sig == SIGHUP) {
		log_info("SIGHUP: nothing to reload (restart to apply a "
		    "new configuration)");
		return;
	}
	log_info("signal %d: stopping", (int)sig);
	event_base_loopbreak(base);
}

int
main(int argc, char *argv[])
{
	const char		*path = SSO_CONF;
	struct conf		*conf = NULL;
	struct sso		*s = NULL;
	struct event_base	*base = NULL;
	struct event		*ev_int = NULL, *ev_term = NULL, *ev_hup = NULL;
	char			 err[1024];
	int			 ch, debug = 0, check_only = 0, level;

	while ((ch = getopt(argc, argv, "c:dn")) != -1) {
		switch (ch) {
		case 'c':
			path = optarg;
			break;
		case 'd':
			debug = 1;
			break;
		case 'n':
			check_only = 1;
			break;
		default:
			usage();
		}
	}
	if (argc != optind)
		usage();

	log_init(SSO_PROG, 1, debug ? LOG_LEVEL_DEBUG : LOG_LEVEL_INFO);
	if (signal(SIGPIPE, SIG_IGN) == SIG_ERR)
		fatal("signal");
	if ((base = event_base_new()) == NULL)
		fatalx("event_base_new failed");
	err[0] = '\0';
	if (conf_load_file(sso_conf_table, path, &conf, err,
	    sizeof(err)) == -1 ||
	    sso_new(conf, base, &s, err, sizeof(err)) == -1) {
		fprintf(stderr, "%s: %s\n", SSO_PROG, err);
		conf_free(conf);
		event_base_free(base);
		return 1;
	}
	if (check_only) {
		printf("configuration OK\n");
		sso_free(s);
		conf_free(conf);
		event_base_free(base);
		return 0;
	}
	if (!debug) {
		level = conf_get_enum(conf, "log", "level");
		log_setlevel(level == 0 ? LOG_LEVEL_WARN : level == 2 ?
		    LOG_LEVEL_DEBUG : LOG_LEVEL_INFO);
	}
	if (sso_start(s) == -1)
		fatalx("cannot open the database or the signing keys");
	if (sso_listen(s) == -1)
		fatalx("cannot listen");
	if ((ev_int = evsignal_new(base, SIGINT, sso_signal, base)) == NULL ||
	    (ev_term = evsignal_new(base, SIGTERM, sso_signal, base)) ==
	    NULL ||
	    (ev_hup = evsignal_new(base, SIGHUP, sso_signal, base)) == NULL ||
	    event_add(ev_int, NULL) == -1 || event_add(ev_term, NULL) == -1 ||
	    event_add(ev_hup, NULL) == -1)
		fatalx("cannot set up signal handling");

	if (event_base_dispatch(base) == -1)
		log_warnx("event loop failed");

	event_free(ev_int);
	event_free(ev_term);
	event_free(ev_hup);
	sso_free(s);
	event_base_free(base);
	conf_free(conf);
	log_info("stopped");
	return 0;
}
