/*
 * msglog_sqlite.c: the message log's SQLite backend (msglog_store.h):
 * state-dir/messagelog.db in WAL mode. Triggers keep records
 * append-only even against a mistaken UPDATE; the chain hashes catch
 * whoever drops the triggers first.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "compat.h"
#include "db.h"
#include "log.h"
#include "msglog.h"
#include "msglog_store.h"

static const char *const msglog_migrations[] = {
	/* 1: records, timestamps, the chain's base, append-only triggers. */
	"CREATE TABLE timestamp ("
	"  id INTEGER PRIMARY KEY,"
	"  time_ms INTEGER NOT NULL,"
	"  token BLOB NOT NULL,"
	"  hashchain_result BLOB,"
	"  tsa_url TEXT,"
	"  nrecords INTEGER NOT NULL,"
	"  created TEXT NOT NULL"
	"    DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now')));"
	"CREATE TABLE record ("
	"  id INTEGER PRIMARY KEY,"
	"  time_ms INTEGER NOT NULL,"
	"  query_id TEXT NOT NULL,"
	"  request_id TEXT,"
	"  client TEXT NOT NULL,"
	"  service TEXT NOT NULL,"
	"  side INTEGER NOT NULL CHECK (side IN (0, 1)),"
	"  direction INTEGER NOT NULL CHECK (direction IN (0, 1)),"
	"  rest INTEGER NOT NULL CHECK (rest IN (0, 1)),"
	"  body_logged INTEGER NOT NULL CHECK (body_logged IN (0, 1)),"
	"  message BLOB NOT NULL,"
	"  body BLOB,"
	"  signature BLOB NOT NULL,"
	"  sig_hashchain BLOB,"
	"  sig_hashchain_result BLOB,"
	"  signature_hash BLOB NOT NULL CHECK (length(signature_hash) = 64),"
	"  content_hash BLOB NOT NULL CHECK (length(content_hash) = 64),"
	"  chain_hash BLOB NOT NULL CHECK (length(chain_hash) = 64),"
	"  timestamp_id INTEGER REFERENCES timestamp(id),"
	"  ts_hashchain BLOB,"
	"  archived INTEGER NOT NULL DEFAULT 0 CHECK (archived IN (0, 1)));"
	"CREATE INDEX record_unstamped ON record (id)"
	"  WHERE timestamp_id IS NULL;"
	"CREATE INDEX record_unarchived ON record (id) WHERE archived = 0;"
	"CREATE INDEX record_query ON record (query_id);"
	"CREATE INDEX record_timestamp ON record (timestamp_id);"
	"CREATE TABLE chain_base ("
	"  one INTEGER PRIMARY KEY CHECK (one = 1),"
	"  last_id INTEGER NOT NULL,"
	"  chain_hash BLOB NOT NULL CHECK (length(chain_hash) = 64));"
	"INSERT INTO chain_base VALUES (1, 0, zeroblob(64));"
	"CREATE TRIGGER record_append_only BEFORE UPDATE OF id, time_ms,"
	"  query_id, request_id, client, service, side, direction, rest,"
	"  body_logged,"
	"  message, body, signature, sig_hashchain, sig_hashchain_result,"
	"  signature_hash, content_hash, chain_hash ON record "
	"BEGIN SELECT RAISE(ABORT, 'message log records are append-only');"
	"END;"
	"CREATE TRIGGER record_stamp_once BEFORE UPDATE OF timestamp_id,"
	"  ts_hashchain ON record WHEN OLD.timestamp_id IS NOT NULL "
	"BEGIN SELECT RAISE(ABORT, 'record already timestamped'); END;"
	"CREATE TRIGGER record_archive_once BEFORE UPDATE OF archived ON record"
	"  WHEN OLD.archived = 1 "
	"BEGIN SELECT RAISE(ABORT, 'record already archived'); END;"
	"CREATE TRIGGER record_keep BEFORE DELETE ON record"
	"  WHEN OLD.archived = 0 "
	"BEGIN SELECT RAISE(ABORT, 'unarchived records cannot be deleted');"
	"END;"
	"CREATE TRIGGER timestamp_append_only BEFORE UPDATE ON timestamp "
	"BEGIN SELECT RAISE(ABORT, 'timestamps are append-only'); END;"
	"CREATE TRIGGER chain_base_forward BEFORE UPDATE ON chain_base"
	"  WHEN NEW.last_id < OLD.last_id "
	"BEGIN SELECT RAISE(ABORT, 'the chain base only moves forward');"
	"END;"
	"CREATE TRIGGER chain_base_keep BEFORE DELETE ON chain_base "
	"BEGIN SELECT RAISE(ABORT, 'the chain base stays'); END;",
	/* 2: where the archives' linking chain stands. */
	"CREATE TABLE archive_state ("
	"  one INTEGER PRIMARY KEY CHECK (one = 1),"
	"  last_digest TEXT NOT NULL,"
	"  last_name TEXT NOT NULL);"
	"INSERT INTO archive_state VALUES (1, '', '');"
};

#define ENTRY_COLUMNS \
	"SELECT r.id, r.time_ms, r.query_id, r.request_id, r.client," \
	" r.service, r.side, r.direction, r.rest, r.body_logged, r.archived," \
	" r.message, r.body, r.signature, r.sig_hashchain," \
	" r.sig_hashchain_result, r.signature_hash, r.content_hash," \
	" r.chain_hash, r.timestamp_id, t.time_ms, t.token," \
	" t.hashchain_result, r.ts_hashchain " \
	"FROM record r LEFT JOIN timestamp t ON t.id = r.timestamp_id "

struct mls {
	struct db	*s_db;
	sqlite3_stmt	*s_insert;
	sqlite3_stmt	*s_stamp;
	char		 s_err[256];
};

static const char *
mls_error(void *arg)
{
	struct mls	*s = arg;

	return s->s_err[0] != '\0' ? s->s_err : db_last_error(s->s_db);
}

static void
mls_close(void *arg)
{
	struct mls	*s = arg;

	if (s == NULL)
		return;
	db_finalize(s->s_insert);
	db_finalize(s->s_stamp);
	db_close(s->s_db);
	free(s);
}

static int
mls_open(const char *path, int sync_normal, void **out)
{
	struct mls	*s;

	*out = NULL;
	if ((s = calloc(1, sizeof(*s))) == NULL) {
		log_warn("%s", __func__);
		return -1;
	}
	if (db_open(path, sync_normal ? 0 : DB_SYNC_FULL, &s->s_db) == -1)
		goto fail;
	if (db_migrate(s->s_db, msglog_migrations, sizeof(msglog_migrations) /
	    sizeof(msglog_migrations[0])) == -1) {
		log_warnx("%s: %s", path, db_last_error(s->s_db));
		goto fail;
	}
	if (db_prepare(s->s_db, &s->s_insert,
	    "INSERT INTO record (id, time_ms, query_id, request_id, client,"
	    " service, side, direction, rest, body_logged, message, body,"
	    " signature, sig_hashchain, sig_hashchain_result, signature_hash,"
	    " content_hash, chain_hash) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?,"
	    " ?, ?, ?, ?, ?, ?, ?, ?, ?)") == -1 ||
	    db_prepare(s->s_db, &s->s_stamp,
	    "UPDATE record SET timestamp_id = ?, ts_hashchain = ?"
	    " WHERE id = ? AND timestamp_id IS NULL") == -1) {
		log_warnx("%s: %s", path, db_last_error(s->s_db));
		goto fail;
	}
	*out = s;
	return 0;
 fail:
	mls_close(s);
	return -1;
}

static int
mls_begin(void *arg)
{
	struct mls	*s = arg;

	s->s_err[0] = '\0';
	return db_begin(s->s_db);
}

static int
mls_commit(void *arg)
{
	struct mls	*s = arg;

	return db_commit(s->s_db);
}

static void
mls_rollback(void *arg)
{
	struct mls	*s = arg;

	(void)db_rollback(s->s_db);
}

static int
read_hash(struct mls *s, sqlite3_stmt *st, int col, unsigned char *out)
{
	if (sqlite3_column_type(st, col) != SQLITE_BLOB ||
	    sqlite3_column_bytes(st, col) != MSGLOG_HASH_LEN) {
		(void)snprintf(s->s_err, sizeof(s->s_err), "a stored hash is "
		    "not %d bytes", MSGLOG_HASH_LEN);
		return -1;
	}
	memcpy(out, sqlite3_column_blob(st, col), MSGLOG_HASH_LEN);
	return 0;
}

static int
one_hash(struct mls *s, const char *sql, int64_t *id, unsigned char *chain)
{
	sqlite3_stmt	*st = NULL;
	int		 rc = -1;

	s->s_err[0] = '\0';
	if (db_queryf(s->s_db, &st, sql, "") == -1)
		return -1;
	switch (db_step(s->s_db, st)) {
	case DB_ROW:
		*id = sqlite3_column_int64(st, 0);
		rc = read_hash(s, st, 1, chain);
		break;
	case DB_DONE:
		rc = 1;
		break;
	default:
		break;
	}
	db_finalize(st);
	return rc;
}

static int
mls_base(void *arg, int64_t *id, unsigned char *chain)
{
	struct mls	*s = arg;
	int		 rc;

	rc = one_hash(s, "SELECT last_id, chain_hash FROM chain_base", id,
	    chain);
	if (rc == 1) {
		(void)snprintf(s->s_err, sizeof(s->s_err), "the chain base "
		    "is missing");
		rc = -1;
	}
	return rc;
}

static int
mls_tip(void *arg, int64_t *id, unsigned char *chain)
{
	struct mls	*s = arg;
	int		 rc;

	rc = one_hash(s, "SELECT id, chain_hash FROM record ORDER BY id DESC"
	    " LIMIT 1", id, chain);
	if (rc == 1)
		rc = mls_base(arg, id, chain);
	return rc;
}

static int
mls_insert(void *arg, const struct msglog_row *w)
{
	struct mls	*s = arg;

	s->s_err[0] = '\0';
	if (db_bindf(s->s_db, s->s_insert, "IItttt" "iiii" "bbbbb" "bbb",
	    w->mw_id, w->mw_time_ms, w->mw_query_id, w->mw_request_id,
	    w->mw_client, w->mw_service,
	    w->mw_side, w->mw_direction, w->mw_rest, w->mw_body_logged,
	    w->mw_message, w->mw_message_len, w->mw_body, w->mw_body_len,
	    w->mw_signature, w->mw_signature_len,
	    w->mw_sig_hashchain, w->mw_sig_hashchain_len,
	    w->mw_sig_hashchain_result, w->mw_sig_hashchain_result_len,
	    w->mw_signature_hash, (size_t)MSGLOG_HASH_LEN,
	    w->mw_content_hash, (size_t)MSGLOG_HASH_LEN,
	    w->mw_chain_hash, (size_t)MSGLOG_HASH_LEN) == -1)
		return -1;
	return db_step(s->s_db, s->s_insert) == DB_DONE ? 0 : -1;
}

/* A copy of a column, NUL-terminated; NULL for SQL NULL. */
static int
dup_col(sqlite3_stmt *st, int col, void *outp, size_t *lenp)
{
	unsigned char	*p;
	const void	*src;
	size_t		 len;

	*(void **)outp = NULL;
	if (lenp != NULL)
		*lenp = 0;
	if (sqlite3_column_type(st, col) == SQLITE_NULL)
		return 0;
	src = sqlite3_column_blob(st, col);
	len = (size_t)sqlite3_column_bytes(st, col);
	if ((p = malloc(len + 1)) == NULL)
		return -1;
	if (len > 0)
		memcpy(p, src, len);
	p[len] = '\0';
	*(void **)outp = p;
	if (lenp != NULL)
		*lenp = len;
	return 0;
}

static int
read_entry(struct mls *s, sqlite3_stmt *st, struct msglog_entry **out)
{
	struct msglog_entry	*e;

	*out = NULL;
	if ((e = calloc(1, sizeof(*e))) == NULL)
		goto nomem;
	e->me_id = sqlite3_column_int64(st, 0);
	e->me_time_ms = sqlite3_column_int64(st, 1);
	e->me_side = sqlite3_column_int(st, 6);
	e->me_direction = sqlite3_column_int(st, 7);
	e->me_rest = sqlite3_column_int(st, 8);
	e->me_body_logged = sqlite3_column_int(st, 9);
	e->me_archived = sqlite3_column_int(st, 10);
	if (dup_col(st, 2, &e->me_query_id, NULL) == -1 ||
	    dup_col(st, 3, &e->me_request_id, NULL) == -1 ||
	    dup_col(st, 4, &e->me_client, NULL) == -1 ||
	    dup_col(st, 5, &e->me_service, NULL) == -1 ||
	    dup_col(st, 11, &e->me_message, &e->me_message_len) == -1 ||
	    dup_col(st, 12, &e->me_body, &e->me_body_len) == -1 ||
	    dup_col(st, 13, &e->me_signature, &e->me_signature_len) == -1 ||
	    dup_col(st, 14, &e->me_sig_hashchain,
	    &e->me_sig_hashchain_len) == -1 ||
	    dup_col(st, 15, &e->me_sig_hashchain_result,
	    &e->me_sig_hashchain_result_len) == -1)
		goto nomem;
	if (e->me_query_id == NULL || e->me_client == NULL ||
	    e->me_service == NULL || e->me_message == NULL ||
	    e->me_signature == NULL) {
		(void)snprintf(s->s_err, sizeof(s->s_err), "record %lld: a "
		    "required column is NULL", (long long)e->me_id);
		goto fail;
	}
	if (read_hash(s, st, 16, e->me_signature_hash) == -1 ||
	    read_hash(s, st, 17, e->me_content_hash) == -1 ||
	    read_hash(s, st, 18, e->me_chain_hash) == -1)
		goto fail;
	if (sqlite3_column_type(st, 19) != SQLITE_NULL) {
		e->me_ts_id = sqlite3_column_int64(st, 19);
		e->me_ts_time_ms = sqlite3_column_int64(st, 20);
		if (dup_col(st, 21, &e->me_ts_token,
		    &e->me_ts_token_len) == -1 ||
		    dup_col(st, 22, &e->me_ts_hashchain_result,
		    &e->me_ts_hashchain_result_len) == -1 ||
		    dup_col(st, 23, &e->me_ts_hashchain,
		    &e->me_ts_hashchain_len) == -1)
			goto nomem;
	}
	*out = e;
	return 0;
 nomem:
	(void)snprintf(s->s_err, sizeof(s->s_err), "out of memory");
 fail:
	msglog_entry_free(e);
	return -1;
}

static int
mls_get(void *arg, int64_t id, struct msglog_entry **out)
{
	struct mls	*s = arg;
	sqlite3_stmt	*st = NULL;
	int		 rc = -1;

	*out = NULL;
	s->s_err[0] = '\0';
	if (db_queryf(s->s_db, &st, ENTRY_COLUMNS "WHERE r.id = ?", "I",
	    id) == -1)
		return -1;
	switch (db_step(s->s_db, st)) {
	case DB_ROW:
		rc = read_entry(s, st, out);
		break;
	case DB_DONE:
		rc = 1;
		break;
	default:
		break;
	}
	db_finalize(st);
	return rc;
}

static int
mls_walk(void *arg, int64_t after, msglog_walk_fn fn, void *fnarg)
{
	struct mls		*s = arg;
	struct msglog_entry	*e;
	sqlite3_stmt		*st = NULL;
	int			 rc;

	s->s_err[0] = '\0';
	if (db_queryf(s->s_db, &st, ENTRY_COLUMNS "WHERE r.id > ? "
	    "ORDER BY r.id", "I", after) == -1)
		return -1;
	for (;;) {
		rc = db_step(s->s_db, st);
		if (rc == DB_DONE) {
			rc = 0;
			break;
		}
		if (rc != DB_ROW || read_entry(s, st, &e) == -1) {
			rc = -1;
			break;
		}
		rc = fn(e, fnarg);
		msglog_entry_free(e);
		if (rc != 0)
			break;
	}
	db_finalize(st);
	return rc;
}

static int
mls_unstamped(void *arg, size_t limit, struct msglog_leaf **leavesp,
    size_t *np)
{
	struct mls		*s = arg;
	struct msglog_leaf	*leaves = NULL, *nl;
	sqlite3_stmt		*st = NULL;
	size_t			 n = 0, cap = 0;
	int			 rc;

	*leavesp = NULL;
	*np = 0;
	s->s_err[0] = '\0';
	if (limit == 0)
		return 0;
	if (db_queryf(s->s_db, &st, "SELECT id, signature_hash FROM record"
	    " WHERE timestamp_id IS NULL ORDER BY id LIMIT ?", "I",
	    (int64_t)limit) == -1)
		return -1;
	while ((rc = db_step(s->s_db, st)) == DB_ROW) {
		if (n == cap) {
			cap = cap == 0 ? 64 : cap * 2;
			if (cap > limit)
				cap = limit;
			nl = reallocarray(leaves, cap, sizeof(*leaves));
			if (nl == NULL) {
				(void)snprintf(s->s_err, sizeof(s->s_err),
				    "out of memory");
				goto fail;
			}
			leaves = nl;
		}
		leaves[n].ml_id = sqlite3_column_int64(st, 0);
		if (read_hash(s, st, 1, leaves[n].ml_hash) == -1)
			goto fail;
		n++;
	}
	if (rc != DB_DONE)
		goto fail;
	db_finalize(st);
	*leavesp = leaves;
	*np = n;
	return 0;
 fail:
	db_finalize(st);
	free(leaves);
	return -1;
}

static int
mls_query(void *arg, const char *query_id, const char *client,
    int64_t **idsp, size_t *np)
{
	struct mls	*s = arg;
	sqlite3_stmt	*st = NULL;
	int64_t		*ids = NULL, *ni;
	size_t		 n = 0, cap = 0;
	int		 rc;

	*idsp = NULL;
	*np = 0;
	s->s_err[0] = '\0';
	if (db_queryf(s->s_db, &st, "SELECT id FROM record WHERE query_id = ?"
	    " AND client = ? ORDER BY id LIMIT 64", "tt", query_id, client) ==
	    -1)
		return -1;
	while ((rc = db_step(s->s_db, st)) == DB_ROW) {
		if (n == cap) {
			cap = cap == 0 ? 4 : cap * 2;
			if ((ni = reallocarray(ids, cap, sizeof(*ids))) ==
			    NULL) {
				(void)snprintf(s->s_err, sizeof(s->s_err),
				    "out of memory");
				goto fail;
			}
			ids = ni;
		}
		ids[n++] = sqlite3_column_int64(st, 0);
	}
	if (rc != DB_DONE)
		goto fail;
	db_finalize(st);
	*idsp = ids;
	*np = n;
	return 0;
 fail:
	db_finalize(st);
	free(ids);
	return -1;
}

static int
mls_archivable(void *arg, int64_t after, size_t limit, int64_t **idsp,
    size_t *np)
{
	struct mls	*s = arg;
	sqlite3_stmt	*st = NULL;
	int64_t		*ids = NULL;
	size_t		 n = 0;
	int		 rc;

	*idsp = NULL;
	*np = 0;
	s->s_err[0] = '\0';
	if (limit == 0)
		return 0;
	if ((ids = reallocarray(NULL, limit, sizeof(*ids))) == NULL) {
		(void)snprintf(s->s_err, sizeof(s->s_err), "out of memory");
		return -1;
	}
	if (db_queryf(s->s_db, &st, "SELECT id FROM record WHERE archived = 0"
	    " AND timestamp_id IS NOT NULL AND id > ? ORDER BY id LIMIT ?", "II",
	    after, (int64_t)limit) == -1) {
		free(ids);
		return -1;
	}
	while (n < limit && (rc = db_step(s->s_db, st)) == DB_ROW)
		ids[n++] = sqlite3_column_int64(st, 0);
	if (n < limit && rc != DB_DONE) {
		db_finalize(st);
		free(ids);
		return -1;
	}
	db_finalize(st);
	if (n == 0) {
		free(ids);
		ids = NULL;
	}
	*idsp = ids;
	*np = n;
	return 0;
}

static int
mls_set_archived(void *arg, int64_t id)
{
	struct mls	*s = arg;

	s->s_err[0] = '\0';
	if (db_execf(s->s_db, "UPDATE record SET archived = 1 WHERE id = ?"
	    " AND archived = 0 AND timestamp_id IS NOT NULL", "I", id) == -1)
		return -1;
	if (sqlite3_changes(db_handle(s->s_db)) != 1) {
		(void)snprintf(s->s_err, sizeof(s->s_err),
		    "record %lld is missing, not stamped or archived",
		    (long long)id);
		return -1;
	}
	return 0;
}

static int
mls_archive_state(void *arg, char *digest, size_t dlen, char *name,
    size_t nlen)
{
	struct mls	*s = arg;
	sqlite3_stmt	*st = NULL;
	const unsigned char *t;

	s->s_err[0] = '\0';
	if (db_queryf(s->s_db, &st, "SELECT last_digest, last_name FROM"
	    " archive_state WHERE one = 1", "") == -1)
		return -1;
	if (db_step(s->s_db, st) != DB_ROW) {
		db_finalize(st);
		return -1;
	}
	t = sqlite3_column_text(st, 0);
	(void)strlcpy(digest, t != NULL ? (const char *)t : "", dlen);
	t = sqlite3_column_text(st, 1);
	(void)strlcpy(name, t != NULL ? (const char *)t : "", nlen);
	db_finalize(st);
	return 0;
}

static int
mls_set_archive_state(void *arg, const char *digest, const char *name)
{
	struct mls	*s = arg;

	s->s_err[0] = '\0';
	return db_execf(s->s_db, "UPDATE archive_state SET last_digest = ?,"
	    " last_name = ? WHERE one = 1", "tt", digest, name);
}

static int
mls_clean(void *arg, int64_t before_ms, int64_t *deleted)
{
	struct mls	*s = arg;
	sqlite3_stmt	*st = NULL;
	unsigned char	 chain[MSGLOG_HASH_LEN], old[MSGLOG_HASH_LEN];
	int64_t		 last, base;
	int		 rc;

	*deleted = 0;
	s->s_err[0] = '\0';
	/* The longest prefix of archived records older than before_ms. */
	if (db_queryf(s->s_db, &st, "SELECT id, chain_hash FROM record"
	    " WHERE id < COALESCE((SELECT MIN(id) FROM record"
	    " WHERE archived = 0 OR time_ms >= ?),"
	    " (SELECT MAX(id) + 1 FROM record)) ORDER BY id DESC LIMIT 1", "I",
	    before_ms) == -1)
		return -1;
	rc = db_step(s->s_db, st);
	if (rc == DB_DONE) {
		db_finalize(st);
		return 0;
	}
	if (rc != DB_ROW) {
		db_finalize(st);
		return -1;
	}
	last = sqlite3_column_int64(st, 0);
	if (read_hash(s, st, 1, chain) == -1) {
		db_finalize(st);
		return -1;
	}
	db_finalize(st);
	if (mls_base(arg, &base, old) == -1)
		return -1;
	if (db_execf(s->s_db, "UPDATE chain_base SET last_id = ?,"
	    " chain_hash = ? WHERE one = 1", "Ib", last, chain,
	    (size_t)MSGLOG_HASH_LEN) == -1 ||
	    db_execf(s->s_db, "DELETE FROM record WHERE id <= ?", "I", last) ==
	    -1)
		return -1;
	*deleted = last - base;
	return 0;
}

static int64_t
mls_unstamped_count(void *arg)
{
	struct mls	*s = arg;
	int64_t		 n = -1;

	s->s_err[0] = '\0';
	if (db_query_int64(s->s_db, &n, "SELECT count(*) FROM record"
	    " WHERE timestamp_id IS NULL", "") != DB_ROW)
		return -1;
	return n;
}

static int
mls_add_timestamp(void *arg, const struct msglog_stamp *stp,
    size_t nrecords, int64_t *ts_id)
{
	struct mls	*s = arg;

	if (db_execf(s->s_db, "INSERT INTO timestamp (time_ms, token,"
	    " hashchain_result, tsa_url, nrecords) VALUES (?, ?, ?, ?, ?)",
	    "IbbtI", stp->st_time_ms, stp->st_token, stp->st_token_len,
	    stp->st_hashchain_result, stp->st_hashchain_result_len,
	    stp->st_tsa_url, (int64_t)nrecords) == -1)
		return -1;
	*ts_id = db_last_insert_id(s->s_db);
	return 0;
}

static int
mls_set_stamp(void *arg, int64_t id, int64_t ts_id, const char *chain,
    size_t chain_len)
{
	struct mls	*s = arg;

	if (db_bindf(s->s_db, s->s_stamp, "IbI", ts_id, chain, chain_len,
	    id) == -1 || db_step(s->s_db, s->s_stamp) != DB_DONE)
		return -1;
	if (db_changes(s->s_db) != 1) {
		(void)snprintf(s->s_err, sizeof(s->s_err), "record %lld is "
		    "missing or already timestamped", (long long)id);
		return -1;
	}
	return 0;
}

const struct msglog_store_ops msglog_sqlite_ops = {
	.so_name = "sqlite",
	.so_open = mls_open,
	.so_close = mls_close,
	.so_begin = mls_begin,
	.so_commit = mls_commit,
	.so_rollback = mls_rollback,
	.so_base = mls_base,
	.so_tip = mls_tip,
	.so_insert = mls_insert,
	.so_get = mls_get,
	.so_walk = mls_walk,
	.so_unstamped = mls_unstamped,
	.so_unstamped_count = mls_unstamped_count,
	.so_add_timestamp = mls_add_timestamp,
	.so_set_stamp = mls_set_stamp,
	.so_query = mls_query,
	.so_archivable = mls_archivable,
	.so_clean = mls_clean,
	.so_set_archived = mls_set_archived,
	.so_archive_state = mls_archive_state,
	.so_set_archive_state = mls_set_archive_state,
	.so_error = mls_error
};
