/*
 * confclient.c: global configuration client (placeholder until the
 * download/verify/swap loop lands: it trusts nothing and so refuses
 * every exchange with OutdatedGlobalConf).
 */
#include "config.h"

#include "securityserverd.h"

int
confclient_check_anchor(struct ssd *sd)
{
	(void)sd;
	return 0;
}

int
confclient_start(struct ssd *sd)
{
	(void)sd;
	return 0;
}

void
confclient_stop(struct ssd *sd)
{
	(void)sd;
}

struct gc_snap *
confclient_acquire(struct ssd *sd)
{
	(void)sd;
	return NULL;
}

void
confclient_release(struct gc_snap *snap)
{
	(void)snap;
}

long long
confclient_remaining(struct ssd *sd)
{
	(void)sd;
	return -1;
}
