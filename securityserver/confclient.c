/*
 * confclient.c: the global configuration client (NOTES.md 4.8). Trusts
 * only the configuration anchor; every update-interval it downloads the
 * signed directory, verifies its signature and expiry, fetches the listed
 * shared and private parameters, checks their hashes, validates them
 * against the schema and swaps the new snapshot in atomically. The last
 * good copy is kept on disk so a restart can serve until it expires; once
 * the copy in use has expired, exchange stops (OutdatedGlobalConf) until a
 * fresh one arrives.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <event2/event.h>

#include "anchor.h"
#include "buf.h"
#include "certcheck.h"
#include "compat.h"
#include "conf.h"
#include "file.h"
#include "gconfdir.h"
#include "globalconf.h"
#include "httpc.h"
#include "log.h"
#include "securityserverd.h"

#define CC_FILE_MAX	(16 * 1024 * 1024)

struct confclient {
	struct ssd		*cc_sd;
	struct anchor		*cc_anchor;
	char			 cc_dir[1100];		/* on-disk copy */
	char			 cc_schema_dir[1024];
	struct httpc_ev		*cc_http;
	struct event		*cc_timer;
	struct gc_snap		*cc_snap;
	/* The download in progress. */
	int			 cc_busy;
	struct gconf_dir	*cc_gdir;
	struct buf		*cc_dirbody;
	char			*cc_dirctype;
	struct buf		*cc_shared;
	struct buf		*cc_private;
	int			 cc_pending;
	int			 cc_failed;
	char			 cc_url[1024];		/* the source used */
	time_t			 cc_last_ok;
	char			 cc_last_error[256];
};

static void	cc_fetch(struct confclient *);

static void
snap_free(struct gc_snap *s)
{
	if (s == NULL)
		return;
	gconf_free(s->gs_gc);
	certcheck_trust_free(s->gs_trust);
	sk_X509_free(s->gs_ocsp_responders);
	free(s);
}

struct gc_snap *
confclient_acquire(struct ssd *sd)
{
	struct confclient *cc = sd->sd_cc;

	if (cc == NULL || cc->cc_snap == NULL ||
	    time(NULL) >= cc->cc_snap->gs_expires)
		return NULL;
	cc->cc_snap->gs_refs++;
	return cc->cc_snap;
}

void
confclient_release(struct gc_snap *s)
{
	if (s != NULL && --s->gs_refs == 0)
		snap_free(s);
}

long long
confclient_remaining(struct ssd *sd)
{
	struct confclient *cc = sd->sd_cc;

	if (cc == NULL || cc->cc_snap == NULL)
		return -1;
	return (long long)(cc->cc_snap->gs_expires - time(NULL));
}

const char *
confclient_last_error(struct ssd *sd)
{
	return sd->sd_cc != NULL ? sd->sd_cc->cc_last_error : "";
}

/* Build a snapshot from the parsed parameters: trust store, responders. */
static struct gc_snap *
snap_new(struct gconf *gc, time_t expires)
{
	struct gc_snap		*s;
	const struct gconf_ca	*cas;
	size_t			 nca, i, j, k;

	if ((s = calloc(1, sizeof(*s))) == NULL)
		return NULL;
	s->gs_refs = 1;
	s->gs_gc = gc;
	s->gs_expires = expires;
	if ((s->gs_trust = certcheck_trust_new()) == NULL ||
	    (s->gs_ocsp_responders = sk_X509_new_null()) == NULL)
		goto fail;
	cas = gconf_cas(gc, &nca);
	for (i = 0; i < nca; i++) {
		const struct gconf_cainfo *lv = &cas[i].gc_top;

		if (lv->gi_x509 == NULL ||
		    certcheck_trust_add(s->gs_trust, lv->gi_x509) == -1)
			goto fail;
		for (j = 0; j <= cas[i].gc_ninter; j++) {
			if (j > 0) {
				lv = &cas[i].gc_inter[j - 1];
				if (lv->gi_x509 == NULL ||
				    certcheck_trust_add_intermediate(
				    s->gs_trust, lv->gi_x509) == -1)
					goto fail;
			}
			for (k = 0; k < lv->gi_nocsp; k++)
				if (lv->gi_ocsp[k].go_x509 != NULL)
					sk_X509_push(s->gs_ocsp_responders,
					    lv->gi_ocsp[k].go_x509);
		}
	}
	return s;
fail:
	s->gs_gc = NULL;	/* the caller still owns gc */
	snap_free(s);
	return NULL;
}

/*
 * Verify and install a directory with its two files. save: also write
 * them to disk as the last good copy.
 */
static int
cc_install(struct confclient *cc, const void *dir, size_t dirlen,
    const char *ctype, const struct buf *shared, const struct buf *priv,
    int save)
{
	struct gconf_dir		*gd = NULL;
	const struct gconf_dir_entry	*es, *ep;
	struct gconf			*gc = NULL;
	struct gc_snap			*s;
	char				 err[512], path[1200];

	if (gconf_dir_parse_verify(&gd, dir, dirlen, ctype, cc->cc_anchor,
	    GCONF_VERSION, time(NULL), err, sizeof(err)) != 0)
		goto fail;
	es = gconf_dir_find(gd, GCONF_CID_SHARED, NULL);
	ep = gconf_dir_find(gd, GCONF_CID_PRIVATE, NULL);
	if (es == NULL || ep == NULL) {
		strlcpy(err, "directory lists no shared or private parameters",
		    sizeof(err));
		goto fail;
	}
	if (gconf_dir_verify_file(es, buf_data(shared), buf_len(shared)) != 0 ||
	    gconf_dir_verify_file(ep, buf_data(priv), buf_len(priv)) != 0) {
		strlcpy(err, "a parameters file does not match its hash",
		    sizeof(err));
		goto fail;
	}
	if (gconf_parse(&gc, GCONF_VERSION, buf_data(shared), buf_len(shared),
	    buf_data(priv), buf_len(priv), cc->cc_schema_dir, err,
	    sizeof(err)) != 0)
		goto fail;
	if (strcmp(gconf_instance(gc), anchor_instance(cc->cc_anchor)) != 0) {
		snprintf(err, sizeof(err), "instance %.200s is not the anchor's %.200s",
		    gconf_instance(gc), anchor_instance(cc->cc_anchor));
		goto fail;
	}
	if ((s = snap_new(gc, gconf_dir_expire(gd))) == NULL) {
		strlcpy(err, "out of memory", sizeof(err));
		goto fail;
	}
	gc = NULL;
	if (save) {
		if (snprintf(path, sizeof(path), "%s/directory", cc->cc_dir) <
		    (int)sizeof(path))
			(void)file_write_atomic(path, dir, dirlen, 0644);
		if (snprintf(path, sizeof(path), "%s/directory.ctype",
		    cc->cc_dir) < (int)sizeof(path))
			(void)file_write_atomic(path, ctype, strlen(ctype),
			    0644);
		if (snprintf(path, sizeof(path), "%s/shared-params.xml",
		    cc->cc_dir) < (int)sizeof(path))
			(void)file_write_atomic(path, buf_data(shared),
			    buf_len(shared), 0644);
		if (snprintf(path, sizeof(path), "%s/private-params.xml",
		    cc->cc_dir) < (int)sizeof(path))
			(void)file_write_atomic(path, buf_data(priv),
			    buf_len(priv), 0644);
	}
	confclient_release(cc->cc_snap);
	cc->cc_snap = s;
	cc->cc_last_ok = time(NULL);
	cc->cc_last_error[0] = '\0';
	gconf_dir_free(gd);
	return 0;
fail:
	strlcpy(cc->cc_last_error, err, sizeof(cc->cc_last_error));
	gconf_free(gc);
	gconf_dir_free(gd);
	return -1;
}

static void
cc_reset(struct confclient *cc)
{
	gconf_dir_free(cc->cc_gdir);
	buf_free(cc->cc_dirbody);
	free(cc->cc_dirctype);
	buf_free(cc->cc_shared);
	buf_free(cc->cc_private);
	cc->cc_gdir = NULL;
	cc->cc_dirbody = NULL;
	cc->cc_dirctype = NULL;
	cc->cc_shared = NULL;
	cc->cc_private = NULL;
	cc->cc_pending = 0;
	cc->cc_failed = 0;
	cc->cc_busy = 0;
}

static void
cc_fail(struct confclient *cc, const char *what, const char *why)
{
	snprintf(cc->cc_last_error, sizeof(cc->cc_last_error), "%.100s: %.140s",
	    what, why);
	log_warnx("global conf: %s", cc->cc_last_error);
}

struct cc_file_call {
	struct confclient	*fc_cc;
	struct buf		**fc_slot;
	char			 fc_what[32];
};

static void
cc_file_cb(int rc, struct httpc_resp *resp, const char *errmsg, void *arg)
{
	struct cc_file_call	*fc = arg;
	struct confclient	*cc = fc->fc_cc;

	if (rc != 0) {
		cc->cc_failed = 1;
		cc_fail(cc, fc->fc_what, errmsg);
	} else if (httpc_resp_status(resp) != 200) {
		cc->cc_failed = 1;
		cc_fail(cc, fc->fc_what, "HTTP status not 200");
	} else
		*fc->fc_slot = httpc_resp_take_body(resp);
	httpc_resp_free(resp);
	free(fc);
	if (--cc->cc_pending > 0)
		return;
	if (!cc->cc_failed) {
		if (cc_install(cc, buf_data(cc->cc_dirbody),
		    buf_len(cc->cc_dirbody), cc->cc_dirctype, cc->cc_shared,
		    cc->cc_private, 1) == 0)
			log_info("global conf: updated, expires in %lld s",
			    confclient_remaining(cc->cc_sd));
		else
			log_warnx("global conf: refused: %s",
			    cc->cc_last_error);
	}
	cc_reset(cc);
}

static int
cc_get_file(struct confclient *cc, const struct gconf_dir_entry *e,
    struct buf **slot, const char *what)
{
	struct cc_file_call	*fc;
	struct httpc_req	 rq;
	char			 url[1200];

	if (gconf_dir_file_url(cc->cc_url, e->de_location, url,
	    sizeof(url)) == -1)
		return -1;
	if ((fc = calloc(1, sizeof(*fc))) == NULL)
		return -1;
	fc->fc_cc = cc;
	fc->fc_slot = slot;
	strlcpy(fc->fc_what, what, sizeof(fc->fc_what));
	memset(&rq, 0, sizeof(rq));
	rq.hr_method = "GET";
	rq.hr_url = url;
	rq.hr_timeout_ms = 30000;
	rq.hr_connect_timeout_ms = 10000;
	rq.hr_max_body = CC_FILE_MAX;
	cc->cc_pending++;
	if (httpc_ev_start(cc->cc_http, &rq, cc_file_cb, fc, NULL) != 0) {
		cc->cc_pending--;
		free(fc);
		return -1;
	}
	return 0;
}

static void
cc_dir_cb(int rc, struct httpc_resp *resp, const char *errmsg, void *arg)
{
	struct confclient		*cc = arg;
	const struct gconf_dir_entry	*es, *ep;
	const char			*ct;
	char				 err[512];
	int				 vrc;

	if (rc != 0) {
		cc_fail(cc, cc->cc_url, errmsg);
		goto done;
	}
	if (httpc_resp_status(resp) != 200 ||
	    (ct = httpc_resp_header(resp, "Content-Type")) == NULL) {
		cc_fail(cc, cc->cc_url, "no directory (HTTP status or type)");
		goto done;
	}
	cc->cc_dirbody = httpc_resp_take_body(resp);
	if ((cc->cc_dirctype = strdup(ct)) == NULL)
		goto done;
	if ((vrc = gconf_dir_parse_verify(&cc->cc_gdir,
	    buf_data(cc->cc_dirbody), buf_len(cc->cc_dirbody), ct,
	    cc->cc_anchor, GCONF_VERSION, time(NULL), err, sizeof(err))) != 0) {
		cc_fail(cc, "directory", err);
		goto done;
	}
	es = gconf_dir_find(cc->cc_gdir, GCONF_CID_SHARED, NULL);
	ep = gconf_dir_find(cc->cc_gdir, GCONF_CID_PRIVATE, NULL);
	if (es == NULL || ep == NULL) {
		cc_fail(cc, "directory", "no shared or private parameters");
		goto done;
	}
	if (cc_get_file(cc, es, &cc->cc_shared, "shared parameters") == -1 ||
	    cc_get_file(cc, ep, &cc->cc_private, "private parameters") == -1) {
		cc->cc_failed = 1;
		if (cc->cc_pending == 0)
			goto done;
	}
	httpc_resp_free(resp);
	return;
done:
	httpc_resp_free(resp);
	cc_reset(cc);
}

static void
cc_fetch(struct confclient *cc)
{
	struct httpc_req	rq;
	char			url[1100];
	size_t			n = anchor_nsources(cc->cc_anchor);

	if (cc->cc_busy || n == 0)
		return;
	/* Several sources: take them in turn, one a round. */
	strlcpy(cc->cc_url, anchor_source_url(cc->cc_anchor,
	    (size_t)(time(NULL) / 60) % n), sizeof(cc->cc_url));
	if (snprintf(url, sizeof(url), "%s%sversion=%d", cc->cc_url,
	    strchr(cc->cc_url, '?') != NULL ? "&" : "?", GCONF_VERSION) >=
	    (int)sizeof(url))
		return;
	memset(&rq, 0, sizeof(rq));
	rq.hr_method = "GET";
	rq.hr_url = url;
	rq.hr_timeout_ms = 30000;
	rq.hr_connect_timeout_ms = 10000;
	rq.hr_max_body = GCONF_DIR_MAX;
	cc->cc_busy = 1;
	if (httpc_ev_start(cc->cc_http, &rq, cc_dir_cb, cc, NULL) != 0) {
		cc->cc_busy = 0;
		cc_fail(cc, url, "cannot start the download");
	}
}

static void
cc_timer_cb(evutil_socket_t fd, short ev, void *arg)
{
	(void)fd;
	(void)ev;
	cc_fetch(arg);
}

int
confclient_check_anchor(struct ssd *sd)
{
	struct confclient	*cc;
	struct buf		*b = NULL;
	const char		*path;
	char			 err[512];

	if ((cc = calloc(1, sizeof(*cc))) == NULL)
		return -1;
	cc->cc_sd = sd;
	sd->sd_cc = cc;
	path = conf_get_str(sd->sd_conf, "globalconf", "anchor");
	strlcpy(cc->cc_schema_dir, conf_get_str(sd->sd_conf, "server",
	    "schema-dir"), sizeof(cc->cc_schema_dir));
	if (file_read(path, 1024 * 1024, &b) == -1) {
		log_warn("anchor %s", path);
		return -1;
	}
	if (anchor_parse(&cc->cc_anchor, buf_data(b), buf_len(b),
	    cc->cc_schema_dir, err, sizeof(err)) != 0) {
		log_warnx("anchor %s: %s", path, err);
		buf_free(b);
		return -1;
	}
	buf_free(b);
	if (strcmp(anchor_instance(cc->cc_anchor),
	    sd->sd_server_id.instance) != 0) {
		log_warnx("anchor %s is for instance %s, this server is in %s",
		    path, anchor_instance(cc->cc_anchor),
		    sd->sd_server_id.instance);
		return -1;
	}
	return 0;
}

/* The last good copy on disk, if any, is used until it expires. */
static void
cc_load_saved(struct confclient *cc)
{
	struct buf	*dir = NULL, *ct = NULL, *sh = NULL, *pr = NULL;
	char		 path[1200];

	if (snprintf(path, sizeof(path), "%s/directory", cc->cc_dir) >=
	    (int)sizeof(path) || file_read(path, GCONF_DIR_MAX, &dir) == -1)
		goto done;
	if (snprintf(path, sizeof(path), "%s/directory.ctype", cc->cc_dir) >=
	    (int)sizeof(path) || file_read(path, 4096, &ct) == -1)
		goto done;
	if (snprintf(path, sizeof(path), "%s/shared-params.xml", cc->cc_dir) >=
	    (int)sizeof(path) || file_read(path, CC_FILE_MAX, &sh) == -1)
		goto done;
	if (snprintf(path, sizeof(path), "%s/private-params.xml",
	    cc->cc_dir) >= (int)sizeof(path) ||
	    file_read(path, CC_FILE_MAX, &pr) == -1)
		goto done;
	if (cc_install(cc, buf_data(dir), buf_len(dir), buf_str(ct), sh, pr,
	    0) == 0)
		log_info("global conf: saved copy loaded, expires in %lld s",
		    confclient_remaining(cc->cc_sd));
	else
		log_info("global conf: saved copy not usable: %s",
		    cc->cc_last_error);
done:
	buf_free(dir);
	buf_free(ct);
	buf_free(sh);
	buf_free(pr);
}

int
confclient_start(struct ssd *sd)
{
	struct confclient	*cc = sd->sd_cc;
	struct timeval		 tv;

	if (cc == NULL)
		return -1;
	if (snprintf(cc->cc_dir, sizeof(cc->cc_dir), "%s/globalconf",
	    sd->sd_state_dir) >= (int)sizeof(cc->cc_dir))
		return -1;
	if (mkdir(cc->cc_dir, 0755) == -1 && errno != EEXIST) {
		log_warn("mkdir %s", cc->cc_dir);
		return -1;
	}
	cc_load_saved(cc);
	if ((cc->cc_http = httpc_ev_new(sd->sd_base, NULL)) == NULL)
		return -1;
	tv.tv_sec = (time_t)conf_get_duration(sd->sd_conf, "globalconf",
	    "update-interval");
	tv.tv_usec = 0;
	if ((cc->cc_timer = event_new(sd->sd_base, -1, EV_PERSIST,
	    cc_timer_cb, cc)) == NULL || event_add(cc->cc_timer, &tv) == -1)
		return -1;
	cc_fetch(cc);
	return 0;
}

/* Fetch now (admin request, tests); the result comes later. */
void
confclient_fetch_now(struct ssd *sd)
{
	if (sd->sd_cc != NULL)
		cc_fetch(sd->sd_cc);
}

void
confclient_stop(struct ssd *sd)
{
	struct confclient *cc = sd->sd_cc;

	if (cc == NULL)
		return;
	if (cc->cc_timer != NULL)
		event_free(cc->cc_timer);
	httpc_ev_free(cc->cc_http);
	cc_reset(cc);
	confclient_release(cc->cc_snap);
	anchor_free(cc->cc_anchor);
	free(cc);
	sd->sd_cc = NULL;
}
