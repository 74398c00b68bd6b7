/*
 * svcmain.c: the shared main() of the Hukumati service daemons.
 */
#include "config.h"

#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include <event2/event.h>

#include "conf.h"
#include "log.h"
#include "svcmain.h"

static void
svc_signal(evutil_socket_t sig, short events, void *arg)
{
	struct event_base *base = arg;

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
svc_main(int argc, char *argv[], const struct svc_ops *ops)
{
	const char		*path = ops->so_default_conf;
	struct conf		*conf = NULL;
	struct event_base	*base = NULL;
	struct event		*ev[3] = { NULL, NULL, NULL };
	const int		 sigs[3] = { SIGINT, SIGTERM, SIGHUP };
	void			*svc = NULL;
	char			 err[1024];
	int			 ch, debug = 0, check_only = 0, level, i;

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
			fprintf(stderr, "usage: %s [-dn] [-c file]\n",
			    ops->so_prog);
			return 1;
		}
	}
	if (argc != optind) {
		fprintf(stderr, "usage: %s [-dn] [-c file]\n", ops->so_prog);
		return 1;
	}
	log_init(ops->so_prog, 1, debug ? LOG_LEVEL_DEBUG : LOG_LEVEL_INFO);
	if (signal(SIGPIPE, SIG_IGN) == SIG_ERR)
		fatal("signal");
	if ((base = event_base_new()) == NULL)
		fatalx("event_base_new failed");
	err[0] = '\0';
	if (conf_load_file(ops->so_table, path, &conf, err,
	    sizeof(err)) == -1 ||
	    ops->so_new(conf, base, &svc, err, sizeof(err)) == -1) {
		fprintf(stderr, "%s: %s\n", ops->so_prog, err);
		conf_free(conf);
		event_base_free(base);
		return 1;
	}
	if (check_only) {
		printf("configuration OK\n");
		ops->so_free(svc);
		conf_free(conf);
		event_base_free(base);
		return 0;
	}
	if (!debug) {
		level = conf_get_enum(conf, "log", "level");
		log_setlevel(level == 0 ? LOG_LEVEL_WARN : level == 2 ?
		    LOG_LEVEL_DEBUG : LOG_LEVEL_INFO);
	}
	if (ops->so_start(svc, base) == -1)
		fatalx("cannot start");
	for (i = 0; i < 3; i++)
		if ((ev[i] = evsignal_new(base, sigs[i], svc_signal, base)) ==
		    NULL || event_add(ev[i], NULL) == -1)
			fatalx("cannot set up signal handling");
	if (event_base_dispatch(base) == -1)
		log_warnx("event loop failed");
	for (i = 0; i < 3; i++)
		event_free(ev[i]);
	ops->so_free(svc);
	event_base_free(base);
	conf_free(conf);
	log_info("stopped");
	return 0;
}
