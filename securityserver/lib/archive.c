/*
 * archive.c: message log archives: ZIPs of ASiC-E containers chained by
 * linkinginfo (archive.h), written with libzip.
 */
#include "config.h"

#include <sys/stat.h>

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <openssl/evp.h>

#include <zip.h>

#include "archive.h"
#include "asic.h"
#include "buf.h"
#include "compat.h"

#define TIME_LEN	14		/* yyyyMMddHHmmss */

static int
fail(char *err, size_t errlen, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static int
fail(char *err, size_t errlen, const char *fmt, ...)
{
	va_list	ap;

	if (err != NULL && errlen > 0) {
		va_start(ap, fmt);
		(void)vsnprintf(err, errlen, fmt, ap);
		va_end(ap);
	}
	return -1;
}

static void
hex(const unsigned char *in, size_t len, char *out)
{
	static const char	digits[] = "0123456789abcdef";
	size_t			i;

	for (i = 0; i < len; i++) {
		out[2 * i] = digits[in[i] >> 4];
		out[2 * i + 1] = digits[in[i] & 0x0f];
	}
	out[2 * len] = '\0';
}

static int
is_hex_digest(const char *s)
{
	size_t	i;

	for (i = 0; i < ARCHIVE_DIGEST_HEX; i++)
		if (!((s[i] >= '0' && s[i] <= '9') ||
		    (s[i] >= 'a' && s[i] <= 'f')))
			return 0;
	return s[i] == '\0';
}

int
archive_container_name(const char *query_id, int response, uint64_t seq,
    char *out, size_t outlen)
{
	static const char	digits[] = "0123456789abcdefghijklmnopqrstuv";
	static const char	xd[] = "0123456789ABCDEF";
	char			q[ARCHIVE_QUERY_ID_MAX + 4], s[16];
	const unsigned char	*p;
	size_t			n = 0, k = 0;
	int			r;

	if (query_id == NULL || out == NULL)
		return -1;
	/* java.net.URLEncoder, UTF-8; stop once past the cut. */
	for (p = (const unsigned char *)query_id; *p != '\0' &&
	    n < ARCHIVE_QUERY_ID_MAX; p++) {
		if ((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') ||
		    (*p >= '0' && *p <= '9') || *p == '.' || *p == '-' ||
		    *p == '*' || *p == '_')
			q[n++] = (char)*p;
		else if (*p == ' ')
			q[n++] = '+';
		else {
			q[n++] = '%';
			q[n++] = xd[*p >> 4];
			q[n++] = xd[*p & 0x0f];
		}
	}
	if (n > ARCHIVE_QUERY_ID_MAX)
		n = ARCHIVE_QUERY_ID_MAX;
	q[n] = '\0';
	/* Long.toUnsignedString(seq, 32) */
	do {
		s[k++] = digits[seq & 31];
		seq >>= 5;
	} while (seq != 0);
	s[k] = '\0';
	for (n = 0; n < k / 2; n++) {
		char t = s[n];

		s[n] = s[k - 1 - n];
		s[k - 1 - n] = t;
	}
	r = snprintf(out, outlen, "%s-%s-%s%s", q,
	    response ? "response" : "request", s, ASIC_SUFFIX);
	return r < 0 || (size_t)r >= outlen ? -1 : 0;
}

int
archive_link_digest(const char *prev_hex,
    const unsigned char container_sha512[64], char *out)
{
	EVP_MD_CTX	*ctx;
	unsigned char	 md[EVP_MAX_MD_SIZE];
	unsigned int	 mdlen;
	char		 h[ARCHIVE_DIGEST_HEX + 1];
	int		 ok;

	if (prev_hex == NULL)
		prev_hex = "";
	hex(container_sha512, 64, h);
	if ((ctx = EVP_MD_CTX_new()) == NULL)
		return -1;
	ok = EVP_DigestInit_ex(ctx, EVP_sha512(), NULL) &&
	    EVP_DigestUpdate(ctx, prev_hex, strlen(prev_hex)) &&
	    EVP_DigestUpdate(ctx, h, strlen(h)) &&
	    EVP_DigestFinal_ex(ctx, md, &mdlen);
	EVP_MD_CTX_free(ctx);
	if (!ok || mdlen != 64)
		return -1;
	hex(md, mdlen, out);
	return 0;
}

/* Writing. */

struct archive_writer {
	char			 w_dir[PATH_MAX];
	char			 w_group[ARCHIVE_GROUP_MAX + 1]; /* escaped */
	uint64_t		 w_max;
	archive_written_fn	 w_written;
	void			*w_arg;
	int			 w_broken;
	/* The chain so far. */
	char			 w_prev_digest[ARCHIVE_DIGEST_HEX + 1];
	char			 w_prev_name[ARCHIVE_NAME_MAX + 1];
	char			 w_link[ARCHIVE_DIGEST_HEX + 1];
	size_t			 w_nwritten;
	size_t			 w_ncontainers;
	/* The archive being filled. */
	zip_t			*w_zip;
	char			 w_tmp[PATH_MAX];
	struct buf		*w_info;	/* linkinginfo */
	uint64_t		*w_seqs;
	size_t			 w_nseqs, w_seqcap;
	uint64_t		 w_size;
	int64_t			 w_first_ms, w_last_ms;
};

static void
escape_group(const char *in, char *out, size_t outlen)
{
	size_t	n = 0;

	for (; *in != '\0' && n + 1 < outlen && n < ARCHIVE_GROUP_MAX; in++) {
		unsigned char c = (unsigned char)*in;

		out[n++] = (c < 0x20 || c == 0x7f || c == '\\' || c == '<' ||
		    c == '>' || c == '/' || c == ':' || c == '|' || c == '*' ||
		    c == '?') ? '_' : (char)c;
	}
	out[n] = '\0';
}

int
archive_writer_new(const struct archive_writer_conf *c,
    struct archive_writer **out, char *err, size_t errlen)
{
	struct archive_writer	*w;
	struct stat		 sb;

	*out = NULL;
	if (c == NULL || c->ac_dir == NULL)
		return fail(err, errlen, "archive: bad arguments");
	if (stat(c->ac_dir, &sb) == -1 || !S_ISDIR(sb.st_mode))
		return fail(err, errlen, "archive: %s is not a folder",
		    c->ac_dir);
	if (c->ac_prev_digest != NULL && c->ac_prev_digest[0] != '\0' &&
	    !is_hex_digest(c->ac_prev_digest))
		return fail(err, errlen, "archive: previous digest is not "
		    "%d hex digits", ARCHIVE_DIGEST_HEX);
	if ((w = calloc(1, sizeof(*w))) == NULL)
		return fail(err, errlen, "archive: out of memory");
	if (strlcpy(w->w_dir, c->ac_dir, sizeof(w->w_dir)) >=
	    sizeof(w->w_dir) ||
	    (c->ac_prev_name != NULL && strlcpy(w->w_prev_name,
	    c->ac_prev_name, sizeof(w->w_prev_name)) >=
	    sizeof(w->w_prev_name))) {
		free(w);
		return fail(err, errlen, "archive: name too long");
	}
	if (c->ac_group != NULL)
		escape_group(c->ac_group, w->w_group, sizeof(w->w_group));
	if (c->ac_prev_digest != NULL)
		(void)strlcpy(w->w_prev_digest, c->ac_prev_digest,
		    sizeof(w->w_prev_digest));
	(void)strlcpy(w->w_link, w->w_prev_digest, sizeof(w->w_link));
	w->w_max = c->ac_max_size != 0 ? c->ac_max_size :
	    ARCHIVE_MAX_SIZE_DEFAULT;
	w->w_written = c->ac_written;
	w->w_arg = c->ac_arg;
	*out = w;
	return 0;
}

static void
dos_time(int64_t ms, zip_uint16_t *dtime, zip_uint16_t *ddate)
{
	struct tm	tm;
	time_t		t = (time_t)(ms / 1000);

	if (gmtime_r(&t, &tm) == NULL || tm.tm_year < 80) {
		memset(&tm, 0, sizeof(tm));
		tm.tm_year = 80;
		tm.tm_mday = 1;
	}
	if (tm.tm_year > 207)
		tm.tm_year = 207;
	*dtime = (zip_uint16_t)((tm.tm_hour << 11) | (tm.tm_min << 5) |
	    (tm.tm_sec / 2));
	*ddate = (zip_uint16_t)(((tm.tm_year - 80) << 9) |
	    ((tm.tm_mon + 1) << 5) | tm.tm_mday);
}

static int
fmt_time(int64_t ms, char out[TIME_LEN + 1])
{
	struct tm	tm;
	time_t		t = (time_t)(ms / 1000);

	if (gmtime_r(&t, &tm) == NULL ||
	    strftime(out, TIME_LEN + 1, "%Y%m%d%H%M%S", &tm) != TIME_LEN)
		return -1;
	return 0;
}

/* Drop the archive being filled (and its temporary file). */
static void
aw_discard(struct archive_writer *w)
{
	if (w->w_zip != NULL)
		zip_discard(w->w_zip);
	w->w_zip = NULL;
	if (w->w_tmp[0] != '\0')
		(void)unlink(w->w_tmp);
	w->w_tmp[0] = '\0';
	buf_free(w->w_info);
	w->w_info = NULL;
	w->w_nseqs = 0;
	w->w_size = 0;
	(void)strlcpy(w->w_link, w->w_prev_digest, sizeof(w->w_link));
}

static int
aw_start(struct archive_writer *w, char *err, size_t errlen)
{
	int	fd, zerr;

	if (snprintf(w->w_tmp, sizeof(w->w_tmp), "%s/.mlog-XXXXXX.tmp",
	    w->w_dir) >= (int)sizeof(w->w_tmp))
		return fail(err, errlen, "archive: folder name too long");
	if ((fd = mkstemps(w->w_tmp, 4)) == -1) {
		fail(err, errlen, "archive: %s: %s", w->w_tmp, strerror(errno));
		w->w_tmp[0] = '\0';
		return -1;
	}
	(void)close(fd);
	if ((w->w_zip = zip_open(w->w_tmp, ZIP_CREATE | ZIP_TRUNCATE,
	    &zerr)) == NULL) {
		zip_error_t	ze;

		zip_error_init_with_code(&ze, zerr);
		fail(err, errlen, "archive: %s: %s", w->w_tmp,
		    zip_error_strerror(&ze));
		zip_error_fini(&ze);
		aw_discard(w);
		return -1;
	}
	if ((w->w_info = buf_new(ARCHIVE_LINKINGINFO_MAX)) == NULL ||
	    buf_printf(w->w_info, "%s %s %s\n",
	    w->w_prev_digest[0] != '\0' ? w->w_prev_digest : "-",
	    w->w_prev_name[0] != '\0' ? w->w_prev_name : "-",
	    ARCHIVE_HASH_ALG) == -1) {
		aw_discard(w);
		return fail(err, errlen, "archive: out of memory");
	}
	return 0;
}

static int
fsync_path(const char *path, int dir)
{
	int	fd, rv;

	if ((fd = open(path, O_RDONLY | (dir ? O_DIRECTORY : 0))) == -1)
		return -1;
	rv = fsync(fd);
	(void)close(fd);
	return rv;
}

/* Write the archive being filled: linkinginfo, close, fsync, rename. */
static int
aw_write(struct archive_writer *w, char *err, size_t errlen)
{
	struct archive_written	 aw;
	zip_source_t		*s;
	zip_int64_t		 idx;
	zip_uint16_t		 dt, dd;
	struct stat		 sb;
	char			 first[TIME_LEN + 1], last[TIME_LEN + 1];
	char			 name[ARCHIVE_NAME_MAX + 1], path[PATH_MAX];
	int			 r;

	if (w->w_zip == NULL || w->w_nseqs == 0)
		return 0;
	dos_time(w->w_last_ms, &dt, &dd);
	if ((s = zip_source_buffer(w->w_zip, buf_data(w->w_info),
	    buf_len(w->w_info), 0)) == NULL)
		goto zfail;
	if ((idx = zip_file_add(w->w_zip, ARCHIVE_LINKINGINFO, s, 0)) < 0) {
		zip_source_free(s);
		goto zfail;
	}
	if (zip_set_file_compression(w->w_zip, (zip_uint64_t)idx,
	    ZIP_CM_STORE, 0) == -1 ||
	    zip_file_set_dostime(w->w_zip, (zip_uint64_t)idx, dt, dd, 0) == -1)
		goto zfail;
	if (zip_close(w->w_zip) == -1)
		goto zfail;
	w->w_zip = NULL;

	if (fmt_time(w->w_first_ms, first) == -1 ||
	    fmt_time(w->w_last_ms, last) == -1) {
		fail(err, errlen, "archive: bad record time");
		goto fail;
	}
	r = snprintf(name, sizeof(name), "mlog-%s%s%s-%s-%.16s.zip",
	    w->w_group, w->w_group[0] != '\0' ? "-" : "", first, last,
	    w->w_link);
	if (r < 0 || (size_t)r >= sizeof(name) ||
	    snprintf(path, sizeof(path), "%s/%s", w->w_dir, name) >=
	    (int)sizeof(path)) {
		fail(err, errlen, "archive: name too long");
		goto fail;
	}
	if (fsync_path(w->w_tmp, 0) == -1 || rename(w->w_tmp, path) == -1) {
		fail(err, errlen, "archive: %s: %s", path, strerror(errno));
		goto fail;
	}
	w->w_tmp[0] = '\0';
	if (fsync_path(w->w_dir, 1) == -1) {
		fail(err, errlen, "archive: fsync %s: %s", w->w_dir,
		    strerror(errno));
		goto fail;
	}

	/* The chain continues from this archive. */
	(void)strlcpy(w->w_prev_digest, w->w_link, sizeof(w->w_prev_digest));
	(void)strlcpy(w->w_prev_name, name, sizeof(w->w_prev_name));
	w->w_nwritten++;
	w->w_ncontainers += w->w_nseqs;
	memset(&aw, 0, sizeof(aw));
	aw.aw_path = path;
	aw.aw_name = name;
	aw.aw_last_digest = w->w_prev_digest;
	aw.aw_seqs = w->w_seqs;
	aw.aw_count = w->w_nseqs;
	aw.aw_size = stat(path, &sb) == 0 ? (uint64_t)sb.st_size : 0;
	r = w->w_written != NULL ? w->w_written(&aw, w->w_arg) : 0;
	buf_free(w->w_info);
	w->w_info = NULL;
	w->w_nseqs = 0;
	w->w_size = 0;
	if (r != 0)
		return fail(err, errlen, "archive: %s written, but the "
		    "caller could not record it", name);
	return 0;
zfail:
	fail(err, errlen, "archive: %s: %s", w->w_tmp, zip_strerror(w->w_zip));
fail:
	aw_discard(w);
	return -1;
}

int
archive_writer_add(struct archive_writer *w, const char *query_id,
    int response, uint64_t seq, int64_t time_ms, const void *container,
    size_t len, char *err, size_t errlen)
{
	unsigned char	 md[EVP_MAX_MD_SIZE], *copy = NULL;
	char		 name[ARCHIVE_NAME_MAX + 1];
	char		 link[ARCHIVE_DIGEST_HEX + 1];
	zip_source_t	*s;
	zip_int64_t	 idx;
	zip_uint16_t	 dt, dd;
	uint64_t	*ns;

	if (w == NULL || w->w_broken)
		return fail(err, errlen, "archive: writer failed before");
	if (query_id == NULL || container == NULL || len == 0 ||
	    len > ASIC_MAX_TOTAL)
		return fail(err, errlen, "archive: bad container");
	if (archive_container_name(query_id, response, seq, name,
	    sizeof(name)) == -1)
		return fail(err, errlen, "archive: container name too long");
	if (w->w_zip == NULL && aw_start(w, err, errlen) == -1)
		goto broken;
	if (!EVP_Digest(container, len, md, NULL, EVP_sha512(), NULL) ||
	    archive_link_digest(w->w_link, md, link) == -1) {
		fail(err, errlen, "archive: digest failed");
		goto broken;
	}
	if (w->w_nseqs == w->w_seqcap) {
		size_t cap = w->w_seqcap == 0 ? 64 : w->w_seqcap * 2;

		if (cap > ARCHIVE_MAX_CONTAINERS ||
		    (ns = reallocarray(w->w_seqs, cap, sizeof(*ns))) == NULL) {
			fail(err, errlen, "archive: too many containers");
			goto broken;
		}
		w->w_seqs = ns;
		w->w_seqcap = cap;
	}
	if ((copy = malloc(len)) == NULL) {
		fail(err, errlen, "archive: out of memory");
		goto broken;
	}
	memcpy(copy, container, len);
	if ((s = zip_source_buffer(w->w_zip, copy, len, 1)) == NULL) {
		free(copy);
		goto zfail;
	}
	if ((idx = zip_file_add(w->w_zip, name, s, 0)) < 0) {
		zip_source_free(s);
		goto zfail;
	}
	dos_time(time_ms, &dt, &dd);
	if (zip_set_file_compression(w->w_zip, (zip_uint64_t)idx,
	    ZIP_CM_STORE, 0) == -1 ||
	    zip_file_set_dostime(w->w_zip, (zip_uint64_t)idx, dt, dd, 0) == -1)
		goto zfail;
	if (buf_printf(w->w_info, "%s %s\n", link, name) == -1) {
		fail(err, errlen, "archive: linkinginfo too large");
		goto broken;
	}
	(void)strlcpy(w->w_link, link, sizeof(w->w_link));
	if (w->w_nseqs == 0 || time_ms < w->w_first_ms)
		w->w_first_ms = time_ms;
	if (w->w_nseqs == 0 || time_ms > w->w_last_ms)
		w->w_last_ms = time_ms;
	w->w_seqs[w->w_nseqs++] = seq;
	w->w_size += len;
	if (w->w_size > w->w_max && aw_write(w, err, errlen) == -1)
		goto broken;
	return 0;
zfail:
	fail(err, errlen, "archive: %s", zip_strerror(w->w_zip));
broken:
	w->w_broken = 1;
	aw_discard(w);
	return -1;
}

int
archive_writer_flush(struct archive_writer *w, char *err, size_t errlen)
{
	if (w == NULL || w->w_broken)
		return fail(err, errlen, "archive: writer failed before");
	if (aw_write(w, err, errlen) == -1) {
		w->w_broken = 1;
		return -1;
	}
	return 0;
}

void
archive_writer_state(const struct archive_writer *w,
    struct archive_result *res)
{
	memset(res, 0, sizeof(*res));
	(void)strlcpy(res->ar_last_digest, w->w_prev_digest,
	    sizeof(res->ar_last_digest));
	(void)strlcpy(res->ar_last_name, w->w_prev_name,
	    sizeof(res->ar_last_name));
	res->ar_written = w->w_nwritten;
	res->ar_containers = w->w_ncontainers;
}

int
archive_writer_close(struct archive_writer *w, struct archive_result *res,
    char *err, size_t errlen)
{
	int	rv;

	if (w == NULL)
		return fail(err, errlen, "archive: bad arguments");
	rv = archive_writer_flush(w, err, errlen);
	if (res != NULL)
		archive_writer_state(w, res);
	archive_writer_free(w);
	return rv;
}

void
archive_writer_free(struct archive_writer *w)
{
	if (w == NULL)
		return;
	aw_discard(w);
	free(w->w_seqs);
	free(w);
}

/* Reading. */

static int
all_digits(const char *s, size_t n)
{
	size_t	i;

	for (i = 0; i < n; i++)
		if (s[i] < '0' || s[i] > '9')
			return 0;
	return 1;
}

int
archive_parse_name(const char *name, char *group, size_t grouplen,
    char first[15], char last[15], char digest16[17])
{
	size_t		len, glen, i;
	const char	*t;

	/* mlog-[G-]FFFFFFFFFFFFFF-LLLLLLLLLLLLLL-DDDDDDDDDDDDDDDD.zip */
	len = strlen(name);
	if (len < 5 + 14 + 1 + 14 + 1 + 16 + 4 ||
	    strncmp(name, "mlog-", 5) != 0 ||
	    strcmp(name + len - 4, ".zip") != 0)
		return -1;
	t = name + len - 4 - 16 - 1 - 14 - 1 - 14;
	if (!all_digits(t, 14) || t[14] != '-' || !all_digits(t + 15, 14) ||
	    t[29] != '-')
		return -1;
	for (i = 0; i < 16; i++)
		if (!((t[30 + i] >= '0' && t[30 + i] <= '9') ||
		    (t[30 + i] >= 'a' && t[30 + i] <= 'f')))
			return -1;
	glen = (size_t)(t - (name + 5));
	if (glen == 1 || (glen > 1 && t[-1] != '-'))
		return -1;
	glen = glen > 0 ? glen - 1 : 0;
	if (glen + 1 > grouplen)
		return -1;
	memcpy(group, name + 5, glen);
	group[glen] = '\0';
	memcpy(first, t, 14);
	first[14] = '\0';
	memcpy(last, t + 15, 14);
	last[14] = '\0';
	memcpy(digest16, t + 30, 16);
	digest16[16] = '\0';
	return 0;
}

int
archive_parse_container_name(const char *name, int *response, char *qid,
    size_t qidlen)
{
	const char	*end, *p, *q;
	size_t		 n;

	n = strlen(name);
	if (n < strlen(ASIC_SUFFIX) ||
	    strcmp(name + n - strlen(ASIC_SUFFIX), ASIC_SUFFIX) != 0)
		return -1;
	end = name + n - strlen(ASIC_SUFFIX);
	/* The seq: base-32 digits after the last '-'. */
	for (p = end; p > name && p[-1] != '-'; p--)
		if (!((p[-1] >= '0' && p[-1] <= '9') ||
		    (p[-1] >= 'a' && p[-1] <= 'v')))
			return -1;
	if (p == end || p == name)
		return -1;
	p--;		/* the '-' before the seq */
	if ((size_t)(p - name) >= 9 && strncmp(p - 9, "-response", 9) == 0) {
		*response = 1;
		q = p - 9;
	} else if ((size_t)(p - name) >= 8 &&
	    strncmp(p - 8, "-request", 8) == 0) {
		*response = 0;
		q = p - 8;
	} else
		return -1;
	if ((size_t)(q - name) + 1 > qidlen)
		return -1;
	memcpy(qid, name, (size_t)(q - name));
	qid[q - name] = '\0';
	return 0;
}

void
archive_info_free(struct archive_info *ai)
{
	if (ai == NULL)
		return;
	free(ai->ai_links);
	free(ai);
}

/* Parse linkinginfo into ai. 0, or -1 with the reason in err. */
static int
parse_linkinginfo(const char *s, size_t len, struct archive_info *ai,
    char *err, size_t errlen)
{
	const char	*p = s, *end = s + len, *nl, *sp1, *sp2;
	struct archive_link *l;
	size_t		 n, cap = 0, lineno = 1;

	if (len == 0 || s[len - 1] != '\n' || memchr(s, '\0', len) != NULL)
		return fail(err, errlen, "not LF-terminated text");
	/* Header: digest name alg */
	nl = memchr(p, '\n', (size_t)(end - p));
	if ((sp1 = memchr(p, ' ', (size_t)(nl - p))) == NULL ||
	    (sp2 = memchr(sp1 + 1, ' ', (size_t)(nl - sp1 - 1))) == NULL ||
	    memchr(sp2 + 1, ' ', (size_t)(nl - sp2 - 1)) != NULL)
		return fail(err, errlen, "line 1: not \"digest name "
		    "algorithm\"");
	n = (size_t)(sp1 - p);
	if (n == 1 && p[0] == '-')
		ai->ai_prev_digest[0] = '\0';
	else if (n == ARCHIVE_DIGEST_HEX) {
		memcpy(ai->ai_prev_digest, p, n);
		ai->ai_prev_digest[n] = '\0';
		if (!is_hex_digest(ai->ai_prev_digest))
			return fail(err, errlen, "line 1: bad digest");
	} else
		return fail(err, errlen, "line 1: bad digest");
	n = (size_t)(sp2 - sp1 - 1);
	if (n == 0 || n > ARCHIVE_NAME_MAX)
		return fail(err, errlen, "line 1: bad archive name");
	if (n == 1 && sp1[1] == '-')
		ai->ai_prev_name[0] = '\0';
	else {
		memcpy(ai->ai_prev_name, sp1 + 1, n);
		ai->ai_prev_name[n] = '\0';
	}
	n = (size_t)(nl - sp2 - 1);
	if (n == 0 || n >= sizeof(ai->ai_alg))
		return fail(err, errlen, "line 1: bad algorithm");
	memcpy(ai->ai_alg, sp2 + 1, n);
	ai->ai_alg[n] = '\0';
	if (strcmp(ai->ai_alg, ARCHIVE_HASH_ALG) != 0)
		return fail(err, errlen, "line 1: algorithm %s is not %s",
		    ai->ai_alg, ARCHIVE_HASH_ALG);
	(void)strlcpy(ai->ai_last_digest, ai->ai_prev_digest,
	    sizeof(ai->ai_last_digest));

	for (p = nl + 1; p < end; p = nl + 1) {
		lineno++;
		nl = memchr(p, '\n', (size_t)(end - p));
		if ((size_t)(nl - p) < ARCHIVE_DIGEST_HEX + 2 ||
		    p[ARCHIVE_DIGEST_HEX] != ' ')
			return fail(err, errlen, "line %zu: not \"digest "
			    "name\"", lineno);
		n = (size_t)(nl - p) - ARCHIVE_DIGEST_HEX - 1;
		if (n > ARCHIVE_NAME_MAX || memchr(p + ARCHIVE_DIGEST_HEX + 1,
		    ' ', n) != NULL)
			return fail(err, errlen, "line %zu: bad name", lineno);
		if (ai->ai_nlinks == cap) {
			cap = cap == 0 ? 64 : cap * 2;
			if (cap > ARCHIVE_MAX_CONTAINERS ||
			    (l = reallocarray(ai->ai_links, cap,
			    sizeof(*l))) == NULL)
				return fail(err, errlen, "too many lines");
			ai->ai_links = l;
		}
		l = &ai->ai_links[ai->ai_nlinks];
		memcpy(l->al_digest, p, ARCHIVE_DIGEST_HEX);
		l->al_digest[ARCHIVE_DIGEST_HEX] = '\0';
		memcpy(l->al_name, p + ARCHIVE_DIGEST_HEX + 1, n);
		l->al_name[n] = '\0';
		if (!is_hex_digest(l->al_digest))
			return fail(err, errlen, "line %zu: bad digest",
			    lineno);
		ai->ai_nlinks++;
		(void)strlcpy(ai->ai_last_digest, l->al_digest,
		    sizeof(ai->ai_last_digest));
	}
	return 0;
}

static void
problem(struct archive_info *ai, archive_problem_fn fn, void *arg,
    const char *where, const char *fmt, ...)
    __attribute__((format(printf, 5, 6)));

static void
problem(struct archive_info *ai, archive_problem_fn fn, void *arg,
    const char *where, const char *fmt, ...)
{
	va_list	ap;
	char	msg[512];

	ai->ai_problems++;
	va_start(ap, fmt);
	(void)vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	if (fn != NULL)
		fn(ai->ai_name, where, msg, arg);
}

int
archive_verify(const char *path, archive_container_fn fn,
    archive_problem_fn pfn, void *arg, struct archive_info **out)
{
	struct archive_info	*ai;
	zip_t			*za = NULL;
	zip_error_t		 ze;
	zip_int64_t		 nent;
	zip_uint64_t		 i, li;
	unsigned char		*data = NULL, md[EVP_MAX_MD_SIZE];
	const char		*name, *base;
	char			 err[512], link[ARCHIVE_DIGEST_HEX + 1];
	char			 d16[17];
	const char		*prev;
	size_t			 len, k;
	int			 zerr, rv = -1, info_ok = 0;

	if (out != NULL)
		*out = NULL;
	if ((ai = calloc(1, sizeof(*ai))) == NULL)
		return -1;
	base = strrchr(path, '/') != NULL ? strrchr(path, '/') + 1 : path;
	(void)strlcpy(ai->ai_name, base, sizeof(ai->ai_name));
	ai->ai_name_ok = archive_parse_name(ai->ai_name, ai->ai_group,
	    sizeof(ai->ai_group), ai->ai_first, ai->ai_last, d16) == 0;

	if ((za = zip_open(path, ZIP_RDONLY | ZIP_CHECKCONS, &zerr)) == NULL) {
		zip_error_init_with_code(&ze, zerr);
		problem(ai, pfn, arg, "zip", "%s", zip_error_strerror(&ze));
		zip_error_fini(&ze);
		goto done;
	}
	nent = zip_get_num_entries(za, 0);
	if (nent < 1 || nent > ARCHIVE_MAX_CONTAINERS + 1) {
		problem(ai, pfn, arg, "zip", "%lld entries", (long long)nent);
		goto done;
	}
	li = (zip_uint64_t)nent - 1;
	if ((name = zip_get_name(za, li, ZIP_FL_ENC_RAW)) == NULL ||
	    strcmp(name, ARCHIVE_LINKINGINFO) != 0) {
		problem(ai, pfn, arg, ARCHIVE_LINKINGINFO, "missing, or not "
		    "the last entry");
		goto done;
	}
	if (asic_zip_read(za, li, ARCHIVE_LINKINGINFO,
	    ARCHIVE_LINKINGINFO_MAX, NULL, &data, &len, err,
	    sizeof(err)) == -1)
		problem(ai, pfn, arg, ARCHIVE_LINKINGINFO, "%s", err);
	else if (parse_linkinginfo((const char *)data, len, ai, err,
	    sizeof(err)) == -1)
		problem(ai, pfn, arg, ARCHIVE_LINKINGINFO, "%s", err);
	else
		info_ok = 1;
	free(data);
	data = NULL;
	if (!info_ok) {
		/* The containers can still be checked one by one. */
		ai->ai_nlinks = 0;
		for (i = 0; i < li && fn != NULL; i++) {
			char ename[ARCHIVE_NAME_MAX + 1];

			if ((name = zip_get_name(za, i, ZIP_FL_ENC_RAW)) ==
			    NULL)
				continue;
			(void)strlcpy(ename, name, sizeof(ename));
			if (asic_zip_read(za, i, ename, ASIC_MAX_TOTAL, NULL,
			    &data, &len, err, sizeof(err)) == -1) {
				problem(ai, pfn, arg, ename, "%s", err);
				continue;
			}
			fn(ai->ai_name, ename, data, len, arg);
			free(data);
			data = NULL;
		}
		goto done;
	}
	if (ai->ai_nlinks == 0)
		problem(ai, pfn, arg, ARCHIVE_LINKINGINFO, "lists no "
		    "containers");
	if (ai->ai_nlinks != (size_t)li)
		problem(ai, pfn, arg, ARCHIVE_LINKINGINFO, "lists %zu "
		    "containers, the archive holds %llu", ai->ai_nlinks,
		    (unsigned long long)li);

	prev = ai->ai_prev_digest;
	for (i = 0; i < li; i++) {
		char ename[ARCHIVE_NAME_MAX + 1];

		if ((name = zip_get_name(za, i, ZIP_FL_ENC_RAW)) == NULL) {
			problem(ai, pfn, arg, "zip", "entry %llu: %s",
			    (unsigned long long)i, zip_strerror(za));
			continue;
		}
		(void)strlcpy(ename, name, sizeof(ename));
		k = (size_t)i;
		if (k >= ai->ai_nlinks)
			problem(ai, pfn, arg, ename, "not in linkinginfo");
		else if (strcmp(ename, ai->ai_links[k].al_name) != 0)
			problem(ai, pfn, arg, ename, "linkinginfo line %zu "
			    "names %s here (missing, extra or reordered "
			    "container)", k + 2, ai->ai_links[k].al_name);
		if (asic_zip_read(za, i, ename, ASIC_MAX_TOTAL, NULL, &data,
		    &len, err, sizeof(err)) == -1) {
			problem(ai, pfn, arg, ename, "%s", err);
			if (k < ai->ai_nlinks)
				prev = ai->ai_links[k].al_digest;
			continue;
		}
		if (k < ai->ai_nlinks) {
			if (!EVP_Digest(data, len, md, NULL, EVP_sha512(),
			    NULL) || archive_link_digest(prev, md, link) == -1)
				problem(ai, pfn, arg, ename, "digest failed");
			else if (strcmp(link, ai->ai_links[k].al_digest) != 0)
				problem(ai, pfn, arg, ename, "linking digest "
				    "does not match linkinginfo line %zu: the "
				    "container or that line was altered", k + 2);
			prev = ai->ai_links[k].al_digest;
		}
		if (fn != NULL)
			fn(ai->ai_name, ename, data, len, arg);
		free(data);
		data = NULL;
	}
	for (k = (size_t)li; k < ai->ai_nlinks; k++)
		problem(ai, pfn, arg, ai->ai_links[k].al_name, "in linkinginfo "
		    "but not in the archive");
	if (ai->ai_name_ok && ai->ai_nlinks > 0 &&
	    strncmp(d16, ai->ai_last_digest, 16) != 0)
		problem(ai, pfn, arg, "file name", "ends in %s, the last "
		    "linking digest starts %.16s", d16, ai->ai_last_digest);
	rv = (int)ai->ai_problems;
done:
	free(data);
	if (za != NULL)
		zip_discard(za);
	if (rv == -1 && !info_ok) {
		archive_info_free(ai);
		return -1;
	}
	if (rv == -1)
		rv = (int)ai->ai_problems;
	if (out != NULL)
		*out = ai;
	else
		archive_info_free(ai);
	return rv;
}

int
archive_check_link(const struct archive_info *prev,
    const struct archive_info *next, char *err, size_t errlen)
{
	if (next->ai_prev_name[0] == '\0')
		return fail(err, errlen, "%s starts a new chain, expected it "
		    "to follow %s", next->ai_name, prev->ai_name);
	if (strcmp(next->ai_prev_name, prev->ai_name) != 0)
		return fail(err, errlen, "%s follows %s, not %s (an archive "
		    "is missing or was renamed)", next->ai_name,
		    next->ai_prev_name, prev->ai_name);
	if (strcmp(next->ai_prev_digest, prev->ai_last_digest) != 0)
		return fail(err, errlen, "%s continues from digest %.16s..., "
		    "%s ends in %.16s... (an archive was altered)",
		    next->ai_name, next->ai_prev_digest, prev->ai_name,
		    prev->ai_last_digest);
	return 0;
}
