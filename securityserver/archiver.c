/*
 * archiver.c: the message log's periodic archiver (see evidence.h).
 */
#include "config.h"

#include <sys/stat.h>

#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <event2/event.h>

#include "archive.h"
#include "conf.h"
#include "log.h"
#include "msglog.h"
#include "securityserverd.h"
#include "evidence.h"

struct archiver {
	struct msglog	*ar_ml;
	struct event	*ar_ev;
	char		 ar_dir[1100];
	uint64_t	 ar_max_size;
	long long	 ar_interval;
	long long	 ar_keep;	/* s archived records stay */
	size_t		 ar_archived;	/* records archived by this run */
};

/* The writer's callback: the archive is durable, mark its records. */
static int
written(const struct archive_written *aw, void *arg)
{
	struct archiver	*ar = arg;
	int64_t		*ids;
	size_t		 i;
	int		 rc;

	if (aw->aw_count == 0)
		return 0;
	if ((ids = reallocarray(NULL, aw->aw_count, sizeof(*ids))) == NULL)
		return -1;
	for (i = 0; i < aw->aw_count; i++)
		ids[i] = (int64_t)aw->aw_seqs[i];
	rc = msglog_mark_archived(ar->ar_ml, ids, aw->aw_count,
	    aw->aw_last_digest, aw->aw_name);
	free(ids);
	if (rc == 0) {
		ar->ar_archived += aw->aw_count;
		log_info("archiver: %s: %zu records", aw->aw_name,
		    aw->aw_count);
	}
	return rc;
}

int
archiver_run(struct archiver *ar, size_t *np)
{
	struct archive_writer_conf	 ac;
	struct archive_writer		*w = NULL;
	struct msglog_entry		*e = NULL;
	char				 digest[ARCHIVE_DIGEST_HEX + 1];
	char				 name[ARCHIVE_NAME_MAX + 1];
	char				 err[256];
	unsigned char			*c = NULL;
	size_t				 clen, n = 0, i;
	int64_t				*ids = NULL, last = 0;
	int				 rv = -1;

	ar->ar_archived = 0;
	if (np != NULL)
		*np = 0;
	if (msglog_archive_state(ar->ar_ml, digest, sizeof(digest), name,
	    sizeof(name)) == -1) {
		log_warnx("archiver: cannot read the archive chain state");
		return -1;
	}
	memset(&ac, 0, sizeof(ac));
	ac.ac_dir = ar->ar_dir;
	ac.ac_max_size = ar->ar_max_size;
	ac.ac_prev_digest = digest;
	ac.ac_prev_name = name;
	ac.ac_written = written;
	ac.ac_arg = ar;
	for (;;) {
		free(ids);
		ids = NULL;
		/*
		 * Records added to the writer but not yet written are still
		 * unarchived in the db: continue after the last one added.
		 */
		if (msglog_archivable(ar->ar_ml, last, ARCHIVER_BATCH, &ids,
		    &n) == -1) {
			log_warnx("archiver: cannot list archivable records");
			goto done;
		}
		if (n == 0)
			break;
		if (w == NULL && archive_writer_new(&ac, &w, err,
		    sizeof(err)) == -1) {
			log_warnx("archiver: %s", err);
			goto done;
		}
		for (i = 0; i < n; i++) {
			if (msglog_entry_get(ar->ar_ml, ids[i], &e) != 0) {
				log_warnx("archiver: cannot read record %lld",
				    (long long)ids[i]);
				goto done;
			}
			if (evidence_entry_asic(e, &c, &clen, err,
			    sizeof(err)) == -1 ||
			    archive_writer_add(w, e->me_query_id,
			    e->me_direction == MSGLOG_RESPONSE,
			    (uint64_t)e->me_id, e->me_time_ms, c, clen, err,
			    sizeof(err)) == -1) {
				log_warnx("archiver: record %lld: %s",
				    (long long)ids[i], err);
				goto done;
			}
			last = ids[i];
			free(c);
			c = NULL;
			msglog_entry_free(e);
			e = NULL;
		}
		n = 0;
	}
	if (w != NULL) {
		rv = archive_writer_close(w, NULL, err, sizeof(err));
		w = NULL;
		if (rv == -1)
			log_warnx("archiver: %s", err);
	} else
		rv = 0;
 done:
	archive_writer_free(w);
	free(c);
	msglog_entry_free(e);
	free(ids);
	if (np != NULL)
		*np = ar->ar_archived;
	return rv;
}

int
archiver_clean(struct archiver *ar, int64_t *deleted)
{
	struct timespec	ts;
	int64_t		now_ms, n = 0;

	if (deleted != NULL)
		*deleted = 0;
	(void)clock_gettime(CLOCK_REALTIME, &ts);
	now_ms = (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
	if (msglog_clean(ar->ar_ml, now_ms - (int64_t)ar->ar_keep * 1000, &n) ==
	    -1)
		return -1;
	if (n > 0)
		log_info("archiver: %lld archived records removed from the "
		    "message log", (long long)n);
	if (deleted != NULL)
		*deleted = n;
	return 0;
}

static void
tick(evutil_socket_t fd, short what, void *arg)
{
	struct archiver	*ar = arg;
	struct timeval	 tv;

	(void)fd;
	(void)what;
	if (archiver_run(ar, NULL) == 0)
		(void)archiver_clean(ar, NULL);
	tv.tv_sec = (time_t)ar->ar_interval;
	tv.tv_usec = 0;
	(void)event_add(ar->ar_ev, &tv);
}

int
archiver_new_ssd(struct ssd *sd, struct archiver **out)
{
	struct archiver	*ar;
	struct timeval	 tv;
	const char	*dir;

	*out = NULL;
	if ((ar = calloc(1, sizeof(*ar))) == NULL)
		return -1;
	ar->ar_ml = sd->sd_msglog;
	ar->ar_interval = conf_get_duration(sd->sd_conf, "message-log",
	    "archive-interval");
	ar->ar_keep = conf_get_duration(sd->sd_conf, "message-log",
	    "keep-records-for");
	ar->ar_max_size = conf_get_size(sd->sd_conf, "message-log",
	    "archive-max-size");
	dir = conf_get_str(sd->sd_conf, "message-log", "archive-dir");
	if ((dir != NULL && *dir != '\0' ? snprintf(ar->ar_dir,
	    sizeof(ar->ar_dir), "%s", dir) : snprintf(ar->ar_dir,
	    sizeof(ar->ar_dir), "%s/archive", sd->sd_state_dir)) >=
	    (int)sizeof(ar->ar_dir)) {
		log_warnx("archiver: archive-dir too long");
		free(ar);
		return -1;
	}
	if (mkdir(ar->ar_dir, 0750) == -1 && errno != EEXIST) {
		log_warn("archiver: %s", ar->ar_dir);
		free(ar);
		return -1;
	}
	if ((ar->ar_ev = event_new(sd->sd_base, -1, 0, tick, ar)) == NULL) {
		free(ar);
		return -1;
	}
	tv.tv_sec = (time_t)ar->ar_interval;
	tv.tv_usec = 0;
	(void)event_add(ar->ar_ev, &tv);
	*out = ar;
	return 0;
}

void
archiver_free(struct archiver *ar)
{
	if (ar == NULL)
		return;
	if (ar->ar_ev != NULL)
		event_free(ar->ar_ev);
	free(ar);
}
