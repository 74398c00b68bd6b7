/*
 * securityserverd.h: the security server daemon's modules.
 *
 * Shared, reusable pieces (identifiers, SOAP/REST, signatures, OCSP, global
 * configuration, HTTP, SQLite) live in securityserver/lib/ with their own
 * headers; this header holds the daemon's own modules, grouped by file.
 */
#ifndef HK_SECURITYSERVERD_H
#define HK_SECURITYSERVERD_H

#include <stddef.h>

/* acl.c */
int	acl_path_normalize(const char *in, char *out, size_t outlen);
int	acl_path_match(const char *glob, const char *path);
int	acl_method_match(const char *rule, const char *method);

#endif /* HK_SECURITYSERVERD_H */
