/* cmd_tuning_trials.c: `sagetop tuning trials NAME [--status S] [--format table|json|csv]`:
 * one row per trial of a tuning job, sorted by objective with the best starred: status,
 * objective value, training seconds and each tuned hyperparameter as a column (the ranges'
 * order, then any other the listing had). Reads the cache after tuning_session_open() refreshed
 * it. Prints to stdout, one error line to stderr; no curses. */
#include <jansson.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "cli/tuning_internal.h"

#define MAX_HP_COLS 32

struct hp_cols {
    const char *name[MAX_HP_COLS];      /* borrowed from the trials or the ranges */
    int width[MAX_HP_COLS];
    size_t n;
};

static void cols_add(struct hp_cols *h, const char *name)
{
    size_t i;

    for (i = 0; i < h->n; i++)
        if (strcmp(h->name[i], name) == 0)
            return;
    if (h->n < MAX_HP_COLS) {
        h->name[h->n] = name;
        h->width[h->n++] = (int)strlen(name);
    }
}

/* The columns: the ranges' names in order, then keys only the trials have. */
static void cols_build(const struct cache_tuning_range_list *rl,
                       const struct cache_trial_list *l, struct hp_cols *h)
{
    size_t i, k;

    memset(h, 0, sizeof(*h));
    for (i = 0; i < rl->n; i++)
        cols_add(h, rl->items[i].name);
    for (i = 0; i < l->n; i++)
        for (k = 0; k < l->items[i].n_hps; k++)
            cols_add(h, l->items[i].hps[k].key);
    for (i = 0; i < h->n; i++)
        for (k = 0; k < l->n; k++)
            if ((int)strlen(cache_trial_hp(&l->items[k], h->name[i])) > h->width[i])
                h->width[i] = (int)strlen(cache_trial_hp(&l->items[k], h->name[i]));
}

static void objective_cell(const struct cache_trial *t, char *out, size_t n)
{
    if (t->has_objective)
        snprintf(out, n, "%.6g", t->objective);
    else
        snprintf(out, n, "-");
}

static void print_table(const struct cache_tuning *tj, const struct cache_trial_list *l,
                        const struct hp_cols *h)
{
    int wname = 5, wobj = (int)strlen(tj->objective_metric);
    char obj[32], secs[32];
    size_t i, k;

    for (i = 0; i < l->n; i++)
        if ((int)strlen(l->items[i].job) > wname)
            wname = (int)strlen(l->items[i].job);
    if (wobj < 9)
        wobj = 9;
    printf("  %-*s  %-10s  %*s", wname, "TRIAL", "STATUS", wobj,
           tj->objective_metric[0] ? tj->objective_metric : "OBJECTIVE");
    for (k = 0; k < h->n; k++)
        printf("  %-*s", h->width[k], h->name[k]);
    printf("  %8s\n", "TRAIN_S");
    for (i = 0; i < l->n; i++) {
        const struct cache_trial *t = &l->items[i];

        objective_cell(t, obj, sizeof(obj));
        if (t->training_seconds > 0)
            snprintf(secs, sizeof(secs), "%lld", (long long)t->training_seconds);
        else
            snprintf(secs, sizeof(secs), "-");
        printf("%s %-*s  %-10s  %*s", t->best ? "*" : " ", wname, t->job, t->status, wobj, obj);
        for (k = 0; k < h->n; k++)
            printf("  %-*s", h->width[k], cache_trial_hp(t, h->name[k]));
        printf("  %8s\n", secs);
    }
}

static int print_json(const struct cache_tuning *tj, const struct cache_trial_list *l,
                      struct err *e)
{
    json_t *arr = json_array(), *o, *hps;
    size_t i, k;
    int rc = 0;

    for (i = 0; arr != NULL && i < l->n; i++) {
        const struct cache_trial *t = &l->items[i];

        o = json_object();
        hps = json_object();
        for (k = 0; k < t->n_hps; k++)
            json_object_set_new(hps, t->hps[k].key, json_string(t->hps[k].value));
        json_object_set_new(o, "TrainingJobName", json_string(t->job));
        json_object_set_new(o, "TrainingJobStatus", json_string(t->status));
        json_object_set_new(o, "ObjectiveStatus", json_string(t->objective_status));
        if (t->has_objective)
            json_object_set_new(o, "FinalObjectiveValue", json_real(t->objective));
        json_object_set_new(o, "TunedHyperParameters", hps);
        json_object_set_new(o, "TrainingSeconds", json_integer(t->training_seconds));
        json_object_set_new(o, "Best", json_boolean(t->best));
        json_array_append_new(arr, o);
    }
    o = json_pack("{s:s,s:s,s:s,s:o}", "HyperParameterTuningJobName", tj->name,
                  "ObjectiveMetricName", tj->objective_metric, "ObjectiveType",
                  tj->objective_type, "Trials", arr);
    if (o == NULL || json_dumpf(o, stdout, JSON_INDENT(2) | JSON_PRESERVE_ORDER) != 0)
        rc = err_set(e, ERR_NOMEM, "out of memory writing JSON");
    json_decref(o);
    putchar('\n');
    return rc;
}

static void print_csv(const struct cache_trial_list *l, const struct hp_cols *h)
{
    size_t i, k;

    fputs("best,trial,status,objective_status,objective,training_s", stdout);
    for (k = 0; k < h->n; k++) {
        putchar(',');
        cli_csv_field(stdout, h->name[k]);
    }
    putchar('\n');
    for (i = 0; i < l->n; i++) {
        const struct cache_trial *t = &l->items[i];

        printf("%d,%s,%s,%s,", t->best ? 1 : 0, t->job, t->status, t->objective_status);
        if (t->has_objective)
            printf("%.17g", t->objective);
        printf(",%lld", (long long)t->training_seconds);
        for (k = 0; k < h->n; k++) {
            putchar(',');
            cli_csv_field(stdout, cache_trial_hp(t, h->name[k]));
        }
        putchar('\n');
    }
}

/* Is status one of the comma-separated list (any case)? */
static bool status_listed(const char *status, const char *list)
{
    size_t n = strlen(status);
    const char *p = list, *q;

    for (; *p != '\0'; p = *q ? q + 1 : q) {
        q = strchr(p, ',');
        if (q == NULL)
            q = p + strlen(p);
        if ((size_t)(q - p) == n && strncasecmp(p, status, n) == 0)
            return true;
    }
    return false;
}

/* Keeps the trials whose status is listed (NULL: all). */
static void filter_status(struct cache_trial_list *l, const char *status)
{
    size_t i, k = 0;

    if (status == NULL)
        return;
    for (i = 0; i < l->n; i++) {
        if (status_listed(l->items[i].status, status)) {
            l->items[k++] = l->items[i];
            continue;
        }
        cache_trial_clean(&l->items[i]);
    }
    l->n = k;
}

int cmd_tuning_trials(const struct globals *g, int argc, char **argv)
{
    struct tuning_session ts;
    struct cache_tuning tj;
    struct cache_trial_list l = { 0 };
    struct cache_tuning_range_list rl = { 0 };
    struct hp_cols h;
    struct err e = { 0 };
    const char *v, *name = NULL, *status = NULL;
    int i, r, format = TUNING_TABLE, rc;

    for (i = 1; i < argc; i++) {
        if (strcmp(argv[i], "--help") == 0 || strcmp(argv[i], "-h") == 0) {
            printf("usage: sagetop tuning trials NAME [--status S] [--format table|json|csv]\n");
            return EXIT_OK;
        } else if ((r = cli_take_value(argc, argv, &i, "--format", &v)) != 0) {
            if (r < 0 || (format = tuning_format_parse(v, 7)) < 0)
                return cli_usage_error("tuning", "--format is table, json or csv");
        } else if ((r = cli_take_value(argc, argv, &i, "--status", &status)) != 0) {
            if (r < 0)
                return cli_usage_error("tuning", "--status needs a value");
        } else if (argv[i][0] != '-' && name == NULL) {
            name = argv[i];
        } else {
            return cli_usage_error("tuning", "unknown argument '%s'", argv[i]);
        }
    }
    if (name == NULL)
        return cli_usage_error("tuning", "which tuning job? sagetop tuning trials NAME");
    if ((rc = tuning_session_open(g, "trials", &ts, &e)) != 0)
        return cli_fail(&e);
    if ((rc = cache_tuning_get(ts.cache, name, &tj, &e)) == 0 &&
        (rc = cache_tuning_trials(ts.cache, name, CACHE_TRIALS_BY_OBJECTIVE, &l, &e)) == 0)
        rc = cache_tuning_ranges(ts.cache, name, &rl, &e);
    tuning_session_close(&ts);
    if (rc == 0) {
        filter_status(&l, status);
        cols_build(&rl, &l, &h);
        if (format == TUNING_TABLE)
            print_table(&tj, &l, &h);
        else if (format == TUNING_JSON)
            rc = print_json(&tj, &l, &e);
        else
            print_csv(&l, &h);
    }
    cache_trial_list_clean(&l);
    cache_tuning_range_list_clean(&rl);
    return cli_stdout_finish(rc, &e);
}
