/*
 * msglog_verify.c: msglog-verify, the auditor's offline verifier of
 * message log evidence (NOTES.md 5.5): signed-document containers
 * (.asice), request/response pairs, and archives with their linkinginfo
 * chain. Only the verification configuration is read; no network.
 *
 * The checks themselves are in lib/asicverify.c (containers, pairs) and
 * lib/archive.c (archives); this file walks the operands and prints one
 * line per container, archive, link and pair: "OK", "FAIL" or a note.
 */
#include "config.h"

#include <sys/stat.h>

#include <dirent.h>
#include <errno.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <openssl/crypto.h>

#include "archive.h"
#include "asic.h"
#include "asicverify.h"
#include "b64.h"
#include "buf.h"
#include "file.h"
#include "compat.h"
#include "log.h"
#include "xsd.h"

#define PROG		"msglog-verify"
#define MAX_ARCHIVES	100000

/* What is kept of each verified container to match pairs later. */
struct seen {
	char		*s_label;	/* file or archive:name */
	char		 s_id[XRID_PART_MAX + 1];
	enum asicv_kind	 s_kind;
	int		 s_rest;
	char		 s_hash[ASICV_HASH_MAX];	/* see asicv_report */
};

struct mv {
	struct asicv_conf	*mv_conf;
	int			 mv_quiet;
	int			 mv_verbose;
	int			 mv_first;	/* -f */
	const char		*mv_prev;	/* -p digest */
	const char		*mv_last;	/* -l digest */
	size_t			 mv_ok;
	size_t			 mv_fail;
	struct seen		*mv_seen;
	size_t			 mv_nseen, mv_seencap;
};

static void
usage(void)
{
	fprintf(stderr,
	    "usage: %s [-qv] -c verificationconf [-s schema-dir] "
	    "container file.asice ...\n"
	    "       %s [-qv] -c verificationconf [-s schema-dir] "
	    "pair request.asice response.asice\n"
	    "       %s [-qv] -c verificationconf [-s schema-dir] "
	    "[-f | -p digest] [-l digest]\n"
	    "              archive dir|archive.zip ...\n"
	    "       %s [-qv] -c verificationconf [-s schema-dir] "
	    "file.asice|archive.zip|dir ...\n", PROG, PROG, PROG, PROG);
	exit(1);
}

static void
line_ok(struct mv *mv, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
static void
line_fail(struct mv *mv, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
static void
line_note(struct mv *mv, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

static void
line_ok(struct mv *mv, const char *fmt, ...)
{
	va_list	ap;

	mv->mv_ok++;
	if (mv->mv_quiet)
		return;
	fputs("OK   ", stdout);
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	fputc('\n', stdout);
}

static void
line_fail(struct mv *mv, const char *fmt, ...)
{
	va_list	ap;

	mv->mv_fail++;
	fputs("FAIL ", stdout);
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	fputc('\n', stdout);
}

static void
line_note(struct mv *mv, const char *fmt, ...)
{
	va_list	ap;

	if (mv->mv_quiet)
		return;
	fputs("NOTE ", stdout);
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	fputc('\n', stdout);
}

static void
trace(const char *entry, const char *check, const char *detail, void *arg)
{
	struct mv	*mv = arg;

	if (mv->mv_verbose && !mv->mv_quiet)
		printf("       ok %s: %s: %s\n", entry, check, detail);
}

static const char *
kind_name(enum asicv_kind k)
{
	return k == ASICV_REQUEST ? "request" : k == ASICV_RESPONSE ?
	    "response" : "message";
}

static void
remember(struct mv *mv, const char *label, const struct asicv_report *r)
{
	struct seen	*s;
	size_t		 cap;

	if (mv->mv_nseen == mv->mv_seencap) {
		cap = mv->mv_seencap == 0 ? 64 : mv->mv_seencap * 2;
		if ((s = reallocarray(mv->mv_seen, cap, sizeof(*s))) == NULL)
			fatal("remember");
		mv->mv_seen = s;
		mv->mv_seencap = cap;
	}
	s = &mv->mv_seen[mv->mv_nseen];
	memset(s, 0, sizeof(*s));
	if ((s->s_label = strdup(label)) == NULL)
		fatal("remember");
	(void)strlcpy(s->s_id, r->vr_query_id, sizeof(s->s_id));
	s->s_kind = r->vr_kind;
	s->s_rest = r->vr_rest;
	(void)strlcpy(s->s_hash, r->vr_kind == ASICV_REQUEST ?
	    r->vr_hash_of_request : r->vr_request_hash, sizeof(s->s_hash));
	mv->mv_nseen++;
}

/* Verify one container's bytes; label names it in the output. */
static int
check_container(struct mv *mv, const char *label, const char *name,
    const unsigned char *data, size_t len)
{
	struct asicv_report	 r;
	enum asicv_kind		 hint = ASICV_UNKNOWN;
	char			 t1[XSD_DATETIME_LEN], t2[XSD_DATETIME_LEN];
	char			 qid[ARCHIVE_NAME_MAX + 1];
	int			 resp;

	if (archive_parse_container_name(name, &resp, qid, sizeof(qid)) == 0)
		hint = resp ? ASICV_RESPONSE : ASICV_REQUEST;
	asicv_report_init(&r, trace, mv);
	if (asicv_verify_container(mv->mv_conf, data, len, hint, &r) == -1) {
		line_fail(mv, "%s: %s: %s: %s", label, r.vr_entry, r.vr_check,
		    r.vr_msg);
		return -1;
	}
	if (xsd_format_datetime(r.vr_signing_time, t1, sizeof(t1)) == -1)
		(void)strlcpy(t1, "?", sizeof(t1));
	if (xsd_format_datetime(r.vr_ts_time, t2, sizeof(t2)) == -1)
		(void)strlcpy(t2, "?", sizeof(t2));
	line_ok(mv, "%s: %s %s %s from %s, signed by %s at %s, time-stamped "
	    "%s by %s", label, r.vr_rest ? "REST" : "SOAP",
	    kind_name(r.vr_kind), r.vr_query_id, r.vr_sender, r.vr_signer, t1,
	    t2, r.vr_tsa);
	remember(mv, label, &r);
	return 0;
}

static int
cmd_container(struct mv *mv, const char *path)
{
	unsigned char	*data;
	size_t		 len;
	const char	*base;
	int		 rv;

	if (file_read_bytes(path, ASIC_MAX_TOTAL, &data, &len) == -1) {
		line_fail(mv, "%s: cannot read: %s", path, strerror(errno));
		return -1;
	}
	base = strrchr(path, '/') != NULL ? strrchr(path, '/') + 1 : path;
	rv = check_container(mv, path, base, data, len);
	free(data);
	return rv;
}

static int
cmd_pair(struct mv *mv, const char *req, const char *resp)
{
	struct asic_parts	*q = NULL, *s = NULL;
	struct asicv_report	 r;
	unsigned char		*a = NULL, *b = NULL;
	size_t			 alen, blen;
	char			 err[512];
	int			 rv = -1;

	if (cmd_container(mv, req) == -1 || cmd_container(mv, resp) == -1) {
		line_fail(mv, "pair %s %s: a container does not verify", req,
		    resp);
		return -1;
	}
	if (file_read_bytes(req, ASIC_MAX_TOTAL, &a, &alen) == -1 ||
	    file_read_bytes(resp, ASIC_MAX_TOTAL, &b, &blen) == -1 ||
	    asic_parse(a, alen, &q, err, sizeof(err)) == -1 ||
	    asic_parse(b, blen, &s, err, sizeof(err)) == -1) {
		line_fail(mv, "pair %s %s: cannot read the containers", req,
		    resp);
		goto done;
	}
	asicv_report_init(&r, trace, mv);
	if (asicv_verify_pair(q, s, &r) == -1) {
		line_fail(mv, "pair %s %s: %s: %s: %s", req, resp, r.vr_entry,
		    r.vr_check, r.vr_msg);
		goto done;
	}
	line_ok(mv, "pair %s: the response %s carries the hash of the request "
	    "%s", r.vr_query_id, resp, req);
	rv = 0;
done:
	asic_parts_free(q);
	asic_parts_free(s);
	free(a);
	free(b);
	return rv;
}

/* Archives. */

struct arch {
	char			*a_path;
	struct archive_info	*a_info;	/* NULL: unreadable */
	int			 a_visited;
};

static void
on_container(const char *archive, const char *name, const unsigned char *d,
    size_t len, void *arg)
{
	struct mv	*mv = arg;
	char		 label[2 * ARCHIVE_NAME_MAX + 2];

	(void)snprintf(label, sizeof(label), "%s:%s", archive, name);
	(void)check_container(mv, label, name, d, len);
}

static void
on_problem(const char *archive, const char *where, const char *msg,
    void *arg)
{
	struct mv	*mv = arg;

	line_fail(mv, "%s: %s: %s", archive, where, msg);
}

static int
add_archive(struct arch **as, size_t *n, const char *path)
{
	struct arch	*a;

	if (*n >= MAX_ARCHIVES)
		return -1;
	if ((a = reallocarray(*as, *n + 1, sizeof(**as))) == NULL)
		fatal("add_archive");
	*as = a;
	memset(&a[*n], 0, sizeof(a[0]));
	if ((a[*n].a_path = strdup(path)) == NULL)
		fatal("add_archive");
	(*n)++;
	return 0;
}

static int
cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* The .zip files of a folder, by name. */
static int
add_dir(struct mv *mv, struct arch **as, size_t *n, const char *dir)
{
	DIR		*d;
	struct dirent	*de;
	struct stat	 sb;
	char		**names = NULL, path[PATH_MAX];
	size_t		 nn = 0, i, len;
	int		 rv = 0;

	if ((d = opendir(dir)) == NULL) {
		line_fail(mv, "%s: %s", dir, strerror(errno));
		return -1;
	}
	while ((de = readdir(d)) != NULL) {
		len = strlen(de->d_name);
		if (de->d_name[0] == '.' || len < 5 ||
		    strcmp(de->d_name + len - 4, ".zip") != 0)
			continue;
		if (snprintf(path, sizeof(path), "%s/%s", dir, de->d_name) >=
		    (int)sizeof(path) || stat(path, &sb) == -1 ||
		    !S_ISREG(sb.st_mode))
			continue;
		if ((names = reallocarray(names, nn + 1, sizeof(*names))) ==
		    NULL || (names[nn] = strdup(path)) == NULL)
			fatal("add_dir");
		nn++;
	}
	(void)closedir(d);
	if (nn == 0)
		line_note(mv, "%s: no .zip archives", dir);
	qsort(names, nn, sizeof(*names), cmp_str);
	for (i = 0; i < nn; i++) {
		if (rv == 0 && add_archive(as, n, names[i]) == -1) {
			line_fail(mv, "%s: too many archives", dir);
			rv = -1;
		}
		free(names[i]);
	}
	free(names);
	return rv;
}

static struct arch *
find_name(struct arch *as, size_t n, const char *group, const char *name)
{
	size_t	i;

	for (i = 0; i < n; i++)
		if (as[i].a_info != NULL &&
		    strcmp(as[i].a_info->ai_group, group) == 0 &&
		    strcmp(as[i].a_info->ai_name, name) == 0)
			return &as[i];
	return NULL;
}

/* 1 if name is the file name of an archive given that did not read. */
static int
given_unreadable(struct arch *as, size_t n, const char *name)
{
	const char	*base;
	size_t		 i;

	for (i = 0; i < n; i++) {
		if (as[i].a_info != NULL)
			continue;
		base = strrchr(as[i].a_path, '/') != NULL ?
		    strrchr(as[i].a_path, '/') + 1 : as[i].a_path;
		if (strcmp(base, name) == 0)
			return 1;
	}
	return 0;
}

/* The archives of one group, in chain order. */
static void
check_group(struct mv *mv, struct arch *as, size_t n, const char *group)
{
	struct arch	*a, *next, *cand, *first = NULL, *end = NULL;
	size_t		 i, j, nnext;
	char		 err[768];

	for (i = 0; i < n; i++) {
		a = &as[i];
		if (a->a_info == NULL || strcmp(a->a_info->ai_group, group) != 0)
			continue;
		if (a->a_info->ai_prev_name[0] != '\0' &&
		    find_name(as, n, group, a->a_info->ai_prev_name) != NULL)
			continue;
		/* A start: the first one (by name) begins the chain. */
		if (first == NULL) {
			first = a;
			if (a->a_info->ai_prev_name[0] == '\0')
				line_ok(mv, "%s: starts the chain",
				    a->a_info->ai_name);
			else if (mv->mv_first)
				line_fail(mv, "%s: does not start the chain: "
				    "it follows %s", a->a_info->ai_name,
				    a->a_info->ai_prev_name);
			else if (mv->mv_prev != NULL &&
			    strcmp(mv->mv_prev, a->a_info->ai_prev_digest) != 0)
				line_fail(mv, "%s: continues from digest "
				    "%.16s..., not from the given %.16s...",
				    a->a_info->ai_name,
				    a->a_info->ai_prev_digest, mv->mv_prev);
			else if (mv->mv_prev != NULL)
				line_ok(mv, "%s: continues from the given "
				    "digest (%s)", a->a_info->ai_name,
				    a->a_info->ai_prev_name);
			else
				line_note(mv, "%s: continues from %s (last "
				    "digest %.16s...); give -p to check that "
				    "link", a->a_info->ai_name,
				    a->a_info->ai_prev_name,
				    a->a_info->ai_prev_digest);
		} else if (a->a_info->ai_prev_name[0] != '\0' &&
		    given_unreadable(as, n, a->a_info->ai_prev_name))
			line_fail(mv, "%s: follows %s, whose linkinginfo is "
			    "unusable", a->a_info->ai_name,
			    a->a_info->ai_prev_name);
		else if (a->a_info->ai_prev_name[0] != '\0')
			line_fail(mv, "%s: follows %s, which is missing from "
			    "the archives given (deleted or renamed?)",
			    a->a_info->ai_name, a->a_info->ai_prev_name);
		else
			line_fail(mv, "%s: starts a second chain after %s",
			    a->a_info->ai_name, first->a_info->ai_name);
	}

	/* Walk from each start; an archive has at most one successor. */
	for (i = 0; i < n; i++) {
		a = &as[i];
		if (a->a_info == NULL || strcmp(a->a_info->ai_group, group) !=
		    0 || a->a_visited)
			continue;
		if (a->a_info->ai_prev_name[0] != '\0' &&
		    find_name(as, n, group, a->a_info->ai_prev_name) != NULL)
			continue;
		while (a != NULL && !a->a_visited) {
			a->a_visited = 1;
			if (as + i == first)
				end = a;
			next = NULL;
			nnext = 0;
			for (j = 0; j < n; j++) {
				cand = &as[j];
				if (cand->a_info == NULL ||
				    strcmp(cand->a_info->ai_group, group) != 0 ||
				    strcmp(cand->a_info->ai_prev_name,
				    a->a_info->ai_name) != 0)
					continue;
				if (nnext++ == 0)
					next = cand;
				else
					line_fail(mv, "%s: follows %s too "
					    "(the chain forks at %s)",
					    cand->a_info->ai_name,
					    a->a_info->ai_name,
					    next->a_info->ai_name);
			}
			if (next == NULL)
				break;
			if (archive_check_link(a->a_info, next->a_info, err,
			    sizeof(err)) == -1)
				line_fail(mv, "%s: %s", next->a_info->ai_name,
				    err);
			else
				line_ok(mv, "%s: follows %s",
				    next->a_info->ai_name, a->a_info->ai_name);
			a = next;
		}
	}
	for (i = 0; i < n; i++)
		if (as[i].a_info != NULL && strcmp(as[i].a_info->ai_group,
		    group) == 0 && !as[i].a_visited)
			line_fail(mv, "%s: part of a loop of archives",
			    as[i].a_info->ai_name);
	if (mv->mv_last != NULL && end != NULL) {
		if (strcmp(mv->mv_last, end->a_info->ai_last_digest) == 0)
			line_ok(mv, "%s: ends in the given last digest",
			    end->a_info->ai_name);
		else
			line_fail(mv, "%s: the chain ends in digest %.16s..., "
			    "not in the given %.16s... (archives missing at "
			    "the end?)", end->a_info->ai_name,
			    end->a_info->ai_last_digest, mv->mv_last);
	}
}

static int
cmd_archives(struct mv *mv, char **paths, int npaths)
{
	struct arch	*as = NULL;
	struct stat	 sb;
	size_t		 n = 0, i, j, before;
	int		 k, problems;

	for (k = 0; k < npaths; k++) {
		if (stat(paths[k], &sb) == -1) {
			line_fail(mv, "%s: %s", paths[k], strerror(errno));
			continue;
		}
		if (S_ISDIR(sb.st_mode))
			(void)add_dir(mv, &as, &n, paths[k]);
		else if (add_archive(&as, &n, paths[k]) == -1)
			line_fail(mv, "%s: too many archives", paths[k]);
	}
	for (i = 0; i < n; i++) {
		before = mv->mv_fail;
		problems = archive_verify(as[i].a_path, on_container,
		    on_problem, mv, &as[i].a_info);
		if (problems == 0)
			line_ok(mv, "%s: linkinginfo chains its %zu "
			    "containers, last digest %.16s...",
			    as[i].a_info->ai_name, as[i].a_info->ai_nlinks,
			    as[i].a_info->ai_last_digest);
		else if (mv->mv_fail == before)
			line_fail(mv, "%s: unreadable", as[i].a_path);

		if (as[i].a_info != NULL && !as[i].a_info->ai_name_ok)
			line_note(mv, "%s: not named mlog-...zip; chain order "
			    "comes from linkinginfo only",
			    as[i].a_info->ai_name);
	}
	/* Each group is its own chain. */
	for (i = 0; i < n; i++) {
		if (as[i].a_info == NULL)
			continue;
		for (j = 0; j < i; j++)
			if (as[j].a_info != NULL && strcmp(as[j].a_info->ai_group,
			    as[i].a_info->ai_group) == 0)
				break;
		if (j == i)
			check_group(mv, as, n, as[i].a_info->ai_group);
	}
	for (i = 0; i < n; i++) {
		archive_info_free(as[i].a_info);
		free(as[i].a_path);
	}
	free(as);
	return 0;
}

/* Same value, comparing decoded base64 (the SOAP text may wrap). */
static int
same_hash(const char *a, const char *b)
{
	unsigned char	*x = NULL, *y = NULL;
	size_t		 xl, yl;
	int		 eq;

	eq = a[0] != '\0' && b[0] != '\0' &&
	    b64_decode(a, strlen(a), &x, &xl) == 0 &&
	    b64_decode(b, strlen(b), &y, &yl) == 0 && xl == yl && xl > 0 &&
	    CRYPTO_memcmp(x, y, xl) == 0;
	free(x);
	free(y);
	return eq;
}

/* Every response verified against the requests seen with its id. */
static void
check_pairs(struct mv *mv)
{
	struct seen	*s, *q, *match;
	size_t		 i, j, nreq;

	for (i = 0; i < mv->mv_nseen; i++) {
		s = &mv->mv_seen[i];
		if (s->s_kind != ASICV_RESPONSE)
			continue;
		match = NULL;
		nreq = 0;
		for (j = 0; j < mv->mv_nseen && match == NULL; j++) {
			q = &mv->mv_seen[j];
			if (q->s_kind != ASICV_REQUEST || q->s_rest !=
			    s->s_rest || strcmp(q->s_id, s->s_id) != 0)
				continue;
			nreq++;
			if (same_hash(q->s_hash, s->s_hash))
				match = q;
		}
		if (match != NULL)
			line_ok(mv, "pair %s: the response %s carries the hash "
			    "of the request %s", s->s_id, s->s_label,
			    match->s_label);
		else if (nreq > 0)
			line_fail(mv, "pair %s: the response %s: request-hash: "
			    "no request with this id has the hash it carries",
			    s->s_id, s->s_label);
		else if (mv->mv_verbose)
			line_note(mv, "pair %s: no request for the response %s "
			    "among the files given", s->s_id, s->s_label);
	}
}

static int
has_suffix(const char *s, const char *suffix)
{
	size_t	n = strlen(s), m = strlen(suffix);

	return n >= m && strcmp(s + n - m, suffix) == 0;
}

int
main(int argc, char *argv[])
{
	struct mv	 mv;
	const char	*conf = NULL, *schema_dir = HK_DATADIR
			    "/securityserver/schemas", *cmd;
	char		 err[1024];
	char		**arch = NULL;
	int		 ch, i, narch = 0;

	log_init(PROG, 1, LOG_LEVEL_WARN);
	memset(&mv, 0, sizeof(mv));
	while ((ch = getopt(argc, argv, "+c:fl:p:qs:v")) != -1) {
		switch (ch) {
		case 'c':
			conf = optarg;
			break;
		case 'f':
			mv.mv_first = 1;
			break;
		case 'l':
			mv.mv_last = optarg;
			break;
		case 'p':
			mv.mv_prev = optarg;
			break;
		case 'q':
			mv.mv_quiet = 1;
			break;
		case 's':
			schema_dir = optarg;
			break;
		case 'v':
			mv.mv_verbose = 1;
			break;
		default:
			usage();
		}
	}
	argc -= optind;
	argv += optind;
	if (conf == NULL || argc < 1 || (mv.mv_first && mv.mv_prev != NULL))
		usage();
	if (asicv_conf_load(conf, schema_dir, &mv.mv_conf, err,
	    sizeof(err)) == -1) {
		fprintf(stderr, "%s: verification configuration: %s\n", PROG,
		    err);
		return 1;
	}

	cmd = argv[0];
	if (strcmp(cmd, "container") == 0) {
		if (argc < 2)
			usage();
		for (i = 1; i < argc; i++)
			(void)cmd_container(&mv, argv[i]);
	} else if (strcmp(cmd, "pair") == 0) {
		if (argc != 3)
			usage();
		(void)cmd_pair(&mv, argv[1], argv[2]);
	} else if (strcmp(cmd, "archive") == 0) {
		if (argc < 2)
			usage();
		(void)cmd_archives(&mv, argv + 1, argc - 1);
		check_pairs(&mv);
	} else {
		/* Operands by kind: containers now, archives together. */
		if ((arch = calloc((size_t)argc, sizeof(*arch))) == NULL)
			fatal("calloc");
		for (i = 0; i < argc; i++) {
			if (has_suffix(argv[i], ASIC_SUFFIX))
				(void)cmd_container(&mv, argv[i]);
			else
				arch[narch++] = argv[i];
		}
		if (narch > 0)
			(void)cmd_archives(&mv, arch, narch);
		check_pairs(&mv);
		free(arch);
	}

	if (!mv.mv_quiet)
		printf("%zu OK, %zu FAIL\n", mv.mv_ok, mv.mv_fail);
	for (i = 0; i < (int)mv.mv_nseen; i++)
		free(mv.mv_seen[i].s_label);
	free(mv.mv_seen);
	asicv_conf_free(mv.mv_conf);
	return mv.mv_fail == 0 && mv.mv_ok > 0 ? 0 : 1;
}
