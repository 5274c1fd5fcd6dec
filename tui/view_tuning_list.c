/* view_tuning_list.c: the tuning list (`T` on the job list, `:tuning`): every tuning job of the
 * cache with its status, strategy, objective, trial counts of the limit, best value and trial
 * and elapsed time; sorted by a key, filtered by a name regex. Re-reads the cache when the sync
 * stored something (v->stale). Owns its rows and the sort/filter state; must not draw outside
 * its rect or block on the network. Enter opens view_tuning_detail.c. */
#include <regex.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cache/tuning.h"
#include "tui/draw.h"
#include "tui/keys.h"
#include "tui/sanitize.h"
#include "tui/view_tuning_internal.h"
#include "tui/view_tuning_launch.h"
#include "tui/views.h"

enum tcol { TC_NAME, TC_STATUS, TC_STRATEGY, TC_OBJECTIVE, TC_TRIALS, TC_BEST, TC_BEST_TRIAL,
            TC_AGE, TC_ELAPSED, TC_COUNT };

static const struct tuning_col list_cols[TC_COUNT] = {
    [TC_NAME] = { "NAME", 0, false, 10 },
    [TC_STATUS] = { "STATUS", 10, false, 9 },
    [TC_STRATEGY] = { "STRATEGY", 9, false, 5 },
    [TC_OBJECTIVE] = { "OBJECTIVE", 22, false, 7 },
    [TC_TRIALS] = { "DONE/RUN/FAIL/STOP", 22, false, 8 },
    [TC_BEST] = { "BEST", 10, true, 8 },
    [TC_BEST_TRIAL] = { "BEST TRIAL", 24, false, 3 },
    [TC_AGE] = { "AGE", 6, true, 4 },
    [TC_ELAPSED] = { "ELAPSED", 8, true, 6 },
};

/* The sort keys, by column (a key sorts by its column; `>` goes to the next). */
static const enum tcol sort_cols[] = { TC_AGE, TC_NAME, TC_STATUS, TC_STRATEGY, TC_TRIALS,
                                       TC_BEST, TC_ELAPSED };
#define N_SORTS (sizeof(sort_cols) / sizeof(sort_cols[0]))

struct tlist_state {
    struct tuning_table table;
    struct cache_tuning_list all;
    size_t *rows;               /* indexes into all.items: filtered, sorted */
    char filter[256];           /* a name regex (case-insensitive), "" for all */
    size_t sort;                /* index into sort_cols */
    double now;
    char error[512];
};

static struct tlist_state *S(struct view *v)
{
    return v->state;
}

/* qsort has no context: the sort runs on the UI thread only, one at a time */
static const struct tlist_state *sorting;

static int cmp_num(double a, double b)
{
    return a < b ? -1 : a > b;
}

static int cmp_rows(const void *pa, const void *pb)
{
    const struct cache_tuning *a = &sorting->all.items[*(const size_t *)pa];
    const struct cache_tuning *b = &sorting->all.items[*(const size_t *)pb];
    int r = 0;

    switch (sort_cols[sorting->sort]) {
    case TC_NAME:
        r = strcmp(a->name, b->name);
        break;
    case TC_STATUS:
        r = strcmp(a->status, b->status);
        break;
    case TC_STRATEGY:
        r = strcmp(a->strategy, b->strategy);
        break;
    case TC_TRIALS:
        r = cmp_num(a->completed, b->completed);
        break;
    case TC_BEST:
        /* no best yet: last either way */
        if (!a->best_job[0] || !b->best_job[0])
            return (!a->best_job[0]) - (!b->best_job[0]);
        r = cmp_num(a->best_value, b->best_value);
        break;
    case TC_ELAPSED:
        r = cmp_num(cache_tuning_elapsed(a, sorting->now), cache_tuning_elapsed(b, sorting->now));
        break;
    default:        /* age: newest first ascending, as the jobs list */
        r = cmp_num(b->creation_time, a->creation_time);
        break;
    }
    if (r == 0)
        r = strcmp(a->name, b->name);
    return sorting->table.desc ? -r : r;
}

/* Filters and sorts all into rows, keeping the cursor on the same tuning job. */
static void build_rows(struct tlist_state *s)
{
    char cur[CACHE_JOB_NAME_MAX] = "";
    regex_t re;
    bool use_re = false;
    size_t i, n = 0;

    if (s->table.list.cur < s->table.list.count && s->rows)
        str_copy(cur, sizeof(cur), s->all.items[s->rows[s->table.list.cur]].name);
    if (s->filter[0])
        use_re = regcomp(&re, s->filter, REG_EXTENDED | REG_ICASE | REG_NOSUB) == 0;
    for (i = 0; i < s->all.n; i++) {
        if (s->filter[0] && (!use_re || regexec(&re, s->all.items[i].name, 0, NULL, 0) != 0))
            continue;
        s->rows[n++] = i;
    }
    if (use_re)
        regfree(&re);
    sorting = s;
    qsort(s->rows, n, sizeof(s->rows[0]), cmp_rows);
    sorting = NULL;
    s->table.list.count = n;
    s->table.sorted = (int)sort_cols[s->sort];
    for (i = 0; cur[0] && i < n; i++)
        if (strcmp(s->all.items[s->rows[i]].name, cur) == 0)
            list_goto(&s->table.list, i);
    list_resize(&s->table.list, n, s->table.list.page > 0 ? s->table.list.page : 1);
}

static void reload(struct tlist_state *s, struct app *a)
{
    struct err e = { 0 };
    size_t *rows;

    cache_tuning_list_clean(&s->all);
    s->error[0] = '\0';
    if (cache_tuning_list(app_cache(a), NULL, &s->all, &e) != 0)
        snprintf(s->error, sizeof(s->error), "tuning jobs: %s", e.msg);
    rows = realloc(s->rows, (s->all.n ? s->all.n : 1) * sizeof(*rows));
    if (!rows) {
        snprintf(s->error, sizeof(s->error), "out of memory");
        cache_tuning_list_clean(&s->all);
    } else {
        s->rows = rows;
    }
    s->now = app_now(a);
    build_rows(s);
}

static const struct cache_tuning *current(struct tlist_state *s)
{
    if (s->table.list.cur >= s->table.list.count)
        return NULL;
    return &s->all.items[s->rows[s->table.list.cur]];
}

/* ---- drawing ---------------------------------------------------------------------------- */

static void cell(void *ctx, size_t i, size_t c, char *buf, size_t size, attr_t *attr)
{
    struct tlist_state *s = ctx;
    const struct cache_tuning *t = &s->all.items[s->rows[i]];

    switch ((enum tcol)c) {
    case TC_NAME:
        sanitize_text(t->name, strlen(t->name), buf, size, draw_utf8() ? 0 : SANITIZE_ASCII);
        break;
    case TC_STATUS:
        str_copy(buf, size, t->status);
        *attr = theme_status_attr(t->status);
        break;
    case TC_STRATEGY:
        str_copy(buf, size, t->strategy[0] ? t->strategy : "-");
        break;
    case TC_OBJECTIVE:
        cache_tuning_objective_text(t, buf, size);
        break;
    case TC_TRIALS:
        snprintf(buf, size, "%d/%d/%d/%d of %d", t->completed, t->in_progress, t->failed,
                 t->stopped, t->max_jobs);
        break;
    case TC_BEST:
        if (t->best_job[0])
            snprintf(buf, size, "%.6g", t->best_value);
        else
            str_copy(buf, size, "-");
        break;
    case TC_BEST_TRIAL:
        str_copy(buf, size, t->best_job[0] ? t->best_job : "-");
        *attr = theme_attr(TH_DIM);
        break;
    case TC_AGE:
        if (t->creation_time > 0)
            fmt_age(s->now - t->creation_time, buf, size);
        *attr = theme_attr(TH_DIM);
        break;
    case TC_ELAPSED:
        fmt_duration(cache_tuning_elapsed(t, s->now), buf, size);
        break;
    default:
        break;
    }
}

static void tlist_draw(struct view *v, struct app *a, const struct rect *r)
{
    struct tlist_state *s = S(v);

    if (v->stale) {
        reload(s, a);
        v->stale = false;
    }
    s->now = app_now(a);
    if (s->error[0]) {
        draw_str(r->y + 1, r->x + 2, r->w - 2, s->error, theme_attr(TH_ERROR));
        return;
    }
    tuning_table_draw(&s->table, r, cell, NULL, s,
                      s->filter[0] ? "no tuning job matches the filter (Esc clears it)"
                                   : "no tuning jobs in the cache yet: syncing…");
}

static void tlist_title(struct view *v, struct app *a, char *buf, size_t size)
{
    struct tlist_state *s = S(v);

    (void)a;
    snprintf(buf, size, "tuning (%zu)  sort: %s%s%s%s", s->table.list.count,
             list_cols[sort_cols[s->sort]].title, s->table.desc ? " desc" : "",
             s->filter[0] ? "  filter: " : "", s->filter);
}

/* ---- actions -------------------------------------------------------------------------------- */

static int act_nav(struct view *v, struct app *a)
{
    return tuning_table_nav(&S(v)->table, a);
}

static int act_open(struct view *v, struct app *a)
{
    const struct cache_tuning *t = current(S(v));

    if (t)
        app_push(a, &view_tuning_detail_ops, t->name, NULL, 0);
    return R_REDRAW;
}

static int act_tune(struct view *v, struct app *a)
{
    const struct cache_tuning *t = current(S(v));

    if (t)
        app_push(a, &view_tuning_relaunch_ops, t->name, NULL, 0);
    return R_REDRAW;
}

static int act_stop(struct view *v, struct app *a)
{
    const struct cache_tuning *t = current(S(v));

    return t ? view_tuning_stop(a, t->name) : R_NONE;
}

static int sort_by(struct tlist_state *s, size_t k)
{
    if (k == s->sort)
        s->table.desc = !s->table.desc;
    else
        s->table.desc = false;
    s->sort = k;
    build_rows(s);
    return R_REDRAW;
}

static int act_sort(struct view *v, struct app *a)
{
    /* strategy (0) has no key of its own: > reaches it */
    static const int keys[N_SORTS] = { 'A', 'N', 'S', 0, 'C', 'B', 'D' };
    size_t k;

    for (k = 0; k < N_SORTS; k++)
        if (keys[k] == app_key(a))
            return sort_by(S(v), k);
    return R_NONE;
}

static int act_sort_next(struct view *v, struct app *a)
{
    struct tlist_state *s = S(v);

    s->sort = (s->sort + (app_key(a) == '<' ? N_SORTS - 1 : 1)) % N_SORTS;
    build_rows(s);
    return R_REDRAW;
}

static int act_flip(struct view *v, struct app *a)
{
    (void)a;
    S(v)->table.desc = !S(v)->table.desc;
    build_rows(S(v));
    return R_REDRAW;
}

static int submit_filter(struct view *v, struct app *a, const char *text)
{
    struct tlist_state *s = S(v);
    regex_t re;

    if (text[0] && regcomp(&re, text, REG_EXTENDED | REG_ICASE | REG_NOSUB) != 0) {
        app_flash(a, true, "filter: not a regular expression: %s", text);
        return R_REDRAW;
    }
    if (text[0])
        regfree(&re);
    str_copy(s->filter, sizeof(s->filter), text);
    build_rows(s);
    return R_REDRAW;
}

static int act_filter(struct view *v, struct app *a)
{
    app_prompt(a, "filter (name regex): ", S(v)->filter, "filter", submit_filter, NULL);
    return R_REDRAW;
}

static int act_esc(struct view *v, struct app *a)
{
    if (!S(v)->filter[0]) {
        app_pop(a);
        return R_REDRAW;
    }
    return submit_filter(v, a, "");
}

static const struct key_binding tlist_keys[] = {
    { '\r', "Enter", "detail: ranges, limits and the trials", act_open, KB_FOOTER },
    { '\n', "Enter", "tuning detail", act_open, KB_HIDDEN },
    { KEY_ENTER, "Enter", "tuning detail", act_open, KB_HIDDEN },
    { '/', "/", "filter: a name regex", act_filter, KB_FOOTER },
    { KEY_ESCAPE, "Esc", "clear the filter, else back", act_esc, 0 },
    KEYS_LIST_NAV(act_nav, "next tuning job", "previous tuning job", "first", "last"),
    { 'A', "A", "sort by age (again: reverse)", act_sort, 0 },
    { 'N', "N", "sort by name", act_sort, 0 },
    { 'S', "S", "sort by status", act_sort, 0 },
    { 'C', "C", "sort by completed trials", act_sort, 0 },
    { 'B', "B", "sort by best objective value", act_sort, 0 },
    { 'D', "D", "sort by elapsed time", act_sort, 0 },
    { '>', ">", "sort by the next key", act_sort_next, 0 },
    { '<', "<", "sort by the previous key", act_sort_next, 0 },
    { 'I', "I", "invert the sort order", act_flip, 0 },
    { 'L', "L", "launch a tuning job from this one (its ranges and settings)", act_tune,
      KB_MUTATING },
    { 'x', "x", "stop: stop this tuning job (asks first)", act_stop, KB_MUTATING | KB_FOOTER },
    { 0, NULL, NULL, NULL, 0 },
};

/* `:filter TEXT` here filters the tuning list. */
static int tlist_command(struct view *v, struct app *a, int argc, char **argv)
{
    char text[256] = "";
    int i;

    if (strcmp(argv[0], "filter") != 0)
        return R_UNHANDLED;
    for (i = 1; i < argc; i++) {
        if (i > 1)
            strncat(text, " ", sizeof(text) - strlen(text) - 1);
        strncat(text, argv[i], sizeof(text) - strlen(text) - 1);
    }
    return submit_filter(v, a, text);
}

static int tlist_enter(struct view *v, struct app *a)
{
    struct tlist_state *s = calloc(1, sizeof(*s));

    (void)a;
    if (!s)
        return -1;
    s->table.list.cursor = true;
    s->table.n_cols = TC_COUNT;
    memcpy(s->table.cols, list_cols, sizeof(list_cols));
    v->state = s;
    v->stale = true;
    return 0;
}

static void tlist_leave(struct view *v, struct app *a)
{
    struct tlist_state *s = S(v);

    (void)a;
    if (!s)
        return;
    cache_tuning_list_clean(&s->all);
    free(s->rows);
    free(s);
    v->state = NULL;
}

const struct view_ops view_tuning_list_ops = {
    .name = "tuning",
    .keys = tlist_keys,
    .on_enter = tlist_enter,
    .on_leave = tlist_leave,
    .draw = tlist_draw,
    .on_command = tlist_command,
    .title = tlist_title,
};
