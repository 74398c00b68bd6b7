/*
 * sso_login.c: logging in with national ID (or staff user name) and
 * password, then a 6-digit SMS code; the account page; logging out (see
 * sso.h).
 *
 * The password step answers an unknown ID and a wrong password with the
 * same words, after the same argon2id work, and counts failures per
 * typed login name (known or not), so neither the answers nor the
 * lockout tell which IDs have accounts. The code step counts failures
 * per account. The s_max_failures-th failure locks that step for
 * s_lockout seconds.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <event2/http.h>
#include <jansson.h>
#include <openssl/crypto.h>

#include "compat.h"
#include "form.h"
#include "http.h"
#include "log.h"
#include "session.h"
#include "sso.h"

#define CODE_PURPOSE_LOGIN	"login"

/* The login name as the lockout counts it: a valid ID's digits, or lower case. */
static void
login_subject(const char *login, char *out, size_t outlen)
{
	char	 nid[SSO_NID_SIZE];
	size_t	 i;

	if (sso_valid_nid(login, nid)) {
		(void)strlcpy(out, nid, outlen);
		return;
	}
	(void)strlcpy(out, login, outlen);
	for (i = 0; out[i] != '\0'; i++)
		if (out[i] >= 'A' && out[i] <= 'Z')
			out[i] += 'a' - 'A';
}

static void
login_form(struct sso_req *r, int status, json_t *data)
{
	sso_page(r, status, "login", data);
}

static void
login_post(struct sso_req *r)
{
	struct sso		*s = r->r_sso;
	struct http_query	*q = NULL;
	struct sso_account	 a;
	json_t			*data;
	char			 login[SSO_LOGIN_SIZE], subject[SSO_LOGIN_SIZE];
	char			 pw[SSO_PW_MAX], hash[256], code[SSO_CODE_LEN + 1];
	char			 text[512], uid[32];
	int64_t			 until;
	int			 rc, ok, rl, rp;

	if (sso_post_begin(r, &q) == -1)
		return;
	data = json_object();
	rl = form_field(q, "login", 1, login, sizeof(login));
	rp = form_field(q, "password", 0, pw, sizeof(pw));
	http_query_free(q);
	if (data == NULL)
		goto fail;
	if (rl == FIELD_OK)
		(void)json_object_set_new(data, "login", json_string(login));
	if (rl != FIELD_OK || rp != FIELD_OK) {
		if (rl != FIELD_OK)
			(void)sso_add_error(r, data, "login", rl ==
			    FIELD_MISSING ? "err.required" : "err.invalid");
		if (rp != FIELD_OK)
			(void)sso_add_error(r, data, "password", rp ==
			    FIELD_MISSING ? "err.required" : "err.invalid");
		login_form(r, 400, data);
		goto done;
	}
	login_subject(login, subject, sizeof(subject));
	if ((rc = sso_lock_check(s, SSO_STEP_PASSWORD, subject, &until)) ==
	    -1)
		goto fail;
	if (rc == 1) {
		sso_pw_dummy(s, pw);
		(void)sso_audit(s, SSO_EV_LOGIN_ERROR, 0, 0, r->r_ip,
		    json_pack("{s:s, s:s}", "error", "locked", "login",
		    subject));
		(void)sso_add_error(r, data, "login", "err.locked");
		login_form(r, 429, data);
		goto done;
	}
	hash[0] = '\0';
	if ((rc = sso_account_by_login(s, login, &a, hash, sizeof(hash))) ==
	    -1)
		goto fail;
	if (rc == 1)
		ok = sso_pw_verify(hash, pw) == 1;
	else {
		sso_pw_dummy(s, pw);
		ok = 0;
	}
	OPENSSL_cleanse(hash, sizeof(hash));
	if (!ok) {
		rc = sso_lock_fail(s, SSO_STEP_PASSWORD, subject);
		(void)sso_audit(s, rc == 1 ? SSO_EV_LOCKOUT :
		    SSO_EV_LOGIN_ERROR, a.a_id, 0, r->r_ip,
		    json_pack("{s:s, s:s}", "error", "invalid_user_credentials",
		    "login", subject));
		(void)sso_add_error(r, data, "login", rc == 1 ? "err.locked" :
		    "err.bad_login");
		login_form(r, rc == 1 ? 429 : 400, data);
		goto done;
	}
	(void)sso_lock_reset(s, SSO_STEP_PASSWORD, subject);
	if (strcmp(a.a_status, "pending") == 0) {
		(void)sso_audit(s, SSO_EV_LOGIN_ERROR, a.a_id, 0, r->r_ip,
		    json_pack("{s:s}", "error", "account_pending"));
		(void)sso_add_error(r, data, "login", "err.pending");
		login_form(r, 403, data);
		goto done;
	}
	if (strcmp(a.a_status, "active") != 0) {
		(void)sso_audit(s, SSO_EV_LOGIN_ERROR, a.a_id, 0, r->r_ip,
		    json_pack("{s:s}", "error", "user_disabled"));
		(void)sso_add_error(r, data, "login", "err.disabled");
		login_form(r, 403, data);
		goto done;
	}
	/* Password right: now the SMS code. */
	if (sso_code_new(s, a.a_id, CODE_PURPOSE_LOGIN, code) == -1)
		goto fail;
	(void)snprintf(text, sizeof(text), "%s %s", sso_msg(r, "sms.code"),
	    code);
	rc = sms_send(s, a.a_mobile, text);
	OPENSSL_cleanse(code, sizeof(code));
	OPENSSL_cleanse(text, sizeof(text));
	if (rc == -1) {
		(void)sso_add_error(r, data, "login", "err.sms_failed");
		login_form(r, 503, data);
		goto done;
	}
	(void)sso_audit(s, SSO_EV_SEND_CODE, a.a_id, 0, r->r_ip, NULL);
	(void)snprintf(uid, sizeof(uid), "%lld", (long long)a.a_id);
	if (sess_set(r->r_sess, "login_uid", uid) == -1 ||
	    sess_set_int(r->r_sess, "login_at", sso_now(s)) == -1)
		goto fail;
	json_decref(data);
	OPENSSL_cleanse(pw, sizeof(pw));
	web_redirect(r->r_req, "/login/code");
	return;
 fail:
	sso_error_page(r, 500, "err.internal");
	json_decref(data);
	data = NULL;
 done:
	OPENSSL_cleanse(pw, sizeof(pw));
}

void
sso_login(struct evhttp_request *req, void *arg)
{
	struct sso_req	*r;

	if ((r = sso_req_begin(arg, req, SSO_REQ_SESSION)) == NULL)
		return;
	if (evhttp_request_get_command(req) == EVHTTP_REQ_POST)
		login_post(r);
	else if (r->r_user != NULL)
		web_redirect(req, "/account");
	else
		login_form(r, 200, NULL);
	sso_req_end(r);
}

/* The masked mobile the code went to: +970 59* *** *01. */
static void
mask_phone(const char *p, char *out, size_t outlen)
{
	size_t	 n = strlen(p), i;

	(void)strlcpy(out, p, outlen);
	for (i = 6; i + 2 < n && i < outlen - 1; i++)
		out[i] = '*';
}

static int
pending_uid(struct sso_req *r, int64_t *id)
{
	const char	*v, *errstr;
	int64_t		 at;

	*id = 0;
	if (r->r_sess == NULL || (v = sess_get(r->r_sess, "login_uid")) ==
	    NULL)
		return 0;
	*id = strtonum(v, 1, INT64_MAX, &errstr);
	at = sess_get_int(r->r_sess, "login_at", 0);
	/* The password step is good for as long as its code. */
	if (errstr != NULL || sso_now(r->r_sso) - at >=
	    r->r_sso->s_code_validity) {
		(void)sess_del(r->r_sess, "login_uid");
		(void)sess_del(r->r_sess, "login_at");
		return 0;
	}
	return 1;
}

static void
code_form(struct sso_req *r, int status, json_t *data, int64_t uid)
{
	struct sso_account	 a;
	char			 masked[SSO_PHONE_SIZE];

	if (data == NULL)
		data = json_object();
	if (data != NULL && sso_account_by_id(r->r_sso, uid, &a) == 1) {
		mask_phone(a.a_mobile, masked, sizeof(masked));
		(void)json_object_set_new(data, "phone", json_string(masked));
	}
	sso_page(r, status, "code", data);
}

static void
code_post(struct sso_req *r, int64_t uid)
{
	struct sso		*s = r->r_sso;
	struct http_query	*q = NULL;
	struct sso_account	 a;
	json_t			*data = NULL;
	char			 raw[32], code[32], subject[32], id[32];
	char			 sid[33], *authz = NULL, loc[4200];
	int64_t			 until;
	int			 rc;

	if (sso_post_begin(r, &q) == -1)
		return;
	rc = form_field(q, "code", 1, raw, sizeof(raw));
	http_query_free(q);
	if ((data = json_object()) == NULL)
		goto fail;
	if (rc != FIELD_OK || sso_digits(raw, code, sizeof(code)) == -1 ||
	    strlen(code) != SSO_CODE_LEN || strspn(code, "0123456789") !=
	    SSO_CODE_LEN) {
		(void)sso_add_error(r, data, "code", rc == FIELD_MISSING ?
		    "err.required" : "err.code_format");
		code_form(r, 400, data, uid);
		return;
	}
	(void)snprintf(subject, sizeof(subject), "%lld", (long long)uid);
	if ((rc = sso_lock_check(s, SSO_STEP_CODE, subject, &until)) == -1)
		goto fail;
	if (rc == 1) {
		(void)sso_add_error(r, data, "code", "err.locked");
		code_form(r, 429, data, uid);
		return;
	}
	rc = sso_code_check(s, uid, CODE_PURPOSE_LOGIN, code);
	OPENSSL_cleanse(code, sizeof(code));
	OPENSSL_cleanse(raw, sizeof(raw));
	if (rc == -1)
		goto fail;
	if (rc == 2) {
		(void)sso_audit(s, SSO_EV_LOGIN_ERROR, uid, 0, r->r_ip,
		    json_pack("{s:s}", "error", "expired_code"));
		(void)sess_del(r->r_sess, "login_uid");
		(void)sso_add_error(r, data, "login", "err.code_expired");
		login_form(r, 400, data);
		return;
	}
	if (rc == 0) {
		rc = sso_lock_fail(s, SSO_STEP_CODE, subject);
		(void)sso_audit(s, rc == 1 ? SSO_EV_LOCKOUT :
		    SSO_EV_LOGIN_ERROR, uid, 0, r->r_ip, json_pack("{s:s}",
		    "error", "invalid_code"));
		if (rc == 1)
			(void)sso_code_void(s, uid, CODE_PURPOSE_LOGIN);
		(void)sso_add_error(r, data, "code", rc == 1 ? "err.locked" :
		    "err.code_wrong");
		code_form(r, rc == 1 ? 429 : 400, data, uid);
		return;
	}
	(void)sso_lock_reset(s, SSO_STEP_CODE, subject);
	if (sso_account_by_id(s, uid, &a) != 1 ||
	    strcmp(a.a_status, "active") != 0) {
		json_decref(data);
		sso_error_page(r, 403, "err.disabled");
		return;
	}
	/* Logged in: a new session id, so one planted before is useless. */
	(void)snprintf(id, sizeof(id), "%lld", (long long)uid);
	if (sess_rotate(s->s_sessions, r->r_req, r->r_sess) == -1 ||
	    sess_del(r->r_sess, "login_uid") == -1 ||
	    sess_del(r->r_sess, "login_at") == -1 ||
	    sess_set(r->r_sess, "uid", id) == -1 ||
	    sess_set_int(r->r_sess, "auth_time", sso_now(s)) == -1 ||
	    sess_set(r->r_sess, "amr", "pwd sms") == -1 ||
	    sess_set(r->r_sess, "acr", a.a_acr) == -1 ||
	    web_random_hex(sid, sizeof(sid), 16) == -1 ||
	    sess_set(r->r_sess, "sid", sid) == -1)
		goto fail;
	(void)sso_audit(s, SSO_EV_LOGIN, uid, 0, r->r_ip, json_pack("{s:s}",
	    "amr", "pwd sms"));
	json_decref(data);
	/* Back to the authorization request that sent the user here. */
	if (sess_get(r->r_sess, "authz") != NULL &&
	    (authz = strdup(sess_get(r->r_sess, "authz"))) != NULL &&
	    (size_t)snprintf(loc, sizeof(loc), "/authorize?%s", authz) <
	    sizeof(loc)) {
		(void)sess_del(r->r_sess, "authz");
		web_redirect(r->r_req, loc);
	} else
		web_redirect(r->r_req, "/account");
	free(authz);
	return;
 fail:
	json_decref(data);
	sso_error_page(r, 500, "err.internal");
}

void
sso_login_code(struct evhttp_request *req, void *arg)
{
	struct sso_req	*r;
	int64_t		 uid;

	if ((r = sso_req_begin(arg, req, SSO_REQ_SESSION)) == NULL)
		return;
	if (!pending_uid(r, &uid)) {
		/* No password step (or too old): start again. */
		web_redirect(req, "/login");
	} else if (evhttp_request_get_command(req) == EVHTTP_REQ_POST)
		code_post(r, uid);
	else
		code_form(r, 200, NULL, uid);
	sso_req_end(r);
}

void
sso_account_page(struct evhttp_request *req, void *arg)
{
	struct sso_req	*r;
	json_t		*data;

	if ((r = sso_req_begin(arg, req, 0)) == NULL)
		return;
	if (r->r_user == NULL) {
		web_redirect(req, "/login");
		sso_req_end(r);
		return;
	}
	data = json_pack("{s:s, s:s, s:s, s:s}", "national_id",
	    r->r_user->a_national_id, "mobile", r->r_user->a_mobile,
	    "acr", r->r_user->a_acr, "route", r->r_user->a_route);
	sso_page(r, 200, "account", data);
	sso_req_end(r);
}

void
sso_logout(struct evhttp_request *req, void *arg)
{
	struct sso_req		*r;
	struct http_query	*q = NULL;
	int64_t			 uid;

	if ((r = sso_req_begin(arg, req, 0)) == NULL)
		return;
	if (sso_post_begin(r, &q) == -1) {
		sso_req_end(r);
		return;
	}
	http_query_free(q);
	uid = r->r_user != NULL ? r->r_user->a_id : 0;
	if (sess_destroy(r->r_sso->s_sessions, req, r->r_sess) == -1) {
		sso_error_page(r, 500, "err.internal");
		sso_req_end(r);
		return;
	}
	if (uid != 0)
		(void)sso_audit(r->r_sso, SSO_EV_LOGOUT, uid, 0, r->r_ip, NULL);
	sess_free(r->r_sess);
	r->r_sess = NULL;
	web_redirect(req, "/");
	sso_req_end(r);
}
