/*
 * sso_ctl.c: hukumati-ssoctl, the administrator's CLI over the SSO's
 * database (see hukumati-ssoctl(8)).
 *
 *	hukumati-ssoctl [-c file] user add --username NAME --role ROLE
 *	    --first-name F --family-name F --mobile M [--office O]
 *	    [--agency A] [--national-id ID] [--email E]
 *	    (the password is read from standard input, one line)
 *	hukumati-ssoctl [-c file] user import FILE.json
 *	hukumati-ssoctl [-c file] user list
 *	hukumati-ssoctl [-c file] audit [--limit N]
 *
 * "user import" reads the demo accounts file (conf/demo/demo-users.json):
 * {"users": [{"role", "username" | "national_id", "password", "phone",
 * "first_name", "family_name", "date_of_birth", "office", "agency",
 * "status": "active" | "pending"}]}; accounts that exist are left as
 * they are, so it may run at every start.
 */
#include "config.h"

#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <jansson.h>
#include <openssl/crypto.h>

#include "compat.h"
#include "conf.h"
#include "db.h"
#include "log.h"
#include "sso.h"

#define CTL_PROG	"hukumati-ssoctl"
#define CTL_CONF	HK_SYSCONFDIR "/sso.ini"

static void __attribute__((noreturn))
usage(void)
{
	fprintf(stderr,
	    "usage: %s [-c file] user add --username NAME --role ROLE "
	    "--first-name F\n"
	    "           --family-name F --mobile M [--office O] "
	    "[--agency A] [--national-id ID]\n"
	    "           [--email E]   (password on standard input)\n"
	    "       %s [-c file] user import FILE.json\n"
	    "       %s [-c file] user list\n"
	    "       %s [-c file] audit [--limit N]\n",
	    CTL_PROG, CTL_PROG, CTL_PROG, CTL_PROG);
	exit(2);
}

static int
valid_role(const char *r)
{
	return strcmp(r, SSO_ROLE_INTERIOR) == 0 ||
	    strcmp(r, SSO_ROLE_POST) == 0 || strcmp(r, SSO_ROLE_FINANCE) == 0 ||
	    strcmp(r, SSO_ROLE_CASE) == 0 || strcmp(r, SSO_ROLE_ADMIN) == 0 ||
	    strcmp(r, SSO_ROLE_CITIZEN) == 0;
}

static int
valid_username(const char *u)
{
	size_t	 i;

	for (i = 0; u[i] != '\0'; i++)
		if (!((u[i] >= 'a' && u[i] <= 'z') ||
		    (u[i] >= '0' && u[i] <= '9') || u[i] == '.' ||
		    u[i] == '-' || u[i] == '_'))
			return 0;
	return i >= 3 && i < SSO_LOGIN_SIZE && !(u[0] >= '0' && u[0] <= '9');
}

/*
 * Check and create one account. Returns 0 created, 1 existed, -1 with a
 * message printed.
 */
static int
add_account(struct sso *s, struct sso_newacct *n)
{
	char		 mobile[SSO_PHONE_SIZE], nid[SSO_NID_SIZE];
	const char	*why;
	int64_t		 id;
	int		 r;

	if (n->n_role == NULL || !valid_role(n->n_role)) {
		fprintf(stderr, "%s: unknown role\n", CTL_PROG);
		return -1;
	}
	if (n->n_first_name == NULL || n->n_family_name == NULL ||
	    !sso_valid_name(n->n_first_name) ||
	    !sso_valid_name(n->n_family_name)) {
		fprintf(stderr, "%s: first and family names are needed\n",
		    CTL_PROG);
		return -1;
	}
	if (n->n_mobile == NULL || sso_norm_mobile(n->n_mobile, mobile) ==
	    -1) {
		fprintf(stderr, "%s: a mobile number +970 5[69]x xxx xxx or "
		    "+972 5x xxx xxxx is needed\n", CTL_PROG);
		return -1;
	}
	n->n_mobile = mobile;
	if (n->n_national_id != NULL) {
		if (!sso_valid_nid(n->n_national_id, nid)) {
			fprintf(stderr, "%s: bad national ID\n", CTL_PROG);
			return -1;
		}
		n->n_national_id = nid;
	}
	if (strcmp(n->n_role, SSO_ROLE_CITIZEN) == 0) {
		if (n->n_national_id == NULL) {
			fprintf(stderr, "%s: a citizen needs a national ID\n",
			    CTL_PROG);
			return -1;
		}
		n->n_kind = "citizen";
		n->n_username = NULL;
	} else {
		if (n->n_username == NULL || !valid_username(n->n_username)) {
			fprintf(stderr, "%s: staff need a user name (3-63 of "
			    "a-z 0-9 . - _, not starting with a digit)\n",
			    CTL_PROG);
			return -1;
		}
		n->n_kind = "staff";
	}
	if (n->n_password == NULL || (why = sso_password_problem(
	    n->n_password, s->s_pw_min, NULL, n->n_national_id,
	    mobile)) != NULL) {
		fprintf(stderr, "%s: password refused (%s)\n", CTL_PROG,
		    n->n_password == NULL ? "missing" : why);
		return -1;
	}
	if (n->n_status == NULL)
		n->n_status = "active";
	if (strcmp(n->n_status, "active") == 0 && n->n_route == NULL) {
		n->n_route = "admin";
		n->n_acr = strcmp(n->n_kind, "staff") == 0 ? "substantial" :
		    "low";
	}
	r = sso_account_create(s, n, &id);
	if (r == -2)
		return 1;
	if (r == -1) {
		fprintf(stderr, "%s: cannot create the account\n", CTL_PROG);
		return -1;
	}
	(void)sso_audit(s, SSO_EV_ADMIN_CREATE, id, 0, NULL, json_pack(
	    "{s:s, s:s, s:s?}", "role", n->n_role, "via", CTL_PROG,
	    "username", n->n_username));
	return 0;
}

static int
read_password(char *out, size_t outlen)
{
	size_t	 n;

	if (fgets(out, (int)outlen, stdin) == NULL)
		return -1;
	n = strlen(out);
	if (n > 0 && out[n - 1] == '\n')
		out[--n] = '\0';
	else if (n == outlen - 1)
		return -1;
	if (n > 0 && out[n - 1] == '\r')
		out[--n] = '\0';
	return 0;
}

static int
cmd_user_add(struct sso *s, int argc, char *argv[])
{
	static const struct option longopts[] = {
		{ "username", required_argument, NULL, 'u' },
		{ "role", required_argument, NULL, 'r' },
		{ "first-name", required_argument, NULL, 'f' },
		{ "family-name", required_argument, NULL, 'F' },
		{ "mobile", required_argument, NULL, 'm' },
		{ "office", required_argument, NULL, 'o' },
		{ "agency", required_argument, NULL, 'a' },
		{ "national-id", required_argument, NULL, 'n' },
		{ "email", required_argument, NULL, 'e' },
		{ NULL, 0, NULL, 0 }
	};
	struct sso_newacct	 n;
	char			 pw[SSO_PW_MAX];
	int			 ch, r;

	memset(&n, 0, sizeof(n));
	optind = 1;
	while ((ch = getopt_long(argc, argv, "", longopts, NULL)) != -1) {
		switch (ch) {
		case 'u': n.n_username = optarg; break;
		case 'r': n.n_role = optarg; break;
		case 'f': n.n_first_name = optarg; break;
		case 'F': n.n_family_name = optarg; break;
		case 'm': n.n_mobile = optarg; break;
		case 'o': n.n_office = optarg; break;
		case 'a': n.n_agency = optarg; break;
		case 'n': n.n_national_id = optarg; break;
		case 'e': n.n_email = optarg; break;
		default: usage();
		}
	}
	if (optind != argc)
		usage();
	if (read_password(pw, sizeof(pw)) == -1) {
		fprintf(stderr, "%s: no password on standard input\n",
		    CTL_PROG);
		return 1;
	}
	n.n_password = pw;
	r = add_account(s, &n);
	OPENSSL_cleanse(pw, sizeof(pw));
	if (r == 1)
		fprintf(stderr, "%s: the account exists\n", CTL_PROG);
	else if (r == 0)
		printf("created %s\n", n.n_username != NULL ? n.n_username :
		    n.n_national_id);
	return r == 0 ? 0 : 1;
}

static const char *
jstr(json_t *o, const char *k)
{
	return json_string_value(json_object_get(o, k));
}

static int
cmd_user_import(struct sso *s, const char *file)
{
	json_error_t	 je;
	json_t		*root, *users, *u;
	struct sso_newacct n;
	size_t		 i;
	int		 r, created = 0, existed = 0, rc = 0;

	if ((root = json_load_file(file, 0, &je)) == NULL) {
		fprintf(stderr, "%s: %s:%d: %s\n", CTL_PROG, file, je.line,
		    je.text);
		return 1;
	}
	if (!json_is_array(users = json_object_get(root, "users"))) {
		fprintf(stderr, "%s: %s: no \"users\" list\n", CTL_PROG, file);
		json_decref(root);
		return 1;
	}
	json_array_foreach(users, i, u) {
		/* Citizens not yet registered are listed but not created. */
		if (jstr(u, "status") != NULL &&
		    strcmp(jstr(u, "status"), "unregistered") == 0)
			continue;
		memset(&n, 0, sizeof(n));
		n.n_role = jstr(u, "role");
		n.n_username = jstr(u, "username");
		n.n_national_id = jstr(u, "national_id");
		n.n_password = jstr(u, "password");
		n.n_mobile = jstr(u, "phone");
		n.n_first_name = jstr(u, "first_name");
		n.n_family_name = jstr(u, "family_name");
		n.n_dob = jstr(u, "date_of_birth");
		n.n_office = jstr(u, "office");
		n.n_agency = jstr(u, "agency");
		n.n_email = jstr(u, "email");
		n.n_status = jstr(u, "status");
		if (n.n_status != NULL && strcmp(n.n_status, "active") != 0 &&
		    strcmp(n.n_status, "pending") != 0) {
			fprintf(stderr, "%s: user %zu: bad status\n", CTL_PROG,
			    i);
			rc = 1;
			continue;
		}
		if ((r = add_account(s, &n)) == -1) {
			fprintf(stderr, "%s: user %zu of %s not created\n",
			    CTL_PROG, i, file);
			rc = 1;
		} else if (r == 0)
			created++;
		else
			existed++;
	}
	printf("%d created, %d already there\n", created, existed);
	json_decref(root);
	return rc;
}

static int
cmd_user_list(struct sso *s)
{
	sqlite3_stmt	*st = NULL;
	int		 r;

	if (db_queryf(s->s_db, &st, "SELECT coalesce(national_id, username),"
	    " role, status, acr, coalesce(office, ''), first_name,"
	    " family_name FROM account ORDER BY id", "") == -1)
		return 1;
	printf("%-20s %-17s %-8s %-12s %s\n", "LOGIN", "ROLE", "STATUS", "ACR",
	    "NAME (OFFICE)");
	while ((r = db_step(s->s_db, st)) == DB_ROW)
		printf("%-20s %-17s %-8s %-12s %s %s%s%s%s\n",
		    sqlite3_column_text(st, 0), sqlite3_column_text(st, 1),
		    sqlite3_column_text(st, 2), sqlite3_column_text(st, 3),
		    sqlite3_column_text(st, 5), sqlite3_column_text(st, 6),
		    *sqlite3_column_text(st, 4) ? " (" : "",
		    sqlite3_column_text(st, 4),
		    *sqlite3_column_text(st, 4) ? ")" : "");
	db_finalize(st);
	return r == DB_DONE ? 0 : 1;
}

static int
cmd_audit(struct sso *s, int argc, char *argv[])
{
	sqlite3_stmt	*st = NULL;
	const char	*errstr;
	long long	 limit = 50;
	int		 r;

	if (argc == 3 && strcmp(argv[1], "--limit") == 0) {
		limit = strtonum(argv[2], 1, 100000, &errstr);
		if (errstr != NULL)
			usage();
	} else if (argc != 1)
		usage();
	if (db_queryf(s->s_db, &st, "SELECT strftime('%Y-%m-%dT%H:%M:%SZ',"
	    " time / 1000, 'unixepoch'), type, coalesce(account_id, ''),"
	    " coalesce(actor_id, ''), coalesce(ip, ''), details FROM audit"
	    " ORDER BY id DESC LIMIT ?", "I", (int64_t)limit) == -1)
		return 1;
	while ((r = db_step(s->s_db, st)) == DB_ROW)
		printf("%s %s account=%s actor=%s ip=%s %s\n",
		    sqlite3_column_text(st, 0), sqlite3_column_text(st, 1),
		    sqlite3_column_text(st, 2), sqlite3_column_text(st, 3),
		    sqlite3_column_text(st, 4), sqlite3_column_text(st, 5));
	db_finalize(st);
	return r == DB_DONE ? 0 : 1;
}

int
main(int argc, char *argv[])
{
	const char	*path = CTL_CONF;
	struct conf	*conf = NULL;
	struct sso	*s = NULL;
	char		 err[1024];
	int		 ch, rc = 1;

	while ((ch = getopt(argc, argv, "+c:")) != -1) {
		switch (ch) {
		case 'c':
			path = optarg;
			break;
		default:
			usage();
		}
	}
	argc -= optind;
	argv += optind;
	if (argc < 1)
		usage();
	log_init(CTL_PROG, 1, LOG_LEVEL_WARN);
	err[0] = '\0';
	if (conf_load_file(sso_conf_table, path, &conf, err,
	    sizeof(err)) == -1 ||
	    sso_new_ctl(conf, &s, err, sizeof(err)) == -1) {
		fprintf(stderr, "%s: %s\n", CTL_PROG, err);
		conf_free(conf);
		return 1;
	}
	if (sso_open_db(s) == -1)
		goto done;
	if (strcmp(argv[0], "user") == 0 && argc >= 2) {
		if (strcmp(argv[1], "add") == 0)
			rc = cmd_user_add(s, argc - 1, argv + 1);
		else if (strcmp(argv[1], "import") == 0 && argc == 3)
			rc = cmd_user_import(s, argv[2]);
		else if (strcmp(argv[1], "list") == 0 && argc == 2)
			rc = cmd_user_list(s);
		else
			usage();
	} else if (strcmp(argv[0], "audit") == 0)
		rc = cmd_audit(s, argc, argv);
	else
		usage();
 done:
	sso_free(s);
	conf_free(conf);
	return rc;
}
