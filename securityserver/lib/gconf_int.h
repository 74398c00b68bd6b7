/*
 * gconf_int.h: the inside of struct gconf, shared by globalconf.c (model),
 * gconf_index.c (checks, indexes, lookups). Not for other modules: they
 * use globalconf.h.
 */
#ifndef HK_GCONF_INT_H
#define HK_GCONF_INT_H

#include <stddef.h>

#include "anchor.h"
#include "globalconf.h"

/* Index entries. */
struct gc_hash_ent {
	unsigned char	 he_hash[GCONF_SHA256_LEN];
	size_t		 he_a;		/* server, CA or TSA */
	size_t		 he_b;		/* CA level */
};

struct gc_name_ent {
	unsigned long	 ne_hash;	/* X509_NAME_hash_ex of the subject */
	size_t		 ne_ca;
	size_t		 ne_level;
};

/* A client key: class, code, subsystem ("" for a member). */
struct gc_client_ent {
	const char	*ce_instance;
	const char	*ce_class;
	const char	*ce_code;
	const char	*ce_sub;
	size_t		 ce_owner;	/* server or group index */
};

struct gconf {
	char			 *g_instance;
	long long		  g_ocsp_fresh;

	struct gconf_source	 *g_sources;
	size_t			  g_nsources;
	struct gconf_ca		 *g_cas;
	size_t			  g_ncas;
	struct gconf_tsa	 *g_tsas;
	size_t			  g_ntsas;
	struct gconf_member_class *g_classes;
	size_t			  g_nclasses;
	struct gconf_member	 *g_members;
	size_t			  g_nmembers;
	struct gconf_server	 *g_servers;
	size_t			  g_nservers;
	struct gconf_group	 *g_groups;
	size_t			  g_ngroups;

	/* private parameters */
	long long		  g_ts_interval;	/* -1: unset */
	int			  g_has_mgmt;
	struct gconf_mgmt	  g_mgmt;
	struct anchor		**g_anchors;
	size_t			  g_nanchors;

	/* indexes, valid while g_finished */
	int			  g_finished;
	const struct gconf_member **g_member_idx;
	const struct gconf_server **g_server_idx;
	const struct gconf_group **g_group_idx;
	struct gc_hash_ent	 *g_auth_idx;
	size_t			  g_nauth_idx;
	struct gc_hash_ent	 *g_cacert_idx;
	size_t			  g_ncacert_idx;
	struct gc_name_ent	 *g_caname_idx;
	size_t			  g_ncaname_idx;
	struct gc_hash_ent	 *g_tsa_idx;
	struct gc_client_ent	 *g_host_idx;
	size_t			  g_nhost_idx;
	struct gc_client_ent	 *g_gm_idx;
	size_t			  g_ngm_idx;
};

/* globalconf.c */
void	gconf_seterr(char *err, size_t errlen, const char *fmt, ...)
	    __attribute__((format(printf, 3, 4)));
const struct gconf_member_class *gconf_find_class(const struct gconf *,
	    const char *code);

/* gconf_index.c */
void	gconf_index_drop(struct gconf *);

#endif /* HK_GCONF_INT_H */
