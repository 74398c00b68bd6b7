/*
 * msglog_hook.c: the message log's hook, a placeholder. The message path
 * calls msglog_hook() at its four points (securityserverd.h) and goes on
 * only when done() reports success. This version keeps nothing and
 * reports success on the next turn of the event loop, so callers already
 * live with an asynchronous answer; the message-log module replaces the
 * file with one that writes the records durably.
 */
#include "config.h"

#include <stdlib.h>

#include <event2/event.h>

#include "log.h"
#include "securityserverd.h"

struct msglog_req {
	struct event	*mq_ev;
	msglog_done_fn	 mq_done;
	void		*mq_arg;
};

static void
msglog_fire(evutil_socket_t fd, short ev, void *arg)
{
	struct msglog_req	*mq = arg;
	msglog_done_fn		 done = mq->mq_done;
	void			*darg = mq->mq_arg;

	(void)fd;
	(void)ev;
	event_free(mq->mq_ev);
	free(mq);
	done(0, "", darg);
}

struct msglog_req *
msglog_hook(struct ssd *sd, const struct msglog_rec *rec, msglog_done_fn done,
    void *arg)
{
	struct msglog_req	*mq;

	log_debug("msglog: point %d, query id %s", (int)rec->mr_point,
	    rec->mr_query_id != NULL ? rec->mr_query_id : "-");
	if ((mq = calloc(1, sizeof(*mq))) == NULL)
		return NULL;
	if ((mq->mq_ev = event_new(sd->sd_base, -1, 0, msglog_fire, mq)) ==
	    NULL) {
		free(mq);
		return NULL;
	}
	mq->mq_done = done;
	mq->mq_arg = arg;
	event_active(mq->mq_ev, EV_TIMEOUT, 0);
	return mq;
}

void
msglog_cancel(struct msglog_req *mq)
{
	if (mq == NULL)
		return;
	event_free(mq->mq_ev);
	free(mq);
}
