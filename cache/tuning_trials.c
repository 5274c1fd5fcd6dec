/* tuning_trials.c: reading a tuning job's trials back from the cache: one row per trial with
 * its tuned hyperparameters, in objective order (the best first and flagged), completion
 * order or creation order.
 *
 * Owns only the reads of tuning_trials and tuning_trial_hps (tuning.c writes them). Two
 * queries whatever the number of trials: the rows, then every hyperparameter of the tuning job
 * attached by name. Must not write, call AWS or print. */
#include <stdlib.h>
#include <string.h>

#include "aws/dynbuf.h"
#include "cache/internal.h"
#include "cache/tuning.h"

#define TRIAL_SQL \
    "SELECT x.job_name, x.status, x.objective_status, x.objective, x.creation_time," \
    " x.start_time, x.end_time, coalesce(j.training_seconds, 0), x.failure_reason" \
    " FROM tuning_trials x JOIN tuning_jobs t ON t.id=x.tuning_id" \
    " LEFT JOIN jobs j ON j.scope_id=t.scope_id AND j.name=x.job_name" \
    " WHERE t.scope_id=?1 AND t.name=?2 ORDER BY "

static const char *const trial_orders[] = {
    [CACHE_TRIALS_BY_OBJECTIVE] =
        "x.objective IS NULL, CASE WHEN t.objective_type='Maximize' THEN -x.objective"
        " ELSE x.objective END, x.creation_time, x.job_name",
    [CACHE_TRIALS_BY_COMPLETION] =
        "coalesce(x.end_time, 0) = 0, x.end_time, x.creation_time, x.job_name",
    [CACHE_TRIALS_BY_CREATION] = "x.creation_time, x.job_name",
};

static void read_trial(sqlite3_stmt *st, void *item)
{
    struct cache_trial *t = item;

    memset(t, 0, sizeof(*t));
    cache_col_text(st, 0, t->job, sizeof(t->job));
    cache_col_text(st, 1, t->status, sizeof(t->status));
    cache_col_text(st, 2, t->objective_status, sizeof(t->objective_status));
    t->has_objective = sqlite3_column_type(st, 3) != SQLITE_NULL;
    t->objective = sqlite3_column_double(st, 3);
    t->creation_time = sqlite3_column_double(st, 4);
    t->start_time = sqlite3_column_double(st, 5);
    t->end_time = sqlite3_column_double(st, 6);
    t->training_seconds = sqlite3_column_int64(st, 7);
    if (t->training_seconds <= 0 && t->end_time > 0 && t->start_time > 0)
        t->training_seconds = (int64_t)(t->end_time - t->start_time + 0.5);
    cache_col_text(st, 8, t->failure_reason, sizeof(t->failure_reason));
}

void cache_trial_clean(struct cache_trial *t)
{
    size_t k;

    for (k = 0; k < t->n_hps; k++) {
        free(t->hps[k].key);
        free(t->hps[k].value);
    }
    free(t->hps);
    t->hps = NULL;
    t->n_hps = 0;
}

void cache_trial_list_clean(struct cache_trial_list *l)
{
    size_t i;

    if (l == NULL)
        return;
    for (i = 0; i < l->n; i++)
        cache_trial_clean(&l->items[i]);
    free(l->items);
    l->items = NULL;
    l->n = 0;
}

/* Trials by name, for attaching hyperparameters. */
static int cmp_trial_ptr(const void *a, const void *b)
{
    return strcmp((*(struct cache_trial *const *)a)->job, (*(struct cache_trial *const *)b)->job);
}

static int add_hp(struct cache_trial *t, size_t *cap, const char *key, const char *value)
{
    struct cache_kv *kv;

    if (vec_grow((void **)&t->hps, cap, t->n_hps + 1, sizeof(*t->hps)) != 0)
        return ERR_NOMEM;
    kv = &t->hps[t->n_hps];
    kv->key = strdup(key);
    kv->value = strdup(value);
    if (kv->key == NULL || kv->value == NULL) {
        free(kv->key);
        free(kv->value);
        return ERR_NOMEM;
    }
    t->n_hps++;
    return 0;
}

static int attach_hps(struct cache *c, const char *name, struct cache_trial_list *l,
                      struct err *e)
{
    struct cache_trial **by_name = calloc(l->n + 1, sizeof(*by_name));
    struct cache_trial key, *kp = &key, **hit, *cur = NULL;
    size_t i, cap = 0;
    sqlite3_stmt *st = NULL;
    int rc, s;

    if (by_name == NULL)
        return err_set(e, ERR_NOMEM, "out of memory");
    for (i = 0; i < l->n; i++)
        by_name[i] = &l->items[i];
    qsort(by_name, l->n, sizeof(*by_name), cmp_trial_ptr);
    rc = cache_prepare(c, "SELECT h.job_name, h.key, h.value FROM tuning_trial_hps h JOIN"
                       " tuning_jobs t ON t.id=h.tuning_id WHERE t.scope_id=?1 AND t.name=?2"
                       " ORDER BY h.job_name, h.idx", &st, e);
    if (rc != 0)
        goto out;
    sqlite3_bind_int64(st, 1, c->scope_id);
    sqlite3_bind_text(st, 2, name, -1, SQLITE_STATIC);
    while ((s = sqlite3_step(st)) == SQLITE_ROW) {
        cache_col_text(st, 0, key.job, sizeof(key.job));
        if (cur == NULL || strcmp(cur->job, key.job) != 0) {
            hit = bsearch(&kp, by_name, l->n, sizeof(*by_name), cmp_trial_ptr);
            cur = hit != NULL ? *hit : NULL;
            cap = cur != NULL ? cur->n_hps : 0;
        }
        if (cur != NULL &&
            add_hp(cur, &cap, (const char *)sqlite3_column_text(st, 1),
                   sqlite3_column_text(st, 2) != NULL ?
                   (const char *)sqlite3_column_text(st, 2) : "") != 0) {
            rc = err_set(e, ERR_NOMEM, "out of memory");
            goto out;
        }
    }
    if (s != SQLITE_DONE)
        rc = cache_fail(c, e, "reading trials' hyperparameters");
out:
    sqlite3_finalize(st);
    free(by_name);
    return rc;
}

int cache_tuning_trials(struct cache *c, const char *name, enum cache_trial_order order,
                        struct cache_trial_list *out, struct err *e)
{
    struct cache_rows r = { .elem = sizeof(struct cache_trial), .read = read_trial,
                            .what = "reading trials" };
    struct cache_trial_list l = { 0 };
    struct cache_tuning t;
    struct dynbuf sql;
    size_t i;
    int rc;

    if ((unsigned)order > CACHE_TRIALS_BY_CREATION)
        return err_set(e, ERR_INVAL, "unknown trial order %d", (int)order);
    if ((rc = cache_tuning_get(c, name, &t, e)) != 0)
        return rc;
    dynbuf_init(&sql, 0);
    if (dynbuf_addstr(&sql, TRIAL_SQL) != 0 || dynbuf_addstr(&sql, trial_orders[order]) != 0) {
        dynbuf_free(&sql);
        return err_set(e, ERR_NOMEM, "out of memory");
    }
    rc = cache_job_rows(c, dynbuf_str(&sql), name, &r, e);
    dynbuf_free(&sql);
    l.items = r.items;
    l.n = r.n;
    if (rc == 0)
        rc = attach_hps(c, name, &l, e);
    if (rc != 0) {
        cache_trial_list_clean(&l);
        return rc;
    }
    /* the best: the first by objective (the order of the query above when asked for it) */
    if (order == CACHE_TRIALS_BY_OBJECTIVE) {
        if (l.n > 0 && l.items[0].has_objective)
            l.items[0].best = true;
    } else {
        struct cache_trial *best = NULL;
        bool maximize = strcmp(t.objective_type, "Maximize") == 0;

        for (i = 0; i < l.n; i++)
            if (l.items[i].has_objective &&
                (best == NULL || (maximize ? l.items[i].objective > best->objective
                                           : l.items[i].objective < best->objective)))
                best = &l.items[i];
        if (best != NULL)
            best->best = true;
    }
    *out = l;
    return 0;
}

const char *cache_trial_hp(const struct cache_trial *t, const char *key)
{
    size_t i;

    for (i = 0; i < t->n_hps; i++)
        if (strcmp(t->hps[i].key, key) == 0)
            return t->hps[i].value;
    return "";
}
