/*
 * evidence.h: the message log's evidence on the admin port (NOTES.md
 * 5.3-5.4, as X-Road's /asic and /verificationconf).
 *
 * GET /asic?queryId=Q&xRoadInstance=I&memberClass=C&memberCode=M
 *     [&subsystemCode=S]
 *	a zip of the ASiC-E containers of the records of exchange Q whose
 *	client is I/C/M[/S] while they are in the message log (404 JSON if
 *	none, 400 JSON for a missing parameter).
 * GET /verificationconf
 *	a zip of the global configuration copy in state-dir/globalconf
 *	(shared-params.xml, private-params.xml), what msglog-verify -c
 *	accepts.
 */
#ifndef HK_EVIDENCE_H
#define HK_EVIDENCE_H

#include <stddef.h>
#include <stdint.h>

struct msglog_entry;
struct ssd;

/*
 * The ASiC-E container of one stored record (its body, if any, becomes
 * attachment1). *out (caller frees with free(3)). 0, or -1 with err.
 */
int	evidence_entry_asic(const struct msglog_entry *, unsigned char **out,
	    size_t *outlen, char *err, size_t errlen);

/* Register /asic and /verificationconf on sd->sd_admin. 0 / -1. */
int	evidence_routes(struct ssd *);

/*
 * archiver.c: every [message-log] archive-interval, the timestamped,
 * unarchived records go as ASiC-E containers (seq = record id) into ZIP
 * archives in archive-dir (default state-dir/archive), rotated at
 * archive-max-size, their linkinginfo continuing from the last archive's
 * digest kept in the message log. Records are marked archived only from
 * the archive writer's callback, once the archive is durable.
 */
struct archiver;
struct msglog;
struct event_base;

#define ARCHIVER_BATCH		1000	/* records read per step */

/* Start an archiver over sd->sd_msglog with sd's options. 0 / -1. */
int	archiver_new_ssd(struct ssd *, struct archiver **out);
/* Run once now; 0, or -1 (logged). Records archived in *n (may be NULL). */
int	archiver_run(struct archiver *, size_t *n);
/*
 * Remove archived records older than keep-records-for (msglog_clean);
 * each timer run does it after a successful archiver_run. 0 / -1.
 * *deleted (may be NULL): how many.
 */
int	archiver_clean(struct archiver *, int64_t *deleted);
void	archiver_free(struct archiver *);	/* NULL ok */

#endif /* HK_EVIDENCE_H */
