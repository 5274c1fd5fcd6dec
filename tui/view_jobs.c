/* view_jobs.c: the home screen, the job list. Owns the marks, the cursor, the actions and
 * their key table, the `:` commands and completion, and the view's lifecycle; the drawing is
 * view_jobs_draw.c's, the query and the window of rows view_jobs_query.c's. Must not draw or
 * block on the network. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cache/session.h"
#include "tui/clipboard.h"
#include "tui/draw.h"
#include "tui/keys.h"
#include "tui/list.h"
#include "tui/sanitize.h"
#include "tui/view_jobs_internal.h"
#include "tui/views.h"

/* Priorities (list.h): the higher, the longer a column stays as the terminal narrows. STATUS
 * and the eval metrics outrank SECONDARY, which repeats STATUS for finished jobs. */
static const struct column jobs_builtin[] = {
    { "name", "NAME", "name", 0, false, 10 },
    { "status", "STATUS", "status", 10, false, 9 },
    { "secondary", "SECONDARY", "secondary", 13, false, 1 },
    { "created", "AGE", "created", 6, true, 6 },
    { "duration", "DURATION", "duration", 8, true, 4 },
    { "instance", "INSTANCE", "instance_type", 18, false, 3 },
    { "spot", "SPOT", "spot_savings", 5, true, 2 },
    { "m.eval_loss", "EVAL_LOSS", NULL, 10, true, 8 },
    { "m.eval_accuracy", "EVAL_ACC", NULL, 9, true, 7 },
    /* the mean GPU share of the last 5 minutes with a sparkline (view_jobs_query.c) */
    { "sys.gpu", "GPU", NULL, 10, true, 2 },
};
#define JOBS_N_BUILTIN (sizeof(jobs_builtin) / sizeof(jobs_builtin[0]))


static struct jobs_state *S(struct view *v)
{
    return v->state;
}

const char *jobs_col_sort_key(const struct column *c)
{
    return c->sort ? c->sort : c->key;
}

bool jobs_is_marked(const struct jobs_state *s, const char *name, size_t *at)
{
    size_t i;

    for (i = 0; i < s->n_marks; i++) {
        if (strcmp(s->marks[i], name) == 0) {
            if (at)
                *at = i;
            return true;
        }
    }
    return false;
}

/* ---- actions -------------------------------------------------------------------------------- */

static int move_cursor(struct jobs_state *s, long delta)
{
    return list_move(&s->list, delta) ? R_REDRAW : R_NONE;
}

static int set_sort(struct jobs_state *s, const char *key, int desc);

/* A click on a column heading sorts by it (again: reverses); on a row selects it. */
static int jobs_mouse(struct jobs_state *s)
{
    struct list_mouse m;
    long row;
    int c;

    if (!list_mouse_last(&m))
        return R_NONE;
    switch (list_mouse(&s->list, &m, s->rect.y + 1, true, &row)) {
    case LIST_MOUSE_HEADER:
        c = list_column_at(s->widths, s->n_cols, s->rect.x, 2, m.x);
        return c < 0 ? R_NONE : set_sort(s, jobs_col_sort_key(&s->cols[c]), -1);
    case LIST_MOUSE_MOVED:
    case LIST_MOUSE_ROW:
        return R_REDRAW;
    default:
        return R_NONE;
    }
}

/* The list keys (KEYS_LIST_NAV) through the widget. */
static int act_nav(struct view *v, struct app *a)
{
    int key = app_key(a);

    if (key == KEY_MOUSE)
        return jobs_mouse(S(v));
    return list_key(&S(v)->list, key, LIST_KEYS_HJKL | LIST_KEYS_G) > 0 ? R_REDRAW : R_NONE;
}

/* Right/Left: the columns after NAME scroll, so the ones that did not fit come into view. */
static int act_sideways(struct view *v, struct app *a)
{
    struct jobs_state *s = S(v);
    int widths[MAX_COLS];
    size_t c;
    bool cut_right = false;

    jobs_layout(s, s->width, widths);
    for (c = s->hcol + 1; c < s->n_cols; c++)
        cut_right |= widths[c] == 0;
    if (app_key(a) == KEY_RIGHT && cut_right && s->hcol + 2 < s->n_cols) {
        s->hcol++;
        return R_REDRAW;
    }
    if (app_key(a) == KEY_LEFT && s->hcol > 0) {
        s->hcol--;
        return R_REDRAW;
    }
    return R_NONE;
}

static int open_on_current(struct view *v, struct app *a, const struct view_ops *ops)
{
    const struct cache_job *j = jobs_current_job(S(v));

    if (!j) {
        app_flash(a, true, "no job selected");
        return R_REDRAW;
    }
    app_push(a, ops, j->name, NULL, 0);
    return R_REDRAW;
}

static int act_detail(struct view *v, struct app *a) { return open_on_current(v, a, &view_detail_ops); }
static int act_logs(struct view *v, struct app *a) { return open_on_current(v, a, &view_logs_ops); }
static int act_metrics(struct view *v, struct app *a) { return open_on_current(v, a, &view_metrics_ops); }
static int act_relaunch(struct view *v, struct app *a) { return open_on_current(v, a, &view_launch_ops); }
static int act_tune(struct view *v, struct app *a) { return open_on_current(v, a, &view_tuning_launch_ops); }
static int act_yank(struct view *v, struct app *a) { return clipboard_act_job(a, jobs_current_job(S(v)), CLIPBOARD_NAME); }
static int act_yank_arn(struct view *v, struct app *a) { return clipboard_act_job(a, jobs_current_job(S(v)), CLIPBOARD_ARN); }
static int act_console(struct view *v, struct app *a) { return clipboard_act_job(a, jobs_current_job(S(v)), CLIPBOARD_CONSOLE); }

static int act_new(struct view *v, struct app *a)
{
    (void)v;
    app_push(a, &view_launch_ops, "", NULL, 0);
    return R_REDRAW;
}

static int act_compare(struct view *v, struct app *a)
{
    struct jobs_state *s = S(v);
    size_t n = s->n_marks > VIEW_MAX_JOBS ? VIEW_MAX_JOBS : s->n_marks;

    if (n < 2) {
        app_flash(a, true, "mark 2 to 10 jobs with space, then press c");
        return R_REDRAW;
    }
    app_push(a, &view_compare_ops, NULL, (const char (*)[CACHE_JOB_NAME_MAX])s->marks, n);
    return R_REDRAW;
}

static int act_tuning(struct view *v, struct app *a)
{
    (void)v;
    app_push(a, &view_tuning_list_ops, NULL, NULL, 0);
    return R_REDRAW;
}

static int act_mark(struct view *v, struct app *a)
{
    struct jobs_state *s = S(v);
    const struct cache_job *j = jobs_current_job(s);
    size_t at;

    if (!j)
        return R_NONE;
    if (jobs_is_marked(s, j->name, &at)) {
        memmove(s->marks[at], s->marks[at + 1], (s->n_marks - at - 1) * sizeof(s->marks[0]));
        s->n_marks--;
    } else if (s->n_marks < MAX_MARKS) {
        str_copy(s->marks[s->n_marks++], CACHE_JOB_NAME_MAX, j->name);
    } else {
        app_flash(a, true, "at most %d marks", MAX_MARKS);
    }
    return move_cursor(s, 1) | R_REDRAW;
}

static int act_unmark_all(struct view *v, struct app *a)
{
    (void)a;
    S(v)->n_marks = 0;
    return R_REDRAW;
}

static int submit_filter(struct view *v, struct app *a, const char *text)
{
    struct jobs_state *s = S(v);
    struct err e = { 0 };

    if (jobs_parse_filter(s, text, &e) < 0) {
        app_flash(a, true, "filter: %s", e.msg);
        return R_REDRAW;
    }
    jobs_build_query(s);
    list_goto(&s->list, 0);
    s->list.top = 0;
    return R_REDRAW;
}

static size_t complete_filter(struct view *v, struct app *a, const char *line, const char *word,
                              char (*out)[128], size_t max)
{
    (void)line;
    return view_jobs_complete(v, a, "filter ", word, out, max);
}

static int act_filter(struct view *v, struct app *a)
{
    app_prompt(a, "/", S(v)->filter, "filter", submit_filter, complete_filter);
    return R_REDRAW;
}

static int clear_filter(struct jobs_state *s)
{
    s->filter[0] = s->name_regex[0] = s->status[0] = s->since[0] = '\0';
    s->created_after = 0;
    s->name_invert = false;
    s->q.n_conds = 0;
    jobs_build_query(s);
    return R_REDRAW;
}

static int set_sort(struct jobs_state *s, const char *key, int desc)
{
    if (desc < 0)
        desc = strcmp(s->sort, key) == 0 ? !s->desc : (strcmp(key, "name") != 0 && strcmp(key, "status") != 0);
    str_copy(s->sort, sizeof(s->sort), key);
    s->desc = desc;
    jobs_build_query(s);
    return R_REDRAW;
}

static int act_sort_name(struct view *v, struct app *a) { (void)a; return set_sort(S(v), "name", -1); }
static int act_sort_status(struct view *v, struct app *a) { (void)a; return set_sort(S(v), "status", -1); }
static int act_sort_age(struct view *v, struct app *a) { (void)a; return set_sort(S(v), "created", -1); }
static int act_sort_duration(struct view *v, struct app *a) { (void)a; return set_sort(S(v), "duration", -1); }
static int act_sort_loss(struct view *v, struct app *a) { (void)a; return set_sort(S(v), "m.eval_loss", 0); }

/* The sort moves one column right (dir 1) or left (dir -1), wrapping at either end. */
static int step_sort(struct jobs_state *s, int dir)
{
    size_t i;

    for (i = 0; i < s->n_cols; i++)
        if (strcmp(jobs_col_sort_key(&s->cols[i]), s->sort) == 0)
            break;
    if (dir > 0)
        i = (i + 1) % s->n_cols;
    else
        i = (i == 0 || i >= s->n_cols) ? s->n_cols - 1 : i - 1;
    return set_sort(s, jobs_col_sort_key(&s->cols[i]), s->desc);
}

static int act_sort_next(struct view *v, struct app *a) { (void)a; return step_sort(S(v), 1); }
static int act_sort_prev(struct view *v, struct app *a) { (void)a; return step_sort(S(v), -1); }

static int act_sort_flip(struct view *v, struct app *a)
{
    (void)a;
    return set_sort(S(v), S(v)->sort, !S(v)->desc);
}

static int do_stop(struct view *v, struct app *a)
{
    const struct cache_job *j = jobs_current_job(S(v));

    if (j) {
        app_request_stop(a, j->name);
        app_flash(a, false, "stopping %s…", j->name);
    }
    return R_REDRAW;
}

static int act_stop(struct view *v, struct app *a)
{
    const struct cache_job *j = jobs_current_job(S(v));
    char q[128];

    if (!j)
        return R_NONE;
    if (cache_status_final(j->status)) {
        app_flash(a, true, "%s is already %s", j->name, j->status);
        return R_REDRAW;
    }
    snprintf(q, sizeof(q), "stop %s?", j->name);
    app_confirm(a, q, do_stop);
    return R_REDRAW;
}

static int act_esc(struct view *v, struct app *a)
{
    (void)a;
    if (S(v)->filter[0] || S(v)->status[0] || S(v)->since[0])
        return clear_filter(S(v));
    return R_NONE;
}

static const struct key_binding jobs_keys[] = {
    { '\r', "Enter", "detail: the job's status, reason, resources, hyperparameters", act_detail, KB_FOOTER },
    { '\n', "Enter", "job detail", act_detail, KB_HIDDEN },
    { KEY_ENTER, "Enter", "job detail", act_detail, KB_HIDDEN },
    { 'l', "l", "logs", act_logs, KB_FOOTER },
    { 'm', "m", "metrics: charts of every metric", act_metrics, KB_FOOTER },
    { ' ', "space", "mark: mark / unmark for comparison", act_mark, KB_FOOTER },
    { 'c', "c", "compare: the marked jobs side by side", act_compare, KB_FOOTER },
    { 'u', "u", "clear all marks", act_unmark_all, 0 },
    { 'T', "T", "tuning: the tuning jobs (also :tuning)", act_tuning, 0 },
    { '/', "/", "filter: regex !regex status:X hp.k:v m.k<v", act_filter, KB_FOOTER },
    { KEY_ESCAPE, "Esc", "clear the filter", act_esc, 0 },
    KEYS_LIST_NAV(act_nav, "next job", "previous job", "first job", "last job"),
    KEYS_LIST_SIDEWAYS(act_sideways),
    { 'N', "N", "sort by name (again: reverse)", act_sort_name, 0 },
    { 'S', "S", "sort by status", act_sort_status, 0 },
    { 'A', "A", "sort by age", act_sort_age, 0 },
    { 'D', "D", "sort by duration", act_sort_duration, 0 },
    { 'L', "L", "sort by eval_loss", act_sort_loss, 0 },
    { '>', ">", "sort by the next column", act_sort_next, 0 },
    { '<', "<", "sort by the previous column", act_sort_prev, 0 },
    { 'I', "I", "invert the sort order", act_sort_flip, 0 },
    { 'n', "n", "launch a new job", act_new, KB_MUTATING },
    { 'r', "r", "re-launch this job with changes", act_relaunch, KB_MUTATING },
    { 'U', "U", "tune: a tuning job over this job's hyperparameters", act_tune, KB_MUTATING },
    { 'x', "x", "stop: stop this job (asks first)", act_stop, KB_MUTATING | KB_FOOTER },
    { 'y', "y", "copy the job name (OSC 52: works over SSH)", act_yank, 0 },
    { 'Y', "Y", "copy the job ARN", act_yank_arn, 0 },
    { 'o', "o", "show and copy the job's console URL", act_console, 0 },
    { 0, NULL, NULL, NULL, 0 },
};

/* ---- commands and completion ------------------------------------------------------------ */

static int jobs_command(struct view *v, struct app *a, int argc, char **argv)
{
    /* `:mark`, `:logs`, ...: the same actions as the keys */
    static const struct {
        const char *name;
        action_fn fn;
        bool mutating;
    } verbs[] = {
        { "mark", act_mark, false },        { "unmark", act_unmark_all, false },
        { "compare", act_compare, false },  { "logs", act_logs, false },
        { "detail", act_detail, false },    { "metrics", act_metrics, false },
        { "launch", act_new, true },        { "stop", act_stop, true },
        { "tuning", act_tuning, false },
    };
    struct jobs_state *s = S(v);
    int i;

    if (strcmp(argv[0], "sort") == 0) {
        bool desc;

        if (!view_jobs_sort_valid(a, argc, argv, &desc))
            return R_REDRAW;
        return set_sort(s, argv[1], desc);
    }
    if (strcmp(argv[0], "cols") == 0)
        return jobs_cmd_cols(s, argc, argv, a);
    if (strcmp(argv[0], "filter") == 0) {
        char text[512] = "";

        for (i = 1; i < argc; i++) {
            if (i > 1)
                strncat(text, " ", sizeof(text) - strlen(text) - 1);
            strncat(text, argv[i], sizeof(text) - strlen(text) - 1);
        }
        return submit_filter(v, a, text);
    }
    if (strcmp(argv[0], "jobs") == 0) {
        char text[512] = "", since[32] = "";
        double after = 0;

        /* :jobs status=InProgress since=2d name=bert hp.epochs=3 m.eval_loss<0.3; the
         * creation-time bound lasts until the next :jobs (Esc keeps it: it is not a filter
         * term) */
        for (i = 1; i < argc; i++) {
            const char *t = argv[i];
            char term[300];

            if (strncmp(t, "name=", 5) == 0)
                snprintf(term, sizeof(term), "%s", t + 5);
            else if (strncmp(t, "since=", 6) == 0) {
                if (cache_parse_time(t + 6, app_now(a), &after, NULL) < 0 ||
                    strlen(t + 6) >= sizeof(since)) {
                    app_flash(a, true, "since=%s: use 30m, 12h, 2d, 1w or a date (2026-11-20)",
                              t + 6);
                    return R_REDRAW;
                }
                str_copy(since, sizeof(since), t + 6);
                continue;
            } else
                snprintf(term, sizeof(term), "%s", t);
            if (text[0])
                strncat(text, " ", sizeof(text) - strlen(text) - 1);
            strncat(text, term, sizeof(text) - strlen(text) - 1);
        }
        str_copy(s->since, sizeof(s->since), since);
        s->created_after = after;
        return submit_filter(v, a, text);
    }
    for (i = 0; i < (int)(sizeof(verbs) / sizeof(verbs[0])); i++) {
        if (strcmp(argv[0], verbs[i].name) != 0)
            continue;
        if (verbs[i].mutating && app_read_only(a)) {
            app_flash(a, true, "read-only");
            return R_REDRAW;
        }
        return verbs[i].fn(v, a);
    }
    return R_UNHANDLED;
}

size_t view_jobs_complete(struct view *v, struct app *a, const char *line, const char *word,
                          char (*out)[128], size_t max)
{
    static const char *const fixed[] = { "name", "status", "secondary", "created", "started",
        "ended", "modified", "duration", "instance_type", "instance_count", "billable",
        "status:InProgress", "status:Completed", "status:Failed", "status:Stopped",
        "status:Stopping", "desc", "asc", NULL };
    static const char *const job_args[] = { "status=InProgress", "status=Completed",
        "status=Failed", "status=Stopped", "name=", "since=", NULL };
    struct jobs_state *s = NULL;
    size_t n = 0, i, wl = strlen(word);
    const struct cache_job *j = NULL;
    const char *prefix = "";
    const char *w = word;
    char cand[128];

    (void)v;
    /* the jobs view is at the bottom of the stack: find its state through the view given
     * when it is the jobs view, else complete without job-specific names */
    if (v && v->ops == &view_jobs_ops)
        s = S(v);
    if (s)
        j = jobs_current_job(s);
    if (strncmp(line, "cols ", 5) == 0 && (*w == '+' || *w == '-')) {
        prefix = *w == '+' ? "+" : "-";
        w++;
        wl--;
    }
    if (strncmp(line, "jobs ", 5) == 0) {
        for (i = 0; job_args[i] && n < max; i++)
            if (strncmp(job_args[i], w, wl) == 0)
                snprintf(out[n++], 128, "%s", job_args[i]);
        return n;
    }
    if (strncmp(line, "sort ", 5) == 0 || strncmp(line, "filter ", 7) == 0) {
        for (i = 0; fixed[i] && n < max; i++)
            if (strncmp(fixed[i], w, wl) == 0)
                snprintf(out[n++], 128, "%s", fixed[i]);
    }
    if (j && n < max) {
        struct cache_kv_list hp = { 0 };
        struct cache_metric_stat_list ms = { 0 };

        cache_job_hyperparameters(app_cache(a), j->name, &hp, NULL);
        cache_job_metric_stats(app_cache(a), j->name, &ms, NULL);
        for (i = 0; i < hp.n && n < max; i++) {
            snprintf(cand, sizeof(cand), "hp.%.100s", hp.items[i].key);
            if (strncmp(cand, w, wl) == 0 && strncmp(hp.items[i].key, "sagemaker_", 10) != 0)
                snprintf(out[n++], 128, "%s%.120s", prefix, cand);
        }
        for (i = 0; i < ms.n && n < max; i++) {
            snprintf(cand, sizeof(cand), "m.%.100s", ms.items[i].name);
            if (strncmp(cand, w, wl) == 0)
                snprintf(out[n++], 128, "%s%.120s", prefix, cand);
        }
        cache_kv_list_clean(&hp);
        cache_metric_stat_list_clean(&ms);
    }
    return n;
}

/* ---- lifecycle ---------------------------------------------------------------------------- */

static int jobs_enter(struct view *v, struct app *a)
{
    struct jobs_state *s = calloc(1, sizeof(*s));
    size_t i;

    (void)a;
    if (!s)
        return -1;
    for (i = 0; i < JOBS_N_BUILTIN; i++)
        s->cols[i] = jobs_builtin[i];
    s->n_cols = s->n_builtin = JOBS_N_BUILTIN;
    jobs_load_columns(s);
    str_copy(s->sort, sizeof(s->sort), "created");
    s->desc = true;
    jobs_build_query(s);
    v->state = s;
    return 0;
}

static void jobs_leave(struct view *v, struct app *a)
{
    struct jobs_state *s = S(v);

    (void)a;
    if (!s)
        return;
    free(s->rows);
    free(s);
    v->state = NULL;
}

static int jobs_tick(struct view *v, struct app *a, bool changed)
{
    struct jobs_state *s = S(v);

    (void)a;
    if (changed)
        s->stale = true;
    return R_REDRAW;     /* ages and durations move every second */
}

const struct view_ops view_jobs_ops = {
    .name = "jobs",
    .keys = jobs_keys,
    .on_enter = jobs_enter,
    .on_leave = jobs_leave,
    .draw = jobs_draw,
    .on_tick = jobs_tick,
    .on_command = jobs_command,
    .title = jobs_title,
};

