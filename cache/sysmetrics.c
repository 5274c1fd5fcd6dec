/* sysmetrics.c: CloudWatch host metrics in the cache (sysmetrics.h): the sys_points and
 * sys_cursors tables, and the one-job fetch from GetMetricData into them.
 *
 * Owns which hosts, metrics, period and time range a fetch asks for; the requests themselves
 * are aws/cloudwatch.c's. Must not print, and must not touch log or metric-point tables. */
#include "cache/sysmetrics.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "aws/cloudwatch.h"
#include "aws/dynbuf.h"
#include "cache/internal.h"

const char *const cache_sys_metric_names[] = {"CPUUtilization", "MemoryUtilization",
                                              "GPUUtilization", "GPUMemoryUtilization",
                                              "DiskUtilization"};
const size_t cache_sys_n_metrics = sizeof(cache_sys_metric_names) / sizeof(char *);

#define REFETCH_PERIODS 3       /* CloudWatch revises its newest minutes: ask them again */

void cache_sys_point_list_clean(struct cache_sys_point_list *l)
{
    if (l == NULL)
        return;
    free(l->items);
    memset(l, 0, sizeof(*l));
}

const char *cache_sys_metric_resolve(const char *name)
{
    static const char *const short_names[] = {"cpu", "mem", "gpu", "gpu_mem", "disk"};

    if (name == NULL)
        return NULL;
    for (size_t i = 0; i < cache_sys_n_metrics; i++)
        if (strcasecmp(name, cache_sys_metric_names[i]) == 0 ||
            strcasecmp(name, short_names[i]) == 0)
            return cache_sys_metric_names[i];
    if (strcasecmp(name, "gpumem") == 0 || strcasecmp(name, "memory") == 0)
        return cache_sys_metric_names[name[0] == 'g' || name[0] == 'G' ? 3 : 1];
    return NULL;
}

bool cache_sys_metric_per_gpu(const char *metric)
{
    return metric != NULL && strncmp(metric, "GPU", 3) == 0;
}

int cache_sys_period_s(int64_t start_s, int64_t now_s)
{
    return now_s - start_s > CACHE_SYS_RETENTION_1MIN_S ? 300 : 60;
}

double cache_sys_share(double raw, int gpus)
{
    return gpus > 0 ? raw / gpus : raw;
}

int cache_sys_store(struct cache *c, const char *job, const char *host, const char *metric,
                    int period_s, const int64_t *ts_s, const double *values, size_t n,
                    struct err *e)
{
    sqlite3_stmt *st = NULL;
    int64_t id;
    int rc;

    if ((rc = cache_require_rw(c, e)) != 0 || (rc = cache_job_lookup(c, job, &id, e)) != 0)
        return rc;
    if ((rc = cache_sp_begin(c, e)) != 0)
        return rc;
    rc = cache_prepare(c, "INSERT OR REPLACE INTO sys_points(job_id, host, metric, ts, period,"
                          " value) VALUES(?,?,?,?,?,?)", &st, e);
    for (size_t i = 0; rc == 0 && i < n; i++) {
        sqlite3_bind_int64(st, 1, id);
        sqlite3_bind_text(st, 2, host, -1, SQLITE_STATIC);
        sqlite3_bind_text(st, 3, metric, -1, SQLITE_STATIC);
        sqlite3_bind_int64(st, 4, ts_s[i]);
        sqlite3_bind_int(st, 5, period_s);
        if (isfinite(values[i]))
            sqlite3_bind_double(st, 6, values[i]);
        else
            sqlite3_bind_null(st, 6);
        if (sqlite3_step(st) != SQLITE_DONE)
            rc = cache_fail(c, e, "storing host metrics");
        sqlite3_reset(st);
    }
    sqlite3_finalize(st);
    if (rc == 0)
        c->own_writes++;
    return cache_sp_end(c, rc, e);
}

static void read_point(sqlite3_stmt *st, void *item)
{
    struct cache_sys_point *p = item;

    cache_col_text(st, 0, p->host, sizeof(p->host));
    cache_col_text(st, 1, p->metric, sizeof(p->metric));
    p->ts_s = sqlite3_column_int64(st, 2);
    p->period_s = sqlite3_column_int(st, 3);
    p->value = sqlite3_column_type(st, 4) == SQLITE_NULL ? NAN : sqlite3_column_double(st, 4);
}

int cache_sys_points(struct cache *c, const char *job, const char *host, const char *metric,
                     struct cache_sys_point_list *out, struct err *e)
{
    struct cache_rows r = {sizeof(struct cache_sys_point), read_point, "reading host metrics",
                           NULL, 0, 0};
    char sql[512];
    int rc;

    /* host and metric are matched in SQL through quoted literals: only known shapes pass */
    if ((host != NULL && strspn(host, "abcdefghijklmnopqrstuvwxyz0123456789-") != strlen(host)) ||
        (metric != NULL &&
         strspn(metric, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_.") !=
             strlen(metric)))
        return err_set(e, ERR_INVAL, "bad host or metric name");
    snprintf(sql, sizeof(sql),
             "SELECT p.host, p.metric, p.ts, p.period, p.value FROM sys_points p"
             " JOIN jobs j ON j.id = p.job_id WHERE j.scope_id = ?1 AND j.name = ?2"
             "%s%s%s%s%s%s ORDER BY p.metric, p.host, p.ts",
             host != NULL ? " AND p.host = '" : "", host != NULL ? host : "",
             host != NULL ? "'" : "", metric != NULL ? " AND p.metric = '" : "",
             metric != NULL ? metric : "", metric != NULL ? "'" : "");
    rc = cache_job_rows(c, sql, job, &r, e);
    if (rc != 0) {
        free(r.items);
        return rc;
    }
    out->items = r.items;
    out->n = r.n;
    out->cap = r.cap;
    return 0;
}

int cache_sys_cursor_get(struct cache *c, const char *job, struct cache_sys_cursor *out,
                         struct err *e)
{
    sqlite3_stmt *st;
    int64_t id;
    int rc;

    if ((rc = cache_job_lookup(c, job, &id, e)) != 0)
        return rc;
    if ((rc = cache_prepare(c, "SELECT last_ts, done FROM sys_cursors WHERE job_id=?", &st,
                            e)) != 0)
        return rc;
    sqlite3_bind_int64(st, 1, id);
    rc = sqlite3_step(st);
    if (rc == SQLITE_ROW || rc == SQLITE_DONE) {
        out->last_ts = rc == SQLITE_ROW ? sqlite3_column_int64(st, 0) : 0;
        out->done = rc == SQLITE_ROW && sqlite3_column_int(st, 1) != 0;
        rc = 0;
    } else {
        rc = cache_fail(c, e, "reading the host-metrics cursor");
    }
    sqlite3_finalize(st);
    return rc;
}

int cache_sys_cursor_set(struct cache *c, const char *job, const struct cache_sys_cursor *cur,
                         struct err *e)
{
    sqlite3_stmt *st;
    int64_t id;
    int rc;

    if ((rc = cache_require_rw(c, e)) != 0 || (rc = cache_job_lookup(c, job, &id, e)) != 0)
        return rc;
    if ((rc = cache_prepare(c, "INSERT OR REPLACE INTO sys_cursors(job_id, last_ts, done,"
                               " synced_at) VALUES(?,?,?,strftime('%s','now'))", &st, e)) != 0)
        return rc;
    sqlite3_bind_int64(st, 1, id);
    sqlite3_bind_int64(st, 2, cur->last_ts);
    sqlite3_bind_int(st, 3, cur->done ? 1 : 0);
    rc = sqlite3_step(st) == SQLITE_DONE ? 0 : cache_fail(c, e, "storing the host-metrics cursor");
    sqlite3_finalize(st);
    if (rc == 0)
        c->own_writes++;
    return rc;
}

/* ---- fetch ------------------------------------------------------------------------------ */

struct fetch {
    struct cache *c;
    const char *job;
    int period_s;
    char (*hosts)[CACHE_SYS_HOST_MAX];      /* per query */
    const char **metrics;                   /* per query */
    int64_t points, last_ts;
    struct err *e;
};

static int fetch_page(void *ctx, const struct cloudwatch_result *r, size_t n)
{
    struct fetch *f = ctx;

    for (size_t i = 0; i < n; i++) {
        int rc;

        if (r[i].count == 0)
            continue;
        rc = cache_sys_store(f->c, f->job, f->hosts[r[i].query], f->metrics[r[i].query],
                             f->period_s, r[i].timestamps_s, r[i].values, r[i].count, f->e);
        if (rc != 0)
            return rc;
        f->points += (int64_t)r[i].count;
        if (r[i].timestamps_s[r[i].count - 1] > f->last_ts)
            f->last_ts = r[i].timestamps_s[r[i].count - 1];
    }
    return 0;
}

/* Where a job's host metrics begin: its creation, not its TrainingStartTime (a job's instances
 * can report before the training start the describe gives, and a running job's start may be
 * set after its first minutes were published); the minutes with no data cost nothing. */
static int64_t job_begin_s(const struct cache_job *j)
{
    return (int64_t)(j->creation_time > 0 ? j->creation_time : j->start_time);
}

/* The time range of this fetch, or false when there is nothing to ask. */
static bool fetch_range(const struct cache_job *j, const struct cache_sys_cursor *cur,
                        int64_t now_s, int period_s, int64_t *start_s, int64_t *end_s)
{
    int64_t begin = job_begin_s(j);
    int64_t end = cache_status_final(j->status) && j->end_time > 0 ? (int64_t)j->end_time
                                                                    : now_s;

    if (begin <= 0)
        return false;
    if (cur->last_ts > 0 && cur->last_ts - REFETCH_PERIODS * period_s > begin)
        begin = cur->last_ts - REFETCH_PERIODS * period_s;
    begin -= begin % period_s;
    end += period_s - end % period_s;           /* the period holding `end` is included */
    if (end > now_s + period_s)
        end = now_s + period_s;
    *start_s = begin;
    *end_s = end;
    return end > begin;
}

int cache_sys_fetch(struct cache *c, struct aws_client *client, const char *job, int64_t now_s,
                    int64_t *points, bool *done, struct err *e)
{
    struct cache_job j;
    struct cache_sys_cursor cur;
    struct cloudwatch_query *qs = NULL;
    struct fetch f = {c, job, 60, NULL, NULL, 0, 0, e};
    char dims[CACHE_SYS_HOSTS_MAX][CACHE_JOB_NAME_MAX + CACHE_SYS_HOST_MAX];
    int64_t start_s, end_s;
    size_t nq = 0, hosts;
    bool final;
    int rc;

    if ((rc = cache_job_get(c, job, &j, e)) != 0 || (rc = cache_sys_cursor_get(c, job, &cur, e)))
        return rc;
    final = cache_status_final(j.status);
    if (cur.done) {
        if (points != NULL)
            *points = 0;
        if (done != NULL)
            *done = true;
        return 0;
    }
    f.period_s = cache_sys_period_s(job_begin_s(&j), now_s);
    hosts = j.instance_count > 0 ? (size_t)j.instance_count : 1;
    if (hosts > CACHE_SYS_HOSTS_MAX)
        hosts = CACHE_SYS_HOSTS_MAX;
    if (fetch_range(&j, &cur, now_s, f.period_s, &start_s, &end_s)) {
        qs = calloc(hosts * cache_sys_n_metrics, sizeof(*qs));
        f.hosts = calloc(hosts * cache_sys_n_metrics, sizeof(*f.hosts));
        f.metrics = calloc(hosts * cache_sys_n_metrics, sizeof(*f.metrics));
        if (qs == NULL || f.hosts == NULL || f.metrics == NULL) {
            rc = err_set(e, ERR_NOMEM, "out of memory");
            goto out;
        }
        for (size_t h = 0; h < hosts; h++) {
            snprintf(dims[h], sizeof(dims[h]), "%s/algo-%zu", job, h + 1);
            for (size_t m = 0; m < cache_sys_n_metrics; m++, nq++) {
                qs[nq] = (struct cloudwatch_query){.metric_name = cache_sys_metric_names[m],
                                                   .period_s = f.period_s, .n_dims = 1};
                qs[nq].dims[0] = (struct cloudwatch_dimension){"Host", dims[h]};
                snprintf(f.hosts[nq], sizeof(f.hosts[nq]), "algo-%zu", h + 1);
                f.metrics[nq] = cache_sys_metric_names[m];
            }
        }
        rc = cloudwatch_get_metric_data(client, qs, nq, start_s, end_s, fetch_page, &f, e);
        if (rc != 0)
            goto out;
    }
    if (f.last_ts > cur.last_ts)
        cur.last_ts = f.last_ts;
    /* an ended job's metrics are complete once its end is a few minutes behind us */
    cur.done = final && now_s > (int64_t)j.end_time + REFETCH_PERIODS * f.period_s;
    rc = cache_sys_cursor_set(c, job, &cur, e);
    if (rc == 0 && points != NULL)
        *points = f.points;
    if (rc == 0 && done != NULL)
        *done = cur.done;
out:
    free(qs);
    free(f.hosts);
    free(f.metrics);
    return rc;
}
