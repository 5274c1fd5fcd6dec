/* view_tuning_chart.c: a tuning job's charts (`v` on the tuning detail; v->job = the tuning
 * job, v->jobs = its top trials by objective, which the frame follows so their logs and
 * objective points sync). Three charts, `m` cycles them:
 *   1. each trial's final objective over completion order (dots) with the running best as a
 *      step line;
 *   2. objective vs one tuned hyperparameter (dots; `h` picks the next one; log10 x when its
 *      range is Logarithmic, and the title says so);
 *   3. the objective curves (the metric points extracted from the trials' logs) of the top
 *      trials overlaid, `+`/`-` showing more or fewer.
 * The numbers come from cache/tuning_plot.c (as `sagetop tuning plot`), the raster from
 * tui/chart.c; under the chart the raw values: the best trial and its objective as SageMaker
 * reported it. Owns its series and raster; must not block on the network. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "aws/dynbuf.h"
#include "cache/tuning.h"
#include "metrics/series.h"
#include "tui/chart.h"
#include "tui/chart_draw.h"
#include "tui/draw.h"
#include "tui/keys.h"
#include "tui/sanitize.h"
#include "tui/view_tuning_internal.h"
#include "tui/views.h"

enum tchart_mode { TCHART_ORDER, TCHART_HP, TCHART_CURVES, TCHART_MODES };

struct tchart_state {
    enum tchart_mode mode;
    size_t hp;                      /* the hyperparameter of TCHART_HP (index into ranges) */
    size_t top_n;                   /* curves shown (1..v->n_jobs) */
    struct tuning_data d;           /* trials in completion order */
    struct series *lines[VIEW_MAX_JOBS + 1];
    size_t n_lines;
    struct chart_raster raster;
    char note[512];                 /* the line under the chart: raw values, or what is missing */
    char error[512];
};

static struct tchart_state *S(struct view *v)
{
    return v->state;
}

static void lines_free(struct tchart_state *s)
{
    size_t i;

    for (i = 0; i < s->n_lines; i++)
        series_free(s->lines[i]);
    s->n_lines = 0;
}

static struct series *line_new(struct tchart_state *s, const char *name)
{
    struct series *p = series_new(name);

    if (p)
        s->lines[s->n_lines++] = p;
    return p;
}

/* Charts 1 and 2: the final objectives. */
static int load_objective(struct tchart_state *s, const char **by, struct err *e)
{
    const struct cache_tuning_range *r = NULL;
    struct series *pts = line_new(s, "objective");
    struct series *best = s->mode == TCHART_ORDER ? line_new(s, "best so far") : NULL;

    if (!pts || (s->mode == TCHART_ORDER && !best))
        return err_set(e, ERR_NOMEM, "out of memory");
    *by = NULL;
    if (s->mode == TCHART_HP) {
        if (s->d.ranges.n == 0) {
            snprintf(s->note, sizeof(s->note), "no parameter ranges stored for %s", s->d.t.name);
            return 0;
        }
        r = &s->d.ranges.items[s->hp % s->d.ranges.n];
        *by = r->name;
    }
    return cache_tuning_objective_series(&s->d.t, &s->d.trials, *by, r, pts, best, e);
}

/* Chart 3: the top trials' objective metric points, x = step (elapsed seconds without one). */
static int load_curves(struct tchart_state *s, struct view *v, struct app *a, struct err *e)
{
    size_t k, i, with = 0;
    int rc = 0;

    for (k = 0; rc == 0 && k < s->top_n && k < v->n_jobs; k++) {
        struct series_sample *smp = NULL;
        struct series *p;
        double start = 0;
        size_t n = 0;

        if (view_metric_samples(app_cache(a), v->jobs[k], s->d.t.objective_metric, NULL, &start,
                                &smp, &n, NULL) != 0)
            n = 0;
        if (!(p = line_new(s, v->jobs[k]))) {
            free(smp);
            return err_set(e, ERR_NOMEM, "out of memory");
        }
        for (i = 0; rc == 0 && i < n; i++) {
            double x = isfinite(smp[i].step) ? smp[i].step : smp[i].time_s - start;

            rc = series_push(p, x, smp[i].value, e);
        }
        with += n > 0;
        free(smp);
        if (rc == 0)
            rc = series_sort(p, e);
    }
    if (with < k)
        snprintf(s->note, sizeof(s->note), "%zu of the top %zu trials have %s points so far "
                 "(their logs are being fetched)", with, k, s->d.t.objective_metric);
    return rc;
}

static void reload(struct tchart_state *s, struct view *v, struct app *a)
{
    struct cache *c = app_cache(a);
    struct err e = { 0 };
    const char *by = NULL;

    lines_free(s);
    s->error[0] = s->note[0] = '\0';
    if (tuning_data_load(c, v->job, CACHE_TRIALS_BY_COMPLETION, &s->d, &e) != 0 ||
        (s->mode == TCHART_CURVES ? load_curves(s, v, a, &e) : load_objective(s, &by, &e)) != 0)
        snprintf(s->error, sizeof(s->error), "%s: %s", v->job, e.msg);
    else if (!s->note[0] && s->d.t.best_job[0])
        /* the raw value SageMaker reported, never a value read off the raster */
        snprintf(s->note, sizeof(s->note), "best %.6g  %s", s->d.t.best_value, s->d.t.best_job);
}

static void tchart_draw(struct view *v, struct app *a, const struct rect *r)
{
    struct tchart_state *s = S(v);
    struct chart_line lines[VIEW_MAX_JOBS + 1];
    const struct cache_tuning_range *g = NULL;
    struct chart_opts o;
    struct dynbuf title;
    struct err e = { 0 };
    char xname[300];
    size_t i;

    if (v->stale) {
        reload(s, v, a);
        v->stale = false;
    }
    if (s->error[0]) {
        draw_str(r->y + 1, r->x + 2, r->w - 2, s->error, theme_attr(TH_ERROR));
        return;
    }
    if (r->w < 20 || r->h < 7) {
        draw_str(r->y, r->x, r->w, "too small for a chart", theme_attr(TH_DIM));
        return;
    }
    memset(lines, 0, sizeof(lines));
    for (i = 0; i < s->n_lines; i++) {
        lines[i].s = s->lines[i];
        lines[i].run = (int)i;
        /* final objectives are dots; the best-so-far step and the curves are lines */
        lines[i].points = s->mode != TCHART_CURVES && i == 0;
    }
    chart_opts_init(&o, r->w, r->h - 1);
    o.glyphs = draw_utf8() ? CHART_GLYPHS_AUTO : CHART_GLYPHS_ASCII;
    o.x_kind = SERIES_X_STEP;
    o.markers = s->mode == TCHART_CURVES;
    dynbuf_init(&title, 4096);
    if (s->mode == TCHART_CURVES) {
        dynbuf_printf(&title, "%s: %s curves of the top %zu trials (x: step)", s->d.t.name,
                      s->d.t.objective_metric, s->n_lines);
    } else {
        if (s->mode == TCHART_HP && s->d.ranges.n > 0)
            g = &s->d.ranges.items[s->hp % s->d.ranges.n];
        cache_tuning_plot_title(&s->d.t, g ? g->name : NULL, g, &title);
        /* the x axis says what x is: the trial's rank, or the value (its log10 when the
         * range is logarithmic) */
        snprintf(xname, sizeof(xname), "%s%s", cache_tuning_range_log(g) ? "log10 " : "",
                 g ? g->name : "trial");
        o.x_name = xname;
    }
    o.title = dynbuf_str(&title);
    if (chart_render(&s->raster, lines, s->n_lines, &o, &e) == 0)
        chart_draw(stdscr, r->y, r->x, &s->raster);
    else
        draw_str(r->y + 1, r->x + 2, r->w - 2, e.msg, theme_attr(TH_ERROR));
    dynbuf_free(&title);
    draw_untrusted(r->y + r->h - 1, r->x + 1, r->w - 1, s->note, strlen(s->note),
                   theme_attr(TH_DIM));
}

static void tchart_title(struct view *v, struct app *a, char *buf, size_t size)
{
    static const char *const names[TCHART_MODES] = { "by completion", "vs hyperparameter",
                                                     "top curves" };

    (void)a;
    snprintf(buf, size, "tuning chart: %s  %s", v->job, names[S(v)->mode]);
}

/* ---- actions -------------------------------------------------------------------------------- */

static int act_mode(struct view *v, struct app *a)
{
    (void)a;
    S(v)->mode = (S(v)->mode + 1) % TCHART_MODES;
    v->stale = true;
    return R_REDRAW;
}

static int act_hp(struct view *v, struct app *a)
{
    struct tchart_state *s = S(v);

    (void)a;
    /* from another chart: the hyperparameter shown last time, else the next one */
    if (s->mode == TCHART_HP)
        s->hp = s->d.ranges.n ? (s->hp + 1) % s->d.ranges.n : 0;
    s->mode = TCHART_HP;
    v->stale = true;
    return R_REDRAW;
}

static int act_more(struct view *v, struct app *a)
{
    struct tchart_state *s = S(v);

    if (app_key(a) == '+' && s->top_n < v->n_jobs)
        s->top_n++;
    else if (app_key(a) == '-' && s->top_n > 1)
        s->top_n--;
    else
        return R_NONE;
    s->mode = TCHART_CURVES;
    v->stale = true;
    return R_REDRAW;
}

/* `:sort` and `:filter` are refused here rather than acting on the job list underneath: the
 * charts have no order of their own (the trials table behind them has). */
static int tchart_command(struct view *v, struct app *a, int argc, char **argv)
{
    (void)v;
    (void)argc;
    if (strcmp(argv[0], "sort") != 0 && strcmp(argv[0], "filter") != 0)
        return R_UNHANDLED;
    app_flash(a, true, "the tuning charts have no %s (q: back to the trials, which :sort "
              "orders)", argv[0]);
    return R_REDRAW;
}

/* Nothing to complete after `:sort ` / `:filter ` (see tchart_command); the other commands'
 * arguments as in the job list. */
static size_t tchart_complete(struct view *v, struct app *a, const char *line, const char *word,
                              char (*out)[128], size_t max)
{
    if (tuning_complete_arg(line) != TUNING_ARG_OTHER)
        return 0;
    return view_jobs_complete(v, a, line, word, out, max);
}

static const struct key_binding tchart_keys[] = {
    { 'm', "m", "mode: by completion, vs a hyperparameter, top curves", act_mode, KB_FOOTER },
    { 'h', "h", "objective vs the next tuned hyperparameter", act_hp, KB_FOOTER },
    { '+', "+/-", "more / fewer top trials' curves", act_more, KB_FOOTER },
    { '-', "-", "fewer curves", act_more, KB_HIDDEN },
    { 0, NULL, NULL, NULL, 0 },
};

static int tchart_enter(struct view *v, struct app *a)
{
    struct tchart_state *s = calloc(1, sizeof(*s));

    (void)a;
    if (!s)
        return -1;
    chart_raster_init(&s->raster);
    s->top_n = v->n_jobs < 5 ? v->n_jobs : 5;
    v->state = s;
    v->stale = true;
    return 0;
}

static void tchart_leave(struct view *v, struct app *a)
{
    struct tchart_state *s = S(v);

    (void)a;
    if (!s)
        return;
    lines_free(s);
    tuning_data_clean(&s->d);
    chart_raster_clean(&s->raster);
    free(s);
    v->state = NULL;
}

const struct view_ops view_tuning_chart_ops = {
    .name = "tuning chart",
    .keys = tchart_keys,
    .on_enter = tchart_enter,
    .on_leave = tchart_leave,
    .draw = tchart_draw,
    .on_command = tchart_command,
    .complete = tchart_complete,
    .title = tchart_title,
    .follows_jobs = true,
};
