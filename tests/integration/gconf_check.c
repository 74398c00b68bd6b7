/*
 * gconf_check: verify a signed global configuration directory the way a
 * security server does (lib/gconfdir.h), for shell tests.
 *
 *	gconf_check [-t now] anchor.xml schema-dir directory content-type
 *	    [location file]...
 *
 * Checks the anchor against the schema, the directory's signature with
 * the anchor's certificate and its expiry at now (default: the clock),
 * and that each given file matches the hash the directory lists for its
 * location. Prints "expire EPOCH", "version N" and one "entry CID
 * LOCATION" line per file. Exit status: 0 good, 3 expired, 4 a file does
 * not match, 1 anything else, 2 usage.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "anchor.h"
#include "compat.h"
#include "gconfdir.h"

static void
usage(void)
{
	fprintf(stderr, "usage: gconf_check [-t now] anchor schema-dir "
	    "directory content-type [location file]...\n");
	exit(2);
}

static char *
slurp(const char *path, size_t *len)
{
	FILE	*f;
	char	*buf;
	long	 n;

	if ((f = fopen(path, "rb")) == NULL || fseek(f, 0, SEEK_END) != 0 ||
	    (n = ftell(f)) < 0 || fseek(f, 0, SEEK_SET) != 0) {
		fprintf(stderr, "gconf_check: cannot read %s\n", path);
		exit(1);
	}
	if ((buf = malloc((size_t)n + 1)) == NULL ||
	    fread(buf, 1, (size_t)n, f) != (size_t)n) {
		fprintf(stderr, "gconf_check: cannot read %s\n", path);
		exit(1);
	}
	buf[n] = '\0';
	fclose(f);
	*len = (size_t)n;
	return buf;
}

int
main(int argc, char *argv[])
{
	struct anchor			*a = NULL;
	struct gconf_dir		*d = NULL;
	const struct gconf_dir_entry	*e;
	const char			*errstr;
	char				*xml = NULL, *body = NULL, *data = NULL;
	char				 err[512];
	size_t				 xlen, blen, dlen, i, k;
	time_t				 now = time(NULL);
	int				 ch, rc, j, status = 1;

	while ((ch = getopt(argc, argv, "t:")) != -1) {
		switch (ch) {
		case 't':
			now = (time_t)strtonum(optarg, 0, 1LL << 40, &errstr);
			if (errstr != NULL)
				usage();
			break;
		default:
			usage();
		}
	}
	argc -= optind;
	argv += optind;
	if (argc < 4 || (argc - 4) % 2 != 0)
		usage();
	xml = slurp(argv[0], &xlen);
	if (anchor_parse(&a, xml, xlen, argv[1], err, sizeof(err)) != 0) {
		fprintf(stderr, "gconf_check: anchor: %s\n", err);
		goto done;
	}
	body = slurp(argv[2], &blen);
	rc = gconf_dir_parse_verify(&d, body, blen, argv[3], a, 0, now, err,
	    sizeof(err));
	if (rc != 0) {
		fprintf(stderr, "gconf_check: directory: %s (%s)\n",
		    gconf_dir_strerror(rc), err);
		if (rc == GCONF_DIR_ERR_EXPIRED)
			status = 3;
		goto done;
	}
	printf("expire %lld\nversion %d\n", (long long)gconf_dir_expire(d),
	    gconf_dir_version(d));
	for (i = 0; i < gconf_dir_nentries(d); i++) {
		e = gconf_dir_entry(d, i);
		printf("entry %s %s\n", e->de_content_id != NULL ?
		    e->de_content_id : "-", e->de_location);
	}
	status = 4;
	for (j = 4; j + 1 < argc; j += 2) {
		e = NULL;
		for (k = 0; k < gconf_dir_nentries(d); k++)
			if (strcmp(gconf_dir_entry(d, k)->de_location,
			    argv[j]) == 0)
				e = gconf_dir_entry(d, k);
		if (e == NULL) {
			fprintf(stderr, "gconf_check: %s not listed\n",
			    argv[j]);
			goto done;
		}
		free(data);
		data = slurp(argv[j + 1], &dlen);
		if (gconf_dir_verify_file(e, data, dlen) != 0) {
			fprintf(stderr, "gconf_check: %s does not match its "
			    "hash\n", argv[j + 1]);
			goto done;
		}
	}
	status = 0;
 done:
	free(data);
	gconf_dir_free(d);
	anchor_free(a);
	free(body);
	free(xml);
	return status;
}
