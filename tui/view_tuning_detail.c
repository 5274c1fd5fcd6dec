/* view_tuning_detail.c: one tuning job (v->job): its status, strategy, objective, limits,
 * early stopping, warm-start parents (`w` opens the first), parameter ranges, and the trials
 * table sorted by objective (the best starred; each tuned hyperparameter a column). Enter on
 * a trial opens it as any job (view_detail.c); space marks trials, `c` compares the marked.
 * `o` (objective, completion, creation), `I` and `:sort KEY` re-sort the trials in memory: the
 * cache is read only when the sync stored something (v->stale), keeping the cursor on its
 * trial. Owns its rows and marks; must not draw outside its rect or block on the network. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "cache/tuning.h"
#include "tui/draw.h"
#include "tui/keys.h"
#include "tui/query.h"
#include "tui/sanitize.h"
#include "tui/view_tuning_internal.h"
#include "tui/view_tuning_launch.h"
#include "tui/views.h"

/* The fixed columns; the hyperparameters come between OBJECTIVE and TRAIN. */
enum { DC_STAR, DC_TRIAL, DC_STATUS, DC_OBJECTIVE, DC_HP0 };
#define HP_MAX (LIST_MAX_COLS - DC_HP0 - 1)
#define RANGES_SHOWN 8

/* The sort keys (`:sort NAME`); `o` steps through the first N_ORDERS (the cache's orders). A
 * trial without the key's value (no objective, not finished, no value, no time) sorts last
 * either way; ties by creation, then name. */
enum tsort { TS_OBJECTIVE, TS_COMPLETION, TS_CREATION, TS_TRIAL, TS_STATUS, TS_TRAIN, TS_HP,
             TS_COUNT };
#define N_ORDERS 3
static const char *const sort_names[TS_COUNT] = { "objective", "completion", "creation",
                                                  "trial", "status", "train", "hp." };

struct tdetail_state {
    struct tuning_table table;
    struct tuning_data d;           /* trials in objective order, as read */
    size_t *rows;                   /* indexes into d.trials.items, in the sort's order */
    char hp[HP_MAX][64];            /* the hyperparameter columns' titles */
    size_t n_hp;
    enum tsort sort;
    char sort_hp[64];               /* TS_HP: the hyperparameter */
    bool desc;
    char marks[VIEW_MAX_JOBS][CACHE_JOB_NAME_MAX];
    size_t n_marks;
    char error[512];
};

static struct tdetail_state *S(struct view *v)
{
    return v->state;
}

static const struct cache_trial *trial_at(const struct tdetail_state *s, size_t i)
{
    if (i >= s->d.trials.n || !s->rows)
        return NULL;
    return &s->d.trials.items[s->rows[i]];
}

/* ---- the sort (in memory) ---------------------------------------------------------------- */

/* qsort has no context: the sort runs on the UI thread only, one at a time */
static const struct tdetail_state *sorting;

static int cmp_num(double a, double b)
{
    return a < b ? -1 : a > b;
}

/* Whether t has no value to sort by (sorts last either way). */
static bool sort_missing(const struct tdetail_state *s, const struct cache_trial *t)
{
    switch (s->sort) {
    case TS_OBJECTIVE:
        return !t->has_objective;
    case TS_COMPLETION:
        return t->end_time <= 0;
    case TS_TRAIN:
        return t->training_seconds <= 0;
    case TS_HP:
        return !cache_trial_hp(t, s->sort_hp)[0];
    default:
        return false;
    }
}

/* Numbers as numbers (both parse), else text. */
static int cmp_value(const char *a, const char *b)
{
    double x, y;

    if (query_number(a, &x) && query_number(b, &y))
        return cmp_num(x, y);
    return strcmp(a, b);
}

static int cmp_key(const struct tdetail_state *s, const struct cache_trial *a,
                   const struct cache_trial *b)
{
    switch (s->sort) {
    case TS_OBJECTIVE:
        /* best first: Maximize descending */
        return strcmp(s->d.t.objective_type, "Maximize") == 0 ? cmp_num(b->objective, a->objective)
                                                               : cmp_num(a->objective, b->objective);
    case TS_COMPLETION:
        return cmp_num(a->end_time, b->end_time);
    case TS_TRIAL:
        return strcmp(a->job, b->job);
    case TS_STATUS:
        return strcmp(a->status, b->status);
    case TS_TRAIN:
        return cmp_num((double)a->training_seconds, (double)b->training_seconds);
    case TS_HP:
        return cmp_value(cache_trial_hp(a, s->sort_hp), cache_trial_hp(b, s->sort_hp));
    default:
        return 0;
    }
}

static int cmp_rows(const void *pa, const void *pb)
{
    const struct tdetail_state *s = sorting;
    const struct cache_trial *a = &s->d.trials.items[*(const size_t *)pa];
    const struct cache_trial *b = &s->d.trials.items[*(const size_t *)pb];
    bool ma = sort_missing(s, a), mb = sort_missing(s, b);
    int r;

    if (ma != mb)
        return ma - mb;
    r = ma ? 0 : cmp_key(s, a, b);
    if (r == 0)
        r = cmp_num(a->creation_time, b->creation_time);
    if (r == 0)
        r = strcmp(a->job, b->job);
    return s->desc ? -r : r;
}

/* The column of the sort key (its heading carries the arrow), -1 for none. */
static int sort_col(const struct tdetail_state *s)
{
    size_t c;

    switch (s->sort) {
    case TS_OBJECTIVE: return DC_OBJECTIVE;
    case TS_TRIAL: return DC_TRIAL;
    case TS_STATUS: return DC_STATUS;
    case TS_TRAIN: return (int)(DC_HP0 + s->n_hp);
    case TS_HP:
        for (c = 0; c < s->n_hp; c++)
            if (strcmp(s->hp[c], s->sort_hp) == 0)
                return (int)(DC_HP0 + c);
        return -1;
    default: return -1;
    }
}

/* Sorts the rows by the key, keeping the cursor on keep (a trial name, "" for none); the
 * heading's arrow says which way the values go (a Maximize objective's best first falls). */
static void sort_rows(struct tdetail_state *s, const char *keep)
{
    size_t i, n = s->d.trials.n;

    for (i = 0; i < n; i++)
        s->rows[i] = i;
    sorting = s;
    qsort(s->rows, n, sizeof(s->rows[0]), cmp_rows);
    sorting = NULL;
    s->table.sorted = sort_col(s);
    s->table.desc = s->desc != (s->sort == TS_OBJECTIVE &&
                                strcmp(s->d.t.objective_type, "Maximize") == 0);
    for (i = 0; keep[0] && i < n; i++)
        if (strcmp(trial_at(s, i)->job, keep) == 0)
            list_goto(&s->table.list, i);
}

static void resort(struct tdetail_state *s)
{
    const struct cache_trial *cur = trial_at(s, s->table.list.cur);
    char keep[CACHE_JOB_NAME_MAX] = "";

    if (cur)
        str_copy(keep, sizeof(keep), cur->job);
    sort_rows(s, keep);
}

static void hp_add(struct tdetail_state *s, const char *name)
{
    size_t i;

    for (i = 0; i < s->n_hp; i++)
        if (strcmp(s->hp[i], name) == 0)
            return;
    if (s->n_hp < HP_MAX)
        str_copy(s->hp[s->n_hp++], sizeof(s->hp[0]), name);
}

/* The columns: the ranges' names in order, then keys only the trials have (as the CLI). */
static void build_cols(struct tdetail_state *s)
{
    struct tuning_table *t = &s->table;
    size_t i, k, c;
    int w;

    s->n_hp = 0;
    for (i = 0; i < s->d.ranges.n; i++)
        hp_add(s, s->d.ranges.items[i].name);
    for (i = 0; i < s->d.trials.n; i++)
        for (k = 0; k < s->d.trials.items[i].n_hps; k++)
            hp_add(s, s->d.trials.items[i].hps[k].key);
    t->cols[DC_STAR] = (struct tuning_col){ "", 1, false, 10 };
    t->cols[DC_TRIAL] = (struct tuning_col){ "TRIAL", 0, false, 10 };
    t->cols[DC_STATUS] = (struct tuning_col){ "STATUS", 10, false, 9 };
    t->cols[DC_OBJECTIVE] = (struct tuning_col){
        s->d.t.objective_metric[0] ? s->d.t.objective_metric : "OBJECTIVE", 12, true, 9 };
    /* the heading whole with its arrow, up to 24 */
    w = (int)strlen(t->cols[DC_OBJECTIVE].title) + 1;
    if (w > t->cols[DC_OBJECTIVE].width)
        t->cols[DC_OBJECTIVE].width = w > 24 ? 24 : w;
    for (c = 0; c < s->n_hp; c++) {
        /* room for the heading's sort arrow */
        w = (int)strlen(s->hp[c]) + 1;
        for (i = 0; i < s->d.trials.n; i++) {
            int vw = (int)strlen(cache_trial_hp(&s->d.trials.items[i], s->hp[c]));

            if (vw > w)
                w = vw;
        }
        t->cols[DC_HP0 + c] = (struct tuning_col){ s->hp[c], w > 16 ? 16 : w, true, 5 };
    }
    t->cols[DC_HP0 + s->n_hp] = (struct tuning_col){ "TRAIN", 8, true, 4 };
    t->n_cols = DC_HP0 + s->n_hp + 1;
}

static void reload(struct tdetail_state *s, struct view *v, struct app *a)
{
    const struct cache_trial *cur = trial_at(s, s->table.list.cur);
    char keep[CACHE_JOB_NAME_MAX] = "";
    struct cache *c = app_cache(a);
    struct err e = { 0 };
    size_t *rows;

    if (cur)
        str_copy(keep, sizeof(keep), cur->job);
    s->error[0] = '\0';
    /* objective order: the best flagged; any other order is a sort of these rows */
    if (tuning_data_load(c, v->job, CACHE_TRIALS_BY_OBJECTIVE, &s->d, &e) != 0)
        snprintf(s->error, sizeof(s->error), "%s: %s", v->job, e.msg);
    rows = realloc(s->rows, (s->d.trials.n ? s->d.trials.n : 1) * sizeof(*rows));
    if (!rows) {
        snprintf(s->error, sizeof(s->error), "out of memory");
        cache_trial_list_clean(&s->d.trials);
    } else {
        s->rows = rows;
    }
    build_cols(s);
    s->table.list.count = s->d.trials.n;
    list_resize(&s->table.list, s->d.trials.n, s->table.list.page > 0 ? s->table.list.page : 1);
    sort_rows(s, keep);
}

/* ---- drawing ---------------------------------------------------------------------------- */

static bool is_marked(const struct tdetail_state *s, const char *job, size_t *at)
{
    size_t i;

    for (i = 0; i < s->n_marks; i++) {
        if (strcmp(s->marks[i], job) == 0) {
            if (at)
                *at = i;
            return true;
        }
    }
    return false;
}

static bool row_marked(void *ctx, size_t i)
{
    struct tdetail_state *s = ctx;

    return is_marked(s, trial_at(s, i)->job, NULL);
}

static void cell(void *ctx, size_t i, size_t c, char *buf, size_t size, attr_t *attr)
{
    struct tdetail_state *s = ctx;
    const struct cache_trial *t = trial_at(s, i);

    if (c == DC_STAR) {
        str_copy(buf, size, t->best ? "*" : "");
        *attr = theme_attr(TH_OK) | A_BOLD;
    } else if (c == DC_TRIAL) {
        sanitize_text(t->job, strlen(t->job), buf, size, draw_utf8() ? 0 : SANITIZE_ASCII);
        if (t->best)
            *attr = A_BOLD;
    } else if (c == DC_STATUS) {
        str_copy(buf, size, t->status);
        *attr = theme_status_attr(t->status);
    } else if (c == DC_OBJECTIVE) {
        /* the raw value SageMaker reported, as the CLI prints it */
        if (t->has_objective)
            snprintf(buf, size, "%.6g", t->objective);
        else
            str_copy(buf, size, "-");
    } else if (c < DC_HP0 + s->n_hp) {
        const char *val = cache_trial_hp(t, s->hp[c - DC_HP0]);

        sanitize_text(val, strlen(val), buf, size, draw_utf8() ? 0 : SANITIZE_ASCII);
    } else if (t->training_seconds > 0) {
        fmt_duration((double)t->training_seconds, buf, size);
    } else {
        str_copy(buf, size, "-");
    }
}

/* The summary lines above the table; returns the rows used. */
static int draw_summary(struct tdetail_state *s, struct app *a, const struct rect *r)
{
    const struct cache_tuning *t = &s->d.t;
    attr_t dim = theme_attr(TH_DIM);
    char obj[300], el[32], line[2400];
    int y = r->y, x;
    size_t i;

    cache_tuning_objective_text(t, obj, sizeof(obj));
    fmt_duration(cache_tuning_elapsed(t, app_now(a)), el, sizeof(el));
    x = r->x + 1;
    x += draw_str(y, x, r->w, t->status, theme_status_attr(t->status) | A_BOLD);
    draw_fmt(y++, x, r->x + r->w - x, 0, "  strategy %s  objective %s  early stopping %s  "
             "elapsed %s", t->strategy[0] ? t->strategy : "-", obj,
             t->early_stopping[0] ? t->early_stopping : "-", el);
    draw_fmt(y++, r->x + 1, r->w - 1, 0,
             "trials %d completed, %d running, %d failed, %d stopped of %d (%d in parallel)",
             t->completed, t->in_progress, t->failed, t->stopped, t->max_jobs, t->max_parallel);
    if (t->best_job[0])
        draw_fmt(y++, r->x + 1, r->w - 1, theme_attr(TH_OK), "best %.6g  %s", t->best_value,
                 t->best_job);
    else
        draw_str(y++, r->x + 1, r->w - 1, "best -", dim);
    if (t->failure_reason[0])
        draw_untrusted(y++, r->x + 1, r->w - 1, t->failure_reason, strlen(t->failure_reason),
                       theme_attr(TH_ERROR));
    if (s->d.parents.n > 0) {
        snprintf(line, sizeof(line), "warm start (%s) from", s->d.parents.items[0].value);
        for (i = 0; i < s->d.parents.n; i++) {
            strncat(line, " ", sizeof(line) - strlen(line) - 1);
            strncat(line, s->d.parents.items[i].key, sizeof(line) - strlen(line) - 1);
        }
        strncat(line, "  (w opens the first)", sizeof(line) - strlen(line) - 1);
        draw_untrusted(y++, r->x + 1, r->w - 1, line, strlen(line), 0);
    }
    for (i = 0; i < s->d.ranges.n && i < RANGES_SHOWN; i++) {
        const struct cache_tuning_range *g = &s->d.ranges.items[i];

        if (strcmp(g->kind, "categorical") == 0)
            snprintf(line, sizeof(line), "  %-24s %-12s {%s}", g->name, g->kind, g->values);
        else
            snprintf(line, sizeof(line), "  %-24s %-12s %s .. %s  %s", g->name, g->kind,
                     g->min_value, g->max_value, g->scaling[0] ? g->scaling : "Auto");
        draw_untrusted(y++, r->x + 1, r->w - 1, line, strlen(line), dim);
    }
    if (s->d.ranges.n > RANGES_SHOWN)
        draw_fmt(y++, r->x + 3, r->w - 3, dim, "… %zu more ranges (sagetop tuning show)",
                 s->d.ranges.n - RANGES_SHOWN);
    return y - r->y + 1;
}

static void tdetail_draw(struct view *v, struct app *a, const struct rect *r)
{
    struct tdetail_state *s = S(v);
    struct rect tr = *r;
    int used;

    if (v->stale) {
        reload(s, v, a);
        v->stale = false;
    }
    if (s->error[0]) {
        draw_str(r->y + 1, r->x + 2, r->w - 2, s->error, theme_attr(TH_ERROR));
        return;
    }
    used = draw_summary(s, a, r);
    tr.y += used;
    tr.h -= used;
    tuning_table_draw(&s->table, &tr, cell, row_marked, s, "no trials stored yet: syncing…");
}

static void tdetail_title(struct view *v, struct app *a, char *buf, size_t size)
{
    struct tdetail_state *s = S(v);

    (void)a;
    snprintf(buf, size, "tuning: %s  %zu trials  sort: %s%s%s%s", v->job, s->d.trials.n,
             sort_names[s->sort], s->sort == TS_HP ? s->sort_hp : "", s->desc ? " desc" : "",
             s->n_marks ? "  marked: " : "");
    if (s->n_marks && strlen(buf) + 4 < size)
        snprintf(buf + strlen(buf), size - strlen(buf), "%zu", s->n_marks);
}

/* ---- actions -------------------------------------------------------------------------------- */

static int act_nav(struct view *v, struct app *a)
{
    return tuning_table_nav(&S(v)->table, a);
}

static int act_open(struct view *v, struct app *a)
{
    const struct cache_trial *t = trial_at(S(v), S(v)->table.list.cur);

    if (t)
        app_push(a, &view_detail_ops, t->job, NULL, 0);
    return R_REDRAW;
}

static int act_mark(struct view *v, struct app *a)
{
    struct tdetail_state *s = S(v);
    const struct cache_trial *t = trial_at(s, s->table.list.cur);
    size_t at;

    if (!t)
        return R_NONE;
    if (is_marked(s, t->job, &at)) {
        memmove(s->marks[at], s->marks[at + 1], (s->n_marks - at - 1) * sizeof(s->marks[0]));
        s->n_marks--;
    } else if (s->n_marks < VIEW_MAX_JOBS) {
        str_copy(s->marks[s->n_marks++], CACHE_JOB_NAME_MAX, t->job);
    } else {
        app_flash(a, true, "at most %d trials can be compared", VIEW_MAX_JOBS);
    }
    list_move(&s->table.list, 1);
    return R_REDRAW;
}

static int act_compare(struct view *v, struct app *a)
{
    struct tdetail_state *s = S(v);

    if (s->n_marks < 2) {
        app_flash(a, true, "mark 2 to %d trials with space, then press c", VIEW_MAX_JOBS);
        return R_REDRAW;
    }
    app_push(a, &view_compare_ops, NULL, (const char (*)[CACHE_JOB_NAME_MAX])s->marks,
             s->n_marks);
    return R_REDRAW;
}

static int act_parent(struct view *v, struct app *a)
{
    struct tdetail_state *s = S(v);

    if (s->d.parents.n == 0) {
        app_flash(a, false, "%s has no warm-start parent", v->job);
        return R_REDRAW;
    }
    app_push(a, &view_tuning_detail_ops, s->d.parents.items[0].key, NULL, 0);
    return R_REDRAW;
}

/* o: the next of the cache's orders (from a column's sort: objective), ascending. */
static int act_order(struct view *v, struct app *a)
{
    struct tdetail_state *s = S(v);

    (void)a;
    s->sort = s->sort < N_ORDERS ? (s->sort + 1) % N_ORDERS : TS_OBJECTIVE;
    s->desc = false;
    resort(s);
    return R_REDRAW;
}

static int act_flip(struct view *v, struct app *a)
{
    struct tdetail_state *s = S(v);

    (void)a;
    s->desc = !s->desc;
    resort(s);
    return R_REDRAW;
}

/* `:sort KEY [desc|asc]`: a sort_names key, a column's heading (the objective metric, a
 * hyperparameter) or hp.NAME; refused with the keys, changing nothing. */
static int cmd_sort(struct tdetail_state *s, struct app *a, int argc, char **argv)
{
    const char *key = argc > 1 ? argv[1] : "";
    enum tsort k = TS_COUNT;
    size_t i;
    bool desc;

    if (!tuning_sort_args(a, argc, argv, &desc))
        return R_REDRAW;
    for (i = 0; i < TS_HP; i++)
        if (strcasecmp(key, sort_names[i]) == 0)
            k = (enum tsort)i;
    if (strcasecmp(key, "name") == 0 || strcmp(key, s->d.t.objective_metric) == 0)
        k = strcasecmp(key, "name") == 0 ? TS_TRIAL : TS_OBJECTIVE;
    if (strncmp(key, "hp.", 3) == 0)
        key += 3;
    for (i = 0; k == TS_COUNT && i < s->n_hp; i++)
        if (strcmp(key, s->hp[i]) == 0)
            k = TS_HP;
    if (k == TS_COUNT) {
        app_flash(a, true, "unknown sort key '%s' (objective completion creation trial status "
                  "train hp.NAME of a tuned hyperparameter)", argv[1]);
        return R_REDRAW;
    }
    if (k == TS_HP)
        str_copy(s->sort_hp, sizeof(s->sort_hp), key);
    s->sort = k;
    s->desc = desc;
    resort(s);
    return R_REDRAW;
}

/* `:sort` sorts the trials; `:filter` is refused here rather than filtering the job list
 * underneath (the trials table has no filter). */
static int tdetail_command(struct view *v, struct app *a, int argc, char **argv)
{
    if (strcmp(argv[0], "sort") == 0)
        return cmd_sort(S(v), a, argc, argv);
    if (strcmp(argv[0], "filter") == 0) {
        app_flash(a, true, "the trials table has no filter (:sort KEY orders it; / in the "
                  "tuning list filters the tuning jobs)");
        return R_REDRAW;
    }
    return R_UNHANDLED;
}

/* Tab after `:sort `: the sort keys and hp.NAME of each tuned hyperparameter, then desc/asc;
 * nothing after `:filter `; the other commands' arguments as in the job list. */
static size_t tdetail_complete(struct view *v, struct app *a, const char *line, const char *word,
                               char (*out)[128], size_t max)
{
    struct tdetail_state *s = S(v);
    char hp[128];
    size_t n = 0, i;

    switch (tuning_complete_arg(line)) {
    case TUNING_ARG_SORT_KEY:
        for (i = 0; i < TS_HP; i++)
            n = tuning_complete_add(out, n, max, word, sort_names[i]);
        for (i = 0; i < s->n_hp; i++) {
            snprintf(hp, sizeof(hp), "hp.%s", s->hp[i]);
            n = tuning_complete_add(out, n, max, word, hp);
        }
        return n;
    case TUNING_ARG_SORT_ORDER:
        n = tuning_complete_add(out, n, max, word, "desc");
        return tuning_complete_add(out, n, max, word, "asc");
    case TUNING_ARG_FILTER:
        return 0;
    default:
        return view_jobs_complete(v, a, line, word, out, max);
    }
}

/* The charts, with the top trials by objective (those that have one) as the jobs the frame
 * follows there, so their objective curves sync. Nothing to chart without an objective. */
static int act_chart(struct view *v, struct app *a)
{
    struct cache_trial_list l = { 0 };
    char top[8][CACHE_JOB_NAME_MAX];
    struct err e = { 0 };
    size_t i, n = 0;

    if (cache_tuning_trials(app_cache(a), v->job, CACHE_TRIALS_BY_OBJECTIVE, &l, &e) != 0) {
        app_flash(a, true, "%s", e.msg);
        return R_REDRAW;
    }
    for (i = 0; i < l.n && n < 8; i++)
        if (l.items[i].has_objective)
            str_copy(top[n++], sizeof(top[0]), l.items[i].job);
    cache_trial_list_clean(&l);
    if (n == 0) {
        app_flash(a, false, "no trial of %s has an objective value yet", v->job);
        return R_REDRAW;
    }
    app_push(a, &view_tuning_chart_ops, v->job, (const char (*)[CACHE_JOB_NAME_MAX])top, n);
    return R_REDRAW;
}

static int act_tune(struct view *v, struct app *a)
{
    app_push(a, &view_tuning_relaunch_ops, v->job, NULL, 0);
    return R_REDRAW;
}

static int act_stop(struct view *v, struct app *a)
{
    return view_tuning_stop(a, v->job);
}

static const struct key_binding tdetail_keys[] = {
    { '\r', "Enter", "open the trial as a job (detail, logs, metrics)", act_open, KB_FOOTER },
    { '\n', "Enter", "open the trial", act_open, KB_HIDDEN },
    { KEY_ENTER, "Enter", "open the trial", act_open, KB_HIDDEN },
    { ' ', "space", "mark: mark / unmark a trial for comparison", act_mark, KB_FOOTER },
    { 'c', "c", "compare: the marked trials side by side", act_compare, KB_FOOTER },
    { 'v', "v", "charts: objective by trial, by hyperparameter, curves", act_chart, KB_FOOTER },
    { 'o', "o", "order: objective, completion, creation", act_order, KB_FOOTER },
    { 'I', "I", "invert the order", act_flip, 0 },
    { 'w', "w", "open the warm-start parent tuning job", act_parent, 0 },
    { 'L', "L", "launch a tuning job from this one (its ranges and settings)", act_tune,
      KB_MUTATING },
    { 'x', "x", "stop: stop this tuning job (asks first)", act_stop, KB_MUTATING | KB_FOOTER },
    KEYS_LIST_NAV(act_nav, "next trial", "previous trial", "first trial", "last trial"),
    { 0, NULL, NULL, NULL, 0 },
};

static int tdetail_enter(struct view *v, struct app *a)
{
    struct tdetail_state *s = calloc(1, sizeof(*s));

    (void)a;
    if (!s)
        return -1;
    s->table.list.cursor = true;
    s->table.sorted = DC_OBJECTIVE;
    s->sort = TS_OBJECTIVE;
    v->state = s;
    v->stale = true;
    return 0;
}

static void tdetail_leave(struct view *v, struct app *a)
{
    struct tdetail_state *s = S(v);

    (void)a;
    if (!s)
        return;
    tuning_data_clean(&s->d);
    free(s->rows);
    free(s);
    v->state = NULL;
}

const struct view_ops view_tuning_detail_ops = {
    .name = "tuning job",
    .keys = tdetail_keys,
    .on_enter = tdetail_enter,
    .on_leave = tdetail_leave,
    .draw = tdetail_draw,
    .on_command = tdetail_command,
    .complete = tdetail_complete,
    .title = tdetail_title,
};
