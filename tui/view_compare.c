/* view_compare.c: the compare view (`c` on 2..10 marked jobs): the hyperparameters that differ
 * (one column per job; all rows, sagemaker_* and transposition on keys), the metrics table with
 * the best job's cell highlighted (best, last, min, max or when the best was reached), resources
 * and estimated cost, and the curves of one chosen metric for every job overlaid, with a legend
 * naming each job in its run colour. Keys 1..9 hide and show job N's curve (0 shows them all);
 * the legend keeps a hidden job's line and says "hidden". The tables scroll as a tui/list.c
 * list (j/k, PgDn/PgUp, g/G, the wheel, Left/Right sideways) with a marker where lines or
 * columns are cut; a click on a metric's row charts it. A click on the chart (or < and >) puts
 * a cursor there whose legend reads out every job's raw value at the nearest point.
 *
 * Owns its state: the jobs' hyperparameters and series loaded from the UI's cache connection,
 * and the tables built from them with metrics/compare.h (the same tables `sagetop compare`
 * prints). Reloads when the cache changes. Never blocks; actions never draw. The tables index
 * points by training step ("best at" is the step of the best; the time since start for a job
 * whose points carry no step); the curves' x is the step by default and `x` cycles step, epoch,
 * time since each job started and wall time. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tui/chart_draw.h"
#include "tui/draw.h"
#include "tui/keys.h"
#include "tui/pager.h"
#include "tui/sanitize.h"
#include "tui/view_compare_internal.h"

static struct compare_state *S(struct view *v) { return v->state; }

static const enum series_x_kind x_cycle[] = { SERIES_X_STEP, SERIES_X_EPOCH, SERIES_X_ELAPSED,
                                              SERIES_X_WALL };
static const char *const x_names[] = { "step", "epoch", "elapsed", "time" };
#define N_X_KINDS (sizeof(x_cycle) / sizeof(x_cycle[0]))

static void job_clean(struct cv_job *j)
{
    size_t i;

    for (i = 0; i < j->n_mi; i++) {
        series_free((struct series *)j->mi[i].s);
        free((char *)j->mi[i].name);
        free(j->smp[i]);
    }
    free(j->kv);
    cache_kv_list_clean(&j->hp);
    memset(j, 0, sizeof(*j));
}

static void clear_data(struct compare_state *s)
{
    size_t k;

    compare_hp_clean(&s->hp);
    compare_metrics_clean(&s->mt);
    for (k = 0; k < s->n; k++)
        job_clean(&s->jobs[k]);
}

/* One metric of a job (the first instance: every host logs the same Trainer lines): the
 * samples with every x, and the series the tables use, indexed by step when every point has
 * one (else by the time since the job started). Fills j->mi/smp/n_smp/by_step at index k. */
static int load_series(struct cache *c, struct cv_job *j, size_t k, const char *name,
                       struct err *e)
{
    struct series *s = NULL;
    struct series_sample *smp = NULL;
    size_t i, n = 0, with_step = 0;
    int rc;

    if ((rc = view_metric_samples(c, j->cj.name, name, NULL, &j->start_s, &smp, &n, e)) != 0)
        return rc;
    rc = ERR_NOMEM;
    if ((s = series_new(j->cj.name)) == NULL)
        goto fail;
    for (i = 0; i < n; i++)
        with_step += !isnan(smp[i].step);
    j->by_step[k] = n > 0 && with_step == n;
    for (i = 0; i < n; i++) {
        rc = series_push(s, series_sample_x(&smp[i], j->by_step[k] ? SERIES_X_STEP
                                                                    : SERIES_X_ELAPSED,
                                            j->start_s),
                         smp[i].value, e);
        if (rc != 0)
            goto fail;
    }
    if ((rc = series_sort(s, e)) != 0)
        goto fail;
    j->mi[k].s = s;
    j->smp[k] = smp;
    j->n_smp[k] = n;
    return 0;
fail:
    series_free(s);
    free(smp);
    return rc == ERR_NOMEM ? err_set(e, ERR_NOMEM, "out of memory") : rc;
}

static int load_job(struct cache *c, const char *name, struct cv_job *j, struct err *e)
{
    struct cache_metric_stat_list ms;
    struct compare_resources_in ri;
    size_t i;
    int rc;

    memset(&ms, 0, sizeof(ms));
    if ((rc = cache_job_get(c, name, &j->cj, e)) != 0)
        return rc;
    j->start_s = j->cj.start_time;
    if ((rc = cache_job_hyperparameters(c, name, &j->hp, e)) != 0)
        return rc;
    j->kv = calloc(j->hp.n + 1, sizeof(*j->kv));
    if (j->kv == NULL)
        return err_set(e, ERR_NOMEM, "out of memory");
    for (i = 0; i < j->hp.n; i++) {
        j->kv[i].key = j->hp.items[i].key;
        j->kv[i].value = j->hp.items[i].value;
    }
    if ((rc = cache_job_metric_stats(c, name, &ms, e)) != 0)
        return rc;
    for (i = 0; i < ms.n && j->n_mi < CV_MAX_METRICS; i++) {
        if (ms.items[i].count == 0)
            continue;
        if ((rc = load_series(c, j, j->n_mi, ms.items[i].name, e)) != 0)
            break;
        j->mi[j->n_mi].name = strdup(ms.items[i].name);
        j->n_mi++;      /* counted first: job_clean frees what was loaded */
        if (j->mi[j->n_mi - 1].name == NULL) {
            rc = err_set(e, ERR_NOMEM, "out of memory");
            break;
        }
    }
    cache_metric_stat_list_clean(&ms);
    ri.instance_type = j->cj.instance_type;
    ri.instance_count = j->cj.instance_count;
    ri.training_s = (double)j->cj.training_seconds;
    ri.billable_s = (double)j->cj.billable_seconds;
    ri.spot = j->cj.spot;
    compare_resources_compute(&ri, &j->res);
    return rc;
}

static void rebuild_tables(struct compare_state *s)
{
    struct compare_hp_job hpj[VIEW_MAX_JOBS];
    struct compare_metrics_job mj[VIEW_MAX_JOBS];
    struct err e = { 0 };
    size_t k;

    compare_hp_clean(&s->hp);
    compare_metrics_clean(&s->mt);
    for (k = 0; k < s->n; k++) {
        hpj[k].items = s->jobs[k].kv;
        hpj[k].n = s->jobs[k].hp.n;
        mj[k].metrics = s->jobs[k].mi;
        mj[k].n = s->jobs[k].n_mi;
    }
    if (compare_hp_build(hpj, s->n, (s->all ? COMPARE_HP_ALL : 0u) |
                                        (s->internal ? COMPARE_HP_INTERNAL : 0u),
                         &s->hp, &e) != 0 ||
        compare_metrics_build(mj, s->n, NULL, 0, &s->mt, &e) != 0) {
        snprintf(s->error, sizeof(s->error), "%s", e.msg);
        return;
    }
    if (s->chart_metric >= s->mt.n_rows)
        s->chart_metric = 0;
    compare_build_page(s);
}

static void reload(struct compare_state *s, struct view *v, struct app *a)
{
    struct err e = { 0 };
    char keep[256] = "";
    size_t k;

    v->stale = false;
    s->error[0] = '\0';
    if (s->chart_metric < s->mt.n_rows)
        str_copy(keep, sizeof(keep), s->mt.rows[s->chart_metric].name);
    clear_data(s);
    for (k = 0; k < s->n; k++) {
        if (load_job(app_cache(a), v->jobs[k], &s->jobs[k], &e) != 0) {
            snprintf(s->error, sizeof(s->error), "%s: %s", v->jobs[k], e.msg);
            return;
        }
    }
    rebuild_tables(s);
    /* keep the chosen metric across reloads; first time, a loss if there is one */
    for (k = 0; k < s->mt.n_rows; k++)
        if ((keep[0] != '\0' && strcmp(s->mt.rows[k].name, keep) == 0) ||
            (keep[0] == '\0' && strcmp(s->mt.rows[k].name, "eval_loss") == 0)) {
            s->chart_metric = k;
            compare_build_page(s);
            break;
        }
}

/* ---- drawing ------------------------------------------------------------------------- */

/* The curve of metric mi of job j on x kind k; NULL when out of memory. */
static struct series *curve(const struct cv_job *j, size_t mi, enum series_x_kind k)
{
    struct series *c = series_new(j->cj.name);
    size_t i;

    if (c == NULL || series_reserve(c, j->n_smp[mi], NULL) != 0) {
        series_free(c);
        return NULL;
    }
    for (i = 0; i < j->n_smp[mi]; i++) {
        double x = series_sample_x(&j->smp[mi][i], k, j->start_s);

        if (isfinite(x))
            series_push(c, x, j->smp[mi][i].value, NULL);
    }
    series_sort(c, NULL);
    return c;
}

static size_t hidden_count(const struct compare_state *s)
{
    size_t k, n = 0;

    for (k = 0; k < s->n; k++)
        n += s->hidden[k];
    return n;
}

static void draw_chart(struct compare_state *s, struct app *a, int y, int x, int w, int h)
{
    struct chart_line lines[VIEW_MAX_JOBS];
    struct series *curves[VIEW_MAX_JOBS];
    struct chart_opts o;
    struct err e = { 0 };
    char title[300];
    size_t k, n = 0, with_x = 0;
    enum series_x_kind kind = x_cycle[s->x_i];
    const char *metric;

    if (s->mt.n_rows == 0 || w < 20 || h < 5)
        return;
    metric = s->mt.rows[s->chart_metric].name;
    memset(lines, 0, sizeof(lines));
    /* an axis no job's points carry (no step or epoch logged) falls back to elapsed */
    for (k = 0; k < s->n; k++) {
        size_t mi = compare_metric_index(&s->jobs[k], metric), i;

        for (i = 0; mi < s->jobs[k].n_mi && i < s->jobs[k].n_smp[mi] && with_x == 0; i++)
            with_x += isfinite(series_sample_x(&s->jobs[k].smp[mi][i], kind, 0));
    }
    if (with_x == 0)
        kind = SERIES_X_ELAPSED;
    for (k = 0; k < s->n; k++) {
        size_t mi = compare_metric_index(&s->jobs[k], metric);

        if (mi >= s->jobs[k].n_mi || (curves[n] = curve(&s->jobs[k], mi, kind)) == NULL)
            continue;
        lines[n].s = curves[n];
        lines[n].label = s->jobs[k].cj.name;
        lines[n].run = (int)k;
        lines[n].hidden = s->hidden[k];
        n++;
    }
    chart_opts_init(&o, w, h);
    o.glyphs = app_utf8(a) ? CHART_GLYPHS_AUTO : CHART_GLYPHS_ASCII;
    o.x_kind = kind;
    snprintf(title, sizeof(title),
             "%s, %s (n/p: metric, 1-9: show/hide, </>: cursor)  x: %s%s (x)", metric,
             hidden_count(s) > 0 ? "some jobs hidden" : "all jobs", x_names[s->x_i],
             kind != x_cycle[s->x_i] ? " [not logged: elapsed]" : "");
    o.title = title;
    if (chart_render(&s->raster, lines, n, &o, &e) == 0 && s->cursor_col >= 0) {
        if (s->cursor_col >= s->raster.plot_w)
            s->cursor_col = s->raster.plot_w - 1;
        o.cursor_x = chart_x_at_column(&s->raster, s->raster.plot_x + s->cursor_col);
        chart_render(&s->raster, lines, n, &o, &e);
    }
    if (e.code == 0) {
        chart_draw(stdscr, y, x, &s->raster);
        s->chart_y = y;
        s->chart_x = x;
    }
    for (k = 0; k < n; k++)
        series_free(curves[k]);
}

static void compare_draw(struct view *v, struct app *a, const struct rect *r)
{
    struct compare_state *s = S(v);
    int k, text_h, chart_h;
    size_t i;

    if (v->stale)
        reload(s, v, a);
    s->chart_y = -1;    /* until draw_chart draws one */
    for (k = 0; k < r->h; k++)
        draw_fill(r->y + k, r->x, r->w, theme_attr(TH_NORMAL));
    if (s->error[0] != '\0') {
        draw_str(r->y + 1, r->x + 2, r->w - 4, s->error, theme_attr(TH_ERROR));
        return;
    }
    text_h = r->h;
    chart_h = 0;
    if (s->layout == 0) {
        text_h = (int)s->n_lines < r->h / 2 ? (int)s->n_lines : r->h / 2;
        if (r->h - text_h < 10)
            text_h = r->h - 10 > 0 ? r->h - 10 : r->h;
        chart_h = r->h - text_h;
    } else if (s->layout == 2) {
        text_h = 0;
        chart_h = r->h;
    }
    list_resize(&s->list, s->n_lines, text_h > 0 ? text_h : 1);
    s->rows_y = r->y;
    s->list.content_w = 0;
    for (i = 0; i < s->n_lines; i++)
        if (compare_line_width(s, &s->lines[i]) > s->list.content_w)
            s->list.content_w = compare_line_width(s, &s->lines[i]);
    s->list.view_w = r->w;
    list_hscroll(&s->list, 0);    /* clamps after a resize or a narrower table */
    for (i = 0; (int)i < text_h && s->list.top + i < s->n_lines; i++)
        compare_draw_line(s, &s->lines[s->list.top + i], r->y + (int)i, r->x, r->w,
                          s->list.hoff);
    /* lines cut above or below: a marker at the right end of the first / last line */
    if (text_h > 0 && list_more_above(&s->list))
        draw_str(r->y, r->x + r->w - 1, 1, draw_sym(SYM_UP), theme_attr(TH_TITLE) | A_BOLD);
    if (text_h > 0 && list_more_below(&s->list))
        draw_str(r->y + text_h - 1, r->x + r->w - 1, 1, draw_sym(SYM_DOWN),
                 theme_attr(TH_TITLE) | A_BOLD);
    if (chart_h >= 5)
        draw_chart(s, a, r->y + text_h, r->x, r->w, chart_h);
}

/* ---- actions ------------------------------------------------------------------------- */

static int toggle(struct view *v, bool *flag)
{
    *flag = !*flag;
    rebuild_tables(S(v));
    return R_REDRAW;
}

static int act_all(struct view *v, struct app *a) { (void)a; return toggle(v, &S(v)->all); }
static int act_internal(struct view *v, struct app *a)
{
    (void)a;
    return toggle(v, &S(v)->internal);
}

static int act_transpose(struct view *v, struct app *a)
{
    (void)a;
    return toggle(v, &S(v)->transpose);
}

static int act_stat(struct view *v, struct app *a)
{
    (void)a;
    S(v)->stat = (enum cv_stat)((S(v)->stat + 1) % CV_NSTATS);
    compare_build_page(S(v));
    return R_REDRAW;
}

static int step_metric(struct view *v, int d)
{
    struct compare_state *s = S(v);

    if (s->mt.n_rows == 0)
        return R_NONE;
    s->chart_metric = (s->chart_metric + s->mt.n_rows + (size_t)(d + (int)s->mt.n_rows)) %
                      s->mt.n_rows;
    compare_build_page(s);
    return R_REDRAW;
}

static int act_next(struct view *v, struct app *a) { (void)a; return step_metric(v, 1); }
static int act_prev(struct view *v, struct app *a) { (void)a; return step_metric(v, -1); }

static int act_x(struct view *v, struct app *a)
{
    static const char *const what[] = { "training step", "epoch", "time since each job started",
                                         "wall time" };

    S(v)->x_i = (S(v)->x_i + 1) % N_X_KINDS;
    S(v)->cursor_col = -1;
    app_flash(a, false, "chart x axis: %s", what[S(v)->x_i]);
    return R_REDRAW;
}

/* 1..9: hides or shows job N's curve, and says so; 0 shows every curve. */
static int act_run(struct view *v, struct app *a)
{
    struct compare_state *s = S(v);
    int k = app_key(a) - '1';

    if (k < 0) {
        memset(s->hidden, 0, sizeof(s->hidden));
        app_flash(a, false, "chart: every job shown");
        return R_REDRAW;
    }
    if ((size_t)k >= s->n) {
        app_flash(a, true, "no job %d: comparing %zu jobs", k + 1, s->n);
        return R_REDRAW;
    }
    s->hidden[k] = !s->hidden[k];
    app_flash(a, false, "chart: %s %s (%zu of %zu shown)", s->jobs[k].cj.name,
              s->hidden[k] ? "hidden" : "shown", s->n - hidden_count(s), s->n);
    return R_REDRAW;
}

static int act_layout(struct view *v, struct app *a)
{
    (void)a;
    S(v)->layout = (S(v)->layout + 1) % 3;
    return R_REDRAW;
}

/* The list keys scroll the tables (j/k, PgDn/PgUp, g/G, the wheel); a click on a metric's row
 * charts that metric. */
static int act_nav(struct view *v, struct app *a)
{
    struct compare_state *s = S(v);
    struct list_mouse m;
    long row = -1;

    if (app_key(a) != KEY_MOUSE)
        return list_key(&s->list, app_key(a), LIST_KEYS_HJKL | LIST_KEYS_G) > 0 ? R_REDRAW
                                                                                : R_NONE;
    if (!list_mouse_last(&m))
        return R_NONE;
    if (m.kind == LIST_MOUSE_CLICK && s->chart_y >= 0 && m.y >= s->chart_y) {
        int col = m.x - s->chart_x - s->raster.plot_x, prow = m.y - s->chart_y;

        if (col < 0 || col >= s->raster.plot_w || prow < s->raster.plot_y ||
            prow >= s->raster.plot_y + s->raster.plot_h)
            return R_NONE;
        s->cursor_col = col;
        return R_REDRAW;
    }
    switch (list_mouse(&s->list, &m, s->rows_y, false, &row)) {
    case LIST_MOUSE_MOVED:
        return R_REDRAW;
    case LIST_MOUSE_ROW:
        if (row >= 0 && (size_t)row < s->n_lines && s->lines[row].mt_row >= 0) {
            s->chart_metric = (size_t)s->lines[row].mt_row;
            compare_build_page(s);
            return R_REDRAW;
        }
        return R_NONE;
    case LIST_MOUSE_IGNORED:
    case LIST_MOUSE_HEADER:
        break;
    }
    return R_NONE;
}

/* < and >: the chart's cursor one column left / right (from the right / left end). */
static int act_cursor(struct view *v, struct app *a)
{
    struct compare_state *s = S(v);

    if (s->chart_y < 0) {
        app_flash(a, true, "no chart on screen (v: layout)");
        return R_REDRAW;
    }
    if (app_key(a) == '<')
        s->cursor_col = s->cursor_col < 0 ? s->raster.plot_w - 1
                        : s->cursor_col > 0 ? s->cursor_col - 1 : 0;
    else
        s->cursor_col++;    /* clamped to the plot when drawn */
    return R_REDRAW;
}

/* Left/Right (h/l): the tables sideways, a third of the screen at a time. */
static int act_side(struct view *v, struct app *a)
{
    struct compare_state *s = S(v);
    int key = app_key(a), d = s->list.view_w / 3 > 4 ? s->list.view_w / 3 : 4;

    return list_hscroll(&s->list, key == KEY_LEFT || key == 'h' ? -d : d) ? R_REDRAW : R_NONE;
}

static void page_line(void *ctx, size_t i, struct dynbuf *out)
{
    const struct compare_state *s = ctx;

    compare_line_text(s, &s->lines[i], out);
}

/* `|`: the tables as text in $PAGER, at the line on top of the screen. */
static int act_pager(struct view *v, struct app *a)
{
    struct compare_state *s = S(v);

    pager_show_text(a, s->n_lines, page_line, s, s->n_lines ? (long)s->list.top + 1 : 0);
    return R_REDRAW;
}

static const struct key_binding compare_keys[] = {
    { 'a', "a", "all rows", act_all, KB_FOOTER },
    { 'i', "i", "sagemaker_*", act_internal, KB_FOOTER },
    { 't', "t", "transpose", act_transpose, KB_FOOTER },
    { 's', "s", "statistic", act_stat, KB_FOOTER },
    { 'n', "n/p", "chart: next / previous metric", act_next, KB_FOOTER },
    { 'p', "p", "chart: previous metric", act_prev, KB_HIDDEN },
    { 'v', "v", "layout: tables + chart, tables, chart", act_layout, KB_FOOTER },
    { 'x', "x", "x axis", act_x, KB_FOOTER },
    KEYS_DIGITS(act_run, "chart: hide / show job N's curve", "chart: show every job"),
    KEYS_LIST_NAV(act_nav, "scroll down", "scroll up", "top", "bottom"),
    { '>', "</>", "chart: move the cursor (a click puts it there)", act_cursor, 0 },
    { '<', "<", "chart: cursor left", act_cursor, KB_HIDDEN },
    KEYS_LIST_SIDEWAYS(act_side),
    { 'h', "h", "scroll left", act_side, KB_HIDDEN },
    { 'l', "l", "scroll right", act_side, KB_HIDDEN },
    { '|', "|", "open the tables in $PAGER", act_pager, 0 },
    { 0, NULL, NULL, NULL, 0 },
};

static int compare_enter(struct view *v, struct app *a)
{
    struct compare_state *s;

    if (v->n_jobs < 2 || v->n_jobs > 10) {
        app_flash(a, true, "compare needs 2 to 10 marked jobs (%zu marked)", v->n_jobs);
        return -1;
    }
    s = calloc(1, sizeof(*s));
    if (s == NULL)
        return -1;
    s->jobs = calloc(v->n_jobs, sizeof(*s->jobs));
    if (s->jobs == NULL) {
        free(s);
        return -1;
    }
    s->n = v->n_jobs;
    s->cursor_col = -1;
    s->chart_y = -1;
    chart_raster_init(&s->raster);
    v->state = s;
    return 0;
}

static void compare_leave(struct view *v, struct app *a)
{
    struct compare_state *s = S(v);

    (void)a;
    if (s == NULL)
        return;
    clear_data(s);
    free(s->jobs);
    free(s->lines);
    chart_raster_clean(&s->raster);
    free(s);
    v->state = NULL;
}

const struct view_ops view_compare_ops = {
    .name = "compare",
    .keys = compare_keys,
    .on_enter = compare_enter,
    .on_leave = compare_leave,
    .draw = compare_draw,
    /* describe the jobs and fetch their logs: the tables fill in as the worker reports */
    .follows_jobs = true,
};
