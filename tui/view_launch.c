/* view_launch.c: the launch form. `n` opens a new estimator, `r` a re-launch of a job pre-filled
 * from its cached describe document (showing what changed against it). Fields are grouped, each
 * with its validation message next to it (every check of aws/estimator.h runs on each change,
 * in-process and instantly); Enter edits a field with completion (instance types, framework
 * versions, roles and buckets seen in past jobs), `a` adds a hyperparameter / channel / metric /
 * environment entry, `d` removes one, `v` reviews the exact CreateTrainingJob JSON, `e` edits
 * that JSON in $EDITOR, `s` submits after a confirmation.
 *
 * Submitting never blocks the UI: it runs this same program's `launch` command (the same global
 * options, so the same profile, region, endpoint and cache) as a child whose output is read on
 * each tick. The child packs and uploads the source, creates the job and stores it in the cache;
 * on success the form closes and the list refreshes; on failure (an AWS ValidationException,
 * say) its message is shown and the form is kept. */
#include <errno.h>
#include <fcntl.h>
#include <jansson.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/time.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "aws/estimator.h"
#include "tui/draw.h"
#include "tui/views.h"

#define MAX_SETS 128
#define MAX_ROWS 192
#define MAX_SEEN 16

struct row {
    char key[96];
    const char *group;      /* non-NULL: a group heading row */
};

struct launch_state {
    bool relaunch;
    char source[CACHE_JOB_NAME_MAX];
    char *describe;
    size_t describe_len;
    char keys[MAX_SETS][96];
    char *vals[MAX_SETS];
    size_t n_sets;
    struct row rows[MAX_ROWS];
    size_t n_rows, cur, top;
    json_t *req, *src_req, *edited;
    struct estimator est;           /* new estimator: the current fields */
    struct estimator_issues issues;
    char build_msg[256];
    char diff[4096];
    size_t n_changed;
    bool review;
    int review_top;
    char editing[96];
    char roles[MAX_SEEN][256], buckets[MAX_SEEN][128];
    size_t n_roles, n_buckets;
    /* the submitting child */
    pid_t pid;
    int fd;
    char out[4096];
    size_t out_len;
    char result[512];
    bool result_err;
};

/* ---- Field values --------------------------------------------------------------------------- */

static const char *set_get(const struct launch_state *st, const char *key)
{
    for (size_t i = 0; i < st->n_sets; i++)
        if (strcmp(st->keys[i], key) == 0)
            return st->vals[i];
    return NULL;
}

static void set_put(struct launch_state *st, const char *key, const char *value)
{
    for (size_t i = 0; i < st->n_sets; i++)
        if (strcmp(st->keys[i], key) == 0) {
            free(st->vals[i]);
            st->vals[i] = strdup(value);
            return;
        }
    if (st->n_sets == MAX_SETS)
        return;
    snprintf(st->keys[st->n_sets], sizeof(st->keys[0]), "%s", key);
    st->vals[st->n_sets++] = strdup(value);
}

static double now_s(void)
{
    struct timeval tv;

    gettimeofday(&tv, NULL);
    return (double)tv.tv_sec + (double)tv.tv_usec / 1e6;
}

/* The value of key in a request (re-launch form). */
static void req_value(const json_t *req, const char *key, char *buf, size_t size)
{
    static const struct {
        const char *key, *obj, *member;
    } map[] = {
        { "name", NULL, "TrainingJobName" },
        { "role", NULL, "RoleArn" },
        { "instance_type", "ResourceConfig", "InstanceType" },
        { "instance_count", "ResourceConfig", "InstanceCount" },
        { "volume_size", "ResourceConfig", "VolumeSizeInGB" },
        { "max_run", "StoppingCondition", "MaxRuntimeInSeconds" },
        { "max_wait", "StoppingCondition", "MaxWaitTimeInSeconds" },
        { "spot", NULL, "EnableManagedSpotTraining" },
        { "checkpoint_s3_uri", "CheckpointConfig", "S3Uri" },
        { "output_path", "OutputDataConfig", "S3OutputPath" },
        { "image_uri", "AlgorithmSpecification", "TrainingImage" },
    };
    const json_t *v = NULL;

    buf[0] = '\0';
    for (size_t i = 0; i < sizeof(map) / sizeof(map[0]); i++)
        if (strcmp(map[i].key, key) == 0)
            v = json_object_get(map[i].obj ? json_object_get(req, map[i].obj) : req,
                                map[i].member);
    if (strncmp(key, "hp.", 3) == 0)
        v = json_object_get(json_object_get(req, "HyperParameters"), key + 3);
    else if (strcmp(key, "entry_point") == 0)
        v = json_object_get(json_object_get(req, "HyperParameters"), "sagemaker_program");
    else if (strncmp(key, "env.", 4) == 0)
        v = json_object_get(json_object_get(req, "Environment"), key + 4);
    else if (strncmp(key, "input.", 6) == 0 || strncmp(key, "metric.", 7) == 0) {
        bool in = key[0] == 'i';
        const json_t *arr = in ? json_object_get(req, "InputDataConfig")
                               : json_object_get(json_object_get(req, "AlgorithmSpecification"),
                                                 "MetricDefinitions");
        size_t i;
        json_t *x;

        json_array_foreach(arr, i, x) {
            const char *n = json_string_value(json_object_get(x, in ? "ChannelName" : "Name"));

            if (n && strcmp(n, strchr(key, '.') + 1) == 0)
                v = in ? json_object_get(json_object_get(json_object_get(x, "DataSource"),
                                                         "S3DataSource"), "S3Uri")
                       : json_object_get(x, "Regex");
        }
    }
    if (json_is_string(v))
        snprintf(buf, size, "%s", json_string_value(v));
    else if (json_is_integer(v))
        snprintf(buf, size, "%lld", (long long)json_integer_value(v));
    else if (json_is_boolean(v))
        snprintf(buf, size, "%s", json_is_true(v) ? "true" : "false");
}

static void field_value(const struct launch_state *st, const char *key, char *buf, size_t size)
{
    if (st->relaunch)
        req_value(st->req, key, buf, size);
    else
        estimator_get(&st->est, key, buf, size);
}

/* ---- Rebuilding after each change ------------------------------------------------------------ */

static void add_row(struct launch_state *st, const char *key, const char *group)
{
    if (st->n_rows == MAX_ROWS)
        return;
    snprintf(st->rows[st->n_rows].key, sizeof(st->rows[0].key), "%s", key ? key : "");
    st->rows[st->n_rows++].group = group;
}

static void add_list_rows(struct launch_state *st, const char *prefix, const char *group)
{
    bool any = false;

    for (size_t i = 0; i < st->n_sets; i++)
        if (strncmp(st->keys[i], prefix, strlen(prefix)) == 0 && st->vals[i][0]) {
            if (!any)
                add_row(st, NULL, group);
            any = true;
            add_row(st, st->keys[i], NULL);
        }
}

static void rebuild(struct launch_state *st, struct app *a)
{
    struct err e = { 0 };
    char prev[96];

    snprintf(prev, sizeof(prev), "%s", st->cur < st->n_rows ? st->rows[st->cur].key : "");
    json_decref(st->req);
    st->req = NULL;
    st->issues.n = 0;
    st->build_msg[0] = '\0';
    st->n_rows = 0;
    if (st->relaunch) {
        static const char *const keys[] = { "name", "instance_type", "instance_count",
                                            "volume_size", "role", "output_path", "max_run",
                                            "spot", "max_wait", "checkpoint_s3_uri",
                                            "image_uri", "entry_point", NULL };
        static const char *const groups[] = { "Job", "Resources", NULL, NULL, NULL, NULL,
                                              "Stopping and spot", NULL, NULL, NULL,
                                              "Code", NULL };
        const char *name = set_get(st, "name");

        if (estimator_relaunch(st->describe, st->describe_len, name ? name : st->source,
                               &st->req, &e) != 0) {
            snprintf(st->build_msg, sizeof(st->build_msg), "%s", e.msg);
            return;
        }
        for (size_t i = 0; i < st->n_sets; i++)
            if (strcmp(st->keys[i], "name") != 0 &&
                estimator_request_set(st->req, st->keys[i], st->vals[i], &e) != 0)
                estimator_issue_add(&st->issues, st->keys[i], "%s", e.msg);
        for (size_t i = 0; keys[i]; i++) {
            if (groups[i])
                add_row(st, NULL, groups[i]);
            add_row(st, keys[i], NULL);
        }
        /* the request's own lists, so every entry is editable */
        const char *k;
        json_t *x;
        bool any = false;

        json_object_foreach(json_object_get(st->req, "HyperParameters"), k, x) {
            char key[96];

            if (strncmp(k, "sagemaker_", 10) == 0 || strcmp(k, "mp_parameters") == 0)
                continue;
            if (!any)
                add_row(st, NULL, "Hyperparameters");
            any = true;
            snprintf(key, sizeof(key), "hp.%.90s", k);
            add_row(st, key, NULL);
        }
        size_t i;

        any = false;
        json_array_foreach(json_object_get(st->req, "InputDataConfig"), i, x) {
            char key[96];

            if (!any)
                add_row(st, NULL, "Input channels");
            any = true;
            snprintf(key, sizeof(key), "input.%.80s",
                     json_string_value(json_object_get(x, "ChannelName")));
            add_row(st, key, NULL);
        }
        any = false;
        json_array_foreach(json_object_get(json_object_get(st->req, "AlgorithmSpecification"),
                                           "MetricDefinitions"), i, x) {
            char key[96];

            if (!any)
                add_row(st, NULL, "Metric definitions");
            any = true;
            snprintf(key, sizeof(key), "metric.%.80s",
                     json_string_value(json_object_get(x, "Name")));
            add_row(st, key, NULL);
        }
        add_list_rows(st, "env.", "Environment");
        estimator_check_request(st->req, &st->issues);
        st->n_changed = estimator_request_diff(st->src_req, st->req, st->diff, sizeof(st->diff));
    } else {
        struct cache *c = app_cache(a);
        const char *acct = c ? cache_scope_account(c) : NULL;
        struct estimator_context ctx = { c ? cache_scope_region(c) : "us-east-1",
                                         acct && strcmp(acct, "unknown") ? acct : NULL, now_s() };
        const char *group = NULL;

        estimator_clean(&st->est);
        estimator_init(&st->est);
        for (size_t i = 0; i < st->n_sets; i++)
            if (estimator_set(&st->est, st->keys[i], st->vals[i], &e) != 0)
                estimator_issue_add(&st->issues, st->keys[i], "%s", e.msg);
        for (size_t i = 0; i < estimator_n_fields; i++) {
            if (group == NULL || strcmp(group, estimator_fields[i].group) != 0)
                add_row(st, NULL, group = estimator_fields[i].group);
            add_row(st, estimator_fields[i].key, NULL);
        }
        add_list_rows(st, "hp.", "Hyperparameters");
        add_list_rows(st, "input.", "Input channels");
        add_list_rows(st, "metric.", "Metric definitions");
        add_list_rows(st, "env.", "Environment");
        add_list_rows(st, "tag.", "Tags");
        if (st->issues.n == 0) {
            struct estimator_plan plan;

            if (estimator_build(&st->est, &ctx, &st->req, &plan, &st->issues, &e) != 0 &&
                st->issues.n == 0)
                snprintf(st->build_msg, sizeof(st->build_msg), "%s", e.msg);
        }
    }
    if (st->edited) {
        json_decref(st->req);
        st->req = json_incref(st->edited);
        st->issues.n = 0;
        estimator_check_request(st->req, &st->issues);
    }
    st->cur = 0;
    for (size_t i = 0; i < st->n_rows; i++)
        if (st->rows[i].group == NULL && (prev[0] == '\0' || strcmp(st->rows[i].key, prev) == 0)) {
            st->cur = i;
            if (prev[0])
                break;
            if (prev[0] == '\0')
                break;
        }
}

/* ---- Entering and leaving -------------------------------------------------------------------- */

static void remember(char (*list)[256], size_t *n, size_t width, const char *s)
{
    if (s == NULL || s[0] == '\0' || *n == MAX_SEEN)
        return;
    for (size_t i = 0; i < *n; i++)
        if (strncmp(list[i], s, width - 1) == 0)
            return;
    snprintf(list[(*n)++], width, "%s", s);
}

/* Roles and buckets of past jobs, for completion. */
static void learn_past_jobs(struct launch_state *st, struct cache *c)
{
    struct cache_job_query q = { .descending = true };
    struct cache_job *jobs = calloc(40, sizeof(*jobs));
    size_t n = 0;

    if (jobs == NULL || cache_jobs_window(c, &q, 0, 40, jobs, &n, NULL) != 0)
        n = 0;
    for (size_t i = 0; i < n; i++) {
        char *doc = NULL;
        json_t *d;

        if (cache_job_describe_json(c, jobs[i].name, &doc, NULL) != 0)
            continue;
        d = json_loads(doc, 0, NULL);
        free(doc);
        remember(st->roles, &st->n_roles, sizeof(st->roles[0]),
                 json_string_value(json_object_get(d, "RoleArn")));
        const char *out = json_string_value(json_object_get(json_object_get(d,
                                                                            "OutputDataConfig"),
                                                            "S3OutputPath"));

        if (out && strncmp(out, "s3://", 5) == 0 && st->n_buckets < MAX_SEEN) {
            char b[128];
            const char *slash = strchr(out + 5, '/');
            bool dup = false;

            snprintf(b, sizeof(b), "s3://%.*s/",
                     (int)(slash ? (size_t)(slash - out - 5) : strlen(out + 5)), out + 5);
            for (size_t k = 0; k < st->n_buckets; k++)
                dup |= strcmp(st->buckets[k], b) == 0;
            if (!dup)
                snprintf(st->buckets[st->n_buckets++], sizeof(st->buckets[0]), "%s", b);
        }
        json_decref(d);
    }
    free(jobs);
}

static int launch_enter(struct view *v, struct app *a)
{
    struct launch_state *st = calloc(1, sizeof(*st));
    struct cache *c = app_cache(a);
    struct err e = { 0 };

    if (st == NULL)
        return -1;
    if (app_read_only(a)) {
        app_flash(a, true, "read-only: launching jobs is disabled");
        free(st);
        return -1;
    }
    st->fd = -1;
    estimator_init(&st->est);
    if (c)
        learn_past_jobs(st, c);
    if (v->job[0]) {
        char name[64];

        st->relaunch = true;
        snprintf(st->source, sizeof(st->source), "%s", v->job);
        if (c == NULL || cache_job_describe_json(c, v->job, &st->describe, &e) != 0) {
            app_flash(a, true, "re-launch: %s is not described in the cache yet; open it first "
                      "(Enter) and try again", v->job);
            free(st);
            return -1;
        }
        st->describe_len = strlen(st->describe);
        if (estimator_relaunch(st->describe, st->describe_len, v->job, &st->src_req, &e) != 0) {
            app_flash(a, true, "re-launch: %s", e.msg);
            free(st->describe);
            free(st);
            return -1;
        }
        estimator_relaunch_name(v->job, now_s(), name, sizeof(name));
        set_put(st, "name", name);
    } else {
        /* a sensible start: the SDK's current HF image, the usual GPU, the last role */
        set_put(st, "entry_point", "train.py");
        set_put(st, "transformers_version", "4.26");
        set_put(st, "pytorch_version", "1.13");
        set_put(st, "py_version", "py39");
        set_put(st, "instance_type", "ml.p3.2xlarge");
        if (st->n_roles)
            set_put(st, "role", st->roles[0]);
    }
    v->state = st;
    rebuild(st, a);
    return 0;
}

static void launch_leave(struct view *v, struct app *a)
{
    struct launch_state *st = v->state;

    (void)a;
    if (st == NULL)
        return;
    if (st->fd >= 0)
        close(st->fd);
    /* a launch still running is left to finish (it may be creating the job); reaped here
       when it is done already */
    if (st->pid > 0)
        waitpid(st->pid, NULL, WNOHANG);
    for (size_t i = 0; i < st->n_sets; i++)
        free(st->vals[i]);
    json_decref(st->req);
    json_decref(st->src_req);
    json_decref(st->edited);
    estimator_clean(&st->est);
    free(st->describe);
    free(st);
    v->state = NULL;
}

/* ---- Drawing --------------------------------------------------------------------------------- */

static void draw_review(struct launch_state *st, const struct rect *r)
{
    char *text = st->req ? json_dumps(st->req, JSON_INDENT(2)) : NULL;
    int y = r->y;
    const char *p = text;
    int line = 0;

    draw_fmt(y++, r->x, r->w, theme_attr(TH_TITLE),
             "Review: the exact CreateTrainingJob request%s  (s submit, e edit in $EDITOR, "
             "Esc back)", st->edited ? " (edited)" : "");
    while (p && *p && y < r->y + r->h - 1) {
        const char *nl = strchr(p, '\n');
        size_t len = nl ? (size_t)(nl - p) : strlen(p);

        if (line++ >= st->review_top)
            draw_untrusted(y++, r->x + 1, r->w - 1, p, len, theme_attr(TH_NORMAL));
        p = nl ? nl + 1 : NULL;
    }
    if (st->result[0])
        draw_untrusted(r->y + r->h - 1, r->x, r->w, st->result, strlen(st->result),
                       theme_attr(st->result_err ? TH_ERROR : TH_OK));
    free(text);
}

static void launch_draw(struct view *v, struct app *a, const struct rect *r)
{
    struct launch_state *st = v->state;
    int y = r->y, list_h, diff_h = 0;
    char val[512];

    (void)a;
    if (st->review) {
        draw_review(st, r);
        return;
    }
    draw_fmt(y++, r->x, r->w, theme_attr(TH_TITLE), "%s%s%s   %s",
             st->relaunch ? "Re-launch of " : "New Hugging Face estimator",
             st->relaunch ? st->source : "", st->edited ? " (edited JSON)" : "",
             st->pid > 0 ? "submitting…" : st->issues.n ? "" : "ready: v review, s submit");
    if (st->relaunch)
        diff_h = (int)(st->n_changed < 8 ? st->n_changed : 8) + 1;
    list_h = r->h - 2 - diff_h - (st->result[0] ? 1 : 0);
    if (list_h < 3)
        list_h = 3;
    if (st->cur < st->top)
        st->top = st->cur;
    if (st->cur >= st->top + (size_t)list_h)
        st->top = st->cur - (size_t)list_h + 1;
    for (size_t i = st->top; i < st->n_rows && y < r->y + 1 + list_h; i++, y++) {
        const struct row *row = &st->rows[i];
        const struct estimator_issue *is;
        bool sel = i == st->cur;
        attr_t at = theme_attr(sel ? TH_SELECTED : TH_NORMAL);
        int x = r->x;

        if (row->group) {
            draw_str(y, r->x, r->w, row->group, theme_attr(TH_TITLE));
            continue;
        }
        field_value(st, row->key, val, sizeof(val));
        if (sel)
            draw_fill(y, r->x, r->w, at);
        x += draw_fmt(y, x, 26, at, "  %-23.23s ", row->key);
        x += draw_untrusted(y, x, r->w / 2 - 26 > 10 ? r->w / 2 - 26 : 10, val, strlen(val), at);
        is = estimator_issue_find(&st->issues, row->key);
        if (is) {
            int mx = r->x + (r->w / 2 > x - r->x + 1 ? r->w / 2 : x - r->x + 1);

            draw_fmt(y, mx, r->x + r->w - mx, theme_attr(TH_ERROR), "%s %s",
                     draw_sym(SYM_ARROW), is->msg);
        }
    }
    /* problems on fields without a row (region, inputs, ...) */
    y = r->y + 1 + list_h;
    if (st->build_msg[0] || (st->issues.n && estimator_issue_find(&st->issues, "region"))) {
        draw_str(y - 1, r->x, r->w, st->build_msg[0] ? st->build_msg :
                 estimator_issue_find(&st->issues, "region")->msg, theme_attr(TH_ERROR));
    }
    draw_fmt(y++, r->x, r->w, theme_attr(st->issues.n ? TH_ERROR : TH_DIM), "%zu problem%s",
             st->issues.n, st->issues.n == 1 ? "" : "s");
    if (diff_h) {
        const char *p = st->diff;

        draw_fmt(y++, r->x, r->w, theme_attr(TH_TITLE), "Changes against %s (%zu)", st->source,
                 st->n_changed);
        for (int i = 0; i < diff_h - 1 && p && *p; i++) {
            const char *nl = strchr(p, '\n');

            draw_untrusted(y++, r->x + 2, r->w - 2, p, nl ? (size_t)(nl - p) : strlen(p),
                           theme_attr(TH_WARN));
            p = nl ? nl + 1 : NULL;
        }
    }
    if (st->result[0])
        draw_untrusted(r->y + r->h - 1, r->x, r->w, st->result, strlen(st->result),
                       theme_attr(st->result_err ? TH_ERROR : TH_OK));
}

/* ---- Editing --------------------------------------------------------------------------------- */

static int on_field(struct view *v, struct app *a, const char *text)
{
    struct launch_state *st = v->state;

    set_put(st, st->editing, text);
    json_decref(st->edited);      /* a field change supersedes a hand-edited request */
    st->edited = NULL;
    rebuild(st, a);
    for (size_t i = 0; i < st->n_rows; i++)     /* follow the field, e.g. a new entry */
        if (st->rows[i].group == NULL && strcmp(st->rows[i].key, st->editing) == 0)
            st->cur = i;
    return R_REDRAW;
}

static size_t add_matches(const char *const *cands, size_t n, const char *word,
                          char (*out)[128], size_t max, size_t have)
{
    for (size_t i = 0; i < n && have < max; i++)
        if (cands[i] && strncmp(cands[i], word, strlen(word)) == 0)
            snprintf(out[have++], 128, "%s", cands[i]);
    return have;
}

static size_t complete(struct view *v, struct app *a, const char *line, const char *word,
                       char (*out)[128], size_t max)
{
    struct launch_state *st = v->state;
    const char *k = st->editing;
    const char *cands[160];
    size_t n = 0;

    (void)a;
    (void)line;
    if (strcmp(k, "instance_type") == 0) {
        while (estimator_instance_types[n] && n < 160) {
            cands[n] = estimator_instance_types[n];
            n++;
        }
    } else if (strcmp(k, "transformers_version") == 0) {
        n = hf_images_list("transformers", NULL, NULL, NULL, cands, 160);
    } else if (strcmp(k, "pytorch_version") == 0 || strcmp(k, "tensorflow_version") == 0) {
        n = hf_images_list(k[0] == 'p' ? "pytorch" : "tensorflow",
                           set_get(st, "transformers_version"), NULL, NULL, cands, 160);
    } else if (strcmp(k, "py_version") == 0) {
        n = hf_images_list("py", set_get(st, "transformers_version"),
                           set_get(st, "tensorflow_version") ? "tensorflow" : "pytorch",
                           set_get(st, "pytorch_version"), cands, 160);
    } else if (strcmp(k, "role") == 0) {
        for (; n < st->n_roles; n++)
            cands[n] = st->roles[n];
    } else if (strcmp(k, "output_path") == 0 || strcmp(k, "checkpoint_s3_uri") == 0 ||
               strncmp(k, "input.", 6) == 0 || strcmp(k, "submit_directory") == 0) {
        for (; n < st->n_buckets; n++)
            cands[n] = st->buckets[n];
    } else if (strcmp(k, "distribution") == 0) {
        static const char *const d[] = { ESTIMATOR_DIST_NONE, ESTIMATOR_DIST_SMDDP,
                                         ESTIMATOR_DIST_SMMP, ESTIMATOR_DIST_PYTORCHDDP,
                                         ESTIMATOR_DIST_TORCH };
        for (; n < 5; n++)
            cands[n] = d[n];
    } else if (strcmp(k, "spot") == 0) {
        cands[n++] = "true";
        cands[n++] = "false";
    }
    return add_matches(cands, n, word, out, max, 0);
}

static int act_edit(struct view *v, struct app *a)
{
    struct launch_state *st = v->state;
    char val[1024], label[128];

    if (st->review || st->cur >= st->n_rows || st->rows[st->cur].group)
        return R_NONE;
    snprintf(st->editing, sizeof(st->editing), "%s", st->rows[st->cur].key);
    field_value(st, st->editing, val, sizeof(val));
    snprintf(label, sizeof(label), "%s: ", st->editing);
    app_prompt(a, label, val, "launch", on_field, complete);
    return R_REDRAW;
}

static int on_add(struct view *v, struct app *a, const char *text)
{
    struct launch_state *st = v->state;
    const char *eq = strchr(text, '=');
    char key[96];

    if (eq == NULL || eq == text || (strncmp(text, "hp.", 3) && strncmp(text, "input.", 6) &&
                                     strncmp(text, "metric.", 7) && strncmp(text, "env.", 4) &&
                                     strncmp(text, "tag.", 4))) {
        app_flash(a, true, "add: write hp.KEY=VALUE, input.NAME=s3://..., metric.NAME=REGEX, "
                  "env.KEY=VALUE or tag.KEY=VALUE");
        return R_REDRAW;
    }
    snprintf(key, sizeof(key), "%.*s", (int)(eq - text), text);
    snprintf(st->editing, sizeof(st->editing), "%s", key);
    return on_field(v, a, eq + 1);
}

static int act_add(struct view *v, struct app *a)
{
    (void)v;
    app_prompt(a, "add (hp.KEY=VALUE, input.NAME=s3://…, metric.NAME=REGEX, env.K=V): ", "",
               "launch", on_add, NULL);
    return R_REDRAW;
}

static int act_delete(struct view *v, struct app *a)
{
    struct launch_state *st = v->state;
    const char *k;

    if (st->cur >= st->n_rows || st->rows[st->cur].group)
        return R_NONE;
    k = st->rows[st->cur].key;
    if (!strchr(k, '.')) {
        app_flash(a, false, "only list entries (hp., input., metric., env., tag.) can be "
                  "removed; Enter and an empty value clears a field");
        return R_REDRAW;
    }
    snprintf(st->editing, sizeof(st->editing), "%s", k);
    return on_field(v, a, "");
}

static int act_move(struct launch_state *st, int delta)
{
    size_t i = st->cur;

    if (st->review) {
        st->review_top += delta;
        if (st->review_top < 0)
            st->review_top = 0;
        return R_REDRAW;
    }
    do {
        if ((delta < 0 && i == 0) || (delta > 0 && i + 1 >= st->n_rows))
            return R_REDRAW;
        i = (size_t)((long)i + delta);
    } while (st->rows[i].group);
    st->cur = i;
    return R_REDRAW;
}

static int act_down(struct view *v, struct app *a) { (void)a; return act_move(v->state, 1); }
static int act_up(struct view *v, struct app *a) { (void)a; return act_move(v->state, -1); }

static int act_review(struct view *v, struct app *a)
{
    struct launch_state *st = v->state;

    if (st->issues.n > 0 || st->req == NULL) {
        app_flash(a, true, "fix the %zu problem%s first (%s: %s)", st->issues.n,
                  st->issues.n == 1 ? "" : "s", st->issues.n ? st->issues.v[0].field : "",
                  st->issues.n ? st->issues.v[0].msg : st->build_msg);
        return R_REDRAW;
    }
    /* pin the generated name so that what is reviewed is what is sent */
    if (!st->relaunch && set_get(st, "name") == NULL) {
        set_put(st, "name", json_string_value(json_object_get(st->req, "TrainingJobName")));
        rebuild(st, a);
    }
    st->review = !st->review;
    st->review_top = 0;
    return R_REDRAW;
}

static int act_edit_json(struct view *v, struct app *a)
{
    struct launch_state *st = v->state;
    char path[] = "/tmp/sagetop-request-XXXXXX.json", cmd[512];
    const char *editor = getenv("VISUAL") ? getenv("VISUAL") : getenv("EDITOR");
    json_error_t je;
    json_t *edited;
    int fd;

    if (st->req == NULL) {
        app_flash(a, true, "no request yet: fix the problems first");
        return R_REDRAW;
    }
    if (!st->relaunch && set_get(st, "name") == NULL)
        set_put(st, "name", json_string_value(json_object_get(st->req, "TrainingJobName")));
    fd = mkstemps(path, 5);
    if (fd < 0 || json_dumpfd(st->req, fd, JSON_INDENT(2)) != 0) {
        if (fd >= 0)
            close(fd);
        app_flash(a, true, "cannot write a temporary file for the editor");
        return R_REDRAW;
    }
    close(fd);
    snprintf(cmd, sizeof(cmd), "%s '%s'", editor && editor[0] ? editor : "vi", path);
    app_run_external(a, cmd);
    edited = json_load_file(path, 0, &je);
    unlink(path);
    if (!json_is_object(edited)) {
        app_flash(a, true, "edited request not used: %s (line %d)", edited ? "not an object"
                                                                            : je.text, je.line);
        json_decref(edited);
        return R_REDRAW;
    }
    json_decref(st->edited);
    st->edited = edited;
    rebuild(st, a);
    return R_REDRAW;
}

/* ---- Submitting ------------------------------------------------------------------------------ */

/* This program's global options, from its own command line (the UI runs with no command, so
 * every argument is one). */
static size_t own_args(char *buf, size_t size, char **argv, size_t max)
{
    int fd = open("/proc/self/cmdline", O_RDONLY | O_CLOEXEC);
    ssize_t n = fd >= 0 ? read(fd, buf, size - 1) : -1;
    size_t argc = 0;

    if (fd >= 0)
        close(fd);
    if (n <= 0)
        return 0;
    buf[n] = '\0';
    for (char *p = buf; p < buf + n && argc < max; p += strlen(p) + 1)
        argv[argc++] = p;
    return argc;
}

static int do_submit(struct view *v, struct app *a)
{
    struct launch_state *st = v->state;
    static char cmdline[8192];
    char *argv[2 * MAX_SETS + 64];
    char sets[MAX_SETS][1200];
    char reqpath[64] = "";
    size_t argc, n_own;
    int pfd[2];
    pid_t pid;

    if (st->pid > 0)
        return R_NONE;
    n_own = own_args(cmdline, sizeof(cmdline), argv, 48);
    if (n_own == 0) {
        app_flash(a, true, "cannot read /proc/self/cmdline to run the launch");
        return R_REDRAW;
    }
    argv[0] = (char *)"/proc/self/exe";
    argc = n_own;
    argv[argc++] = (char *)"launch";
    if (st->edited) {
        int fd;

        snprintf(reqpath, sizeof(reqpath), "/tmp/sagetop-request-XXXXXX.json");
        fd = mkstemps(reqpath, 5);
        if (fd < 0 || json_dumpfd(st->edited, fd, JSON_INDENT(1)) != 0) {
            if (fd >= 0)
                close(fd);
            app_flash(a, true, "cannot write the edited request");
            return R_REDRAW;
        }
        close(fd);
        argv[argc++] = (char *)"--request";
        argv[argc++] = reqpath;
    }
    if (st->relaunch && !st->edited) {
        argv[argc++] = (char *)"--from";
        argv[argc++] = st->source;
    }
    if (!st->relaunch || !st->edited)
        for (size_t i = 0; i < st->n_sets; i++) {
            if (st->relaunch && strcmp(st->keys[i], "name") == 0) {
                argv[argc++] = (char *)"--name";
                argv[argc++] = st->vals[i];
                continue;
            }
            if (!st->relaunch && st->vals[i][0] == '\0')
                continue;
            snprintf(sets[i], sizeof(sets[i]), "%s=%s", st->keys[i], st->vals[i]);
            argv[argc++] = (char *)"--set";
            argv[argc++] = sets[i];
        }
    argv[argc++] = (char *)"--yes";
    argv[argc] = NULL;
    if (pipe(pfd) != 0) {
        app_flash(a, true, "cannot start the launch: %s", strerror(errno));
        return R_REDRAW;
    }
    pid = fork();
    if (pid < 0) {
        close(pfd[0]);
        close(pfd[1]);
        app_flash(a, true, "cannot start the launch: %s", strerror(errno));
        return R_REDRAW;
    }
    if (pid == 0) {
        int devnull = open("/dev/null", O_RDONLY);

        if (devnull >= 0)
            dup2(devnull, 0);
        dup2(pfd[1], 1);
        dup2(pfd[1], 2);
        close(pfd[0]);
        close(pfd[1]);
        execv("/proc/self/exe", argv);
        _exit(127);
    }
    close(pfd[1]);
    fcntl(pfd[0], F_SETFL, O_NONBLOCK);
    st->pid = pid;
    st->fd = pfd[0];
    st->out_len = 0;
    st->result[0] = '\0';
    snprintf(st->result, sizeof(st->result), "submitting %s…",
             json_string_value(json_object_get(st->req, "TrainingJobName")));
    st->result_err = false;
    return R_REDRAW;
}

static int act_submit(struct view *v, struct app *a)
{
    struct launch_state *st = v->state;
    char q[160];

    if (st->pid > 0)
        return R_NONE;
    if (st->issues.n > 0 || st->req == NULL)
        return act_review(v, a);    /* says what to fix */
    if (!st->relaunch && set_get(st, "name") == NULL) {
        set_put(st, "name", json_string_value(json_object_get(st->req, "TrainingJobName")));
        rebuild(st, a);
    }
    snprintf(q, sizeof(q), "create training job %s?",
             json_string_value(json_object_get(st->req, "TrainingJobName")));
    app_confirm(a, q, do_submit);
    return R_REDRAW;
}

static int launch_tick(struct view *v, struct app *a, bool changed)
{
    struct launch_state *st = v->state;
    ssize_t n;
    int status;
    pid_t done;

    (void)changed;
    if (st == NULL || st->pid <= 0)
        return R_NONE;
    while (st->out_len < sizeof(st->out) - 1 &&
           (n = read(st->fd, st->out + st->out_len, sizeof(st->out) - 1 - st->out_len)) > 0)
        st->out_len += (size_t)n;
    st->out[st->out_len] = '\0';
    done = waitpid(st->pid, &status, WNOHANG);
    if (done != st->pid)
        return R_NONE;
    while ((n = read(st->fd, st->out + st->out_len, sizeof(st->out) - 1 - st->out_len)) > 0)
        st->out_len += (size_t)n;
    st->out[st->out_len] = '\0';
    close(st->fd);
    st->fd = -1;
    st->pid = 0;
    if (WIFEXITED(status) && WEXITSTATUS(status) == 0) {
        char name[CACHE_JOB_NAME_MAX];

        snprintf(name, sizeof(name), "%s",
                 json_string_value(json_object_get(st->req, "TrainingJobName")));
        app_flash(a, false, "created %s", name);
        app_request_refresh(a);
        app_pop(a);
        return R_REDRAW | R_REFRESH;
    }
    /* keep the form; show the command's own message (e.g. AWS's ValidationException) */
    {
        char *p = st->out, *line = st->out;

        while ((p = strstr(p, "sagetop")) != NULL) {
            line = p;
            p++;
            if (strstr(line, "nothing was created") == line + strlen("sagetop launch: "))
                break;
        }
        for (char *q = line; *q; q++)
            if (*q == '\n') {
                *q = ' ';
            }
        snprintf(st->result, sizeof(st->result), "launch failed: %.480s",
                 st->out_len ? line : "(no output)");
    }
    st->result_err = true;
    return R_REDRAW;
}

static int launch_key(struct view *v, struct app *a, int key)
{
    struct launch_state *st = v->state;

    (void)a;
    if (st->review && (key == KEY_ESCAPE || key == 'q')) {
        st->review = false;
        return R_REDRAW;
    }
    return R_UNHANDLED;
}

static void launch_title(struct view *v, struct app *a, char *buf, size_t size)
{
    struct launch_state *st = v->state;

    (void)a;
    if (st && st->relaunch)
        snprintf(buf, size, "launch: re-launch %s", st->source);
    else
        snprintf(buf, size, "launch: new estimator");
}

static const struct key_binding launch_keys[] = {
    { '\n', "Enter", "edit field", act_edit, KB_FOOTER },
    { '\r', "Enter", "edit field", act_edit, KB_HIDDEN },
    { KEY_ENTER, "Enter", "edit field", act_edit, KB_HIDDEN },
    { 'j', "j/k", "move", act_down, 0 },
    { KEY_DOWN, "Down", "move down", act_down, KB_HIDDEN },
    { 'k', "k", "move up", act_up, KB_HIDDEN },
    { KEY_UP, "Up", "move up", act_up, KB_HIDDEN },
    { 'a', "a", "add hp/input/metric/env", act_add, KB_FOOTER },
    { 'd', "d", "remove entry", act_delete, KB_FOOTER },
    { 'v', "v", "review JSON", act_review, KB_FOOTER },
    { 'e', "e", "edit JSON in $EDITOR", act_edit_json, KB_FOOTER },
    { 's', "s", "submit", act_submit, KB_FOOTER | KB_MUTATING },
    { 0 },
};

const struct view_ops view_launch_ops = {
    .name = "launch",
    .keys = launch_keys,
    .on_enter = launch_enter,
    .on_leave = launch_leave,
    .draw = launch_draw,
    .on_key = launch_key,
    .on_tick = launch_tick,
    .title = launch_title,
};
