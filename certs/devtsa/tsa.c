/*
 * tsa.c: RFC 3161 responses with OpenSSL's TS API, and the durable
 * serial-number store behind them.
 */
#include "config.h"

#include <sys/file.h>
#include <sys/stat.h>
#include <sys/time.h>

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <openssl/bio.h>
#include <openssl/err.h>
#include <openssl/objects.h>
#include <openssl/pem.h>
#include <openssl/ts.h>
#include <openssl/x509.h>

#include "compat.h"
#include "log.h"
#include "tsa.h"

/* Serials stay within a signed 64-bit range: every verifier can read them. */
#define TSA_SERIAL_MAX	((uint64_t)LLONG_MAX)

struct tsa_serial {
	char		*ts_path;
	char		*ts_tmp;	/* ts_path + ".tmp" */
	char		*ts_dir;	/* the folder, fsync'd after a rename */
	int		 ts_lockfd;	/* flock'd ts_path + ".lock" */
	unsigned int	 ts_block;
	uint64_t	 ts_next;	/* the next serial to hand out */
	uint64_t	 ts_limit;	/* on disk: serials below may be used */
};

struct tsa {
	TS_RESP_CTX		*t_ctx;
	struct tsa_serial	*t_serial;	/* borrowed; NULL in -n checks */
	tsa_clock_fn		 t_clock;
	void			*t_clock_arg;
	/* A bare rejection, encoded at start for when nothing else can be. */
	unsigned char		*t_fallback;
	size_t			 t_fallback_len;
};

/* The last OpenSSL error as text, for logs; the queue is cleared. */
static const char *
tsa_ssl_error(void)
{
	static char	 msg[256];
	unsigned long	 e;

	e = ERR_peek_last_error();
	if (e == 0)
		(void)strlcpy(msg, "no OpenSSL error", sizeof(msg));
	else
		ERR_error_string_n(e, msg, sizeof(msg));
	ERR_clear_error();
	return msg;
}

static char *
tsa_strcat_dup(const char *a, const char *b)
{
	size_t	 len = strlen(a) + strlen(b) + 1;
	char	*s;

	if ((s = malloc(len)) == NULL)
		return NULL;
	(void)strlcpy(s, a, len);
	(void)strlcat(s, b, len);
	return s;
}

static char *
tsa_dirname_dup(const char *path)
{
	const char	*slash = strrchr(path, '/');
	char		*dir;

	if (slash == NULL)
		return strdup(".");
	if (slash == path)
		return strdup("/");
	if ((dir = strndup(path, (size_t)(slash - path))) == NULL)
		return NULL;
	return dir;
}

/*
 * Read the serial file: 0 and *valuep, 1 when it does not exist, -1 when
 * it cannot be read or does not hold a number in [1, TSA_SERIAL_MAX].
 */
static int
serial_read(const char *path, uint64_t *valuep)
{
	char		 text[32];
	const char	*errstr;
	ssize_t		 n;
	size_t		 len = 0;
	long long	 v;
	int		 fd;

	if ((fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW)) == -1) {
		if (errno == ENOENT)
			return 1;
		log_warn("serial file %s", path);
		return -1;
	}
	while (len < sizeof(text) - 1) {
		n = read(fd, text + len, sizeof(text) - 1 - len);
		if (n == -1 && errno == EINTR)
			continue;
		if (n == -1) {
			log_warn("serial file %s", path);
			(void)close(fd);
			return -1;
		}
		if (n == 0)
			break;
		len += (size_t)n;
	}
	(void)close(fd);
	text[len] = '\0';
	if (len > 0 && text[len - 1] == '\n')
		text[--len] = '\0';
	if (len == 0 || strspn(text, "0123456789") != len) {
		log_warnx("serial file %s does not hold a serial number", path);
		return -1;
	}
	v = strtonum(text, 1, LLONG_MAX, &errstr);
	if (errstr != NULL) {
		log_warnx("serial file %s: serial number is %s", path, errstr);
		return -1;
	}
	*valuep = (uint64_t)v;
	return 0;
}

/* Durably replace the file with value: temp file, fsync, rename, fsync dir. */
static int
serial_write(struct tsa_serial *s, uint64_t value)
{
	char	 text[32];
	size_t	 off = 0, len;
	ssize_t	 n;
	int	 fd = -1, dfd = -1, r;

	r = snprintf(text, sizeof(text), "%llu\n", (unsigned long long)value);
	if (r < 0 || (size_t)r >= sizeof(text))
		return -1;
	len = (size_t)r;

	fd = open(s->ts_tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC |
	    O_NOFOLLOW, 0600);
	if (fd == -1) {
		log_warn("serial file %s", s->ts_tmp);
		return -1;
	}
	while (off < len) {
		n = write(fd, text + off, len - off);
		if (n == -1 && errno == EINTR)
			continue;
		if (n == -1) {
			log_warn("serial file %s", s->ts_tmp);
			goto fail;
		}
		off += (size_t)n;
	}
	if (fsync(fd) == -1) {
		log_warn("fsync %s", s->ts_tmp);
		goto fail;
	}
	r = close(fd);
	fd = -1;
	if (r == -1) {
		log_warn("close %s", s->ts_tmp);
		goto fail;
	}
	if (rename(s->ts_tmp, s->ts_path) == -1) {
		log_warn("rename %s to %s", s->ts_tmp, s->ts_path);
		goto fail;
	}
	if ((dfd = open(s->ts_dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC)) == -1 ||
	    fsync(dfd) == -1) {
		log_warn("fsync %s", s->ts_dir);
		if (dfd != -1)
			(void)close(dfd);
		return -1;
	}
	(void)close(dfd);
	return 0;
 fail:
	if (fd != -1)
		(void)close(fd);
	(void)unlink(s->ts_tmp);
	return -1;
}

struct tsa_serial *
tsa_serial_open(const char *path, unsigned int block)
{
	struct tsa_serial	*s = NULL;
	char			*lock = NULL;
	uint64_t		 value = 1;
	int			 r;

	if (path == NULL || *path == '\0') {
		log_warnx("no serial file given");
		return NULL;
	}
	if (block < 1 || block > TSA_SERIAL_BLOCK_MAX) {
		log_warnx("serial block %u out of range 1..%u", block,
		    TSA_SERIAL_BLOCK_MAX);
		return NULL;
	}
	if ((s = calloc(1, sizeof(*s))) == NULL) {
		log_warn("calloc");
		return NULL;
	}
	s->ts_lockfd = -1;
	s->ts_block = block;
	if ((s->ts_path = strdup(path)) == NULL ||
	    (s->ts_tmp = tsa_strcat_dup(path, ".tmp")) == NULL ||
	    (s->ts_dir = tsa_dirname_dup(path)) == NULL ||
	    (lock = tsa_strcat_dup(path, ".lock")) == NULL) {
		log_warn("malloc");
		goto fail;
	}

	/* Two stores on one file would hand out the same serials. */
	s->ts_lockfd = open(lock, O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW,
	    0600);
	if (s->ts_lockfd == -1) {
		log_warn("serial lock %s", lock);
		goto fail;
	}
	if (flock(s->ts_lockfd, LOCK_EX | LOCK_NB) == -1) {
		if (errno == EWOULDBLOCK)
			log_warnx("serial file %s is in use by another "
			    "process", path);
		else
			log_warn("flock %s", lock);
		goto fail;
	}

	if ((r = serial_read(path, &value)) == -1)
		goto fail;
	if (r == 1) {
		/* A new store starts at 1; write it so a typo shows at once. */
		value = 1;
		if (serial_write(s, value) == -1)
			goto fail;
		log_info("serial file %s created", path);
	}
	s->ts_next = value;
	s->ts_limit = value;
	free(lock);
	return s;
 fail:
	free(lock);
	tsa_serial_close(s);
	return NULL;
}

void
tsa_serial_close(struct tsa_serial *s)
{
	if (s == NULL)
		return;
	if (s->ts_lockfd != -1)
		(void)close(s->ts_lockfd);
	free(s->ts_path);
	free(s->ts_tmp);
	free(s->ts_dir);
	free(s);
}

int
tsa_serial_next(struct tsa_serial *s, uint64_t *serialp)
{
	uint64_t	 limit;

	if (s->ts_next >= TSA_SERIAL_MAX) {
		log_warnx("serial file %s: serial numbers exhausted",
		    s->ts_path);
		return -1;
	}
	if (s->ts_next >= s->ts_limit) {
		if (TSA_SERIAL_MAX - s->ts_next < s->ts_block)
			limit = TSA_SERIAL_MAX;
		else
			limit = s->ts_next + s->ts_block;
		/* On disk before any serial of the block leaves. */
		if (serial_write(s, limit) == -1)
			return -1;
		s->ts_limit = limit;
	}
	*serialp = s->ts_next++;
	return 0;
}

int
tsa_serial_check(const char *path)
{
	uint64_t	 value;
	char		*dir;
	int		 r;

	if (path == NULL || *path == '\0') {
		log_warnx("no serial file given");
		return -1;
	}
	if ((r = serial_read(path, &value)) == -1)
		return -1;
	if (r == 0)
		return 0;
	if ((dir = tsa_dirname_dup(path)) == NULL) {
		log_warn("malloc");
		return -1;
	}
	r = access(dir, W_OK | X_OK);
	if (r == -1)
		log_warn("serial folder %s", dir);
	free(dir);
	return r;
}

/* Never prompt for a pass phrase: an encrypted key is an error. */
static int
tsa_no_password(char *buf, int size, int rwflag, void *arg)
{
	return -1;
}

int
tsa_load_key(const char *path, EVP_PKEY **keyp)
{
	BIO		*bio;
	EVP_PKEY	*key;

	*keyp = NULL;
	if ((bio = BIO_new_file(path, "r")) == NULL) {
		log_warnx("key %s: cannot open: %s", path, tsa_ssl_error());
		return -1;
	}
	key = PEM_read_bio_PrivateKey(bio, NULL, tsa_no_password, NULL);
	BIO_free(bio);
	if (key == NULL) {
		log_warnx("key %s: not an unencrypted PEM private key: %s",
		    path, tsa_ssl_error());
		return -1;
	}
	*keyp = key;
	return 0;
}

int
tsa_load_cert(const char *path, X509 **certp)
{
	BIO	*bio;
	X509	*cert;

	*certp = NULL;
	if ((bio = BIO_new_file(path, "r")) == NULL) {
		log_warnx("certificate %s: cannot open: %s", path,
		    tsa_ssl_error());
		return -1;
	}
	cert = PEM_read_bio_X509(bio, NULL, tsa_no_password, NULL);
	BIO_free(bio);
	if (cert == NULL) {
		log_warnx("certificate %s: not a PEM certificate: %s", path,
		    tsa_ssl_error());
		return -1;
	}
	*certp = cert;
	return 0;
}

int
tsa_load_chain(const char *path, STACK_OF(X509) **chainp)
{
	STACK_OF(X509)	*chain = NULL;
	BIO		*bio = NULL;
	X509		*cert;
	unsigned long	 e;

	*chainp = NULL;
	if ((bio = BIO_new_file(path, "r")) == NULL) {
		log_warnx("chain %s: cannot open: %s", path, tsa_ssl_error());
		return -1;
	}
	if ((chain = sk_X509_new_null()) == NULL) {
		log_warnx("chain %s: %s", path, tsa_ssl_error());
		goto fail;
	}
	ERR_clear_error();
	while ((cert = PEM_read_bio_X509(bio, NULL, tsa_no_password,
	    NULL)) != NULL) {
		if (!sk_X509_push(chain, cert)) {
			X509_free(cert);
			log_warnx("chain %s: %s", path, tsa_ssl_error());
			goto fail;
		}
	}
	/* The loop ends at the end of the file, or at something broken. */
	e = ERR_peek_last_error();
	if (ERR_GET_LIB(e) != ERR_LIB_PEM ||
	    ERR_GET_REASON(e) != PEM_R_NO_START_LINE) {
		log_warnx("chain %s: bad certificate: %s", path,
		    tsa_ssl_error());
		goto fail;
	}
	ERR_clear_error();
	if (sk_X509_num(chain) == 0) {
		log_warnx("chain %s: no certificate", path);
		goto fail;
	}
	BIO_free(bio);
	*chainp = chain;
	return 0;
 fail:
	BIO_free(bio);
	sk_X509_pop_free(chain, X509_free);
	return -1;
}

static ASN1_INTEGER *
tsa_serial_cb(TS_RESP_CTX *ctx, void *arg)
{
	struct tsa	*t = arg;
	ASN1_INTEGER	*ai = NULL;
	uint64_t	 serial;

	if (t->t_serial == NULL || tsa_serial_next(t->t_serial, &serial) == -1)
		goto fail;
	if ((ai = ASN1_INTEGER_new()) == NULL ||
	    !ASN1_INTEGER_set_uint64(ai, serial))
		goto fail;
	return ai;
 fail:
	ASN1_INTEGER_free(ai);
	TS_RESP_CTX_set_status_info(ctx, TS_STATUS_REJECTION,
	    "Serial number not available.");
	TS_RESP_CTX_add_failure_info(ctx, TS_INFO_SYSTEM_FAILURE);
	return NULL;
}

static int
tsa_time_cb(TS_RESP_CTX *ctx, void *arg, long *sec, long *usec)
{
	struct tsa	*t = arg;
	struct timeval	 tv;
	int		 r;

	if (t->t_clock != NULL)
		r = t->t_clock(t->t_clock_arg, &tv);
	else
		r = gettimeofday(&tv, NULL);
	if (r != 0) {
		TS_RESP_CTX_set_status_info(ctx, TS_STATUS_REJECTION,
		    "Time is not available.");
		TS_RESP_CTX_add_failure_info(ctx, TS_INFO_TIME_NOT_AVAILABLE);
		return 0;
	}
	*sec = (long)tv.tv_sec;
	*usec = (long)tv.tv_usec;
	return 1;
}

/* Encode a rejection with no text, for when TS_RESP_create_response fails. */
static int
tsa_make_fallback(struct tsa *t)
{
	TS_RESP		*resp = NULL;
	TS_STATUS_INFO	*si = NULL;
	unsigned char	*der = NULL;
	int		 len, ret = -1;

	if ((resp = TS_RESP_new()) == NULL ||
	    (si = TS_STATUS_INFO_new()) == NULL ||
	    !TS_STATUS_INFO_set_status(si, TS_STATUS_REJECTION) ||
	    !TS_RESP_set_status_info(resp, si))
		goto done;
	if ((len = i2d_TS_RESP(resp, &der)) <= 0)
		goto done;
	if ((t->t_fallback = malloc((size_t)len)) == NULL)
		goto done;
	memcpy(t->t_fallback, der, (size_t)len);
	t->t_fallback_len = (size_t)len;
	ret = 0;
 done:
	OPENSSL_free(der);
	TS_STATUS_INFO_free(si);
	TS_RESP_free(resp);
	return ret;
}

struct tsa *
tsa_new(EVP_PKEY *key, X509 *cert, STACK_OF(X509) *chain, const char *policy,
    struct tsa_serial *serial)
{
	struct tsa	*t = NULL;
	ASN1_OBJECT	*oid = NULL;
	char		 subject[256];

	if (key == NULL || cert == NULL) {
		log_warnx("TSA key and certificate are required");
		return NULL;
	}
	if (policy == NULL)
		policy = TSA_DEFAULT_POLICY;
	X509_NAME_oneline(X509_get_subject_name(cert), subject,
	    sizeof(subject));

	if (X509_check_private_key(cert, key) != 1) {
		log_warnx("the TSA key does not match the certificate %s",
		    subject);
		ERR_clear_error();
		return NULL;
	}
	/* Only the numeric form: a name could mean something else. */
	if ((oid = OBJ_txt2obj(policy, 1)) == NULL) {
		log_warnx("policy %s is not an OID in dotted form", policy);
		ERR_clear_error();
		return NULL;
	}
	if (X509_cmp_current_time(X509_get0_notAfter(cert)) < 0 ||
	    X509_cmp_current_time(X509_get0_notBefore(cert)) > 0)
		log_warnx("TSA certificate %s is not valid now: its tokens "
		    "will not verify", subject);

	if ((t = calloc(1, sizeof(*t))) == NULL) {
		log_warn("calloc");
		goto fail;
	}
	t->t_serial = serial;
	if ((t->t_ctx = TS_RESP_CTX_new()) == NULL) {
		log_warnx("TS_RESP_CTX_new: %s", tsa_ssl_error());
		goto fail;
	}
	if (!TS_RESP_CTX_set_signer_cert(t->t_ctx, cert)) {
		log_warnx("certificate %s cannot sign time stamps (it needs "
		    "extendedKeyUsage timeStamping, critical): %s", subject,
		    tsa_ssl_error());
		goto fail;
	}
	if (!TS_RESP_CTX_set_signer_key(t->t_ctx, key) ||
	    !TS_RESP_CTX_set_signer_digest(t->t_ctx, EVP_sha256()) ||
	    !TS_RESP_CTX_set_ess_cert_id_digest(t->t_ctx, EVP_sha256()) ||
	    !TS_RESP_CTX_set_certs(t->t_ctx, chain) ||
	    !TS_RESP_CTX_set_def_policy(t->t_ctx, oid) ||
	    !TS_RESP_CTX_add_md(t->t_ctx, EVP_sha256()) ||
	    !TS_RESP_CTX_add_md(t->t_ctx, EVP_sha384()) ||
	    !TS_RESP_CTX_add_md(t->t_ctx, EVP_sha512()) ||
	    !TS_RESP_CTX_set_accuracy(t->t_ctx, 1, 0, 0) ||
	    !TS_RESP_CTX_set_clock_precision_digits(t->t_ctx, 0)) {
		log_warnx("TS context: %s", tsa_ssl_error());
		goto fail;
	}
	/* No TS_ORDERING: ordering stays false. */
	TS_RESP_CTX_add_flags(t->t_ctx, TS_TSA_NAME);
	TS_RESP_CTX_set_serial_cb(t->t_ctx, tsa_serial_cb, t);
	TS_RESP_CTX_set_time_cb(t->t_ctx, tsa_time_cb, t);
	if (tsa_make_fallback(t) == -1) {
		log_warnx("cannot encode a rejection: %s", tsa_ssl_error());
		goto fail;
	}
	ASN1_OBJECT_free(oid);
	return t;
 fail:
	ASN1_OBJECT_free(oid);
	tsa_free(t);
	return NULL;
}

void
tsa_free(struct tsa *t)
{
	if (t == NULL)
		return;
	TS_RESP_CTX_free(t->t_ctx);
	free(t->t_fallback);
	free(t);
}

void
tsa_set_clock(struct tsa *t, tsa_clock_fn fn, void *arg)
{
	t->t_clock = fn;
	t->t_clock_arg = arg;
}

static void
tsa_fill_result(TS_RESP *resp, struct tsa_result *res)
{
	TS_STATUS_INFO			*si;
	const ASN1_BIT_STRING		*fi;
	const STACK_OF(ASN1_UTF8STRING)	*text;
	const ASN1_UTF8STRING		*s;
	const unsigned char		*p;
	TS_TST_INFO			*tst;
	size_t				 i, n;
	int				 bit;

	memset(res, 0, sizeof(*res));
	res->tr_status = TS_STATUS_REJECTION;
	if ((si = TS_RESP_get_status_info(resp)) == NULL)
		return;
	res->tr_status = (int)ASN1_INTEGER_get(TS_STATUS_INFO_get0_status(si));
	if ((fi = TS_STATUS_INFO_get0_failure_info(si)) != NULL) {
		for (bit = 0; bit < 32; bit++)
			if (ASN1_BIT_STRING_get_bit(fi, bit))
				res->tr_failinfo |= 1U << bit;
	}
	text = TS_STATUS_INFO_get0_text(si);
	if (text != NULL && sk_ASN1_UTF8STRING_num(text) > 0) {
		s = sk_ASN1_UTF8STRING_value(text, 0);
		p = ASN1_STRING_get0_data(s);
		n = (size_t)ASN1_STRING_length(s);
		if (n > sizeof(res->tr_text) - 1)
			n = sizeof(res->tr_text) - 1;
		/* Our own texts are ASCII; keep logs clean regardless. */
		for (i = 0; i < n; i++)
			res->tr_text[i] = (p[i] >= 0x20 && p[i] < 0x7f) ?
			    (char)p[i] : '?';
		res->tr_text[n] = '\0';
	}
	if ((tst = TS_RESP_get_tst_info(resp)) != NULL) {
		uint64_t	 serial;

		if (ASN1_INTEGER_get_uint64(&serial,
		    TS_TST_INFO_get_serial(tst)))
			res->tr_serial = serial;
	}
}

int
tsa_respond(struct tsa *t, const unsigned char *req, size_t reqlen,
    unsigned char **respp, size_t *resplenp, struct tsa_result *result)
{
	struct tsa_result	 res;
	TS_REQ			*parsed;
	TS_RESP			*resp = NULL;
	BIO			*bio = NULL;
	const unsigned char	*p;
	unsigned char		*der = NULL, *out;
	int			 len = 0, whole = 0;

	*respp = NULL;
	*resplenp = 0;
	memset(&res, 0, sizeof(res));

	/*
	 * Exactly one DER TimeStampReq and nothing after it; anything else
	 * goes in as empty input, which OpenSSL answers with badDataFormat.
	 */
	if (req != NULL && reqlen > 0 && reqlen <= TSA_MAX_REQUEST) {
		p = req;
		if ((parsed = d2i_TS_REQ(NULL, &p, (long)reqlen)) != NULL) {
			whole = (p == req + reqlen);
			TS_REQ_free(parsed);
		}
	}
	ERR_clear_error();
	bio = BIO_new_mem_buf(whole ? (const void *)req : "",
	    whole ? (int)reqlen : 0);
	if (bio != NULL)
		resp = TS_RESP_create_response(t->t_ctx, bio);
	BIO_free(bio);

	if (resp != NULL) {
		tsa_fill_result(resp, &res);
		len = i2d_TS_RESP(resp, &der);
		TS_RESP_free(resp);
		if (len <= 0) {
			OPENSSL_free(der);
			der = NULL;
		}
	}
	if (der == NULL) {
		log_warnx("time-stamp response failed: %s", tsa_ssl_error());
		memset(&res, 0, sizeof(res));
		res.tr_status = TS_STATUS_REJECTION;
		(void)strlcpy(res.tr_text, "internal error",
		    sizeof(res.tr_text));
		if ((out = malloc(t->t_fallback_len)) == NULL)
			return -1;
		memcpy(out, t->t_fallback, t->t_fallback_len);
		*respp = out;
		*resplenp = t->t_fallback_len;
		goto done;
	}
	if ((out = malloc((size_t)len)) == NULL) {
		OPENSSL_free(der);
		return -1;
	}
	memcpy(out, der, (size_t)len);
	OPENSSL_free(der);
	*respp = out;
	*resplenp = (size_t)len;

	/* A rejection with no reason given is our failure, not the client's. */
	if (res.tr_status != TS_STATUS_GRANTED &&
	    (res.tr_failinfo == 0 ||
	    (res.tr_failinfo & TSA_FAIL_SYSTEM_FAILURE)))
		log_warnx("time-stamp refused (%s): %s", res.tr_text,
		    tsa_ssl_error());
 done:
	ERR_clear_error();
	if (result != NULL)
		*result = res;
	return 0;
}

const char *
tsa_failinfo_name(unsigned int failinfo)
{
	static const struct {
		unsigned int	 bit;
		const char	*name;
	} names[] = {
		{ TSA_FAIL_BAD_ALG, "badAlg" },
		{ TSA_FAIL_BAD_REQUEST, "badRequest" },
		{ TSA_FAIL_BAD_DATA_FORMAT, "badDataFormat" },
		{ TSA_FAIL_TIME_NOT_AVAILABLE, "timeNotAvailable" },
		{ TSA_FAIL_UNACCEPTED_POLICY, "unacceptedPolicy" },
		{ TSA_FAIL_UNACCEPTED_EXTENSION, "unacceptedExtension" },
		{ TSA_FAIL_ADD_INFO_NOT_AVAILABLE, "addInfoNotAvailable" },
		{ TSA_FAIL_SYSTEM_FAILURE, "systemFailure" },
	};
	size_t	 i;

	if (failinfo == 0)
		return "none";
	for (i = 0; i < sizeof(names) / sizeof(names[0]); i++)
		if (failinfo & names[i].bit)
			return names[i].name;
	return "other";
}
