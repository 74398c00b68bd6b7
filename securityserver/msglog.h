/*
 * msglog.h: the message log (NOTES.md 5.1) and its batch timestamper
 * (NOTES.md 5.2) in the security server daemon.
 *
 * msglog.c keeps one record per request and per response the server
 * exchanges, in state-dir/messagelog.db (SQLite, WAL, synchronous=FULL).
 * Records are append-only: triggers refuse changes to a record's content
 * (only the timestamp, once, and the archived flag may be set) and the
 * deletion of unarchived records. Every record carries
 *
 *	content_hash = SHA-512(canonical encoding of its content, big
 *	               fields by their SHA-512)
 *	chain_hash   = SHA-512(previous record's chain_hash || content_hash)
 *
 * so deleting, reordering or altering a record breaks the chain at the
 * next record (msglog_verify_chain). Removing records at the very end of
 * the log is not visible to the chain alone; timestamps and archives
 * pin those.
 *
 * Group commit: msglog_append() queues the record and returns; the queue
 * is written in one transaction on the next turn of the event loop (or at
 * once when it holds mo_batch_max records), then each record's callback
 * runs from the loop with 0 (durable) or an error. A proxy sends its
 * answer only after the callbacks of both records said 0.
 *
 * timestamper.c stamps the unstamped records every
 * timeStampingIntervalSeconds (global configuration): one RFC 3161
 * request (SHA-512) per round to an approved TSA over the Merkle tree of
 * the records' signature hashes (X-Road's ts-hashchain, hashchain.h), and
 * stores the token and each record's hash chain after checking the
 * response (signature, approved TSA certificate, imprint, nonce).
 *
 * Storage goes through one narrow interface (msglog_store.h); SQLite is
 * the only backend today.
 *
 * Single-threaded: everything runs on the event_base given at open.
 */
#ifndef HK_MSGLOG_H
#define HK_MSGLOG_H

#include <stddef.h>
#include <stdint.h>
#include <time.h>

struct buf;
struct event_base;
struct gconf;
struct httpc_tls;
struct msglog;
struct ssd;
struct timestamper;
struct xrid;

#define MSGLOG_DB_NAME		"messagelog.db"
#define MSGLOG_MAX_BODY_DEFAULT	(10 * 1024 * 1024)
#define MSGLOG_BATCH_DEFAULT	256
#define MSGLOG_HASH_LEN		64	/* SHA-512 */

/* File names inside a signed container (X-Road MessageFileNames). */
#define MSGLOG_URI_SIGNATURE	"/META-INF/signatures.xml"
#define MSGLOG_URI_TS_CHAIN	"/ts-hashchain.xml"
#define MSGLOG_URI_TS_RESULT	"/ts-hashchainresult.xml"

/* Errors: negative; msglog_strerror() names them. */
#define MSGLOG_ERR		(-1)	/* storage failure */
#define MSGLOG_ERR_TOO_BIG	(-2)	/* over the max loggable body size */
#define MSGLOG_ERR_INVALID	(-3)	/* a required field is missing */
#define MSGLOG_ERR_NOMEM	(-4)
#define MSGLOG_ERR_CLOSING	(-5)	/* the log is being closed */

const char	*msglog_strerror(int);

/* msglog.c */

enum msglog_side {
	MSGLOG_CLIENT_PROXY = 0,	/* consumer side */
	MSGLOG_SERVER_PROXY = 1		/* provider side */
};

enum msglog_direction {
	MSGLOG_REQUEST = 0,
	MSGLOG_RESPONSE = 1
};

/* Body logging of one record. */
enum msglog_body {
	MSGLOG_BODY_DEFAULT = 0,	/* [message-log] body-logging */
	MSGLOG_BODY_ON = 1,
	MSGLOG_BODY_OFF = 2		/* metadata only */
};

/*
 * One record to append. Everything is borrowed for the call only
 * (msglog_append copies what it keeps).
 *
 * mr_message is the message as exchanged: the SOAP envelope (the root
 * part for SOAP with attachments) or the REST head (rest.h serialised
 * request/response line and headers). mr_body holds the attachments
 * or the REST body (NULL: none).
 *
 * Metadata only (mr_body_logging MSGLOG_BODY_OFF, which the proxy sets
 * from the subsystem's body_logging in serverconf, or DEFAULT with
 * body-logging off): for SOAP the Body element is emptied (the envelope
 * is parsed and written again), for REST the head is kept as given;
 * mr_body is dropped in both cases. The
 * record says so (msglog_entry.me_body_logged) and cannot be verified
 * as evidence later, as in X-Road.
 *
 * mr_signature is the XAdES signature document over the message
 * (META-INF/signatures.xml); its SHA-512 is the record's leaf for
 * timestamping. mr_sig_hashchain / _result are the batch-signature hash
 * chain documents (sig-hashchain.xml, sig-hashchainresult.xml), NULL
 * when the message was signed alone.
 */
struct msglog_record {
	const char		*mr_query_id;	/* X-Road id; required */
	const char		*mr_request_id;	/* X-Road-Request-Id or NULL */
	const struct xrid	*mr_client;	/* MEMBER or SUBSYSTEM; required */
	const struct xrid	*mr_service;	/* SERVICE; required */
	enum msglog_side	 mr_side;
	enum msglog_direction	 mr_direction;
	int			 mr_rest;	/* 1: REST, 0: SOAP */
	enum msglog_body	 mr_body_logging;
	int64_t			 mr_time_ms;	/* 0: now */
	const void		*mr_message;	/* required */
	size_t			 mr_message_len;
	const void		*mr_body;
	size_t			 mr_body_len;
	const char		*mr_signature;	/* required */
	size_t			 mr_signature_len;
	const char		*mr_sig_hashchain;
	size_t			 mr_sig_hashchain_len;
	const char		*mr_sig_hashchain_result;
	size_t			 mr_sig_hashchain_result_len;
};

struct msglog_options {
	struct event_base	*mo_base;	/* required: callbacks run here */
	size_t			 mo_max_body;	/* 0: MSGLOG_MAX_BODY_DEFAULT */
	size_t			 mo_batch_max;	/* 0: MSGLOG_BATCH_DEFAULT */
	int			 mo_sync_normal; /* 1: synchronous=NORMAL */
	int			 mo_body_logging_off; /* default: metadata only */
};

/*
 * Open (creating and migrating) the log at path. On success *out is the
 * log (caller closes with msglog_close) and 0 is returned; else -1, the
 * reason logged.
 */
int	msglog_open(const char *path, const struct msglog_options *,
	    struct msglog **out);
/*
 * Writes what is queued, runs the callbacks still due (with the result),
 * then closes. Accepts NULL. Free a timestamper on this log first.
 */
void	msglog_close(struct msglog *);

/*
 * done runs exactly once, from the event loop (never from inside
 * msglog_append), with rc 0 and the record's id once it is durable, or a
 * negative MSGLOG_ERR* (id 0).
 */
typedef void (*msglog_append_fn)(int rc, int64_t id, void *arg);

/*
 * Queue a record. Returns 0 (done will run), or a negative MSGLOG_ERR_*
 * right away and done never runs: MSGLOG_ERR_TOO_BIG when the message
 * and body to be stored exceed the max loggable body size (answer
 * Server.*.LoggingFailed "Message size exceeds maximum loggable size"),
 * MSGLOG_ERR_INVALID, MSGLOG_ERR_NOMEM, MSGLOG_ERR_CLOSING.
 */
int	msglog_append(struct msglog *, const struct msglog_record *,
	    msglog_append_fn done, void *arg);
/* Write the queue now (the callbacks still run from the loop). 0 / -1. */
int	msglog_flush(struct msglog *);

struct msglog_stats {
	uint64_t	ms_appended;	/* records written */
	uint64_t	ms_transactions; /* group commits that wrote records */
	uint64_t	ms_failed;	/* records whose commit failed */
	uint64_t	ms_refused;	/* appends refused at once */
	size_t		ms_queued;	/* waiting for the next commit */
};
void	msglog_stats(const struct msglog *, struct msglog_stats *);
/* Records written and not timestamped yet, or -1 on error. */
int64_t	msglog_unstamped_count(struct msglog *);
/* The max loggable body size in use. */
size_t	msglog_max_body(const struct msglog *);

/*
 * Walk the chain from its base (0, or where cleaning of archived records
 * left it) to the last record: ids must follow each other, each
 * signature hash, content hash and chain hash must match the stored
 * content. Returns 0 when the chain holds, else -1 with mv_bad_id the
 * first record that does not and mv_error saying why ("record 17:
 * content hash does not match").
 */
struct msglog_verify {
	int64_t		mv_records;	/* records checked */
	int64_t		mv_bad_id;	/* 0 if none */
	char		mv_error[256];
};
int	msglog_verify_chain(struct msglog *, struct msglog_verify *);

/*
 * One stored record, with its timestamp once it has one (for tests, the
 * ASiC builder and /asic). All pointers are owned by the entry; free it
 * with msglog_entry_free (accepts NULL).
 */
struct msglog_entry {
	int64_t		 me_id;
	int64_t		 me_time_ms;
	char		*me_query_id;
	char		*me_request_id;		/* NULL if none */
	char		*me_client;		/* "SUBSYSTEM:PS/GOV/MTIT/SSO" */
	char		*me_service;		/* "SERVICE:PS/GOV/.../code" */
	int		 me_side;		/* enum msglog_side */
	int		 me_direction;		/* enum msglog_direction */
	int		 me_rest;
	int		 me_body_logged;
	int		 me_archived;
	unsigned char	*me_message;
	size_t		 me_message_len;
	unsigned char	*me_body;		/* NULL if none */
	size_t		 me_body_len;
	char		*me_signature;
	size_t		 me_signature_len;
	char		*me_sig_hashchain;	/* NULL if none */
	size_t		 me_sig_hashchain_len;
	char		*me_sig_hashchain_result;
	size_t		 me_sig_hashchain_result_len;
	unsigned char	 me_signature_hash[MSGLOG_HASH_LEN];
	unsigned char	 me_content_hash[MSGLOG_HASH_LEN];
	unsigned char	 me_chain_hash[MSGLOG_HASH_LEN];
	/* Timestamp: me_ts_id 0 while not stamped. */
	int64_t		 me_ts_id;
	int64_t		 me_ts_time_ms;		/* the token's genTime */
	unsigned char	*me_ts_token;		/* DER TimeStampToken */
	size_t		 me_ts_token_len;
	/*
	 * Batch stamp: ts-hashchainresult.xml of the batch and this
	 * record's ts-hashchain.xml. Both NULL for a record stamped alone
	 * (the token then covers its ds:SignatureValue, as X-Road's
	 * SignatureTimeStamp).
	 */
	char		*me_ts_hashchain_result;
	size_t		 me_ts_hashchain_result_len;
	char		*me_ts_hashchain;
	size_t		 me_ts_hashchain_len;
};

/* Read record id into *out. 0, 1 if there is no such record, or -1. */
int	msglog_entry_get(struct msglog *, int64_t id,
	    struct msglog_entry **out);
void	msglog_entry_free(struct msglog_entry *);

/*
 * The ids of the records (at most 64) of the exchange query_id whose
 * client is client (doc form, "SUBSYSTEM:PS/GOV/MTIT/SSO"), oldest
 * first, for /asic. *ids (caller frees with free(3), NULL when *n is 0).
 * 0 / -1.
 */
int	msglog_query_ids(struct msglog *, const char *query_id,
	    const char *client, int64_t **ids, size_t *n);

/*
 * For the archiver: up to limit ids (> after) of timestamped records not
 * yet archived, oldest first; *ids (caller frees with free(3), NULL when *n
 * is 0). 0 / -1.
 */
int	msglog_archivable(struct msglog *, int64_t after, size_t limit,
	    int64_t **ids, size_t *n);
/*
 * Once an archive is durably on disk: in one transaction mark ids
 * archived (each must be stamped and not archived yet) and store where
 * the archives' linking chain stands (the last archive's digest, hex,
 * and file name). 0 / -1, nothing changed on -1.
 */
int	msglog_mark_archived(struct msglog *, const int64_t *ids, size_t n,
	    const char *last_digest, const char *last_name);
/*
 * Cleaning: in one transaction delete the longest prefix of the log
 * whose records are all archived and older than before_ms (ms since the
 * epoch), moving the chain base to the last record deleted, so that
 * msglog_verify_chain still holds. *deleted (may be NULL) gets how many.
 * 0 / -1.
 */
int	msglog_clean(struct msglog *, int64_t before_ms, int64_t *deleted);
/* The stored chain position ("" and "" before the first archive). */
int	msglog_archive_state(struct msglog *, char *digest, size_t dlen,
	    char *name, size_t nlen);

/*
 * For the timestamper: up to limit unstamped records, oldest first, as
 * (id, signature hash); *leaves (caller frees with free(3), NULL when
 * *n is 0). 0 / -1.
 */
struct msglog_leaf {
	int64_t		ml_id;
	unsigned char	ml_hash[MSGLOG_HASH_LEN];
};
int	msglog_unstamped(struct msglog *, size_t limit,
	    struct msglog_leaf **leaves, size_t *n);

/*
 * Store a verified timestamp and, in the same transaction, the stamp of
 * each record: ids[i] gets chains[i] (ts-hashchain.xml, chain_lens[i]
 * bytes; NULL for a single record). Fails, storing nothing, if a record
 * is already stamped or missing. *ts_id (may be NULL) gets the new
 * timestamp's id. 0 / -1.
 */
struct msglog_stamp {
	const unsigned char	*st_token;	/* DER TimeStampToken */
	size_t			 st_token_len;
	int64_t			 st_time_ms;	/* genTime */
	const char		*st_hashchain_result;	/* NULL: single */
	size_t			 st_hashchain_result_len;
	const char		*st_tsa_url;
};
int	msglog_store_stamp(struct msglog *, const struct msglog_stamp *,
	    const int64_t *ids, const char *const *chains,
	    const size_t *chain_lens, size_t n, int64_t *ts_id);

/*
 * Metadata-only form of a SOAP envelope: the same document with the
 * children of soapenv:Body removed. *out (caller frees with buf_free).
 * 0, or -1 if xml is not a SOAP 1.1 envelope.
 */
int	msglog_soap_strip_body(const void *xml, size_t len, size_t max,
	    struct buf **out);

/*
 * Daemon glue: open state-dir/messagelog.db with the [message-log]
 * options of sd->sd_conf on sd->sd_base.
 */
int	msglog_open_ssd(struct ssd *, struct msglog **out);

/* timestamper.c */

#define TIMESTAMPER_RECORDS_LIMIT	10000
#define TIMESTAMPER_FAILURE_PERIOD	14400	/* s */
#define TIMESTAMPER_RETRY_INTERVAL	60	/* s */
#define TIMESTAMPER_INTERVAL		60	/* s, when global conf has none */
#define TIMESTAMPER_TIMEOUT_MS		60000
#define TIMESTAMPER_MAX_RESPONSE	(1024 * 1024)

/*
 * The global configuration the timestamper reads each round: acquire
 * returns a referenced gconf (and in *ref what release needs), or NULL
 * when there is none; release(ref) drops it.
 */
typedef const struct gconf *(*timestamper_gconf_fn)(void *arg, void **ref);
typedef void (*timestamper_release_fn)(void *ref);
/* The clock of the failure period (tests); seconds since the epoch. */
typedef time_t (*timestamper_clock_fn)(void *arg);

struct timestamper_conf {
	size_t			 tc_records_limit; /* per TSA request */
	long long		 tc_failure_period; /* s; 0: never refuse */
	long long		 tc_retry_interval; /* s after a failure */
	long long		 tc_interval;	/* s, if global conf has none */
	long			 tc_timeout_ms;	/* one TSA call */
	timestamper_gconf_fn	 tc_gconf_acquire;	/* required */
	timestamper_release_fn	 tc_gconf_release;	/* may be NULL */
	void			*tc_gconf_arg;
	timestamper_clock_fn	 tc_clock;	/* NULL: time(3) */
	void			*tc_clock_arg;
	/* TLS towards https TSA URLs (copied); NULL: system defaults. */
	const struct httpc_tls	*tc_tls;
};

/* The defaults above; the caller sets tc_gconf_* (and what it wants). */
void	timestamper_conf_init(struct timestamper_conf *);

/*
 * Make a timestamper over ml on base; it runs its first round at once
 * and then every interval. ml must outlive it. 0 / -1.
 */
int	timestamper_new(struct event_base *, struct msglog *,
	    const struct timestamper_conf *, struct timestamper **out);
/* Cancels a TSA call in flight. Accepts NULL. */
void	timestamper_free(struct timestamper *);
/* Start a round now unless one is running (tests, admin). */
void	timestamper_run_now(struct timestamper *);

/*
 * 1 when new exchanges must be refused with
 * Server.ClientProxy.LoggingFailed.TimestamperFailed: stamping has failed
 * for acceptable-timestamp-failure-period or longer. 0 otherwise.
 */
int	timestamper_refuse(const struct timestamper *);
/*
 * Seconds of grace left before refusal (0 when refusing), or -1 when
 * stamping is not failing (or the period is 0: refusal is off).
 */
long long timestamper_grace_remaining(const struct timestamper *);
/* Seconds since the first failure of the current outage, 0 if none. */
long long timestamper_failing_for(const struct timestamper *);
/* Why the last round failed; "" after a success. Borrowed. */
const char *timestamper_last_error(const struct timestamper *);

struct timestamper_stats {
	int64_t			tss_unstamped;	/* -1 if unknown */
	uint64_t		tss_requests;	/* TSA calls made */
	uint64_t		tss_failures;	/* rounds that failed */
	uint64_t		tss_stamped;	/* records stamped */
	time_t			tss_last_success; /* 0: none yet */
	time_t			tss_first_failure; /* 0: not failing */
};
void	timestamper_stats(const struct timestamper *,
	    struct timestamper_stats *);

/*
 * For the admin port: append the reason (if any) this server cannot
 * exchange messages, and the Prometheus lines of the log and the
 * timestamper. health returns the number of reasons appended (0 or 1).
 */
int	timestamper_health(const struct timestamper *, struct buf *why);
void	timestamper_metrics(const struct timestamper *, struct buf *out);

/*
 * Test hook: called after every round with its result (0, or -1 and the
 * reason).
 */
typedef void (*timestamper_round_fn)(int rc, size_t stamped,
    const char *err, void *arg);
void	timestamper_set_round_hook(struct timestamper *,
	    timestamper_round_fn, void *arg);

/*
 * Daemon glue: a timestamper over ml with the [message-log] options of
 * sd->sd_conf and the global configuration of confclient_acquire(sd).
 */
int	timestamper_new_ssd(struct ssd *, struct msglog *,
	    struct timestamper **out);

#endif /* HK_MSGLOG_H */
