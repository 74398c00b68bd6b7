/*
 * db.c: SQLite helpers (see db.h).
 */
#include "config.h"

#include <limits.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sqlite3.h>

#include "compat.h"
#include "db.h"
#include "log.h"

struct db {
	sqlite3	*db_sql;
	int	 db_errcode;
	char	 db_err[512];
};

static void	db_failx(struct db *, int, const char *, ...)
		    __attribute__((format(printf, 3, 4)));

/* Record our own error message. */
static void
db_failx(struct db *db, int code, const char *fmt, ...)
{
	va_list	ap;

	va_start(ap, fmt);
	(void)vsnprintf(db->db_err, sizeof(db->db_err), fmt, ap);
	va_end(ap);
	db->db_errcode = code;
}

/* The start of an SQL text on one line, for messages. */
static const char *
sql_brief(const char *sql, char *out, size_t len)
{
	size_t	i;

	for (i = 0; i + 1 < len && sql[i] != '\0'; i++)
		out[i] = (sql[i] == '\n' || sql[i] == '\t') ? ' ' : sql[i];
	out[i] = '\0';
	if (sql[i] != '\0' && i >= 3)
		memcpy(out + i - 3, "...", 3);
	return out;
}

/* Record SQLite's error for a statement. */
static void
db_fail(struct db *db, int code, const char *sql)
{
	char	brief[80];

	db_failx(db, code & 0xff, "%s: %s",
	    sql_brief(sql != NULL ? sql : "", brief, sizeof(brief)),
	    sqlite3_errmsg(db->db_sql));
}

sqlite3 *
db_handle(struct db *db)
{
	return db->db_sql;
}

const char *
db_last_error(struct db *db)
{
	return db->db_err[0] != '\0' ? db->db_err : "no error";
}

int
db_last_errcode(struct db *db)
{
	return db->db_errcode;
}

int
db_exec(struct db *db, const char *sql)
{
	int	rc;

	if ((rc = sqlite3_exec(db->db_sql, sql, NULL, NULL, NULL)) !=
	    SQLITE_OK) {
		db_fail(db, rc, sql);
		return -1;
	}
	return 0;
}

int
db_prepare(struct db *db, sqlite3_stmt **out, const char *sql)
{
	sqlite3_stmt	*st = NULL;
	const char	*tail = NULL;
	int		 rc;

	*out = NULL;
	rc = sqlite3_prepare_v2(db->db_sql, sql, -1, &st, &tail);
	if (rc != SQLITE_OK) {
		db_fail(db, rc, sql);
		return -1;
	}
	if (st == NULL) {
		db_failx(db, SQLITE_MISUSE, "empty statement");
		return -1;
	}
	if (tail != NULL && tail[strspn(tail, " \t\r\n;")] != '\0') {
		sqlite3_finalize(st);
		db_failx(db, SQLITE_MISUSE, "%s: more than one statement",
		    sql);
		return -1;
	}
	*out = st;
	return 0;
}

/* Bind fmt's parameters in order. how: SQLITE_STATIC or SQLITE_TRANSIENT. */
static int
db_vbind(struct db *db, sqlite3_stmt *st, const char *fmt, va_list ap,
    sqlite3_destructor_type how)
{
	const char	*s;
	const void	*p;
	size_t		 len, nfmt = strlen(fmt);
	int		 rc = SQLITE_OK, idx;

	if (nfmt != (size_t)sqlite3_bind_parameter_count(st)) {
		db_failx(db, SQLITE_RANGE, "%s: statement has %d parameters, "
		    "format \"%s\" has %zu", sqlite3_sql(st),
		    sqlite3_bind_parameter_count(st), fmt, nfmt);
		return -1;
	}
	for (idx = 1; *fmt != '\0'; fmt++, idx++) {
		switch (*fmt) {
		case 't':
			s = va_arg(ap, const char *);
			rc = s == NULL ? sqlite3_bind_null(st, idx) :
			    sqlite3_bind_text(st, idx, s, -1, how);
			break;
		case 'T':
			s = va_arg(ap, const char *);
			len = va_arg(ap, size_t);
			rc = s == NULL ? sqlite3_bind_null(st, idx) :
			    sqlite3_bind_text64(st, idx, s, len, how,
			    SQLITE_UTF8);
			break;
		case 'b':
			p = va_arg(ap, const void *);
			len = va_arg(ap, size_t);
			rc = p == NULL ? sqlite3_bind_null(st, idx) :
			    sqlite3_bind_blob64(st, idx, p, len, how);
			break;
		case 'i':
			rc = sqlite3_bind_int(st, idx, va_arg(ap, int));
			break;
		case 'I':
			rc = sqlite3_bind_int64(st, idx,
			    (sqlite3_int64)va_arg(ap, int64_t));
			break;
		case 'n':
			rc = sqlite3_bind_null(st, idx);
			break;
		default:
			db_failx(db, SQLITE_MISUSE, "%s: bad parameter type "
			    "'%c'", sqlite3_sql(st), *fmt);
			return -1;
		}
		if (rc != SQLITE_OK) {
			db_fail(db, rc, sqlite3_sql(st));
			return -1;
		}
	}
	return 0;
}

static int
db_vprepare(struct db *db, sqlite3_stmt **out, const char *sql,
    const char *fmt, va_list ap, sqlite3_destructor_type how)
{
	sqlite3_stmt	*st;

	*out = NULL;
	if (db_prepare(db, &st, sql) == -1)
		return -1;
	if (db_vbind(db, st, fmt, ap, how) == -1) {
		sqlite3_finalize(st);
		return -1;
	}
	*out = st;
	return 0;
}

int
db_bindf(struct db *db, sqlite3_stmt *st, const char *fmt, ...)
{
	va_list	ap;
	int	rc;

	sqlite3_reset(st);
	sqlite3_clear_bindings(st);
	va_start(ap, fmt);
	rc = db_vbind(db, st, fmt, ap, SQLITE_TRANSIENT);
	va_end(ap);
	return rc;
}

int
db_step(struct db *db, sqlite3_stmt *st)
{
	int	rc;

	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW)
		return DB_ROW;
	if (rc == SQLITE_DONE)
		return DB_DONE;
	db_fail(db, rc, sqlite3_sql(st));
	return DB_ERR;
}

void
db_finalize(sqlite3_stmt *st)
{
	sqlite3_finalize(st);
}

int
db_execf(struct db *db, const char *sql, const char *fmt, ...)
{
	sqlite3_stmt	*st;
	va_list		 ap;
	int		 rc;

	va_start(ap, fmt);
	/* SQLITE_STATIC: the values outlive the statement here. */
	rc = db_vprepare(db, &st, sql, fmt, ap, SQLITE_STATIC);
	va_end(ap);
	if (rc == -1)
		return -1;
	while ((rc = db_step(db, st)) == DB_ROW)
		;
	sqlite3_finalize(st);
	return rc == DB_DONE ? 0 : -1;
}

int
db_queryf(struct db *db, sqlite3_stmt **out, const char *sql,
    const char *fmt, ...)
{
	va_list	ap;
	int	rc;

	va_start(ap, fmt);
	rc = db_vprepare(db, out, sql, fmt, ap, SQLITE_TRANSIENT);
	va_end(ap);
	return rc;
}

int
db_query_int64(struct db *db, int64_t *out, const char *sql,
    const char *fmt, ...)
{
	sqlite3_stmt	*st;
	va_list		 ap;
	int		 rc;

	va_start(ap, fmt);
	rc = db_vprepare(db, &st, sql, fmt, ap, SQLITE_STATIC);
	va_end(ap);
	if (rc == -1)
		return DB_ERR;
	if ((rc = db_step(db, st)) == DB_ROW)
		*out = (int64_t)sqlite3_column_int64(st, 0);
	sqlite3_finalize(st);
	return rc;
}

int
db_query_text(struct db *db, char **out, const char *sql, const char *fmt,
    ...)
{
	sqlite3_stmt		*st;
	const unsigned char	*t;
	char			*copy = NULL;
	va_list			 ap;
	int			 rc, len;

	va_start(ap, fmt);
	rc = db_vprepare(db, &st, sql, fmt, ap, SQLITE_STATIC);
	va_end(ap);
	if (rc == -1)
		return DB_ERR;
	if ((rc = db_step(db, st)) == DB_ROW &&
	    sqlite3_column_type(st, 0) != SQLITE_NULL) {
		t = sqlite3_column_text(st, 0);
		len = sqlite3_column_bytes(st, 0);
		if (t == NULL || (copy = malloc((size_t)len + 1)) == NULL) {
			db_failx(db, SQLITE_NOMEM, "%s: out of memory", sql);
			sqlite3_finalize(st);
			return DB_ERR;
		}
		memcpy(copy, t, (size_t)len);
		copy[len] = '\0';
	}
	if (rc == DB_ROW)
		*out = copy;
	sqlite3_finalize(st);
	return rc;
}

int
db_begin(struct db *db)
{
	return db_exec(db, "BEGIN IMMEDIATE");
}

int
db_commit(struct db *db)
{
	return db_exec(db, "COMMIT");
}

int
db_rollback(struct db *db)
{
	if (sqlite3_get_autocommit(db->db_sql))
		return 0;
	return db_exec(db, "ROLLBACK");
}

int64_t
db_changes(struct db *db)
{
	return (int64_t)sqlite3_changes(db->db_sql);
}

int64_t
db_last_insert_id(struct db *db)
{
	return (int64_t)sqlite3_last_insert_rowid(db->db_sql);
}

int
db_version(struct db *db)
{
	int64_t	v = -1;

	if (db_query_int64(db, &v, "PRAGMA user_version", "") != DB_ROW)
		return -1;
	return (int)v;
}

int
db_migrate(struct db *db, const char *const migrations[], size_t n)
{
	sqlite3_stmt	*st = NULL;
	char		 sql[64];
	size_t		 i;
	int		 v, rc;

	if ((v = db_version(db)) == -1)
		return -1;
	if ((size_t)v > n) {
		db_failx(db, SQLITE_ERROR, "database schema version %d is "
		    "newer than this program knows (%zu)", v, n);
		return -1;
	}
	for (i = (size_t)v; i < n; i++) {
		if (migrations[i] == NULL) {
			db_failx(db, SQLITE_MISUSE, "migration %zu is NULL",
			    i + 1);
			return -1;
		}
		if (db_begin(db) == -1)
			return -1;
		rc = sqlite3_exec(db->db_sql, migrations[i], NULL, NULL, NULL);
		if (rc != SQLITE_OK) {
			db_failx(db, rc & 0xff, "migration %zu: %s", i + 1,
			    sqlite3_errmsg(db->db_sql));
			goto fail;
		}
		/* foreign_keys=ON does not check rows that already exist. */
		if (db_prepare(db, &st, "PRAGMA foreign_key_check") == -1)
			goto fail;
		rc = db_step(db, st);
		if (rc == DB_ROW)
			db_failx(db, SQLITE_CONSTRAINT, "migration %zu: "
			    "foreign key violation in table %s", i + 1,
			    (const char *)sqlite3_column_text(st, 0));
		sqlite3_finalize(st);
		st = NULL;
		if (rc != DB_DONE)
			goto fail;
		(void)snprintf(sql, sizeof(sql), "PRAGMA user_version = %zu",
		    i + 1);
		if (db_exec(db, sql) == -1 || db_commit(db) == -1)
			goto fail;
	}
	return 0;
 fail:
	/* Keep the migration's error, not the rollback's. */
	{
		char	saved[sizeof(db->db_err)];
		int	code = db->db_errcode;

		(void)strlcpy(saved, db->db_err, sizeof(saved));
		(void)db_rollback(db);
		(void)strlcpy(db->db_err, saved, sizeof(db->db_err));
		db->db_errcode = code;
	}
	return -1;
}

int
db_open(const char *path, int flags, struct db **out)
{
	struct db	*db;
	char		*mode = NULL;
	int		 oflags, rc, fk = 0;
	int64_t		 fk64 = 0;

	*out = NULL;
	if ((db = calloc(1, sizeof(*db))) == NULL) {
		log_warn("%s", __func__);
		return -1;
	}
	oflags = (flags & DB_READONLY) ? SQLITE_OPEN_READONLY :
	    SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE;
	rc = sqlite3_open_v2(path, &db->db_sql, oflags, NULL);
	if (rc != SQLITE_OK) {
		log_warnx("%s: %s", path, db->db_sql != NULL ?
		    sqlite3_errmsg(db->db_sql) : sqlite3_errstr(rc));
		goto fail;
	}
	sqlite3_busy_timeout(db->db_sql, DB_BUSY_TIMEOUT_MS);
	/* Hardening: no writes to sqlite_schema, no functions from it. */
	(void)sqlite3_db_config(db->db_sql, SQLITE_DBCONFIG_DEFENSIVE, 1,
	    NULL);
	(void)sqlite3_db_config(db->db_sql, SQLITE_DBCONFIG_TRUSTED_SCHEMA, 0,
	    NULL);

	if (!(flags & DB_READONLY)) {
		if (db_query_text(db, &mode, "PRAGMA journal_mode = WAL",
		    "") != DB_ROW || mode == NULL)
			goto fail_sql;
		if (strcmp(mode, "wal") != 0 && (strcmp(mode, "memory") != 0 ||
		    strcmp(path, ":memory:") != 0)) {
			log_warnx("%s: cannot use WAL (journal mode %s)", path,
			    mode);
			goto fail;
		}
		if (db_exec(db, (flags & DB_SYNC_FULL) ?
		    "PRAGMA synchronous = FULL" :
		    "PRAGMA synchronous = NORMAL") == -1)
			goto fail_sql;
	}
	if (db_exec(db, "PRAGMA foreign_keys = ON") == -1 ||
	    db_query_int64(db, &fk64, "PRAGMA foreign_keys", "") != DB_ROW)
		goto fail_sql;
	fk = (int)fk64;
	if (fk != 1) {
		log_warnx("%s: SQLite without foreign key support", path);
		goto fail;
	}
	free(mode);
	db->db_err[0] = '\0';
	db->db_errcode = SQLITE_OK;
	*out = db;
	return 0;
 fail_sql:
	log_warnx("%s: %s", path, db_last_error(db));
 fail:
	free(mode);
	sqlite3_close(db->db_sql);
	free(db);
	return -1;
}

void
db_close(struct db *db)
{
	if (db == NULL)
		return;
	(void)db_rollback(db);
	if (sqlite3_close(db->db_sql) == SQLITE_BUSY) {
		log_warnx("db_close: statements not finalized");
		(void)sqlite3_close_v2(db->db_sql);
	}
	free(db);
}
