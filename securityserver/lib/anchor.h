/*
 * anchor.h: configuration anchors (NOTES.md 4.8; configuration-anchor.xsd).
 *
 * An anchor names an X-Road instance, and for each configuration source the
 * URL of its signed directory and the certificates (public-key containers)
 * that may verify it. The same type describes the configurationAnchor
 * elements of private parameters (federation).
 *
 * Certificates are kept as opaque DER bytes: the anchor format only says
 * base64Binary, and the verifier (gconfdir.c) parses them when it uses them.
 */
#ifndef HK_ANCHOR_H
#define HK_ANCHOR_H

#include <stddef.h>
#include <time.h>

#include <libxml/tree.h>

#define ANCHOR_NS		"http://x-road.eu/xsd/xroad.xsd"
/* Schema file, relative to the schema folder. */
#define ANCHOR_SCHEMA		"configuration-anchor.xsd"
/* Limits on what a parsed anchor may hold. */
#define ANCHOR_MAX_SOURCES	64
#define ANCHOR_MAX_CERTS	64

struct anchor;

/*
 * A new anchor for instance; generated_at 0 leaves generatedAt out.
 * Returns NULL on bad arguments or no memory. Free with anchor_free.
 */
struct anchor	*anchor_new(const char *instance, time_t generated_at);
void		 anchor_free(struct anchor *);
/* A deep copy, or NULL. */
struct anchor	*anchor_dup(const struct anchor *);

/* Add a source; returns its index, or -1. The URL is copied. */
int		 anchor_add_source(struct anchor *, const char *download_url);
/* Add a verification certificate (DER, copied) to source src. 0 / -1. */
int		 anchor_add_cert(struct anchor *, size_t src,
		    const unsigned char *der, size_t len);

/* Read access; returned pointers are owned by the anchor. */
const char	*anchor_instance(const struct anchor *);
time_t		 anchor_generated_at(const struct anchor *);	/* 0: none */
size_t		 anchor_nsources(const struct anchor *);
const char	*anchor_source_url(const struct anchor *, size_t src);
size_t		 anchor_source_ncerts(const struct anchor *, size_t src);
const unsigned char *anchor_source_cert(const struct anchor *, size_t src,
		    size_t i, size_t *len);
/* 1 if both anchors hold the same data, else 0. */
int		 anchor_equal(const struct anchor *, const struct anchor *);

/*
 * The anchor as a standalone XML document (root tns:configurationAnchor).
 * *out is NUL-terminated; the caller frees it with free(3). 0 / -1.
 */
int		 anchor_write(const struct anchor *, unsigned char **out,
		    size_t *outlen);

/*
 * Parse and validate a standalone anchor document against
 * schema_dir/configuration-anchor.xsd. On success *out is a new anchor
 * (caller frees). Returns 0, or -1 with a message in err.
 */
int		 anchor_parse(struct anchor **out, const void *xml, size_t len,
		    const char *schema_dir, char *err, size_t errlen);

/*
 * Tree-level helpers for documents that embed ConfigurationAnchorType
 * (private parameters): write the anchor's children into a new element
 * name (no namespace) under parent; read them from an element that has
 * already been schema-validated.
 */
int		 anchor_to_node(const struct anchor *, xmlNodePtr parent,
		    const char *name);
int		 anchor_from_node(struct anchor **out, xmlNodePtr node,
		    char *err, size_t errlen);

#endif /* HK_ANCHOR_H */
