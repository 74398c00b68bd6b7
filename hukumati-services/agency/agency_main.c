/*
 * agency_main.c: hukumati-agency, one agency information system per
 * process (see agency.h and hukumati-agency(8)).
 *
 *	hukumati-agency [-dn] [-c file]
 *
 * Runs in the foreground and logs to stderr (the demo and service
 * managers keep the process and its output).
 */
#include "config.h"

#include <stddef.h>

#include "agency.h"
#include "conf.h"
#include "svcmain.h"

static int
ag_new(struct conf *conf, struct event_base *base, void **svc, char *err,
    size_t errlen)
{
	struct agency *ag;

	(void)base;
	if (agency_new(conf, &ag, err, errlen) == -1)
		return -1;
	*svc = ag;
	return 0;
}

static int
ag_start(void *svc, struct event_base *base)
{
	if (agency_open_db(svc) == -1 || agency_listen(svc, base) == -1)
		return -1;
	return 0;
}

static void
ag_free(void *svc)
{
	agency_free(svc);
}

int
main(int argc, char *argv[])
{
	static const struct svc_ops ops = {
		"hukumati-agency", HK_SYSCONFDIR "/agency.ini",
		agency_conf_table, ag_new, ag_start, ag_free
	};

	return svc_main(argc, argv, &ops);
}
