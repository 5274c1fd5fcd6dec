/* view_launch.c: the launch form. `n` opens a new estimator, `r` a re-launch of a job pre-filled
 * from its cached describe document (showing what changed against it). Fields are grouped, each
 * with its validation message next to it (every check of launch/estimator.h runs on each change,
 * in-process and instantly); Enter edits a field with completion (instance types, framework
 * versions, roles and buckets seen in past jobs), `a` adds a hyperparameter / channel / metric /
 * environment entry, `d` removes one, `v` reviews the exact CreateTrainingJob JSON, `e` edits
 * that JSON in $EDITOR, `s` submits after a confirmation, `t` tests a metric regex.
 *
 * This file owns the form: its fields, rows, completion and the source job's loading. The tuning
 * launch form (view_tuning_launch.c) is this form with st->tuning set: its fields, rows and
 * values are its own, the rest (state, keys, drawing, review, submit) is shared.
 * view_launch_review.c draws it and submits it (launch_run() on the worker thread: the UI never
 * waits and starts no process); view_launch_regex.c is the regex tester; tui/form.c moves the
 * cursor and draws the rows. Must not: do network or disk work on the UI thread (the cache is
 * read through app_cache()); the one exception is estimator_check_source()'s stat() of the
 * entry point and source_dir on each change, so that a missing one is a problem at once.
 *
 * `r` on a job the cache has not described yet, or has only from Search (partial), asks the
 * worker for it (app_request_job) and shows "loading…" until the full document is in the cache;
 * nothing waits. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/time.h>

#include "tui/draw.h"
#include "tui/view_launch.h"

/* ---- Field values --------------------------------------------------------------------------- */

const char *launch_set_get(const struct launch_state *st, const char *key)
{
    for (size_t i = 0; i < st->n_sets; i++)
        if (strcmp(st->keys[i], key) == 0)
            return st->vals[i];
    return NULL;
}

void launch_set_put(struct launch_state *st, const char *key, const char *value)
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

void launch_field_value(const struct launch_state *st, const char *key, char *buf, size_t size)
{
    if (st->tuning)
        tuning_launch_field_value(st, key, false, buf, size);
    else if (st->relaunch)
        req_value(st->req, key, buf, size);
    else
        estimator_get(&st->est, key, buf, size);
}

/* ---- Rebuilding after each change ------------------------------------------------------------ */

void launch_add_row(struct launch_state *st, const char *key, const char *group)
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
                launch_add_row(st, NULL, group);
            any = true;
            launch_add_row(st, st->keys[i], NULL);
        }
}

/* The re-launch form: the source's request with the changes, its own lists as rows. */
static void rebuild_relaunch(struct launch_state *st)
{
    struct err e = { 0 };
    static const char *const keys[] = { "name", "instance_type", "instance_count",
                                        "volume_size", "role", "output_path", "max_run",
                                        "spot", "max_wait", "checkpoint_s3_uri",
                                        "image_uri", "entry_point", NULL };
    static const char *const groups[] = { "Job", "Resources", NULL, NULL, NULL, NULL,
                                          "Stopping and spot", NULL, NULL, NULL,
                                          "Code", NULL };
    const char *name = launch_set_get(st, "name");

    if (st->describe == NULL)
        return;     /* still loading */
    if (estimator_relaunch(st->describe, st->describe_len, name ? name : st->source,
                           &st->req, &e) != 0) {
        snprintf(st->build_msg, sizeof(st->build_msg), "%s", e.msg);
        return;
    }
    for (size_t i = 0; i < st->n_sets; i++) {
        if (strcmp(st->keys[i], "name") == 0)
            continue;
        estimator_check_set(&st->issues, st->src_req, st->keys[i], st->vals[i]);
        if (estimator_request_set(st->req, st->keys[i], st->vals[i], &e) != 0)
            estimator_issue_add(&st->issues, st->keys[i], "%s", e.msg);
    }
    for (size_t i = 0; keys[i]; i++) {
        if (groups[i])
            launch_add_row(st, NULL, groups[i]);
        launch_add_row(st, keys[i], NULL);
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
            launch_add_row(st, NULL, "Hyperparameters");
        any = true;
        snprintf(key, sizeof(key), "hp.%.90s", k);
        launch_add_row(st, key, NULL);
    }
    size_t i;

    any = false;
    json_array_foreach(json_object_get(st->req, "InputDataConfig"), i, x) {
        char key[96];

        if (!any)
            launch_add_row(st, NULL, "Input channels");
        any = true;
        snprintf(key, sizeof(key), "input.%.80s",
                 json_string_value(json_object_get(x, "ChannelName")));
        launch_add_row(st, key, NULL);
    }
    any = false;
    json_array_foreach(json_object_get(json_object_get(st->req, "AlgorithmSpecification"),
                                       "MetricDefinitions"), i, x) {
        char key[96];

        if (!any)
            launch_add_row(st, NULL, "Metric definitions");
        any = true;
        snprintf(key, sizeof(key), "metric.%.80s",
                 json_string_value(json_object_get(x, "Name")));
        launch_add_row(st, key, NULL);
    }
    add_list_rows(st, "env.", "Environment");
    estimator_check_request(st->req, &st->issues);
    st->n_changed = estimator_request_diff(st->src_req, st->req, st->diff, sizeof(st->diff));
}

/* A new estimator: the fields as rows, the SDK's request built from them. */
static void rebuild_new(struct launch_state *st, struct app *a)
{
    struct err e = { 0 };
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
            launch_add_row(st, NULL, group = estimator_fields[i].group);
        launch_add_row(st, estimator_fields[i].key, NULL);
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
    /* the SDK's validate_source_dir: a missing entry point is a problem now, not at submit */
    estimator_check_source(&st->est, &st->issues);
}

const char *launch_selected(const struct launch_state *st)
{
    size_t i = form_cur(&st->form);

    return i < st->n_rows && !st->rows[i].group ? st->rows[i].key : NULL;
}

bool launch_row_heading(void *ctx, size_t i)
{
    const struct launch_state *st = ctx;

    return i >= st->n_rows || st->rows[i].group != NULL;
}

/* Puts the cursor on the field key (the first field when there is none). */
static void select_key(struct launch_state *st, const char *key)
{
    size_t cur = 0;

    for (size_t i = 0; i < st->n_rows; i++)
        if (st->rows[i].group == NULL && strcmp(st->rows[i].key, key) == 0) {
            cur = i;
            break;
        }
    form_reset(&st->form, st->n_rows, cur, launch_row_heading, st);
}

void launch_rebuild(struct launch_state *st, struct app *a)
{
    char prev[96];

    snprintf(prev, sizeof(prev), "%s", launch_selected(st) ? launch_selected(st) : "");
    json_decref(st->req);
    st->req = NULL;
    st->issues.n = 0;
    st->build_msg[0] = '\0';
    st->n_rows = 0;
    if (st->tuning)
        tuning_launch_rebuild(st, a);
    else if (st->relaunch)
        rebuild_relaunch(st);
    else
        rebuild_new(st, a);
    if (st->edited) {
        json_decref(st->req);
        st->req = json_incref(st->edited);
        st->issues.n = 0;
        estimator_check_request(st->req, &st->issues);
        if (!st->relaunch)
            estimator_check_source(&st->est, &st->issues);
    }
    select_key(st, prev);
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

        if (st->n_past < MAX_PAST)
            snprintf(st->past[st->n_past++], sizeof(st->past[0]), "%s", jobs[i].name);
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

/* The re-launch form from the job's describe document (in st->describe). */
static int relaunch_init(struct launch_state *st, struct app *a)
{
    struct err e = { 0 };
    char name[64];

    st->describe_len = strlen(st->describe);
    if (estimator_relaunch(st->describe, st->describe_len, st->source, &st->src_req, &e) != 0) {
        app_flash(a, true, "re-launch: %s", e.msg);
        return -1;
    }
    estimator_relaunch_name(st->source, now_s(), name, sizeof(name));
    launch_set_put(st, "name", name);
    return 0;
}

void launch_state_free(struct launch_state *st)
{
    for (size_t i = 0; i < st->n_sets; i++)
        free(st->vals[i]);
    json_decref(st->req);
    json_decref(st->src_req);
    json_decref(st->edited);
    estimator_clean(&st->est);
    mset_free(st->rt.ms);
    free(st->spec);
    json_decref(st->src_doc);
    free(st->describe);
    free(st);
}

/* The form's own start once the source's document is in st->describe. */
static int source_init(struct launch_state *st, struct app *a)
{
    return st->tuning ? tuning_launch_init(st, a) : relaunch_init(st, a);
}

int launch_open_source(struct launch_state *st, struct app *a, const char *job)
{
    struct cache *c = app_cache(a);
    char fs[128];

    snprintf(st->source, sizeof(st->source), "%s", job);
    st->partial = c && cache_job_doc_partial(c, job);
    if (c && !st->partial && cache_job_describe_json(c, job, &st->describe, NULL) == 0)
        return source_init(st, a);
    app_follow_state(a, job, fs, sizeof(fs));
    if (strncmp(fs, "offline", 7) == 0) {
        app_flash(a, true, "%s: %s is %s in the cache, and the UI is offline",
                  st->tuning ? "tuning launch" : "re-launch", job,
                  st->partial ? "only partly described (from Search)" : "not described");
        return -1;
    }
    /* not described yet, or only by Search (without the profiler, debug and remote-debug
     * members the request copies): the worker describes it (a followed job's log task does);
     * the form opens when the full document is cached */
    st->loading = true;
    st->following = true;
    st->loading_since = now_s();
    app_request_job(a, job);
    return 0;
}

static int launch_enter(struct view *v, struct app *a)
{
    struct launch_state *st = calloc(1, sizeof(*st));
    struct cache *c = app_cache(a);

    if (st == NULL)
        return -1;
    if (app_read_only(a)) {
        app_flash(a, true, "read-only: launching jobs is disabled");
        free(st);
        return -1;
    }
    estimator_init(&st->est);
    form_init(&st->form, 0, launch_row_heading, st);
    if (c)
        learn_past_jobs(st, c);
    if (v->job[0]) {
        st->relaunch = true;
        if (launch_open_source(st, a, v->job) != 0) {
            launch_state_free(st);
            return -1;
        }
    } else {
        /* a sensible start: the SDK's current HF image, the usual GPU, the last role */
        launch_set_put(st, "entry_point", "train.py");
        launch_set_put(st, "transformers_version", "4.26");
        launch_set_put(st, "pytorch_version", "1.13");
        launch_set_put(st, "py_version", "py39");
        launch_set_put(st, "instance_type", "ml.p3.2xlarge");
        if (st->n_roles)
            launch_set_put(st, "role", st->roles[0]);
    }
    v->state = st;
    launch_attach(st);
    launch_rebuild(st, a);
    return 0;
}

void launch_view_leave(struct view *v, struct app *a)
{
    struct launch_state *st = v->state;

    if (st == NULL)
        return;
    if (st->following)
        app_request_unfollow(a, st->source);
    /* a submit in flight goes on on the worker; its outcome comes back as a flash */
    if (st->submitting)
        app_flash(a, false, "the launch of %s goes on in the background; the list shows the job "
                  "when it is created", st->submit_job);
    launch_attach(NULL);
    launch_state_free(st);
    v->state = NULL;
}

/* ---- Editing --------------------------------------------------------------------------------- */

int launch_on_field(struct view *v, struct app *a, const char *text)
{
    struct launch_state *st = v->state;

    launch_set_put(st, st->editing, text);
    json_decref(st->edited);      /* a field change supersedes a hand-edited request */
    st->edited = NULL;
    launch_rebuild(st, a);
    select_key(st, st->editing);    /* follow the field, e.g. a new entry */
    return R_REDRAW;
}

size_t launch_add_matches(const char *const *cands, size_t n, const char *word,
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
                           launch_set_get(st, "transformers_version"), NULL, NULL, cands, 160);
    } else if (strcmp(k, "py_version") == 0) {
        n = hf_images_list("py", launch_set_get(st, "transformers_version"),
                           launch_set_get(st, "tensorflow_version") ? "tensorflow" : "pytorch",
                           launch_set_get(st, "pytorch_version"), cands, 160);
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
    return launch_add_matches(cands, n, word, out, max, 0);
}

static int act_edit(struct view *v, struct app *a)
{
    struct launch_state *st = v->state;
    char val[1024], label[128];

    if (launch_selected(st) == NULL)
        return R_NONE;
    snprintf(st->editing, sizeof(st->editing), "%s", launch_selected(st));
    launch_field_value(st, st->editing, val, sizeof(val));
    snprintf(label, sizeof(label), "%s: ", st->editing);
    app_prompt(a, label, val, "launch", launch_on_field, complete);
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
    return launch_on_field(v, a, eq + 1);
}

static int act_add(struct view *v, struct app *a)
{
    struct launch_state *st = v->state;

    if (st->loading)
        return R_NONE;
    app_prompt(a, "add (hp.KEY=VALUE, input.NAME=s3://…, metric.NAME=REGEX, env.K=V): ", "",
               "launch", on_add, NULL);
    return R_REDRAW;
}

static int act_delete(struct view *v, struct app *a)
{
    struct launch_state *st = v->state;
    const char *k;

    if ((k = launch_selected(st)) == NULL)
        return R_NONE;
    if (!strchr(k, '.')) {
        app_flash(a, false, "only list entries (hp., input., metric., env., tag.) can be "
                  "removed; Enter and an empty value clears a field");
        return R_REDRAW;
    }
    snprintf(st->editing, sizeof(st->editing), "%s", k);
    return launch_on_field(v, a, "");
}

int launch_act_listed(struct view *v, struct app *a)
{
    (void)v;
    (void)a;
    return R_NONE;
}

int launch_view_key(struct view *v, struct app *a, int key)
{
    struct launch_state *st = v->state;

    (void)a;
    if (st == NULL || st->loading)
        return R_UNHANDLED;
    return form_key(&st->form, key, launch_row_heading, st) >= 0 ? R_REDRAW : R_UNHANDLED;
}

/* ---- Loading a re-launch's source job ------------------------------------------------------ */

static int loading_tick(struct view *v, struct app *a)
{
    struct launch_state *st = v->state;
    struct cache *c = app_cache(a);

    if (c == NULL || cache_job_doc_partial(c, st->source) ||
        cache_job_describe_json(c, st->source, &st->describe, NULL) != 0)
        return R_REDRAW;        /* the age of "loading…" moves */
    st->loading = false;
    if (source_init(st, a) != 0) {
        app_pop(a);
        return R_REDRAW;
    }
    /* the document is here: no need to keep following the job's logs */
    app_request_unfollow(a, st->source);
    st->following = false;
    launch_rebuild(st, a);
    return R_REDRAW;
}

int launch_view_tick(struct view *v, struct app *a, bool changed)
{
    struct launch_state *st = v->state;

    (void)changed;
    if (st == NULL)
        return R_NONE;
    if (st->loading)
        return loading_tick(v, a);
    if (st->rt.running)
        return launch_regex_step(st, a);
    return R_NONE;
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
    LAUNCH_FORM_KEYS("edit field", act_edit),
    { 'a', "a", "add hp/input/metric/env", act_add, KB_FOOTER },
    { 'd', "d", "remove entry", act_delete, KB_FOOTER },
    { 'v', "v", "review JSON", launch_act_review, KB_FOOTER },
    /* the footer drops keys from the end when narrow: submit before the editor and the tester */
    { 's', "s", "submit", launch_act_submit, KB_FOOTER | KB_MUTATING },
    { 'e', "e", "edit JSON in $EDITOR", launch_act_edit_json, KB_FOOTER },
    { 't', "t", "test a metric regex on a past job's log", launch_act_test, KB_FOOTER },
    { 0 },
};

const struct view_ops view_launch_ops = {
    .name = "launch",
    .keys = launch_keys,
    .on_enter = launch_enter,
    .on_leave = launch_view_leave,
    .draw = launch_draw,
    .on_key = launch_view_key,
    .on_tick = launch_view_tick,
    .title = launch_title,
};
