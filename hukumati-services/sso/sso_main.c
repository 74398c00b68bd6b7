/*
 * sso_main.c: hukumati-sso, citizen registration, activation and login
 * (see sso.h and hukumati-sso(8)).
 *
 *	hukumati-sso [-dn] [-c file]
 *
 * Runs in the foreground and logs to stderr.
 */
#include "config.h"

#include <stddef.h>

#include "conf.h"
#include "log.h"
#include "sso.h"
#include "svcmain.h"

static int
s_new(struct conf *conf, struct event_base *base, void **svc, char *err,
    size_t errlen)
{
	struct sso *s;

	if (sso_new(conf, base, &s, err, errlen) == -1)
		return -1;
	*svc = s;
	return 0;
}

static int
s_start(void *svc, struct event_base *base)
{
	(void)base;
	if (sso_start(svc) == -1) {
		log_warnx("cannot open the database or the signing keys");
		return -1;
	}
	return sso_listen(svc);
}

static void
s_free(void *svc)
{
	sso_free(svc);
}

int
main(int argc, char *argv[])
{
	static const struct svc_ops ops = {
		"hukumati-sso", HK_SYSCONFDIR "/sso.ini", sso_conf_table,
		s_new, s_start, s_free
	};

	return svc_main(argc, argv, &ops);
}
