/*
 * msglog_hook.c: the message path's four logging points, written to the
 * message log (msglog.c). The exchange goes on only when done() reports
 * that the record is durable (group commit: one transaction for all the
 * records of an event-loop turn). While timestamping has failed for
 * longer than the acceptable period, new requests are refused
 * (Server.*.LoggingFailed.TimestamperFailed); responses to exchanges
 * already under way are still logged.
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include <event2/event.h>

#include "log.h"
#include "securityserverd.h"
#include "msglog.h"
#include "evidence.h"

struct msglog_req {
	struct ssd	*mq_sd;
	struct event	*mq_ev;		/* deferred refusal */
	msglog_done_fn	 mq_done;
	void		*mq_arg;
	int		 mq_rc;
	const char	*mq_why;
	int		 mq_cancelled;
	int		 mq_pending;	/* msglog_append callback to come */
};

static void
refuse_fire(evutil_socket_t fd, short ev, void *arg)
{
	struct msglog_req	*mq = arg;
	msglog_done_fn		 done = mq->mq_done;
	void			*darg = mq->mq_arg;
	int			 rc = mq->mq_rc;
	const char		*why = mq->mq_why;

	(void)fd;
	(void)ev;
	event_free(mq->mq_ev);
	free(mq);
	done(rc, why, darg);
}

static void
appended(int rc, int64_t id, void *arg)
{
	struct msglog_req *mq = arg;

	(void)id;
	if (!mq->mq_cancelled) {
		if (rc != 0)
			log_warnx("msglog: record not written: %s",
			    msglog_strerror(rc));
		mq->mq_done(rc == 0 ? 0 : -1, rc == 0 ? "" :
		    msglog_strerror(rc), mq->mq_arg);
	}
	free(mq);
}

/* Answer later, from the loop, as the hook's contract says. */
static struct msglog_req *
refuse_later(struct ssd *sd, struct msglog_req *mq, int rc, const char *why)
{
	mq->mq_rc = rc;
	mq->mq_why = why;
	if ((mq->mq_ev = event_new(sd->sd_base, -1, 0, refuse_fire, mq)) ==
	    NULL) {
		free(mq);
		return NULL;
	}
	event_active(mq->mq_ev, EV_TIMEOUT, 0);
	return mq;
}

struct msglog_req *
msglog_hook(struct ssd *sd, const struct msglog_rec *rec, msglog_done_fn done,
    void *arg)
{
	struct msglog_req	*mq;
	struct msglog_record	 r;
	int			 rc;

	if ((mq = calloc(1, sizeof(*mq))) == NULL)
		return NULL;
	mq->mq_sd = sd;
	mq->mq_done = done;
	mq->mq_arg = arg;
	if (sd->sd_msglog == NULL)
		return refuse_later(sd, mq, -1, "the message log is not open");
	if ((rec->mr_point == MSGLOG_CLIENT_REQUEST ||
	    rec->mr_point == MSGLOG_SERVER_REQUEST) && sd->sd_ts != NULL &&
	    timestamper_refuse(sd->sd_ts))
		return refuse_later(sd, mq, MSGLOG_HOOK_TSFAIL,
		    "time-stamping has failed for longer than the acceptable "
		    "period");

	memset(&r, 0, sizeof(r));
	r.mr_query_id = rec->mr_query_id;
	r.mr_request_id = rec->mr_request_id;
	r.mr_client = rec->mr_client;
	r.mr_service = rec->mr_service;
	r.mr_side = (rec->mr_point == MSGLOG_CLIENT_REQUEST ||
	    rec->mr_point == MSGLOG_CLIENT_RESPONSE) ? MSGLOG_CLIENT_PROXY :
	    MSGLOG_SERVER_PROXY;
	r.mr_direction = (rec->mr_point == MSGLOG_CLIENT_REQUEST ||
	    rec->mr_point == MSGLOG_SERVER_REQUEST) ? MSGLOG_REQUEST :
	    MSGLOG_RESPONSE;
	r.mr_rest = rec->mr_rest;
	r.mr_body_logging = rec->mr_body_logging ? MSGLOG_BODY_DEFAULT :
	    MSGLOG_BODY_OFF;
	r.mr_message = rec->mr_message;
	r.mr_message_len = rec->mr_message_len;
	r.mr_body = rec->mr_body;
	r.mr_body_len = rec->mr_body_len;
	r.mr_signature = rec->mr_signature;
	r.mr_signature_len = rec->mr_signature_len;
	r.mr_sig_hashchain = rec->mr_hc;
	r.mr_sig_hashchain_len = rec->mr_hc_len;
	r.mr_sig_hashchain_result = rec->mr_hcr;
	r.mr_sig_hashchain_result_len = rec->mr_hcr_len;
	if ((rc = msglog_append(sd->sd_msglog, &r, appended, mq)) != 0) {
		log_warnx("msglog: %s (query id %s)", msglog_strerror(rc),
		    rec->mr_query_id != NULL ? rec->mr_query_id : "-");
		return refuse_later(sd, mq, -1, msglog_strerror(rc));
	}
	mq->mq_pending = 1;
	return mq;
}

void
msglog_cancel(struct msglog_req *mq)
{
	if (mq == NULL)
		return;
	if (mq->mq_pending) {
		/* The append finishes anyway; its callback frees mq. */
		mq->mq_cancelled = 1;
		return;
	}
	event_free(mq->mq_ev);
	free(mq);
}

/* Open the log and its timestamper (securityserverd.c start-up). */
int
ssd_msglog_start(struct ssd *sd)
{
	if (msglog_open_ssd(sd, &sd->sd_msglog) == -1) {
		log_warnx("cannot open the message log");
		return -1;
	}
	if (timestamper_new_ssd(sd, sd->sd_msglog, &sd->sd_ts) == -1) {
		log_warnx("cannot start the timestamper");
		return -1;
	}
	if (archiver_new_ssd(sd, &sd->sd_archiver) == -1) {
		log_warnx("cannot start the archiver");
		return -1;
	}
	return 0;
}

void
ssd_msglog_stop(struct ssd *sd)
{
	archiver_free(sd->sd_archiver);
	sd->sd_archiver = NULL;
	timestamper_free(sd->sd_ts);
	sd->sd_ts = NULL;
	msglog_close(sd->sd_msglog);
	sd->sd_msglog = NULL;
}
