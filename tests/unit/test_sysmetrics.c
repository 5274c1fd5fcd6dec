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
#include "cache/alerts.h"
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

/* The job list's host-metric figure: the mean of the job's newest 5 minutes over every host,
 * GPU figures as a share of the instance's GPUs (ml.g5.12xlarge: 4); the same figure filters
 * (sys.gpu<20) and sorts, and the sparkline reads per-minute means, oldest first. */
Test(sysmetrics, recent_mean_filters_sorts_and_sparks)
{
    struct cache *c = open_rw();
    struct cache_job_query q = {0};
    struct cache_job rows[4];
    struct cache_job j;
    struct err e = {0};
    int64_t ts[7] = {60, 120, 180, 240, 300, 360, 420};
    /* busy (4 GPUs at 90 %) for the first two minutes, then near idle: the last 5 minutes
     * (120..420 excluded 120: ts > 420 - 300) are 180..420 */
    double busy[7] = {360, 360, 8, 8, 8, 8, 8}, half[7] = {200, 200, 200, 200, 200, 200, 200};
    double vals[2], spark[8];
    bool has[2];
    int64_t ids[2];
    size_t n = 0;

    store_job(c, "idle-job", 2, 1000, 0);
    store_job(c, "half-job", 1, 1000, 0);
    store_job(c, "no-metrics", 1, 1000, 0);
    cr_assert_eq(cache_sys_store(c, "idle-job", "algo-1", "GPUUtilization", 60, ts, busy, 7, &e), 0);
    cr_assert_eq(cache_sys_store(c, "idle-job", "algo-2", "GPUUtilization", 60, ts, busy, 7, &e), 0);
    cr_assert_eq(cache_sys_store(c, "half-job", "algo-1", "GPUUtilization", 60, ts, half, 7, &e), 0);
    cr_assert_eq(cache_job_get(c, "idle-job", &j, &e), 0);
    ids[0] = j.id;
    cr_assert_eq(cache_job_get(c, "no-metrics", &j, &e), 0);
    ids[1] = j.id;
    cr_assert_eq(cache_sys_recent(c, ids, 2, "GPUUtilization", vals, has, &e), 0, "%s", e.msg);
    cr_assert(has[0]);
    cr_assert_float_eq(vals[0], 2.0, 1e-9, "8 of 4 GPUs = 2 %%, not %g", vals[0]);
    cr_assert(!has[1], "a job without host metrics has no figure");

    cr_assert_eq(cache_cond_parse("sys.gpu<20", &q.conds[0], &e), 0, "%s", e.msg);
    cr_assert_str_eq(q.conds[0].key, "GPUUtilization");
    q.n_conds = 1;
    cr_assert_eq(cache_jobs_window(c, &q, 0, 4, rows, &n, &e), 0, "%s", e.msg);
    cr_assert_eq(n, 1);
    cr_assert_str_eq(rows[0].name, "idle-job");
    cr_assert_eq(cache_cond_parse("sys.gpu>=20", &q.conds[0], &e), 0);
    cr_assert_eq(cache_jobs_window(c, &q, 0, 4, rows, &n, &e), 0, "%s", e.msg);
    cr_assert_eq(n, 1);
    cr_assert_str_eq(rows[0].name, "half-job", "200 of 4 GPUs = 50 %%");
    cr_assert_eq(cache_cond_parse("sys.nope<2", &q.conds[0], &e), ERR_INVAL);
    cr_assert_eq(cache_cond_parse("sys.gpu:2", &q.conds[0], &e), ERR_INVAL);

    q.n_conds = 0;
    q.sort = "sys.gpu";
    q.descending = true;
    cr_assert_eq(cache_jobs_window(c, &q, 0, 4, rows, &n, &e), 0, "%s", e.msg);
    cr_assert_eq(n, 3);
    cr_assert_str_eq(rows[0].name, "half-job");
    cr_assert_str_eq(rows[1].name, "idle-job");
    cr_assert_str_eq(rows[2].name, "no-metrics", "missing sorts last");
    q.descending = false;
    cr_assert_eq(cache_jobs_window(c, &q, 0, 4, rows, &n, &e), 0, "%s", e.msg);
    cr_assert_str_eq(rows[0].name, "idle-job");
    cr_assert_str_eq(rows[2].name, "no-metrics", "missing sorts last either way");

    cr_assert_eq(cache_sys_spark(c, ids[0], "ml.g5.12xlarge", "GPUUtilization", spark, 8), 7);
    cr_assert_float_eq(spark[0], 90.0, 1e-9, "oldest first, as a share");
    cr_assert_float_eq(spark[6], 2.0, 1e-9);
    cr_assert_eq(cache_sys_spark(c, ids[0], "ml.g5.12xlarge", "GPUUtilization", spark, 3), 3);
    cr_assert_float_eq(spark[0], 2.0, 1e-9, "the newest n");
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
    /* from the minute of the job's creation (start - 60 = 1796599940), not its training start */
    cr_assert(strstr(r.body, "\"StartTime\":1796599920") != NULL,
              "start on the creation's minute: %.600s", r.body + 0);
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

/* The background mode's list pass (sync_jobs_queue_sys): every running, described job gets a
 * following host-metrics task, whether a view follows it or not; a finished job, a job not
 * described yet (its hosts are unknown) and a job already queued get none. */
Test(sysmetrics_sync, running_jobs_get_a_host_metrics_task, .init = setup, .fini = teardown)
{
    static long long fake[8];
    struct cache_job_summary js = {"listed-only", "arn:x:listed-only", "InProgress", NULL,
                                   900, 0, 900};
    struct sync_options o = {0};
    struct err e = {0};
    struct cache *c = open_rw();
    struct worker w = {0};
    struct sync *s;
    struct task *t;

    store_job(c, "run-a", 2, 1000, 0);
    store_job(c, "run-b", 1, 1000, 0);
    store_job(c, "done-c", 1, 1000, 2000);
    cr_assert_eq(cache_job_upsert_summary(c, &js, &e), 0, "%s", e.msg);
    o.cfg = (const struct aws_config *)fake;
    o.creds = (struct aws_creds_provider *)fake;
    o.cache_path = tmp_cache.path;
    o.host_metrics = true;
    s = sync_new(&o, &e);
    cr_assert_not_null(s, "%s", e.msg);
    t = sync_pool_task_add(s, TASK_SYS, "run-b", 5);
    cr_assert_not_null(t);
    w.s = s;
    w.cache = c;
    sync_jobs_queue_sys(&w);
    t = sync_pool_task_find(s, TASK_SYS, "run-a");
    cr_assert_not_null(t, "a running job is queued");
    cr_assert(t->follow, "and followed while it runs");
    cr_assert_not_null(sync_pool_task_find(s, TASK_SYS, "run-b"));
    cr_assert_null(sync_pool_task_find(s, TASK_SYS, "done-c"), "a finished job is not");
    cr_assert_null(sync_pool_task_find(s, TASK_SYS, "listed-only"), "nor an undescribed one");
    cr_assert_eq(s->n_tasks, 2, "run-b once");
    sync_free(s);
    cache_close(c);
}

/* cache_alerts_check (cache/alertcheck.c), the check `sagetop watch` and the TUI share: a host
 * threshold fires on the GPU share once and is returned once; the stall rule runs only when the
 * caller keeps the job's log current. */
Test(sysmetrics, alert_check_fires_once_and_skips_stall_without_logs)
{
    static const char cfg_text[] = "[alerts]\nalert sys.gpu<10\n";
    struct alerts_config cfg;
    struct alerts_alert out[8];
    struct cache *c = open_rw();
    struct err e = {0};
    int64_t ts[3] = {60, 120, 180};
    double busy[3] = {20, 20, 20};      /* of 4 GPUs: 5 % */
    size_t n = 99;
    bool final = true;

    cr_assert_eq(alerts_config_parse(cfg_text, strlen(cfg_text), &cfg, &e), 0, "%s", e.msg);
    store_job(c, "job-a", 1, 1000, 0);
    cr_assert_eq(cache_sys_store(c, "job-a", "algo-1", "GPUUtilization", 60, ts, busy, 3, &e), 0);
    cr_assert_eq(cache_alerts_check(c, &cfg, "job-a", 100000, false, out, 8, &n, &final, &e), 0,
                 "%s", e.msg);
    cr_assert(!final);
    cr_assert_eq(n, 1, "the threshold alone: no stall without a kept log (got %zu)", n);
    cr_assert_eq(out[0].rule, ALERT_THRESHOLD);
    cr_assert_str_eq(out[0].key, "sys.gpu<10");
    cr_assert_eq(cache_alerts_check(c, &cfg, "job-a", 100010, false, out, 8, &n, &final, &e), 0);
    cr_assert_eq(n, 0, "fired once");
    cr_assert_eq(cache_alerts_check(c, &cfg, "job-a", 100020, true, out, 8, &n, &final, &e), 0);
    cr_assert_eq(n, 1, "with the log kept, a stall since the start fires");
    cr_assert_eq(out[0].rule, ALERT_STALLED);
    cr_assert_eq(cache_alerts_check(c, &cfg, "nope", 100020, true, out, 8, &n, &final, &e),
                 ERR_NOTFOUND);
    cache_close(c);
}
