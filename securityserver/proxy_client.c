/* proxy_client.c: the client proxy (placeholder). */
#include "config.h"

#include "securityserverd.h"

int
proxy_client_routes(struct ssd *sd)
{
	(void)sd;
	return 0;
}

void
proxy_client_stop(struct ssd *sd)
{
	(void)sd;
}
