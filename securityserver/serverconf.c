/*
 * serverconf.c: the security server's own configuration database (NOTES.md
 * 4.10): the clients it hosts, their services and the access rights on
 * them. securityserverctl writes it; the daemon reads a snapshot
 * (struct serverconf) and takes a new one when the database changes.
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include <openssl/pem.h>
#include <openssl/x509.h>

#include "certcheck.h"
#include "compat.h"
#include "db.h"
#include "log.h"
#include "securityserverd.h"
#include "xrid.h"

static const char *const serverconf_migrations[] = {
	/* 1: clients, services, access rights, local groups, IS certs. */
	"CREATE TABLE client ("
	"  id INTEGER PRIMARY KEY,"
	"  xid TEXT NOT NULL UNIQUE,"
	"  status TEXT NOT NULL DEFAULT 'registered'"
	"    CHECK (status IN ('saved', 'registered', 'disabled')),"
	"  is_auth TEXT NOT NULL DEFAULT 'NOSSL'"
	"    CHECK (is_auth IN ('NOSSL', 'SSLNOAUTH', 'SSLAUTH')),"
	"  body_logging INTEGER NOT NULL DEFAULT 1);"
	"CREATE TABLE service ("
	"  id INTEGER PRIMARY KEY,"
	"  client_id INTEGER NOT NULL REFERENCES client(id) ON DELETE CASCADE,"
	"  code TEXT NOT NULL,"
	"  version TEXT NOT NULL DEFAULT '',"
	"  kind TEXT NOT NULL CHECK (kind IN ('SOAP', 'REST')),"
	"  url TEXT NOT NULL,"
	"  timeout INTEGER NOT NULL DEFAULT 60,"
	"  disabled INTEGER NOT NULL DEFAULT 0,"
	"  disabled_notice TEXT NOT NULL DEFAULT '',"
	"  description TEXT NOT NULL DEFAULT '',"
	"  UNIQUE (client_id, code));"
	"CREATE TABLE access_right ("
	"  id INTEGER PRIMARY KEY,"
	"  client_id INTEGER NOT NULL REFERENCES client(id) ON DELETE CASCADE,"
	"  service_code TEXT NOT NULL,"
	"  subject TEXT NOT NULL,"
	"  method TEXT NOT NULL DEFAULT '*',"
	"  path TEXT NOT NULL DEFAULT '**',"
	"  granted_at TEXT NOT NULL"
	"    DEFAULT (strftime('%Y-%m-%dT%H:%M:%SZ', 'now')),"
	"  UNIQUE (client_id, service_code, subject, method, path));"
	"CREATE TABLE local_group ("
	"  id INTEGER PRIMARY KEY,"
	"  client_id INTEGER NOT NULL REFERENCES client(id) ON DELETE CASCADE,"
	"  code TEXT NOT NULL,"
	"  description TEXT NOT NULL DEFAULT '',"
	"  UNIQUE (client_id, code));"
	"CREATE TABLE local_group_member ("
	"  group_id INTEGER NOT NULL REFERENCES local_group(id) ON DELETE CASCADE,"
	"  member TEXT NOT NULL,"
	"  PRIMARY KEY (group_id, member));"
	"CREATE TABLE is_cert ("
	"  client_id INTEGER NOT NULL REFERENCES client(id) ON DELETE CASCADE,"
	"  sha256 TEXT NOT NULL,"
	"  PRIMARY KEY (client_id, sha256));"
	"CREATE TABLE audit ("
	"  id INTEGER PRIMARY KEY,"
	"  time TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now')),"
	"  actor TEXT NOT NULL,"
	"  action TEXT NOT NULL,"
	"  detail TEXT NOT NULL);",
	/* 2: the IS certificates themselves, for pinning (SSLAUTH). */
	"ALTER TABLE is_cert ADD COLUMN pem TEXT NOT NULL DEFAULT '';"
};

struct sc_right {
	struct xrid	 r_provider;
	char		*r_service_code;
	struct xrid	 r_subject;
	char		*r_method;
	char		*r_path;
};

struct sc_member {
	struct xrid	 m_provider;
	char		*m_group;
	struct xrid	 m_member;
};

struct serverconf {
	struct sc_client	*sc_clients;
	size_t			 sc_nclients;
	struct sc_service	*sc_services;
	size_t			 sc_nservices;
	struct sc_right		*sc_rights;
	size_t			 sc_nrights;
	struct sc_member	*sc_members;
	size_t			 sc_nmembers;
};

int
serverconf_open(const char *path, int readonly, struct db **out)
{
	struct db *db;

	*out = NULL;
	if (db_open(path, readonly ? DB_READONLY : 0, &db) == -1)
		return -1;
	if (!readonly && db_migrate(db, serverconf_migrations,
	    sizeof(serverconf_migrations) / sizeof(serverconf_migrations[0]))
	    == -1) {
		log_warnx("%s: %s", path, db_last_error(db));
		db_close(db);
		return -1;
	}
	*out = db;
	return 0;
}

static char *
col_strdup(sqlite3_stmt *st, int i)
{
	const unsigned char *s = sqlite3_column_text(st, i);

	return strdup(s != NULL ? (const char *)s : "");
}

static int
is_auth_parse(const char *s)
{
	if (strcmp(s, "SSLAUTH") == 0)
		return SC_SSLAUTH;
	if (strcmp(s, "SSLNOAUTH") == 0)
		return SC_SSLNOAUTH;
	return SC_NOSSL;
}

/* Run sql and grow *arr by elsize for each row, filled by fill(). */
static int
load_rows(struct db *db, const char *sql, void **arr, size_t *n,
    size_t elsize, int (*fill)(sqlite3_stmt *, void *))
{
	sqlite3_stmt	*st = NULL;
	int		 rc;

	if (db_queryf(db, &st, sql, "") == -1)
		return -1;
	while ((rc = db_step(db, st)) == DB_ROW) {
		void *na = reallocarray(*arr, *n + 1, elsize);

		if (na == NULL)
			goto fail;
		*arr = na;
		memset((char *)na + *n * elsize, 0, elsize);
		if (fill(st, (char *)na + *n * elsize) == -1)
			goto fail;
		(*n)++;
	}
	if (rc == DB_ERR)
		goto fail;
	db_finalize(st);
	return 0;
fail:
	db_finalize(st);
	return -1;
}

static int
fill_client(sqlite3_stmt *st, void *p)
{
	struct sc_client	*c = p;
	const char		*xid = (const char *)sqlite3_column_text(st, 0);
	char			 err[XRID_ERR_MAX];

	if (xid == NULL ||
	    xrid_parse_client(&c->c_id, xid, 0, err, sizeof(err)) == -1) {
		log_warnx("serverconf: bad client id: %s", err);
		return -1;
	}
	c->c_status = strcmp((const char *)sqlite3_column_text(st, 1),
	    "registered") == 0 ? SC_REGISTERED : SC_DISABLED;
	c->c_is_auth = is_auth_parse((const char *)sqlite3_column_text(st, 2));
	c->c_body_logging = sqlite3_column_int(st, 3);
	return 0;
}

static int
fill_service(sqlite3_stmt *st, void *p)
{
	struct sc_service	*s = p;
	const char		*xid = (const char *)sqlite3_column_text(st, 0);
	struct xrid		 prov;
	char			 err[XRID_ERR_MAX];

	if (xid == NULL ||
	    xrid_parse_client(&prov, xid, 0, err, sizeof(err)) == -1)
		return -1;
	s->s_id = prov;
	s->s_id.type = XRID_SERVICE;
	if (strlcpy(s->s_id.service_code,
	    (const char *)sqlite3_column_text(st, 1),
	    sizeof(s->s_id.service_code)) >= sizeof(s->s_id.service_code) ||
	    strlcpy(s->s_id.service_version,
	    (const char *)sqlite3_column_text(st, 2),
	    sizeof(s->s_id.service_version)) >= sizeof(s->s_id.service_version))
		return -1;
	s->s_rest = strcmp((const char *)sqlite3_column_text(st, 3),
	    "REST") == 0;
	s->s_url = col_strdup(st, 4);
	s->s_timeout = sqlite3_column_int(st, 5);
	s->s_disabled = sqlite3_column_int(st, 6);
	s->s_disabled_notice = col_strdup(st, 7);
	s->s_description = col_strdup(st, 8);
	if (s->s_url == NULL || s->s_disabled_notice == NULL ||
	    s->s_description == NULL)
		return -1;
	return 0;
}

static int
fill_right(sqlite3_stmt *st, void *p)
{
	struct sc_right	*r = p;
	char		 err[XRID_ERR_MAX];

	if (xrid_parse_client(&r->r_provider,
	    (const char *)sqlite3_column_text(st, 0), 0, err,
	    sizeof(err)) == -1 ||
	    xrid_parse_doc(&r->r_subject,
	    (const char *)sqlite3_column_text(st, 2), 0, err,
	    sizeof(err)) == -1) {
		log_warnx("serverconf: bad access right: %s", err);
		return -1;
	}
	r->r_service_code = col_strdup(st, 1);
	r->r_method = col_strdup(st, 3);
	r->r_path = col_strdup(st, 4);
	if (r->r_service_code == NULL || r->r_method == NULL ||
	    r->r_path == NULL)
		return -1;
	return 0;
}

static int
fill_member(sqlite3_stmt *st, void *p)
{
	struct sc_member	*m = p;
	char			 err[XRID_ERR_MAX];

	if (xrid_parse_client(&m->m_provider,
	    (const char *)sqlite3_column_text(st, 0), 0, err,
	    sizeof(err)) == -1 ||
	    xrid_parse_client(&m->m_member,
	    (const char *)sqlite3_column_text(st, 2), 0, err,
	    sizeof(err)) == -1)
		return -1;
	m->m_group = col_strdup(st, 1);
	return m->m_group == NULL ? -1 : 0;
}

/* The registered IS certificates of each client (SSLAUTH pinning). */
static int
load_is_certs(struct db *db, struct serverconf *sc)
{
	sqlite3_stmt	*st = NULL;
	int		 rc;

	if (db_queryf(db, &st, "SELECT c.xid, i.pem FROM is_cert i JOIN "
	    "client c ON c.id = i.client_id WHERE i.pem <> ''", "") == -1)
		return -1;
	while ((rc = db_step(db, st)) == DB_ROW) {
		const char		*xid = (const char *)
		    sqlite3_column_text(st, 0);
		const void		*pem = sqlite3_column_text(st, 1);
		int			 len = sqlite3_column_bytes(st, 1);
		struct sc_client	*c = NULL;
		struct xrid		 id;
		char			 err[XRID_ERR_MAX];
		BIO			*bio;
		X509			*x;
		size_t			 i;

		if (xrid_parse_client(&id, xid, 0, err, sizeof(err)) == -1)
			continue;
		for (i = 0; i < sc->sc_nclients; i++)
			if (xrid_equal(&sc->sc_clients[i].c_id, &id))
				c = &sc->sc_clients[i];
		if (c == NULL || (bio = BIO_new_mem_buf(pem, len)) == NULL)
			continue;
		x = PEM_read_bio_X509(bio, NULL, NULL, NULL);
		BIO_free(bio);
		if (x == NULL)
			continue;
		if ((c->c_is_certs == NULL &&
		    (c->c_is_certs = sk_X509_new_null()) == NULL) ||
		    sk_X509_push(c->c_is_certs, x) == 0) {
			X509_free(x);
			db_finalize(st);
			return -1;
		}
	}
	db_finalize(st);
	return rc == DB_ERR ? -1 : 0;
}

int
serverconf_load(struct db *db, struct serverconf **out)
{
	struct serverconf *sc;

	*out = NULL;
	if ((sc = calloc(1, sizeof(*sc))) == NULL)
		return -1;
	if (load_rows(db, "SELECT xid, status, is_auth, body_logging "
	    "FROM client ORDER BY xid", (void **)&sc->sc_clients,
	    &sc->sc_nclients, sizeof(struct sc_client), fill_client) == -1 ||
	    load_rows(db, "SELECT c.xid, s.code, s.version, s.kind, s.url, "
	    "s.timeout, s.disabled, s.disabled_notice, s.description "
	    "FROM service s JOIN client c ON c.id = s.client_id "
	    "ORDER BY c.xid, s.code", (void **)&sc->sc_services,
	    &sc->sc_nservices, sizeof(struct sc_service), fill_service) == -1 ||
	    load_rows(db, "SELECT c.xid, a.service_code, a.subject, a.method, "
	    "a.path FROM access_right a JOIN client c ON c.id = a.client_id",
	    (void **)&sc->sc_rights, &sc->sc_nrights,
	    sizeof(struct sc_right), fill_right) == -1 ||
	    load_rows(db, "SELECT c.xid, g.code, m.member "
	    "FROM local_group_member m JOIN local_group g ON g.id = m.group_id "
	    "JOIN client c ON c.id = g.client_id", (void **)&sc->sc_members,
	    &sc->sc_nmembers, sizeof(struct sc_member), fill_member) == -1) {
		log_warnx("serverconf: %s", db_last_error(db));
		serverconf_free(sc);
		return -1;
	}
	if (load_is_certs(db, sc) == -1) {
		log_warnx("serverconf: IS certificates: %s", db_last_error(db));
		serverconf_free(sc);
		return -1;
	}
	*out = sc;
	return 0;
}

void
serverconf_free(struct serverconf *sc)
{
	size_t i;

	if (sc == NULL)
		return;
	for (i = 0; i < sc->sc_nservices; i++) {
		free(sc->sc_services[i].s_url);
		free(sc->sc_services[i].s_disabled_notice);
		free(sc->sc_services[i].s_description);
	}
	for (i = 0; i < sc->sc_nrights; i++) {
		free(sc->sc_rights[i].r_service_code);
		free(sc->sc_rights[i].r_method);
		free(sc->sc_rights[i].r_path);
	}
	for (i = 0; i < sc->sc_nmembers; i++)
		free(sc->sc_members[i].m_group);
	for (i = 0; i < sc->sc_nclients; i++)
		sk_X509_pop_free(sc->sc_clients[i].c_is_certs, X509_free);
	free(sc->sc_clients);
	free(sc->sc_services);
	free(sc->sc_rights);
	free(sc->sc_members);
	free(sc);
}

size_t
serverconf_nclients(const struct serverconf *sc)
{
	return sc->sc_nclients;
}

const struct sc_client *
serverconf_client_at(const struct serverconf *sc, size_t i)
{
	return i < sc->sc_nclients ? &sc->sc_clients[i] : NULL;
}

const struct sc_client *
serverconf_client(const struct serverconf *sc, const struct xrid *id)
{
	size_t i;

	for (i = 0; i < sc->sc_nclients; i++)
		if (xrid_equal(&sc->sc_clients[i].c_id, id))
			return &sc->sc_clients[i];
	return NULL;
}

size_t
serverconf_nservices(const struct serverconf *sc)
{
	return sc->sc_nservices;
}

const struct sc_service *
serverconf_service_at(const struct serverconf *sc, size_t i)
{
	return i < sc->sc_nservices ? &sc->sc_services[i] : NULL;
}

/* Same provider subsystem and service code; the version is not checked. */
const struct sc_service *
serverconf_service(const struct serverconf *sc, const struct xrid *service)
{
	struct xrid	want, have;
	size_t		i;

	xrid_service_unversioned(service, &want);
	for (i = 0; i < sc->sc_nservices; i++) {
		xrid_service_unversioned(&sc->sc_services[i].s_id, &have);
		if (xrid_equal(&want, &have))
			return &sc->sc_services[i];
	}
	return NULL;
}

static int
in_local_group(const struct serverconf *sc, const struct xrid *provider,
    const char *group, const struct xrid *client)
{
	size_t i;

	for (i = 0; i < sc->sc_nmembers; i++) {
		const struct sc_member *m = &sc->sc_members[i];

		if (xrid_equal(&m->m_provider, provider) &&
		    strcmp(m->m_group, group) == 0 &&
		    xrid_equal(&m->m_member, client))
			return 1;
	}
	return 0;
}

static int
subject_matches(const struct serverconf *sc, const struct xrid *provider,
    const struct xrid *subject, const struct xrid *client,
    sc_group_fn in_global_group, void *arg)
{
	switch (subject->type) {
	case XRID_SUBSYSTEM:
	case XRID_MEMBER:
		/* A right for a member covers only the member itself. */
		return xrid_equal(subject, client);
	case XRID_GLOBALGROUP:
		return in_global_group != NULL &&
		    in_global_group(arg, subject, client);
	case XRID_LOCALGROUP:
		return in_local_group(sc, provider, subject->group_code,
		    client);
	default:
		return 0;
	}
}

int
serverconf_allowed(const struct serverconf *sc, const struct xrid *client,
    const struct xrid *service, const char *method, const char *path,
    sc_group_fn in_global_group, void *arg)
{
	struct xrid	provider;
	char		npath[2048];
	size_t		i;

	if (xrid_service_provider(service, &provider) == -1)
		return 0;
	if (path != NULL) {
		if (acl_path_normalize(path, npath, sizeof(npath)) == -1)
			return 0;
	} else
		strlcpy(npath, "/", sizeof(npath));
	for (i = 0; i < sc->sc_nrights; i++) {
		const struct sc_right *r = &sc->sc_rights[i];

		if (!xrid_equal(&r->r_provider, &provider) ||
		    strcmp(r->r_service_code, service->service_code) != 0)
			continue;
		if (!subject_matches(sc, &provider, &r->r_subject, client,
		    in_global_group, arg))
			continue;
		if (method != NULL && (!acl_method_match(r->r_method, method) ||
		    !acl_path_match(r->r_path, npath)))
			continue;
		return 1;
	}
	return 0;
}

/* --- the write side, used by securityserverctl ---------------------- */

int
serverconf_audit(struct db *db, const char *actor, const char *action,
    const char *detail)
{
	return db_execf(db, "INSERT INTO audit (actor, action, detail) "
	    "VALUES (?, ?, ?)", "ttt", actor, action, detail);
}

int
serverconf_client_add(struct db *db, const struct xrid *client,
    const char *is_auth)
{
	char xid[XRID_STR_MAX];

	if (xrid_format(client, 0, xid, sizeof(xid)) == -1)
		return -1;
	return db_execf(db, "INSERT INTO client (xid, is_auth) VALUES (?, ?) "
	    "ON CONFLICT (xid) DO UPDATE SET is_auth = excluded.is_auth",
	    "tt", xid, is_auth);
}

int
serverconf_service_add(struct db *db, const struct xrid *service, int rest,
    const char *url, int timeout, const char *description)
{
	struct xrid	prov;
	char		xid[XRID_STR_MAX];

	if (xrid_service_provider(service, &prov) == -1 ||
	    xrid_format(&prov, 0, xid, sizeof(xid)) == -1)
		return -1;
	return db_execf(db, "INSERT INTO service (client_id, code, version, "
	    "kind, url, timeout, description) SELECT id, ?, ?, ?, ?, ?, ? "
	    "FROM client WHERE xid = ? ON CONFLICT (client_id, code) DO "
	    "UPDATE SET version = excluded.version, kind = excluded.kind, "
	    "url = excluded.url, timeout = excluded.timeout, "
	    "description = excluded.description",
	    "ttttitt", service->service_code, service->service_version,
	    rest ? "REST" : "SOAP", url, timeout,
	    description != NULL ? description : "", xid);
}

int
serverconf_service_enable(struct db *db, const struct xrid *service,
    int enable, const char *notice)
{
	struct xrid	prov;
	char		xid[XRID_STR_MAX];

	if (xrid_service_provider(service, &prov) == -1 ||
	    xrid_format(&prov, 0, xid, sizeof(xid)) == -1)
		return -1;
	return db_execf(db, "UPDATE service SET disabled = ?, "
	    "disabled_notice = ? WHERE code = ? AND client_id = "
	    "(SELECT id FROM client WHERE xid = ?)", "ittt", !enable,
	    notice != NULL ? notice : "", service->service_code, xid);
}

int
serverconf_right_grant(struct db *db, const struct xrid *service,
    const struct xrid *subject, const char *method, const char *path)
{
	struct xrid	prov;
	char		xid[XRID_STR_MAX], subj[XRID_STR_MAX];

	if (xrid_service_provider(service, &prov) == -1 ||
	    xrid_format(&prov, 0, xid, sizeof(xid)) == -1 ||
	    xrid_format_doc(subject, subj, sizeof(subj)) == -1)
		return -1;
	return db_execf(db, "INSERT OR IGNORE INTO access_right (client_id, "
	    "service_code, subject, method, path) SELECT id, ?, ?, ?, ? "
	    "FROM client WHERE xid = ?", "ttttt", service->service_code, subj,
	    method != NULL ? method : "*", path != NULL ? path : "**", xid);
}

int
serverconf_right_revoke(struct db *db, const struct xrid *service,
    const struct xrid *subject, const char *method, const char *path)
{
	struct xrid	prov;
	char		xid[XRID_STR_MAX], subj[XRID_STR_MAX];

	if (xrid_service_provider(service, &prov) == -1 ||
	    xrid_format(&prov, 0, xid, sizeof(xid)) == -1 ||
	    xrid_format_doc(subject, subj, sizeof(subj)) == -1)
		return -1;
	return db_execf(db, "DELETE FROM access_right WHERE service_code = ? "
	    "AND subject = ? AND method = ? AND path = ? AND client_id = "
	    "(SELECT id FROM client WHERE xid = ?)", "ttttt",
	    service->service_code, subj, method != NULL ? method : "*",
	    path != NULL ? path : "**", xid);
}

/* --- the daemon's snapshot ------------------------------------------ */

struct sc_snap *
ssd_serverconf_acquire(struct ssd *sd)
{
	if (sd->sd_sc_snap == NULL)
		return NULL;
	sd->sd_sc_snap->ss_refs++;
	return sd->sd_sc_snap;
}

void
ssd_serverconf_release(struct sc_snap *snap)
{
	if (snap == NULL || --snap->ss_refs > 0)
		return;
	serverconf_free(snap->ss_sc);
	free(snap);
}

/*
 * securityserverctl writes through its own connection; PRAGMA
 * data_version changes on this connection when another one committed, so
 * a cheap periodic look tells when to take a new snapshot.
 */
int
ssd_serverconf_refresh(struct ssd *sd, int force)
{
	struct sc_snap	*snap;
	int64_t		 ver = 0;

	if (db_query_int64(sd->sd_scdb, &ver, "PRAGMA data_version", "") ==
	    DB_ERR)
		return -1;
	if (!force && ver == sd->sd_sc_version)
		return 0;
	if ((snap = calloc(1, sizeof(*snap))) == NULL)
		return -1;
	if (serverconf_load(sd->sd_scdb, &snap->ss_sc) == -1) {
		free(snap);
		log_warnx("serverconf: reload failed, keeping the old one");
		return -1;
	}
	snap->ss_refs = 1;
	ssd_serverconf_release(sd->sd_sc_snap);
	sd->sd_sc_snap = snap;
	sd->sd_sc_version = ver;
	log_debug("serverconf: %zu clients, %zu services",
	    serverconf_nclients(snap->ss_sc),
	    serverconf_nservices(snap->ss_sc));
	return 0;
}

/* Register an IS certificate (PEM) for a client; SSLAUTH pins it. */
int
serverconf_is_cert_add(struct db *db, const struct xrid *client,
    const char *pem)
{
	BIO	*bio;
	X509	*x;
	char	 xid[XRID_STR_MAX], hex[OCSP_SHA256_HEX_LEN + 1];
	int	 rc;

	if (xrid_format(client, 0, xid, sizeof(xid)) == -1)
		return -1;
	if ((bio = BIO_new_mem_buf(pem, -1)) == NULL)
		return -1;
	x = PEM_read_bio_X509(bio, NULL, NULL, NULL);
	BIO_free(bio);
	if (x == NULL || certcheck_sha256_hex(x, hex) == -1) {
		X509_free(x);
		return -1;
	}
	X509_free(x);
	rc = db_execf(db, "INSERT INTO is_cert (client_id, sha256, pem) "
	    "SELECT id, ?, ? FROM client WHERE xid = ? ON CONFLICT DO UPDATE "
	    "SET pem = excluded.pem", "ttt", hex, pem, xid);
	return rc;
}

/* Local groups of a provider client (access-right subjects LOCALGROUP:code). */
int
serverconf_group_add(struct db *db, const struct xrid *provider,
    const char *code, const char *description)
{
	char	xid[XRID_STR_MAX], err[XRID_ERR_MAX];

	if (xrid_check_part(code, 0, err, sizeof(err)) == -1 ||
	    xrid_format(provider, 0, xid, sizeof(xid)) == -1)
		return -1;
	return db_execf(db, "INSERT INTO local_group (client_id, code, "
	    "description) SELECT id, ?, ? FROM client WHERE xid = ? "
	    "ON CONFLICT (client_id, code) DO UPDATE SET description = "
	    "excluded.description", "ttt", code,
	    description != NULL ? description : "", xid);
}

int
serverconf_group_member(struct db *db, const struct xrid *provider,
    const char *code, const struct xrid *member, int add)
{
	char	xid[XRID_STR_MAX], mid[XRID_STR_MAX];

	if (xrid_format(provider, 0, xid, sizeof(xid)) == -1 ||
	    xrid_format(member, 0, mid, sizeof(mid)) == -1)
		return -1;
	if (add)
		return db_execf(db, "INSERT OR IGNORE INTO local_group_member "
		    "(group_id, member) SELECT g.id, ? FROM local_group g JOIN "
		    "client c ON c.id = g.client_id WHERE c.xid = ? AND "
		    "g.code = ?", "ttt", mid, xid, code);
	return db_execf(db, "DELETE FROM local_group_member WHERE member = ? "
	    "AND group_id = (SELECT g.id FROM local_group g JOIN client c ON "
	    "c.id = g.client_id WHERE c.xid = ? AND g.code = ?)", "ttt", mid,
	    xid, code);
}
