/*
 * asicverify_int.h: what asicverify.c and asicverify_conf.c share
 * (internal to the two).
 */
#ifndef HK_ASICVERIFY_INT_H
#define HK_ASICVERIFY_INT_H

#include <stddef.h>

#include <openssl/x509.h>

#include "asicverify.h"

struct certcheck_trust;
struct gconf;

/* One instance: its parameters, approved CAs as trust, OCSP responders. */
struct av_inst {
	struct gconf		*ai_gc;
	struct certcheck_trust	*ai_trust;
	STACK_OF(X509)		*ai_responders;	/* borrowed from ai_gc */
};

struct asicv_conf {
	struct av_inst		 c_inst[ASICV_MAX_INSTANCES];
	size_t			 c_n;
};

/* The instance with this identifier, or NULL. Borrowed. */
const struct av_inst *asicv_inst_find(const struct asicv_conf *,
	    const char *instance);

#endif /* HK_ASICVERIFY_INT_H */
