/* sysmetrics.h: the host metrics of training jobs in the cache (CloudWatch namespace
 * /aws/sagemaker/TrainingJobs, dimension Host = "JOB/algo-N"): storage, reading, and the fetch
 * step the sync engine and `sagetop sysmetrics` run for one job.
 *
 * Values are stored raw, as CloudWatch gives them: GPUUtilization and GPUMemoryUtilization of
 * a multi-GPU instance are summed over its GPUs (up to N x 100 %); cache_sys_share() turns one
 * into a share of the instance (0..100 %) with the instance type's GPU count.
 *
 * Threads and errors as cache.h: a struct cache belongs to one thread; fallible functions
 * return 0 or a negative ERR_* and fill e. Hosts are stored as "algo-N" (the job prefix
 * removed). */
#ifndef SAGETOP_CACHE_SYSMETRICS_H
#define SAGETOP_CACHE_SYSMETRICS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "aws/client.h"
#include "aws/err.h"
#include "cache/cache.h"

#define CACHE_SYS_HOST_MAX 32
#define CACHE_SYS_METRIC_MAX 64
#define CACHE_SYS_RETENTION_1MIN_S (15 * 86400)  /* CloudWatch keeps 1-minute data 15 days */
#define CACHE_SYS_HOSTS_MAX 64                   /* hosts fetched per job at most */

/* The metrics SageMaker publishes per training host, in display order. */
extern const char *const cache_sys_metric_names[];
extern const size_t cache_sys_n_metrics;

struct cache_sys_point {
    char host[CACHE_SYS_HOST_MAX];        /* "algo-1" */
    char metric[CACHE_SYS_METRIC_MAX];    /* "GPUUtilization" */
    int64_t ts_s;                         /* epoch seconds, start of the period */
    int period_s;                         /* 60 or 300 */
    double value;                         /* raw */
};

struct cache_sys_point_list {
    struct cache_sys_point *items;
    size_t n, cap;
};
void cache_sys_point_list_clean(struct cache_sys_point_list *l);

/* Stores n points of (job, host, metric); a point already stored for that time is replaced
 * (CloudWatch's last minutes are revised as late samples arrive). ERR_NOTFOUND: no such job. */
int cache_sys_store(struct cache *c, const char *job, const char *host, const char *metric,
                    int period_s, const int64_t *ts_s, const double *values, size_t n,
                    struct err *e);
/* The points of a job ordered by metric, host, time; host and metric NULL = every one. */
int cache_sys_points(struct cache *c, const char *job, const char *host, const char *metric,
                     struct cache_sys_point_list *out, struct err *e);

/* The fetch cursor of a job: the newest stored time (0: nothing yet) and whether the job's
 * metrics are complete (it had ended when they were fetched). */
struct cache_sys_cursor {
    int64_t last_ts;
    bool done;
};
int cache_sys_cursor_get(struct cache *c, const char *job, struct cache_sys_cursor *out,
                         struct err *e);
int cache_sys_cursor_set(struct cache *c, const char *job, const struct cache_sys_cursor *cur,
                         struct err *e);

/* Pure: the period for a job that started at start_s, seen at now_s: 60 s, or 300 s once the
 * start is older than CloudWatch's 15-day 1-minute retention. */
int cache_sys_period_s(int64_t start_s, int64_t now_s);
/* Pure: the CloudWatch name of a host metric given as itself (any case) or by its short name:
 * cpu, mem, gpu, gpu_mem (or gpumem), disk. NULL when it is none of them. */
const char *cache_sys_metric_resolve(const char *name);
/* Pure: whether a metric is summed over an instance's GPUs (GPUUtilization,
 * GPUMemoryUtilization). */
bool cache_sys_metric_per_gpu(const char *metric);
/* Pure: a raw GPU figure as a share of the instance (raw / gpus); gpus <= 0: raw unchanged. */
double cache_sys_share(double raw, int gpus);

/* One fetch of a job's host metrics from CloudWatch into the cache (c read-write, client on
 * the same thread): from the cursor (the last few periods again, as CloudWatch revises them)
 * to now or the job's end, every host of the job ("algo-1".."algo-<instance_count>") and
 * every metric above, in GetMetricData batches. A job whose metrics are done is not fetched
 * again. *points (may be NULL) gets the points stored; *done whether the job is complete now. */
int cache_sys_fetch(struct cache *c, struct aws_client *client, const char *job, int64_t now_s,
                    int64_t *points, bool *done, struct err *e);

/* ---- reading for the screens (sysread.c) ---- */

/* The window of a job's "recent" mean: its newest 5 minutes of points. */
#define CACHE_SYS_RECENT_S 300
/* The SQL expression (over "jobs j") of a job's recent mean of a metric: the mean over every
 * host of its points in the CACHE_SYS_RECENT_S before its newest one (so a finished job reads
 * its last minutes), as a share of the instance's GPUs when per_gpu; NULL when the job has
 * none. It holds two placeholders, both the metric. The job list sorts and filters by it. */
const char *cache_sys_recent_sql(bool per_gpu);
/* That mean for n jobs (cache_job.id): out[i] when has[i]. */
int cache_sys_recent(struct cache *c, const int64_t *ids, size_t n, const char *metric,
                     double *out, bool *has, struct err *e);
/* The job's newest n per-period means over its hosts (GPU figures as a share of the instance
 * type's GPUs), oldest first, into out; returns how many (0 on any failure). */
size_t cache_sys_spark(struct cache *c, int64_t job_id, const char *instance_type,
                       const char *metric, double *out, size_t n);

#endif
