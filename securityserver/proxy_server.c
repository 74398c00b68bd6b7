/* proxy_server.c: the server proxy (placeholder). */
#include "config.h"

#include "securityserverd.h"

int
proxy_server_start(struct ssd *sd)
{
	(void)sd;
	return 0;
}

int
proxy_server_routes(struct ssd *sd)
{
	(void)sd;
	return 0;
}

void
proxy_server_stop(struct ssd *sd)
{
	(void)sd;
}
