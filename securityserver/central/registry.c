/*
 * registry.c: the central server's member registry (SQLite). Each change
 * is checked (identifier syntax, references, certificates) and written
 * with its audit record in one transaction, so a refused command leaves
 * nothing behind.
 */
#include "config.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <libxml/xmlstring.h>
#include <openssl/bio.h>
#include <openssl/pem.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include "buf.h"
#include "compat.h"
#include "db.h"
#include "central.h"

#define REG_CERT_MAX	(1024 * 1024)
#define REG_SETTING_MAX	(31LL * 24 * 3600)

static const char *const reg_migrations[] = {
	/* 1: the registry. */
	"CREATE TABLE meta ("
	"  key TEXT PRIMARY KEY,"
	"  value TEXT NOT NULL);"
	"CREATE TABLE setting ("
	"  name TEXT PRIMARY KEY,"
	"  value INTEGER NOT NULL);"
	"CREATE TABLE member_class ("
	"  code TEXT PRIMARY KEY,"
	"  description TEXT NOT NULL);"
	"CREATE TABLE member ("
	"  id INTEGER PRIMARY KEY,"
	"  class TEXT NOT NULL REFERENCES member_class (code),"
	"  code TEXT NOT NULL,"
	"  name TEXT NOT NULL,"
	"  UNIQUE (class, code));"
	"CREATE TABLE subsystem ("
	"  id INTEGER PRIMARY KEY,"
	"  member_id INTEGER NOT NULL REFERENCES member (id),"
	"  code TEXT NOT NULL,"
	"  UNIQUE (member_id, code));"
	"CREATE TABLE server ("
	"  id INTEGER PRIMARY KEY,"
	"  owner_id INTEGER NOT NULL REFERENCES member (id),"
	"  code TEXT NOT NULL,"
	"  address TEXT,"
	"  UNIQUE (owner_id, code));"
	"CREATE TABLE server_auth_cert ("
	"  server_id INTEGER NOT NULL REFERENCES server (id),"
	"  cert BLOB NOT NULL,"
	"  UNIQUE (server_id, cert));"
	"CREATE TABLE server_client ("
	"  id INTEGER PRIMARY KEY,"
	"  server_id INTEGER NOT NULL REFERENCES server (id),"
	"  member_id INTEGER NOT NULL REFERENCES member (id),"
	"  subsystem_id INTEGER REFERENCES subsystem (id));"
	"CREATE UNIQUE INDEX server_client_u ON server_client"
	"  (server_id, member_id, IFNULL(subsystem_id, 0));"
	"CREATE TABLE ca ("
	"  id INTEGER PRIMARY KEY,"
	"  name TEXT NOT NULL UNIQUE,"
	"  profile TEXT NOT NULL,"
	"  auth_only INTEGER NOT NULL DEFAULT 0);"
	"CREATE TABLE ca_cert ("
	"  id INTEGER PRIMARY KEY,"
	"  ca_id INTEGER NOT NULL REFERENCES ca (id),"
	"  level INTEGER NOT NULL,"
	"  cert BLOB NOT NULL,"
	"  UNIQUE (ca_id, level));"
	"CREATE TABLE ca_ocsp ("
	"  id INTEGER PRIMARY KEY,"
	"  ca_cert_id INTEGER NOT NULL REFERENCES ca_cert (id),"
	"  url TEXT NOT NULL,"
	"  cert BLOB);"
	"CREATE TABLE tsa ("
	"  id INTEGER PRIMARY KEY,"
	"  name TEXT NOT NULL UNIQUE,"
	"  url TEXT NOT NULL,"
	"  cert BLOB NOT NULL);"
	"CREATE TABLE grp ("
	"  id INTEGER PRIMARY KEY,"
	"  code TEXT NOT NULL UNIQUE,"
	"  description TEXT NOT NULL);"
	"CREATE TABLE grp_member ("
	"  id INTEGER PRIMARY KEY,"
	"  grp_id INTEGER NOT NULL REFERENCES grp (id),"
	"  instance TEXT NOT NULL,"
	"  class TEXT NOT NULL,"
	"  code TEXT NOT NULL,"
	"  subsystem TEXT NOT NULL DEFAULT '',"
	"  UNIQUE (grp_id, instance, class, code, subsystem));"
	"CREATE TABLE audit ("
	"  id INTEGER PRIMARY KEY,"
	"  at TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%SZ', 'now')),"
	"  actor TEXT NOT NULL,"
	"  action TEXT NOT NULL,"
	"  detail TEXT NOT NULL);"
};

static void	reg_err(char *, size_t, const char *, ...)
	    __attribute__((format(printf, 3, 4)));

static void
reg_err(char *err, size_t errlen, const char *fmt, ...)
{
	va_list	ap;

	if (err == NULL || errlen == 0)
		return;
	va_start(ap, fmt);
	(void)vsnprintf(err, errlen, fmt, ap);
	va_end(ap);
}

static void
reg_dberr(struct db *db, char *err, size_t errlen)
{
	reg_err(err, errlen, "registry: %s", db_last_error(db));
}

/* An identifier part: X-Road's strict character set. */
static int
reg_check_code(const char *what, const char *s, char *err, size_t errlen)
{
	char	e[XRID_ERR_MAX];

	if (s == NULL || xrid_check_part(s, 0, e, sizeof(e)) == -1) {
		reg_err(err, errlen, "%s '%s': %s", what, s != NULL ? s : "",
		    s != NULL ? e : "missing");
		return -1;
	}
	return 0;
}

/* Free text: UTF-8, no control characters, bounded, maybe not empty. */
static int
reg_check_text(const char *what, const char *s, int empty_ok, char *err,
    size_t errlen)
{
	size_t	i, n;

	if (s == NULL || (!empty_ok && s[0] == '\0')) {
		reg_err(err, errlen, "%s: missing", what);
		return -1;
	}
	n = strlen(s);
	if (n > CENTRAL_TEXT_MAX) {
		reg_err(err, errlen, "%s: longer than %d bytes", what,
		    CENTRAL_TEXT_MAX);
		return -1;
	}
	for (i = 0; i < n; i++)
		if ((unsigned char)s[i] < 0x20 || s[i] == 0x7f) {
			reg_err(err, errlen, "%s: control character", what);
			return -1;
		}
	if (!xmlCheckUTF8((const unsigned char *)s)) {
		reg_err(err, errlen, "%s: not UTF-8", what);
		return -1;
	}
	return 0;
}

static int
reg_check_url(const char *what, const char *s, char *err, size_t errlen)
{
	size_t	i;

	if (reg_check_text(what, s, 0, err, errlen) == -1)
		return -1;
	if (strncmp(s, "http://", 7) != 0 && strncmp(s, "https://", 8) != 0) {
		reg_err(err, errlen, "%s '%s': not an http:// or https:// URL",
		    what, s);
		return -1;
	}
	for (i = 0; s[i] != '\0'; i++)
		if (s[i] == ' ') {
			reg_err(err, errlen, "%s: blank in URL", what);
			return -1;
		}
	return 0;
}

/* A parsed certificate, or NULL with a reason. */
static X509 *
reg_parse_cert(const char *what, const unsigned char *der, size_t len,
    char *err, size_t errlen)
{
	const unsigned char	*p = der;
	X509			*x;

	if (der == NULL || len == 0 || len > REG_CERT_MAX) {
		reg_err(err, errlen, "%s: no certificate", what);
		return NULL;
	}
	x = d2i_X509(NULL, &p, (long)len);
	if (x == NULL || p != der + len) {
		X509_free(x);
		reg_err(err, errlen, "%s: not a DER X.509 certificate", what);
		return NULL;
	}
	return x;
}

int
registry_read_cert(const char *path, unsigned char **der, size_t *len,
    char *err, size_t errlen)
{
	struct buf	*b = NULL;
	BIO		*bio = NULL;
	X509		*x = NULL;
	FILE		*f;
	unsigned char	*out = NULL, *p, chunk[4096];
	size_t		 n;
	int		 dlen, rc = -1;

	*der = NULL;
	*len = 0;
	if (err != NULL && errlen > 0)
		err[0] = '\0';
	if ((f = fopen(path, "rb")) == NULL) {
		reg_err(err, errlen, "%s: cannot open", path);
		return -1;
	}
	if ((b = buf_new(REG_CERT_MAX)) == NULL)
		goto done;
	while ((n = fread(chunk, 1, sizeof(chunk), f)) > 0)
		if (buf_append(b, chunk, n) != 0) {
			reg_err(err, errlen, "%s: too large", path);
			goto done;
		}
	if (ferror(f)) {
		reg_err(err, errlen, "%s: read error", path);
		goto done;
	}
	if ((bio = BIO_new_mem_buf(buf_data(b), (int)buf_len(b))) == NULL)
		goto done;
	x = PEM_read_bio_X509(bio, NULL, NULL, NULL);
	if (x == NULL) {
		const unsigned char *q = buf_data(b);

		x = d2i_X509(NULL, &q, (long)buf_len(b));
	}
	if (x == NULL) {
		reg_err(err, errlen, "%s: not a PEM or DER certificate", path);
		goto done;
	}
	if ((dlen = i2d_X509(x, NULL)) <= 0 ||
	    (out = malloc((size_t)dlen)) == NULL)
		goto done;
	p = out;
	if (i2d_X509(x, &p) != dlen)
		goto done;
	*der = out;
	*len = (size_t)dlen;
	out = NULL;
	rc = 0;
 done:
	if (rc == -1 && (err != NULL && errlen > 0 && err[0] == '\0'))
		reg_err(err, errlen, "%s: cannot read the certificate", path);
	free(out);
	X509_free(x);
	BIO_free(bio);
	buf_free(b);
	fclose(f);
	return rc;
}

/* The registry's instance into buf; -1 if unknown. */
static int
reg_instance(struct db *db, char *buf, size_t len)
{
	char	*v = NULL;
	int	 rc = -1;

	if (db_query_text(db, &v, "SELECT value FROM meta WHERE key = "
	    "'instance'", "") == DB_ROW && v != NULL &&
	    strlcpy(buf, v, len) < len)
		rc = 0;
	free(v);
	return rc;
}

int
registry_open(const char *path, const char *instance, int create,
    struct db **out, char *err, size_t errlen)
{
	struct db	*db = NULL;
	char		 have[XRID_PART_MAX + 1];
	int		 v;

	*out = NULL;
	if (reg_check_code("instance", instance, err, errlen) == -1)
		return -1;
	if (!create && strcmp(path, ":memory:") != 0 &&
	    access(path, F_OK) == -1) {
		reg_err(err, errlen, "%s: no registry (run 'centralserver "
		    "init' first)", path);
		return -1;
	}
	if (db_open(path, 0, &db) == -1) {
		reg_err(err, errlen, "%s: cannot open the database", path);
		return -1;
	}
	if ((v = db_version(db)) == -1) {
		reg_err(err, errlen, "%s: %s", path, db_last_error(db));
		goto fail;
	}
	if (create && v != 0) {
		reg_err(err, errlen, "%s: a registry already exists", path);
		goto fail;
	}
	if (!create && v == 0) {
		reg_err(err, errlen, "%s: no registry (run 'centralserver "
		    "init' first)", path);
		goto fail;
	}
	if (db_migrate(db, reg_migrations, sizeof(reg_migrations) /
	    sizeof(reg_migrations[0])) == -1) {
		reg_err(err, errlen, "%s: %s", path, db_last_error(db));
		goto fail;
	}
	if (create) {
		if (db_begin(db) == -1 ||
		    db_execf(db, "INSERT INTO meta (key, value) VALUES "
		    "('instance', ?)", "t", instance) == -1 ||
		    registry_audit(db, "-", "init", instance) == -1 ||
		    db_commit(db) == -1) {
			reg_err(err, errlen, "%s: %s", path, db_last_error(db));
			db_rollback(db);
			goto fail;
		}
	}
	if (reg_instance(db, have, sizeof(have)) == -1) {
		reg_err(err, errlen, "%s: registry without an instance", path);
		goto fail;
	}
	if (strcmp(have, instance) != 0) {
		reg_err(err, errlen, "%s: registry of instance %s, not %s",
		    path, have, instance);
		goto fail;
	}
	*out = db;
	return 0;
 fail:
	db_close(db);
	return -1;
}

int
registry_audit(struct db *db, const char *actor, const char *action,
    const char *detail)
{
	return db_execf(db, "INSERT INTO audit (actor, action, detail) "
	    "VALUES (?, ?, ?)", "ttt", actor != NULL ? actor : "-", action,
	    detail != NULL ? detail : "");
}

/* Commit the change with its audit record; roll back on any failure. */
static int
reg_commit(struct db *db, const char *actor, const char *action,
    const char *detail, char *err, size_t errlen)
{
	if (registry_audit(db, actor, action, detail) == -1 ||
	    db_commit(db) == -1) {
		reg_dberr(db, err, errlen);
		db_rollback(db);
		return -1;
	}
	return 0;
}

static int
reg_begin(struct db *db, char *err, size_t errlen)
{
	if (db_begin(db) == -1) {
		reg_dberr(db, err, errlen);
		return -1;
	}
	return 0;
}

/* A failed insert: "already exists" for a uniqueness clash. */
static void
reg_insert_err(struct db *db, const char *what, const char *a,
    const char *b, const char *c, char *err, size_t errlen)
{
	if (db_last_errcode(db) != SQLITE_CONSTRAINT)
		reg_dberr(db, err, errlen);
	else if (b == NULL)
		reg_err(err, errlen, "%s %s already exists", what, a);
	else if (c == NULL)
		reg_err(err, errlen, "%s %s/%s already exists", what, a, b);
	else
		reg_err(err, errlen, "%s %s/%s/%s already exists", what, a, b,
		    c);
}

/* Member row id of class/code: DB_ROW, DB_DONE (with a message), DB_ERR. */
static int
reg_member_id(struct db *db, const char *cls, const char *code,
    int64_t *id, char *err, size_t errlen)
{
	int	rc;

	rc = db_query_int64(db, id, "SELECT id FROM member WHERE class = ? "
	    "AND code = ?", "tt", cls, code);
	if (rc == DB_DONE)
		reg_err(err, errlen, "no member %s/%s", cls, code);
	else if (rc == DB_ERR)
		reg_dberr(db, err, errlen);
	return rc;
}

int
registry_class_add(struct db *db, const char *actor, const char *code,
    const char *description, char *err, size_t errlen)
{
	char	detail[CENTRAL_TEXT_MAX + 300];

	if (reg_check_code("member class", code, err, errlen) == -1 ||
	    reg_check_text("description", description, 0, err, errlen) == -1)
		return -1;
	if (reg_begin(db, err, errlen) == -1)
		return -1;
	if (db_execf(db, "INSERT INTO member_class (code, description) "
	    "VALUES (?, ?)", "tt", code, description) == -1) {
		reg_insert_err(db, "member class", code, NULL, NULL, err,
		    errlen);
		goto fail;
	}
	(void)snprintf(detail, sizeof(detail), "%s \"%s\"", code,
	    description);
	return reg_commit(db, actor, "member-class add", detail, err, errlen);
 fail:
	db_rollback(db);
	return -1;
}

int
registry_member_add(struct db *db, const char *actor, const char *cls,
    const char *code, const char *name, char *err, size_t errlen)
{
	char	detail[CENTRAL_TEXT_MAX + 600];
	int64_t	n = 0;

	if (reg_check_code("member class", cls, err, errlen) == -1 ||
	    reg_check_code("member code", code, err, errlen) == -1 ||
	    reg_check_text("name", name, 0, err, errlen) == -1)
		return -1;
	if (reg_begin(db, err, errlen) == -1)
		return -1;
	if (db_query_int64(db, &n, "SELECT COUNT(*) FROM member_class "
	    "WHERE code = ?", "t", cls) != DB_ROW) {
		reg_dberr(db, err, errlen);
		goto fail;
	}
	if (n == 0) {
		reg_err(err, errlen, "no member class %s (add it with "
		    "'member-class add')", cls);
		goto fail;
	}
	if (db_execf(db, "INSERT INTO member (class, code, name) VALUES "
	    "(?, ?, ?)", "ttt", cls, code, name) == -1) {
		reg_insert_err(db, "member", cls, code, NULL, err, errlen);
		goto fail;
	}
	(void)snprintf(detail, sizeof(detail), "%s/%s \"%s\"", cls, code,
	    name);
	return reg_commit(db, actor, "member add", detail, err, errlen);
 fail:
	db_rollback(db);
	return -1;
}

int
registry_subsystem_add(struct db *db, const char *actor, const char *cls,
    const char *code, const char *sub, char *err, size_t errlen)
{
	char	detail[3 * (XRID_PART_MAX + 1)];
	int64_t	mid;

	if (reg_check_code("member class", cls, err, errlen) == -1 ||
	    reg_check_code("member code", code, err, errlen) == -1 ||
	    reg_check_code("subsystem code", sub, err, errlen) == -1)
		return -1;
	if (reg_begin(db, err, errlen) == -1)
		return -1;
	if (reg_member_id(db, cls, code, &mid, err, errlen) != DB_ROW)
		goto fail;
	if (db_execf(db, "INSERT INTO subsystem (member_id, code) VALUES "
	    "(?, ?)", "It", mid, sub) == -1) {
		reg_insert_err(db, "subsystem", cls, code, sub, err, errlen);
		goto fail;
	}
	(void)snprintf(detail, sizeof(detail), "%s/%s/%s", cls, code, sub);
	return reg_commit(db, actor, "subsystem add", detail, err, errlen);
 fail:
	db_rollback(db);
	return -1;
}

static int
reg_check_address(const char *s, char *err, size_t errlen)
{
	size_t	i;

	if (reg_check_text("address", s, 0, err, errlen) == -1)
		return -1;
	if (strlen(s) > 255) {
		reg_err(err, errlen, "address: longer than 255 bytes");
		return -1;
	}
	for (i = 0; s[i] != '\0'; i++)
		if (s[i] == ' ' || s[i] == '/' || s[i] == '\\' ||
		    (unsigned char)s[i] >= 0x80) {
			reg_err(err, errlen, "address '%s': not HOST or "
			    "HOST:PORT", s);
			return -1;
		}
	return 0;
}

int
registry_server_add(struct db *db, const char *actor, const char *cls,
    const char *code, const char *server_code, const char *address,
    const unsigned char *auth_der, size_t auth_len, char *err, size_t errlen)
{
	char	 detail[4 * (XRID_PART_MAX + 1) + 64];
	X509	*x;
	int64_t	 mid, sid;

	if (reg_check_code("owner class", cls, err, errlen) == -1 ||
	    reg_check_code("owner code", code, err, errlen) == -1 ||
	    reg_check_code("server code", server_code, err, errlen) == -1)
		return -1;
	if (address != NULL && reg_check_address(address, err, errlen) == -1)
		return -1;
	if (auth_der != NULL) {
		if ((x = reg_parse_cert("auth cert", auth_der, auth_len, err,
		    errlen)) == NULL)
			return -1;
		X509_free(x);
	}
	if (reg_begin(db, err, errlen) == -1)
		return -1;
	if (reg_member_id(db, cls, code, &mid, err, errlen) != DB_ROW)
		goto fail;
	if (db_execf(db, "INSERT INTO server (owner_id, code, address) "
	    "VALUES (?, ?, ?)", "Itt", mid, server_code, address) == -1) {
		reg_insert_err(db, "security server", cls, code, server_code,
		    err, errlen);
		goto fail;
	}
	sid = db_last_insert_id(db);
	if (auth_der != NULL && db_execf(db, "INSERT INTO server_auth_cert "
	    "(server_id, cert) VALUES (?, ?)", "Ib", sid, auth_der,
	    auth_len) == -1) {
		reg_dberr(db, err, errlen);
		goto fail;
	}
	/* The owner is a client of its own server, as X-Road has it. */
	if (db_execf(db, "INSERT INTO server_client (server_id, member_id) "
	    "VALUES (?, ?)", "II", sid, mid) == -1) {
		reg_dberr(db, err, errlen);
		goto fail;
	}
	(void)snprintf(detail, sizeof(detail), "%s/%s/%s %s%s", cls, code,
	    server_code, address != NULL ? address : "-",
	    auth_der != NULL ? " +auth-cert" : "");
	return reg_commit(db, actor, "server add", detail, err, errlen);
 fail:
	db_rollback(db);
	return -1;
}

/* Row ids of a client of this instance: member and subsystem (0: none). */
static int
reg_client_ids(struct db *db, const struct xrid *c, int64_t *mid,
    int64_t *sid, char *err, size_t errlen)
{
	int	rc;

	*sid = 0;
	if (reg_member_id(db, c->member_class, c->member_code, mid, err,
	    errlen) != DB_ROW)
		return -1;
	if (c->type != XRID_SUBSYSTEM)
		return 0;
	rc = db_query_int64(db, sid, "SELECT id FROM subsystem WHERE "
	    "member_id = ? AND code = ?", "It", *mid, c->subsystem_code);
	if (rc == DB_DONE)
		reg_err(err, errlen, "no subsystem %s/%s/%s", c->member_class,
		    c->member_code, c->subsystem_code);
	else if (rc == DB_ERR)
		reg_dberr(db, err, errlen);
	return rc == DB_ROW ? 0 : -1;
}

static int
reg_check_instance(struct db *db, const struct xrid *x, char *err,
    size_t errlen)
{
	char	inst[XRID_PART_MAX + 1];

	if (reg_instance(db, inst, sizeof(inst)) == -1) {
		reg_dberr(db, err, errlen);
		return -1;
	}
	if (strcmp(inst, x->instance) != 0) {
		reg_err(err, errlen, "instance %s is not this registry's (%s)",
		    x->instance, inst);
		return -1;
	}
	return 0;
}

int
registry_server_client(struct db *db, const char *actor, int add,
    const struct xrid *server, const struct xrid *client, char *err,
    size_t errlen)
{
	char	s[XRID_STR_MAX], c[XRID_STR_MAX], detail[2 * XRID_STR_MAX + 2];
	int64_t	owner, srv, mid, sid;
	int	rc;

	if (err != NULL && errlen > 0)
		err[0] = '\0';
	if (server->type != XRID_SERVER || (client->type != XRID_MEMBER &&
	    client->type != XRID_SUBSYSTEM) ||
	    xrid_validate(server, 0, err, errlen) == -1 ||
	    xrid_validate(client, 0, err, errlen) == -1) {
		if (err != NULL && errlen > 0 && err[0] == '\0')
			reg_err(err, errlen, "need a server and a client id");
		return -1;
	}
	if (xrid_format(server, 0, s, sizeof(s)) == -1 ||
	    xrid_format(client, 0, c, sizeof(c)) == -1) {
		reg_err(err, errlen, "identifier too long");
		return -1;
	}
	if (reg_begin(db, err, errlen) == -1)
		return -1;
	if (reg_check_instance(db, server, err, errlen) == -1 ||
	    reg_check_instance(db, client, err, errlen) == -1)
		goto fail;
	if (reg_member_id(db, server->member_class, server->member_code,
	    &owner, err, errlen) != DB_ROW)
		goto fail;
	rc = db_query_int64(db, &srv, "SELECT id FROM server WHERE "
	    "owner_id = ? AND code = ?", "It", owner, server->server_code);
	if (rc != DB_ROW) {
		if (rc == DB_DONE)
			reg_err(err, errlen, "no security server %s", s);
		else
			reg_dberr(db, err, errlen);
		goto fail;
	}
	if (reg_client_ids(db, client, &mid, &sid, err, errlen) == -1)
		goto fail;
	if (add) {
		if (db_execf(db, "INSERT INTO server_client (server_id, "
		    "member_id, subsystem_id) VALUES (?, ?, ?)",
		    sid != 0 ? "III" : "IIn", srv, mid, sid) == -1) {
			if (db_last_errcode(db) == SQLITE_CONSTRAINT)
				reg_err(err, errlen, "%s is already a client "
				    "of %s", c, s);
			else
				reg_dberr(db, err, errlen);
			goto fail;
		}
	} else {
		if (db_execf(db, "DELETE FROM server_client WHERE "
		    "server_id = ? AND member_id = ? AND "
		    "IFNULL(subsystem_id, 0) = ?", "III", srv, mid,
		    sid) == -1) {
			reg_dberr(db, err, errlen);
			goto fail;
		}
		if (db_changes(db) == 0) {
			reg_err(err, errlen, "%s is not a client of %s", c, s);
			goto fail;
		}
	}
	(void)snprintf(detail, sizeof(detail), "%s %s", s, c);
	return reg_commit(db, actor, add ? "server client-add" :
	    "server client-remove", detail, err, errlen);
 fail:
	db_rollback(db);
	return -1;
}

static int
reg_check_ocsp(const struct registry_ocsp *o, char *err, size_t errlen)
{
	X509	*x;

	if (reg_check_url("OCSP URL", o->ro_url, err, errlen) == -1)
		return -1;
	if (o->ro_der != NULL) {
		if ((x = reg_parse_cert("OCSP responder cert", o->ro_der,
		    o->ro_len, err, errlen)) == NULL)
			return -1;
		X509_free(x);
	}
	return 0;
}

/* Check the chain of CA certificates: CAs, each issued by the one before. */
static int
reg_check_ca_levels(const struct registry_ca_level *lv, size_t n, char *err,
    size_t errlen)
{
	X509	*prev = NULL, *x = NULL;
	size_t	 i, j;
	int	 rc = -1;

	if (n == 0 || n > 16) {
		reg_err(err, errlen, "a CA needs a top CA certificate (and at "
		    "most 15 intermediates)");
		return -1;
	}
	for (i = 0; i < n; i++) {
		if ((x = reg_parse_cert(i == 0 ? "top CA cert" :
		    "intermediate CA cert", lv[i].rl_der, lv[i].rl_len, err,
		    errlen)) == NULL)
			goto done;
		if (X509_check_ca(x) == 0) {
			reg_err(err, errlen, "%s is not a CA certificate",
			    i == 0 ? "top CA cert" : "intermediate CA cert");
			goto done;
		}
		if (prev != NULL && X509_check_issued(prev, x) != X509_V_OK) {
			reg_err(err, errlen, "intermediate CA cert %zu is not "
			    "issued by the certificate before it", i);
			goto done;
		}
		for (j = 0; j < lv[i].rl_nocsp; j++)
			if (reg_check_ocsp(&lv[i].rl_ocsp[j], err, errlen) ==
			    -1)
				goto done;
		X509_free(prev);
		prev = x;
		x = NULL;
	}
	rc = 0;
 done:
	X509_free(prev);
	X509_free(x);
	return rc;
}

int
registry_ca_add(struct db *db, const char *actor, const char *name,
    const struct registry_ca_level *lv, size_t n, const char *profile,
    int auth_only, char *err, size_t errlen)
{
	char	detail[CENTRAL_TEXT_MAX + 64];
	int64_t	caid, certid;
	size_t	i, j;

	if (profile == NULL)
		profile = CENTRAL_DEFAULT_PROFILE;
	if (reg_check_text("CA name", name, 0, err, errlen) == -1 ||
	    reg_check_text("profile", profile, 0, err, errlen) == -1 ||
	    reg_check_ca_levels(lv, n, err, errlen) == -1)
		return -1;
	if (reg_begin(db, err, errlen) == -1)
		return -1;
	if (db_execf(db, "INSERT INTO ca (name, profile, auth_only) VALUES "
	    "(?, ?, ?)", "tti", name, profile, auth_only ? 1 : 0) == -1) {
		reg_insert_err(db, "CA", name, NULL, NULL, err, errlen);
		goto fail;
	}
	caid = db_last_insert_id(db);
	for (i = 0; i < n; i++) {
		if (db_execf(db, "INSERT INTO ca_cert (ca_id, level, cert) "
		    "VALUES (?, ?, ?)", "Iib", caid, (int)i, lv[i].rl_der,
		    lv[i].rl_len) == -1) {
			reg_dberr(db, err, errlen);
			goto fail;
		}
		certid = db_last_insert_id(db);
		for (j = 0; j < lv[i].rl_nocsp; j++)
			if (db_execf(db, "INSERT INTO ca_ocsp (ca_cert_id, "
			    "url, cert) VALUES (?, ?, ?)", "Itb", certid,
			    lv[i].rl_ocsp[j].ro_url, lv[i].rl_ocsp[j].ro_der,
			    lv[i].rl_ocsp[j].ro_len) == -1) {
				reg_dberr(db, err, errlen);
				goto fail;
			}
	}
	(void)snprintf(detail, sizeof(detail), "\"%s\" levels %zu%s", name, n,
	    auth_only ? " auth-only" : "");
	return reg_commit(db, actor, "ca add", detail, err, errlen);
 fail:
	db_rollback(db);
	return -1;
}

int
registry_tsa_add(struct db *db, const char *actor, const char *name,
    const char *url, const unsigned char *der, size_t len, char *err,
    size_t errlen)
{
	char	 detail[2 * CENTRAL_TEXT_MAX + 8];
	X509	*x;

	if (reg_check_text("TSA name", name, 0, err, errlen) == -1 ||
	    reg_check_url("TSA URL", url, err, errlen) == -1)
		return -1;
	if ((x = reg_parse_cert("TSA cert", der, len, err, errlen)) == NULL)
		return -1;
	X509_free(x);
	if (reg_begin(db, err, errlen) == -1)
		return -1;
	if (db_execf(db, "INSERT INTO tsa (name, url, cert) VALUES (?, ?, ?)",
	    "ttb", name, url, der, len) == -1) {
		reg_insert_err(db, "TSA", name, NULL, NULL, err, errlen);
		db_rollback(db);
		return -1;
	}
	(void)snprintf(detail, sizeof(detail), "\"%s\" %s", name, url);
	return reg_commit(db, actor, "tsa add", detail, err, errlen);
}

int
registry_group_add(struct db *db, const char *actor, const char *code,
    const char *description, char *err, size_t errlen)
{
	char	detail[CENTRAL_TEXT_MAX + 300];

	if (reg_check_code("group code", code, err, errlen) == -1 ||
	    reg_check_text("description", description, 0, err, errlen) == -1)
		return -1;
	if (strcmp(code, CENTRAL_OWNERS_GROUP) == 0) {
		reg_err(err, errlen, "group %s is reserved: it lists the "
		    "security server owners by itself", code);
		return -1;
	}
	if (reg_begin(db, err, errlen) == -1)
		return -1;
	if (db_execf(db, "INSERT INTO grp (code, description) VALUES (?, ?)",
	    "tt", code, description) == -1) {
		reg_insert_err(db, "global group", code, NULL, NULL, err,
		    errlen);
		db_rollback(db);
		return -1;
	}
	(void)snprintf(detail, sizeof(detail), "%s \"%s\"", code, description);
	return reg_commit(db, actor, "group add", detail, err, errlen);
}

int
registry_group_member(struct db *db, const char *actor, int add,
    const char *code, const struct xrid *c, char *err, size_t errlen)
{
	char	inst[XRID_PART_MAX + 1], cs[XRID_STR_MAX];
	char	detail[XRID_STR_MAX + XRID_PART_MAX + 2];
	int64_t	gid, mid, sid;
	int	rc;

	if (reg_check_code("group code", code, err, errlen) == -1)
		return -1;
	if (err != NULL && errlen > 0)
		err[0] = '\0';
	if ((c->type != XRID_MEMBER && c->type != XRID_SUBSYSTEM) ||
	    xrid_validate(c, 0, err, errlen) == -1 ||
	    xrid_format(c, 0, cs, sizeof(cs)) == -1) {
		if (err != NULL && errlen > 0 && err[0] == '\0')
			reg_err(err, errlen, "need a member or subsystem id");
		return -1;
	}
	if (strcmp(code, CENTRAL_OWNERS_GROUP) == 0) {
		reg_err(err, errlen, "group %s is kept by the central server",
		    code);
		return -1;
	}
	if (reg_begin(db, err, errlen) == -1)
		return -1;
	rc = db_query_int64(db, &gid, "SELECT id FROM grp WHERE code = ?",
	    "t", code);
	if (rc != DB_ROW) {
		if (rc == DB_DONE)
			reg_err(err, errlen, "no global group %s", code);
		else
			reg_dberr(db, err, errlen);
		goto fail;
	}
	if (reg_instance(db, inst, sizeof(inst)) == -1) {
		reg_dberr(db, err, errlen);
		goto fail;
	}
	/* Clients of this instance must exist; others are taken as given. */
	if (add && strcmp(inst, c->instance) == 0 &&
	    reg_client_ids(db, c, &mid, &sid, err, errlen) == -1)
		goto fail;
	if (add) {
		if (db_execf(db, "INSERT INTO grp_member (grp_id, instance, "
		    "class, code, subsystem) VALUES (?, ?, ?, ?, ?)", "Itttt",
		    gid, c->instance, c->member_class, c->member_code,
		    c->type == XRID_SUBSYSTEM ? c->subsystem_code : "") == -1) {
			if (db_last_errcode(db) == SQLITE_CONSTRAINT)
				reg_err(err, errlen, "%s is already in group "
				    "%s", cs, code);
			else
				reg_dberr(db, err, errlen);
			goto fail;
		}
	} else {
		if (db_execf(db, "DELETE FROM grp_member WHERE grp_id = ? AND "
		    "instance = ? AND class = ? AND code = ? AND "
		    "subsystem = ?", "Itttt", gid, c->instance,
		    c->member_class, c->member_code,
		    c->type == XRID_SUBSYSTEM ? c->subsystem_code : "") == -1) {
			reg_dberr(db, err, errlen);
			goto fail;
		}
		if (db_changes(db) == 0) {
			reg_err(err, errlen, "%s is not in group %s", cs, code);
			goto fail;
		}
	}
	(void)snprintf(detail, sizeof(detail), "%s %s", code, cs);
	return reg_commit(db, actor, add ? "group member-add" :
	    "group member-remove", detail, err, errlen);
 fail:
	db_rollback(db);
	return -1;
}

static int
reg_setting_known(const char *name)
{
	return name != NULL && (strcmp(name, CENTRAL_SET_OCSP_FRESHNESS) == 0 ||
	    strcmp(name, CENTRAL_SET_TS_INTERVAL) == 0);
}

int
registry_set(struct db *db, const char *actor, const char *name,
    long long value, char *err, size_t errlen)
{
	char	detail[128];

	if (!reg_setting_known(name)) {
		reg_err(err, errlen, "unknown setting '%s' (%s or %s)",
		    name != NULL ? name : "", CENTRAL_SET_OCSP_FRESHNESS,
		    CENTRAL_SET_TS_INTERVAL);
		return -1;
	}
	if (value < 1 || value > REG_SETTING_MAX) {
		reg_err(err, errlen, "%s: %lld is out of range (1 .. %lld "
		    "seconds)", name, value, REG_SETTING_MAX);
		return -1;
	}
	if (reg_begin(db, err, errlen) == -1)
		return -1;
	if (db_execf(db, "INSERT INTO setting (name, value) VALUES (?, ?) "
	    "ON CONFLICT (name) DO UPDATE SET value = excluded.value", "tI",
	    name, (int64_t)value) == -1) {
		reg_dberr(db, err, errlen);
		db_rollback(db);
		return -1;
	}
	(void)snprintf(detail, sizeof(detail), "%s %lld", name, value);
	return reg_commit(db, actor, "set", detail, err, errlen);
}

int
registry_get(struct db *db, const char *name, long long *value)
{
	int64_t	v;
	int	rc;

	if (!reg_setting_known(name))
		return -1;
	rc = db_query_int64(db, &v, "SELECT value FROM setting WHERE "
	    "name = ?", "t", name);
	if (rc == DB_ERR)
		return -1;
	if (rc == DB_DONE)
		return 0;
	*value = (long long)v;
	return 1;
}

/* Print every row of a query, columns tab-separated, after a prefix. */
static int
reg_rows(struct db *db, FILE *f, const char *prefix, const char *sql)
{
	sqlite3_stmt	*st;
	int		 i, n, rc;

	if (db_queryf(db, &st, sql, "") == -1)
		return -1;
	n = sqlite3_column_count(st);
	while ((rc = db_step(db, st)) == DB_ROW) {
		fputs(prefix, f);
		for (i = 0; i < n; i++) {
			const unsigned char *t = sqlite3_column_text(st, i);

			fprintf(f, "%s%s", i ? "\t" : "", t != NULL ?
			    (const char *)t : "");
		}
		fputc('\n', f);
	}
	db_finalize(st);
	return rc == DB_ERR ? -1 : 0;
}

int
registry_print(struct db *db, int audit, FILE *f)
{
	char	inst[XRID_PART_MAX + 1];
	int	rc = 0;

	if (audit)
		return reg_rows(db, f, "", "SELECT at, actor, action, detail "
		    "FROM audit ORDER BY id");
	if (reg_instance(db, inst, sizeof(inst)) == -1)
		return -1;
	fprintf(f, "instance %s\n", inst);
	fprintf(f, "settings:\n");
	rc |= reg_rows(db, f, "  ", "SELECT name, value FROM setting "
	    "ORDER BY name");
	fprintf(f, "member classes:\n");
	rc |= reg_rows(db, f, "  ", "SELECT code, description FROM "
	    "member_class ORDER BY code");
	fprintf(f, "members:\n");
	rc |= reg_rows(db, f, "  ", "SELECT class || '/' || code, name FROM "
	    "member ORDER BY class, code");
	fprintf(f, "subsystems:\n");
	rc |= reg_rows(db, f, "  ", "SELECT m.class || '/' || m.code || '/' "
	    "|| s.code FROM subsystem s JOIN member m ON m.id = s.member_id "
	    "ORDER BY 1");
	fprintf(f, "security servers:\n");
	rc |= reg_rows(db, f, "  ", "SELECT m.class || '/' || m.code || '/' "
	    "|| v.code, IFNULL(v.address, '-'), (SELECT COUNT(*) FROM "
	    "server_auth_cert a WHERE a.server_id = v.id) || ' auth cert(s)' "
	    "FROM server v JOIN member m ON m.id = v.owner_id ORDER BY 1");
	fprintf(f, "security server clients:\n");
	rc |= reg_rows(db, f, "  ", "SELECT om.class || '/' || om.code || "
	    "'/' || v.code, m.class || '/' || m.code || IFNULL('/' || s.code, "
	    "'') FROM server_client c JOIN server v ON v.id = c.server_id "
	    "JOIN member om ON om.id = v.owner_id JOIN member m ON m.id = "
	    "c.member_id LEFT JOIN subsystem s ON s.id = c.subsystem_id "
	    "ORDER BY 1, 2");
	fprintf(f, "approved CAs:\n");
	rc |= reg_rows(db, f, "  ", "SELECT a.name, (SELECT COUNT(*) FROM "
	    "ca_cert c WHERE c.ca_id = a.id) || ' cert(s)', (SELECT "
	    "group_concat(o.url, ' ') FROM ca_ocsp o JOIN ca_cert c ON c.id = "
	    "o.ca_cert_id WHERE c.ca_id = a.id), CASE a.auth_only WHEN 1 THEN "
	    "'auth-only' ELSE '' END FROM ca a ORDER BY a.name");
	fprintf(f, "approved TSAs:\n");
	rc |= reg_rows(db, f, "  ", "SELECT name, url FROM tsa ORDER BY name");
	fprintf(f, "global groups:\n");
	rc |= reg_rows(db, f, "  ", "SELECT code, description FROM grp "
	    "ORDER BY code");
	fprintf(f, "global group members:\n");
	rc |= reg_rows(db, f, "  ", "SELECT g.code, m.instance || '/' || "
	    "m.class || '/' || m.code || CASE m.subsystem WHEN '' THEN '' "
	    "ELSE '/' || m.subsystem END FROM grp_member m JOIN grp g ON "
	    "g.id = m.grp_id ORDER BY 1, 2");
	return rc != 0 ? -1 : 0;
}
