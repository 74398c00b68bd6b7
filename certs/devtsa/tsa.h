/*
 * tsa.h: the core of devtsa, an RFC 3161 time-stamping authority for
 * development and tests, over OpenSSL's TS API.
 *
 * A struct tsa_serial is the serial-number store: one small file holding
 * the lowest serial not yet reserved, advanced durably (write to a temp
 * file, fsync, rename, fsync the folder) before a serial it covers is
 * handed out, so no serial is reused after a crash or restart. Serials
 * can be reserved in blocks; a restart then skips the rest of a block.
 *
 * A struct tsa holds the signing key, the TSA certificate, the chain sent
 * with certReq, the policy and a serial store; tsa_respond() turns a DER
 * TimeStampReq into a DER TimeStampResp. Bad input always gets a response
 * with status rejection and a PKIFailureInfo (badAlg, badDataFormat,
 * unacceptedPolicy, ...), never an error return.
 *
 * Accepted message imprints: SHA-256, SHA-384, SHA-512 (SHA-1 gets badAlg).
 * Tokens are signed with SHA-256 and carry an ESSCertIDv2 (SHA-256),
 * accuracy 1 s, ordering false, the TSA name, and the request's nonce.
 */
#ifndef HK_TSA_H
#define HK_TSA_H

#include <stddef.h>
#include <stdint.h>
#include <sys/time.h>

#include <openssl/evp.h>
#include <openssl/x509.h>

/*
 * Default policy: a UUID-based OID (ITU-T X.667, arc 2.25), which anyone
 * may mint without registration, so it cannot clash with a real TSA's.
 */
#define TSA_DEFAULT_POLICY	"2.25.114864060897292012341942570827333534452"

/* The largest TimeStampReq accepted (a real one is under 200 bytes). */
#define TSA_MAX_REQUEST		(64 * 1024)

/* Serials reserved per write by default, and the most allowed. */
#define TSA_SERIAL_BLOCK	100
#define TSA_SERIAL_BLOCK_MAX	1000000

struct tsa_serial;
struct tsa;

/*
 * Open the store at path, creating it (first serial 1) when missing.
 * The store is locked (path.lock, flock) while open: a second store on
 * the same file fails. block: serials reserved per write, 1 to
 * TSA_SERIAL_BLOCK_MAX. Returns NULL (reason logged) on error, also when
 * the file exists but does not hold a valid serial. Caller frees.
 */
struct tsa_serial *tsa_serial_open(const char *path, unsigned int block);
void		 tsa_serial_close(struct tsa_serial *);
/*
 * The next serial (> every serial this file gave before). Reserves a new
 * block on disk first when the current one is used up. 0 / -1 (logged).
 */
int		 tsa_serial_next(struct tsa_serial *, uint64_t *serialp);
/*
 * For -n: check the file without creating or locking it: when present it
 * must hold a valid serial, when missing its folder must be writable.
 */
int		 tsa_serial_check(const char *path);

/*
 * PEM loaders for devtsa's files; a key is never prompted for (an
 * encrypted key fails). Caller frees with EVP_PKEY_free / X509_free /
 * sk_X509_pop_free(chain, X509_free). 0 / -1 (reason logged, never the key).
 */
int		 tsa_load_key(const char *path, EVP_PKEY **keyp);
int		 tsa_load_cert(const char *path, X509 **certp);
int		 tsa_load_chain(const char *path, STACK_OF(X509) **chainp);

/*
 * Make a context. key must match cert; cert must allow time stamping
 * (extendedKeyUsage timeStamping, critical). chain may be NULL; policy
 * NULL means TSA_DEFAULT_POLICY. key, cert and chain are copied (up-ref'd);
 * serial is borrowed and must outlive the context. serial may be NULL to
 * check a configuration: every request then gets systemFailure.
 * Returns NULL (reason logged) on error. Caller frees with tsa_free.
 */
struct tsa	*tsa_new(EVP_PKEY *key, X509 *cert, STACK_OF(X509) *chain,
		    const char *policy, struct tsa_serial *serial);
void		 tsa_free(struct tsa *);

/*
 * Test hook: the clock for genTime (NULL: the system clock). fn returns
 * 0 and fills *tv, or -1 (the request then gets timeNotAvailable).
 */
typedef int	(*tsa_clock_fn)(void *arg, struct timeval *tv);
void		 tsa_set_clock(struct tsa *, tsa_clock_fn fn, void *arg);

/* What tsa_respond decided, for logs and tests. */
struct tsa_result {
	int		 tr_status;	/* TS_STATUS_GRANTED, _REJECTION, ... */
	unsigned int	 tr_failinfo;	/* bit n set: PKIFailureInfo bit n */
	uint64_t	 tr_serial;	/* the token's serial when granted */
	char		 tr_text[128];	/* the status text, or "" */
};

/* PKIFailureInfo bits in tr_failinfo (RFC 3161 2.4.2). */
#define TSA_FAIL_BAD_ALG		(1U << 0)
#define TSA_FAIL_BAD_REQUEST		(1U << 2)
#define TSA_FAIL_BAD_DATA_FORMAT	(1U << 5)
#define TSA_FAIL_TIME_NOT_AVAILABLE	(1U << 14)
#define TSA_FAIL_UNACCEPTED_POLICY	(1U << 15)
#define TSA_FAIL_UNACCEPTED_EXTENSION	(1U << 16)
#define TSA_FAIL_ADD_INFO_NOT_AVAILABLE	(1U << 17)
#define TSA_FAIL_SYSTEM_FAILURE		(1U << 25)

/*
 * Answer one DER TimeStampReq of reqlen bytes (any bytes at all: garbage,
 * trailing data, over TSA_MAX_REQUEST all get a rejection). On 0, *respp
 * holds the DER TimeStampResp (*resplenp bytes; caller frees with
 * free(3)) and *result (if not NULL) what was decided. -1 only when not
 * even a rejection could be encoded (out of memory).
 */
int		 tsa_respond(struct tsa *, const unsigned char *req,
		    size_t reqlen, unsigned char **respp, size_t *resplenp,
		    struct tsa_result *result);

/* A short name for a failure bit set: "badAlg", "badDataFormat", ... */
const char	*tsa_failinfo_name(unsigned int failinfo);

#endif /* HK_TSA_H */
