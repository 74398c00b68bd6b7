/*
 * securityserverd.h: the security server daemon's modules.
 *
 * Shared, reusable pieces (identifiers, SOAP/REST, signatures, OCSP, global
 * configuration, HTTP, SQLite) live in securityserver/lib/ with their own
 * headers; this header holds the daemon's own modules, grouped by file.
 */
#ifndef HK_SECURITYSERVERD_H
#define HK_SECURITYSERVERD_H

#include <stddef.h>

#include "xrid.h"

struct db;

/* acl.c */
int	acl_path_normalize(const char *in, char *out, size_t outlen);
int	acl_path_match(const char *glob, const char *path);
int	acl_method_match(const char *rule, const char *method);

/* serverconf.c */
enum sc_status { SC_REGISTERED = 1, SC_DISABLED };
enum sc_is_auth { SC_NOSSL = 0, SC_SSLNOAUTH, SC_SSLAUTH };

struct sc_client {
	struct xrid	 c_id;
	enum sc_status	 c_status;
	enum sc_is_auth	 c_is_auth;
	int		 c_body_logging;
};

struct sc_service {
	struct xrid	 s_id;		/* SERVICE, with version if any */
	int		 s_rest;
	char		*s_url;		/* the provider IS endpoint */
	int		 s_timeout;	/* seconds */
	int		 s_disabled;
	char		*s_disabled_notice;
	char		*s_description;	/* WSDL / OpenAPI file or URL */
};

/* Is client in global group (a GLOBALGROUP id)? Answered by global conf. */
typedef int (*sc_group_fn)(void *arg, const struct xrid *group,
	    const struct xrid *client);

struct serverconf;
int	serverconf_open(const char *path, int readonly, struct db **out);
/* A snapshot; every pointer it returns lives as long as the snapshot. */
int	serverconf_load(struct db *, struct serverconf **out);
void	serverconf_free(struct serverconf *);
size_t	serverconf_nclients(const struct serverconf *);
const struct sc_client *serverconf_client_at(const struct serverconf *,
	    size_t);
const struct sc_client *serverconf_client(const struct serverconf *,
	    const struct xrid *);
size_t	serverconf_nservices(const struct serverconf *);
const struct sc_service *serverconf_service_at(const struct serverconf *,
	    size_t);
const struct sc_service *serverconf_service(const struct serverconf *,
	    const struct xrid *service);
/*
 * 1 if client may call service; for REST, method and path (raw request
 * path, normalised here) are checked against each right's method and
 * glob; for SOAP pass NULL for both.
 */
int	serverconf_allowed(const struct serverconf *, const struct xrid *client,
	    const struct xrid *service, const char *method, const char *path,
	    sc_group_fn in_global_group, void *arg);
int	serverconf_audit(struct db *, const char *actor, const char *action,
	    const char *detail);
int	serverconf_client_add(struct db *, const struct xrid *client,
	    const char *is_auth);
int	serverconf_service_add(struct db *, const struct xrid *service,
	    int rest, const char *url, int timeout, const char *description);
int	serverconf_service_enable(struct db *, const struct xrid *service,
	    int enable, const char *notice);
int	serverconf_right_grant(struct db *, const struct xrid *service,
	    const struct xrid *subject, const char *method, const char *path);
int	serverconf_right_revoke(struct db *, const struct xrid *service,
	    const struct xrid *subject, const char *method, const char *path);

#endif /* HK_SECURITYSERVERD_H */
