/*
 * batchsign.c: one private-key operation per key per event-loop turn.
 */
#include "config.h"

#include <sys/queue.h>

#include <stdlib.h>
#include <string.h>

#include <openssl/evp.h>

#include <event2/event.h>

#include "batchsign.h"
#include "compat.h"
#include "hashchain.h"
#include "log.h"
#include "signer.h"
#include "xsig.h"

enum br_state {
	BR_PENDING,		/* in bs_pending */
	BR_INFLIGHT		/* taken by a flush */
};

struct batchsign_req {
	TAILQ_ENTRY(batchsign_req) r_entry;
	struct batchsign	*r_bs;
	char			 r_key[SIGNER_KEY_ID_MAX + 1];
	unsigned char		*r_parts;
	size_t			 r_nparts;
	batchsign_cb		 r_cb;
	void			*r_arg;
	enum br_state		 r_state;
	int			 r_cancelled;
};

TAILQ_HEAD(br_list, batchsign_req);

struct batchsign {
	struct event_base	*bs_base;
	struct signer		*bs_signer;
	size_t			 bs_max;
	struct event		*bs_ev;
	int			 bs_scheduled;
	struct br_list		 bs_pending;
	size_t			 bs_npending;
	batchsign_ocsp_fn	 bs_ocsp_fn;
	void			*bs_ocsp_arg;
	unsigned long		 bs_batches;
	unsigned long		 bs_requests;
};

static void	bs_event(evutil_socket_t, short, void *);
static void	bs_req_free(struct batchsign_req *);
static void	bs_sign_batch(struct batchsign *, struct br_list *, size_t);

struct batchsign *
batchsign_new(struct event_base *base, struct signer *signer,
    size_t max_batch)
{
	struct batchsign	*bs;

	if (base == NULL || signer == NULL ||
	    max_batch > HASHCHAIN_MAX_INPUTS)
		return NULL;
	if ((bs = calloc(1, sizeof(*bs))) == NULL)
		return NULL;
	bs->bs_base = base;
	bs->bs_signer = signer;
	bs->bs_max = max_batch == 0 ? BATCHSIGN_MAX_DEFAULT : max_batch;
	TAILQ_INIT(&bs->bs_pending);
	/* A user event: never added, only activated by batchsign_submit. */
	if ((bs->bs_ev = event_new(base, -1, 0, bs_event, bs)) == NULL) {
		free(bs);
		return NULL;
	}
	return bs;
}

void
batchsign_free(struct batchsign *bs)
{
	struct batchsign_req	*r;

	if (bs == NULL)
		return;
	while ((r = TAILQ_FIRST(&bs->bs_pending)) != NULL) {
		TAILQ_REMOVE(&bs->bs_pending, r, r_entry);
		bs_req_free(r);
	}
	event_free(bs->bs_ev);
	free(bs);
}

void
batchsign_set_ocsp_fn(struct batchsign *bs, batchsign_ocsp_fn fn, void *arg)
{
	if (bs == NULL)
		return;
	bs->bs_ocsp_fn = fn;
	bs->bs_ocsp_arg = arg;
}

static void
bs_req_free(struct batchsign_req *r)
{
	if (r == NULL)
		return;
	free(r->r_parts);
	free(r);
}

struct batchsign_req *
batchsign_submit(struct batchsign *bs, const char *key_id,
    const unsigned char *parts, size_t nparts, batchsign_cb cb, void *arg)
{
	struct batchsign_req	*r;

	if (bs == NULL || key_id == NULL || parts == NULL || cb == NULL ||
	    nparts == 0 || nparts > HASHCHAIN_MAX_PARTS)
		return NULL;
	if ((r = calloc(1, sizeof(*r))) == NULL)
		return NULL;
	if (strlcpy(r->r_key, key_id, sizeof(r->r_key)) >= sizeof(r->r_key) ||
	    (r->r_parts = malloc(nparts * HASHCHAIN_DIGEST_LEN)) == NULL) {
		free(r);
		return NULL;
	}
	memcpy(r->r_parts, parts, nparts * HASHCHAIN_DIGEST_LEN);
	r->r_nparts = nparts;
	r->r_cb = cb;
	r->r_arg = arg;
	r->r_bs = bs;
	r->r_state = BR_PENDING;
	TAILQ_INSERT_TAIL(&bs->bs_pending, r, r_entry);
	bs->bs_npending++;
	if (!bs->bs_scheduled) {
		/* Run bs_event once the current callbacks have returned. */
		event_active(bs->bs_ev, EV_TIMEOUT, 0);
		bs->bs_scheduled = 1;
	}
	return r;
}

void
batchsign_cancel(struct batchsign_req *r)
{
	struct batchsign	*bs;

	if (r == NULL)
		return;
	if (r->r_state == BR_INFLIGHT) {
		/* A flush owns it; it frees it without calling back. */
		r->r_cancelled = 1;
		return;
	}
	bs = r->r_bs;
	TAILQ_REMOVE(&bs->bs_pending, r, r_entry);
	bs->bs_npending--;
	bs_req_free(r);
}

static void
bs_event(evutil_socket_t fd, short what, void *arg)
{
	struct batchsign	*bs = arg;

	/* Cleared first: requests submitted by callbacks wait a turn. */
	bs->bs_scheduled = 0;
	(void)batchsign_flush(bs);
}

size_t
batchsign_flush(struct batchsign *bs)
{
	struct br_list		 todo, batch;
	struct batchsign_req	*r, *next;
	const char		*key;
	size_t			 n, nbatches = 0;

	if (bs == NULL || TAILQ_EMPTY(&bs->bs_pending))
		return 0;
	TAILQ_INIT(&todo);
	TAILQ_CONCAT(&todo, &bs->bs_pending, r_entry);
	bs->bs_npending = 0;
	TAILQ_FOREACH(r, &todo, r_entry)
		r->r_state = BR_INFLIGHT;

	while ((r = TAILQ_FIRST(&todo)) != NULL) {
		/* The next batch: up to bs_max requests of the first's key. */
		TAILQ_INIT(&batch);
		key = NULL;
		n = 0;
		for (r = TAILQ_FIRST(&todo); r != NULL && n < bs->bs_max;
		    r = next) {
			next = TAILQ_NEXT(r, r_entry);
			if (r->r_cancelled) {
				TAILQ_REMOVE(&todo, r, r_entry);
				bs_req_free(r);
				continue;
			}
			if (key != NULL && strcmp(key, r->r_key) != 0)
				continue;
			TAILQ_REMOVE(&todo, r, r_entry);
			TAILQ_INSERT_TAIL(&batch, r, r_entry);
			key = r->r_key;
			n++;
		}
		if (n == 0)
			continue;
		bs_sign_batch(bs, &batch, n);
		nbatches++;
	}
	return nbatches;
}

/* Sign one batch (all of one key) and call everyone back. */
static void
bs_sign_batch(struct batchsign *bs, struct br_list *batch, size_t n)
{
	struct batchsign_result	 res;
	struct batchsign_req	*r, *first = TAILQ_FIRST(batch);
	struct hashchain	*hc = NULL;
	struct xsig_sign_params	 sp;
	struct xsig_ref		 ref;
	const struct xsig_der	*ocsp = NULL;
	unsigned char		 md[HASHCHAIN_DIGEST_LEN];
	char			*sig = NULL, *hcr = NULL, **chains = NULL;
	size_t			*chain_lens = NULL, sig_len = 0, hcr_len = 0;
	size_t			 nocsp = 0, i;
	int			 err = XSIG_ERR_INTERNAL;

	memset(&res, 0, sizeof(res));
	memset(&sp, 0, sizeof(sp));
	memset(&ref, 0, sizeof(ref));
	if (!signer_has_key(bs->bs_signer, first->r_key)) {
		log_warnx("batchsign: no signing key %s", first->r_key);
		err = BATCHSIGN_ERR_KEY;
		goto deliver;
	}
	if (bs->bs_ocsp_fn != NULL && bs->bs_ocsp_fn(first->r_key, &ocsp,
	    &nocsp, bs->bs_ocsp_arg) == -1) {
		log_warnx("batchsign: no OCSP response for key %s",
		    first->r_key);
		err = BATCHSIGN_ERR_OCSP;
		goto deliver;
	}

	if (n == 1 && first->r_nparts == 1) {
		ref.xr_uri = XSIG_URI_MESSAGE;
		ref.xr_digest = first->r_parts;
		ref.xr_mime = XSIG_MIME_XML;
	} else {
		if ((hc = hashchain_new()) == NULL ||
		    (chains = calloc(n, sizeof(*chains))) == NULL ||
		    (chain_lens = calloc(n, sizeof(*chain_lens))) == NULL)
			goto deliver;
		TAILQ_FOREACH(r, batch, r_entry)
			if (hashchain_add_input(hc, r->r_parts,
			    r->r_nparts) == -1)
				goto deliver;
		if (hashchain_finish(hc) == -1 ||
		    hashchain_result_xml(hc, XSIG_URI_HASHCHAIN, &hcr,
		    &hcr_len) == -1)
			goto deliver;
		for (i = 0; i < n; i++)
			if (hashchain_chain_xml(hc, i, XSIG_URI_MESSAGE, NULL,
			    &chains[i], &chain_lens[i]) == -1)
				goto deliver;
		if (!EVP_Digest(hcr, hcr_len, md, NULL, EVP_sha512(), NULL))
			goto deliver;
		ref.xr_uri = XSIG_URI_HASHCHAIN_RESULT;
		ref.xr_digest = md;
		ref.xr_mime = XSIG_MIME_HASHCHAIN_RESULT;
	}
	sp.sp_signer = bs->bs_signer;
	sp.sp_key_id = first->r_key;
	sp.sp_refs = &ref;
	sp.sp_nrefs = 1;
	sp.sp_ocsp = ocsp;
	sp.sp_nocsp = nocsp;
	if ((err = xsig_sign(&sp, &sig, &sig_len)) != XSIG_OK) {
		log_warnx("batchsign: signing %zu request(s) with key %s "
		    "failed", n, first->r_key);
		goto deliver;
	}
	bs->bs_batches++;
	res.br_signature = sig;
	res.br_signature_len = sig_len;
	res.br_hashchain_result = hcr;
	res.br_hashchain_result_len = hcr_len;
	res.br_batch_size = n;

 deliver:
	for (i = 0; (r = TAILQ_FIRST(batch)) != NULL; i++) {
		TAILQ_REMOVE(batch, r, r_entry);
		if (!r->r_cancelled) {
			if (chains != NULL && err == XSIG_OK) {
				res.br_hashchain = chains[i];
				res.br_hashchain_len = chain_lens[i];
			}
			bs->bs_requests++;
			r->r_cb(err, err == XSIG_OK ? &res : NULL, r->r_arg);
		}
		bs_req_free(r);
	}
	if (chains != NULL)
		for (i = 0; i < n; i++)
			free(chains[i]);
	free(chains);
	free(chain_lens);
	free(hcr);
	free(sig);
	hashchain_free(hc);
}

size_t
batchsign_pending(const struct batchsign *bs)
{
	return bs == NULL ? 0 : bs->bs_npending;
}

unsigned long
batchsign_batches(const struct batchsign *bs)
{
	return bs == NULL ? 0 : bs->bs_batches;
}

unsigned long
batchsign_requests(const struct batchsign *bs)
{
	return bs == NULL ? 0 : bs->bs_requests;
}
