/*
 * asicverify.h: offline verification of signed-document containers
 * (asic.h) as an auditor does it (NOTES.md 5.5), with nothing but a
 * verification configuration: the global configuration's shared
 * parameters (approved CAs with their OCSP responders, approved TSAs,
 * ocspFreshnessSeconds) of the instances involved. No network is used.
 *
 * A container verifies when, in this order:
 *  1. structure  it parses (asic_parse: entries, sizes, CRCs);
 *  2. manifest   its manifests match its entries (asic_check_manifests);
 *  3. timestamp  it has a timestamp token (META-INF/timestamp.tst, or
 *                the signature's SignatureTimeStamp) signed by an approved
 *                TSA (its certificate valid at genTime), whose imprint is
 *                the SHA-512 (or -256/-384) of ts-hashchainresult.xml, or
 *                for a single stamp of the raw ds:SignatureValue;
 *     ts-hashchain  a batch stamp's hash chain leads from
 *                "/META-INF/signatures.xml" (its SHA-512) to that result;
 *  4. signature  the XAdES signature verifies over message.xml and the
 *                attachments, directly or through the sig hash chain
 *                (xsig_verify_message), and its SigningTime is not after
 *                the timestamp (ASICV_SKEW seconds allowed);
 *  5. certificate / ocsp  the signing cert chains to a CA approved in the
 *                signer's instance, valid at SigningTime, with the OCSP
 *                responses in the signature GOOD and fresh
 *                (ocspFreshnessSeconds) at SigningTime (certcheck.h);
 *  6. signer     the member in the cert (C, O, CN) is the sender named
 *                in message.xml: the client of a request, the service
 *                provider of a response (SOAP or REST).
 *
 * Messages logged without their body (metadata-only logging) fail at 4,
 * as in X-Road.
 */
#ifndef HK_ASICVERIFY_H
#define HK_ASICVERIFY_H

#include <stddef.h>
#include <time.h>

#include "xrid.h"

struct asic_parts;
struct gconf;

/* Clock skew allowed between SigningTime and the timestamp, seconds. */
#define ASICV_SKEW		60
/* Largest shared-params.xml read from a verification configuration. */
#define ASICV_CONF_FILE_MAX	(64 * 1024 * 1024)
#define ASICV_MAX_INSTANCES	64

/* The verification configuration (opaque; read-only once loaded). */
struct asicv_conf;

/*
 * Load from path: a folder holding shared-params.xml, or folders (one
 * per instance) holding it, or a ZIP of the same (what GET
 * /verificationconf returns); at most two levels deep. Each file is
 * validated against the schemas in schema_dir (globalconf/vN). On success
 * *out is freed with asicv_conf_free. 0, or -1 with a message in err.
 */
int	 asicv_conf_load(const char *path, const char *schema_dir,
	    struct asicv_conf **out, char *err, size_t errlen);
/* An empty configuration, then instances one by one (gc is taken over,
 * and freed on failure too; it must be finished, gconf_finish). */
struct asicv_conf *asicv_conf_new(void);
int	 asicv_conf_add(struct asicv_conf *, struct gconf *gc);
size_t	 asicv_conf_count(const struct asicv_conf *);
void	 asicv_conf_free(struct asicv_conf *);

enum asicv_kind {
	ASICV_UNKNOWN = 0,	/* decide from message.xml */
	ASICV_REQUEST,
	ASICV_RESPONSE
};

/* Called for every check that passed: where, which check, what it saw. */
typedef void	(*asicv_trace_fn)(const char *entry, const char *check,
		    const char *detail, void *arg);

#define ASICV_HASH_MAX	128	/* base64 SHA-512 with room to spare */

/*
 * The outcome of a verification. Set vr_trace (may be NULL) with
 * asicv_report_init before the call. On failure vr_entry names the
 * container entry (or "zip", "pair"), vr_check the check (the names in
 * the list above, or "request-hash") and vr_msg says what is wrong. The
 * other fields hold what was learnt up to the failure.
 */
struct asicv_report {
	asicv_trace_fn	 vr_trace;
	void		*vr_trace_arg;

	char		 vr_entry[64];
	char		 vr_check[32];
	char		 vr_msg[768];

	int		 vr_rest;		/* 1: REST, 0: SOAP */
	enum asicv_kind	 vr_kind;
	char		 vr_query_id[XRID_PART_MAX + 1];
	char		 vr_signer[XRID_STR_MAX];	/* MEMBER:PS/GOV/X */
	char		 vr_sender[XRID_STR_MAX];	/* as in the message */
	time_t		 vr_signing_time;
	time_t		 vr_ts_time;		/* the token's genTime */
	int		 vr_batch_ts;		/* 1: timestamp.tst */
	char		 vr_tsa[256];		/* approved TSA's name */
	/* A request: the requestHash a response to it must carry. */
	char		 vr_hash_of_request[ASICV_HASH_MAX];
	/* A response: the requestHash it carries. */
	char		 vr_request_hash[ASICV_HASH_MAX];
};

void	 asicv_report_init(struct asicv_report *, asicv_trace_fn, void *arg);

/*
 * Verify a container of len bytes (kind from its name in an archive, or
 * ASICV_UNKNOWN). 0 when it verifies, -1 otherwise (see the report).
 */
int	 asicv_verify_container(const struct asicv_conf *, const void *zip,
	    size_t len, enum asicv_kind, struct asicv_report *);
/* The same from parsed parts (checks 2 to 6). */
int	 asicv_verify_parts(const struct asicv_conf *,
	    const struct asic_parts *, enum asicv_kind,
	    struct asicv_report *);

/*
 * A request and its response: the response's requestHash (SOAP
 * xrd:requestHash, base64 SHA-512 of the request's message.xml bytes;
 * REST X-Road-Request-Hash over the request head and body) equals the
 * request's, and both name the same message id, client and service.
 * Only the binding is checked: verify each container too. 0 / -1.
 */
int	 asicv_verify_pair(const struct asic_parts *req,
	    const struct asic_parts *resp, struct asicv_report *);

#endif /* HK_ASICVERIFY_H */
