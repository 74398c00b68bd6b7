/*
 * globalconf.c: the global configuration model: building, checking,
 * indexing and lookups. XML reading and writing are in gconf_xml.c.
 */
#include "config.h"

#include <ctype.h>
#include <limits.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/evp.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include "anchor.h"
#include "compat.h"
#include "globalconf.h"
#include "xrid.h"

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

static void
gc_err(char *err, size_t errlen, const char *fmt, ...)
{
	va_list ap;

	if (err == NULL || errlen == 0)
		return;
	va_start(ap, fmt);
	(void)vsnprintf(err, errlen, fmt, ap);
	va_end(ap);
}

/*
 * Make room for element n of an array whose capacity is implied by its
 * length: 4, then doubling at each power of two.
 */
static int
gc_grow(void *arrp, size_t n, size_t size)
{
	void	**arr = arrp, *p;
	size_t	  cap;

	if (n >= GCONF_MAX_ITEMS)
		return -1;
	if (n != 0 && (n < 4 || (n & (n - 1)) != 0))
		return 0;
	cap = n == 0 ? 4 : n * 2;
	if ((p = reallocarray(*arr, cap, size)) == NULL)
		return -1;
	*arr = p;
	return 0;
}

/* Identifier parts: non-empty, bounded, no control characters. */
static int
gc_valid_code(const char *s)
{
	size_t n;

	if (s == NULL || *s == '\0')
		return 0;
	for (n = 0; s[n] != '\0'; n++)
		if (iscntrl((unsigned char)s[n]) || n >= XRID_PART_MAX)
			return 0;
	return 1;
}

/* Free text: no control characters but tab, CR and LF. */
static int
gc_valid_text(const char *s)
{
	if (s == NULL)
		return 0;
	for (; *s != '\0'; s++)
		if (iscntrl((unsigned char)*s) && *s != '\t' && *s != '\n' &&
		    *s != '\r')
			return 0;
	return 1;
}

static int
gc_dupmem(unsigned char **dst, size_t *dstlen, const unsigned char *src,
    size_t len)
{
	if (src == NULL || len == 0)
		return -1;
	if ((*dst = malloc(len)) == NULL)
		return -1;
	memcpy(*dst, src, len);
	*dstlen = len;
	return 0;
}

static void
gc_unfinish(struct gconf *g)
{
	free(g->g_member_idx);
	free(g->g_server_idx);
	free(g->g_group_idx);
	free(g->g_auth_idx);
	free(g->g_cacert_idx);
	free(g->g_caname_idx);
	free(g->g_tsa_idx);
	free(g->g_host_idx);
	free(g->g_gm_idx);
	g->g_member_idx = NULL;
	g->g_server_idx = NULL;
	g->g_group_idx = NULL;
	g->g_auth_idx = NULL;
	g->g_cacert_idx = NULL;
	g->g_caname_idx = NULL;
	g->g_tsa_idx = NULL;
	g->g_host_idx = NULL;
	g->g_gm_idx = NULL;
	g->g_nauth_idx = g->g_ncacert_idx = g->g_ncaname_idx = 0;
	g->g_nhost_idx = g->g_ngm_idx = 0;
	g->g_finished = 0;
}

struct gconf *
gconf_new(const char *instance)
{
	struct gconf *g;

	if (!gc_valid_code(instance))
		return NULL;
	if ((g = calloc(1, sizeof(*g))) == NULL)
		return NULL;
	if ((g->g_instance = strdup(instance)) == NULL) {
		free(g);
		return NULL;
	}
	g->g_ocsp_fresh = 3600;
	g->g_ts_interval = -1;
	return g;
}

static void
gc_free_cainfo(struct gconf_cainfo *ci)
{
	size_t i;

	free(ci->gi_cert);
	X509_free(ci->gi_x509);
	for (i = 0; i < ci->gi_nocsp; i++) {
		free(ci->gi_ocsp[i].go_url);
		free(ci->gi_ocsp[i].go_cert);
		X509_free(ci->gi_ocsp[i].go_x509);
	}
	free(ci->gi_ocsp);
}

static void
gc_free_gmember(struct gconf_gmember *m)
{
	free(m->gg_instance);
	free(m->gg_class);
	free(m->gg_code);
	free(m->gg_subsystem);
}

void
gconf_free(struct gconf *g)
{
	size_t i, j;

	if (g == NULL)
		return;
	gc_unfinish(g);
	for (i = 0; i < g->g_nsources; i++) {
		struct gconf_source *s = &g->g_sources[i];

		for (j = 0; j < s->gs_nint; j++)
			free(s->gs_int_certs[j]);
		for (j = 0; j < s->gs_next; j++)
			free(s->gs_ext_certs[j]);
		free(s->gs_int_certs);
		free(s->gs_int_lens);
		free(s->gs_ext_certs);
		free(s->gs_ext_lens);
		free(s->gs_address);
	}
	free(g->g_sources);
	for (i = 0; i < g->g_ncas; i++) {
		struct gconf_ca *ca = &g->g_cas[i];

		free(ca->gc_name);
		free(ca->gc_profile);
		free(ca->gc_acme_url);
		free(ca->gc_acme_ip);
		gc_free_cainfo(&ca->gc_top);
		for (j = 0; j < ca->gc_ninter; j++)
			gc_free_cainfo(&ca->gc_inter[j]);
		free(ca->gc_inter);
	}
	free(g->g_cas);
	for (i = 0; i < g->g_ntsas; i++) {
		free(g->g_tsas[i].gt_name);
		free(g->g_tsas[i].gt_url);
		free(g->g_tsas[i].gt_cert);
		X509_free(g->g_tsas[i].gt_x509);
	}
	free(g->g_tsas);
	for (i = 0; i < g->g_nclasses; i++) {
		free(g->g_classes[i].mc_code);
		free(g->g_classes[i].mc_description);
	}
	free(g->g_classes);
	for (i = 0; i < g->g_nmembers; i++) {
		struct gconf_member *m = &g->g_members[i];

		free(m->gm_class);
		free(m->gm_code);
		free(m->gm_name);
		for (j = 0; j < m->gm_nsubsystems; j++)
			free(m->gm_subsystems[j]);
		free(m->gm_subsystems);
	}
	free(g->g_members);
	for (i = 0; i < g->g_nservers; i++) {
		struct gconf_server *v = &g->g_servers[i];

		free(v->gv_owner_class);
		free(v->gv_owner_code);
		free(v->gv_code);
		free(v->gv_address);
		free(v->gv_auth_hashes);
		for (j = 0; j < v->gv_nclients; j++) {
			free(v->gv_clients[j].cr_class);
			free(v->gv_clients[j].cr_code);
			free(v->gv_clients[j].cr_subsystem);
		}
		free(v->gv_clients);
	}
	free(g->g_servers);
	for (i = 0; i < g->g_ngroups; i++) {
		struct gconf_group *gr = &g->g_groups[i];

		free(gr->gr_code);
		free(gr->gr_description);
		for (j = 0; j < gr->gr_nmembers; j++)
			gc_free_gmember(&gr->gr_members[j]);
		free(gr->gr_members);
	}
	free(g->g_groups);
	free(g->g_mgmt.mg_reg_address);
	free(g->g_mgmt.mg_reg_cert);
	gc_free_gmember(&g->g_mgmt.mg_provider);
	for (i = 0; i < g->g_nanchors; i++)
		anchor_free(g->g_anchors[i]);
	free(g->g_anchors);
	free(g->g_instance);
	free(g);
}

/* Building. */

int
gconf_add_source(struct gconf *g, const char *address)
{
	struct gconf_source *s;

	if (!gc_valid_text(address) || *address == '\0' ||
	    gc_grow(&g->g_sources, g->g_nsources, sizeof(*s)) != 0)
		return -1;
	s = &g->g_sources[g->g_nsources];
	memset(s, 0, sizeof(*s));
	if ((s->gs_address = strdup(address)) == NULL)
		return -1;
	gc_unfinish(g);
	return (int)g->g_nsources++;
}

int
gconf_source_add_cert(struct gconf *g, size_t src, int external,
    const unsigned char *der, size_t len)
{
	struct gconf_source	*s;
	unsigned char		***certs;
	size_t			**lens, *n;

	if (src >= g->g_nsources)
		return -1;
	s = &g->g_sources[src];
	certs = external ? &s->gs_ext_certs : &s->gs_int_certs;
	lens = external ? &s->gs_ext_lens : &s->gs_int_lens;
	n = external ? &s->gs_next : &s->gs_nint;
	if (gc_grow(certs, *n, sizeof(**certs)) != 0 ||
	    gc_grow(lens, *n, sizeof(**lens)) != 0)
		return -1;
	if (gc_dupmem(&(*certs)[*n], &(*lens)[*n], der, len) != 0)
		return -1;
	(*n)++;
	return 0;
}

int
gconf_add_ca(struct gconf *g, const char *name, const unsigned char *top_der,
    size_t top_len, const char *profile)
{
	struct gconf_ca *ca;

	if (!gc_valid_text(name) || !gc_valid_text(profile) ||
	    top_der == NULL || top_len == 0 ||
	    gc_grow(&g->g_cas, g->g_ncas, sizeof(*ca)) != 0)
		return -1;
	ca = &g->g_cas[g->g_ncas];
	memset(ca, 0, sizeof(*ca));
	ca->gc_auth_only = -1;
	if ((ca->gc_name = strdup(name)) == NULL ||
	    (ca->gc_profile = strdup(profile)) == NULL ||
	    gc_dupmem(&ca->gc_top.gi_cert, &ca->gc_top.gi_certlen, top_der,
	    top_len) != 0) {
		free(ca->gc_name);
		free(ca->gc_profile);
		return -1;
	}
	gc_unfinish(g);
	return (int)g->g_ncas++;
}

int
gconf_ca_set_auth_only(struct gconf *g, size_t ca, int auth_only)
{
	if (ca >= g->g_ncas || auth_only < -1 || auth_only > 1)
		return -1;
	g->g_cas[ca].gc_auth_only = auth_only;
	return 0;
}

int
gconf_ca_set_acme(struct gconf *g, size_t ca, const char *url, const char *ip)
{
	char *u, *i = NULL;

	if (ca >= g->g_ncas || !gc_valid_text(url) ||
	    (ip != NULL && !gc_valid_text(ip)))
		return -1;
	if ((u = strdup(url)) == NULL)
		return -1;
	if (ip != NULL && (i = strdup(ip)) == NULL) {
		free(u);
		return -1;
	}
	free(g->g_cas[ca].gc_acme_url);
	free(g->g_cas[ca].gc_acme_ip);
	g->g_cas[ca].gc_acme_url = u;
	g->g_cas[ca].gc_acme_ip = i;
	return 0;
}

int
gconf_ca_add_intermediate(struct gconf *g, size_t ca,
    const unsigned char *der, size_t len)
{
	struct gconf_ca		*c;
	struct gconf_cainfo	*ci;

	if (ca >= g->g_ncas)
		return -1;
	c = &g->g_cas[ca];
	if (gc_grow(&c->gc_inter, c->gc_ninter, sizeof(*ci)) != 0)
		return -1;
	ci = &c->gc_inter[c->gc_ninter];
	memset(ci, 0, sizeof(*ci));
	if (gc_dupmem(&ci->gi_cert, &ci->gi_certlen, der, len) != 0)
		return -1;
	gc_unfinish(g);
	return (int)++c->gc_ninter;
}

int
gconf_ca_add_ocsp(struct gconf *g, size_t ca, size_t level, const char *url,
    const unsigned char *der, size_t len)
{
	struct gconf_cainfo	*ci;
	struct gconf_ocsp	*o;

	if (ca >= g->g_ncas || level > g->g_cas[ca].gc_ninter ||
	    !gc_valid_text(url) || *url == '\0')
		return -1;
	ci = level == 0 ? &g->g_cas[ca].gc_top : &g->g_cas[ca].gc_inter[level - 1];
	if (gc_grow(&ci->gi_ocsp, ci->gi_nocsp, sizeof(*o)) != 0)
		return -1;
	o = &ci->gi_ocsp[ci->gi_nocsp];
	memset(o, 0, sizeof(*o));
	if ((o->go_url = strdup(url)) == NULL)
		return -1;
	if (der != NULL &&
	    gc_dupmem(&o->go_cert, &o->go_certlen, der, len) != 0) {
		free(o->go_url);
		return -1;
	}
	ci->gi_nocsp++;
	gc_unfinish(g);
	return 0;
}

int
gconf_add_tsa(struct gconf *g, const char *name, const char *url,
    const unsigned char *der, size_t len)
{
	struct gconf_tsa *t;

	if (!gc_valid_text(name) || !gc_valid_text(url) ||
	    gc_grow(&g->g_tsas, g->g_ntsas, sizeof(*t)) != 0)
		return -1;
	t = &g->g_tsas[g->g_ntsas];
	memset(t, 0, sizeof(*t));
	if ((t->gt_name = strdup(name)) == NULL ||
	    (t->gt_url = strdup(url)) == NULL ||
	    gc_dupmem(&t->gt_cert, &t->gt_certlen, der, len) != 0) {
		free(t->gt_name);
		free(t->gt_url);
		return -1;
	}
	gc_unfinish(g);
	g->g_ntsas++;
	return 0;
}

static const struct gconf_member_class *
gc_find_class(const struct gconf *g, const char *code)
{
	size_t i;

	for (i = 0; i < g->g_nclasses; i++)
		if (strcmp(g->g_classes[i].mc_code, code) == 0)
			return &g->g_classes[i];
	return NULL;
}

int
gconf_add_member_class(struct gconf *g, const char *code,
    const char *description)
{
	struct gconf_member_class *c;

	if (!gc_valid_code(code) || !gc_valid_text(description) ||
	    gc_find_class(g, code) != NULL ||
	    gc_grow(&g->g_classes, g->g_nclasses, sizeof(*c)) != 0)
		return -1;
	c = &g->g_classes[g->g_nclasses];
	if ((c->mc_code = strdup(code)) == NULL)
		return -1;
	if ((c->mc_description = strdup(description)) == NULL) {
		free(c->mc_code);
		return -1;
	}
	g->g_nclasses++;
	return 0;
}

int
gconf_add_member(struct gconf *g, const char *member_class,
    const char *member_code, const char *name)
{
	struct gconf_member *m;

	if (!gc_valid_code(member_class) || !gc_valid_code(member_code) ||
	    !gc_valid_text(name) ||
	    gc_grow(&g->g_members, g->g_nmembers, sizeof(*m)) != 0)
		return -1;
	m = &g->g_members[g->g_nmembers];
	memset(m, 0, sizeof(*m));
	if ((m->gm_class = strdup(member_class)) == NULL ||
	    (m->gm_code = strdup(member_code)) == NULL ||
	    (m->gm_name = strdup(name)) == NULL) {
		free(m->gm_class);
		free(m->gm_code);
		return -1;
	}
	gc_unfinish(g);
	return (int)g->g_nmembers++;
}

int
gconf_member_add_subsystem(struct gconf *g, size_t member, const char *code)
{
	struct gconf_member	*m;
	size_t			 i;

	if (member >= g->g_nmembers || !gc_valid_code(code))
		return -1;
	m = &g->g_members[member];
	for (i = 0; i < m->gm_nsubsystems; i++)
		if (strcmp(m->gm_subsystems[i], code) == 0)
			return -1;
	if (gc_grow(&m->gm_subsystems, m->gm_nsubsystems,
	    sizeof(*m->gm_subsystems)) != 0)
		return -1;
	if ((m->gm_subsystems[m->gm_nsubsystems] = strdup(code)) == NULL)
		return -1;
	m->gm_nsubsystems++;
	gc_unfinish(g);
	return 0;
}

int
gconf_add_subsystem(struct gconf *g, const char *member_class,
    const char *member_code, const char *code)
{
	size_t i;

	for (i = 0; i < g->g_nmembers; i++)
		if (strcmp(g->g_members[i].gm_class, member_class) == 0 &&
		    strcmp(g->g_members[i].gm_code, member_code) == 0)
			return gconf_member_add_subsystem(g, i, code);
	return -1;
}

int
gconf_add_server(struct gconf *g, const char *owner_class,
    const char *owner_code, const char *server_code, const char *address)
{
	struct gconf_server *v;

	if (!gc_valid_code(owner_class) || !gc_valid_code(owner_code) ||
	    !gc_valid_code(server_code) ||
	    (address != NULL && !gc_valid_text(address)) ||
	    gc_grow(&g->g_servers, g->g_nservers, sizeof(*v)) != 0)
		return -1;
	v = &g->g_servers[g->g_nservers];
	memset(v, 0, sizeof(*v));
	if ((v->gv_owner_class = strdup(owner_class)) == NULL ||
	    (v->gv_owner_code = strdup(owner_code)) == NULL ||
	    (v->gv_code = strdup(server_code)) == NULL ||
	    (address != NULL && (v->gv_address = strdup(address)) == NULL)) {
		free(v->gv_owner_class);
		free(v->gv_owner_code);
		free(v->gv_code);
		return -1;
	}
	gc_unfinish(g);
	return (int)g->g_nservers++;
}

int
gconf_server_add_auth_hash(struct gconf *g, size_t srv,
    const unsigned char hash[GCONF_AUTH_HASH_LEN])
{
	struct gconf_server *v;

	if (srv >= g->g_nservers)
		return -1;
	v = &g->g_servers[srv];
	if (gc_grow(&v->gv_auth_hashes, v->gv_nauth,
	    sizeof(*v->gv_auth_hashes)) != 0)
		return -1;
	memcpy(v->gv_auth_hashes[v->gv_nauth], hash, GCONF_AUTH_HASH_LEN);
	v->gv_nauth++;
	gc_unfinish(g);
	return 0;
}

int
gconf_server_add_auth_cert(struct gconf *g, size_t srv,
    const unsigned char *der, size_t len)
{
	unsigned char	h[GCONF_SHA256_LEN];
	unsigned int	hl = 0;

	if (der == NULL || len == 0 ||
	    EVP_Digest(der, len, h, &hl, EVP_sha256(), NULL) != 1)
		return -1;
	return gconf_server_add_auth_hash(g, srv, h);
}

static int
gc_is_client_id(const struct xrid *c)
{
	if (c->type == XRID_MEMBER)
		return gc_valid_code(c->instance) &&
		    gc_valid_code(c->member_class) &&
		    gc_valid_code(c->member_code);
	if (c->type == XRID_SUBSYSTEM)
		return gc_valid_code(c->instance) &&
		    gc_valid_code(c->member_class) &&
		    gc_valid_code(c->member_code) &&
		    gc_valid_code(c->subsystem_code);
	return 0;
}

int
gconf_server_add_client(struct gconf *g, size_t srv, const struct xrid *c)
{
	struct gconf_server	*v;
	struct gconf_clientref	*r;

	if (srv >= g->g_nservers || !gc_is_client_id(c) ||
	    strcmp(c->instance, g->g_instance) != 0)
		return -1;
	v = &g->g_servers[srv];
	if (gc_grow(&v->gv_clients, v->gv_nclients, sizeof(*r)) != 0)
		return -1;
	r = &v->gv_clients[v->gv_nclients];
	memset(r, 0, sizeof(*r));
	if ((r->cr_class = strdup(c->member_class)) == NULL ||
	    (r->cr_code = strdup(c->member_code)) == NULL ||
	    (c->type == XRID_SUBSYSTEM &&
	    (r->cr_subsystem = strdup(c->subsystem_code)) == NULL)) {
		free(r->cr_class);
		free(r->cr_code);
		return -1;
	}
	v->gv_nclients++;
	gc_unfinish(g);
	return 0;
}

int
gconf_add_group(struct gconf *g, const char *code, const char *description)
{
	struct gconf_group *gr;

	if (!gc_valid_code(code) || !gc_valid_text(description) ||
	    gc_grow(&g->g_groups, g->g_ngroups, sizeof(*gr)) != 0)
		return -1;
	gr = &g->g_groups[g->g_ngroups];
	memset(gr, 0, sizeof(*gr));
	if ((gr->gr_code = strdup(code)) == NULL)
		return -1;
	if ((gr->gr_description = strdup(description)) == NULL) {
		free(gr->gr_code);
		return -1;
	}
	gc_unfinish(g);
	return (int)g->g_ngroups++;
}

static int
gc_set_gmember(struct gconf_gmember *m, const struct xrid *c)
{
	memset(m, 0, sizeof(*m));
	if ((m->gg_instance = strdup(c->instance)) == NULL ||
	    (m->gg_class = strdup(c->member_class)) == NULL ||
	    (m->gg_code = strdup(c->member_code)) == NULL ||
	    (c->type == XRID_SUBSYSTEM &&
	    (m->gg_subsystem = strdup(c->subsystem_code)) == NULL)) {
		gc_free_gmember(m);
		memset(m, 0, sizeof(*m));
		return -1;
	}
	return 0;
}

int
gconf_group_add_member(struct gconf *g, size_t grp, const struct xrid *c)
{
	struct gconf_group *gr;

	if (grp >= g->g_ngroups || !gc_is_client_id(c))
		return -1;
	gr = &g->g_groups[grp];
	if (gc_grow(&gr->gr_members, gr->gr_nmembers,
	    sizeof(*gr->gr_members)) != 0)
		return -1;
	if (gc_set_gmember(&gr->gr_members[gr->gr_nmembers], c) != 0)
		return -1;
	gr->gr_nmembers++;
	gc_unfinish(g);
	return 0;
}

int
gconf_set_ocsp_freshness(struct gconf *g, long long seconds)
{
	if (seconds < 0 || seconds > INT32_MAX)
		return -1;
	g->g_ocsp_fresh = seconds;
	return 0;
}

int
gconf_set_ts_interval(struct gconf *g, long long seconds)
{
	if (seconds < 0 || seconds > INT32_MAX)
		return -1;
	g->g_ts_interval = seconds;
	return 0;
}

int
gconf_set_management(struct gconf *g, const char *reg_address,
    const unsigned char *reg_cert, size_t reg_certlen,
    const struct xrid *provider)
{
	struct gconf_mgmt	 m;

	if (!gc_valid_text(reg_address) || !gc_is_client_id(provider))
		return -1;
	memset(&m, 0, sizeof(m));
	if ((m.mg_reg_address = strdup(reg_address)) == NULL)
		return -1;
	if (reg_cert != NULL && gc_dupmem(&m.mg_reg_cert, &m.mg_reg_certlen,
	    reg_cert, reg_certlen) != 0)
		goto fail;
	if (gc_set_gmember(&m.mg_provider, provider) != 0)
		goto fail;
	free(g->g_mgmt.mg_reg_address);
	free(g->g_mgmt.mg_reg_cert);
	gc_free_gmember(&g->g_mgmt.mg_provider);
	g->g_mgmt = m;
	g->g_has_mgmt = 1;
	return 0;
 fail:
	free(m.mg_reg_address);
	free(m.mg_reg_cert);
	return -1;
}

int
gconf_add_anchor(struct gconf *g, const struct anchor *a)
{
	struct anchor *c;

	if (gc_grow(&g->g_anchors, g->g_nanchors, sizeof(*g->g_anchors)) != 0)
		return -1;
	if ((c = anchor_dup(a)) == NULL)
		return -1;
	g->g_anchors[g->g_nanchors++] = c;
	return 0;
}

/* Read access. */

const char *
gconf_instance(const struct gconf *g)
{
	return g->g_instance;
}

long long
gconf_ocsp_freshness(const struct gconf *g)
{
	return g->g_ocsp_fresh;
}

long long
gconf_ts_interval(const struct gconf *g)
{
	return g->g_ts_interval;
}

const struct gconf_mgmt *
gconf_management(const struct gconf *g)
{
	return g->g_has_mgmt ? &g->g_mgmt : NULL;
}

const struct gconf_member_class *
gconf_member_classes(const struct gconf *g, size_t *n)
{
	*n = g->g_nclasses;
	return g->g_classes;
}

const struct gconf_source *
gconf_sources(const struct gconf *g, size_t *n)
{
	*n = g->g_nsources;
	return g->g_sources;
}

const struct gconf_ca *
gconf_cas(const struct gconf *g, size_t *n)
{
	*n = g->g_ncas;
	return g->g_cas;
}

const struct gconf_tsa *
gconf_tsas(const struct gconf *g, size_t *n)
{
	*n = g->g_ntsas;
	return g->g_tsas;
}

const struct gconf_member *
gconf_members(const struct gconf *g, size_t *n)
{
	*n = g->g_nmembers;
	return g->g_members;
}

const struct gconf_server *
gconf_servers(const struct gconf *g, size_t *n)
{
	*n = g->g_nservers;
	return g->g_servers;
}

const struct gconf_group *
gconf_groups(const struct gconf *g, size_t *n)
{
	*n = g->g_ngroups;
	return g->g_groups;
}

size_t
gconf_nanchors(const struct gconf *g)
{
	return g->g_nanchors;
}

const struct anchor *
gconf_anchor(const struct gconf *g, size_t i)
{
	return i < g->g_nanchors ? g->g_anchors[i] : NULL;
}

/* Comparators for the indexes. */

static int
gc_cmp_member(const void *a, const void *b)
{
	const struct gconf_member *x = *(const struct gconf_member *const *)a;
	const struct gconf_member *y = *(const struct gconf_member *const *)b;
	int c;

	if ((c = strcmp(x->gm_class, y->gm_class)) != 0)
		return c;
	return strcmp(x->gm_code, y->gm_code);
}

static int
gc_cmp_server(const void *a, const void *b)
{
	const struct gconf_server *x = *(const struct gconf_server *const *)a;
	const struct gconf_server *y = *(const struct gconf_server *const *)b;
	int c;

	if ((c = strcmp(x->gv_owner_class, y->gv_owner_class)) != 0)
		return c;
	if ((c = strcmp(x->gv_owner_code, y->gv_owner_code)) != 0)
		return c;
	return strcmp(x->gv_code, y->gv_code);
}

static int
gc_cmp_group(const void *a, const void *b)
{
	const struct gconf_group *x = *(const struct gconf_group *const *)a;
	const struct gconf_group *y = *(const struct gconf_group *const *)b;

	return strcmp(x->gr_code, y->gr_code);
}

static int
gc_cmp_hash(const void *a, const void *b)
{
	const struct gc_hash_ent *x = a, *y = b;

	return memcmp(x->he_hash, y->he_hash, GCONF_SHA256_LEN);
}

static int
gc_cmp_name(const void *a, const void *b)
{
	const struct gc_name_ent *x = a, *y = b;

	if (x->ne_hash != y->ne_hash)
		return x->ne_hash < y->ne_hash ? -1 : 1;
	return 0;
}

/* Client keys; ce_owner breaks ties only when sorting. */
static int
gc_cmp_client_key(const struct gc_client_ent *x, const struct gc_client_ent *y)
{
	int c;

	if ((c = strcmp(x->ce_instance, y->ce_instance)) != 0)
		return c;
	if ((c = strcmp(x->ce_class, y->ce_class)) != 0)
		return c;
	if ((c = strcmp(x->ce_code, y->ce_code)) != 0)
		return c;
	return strcmp(x->ce_sub, y->ce_sub);
}

static int
gc_cmp_client_sort(const void *a, const void *b)
{
	const struct gc_client_ent *x = a, *y = b;
	int c;

	if ((c = gc_cmp_client_key(x, y)) != 0)
		return c;
	if (x->ce_owner != y->ce_owner)
		return x->ce_owner < y->ce_owner ? -1 : 1;
	return 0;
}

/* First entry not less than key (key owner ignored), in [0, n]. */
static size_t
gc_client_lower(const struct gc_client_ent *arr, size_t n,
    const struct gc_client_ent *key)
{
	size_t lo = 0, hi = n, mid;

	while (lo < hi) {
		mid = lo + (hi - lo) / 2;
		if (gc_cmp_client_key(&arr[mid], key) < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

static size_t
gc_hash_lower(const struct gc_hash_ent *arr, size_t n,
    const unsigned char *hash)
{
	size_t lo = 0, hi = n, mid;

	while (lo < hi) {
		mid = lo + (hi - lo) / 2;
		if (memcmp(arr[mid].he_hash, hash, GCONF_SHA256_LEN) < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

static int
gc_cert_parse(const unsigned char *der, size_t len, X509 **out)
{
	const unsigned char	*p = der;
	X509			*x;

	if (*out != NULL)
		return 0;
	if (len > LONG_MAX || (x = d2i_X509(NULL, &p, (long)len)) == NULL)
		return -1;
	if (p != der + len) {
		X509_free(x);
		return -1;
	}
	*out = x;
	return 0;
}

static int
gc_sha256(const unsigned char *der, size_t len, unsigned char *out)
{
	unsigned int hl = 0;

	return EVP_Digest(der, len, out, &hl, EVP_sha256(), NULL) == 1 ? 0 : -1;
}

static int
gc_cert_hash_der(X509 *cert, unsigned char *out)
{
	unsigned char	*der = NULL;
	int		 len, rc;

	if ((len = i2d_X509(cert, &der)) <= 0)
		return -1;
	rc = gc_sha256(der, (size_t)len, out);
	OPENSSL_free(der);
	return rc;
}

static const struct gconf_cainfo *
gc_ca_level(const struct gconf_ca *ca, size_t level)
{
	return level == 0 ? &ca->gc_top : &ca->gc_inter[level - 1];
}

static int
gc_index_cas(struct gconf *g, char *err, size_t errlen)
{
	size_t	 i, j, k, n = 0, nlev;

	for (i = 0; i < g->g_ncas; i++)
		n += 1 + g->g_cas[i].gc_ninter;
	if (n > 0) {
		g->g_cacert_idx = calloc(n, sizeof(*g->g_cacert_idx));
		g->g_caname_idx = calloc(n, sizeof(*g->g_caname_idx));
		if (g->g_cacert_idx == NULL || g->g_caname_idx == NULL)
			goto nomem;
	}
	n = 0;
	for (i = 0; i < g->g_ncas; i++) {
		struct gconf_ca *ca = &g->g_cas[i];

		nlev = 1 + ca->gc_ninter;
		for (j = 0; j < nlev; j++) {
			struct gconf_cainfo *ci = j == 0 ? &ca->gc_top :
			    &ca->gc_inter[j - 1];

			if (gc_cert_parse(ci->gi_cert, ci->gi_certlen,
			    &ci->gi_x509) != 0) {
				gc_err(err, errlen, "approved CA \"%s\": bad "
				    "%s certificate", ca->gc_name,
				    j == 0 ? "top CA" : "intermediate CA");
				return -1;
			}
			for (k = 0; k < ci->gi_nocsp; k++) {
				struct gconf_ocsp *o = &ci->gi_ocsp[k];

				if (o->go_cert != NULL && gc_cert_parse(
				    o->go_cert, o->go_certlen,
				    &o->go_x509) != 0) {
					gc_err(err, errlen, "approved CA "
					    "\"%s\": bad OCSP responder "
					    "certificate", ca->gc_name);
					return -1;
				}
			}
			if (gc_sha256(ci->gi_cert, ci->gi_certlen,
			    g->g_cacert_idx[n].he_hash) != 0)
				goto nomem;
			g->g_cacert_idx[n].he_a = i;
			g->g_cacert_idx[n].he_b = j;
			g->g_caname_idx[n].ne_hash = X509_NAME_hash_ex(
			    X509_get_subject_name(ci->gi_x509), NULL, NULL,
			    NULL);
			g->g_caname_idx[n].ne_ca = i;
			g->g_caname_idx[n].ne_level = j;
			n++;
		}
	}
	g->g_ncacert_idx = g->g_ncaname_idx = n;
	if (n > 0) {
		qsort(g->g_cacert_idx, n, sizeof(*g->g_cacert_idx),
		    gc_cmp_hash);
		qsort(g->g_caname_idx, n, sizeof(*g->g_caname_idx),
		    gc_cmp_name);
	}
	return 0;
 nomem:
	gc_err(err, errlen, "out of memory");
	return -1;
}

static int
gc_index_tsas(struct gconf *g, char *err, size_t errlen)
{
	size_t i;

	if (g->g_ntsas == 0)
		return 0;
	if ((g->g_tsa_idx = calloc(g->g_ntsas, sizeof(*g->g_tsa_idx))) ==
	    NULL) {
		gc_err(err, errlen, "out of memory");
		return -1;
	}
	for (i = 0; i < g->g_ntsas; i++) {
		struct gconf_tsa *t = &g->g_tsas[i];

		if (gc_cert_parse(t->gt_cert, t->gt_certlen,
		    &t->gt_x509) != 0) {
			gc_err(err, errlen, "approved TSA \"%s\": bad "
			    "certificate", t->gt_name);
			return -1;
		}
		if (gc_sha256(t->gt_cert, t->gt_certlen,
		    g->g_tsa_idx[i].he_hash) != 0) {
			gc_err(err, errlen, "hash failed");
			return -1;
		}
		g->g_tsa_idx[i].he_a = i;
	}
	qsort(g->g_tsa_idx, g->g_ntsas, sizeof(*g->g_tsa_idx), gc_cmp_hash);
	return 0;
}

static const struct gconf_member *
gc_member_lookup(const struct gconf *g, const char *cls, const char *code)
{
	struct gconf_member		 key;
	const struct gconf_member	*kp = &key, **hit;

	if (g->g_member_idx == NULL)
		return NULL;
	key.gm_class = (char *)cls;
	key.gm_code = (char *)code;
	hit = bsearch(&kp, g->g_member_idx, g->g_nmembers,
	    sizeof(*g->g_member_idx), gc_cmp_member);
	return hit != NULL ? *hit : NULL;
}

static int
gc_member_has_sub(const struct gconf_member *m, const char *sub)
{
	size_t i;

	for (i = 0; i < m->gm_nsubsystems; i++)
		if (strcmp(m->gm_subsystems[i], sub) == 0)
			return 1;
	return 0;
}

static int
gc_index_members(struct gconf *g, char *err, size_t errlen)
{
	size_t i;

	for (i = 0; i < g->g_nmembers; i++)
		if (gc_find_class(g, g->g_members[i].gm_class) == NULL) {
			gc_err(err, errlen, "member %s/%s: unknown member "
			    "class", g->g_members[i].gm_class,
			    g->g_members[i].gm_code);
			return -1;
		}
	if (g->g_nmembers == 0)
		return 0;
	g->g_member_idx = calloc(g->g_nmembers, sizeof(*g->g_member_idx));
	if (g->g_member_idx == NULL) {
		gc_err(err, errlen, "out of memory");
		return -1;
	}
	for (i = 0; i < g->g_nmembers; i++)
		g->g_member_idx[i] = &g->g_members[i];
	qsort(g->g_member_idx, g->g_nmembers, sizeof(*g->g_member_idx),
	    gc_cmp_member);
	for (i = 1; i < g->g_nmembers; i++)
		if (gc_cmp_member(&g->g_member_idx[i - 1],
		    &g->g_member_idx[i]) == 0) {
			gc_err(err, errlen, "member %s/%s listed twice",
			    g->g_member_idx[i]->gm_class,
			    g->g_member_idx[i]->gm_code);
			return -1;
		}
	return 0;
}

static int
gc_index_servers(struct gconf *g, char *err, size_t errlen)
{
	size_t	 i, j, nauth = 0, nhost = 0, a = 0, h = 0;

	if (g->g_nservers == 0)
		return 0;
	for (i = 0; i < g->g_nservers; i++) {
		nauth += g->g_servers[i].gv_nauth;
		nhost += g->g_servers[i].gv_nclients;
	}
	g->g_server_idx = calloc(g->g_nservers, sizeof(*g->g_server_idx));
	if (g->g_server_idx == NULL ||
	    (nauth > 0 && (g->g_auth_idx = calloc(nauth,
	    sizeof(*g->g_auth_idx))) == NULL) ||
	    (nhost > 0 && (g->g_host_idx = calloc(nhost,
	    sizeof(*g->g_host_idx))) == NULL)) {
		gc_err(err, errlen, "out of memory");
		return -1;
	}
	for (i = 0; i < g->g_nservers; i++) {
		const struct gconf_server *v = &g->g_servers[i];

		if (gc_member_lookup(g, v->gv_owner_class,
		    v->gv_owner_code) == NULL) {
			gc_err(err, errlen, "security server %s/%s/%s: owner "
			    "is not a member", v->gv_owner_class,
			    v->gv_owner_code, v->gv_code);
			return -1;
		}
		g->g_server_idx[i] = v;
		for (j = 0; j < v->gv_nauth; j++) {
			memcpy(g->g_auth_idx[a].he_hash, v->gv_auth_hashes[j],
			    GCONF_AUTH_HASH_LEN);
			g->g_auth_idx[a++].he_a = i;
		}
		for (j = 0; j < v->gv_nclients; j++) {
			const struct gconf_clientref	*r = &v->gv_clients[j];
			const struct gconf_member	*m;

			m = gc_member_lookup(g, r->cr_class, r->cr_code);
			if (m == NULL || (r->cr_subsystem != NULL &&
			    !gc_member_has_sub(m, r->cr_subsystem))) {
				gc_err(err, errlen, "security server %s/%s/%s:"
				    " client %s/%s%s%s is not registered",
				    v->gv_owner_class, v->gv_owner_code,
				    v->gv_code, r->cr_class, r->cr_code,
				    r->cr_subsystem != NULL ? "/" : "",
				    r->cr_subsystem != NULL ?
				    r->cr_subsystem : "");
				return -1;
			}
			g->g_host_idx[h].ce_instance = g->g_instance;
			g->g_host_idx[h].ce_class = r->cr_class;
			g->g_host_idx[h].ce_code = r->cr_code;
			g->g_host_idx[h].ce_sub = r->cr_subsystem != NULL ?
			    r->cr_subsystem : "";
			g->g_host_idx[h++].ce_owner = i;
		}
	}
	qsort(g->g_server_idx, g->g_nservers, sizeof(*g->g_server_idx),
	    gc_cmp_server);
	for (i = 1; i < g->g_nservers; i++)
		if (gc_cmp_server(&g->g_server_idx[i - 1],
		    &g->g_server_idx[i]) == 0) {
			gc_err(err, errlen, "security server %s/%s/%s listed "
			    "twice", g->g_server_idx[i]->gv_owner_class,
			    g->g_server_idx[i]->gv_owner_code,
			    g->g_server_idx[i]->gv_code);
			return -1;
		}
	if (nauth > 0) {
		qsort(g->g_auth_idx, nauth, sizeof(*g->g_auth_idx),
		    gc_cmp_hash);
		for (i = 1; i < nauth; i++)
			if (gc_cmp_hash(&g->g_auth_idx[i - 1],
			    &g->g_auth_idx[i]) == 0) {
				gc_err(err, errlen, "an authentication "
				    "certificate hash is registered twice");
				return -1;
			}
	}
	g->g_nauth_idx = nauth;
	if (nhost > 0)
		qsort(g->g_host_idx, nhost, sizeof(*g->g_host_idx),
		    gc_cmp_client_sort);
	g->g_nhost_idx = nhost;
	return 0;
}

static int
gc_index_groups(struct gconf *g, char *err, size_t errlen)
{
	size_t	 i, j, n = 0, k = 0;

	if (g->g_ngroups == 0)
		return 0;
	for (i = 0; i < g->g_ngroups; i++)
		n += g->g_groups[i].gr_nmembers;
	g->g_group_idx = calloc(g->g_ngroups, sizeof(*g->g_group_idx));
	if (g->g_group_idx == NULL ||
	    (n > 0 && (g->g_gm_idx = calloc(n, sizeof(*g->g_gm_idx))) ==
	    NULL)) {
		gc_err(err, errlen, "out of memory");
		return -1;
	}
	for (i = 0; i < g->g_ngroups; i++)
		g->g_group_idx[i] = &g->g_groups[i];
	qsort(g->g_group_idx, g->g_ngroups, sizeof(*g->g_group_idx),
	    gc_cmp_group);
	for (i = 1; i < g->g_ngroups; i++)
		if (gc_cmp_group(&g->g_group_idx[i - 1],
		    &g->g_group_idx[i]) == 0) {
			gc_err(err, errlen, "global group %s listed twice",
			    g->g_group_idx[i]->gr_code);
			return -1;
		}
	/* ce_owner: the group's position in g_group_idx. */
	for (i = 0; i < g->g_ngroups; i++) {
		const struct gconf_group *gr = g->g_group_idx[i];

		for (j = 0; j < gr->gr_nmembers; j++) {
			const struct gconf_gmember *m = &gr->gr_members[j];

			g->g_gm_idx[k].ce_instance = m->gg_instance;
			g->g_gm_idx[k].ce_class = m->gg_class;
			g->g_gm_idx[k].ce_code = m->gg_code;
			g->g_gm_idx[k].ce_sub = m->gg_subsystem != NULL ?
			    m->gg_subsystem : "";
			g->g_gm_idx[k++].ce_owner = i;
		}
	}
	if (n > 0)
		qsort(g->g_gm_idx, n, sizeof(*g->g_gm_idx),
		    gc_cmp_client_sort);
	g->g_ngm_idx = n;
	return 0;
}

int
gconf_finish(struct gconf *g, char *err, size_t errlen)
{
	if (g->g_finished)
		return 0;
	gc_unfinish(g);
	if (gc_index_members(g, err, errlen) != 0 ||
	    gc_index_servers(g, err, errlen) != 0 ||
	    gc_index_groups(g, err, errlen) != 0 ||
	    gc_index_cas(g, err, errlen) != 0 ||
	    gc_index_tsas(g, err, errlen) != 0) {
		gc_unfinish(g);
		return -1;
	}
	g->g_finished = 1;
	return 0;
}

/* Lookups. */

const struct gconf_member *
gconf_member(const struct gconf *g, const char *member_class,
    const char *member_code)
{
	if (!g->g_finished || member_class == NULL || member_code == NULL)
		return NULL;
	return gc_member_lookup(g, member_class, member_code);
}

/* Fill a client key from an xrid; -1 if it is not a client id. */
static int
gc_client_key(const struct xrid *c, struct gc_client_ent *k)
{
	if (c->type != XRID_MEMBER && c->type != XRID_SUBSYSTEM)
		return -1;
	if (c->type == XRID_SUBSYSTEM && c->subsystem_code[0] == '\0')
		return -1;
	k->ce_instance = c->instance;
	k->ce_class = c->member_class;
	k->ce_code = c->member_code;
	k->ce_sub = c->type == XRID_SUBSYSTEM ? c->subsystem_code : "";
	k->ce_owner = 0;
	return 0;
}

int
gconf_has_client(const struct gconf *g, const struct xrid *c)
{
	const struct gconf_member *m;

	if (!g->g_finished || strcmp(c->instance, g->g_instance) != 0)
		return 0;
	if (c->type == XRID_MEMBER)
		return gc_member_lookup(g, c->member_class,
		    c->member_code) != NULL;
	if (c->type != XRID_SUBSYSTEM)
		return 0;
	m = gc_member_lookup(g, c->member_class, c->member_code);
	return m != NULL && gc_member_has_sub(m, c->subsystem_code);
}

size_t
gconf_client_servers(const struct gconf *g, const struct xrid *c,
    const struct gconf_server **out, size_t max)
{
	struct gc_client_ent	key;
	size_t			i, n = 0;

	if (!g->g_finished || gc_client_key(c, &key) != 0)
		return 0;
	for (i = gc_client_lower(g->g_host_idx, g->g_nhost_idx, &key);
	    i < g->g_nhost_idx &&
	    gc_cmp_client_key(&g->g_host_idx[i], &key) == 0; i++) {
		/* A server listing a client twice is counted once. */
		if (i > 0 && gc_cmp_client_sort(&g->g_host_idx[i - 1],
		    &g->g_host_idx[i]) == 0)
			continue;
		if (n < max)
			out[n] = &g->g_servers[g->g_host_idx[i].ce_owner];
		n++;
	}
	return n;
}

int
gconf_server_has_client(const struct gconf *g,
    const struct gconf_server *srv, const struct xrid *c)
{
	struct gc_client_ent	key;
	size_t			i, si;

	if (!g->g_finished || srv < g->g_servers ||
	    srv >= g->g_servers + g->g_nservers ||
	    gc_client_key(c, &key) != 0)
		return 0;
	si = (size_t)(srv - g->g_servers);
	key.ce_owner = si;
	for (i = gc_client_lower(g->g_host_idx, g->g_nhost_idx, &key);
	    i < g->g_nhost_idx &&
	    gc_cmp_client_key(&g->g_host_idx[i], &key) == 0; i++)
		if (g->g_host_idx[i].ce_owner == si)
			return 1;
	return 0;
}

const struct gconf_server *
gconf_server_by_id(const struct gconf *g, const struct xrid *s)
{
	struct gconf_server		 key;
	const struct gconf_server	*kp = &key, **hit;

	if (!g->g_finished || g->g_server_idx == NULL ||
	    s->type != XRID_SERVER || strcmp(s->instance, g->g_instance) != 0)
		return NULL;
	key.gv_owner_class = (char *)s->member_class;
	key.gv_owner_code = (char *)s->member_code;
	key.gv_code = (char *)s->server_code;
	hit = bsearch(&kp, g->g_server_idx, g->g_nservers,
	    sizeof(*g->g_server_idx), gc_cmp_server);
	return hit != NULL ? *hit : NULL;
}

const struct gconf_server *
gconf_server_by_auth_hash(const struct gconf *g,
    const unsigned char hash[GCONF_AUTH_HASH_LEN])
{
	size_t i;

	if (!g->g_finished)
		return NULL;
	i = gc_hash_lower(g->g_auth_idx, g->g_nauth_idx, hash);
	if (i < g->g_nauth_idx && CRYPTO_memcmp(g->g_auth_idx[i].he_hash,
	    hash, GCONF_AUTH_HASH_LEN) == 0)
		return &g->g_servers[g->g_auth_idx[i].he_a];
	return NULL;
}

const struct gconf_server *
gconf_server_by_auth_cert(const struct gconf *g, X509 *cert)
{
	unsigned char h[GCONF_SHA256_LEN];

	if (cert == NULL || gc_cert_hash_der(cert, h) != 0)
		return NULL;
	return gconf_server_by_auth_hash(g, h);
}

const struct gconf_ca *
gconf_ca_by_cert(const struct gconf *g, X509 *cert,
    const struct gconf_cainfo **level)
{
	unsigned char	 h[GCONF_SHA256_LEN];
	size_t		 i;
	const struct gconf_ca *ca;

	if (!g->g_finished || cert == NULL || gc_cert_hash_der(cert, h) != 0)
		return NULL;
	i = gc_hash_lower(g->g_cacert_idx, g->g_ncacert_idx, h);
	if (i >= g->g_ncacert_idx ||
	    memcmp(g->g_cacert_idx[i].he_hash, h, sizeof(h)) != 0)
		return NULL;
	ca = &g->g_cas[g->g_cacert_idx[i].he_a];
	if (level != NULL)
		*level = gc_ca_level(ca, g->g_cacert_idx[i].he_b);
	return ca;
}

const struct gconf_ca *
gconf_ca_find_issuer(const struct gconf *g, X509 *cert,
    const struct gconf_cainfo **level)
{
	struct gc_name_ent	 key;
	const struct gconf_ca	*ca;
	const struct gconf_cainfo *ci;
	size_t			 lo = 0, hi, mid;

	if (!g->g_finished || cert == NULL)
		return NULL;
	key.ne_hash = X509_NAME_hash_ex(X509_get_issuer_name(cert), NULL,
	    NULL, NULL);
	hi = g->g_ncaname_idx;
	while (lo < hi) {
		mid = lo + (hi - lo) / 2;
		if (gc_cmp_name(&g->g_caname_idx[mid], &key) < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	for (; lo < g->g_ncaname_idx &&
	    g->g_caname_idx[lo].ne_hash == key.ne_hash; lo++) {
		ca = &g->g_cas[g->g_caname_idx[lo].ne_ca];
		ci = gc_ca_level(ca, g->g_caname_idx[lo].ne_level);
		if (X509_check_issued(ci->gi_x509, cert) == X509_V_OK) {
			if (level != NULL)
				*level = ci;
			return ca;
		}
	}
	return NULL;
}

const struct gconf_tsa *
gconf_tsa_by_cert(const struct gconf *g, X509 *cert)
{
	unsigned char	h[GCONF_SHA256_LEN];
	size_t		i;

	if (!g->g_finished || cert == NULL || gc_cert_hash_der(cert, h) != 0)
		return NULL;
	i = gc_hash_lower(g->g_tsa_idx, g->g_ntsas, h);
	if (i < g->g_ntsas &&
	    memcmp(g->g_tsa_idx[i].he_hash, h, sizeof(h)) == 0)
		return &g->g_tsas[g->g_tsa_idx[i].he_a];
	return NULL;
}

static const struct gconf_group *const *
gc_group_slot(const struct gconf *g, const char *code)
{
	struct gconf_group		 key;
	const struct gconf_group	*kp = &key;

	if (!g->g_finished || g->g_group_idx == NULL || code == NULL)
		return NULL;
	key.gr_code = (char *)code;
	return bsearch(&kp, g->g_group_idx, g->g_ngroups,
	    sizeof(*g->g_group_idx), gc_cmp_group);
}

const struct gconf_group *
gconf_group(const struct gconf *g, const char *code)
{
	const struct gconf_group *const *slot = gc_group_slot(g, code);

	return slot != NULL ? *slot : NULL;
}

int
gconf_group_has_member(const struct gconf *g, const char *code,
    const struct xrid *c)
{
	const struct gconf_group *const *slot;
	struct gc_client_ent	 key;
	size_t			 i, gi;

	if ((slot = gc_group_slot(g, code)) == NULL ||
	    gc_client_key(c, &key) != 0)
		return 0;
	gi = (size_t)(slot - g->g_group_idx);
	for (i = gc_client_lower(g->g_gm_idx, g->g_ngm_idx, &key);
	    i < g->g_ngm_idx &&
	    gc_cmp_client_key(&g->g_gm_idx[i], &key) == 0; i++)
		if (g->g_gm_idx[i].ce_owner == gi)
			return 1;
	return 0;
}
