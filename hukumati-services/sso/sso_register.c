/*
 * sso_register.c: GET/POST /register (see sso.h).
 *
 * The form is checked here first (national ID with its check digit
 * before anything else, names, date of birth, mobile, e-mail, password
 * policy); then the civil register is asked through the exchange, and
 * only a person whose date of birth and first and family names match,
 * and who is alive, gets an account, which then waits for activation.
 * A mismatch and an unknown ID get the same message, which says nothing
 * of what the register holds.
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include <event2/http.h>
#include <jansson.h>
#include <openssl/crypto.h>

#include "compat.h"
#include "form.h"
#include "http.h"
#include "log.h"
#include "sso.h"

struct reg_ctx {
	struct sso_req	*rc_req;
	json_t		*rc_data;	/* the form for a re-render */
	char		 rc_nid[SSO_NID_SIZE];
	char		 rc_first[SSO_NAME_SIZE];
	char		 rc_family[SSO_NAME_SIZE];
	char		 rc_dob[SSO_DATE_SIZE];
	char		 rc_mobile[SSO_PHONE_SIZE];
	char		 rc_email[SSO_EMAIL_SIZE];
	char		 rc_password[SSO_PW_MAX];
};

static void
reg_free(struct reg_ctx *c)
{
	if (c == NULL)
		return;
	json_decref(c->rc_data);
	OPENSSL_cleanse(c, sizeof(*c));
	free(c);
}

static void
reg_form(struct sso_req *r, int status, json_t *data)
{
	sso_page(r, status, "register", data);
}

/* Read one field; a missing required one or a bad one adds an error. */
static int
field(struct sso_req *r, const struct http_query *q, json_t *data,
    const char *name, int required, int trim, char *out, size_t outlen)
{
	int	 rc = form_field(q, name, trim, out, outlen);

	if (rc == FIELD_OK)
		return 0;
	if (rc == FIELD_MISSING && !required)
		return 0;
	(void)sso_add_error(r, data, name, rc == FIELD_MISSING ?
	    "err.required" : "err.invalid");
	return -1;
}

static void
reg_cr_done(int rc, const struct sso_person *p, void *arg)
{
	struct reg_ctx		*c = arg;
	struct sso_req		*r = c->rc_req;
	struct sso		*s = r->r_sso;
	struct sso_newacct	 n;
	json_t			*names = NULL;
	char			*nj = NULL;
	int64_t			 id;
	int			 r2;

	if (rc == -1) {
		(void)sso_audit(s, SSO_EV_REGISTER_ERROR, 0, 0, r->r_ip,
		    json_pack("{s:s, s:s}", "error", "register_unreachable",
		    "national_id", c->rc_nid));
		(void)sso_add_error(r, c->rc_data, "national_id",
		    "err.register_unreachable");
		reg_form(r, 503, c->rc_data);
		c->rc_data = NULL;
		goto done;
	}
	if (!sso_cr_match(p, c->rc_first, c->rc_family, c->rc_dob)) {
		(void)sso_audit(s, SSO_EV_REGISTER_ERROR, 0, 0, r->r_ip,
		    json_pack("{s:s, s:s}", "error", p->p_found ?
		    "register_mismatch" : "register_unknown", "national_id",
		    c->rc_nid));
		(void)sso_add_error(r, c->rc_data, "national_id",
		    "err.register_mismatch");
		reg_form(r, 400, c->rc_data);
		c->rc_data = NULL;
		goto done;
	}
	/* Keep the register's own spelling of the names, both scripts. */
	names = json_pack("{s:s, s:s, s:s, s:s}", "first_ar", p->p_first_ar,
	    "family_ar", p->p_family_ar, "first_en", p->p_first_en,
	    "family_en", p->p_family_en);
	if (names != NULL)
		nj = json_dumps(names, JSON_COMPACT);
	memset(&n, 0, sizeof(n));
	n.n_kind = "citizen";
	n.n_national_id = c->rc_nid;
	n.n_role = SSO_ROLE_CITIZEN;
	n.n_first_name = c->rc_first;
	n.n_family_name = c->rc_family;
	n.n_dob = c->rc_dob;
	n.n_mobile = c->rc_mobile;
	n.n_email = c->rc_email[0] != '\0' ? c->rc_email : NULL;
	n.n_password = c->rc_password;
	n.n_status = "pending";
	n.n_register = nj;
	r2 = sso_account_create(s, &n, &id);
	free(nj);
	json_decref(names);
	if (r2 == -2) {
		(void)sso_add_error(r, c->rc_data, "national_id",
		    "err.already_registered");
		reg_form(r, 400, c->rc_data);
		c->rc_data = NULL;
		goto done;
	}
	if (r2 == -1) {
		sso_error_page(r, 500, "err.internal");
		goto done;
	}
	(void)sso_audit(s, SSO_EV_REGISTER, id, 0, r->r_ip,
	    json_pack("{s:s}", "national_id", c->rc_nid));
	sso_page(r, 200, "register_done", json_pack("{s:s}", "national_id",
	    c->rc_nid));
 done:
	sso_req_end(r);
	reg_free(c);
}

static void
reg_post(struct sso_req *r)
{
	struct sso		*s = r->r_sso;
	struct http_query	*q = NULL;
	struct reg_ctx		*c = NULL;
	struct sso_account	 a;
	char			 raw[SSO_NAME_SIZE], pw2[SSO_PW_MAX];
	char			 user_id[16];
	const char		*why;
	int			 rc;

	if (sso_post_begin(r, &q) == -1) {
		sso_req_end(r);
		return;
	}
	if ((c = calloc(1, sizeof(*c))) == NULL ||
	    (c->rc_data = json_object()) == NULL)
		goto fail;
	c->rc_req = r;
	/* The national ID (and its check digit) first. */
	if (field(r, q, c->rc_data, "national_id", 1, 1, raw,
	    sizeof(raw)) == 0) {
		(void)json_object_set_new(c->rc_data, "national_id",
		    json_string(raw));
		if (!sso_valid_nid(raw, c->rc_nid))
			(void)sso_add_error(r, c->rc_data, "national_id",
			    "err.nid_invalid");
	}
	if (field(r, q, c->rc_data, "first_name", 1, 1, c->rc_first,
	    sizeof(c->rc_first)) == 0) {
		(void)json_object_set_new(c->rc_data, "first_name",
		    json_string(c->rc_first));
		if (!sso_valid_name(c->rc_first))
			(void)sso_add_error(r, c->rc_data, "first_name",
			    "err.name_invalid");
	}
	if (field(r, q, c->rc_data, "family_name", 1, 1, c->rc_family,
	    sizeof(c->rc_family)) == 0) {
		(void)json_object_set_new(c->rc_data, "family_name",
		    json_string(c->rc_family));
		if (!sso_valid_name(c->rc_family))
			(void)sso_add_error(r, c->rc_data, "family_name",
			    "err.name_invalid");
	}
	if (field(r, q, c->rc_data, "dob", 1, 1, raw, sizeof(raw)) == 0) {
		(void)json_object_set_new(c->rc_data, "dob", json_string(raw));
		rc = sso_norm_dob(raw, sso_now(s), s->s_min_age, c->rc_dob);
		if (rc == -1)
			(void)sso_add_error(r, c->rc_data, "dob",
			    "err.dob_invalid");
		else if (rc == -2)
			(void)sso_add_error(r, c->rc_data, "dob",
			    "err.too_young");
	}
	if (field(r, q, c->rc_data, "mobile", 1, 1, raw, sizeof(raw)) == 0) {
		(void)json_object_set_new(c->rc_data, "mobile",
		    json_string(raw));
		if (sso_norm_mobile(raw, c->rc_mobile) == -1)
			(void)sso_add_error(r, c->rc_data, "mobile",
			    "err.mobile_invalid");
	}
	if (field(r, q, c->rc_data, "email", 0, 1, c->rc_email,
	    sizeof(c->rc_email)) == 0 && c->rc_email[0] != '\0') {
		(void)json_object_set_new(c->rc_data, "email",
		    json_string(c->rc_email));
		if (!sso_valid_email(c->rc_email))
			(void)sso_add_error(r, c->rc_data, "email",
			    "err.email_invalid");
	}
	/* Passwords are never trimmed and never sent back. */
	rc = form_field(q, "password", 0, c->rc_password,
	    sizeof(c->rc_password));
	if (rc == FIELD_MISSING)
		(void)sso_add_error(r, c->rc_data, "password", "err.required");
	else if (rc == FIELD_BAD)
		(void)sso_add_error(r, c->rc_data, "password",
		    strlen(http_query_get(q, "password") != NULL ?
		    http_query_get(q, "password") : "") >= SSO_PW_MAX - 1 ?
		    "err.password_long" : "err.invalid");
	else if ((why = sso_password_problem(c->rc_password, s->s_pw_min,
	    s->s_pwlist, c->rc_nid, c->rc_mobile)) != NULL)
		(void)sso_add_error(r, c->rc_data, "password", why);
	else if (form_field(q, "password2", 0, pw2, sizeof(pw2)) !=
	    FIELD_OK || strcmp(pw2, c->rc_password) != 0)
		(void)sso_add_error(r, c->rc_data, "password2",
		    "err.password_mismatch");
	OPENSSL_cleanse(pw2, sizeof(pw2));
	http_query_free(q);
	q = NULL;

	if (json_object_get(c->rc_data, "errors") != NULL) {
		reg_form(r, 400, c->rc_data);
		c->rc_data = NULL;
		goto done;
	}
	if ((rc = sso_account_by_nid(s, c->rc_nid, &a)) == -1)
		goto fail;
	if (rc == 1) {
		(void)sso_add_error(r, c->rc_data, "national_id",
		    "err.already_registered");
		reg_form(r, 400, c->rc_data);
		c->rc_data = NULL;
		goto done;
	}
	/* X-Road userId: the person the query is about, ISO-prefixed. */
	(void)snprintf(user_id, sizeof(user_id), "PS%s", c->rc_nid);
	if (sso_cr_lookup(s, c->rc_nid, user_id, reg_cr_done, c, NULL) ==
	    -1) {
		(void)sso_add_error(r, c->rc_data, "national_id",
		    "err.register_unreachable");
		reg_form(r, 503, c->rc_data);
		c->rc_data = NULL;
		goto done;
	}
	/* reg_cr_done answers and frees. */
	return;
 fail:
	http_query_free(q);
	sso_error_page(r, 500, "err.internal");
 done:
	sso_req_end(r);
	reg_free(c);
}

void
sso_register(struct evhttp_request *req, void *arg)
{
	struct sso_req	*r;

	if ((r = sso_req_begin(arg, req, SSO_REQ_SESSION)) == NULL)
		return;
	if (evhttp_request_get_command(req) == EVHTTP_REQ_POST) {
		reg_post(r);
		return;
	}
	reg_form(r, 200, NULL);
	sso_req_end(r);
}
