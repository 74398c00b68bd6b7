/*
 * agency.c: the core every agency information system shares (see
 * agency.h): configuration, database, HTTP listener, X-Road SOAP request
 * handling and the WSDL / OpenAPI descriptions.
 */
#include "config.h"

#include <sys/stat.h>
#include <sys/types.h>

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <event2/http.h>
#include <jansson.h>
#include <libxml/parser.h>
#include <libxml/tree.h>
#include <openssl/rand.h>

#include "agency.h"
#include "buf.h"
#include "compat.h"
#include "conf.h"
#include "db.h"
#include "http.h"
#include "log.h"
#include "soap.h"
#include "xrid.h"
#include "xrmsg.h"

#define AGENCY_WSDL_NS		"http://schemas.xmlsoap.org/wsdl/"
#define AGENCY_WSDL_SOAP_NS	"http://schemas.xmlsoap.org/wsdl/soap/"
#define AGENCY_XML_TYPE		"text/xml; charset=UTF-8"
#define AGENCY_JSON_TYPE	"application/json; charset=utf-8"
#define AGENCY_URL_MAX		512
#define AGENCY_UUID_LEN		36

/* Codes of faults this layer adds (the rest come from soap.c). */
#define AGENCY_E_UNKNOWN_SERVICE	"UnknownService"

static const char *const agency_log_levels[] = { "warn", "info", "debug",
    NULL };

const struct conf_option agency_conf_table[] = {
	{ "agency", "module", CONF_STRING, NULL, 0, 0, NULL, CONF_REQUIRED,
	    "agency module to serve (civil-register)" },
	{ "agency", "name", CONF_STRING, NULL, 0, 0, NULL, 0,
	    "display name in logs and /health (default: the module's title)" },
	{ "agency", "subsystem", CONF_STRING, NULL, 0, 0, NULL, 0,
	    "X-Road subsystem served, INSTANCE/CLASS/MEMBER/SUBSYSTEM; "
	    "SOAP requests for another provider are refused" },
	{ "agency", "data-dir", CONF_PATH, NULL, 0, 0, NULL, CONF_REQUIRED,
	    "folder of the agency's SQLite database (created 0700)" },
	{ "agency", "seed", CONF_BOOL, "yes", 0, 0, NULL, 0,
	    "fill an empty database with the synthetic demo data" },
	{ "agency", "seed-count", CONF_INT, "200", 0, 100000, NULL, 0,
	    "number of synthetic records generated besides the demo ones" },
	{ "agency", "wsdl", CONF_PATH, NULL, 0, 0, NULL, 0,
	    "WSDL file (default: the module's file in the data folder "
	    "of the installation)" },
	{ "agency", "openapi", CONF_PATH, NULL, 0, 0, NULL, 0,
	    "OpenAPI 3 description, JSON (default as for wsdl)" },
	{ "http", "address", CONF_STRING, "127.0.0.1", 0, 0, NULL, 0,
	    "address to listen on" },
	{ "http", "port", CONF_INT, NULL, 0, 65535, NULL, CONF_REQUIRED,
	    "port to listen on (0: any free port, logged)" },
	{ "http", "public-url", CONF_STRING, NULL, 0, 0, NULL, 0,
	    "base URL written into the WSDL and OpenAPI descriptions "
	    "(default http://ADDRESS:PORT)" },
	{ "http", "max-body", CONF_SIZE, "64K", 1024, 16 * 1024 * 1024, NULL,
	    0, "largest request body (bigger: 413)" },
	{ "http", "max-header", CONF_SIZE, "8K", 1024, 64 * 1024, NULL, 0,
	    "largest request line and headers" },
	{ "http", "timeout", CONF_DURATION, "30s", 1, 600, NULL, 0,
	    "idle read/write timeout of a connection" },
	{ "log", "level", CONF_ENUM, "info", 0, 0, agency_log_levels, 0,
	    "logging verbosity (warn, info, debug)" },
	CONF_OPTION_END
};

/* A REST route with the agency it belongs to (the router's arg). */
struct agency_route {
	struct agency			*ar_agency;
	const struct agency_rest_route	*ar_route;
	size_t				 ar_skip;	/* bytes of the prefix */
};

struct agency {
	const struct conf		*ag_conf;
	const struct agency_module	*ag_mod;
	const char			*ag_name;
	int				 ag_has_subsystem;
	struct xrid			 ag_subsystem;
	char				 ag_public_url[AGENCY_URL_MAX];
	size_t				 ag_max_body;
	char				*ag_wsdl;
	size_t				 ag_wsdl_len;
	char				*ag_openapi;
	size_t				 ag_openapi_len;
	struct db			*ag_db;
	struct http_server		*ag_http;
	struct agency_route		*ag_routes;
	size_t				 ag_nroutes;
};

static void
set_err(char *err, size_t errlen, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static void
set_err(char *err, size_t errlen, const char *fmt, ...)
{
	va_list	 ap;

	if (err == NULL || errlen == 0)
		return;
	va_start(ap, fmt);
	(void)vsnprintf(err, errlen, fmt, ap);
	va_end(ap);
}

/* A regular file of at most max bytes, NUL-terminated (caller frees). */
static int
read_file(const char *path, size_t max, char **out, size_t *lenp,
    char *err, size_t errlen)
{
	struct stat	 st;
	char		*data = NULL;
	size_t		 len = 0;
	ssize_t		 n;
	int		 fd;

	*out = NULL;
	if ((fd = open(path, O_RDONLY | O_CLOEXEC)) == -1) {
		set_err(err, errlen, "%s: %s", path, strerror(errno));
		return -1;
	}
	if (fstat(fd, &st) == -1 || !S_ISREG(st.st_mode) ||
	    st.st_size < 0 || (size_t)st.st_size > max) {
		set_err(err, errlen, "%s: not a regular file of at most %zu "
		    "bytes", path, max);
		goto fail;
	}
	if ((data = malloc((size_t)st.st_size + 1)) == NULL) {
		set_err(err, errlen, "%s: out of memory", path);
		goto fail;
	}
	while (len < (size_t)st.st_size) {
		n = read(fd, data + len, (size_t)st.st_size - len);
		if (n == -1 && errno == EINTR)
			continue;
		if (n <= 0) {
			set_err(err, errlen, "%s: read error", path);
			goto fail;
		}
		len += (size_t)n;
	}
	data[len] = '\0';
	(void)close(fd);
	*out = data;
	*lenp = len;
	return 0;
 fail:
	free(data);
	(void)close(fd);
	return -1;
}

static int
desc_path(const struct agency *ag, const char *key, const char *file,
    char *out, size_t outlen)
{
	const char	*p;
	int		 r;

	if ((p = conf_get_str(ag->ag_conf, "agency", key)) != NULL)
		return strlcpy(out, p, outlen) >= outlen ? -1 : 0;
	r = snprintf(out, outlen, "%s/agency/%s", HK_DATADIR, file);
	return r < 0 || (size_t)r >= outlen ? -1 : 0;
}

static int
xml_is(const xmlNode *n, const char *ns, const char *name)
{
	return n->type == XML_ELEMENT_NODE && n->ns != NULL &&
	    strcmp((const char *)n->ns->href, ns) == 0 &&
	    strcmp((const char *)n->name, name) == 0;
}

/* 1 if some wsdl:binding of root has an operation called name. */
static int
wsdl_binds(xmlNode *root, const char *name)
{
	xmlNode	*b, *op;
	xmlChar	*v;
	int	 found = 0;

	for (b = root->children; b != NULL && !found; b = b->next) {
		if (!xml_is(b, AGENCY_WSDL_NS, "binding"))
			continue;
		for (op = b->children; op != NULL && !found; op = op->next) {
			if (!xml_is(op, AGENCY_WSDL_NS, "operation"))
				continue;
			if ((v = xmlGetProp(op, BAD_CAST "name")) == NULL)
				continue;
			found = strcmp((const char *)v, name) == 0;
			xmlFree(v);
		}
	}
	return found;
}

/*
 * Load the WSDL: well-formed, no DOCTYPE, wsdl:definitions, every SOAP
 * operation of the module bound; then every soap:address of the services
 * points at public-url/soap.
 */
static int
load_wsdl(struct agency *ag, char *err, size_t errlen)
{
	const struct agency_soap_op	*op;
	char				 path[PATH_MAX], url[AGENCY_URL_MAX + 8];
	char				*text = NULL;
	size_t				 len;
	xmlParserCtxtPtr		 ctxt = NULL;
	xmlDoc				*doc = NULL;
	xmlNode				*root, *svc, *port, *addr;
	xmlChar				*mem = NULL;
	int				 memlen = 0, ret = -1;

	if (ag->ag_mod->am_wsdl == NULL)
		return 0;
	if (desc_path(ag, "wsdl", ag->ag_mod->am_wsdl, path,
	    sizeof(path)) == -1) {
		set_err(err, errlen, "WSDL path too long");
		return -1;
	}
	if (read_file(path, AGENCY_DESC_MAX, &text, &len, err, errlen) == -1)
		return -1;
	if ((ctxt = xmlNewParserCtxt()) == NULL)
		goto nomem;
	/* Never XML_PARSE_NOENT or DTD loading. */
	doc = xmlCtxtReadMemory(ctxt, text, (int)len, path, NULL,
	    XML_PARSE_NONET | XML_PARSE_NOERROR | XML_PARSE_NOWARNING);
	if (doc == NULL || !ctxt->wellFormed) {
		set_err(err, errlen, "%s: not well-formed XML", path);
		goto done;
	}
	if (doc->intSubset != NULL || doc->extSubset != NULL) {
		set_err(err, errlen, "%s: DOCTYPE is not allowed", path);
		goto done;
	}
	root = xmlDocGetRootElement(doc);
	if (root == NULL || !xml_is(root, AGENCY_WSDL_NS, "definitions")) {
		set_err(err, errlen, "%s: not a WSDL 1.1 document", path);
		goto done;
	}
	for (op = ag->ag_mod->am_soap_ops; op->so_name != NULL; op++) {
		if (!wsdl_binds(root, op->so_name)) {
			set_err(err, errlen, "%s: operation %s is not in a "
			    "binding", path, op->so_name);
			goto done;
		}
	}
	if (snprintf(url, sizeof(url), "%s/soap", ag->ag_public_url) >=
	    (int)sizeof(url))
		goto nomem;
	for (svc = root->children; svc != NULL; svc = svc->next) {
		if (!xml_is(svc, AGENCY_WSDL_NS, "service"))
			continue;
		for (port = svc->children; port != NULL; port = port->next) {
			if (!xml_is(port, AGENCY_WSDL_NS, "port"))
				continue;
			for (addr = port->children; addr != NULL;
			    addr = addr->next) {
				if (xml_is(addr, AGENCY_WSDL_SOAP_NS,
				    "address") && xmlSetProp(addr,
				    BAD_CAST "location", BAD_CAST url) == NULL)
					goto nomem;
			}
		}
	}
	xmlDocDumpFormatMemoryEnc(doc, &mem, &memlen, "UTF-8", 0);
	if (mem == NULL || memlen <= 0)
		goto nomem;
	if ((ag->ag_wsdl = malloc((size_t)memlen + 1)) == NULL)
		goto nomem;
	memcpy(ag->ag_wsdl, mem, (size_t)memlen);
	ag->ag_wsdl[memlen] = '\0';
	ag->ag_wsdl_len = (size_t)memlen;
	ret = 0;
	goto done;
 nomem:
	set_err(err, errlen, "%s: out of memory", path);
 done:
	xmlFree(mem);
	xmlFreeDoc(doc);
	xmlFreeParserCtxt(ctxt);
	free(text);
	return ret;
}

/* Load the OpenAPI description (JSON) and set its servers. */
static int
load_openapi(struct agency *ag, char *err, size_t errlen)
{
	char		 path[PATH_MAX], url[AGENCY_URL_MAX + 8];
	char		*text = NULL, *dump = NULL;
	size_t		 len;
	json_t		*doc = NULL, *servers = NULL, *v;
	json_error_t	 jerr;
	int		 ret = -1;

	if (ag->ag_mod->am_openapi == NULL)
		return 0;
	if (desc_path(ag, "openapi", ag->ag_mod->am_openapi, path,
	    sizeof(path)) == -1) {
		set_err(err, errlen, "OpenAPI path too long");
		return -1;
	}
	if (read_file(path, AGENCY_DESC_MAX, &text, &len, err, errlen) == -1)
		return -1;
	if ((doc = json_loadb(text, len, JSON_REJECT_DUPLICATES,
	    &jerr)) == NULL) {
		set_err(err, errlen, "%s:%d: %s", path, jerr.line, jerr.text);
		goto done;
	}
	if (!json_is_object(doc) ||
	    (v = json_object_get(doc, "openapi")) == NULL ||
	    !json_is_string(v) || strncmp(json_string_value(v), "3.", 2) != 0 ||
	    !json_is_object(json_object_get(doc, "paths"))) {
		set_err(err, errlen, "%s: not an OpenAPI 3 description", path);
		goto done;
	}
	if (snprintf(url, sizeof(url), "%s/rest", ag->ag_public_url) >=
	    (int)sizeof(url))
		goto nomem;
	if ((servers = json_pack("[{s:s, s:s}]", "url", url, "description",
	    ag->ag_name)) == NULL ||
	    json_object_set_new(doc, "servers", servers) == -1) {
		servers = NULL;
		goto nomem;
	}
	if ((dump = json_dumps(doc, JSON_INDENT(2))) == NULL)
		goto nomem;
	ag->ag_openapi = dump;
	ag->ag_openapi_len = strlen(dump);
	ret = 0;
	goto done;
 nomem:
	set_err(err, errlen, "%s: out of memory", path);
 done:
	json_decref(doc);
	free(text);
	return ret;
}

int
agency_new(const struct conf *conf, struct agency **out, char *err,
    size_t errlen)
{
	struct agency	*ag;
	const char	*s, *addr;
	char		 xerr[XRID_ERR_MAX];
	int		 r;

	*out = NULL;
	if ((ag = calloc(1, sizeof(*ag))) == NULL) {
		set_err(err, errlen, "out of memory");
		return -1;
	}
	ag->ag_conf = conf;
	s = conf_get_str(conf, "agency", "module");
	if ((ag->ag_mod = agency_module_find(s)) == NULL) {
		set_err(err, errlen, "%s:%d: unknown module '%s'",
		    conf_name(conf), conf_line(conf, "agency", "module"), s);
		goto fail;
	}
	ag->ag_name = conf_get_str(conf, "agency", "name");
	if (ag->ag_name == NULL || ag->ag_name[0] == '\0')
		ag->ag_name = ag->ag_mod->am_title;
	if ((s = conf_get_str(conf, "agency", "subsystem")) != NULL) {
		if (xrid_parse(&ag->ag_subsystem, XRID_MASK(XRID_SUBSYSTEM),
		    s, 0, xerr, sizeof(xerr)) == -1) {
			set_err(err, errlen, "%s:%d: subsystem: %s",
			    conf_name(conf),
			    conf_line(conf, "agency", "subsystem"), xerr);
			goto fail;
		}
		ag->ag_has_subsystem = 1;
	}
	addr = conf_get_str(conf, "http", "address");
	if ((s = conf_get_str(conf, "http", "public-url")) != NULL) {
		if (strncmp(s, "http://", 7) != 0 &&
		    strncmp(s, "https://", 8) != 0) {
			set_err(err, errlen, "%s:%d: public-url must start "
			    "with http:// or https://", conf_name(conf),
			    conf_line(conf, "http", "public-url"));
			goto fail;
		}
		if (strlcpy(ag->ag_public_url, s,
		    sizeof(ag->ag_public_url)) >= sizeof(ag->ag_public_url)) {
			set_err(err, errlen, "public-url too long");
			goto fail;
		}
	} else {
		r = snprintf(ag->ag_public_url, sizeof(ag->ag_public_url),
		    strchr(addr, ':') != NULL ? "http://[%s]:%lld" :
		    "http://%s:%lld", addr,
		    conf_get_int(conf, "http", "port"));
		if (r < 0 || (size_t)r >= sizeof(ag->ag_public_url)) {
			set_err(err, errlen, "address too long");
			goto fail;
		}
	}
	/* No trailing slash: paths are appended. */
	r = (int)strlen(ag->ag_public_url);
	while (r > 0 && ag->ag_public_url[r - 1] == '/')
		ag->ag_public_url[--r] = '\0';
	ag->ag_max_body = conf_get_size(conf, "http", "max-body");
	if (load_wsdl(ag, err, errlen) == -1 ||
	    load_openapi(ag, err, errlen) == -1)
		goto fail;
	*out = ag;
	return 0;
 fail:
	agency_free(ag);
	return -1;
}

void
agency_free(struct agency *ag)
{
	if (ag == NULL)
		return;
	http_server_free(ag->ag_http);
	db_close(ag->ag_db);
	free(ag->ag_routes);
	free(ag->ag_wsdl);
	free(ag->ag_openapi);
	free(ag);
}

int
agency_open_db(struct agency *ag)
{
	const struct agency_module	*m = ag->ag_mod;
	const char			*dir;
	char				 path[PATH_MAX];
	struct stat			 st;
	int				 r;

	dir = conf_get_str(ag->ag_conf, "agency", "data-dir");
	if (mkdir(dir, 0700) == -1 && errno != EEXIST) {
		log_warn("data-dir %s", dir);
		return -1;
	}
	if (stat(dir, &st) == -1 || !S_ISDIR(st.st_mode)) {
		log_warnx("data-dir %s is not a folder", dir);
		return -1;
	}
	r = snprintf(path, sizeof(path), "%s/%s.db", dir, m->am_name);
	if (r < 0 || (size_t)r >= sizeof(path)) {
		log_warnx("data-dir %s: path too long", dir);
		return -1;
	}
	if (db_open(path, 0, &ag->ag_db) == -1)
		return -1;
	if (db_migrate(ag->ag_db, m->am_migrations, m->am_nmigrations) == -1) {
		log_warnx("%s: migration failed: %s", path,
		    db_last_error(ag->ag_db));
		return -1;
	}
	if (m->am_seed != NULL && conf_get_bool(ag->ag_conf, "agency",
	    "seed") && m->am_seed(ag->ag_db, (unsigned int)conf_get_int(
	    ag->ag_conf, "agency", "seed-count")) == -1) {
		log_warnx("%s: seeding failed", path);
		return -1;
	}
	log_info("database %s at schema version %d", path,
	    db_version(ag->ag_db));
	return 0;
}

struct db *
agency_db(struct agency *ag)
{
	return ag->ag_db;
}

const struct agency_module *
agency_module(const struct agency *ag)
{
	return ag->ag_mod;
}

const char *
agency_name(const struct agency *ag)
{
	return ag->ag_name;
}

const char *
agency_wsdl(const struct agency *ag, size_t *len)
{
	*len = ag->ag_wsdl_len;
	return ag->ag_wsdl;
}

const char *
agency_openapi(const struct agency *ag, size_t *len)
{
	*len = ag->ag_openapi_len;
	return ag->ag_openapi;
}

uint16_t
agency_port(const struct agency *ag)
{
	return ag->ag_http != NULL ? http_server_port(ag->ag_http) : 0;
}

/*
 * SOAP.
 */

static int
in_module_ns(const struct agency *ag, const xmlNode *n)
{
	return n->ns == NULL || n->ns->href == NULL ||
	    strcmp((const char *)n->ns->href, ag->ag_mod->am_ns) == 0;
}

int
agency_text(struct agency *ag, const xmlNode *parent, const char *name,
    char **out)
{
	const xmlNode	*n, *found = NULL, *c;

	*out = NULL;
	for (n = parent->children; n != NULL; n = n->next) {
		if (n->type != XML_ELEMENT_NODE ||
		    strcmp((const char *)n->name, name) != 0 ||
		    !in_module_ns(ag, n))
			continue;
		if (found != NULL)
			return -1;
		found = n;
	}
	if (found == NULL)
		return 0;
	for (c = found->children; c != NULL; c = c->next)
		if (c->type == XML_ELEMENT_NODE)
			return 0;
	*out = (char *)xmlNodeGetContent(found);
	return 0;
}

xmlNode *
agency_add(xmlNode *parent, const char *name, const char *value)
{
	if (value == NULL)
		return NULL;
	return xmlNewTextChild(parent, parent->ns, BAD_CAST name,
	    BAD_CAST value);
}

/* A random (version 4) UUID for a fault's detail and the log. */
static void
make_uuid(char out[AGENCY_UUID_LEN + 1])
{
	unsigned char	u[16];

	if (RAND_bytes(u, sizeof(u)) != 1)
		memset(u, 0, sizeof(u));
	u[6] = (u[6] & 0x0f) | 0x40;
	u[8] = (u[8] & 0x3f) | 0x80;
	(void)snprintf(out, AGENCY_UUID_LEN + 1,
	    "%02x%02x%02x%02x-%02x%02x-%02x%02x-%02x%02x-"
	    "%02x%02x%02x%02x%02x%02x", u[0], u[1], u[2], u[3], u[4], u[5],
	    u[6], u[7], u[8], u[9], u[10], u[11], u[12], u[13], u[14], u[15]);
}

/* Parser messages end in a newline; a faultstring and a log line do not. */
static void
one_line(char *s)
{
	char	*p;
	size_t	 n;

	for (p = s; *p != '\0'; p++)
		if ((unsigned char)*p < 0x20 || *p == 0x7f)
			*p = ' ';
	n = strlen(s);
	while (n > 0 && s[n - 1] == ' ')
		s[--n] = '\0';
}

static const struct agency_soap_op *
find_op(const struct agency *ag, const char *name)
{
	const struct agency_soap_op	*op;

	for (op = ag->ag_mod->am_soap_ops; op->so_name != NULL; op++)
		if (strcmp(op->so_name, name) == 0)
			return op;
	return NULL;
}

int
agency_soap(struct agency *ag, const void *body, size_t len,
    const char *content_type, struct buf **out, int *status)
{
	const struct agency_soap_op	*op;
	struct soap_msg			*msg = NULL;
	struct xr_err			 err;
	struct xrid			 provider;
	xmlDoc				*doc = NULL;
	xmlNode				*wrapper;
	const char			*prefix = XR_PREFIX_CLIENT, *ns;
	char				 uuid[AGENCY_UUID_LEN + 1];
	char				 code[160], sid[XRID_STR_MAX];
	char				 cid[XRID_STR_MAX];
	int				 r;

	*out = NULL;
	*status = 500;
	memset(&err, 0, sizeof(err));
	if (soap_parse(body, len, content_type, ag->ag_max_body, SOAP_REQUEST,
	    &msg, &err) == -1)
		goto fault;
	if (xrid_format(soap_msg_service(msg), 0, sid, sizeof(sid)) == -1)
		(void)strlcpy(sid, "?", sizeof(sid));
	if (xrid_format(soap_msg_client(msg), 0, cid, sizeof(cid)) == -1)
		(void)strlcpy(cid, "?", sizeof(cid));
	if (ag->ag_has_subsystem &&
	    (xrid_service_provider(soap_msg_service(msg), &provider) == -1 ||
	    !xrid_equal(&provider, &ag->ag_subsystem))) {
		xr_err_set(&err, AGENCY_E_UNKNOWN_SERVICE, "Service %s is not "
		    "provided by this information system", sid);
		goto fault;
	}
	if ((op = find_op(ag, soap_msg_body_name(msg))) == NULL) {
		xr_err_set(&err, AGENCY_E_UNKNOWN_SERVICE, "Unknown service "
		    "code '%.64s'", soap_msg_body_name(msg));
		goto fault;
	}
	ns = soap_msg_body_ns(msg);
	if (ns == NULL || strcmp(ns, ag->ag_mod->am_ns) != 0) {
		xr_err_set(&err, XR_E_INVALID_BODY, "Body element %s must be "
		    "in namespace %s", op->so_name, ag->ag_mod->am_ns);
		goto fault;
	}
	if (soap_response_new(msg, &doc, &wrapper) == -1) {
		prefix = "Server";
		xr_err_set(&err, XR_E_INTERNAL_ERROR, "Cannot build the "
		    "response");
		goto fault;
	}
	r = op->so_fn(ag, msg, soap_msg_body_element(msg), wrapper, &err);
	if (r == AGENCY_BAD)
		goto fault;
	if (r != AGENCY_OK ||
	    soap_doc_serialize(doc, AGENCY_SOAP_OUT_MAX, out) == -1) {
		prefix = "Server";
		xr_err_set(&err, XR_E_INTERNAL_ERROR, "Internal error");
		goto fault;
	}
	/* Never the payload: it holds personal data. */
	log_info("soap %s from %s id %.64s: ok", sid, cid, soap_msg_id(msg));
	*status = 200;
	xmlFreeDoc(doc);
	soap_msg_free(msg);
	return 0;
 fault:
	xmlFreeDoc(doc);
	one_line(err.xe_msg);
	make_uuid(uuid);
	if (xr_err_faultcode(&err, prefix, code, sizeof(code)) == -1)
		(void)strlcpy(code, "Server.InternalError", sizeof(code));
	log_warnx("soap fault %s: %s (detail %s)", code, err.xe_msg, uuid);
	soap_msg_free(msg);
	if (soap_fault_build(code, err.xe_msg, uuid, out) == -1)
		return -1;
	*status = 500;
	return 0;
}

/*
 * HTTP.
 */

static void
http_soap(struct evhttp_request *req, void *arg)
{
	struct agency	*ag = arg;
	struct buf	*body = NULL, *out = NULL;
	int		 status;

	if (http_req_body(req, ag->ag_max_body, &body) != 0) {
		http_reply(req, 500, "text/plain", "internal error\n", 15);
		return;
	}
	if (agency_soap(ag, buf_data(body), buf_len(body),
	    http_req_header(req, "Content-Type"), &out, &status) == -1)
		http_reply(req, 500, "text/plain", "internal error\n", 15);
	else
		http_reply(req, status, AGENCY_XML_TYPE, buf_data(out),
		    buf_len(out));
	buf_free(body);
	buf_free(out);
}

static void
http_wsdl(struct evhttp_request *req, void *arg)
{
	struct agency	*ag = arg;

	if (ag->ag_wsdl == NULL) {
		http_reply_error_json(req, 404, "not_found",
		    "this agency publishes no WSDL");
		return;
	}
	http_reply(req, 200, AGENCY_XML_TYPE, ag->ag_wsdl, ag->ag_wsdl_len);
}

static void
http_openapi(struct evhttp_request *req, void *arg)
{
	struct agency	*ag = arg;

	if (ag->ag_openapi == NULL) {
		http_reply_error_json(req, 404, "not_found",
		    "this agency publishes no OpenAPI description");
		return;
	}
	http_reply(req, 200, AGENCY_JSON_TYPE, ag->ag_openapi,
	    ag->ag_openapi_len);
}

static void
http_health(struct evhttp_request *req, void *arg)
{
	struct agency	*ag = arg;
	json_t		*j;
	int64_t		 one = 0;
	int		 ok;

	ok = ag->ag_db != NULL &&
	    db_query_int64(ag->ag_db, &one, "SELECT 1", "") == DB_ROW;
	j = json_pack("{s:s, s:s, s:s}", "status", ok ? "ok" : "error",
	    "agency", ag->ag_name, "module", ag->ag_mod->am_name);
	http_reply_json(req, ok ? 200 : 503, j);
	json_decref(j);
}

static void
http_rest(struct evhttp_request *req, void *arg)
{
	struct agency_route	*r = arg;
	const char		*path = http_req_path(req);

	if (path == NULL || strlen(path) < r->ar_skip) {
		http_reply_error_json(req, 404, "not_found", "no such path");
		return;
	}
	r->ar_route->rr_fn(r->ar_agency, req, path + r->ar_skip);
}

int
agency_listen(struct agency *ag, struct event_base *base)
{
	struct http_server_conf		 hc;
	const struct agency_rest_route	*rr;
	struct agency_route		*ar;
	char				 path[256];
	size_t				 n = 0;
	int				 r;

	memset(&hc, 0, sizeof(hc));
	hc.hs_addr = conf_get_str(ag->ag_conf, "http", "address");
	hc.hs_port = (uint16_t)conf_get_int(ag->ag_conf, "http", "port");
	hc.hs_max_header = conf_get_size(ag->ag_conf, "http", "max-header");
	hc.hs_max_body = ag->ag_max_body;
	hc.hs_timeout_ms = (int)conf_get_duration(ag->ag_conf, "http",
	    "timeout") * 1000;
	if ((ag->ag_http = http_server_new(base, &hc)) == NULL)
		return -1;
	if (http_route(ag->ag_http, EVHTTP_REQ_POST, "/", HTTP_ROUTE_EXACT,
	    http_soap, ag) == -1 ||
	    http_route(ag->ag_http, EVHTTP_REQ_POST, "/soap", HTTP_ROUTE_EXACT,
	    http_soap, ag) == -1 ||
	    http_route(ag->ag_http, EVHTTP_REQ_GET | EVHTTP_REQ_HEAD, "/wsdl",
	    HTTP_ROUTE_EXACT, http_wsdl, ag) == -1 ||
	    http_route(ag->ag_http, EVHTTP_REQ_GET | EVHTTP_REQ_HEAD,
	    "/openapi", HTTP_ROUTE_EXACT, http_openapi, ag) == -1 ||
	    http_route(ag->ag_http, EVHTTP_REQ_GET | EVHTTP_REQ_HEAD,
	    "/health", HTTP_ROUTE_EXACT, http_health, ag) == -1)
		goto fail;
	for (rr = ag->ag_mod->am_rest; rr != NULL && rr->rr_path != NULL; rr++)
		n++;
	if (n > 0 && (ag->ag_routes = calloc(n, sizeof(*ar))) == NULL)
		goto fail;
	ag->ag_nroutes = n;
	for (n = 0; n < ag->ag_nroutes; n++) {
		rr = &ag->ag_mod->am_rest[n];
		ar = &ag->ag_routes[n];
		r = snprintf(path, sizeof(path), "/rest%s", rr->rr_path);
		if (r < 0 || (size_t)r >= sizeof(path))
			goto fail;
		ar->ar_agency = ag;
		ar->ar_route = rr;
		ar->ar_skip = (size_t)r;
		if (http_route(ag->ag_http, rr->rr_methods, path, rr->rr_match,
		    http_rest, ar) == -1)
			goto fail;
	}
	log_info("%s (%s) listening on %s port %u", ag->ag_name,
	    ag->ag_mod->am_name, hc.hs_addr, (unsigned int)agency_port(ag));
	return 0;
 fail:
	log_warnx("cannot set up the HTTP routes");
	http_server_free(ag->ag_http);
	ag->ag_http = NULL;
	return -1;
}
