/*
 * mime.h: MIME over buffers: header values with parameters (RFC 2045
 * Content-Type and the like) and multipart bodies (RFC 2046), parsed and
 * built. Used for SOAP with attachments (multipart/related, NOTES.md 2.3),
 * the transport message between security servers (multipart/mixed, 4.5)
 * and the signed global configuration directory (4.8).
 *
 * Parsing never copies part bodies: a struct mime_multipart points into
 * the caller's buffer, which must outlive it. Nested multiparts are parsed
 * by calling mime_parse again on a part's body. Every parse has hard caps
 * (struct mime_limits). Both CRLF and bare LF line ends are accepted;
 * the line end before a delimiter belongs to the delimiter.
 */
#ifndef HK_MIME_H
#define HK_MIME_H

#include <stddef.h>

struct buf;

#define MIME_ERR_MAX	256
#define MIME_BOUNDARY_MAX	70

/*
 * A header value "main; name=value; name="quoted value"". Parameter names
 * are matched case-insensitively; values are unquoted. RFC 2231 (name*=)
 * is not decoded; RFC 822 comments are not recognised. Duplicate
 * parameters are refused (two boundaries would be ambiguous).
 */
struct mime_hval;

/* Flags for mime_hval_parse. */
#define MIME_HV_CTYPE	0x01u	/* main value must be type/subtype; lowercased */

int		 mime_hval_parse(const char *value, unsigned flags,
		    struct mime_hval **out, char *err, size_t errlen);
void		 mime_hval_free(struct mime_hval *);
/* Borrowed strings, valid until mime_hval_free. */
const char	*mime_hval_value(const struct mime_hval *);
const char	*mime_hval_param(const struct mime_hval *, const char *name);
size_t		 mime_hval_nparams(const struct mime_hval *);
int		 mime_hval_param_at(const struct mime_hval *, size_t i,
		    const char **name, const char **value);

/* Caps on one multipart parse; NULL means the defaults below. */
struct mime_limits {
	size_t	ml_max_parts;		/* parts in this multipart */
	size_t	ml_max_headers;		/* header fields per part */
	size_t	ml_max_header_bytes;	/* header block of one part */
};
#define MIME_DEF_MAX_PARTS		256
#define MIME_DEF_MAX_HEADERS		64
#define MIME_DEF_MAX_HEADER_BYTES	16384

struct mime_multipart;
struct mime_part;

/*
 * Parse a multipart body with the given boundary (checked against
 * RFC 2046: 1-70 characters of bchars). The preamble and epilogue are
 * ignored; a missing close delimiter is an error (truncated message).
 * *out is freed with mime_multipart_free; buf must outlive it.
 */
int		 mime_parse(const void *buf, size_t len, const char *boundary,
		    const struct mime_limits *, struct mime_multipart **out,
		    char *err, size_t errlen);
/*
 * The same, taking the boundary from a Content-Type value, which must be
 * multipart/<anything> (e.g. multipart/related; boundary=...).
 */
int		 mime_parse_ctype(const void *buf, size_t len,
		    const char *content_type, const struct mime_limits *,
		    struct mime_multipart **out, char *err, size_t errlen);
void		 mime_multipart_free(struct mime_multipart *);

size_t		 mime_nparts(const struct mime_multipart *);
/* Borrowed; NULL if i is out of range. */
const struct mime_part *mime_part_at(const struct mime_multipart *, size_t i);

/* First header with this name (case-insensitive), unfolded and trimmed. */
const char	*mime_part_header(const struct mime_part *, const char *name);
size_t		 mime_part_nheaders(const struct mime_part *);
int		 mime_part_header_at(const struct mime_part *, size_t i,
		    const char **name, const char **value);
/* The part's content bytes (pointer into the parsed buffer). */
const unsigned char *mime_part_body(const struct mime_part *, size_t *len);
/* The raw header block as received, up to the blank line. */
const unsigned char *mime_part_head(const struct mime_part *, size_t *len);

/*
 * Building: parts are appended as "--boundary CRLF headers CRLF body"
 * and mime_writer_finish adds the close delimiter. A header name or
 * value holding CR or LF, a body holding "--boundary", or a part that
 * would pass max (the cap on the whole output) is refused and adds
 * nothing; after an out-of-memory error the writer only fails.
 */
struct mime_writer;

/* boundary NULL: a random "xtop" + 30 letters (as X-Road does). */
struct mime_writer *mime_writer_new(const char *boundary, size_t max);
/* Borrowed, valid until the writer is freed or finished. */
const char	*mime_writer_boundary(const struct mime_writer *);
/* headers: name, value, name, value, ..., NULL. */
int		 mime_writer_add(struct mime_writer *, const char *const *headers,
		    const void *body, size_t len);
/*
 * Close the multipart and hand the bytes over in *out (caller frees with
 * buf_free). Frees the writer in every case.
 */
int		 mime_writer_finish(struct mime_writer *, struct buf **out);
void		 mime_writer_free(struct mime_writer *);

#endif /* HK_MIME_H */
