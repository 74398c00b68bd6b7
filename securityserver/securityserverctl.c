/*
 * securityserverctl.c: the operator's command line over the security
 * server's configuration database: clients, services, access rights.
 * The running daemon picks changes up within two seconds. Every change is
 * written to the audit table with the operator's user name.
 */
#include "config.h"

#include <err.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "buf.h"
#include "compat.h"
#include "conf.h"
#include "db.h"
#include "log.h"
#include "securityserverd.h"

static void	usage(void) __attribute__((noreturn));

static void
usage(void)
{
	fprintf(stderr,
	    "usage: securityserverctl -c config command ...\n"
	    "  client add CLIENT [--is-auth NOSSL|SSLNOAUTH|SSLAUTH]\n"
	    "  client list\n"
	    "  client cert-add CLIENT CERT.pem   (pinned for SSLAUTH)\n"
	    "  service add SERVICE --url URL [--rest] [--timeout S]"
	    " [--description FILE-OR-URL]\n"
	    "  service enable SERVICE\n"
	    "  service disable SERVICE [--notice TEXT]\n"
	    "  service list\n"
	    "  acl grant SERVICE SUBJECT [--method M] [--path GLOB]\n"
	    "  acl revoke SERVICE SUBJECT [--method M] [--path GLOB]\n"
	    "  acl list\n"
	    "  group add CLIENT CODE [DESCRIPTION]\n"
	    "  group member-add|member-remove CLIENT CODE MEMBER\n"
	    "  group list\n"
	    "CLIENT: PS/GOV/MOI/CIVIL-REGISTER; SERVICE: PS/GOV/MOI/"
	    "CIVIL-REGISTER/getPerson[/v1];\n"
	    "SUBJECT: SUBSYSTEM:PS/GOV/MTIT/SSO, MEMBER:PS/GOV/MTIT, "
	    "GLOBALGROUP:PS/code, LOCALGROUP:code\n");
	exit(2);
}

/* Options after the positional arguments: --name value or --flag. */
struct opts {
	const char	*o_is_auth;
	const char	*o_url;
	const char	*o_description;
	const char	*o_notice;
	const char	*o_method;
	const char	*o_path;
	int		 o_rest;
	long long	 o_timeout;
};

static void
parse_opts(int argc, char **argv, struct opts *o)
{
	const char	*err;
	int		 i;

	memset(o, 0, sizeof(*o));
	o->o_timeout = 60;
	for (i = 0; i < argc; i++) {
		const char *k = argv[i], *v = i + 1 < argc ? argv[i + 1] : NULL;

		if (strcmp(k, "--rest") == 0) {
			o->o_rest = 1;
			continue;
		}
		if (v == NULL)
			usage();
		if (strcmp(k, "--is-auth") == 0)
			o->o_is_auth = v;
		else if (strcmp(k, "--url") == 0)
			o->o_url = v;
		else if (strcmp(k, "--description") == 0)
			o->o_description = v;
		else if (strcmp(k, "--notice") == 0)
			o->o_notice = v;
		else if (strcmp(k, "--method") == 0)
			o->o_method = v;
		else if (strcmp(k, "--path") == 0)
			o->o_path = v;
		else if (strcmp(k, "--timeout") == 0) {
			o->o_timeout = strtonum(v, 1, 3600, &err);
			if (err != NULL)
				errx(1, "--timeout %s: %s", v, err);
		} else
			usage();
		i++;
	}
}

static struct xrid
parse_id(unsigned mask, const char *s, const char *what)
{
	struct xrid	x;
	char		err[XRID_ERR_MAX];

	if (xrid_parse(&x, mask, s, 0, err, sizeof(err)) == -1)
		errx(1, "%s '%s': %s", what, s, err);
	return x;
}

static struct xrid
parse_subject(const char *s)
{
	struct xrid	x;
	char		err[XRID_ERR_MAX];

	if (xrid_parse_doc(&x, s, 0, err, sizeof(err)) == -1)
		errx(1, "subject '%s': %s", s, err);
	if (x.type != XRID_SUBSYSTEM && x.type != XRID_MEMBER &&
	    x.type != XRID_GLOBALGROUP && x.type != XRID_LOCALGROUP)
		errx(1, "subject '%s': must be a member, subsystem or group",
		    s);
	return x;
}

static const char *
actor(void)
{
	struct passwd *pw = getpwuid(getuid());

	return pw != NULL ? pw->pw_name : "unknown";
}

static void
list_rows(struct db *db, const char *sql, int ncols)
{
	sqlite3_stmt	*st;
	int		 i, rc;

	if (db_queryf(db, &st, sql, "") == -1)
		errx(1, "%s", db_last_error(db));
	while ((rc = db_step(db, st)) == DB_ROW) {
		for (i = 0; i < ncols; i++) {
			const unsigned char *t = sqlite3_column_text(st, i);

			printf("%s%s", i ? "\t" : "", t != NULL ?
			    (const char *)t : "");
		}
		printf("\n");
	}
	db_finalize(st);
	if (rc == DB_ERR)
		errx(1, "%s", db_last_error(db));
}

/* Run one change and its audit record in one transaction. */
static int
change(struct db *db, int rc, const char *action, const char *detail)
{
	if (rc == -1 || db_changes(db) == 0) {
		db_rollback(db);
		return -1;
	}
	if (serverconf_audit(db, actor(), action, detail) == -1 ||
	    db_commit(db) == -1) {
		db_rollback(db);
		return -1;
	}
	return 0;
}

static int
cmd_client(struct db *db, int argc, char **argv)
{
	struct opts	o;
	struct xrid	c;

	if (argc >= 1 && strcmp(argv[0], "list") == 0) {
		list_rows(db, "SELECT xid, status, is_auth FROM client "
		    "ORDER BY xid", 3);
		return 0;
	}
	if (argc == 3 && strcmp(argv[0], "cert-add") == 0) {
		struct buf	*pem;
		FILE		*f;
		char		 chunk[4096];
		size_t		 n;

		c = parse_id(XRID_MASK(XRID_SUBSYSTEM), argv[1], "client");
		if ((f = fopen(argv[2], "r")) == NULL)
			err(1, "%s", argv[2]);
		if ((pem = buf_new(1024 * 1024)) == NULL)
			errx(1, "out of memory");
		while ((n = fread(chunk, 1, sizeof(chunk), f)) > 0)
			if (buf_append(pem, chunk, n) != 0)
				errx(1, "%s: too big", argv[2]);
		fclose(f);
		if (db_begin(db) == -1 || change(db,
		    serverconf_is_cert_add(db, &c, buf_str(pem)),
		    "client cert-add", argv[1]) == -1)
			errx(1, "client cert-add %s: not a PEM certificate, or "
			    "no such client", argv[1]);
		buf_free(pem);
		printf("IS certificate registered for %s\n", argv[1]);
		return 0;
	}
	if (argc < 2 || strcmp(argv[0], "add") != 0)
		usage();
	c = parse_id(XRID_MASK(XRID_SUBSYSTEM), argv[1], "client");
	parse_opts(argc - 2, argv + 2, &o);
	if (o.o_is_auth == NULL)
		o.o_is_auth = "NOSSL";
	if (strcmp(o.o_is_auth, "NOSSL") != 0 &&
	    strcmp(o.o_is_auth, "SSLNOAUTH") != 0 &&
	    strcmp(o.o_is_auth, "SSLAUTH") != 0)
		errx(1, "--is-auth: NOSSL, SSLNOAUTH or SSLAUTH");
	if (db_begin(db) == -1 ||
	    change(db, serverconf_client_add(db, &c, o.o_is_auth),
	    "client add", argv[1]) == -1)
		errx(1, "client add %s: %s", argv[1], db_last_error(db));
	printf("client %s added\n", argv[1]);
	return 0;
}

static int
cmd_service(struct db *db, int argc, char **argv)
{
	struct opts	o;
	struct xrid	s;
	char		action[64];
	int		rc;

	if (argc >= 1 && strcmp(argv[0], "list") == 0) {
		list_rows(db, "SELECT c.xid || '/' || s.code, s.version, "
		    "s.kind, s.url, s.timeout, CASE s.disabled WHEN 0 THEN "
		    "'enabled' ELSE 'disabled' END FROM service s JOIN client "
		    "c ON c.id = s.client_id ORDER BY 1", 6);
		return 0;
	}
	if (argc < 2)
		usage();
	s = parse_id(XRID_MASK(XRID_SERVICE), argv[1], "service");
	parse_opts(argc - 2, argv + 2, &o);
	if (db_begin(db) == -1)
		errx(1, "%s", db_last_error(db));
	if (strcmp(argv[0], "add") == 0) {
		if (o.o_url == NULL)
			errx(1, "service add: --url is required");
		if (strncmp(o.o_url, "http://", 7) != 0 &&
		    strncmp(o.o_url, "https://", 8) != 0)
			errx(1, "--url must be http:// or https://");
		rc = serverconf_service_add(db, &s, o.o_rest, o.o_url,
		    (int)o.o_timeout, o.o_description);
	} else if (strcmp(argv[0], "enable") == 0)
		rc = serverconf_service_enable(db, &s, 1, NULL);
	else if (strcmp(argv[0], "disable") == 0)
		rc = serverconf_service_enable(db, &s, 0, o.o_notice);
	else
		usage();
	(void)snprintf(action, sizeof(action), "service %s", argv[0]);
	if (change(db, rc, action, argv[1]) == -1)
		errx(1, "service %s %s: %s", argv[0], argv[1],
		    db_changes(db) == 0 && rc == 0 ?
		    "no such client or service" : db_last_error(db));
	printf("service %s: %s done\n", argv[1], argv[0]);
	return 0;
}

static int
cmd_group(struct db *db, int argc, char **argv)
{
	struct xrid	prov, m;
	char		detail[2 * XRID_STR_MAX + 300];
	int		rc;

	if (argc >= 1 && strcmp(argv[0], "list") == 0) {
		list_rows(db, "SELECT c.xid, g.code, g.description, "
		    "coalesce(m.member, '') FROM local_group g JOIN client c ON "
		    "c.id = g.client_id LEFT JOIN local_group_member m ON "
		    "m.group_id = g.id ORDER BY 1, 2, 4", 4);
		return 0;
	}
	if (argc < 3)
		usage();
	prov = parse_id(XRID_MASK(XRID_SUBSYSTEM), argv[1], "client");
	(void)snprintf(detail, sizeof(detail), "%s %s %s", argv[1], argv[2],
	    argc > 3 ? argv[3] : "");
	if (db_begin(db) == -1)
		errx(1, "%s", db_last_error(db));
	if (strcmp(argv[0], "add") == 0)
		rc = serverconf_group_add(db, &prov, argv[2],
		    argc > 3 ? argv[3] : "");
	else if (strcmp(argv[0], "member-add") == 0 ||
	    strcmp(argv[0], "member-remove") == 0) {
		if (argc < 4)
			usage();
		m = parse_id(XRID_MASK_CLIENT, argv[3], "member");
		rc = serverconf_group_member(db, &prov, argv[2], &m,
		    strcmp(argv[0], "member-add") == 0);
	} else
		usage();
	if (change(db, rc, argv[0], detail) == -1)
		errx(1, "group %s: no such client or group (or nothing to "
		    "change)", argv[0]);
	printf("group %s: %s\n", argv[0], detail);
	return 0;
}

static int
cmd_acl(struct db *db, int argc, char **argv)
{
	struct opts	o;
	struct xrid	s, subj;
	char		detail[2 * XRID_STR_MAX];
	int		rc;

	if (argc >= 1 && strcmp(argv[0], "list") == 0) {
		list_rows(db, "SELECT c.xid || '/' || a.service_code, "
		    "a.subject, a.method, a.path, a.granted_at FROM "
		    "access_right a JOIN client c ON c.id = a.client_id "
		    "ORDER BY 1, 2", 5);
		return 0;
	}
	if (argc < 3)
		usage();
	s = parse_id(XRID_MASK(XRID_SERVICE), argv[1], "service");
	subj = parse_subject(argv[2]);
	parse_opts(argc - 3, argv + 3, &o);
	if (o.o_path != NULL && o.o_path[0] != '/')
		errx(1, "--path must start with /");
	(void)snprintf(detail, sizeof(detail), "%s %s %s %s", argv[1],
	    argv[2], o.o_method != NULL ? o.o_method : "*",
	    o.o_path != NULL ? o.o_path : "**");
	if (db_begin(db) == -1)
		errx(1, "%s", db_last_error(db));
	if (strcmp(argv[0], "grant") == 0)
		rc = serverconf_right_grant(db, &s, &subj, o.o_method,
		    o.o_path);
	else if (strcmp(argv[0], "revoke") == 0)
		rc = serverconf_right_revoke(db, &s, &subj, o.o_method,
		    o.o_path);
	else
		usage();
	if (rc == -1)
		errx(1, "acl %s: %s", argv[0], db_last_error(db));
	if (db_changes(db) == 0) {
		db_rollback(db);
		printf("acl %s: nothing to change (unknown provider client, "
		    "or already so)\n", argv[0]);
		return strcmp(argv[0], "grant") == 0 ? 1 : 0;
	}
	if (change(db, rc, strcmp(argv[0], "grant") == 0 ? "acl grant" :
	    "acl revoke", detail) == -1)
		errx(1, "acl %s: %s", argv[0], db_last_error(db));
	printf("acl %s: %s\n", argv[0], detail);
	return 0;
}

int
main(int argc, char *argv[])
{
	struct conf	*cf = NULL;
	struct db	*db = NULL;
	const char	*config = NULL;
	char		 err[512], path[1200];
	int		 ch, rc;

	log_init("securityserverctl", 1, LOG_LEVEL_WARN);
	while ((ch = getopt(argc, argv, "+c:")) != -1) {
		switch (ch) {
		case 'c':
			config = optarg;
			break;
		default:
			usage();
		}
	}
	argc -= optind;
	argv += optind;
	if (config == NULL || argc < 1)
		usage();
	if (conf_load_file(ssd_options, config, &cf, err, sizeof(err)) == -1)
		errx(1, "%s", err);
	if (snprintf(path, sizeof(path), "%s/serverconf.db",
	    conf_get_str(cf, "server", "state-dir")) >= (int)sizeof(path))
		errx(1, "state-dir too long");
	if (serverconf_open(path, 0, &db) == -1)
		errx(1, "cannot open %s", path);
	if (strcmp(argv[0], "client") == 0)
		rc = cmd_client(db, argc - 1, argv + 1);
	else if (strcmp(argv[0], "service") == 0)
		rc = cmd_service(db, argc - 1, argv + 1);
	else if (strcmp(argv[0], "acl") == 0)
		rc = cmd_acl(db, argc - 1, argv + 1);
	else if (strcmp(argv[0], "group") == 0)
		rc = cmd_group(db, argc - 1, argv + 1);
	else
		usage();
	db_close(db);
	conf_free(cf);
	return rc;
}
