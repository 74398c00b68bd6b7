/* admin.c: health and metrics (placeholder). */
#include "config.h"

#include "securityserverd.h"

int
admin_routes(struct ssd *sd)
{
	(void)sd;
	return 0;
}
