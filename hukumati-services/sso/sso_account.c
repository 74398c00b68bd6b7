/*
 * sso_account.c: accounts, argon2id passwords, lockouts, SMS codes and
 * the audit log (see sso.h).
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <argon2.h>
#include <jansson.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/rand.h>

#include "compat.h"
#include "db.h"
#include "log.h"
#include "sso.h"

#define SSO_SALT_LEN	16
#define SSO_HASH_LEN	32

int
sso_pw_hash(const struct sso *s, const char *pw, char *out, size_t outlen)
{
	unsigned char	 salt[SSO_SALT_LEN];
	int		 r;

	if (RAND_bytes(salt, sizeof(salt)) != 1)
		return -1;
	r = argon2id_hash_encoded(s->s_argon_t, s->s_argon_m, s->s_argon_p,
	    pw, strlen(pw), salt, sizeof(salt), SSO_HASH_LEN, out, outlen);
	if (r != ARGON2_OK) {
		log_warnx("argon2id: %s", argon2_error_message(r));
		return -1;
	}
	return 0;
}

int
sso_pw_verify(const char *encoded, const char *pw)
{
	int	 r;

	if (strncmp(encoded, "$argon2id$", 10) != 0)
		return -1;
	r = argon2id_verify(encoded, pw, strlen(pw));
	if (r == ARGON2_OK)
		return 1;
	if (r == ARGON2_VERIFY_MISMATCH)
		return 0;
	return -1;
}

void
sso_pw_dummy(const struct sso *s, const char *pw)
{
	char	 enc[256];

	/* As costly as a real check, so timing tells nothing. */
	if (sso_pw_hash(s, pw, enc, sizeof(enc)) == 0)
		OPENSSL_cleanse(enc, sizeof(enc));
}

#define ACCOUNT_COLS \
	"id, kind, coalesce(national_id, ''), coalesce(username, ''), role," \
	" coalesce(office, ''), first_name, family_name," \
	" coalesce(date_of_birth, ''), mobile, coalesce(email, ''), status," \
	" acr, coalesce(activation_route, ''), created_at, password_hash"

static void
col_copy(sqlite3_stmt *st, int i, char *out, size_t outlen)
{
	const char	*v = (const char *)sqlite3_column_text(st, i);

	(void)strlcpy(out, v != NULL ? v : "", outlen);
}

static int
account_query(struct sso *s, struct sso_account *a, char *pwhash,
    size_t pwhashlen, const char *where, const char *fmt, const char *text,
    int64_t id)
{
	sqlite3_stmt	*st = NULL;
	char		 sql[512];
	int		 r;

	memset(a, 0, sizeof(*a));
	(void)snprintf(sql, sizeof(sql), "SELECT " ACCOUNT_COLS
	    " FROM account WHERE %s", where);
	r = fmt[0] == 't' ? db_queryf(s->s_db, &st, sql, fmt, text) :
	    db_queryf(s->s_db, &st, sql, fmt, id);
	if (r == -1 || (r = db_step(s->s_db, st)) == DB_ERR) {
		log_warnx("accounts: %s", db_last_error(s->s_db));
		db_finalize(st);
		return -1;
	}
	if (r == DB_DONE) {
		db_finalize(st);
		return 0;
	}
	a->a_id = sqlite3_column_int64(st, 0);
	col_copy(st, 1, a->a_kind, sizeof(a->a_kind));
	col_copy(st, 2, a->a_national_id, sizeof(a->a_national_id));
	col_copy(st, 3, a->a_username, sizeof(a->a_username));
	col_copy(st, 4, a->a_role, sizeof(a->a_role));
	col_copy(st, 5, a->a_office, sizeof(a->a_office));
	col_copy(st, 6, a->a_first_name, sizeof(a->a_first_name));
	col_copy(st, 7, a->a_family_name, sizeof(a->a_family_name));
	col_copy(st, 8, a->a_dob, sizeof(a->a_dob));
	col_copy(st, 9, a->a_mobile, sizeof(a->a_mobile));
	col_copy(st, 10, a->a_email, sizeof(a->a_email));
	col_copy(st, 11, a->a_status, sizeof(a->a_status));
	col_copy(st, 12, a->a_acr, sizeof(a->a_acr));
	col_copy(st, 13, a->a_route, sizeof(a->a_route));
	a->a_created = sqlite3_column_int64(st, 14);
	if (pwhash != NULL)
		col_copy(st, 15, pwhash, pwhashlen);
	db_finalize(st);
	return 1;
}

int
sso_account_by_id(struct sso *s, int64_t id, struct sso_account *a)
{
	return account_query(s, a, NULL, 0, "id = ?", "I", NULL, id);
}

int
sso_account_by_nid(struct sso *s, const char *nid, struct sso_account *a)
{
	return account_query(s, a, NULL, 0, "national_id = ?", "t", nid, 0);
}

int
sso_account_by_login(struct sso *s, const char *login,
    struct sso_account *a, char *pwhash, size_t pwhashlen)
{
	char	 nid[SSO_NID_SIZE];

	if (sso_valid_nid(login, nid))
		return account_query(s, a, pwhash, pwhashlen,
		    "national_id = ?", "t", nid, 0);
	return account_query(s, a, pwhash, pwhashlen, "username = ?", "t",
	    login, 0);
}

int
sso_account_create(struct sso *s, const struct sso_newacct *n, int64_t *id)
{
	char	 hash[256];
	int	 r;

	*id = 0;
	if (sso_pw_hash(s, n->n_password, hash, sizeof(hash)) == -1)
		return -1;
	r = db_execf(s->s_db, "INSERT INTO account (kind, national_id,"
	    " username, role, agency, office, first_name, family_name,"
	    " date_of_birth, mobile, email, password_hash, status, acr,"
	    " activation_route, register_names, created_at) VALUES (?, ?, ?,"
	    " ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)", "ttttttttttttttttI",
	    n->n_kind, n->n_national_id, n->n_username, n->n_role,
	    n->n_agency, n->n_office, n->n_first_name, n->n_family_name,
	    n->n_dob, n->n_mobile, n->n_email, hash, n->n_status,
	    n->n_acr != NULL ? n->n_acr : "low", n->n_route, n->n_register,
	    sso_now(s));
	OPENSSL_cleanse(hash, sizeof(hash));
	if (r == -1) {
		if (db_last_errcode(s->s_db) == SQLITE_CONSTRAINT &&
		    strstr(db_last_error(s->s_db), "UNIQUE") != NULL)
			return -2;
		log_warnx("accounts: %s", db_last_error(s->s_db));
		return -1;
	}
	*id = db_last_insert_id(s->s_db);
	return 0;
}

int
sso_account_activate(struct sso *s, int64_t id, const char *route,
    const char *acr, int64_t by, const char *where)
{
	if (db_execf(s->s_db, "UPDATE account SET status = 'active',"
	    " acr = ?, activation_route = ?, activated_at = ?,"
	    " activated_by = nullif(?, 0), activated_where = ? WHERE id = ?"
	    " AND status = 'pending'", "ttIItI", acr, route, sso_now(s), by,
	    where, id) == -1) {
		log_warnx("accounts: %s", db_last_error(s->s_db));
		return -1;
	}
	return db_changes(s->s_db) == 1 ? 0 : -2;
}

int
sso_account_is(const struct sso_account *a, const char *role)
{
	return strcmp(a->a_status, "active") == 0 &&
	    strcmp(a->a_role, role) == 0;
}

/*
 * Lockouts. Failures older than the lockout time are forgotten, so a
 * few mistakes spread over days never lock anyone.
 */
int
sso_lock_check(struct sso *s, const char *step, const char *subject,
    int64_t *until)
{
	int64_t	 lu = 0;
	int	 r;

	*until = 0;
	r = db_query_int64(s->s_db, &lu, "SELECT locked_until FROM lockout"
	    " WHERE step = ? AND subject = ?", "tt", step, subject);
	if (r == DB_ERR) {
		log_warnx("lockout: %s", db_last_error(s->s_db));
		return -1;
	}
	if (r == DB_ROW && lu > sso_now(s)) {
		*until = lu;
		return 1;
	}
	return 0;
}

int
sso_lock_fail(struct sso *s, const char *step, const char *subject)
{
	int64_t	 now = sso_now(s), n = 0;

	if (db_begin(s->s_db) == -1)
		goto fail;
	/* A finished lock or stale failures start the count again. */
	if (db_execf(s->s_db, "DELETE FROM lockout WHERE step = ? AND"
	    " subject = ? AND ((locked_until > 0 AND locked_until <= ?) OR"
	    " (locked_until = 0 AND updated_at <= ?))", "ttII", step, subject,
	    now, now - s->s_lockout) == -1 ||
	    db_execf(s->s_db, "INSERT INTO lockout (step, subject, failures,"
	    " locked_until, updated_at) VALUES (?, ?, 1, 0, ?) ON CONFLICT"
	    " (step, subject) DO UPDATE SET failures = failures + 1,"
	    " updated_at = excluded.updated_at", "ttI", step, subject, now) ==
	    -1 ||
	    db_query_int64(s->s_db, &n, "SELECT failures FROM lockout WHERE"
	    " step = ? AND subject = ?", "tt", step, subject) != DB_ROW)
		goto fail;
	if (n == s->s_max_failures && db_execf(s->s_db, "UPDATE lockout SET"
	    " locked_until = ? WHERE step = ? AND subject = ?", "Itt",
	    now + s->s_lockout, step, subject) == -1)
		goto fail;
	if (db_commit(s->s_db) == -1)
		goto fail;
	return n == s->s_max_failures ? 1 : 0;
 fail:
	log_warnx("lockout: %s", db_last_error(s->s_db));
	(void)db_rollback(s->s_db);
	return -1;
}

int
sso_lock_reset(struct sso *s, const char *step, const char *subject)
{
	if (db_execf(s->s_db, "DELETE FROM lockout WHERE step = ? AND"
	    " subject = ?", "tt", step, subject) == -1) {
		log_warnx("lockout: %s", db_last_error(s->s_db));
		return -1;
	}
	return 0;
}

/*
 * SMS codes: the database holds SHA-256(salt || code), the salt being
 * per code, and codes are compared in constant time.
 */
static int
code_digest(const unsigned char *salt, const char *code,
    unsigned char out[SSO_HASH_LEN])
{
	EVP_MD_CTX	*c;
	unsigned int	 len = 0;
	int		 r = -1;

	if ((c = EVP_MD_CTX_new()) == NULL)
		return -1;
	if (EVP_DigestInit_ex(c, EVP_sha256(), NULL) == 1 &&
	    EVP_DigestUpdate(c, salt, SSO_SALT_LEN) == 1 &&
	    EVP_DigestUpdate(c, code, strlen(code)) == 1 &&
	    EVP_DigestFinal_ex(c, out, &len) == 1 && len == SSO_HASH_LEN)
		r = 0;
	EVP_MD_CTX_free(c);
	return r;
}

int
sso_code_void(struct sso *s, int64_t account, const char *purpose)
{
	if (db_execf(s->s_db, "UPDATE sms_code SET used = 1 WHERE"
	    " account_id = ? AND purpose = ? AND used = 0", "It", account,
	    purpose) == -1) {
		log_warnx("codes: %s", db_last_error(s->s_db));
		return -1;
	}
	return 0;
}

int
sso_code_new(struct sso *s, int64_t account, const char *purpose,
    char code[SSO_CODE_LEN + 1])
{
	unsigned char	 salt[SSO_SALT_LEN], h[SSO_HASH_LEN], rnd[4];
	uint32_t	 v;
	int64_t		 now = sso_now(s);

	code[0] = '\0';
	/* Uniform over 000000-999999: redraw above the last full million. */
	do {
		if (RAND_bytes(rnd, sizeof(rnd)) != 1)
			return -1;
		v = ((uint32_t)rnd[0] << 24) | ((uint32_t)rnd[1] << 16) |
		    ((uint32_t)rnd[2] << 8) | rnd[3];
	} while (v >= 4294000000u);
	(void)snprintf(code, SSO_CODE_LEN + 1, "%06u", v % 1000000u);
	if (RAND_bytes(salt, sizeof(salt)) != 1 ||
	    code_digest(salt, code, h) == -1)
		goto fail;
	if (sso_code_void(s, account, purpose) == -1 ||
	    db_execf(s->s_db, "INSERT INTO sms_code (account_id, purpose,"
	    " salt, code_hash, expires_at, created_at) VALUES (?, ?, ?, ?, ?,"
	    " ?)", "ItbbII", account, purpose, salt, sizeof(salt), h,
	    sizeof(h), now + s->s_code_validity, now) == -1) {
		log_warnx("codes: %s", db_last_error(s->s_db));
		goto fail;
	}
	OPENSSL_cleanse(rnd, sizeof(rnd));
	return 0;
 fail:
	OPENSSL_cleanse(code, SSO_CODE_LEN + 1);
	return -1;
}

int
sso_code_check(struct sso *s, int64_t account, const char *purpose,
    const char *code)
{
	sqlite3_stmt	*st = NULL;
	unsigned char	 h[SSO_HASH_LEN];
	const void	*salt, *want;
	int64_t		 id, expires;
	int		 r;

	if (db_queryf(s->s_db, &st, "SELECT id, salt, code_hash, expires_at"
	    " FROM sms_code WHERE account_id = ? AND purpose = ? AND used = 0"
	    " ORDER BY id DESC LIMIT 1", "It", account, purpose) == -1 ||
	    (r = db_step(s->s_db, st)) == DB_ERR)
		goto dberr;
	if (r == DB_DONE) {
		db_finalize(st);
		return 2;
	}
	id = sqlite3_column_int64(st, 0);
	salt = sqlite3_column_blob(st, 1);
	want = sqlite3_column_blob(st, 2);
	expires = sqlite3_column_int64(st, 3);
	if (sqlite3_column_bytes(st, 1) != SSO_SALT_LEN ||
	    sqlite3_column_bytes(st, 2) != SSO_HASH_LEN ||
	    code_digest(salt, code, h) == -1) {
		db_finalize(st);
		return -1;
	}
	if (expires <= sso_now(s)) {
		db_finalize(st);
		return 2;
	}
	r = CRYPTO_memcmp(h, want, SSO_HASH_LEN) == 0;
	db_finalize(st);
	if (r && db_execf(s->s_db, "UPDATE sms_code SET used = 1 WHERE"
	    " id = ?", "I", id) == -1)
		goto dberr;
	return r;
 dberr:
	log_warnx("codes: %s", db_last_error(s->s_db));
	db_finalize(st);
	return -1;
}

int
sso_audit(struct sso *s, const char *type, int64_t account, int64_t actor,
    const char *ip, json_t *details)
{
	char	*text = NULL;
	int	 r;

	if (details == NULL)
		details = json_object();
	if (details == NULL || (text = json_dumps(details, JSON_COMPACT |
	    JSON_SORT_KEYS)) == NULL) {
		json_decref(details);
		log_warnx("audit: out of memory");
		return -1;
	}
	r = db_execf(s->s_db, "INSERT INTO audit (time, type, account_id,"
	    " actor_id, ip, details) VALUES (?, ?, nullif(?, 0), nullif(?, 0),"
	    " ?, ?)", "ItIItt", web_now_ms(s->s_clock, s->s_clock_arg), type,
	    account, actor, ip, text);
	if (r == -1)
		log_warnx("audit: %s", db_last_error(s->s_db));
	else
		log_info("audit %s account %lld actor %lld %s", type,
		    (long long)account, (long long)actor, text);
	free(text);
	json_decref(details);
	return r == -1 ? -1 : 0;
}
