/*
 * centralserver.c: the central server of one X-Road instance. The
 * command line edits the member registry (every change audited); "serve"
 * publishes the signed global configuration over HTTP, regenerating it
 * when the registry changes and re-signing it every generation-interval.
 */
#include "config.h"

#include <err.h>
#include <errno.h>
#include <fcntl.h>
#include <pwd.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <event2/event.h>
#include <event2/http.h>

#include "compat.h"
#include "conf.h"
#include "db.h"
#include "globalconf.h"
#include "http.h"
#include "log.h"
#include "signer.h"
#include "central.h"

/* Everything the configuration file gives. */
struct central_cfg {
	struct conf		*cc_conf;
	struct central_params	 cc_params;
	char			 cc_public_url[1024];
	char			 cc_download_url[1100];
	char			 cc_source_addr[512];
	char			 cc_mgmt_addr[1100];
	char			 cc_db_path[1100];
	struct signer		*cc_signer;
};

/* The running daemon. */
struct central_daemon {
	struct central_cfg	*cd_cfg;
	struct event_base	*cd_base;
	struct db		*cd_db;
	struct publisher	*cd_pub;
	struct http_server	*cd_http;
	struct event		*cd_tick;
	int64_t			 cd_data_version;
	time_t			 cd_next;
	int			 cd_force;
	char			 cd_last_error[512];
};

static void
usage(void)
{
	fprintf(stderr,
	    "usage: centralserver [-dn] -c config command ...\n"
	    "  init\n"
	    "  member-class add CODE DESCRIPTION\n"
	    "  member add CLASS CODE NAME\n"
	    "  subsystem add CLASS/CODE SUBSYSTEM | INSTANCE/CLASS/CODE/SUB\n"
	    "  server add CLASS/CODE SERVERCODE | INSTANCE/CLASS/CODE/SERVER\n"
	    "      [--address HOST[:PORT]] [--auth-cert PEM]\n"
	    "  server client-add|client-remove SERVER-ID CLIENT-ID\n"
	    "  ca add NAME TOP-CA.pem [--intermediate PEM]... "
	    "[--ocsp-url URL [--ocsp-cert PEM]]...\n"
	    "      [--profile CLASS] [--auth-only]\n"
	    "  tsa add NAME URL CERT.pem\n"
	    "  group add CODE DESCRIPTION\n"
	    "  group member-add|member-remove CODE CLIENT-ID\n"
	    "  set ocsp-freshness|timestamping-interval SECONDS\n"
	    "  anchor FILE\n"
	    "  list | audit\n"
	    "  serve\n"
	    "SERVER-ID: PS/GOV/MTIT/ss-mtit; CLIENT-ID: PS/GOV/MTIT or "
	    "PS/GOV/MTIT/SSO\n");
	exit(2);
}

static const char *
actor(void)
{
	struct passwd *pw = getpwuid(getuid());

	return pw != NULL ? pw->pw_name : "unknown";
}

/* public-url -> download URL, source address, management address. */
static int
cfg_urls(struct central_cfg *cc, char *err, size_t errlen)
{
	struct conf		*cf = cc->cc_conf;
	struct evhttp_uri	*u = NULL;
	const char		*pub, *scheme, *host, *mgmt;
	size_t			 n;
	int			 port, rc = -1;

	if ((pub = conf_get_str(cf, "server", "public-url")) != NULL) {
		if (strlcpy(cc->cc_public_url, pub,
		    sizeof(cc->cc_public_url)) >= sizeof(cc->cc_public_url))
			goto bad;
	} else if (snprintf(cc->cc_public_url, sizeof(cc->cc_public_url),
	    "http://%s:%lld", conf_get_str(cf, "server", "address"),
	    conf_get_int(cf, "server", "port")) >=
	    (int)sizeof(cc->cc_public_url))
		goto bad;
	n = strlen(cc->cc_public_url);
	while (n > 0 && cc->cc_public_url[n - 1] == '/')
		cc->cc_public_url[--n] = '\0';
	if ((u = evhttp_uri_parse(cc->cc_public_url)) == NULL ||
	    (scheme = evhttp_uri_get_scheme(u)) == NULL ||
	    (strcmp(scheme, "http") != 0 && strcmp(scheme, "https") != 0) ||
	    (host = evhttp_uri_get_host(u)) == NULL || host[0] == '\0' ||
	    evhttp_uri_get_query(u) != NULL ||
	    evhttp_uri_get_fragment(u) != NULL)
		goto bad;
	port = evhttp_uri_get_port(u);
	if ((port > 0 ? snprintf(cc->cc_source_addr,
	    sizeof(cc->cc_source_addr), "%s:%d", host, port) :
	    snprintf(cc->cc_source_addr, sizeof(cc->cc_source_addr), "%s",
	    host)) >= (int)sizeof(cc->cc_source_addr))
		goto bad;
	if (snprintf(cc->cc_download_url, sizeof(cc->cc_download_url), "%s%s",
	    cc->cc_public_url, "/internalconf") >=
	    (int)sizeof(cc->cc_download_url))
		goto bad;
	mgmt = conf_get_str(cf, "management", "address");
	if ((mgmt != NULL ? strlcpy(cc->cc_mgmt_addr, mgmt,
	    sizeof(cc->cc_mgmt_addr)) : (size_t)snprintf(cc->cc_mgmt_addr,
	    sizeof(cc->cc_mgmt_addr), "%s/managementservice/",
	    cc->cc_public_url)) >= sizeof(cc->cc_mgmt_addr))
		goto bad;
	rc = 0;
	goto done;
 bad:
	(void)snprintf(err, errlen, "%s: public-url '%s': not an http(s) "
	    "base URL", conf_name(cf), cc->cc_public_url);
 done:
	if (u != NULL)
		evhttp_uri_free(u);
	return rc;
}

static int
cfg_load(struct central_cfg *cc, const char *path, int with_key)
{
	struct central_params	*p = &cc->cc_params;
	struct conf		*cf;
	struct xrid		 prov;
	char			 err[1024];
	const char		*prv;

	memset(cc, 0, sizeof(*cc));
	if (conf_load_file(central_options, path, &cc->cc_conf, err,
	    sizeof(err)) == -1) {
		log_warnx("%s", err);
		return -1;
	}
	cf = cc->cc_conf;
	p->cp_instance = conf_get_str(cf, "server", "instance");
	if (xrid_check_part(p->cp_instance, 0, err, sizeof(err)) == -1) {
		log_warnx("%s:%d: instance: %s", path,
		    conf_line(cf, "server", "instance"), err);
		return -1;
	}
	if (conf_get_duration(cf, "server", "generation-interval") >=
	    conf_get_duration(cf, "server", "expire-interval")) {
		log_warnx("%s: generation-interval must be shorter than "
		    "expire-interval", path);
		return -1;
	}
	if ((prv = conf_get_str(cf, "management", "provider")) != NULL &&
	    (xrid_parse_client(&prov, prv, 0, err, sizeof(err)) == -1 ||
	    strcmp(prov.instance, p->cp_instance) != 0)) {
		log_warnx("%s:%d: provider '%s': %s", path,
		    conf_line(cf, "management", "provider"), prv,
		    prov.instance[0] != '\0' ? "not of this instance" : err);
		return -1;
	}
	if (cfg_urls(cc, err, sizeof(err)) == -1) {
		log_warnx("%s", err);
		return -1;
	}
	if (snprintf(cc->cc_db_path, sizeof(cc->cc_db_path), "%s/%s",
	    conf_get_str(cf, "server", "state-dir"), CENTRAL_REGISTRY_FILE) >=
	    (int)sizeof(cc->cc_db_path)) {
		log_warnx("%s: state-dir too long", path);
		return -1;
	}
	p->cp_download_url = cc->cc_download_url;
	p->cp_source_address = cc->cc_source_addr;
	p->cp_schema_dir = conf_get_str(cf, "server", "schema-dir");
	p->cp_expire_interval = conf_get_duration(cf, "server",
	    "expire-interval");
	p->cp_ocsp_freshness = conf_get_duration(cf, "server",
	    "ocsp-freshness");
	p->cp_ts_interval = conf_get_duration(cf, "server",
	    "timestamping-interval");
	p->cp_mgmt_provider = prv;
	p->cp_mgmt_address = cc->cc_mgmt_addr;
	if (!with_key)
		return 0;
	if ((cc->cc_signer = signer_new()) == NULL ||
	    signer_add_key_files(cc->cc_signer, CENTRAL_SIGN_KEY_ID,
	    conf_get_str(cf, "server", "conf-sign-key"),
	    conf_get_str(cf, "server", "conf-sign-cert"), NULL) == -1) {
		log_warnx("%s: cannot load the configuration signing key "
		    "and certificate", path);
		return -1;
	}
	return 0;
}

static void
cfg_free(struct central_cfg *cc)
{
	signer_free(cc->cc_signer);
	conf_free(cc->cc_conf);
	memset(cc, 0, sizeof(*cc));
}

static struct db *
open_registry(struct central_cfg *cc)
{
	struct db	*db;
	char		 err[1400];

	if (registry_open(cc->cc_db_path, cc->cc_params.cp_instance, 0, &db,
	    err, sizeof(err)) == -1)
		errx(1, "%s", err);
	return db;
}

/* Write a file atomically (temp file, fsync, rename), mode 0644. */
static int
write_file(const char *path, const void *data, size_t len)
{
	char	tmp[1200];
	ssize_t	w;
	size_t	off = 0;
	int	fd;

	if (snprintf(tmp, sizeof(tmp), "%s.tmp", path) >= (int)sizeof(tmp))
		return -1;
	if ((fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC, 0644)) == -1)
		return -1;
	while (off < len) {
		if ((w = write(fd, (const char *)data + off, len - off)) <= 0) {
			if (w == -1 && errno == EINTR)
				continue;
			goto fail;
		}
		off += (size_t)w;
	}
	if (fsync(fd) == -1)
		goto fail;
	if (close(fd) == -1) {
		fd = -1;
		goto fail;
	}
	if (rename(tmp, path) == -1) {
		unlink(tmp);
		return -1;
	}
	return 0;
 fail:
	if (fd != -1)
		close(fd);
	unlink(tmp);
	return -1;
}

/* CLIENT-ID, SERVER-ID: X-Road slash forms of this instance. */
static struct xrid
parse_id(struct central_cfg *cc, unsigned mask, const char *s,
    const char *what, int any_instance)
{
	struct xrid	x;
	char		err[XRID_ERR_MAX];

	if (xrid_parse(&x, mask, s, 0, err, sizeof(err)) == -1)
		errx(1, "%s '%s': %s", what, s, err);
	if (!any_instance && strcmp(x.instance, cc->cc_params.cp_instance) != 0)
		errx(1, "%s '%s': not of instance %s", what, s,
		    cc->cc_params.cp_instance);
	return x;
}

/*
 * "CLASS/CODE NAME" (two arguments) or "INSTANCE/CLASS/CODE/NAME" (one):
 * splits into cls, code, name; returns how many arguments it used.
 */
static int
parse_member_and_name(struct central_cfg *cc, int argc, char **argv,
    unsigned mask, const char *what, char *cls, char *code, char *name)
{
	struct xrid	x;
	char		buf[2 * (XRID_PART_MAX + 1)], *slash;

	if (argc >= 2 && argv[1][0] != '-' && strchr(argv[0], '/') != NULL &&
	    strchr(strchr(argv[0], '/') + 1, '/') == NULL) {
		if (strlcpy(buf, argv[0], sizeof(buf)) >= sizeof(buf))
			errx(1, "%s '%s': too long", what, argv[0]);
		slash = strchr(buf, '/');
		*slash = '\0';
		if (strlcpy(cls, buf, XRID_PART_MAX + 1) > XRID_PART_MAX ||
		    strlcpy(code, slash + 1, XRID_PART_MAX + 1) >
		    XRID_PART_MAX ||
		    strlcpy(name, argv[1], XRID_PART_MAX + 1) > XRID_PART_MAX)
			errx(1, "%s: identifier part too long", what);
		return 2;
	}
	if (argc < 1)
		usage();
	x = parse_id(cc, mask, argv[0], what, 0);
	(void)strlcpy(cls, x.member_class, XRID_PART_MAX + 1);
	(void)strlcpy(code, x.member_code, XRID_PART_MAX + 1);
	(void)strlcpy(name, x.type == XRID_SERVER ? x.server_code :
	    x.subsystem_code, XRID_PART_MAX + 1);
	return 1;
}

static void
read_cert(const char *path, unsigned char **der, size_t *len)
{
	char	err[1200];

	if (registry_read_cert(path, der, len, err, sizeof(err)) == -1)
		errx(1, "%s", err);
}

static void
done_or_die(int rc, const char *err)
{
	if (rc == -1)
		errx(1, "%s", err);
}

static int
cmd_member_class(struct central_cfg *cc, struct db *db, int argc,
    char **argv)
{
	char	err[1200];

	(void)cc;
	if (argc != 3 || strcmp(argv[0], "add") != 0)
		usage();
	done_or_die(registry_class_add(db, actor(), argv[1], argv[2], err,
	    sizeof(err)), err);
	printf("member class %s added\n", argv[1]);
	return 0;
}

static int
cmd_member(struct central_cfg *cc, struct db *db, int argc, char **argv)
{
	char	err[1200];

	(void)cc;
	if (argc != 4 || strcmp(argv[0], "add") != 0)
		usage();
	done_or_die(registry_member_add(db, actor(), argv[1], argv[2],
	    argv[3], err, sizeof(err)), err);
	printf("member %s/%s added\n", argv[1], argv[2]);
	return 0;
}

static int
cmd_subsystem(struct central_cfg *cc, struct db *db, int argc, char **argv)
{
	char	cls[XRID_PART_MAX + 1], code[XRID_PART_MAX + 1];
	char	sub[XRID_PART_MAX + 1], err[1200];
	int	used;

	if (argc < 2 || strcmp(argv[0], "add") != 0)
		usage();
	used = parse_member_and_name(cc, argc - 1, argv + 1,
	    XRID_MASK(XRID_SUBSYSTEM), "subsystem", cls, code, sub);
	if (used != argc - 1)
		usage();
	done_or_die(registry_subsystem_add(db, actor(), cls, code, sub, err,
	    sizeof(err)), err);
	printf("subsystem %s/%s/%s added\n", cls, code, sub);
	return 0;
}

static int
cmd_server(struct central_cfg *cc, struct db *db, int argc, char **argv)
{
	char		 cls[XRID_PART_MAX + 1], code[XRID_PART_MAX + 1];
	char		 srv[XRID_PART_MAX + 1], err[1200];
	const char	*address = NULL, *certpath = NULL;
	unsigned char	*der = NULL;
	size_t		 len = 0;
	struct xrid	 s, c;
	int		 i, used, rc;

	if (argc == 3 && (strcmp(argv[0], "client-add") == 0 ||
	    strcmp(argv[0], "client-remove") == 0)) {
		int add = strcmp(argv[0], "client-add") == 0;

		s = parse_id(cc, XRID_MASK(XRID_SERVER), argv[1], "server", 0);
		c = parse_id(cc, XRID_MASK_CLIENT, argv[2], "client", 0);
		done_or_die(registry_server_client(db, actor(), add, &s, &c,
		    err, sizeof(err)), err);
		printf("%s %s %s\n", argv[2], add ? "is now a client of" :
		    "is no longer a client of", argv[1]);
		return 0;
	}
	if (argc < 2 || strcmp(argv[0], "add") != 0)
		usage();
	used = parse_member_and_name(cc, argc - 1, argv + 1,
	    XRID_MASK(XRID_SERVER), "server", cls, code, srv);
	for (i = 1 + used; i < argc; i += 2) {
		if (i + 1 >= argc)
			usage();
		if (strcmp(argv[i], "--address") == 0)
			address = argv[i + 1];
		else if (strcmp(argv[i], "--auth-cert") == 0)
			certpath = argv[i + 1];
		else
			usage();
	}
	if (certpath != NULL)
		read_cert(certpath, &der, &len);
	rc = registry_server_add(db, actor(), cls, code, srv, address, der,
	    len, err, sizeof(err));
	free(der);
	done_or_die(rc, err);
	printf("security server %s/%s/%s/%s added\n",
	    cc->cc_params.cp_instance, cls, code, srv);
	return 0;
}

#define CA_MAX_LEVELS	16
#define CA_MAX_OCSP	16

static int
cmd_ca(struct central_cfg *cc, struct db *db, int argc, char **argv)
{
	struct registry_ca_level lv[CA_MAX_LEVELS];
	struct registry_ocsp	 oc[CA_MAX_LEVELS][CA_MAX_OCSP];
	unsigned char		*ders[CA_MAX_LEVELS * (CA_MAX_OCSP + 1)];
	const char		*profile = NULL;
	char			 err[1200];
	size_t			 nlv = 1, nders = 0, i, len;
	int			 auth_only = 0, rc;

	(void)cc;
	if (argc < 3 || strcmp(argv[0], "add") != 0)
		usage();
	memset(lv, 0, sizeof(lv));
	memset(oc, 0, sizeof(oc));
	read_cert(argv[2], &ders[nders], &len);
	lv[0].rl_der = ders[nders++];
	lv[0].rl_len = len;
	lv[0].rl_ocsp = oc[0];
	/* --ocsp-url belongs to the CA certificate named last before it. */
	for (i = 3; i < (size_t)argc; i++) {
		const char *k = argv[i];
		struct registry_ca_level *cur = &lv[nlv - 1];

		if (strcmp(k, "--auth-only") == 0) {
			auth_only = 1;
			continue;
		}
		if (i + 1 >= (size_t)argc)
			usage();
		if (strcmp(k, "--intermediate") == 0) {
			if (nlv == CA_MAX_LEVELS)
				errx(1, "too many intermediate CAs");
			read_cert(argv[++i], &ders[nders], &len);
			lv[nlv].rl_der = ders[nders++];
			lv[nlv].rl_len = len;
			lv[nlv].rl_ocsp = oc[nlv];
			nlv++;
		} else if (strcmp(k, "--ocsp-url") == 0) {
			if (cur->rl_nocsp == CA_MAX_OCSP)
				errx(1, "too many OCSP responders");
			oc[nlv - 1][cur->rl_nocsp++].ro_url = argv[++i];
		} else if (strcmp(k, "--ocsp-cert") == 0) {
			struct registry_ocsp *o;

			if (cur->rl_nocsp == 0)
				errx(1, "--ocsp-cert must follow --ocsp-url");
			o = &oc[nlv - 1][cur->rl_nocsp - 1];
			if (o->ro_der != NULL)
				errx(1, "one --ocsp-cert per --ocsp-url");
			read_cert(argv[++i], &ders[nders], &len);
			o->ro_der = ders[nders++];
			o->ro_len = len;
		} else if (strcmp(k, "--profile") == 0)
			profile = argv[++i];
		else
			usage();
	}
	rc = registry_ca_add(db, actor(), argv[1], lv, nlv, profile,
	    auth_only, err, sizeof(err));
	for (i = 0; i < nders; i++)
		free(ders[i]);
	done_or_die(rc, err);
	printf("approved CA %s added (%zu certificate%s)\n", argv[1], nlv,
	    nlv == 1 ? "" : "s");
	return 0;
}

static int
cmd_tsa(struct central_cfg *cc, struct db *db, int argc, char **argv)
{
	unsigned char	*der;
	size_t		 len;
	char		 err[1200];
	int		 rc;

	(void)cc;
	if (argc != 4 || strcmp(argv[0], "add") != 0)
		usage();
	read_cert(argv[3], &der, &len);
	rc = registry_tsa_add(db, actor(), argv[1], argv[2], der, len, err,
	    sizeof(err));
	free(der);
	done_or_die(rc, err);
	printf("approved TSA %s added\n", argv[1]);
	return 0;
}

static int
cmd_group(struct central_cfg *cc, struct db *db, int argc, char **argv)
{
	struct xrid	c;
	char		err[1200];
	int		add;

	if (argc != 3)
		usage();
	if (strcmp(argv[0], "add") == 0) {
		done_or_die(registry_group_add(db, actor(), argv[1], argv[2],
		    err, sizeof(err)), err);
		printf("global group %s added\n", argv[1]);
		return 0;
	}
	if (strcmp(argv[0], "member-add") != 0 &&
	    strcmp(argv[0], "member-remove") != 0)
		usage();
	add = strcmp(argv[0], "member-add") == 0;
	c = parse_id(cc, XRID_MASK_CLIENT, argv[2], "client", 1);
	done_or_die(registry_group_member(db, actor(), add, argv[1], &c, err,
	    sizeof(err)), err);
	printf("%s %s group %s\n", argv[2], add ? "added to" : "removed from",
	    argv[1]);
	return 0;
}

static int
cmd_set(struct central_cfg *cc, struct db *db, int argc, char **argv)
{
	const char	*errstr;
	char		 err[1200];
	long long	 v;

	(void)cc;
	if (argc != 2)
		usage();
	v = strtonum(argv[1], 1, 31LL * 86400, &errstr);
	if (errstr != NULL)
		errx(1, "%s %s: %s (1 .. %lld seconds)", argv[0], argv[1],
		    errstr, 31LL * 86400);
	done_or_die(registry_set(db, actor(), argv[0], v, err, sizeof(err)),
	    err);
	printf("%s set to %lld\n", argv[0], v);
	return 0;
}

static int
cmd_init(struct central_cfg *cc)
{
	struct db	*db;
	const char	*dir = conf_get_str(cc->cc_conf, "server", "state-dir");
	char		 why[1400];

	if (mkdir(dir, 0750) == -1 && errno != EEXIST)
		err(1, "mkdir %s", dir);
	if (registry_open(cc->cc_db_path, cc->cc_params.cp_instance, 1, &db,
	    why, sizeof(why)) == -1)
		errx(1, "%s", why);
	db_close(db);
	printf("registry of instance %s initialised in %s\n",
	    cc->cc_params.cp_instance, cc->cc_db_path);
	return 0;
}

static int
cmd_anchor(struct central_cfg *cc, const char *path)
{
	unsigned char	*xml;
	size_t		 len;
	char		 why[512];

	if (publish_anchor(&cc->cc_params, cc->cc_signer, time(NULL), &xml,
	    &len, why, sizeof(why)) == -1)
		errx(1, "anchor: %s", why);
	if (write_file(path, xml, len) == -1) {
		free(xml);
		err(1, "cannot write %s", path);
	}
	free(xml);
	printf("anchor of instance %s (%s) written to %s\n",
	    cc->cc_params.cp_instance, cc->cc_download_url, path);
	return 0;
}

/* The daemon. */

static void
cd_generate(struct central_daemon *cd, const char *why)
{
	struct timespec	now;
	char		err[512];
	int64_t		ver = 0;

	/* Read the version first: a change after it triggers once more. */
	if (db_query_int64(cd->cd_db, &ver, "PRAGMA data_version", "") ==
	    DB_ROW)
		cd->cd_data_version = ver;
	(void)clock_gettime(CLOCK_REALTIME, &now);
	cd->cd_next = now.tv_sec + conf_get_duration(cd->cd_cfg->cc_conf,
	    "server", "generation-interval");
	if (publisher_generate(cd->cd_pub, cd->cd_db, &now, err,
	    sizeof(err)) == -1) {
		/* The same failure is reported once, not every interval. */
		if (strcmp(err, cd->cd_last_error) != 0)
			log_warnx("global configuration not generated: %s",
			    err);
		(void)strlcpy(cd->cd_last_error, err,
		    sizeof(cd->cd_last_error));
		return;
	}
	if (cd->cd_last_error[0] != '\0' || strcmp(why, "timer") != 0)
		log_info("global configuration generation %lu (%s)",
		    publisher_generation(cd->cd_pub), why);
	else
		log_debug("global configuration generation %lu (%s)",
		    publisher_generation(cd->cd_pub), why);
	cd->cd_last_error[0] = '\0';
}

static void
on_tick(evutil_socket_t fd, short ev, void *arg)
{
	struct central_daemon	*cd = arg;
	int64_t			 ver;

	(void)fd;
	(void)ev;
	if (cd->cd_force) {
		cd->cd_force = 0;
		cd_generate(cd, "SIGHUP");
	} else if (db_query_int64(cd->cd_db, &ver, "PRAGMA data_version",
	    "") == DB_ROW && ver != cd->cd_data_version)
		cd_generate(cd, "registry changed");
	else if (time(NULL) >= cd->cd_next)
		cd_generate(cd, "timer");
}

static void
on_signal(evutil_socket_t sig, short ev, void *arg)
{
	struct central_daemon	*cd = arg;

	(void)ev;
	if (sig == SIGHUP) {
		cd->cd_force = 1;
		return;
	}
	log_info("signal %d: stopping", (int)sig);
	event_base_loopexit(cd->cd_base, NULL);
}

static int
cmd_serve(struct central_cfg *cc)
{
	struct central_daemon	 cd;
	struct http_server_conf	 hc;
	struct event		*sigev[3] = { NULL, NULL, NULL };
	const int		 sigs[3] = { SIGTERM, SIGINT, SIGHUP };
	struct timeval		 one = { 1, 0 };
	int			 i, rc = 1;

	memset(&cd, 0, sizeof(cd));
	cd.cd_cfg = cc;
	cd.cd_db = open_registry(cc);
	signal(SIGPIPE, SIG_IGN);
	if ((cd.cd_base = event_base_new()) == NULL ||
	    (cd.cd_pub = publisher_new(&cc->cc_params, cc->cc_signer)) == NULL)
		goto done;
	memset(&hc, 0, sizeof(hc));
	hc.hs_addr = conf_get_str(cc->cc_conf, "server", "address");
	hc.hs_port = (uint16_t)conf_get_int(cc->cc_conf, "server", "port");
	hc.hs_max_header = 16 * 1024;
	hc.hs_max_body = 1024;
	hc.hs_timeout_ms = 30 * 1000;
	if ((cd.cd_http = http_server_new(cd.cd_base, &hc)) == NULL ||
	    publisher_routes(cd.cd_pub, cd.cd_http) == -1)
		goto done;
	cd_generate(&cd, "start");
	if ((cd.cd_tick = event_new(cd.cd_base, -1, EV_PERSIST, on_tick,
	    &cd)) == NULL || event_add(cd.cd_tick, &one) == -1)
		goto done;
	for (i = 0; i < 3; i++)
		if ((sigev[i] = evsignal_new(cd.cd_base, sigs[i], on_signal,
		    &cd)) == NULL || event_add(sigev[i], NULL) == -1)
			goto done;
	log_info("central server of instance %s ready on %s:%u, "
	    "configuration at %s?version=%d", cc->cc_params.cp_instance,
	    hc.hs_addr, http_server_port(cd.cd_http), cc->cc_download_url,
	    GCONF_VERSION);
	event_base_dispatch(cd.cd_base);
	log_info("stopped");
	rc = 0;
 done:
	if (rc != 0)
		log_warnx("start-up failed");
	for (i = 0; i < 3; i++)
		if (sigev[i] != NULL)
			event_free(sigev[i]);
	if (cd.cd_tick != NULL)
		event_free(cd.cd_tick);
	http_server_free(cd.cd_http);
	publisher_free(cd.cd_pub);
	db_close(cd.cd_db);
	if (cd.cd_base != NULL)
		event_base_free(cd.cd_base);
	return rc;
}

int
main(int argc, char *argv[])
{
	struct central_cfg	 cc;
	struct db		*db;
	const char		*config = NULL, *cmd;
	int			 ch, check = 0, debug = 0, rc = 1, with_key;

	log_init("centralserver", 1, LOG_LEVEL_INFO);
	while ((ch = getopt(argc, argv, "+c:dn")) != -1) {
		switch (ch) {
		case 'c':
			config = optarg;
			break;
		case 'd':
			debug = 1;
			break;
		case 'n':
			check = 1;
			break;
		default:
			usage();
		}
	}
	argc -= optind;
	argv += optind;
	if (config == NULL || (!check && argc < 1) || (check && argc > 0))
		usage();
	cmd = check ? "-n" : argv[0];
	with_key = check || strcmp(cmd, "serve") == 0 ||
	    strcmp(cmd, "anchor") == 0;
	if (cfg_load(&cc, config, with_key) == -1) {
		cfg_free(&cc);
		return 1;
	}
	log_setlevel(debug ? LOG_LEVEL_DEBUG :
	    (enum log_level)conf_get_enum(cc.cc_conf, "server", "log-level"));
	if (check) {
		printf("configuration OK\n");
		cfg_free(&cc);
		return 0;
	}
	if (strcmp(cmd, "init") == 0) {
		if (argc != 1)
			usage();
		rc = cmd_init(&cc);
	} else if (strcmp(cmd, "anchor") == 0) {
		if (argc != 2)
			usage();
		rc = cmd_anchor(&cc, argv[1]);
	} else if (strcmp(cmd, "serve") == 0) {
		if (argc != 1)
			usage();
		rc = cmd_serve(&cc);
	} else {
		int (*fn)(struct central_cfg *, struct db *, int, char **) =
		    NULL;

		if (strcmp(cmd, "list") == 0 || strcmp(cmd, "audit") == 0) {
			if (argc != 1)
				usage();
		} else if (strcmp(cmd, "member-class") == 0)
			fn = cmd_member_class;
		else if (strcmp(cmd, "member") == 0)
			fn = cmd_member;
		else if (strcmp(cmd, "subsystem") == 0)
			fn = cmd_subsystem;
		else if (strcmp(cmd, "server") == 0)
			fn = cmd_server;
		else if (strcmp(cmd, "ca") == 0)
			fn = cmd_ca;
		else if (strcmp(cmd, "tsa") == 0)
			fn = cmd_tsa;
		else if (strcmp(cmd, "group") == 0)
			fn = cmd_group;
		else if (strcmp(cmd, "set") == 0)
			fn = cmd_set;
		else
			usage();
		if (fn != NULL && argc < 2)
			usage();
		db = open_registry(&cc);
		if (fn != NULL)
			rc = fn(&cc, db, argc - 1, argv + 1);
		else if (registry_print(db, strcmp(cmd, "audit") == 0,
		    stdout) == -1)
			errx(1, "registry: %s", db_last_error(db));
		else
			rc = 0;
		db_close(db);
	}
	cfg_free(&cc);
	return rc;
}
