/*
 * publish.c: global configuration from the registry (NOTES.md 4.8, 7.3).
 * Each generation reads the registry in one transaction into the model
 * (globalconf.h), writes shared and private parameters (version 3),
 * checks them against the schemas the security servers use, lists them
 * in a directory signed with the configuration signing key
 * (gconfdir.h) and swaps it in. Files keep their Content-location while
 * their bytes do not change, so configuration clients fetch only what
 * changed; files stay downloadable while any unexpired directory lists
 * them.
 */
#include "config.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <event2/http.h>
#include <jansson.h>

#include "anchor.h"
#include "compat.h"
#include "db.h"
#include "gconfdir.h"
#include "globalconf.h"
#include "http.h"
#include "log.h"
#include "signer.h"
#include "central.h"

/* Files kept for directories that have not expired yet. */
#define PUB_MAX_FILES	64

struct pub_file {
	char		*pf_location;
	const char	*pf_name;	/* GCONF_FILE_* */
	unsigned char	*pf_data;
	size_t		 pf_len;
	time_t		 pf_until;	/* expiry of the last listing */
};

struct publisher {
	const struct central_params	*pb_params;
	struct signer			*pb_signer;
	unsigned char			*pb_cert;
	size_t				 pb_certlen;
	unsigned char			*pb_dir;
	size_t				 pb_dirlen;
	char				*pb_ctype;
	time_t				 pb_expire;
	time_t				 pb_generated;
	struct pub_file			 pb_files[PUB_MAX_FILES];
	size_t				 pb_nfiles;
	unsigned long			 pb_generation;
	char				 pb_error[512];
};

static void	pub_err(char *, size_t, const char *, ...)
	    __attribute__((format(printf, 3, 4)));

static void
pub_err(char *err, size_t errlen, const char *fmt, ...)
{
	va_list	ap;

	if (err == NULL || errlen == 0)
		return;
	va_start(ap, fmt);
	(void)vsnprintf(err, errlen, fmt, ap);
	va_end(ap);
}

/* Model building: one helper per table, all inside one read transaction. */

static int
model_cas(struct db *db, struct gconf *g, char *err, size_t errlen)
{
	sqlite3_stmt	*ca = NULL, *lv = NULL, *oc = NULL;
	int		 rc, rc2, rc3, idx, ret = -1;

	if (db_queryf(db, &ca, "SELECT id, name, profile, auth_only FROM ca "
	    "ORDER BY name", "") == -1)
		goto dberr;
	while ((rc = db_step(db, ca)) == DB_ROW) {
		const char *name = (const char *)sqlite3_column_text(ca, 1);
		const char *prof = (const char *)sqlite3_column_text(ca, 2);

		idx = -1;
		if (db_queryf(db, &lv, "SELECT id, level, cert FROM ca_cert "
		    "WHERE ca_id = ? ORDER BY level", "I",
		    (int64_t)sqlite3_column_int64(ca, 0)) == -1)
			goto dberr;
		while ((rc2 = db_step(db, lv)) == DB_ROW) {
			const unsigned char *der = sqlite3_column_blob(lv, 2);
			size_t dlen = (size_t)sqlite3_column_bytes(lv, 2);
			int level = sqlite3_column_int(lv, 1);

			if (level == 0)
				idx = gconf_add_ca(g, name, der, dlen, prof);
			else if (idx < 0 || gconf_ca_add_intermediate(g,
			    (size_t)idx, der, dlen) != level)
				idx = -1;
			if (idx < 0) {
				pub_err(err, errlen, "CA %s: cannot add its "
				    "certificates", name);
				goto done;
			}
			if (db_queryf(db, &oc, "SELECT url, cert FROM ca_ocsp "
			    "WHERE ca_cert_id = ? ORDER BY id", "I",
			    (int64_t)sqlite3_column_int64(lv, 0)) == -1)
				goto dberr;
			while ((rc3 = db_step(db, oc)) == DB_ROW)
				if (gconf_ca_add_ocsp(g, (size_t)idx,
				    (size_t)level,
				    (const char *)sqlite3_column_text(oc, 0),
				    sqlite3_column_blob(oc, 1),
				    (size_t)sqlite3_column_bytes(oc, 1)) != 0) {
					pub_err(err, errlen, "CA %s: cannot add "
					    "its OCSP responder", name);
					goto done;
				}
			db_finalize(oc);
			oc = NULL;
			if (rc3 == DB_ERR)
				goto dberr;
		}
		db_finalize(lv);
		lv = NULL;
		if (rc2 == DB_ERR)
			goto dberr;
		if (idx < 0) {
			pub_err(err, errlen, "CA %s has no top CA certificate",
			    name);
			goto done;
		}
		if (sqlite3_column_int(ca, 3) &&
		    gconf_ca_set_auth_only(g, (size_t)idx, 1) != 0)
			goto nomem;
	}
	if (rc == DB_ERR)
		goto dberr;
	ret = 0;
	goto done;
 nomem:
	pub_err(err, errlen, "out of memory");
	goto done;
 dberr:
	pub_err(err, errlen, "registry: %s", db_last_error(db));
 done:
	db_finalize(oc);
	db_finalize(lv);
	db_finalize(ca);
	return ret;
}

static int
model_tsas(struct db *db, struct gconf *g, char *err, size_t errlen)
{
	sqlite3_stmt	*st;
	int		 rc;

	if (db_queryf(db, &st, "SELECT name, url, cert FROM tsa ORDER BY "
	    "name", "") == -1)
		goto dberr;
	while ((rc = db_step(db, st)) == DB_ROW)
		if (gconf_add_tsa(g, (const char *)sqlite3_column_text(st, 0),
		    (const char *)sqlite3_column_text(st, 1),
		    sqlite3_column_blob(st, 2),
		    (size_t)sqlite3_column_bytes(st, 2)) != 0) {
			pub_err(err, errlen, "TSA %s: cannot add it",
			    sqlite3_column_text(st, 0));
			db_finalize(st);
			return -1;
		}
	db_finalize(st);
	if (rc == DB_ERR)
		goto dberr;
	return 0;
 dberr:
	pub_err(err, errlen, "registry: %s", db_last_error(db));
	return -1;
}

static int
model_members(struct db *db, struct gconf *g, char *err, size_t errlen)
{
	sqlite3_stmt	*st;
	int		 rc, idx = -1;
	int64_t		 last = -1;

	if (db_queryf(db, &st, "SELECT code, description FROM member_class "
	    "ORDER BY code", "") == -1)
		goto dberr;
	while ((rc = db_step(db, st)) == DB_ROW)
		if (gconf_add_member_class(g,
		    (const char *)sqlite3_column_text(st, 0),
		    (const char *)sqlite3_column_text(st, 1)) != 0)
			goto fail;
	db_finalize(st);
	if (rc == DB_ERR)
		goto dberr;
	/* Members with their subsystems, one row per subsystem. */
	if (db_queryf(db, &st, "SELECT m.id, m.class, m.code, m.name, s.code "
	    "FROM member m LEFT JOIN subsystem s ON s.member_id = m.id "
	    "ORDER BY m.class, m.code, s.code", "") == -1)
		goto dberr;
	while ((rc = db_step(db, st)) == DB_ROW) {
		if (sqlite3_column_int64(st, 0) != last) {
			last = sqlite3_column_int64(st, 0);
			if ((idx = gconf_add_member(g,
			    (const char *)sqlite3_column_text(st, 1),
			    (const char *)sqlite3_column_text(st, 2),
			    (const char *)sqlite3_column_text(st, 3))) < 0)
				goto fail;
		}
		if (sqlite3_column_type(st, 4) != SQLITE_NULL &&
		    gconf_member_add_subsystem(g, (size_t)idx,
		    (const char *)sqlite3_column_text(st, 4)) != 0)
			goto fail;
	}
	db_finalize(st);
	if (rc == DB_ERR)
		goto dberr;
	return 0;
 fail:
	db_finalize(st);
	pub_err(err, errlen, "cannot add the members to the model");
	return -1;
 dberr:
	pub_err(err, errlen, "registry: %s", db_last_error(db));
	return -1;
}

static int
model_servers(struct db *db, struct gconf *g, const char *instance,
    char *err, size_t errlen)
{
	sqlite3_stmt	*st = NULL, *sub = NULL;
	struct xrid	 c;
	int		 rc, rc2, idx, ret = -1;

	if (db_queryf(db, &st, "SELECT v.id, m.class, m.code, v.code, "
	    "v.address FROM server v JOIN member m ON m.id = v.owner_id "
	    "ORDER BY m.class, m.code, v.code", "") == -1)
		goto dberr;
	while ((rc = db_step(db, st)) == DB_ROW) {
		int64_t sid = sqlite3_column_int64(st, 0);

		if ((idx = gconf_add_server(g,
		    (const char *)sqlite3_column_text(st, 1),
		    (const char *)sqlite3_column_text(st, 2),
		    (const char *)sqlite3_column_text(st, 3),
		    (const char *)sqlite3_column_text(st, 4))) < 0)
			goto fail;
		if (db_queryf(db, &sub, "SELECT cert FROM server_auth_cert "
		    "WHERE server_id = ? ORDER BY rowid", "I", sid) == -1)
			goto dberr;
		while ((rc2 = db_step(db, sub)) == DB_ROW)
			if (gconf_server_add_auth_cert(g, (size_t)idx,
			    sqlite3_column_blob(sub, 0),
			    (size_t)sqlite3_column_bytes(sub, 0)) != 0)
				goto fail;
		db_finalize(sub);
		sub = NULL;
		if (rc2 == DB_ERR)
			goto dberr;
		if (db_queryf(db, &sub, "SELECT m.class, m.code, s.code FROM "
		    "server_client c JOIN member m ON m.id = c.member_id "
		    "LEFT JOIN subsystem s ON s.id = c.subsystem_id WHERE "
		    "c.server_id = ? ORDER BY c.id", "I", sid) == -1)
			goto dberr;
		while ((rc2 = db_step(db, sub)) == DB_ROW) {
			if (xrid_set_client(&c, instance,
			    (const char *)sqlite3_column_text(sub, 0),
			    (const char *)sqlite3_column_text(sub, 1),
			    (const char *)sqlite3_column_text(sub, 2), err,
			    errlen) == -1)
				goto done;
			if (gconf_server_add_client(g, (size_t)idx, &c) != 0)
				goto fail;
		}
		db_finalize(sub);
		sub = NULL;
		if (rc2 == DB_ERR)
			goto dberr;
	}
	if (rc == DB_ERR)
		goto dberr;
	ret = 0;
	goto done;
 fail:
	pub_err(err, errlen, "cannot add the security servers to the model");
	goto done;
 dberr:
	pub_err(err, errlen, "registry: %s", db_last_error(db));
 done:
	db_finalize(sub);
	db_finalize(st);
	return ret;
}

static int
model_groups(struct db *db, struct gconf *g, const char *instance,
    char *err, size_t errlen)
{
	sqlite3_stmt	*st = NULL;
	struct xrid	 c;
	int		 rc, idx = -1, ret = -1;
	int64_t		 last = -1;

	if (db_queryf(db, &st, "SELECT g.id, g.code, g.description, "
	    "m.instance, m.class, m.code, m.subsystem FROM grp g LEFT JOIN "
	    "grp_member m ON m.grp_id = g.id ORDER BY g.code, m.id", "") == -1)
		goto dberr;
	while ((rc = db_step(db, st)) == DB_ROW) {
		if (sqlite3_column_int64(st, 0) != last) {
			last = sqlite3_column_int64(st, 0);
			if ((idx = gconf_add_group(g,
			    (const char *)sqlite3_column_text(st, 1),
			    (const char *)sqlite3_column_text(st, 2))) < 0)
				goto fail;
		}
		if (sqlite3_column_type(st, 3) == SQLITE_NULL)
			continue;
		if (xrid_set_client(&c,
		    (const char *)sqlite3_column_text(st, 3),
		    (const char *)sqlite3_column_text(st, 4),
		    (const char *)sqlite3_column_text(st, 5),
		    (const char *)sqlite3_column_text(st, 6), err,
		    errlen) == -1)
			goto done;
		if (gconf_group_add_member(g, (size_t)idx, &c) != 0)
			goto fail;
	}
	db_finalize(st);
	st = NULL;
	if (rc == DB_ERR)
		goto dberr;
	/* The owners group, kept by the central server itself. */
	if ((idx = gconf_add_group(g, CENTRAL_OWNERS_GROUP,
	    CENTRAL_OWNERS_GROUP_DESC)) < 0)
		goto fail;
	if (db_queryf(db, &st, "SELECT DISTINCT m.class, m.code FROM server v "
	    "JOIN member m ON m.id = v.owner_id ORDER BY 1, 2", "") == -1)
		goto dberr;
	while ((rc = db_step(db, st)) == DB_ROW) {
		if (xrid_set_client(&c, instance,
		    (const char *)sqlite3_column_text(st, 0),
		    (const char *)sqlite3_column_text(st, 1), NULL, err,
		    errlen) == -1)
			goto done;
		if (gconf_group_add_member(g, (size_t)idx, &c) != 0)
			goto fail;
	}
	if (rc == DB_ERR)
		goto dberr;
	ret = 0;
	goto done;
 fail:
	pub_err(err, errlen, "cannot add the global groups to the model");
	goto done;
 dberr:
	pub_err(err, errlen, "registry: %s", db_last_error(db));
 done:
	db_finalize(st);
	return ret;
}

static int
model_management(struct db *db, struct gconf *g,
    const struct central_params *p, char *err, size_t errlen)
{
	struct xrid	 prov;
	char		*cls = NULL, *code = NULL;
	int		 rc, ret = -1;

	if (p->cp_mgmt_provider != NULL) {
		if (xrid_parse_client(&prov, p->cp_mgmt_provider, 0, err,
		    errlen) == -1)
			return -1;
	} else {
		/* The first member registered: the federation's operator. */
		rc = db_query_text(db, &cls, "SELECT class FROM member "
		    "ORDER BY id LIMIT 1", "");
		if (rc == DB_ROW)
			rc = db_query_text(db, &code, "SELECT code FROM member "
			    "ORDER BY id LIMIT 1", "");
		if (rc == DB_ERR) {
			pub_err(err, errlen, "registry: %s",
			    db_last_error(db));
			goto done;
		}
		if (rc == DB_DONE) {
			pub_err(err, errlen, "no management services "
			    "provider: register a member or set [management] "
			    "provider");
			goto done;
		}
		if (xrid_set_client(&prov, p->cp_instance, cls, code, NULL,
		    err, errlen) == -1)
			goto done;
	}
	if (gconf_set_management(g, p->cp_mgmt_address, NULL, 0, &prov) != 0) {
		pub_err(err, errlen, "cannot set the management services");
		goto done;
	}
	ret = 0;
 done:
	free(cls);
	free(code);
	return ret;
}

struct gconf *
publish_model(struct db *db, const struct central_params *p,
    const unsigned char *cert_der, size_t cert_len, char *err, size_t errlen)
{
	struct gconf	*g;
	long long	 v;
	int		 src, rc;

	if ((g = gconf_new(p->cp_instance)) == NULL) {
		pub_err(err, errlen, "bad instance or out of memory");
		return NULL;
	}
	if (db_exec(db, "BEGIN") == -1) {
		pub_err(err, errlen, "registry: %s", db_last_error(db));
		gconf_free(g);
		return NULL;
	}
	if ((src = gconf_add_source(g, p->cp_source_address)) < 0 ||
	    gconf_source_add_cert(g, (size_t)src, 0, cert_der, cert_len) != 0) {
		pub_err(err, errlen, "cannot add the configuration source");
		goto fail;
	}
	if (model_cas(db, g, err, errlen) == -1 ||
	    model_tsas(db, g, err, errlen) == -1 ||
	    model_members(db, g, err, errlen) == -1 ||
	    model_servers(db, g, p->cp_instance, err, errlen) == -1 ||
	    model_groups(db, g, p->cp_instance, err, errlen) == -1 ||
	    model_management(db, g, p, err, errlen) == -1)
		goto fail;
	v = p->cp_ocsp_freshness;
	if ((rc = registry_get(db, CENTRAL_SET_OCSP_FRESHNESS, &v)) == -1)
		goto dberr;
	if (gconf_set_ocsp_freshness(g, v) != 0)
		goto bad_setting;
	v = p->cp_ts_interval;
	if ((rc = registry_get(db, CENTRAL_SET_TS_INTERVAL, &v)) == -1)
		goto dberr;
	if (gconf_set_ts_interval(g, v) != 0)
		goto bad_setting;
	(void)db_exec(db, "ROLLBACK");
	if (gconf_finish(g, err, errlen) != 0) {
		gconf_free(g);
		return NULL;
	}
	return g;
 bad_setting:
	pub_err(err, errlen, "bad setting value %lld", v);
	goto fail;
 dberr:
	pub_err(err, errlen, "registry: %s", db_last_error(db));
 fail:
	(void)db_exec(db, "ROLLBACK");
	gconf_free(g);
	return NULL;
}

int
publish_anchor(const struct central_params *p, struct signer *sg, time_t now,
    unsigned char **out, size_t *len, char *err, size_t errlen)
{
	struct anchor	*a = NULL;
	unsigned char	*der = NULL;
	size_t		 dlen;
	int		 src, rc = -1;

	*out = NULL;
	*len = 0;
	if (signer_cert_der(sg, CENTRAL_SIGN_KEY_ID, &der, &dlen) == -1) {
		pub_err(err, errlen, "no configuration signing certificate");
		return -1;
	}
	if ((a = anchor_new(p->cp_instance, now)) == NULL ||
	    (src = anchor_add_source(a, p->cp_download_url)) < 0 ||
	    anchor_add_cert(a, (size_t)src, der, dlen) != 0 ||
	    anchor_write(a, out, len) != 0) {
		pub_err(err, errlen, "cannot build the anchor");
		goto done;
	}
	rc = 0;
 done:
	anchor_free(a);
	free(der);
	return rc;
}

struct publisher *
publisher_new(const struct central_params *p, struct signer *sg)
{
	struct publisher	*pb;

	if ((pb = calloc(1, sizeof(*pb))) == NULL)
		return NULL;
	pb->pb_params = p;
	pb->pb_signer = sg;
	if (signer_cert_der(sg, CENTRAL_SIGN_KEY_ID, &pb->pb_cert,
	    &pb->pb_certlen) == -1) {
		log_warnx("publisher: no key %s in the signer",
		    CENTRAL_SIGN_KEY_ID);
		free(pb);
		return NULL;
	}
	return pb;
}

static void
pub_file_clear(struct pub_file *f)
{
	free(f->pf_location);
	free(f->pf_data);
	memset(f, 0, sizeof(*f));
}

void
publisher_free(struct publisher *pb)
{
	size_t	i;

	if (pb == NULL)
		return;
	for (i = 0; i < pb->pb_nfiles; i++)
		pub_file_clear(&pb->pb_files[i]);
	free(pb->pb_cert);
	free(pb->pb_dir);
	free(pb->pb_ctype);
	free(pb);
}

/* gconf_dir_sign_fn over the signer. */
static int
pub_sign(void *arg, const unsigned char *digest, size_t len,
    unsigned char **sig, size_t *siglen, const char **alg_uri)
{
	struct publisher	*pb = arg;

	if (signer_sign_digest(pb->pb_signer, CENTRAL_SIGN_KEY_ID,
	    SIGNER_DIGEST_SHA512, digest, len, sig, siglen) == -1)
		return -1;
	if ((*alg_uri = signer_sig_alg_uri(pb->pb_signer, CENTRAL_SIGN_KEY_ID,
	    SIGNER_DIGEST_SHA512)) == NULL) {
		free(*sig);
		*sig = NULL;
		return -1;
	}
	return 0;
}

static struct pub_file *
pub_find_location(struct publisher *pb, const char *location)
{
	size_t	i;

	for (i = 0; i < pb->pb_nfiles; i++)
		if (strcmp(pb->pb_files[i].pf_location, location) == 0)
			return &pb->pb_files[i];
	return NULL;
}

/* The newest kept file called name with exactly these bytes, or NULL. */
static struct pub_file *
pub_find_same(struct publisher *pb, const char *name,
    const unsigned char *data, size_t len)
{
	struct pub_file	*best = NULL;
	size_t		 i;

	for (i = 0; i < pb->pb_nfiles; i++) {
		struct pub_file *f = &pb->pb_files[i];

		if (strcmp(f->pf_name, name) == 0 && f->pf_len == len &&
		    memcmp(f->pf_data, data, len) == 0 &&
		    (best == NULL || f->pf_until > best->pf_until))
			best = f;
	}
	return best;
}

/*
 * A new location for file name at ts, different from every kept one
 * (two generations within one clock tick get distinct stamps).
 */
static int
pub_new_location(struct publisher *pb, const struct timespec *now,
    const char *name, char *buf, size_t len)
{
	struct timespec	ts = *now;
	int		i;

	for (i = 0; i < 1000; i++) {
		if (gconf_dir_location(buf, len, GCONF_VERSION, &ts, name) ==
		    -1)
			return -1;
		if (pub_find_location(pb, buf) == NULL)
			return 0;
		if (++ts.tv_nsec >= 1000000000L) {
			ts.tv_nsec = 0;
			ts.tv_sec++;
		}
	}
	return -1;
}

/* Drop files no unexpired directory lists any more. */
static void
pub_prune(struct publisher *pb, time_t now)
{
	size_t	i = 0;

	while (i < pb->pb_nfiles) {
		if (pb->pb_files[i].pf_until > now) {
			i++;
			continue;
		}
		pub_file_clear(&pb->pb_files[i]);
		pb->pb_files[i] = pb->pb_files[pb->pb_nfiles - 1];
		memset(&pb->pb_files[pb->pb_nfiles - 1], 0,
		    sizeof(pb->pb_files[0]));
		pb->pb_nfiles--;
	}
}

/* Keep at most PUB_MAX_FILES - 2: those listed longest ago go first. */
static void
pub_make_room(struct publisher *pb)
{
	size_t	i, victim;

	while (pb->pb_nfiles > PUB_MAX_FILES - 2) {
		victim = 0;
		for (i = 1; i < pb->pb_nfiles; i++)
			if (pb->pb_files[i].pf_until <
			    pb->pb_files[victim].pf_until)
				victim = i;
		pub_file_clear(&pb->pb_files[victim]);
		pb->pb_files[victim] = pb->pb_files[pb->pb_nfiles - 1];
		memset(&pb->pb_files[pb->pb_nfiles - 1], 0,
		    sizeof(pb->pb_files[0]));
		pb->pb_nfiles--;
	}
}

int
publisher_generate(struct publisher *pb, struct db *db,
    const struct timespec *now, char *err, size_t errlen)
{
	const struct central_params *p = pb->pb_params;
	struct gconf		*g = NULL, *chk = NULL;
	struct gconf_dir_file	 df[2];
	unsigned char		*data[2] = { NULL, NULL }, *body = NULL;
	size_t			 len[2], bodylen, i;
	char			 loc[2][GCONF_DIR_LOCATION_MAX], *ctype = NULL;
	char			 e[512];
	const char		*names[2] = { GCONF_FILE_PRIVATE,
				    GCONF_FILE_SHARED };
	const char		*cids[2] = { GCONF_CID_PRIVATE,
				    GCONF_CID_SHARED };
	struct pub_file		*same[2];
	time_t			 expire = now->tv_sec + p->cp_expire_interval;
	int			 rc = -1;

	e[0] = '\0';
	if ((g = publish_model(db, p, pb->pb_cert, pb->pb_certlen, e,
	    sizeof(e))) == NULL)
		goto done;
	if (gconf_write_private(g, &data[0], &len[0], e, sizeof(e)) != 0 ||
	    gconf_write_shared(g, &data[1], &len[1], e, sizeof(e)) != 0)
		goto done;
	/* Publish nothing the security servers would refuse. */
	if (gconf_parse(&chk, GCONF_VERSION, data[1], len[1], data[0], len[0],
	    p->cp_schema_dir, e, sizeof(e)) != 0) {
		char	why[400];

		(void)strlcpy(why, e, sizeof(why));
		(void)snprintf(e, sizeof(e), "the generated parameters fail "
		    "their own check: %s", why);
		goto done;
	}
	for (i = 0; i < 2; i++) {
		same[i] = pub_find_same(pb, names[i], data[i], len[i]);
		if (same[i] != NULL)
			(void)strlcpy(loc[i], same[i]->pf_location,
			    sizeof(loc[i]));
		else if (pub_new_location(pb, now, names[i], loc[i],
		    sizeof(loc[i])) == -1) {
			(void)snprintf(e, sizeof(e), "cannot name the files");
			goto done;
		}
		memset(&df[i], 0, sizeof(df[i]));
		df[i].df_content_id = cids[i];
		df[i].df_instance = p->cp_instance;
		df[i].df_location = loc[i];
		df[i].df_data = data[i];
		df[i].df_len = len[i];
	}
	if ((rc = gconf_dir_build(df, 2, expire, GCONF_VERSION, pb->pb_cert,
	    pb->pb_certlen, pub_sign, pb, &body, &bodylen, &ctype, e,
	    sizeof(e))) != 0) {
		rc = -1;
		goto done;
	}
	/* Swap in: the files first, then the directory. */
	pub_prune(pb, now->tv_sec);
	pub_make_room(pb);
	for (i = 0; i < 2; i++) {
		struct pub_file *f;

		same[i] = pub_find_same(pb, names[i], data[i], len[i]);
		if (same[i] != NULL) {
			same[i]->pf_until = expire;
			continue;
		}
		f = &pb->pb_files[pb->pb_nfiles];
		if ((f->pf_location = strdup(loc[i])) == NULL) {
			(void)snprintf(e, sizeof(e), "out of memory");
			rc = -1;
			goto done;
		}
		f->pf_name = names[i];
		f->pf_data = data[i];
		f->pf_len = len[i];
		f->pf_until = expire;
		data[i] = NULL;
		pb->pb_nfiles++;
	}
	free(pb->pb_dir);
	free(pb->pb_ctype);
	pb->pb_dir = body;
	pb->pb_dirlen = bodylen;
	pb->pb_ctype = ctype;
	body = NULL;
	ctype = NULL;
	pb->pb_expire = expire;
	pb->pb_generated = now->tv_sec;
	pb->pb_generation++;
	pb->pb_error[0] = '\0';
	rc = 0;
 done:
	if (rc == -1) {
		(void)strlcpy(pb->pb_error, e[0] != '\0' ? e :
		    "generation failed", sizeof(pb->pb_error));
		pub_err(err, errlen, "%s", pb->pb_error);
	}
	free(data[0]);
	free(data[1]);
	free(body);
	free(ctype);
	gconf_free(chk);
	gconf_free(g);
	return rc;
}

int
publisher_directory(const struct publisher *pb, time_t now,
    const unsigned char **body, size_t *len, const char **content_type,
    time_t *expire)
{
	if (pb->pb_dir == NULL || now >= pb->pb_expire)
		return -1;
	*body = pb->pb_dir;
	*len = pb->pb_dirlen;
	*content_type = pb->pb_ctype;
	if (expire != NULL)
		*expire = pb->pb_expire;
	return 0;
}

int
publisher_file(const struct publisher *pb, const char *location, time_t now,
    const unsigned char **data, size_t *len)
{
	size_t	i;

	for (i = 0; i < pb->pb_nfiles; i++) {
		const struct pub_file *f = &pb->pb_files[i];

		if (f->pf_until > now && strcmp(f->pf_location, location) == 0) {
			*data = f->pf_data;
			*len = f->pf_len;
			return 0;
		}
	}
	return -1;
}

unsigned long
publisher_generation(const struct publisher *pb)
{
	return pb->pb_generation;
}

const char *
publisher_last_error(const struct publisher *pb)
{
	return pb->pb_error;
}

time_t
publisher_generated_at(const struct publisher *pb)
{
	return pb->pb_generated;
}

/* HTTP. */

static void
pub_no_cache(struct evhttp_request *req)
{
	(void)evhttp_add_header(evhttp_request_get_output_headers(req),
	    "Cache-Control", "no-store");
}

static void
on_directory(struct evhttp_request *req, void *arg)
{
	struct publisher	*pb = arg;
	struct http_query	*q = NULL;
	const unsigned char	*body;
	const char		*ctype, *v, *errstr = NULL;
	size_t			 len;
	long long		 version = 0;

	if (http_req_query(req, &q) == -1) {
		http_reply_error_json(req, HTTP_BADREQUEST, "bad_request",
		    "malformed query string");
		return;
	}
	if ((v = http_query_get(q, "version")) != NULL)
		version = strtonum(v, 1, 1000, &errstr);
	http_query_free(q);
	/* No version means version 2 to X-Road clients: not served. */
	if (v == NULL || errstr != NULL || version != GCONF_VERSION) {
		http_reply_error_json(req, HTTP_NOTFOUND, "not_found",
		    "unsupported configuration version");
		return;
	}
	if (publisher_directory(pb, time(NULL), &body, &len, &ctype,
	    NULL) == -1) {
		http_reply_error_json(req, 503, "unavailable",
		    "no valid global configuration at the moment");
		return;
	}
	pub_no_cache(req);
	http_reply(req, HTTP_OK, ctype, body, len);
}

static void
on_file(struct evhttp_request *req, void *arg)
{
	struct publisher	*pb = arg;
	const unsigned char	*data;
	const char		*path = http_req_path(req);
	size_t			 len;

	if (path == NULL || publisher_file(pb, path, time(NULL), &data,
	    &len) == -1) {
		http_reply_error_json(req, HTTP_NOTFOUND, "not_found",
		    "no such configuration file");
		return;
	}
	pub_no_cache(req);
	http_reply(req, HTTP_OK, "application/octet-stream", data, len);
}

static void
fmt_time(time_t t, char *buf, size_t len)
{
	struct tm	tm;

	if (t == 0 || gmtime_r(&t, &tm) == NULL ||
	    strftime(buf, len, "%Y-%m-%dT%H:%M:%SZ", &tm) == 0)
		(void)strlcpy(buf, "", len);
}

static void
on_health(struct evhttp_request *req, void *arg)
{
	struct publisher	*pb = arg;
	const unsigned char	*body;
	const char		*ctype;
	size_t			 len;
	time_t			 expire = 0;
	char			 gen[32], exp[32];
	json_t			*j;
	int			 ok;

	ok = publisher_directory(pb, time(NULL), &body, &len, &ctype,
	    &expire) == 0;
	fmt_time(pb->pb_generated, gen, sizeof(gen));
	fmt_time(expire, exp, sizeof(exp));
	j = json_pack("{s:s, s:s, s:I, s:s, s:s, s:s}",
	    "status", ok ? "ok" : "unavailable",
	    "instance", pb->pb_params->cp_instance,
	    "generation", (json_int_t)pb->pb_generation,
	    "generated_at", gen,
	    "expires_at", exp,
	    "last_error", pb->pb_error);
	pub_no_cache(req);
	http_reply_json(req, ok ? HTTP_OK : 503, j);
	json_decref(j);
}

int
publisher_routes(struct publisher *pb, struct http_server *srv)
{
	char	prefix[32];

	(void)snprintf(prefix, sizeof(prefix), "/V%d/", GCONF_VERSION);
	if (http_route(srv, EVHTTP_REQ_GET, GCONF_DIR_PATH_INTERNAL,
	    HTTP_ROUTE_EXACT, on_directory, pb) == -1 ||
	    http_route(srv, EVHTTP_REQ_GET, prefix, HTTP_ROUTE_PREFIX,
	    on_file, pb) == -1 ||
	    http_route(srv, EVHTTP_REQ_GET, "/health", HTTP_ROUTE_EXACT,
	    on_health, pb) == -1)
		return -1;
	return 0;
}
