/*
 * evtest.h: message log evidence for the container, archive and
 * msglog-verify tests, made from real pieces: an in-memory PKI
 * (testpki.h), member signing keys in a signer (signer.h), XAdES
 * signatures (xsig.h), hash chains (hashchain.h), RFC 3161 tokens from
 * the devtsa core (certs/devtsa/tsa.h) and a global configuration that
 * approves the CA and the TSA. Tests only: failures abort(3).
 *
 * Instance PS; members GOV/MTIT (consumer, client SUBSYSTEM
 * PS/GOV/MTIT/SSO) and GOV/MOI (provider, service
 * PS/GOV/MOI/CIVIL-REGISTER/getPerson), both signing keys issued by the
 * approved CA ("Test Issuing CA"; OCSP responses signed by that CA).
 */
#ifndef HK_EVTEST_H
#define HK_EVTEST_H

#include <stddef.h>
#include <stdint.h>
#include <time.h>

#include "testpki.h"

struct asic_parts;
struct asic_data;
struct asicv_conf;
struct gconf;
struct signer;
struct tsa;
struct tsa_serial;

#define EVTEST_KEY_MTIT	"PS/GOV/MTIT"
#define EVTEST_KEY_MOI	"PS/GOV/MOI"

struct evtest {
	struct testpki_pair	 root, ca, mtit, moi, tsa_cert, other_tsa;
	struct signer		*sg;
	struct tsa_serial	*serial;
	struct tsa		*tsa;
	unsigned char		*shared;	/* shared-params.xml */
	size_t			 sharedlen;
	char			 dir[256];	/* temp dir, removed at free */
};

void	 evtest_init(struct evtest *);
void	 evtest_free(struct evtest *);
/* A verification configuration from shared-params.xml (parsed). */
struct asicv_conf *evtest_conf(struct evtest *);

/* One logged message with its evidence; every pointer owned. */
struct evtest_rec {
	char		*msg;
	size_t		 msglen;
	unsigned char	*att;		/* one attachment / REST body, or NULL */
	size_t		 attlen;
	char		*sig;
	size_t		 siglen;
	char		*sig_hcr, *sig_hc;
	size_t		 sig_hcrlen, sig_hclen;
	unsigned char	*tok;
	size_t		 toklen;
	char		*ts_hcr, *ts_hc;
	size_t		 ts_hcrlen, ts_hclen;
};

/* SOAP request (client PS/GOV/MTIT/SSO) with message id id. */
void	 evtest_soap_request(struct evtest_rec *, const char *id);
/* The provider's response to req, with its requestHash. */
void	 evtest_soap_response(struct evtest_rec *,
	    const struct evtest_rec *req);
/* REST request head (+ body) and response head with X-Road-Request-Hash. */
void	 evtest_rest_request(struct evtest_rec *, const char *id,
	    const char *body);
void	 evtest_rest_response(struct evtest_rec *,
	    const struct evtest_rec *req);

/*
 * Sign rec->msg (and rec->att through a sig hash chain) with key_id;
 * batch > 1 signs it in a batch of that many (a sig hash chain too).
 * ocsp_status: V_OCSP_CERTSTATUS_GOOD (0) etc.; ocsp_age: seconds
 * between the OCSP thisUpdate and the signing time.
 */
void	 evtest_sign(struct evtest *, struct evtest_rec *, const char *key_id,
	    int ocsp_status, long ocsp_age);
/* A token over SHA-512 of data from the test TSA; *lenp bytes. */
unsigned char *evtest_token(struct evtest *, const void *data, size_t len,
	    size_t *lenp);
/* Stamp one record alone (token over its SignatureValue). */
void	 evtest_stamp_single(struct evtest *, struct evtest_rec *);
/* Stamp n >= 2 records in one batch (ts hash chains). */
void	 evtest_stamp_batch(struct evtest *, struct evtest_rec **, size_t n);
/* The container of a record; *lenp bytes, free(3). */
unsigned char *evtest_container(const struct evtest_rec *, int64_t time_ms,
	    size_t *lenp);
void	 evtest_parts(const struct evtest_rec *, struct asic_parts *,
	    struct asic_data *att);
void	 evtest_rec_clear(struct evtest_rec *);

/*
 * A copy of ZIP zip with entry name's content changed (CRCs recomputed,
 * as a careful forger would): the byte at the first occurrence of find
 * plus skip (find NULL: the middle byte) is flipped (letters change
 * case, other bytes XOR 1). *lenp bytes, free(3).
 */
unsigned char *evtest_zip_alter(const unsigned char *zip, size_t len,
	    const char *name, const char *find, size_t skip, size_t *lenp);
/* The same flipping the byte at pos of the entry (pos < its length). */
unsigned char *evtest_zip_alter_at(const unsigned char *zip, size_t len,
	    const char *name, size_t pos, size_t *lenp);
/* ZIP zip with entry name's content replaced (stored if store). */
unsigned char *evtest_zip_replace(const unsigned char *zip, size_t len,
	    const char *name, const void *data, size_t dlen, int store,
	    size_t *lenp);
/* Entry name of ZIP zip (any entry), read whole; *lenp bytes, free(3). */
unsigned char *evtest_zip_entry(const unsigned char *zip, size_t len,
	    const char *name, size_t *lenp);

void	 evtest_write(const char *path, const void *data, size_t len);
unsigned char *evtest_read(const char *path, size_t *lenp);

#endif /* HK_EVTEST_H */
