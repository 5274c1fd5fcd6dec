/* ratelimit.c: per-operation token buckets with AIMD after throttling (see ratelimit.h).
 *
 * Owns the process-wide table of buckets (fixed size, under one mutex). Must not do I/O or
 * call AWS; ratelimit_acquire() sleeps in short slices so a cancel is seen quickly.
 *
 * Presets (requests per second per account and Region, as documented by AWS):
 *   CloudWatch Logs, from the quotas table of "CloudWatch Logs quotas"
 *     (docs.aws.amazon.com/AmazonCloudWatch/latest/logs/cloudwatch_limits_cwl.html):
 *     GetLogEvents 25 TPS ("Each of the other supported Regions: 25 per second"), except 10 in
 *     us-west-2, ap-northeast-3, ap-southeast-3, ca-west-1, eu-central-1, eu-west-1 and
 *     il-central-1, and 30 in eu-west-3; DescribeLogStreams 25 TPS; FilterLogEvents 10 TPS
 *     (25 in us-east-1, 5 in ap-northeast-3, ap-southeast-3, ca-west-1, eu-central-1,
 *     il-central-1). Older pages said 10 for GetLogEvents and 5 for DescribeLogStreams: we
 *     start at the table's figure and let the AIMD back off when an account has less (the
 *     SDKs' adaptive retry mode does the same with no preset at all). FilterLogEvents stays
 *     at 5 (the Knowledge Center's "How do I determine throttling in my CloudWatch logs?":
 *     5 TPS, hard). DescribeLogStreams starts at the table's 25 like GetLogEvents (its API
 *     reference still says five): a first sync lists the streams of every job it reads, and
 *     at 5/s the 200 listings of `make bench`'s 200-job sync took 40 s of a sync whose 400 pages
 *     need 16 s at 25/s.
 *   SageMaker publishes no per-API rate (AWS_NOTES.md 1.6; Knowledge Center
 *     "sagemaker-python-throttlingexception" only says calls are limited per account and
 *     Region): we stay at 10/s for reads and 1/s for CreateTrainingJob/StopTrainingJob.
 *   S3: 3,500 PUT and 5,500 GET per second per prefix (S3 performance guidelines): 50/s is
 *     far below and still never the bottleneck here. STS: 10/s. */
#include "aws/ratelimit.h"

#include <pthread.h>
#include <stdbool.h>
#include <string.h>
#include <time.h>

#include "aws/cloudwatch.h"

#define RATELIMIT_MAX_OPS 64
#define RATELIMIT_OP_MAX 64
#define RATELIMIT_REGION_MAX 32
#define RATELIMIT_SLICE_MS 50
#define RATELIMIT_BURST_S 0.5       /* bucket capacity, in seconds of the preset rate */

/* ---- the bucket (pure) -------------------------------------------------------------------- */

void ratelimit_bucket_init(struct ratelimit_bucket *b, double rate_per_s, double burst,
                           int64_t now_ms)
{
    memset(b, 0, sizeof(*b));
    b->preset_per_s = rate_per_s > RATELIMIT_MIN_PER_S ? rate_per_s : RATELIMIT_MIN_PER_S;
    b->rate_per_s = b->preset_per_s;
    b->burst = burst >= 1.0 ? burst : 1.0;
    b->tokens = b->burst;
    b->last_ms = now_ms;
}

/* Grows a throttled rate back over dt_s: linearly to a share of the ceiling (the rate last
 * throttled at) at the recovery pace, then up to the preset at the slower probing pace. */
static void grow(struct ratelimit_bucket *b, double dt_s)
{
    double top = b->ceiling_per_s > 0.0 ? b->ceiling_per_s : b->preset_per_s;
    double ceiling = top * RATELIMIT_CEILING_SHARE;

    if (ceiling > b->preset_per_s)
        ceiling = b->preset_per_s;
    while (dt_s > 0.0 && b->rate_per_s < b->preset_per_s) {
        bool below = b->rate_per_s < ceiling;
        double pace = below ? top / RATELIMIT_RECOVERY_S
                            : b->preset_per_s / RATELIMIT_PROBE_S;
        double target = below ? ceiling : b->preset_per_s;
        double need_s = (target - b->rate_per_s) / pace;

        if (need_s > dt_s) {
            b->rate_per_s += dt_s * pace;
            break;
        }
        b->rate_per_s = target;
        dt_s -= need_s;
    }
}

/* Refills for the time since the last call, growing a throttled rate back first. */
static void refill(struct ratelimit_bucket *b, int64_t now_ms)
{
    double dt_s;

    if (now_ms <= b->last_ms)
        return;
    dt_s = (double)(now_ms - b->last_ms) / 1000.0;
    b->tokens += dt_s * b->rate_per_s;
    if (b->tokens > b->burst)
        b->tokens = b->burst;
    grow(b, dt_s);
    b->last_ms = now_ms;
}

static long ms_until_token(const struct ratelimit_bucket *b)
{
    double missing = 1.0 - b->tokens;

    if (missing <= 0.0)
        return 0;
    /* round up: waking early would only find no token again */
    return (long)(missing / b->rate_per_s * 1000.0) + 1;
}

long ratelimit_bucket_take(struct ratelimit_bucket *b, int64_t now_ms)
{
    refill(b, now_ms);
    if (b->tokens >= 1.0) {
        b->tokens -= 1.0;
        return 0;
    }
    return ms_until_token(b);
}

long ratelimit_bucket_wait_ms(struct ratelimit_bucket *b, int64_t now_ms)
{
    refill(b, now_ms);
    return ms_until_token(b);
}

void ratelimit_bucket_throttled(struct ratelimit_bucket *b, int64_t now_ms)
{
    refill(b, now_ms);
    /* A throttle teaches a ceiling only when it ends a calm spell: the throttles that follow
     * within RATELIMIT_EPISODE_REQS requests' time belong to the same episode (the backlog of
     * that one excess), so they halve the rate without lowering the ceiling. Without this,
     * throttles that do not come from the rate (a service's transient refusals, 30 % of the
     * answers in test_sync_faults) would lower the ceiling on every answer and keep the rate
     * on the floor for minutes. */
    if (b->ceiling_per_s <= 0.0 ||
        (double)(now_ms - b->throttled_ms) > RATELIMIT_EPISODE_REQS / b->rate_per_s * 1000.0)
        b->ceiling_per_s = b->rate_per_s;
    b->rate_per_s /= 2.0;
    if (b->rate_per_s < RATELIMIT_MIN_PER_S)
        b->rate_per_s = RATELIMIT_MIN_PER_S;
    if (b->tokens > 0.0)
        b->tokens = 0.0;
    b->throttled_ms = now_ms;
}

/* ---- presets ------------------------------------------------------------------------------ */

struct preset {
    enum aws_service svc;
    const char *op;          /* NULL: the service's default */
    double per_s;
};

/* Regions where an operation's quota differs from the presets below (quotas page above). */
struct region_preset {
    const char *region;
    const char *op;
    double per_s;
};

static const struct region_preset region_presets[] = {
    {"us-west-2", "GetLogEvents", 10.0},
    {"ap-northeast-3", "GetLogEvents", 10.0},
    {"ap-southeast-3", "GetLogEvents", 10.0},
    {"ca-west-1", "GetLogEvents", 10.0},
    {"eu-central-1", "GetLogEvents", 10.0},
    {"eu-west-1", "GetLogEvents", 10.0},
    {"il-central-1", "GetLogEvents", 10.0},
    {"eu-west-3", "GetLogEvents", 30.0},
};

static const struct preset presets[] = {
    {AWS_LOGS, "GetLogEvents", 25.0},
    {AWS_LOGS, "FilterLogEvents", 5.0},
    {AWS_LOGS, "DescribeLogStreams", 25.0},
    {AWS_LOGS, NULL, 5.0},
    {AWS_SAGEMAKER, "CreateTrainingJob", 1.0},
    {AWS_SAGEMAKER, "StopTrainingJob", 1.0},
    {AWS_SAGEMAKER, NULL, 10.0},
    {AWS_S3, NULL, 50.0},
    {AWS_STS, NULL, 10.0},
    {AWS_SSO, NULL, 10.0},
    /* quota 50 TPS; 4/s with cloudwatch.h's per-call point budget stays under 180,000 DPS */
    {AWS_CLOUDWATCH, "GetMetricData", CLOUDWATCH_GMD_PER_S},
    {AWS_CLOUDWATCH, NULL, 5.0},                /* ListMetrics: quota 25 TPS */
};

double ratelimit_preset_per_s(enum aws_service svc, const char *operation)
{
    const struct preset *fallback = NULL;

    for (size_t i = 0; i < sizeof(presets) / sizeof(presets[0]); i++) {
        if (presets[i].svc != svc)
            continue;
        if (presets[i].op == NULL)
            fallback = &presets[i];
        else if (operation != NULL && strcmp(presets[i].op, operation) == 0)
            return presets[i].per_s;
    }
    return fallback != NULL ? fallback->per_s : 10.0;
}

double ratelimit_region_preset_per_s(enum aws_service svc, const char *region,
                                     const char *operation)
{
    size_t i;

    for (i = 0; svc == AWS_LOGS && region != NULL && operation != NULL &&
                i < sizeof(region_presets) / sizeof(region_presets[0]); i++)
        if (strcmp(region_presets[i].region, region) == 0 &&
            strcmp(region_presets[i].op, operation) == 0)
            return region_presets[i].per_s;
    return ratelimit_preset_per_s(svc, operation);
}

/* ---- the process-wide table --------------------------------------------------------------- */

struct slot {
    bool used;
    enum aws_service svc;
    char region[RATELIMIT_REGION_MAX];
    char op[RATELIMIT_OP_MAX];
    struct ratelimit_bucket bucket;
};

static pthread_mutex_t table_lock = PTHREAD_MUTEX_INITIALIZER;
static struct slot table[RATELIMIT_MAX_OPS];
static struct ratelimit_bucket overflow_bucket; /* shared by operations past the table */
static bool overflow_ready;
static ratelimit_clock_fn clock_fn;

static int64_t now_ms(void)
{
    struct timespec ts;

    if (clock_fn != NULL)
        return clock_fn();
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

void ratelimit_set_clock(ratelimit_clock_fn fn)
{
    pthread_mutex_lock(&table_lock);
    clock_fn = fn;
    pthread_mutex_unlock(&table_lock);
}

void ratelimit_reset(void)
{
    pthread_mutex_lock(&table_lock);
    memset(table, 0, sizeof(table));
    overflow_ready = false;
    pthread_mutex_unlock(&table_lock);
}

/* The bucket of (svc, op), created at its preset; call with the lock held. The burst is half
 * a second's worth (at least 1): AWS's own bucket for the operation refills at the same rate,
 * so with a full second's burst a busy sync ran it dry and kept it at zero, and any jitter in
 * arrival times (two requests landing 60 ms apart at 10/s) came back throttled. Half a
 * second's worth stays unused on AWS's side as slack for that jitter. */
static struct ratelimit_bucket *bucket_for(enum aws_service svc, const char *region,
                                           const char *op, int64_t t)
{
    const char *name = op != NULL ? op : "", *where = region != NULL ? region : "";
    double rate;

    for (size_t i = 0; i < RATELIMIT_MAX_OPS; i++) {
        struct slot *s = &table[i];
        if (s->used && s->svc == svc && strcmp(s->op, name) == 0 &&
            strcmp(s->region, where) == 0)
            return &s->bucket;
        if (!s->used && strlen(name) < sizeof(s->op) && strlen(where) < sizeof(s->region)) {
            rate = ratelimit_region_preset_per_s(svc, region, op);
            s->used = true;
            s->svc = svc;
            strcpy(s->op, name);
            strcpy(s->region, where);
            ratelimit_bucket_init(&s->bucket, rate, rate * RATELIMIT_BURST_S, t);
            return &s->bucket;
        }
    }
    if (!overflow_ready) {
        ratelimit_bucket_init(&overflow_bucket, 5.0, 5.0, t);
        overflow_ready = true;
    }
    return &overflow_bucket;
}

static void sleep_ms(long ms)
{
    struct timespec ts = {ms / 1000, (ms % 1000) * 1000000L};

    while (nanosleep(&ts, &ts) != 0)
        ;
}

int ratelimit_acquire(enum aws_service svc, const char *region, const char *operation,
                      volatile sig_atomic_t *cancel)
{
    for (;;) {
        long wait;

        if (cancel != NULL && *cancel != 0)
            return ERR_CANCELLED;
        pthread_mutex_lock(&table_lock);
        int64_t t = now_ms();
        wait = ratelimit_bucket_take(bucket_for(svc, region, operation, t), t);
        pthread_mutex_unlock(&table_lock);
        if (wait == 0)
            return 0;
        sleep_ms(wait < RATELIMIT_SLICE_MS ? wait : RATELIMIT_SLICE_MS);
    }
}

void ratelimit_on_throttle(enum aws_service svc, const char *region, const char *operation)
{
    pthread_mutex_lock(&table_lock);
    int64_t t = now_ms();
    ratelimit_bucket_throttled(bucket_for(svc, region, operation, t), t);
    pthread_mutex_unlock(&table_lock);
}

double ratelimit_rate_per_s(enum aws_service svc, const char *region, const char *operation)
{
    double rate;

    pthread_mutex_lock(&table_lock);
    int64_t t = now_ms();
    struct ratelimit_bucket *b = bucket_for(svc, region, operation, t);
    ratelimit_bucket_wait_ms(b, t);     /* grows a throttled rate back to now */
    rate = b->rate_per_s;
    pthread_mutex_unlock(&table_lock);
    return rate;
}

/* The longest wait over the buckets of svc (and operation, when not NULL) in every Region;
 * call with the lock held. */
static long worst_wait_ms(enum aws_service svc, const char *operation, int64_t t)
{
    long worst = 0;

    for (size_t i = 0; i < RATELIMIT_MAX_OPS; i++) {
        if (table[i].used && table[i].svc == svc &&
            (operation == NULL || strcmp(table[i].op, operation) == 0)) {
            long w = ratelimit_bucket_wait_ms(&table[i].bucket, t);
            worst = w > worst ? w : worst;
        }
    }
    return worst;
}

long ratelimit_wait_ms(enum aws_service svc, const char *operation)
{
    long wait;

    pthread_mutex_lock(&table_lock);
    wait = worst_wait_ms(svc, operation != NULL ? operation : "", now_ms());
    pthread_mutex_unlock(&table_lock);
    return wait;
}

long ratelimit_service_wait_ms(enum aws_service svc)
{
    long worst;

    pthread_mutex_lock(&table_lock);
    worst = worst_wait_ms(svc, NULL, now_ms());
    pthread_mutex_unlock(&table_lock);
    return worst;
}
