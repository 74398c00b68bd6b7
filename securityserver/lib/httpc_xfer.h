/*
 * httpc_xfer.h: internals shared by httpc.c (blocking calls) and
 * httpc_ev.c (calls on an event loop). Not for other modules: use httpc.h.
 */
#ifndef HK_HTTPC_XFER_H
#define HK_HTTPC_XFER_H

#include <curl/curl.h>
#include <openssl/evp.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>

#include "httpc.h"

/* The TLS settings of a context, owned by it. */
struct httpc_tlsconf {
	char		*t_ca_file;
	char		*t_cert_file;
	char		*t_key_file;
	X509_STORE	*t_store;
	X509		*t_cert;
	EVP_PKEY	*t_key;
	STACK_OF(X509)	*t_chain;
	int		 t_verify_peer;
	int		 t_verify_host;
	httpc_peer_fn	 t_peer_fn;
	void		*t_peer_arg;
	int		(*t_ctx_setup)(SSL_CTX *, void *);
	void		*t_ctx_arg;
};

/* One transfer in progress on an easy handle. */
struct httpc_xfer {
	CURL			*x_easy;
	struct curl_slist	*x_headers;
	struct buf		*x_body;
	size_t			 x_hdr_bytes;
	size_t			 x_max_hdr;
	int			 x_too_big;
	int			 x_nomem;
	char			 x_err[CURL_ERROR_SIZE];
};

/* curl_global_init once per process; 0 or -1. */
int	httpc_init(void);

/* Copy in (up-referencing objects) and validate; -1 logged. */
int	httpc_tls_init(struct httpc_tlsconf *, const struct httpc_tls *);
void	httpc_tls_clear(struct httpc_tlsconf *);

/*
 * Set easy up for req with the TLS settings t, which must outlive the
 * transfer. copy_body: libcurl keeps its own copy of the body. Returns 0
 * or an HTTPC_ERR_*; on error x holds nothing.
 */
int	httpc_xfer_setup(struct httpc_xfer *x, CURL *easy,
	    const struct httpc_tlsconf *t, const struct httpc_req *req,
	    int copy_body);
/* Release what setup allocated (finish does it too). */
void	httpc_xfer_clear(struct httpc_xfer *);
/*
 * The result cc of a finished transfer as a response (*out, caller frees)
 * or an HTTPC_ERR_* with x->x_err saying why. Clears x.
 */
int	httpc_xfer_finish(struct httpc_xfer *x, CURLcode cc,
	    struct httpc_resp **out);

#endif /* HK_HTTPC_XFER_H */
