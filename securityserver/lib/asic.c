/*
 * asic.c: X-Road signed-document containers (ASiC-E) over libzip.
 *
 * The layout is in asic.h. Containers are built in memory (a libzip
 * buffer source) and parsed from memory with bounds on every size.
 */
#include "config.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <openssl/crypto.h>
#include <openssl/evp.h>

#include <libxml/tree.h>
#include <zip.h>

#include "asic.h"
#include "b64.h"
#include "buf.h"
#include "xsd.h"

#define NS_DS		"http://www.w3.org/2000/09/xmldsig#"
#define NS_XADES	"http://uri.etsi.org/01903/v1.3.2#"
#define NS_MANIFEST	"urn:oasis:names:tc:opendocument:xmlns:manifest:1.0"
#define NS_ASIC		"http://uri.etsi.org/02918/v1.2.1#"
#define NS_ASIC_XROAD	"http://uri.etsi.org/2918/v1.2.1#"
#define URI_SHA512	"http://www.w3.org/2001/04/xmlenc#sha512"
#define MIME_TST	"application/vnd.etsi.timestamp-token"
#define MIME_TST_XROAD	"vnd.etsi.timestamp-token"
#define MIME_XML	"text/xml"
#define MIME_BINARY	"application/octet-stream"
#define ZIP_COMMENT	"mimetype=" ASIC_MIMETYPE
#define MANIFEST_MAX	(1024 * 1024)
/* Depth bound for searches in a signature document. */
#define SIG_MAX_DEPTH	16

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

static int
present(const struct asic_data *d)
{
	return d->ad_data != NULL;
}

/* SHA-512 of data as standard base64 (caller frees). */
static char *
sha512_b64(const void *data, size_t len)
{
	unsigned char	md[EVP_MAX_MD_SIZE];
	unsigned int	mdlen;

	if (!EVP_Digest(data, len, md, &mdlen, EVP_sha512(), NULL))
		return NULL;
	return b64_encode(md, mdlen);
}

/* The OpenDocument manifest of the data entries (AsicContainer.java). */
static struct buf *
build_manifest(const struct asic_parts *p)
{
	static const struct {
		const char	*name;
		size_t		 off;
	} xml[] = {
		{ ASIC_E_MESSAGE, offsetof(struct asic_parts, ap_message) },
		{ ASIC_E_SIG_HCR,
		    offsetof(struct asic_parts, ap_sig_hashchain_result) },
		{ ASIC_E_SIG_HC, offsetof(struct asic_parts, ap_sig_hashchain) },
		{ ASIC_E_TS_HCR,
		    offsetof(struct asic_parts, ap_ts_hashchain_result) },
		{ ASIC_E_TS_HC, offsetof(struct asic_parts, ap_ts_hashchain) }
	};
	struct buf	*b;
	size_t		 i;
	int		 rv = 0;

	if ((b = buf_new(MANIFEST_MAX)) == NULL)
		return NULL;
	rv |= buf_append_str(b, "<?xml version=\"1.0\" encoding=\"utf-8\"?>\n"
	    "<manifest:manifest xmlns:manifest=\"" NS_MANIFEST "\">\n"
	    "<manifest:file-entry manifest:media-type=\"" ASIC_MIMETYPE
	    "\" manifest:full-path=\"/\" />\n");
	for (i = 0; i < sizeof(xml) / sizeof(xml[0]); i++) {
		const struct asic_data *d = (const struct asic_data *)
		    (const void *)((const char *)p + xml[i].off);

		if (present(d))
			rv |= buf_printf(b, "<manifest:file-entry "
			    "manifest:media-type=\"%s\" "
			    "manifest:full-path=\"%s\" />\n", MIME_XML,
			    xml[i].name);
	}
	for (i = 0; i < p->ap_nattachments; i++)
		rv |= buf_printf(b, "<manifest:file-entry "
		    "manifest:media-type=\"%s\" manifest:full-path=\"%s%zu\" "
		    "/>\n", MIME_BINARY, ASIC_E_ATTACHMENT, i + 1);
	rv |= buf_append_str(b, "</manifest:manifest>\n");
	if (rv != 0) {
		buf_free(b);
		return NULL;
	}
	return b;
}

/* The ASiC manifest of the time-stamped data (AsicManifestBuilder.java). */
static struct buf *
build_asic_manifest(const struct asic_data *ts_hcr)
{
	struct buf	*b;
	char		*digest;
	int		 rv;

	if ((digest = sha512_b64(ts_hcr->ad_data, ts_hcr->ad_len)) == NULL)
		return NULL;
	if ((b = buf_new(MANIFEST_MAX)) == NULL) {
		free(digest);
		return NULL;
	}
	rv = buf_printf(b, "<?xml version=\"1.0\" encoding=\"utf-8\"?>\n"
	    "<asic:ASiCManifest xmlns:asic=\"%s\" xmlns:ds=\"%s\">\n"
	    "<asic:SigReference URI=\"%s\" MimeType=\"%s\"/>\n"
	    "<asic:DataObjectReference URI=\"%s\" MimeType=\"%s\">\n"
	    "<ds:DigestMethod Algorithm=\"%s\" />\n"
	    "<ds:DigestValue>%s</ds:DigestValue>\n"
	    "</asic:DataObjectReference>\n"
	    "</asic:ASiCManifest>", NS_ASIC, NS_DS, ASIC_E_TIMESTAMP,
	    MIME_TST, ASIC_E_TS_HCR, MIME_XML, URI_SHA512, digest);
	free(digest);
	if (rv != 0) {
		buf_free(b);
		return NULL;
	}
	return b;
}

/* DOS date and time of ms (UTC, so the bytes do not depend on TZ). */
static void
dos_time(int64_t ms, zip_uint16_t *dtime, zip_uint16_t *ddate)
{
	struct tm	tm;
	time_t		t;

	t = ms > 0 ? (time_t)(ms / 1000) : time(NULL);
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
zadd(zip_t *za, const char *name, const void *data, size_t len, int store,
    zip_uint16_t dtime, zip_uint16_t ddate)
{
	zip_source_t	*s;
	zip_int64_t	 idx;

	if ((s = zip_source_buffer(za, data, len, 0)) == NULL)
		return -1;
	if ((idx = zip_file_add(za, name, s, 0)) < 0) {
		zip_source_free(s);
		return -1;
	}
	if (zip_set_file_compression(za, (zip_uint64_t)idx,
	    store ? ZIP_CM_STORE : ZIP_CM_DEFLATE, 0) == -1 ||
	    zip_file_set_dostime(za, (zip_uint64_t)idx, dtime, ddate, 0) == -1)
		return -1;
	return 0;
}

/* Everything libzip wrote into the buffer source. */
static int
source_take(zip_source_t *src, unsigned char **out, size_t *outlen)
{
	zip_stat_t	 st;
	unsigned char	*b = NULL;
	zip_int64_t	 n;
	size_t		 got = 0;

	zip_stat_init(&st);
	if (zip_source_stat(src, &st) == -1 || !(st.valid & ZIP_STAT_SIZE) ||
	    st.size == 0 || st.size > SIZE_MAX - 1 ||
	    zip_source_open(src) == -1)
		return -1;
	if ((b = malloc((size_t)st.size)) == NULL)
		goto fail;
	while (got < st.size) {
		n = zip_source_read(src, b + got, st.size - got);
		if (n <= 0)
			goto fail;
		got += (size_t)n;
	}
	(void)zip_source_close(src);
	*out = b;
	*outlen = got;
	return 0;
fail:
	(void)zip_source_close(src);
	free(b);
	return -1;
}

static int
check_in(const char *name, const struct asic_data *d, int required,
    char *err, size_t errlen)
{
	if (!present(d))
		return required ? fail(err, errlen, "%s: missing", name) : 0;
	if (d->ad_len == 0)
		return fail(err, errlen, "%s: empty", name);
	return 0;
}

int
asic_build(const struct asic_parts *p, unsigned char **out, size_t *outlen,
    char *err, size_t errlen)
{
	zip_source_t	*src = NULL;
	zip_t		*za = NULL;
	zip_error_t	 ze;
	struct buf	*man = NULL, *aman = NULL;
	unsigned char	*sig2 = NULL, *old = NULL;
	const unsigned char *sig;
	size_t		 siglen, sig2len = 0, oldlen, i;
	zip_uint16_t	 dt, dd;
	char		 name[32];
	int		 single, rv = -1, r;

	if (out != NULL)
		*out = NULL;
	if (p == NULL || out == NULL || outlen == NULL)
		return fail(err, errlen, "asic: bad arguments");
	if (check_in(ASIC_E_MESSAGE, &p->ap_message, 1, err, errlen) == -1 ||
	    check_in(ASIC_E_SIGNATURE, &p->ap_signature, 1, err, errlen) ==
	    -1 ||
	    check_in(ASIC_E_SIG_HCR, &p->ap_sig_hashchain_result, 0, err,
	    errlen) == -1 ||
	    check_in(ASIC_E_SIG_HC, &p->ap_sig_hashchain, 0, err, errlen) ==
	    -1 ||
	    check_in(ASIC_E_TIMESTAMP, &p->ap_ts_token, 0, err, errlen) == -1 ||
	    check_in(ASIC_E_TS_HCR, &p->ap_ts_hashchain_result, 0, err,
	    errlen) == -1 ||
	    check_in(ASIC_E_TS_HC, &p->ap_ts_hashchain, 0, err, errlen) == -1)
		return -1;
	if (present(&p->ap_sig_hashchain_result) !=
	    present(&p->ap_sig_hashchain))
		return fail(err, errlen, "%s: hash chain result and hash chain "
		    "go together", ASIC_E_SIG_HC);
	if (present(&p->ap_ts_hashchain_result) != present(&p->ap_ts_hashchain))
		return fail(err, errlen, "%s: hash chain result and hash chain "
		    "go together", ASIC_E_TS_HC);
	if (present(&p->ap_ts_hashchain_result) && !present(&p->ap_ts_token))
		return fail(err, errlen, "%s: a ts hash chain needs a token",
		    ASIC_E_TIMESTAMP);
	if (p->ap_nattachments > ASIC_MAX_ATTACHMENTS ||
	    (p->ap_nattachments > 0 && p->ap_attachments == NULL))
		return fail(err, errlen, "attachment: too many or missing");
	for (i = 0; i < p->ap_nattachments; i++)
		if (p->ap_attachments[i].ad_data == NULL &&
		    p->ap_attachments[i].ad_len > 0)
			return fail(err, errlen, "attachment%zu: missing", i + 1);

	/* A token without a ts hash chain goes into the signature. */
	sig = p->ap_signature.ad_data;
	siglen = p->ap_signature.ad_len;
	single = present(&p->ap_ts_token) &&
	    !present(&p->ap_ts_hashchain_result);
	if (single) {
		r = asic_sig_timestamp(sig, siglen, &old, &oldlen);
		if (r == -1) {
			fail(err, errlen, "%s: cannot read the signature",
			    ASIC_E_SIGNATURE);
			goto done;
		}
		if (r == 0) {
			if (oldlen != p->ap_ts_token.ad_len ||
			    memcmp(old, p->ap_ts_token.ad_data, oldlen) != 0) {
				fail(err, errlen, "%s: holds another "
				    "SignatureTimeStamp", ASIC_E_SIGNATURE);
				goto done;
			}
		} else {
			if (asic_sig_add_timestamp(sig, siglen,
			    p->ap_ts_token.ad_data, p->ap_ts_token.ad_len, &sig2,
			    &sig2len) == -1) {
				fail(err, errlen, "%s: cannot add the "
				    "SignatureTimeStamp", ASIC_E_SIGNATURE);
				goto done;
			}
			sig = sig2;
			siglen = sig2len;
		}
	}
	if ((man = build_manifest(p)) == NULL ||
	    (present(&p->ap_ts_hashchain_result) &&
	    (aman = build_asic_manifest(&p->ap_ts_hashchain_result)) == NULL)) {
		fail(err, errlen, "asic: out of memory");
		goto done;
	}

	zip_error_init(&ze);
	if ((src = zip_source_buffer_create(NULL, 0, 0, &ze)) == NULL ||
	    (za = zip_open_from_source(src, ZIP_TRUNCATE, &ze)) == NULL) {
		fail(err, errlen, "zip: %s", zip_error_strerror(&ze));
		zip_error_fini(&ze);
		goto done;
	}
	zip_error_fini(&ze);
	zip_source_keep(src);
	dos_time(p->ap_time_ms, &dt, &dd);
	r = 0;
	r |= zadd(za, ASIC_E_MIMETYPE, ASIC_MIMETYPE, strlen(ASIC_MIMETYPE), 1,
	    dt, dd);
	r |= zadd(za, ASIC_E_MESSAGE, p->ap_message.ad_data,
	    p->ap_message.ad_len, 0, dt, dd);
	r |= zadd(za, ASIC_E_SIGNATURE, sig, siglen, 0, dt, dd);
	if (present(&p->ap_sig_hashchain_result)) {
		r |= zadd(za, ASIC_E_SIG_HCR,
		    p->ap_sig_hashchain_result.ad_data,
		    p->ap_sig_hashchain_result.ad_len, 0, dt, dd);
		r |= zadd(za, ASIC_E_SIG_HC, p->ap_sig_hashchain.ad_data,
		    p->ap_sig_hashchain.ad_len, 0, dt, dd);
	}
	if (present(&p->ap_ts_hashchain_result)) {
		r |= zadd(za, ASIC_E_TS_HCR, p->ap_ts_hashchain_result.ad_data,
		    p->ap_ts_hashchain_result.ad_len, 0, dt, dd);
		r |= zadd(za, ASIC_E_TS_HC, p->ap_ts_hashchain.ad_data,
		    p->ap_ts_hashchain.ad_len, 0, dt, dd);
	}
	r |= zadd(za, ASIC_E_MANIFEST, buf_data(man), buf_len(man), 0, dt, dd);
	if (aman != NULL) {
		r |= zadd(za, ASIC_E_ASIC_MANIFEST, buf_data(aman),
		    buf_len(aman), 0, dt, dd);
		r |= zadd(za, ASIC_E_TIMESTAMP, p->ap_ts_token.ad_data,
		    p->ap_ts_token.ad_len, 0, dt, dd);
	}
	for (i = 0; i < p->ap_nattachments; i++) {
		(void)snprintf(name, sizeof(name), "%s%zu", ASIC_E_ATTACHMENT,
		    i + 1);
		r |= zadd(za, name, p->ap_attachments[i].ad_data != NULL ?
		    (const void *)p->ap_attachments[i].ad_data : "",
		    p->ap_attachments[i].ad_len, 0, dt, dd);
	}
	if (r == 0)
		r = zip_set_archive_comment(za, ZIP_COMMENT,
		    (zip_uint16_t)strlen(ZIP_COMMENT));
	if (r != 0) {
		fail(err, errlen, "zip: %s", zip_strerror(za));
		goto done;
	}
	if (zip_close(za) == -1) {
		fail(err, errlen, "zip: %s", zip_strerror(za));
		goto done;
	}
	za = NULL;
	if (source_take(src, out, outlen) == -1) {
		fail(err, errlen, "zip: cannot read the container back");
		goto done;
	}
	rv = 0;
done:
	if (za != NULL)
		zip_discard(za);
	if (src != NULL)
		zip_source_free(src);
	buf_free(man);
	buf_free(aman);
	free(sig2);
	free(old);
	return rv;
}

/* Parsing. */

enum slot_kind {
	SLOT_MIMETYPE, SLOT_MESSAGE, SLOT_SIGNATURE, SLOT_SIG_HCR, SLOT_SIG_HC,
	SLOT_TS_HCR, SLOT_TS_HC, SLOT_MANIFEST, SLOT_ASIC_MANIFEST,
	SLOT_TIMESTAMP, SLOT_NAMED
};

static const struct {
	const char	*name;
	size_t		 max;
} slots[SLOT_NAMED] = {
	{ ASIC_E_MIMETYPE, 256 },
	{ ASIC_E_MESSAGE, ASIC_MAX_PART },
	{ ASIC_E_SIGNATURE, ASIC_MAX_META },
	{ ASIC_E_SIG_HCR, ASIC_MAX_META },
	{ ASIC_E_SIG_HC, ASIC_MAX_META },
	{ ASIC_E_TS_HCR, ASIC_MAX_META },
	{ ASIC_E_TS_HC, ASIC_MAX_META },
	{ ASIC_E_MANIFEST, ASIC_MAX_META },
	{ ASIC_E_ASIC_MANIFEST, ASIC_MAX_META },
	{ ASIC_E_TIMESTAMP, ASIC_MAX_META }
};

static struct asic_data *
slot_of(struct asic_parts *p, enum slot_kind k, struct asic_data *mimetype)
{
	switch (k) {
	case SLOT_MIMETYPE:
		return mimetype;
	case SLOT_MESSAGE:
		return &p->ap_message;
	case SLOT_SIGNATURE:
		return &p->ap_signature;
	case SLOT_SIG_HCR:
		return &p->ap_sig_hashchain_result;
	case SLOT_SIG_HC:
		return &p->ap_sig_hashchain;
	case SLOT_TS_HCR:
		return &p->ap_ts_hashchain_result;
	case SLOT_TS_HC:
		return &p->ap_ts_hashchain;
	case SLOT_MANIFEST:
		return &p->ap_manifest;
	case SLOT_ASIC_MANIFEST:
		return &p->ap_asic_manifest;
	case SLOT_TIMESTAMP:
		return &p->ap_ts_token;
	default:
		return NULL;
	}
}

/* "attachmentN", N in 1..ASIC_MAX_ATTACHMENTS without leading zeros. */
static long
attachment_number(const char *name)
{
	const char	*s;
	long		 n = 0;

	if (strncmp(name, ASIC_E_ATTACHMENT, strlen(ASIC_E_ATTACHMENT)) != 0)
		return -1;
	s = name + strlen(ASIC_E_ATTACHMENT);
	if (*s < '1' || *s > '9')
		return -1;
	for (; *s != '\0'; s++) {
		if (*s < '0' || *s > '9')
			return -1;
		n = n * 10 + (*s - '0');
		if (n > ASIC_MAX_ATTACHMENTS)
			return -1;
	}
	return n;
}

int
asic_zip_read(struct zip *za, uint64_t i, const char *name, size_t max,
    size_t *total, unsigned char **out, size_t *outlen, char *err,
    size_t errlen)
{
	zip_stat_t	 st;
	zip_file_t	*zf;
	unsigned char	*b;
	zip_int64_t	 n;
	zip_uint64_t	 size;
	size_t		 got = 0;
	int		 rv = -1;

	*out = NULL;
	zip_stat_init(&st);
	if (zip_stat_index(za, i, 0, &st) == -1 || !(st.valid & ZIP_STAT_SIZE))
		return fail(err, errlen, "%.64s: %s", name, zip_strerror(za));
	if ((st.valid & ZIP_STAT_ENCRYPTION_METHOD) &&
	    st.encryption_method != ZIP_EM_NONE)
		return fail(err, errlen, "%.64s: encrypted", name);
	size = st.size;
	if (size > max)
		return fail(err, errlen, "%.64s: too large (%llu bytes)", name,
		    (unsigned long long)size);
	if (total != NULL && size > ASIC_MAX_TOTAL - *total)
		return fail(err, errlen, "zip: content too large");
	if ((b = malloc((size_t)size + 1)) == NULL)
		return fail(err, errlen, "%.64s: out of memory", name);
	if ((zf = zip_fopen_index(za, i, 0)) == NULL) {
		fail(err, errlen, "%.64s: %s", name, zip_strerror(za));
		free(b);
		return -1;
	}
	for (;;) {
		n = zip_fread(zf, b + got, (zip_uint64_t)size + 1 - got);
		if (n < 0) {
			fail(err, errlen, "%.64s: %s", name,
			    zip_file_strerror(zf));
			goto done;
		}
		if (n == 0)
			break;
		got += (size_t)n;
		if (got > size) {
			fail(err, errlen, "%.64s: longer than its stated size",
			    name);
			goto done;
		}
	}
	if (got != size) {
		fail(err, errlen, "%.64s: shorter than its stated size", name);
		goto done;
	}
	b[got] = '\0';
	rv = 0;
done:
	if (zip_fclose(zf) != 0 && rv == 0)
		rv = fail(err, errlen, "%.64s: read error (CRC)", name);
	if (rv == 0) {
		if (total != NULL)
			*total += got;
		*out = b;
		*outlen = got;
	} else
		free(b);
	return rv;
}

static void
data_free(struct asic_data *d)
{
	free((void *)(uintptr_t)d->ad_data);
	d->ad_data = NULL;
	d->ad_len = 0;
}

void
asic_parts_free(struct asic_parts *p)
{
	size_t	i;

	if (p == NULL)
		return;
	data_free(&p->ap_message);
	data_free(&p->ap_signature);
	data_free(&p->ap_sig_hashchain_result);
	data_free(&p->ap_sig_hashchain);
	data_free(&p->ap_ts_token);
	data_free(&p->ap_ts_hashchain_result);
	data_free(&p->ap_ts_hashchain);
	data_free(&p->ap_manifest);
	data_free(&p->ap_asic_manifest);
	if (p->ap_attachments != NULL) {
		for (i = 0; i < p->ap_nattachments; i++)
			free((void *)(uintptr_t)p->ap_attachments[i].ad_data);
		free((void *)(uintptr_t)p->ap_attachments);
	}
	free(p);
}

int
asic_parse(const void *zip, size_t len, struct asic_parts **out, char *err,
    size_t errlen)
{
	zip_source_t	*src = NULL;
	zip_t		*za = NULL;
	zip_error_t	 ze;
	struct asic_parts *p = NULL;
	struct asic_data *att = NULL, mimetype = { NULL, 0 }, *d;
	unsigned char	*b;
	const char	*name;
	zip_int64_t	 nent;
	zip_uint64_t	 i;
	size_t		 total = 0, natt = 0, k, max, blen;
	long		 an;
	int		 rv = -1, kind;

	if (out != NULL)
		*out = NULL;
	if (zip == NULL || out == NULL)
		return fail(err, errlen, "asic: bad arguments");
	if (len > ASIC_MAX_TOTAL)
		return fail(err, errlen, "zip: container too large");
	zip_error_init(&ze);
	if ((src = zip_source_buffer_create(zip, len, 0, &ze)) == NULL) {
		fail(err, errlen, "zip: %s", zip_error_strerror(&ze));
		zip_error_fini(&ze);
		return -1;
	}
	if ((za = zip_open_from_source(src, ZIP_RDONLY | ZIP_CHECKCONS,
	    &ze)) == NULL) {
		fail(err, errlen, "zip: %s", zip_error_strerror(&ze));
		zip_error_fini(&ze);
		zip_source_free(src);
		return -1;
	}
	zip_error_fini(&ze);
	if ((nent = zip_get_num_entries(za, 0)) < 1 ||
	    nent > ASIC_MAX_ENTRIES) {
		fail(err, errlen, "zip: %lld entries", (long long)nent);
		goto done;
	}
	if ((p = calloc(1, sizeof(*p))) == NULL ||
	    (att = calloc((size_t)nent, sizeof(*att))) == NULL) {
		fail(err, errlen, "asic: out of memory");
		goto done;
	}
	p->ap_attachments = att;

	for (i = 0; i < (zip_uint64_t)nent; i++) {
		if ((name = zip_get_name(za, i, ZIP_FL_ENC_RAW)) == NULL) {
			fail(err, errlen, "zip: entry %llu: %s",
			    (unsigned long long)i, zip_strerror(za));
			goto done;
		}
		for (kind = 0; kind < SLOT_NAMED; kind++)
			if (strcmp(name, slots[kind].name) == 0)
				break;
		if (kind < SLOT_NAMED) {
			d = slot_of(p, (enum slot_kind)kind, &mimetype);
			max = slots[kind].max;
		} else if ((an = attachment_number(name)) > 0) {
			if (an > nent) {
				fail(err, errlen, "%.64s: attachment numbers "
				    "have gaps", name);
				goto done;
			}
			d = &att[an - 1];
			max = ASIC_MAX_PART;
			if ((size_t)an > natt)
				natt = (size_t)an;
		} else {
			fail(err, errlen, "%.64s: unexpected entry", name);
			goto done;
		}
		if ((i == 0) != (kind == SLOT_MIMETYPE)) {
			fail(err, errlen, "%s: must be the first entry",
			    ASIC_E_MIMETYPE);
			goto done;
		}
		if (d->ad_data != NULL) {
			fail(err, errlen, "%.64s: duplicate entry", name);
			goto done;
		}
		if (asic_zip_read(za, i, name, max, &total, &b, &blen, err,
		    errlen) == -1)
			goto done;
		d->ad_data = b;
		d->ad_len = blen;
	}

	if (mimetype.ad_len != strlen(ASIC_MIMETYPE) ||
	    memcmp(mimetype.ad_data, ASIC_MIMETYPE, mimetype.ad_len) != 0) {
		fail(err, errlen, "%s: not %s", ASIC_E_MIMETYPE, ASIC_MIMETYPE);
		goto done;
	}
	p->ap_nattachments = natt;
	for (k = 0; k < natt; k++)
		if (att[k].ad_data == NULL) {
			fail(err, errlen, "%s%zu: missing", ASIC_E_ATTACHMENT,
			    k + 1);
			goto done;
		}
	if (p->ap_message.ad_data == NULL || p->ap_message.ad_len == 0) {
		fail(err, errlen, "%s: missing or empty", ASIC_E_MESSAGE);
		goto done;
	}
	if (p->ap_signature.ad_data == NULL || p->ap_signature.ad_len == 0) {
		fail(err, errlen, "%s: missing or empty", ASIC_E_SIGNATURE);
		goto done;
	}
	if (present(&p->ap_sig_hashchain_result) !=
	    present(&p->ap_sig_hashchain)) {
		fail(err, errlen, "%s: missing", present(&p->ap_sig_hashchain) ?
		    ASIC_E_SIG_HCR : ASIC_E_SIG_HC);
		goto done;
	}
	if (present(&p->ap_ts_hashchain_result) !=
	    present(&p->ap_ts_hashchain)) {
		fail(err, errlen, "%s: missing", present(&p->ap_ts_hashchain) ?
		    ASIC_E_TS_HCR : ASIC_E_TS_HC);
		goto done;
	}
	if (present(&p->ap_ts_hashchain_result) !=
	    present(&p->ap_ts_token)) {
		fail(err, errlen, "%s: %s", present(&p->ap_ts_token) ?
		    ASIC_E_TS_HCR : ASIC_E_TIMESTAMP, "missing (a batch "
		    "timestamp needs both the token and its hash chain)");
		goto done;
	}
	if (!present(&p->ap_ts_token)) {
		unsigned char	*tok;
		size_t		 toklen;

		if (asic_sig_timestamp(p->ap_signature.ad_data,
		    p->ap_signature.ad_len, &tok, &toklen) == 0) {
			p->ap_ts_token.ad_data = tok;
			p->ap_ts_token.ad_len = toklen;
			p->ap_ts_embedded = 1;
		}
	}
	*out = p;
	p = NULL;
	rv = 0;
done:
	free(mimetype.ad_data == NULL ? NULL :
	    (void *)(uintptr_t)mimetype.ad_data);
	if (p != NULL) {
		/* Every slot of att, filled or not, is freed. */
		p->ap_nattachments = p->ap_attachments != NULL ?
		    (size_t)nent : 0;
		asic_parts_free(p);
	}
	zip_discard(za);
	return rv;
}

/* XAdES helpers. */

/* First descendant element (depth-first, bounded) with this name. */
static xmlNodePtr
find_elem(xmlNodePtr n, const char *name, const char *ns, int depth)
{
	xmlNodePtr	c, r;

	if (n == NULL || depth > SIG_MAX_DEPTH)
		return NULL;
	if (xsd_elem_is(n, name, ns))
		return n;
	for (c = xsd_first_elem(n); c != NULL; c = xsd_next_elem(c))
		if ((r = find_elem(c, name, ns, depth + 1)) != NULL)
			return r;
	return NULL;
}

static xmlNodePtr
child_elem(xmlNodePtr n, const char *name, const char *ns)
{
	xmlNodePtr	c;

	for (c = xsd_first_elem(n); c != NULL; c = xsd_next_elem(c))
		if (xsd_elem_is(c, name, ns))
			return c;
	return NULL;
}

static int
elem_b64(xmlNodePtr n, unsigned char **out, size_t *outlen)
{
	char	*t;
	int	 rv;

	if ((t = xsd_text(n)) == NULL)
		return -1;
	rv = b64_decode(t, strlen(t), out, outlen);
	free(t);
	if (rv == 0 && *outlen == 0) {
		free(*out);
		*out = NULL;
		return -1;
	}
	return rv;
}

int
asic_sig_value(const void *sig, size_t len, unsigned char **out,
    size_t *outlen)
{
	xmlDocPtr	doc;
	xmlNodePtr	s, v;
	char		perr[128];
	int		rv = -1;

	*out = NULL;
	if ((doc = xsd_read_doc(sig, len, perr, sizeof(perr))) == NULL)
		return -1;
	if ((s = find_elem(xmlDocGetRootElement(doc), "Signature", NS_DS,
	    0)) != NULL &&
	    (v = child_elem(s, "SignatureValue", NS_DS)) != NULL)
		rv = elem_b64(v, out, outlen);
	xmlFreeDoc(doc);
	return rv;
}

int
asic_sig_timestamp(const void *sig, size_t len, unsigned char **out,
    size_t *outlen)
{
	xmlDocPtr	doc;
	xmlNodePtr	usp, ts, et;
	char		perr[128];
	int		rv = 1;

	*out = NULL;
	if ((doc = xsd_read_doc(sig, len, perr, sizeof(perr))) == NULL)
		return -1;
	if ((usp = find_elem(xmlDocGetRootElement(doc),
	    "UnsignedSignatureProperties", NS_XADES, 0)) != NULL &&
	    (ts = child_elem(usp, "SignatureTimeStamp", NS_XADES)) != NULL) {
		if ((et = child_elem(ts, "EncapsulatedTimeStamp",
		    NS_XADES)) == NULL || elem_b64(et, out, outlen) == -1)
			rv = -1;
		else
			rv = 0;
	}
	xmlFreeDoc(doc);
	return rv;
}

int
asic_sig_add_timestamp(const void *sig, size_t len,
    const unsigned char *token, size_t tokenlen, unsigned char **out,
    size_t *outlen)
{
	xmlDocPtr	 doc;
	xmlNodePtr	 qp, sp, up, usp, ts, et;
	xmlNsPtr	 ns;
	xmlChar		*mem = NULL;
	char		 perr[128], *b64 = NULL;
	int		 size, rv = -1;

	*out = NULL;
	if (token == NULL || tokenlen == 0)
		return -1;
	if ((doc = xsd_read_doc(sig, len, perr, sizeof(perr))) == NULL)
		return -1;
	if ((qp = find_elem(xmlDocGetRootElement(doc),
	    "QualifyingProperties", NS_XADES, 0)) == NULL)
		goto done;
	ns = qp->ns;
	if ((up = child_elem(qp, "UnsignedProperties", NS_XADES)) == NULL) {
		if ((sp = child_elem(qp, "SignedProperties", NS_XADES)) ==
		    NULL ||
		    (up = xmlNewDocNode(doc, ns, BAD_CAST "UnsignedProperties",
		    NULL)) == NULL)
			goto done;
		if (xmlAddNextSibling(sp, up) == NULL) {
			xmlFreeNode(up);
			goto done;
		}
	}
	if ((usp = child_elem(up, "UnsignedSignatureProperties",
	    NS_XADES)) == NULL) {
		if ((usp = xmlNewDocNode(doc, ns,
		    BAD_CAST "UnsignedSignatureProperties", NULL)) == NULL)
			goto done;
		if (xmlAddChild(up, usp) == NULL) {
			xmlFreeNode(usp);
			goto done;
		}
	}
	if (child_elem(usp, "SignatureTimeStamp", NS_XADES) != NULL)
		goto done;
	if ((b64 = b64_encode(token, tokenlen)) == NULL ||
	    (ts = xmlNewDocNode(doc, ns, BAD_CAST "SignatureTimeStamp",
	    NULL)) == NULL)
		goto done;
	if ((et = xmlNewDocNode(doc, ns, BAD_CAST "EncapsulatedTimeStamp",
	    BAD_CAST b64)) == NULL || xmlAddChild(ts, et) == NULL) {
		xmlFreeNode(et);
		xmlFreeNode(ts);
		goto done;
	}
	if (usp->children != NULL) {
		if (xmlAddPrevSibling(usp->children, ts) == NULL) {
			xmlFreeNode(ts);
			goto done;
		}
	} else if (xmlAddChild(usp, ts) == NULL) {
		xmlFreeNode(ts);
		goto done;
	}
	xmlDocDumpMemoryEnc(doc, &mem, &size, "UTF-8");
	if (mem == NULL || size <= 0)
		goto done;
	if ((*out = malloc((size_t)size + 1)) == NULL)
		goto done;
	memcpy(*out, mem, (size_t)size);
	(*out)[size] = '\0';
	*outlen = (size_t)size;
	rv = 0;
done:
	xmlFree(mem);
	free(b64);
	xmlFreeDoc(doc);
	return rv;
}

/* Manifests. */

static const char *const manifest_xml[] = { ASIC_E_MESSAGE,
    ASIC_E_SIG_HCR, ASIC_E_SIG_HC, ASIC_E_TS_HCR, ASIC_E_TS_HC };

static int
manifest_entry_ok(const struct asic_parts *p, const char *path,
    unsigned char *seen, size_t nseen)
{
	const struct asic_data *d[5];
	size_t	i;
	long	an;

	d[0] = &p->ap_message;
	d[1] = &p->ap_sig_hashchain_result;
	d[2] = &p->ap_sig_hashchain;
	d[3] = &p->ap_ts_hashchain_result;
	d[4] = &p->ap_ts_hashchain;
	for (i = 0; i < 5; i++)
		if (strcmp(path, manifest_xml[i]) == 0) {
			if (!present(d[i]) || seen[i])
				return -1;
			seen[i] = 1;
			return 0;
		}
	if ((an = attachment_number(path)) > 0 &&
	    (size_t)an <= p->ap_nattachments && 5 + (size_t)an - 1 < nseen &&
	    !seen[5 + an - 1]) {
		seen[5 + an - 1] = 1;
		return 0;
	}
	return -1;
}

static int
check_manifest(const struct asic_parts *p, char *err, size_t errlen)
{
	xmlDocPtr	 doc = NULL;
	xmlNodePtr	 root, c;
	xmlChar		*path = NULL;
	unsigned char	*seen = NULL;
	const struct asic_data *d[5];
	char		 perr[128];
	size_t		 nseen, i;
	int		 rv = -1;

	if (!present(&p->ap_manifest))
		return fail(err, errlen, "%s: missing", ASIC_E_MANIFEST);
	nseen = 5 + p->ap_nattachments;
	if ((seen = calloc(nseen, 1)) == NULL)
		return fail(err, errlen, "%s: out of memory", ASIC_E_MANIFEST);
	if ((doc = xsd_read_doc(p->ap_manifest.ad_data, p->ap_manifest.ad_len,
	    perr, sizeof(perr))) == NULL) {
		fail(err, errlen, "%s: %s", ASIC_E_MANIFEST, perr);
		goto done;
	}
	root = xmlDocGetRootElement(doc);
	if (!xsd_elem_is(root, "manifest", NS_MANIFEST)) {
		fail(err, errlen, "%s: not an OpenDocument manifest",
		    ASIC_E_MANIFEST);
		goto done;
	}
	for (c = xsd_first_elem(root); c != NULL; c = xsd_next_elem(c)) {
		if (!xsd_elem_is(c, "file-entry", NS_MANIFEST))
			continue;
		xmlFree(path);
		if ((path = xmlGetNsProp(c, BAD_CAST "full-path",
		    BAD_CAST NS_MANIFEST)) == NULL) {
			fail(err, errlen, "%s: file-entry without full-path",
			    ASIC_E_MANIFEST);
			goto done;
		}
		if (strcmp((const char *)path, "/") == 0)
			continue;
		if (manifest_entry_ok(p, (const char *)path, seen, nseen) ==
		    -1) {
			fail(err, errlen, "%s: lists %.64s, which is not in "
			    "the container (or twice)", ASIC_E_MANIFEST,
			    (const char *)path);
			goto done;
		}
	}
	d[0] = &p->ap_message;
	d[1] = &p->ap_sig_hashchain_result;
	d[2] = &p->ap_sig_hashchain;
	d[3] = &p->ap_ts_hashchain_result;
	d[4] = &p->ap_ts_hashchain;
	for (i = 0; i < nseen; i++) {
		if (seen[i] || (i < 5 && !present(d[i])))
			continue;
		if (i < 5)
			fail(err, errlen, "%s: does not list %s",
			    ASIC_E_MANIFEST, manifest_xml[i]);
		else
			fail(err, errlen, "%s: does not list %s%zu",
			    ASIC_E_MANIFEST, ASIC_E_ATTACHMENT, i - 5 + 1);
		goto done;
	}
	rv = 0;
done:
	xmlFree(path);
	free(seen);
	xmlFreeDoc(doc);
	return rv;
}

static int
attr_is(xmlNodePtr n, const char *name, const char *want)
{
	xmlChar	*v;
	int	 eq;

	if ((v = xmlGetNoNsProp(n, BAD_CAST name)) == NULL)
		return 0;
	eq = strcmp((const char *)v, want) == 0;
	xmlFree(v);
	return eq;
}

static int
check_asic_manifest(const struct asic_parts *p, char *err, size_t errlen)
{
	xmlDocPtr	 doc = NULL;
	xmlNodePtr	 root, c, dm, dv;
	unsigned char	 md[EVP_MAX_MD_SIZE], *got = NULL;
	unsigned int	 mdlen;
	const char	*ns;
	char		 perr[128];
	size_t		 gotlen;
	int		 rv = -1, sigref = 0, dataref = 0;

	if (!present(&p->ap_ts_hashchain_result)) {
		if (present(&p->ap_asic_manifest))
			return fail(err, errlen, "%s: present without a "
			    "batch timestamp", ASIC_E_ASIC_MANIFEST);
		return 0;
	}
	if (!present(&p->ap_asic_manifest))
		return fail(err, errlen, "%s: missing", ASIC_E_ASIC_MANIFEST);
	if ((doc = xsd_read_doc(p->ap_asic_manifest.ad_data,
	    p->ap_asic_manifest.ad_len, perr, sizeof(perr))) == NULL)
		return fail(err, errlen, "%s: %s", ASIC_E_ASIC_MANIFEST, perr);
	root = xmlDocGetRootElement(doc);
	if (xsd_elem_is(root, "ASiCManifest", NS_ASIC))
		ns = NS_ASIC;
	else if (xsd_elem_is(root, "ASiCManifest", NS_ASIC_XROAD))
		ns = NS_ASIC_XROAD;
	else {
		fail(err, errlen, "%s: not an ASiC manifest",
		    ASIC_E_ASIC_MANIFEST);
		goto done;
	}
	if (!EVP_Digest(p->ap_ts_hashchain_result.ad_data,
	    p->ap_ts_hashchain_result.ad_len, md, &mdlen, EVP_sha512(), NULL)) {
		fail(err, errlen, "%s: digest failed", ASIC_E_ASIC_MANIFEST);
		goto done;
	}
	for (c = xsd_first_elem(root); c != NULL; c = xsd_next_elem(c)) {
		if (xsd_elem_is(c, "SigReference", ns)) {
			if (sigref++ || !attr_is(c, "URI", ASIC_E_TIMESTAMP) ||
			    !(attr_is(c, "MimeType", MIME_TST) ||
			    attr_is(c, "MimeType", MIME_TST_XROAD))) {
				fail(err, errlen, "%s: SigReference must name "
				    "%s once", ASIC_E_ASIC_MANIFEST,
				    ASIC_E_TIMESTAMP);
				goto done;
			}
		} else if (xsd_elem_is(c, "DataObjectReference", ns)) {
			dm = child_elem(c, "DigestMethod", NS_DS);
			dv = child_elem(c, "DigestValue", NS_DS);
			if (dataref++ || !attr_is(c, "URI", ASIC_E_TS_HCR) ||
			    dm == NULL || dv == NULL ||
			    !attr_is(dm, "Algorithm", URI_SHA512)) {
				fail(err, errlen, "%s: DataObjectReference "
				    "must name %s once with a SHA-512 digest",
				    ASIC_E_ASIC_MANIFEST, ASIC_E_TS_HCR);
				goto done;
			}
			if (elem_b64(dv, &got, &gotlen) == -1 ||
			    gotlen != mdlen || memcmp(got, md, mdlen) != 0) {
				fail(err, errlen, "%s: digest of %s does not "
				    "match", ASIC_E_ASIC_MANIFEST,
				    ASIC_E_TS_HCR);
				goto done;
			}
		}
	}
	if (!sigref || !dataref) {
		fail(err, errlen, "%s: SigReference or DataObjectReference "
		    "missing", ASIC_E_ASIC_MANIFEST);
		goto done;
	}
	rv = 0;
done:
	free(got);
	xmlFreeDoc(doc);
	return rv;
}

int
asic_check_manifests(const struct asic_parts *p, char *err, size_t errlen)
{
	if (p == NULL)
		return fail(err, errlen, "asic: bad arguments");
	if (check_manifest(p, err, errlen) == -1 ||
	    check_asic_manifest(p, err, errlen) == -1)
		return -1;
	return 0;
}
