/*
 * asic.h: X-Road signed-document containers (ASiC-E, NOTES.md 5.3).
 *
 * One container holds one logged message (a request or a response) with
 * everything needed to verify it offline. asic_build() writes the entries
 * in the order X-Road's AsicHelper writes them:
 *
 *   mimetype                   "application/vnd.etsi.asic-e+zip", first,
 *                              stored (not compressed), no extra field
 *   message.xml                SOAP envelope, or the REST head (request or
 *                              response line and headers, rest.h)
 *   META-INF/signatures.xml    the XAdES signature (xsig.h); for a record
 *                              stamped alone it carries the timestamp as
 *                              xades:SignatureTimeStamp
 *   sig-hashchainresult.xml    batch / multi-part signature (hashchain.h)
 *   sig-hashchain.xml
 *   ts-hashchainresult.xml     batch timestamp: Merkle root document
 *   ts-hashchain.xml           this record's chain; its leaf is
 *                              "/META-INF/signatures.xml"
 *   META-INF/manifest.xml      OpenDocument manifest of the data entries
 *   META-INF/ASiCManifest.xml  ASiC manifest of the time-stamped data
 *                              (batch timestamp only)
 *   META-INF/timestamp.tst     DER RFC 3161 TimeStampToken over
 *                              SHA-512(ts-hashchainresult.xml) (batch only)
 *   attachment1..N             SOAP attachments / REST body
 *
 * A record stamped alone (no ts hash chain) has its token over the raw
 * ds:SignatureValue bytes, embedded into signatures.xml as the first child
 * of xades:UnsignedSignatureProperties (X-Road SingleTimestampRequest), and
 * no timestamp.tst. Every entry's modification time is the record's time.
 * The ZIP comment is "mimetype=application/vnd.etsi.asic-e+zip".
 *
 * Deviations from X-Road, on purpose: mimetype is stored uncompressed and
 * manifest.xml has the root "/" entry (both as ASiC-E / ODF require); the
 * ASiC manifest uses the ETSI namespace http://uri.etsi.org/02918/v1.2.1#
 * and MimeType application/vnd.etsi.timestamp-token. asic_parse() accepts
 * X-Road's variants (deflated mimetype, its namespace spelling).
 *
 * Parsing is bounded: at most ASIC_MAX_ENTRIES entries, ASIC_MAX_PART per
 * message or attachment, ASIC_MAX_META per other entry, ASIC_MAX_TOTAL
 * uncompressed in all; sizes are checked against the ZIP directory and
 * again while inflating (a zip bomb stops at the limit), CRCs are checked,
 * local and central headers must agree.
 */
#ifndef HK_ASIC_H
#define HK_ASIC_H

#include <stddef.h>
#include <stdint.h>

#define ASIC_MIMETYPE		"application/vnd.etsi.asic-e+zip"
#define ASIC_SUFFIX		".asice"

/* Entry names (MessageFileNames.java, AsicContainerEntries.java). */
#define ASIC_E_MIMETYPE		"mimetype"
#define ASIC_E_MESSAGE		"message.xml"
#define ASIC_E_SIGNATURE	"META-INF/signatures.xml"
#define ASIC_E_SIG_HCR		"sig-hashchainresult.xml"
#define ASIC_E_SIG_HC		"sig-hashchain.xml"
#define ASIC_E_TS_HCR		"ts-hashchainresult.xml"
#define ASIC_E_TS_HC		"ts-hashchain.xml"
#define ASIC_E_MANIFEST		"META-INF/manifest.xml"
#define ASIC_E_ASIC_MANIFEST	"META-INF/ASiCManifest.xml"
#define ASIC_E_TIMESTAMP	"META-INF/timestamp.tst"
#define ASIC_E_ATTACHMENT	"attachment"	/* + 1..N */

/* URIs the hash chains use for these entries. */
#define ASIC_URI_SIGNATURE	"/META-INF/signatures.xml"
#define ASIC_URI_TS_HC		"/ts-hashchain.xml"

/* Bounds on a parsed container. */
#define ASIC_MAX_ATTACHMENTS	1000
#define ASIC_MAX_ENTRIES	(12 + ASIC_MAX_ATTACHMENTS)
#define ASIC_MAX_PART		(64 * 1024 * 1024)
#define ASIC_MAX_META		(8 * 1024 * 1024)
#define ASIC_MAX_TOTAL		(256 * 1024 * 1024)

/* Bytes of one entry; ad_data NULL: the entry is absent. */
struct asic_data {
	const unsigned char	*ad_data;
	size_t			 ad_len;
};

/*
 * The parts of a container. For asic_build() everything is borrowed from
 * the caller for the call; the manifests and ap_ts_embedded are ignored.
 * From asic_parse() everything is owned by the struct (asic_parts_free).
 *
 * What the message log hands over per record: the message as logged, its
 * attachments or REST body, the signature XML as logged, the signature
 * hash chain pair when there is one, and once stamped the DER token plus,
 * for a batch stamp, the ts hash chain pair.
 */
struct asic_parts {
	struct asic_data	 ap_message;		/* required */
	const struct asic_data	*ap_attachments;	/* attachment1.. */
	size_t			 ap_nattachments;
	struct asic_data	 ap_signature;		/* required */
	struct asic_data	 ap_sig_hashchain_result;
	struct asic_data	 ap_sig_hashchain;
	struct asic_data	 ap_ts_token;		/* DER TimeStampToken */
	struct asic_data	 ap_ts_hashchain_result; /* batch stamp */
	struct asic_data	 ap_ts_hashchain;
	int64_t			 ap_time_ms;	/* entry times; 0: now */
	/* asic_parse() only. */
	struct asic_data	 ap_manifest;
	struct asic_data	 ap_asic_manifest;
	int			 ap_ts_embedded; /* token from SignatureTimeStamp */
};

/*
 * Build a container. Hash chain documents come in pairs (result and
 * chain, or neither); a ts hash chain needs a token. On success *out
 * (caller frees with free(3)) holds *outlen bytes. Returns 0, or -1 with
 * a message in err (may be NULL).
 */
int	 asic_build(const struct asic_parts *, unsigned char **out,
	    size_t *outlen, char *err, size_t errlen);

/*
 * Parse a container of len bytes (at most ASIC_MAX_TOTAL). Unknown,
 * duplicate, encrypted or directory entries, a missing or wrong mimetype
 * (it must be the first entry), a missing message.xml or signatures.xml,
 * gaps in attachment numbers, half a hash chain pair, a ts hash chain
 * without META-INF/timestamp.tst, CRC or size errors are refused. When
 * there is no timestamp.tst, ap_ts_token is the signature's
 * SignatureTimeStamp, if any (ap_ts_embedded = 1). On success *out is
 * freed with asic_parts_free. Returns 0, or -1 with "<entry>: <reason>"
 * (or "zip: <reason>") in err.
 */
int	 asic_parse(const void *zip, size_t len, struct asic_parts **out,
	    char *err, size_t errlen);
/* Frees a struct from asic_parse (never a caller-built one). NULL is ok. */
void	 asic_parts_free(struct asic_parts *);

/*
 * Check the manifests of a parsed container: manifest.xml lists exactly
 * the data entries present (message.xml, the hash chain files,
 * attachments; "/" allowed); META-INF/ASiCManifest.xml is there exactly
 * when there is a batch timestamp, references META-INF/timestamp.tst and
 * carries the SHA-512 of ts-hashchainresult.xml. 0, or -1 with
 * "<entry>: <reason>" in err.
 */
int	 asic_check_manifests(const struct asic_parts *, char *err,
	    size_t errlen);

/*
 * Read entry i of an open libzip archive (name for messages) into *out
 * (NUL-terminated, caller frees with free(3)), *outlen bytes: at most max
 * bytes, and at most ASIC_MAX_TOTAL - *total when total is not NULL
 * (then *total grows). Sizes are checked while inflating; encrypted
 * entries, CRC and size errors fail. 0, or -1 with a message in err.
 */
struct zip;
int	 asic_zip_read(struct zip *, uint64_t i, const char *name, size_t max,
	    size_t *total, unsigned char **out, size_t *outlen, char *err,
	    size_t errlen);

/*
 * XAdES helpers over a signature document (xsig.h's format).
 * asic_sig_value: the decoded ds:SignatureValue (what a single timestamp
 * covers). asic_sig_timestamp: the DER token of xades:SignatureTimeStamp/
 * EncapsulatedTimeStamp; returns 1 if there is none. asic_sig_add_timestamp:
 * the document with a SignatureTimeStamp holding token inserted as the
 * first child of UnsignedSignatureProperties (created if missing); the
 * signed parts are untouched. Outputs are freed with free(3). 0 / -1.
 */
int	 asic_sig_value(const void *sig, size_t len, unsigned char **out,
	    size_t *outlen);
int	 asic_sig_timestamp(const void *sig, size_t len, unsigned char **out,
	    size_t *outlen);
int	 asic_sig_add_timestamp(const void *sig, size_t len,
	    const unsigned char *token, size_t tokenlen, unsigned char **out,
	    size_t *outlen);

#endif /* HK_ASIC_H */
