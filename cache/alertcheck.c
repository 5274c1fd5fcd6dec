/* alertcheck.c: one job's alert check on the cache (alerts.h: cache_alerts_check): gathers the
 * state the rules read (status, newest log line, log metrics, host metrics as the rules name
 * them), evaluates metrics/alerts.c's rules and records what fired in the alerts table, so that
 * `sagetop watch` and the TUI fire the same alerts, each once. Must not fetch, deliver or print:
 * the front ends deliver what it returns. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "aws/instance_types.h"
#include "cache/alerts.h"
#include "cache/internal.h"
#include "cache/sysmetrics.h"

#define CHECK_MAX_SERIES 64

struct series_buf {
    char name[256];                     /* as cache_metric_stat's */
    double *ts, *v;
    size_t n;
};

static void series_buf_clean(struct series_buf *b, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        free(b[i].ts);
        free(b[i].v);
    }
}

struct metric_name {
    char name[256];
};

static void read_metric_name(sqlite3_stmt *st, void *item)
{
    cache_col_text(st, 0, ((struct metric_name *)item)->name, sizeof(struct metric_name));
}

/* Every log metric the job has a row for, with or without a summary: a metric whose every
 * point is NaN has count 0 (NaN stays out of summaries, cache_job_metric_stats skips it), and
 * is exactly the one the nonfinite rule is for. */
static int metric_names(struct cache *c, const char *job, struct cache_rows *r)
{
    static const char sql[] = "SELECT m.name FROM jobs j JOIN metrics m ON m.job_id=j.id"
                              " WHERE j.scope_id=?1 AND j.name=?2 ORDER BY 1";

    *r = (struct cache_rows){.elem = sizeof(struct metric_name), .read = read_metric_name,
                             .what = "reading metric names"};
    return cache_job_rows(c, sql, job, r, NULL);
}

/* The log metrics' points (unparsed captures left out), one series each. */
static size_t metric_series(struct cache *c, const char *job, struct series_buf *out, size_t cap)
{
    struct cache_rows names;
    size_t n = 0;

    if (metric_names(c, job, &names) != 0) {
        free(names.items);
        return 0;
    }
    for (size_t i = 0; i < names.n && n < cap; i++) {
        const char *name = ((struct metric_name *)names.items)[i].name;
        struct cache_point_list pl = {0};
        struct series_buf *b = &out[n];

        if (cache_job_metric_points(c, job, name, NULL, &pl, NULL) != 0)
            continue;
        snprintf(b->name, sizeof(b->name), "%s", name);
        b->ts = calloc(pl.n + 1, sizeof(double));
        b->v = calloc(pl.n + 1, sizeof(double));
        b->n = 0;
        for (size_t k = 0; b->ts != NULL && b->v != NULL && k < pl.n; k++) {
            if (pl.items[k].flags & CACHE_POINT_UNPARSED)
                continue;
            b->ts[b->n] = (double)pl.items[k].ts_ms / 1000.0;
            b->v[b->n++] = pl.items[k].value;
        }
        cache_point_list_clean(&pl);
        n++;
    }
    free(names.items);
    return n;
}

/* One host metric named as in a rule ("gpu"): the mean over hosts at each time, GPU figures
 * as a share of the instance's GPUs. */
static bool sys_series(struct cache *c, const struct cache_job *j, const char *name,
                       struct series_buf *b)
{
    const char *metric = cache_sys_metric_resolve(name);
    struct cache_sys_point_list l = {0};
    int gpus = instance_types_gpus(j->instance_type);

    if (metric == NULL || cache_sys_points(c, j->name, NULL, metric, &l, NULL) != 0)
        return false;
    snprintf(b->name, sizeof(b->name), "%s", name);
    b->ts = calloc(l.n + 1, sizeof(double));
    b->v = calloc(l.n + 1, sizeof(double));
    b->n = 0;
    for (size_t i = 0; b->ts != NULL && b->v != NULL && i < l.n; i++) {
        size_t k;
        double v = cache_sys_metric_per_gpu(metric) ? cache_sys_share(l.items[i].value, gpus)
                                                    : l.items[i].value;

        /* points are ordered by host then time: merge equal times */
        for (k = 0; k < b->n && b->ts[k] != (double)l.items[i].ts_s; k++)
            ;
        if (k == b->n) {
            b->ts[b->n] = (double)l.items[i].ts_s;
            b->v[b->n++] = 0;
        }
        b->v[k] += v / (j->instance_count > 0 ? j->instance_count : 1);
    }
    /* times in order (hosts interleave) */
    for (size_t i = 1; i < b->n; i++)
        for (size_t k = i; k > 0 && b->ts[k - 1] > b->ts[k]; k--) {
            double t = b->ts[k], v = b->v[k];

            b->ts[k] = b->ts[k - 1];
            b->v[k] = b->v[k - 1];
            b->ts[k - 1] = t;
            b->v[k - 1] = v;
        }
    cache_sys_point_list_clean(&l);
    return true;
}

int cache_alerts_check(struct cache *c, const struct alerts_config *cfg, const char *job,
                       double now_s, bool logs_synced, struct alerts_alert *out, size_t cap,
                       size_t *n_out, bool *final, struct err *e)
{
    struct series_buf *bufs = calloc(2 * CHECK_MAX_SERIES, sizeof(*bufs));
    struct alerts_series ms[CHECK_MAX_SERIES], ss[ALERTS_MAX_THRESHOLDS];
    struct alerts_alert raised[16];
    struct alerts_rules r;
    struct cache_log_info li = {0};
    struct cache_job j;
    struct alerts_input in = {0};
    size_t nm = 0, ns = 0, na, n = 0;
    int rc;

    if (bufs == NULL)
        return err_set(e, ERR_NOMEM, "out of memory");
    if ((rc = cache_job_get(c, job, &j, e)) != 0)
        goto out;
    *final = cache_status_final(j.status);
    alerts_rules_for(cfg, job, &r);
    if (!logs_synced)
        r.stall_s = 0;
    cache_logs_info(c, job, &li, NULL);
    nm = metric_series(c, job, bufs, CHECK_MAX_SERIES);
    for (size_t i = 0; i < nm; i++)
        ms[i] = (struct alerts_series){bufs[i].name, bufs[i].ts, bufs[i].v, bufs[i].n};
    for (size_t i = 0; i < r.n_th; i++)
        if (r.th[i].sys && sys_series(c, &j, r.th[i].name, &bufs[CHECK_MAX_SERIES + ns])) {
            struct series_buf *b = &bufs[CHECK_MAX_SERIES + ns++];

            ss[ns - 1] = (struct alerts_series){b->name, b->ts, b->v, b->n};
        }
    in = (struct alerts_input){job, j.status, j.secondary_status, now_s,
                               (double)li.last_ts_ms / 1000.0, j.start_time, ms, nm, ss, ns};
    na = alerts_evaluate(&r, &in, raised, 16);
    for (size_t i = 0; rc == 0 && i < na && i < 16; i++) {
        bool now = false;

        rc = cache_alert_fire(c, job, alerts_rule_name(raised[i].rule), raised[i].key,
                              raised[i].message, now_s, &now, e);
        if (rc == 0 && now && n < cap)
            out[n++] = raised[i];
    }
    if (rc == 0)
        *n_out = n;
out:
    series_buf_clean(bufs, nm);
    series_buf_clean(bufs + CHECK_MAX_SERIES, ns);
    free(bufs);
    return rc;
}
