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

/* Bit for a type in a mask of accepted types. */
#define XRID_MASK(t)		(1u << (unsigned)(t))
#define XRID_MASK_CLIENT	(XRID_MASK(XRID_MEMBER) | XRID_MASK(XRID_SUBSYSTEM))

/*
 * Flags for parsing and formatting.
 * XRID_F_PCT: each part is percent-encoded on its own, '/' separators are
 *   not (REST URL and X-Road-* headers, PR-REST section 4.2).
 * XRID_F_LAX: instead of the strict set, forbid only : ; / \ % and control
 *   characters (strict-identifier-checks=false of upgraded X-Road installs).
 */
#define XRID_F_PCT	0x01u
#define XRID_F_LAX	0x02u

/* Room for an error message from these functions. */
#define XRID_ERR_MAX	256

/*
 * Every function taking (err, errlen) writes a NUL-terminated reason there
 * on failure (err may be NULL). Nothing here allocates: the results are
 * written into caller storage, and a failed call leaves *out cleared.
 */

/* "MEMBER", "SUBSYSTEM", ...; NULL for a value outside the enum. */
const char	*xrid_type_name(enum xrid_type);
/* Exact, case-sensitive match of the schema's XRoadObjectType names. */
int		 xrid_type_parse(const char *name, enum xrid_type *out);

/* One part: non-empty, at most XRID_PART_MAX bytes, allowed characters. */
int		 xrid_check_part(const char *part, unsigned flags,
		    char *err, size_t errlen);
/* Checks the type, that exactly the parts of that type are set, and each part. */
int		 xrid_validate(const struct xrid *, unsigned flags,
		    char *err, size_t errlen);

/*
 * Constructors: copy and check the parts. subsystem and version may be
 * NULL or "" (absent); xrid_set_client makes a MEMBER without subsystem.
 */
void		 xrid_clear(struct xrid *);
int		 xrid_set_client(struct xrid *out, const char *instance,
		    const char *member_class, const char *member_code,
		    const char *subsystem, char *err, size_t errlen);
int		 xrid_set_service(struct xrid *out, const char *instance,
		    const char *member_class, const char *member_code,
		    const char *subsystem, const char *service_code,
		    const char *service_version, char *err, size_t errlen);
int		 xrid_set_server(struct xrid *out, const char *instance,
		    const char *member_class, const char *member_code,
		    const char *server_code, char *err, size_t errlen);
int		 xrid_set_globalgroup(struct xrid *out, const char *instance,
		    const char *group_code, char *err, size_t errlen);
int		 xrid_set_localgroup(struct xrid *out, const char *group_code,
		    char *err, size_t errlen);

/*
 * Slash form. The number of parts picks the type among those in mask:
 *   LOCALGROUP GROUP                       (1)
 *   GLOBALGROUP INSTANCE/GROUP             (2)
 *   MEMBER     INSTANCE/CLASS/CODE         (3)
 *   SUBSYSTEM  INSTANCE/CLASS/CODE/SUB     (4)
 *   SERVER     INSTANCE/CLASS/CODE/SERVER  (4)
 *   SERVICE    INSTANCE/CLASS/CODE/SUB/SERVICE[/VERSION]  (5 or 6)
 * A mask with both SUBSYSTEM and SERVER is refused (ambiguous). A service
 * of a member without subsystem has no slash form (X-Road registers only
 * subsystems as clients). With XRID_F_PCT each part is percent-decoded.
 */
int		 xrid_parse(struct xrid *out, unsigned mask, const char *s,
		    unsigned flags, char *err, size_t errlen);
/* Client (MEMBER or SUBSYSTEM) from INSTANCE/CLASS/CODE[/SUBSYSTEM]. */
int		 xrid_parse_client(struct xrid *out, const char *s,
		    unsigned flags, char *err, size_t errlen);
/* Slash form of any id; with XRID_F_PCT every part is percent-encoded. */
int		 xrid_format(const struct xrid *, unsigned flags, char *out,
		    size_t outlen);

/* Documentation form TYPE:PARTS, e.g. "SUBSYSTEM:PS/GOV/MTIT/SSO". */
int		 xrid_parse_doc(struct xrid *out, const char *s, unsigned flags,
		    char *err, size_t errlen);
int		 xrid_format_doc(const struct xrid *, char *out, size_t outlen);

/*
 * Percent-encoding of one part (RFC 3986 path segment: unreserved,
 * sub-delims, ':' and '@' stay; everything else is %XX). Decoding refuses
 * a malformed escape and %00. Both return 0 or -1 (bad input, no room).
 */
int		 xrid_pct_encode(const char *in, char *out, size_t outlen);
int		 xrid_pct_decode(const char *in, size_t inlen, char *out,
		    size_t outlen);

/* 1 if a and b are the same identifier (type and every part), else 0. */
int		 xrid_equal(const struct xrid *a, const struct xrid *b);
/*
 * The member that owns a MEMBER, SUBSYSTEM, SERVICE or SERVER id.
 * Returns -1 for group ids.
 */
int		 xrid_member(const struct xrid *id, struct xrid *member);
/* 1 if id (SUBSYSTEM, SERVICE, SERVER or MEMBER) belongs to member. */
int		 xrid_member_of(const struct xrid *id, const struct xrid *member);
/* The client (SUBSYSTEM, or MEMBER) providing a SERVICE. 0 or -1. */
int		 xrid_service_provider(const struct xrid *service,
		    struct xrid *provider);
/* The service without its version (access rights ignore the version). */
void		 xrid_service_unversioned(const struct xrid *service,
		    struct xrid *out);

/*
 * XML form (identifiers.xsd): node is an element such as xrd:client whose
 * children are id:xRoadInstance, id:memberClass, ... in schema order and
 * which carries the attribute id:objectType. The objectType must be in
 * mask (XRID_MASK_CLIENT for xrd:client, XRID_MASK(XRID_SERVICE) for
 * xrd:service, ...). Rejected: missing or unknown objectType, children
 * outside the identifiers namespace or unknown, duplicated, out of order,
 * missing for the type or not allowed for it, non-text content.
 */
int		 xrid_from_xml(struct xrid *out, const xmlNode *node,
		    unsigned mask, char *err, size_t errlen);
/*
 * Append <name> in namespace ns_href to parent, with the parts of id as
 * identifier children. ns_prefix is used if the namespace must be
 * declared; the identifiers namespace is declared as "id" if not in scope.
 * Returns the new element (owned by parent's document) or NULL.
 */
xmlNode		*xrid_to_xml(const struct xrid *id, xmlNode *parent,
		    const char *ns_href, const char *ns_prefix,
		    const char *name);

#endif /* HK_XRID_H */
