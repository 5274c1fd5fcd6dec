/* compare.h: the tables of a run comparison, as pure functions over plain structs, shared by
 * `sagetop compare` and the TUI compare view.
 *
 *   hyperparameters  one row per key, one value per job; by default only the rows whose values
 *                    differ, SageMaker-internal keys (sagemaker_*) hidden, the SDK's JSON quoting
 *                    removed ("\"bert\"" -> bert); numbers compare by value (1e-3 == 0.001)
 *   metrics          one row per metric: last, min, max, best (by direction: loss down,
 *                    accuracy up, or a caller's rule) and the x (step) of the best, per job;
 *                    plus which job is best
 *   resources        instance type × count, training and billable time, spot savings and the
 *                    estimated cost from metrics/prices.h
 *
 * Ownership: inputs are borrowed for the call; a built table owns copies of every string it
 * shows and is released with its *_clean(). Out-parameters are written only on success.
 * No I/O, thread-safe. Failures return a negative ERR_* (ERR_NOMEM, ERR_INVAL) and fill e. */
#ifndef SAGETOP_COMPARE_H
#define SAGETOP_COMPARE_H

#include <stdbool.h>
#include <stddef.h>

#include "aws/err.h"
#include "metrics/series.h"

#define COMPARE_MAX_JOBS 64

/* ---- hyperparameters ---------------------------------------------------------------- */

struct compare_kv {
    const char *key;
    const char *value;   /* as DescribeTrainingJob gives it, quoting and all */
};

/* One job's hyperparameters. */
struct compare_hp_job {
    const struct compare_kv *items;
    size_t n;
};

enum compare_hp_flags {
    COMPARE_HP_ALL = 1 << 0,       /* keep rows whose values are all equal */
    COMPARE_HP_INTERNAL = 1 << 1,  /* keep sagemaker_* keys */
};

struct compare_hp_row {
    char *key;
    char **values;   /* n_jobs entries, unquoted; NULL where the job lacks the key */
    bool differs;
};

struct compare_hp_table {
    struct compare_hp_row *rows;   /* sorted by key */
    size_t n_rows;
    size_t n_jobs;
    size_t hidden_equal;           /* rows left out because every job agrees */
    size_t hidden_internal;        /* sagemaker_* rows left out */
};

/* Removes the JSON string quoting the SageMaker SDK adds ("\"train.py\"" -> train.py, with
 * \" \\ \n \t \/ \uXXXX unescaped); anything else is copied as is. Writes at most cap - 1 bytes
 * and a NUL; returns the unquoted length. v need not be NUL-terminated. */
size_t compare_unquote(const char *v, size_t len, char *out, size_t cap);
/* true when two (already unquoted) values are the same: equal text, or both numbers of equal
 * value ("0.001" and "1e-3"). NULL equals only NULL. */
bool compare_values_equal(const char *a, const char *b);

int compare_hp_build(const struct compare_hp_job *jobs, size_t n_jobs, unsigned flags,
                     struct compare_hp_table *out, struct err *e);
void compare_hp_clean(struct compare_hp_table *t);

/* ---- metrics ------------------------------------------------------------------------ */

struct compare_metric_in {
    const char *name;
    const struct series *s;   /* x is the step (or whatever x the caller chose) */
};

struct compare_metrics_job {
    const struct compare_metric_in *metrics;
    size_t n;
};

/* A caller's direction for a metric name (exact match), overriding series_dir_guess(). */
struct compare_dir_rule {
    const char *metric;
    enum series_dir dir;
};

struct compare_metric_cell {
    bool present;          /* the job has at least one finite value of this metric */
    size_t count;
    double last, min, max;
    double best, best_x;   /* by the row's direction; best_x is the first x reaching it */
};

struct compare_metric_row {
    char *name;
    enum series_dir dir;
    struct compare_metric_cell *cells;   /* n_jobs */
    int best_job;                        /* the job with the best value; -1 when none */
};

struct compare_metric_table {
    struct compare_metric_row *rows;     /* sorted by name */
    size_t n_rows;
    size_t n_jobs;
};

int compare_metrics_build(const struct compare_metrics_job *jobs, size_t n_jobs,
                          const struct compare_dir_rule *rules, size_t n_rules,
                          struct compare_metric_table *out, struct err *e);
void compare_metrics_clean(struct compare_metric_table *t);

/* ---- resources and cost ------------------------------------------------------------- */

struct compare_resources_in {
    const char *instance_type;   /* "ml.g5.xlarge"; NULL or "" when unknown */
    int instance_count;
    double training_s;           /* TrainingTimeInSeconds; 0 when unknown */
    double billable_s;           /* BillableTimeInSeconds; 0 when unknown */
    bool spot;
};

struct compare_resources {
    bool price_known;
    double usd_per_hour;         /* per instance */
    double cost_usd;             /* price × count × billable seconds; 0 when unknown */
    double on_demand_usd;        /* what the training time would cost without spot */
    double spot_savings_pct;     /* (1 - billable / training) × 100; NaN unless spot with both */
};

void compare_resources_compute(const struct compare_resources_in *in,
                               struct compare_resources *out);

#endif
