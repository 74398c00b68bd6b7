/*
 * session.h: server-side web sessions in the service's SQLite database,
 * with a CSRF token per session.
 *
 * The browser holds only a random 256-bit id (64 hex digits, OpenSSL
 * RAND_bytes) in a cookie: HttpOnly, SameSite=Lax (or Strict), Secure
 * when the service runs on HTTPS. The database keeps the SHA-256 of the
 * id, never the id itself, so a copy of the database opens no session.
 * A session ends after sc_idle seconds without a request or sc_absolute
 * seconds after it began, whichever comes first. sess_rotate gives a
 * session a new id and a new CSRF token (call it when the user logs in,
 * so an id planted before login is worthless after it).
 *
 * Session data is a flat set of string and integer values (a JSON object
 * in the database); nothing of it reaches the browser.
 *
 * The table is created by the service's own migrations: put
 * SESS_MIGRATION in its list for db_migrate().
 */
#ifndef HK_SESSION_H
#define HK_SESSION_H

#include <stddef.h>
#include <stdint.h>

#include <event2/http.h>

#include "web.h"

struct db;
struct sess_store;
struct sess;

#define SESS_MIGRATION \
	"CREATE TABLE web_session (" \
	"  id_hash BLOB PRIMARY KEY NOT NULL CHECK (length(id_hash) = 32)," \
	"  csrf TEXT NOT NULL," \
	"  created INTEGER NOT NULL," \
	"  last_seen INTEGER NOT NULL," \
	"  data TEXT NOT NULL DEFAULT '{}'" \
	") STRICT;" \
	"CREATE INDEX web_session_last_seen ON web_session (last_seen);"

/* Length of the id and of the CSRF token, hex digits. */
#define SESS_ID_LEN	64
#define SESS_CSRF_LEN	64

struct sess_conf {
	const char		*sc_cookie;	/* NULL: "hk_session" */
	const char		*sc_path;	/* NULL: "/" */
	int64_t			 sc_idle;	/* seconds, > 0 */
	int64_t			 sc_absolute;	/* seconds, >= sc_idle */
	int			 sc_secure;	/* 1: Secure cookies (HTTPS) */
	enum web_samesite	 sc_samesite;	/* LAX or STRICT */
	web_clock_fn		 sc_clock;	/* NULL: the real clock */
	void			*sc_clock_arg;
};

/*
 * A store over db (borrowed; it must outlive the store and hold the
 * table). NULL on bad settings (logged). Caller frees.
 */
struct sess_store *sess_store_new(struct db *db, const struct sess_conf *);
void		 sess_store_free(struct sess_store *);

/*
 * The request's session, if its cookie names a live one: 1 and *out
 * (caller frees with sess_free), 0 and *out NULL when there is none (no
 * cookie, unknown id, expired: an expired row is deleted), -1 on a
 * database error. Marks the session as used (idle timer).
 */
int		 sess_load(struct sess_store *, struct evhttp_request *,
		    struct sess **out);
/*
 * sess_load, or a new empty session when there is none: stored at once,
 * and its cookie added to req's response (req may be NULL in tests).
 * 0 or -1.
 */
int		 sess_start(struct sess_store *, struct evhttp_request *,
		    struct sess **out);
/*
 * New id and CSRF token for the session (data kept, absolute timer
 * restarted), cookie added to the response. 0 or -1.
 */
int		 sess_rotate(struct sess_store *, struct evhttp_request *,
		    struct sess *);
/* Write changed data back. 0 or -1. */
int		 sess_save(struct sess_store *, struct sess *);
/*
 * End the session: delete it and tell the browser to drop the cookie
 * (req may be NULL). The struct is still the caller's to free. 0 or -1.
 */
int		 sess_destroy(struct sess_store *, struct evhttp_request *,
		    struct sess *);
/* Delete every expired session; the number deleted, or -1. */
int		 sess_purge(struct sess_store *);
void		 sess_free(struct sess *);

/*
 * The cookie value (the id, a secret: never log it) and the Set-Cookie
 * value that carries it. Borrowed / written into out.
 */
const char	*sess_id(const struct sess *);
int		 sess_cookie(const struct sess_store *, const struct sess *,
		    char *out, size_t outlen);

/* CSRF: the token to put in forms (borrowed), and the check of one. */
const char	*sess_csrf(const struct sess *);
/*
 * 1 if token (may be NULL) equals the session's CSRF token (constant
 * time, CRYPTO_memcmp), else 0.
 */
int		 sess_csrf_ok(const struct sess *, const char *token);

/*
 * Data. sess_get: the string value of key, borrowed until the next change
 * of that key, NULL if absent or not a string. sess_set: value NULL
 * removes the key. Integers likewise (sess_get_int gives def if absent).
 * Setters return 0 or -1.
 */
const char	*sess_get(const struct sess *, const char *key);
int		 sess_set(struct sess *, const char *key, const char *value);
int64_t		 sess_get_int(const struct sess *, const char *key,
		    int64_t def);
int		 sess_set_int(struct sess *, const char *key, int64_t value);
int		 sess_del(struct sess *, const char *key);
/* Seconds since the epoch when the session (or its last rotation) began. */
int64_t		 sess_created(const struct sess *);

#endif /* HK_SESSION_H */
