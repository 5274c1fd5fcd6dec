/* tuning.c: tuning jobs and their trials in the cache (schema 9): storing what
 * DescribeHyperParameterTuningJob and ListTrainingJobsForHyperParameterTuningJob return, and
 * reading it back in the orders the front ends show (trials by objective, best first; by
 * completion for the running-best chart).
 *
 * Owns the tuning_* tables. A trial is also a jobs row: storing trials upserts their job
 * summaries through cache_job_upsert_summary(), so the rest of the cache (describe, logs,
 * points) treats them as any job. Must not call AWS, print, or know about the UI. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "aws/dynbuf.h"
#include "cache/internal.h"
#include "cache/tuning.h"
#include "metrics/metrics.h"

static const char *nz(const char *s)
{
    return s != NULL ? s : "";
}

static int tuning_id(struct cache *c, const char *name, int64_t *id, struct err *e)
{
    sqlite3_stmt *st;
    int rc = cache_prepare(c, "SELECT id FROM tuning_jobs WHERE scope_id=?1 AND name=?2", &st, e);

    if (rc != 0)
        return rc;
    sqlite3_bind_int64(st, 1, c->scope_id);
    sqlite3_bind_text(st, 2, name, -1, SQLITE_STATIC);
    rc = sqlite3_step(st);
    if (rc == SQLITE_ROW) {
        *id = sqlite3_column_int64(st, 0);
        rc = 0;
    } else if (rc == SQLITE_DONE) {
        rc = err_set(e, ERR_NOTFOUND, "no tuning job %s in the cache (sync first, or check "
                     "the name)", name);
    } else {
        rc = cache_fail(c, e, "looking up a tuning job");
    }
    sqlite3_finalize(st);
    return rc;
}

/* Runs one prepared write; 0 or ERR_CACHE naming what. */
static int step_done(struct cache *c, sqlite3_stmt *st, const char *what, struct err *e)
{
    int rc = sqlite3_step(st) == SQLITE_DONE ? 0 : cache_fail(c, e, what);

    sqlite3_finalize(st);
    return rc;
}

/* ---- writers -------------------------------------------------------------------------------- */

/* What a listing summary and a describe both say: ?1..?14 of either insert. */
#define HEAD_COLS "scope_id, name, arn, status, strategy, max_jobs, max_parallel, completed," \
    " in_progress, failed, stopped, creation_time, end_time, last_modified"
#define HEAD_SET "arn=excluded.arn, status=excluded.status, strategy=excluded.strategy," \
    " max_jobs=excluded.max_jobs, max_parallel=excluded.max_parallel," \
    " completed=excluded.completed, in_progress=excluded.in_progress, failed=excluded.failed," \
    " stopped=excluded.stopped, creation_time=excluded.creation_time," \
    " end_time=excluded.end_time, last_modified=excluded.last_modified"
struct tuning_head {
    const char *name, *arn, *status, *strategy;
    int max_jobs, max_parallel, completed, in_progress, failed, stopped;
    double creation_time, end_time, last_modified;
};

static void bind_head(struct cache *c, sqlite3_stmt *st, const struct tuning_head *h)
{
    sqlite3_bind_int64(st, 1, c->scope_id);
    sqlite3_bind_text(st, 2, h->name, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 3, h->arn, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 4, h->status, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 5, h->strategy, -1, SQLITE_STATIC);
    sqlite3_bind_int(st, 6, h->max_jobs);
    sqlite3_bind_int(st, 7, h->max_parallel);
    sqlite3_bind_int(st, 8, h->completed);
    sqlite3_bind_int(st, 9, h->in_progress);
    sqlite3_bind_int(st, 10, h->failed);
    sqlite3_bind_int(st, 11, h->stopped);
    sqlite3_bind_double(st, 12, h->creation_time);
    sqlite3_bind_double(st, 13, h->end_time);
    sqlite3_bind_double(st, 14, h->last_modified);
}

int cache_tuning_store_summary(struct cache *c, const struct sagemaker_tuning_summary *s,
                               struct err *e)
{
    /* a listing never overwrites a newer describe */
    static const char sql[] =
        "INSERT INTO tuning_jobs(" HEAD_COLS ") VALUES(?1,?2,?3,?4,?5,?6,?7,?8,?9,?10,?11,?12,"
        "?13,?14) ON CONFLICT(scope_id, name) DO UPDATE SET " HEAD_SET
        " WHERE coalesce(tuning_jobs.last_modified,0) <= excluded.last_modified";
    struct tuning_head h = {
        s->name, s->arn, s->status, s->strategy, s->max_jobs, s->max_parallel_jobs,
        s->completed, s->in_progress, s->retryable_error + s->non_retryable_error, s->stopped,
        s->creation_time, s->end_time, s->last_modified_time,
    };
    sqlite3_stmt *st;
    int rc;

    if ((rc = cache_sp_begin(c, e)) != 0)
        return rc;
    if ((rc = cache_prepare(c, sql, &st, e)) == 0) {
        bind_head(c, st, &h);
        rc = step_done(c, st, "storing a tuning job summary", e);
    }
    return cache_sp_end(c, rc, e);
}

static int store_row(struct cache *c, const struct sagemaker_tuning_job *t, struct err *e)
{
    static const char sql[] =
        "INSERT INTO tuning_jobs(" HEAD_COLS ", objective_metric, objective_type, best_job,"
        " best_value, early_stopping, warm_start_type, failure_reason, describe_json,"
        " described_at) VALUES(?1,?2,?3,?4,?5,?6,?7,?8,?9,?10,?11,?12,?13,?14,?15,?16,?17,?18,"
        "?19,?20,?21,?22,(julianday('now')-2440587.5)*86400.0)"
        " ON CONFLICT(scope_id, name) DO UPDATE SET " HEAD_SET ","
        "  objective_metric=excluded.objective_metric, objective_type=excluded.objective_type,"
        "  best_job=excluded.best_job, best_value=excluded.best_value,"
        "  early_stopping=excluded.early_stopping, warm_start_type=excluded.warm_start_type,"
        "  failure_reason=excluded.failure_reason, describe_json=excluded.describe_json,"
        "  described_at=excluded.described_at";
    struct tuning_head h = {
        t->name, t->arn, t->status, t->strategy, t->max_jobs, t->max_parallel_jobs,
        t->completed, t->in_progress, t->retryable_error + t->non_retryable_error, t->stopped,
        t->creation_time, t->end_time, t->last_modified_time,
    };
    sqlite3_stmt *st;
    int rc = cache_prepare(c, sql, &st, e);

    if (rc != 0)
        return rc;
    bind_head(c, st, &h);
    sqlite3_bind_text(st, 15, nz(t->objective_metric), -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 16, t->objective_type, -1, SQLITE_STATIC);
    if (t->has_best && t->best.has_objective) {
        sqlite3_bind_text(st, 17, t->best.job.name, -1, SQLITE_STATIC);
        sqlite3_bind_double(st, 18, t->best.objective_value);
    }
    sqlite3_bind_text(st, 19, t->early_stopping, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 20, t->warm_start_type, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 21, nz(t->failure_reason), -1, SQLITE_STATIC);
    if (t->raw_json != NULL)
        sqlite3_bind_text(st, 22, t->raw_json, (int)t->raw_json_len, SQLITE_STATIC);
    return step_done(c, st, "storing a tuning job", e);
}

/* Deletes the rows of table belonging to tuning id (before writing them again). */
static int clear_rows(struct cache *c, const char *table, int64_t id, struct err *e)
{
    char sql[128];
    sqlite3_stmt *st;
    int rc;

    snprintf(sql, sizeof(sql), "DELETE FROM %s WHERE tuning_id=?1", table);
    if ((rc = cache_prepare(c, sql, &st, e)) != 0)
        return rc;
    sqlite3_bind_int64(st, 1, id);
    return step_done(c, st, "clearing tuning rows", e);
}

static int store_range(struct cache *c, int64_t id, int idx, const struct sagemaker_param_range *r,
                       struct err *e)
{
    struct dynbuf vals;
    sqlite3_stmt *st;
    size_t i;
    int rc;

    dynbuf_init(&vals, 64 * 1024);
    for (i = 0; i < r->n_values; i++) {
        if (i > 0)
            dynbuf_addc(&vals, ',');
        dynbuf_addstr(&vals, r->values[i]);
    }
    if (vals.err != 0) {
        dynbuf_free(&vals);
        return err_set(e, ERR_NOMEM, "out of memory");
    }
    rc = cache_prepare(c, "INSERT INTO tuning_ranges(tuning_id, idx, name, kind, min_value,"
                       " max_value, scaling, vals) VALUES(?1,?2,?3,?4,?5,?6,?7,?8)", &st, e);
    if (rc == 0) {
        sqlite3_bind_int64(st, 1, id);
        sqlite3_bind_int(st, 2, idx);
        sqlite3_bind_text(st, 3, r->name, -1, SQLITE_STATIC);
        sqlite3_bind_text(st, 4, sagemaker_range_kind_name(r->kind), -1, SQLITE_STATIC);
        sqlite3_bind_text(st, 5, nz(r->min_value), -1, SQLITE_STATIC);
        sqlite3_bind_text(st, 6, nz(r->max_value), -1, SQLITE_STATIC);
        sqlite3_bind_text(st, 7, r->scaling, -1, SQLITE_STATIC);
        sqlite3_bind_text(st, 8, dynbuf_str(&vals), -1, SQLITE_STATIC);
        rc = step_done(c, st, "storing a parameter range", e);
    }
    dynbuf_free(&vals);
    return rc;
}

/* One (idx, a, b) row of tuning_parents (b NULL) or tuning_metric_definitions. */
static int store_pair(struct cache *c, const char *sql, int64_t id, int idx, const char *a,
                      const char *b, struct err *e)
{
    sqlite3_stmt *st;
    int rc = cache_prepare(c, sql, &st, e);

    if (rc != 0)
        return rc;
    sqlite3_bind_int64(st, 1, id);
    sqlite3_bind_int(st, 2, idx);
    sqlite3_bind_text(st, 3, a, -1, SQLITE_STATIC);
    if (b != NULL)
        sqlite3_bind_text(st, 4, b, -1, SQLITE_STATIC);
    return step_done(c, st, "storing a tuning job's details", e);
}

static int store_details(struct cache *c, int64_t id, const struct sagemaker_tuning_job *t,
                         struct err *e)
{
    size_t i;
    int rc;

    if ((rc = clear_rows(c, "tuning_ranges", id, e)) != 0 ||
        (rc = clear_rows(c, "tuning_parents", id, e)) != 0 ||
        (rc = clear_rows(c, "tuning_metric_definitions", id, e)) != 0)
        return rc;
    for (i = 0; rc == 0 && i < t->n_ranges; i++)
        rc = store_range(c, id, (int)i, &t->ranges[i], e);
    for (i = 0; rc == 0 && i < t->n_parents; i++)
        rc = store_pair(c, "INSERT INTO tuning_parents(tuning_id, idx, parent) VALUES(?1,?2,?3)",
                        id, (int)i, t->parents[i], NULL, e);
    for (i = 0; rc == 0 && i < t->n_metric_definitions; i++)
        rc = store_pair(c, "INSERT INTO tuning_metric_definitions(tuning_id, idx, name, regex)"
                        " VALUES(?1,?2,?3,?4)", id, (int)i, t->metric_definitions[i].name,
                        t->metric_definitions[i].regex, e);
    return rc;
}

int cache_tuning_store(struct cache *c, const struct sagemaker_tuning_job *t, struct err *e)
{
    int64_t id = 0;
    int rc;

    if ((rc = cache_sp_begin(c, e)) != 0)
        return rc;
    if ((rc = store_row(c, t, e)) == 0 && (rc = tuning_id(c, t->name, &id, e)) == 0)
        rc = store_details(c, id, t, e);
    return cache_sp_end(c, rc, e);
}

static int store_trial(struct cache *c, int64_t id, const struct sagemaker_tuning_trial *tr,
                       struct err *e)
{
    static const char sql[] =
        "INSERT OR REPLACE INTO tuning_trials(tuning_id, job_name, status, objective_status,"
        " objective, creation_time, start_time, end_time, failure_reason)"
        " VALUES(?1,?2,?3,?4,?5,?6,?7,?8,?9)";
    const struct sagemaker_job_summary *j = &tr->job;
    struct cache_job_summary sm = {
        j->name, j->arn, j->status, NULL, j->creation_time, j->training_end_time, 0,
    };
    sqlite3_stmt *st;
    size_t i;
    int rc = cache_prepare(c, sql, &st, e);

    if (rc != 0)
        return rc;
    sqlite3_bind_int64(st, 1, id);
    sqlite3_bind_text(st, 2, j->name, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 3, j->status, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 4, tr->objective_status, -1, SQLITE_STATIC);
    if (tr->has_objective)
        sqlite3_bind_double(st, 5, tr->objective_value);
    sqlite3_bind_double(st, 6, j->creation_time);
    sqlite3_bind_double(st, 7, j->training_start_time);
    sqlite3_bind_double(st, 8, j->training_end_time);
    sqlite3_bind_text(st, 9, nz(tr->failure_reason), -1, SQLITE_STATIC);
    if ((rc = step_done(c, st, "storing a trial", e)) != 0)
        return rc;
    rc = cache_prepare(c, "DELETE FROM tuning_trial_hps WHERE tuning_id=?1 AND job_name=?2",
                       &st, e);
    if (rc != 0)
        return rc;
    sqlite3_bind_int64(st, 1, id);
    sqlite3_bind_text(st, 2, j->name, -1, SQLITE_STATIC);
    if ((rc = step_done(c, st, "storing a trial", e)) != 0)
        return rc;
    for (i = 0; i < tr->n_tuned_hyper_parameters; i++) {
        if ((rc = cache_prepare(c, "INSERT OR REPLACE INTO tuning_trial_hps(tuning_id, job_name,"
                                " idx, key, value) VALUES(?1,?2,?3,?4,?5)", &st, e)) != 0)
            return rc;
        sqlite3_bind_int64(st, 1, id);
        sqlite3_bind_text(st, 2, j->name, -1, SQLITE_STATIC);
        sqlite3_bind_int(st, 3, (int)i);
        sqlite3_bind_text(st, 4, tr->tuned_hyper_parameters[i].key, -1, SQLITE_STATIC);
        sqlite3_bind_text(st, 5, tr->tuned_hyper_parameters[i].value, -1, SQLITE_STATIC);
        if ((rc = step_done(c, st, "storing a trial's hyperparameters", e)) != 0)
            return rc;
    }
    /* a trial is a training job: listed with the others, described and logged as usual */
    return cache_job_upsert_summary(c, &sm, e);
}

int cache_tuning_store_trials(struct cache *c, const char *tuning,
                              const struct sagemaker_tuning_trial *items, size_t n,
                              double synced_at, struct err *e)
{
    sqlite3_stmt *st;
    int64_t id = 0;
    size_t i;
    int rc;

    if ((rc = cache_sp_begin(c, e)) != 0)
        return rc;
    if ((rc = tuning_id(c, tuning, &id, e)) != 0)
        return cache_sp_end(c, rc, e);
    for (i = 0; rc == 0 && i < n; i++)
        rc = store_trial(c, id, &items[i], e);
    if (rc == 0 &&
        (rc = cache_prepare(c, "UPDATE tuning_jobs SET trials_synced_at=?2 WHERE id=?1", &st,
                            e)) == 0) {
        sqlite3_bind_int64(st, 1, id);
        sqlite3_bind_double(st, 2, synced_at);
        rc = step_done(c, st, "storing trials", e);
    }
    return cache_sp_end(c, rc, e);
}

/* ---- tuning jobs ------------------------------------------------------------------------- */

#define TUNING_COLS "t.id, t.name, t.arn, t.status, t.strategy, t.objective_metric," \
    " t.objective_type, t.max_jobs, t.max_parallel, t.completed, t.in_progress, t.failed," \
    " t.stopped, t.best_job, t.best_value, t.creation_time, t.end_time, t.last_modified," \
    " t.early_stopping, t.warm_start_type, t.failure_reason, t.describe_json IS NOT NULL," \
    " t.trials_synced_at, (SELECT count(*) FROM tuning_trials x WHERE x.tuning_id=t.id)"

static void read_tuning(sqlite3_stmt *st, void *item)
{
    struct cache_tuning *t = item;

    memset(t, 0, sizeof(*t));
    t->id = sqlite3_column_int64(st, 0);
    cache_col_text(st, 1, t->name, sizeof(t->name));
    cache_col_text(st, 2, t->arn, sizeof(t->arn));
    cache_col_text(st, 3, t->status, sizeof(t->status));
    cache_col_text(st, 4, t->strategy, sizeof(t->strategy));
    cache_col_text(st, 5, t->objective_metric, sizeof(t->objective_metric));
    cache_col_text(st, 6, t->objective_type, sizeof(t->objective_type));
    t->max_jobs = sqlite3_column_int(st, 7);
    t->max_parallel = sqlite3_column_int(st, 8);
    t->completed = sqlite3_column_int(st, 9);
    t->in_progress = sqlite3_column_int(st, 10);
    t->failed = sqlite3_column_int(st, 11);
    t->stopped = sqlite3_column_int(st, 12);
    cache_col_text(st, 13, t->best_job, sizeof(t->best_job));
    t->best_value = sqlite3_column_double(st, 14);
    t->creation_time = sqlite3_column_double(st, 15);
    t->end_time = sqlite3_column_double(st, 16);
    t->last_modified = sqlite3_column_double(st, 17);
    cache_col_text(st, 18, t->early_stopping, sizeof(t->early_stopping));
    cache_col_text(st, 19, t->warm_start_type, sizeof(t->warm_start_type));
    cache_col_text(st, 20, t->failure_reason, sizeof(t->failure_reason));
    t->described = sqlite3_column_int(st, 21) != 0;
    t->trials_synced_at = sqlite3_column_double(st, 22);
    t->n_trials = sqlite3_column_int(st, 23);
}

void cache_tuning_list_clean(struct cache_tuning_list *l)
{
    if (l == NULL)
        return;
    free(l->items);
    l->items = NULL;
    l->n = 0;
}

bool cache_tuning_final(const char *status)
{
    return cache_status_final(status);
}

double cache_tuning_elapsed(const struct cache_tuning *t, double now)
{
    double end = t->end_time > 0 ? t->end_time
                 : cache_tuning_final(t->status) ? t->last_modified : now;

    return t->creation_time > 0 && end > t->creation_time ? end - t->creation_time : 0;
}

void cache_tuning_objective_text(const struct cache_tuning *t, char *out, size_t n)
{
    snprintf(out, n, "%s (%s)", t->objective_metric[0] ? t->objective_metric : "?",
             strcmp(t->objective_type, "Maximize") == 0 ? "max"
             : strcmp(t->objective_type, "Minimize") == 0 ? "min" : "?");
}

/* Is status one of the comma-separated list (NULL or "": any)? */
static bool status_in(const char *status, const char *list)
{
    size_t n = strlen(status);
    const char *p = list;

    if (list == NULL || list[0] == '\0')
        return true;
    while ((p = strstr(p, status)) != NULL) {
        if ((p == list || p[-1] == ',') && (p[n] == '\0' || p[n] == ','))
            return true;
        p += n;
    }
    return false;
}

int cache_tuning_list(struct cache *c, const char *status, struct cache_tuning_list *out,
                      struct err *e)
{
    struct cache_rows r = { .elem = sizeof(struct cache_tuning), .read = read_tuning,
                            .what = "reading tuning jobs" };
    struct cache_tuning_list l;
    size_t i, k = 0;
    /* ?2 is the name parameter of cache_job_rows: unused here, it always matches */
    int rc = cache_job_rows(c, "SELECT " TUNING_COLS " FROM tuning_jobs t WHERE t.scope_id=?1"
                            " AND ?2 IS NOT NULL ORDER BY t.creation_time DESC, t.id DESC", "",
                            &r, e);

    l.items = r.items;
    l.n = r.n;
    if (rc != 0) {
        cache_tuning_list_clean(&l);
        return rc;
    }
    for (i = 0; i < l.n; i++)
        if (status_in(l.items[i].status, status))
            l.items[k++] = l.items[i];
    l.n = k;
    *out = l;
    return 0;
}

int cache_tuning_get(struct cache *c, const char *name, struct cache_tuning *out, struct err *e)
{
    struct cache_rows r = { .elem = sizeof(struct cache_tuning), .read = read_tuning,
                            .what = "reading a tuning job" };
    int rc = cache_job_rows(c, "SELECT " TUNING_COLS " FROM tuning_jobs t WHERE t.scope_id=?1"
                            " AND t.name=?2", name, &r, e);

    if (rc == 0 && r.n == 0)
        rc = err_set(e, ERR_NOTFOUND, "no tuning job %s in the cache (sync first, or check "
                     "the name)", name);
    if (rc == 0)
        *out = *(struct cache_tuning *)r.items;
    free(r.items);
    return rc;
}

int cache_tuning_describe_json(struct cache *c, const char *name, char **json, struct err *e)
{
    return cache_read_doc(c, "SELECT describe_json FROM tuning_jobs WHERE scope_id=? AND name=?",
                          name, "tuning job", json, e);
}

/* ---- ranges, parents, definitions -------------------------------------------------------- */

static void read_range(sqlite3_stmt *st, void *item)
{
    struct cache_tuning_range *r = item;

    cache_col_text(st, 0, r->name, sizeof(r->name));
    cache_col_text(st, 1, r->kind, sizeof(r->kind));
    cache_col_text(st, 2, r->min_value, sizeof(r->min_value));
    cache_col_text(st, 3, r->max_value, sizeof(r->max_value));
    cache_col_text(st, 4, r->scaling, sizeof(r->scaling));
    cache_col_text(st, 5, r->values, sizeof(r->values));
}

void cache_tuning_range_list_clean(struct cache_tuning_range_list *l)
{
    if (l == NULL)
        return;
    free(l->items);
    l->items = NULL;
    l->n = 0;
}

int cache_tuning_ranges(struct cache *c, const char *name, struct cache_tuning_range_list *out,
                        struct err *e)
{
    struct cache_rows r = { .elem = sizeof(struct cache_tuning_range), .read = read_range,
                            .what = "reading parameter ranges" };
    int64_t id;
    int rc;

    if ((rc = tuning_id(c, name, &id, e)) != 0)
        return rc;
    rc = cache_job_rows(c, "SELECT r.name, r.kind, r.min_value, r.max_value, r.scaling, r.vals"
                        " FROM tuning_ranges r JOIN tuning_jobs t ON t.id=r.tuning_id"
                        " WHERE t.scope_id=?1 AND t.name=?2 ORDER BY r.idx", name, &r, e);
    if (rc != 0) {
        free(r.items);
        return rc;
    }
    out->items = r.items;
    out->n = r.n;
    return 0;
}

int cache_tuning_parents(struct cache *c, const char *name, struct cache_kv_list *out,
                         struct err *e)
{
    return cache_kv_rows(c, "SELECT p.parent, t.warm_start_type FROM tuning_parents p"
                         " JOIN tuning_jobs t ON t.id=p.tuning_id WHERE t.scope_id=?1"
                         " AND t.name=?2 ORDER BY p.idx", name, cache_kv_read_row,
                         "reading warm-start parents", out, e);
}

int cache_tuning_metric_definitions(struct cache *c, const char *name,
                                    struct cache_kv_list *out, struct err *e)
{
    return cache_kv_rows(c, "SELECT d.name, d.regex FROM tuning_metric_definitions d"
                         " JOIN tuning_jobs t ON t.id=d.tuning_id WHERE t.scope_id=?1"
                         " AND t.name=?2 ORDER BY d.idx", name, cache_kv_read_row,
                         "reading a tuning job's metric definitions", out, e);
}

int cache_tuning_of_job(struct cache *c, const char *job, char *buf, size_t size,
                        struct err *e)
{
    sqlite3_stmt *st;
    int rc = cache_prepare(c, "SELECT t.name FROM tuning_trials x JOIN tuning_jobs t ON"
                           " t.id=x.tuning_id WHERE t.scope_id=?1 AND x.job_name=?2 LIMIT 1",
                           &st, e);

    if (rc != 0)
        return rc;
    sqlite3_bind_int64(st, 1, c->scope_id);
    sqlite3_bind_text(st, 2, job, -1, SQLITE_STATIC);
    rc = sqlite3_step(st);
    if (rc == SQLITE_ROW) {
        cache_col_text(st, 0, buf, size);
        rc = 0;
    } else if (rc == SQLITE_DONE) {
        rc = ERR_NOTFOUND;
        err_set(e, rc, "%s is not a trial of a cached tuning job", job);
    } else {
        rc = cache_fail(c, e, "looking up a trial");
    }
    sqlite3_finalize(st);
    return rc;
}

int cache_tuning_trial_names(struct cache *c, struct cache_kv_list *out, struct err *e)
{
    /* ?2 is the name parameter of cache_job_rows: unused here, it always matches */
    return cache_kv_rows(c, "SELECT x.job_name, t.name FROM tuning_trials x JOIN tuning_jobs t"
                         " ON t.id=x.tuning_id WHERE t.scope_id=?1 AND ?2 IS NOT NULL"
                         " ORDER BY x.job_name", "", cache_kv_read_row, "reading trials", out,
                         e);
}

void cache_tuning_trial_defs(struct cache *c, const char *job, struct mdef_list *l)
{
    struct cache_kv_list defs = { 0 };
    char tuning[CACHE_JOB_NAME_MAX];
    size_t i, k;

    if (cache_tuning_of_job(c, job, tuning, sizeof(tuning), NULL) != 0 ||
        cache_tuning_metric_definitions(c, tuning, &defs, NULL) != 0)
        return;
    for (i = 0; i < defs.n; i++) {
        /* the job's own definition of a name wins (a trial normally carries the same) */
        for (k = 0; k < l->n && strcmp(l->v[k].name, defs.items[i].key) != 0; k++)
            ;
        if (k == l->n)
            mdef_list_add(l, defs.items[i].key, defs.items[i].value, MDEF_JOB, NULL);
    }
    cache_kv_list_clean(&defs);
}
