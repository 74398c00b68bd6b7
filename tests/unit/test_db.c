/* Unit tests for db.c: SQLite pragmas, migrations, binding, errors. */
#include "config.h"

#include <sys/stat.h>

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "compat.h"
#include "db.h"
#include "hk_check.h"

static char	tmpdir[64];
static char	dbpath[128];

static void
setup(void)
{
	(void)strlcpy(tmpdir, "/tmp/hk-db-XXXXXX", sizeof(tmpdir));
	ck_assert_ptr_nonnull(mkdtemp(tmpdir));
	(void)snprintf(dbpath, sizeof(dbpath), "%s/t.db", tmpdir);
}

static void
teardown(void)
{
	char	p[160];

	(void)unlink(dbpath);
	(void)snprintf(p, sizeof(p), "%s-wal", dbpath);
	(void)unlink(p);
	(void)snprintf(p, sizeof(p), "%s-shm", dbpath);
	(void)unlink(p);
	(void)rmdir(tmpdir);
}

static int64_t
q64(struct db *db, const char *sql)
{
	int64_t	v = -12345;

	ck_assert_msg(db_query_int64(db, &v, sql, "") == DB_ROW, "%s: %s",
	    sql, db_last_error(db));
	return v;
}

static char *
qtext(struct db *db, const char *sql)
{
	char	*t = NULL;

	ck_assert_msg(db_query_text(db, &t, sql, "") == DB_ROW, "%s: %s",
	    sql, db_last_error(db));
	return t;
}

START_TEST(test_open_pragmas)
{
	struct db	*db;
	struct stat	 st;
	char		*mode, wal[160];

	ck_assert_int_eq(db_open(dbpath, 0, &db), 0);
	mode = qtext(db, "PRAGMA journal_mode");
	ck_assert_str_eq(mode, "wal");
	free(mode);
	ck_assert_int_eq(q64(db, "PRAGMA synchronous"), 1);	/* NORMAL */
	ck_assert_int_eq(q64(db, "PRAGMA foreign_keys"), 1);
	ck_assert_int_eq(q64(db, "PRAGMA busy_timeout"), DB_BUSY_TIMEOUT_MS);
	ck_assert_int_eq(q64(db, "PRAGMA trusted_schema"), 0);
	ck_assert_int_eq(db_exec(db, "CREATE TABLE t (x)"), 0);
	(void)snprintf(wal, sizeof(wal), "%s-wal", dbpath);
	ck_assert_int_eq(stat(wal, &st), 0);
	ck_assert_ptr_nonnull(db_handle(db));
	db_close(db);

	/* WAL is persistent; FULL on request. */
	ck_assert_int_eq(db_open(dbpath, DB_SYNC_FULL, &db), 0);
	ck_assert_int_eq(q64(db, "PRAGMA synchronous"), 2);
	db_close(db);

	/* An in-memory database is allowed (no WAL there). */
	ck_assert_int_eq(db_open(":memory:", 0, &db), 0);
	ck_assert_int_eq(q64(db, "PRAGMA foreign_keys"), 1);
	db_close(db);
	db_close(NULL);
	db_finalize(NULL);
}
END_TEST

START_TEST(test_open_fails)
{
	struct db	*db = (struct db *)&db;
	char		 p[160];

	(void)snprintf(p, sizeof(p), "%s/no/such/dir/x.db", tmpdir);
	ck_assert_int_eq(db_open(p, 0, &db), -1);
	ck_assert_ptr_null(db);
	ck_assert_int_eq(db_open(dbpath, DB_READONLY, &db), -1);
	ck_assert_ptr_null(db);
	/* Not a database. */
	{
		FILE	*fp = fopen(dbpath, "w");

		ck_assert_ptr_nonnull(fp);
		fputs("this is not an SQLite database, just some text that is "
		    "long enough to fill a header of one hundred bytes or "
		    "more, surely.\n", fp);
		fclose(fp);
	}
	ck_assert_int_eq(db_open(dbpath, 0, &db), -1);
	ck_assert_ptr_null(db);
}
END_TEST

static const char *const migrations[] = {
	/* 1 */
	"CREATE TABLE member (id INTEGER PRIMARY KEY, code TEXT NOT NULL "
	"UNIQUE);"
	"INSERT INTO member (code) VALUES ('GOV/MOI');",
	/* 2 */
	"CREATE TABLE service (id INTEGER PRIMARY KEY, member_id INTEGER "
	"NOT NULL REFERENCES member(id), name TEXT);",
	/* 3 */
	"ALTER TABLE service ADD COLUMN version TEXT;"
	"CREATE INDEX service_member ON service (member_id);",
};

START_TEST(test_migrate)
{
	struct db	*db;

	ck_assert_int_eq(db_open(dbpath, 0, &db), 0);
	ck_assert_int_eq(db_version(db), 0);
	ck_assert_int_eq(db_migrate(db, migrations, 2), 0);
	ck_assert_int_eq(db_version(db), 2);
	ck_assert_int_eq(q64(db, "SELECT count(*) FROM member"), 1);
	/* Again: nothing runs (re-running 1 would fail or add a row). */
	ck_assert_int_eq(db_migrate(db, migrations, 2), 0);
	ck_assert_int_eq(q64(db, "SELECT count(*) FROM member"), 1);
	db_close(db);

	/* Resume from user_version after a restart. */
	ck_assert_int_eq(db_open(dbpath, 0, &db), 0);
	ck_assert_int_eq(db_version(db), 2);
	ck_assert_int_eq(db_migrate(db, migrations, 3), 0);
	ck_assert_int_eq(db_version(db), 3);
	ck_assert_int_eq(db_execf(db, "INSERT INTO service (member_id, name, "
	    "version) VALUES (1, ?, ?)", "tt", "getPerson", "v1"), 0);
	ck_assert_int_eq(q64(db, "SELECT count(*) FROM member"), 1);

	/* A database newer than the program is refused. */
	ck_assert_int_eq(db_migrate(db, migrations, 2), -1);
	ck_assert_ptr_nonnull(strstr(db_last_error(db), "newer"));
	ck_assert_int_eq(db_version(db), 3);
	db_close(db);
}
END_TEST

START_TEST(test_migrate_failure_rolls_back)
{
	static const char *const bad[] = {
		"CREATE TABLE a (x INTEGER PRIMARY KEY);",
		/* Creates b, then fails: b must not survive. */
		"CREATE TABLE b (y);"
		"INSERT INTO nosuch VALUES (1);",
	};
	static const char *const good[] = {
		"CREATE TABLE a (x INTEGER PRIMARY KEY);",
		"CREATE TABLE b (y);",
		/* A deferred foreign key left dangling by a migration. */
		"CREATE TABLE c (ax INTEGER REFERENCES a(x) DEFERRABLE "
		"INITIALLY DEFERRED);"
		"INSERT INTO c VALUES (42);",
	};
	struct db	*db;

	ck_assert_int_eq(db_open(dbpath, 0, &db), 0);
	ck_assert_int_eq(db_migrate(db, bad, 2), -1);
	ck_assert_msg(strstr(db_last_error(db), "migration 2") != NULL &&
	    strstr(db_last_error(db), "no such table: nosuch") != NULL, "%s",
	    db_last_error(db));
	ck_assert_int_eq(db_last_errcode(db), SQLITE_ERROR);
	ck_assert_int_eq(db_version(db), 1);
	ck_assert_int_eq(q64(db, "SELECT count(*) FROM sqlite_schema "
	    "WHERE name = 'b'"), 0);
	ck_assert_int_eq(q64(db, "SELECT count(*) FROM sqlite_schema "
	    "WHERE name = 'a'"), 1);
	/* No transaction is left open. */
	ck_assert_int_ne(sqlite3_get_autocommit(db_handle(db)), 0);

	/* The fixed list resumes at 2, then 3 fails its foreign key check. */
	ck_assert_int_eq(db_migrate(db, good, 3), -1);
	ck_assert_msg(strstr(db_last_error(db), "migration 3: foreign key "
	    "violation in table c") != NULL, "%s", db_last_error(db));
	ck_assert_int_eq(db_version(db), 2);
	ck_assert_int_eq(q64(db, "SELECT count(*) FROM sqlite_schema "
	    "WHERE name = 'c'"), 0);
	ck_assert_int_eq(db_migrate(db, good, 2), 0);
	db_close(db);
}
END_TEST

START_TEST(test_bind_round_trip)
{
	static const char	 tricky[] = "O'Brien \"x\"; DROP TABLE t; --";
	static const char	 withnul[] = { 'a', '\0', 'b', '\'' };
	static const unsigned char blob[] = { 0, 1, 2, 0, 0xff, '\'', 0 };
	struct db		*db;
	sqlite3_stmt		*st;
	char			*t;
	int64_t			 v;

	ck_assert_int_eq(db_open(dbpath, 0, &db), 0);
	ck_assert_int_eq(db_exec(db, "CREATE TABLE t (id INTEGER PRIMARY KEY,"
	    " s TEXT, b BLOB, n INTEGER)"), 0);
	ck_assert_int_eq(db_execf(db, "INSERT INTO t VALUES (?, ?, ?, ?)",
	    "itbI", 1, tricky, blob, sizeof(blob), (int64_t)INT64_MAX), 0);
	ck_assert_int_eq(db_changes(db), 1);
	ck_assert_int_eq(db_last_insert_id(db), 1);
	ck_assert_int_eq(db_execf(db, "INSERT INTO t VALUES (?, ?, ?, ?)",
	    "iTbn", 2, withnul, sizeof(withnul), blob, (size_t)0), 0);
	ck_assert_int_eq(db_execf(db, "INSERT INTO t VALUES (?3, ?2, ?1, "
	    "NULL)", "btI", NULL, (size_t)5, (const char *)NULL,
	    (int64_t)3), 0);
	ck_assert_int_eq(db_execf(db, "INSERT INTO t (id, s) VALUES (?, ?)",
	    "It", (int64_t)4, "القدس — Jérusalem"), 0);

	ck_assert_int_eq(db_queryf(db, &st, "SELECT s, b, n FROM t WHERE id "
	    "= ?", "i", 1), 0);
	ck_assert_int_eq(db_step(db, st), DB_ROW);
	ck_assert_str_eq((const char *)sqlite3_column_text(st, 0), tricky);
	ck_assert_int_eq(sqlite3_column_bytes(st, 1), sizeof(blob));
	ck_assert(memcmp(sqlite3_column_blob(st, 1), blob, sizeof(blob)) == 0);
	ck_assert(sqlite3_column_int64(st, 2) == INT64_MAX);
	ck_assert_int_eq(db_step(db, st), DB_DONE);
	db_finalize(st);

	/* Text with a NUL keeps its length; a 0-length blob is not NULL. */
	ck_assert_int_eq(db_queryf(db, &st, "SELECT s, b, n FROM t WHERE id "
	    "= ?", "I", (int64_t)2), 0);
	ck_assert_int_eq(db_step(db, st), DB_ROW);
	ck_assert_int_eq(sqlite3_column_bytes(st, 0), sizeof(withnul));
	ck_assert(memcmp(sqlite3_column_text(st, 0), withnul,
	    sizeof(withnul)) == 0);
	ck_assert_int_eq(sqlite3_column_type(st, 1), SQLITE_BLOB);
	ck_assert_int_eq(sqlite3_column_bytes(st, 1), 0);
	ck_assert_int_eq(sqlite3_column_type(st, 2), SQLITE_NULL);
	db_finalize(st);

	/* NULL text/blob pointers bind NULL; numbered parameters work. */
	ck_assert_int_eq(db_query_int64(db, &v, "SELECT count(*) FROM t "
	    "WHERE id = 3 AND s IS NULL AND b IS NULL", ""), DB_ROW);
	ck_assert_int_eq(v, 1);

	ck_assert_int_eq(db_query_text(db, &t, "SELECT s FROM t WHERE s = ?",
	    "t", tricky), DB_ROW);
	ck_assert_str_eq(t, tricky);
	free(t);
	ck_assert_int_eq(db_query_text(db, &t, "SELECT s FROM t WHERE id = ?",
	    "i", 4), DB_ROW);
	ck_assert_str_eq(t, "القدس — Jérusalem");
	free(t);
	ck_assert_int_eq(db_query_text(db, &t, "SELECT b FROM t WHERE id = 3",
	    ""), DB_ROW);
	ck_assert_ptr_null(t);
	/* No row: DB_DONE, output untouched. */
	t = (char *)"untouched";
	ck_assert_int_eq(db_query_text(db, &t, "SELECT s FROM t WHERE id = ?",
	    "i", 99), DB_DONE);
	ck_assert_str_eq(t, "untouched");
	v = 77;
	ck_assert_int_eq(db_query_int64(db, &v, "SELECT n FROM t WHERE id = ?",
	    "i", 99), DB_DONE);
	ck_assert_int_eq(v, 77);
	/* The table is still there: the quotes were data, not SQL. */
	ck_assert_int_eq(q64(db, "SELECT count(*) FROM t"), 4);
	db_close(db);
}
END_TEST

START_TEST(test_prepare_reuse)
{
	struct db	*db;
	sqlite3_stmt	*st;
	char		 name[32];
	int		 i;

	ck_assert_int_eq(db_open(dbpath, 0, &db), 0);
	ck_assert_int_eq(db_exec(db, "CREATE TABLE t (i INTEGER, s TEXT)"), 0);
	ck_assert_int_eq(db_prepare(db, &st, "INSERT INTO t VALUES (?, ?)"),
	    0);
	ck_assert_int_eq(db_begin(db), 0);
	for (i = 0; i < 100; i++) {
		(void)snprintf(name, sizeof(name), "row %d", i);
		ck_assert_int_eq(db_bindf(db, st, "it", i, name), 0);
		/* The value was copied: changing the buffer is harmless. */
		memset(name, 'X', sizeof(name) - 1);
		ck_assert_int_eq(db_step(db, st), DB_DONE);
	}
	ck_assert_int_eq(db_commit(db), 0);
	db_finalize(st);
	ck_assert_int_eq(q64(db, "SELECT count(*) FROM t"), 100);
	ck_assert_int_eq(q64(db, "SELECT count(*) FROM t WHERE s = 'row ' || "
	    "i"), 100);
	db_close(db);
}
END_TEST

START_TEST(test_errors_reported)
{
	struct db	*db;
	sqlite3_stmt	*st = (sqlite3_stmt *)&st;

	ck_assert_int_eq(db_open(dbpath, 0, &db), 0);
	ck_assert_int_eq(db_last_errcode(db), SQLITE_OK);
	ck_assert_int_eq(db_exec(db, "CREATE TABLE p (id INTEGER PRIMARY KEY, "
	    "code TEXT UNIQUE); CREATE TABLE c (pid INTEGER REFERENCES p(id))"),
	    0);

	ck_assert_int_eq(db_exec(db, "SELEC 1"), -1);
	ck_assert_msg(strstr(db_last_error(db), "syntax error") != NULL, "%s",
	    db_last_error(db));
	ck_assert_int_eq(db_last_errcode(db), SQLITE_ERROR);

	ck_assert_int_eq(db_queryf(db, &st, "SELECT * FROM nosuch", ""), -1);
	ck_assert_ptr_null(st);
	ck_assert_ptr_nonnull(strstr(db_last_error(db), "no such table"));

	/* Constraint violations carry their code. */
	ck_assert_int_eq(db_execf(db, "INSERT INTO p (code) VALUES (?)", "t",
	    "GOV"), 0);
	ck_assert_int_eq(db_execf(db, "INSERT INTO p (code) VALUES (?)", "t",
	    "GOV"), -1);
	ck_assert_int_eq(db_last_errcode(db), SQLITE_CONSTRAINT);
	ck_assert_ptr_nonnull(strstr(db_last_error(db),
	    "UNIQUE constraint failed"));
	/* Foreign keys are enforced. */
	ck_assert_int_eq(db_execf(db, "INSERT INTO c VALUES (?)", "i", 42),
	    -1);
	ck_assert_int_eq(db_last_errcode(db), SQLITE_CONSTRAINT);
	ck_assert_ptr_nonnull(strstr(db_last_error(db), "FOREIGN KEY"));

	/* Format and statement must agree. */
	ck_assert_int_eq(db_execf(db, "INSERT INTO p (code) VALUES (?)", "tt",
	    "a", "b"), -1);
	ck_assert_ptr_nonnull(strstr(db_last_error(db), "has 1 parameters"));
	ck_assert_int_eq(db_execf(db, "INSERT INTO p (code) VALUES (?)", ""),
	    -1);
	ck_assert_int_eq(db_execf(db, "INSERT INTO p (code) VALUES (?)", "x",
	    1), -1);
	ck_assert_ptr_nonnull(strstr(db_last_error(db), "bad parameter type"));
	/* One statement at a time in execf. */
	ck_assert_int_eq(db_execf(db, "INSERT INTO p (code) VALUES (?); "
	    "DELETE FROM p", "t", "x"), -1);
	ck_assert_ptr_nonnull(strstr(db_last_error(db), "more than one"));
	ck_assert_int_eq(q64(db, "SELECT count(*) FROM p"), 1);
	ck_assert_int_eq(db_execf(db, "   ", ""), -1);
	/* Defensive mode: the schema table cannot be written. */
	ck_assert_int_eq(db_exec(db, "PRAGMA writable_schema = ON; "
	    "DELETE FROM sqlite_schema"), -1);
	ck_assert_int_eq(q64(db, "SELECT count(*) FROM p"), 1);
	db_close(db);
}
END_TEST

START_TEST(test_transactions)
{
	struct db	*db;

	ck_assert_int_eq(db_open(dbpath, 0, &db), 0);
	ck_assert_int_eq(db_exec(db, "CREATE TABLE t (x)"), 0);
	ck_assert_int_eq(db_rollback(db), 0);	/* none open: no-op */
	ck_assert_int_eq(db_begin(db), 0);
	ck_assert_int_eq(db_execf(db, "INSERT INTO t VALUES (?)", "i", 1), 0);
	ck_assert_int_eq(db_rollback(db), 0);
	ck_assert_int_eq(q64(db, "SELECT count(*) FROM t"), 0);
	ck_assert_int_eq(db_begin(db), 0);
	ck_assert_int_eq(db_begin(db), -1);	/* no nesting */
	ck_assert_int_eq(db_execf(db, "INSERT INTO t VALUES (?)", "i", 2), 0);
	ck_assert_int_eq(db_commit(db), 0);
	ck_assert_int_eq(db_commit(db), -1);	/* nothing to commit */
	/* Closing with an open transaction rolls it back. */
	ck_assert_int_eq(db_begin(db), 0);
	ck_assert_int_eq(db_execf(db, "INSERT INTO t VALUES (?)", "i", 3), 0);
	db_close(db);
	ck_assert_int_eq(db_open(dbpath, 0, &db), 0);
	ck_assert_int_eq(q64(db, "SELECT sum(x) FROM t"), 2);
	db_close(db);
}
END_TEST

START_TEST(test_wal_readers_and_readonly)
{
	struct db	*w, *r, *ro;

	ck_assert_int_eq(db_open(dbpath, 0, &w), 0);
	ck_assert_int_eq(db_exec(w, "CREATE TABLE t (x); "
	    "INSERT INTO t VALUES (1)"), 0);
	ck_assert_int_eq(db_open(dbpath, 0, &r), 0);
	/* With WAL a reader is not blocked by an open write transaction. */
	ck_assert_int_eq(db_begin(w), 0);
	ck_assert_int_eq(db_execf(w, "INSERT INTO t VALUES (?)", "i", 2), 0);
	ck_assert_int_eq(q64(r, "SELECT count(*) FROM t"), 1);
	ck_assert_int_eq(db_commit(w), 0);
	ck_assert_int_eq(q64(r, "SELECT count(*) FROM t"), 2);

	ck_assert_int_eq(db_open(dbpath, DB_READONLY, &ro), 0);
	ck_assert_int_eq(q64(ro, "SELECT count(*) FROM t"), 2);
	ck_assert_int_eq(db_execf(ro, "INSERT INTO t VALUES (?)", "i", 3), -1);
	ck_assert_int_eq(db_last_errcode(ro), SQLITE_READONLY);
	db_close(ro);
	db_close(r);
	db_close(w);
}
END_TEST

static Suite *
db_suite(void)
{
	Suite	*s = suite_create("db");
	TCase	*tc = tcase_create("core");

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, test_open_pragmas);
	tcase_add_test(tc, test_open_fails);
	tcase_add_test(tc, test_migrate);
	tcase_add_test(tc, test_migrate_failure_rolls_back);
	tcase_add_test(tc, test_bind_round_trip);
	tcase_add_test(tc, test_prepare_reuse);
	tcase_add_test(tc, test_errors_reported);
	tcase_add_test(tc, test_transactions);
	tcase_add_test(tc, test_wal_readers_and_readonly);
	suite_add_tcase(s, tc);
	return s;
}

HK_CHECK_MAIN(db_suite)
