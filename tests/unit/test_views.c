/* test_views.c: each view's actions without a terminal. A frame state is built in memory on a
 * temporary cache with a few jobs; keys go through the view's own table (keys_dispatch) or
 * on_command, and the tests assert the returned R_* flags and the state they leave (cursor,
 * marks, modes, the view pushed, the prompt opened). Curses is linked but never started:
 * no action may draw. */
#include <criterion/criterion.h>
#include <curses.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "tui/app_internal.h"
#include "tui/keys.h"
#include "tui/view_jobs_internal.h"
#include "tui/view_logs_internal.h"
#include "tui/views.h"

static char dir[256];
static struct app *a;

static void setup(void)
{
    char path[300];
    struct err e = { 0 };
    static const char *const names[] = { "job-a", "job-b", "job-c", "job-d", "job-e" };
    size_t i;

    snprintf(dir, sizeof(dir), "/tmp/sagetop-views-XXXXXX");
    cr_assert_not_null(mkdtemp(dir));
    setenv("XDG_CONFIG_HOME", dir, 1);
    snprintf(path, sizeof(path), "%s/cache.db", dir);
    a = calloc(1, sizeof(*a));
    cr_assert_not_null(a);
    cr_assert_eq(cache_open(path, 0, &a->cache, NULL, 0, &e), 0, "%s", e.msg);
    cr_assert_eq(cache_scope_use(a->cache, "123456789012", "us-east-1", &e), 0, "%s", e.msg);
    for (i = 0; i < 5; i++) {
        struct cache_job_summary s = { names[i], "arn", i == 0 ? "InProgress" : "Completed",
                                       NULL, 1000.0 + (double)i * 100, 0, 1000.0 + i };

        cr_assert_eq(cache_job_upsert_summary(a->cache, &s, &e), 0, "%s", e.msg);
    }
    a->now = 2000;
    a->depth = 1;
}

static void teardown(void)
{
    char cmd[300];

    app_prompt_clean(a);
    cache_close(a->cache);
    free(a);
    snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
    cr_assert_eq(system(cmd), 0);
    unsetenv("XDG_CONFIG_HOME");
}

TestSuite(views, .init = setup, .fini = teardown);

static int key(struct view *v, int k)
{
    int r = R_UNHANDLED;

    a->key = k;      /* as the frame does: an action serving several keys reads it */
    if (v->ops->on_key)
        r = v->ops->on_key(v, a, k);
    if (r == R_UNHANDLED)
        r = keys_dispatch(v->ops->keys, v, a, k);
    return r;
}

static struct view *open_view(struct view *v, const struct view_ops *ops, const char *job)
{
    memset(v, 0, sizeof(*v));
    v->ops = ops;
    if (job)
        snprintf(v->job, sizeof(v->job), "%s", job);
    v->stale = true;
    cr_assert_eq(ops->on_enter(v, a), 0, "%s opens", ops->name);
    return v;
}

static void close_view(struct view *v)
{
    v->ops->on_leave(v, a);
    cr_assert_null(v->state, "%s frees its state", v->ops->name);
}

/* ---- jobs -------------------------------------------------------------------------------- */

static struct jobs_state *jobs_open(struct view *v)
{
    struct jobs_state *s;

    open_view(v, &view_jobs_ops, NULL);
    s = v->state;
    jobs_refresh_window(s, a, 10, true);
    cr_assert_eq(s->list.count, 5);
    return s;
}

Test(views, jobs_cursor_moves_and_stops_at_the_ends)
{
    struct view v;
    struct jobs_state *s = jobs_open(&v);

    cr_assert_eq(s->list.cur, 0);
    cr_assert_eq(key(&v, 'j'), R_REDRAW);
    cr_assert_eq(s->list.cur, 1);
    cr_assert_eq(key(&v, KEY_DOWN), R_REDRAW);
    cr_assert_eq(s->list.cur, 2);
    cr_assert_eq(key(&v, 'G'), R_REDRAW);
    cr_assert_eq(s->list.cur, 4);
    cr_assert_eq(key(&v, 'j'), R_NONE, "nothing to redraw at the end");
    cr_assert_eq(s->list.cur, 4, "stays on the last job");
    cr_assert_eq(key(&v, 'g'), R_REDRAW);
    cr_assert_eq(s->list.cur, 0);
    cr_assert_eq(key(&v, 'k'), R_NONE);
    cr_assert_eq(s->list.cur, 0, "stays on the first job");
    close_view(&v);
}

Test(views, jobs_enter_opens_the_detail_of_the_current_job)
{
    struct view v;
    struct jobs_state *s = jobs_open(&v);
    const struct cache_job *j;

    key(&v, 'j');
    j = jobs_current_job(s);
    cr_assert_not_null(j);
    cr_assert_eq(key(&v, '\r'), R_REDRAW);
    cr_assert(a->pending_push);
    cr_assert_eq(a->pushed.ops, &view_detail_ops);
    cr_assert_str_eq(a->pushed.job, j->name);
    cr_assert(a->pushed.stale, "a pushed view starts stale");
    a->pending_push = false;
    cr_assert_eq(key(&v, 'l'), R_REDRAW);
    cr_assert_eq(a->pushed.ops, &view_logs_ops);
    cr_assert_eq(key(&v, 'm'), R_REDRAW);
    cr_assert_eq(a->pushed.ops, &view_metrics_ops);
    close_view(&v);
}

Test(views, jobs_marks_and_compare)
{
    struct view v;
    struct jobs_state *s = jobs_open(&v);

    cr_assert_eq(key(&v, ' '), R_REDRAW);
    cr_assert_eq(s->n_marks, 1);
    cr_assert_eq(s->list.cur, 1, "marking moves down");
    cr_assert_eq(key(&v, 'c'), R_REDRAW);
    cr_assert_not(a->pending_push, "one mark is not a comparison");
    cr_assert(a->flash_error);
    cr_assert(strstr(a->flash, "mark 2") != NULL, "%s", a->flash);
    key(&v, ' ');
    cr_assert_eq(s->n_marks, 2);
    cr_assert_eq(key(&v, 'c'), R_REDRAW);
    cr_assert(a->pending_push);
    cr_assert_eq(a->pushed.ops, &view_compare_ops);
    cr_assert_eq(a->pushed.n_jobs, 2);
    cr_assert_str_eq(a->pushed.jobs[0], s->marks[0]);
    cr_assert_eq(key(&v, 'u'), R_REDRAW);
    cr_assert_eq(s->n_marks, 0);
    close_view(&v);
}

Test(views, jobs_filter_prompt_sort_and_commands)
{
    struct view v;
    struct jobs_state *s = jobs_open(&v);
    char a0[] = "sort", a1[] = "name", a2[] = "desc", b0[] = "nosuch";
    char *argv_sort[] = { a0, a1, a2 };
    char *argv_bad[] = { b0 };

    cr_assert_eq(key(&v, '/'), R_REDRAW);
    cr_assert_eq(a->prompt, PROMPT_TEXT, "/ opens the filter prompt");
    a->prompt = PROMPT_NONE;
    cr_assert(key(&v, 'N') & R_REDRAW);
    cr_assert_str_eq(s->sort, "name");
    cr_assert(key(&v, 'I') & R_REDRAW);
    cr_assert(key(&v, '>') & R_REDRAW);
    cr_assert_str_neq(s->sort, "name", "> moves the sort to the next column");
    cr_assert(v.ops->on_command(&v, a, 3, argv_sort) & R_REDRAW);
    cr_assert_str_eq(s->sort, "name");
    cr_assert(s->desc);
    cr_assert_eq(v.ops->on_command(&v, a, 1, argv_bad), R_UNHANDLED);
    close_view(&v);
}

/* The job list's filter through the shared language (tui/query.c): every name term holds,
 * a negated comparison becomes the cache's condition, a refused filter or sort changes nothing. */
Test(views, jobs_filter_terms_and_sort_check)
{
    struct view v;
    struct jobs_state *s = jobs_open(&v);
    struct err e = { 0 };
    char a0[] = "sort", a1[] = "bogus", a2[] = "name";
    char *argv_bad[] = { a0, a1 }, *argv_ok[] = { a0, a2 };
    bool desc = true;

    cr_assert_eq(jobs_parse_filter(s, "job !job-a status:Completed", &e), 0, "%s", e.msg);
    cr_assert_str_eq(s->name_regex, "^(?=.*(?:job))(?!.*(?:job-a))");
    cr_assert_not(s->name_invert);
    cr_assert_str_eq(s->status, "Completed");
    jobs_build_query(s);
    jobs_refresh_window(s, a, 10, true);
    cr_assert_eq(s->list.count, 4, "job-b..e: job-a (InProgress, and named) is out");
    cr_assert_eq(jobs_parse_filter(s, "!status:Completed hp.lr>=0.1", &e), 0, "%s", e.msg);
    cr_assert_eq(s->q.n_conds, 2);
    cr_assert_eq(s->q.conds[0].kind, CACHE_COND_STATUS);
    cr_assert_eq(s->q.conds[0].op, CACHE_OP_NE, "!status:X is status != X");
    cr_assert_eq(s->q.conds[1].kind, CACHE_COND_HP);
    cr_assert_str_eq(s->q.conds[1].key, "lr");
    cr_assert_eq(s->q.conds[1].op, CACHE_OP_GE);
    cr_assert_str_eq(s->status, "");
    cr_assert_eq(jobs_parse_filter(s, "!status:InProgress", &e), 0, "%s", e.msg);
    jobs_build_query(s);
    jobs_refresh_window(s, a, 10, true);
    cr_assert_eq(s->list.count, 4, "!status:InProgress: every job but job-a");
    cr_assert_eq(jobs_parse_filter(s, "!status:Completed hp.lr>=0.1", &e), 0, "%s", e.msg);
    cr_assert_eq(jobs_parse_filter(s, "job sys.nope<3", &e), ERR_INVAL);
    cr_assert_str_eq(s->filter, "!status:Completed hp.lr>=0.1", "a refused filter changes nothing");
    cr_assert_not(view_jobs_sort_valid(a, 2, argv_bad, &desc), "an unknown key is refused");
    cr_assert(desc, "and *desc is left alone");
    cr_assert(view_jobs_sort_valid(a, 2, argv_ok, &desc));
    cr_assert_not(desc);
    close_view(&v);
}

Test(views, jobs_cols_command_is_saved_to_the_config)
{
    struct view v;
    struct jobs_state *s = jobs_open(&v);
    char c0[] = "cols", c1[] = "+hp.epochs";
    char *argv_cols[] = { c0, c1 };
    char path[400], buf[256] = "";
    size_t n_cols = s->n_cols;
    FILE *f;

    cr_assert(v.ops->on_command(&v, a, 2, argv_cols) & R_REDRAW);
    cr_assert_eq(s->n_cols, n_cols + 1);
    cr_assert_not(a->flash_error, "%s", a->flash);
    snprintf(path, sizeof(path), "%s/sagetop/config", dir);
    f = fopen(path, "r");
    cr_assert_not_null(f);
    cr_assert_eq(fread(buf, 1, sizeof(buf) - 1, f) > 0, 1);
    fclose(f);
    cr_assert_str_eq(buf, "[ui]\ncolumns hp.epochs\n");
    close_view(&v);
    open_view(&v, &view_jobs_ops, NULL);
    cr_assert_eq(((struct jobs_state *)v.state)->n_cols, n_cols + 1, "read back on enter");
    close_view(&v);
}

Test(views, jobs_stop_asks_first_and_is_refused_read_only)
{
    struct view v;
    struct jobs_state *s = jobs_open(&v);

    cr_assert_str_neq(jobs_current_job(s)->status, "InProgress", "newest first: a finished job");
    cr_assert_eq(key(&v, 'x'), R_REDRAW);
    cr_assert_eq(a->prompt, PROMPT_NONE, "a finished job is not stopped");
    cr_assert(strstr(a->flash, "already Completed") != NULL, "%s", a->flash);
    key(&v, 'G');
    cr_assert_str_eq(jobs_current_job(s)->name, "job-a");
    cr_assert_eq(key(&v, 'x'), R_REDRAW);
    cr_assert_eq(a->prompt, PROMPT_CONFIRM);
    cr_assert_str_eq(a->prompt_label, "stop job-a?");
    a->prompt = PROMPT_NONE;
    a->o.read_only = true;
    cr_assert_eq(key(&v, 'x'), R_UNHANDLED, "the binding is gone under --read-only");
    cr_assert_eq(a->prompt, PROMPT_NONE);
    close_view(&v);
}

/* ---- logs -------------------------------------------------------------------------------- */

Test(views, logs_modes_toggle_and_follow)
{
    struct view v;
    struct logs_state *s;

    open_view(&v, &view_logs_ops, "job-a");
    s = v.state;
    cr_assert(s->follow, "a log opens following");
    cr_assert_eq(key(&v, 'w'), R_REDRAW);
    cr_assert(s->wrap);
    cr_assert_eq(key(&v, 'w'), R_REDRAW);
    cr_assert_not(s->wrap);
    cr_assert_eq(key(&v, 't'), R_REDRAW);
    cr_assert(s->timestamps);
    cr_assert_eq(key(&v, 'g'), R_REDRAW);
    cr_assert_not(s->follow, "g goes to the first line");
    cr_assert_not(s->top_set);
    cr_assert_eq(key(&v, 'G'), R_REDRAW);
    cr_assert(s->follow);
    cr_assert_eq(key(&v, 'j'), R_NONE, "nothing to scroll in an empty log");
    cr_assert_eq(key(&v, '/'), R_REDRAW);
    cr_assert_eq(a->prompt, PROMPT_TEXT);
    a->prompt = PROMPT_NONE;
    cr_assert_eq(key(&v, 'm'), R_REDRAW);
    cr_assert_eq(a->pushed.ops, &view_metrics_ops);
    cr_assert_str_eq(a->pushed.job, "job-a");
    cr_assert_eq(key(&v, 'd'), R_REDRAW);
    cr_assert_eq(a->pushed.ops, &view_detail_ops);
    close_view(&v);
}

/* ---- detail, metrics, compare -------------------------------------------------------------- */

Test(views, detail_opens_logs_and_metrics_and_asks_before_stopping)
{
    struct view v;

    open_view(&v, &view_detail_ops, "job-b");
    cr_assert(view_detail_ops.follows_jobs, "the frame follows the job while detail is open");
    cr_assert_eq(key(&v, 'l'), R_REDRAW);
    cr_assert_eq(a->pushed.ops, &view_logs_ops);
    cr_assert_str_eq(a->pushed.job, "job-b");
    cr_assert_eq(key(&v, 'm'), R_REDRAW);
    cr_assert_eq(a->pushed.ops, &view_metrics_ops);
    cr_assert_eq(key(&v, 'g'), R_NONE, "g at the top moves nothing (the list widget)");
    cr_assert_eq(key(&v, 'x'), R_REDRAW);
    cr_assert_eq(a->prompt, PROMPT_CONFIRM);
    cr_assert(strstr(a->prompt_label, "job-b") != NULL, "%s", a->prompt_label);
    close_view(&v);
}

Test(views, metrics_axis_scale_and_smoothing)
{
    struct view v;

    open_view(&v, &view_metrics_ops, "job-c");
    cr_assert_eq(key(&v, 'x'), R_REDRAW);
    cr_assert(strstr(a->flash, "x axis: epoch") != NULL, "%s", a->flash);
    cr_assert_eq(key(&v, 'x'), R_REDRAW);
    cr_assert(strstr(a->flash, "time since start") != NULL, "%s", a->flash);
    cr_assert_eq(key(&v, 'L'), R_REDRAW);
    cr_assert_eq(key(&v, '+'), R_REDRAW);
    cr_assert_eq(key(&v, '-'), R_REDRAW);
    cr_assert_eq(key(&v, '\n'), R_NONE, "nothing to enlarge without charts");
    cr_assert_eq(key(&v, 'z' + 1000), R_UNHANDLED);
    close_view(&v);
}

Test(views, compare_needs_two_to_ten_jobs)
{
    struct view v;

    memset(&v, 0, sizeof(v));
    v.ops = &view_compare_ops;
    snprintf(v.jobs[0], sizeof(v.jobs[0]), "job-a");
    v.n_jobs = 1;
    cr_assert_lt(view_compare_ops.on_enter(&v, a), 0, "one job is refused");
    cr_assert(a->flash_error);
    cr_assert(strstr(a->flash, "2 to 10") != NULL, "%s", a->flash);
    cr_assert_null(v.state);
}

Test(views, compare_toggles_rebuild_the_tables)
{
    struct view v;

    memset(&v, 0, sizeof(v));
    v.ops = &view_compare_ops;
    snprintf(v.jobs[0], sizeof(v.jobs[0]), "job-a");
    snprintf(v.jobs[1], sizeof(v.jobs[1]), "job-b");
    v.n_jobs = 2;
    v.stale = true;
    cr_assert_eq(view_compare_ops.on_enter(&v, a), 0);
    cr_assert(view_compare_ops.follows_jobs);
    cr_assert_eq(key(&v, 'a'), R_REDRAW);
    cr_assert_eq(key(&v, 't'), R_REDRAW);
    cr_assert_eq(key(&v, 'i'), R_REDRAW);
    /* the tables scroll as a list: nothing drawn yet, nothing to scroll, no redraw */
    cr_assert_eq(key(&v, 'j'), R_NONE);
    cr_assert_eq(key(&v, KEY_UP), R_NONE);
    cr_assert_eq(key(&v, '5'), R_REDRAW, "a job not compared: said");
    cr_assert(a->flash_error);
    cr_assert(strstr(a->flash, "no job 5") != NULL, "%s", a->flash);
    close_view(&v);
}

/* ---- the frame's global actions ------------------------------------------------------------ */

Test(views, global_keys_change_the_frame_state)
{
    struct view v;

    jobs_open(&v);
    cr_assert_eq(keys_dispatch(keys_global, &v, a, ':'), R_REDRAW);
    cr_assert_eq(a->prompt, PROMPT_TEXT);
    cr_assert_str_eq(a->prompt_label, ":");
    a->prompt = PROMPT_NONE;
    cr_assert_eq(keys_dispatch(keys_global, &v, a, 'R'), R_REFRESH | R_REDRAW);
    cr_assert_eq(keys_dispatch(keys_global, &v, a, 'E'), R_REDRAW);
    cr_assert_eq(a->prompt, PROMPT_PICK);
    cr_assert_gt(a->n_pick, 20, "the region picker lists the regions");
    cr_assert_eq(app_prompt_key(a, KEY_DOWN), R_REDRAW);
    cr_assert_eq(a->pick_list.cur, 1);
    /* typing filters the picker (k9s): it stays open and shows the items holding the text */
    cr_assert_eq(app_prompt_key(a, 'w'), R_REDRAW);
    cr_assert_eq(app_prompt_key(a, 'e'), R_REDRAW);
    cr_assert_eq(app_prompt_key(a, 's'), R_REDRAW);
    cr_assert_eq(app_prompt_key(a, 't'), R_REDRAW);
    cr_assert_eq(a->prompt, PROMPT_PICK, "a typed key filters, it does not close the picker");
    cr_assert_str_eq(a->pick_filter, "west");
    cr_assert_gt(a->pick_list.count, 3);
    cr_assert_lt(a->pick_list.count, a->n_pick);
    for (size_t i = 0; i < a->pick_list.count; i++)
        cr_assert(strstr(a->pick_items[a->pick_shown[i]], "west"), "%s",
                  a->pick_items[a->pick_shown[i]]);
    cr_assert_eq(app_prompt_key(a, KEY_BACKSPACE), R_REDRAW);
    cr_assert_str_eq(a->pick_filter, "wes");
    cr_assert_eq(app_prompt_key(a, 27), R_REDRAW, "Esc clears the filter");
    cr_assert_eq(a->prompt, PROMPT_PICK);
    cr_assert_eq(a->pick_list.count, a->n_pick);
    cr_assert_eq(app_prompt_key(a, 27), R_REDRAW, "a second Esc closes the picker");
    cr_assert_eq(a->prompt, PROMPT_NONE);
    close_view(&v);
}
