/* cmd_show.c: `sagetop show JOB [--format text|json]`: one job from the cache (described first
 * unless --offline): status timeline with durations, failure reason and the last error lines
 * of its log, resources, spot savings, image, role, hyperparameters, channels, output paths,
 * metric definitions, final and extracted metrics. Text from AWS and logs is sanitized. */
#include <jansson.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "aws/sagemaker.h"
#include "cache/session.h"
#include "cache/sync.h"
#include "cli/cli.h"
#include "tui/sanitize.h"

static void usage(FILE *f)
{
    fprintf(f, "usage: sagetop show JOB [--format text|json]\n");
}

/* Prints untrusted text safely. */
static void put(const char *s)
{
    char buf[4096];

    sanitize_text(s != NULL ? s : "", s != NULL ? strlen(s) : 0, buf, sizeof(buf), 0);
    fputs(buf, stdout);
}

static void field(const char *label, const char *value)
{
    if (value == NULL || value[0] == '\0')
        return;
    printf("  %-18s ", label);
    put(value);
    putchar('\n');
}

static void fmt_time(double t, char *buf, size_t n)
{
    time_t tt = (time_t)t;
    struct tm tm;

    if (t <= 0) {
        snprintf(buf, n, "-");
        return;
    }
    gmtime_r(&tt, &tm);
    strftime(buf, n, "%Y-%m-%d %H:%M:%S UTC", &tm);
}

static void fmt_dur(double s, char *buf, size_t n)
{
    long v = (long)(s + 0.5);

    if (s < 0)
        snprintf(buf, n, "-");
    else if (v >= 86400)
        snprintf(buf, n, "%ldd %02ldh%02ldm", v / 86400, v % 86400 / 3600, v % 3600 / 60);
    else if (v >= 3600)
        snprintf(buf, n, "%ldh%02ldm%02lds", v / 3600, v % 3600 / 60, v % 60);
    else if (v >= 60)
        snprintf(buf, n, "%ldm%02lds", v / 60, v % 60);
    else
        snprintf(buf, n, "%lds", v);
}

/* The Resources section: instances, times, spot, image. */
static void show_resources(const struct sagemaker_job *j)
{
    char d[64];

    printf("\nResources\n");
    if (j->instance_type[0] != '\0') {
        printf("  %-18s %s x %d, %d GB volume\n", "Instances", j->instance_type,
               j->instance_count, j->volume_size_gb);
    }
    if (j->max_runtime_s > 0) {
        fmt_dur((double)j->max_runtime_s, d, sizeof(d));
        field("Max runtime", d);
    }
    if (j->training_time_s > 0) {
        fmt_dur((double)j->training_time_s, d, sizeof(d));
        field("Training time", d);
    }
    if (j->billable_time_s > 0) {
        fmt_dur((double)j->billable_time_s, d, sizeof(d));
        field("Billable time", d);
    }
    if (j->managed_spot) {
        if (j->training_time_s > 0 && j->billable_time_s > 0)
            printf("  %-18s yes: billed %lds of %lds training, %.0f%% saved\n", "Spot",
                   j->billable_time_s, j->training_time_s,
                   (1.0 - (double)j->billable_time_s / (double)j->training_time_s) * 100.0);
        else
            field("Spot", "yes");
        if (j->max_wait_time_s > 0) {
            fmt_dur((double)j->max_wait_time_s, d, sizeof(d));
            field("Max wait", d);
        }
    }
    field("Image", j->training_image);
    field("Algorithm", j->algorithm_name);
    field("Input mode", j->training_input_mode);
    field("Role", j->role_arn);
}

static void show_text(struct cache *c, const struct sagemaker_job *j)
{
    struct cache_kv_list kv = { 0 };
    struct cache_metric_stat_list ms = { 0 };
    struct cache_log_batch b = { 0 };
    char t1[64], t2[64], d[64];
    size_t i;
    /* the training time, as DURATION is everywhere (see cmd_jobs.c's job_duration) */
    double end = j->training_end_time > 0 ? j->training_end_time
                 : cache_status_final(j->status) ? j->last_modified_time : (double)time(NULL);

    put(j->name);
    printf("\n  %-18s ", "Status");
    put(j->status);
    printf(" (");
    put(j->secondary_status);
    printf(")\n");
    fmt_time(j->creation_time, t1, sizeof(t1));
    field("Created", t1);
    fmt_time(j->training_start_time, t1, sizeof(t1));
    field("Started", t1);
    fmt_time(j->training_end_time, t1, sizeof(t1));
    field("Ended", t1);
    if (j->training_start_time > 0) {
        fmt_dur(end > j->training_start_time ? end - j->training_start_time : 0, d, sizeof(d));
        field("Duration", d);
    }
    field("ARN", j->arn);

    if (j->n_transitions > 0) {
        printf("\nTimeline\n");
        for (i = 0; i < j->n_transitions; i++) {
            const struct sagemaker_status_transition *t = &j->transitions[i];
            double te = t->end_time > 0 ? t->end_time : (cache_status_final(j->status)
                                                         ? t->start_time : (double)time(NULL));

            fmt_time(t->start_time, t1, sizeof(t1));
            fmt_dur(te - t->start_time, t2, sizeof(t2));
            printf("  %-24s %s  %9s  ", t->status, t1, t2);
            put(t->message);
            putchar('\n');
        }
    }
    if (j->failure_reason != NULL && j->failure_reason[0] != '\0') {
        printf("\nFailure\n  ");
        put(j->failure_reason);
        putchar('\n');
        if (cache_logs_search(c, j->name, "(?i)error|exception|traceback|failed", true, NULL, 8,
                              NULL, &b, NULL) == 0 && b.n > 0) {
            printf("  last error lines of the log:\n");
            for (i = 0; i < b.n; i++) {
                char line[1024];

                sanitize_text(b.lines[i].text, b.lines[i].len, line, sizeof(line), 0);
                printf("    %s | %s\n", b.lines[i].instance, line);
            }
        }
        cache_log_batch_clean(&b);
    }

    show_resources(j);

    if (cache_job_hyperparameters(c, j->name, &kv, NULL) == 0 && kv.n > 0) {
        printf("\nHyperparameters\n");
        for (i = 0; i < kv.n; i++)
            field(kv.items[i].key, kv.items[i].value[0] ? kv.items[i].value : "\"\"");
    }
    cache_kv_list_clean(&kv);

    if (j->n_channels > 0) {
        printf("\nInput channels\n");
        for (i = 0; i < j->n_channels; i++)
            field(j->channels[i].name, j->channels[i].s3_uri ? j->channels[i].s3_uri : "(not S3)");
    }
    printf("\nOutput\n");
    field("Output path", j->output_s3_path);
    field("Model artifacts", j->model_artifacts);
    field("Checkpoints", j->checkpoint_s3_uri);

    if (j->n_metric_definitions > 0) {
        printf("\nMetric definitions\n");
        for (i = 0; i < j->n_metric_definitions; i++)
            field(j->metric_definitions[i].name, j->metric_definitions[i].regex);
    }
    if (cache_job_metric_stats(c, j->name, &ms, NULL) == 0 && ms.n > 0) {
        printf("\nMetrics %32s %12s %12s %12s %8s\n", "final", "last", "min", "max", "points");
        for (i = 0; i < ms.n; i++) {
            const struct cache_metric_stat *m = &ms.items[i];
            char f[32] = "-", l[32] = "-", lo[32] = "-", hi[32] = "-";

            if (m->has_final)
                snprintf(f, sizeof(f), "%.6g", m->final_value);
            if (m->count > 0) {
                snprintf(l, sizeof(l), "%.6g", m->last);
                snprintf(lo, sizeof(lo), "%.6g", m->min);
                snprintf(hi, sizeof(hi), "%.6g", m->max);
            }
            printf("  ");
            put(m->name);
            printf("%*s %12s %12s %12s %8lld\n", (int)(38 - strlen(m->name) > 38 ? 1
                                                     : 38 - strlen(m->name)), f, l, lo, hi,
                   (long long)m->count);
        }
    }
    cache_metric_stat_list_clean(&ms);
}

static int show_json(struct cache *c, const char *raw)
{
    json_t *doc = json_loads(raw, 0, NULL), *ex;
    struct cache_metric_stat_list ms = { 0 };
    char *s;
    size_t i;

    if (doc == NULL)
        return ERR_PARSE;
    ex = json_object();
    if (cache_job_metric_stats(c, json_string_value(json_object_get(doc, "TrainingJobName")),
                               &ms, NULL) == 0) {
        for (i = 0; i < ms.n; i++) {
            if (ms.items[i].count == 0)
                continue;
            json_object_set_new(ex, ms.items[i].name,
                                json_pack("{s:f,s:f,s:f,s:I}", "last", ms.items[i].last, "min",
                                          ms.items[i].min, "max", ms.items[i].max, "count",
                                          (json_int_t)ms.items[i].count));
        }
    }
    cache_metric_stat_list_clean(&ms);
    json_object_set_new(doc, "SagetopExtractedMetrics", ex);
    s = json_dumps(doc, JSON_INDENT(2) | JSON_PRESERVE_ORDER | JSON_ENSURE_ASCII);
    if (s != NULL)
        printf("%s\n", s);
    free(s);
    json_decref(doc);
    return 0;
}

int cmd_show(const struct globals *g, int argc, char **argv)
{
    struct cli_aws a;
    struct err e = { 0 };
    struct cache *c = NULL;
    struct sagemaker_job j;
    char *raw = NULL;
    const char *job = NULL;
    bool json = false;
    int i, rc = 0;

    memset(&j, 0, sizeof(j));
    for (i = 1; i < argc; i++) {
        if (strcmp(argv[i], "--help") == 0 || strcmp(argv[i], "-h") == 0) {
            usage(stdout);
            return EXIT_OK;
        } else if (strcmp(argv[i], "--format") == 0 && i + 1 < argc) {
            i++;
            if (strcmp(argv[i], "json") == 0)
                json = true;
            else if (strcmp(argv[i], "text") != 0)
                return cli_usage_error("show", "--format is text or json");
        } else if (argv[i][0] == '-') {
            return cli_usage_error("show", "unknown option '%s'", argv[i]);
        } else if (job == NULL) {
            job = argv[i];
        } else {
            return cli_usage_error("show", "one job at a time");
        }
    }
    if (job == NULL)
        return cli_usage_error("show", "which job? sagetop show JOB");
    if (cli_aws_open(g, &a, &e) != 0)
        return cli_fail(&e);
    if ((rc = cache_session_open(a.cfg, g->offline ? NULL : a.client, g->cache_path,
                                 g->reset_cache ? CACHE_RESET : 0, &c, NULL, 0, &e)) != 0)
        goto out;
    if (!g->offline) {
        struct sync_options so;
        const char *names[1] = { job };
        struct sync_plan plan = { false, names, 1, SYNC_LOGS_NONE, 0, false };
        struct cache_job cj;
        struct sync *s;
        struct err se = { 0 };

        cli_sync_options(&so, &a, c, 1);
        /* a failed job's log holds the why: fetch it too */
        if (cache_job_get(c, job, &cj, NULL) == 0 && strcmp(cj.status, "Failed") == 0)
            plan.logs = SYNC_LOGS_NAMED;
        s = sync_new(&so, &se);
        if (s == NULL || sync_run(s, &plan, &se) != 0) {
            if (se.code == ERR_NOTFOUND) {
                sync_free(s);
                rc = err_set(&e, ERR_NOTFOUND, "no training job named %s", job);
                goto out;
            }
            if (se.code != ERR_CANCELLED)
                fprintf(stderr, "sagetop show: could not refresh %s (%s); showing the cache\n",
                        job, se.msg);
        }
        sync_free(s);
        if (plan.logs == SYNC_LOGS_NONE && cache_job_get(c, job, &cj, NULL) == 0 &&
            strcmp(cj.status, "Failed") == 0) {
            plan.logs = SYNC_LOGS_NAMED;
            if ((s = sync_new(&so, &se)) != NULL)
                sync_run(s, &plan, &se);
            sync_free(s);
        }
    }
    if ((rc = cache_job_describe_json(c, job, &raw, &e)) != 0) {
        if (rc == ERR_NOTFOUND)
            err_set(&e, ERR_NOTFOUND, "%s is not in the cache%s", job,
                    g->offline ? " (run sagetop sync, or drop --offline)" : "");
        goto out;
    }
    if (cache_job_doc_partial(c, job))
        fprintf(stderr, "sagetop show: note: the cached document of %s came from Search, without "
                "the profiler, debug and remote-debug settings%s\n", job,
                g->offline ? " (drop --offline to describe it)" : "");
    if (json) {
        rc = show_json(c, raw);
        if (rc != 0)
            err_set(&e, rc, "the cached document of %s is damaged", job);
        goto out;
    }
    if ((rc = sagemaker_parse_describe_training_job(raw, strlen(raw), &j, &e)) != 0)
        goto out;
    show_text(c, &j);
out:
    sagemaker_job_clean(&j);
    free(raw);
    cache_close(c);
    cli_aws_close(&a);
    return rc != 0 ? cli_fail(&e) : EXIT_OK;
}
