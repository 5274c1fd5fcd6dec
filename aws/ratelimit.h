/* ratelimit.h: client-side rate limits, one token bucket per AWS API operation, process-wide.
 *
 * client.c takes a token before every attempt, so that all the worker threads together stay
 * under AWS's documented per-account rates instead of discovering them by being throttled.
 * A throttling answer halves that operation's rate (multiplicative decrease) and remembers
 * the rate it was throttled at as a ceiling; the rate then grows back linearly to 90 % of that
 * ceiling (additive increase, ten seconds from zero) and above it, slowly, back to the preset
 * (probing: five minutes from zero),
 * like the SDKs' adaptive retry mode (CUBIC: fast back to the last good rate, a plateau near
 * the rate that was throttled, slow probing beyond). So a preset above an account's real
 * quota converges to the quota instead of oscillating around the preset.
 *
 * Buckets are per (service, Region, operation): AWS's quotas are per account and Region, and
 * some presets differ by Region (GetLogEvents: 25/s in most, 10/s in some, 30/s in one).
 *
 * Thread-safety: every ratelimit_* function may be called from any thread (one mutex guards
 * the table). ratelimit_acquire() blocks, so only worker threads may call it; the UI reads
 * ratelimit_wait_ms() to show "throttled, retry in 4 s". The table is created on first use
 * and lives until exit (no teardown needed).
 *
 * The bucket itself (struct ratelimit_bucket) is pure and takes the clock as an argument, so
 * it is tested without sleeping. */
#ifndef SAGETOP_RATELIMIT_H
#define SAGETOP_RATELIMIT_H

#include <signal.h>
#include <stdint.h>

#include "aws/config.h"
#include "aws/err.h"

struct ratelimit_bucket {
    double preset_per_s;        /* the documented rate */
    double rate_per_s;          /* the current rate (<= preset) */
    double burst;               /* bucket capacity in tokens */
    double tokens;
    int64_t last_ms;            /* last refill, monotonic ms */
    int64_t throttled_ms;       /* last throttle answer, 0 never */
    double ceiling_per_s;       /* the rate last throttled at (0: never throttled) */
};

#define RATELIMIT_MIN_PER_S 0.2             /* a throttled rate never drops below this */
#define RATELIMIT_RECOVERY_S 10.0           /* from zero back to the ceiling, linearly */
#define RATELIMIT_CEILING_SHARE 0.9         /* ... to this share of it: it was throttled */
#define RATELIMIT_PROBE_S 300.0             /* from zero to the preset above that */
#define RATELIMIT_EPISODE_REQS 10.0         /* throttles this many requests apart: one episode */

void ratelimit_bucket_init(struct ratelimit_bucket *b, double rate_per_s, double burst,
                           int64_t now_ms);
/* Takes one token when there is one (returns 0) or returns how many ms until there is. */
long ratelimit_bucket_take(struct ratelimit_bucket *b, int64_t now_ms);
/* How many ms until a token is available (0: now), without taking one. */
long ratelimit_bucket_wait_ms(struct ratelimit_bucket *b, int64_t now_ms);
/* A throttling answer: the current rate becomes the ceiling; halve it and empty the bucket. */
void ratelimit_bucket_throttled(struct ratelimit_bucket *b, int64_t now_ms);

/* The preset for an operation (requests per second) in most Regions, and in region (NULL:
 * most Regions). */
double ratelimit_preset_per_s(enum aws_service svc, const char *operation);
double ratelimit_region_preset_per_s(enum aws_service svc, const char *region,
                                     const char *operation);

/* Blocks until the operation's bucket in region (NULL: the default Region's bucket) yields a
 * token. Returns 0, or ERR_CANCELLED as soon as *cancel (may be NULL) becomes non-zero.
 * Worker threads only. */
int ratelimit_acquire(enum aws_service svc, const char *region, const char *operation,
                      volatile sig_atomic_t *cancel);
void ratelimit_on_throttle(enum aws_service svc, const char *region, const char *operation);
/* Current wait for the next token of that operation, in ms (0: none), the longest over the
 * Regions used. Any thread. */
long ratelimit_wait_ms(enum aws_service svc, const char *operation);
/* The current rate of that operation in region (NULL: default), requests per second. */
double ratelimit_rate_per_s(enum aws_service svc, const char *region, const char *operation);
/* The longest current wait over all operations of a service (for a status line). */
long ratelimit_service_wait_ms(enum aws_service svc);

/* Tests: a monotonic millisecond clock to use instead of CLOCK_MONOTONIC (NULL restores). */
typedef int64_t (*ratelimit_clock_fn)(void);
void ratelimit_set_clock(ratelimit_clock_fn fn);
/* Tests: forget every bucket (they are recreated at their presets on next use). */
void ratelimit_reset(void);

#endif
