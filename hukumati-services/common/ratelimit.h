/*
 * ratelimit.h: token buckets per key (a client's IP address), in memory.
 *
 * Each key has a bucket of at most burst tokens that refills at rate
 * tokens per second; a request takes one token or is refused with the
 * seconds until the next token (for Retry-After). At most max_keys
 * buckets are kept: when a new key would pass that, full buckets (keys
 * idle long enough to have refilled) are dropped, then the least
 * recently used one.
 */
#ifndef HK_RATELIMIT_H
#define HK_RATELIMIT_H

#include <stddef.h>

#include "web.h"

struct ratelimit;

#define RATELIMIT_KEY_MAX	64	/* bytes of a key, NUL included */

/*
 * rate > 0 tokens per second, burst >= 1, max_keys >= 1; clock NULL: the
 * real one. NULL on bad arguments or no memory. Caller frees.
 */
struct ratelimit *ratelimit_new(double rate, double burst, size_t max_keys,
		    web_clock_fn clock, void *clock_arg);
void		 ratelimit_free(struct ratelimit *);

/*
 * Take a token for key: 0 if allowed, 1 if refused (*retry_after, may be
 * NULL, gets the whole seconds, at least 1, until a token is back). A key
 * longer than RATELIMIT_KEY_MAX - 1 is cut. -1 on no memory (callers
 * should allow the request: a limiter must not become an outage).
 */
int		 ratelimit_take(struct ratelimit *, const char *key,
		    unsigned int *retry_after);
/* Number of keys held (tests). */
size_t		 ratelimit_size(const struct ratelimit *);

#endif /* HK_RATELIMIT_H */
