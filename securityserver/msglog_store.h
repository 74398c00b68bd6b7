/*
 * msglog_store.h: the message log's storage interface (internal to
 * msglog.c and its backends).
 *
 * msglog.c does the queueing, hashing and chain checks; a backend only
 * stores and reads rows. One backend today: SQLite (msglog_sqlite.c). A
 * PostgreSQL backend would fill the same table of functions.
 *
 * Every function returns 0 or -1 (with the reason for so_error) unless
 * noted; st is the backend's handle from so_open. The caller runs
 * so_insert / so_add_timestamp / so_set_stamp between so_begin and
 * so_commit (or so_rollback after a failure).
 */
#ifndef HK_MSGLOG_STORE_H
#define HK_MSGLOG_STORE_H

#include <stddef.h>
#include <stdint.h>

#include "msglog.h"

/* A record as stored; everything borrowed for the call. */
struct msglog_row {
	int64_t		 mw_id;
	int64_t		 mw_time_ms;
	const char	*mw_query_id;
	const char	*mw_request_id;		/* NULL if none */
	const char	*mw_client;		/* doc form */
	const char	*mw_service;		/* doc form */
	int		 mw_side;
	int		 mw_direction;
	int		 mw_rest;
	int		 mw_body_logged;
	const void	*mw_message;
	size_t		 mw_message_len;
	const void	*mw_body;		/* NULL if none */
	size_t		 mw_body_len;
	const char	*mw_signature;
	size_t		 mw_signature_len;
	const char	*mw_sig_hashchain;	/* NULL if none */
	size_t		 mw_sig_hashchain_len;
	const char	*mw_sig_hashchain_result;
	size_t		 mw_sig_hashchain_result_len;
	const unsigned char *mw_signature_hash;	/* 64 bytes each */
	const unsigned char *mw_content_hash;
	const unsigned char *mw_chain_hash;
};

/* Called by so_walk for each record in id order; non-zero stops. */
typedef int (*msglog_walk_fn)(const struct msglog_entry *, void *arg);

struct msglog_store_ops {
	const char	*so_name;
	int		(*so_open)(const char *path, int sync_normal,
			    void **st);
	void		(*so_close)(void *st);
	int		(*so_begin)(void *st);
	int		(*so_commit)(void *st);
	void		(*so_rollback)(void *st);
	/*
	 * Where the chain starts (the last record removed by cleaning, or
	 * id 0 and a zero hash) and where it ends now (the last record, or
	 * the base when there is none).
	 */
	int		(*so_base)(void *st, int64_t *id,
			    unsigned char chain[MSGLOG_HASH_LEN]);
	int		(*so_tip)(void *st, int64_t *id,
			    unsigned char chain[MSGLOG_HASH_LEN]);
	int		(*so_insert)(void *st, const struct msglog_row *);
	/* 0 with *out, 1 if there is no record id, -1 on error. */
	int		(*so_get)(void *st, int64_t id,
			    struct msglog_entry **out);
	/* Records with id > after, in order; returns fn's non-zero too. */
	int		(*so_walk)(void *st, int64_t after, msglog_walk_fn fn,
			    void *arg);
	int		(*so_unstamped)(void *st, size_t limit,
			    struct msglog_leaf **leaves, size_t *n);
	int64_t		(*so_unstamped_count)(void *st);
	int		(*so_add_timestamp)(void *st,
			    const struct msglog_stamp *, size_t nrecords,
			    int64_t *ts_id);
	/* Fails if the record is missing or already stamped. */
	int		(*so_set_stamp)(void *st, int64_t id, int64_t ts_id,
			    const char *chain, size_t chain_len);
	/*
	 * Ids of the records of one exchange (query_id and client in doc
	 * form), oldest first; *ids freed with free(3), NULL when *n is 0.
	 */
	int		(*so_query)(void *st, const char *query_id,
			    const char *client, int64_t **ids, size_t *n);
	/* Stamped, unarchived ids > after, oldest first (free(3)). */
	int		(*so_archivable)(void *st, int64_t after, size_t limit,
			    int64_t **ids, size_t *n);
	/*
	 * Delete the longest prefix of the log whose records are all
	 * archived and older than before_ms, the chain base moved to its
	 * last record (the caller's transaction). *deleted: how many.
	 */
	int		(*so_clean)(void *st, int64_t before_ms,
			    int64_t *deleted);
	/* Fails unless the record is stamped and not yet archived. */
	int		(*so_set_archived)(void *st, int64_t id);
	/* The archives' linking chain: last digest and archive name. */
	int		(*so_archive_state)(void *st, char *digest,
			    size_t dlen, char *name, size_t nlen);
	int		(*so_set_archive_state)(void *st, const char *digest,
			    const char *name);
	const char	*(*so_error)(void *st);
};

extern const struct msglog_store_ops msglog_sqlite_ops;

#endif /* HK_MSGLOG_STORE_H */
