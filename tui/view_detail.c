/* view_detail.c: one job, everything the cache knows about it, as a scrollable page: status
 * timeline, failure reason with the log's last error lines, resources, host metrics,
 * spot, image, role, hyperparameters, channels, S3 paths, metric definitions and metric stats. The page's items
 * are built from the cache when opened and when the cache changes, and laid out into rows when
 * the width changes (each section's label column as wide as its labels; long values and
 * multi-line messages wrapped into rows then); drawing only walks the rows. A failed job's log
 * that is not cached yet is asked of the worker while the view is open (follows_jobs) and shown
 * as "loading…" until it arrives; nothing here waits on the network. */
#include <jansson.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "aws/dynbuf.h"
#include "cache/sysmetrics.h"
#include "tui/draw.h"
#include "tui/keys.h"
#include "tui/list.h"
#include "tui/pager.h"
#include "tui/sanitize.h"
#include "tui/spark.h"
#include "tui/views.h"

#define ERROR_LINES 8
#define LOG_TAIL_LINES 2000     /* how far back the error lines are looked for */
#define TRACEBACK_MAX 24        /* rows of a traceback shown: its head and its last frames */
#define LABEL_X 3               /* the label column */
#define LABEL_MIN 8             /* the narrowest label column */

/* One value as the page's sections add it: laid out into rows for a width by layout(). */
struct ditem {
    char *label;             /* owned */
    char *value;             /* raw, owned; sanitized when laid out */
    size_t len;
    attr_t attr;
    bool heading;
};

/* One display row: long values are wrapped into several rows when the page is laid out (again
 * when the width changes), so scrolling and drawing only walk rows. */
struct dline {
    const char *label;       /* the item's (a borrow), "" on a value's later rows */
    char *value;             /* sanitized, owned */
    attr_t attr;
    bool heading;
    int value_x;             /* the value column of the row's section */
};

struct detail_state {
    struct ditem *items;
    size_t n_items, cap_items;
    struct dline *lines;
    size_t n, cap;
    struct list list;        /* rows: the lines; no cursor, the keys scroll the page */
    int rows_y;              /* the screen row of the first line (for the mouse) */
    int width;               /* the width the page was laid out for */
};

static void clear_lines(struct detail_state *s)
{
    size_t i;

    for (i = 0; i < s->n; i++)
        free(s->lines[i].value);
    s->n = 0;
}

static void clear_items(struct detail_state *s)
{
    size_t i;

    clear_lines(s);
    for (i = 0; i < s->n_items; i++) {
        free(s->items[i].label);
        free(s->items[i].value);
    }
    s->n_items = 0;
}

static void push_row(struct detail_state *s, const char *label, const char *text, size_t len,
                     attr_t attr, bool heading, int value_x)
{
    struct dline *d;
    char *v;

    if (vec_grow((void **)&s->lines, &s->cap, s->n + 1, sizeof(*s->lines)) != 0)
        return;
    v = malloc(len + 1);
    if (!v)
        return;
    memcpy(v, text, len);
    v[len] = '\0';
    d = &s->lines[s->n++];
    memset(d, 0, sizeof(*d));
    d->label = label;
    d->value = v;
    d->attr = attr;
    d->heading = heading;
    d->value_x = value_x;
}

/* Adds a value to the page (copied); the label goes on its first row only. */
static void add(struct detail_state *s, const char *label, const char *value, size_t len,
                attr_t attr, bool heading)
{
    struct ditem *it;
    char *l = strdup(label), *v = malloc(len + 1);

    if (!l || !v || vec_grow((void **)&s->items, &s->cap_items, s->n_items + 1,
                             sizeof(*s->items)) != 0) {
        free(l);
        free(v);
        return;
    }
    memcpy(v, value, len);
    v[len] = '\0';
    it = &s->items[s->n_items++];
    it->label = l;
    it->value = v;
    it->len = len;
    it->attr = attr;
    it->heading = heading;
}

/* Where a row breaks a clean value of n bytes from off, to fit width columns: after a space
 * when one is in the row's second half, else (an S3 path, an ARN) after a '/' or ':' so each
 * row holds whole names and the rows joined give the path back. */
static size_t break_at(const char *clean, size_t off, size_t n, int width)
{
    int used;
    size_t fit = utf8_fit(clean + off, n - off, width, &used), k;

    if (off + fit >= n)
        return fit;
    for (k = fit; k > fit / 2; k--)
        if (clean[off + k - 1] == ' ')
            return k;
    for (k = fit; k > 0; k--)
        if (clean[off + k - 1] == '/' || clean[off + k - 1] == ':')
            return k;
    return fit > 0 ? fit : 1;
}

/* One item into rows: each of its lines (AWS messages and log lines carry '\n') sanitized,
 * then wrapped to width columns. */
static void layout_item(struct detail_state *s, const struct ditem *it, int value_x, int width)
{
    const char *value = it->value;
    size_t start = 0, len = it->len;
    bool first = true;

    if (it->heading || width < 8)
        width = 1 << 20;
    do {
        const char *nl = memchr(value + start, '\n', len - start);
        size_t seg = nl ? (size_t)(nl - (value + start)) : len - start;
        size_t cap = seg * 3 + 16, n, off = 0, raw = seg;   /* invalid byte -> U+FFFD */
        char *clean = malloc(cap);

        if (!clean)
            return;
        while (raw > 0 && value[start + raw - 1] == '\r')
            raw--;      /* "\r\n" endings: not a progress bar redraw */
        n = sanitize_text(value + start, raw, clean, cap, draw_utf8() ? 0 : SANITIZE_ASCII);
        while (n > 0 && clean[n - 1] == ' ')
            n--;
        do {
            size_t cut = break_at(clean, off, n, width);

            push_row(s, first ? it->label : "", clean + off, cut, it->attr, it->heading, value_x);
            first = false;
            off += cut;
        } while (off < n);
        free(clean);
        start += seg + (nl ? 1 : 0);
    } while (start < len);
}

/* The page's rows for width columns. Each section (from one heading to the next) gets a label
 * column as wide as its widest label, at most two fifths of the width (a longer label is cut
 * with a marker), so short labels leave their values the room: at 60 columns an ARN takes two
 * rows, not three. */
static void layout(struct detail_state *s, int width)
{
    size_t i, j;

    clear_lines(s);
    for (i = 0; i < s->n_items; i = j) {
        int lw = LABEL_MIN, cap = width * 2 / 5;

        for (j = i; j < s->n_items && (j == i || !s->items[j].heading); j++) {
            int w = utf8_width(s->items[j].label, strlen(s->items[j].label));

            lw = w > lw ? w : lw;
        }
        lw = lw > cap ? (cap > LABEL_MIN ? cap : LABEL_MIN) : lw;
        for (; i < j; i++)
            layout_item(s, &s->items[i], LABEL_X + lw + 2, width - (LABEL_X + lw + 2) - 1);
    }
    s->width = width;
}

static void addf(struct detail_state *s, const char *label, attr_t attr, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));
static void addf(struct detail_state *s, const char *label, attr_t attr, const char *fmt, ...)
{
    char buf[2048];
    va_list ap;

    va_start(ap, fmt);
    vsnprintf(buf, sizeof(buf), fmt, ap);
    va_end(ap);
    add(s, label, buf, strlen(buf), attr, false);
}

static void heading(struct detail_state *s, const char *title)
{
    if (s->n_items > 0)
        add(s, "", "", 0, 0, false);
    add(s, "", title, strlen(title), theme_attr(TH_TITLE), true);
}

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
            add(s, "log", "(offline: the log is not cached)", 32, theme_attr(TH_DIM), false);
        else if (app_follow_pending(a, job))
            addf(s, "log", theme_attr(TH_WARN), "loading%s (fetching the log for its last error lines)",
                 draw_sym(SYM_ELLIPSIS));
        else
            add(s, "log", "(the job wrote no log lines)", 28, theme_attr(TH_DIM), false);
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
                add(s, "", gap, strlen(gap), theme_attr(TH_DIM), false);
            }
            add(s, shown++ == 0 ? "traceback" : "", l->text, l->len,
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

        add(s, shown++ == 0 ? "log" : "", l->text, l->len, theme_attr(TH_ERROR), false);
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

    heading(s, "Job");
    add(s, "name", j->name, strlen(j->name), A_BOLD, false);
    addf(s, "status", theme_status_attr(j->status), "%s%s%s", j->status,
         j->secondary_status[0] ? " / " : "", j->secondary_status);
    fmt_time(j->creation_time, t1, sizeof(t1));
    addf(s, "created", 0, "%s", t1);
    fmt_time(j->start_time, t1, sizeof(t1));
    fmt_time(j->end_time, t2, sizeof(t2));
    addf(s, "training", 0, "%s %s %s", t1, draw_sym(SYM_ARROW), t2);
    if (j->arn[0])
        add(s, "arn", j->arn, strlen(j->arn), theme_attr(TH_DIM), false);
    if (!j->described)
        add(s, "", "(not described yet: details arrive with the next sync)", 54,
            theme_attr(TH_DIM), false);
    if (strcmp(j->status, "Failed") == 0 || j->failure_reason[0]) {
        heading(s, "Failure");
        add(s, "reason", j->failure_reason[0] ? j->failure_reason : "(none given)",
            j->failure_reason[0] ? strlen(j->failure_reason) : 12, theme_attr(TH_ERROR), false);
        add_error_lines(s, a, j->name);
    }
}

static void section_timeline(struct detail_state *s, struct app *a, const struct cache_job *j)
{
    struct cache_transition_list tl = { 0 };
    char t1[64], d[32];
    size_t i;

    heading(s, "Status timeline");
    if (cache_job_transitions(app_cache(a), j->name, &tl, NULL) == 0 && tl.n > 0) {
        for (i = 0; i < tl.n; i++) {
            const struct cache_transition *t = &tl.items[i];
            double end = t->end_time > 0 ? t->end_time : (cache_status_final(j->status) ? t->start_time : app_now(a));
            char line[1024];

            fmt_time(t->start_time, t1, sizeof(t1));
            fmt_duration(end - t->start_time, d, sizeof(d));
            snprintf(line, sizeof(line), "%s  %-8s %s", t1 + 11, d, t->message);
            add(s, t->status, line, strlen(line), t->end_time > 0 ? 0 : A_BOLD, false);
        }
    } else {
        add(s, "", "(no transitions cached)", 23, theme_attr(TH_DIM), false);
    }
    cache_transition_list_clean(&tl);
}

static void section_resources(struct detail_state *s, const struct cache_job *j, json_t *root)
{
    char d[32];

    heading(s, "Resources");
    if (j->instance_type[0])
        addf(s, "instances", 0, "%s %s %d", j->instance_type, draw_utf8() ? "×" : "x",
             j->instance_count ? j->instance_count : 1);
    if (root) {
        json_int_t vol = jint(root, "ResourceConfig", "VolumeSizeInGB");
        json_int_t maxrun = jint(root, "StoppingCondition", "MaxRuntimeInSeconds");
        json_int_t maxwait = jint(root, "StoppingCondition", "MaxWaitTimeInSeconds");
        const char *v;

        if (vol)
            addf(s, "volume", 0, "%lld GB", (long long)vol);
        if (maxrun) {
            fmt_duration((double)maxrun, d, sizeof(d));
            addf(s, "max run", 0, "%s", d);
        }
        if (maxwait) {
            fmt_duration((double)maxwait, d, sizeof(d));
            addf(s, "max wait", 0, "%s", d);
        }
        if ((v = jstr(root, "AlgorithmSpecification.TrainingImage")))
            add(s, "image", v, strlen(v), 0, false);
        if ((v = jstr(root, "RoleArn")))
            add(s, "role", v, strlen(v), 0, false);
    }
}

static void section_spot(struct detail_state *s, const struct cache_job *j)
{
    char d[32];

    heading(s, "Spot");
    if (j->spot) {
        char tr[32], bi[32];

        fmt_duration((double)j->training_seconds, tr, sizeof(tr));
        fmt_duration((double)j->billable_seconds, bi, sizeof(bi));
        add(s, "", "managed spot training", 21, 0, false);
        if (j->training_seconds > 0)
            addf(s, "training", 0, "%lld s (%s)", (long long)j->training_seconds, tr);
        if (j->billable_seconds > 0)
            addf(s, "billable", 0, "%lld s (%s)", (long long)j->billable_seconds, bi);
        if (j->training_seconds > 0 && j->billable_seconds > 0)
            addf(s, "savings", theme_attr(TH_OK) | A_BOLD, "%.0f%% (%lld s not billed)",
                 100.0 * (1.0 - (double)j->billable_seconds / (double)j->training_seconds),
                 (long long)(j->training_seconds - j->billable_seconds));
        else
            add(s, "savings", "known when the job ends (billable vs training seconds)", 54,
                theme_attr(TH_DIM), false);
    } else {
        add(s, "", "on-demand (billable = training)", 31, theme_attr(TH_DIM), false);
        if (j->training_seconds > 0) {
            int64_t bs = j->billable_seconds ? j->billable_seconds : j->training_seconds;

            fmt_duration((double)bs, d, sizeof(d));
            addf(s, "billable", 0, "%lld s (%s)", (long long)bs, d);
        }
    }
}

static void section_data(struct detail_state *s, json_t *root)
{
    heading(s, "Data");
    if (root) {
        json_t *chans = json_object_get(root, "InputDataConfig"), *ch;
        size_t k;
        const char *v;

        json_array_foreach(chans, k, ch) {
            const char *cn = jstr(ch, "ChannelName");
            const char *uri = jstr(ch, "DataSource.S3DataSource.S3Uri");

            addf(s, cn ? cn : "channel", 0, "%s", uri ? uri : "-");
        }
        if ((v = jstr(root, "OutputDataConfig.S3OutputPath")))
            add(s, "output", v, strlen(v), 0, false);
        if ((v = jstr(root, "CheckpointConfig.S3Uri")))
            add(s, "checkpoints", v, strlen(v), 0, false);
        if ((v = jstr(root, "ModelArtifacts.S3ModelArtifacts")))
            add(s, "model", v, strlen(v), 0, false);
    } else {
        add(s, "", "(not described yet)", 19, theme_attr(TH_DIM), false);
    }
}

static void section_metrics(struct detail_state *s, struct cache *c, const char *name)
{
    struct cache_kv_list md = { 0 };
    struct cache_metric_stat_list ms = { 0 };
    size_t i;

    heading(s, "Metric definitions");
    if (cache_job_metric_definitions(c, name, &md, NULL) == 0 && md.n > 0) {
        for (i = 0; i < md.n; i++)
            add(s, md.items[i].key, md.items[i].value, strlen(md.items[i].value), 0, false);
    } else {
        add(s, "", "(none: the Hugging Face preset still extracts Trainer logs)", 59,
            theme_attr(TH_DIM), false);
    }
    cache_kv_list_clean(&md);

    heading(s, "Metrics (extracted from the log; final = SageMaker's FinalMetricDataList)");
    if (cache_job_metric_stats(c, name, &ms, NULL) == 0 && ms.n > 0) {
        addf(s, "", theme_attr(TH_DIM), "%-10s %-10s %-10s %-10s points", "last", "min", "max",
             "final");
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
            addf(s, m->name, theme_attr(TH_METRIC), "%-10s %-10s %-10s %-10s %lld", l, lo,
                 hi, fin, (long long)m->count);
        }
    } else {
        add(s, "", "(no metrics yet)", 16, theme_attr(TH_DIM), false);
    }
    cache_metric_stat_list_clean(&ms);
}

/* The key/value lists: hyperparameters (sorted, sagemaker_* dimmed) or tags. */
static void section_kv(struct detail_state *s, const char *title, const struct cache_kv_list *l,
                       bool dim_internal)
{
    size_t i;

    heading(s, title);
    for (i = 0; i < l->n; i++)
        add(s, l->items[i].key, l->items[i].value, strlen(l->items[i].value),
            dim_internal && strncmp(l->items[i].key, "sagemaker_", 10) == 0 ? theme_attr(TH_DIM)
                                                                             : 0, false);
}

/* Each host metric's sparkline and recent mean (cache/sysmetrics.h), GPU as a share. */
static void section_hosts(struct detail_state *s, struct cache *c, const struct cache_job *j)
{
    static const char *const labels[] = {"cpu", "memory", "gpu", "gpu memory", "disk"};
    size_t shown = 0;

    heading(s, "Host metrics (CloudWatch, mean of all hosts; H: per host)");
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
        addf(s, labels[m], 0, "%s %.0f%% (last 5 min)", sp, mean);
        shown++;
    }
    if (shown == 0)
        add(s, "", "(none cached yet: H opens the hosts view, which fetches them)", 61,
            theme_attr(TH_DIM), false);
}

static void build(struct detail_state *s, struct app *a, const char *name)
{
    struct cache *c = app_cache(a);
    struct cache_job j;
    struct cache_kv_list hp = { 0 }, tags = { 0 };
    char *doc = NULL;
    json_t *root = NULL;
    struct err e = { 0 };

    clear_items(s);
    if (cache_job_get(c, name, &j, &e) < 0) {
        add(s, "job", name, strlen(name), 0, false);
        add(s, "", "not in the cache yet: waiting for the sync…", 44, theme_attr(TH_DIM), false);
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
        heading(s, "Hyperparameters");
        add(s, "", "(none cached)", 13, theme_attr(TH_DIM), false);
    }
    cache_kv_list_clean(&hp);
    section_data(s, root);
    section_metrics(s, c, name);
    if (cache_job_tags(c, name, &tags, NULL) == 0 && tags.n > 0)
        section_kv(s, "Tags", &tags, false);
    cache_kv_list_clean(&tags);
    json_decref(root);
}

static struct detail_state *S(struct view *v)
{
    return v->state;
}

static void detail_draw(struct view *v, struct app *a, const struct rect *r)
{
    struct detail_state *s = S(v);
    int y;
    size_t i;

    if (v->stale) {
        build(s, a, v->job);
        v->stale = false;
        s->width = 0;
    }
    if (s->width != r->w)
        layout(s, r->w);
    list_resize(&s->list, s->n, r->h);
    s->rows_y = r->y;
    for (y = 0, i = s->list.top; y < r->h && i < s->n; y++, i++) {
        const struct dline *d = &s->lines[i];
        int lw = d->value_x - LABEL_X - 2;
        char cut[256];

        if (d->heading) {
            draw_str(r->y + y, r->x + 1, r->w - 1, d->value, d->attr);
            continue;
        }
        if (d->label[0]) {
            /* a label wider than its column keeps both ends: "sagemaker_mpi…_per_host" */
            list_ellipsize_middle(d->label, strlen(d->label), lw, draw_sym(SYM_ELLIPSIS), cut,
                                  sizeof(cut));
            draw_str(r->y + y, r->x + LABEL_X, lw, cut, theme_attr(TH_DIM));
        }
        draw_str(r->y + y, r->x + d->value_x, r->w - d->value_x - 1, d->value, d->attr);
    }
    /* rows cut above or below: a marker in the right column */
    if (list_more_above(&s->list))
        draw_str(r->y, r->x + r->w - 1, 1, draw_sym(SYM_UP), theme_attr(TH_DIM) | A_BOLD);
    if (list_more_below(&s->list))
        draw_str(r->y + r->h - 1, r->x + r->w - 1, 1, draw_sym(SYM_DOWN),
                 theme_attr(TH_DIM) | A_BOLD);
}

/* The list keys (KEYS_LIST_NAV, space) through the widget: the page scrolls, g/G go to its
 * ends, the wheel scrolls. */
static int act_nav(struct view *v, struct app *a)
{
    struct detail_state *s = S(v);
    struct list_mouse m;
    int key = app_key(a);

    if (key == KEY_MOUSE) {
        if (!list_mouse_last(&m))
            return R_NONE;
        return list_mouse(&s->list, &m, s->rows_y, false, NULL) == LIST_MOUSE_MOVED ? R_REDRAW : R_NONE;
    }
    if (key == ' ')
        key = KEY_NPAGE;
    return list_key(&s->list, key, LIST_KEYS_HJKL | LIST_KEYS_G) > 0 ? R_REDRAW : R_NONE;
}

/* Row i of the page as text: the label in its column, the value in its own, as on screen. */
static void page_line(void *ctx, size_t i, struct dynbuf *out)
{
    const struct detail_state *s = ctx;
    const struct dline *d = &s->lines[i];

    dynbuf_reset(out);
    dynbuf_printf(out, "%*s%-*s%s", d->heading ? 1 : LABEL_X, "",
                  d->heading ? 0 : d->value_x - LABEL_X, d->heading ? "" : d->label, d->value);
}

/* `|`: the page as text in $PAGER, at the line on top of the screen. */
static int act_pager(struct view *v, struct app *a)
{
    pager_show_text(a, S(v)->n, page_line, S(v), S(v)->n ? (long)S(v)->list.top + 1 : 0);
    return R_REDRAW;
}

static int act_logs(struct view *v, struct app *a) { app_push(a, &view_logs_ops, v->job, NULL, 0); return R_REDRAW; }
static int act_metrics(struct view *v, struct app *a) { app_push(a, &view_metrics_ops, v->job, NULL, 0); return R_REDRAW; }
static int act_hosts(struct view *v, struct app *a) { app_push(a, &view_hosts_ops, v->job, NULL, 0); return R_REDRAW; }
static int act_relaunch(struct view *v, struct app *a) { app_push(a, &view_launch_ops, v->job, NULL, 0); return R_REDRAW; }
static int act_tune(struct view *v, struct app *a) { app_push(a, &view_tuning_launch_ops, v->job, NULL, 0); return R_REDRAW; }

static int do_stop(struct view *v, struct app *a)
{
    app_request_stop(a, v->job);
    app_flash(a, false, "stopping %s…", v->job);
    return R_REDRAW;
}

static int act_stop(struct view *v, struct app *a)
{
    char q[128];

    snprintf(q, sizeof(q), "stop %s?", v->job);
    app_confirm(a, q, do_stop);
    return R_REDRAW;
}

static const struct key_binding detail_keys[] = {
    { 'l', "l", "logs", act_logs, KB_FOOTER },
    { 'm', "m", "metrics: charts", act_metrics, KB_FOOTER },
    { 'H', "H", "hosts: CPU, memory, GPU, disk per host", act_hosts, KB_FOOTER },
    KEYS_LIST_NAV(act_nav, "scroll down", "scroll up", "top", "bottom"),
    { ' ', "space", "page down", act_nav, KB_HIDDEN },
    { '|', "|", "open the page in $PAGER", act_pager, 0 },
    { 'r', "r", "re-launch with changes", act_relaunch, KB_MUTATING },
    { 'U', "U", "tune: a tuning job over this job's hyperparameters", act_tune, KB_MUTATING },
    { 'x', "x", "stop: stop this job (asks first)", act_stop, KB_MUTATING | KB_FOOTER },
    { 0, NULL, NULL, NULL, 0 },
};

static int detail_enter(struct view *v, struct app *a)
{
    struct detail_state *s = calloc(1, sizeof(*s));

    (void)a;
    if (!s)
        return -1;
    v->state = s;
    return 0;
}

static void detail_leave(struct view *v, struct app *a)
{
    struct detail_state *s = S(v);

    (void)a;
    if (!s)
        return;
    clear_items(s);
    free(s->items);
    free(s->lines);
    free(s);
    v->state = NULL;
}

const struct view_ops view_detail_ops = {
    .name = "detail",
    .keys = detail_keys,
    .on_enter = detail_enter,
    .on_leave = detail_leave,
    .draw = detail_draw,
    .follows_jobs = true,
};
