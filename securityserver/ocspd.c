/* ocspd.c: OCSP of this server's certificates (placeholder). */
#include "config.h"

#include "securityserverd.h"

int
ssd_ocsp_start(struct ssd *sd)
{
	(void)sd;
	return 0;
}

int
ssd_ocsp_routes(struct ssd *sd)
{
	(void)sd;
	return 0;
}

void
ssd_ocsp_stop(struct ssd *sd)
{
	(void)sd;
}
