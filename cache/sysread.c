/* sysread.c: host metrics as the screens read them (sysmetrics.h): a job's recent mean of a
 * metric (the job list's GPU column; its sort and its `sys.gpu<20` filter use the same SQL
 * expression, so what is shown is what is sorted and filtered) and per-period means over the
 * hosts for sparklines; and the SQL function gpus(instance_type) those expressions divide by.
 * Read-only: must not fetch, write or print. */
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "aws/instance_types.h"
#include "cache/internal.h"
#include "cache/sysmetrics.h"

/* gpus(instance_type): instance_types_gpus(), 0 for NULL or an unknown type. */
static void gpus_fn(sqlite3_context *ctx, int argc, sqlite3_value **argv)
{
    (void)argc;
    sqlite3_result_int(ctx, instance_types_gpus((const char *)sqlite3_value_text(argv[0])));
}

int cache_sys_sql_register(struct cache *c, struct err *e)
{
    if (sqlite3_create_function(c->db, "gpus", 1, SQLITE_UTF8 | SQLITE_DETERMINISTIC, NULL,
                                gpus_fn, NULL, NULL) != SQLITE_OK)
        return cache_fail(c, e, "registering gpus()");
    return 0;
}

/* 300: CACHE_SYS_RECENT_S. Both reads walk the primary key's (job_id, metric) prefix. */
#define RECENT_SQL                                                                            \
    "(SELECT avg(p.value) FROM sys_points p WHERE p.job_id=j.id AND p.metric=?"              \
    " AND p.ts > (SELECT max(q.ts) FROM sys_points q WHERE q.job_id=j.id AND q.metric=?) - 300)"

const char *cache_sys_recent_sql(bool per_gpu)
{
    return per_gpu ? "(" RECENT_SQL " / max(gpus(j.instance_type), 1))" : RECENT_SQL;
}

int cache_sys_recent(struct cache *c, const int64_t *ids, size_t n, const char *metric,
                     double *out, bool *has, struct err *e)
{
    char sql[640];
    sqlite3_stmt *st = NULL;
    int rc = 0;

    snprintf(sql, sizeof(sql), "SELECT %s FROM jobs j WHERE j.id=?",
             cache_sys_recent_sql(cache_sys_metric_per_gpu(metric)));
    if ((rc = cache_prepare(c, sql, &st, e)) != 0)
        return rc;
    for (size_t i = 0; i < n; i++) {
        sqlite3_reset(st);
        sqlite3_bind_text(st, 1, metric, -1, SQLITE_STATIC);
        sqlite3_bind_text(st, 2, metric, -1, SQLITE_STATIC);
        sqlite3_bind_int64(st, 3, ids[i]);
        has[i] = false;
        if (sqlite3_step(st) == SQLITE_ROW && sqlite3_column_type(st, 0) != SQLITE_NULL) {
            out[i] = sqlite3_column_double(st, 0);
            has[i] = true;
        }
    }
    sqlite3_finalize(st);
    return rc;
}

size_t cache_sys_spark(struct cache *c, int64_t job_id, const char *instance_type,
                       const char *metric, double *out, size_t n)
{
    static const char sql[] = "SELECT avg(value) FROM sys_points WHERE job_id=? AND metric=?"
                              " GROUP BY ts ORDER BY ts DESC LIMIT ?";
    int gpus = cache_sys_metric_per_gpu(metric) ? instance_types_gpus(instance_type) : 0;
    sqlite3_stmt *st = NULL;
    size_t k = 0;

    if (n == 0 || cache_prepare(c, sql, &st, NULL) != 0)
        return 0;
    sqlite3_bind_int64(st, 1, job_id);
    sqlite3_bind_text(st, 2, metric, -1, SQLITE_STATIC);
    sqlite3_bind_int64(st, 3, (int64_t)n);
    while (k < n && sqlite3_step(st) == SQLITE_ROW)
        out[k++] = cache_sys_share(sqlite3_column_double(st, 0), gpus);
    sqlite3_finalize(st);
    /* newest first from the query: oldest first for the caller */
    for (size_t i = 0; i < k / 2; i++) {
        double t = out[i];

        out[i] = out[k - 1 - i];
        out[k - 1 - i] = t;
    }
    return k;
}
