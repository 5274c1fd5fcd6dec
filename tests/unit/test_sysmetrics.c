/* test_sysmetrics.c: host metrics in the cache (cache/sysmetrics.c): storing and reading,
 * the cursor, the period rule at the 15-day retention, the GPU share, the GPU table, and a
 * fetch against the loopback server (which hosts and metrics are asked, from where, and that a
 * finished job is fetched once). */
#include <criterion/criterion.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "aws/instance_types.h"
#include "cache/cache.h"
#include "cache/sync_internal.h"
#include "cache/sysmetrics.h"
#include "support/loopback_aws.h"
#include "support/tmp_cache.h"

/* A private cache per test (support/tmp_cache.h). */
static void setup(void)
{
    cr_assert_eq(tmp_cache_make("sys", "cache.db"), 0);
}

static void teardown(void)
{
    cr_assert_eq(tmp_cache_remove(), 0);
}

static struct cache *open_rw(void)
{
    struct err e = { 0 };
    struct cache *c = tmp_cache_open(&e);

    cr_assert_not_null(c, "%s", e.msg);
    return c;
}

/* A described job of `hosts` ml.g5.12xlarge instances that started at start (and ended at end
 * when end > 0). */
static void store_job(struct cache *c, const char *name, int hosts, long start, long end)
{
    char doc[2048];
    struct err e = {0};

    snprintf(doc, sizeof(doc),
             "{\"TrainingJobName\":\"%s\",\"TrainingJobArn\":\"arn:x:%s\","
             "\"TrainingJobStatus\":\"%s\",\"SecondaryStatus\":\"%s\",\"CreationTime\":%ld,"
             "\"TrainingStartTime\":%ld,%s%ld,\"LastModifiedTime\":%ld,"
             "\"AlgorithmSpecification\":{\"TrainingImage\":\"i\",\"TrainingInputMode\":\"File\"},"
             "\"ResourceConfig\":{\"InstanceType\":\"ml.g5.12xlarge\",\"InstanceCount\":%d,"
             "\"VolumeSizeInGB\":30}}",
             name, name, end > 0 ? "Completed" : "InProgress", end > 0 ? "Completed" : "Training",
             start - 60, start, end > 0 ? "\"TrainingEndTime\":" : "\"X\":", end > 0 ? end : 0,
             start, hosts);
    cr_assert_eq(cache_job_store_describe(c, doc, strlen(doc), &e), 0, "%s", e.msg);
}

TestSuite(sysmetrics, .init = setup, .fini = teardown);

Test(sysmetrics, store_read_and_replace)
{
    struct cache *c = open_rw();
    struct cache_sys_point_list l = {0};
    struct err e = {0};
    int64_t ts[3] = {120, 60, 180};
    double v[3] = {50.0, 40.0, NAN};
    double again = 55.0;

    store_job(c, "job-a", 2, 1000, 0);
    cr_assert_eq(cache_sys_store(c, "job-a", "algo-1", "GPUUtilization", 60, ts, v, 3, &e), 0,
                 "%s", e.msg);
    cr_assert_eq(cache_sys_store(c, "job-a", "algo-2", "CPUUtilization", 60, ts, v, 1, &e), 0);
    cr_assert_eq(cache_sys_store(c, "job-a", "algo-1", "GPUUtilization", 60, ts, &again, 1, &e),
                 0, "a revised point replaces the stored one");
    cr_assert_eq(cache_sys_store(c, "nope", "algo-1", "GPUUtilization", 60, ts, v, 1, &e),
                 ERR_NOTFOUND);
    cr_assert_eq(cache_sys_points(c, "job-a", NULL, "GPUUtilization", &l, &e), 0, "%s", e.msg);
    cr_assert_eq(l.n, 3);
    cr_assert_eq(l.items[0].ts_s, 60, "ordered by time");
    cr_assert_eq(l.items[0].value, 40.0);
    cr_assert_eq(l.items[1].value, 55.0);
    cr_assert(isnan(l.items[2].value), "a non-finite value reads back as NaN");
    cr_assert_str_eq(l.items[1].host, "algo-1");
    cr_assert_eq(l.items[1].period_s, 60);
    cache_sys_point_list_clean(&l);
    cr_assert_eq(cache_sys_points(c, "job-a", "algo-2", NULL, &l, &e), 0);
    cr_assert_eq(l.n, 1);
    cr_assert_str_eq(l.items[0].metric, "CPUUtilization");
    cache_sys_point_list_clean(&l);
    cr_assert_eq(cache_sys_points(c, "job-a", "algo-1' OR 1=1 --", NULL, &l, &e), ERR_INVAL);
    cache_close(c);
}

Test(sysmetrics, cursor_round_trip)
{
    struct cache *c = open_rw();
    struct cache_sys_cursor cur = {0}, set = {1234, true};
    struct err e = {0};

    store_job(c, "job-a", 1, 1000, 0);
    cr_assert_eq(cache_sys_cursor_get(c, "job-a", &cur, &e), 0, "%s", e.msg);
    cr_assert_eq(cur.last_ts, 0);
    cr_assert(!cur.done);
    cr_assert_eq(cache_sys_cursor_set(c, "job-a", &set, &e), 0, "%s", e.msg);
    cr_assert_eq(cache_sys_cursor_get(c, "job-a", &cur, &e), 0);
    cr_assert_eq(cur.last_ts, 1234);
    cr_assert(cur.done);
    cache_close(c);
}

Test(sysmetrics, period_share_and_gpu_table)
{
    cr_assert_eq(cache_sys_period_s(0, 15 * 86400), 60, "exactly 15 days: still 1 minute");
    cr_assert_eq(cache_sys_period_s(0, 15 * 86400 + 1), 300);
    cr_assert_eq(cache_sys_share(400.0, 4), 100.0);
    cr_assert_eq(cache_sys_share(350.0, 8), 43.75);
    cr_assert_eq(cache_sys_share(35.0, 0), 35.0, "unknown GPU count: raw");
    cr_assert_eq(instance_types_gpus("ml.p4d.24xlarge"), 8);
    cr_assert_eq(instance_types_gpus("ml.g5.12xlarge"), 4);
    cr_assert_eq(instance_types_gpus("ml.g5.2xlarge"), 1);
    cr_assert_eq(instance_types_gpus("ml.m5.xlarge"), 0);
    cr_assert_eq(instance_types_gpus(NULL), 0);
}

static const char ctype[] = "application/x-amz-json-1.0";

Test(sysmetrics, fetch_asks_every_host_and_metric_and_finishes_once)
{
    struct loopback_aws l;
    struct cache *c;
    struct cache_sys_point_list pts = {0};
    struct cache_sys_cursor cur;
    struct loopback_request r;
    struct err e = {0};
    int64_t n = -1;
    bool done = false;
    long start = 1796600000, end = 1796603600, now = end + 3600;

    cr_assert_eq(loopback_aws_open(&l, &e), 0, "%s", e.msg);
    c = open_rw();
    store_job(c, "job-b", 2, start, end);
    /* q7 = host 2 (queries 5..9), metric 2 (GPUUtilization) */
    loopback_http_route(l.srv, "POST", "/", 200, ctype,
                        "{\"MetricDataResults\":[{\"Id\":\"q7\",\"Timestamps\":[1796600100,"
                        "1796600040],\"Values\":[380.5,12.0],\"StatusCode\":\"Complete\"}]}");
    cr_assert_eq(cache_sys_fetch(c, l.client, "job-b", now, &n, &done, &e), 0, "%s", e.msg);
    cr_assert_eq(n, 2);
    cr_assert(done, "ended an hour ago: complete");
    cr_assert_eq(loopback_http_count(l.srv), 1, "10 queries fit one call");
    cr_assert_eq(loopback_http_request(l.srv, 0, &r), 0);
    cr_assert(strstr(r.body, "\"Value\":\"job-b/algo-2\"") != NULL, "%.300s", r.body);
    cr_assert(strstr(r.body, "\"Id\":\"q9\"") != NULL);
    cr_assert(strstr(r.body, "\"Id\":\"q10\"") == NULL);
    cr_assert(strstr(r.body, "\"StartTime\":1796599980") != NULL, "start on a minute: %.600s",
              r.body + 0);
    cr_assert(strstr(r.body, "\"EndTime\":1796603640") != NULL, "to the end's minute");
    cr_assert_eq(cache_sys_points(c, "job-b", NULL, NULL, &pts, &e), 0);
    cr_assert_eq(pts.n, 2);
    cr_assert_str_eq(pts.items[0].host, "algo-2");
    cr_assert_str_eq(pts.items[0].metric, "GPUUtilization");
    cr_assert_eq(pts.items[0].ts_s, 1796600040);
    cr_assert_eq(pts.items[1].value, 380.5);
    cache_sys_point_list_clean(&pts);
    cr_assert_eq(cache_sys_cursor_get(c, "job-b", &cur, &e), 0);
    cr_assert_eq(cur.last_ts, 1796600100);
    /* fetched once: no second request */
    cr_assert_eq(cache_sys_fetch(c, l.client, "job-b", now + 60, &n, &done, &e), 0);
    cr_assert_eq(n, 0);
    cr_assert_eq(loopback_http_count(l.srv), 1);
    cache_close(c);
    loopback_aws_close(&l);
}

Test(sysmetrics, a_running_job_is_fetched_from_its_cursor)
{
    struct loopback_aws l;
    struct cache *c;
    struct loopback_request r;
    struct err e = {0};
    struct cache_sys_cursor cur = {1796601000, false};
    bool done = true;
    long start = 1796600000, now = 1796601234;

    cr_assert_eq(loopback_aws_open(&l, &e), 0, "%s", e.msg);
    c = open_rw();
    store_job(c, "job-c", 1, start, 0);
    cr_assert_eq(cache_sys_cursor_set(c, "job-c", &cur, &e), 0);
    loopback_http_route(l.srv, "POST", "/", 200, ctype, "{\"MetricDataResults\":[]}");
    cr_assert_eq(cache_sys_fetch(c, l.client, "job-c", now, NULL, &done, &e), 0, "%s", e.msg);
    cr_assert(!done);
    cr_assert_eq(loopback_http_request(l.srv, 0, &r), 0);
    /* three periods before the cursor, on a minute boundary */
    cr_assert(strstr(r.body, "\"StartTime\":1796600820") != NULL, "%.900s", r.body);
    cr_assert(strstr(r.body, "\"EndTime\":1796601240") != NULL, "%.900s", r.body);
    cr_assert(strstr(r.body, "\"Period\":60") != NULL);
    cache_close(c);
    loopback_aws_close(&l);
}

Test(sysmetrics, metric_names_resolve)
{
    cr_assert_str_eq(cache_sys_metric_resolve("gpu"), "GPUUtilization");
    cr_assert_str_eq(cache_sys_metric_resolve("GPUUtilization"), "GPUUtilization");
    cr_assert_str_eq(cache_sys_metric_resolve("gpuutilization"), "GPUUtilization");
    cr_assert_str_eq(cache_sys_metric_resolve("gpu_mem"), "GPUMemoryUtilization");
    cr_assert_str_eq(cache_sys_metric_resolve("gpumem"), "GPUMemoryUtilization");
    cr_assert_str_eq(cache_sys_metric_resolve("mem"), "MemoryUtilization");
    cr_assert_str_eq(cache_sys_metric_resolve("memory"), "MemoryUtilization");
    cr_assert_str_eq(cache_sys_metric_resolve("cpu"), "CPUUtilization");
    cr_assert_str_eq(cache_sys_metric_resolve("disk"), "DiskUtilization");
    cr_assert_null(cache_sys_metric_resolve("loss"));
    cr_assert(cache_sys_metric_per_gpu("GPUMemoryUtilization"));
    cr_assert(!cache_sys_metric_per_gpu("CPUUtilization"));
}

/* The sync pool's TASK_SYS (cache/sync_pool.c), on an engine that is never started: unfollowing
 * a job drops its host-metrics task with its logs task (at once when idle, after the pass in
 * progress when busy). */
Test(sysmetrics_sync, unfollow_drops_the_host_metrics_task)
{
    static long long fake[8];
    struct sync_options o = {0};
    struct err e = {0};
    struct sync *s;
    struct task *t, snap;

    o.cfg = (const struct aws_config *)fake;
    o.creds = (struct aws_creds_provider *)fake;
    o.cache_path = "/nonexistent/cache.db";
    o.host_metrics = true;
    s = sync_new(&o, &e);
    cr_assert_not_null(s, "%s", e.msg);
    sync_follow(s, "job-a");
    t = sync_pool_task_add(s, TASK_SYS, "job-a", 5);
    cr_assert_not_null(t);
    t->follow = true;
    t->busy = true;
    snap = *t;
    sync_unfollow(s, "job-a");
    cr_assert_null(sync_pool_task_find(s, TASK_LOGS, "job-a"), "idle: dropped at once");
    t = sync_pool_task_find(s, TASK_SYS, "job-a");
    cr_assert_not_null(t, "busy: kept until its pass ends");
    cr_assert(!t->follow);
    sync_pool_task_settle(s, &snap, 70000);
    cr_assert_null(sync_pool_task_find(s, TASK_SYS, "job-a"), "then dropped");
    cr_assert_eq(s->n_tasks, 0);
    sync_free(s);
}
