/*
 * xrid.c: X-Road identifiers: checks, slash and documentation forms,
 * percent-encoding, XML form (NOTES.md section 1; identifiers.xsd).
 */
#include "config.h"

#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <libxml/tree.h>

#include "compat.h"
#include "xrid.h"

#define XRID_MAX_PARTS	6

static const char *const type_names[] = {
	[XRID_MEMBER] = "MEMBER",
	[XRID_SUBSYSTEM] = "SUBSYSTEM",
	[XRID_SERVICE] = "SERVICE",
	[XRID_SERVER] = "SERVER",
	[XRID_GLOBALGROUP] = "GLOBALGROUP",
	[XRID_LOCALGROUP] = "LOCALGROUP"
};

/* Fields in schema order (identifiers.xsd XRoadIdentifierType). */
enum xrid_field {
	F_INSTANCE, F_CLASS, F_CODE, F_SUBSYSTEM, F_GROUP, F_SERVICE,
	F_VERSION, F_SERVER, F_COUNT
};

static const char *const field_names[F_COUNT] = {
	"xRoadInstance", "memberClass", "memberCode", "subsystemCode",
	"groupCode", "serviceCode", "serviceVersion", "serverCode"
};

#define B(f)	(1u << (f))
/* Required and optional fields per type. */
static const struct {
	unsigned	required;
	unsigned	optional;
} type_fields[] = {
	[XRID_MEMBER] = { B(F_INSTANCE) | B(F_CLASS) | B(F_CODE), 0 },
	[XRID_SUBSYSTEM] = {
	    B(F_INSTANCE) | B(F_CLASS) | B(F_CODE) | B(F_SUBSYSTEM), 0 },
	[XRID_SERVICE] = { B(F_INSTANCE) | B(F_CLASS) | B(F_CODE) |
	    B(F_SERVICE), B(F_SUBSYSTEM) | B(F_VERSION) },
	[XRID_SERVER] = {
	    B(F_INSTANCE) | B(F_CLASS) | B(F_CODE) | B(F_SERVER), 0 },
	[XRID_GLOBALGROUP] = { B(F_INSTANCE) | B(F_GROUP), 0 },
	[XRID_LOCALGROUP] = { B(F_GROUP), 0 }
};

static int
type_ok(enum xrid_type t)
{
	return t >= XRID_MEMBER && t <= XRID_LOCALGROUP;
}

static char *
field_ptr(struct xrid *id, enum xrid_field f)
{
	switch (f) {
	case F_INSTANCE:
		return id->instance;
	case F_CLASS:
		return id->member_class;
	case F_CODE:
		return id->member_code;
	case F_SUBSYSTEM:
		return id->subsystem_code;
	case F_GROUP:
		return id->group_code;
	case F_SERVICE:
		return id->service_code;
	case F_VERSION:
		return id->service_version;
	default:
		return id->server_code;
	}
}

static const char *
field_cptr(const struct xrid *id, enum xrid_field f)
{
	return field_ptr((struct xrid *)(uintptr_t)id, f);
}

static void
seterr(char *err, size_t errlen, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static void
seterr(char *err, size_t errlen, const char *fmt, ...)
{
	va_list	ap;

	if (err == NULL || errlen == 0)
		return;
	va_start(ap, fmt);
	(void)vsnprintf(err, errlen, fmt, ap);
	va_end(ap);
}

const char *
xrid_type_name(enum xrid_type t)
{
	return type_ok(t) ? type_names[t] : NULL;
}

int
xrid_type_parse(const char *name, enum xrid_type *out)
{
	int	t;

	for (t = XRID_MEMBER; t <= XRID_LOCALGROUP; t++)
		if (strcmp(name, type_names[t]) == 0) {
			*out = (enum xrid_type)t;
			return 0;
		}
	return -1;
}

static int
char_ok(unsigned char c, unsigned flags)
{
	if (flags & XRID_F_LAX)
		return c >= 0x20 && c != 0x7f && strchr(":;/\\%", c) == NULL;
	if ((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') ||
	    (c >= '0' && c <= '9'))
		return 1;
	return c != '\0' && strchr("'()+,-.=?", c) != NULL;
}

static int
check_part(const char *what, const char *part, unsigned flags, char *err,
    size_t errlen)
{
	size_t	i, len = strlen(part);

	if (len == 0) {
		seterr(err, errlen, "%s is empty", what);
		return -1;
	}
	if (len > XRID_PART_MAX) {
		seterr(err, errlen, "%s is longer than %d characters", what,
		    XRID_PART_MAX);
		return -1;
	}
	for (i = 0; i < len; i++)
		if (!char_ok((unsigned char)part[i], flags)) {
			seterr(err, errlen, "%s: character 0x%02x at offset "
			    "%zu is not allowed (%s)", what,
			    (unsigned char)part[i], i, (flags & XRID_F_LAX) ?
			    "forbidden: : ; / \\ % and control characters" :
			    "allowed: A-Z a-z 0-9 ' ( ) + , - . = ?");
			return -1;
		}
	return 0;
}

int
xrid_check_part(const char *part, unsigned flags, char *err, size_t errlen)
{
	return check_part("identifier part", part, flags, err, errlen);
}

int
xrid_validate(const struct xrid *id, unsigned flags, char *err,
    size_t errlen)
{
	unsigned	req, opt;
	int		f;
	const char	*v;

	if (!type_ok(id->type)) {
		seterr(err, errlen, "invalid identifier type");
		return -1;
	}
	req = type_fields[id->type].required;
	opt = type_fields[id->type].optional;
	for (f = 0; f < F_COUNT; f++) {
		v = field_cptr(id, (enum xrid_field)f);
		if ((req & B(f)) || ((opt & B(f)) && v[0] != '\0')) {
			if (check_part(field_names[f], v, flags, err,
			    errlen) == -1)
				return -1;
		} else if (v[0] != '\0') {
			seterr(err, errlen, "%s is not allowed in a %s "
			    "identifier", field_names[f], type_names[id->type]);
			return -1;
		}
	}
	/* A SUBSYSTEM type must name one; a MEMBER must not (checked above). */
	return 0;
}

void
xrid_clear(struct xrid *id)
{
	memset(id, 0, sizeof(*id));
}

/* Copy value into field f; NULL means absent. */
static int
set_field(struct xrid *id, enum xrid_field f, const char *value, char *err,
    size_t errlen)
{
	if (value == NULL)
		return 0;
	if (strlcpy(field_ptr(id, f), value, XRID_PART_MAX + 1) >
	    XRID_PART_MAX) {
		seterr(err, errlen, "%s is longer than %d characters",
		    field_names[f], XRID_PART_MAX);
		return -1;
	}
	return 0;
}

static int
finish_set(struct xrid *out, char *err, size_t errlen)
{
	if (xrid_validate(out, 0, err, errlen) == -1) {
		xrid_clear(out);
		return -1;
	}
	return 0;
}

int
xrid_set_client(struct xrid *out, const char *instance,
    const char *member_class, const char *member_code, const char *subsystem,
    char *err, size_t errlen)
{
	xrid_clear(out);
	out->type = (subsystem != NULL && subsystem[0] != '\0') ?
	    XRID_SUBSYSTEM : XRID_MEMBER;
	if (set_field(out, F_INSTANCE, instance, err, errlen) == -1 ||
	    set_field(out, F_CLASS, member_class, err, errlen) == -1 ||
	    set_field(out, F_CODE, member_code, err, errlen) == -1 ||
	    set_field(out, F_SUBSYSTEM, subsystem, err, errlen) == -1) {
		xrid_clear(out);
		return -1;
	}
	return finish_set(out, err, errlen);
}

int
xrid_set_service(struct xrid *out, const char *instance,
    const char *member_class, const char *member_code, const char *subsystem,
    const char *service_code, const char *service_version, char *err,
    size_t errlen)
{
	xrid_clear(out);
	out->type = XRID_SERVICE;
	if (set_field(out, F_INSTANCE, instance, err, errlen) == -1 ||
	    set_field(out, F_CLASS, member_class, err, errlen) == -1 ||
	    set_field(out, F_CODE, member_code, err, errlen) == -1 ||
	    set_field(out, F_SUBSYSTEM, subsystem, err, errlen) == -1 ||
	    set_field(out, F_SERVICE, service_code, err, errlen) == -1 ||
	    set_field(out, F_VERSION, service_version, err, errlen) == -1) {
		xrid_clear(out);
		return -1;
	}
	return finish_set(out, err, errlen);
}

int
xrid_set_server(struct xrid *out, const char *instance,
    const char *member_class, const char *member_code,
    const char *server_code, char *err, size_t errlen)
{
	xrid_clear(out);
	out->type = XRID_SERVER;
	if (set_field(out, F_INSTANCE, instance, err, errlen) == -1 ||
	    set_field(out, F_CLASS, member_class, err, errlen) == -1 ||
	    set_field(out, F_CODE, member_code, err, errlen) == -1 ||
	    set_field(out, F_SERVER, server_code, err, errlen) == -1) {
		xrid_clear(out);
		return -1;
	}
	return finish_set(out, err, errlen);
}

int
xrid_set_globalgroup(struct xrid *out, const char *instance,
    const char *group_code, char *err, size_t errlen)
{
	xrid_clear(out);
	out->type = XRID_GLOBALGROUP;
	if (set_field(out, F_INSTANCE, instance, err, errlen) == -1 ||
	    set_field(out, F_GROUP, group_code, err, errlen) == -1) {
		xrid_clear(out);
		return -1;
	}
	return finish_set(out, err, errlen);
}

int
xrid_set_localgroup(struct xrid *out, const char *group_code, char *err,
    size_t errlen)
{
	xrid_clear(out);
	out->type = XRID_LOCALGROUP;
	if (set_field(out, F_GROUP, group_code, err, errlen) == -1) {
		xrid_clear(out);
		return -1;
	}
	return finish_set(out, err, errlen);
}

/* Slash-form field order for each type and part count. */
static int
slash_fields(enum xrid_type t, size_t nparts, enum xrid_field *fields)
{
	static const enum xrid_field member[] = {
		F_INSTANCE, F_CLASS, F_CODE, F_SUBSYSTEM, F_SERVICE,
		F_VERSION };
	static const enum xrid_field server[] = {
		F_INSTANCE, F_CLASS, F_CODE, F_SERVER };
	static const enum xrid_field gg[] = { F_INSTANCE, F_GROUP };
	size_t	i;

	switch (t) {
	case XRID_MEMBER:
		if (nparts != 3)
			return -1;
		break;
	case XRID_SUBSYSTEM:
		if (nparts != 4)
			return -1;
		break;
	case XRID_SERVICE:
		if (nparts != 5 && nparts != 6)
			return -1;
		break;
	case XRID_SERVER:
		if (nparts != 4)
			return -1;
		memcpy(fields, server, sizeof(server));
		return 0;
	case XRID_GLOBALGROUP:
		if (nparts != 2)
			return -1;
		memcpy(fields, gg, sizeof(gg));
		return 0;
	case XRID_LOCALGROUP:
		if (nparts != 1)
			return -1;
		fields[0] = F_GROUP;
		return 0;
	default:
		return -1;
	}
	for (i = 0; i < nparts; i++)
		fields[i] = member[i];
	return 0;
}

static int
type_for_count(unsigned mask, size_t n, enum xrid_type *t)
{
	static const enum xrid_type order[] = {
		XRID_LOCALGROUP, XRID_GLOBALGROUP, XRID_MEMBER,
		XRID_SUBSYSTEM, XRID_SERVER, XRID_SERVICE };
	enum xrid_field	fields[XRID_MAX_PARTS];
	size_t		i;

	for (i = 0; i < sizeof(order) / sizeof(order[0]); i++)
		if ((mask & XRID_MASK(order[i])) &&
		    slash_fields(order[i], n, fields) == 0) {
			*t = order[i];
			return 0;
		}
	return -1;
}

static int
parse_parts(struct xrid *out, unsigned mask, const char *s, unsigned flags,
    char *err, size_t errlen)
{
	enum xrid_field	 fields[XRID_MAX_PARTS];
	const char	*p, *start[XRID_MAX_PARTS + 1];
	size_t		 len[XRID_MAX_PARTS + 1], n = 0, i;
	enum xrid_type	 t;
	char		*dst;

	xrid_clear(out);
	if ((mask & XRID_MASK(XRID_SUBSYSTEM)) &&
	    (mask & XRID_MASK(XRID_SERVER))) {
		seterr(err, errlen, "ambiguous identifier kind");
		return -1;
	}
	for (p = s;;) {
		const char *slash = strchr(p, '/');

		if (n == XRID_MAX_PARTS) {
			seterr(err, errlen, "too many parts in identifier");
			return -1;
		}
		start[n] = p;
		len[n] = slash != NULL ? (size_t)(slash - p) : strlen(p);
		n++;
		if (slash == NULL)
			break;
		p = slash + 1;
	}
	if (type_for_count(mask, n, &t) == -1) {
		seterr(err, errlen, "wrong number of parts (%zu) in "
		    "identifier", n);
		return -1;
	}
	(void)slash_fields(t, n, fields);
	out->type = t;
	for (i = 0; i < n; i++) {
		dst = field_ptr(out, fields[i]);
		if (flags & XRID_F_PCT) {
			if (xrid_pct_decode(start[i], len[i], dst,
			    XRID_PART_MAX + 1) == -1) {
				seterr(err, errlen, "%s: bad percent-encoding "
				    "or too long", field_names[fields[i]]);
				goto fail;
			}
		} else {
			if (len[i] > XRID_PART_MAX) {
				seterr(err, errlen, "%s is longer than %d "
				    "characters", field_names[fields[i]],
				    XRID_PART_MAX);
				goto fail;
			}
			memcpy(dst, start[i], len[i]);
			dst[len[i]] = '\0';
		}
		if (check_part(field_names[fields[i]], dst, flags, err,
		    errlen) == -1)
			goto fail;
	}
	return 0;
 fail:
	xrid_clear(out);
	return -1;
}

int
xrid_parse(struct xrid *out, unsigned mask, const char *s, unsigned flags,
    char *err, size_t errlen)
{
	return parse_parts(out, mask, s, flags, err, errlen);
}

int
xrid_parse_client(struct xrid *out, const char *s, unsigned flags,
    char *err, size_t errlen)
{
	return parse_parts(out, XRID_MASK_CLIENT, s, flags, err, errlen);
}

int
xrid_format(const struct xrid *id, unsigned flags, char *out, size_t outlen)
{
	static const enum xrid_field order[] = {
		F_INSTANCE, F_CLASS, F_CODE, F_SUBSYSTEM, F_GROUP, F_SERVICE,
		F_VERSION, F_SERVER };
	char		 enc[3 * XRID_PART_MAX + 1];
	const char	*v;
	size_t		 i;
	int		 first = 1;

	if (outlen == 0)
		return -1;
	out[0] = '\0';
	if (!type_ok(id->type))
		return -1;
	for (i = 0; i < sizeof(order) / sizeof(order[0]); i++) {
		v = field_cptr(id, order[i]);
		if (v[0] == '\0')
			continue;
		if (flags & XRID_F_PCT) {
			if (xrid_pct_encode(v, enc, sizeof(enc)) == -1)
				goto fail;
			v = enc;
		}
		if ((!first && strlcat(out, "/", outlen) >= outlen) ||
		    strlcat(out, v, outlen) >= outlen)
			goto fail;
		first = 0;
	}
	return 0;
 fail:
	out[0] = '\0';
	return -1;
}

int
xrid_parse_doc(struct xrid *out, const char *s, unsigned flags, char *err,
    size_t errlen)
{
	const char	*colon;
	char		 tname[16];
	enum xrid_type	 t;
	size_t		 n;

	xrid_clear(out);
	if ((colon = strchr(s, ':')) == NULL ||
	    (n = (size_t)(colon - s)) >= sizeof(tname)) {
		seterr(err, errlen, "identifier must start with TYPE:");
		return -1;
	}
	memcpy(tname, s, n);
	tname[n] = '\0';
	if (xrid_type_parse(tname, &t) == -1) {
		seterr(err, errlen, "unknown identifier type");
		return -1;
	}
	return parse_parts(out, XRID_MASK(t), colon + 1,
	    flags & ~XRID_F_PCT, err, errlen);
}

int
xrid_format_doc(const struct xrid *id, char *out, size_t outlen)
{
	const char	*name;
	size_t		 n;

	if (outlen == 0)
		return -1;
	out[0] = '\0';
	if ((name = xrid_type_name(id->type)) == NULL)
		return -1;
	if (strlcpy(out, name, outlen) >= outlen ||
	    strlcat(out, ":", outlen) >= outlen)
		goto fail;
	n = strlen(out);
	if (xrid_format(id, 0, out + n, outlen - n) == -1)
		goto fail;
	return 0;
 fail:
	out[0] = '\0';
	return -1;
}

int
xrid_pct_encode(const char *in, char *out, size_t outlen)
{
	static const char	 hex[] = "0123456789ABCDEF";
	size_t			 o = 0;
	unsigned char		 c;

	for (; *in != '\0'; in++) {
		c = (unsigned char)*in;
		if ((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') ||
		    (c >= '0' && c <= '9') || strchr("-._~!$&'()*+,;=:@", c)) {
			if (o + 1 >= outlen)
				return -1;
			out[o++] = (char)c;
		} else {
			if (o + 3 >= outlen)
				return -1;
			out[o++] = '%';
			out[o++] = hex[c >> 4];
			out[o++] = hex[c & 0x0f];
		}
	}
	if (o >= outlen)
		return -1;
	out[o] = '\0';
	return 0;
}

static int
hexval(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

int
xrid_pct_decode(const char *in, size_t inlen, char *out, size_t outlen)
{
	size_t	i, o = 0;
	int	hi, lo;

	for (i = 0; i < inlen; i++) {
		char c = in[i];

		if (c == '\0')
			return -1;
		if (c == '%') {
			if (i + 2 >= inlen)
				return -1;
			if ((hi = hexval(in[i + 1])) == -1 ||
			    (lo = hexval(in[i + 2])) == -1)
				return -1;
			c = (char)(hi << 4 | lo);
			if (c == '\0')
				return -1;
			i += 2;
		}
		if (o + 1 >= outlen)
			return -1;
		out[o++] = c;
	}
	if (o >= outlen)
		return -1;
	out[o] = '\0';
	return 0;
}

int
xrid_equal(const struct xrid *a, const struct xrid *b)
{
	int	f;

	if (a->type != b->type)
		return 0;
	for (f = 0; f < F_COUNT; f++)
		if (strcmp(field_cptr(a, (enum xrid_field)f),
		    field_cptr(b, (enum xrid_field)f)) != 0)
			return 0;
	return 1;
}

int
xrid_member(const struct xrid *id, struct xrid *member)
{
	xrid_clear(member);
	switch (id->type) {
	case XRID_MEMBER:
	case XRID_SUBSYSTEM:
	case XRID_SERVICE:
	case XRID_SERVER:
		break;
	default:
		return -1;
	}
	member->type = XRID_MEMBER;
	memcpy(member->instance, id->instance, sizeof(member->instance));
	memcpy(member->member_class, id->member_class,
	    sizeof(member->member_class));
	memcpy(member->member_code, id->member_code,
	    sizeof(member->member_code));
	return 0;
}

int
xrid_member_of(const struct xrid *id, const struct xrid *member)
{
	struct xrid	m;

	if (member->type != XRID_MEMBER || xrid_member(id, &m) == -1)
		return 0;
	return xrid_equal(&m, member);
}

int
xrid_service_provider(const struct xrid *service, struct xrid *provider)
{
	xrid_clear(provider);
	if (service->type != XRID_SERVICE)
		return -1;
	(void)xrid_member(service, provider);
	if (service->subsystem_code[0] != '\0') {
		provider->type = XRID_SUBSYSTEM;
		memcpy(provider->subsystem_code, service->subsystem_code,
		    sizeof(provider->subsystem_code));
	}
	return 0;
}

void
xrid_service_unversioned(const struct xrid *service, struct xrid *out)
{
	*out = *service;
	memset(out->service_version, 0, sizeof(out->service_version));
}

/*
 * XML form.
 */

static int
ns_is(const xmlNode *n, const char *href)
{
	return n->ns != NULL && n->ns->href != NULL &&
	    strcmp((const char *)n->ns->href, href) == 0;
}

/* Text content of an element that must hold only text. */
static int
text_only(const xmlNode *n, char *out, size_t outlen, const char *what,
    char *err, size_t errlen)
{
	const xmlNode	*c;
	size_t		 len = 0, l;

	out[0] = '\0';
	for (c = n->children; c != NULL; c = c->next) {
		if (c->type == XML_COMMENT_NODE || c->type == XML_PI_NODE)
			continue;
		if (c->type != XML_TEXT_NODE &&
		    c->type != XML_CDATA_SECTION_NODE) {
			seterr(err, errlen, "%s must contain only text", what);
			return -1;
		}
		l = c->content != NULL ? strlen((const char *)c->content) : 0;
		if (len + l >= outlen) {
			seterr(err, errlen, "%s is longer than %zu characters",
			    what, outlen - 1);
			return -1;
		}
		memcpy(out + len, c->content, l);
		len += l;
		out[len] = '\0';
	}
	return 0;
}

int
xrid_from_xml(struct xrid *out, const xmlNode *node, unsigned mask,
    char *err, size_t errlen)
{
	const xmlNode	*c;
	xmlChar		*ot = NULL;
	enum xrid_type	 t;
	unsigned	 seen = 0, allowed;
	int		 f, last = -1, ret = -1;

	xrid_clear(out);
	if ((ot = xmlGetNsProp(node, BAD_CAST "objectType",
	    BAD_CAST XRID_NS_ID)) == NULL) {
		seterr(err, errlen, "%s: missing id:objectType attribute",
		    (const char *)node->name);
		goto done;
	}
	if (xrid_type_parse((const char *)ot, &t) == -1) {
		seterr(err, errlen, "%s: unknown objectType '%.32s'",
		    (const char *)node->name, (const char *)ot);
		goto done;
	}
	if ((mask & XRID_MASK(t)) == 0) {
		seterr(err, errlen, "%s: unexpected objectType %s",
		    (const char *)node->name, type_names[t]);
		goto done;
	}
	out->type = t;
	allowed = type_fields[t].required | type_fields[t].optional;
	for (c = node->children; c != NULL; c = c->next) {
		if (c->type == XML_COMMENT_NODE || c->type == XML_PI_NODE)
			continue;
		if (c->type == XML_TEXT_NODE) {
			if (!xmlIsBlankNode(c)) {
				seterr(err, errlen, "%s: unexpected text",
				    (const char *)node->name);
				goto done;
			}
			continue;
		}
		if (c->type != XML_ELEMENT_NODE || !ns_is(c, XRID_NS_ID)) {
			seterr(err, errlen, "%s: unexpected element '%.64s'",
			    (const char *)node->name,
			    c->name ? (const char *)c->name : "?");
			goto done;
		}
		for (f = 0; f < F_COUNT; f++)
			if (strcmp((const char *)c->name, field_names[f]) == 0)
				break;
		if (f == F_COUNT) {
			seterr(err, errlen, "%s: unknown element '%.64s'",
			    (const char *)node->name, (const char *)c->name);
			goto done;
		}
		if (seen & B(f)) {
			seterr(err, errlen, "%s: duplicate element '%s'",
			    (const char *)node->name, field_names[f]);
			goto done;
		}
		if ((allowed & B(f)) == 0) {
			seterr(err, errlen, "%s: element '%s' not allowed for "
			    "objectType %s", (const char *)node->name,
			    field_names[f], type_names[t]);
			goto done;
		}
		if (f < last) {
			seterr(err, errlen, "%s: element '%s' out of order",
			    (const char *)node->name, field_names[f]);
			goto done;
		}
		last = f;
		seen |= B(f);
		if (text_only(c, field_ptr(out, (enum xrid_field)f),
		    XRID_PART_MAX + 1, field_names[f], err, errlen) == -1)
			goto done;
		if (check_part(field_names[f], field_cptr(out,
		    (enum xrid_field)f), 0, err, errlen) == -1)
			goto done;
	}
	for (f = 0; f < F_COUNT; f++)
		if ((type_fields[t].required & B(f)) && !(seen & B(f))) {
			seterr(err, errlen, "%s: missing element '%s'",
			    (const char *)node->name, field_names[f]);
			goto done;
		}
	ret = 0;
 done:
	xmlFree(ot);
	if (ret == -1)
		xrid_clear(out);
	return ret;
}

static xmlNs *
ensure_ns(xmlNode *node, const char *href, const char *prefix)
{
	xmlNs	*ns;

	if ((ns = xmlSearchNsByHref(node->doc, node, BAD_CAST href)) != NULL)
		return ns;
	return xmlNewNs(node, BAD_CAST href, BAD_CAST prefix);
}

xmlNode *
xrid_to_xml(const struct xrid *id, xmlNode *parent, const char *ns_href,
    const char *ns_prefix, const char *name)
{
	xmlNode		*n, *c;
	xmlNs		*ns, *idns;
	const char	*v;
	int		 f;

	if (!type_ok(id->type))
		return NULL;
	if ((n = xmlNewChild(parent, NULL, BAD_CAST name, NULL)) == NULL)
		return NULL;
	if ((ns = ensure_ns(n, ns_href, ns_prefix)) == NULL ||
	    (idns = ensure_ns(n, XRID_NS_ID, "id")) == NULL)
		goto fail;
	xmlSetNs(n, ns);
	if (xmlSetNsProp(n, idns, BAD_CAST "objectType",
	    BAD_CAST type_names[id->type]) == NULL)
		goto fail;
	for (f = 0; f < F_COUNT; f++) {
		v = field_cptr(id, (enum xrid_field)f);
		if (v[0] == '\0')
			continue;
		/* xmlNewTextChild escapes the value. */
		if ((c = xmlNewTextChild(n, idns, BAD_CAST field_names[f],
		    BAD_CAST v)) == NULL)
			goto fail;
	}
	return n;
 fail:
	xmlUnlinkNode(n);
	xmlFreeNode(n);
	return NULL;
}
