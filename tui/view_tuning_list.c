/* view_tuning_list.c: the tuning list (`T` on the job list, `:tuning`): every tuning job of the
 * cache with its status, strategy, objective, trial counts of the limit, best value and trial
 * and elapsed time; sorted by a key (keys, `:sort KEY`), filtered in the job list's language
 * (tui/query.h: name regexes, `!regex`, status= strategy= objective= best<0.3 completed>=10
 * ...; every term must hold). Re-reads the cache when the sync stored something (v->stale);
 * the filter and the sort run in memory. Owns its rows and the sort/filter state; must not
 * draw outside its rect or block on the network. Enter opens view_tuning_detail.c. */
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

/* The sort keys, by column (a key sorts by its column; `>` goes to the next), and their names
 * for `:sort` (created: the job list's name for the age). */
static const enum tcol sort_cols[] = { TC_AGE, TC_NAME, TC_STATUS, TC_STRATEGY, TC_TRIALS,
                                       TC_BEST, TC_ELAPSED };
static const char *const sort_names[] = { "age", "name", "status", "strategy", "trials",
                                          "best", "elapsed" };
#define N_SORTS (sizeof(sort_cols) / sizeof(sort_cols[0]))

/* The fields of the filter language here (the other terms match the name). */
enum tfield { TF_STATUS, TF_STRATEGY, TF_OBJECTIVE, TF_BEST, TF_COMPLETED, TF_RUNNING,
              TF_FAILED, TF_STOPPED, TF_MAX, TF_COUNT };
static const struct query_field tuning_fields[TF_COUNT + 1] = {
    [TF_STATUS] = { "status", false },       [TF_STRATEGY] = { "strategy", false },
    [TF_OBJECTIVE] = { "objective", false }, [TF_BEST] = { "best", false },
    [TF_COMPLETED] = { "completed", false }, [TF_RUNNING] = { "running", false },
    [TF_FAILED] = { "failed", false },       [TF_STOPPED] = { "stopped", false },
    [TF_MAX] = { "max", false },             [TF_COUNT] = { NULL, false },
};

struct tlist_state {
    struct tuning_table table;
    struct cache_tuning_list all;
    size_t *rows;               /* indexes into all.items: filtered, sorted */
    char filter[256];           /* as typed, "" for all */
    struct query q;             /* the filter's terms */
    struct query_names *names;  /* its name terms, compiled */
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

/* Whether the field term t holds for t's tuning job. A tuning job with no best fails every
 * best comparison. */
static bool field_holds(const struct query_term *q, const struct cache_tuning *t)
{
    const int counts[] = { [TF_COMPLETED] = t->completed, [TF_RUNNING] = t->in_progress,
                           [TF_FAILED] = t->failed, [TF_STOPPED] = t->stopped,
                           [TF_MAX] = t->max_jobs };
    char obj[300];

    switch ((enum tfield)(q->field - tuning_fields)) {
    case TF_STATUS:
        return query_holds_text(q, t->status);
    case TF_STRATEGY:
        return query_holds_text(q, t->strategy);
    case TF_OBJECTIVE:
        /* the metric's name, or as the column shows it: "eval_loss (min)" */
        cache_tuning_objective_text(t, obj, sizeof(obj));
        return query_holds_text(q, t->objective_metric) ||
               (q->op == QUERY_EQ && query_holds_text(q, obj));
    case TF_BEST:
        return t->best_job[0] && query_holds_number(q, t->best_value);
    case TF_COMPLETED:
    case TF_RUNNING:
    case TF_FAILED:
    case TF_STOPPED:
    case TF_MAX:
        return query_holds_number(q, counts[q->field - tuning_fields]);
    default:
        return false;
    }
}

static bool row_matches(const struct tlist_state *s, const struct cache_tuning *t)
{
    size_t i;

    if (!query_names_match(s->names, t->name))
        return false;
    for (i = 0; i < s->q.n; i++)
        if (s->q.terms[i].is_field && !field_holds(&s->q.terms[i], t))
            return false;
    return true;
}

/* Filters and sorts all into rows, keeping the cursor on the same tuning job. */
static void build_rows(struct tlist_state *s)
{
    char cur[CACHE_JOB_NAME_MAX] = "";
    size_t i, n = 0;

    if (s->table.list.cur < s->table.list.count && s->rows)
        str_copy(cur, sizeof(cur), s->all.items[s->rows[s->table.list.cur]].name);
    for (i = 0; i < s->all.n; i++)
        if (row_matches(s, &s->all.items[i]))
            s->rows[n++] = i;
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

/* Sorts by key k: desc as given, or (desc < 0) reversed when k is already the key. */
static int sort_by(struct tlist_state *s, size_t k, int desc)
{
    if (desc < 0)
        desc = k == s->sort && !s->table.desc;
    s->table.desc = desc;
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
            return sort_by(S(v), k, -1);
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

/* A field's value must fit it: a number for the counts and best, = or != for the texts. */
static int check_term(const struct query_term *t, struct err *e)
{
    enum tfield f = (enum tfield)(t->field - tuning_fields);
    double d;

    if (f <= TF_OBJECTIVE && t->op != QUERY_EQ && t->op != QUERY_NE)
        return err_set(e, ERR_INVAL, "bad filter '%s': use %s=VALUE or %s!=VALUE", t->text,
                       t->name, t->name);
    if (f > TF_OBJECTIVE && !query_number(t->value, &d))
        return err_set(e, ERR_INVAL, "bad filter '%s': %s compares with a number", t->text,
                       t->name);
    return 0;
}

static int submit_filter(struct view *v, struct app *a, const char *text)
{
    struct tlist_state *s = S(v);
    struct query_names *names = NULL;
    struct err e = { 0 };
    struct query q;
    size_t i;
    int rc;

    if (strlen(text) >= sizeof(s->filter)) {
        app_flash(a, true, "filter: too long");
        return R_REDRAW;
    }
    rc = query_parse(text, tuning_fields, &q, &e);
    for (i = 0; rc == 0 && i < q.n; i++)
        if (q.terms[i].is_field)
            rc = check_term(&q.terms[i], &e);
    if (rc == 0)
        rc = query_names_new(&q, &names, &e);
    if (rc != 0) {
        /* refused: the filter stays as it was */
        app_flash(a, true, "filter: %s", e.msg);
        return R_REDRAW;
    }
    query_names_free(s->names);
    s->names = names;
    s->q = q;
    str_copy(s->filter, sizeof(s->filter), text);
    build_rows(s);
    return R_REDRAW;
}

/* Tab after `:sort ` (the sort keys, then desc/asc) and `:filter ` (the fields, a status or a
 * strategy as a whole term); the other commands' arguments as in the job list. */
static size_t tlist_complete(struct view *v, struct app *a, const char *line, const char *word,
                             char (*out)[128], size_t max)
{
    static const char *const values[] = { "status=InProgress", "status=Completed",
        "status=Failed", "status=Stopping", "status=Stopped", "strategy=Bayesian",
        "strategy=Random", "strategy=Hyperband", "strategy=Grid", NULL };
    size_t n = 0, i;

    switch (tuning_complete_arg(line)) {
    case TUNING_ARG_SORT_KEY:
        for (i = 0; i < N_SORTS; i++)
            n = tuning_complete_add(out, n, max, word, sort_names[i]);
        return n;
    case TUNING_ARG_SORT_ORDER:
        n = tuning_complete_add(out, n, max, word, "desc");
        return tuning_complete_add(out, n, max, word, "asc");
    case TUNING_ARG_FILTER:
        for (i = 0; tuning_fields[i].name; i++)
            n = tuning_complete_add(out, n, max, word, tuning_fields[i].name);
        for (i = 0; values[i]; i++)
            n = tuning_complete_add(out, n, max, word, values[i]);
        return n;
    default:
        return view_jobs_complete(v, a, line, word, out, max);
    }
}

/* The `/` prompt completes as `:filter ` does. */
static size_t complete_filter(struct view *v, struct app *a, const char *line, const char *word,
                              char (*out)[128], size_t max)
{
    (void)line;
    return tlist_complete(v, a, "filter ", word, out, max);
}

static int act_filter(struct view *v, struct app *a)
{
    app_prompt(a, "/", S(v)->filter, "filter", submit_filter, complete_filter);
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
    { '/', "/", "filter: regex !regex status:X strategy:X best<V completed>=N", act_filter,
      KB_FOOTER },
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

/* `:sort KEY [desc|asc]` by one of sort_names; refused with the keys, changing nothing. */
static int cmd_sort(struct tlist_state *s, struct app *a, int argc, char **argv)
{
    bool desc;
    size_t k;

    if (!tuning_sort_args(a, argc, argv, &desc))
        return R_REDRAW;
    for (k = 0; k < N_SORTS; k++)
        if (strcasecmp(argv[1], sort_names[k]) == 0 ||
            (k == 0 && strcmp(argv[1], "created") == 0))
            return sort_by(s, k, desc);
    app_flash(a, true, "unknown sort key '%s' (age name status strategy trials best elapsed)",
              argv[1]);
    return R_REDRAW;
}

/* `:filter TEXT` filters the tuning list, `:sort KEY` sorts it. */
static int tlist_command(struct view *v, struct app *a, int argc, char **argv)
{
    char text[256] = "";
    int i;

    if (strcmp(argv[0], "sort") == 0)
        return cmd_sort(S(v), a, argc, argv);
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
    query_names_free(s->names);
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
    .complete = tlist_complete,
    .title = tlist_title,
};
