/* points.c: extracted metric points and the per-job metric summary (last/min/max/count), merged
 * with the final metrics for reading. Points are keyed by (metric, stream, seq, k) so storing
 * the same extraction twice changes nothing. It must not parse logs (metrics/ does). */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cache/internal.h"
#include "cache/logstore.h"

static int metric_id(struct cache *c, int64_t job_id, const char *name, int64_t *id,
                     struct err *e)
{
    sqlite3_stmt *st;
    int rc;

    if ((rc = cache_prepare(c, "INSERT OR IGNORE INTO metrics(job_id, name) VALUES(?,?)", &st,
                            e)) != 0)
        return rc;
    sqlite3_bind_int64(st, 1, job_id);
    sqlite3_bind_text(st, 2, name, -1, SQLITE_STATIC);
    rc = sqlite3_step(st) == SQLITE_DONE ? 0 : cache_fail(c, e, "storing a metric");
    sqlite3_finalize(st);
    if (rc != 0)
        return rc;
    if ((rc = cache_prepare(c, "SELECT id FROM metrics WHERE job_id=? AND name=?", &st, e)) != 0)
        return rc;
    sqlite3_bind_int64(st, 1, job_id);
    sqlite3_bind_text(st, 2, name, -1, SQLITE_STATIC);
    if (sqlite3_step(st) == SQLITE_ROW)
        *id = sqlite3_column_int64(st, 0);
    else
        rc = cache_fail(c, e, "storing a metric");
    sqlite3_finalize(st);
    return rc;
}

/* The summary of one metric's new points in a cache_points_add() call, written once at the
 * end: a re-extraction stores millions of points, and one UPDATE per point dominated. */
struct msum {
    const char *name;                    /* borrowed from the caller's points */
    int64_t id;
    int64_t count, unparsed, repaired;
    double min, max, last;
    int64_t last_ts;
};

static struct msum *msum_find(struct msum **v, size_t *n, size_t *cap, const char *name)
{
    size_t i;

    for (i = *n; i > 0; i--)             /* the most recent names are the likeliest */
        if ((*v)[i - 1].name == name || strcmp((*v)[i - 1].name, name) == 0)
            return &(*v)[i - 1];
    if (*n == *cap) {
        size_t nc = *cap ? *cap * 2 : 16;
        struct msum *nv = realloc(*v, nc * sizeof(*nv));

        if (nv == NULL)
            return NULL;
        *v = nv;
        *cap = nc;
    }
    memset(&(*v)[*n], 0, sizeof(**v));
    (*v)[*n].name = name;
    (*v)[*n].id = -1;
    return &(*v)[(*n)++];
}

int cache_points_add(struct cache *c, int64_t stream_id, const struct cache_point_in *p,
                     size_t n, struct err *e)
{
    sqlite3_stmt *ins = NULL, *upd = NULL, *st;
    struct msum *sums = NULL, *m = NULL;
    size_t n_sums = 0, cap_sums = 0;
    int64_t job_id = 0;
    size_t i;
    int rc;

    if (n == 0)
        return 0;
    if ((rc = cache_sp_begin(c, e)) != 0)
        return rc;
    if ((rc = cache_prepare(c, "SELECT job_id FROM log_streams WHERE id=?", &st, e)) != 0)
        goto out;
    sqlite3_bind_int64(st, 1, stream_id);
    if (sqlite3_step(st) == SQLITE_ROW)
        job_id = sqlite3_column_int64(st, 0);
    else
        rc = err_set(e, ERR_NOTFOUND, "no log stream %lld", (long long)stream_id);
    sqlite3_finalize(st);
    if (rc != 0)
        goto out;
    if ((rc = cache_prepare(c, "INSERT OR IGNORE INTO metric_points(metric_id, stream_id, seq,"
                            " k, ts_ms, value, step, epoch, flags, sm_value)"
                            " VALUES(?,?,?,?,?,?,?,?,?,?)", &ins, e)) != 0)
        goto out;
    for (i = 0; i < n && rc == 0; i++) {
        bool unparsed = (p[i].flags & CACHE_POINT_UNPARSED) != 0;

        if (!unparsed && isnan(p[i].value))
            continue;     /* a genuine "nan" value: nothing to plot, SQLite cannot store it */
        if (m == NULL || (m->name != p[i].metric && strcmp(m->name, p[i].metric) != 0)) {
            if ((m = msum_find(&sums, &n_sums, &cap_sums, p[i].metric)) == NULL) {
                rc = err_set(e, ERR_NOMEM, "out of memory storing metric points");
                break;
            }
            if (m->id < 0 && (rc = metric_id(c, job_id, p[i].metric, &m->id, e)) != 0)
                break;
        }
        sqlite3_bind_int64(ins, 1, m->id);
        sqlite3_bind_int64(ins, 2, stream_id);
        sqlite3_bind_int64(ins, 3, p[i].seq);
        sqlite3_bind_int(ins, 4, p[i].index);
        sqlite3_bind_int64(ins, 5, p[i].ts_ms);
        if (unparsed)
            sqlite3_bind_null(ins, 6);
        else
            sqlite3_bind_double(ins, 6, p[i].value);
        if (p[i].step >= 0)
            sqlite3_bind_int64(ins, 7, p[i].step);
        else
            sqlite3_bind_null(ins, 7);
        if (!isnan(p[i].epoch))
            sqlite3_bind_double(ins, 8, p[i].epoch);
        else
            sqlite3_bind_null(ins, 8);
        sqlite3_bind_int64(ins, 9, (int64_t)p[i].flags);
        if (!isnan(p[i].sagemaker_value))
            sqlite3_bind_double(ins, 10, p[i].sagemaker_value);
        else
            sqlite3_bind_null(ins, 10);
        if (sqlite3_step(ins) != SQLITE_DONE) {
            rc = cache_fail(c, e, "storing metric points");
            break;
        }
        sqlite3_reset(ins);
        if (sqlite3_changes(c->db) == 0)
            continue;     /* already stored: the summary already counts it */
        if (unparsed) {
            m->unparsed++;
            continue;
        }
        if (m->count == 0 || p[i].value < m->min)
            m->min = p[i].value;
        if (m->count == 0 || p[i].value > m->max)
            m->max = p[i].value;
        if (m->count == 0 || p[i].ts_ms >= m->last_ts) {
            m->last = p[i].value;
            m->last_ts = p[i].ts_ms;
        }
        m->count++;
        m->repaired += (p[i].flags & CACHE_POINT_REPAIRED) != 0;
    }
    if (rc == 0 && n_sums > 0 &&
        (rc = cache_prepare(c, "UPDATE metrics SET count=count+?4, unparsed=unparsed+?5,"
                            " repaired=repaired+?6, min=CASE WHEN ?4=0 THEN min ELSE"
                            " min(coalesce(min,?7),?7) END, max=CASE WHEN ?4=0 THEN max ELSE"
                            " max(coalesce(max,?8),?8) END,"
                            " last=CASE WHEN ?4>0 AND (last_ts IS NULL OR ?2>=last_ts) THEN ?1"
                            " ELSE last END, last_ts=CASE WHEN ?4=0 THEN last_ts ELSE"
                            " max(coalesce(last_ts,?2),?2) END, defs_hash=NULL WHERE id=?3", &upd, e)) == 0) {
        for (i = 0; i < n_sums && rc == 0; i++) {
            struct msum *s = &sums[i];

            if (s->count == 0 && s->unparsed == 0)
                continue;
            sqlite3_bind_double(upd, 1, s->last);
            sqlite3_bind_int64(upd, 2, s->last_ts);
            sqlite3_bind_int64(upd, 3, s->id);
            sqlite3_bind_int64(upd, 4, s->count);
            sqlite3_bind_int64(upd, 5, s->unparsed);
            sqlite3_bind_int64(upd, 6, s->repaired);
            sqlite3_bind_double(upd, 7, s->min);
            sqlite3_bind_double(upd, 8, s->max);
            if (sqlite3_step(upd) != SQLITE_DONE)
                rc = cache_fail(c, e, "updating a metric summary");
            sqlite3_reset(upd);
        }
    }
out:
    free(sums);
    sqlite3_finalize(ins);
    sqlite3_finalize(upd);
    return cache_sp_end(c, rc, e);
}

int cache_points_clear(struct cache *c, const char *job, struct err *e)
{
    sqlite3_stmt *st;
    int64_t id;
    int rc;

    if ((rc = cache_sp_begin(c, e)) != 0)
        return rc;
    if ((rc = cache_job_lookup(c, job, &id, e)) == 0 &&
        (rc = cache_prepare(c, "DELETE FROM metrics WHERE job_id=?", &st, e)) == 0) {
        sqlite3_bind_int64(st, 1, id);
        rc = sqlite3_step(st) == SQLITE_DONE ? 0 : cache_fail(c, e, "clearing metric points");
        sqlite3_finalize(st);
    }
    return cache_sp_end(c, rc, e);
}

int cache_metric_hashes(struct cache *c, int64_t job_id, struct cache_metric_hash **out,
                        size_t *n_out, struct err *e)
{
    struct cache_metric_hash *v = NULL;
    size_t n = 0, cap = 0;
    sqlite3_stmt *st;
    int rc, s;

    if ((rc = cache_prepare(c, "SELECT name, defs_hash FROM metrics WHERE job_id=?", &st, e)) != 0)
        return rc;
    sqlite3_bind_int64(st, 1, job_id);
    while ((s = sqlite3_step(st)) == SQLITE_ROW) {
        if (n == cap) {
            size_t nc = cap ? cap * 2 : 16;
            struct cache_metric_hash *nv = realloc(v, nc * sizeof(*nv));

            if (nv == NULL) {
                rc = err_set(e, ERR_NOMEM, "out of memory reading metrics");
                break;
            }
            v = nv;
            cap = nc;
        }
        cache_col_text(st, 0, v[n].name, sizeof(v[n].name));
        v[n].known = sqlite3_column_type(st, 1) != SQLITE_NULL;
        v[n].hash = v[n].known ? sqlite3_column_int64(st, 1) : 0;
        n++;
    }
    if (rc == 0 && s != SQLITE_DONE)
        rc = cache_fail(c, e, "reading metrics");
    sqlite3_finalize(st);
    if (rc != 0) {
        free(v);
        return rc;
    }
    *out = v;
    *n_out = n;
    return 0;
}

int cache_metric_drop(struct cache *c, int64_t job_id, const char *name, struct err *e)
{
    sqlite3_stmt *st;
    int rc;

    if ((rc = cache_prepare(c, "DELETE FROM metrics WHERE job_id=? AND name=?", &st, e)) != 0)
        return rc;
    sqlite3_bind_int64(st, 1, job_id);
    sqlite3_bind_text(st, 2, name, -1, SQLITE_STATIC);
    rc = sqlite3_step(st) == SQLITE_DONE ? 0 : cache_fail(c, e, "clearing metric points");
    sqlite3_finalize(st);
    return rc;
}

int cache_metric_set_hash(struct cache *c, int64_t job_id, const char *name, int64_t hash,
                          struct err *e)
{
    sqlite3_stmt *st;
    int64_t id;
    int rc;

    if ((rc = metric_id(c, job_id, name, &id, e)) != 0)
        return rc;
    if ((rc = cache_prepare(c, "UPDATE metrics SET defs_hash=? WHERE id=?", &st, e)) != 0)
        return rc;
    sqlite3_bind_int64(st, 1, hash);
    sqlite3_bind_int64(st, 2, id);
    rc = sqlite3_step(st) == SQLITE_DONE ? 0 : cache_fail(c, e, "storing a metric");
    sqlite3_finalize(st);
    return rc;
}

void cache_metric_stat_list_clean(struct cache_metric_stat_list *l)
{
    if (l == NULL)
        return;
    free(l->items);
    l->items = NULL;
    l->n = 0;
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
    struct cache_metric_stat_list l = { NULL, 0 };
    size_t cap = 0;
    sqlite3_stmt *st;
    int rc, s;

    if ((rc = cache_prepare(c, sql, &st, e)) != 0)
        return rc;
    sqlite3_bind_int64(st, 1, c->scope_id);
    sqlite3_bind_text(st, 2, name, -1, SQLITE_STATIC);
    while ((s = sqlite3_step(st)) == SQLITE_ROW) {
        struct cache_metric_stat *m;

        if (l.n == cap) {
            size_t nc = cap ? cap * 2 : 16;
            struct cache_metric_stat *ni = realloc(l.items, nc * sizeof(*ni));

            if (ni == NULL) {
                rc = err_set(e, ERR_NOMEM, "out of memory");
                break;
            }
            l.items = ni;
            cap = nc;
        }
        m = &l.items[l.n++];
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
    if (rc == 0 && s != SQLITE_DONE)
        rc = cache_fail(c, e, "reading metrics");
    sqlite3_finalize(st);
    if (rc != 0) {
        cache_metric_stat_list_clean(&l);
        return rc;
    }
    *out = l;
    return 0;
}

static double col_double_or_nan(sqlite3_stmt *st, int col)
{
    return sqlite3_column_type(st, col) == SQLITE_NULL ? NAN : sqlite3_column_double(st, col);
}

void cache_point_list_clean(struct cache_point_list *l)
{
    if (l == NULL)
        return;
    free(l->items);
    free(l->instances);
    memset(l, 0, sizeof(*l));
}

int cache_job_metric_points(struct cache *c, const char *job, const char *metric,
                            const char *instance, struct cache_point_list *out, struct err *e)
{
    struct cache_point_query q = { instance, false, 0, 0 };

    return cache_job_metric_points_query(c, job, metric, &q, out, e);
}

int cache_job_metric_points_query(struct cache *c, const char *job, const char *metric,
                                  const struct cache_point_query *q,
                                  struct cache_point_list *out, struct err *e)
{
    static const char sql[] =
        "SELECT p.ts_ms, p.value, s.instance, p.step, p.epoch, p.flags, p.sm_value,"
        " p.stream_id, p.seq FROM jobs j JOIN metrics m ON m.job_id=j.id"
        " JOIN metric_points p ON p.metric_id=m.id JOIN log_streams s ON s.id=p.stream_id"
        " WHERE j.scope_id=?1 AND j.name=?2 AND m.name=?3 AND (?4 IS NULL OR s.instance=?4)"
        " AND (?5 OR p.value IS NOT NULL) AND (?6 = 0 OR p.ts_ms >= ?6)"
        " AND (?7 = 0 OR p.ts_ms < ?7)"
        " ORDER BY p.ts_ms, p.stream_id, p.seq, p.k";
    static const struct cache_point_query defaults = { NULL, false, 0, 0 };
    struct cache_point_list l;
    size_t cap = 0, icap = 0;
    sqlite3_stmt *st;
    int rc, s;

    memset(&l, 0, sizeof(l));
    if ((rc = cache_prepare(c, sql, &st, e)) != 0)
        return rc;
    sqlite3_bind_int64(st, 1, c->scope_id);
    sqlite3_bind_text(st, 2, job, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 3, metric, -1, SQLITE_STATIC);
    if (q == NULL)
        q = &defaults;
    if (q->instance != NULL && q->instance[0] != '\0')
        sqlite3_bind_text(st, 4, q->instance, -1, SQLITE_STATIC);
    sqlite3_bind_int(st, 5, q->include_unparsed);
    sqlite3_bind_int64(st, 6, q->since_ms);
    sqlite3_bind_int64(st, 7, q->until_ms);
    while ((s = sqlite3_step(st)) == SQLITE_ROW) {
        const char *inst = (const char *)sqlite3_column_text(st, 2);
        struct cache_point *pt;
        size_t k;

        if (inst == NULL)
            inst = "";
        if (l.n == cap) {
            size_t nc = cap ? cap * 2 : 256;
            struct cache_point *ni = realloc(l.items, nc * sizeof(*ni));

            if (ni == NULL) {
                rc = err_set(e, ERR_NOMEM, "out of memory");
                break;
            }
            l.items = ni;
            cap = nc;
        }
        for (k = 0; k < l.n_instances; k++)
            if (strcmp(l.instances[k], inst) == 0)
                break;
        if (k == l.n_instances) {
            if (l.n_instances == icap) {
                size_t nc = icap ? icap * 2 : 8;
                char (*ni)[32] = realloc(l.instances, nc * sizeof(*ni));

                if (ni == NULL) {
                    rc = err_set(e, ERR_NOMEM, "out of memory");
                    break;
                }
                l.instances = ni;
                icap = nc;
            }
            snprintf(l.instances[k], sizeof(l.instances[k]), "%s", inst);
            l.n_instances++;
        }
        pt = &l.items[l.n++];
        pt->ts_ms = sqlite3_column_int64(st, 0);
        pt->value = col_double_or_nan(st, 1);
        pt->instance = (int)k;
        pt->step = sqlite3_column_type(st, 3) == SQLITE_NULL ? -1 : sqlite3_column_int64(st, 3);
        pt->epoch = col_double_or_nan(st, 4);
        pt->flags = (unsigned)sqlite3_column_int64(st, 5);
        pt->sagemaker_value = col_double_or_nan(st, 6);
        pt->stream = sqlite3_column_int64(st, 7);
        pt->seq = sqlite3_column_int64(st, 8);
    }
    if (rc == 0 && s != SQLITE_DONE)
        rc = cache_fail(c, e, "reading metric points");
    sqlite3_finalize(st);
    if (rc != 0) {
        cache_point_list_clean(&l);
        return rc;
    }
    *out = l;
    return 0;
}
