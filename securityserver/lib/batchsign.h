/*
 * batchsign.h: batch signing for the libevent daemon (NOTES.md 4.6).
 *
 * Callers submit (key id, message part digests, callback). Nothing is
 * signed inside batchsign_submit(): the first submission activates a
 * libevent user event (event_active(), no timer), so on the next turn
 * of the event loop, after the callbacks already running, all pending
 * requests are signed: those of one key id together, at most max_batch
 * per signature, with ONE private-key operation each, as X-Road's
 * BatchSigner does:
 *
 * - a batch of one single-part message is signed directly: ds:Reference
 *   URI="/message.xml" over the message digest, no hash chain;
 * - otherwise a hash chain is built over the batch (each request one
 *   input, its parts the message and attachments), the signature covers
 *   "/sig-hashchainresult.xml" (the HashChainResult bytes), and each
 *   request gets the shared signature and HashChainResult plus its own
 *   HashChain (known as "/sig-hashchain.xml", DataRef "/message.xml",
 *   "/attachment1", ...).
 *
 * Verify what a callback received with xsig_verify_message().
 * batchsign_flush() does the same work at once (tests, shutdown).
 *
 * Single-threaded: all calls from the event loop's thread. The signer is
 * called synchronously; if it moves to its own process this module is
 * where the asynchronous IPC goes.
 */
#ifndef HK_BATCHSIGN_H
#define HK_BATCHSIGN_H

#include <stddef.h>

struct event_base;
struct signer;
struct xsig_der;

struct batchsign;
struct batchsign_req;

#define BATCHSIGN_MAX_DEFAULT	1000

/* Errors given to callbacks besides the xsig_err values. */
#define BATCHSIGN_ERR_KEY	(-20)	/* no such key id in the signer */
#define BATCHSIGN_ERR_OCSP	(-21)	/* no OCSP response for the key */

/*
 * What a callback gets; every pointer is borrowed and valid only during
 * the callback (copy what you keep). The hash chain fields are NULL when
 * the message was signed directly.
 */
struct batchsign_result {
	const char	*br_signature;		/* signature/bdoc-1.0/ts */
	size_t		 br_signature_len;
	const char	*br_hashchain_result;	/* application/hash-chain-result */
	size_t		 br_hashchain_result_len;
	const char	*br_hashchain;		/* application/hash-chain */
	size_t		 br_hashchain_len;
	size_t		 br_batch_size;		/* requests in the batch */
};

/* error: 0, an xsig_err or BATCHSIGN_ERR_*; res is NULL on error. */
typedef void (*batchsign_cb)(int error, const struct batchsign_result *res,
    void *arg);

/*
 * The OCSP responses to embed for key_id, asked once per batch: fill
 * *ocsp (borrowed, valid until the signature is made, i.e. until this
 * batch's callbacks run) and *nocsp. Return 0, or -1 to fail the batch
 * with BATCHSIGN_ERR_OCSP.
 */
typedef int (*batchsign_ocsp_fn)(const char *key_id,
    const struct xsig_der **ocsp, size_t *nocsp, void *arg);

/*
 * base and signer are borrowed and must outlive the batch signer.
 * max_batch: most requests per signature (0 = BATCHSIGN_MAX_DEFAULT).
 * Returns NULL on failure.
 */
struct batchsign *batchsign_new(struct event_base *base,
		    struct signer *signer, size_t max_batch);
/*
 * Pending requests are dropped without their callbacks being called.
 * Not to be called from a batchsign callback. NULL is fine.
 */
void		 batchsign_free(struct batchsign *);
/* Without an OCSP function signatures carry no OCSP response. */
void		 batchsign_set_ocsp_fn(struct batchsign *, batchsign_ocsp_fn,
		    void *arg);

/*
 * Queue a request: parts holds nparts SHA-512 digests (nparts * 64
 * bytes, copied), part 0 the message. cb runs once, later, from the
 * event loop (never from inside this call) unless the request is
 * cancelled first. Returns a handle valid until cb runs, or NULL.
 */
struct batchsign_req *batchsign_submit(struct batchsign *, const char *key_id,
		    const unsigned char *parts, size_t nparts,
		    batchsign_cb cb, void *arg);
/* The callback will not run; the handle is gone. Safe inside callbacks. */
void		 batchsign_cancel(struct batchsign_req *);

/* Sign everything pending now. Returns the number of batches signed. */
size_t		 batchsign_flush(struct batchsign *);

size_t		 batchsign_pending(const struct batchsign *);
/* Counters: batches signed (= private-key operations), requests served. */
unsigned long	 batchsign_batches(const struct batchsign *);
unsigned long	 batchsign_requests(const struct batchsign *);

#endif /* HK_BATCHSIGN_H */
