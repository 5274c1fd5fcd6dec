/* view_detail_sections.c: what the job detail page says, built from the cache when the view
 * opens and when the cache changes: status timeline, failure reason with the log's last error
 * lines (its last Python traceback, else the lines that look like errors), resources, host
 * metrics, spot, image, role, hyperparameters, channels, S3 paths, metric definitions, metric
 * stats and tags. It only adds items (view_detail.c lays them out and draws them). A failed
 * job's log that is not cached yet was asked of the worker (the view follows_jobs) and shows as
 * "loading…" until it arrives; nothing here waits on the network. */
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "cache/sysmetrics.h"
#include "tui/draw.h"
#include "tui/spark.h"
#include "tui/view_detail_internal.h"
#include "tui/views.h"

#define ERROR_LINES 8
#define LOG_TAIL_LINES 2000     /* how far back the error lines are looked for */
#define TRACEBACK_MAX 24        /* rows of a traceback shown: its head and its last frames */

static void fmt_time(double t, char *buf, size_t size)
{
    time_t tt = (time_t)t;
    struct tm tm;

    if (t <= 0) {
        snprintf(buf, size, "-");
        return;
    }
    localtime_r(&tt, &tm);
    strftime(buf, size, "%Y-%m-%d %H:%M:%S", &tm);
}

static const char *jstr(json_t *o, const char *path)
{
    char key[128];
    const char *p = path, *dot;
    json_t *cur = o;

    while (cur && (dot = strchr(p, '.'))) {
        size_t n = (size_t)(dot - p);

        if (n >= sizeof(key))
            return NULL;
        memcpy(key, p, n);
        key[n] = '\0';
        cur = json_object_get(cur, key);
        p = dot + 1;
    }
    cur = cur ? json_object_get(cur, p) : NULL;
    return json_is_string(cur) ? json_string_value(cur) : NULL;
}

static json_int_t jint(json_t *o, const char *a, const char *b)
{
    json_t *x = json_object_get(o, a);

    x = x && b ? json_object_get(x, b) : x;
    return json_is_integer(x) ? json_integer_value(x) : 0;
}

static bool line_has(const struct cache_log_line *l, const char *word)
{
    return memmem(l->text, l->len, word, strlen(word)) != NULL;
}

static bool line_indented(const struct cache_log_line *l)
{
    return l->len > 0 && (l->text[0] == ' ' || l->text[0] == '\t');
}

static bool same_instance(const struct cache_log_line *x, const struct cache_log_line *y)
{
    return (x->instance == NULL && y->instance == NULL) ||
           (x->instance && y->instance && strcmp(x->instance, y->instance) == 0);
}

/* The last Python traceback of the log: from its "Traceback (most recent call last):" line
 * through the indented frames to the error line, on the traceback's instance only (hosts
 * interleave). Fills idx with at most max (>= 4) line indexes: the first two and the last
 * ones, *omitted counting the frame lines left out between them. 0 without a traceback. */
static size_t traceback_pick(const struct cache_log_batch *b, size_t *idx, size_t max,
                             size_t *omitted)
{
    size_t t, i, n = 0, total = 0;

    *omitted = 0;
    for (t = b->n; t > 0; t--)
        if (line_has(&b->lines[t - 1], "Traceback (most recent call last):"))
            break;
    if (t == 0)
        return 0;
    t--;
    for (i = t; i < b->n; i++) {
        const struct cache_log_line *l = &b->lines[i];
        bool end = i > t && !line_indented(l) && !line_has(l, "File \"");

        if (i > t && !same_instance(l, &b->lines[t]))
            continue;
        total++;
        if (n < 2 || n < max) {
            idx[n++] = i;
        } else {
            /* keep the head (2 lines) and a sliding window of the last max - 2 */
            memmove(idx + 2, idx + 3, (max - 3) * sizeof(*idx));
            idx[max - 1] = i;
            (*omitted)++;
        }
        if (end)
            break;      /* the error line ends the traceback */
    }
    return n;
}

/* The failure's log lines: the last traceback, else the last lines that look like errors.
 * A log that is not cached yet was asked for on enter (follows_jobs): "loading…" until the
 * worker stores it and the page is rebuilt. */
static void add_error_lines(struct detail_state *s, struct app *a, const char *job)
{
    struct cache_log_batch b = { 0 };
    size_t i, shown = 0, picked[TRACEBACK_MAX + ERROR_LINES], n_picked = 0, omitted = 0;
    static const char *const words[] = { "Error", "ERROR", "Exception", "error:", "FAILED",
                                         "Killed", "CUDA out of memory", NULL };

    if (cache_logs_before(app_cache(a), job, NULL, LOG_TAIL_LINES, NULL, &b, NULL) < 0 ||
        b.n == 0) {
        char st[128];

        cache_log_batch_clean(&b);
        app_follow_state(a, job, st, sizeof(st));
        if (strncmp(st, "offline", 7) == 0)
            detail_add(s, "log", "(offline: the log is not cached)", 32, theme_attr(TH_DIM), false);
        else if (app_follow_pending(a, job))
            detail_addf(s, "log", theme_attr(TH_WARN),
                        "loading%s (fetching the log for its last error lines)",
                        draw_sym(SYM_ELLIPSIS));
        else
            detail_add(s, "log", "(the job wrote no log lines)", 28, theme_attr(TH_DIM), false);
        return;
    }
    n_picked = traceback_pick(&b, picked, TRACEBACK_MAX, &omitted);
    if (n_picked > 0) {
        for (i = 0; i < n_picked; i++) {
            const struct cache_log_line *l = &b.lines[picked[i]];

            if (omitted > 0 && i == 2) {
                char gap[64];

                snprintf(gap, sizeof(gap), "%s %zu more frame lines", draw_sym(SYM_ELLIPSIS),
                         omitted);
                detail_add(s, "", gap, strlen(gap), theme_attr(TH_DIM), false);
            }
            detail_add(s, shown++ == 0 ? "traceback" : "", l->text, l->len,
                       i + 1 == n_picked ? theme_attr(TH_ERROR) | A_BOLD : theme_attr(TH_ERROR),
                       false);
        }
        cache_log_batch_clean(&b);
        return;
    }
    for (i = b.n; i > 0 && n_picked < ERROR_LINES; i--) {
        size_t w;
        bool hit = false;

        for (w = 0; words[w] && !hit; w++)
            hit = line_has(&b.lines[i - 1], words[w]);
        if (hit)
            picked[n_picked++] = i - 1;
    }
    if (n_picked == 0) {
        for (i = b.n > 5 ? b.n - 5 : 0; i < b.n; i++)
            picked[n_picked++] = i;
        for (i = 0; i < n_picked / 2; i++) {
            size_t t = picked[i];

            picked[i] = picked[n_picked - 1 - i];
            picked[n_picked - 1 - i] = t;
        }
    }
    for (i = n_picked; i > 0; i--) {
        const struct cache_log_line *l = &b.lines[picked[i - 1]];

        detail_add(s, shown++ == 0 ? "log" : "", l->text, l->len, theme_attr(TH_ERROR), false);
    }
    cache_log_batch_clean(&b);
}

static int kv_cmp(const void *x, const void *y)
{
    return strcmp(((const struct cache_kv *)x)->key, ((const struct cache_kv *)y)->key);
}

static void section_job(struct detail_state *s, struct app *a, const struct cache_job *j)
{
    char t1[64], t2[64];

    detail_heading(s, "Job");
    detail_add(s, "name", j->name, strlen(j->name), A_BOLD, false);
    detail_addf(s, "status", theme_status_attr(j->status), "%s%s%s", j->status,
                j->secondary_status[0] ? " / " : "", j->secondary_status);
    fmt_time(j->creation_time, t1, sizeof(t1));
    detail_addf(s, "created", 0, "%s", t1);
    fmt_time(j->start_time, t1, sizeof(t1));
    fmt_time(j->end_time, t2, sizeof(t2));
    detail_addf(s, "training", 0, "%s %s %s", t1, draw_sym(SYM_ARROW), t2);
    if (j->arn[0])
        detail_add(s, "arn", j->arn, strlen(j->arn), theme_attr(TH_DIM), false);
    if (!j->described)
        detail_add(s, "", "(not described yet: details arrive with the next sync)", 54,
                   theme_attr(TH_DIM), false);
    if (strcmp(j->status, "Failed") == 0 || j->failure_reason[0]) {
        detail_heading(s, "Failure");
        detail_add(s, "reason", j->failure_reason[0] ? j->failure_reason : "(none given)",
                   j->failure_reason[0] ? strlen(j->failure_reason) : 12, theme_attr(TH_ERROR),
                   false);
        add_error_lines(s, a, j->name);
    }
}

static void section_timeline(struct detail_state *s, struct app *a, const struct cache_job *j)
{
    struct cache_transition_list tl = { 0 };
    char t1[64], d[32];
    size_t i;

    detail_heading(s, "Status timeline");
    if (cache_job_transitions(app_cache(a), j->name, &tl, NULL) == 0 && tl.n > 0) {
        for (i = 0; i < tl.n; i++) {
            const struct cache_transition *t = &tl.items[i];
            double end = t->end_time > 0 ? t->end_time : (cache_status_final(j->status) ? t->start_time : app_now(a));
            char line[1024];

            fmt_time(t->start_time, t1, sizeof(t1));
            fmt_duration(end - t->start_time, d, sizeof(d));
            snprintf(line, sizeof(line), "%s  %-8s %s", t1 + 11, d, t->message);
            detail_add(s, t->status, line, strlen(line), t->end_time > 0 ? 0 : A_BOLD, false);
        }
    } else {
        detail_add(s, "", "(no transitions cached)", 23, theme_attr(TH_DIM), false);
    }
    cache_transition_list_clean(&tl);
}

static void section_resources(struct detail_state *s, const struct cache_job *j, json_t *root)
{
    char d[32];

    detail_heading(s, "Resources");
    if (j->instance_type[0])
        detail_addf(s, "instances", 0, "%s %s %d", j->instance_type, draw_utf8() ? "×" : "x",
                    j->instance_count ? j->instance_count : 1);
    if (root) {
        json_int_t vol = jint(root, "ResourceConfig", "VolumeSizeInGB");
        json_int_t maxrun = jint(root, "StoppingCondition", "MaxRuntimeInSeconds");
        json_int_t maxwait = jint(root, "StoppingCondition", "MaxWaitTimeInSeconds");
        const char *v;

        if (vol)
            detail_addf(s, "volume", 0, "%lld GB", (long long)vol);
        if (maxrun) {
            fmt_duration((double)maxrun, d, sizeof(d));
            detail_addf(s, "max run", 0, "%s", d);
        }
        if (maxwait) {
            fmt_duration((double)maxwait, d, sizeof(d));
            detail_addf(s, "max wait", 0, "%s", d);
        }
        if ((v = jstr(root, "AlgorithmSpecification.TrainingImage")))
            detail_add(s, "image", v, strlen(v), 0, false);
        if ((v = jstr(root, "RoleArn")))
            detail_add(s, "role", v, strlen(v), 0, false);
    }
}

static void section_spot(struct detail_state *s, const struct cache_job *j)
{
    char d[32];

    detail_heading(s, "Spot");
    if (j->spot) {
        char tr[32], bi[32];

        fmt_duration((double)j->training_seconds, tr, sizeof(tr));
        fmt_duration((double)j->billable_seconds, bi, sizeof(bi));
        detail_add(s, "", "managed spot training", 21, 0, false);
        if (j->training_seconds > 0)
            detail_addf(s, "training", 0, "%lld s (%s)", (long long)j->training_seconds, tr);
        if (j->billable_seconds > 0)
            detail_addf(s, "billable", 0, "%lld s (%s)", (long long)j->billable_seconds, bi);
        if (j->training_seconds > 0 && j->billable_seconds > 0)
            detail_addf(s, "savings", theme_attr(TH_OK) | A_BOLD, "%.0f%% (%lld s not billed)",
                        100.0 * (1.0 - (double)j->billable_seconds / (double)j->training_seconds),
                        (long long)(j->training_seconds - j->billable_seconds));
        else
            detail_add(s, "savings", "known when the job ends (billable vs training seconds)", 54,
                       theme_attr(TH_DIM), false);
    } else {
        detail_add(s, "", "on-demand (billable = training)", 31, theme_attr(TH_DIM), false);
        if (j->training_seconds > 0) {
            int64_t bs = j->billable_seconds ? j->billable_seconds : j->training_seconds;

            fmt_duration((double)bs, d, sizeof(d));
            detail_addf(s, "billable", 0, "%lld s (%s)", (long long)bs, d);
        }
    }
}

static void section_data(struct detail_state *s, json_t *root)
{
    detail_heading(s, "Data");
    if (root) {
        json_t *chans = json_object_get(root, "InputDataConfig"), *ch;
        size_t k;
        const char *v;

        json_array_foreach(chans, k, ch) {
            const char *cn = jstr(ch, "ChannelName");
            const char *uri = jstr(ch, "DataSource.S3DataSource.S3Uri");

            detail_addf(s, cn ? cn : "channel", 0, "%s", uri ? uri : "-");
        }
        if ((v = jstr(root, "OutputDataConfig.S3OutputPath")))
            detail_add(s, "output", v, strlen(v), 0, false);
        if ((v = jstr(root, "CheckpointConfig.S3Uri")))
            detail_add(s, "checkpoints", v, strlen(v), 0, false);
        if ((v = jstr(root, "ModelArtifacts.S3ModelArtifacts")))
            detail_add(s, "model", v, strlen(v), 0, false);
    } else {
        detail_add(s, "", "(not described yet)", 19, theme_attr(TH_DIM), false);
    }
}

static void section_metrics(struct detail_state *s, struct cache *c, const char *name)
{
    struct cache_kv_list md = { 0 };
    struct cache_metric_stat_list ms = { 0 };
    size_t i;

    detail_heading(s, "Metric definitions");
    if (cache_job_metric_definitions(c, name, &md, NULL) == 0 && md.n > 0) {
        for (i = 0; i < md.n; i++)
            detail_add(s, md.items[i].key, md.items[i].value, strlen(md.items[i].value), 0, false);
    } else {
        detail_add(s, "", "(none: the Hugging Face preset still extracts Trainer logs)", 59,
                   theme_attr(TH_DIM), false);
    }
    cache_kv_list_clean(&md);

    detail_heading(s, "Metrics (extracted from the log; final = SageMaker's FinalMetricDataList)");
    if (cache_job_metric_stats(c, name, &ms, NULL) == 0 && ms.n > 0) {
        detail_addf(s, "", theme_attr(TH_DIM), "%-10s %-10s %-10s %-10s points", "last", "min",
                    "max", "final");
        for (i = 0; i < ms.n; i++) {
            const struct cache_metric_stat *m = &ms.items[i];
            char l[32] = "-", lo[32] = "-", hi[32] = "-", fin[32] = "-";

            if (m->count > 0) {
                fmt_value(m->last, l, sizeof(l));
                fmt_value(m->min, lo, sizeof(lo));
                fmt_value(m->max, hi, sizeof(hi));
            }
            if (m->has_final)
                fmt_value(m->final_value, fin, sizeof(fin));
            detail_addf(s, m->name, theme_attr(TH_METRIC), "%-10s %-10s %-10s %-10s %lld", l, lo,
                        hi, fin, (long long)m->count);
        }
    } else {
        detail_add(s, "", "(no metrics yet)", 16, theme_attr(TH_DIM), false);
    }
    cache_metric_stat_list_clean(&ms);
}

/* The key/value lists: hyperparameters (sorted, sagemaker_* dimmed) or tags. */
static void section_kv(struct detail_state *s, const char *title, const struct cache_kv_list *l,
                       bool dim_internal)
{
    size_t i;

    detail_heading(s, title);
    for (i = 0; i < l->n; i++)
        detail_add(s, l->items[i].key, l->items[i].value, strlen(l->items[i].value),
                   dim_internal && strncmp(l->items[i].key, "sagemaker_", 10) == 0
                       ? theme_attr(TH_DIM) : 0,
                   false);
}

/* Each host metric's sparkline and recent mean (cache/sysmetrics.h), GPU as a share. */
static void section_hosts(struct detail_state *s, struct cache *c, const struct cache_job *j)
{
    static const char *const labels[] = {"cpu", "memory", "gpu", "gpu memory", "disk"};
    size_t shown = 0;

    detail_heading(s, "Host metrics (CloudWatch, mean of all hosts; H: per host)");
    for (size_t m = 0; m < cache_sys_n_metrics && m < 5; m++) {
        const char *metric = cache_sys_metric_names[m];
        double mean, spark[24];
        char sp[24 * 3 + 1];
        bool has = false;
        size_t n;

        if (cache_sys_recent(c, &j->id, 1, metric, &mean, &has, NULL) != 0 || !has)
            continue;
        n = cache_sys_spark(c, j->id, j->instance_type, metric, spark, 24);
        spark_text(spark, n, 0, 100, draw_utf8(), sp, sizeof(sp));
        detail_addf(s, labels[m], 0, "%s %.0f%% (last 5 min)", sp, mean);
        shown++;
    }
    if (shown == 0)
        detail_add(s, "", "(none cached yet: H opens the hosts view, which fetches them)", 61,
                   theme_attr(TH_DIM), false);
}

void detail_build(struct detail_state *s, struct app *a, const char *name)
{
    struct cache *c = app_cache(a);
    struct cache_job j;
    struct cache_kv_list hp = { 0 }, tags = { 0 };
    char *doc = NULL;
    json_t *root = NULL;
    struct err e = { 0 };

    detail_clear_items(s);
    if (cache_job_get(c, name, &j, &e) < 0) {
        detail_add(s, "job", name, strlen(name), 0, false);
        detail_add(s, "", "not in the cache yet: waiting for the sync…", 44, theme_attr(TH_DIM),
                   false);
        return;
    }
    if (cache_job_describe_json(c, name, &doc, NULL) == 0 && doc)
        root = json_loads(doc, 0, NULL);
    free(doc);
    section_job(s, a, &j);
    section_timeline(s, a, &j);
    section_resources(s, &j, root);
    section_hosts(s, c, &j);
    section_spot(s, &j);
    if (cache_job_hyperparameters(c, name, &hp, NULL) == 0 && hp.n > 0) {
        qsort(hp.items, hp.n, sizeof(hp.items[0]), kv_cmp);
        section_kv(s, "Hyperparameters", &hp, true);
    } else {
        detail_heading(s, "Hyperparameters");
        detail_add(s, "", "(none cached)", 13, theme_attr(TH_DIM), false);
    }
    cache_kv_list_clean(&hp);
    section_data(s, root);
    section_metrics(s, c, name);
    if (cache_job_tags(c, name, &tags, NULL) == 0 && tags.n > 0)
        section_kv(s, "Tags", &tags, false);
    cache_kv_list_clean(&tags);
    json_decref(root);
}
