/*
 * central.h: the central server (centralserver): the member registry of
 * one X-Road instance and the signed global configuration made from it
 * (NOTES.md 4.8, 7.3).
 *
 *	registry.c	the registry: an SQLite database of member classes,
 *			members, subsystems, security servers, approved CAs
 *			and TSAs, global groups and settings; every change
 *			is one transaction with its audit record
 *	publish.c	the model built from the registry, shared and
 *			private parameters (version 3), the signed directory,
 *			the anchor, and the HTTP handlers that serve them
 *	central_conf.c	the option table of centralserver.ini
 *	centralserver.c	main, the command line and the daemon loop
 *
 * Identifiers on the command line and in this API are X-Road slash forms
 * (xrid.h): clients INSTANCE/CLASS/CODE[/SUBSYSTEM], servers
 * INSTANCE/CLASS/CODE/SERVERCODE.
 */
#ifndef HK_CENTRAL_H
#define HK_CENTRAL_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <time.h>

#include "conf.h"
#include "xrid.h"

struct db;
struct gconf;
struct http_server;
struct signer;

/* central_conf.c */
extern const struct conf_option central_options[];

/* The registry database inside state-dir. */
#define CENTRAL_REGISTRY_FILE	"registry.db"
/* Key id of the configuration signing key in the signer. */
#define CENTRAL_SIGN_KEY_ID	"confsign"
/* Group every security server owner is put in (UG-CS 7.4); reserved. */
#define CENTRAL_OWNERS_GROUP	"security-server-owners"
#define CENTRAL_OWNERS_GROUP_DESC "Security server owners"
/* Default certificate profile of an approved CA (X-Road's EJBCA one). */
#define CENTRAL_DEFAULT_PROFILE	\
	"ee.ria.xroad.common.certificateprofile.impl.EjbcaCertificateProfileInfoProvider"
/* Longest description, name, URL or address accepted (bytes). */
#define CENTRAL_TEXT_MAX	1024

/* Settings that the registry may override ("set NAME N"). */
#define CENTRAL_SET_OCSP_FRESHNESS	"ocsp-freshness"
#define CENTRAL_SET_TS_INTERVAL		"timestamping-interval"

/* registry.c */

/*
 * Every function with (err, errlen) writes a one-line reason there on
 * failure (err may be NULL). Every change runs in one transaction
 * together with its audit record (actor, action, detail); a failure rolls
 * all of it back.
 */

/*
 * Open the registry of instance at path. create: 1 makes a new one
 * (refused if the file already holds a registry), 0 opens an existing
 * registry (refused if there is none: "run init"). A registry made for
 * another instance is refused. ":memory:" is allowed with create = 1.
 * On success *out (caller closes with db_close) and 0.
 */
int	registry_open(const char *path, const char *instance, int create,
	    struct db **out, char *err, size_t errlen);

/* Append an audit record (inside the caller's transaction). */
int	registry_audit(struct db *, const char *actor, const char *action,
	    const char *detail);

int	registry_class_add(struct db *, const char *actor, const char *code,
	    const char *description, char *err, size_t errlen);
int	registry_member_add(struct db *, const char *actor,
	    const char *member_class, const char *member_code,
	    const char *name, char *err, size_t errlen);
int	registry_subsystem_add(struct db *, const char *actor,
	    const char *member_class, const char *member_code,
	    const char *subsystem, char *err, size_t errlen);
/*
 * A security server of owner class/code, with its address (host or
 * host:port, may be NULL) and its authentication certificate (DER, may be
 * NULL / 0).
 */
int	registry_server_add(struct db *, const char *actor,
	    const char *owner_class, const char *owner_code,
	    const char *server_code, const char *address,
	    const unsigned char *auth_der, size_t auth_len,
	    char *err, size_t errlen);
/* Add or remove a registered client (member or subsystem) of a server. */
int	registry_server_client(struct db *, const char *actor, int add,
	    const struct xrid *server, const struct xrid *client,
	    char *err, size_t errlen);

/* One certificate of an approved CA: level 0 is the top CA. */
struct registry_ocsp {
	const char		*ro_url;
	const unsigned char	*ro_der;	/* responder cert, or NULL */
	size_t			 ro_len;
};
struct registry_ca_level {
	const unsigned char		*rl_der;
	size_t				 rl_len;
	const struct registry_ocsp	*rl_ocsp;
	size_t				 rl_nocsp;
};
/*
 * An approved CA named name: levels[0] the top CA, then intermediates,
 * each issued by the one before; profile NULL means
 * CENTRAL_DEFAULT_PROFILE.
 */
int	registry_ca_add(struct db *, const char *actor, const char *name,
	    const struct registry_ca_level *levels, size_t nlevels,
	    const char *profile, int auth_only, char *err, size_t errlen);
int	registry_tsa_add(struct db *, const char *actor, const char *name,
	    const char *url, const unsigned char *der, size_t len,
	    char *err, size_t errlen);

int	registry_group_add(struct db *, const char *actor, const char *code,
	    const char *description, char *err, size_t errlen);
/*
 * Add or remove a group member (a member or subsystem; of this instance
 * it must be registered, of another instance it is taken as given).
 */
int	registry_group_member(struct db *, const char *actor, int add,
	    const char *code, const struct xrid *client, char *err,
	    size_t errlen);

/* CENTRAL_SET_* to value (seconds, 1 .. 31 days). */
int	registry_set(struct db *, const char *actor, const char *name,
	    long long value, char *err, size_t errlen);
/*
 * The registry's value of a setting into *value: 1 if set, 0 if not
 * (the configuration file's value applies), -1 on error.
 */
int	registry_get(struct db *, const char *name, long long *value);

/* Print the registry (or, with audit set, the audit trail) to f. */
int	registry_print(struct db *, int audit, FILE *f);

/*
 * Read one PEM (or DER) certificate file into *der (caller frees with
 * free(3)). 0, or -1 with a reason.
 */
int	registry_read_cert(const char *path, unsigned char **der,
	    size_t *len, char *err, size_t errlen);

/* publish.c */

struct central_params {
	const char	*cp_instance;
	const char	*cp_download_url;	/* ".../internalconf" */
	const char	*cp_source_address;	/* host of the public URL */
	const char	*cp_schema_dir;
	long long	 cp_expire_interval;	/* seconds */
	long long	 cp_ocsp_freshness;	/* unless the registry sets it */
	long long	 cp_ts_interval;	/* unless the registry sets it */
	const char	*cp_mgmt_provider;	/* client id, NULL: first member */
	const char	*cp_mgmt_address;
};

/*
 * The model of the registry's current content for p, finished
 * (gconf_finish). Reads in one transaction. NULL with a reason on error.
 * cert_der is the configuration signing certificate (the source's
 * internal verification certificate).
 */
struct gconf	*publish_model(struct db *, const struct central_params *p,
		    const unsigned char *cert_der, size_t cert_len,
		    char *err, size_t errlen);

/*
 * The configuration anchor for p, signed-by certificate from the signer's
 * CENTRAL_SIGN_KEY_ID, generatedAt now. *out (freed with free(3)).
 */
int	publish_anchor(const struct central_params *, struct signer *,
	    time_t now, unsigned char **out, size_t *len, char *err,
	    size_t errlen);

/*
 * A publisher holds the current signed directory and the files every
 * unexpired directory lists. The params strings and the signer are
 * borrowed and must outlive it.
 */
struct publisher;

struct publisher *publisher_new(const struct central_params *,
		    struct signer *);
void		 publisher_free(struct publisher *);

/*
 * Generate a new directory at now: the model from the registry, shared
 * and private parameters (checked against the schemas before they are
 * published; a file whose bytes did not change keeps its location), the
 * directory signed with expiry now + expire interval. On failure the
 * previous directory stays in place. 0 or -1 with a reason (also kept for
 * publisher_last_error).
 */
int		 publisher_generate(struct publisher *, struct db *,
		    const struct timespec *now, char *err, size_t errlen);

/*
 * The current directory if it has not expired at now: borrowed pointers,
 * valid until the next publisher_generate. Returns 0, or -1 if there is
 * none.
 */
int		 publisher_directory(const struct publisher *, time_t now,
		    const unsigned char **body, size_t *len,
		    const char **content_type, time_t *expire);
/*
 * A file listed by an unexpired directory (the current one or an older
 * one), by its Content-location. Borrowed as above. 0 or -1.
 */
int		 publisher_file(const struct publisher *, const char *location,
		    time_t now, const unsigned char **data, size_t *len);
/* Successful generations so far; the last error ("" if none). */
unsigned long	 publisher_generation(const struct publisher *);
const char	*publisher_last_error(const struct publisher *);
time_t		 publisher_generated_at(const struct publisher *);

/*
 * Serve on srv: GET /internalconf?version=3 (other versions 404), GET of
 * the listed files, GET /health. The publisher must outlive srv.
 */
int		 publisher_routes(struct publisher *, struct http_server *srv);

#endif /* HK_CENTRAL_H */
