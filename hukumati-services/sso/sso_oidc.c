/*
 * sso_oidc.c: the OpenID Connect provider (see sso.h): discovery, JWKS,
 * the authorization endpoint (code flow, PKCE S256, state, nonce,
 * acr_values, RFC 9207 iss in the answer), the token endpoint
 * (authorization_code; client_secret_basic, client_secret_post, or
 * none for public clients, which must use PKCE) and userinfo.
 *
 * Clients are [client ID] sections of the configuration; redirect URIs
 * are matched exactly. An unknown client or a redirect URI that is not
 * registered is shown an error page, never redirected to. Codes live
 * code-lifetime seconds and are single use: a second use revokes what
 * the first one gave. Codes and access tokens are stored as SHA-256
 * hashes.
 *
 * Signing keys: one RSA (RS256) and one P-256 (ES256) key, generated in
 * the data folder at first start unless configured; each client chooses
 * its ID token algorithm. Keys named in previous-keys are only
 * published in the JWKS (rollover: tokens signed before still verify).
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <event2/buffer.h>
#include <event2/http.h>
#include <event2/keyvalq_struct.h>
#include <jansson.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>

#include "b64.h"
#include "buf.h"
#include "compat.h"
#include "conf.h"
#include "db.h"
#include "form.h"
#include "http.h"
#include "jose.h"
#include "log.h"
#include "ratelimit.h"
#include "session.h"
#include "sso.h"
#include "web.h"

#define OIDC_HASH_LEN	32
#define OIDC_AUTHZ_MAX	4096	/* the saved authorization query */
#define OIDC_FORM_MAX	(16 * 1024)

static const char *const acr_levels[] = { "low", "substantial", "high",
    NULL };

static int
acr_rank(const char *acr)
{
	int	 i;

	for (i = 0; acr != NULL && acr_levels[i] != NULL; i++)
		if (strcmp(acr, acr_levels[i]) == 0)
			return i;
	return -1;
}

static int
sha256(const char *s, unsigned char out[OIDC_HASH_LEN])
{
	unsigned int	 n = 0;

	return EVP_Digest(s, strlen(s), out, &n, EVP_sha256(), NULL) == 1 &&
	    n == OIDC_HASH_LEN ? 0 : -1;
}

/*
 * Keys.
 */

static int
key_file(struct sso *s, const char *key, const char *file, const char *alg,
    int create, struct jose_key **out, char *err, size_t errlen)
{
	const char	*path = conf_get_str(s->s_conf, "oidc", key);
	char		 def[1024];

	*out = NULL;
	if (path == NULL) {
		(void)snprintf(def, sizeof(def), "%s/%s",
		    conf_get_str(s->s_conf, "sso", "data-dir"), file);
		path = def;
		if (access(path, F_OK) == -1) {
			if (!create)
				return 0;	/* made at the first start */
			if (jose_key_generate(alg, out) == -1 ||
			    jose_key_save(*out, path) == -1) {
				(void)snprintf(err, errlen, "%s: cannot make "
				    "the %s signing key", path, alg);
				jose_key_free(*out);
				*out = NULL;
				return -1;
			}
			log_info("oidc: new %s signing key %s (kid %s)", alg,
			    path, jose_key_kid(*out));
			return 0;
		}
	}
	if (jose_key_load(path, out, err, errlen) == -1)
		return -1;
	if (strcmp(jose_key_alg(*out), alg) != 0) {
		(void)snprintf(err, errlen, "%s: not an %s key", path, alg);
		jose_key_free(*out);
		*out = NULL;
		return -1;
	}
	return 0;
}

int
sso_oidc_keys(struct sso *s, int create, char *err, size_t errlen)
{
	const char	*prev;
	char		*list = NULL, *p, *tok;
	struct jose_key	*k;

	if ((s->s_rs256 == NULL && key_file(s, "rsa-key", "oidc-rs256.pem",
	    "RS256", create, &s->s_rs256, err, errlen) == -1) ||
	    (s->s_es256 == NULL && key_file(s, "ec-key", "oidc-es256.pem",
	    "ES256", create, &s->s_es256, err, errlen) == -1))
		return -1;
	/* Previous keys once, before the first start's key generation. */
	if (create || s->s_nprev > 0 ||
	    (prev = conf_get_str(s->s_conf, "oidc", "previous-keys")) == NULL)
		return 0;
	if ((list = strdup(prev)) == NULL)
		return -1;
	for (p = list; (tok = strsep(&p, " \t")) != NULL; ) {
		if (*tok == '\0')
			continue;
		if (s->s_nprev == SSO_PREV_KEYS_MAX) {
			(void)snprintf(err, errlen, "previous-keys: at most %d",
			    SSO_PREV_KEYS_MAX);
			free(list);
			return -1;
		}
		if (jose_key_load(tok, &k, err, errlen) == -1) {
			free(list);
			return -1;
		}
		s->s_prev[s->s_nprev++] = k;
	}
	free(list);
	return 0;
}

void
sso_oidc_free(struct sso *s)
{
	size_t	 i;

	jose_key_free(s->s_rs256);
	jose_key_free(s->s_es256);
	for (i = 0; i < s->s_nprev; i++)
		jose_key_free(s->s_prev[i]);
	s->s_rs256 = s->s_es256 = NULL;
	s->s_nprev = 0;
}

/*
 * Clients.
 */

struct oidc_client {
	char		 c_section[256];
	const char	*c_id;
	const char	*c_secret;	/* NULL: public */
	const char	*c_redirects;
	const char	*c_alg;
};

static int
client_find(const struct sso *s, const char *id, struct oidc_client *c)
{
	size_t		 i, n = conf_section_count(s->s_conf, "client *");
	const char	*inst;

	memset(c, 0, sizeof(*c));
	if (id == NULL)
		return 0;
	for (i = 0; i < n; i++) {
		inst = conf_section_instance(s->s_conf, "client *", i);
		if (strcmp(inst, id) != 0)
			continue;
		(void)strlcpy(c->c_section, conf_section_name(s->s_conf,
		    "client *", i), sizeof(c->c_section));
		c->c_id = inst;
		c->c_secret = conf_get_str(s->s_conf, c->c_section, "secret");
		c->c_redirects = conf_get_str(s->s_conf, c->c_section,
		    "redirect-uris");
		c->c_alg = conf_get_str(s->s_conf, c->c_section,
		    "id-token-alg");
		return 1;
	}
	return 0;
}

/* 1 if uri is one of the client's redirect URIs, exactly. */
static int
client_redirect_ok(const struct oidc_client *c, const char *uri)
{
	const char	*p = c->c_redirects, *e;
	size_t		 n;

	if (uri == NULL || p == NULL)
		return 0;
	n = strlen(uri);
	while (*p != '\0') {
		while (*p == ' ' || *p == '\t')
			p++;
		e = p + strcspn(p, " \t");
		if ((size_t)(e - p) == n && strncmp(p, uri, n) == 0)
			return 1;
		p = e;
	}
	return 0;
}

int
sso_oidc_check_clients(const struct sso *s, char *err, size_t errlen)
{
	struct oidc_client	 c;
	size_t			 i, n = conf_section_count(s->s_conf,
				    "client *");
	const char		*p, *e;

	for (i = 0; i < n; i++) {
		(void)client_find(s, conf_section_instance(s->s_conf,
		    "client *", i), &c);
		for (p = c.c_redirects; *p != '\0'; p = e) {
			while (*p == ' ' || *p == '\t')
				p++;
			if (*p == '\0')
				break;
			e = p + strcspn(p, " \t");
			if ((strncmp(p, "https://", 8) != 0 &&
			    strncmp(p, "http://127.0.0.1", 16) != 0 &&
			    strncmp(p, "http://localhost", 16) != 0) ||
			    memchr(p, '#', (size_t)(e - p)) != NULL) {
				(void)snprintf(err, errlen, "%s: [%s] "
				    "redirect-uris: https URLs (http only on "
				    "loopback), no fragment", conf_name(
				    s->s_conf), c.c_section);
				return -1;
			}
		}
		if (c.c_secret != NULL && strlen(c.c_secret) < 16) {
			(void)snprintf(err, errlen, "%s: [%s] secret: at "
			    "least 16 characters", conf_name(s->s_conf),
			    c.c_section);
			return -1;
		}
	}
	return 0;
}

/*
 * Discovery and JWKS.
 */

static json_t *
str_array(const char *const *v)
{
	json_t	*a = json_array();

	for (; a != NULL && *v != NULL; v++)
		(void)json_array_append_new(a, json_string(*v));
	return a;
}

static void
reply_json_nostore(struct evhttp_request *req, int status, json_t *j)
{
	struct evkeyvalq	*h = evhttp_request_get_output_headers(req);

	evhttp_add_header(h, "Cache-Control", "no-store");
	evhttp_add_header(h, "Pragma", "no-cache");
	http_reply_json(req, status, j);
	json_decref(j);
}

void
sso_oidc_discovery(struct evhttp_request *req, void *arg)
{
	struct sso		*s = arg;
	static const char *const rt[] = { "code", NULL };
	static const char *const st[] = { "public", NULL };
	static const char *const algs[] = { "RS256", "ES256", NULL };
	static const char *const scopes[] = { "openid", "profile", "phone",
	    "roles", NULL };
	static const char *const auth[] = { "client_secret_basic",
	    "client_secret_post", "none", NULL };
	static const char *const pkce[] = { "S256", NULL };
	static const char *const gt[] = { "authorization_code", NULL };
	static const char *const rm[] = { "query", NULL };
	static const char *const locales[] = { "ar", "en", NULL };
	static const char *const claims[] = { "sub", "iss", "aud", "exp",
	    "iat", "auth_time", "nonce", "acr", "amr", "sid", "name",
	    "given_name", "family_name", "given_name#ar", "family_name#ar",
	    "given_name#en", "family_name#en", "birthdate", "phone_number",
	    "phone_number_verified", "roles", NULL };
	char			 u[6][600];
	const char		*base = s->s_public_url;
	json_t			*j;

	(void)snprintf(u[0], sizeof(u[0]), "%s/authorize", base);
	(void)snprintf(u[1], sizeof(u[1]), "%s/token", base);
	(void)snprintf(u[2], sizeof(u[2]), "%s/userinfo", base);
	(void)snprintf(u[3], sizeof(u[3]), "%s/jwks", base);
	j = json_pack("{s:s, s:s, s:s, s:s, s:s, s:o, s:o, s:o, s:o, s:o,"
	    " s:o, s:o, s:o, s:o, s:o, s:o, s:o, s:b, s:b, s:b}",
	    "issuer", base,
	    "authorization_endpoint", u[0],
	    "token_endpoint", u[1],
	    "userinfo_endpoint", u[2],
	    "jwks_uri", u[3],
	    "response_types_supported", str_array(rt),
	    "response_modes_supported", str_array(rm),
	    "subject_types_supported", str_array(st),
	    "id_token_signing_alg_values_supported", str_array(algs),
	    "scopes_supported", str_array(scopes),
	    "token_endpoint_auth_methods_supported", str_array(auth),
	    "code_challenge_methods_supported", str_array(pkce),
	    "grant_types_supported", str_array(gt),
	    "claims_supported", str_array(claims),
	    "acr_values_supported", str_array(acr_levels),
	    "ui_locales_supported", str_array(locales),
	    "claims_locales_supported", str_array(locales),
	    "authorization_response_iss_parameter_supported", 1,
	    "claims_parameter_supported", 0,
	    "request_parameter_supported", 0);
	if (j == NULL) {
		http_reply_error_json(req, 500, "server_error",
		    "internal error");
		return;
	}
	evhttp_add_header(evhttp_request_get_output_headers(req),
	    "Cache-Control", "public, max-age=300");
	http_reply_json(req, 200, j);
	json_decref(j);
}

void
sso_oidc_jwks(struct evhttp_request *req, void *arg)
{
	struct sso	*s = arg;
	json_t		*keys = json_array(), *j;
	size_t		 i;

	if (keys == NULL)
		goto fail;
	if (s->s_rs256 != NULL &&
	    json_array_append_new(keys, jose_key_jwk(s->s_rs256)) == -1)
		goto fail;
	if (s->s_es256 != NULL &&
	    json_array_append_new(keys, jose_key_jwk(s->s_es256)) == -1)
		goto fail;
	for (i = 0; i < s->s_nprev; i++)
		if (json_array_append_new(keys, jose_key_jwk(s->s_prev[i])) ==
		    -1)
			goto fail;
	if ((j = json_pack("{s:o}", "keys", keys)) == NULL)
		goto fail;
	evhttp_add_header(evhttp_request_get_output_headers(req),
	    "Cache-Control", "public, max-age=300");
	http_reply_json(req, 200, j);
	json_decref(j);
	return;
 fail:
	json_decref(keys);
	http_reply_error_json(req, 500, "server_error", "internal error");
}

/*
 * The authorization endpoint.
 */

/* Append name=value (URL-encoded) to a URL being built. */
static int
url_param(struct buf *b, const char *name, const char *value)
{
	char	*enc;
	int	 r;

	if (value == NULL)
		return 0;
	if ((enc = evhttp_encode_uri(value)) == NULL)
		return -1;
	r = buf_printf(b, "%c%s=%s", strchr(buf_str(b), '?') != NULL ?
	    '&' : '?', name, enc);
	free(enc);
	return r == 0 ? 0 : -1;
}

/* Redirect to the client with either a code or an error (and state, iss). */
static void
authz_redirect(struct sso_req *r, const char *uri, const char *code,
    const char *error, const char *desc, const char *state)
{
	struct buf	*b;

	if ((b = buf_new(16 * 1024)) == NULL || buf_append_str(b, uri) != 0 ||
	    url_param(b, "code", code) == -1 ||
	    url_param(b, "error", error) == -1 ||
	    url_param(b, "error_description", desc) == -1 ||
	    url_param(b, "state", state) == -1 ||
	    url_param(b, "iss", r->r_sso->s_public_url) == -1) {
		buf_free(b);
		sso_error_page(r, 500, "err.internal");
		return;
	}
	web_redirect(r->r_req, buf_str(b));
	buf_free(b);
}

/* A query parameter that may appear once; NULL if absent or repeated. */
static const char *
qparam(const struct http_query *q, const char *name, int *dup)
{
	if (http_query_count(q, name) > 1)
		*dup = 1;
	return http_query_get(q, name);
}

static int
has_word(const char *list, const char *word)
{
	const char	*p = list, *e;
	size_t		 n = strlen(word);

	while (p != NULL && *p != '\0') {
		while (*p == ' ')
			p++;
		e = p + strcspn(p, " ");
		if ((size_t)(e - p) == n && strncmp(p, word, n) == 0)
			return 1;
		p = e;
	}
	return 0;
}

/* The highest level named in acr_values (the minimum asked for), or -1. */
static int
acr_wanted(const char *values)
{
	int	 i, best = -1;

	for (i = 0; acr_levels[i] != NULL; i++)
		if (has_word(values, acr_levels[i]) && i > best)
			best = i;
	return best;
}

static int
b64url_token(const char *s, size_t n)
{
	size_t	 i;

	if (strlen(s) != n)
		return 0;
	for (i = 0; i < n; i++)
		if (!((s[i] >= 'A' && s[i] <= 'Z') || (s[i] >= 'a' &&
		    s[i] <= 'z') || (s[i] >= '0' && s[i] <= '9') ||
		    s[i] == '-' || s[i] == '_'))
			return 0;
	return 1;
}

void
sso_oidc_authorize(struct evhttp_request *req, void *arg)
{
	struct sso		*s = arg;
	struct sso_req		*r;
	struct http_query	*q = NULL;
	struct oidc_client	 c;
	const struct evhttp_uri	*uri;
	const char		*client_id, *redirect, *rtype, *scope, *state;
	const char		*nonce, *chal, *method, *prompt, *acrv, *query;
	const char		*amr, *acr, *sid;
	unsigned char		 h[OIDC_HASH_LEN];
	char			 code[65];
	int			 dup = 0, want;
	int64_t			 now, auth_time;

	if ((r = sso_req_begin(s, req, SSO_REQ_SESSION)) == NULL)
		return;
	uri = evhttp_request_get_evhttp_uri(req);
	query = uri != NULL ? evhttp_uri_get_query(uri) : NULL;
	if (http_req_query(req, &q) == -1) {
		sso_error_page(r, 400, "err.oidc_request");
		goto done;
	}
	client_id = qparam(q, "client_id", &dup);
	redirect = qparam(q, "redirect_uri", &dup);
	if (!client_find(s, client_id, &c) ||
	    !client_redirect_ok(&c, redirect)) {
		/* Never redirect to a URI we cannot vouch for. */
		log_info("authorize: unknown client or redirect URI");
		sso_error_page(r, 400, "err.oidc_client");
		goto done;
	}
	rtype = qparam(q, "response_type", &dup);
	scope = qparam(q, "scope", &dup);
	state = qparam(q, "state", &dup);
	nonce = qparam(q, "nonce", &dup);
	chal = qparam(q, "code_challenge", &dup);
	method = qparam(q, "code_challenge_method", &dup);
	prompt = qparam(q, "prompt", &dup);
	acrv = qparam(q, "acr_values", &dup);
	if (dup || (query != NULL && strlen(query) > OIDC_AUTHZ_MAX)) {
		authz_redirect(r, redirect, NULL, "invalid_request",
		    "repeated or oversized parameters", state);
		goto done;
	}
	if (rtype == NULL || strcmp(rtype, "code") != 0) {
		authz_redirect(r, redirect, NULL, "unsupported_response_type",
		    "only response_type=code", state);
		goto done;
	}
	if (!has_word(scope, "openid")) {
		authz_redirect(r, redirect, NULL, "invalid_scope",
		    "scope must include openid", state);
		goto done;
	}
	if (chal != NULL && (method == NULL || strcmp(method, "S256") != 0 ||
	    !b64url_token(chal, JOSE_S256_LEN))) {
		authz_redirect(r, redirect, NULL, "invalid_request",
		    "PKCE: code_challenge_method must be S256", state);
		goto done;
	}
	if (chal == NULL && c.c_secret == NULL) {
		authz_redirect(r, redirect, NULL, "invalid_request",
		    "PKCE is required for public clients", state);
		goto done;
	}
	if (nonce != NULL && (strlen(nonce) > 512 || !web_utf8_text(nonce))) {
		authz_redirect(r, redirect, NULL, "invalid_request",
		    "bad nonce", state);
		goto done;
	}
	if (r->r_user == NULL) {
		if (prompt != NULL && has_word(prompt, "none")) {
			authz_redirect(r, redirect, NULL, "login_required",
			    NULL, state);
			goto done;
		}
		/* Log in first; /login/code comes back here. */
		if (sess_set(r->r_sess, "authz", query) == -1) {
			sso_error_page(r, 500, "err.internal");
			goto done;
		}
		web_redirect(req, "/login");
		goto done;
	}
	acr = sess_get(r->r_sess, "acr");
	if ((want = acr_wanted(acrv)) != -1 && acr_rank(acr) < want) {
		authz_redirect(r, redirect, NULL, "access_denied",
		    "the account's assurance level is below acr_values", state);
		goto done;
	}
	amr = sess_get(r->r_sess, "amr");
	sid = sess_get(r->r_sess, "sid");
	auth_time = sess_get_int(r->r_sess, "auth_time", 0);
	now = sso_now(s);
	if (web_random_hex(code, sizeof(code), 32) == -1 ||
	    sha256(code, h) == -1 ||
	    db_execf(s->s_db, "INSERT INTO oidc_code (code_hash, client_id,"
	    " redirect_uri, account_id, scope, nonce, code_challenge,"
	    " auth_time, acr, amr, sid, expires_at, created_at) VALUES (?, ?,"
	    " ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)", "bttItttItttII", h, sizeof(h),
	    c.c_id, redirect,
	    r->r_user->a_id, scope, nonce, chal, auth_time,
	    acr != NULL ? acr : "low", amr != NULL ? amr : "pwd",
	    sid != NULL ? sid : "", now + s->s_code_lifetime, now) == -1) {
		log_warnx("authorize: %s", db_last_error(s->s_db));
		sso_error_page(r, 500, "err.internal");
		goto done;
	}
	(void)sso_audit(s, SSO_EV_LOGIN, r->r_user->a_id, 0, r->r_ip,
	    json_pack("{s:s, s:s}", "client_id", c.c_id, "via", "authorize"));
	authz_redirect(r, redirect, code, NULL, NULL, state);
	OPENSSL_cleanse(code, sizeof(code));
 done:
	http_query_free(q);
	sso_req_end(r);
}

/*
 * The token endpoint.
 */

static void
token_error(struct evhttp_request *req, int status, const char *error,
    const char *desc, int basic)
{
	json_t	*j = json_pack("{s:s, s:s}", "error", error,
	    "error_description", desc);

	if (status == 401 && basic)
		evhttp_add_header(evhttp_request_get_output_headers(req),
		    "WWW-Authenticate", "Basic realm=\"hukumati-sso\"");
	reply_json_nostore(req, status, j);
}

/* The client's credentials from Basic auth; 0, -1 malformed, 1 none. */
static int
basic_auth(struct evhttp_request *req, char *id, size_t idlen, char *secret,
    size_t secretlen)
{
	const char	*h = http_req_header(req, "Authorization");
	unsigned char	*raw = NULL;
	size_t		 len;
	char		*colon, *did = NULL, *dsec = NULL;
	int		 r = -1;

	if (h == NULL)
		return 1;
	if (strncasecmp(h, "Basic ", 6) != 0)
		return -1;
	if (b64_decode(h + 6, strlen(h + 6), &raw, &len) == -1)
		return -1;
	if (strlen((char *)raw) != len ||
	    (colon = strchr((char *)raw, ':')) == NULL)
		goto done;
	*colon = '\0';
	/* RFC 6749 2.3.1: both parts are form-urlencoded. */
	if ((did = evhttp_uridecode((char *)raw, 1, NULL)) == NULL ||
	    (dsec = evhttp_uridecode(colon + 1, 1, NULL)) == NULL ||
	    strlcpy(id, did, idlen) >= idlen ||
	    strlcpy(secret, dsec, secretlen) >= secretlen)
		goto done;
	r = 0;
 done:
	if (dsec != NULL)
		OPENSSL_cleanse(dsec, strlen(dsec));
	free(did);
	free(dsec);
	OPENSSL_cleanse(raw, len);
	free(raw);
	return r;
}

static int
secret_ok(const char *want, const char *got)
{
	size_t	 n = strlen(want);

	return strlen(got) == n && CRYPTO_memcmp(want, got, n) == 0;
}

/* The claims of an account for tokens and userinfo. */
static json_t *
account_claims(struct sso *s, const struct sso_account *a, const char *scope)
{
	sqlite3_stmt	*st = NULL;
	json_t		*j, *names = NULL;
	char		 sub[128];
	const char	*nj;

	if (a->a_national_id[0] != '\0')
		(void)snprintf(sub, sizeof(sub), "PS%s", a->a_national_id);
	else
		(void)snprintf(sub, sizeof(sub), "staff:%s", a->a_username);
	if ((j = json_pack("{s:s}", "sub", sub)) == NULL)
		return NULL;
	if (has_word(scope, "profile")) {
		(void)json_object_set_new(j, "given_name",
		    json_string(a->a_first_name));
		(void)json_object_set_new(j, "family_name",
		    json_string(a->a_family_name));
		(void)json_object_set_new(j, "name", json_sprintf("%s %s",
		    a->a_first_name, a->a_family_name));
		if (a->a_dob[0] != '\0')
			(void)json_object_set_new(j, "birthdate",
			    json_string(a->a_dob));
		/* The register's own spelling, in both scripts. */
		if (db_queryf(s->s_db, &st, "SELECT register_names FROM"
		    " account WHERE id = ?", "I", a->a_id) == 0 &&
		    db_step(s->s_db, st) == DB_ROW &&
		    (nj = (const char *)sqlite3_column_text(st, 0)) != NULL &&
		    (names = json_loads(nj, 0, NULL)) != NULL) {
			(void)json_object_set(j, "given_name#ar",
			    json_object_get(names, "first_ar"));
			(void)json_object_set(j, "family_name#ar",
			    json_object_get(names, "family_ar"));
			(void)json_object_set(j, "given_name#en",
			    json_object_get(names, "first_en"));
			(void)json_object_set(j, "family_name#en",
			    json_object_get(names, "family_en"));
		}
		json_decref(names);
		db_finalize(st);
	}
	if (has_word(scope, "phone")) {
		(void)json_object_set_new(j, "phone_number",
		    json_string(a->a_mobile));
		/* Every login proves the phone with an SMS code. */
		(void)json_object_set_new(j, "phone_number_verified",
		    json_true());
	}
	if (has_word(scope, "roles"))
		(void)json_object_set_new(j, "roles", json_pack("[s]",
		    a->a_role));
	return j;
}

/* Split "pwd sms" into ["pwd", "sms"]. */
static json_t *
amr_array(const char *amr)
{
	json_t		*a = json_array();
	const char	*p = amr, *e;

	while (a != NULL && p != NULL && *p != '\0') {
		while (*p == ' ')
			p++;
		e = p + strcspn(p, " ");
		if (e > p)
			(void)json_array_append_new(a, json_stringn(p,
			    (size_t)(e - p)));
		p = e;
	}
	return a;
}

void
sso_oidc_token(struct evhttp_request *req, void *arg)
{
	struct sso		*s = arg;
	struct http_query	*q = NULL;
	struct oidc_client	 c;
	struct sso_account	 a;
	sqlite3_stmt		*st = NULL;
	const struct jose_key	*key;
	unsigned char		 h[OIDC_HASH_LEN], th[OIDC_HASH_LEN];
	char			 bid[256], bsec[256], ip[64];
	char			 chal[JOSE_S256_LEN + 1], at[65];
	char			*idt = NULL;
	const char		*grant, *code, *redirect, *verifier, *cid;
	const char		*csec, *v;
	char			 c_redirect[1024], c_scope[512], c_nonce[600];
	char			 c_chal[64], c_acr[32], c_amr[64], c_sid[80];
	char			 c_client[256];
	int64_t			 account, auth_time, expires, now = sso_now(s);
	unsigned int		 retry;
	int			 rc, basic, used;
	json_t			*claims = NULL, *resp;

	if (web_client_ip(req, ip, sizeof(ip)) == -1)
		(void)strlcpy(ip, "unknown", sizeof(ip));
	if (ratelimit_take(s->s_rl_post, ip, &retry) == 1) {
		web_reply_429(req, retry, NULL);
		return;
	}
	if (form_parse(req, OIDC_FORM_MAX, &q) != FORM_OK) {
		token_error(req, 400, "invalid_request",
		    "an application/x-www-form-urlencoded body is required", 0);
		return;
	}
	/* Client authentication. */
	bid[0] = bsec[0] = '\0';
	if ((basic = basic_auth(req, bid, sizeof(bid), bsec,
	    sizeof(bsec))) == -1) {
		token_error(req, 401, "invalid_client", "bad Authorization",
		    1);
		goto done;
	}
	basic = basic == 0;
	cid = basic ? bid : http_query_get(q, "client_id");
	csec = basic ? bsec : http_query_get(q, "client_secret");
	if ((basic && http_query_get(q, "client_secret") != NULL) ||
	    !client_find(s, cid, &c) ||
	    (basic && http_query_get(q, "client_id") != NULL &&
	    strcmp(http_query_get(q, "client_id"), bid) != 0)) {
		token_error(req, 401, "invalid_client", "unknown client or "
		    "more than one authentication method", basic);
		goto done;
	}
	if (c.c_secret != NULL ? csec == NULL || !secret_ok(c.c_secret,
	    csec) : csec != NULL) {
		token_error(req, 401, "invalid_client",
		    "client authentication failed", basic);
		goto done;
	}
	grant = http_query_get(q, "grant_type");
	if (grant == NULL || strcmp(grant, "authorization_code") != 0) {
		token_error(req, 400, "unsupported_grant_type",
		    "only authorization_code", 0);
		goto done;
	}
	code = http_query_get(q, "code");
	redirect = http_query_get(q, "redirect_uri");
	verifier = http_query_get(q, "code_verifier");
	if (code == NULL || redirect == NULL || sha256(code, h) == -1) {
		token_error(req, 400, "invalid_request",
		    "code and redirect_uri are required", 0);
		goto done;
	}
	if (db_queryf(s->s_db, &st, "SELECT client_id, redirect_uri,"
	    " account_id, scope, coalesce(nonce, ''),"
	    " coalesce(code_challenge, ''), auth_time, acr, amr, sid,"
	    " expires_at, used FROM oidc_code WHERE code_hash = ?", "b", h,
	    sizeof(h)) == -1 || (rc = db_step(s->s_db, st)) == DB_ERR)
		goto dberr;
	if (rc == DB_DONE) {
		token_error(req, 400, "invalid_grant", "unknown code", 0);
		goto done;
	}
#define COL(i, buf) (void)strlcpy(buf, (v = (const char *) \
	sqlite3_column_text(st, i)) != NULL ? v : "", sizeof(buf))
	COL(0, c_client);
	COL(1, c_redirect);
	account = sqlite3_column_int64(st, 2);
	COL(3, c_scope);
	COL(4, c_nonce);
	COL(5, c_chal);
	auth_time = sqlite3_column_int64(st, 6);
	COL(7, c_acr);
	COL(8, c_amr);
	COL(9, c_sid);
#undef COL
	expires = sqlite3_column_int64(st, 10);
	used = sqlite3_column_int(st, 11);
	db_finalize(st);
	st = NULL;
	if (used) {
		/* RFC 6749 4.1.2: revoke what the first use gave. */
		(void)db_execf(s->s_db, "UPDATE oidc_token SET revoked = 1"
		    " WHERE code_hash = ?", "b", h, sizeof(h));
		(void)sso_audit(s, SSO_EV_CODE_TO_TOKEN_ERROR, account, 0, ip,
		    json_pack("{s:s, s:s}", "client_id", c.c_id, "error",
		    "code_reused"));
		token_error(req, 400, "invalid_grant", "code already used", 0);
		goto done;
	}
	if (strcmp(c_client, c.c_id) != 0 || strcmp(c_redirect, redirect) !=
	    0 || expires <= now) {
		token_error(req, 400, "invalid_grant", "code expired or issued "
		    "to another client or redirect URI", 0);
		goto done;
	}
	if (c_chal[0] != '\0' ? verifier == NULL ||
	    jose_pkce_s256(verifier, chal) == -1 ||
	    CRYPTO_memcmp(chal, c_chal, JOSE_S256_LEN) != 0 :
	    verifier != NULL) {
		(void)sso_audit(s, SSO_EV_CODE_TO_TOKEN_ERROR, account, 0, ip,
		    json_pack("{s:s, s:s}", "client_id", c.c_id, "error",
		    "pkce"));
		token_error(req, 400, "invalid_grant", "PKCE verification "
		    "failed", 0);
		goto done;
	}
	if (db_execf(s->s_db, "UPDATE oidc_code SET used = 1 WHERE"
	    " code_hash = ? AND used = 0", "b", h, sizeof(h)) == -1)
		goto dberr;
	if (db_changes(s->s_db) != 1) {
		token_error(req, 400, "invalid_grant", "code already used", 0);
		goto done;
	}
	if (sso_account_by_id(s, account, &a) != 1 ||
	    strcmp(a.a_status, "active") != 0) {
		token_error(req, 400, "invalid_grant", "account not active",
		    0);
		goto done;
	}
	key = c.c_alg != NULL && strcmp(c.c_alg, "ES256") == 0 ? s->s_es256 :
	    s->s_rs256;
	if (key == NULL || (claims = account_claims(s, &a, c_scope)) ==
	    NULL)
		goto fail;
	(void)json_object_set_new(claims, "iss", json_string(s->s_public_url));
	(void)json_object_set_new(claims, "aud", json_string(c.c_id));
	(void)json_object_set_new(claims, "iat", json_integer(now));
	(void)json_object_set_new(claims, "exp", json_integer(now +
	    s->s_id_token_lifetime));
	(void)json_object_set_new(claims, "auth_time",
	    json_integer(auth_time));
	(void)json_object_set_new(claims, "acr", json_string(c_acr));
	(void)json_object_set_new(claims, "amr", amr_array(c_amr));
	if (c_sid[0] != '\0')
		(void)json_object_set_new(claims, "sid", json_string(c_sid));
	if (c_nonce[0] != '\0')
		(void)json_object_set_new(claims, "nonce",
		    json_string(c_nonce));
	if (jose_sign(key, claims, &idt) == -1)
		goto fail;
	if (web_random_hex(at, sizeof(at), 32) == -1 || sha256(at, th) == -1 ||
	    db_execf(s->s_db, "INSERT INTO oidc_token (token_hash, client_id,"
	    " account_id, scope, code_hash, expires_at, revoked) VALUES (?, ?,"
	    " ?, ?, ?, ?, 0)", "btItbI", th, sizeof(th), c.c_id, account,
	    c_scope, h, sizeof(h), now + s->s_access_token_lifetime) == -1)
		goto dberr;
	(void)sso_audit(s, SSO_EV_CODE_TO_TOKEN, account, 0, ip,
	    json_pack("{s:s}", "client_id", c.c_id));
	resp = json_pack("{s:s, s:s, s:I, s:s, s:s}", "access_token", at,
	    "token_type", "Bearer", "expires_in",
	    (json_int_t)s->s_access_token_lifetime, "id_token", idt, "scope",
	    c_scope);
	OPENSSL_cleanse(at, sizeof(at));
	if (resp == NULL)
		goto fail;
	reply_json_nostore(req, 200, resp);
	goto done;
 dberr:
	log_warnx("token: %s", db_last_error(s->s_db));
 fail:
	token_error(req, 500, "server_error", "internal error", 0);
 done:
	db_finalize(st);
	json_decref(claims);
	free(idt);
	OPENSSL_cleanse(bsec, sizeof(bsec));
	http_query_free(q);
}

/*
 * Userinfo.
 */

void
sso_oidc_userinfo(struct evhttp_request *req, void *arg)
{
	struct sso		*s = arg;
	struct sso_account	 a;
	const char		*h = http_req_header(req, "Authorization");
	unsigned char		 th[OIDC_HASH_LEN];
	char			*scope = NULL;
	int64_t			 account = 0;
	json_t			*claims;
	int			 r;

	if (h == NULL || strncasecmp(h, "Bearer ", 7) != 0 ||
	    sha256(h + 7, th) == -1) {
		evhttp_add_header(evhttp_request_get_output_headers(req),
		    "WWW-Authenticate", "Bearer realm=\"hukumati-sso\"");
		http_reply_error_json(req, 401, "invalid_token",
		    "a Bearer access token is required");
		return;
	}
	r = db_query_int64(s->s_db, &account, "SELECT account_id FROM"
	    " oidc_token WHERE token_hash = ? AND revoked = 0 AND"
	    " expires_at > ?", "bI", th, sizeof(th), sso_now(s));
	if (r == DB_ROW)
		r = db_query_text(s->s_db, &scope, "SELECT scope FROM"
		    " oidc_token WHERE token_hash = ?", "b", th, sizeof(th));
	if (r != DB_ROW || sso_account_by_id(s, account, &a) != 1 ||
	    strcmp(a.a_status, "active") != 0) {
		free(scope);
		evhttp_add_header(evhttp_request_get_output_headers(req),
		    "WWW-Authenticate", "Bearer realm=\"hukumati-sso\", "
		    "error=\"invalid_token\"");
		http_reply_error_json(req, 401, "invalid_token",
		    "the access token is unknown, expired or revoked");
		return;
	}
	claims = account_claims(s, &a, scope);
	free(scope);
	if (claims == NULL) {
		http_reply_error_json(req, 500, "server_error",
		    "internal error");
		return;
	}
	reply_json_nostore(req, 200, claims);
}
