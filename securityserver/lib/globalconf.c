/*
 * globalconf.c: the global configuration model: building and read access.
 * Indexes and lookups are in gconf_index.c, XML in gconf_xml.c.
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

#include "anchor.h"
#include "compat.h"
#include "gconf_int.h"
#include "globalconf.h"
#include "xrid.h"

void
gconf_seterr(char *err, size_t errlen, const char *fmt, ...)
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
	gconf_index_drop(g);
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
	gconf_index_drop(g);
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
	gconf_index_drop(g);
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
	gconf_index_drop(g);
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
	gconf_index_drop(g);
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
	gconf_index_drop(g);
	g->g_ntsas++;
	return 0;
}

const struct gconf_member_class *
gconf_find_class(const struct gconf *g, const char *code)
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
	    gconf_find_class(g, code) != NULL ||
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
	gconf_index_drop(g);
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
	gconf_index_drop(g);
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
	gconf_index_drop(g);
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
	gconf_index_drop(g);
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
	gconf_index_drop(g);
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
	gconf_index_drop(g);
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
	gconf_index_drop(g);
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
