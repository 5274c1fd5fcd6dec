/* cmd_sysmetrics.c: `sagetop sysmetrics JOB [--metric NAME] [--host algo-N]
 * [--format table|csv|json]`: a job's CloudWatch host metrics (CPU, memory, GPU, GPU memory,
 * disk per host). Online it first brings the cache up to date (the job's describe, then
 * cache_sys_fetch); --offline reads the cache only. Also the `sys.` source of `sagetop plot`
 * (cli_sys_series()).
 *
 * GPU figures are printed raw (CloudWatch sums them over an instance's GPUs) and, where the
 * instance type's GPU count is known, as a share of the instance. Prints; never decides
 * anything about alerts. */
#include <jansson.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "aws/instance_types.h"
#include "cache/cache.h"
#include "cache/session.h"
#include "cache/sync.h"
#include "cache/sysmetrics.h"
#include "cli/cli.h"
#include "metrics/series.h"

enum sys_fmt { SYS_TABLE, SYS_CSV, SYS_JSON };

struct sys_args {
    const char *job;
    const char *metric;         /* CloudWatch name, NULL = all */
    const char *host;           /* NULL = all */
    enum sys_fmt fmt;
};

static void sys_usage(FILE *f)
{
    fputs("usage: sagetop sysmetrics JOB [--metric NAME] [--host algo-N]"
          " [--format table|csv|json]\n"
          "  NAME: CPUUtilization MemoryUtilization GPUUtilization GPUMemoryUtilization\n"
          "        DiskUtilization, or cpu mem gpu gpu_mem disk\n",
          f);
}

static int parse_args(int argc, char **argv, struct sys_args *a, bool *help)
{
    const char *v;

    memset(a, 0, sizeof(*a));
    *help = false;
    for (int i = 1; i < argc; i++) {
        int t;

        if (strcmp(argv[i], "--help") == 0 || strcmp(argv[i], "-h") == 0) {
            *help = true;
            return 0;
        }
        if ((t = cli_take_value(argc, argv, &i, "--metric", &v)) != 0) {
            if (t < 0 || (a->metric = cache_sys_metric_resolve(v)) == NULL)
                return cli_usage_error("sysmetrics", "unknown host metric '%s'",
                                       t < 0 ? "" : v);
        } else if ((t = cli_take_value(argc, argv, &i, "--host", &v)) != 0) {
            if (t < 0)
                return cli_usage_error("sysmetrics", "--host needs a value (algo-1)");
            a->host = v;
        } else if ((t = cli_take_value(argc, argv, &i, "--format", &v)) != 0) {
            if (t > 0 && strcmp(v, "table") == 0)
                a->fmt = SYS_TABLE;
            else if (t > 0 && strcmp(v, "csv") == 0)
                a->fmt = SYS_CSV;
            else if (t > 0 && strcmp(v, "json") == 0)
                a->fmt = SYS_JSON;
            else
                return cli_usage_error("sysmetrics", "--format is table, csv or json");
        } else if (argv[i][0] == '-') {
            return cli_usage_error("sysmetrics", "unknown option '%s'", argv[i]);
        } else if (a->job == NULL) {
            a->job = argv[i];
        } else {
            return cli_usage_error("sysmetrics", "one job at a time");
        }
    }
    if (a->job == NULL)
        return cli_usage_error("sysmetrics", "which job? sagetop sysmetrics JOB");
    return 0;
}

/* Online: the job's describe (for its hosts and times), then its host metrics. */
static int refresh(const struct cli_aws *aws, struct cache *c, const char *job, struct err *e)
{
    struct sync_options so;
    const char *names[1] = {job};
    struct sync_plan plan = {false, names, 1, SYNC_LOGS_NONE, 0, false};
    struct sync *s;
    int rc;

    cli_sync_options(&so, aws, c, 1);
    s = sync_new(&so, e);
    rc = s != NULL ? sync_run(s, &plan, e) : e->code;
    sync_free(s);
    if (rc != 0)
        return rc;
    return cache_sys_fetch(c, aws->client, job, (int64_t)time(NULL), NULL, NULL, e);
}

static void iso_time(int64_t ts, char *buf, size_t n)
{
    time_t t = (time_t)ts;
    struct tm tm;

    gmtime_r(&t, &tm);
    strftime(buf, n, "%Y-%m-%dT%H:%M:%SZ", &tm);
}

/* The share of the instance for GPU metrics (NaN when not a GPU metric or unknown). */
static double share_of(const struct cache_sys_point *p, int gpus)
{
    if (!cache_sys_metric_per_gpu(p->metric) || gpus <= 0 || !isfinite(p->value))
        return NAN;
    return cache_sys_share(p->value, gpus);
}

static void print_csv(const struct sys_args *a, const struct cache_sys_point_list *l, int gpus)
{
    char when[32];

    printf("job,host,metric,time,period,value,share\n");
    for (size_t i = 0; i < l->n; i++) {
        const struct cache_sys_point *p = &l->items[i];
        double sh = share_of(p, gpus);

        iso_time(p->ts_s, when, sizeof(when));
        printf("%s,%s,%s,%s,%d,", a->job, p->host, p->metric, when, p->period_s);
        if (isfinite(p->value))
            printf("%.15g", p->value);
        putchar(',');
        if (isfinite(sh))
            printf("%.15g", sh);
        putchar('\n');
    }
}

static json_t *num_or_null(double v)
{
    return isfinite(v) ? json_real(v) : json_null();
}

/* {"job", "instance_type", "gpus", "series": [{"host", "metric", "period", "points": [[t, v],
 * ...]}]}: one series per (metric, host), points oldest first, t in epoch seconds. */
static int print_json(const struct sys_args *a, const struct cache_job *j,
                      const struct cache_sys_point_list *l, int gpus)
{
    json_t *root = json_pack("{s:s, s:s, s:i, s:[]}", "job", a->job, "instance_type",
                             j->instance_type, "gpus", gpus, "series");
    json_t *arr = json_object_get(root, "series"), *cur = NULL;
    int rc;

    for (size_t i = 0; root != NULL && i < l->n; i++) {
        const struct cache_sys_point *p = &l->items[i];

        if (i == 0 || strcmp(p->host, l->items[i - 1].host) != 0 ||
            strcmp(p->metric, l->items[i - 1].metric) != 0) {
            json_t *s = json_pack("{s:s, s:s, s:i, s:[]}", "host", p->host, "metric", p->metric,
                                  "period", p->period_s, "points");

            json_array_append_new(arr, s);
            cur = json_object_get(s, "points");
        }
        json_array_append_new(cur, json_pack("[I, o]", (json_int_t)p->ts_s,
                                             num_or_null(p->value)));
    }
    if (root == NULL)
        return ERR_NOMEM;
    rc = json_dumpf(root, stdout, JSON_INDENT(2) | JSON_PRESERVE_ORDER) != 0 ||
                 fputc('\n', stdout) == EOF
             ? ERR_IO
             : 0;
    json_decref(root);
    return rc;
}

/* One line per (host, metric): points, last time, last, mean, max (and the share). */
static void print_table(const struct cache_sys_point_list *l, int gpus)
{
    size_t i = 0;

    printf("%-8s %-22s %6s %-20s %8s %8s %8s %s\n", "HOST", "METRIC", "POINTS", "LAST TIME",
           "LAST", "MEAN", "MAX", gpus > 0 ? "GPU SHARE (LAST)" : "");
    while (i < l->n) {
        const struct cache_sys_point *p = &l->items[i];
        size_t k = i, n = 0;
        double sum = 0, max = NAN, last = NAN;
        char when[32];

        for (; k < l->n && strcmp(l->items[k].host, p->host) == 0 &&
               strcmp(l->items[k].metric, p->metric) == 0;
             k++) {
            double v = l->items[k].value;

            if (!isfinite(v))
                continue;
            sum += v;
            n++;
            max = isnan(max) || v > max ? v : max;
            last = v;
        }
        iso_time(l->items[k - 1].ts_s, when, sizeof(when));
        printf("%-8s %-22s %6zu %-20s %8.1f %8.1f %8.1f", p->host, p->metric, k - i, when, last,
               n > 0 ? sum / (double)n : NAN, max);
        if (gpus > 0 && cache_sys_metric_per_gpu(p->metric) && isfinite(last))
            printf(" %.1f%% of %d GPU%s", cache_sys_share(last, gpus), gpus, gpus == 1 ? "" : "s");
        putchar('\n');
        i = k;
    }
}

int cmd_sysmetrics(const struct globals *g, int argc, char **argv)
{
    struct sys_args a;
    struct cli_aws aws;
    struct cache *c = NULL;
    struct cache_job j;
    struct cache_sys_point_list l = {0};
    struct err e = {0};
    bool help;
    int rc, gpus;

    if ((rc = parse_args(argc, argv, &a, &help)) != 0 || help) {
        if (help)
            sys_usage(stdout);
        return rc;
    }
    if (cli_aws_open(g, &aws, &e) != 0)
        return cli_fail(&e);
    rc = cache_session_open(aws.cfg, g->offline ? NULL : aws.client, g->cache_path,
                            g->reset_cache ? CACHE_RESET : 0, &c, NULL, 0, &e);
    if (rc == 0 && !g->offline)
        rc = refresh(&aws, c, a.job, &e);
    if (rc == 0 && (rc = cache_job_get(c, a.job, &j, &e)) == ERR_NOTFOUND)
        err_set(&e, ERR_NOTFOUND, "%s is not in the cache%s", a.job,
                g->offline ? " (run sagetop sysmetrics without --offline)" : "");
    if (rc == 0)
        rc = cache_sys_points(c, a.job, a.host, a.metric, &l, &e);
    if (rc != 0)
        goto out;
    gpus = instance_types_gpus(j.instance_type);
    if (a.fmt == SYS_CSV)
        print_csv(&a, &l, gpus);
    else if (a.fmt == SYS_JSON)
        rc = print_json(&a, &j, &l, gpus);
    else if (l.n == 0)
        printf("no host metrics for %s in CloudWatch yet\n", a.job);
    else
        print_table(&l, gpus);
    if (rc != 0)
        err_set(&e, rc, "writing the host metrics");
out:
    cache_sys_point_list_clean(&l);
    cache_close(c);
    cli_aws_close(&aws);
    return cli_stdout_finish(rc, &e);
}

/* ---- `sagetop plot --metric sys.NAME` ---------------------------------------------------- */

int cli_sys_series(struct cache *c, const char *job, const char *name, int x_kind,
                   struct series_set *set, struct err *e)
{
    const char *metric = cache_sys_metric_resolve(name);
    struct cache_sys_point_list l = {0};
    struct cache_job j;
    struct series *s = NULL;
    int rc;

    if (metric == NULL)
        return err_set(e, ERR_INVAL, "sys.%s is not a host metric (cpu mem gpu gpu_mem disk)",
                       name);
    if (x_kind != SERIES_X_WALL && x_kind != SERIES_X_ELAPSED)
        return err_set(e, ERR_INVAL, "host metrics have no step or epoch: use --x elapsed or "
                                     "--x time");
    if ((rc = cache_job_get(c, job, &j, e)) != 0 ||
        (rc = cache_sys_points(c, job, NULL, metric, &l, e)) != 0)
        return rc;
    if (l.n == 0)
        rc = err_set(e, ERR_NOTFOUND, "%s has no %s points in the cache (run 'sagetop "
                     "sysmetrics %s' to fetch them)", job, metric, job);
    for (size_t i = 0; rc == 0 && i < l.n; i++) {
        const struct cache_sys_point *p = &l.items[i];
        struct series_sample smp = {.time_s = (double)p->ts_s, .step = NAN, .epoch = NAN,
                                    .value = p->value};
        double start = j.start_time > 0 ? j.start_time : (double)l.items[0].ts_s;

        if (i == 0 || strcmp(p->host, l.items[i - 1].host) != 0) {
            char label[CACHE_JOB_NAME_MAX + CACHE_SYS_HOST_MAX + 2];

            snprintf(label, sizeof(label), "%s/%s", job, p->host);
            if ((s = series_new(label)) == NULL) {
                rc = err_set(e, ERR_NOMEM, "out of memory");
                break;
            }
            if ((rc = series_set_take(set, s, e)) != 0)
                break;
        }
        if (isfinite(p->value))
            rc = series_push(s, series_sample_x(&smp, (enum series_x_kind)x_kind, start),
                             p->value, e);
    }
    cache_sys_point_list_clean(&l);
    return rc;
}
