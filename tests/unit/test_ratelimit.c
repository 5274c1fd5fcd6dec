/* test_ratelimit.c: the token bucket with an injected clock, AIMD after throttling, presets,
 * and the process-wide table (acquire, cancel, wait readout). */
#include <criterion/criterion.h>
#include <pthread.h>
#include <signal.h>

#include "aws/ratelimit.h"

Test(ratelimit_bucket, burst_then_one_token_per_interval)
{
    struct ratelimit_bucket b;
    int64_t t = 1000;

    ratelimit_bucket_init(&b, 5.0, 5.0, t);
    for (int i = 0; i < 5; i++)
        cr_assert_eq(ratelimit_bucket_take(&b, t), 0, "burst token %d", i);
    long wait = ratelimit_bucket_take(&b, t);
    cr_assert(wait >= 199 && wait <= 201, "wait %ld", wait);
    cr_assert_gt(ratelimit_bucket_take(&b, t + 150), 0);
    cr_assert_eq(ratelimit_bucket_take(&b, t + 201), 0);
    /* a long idle time fills only up to the burst */
    t += 60000;
    for (int i = 0; i < 5; i++)
        cr_assert_eq(ratelimit_bucket_take(&b, t), 0);
    cr_assert_gt(ratelimit_bucket_take(&b, t), 0);
}

Test(ratelimit_bucket, throttle_halves_rate_and_empties_bucket)
{
    struct ratelimit_bucket b;

    ratelimit_bucket_init(&b, 10.0, 10.0, 0);
    ratelimit_bucket_throttled(&b, 0);
    cr_assert_float_eq(b.rate_per_s, 5.0, 1e-9);
    cr_assert_eq(b.throttled_ms, 0);
    long wait = ratelimit_bucket_wait_ms(&b, 0);
    cr_assert(wait >= 199 && wait <= 201, "one token at 5/s takes 200 ms, got %ld", wait);
    ratelimit_bucket_throttled(&b, 0);
    cr_assert_float_eq(b.rate_per_s, 2.5, 1e-9);
}

Test(ratelimit_bucket, rate_recovers_additively_to_preset)
{
    struct ratelimit_bucket b;

    ratelimit_bucket_init(&b, 10.0, 10.0, 0);
    ratelimit_bucket_throttled(&b, 0);          /* 5/s */
    ratelimit_bucket_wait_ms(&b, 2000);         /* +2 s * 10/10 per s = +2 */
    cr_assert_float_eq(b.rate_per_s, 7.0, 1e-6);
    ratelimit_bucket_wait_ms(&b, 60000);
    cr_assert_float_eq(b.rate_per_s, 10.0, 1e-9, "never above the preset");
}

Test(ratelimit_bucket, rate_never_below_floor)
{
    struct ratelimit_bucket b;

    ratelimit_bucket_init(&b, 1.0, 1.0, 0);
    for (int i = 0; i < 20; i++)
        ratelimit_bucket_throttled(&b, 0);
    cr_assert_float_eq(b.rate_per_s, RATELIMIT_MIN_PER_S, 1e-9);
}

Test(ratelimit_presets, documented_cloudwatch_logs_rates)
{
    cr_assert_float_eq(ratelimit_preset_per_s(AWS_LOGS, "GetLogEvents"), 25.0, 1e-9);
    cr_assert_float_eq(ratelimit_preset_per_s(AWS_LOGS, "FilterLogEvents"), 5.0, 1e-9);
    cr_assert_float_eq(ratelimit_preset_per_s(AWS_LOGS, "DescribeLogStreams"), 25.0, 1e-9);
    cr_assert_float_eq(ratelimit_preset_per_s(AWS_SAGEMAKER, "ListTrainingJobs"), 10.0, 1e-9);
    cr_assert_float_eq(ratelimit_preset_per_s(AWS_SAGEMAKER, "CreateTrainingJob"), 1.0, 1e-9);
}

Test(ratelimit_presets, get_log_events_by_region)
{
    /* the quotas table: 25/s in most Regions, 10/s in some, 30/s in eu-west-3 */
    cr_assert_float_eq(ratelimit_region_preset_per_s(AWS_LOGS, "us-east-1", "GetLogEvents"),
                       25.0, 1e-9);
    cr_assert_float_eq(ratelimit_region_preset_per_s(AWS_LOGS, "eu-west-1", "GetLogEvents"),
                       10.0, 1e-9);
    cr_assert_float_eq(ratelimit_region_preset_per_s(AWS_LOGS, "us-west-2", "GetLogEvents"),
                       10.0, 1e-9);
    cr_assert_float_eq(ratelimit_region_preset_per_s(AWS_LOGS, "eu-west-3", "GetLogEvents"),
                       30.0, 1e-9);
    cr_assert_float_eq(ratelimit_region_preset_per_s(AWS_LOGS, NULL, "GetLogEvents"),
                       25.0, 1e-9);
    cr_assert_float_eq(ratelimit_region_preset_per_s(AWS_LOGS, "eu-west-1", "FilterLogEvents"),
                       5.0, 1e-9);
    cr_assert_float_eq(ratelimit_region_preset_per_s(AWS_SAGEMAKER, "eu-west-1", "Search"),
                       10.0, 1e-9);
}

/* An account whose real quota (10/s) is below the preset (25/s): each throttle lowers the
 * ceiling to the rate it happened at, so the rate settles near the quota instead of climbing
 * back to the preset every ten seconds (the SDKs' adaptive mode keeps the same memory). */
Test(ratelimit_bucket, throttles_teach_a_ceiling_below_the_preset)
{
    struct ratelimit_bucket b;
    int64_t t = 0;
    int throttles = 0;

    ratelimit_bucket_init(&b, 25.0, 12.5, t);
    for (t = 0; t < 120000; t += 100) {
        ratelimit_bucket_wait_ms(&b, t);
        if (b.rate_per_s > 10.5) {      /* the service throttles above its quota */
            ratelimit_bucket_throttled(&b, t);
            throttles++;
        }
    }
    cr_assert_leq(throttles, 12, "throttled %d times in 2 min", throttles);
    cr_assert(b.ceiling_per_s > 5.0 && b.ceiling_per_s <= 10.6, "ceiling %.2f",
              b.ceiling_per_s);
    for (throttles = 0; t < 240000; t += 100) {
        ratelimit_bucket_wait_ms(&b, t);
        if (b.rate_per_s > 10.5) {
            ratelimit_bucket_throttled(&b, t);
            throttles++;
        }
    }
    cr_assert_leq(throttles, 8, "settled: throttled %d times in the next 2 min", throttles);
    /* once throttled, back to 90 % of the ceiling fast, above it only slowly */
    ratelimit_bucket_init(&b, 25.0, 12.5, 0);
    b.rate_per_s = 12.0;
    ratelimit_bucket_throttled(&b, 0);          /* ceiling 12, rate 6 */
    ratelimit_bucket_wait_ms(&b, 4000);         /* +4 s * 12/10 per s: 10.8 = 90 % of 12 */
    cr_assert_float_eq(b.rate_per_s, 10.8, 1e-9);
    ratelimit_bucket_wait_ms(&b, 16000);        /* +12 s * 25/300 per s = +1 */
    cr_assert_float_eq(b.rate_per_s, 11.8, 1e-9);
    ratelimit_bucket_wait_ms(&b, 400000);
    cr_assert_float_eq(b.rate_per_s, 25.0, 1e-9, "probing reaches the preset again");
}

static int64_t fake_now;
static int64_t fake_clock(void)
{
    return __atomic_load_n(&fake_now, __ATOMIC_SEQ_CST);
}

Test(ratelimit_table, throttle_shows_in_wait_and_is_per_operation)
{
    ratelimit_set_clock(fake_clock);
    ratelimit_reset();
    fake_now = 5000;
    /* 5/s with a burst of half a second: 2 at once, then a wait */
    for (int i = 0; i < 2; i++)
        cr_assert_eq(ratelimit_acquire(AWS_LOGS, NULL, "FilterLogEvents", NULL), 0);
    cr_assert_gt(ratelimit_wait_ms(AWS_LOGS, "FilterLogEvents"), 0);
    cr_assert_eq(ratelimit_wait_ms(AWS_LOGS, "GetLogEvents"), 0, "other operation unaffected");
    ratelimit_on_throttle(AWS_LOGS, NULL, "GetLogEvents");
    long w = ratelimit_wait_ms(AWS_LOGS, "GetLogEvents");
    cr_assert(w >= 79 && w <= 81, "25/s halved: 12.5/s -> 80 ms, got %ld", w);
    cr_assert_geq(ratelimit_service_wait_ms(AWS_LOGS), 79);
    cr_assert_eq(ratelimit_service_wait_ms(AWS_SAGEMAKER), 0);
    ratelimit_set_clock(NULL);
}

Test(ratelimit_table, buckets_are_per_region)
{
    ratelimit_set_clock(fake_clock);
    ratelimit_reset();
    fake_now = 5000;
    cr_assert_float_eq(ratelimit_rate_per_s(AWS_LOGS, "eu-west-1", "GetLogEvents"), 10.0, 1e-9);
    cr_assert_float_eq(ratelimit_rate_per_s(AWS_LOGS, "us-east-1", "GetLogEvents"), 25.0, 1e-9);
    ratelimit_on_throttle(AWS_LOGS, "us-east-1", "GetLogEvents");
    cr_assert_float_eq(ratelimit_rate_per_s(AWS_LOGS, "us-east-1", "GetLogEvents"), 12.5, 1e-9);
    cr_assert_float_eq(ratelimit_rate_per_s(AWS_LOGS, "eu-west-1", "GetLogEvents"), 10.0, 1e-9,
                       "another Region's quota is its own");
    /* the wait shown is the longest over the Regions */
    long w = ratelimit_wait_ms(AWS_LOGS, "GetLogEvents");
    cr_assert(w >= 79 && w <= 81, "12.5/s -> 80 ms, got %ld", w);
    ratelimit_set_clock(NULL);
}

static volatile sig_atomic_t cancel_flag;

static void *cancel_later(void *arg)
{
    (void)arg;
    struct timespec ts = {0, 100 * 1000000L};
    nanosleep(&ts, NULL);
    cancel_flag = 1;
    return NULL;
}

Test(ratelimit_table, acquire_blocks_until_cancelled)
{
    pthread_t th;

    ratelimit_set_clock(fake_clock);    /* frozen: no token ever comes back */
    ratelimit_reset();
    fake_now = 1;
    cr_assert_eq(ratelimit_acquire(AWS_SAGEMAKER, NULL, "StopTrainingJob", &cancel_flag), 0);
    pthread_create(&th, NULL, cancel_later, NULL);
    cr_assert_eq(ratelimit_acquire(AWS_SAGEMAKER, NULL, "StopTrainingJob", &cancel_flag),
                 ERR_CANCELLED);
    pthread_join(th, NULL);
    ratelimit_set_clock(NULL);
}

Test(ratelimit_table, acquire_waits_real_time_for_next_token)
{
    struct timespec a, b;

    ratelimit_reset();
    cr_assert_eq(ratelimit_acquire(AWS_SAGEMAKER, NULL, "CreateTrainingJob", NULL), 0);
    clock_gettime(CLOCK_MONOTONIC, &a);
    cr_assert_eq(ratelimit_acquire(AWS_SAGEMAKER, NULL, "CreateTrainingJob", NULL), 0);
    clock_gettime(CLOCK_MONOTONIC, &b);
    long ms = (b.tv_sec - a.tv_sec) * 1000 + (b.tv_nsec - a.tv_nsec) / 1000000;
    cr_assert(ms >= 800 && ms < 2500, "1/s: the second call waits ~1 s, waited %ld", ms);
}

/* Throttles that do not come from the rate (every third answer refused, whatever the pace, as
 * test_sync_faults' 30 % faults do) keep the ceiling the first one taught: the rate comes back
 * at the recovery pace instead of crawling up from the floor at the probing pace. */
Test(ratelimit_bucket, transient_throttles_keep_the_ceiling)
{
    struct ratelimit_bucket b;
    int64_t t = 0;
    int n = 0;

    ratelimit_bucket_init(&b, 25.0, 1.0, t);
    while (t < 60000) {
        long w = ratelimit_bucket_take(&b, t);

        if (w > 0) {
            t += w;
            continue;
        }
        if (++n % 3 == 0)
            ratelimit_bucket_throttled(&b, t);
    }
    cr_assert_float_eq(b.ceiling_per_s, 25.0, 1e-9, "ceiling %.2f", b.ceiling_per_s);
    ratelimit_bucket_wait_ms(&b, t + 10000);
    cr_assert_geq(b.rate_per_s, 22.5 - 1e-9, "back to 90 %% of it in 10 s: %.2f", b.rate_per_s);
}
