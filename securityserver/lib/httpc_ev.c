/*
 * httpc_ev.c: outgoing HTTP(S) calls on a libevent loop: libcurl's multi
 * interface driven by libevent. libcurl tells us which sockets to watch
 * (httpc_ev_socket_cb) and when to wake it (httpc_ev_timerfn); we tell it
 * what happened with curl_multi_socket_action and collect finished calls
 * afterwards. The pooled connections live in the multi handle. See httpc.h.
 */
#include "config.h"

#include <sys/queue.h>

#include <stdlib.h>
#include <string.h>

#include <curl/curl.h>
#include <event2/event.h>

#include "compat.h"
#include "httpc.h"
#include "httpc_xfer.h"
#include "log.h"

struct httpc_call {
	TAILQ_ENTRY(httpc_call)	 hc_entry;
	struct httpc_ev		*hc_ev;
	struct httpc_xfer	 hc_xfer;
	httpc_done_fn		 hc_done;
	void			*hc_arg;
};
TAILQ_HEAD(httpc_calls, httpc_call);

struct httpc_ev {
	struct httpc_tlsconf	 ev_tls;
	struct event_base	*ev_base;
	CURLM			*ev_multi;
	struct event		*ev_timer;
	struct httpc_calls	 ev_calls;
};

static void
httpc_call_free(struct httpc_call *call)
{
	struct httpc_ev *ev = call->hc_ev;

	TAILQ_REMOVE(&ev->ev_calls, call, hc_entry);
	(void)curl_multi_remove_handle(ev->ev_multi, call->hc_xfer.x_easy);
	curl_easy_cleanup(call->hc_xfer.x_easy);
	httpc_xfer_clear(&call->hc_xfer);
	free(call);
}

static void
httpc_ev_check_done(struct httpc_ev *ev)
{
	struct httpc_call	*call;
	struct httpc_resp	*resp;
	httpc_done_fn		 done;
	CURLMsg			*msg;
	void			*arg;
	char			*priv, err[CURL_ERROR_SIZE];
	int			 left, rc;

	while ((msg = curl_multi_info_read(ev->ev_multi, &left)) != NULL) {
		if (msg->msg != CURLMSG_DONE)
			continue;
		if (curl_easy_getinfo(msg->easy_handle, CURLINFO_PRIVATE,
		    &priv) != CURLE_OK || priv == NULL)
			continue;
		call = (struct httpc_call *)priv;
		rc = httpc_xfer_finish(&call->hc_xfer, msg->data.result,
		    &resp);
		(void)strlcpy(err, rc == 0 ? "" : call->hc_xfer.x_err,
		    sizeof(err));
		if (rc != 0)
			log_debug("httpc: %s", err);
		/* Free first: done may start or cancel other calls. */
		done = call->hc_done;
		arg = call->hc_arg;
		httpc_call_free(call);
		done(rc, resp, err, arg);
	}
}

static void
httpc_ev_event_cb(evutil_socket_t fd, short what, void *arg)
{
	struct httpc_ev	*ev = arg;
	int		 running, action = 0;

	if (what & EV_READ)
		action |= CURL_CSELECT_IN;
	if (what & EV_WRITE)
		action |= CURL_CSELECT_OUT;
	(void)curl_multi_socket_action(ev->ev_multi, fd, action, &running);
	httpc_ev_check_done(ev);
}

static void
httpc_ev_timer_cb(evutil_socket_t fd, short what, void *arg)
{
	struct httpc_ev	*ev = arg;
	int		 running;

	(void)curl_multi_socket_action(ev->ev_multi, CURL_SOCKET_TIMEOUT, 0,
	    &running);
	httpc_ev_check_done(ev);
}

static int
httpc_ev_socket_cb(CURL *easy, curl_socket_t s, int what, void *userp,
    void *socketp)
{
	struct httpc_ev	*ev = userp;
	struct event	*sev = socketp;
	short		 kind = EV_PERSIST;

	if (what == CURL_POLL_REMOVE) {
		if (sev != NULL) {
			event_free(sev);
			(void)curl_multi_assign(ev->ev_multi, s, NULL);
		}
		return 0;
	}
	if (what & CURL_POLL_IN)
		kind |= EV_READ;
	if (what & CURL_POLL_OUT)
		kind |= EV_WRITE;
	if (sev != NULL) {
		(void)event_del(sev);
		if (event_assign(sev, ev->ev_base, s, kind, httpc_ev_event_cb,
		    ev) == -1)
			return -1;
	} else {
		if ((sev = event_new(ev->ev_base, s, kind, httpc_ev_event_cb,
		    ev)) == NULL)
			return -1;
		if (curl_multi_assign(ev->ev_multi, s, sev) != CURLM_OK) {
			event_free(sev);
			return -1;
		}
	}
	return event_add(sev, NULL);
}

static int
httpc_ev_timerfn(CURLM *multi, long timeout_ms, void *userp)
{
	struct httpc_ev	*ev = userp;
	struct timeval	 tv;

	if (timeout_ms < 0)
		return evtimer_del(ev->ev_timer);
	tv.tv_sec = timeout_ms / 1000;
	tv.tv_usec = (timeout_ms % 1000) * 1000;
	return evtimer_add(ev->ev_timer, &tv);
}

struct httpc_ev *
httpc_ev_new(struct event_base *base, const struct httpc_tls *tls)
{
	struct httpc_ev *ev;

	if (base == NULL || httpc_init() == -1)
		return NULL;
	if ((ev = calloc(1, sizeof(*ev))) == NULL)
		return NULL;
	TAILQ_INIT(&ev->ev_calls);
	ev->ev_base = base;
	if (httpc_tls_init(&ev->ev_tls, tls) == -1) {
		free(ev);
		return NULL;
	}
	if ((ev->ev_timer = evtimer_new(base, httpc_ev_timer_cb, ev)) == NULL ||
	    (ev->ev_multi = curl_multi_init()) == NULL ||
	    curl_multi_setopt(ev->ev_multi, CURLMOPT_SOCKETFUNCTION,
	    httpc_ev_socket_cb) != CURLM_OK ||
	    curl_multi_setopt(ev->ev_multi, CURLMOPT_SOCKETDATA, ev) !=
	    CURLM_OK ||
	    curl_multi_setopt(ev->ev_multi, CURLMOPT_TIMERFUNCTION,
	    httpc_ev_timerfn) != CURLM_OK ||
	    curl_multi_setopt(ev->ev_multi, CURLMOPT_TIMERDATA, ev) !=
	    CURLM_OK) {
		httpc_ev_free(ev);
		return NULL;
	}
	return ev;
}

void
httpc_ev_free(struct httpc_ev *ev)
{
	struct httpc_call *call;

	if (ev == NULL)
		return;
	while ((call = TAILQ_FIRST(&ev->ev_calls)) != NULL)
		httpc_call_free(call);
	/* Closes pooled connections; their sockets' events go via REMOVE. */
	if (ev->ev_multi != NULL)
		(void)curl_multi_cleanup(ev->ev_multi);
	if (ev->ev_timer != NULL)
		event_free(ev->ev_timer);
	httpc_tls_clear(&ev->ev_tls);
	free(ev);
}

int
httpc_ev_start(struct httpc_ev *ev, const struct httpc_req *req,
    httpc_done_fn done, void *arg, struct httpc_call **callp)
{
	struct httpc_call	*call;
	CURL			*easy;
	int			 rc;

	if (callp != NULL)
		*callp = NULL;
	if (ev == NULL || done == NULL)
		return HTTPC_ERR_INVALID;
	if ((call = calloc(1, sizeof(*call))) == NULL)
		return HTTPC_ERR_NOMEM;
	if ((easy = curl_easy_init()) == NULL) {
		free(call);
		return HTTPC_ERR_NOMEM;
	}
	if ((rc = httpc_xfer_setup(&call->hc_xfer, easy, &ev->ev_tls, req,
	    1)) != 0) {
		curl_easy_cleanup(easy);
		free(call);
		return rc;
	}
	call->hc_ev = ev;
	call->hc_done = done;
	call->hc_arg = arg;
	if (curl_easy_setopt(easy, CURLOPT_PRIVATE, call) != CURLE_OK ||
	    curl_multi_add_handle(ev->ev_multi, easy) != CURLM_OK) {
		curl_easy_cleanup(easy);
		httpc_xfer_clear(&call->hc_xfer);
		free(call);
		return HTTPC_ERR_NOMEM;
	}
	TAILQ_INSERT_TAIL(&ev->ev_calls, call, hc_entry);
	if (callp != NULL)
		*callp = call;
	return 0;
}

void
httpc_call_cancel(struct httpc_call *call)
{
	if (call != NULL)
		httpc_call_free(call);
}
