/*
 * session.c: server-side sessions and CSRF tokens (see session.h).
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include <jansson.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>

#include "compat.h"
#include "db.h"
#include "log.h"
#include "session.h"
#include "web.h"

#define SESS_HASH_LEN	32
#define SESS_DATA_MAX	(64 * 1024)

struct sess_store {
	struct db		*ss_db;
	char			 ss_cookie[64];
	char			 ss_path[128];
	int64_t			 ss_idle;
	int64_t			 ss_absolute;
	int			 ss_secure;
	enum web_samesite	 ss_samesite;
	web_clock_fn		 ss_clock;
	void			*ss_clock_arg;
};

struct sess {
	char		 se_id[SESS_ID_LEN + 1];
	unsigned char	 se_hash[SESS_HASH_LEN];
	char		 se_csrf[SESS_CSRF_LEN + 1];
	int64_t		 se_created;
	int64_t		 se_last_seen;
	json_t		*se_data;
	int		 se_dirty;
};

static int64_t
store_now(const struct sess_store *st)
{
	return web_now_ms(st->ss_clock, st->ss_clock_arg) / 1000;
}

static int
id_hash(const char *id, unsigned char out[SESS_HASH_LEN])
{
	unsigned int	 len = 0;

	if (EVP_Digest(id, strlen(id), out, &len, EVP_sha256(), NULL) != 1 ||
	    len != SESS_HASH_LEN)
		return -1;
	return 0;
}

static int
valid_id(const char *s)
{
	size_t	 i;

	for (i = 0; s[i] != '\0'; i++)
		if (!((s[i] >= '0' && s[i] <= '9') ||
		    (s[i] >= 'a' && s[i] <= 'f')))
			return 0;
	return i == SESS_ID_LEN;
}

struct sess_store *
sess_store_new(struct db *db, const struct sess_conf *c)
{
	struct sess_store	*st;
	const char		*cookie = c->sc_cookie ? c->sc_cookie :
				    "hk_session";
	const char		*path = c->sc_path ? c->sc_path : "/";

	if (db == NULL || c->sc_idle <= 0 || c->sc_absolute < c->sc_idle ||
	    (c->sc_samesite != WEB_SAMESITE_LAX &&
	    c->sc_samesite != WEB_SAMESITE_STRICT)) {
		log_warnx("sessions: bad settings");
		return NULL;
	}
	if ((st = calloc(1, sizeof(*st))) == NULL) {
		log_warn("sessions");
		return NULL;
	}
	if (strlcpy(st->ss_cookie, cookie, sizeof(st->ss_cookie)) >=
	    sizeof(st->ss_cookie) || strlcpy(st->ss_path, path,
	    sizeof(st->ss_path)) >= sizeof(st->ss_path)) {
		log_warnx("sessions: cookie name or path too long");
		free(st);
		return NULL;
	}
	st->ss_db = db;
	st->ss_idle = c->sc_idle;
	st->ss_absolute = c->sc_absolute;
	st->ss_secure = c->sc_secure;
	st->ss_samesite = c->sc_samesite;
	st->ss_clock = c->sc_clock;
	st->ss_clock_arg = c->sc_clock_arg;
	return st;
}

void
sess_store_free(struct sess_store *st)
{
	free(st);
}

void
sess_free(struct sess *s)
{
	if (s == NULL)
		return;
	json_decref(s->se_data);
	OPENSSL_cleanse(s, sizeof(*s));
	free(s);
}

static int
new_tokens(struct sess *s)
{
	if (web_random_hex(s->se_id, sizeof(s->se_id), SESS_ID_LEN / 2) ==
	    -1 || web_random_hex(s->se_csrf, sizeof(s->se_csrf),
	    SESS_CSRF_LEN / 2) == -1 || id_hash(s->se_id, s->se_hash) == -1)
		return -1;
	return 0;
}

int
sess_cookie(const struct sess_store *st, const struct sess *s, char *out,
    size_t outlen)
{
	struct web_cookie	 c;

	memset(&c, 0, sizeof(c));
	c.wc_name = st->ss_cookie;
	c.wc_value = s != NULL ? s->se_id : "";
	c.wc_path = st->ss_path;
	c.wc_max_age = s != NULL ? -1 : 0;
	c.wc_http_only = 1;
	c.wc_secure = st->ss_secure;
	c.wc_samesite = st->ss_samesite;
	return web_cookie_format(&c, out, outlen);
}

static int
send_cookie(struct sess_store *st, struct evhttp_request *req,
    const struct sess *s)
{
	char	 v[512];

	if (req == NULL)
		return 0;
	if (sess_cookie(st, s, v, sizeof(v)) == -1 ||
	    evhttp_add_header(evhttp_request_get_output_headers(req),
	    "Set-Cookie", v) != 0)
		return -1;
	return 0;
}

static int
delete_row(struct sess_store *st, const unsigned char *hash)
{
	if (db_execf(st->ss_db, "DELETE FROM web_session WHERE id_hash = ?",
	    "b", hash, (size_t)SESS_HASH_LEN) == -1) {
		log_warnx("sessions: %s", db_last_error(st->ss_db));
		return -1;
	}
	return 0;
}

int
sess_load(struct sess_store *st, struct evhttp_request *req,
    struct sess **out)
{
	sqlite3_stmt	*q = NULL;
	struct sess	*s = NULL;
	char		 id[SESS_ID_LEN + 2];
	const char	*csrf, *data;
	json_error_t	 jerr;
	int64_t		 now = store_now(st);
	int		 r;

	*out = NULL;
	if (req == NULL || web_cookie_get(req, st->ss_cookie, id,
	    sizeof(id)) != 1 || !valid_id(id))
		return 0;
	if ((s = calloc(1, sizeof(*s))) == NULL)
		return -1;
	(void)strlcpy(s->se_id, id, sizeof(s->se_id));
	OPENSSL_cleanse(id, sizeof(id));
	if (id_hash(s->se_id, s->se_hash) == -1)
		goto fail;
	if (db_queryf(st->ss_db, &q, "SELECT csrf, created, last_seen, data"
	    " FROM web_session WHERE id_hash = ?", "b", s->se_hash,
	    (size_t)SESS_HASH_LEN) == -1)
		goto dberr;
	if ((r = db_step(st->ss_db, q)) == DB_ERR)
		goto dberr;
	if (r == DB_DONE) {
		db_finalize(q);
		sess_free(s);
		return 0;
	}
	csrf = (const char *)sqlite3_column_text(q, 0);
	s->se_created = sqlite3_column_int64(q, 1);
	s->se_last_seen = sqlite3_column_int64(q, 2);
	data = (const char *)sqlite3_column_text(q, 3);
	if (csrf == NULL || strlcpy(s->se_csrf, csrf, sizeof(s->se_csrf)) >=
	    sizeof(s->se_csrf) || data == NULL ||
	    (s->se_data = json_loads(data, 0, &jerr)) == NULL ||
	    !json_is_object(s->se_data)) {
		log_warnx("sessions: a stored session is damaged; dropped");
		db_finalize(q);
		q = NULL;
		(void)delete_row(st, s->se_hash);
		sess_free(s);
		return 0;
	}
	db_finalize(q);
	q = NULL;
	if (now - s->se_last_seen >= st->ss_idle ||
	    now - s->se_created >= st->ss_absolute ||
	    now < s->se_created) {
		(void)delete_row(st, s->se_hash);
		sess_free(s);
		return 0;
	}
	if (now != s->se_last_seen) {
		s->se_last_seen = now;
		if (db_execf(st->ss_db, "UPDATE web_session SET last_seen = ?"
		    " WHERE id_hash = ?", "Ib", s->se_last_seen, s->se_hash,
		    (size_t)SESS_HASH_LEN) == -1)
			goto dberr;
	}
	*out = s;
	return 1;
 dberr:
	log_warnx("sessions: %s", db_last_error(st->ss_db));
 fail:
	db_finalize(q);
	sess_free(s);
	return -1;
}

int
sess_start(struct sess_store *st, struct evhttp_request *req,
    struct sess **out)
{
	struct sess	*s;
	int		 r;

	*out = NULL;
	if ((r = sess_load(st, req, out)) != 0)
		return r == 1 ? 0 : -1;
	if ((s = calloc(1, sizeof(*s))) == NULL ||
	    (s->se_data = json_object()) == NULL || new_tokens(s) == -1)
		goto fail;
	s->se_created = s->se_last_seen = store_now(st);
	if (db_execf(st->ss_db, "INSERT INTO web_session (id_hash, csrf,"
	    " created, last_seen, data) VALUES (?, ?, ?, ?, '{}')", "btII",
	    s->se_hash, (size_t)SESS_HASH_LEN, s->se_csrf, s->se_created,
	    s->se_last_seen) == -1) {
		log_warnx("sessions: %s", db_last_error(st->ss_db));
		goto fail;
	}
	if (send_cookie(st, req, s) == -1)
		goto fail;
	*out = s;
	return 0;
 fail:
	sess_free(s);
	return -1;
}

int
sess_rotate(struct sess_store *st, struct evhttp_request *req,
    struct sess *s)
{
	unsigned char	 old[SESS_HASH_LEN];

	memcpy(old, s->se_hash, sizeof(old));
	if (new_tokens(s) == -1)
		return -1;
	s->se_created = s->se_last_seen = store_now(st);
	if (db_execf(st->ss_db, "UPDATE web_session SET id_hash = ?,"
	    " csrf = ?, created = ?, last_seen = ? WHERE id_hash = ?",
	    "btIIb", s->se_hash, (size_t)SESS_HASH_LEN, s->se_csrf,
	    s->se_created, s->se_last_seen, old, sizeof(old)) == -1) {
		log_warnx("sessions: %s", db_last_error(st->ss_db));
		return -1;
	}
	if (db_changes(st->ss_db) != 1) {
		log_warnx("sessions: rotating a session that is gone");
		return -1;
	}
	s->se_dirty = 1;
	if (sess_save(st, s) == -1)
		return -1;
	return send_cookie(st, req, s);
}

int
sess_save(struct sess_store *st, struct sess *s)
{
	char	*text;
	int	 r;

	if (!s->se_dirty)
		return 0;
	if ((text = json_dumps(s->se_data, JSON_COMPACT | JSON_SORT_KEYS)) ==
	    NULL)
		return -1;
	if (strlen(text) > SESS_DATA_MAX) {
		log_warnx("sessions: data over %d bytes", SESS_DATA_MAX);
		free(text);
		return -1;
	}
	r = db_execf(st->ss_db, "UPDATE web_session SET data = ? WHERE"
	    " id_hash = ?", "tb", text, s->se_hash, (size_t)SESS_HASH_LEN);
	free(text);
	if (r == -1) {
		log_warnx("sessions: %s", db_last_error(st->ss_db));
		return -1;
	}
	s->se_dirty = 0;
	return 0;
}

int
sess_destroy(struct sess_store *st, struct evhttp_request *req,
    struct sess *s)
{
	if (delete_row(st, s->se_hash) == -1)
		return -1;
	return send_cookie(st, req, NULL);
}

int
sess_purge(struct sess_store *st)
{
	int64_t	 now = store_now(st);

	if (db_execf(st->ss_db, "DELETE FROM web_session WHERE"
	    " last_seen <= ? OR created <= ? OR created > ?", "III",
	    now - st->ss_idle, now - st->ss_absolute, now) == -1) {
		log_warnx("sessions: %s", db_last_error(st->ss_db));
		return -1;
	}
	return (int)db_changes(st->ss_db);
}

const char *
sess_id(const struct sess *s)
{
	return s->se_id;
}

const char *
sess_csrf(const struct sess *s)
{
	return s->se_csrf;
}

int
sess_csrf_ok(const struct sess *s, const char *token)
{
	if (token == NULL || strlen(token) != SESS_CSRF_LEN ||
	    s->se_csrf[0] == '\0')
		return 0;
	return CRYPTO_memcmp(token, s->se_csrf, SESS_CSRF_LEN) == 0;
}

const char *
sess_get(const struct sess *s, const char *key)
{
	return json_string_value(json_object_get(s->se_data, key));
}

int
sess_set(struct sess *s, const char *key, const char *value)
{
	if (value == NULL)
		return sess_del(s, key);
	if (json_object_set_new(s->se_data, key, json_string(value)) == -1)
		return -1;
	s->se_dirty = 1;
	return 0;
}

int64_t
sess_get_int(const struct sess *s, const char *key, int64_t def)
{
	json_t	*v = json_object_get(s->se_data, key);

	return json_is_integer(v) ? (int64_t)json_integer_value(v) : def;
}

int
sess_set_int(struct sess *s, const char *key, int64_t value)
{
	if (json_object_set_new(s->se_data, key,
	    json_integer((json_int_t)value)) == -1)
		return -1;
	s->se_dirty = 1;
	return 0;
}

int
sess_del(struct sess *s, const char *key)
{
	if (json_object_get(s->se_data, key) != NULL) {
		(void)json_object_del(s->se_data, key);
		s->se_dirty = 1;
	}
	return 0;
}

int64_t
sess_created(const struct sess *s)
{
	return s->se_created;
}
