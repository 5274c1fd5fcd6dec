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
    cr_assert_float_eq(ratelimit_preset_per_s(AWS_LOGS, "GetLogEvents"), 10.0, 1e-9);
    cr_assert_float_eq(ratelimit_preset_per_s(AWS_LOGS, "FilterLogEvents"), 5.0, 1e-9);
    cr_assert_float_eq(ratelimit_preset_per_s(AWS_LOGS, "DescribeLogStreams"), 5.0, 1e-9);
    cr_assert_float_eq(ratelimit_preset_per_s(AWS_SAGEMAKER, "ListTrainingJobs"), 10.0, 1e-9);
    cr_assert_float_eq(ratelimit_preset_per_s(AWS_SAGEMAKER, "CreateTrainingJob"), 1.0, 1e-9);
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
        cr_assert_eq(ratelimit_acquire(AWS_LOGS, "FilterLogEvents", NULL), 0);
    cr_assert_gt(ratelimit_wait_ms(AWS_LOGS, "FilterLogEvents"), 0);
    cr_assert_eq(ratelimit_wait_ms(AWS_LOGS, "GetLogEvents"), 0, "other operation unaffected");
    ratelimit_on_throttle(AWS_LOGS, "GetLogEvents");
    long w = ratelimit_wait_ms(AWS_LOGS, "GetLogEvents");
    cr_assert(w >= 199 && w <= 201, "5/s -> 200 ms, got %ld", w);
    cr_assert_geq(ratelimit_service_wait_ms(AWS_LOGS), 199);
    cr_assert_eq(ratelimit_service_wait_ms(AWS_SAGEMAKER), 0);
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
    cr_assert_eq(ratelimit_acquire(AWS_SAGEMAKER, "StopTrainingJob", &cancel_flag), 0);
    pthread_create(&th, NULL, cancel_later, NULL);
    cr_assert_eq(ratelimit_acquire(AWS_SAGEMAKER, "StopTrainingJob", &cancel_flag),
                 ERR_CANCELLED);
    pthread_join(th, NULL);
    ratelimit_set_clock(NULL);
}

Test(ratelimit_table, acquire_waits_real_time_for_next_token)
{
    struct timespec a, b;

    ratelimit_reset();
    cr_assert_eq(ratelimit_acquire(AWS_SAGEMAKER, "CreateTrainingJob", NULL), 0);
    clock_gettime(CLOCK_MONOTONIC, &a);
    cr_assert_eq(ratelimit_acquire(AWS_SAGEMAKER, "CreateTrainingJob", NULL), 0);
    clock_gettime(CLOCK_MONOTONIC, &b);
    long ms = (b.tv_sec - a.tv_sec) * 1000 + (b.tv_nsec - a.tv_nsec) / 1000000;
    cr_assert(ms >= 800 && ms < 2500, "1/s: the second call waits ~1 s, waited %ld", ms);
}
