/*
 * Unit tests for archive.c: container names, the linkinginfo chain
 * across containers and archives, rotation, determinism, and that
 * changing, removing or reordering anything is found.
 */
#include "config.h"

#include <sys/stat.h>

#include <dirent.h>
#include <ftw.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <openssl/evp.h>

#include <zip.h>

#include "archive.h"
#include "compat.h"
#include "hk_check.h"

#define T0_MS	1767323045000LL		/* 2026-01-02T03:04:05Z */
#define NCONT	10
#define CSIZE	1000

static char	 dir[256];

struct written {
	char		name[NCONT][ARCHIVE_NAME_MAX + 1];
	char		digest[NCONT][ARCHIVE_DIGEST_HEX + 1];
	size_t		count[NCONT];
	uint64_t	seqs[NCONT][NCONT];
	size_t		n;
	int		fail;
};

static int
rm_entry(const char *path, const struct stat *sb, int flag, struct FTW *f)
{
	(void)sb;
	(void)flag;
	(void)f;
	return remove(path);
}

static void
setup(void)
{
	(void)snprintf(dir, sizeof(dir), "/tmp/hk-archive-XXXXXX");
	ck_assert_ptr_nonnull(mkdtemp(dir));
}

static void
teardown(void)
{
	(void)nftw(dir, rm_entry, 8, FTW_DEPTH | FTW_PHYS);
}

static void
subdir(const char *name, char *out, size_t len)
{
	(void)snprintf(out, len, "%s/%s", dir, name);
	ck_assert_int_eq(mkdir(out, 0700), 0);
}

/* Container i: CSIZE bytes, deterministic. */
static void
container(size_t i, unsigned char *buf)
{
	size_t	k;

	for (k = 0; k < CSIZE; k++)
		buf[k] = (unsigned char)(i * 31 + k * 7 + (k >> 3));
}

static int
on_written(const struct archive_written *aw, void *arg)
{
	struct written	*w = arg;
	size_t		 i;

	ck_assert_uint_lt(w->n, NCONT);
	strlcpy(w->name[w->n], aw->aw_name, sizeof(w->name[0]));
	strlcpy(w->digest[w->n], aw->aw_last_digest, sizeof(w->digest[0]));
	w->count[w->n] = aw->aw_count;
	for (i = 0; i < aw->aw_count; i++)
		w->seqs[w->n][i] = aw->aw_seqs[i];
	ck_assert_int_eq(access(aw->aw_path, R_OK), 0);
	ck_assert_uint_gt(aw->aw_size, NCONT);
	w->n++;
	return w->fail ? -1 : 0;
}

/* Write NCONT containers into folder d (3 archives: 4 + 4 + 2). */
static void
write_all(const char *d, struct written *w, const char *prev_digest,
    const char *prev_name, size_t first)
{
	struct archive_writer_conf	 c;
	struct archive_writer		*aw;
	struct archive_result		 res;
	unsigned char			 buf[CSIZE];
	char				 err[256], qid[64];
	size_t				 i;

	memset(w, 0, sizeof(*w));
	memset(&c, 0, sizeof(c));
	c.ac_dir = d;
	c.ac_max_size = 3 * CSIZE + 500;
	c.ac_prev_digest = prev_digest;
	c.ac_prev_name = prev_name;
	c.ac_written = on_written;
	c.ac_arg = w;
	ck_assert_msg(archive_writer_new(&c, &aw, err, sizeof(err)) == 0, "%s",
	    err);
	for (i = first; i < first + NCONT; i++) {
		container(i, buf);
		(void)snprintf(qid, sizeof(qid), "query %zu/x", i / 2);
		ck_assert_msg(archive_writer_add(aw, qid, (int)(i % 2), 100 + i,
		    T0_MS + (int64_t)i * 1000, buf, sizeof(buf), err,
		    sizeof(err)) == 0, "%s", err);
	}
	ck_assert_int_eq(archive_writer_close(aw, &res, err, sizeof(err)), 0);
	ck_assert_uint_eq(res.ar_written, 3);
	ck_assert_uint_eq(res.ar_containers, NCONT);
	ck_assert_str_eq(res.ar_last_digest, w->digest[2]);
	ck_assert_str_eq(res.ar_last_name, w->name[2]);
}

static void
path_of(const char *d, const char *name, char *out, size_t len)
{
	(void)snprintf(out, len, "%s/%s", d, name);
}

START_TEST(test_container_name)
{
	char	name[ARCHIVE_NAME_MAX + 1], qid[400];
	int	resp;

	ck_assert_int_eq(archive_container_name("myquery1234", 0, 0, name,
	    sizeof(name)), 0);
	ck_assert_str_eq(name, "myquery1234-request-0.asice");
	ck_assert_int_eq(archive_container_name("a b/c:d~é", 1, 32, name,
	    sizeof(name)), 0);
	ck_assert_str_eq(name, "a+b%2Fc%3Ad%7E%C3%A9-response-10.asice");
	/* Long.toUnsignedString(-1, 32) */
	ck_assert_int_eq(archive_container_name("q", 1, UINT64_MAX, name,
	    sizeof(name)), 0);
	ck_assert_str_eq(name, "q-response-fvvvvvvvvvvvv.asice");
	memset(qid, '/', 300);
	qid[300] = '\0';
	ck_assert_int_eq(archive_container_name(qid, 0, 7, name, sizeof(name)),
	    0);
	ck_assert_uint_eq(strlen(name), 226 + strlen("-request-7.asice"));
	ck_assert_uint_le(strlen(name), 255);
	ck_assert_int_eq(archive_container_name("q", 0, 1, name, 10), -1);

	ck_assert_int_eq(archive_parse_container_name(
	    "a+b%2Fc-response-10.asice", &resp, qid, sizeof(qid)), 0);
	ck_assert_int_eq(resp, 1);
	ck_assert_str_eq(qid, "a+b%2Fc");
	ck_assert_int_eq(archive_parse_container_name(
	    "x-request-request-0.asice", &resp, qid, sizeof(qid)), 0);
	ck_assert_int_eq(resp, 0);
	ck_assert_str_eq(qid, "x-request");
	ck_assert_int_eq(archive_parse_container_name("x-reply-0.asice",
	    &resp, qid, sizeof(qid)), -1);
	ck_assert_int_eq(archive_parse_container_name("x-request-w.asice",
	    &resp, qid, sizeof(qid)), -1);
	ck_assert_int_eq(archive_parse_container_name("x-request-1.zip",
	    &resp, qid, sizeof(qid)), -1);
}
END_TEST

START_TEST(test_link_digest)
{
	unsigned char	md[64], want[64];
	char		out[ARCHIVE_DIGEST_HEX + 1], in[300];
	char		hex[129];
	size_t		i;

	for (i = 0; i < 64; i++)
		md[i] = (unsigned char)i;
	for (i = 0; i < 64; i++)
		(void)snprintf(hex + 2 * i, 3, "%02x", md[i]);
	/* First link: H(hex(md)); then H(prev || hex(md)). */
	ck_assert_int_eq(archive_link_digest(NULL, md, out), 0);
	EVP_Digest(hex, 128, want, NULL, EVP_sha512(), NULL);
	for (i = 0; i < 64; i++)
		(void)snprintf(in + 2 * i, 3, "%02x", want[i]);
	ck_assert_str_eq(out, in);
	ck_assert_int_eq(archive_link_digest("", md, out), 0);
	ck_assert_str_eq(out, in);
	(void)snprintf(in, sizeof(in), "%s%s", out, hex);
	ck_assert_int_eq(archive_link_digest(out, md, out), 0);
	EVP_Digest(in, 256, want, NULL, EVP_sha512(), NULL);
	for (i = 0; i < 64; i++)
		(void)snprintf(in + 2 * i, 3, "%02x", want[i]);
	in[128] = '\0';
	ck_assert_str_eq(out, in);
}
END_TEST

START_TEST(test_write_verify)
{
	struct written		 w;
	struct archive_info	*ai[3];
	char			 d[300], p[600], g[64], f[15], l[15], d16[17];
	char			 err[512];
	size_t			 i, k, seq = 100;

	subdir("a", d, sizeof(d));
	write_all(d, &w, NULL, NULL, 0);
	ck_assert_uint_eq(w.n, 3);
	ck_assert_uint_eq(w.count[0], 4);
	ck_assert_uint_eq(w.count[1], 4);
	ck_assert_uint_eq(w.count[2], 2);
	for (i = 0; i < 3; i++)
		for (k = 0; k < w.count[i]; k++)
			ck_assert_uint_eq(w.seqs[i][k], seq++);
	/* mlog-<first>-<last>-<digest16>.zip, UTC. */
	ck_assert_int_eq(archive_parse_name(w.name[0], g, sizeof(g), f, l, d16),
	    0);
	ck_assert_str_eq(g, "");
	ck_assert_str_eq(f, "20260102030405");
	ck_assert_str_eq(l, "20260102030408");
	ck_assert_int_eq(strncmp(d16, w.digest[0], 16), 0);

	for (i = 0; i < 3; i++) {
		path_of(d, w.name[i], p, sizeof(p));
		ck_assert_int_eq(archive_verify(p, NULL, NULL, NULL, &ai[i]), 0);
		ck_assert_str_eq(ai[i]->ai_name, w.name[i]);
		ck_assert_int_eq(ai[i]->ai_name_ok, 1);
		ck_assert_str_eq(ai[i]->ai_alg, "SHA-512");
		ck_assert_uint_eq(ai[i]->ai_nlinks, w.count[i]);
		ck_assert_str_eq(ai[i]->ai_last_digest, w.digest[i]);
	}
	ck_assert_str_eq(ai[0]->ai_prev_digest, "");
	ck_assert_str_eq(ai[0]->ai_prev_name, "");
	ck_assert_str_eq(ai[1]->ai_prev_name, w.name[0]);
	ck_assert_str_eq(ai[1]->ai_prev_digest, w.digest[0]);
	ck_assert_str_eq(ai[1]->ai_links[0].al_name,
	    "query+2%2Fx-request-38.asice");
	ck_assert_int_eq(archive_check_link(ai[0], ai[1], err, sizeof(err)), 0);
	ck_assert_int_eq(archive_check_link(ai[1], ai[2], err, sizeof(err)), 0);
	/* A missing middle archive. */
	ck_assert_int_eq(archive_check_link(ai[0], ai[2], err, sizeof(err)),
	    -1);
	ck_assert_ptr_nonnull(strstr(err, w.name[1]));
	for (i = 0; i < 3; i++)
		archive_info_free(ai[i]);
}
END_TEST

/* Read a whole file. */
static unsigned char *
slurp(const char *path, size_t *lenp)
{
	FILE		*f;
	unsigned char	*b;
	long		 n;

	f = fopen(path, "rb");
	ck_assert_ptr_nonnull(f);
	fseek(f, 0, SEEK_END);
	n = ftell(f);
	fseek(f, 0, SEEK_SET);
	b = malloc((size_t)n + 1);
	ck_assert_uint_eq(fread(b, 1, (size_t)n, f), (size_t)n);
	fclose(f);
	*lenp = (size_t)n;
	return b;
}

static void
spit(const char *path, const void *b, size_t len)
{
	FILE	*f;

	f = fopen(path, "wb");
	ck_assert_ptr_nonnull(f);
	ck_assert_uint_eq(fwrite(b, 1, len, f), len);
	fclose(f);
}

START_TEST(test_deterministic)
{
	struct written	 w1, w2;
	unsigned char	*a, *b;
	char		 d1[300], d2[300], p[600];
	size_t		 i, la, lb;

	subdir("one", d1, sizeof(d1));
	subdir("two", d2, sizeof(d2));
	write_all(d1, &w1, NULL, NULL, 0);
	write_all(d2, &w2, NULL, NULL, 0);
	for (i = 0; i < 3; i++) {
		ck_assert_str_eq(w1.name[i], w2.name[i]);
		path_of(d1, w1.name[i], p, sizeof(p));
		a = slurp(p, &la);
		path_of(d2, w2.name[i], p, sizeof(p));
		b = slurp(p, &lb);
		ck_assert_uint_eq(la, lb);
		ck_assert_int_eq(memcmp(a, b, la), 0);
		free(a);
		free(b);
	}
}
END_TEST

START_TEST(test_continue_chain)
{
	struct written		 w1, w2;
	struct archive_info	*a, *b;
	char			 d[300], p[600], err[256];

	subdir("c", d, sizeof(d));
	write_all(d, &w1, NULL, NULL, 0);
	write_all(d, &w2, w1.digest[2], w1.name[2], NCONT);
	path_of(d, w1.name[2], p, sizeof(p));
	ck_assert_int_eq(archive_verify(p, NULL, NULL, NULL, &a), 0);
	path_of(d, w2.name[0], p, sizeof(p));
	ck_assert_int_eq(archive_verify(p, NULL, NULL, NULL, &b), 0);
	ck_assert_int_eq(archive_check_link(a, b, err, sizeof(err)), 0);
	archive_info_free(a);
	archive_info_free(b);
}
END_TEST

struct problems {
	char	where[32][ARCHIVE_NAME_MAX + 1];
	char	msg[32][512];
	size_t	n;
	size_t	ncontainers;
};

static void
on_problem(const char *archive, const char *where, const char *msg,
    void *arg)
{
	struct problems	*pr = arg;

	(void)archive;
	if (pr->n < 32) {
		strlcpy(pr->where[pr->n], where, sizeof(pr->where[0]));
		strlcpy(pr->msg[pr->n], msg, sizeof(pr->msg[0]));
	}
	pr->n++;
}

static void
on_container(const char *archive, const char *name, const unsigned char *d,
    size_t len, void *arg)
{
	struct problems	*pr = arg;

	(void)archive;
	(void)name;
	(void)d;
	ck_assert_uint_eq(len, CSIZE);
	pr->ncontainers++;
}

/* Replace (data != NULL) or delete entry name of the archive at path. */
static void
zip_edit(const char *path, const char *name, const void *data, size_t len)
{
	zip_t		*za;
	zip_source_t	*s;
	zip_int64_t	 idx;
	void		*copy;

	za = zip_open(path, 0, NULL);
	ck_assert_ptr_nonnull(za);
	idx = zip_name_locate(za, name, 0);
	ck_assert_int_ge(idx, 0);
	if (data != NULL) {
		copy = malloc(len);
		memcpy(copy, data, len);
		s = zip_source_buffer(za, copy, len, 1);
		ck_assert_int_eq(zip_file_replace(za, (zip_uint64_t)idx, s, 0),
		    0);
		zip_set_file_compression(za, (zip_uint64_t)idx, ZIP_CM_STORE,
		    0);
	} else
		ck_assert_int_eq(zip_delete(za, (zip_uint64_t)idx), 0);
	ck_assert_int_eq(zip_close(za), 0);
}

static unsigned char *
zip_get(const char *path, const char *name, size_t *lenp)
{
	zip_t		*za;
	zip_file_t	*zf;
	zip_stat_t	 st;
	unsigned char	*b;

	za = zip_open(path, ZIP_RDONLY, NULL);
	ck_assert_ptr_nonnull(za);
	ck_assert_int_eq(zip_stat(za, name, 0, &st), 0);
	b = malloc(st.size + 1);
	zf = zip_fopen(za, name, 0);
	ck_assert_int_eq(zip_fread(zf, b, st.size), (zip_int64_t)st.size);
	zip_fclose(zf);
	zip_discard(za);
	b[st.size] = '\0';
	*lenp = st.size;
	return b;
}

START_TEST(test_tamper)
{
	struct written		 w;
	struct archive_info	*ai;
	struct problems		 pr;
	unsigned char		*orig, *li, buf[CSIZE];
	char			 d[300], p[600], cname[ARCHIVE_NAME_MAX + 1];
	size_t			 olen, lilen;
	int			 n;

	subdir("t", d, sizeof(d));
	write_all(d, &w, NULL, NULL, 0);
	path_of(d, w.name[1], p, sizeof(p));
	orig = slurp(p, &olen);
	ck_assert_int_eq(archive_verify(p, NULL, NULL, NULL, &ai), 0);
	strlcpy(cname, ai->ai_links[2].al_name, sizeof(cname));
	archive_info_free(ai);

	/* One container changed (a careful forger fixes the CRCs). */
	memset(&pr, 0, sizeof(pr));
	container(99, buf);
	zip_edit(p, cname, buf, sizeof(buf));
	n = archive_verify(p, on_container, on_problem, &pr, NULL);
	ck_assert_int_eq(n, 1);
	ck_assert_str_eq(pr.where[0], cname);
	ck_assert_ptr_nonnull(strstr(pr.msg[0], "linkinginfo line 4"));
	ck_assert_uint_eq(pr.ncontainers, 4);
	spit(p, orig, olen);

	/* One digest in linkinginfo changed: that line and the next. */
	li = zip_get(p, "linkinginfo", &lilen);
	{
		char *nl = memchr(li, '\n', lilen);	/* end of line 1 */
		nl = memchr(nl + 1, '\n', lilen);
		nl = memchr(nl + 1, '\n', lilen);	/* end of line 3 */
		nl[5] = nl[5] == 'a' ? 'b' : 'a';	/* line 4, digest */
	}
	memset(&pr, 0, sizeof(pr));
	zip_edit(p, "linkinginfo", li, lilen);
	n = archive_verify(p, NULL, on_problem, &pr, NULL);
	ck_assert_int_ge(n, 1);
	ck_assert_ptr_nonnull(strstr(pr.msg[0], "linkinginfo line"));
	free(li);
	spit(p, orig, olen);

	/* The header line (previous archive's digest) changed. */
	li = zip_get(p, "linkinginfo", &lilen);
	li[3] = li[3] == '0' ? '1' : '0';
	zip_edit(p, "linkinginfo", li, lilen);
	memset(&pr, 0, sizeof(pr));
	ck_assert_int_eq(archive_verify(p, NULL, on_problem, &pr, &ai), 1);
	ck_assert_str_eq(pr.where[0], ai->ai_links[0].al_name);
	archive_info_free(ai);
	free(li);
	spit(p, orig, olen);

	/* A container removed. */
	zip_edit(p, cname, NULL, 0);
	memset(&pr, 0, sizeof(pr));
	n = archive_verify(p, NULL, on_problem, &pr, NULL);
	ck_assert_int_ge(n, 1);
	ck_assert_ptr_nonnull(strstr(pr.msg[0], "holds 3"));
	spit(p, orig, olen);

	/* linkinginfo removed. */
	zip_edit(p, "linkinginfo", NULL, 0);
	memset(&pr, 0, sizeof(pr));
	ck_assert_int_eq(archive_verify(p, NULL, on_problem, &pr, NULL), -1);
	ck_assert_str_eq(pr.where[0], "linkinginfo");
	spit(p, orig, olen);

	/* Renamed: the name no longer carries the last digest. */
	{
		char q[700];

		(void)snprintf(q, sizeof(q), "%s/mlog-20260102030405-"
		    "20260102030408-0123456789abcdef.zip", d);
		spit(q, orig, olen);
		memset(&pr, 0, sizeof(pr));
		ck_assert_int_eq(archive_verify(q, NULL, on_problem, &pr,
		    NULL), 1);
		ck_assert_str_eq(pr.where[0], "file name");
	}

	/* Not a ZIP at all. */
	spit(p, "hello", 5);
	memset(&pr, 0, sizeof(pr));
	ck_assert_int_eq(archive_verify(p, NULL, on_problem, &pr, NULL), -1);
	ck_assert_str_eq(pr.where[0], "zip");
	spit(p, orig, olen);
	free(orig);
}
END_TEST

/*
 * Every byte of an archive file that belongs to a container or to
 * linkinginfo: flipping it is found.
 */
START_TEST(test_flip_sweep)
{
	struct written	 w;
	unsigned char	*a, *li, buf[CSIZE], *at;
	char		 d[300], p[600];
	size_t		 len, lilen, i, k, passed = 0;

	subdir("s", d, sizeof(d));
	write_all(d, &w, NULL, NULL, 0);
	path_of(d, w.name[2], p, sizeof(p));
	a = slurp(p, &len);
	li = zip_get(p, "linkinginfo", &lilen);
	for (k = 0; k < 3; k++) {
		unsigned char	*from;
		size_t		 n;

		if (k < 2) {
			container(8 + k, buf);
			from = buf;
			n = CSIZE;
		} else {
			from = li;
			n = lilen;
		}
		at = memmem(a, len, from, n);
		ck_assert_ptr_nonnull(at);
		for (i = 0; i < n; i++) {
			at[i] ^= 0x01;
			spit(p, a, len);
			if (archive_verify(p, NULL, NULL, NULL, NULL) == 0)
				passed++;
			at[i] ^= 0x01;
		}
	}
	ck_assert_uint_eq(passed, 0);
	free(li);
	free(a);
}
END_TEST

START_TEST(test_writer_errors)
{
	struct archive_writer_conf	 c;
	struct archive_writer		*aw;
	struct written			 w;
	struct archive_result		 res;
	unsigned char			 buf[CSIZE];
	char				 err[256], d[300];
	DIR				*dp;
	struct dirent			*de;
	size_t				 files = 0;

	memset(&c, 0, sizeof(c));
	c.ac_dir = "/nonexistent/folder";
	ck_assert_int_eq(archive_writer_new(&c, &aw, err, sizeof(err)), -1);
	c.ac_dir = dir;
	c.ac_prev_digest = "abc";
	ck_assert_int_eq(archive_writer_new(&c, &aw, err, sizeof(err)), -1);

	/* The caller could not record the archive: add fails. */
	subdir("e", d, sizeof(d));
	memset(&w, 0, sizeof(w));
	w.fail = 1;
	memset(&c, 0, sizeof(c));
	c.ac_dir = d;
	c.ac_max_size = 10;
	c.ac_written = on_written;
	c.ac_arg = &w;
	ck_assert_int_eq(archive_writer_new(&c, &aw, err, sizeof(err)), 0);
	container(1, buf);
	ck_assert_int_eq(archive_writer_add(aw, "q", 0, 1, T0_MS, buf,
	    sizeof(buf), err, sizeof(err)), -1);
	ck_assert_int_eq(archive_writer_add(aw, "q", 0, 2, T0_MS, buf,
	    sizeof(buf), err, sizeof(err)), -1);
	archive_writer_free(aw);

	/* Nothing added, nothing written; no temporary files left. */
	memset(&w, 0, sizeof(w));
	c.ac_max_size = 0;
	ck_assert_int_eq(archive_writer_new(&c, &aw, err, sizeof(err)), 0);
	ck_assert_int_eq(archive_writer_add(aw, "q", 0, 3, T0_MS, buf,
	    sizeof(buf), err, sizeof(err)), 0);
	archive_writer_free(aw);	/* discards */
	ck_assert_int_eq(archive_writer_new(&c, &aw, err, sizeof(err)), 0);
	ck_assert_int_eq(archive_writer_close(aw, &res, err, sizeof(err)), 0);
	ck_assert_uint_eq(res.ar_written, 0);
	ck_assert_str_eq(res.ar_last_digest, "");
	dp = opendir(d);
	while ((de = readdir(dp)) != NULL)
		if (de->d_name[0] != '.' || strncmp(de->d_name, ".mlog", 5) ==
		    0)
			files++;
	closedir(dp);
	ck_assert_uint_eq(files, 1);	/* the one written before */
}
END_TEST

START_TEST(test_parse_name)
{
	char	g[64], f[15], l[15], d16[17];

	ck_assert_int_eq(archive_parse_name("mlog-GOV_MTIT-20210901100858-"
	    "20210901100905-95b1f27097524105.zip", g, sizeof(g), f, l, d16), 0);
	ck_assert_str_eq(g, "GOV_MTIT");
	ck_assert_str_eq(f, "20210901100858");
	ck_assert_str_eq(l, "20210901100905");
	ck_assert_str_eq(d16, "95b1f27097524105");
	ck_assert_int_eq(archive_parse_name("mlog-20210901100858-"
	    "20210901100905-95b1f27097524105.zip", g, sizeof(g), f, l, d16), 0);
	ck_assert_str_eq(g, "");
	ck_assert_int_eq(archive_parse_name("mlog-20210901100858-"
	    "20210901100905-95b1f27097524105.zip.gpg", g, sizeof(g), f, l,
	    d16), -1);
	ck_assert_int_eq(archive_parse_name("mlog-2021090110085x-"
	    "20210901100905-95b1f27097524105.zip", g, sizeof(g), f, l, d16),
	    -1);
	ck_assert_int_eq(archive_parse_name("mlog-20210901100858-"
	    "20210901100905-95B1F27097524105.zip", g, sizeof(g), f, l, d16),
	    -1);
	ck_assert_int_eq(archive_parse_name("mlogX20210901100858-"
	    "20210901100905-95b1f27097524105.zip", g, sizeof(g), f, l, d16),
	    -1);
}
END_TEST

static Suite *
archive_suite(void)
{
	Suite	*s = suite_create("archive");
	TCase	*tc = tcase_create("core");

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_set_timeout(tc, 120);
	tcase_add_test(tc, test_container_name);
	tcase_add_test(tc, test_link_digest);
	tcase_add_test(tc, test_write_verify);
	tcase_add_test(tc, test_deterministic);
	tcase_add_test(tc, test_continue_chain);
	tcase_add_test(tc, test_tamper);
	tcase_add_test(tc, test_flip_sweep);
	tcase_add_test(tc, test_writer_errors);
	tcase_add_test(tc, test_parse_name);
	suite_add_tcase(s, tc);
	return s;
}

HK_CHECK_MAIN(archive_suite)
