/*
 * Unit tests for tlsctx.c: mutual TLS handshakes over a socketpair
 * between security server contexts (trust, peer hook, refusals, X-Road's
 * TLS 1.2 ciphers, session resumption), and the IS-side contexts.
 */
#include "config.h"

#include <sys/socket.h>

#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <openssl/err.h>
#include <openssl/pem.h>
#include <openssl/ssl.h>

#include "certcheck.h"
#include "hk_check.h"
#include "tlsctx.h"
#include "testpki.h"

static struct testpki_pair	 root, inter, srv, cli, rsa_srv, rsa_cli;
static struct testpki_pair	 unknown_root, unknown_cli, sign, is_cert;
static struct testpki_pair	 is_other;

static void
pki_setup(void)
{
	struct testpki_opts	 o;

	root = testpki_new(TESTPKI_ROOT, "/C=PS/O=Test/CN=Root", NULL);
	inter = testpki_new(TESTPKI_CA, "/C=PS/O=Test/CN=Issuing", &root);
	srv = testpki_new(TESTPKI_AUTH, "/C=PS/O=GOV/OU=MOI/CN=ss-moi",
	    &inter);
	cli = testpki_new(TESTPKI_AUTH, "/C=PS/O=GOV/OU=MTIT/CN=ss-mtit",
	    &inter);
	memset(&o, 0, sizeof(o));
	o.rsa = 1;
	o.subject = "/C=PS/O=GOV/OU=MOF/CN=ss-mof";
	rsa_srv = testpki_new_opts(TESTPKI_AUTH, &o, &inter);
	o.subject = "/C=PS/O=GOV/OU=MTIT/CN=ss-agencies";
	rsa_cli = testpki_new_opts(TESTPKI_AUTH, &o, &inter);
	unknown_root = testpki_new(TESTPKI_ROOT, "/C=PS/O=Evil/CN=Root",
	    NULL);
	unknown_cli = testpki_new(TESTPKI_AUTH, "/C=PS/O=GOV/CN=ss-evil",
	    &unknown_root);
	sign = testpki_new(TESTPKI_SIGN, "/C=PS/O=GOV/CN=MTIT", &inter);
	/* Information system certs are self-signed. */
	is_cert = testpki_new(TESTPKI_ROOT, "/CN=portal.mtit.example", NULL);
	is_other = testpki_new(TESTPKI_ROOT, "/CN=other.example", NULL);
}

static void
pki_teardown(void)
{
	testpki_clear(&root);
	testpki_clear(&inter);
	testpki_clear(&srv);
	testpki_clear(&cli);
	testpki_clear(&rsa_srv);
	testpki_clear(&rsa_cli);
	testpki_clear(&unknown_root);
	testpki_clear(&unknown_cli);
	testpki_clear(&sign);
	testpki_clear(&is_cert);
	testpki_clear(&is_other);
}

struct hook_state {
	int	 hs_calls;
	int	 hs_refuse;
	int	 hs_chain_len;
	char	 hs_subject[256];
};

static int
peer_hook(SSL *ssl, X509 *peer, STACK_OF(X509) *chain, void *arg)
{
	struct hook_state	*hs = arg;

	ck_assert_ptr_nonnull(ssl);
	hs->hs_calls++;
	hs->hs_chain_len = sk_X509_num(chain);
	X509_NAME_oneline(X509_get_subject_name(peer), hs->hs_subject,
	    sizeof(hs->hs_subject));
	return hs->hs_refuse ? -1 : 0;
}

static struct certcheck_trust *
trust_new(void)
{
	struct certcheck_trust	*t = certcheck_trust_new();

	ck_assert_int_eq(certcheck_trust_add(t, root.cert), 0);
	ck_assert_int_eq(certcheck_trust_add_intermediate(t, inter.cert), 0);
	return t;
}

static SSL_CTX *
ss_ctx(int server, const struct testpki_pair *me,
    const struct certcheck_trust *t, struct hook_state *hs)
{
	struct tlsctx_params	 p;
	SSL_CTX			*ctx;
	char			 err[256];

	tlsctx_params_init(&p);
	p.tp_cert = me->cert;
	p.tp_key = me->key;
	p.tp_trust = t;
	p.tp_peer_check = hs != NULL ? peer_hook : NULL;
	p.tp_peer_arg = hs;
	ctx = server ? tlsctx_ss_server_new(&p, err, sizeof(err)) :
	    tlsctx_ss_client_new(&p, err, sizeof(err));
	if (ctx == NULL)
		ck_abort_msg("context: %s", err);
	return ctx;
}

struct conn {
	SSL	*c_srv;
	SSL	*c_cli;
	int	 c_fd[2];
	int	 c_srv_ok;	/* 1 done, -1 failed */
	int	 c_cli_ok;
	int	 c_data_ok;	/* ping-pong after the handshake */
};

static int
step(SSL *s, int *state)
{
	int	 r, e;

	if (*state != 0)
		return 0;
	r = SSL_do_handshake(s);
	if (r == 1) {
		*state = 1;
		return 1;
	}
	e = SSL_get_error(s, r);
	if (e != SSL_ERROR_WANT_READ && e != SSL_ERROR_WANT_WRITE) {
		*state = -1;
		return 1;
	}
	return 0;
}

/* Read n bytes from s, pumping the other side; 0 on success. */
static int
pump_read(SSL *s, SSL *other, char *buf, int n)
{
	int	 i, r, e, got = 0;
	char	 junk[64];

	for (i = 0; i < 200 && got < n; i++) {
		r = SSL_read(s, buf + got, n - got);
		if (r > 0) {
			got += r;
			continue;
		}
		e = SSL_get_error(s, r);
		if (e != SSL_ERROR_WANT_READ && e != SSL_ERROR_WANT_WRITE)
			return -1;
		/* Let the other side process tickets and alerts. */
		r = SSL_read(other, junk, sizeof(junk));
		if (r <= 0) {
			e = SSL_get_error(other, r);
			if (e != SSL_ERROR_WANT_READ &&
			    e != SSL_ERROR_WANT_WRITE)
				return -1;
		}
	}
	return got == n ? 0 : -1;
}

/*
 * Handshake server ctx with client ctx; then client sends "ping" and
 * the server answers "pong" (a TLS 1.3 client learns of a refused
 * client cert only when it reads). peer_key: session cache name.
 */
static void
connect_pair(struct conn *c, SSL_CTX *sctx, SSL_CTX *cctx,
    const char *peer_key)
{
	char	 buf[8];
	int	 i;

	memset(c, 0, sizeof(*c));
	ck_assert_int_eq(socketpair(AF_UNIX, SOCK_STREAM, 0, c->c_fd), 0);
	fcntl(c->c_fd[0], F_SETFL, O_NONBLOCK);
	fcntl(c->c_fd[1], F_SETFL, O_NONBLOCK);
	c->c_srv = SSL_new(sctx);
	c->c_cli = SSL_new(cctx);
	ck_assert_ptr_nonnull(c->c_srv);
	ck_assert_ptr_nonnull(c->c_cli);
	SSL_set_fd(c->c_srv, c->c_fd[0]);
	SSL_set_fd(c->c_cli, c->c_fd[1]);
	SSL_set_accept_state(c->c_srv);
	SSL_set_connect_state(c->c_cli);
	if (peer_key != NULL)
		ck_assert_int_eq(tlsctx_client_session_attach(c->c_cli,
		    peer_key), 0);
	for (i = 0; i < 200; i++) {
		step(c->c_cli, &c->c_cli_ok);
		step(c->c_srv, &c->c_srv_ok);
		if (c->c_cli_ok != 0 && c->c_srv_ok != 0)
			break;
	}
	if (c->c_cli_ok == 1 && c->c_srv_ok == 1) {
		if (SSL_write(c->c_cli, "ping", 4) == 4 &&
		    pump_read(c->c_srv, c->c_cli, buf, 4) == 0 &&
		    memcmp(buf, "ping", 4) == 0 &&
		    SSL_write(c->c_srv, "pong", 4) == 4 &&
		    pump_read(c->c_cli, c->c_srv, buf, 4) == 0 &&
		    memcmp(buf, "pong", 4) == 0)
			c->c_data_ok = 1;
	} else if (c->c_cli_ok == 1) {
		/* TLS 1.3: the refusal shows on the client's next read. */
		if (SSL_write(c->c_cli, "ping", 4) == 4 &&
		    pump_read(c->c_cli, c->c_srv, buf, 4) == -1)
			c->c_cli_ok = -1;
	}
	ERR_clear_error();
}

static void
conn_close(struct conn *c)
{
	if (c->c_srv_ok == 1)
		SSL_shutdown(c->c_srv);
	if (c->c_cli_ok == 1)
		SSL_shutdown(c->c_cli);
	SSL_free(c->c_srv);
	SSL_free(c->c_cli);
	close(c->c_fd[0]);
	close(c->c_fd[1]);
}

START_TEST(test_mutual_tls)
{
	struct certcheck_trust	*t = trust_new();
	struct hook_state	 hs_srv, hs_cli;
	SSL_CTX			*sctx, *cctx;
	struct conn		 c;
	X509			*peer;

	memset(&hs_srv, 0, sizeof(hs_srv));
	memset(&hs_cli, 0, sizeof(hs_cli));
	sctx = ss_ctx(1, &srv, t, &hs_srv);
	cctx = ss_ctx(0, &cli, t, &hs_cli);
	connect_pair(&c, sctx, cctx, NULL);
	ck_assert_int_eq(c.c_srv_ok, 1);
	ck_assert_int_eq(c.c_cli_ok, 1);
	ck_assert_int_eq(c.c_data_ok, 1);
	ck_assert_str_eq(SSL_get_version(c.c_srv), "TLSv1.3");
	/* Each side's hook saw the other's verified chain. */
	ck_assert_int_eq(hs_srv.hs_calls, 1);
	ck_assert_int_eq(hs_cli.hs_calls, 1);
	ck_assert_int_eq(hs_srv.hs_chain_len, 3);
	ck_assert_ptr_nonnull(strstr(hs_srv.hs_subject, "ss-mtit"));
	ck_assert_ptr_nonnull(strstr(hs_cli.hs_subject, "ss-moi"));
	peer = SSL_get0_peer_certificate(c.c_srv);
	ck_assert_ptr_nonnull(peer);
	ck_assert_int_eq(X509_cmp(peer, cli.cert), 0);
	ck_assert_int_eq(SSL_get_verify_result(c.c_srv), X509_V_OK);
	conn_close(&c);
	SSL_CTX_free(sctx);
	SSL_CTX_free(cctx);
	certcheck_trust_free(t);
}
END_TEST

START_TEST(test_refusals)
{
	struct certcheck_trust	*t = trust_new();
	struct hook_state	 hs;
	SSL_CTX			*sctx, *cctx;
	struct conn		 c;

	memset(&hs, 0, sizeof(hs));
	sctx = ss_ctx(1, &srv, t, &hs);

	/* A client without a certificate. */
	cctx = SSL_CTX_new(TLS_client_method());
	SSL_CTX_set_verify(cctx, SSL_VERIFY_NONE, NULL);
	connect_pair(&c, sctx, cctx, NULL);
	ck_assert_int_eq(c.c_srv_ok, -1);
	ck_assert_int_eq(c.c_cli_ok, -1);
	ck_assert_int_eq(hs.hs_calls, 0);
	conn_close(&c);
	SSL_CTX_free(cctx);

	/* Same over TLS 1.2 (the client fails in the handshake). */
	cctx = SSL_CTX_new(TLS_client_method());
	SSL_CTX_set_max_proto_version(cctx, TLS1_2_VERSION);
	SSL_CTX_set_verify(cctx, SSL_VERIFY_NONE, NULL);
	connect_pair(&c, sctx, cctx, NULL);
	ck_assert_int_eq(c.c_srv_ok, -1);
	ck_assert_int_eq(c.c_cli_ok, -1);
	conn_close(&c);
	SSL_CTX_free(cctx);

	/* A client cert from a CA that is not approved. */
	cctx = ss_ctx(0, &unknown_cli, t, NULL);
	connect_pair(&c, sctx, cctx, NULL);
	ck_assert_int_eq(c.c_srv_ok, -1);
	ck_assert_int_eq(c.c_cli_ok, -1);
	ck_assert_int_eq(hs.hs_calls, 0);
	ck_assert_int_eq(SSL_get_verify_result(c.c_srv),
	    X509_V_ERR_UNABLE_TO_GET_ISSUER_CERT_LOCALLY);
	conn_close(&c);
	SSL_CTX_free(cctx);

	/* A signing cert (no TLS client purpose). */
	cctx = ss_ctx(0, &sign, t, NULL);
	connect_pair(&c, sctx, cctx, NULL);
	ck_assert_int_eq(c.c_srv_ok, -1);
	ck_assert_int_eq(SSL_get_verify_result(c.c_srv),
	    X509_V_ERR_INVALID_PURPOSE);
	conn_close(&c);
	SSL_CTX_free(cctx);

	/* The daemon's hook says no (e.g. hash not in global conf). */
	cctx = ss_ctx(0, &cli, t, NULL);
	hs.hs_refuse = 1;
	connect_pair(&c, sctx, cctx, NULL);
	ck_assert_int_eq(c.c_srv_ok, -1);
	ck_assert_int_eq(c.c_cli_ok, -1);
	ck_assert_int_eq(hs.hs_calls, 1);
	ck_assert_int_eq(SSL_get_verify_result(c.c_srv),
	    X509_V_ERR_APPLICATION_VERIFICATION);
	conn_close(&c);
	hs.hs_refuse = 0;

	/* TLS 1.1 is refused. */
	SSL_CTX_set_max_proto_version(cctx, TLS1_1_VERSION);
	SSL_CTX_set_min_proto_version(cctx, TLS1_VERSION);
	SSL_CTX_set_security_level(cctx, 0);
	connect_pair(&c, sctx, cctx, NULL);
	ck_assert_int_eq(c.c_srv_ok, -1);
	ck_assert_int_eq(c.c_cli_ok, -1);
	conn_close(&c);
	SSL_CTX_free(cctx);
	SSL_CTX_free(sctx);

	/* The client refuses a server from an unknown CA. */
	sctx = ss_ctx(1, &unknown_cli, NULL, &hs);
	cctx = ss_ctx(0, &cli, t, NULL);
	connect_pair(&c, sctx, cctx, NULL);
	ck_assert_int_eq(c.c_cli_ok, -1);
	ck_assert_int_eq(c.c_srv_ok, -1);
	conn_close(&c);
	SSL_CTX_free(cctx);
	SSL_CTX_free(sctx);
	certcheck_trust_free(t);
}
END_TEST

START_TEST(test_hook_only)
{
	struct hook_state	 hs;
	SSL_CTX			*sctx, *cctx;
	struct conn		 c;
	struct certcheck_trust	*t = trust_new();

	/* No trust set: the hook gets what the peer sent and decides. */
	memset(&hs, 0, sizeof(hs));
	sctx = ss_ctx(1, &srv, NULL, &hs);
	cctx = ss_ctx(0, &unknown_cli, t, NULL);
	SSL_CTX_set_verify(cctx, SSL_VERIFY_NONE, NULL);
	connect_pair(&c, sctx, cctx, NULL);
	ck_assert_int_eq(c.c_srv_ok, 1);
	ck_assert_int_eq(c.c_data_ok, 1);
	ck_assert_int_eq(hs.hs_calls, 1);
	ck_assert_int_eq(hs.hs_chain_len, 1);
	ck_assert_ptr_nonnull(strstr(hs.hs_subject, "ss-evil"));
	conn_close(&c);
	SSL_CTX_free(cctx);
	SSL_CTX_free(sctx);
	certcheck_trust_free(t);
}
END_TEST

static void
tls12_cipher(const struct testpki_pair *s, const struct testpki_pair *cl,
    const char *cipher)
{
	struct certcheck_trust	*t = trust_new();
	SSL_CTX			*sctx, *cctx;
	struct conn		 c;

	sctx = ss_ctx(1, s, t, NULL);
	cctx = ss_ctx(0, cl, t, NULL);
	/* A stock X-Road peer: TLS 1.2 and its one cipher. */
	ck_assert(SSL_CTX_set_max_proto_version(cctx, TLS1_2_VERSION));
	ck_assert(SSL_CTX_set_cipher_list(cctx, cipher));
	connect_pair(&c, sctx, cctx, NULL);
	ck_assert_int_eq(c.c_srv_ok, 1);
	ck_assert_int_eq(c.c_cli_ok, 1);
	ck_assert_int_eq(c.c_data_ok, 1);
	ck_assert_str_eq(SSL_get_version(c.c_srv), "TLSv1.2");
	ck_assert_str_eq(SSL_get_cipher_name(c.c_srv), cipher);
	conn_close(&c);
	SSL_CTX_free(cctx);
	SSL_CTX_free(sctx);
	certcheck_trust_free(t);
}

START_TEST(test_xroad_ciphers)
{
	tls12_cipher(&rsa_srv, &rsa_cli, "ECDHE-RSA-AES256-SHA384");
	tls12_cipher(&rsa_srv, &rsa_cli, "DHE-RSA-AES256-SHA256");
	tls12_cipher(&srv, &cli, "ECDHE-ECDSA-AES256-SHA384");
	/* An EC client with an RSA server, the other way round. */
	tls12_cipher(&rsa_srv, &cli, "ECDHE-RSA-AES256-SHA384");
}
END_TEST

START_TEST(test_tls12_prefers_aead)
{
	struct certcheck_trust	*t = trust_new();
	SSL_CTX			*sctx, *cctx;
	struct conn		 c;

	sctx = ss_ctx(1, &rsa_srv, t, NULL);
	cctx = ss_ctx(0, &cli, t, NULL);
	SSL_CTX_set_max_proto_version(cctx, TLS1_2_VERSION);
	connect_pair(&c, sctx, cctx, NULL);
	ck_assert_int_eq(c.c_data_ok, 1);
	ck_assert_str_eq(SSL_get_cipher_name(c.c_srv),
	    "ECDHE-RSA-AES256-GCM-SHA384");
	conn_close(&c);
	SSL_CTX_free(cctx);
	SSL_CTX_free(sctx);
	certcheck_trust_free(t);
}
END_TEST

static void
resumption(int max_version)
{
	struct certcheck_trust	*t = trust_new();
	struct hook_state	 hs;
	SSL_CTX			*sctx, *cctx;
	struct conn		 c;

	memset(&hs, 0, sizeof(hs));
	sctx = ss_ctx(1, &srv, t, &hs);
	cctx = ss_ctx(0, &cli, t, NULL);
	if (max_version != 0)
		SSL_CTX_set_max_proto_version(cctx, max_version);
	connect_pair(&c, sctx, cctx, "ss-moi:5500");
	ck_assert_int_eq(c.c_data_ok, 1);
	ck_assert(!SSL_session_reused(c.c_cli));
	conn_close(&c);
	ck_assert_int_eq(hs.hs_calls, 1);

	connect_pair(&c, sctx, cctx, "ss-moi:5500");
	ck_assert_int_eq(c.c_data_ok, 1);
	ck_assert(SSL_session_reused(c.c_cli));
	ck_assert(SSL_session_reused(c.c_srv));
	/* No new verification; the peer cert is still known. */
	ck_assert_int_eq(hs.hs_calls, 1);
	ck_assert_ptr_nonnull(SSL_get0_peer_certificate(c.c_srv));
	conn_close(&c);

	/* Another peer name has no session. */
	connect_pair(&c, sctx, cctx, "ss-mof:5500");
	ck_assert_int_eq(c.c_data_ok, 1);
	ck_assert(!SSL_session_reused(c.c_cli));
	conn_close(&c);
	ck_assert_int_eq(hs.hs_calls, 2);
	SSL_CTX_free(cctx);
	SSL_CTX_free(sctx);
	certcheck_trust_free(t);
}

START_TEST(test_resumption)
{
	resumption(0);
	resumption(TLS1_2_VERSION);
}
END_TEST

START_TEST(test_pem_files_and_errors)
{
	struct certcheck_trust	*t = trust_new();
	struct tlsctx_params	 p;
	SSL_CTX			*sctx, *cctx;
	struct conn		 c;
	char			 certf[] = "/tmp/hk-test-tls-cert-XXXXXX";
	char			 keyf[] = "/tmp/hk-test-tls-key-XXXXXX";
	char			 err[256];
	X509			*x;
	STACK_OF(X509)		*ch;
	EVP_PKEY		*k;
	FILE			*fp;

	close(mkstemp(certf));
	close(mkstemp(keyf));
	/* Leaf then chain in one file, key in another. */
	fp = fopen(certf, "w");
	PEM_write_X509(fp, srv.cert);
	PEM_write_X509(fp, inter.cert);
	fclose(fp);
	ck_assert_int_eq(testpki_write_pem(keyf, NULL, srv.key), 0);
	ck_assert_int_eq(tlsctx_load_pem(certf, keyf, &x, &ch, &k, err,
	    sizeof(err)), 0);
	ck_assert_int_eq(X509_cmp(x, srv.cert), 0);
	ck_assert_int_eq(sk_X509_num(ch), 1);
	X509_free(x);
	sk_X509_pop_free(ch, X509_free);
	EVP_PKEY_free(k);

	tlsctx_params_init(&p);
	p.tp_cert_file = certf;
	p.tp_key_file = keyf;
	p.tp_trust = t;
	sctx = tlsctx_ss_server_new(&p, err, sizeof(err));
	ck_assert_msg(sctx != NULL, "%s", err);
	cctx = ss_ctx(0, &cli, t, NULL);
	connect_pair(&c, sctx, cctx, NULL);
	ck_assert_int_eq(c.c_data_ok, 1);
	conn_close(&c);
	SSL_CTX_free(cctx);
	SSL_CTX_free(sctx);

	/* The key of another cert. */
	ck_assert_int_eq(testpki_write_pem(keyf, NULL, cli.key), 0);
	ck_assert_ptr_null(tlsctx_ss_server_new(&p, err, sizeof(err)));
	ck_assert_ptr_nonnull(strstr(err, "does not match"));
	tlsctx_params_init(&p);
	p.tp_cert = srv.cert;
	p.tp_key = cli.key;
	p.tp_trust = t;
	ck_assert_ptr_null(tlsctx_ss_client_new(&p, err, sizeof(err)));
	/* Missing files, no cert, no way to check the peer, bad ciphers. */
	p.tp_cert = NULL;
	p.tp_cert_file = "/nonexistent/cert.pem";
	p.tp_key_file = keyf;
	ck_assert_ptr_null(tlsctx_ss_server_new(&p, err, sizeof(err)));
	ck_assert_ptr_nonnull(strstr(err, "cannot open"));
	p.tp_cert_file = NULL;
	ck_assert_ptr_null(tlsctx_ss_server_new(&p, err, sizeof(err)));
	ck_assert_ptr_nonnull(strstr(err, "no certificate"));
	p.tp_cert = srv.cert;
	p.tp_key = srv.key;
	p.tp_trust = NULL;
	ck_assert_ptr_null(tlsctx_ss_server_new(&p, err, sizeof(err)));
	ck_assert_ptr_nonnull(strstr(err, "no way to check"));
	p.tp_trust = t;
	p.tp_ciphers = "NO-SUCH-CIPHER";
	ck_assert_ptr_null(tlsctx_ss_server_new(&p, err, sizeof(err)));
	unlink(certf);
	unlink(keyf);
	certcheck_trust_free(t);
}
END_TEST

START_TEST(test_is_server)
{
	struct tlsctx_params	 p;
	SSL_CTX			*sctx, *cctx;
	STACK_OF(X509)		*pins;
	struct conn		 c;
	char			 err[256];

	tlsctx_params_init(&p);
	p.tp_cert = srv.cert;
	p.tp_key = srv.key;
	sctx = tlsctx_is_server_new(&p, err, sizeof(err));
	ck_assert_msg(sctx != NULL, "%s", err);
	pins = testpki_stack(is_cert.cert, NULL);

	/* Plain HTTP. */
	ck_assert_int_eq(tlsctx_is_client_allowed(NULL, TLSCTX_IS_NOSSL,
	    NULL, err, sizeof(err)), 0);
	ck_assert_int_eq(tlsctx_is_client_allowed(NULL, TLSCTX_IS_SSLNOAUTH,
	    NULL, err, sizeof(err)), -1);
	ck_assert_int_eq(tlsctx_is_client_allowed(NULL, TLSCTX_IS_SSLAUTH,
	    pins, err, sizeof(err)), -1);

	/* HTTPS without a client cert: accepted, but not for SSLAUTH. */
	cctx = tlsctx_is_client_new(NULL, NULL, err, sizeof(err));
	ck_assert_ptr_nonnull(cctx);
	connect_pair(&c, sctx, cctx, NULL);
	ck_assert_int_eq(c.c_data_ok, 1);
	ck_assert_int_eq(tlsctx_is_client_allowed(c.c_srv, TLSCTX_IS_NOSSL,
	    NULL, err, sizeof(err)), 0);
	ck_assert_int_eq(tlsctx_is_client_allowed(c.c_srv,
	    TLSCTX_IS_SSLNOAUTH, NULL, err, sizeof(err)), 0);
	ck_assert_int_eq(tlsctx_is_client_allowed(c.c_srv, TLSCTX_IS_SSLAUTH,
	    pins, err, sizeof(err)), -1);
	ck_assert_ptr_nonnull(strstr(err, "did not supply"));
	conn_close(&c);
	SSL_CTX_free(cctx);

	/* A self-signed IS cert: accepted in TLS, pinned per client. */
	p.tp_cert = is_cert.cert;
	p.tp_key = is_cert.key;
	cctx = tlsctx_is_client_new(&p, NULL, err, sizeof(err));
	ck_assert_msg(cctx != NULL, "%s", err);
	connect_pair(&c, sctx, cctx, NULL);
	ck_assert_int_eq(c.c_data_ok, 1);
	ck_assert_int_eq(tlsctx_is_client_allowed(c.c_srv, TLSCTX_IS_SSLAUTH,
	    pins, err, sizeof(err)), 0);
	ck_assert_int_eq(tlsctx_is_client_allowed(c.c_srv, TLSCTX_IS_SSLAUTH,
	    NULL, err, sizeof(err)), -1);
	conn_close(&c);
	SSL_CTX_free(cctx);

	/* Another IS cert: not registered for this client. */
	p.tp_cert = is_other.cert;
	p.tp_key = is_other.key;
	cctx = tlsctx_is_client_new(&p, NULL, err, sizeof(err));
	connect_pair(&c, sctx, cctx, NULL);
	ck_assert_int_eq(c.c_data_ok, 1);
	ck_assert_int_eq(tlsctx_is_client_allowed(c.c_srv, TLSCTX_IS_SSLAUTH,
	    pins, err, sizeof(err)), -1);
	ck_assert_ptr_nonnull(strstr(err, "does not match"));
	conn_close(&c);
	SSL_CTX_free(cctx);
	sk_X509_pop_free(pins, X509_free);
	SSL_CTX_free(sctx);
}
END_TEST

START_TEST(test_is_client_pinning)
{
	struct tlsctx_params	 p;
	SSL_CTX			*sctx, *cctx;
	STACK_OF(X509)		*pins;
	struct conn		 c;
	char			 err[256];

	/* The provider IS serves a self-signed cert. */
	tlsctx_params_init(&p);
	p.tp_cert = is_cert.cert;
	p.tp_key = is_cert.key;
	sctx = tlsctx_is_server_new(&p, err, sizeof(err));
	ck_assert_ptr_nonnull(sctx);

	pins = testpki_stack(is_cert.cert, NULL);
	cctx = tlsctx_is_client_new(NULL, pins, err, sizeof(err));
	ck_assert_ptr_nonnull(cctx);
	connect_pair(&c, sctx, cctx, "is:443");
	ck_assert_int_eq(c.c_data_ok, 1);
	conn_close(&c);
	SSL_CTX_free(cctx);
	sk_X509_pop_free(pins, X509_free);

	/* Pinned to another cert: refused. */
	pins = testpki_stack(is_other.cert, NULL);
	cctx = tlsctx_is_client_new(NULL, pins, err, sizeof(err));
	sk_X509_pop_free(pins, X509_free);	/* the context holds refs */
	connect_pair(&c, sctx, cctx, NULL);
	ck_assert_int_eq(c.c_cli_ok, -1);
	ck_assert_int_eq(SSL_get_verify_result(c.c_cli),
	    X509_V_ERR_APPLICATION_VERIFICATION);
	conn_close(&c);
	SSL_CTX_free(cctx);

	/* "Verify TLS certificate" off: anything goes. */
	cctx = tlsctx_is_client_new(NULL, NULL, err, sizeof(err));
	connect_pair(&c, sctx, cctx, NULL);
	ck_assert_int_eq(c.c_data_ok, 1);
	conn_close(&c);
	SSL_CTX_free(cctx);
	SSL_CTX_free(sctx);
}
END_TEST

static Suite *
tlsctx_suite(void)
{
	Suite	*s = suite_create("tlsctx");
	TCase	*tc = tcase_create("core");

	tcase_add_unchecked_fixture(tc, pki_setup, pki_teardown);
	tcase_add_test(tc, test_mutual_tls);
	tcase_add_test(tc, test_refusals);
	tcase_add_test(tc, test_hook_only);
	tcase_add_test(tc, test_xroad_ciphers);
	tcase_add_test(tc, test_tls12_prefers_aead);
	tcase_add_test(tc, test_resumption);
	tcase_add_test(tc, test_pem_files_and_errors);
	tcase_add_test(tc, test_is_server);
	tcase_add_test(tc, test_is_client_pinning);
	suite_add_tcase(s, tc);
	return s;
}

HK_CHECK_MAIN(tlsctx_suite)
