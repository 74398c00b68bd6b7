/*
 * gconfdir.h: the signed global configuration directory (NOTES.md 4.8,
 * PR-GCONF "Download"), built by the central server and verified by the
 * security server's configuration client.
 *
 * On the wire (served by the central server over HTTP):
 *
 *   GET /internalconf?version=3     the signed directory below
 *   GET /V3/<stamp>/shared-params.xml, /V3/<stamp>/private-params.xml
 *                                   the files it lists (Content-location),
 *                                   <stamp> = UTC yyyyMMddHHmmss + 9 digits
 *                                   of nanoseconds, as X-Road names them.
 *
 *   Content-Type: multipart/related; charset=UTF-8; boundary=OUTER
 *
 *   --OUTER
 *   Content-Type: multipart/mixed; charset=UTF-8; boundary=INNER
 *
 *   --INNER                                  <- signed bytes start
 *   Expire-date: 2026-02-06T12:10:00Z
 *   Version: 3
 *
 *   --INNER
 *   Content-type: application/octet-stream
 *   Content-transfer-encoding: base64
 *   Content-identifier: SHARED-PARAMETERS; instance="PS"
 *   Content-location: /V3/20260206120000000000000/shared-params.xml
 *   Hash-algorithm-id: http://www.w3.org/2001/04/xmlenc#sha512
 *
 *   <base64 SHA-512 of the file>
 *   --INNER--                                <- signed bytes end (CRLF incl.)
 *   --OUTER
 *   Content-type: application/octet-stream
 *   Content-transfer-encoding: base64
 *   Signature-algorithm-id: http://www.w3.org/2001/04/xmldsig-more#rsa-sha512
 *   Verification-certificate-hash: <b64 SHA-512 of cert DER>; hash-algorithm-id="http://www.w3.org/2001/04/xmlenc#sha512"
 *
 *   <base64 signature over the body of the first part>
 *   --OUTER--
 *
 * Lines end in CRLF. The signature covers the body of the first outer
 * part exactly as received (everything between its blank line and the
 * line end before the next "--OUTER").
 */
#ifndef HK_GCONFDIR_H
#define HK_GCONFDIR_H

#include <stddef.h>
#include <time.h>

#include "anchor.h"

#define GCONF_DIR_PATH_INTERNAL	"/internalconf"
#define GCONF_DIR_PATH_EXTERNAL	"/externalconf"
#define GCONF_FILE_SHARED	"shared-params.xml"
#define GCONF_FILE_PRIVATE	"private-params.xml"
#define GCONF_CID_SHARED	"SHARED-PARAMETERS"
#define GCONF_CID_PRIVATE	"PRIVATE-PARAMETERS"

#define GCONF_URI_SHA256	"http://www.w3.org/2001/04/xmlenc#sha256"
#define GCONF_URI_SHA384	"http://www.w3.org/2001/04/xmldsig-more#sha384"
#define GCONF_URI_SHA512	"http://www.w3.org/2001/04/xmlenc#sha512"
#define GCONF_URI_RSA_SHA256	"http://www.w3.org/2001/04/xmldsig-more#rsa-sha256"
#define GCONF_URI_RSA_SHA512	"http://www.w3.org/2001/04/xmldsig-more#rsa-sha512"
#define GCONF_URI_ECDSA_SHA256	"http://www.w3.org/2001/04/xmldsig-more#ecdsa-sha256"
#define GCONF_URI_ECDSA_SHA512	"http://www.w3.org/2001/04/xmldsig-more#ecdsa-sha512"

/* Caps on a directory response and on what it lists. */
#define GCONF_DIR_MAX		(1024 * 1024)
#define GCONF_DIR_MAX_ENTRIES	64
#define GCONF_DIR_LOCATION_MAX	512

/* Error codes (negative). */
#define GCONF_DIR_ERR_NOMEM	(-1)
#define GCONF_DIR_ERR_FORMAT	(-2)	/* malformed MIME or headers */
#define GCONF_DIR_ERR_SIGNATURE	(-3)	/* unknown cert, bad signature */
#define GCONF_DIR_ERR_EXPIRED	(-4)	/* Expire-date in the past */
#define GCONF_DIR_ERR_VERSION	(-5)	/* not the version asked for */
#define GCONF_DIR_ERR_HASH	(-6)	/* a file does not match its hash */
#define GCONF_DIR_ERR_ARG	(-7)	/* bad arguments to a builder */
const char	*gconf_dir_strerror(int);

/* One file to list in a directory (central server side). */
struct gconf_dir_file {
	const char		*df_content_id;	/* NULL: no Content-identifier */
	const char		*df_instance;	/* its instance parameter, or NULL */
	const char		*df_location;	/* Content-location, "/..." */
	const unsigned char	*df_data;
	size_t			 df_len;
};

/*
 * Signing callback: sign the SHA-512 digest (len 64) of the directory.
 * On success return 0 with *sig (malloc(3)ed, freed by the caller of the
 * callback with free(3)), *siglen and *alg_uri (a static string,
 * GCONF_URI_RSA_SHA512 or GCONF_URI_ECDSA_SHA512; ECDSA signatures
 * DER-encoded as Java's SHA512withECDSA makes them). Return -1 on failure.
 * signer_sign_digest(signer, key_id, SIGNER_DIGEST_SHA512, ...) fits.
 */
typedef int (*gconf_dir_sign_fn)(void *arg, const unsigned char *digest,
    size_t len, unsigned char **sig, size_t *siglen, const char **alg_uri);

/*
 * Build the signed directory for files (nfiles >= 1) that expires at
 * expire, for configuration version. cert_der is the verification
 * certificate (its SHA-512 goes into Verification-certificate-hash).
 * On success *body (freed with free(3)) holds *bodylen bytes and
 * *content_type (freed with free(3)) the HTTP Content-Type.
 * Returns 0 or a GCONF_DIR_ERR_* with a message in err.
 */
int	gconf_dir_build(const struct gconf_dir_file *files, size_t nfiles,
	    time_t expire, int version, const unsigned char *cert_der,
	    size_t cert_len, gconf_dir_sign_fn sign, void *sign_arg,
	    unsigned char **body, size_t *bodylen, char **content_type,
	    char *err, size_t errlen);

/*
 * Content-location of a file: "/V<version>/<stamp>/<file>" with the
 * stamp of ts (UTC). Returns 0, or -1 if buf is too small.
 */
int	gconf_dir_location(char *buf, size_t len, int version,
	    const struct timespec *ts, const char *file);

/* A verified directory (configuration client side). */
struct gconf_dir;

struct gconf_dir_entry {
	char		*de_content_id;		/* NULL if none */
	char		*de_instance;		/* NULL if none */
	char		*de_location;		/* checked: "/" + safe chars */
	char		*de_file_name;		/* Content-file-name, or NULL */
	const char	*de_hash_alg;		/* one of GCONF_URI_SHA* */
	unsigned char	 de_hash[64];
	size_t		 de_hashlen;
};

/*
 * Parse a directory response of len bytes (at most GCONF_DIR_MAX) whose
 * HTTP Content-Type is content_type (NULL: the body starts with its own
 * MIME headers, as a saved file does); verify its signature with the
 * anchor's verification certificate that the signature names (RSA or
 * EC); refuse it when now is past its Expire-date or when version is
 * not 0 and the directory states another one. Returns 0 with *out
 * (caller frees with gconf_dir_free), or a GCONF_DIR_ERR_* with a
 * message in err.
 */
int	gconf_dir_parse_verify(struct gconf_dir **out, const void *body,
	    size_t len, const char *content_type, const struct anchor *anchor,
	    int version, time_t now, char *err, size_t errlen);
void	gconf_dir_free(struct gconf_dir *);

time_t	gconf_dir_expire(const struct gconf_dir *);
int	gconf_dir_version(const struct gconf_dir *);	/* 0: not stated */
size_t	gconf_dir_nentries(const struct gconf_dir *);
/* Borrowed from the directory; NULL if out of range / not found. */
const struct gconf_dir_entry *gconf_dir_entry(const struct gconf_dir *,
	    size_t i);
/* The entry with this content identifier (and instance, if not NULL). */
const struct gconf_dir_entry *gconf_dir_find(const struct gconf_dir *,
	    const char *content_id, const char *instance);

/* 0 if data matches the entry's hash, else GCONF_DIR_ERR_HASH. */
int	gconf_dir_verify_file(const struct gconf_dir_entry *,
	    const void *data, size_t len);

/*
 * The URL of a listed file: scheme://authority of download_url followed
 * by location. Returns 0, or -1 (bad URL, buf too small).
 */
int	gconf_dir_file_url(const char *download_url, const char *location,
	    char *buf, size_t len);

#endif /* HK_GCONFDIR_H */
