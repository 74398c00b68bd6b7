/*
 * msglog.c: the message log (msglog.h): queued appends written by group
 * commit, the hash chain over the records, its verification, and the
 * metadata-only form of a message. Storage is msglog_store.h.
 */
#include "config.h"

#include <sys/queue.h>
#include <sys/time.h>

#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <event2/event.h>
#include <libxml/parser.h>
#include <libxml/tree.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>

#include "buf.h"
#include "compat.h"
#include "conf.h"
#include "log.h"
#include "msglog.h"
#include "msglog_store.h"
#include "securityserverd.h"
#include "xrid.h"

#define SOAP_ENV_NS	"http://schemas.xmlsoap.org/soap/envelope/"
/* Domain separation of the two hashes (part of the stored format). */
#define CONTENT_TAG	"hukumati-msglog-record-v1"

/* A queued record: copies of everything, until its callback has run. */
struct ml_item {
	TAILQ_ENTRY(ml_item)	 mi_entry;
	char			*mi_query_id;
	char			*mi_request_id;
	char			*mi_client;
	char			*mi_service;
	int			 mi_side;
	int			 mi_direction;
	int			 mi_rest;
	int			 mi_body_logged;
	int64_t			 mi_time_ms;
	unsigned char		*mi_message;
	size_t			 mi_message_len;
	unsigned char		*mi_body;
	size_t			 mi_body_len;
	char			*mi_signature;
	size_t			 mi_signature_len;
	char			*mi_sig_hashchain;
	size_t			 mi_sig_hashchain_len;
	char			*mi_sig_hashchain_result;
	size_t			 mi_sig_hashchain_result_len;
	unsigned char		 mi_signature_hash[MSGLOG_HASH_LEN];
	unsigned char		 mi_digest[MSGLOG_HASH_LEN]; /* all but id */
	msglog_append_fn		 mi_done;
	void			*mi_arg;
	int			 mi_rc;
	int64_t			 mi_id;
};

TAILQ_HEAD(ml_queue, ml_item);

struct msglog {
	const struct msglog_store_ops	*ml_ops;
	void				*ml_st;
	struct event_base		*ml_base;
	struct event			*ml_ev;		/* commit + callbacks */
	struct ml_queue			 ml_pending;	/* not written yet */
	struct ml_queue			 ml_done;	/* callbacks due */
	size_t				 ml_npending;
	size_t				 ml_max_body;
	size_t				 ml_batch_max;
	int				 ml_body_logging; /* default */
	int				 ml_closing;
	struct msglog_stats		 ml_stats;
};

const char *
msglog_strerror(int rc)
{
	switch (rc) {
	case 0:
		return "success";
	case MSGLOG_ERR_TOO_BIG:
		return "Message size exceeds maximum loggable size";
	case MSGLOG_ERR_INVALID:
		return "invalid message log record";
	case MSGLOG_ERR_NOMEM:
		return "out of memory";
	case MSGLOG_ERR_CLOSING:
		return "message log is closing";
	default:
		return "cannot write the message log";
	}
}

static int64_t
now_ms(void)
{
	struct timeval	tv;

	(void)gettimeofday(&tv, NULL);
	return (int64_t)tv.tv_sec * 1000 + tv.tv_usec / 1000;
}

static int
sha512(const void *p, size_t len, unsigned char *out)
{
	return EVP_Digest(p, len, out, NULL, EVP_sha512(), NULL) == 1 ? 0 :
	    -1;
}

/* Canonical encoding, fed to a SHA-512 context. */
static int
put_u64(EVP_MD_CTX *c, uint64_t v)
{
	unsigned char	b[8];
	int		i;

	for (i = 7; i >= 0; i--) {
		b[i] = v & 0xff;
		v >>= 8;
	}
	return EVP_DigestUpdate(c, b, sizeof(b)) == 1 ? 0 : -1;
}

static int
put_byte(EVP_MD_CTX *c, int v)
{
	unsigned char	b = (unsigned char)v;

	return EVP_DigestUpdate(c, &b, 1) == 1 ? 0 : -1;
}

/* A string, or absent (NULL): presence byte, length, bytes. */
static int
put_str(EVP_MD_CTX *c, const char *s)
{
	size_t	len;

	if (s == NULL)
		return put_byte(c, 0);
	len = strlen(s);
	if (put_byte(c, 1) == -1 || put_u64(c, len) == -1)
		return -1;
	return EVP_DigestUpdate(c, s, len) == 1 ? 0 : -1;
}

/* A big field by its SHA-512, or absent (NULL). */
static int
put_data(EVP_MD_CTX *c, const void *p, size_t len)
{
	unsigned char	h[MSGLOG_HASH_LEN];

	if (p == NULL)
		return put_byte(c, 0);
	if (sha512(p, len, h) == -1 || put_byte(c, 1) == -1 ||
	    put_u64(c, len) == -1)
		return -1;
	return EVP_DigestUpdate(c, h, sizeof(h)) == 1 ? 0 : -1;
}

/*
 * The record's digest without its id (computed when it is queued):
 * every column of the record except the hashes that depend on it.
 */
static int
record_digest(const struct msglog_row *w, unsigned char *out)
{
	EVP_MD_CTX	*c;
	int		 rc = -1;

	if ((c = EVP_MD_CTX_new()) == NULL)
		return -1;
	if (EVP_DigestInit_ex(c, EVP_sha512(), NULL) != 1 ||
	    put_str(c, CONTENT_TAG) == -1 ||
	    put_u64(c, (uint64_t)w->mw_time_ms) == -1 ||
	    put_byte(c, w->mw_side) == -1 ||
	    put_byte(c, w->mw_direction) == -1 ||
	    put_byte(c, w->mw_rest) == -1 ||
	    put_byte(c, w->mw_body_logged) == -1 ||
	    put_str(c, w->mw_query_id) == -1 ||
	    put_str(c, w->mw_request_id) == -1 ||
	    put_str(c, w->mw_client) == -1 ||
	    put_str(c, w->mw_service) == -1 ||
	    put_data(c, w->mw_message, w->mw_message_len) == -1 ||
	    put_data(c, w->mw_body, w->mw_body_len) == -1 ||
	    EVP_DigestUpdate(c, w->mw_signature_hash, MSGLOG_HASH_LEN) != 1 ||
	    put_data(c, w->mw_sig_hashchain, w->mw_sig_hashchain_len) == -1 ||
	    put_data(c, w->mw_sig_hashchain_result,
	    w->mw_sig_hashchain_result_len) == -1 ||
	    EVP_DigestFinal_ex(c, out, NULL) != 1)
		goto done;
	rc = 0;
 done:
	EVP_MD_CTX_free(c);
	return rc;
}

/* content_hash = H(tag, id, digest); chain_hash = H(prev, content). */
static int
record_hashes(int64_t id, const unsigned char *digest,
    const unsigned char *prev, unsigned char *content, unsigned char *chain)
{
	EVP_MD_CTX	*c;
	int		 rc = -1;

	if ((c = EVP_MD_CTX_new()) == NULL)
		return -1;
	if (EVP_DigestInit_ex(c, EVP_sha512(), NULL) != 1 ||
	    put_str(c, CONTENT_TAG) == -1 ||
	    put_u64(c, (uint64_t)id) == -1 ||
	    EVP_DigestUpdate(c, digest, MSGLOG_HASH_LEN) != 1 ||
	    EVP_DigestFinal_ex(c, content, NULL) != 1 ||
	    EVP_DigestInit_ex(c, EVP_sha512(), NULL) != 1 ||
	    EVP_DigestUpdate(c, prev, MSGLOG_HASH_LEN) != 1 ||
	    EVP_DigestUpdate(c, content, MSGLOG_HASH_LEN) != 1 ||
	    EVP_DigestFinal_ex(c, chain, NULL) != 1)
		goto done;
	rc = 0;
 done:
	EVP_MD_CTX_free(c);
	return rc;
}

static void
item_row(const struct ml_item *mi, struct msglog_row *w)
{
	memset(w, 0, sizeof(*w));
	w->mw_id = mi->mi_id;
	w->mw_time_ms = mi->mi_time_ms;
	w->mw_query_id = mi->mi_query_id;
	w->mw_request_id = mi->mi_request_id;
	w->mw_client = mi->mi_client;
	w->mw_service = mi->mi_service;
	w->mw_side = mi->mi_side;
	w->mw_direction = mi->mi_direction;
	w->mw_rest = mi->mi_rest;
	w->mw_body_logged = mi->mi_body_logged;
	w->mw_message = mi->mi_message;
	w->mw_message_len = mi->mi_message_len;
	w->mw_body = mi->mi_body;
	w->mw_body_len = mi->mi_body_len;
	w->mw_signature = mi->mi_signature;
	w->mw_signature_len = mi->mi_signature_len;
	w->mw_sig_hashchain = mi->mi_sig_hashchain;
	w->mw_sig_hashchain_len = mi->mi_sig_hashchain_len;
	w->mw_sig_hashchain_result = mi->mi_sig_hashchain_result;
	w->mw_sig_hashchain_result_len = mi->mi_sig_hashchain_result_len;
	w->mw_signature_hash = mi->mi_signature_hash;
}

static void
entry_row(const struct msglog_entry *e, struct msglog_row *w)
{
	memset(w, 0, sizeof(*w));
	w->mw_id = e->me_id;
	w->mw_time_ms = e->me_time_ms;
	w->mw_query_id = e->me_query_id;
	w->mw_request_id = e->me_request_id;
	w->mw_client = e->me_client;
	w->mw_service = e->me_service;
	w->mw_side = e->me_side;
	w->mw_direction = e->me_direction;
	w->mw_rest = e->me_rest;
	w->mw_body_logged = e->me_body_logged;
	w->mw_message = e->me_message;
	w->mw_message_len = e->me_message_len;
	w->mw_body = e->me_body;
	w->mw_body_len = e->me_body_len;
	w->mw_signature = e->me_signature;
	w->mw_signature_len = e->me_signature_len;
	w->mw_sig_hashchain = e->me_sig_hashchain;
	w->mw_sig_hashchain_len = e->me_sig_hashchain_len;
	w->mw_sig_hashchain_result = e->me_sig_hashchain_result;
	w->mw_sig_hashchain_result_len = e->me_sig_hashchain_result_len;
	w->mw_signature_hash = e->me_signature_hash;
	w->mw_content_hash = e->me_content_hash;
	w->mw_chain_hash = e->me_chain_hash;
}

static void
item_free(struct ml_item *mi)
{
	if (mi == NULL)
		return;
	free(mi->mi_query_id);
	free(mi->mi_request_id);
	free(mi->mi_client);
	free(mi->mi_service);
	free(mi->mi_message);
	free(mi->mi_body);
	free(mi->mi_signature);
	free(mi->mi_sig_hashchain);
	free(mi->mi_sig_hashchain_result);
	free(mi);
}

void
msglog_entry_free(struct msglog_entry *e)
{
	if (e == NULL)
		return;
	free(e->me_query_id);
	free(e->me_request_id);
	free(e->me_client);
	free(e->me_service);
	free(e->me_message);
	free(e->me_body);
	free(e->me_signature);
	free(e->me_sig_hashchain);
	free(e->me_sig_hashchain_result);
	free(e->me_ts_token);
	free(e->me_ts_hashchain_result);
	free(e->me_ts_hashchain);
	free(e);
}

/* Write the pending records in one transaction; they move to ml_done. */
static int
commit_pending(struct msglog *ml)
{
	struct ml_item		*mi;
	struct msglog_row	 w;
	unsigned char		 prev[MSGLOG_HASH_LEN];
	unsigned char		 content[MSGLOG_HASH_LEN];
	unsigned char		 chain[MSGLOG_HASH_LEN];
	int64_t			 id;
	size_t			 n = ml->ml_npending;
	int			 rc = -1;

	if (n == 0)
		return 0;
	if (ml->ml_ops->so_begin(ml->ml_st) == -1)
		goto done;
	if (ml->ml_ops->so_tip(ml->ml_st, &id, prev) == -1)
		goto done;
	TAILQ_FOREACH(mi, &ml->ml_pending, mi_entry) {
		mi->mi_id = ++id;
		if (record_hashes(mi->mi_id, mi->mi_digest, prev, content,
		    chain) == -1)
			goto done;
		item_row(mi, &w);
		w.mw_content_hash = content;
		w.mw_chain_hash = chain;
		if (ml->ml_ops->so_insert(ml->ml_st, &w) == -1)
			goto done;
		memcpy(prev, chain, sizeof(prev));
	}
	if (ml->ml_ops->so_commit(ml->ml_st) == -1)
		goto done;
	rc = 0;
 done:
	if (rc == -1) {
		log_warnx("message log: cannot write %zu record(s): %s", n,
		    ml->ml_ops->so_error(ml->ml_st));
		ml->ml_ops->so_rollback(ml->ml_st);
		ml->ml_stats.ms_failed += n;
	} else {
		ml->ml_stats.ms_appended += n;
		ml->ml_stats.ms_transactions++;
	}
	while ((mi = TAILQ_FIRST(&ml->ml_pending)) != NULL) {
		TAILQ_REMOVE(&ml->ml_pending, mi, mi_entry);
		mi->mi_rc = rc == 0 ? 0 : MSGLOG_ERR;
		if (rc != 0)
			mi->mi_id = 0;
		TAILQ_INSERT_TAIL(&ml->ml_done, mi, mi_entry);
	}
	ml->ml_npending = 0;
	return rc;
}

static void
run_callbacks(struct msglog *ml)
{
	struct ml_queue	 q;
	struct ml_item	*mi;

	TAILQ_INIT(&q);
	TAILQ_CONCAT(&q, &ml->ml_done, mi_entry);
	while ((mi = TAILQ_FIRST(&q)) != NULL) {
		TAILQ_REMOVE(&q, mi, mi_entry);
		if (mi->mi_done != NULL)
			mi->mi_done(mi->mi_rc, mi->mi_id, mi->mi_arg);
		item_free(mi);
	}
}

static void
ml_event(evutil_socket_t fd, short what, void *arg)
{
	struct msglog	*ml = arg;

	(void)commit_pending(ml);
	run_callbacks(ml);
}

int
msglog_flush(struct msglog *ml)
{
	int	rc;

	rc = commit_pending(ml);
	if (!TAILQ_EMPTY(&ml->ml_done))
		event_active(ml->ml_ev, EV_TIMEOUT, 0);
	return rc;
}

int
msglog_open(const char *path, const struct msglog_options *opts,
    struct msglog **out)
{
	struct msglog	*ml;

	*out = NULL;
	if (opts == NULL || opts->mo_base == NULL) {
		log_warnx("%s: no event base", __func__);
		return -1;
	}
	if ((ml = calloc(1, sizeof(*ml))) == NULL) {
		log_warn("%s", __func__);
		return -1;
	}
	TAILQ_INIT(&ml->ml_pending);
	TAILQ_INIT(&ml->ml_done);
	ml->ml_ops = &msglog_sqlite_ops;
	ml->ml_base = opts->mo_base;
	ml->ml_max_body = opts->mo_max_body != 0 ? opts->mo_max_body :
	    MSGLOG_MAX_BODY_DEFAULT;
	ml->ml_batch_max = opts->mo_batch_max != 0 ? opts->mo_batch_max :
	    MSGLOG_BATCH_DEFAULT;
	ml->ml_body_logging = opts->mo_body_logging_off ? 0 : 1;
	if ((ml->ml_ev = event_new(ml->ml_base, -1, 0, ml_event, ml)) ==
	    NULL) {
		log_warnx("%s: event_new", __func__);
		free(ml);
		return -1;
	}
	if (ml->ml_ops->so_open(path, opts->mo_sync_normal, &ml->ml_st) ==
	    -1) {
		event_free(ml->ml_ev);
		free(ml);
		return -1;
	}
	*out = ml;
	return 0;
}

void
msglog_close(struct msglog *ml)
{
	if (ml == NULL)
		return;
	ml->ml_closing = 1;
	(void)commit_pending(ml);
	run_callbacks(ml);
	event_free(ml->ml_ev);
	ml->ml_ops->so_close(ml->ml_st);
	free(ml);
}

static int
dup_data(const void *p, size_t len, void *outp)
{
	unsigned char	*q;

	*(void **)outp = NULL;
	if (p == NULL)
		return 0;
	if ((q = malloc(len + 1)) == NULL)
		return -1;
	if (len > 0)
		memcpy(q, p, len);
	q[len] = '\0';
	*(void **)outp = q;
	return 0;
}

static int
dup_str(const char *s, char **out)
{
	*out = NULL;
	if (s == NULL)
		return 0;
	return (*out = strdup(s)) == NULL ? -1 : 0;
}

int
msglog_append(struct msglog *ml, const struct msglog_record *r,
    msglog_append_fn done, void *arg)
{
	struct ml_item		*mi = NULL;
	struct msglog_row	 w;
	struct buf		*stripped = NULL;
	const void		*msg;
	size_t			 msg_len, stored;
	char			 client[XRID_STR_MAX + 16];
	char			 service[XRID_STR_MAX + 16];
	int			 body, rc = MSGLOG_ERR_INVALID;

	if (ml->ml_closing) {
		rc = MSGLOG_ERR_CLOSING;
		goto fail;
	}
	if (r == NULL || r->mr_query_id == NULL || *r->mr_query_id == '\0' ||
	    r->mr_client == NULL || r->mr_service == NULL ||
	    r->mr_message == NULL || r->mr_signature == NULL ||
	    r->mr_signature_len == 0 ||
	    (r->mr_side != MSGLOG_CLIENT_PROXY &&
	    r->mr_side != MSGLOG_SERVER_PROXY) ||
	    (r->mr_direction != MSGLOG_REQUEST &&
	    r->mr_direction != MSGLOG_RESPONSE) ||
	    (r->mr_client->type != XRID_MEMBER &&
	    r->mr_client->type != XRID_SUBSYSTEM) ||
	    r->mr_service->type != XRID_SERVICE ||
	    xrid_format_doc(r->mr_client, client, sizeof(client)) == -1 ||
	    xrid_format_doc(r->mr_service, service, sizeof(service)) == -1)
		goto fail;
	switch (r->mr_body_logging) {
	case MSGLOG_BODY_DEFAULT:
		body = ml->ml_body_logging;
		break;
	case MSGLOG_BODY_ON:
		body = 1;
		break;
	case MSGLOG_BODY_OFF:
		body = 0;
		break;
	default:
		goto fail;
	}

	msg = r->mr_message;
	msg_len = r->mr_message_len;
	if (!body && !r->mr_rest) {
		if (r->mr_message_len > ml->ml_max_body) {
			rc = MSGLOG_ERR_TOO_BIG;
			goto fail;
		}
		if (msglog_soap_strip_body(r->mr_message, r->mr_message_len,
		    ml->ml_max_body, &stripped) == -1)
			goto fail;
		msg = buf_data(stripped);
		msg_len = buf_len(stripped);
	}
	stored = msg_len;
	if (body && r->mr_body != NULL) {
		if (r->mr_body_len > SIZE_MAX - stored) {
			rc = MSGLOG_ERR_TOO_BIG;
			goto fail;
		}
		stored += r->mr_body_len;
	}
	if (stored > ml->ml_max_body) {
		rc = MSGLOG_ERR_TOO_BIG;
		goto fail;
	}

	rc = MSGLOG_ERR_NOMEM;
	if ((mi = calloc(1, sizeof(*mi))) == NULL)
		goto fail;
	mi->mi_side = r->mr_side;
	mi->mi_direction = r->mr_direction;
	mi->mi_rest = r->mr_rest ? 1 : 0;
	mi->mi_body_logged = body;
	mi->mi_time_ms = r->mr_time_ms != 0 ? r->mr_time_ms : now_ms();
	mi->mi_message_len = msg_len;
	mi->mi_signature_len = r->mr_signature_len;
	if (dup_str(r->mr_query_id, &mi->mi_query_id) == -1 ||
	    dup_str(r->mr_request_id, &mi->mi_request_id) == -1 ||
	    dup_str(client, &mi->mi_client) == -1 ||
	    dup_str(service, &mi->mi_service) == -1 ||
	    dup_data(msg, msg_len, &mi->mi_message) == -1 ||
	    dup_data(r->mr_signature, r->mr_signature_len,
	    &mi->mi_signature) == -1 ||
	    dup_data(r->mr_sig_hashchain, r->mr_sig_hashchain_len,
	    &mi->mi_sig_hashchain) == -1 ||
	    dup_data(r->mr_sig_hashchain_result,
	    r->mr_sig_hashchain_result_len,
	    &mi->mi_sig_hashchain_result) == -1)
		goto fail;
	if (r->mr_sig_hashchain != NULL)
		mi->mi_sig_hashchain_len = r->mr_sig_hashchain_len;
	if (r->mr_sig_hashchain_result != NULL)
		mi->mi_sig_hashchain_result_len =
		    r->mr_sig_hashchain_result_len;
	if (body && r->mr_body != NULL) {
		if (dup_data(r->mr_body, r->mr_body_len, &mi->mi_body) == -1)
			goto fail;
		mi->mi_body_len = r->mr_body_len;
	}
	rc = MSGLOG_ERR;
	if (sha512(mi->mi_signature, mi->mi_signature_len,
	    mi->mi_signature_hash) == -1)
		goto fail;
	item_row(mi, &w);
	if (record_digest(&w, mi->mi_digest) == -1)
		goto fail;
	mi->mi_done = done;
	mi->mi_arg = arg;
	buf_free(stripped);

	TAILQ_INSERT_TAIL(&ml->ml_pending, mi, mi_entry);
	ml->ml_npending++;
	if (ml->ml_npending >= ml->ml_batch_max)
		(void)commit_pending(ml);
	event_active(ml->ml_ev, EV_TIMEOUT, 0);
	return 0;
 fail:
	ml->ml_stats.ms_refused++;
	item_free(mi);
	buf_free(stripped);
	return rc;
}

void
msglog_stats(const struct msglog *ml, struct msglog_stats *st)
{
	*st = ml->ml_stats;
	st->ms_queued = ml->ml_npending;
}

int64_t
msglog_unstamped_count(struct msglog *ml)
{
	return ml->ml_ops->so_unstamped_count(ml->ml_st);
}

size_t
msglog_max_body(const struct msglog *ml)
{
	return ml->ml_max_body;
}

struct verify_walk {
	struct msglog		*vw_ml;
	struct msglog_verify	*vw_out;
	int64_t			 vw_prev_id;
	unsigned char		 vw_prev[MSGLOG_HASH_LEN];
};

static int
verify_one(const struct msglog_entry *e, void *arg)
{
	struct verify_walk	*vw = arg;
	struct msglog_verify	*mv = vw->vw_out;
	struct msglog_row	 w;
	unsigned char		 h[MSGLOG_HASH_LEN];
	unsigned char		 digest[MSGLOG_HASH_LEN];
	unsigned char		 content[MSGLOG_HASH_LEN];
	unsigned char		 chain[MSGLOG_HASH_LEN];
	const char		*why = NULL;

	if (e->me_id != vw->vw_prev_id + 1) {
		(void)snprintf(mv->mv_error, sizeof(mv->mv_error),
		    "record %lld: follows record %lld (records missing)",
		    (long long)e->me_id, (long long)vw->vw_prev_id);
		mv->mv_bad_id = e->me_id;
		return -1;
	}
	entry_row(e, &w);
	if (sha512(e->me_signature, e->me_signature_len, h) == -1 ||
	    record_digest(&w, digest) == -1 ||
	    record_hashes(e->me_id, digest, vw->vw_prev, content,
	    chain) == -1)
		why = "cannot compute hashes";
	else if (CRYPTO_memcmp(h, e->me_signature_hash, sizeof(h)) != 0)
		why = "signature hash does not match the signature";
	else if (CRYPTO_memcmp(content, e->me_content_hash,
	    sizeof(content)) != 0)
		why = "content hash does not match the content";
	else if (CRYPTO_memcmp(chain, e->me_chain_hash, sizeof(chain)) != 0)
		why = "chain hash does not link to the previous record";
	if (why != NULL) {
		(void)snprintf(mv->mv_error, sizeof(mv->mv_error),
		    "record %lld: %s", (long long)e->me_id, why);
		mv->mv_bad_id = e->me_id;
		return -1;
	}
	vw->vw_prev_id = e->me_id;
	memcpy(vw->vw_prev, chain, sizeof(chain));
	mv->mv_records++;
	return 0;
}

int
msglog_verify_chain(struct msglog *ml, struct msglog_verify *mv)
{
	struct verify_walk	vw;
	int			rc;

	memset(mv, 0, sizeof(*mv));
	memset(&vw, 0, sizeof(vw));
	vw.vw_ml = ml;
	vw.vw_out = mv;
	if (ml->ml_ops->so_base(ml->ml_st, &vw.vw_prev_id, vw.vw_prev) ==
	    -1) {
		(void)snprintf(mv->mv_error, sizeof(mv->mv_error),
		    "cannot read the chain base: %s",
		    ml->ml_ops->so_error(ml->ml_st));
		return -1;
	}
	rc = ml->ml_ops->so_walk(ml->ml_st, vw.vw_prev_id, verify_one, &vw);
	if (rc != 0 && mv->mv_error[0] == '\0')
		(void)snprintf(mv->mv_error, sizeof(mv->mv_error),
		    "cannot read the log: %s",
		    ml->ml_ops->so_error(ml->ml_st));
	return rc == 0 ? 0 : -1;
}

int
msglog_entry_get(struct msglog *ml, int64_t id, struct msglog_entry **out)
{
	return ml->ml_ops->so_get(ml->ml_st, id, out);
}

int
msglog_query_ids(struct msglog *ml, const char *query_id, const char *client,
    int64_t **ids, size_t *n)
{
	return ml->ml_ops->so_query(ml->ml_st, query_id, client, ids, n);
}

int
msglog_archivable(struct msglog *ml, int64_t after, size_t limit,
    int64_t **ids, size_t *n)
{
	return ml->ml_ops->so_archivable(ml->ml_st, after, limit, ids, n);
}

int
msglog_mark_archived(struct msglog *ml, const int64_t *ids, size_t n,
    const char *last_digest, const char *last_name)
{
	size_t	i;

	if (ml->ml_ops->so_begin(ml->ml_st) == -1)
		goto fail;
	for (i = 0; i < n; i++)
		if (ml->ml_ops->so_set_archived(ml->ml_st, ids[i]) == -1)
			goto fail;
	if (ml->ml_ops->so_set_archive_state(ml->ml_st, last_digest,
	    last_name) == -1 || ml->ml_ops->so_commit(ml->ml_st) == -1)
		goto fail;
	return 0;
 fail:
	log_warnx("message log: cannot mark records archived: %s",
	    ml->ml_ops->so_error(ml->ml_st));
	ml->ml_ops->so_rollback(ml->ml_st);
	return -1;
}

int
msglog_clean(struct msglog *ml, int64_t before_ms, int64_t *deleted)
{
	int64_t	n = 0;

	if (deleted != NULL)
		*deleted = 0;
	if (ml->ml_ops->so_begin(ml->ml_st) == -1 ||
	    ml->ml_ops->so_clean(ml->ml_st, before_ms, &n) == -1 ||
	    ml->ml_ops->so_commit(ml->ml_st) == -1) {
		log_warnx("message log: cannot remove archived records: %s",
		    ml->ml_ops->so_error(ml->ml_st));
		ml->ml_ops->so_rollback(ml->ml_st);
		return -1;
	}
	if (deleted != NULL)
		*deleted = n;
	return 0;
}

int
msglog_archive_state(struct msglog *ml, char *digest, size_t dlen,
    char *name, size_t nlen)
{
	return ml->ml_ops->so_archive_state(ml->ml_st, digest, dlen, name,
	    nlen);
}

int
msglog_unstamped(struct msglog *ml, size_t limit,
    struct msglog_leaf **leaves, size_t *n)
{
	return ml->ml_ops->so_unstamped(ml->ml_st, limit, leaves, n);
}

int
msglog_store_stamp(struct msglog *ml, const struct msglog_stamp *stp,
    const int64_t *ids, const char *const *chains, const size_t *chain_lens,
    size_t n, int64_t *ts_idp)
{
	int64_t	ts_id;
	size_t	i;

	if (n == 0 || stp->st_token == NULL || stp->st_token_len == 0)
		return -1;
	if (ml->ml_ops->so_begin(ml->ml_st) == -1 ||
	    ml->ml_ops->so_add_timestamp(ml->ml_st, stp, n, &ts_id) == -1)
		goto fail;
	for (i = 0; i < n; i++)
		if (ml->ml_ops->so_set_stamp(ml->ml_st, ids[i], ts_id,
		    chains != NULL ? chains[i] : NULL,
		    chains != NULL && chains[i] != NULL ? chain_lens[i] : 0) ==
		    -1)
			goto fail;
	if (ml->ml_ops->so_commit(ml->ml_st) == -1)
		goto fail;
	if (ts_idp != NULL)
		*ts_idp = ts_id;
	return 0;
 fail:
	log_warnx("message log: cannot store a timestamp: %s",
	    ml->ml_ops->so_error(ml->ml_st));
	ml->ml_ops->so_rollback(ml->ml_st);
	return -1;
}

int
msglog_soap_strip_body(const void *xml, size_t len, size_t max,
    struct buf **out)
{
	xmlDoc		*doc = NULL;
	xmlNode		*root, *n, *body = NULL, *next;
	xmlChar		*mem = NULL;
	struct buf	*b = NULL;
	int		 size = 0, rc = -1;

	*out = NULL;
	if (len > INT_MAX)
		return -1;
	doc = xmlReadMemory(xml, (int)len, NULL, NULL, XML_PARSE_NONET |
	    XML_PARSE_NOERROR | XML_PARSE_NOWARNING);
	if (doc == NULL || doc->intSubset != NULL ||
	    (root = xmlDocGetRootElement(doc)) == NULL ||
	    root->ns == NULL ||
	    !xmlStrEqual(root->ns->href, BAD_CAST SOAP_ENV_NS) ||
	    !xmlStrEqual(root->name, BAD_CAST "Envelope"))
		goto done;
	for (n = root->children; n != NULL; n = n->next)
		if (n->type == XML_ELEMENT_NODE && n->ns != NULL &&
		    xmlStrEqual(n->ns->href, BAD_CAST SOAP_ENV_NS) &&
		    xmlStrEqual(n->name, BAD_CAST "Body")) {
			body = n;
			break;
		}
	if (body == NULL)
		goto done;
	for (n = body->children; n != NULL; n = next) {
		next = n->next;
		xmlUnlinkNode(n);
		xmlFreeNode(n);
	}
	xmlDocDumpMemoryEnc(doc, &mem, &size, "UTF-8");
	if (mem == NULL || size < 0 || (size_t)size > max ||
	    (b = buf_new((size_t)size + 1)) == NULL ||
	    buf_append(b, mem, (size_t)size) != 0)
		goto done;
	*out = b;
	b = NULL;
	rc = 0;
 done:
	buf_free(b);
	xmlFree(mem);
	xmlFreeDoc(doc);
	return rc;
}

int
msglog_open_ssd(struct ssd *sd, struct msglog **out)
{
	struct msglog_options	 o;
	char			 path[sizeof(sd->sd_state_dir) + 32];

	memset(&o, 0, sizeof(o));
	o.mo_base = sd->sd_base;
	o.mo_max_body = conf_get_size(sd->sd_conf, "message-log",
	    "max-loggable-body-size");
	o.mo_body_logging_off = !conf_get_bool(sd->sd_conf, "message-log",
	    "body-logging");
	if (snprintf(path, sizeof(path), "%s/%s", sd->sd_state_dir,
	    MSGLOG_DB_NAME) >= (int)sizeof(path)) {
		log_warnx("%s: state-dir too long", __func__);
		return -1;
	}
	return msglog_open(path, &o, out);
}
