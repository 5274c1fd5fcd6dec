/* cmd_tuning_list.c: `sagetop tuning [--status S] [--format table|json|csv]` (one row per
 * tuning job: status, strategy, objective, trials by state of the limit, best value and trial,
 * elapsed) and `sagetop tuning show NAME` (ranges, limits, best, warm-start parents, metric
 * definitions). Both read the cache after tuning_session_open() refreshed it. Prints to stdout,
 * one error line to stderr; no curses. */
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "aws/json.h"
#include "cli/tuning_internal.h"
#include "tui/sanitize.h"

static const char *const tuning_statuses[] = {
    "InProgress", "Completed", "Failed", "Stopping", "Stopped", "Deleting", "DeleteFailed",
};

static void print_table(const struct cache_tuning_list *l, double now)
{
    int wname = 4, wobj = 9, wbest = 10;
    char obj[300], el[32], best[32];
    size_t i;

    for (i = 0; i < l->n; i++) {
        cache_tuning_objective_text(&l->items[i], obj, sizeof(obj));
        if ((int)strlen(l->items[i].name) > wname)
            wname = (int)strlen(l->items[i].name);
        if ((int)strlen(l->items[i].best_job) > wbest)
            wbest = (int)strlen(l->items[i].best_job);
        if ((int)strlen(obj) > wobj)
            wobj = (int)strlen(obj);
    }
    printf("%-*s  %-10s  %-9s  %-*s  %4s %4s %4s %4s %5s  %10s  %-*s  %s\n", wname, "NAME",
           "STATUS", "STRATEGY", wobj, "OBJECTIVE", "DONE", "RUN", "FAIL", "STOP", "LIMIT",
           "BEST", wbest, "BEST TRIAL", "ELAPSED");
    for (i = 0; i < l->n; i++) {
        const struct cache_tuning *t = &l->items[i];

        cache_tuning_objective_text(t, obj, sizeof(obj));
        cli_fmt_span(cache_tuning_elapsed(t, now), el, sizeof(el));
        if (t->best_job[0] != '\0')
            snprintf(best, sizeof(best), "%.6g", t->best_value);
        else
            snprintf(best, sizeof(best), "-");
        printf("%-*s  %-10s  %-9s  %-*s  %4d %4d %4d %4d %5d  %10s  %-*s  %s\n", wname, t->name,
               t->status, t->strategy[0] ? t->strategy : "-", wobj, obj, t->completed,
               t->in_progress, t->failed, t->stopped, t->max_jobs, best, wbest,
               t->best_job[0] ? t->best_job : "-", el);
    }
}

static void put_iso(json_t *o, const char *key, double t)
{
    char buf[JSON_ISO8601_MAX];

    if (t > 0)
        json_object_set_new(o, key, json_string(json_iso8601(t, buf, sizeof(buf))));
}

static json_t *tuning_json(const struct cache_tuning *t, double now)
{
    json_t *o = json_object();

    json_object_set_new(o, "HyperParameterTuningJobName", json_string(t->name));
    json_object_set_new(o, "HyperParameterTuningJobArn", json_string(t->arn));
    json_object_set_new(o, "HyperParameterTuningJobStatus", json_string(t->status));
    json_object_set_new(o, "Strategy", json_string(t->strategy));
    json_object_set_new(o, "ObjectiveMetricName", json_string(t->objective_metric));
    json_object_set_new(o, "ObjectiveType", json_string(t->objective_type));
    json_object_set_new(o, "TrainingJobStatusCounters",
                        json_pack("{s:i,s:i,s:i,s:i}", "Completed", t->completed, "InProgress",
                                  t->in_progress, "Failed", t->failed, "Stopped", t->stopped));
    json_object_set_new(o, "MaxNumberOfTrainingJobs", json_integer(t->max_jobs));
    json_object_set_new(o, "MaxParallelTrainingJobs", json_integer(t->max_parallel));
    if (t->best_job[0] != '\0') {
        json_object_set_new(o, "BestTrainingJobName", json_string(t->best_job));
        json_object_set_new(o, "BestObjectiveValue", json_real(t->best_value));
    }
    put_iso(o, "CreationTime", t->creation_time);
    put_iso(o, "HyperParameterTuningEndTime", t->end_time);
    json_object_set_new(o, "ElapsedSeconds", json_integer((json_int_t)cache_tuning_elapsed(t, now)));
    return o;
}

static int print_json(const struct cache_tuning_list *l, double now, struct err *e)
{
    json_t *arr = json_array();
    size_t i;
    int rc = 0;

    for (i = 0; arr != NULL && i < l->n; i++)
        json_array_append_new(arr, tuning_json(&l->items[i], now));
    if (arr == NULL || json_dumpf(json_pack("{s:o}", "HyperParameterTuningJobs", arr), stdout,
                                  JSON_INDENT(2) | JSON_PRESERVE_ORDER) != 0)
        rc = err_set(e, ERR_NOMEM, "out of memory writing JSON");
    putchar('\n');
    return rc;
}

static void print_csv(const struct cache_tuning_list *l, double now)
{
    size_t i;

    puts("name,status,strategy,objective_metric,objective_type,completed,in_progress,failed,"
         "stopped,max_jobs,max_parallel,best_value,best_trial,elapsed_s");
    for (i = 0; i < l->n; i++) {
        const struct cache_tuning *t = &l->items[i];

        cli_csv_field(stdout, t->name);
        printf(",%s,%s,", t->status, t->strategy);
        cli_csv_field(stdout, t->objective_metric);
        printf(",%s,%d,%d,%d,%d,%d,%d,", t->objective_type, t->completed, t->in_progress,
               t->failed, t->stopped, t->max_jobs, t->max_parallel);
        if (t->best_job[0] != '\0')
            printf("%.17g", t->best_value);
        printf(",%s,%.0f\n", t->best_job, cache_tuning_elapsed(t, now));
    }
}

/* --status takes AWS's names in any case, comma-separated. */
static int canonical_statuses(const char *in, char *out, size_t n)
{
    char buf[256], *tok, *save = NULL;
    size_t i, used = 0;

    snprintf(buf, sizeof(buf), "%s", in);
    out[0] = '\0';
    for (tok = strtok_r(buf, ",", &save); tok != NULL; tok = strtok_r(NULL, ",", &save)) {
        for (i = 0; i < sizeof(tuning_statuses) / sizeof(tuning_statuses[0]); i++)
            if (strcasecmp(tok, tuning_statuses[i]) == 0)
                break;
        if (i == sizeof(tuning_statuses) / sizeof(tuning_statuses[0]))
            return -1;
        used += (size_t)snprintf(out + used, n - used, "%s%s", used ? "," : "",
                                 tuning_statuses[i]);
        if (used >= n)
            return -1;
    }
    return 0;
}

int cmd_tuning_list(const struct globals *g, int argc, char **argv)
{
    struct tuning_session ts;
    struct cache_tuning_list l = { 0 };
    struct err e = { 0 };
    const char *v, *status = NULL;
    char statuses[256] = "";
    int i, r, format = TUNING_TABLE, rc;
    double now = (double)time(NULL);

    for (i = 1; i < argc; i++) {
        if ((r = cli_take_value(argc, argv, &i, "--status", &status)) != 0) {
            if (r < 0 || canonical_statuses(status, statuses, sizeof(statuses)) != 0)
                return cli_usage_error("tuning", "--status is one or more of InProgress, "
                                       "Completed, Failed, Stopping, Stopped (comma-separated)");
        } else if ((r = cli_take_value(argc, argv, &i, "--format", &v)) != 0) {
            if (r < 0 || (format = tuning_format_parse(v, 7)) < 0)
                return cli_usage_error("tuning", "--format is table, json or csv");
        } else {
            return cli_usage_error("tuning", "unknown argument '%s'", argv[i]);
        }
    }
    if ((rc = tuning_session_open(g, "list", &ts, &e)) != 0)
        return cli_fail(&e);
    rc = cache_tuning_list(ts.cache, statuses[0] ? statuses : NULL, &l, &e);
    tuning_session_close(&ts);
    if (rc == 0 && format == TUNING_TABLE)
        print_table(&l, now);
    else if (rc == 0 && format == TUNING_JSON)
        rc = print_json(&l, now, &e);
    else if (rc == 0)
        print_csv(&l, now);
    cache_tuning_list_clean(&l);
    return cli_stdout_finish(rc, &e);
}

/* ---- show ------------------------------------------------------------------------------- */

static void show_ranges(struct cache *c, const char *name)
{
    struct cache_tuning_range_list rl = { 0 };
    size_t i;

    if (cache_tuning_ranges(c, name, &rl, NULL) != 0 || rl.n == 0)
        return;
    printf("\nParameter ranges\n");
    for (i = 0; i < rl.n; i++) {
        const struct cache_tuning_range *r = &rl.items[i];

        if (strcmp(r->kind, "categorical") == 0)
            printf("  %-24s %-12s {%s}\n", r->name, r->kind, r->values);
        else
            printf("  %-24s %-12s %s .. %s  %s\n", r->name, r->kind, r->min_value,
                   r->max_value, r->scaling[0] ? r->scaling : "Auto");
    }
    cache_tuning_range_list_clean(&rl);
}

static void show_lists(struct cache *c, const char *name)
{
    struct cache_kv_list kv = { 0 };
    char safe[1024];
    size_t i;

    if (cache_tuning_parents(c, name, &kv, NULL) == 0 && kv.n > 0) {
        printf("\nWarm start (%s)\n", kv.items[0].value);
        for (i = 0; i < kv.n; i++)
            printf("  parent  %s\n", kv.items[i].key);
    }
    cache_kv_list_clean(&kv);
    if (cache_tuning_metric_definitions(c, name, &kv, NULL) == 0 && kv.n > 0) {
        printf("\nMetric definitions\n");
        for (i = 0; i < kv.n; i++) {
            sanitize_text(kv.items[i].value, strlen(kv.items[i].value), safe, sizeof(safe), 0);
            printf("  %-24s %s\n", kv.items[i].key, safe);
        }
    }
    cache_kv_list_clean(&kv);
}

static void show_text(struct cache *c, const struct cache_tuning *t, double now)
{
    char obj[300], el[32], t1[JSON_ISO8601_MAX];

    cache_tuning_objective_text(t, obj, sizeof(obj));
    cli_fmt_span(cache_tuning_elapsed(t, now), el, sizeof(el));
    printf("%s\n", t->name);
    printf("  %-18s %s\n", "Status", t->status);
    if (t->failure_reason[0] != '\0')
        printf("  %-18s %s\n", "Failure reason", t->failure_reason);
    printf("  %-18s %s\n", "Strategy", t->strategy[0] ? t->strategy : "-");
    printf("  %-18s %s\n", "Objective", obj);
    printf("  %-18s %d jobs, %d in parallel\n", "Limits", t->max_jobs, t->max_parallel);
    printf("  %-18s %s\n", "Early stopping", t->early_stopping[0] ? t->early_stopping : "-");
    printf("  %-18s %s\n", "Created", t->creation_time > 0 ?
           json_iso8601(t->creation_time, t1, sizeof(t1)) : "-");
    printf("  %-18s %s\n", "Elapsed", el);
    printf("  %-18s %d completed, %d running, %d failed, %d stopped of %d\n", "Trials",
           t->completed, t->in_progress, t->failed, t->stopped, t->max_jobs);
    if (t->best_job[0] != '\0')
        printf("  %-18s %.6g  %s\n", "Best", t->best_value, t->best_job);
    else
        printf("  %-18s -\n", "Best");
    show_ranges(c, t->name);
    show_lists(c, t->name);
}

int cmd_tuning_show(const struct globals *g, int argc, char **argv)
{
    struct tuning_session ts;
    struct cache_tuning t;
    struct err e = { 0 };
    int rc;

    if (argc == 2 && (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0)) {
        printf("usage: sagetop tuning show NAME\n");
        return EXIT_OK;
    }
    if (argc != 2 || argv[1][0] == '-')
        return cli_usage_error("tuning", "which tuning job? sagetop tuning show NAME");
    if ((rc = tuning_session_open(g, "show", &ts, &e)) != 0)
        return cli_fail(&e);
    if ((rc = cache_tuning_get(ts.cache, argv[1], &t, &e)) == 0)
        show_text(ts.cache, &t, (double)time(NULL));
    tuning_session_close(&ts);
    return cli_stdout_finish(rc, &e);
}
