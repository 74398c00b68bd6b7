/*
 * signer.c: private signing keys and the one signing call.
 */
#include "config.h"

#include <sys/queue.h>
#include <sys/stat.h>

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <openssl/bio.h>
#include <openssl/bn.h>
#include <openssl/crypto.h>
#include <openssl/ec.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/rsa.h>
#include <openssl/x509.h>

#include "compat.h"
#include "log.h"
#include "signer.h"

#define SIGNER_RSA_MIN_BITS	2048
#define SIGNER_RSA_MAX_BITS	8192

struct signer_key {
	TAILQ_ENTRY(signer_key)	 sk_entry;
	char			 sk_id[SIGNER_KEY_ID_MAX + 1];
	EVP_PKEY		*sk_key;
	X509			*sk_cert;
	STACK_OF(X509)		*sk_chain;
	enum signer_key_type	 sk_type;
	int			 sk_bits;
};

struct signer {
	TAILQ_HEAD(, signer_key) sg_keys;
	size_t			 sg_nkeys;
	unsigned long		 sg_sign_count;
};

static const struct {
	enum signer_digest	 alg;
	size_t			 len;
	const char		*uri;
	const char		*rsa_uri;
	const char		*ec_uri;
} digests[] = {
	{ SIGNER_DIGEST_SHA256, 32,
	    "http://www.w3.org/2001/04/xmlenc#sha256",
	    "http://www.w3.org/2001/04/xmldsig-more#rsa-sha256",
	    "http://www.w3.org/2001/04/xmldsig-more#ecdsa-sha256" },
	{ SIGNER_DIGEST_SHA384, 48,
	    "http://www.w3.org/2001/04/xmldsig-more#sha384",
	    "http://www.w3.org/2001/04/xmldsig-more#rsa-sha384",
	    "http://www.w3.org/2001/04/xmldsig-more#ecdsa-sha384" },
	{ SIGNER_DIGEST_SHA512, 64,
	    "http://www.w3.org/2001/04/xmlenc#sha512",
	    "http://www.w3.org/2001/04/xmldsig-more#rsa-sha512",
	    "http://www.w3.org/2001/04/xmldsig-more#ecdsa-sha512" },
};

#define NDIGESTS	(sizeof(digests) / sizeof(digests[0]))

static void	 signer_key_free(struct signer_key *);
static struct signer_key *signer_find(const struct signer *, const char *);
static int	 signer_no_passphrase(char *, int, int, void *);
static int	 signer_read_certs(const void *, size_t, STACK_OF(X509) *);
static int	 signer_read_file(const char *, int, unsigned char **,
		    size_t *);

struct signer *
signer_new(void)
{
	struct signer	*sg;

	if ((sg = calloc(1, sizeof(*sg))) == NULL)
		return NULL;
	TAILQ_INIT(&sg->sg_keys);
	return sg;
}

void
signer_free(struct signer *sg)
{
	struct signer_key	*sk;

	if (sg == NULL)
		return;
	while ((sk = TAILQ_FIRST(&sg->sg_keys)) != NULL) {
		TAILQ_REMOVE(&sg->sg_keys, sk, sk_entry);
		signer_key_free(sk);
	}
	free(sg);
}

static void
signer_key_free(struct signer_key *sk)
{
	if (sk == NULL)
		return;
	EVP_PKEY_free(sk->sk_key);
	X509_free(sk->sk_cert);
	sk_X509_pop_free(sk->sk_chain, X509_free);
	OPENSSL_cleanse(sk, sizeof(*sk));
	free(sk);
}

static struct signer_key *
signer_find(const struct signer *sg, const char *key_id)
{
	struct signer_key	*sk;

	if (sg == NULL || key_id == NULL)
		return NULL;
	TAILQ_FOREACH(sk, &sg->sg_keys, sk_entry)
		if (strcmp(sk->sk_id, key_id) == 0)
			return sk;
	return NULL;
}

/* PEM password callback: never prompt; an encrypted key simply fails. */
static int
signer_no_passphrase(char *buf, int size, int rwflag, void *arg)
{
	return -1;
}

/* Append every certificate of a PEM buffer to certs. Returns the count. */
static int
signer_read_certs(const void *pem, size_t len, STACK_OF(X509) *certs)
{
	BIO	*bio;
	X509	*x;
	int	 n = 0;

	if (len > INT_MAX)
		return -1;
	if ((bio = BIO_new_mem_buf(pem, (int)len)) == NULL)
		return -1;
	while ((x = PEM_read_bio_X509(bio, NULL, signer_no_passphrase,
	    NULL)) != NULL) {
		if (!sk_X509_push(certs, x)) {
			X509_free(x);
			BIO_free(bio);
			return -1;
		}
		n++;
	}
	/* The loop ends at EOF with a "no start line" error: not an error. */
	ERR_clear_error();
	BIO_free(bio);
	return n;
}

int
signer_add_key_pem(struct signer *sg, const char *key_id, const void *key_pem,
    size_t key_len, const void *cert_pem, size_t cert_len,
    const void *chain_pem, size_t chain_len)
{
	struct signer_key	*sk = NULL;
	STACK_OF(X509)		*certs = NULL;
	BIO			*bio = NULL;
	X509			*x;
	char			 gname[64];
	size_t			 idlen;
	int			 i, base;

	if (sg == NULL || key_id == NULL || key_pem == NULL ||
	    cert_pem == NULL || key_len > INT_MAX)
		return -1;
	idlen = strlen(key_id);
	if (idlen == 0 || idlen > SIGNER_KEY_ID_MAX) {
		log_warnx("signer: bad key id length %zu", idlen);
		return -1;
	}
	if (signer_find(sg, key_id) != NULL) {
		log_warnx("signer: key id %s already registered", key_id);
		return -1;
	}
	if ((sk = calloc(1, sizeof(*sk))) == NULL)
		goto fail;
	(void)strlcpy(sk->sk_id, key_id, sizeof(sk->sk_id));

	if ((bio = BIO_new_mem_buf(key_pem, (int)key_len)) == NULL)
		goto fail;
	sk->sk_key = PEM_read_bio_PrivateKey(bio, NULL, signer_no_passphrase,
	    NULL);
	BIO_free(bio);
	bio = NULL;
	if (sk->sk_key == NULL) {
		log_warnx("signer: %s: cannot read the private key (PEM, "
		    "unencrypted)", key_id);
		goto fail;
	}

	base = EVP_PKEY_get_base_id(sk->sk_key);
	sk->sk_bits = EVP_PKEY_get_bits(sk->sk_key);
	if (base == EVP_PKEY_RSA) {
		if (sk->sk_bits < SIGNER_RSA_MIN_BITS ||
		    sk->sk_bits > SIGNER_RSA_MAX_BITS) {
			log_warnx("signer: %s: RSA key of %d bits refused",
			    key_id, sk->sk_bits);
			goto fail;
		}
		sk->sk_type = SIGNER_KEY_RSA;
	} else if (base == EVP_PKEY_EC) {
		if (!EVP_PKEY_get_group_name(sk->sk_key, gname, sizeof(gname),
		    NULL)) {
			log_warnx("signer: %s: EC key without a named curve",
			    key_id);
			goto fail;
		}
		if (strcmp(gname, "prime256v1") != 0 &&
		    strcmp(gname, "P-256") != 0 &&
		    strcmp(gname, "secp384r1") != 0 &&
		    strcmp(gname, "P-384") != 0) {
			log_warnx("signer: %s: EC curve %s refused", key_id,
			    gname);
			goto fail;
		}
		sk->sk_type = SIGNER_KEY_EC;
	} else {
		log_warnx("signer: %s: key type %d refused (RSA or EC only)",
		    key_id, base);
		goto fail;
	}

	if ((certs = sk_X509_new_null()) == NULL)
		goto fail;
	if (signer_read_certs(cert_pem, cert_len, certs) < 1) {
		log_warnx("signer: %s: no certificate in the cert PEM", key_id);
		goto fail;
	}
	sk->sk_cert = sk_X509_shift(certs);
	if (X509_check_private_key(sk->sk_cert, sk->sk_key) != 1) {
		ERR_clear_error();
		log_warnx("signer: %s: certificate does not match the key",
		    key_id);
		goto fail;
	}
	if (chain_pem != NULL && chain_len > 0 &&
	    signer_read_certs(chain_pem, chain_len, certs) < 0) {
		log_warnx("signer: %s: cannot read the chain PEM", key_id);
		goto fail;
	}
	if ((sk->sk_chain = sk_X509_new_null()) == NULL)
		goto fail;
	for (i = 0; i < sk_X509_num(certs); i++) {
		x = sk_X509_value(certs, i);
		if (X509_self_signed(x, 0) == 1)
			continue;	/* a root: trust comes from globalconf */
		if (!X509_up_ref(x))
			goto fail;
		if (!sk_X509_push(sk->sk_chain, x)) {
			X509_free(x);
			goto fail;
		}
	}
	sk_X509_pop_free(certs, X509_free);
	TAILQ_INSERT_TAIL(&sg->sg_keys, sk, sk_entry);
	sg->sg_nkeys++;
	log_debug("signer: key %s loaded (%s %d bits, %d chain certs)",
	    key_id, sk->sk_type == SIGNER_KEY_RSA ? "RSA" : "EC",
	    sk->sk_bits, sk_X509_num(sk->sk_chain));
	return 0;

 fail:
	ERR_clear_error();
	BIO_free(bio);
	sk_X509_pop_free(certs, X509_free);
	signer_key_free(sk);
	return -1;
}

/*
 * Read a whole (small) file. secret: warn about loose permissions. The
 * caller wipes and frees *out.
 */
static int
signer_read_file(const char *path, int secret, unsigned char **out,
    size_t *outlen)
{
	struct stat	 st;
	unsigned char	*data = NULL;
	size_t		 len = 0;
	ssize_t		 n;
	int		 fd;

	if ((fd = open(path, O_RDONLY | O_CLOEXEC)) == -1) {
		log_warn("signer: open %s", path);
		return -1;
	}
	if (fstat(fd, &st) == -1) {
		log_warn("signer: fstat %s", path);
		goto fail;
	}
	if (!S_ISREG(st.st_mode) || st.st_size <= 0 ||
	    st.st_size > SIGNER_PEM_MAX) {
		log_warnx("signer: %s: not a regular file of 1..%d bytes",
		    path, SIGNER_PEM_MAX);
		goto fail;
	}
	if (secret && (st.st_mode & (S_IRWXG | S_IRWXO)) != 0)
		log_warnx("signer: %s: private key readable by group or "
		    "others (chmod 600)", path);
	if ((data = malloc((size_t)st.st_size + 1)) == NULL)
		goto fail;
	while (len < (size_t)st.st_size) {
		n = read(fd, data + len, (size_t)st.st_size - len);
		if (n == -1 && errno == EINTR)
			continue;
		if (n <= 0) {
			log_warnx("signer: %s: short read", path);
			goto fail;
		}
		len += (size_t)n;
	}
	data[len] = '\0';
	close(fd);
	*out = data;
	*outlen = len;
	return 0;

 fail:
	if (data != NULL) {
		OPENSSL_cleanse(data, (size_t)st.st_size + 1);
		free(data);
	}
	close(fd);
	return -1;
}

int
signer_add_key_files(struct signer *sg, const char *key_id,
    const char *key_path, const char *cert_path, const char *chain_path)
{
	unsigned char	*key = NULL, *cert = NULL, *chain = NULL;
	size_t		 keylen = 0, certlen = 0, chainlen = 0;
	int		 rv = -1;

	if (sg == NULL || key_id == NULL || key_path == NULL ||
	    cert_path == NULL)
		return -1;
	if (signer_read_file(key_path, 1, &key, &keylen) == -1)
		goto done;
	if (signer_read_file(cert_path, 0, &cert, &certlen) == -1)
		goto done;
	if (chain_path != NULL &&
	    signer_read_file(chain_path, 0, &chain, &chainlen) == -1)
		goto done;
	rv = signer_add_key_pem(sg, key_id, key, keylen, cert, certlen,
	    chain, chainlen);
 done:
	if (key != NULL) {
		OPENSSL_cleanse(key, keylen);
		free(key);
	}
	free(cert);
	free(chain);
	return rv;
}

int
signer_remove_key(struct signer *sg, const char *key_id)
{
	struct signer_key	*sk;

	if ((sk = signer_find(sg, key_id)) == NULL)
		return -1;
	TAILQ_REMOVE(&sg->sg_keys, sk, sk_entry);
	sg->sg_nkeys--;
	signer_key_free(sk);
	return 0;
}

int
signer_has_key(const struct signer *sg, const char *key_id)
{
	return signer_find(sg, key_id) != NULL;
}

size_t
signer_key_count(const struct signer *sg)
{
	return sg == NULL ? 0 : sg->sg_nkeys;
}

int
signer_sign_digest(struct signer *sg, const char *key_id,
    enum signer_digest alg, const unsigned char *digest, size_t digest_len,
    unsigned char **sig, size_t *sig_len)
{
	struct signer_key	*sk;
	EVP_PKEY_CTX		*ctx = NULL;
	const EVP_MD		*md;
	unsigned char		*out = NULL;
	size_t			 outlen = 0;

	if (sig == NULL || sig_len == NULL || digest == NULL)
		return -1;
	*sig = NULL;
	*sig_len = 0;
	if ((sk = signer_find(sg, key_id)) == NULL) {
		log_warnx("signer: unknown key id %s",
		    key_id == NULL ? "(null)" : key_id);
		return -1;
	}
	if ((md = signer_digest_md(alg)) == NULL ||
	    digest_len != signer_digest_len(alg)) {
		log_warnx("signer: %s: digest of %zu bytes does not fit the "
		    "algorithm", key_id, digest_len);
		return -1;
	}
	if ((ctx = EVP_PKEY_CTX_new(sk->sk_key, NULL)) == NULL ||
	    EVP_PKEY_sign_init(ctx) <= 0)
		goto fail;
	if (sk->sk_type == SIGNER_KEY_RSA &&
	    EVP_PKEY_CTX_set_rsa_padding(ctx, RSA_PKCS1_PADDING) <= 0)
		goto fail;
	if (EVP_PKEY_CTX_set_signature_md(ctx, md) <= 0)
		goto fail;
	if (EVP_PKEY_sign(ctx, NULL, &outlen, digest, digest_len) <= 0 ||
	    outlen == 0 || outlen > SIGNER_SIG_MAX)
		goto fail;
	if ((out = malloc(outlen)) == NULL)
		goto fail;
	sg->sg_sign_count++;
	if (EVP_PKEY_sign(ctx, out, &outlen, digest, digest_len) <= 0)
		goto fail;
	EVP_PKEY_CTX_free(ctx);
	*sig = out;
	*sig_len = outlen;
	return 0;

 fail:
	ERR_clear_error();
	log_warnx("signer: %s: signing failed", key_id);
	EVP_PKEY_CTX_free(ctx);
	free(out);
	return -1;
}

unsigned long
signer_sign_count(const struct signer *sg)
{
	return sg == NULL ? 0 : sg->sg_sign_count;
}

enum signer_key_type
signer_key_type(const struct signer *sg, const char *key_id)
{
	struct signer_key	*sk;

	if ((sk = signer_find(sg, key_id)) == NULL)
		return SIGNER_KEY_NONE;
	return sk->sk_type;
}

int
signer_key_bits(const struct signer *sg, const char *key_id)
{
	struct signer_key	*sk;

	if ((sk = signer_find(sg, key_id)) == NULL)
		return 0;
	return sk->sk_bits;
}

const char *
signer_sig_alg_uri(const struct signer *sg, const char *key_id,
    enum signer_digest alg)
{
	struct signer_key	*sk;
	size_t			 i;

	if ((sk = signer_find(sg, key_id)) == NULL)
		return NULL;
	for (i = 0; i < NDIGESTS; i++)
		if (digests[i].alg == alg)
			return sk->sk_type == SIGNER_KEY_RSA ?
			    digests[i].rsa_uri : digests[i].ec_uri;
	return NULL;
}

X509 *
signer_cert(const struct signer *sg, const char *key_id)
{
	struct signer_key	*sk;

	if ((sk = signer_find(sg, key_id)) == NULL)
		return NULL;
	return sk->sk_cert;
}

STACK_OF(X509) *
signer_chain(const struct signer *sg, const char *key_id)
{
	struct signer_key	*sk;

	if ((sk = signer_find(sg, key_id)) == NULL)
		return NULL;
	return sk->sk_chain;
}

int
signer_cert_der(const struct signer *sg, const char *key_id,
    unsigned char **der, size_t *len)
{
	struct signer_key	*sk;
	unsigned char		*out = NULL;
	int			 n;

	if (der == NULL || len == NULL ||
	    (sk = signer_find(sg, key_id)) == NULL)
		return -1;
	if ((n = i2d_X509(sk->sk_cert, &out)) <= 0)
		return -1;
	/* i2d allocates with OPENSSL_malloc; hand out malloc(3) memory. */
	if ((*der = malloc((size_t)n)) == NULL) {
		OPENSSL_free(out);
		return -1;
	}
	memcpy(*der, out, (size_t)n);
	OPENSSL_free(out);
	*len = (size_t)n;
	return 0;
}

size_t
signer_digest_len(enum signer_digest alg)
{
	size_t	i;

	for (i = 0; i < NDIGESTS; i++)
		if (digests[i].alg == alg)
			return digests[i].len;
	return 0;
}

const EVP_MD *
signer_digest_md(enum signer_digest alg)
{
	switch (alg) {
	case SIGNER_DIGEST_SHA256:
		return EVP_sha256();
	case SIGNER_DIGEST_SHA384:
		return EVP_sha384();
	case SIGNER_DIGEST_SHA512:
		return EVP_sha512();
	}
	return NULL;
}

const char *
signer_digest_uri(enum signer_digest alg)
{
	size_t	i;

	for (i = 0; i < NDIGESTS; i++)
		if (digests[i].alg == alg)
			return digests[i].uri;
	return NULL;
}

enum signer_digest
signer_digest_from_uri(const char *uri)
{
	size_t	i;

	if (uri == NULL)
		return 0;
	for (i = 0; i < NDIGESTS; i++)
		if (strcmp(digests[i].uri, uri) == 0)
			return digests[i].alg;
	return 0;
}

int
signer_sig_alg_parse(const char *uri, enum signer_key_type *type,
    enum signer_digest *alg)
{
	size_t	i;

	if (uri == NULL)
		return -1;
	for (i = 0; i < NDIGESTS; i++) {
		if (strcmp(digests[i].rsa_uri, uri) == 0) {
			*type = SIGNER_KEY_RSA;
			*alg = digests[i].alg;
			return 0;
		}
		if (strcmp(digests[i].ec_uri, uri) == 0) {
			*type = SIGNER_KEY_EC;
			*alg = digests[i].alg;
			return 0;
		}
	}
	return -1;
}

int
signer_ecdsa_der_to_raw(const unsigned char *der, size_t der_len,
    size_t field_len, unsigned char **raw, size_t *raw_len)
{
	ECDSA_SIG		*es = NULL;
	const BIGNUM		*r, *s;
	const unsigned char	*p = der;
	unsigned char		*out = NULL;

	if (der == NULL || raw == NULL || raw_len == NULL ||
	    field_len == 0 || field_len > 66 || der_len > LONG_MAX)
		return -1;
	if ((es = d2i_ECDSA_SIG(NULL, &p, (long)der_len)) == NULL ||
	    p != der + der_len)
		goto fail;
	ECDSA_SIG_get0(es, &r, &s);
	if ((out = malloc(2 * field_len)) == NULL)
		goto fail;
	if (BN_bn2binpad(r, out, (int)field_len) < 0 ||
	    BN_bn2binpad(s, out + field_len, (int)field_len) < 0)
		goto fail;
	ECDSA_SIG_free(es);
	*raw = out;
	*raw_len = 2 * field_len;
	return 0;

 fail:
	ERR_clear_error();
	ECDSA_SIG_free(es);
	free(out);
	return -1;
}

int
signer_ecdsa_raw_to_der(const unsigned char *raw, size_t raw_len,
    unsigned char **der, size_t *der_len)
{
	ECDSA_SIG	*es = NULL;
	BIGNUM		*r = NULL, *s = NULL;
	unsigned char	*tmp = NULL;
	size_t		 half;
	int		 n;

	if (raw == NULL || der == NULL || der_len == NULL ||
	    raw_len == 0 || raw_len % 2 != 0 || raw_len > 132)
		return -1;
	half = raw_len / 2;
	if ((r = BN_bin2bn(raw, (int)half, NULL)) == NULL ||
	    (s = BN_bin2bn(raw + half, (int)half, NULL)) == NULL ||
	    (es = ECDSA_SIG_new()) == NULL)
		goto fail;
	if (!ECDSA_SIG_set0(es, r, s))
		goto fail;
	r = s = NULL;
	if ((n = i2d_ECDSA_SIG(es, &tmp)) <= 0)
		goto fail;
	if ((*der = malloc((size_t)n)) == NULL)
		goto fail;
	memcpy(*der, tmp, (size_t)n);
	*der_len = (size_t)n;
	OPENSSL_free(tmp);
	ECDSA_SIG_free(es);
	return 0;

 fail:
	ERR_clear_error();
	OPENSSL_free(tmp);
	BN_free(r);
	BN_free(s);
	ECDSA_SIG_free(es);
	return -1;
}

size_t
signer_ecdsa_field_len(EVP_PKEY *pub)
{
	int	bits;

	if (pub == NULL || EVP_PKEY_get_base_id(pub) != EVP_PKEY_EC)
		return 0;
	if ((bits = EVP_PKEY_get_bits(pub)) <= 0)
		return 0;
	return ((size_t)bits + 7) / 8;
}
