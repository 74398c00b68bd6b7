/*
 * gconf_index.c: checking a global configuration model and the sorted
 * indexes its lookups use (binary search; built once by gconf_finish).
 */
#include "config.h"

#include <limits.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include "gconf_int.h"
#include "globalconf.h"
#include "xrid.h"

void
gconf_index_drop(struct gconf *g)
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
				gconf_seterr(err, errlen, "approved CA \"%s\": bad "
				    "%s certificate", ca->gc_name,
				    j == 0 ? "top CA" : "intermediate CA");
				return -1;
			}
			for (k = 0; k < ci->gi_nocsp; k++) {
				struct gconf_ocsp *o = &ci->gi_ocsp[k];

				if (o->go_cert != NULL && gc_cert_parse(
				    o->go_cert, o->go_certlen,
				    &o->go_x509) != 0) {
					gconf_seterr(err, errlen, "approved CA "
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
	gconf_seterr(err, errlen, "out of memory");
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
		gconf_seterr(err, errlen, "out of memory");
		return -1;
	}
	for (i = 0; i < g->g_ntsas; i++) {
		struct gconf_tsa *t = &g->g_tsas[i];

		if (gc_cert_parse(t->gt_cert, t->gt_certlen,
		    &t->gt_x509) != 0) {
			gconf_seterr(err, errlen, "approved TSA \"%s\": bad "
			    "certificate", t->gt_name);
			return -1;
		}
		if (gc_sha256(t->gt_cert, t->gt_certlen,
		    g->g_tsa_idx[i].he_hash) != 0) {
			gconf_seterr(err, errlen, "hash failed");
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
		if (gconf_find_class(g, g->g_members[i].gm_class) == NULL) {
			gconf_seterr(err, errlen, "member %s/%s: unknown member "
			    "class", g->g_members[i].gm_class,
			    g->g_members[i].gm_code);
			return -1;
		}
	if (g->g_nmembers == 0)
		return 0;
	g->g_member_idx = calloc(g->g_nmembers, sizeof(*g->g_member_idx));
	if (g->g_member_idx == NULL) {
		gconf_seterr(err, errlen, "out of memory");
		return -1;
	}
	for (i = 0; i < g->g_nmembers; i++)
		g->g_member_idx[i] = &g->g_members[i];
	qsort(g->g_member_idx, g->g_nmembers, sizeof(*g->g_member_idx),
	    gc_cmp_member);
	for (i = 1; i < g->g_nmembers; i++)
		if (gc_cmp_member(&g->g_member_idx[i - 1],
		    &g->g_member_idx[i]) == 0) {
			gconf_seterr(err, errlen, "member %s/%s listed twice",
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
		gconf_seterr(err, errlen, "out of memory");
		return -1;
	}
	for (i = 0; i < g->g_nservers; i++) {
		const struct gconf_server *v = &g->g_servers[i];

		if (gc_member_lookup(g, v->gv_owner_class,
		    v->gv_owner_code) == NULL) {
			gconf_seterr(err, errlen, "security server %s/%s/%s: owner "
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
				gconf_seterr(err, errlen, "security server %s/%s/%s:"
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
			gconf_seterr(err, errlen, "security server %s/%s/%s listed "
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
				gconf_seterr(err, errlen, "an authentication "
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
		gconf_seterr(err, errlen, "out of memory");
		return -1;
	}
	for (i = 0; i < g->g_ngroups; i++)
		g->g_group_idx[i] = &g->g_groups[i];
	qsort(g->g_group_idx, g->g_ngroups, sizeof(*g->g_group_idx),
	    gc_cmp_group);
	for (i = 1; i < g->g_ngroups; i++)
		if (gc_cmp_group(&g->g_group_idx[i - 1],
		    &g->g_group_idx[i]) == 0) {
			gconf_seterr(err, errlen, "global group %s listed twice",
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
	gconf_index_drop(g);
	if (gc_index_members(g, err, errlen) != 0 ||
	    gc_index_servers(g, err, errlen) != 0 ||
	    gc_index_groups(g, err, errlen) != 0 ||
	    gc_index_cas(g, err, errlen) != 0 ||
	    gc_index_tsas(g, err, errlen) != 0) {
		gconf_index_drop(g);
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
