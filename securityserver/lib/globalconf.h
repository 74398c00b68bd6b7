/*
 * globalconf.h: X-Road global configuration, shared and private
 * parameters (NOTES.md 4.8; schemas/globalconf/).
 *
 * One struct gconf holds the parameters of one instance. The central
 * server builds it with the gconf_add_* / gconf_set_* calls and writes
 * version-3 XML; a security server parses (and schema-validates) the XML
 * into the same model and asks it questions. Lookups are O(log n) on
 * sorted indexes built by gconf_finish (gconf_parse calls it); any change
 * after that drops the indexes until the next gconf_finish.
 *
 * Ownership: every string and DER buffer passed in is copied. Every
 * pointer returned (records, strings, X509 objects) is owned by the
 * gconf and stays valid until gconf_free, or until the next change for
 * records reached through arrays. A finished gconf is read-only, so
 * several threads may query it at once.
 *
 * Identifiers use struct xrid (xrid.h). A lookup of a client uses
 * instance, member_class, member_code and, for XRID_SUBSYSTEM only,
 * subsystem_code.
 */
#ifndef HK_GLOBALCONF_H
#define HK_GLOBALCONF_H

#include <stddef.h>
#include <time.h>

#include <openssl/x509.h>

#include "anchor.h"
#include "xrid.h"

/* The version this module writes; gconf_parse reads 3 to 6. */
#define GCONF_VERSION		3
#define GCONF_VERSION_MIN	3
#define GCONF_VERSION_MAX	6

#define GCONF_NS		"http://x-road.eu/xsd/xroad.xsd"
#define GCONF_AUTH_HASH_LEN	32	/* SHA-256, globalconf v3+ */
#define GCONF_SHA256_LEN	32

/* Bounds on a parsed configuration (each list). */
#define GCONF_MAX_ITEMS		1000000

/* Record types (read-only for callers). */
struct gconf_ocsp {
	char		*go_url;
	unsigned char	*go_cert;	/* responder cert DER, or NULL */
	size_t		 go_certlen;
	X509		*go_x509;	/* parsed go_cert, or NULL */
};

/* One CA certificate of an approved CA: the top CA or an intermediate. */
struct gconf_cainfo {
	unsigned char		*gi_cert;	/* DER */
	size_t			 gi_certlen;
	X509			*gi_x509;
	struct gconf_ocsp	*gi_ocsp;	/* responders for certs it issued */
	size_t			 gi_nocsp;
};

struct gconf_ca {
	char			*gc_name;
	int			 gc_auth_only;	/* -1 element absent, 0, 1 */
	struct gconf_cainfo	 gc_top;
	struct gconf_cainfo	*gc_inter;
	size_t			 gc_ninter;
	char			*gc_profile;	/* certificateProfileInfo */
	char			*gc_acme_url;	/* acmeServer, or NULL */
	char			*gc_acme_ip;	/* NULL if none */
};

struct gconf_tsa {
	char		*gt_name;
	char		*gt_url;
	unsigned char	*gt_cert;
	size_t		 gt_certlen;
	X509		*gt_x509;
};

struct gconf_member {
	char		 *gm_class;
	char		 *gm_code;
	char		 *gm_name;
	char		**gm_subsystems;
	size_t		  gm_nsubsystems;
};

/* A client of a security server: a member, or one of its subsystems. */
struct gconf_clientref {
	char	*cr_class;
	char	*cr_code;
	char	*cr_subsystem;		/* NULL for a member */
};

struct gconf_server {
	char			*gv_owner_class;
	char			*gv_owner_code;
	char			*gv_code;
	char			*gv_address;	/* NULL if none */
	unsigned char		(*gv_auth_hashes)[GCONF_AUTH_HASH_LEN];
	size_t			 gv_nauth;
	struct gconf_clientref	*gv_clients;
	size_t			 gv_nclients;
};

struct gconf_gmember {
	char	*gg_instance;
	char	*gg_class;
	char	*gg_code;
	char	*gg_subsystem;		/* NULL for a member */
};

struct gconf_group {
	char			*gr_code;
	char			*gr_description;
	struct gconf_gmember	*gr_members;
	size_t			 gr_nmembers;
};

struct gconf_member_class {
	char	*mc_code;
	char	*mc_description;
};

struct gconf_source {
	char		 *gs_address;
	unsigned char	**gs_int_certs;		/* internalVerificationCert */
	size_t		 *gs_int_lens;
	size_t		  gs_nint;
	unsigned char	**gs_ext_certs;		/* externalVerificationCert */
	size_t		 *gs_ext_lens;
	size_t		  gs_next;
};

struct gconf_mgmt {
	char		*mg_reg_address;	/* authCertRegServiceAddress */
	unsigned char	*mg_reg_cert;		/* DER, or NULL */
	size_t		 mg_reg_certlen;
	struct gconf_gmember mg_provider;	/* managementRequestServiceProviderId */
};

struct gconf;

/* Building (central server side). All return 0 / -1 unless noted. */
struct gconf	*gconf_new(const char *instance);
void		 gconf_free(struct gconf *);

int	gconf_add_source(struct gconf *, const char *address);	/* index */
int	gconf_source_add_cert(struct gconf *, size_t src, int external,
	    const unsigned char *der, size_t len);

/* Approved CA with its top CA cert; returns its index or -1. */
int	gconf_add_ca(struct gconf *, const char *name,
	    const unsigned char *top_der, size_t top_len, const char *profile);
/* auth_only: -1 leaves the element out, 0 / 1 writes false / true. */
int	gconf_ca_set_auth_only(struct gconf *, size_t ca, int auth_only);
int	gconf_ca_set_acme(struct gconf *, size_t ca, const char *url,
	    const char *ip);
/* Returns the level of the new intermediate (1, 2, ...); 0 is the top. */
int	gconf_ca_add_intermediate(struct gconf *, size_t ca,
	    const unsigned char *der, size_t len);
/* OCSP responder at a level (0 = top CA); der may be NULL. */
int	gconf_ca_add_ocsp(struct gconf *, size_t ca, size_t level,
	    const char *url, const unsigned char *der, size_t len);

int	gconf_add_tsa(struct gconf *, const char *name, const char *url,
	    const unsigned char *der, size_t len);

int	gconf_add_member_class(struct gconf *, const char *code,
	    const char *description);
/*
 * Returns the member's index or -1. Its class must be known by
 * gconf_finish (gconf_add_member_class).
 */
int	gconf_add_member(struct gconf *, const char *member_class,
	    const char *member_code, const char *name);
int	gconf_member_add_subsystem(struct gconf *, size_t member,
	    const char *subsystem_code);
/* The same, finding the member by class and code (linear search). */
int	gconf_add_subsystem(struct gconf *, const char *member_class,
	    const char *member_code, const char *subsystem_code);

/* Returns the server's index or -1; address may be NULL. */
int	gconf_add_server(struct gconf *, const char *owner_class,
	    const char *owner_code, const char *server_code,
	    const char *address);
/* Registers an auth cert by its DER (hashed with SHA-256) or its hash. */
int	gconf_server_add_auth_cert(struct gconf *, size_t srv,
	    const unsigned char *der, size_t len);
int	gconf_server_add_auth_hash(struct gconf *, size_t srv,
	    const unsigned char hash[GCONF_AUTH_HASH_LEN]);
/* client: XRID_MEMBER or XRID_SUBSYSTEM of this instance. */
int	gconf_server_add_client(struct gconf *, size_t srv,
	    const struct xrid *client);

/* Returns the group's index or -1. */
int	gconf_add_group(struct gconf *, const char *code,
	    const char *description);
/* member: XRID_MEMBER or XRID_SUBSYSTEM, any instance. */
int	gconf_group_add_member(struct gconf *, size_t grp,
	    const struct xrid *member);

int	gconf_set_ocsp_freshness(struct gconf *, long long seconds);

/* Private parameters; all three must be set before writing them. */
int	gconf_set_ts_interval(struct gconf *, long long seconds);
/* reg_cert may be NULL; provider: XRID_MEMBER or XRID_SUBSYSTEM. */
int	gconf_set_management(struct gconf *, const char *reg_address,
	    const unsigned char *reg_cert, size_t reg_certlen,
	    const struct xrid *provider);
/* A federated instance's anchor (copied). */
int	gconf_add_anchor(struct gconf *, const struct anchor *);

/*
 * Check references (owners, clients, classes exist; no duplicates),
 * parse the certificates and build the lookup indexes. The writers and
 * gconf_parse call it. Returns 0, or -1 with a message in err.
 */
int	gconf_finish(struct gconf *, char *err, size_t errlen);

/*
 * Write shared-params.xml / private-params.xml (version GCONF_VERSION).
 * *out (NUL-terminated) is freed by the caller with free(3).
 */
int	gconf_write_shared(struct gconf *, unsigned char **out, size_t *len,
	    char *err, size_t errlen);
int	gconf_write_private(struct gconf *, unsigned char **out, size_t *len,
	    char *err, size_t errlen);

/*
 * Parse shared parameters and, if priv is not NULL, private parameters
 * of the given version (0: GCONF_VERSION), each validated against
 * schema_dir/globalconf/vN/... first. Elements newer versions add and this
 * model does not hold are skipped. On success *out is a finished gconf
 * (caller frees). Returns 0, or -1 with a message in err.
 */
int	gconf_parse(struct gconf **out, int version,
	    const void *shared, size_t sharedlen,
	    const void *priv, size_t privlen,
	    const char *schema_dir, char *err, size_t errlen);

/* Whole-model read access. */
const char	*gconf_instance(const struct gconf *);
long long	 gconf_ocsp_freshness(const struct gconf *);
/* -1 when no private parameters were loaded or set. */
long long	 gconf_ts_interval(const struct gconf *);
/* NULL when no private parameters were loaded or set. */
const struct gconf_mgmt *gconf_management(const struct gconf *);
const struct gconf_member_class *gconf_member_classes(const struct gconf *,
		    size_t *n);
const struct gconf_source *gconf_sources(const struct gconf *, size_t *n);
const struct gconf_ca	*gconf_cas(const struct gconf *, size_t *n);
const struct gconf_tsa	*gconf_tsas(const struct gconf *, size_t *n);
const struct gconf_member *gconf_members(const struct gconf *, size_t *n);
const struct gconf_server *gconf_servers(const struct gconf *, size_t *n);
const struct gconf_group *gconf_groups(const struct gconf *, size_t *n);
size_t		 gconf_nanchors(const struct gconf *);
const struct anchor *gconf_anchor(const struct gconf *, size_t i);

/* Lookups; a gconf that is not finished answers "not found". */

/* The member record of class/code, or NULL. */
const struct gconf_member *gconf_member(const struct gconf *,
		    const char *member_class, const char *member_code);
/* 1 if client (member or subsystem) is registered in this instance. */
int		 gconf_has_client(const struct gconf *,
		    const struct xrid *client);
/*
 * The security servers that host client: up to max of them are stored in
 * out; returns how many host it in total.
 */
size_t		 gconf_client_servers(const struct gconf *,
		    const struct xrid *client, const struct gconf_server **out,
		    size_t max);
/* 1 if srv has client registered. */
int		 gconf_server_has_client(const struct gconf *,
		    const struct gconf_server *srv, const struct xrid *client);
/* The server with this identifier (XRID_SERVER), or NULL. */
const struct gconf_server *gconf_server_by_id(const struct gconf *,
		    const struct xrid *server);
/* The server that registered this auth cert (by hash or cert), or NULL. */
const struct gconf_server *gconf_server_by_auth_hash(const struct gconf *,
		    const unsigned char hash[GCONF_AUTH_HASH_LEN]);
const struct gconf_server *gconf_server_by_auth_cert(const struct gconf *,
		    X509 *cert);
/*
 * The approved CA one of whose certificates (top or intermediate) is
 * exactly cert, or NULL; *level (if not NULL) gets that certificate's
 * record with its OCSP responders.
 */
const struct gconf_ca *gconf_ca_by_cert(const struct gconf *, X509 *cert,
		    const struct gconf_cainfo **level);
/*
 * The approved CA certificate that issued cert (name match and a valid
 * signature, X509_check_issued), or NULL; *level as above.
 */
const struct gconf_ca *gconf_ca_find_issuer(const struct gconf *,
		    X509 *cert, const struct gconf_cainfo **level);
/* The approved TSA whose certificate is exactly cert, or NULL. */
const struct gconf_tsa *gconf_tsa_by_cert(const struct gconf *, X509 *cert);
/* The global group with this code, or NULL. */
const struct gconf_group *gconf_group(const struct gconf *,
		    const char *group_code);
/* 1 if client (exactly this member or subsystem) is in group_code. */
int		 gconf_group_has_member(const struct gconf *,
		    const char *group_code, const struct xrid *client);

#endif /* HK_GLOBALCONF_H */
