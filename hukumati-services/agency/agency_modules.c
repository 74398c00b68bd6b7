/*
 * agency_modules.c: the agency modules hukumati-agency can serve. A new
 * agency adds its module here (and its prototype to agency.h).
 */
#include "config.h"

#include <stddef.h>
#include <string.h>

#include "agency.h"

const struct agency_module *const agency_modules[] = {
	&civil_register_module,
	NULL
};

const struct agency_module *
agency_module_find(const char *name)
{
	size_t	 i;

	if (name == NULL)
		return NULL;
	for (i = 0; agency_modules[i] != NULL; i++)
		if (strcmp(agency_modules[i]->am_name, name) == 0)
			return agency_modules[i];
	return NULL;
}
