/*
 * svcmain.h: the main() every Hukumati service daemon shares: options
 * (-c config, -d debug, -n check), configuration, log level, signals,
 * the event loop and an orderly stop.
 */
#ifndef HK_SVCMAIN_H
#define HK_SVCMAIN_H

#include <stddef.h>

struct conf;
struct conf_option;
struct event_base;

struct svc_ops {
	const char		 *so_prog;		/* program name */
	const char		 *so_default_conf;	/* without -c */
	const struct conf_option *so_table;		/* needs [log] level */
	/*
	 * Make the service from its configuration (everything -n checks);
	 * *svc is handed to so_start and so_free. 0 or -1 with err.
	 */
	int	(*so_new)(struct conf *, struct event_base *, void **svc,
		    char *err, size_t errlen);
	/* Open databases and keys, start listening. 0 or -1. */
	int	(*so_start)(void *svc, struct event_base *);
	void	(*so_free)(void *svc);
};

/* Run the service; returns main()'s exit status. */
int	svc_main(int argc, char *argv[], const struct svc_ops *);

#endif /* HK_SVCMAIN_H */
