/* tuning.h: Automatic Model Tuning in the cache (schema 9): tuning jobs, their parameter
 * ranges, warm-start parents and metric definitions, and their trials (each trial is also an
 * ordinary row of the jobs table, so it is listed, described, logged and extracted as usual).
 *
 * Same threading, scope and error rules as cache.h: one handle, one thread; everything is in
 * the handle's current (account, region) scope; 0 or a negative ERR_* with e filled;
 * ERR_NOTFOUND for a tuning job the cache does not hold. Results go into caller-owned structs;
 * lists come with a *_clean() (safe on a zeroed struct and twice). Strings passed in are
 * borrowed. Writers run in their own savepoint, so they nest in cache_tx_begin(). */
#ifndef SAGETOP_CACHE_TUNING_H
#define SAGETOP_CACHE_TUNING_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "aws/err.h"
#include "aws/sagemaker_tuning.h"
#include "cache/cache.h"

/* ---- writers (the sync engine) ------------------------------------------------------------ */

/* Stores a DescribeHyperParameterTuningJob (its row, ranges, parents, metric definitions). */
int cache_tuning_store(struct cache *c, const struct sagemaker_tuning_job *t, struct err *e);
/* Stores a listing summary (a tuning job never described gets a row with what it says). */
int cache_tuning_store_summary(struct cache *c, const struct sagemaker_tuning_summary *s,
                               struct err *e);
/* Stores every trial of tuning (all pages, as listed): its row, its tuned hyperparameters, and
 * a job summary in the jobs table (never downgrading a newer describe); then records the time
 * as the tuning job's trials_synced_at. ERR_NOTFOUND when the tuning job has no row. */
int cache_tuning_store_trials(struct cache *c, const char *tuning,
                              const struct sagemaker_tuning_trial *items, size_t n,
                              double synced_at, struct err *e);

/* ---- readers -------------------------------------------------------------------------------- */

struct cache_tuning {
    int64_t id;
    char name[CACHE_JOB_NAME_MAX];
    char arn[256];
    char status[CACHE_STATUS_MAX];       /* InProgress Completed Failed Stopping Stopped */
    char strategy[CACHE_STATUS_MAX];     /* Bayesian Random Hyperband Grid */
    char objective_metric[256];
    char objective_type[16];             /* Minimize Maximize ("" until described) */
    int max_jobs, max_parallel;
    int completed, in_progress, failed, stopped;   /* failed = retryable + non-retryable */
    char best_job[CACHE_JOB_NAME_MAX];   /* "" when none */
    double best_value;                   /* valid when best_job[0] */
    double creation_time, end_time, last_modified;
    char early_stopping[16];             /* Off Auto */
    char warm_start_type[40];            /* "" without warm start */
    char failure_reason[1025];
    bool described;
    double trials_synced_at;             /* 0: trials never listed */
    int n_trials;                        /* trials stored */
};
struct cache_tuning_list {
    struct cache_tuning *items;
    size_t n;
};
void cache_tuning_list_clean(struct cache_tuning_list *l);

/* Every tuning job, newest first; status: comma-separated list or NULL for any. */
int cache_tuning_list(struct cache *c, const char *status, struct cache_tuning_list *out,
                      struct err *e);
int cache_tuning_get(struct cache *c, const char *name, struct cache_tuning *out, struct err *e);
/* Its DescribeHyperParameterTuningJob document (*json: the caller frees); ERR_NOTFOUND when
 * the cache has none (not described yet). */
int cache_tuning_describe_json(struct cache *c, const char *name, char **json, struct err *e);
/* Completed, Failed or Stopped. */
bool cache_tuning_final(const char *status);
/* Seconds from creation to the end (to now while it runs); 0 when unknown. */
double cache_tuning_elapsed(const struct cache_tuning *t, double now);
/* "eval_loss (min)": the objective metric and its direction ("?" for what is not known). */
void cache_tuning_objective_text(const struct cache_tuning *t, char *out, size_t n);

struct cache_tuning_range {
    char name[256];
    char kind[16];                       /* continuous integer categorical */
    char min_value[256], max_value[256]; /* "" for categorical */
    char scaling[24];                    /* Auto Linear Logarithmic ReverseLogarithmic, "" */
    char values[1024];                   /* categorical: the values joined by "," */
};
struct cache_tuning_range_list {
    struct cache_tuning_range *items;
    size_t n;
};
void cache_tuning_range_list_clean(struct cache_tuning_range_list *l);
int cache_tuning_ranges(struct cache *c, const char *name, struct cache_tuning_range_list *out,
                        struct err *e);
/* Warm-start parents (key = parent tuning job, value = WarmStartType). */
int cache_tuning_parents(struct cache *c, const char *name, struct cache_kv_list *out,
                         struct err *e);
/* The TrainingJobDefinition's MetricDefinitions (key = Name, value = Regex). */
int cache_tuning_metric_definitions(struct cache *c, const char *name,
                                    struct cache_kv_list *out, struct err *e);

struct cache_trial {
    char job[CACHE_JOB_NAME_MAX];
    char status[CACHE_STATUS_MAX];       /* the training job's: from its describe when newer */
    char objective_status[CACHE_STATUS_MAX];   /* Succeeded Pending Failed */
    bool has_objective;
    double objective;                    /* FinalHyperParameterTuningJobObjectiveMetric.Value */
    double creation_time, start_time, end_time;
    int64_t training_seconds;            /* TrainingTimeInSeconds, else end - start; 0 unknown */
    char failure_reason[1025];
    bool best;                           /* the tuning job's best: objective order's first */
    struct cache_kv *hps;                /* tuned hyperparameters, in the listing's order */
    size_t n_hps;
};
struct cache_trial_list {
    struct cache_trial *items;
    size_t n;
};
void cache_trial_list_clean(struct cache_trial_list *l);
/* The trial's value of tuned hyperparameter key, "" when it has none (borrowed from t). */
const char *cache_trial_hp(const struct cache_trial *t, const char *key);
/* Frees one trial's hyperparameters (for a caller that drops rows of a list). */
void cache_trial_clean(struct cache_trial *t);

enum cache_trial_order {
    CACHE_TRIALS_BY_OBJECTIVE,   /* best first (Minimize: ascending), no objective last */
    CACHE_TRIALS_BY_COMPLETION,  /* end time ascending, unfinished last (by creation) */
    CACHE_TRIALS_BY_CREATION,    /* creation time ascending */
};
int cache_tuning_trials(struct cache *c, const char *name, enum cache_trial_order order,
                        struct cache_trial_list *out, struct err *e);

/* The tuning job a training job is a trial of: its name into buf, ERR_NOTFOUND when none. */
int cache_tuning_of_job(struct cache *c, const char *job, char *buf, size_t size,
                        struct err *e);

/* Adds to l the metric definitions of the tuning job that job is a trial of, for the names l
 * does not define yet (call after the job's own): a trial's objective is extracted even when
 * only its tuning job defines it. Nothing when job is not a trial or on any failure. */
struct mdef_list;
void cache_tuning_trial_defs(struct cache *c, const char *job, struct mdef_list *l);

/* ---- charts (cache/tuning_plot.c: pure, over what the readers above returned) ------------- */

struct series;
struct dynbuf;
/* The range named name in rl, NULL when there is none. */
const struct cache_tuning_range *cache_tuning_range_find(const struct cache_tuning_range_list *rl,
                                                         const char *name);
/* True for a range with Logarithmic scaling (its chart x is log10 of the value). */
bool cache_tuning_range_log(const struct cache_tuning_range *r);
/* A trial's x for hyperparameter hp: the number, log10 of it when r is logarithmic, the
 * value's 1-based position in a categorical r's list; NaN when it has none (not plotted). */
double cache_tuning_hp_x(const struct cache_trial *t, const char *hp,
                         const struct cache_tuning_range *r);
/* Fills pts with the trials' final objectives (those that have one): by == NULL, x = the
 * trial's rank in l (pass l in completion order) and best (may be NULL) gets the running best
 * as a step line; else x = cache_tuning_hp_x(t, by, r) and best is left alone. pts is sorted
 * by x. r may be NULL (by's values plotted as numbers). */
int cache_tuning_objective_series(const struct cache_tuning *tj, const struct cache_trial_list *l,
                                  const char *by, const struct cache_tuning_range *r,
                                  struct series *pts, struct series *best, struct err *e);
/* Appends the chart's title to out: "NAME: eval_loss (Minimize) by completion order" or
 * "... vs log10 learning_rate" (categorical: "vs batch (1.. = 16,32,64)"). */
void cache_tuning_plot_title(const struct cache_tuning *tj, const char *by,
                             const struct cache_tuning_range *r, struct dynbuf *out);

/* Every trial of the scope: key = training job, value = its tuning job, sorted by key (for a
 * TUNING column: bsearch it). */
int cache_tuning_trial_names(struct cache *c, struct cache_kv_list *out, struct err *e);

#endif
