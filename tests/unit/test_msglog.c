/*
 * Unit tests for securityserver/msglog.c: group commit, callbacks after
 * the commit, the hash chain and what breaks it, the append-only
 * triggers, the loggable size limit and metadata-only logging.
 */
#include "config.h"

#include <sys/stat.h>

#include <ftw.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <event2/event.h>
#include <sqlite3.h>

#include "buf.h"
#include "hk_check.h"
#include "msglog.h"
#include "xrid.h"

static char			 workdir[256];
static char			 dbpath[300];
static struct event_base	*base;
static struct xrid		 client_id, service_id;

#define SIGNATURE_XML \
	"<ds:Signature xmlns:ds=\"http://www.w3.org/2000/09/xmldsig#\">" \
	"<ds:SignatureValue>c2lnbmF0dXJlIHZhbHVl</ds:SignatureValue>" \
	"</ds:Signature>"

#define SOAP_MSG \
	"<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n" \
	"<SOAP-ENV:Envelope" \
	" xmlns:SOAP-ENV=\"http://schemas.xmlsoap.org/soap/envelope/\"" \
	" xmlns:xrd=\"http://x-road.eu/xsd/xroad.xsd\">" \
	"<SOAP-ENV:Header><xrd:id>q-1</xrd:id></SOAP-ENV:Header>" \
	"<SOAP-ENV:Body><ns1:getPerson xmlns:ns1=\"urn:moi\">" \
	"<ns1:nationalId>secretPayload</ns1:nationalId></ns1:getPerson>" \
	"</SOAP-ENV:Body></SOAP-ENV:Envelope>"

static int
rm_entry(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
	return remove(path);
}

static void
setup(void)
{
	const char	*tmp = getenv("TMPDIR");

	snprintf(workdir, sizeof(workdir), "%s/test_msglog.XXXXXX",
	    tmp != NULL && *tmp != '\0' ? tmp : "/tmp");
	ck_assert_ptr_nonnull(mkdtemp(workdir));
	snprintf(dbpath, sizeof(dbpath), "%s/%s", workdir, MSGLOG_DB_NAME);
	ck_assert_ptr_nonnull(base = event_base_new());
	ck_assert_int_eq(xrid_set_client(&client_id, "PS", "GOV", "MTIT",
	    "SSO", NULL, 0), 0);
	ck_assert_int_eq(xrid_set_service(&service_id, "PS", "GOV", "MOI",
	    "CIVIL-REGISTER", "getPerson", NULL, NULL, 0), 0);
}

static void
teardown(void)
{
	event_base_free(base);
	base = NULL;
	(void)nftw(workdir, rm_entry, 16, FTW_DEPTH | FTW_PHYS);
}

static struct msglog *
open_log(size_t max_body, size_t batch_max, int body_off)
{
	struct msglog_options	 o;
	struct msglog		*ml = NULL;

	memset(&o, 0, sizeof(o));
	o.mo_base = base;
	o.mo_max_body = max_body;
	o.mo_batch_max = batch_max;
	o.mo_body_logging_off = body_off;
	ck_assert_int_eq(msglog_open(dbpath, &o, &ml), 0);
	ck_assert_ptr_nonnull(ml);
	return ml;
}

/* A record; text is the message (SOAP_MSG unless given). */
static void
make_record(struct msglog_record *r, const char *query_id, const char *text)
{
	memset(r, 0, sizeof(*r));
	r->mr_query_id = query_id;
	r->mr_request_id = "req-1";
	r->mr_client = &client_id;
	r->mr_service = &service_id;
	r->mr_side = MSGLOG_CLIENT_PROXY;
	r->mr_direction = MSGLOG_REQUEST;
	r->mr_message = text != NULL ? text : SOAP_MSG;
	r->mr_message_len = strlen(r->mr_message);
	r->mr_signature = SIGNATURE_XML;
	r->mr_signature_len = strlen(SIGNATURE_XML);
}

static void
run_loop(void)
{
	ck_assert_int_ne(event_base_loop(base, EVLOOP_NONBLOCK), -1);
}

/* Callback bookkeeping; also checks the record is on disk already. */
struct done_rec {
	int	dr_calls;
	int	dr_rc;
	int64_t	dr_id;
	int64_t	dr_rows_seen;	/* rows another connection saw */
};

static int64_t
count_rows(const char *sql)
{
	sqlite3		*db;
	sqlite3_stmt	*st;
	int64_t		 n = -1;

	ck_assert_int_eq(sqlite3_open_v2(dbpath, &db, SQLITE_OPEN_READONLY,
	    NULL), SQLITE_OK);
	ck_assert_int_eq(sqlite3_prepare_v2(db, sql, -1, &st, NULL),
	    SQLITE_OK);
	if (sqlite3_step(st) == SQLITE_ROW)
		n = sqlite3_column_int64(st, 0);
	sqlite3_finalize(st);
	sqlite3_close(db);
	return n;
}

static void
on_done(int rc, int64_t id, void *arg)
{
	struct done_rec	*d = arg;

	d->dr_calls++;
	d->dr_rc = rc;
	d->dr_id = id;
	d->dr_rows_seen = count_rows("SELECT count(*) FROM record");
}

static void
raw_sql(const char *sql, int expect_ok)
{
	sqlite3	*db;
	char	*err = NULL;
	int	 rc;

	ck_assert_int_eq(sqlite3_open(dbpath, &db), SQLITE_OK);
	rc = sqlite3_exec(db, sql, NULL, NULL, &err);
	if (expect_ok)
		ck_assert_msg(rc == SQLITE_OK, "%s: %s", sql,
		    err != NULL ? err : "");
	else
		ck_assert_msg(rc != SQLITE_OK, "%s succeeded", sql);
	sqlite3_free(err);
	sqlite3_close(db);
}

static void
append_n(struct msglog *ml, int n, struct done_rec *d)
{
	struct msglog_record	r;
	int			i;

	for (i = 0; i < n; i++) {
		make_record(&r, "q-1", NULL);
		r.mr_direction = i % 2 ? MSGLOG_RESPONSE : MSGLOG_REQUEST;
		ck_assert_int_eq(msglog_append(ml, &r, on_done, &d[i]), 0);
	}
}

START_TEST(test_group_commit)
{
	struct msglog		*ml = open_log(0, 0, 0);
	struct msglog_stats	 st;
	struct done_rec		 d[50];
	struct msglog_verify	 mv;
	int			 i;

	memset(d, 0, sizeof(d));
	append_n(ml, 50, d);
	/* Nothing written, no callback yet: that is the loop's turn. */
	for (i = 0; i < 50; i++)
		ck_assert_int_eq(d[i].dr_calls, 0);
	msglog_stats(ml, &st);
	ck_assert_uint_eq(st.ms_transactions, 0);
	ck_assert_uint_eq(st.ms_queued, 50);
	ck_assert_int_eq(count_rows("SELECT count(*) FROM record"), 0);

	run_loop();
	msglog_stats(ml, &st);
	ck_assert_uint_eq(st.ms_transactions, 1);	/* one commit for all */
	ck_assert_uint_eq(st.ms_appended, 50);
	ck_assert_uint_eq(st.ms_queued, 0);
	for (i = 0; i < 50; i++) {
		ck_assert_int_eq(d[i].dr_calls, 1);
		ck_assert_int_eq(d[i].dr_rc, 0);
		ck_assert_int_eq(d[i].dr_id, i + 1);
		/* Durable and visible to others before the callback. */
		ck_assert_int_eq(d[i].dr_rows_seen, 50);
	}
	ck_assert_int_eq(msglog_unstamped_count(ml), 50);
	ck_assert_int_eq(msglog_verify_chain(ml, &mv), 0);
	ck_assert_int_eq(mv.mv_records, 50);
	ck_assert_int_eq(mv.mv_bad_id, 0);

	/* A second burst is a second transaction, ids go on. */
	append_n(ml, 3, d);
	run_loop();
	msglog_stats(ml, &st);
	ck_assert_uint_eq(st.ms_transactions, 2);
	ck_assert_int_eq(d[2].dr_id, 53);
	msglog_close(ml);
}
END_TEST

START_TEST(test_batch_max)
{
	struct msglog		*ml = open_log(0, 10, 0);
	struct msglog_stats	 st;
	struct done_rec		 d[25];
	int			 i;

	memset(d, 0, sizeof(d));
	append_n(ml, 25, d);
	/* Two full batches written at once, callbacks still wait. */
	msglog_stats(ml, &st);
	ck_assert_uint_eq(st.ms_transactions, 2);
	ck_assert_uint_eq(st.ms_queued, 5);
	ck_assert_int_eq(count_rows("SELECT count(*) FROM record"), 20);
	for (i = 0; i < 25; i++)
		ck_assert_int_eq(d[i].dr_calls, 0);
	run_loop();
	msglog_stats(ml, &st);
	ck_assert_uint_eq(st.ms_transactions, 3);
	for (i = 0; i < 25; i++) {
		ck_assert_int_eq(d[i].dr_calls, 1);
		ck_assert_int_eq(d[i].dr_rc, 0);
		ck_assert_int_eq(d[i].dr_id, i + 1);
	}
	msglog_close(ml);
}
END_TEST

START_TEST(test_close_flushes)
{
	struct msglog		*ml = open_log(0, 0, 0);
	struct msglog_record	 r;
	struct msglog_verify	 mv;
	struct done_rec		 d[3];

	memset(d, 0, sizeof(d));
	append_n(ml, 2, d);
	msglog_close(ml);
	ck_assert_int_eq(d[0].dr_calls, 1);
	ck_assert_int_eq(d[0].dr_rc, 0);
	ck_assert_int_eq(d[1].dr_id, 2);

	/* Reopened: the chain goes on from the stored tip. */
	ml = open_log(0, 0, 0);
	make_record(&r, "q-2", NULL);
	ck_assert_int_eq(msglog_append(ml, &r, on_done, &d[2]), 0);
	run_loop();
	ck_assert_int_eq(d[2].dr_id, 3);
	ck_assert_int_eq(msglog_verify_chain(ml, &mv), 0);
	ck_assert_int_eq(mv.mv_records, 3);
	msglog_close(ml);
	msglog_close(NULL);
}
END_TEST

START_TEST(test_entry_roundtrip)
{
	struct msglog		*ml = open_log(0, 0, 0);
	struct msglog_record	 r;
	struct msglog_entry	*e = NULL;
	struct done_rec		 d;
	static const unsigned char body[] = { 0, 1, 2, 'x', 0 };

	memset(&d, 0, sizeof(d));
	make_record(&r, "q-rt", "GET /r1/PS/GOV/MOI/CIVIL-REGISTER/persons "
	    "HTTP/1.1\r\nX-Road-Client: PS/GOV/MTIT/SSO\r\n\r\n");
	r.mr_rest = 1;
	r.mr_side = MSGLOG_SERVER_PROXY;
	r.mr_direction = MSGLOG_RESPONSE;
	r.mr_time_ms = 1700000000123LL;
	r.mr_body = body;
	r.mr_body_len = sizeof(body);
	r.mr_sig_hashchain = "<chain/>";
	r.mr_sig_hashchain_len = 8;
	r.mr_sig_hashchain_result = "<result/>";
	r.mr_sig_hashchain_result_len = 9;
	ck_assert_int_eq(msglog_append(ml, &r, on_done, &d), 0);
	run_loop();
	ck_assert_int_eq(d.dr_rc, 0);

	ck_assert_int_eq(msglog_entry_get(ml, d.dr_id, &e), 0);
	ck_assert_str_eq(e->me_query_id, "q-rt");
	ck_assert_str_eq(e->me_request_id, "req-1");
	ck_assert_str_eq(e->me_client, "SUBSYSTEM:PS/GOV/MTIT/SSO");
	ck_assert_ptr_nonnull(strstr(e->me_service, "CIVIL-REGISTER"));
	ck_assert_int_eq(e->me_side, MSGLOG_SERVER_PROXY);
	ck_assert_int_eq(e->me_direction, MSGLOG_RESPONSE);
	ck_assert_int_eq(e->me_rest, 1);
	ck_assert_int_eq(e->me_body_logged, 1);
	ck_assert_int_eq(e->me_time_ms, 1700000000123LL);
	ck_assert_uint_eq(e->me_message_len, r.mr_message_len);
	ck_assert_int_eq(memcmp(e->me_message, r.mr_message,
	    r.mr_message_len), 0);
	ck_assert_uint_eq(e->me_body_len, sizeof(body));
	ck_assert_int_eq(memcmp(e->me_body, body, sizeof(body)), 0);
	ck_assert_str_eq(e->me_signature, SIGNATURE_XML);
	ck_assert_str_eq(e->me_sig_hashchain, "<chain/>");
	ck_assert_str_eq(e->me_sig_hashchain_result, "<result/>");
	ck_assert_int_eq(e->me_ts_id, 0);
	ck_assert_ptr_null(e->me_ts_token);
	msglog_entry_free(e);
	msglog_entry_free(NULL);
	ck_assert_int_eq(msglog_entry_get(ml, 999, &e), 1);
	ck_assert_ptr_null(e);
	msglog_close(ml);
}
END_TEST

/* Write 5 records and close, for the tampering tests. */
static void
five_records(void)
{
	struct msglog		*ml = open_log(0, 0, 0);
	struct done_rec		 d[5];
	struct msglog_verify	 mv;

	memset(d, 0, sizeof(d));
	append_n(ml, 5, d);
	run_loop();
	ck_assert_int_eq(d[4].dr_id, 5);
	ck_assert_int_eq(msglog_verify_chain(ml, &mv), 0);
	msglog_close(ml);
}

static void
expect_broken(int64_t bad_id, const char *why)
{
	struct msglog		*ml = open_log(0, 0, 0);
	struct msglog_verify	 mv;
	char			 name[32];

	ck_assert_int_eq(msglog_verify_chain(ml, &mv), -1);
	ck_assert_int_eq(mv.mv_bad_id, bad_id);
	snprintf(name, sizeof(name), "record %lld", (long long)bad_id);
	ck_assert_msg(strstr(mv.mv_error, name) != NULL &&
	    strstr(mv.mv_error, why) != NULL, "error: %s", mv.mv_error);
	msglog_close(ml);
}

START_TEST(test_triggers_refuse_changes)
{
	five_records();
	raw_sql("UPDATE record SET message = x'00' WHERE id = 3", 0);
	raw_sql("UPDATE record SET query_id = 'other' WHERE id = 3", 0);
	raw_sql("DELETE FROM record WHERE id = 5", 0);
	raw_sql("UPDATE timestamp SET token = x'00'", 1);	/* no rows */
	raw_sql("DELETE FROM chain_base", 0);
	/* What may change: the archived flag, once. */
	raw_sql("UPDATE record SET archived = 1 WHERE id = 1", 1);
	raw_sql("UPDATE record SET archived = 0 WHERE id = 1", 0);
	{
		struct msglog		*ml = open_log(0, 0, 0);
		struct msglog_verify	 mv;

		ck_assert_int_eq(msglog_verify_chain(ml, &mv), 0);
		ck_assert_int_eq(mv.mv_records, 5);
		msglog_close(ml);
	}
}
END_TEST

START_TEST(test_altered_byte_breaks_chain)
{
	five_records();
	/* Whoever drops the trigger still breaks the chain. */
	raw_sql("DROP TRIGGER record_append_only;"
	    "UPDATE record SET message = CAST(replace(CAST(message AS TEXT),"
	    " 'secretPayload', 'secretPayloae') AS BLOB) WHERE id = 3", 1);
	ck_assert_int_eq(count_rows("SELECT count(*) FROM record WHERE "
	    "instr(message, CAST('secretPayloae' AS BLOB)) > 0"), 1);
	expect_broken(3, "content hash");
}
END_TEST

START_TEST(test_altered_signature_breaks_chain)
{
	five_records();
	raw_sql("DROP TRIGGER record_append_only;"
	    "UPDATE record SET signature = CAST(replace(CAST(signature AS "
	    "TEXT), 'c2ln', 'c2lo') AS BLOB) WHERE id = 2", 1);
	expect_broken(2, "signature hash");
}
END_TEST

START_TEST(test_recomputed_content_hash_breaks_link)
{
	five_records();
	/* A forged content hash does not link to the next record. */
	raw_sql("DROP TRIGGER record_append_only;"
	    "UPDATE record SET chain_hash = zeroblob(64) WHERE id = 4", 1);
	expect_broken(4, "chain hash");
}
END_TEST

START_TEST(test_deleted_record_breaks_chain)
{
	five_records();
	raw_sql("DROP TRIGGER record_keep; DELETE FROM record WHERE id = 2",
	    1);
	expect_broken(3, "missing");
}
END_TEST

START_TEST(test_reordered_records_break_chain)
{
	five_records();
	/* Swap the ids of records 2 and 3. */
	raw_sql("DROP TRIGGER record_append_only;"
	    "UPDATE record SET id = 100 WHERE id = 2;"
	    "UPDATE record SET id = 2 WHERE id = 3;"
	    "UPDATE record SET id = 3 WHERE id = 100", 1);
	expect_broken(2, "content hash");
}
END_TEST

START_TEST(test_too_big)
{
	struct msglog		*ml = open_log(2048, 0, 0);
	struct msglog_record	 r;
	struct msglog_stats	 st;
	struct done_rec		 d;
	char			*big;
	static char		 body[1500];

	memset(&d, 0, sizeof(d));
	ck_assert_uint_eq(msglog_max_body(ml), 2048);
	big = malloc(3000);
	ck_assert_ptr_nonnull(big);
	memset(big, 'a', 2999);
	big[2999] = '\0';
	make_record(&r, "q-big", big);
	r.mr_rest = 1;
	ck_assert_int_eq(msglog_append(ml, &r, on_done, &d),
	    MSGLOG_ERR_TOO_BIG);
	ck_assert_str_eq(msglog_strerror(MSGLOG_ERR_TOO_BIG),
	    "Message size exceeds maximum loggable size");

	/* Head and body together count. */
	memset(body, 'b', sizeof(body));
	make_record(&r, "q-big", "GET /r1/x HTTP/1.1\r\n"
	    "X-Road-Client: PS/GOV/MTIT/SSO\r\n"
	    "X-Pad: 0123456789012345678901234567890123456789012345678901"
	    "23456789012345678901234567890123456789012345678901234567890"
	    "\r\n\r\n");
	r.mr_rest = 1;
	r.mr_body = body;
	r.mr_body_len = sizeof(body);
	ck_assert_int_eq(msglog_append(ml, &r, on_done, &d), 0);
	big[600] = '\0';
	r.mr_message = big;
	r.mr_message_len = 600;
	ck_assert_int_eq(msglog_append(ml, &r, on_done, &d),
	    MSGLOG_ERR_TOO_BIG);
	/* Body logging off: the body is not kept, so it is no limit. */
	r.mr_body_logging = MSGLOG_BODY_OFF;
	ck_assert_int_eq(msglog_append(ml, &r, on_done, &d), 0);
	run_loop();
	ck_assert_int_eq(d.dr_calls, 2);	/* refused ones never call */
	msglog_stats(ml, &st);
	ck_assert_uint_eq(st.ms_refused, 2);
	ck_assert_uint_eq(st.ms_appended, 2);
	free(big);
	msglog_close(ml);
}
END_TEST

START_TEST(test_invalid)
{
	struct msglog		*ml = open_log(0, 0, 0);
	struct msglog_record	 r;
	struct done_rec		 d;
	struct xrid		 member;

	memset(&d, 0, sizeof(d));
	make_record(&r, NULL, NULL);
	ck_assert_int_eq(msglog_append(ml, &r, on_done, &d),
	    MSGLOG_ERR_INVALID);
	make_record(&r, "", NULL);
	ck_assert_int_eq(msglog_append(ml, &r, on_done, &d),
	    MSGLOG_ERR_INVALID);
	make_record(&r, "q", NULL);
	r.mr_signature = NULL;
	ck_assert_int_eq(msglog_append(ml, &r, on_done, &d),
	    MSGLOG_ERR_INVALID);
	make_record(&r, "q", NULL);
	r.mr_service = &client_id;		/* not a SERVICE */
	ck_assert_int_eq(msglog_append(ml, &r, on_done, &d),
	    MSGLOG_ERR_INVALID);
	make_record(&r, "q", NULL);
	r.mr_side = 7;
	ck_assert_int_eq(msglog_append(ml, &r, on_done, &d),
	    MSGLOG_ERR_INVALID);
	/* Metadata only needs a SOAP envelope to empty. */
	make_record(&r, "q", "<notSoap/>");
	r.mr_body_logging = MSGLOG_BODY_OFF;
	ck_assert_int_eq(msglog_append(ml, &r, on_done, &d),
	    MSGLOG_ERR_INVALID);
	make_record(&r, "q", "<!DOCTYPE x [<!ENTITY e 'x'>]>"
	    "<SOAP-ENV:Envelope xmlns:SOAP-ENV="
	    "\"http://schemas.xmlsoap.org/soap/envelope/\">"
	    "<SOAP-ENV:Body>&e;</SOAP-ENV:Body></SOAP-ENV:Envelope>");
	r.mr_body_logging = MSGLOG_BODY_OFF;
	ck_assert_int_eq(msglog_append(ml, &r, on_done, &d),
	    MSGLOG_ERR_INVALID);
	/* A member client is fine. */
	ck_assert_int_eq(xrid_set_client(&member, "PS", "GOV", "MTIT", NULL,
	    NULL, 0), 0);
	make_record(&r, "q", NULL);
	r.mr_client = &member;
	ck_assert_int_eq(msglog_append(ml, &r, on_done, &d), 0);
	run_loop();
	ck_assert_int_eq(d.dr_calls, 1);
	ck_assert_int_eq(d.dr_rc, 0);
	msglog_close(ml);
}
END_TEST

START_TEST(test_body_logging_off)
{
	struct msglog		*ml = open_log(0, 0, 0);
	struct msglog_record	 r;
	struct msglog_entry	*e;
	struct done_rec		 d[3];
	static const char	 att[] = "attachment bytes";
	const char		*head = "POST /r1/PS/GOV/MOI/CIVIL-REGISTER/p "
	    "HTTP/1.1\r\nX-Road-Client: PS/GOV/MTIT/SSO\r\n\r\n";

	memset(d, 0, sizeof(d));
	/* SOAP: Body emptied, header kept, attachments dropped. */
	make_record(&r, "q-soap", NULL);
	r.mr_body_logging = MSGLOG_BODY_OFF;
	r.mr_body = att;
	r.mr_body_len = sizeof(att);
	ck_assert_int_eq(msglog_append(ml, &r, on_done, &d[0]), 0);
	/* REST: the head as given, no body. */
	make_record(&r, "q-rest", head);
	r.mr_rest = 1;
	r.mr_body_logging = MSGLOG_BODY_OFF;
	r.mr_body = att;
	r.mr_body_len = sizeof(att);
	ck_assert_int_eq(msglog_append(ml, &r, on_done, &d[1]), 0);
	/* Body logging on (the default): everything. */
	make_record(&r, "q-full", NULL);
	r.mr_body = att;
	r.mr_body_len = sizeof(att);
	ck_assert_int_eq(msglog_append(ml, &r, on_done, &d[2]), 0);
	run_loop();

	ck_assert_int_eq(msglog_entry_get(ml, d[0].dr_id, &e), 0);
	ck_assert_int_eq(e->me_body_logged, 0);
	ck_assert_ptr_null(e->me_body);
	ck_assert_ptr_null(strstr((char *)e->me_message, "secretPayload"));
	ck_assert_ptr_null(strstr((char *)e->me_message, "getPerson"));
	ck_assert_ptr_nonnull(strstr((char *)e->me_message, "q-1</xrd:id>"));
	ck_assert_ptr_nonnull(strstr((char *)e->me_message, "Body"));
	msglog_entry_free(e);

	ck_assert_int_eq(msglog_entry_get(ml, d[1].dr_id, &e), 0);
	ck_assert_int_eq(e->me_body_logged, 0);
	ck_assert_ptr_null(e->me_body);
	ck_assert_str_eq((char *)e->me_message, head);
	msglog_entry_free(e);

	ck_assert_int_eq(msglog_entry_get(ml, d[2].dr_id, &e), 0);
	ck_assert_int_eq(e->me_body_logged, 1);
	ck_assert_ptr_nonnull(e->me_body);
	ck_assert_ptr_nonnull(strstr((char *)e->me_message,
	    "secretPayload"));
	msglog_entry_free(e);
	msglog_close(ml);

	/* Off by default for the whole log. */
	ml = open_log(0, 0, 1);
	memset(d, 0, sizeof(d));
	make_record(&r, "q-def", NULL);
	ck_assert_int_eq(msglog_append(ml, &r, on_done, &d[0]), 0);
	make_record(&r, "q-on", NULL);
	r.mr_body_logging = MSGLOG_BODY_ON;
	ck_assert_int_eq(msglog_append(ml, &r, on_done, &d[1]), 0);
	run_loop();
	ck_assert_int_eq(msglog_entry_get(ml, d[0].dr_id, &e), 0);
	ck_assert_int_eq(e->me_body_logged, 0);
	ck_assert_ptr_null(strstr((char *)e->me_message, "secretPayload"));
	msglog_entry_free(e);
	ck_assert_int_eq(msglog_entry_get(ml, d[1].dr_id, &e), 0);
	ck_assert_int_eq(e->me_body_logged, 1);
	msglog_entry_free(e);
	msglog_close(ml);
}
END_TEST

START_TEST(test_commit_failure)
{
	struct msglog		*ml = open_log(0, 0, 0);
	struct msglog_stats	 st;
	struct msglog_verify	 mv;
	struct done_rec		 d[4];

	memset(d, 0, sizeof(d));
	append_n(ml, 1, d);
	run_loop();
	ck_assert_int_eq(d[0].dr_rc, 0);
	raw_sql("CREATE TRIGGER boom BEFORE INSERT ON record "
	    "BEGIN SELECT RAISE(ABORT, 'disk on fire'); END", 1);
	append_n(ml, 2, &d[1]);
	run_loop();
	/* The whole batch fails; nothing of it is stored. */
	ck_assert_int_eq(d[1].dr_calls, 1);
	ck_assert_int_eq(d[1].dr_rc, MSGLOG_ERR);
	ck_assert_int_eq(d[1].dr_id, 0);
	ck_assert_int_eq(d[2].dr_rc, MSGLOG_ERR);
	ck_assert_int_eq(count_rows("SELECT count(*) FROM record"), 1);
	msglog_stats(ml, &st);
	ck_assert_uint_eq(st.ms_failed, 2);
	raw_sql("DROP TRIGGER boom", 1);
	append_n(ml, 1, &d[3]);
	run_loop();
	ck_assert_int_eq(d[3].dr_rc, 0);
	ck_assert_int_eq(d[3].dr_id, 2);
	ck_assert_int_eq(msglog_verify_chain(ml, &mv), 0);
	ck_assert_int_eq(mv.mv_records, 2);
	msglog_close(ml);
}
END_TEST

START_TEST(test_store_stamp)
{
	struct msglog		*ml = open_log(0, 0, 0);
	struct msglog_stamp	 stp;
	struct msglog_leaf	*leaves = NULL;
	struct msglog_entry	*e;
	struct done_rec		 d[3];
	static const unsigned char token[] = { 0x30, 0x03, 0x02, 0x01, 0x05 };
	const char		*chains[2] = { "<c1/>", "<c2/>" };
	size_t			 lens[2] = { 5, 5 }, n = 0;
	int64_t			 ids[2] = { 1, 2 }, again[2] = { 3, 1 };
	int64_t			 ts_id = 0;

	memset(d, 0, sizeof(d));
	append_n(ml, 3, d);
	run_loop();
	ck_assert_int_eq(msglog_unstamped(ml, 2, &leaves, &n), 0);
	ck_assert_uint_eq(n, 2);
	ck_assert_int_eq(leaves[0].ml_id, 1);
	ck_assert_int_eq(leaves[1].ml_id, 2);
	free(leaves);

	memset(&stp, 0, sizeof(stp));
	stp.st_token = token;
	stp.st_token_len = sizeof(token);
	stp.st_time_ms = 1700000000000LL;
	stp.st_hashchain_result = "<r/>";
	stp.st_hashchain_result_len = 4;
	stp.st_tsa_url = "http://127.0.0.1:8091/";
	ck_assert_int_eq(msglog_store_stamp(ml, &stp, ids, chains, lens, 2,
	    &ts_id), 0);
	ck_assert_int_gt(ts_id, 0);
	ck_assert_int_eq(msglog_unstamped_count(ml), 1);

	/* Record 1 again: refused, and record 3 is not stamped either. */
	ck_assert_int_eq(msglog_store_stamp(ml, &stp, again, chains, lens, 2,
	    NULL), -1);
	ck_assert_int_eq(msglog_unstamped_count(ml), 1);
	ck_assert_int_eq(count_rows("SELECT count(*) FROM timestamp"), 1);

	ck_assert_int_eq(msglog_entry_get(ml, 2, &e), 0);
	ck_assert_int_eq(e->me_ts_id, ts_id);
	ck_assert_int_eq(e->me_ts_time_ms, 1700000000000LL);
	ck_assert_uint_eq(e->me_ts_token_len, sizeof(token));
	ck_assert_str_eq(e->me_ts_hashchain, "<c2/>");
	ck_assert_str_eq(e->me_ts_hashchain_result, "<r/>");
	msglog_entry_free(e);
	msglog_close(ml);
	/* Stamping by raw SQL a second time is refused too. */
	raw_sql("UPDATE record SET timestamp_id = NULL WHERE id = 1", 0);
}
END_TEST

START_TEST(test_archive_and_clean)
{
	struct msglog		*ml = open_log(0, 0, 0);
	struct msglog_stamp	 stp;
	struct msglog_verify	 mv;
	struct done_rec		 d[5];
	static const unsigned char token[] = { 0x30, 0x03, 0x02, 0x01, 0x05 };
	int64_t			 stamp_ids[3] = { 1, 2, 3 }, arch[2] = { 1, 2 };
	int64_t			*ids = NULL, deleted = -1;
	size_t			 n = 0;
	char			 dig[200], name[300];

	memset(d, 0, sizeof(d));
	append_n(ml, 4, d);
	run_loop();
	/* Nothing is archivable before it is stamped. */
	ck_assert_int_eq(msglog_archivable(ml, 0, 10, &ids, &n), 0);
	ck_assert_uint_eq(n, 0);
	ck_assert_ptr_null(ids);
	memset(&stp, 0, sizeof(stp));
	stp.st_token = token;
	stp.st_token_len = sizeof(token);
	stp.st_time_ms = 1700000000000LL;
	ck_assert_int_eq(msglog_store_stamp(ml, &stp, stamp_ids, NULL, NULL,
	    3, NULL), 0);
	ck_assert_int_eq(msglog_archivable(ml, 0, 10, &ids, &n), 0);
	ck_assert_uint_eq(n, 3);
	ck_assert_int_eq(ids[0], 1);
	ck_assert_int_eq(ids[2], 3);
	free(ids);
	ck_assert_int_eq(msglog_archivable(ml, 2, 10, &ids, &n), 0);
	ck_assert_uint_eq(n, 1);
	ck_assert_int_eq(ids[0], 3);
	free(ids);

	ck_assert_int_eq(msglog_archive_state(ml, dig, sizeof(dig), name,
	    sizeof(name)), 0);
	ck_assert_str_eq(dig, "");
	ck_assert_str_eq(name, "");
	ck_assert_int_eq(msglog_mark_archived(ml, arch, 2, "ab12", "a.zip"),
	    0);
	ck_assert_int_eq(msglog_archive_state(ml, dig, sizeof(dig), name,
	    sizeof(name)), 0);
	ck_assert_str_eq(dig, "ab12");
	ck_assert_str_eq(name, "a.zip");
	/* Again, or an unstamped record: refused, nothing changed. */
	ck_assert_int_eq(msglog_mark_archived(ml, arch, 1, "cd", "b.zip"), -1);
	arch[0] = 4;
	ck_assert_int_eq(msglog_mark_archived(ml, arch, 1, "cd", "b.zip"), -1);
	ck_assert_int_eq(msglog_archive_state(ml, dig, sizeof(dig), name,
	    sizeof(name)), 0);
	ck_assert_str_eq(dig, "ab12");
	ck_assert_int_eq(count_rows("SELECT count(*) FROM record"
	    " WHERE archived = 1"), 2);

	/* Records too young stay. */
	ck_assert_int_eq(msglog_clean(ml, 0, &deleted), 0);
	ck_assert_int_eq(deleted, 0);
	/* Old enough: 1 and 2 go (3 is not archived), the chain holds. */
	ck_assert_int_eq(msglog_clean(ml, INT64_MAX / 2, &deleted), 0);
	ck_assert_int_eq(deleted, 2);
	ck_assert_int_eq(count_rows("SELECT count(*) FROM record"), 2);
	ck_assert_int_eq(count_rows("SELECT last_id FROM chain_base"), 2);
	ck_assert_int_eq(msglog_verify_chain(ml, &mv), 0);
	ck_assert_int_eq(mv.mv_records, 2);
	/* Appending after the moved base keeps the chain. */
	append_n(ml, 1, &d[4]);
	run_loop();
	ck_assert_int_eq(d[4].dr_rc, 0);
	ck_assert_int_eq(d[4].dr_id, 5);
	ck_assert_int_eq(msglog_verify_chain(ml, &mv), 0);
	ck_assert_int_eq(mv.mv_records, 3);
	msglog_close(ml);
}
END_TEST

START_TEST(test_strip_body)
{
	struct buf	*b = NULL;

	ck_assert_int_eq(msglog_soap_strip_body(SOAP_MSG, strlen(SOAP_MSG),
	    1 << 20, &b), 0);
	ck_assert_ptr_null(strstr(buf_str(b), "nationalId"));
	ck_assert_ptr_nonnull(strstr(buf_str(b), "<xrd:id>q-1</xrd:id>"));
	buf_free(b);
	/* Output over max, no envelope, no Body: refused. */
	ck_assert_int_eq(msglog_soap_strip_body(SOAP_MSG, strlen(SOAP_MSG),
	    16, &b), -1);
	ck_assert_ptr_null(b);
	ck_assert_int_eq(msglog_soap_strip_body("<a/>", 4, 1024, &b), -1);
	{
		const char *e = "<S:Envelope xmlns:S=\""
		    "http://schemas.xmlsoap.org/soap/envelope/\"/>";

		ck_assert_int_eq(msglog_soap_strip_body(e, strlen(e), 1024,
		    &b), -1);
	}
	ck_assert_int_eq(msglog_soap_strip_body("garbage", 7, 1024, &b), -1);
}
END_TEST

static Suite *
msglog_suite(void)
{
	Suite	*s = suite_create("msglog");
	TCase	*tc = tcase_create("core");

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, test_group_commit);
	tcase_add_test(tc, test_batch_max);
	tcase_add_test(tc, test_close_flushes);
	tcase_add_test(tc, test_entry_roundtrip);
	tcase_add_test(tc, test_triggers_refuse_changes);
	tcase_add_test(tc, test_altered_byte_breaks_chain);
	tcase_add_test(tc, test_altered_signature_breaks_chain);
	tcase_add_test(tc, test_recomputed_content_hash_breaks_link);
	tcase_add_test(tc, test_deleted_record_breaks_chain);
	tcase_add_test(tc, test_reordered_records_break_chain);
	tcase_add_test(tc, test_too_big);
	tcase_add_test(tc, test_invalid);
	tcase_add_test(tc, test_body_logging_off);
	tcase_add_test(tc, test_commit_failure);
	tcase_add_test(tc, test_store_stamp);
	tcase_add_test(tc, test_archive_and_clean);
	tcase_add_test(tc, test_strip_body);
	suite_add_tcase(s, tc);
	return s;
}

HK_CHECK_MAIN(msglog_suite)
