/*
 * archive.h: message log archives (NOTES.md 5.4): ZIP files of ASiC-E
 * containers (asic.h) with a "linkinginfo" entry that chains every
 * container and every archive of a group to the one before.
 *
 * An archive is a ZIP with stored (uncompressed) entries: the containers,
 * named "<queryId escaped, at most 226 chars>-<request|response>-<seq in
 * base 32>.asice" (AsicContainerNameGenerator), then "linkinginfo":
 *
 *   <previous archive's last digest | -> <previous archive's name | -> SHA-512
 *   <digest_1> <container 1 name>
 *   ...
 *
 * every line ending in LF, digest_i = hex(SHA-512(digest_{i-1} ||
 * hex(SHA-512(container_i)))) over the ASCII hex strings (lower case),
 * digest_0 the previous archive's last digest ("" for the very first).
 * This is X-Road's LinkingInfoBuilder, so X-Road's
 * messagelog-archive-verifier accepts these archives and ours accepts
 * X-Road's.
 *
 * The file is "mlog-[<group>-]<first record UTC yyyyMMddHHmmss>-<last
 * record>-<first 16 hex of the last digest>.zip" (LogArchiveWriter);
 * <group> has \ < > / : | * ? and control characters replaced by '_',
 * at most 200 characters. The same records give the same bytes.
 */
#ifndef HK_ARCHIVE_H
#define HK_ARCHIVE_H

#include <stddef.h>
#include <stdint.h>

#define ARCHIVE_LINKINGINFO	"linkinginfo"
#define ARCHIVE_HASH_ALG	"SHA-512"
#define ARCHIVE_DIGEST_HEX	128		/* hex chars of a digest */
#define ARCHIVE_NAME_MAX	255		/* a container or file name */
#define ARCHIVE_MAX_SIZE_DEFAULT (32 * 1024 * 1024)	/* 32 MiB */
#define ARCHIVE_QUERY_ID_MAX	226		/* escaped query id kept */
#define ARCHIVE_GROUP_MAX	200
/* Containers per archive and linkinginfo size that readers accept. */
#define ARCHIVE_MAX_CONTAINERS	1000000
#define ARCHIVE_LINKINGINFO_MAX	(256 * 1024 * 1024)

/*
 * Name of a container in an archive: query_id URL-encoded as Java's
 * URLEncoder (UTF-8; A-Z a-z 0-9 . - * _ kept, space as '+', the rest
 * %XX), cut at ARCHIVE_QUERY_ID_MAX characters, then "-request-" or
 * "-response-", seq in base 32 (digits 0-9a-v), ".asice".
 * Returns 0, or -1 if out (at least ARCHIVE_NAME_MAX + 1) is too small.
 */
int	 archive_container_name(const char *query_id, int response,
	    uint64_t seq, char *out, size_t outlen);

/*
 * The next linking digest: hex(SHA-512(prev_hex || hex(container_sha512)))
 * into out (ARCHIVE_DIGEST_HEX + 1 bytes). prev_hex "" or NULL for the
 * first. 0 / -1.
 */
int	 archive_link_digest(const char *prev_hex,
	    const unsigned char container_sha512[64], char *out);

/* Writing. */

struct archive_writer;

/* What the written callback learns about an archive now on disk. */
struct archive_written {
	const char	*aw_path;	/* dir/name */
	const char	*aw_name;	/* the file name */
	const char	*aw_last_digest; /* continue the chain with this */
	const uint64_t	*aw_seqs;	/* seq of each container, in order */
	size_t		 aw_count;
	uint64_t	 aw_size;	/* file size */
};

/*
 * Called once an archive is durable (written, fsynced, renamed, folder
 * fsynced): the message log marks the records aw_seqs archived and keeps
 * (aw_last_digest, aw_name) to continue the chain. Return 0, or -1 to
 * make the add / flush that wrote it fail (the file stays).
 */
typedef int	(*archive_written_fn)(const struct archive_written *,
		    void *arg);

struct archive_writer_conf {
	const char		*ac_dir;	/* required; must exist */
	const char		*ac_group;	/* NULL: no group in names */
	uint64_t		 ac_max_size;	/* 0: ARCHIVE_MAX_SIZE_DEFAULT */
	const char		*ac_prev_digest; /* NULL or "": chain start */
	const char		*ac_prev_name;	/* NULL or "": none */
	archive_written_fn	 ac_written;	/* may be NULL */
	void			*ac_arg;
};

/*
 * A writer (strings copied). Archives are written to a temporary file in
 * ac_dir first. 0, or -1 with a message in err.
 */
int	 archive_writer_new(const struct archive_writer_conf *,
	    struct archive_writer **out, char *err, size_t errlen);
/*
 * Add one container (copied). When the containers added so far exceed
 * ac_max_size, the archive is written at once (rotation) and the next add
 * starts a new one. 0, or -1 with a message in err; after -1 the writer
 * only accepts archive_writer_free.
 */
int	 archive_writer_add(struct archive_writer *, const char *query_id,
	    int response, uint64_t seq, int64_t time_ms, const void *container,
	    size_t len, char *err, size_t errlen);
/* Write the current archive if it holds containers. 0 / -1 (err). */
int	 archive_writer_flush(struct archive_writer *, char *err,
	    size_t errlen);

/* Where the chain stands: after the last written archive. */
struct archive_result {
	char		ar_last_digest[ARCHIVE_DIGEST_HEX + 1];	/* "" if none */
	char		ar_last_name[ARCHIVE_NAME_MAX + 1];	/* "" if none */
	size_t		ar_written;	/* archives this writer wrote */
	size_t		ar_containers;	/* containers in them */
};

/*
 * Flush, fill *res (may be NULL) and free the writer. 0, or -1 when the
 * flush failed (the writer is freed anyway).
 */
int	 archive_writer_close(struct archive_writer *,
	    struct archive_result *res, char *err, size_t errlen);
/* Discard an unwritten archive (its temporary file) and free. NULL ok. */
void	 archive_writer_free(struct archive_writer *);
void	 archive_writer_state(const struct archive_writer *,
	    struct archive_result *);

/* Reading and verifying. */

struct archive_link {
	char	al_digest[ARCHIVE_DIGEST_HEX + 1];
	char	al_name[ARCHIVE_NAME_MAX + 1];
};

/* One archive file as read. Owned by the caller (archive_info_free). */
struct archive_info {
	char			 ai_name[ARCHIVE_NAME_MAX + 1];	/* base name */
	int			 ai_name_ok;	/* mlog-...zip form */
	char			 ai_group[ARCHIVE_NAME_MAX + 1]; /* "" if none */
	char			 ai_first[15];	/* from the name */
	char			 ai_last[15];
	char			 ai_prev_digest[ARCHIVE_DIGEST_HEX + 1]; /* "" */
	char			 ai_prev_name[ARCHIVE_NAME_MAX + 1];	/* "" */
	char			 ai_alg[16];
	struct archive_link	*ai_links;	/* linkinginfo lines */
	size_t			 ai_nlinks;
	char			 ai_last_digest[ARCHIVE_DIGEST_HEX + 1];
	size_t			 ai_problems;
};
void	 archive_info_free(struct archive_info *);

/* Each container's bytes (verify its contents); return value ignored. */
typedef void	(*archive_container_fn)(const char *archive,
		    const char *name, const unsigned char *data, size_t len,
		    void *arg);
/* Each problem found: where (an entry name, "linkinginfo", "zip" or
 * "file name") and what. */
typedef void	(*archive_problem_fn)(const char *archive, const char *where,
		    const char *msg, void *arg);

/*
 * Read and check one archive file: it opens as a ZIP (CRCs, sizes,
 * headers), linkinginfo is its last entry and parses, its lines name the
 * other entries one to one in order, every linking digest recomputes from
 * the line before and the container's bytes, and the file name (when of
 * the mlog form) carries the last digest. Each container goes to fn (may
 * be NULL), each problem to problem (may be NULL); when linkinginfo is
 * missing or does not parse, the containers still go to fn. *out (may be
 * NULL) gets what was read, also on failure when the linkinginfo parsed.
 * Returns the number of problems (0: the archive holds together), or -1
 * when the file is not a ZIP or its linkinginfo is unusable.
 */
int	 archive_verify(const char *path, archive_container_fn fn,
	    archive_problem_fn problem, void *arg, struct archive_info **out);

/*
 * next continues prev: its first line names prev's file and last digest.
 * 0, or -1 with the reason in err.
 */
int	 archive_check_link(const struct archive_info *prev,
	    const struct archive_info *next, char *err, size_t errlen);

/*
 * Parse an archive file name of the mlog form (base name). Fills group
 * ("" for none), first, last (14 digits each) and digest16 (16 hex).
 * 0, or -1 if the name is not of that form.
 */
int	 archive_parse_name(const char *name, char *group, size_t grouplen,
	    char first[15], char last[15], char digest16[17]);

/*
 * Container kind and escaped query id from a container name: 0 with
 * *response and qid (the part before "-request-"/"-response-"), or -1.
 */
int	 archive_parse_container_name(const char *name, int *response,
	    char *qid, size_t qidlen);

#endif /* HK_ARCHIVE_H */
