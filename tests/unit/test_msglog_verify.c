/*
 * Integration-style test of msglog-verify: evidence made from real pieces
 * (tests/unit/evtest.h: signer + xsig signatures, hash chains, tokens
 * from the devtsa core, a global configuration approving the CA and the
 * TSA) is written as containers and archives, then the msglog-verify
 * program is run on it, untouched and with single bytes changed.
 */
#include "config.h"

#include <sys/stat.h>
#include <sys/wait.h>

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <openssl/ocsp.h>
#include <openssl/pem.h>

#include "archive.h"
#include "asic.h"
#include "compat.h"
#include "evtest.h"
#include "hk_check.h"
#include "sigtest.h"

#define T0_MS	1767323045000LL

static struct evtest	 ev;
static char		 confdir[400], loose[400], archdir[400];
static char		 arch_names[16][ARCHIVE_NAME_MAX + 1];
static char		 arch_digest[16][ARCHIVE_DIGEST_HEX + 1];
static size_t		 narch;
static char		 out[65536];

#define NREC	8

static int
on_written(const struct archive_written *aw, void *arg)
{
	(void)arg;
	ck_assert_uint_lt(narch, 16);
	strlcpy(arch_names[narch], aw->aw_name, sizeof(arch_names[0]));
	strlcpy(arch_digest[narch], aw->aw_last_digest,
	    sizeof(arch_digest[0]));
	narch++;
	return 0;
}

static void
path(char *buf, size_t len, const char *d, const char *name)
{
	int	n;

	n = snprintf(buf, len, "%s/%s", d, name);
	ck_assert(n > 0 && (size_t)n < len);
}

static void
setup(void)
{
	struct evtest_rec		 rec[NREC], *batch[NREC];
	struct archive_writer_conf	 c;
	struct archive_writer		*aw;
	unsigned char			*box;
	char				 p[600], err[256], id[32];
	size_t				 len, i;
	static const char *const	 loose_names[] = { "req.asice",
	    "resp.asice", "rest-req.asice", "rest-resp.asice" };

	evtest_init(&ev);
	path(confdir, sizeof(confdir), ev.dir, "conf");
	ck_assert_int_eq(mkdir(confdir, 0700), 0);
	path(p, sizeof(p), confdir, "PS");
	ck_assert_int_eq(mkdir(p, 0700), 0);
	path(p, sizeof(p), confdir, "PS/shared-params.xml");
	evtest_write(p, ev.shared, ev.sharedlen);
	path(loose, sizeof(loose), ev.dir, "loose");
	ck_assert_int_eq(mkdir(loose, 0700), 0);
	path(archdir, sizeof(archdir), ev.dir, "archives");
	ck_assert_int_eq(mkdir(archdir, 0700), 0);

	/* Records 0/1: a SOAP pair; 2/3: a REST pair; then SOAP pairs. */
	for (i = 0; i < NREC; i++) {
		(void)snprintf(id, sizeof(id), "q-%zu", i / 2);
		if (i == 2)
			evtest_rest_request(&rec[i], id, "{\"id\":1}");
		else if (i == 3)
			evtest_rest_response(&rec[i], &rec[i - 1]);
		else if (i % 2 == 0)
			evtest_soap_request(&rec[i], id);
		else
			evtest_soap_response(&rec[i], &rec[i - 1]);
		evtest_sign(&ev, &rec[i], i % 2 == 0 ? EVTEST_KEY_MTIT :
		    EVTEST_KEY_MOI, V_OCSP_CERTSTATUS_GOOD, 60);
	}
	/* One record stamped alone, the others in one batch. */
	evtest_stamp_single(&ev, &rec[2]);
	batch[0] = &rec[0];
	batch[1] = &rec[1];
	for (i = 3; i < NREC; i++)
		batch[i - 1] = &rec[i];
	evtest_stamp_batch(&ev, batch, NREC - 1);

	for (i = 0; i < 4; i++) {
		box = evtest_container(&rec[i], T0_MS, &len);
		path(p, sizeof(p), loose, loose_names[i]);
		evtest_write(p, box, len);
		free(box);
	}

	memset(&c, 0, sizeof(c));
	c.ac_dir = archdir;
	/* Two containers per archive: the limit is the largest one. */
	for (i = 0; i < NREC; i++) {
		box = evtest_container(&rec[i], T0_MS, &len);
		if (len > c.ac_max_size)
			c.ac_max_size = len;
		free(box);
	}
	c.ac_written = on_written;
	ck_assert_int_eq(archive_writer_new(&c, &aw, err, sizeof(err)), 0);
	for (i = 0; i < NREC; i++) {
		box = evtest_container(&rec[i], T0_MS + (int64_t)i * 1000,
		    &len);
		(void)snprintf(id, sizeof(id), "q-%zu", i / 2);
		ck_assert_int_eq(archive_writer_add(aw, id, (int)(i % 2), i + 1,
		    T0_MS + (int64_t)i * 1000, box, len, err, sizeof(err)), 0);
		free(box);
	}
	ck_assert_int_eq(archive_writer_close(aw, NULL, err, sizeof(err)), 0);
	for (i = 0; i < NREC; i++)
		evtest_rec_clear(&rec[i]);
}

static void
teardown(void)
{
	evtest_free(&ev);
}

/* Run msglog-verify with args; its output (stdout and stderr) in out. */
static int
run(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

static int
run(const char *fmt, ...)
{
	va_list		 ap;
	char		 args[4096], cmd[8192];
	const char	*top = getenv("top_builddir"), *src = getenv("top_srcdir");
	FILE		*f;
	size_t		 n;
	int		 st;

	va_start(ap, fmt);
	(void)vsnprintf(args, sizeof(args), fmt, ap);
	va_end(ap);
	(void)snprintf(cmd, sizeof(cmd), "%s/msglog-verify -s %s/securityserver/"
	    "schemas %s 2>&1", top != NULL ? top : ".", src != NULL ? src : ".",
	    args);
	f = popen(cmd, "r");
	ck_assert_ptr_nonnull(f);
	n = fread(out, 1, sizeof(out) - 1, f);
	out[n] = '\0';
	st = pclose(f);
	ck_assert_msg(WIFEXITED(st), "%s: did not exit", cmd);
	if (getenv("MV_DEBUG") != NULL)
		fprintf(stderr, "$ %s\n%s(exit %d)\n", cmd, out,
		    WEXITSTATUS(st));
	return WEXITSTATUS(st);
}

static size_t
count(const char *needle)
{
	const char	*p = out;
	size_t		 n = 0;

	while ((p = strstr(p, needle)) != NULL) {
		n++;
		p += strlen(needle);
	}
	return n;
}

static void
has(const char *needle)
{
	if (strstr(out, needle) == NULL)
		fprintf(stderr, "no \"%s\" in:\n%s\n", needle, out);
	ck_assert_msg(strstr(out, needle) != NULL, "no \"%.200s\" in the "
	    "output (on stderr)", needle);
}

START_TEST(test_containers_ok)
{
	ck_assert_int_eq(run("-c %s container %s/req.asice %s/resp.asice "
	    "%s/rest-req.asice %s/rest-resp.asice", confdir, loose, loose,
	    loose, loose), 0);
	ck_assert_uint_eq(count("OK   "), 4);
	has("req.asice: SOAP request q-0 from SUBSYSTEM:PS/GOV/MTIT/SSO, "
	    "signed by MEMBER:PS/GOV/MTIT at ");
	has("resp.asice: SOAP response q-0 from SERVICE:PS/GOV/MOI/"
	    "CIVIL-REGISTER/getPerson, signed by MEMBER:PS/GOV/MOI");
	has("rest-req.asice: REST request q-1");
	has("by Test TSA");
	has("4 OK, 0 FAIL");
	/* Quiet: nothing at all. */
	ck_assert_int_eq(run("-q -c %s container %s/req.asice", confdir,
	    loose), 0);
	ck_assert_str_eq(out, "");
	/* Verbose: one line per check. */
	ck_assert_int_eq(run("-v -c %s %s/req.asice", confdir, loose), 0);
	has("ok META-INF/timestamp.tst: timestamp: ");
	has("ok ts-hashchain.xml: ts-hashchain: ");
	has("ok META-INF/signatures.xml: ocsp: ");
	has("ok message.xml: signer: ");
}
END_TEST

START_TEST(test_pair)
{
	ck_assert_int_eq(run("-c %s pair %s/req.asice %s/resp.asice", confdir,
	    loose, loose), 0);
	has("OK   pair q-0: the response");
	ck_assert_int_eq(run("-c %s pair %s/rest-req.asice %s/rest-resp.asice",
	    confdir, loose, loose), 0);
	/* A response that does not answer this request. */
	ck_assert_int_eq(run("-c %s pair %s/req.asice %s/rest-resp.asice",
	    confdir, loose, loose), 1);
	has("FAIL pair ");
	ck_assert_int_eq(run("-c %s pair %s/resp.asice %s/req.asice", confdir,
	    loose, loose), 1);
}
END_TEST

START_TEST(test_archives_ok)
{
	ck_assert_uint_eq(narch, 4);
	ck_assert_int_eq(run("-f -c %s archive %s", confdir, archdir), 0);
	ck_assert_uint_eq(count("FAIL "), 0);
	has(": starts the chain");
	ck_assert_uint_eq(count(": follows mlog-"), 3);
	ck_assert_uint_eq(count(": linkinginfo chains its 2 containers"), 4);
	ck_assert_uint_eq(count("OK   pair q-"), 4);
	has("q-0-request-1.asice: SOAP request q-0");
	/* The operands can be the archive files too, in any order. */
	ck_assert_int_eq(run("-c %s %s/%s %s/%s %s/%s %s/%s", confdir,
	    archdir, arch_names[3], archdir, arch_names[1], archdir,
	    arch_names[0], archdir, arch_names[2]), 0);
	/* Later archives alone: the link to the earlier one is a note... */
	ck_assert_int_eq(run("-c %s archive %s/%s %s/%s", confdir, archdir,
	    arch_names[2], archdir, arch_names[3]), 0);
	has("NOTE ");
	/* ... checked with -p, and the end with -l. */
	ck_assert_int_eq(run("-p %s -l %s -c %s archive %s/%s %s/%s",
	    arch_digest[1], arch_digest[3], confdir, archdir, arch_names[2],
	    archdir, arch_names[3]), 0);
	has("continues from the given digest");
	has("ends in the given last digest");
	ck_assert_int_eq(run("-p %s -c %s archive %s/%s", arch_digest[0],
	    confdir, archdir, arch_names[2]), 1);
	ck_assert_int_eq(run("-l %s -c %s archive %s", arch_digest[2], confdir,
	    archdir), 1);
	has("archives missing at the end?");
	/* -f: the first archive given must start the chain. */
	ck_assert_int_eq(run("-f -c %s archive %s/%s", confdir, archdir,
	    arch_names[1]), 1);
	has("does not start the chain");
}
END_TEST

static void
copy_file(const char *from, const char *to)
{
	unsigned char	*b;
	size_t		 len;

	b = evtest_read(from, &len);
	evtest_write(to, b, len);
	free(b);
}

/* A copy of the archive folder in dir, named name. */
static void
copy_archives(const char *name, char *dir, size_t dirlen)
{
	char	from[800], to[800];
	size_t	i;

	path(dir, dirlen, ev.dir, name);
	ck_assert_int_eq(mkdir(dir, 0700), 0);
	for (i = 0; i < narch; i++) {
		path(from, sizeof(from), archdir, arch_names[i]);
		path(to, sizeof(to), dir, arch_names[i]);
		copy_file(from, to);
	}
}

/* One byte of entry name changed in the loose container file. */
static void
tamper_container(const char *file, const char *entry, const char *find,
    size_t skip)
{
	unsigned char	*c, *bad;
	size_t		 len, blen;
	char		 p[600], q[600], want[700];

	path(p, sizeof(p), loose, file);
	c = evtest_read(p, &len);
	bad = evtest_zip_alter(c, len, entry, find, skip, &blen);
	path(q, sizeof(q), ev.dir, "bad.asice");
	evtest_write(q, bad, blen);
	ck_assert_int_eq(run("-c %s container %s", confdir, q), 1);
	(void)snprintf(want, sizeof(want), "FAIL %s: ", q);
	has(want);
	has(entry);
	free(c);
	free(bad);
}

START_TEST(test_tamper_containers)
{
	tamper_container("req.asice", "message.xml", "400000001", 3);
	tamper_container("req.asice", "META-INF/signatures.xml",
	    "Id=\"signature-value\">", 40);
	tamper_container("req.asice", "META-INF/signatures.xml",
	    "<ds:SignedInfo", 4);
	tamper_container("req.asice", "META-INF/timestamp.tst", NULL, 0);
	tamper_container("resp.asice", "message.xml", "Amal", 1);
	tamper_container("resp.asice", "META-INF/timestamp.tst", NULL, 0);
	tamper_container("rest-req.asice", "META-INF/signatures.xml",
	    "EncapsulatedTimeStamp>", 200);
	tamper_container("rest-req.asice", "attachment1", "id", 0);

	/*
	 * The SignatureTimeStamp made unreadable ('+' or '/' flipped above
	 * gives a non-base64 byte): blamed on signatures.xml, where it is,
	 * not reported as a missing META-INF/timestamp.tst.
	 */
	{
		unsigned char	*c, *sig, *bad;
		size_t		 len, slen, blen;
		char		 p[600], q[600], want[700], *et;

		path(p, sizeof(p), loose, "rest-req.asice");
		c = evtest_read(p, &len);
		sig = evtest_zip_entry(c, len, "META-INF/signatures.xml",
		    &slen);
		sig = realloc(sig, slen + 1);
		ck_assert_ptr_nonnull(sig);
		sig[slen] = '\0';
		et = strstr((char *)sig, "EncapsulatedTimeStamp>");
		ck_assert_ptr_nonnull(et);
		et[strlen("EncapsulatedTimeStamp>") + 20] = '*';
		bad = evtest_zip_replace(c, len, "META-INF/signatures.xml",
		    sig, slen, 0, &blen);
		path(q, sizeof(q), ev.dir, "bad.asice");
		evtest_write(q, bad, blen);
		ck_assert_int_eq(run("-c %s container %s", confdir, q), 1);
		(void)snprintf(want, sizeof(want), "FAIL %s: META-INF/"
		    "signatures.xml: timestamp: the SignatureTimeStamp cannot "
		    "be read", q);
		has(want);
		free(bad);
		free(sig);
		free(c);
	}

	/* A byte flipped in the file itself (no new CRC). */
	{
		unsigned char	*c;
		size_t		 len;
		char		 p[600], q[600];

		path(p, sizeof(p), loose, "resp.asice");
		c = evtest_read(p, &len);
		c[len / 2] ^= 0x10;
		path(q, sizeof(q), ev.dir, "flipped.asice");
		evtest_write(q, c, len);
		ck_assert_int_eq(run("-c %s %s", confdir, q), 1);
		has("FAIL ");
		free(c);
	}
}
END_TEST

START_TEST(test_tamper_archives)
{
	unsigned char	*a, *inner, *bad, *li, *nz;
	char		 d[600], p[800], want[900], cname[ARCHIVE_NAME_MAX + 1];
	size_t		 len, ilen, blen, lilen, nzlen;
	char		*nl;

	/* linkinginfo of the second archive: one digest changed. */
	copy_archives("t-linkinginfo", d, sizeof(d));
	path(p, sizeof(p), d, arch_names[1]);
	a = evtest_read(p, &len);
	li = evtest_zip_entry(a, len, "linkinginfo", &lilen);
	nl = memchr(li, '\n', lilen);
	nl[100] = nl[100] == '0' ? '1' : '0';	/* line 2, a hex digit */
	bad = evtest_zip_replace(a, len, "linkinginfo", li, lilen, 1, &blen);
	evtest_write(p, bad, blen);
	ck_assert_int_eq(run("-c %s archive %s", confdir, d), 1);
	(void)snprintf(want, sizeof(want), "FAIL %s: ", arch_names[1]);
	has(want);
	has("does not match linkinginfo line 2");
	/* ... and the line after it, computed from the changed one. */
	has("does not match linkinginfo line 3");
	free(bad);

	/* Not even hex: linkinginfo is unusable, containers still checked. */
	nl[100] = 'X';
	bad = evtest_zip_replace(a, len, "linkinginfo", li, lilen, 1, &blen);
	evtest_write(p, bad, blen);
	ck_assert_int_eq(run("-c %s archive %s", confdir, d), 1);
	(void)snprintf(want, sizeof(want), "FAIL %s: linkinginfo: line 2: "
	    "bad digest", arch_names[1]);
	has(want);
	(void)snprintf(want, sizeof(want), "OK   %s:q-1-request-3.asice",
	    arch_names[1]);
	has(want);
	has("whose linkinginfo is unusable");
	free(bad);
	free(li);
	free(a);

	/* A container inside an archive rebuilt with a changed message. */
	copy_archives("t-container", d, sizeof(d));
	path(p, sizeof(p), d, arch_names[0]);
	a = evtest_read(p, &len);
	ck_assert_int_eq(archive_container_name("q-0", 0, 1, cname,
	    sizeof(cname)), 0);
	inner = evtest_zip_entry(a, len, cname, &ilen);
	bad = evtest_zip_alter(inner, ilen, "message.xml", "400000001", 2,
	    &blen);
	/* Put it back, stored, as the archive writer does. */
	nz = evtest_zip_replace(a, len, cname, bad, blen, 1, &nzlen);
	evtest_write(p, nz, nzlen);
	ck_assert_int_eq(run("-c %s archive %s", confdir, d), 1);
	(void)snprintf(want, sizeof(want), "FAIL %s:%s: message.xml: ",
	    arch_names[0], cname);
	has(want);
	(void)snprintf(want, sizeof(want), "FAIL %s: %s: linking digest",
	    arch_names[0], cname);
	has(want);
	free(nz);
	free(bad);
	free(inner);
	free(a);

	/* One byte flipped in the middle of a stored container. */
	copy_archives("t-flip", d, sizeof(d));
	path(p, sizeof(p), d, arch_names[2]);
	a = evtest_read(p, &len);
	a[len / 3] ^= 0x01;
	evtest_write(p, a, len);
	ck_assert_int_eq(run("-q -c %s archive %s", confdir, d), 1);
	(void)snprintf(want, sizeof(want), "FAIL %s", arch_names[2]);
	has(want);
	free(a);

	/* The second archive deleted. */
	copy_archives("t-deleted", d, sizeof(d));
	path(p, sizeof(p), d, arch_names[1]);
	ck_assert_int_eq(unlink(p), 0);
	ck_assert_int_eq(run("-c %s archive %s", confdir, d), 1);
	(void)snprintf(want, sizeof(want), "FAIL %s: follows %s, which is "
	    "missing", arch_names[2], arch_names[1]);
	has(want);

	/* Two archives swapped by name: the chain breaks. */
	copy_archives("t-swapped", d, sizeof(d));
	{
		char	p1[800], p2[800], tmp[800];

		path(p1, sizeof(p1), d, arch_names[1]);
		path(p2, sizeof(p2), d, arch_names[2]);
		path(tmp, sizeof(tmp), d, "x.tmp");
		ck_assert_int_eq(rename(p1, tmp), 0);
		ck_assert_int_eq(rename(p2, p1), 0);
		ck_assert_int_eq(rename(tmp, p2), 0);
	}
	ck_assert_int_eq(run("-q -c %s archive %s", confdir, d), 1);
	ck_assert_uint_ge(count("FAIL "), 2);
}
END_TEST

START_TEST(test_errors)
{
	char	p[600];

	ck_assert_int_eq(run("-c /nonexistent container x.asice"), 1);
	has("verification configuration");
	ck_assert_int_eq(run("container x.asice"), 1);
	has("usage:");
	ck_assert_int_eq(run("-c %s container", confdir), 1);
	ck_assert_int_eq(run("-c %s container %s/nope.asice", confdir, loose),
	    1);
	has("cannot read");
	/* A configuration without the TSA: nothing verifies. */
	path(p, sizeof(p), ev.dir, "emptyconf");
	ck_assert_int_eq(mkdir(p, 0700), 0);
	ck_assert_int_eq(run("-c %s container %s/req.asice", p, loose), 1);
}
END_TEST

/* The token verifies with `openssl ts -verify` as well. */
START_TEST(test_openssl_ts_verify)
{
	unsigned char	*c, *tst, *hcr;
	size_t		 len, tlen, hlen;
	char		 p[600], tp[600], hp[600], cp[600], cmd[4096];
	const char	*openssl = getenv("OPENSSL");
	FILE		*f;
	int		 st;

	path(p, sizeof(p), loose, "req.asice");
	c = evtest_read(p, &len);
	tst = evtest_zip_entry(c, len, "META-INF/timestamp.tst", &tlen);
	hcr = evtest_zip_entry(c, len, "ts-hashchainresult.xml", &hlen);
	path(tp, sizeof(tp), ev.dir, "token.tst");
	path(hp, sizeof(hp), ev.dir, "ts-hashchainresult.xml");
	path(cp, sizeof(cp), ev.dir, "ca-chain.pem");
	evtest_write(tp, tst, tlen);
	evtest_write(hp, hcr, hlen);
	f = fopen(cp, "w");
	ck_assert_ptr_nonnull(f);
	PEM_write_X509(f, ev.ca.cert);
	PEM_write_X509(f, ev.root.cert);
	fclose(f);
	(void)snprintf(cmd, sizeof(cmd), "%s ts -verify -in %s -token_in "
	    "-data %s -CAfile %s >/dev/null 2>&1", openssl != NULL &&
	    openssl[0] != '\0' ? openssl : "openssl", tp, hp, cp);
	st = system(cmd);
	ck_assert_msg(WIFEXITED(st) && WEXITSTATUS(st) == 0, "%s", cmd);
	/* And not over other data. */
	evtest_write(hp, "x", 1);
	st = system(cmd);
	ck_assert_msg(WIFEXITED(st) && WEXITSTATUS(st) != 0, "%s", cmd);
	free(c);
	free(tst);
	free(hcr);
}
END_TEST

static Suite *
msglog_verify_suite(void)
{
	Suite	*s = suite_create("msglog_verify");
	TCase	*tc = tcase_create("core");

	tcase_add_unchecked_fixture(tc, setup, teardown);
	tcase_set_timeout(tc, 120);
	tcase_add_test(tc, test_containers_ok);
	tcase_add_test(tc, test_pair);
	tcase_add_test(tc, test_archives_ok);
	tcase_add_test(tc, test_tamper_containers);
	tcase_add_test(tc, test_tamper_archives);
	tcase_add_test(tc, test_errors);
	tcase_add_test(tc, test_openssl_ts_verify);
	suite_add_tcase(s, tc);
	return s;
}

HK_CHECK_MAIN(msglog_verify_suite)
