/*
 * sso_sms.c: the SMS gateway behind one interface (see sso.h).
 *
 *	demo	messages go to the sms_outbox table; with [demo] enabled
 *		they are readable at GET /dev/sms?phone=+970...
 *	http	each message is POSTed as JSON {"to", "text", "sender"}
 *		to [sms] url with "Authorization: Bearer <api-key>"; a
 *		2xx status is success. Sent on the event loop; a failure
 *		is logged (the citizen asks for a new code).
 *
 * Message texts hold codes: they are never logged.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <event2/http.h>
#include <jansson.h>

#include "compat.h"
#include "db.h"
#include "http.h"
#include "httpc.h"
#include "log.h"
#include "sso.h"

enum sms_kind { SMS_DEMO, SMS_HTTP };

struct sms_gw {
	enum sms_kind	 g_kind;
	struct httpc_ev	*g_ev;
	char		 g_url[512];
	char		 g_auth[512];
	char		 g_sender[64];
};

#define SMS_OUTBOX_MAX	100	/* messages shown by /dev/sms */

int
sms_gw_new(struct sso *s, struct sms_gw **out, char *err, size_t errlen)
{
	struct sms_gw	*g;
	const char	*url, *key;

	*out = NULL;
	if ((g = calloc(1, sizeof(*g))) == NULL)
		return -1;
	g->g_kind = conf_get_enum(s->s_conf, "sms", "gateway") == 1 ?
	    SMS_HTTP : SMS_DEMO;
	(void)strlcpy(g->g_sender, conf_get_str(s->s_conf, "sms", "sender"),
	    sizeof(g->g_sender));
	if (g->g_kind == SMS_HTTP) {
		url = conf_get_str(s->s_conf, "sms", "url");
		key = conf_get_str(s->s_conf, "sms", "api-key");
		if (url == NULL || (strncmp(url, "https://", 8) != 0 &&
		    strncmp(url, "http://", 7) != 0)) {
			(void)snprintf(err, errlen, "%s: [sms] gateway = http "
			    "needs an http(s) url", conf_name(s->s_conf));
			free(g);
			return -1;
		}
		(void)strlcpy(g->g_url, url, sizeof(g->g_url));
		if (key != NULL)
			(void)snprintf(g->g_auth, sizeof(g->g_auth),
			    "Authorization: Bearer %s", key);
		if (s->s_base != NULL &&
		    (g->g_ev = httpc_ev_new(s->s_base, NULL)) == NULL) {
			(void)snprintf(err, errlen, "cannot make the SMS "
			    "gateway client");
			free(g);
			return -1;
		}
	}
	*out = g;
	return 0;
}

void
sms_gw_free(struct sms_gw *g)
{
	if (g == NULL)
		return;
	httpc_ev_free(g->g_ev);
	explicit_bzero(g->g_auth, sizeof(g->g_auth));
	free(g);
}

static void
sms_http_done(int rc, struct httpc_resp *resp, const char *errmsg,
    void *arg)
{
	(void)arg;
	if (rc != 0)
		log_warnx("sms gateway: %s: %s", httpc_strerror(rc), errmsg);
	else if (httpc_resp_status(resp) / 100 != 2)
		log_warnx("sms gateway: HTTP status %d",
		    httpc_resp_status(resp));
	else
		log_info("sms gateway: message accepted");
	httpc_resp_free(resp);
}

int
sms_send(struct sso *s, const char *phone, const char *text)
{
	struct sms_gw	*g = s->s_sms;
	struct httpc_req hr;
	const char	*hdrs[3];
	json_t		*j;
	char		*body;
	int		 r;

	if (g->g_kind == SMS_DEMO) {
		if (db_execf(s->s_db, "INSERT INTO sms_outbox (phone, text,"
		    " created_at) VALUES (?, ?, ?)", "ttI", phone, text,
		    web_now_ms(s->s_clock, s->s_clock_arg)) == -1) {
			log_warnx("sms outbox: %s", db_last_error(s->s_db));
			return -1;
		}
		log_info("sms: message to %s kept in the demo outbox", phone);
		return 0;
	}
	if (g->g_ev == NULL)
		return -1;
	if ((j = json_pack("{s:s, s:s, s:s}", "to", phone, "text", text,
	    "sender", g->g_sender)) == NULL ||
	    (body = json_dumps(j, JSON_COMPACT)) == NULL) {
		json_decref(j);
		return -1;
	}
	json_decref(j);
	hdrs[0] = "Content-Type: application/json";
	hdrs[1] = g->g_auth[0] != '\0' ? g->g_auth : NULL;
	hdrs[2] = NULL;
	memset(&hr, 0, sizeof(hr));
	hr.hr_method = "POST";
	hr.hr_url = g->g_url;
	hr.hr_headers = hdrs;
	hr.hr_body = body;
	hr.hr_body_len = strlen(body);
	hr.hr_timeout_ms = 15000;
	hr.hr_max_body = 64 * 1024;
	r = httpc_ev_start(g->g_ev, &hr, sms_http_done, NULL, NULL);
	explicit_bzero(body, strlen(body));
	free(body);
	if (r != 0) {
		log_warnx("sms gateway: %s", httpc_strerror(r));
		return -1;
	}
	return 0;
}

/*
 * GET /dev/sms?phone=...: the demo outbox for one number, newest first,
 * as [{"phone", "text", "time"}]. Routed only with [demo] enabled.
 */
void
sso_dev_sms(struct evhttp_request *req, void *arg)
{
	struct sso		*s = arg;
	struct http_query	*q = NULL;
	sqlite3_stmt		*st = NULL;
	const char		*p;
	char			 phone[SSO_PHONE_SIZE], when[64];
	json_t			*list = NULL;
	struct tm		 tm;
	time_t			 t;
	int64_t			 ms;
	int			 r;

	if (http_req_query(req, &q) == -1 ||
	    (p = http_query_get(q, "phone")) == NULL ||
	    sso_norm_mobile(p, phone) == -1) {
		http_query_free(q);
		http_reply_error_json(req, 400, "bad_request",
		    "phone= must be a mobile number");
		return;
	}
	http_query_free(q);
	if ((list = json_array()) == NULL ||
	    db_queryf(s->s_db, &st, "SELECT phone, text, created_at FROM"
	    " sms_outbox WHERE phone = ? ORDER BY id DESC LIMIT ?", "ti",
	    phone, SMS_OUTBOX_MAX) == -1)
		goto fail;
	while ((r = db_step(s->s_db, st)) == DB_ROW) {
		ms = sqlite3_column_int64(st, 2);
		t = (time_t)(ms / 1000);
		if (gmtime_r(&t, &tm) == NULL)
			goto fail;
		(void)snprintf(when, sizeof(when),
		    "%04d-%02d-%02dT%02d:%02d:%02d.%03dZ", tm.tm_year + 1900,
		    tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min,
		    tm.tm_sec, (int)(ms % 1000));
		if (json_array_append_new(list, json_pack("{s:s, s:s, s:s}",
		    "phone", sqlite3_column_text(st, 0), "text",
		    sqlite3_column_text(st, 1), "time", when)) == -1)
			goto fail;
	}
	if (r == DB_ERR)
		goto fail;
	db_finalize(st);
	evhttp_add_header(evhttp_request_get_output_headers(req),
	    "Cache-Control", "no-store");
	http_reply_json(req, 200, list);
	json_decref(list);
	return;
 fail:
	log_warnx("dev sms: %s", db_last_error(s->s_db));
	db_finalize(st);
	json_decref(list);
	http_reply_error_json(req, 500, "internal_error", "internal error");
}
