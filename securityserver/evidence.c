/*
 * evidence.c: /asic and /verificationconf on the admin port (see
 * evidence.h).
 */
#include "config.h"

#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <event2/http.h>
#include <zip.h>

#include "archive.h"
#include "asic.h"
#include "buf.h"
#include "file.h"
#include "http.h"
#include "log.h"
#include "msglog.h"
#include "securityserverd.h"
#include "evidence.h"

#define EVIDENCE_GC_MAX		(16 * 1024 * 1024)
#define EVIDENCE_CTYPE		"application/zip"

int
evidence_entry_asic(const struct msglog_entry *e, unsigned char **out,
    size_t *outlen, char *err, size_t errlen)
{
	struct asic_parts	p;
	struct asic_data	att;

	memset(&p, 0, sizeof(p));
	p.ap_message.ad_data = e->me_message;
	p.ap_message.ad_len = e->me_message_len;
	if (e->me_body != NULL) {
		att.ad_data = e->me_body;
		att.ad_len = e->me_body_len;
		p.ap_attachments = &att;
		p.ap_nattachments = 1;
	}
	p.ap_signature.ad_data = (const unsigned char *)e->me_signature;
	p.ap_signature.ad_len = e->me_signature_len;
	if (e->me_sig_hashchain != NULL &&
	    e->me_sig_hashchain_result != NULL) {
		p.ap_sig_hashchain.ad_data =
		    (const unsigned char *)e->me_sig_hashchain;
		p.ap_sig_hashchain.ad_len = e->me_sig_hashchain_len;
		p.ap_sig_hashchain_result.ad_data =
		    (const unsigned char *)e->me_sig_hashchain_result;
		p.ap_sig_hashchain_result.ad_len =
		    e->me_sig_hashchain_result_len;
	}
	if (e->me_ts_id != 0 && e->me_ts_token != NULL) {
		p.ap_ts_token.ad_data = e->me_ts_token;
		p.ap_ts_token.ad_len = e->me_ts_token_len;
		if (e->me_ts_hashchain != NULL &&
		    e->me_ts_hashchain_result != NULL) {
			p.ap_ts_hashchain.ad_data =
			    (const unsigned char *)e->me_ts_hashchain;
			p.ap_ts_hashchain.ad_len = e->me_ts_hashchain_len;
			p.ap_ts_hashchain_result.ad_data =
			    (const unsigned char *)e->me_ts_hashchain_result;
			p.ap_ts_hashchain_result.ad_len =
			    e->me_ts_hashchain_result_len;
		}
	}
	p.ap_time_ms = e->me_time_ms;
	return asic_build(&p, out, outlen, err, errlen);
}

/* An in-memory zip being written. */
struct mzip {
	zip_source_t	*mz_src;
	zip_t		*mz_zip;
};

static int
mzip_open(struct mzip *mz)
{
	zip_error_t	ze;

	memset(mz, 0, sizeof(*mz));
	zip_error_init(&ze);
	if ((mz->mz_src = zip_source_buffer_create(NULL, 0, 0, &ze)) ==
	    NULL || (mz->mz_zip = zip_open_from_source(mz->mz_src,
	    ZIP_TRUNCATE, &ze)) == NULL) {
		log_warnx("evidence: zip: %s", zip_error_strerror(&ze));
		zip_error_fini(&ze);
		if (mz->mz_src != NULL)
			zip_source_free(mz->mz_src);
		mz->mz_src = NULL;
		return -1;
	}
	zip_error_fini(&ze);
	zip_source_keep(mz->mz_src);
	return 0;
}

/* Add name with a copy of data. 0 / -1. */
static int
mzip_add(struct mzip *mz, const char *name, const void *data, size_t len)
{
	zip_source_t	*s;
	void		*copy;

	if ((copy = malloc(len > 0 ? len : 1)) == NULL)
		return -1;
	if (len > 0)
		memcpy(copy, data, len);
	if ((s = zip_source_buffer(mz->mz_zip, copy, len, 1)) == NULL) {
		free(copy);
		return -1;
	}
	if (zip_file_add(mz->mz_zip, name, s, ZIP_FL_ENC_UTF_8) < 0) {
		zip_source_free(s);
		return -1;
	}
	return 0;
}

/* Close and take the bytes (caller frees *out). 0 / -1; mz is gone. */
static int
mzip_finish(struct mzip *mz, unsigned char **out, size_t *outlen)
{
	zip_stat_t	 st;
	unsigned char	*b = NULL;
	zip_int64_t	 n;
	int		 rv = -1;

	*out = NULL;
	*outlen = 0;
	if (zip_close(mz->mz_zip) == -1) {
		log_warnx("evidence: zip: %s", zip_strerror(mz->mz_zip));
		zip_discard(mz->mz_zip);
		goto done;
	}
	zip_stat_init(&st);
	if (zip_source_stat(mz->mz_src, &st) == -1 ||
	    (st.valid & ZIP_STAT_SIZE) == 0 || st.size > SIZE_MAX - 1 ||
	    zip_source_open(mz->mz_src) == -1)
		goto done;
	if ((b = malloc(st.size + 1)) == NULL) {
		zip_source_close(mz->mz_src);
		goto done;
	}
	n = zip_source_read(mz->mz_src, b, st.size);
	zip_source_close(mz->mz_src);
	if (n < 0 || (zip_uint64_t)n != st.size) {
		free(b);
		goto done;
	}
	*out = b;
	*outlen = st.size;
	rv = 0;
 done:
	zip_source_free(mz->mz_src);
	mz->mz_src = NULL;
	mz->mz_zip = NULL;
	return rv;
}

static void
mzip_discard(struct mzip *mz)
{
	if (mz->mz_zip != NULL)
		zip_discard(mz->mz_zip);
	if (mz->mz_src != NULL)
		zip_source_free(mz->mz_src);
	mz->mz_zip = NULL;
	mz->mz_src = NULL;
}

static int
part_ok(const char *s)
{
	return s != NULL && *s != '\0' && strchr(s, '/') == NULL &&
	    strlen(s) < 256;
}

static void
asic_get(struct evhttp_request *req, void *arg)
{
	struct ssd		*sd = arg;
	struct http_query	*q = NULL;
	const char		*qid, *inst, *cls, *code, *sub;
	char			 client[1100], name[ARCHIVE_NAME_MAX + 1];
	char			 err[256];
	int64_t			*ids = NULL;
	size_t			 n = 0, i, clen, zlen;
	unsigned char		*c = NULL, *z = NULL;
	struct msglog_entry	*e = NULL;
	struct mzip		 mz;
	int			 added = 0;

	memset(&mz, 0, sizeof(mz));
	if (http_req_query(req, &q) == -1) {
		http_reply_error_json(req, HTTP_BADREQUEST, "bad_request",
		    "Malformed query string");
		return;
	}
	qid = http_query_get(q, "queryId");
	inst = http_query_get(q, "xRoadInstance");
	cls = http_query_get(q, "memberClass");
	code = http_query_get(q, "memberCode");
	sub = http_query_get(q, "subsystemCode");
	if (qid == NULL || *qid == '\0' || !part_ok(inst) || !part_ok(cls) ||
	    !part_ok(code) || (sub != NULL && !part_ok(sub))) {
		http_reply_error_json(req, HTTP_BADREQUEST, "bad_request",
		    "queryId, xRoadInstance, memberClass and memberCode are "
		    "required");
		goto done;
	}
	if (sd->sd_msglog == NULL) {
		http_reply_error_json(req, HTTP_SERVUNAVAIL, "unavailable",
		    "The message log is not open");
		goto done;
	}
	if (sub != NULL)
		(void)snprintf(client, sizeof(client), "SUBSYSTEM:%s/%s/%s/%s",
		    inst, cls, code, sub);
	else
		(void)snprintf(client, sizeof(client), "MEMBER:%s/%s/%s",
		    inst, cls, code);
	if (msglog_query_ids(sd->sd_msglog, qid, client, &ids, &n) == -1) {
		http_reply_error_json(req, HTTP_INTERNAL, "internal_error",
		    "Cannot read the message log");
		goto done;
	}
	if (n == 0) {
		http_reply_error_json(req, HTTP_NOTFOUND, "not_found",
		    "No message log records for this exchange");
		goto done;
	}
	if (mzip_open(&mz) == -1)
		goto fail;
	for (i = 0; i < n; i++) {
		if (msglog_entry_get(sd->sd_msglog, ids[i], &e) != 0)
			continue;	/* cleaned meanwhile */
		if (evidence_entry_asic(e, &c, &clen, err, sizeof(err)) ==
		    -1) {
			log_warnx("evidence: record %lld: %s",
			    (long long)ids[i], err);
			goto fail;
		}
		if (archive_container_name(e->me_query_id,
		    e->me_direction == MSGLOG_RESPONSE, (uint64_t)e->me_id,
		    name, sizeof(name)) == -1 ||
		    mzip_add(&mz, name, c, clen) == -1)
			goto fail;
		added++;
		free(c);
		c = NULL;
		msglog_entry_free(e);
		e = NULL;
	}
	if (added == 0) {
		mzip_discard(&mz);
		http_reply_error_json(req, HTTP_NOTFOUND, "not_found",
		    "No message log records for this exchange");
		goto done;
	}
	if (mzip_finish(&mz, &z, &zlen) == -1)
		goto fail;
	http_reply(req, HTTP_OK, EVIDENCE_CTYPE, z, zlen);
	goto done;
 fail:
	mzip_discard(&mz);
	http_reply_error_json(req, HTTP_INTERNAL, "internal_error",
	    "Cannot build the containers");
 done:
	free(c);
	free(z);
	msglog_entry_free(e);
	free(ids);
	http_query_free(q);
}

static void
verificationconf_get(struct evhttp_request *req, void *arg)
{
	static const char *const files[] = {
		"shared-params.xml", "private-params.xml"
	};
	struct ssd	*sd = arg;
	struct mzip	 mz;
	struct buf	*b = NULL;
	char		 path[1200];
	unsigned char	*z = NULL;
	size_t		 zlen, i;

	if (mzip_open(&mz) == -1)
		goto fail;
	for (i = 0; i < sizeof(files) / sizeof(files[0]); i++) {
		if (snprintf(path, sizeof(path), "%s/globalconf/%s",
		    sd->sd_state_dir, files[i]) >= (int)sizeof(path) ||
		    file_read(path, EVIDENCE_GC_MAX, &b) == -1) {
			mzip_discard(&mz);
			http_reply_error_json(req, HTTP_NOTFOUND, "not_found",
			    "No global configuration copy");
			return;
		}
		if (mzip_add(&mz, files[i], buf_data(b), buf_len(b)) == -1)
			goto fail;
		buf_free(b);
		b = NULL;
	}
	if (mzip_finish(&mz, &z, &zlen) == -1)
		goto fail;
	http_reply(req, HTTP_OK, EVIDENCE_CTYPE, z, zlen);
	free(z);
	return;
 fail:
	buf_free(b);
	mzip_discard(&mz);
	http_reply_error_json(req, HTTP_INTERNAL, "internal_error",
	    "Cannot build the verification configuration");
}

int
evidence_routes(struct ssd *sd)
{
	if (http_route(sd->sd_admin, EVHTTP_REQ_GET, "/asic",
	    HTTP_ROUTE_EXACT, asic_get, sd) == -1 ||
	    http_route(sd->sd_admin, EVHTTP_REQ_GET, "/verificationconf",
	    HTTP_ROUTE_EXACT, verificationconf_get, sd) == -1)
		return -1;
	return 0;
}
