/* cmd_compare.c: `sagetop compare JOB JOB... [--all] [--internal] [--format table|md|csv|json]`:
 * two or more runs side by side: the hyperparameters that differ (one column per job), every
 * metric's last/min/max/best (by direction) and where the best was reached, and resources with
 * the estimated cost.
 *
 * Owns argument parsing and loading the jobs from the cache (described and their logs synced
 * first unless --offline, like `sagetop show`); compare_output.c prints them. The tables
 * themselves are metrics/compare.h, shared with the TUI's compare view; this file must not
 * compute them itself. Curves are indexed by the Trainer's step when every point of the
 * series has one (then "at" is "step N"), else by the time since the job started (then "at"
 * is that elapsed time), as the TUI's compare view does. Text from AWS is sanitized. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cache/sync.h"
#include "cli/cli.h"
#include "cli/compare_internal.h"

static void usage(FILE *f)
{
    fputs("usage: sagetop compare JOB JOB... [--all] [--internal] [--format table|md|csv|json]\n"
          "  Compares training jobs side by side (from the cache, refreshed first unless\n"
          "  --offline): hyperparameters, metrics (last, min, max, best by direction and\n"
          "  when it was reached), resources, time and estimated cost.\n"
          "  --all        show the hyperparameters every job shares too\n"
          "  --internal   show SageMaker's own sagemaker_* hyperparameters\n"
          "  --format     table (default), md (Markdown), csv (section,name,job,field,value)\n"
          "               or json\n",
          f);
    fprintf(f, "  In the UI: mark 2 to 10 jobs with space and press c.\n");
}

static void job_clean(struct cmp_job *j)
{
    size_t i;

    for (i = 0; i < j->n_mi; i++) {
        series_free((struct series *)j->mi[i].s);
        free((char *)j->mi[i].name);
    }
    free(j->mi);
    free(j->mi_step);
    free(j->kv);
    cache_kv_list_clean(&j->hp);
    memset(j, 0, sizeof(*j));
}

/* The points of one metric as a series of (seconds since start, value); with several
 * instances only the first one's (algo-1): every host logs the same Trainer lines. */
static int load_series(struct cache *c, const struct cache_job *cj, const char *metric,
                       struct series **out, bool *x_step, struct err *e)
{
    bool by_step = true;
    struct cache_point_list pl;
    struct series *s;
    double start;
    size_t i;
    int rc;

    memset(&pl, 0, sizeof(pl));
    rc = cache_job_metric_points(c, cj->name, metric, NULL, &pl, e);
    if (rc < 0)
        return rc;
    s = series_new(metric);
    if (s == NULL) {
        rc = err_set(e, ERR_NOMEM, "out of memory");
        goto out;
    }
    start = cj->start_time > 0 ? cj->start_time
                               : (pl.n > 0 ? (double)pl.items[0].ts_ms / 1000.0 : 0);
    for (i = 0; i < pl.n; i++) {
        if (pl.n_instances > 1 && pl.items[i].instance != 0)
            continue;
        if (pl.items[i].step < 0)
            by_step = false;
    }
    for (i = 0; i < pl.n && rc == 0; i++) {
        if (pl.n_instances > 1 && pl.items[i].instance != 0)
            continue;
        rc = series_push(s, by_step ? (double)pl.items[i].step
                                    : (double)pl.items[i].ts_ms / 1000.0 - start,
                         pl.items[i].value, e);
    }
    if (rc == 0)
        rc = series_sort(s, e);
    if (rc < 0) {
        series_free(s);
        goto out;
    }
    *out = s;
    *x_step = by_step && pl.n > 0;
out:
    cache_point_list_clean(&pl);
    return rc;
}

static int load_job(struct cache *c, const char *name, struct cmp_job *j, bool offline,
                    struct err *e)
{
    struct cache_metric_stat_list ms;
    struct compare_resources_in ri;
    size_t i;
    int rc;

    memset(&ms, 0, sizeof(ms));
    rc = cache_job_get(c, name, &j->cj, e);
    if (rc == ERR_NOTFOUND)
        return err_set(e, ERR_NOTFOUND, "%s is not in the cache%s", name,
                       offline ? " (run 'sagetop sync', or drop --offline)" : "");
    if (rc < 0)
        return rc;
    rc = cache_job_hyperparameters(c, name, &j->hp, e);
    if (rc < 0)
        return rc;
    j->kv = calloc(j->hp.n + 1, sizeof(*j->kv));
    if (j->kv == NULL)
        return err_set(e, ERR_NOMEM, "out of memory");
    for (i = 0; i < j->hp.n; i++) {
        j->kv[i].key = j->hp.items[i].key;
        j->kv[i].value = j->hp.items[i].value;
    }
    rc = cache_job_metric_stats(c, name, &ms, e);
    if (rc < 0)
        return rc;
    j->mi = calloc(ms.n + 1, sizeof(*j->mi));
    j->mi_step = calloc(ms.n + 1, sizeof(*j->mi_step));
    if (j->mi == NULL || j->mi_step == NULL) {
        rc = err_set(e, ERR_NOMEM, "out of memory");
        goto out;
    }
    for (i = 0; i < ms.n; i++) {
        struct series *s = NULL;

        if (ms.items[i].count == 0)
            continue;   /* only a final value: no curve to compare */
        rc = load_series(c, &j->cj, ms.items[i].name, &s, &j->mi_step[j->n_mi], e);
        if (rc < 0)
            goto out;
        j->mi[j->n_mi].name = strdup(ms.items[i].name);
        j->mi[j->n_mi].s = s;
        if (j->mi[j->n_mi].name == NULL) {
            series_free(s);
            rc = err_set(e, ERR_NOMEM, "out of memory");
            goto out;
        }
        j->n_mi++;
    }
    ri.instance_type = j->cj.instance_type;
    ri.instance_count = j->cj.instance_count;
    ri.training_s = (double)j->cj.training_seconds;
    ri.billable_s = (double)j->cj.billable_seconds;
    ri.spot = j->cj.spot;
    compare_resources_compute(&ri, &j->res);
out:
    cache_metric_stat_list_clean(&ms);
    return rc;
}

/* Attempts at a complete sync before compare settles for the cache: the sync is incremental
 * (each attempt resumes at the stored cursors), so a job whose logs one pass left short (a
 * transient failure past the client's own retries) is completed rather than compared with
 * part of its points. */
#define COMPARE_SYNC_ATTEMPTS 3

/* A failure another pass may get past (a reset, a throttle, a busy cache, a 5xx, a cut body);
 * not one that stays (credentials, configuration, a job that does not exist, bad input). */
static bool refresh_worth_retrying(int code)
{
    return code == ERR_NET || code == ERR_THROTTLED || code == ERR_CACHE || code == ERR_AWS ||
           code == ERR_PARSE || code == ERR_IO;
}

/* Describes the jobs and fetches their logs to the end; a sync still incomplete after
 * COMPARE_SYNC_ATTEMPTS only warns (the cache is shown). */
static int refresh(const struct cli_aws *a, struct cache *c, const char **names, size_t n,
                   struct err *e)
{
    struct sync_options so;
    struct sync_plan plan = { false, names, n, SYNC_LOGS_NAMED, 0, false };
    struct err se = { 0 };
    struct sync *s;
    int attempt, rc;

    cli_sync_options(&so, a, c, n < 4 ? (int)n : 4);
    for (attempt = 1; attempt <= COMPARE_SYNC_ATTEMPTS; attempt++) {
        memset(&se, 0, sizeof(se));
        s = sync_new(&so, &se);
        rc = s != NULL ? sync_run(s, &plan, &se) : (se.code ? se.code : ERR_NOMEM);
        if (rc == 0) {
            sync_free(s);
            return 0;
        }
        if (rc == ERR_CANCELLED || cli_interrupted) {
            sync_free(s);
            return err_set(e, ERR_CANCELLED, "interrupted");
        }
        if (s == NULL || !refresh_worth_retrying(rc)) {
            sync_free(s);
            break;
        }
        sync_free(s);
    }
    fprintf(stderr, "sagetop compare: could not refresh (%s); showing the cache\n", se.msg);
    return 0;
}

/* ---- the command ------------------------------------------------------------------------ */

/* parse_args: --help was printed; exit 0. */
enum { COMPARE_HELP_SHOWN = -1 };

/* The options into *fmt and *flags, the distinct job names into run->names (room for argc).
 * Returns 0, COMPARE_HELP_SHOWN, or EXIT_USAGE after printing why. */
static int parse_args(int argc, char **argv, struct cmp_run *run, enum cmp_format *fmt,
                      unsigned *flags)
{
    size_t k;
    int i;

    for (i = 1; i < argc; i++) {
        const char *s = argv[i];

        if (strcmp(s, "--help") == 0 || strcmp(s, "-h") == 0) {
            usage(stdout);
            return COMPARE_HELP_SHOWN;
        } else if (strcmp(s, "--all") == 0) {
            *flags |= COMPARE_HP_ALL;
        } else if (strcmp(s, "--internal") == 0) {
            *flags |= COMPARE_HP_INTERNAL;
        } else if (strcmp(s, "--format") == 0 || strncmp(s, "--format=", 9) == 0) {
            const char *f = s[8] == '=' ? s + 9 : (i + 1 < argc ? argv[++i] : "");

            if (strcmp(f, "table") == 0)
                *fmt = CMP_TABLE;
            else if (strcmp(f, "md") == 0 || strcmp(f, "markdown") == 0)
                *fmt = CMP_MD;
            else if (strcmp(f, "csv") == 0)
                *fmt = CMP_CSV;
            else if (strcmp(f, "json") == 0)
                *fmt = CMP_JSON;
            else {
                return cli_usage_error("compare", "--format is table, md, csv or json, not '%s'",
                                       f);
            }
        } else if (s[0] == '-') {
            return cli_usage_error("compare", "unknown option '%s'", s);
        } else {
            for (k = 0; k < run->n; k++)
                if (strcmp(run->names[k], s) == 0)
                    break;
            if (k == run->n)   /* a job named twice is compared once */
                run->names[run->n++] = s;
        }
    }
    if (run->n < 2 || run->n > COMPARE_MAX_JOBS)
        return cli_usage_error("compare", "name 2 to %d different jobs: sagetop compare JOB JOB...",
                               COMPARE_MAX_JOBS);
    return 0;
}

int cmd_compare(const struct globals *g, int argc, char **argv)
{
    struct cli_aws a;
    struct cache *c = NULL;
    struct err e = { 0 };
    struct cmp_run run;
    struct compare_hp_job *hpj = NULL;
    struct compare_metrics_job *mj = NULL;
    enum cmp_format fmt = CMP_TABLE;
    unsigned flags = 0;
    size_t k;
    int rc;
    bool aws_open = false;

    memset(&run, 0, sizeof(run));
    memset(&a, 0, sizeof(a));
    run.names = calloc((size_t)argc + 1, sizeof(char *));
    if (run.names == NULL)
        return EXIT_ERROR;
    rc = parse_args(argc, argv, &run, &fmt, &flags);
    if (rc != 0) {
        free(run.names);
        return rc == COMPARE_HELP_SHOWN ? EXIT_OK : rc;
    }
    run.jobs = calloc(run.n, sizeof(*run.jobs));
    hpj = calloc(run.n, sizeof(*hpj));
    mj = calloc(run.n, sizeof(*mj));
    if (run.jobs == NULL || hpj == NULL || mj == NULL) {
        rc = err_set(&e, ERR_NOMEM, "out of memory");
        goto out;
    }
    if ((rc = cli_aws_open(g, &a, &e)) != 0)
        goto out;
    aws_open = true;
    if ((rc = cache_session_open(a.cfg, g->offline ? NULL : a.client, g->cache_path,
                                 g->reset_cache ? CACHE_RESET : 0, &c, NULL, 0, &e)) != 0)
        goto out;
    if (!g->offline && (rc = refresh(&a, c, run.names, run.n, &e)) != 0)
        goto out;
    for (k = 0; k < run.n; k++) {
        if ((rc = load_job(c, run.names[k], &run.jobs[k], g->offline, &e)) != 0)
            goto out;
        hpj[k].items = run.jobs[k].kv;
        hpj[k].n = run.jobs[k].hp.n;
        mj[k].metrics = run.jobs[k].mi;
        mj[k].n = run.jobs[k].n_mi;
    }
    if ((rc = compare_hp_build(hpj, run.n, flags, &run.hp, &e)) != 0)
        goto out;
    if ((rc = compare_metrics_build(mj, run.n, NULL, 0, &run.mt, &e)) != 0)
        goto out;
    rc = compare_output_write(&run, fmt);
    if (rc != 0)
        err_set(&e, rc, "out of memory formatting the comparison");
out:
    compare_hp_clean(&run.hp);
    compare_metrics_clean(&run.mt);
    for (k = 0; run.jobs != NULL && k < run.n; k++)
        job_clean(&run.jobs[k]);
    free(run.jobs);
    free(hpj);
    free(mj);
    free(run.names);
    cache_close(c);
    if (aws_open)
        cli_aws_close(&a);
    return rc != 0 ? cli_fail(&e) : EXIT_OK;
}

