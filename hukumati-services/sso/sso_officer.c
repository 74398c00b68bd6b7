/*
 * sso_officer.c: the officer console (see sso.h). Interior and post
 * officers, logged in through this SSO, find a pending registration by
 * national ID, confirm that they checked the citizen's document, and
 * activate the account in person. Every activation (and every refused
 * attempt) goes to the audit log with who, when, where and how.
 */
#include "config.h"

#include <string.h>

#include <event2/http.h>
#include <jansson.h>

#include "compat.h"
#include "form.h"
#include "http.h"
#include "log.h"
#include "sso.h"

/* In-person activation: the strongest route there is. */
#define ACR_IN_PERSON	"substantial"

static int
is_officer(const struct sso_req *r)
{
	return r->r_user != NULL &&
	    (sso_account_is(r->r_user, SSO_ROLE_INTERIOR) ||
	    sso_account_is(r->r_user, SSO_ROLE_POST));
}

/* NULL and an answer sent, or the request ready for officer work. */
static struct sso_req *
officer_begin(struct sso *s, struct evhttp_request *req)
{
	struct sso_req	*r;

	if ((r = sso_req_begin(s, req, SSO_REQ_SESSION)) == NULL)
		return NULL;
	if (r->r_user == NULL) {
		web_redirect(req, "/login");
		sso_req_end(r);
		return NULL;
	}
	if (!is_officer(r)) {
		sso_error_page(r, 403, "err.not_officer");
		sso_req_end(r);
		return NULL;
	}
	return r;
}

static json_t *
pending_json(const struct sso_account *a)
{
	return json_pack("{s:s, s:s, s:s, s:s, s:s}", "national_id",
	    a->a_national_id, "first_name", a->a_first_name, "family_name",
	    a->a_family_name, "dob", a->a_dob, "mobile", a->a_mobile);
}

void
sso_officer(struct evhttp_request *req, void *arg)
{
	struct sso_req		*r;
	struct http_query	*q = NULL;
	struct sso_account	 a;
	const char		*v;
	char			 nid[SSO_NID_SIZE];
	json_t			*data;
	int			 rc;

	if ((r = officer_begin(arg, req)) == NULL)
		return;
	if ((data = json_object()) == NULL) {
		sso_error_page(r, 500, "err.internal");
		sso_req_end(r);
		return;
	}
	(void)json_object_set_new(data, "office",
	    json_string(r->r_user->a_office));
	if (http_req_query(req, &q) == 0 &&
	    (v = http_query_get(q, "national_id")) != NULL && *v != '\0') {
		(void)json_object_set_new(data, "query", json_string(v));
		if (!sso_valid_nid(v, nid))
			(void)sso_add_error(r, data, "national_id",
			    "err.nid_invalid");
		else if ((rc = sso_account_by_nid(r->r_sso, nid, &a)) == -1) {
			http_query_free(q);
			json_decref(data);
			sso_error_page(r, 500, "err.internal");
			sso_req_end(r);
			return;
		} else if (rc == 0 || strcmp(a.a_status, "pending") != 0)
			(void)json_object_set_new(data, "none_pending",
			    json_true());
		else
			(void)json_object_set_new(data, "pending",
			    pending_json(&a));
	}
	http_query_free(q);
	sso_page(r, 200, "officer", data);
	sso_req_end(r);
}

void
sso_officer_activate(struct evhttp_request *req, void *arg)
{
	struct sso_req		*r;
	struct sso		*s = arg;
	struct http_query	*q = NULL;
	struct sso_account	 a;
	char			 raw[64], nid[SSO_NID_SIZE], doc[32];
	json_t			*data = NULL;
	int			 rc = 0;

	if ((r = officer_begin(s, req)) == NULL)
		return;
	if (sso_post_begin(r, &q) == -1) {
		sso_req_end(r);
		return;
	}
	if ((data = json_object()) == NULL)
		goto fail;
	(void)json_object_set_new(data, "office",
	    json_string(r->r_user->a_office));
	if (form_field(q, "national_id", 1, raw, sizeof(raw)) != FIELD_OK ||
	    !sso_valid_nid(raw, nid)) {
		(void)sso_add_error(r, data, "national_id", "err.nid_invalid");
		goto refuse;
	}
	(void)json_object_set_new(data, "query", json_string(nid));
	if ((rc = sso_account_by_nid(s, nid, &a)) == -1)
		goto fail;
	if (rc == 0 || strcmp(a.a_status, "pending") != 0) {
		(void)json_object_set_new(data, "none_pending", json_true());
		goto refuse;
	}
	(void)json_object_set_new(data, "pending", pending_json(&a));
	if (form_field(q, "document_checked", 1, raw, sizeof(raw)) !=
	    FIELD_OK || strcmp(raw, "yes") != 0) {
		(void)sso_add_error(r, data, "document_checked",
		    "err.document_not_checked");
		goto refuse;
	}
	if (form_field(q, "document_type", 1, doc, sizeof(doc)) != FIELD_OK ||
	    (strcmp(doc, "id-card") != 0 && strcmp(doc, "passport") != 0)) {
		(void)sso_add_error(r, data, "document_type",
		    "err.document_type");
		goto refuse;
	}
	if ((rc = sso_account_activate(s, a.a_id, "in-person", ACR_IN_PERSON,
	    r->r_user->a_id, r->r_user->a_office)) == -1)
		goto fail;
	if (rc == -2) {
		(void)json_object_set_new(data, "none_pending", json_true());
		goto refuse;
	}
	(void)sso_audit(s, SSO_EV_ACTIVATE, a.a_id, r->r_user->a_id, r->r_ip,
	    json_pack("{s:s, s:s, s:s, s:s, s:s}", "route", "in-person",
	    "acr", ACR_IN_PERSON, "document", doc, "where",
	    r->r_user->a_office, "officer_role", r->r_user->a_role));
	(void)json_object_del(data, "pending");
	(void)json_object_set_new(data, "activated", pending_json(&a));
	http_query_free(q);
	sso_page(r, 200, "officer", data);
	sso_req_end(r);
	return;
 refuse:
	(void)sso_audit(s, SSO_EV_ACTIVATE_ERROR, rc == 1 ? a.a_id : 0,
	    r->r_user->a_id, r->r_ip, json_pack("{s:s}", "where",
	    r->r_user->a_office));
	http_query_free(q);
	sso_page(r, 400, "officer", data);
	sso_req_end(r);
	return;
 fail:
	http_query_free(q);
	json_decref(data);
	sso_error_page(r, 500, "err.internal");
	sso_req_end(r);
}
