/*
 * xrid.h: X-Road identifiers (NOTES.md section 1; identifiers.xsd).
 *
 * A struct xrid is a plain value (fixed arrays, no pointers): copy it with
 * '=' and compare it with xrid_equal. Every part is at most XRID_PART_MAX
 * bytes and, with strict checks, only A-Z a-z 0-9 ' ( ) + , - . = ?
 */
#ifndef HK_XRID_H
#define HK_XRID_H

#include <stddef.h>

#include <libxml/tree.h>

#define XRID_PART_MAX	255
#define XRID_STR_MAX	(8 * (XRID_PART_MAX + 1) + 16)

/* Namespaces of the SOAP header and of identifier elements. */
#define XRID_NS_XROAD	"http://x-road.eu/xsd/xroad.xsd"
#define XRID_NS_ID	"http://x-road.eu/xsd/identifiers"

enum xrid_type {
	XRID_MEMBER = 1,
	XRID_SUBSYSTEM,
	XRID_SERVICE,
	XRID_SERVER,
	XRID_GLOBALGROUP,
	XRID_LOCALGROUP
};

struct xrid {
	enum xrid_type	type;
	char		instance[XRID_PART_MAX + 1];
	char		member_class[XRID_PART_MAX + 1];
	char		member_code[XRID_PART_MAX + 1];
	char		subsystem_code[XRID_PART_MAX + 1];	/* "" if none */
	char		group_code[XRID_PART_MAX + 1];
	char		service_code[XRID_PART_MAX + 1];
	char		service_version[XRID_PART_MAX + 1];	/* "" if none */
	char		server_code[XRID_PART_MAX + 1];
};

#endif /* HK_XRID_H */
