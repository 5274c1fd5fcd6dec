/* view_tuning_launch.c: the tuning launch form (issue 16). `U` on a training job (jobs list,
 * detail) or `L` on a tuning job (tuning list, detail) opens it: the objective (completed from
 * the job's metric definitions) and its direction, the strategy, max jobs, parallel jobs, early
 * stopping, the warm start (parents and type), and one row per hyperparameter whose value is its
 * range in the CLI's words ("1e-05:1e-03:log", "int:1:8", "cat:16,32"; empty: not tuned). From a
 * tuning job every field shows the parent's choice until changed. Each change rebuilds the
 * CreateHyperParameterTuningJob request with launch/tuning.h (the same code and messages as
 * `sagetop tuning launch`); `v` reviews it (the same JSON as `--dry-run`), `s` creates it on the
 * worker after a confirmation.
 *
 * Owns: the tuning form's fields, rows, values and completion. The form's state, drawing, review
 * and submit are the launch form's (view_launch*.c, struct launch_state with tuning set). Must
 * not: build or check the request itself (launch/), touch the network or wait for the worker. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cache/tuning.h"
#include "tui/draw.h"
#include "tui/view_launch.h"
#include "tui/view_tuning_launch.h"
#include "tui/worker.h"

/* The fixed fields, in order, and the group heading before each (NULL: none). */
static const char *const fields[] = { "name", "objective", "objective_type", "strategy",
                                      "max_jobs", "parallel", "early_stopping", "warm_start",
                                      "warm_start_type", NULL };
static const char *const groups[] = { "Tuning job", "Objective", NULL, "Strategy and limits",
                                      NULL, NULL, NULL, "Warm start", NULL };
static const char *const range_kinds[] = { "ContinuousParameterRanges", "IntegerParameterRanges",
                                           "CategoricalParameterRanges" };

/* ---- Values: what the user set, else what the request (or the source) holds ----------------- */

static const json_t *config(const json_t *doc)
{
    return json_object_get(doc, "HyperParameterTuningJobConfig");
}

static void json_text(const json_t *v, char *buf, size_t size)
{
    if (json_is_string(v))
        snprintf(buf, size, "%s", json_string_value(v));
    else if (json_is_integer(v))
        snprintf(buf, size, "%lld", (long long)json_integer_value(v));
}

/* The range named name in doc (a request or a describe document) as the form writes it; false
 * when name is not tuned there. */
static bool range_text(const json_t *doc, const char *name, char *buf, size_t size)
{
    const json_t *pr = json_object_get(config(doc), "ParameterRanges");

    for (size_t k = 0; k < 3; k++) {
        size_t i, j;
        json_t *r, *x;

        json_array_foreach(json_object_get(pr, range_kinds[k]), i, r) {
            const char *n = json_string_value(json_object_get(r, "Name"));
            const char *sc = json_string_value(json_object_get(r, "ScalingType"));
            size_t off;

            if (n == NULL || strcmp(n, name) != 0)
                continue;
            if (k < 2) {
                snprintf(buf, size, "%s%s:%s%s%s", k == 1 ? "int:" : "",
                         json_string_value(json_object_get(r, "MinValue")),
                         json_string_value(json_object_get(r, "MaxValue")), sc ? ":" : "",
                         sc ? sc : "");
                return true;
            }
            off = (size_t)snprintf(buf, size, "cat:");
            json_array_foreach(json_object_get(r, "Values"), j, x)
                if (off < size)
                    off += (size_t)snprintf(buf + off, size - off, "%s%s", j ? "," : "",
                                            json_string_value(x));
            return true;
        }
    }
    return false;
}

/* The warm start's parents, comma-separated. */
static void parents_text(const json_t *doc, char *buf, size_t size)
{
    const json_t *ps = json_object_get(json_object_get(doc, "WarmStartConfig"),
                                       "ParentHyperParameterTuningJobs");
    size_t i, off = 0;
    json_t *p;

    json_array_foreach(ps, i, p)
        if (off < size)
            off += (size_t)snprintf(buf + off, size - off, "%s%s", i ? "," : "",
                                    json_string_value(json_object_get(
                                        p, "HyperParameterTuningJobName")));
}

/* The value of key in doc, a CreateHyperParameterTuningJob request or a tuning job's describe
 * document (the same member names). */
static void doc_value(const json_t *doc, const char *key, bool for_edit, char *buf, size_t size)
{
    static const struct {
        const char *key, *obj, *member;
    } map[] = {
        { "objective", "HyperParameterTuningJobObjective", "MetricName" },
        { "objective_type", "HyperParameterTuningJobObjective", "Type" },
        { "strategy", NULL, "Strategy" },
        { "max_jobs", "ResourceLimits", "MaxNumberOfTrainingJobs" },
        { "parallel", "ResourceLimits", "MaxParallelTrainingJobs" },
        { "early_stopping", NULL, "TrainingJobEarlyStoppingType" },
    };
    const json_t *cfg = config(doc);
    char v[512] = "";

    buf[0] = '\0';
    if (doc == NULL)
        return;
    for (size_t i = 0; i < sizeof(map) / sizeof(map[0]); i++)
        if (strcmp(map[i].key, key) == 0)
            json_text(json_object_get(map[i].obj ? json_object_get(cfg, map[i].obj) : cfg,
                                      map[i].member), buf, size);
    if (strcmp(key, "name") == 0)
        json_text(json_object_get(doc, "HyperParameterTuningJobName"), buf, size);
    else if (strcmp(key, "warm_start") == 0)
        parents_text(doc, buf, size);
    else if (strcmp(key, "warm_start_type") == 0)
        json_text(json_object_get(json_object_get(doc, "WarmStartConfig"), "WarmStartType"),
                  buf, size);
    else if (strncmp(key, "hp.", 3) == 0 && !range_text(doc, key + 3, buf, size) && !for_edit) {
        json_text(json_object_get(json_object_get(json_object_get(doc, "TrainingJobDefinition"),
                                                  "StaticHyperParameters"), key + 3),
                  v, sizeof(v));
        if (v[0])
            snprintf(buf, size, "= %s (not tuned)", v);
    }
}

void tuning_launch_field_value(const struct launch_state *st, const char *key, bool for_edit,
                               char *buf, size_t size)
{
    const char *set = launch_set_get(st, key);
    char v[512] = "";

    if (set && set[0]) {
        snprintf(buf, size, "%s", set);
        return;
    }
    doc_value(st->req ? st->req : st->src_doc, key, for_edit, buf, size);
    if (buf[0] || for_edit || strncmp(key, "hp.", 3) != 0)
        return;
    /* a training job's hyperparameter while the request cannot be built */
    json_text(json_object_get(json_object_get(st->src_req, "HyperParameters"), key + 3), v,
              sizeof(v));
    if (v[0])
        snprintf(buf, size, "= %s (not tuned)", v);
}

const char *tuning_launch_issue_field(const char *key, char *buf, size_t size)
{
    if (strncmp(key, "hp.", 3) != 0)
        return key;
    snprintf(buf, size, "tune.%.40s", key + 3);
    return buf;
}

const struct estimator_issue *tuning_launch_rowless_issue(const struct launch_state *st)
{
    for (size_t i = 0; i < st->issues.n; i++) {
        bool has_row = false;

        for (size_t r = 0; r < st->n_rows && !has_row; r++) {
            char field[96];

            has_row = st->rows[r].group == NULL &&
                      strcmp(tuning_launch_issue_field(st->rows[r].key, field, sizeof(field)),
                             st->issues.v[i].field) == 0;
        }
        if (!has_row)
            return &st->issues.v[i];
    }
    return NULL;
}

/* ---- Rows and the request -------------------------------------------------------------------- */

/* A hyperparameter's row, once. */
static void add_hp(struct launch_state *st, const char *name)
{
    char key[96];

    if (name == NULL || strncmp(name, "sagemaker_", 10) == 0 || strcmp(name, "mp_parameters") == 0)
        return;
    snprintf(key, sizeof(key), "hp.%.90s", name);
    for (size_t i = 0; i < st->n_rows; i++)
        if (strcmp(st->rows[i].key, key) == 0)
            return;
    launch_add_row(st, key, NULL);
}

static void add_rows(struct launch_state *st)
{
    const json_t *hps = st->from_tuning
                            ? json_object_get(json_object_get(st->src_doc,
                                                              "TrainingJobDefinition"),
                                              "StaticHyperParameters")
                            : json_object_get(st->src_req, "HyperParameters");
    const json_t *pr = json_object_get(config(st->src_doc), "ParameterRanges");
    const char *k;
    json_t *x;
    size_t i;

    for (i = 0; fields[i]; i++) {
        if (groups[i])
            launch_add_row(st, NULL, groups[i]);
        launch_add_row(st, fields[i], NULL);
    }
    launch_add_row(st, NULL, "Hyperparameters (Enter: a range; empty: not tuned)");
    for (size_t kind = 0; kind < 3; kind++)
        json_array_foreach(json_object_get(pr, range_kinds[kind]), i, x)
            add_hp(st, json_string_value(json_object_get(x, "Name")));
    json_object_foreach((json_t *)hps, k, x)
        add_hp(st, k);
    for (i = 0; i < st->n_sets; i++)
        if (strncmp(st->keys[i], "hp.", 3) == 0)
            add_hp(st, st->keys[i] + 3);
}

/* The request from a training job, as launch_run() makes it: the job re-launched under a
 * default name, checked as a training request first. */
static int from_training(struct launch_state *st, const struct tuning_context *ctx,
                         struct err *e)
{
    char name[64];
    json_t *train = NULL;
    size_t had = st->issues.n;
    int rc;

    estimator_relaunch_name(st->source, ctx->now, name, sizeof(name));
    if ((rc = estimator_relaunch(st->describe, st->describe_len, name, &train, e)) != 0)
        return rc;
    estimator_check_request(train, &st->issues);
    if (st->issues.n == had)
        rc = tuning_request_from_training(train, st->spec, ctx, &st->req, &st->issues, e);
    json_decref(train);
    return rc;
}

void tuning_launch_rebuild(struct launch_state *st, struct app *a)
{
    struct tuning_context ctx = { launch_set_get(st, "name"), app_now(a) };
    struct err e = { 0 };
    int rc;

    if (st->describe == NULL)
        return;         /* still loading */
    tuning_spec_init(st->spec);
    for (size_t i = 0; i < st->n_sets; i++)
        tuning_spec_set_field(st->spec, st->keys[i], st->vals[i], &st->issues);
    rc = st->from_tuning ? tuning_request_from_tuning(st->describe, st->describe_len, st->spec,
                                                      &ctx, &st->req, &st->issues, &e)
                         : from_training(st, &ctx, &e);
    if (rc != 0 && st->issues.n == 0)
        snprintf(st->build_msg, sizeof(st->build_msg), "%s", e.msg);
    add_rows(st);
}

int tuning_launch_init(struct launch_state *st, struct app *a)
{
    const json_t *t;
    struct err e = { 0 };
    char name[TUNING_NAME_MAX + 1];

    st->describe_len = strlen(st->describe);
    if (st->from_tuning) {
        st->src_doc = json_loadb(st->describe, st->describe_len, 0, NULL);
        t = json_object_get(st->src_doc, "TrainingJobDefinition");
        if (!json_is_object(t)) {
            app_flash(a, true, "tuning launch: %s has no single training job definition",
                      st->source);
            return -1;
        }
    } else {
        if (estimator_relaunch(st->describe, st->describe_len, st->source, &st->src_req,
                               &e) != 0) {
            app_flash(a, true, "tuning launch: %s", e.msg);
            return -1;
        }
        t = st->src_req;
    }
    /* the name is pinned now, so that what is reviewed is what is created */
    tuning_default_name_of(t, app_now(a), name, sizeof(name));
    launch_set_put(st, "name", name);
    return 0;
}

int tuning_launch_what(const struct launch_state *st, struct wmsg_launch *l)
{
    if ((l->tuning = malloc(sizeof(*l->tuning))) == NULL)
        return ERR_NOMEM;
    memcpy(l->tuning, st->spec, sizeof(*l->tuning));
    l->from = strdup(st->source);
    l->from_json = strdup(st->describe);
    l->from_is_tuning = st->from_tuning;
    return l->from && l->from_json ? 0 : ERR_NOMEM;
}

/* ---- Entering -------------------------------------------------------------------------------- */

static int enter(struct view *v, struct app *a, bool from_tuning)
{
    struct launch_state *st;
    struct cache *c = app_cache(a);
    struct err e = { 0 };

    if (app_read_only(a)) {
        app_flash(a, true, "read-only: launching jobs is disabled");
        return -1;
    }
    if ((st = calloc(1, sizeof(*st))) == NULL || (st->spec = calloc(1, sizeof(*st->spec))) == NULL) {
        free(st);
        return -1;
    }
    st->tuning = true;
    st->from_tuning = from_tuning;
    estimator_init(&st->est);
    form_init(&st->form, 0, launch_row_heading, st);
    if (from_tuning) {
        snprintf(st->source, sizeof(st->source), "%s", v->job);
        if (c == NULL || cache_tuning_describe_json(c, v->job, &st->describe, &e) != 0) {
            app_flash(a, true, "tuning launch: %s", c ? e.msg : "no cache");
            launch_state_free(st);
            return -1;
        }
    }
    if (from_tuning ? tuning_launch_init(st, a) : launch_open_source(st, a, v->job)) {
        launch_state_free(st);
        return -1;
    }
    v->state = st;
    launch_attach(st);
    launch_rebuild(st, a);
    return 0;
}

static int enter_from_job(struct view *v, struct app *a)
{
    return enter(v, a, false);
}

static int enter_from_tuning(struct view *v, struct app *a)
{
    return enter(v, a, true);
}

/* ---- Editing --------------------------------------------------------------------------------- */

/* From a tuning job, a first range edited: the parent's ranges become the form's own, since the
 * spec's ranges replace the parent's together. */
static void adopt_parent_ranges(struct launch_state *st)
{
    char buf[1024];

    for (size_t i = 0; i < st->n_sets; i++)
        if (strncmp(st->keys[i], "hp.", 3) == 0)
            return;
    for (size_t i = 0; i < st->n_rows; i++)
        if (strncmp(st->rows[i].key, "hp.", 3) == 0 &&
            range_text(st->src_doc, st->rows[i].key + 3, buf, sizeof(buf)))
            launch_set_put(st, st->rows[i].key, buf);
}

/* The metric names of the source's definitions, for the objective. */
static size_t metric_names(const struct launch_state *st, const char **out, size_t max)
{
    const json_t *algo = json_object_get(st->from_tuning
                                             ? json_object_get(st->src_doc,
                                                               "TrainingJobDefinition")
                                             : st->src_req,
                                         "AlgorithmSpecification");
    size_t i, n = 0;
    json_t *d;

    json_array_foreach(json_object_get(algo, "MetricDefinitions"), i, d)
        if (n < max && json_is_string(json_object_get(d, "Name")))
            out[n++] = json_string_value(json_object_get(d, "Name"));
    return n;
}

static size_t complete(struct view *v, struct app *a, const char *line, const char *word,
                       char (*out)[128], size_t max)
{
    static const struct {
        const char *key;
        const char *const words[5];
    } closed[] = {
        { "objective_type", { "Minimize", "Maximize" } },
        { "strategy", { "Bayesian", "Random", "Hyperband", "Grid" } },
        { "early_stopping", { "Off", "Auto" } },
        { "warm_start_type", { "IdenticalDataAndAlgorithm", "TransferLearning" } },
    };
    struct launch_state *st = v->state;
    const char *cands[64];
    size_t n = 0, got;
    struct cache_tuning_list tl = { 0 };

    (void)line;
    for (size_t i = 0; i < sizeof(closed) / sizeof(closed[0]); i++)
        if (strcmp(st->editing, closed[i].key) == 0)
            for (; n < 5 && closed[i].words[n]; n++)
                cands[n] = closed[i].words[n];
    if (strcmp(st->editing, "objective") == 0)
        n = metric_names(st, cands, 64);
    if (strcmp(st->editing, "warm_start") == 0 && app_cache(a) &&
        cache_tuning_list(app_cache(a), NULL, &tl, NULL) == 0)
        for (; n < tl.n && n < 64; n++)
            cands[n] = tl.items[n].name;
    got = launch_add_matches(cands, n, word, out, max, 0);
    cache_tuning_list_clean(&tl);
    return got;
}

static int act_edit(struct view *v, struct app *a)
{
    struct launch_state *st = v->state;
    const char *key = launch_selected(st);
    char val[1024], label[128];

    if (key == NULL || st->loading)
        return R_NONE;
    if (st->from_tuning && strncmp(key, "hp.", 3) == 0)
        adopt_parent_ranges(st);
    snprintf(st->editing, sizeof(st->editing), "%s", key);
    tuning_launch_field_value(st, key, true, val, sizeof(val));
    if (strncmp(key, "hp.", 3) == 0)
        snprintf(label, sizeof(label), "%.90s range: ", key);
    else
        snprintf(label, sizeof(label), "%.90s: ", key);
    app_prompt(a, label, val, "tuning", launch_on_field, complete);
    return R_REDRAW;
}

/* A range for a hyperparameter the source does not have. */
static int on_add(struct view *v, struct app *a, const char *text)
{
    struct launch_state *st = v->state;
    const char *eq = strchr(text, '=');

    if (eq == NULL || strncmp(text, "hp.", 3) != 0 || eq == text + 3) {
        app_flash(a, true, "add: write hp.NAME=RANGE (MIN:MAX[:log], int:MIN:MAX, cat:A,B)");
        return R_REDRAW;
    }
    if (st->from_tuning)
        adopt_parent_ranges(st);
    snprintf(st->editing, sizeof(st->editing), "%.*s", (int)(eq - text), text);
    return launch_on_field(v, a, eq + 1);
}

static int act_add(struct view *v, struct app *a)
{
    if (((struct launch_state *)v->state)->loading)
        return R_NONE;
    app_prompt(a, "tune (hp.NAME=RANGE): ", "hp.", "tuning", on_add, NULL);
    return R_REDRAW;
}

/* Back to the source's choice (a hyperparameter: not tuned). */
static int act_clear(struct view *v, struct app *a)
{
    struct launch_state *st = v->state;
    const char *key = launch_selected(st);

    if (key == NULL || st->loading || strcmp(key, "name") == 0)
        return R_NONE;
    if (st->from_tuning && strncmp(key, "hp.", 3) == 0)
        adopt_parent_ranges(st);
    snprintf(st->editing, sizeof(st->editing), "%s", key);
    return launch_on_field(v, a, "");
}

static void title(struct view *v, struct app *a, char *buf, size_t size)
{
    (void)a;
    snprintf(buf, size, "tuning launch: from %s", v->job);
}

static const struct key_binding tuning_launch_keys[] = {
    LAUNCH_FORM_KEYS("edit field (a hyperparameter: its range)", act_edit),
    { 'a', "a", "tune another hyperparameter", act_add, KB_FOOTER },
    { 'd', "d", "clear: the source's choice (not tuned)", act_clear, KB_FOOTER },
    { 'v', "v", "review JSON", launch_act_review, KB_FOOTER },
    { 's', "s", "create the tuning job", launch_act_submit, KB_FOOTER | KB_MUTATING },
    { 0 },
};

/* From a training job and from a tuning job: the same view but for where the source is. */
#define TUNING_LAUNCH_OPS(enter_fn)                                                             \
    {                                                                                           \
        .name = "tuning launch", .keys = tuning_launch_keys, .on_enter = (enter_fn),            \
        .on_leave = launch_view_leave, .draw = launch_draw, .on_key = launch_view_key,          \
        .on_tick = launch_view_tick, .title = title,                                            \
    }
const struct view_ops view_tuning_launch_ops = TUNING_LAUNCH_OPS(enter_from_job);
const struct view_ops view_tuning_relaunch_ops = TUNING_LAUNCH_OPS(enter_from_tuning);

/* ---- Stopping a tuning job ------------------------------------------------------------------- */

/* The tuning job the open confirmation is about (one prompt at a time). */
static char stopping[CACHE_JOB_NAME_MAX];

static int do_stop(struct view *v, struct app *a)
{
    (void)v;
    app_request_stop_tuning(a, stopping);
    app_flash(a, false, "stopping %s…", stopping);
    return R_REDRAW;
}

int view_tuning_stop(struct app *a, const char *name)
{
    struct cache_tuning t;
    char q[160];

    if (app_cache(a) && cache_tuning_get(app_cache(a), name, &t, NULL) == 0 &&
        cache_tuning_final(t.status)) {
        app_flash(a, true, "%s is already %s", name, t.status);
        return R_REDRAW;
    }
    snprintf(stopping, sizeof(stopping), "%s", name);
    snprintf(q, sizeof(q), "stop %s?", name);
    app_confirm(a, q, do_stop);
    return R_REDRAW;
}
