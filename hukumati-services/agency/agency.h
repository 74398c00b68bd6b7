/*
 * agency.h: hukumati-agency, the agency information systems of the demo
 * federation (the providers the security servers forward to).
 *
 * One process serves one agency, chosen by its configuration file. The
 * core (agency.c) does what every agency shares: the configuration, the
 * SQLite database with migrations and seeding, the HTTP listener, X-Road
 * SOAP requests (parse, dispatch to an operation, response with the
 * request's header echoed, faults) and the WSDL and OpenAPI descriptions.
 * An agency module (civil_register.c, ...) is a table: its migrations,
 * its seed data, its SOAP operations and its REST routes. Modules are
 * listed in agency_modules.c.
 *
 * HTTP interface of every agency:
 *	POST /soap, POST /	X-Road SOAP 4.0 (document/literal wrapped)
 *	GET /wsdl		the WSDL (soap:address set to public-url/soap)
 *	GET /openapi		the OpenAPI 3 description (JSON; servers set
 *				to public-url/rest)
 *	GET /health		200 {"status":"ok",...}
 *	/rest/...		the module's REST routes
 */
#ifndef HK_AGENCY_H
#define HK_AGENCY_H

#include <stddef.h>
#include <stdint.h>

#include <event2/event.h>
#include <event2/http.h>
#include <jansson.h>
#include <libxml/tree.h>

#include "conf.h"
#include "soap.h"
#include "xrmsg.h"

struct buf;
struct db;
struct agency;

/*
 * A SOAP operation. req is the request's body wrapper (<serviceCode>,
 * already checked to be in the module's namespace), resp the empty
 * response wrapper <serviceCode>Response (same namespace) to fill. Return
 * AGENCY_OK when resp holds the answer (business errors such as "not
 * found" are answers, NOTES 2.5), AGENCY_BAD when the payload is invalid
 * (err: code such as XR_E_BAD_REQUEST and a message for the client; the
 * core sends a Client.<code> fault), or AGENCY_ERR for an internal error
 * (logged by the operation; the core sends Server.InternalError).
 */
#define AGENCY_OK	0
#define AGENCY_ERR	(-1)
#define AGENCY_BAD	(-2)

typedef int (*agency_soap_fn)(struct agency *, const struct soap_msg *msg,
    const xmlNode *req, xmlNode *resp, struct xr_err *err);

struct agency_soap_op {
	const char	*so_name;	/* serviceCode = wrapper name */
	agency_soap_fn	 so_fn;
};

/*
 * A REST handler. sub is the raw (percent-encoded) path after the route's
 * path, "" for an exact match. It must answer req exactly once.
 */
typedef void (*agency_rest_fn)(struct agency *, struct evhttp_request *req,
    const char *sub);

struct agency_rest_route {
	int		 rr_methods;	/* EVHTTP_REQ_GET | ... */
	const char	*rr_path;	/* under /rest, e.g. "/persons/" */
	int		 rr_match;	/* HTTP_ROUTE_EXACT or _PREFIX */
	agency_rest_fn	 rr_fn;
};

struct agency_module {
	const char			*am_name;	/* [agency] module */
	const char			*am_title;	/* default [agency] name */
	const char			*am_ns;		/* SOAP body namespace */
	const char			*am_wsdl;	/* file name under
							   HK_DATADIR/agency */
	const char			*am_openapi;	/* same; may be NULL */
	const char *const		*am_migrations;
	size_t				 am_nmigrations;
	/*
	 * Fill an empty database with count synthetic records,
	 * deterministically; do nothing if it already holds data. NULL if
	 * the module has no seed data. 0 or -1 (logged).
	 */
	int				(*am_seed)(struct db *, unsigned int count);
	const struct agency_soap_op	*am_soap_ops;	/* ends with NULL name */
	const struct agency_rest_route	*am_rest;	/* ends with NULL path */
};

/* Limits. */
#define AGENCY_DESC_MAX		(1024 * 1024)	/* WSDL / OpenAPI file */
#define AGENCY_SOAP_OUT_MAX	(4 * 1024 * 1024)	/* response bytes */

/* agency_modules.c */
/* Every module, NULL-terminated. */
extern const struct agency_module *const agency_modules[];
/* The module named name, or NULL. */
const struct agency_module *agency_module_find(const char *name);

/* agency.c */
/* The configuration table (sections [agency], [http], [log]). */
extern const struct conf_option agency_conf_table[];

/*
 * Check a loaded configuration and prepare an agency: the module, the
 * subsystem, the URLs, the WSDL (well-formed, no DOCTYPE, every operation
 * of the module bound) and the OpenAPI description, both with their
 * addresses set to public-url. No side effects on disk. conf must outlive
 * the agency. On error -1 with the reason in err.
 */
int		 agency_new(const struct conf *conf, struct agency **out,
		    char *err, size_t errlen);
/* Closes the database and the listener. Accepts NULL. */
void		 agency_free(struct agency *);
/*
 * Create data-dir (0700) if missing, open <data-dir>/<module>.db, run the
 * migrations and, with seed = yes, the module's seeding. 0 or -1 (logged).
 */
int		 agency_open_db(struct agency *);
/* Listen on [http] address and port. 0 or -1 (logged). */
int		 agency_listen(struct agency *, struct event_base *);
/* The bound port (after agency_listen), else 0. */
uint16_t	 agency_port(const struct agency *);

/* Borrowed accessors for modules. */
struct db	*agency_db(struct agency *);
const struct agency_module *agency_module(const struct agency *);
const char	*agency_name(const struct agency *);

/*
 * Answer one SOAP request: body[0..len) with its Content-Type (may be
 * NULL). *out gets the response envelope (caller frees with buf_free)
 * and *status its HTTP status: 200, or 500 for a SOAP fault. Returns 0,
 * or -1 if not even a fault could be built.
 */
int		 agency_soap(struct agency *, const void *body, size_t len,
		    const char *content_type, struct buf **out, int *status);

/* The descriptions as served (borrowed; NULL if the module has none). */
const char	*agency_wsdl(const struct agency *, size_t *len);
const char	*agency_openapi(const struct agency *, size_t *len);

/*
 * Helpers for operations: the first child element of parent named name in
 * the module's namespace or in none (both forms are accepted on input),
 * and its text content if it has no element children (caller frees with
 * xmlFree; NULL if absent or not text). agency_text fails (-1) for a
 * second element of the same name.
 */
int		 agency_text(struct agency *, const xmlNode *parent,
		    const char *name, char **out);
/* Add <name>value</name> in parent's namespace; NULL value adds nothing. */
xmlNode		*agency_add(xmlNode *parent, const char *name,
		    const char *value);

/* civil_register.c */
extern const struct agency_module civil_register_module;
/*
 * The person with national ID id as JSON (the REST representation):
 * 1 and *out (caller json_decref) if found, 0 if not, -1 on error.
 */
int		 cr_person_json(struct db *, const char *id, json_t **out);

/* civil_register_seed.c */
/* Demo persons every civil register holds (national IDs, for tests). */
extern const char *const cr_demo_ids[];
int		 cr_seed(struct db *, unsigned int count);

#endif /* HK_AGENCY_H */
