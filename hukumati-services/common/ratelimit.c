/*
 * ratelimit.c: token buckets per key (see ratelimit.h). A chained hash
 * table; eviction scans it, which is bounded by max_keys.
 */
#include "config.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "compat.h"
#include "ratelimit.h"

struct bucket {
	char		 b_key[RATELIMIT_KEY_MAX];
	double		 b_tokens;
	int64_t		 b_last_ms;	/* last refill */
	struct bucket	*b_next;
};

struct ratelimit {
	double		 rl_rate;	/* tokens per ms */
	double		 rl_burst;
	size_t		 rl_max;
	size_t		 rl_n;
	size_t		 rl_nslots;
	struct bucket	**rl_slots;
	web_clock_fn	 rl_clock;
	void		*rl_clock_arg;
};

static uint32_t
hash_key(const char *s)
{
	uint32_t	 h = 2166136261u;

	for (; *s != '\0'; s++) {
		h ^= (unsigned char)*s;
		h *= 16777619u;
	}
	return h;
}

struct ratelimit *
ratelimit_new(double rate, double burst, size_t max_keys, web_clock_fn clock,
    void *clock_arg)
{
	struct ratelimit	*rl;

	if (!(rate > 0.0) || !(burst >= 1.0) || max_keys == 0 ||
	    max_keys > 10000000)
		return NULL;
	if ((rl = calloc(1, sizeof(*rl))) == NULL)
		return NULL;
	rl->rl_rate = rate / 1000.0;
	rl->rl_burst = burst;
	rl->rl_max = max_keys;
	rl->rl_nslots = max_keys < 64 ? 64 : max_keys;
	rl->rl_clock = clock;
	rl->rl_clock_arg = clock_arg;
	if ((rl->rl_slots = calloc(rl->rl_nslots, sizeof(*rl->rl_slots))) ==
	    NULL) {
		free(rl);
		return NULL;
	}
	return rl;
}

void
ratelimit_free(struct ratelimit *rl)
{
	struct bucket	*b, *next;
	size_t		 i;

	if (rl == NULL)
		return;
	for (i = 0; i < rl->rl_nslots; i++) {
		for (b = rl->rl_slots[i]; b != NULL; b = next) {
			next = b->b_next;
			free(b);
		}
	}
	free(rl->rl_slots);
	free(rl);
}

static void
refill(const struct ratelimit *rl, struct bucket *b, int64_t now)
{
	if (now > b->b_last_ms) {
		b->b_tokens += (double)(now - b->b_last_ms) * rl->rl_rate;
		if (b->b_tokens > rl->rl_burst)
			b->b_tokens = rl->rl_burst;
		b->b_last_ms = now;
	}
}

/* Make room for one more bucket. */
static void
evict(struct ratelimit *rl, int64_t now)
{
	struct bucket	**pp, *b, **oldest = NULL;
	size_t		 i;

	for (i = 0; i < rl->rl_nslots; i++) {
		for (pp = &rl->rl_slots[i]; (b = *pp) != NULL; ) {
			/* Not refill(): b_last_ms is also the LRU order. */
			if (now > b->b_last_ms && b->b_tokens +
			    (double)(now - b->b_last_ms) * rl->rl_rate >=
			    rl->rl_burst) {
				*pp = b->b_next;
				free(b);
				rl->rl_n--;
				continue;
			}
			if (oldest == NULL || b->b_last_ms <
			    (*oldest)->b_last_ms)
				oldest = pp;
			pp = &b->b_next;
		}
	}
	if (rl->rl_n >= rl->rl_max && oldest != NULL) {
		b = *oldest;
		*oldest = b->b_next;
		free(b);
		rl->rl_n--;
	}
}

int
ratelimit_take(struct ratelimit *rl, const char *key,
    unsigned int *retry_after)
{
	struct bucket	*b;
	char		 k[RATELIMIT_KEY_MAX];
	int64_t		 now = web_now_ms(rl->rl_clock, rl->rl_clock_arg);
	double		 wait;
	size_t		 slot;

	(void)strlcpy(k, key, sizeof(k));
	slot = hash_key(k) % rl->rl_nslots;
	for (b = rl->rl_slots[slot]; b != NULL; b = b->b_next)
		if (strcmp(b->b_key, k) == 0)
			break;
	if (b == NULL) {
		if (rl->rl_n >= rl->rl_max)
			evict(rl, now);
		if ((b = calloc(1, sizeof(*b))) == NULL)
			return -1;
		memcpy(b->b_key, k, sizeof(k));
		b->b_tokens = rl->rl_burst;
		b->b_last_ms = now;
		b->b_next = rl->rl_slots[slot];
		rl->rl_slots[slot] = b;
		rl->rl_n++;
	}
	refill(rl, b, now);
	if (b->b_tokens >= 1.0 - 1e-9) {	/* float rounding */
		b->b_tokens -= 1.0;
		return 0;
	}
	if (retry_after != NULL) {
		/* To the nearest ms (no float noise), then whole seconds up. */
		wait = (1.0 - b->b_tokens) / rl->rl_rate + 0.5;
		if (wait > 86400.0 * 1000)
			wait = 86400.0 * 1000;
		*retry_after = ((unsigned int)wait + 999) / 1000;
		if (*retry_after == 0)
			*retry_after = 1;
	}
	return 1;
}

size_t
ratelimit_size(const struct ratelimit *rl)
{
	return rl->rl_n;
}
