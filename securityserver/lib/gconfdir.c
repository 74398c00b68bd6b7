/*
 * gconfdir.c: building and verifying the signed configuration directory.
 * MIME framing is mime.c's; signatures and hashes are OpenSSL's.
 */
#include "config.h"

#include <ctype.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/x509.h>

#include "anchor.h"
#include "b64.h"
#include "buf.h"
#include "compat.h"
#include "gconfdir.h"
#include "mime.h"
#include "xsd.h"

#define GD_URI_SHA1		"http://www.w3.org/2000/09/xmldsig#sha1"
#define GD_URI_RSA_SHA384	"http://www.w3.org/2001/04/xmldsig-more#rsa-sha384"
#define GD_URI_ECDSA_SHA384	"http://www.w3.org/2001/04/xmldsig-more#ecdsa-sha384"
/* Header block of a saved directory (content_type NULL). */
#define GD_HEAD_MAX		8192

struct gconf_dir {
	time_t			 d_expire;
	int			 d_version;
	struct gconf_dir_entry	*d_entries;
	size_t			 d_nentries;
};

static void	gd_err(char *, size_t, const char *, ...)
	    __attribute__((format(printf, 3, 4)));

static void
gd_err(char *err, size_t errlen, const char *fmt, ...)
{
	va_list ap;

	if (err == NULL || errlen == 0)
		return;
	va_start(ap, fmt);
	(void)vsnprintf(err, errlen, fmt, ap);
	va_end(ap);
}

const char *
gconf_dir_strerror(int code)
{
	switch (code) {
	case 0:
		return "ok";
	case GCONF_DIR_ERR_NOMEM:
		return "out of memory";
	case GCONF_DIR_ERR_FORMAT:
		return "malformed configuration directory";
	case GCONF_DIR_ERR_SIGNATURE:
		return "configuration directory signature not valid";
	case GCONF_DIR_ERR_EXPIRED:
		return "configuration directory expired";
	case GCONF_DIR_ERR_VERSION:
		return "configuration directory version mismatch";
	case GCONF_DIR_ERR_HASH:
		return "configuration file does not match its hash";
	case GCONF_DIR_ERR_ARG:
		return "bad argument";
	}
	return "unknown error";
}

/* File hash algorithms (SHA-1 is refused for file hashes). */
static const EVP_MD *
gd_file_md(const char *uri, const char **canon)
{
	static const char *const uris[] = {
	    GCONF_URI_SHA256, GCONF_URI_SHA384, GCONF_URI_SHA512 };
	size_t i;

	for (i = 0; i < sizeof(uris) / sizeof(uris[0]); i++)
		if (strcmp(uri, uris[i]) == 0) {
			*canon = uris[i];
			return i == 0 ? EVP_sha256() : i == 1 ? EVP_sha384() :
			    EVP_sha512();
		}
	return NULL;
}

/* Certificate-identifying hashes may also be SHA-1 (older servers). */
static const EVP_MD *
gd_cert_md(const char *uri)
{
	const char *c;

	if (strcmp(uri, GD_URI_SHA1) == 0)
		return EVP_sha1();
	return gd_file_md(uri, &c);
}

/* Signature algorithms: digest and key type. */
static const EVP_MD *
gd_sig_alg(const char *uri, int *key_type)
{
	static const struct {
		const char	*uri;
		int		 type;
		int		 bits;
	} algs[] = {
		{ GCONF_URI_RSA_SHA256, EVP_PKEY_RSA, 256 },
		{ GD_URI_RSA_SHA384, EVP_PKEY_RSA, 384 },
		{ GCONF_URI_RSA_SHA512, EVP_PKEY_RSA, 512 },
		{ GCONF_URI_ECDSA_SHA256, EVP_PKEY_EC, 256 },
		{ GD_URI_ECDSA_SHA384, EVP_PKEY_EC, 384 },
		{ GCONF_URI_ECDSA_SHA512, EVP_PKEY_EC, 512 },
	};
	size_t i;

	for (i = 0; i < sizeof(algs) / sizeof(algs[0]); i++)
		if (strcmp(uri, algs[i].uri) == 0) {
			*key_type = algs[i].type;
			return algs[i].bits == 256 ? EVP_sha256() :
			    algs[i].bits == 384 ? EVP_sha384() : EVP_sha512();
		}
	return NULL;
}

/* "/" followed by safe path characters, no "." or ".." segments. */
static int
gd_location_ok(const char *s)
{
	const char	*seg;
	size_t		 n = 0;

	if (s == NULL || s[0] != '/')
		return 0;
	for (seg = s + 1;; ) {
		const char *e = seg;

		while (*e != '\0' && *e != '/') {
			unsigned char c = (unsigned char)*e;

			if (!isalnum(c) && c != '.' && c != '_' && c != '-' &&
			    c != '~')
				return 0;
			e++;
		}
		n += (size_t)(e - seg) + 1;
		if (e == seg || (e - seg == 1 && seg[0] == '.') ||
		    (e - seg == 2 && seg[0] == '.' && seg[1] == '.'))
			return 0;
		if (*e == '\0')
			break;
		seg = e + 1;
	}
	return n < GCONF_DIR_LOCATION_MAX;
}

/* Content-identifier parts: header-safe tokens. */
static int
gd_token_ok(const char *s)
{
	if (s == NULL || *s == '\0')
		return 0;
	for (; *s != '\0'; s++)
		if ((unsigned char)*s <= 0x20 || (unsigned char)*s >= 0x7f ||
		    *s == ';' || *s == '"' || *s == '\'' || *s == '\\')
			return 0;
	return 1;
}

int
gconf_dir_location(char *buf, size_t len, int version,
    const struct timespec *ts, const char *file)
{
	struct tm	tm;
	char		stamp[32];
	int		n;

	if (ts == NULL || file == NULL || gmtime_r(&ts->tv_sec, &tm) == NULL ||
	    strftime(stamp, sizeof(stamp), "%Y%m%d%H%M%S", &tm) == 0)
		return -1;
	n = snprintf(buf, len, "/V%d/%s%09ld/%s", version, stamp,
	    (long)ts->tv_nsec, file);
	if (n < 0 || (size_t)n >= len || !gd_location_ok(buf))
		return -1;
	return 0;
}

static int
gd_digest(const EVP_MD *md, const void *data, size_t len, unsigned char *out,
    size_t *outlen)
{
	unsigned int n = 0;

	if (EVP_Digest(data, len, out, &n, md, NULL) != 1)
		return -1;
	*outlen = n;
	return 0;
}

static EVP_PKEY *
gd_cert_key(const unsigned char *der, size_t len)
{
	const unsigned char	*p = der;
	X509			*x;
	EVP_PKEY		*k;

	if (len > LONG_MAX || (x = d2i_X509(NULL, &p, (long)len)) == NULL)
		return NULL;
	k = X509_get_pubkey(x);
	X509_free(x);
	return k;
}

/* 0 if sig is a valid signature of alg_uri by pkey over data. */
static int
gd_verify(EVP_PKEY *pkey, const char *alg_uri, const unsigned char *sig,
    size_t siglen, const void *data, size_t len)
{
	const EVP_MD	*md;
	EVP_MD_CTX	*ctx;
	int		 type, rc;

	if ((md = gd_sig_alg(alg_uri, &type)) == NULL ||
	    EVP_PKEY_get_base_id(pkey) != type)
		return -1;
	if ((ctx = EVP_MD_CTX_new()) == NULL)
		return -1;
	rc = EVP_DigestVerifyInit(ctx, NULL, md, NULL, pkey) == 1 &&
	    EVP_DigestVerify(ctx, sig, siglen, data, len) == 1 ? 0 : -1;
	EVP_MD_CTX_free(ctx);
	return rc;
}

static int
gd_add_file(struct mime_writer *w, const struct gconf_dir_file *f)
{
	unsigned char	 h[EVP_MAX_MD_SIZE];
	size_t		 hl;
	char		*b64, cid[512];
	const char	*hdrs[14];
	size_t		 n = 0;
	int		 rc, r;

	if (gd_digest(EVP_sha512(), f->df_data, f->df_len, h, &hl) != 0 ||
	    (b64 = b64_encode(h, hl)) == NULL)
		return GCONF_DIR_ERR_NOMEM;
	hdrs[n++] = "Content-type";
	hdrs[n++] = "application/octet-stream";
	hdrs[n++] = "Content-transfer-encoding";
	hdrs[n++] = "base64";
	if (f->df_content_id != NULL) {
		if (f->df_instance != NULL)
			r = snprintf(cid, sizeof(cid), "%s; instance=\"%s\"",
			    f->df_content_id, f->df_instance);
		else
			r = snprintf(cid, sizeof(cid), "%s", f->df_content_id);
		if (r < 0 || (size_t)r >= sizeof(cid)) {
			free(b64);
			return GCONF_DIR_ERR_ARG;
		}
		hdrs[n++] = "Content-identifier";
		hdrs[n++] = cid;
	}
	hdrs[n++] = "Content-location";
	hdrs[n++] = f->df_location;
	hdrs[n++] = "Hash-algorithm-id";
	hdrs[n++] = GCONF_URI_SHA512;
	hdrs[n] = NULL;
	rc = mime_writer_add(w, hdrs, b64, strlen(b64)) == 0 ? 0 :
	    GCONF_DIR_ERR_NOMEM;
	free(b64);
	return rc;
}

int
gconf_dir_build(const struct gconf_dir_file *files, size_t nfiles,
    time_t expire, int version, const unsigned char *cert_der,
    size_t cert_len, gconf_dir_sign_fn sign, void *sign_arg,
    unsigned char **body, size_t *bodylen, char **content_type, char *err,
    size_t errlen)
{
	struct mime_writer	*w = NULL;
	struct buf		*dir = NULL, *out = NULL;
	EVP_PKEY		*pkey = NULL;
	unsigned char		 dg[EVP_MAX_MD_SIZE], ch[EVP_MAX_MD_SIZE];
	unsigned char		*sig = NULL;
	size_t			 dglen, chlen, siglen = 0, i;
	const char		*alg = NULL, *hdrs[9];
	char			 when[XSD_DATETIME_LEN], ver[16], ctype[128];
	char			 vch[256], *sigb64 = NULL, *chb64 = NULL;
	int			 rc = GCONF_DIR_ERR_ARG;

	if (nfiles == 0 || nfiles > GCONF_DIR_MAX_ENTRIES || version < 1 ||
	    cert_der == NULL || cert_len == 0 || sign == NULL) {
		gd_err(err, errlen, "bad arguments");
		return GCONF_DIR_ERR_ARG;
	}
	for (i = 0; i < nfiles; i++)
		if (!gd_location_ok(files[i].df_location) ||
		    (files[i].df_content_id != NULL &&
		    !gd_token_ok(files[i].df_content_id)) ||
		    (files[i].df_instance != NULL &&
		    !gd_token_ok(files[i].df_instance)) ||
		    (files[i].df_data == NULL && files[i].df_len > 0)) {
			gd_err(err, errlen, "file %zu: bad location, content "
			    "identifier or data", i);
			return GCONF_DIR_ERR_ARG;
		}
	if ((pkey = gd_cert_key(cert_der, cert_len)) == NULL) {
		gd_err(err, errlen, "bad verification certificate");
		return GCONF_DIR_ERR_ARG;
	}
	if (xsd_format_datetime(expire, when, sizeof(when)) != 0) {
		gd_err(err, errlen, "bad expiry time");
		goto done;
	}
	(void)snprintf(ver, sizeof(ver), "%d", version);

	/* The directory: a header-only entry, then one entry per file. */
	rc = GCONF_DIR_ERR_NOMEM;
	if ((w = mime_writer_new(NULL, GCONF_DIR_MAX)) == NULL)
		goto nomem;
	hdrs[0] = "Expire-date";
	hdrs[1] = when;
	hdrs[2] = "Version";
	hdrs[3] = ver;
	hdrs[4] = NULL;
	if (mime_writer_add(w, hdrs, "", 0) != 0)
		goto nomem;
	for (i = 0; i < nfiles; i++)
		if ((rc = gd_add_file(w, &files[i])) != 0) {
			gd_err(err, errlen, "cannot add file %zu", i);
			goto done;
		}
	(void)snprintf(ctype, sizeof(ctype),
	    "multipart/mixed; charset=UTF-8; boundary=%s",
	    mime_writer_boundary(w));
	rc = mime_writer_finish(w, &dir);
	w = NULL;
	if (rc != 0) {
		rc = GCONF_DIR_ERR_NOMEM;
		goto nomem;
	}

	/* Sign it; check the signature against the certificate we name. */
	if (gd_digest(EVP_sha512(), buf_data(dir), buf_len(dir), dg,
	    &dglen) != 0)
		goto nomem;
	if (sign(sign_arg, dg, dglen, &sig, &siglen, &alg) != 0 ||
	    sig == NULL || siglen == 0 || alg == NULL) {
		rc = GCONF_DIR_ERR_SIGNATURE;
		gd_err(err, errlen, "signing failed");
		goto done;
	}
	if ((strcmp(alg, GCONF_URI_RSA_SHA512) != 0 &&
	    strcmp(alg, GCONF_URI_ECDSA_SHA512) != 0) ||
	    gd_verify(pkey, alg, sig, siglen, buf_data(dir),
	    buf_len(dir)) != 0) {
		rc = GCONF_DIR_ERR_SIGNATURE;
		gd_err(err, errlen, "signature does not verify with the "
		    "verification certificate");
		goto done;
	}
	rc = GCONF_DIR_ERR_NOMEM;
	if (gd_digest(EVP_sha512(), cert_der, cert_len, ch, &chlen) != 0 ||
	    (chb64 = b64_encode(ch, chlen)) == NULL ||
	    (sigb64 = b64_encode(sig, siglen)) == NULL)
		goto nomem;
	(void)snprintf(vch, sizeof(vch), "%s; hash-algorithm-id=\"%s\"", chb64,
	    GCONF_URI_SHA512);

	/* The envelope: directory, then signature. */
	if ((w = mime_writer_new(NULL, GCONF_DIR_MAX)) == NULL)
		goto nomem;
	hdrs[0] = "Content-Type";
	hdrs[1] = ctype;
	hdrs[2] = NULL;
	if (mime_writer_add(w, hdrs, buf_data(dir), buf_len(dir)) != 0)
		goto nomem;
	hdrs[0] = "Content-type";
	hdrs[1] = "application/octet-stream";
	hdrs[2] = "Content-transfer-encoding";
	hdrs[3] = "base64";
	hdrs[4] = "Signature-algorithm-id";
	hdrs[5] = alg;
	hdrs[6] = "Verification-certificate-hash";
	hdrs[7] = vch;
	hdrs[8] = NULL;
	if (mime_writer_add(w, hdrs, sigb64, strlen(sigb64)) != 0)
		goto nomem;
	if ((*content_type = malloc(128)) == NULL)
		goto nomem;
	(void)snprintf(*content_type, 128,
	    "multipart/related; charset=UTF-8; boundary=%s",
	    mime_writer_boundary(w));
	if (mime_writer_finish(w, &out) != 0) {
		w = NULL;
		free(*content_type);
		*content_type = NULL;
		goto nomem;
	}
	w = NULL;
	*body = buf_release(out, bodylen);
	rc = 0;
	goto done;
 nomem:
	gd_err(err, errlen, "cannot build the directory (out of memory or "
	    "too large)");
 done:
	mime_writer_free(w);
	buf_free(dir);
	EVP_PKEY_free(pkey);
	free(sig);
	free(sigb64);
	free(chb64);
	return rc;
}

/* Parsing. */

void
gconf_dir_free(struct gconf_dir *d)
{
	size_t i;

	if (d == NULL)
		return;
	for (i = 0; i < d->d_nentries; i++) {
		free(d->d_entries[i].de_content_id);
		free(d->d_entries[i].de_instance);
		free(d->d_entries[i].de_location);
		free(d->d_entries[i].de_file_name);
	}
	free(d->d_entries);
	free(d);
}

/*
 * A saved directory starts with its own header block: find Content-Type
 * there (unfolded) and where the body starts.
 */
static int
gd_split_entity(const unsigned char *b, size_t len, char *ctype,
    size_t ctlen, size_t *body_off)
{
	size_t	i = 0, eol, n;
	int	in_ct = 0, found = 0;

	ctype[0] = '\0';
	while (i < len && i < GD_HEAD_MAX) {
		const unsigned char *p = memchr(b + i, '\n', len - i);

		if (p == NULL)
			return -1;
		eol = (size_t)(p - b);
		n = eol - i;
		if (n > 0 && b[i + n - 1] == '\r')
			n--;
		if (n == 0) {
			*body_off = eol + 1;
			return found ? 0 : -1;
		}
		if (b[i] == ' ' || b[i] == '\t') {
			if (in_ct && strlen(ctype) + n + 1 < ctlen)
				(void)strncat(ctype, (const char *)b + i, n);
			else if (in_ct)
				return -1;
		} else if (n > 13 && strncasecmp((const char *)b + i,
		    "Content-Type:", 13) == 0) {
			if (found || n - 13 >= ctlen)
				return -1;
			memcpy(ctype, b + i + 13, n - 13);
			ctype[n - 13] = '\0';
			in_ct = found = 1;
		} else
			in_ct = 0;
		i = eol + 1;
	}
	return -1;
}

/* Verify the outer envelope; *dir and *dirlen get the signed part. */
static int
gd_check_signature(const struct mime_multipart *outer,
    const struct anchor *anchor, const unsigned char **dir, size_t *dirlen,
    char **inner_b, char *err, size_t errlen)
{
	const struct mime_part	*p0, *p1;
	struct mime_hval	*hv = NULL;
	const unsigned char	*sigtxt, *cert;
	const char		*alg, *v, *halg;
	const EVP_MD		*md;
	unsigned char		*sig = NULL, *want = NULL;
	unsigned char		 h[EVP_MAX_MD_SIZE];
	size_t			 siglen = 0, wantlen = 0, hl, sigtxtlen;
	size_t			 si, ci, certlen;
	EVP_PKEY		*pkey = NULL;
	int			 kt, rc = GCONF_DIR_ERR_FORMAT, found = 0;

	if (mime_nparts(outer) != 2) {
		gd_err(err, errlen, "directory must have exactly two parts");
		return GCONF_DIR_ERR_FORMAT;
	}
	p0 = mime_part_at(outer, 0);
	p1 = mime_part_at(outer, 1);
	if ((v = mime_part_header(p0, "Content-Type")) == NULL ||
	    mime_hval_parse(v, MIME_HV_CTYPE, &hv, err, errlen) != 0 ||
	    strcmp(mime_hval_value(hv), "multipart/mixed") != 0 ||
	    mime_hval_param(hv, "boundary") == NULL) {
		gd_err(err, errlen, "first part is not multipart/mixed");
		goto done;
	}
	if ((inner_b[0] = strdup(mime_hval_param(hv, "boundary"))) == NULL) {
		rc = GCONF_DIR_ERR_NOMEM;
		goto done;
	}
	mime_hval_free(hv);
	hv = NULL;
	*dir = mime_part_body(p0, dirlen);

	if ((alg = mime_part_header(p1, "Signature-algorithm-id")) == NULL ||
	    gd_sig_alg(alg, &kt) == NULL) {
		gd_err(err, errlen, "missing or unsupported "
		    "Signature-algorithm-id");
		rc = GCONF_DIR_ERR_SIGNATURE;
		goto done;
	}
	if ((v = mime_part_header(p1, "Content-transfer-encoding")) != NULL &&
	    strcasecmp(v, "base64") != 0) {
		gd_err(err, errlen, "signature is not base64");
		goto done;
	}
	if ((v = mime_part_header(p1, "Verification-certificate-hash")) ==
	    NULL || mime_hval_parse(v, 0, &hv, err, errlen) != 0) {
		gd_err(err, errlen, "missing Verification-certificate-hash");
		goto done;
	}
	halg = mime_hval_param(hv, "hash-algorithm-id");
	if (halg == NULL || (md = gd_cert_md(halg)) == NULL) {
		gd_err(err, errlen, "unsupported certificate hash algorithm");
		rc = GCONF_DIR_ERR_SIGNATURE;
		goto done;
	}
	/* From here on, anything wrong is a signature failure. */
	rc = GCONF_DIR_ERR_SIGNATURE;
	if (b64_decode(mime_hval_value(hv), strlen(mime_hval_value(hv)),
	    &want, &wantlen) != 0) {
		gd_err(err, errlen, "bad Verification-certificate-hash");
		goto done;
	}
	sigtxt = mime_part_body(p1, &sigtxtlen);
	if (b64_decode((const char *)sigtxt, sigtxtlen, &sig, &siglen) != 0 ||
	    siglen == 0) {
		gd_err(err, errlen, "bad signature encoding");
		goto done;
	}

	/* The anchor certificate the signature names. */
	for (si = 0; si < anchor_nsources(anchor) && !found; si++)
		for (ci = 0; ci < anchor_source_ncerts(anchor, si); ci++) {
			cert = anchor_source_cert(anchor, si, ci, &certlen);
			if (gd_digest(md, cert, certlen, h, &hl) != 0) {
				rc = GCONF_DIR_ERR_NOMEM;
				goto done;
			}
			if (hl == wantlen && CRYPTO_memcmp(h, want, hl) == 0) {
				found = 1;
				break;
			}
		}
	if (!found) {
		gd_err(err, errlen, "signed with a certificate that is not in "
		    "the configuration anchor");
		goto done;
	}
	if ((pkey = gd_cert_key(cert, certlen)) == NULL) {
		gd_err(err, errlen, "anchor verification certificate cannot "
		    "be parsed");
		goto done;
	}
	if (gd_verify(pkey, alg, sig, siglen, *dir, *dirlen) != 0) {
		gd_err(err, errlen, "signature verification failed");
		goto done;
	}
	rc = 0;
 done:
	mime_hval_free(hv);
	EVP_PKEY_free(pkey);
	free(sig);
	free(want);
	return rc;
}

static int
gd_parse_entry(const struct mime_part *pt, struct gconf_dir_entry *e,
    char *err, size_t errlen)
{
	struct mime_hval	*hv = NULL;
	const unsigned char	*body;
	const char		*v, *inst;
	unsigned char		*hash = NULL;
	const EVP_MD		*md;
	size_t			 blen, hl, n;
	int			 rc = GCONF_DIR_ERR_FORMAT;

	if ((v = mime_part_header(pt, "Content-location")) == NULL ||
	    !gd_location_ok(v)) {
		gd_err(err, errlen, "entry without a valid Content-location");
		return GCONF_DIR_ERR_FORMAT;
	}
	if ((e->de_location = strdup(v)) == NULL)
		return GCONF_DIR_ERR_NOMEM;
	if ((v = mime_part_header(pt, "Hash-algorithm-id")) == NULL ||
	    (md = gd_file_md(v, &e->de_hash_alg)) == NULL) {
		gd_err(err, errlen, "%s: missing or unsupported "
		    "Hash-algorithm-id", e->de_location);
		return GCONF_DIR_ERR_FORMAT;
	}
	if ((v = mime_part_header(pt, "Content-transfer-encoding")) != NULL &&
	    strcasecmp(v, "base64") != 0) {
		gd_err(err, errlen, "%s: hash is not base64", e->de_location);
		return GCONF_DIR_ERR_FORMAT;
	}
	body = mime_part_body(pt, &blen);
	if (b64_decode((const char *)body, blen, &hash, &hl) != 0 ||
	    hl != (size_t)EVP_MD_get_size(md)) {
		free(hash);
		gd_err(err, errlen, "%s: bad hash value", e->de_location);
		return GCONF_DIR_ERR_FORMAT;
	}
	memcpy(e->de_hash, hash, hl);
	e->de_hashlen = hl;
	free(hash);
	if ((v = mime_part_header(pt, "Content-identifier")) != NULL) {
		if (mime_hval_parse(v, 0, &hv, err, errlen) != 0)
			return GCONF_DIR_ERR_FORMAT;
		if ((e->de_content_id = strdup(mime_hval_value(hv))) == NULL) {
			rc = GCONF_DIR_ERR_NOMEM;
			goto done;
		}
		if ((inst = mime_hval_param(hv, "instance")) != NULL) {
			/* X-Road writes instance='EE' as well as "EE". */
			n = strlen(inst);
			if (n >= 2 && inst[0] == '\'' && inst[n - 1] == '\'') {
				inst++;
				n -= 2;
			}
			if ((e->de_instance = strndup(inst, n)) == NULL) {
				rc = GCONF_DIR_ERR_NOMEM;
				goto done;
			}
		}
	}
	if ((v = mime_part_header(pt, "Content-file-name")) != NULL &&
	    (e->de_file_name = strdup(v)) == NULL) {
		rc = GCONF_DIR_ERR_NOMEM;
		goto done;
	}
	rc = 0;
 done:
	mime_hval_free(hv);
	return rc;
}

static int
gd_parse_inner(struct gconf_dir *d, const unsigned char *dir, size_t dirlen,
    const char *boundary, char *err, size_t errlen)
{
	struct mime_limits	 lim = { GCONF_DIR_MAX_ENTRIES + 1, 16, 4096 };
	struct mime_multipart	*mm = NULL;
	const struct mime_part	*p0;
	const char		*v, *errstr;
	size_t			 i, n;
	int			 rc = GCONF_DIR_ERR_FORMAT;

	if (mime_parse(dir, dirlen, boundary, &lim, &mm, err, errlen) != 0)
		return GCONF_DIR_ERR_FORMAT;
	p0 = mime_part_at(mm, 0);
	if ((v = mime_part_header(p0, "Expire-date")) == NULL ||
	    xsd_parse_datetime(v, &d->d_expire) != 0) {
		gd_err(err, errlen, "missing or bad Expire-date");
		goto done;
	}
	if ((v = mime_part_header(p0, "Version")) != NULL) {
		d->d_version = (int)strtonum(v, 1, 1000, &errstr);
		if (errstr != NULL) {
			gd_err(err, errlen, "bad Version");
			goto done;
		}
	}
	n = mime_nparts(mm) - 1;
	if (n > 0 && (d->d_entries = calloc(n, sizeof(*d->d_entries))) ==
	    NULL) {
		rc = GCONF_DIR_ERR_NOMEM;
		goto done;
	}
	for (i = 0; i < n; i++) {
		d->d_nentries++;
		if ((rc = gd_parse_entry(mime_part_at(mm, i + 1),
		    &d->d_entries[i], err, errlen)) != 0)
			goto done;
	}
	rc = 0;
 done:
	mime_multipart_free(mm);
	return rc;
}

int
gconf_dir_parse_verify(struct gconf_dir **out, const void *body, size_t len,
    const char *content_type, const struct anchor *anchor, int version,
    time_t now, char *err, size_t errlen)
{
	struct mime_limits	 lim = { 2, 16, 4096 };
	struct mime_multipart	*outer = NULL;
	struct mime_hval	*hv = NULL;
	struct gconf_dir	*d = NULL;
	const unsigned char	*b = body, *dir = NULL;
	char			 ctype[1024], *inner_b = NULL;
	size_t			 off = 0, dirlen = 0;
	int			 rc = GCONF_DIR_ERR_FORMAT;

	*out = NULL;
	if (body == NULL || len == 0 || len > GCONF_DIR_MAX || anchor == NULL) {
		gd_err(err, errlen, "directory empty or too large");
		return GCONF_DIR_ERR_FORMAT;
	}
	if (content_type == NULL) {
		if (gd_split_entity(b, len, ctype, sizeof(ctype), &off) != 0) {
			gd_err(err, errlen, "no Content-Type header");
			return GCONF_DIR_ERR_FORMAT;
		}
		content_type = ctype;
	}
	if (mime_hval_parse(content_type, MIME_HV_CTYPE, &hv, err,
	    errlen) != 0)
		return GCONF_DIR_ERR_FORMAT;
	if (strcmp(mime_hval_value(hv), "multipart/related") != 0) {
		gd_err(err, errlen, "directory is not multipart/related");
		goto done;
	}
	if (mime_parse(b + off, len - off, mime_hval_param(hv, "boundary"),
	    &lim, &outer, err, errlen) != 0)
		goto done;
	if ((rc = gd_check_signature(outer, anchor, &dir, &dirlen, &inner_b,
	    err, errlen)) != 0)
		goto done;
	if ((d = calloc(1, sizeof(*d))) == NULL) {
		rc = GCONF_DIR_ERR_NOMEM;
		goto done;
	}
	if ((rc = gd_parse_inner(d, dir, dirlen, inner_b, err, errlen)) != 0)
		goto done;
	if (version != 0 && d->d_version != version) {
		gd_err(err, errlen, "directory is version %d, not %d",
		    d->d_version, version);
		rc = GCONF_DIR_ERR_VERSION;
		goto done;
	}
	if (now > d->d_expire) {
		gd_err(err, errlen, "directory expired");
		rc = GCONF_DIR_ERR_EXPIRED;
		goto done;
	}
	*out = d;
	d = NULL;
	rc = 0;
 done:
	mime_hval_free(hv);
	mime_multipart_free(outer);
	gconf_dir_free(d);
	free(inner_b);
	return rc;
}

time_t
gconf_dir_expire(const struct gconf_dir *d)
{
	return d->d_expire;
}

int
gconf_dir_version(const struct gconf_dir *d)
{
	return d->d_version;
}

size_t
gconf_dir_nentries(const struct gconf_dir *d)
{
	return d->d_nentries;
}

const struct gconf_dir_entry *
gconf_dir_entry(const struct gconf_dir *d, size_t i)
{
	return i < d->d_nentries ? &d->d_entries[i] : NULL;
}

const struct gconf_dir_entry *
gconf_dir_find(const struct gconf_dir *d, const char *content_id,
    const char *instance)
{
	size_t i;

	for (i = 0; i < d->d_nentries; i++) {
		const struct gconf_dir_entry *e = &d->d_entries[i];

		if (e->de_content_id == NULL ||
		    strcmp(e->de_content_id, content_id) != 0)
			continue;
		if (instance != NULL && (e->de_instance == NULL ||
		    strcmp(e->de_instance, instance) != 0))
			continue;
		return e;
	}
	return NULL;
}

int
gconf_dir_verify_file(const struct gconf_dir_entry *e, const void *data,
    size_t len)
{
	unsigned char	 h[EVP_MAX_MD_SIZE];
	const EVP_MD	*md;
	const char	*c;
	size_t		 hl;

	if ((md = gd_file_md(e->de_hash_alg, &c)) == NULL ||
	    gd_digest(md, data, len, h, &hl) != 0 || hl != e->de_hashlen ||
	    CRYPTO_memcmp(h, e->de_hash, hl) != 0)
		return GCONF_DIR_ERR_HASH;
	return 0;
}

int
gconf_dir_file_url(const char *url, const char *location, char *buf,
    size_t len)
{
	const char	*p;
	size_t		 n;
	int		 r;

	if (url == NULL || !gd_location_ok(location))
		return -1;
	if (strncasecmp(url, "http://", 7) == 0)
		p = url + 7;
	else if (strncasecmp(url, "https://", 8) == 0)
		p = url + 8;
	else
		return -1;
	n = strcspn(p, "/?#");
	if (n == 0)
		return -1;
	n += (size_t)(p - url);
	if (n > INT_MAX)
		return -1;
	r = snprintf(buf, len, "%.*s%s", (int)n, url, location);
	return r < 0 || (size_t)r >= len ? -1 : 0;
}
