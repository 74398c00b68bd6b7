/*
 * db.h: SQLite helpers shared by every daemon (one database per daemon).
 *
 * db_open() sets the pragmas every daemon wants (WAL, synchronous=NORMAL
 * or FULL, foreign keys, busy timeout, defensive mode, no trusted schema).
 * db_migrate() versions the schema with PRAGMA user_version. SQL text is
 * always a constant in the program: values from input go in through bound
 * parameters only, described by a format string, one letter per '?':
 *
 *	t  const char *		text (NUL-terminated); NULL binds NULL
 *	T  const char *, size_t	text with a length (may hold NULs)
 *	b  const void *, size_t	blob; NULL binds NULL even if len is 0
 *	i  int
 *	I  int64_t
 *	n  (no argument)	NULL
 *
 *	db_execf(db, "INSERT INTO m (id, n) VALUES (?, ?)", "ti", id, n);
 *
 * Errors: every function returns -1 (or DB_ERR) on failure and records a
 * message for db_last_error() and the SQLite result code for
 * db_last_errcode(); it does not log. A mismatch between the format and
 * the statement's parameters is such an error.
 *
 * Not thread-safe: one struct db per thread (daemons use one event loop).
 */
#ifndef HK_DB_H
#define HK_DB_H

#include <stddef.h>
#include <stdint.h>

#include <sqlite3.h>

struct db;

/* db_open flags */
#define DB_SYNC_FULL	0x01	/* synchronous=FULL (default NORMAL) */
#define DB_READONLY	0x02	/* no create, no writes, pragmas not set
				   that would write */

#define DB_BUSY_TIMEOUT_MS	5000

/* db_step results */
#define DB_ERR		(-1)
#define DB_DONE		0
#define DB_ROW		1

/*
 * Open (creating unless DB_READONLY) the database at path; ":memory:" is
 * allowed (journal mode "memory" then). On success *out is the handle
 * (caller closes with db_close) and 0 is returned; on failure -1, *out is
 * NULL and the reason is logged with log_warnx.
 */
int	db_open(const char *path, int flags, struct db **out);
/* Rolls back an open transaction, closes. Accepts NULL. */
void	db_close(struct db *);

/* The raw handle for modules that need full control; owned by db. */
sqlite3	*db_handle(struct db *);

/*
 * Bring the schema to version n: for every i >= PRAGMA user_version,
 * run migrations[i] (one or more statements, no parameters) and set
 * user_version = i + 1 in one transaction, after checking foreign keys.
 * A failure rolls that migration back, leaving the database at the last
 * good version. A database newer than n is an error. Statements that
 * cannot run in a transaction (VACUUM, PRAGMA journal_mode or
 * foreign_keys) do not belong in a migration.
 */
int	db_migrate(struct db *, const char *const migrations[], size_t n);
/* PRAGMA user_version, or -1 on error. */
int	db_version(struct db *);

/* Run constant SQL, one or more statements, no parameters. */
int	db_exec(struct db *, const char *sql);
/* Prepare sql, bind the parameters, step to the end (rows ignored). */
int	db_execf(struct db *, const char *sql, const char *fmt, ...);

/*
 * Prepare sql and bind the parameters (values are copied). The caller
 * steps with db_step() and frees with db_finalize(); columns are read with
 * sqlite3_column_*().
 */
int	db_queryf(struct db *, sqlite3_stmt **out, const char *sql,
	    const char *fmt, ...);
/* Prepare only, for a statement kept and reused with db_bindf(). */
int	db_prepare(struct db *, sqlite3_stmt **out, const char *sql);
/* Reset the statement, clear old bindings, bind anew (values copied). */
int	db_bindf(struct db *, sqlite3_stmt *, const char *fmt, ...);
/* DB_ROW, DB_DONE or DB_ERR. */
int	db_step(struct db *, sqlite3_stmt *);
/* Accepts NULL. */
void	db_finalize(sqlite3_stmt *);

/*
 * One-value queries: run the query and read column 0 of the first row.
 * Return DB_ROW with the value, DB_DONE if there was no row (*out is left
 * as it was) or DB_ERR. db_query_text: *out is a NUL-terminated copy the
 * caller frees (NULL for an SQL NULL).
 */
int	db_query_int64(struct db *, int64_t *out, const char *sql,
	    const char *fmt, ...);
int	db_query_text(struct db *, char **out, const char *sql,
	    const char *fmt, ...);

/*
 * BEGIN IMMEDIATE / COMMIT / ROLLBACK. No nesting. db_rollback outside a
 * transaction does nothing and returns 0.
 */
int	db_begin(struct db *);
int	db_commit(struct db *);
int	db_rollback(struct db *);

int64_t	db_changes(struct db *);
int64_t	db_last_insert_id(struct db *);

/*
 * The last failure: a message (borrowed, valid until the next failure on
 * db) and the SQLite result code (SQLITE_OK if none yet).
 */
const char *db_last_error(struct db *);
int	db_last_errcode(struct db *);

#endif /* HK_DB_H */
