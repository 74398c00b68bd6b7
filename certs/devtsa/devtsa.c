/*
 * devtsa.c: an RFC 3161 time-stamping authority over HTTP for development
 * and tests. One process, one libevent loop; tsa.c does the time stamps.
 *
 *	POST <any path>	Content-Type: application/timestamp-query
 *			-> 200 application/timestamp-reply
 *	GET /health	-> 200 "ok"
 */
#include "config.h"

#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/types.h>

#include <netinet/in.h>

#include <errno.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include <event2/buffer.h>
#include <event2/event.h>
#include <event2/http.h>
#include <event2/keyvalq_struct.h>

#include <openssl/ts.h>

#include "compat.h"
#include "log.h"
#include "tsa.h"

#define DEVTSA_NAME		"devtsa"
#define DEVTSA_ADDR		"127.0.0.1"
#define DEVTSA_PORT		8091
#define DEVTSA_MAX_HEADERS	8192	/* bytes of request line + headers */
#define DEVTSA_TIMEOUT		10	/* seconds, per connection read/write */
#define DEVTSA_QUERY_TYPE	"application/timestamp-query"
#define DEVTSA_REPLY_TYPE	"application/timestamp-reply"

struct devtsa {
	struct event_base	*dt_base;
	struct tsa		*dt_tsa;
	unsigned long long	 dt_granted;
	unsigned long long	 dt_rejected;
};

static void __attribute__((noreturn))
usage(void)
{
	fprintf(stderr, "usage: %s [-dn] [-b block] [-C chain] "
	    "[-l address] [-P policy] [-p port]\n"
	    "\t-k key -c cert -s serial-file\n", DEVTSA_NAME);
	exit(1);
}

/* value names media type want, with any parameters after it. */
static int
media_type_is(const char *value, const char *want)
{
	size_t	 n, wlen = strlen(want);

	if (value == NULL)
		return 0;
	value += strspn(value, " \t");
	n = strcspn(value, "; \t");
	if (n != wlen || strncasecmp(value, want, n) != 0)
		return 0;
	value += n;
	value += strspn(value, " \t");
	return *value == '\0' || *value == ';';
}

static void
reply_text(struct evhttp_request *req, int code, const char *reason,
    const char *text)
{
	struct evkeyvalq	*hdrs = evhttp_request_get_output_headers(req);
	struct evbuffer		*out = evhttp_request_get_output_buffer(req);

	evhttp_add_header(hdrs, "Content-Type", "text/plain; charset=utf-8");
	evhttp_add_header(hdrs, "Cache-Control", "no-store");
	evbuffer_add(out, text, strlen(text));
	evhttp_send_reply(req, code, reason, NULL);
}

static void
reply_method(struct evhttp_request *req, const char *allow)
{
	evhttp_add_header(evhttp_request_get_output_headers(req), "Allow",
	    allow);
	reply_text(req, 405, "Method Not Allowed", "method not allowed\n");
}

static const char *
peer_name(struct evhttp_request *req, char *buf, size_t len)
{
	struct evhttp_connection	*evcon;
	char				*addr = NULL;
	ev_uint16_t			 port = 0;

	if ((evcon = evhttp_request_get_connection(req)) != NULL)
		evhttp_connection_get_peer(evcon, &addr, &port);
	if (addr == NULL)
		return "?";
	if (snprintf(buf, len, "%s:%u", addr, (unsigned int)port) < 0)
		return "?";
	return buf;
}

static void
devtsa_timestamp(struct devtsa *dt, struct evhttp_request *req)
{
	struct tsa_result	 res;
	struct evbuffer		*in, *out;
	struct evkeyvalq	*hdrs;
	unsigned char		*body = NULL, *resp = NULL;
	size_t			 len, resplen;
	char			 peer[128];

	hdrs = evhttp_request_get_input_headers(req);
	if (!media_type_is(evhttp_find_header(hdrs, "Content-Type"),
	    DEVTSA_QUERY_TYPE)) {
		reply_text(req, 415, "Unsupported Media Type",
		    "Content-Type must be " DEVTSA_QUERY_TYPE "\n");
		return;
	}
	in = evhttp_request_get_input_buffer(req);
	len = evbuffer_get_length(in);
	/* evhttp enforces the body limit too; this covers chunked edges. */
	if (len > TSA_MAX_REQUEST) {
		reply_text(req, 413, "Payload Too Large",
		    "time-stamp query too large\n");
		return;
	}
	if (len > 0 && (body = evbuffer_pullup(in, (ev_ssize_t)len)) == NULL) {
		reply_text(req, 500, "Internal Server Error", "out of memory\n");
		return;
	}
	if (tsa_respond(dt->dt_tsa, body, len, &resp, &resplen, &res) == -1) {
		log_warnx("%s: no response could be made",
		    peer_name(req, peer, sizeof(peer)));
		reply_text(req, 500, "Internal Server Error",
		    "time-stamp response failed\n");
		return;
	}
	if (res.tr_status == TS_STATUS_GRANTED ||
	    res.tr_status == TS_STATUS_GRANTED_WITH_MODS) {
		dt->dt_granted++;
		log_info("%s: granted, serial %llu",
		    peer_name(req, peer, sizeof(peer)),
		    (unsigned long long)res.tr_serial);
	} else {
		dt->dt_rejected++;
		log_info("%s: rejected (%s): %s",
		    peer_name(req, peer, sizeof(peer)),
		    tsa_failinfo_name(res.tr_failinfo), res.tr_text);
	}

	hdrs = evhttp_request_get_output_headers(req);
	out = evhttp_request_get_output_buffer(req);
	evhttp_add_header(hdrs, "Content-Type", DEVTSA_REPLY_TYPE);
	evhttp_add_header(hdrs, "Cache-Control", "no-store");
	if (evbuffer_add(out, resp, resplen) == -1) {
		free(resp);
		evbuffer_drain(out, evbuffer_get_length(out));
		reply_text(req, 500, "Internal Server Error", "out of memory\n");
		return;
	}
	free(resp);
	evhttp_send_reply(req, HTTP_OK, "OK", NULL);
}

static void
devtsa_request(struct evhttp_request *req, void *arg)
{
	struct devtsa		*dt = arg;
	const struct evhttp_uri	*uri = evhttp_request_get_evhttp_uri(req);
	const char		*path = NULL;
	enum evhttp_cmd_type	 cmd = evhttp_request_get_command(req);

	if (uri != NULL)
		path = evhttp_uri_get_path(uri);
	if (path != NULL && strcmp(path, "/health") == 0) {
		if (cmd != EVHTTP_REQ_GET && cmd != EVHTTP_REQ_HEAD)
			reply_method(req, "GET, HEAD");
		else
			reply_text(req, HTTP_OK, "OK", "ok\n");
		return;
	}
	if (cmd != EVHTTP_REQ_POST) {
		reply_method(req, "POST");
		return;
	}
	devtsa_timestamp(dt, req);
}

static void
devtsa_signal(evutil_socket_t sig, short events, void *arg)
{
	struct devtsa	*dt = arg;

	switch (sig) {
	case SIGHUP:
		log_info("SIGHUP: nothing to reload");
		break;
	default:
		log_info("signal %d: stopping (%llu granted, %llu rejected)",
		    (int)sig, dt->dt_granted, dt->dt_rejected);
		event_base_loopbreak(dt->dt_base);
		break;
	}
}

/* The port a bound socket got (port 0 asks the kernel for one). */
static int
bound_port(struct evhttp_bound_socket *bound, unsigned int *portp)
{
	struct sockaddr_storage	 ss;
	socklen_t		 sl = sizeof(ss);
	evutil_socket_t		 fd = evhttp_bound_socket_get_fd(bound);

	if (getsockname(fd, (struct sockaddr *)&ss, &sl) == -1)
		return -1;
	if (ss.ss_family == AF_INET)
		*portp = ntohs(((struct sockaddr_in *)&ss)->sin_port);
	else if (ss.ss_family == AF_INET6)
		*portp = ntohs(((struct sockaddr_in6 *)&ss)->sin6_port);
	else
		return -1;
	return 0;
}

static void
check_key_mode(const char *path)
{
	struct stat	 st;

	if (stat(path, &st) == 0 && (st.st_mode & 077) != 0)
		log_warnx("key %s is readable by group or others (mode %03o)",
		    path, (unsigned int)(st.st_mode & 0777));
}

int
main(int argc, char *argv[])
{
	struct devtsa			 dt;
	struct evhttp			*http = NULL;
	struct evhttp_bound_socket	*bound;
	struct event			*ev_int = NULL, *ev_term = NULL;
	struct event			*ev_hup = NULL;
	struct tsa_serial		*serial = NULL;
	EVP_PKEY			*key = NULL;
	X509				*cert = NULL;
	STACK_OF(X509)			*chain = NULL;
	const char			*key_file = NULL, *cert_file = NULL;
	const char			*chain_file = NULL, *serial_file = NULL;
	const char			*addr = DEVTSA_ADDR, *policy = NULL;
	const char			*errstr;
	unsigned int			 port = DEVTSA_PORT, block = TSA_SERIAL_BLOCK;
	unsigned int			 real_port;
	int				 ch, debug = 0, check_only = 0;

	memset(&dt, 0, sizeof(dt));
	while ((ch = getopt(argc, argv, "b:C:c:dk:l:nP:p:s:")) != -1) {
		switch (ch) {
		case 'b':
			block = (unsigned int)strtonum(optarg, 1,
			    TSA_SERIAL_BLOCK_MAX, &errstr);
			if (errstr != NULL) {
				fprintf(stderr, "%s: serial block %s is %s\n",
				    DEVTSA_NAME, optarg, errstr);
				exit(1);
			}
			break;
		case 'C':
			chain_file = optarg;
			break;
		case 'c':
			cert_file = optarg;
			break;
		case 'd':
			debug = 1;
			break;
		case 'k':
			key_file = optarg;
			break;
		case 'l':
			addr = optarg;
			break;
		case 'n':
			check_only = 1;
			break;
		case 'P':
			policy = optarg;
			break;
		case 'p':
			port = (unsigned int)strtonum(optarg, 0, 65535, &errstr);
			if (errstr != NULL) {
				fprintf(stderr, "%s: port %s is %s\n",
				    DEVTSA_NAME, optarg, errstr);
				exit(1);
			}
			break;
		case 's':
			serial_file = optarg;
			break;
		default:
			usage();
		}
	}
	argc -= optind;
	if (argc != 0)
		usage();
	if (key_file == NULL || cert_file == NULL || serial_file == NULL) {
		fprintf(stderr, "%s: -k, -c and -s are required\n",
		    DEVTSA_NAME);
		usage();
	}

	log_init(DEVTSA_NAME, 1, debug ? LOG_LEVEL_DEBUG : LOG_LEVEL_INFO);

	check_key_mode(key_file);
	if (tsa_load_key(key_file, &key) == -1 ||
	    tsa_load_cert(cert_file, &cert) == -1 ||
	    (chain_file != NULL && tsa_load_chain(chain_file, &chain) == -1))
		fatalx("cannot load the TSA's key and certificates");

	if (check_only) {
		if (tsa_serial_check(serial_file) == -1 ||
		    (dt.dt_tsa = tsa_new(key, cert, chain, policy,
		    NULL)) == NULL)
			fatalx("configuration is not valid");
		tsa_free(dt.dt_tsa);
		EVP_PKEY_free(key);
		X509_free(cert);
		sk_X509_pop_free(chain, X509_free);
		printf("configuration OK\n");
		return 0;
	}

	if ((serial = tsa_serial_open(serial_file, block)) == NULL)
		fatalx("cannot open the serial file");
	if ((dt.dt_tsa = tsa_new(key, cert, chain, policy, serial)) == NULL)
		fatalx("cannot set up the TSA");
	/* The context holds its own references. */
	EVP_PKEY_free(key);
	key = NULL;
	X509_free(cert);
	cert = NULL;
	sk_X509_pop_free(chain, X509_free);
	chain = NULL;

	if (signal(SIGPIPE, SIG_IGN) == SIG_ERR)
		fatal("signal");
	if ((dt.dt_base = event_base_new()) == NULL)
		fatalx("event_base_new failed");
	if ((http = evhttp_new(dt.dt_base)) == NULL)
		fatalx("evhttp_new failed");
	evhttp_set_max_headers_size(http, DEVTSA_MAX_HEADERS);
	evhttp_set_max_body_size(http, TSA_MAX_REQUEST);
	evhttp_set_timeout(http, DEVTSA_TIMEOUT);
	/* Known methods reach the handler, which answers 405, not 501. */
	evhttp_set_allowed_methods(http, EVHTTP_REQ_GET | EVHTTP_REQ_POST |
	    EVHTTP_REQ_HEAD | EVHTTP_REQ_PUT | EVHTTP_REQ_DELETE |
	    EVHTTP_REQ_OPTIONS | EVHTTP_REQ_PATCH);
	evhttp_set_gencb(http, devtsa_request, &dt);
	if ((bound = evhttp_bind_socket_with_handle(http, addr,
	    (ev_uint16_t)port)) == NULL)
		fatalx("cannot listen on %s port %u", addr, port);
	if (bound_port(bound, &real_port) == -1)
		fatal("getsockname");
	log_info("listening on %s port %u (policy %s)", addr, real_port,
	    policy != NULL ? policy : TSA_DEFAULT_POLICY);
	if (port == 0) {
		/* For scripts that asked for any free port. */
		printf("%u\n", real_port);
		fflush(stdout);
	}

	if (!debug) {
		if (daemon(0, 0) == -1)
			fatal("daemon");
		log_init(DEVTSA_NAME, 0, LOG_LEVEL_INFO);
		if (event_reinit(dt.dt_base) == -1)
			fatalx("event_reinit failed");
	}

	if ((ev_int = evsignal_new(dt.dt_base, SIGINT, devtsa_signal,
	    &dt)) == NULL ||
	    (ev_term = evsignal_new(dt.dt_base, SIGTERM, devtsa_signal,
	    &dt)) == NULL ||
	    (ev_hup = evsignal_new(dt.dt_base, SIGHUP, devtsa_signal,
	    &dt)) == NULL ||
	    event_add(ev_int, NULL) == -1 || event_add(ev_term, NULL) == -1 ||
	    event_add(ev_hup, NULL) == -1)
		fatalx("cannot set up signal handling");

	if (event_base_dispatch(dt.dt_base) == -1)
		log_warnx("event loop failed");

	event_free(ev_int);
	event_free(ev_term);
	event_free(ev_hup);
	evhttp_free(http);
	event_base_free(dt.dt_base);
	tsa_free(dt.dt_tsa);
	tsa_serial_close(serial);
	log_info("stopped");
	return 0;
}
