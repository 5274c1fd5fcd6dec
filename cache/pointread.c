/* pointread.c: reading a job's metrics: the per-metric summary merged with the final metrics
 * SageMaker reports, and a metric's points (decoded from the packed chunks points.c writes),
 * filtered by instance and time and merged across streams in time order. Read-only: it must
 * not write to the cache or parse logs. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "aws/dynbuf.h"
#include "cache/internal.h"
#include "cache/logstore.h"
#include "metrics/procprefix.h"

void cache_metric_stat_list_clean(struct cache_metric_stat_list *l)
{
    if (l == NULL)
        return;
    free(l->items);
    l->items = NULL;
    l->n = 0;
}

static void read_metric_stat(sqlite3_stmt *st, void *item)
{
    struct cache_metric_stat *m = item;

    memset(m, 0, sizeof(*m));
    cache_col_text(st, 0, m->name, sizeof(m->name));
    m->count = sqlite3_column_int64(st, 5);
    m->last = m->count ? sqlite3_column_double(st, 1) : NAN;
    m->min = m->count ? sqlite3_column_double(st, 2) : NAN;
    m->max = m->count ? sqlite3_column_double(st, 3) : NAN;
    m->last_ts_ms = (double)sqlite3_column_int64(st, 4);
    m->has_final = sqlite3_column_type(st, 6) != SQLITE_NULL;
    m->final_value = m->has_final ? sqlite3_column_double(st, 6) : NAN;
    m->unparsed = sqlite3_column_int64(st, 7);
    m->repaired = sqlite3_column_int64(st, 8);
}

int cache_job_metric_stats(struct cache *c, const char *name, struct cache_metric_stat_list *out,
                           struct err *e)
{
    static const char sql[] =
        "SELECT m.name, m.last, m.min, m.max, m.last_ts, m.count, f.value, m.unparsed,"
        " m.repaired"
        " FROM jobs j JOIN metrics m ON m.job_id=j.id"
        " LEFT JOIN final_metrics f ON f.job_id=j.id AND f.name=m.name"
        " WHERE j.scope_id=?1 AND j.name=?2 AND (m.count > 0 OR m.unparsed > 0)"
        " UNION ALL"
        " SELECT f.name, NULL, NULL, NULL, NULL, 0, f.value, 0, 0"
        " FROM jobs j JOIN final_metrics f ON f.job_id=j.id"
        " WHERE j.scope_id=?1 AND j.name=?2 AND NOT EXISTS(SELECT 1 FROM metrics m WHERE"
        "  m.job_id=j.id AND m.name=f.name AND (m.count > 0 OR m.unparsed > 0))"
        " ORDER BY 1";
    struct cache_rows r = { .elem = sizeof(struct cache_metric_stat), .read = read_metric_stat,
                            .what = "reading metrics" };
    struct cache_metric_stat_list l;
    int rc = cache_job_rows(c, sql, name, &r, e);

    l.items = r.items;
    l.n = r.n;
    if (rc != 0) {
        cache_metric_stat_list_clean(&l);
        return rc;
    }
    *out = l;
    return 0;
}

void cache_point_list_clean(struct cache_point_list *l)
{
    if (l == NULL)
        return;
    free(l->items);
    free(l->instances);
    memset(l, 0, sizeof(*l));
}

int cache_job_procs_per_host(struct cache *c, const char *job)
{
    struct cache_kv_list hp = { 0 };
    struct cache_job cj;
    const char *v = NULL;
    int n;

    if (cache_job_get(c, job, &cj, NULL) != 0)
        return 0;
    if (cache_job_hyperparameters(c, job, &hp, NULL) == 0)
        for (size_t i = 0; i < hp.n && v == NULL; i++)
            if (strcmp(hp.items[i].key, "sagemaker_mpi_num_of_processes_per_host") == 0)
                v = hp.items[i].value;
    n = procprefix_per_host(v, cj.instance_type);
    cache_kv_list_clean(&hp);
    return n;
}

int cache_job_metric_points(struct cache *c, const char *job, const char *metric,
                            const char *instance, struct cache_point_list *out, struct err *e)
{
    struct procsel sel = { PROCSEL_FIRST, instance, cache_job_procs_per_host(c, job) };
    struct cache_point_query q = { NULL, false, 0, 0, &sel };

    return cache_job_metric_points_query(c, job, metric, &q, out, e);
}

/* A point with what orders it: (ts, stream, seq, k). */
struct spoint {
    struct cache_point p;
    uint32_t k;
};

static int spoint_cmp(const void *a, const void *b)
{
    const struct spoint *x = a, *y = b;

    if (x->p.ts_ms != y->p.ts_ms)
        return x->p.ts_ms < y->p.ts_ms ? -1 : 1;
    if (x->p.stream != y->p.stream)
        return x->p.stream < y->p.stream ? -1 : 1;
    if (x->p.seq != y->p.seq)
        return x->p.seq < y->p.seq ? -1 : 1;
    return x->k < y->k ? -1 : x->k > y->k;
}

/* The index of inst in l's instances, added when new; -1 when out of memory. */
static int instance_index(struct cache_point_list *l, size_t *icap, const char *inst)
{
    size_t k;

    for (k = 0; k < l->n_instances; k++)
        if (strcmp(l->instances[k], inst) == 0)
            return (int)k;
    if (vec_grow((void **)&l->instances, icap, k + 1, sizeof(*l->instances)) != 0)
        return -1;
    snprintf(l->instances[k], sizeof(l->instances[k]), "%s", inst);
    l->n_instances++;
    return (int)k;
}

/* Points gathered from chunk rows, in row order, before the merge by time. */
struct gather {
    struct spoint *v;
    size_t n, cap;
    bool sorted;            /* still in (ts, stream, seq, k) order */
};

/* Adds a decoded chunk's points that pass q's filters. */
static int gather_chunk(struct gather *g, const struct cache_chunk_rec *r, size_t cn,
                        const struct cache_point_query *q, struct cache_point_list *l,
                        size_t *icap, int instance, const char *inst, int64_t sid)
{
    struct procsel host_of = { PROCSEL_FIRST, NULL, q->procs != NULL ? q->procs->per_host : 0 };
    char host[32];
    size_t j;

    if (vec_grow((void **)&g->v, &g->cap, g->n + cn, sizeof(*g->v)) != 0)
        return ERR_NOMEM;
    for (j = 0; j < cn; j++) {
        struct spoint *pt = &g->v[g->n];

        if ((!q->include_unparsed && (r[j].flags & CACHE_POINT_UNPARSED)) ||
            (q->since_ms != 0 && r[j].ts_ms < q->since_ms) ||
            (q->until_ms != 0 && r[j].ts_ms >= q->until_ms))
            continue;
        pt->p.instance = instance;
        pt->p.rank = r[j].proc == 0 ? -1 : (int)((r[j].proc - 1) >> 1);
        pt->p.rank_local = r[j].proc != 0 && ((r[j].proc - 1) & 1);
        if (q->procs != NULL && !procsel_match(q->procs, pt->p.rank, pt->p.rank_local, inst))
            continue;
        /* a rank of another host printed in the launcher's stream is that host's point */
        if (q->procs != NULL && pt->p.rank >= 0) {
            procsel_label(&host_of, pt->p.rank, pt->p.rank_local, inst, host, sizeof(host));
            if (strcmp(host, inst) != 0 && (pt->p.instance = instance_index(l, icap, host)) < 0)
                return ERR_NOMEM;
        }
        pt->p.ts_ms = r[j].ts_ms;
        pt->p.value = r[j].value;
        pt->p.step = r[j].step;
        pt->p.epoch = r[j].epoch;
        pt->p.flags = r[j].flags;
        pt->p.sagemaker_value = r[j].sm;
        pt->p.stream = sid;
        pt->p.seq = r[j].seq;
        pt->k = r[j].k;
        if (g->n > 0 && g->sorted && spoint_cmp(&g->v[g->n - 1], pt) > 0)
            g->sorted = false;
        g->n++;
    }
    return 0;
}

/* Decodes the current chunk row of the points query into g. */
static int gather_row(sqlite3_stmt *st, const char *metric, const struct cache_point_query *q,
                      struct cache_chunk_rec *tmp, struct cache_point_list *l, size_t *icap,
                      struct gather *g, struct err *e)
{
    const unsigned char *data = sqlite3_column_blob(st, 0);
    size_t bytes = (size_t)sqlite3_column_bytes(st, 0);
    int64_t cn = sqlite3_column_int64(st, 1), sid = sqlite3_column_int64(st, 3);
    const char *inst = (const char *)sqlite3_column_text(st, 2);
    int k;

    if (cn < 0 || cn > CACHE_CHUNK_POINTS || cache_chunk_decode(data, bytes, (size_t)cn, tmp) != 0)
        return err_set(e, ERR_CACHE, "cache: a metric points row of %s is damaged (%zu "
                       "bytes for %lld points); --reset-cache rebuilds it", metric, bytes,
                       (long long)cn);
    if ((k = instance_index(l, icap, inst != NULL ? inst : "")) < 0 ||
        gather_chunk(g, tmp, (size_t)cn, q, l, icap, k, inst != NULL ? inst : "", sid) != 0)
        return err_set(e, ERR_NOMEM, "out of memory");
    return 0;
}

int cache_job_metric_points_query(struct cache *c, const char *job, const char *metric,
                                  const struct cache_point_query *q,
                                  struct cache_point_list *out, struct err *e)
{
    static const char sql[] =
        "SELECT p.data, p.n, s.instance, p.stream_id FROM jobs j"
        " JOIN metrics m ON m.job_id=j.id JOIN metric_chunks p ON p.metric_id=m.id"
        " JOIN log_streams s ON s.id=p.stream_id"
        " WHERE j.scope_id=?1 AND j.name=?2 AND m.name=?3 AND (?4 IS NULL OR s.instance=?4)"
        " AND (?6 = 0 OR p.max_ts >= ?6) AND (?7 = 0 OR p.min_ts < ?7)"
        " ORDER BY p.stream_id, p.first_seq";
    static const struct cache_point_query defaults = { NULL, false, 0, 0, NULL };
    struct cache_point_list l;
    struct gather g = { NULL, 0, 0, true };
    struct cache_chunk_rec *tmp = malloc(CACHE_CHUNK_POINTS * sizeof(*tmp));
    size_t icap = 0, i;
    sqlite3_stmt *st;
    int rc, s;

    memset(&l, 0, sizeof(l));
    if (tmp == NULL)
        return err_set(e, ERR_NOMEM, "out of memory");
    if ((rc = cache_prepare(c, sql, &st, e)) != 0) {
        free(tmp);
        return rc;
    }
    sqlite3_bind_int64(st, 1, c->scope_id);
    sqlite3_bind_text(st, 2, job, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 3, metric, -1, SQLITE_STATIC);
    if (q == NULL)
        q = &defaults;
    if (q->procs == NULL && q->instance != NULL && q->instance[0] != '\0')
        sqlite3_bind_text(st, 4, q->instance, -1, SQLITE_STATIC);
    sqlite3_bind_int64(st, 6, q->since_ms);
    sqlite3_bind_int64(st, 7, q->until_ms);
    while (rc == 0 && (s = sqlite3_step(st)) == SQLITE_ROW)
        rc = gather_row(st, metric, q, tmp, &l, &icap, &g, e);
    if (rc == 0 && s != SQLITE_DONE)
        rc = cache_fail(c, e, "reading metric points");
    sqlite3_finalize(st);
    if (rc == 0 && g.n > 0) {
        /* one stream in time order needs no sort; several are merged by time */
        if (!g.sorted)
            qsort(g.v, g.n, sizeof(*g.v), spoint_cmp);
        if ((l.items = malloc(g.n * sizeof(*l.items))) == NULL)
            rc = err_set(e, ERR_NOMEM, "out of memory");
        for (i = 0; rc == 0 && i < g.n; i++)
            l.items[i] = g.v[i].p;
        l.n = rc == 0 ? g.n : 0;
    }
    free(g.v);
    free(tmp);
    if (rc != 0) {
        cache_point_list_clean(&l);
        return rc;
    }
    *out = l;
    return 0;
}
