/*
 * asicverify_conf.c: the verification configuration of asicverify.h:
 * the shared parameters of each instance with its trust anchors and OCSP
 * responders, loaded from a folder, a file or a ZIP.
 */
#include "config.h"

#include <sys/stat.h>

#include <dirent.h>
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/x509.h>

#include <zip.h>

#include "asic.h"
#include "asicverify.h"
#include "asicverify_int.h"
#include "buf.h"
#include "file.h"
#include "certcheck.h"
#include "compat.h"
#include "globalconf.h"

#define SHARED_PARAMS	"shared-params.xml"

struct asicv_conf *
asicv_conf_new(void)
{
	return calloc(1, sizeof(struct asicv_conf));
}

size_t
asicv_conf_count(const struct asicv_conf *c)
{
	return c == NULL ? 0 : c->c_n;
}

static void
inst_clear(struct av_inst *in)
{
	certcheck_trust_free(in->ai_trust);
	sk_X509_free(in->ai_responders);
	gconf_free(in->ai_gc);
	memset(in, 0, sizeof(*in));
}

void
asicv_conf_free(struct asicv_conf *c)
{
	size_t	i;

	if (c == NULL)
		return;
	for (i = 0; i < c->c_n; i++)
		inst_clear(&c->c_inst[i]);
	free(c);
}

/* Trust anchors and OCSP responders of an instance (as confclient.c). */
int
asicv_conf_add(struct asicv_conf *c, struct gconf *gc)
{
	struct av_inst		 in;
	const struct gconf_ca	*cas;
	const struct gconf_cainfo *lv;
	size_t			 nca, i, j, k;

	memset(&in, 0, sizeof(in));
	in.ai_gc = gc;
	if (c == NULL || gc == NULL || c->c_n >= ASICV_MAX_INSTANCES)
		goto fail;
	for (i = 0; i < c->c_n; i++)
		if (strcmp(gconf_instance(c->c_inst[i].ai_gc),
		    gconf_instance(gc)) == 0)
			goto fail;
	if ((in.ai_trust = certcheck_trust_new()) == NULL ||
	    (in.ai_responders = sk_X509_new_null()) == NULL)
		goto fail;
	cas = gconf_cas(gc, &nca);
	for (i = 0; i < nca; i++) {
		lv = &cas[i].gc_top;
		if (lv->gi_x509 == NULL ||
		    certcheck_trust_add(in.ai_trust, lv->gi_x509) == -1)
			goto fail;
		for (j = 0; j <= cas[i].gc_ninter; j++) {
			if (j > 0) {
				lv = &cas[i].gc_inter[j - 1];
				if (lv->gi_x509 == NULL ||
				    certcheck_trust_add_intermediate(
				    in.ai_trust, lv->gi_x509) == -1)
					goto fail;
			}
			for (k = 0; k < lv->gi_nocsp; k++)
				if (lv->gi_ocsp[k].go_x509 != NULL &&
				    !sk_X509_push(in.ai_responders,
				    lv->gi_ocsp[k].go_x509))
					goto fail;
		}
	}
	c->c_inst[c->c_n++] = in;
	return 0;
fail:
	inst_clear(&in);
	return -1;
}

const struct av_inst *
asicv_inst_find(const struct asicv_conf *c, const char *instance)
{
	size_t	i;

	for (i = 0; i < c->c_n; i++)
		if (strcmp(gconf_instance(c->c_inst[i].ai_gc), instance) == 0)
			return &c->c_inst[i];
	return NULL;
}

/* Loading. */

static int
conf_add_shared(struct asicv_conf *c, const void *data, size_t len,
    const char *where, const char *schema_dir, char *err, size_t errlen)
{
	static const int	 versions[] = { 0, 4, 5, 6 };
	struct gconf		*gc = NULL;
	char			 perr[512], first[512];
	size_t			 i;

	first[0] = '\0';
	for (i = 0; i < sizeof(versions) / sizeof(versions[0]); i++) {
		if (gconf_parse(&gc, versions[i], data, len, NULL, 0,
		    schema_dir, perr, sizeof(perr)) == 0)
			break;
		if (first[0] == '\0')
			(void)strlcpy(first, perr, sizeof(first));
		gc = NULL;
	}
	if (gc == NULL) {
		(void)snprintf(err, errlen, "%s: %s", where, first);
		return -1;
	}
	if (asicv_inst_find(c, gconf_instance(gc)) != NULL) {
		(void)snprintf(err, errlen, "%s: instance %s given twice",
		    where, gconf_instance(gc));
		gconf_free(gc);
		return -1;
	}
	if (asicv_conf_add(c, gc) == -1) {
		(void)snprintf(err, errlen, "%s: cannot use its CAs", where);
		return -1;
	}
	return 0;
}

static int
conf_load_file(struct asicv_conf *c, const char *path, const char *schema_dir,
    char *err, size_t errlen)
{
	unsigned char	*data = NULL;
	size_t		 len;
	int		 rv;

	if (file_read_bytes(path, ASICV_CONF_FILE_MAX, &data, &len) == -1) {
		(void)snprintf(err, errlen, "%s: cannot read (%s)", path,
		    errno != 0 ? strerror(errno) : "too large");
		return -1;
	}
	rv = conf_add_shared(c, data, len, path, schema_dir, err, errlen);
	free(data);
	return rv;
}

static int
conf_load_dir(struct asicv_conf *c, const char *dir, int depth,
    const char *schema_dir, char *err, size_t errlen)
{
	DIR		*d;
	struct dirent	*de;
	struct stat	 sb;
	char		 path[PATH_MAX];
	int		 rv = 0;

	if (snprintf(path, sizeof(path), "%s/%s", dir, SHARED_PARAMS) >=
	    (int)sizeof(path))
		return -1;
	if (stat(path, &sb) == 0 && S_ISREG(sb.st_mode) &&
	    conf_load_file(c, path, schema_dir, err, errlen) == -1)
		return -1;
	if (depth >= 1)
		return 0;
	if ((d = opendir(dir)) == NULL) {
		(void)snprintf(err, errlen, "%s: %s", dir, strerror(errno));
		return -1;
	}
	while ((de = readdir(d)) != NULL) {
		if (de->d_name[0] == '.')
			continue;
		if (snprintf(path, sizeof(path), "%s/%s", dir, de->d_name) >=
		    (int)sizeof(path) || stat(path, &sb) == -1 ||
		    !S_ISDIR(sb.st_mode))
			continue;
		if (conf_load_dir(c, path, depth + 1, schema_dir, err,
		    errlen) == -1) {
			rv = -1;
			break;
		}
	}
	(void)closedir(d);
	return rv;
}

static int
conf_load_zip(struct asicv_conf *c, const char *path, const char *schema_dir,
    char *err, size_t errlen)
{
	zip_t		*za;
	zip_error_t	 ze;
	zip_int64_t	 n, i;
	const char	*name, *base, *s;
	unsigned char	*data;
	size_t		 len, depth;
	char		 where[PATH_MAX + 300];
	int		 zerr, rv = 0;

	if ((za = zip_open(path, ZIP_RDONLY | ZIP_CHECKCONS, &zerr)) == NULL) {
		zip_error_init_with_code(&ze, zerr);
		(void)snprintf(err, errlen, "%s: %s", path,
		    zip_error_strerror(&ze));
		zip_error_fini(&ze);
		return -1;
	}
	n = zip_get_num_entries(za, 0);
	for (i = 0; i < n && i < 10000; i++) {
		if ((name = zip_get_name(za, (zip_uint64_t)i,
		    ZIP_FL_ENC_RAW)) == NULL)
			continue;
		base = strrchr(name, '/') != NULL ? strrchr(name, '/') + 1 :
		    name;
		for (depth = 0, s = name; *s != '\0'; s++)
			depth += *s == '/';
		if (strcmp(base, SHARED_PARAMS) != 0 || depth > 2)
			continue;
		(void)snprintf(where, sizeof(where), "%s:%s", path, name);
		if (asic_zip_read(za, (zip_uint64_t)i, name,
		    ASICV_CONF_FILE_MAX, NULL, &data, &len, err, errlen) == -1) {
			rv = -1;
			break;
		}
		rv = conf_add_shared(c, data, len, where, schema_dir, err,
		    errlen);
		free(data);
		if (rv == -1)
			break;
	}
	zip_discard(za);
	return rv;
}

int
asicv_conf_load(const char *path, const char *schema_dir,
    struct asicv_conf **out, char *err, size_t errlen)
{
	struct asicv_conf	*c;
	struct stat		 sb;
	FILE			*f;
	char			 magic[2] = { 0, 0 };
	int			 rv;

	*out = NULL;
	if (stat(path, &sb) == -1) {
		(void)snprintf(err, errlen, "%s: %s", path, strerror(errno));
		return -1;
	}
	if ((c = asicv_conf_new()) == NULL) {
		(void)snprintf(err, errlen, "out of memory");
		return -1;
	}
	if (S_ISDIR(sb.st_mode))
		rv = conf_load_dir(c, path, 0, schema_dir, err, errlen);
	else {
		if ((f = fopen(path, "rb")) != NULL) {
			if (fread(magic, 1, 2, f) != 2)
				magic[0] = '\0';
			(void)fclose(f);
		}
		if (magic[0] == 'P' && magic[1] == 'K')
			rv = conf_load_zip(c, path, schema_dir, err, errlen);
		else
			rv = conf_load_file(c, path, schema_dir, err, errlen);
	}
	if (rv == 0 && c->c_n == 0) {
		(void)snprintf(err, errlen, "%s: no %s found", path,
		    SHARED_PARAMS);
		rv = -1;
	}
	if (rv == -1) {
		asicv_conf_free(c);
		return -1;
	}
	*out = c;
	return 0;
}
