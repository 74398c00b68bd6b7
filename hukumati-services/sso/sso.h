/*
 * sso.h: hukumati-sso, citizen registration, activation and login for
 * every Hukumati service (member client PS/GOV/MTIT/SSO behind ss-mtit;
 * DESIGN.md section 5.1). The daemon-wide header.
 *
 * Files:
 *	sso.c		configuration, database, listener, routes, pages,
 *			the per-request context
 *	sso_valid.c	input rules: national ID, names, date of birth,
 *			mobile, e-mail, password policy, register matching
 *	sso_account.c	accounts, argon2id passwords, lockouts, SMS codes,
 *			audit log
 *	sso_cr.c	the civil register through the exchange (getPerson)
 *	sso_sms.c	SMS gateway (demo sink table or HTTP backend) and
 *			GET /dev/sms
 *	sso_register.c	GET/POST /register
 *	sso_login.c	/login, /login/code, /account, /logout
 *	sso_officer.c	the officer console (in-person activation)
 *	sso_oidc.c	the OpenID Connect provider
 *	sso_main.c	hukumati-sso; sso_ctl.c hukumati-ssoctl
 *
 * Everything runs on one libevent loop; the one call that waits on the
 * network (getPerson) is asynchronous.
 */
#ifndef HK_SSO_H
#define HK_SSO_H

#include <stddef.h>
#include <stdint.h>

#include <event2/event.h>
#include <event2/http.h>
#include <jansson.h>

#include "conf.h"
#include "web.h"

struct buf;
struct db;
struct http_query;
struct http_server;
struct i18n;
struct ratelimit;
struct sess;
struct sess_store;
struct tmpl_set;
struct xrc;
struct xrc_call;

/* Field sizes (bytes, NUL included). */
#define SSO_NID_SIZE	10	/* 9 digits */
#define SSO_NAME_SIZE	128
#define SSO_DATE_SIZE	11	/* YYYY-MM-DD */
#define SSO_PHONE_SIZE	16	/* +970599123456 */
#define SSO_EMAIL_SIZE	255
#define SSO_PW_MAX	256	/* bytes of a password */
#define SSO_LOGIN_SIZE	64	/* national ID or staff user name */
#define SSO_CODE_LEN	6	/* SMS code digits */

/* Roles (DESIGN.md 5.1); the text is what the database and tokens hold. */
#define SSO_ROLE_CITIZEN	"citizen"
#define SSO_ROLE_INTERIOR	"interior-officer"
#define SSO_ROLE_POST		"post-officer"
#define SSO_ROLE_FINANCE	"finance-staff"
#define SSO_ROLE_CASE		"case-officer"
#define SSO_ROLE_ADMIN		"admin"

/* Audit event types (Keycloak's names, with _ERROR twins). */
#define SSO_EV_REGISTER		"REGISTER"
#define SSO_EV_REGISTER_ERROR	"REGISTER_ERROR"
#define SSO_EV_LOGIN		"LOGIN"
#define SSO_EV_LOGIN_ERROR	"LOGIN_ERROR"
#define SSO_EV_SEND_CODE	"SEND_VERIFY_CODE"
#define SSO_EV_LOCKOUT		"USER_DISABLED_BY_TEMPORARY_LOCKOUT"
#define SSO_EV_LOGOUT		"LOGOUT"
#define SSO_EV_ACTIVATE		"ACTIVATE_ACCOUNT"
#define SSO_EV_ACTIVATE_ERROR	"ACTIVATE_ACCOUNT_ERROR"
#define SSO_EV_ADMIN_CREATE	"ADMIN_CREATE_USER"
#define SSO_EV_CODE_TO_TOKEN	"CODE_TO_TOKEN"
#define SSO_EV_CODE_TO_TOKEN_ERROR "CODE_TO_TOKEN_ERROR"

#define SSO_PREV_KEYS_MAX	4

/* Lockout steps. */
#define SSO_STEP_PASSWORD	"password"
#define SSO_STEP_CODE		"code"

struct jose_key;
struct sso_pwlist;
struct sms_gw;

/* The daemon. Members are read by every sso_*.c file. */
struct sso {
	const struct conf	*s_conf;
	struct event_base	*s_base;
	struct db		*s_db;
	struct http_server	*s_http;
	struct sess_store	*s_sessions;
	struct tmpl_set		*s_tmpl;
	struct i18n		*s_i18n;
	struct ratelimit	*s_rl_post;
	struct xrc		*s_xrc;
	struct sms_gw		*s_sms;
	struct sso_pwlist	*s_pwlist;
	struct event		*s_purge_ev;
	char			*s_css;
	size_t			 s_css_len;
	web_clock_fn		 s_clock;	/* NULL: the real clock */
	void			*s_clock_arg;
	int			 s_secure;	/* public URL is https */
	int			 s_demo;
	/* Policy, from the configuration. */
	int			 s_max_failures;
	int64_t			 s_lockout;	/* seconds */
	int64_t			 s_code_validity;	/* seconds */
	size_t			 s_pw_min;
	uint32_t		 s_argon_t;
	uint32_t		 s_argon_m;	/* KiB */
	uint32_t		 s_argon_p;
	int			 s_min_age;
	char			 s_cr_service[512];
	char			 s_public_url[512];
	/* OpenID Connect. */
	struct jose_key		*s_rs256;
	struct jose_key		*s_es256;
	struct jose_key		*s_prev[SSO_PREV_KEYS_MAX];
	size_t			 s_nprev;
	int64_t			 s_code_lifetime;
	int64_t			 s_id_token_lifetime;
	int64_t			 s_access_token_lifetime;
};

/* One request with its language, session and logged-in account. */
struct sso_account;

struct sso_req {
	struct sso		*r_sso;
	struct evhttp_request	*r_req;
	const char		*r_lang;
	struct sess		*r_sess;	/* NULL if none */
	struct sso_account	*r_user;	/* NULL if not logged in */
	char			 r_ip[64];
};

/* An account as read from the database. */
struct sso_account {
	int64_t		 a_id;
	char		 a_kind[16];		/* citizen, staff */
	char		 a_national_id[SSO_NID_SIZE];	/* "" for staff */
	char		 a_username[SSO_LOGIN_SIZE];	/* "" for citizens */
	char		 a_role[32];
	char		 a_office[SSO_NAME_SIZE];
	char		 a_first_name[SSO_NAME_SIZE];
	char		 a_family_name[SSO_NAME_SIZE];
	char		 a_dob[SSO_DATE_SIZE];
	char		 a_mobile[SSO_PHONE_SIZE];
	char		 a_email[SSO_EMAIL_SIZE];
	char		 a_status[16];		/* pending, active, disabled */
	char		 a_acr[32];
	char		 a_route[16];		/* activation route or "" */
	int64_t		 a_created;
};

/* sso.c */
extern const struct conf_option sso_conf_table[];
extern const char *const sso_migrations[];
extern const size_t sso_nmigrations;
/*
 * Check a loaded configuration and make the daemon without side effects
 * on disk (templates, catalogues, password list, CSS are loaded). base
 * may be NULL (-n, tests). On error -1 with the reason in err.
 */
int		 sso_new(const struct conf *, struct event_base *,
		    struct sso **out, char *err, size_t errlen);
/*
 * For hukumati-ssoctl: the settings and nothing else (no templates,
 * listener or exchange client); then sso_open_db.
 */
int		 sso_new_ctl(const struct conf *, struct sso **out, char *err,
		    size_t errlen);
void		 sso_free(struct sso *);
/* Create data-dir (0700), open and migrate the database. 0 or -1. */
int		 sso_open_db(struct sso *);
/* The daemon's start: sso_open_db and the OIDC signing keys. 0 or -1. */
int		 sso_start(struct sso *);
/* Listen and route. 0 or -1. */
int		 sso_listen(struct sso *);
uint16_t	 sso_port(const struct sso *);
/* Seconds since the epoch on the daemon's clock. */
int64_t		 sso_now(const struct sso *);

/*
 * Per-request context. flags: SSO_REQ_SESSION starts a session if there
 * is none (pages with forms). NULL when the request was answered (500).
 */
#define SSO_REQ_SESSION	0x01
struct sso_req	*sso_req_begin(struct sso *, struct evhttp_request *,
		    int flags);
/* Save the session and free. Accepts NULL. */
void		 sso_req_end(struct sso_req *);
/*
 * Render template name inside the layout with data (stolen; may be NULL)
 * and send it with status. Adds lang, dir, csrf, user, demo to the data.
 */
void		 sso_page(struct sso_req *, int status, const char *name,
		    json_t *data);
/* An error page with a message key. */
void		 sso_error_page(struct sso_req *, int status, const char *key);
/* Message of key in the request's language (borrowed). */
const char	*sso_msg(const struct sso_req *, const char *key);
/*
 * POST prelude: per-IP rate limit (429), form parsing (400/413/415) and
 * the CSRF token (403). 0 and *form (caller frees), or -1 when the
 * request was answered.
 */
int		 sso_post_begin(struct sso_req *, struct http_query **form);
/*
 * Add an error for field (its id in the form) with message key to the
 * data's "errors" array and set "err_<field>" for the field's own
 * message. 0 or -1.
 */
int		 sso_add_error(struct sso_req *, json_t *data,
		    const char *field, const char *key);

/* sso_valid.c */
/* Arabic-Indic and Eastern Arabic-Indic digits to ASCII; blanks dropped. */
int		 sso_digits(const char *in, char *out, size_t outlen);
/* 1 if in (after sso_digits) is a 9-digit national ID with a good check digit. */
int		 sso_valid_nid(const char *in, char out[SSO_NID_SIZE]);
/*
 * A mobile number to E.164: +970 5[69]x xxx xxx or +972 5x xxx xxxx,
 * also written 00970..., 970..., 05..., with blanks, dashes, dots or
 * parentheses. 0 and out, or -1.
 */
int		 sso_norm_mobile(const char *in, char out[SSO_PHONE_SIZE]);
/*
 * A date of birth (YYYY-MM-DD or DD/MM/YYYY) to YYYY-MM-DD: a real date,
 * not in the future, at least min_age years before now. 0, -1 (bad or
 * future date) or -2 (too young).
 */
int		 sso_norm_dob(const char *in, int64_t now, int min_age,
		    char out[SSO_DATE_SIZE]);
/* 1 if a plausible e-mail address (ASCII, one @, dotted domain). */
int		 sso_valid_email(const char *in);
/* 1 if a name: 1..100 characters of letters, blanks, - ' . */
int		 sso_valid_name(const char *in);
/*
 * The comparison key of a name: Latin letters lower-cased, Arabic letter
 * variants unified (alef forms, taa marbuta, alef maqsura, hamza seats),
 * diacritics, tatweel, blanks, - ' . and a leading article (al-, el-,
 * ال) dropped. 0 or -1 (does not fit).
 */
int		 sso_name_key(const char *in, char *out, size_t outlen);
/* 1 if the two names have the same key. */
int		 sso_name_match(const char *a, const char *b);

/* The common-password list (one per line, compared case-insensitively). */
int		 sso_pwlist_load(const char *path, struct sso_pwlist **out,
		    char *err, size_t errlen);
int		 sso_pwlist_from_string(const char *text,
		    struct sso_pwlist **out);
void		 sso_pwlist_free(struct sso_pwlist *);
int		 sso_pwlist_has(const struct sso_pwlist *, const char *pw);

/* Password policy results (message keys). */
#define SSO_PW_OK		NULL
/*
 * NULL if pw is acceptable, else the message key of the reason: too
 * short (< min characters), too long (> SSO_PW_MAX - 1 bytes), common,
 * or containing the national ID or mobile number (may be NULL).
 */
const char	*sso_password_problem(const char *pw, size_t min,
		    const struct sso_pwlist *, const char *nid,
		    const char *mobile);

/* sso_account.c */
/* argon2id: an encoded hash of pw into out. 0 or -1. */
int		 sso_pw_hash(const struct sso *, const char *pw, char *out,
		    size_t outlen);
/* 1 if pw matches encoded, 0 if not, -1 on a damaged hash. */
int		 sso_pw_verify(const char *encoded, const char *pw);
/* A hash that never matches, verified for unknown users (same time). */
void		 sso_pw_dummy(const struct sso *, const char *pw);

/* Find accounts: 1 found (*a filled), 0 not, -1 error. */
int		 sso_account_by_id(struct sso *, int64_t id,
		    struct sso_account *a);
int		 sso_account_by_nid(struct sso *, const char *nid,
		    struct sso_account *a);
/* By national ID (9 digits) or staff user name. */
int		 sso_account_by_login(struct sso *, const char *login,
		    struct sso_account *a, char *pwhash, size_t pwhashlen);

struct sso_newacct {
	const char	*n_kind;	/* "citizen" or "staff" */
	const char	*n_national_id;
	const char	*n_username;
	const char	*n_role;
	const char	*n_agency;
	const char	*n_office;
	const char	*n_first_name;
	const char	*n_family_name;
	const char	*n_dob;
	const char	*n_mobile;
	const char	*n_email;
	const char	*n_password;	/* hashed here */
	const char	*n_status;	/* "pending" or "active" */
	const char	*n_acr;		/* NULL: "low" */
	const char	*n_route;	/* NULL, or how it was activated */
	const char	*n_register;	/* JSON of the register's names, or NULL */
};
/* Insert; *id the new id. 0, -1 error, -2 national ID or user exists. */
int		 sso_account_create(struct sso *, const struct sso_newacct *,
		    int64_t *id);
/*
 * Activate a pending account: route ("in-person", "letter"), acr, by
 * (officer id, 0 if none) and where. 0, -1 error, -2 not pending.
 */
int		 sso_account_activate(struct sso *, int64_t id,
		    const char *route, const char *acr, int64_t by,
		    const char *where);
/* 1 if the account has role (or is an admin where admin is wanted). */
int		 sso_account_is(const struct sso_account *, const char *role);

/*
 * Lockouts per (step, subject): sso_lock_check gives 1 (and *until) when
 * the step is locked now, 0 when it may be tried. sso_lock_fail counts a
 * failure: 1 if it locked the step (the s_max_failures-th), 0 if not.
 * sso_lock_reset forgets the failures. -1 on database errors.
 */
int		 sso_lock_check(struct sso *, const char *step,
		    const char *subject, int64_t *until);
int		 sso_lock_fail(struct sso *, const char *step,
		    const char *subject);
int		 sso_lock_reset(struct sso *, const char *step,
		    const char *subject);

/*
 * One-time SMS codes. sso_code_new makes a 6-digit code for account
 * (purpose "login", ...), valid s_code_validity seconds, and voids the
 * account's older codes of that purpose. sso_code_check: 1 right (the
 * code is used up), 0 wrong, 2 expired or none, -1 error.
 */
int		 sso_code_new(struct sso *, int64_t account,
		    const char *purpose, char code[SSO_CODE_LEN + 1]);
int		 sso_code_check(struct sso *, int64_t account,
		    const char *purpose, const char *code);
/* Void every open code of account and purpose. */
int		 sso_code_void(struct sso *, int64_t account,
		    const char *purpose);

/*
 * The audit log: type, the account concerned and the actor (0: none),
 * the client address (may be NULL) and details (JSON object, stolen; may
 * be NULL). Never holds a secret. 0 or -1 (logged).
 */
int		 sso_audit(struct sso *, const char *type, int64_t account,
		    int64_t actor, const char *ip, json_t *details);

/* sso_cr.c */
/* What the register says of a person, for matching. */
struct sso_person {
	int	 p_found;
	char	 p_first_ar[SSO_NAME_SIZE], p_family_ar[SSO_NAME_SIZE];
	char	 p_first_en[SSO_NAME_SIZE], p_family_en[SSO_NAME_SIZE];
	char	 p_dob[SSO_DATE_SIZE];
	char	 p_status[16];
};
/*
 * Ask the civil register for nid; done gets 0 and the person (p_found 0
 * for an unknown ID) or -1 (the register could not be asked: transport,
 * fault). Returns 0, or -1 if the call could not start (done not called).
 */
typedef void (*sso_cr_done_fn)(int rc, const struct sso_person *,
    void *arg);
int		 sso_cr_lookup(struct sso *, const char *nid,
		    const char *user_id, sso_cr_done_fn, void *arg,
		    struct xrc_call **callp);
/* Parse a getPersonResponse body wrapper (for tests too). 0 or -1. */
struct soap_msg;
int		 sso_cr_parse(const struct soap_msg *, struct sso_person *);
/*
 * 1 if what the citizen typed matches the person: alive, same date of
 * birth, first and family name equal (Arabic or English) by
 * sso_name_match.
 */
int		 sso_cr_match(const struct sso_person *, const char *first,
		    const char *family, const char *dob);

/* sso_sms.c */
int		 sms_gw_new(struct sso *, struct sms_gw **out, char *err,
		    size_t errlen);
void		 sms_gw_free(struct sms_gw *);
/* Send text to phone (E.164). 0, or -1 if it could not be handed over. */
int		 sms_send(struct sso *, const char *phone, const char *text);
void		 sso_dev_sms(struct evhttp_request *, void *arg);

/* sso_oidc.c */
/*
 * Load the signing keys (and previous-keys); with create, make the
 * default ones in data-dir if missing. 0, or -1 with the reason in err.
 */
int		 sso_oidc_keys(struct sso *, int create, char *err,
		    size_t errlen);
void		 sso_oidc_free(struct sso *);
/* Check the [client ID] sections (redirect URIs, secrets). 0 or -1. */
int		 sso_oidc_check_clients(const struct sso *, char *err,
		    size_t errlen);
void		 sso_oidc_discovery(struct evhttp_request *, void *arg);
void		 sso_oidc_jwks(struct evhttp_request *, void *arg);
void		 sso_oidc_authorize(struct evhttp_request *, void *arg);
void		 sso_oidc_token(struct evhttp_request *, void *arg);
void		 sso_oidc_userinfo(struct evhttp_request *, void *arg);

/* sso_register.c, sso_login.c, sso_officer.c: route handlers. */
void		 sso_register(struct evhttp_request *, void *arg);
void		 sso_login(struct evhttp_request *, void *arg);
void		 sso_login_code(struct evhttp_request *, void *arg);
void		 sso_account_page(struct evhttp_request *, void *arg);
void		 sso_logout(struct evhttp_request *, void *arg);
void		 sso_officer(struct evhttp_request *, void *arg);
void		 sso_officer_activate(struct evhttp_request *, void *arg);

#endif /* HK_SSO_H */
