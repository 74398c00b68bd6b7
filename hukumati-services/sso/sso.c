/*
 * sso.c: hukumati-sso's core: configuration, database, listener and
 * routes, the per-request context and the pages (see sso.h).
 */
#include "config.h"

#include <sys/stat.h>

#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <event2/event.h>
#include <event2/http.h>
#include <jansson.h>

#include "buf.h"
#include "compat.h"
#include "conf.h"
#include "db.h"
#include "form.h"
#include "http.h"
#include "i18n.h"
#include "log.h"
#include "ratelimit.h"
#include "session.h"
#include "sso.h"
#include "tmpl.h"
#include "web.h"
#include "xroad_client.h"

#define SSO_PAGE_MAX	(1024 * 1024)
#define SSO_CSS_MAX	(256 * 1024)
#define SSO_FORM_MAX	(16 * 1024)
#define SSO_PURGE_SECS	300

static const char *const sso_log_levels[] = { "warn", "info", "debug",
    NULL };
static const char *const sso_sms_gateways[] = { "demo", "http", NULL };
static const char *const sso_jws_algs[] = { "RS256", "ES256", NULL };

const struct conf_option sso_conf_table[] = {
	{ "sso", "data-dir", CONF_PATH, NULL, 0, 0, NULL, CONF_REQUIRED,
	    "folder of the SSO's SQLite database (created 0700)" },
	{ "sso", "public-url", CONF_STRING, "http://127.0.0.1:8001", 0, 0,
	    NULL, 0, "the URL citizens use (the OpenID Connect issuer); "
	    "https:// makes cookies Secure and adds HSTS" },
	{ "sso", "templates", CONF_PATH, HK_DATADIR "/sso/templates", 0, 0,
	    NULL, 0, "folder of the HTML templates" },
	{ "sso", "locale-dir", CONF_PATH, HK_DATADIR "/sso/po", 0, 0, NULL, 0,
	    "folder of the message catalogues ar.po and en.po" },
	{ "sso", "static-dir", CONF_PATH, HK_DATADIR "/sso/static", 0, 0,
	    NULL, 0, "folder of sso.css" },
	{ "sso", "common-passwords", CONF_PATH,
	    HK_DATADIR "/sso/common-passwords.txt", 0, 0, NULL, 0,
	    "list of refused passwords, one a line" },
	{ "sso", "min-age", CONF_INT, "16", 0, 120, NULL, 0,
	    "youngest age at which a citizen may register" },
	{ "http", "address", CONF_STRING, "127.0.0.1", 0, 0, NULL, 0,
	    "address to listen on" },
	{ "http", "port", CONF_INT, "8001", 0, 65535, NULL, 0,
	    "port to listen on (0: any free port, logged)" },
	{ "http", "max-body", CONF_SIZE, "64K", 1024, 1024 * 1024, NULL, 0,
	    "largest request body" },
	{ "http", "max-header", CONF_SIZE, "8K", 1024, 64 * 1024, NULL, 0,
	    "largest request line and headers" },
	{ "http", "timeout", CONF_DURATION, "30s", 1, 600, NULL, 0,
	    "idle read/write timeout of a connection" },
	{ "session", "idle", CONF_DURATION, "30m", 60, 86400, NULL, 0,
	    "a session ends after this long without a request" },
	{ "session", "absolute", CONF_DURATION, "12h", 60, 30 * 86400, NULL,
	    0, "a session ends this long after login at the latest" },
	{ "login", "max-failures", CONF_INT, "6", 1, 100, NULL, 0,
	    "wrong passwords (or codes) that lock that step" },
	{ "login", "lockout", CONF_DURATION, "2h", 1, 30 * 86400, NULL, 0,
	    "how long a step stays locked" },
	{ "login", "code-validity", CONF_DURATION, "15m", 60, 3600, NULL, 0,
	    "how long an SMS code is valid" },
	{ "password", "min-length", CONF_INT, "8", 8, 64, NULL, 0,
	    "shortest password, in characters" },
	{ "password", "argon2-time-cost", CONF_INT, "2", 1, 20, NULL, 0,
	    "argon2id passes" },
	{ "password", "argon2-memory", CONF_INT, "19456", 8, 4194304, NULL, 0,
	    "argon2id memory, KiB" },
	{ "password", "argon2-parallelism", CONF_INT, "1", 1, 16, NULL, 0,
	    "argon2id lanes" },
	{ "ratelimit", "post-per-minute", CONF_INT, "30", 1, 100000, NULL, 0,
	    "form submissions a client address may make a minute" },
	{ "ratelimit", "post-burst", CONF_INT, "20", 1, 100000, NULL, 0,
	    "form submissions a client address may make at once" },
	{ "ratelimit", "max-clients", CONF_INT, "10000", 1, 10000000, NULL, 0,
	    "client addresses tracked at most" },
	{ "xroad", "security-server", CONF_STRING, "http://127.0.0.1:8100", 0,
	    0, NULL, 0, "client proxy of the SSO's security server (ss-mtit)" },
	{ "xroad", "client", CONF_STRING, "PS/GOV/MTIT/SSO", 0, 0, NULL, 0,
	    "the SSO's X-Road subsystem" },
	{ "xroad", "civil-register-service", CONF_STRING,
	    "PS/GOV/MOI/CIVIL-REGISTER/getPerson/v1", 0, 0, NULL, 0,
	    "the civil register's getPerson service" },
	{ "xroad", "direct", CONF_BOOL, "no", 0, 0, NULL, 0,
	    "tests only: security-server is the civil register itself" },
	{ "xroad", "timeout", CONF_DURATION, "10s", 1, 300, NULL, 0,
	    "time limit of a call through the exchange" },
	{ "sms", "gateway", CONF_ENUM, "demo", 0, 0, sso_sms_gateways, 0,
	    "demo (messages kept in the database) or http" },
	{ "sms", "url", CONF_STRING, NULL, 0, 0, NULL, 0,
	    "http gateway: URL that takes {\"to\",\"text\",\"sender\"} POSTs" },
	{ "sms", "api-key", CONF_STRING, NULL, 0, 0, NULL, CONF_SECRET,
	    "http gateway: bearer token" },
	{ "sms", "sender", CONF_STRING, "Hukumati", 0, 0, NULL, 0,
	    "sender name of the messages" },
	{ "demo", "enabled", CONF_BOOL, "no", 0, 0, NULL, 0,
	    "demo conveniences: GET /dev/sms shows the SMS sink (never in "
	    "production)" },
	{ "log", "level", CONF_ENUM, "info", 0, 0, sso_log_levels, 0,
	    "logging verbosity (warn, info, debug)" },
	{ "oidc", "rsa-key", CONF_PATH, NULL, 0, 0, NULL, 0,
	    "RS256 signing key, PEM (default: data-dir/oidc-rs256.pem, "
	    "made at the first start)" },
	{ "oidc", "ec-key", CONF_PATH, NULL, 0, 0, NULL, 0,
	    "ES256 signing key, PEM (default: data-dir/oidc-es256.pem)" },
	{ "oidc", "previous-keys", CONF_STRING, NULL, 0, 0, NULL, 0,
	    "keys still published in the JWKS during a rollover, "
	    "space-separated PEM paths" },
	{ "oidc", "code-lifetime", CONF_DURATION, "60s", 10, 600, NULL, 0,
	    "lifetime of an authorization code" },
	{ "oidc", "id-token-lifetime", CONF_DURATION, "5m", 60, 3600, NULL, 0,
	    "lifetime of an ID token" },
	{ "oidc", "access-token-lifetime", CONF_DURATION, "10m", 60, 86400,
	    NULL, 0, "lifetime of an access token" },
	{ "client *", "redirect-uris", CONF_STRING, NULL, 0, 0, NULL,
	    CONF_REQUIRED, "exact redirect URIs of the client, "
	    "space-separated" },
	{ "client *", "secret", CONF_STRING, NULL, 0, 0, NULL, CONF_SECRET,
	    "client secret (confidential client); unset: a public client, "
	    "which must use PKCE" },
	{ "client *", "id-token-alg", CONF_ENUM, "RS256", 0, 0, sso_jws_algs,
	    0, "ID token signature algorithm (RS256 or ES256)" },
	{ "client *", "name", CONF_STRING, NULL, 0, 0, NULL, 0,
	    "display name of the client" },
	CONF_OPTION_END
};

const char *const sso_migrations[] = {
	SESS_MIGRATION
	"CREATE TABLE account ("
	"  id INTEGER PRIMARY KEY,"
	"  kind TEXT NOT NULL CHECK (kind IN ('citizen', 'staff')),"
	"  national_id TEXT UNIQUE CHECK (national_id IS NULL OR"
	"    (length(national_id) = 9 AND national_id NOT GLOB '*[^0-9]*')),"
	"  username TEXT UNIQUE,"
	"  role TEXT NOT NULL CHECK (role IN ('citizen', 'interior-officer',"
	"    'post-officer', 'finance-staff', 'case-officer', 'admin')),"
	"  agency TEXT,"
	"  office TEXT,"
	"  first_name TEXT NOT NULL,"
	"  family_name TEXT NOT NULL,"
	"  date_of_birth TEXT,"
	"  mobile TEXT NOT NULL,"
	"  email TEXT,"
	"  password_hash TEXT NOT NULL,"
	"  status TEXT NOT NULL CHECK (status IN ('pending', 'active',"
	"    'disabled')),"
	"  acr TEXT NOT NULL DEFAULT 'low',"
	"  activation_route TEXT CHECK (activation_route IS NULL OR"
	"    activation_route IN ('in-person', 'letter', 'admin')),"
	"  activated_at INTEGER,"
	"  activated_by INTEGER REFERENCES account (id),"
	"  activated_where TEXT,"
	"  register_names TEXT,"
	"  created_at INTEGER NOT NULL,"
	"  CHECK ((kind = 'citizen' AND national_id IS NOT NULL AND"
	"    role = 'citizen') OR (kind = 'staff' AND username IS NOT NULL))"
	") STRICT;"
	"CREATE INDEX account_status ON account (status);"
	"CREATE TABLE lockout ("
	"  step TEXT NOT NULL,"
	"  subject TEXT NOT NULL,"
	"  failures INTEGER NOT NULL,"
	"  locked_until INTEGER NOT NULL,"
	"  updated_at INTEGER NOT NULL,"
	"  PRIMARY KEY (step, subject)"
	") STRICT;"
	"CREATE TABLE sms_code ("
	"  id INTEGER PRIMARY KEY,"
	"  account_id INTEGER NOT NULL REFERENCES account (id),"
	"  purpose TEXT NOT NULL,"
	"  salt BLOB NOT NULL,"
	"  code_hash BLOB NOT NULL,"
	"  expires_at INTEGER NOT NULL,"
	"  used INTEGER NOT NULL DEFAULT 0,"
	"  created_at INTEGER NOT NULL"
	") STRICT;"
	"CREATE INDEX sms_code_account ON sms_code (account_id, purpose);"
	"CREATE TABLE sms_outbox ("
	"  id INTEGER PRIMARY KEY,"
	"  phone TEXT NOT NULL,"
	"  text TEXT NOT NULL,"
	"  created_at INTEGER NOT NULL"
	") STRICT;"
	"CREATE INDEX sms_outbox_phone ON sms_outbox (phone);"
	"CREATE TABLE audit ("
	"  id INTEGER PRIMARY KEY,"
	"  time INTEGER NOT NULL,"
	"  type TEXT NOT NULL,"
	"  account_id INTEGER,"
	"  actor_id INTEGER,"
	"  ip TEXT,"
	"  details TEXT NOT NULL"
	") STRICT;"
	"CREATE INDEX audit_account ON audit (account_id);",
	/* 2: OpenID Connect codes and access tokens (hashes only). */
	"CREATE TABLE oidc_code ("
	"  code_hash BLOB PRIMARY KEY NOT NULL,"
	"  client_id TEXT NOT NULL,"
	"  redirect_uri TEXT NOT NULL,"
	"  account_id INTEGER NOT NULL REFERENCES account (id),"
	"  scope TEXT NOT NULL,"
	"  nonce TEXT,"
	"  code_challenge TEXT,"
	"  auth_time INTEGER NOT NULL,"
	"  acr TEXT NOT NULL,"
	"  amr TEXT NOT NULL,"
	"  sid TEXT NOT NULL,"
	"  expires_at INTEGER NOT NULL,"
	"  created_at INTEGER NOT NULL,"
	"  used INTEGER NOT NULL DEFAULT 0"
	") STRICT;"
	"CREATE TABLE oidc_token ("
	"  token_hash BLOB PRIMARY KEY NOT NULL,"
	"  client_id TEXT NOT NULL,"
	"  account_id INTEGER NOT NULL REFERENCES account (id),"
	"  scope TEXT NOT NULL,"
	"  code_hash BLOB,"
	"  expires_at INTEGER NOT NULL,"
	"  revoked INTEGER NOT NULL DEFAULT 0"
	") STRICT;"
	"CREATE INDEX oidc_token_code ON oidc_token (code_hash);"
};
const size_t sso_nmigrations = sizeof(sso_migrations) /
    sizeof(sso_migrations[0]);

static const char *const sso_langs[] = { "ar", "en", NULL };

static void
set_err(char *err, size_t errlen, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static void
set_err(char *err, size_t errlen, const char *fmt, ...)
{
	va_list	 ap;

	if (err == NULL || errlen == 0)
		return;
	va_start(ap, fmt);
	(void)vsnprintf(err, errlen, fmt, ap);
	va_end(ap);
}

int64_t
sso_now(const struct sso *s)
{
	return web_now_ms(s->s_clock, s->s_clock_arg) / 1000;
}

static int
read_small(const char *path, size_t max, char **out, size_t *lenp)
{
	struct stat	 st;
	char		*data;
	size_t		 len = 0;
	ssize_t		 n;
	int		 fd;

	*out = NULL;
	if ((fd = open(path, O_RDONLY | O_CLOEXEC)) == -1)
		return -1;
	if (fstat(fd, &st) == -1 || !S_ISREG(st.st_mode) ||
	    (size_t)st.st_size > max ||
	    (data = malloc((size_t)st.st_size + 1)) == NULL) {
		(void)close(fd);
		return -1;
	}
	while (len < (size_t)st.st_size) {
		n = read(fd, data + len, (size_t)st.st_size - len);
		if (n == -1 && errno == EINTR)
			continue;
		if (n <= 0) {
			free(data);
			(void)close(fd);
			return -1;
		}
		len += (size_t)n;
	}
	data[len] = '\0';
	(void)close(fd);
	*out = data;
	*lenp = len;
	return 0;
}

/* The settings every user of the database needs (daemon and ctl). */
static int
sso_policy(struct sso *s, char *err, size_t errlen)
{
	const struct conf	*conf = s->s_conf;
	const char		*url, *p;

	url = conf_get_str(conf, "sso", "public-url");
	if (strncmp(url, "http://", 7) != 0 && strncmp(url, "https://", 8) !=
	    0) {
		set_err(err, errlen, "%s:%d: public-url must be http:// or "
		    "https://", conf_name(conf), conf_line(conf, "sso",
		    "public-url"));
		return -1;
	}
	(void)strlcpy(s->s_public_url, url, sizeof(s->s_public_url));
	s->s_secure = strncmp(url, "https://", 8) == 0;
	s->s_demo = conf_get_bool(conf, "demo", "enabled");
	s->s_max_failures = (int)conf_get_int(conf, "login", "max-failures");
	s->s_lockout = conf_get_duration(conf, "login", "lockout");
	s->s_code_validity = conf_get_duration(conf, "login",
	    "code-validity");
	s->s_pw_min = (size_t)conf_get_int(conf, "password", "min-length");
	s->s_argon_t = (uint32_t)conf_get_int(conf, "password",
	    "argon2-time-cost");
	s->s_argon_m = (uint32_t)conf_get_int(conf, "password",
	    "argon2-memory");
	s->s_argon_p = (uint32_t)conf_get_int(conf, "password",
	    "argon2-parallelism");
	if (s->s_argon_m < 8 * s->s_argon_p) {
		set_err(err, errlen, "%s: argon2-memory must be at least 8 KiB "
		    "per lane", conf_name(conf));
		return -1;
	}
	s->s_min_age = (int)conf_get_int(conf, "sso", "min-age");
	if (conf_get_duration(conf, "session", "absolute") <
	    conf_get_duration(conf, "session", "idle")) {
		set_err(err, errlen, "%s: [session] absolute must not be "
		    "shorter than idle", conf_name(conf));
		return -1;
	}
	s->s_code_lifetime = conf_get_duration(conf, "oidc", "code-lifetime");
	s->s_id_token_lifetime = conf_get_duration(conf, "oidc",
	    "id-token-lifetime");
	s->s_access_token_lifetime = conf_get_duration(conf, "oidc",
	    "access-token-lifetime");
	p = conf_get_str(conf, "xroad", "civil-register-service");
	if (strlcpy(s->s_cr_service, p, sizeof(s->s_cr_service)) >=
	    sizeof(s->s_cr_service))
		return -1;

	return 0;
}

/* Templates every page needs; checked at start-up. */
static const char *const sso_templates[] = {
	"layout", "error", "home", "register", "register_done", "login",
	"code", "account", "officer", NULL
};

int
sso_new(const struct conf *conf, struct event_base *base, struct sso **out,
    char *err, size_t errlen)
{
	struct sso	*s;
	struct xrc_conf	 xc;
	char		 path[1024], xerr[256];
	size_t		 i;

	*out = NULL;
	if ((s = calloc(1, sizeof(*s))) == NULL) {
		set_err(err, errlen, "out of memory");
		return -1;
	}
	s->s_conf = conf;
	s->s_base = base;
	if (sso_policy(s, err, errlen) == -1)
		goto fail;

	if ((s->s_tmpl = tmpl_set_new()) == NULL ||
	    tmpl_load_dir(s->s_tmpl, conf_get_str(conf, "sso", "templates"),
	    err, errlen) == -1)
		goto fail;
	for (i = 0; sso_templates[i] != NULL; i++) {
		if (!tmpl_has(s->s_tmpl, sso_templates[i])) {
			set_err(err, errlen, "%s: no template %s.html",
			    conf_get_str(conf, "sso", "templates"),
			    sso_templates[i]);
			goto fail;
		}
	}
	if ((s->s_i18n = i18n_new()) == NULL ||
	    i18n_load_dir(s->s_i18n, conf_get_str(conf, "sso", "locale-dir"),
	    sso_langs, err, errlen) == -1)
		goto fail;
	if (sso_pwlist_load(conf_get_str(conf, "sso", "common-passwords"),
	    &s->s_pwlist, err, errlen) == -1)
		goto fail;
	(void)snprintf(path, sizeof(path), "%s/sso.css",
	    conf_get_str(conf, "sso", "static-dir"));
	if (read_small(path, SSO_CSS_MAX, &s->s_css, &s->s_css_len) == -1) {
		set_err(err, errlen, "%s: cannot read (at most %d bytes)",
		    path, SSO_CSS_MAX);
		goto fail;
	}
	if ((s->s_rl_post = ratelimit_new(
	    (double)conf_get_int(conf, "ratelimit", "post-per-minute") / 60.0,
	    (double)conf_get_int(conf, "ratelimit", "post-burst"),
	    (size_t)conf_get_int(conf, "ratelimit", "max-clients"), NULL,
	    NULL)) == NULL) {
		set_err(err, errlen, "out of memory");
		goto fail;
	}
	memset(&xc, 0, sizeof(xc));
	xc.xc_url = conf_get_str(conf, "xroad", "security-server");
	xc.xc_client = conf_get_str(conf, "xroad", "client");
	xc.xc_direct = conf_get_bool(conf, "xroad", "direct");
	xc.xc_timeout_ms = (long)conf_get_duration(conf, "xroad",
	    "timeout") * 1000;
	xc.xc_max_body = 1024 * 1024;
	if ((s->s_xrc = xrc_new(base, &xc, xerr, sizeof(xerr))) == NULL) {
		set_err(err, errlen, "%s: [xroad] %s", conf_name(conf), xerr);
		goto fail;
	}
	if (sms_gw_new(s, &s->s_sms, err, errlen) == -1 ||
	    sso_oidc_check_clients(s, err, errlen) == -1 ||
	    sso_oidc_keys(s, 0, err, errlen) == -1)
		goto fail;
	*out = s;
	return 0;
 fail:
	if (err != NULL && errlen > 0 && err[0] == '\0')
		set_err(err, errlen, "cannot set up the SSO");
	sso_free(s);
	return -1;
}

int
sso_new_ctl(const struct conf *conf, struct sso **out, char *err,
    size_t errlen)
{
	struct sso	*s;

	*out = NULL;
	if ((s = calloc(1, sizeof(*s))) == NULL) {
		set_err(err, errlen, "out of memory");
		return -1;
	}
	s->s_conf = conf;
	if (sso_policy(s, err, errlen) == -1) {
		sso_free(s);
		return -1;
	}
	*out = s;
	return 0;
}

void
sso_free(struct sso *s)
{
	if (s == NULL)
		return;
	if (s->s_purge_ev != NULL)
		event_free(s->s_purge_ev);
	sso_oidc_free(s);
	http_server_free(s->s_http);
	xrc_free(s->s_xrc);
	sms_gw_free(s->s_sms);
	sess_store_free(s->s_sessions);
	ratelimit_free(s->s_rl_post);
	tmpl_set_free(s->s_tmpl);
	i18n_free(s->s_i18n);
	sso_pwlist_free(s->s_pwlist);
	db_close(s->s_db);
	free(s->s_css);
	free(s);
}

int
sso_open_db(struct sso *s)
{
	struct sess_conf	 sc;
	const char		*dir = conf_get_str(s->s_conf, "sso",
				    "data-dir");
	char			 path[1024];

	if (mkdir(dir, 0700) == -1 && errno != EEXIST) {
		log_warn("%s", dir);
		return -1;
	}
	(void)snprintf(path, sizeof(path), "%s/sso.db", dir);
	if (db_open(path, 0, &s->s_db) == -1)
		return -1;
	if (db_migrate(s->s_db, sso_migrations, sso_nmigrations) == -1) {
		log_warnx("%s: %s", path, db_last_error(s->s_db));
		return -1;
	}
	memset(&sc, 0, sizeof(sc));
	sc.sc_cookie = s->s_secure ? "__Host-sso" : "sso_session";
	sc.sc_idle = conf_get_duration(s->s_conf, "session", "idle");
	sc.sc_absolute = conf_get_duration(s->s_conf, "session", "absolute");
	sc.sc_secure = s->s_secure;
	sc.sc_samesite = WEB_SAMESITE_LAX;
	sc.sc_clock = s->s_clock;
	sc.sc_clock_arg = s->s_clock_arg;
	if ((s->s_sessions = sess_store_new(s->s_db, &sc)) == NULL)
		return -1;
	return 0;
}

int
sso_start(struct sso *s)
{
	char	 err[1024];

	if (sso_open_db(s) == -1)
		return -1;
	if (sso_oidc_keys(s, 1, err, sizeof(err)) == -1) {
		log_warnx("%s", err);
		return -1;
	}
	return 0;
}

/*
 * Requests.
 */

struct sso_req *
sso_req_begin(struct sso *s, struct evhttp_request *req, int flags)
{
	struct sso_req	*r;
	const char	*uid;
	int64_t		 id;
	const char	*errstr;
	int		 rc;

	if ((r = calloc(1, sizeof(*r))) == NULL)
		goto fail;
	r->r_sso = s;
	r->r_req = req;
	r->r_lang = i18n_pick(s->s_i18n, req, s->s_secure);
	if (web_client_ip(req, r->r_ip, sizeof(r->r_ip)) == -1)
		(void)strlcpy(r->r_ip, "unknown", sizeof(r->r_ip));
	rc = (flags & SSO_REQ_SESSION) ?
	    sess_start(s->s_sessions, req, &r->r_sess) :
	    sess_load(s->s_sessions, req, &r->r_sess);
	if (rc == -1)
		goto fail;
	if (r->r_sess != NULL && (uid = sess_get(r->r_sess, "uid")) != NULL) {
		id = strtonum(uid, 1, INT64_MAX, &errstr);
		if (errstr == NULL) {
			if ((r->r_user = calloc(1, sizeof(*r->r_user))) ==
			    NULL)
				goto fail;
			if ((rc = sso_account_by_id(s, id, r->r_user)) == -1)
				goto fail;
			/* A deleted or disabled account logs out. */
			if (rc == 0 || strcmp(r->r_user->a_status, "active") !=
			    0) {
				free(r->r_user);
				r->r_user = NULL;
				(void)sess_del(r->r_sess, "uid");
			}
		}
	}
	return r;
 fail:
	sso_req_end(r);
	web_reply_text(req, 500, "Internal error.\n");
	return NULL;
}

void
sso_req_end(struct sso_req *r)
{
	if (r == NULL)
		return;
	if (r->r_sess != NULL) {
		(void)sess_save(r->r_sso->s_sessions, r->r_sess);
		sess_free(r->r_sess);
	}
	free(r->r_user);
	free(r);
}

const char *
sso_msg(const struct sso_req *r, const char *key)
{
	return i18n_get(r->r_sso->s_i18n, r->r_lang, key);
}

static json_t *
user_json(const struct sso_account *a)
{
	return json_pack("{s:s, s:s, s:s, s:s, s:b, s:b}",
	    "first_name", a->a_first_name, "family_name", a->a_family_name,
	    "role", a->a_role, "login", a->a_national_id[0] != '\0' ?
	    a->a_national_id : a->a_username,
	    "officer", sso_account_is(a, SSO_ROLE_INTERIOR) ||
	    sso_account_is(a, SSO_ROLE_POST),
	    "staff", strcmp(a->a_kind, "staff") == 0);
}

void
sso_page(struct sso_req *r, int status, const char *name, json_t *data)
{
	struct sso		*s = r->r_sso;
	struct buf		*body = NULL, *page = NULL;
	struct tmpl_frag	 frags[2];
	const char		*other = strcmp(r->r_lang, "ar") == 0 ? "en" :
				    "ar";
	char			 title[64];

	if (data == NULL)
		data = json_object();
	if (data == NULL || (body = buf_new(SSO_PAGE_MAX)) == NULL ||
	    (page = buf_new(SSO_PAGE_MAX)) == NULL)
		goto fail;
	if (json_object_set_new(data, "lang", json_string(r->r_lang)) == -1 ||
	    json_object_set_new(data, "dir", json_string(i18n_dir(
	    r->r_lang))) == -1 ||
	    json_object_set_new(data, "other_lang", json_string(other)) ==
	    -1 ||
	    json_object_set_new(data, "demo", json_boolean(s->s_demo)) == -1)
		goto fail;
	if (r->r_sess != NULL && json_object_set_new(data, "csrf",
	    json_string(sess_csrf(r->r_sess))) == -1)
		goto fail;
	if (r->r_user != NULL && json_object_set_new(data, "user",
	    user_json(r->r_user)) == -1)
		goto fail;
	/* The page's own title key is "<name>.title". */
	(void)snprintf(title, sizeof(title), "%s.title", name);
	if (json_object_get(data, "title") == NULL &&
	    json_object_set_new(data, "title", json_string(sso_msg(r,
	    title))) == -1)
		goto fail;
	if (tmpl_render(s->s_tmpl, name, data, NULL, s->s_i18n, r->r_lang,
	    body) == -1)
		goto fail;
	frags[0].tf_name = "content";
	frags[0].tf_html = buf_str(body);
	frags[1].tf_name = NULL;
	frags[1].tf_html = NULL;
	if (tmpl_render(s->s_tmpl, "layout", data, frags, s->s_i18n,
	    r->r_lang, page) == -1)
		goto fail;
	web_reply_html(r->r_req, status, WEB_HDR_NOSTORE |
	    (s->s_secure ? WEB_HDR_HSTS : 0), buf_str(page), buf_len(page));
	json_decref(data);
	buf_free(body);
	buf_free(page);
	return;
 fail:
	log_warnx("cannot render page %s", name);
	json_decref(data);
	buf_free(body);
	buf_free(page);
	web_reply_text(r->r_req, 500, "Internal error.\n");
}

void
sso_error_page(struct sso_req *r, int status, const char *key)
{
	sso_page(r, status, "error", json_pack("{s:s}", "message",
	    sso_msg(r, key)));
}

int
sso_add_error(struct sso_req *r, json_t *data, const char *field,
    const char *key)
{
	json_t	*errors;
	char	 name[64];

	if ((errors = json_object_get(data, "errors")) == NULL) {
		if (json_object_set_new(data, "errors", json_array()) == -1)
			return -1;
		errors = json_object_get(data, "errors");
	}
	/* One message per field: the first problem found. */
	(void)snprintf(name, sizeof(name), "err_%s", field);
	if (json_object_get(data, name) != NULL)
		return 0;
	if (json_array_append_new(errors, json_pack("{s:s, s:s}", "field",
	    field, "msg", sso_msg(r, key))) == -1 ||
	    json_object_set_new(data, name, json_string(sso_msg(r, key))) ==
	    -1)
		return -1;
	return 0;
}

int
sso_post_begin(struct sso_req *r, struct http_query **form)
{
	struct sso	*s = r->r_sso;
	unsigned int	 retry = 0;
	int		 rc;

	*form = NULL;
	if (ratelimit_take(s->s_rl_post, r->r_ip, &retry) == 1) {
		log_info("rate limit: %s must wait %u s", r->r_ip, retry);
		web_reply_429(r->r_req, retry, sso_msg(r, "err.rate_limited"));
		return -1;
	}
	if ((rc = form_parse(r->r_req, SSO_FORM_MAX, form)) != FORM_OK) {
		if (rc == FORM_BAD_TYPE)
			web_reply_text(r->r_req, 415,
			    "Unsupported form encoding.\n");
		else if (rc == FORM_TOO_BIG)
			web_reply_text(r->r_req, 413, "Form too large.\n");
		else
			web_reply_text(r->r_req, 400, "Malformed form.\n");
		return -1;
	}
	if (r->r_sess == NULL || !sess_csrf_ok(r->r_sess,
	    http_query_get(*form, "csrf_token"))) {
		log_info("CSRF token missing or wrong from %s", r->r_ip);
		http_query_free(*form);
		*form = NULL;
		sso_error_page(r, 403, "err.csrf");
		return -1;
	}
	return 0;
}

/*
 * Routes.
 */

static void
sso_home(struct evhttp_request *req, void *arg)
{
	struct sso_req	*r;

	if ((r = sso_req_begin(arg, req, 0)) == NULL)
		return;
	if (r->r_user != NULL) {
		sso_req_end(r);
		web_redirect(req, "/account");
		return;
	}
	sso_page(r, 200, "home", NULL);
	sso_req_end(r);
}

static void
sso_css(struct evhttp_request *req, void *arg)
{
	struct sso	*s = arg;

	web_security_headers(req, 0);
	evhttp_add_header(evhttp_request_get_output_headers(req),
	    "Cache-Control", "public, max-age=3600");
	http_reply(req, 200, "text/css; charset=utf-8", s->s_css,
	    s->s_css_len);
}

static void
sso_health(struct evhttp_request *req, void *arg)
{
	json_t	*j;

	(void)arg;
	j = json_pack("{s:s, s:s}", "status", "ok", "service",
	    "hukumati-sso");
	http_reply_json(req, 200, j);
	json_decref(j);
}

static void
sso_http_error(struct evhttp_request *req, int status, const char *type,
    const char *message, void *arg)
{
	(void)type;
	(void)message;
	(void)arg;
	web_reply_text(req, status, status == 404 ? "Not found.\n" :
	    status == 405 ? "Method not allowed.\n" : "Bad request.\n");
}

static void
sso_purge(evutil_socket_t fd, short ev, void *arg)
{
	struct sso	*s = arg;
	int		 n;

	(void)fd;
	(void)ev;
	if ((n = sess_purge(s->s_sessions)) > 0)
		log_debug("purged %d expired sessions", n);
	if (db_execf(s->s_db, "DELETE FROM sms_code WHERE expires_at <= ?"
	    " OR used = 1 AND created_at <= ?", "II", sso_now(s) - 86400,
	    sso_now(s) - 86400) == -1)
		log_warnx("purge: %s", db_last_error(s->s_db));
}

int
sso_listen(struct sso *s)
{
	struct http_server_conf	 hc;
	struct timeval		 tv = { SSO_PURGE_SECS, 0 };
	static const struct {
		int		 methods;
		const char	*path;
		http_handler_fn	 fn;
	} routes[] = {
		{ EVHTTP_REQ_GET, "/", sso_home },
		{ EVHTTP_REQ_GET | EVHTTP_REQ_POST, "/register", sso_register },
		{ EVHTTP_REQ_GET | EVHTTP_REQ_POST, "/login", sso_login },
		{ EVHTTP_REQ_GET | EVHTTP_REQ_POST, "/login/code",
		    sso_login_code },
		{ EVHTTP_REQ_GET, "/account", sso_account_page },
		{ EVHTTP_REQ_POST, "/logout", sso_logout },
		{ EVHTTP_REQ_GET, "/officer", sso_officer },
		{ EVHTTP_REQ_POST, "/officer/activate", sso_officer_activate },
		{ EVHTTP_REQ_GET, "/static/sso.css", sso_css },
		{ EVHTTP_REQ_GET, "/health", sso_health },
		{ EVHTTP_REQ_GET, "/.well-known/openid-configuration",
		    sso_oidc_discovery },
		{ EVHTTP_REQ_GET, "/jwks", sso_oidc_jwks },
		{ EVHTTP_REQ_GET, "/authorize", sso_oidc_authorize },
		{ EVHTTP_REQ_POST, "/token", sso_oidc_token },
		{ EVHTTP_REQ_GET | EVHTTP_REQ_POST, "/userinfo",
		    sso_oidc_userinfo },
	};
	size_t			 i;

	memset(&hc, 0, sizeof(hc));
	hc.hs_addr = conf_get_str(s->s_conf, "http", "address");
	hc.hs_port = (uint16_t)conf_get_int(s->s_conf, "http", "port");
	hc.hs_max_header = conf_get_size(s->s_conf, "http", "max-header");
	hc.hs_max_body = conf_get_size(s->s_conf, "http", "max-body");
	hc.hs_timeout_ms = (int)conf_get_duration(s->s_conf, "http",
	    "timeout") * 1000;
	hc.hs_error = sso_http_error;
	if ((s->s_http = http_server_new(s->s_base, &hc)) == NULL)
		return -1;
	for (i = 0; i < sizeof(routes) / sizeof(routes[0]); i++)
		if (http_route(s->s_http, routes[i].methods, routes[i].path,
		    HTTP_ROUTE_EXACT, routes[i].fn, s) == -1)
			return -1;
	if (s->s_demo && http_route(s->s_http, EVHTTP_REQ_GET, "/dev/sms",
	    HTTP_ROUTE_EXACT, sso_dev_sms, s) == -1)
		return -1;
	if ((s->s_purge_ev = event_new(s->s_base, -1, EV_PERSIST, sso_purge,
	    s)) == NULL || event_add(s->s_purge_ev, &tv) == -1)
		return -1;
	log_info("listening on %s:%u (public URL %s)%s", hc.hs_addr,
	    (unsigned int)http_server_port(s->s_http), s->s_public_url,
	    s->s_demo ? "; demo mode: /dev/sms is open" : "");
	return 0;
}

uint16_t
sso_port(const struct sso *s)
{
	return s->s_http != NULL ? http_server_port(s->s_http) : 0;
}
