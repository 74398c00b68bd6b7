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

#endif /* HK_EVIDENCE_H */
