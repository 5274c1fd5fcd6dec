/* view_metrics.c: the metric view of one job (`m` on a job): every metric with points as a small
 * chart in a grid; Enter enlarges the selected one with a legend and a cursor that reads out
 * the value under it. x is the training step by default; `x` cycles step, epoch, time since the
 * job started and wall time (a metric whose points carry no step or epoch falls back to the time
 * since start, and its title says so); y may be log-scaled; an EMA with a visible, adjustable
 * factor is drawn over the raw curve (dimmed; markers and labels keep the raw values), by default
 * only on series of a few hundred points or more. The enlarged chart has a cursor (Left/Right or a
 * click) whose legend line reads out the raw value of the point nearest to it, and an x zoom (`z`
 * halves the range around the cursor, `Z` resets; the title and status line say the range).
 * Keys 1..9 show the points of host algo-N (each host's first process, as `sagetop metrics
 * --instance`), ] and [ step through the global ranks of a launcher (`--rank`), 0 goes back to
 * the default (rank 0 on algo-1); a host or rank the job does not have is said, not ignored.
 *
 * Owns its state (the series loaded from the cache and one raster reused across draws). Live:
 * the job's logs are followed while the view is open (follows_jobs) and the series are
 * re-read when the cache changes, so the chart of a running job grows as lines arrive. Reads
 * only the UI's cache connection; never blocks on the network; actions never draw. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "metrics/procprefix.h"
#include "tui/chart.h"
#include "tui/chart_draw.h"
#include "tui/draw.h"
#include "tui/keys.h"
#include "tui/list.h"
#include "tui/sanitize.h"
#include "tui/views.h"

#define MV_MAX_METRICS 64
#define MV_CELL_MIN_H 8
#define MV_CELL_MIN_W 36

static const double ema_steps[] = { 0, 0.3, 0.6, 0.8, 0.9, 0.95, 0.99 };
#define N_EMA_STEPS (sizeof(ema_steps) / sizeof(ema_steps[0]))
/* Until +/- is pressed, EMA is "auto": a series of fewer points than this is not smoothed (a
 * 4-point eval curve smoothed is a lie), a longer one gets EMA_AUTO_I. */
#define EMA_AUTO_MIN_POINTS 300
#define EMA_AUTO_I 2

struct mv_metric {
    struct series *s;            /* name and point count only (the samples hold the data) */
    struct series_sample *smp;   /* the first instance's points in time order; owned */
    size_t n_smp;
};

/* x cycles in this order. */
static const enum series_x_kind x_cycle[] = { SERIES_X_STEP, SERIES_X_EPOCH, SERIES_X_ELAPSED,
                                              SERIES_X_WALL };
#define N_X_KINDS (sizeof(x_cycle) / sizeof(x_cycle[0]))

static const char *x_name(enum series_x_kind k)
{
    switch (k) {
    case SERIES_X_STEP: return "step";
    case SERIES_X_EPOCH: return "epoch";
    case SERIES_X_ELAPSED: return "elapsed";
    case SERIES_X_WALL: return "time";
    }
    return "?";
}

struct metrics_state {
    struct mv_metric m[MV_MAX_METRICS];
    size_t n;
    double start_s;        /* TrainingStartTime (or the first point) in Unix seconds */
    char status[CACHE_STATUS_MAX];
    char error[256];       /* the last load error, shown instead of the charts */
    size_t sel;            /* selected metric */
    size_t top_row;        /* first grid row shown */
    bool zoom;             /* the selected metric fills the view */
    size_t x_i;            /* index into x_cycle */
    bool log_y;
    size_t ema_i;          /* index into ema_steps, unless ema_auto */
    bool ema_auto;         /* by point count: none under EMA_AUTO_MIN_POINTS */
    int cursor_col;        /* zoomed: cursor column within the plot, -1 none */
    double cursor_goto;    /* NaN, or an x the next draw puts the cursor on (after a zoom) */
    double zoom_lo, zoom_hi;   /* the enlarged chart's x range; NaN: all of it */
    double data_lo, data_hi;   /* the enlarged series' x range as last drawn (zoom bounds) */
    char host[32];         /* "" the default (algo-1, else every host's first), else "algo-N" */
    int rank;              /* PROCSEL_FIRST: by host (above); else this global rank's points */
    size_t n_hosts;        /* hosts with a log stream, as last loaded */
    int per_host;          /* processes per host (procprefix_per_host), 0 unknown */
    int grid_cols;         /* as last drawn, for up/down moves */
    int grid_rows, cell_w, cell_h;   /* the grid as last drawn, for mouse clicks */
    struct rect body;      /* the body as last drawn */
    enum chart_glyphs glyphs;   /* ASCII when the terminal is not UTF-8 */
    struct chart_raster raster;
};

static struct metrics_state *S(struct view *v) { return v->state; }

static void clear_series(struct metrics_state *s)
{
    size_t i;

    for (i = 0; i < s->n; i++) {
        series_free(s->m[i].s);
        free(s->m[i].smp);
    }
    s->n = 0;
}

static int load_one(struct cache *c, const char *job, const char *name,
                    const struct procsel *sel, double *start, struct mv_metric *out,
                    struct err *e)
{
    struct series *s;
    struct series_sample *smp = NULL;
    size_t i, n = 0;
    int rc;

    if ((rc = view_metric_samples(c, job, name, sel, start, &smp, &n, e)) != 0)
        return rc;
    if ((s = series_new(name)) == NULL) {
        free(smp);
        return err_set(e, ERR_NOMEM, "out of memory");
    }
    for (i = 0; i < n; i++)
        if (isfinite(smp[i].value))
            s->n_finite++;     /* the title's point count */
    out->s = s;
    out->smp = smp;
    out->n_smp = n;
    return 0;
}

static void reload(struct metrics_state *s, struct app *a, const char *job)
{
    struct cache_metric_stat_list ms;
    struct cache_kv_list hosts;
    struct procsel sel = { PROCSEL_FIRST, NULL, 0 };
    struct cache_job cj;
    struct err e = { 0 };
    size_t i;

    s->error[0] = '\0';
    memset(&ms, 0, sizeof(ms));
    clear_series(s);
    memset(&hosts, 0, sizeof(hosts));
    if (cache_logs_instances(app_cache(a), job, &hosts, NULL) == 0)
        s->n_hosts = hosts.n;
    cache_kv_list_clean(&hosts);
    s->per_host = sel.per_host = cache_job_procs_per_host(app_cache(a), job);
    if (s->rank >= 0)
        sel.rank = s->rank;
    else if (s->host[0] != '\0')
        sel.host = s->host;
    if (cache_job_get(app_cache(a), job, &cj, &e) != 0) {
        snprintf(s->error, sizeof(s->error), "%s", e.msg);
        return;
    }
    str_copy(s->status, sizeof(s->status), cj.status);
    s->start_s = cj.start_time;
    if (cache_job_metric_stats(app_cache(a), job, &ms, &e) != 0) {
        snprintf(s->error, sizeof(s->error), "%s", e.msg);
        return;
    }
    for (i = 0; i < ms.n && s->n < MV_MAX_METRICS; i++) {
        if (ms.items[i].count == 0)
            continue;   /* a final value only: nothing to draw */
        if (load_one(app_cache(a), job, ms.items[i].name,
                     s->rank >= 0 || s->host[0] != '\0' ? &sel : NULL, &s->start_s,
                     &s->m[s->n], &e) != 0) {
            snprintf(s->error, sizeof(s->error), "%s", e.msg);
            break;
        }
        if (s->m[s->n].n_smp == 0 && (s->rank >= 0 || s->host[0] != '\0')) {
            /* another process's metric: this one never logged it */
            series_free(s->m[s->n].s);
            free(s->m[s->n].smp);
            continue;
        }
        s->n++;
    }
    cache_metric_stat_list_clean(&ms);
    if (s->sel >= s->n)
        s->sel = s->n > 0 ? s->n - 1 : 0;
}

/* The EMA weight for a series as drawn: the chosen one, or by its size while auto. */
static double ema_weight(const struct metrics_state *s, const struct series *d)
{
    if (s->ema_auto)
        return d->n_finite >= EMA_AUTO_MIN_POINTS ? ema_steps[EMA_AUTO_I] : 0;
    return ema_steps[s->ema_i];
}

/* The series as drawn on the chosen x, plus its EMA when the factor > 0. A metric none of whose
 * points carries a step is drawn over its epochs, else (or when none carries the chosen epoch)
 * over the time since start (*kind says which x was used). disp and smooth are fresh series the
 * caller frees; smooth is NULL without EMA. */
static int display_series(const struct metrics_state *s, size_t i, struct series **disp,
                          struct series **smooth, enum series_x_kind *kind)
{
    const struct mv_metric *m = &s->m[i];
    struct series *d = series_new(m->s->name), *sm = NULL;
    enum series_x_kind k = x_cycle[s->x_i];
    size_t j, have = 0;

    *disp = NULL;
    *smooth = NULL;
    for (j = 0; j < m->n_smp; j++)
        have += isfinite(series_sample_x(&m->smp[j], k, s->start_s));
    if (have == 0 && k == SERIES_X_STEP) {
        /* an eval metric logged per epoch: epochs are the next best x, and say so */
        k = SERIES_X_EPOCH;
        for (j = 0; j < m->n_smp; j++)
            have += isfinite(series_sample_x(&m->smp[j], k, s->start_s));
    }
    if (have == 0)
        k = SERIES_X_ELAPSED;
    if (d == NULL || series_reserve(d, m->n_smp, NULL) != 0)
        goto fail;
    for (j = 0; j < m->n_smp; j++) {
        double x = series_sample_x(&m->smp[j], k, s->start_s);

        if (isfinite(x))
            series_push(d, x, m->smp[j].value, NULL);
    }
    if (series_sort(d, NULL) != 0)
        goto fail;
    if (ema_weight(s, d) > 0) {
        char name[300];

        snprintf(name, sizeof(name), "%s EMA %g", d->name, ema_weight(s, d));
        sm = series_new(name);
        if (sm == NULL || series_ema(d, ema_weight(s, d), sm, NULL) != 0)
            goto fail;
    }
    *disp = d;
    *smooth = sm;
    *kind = k;
    return 0;
fail:
    series_free(d);
    series_free(sm);
    return ERR_NOMEM;
}

/* " [zoom 1200-1800]": the enlarged chart's x range while zoomed. */
static void zoom_note(const struct metrics_state *s, enum series_x_kind kind, char *buf,
                      size_t size)
{
    char lo[48], hi[48];
    size_t n = strlen(buf);

    chart_format_cursor_x(kind, s->zoom_lo, lo, sizeof(lo));
    chart_format_cursor_x(kind, s->zoom_hi, hi, sizeof(hi));
    snprintf(buf + n, size - n, " [zoom %s to %s, Z resets]", lo, hi);
}

/* The cursor's x: its column's centre, moved onto the raw series' point in that column when
 * there is one, so that a single series reads out exactly at the cursor. */
static double cursor_x(const struct metrics_state *s, const struct series *d)
{
    int col = s->raster.plot_x + s->cursor_col;
    double x = chart_x_at_column(&s->raster, col);
    size_t k = series_nearest(d, x);

    if (k != SIZE_MAX && chart_column_of(&s->raster, d->pts[k].x) == col)
        return d->pts[k].x;
    return x;
}

/* Renders metric i into s->raster at w × h. cursor < 0: none. */
static int render(struct metrics_state *s, size_t i, int w, int h, bool big, struct err *e)
{
    struct series *d = NULL, *sm = NULL;
    struct chart_line lines[2];
    struct chart_opts o;
    enum series_x_kind kind = SERIES_X_ELAPSED;
    char title[400], note[128] = "";
    size_t n = 0;
    int rc;

    if (display_series(s, i, &d, &sm, &kind) != 0)
        return err_set(e, ERR_NOMEM, "out of memory");
    memset(lines, 0, sizeof(lines));
    lines[n].s = d;
    lines[n].label = d->name;
    lines[n].run = 0;
    lines[n].dim = sm != NULL;   /* faint under its EMA, but still drawn and still marked */
    n++;
    if (sm != NULL) {
        lines[n].s = sm;
        lines[n].label = sm->name;
        lines[n].run = 0;
        lines[n].smoothed = true;
        n++;
    }
    chart_opts_init(&o, w, h);
    o.glyphs = s->glyphs;
    o.x_kind = kind;
    o.log_y = s->log_y;
    o.legend = big;
    o.markers = true;
    if (kind != x_cycle[s->x_i])
        snprintf(note, sizeof(note), " [no %s: x %s]", x_name(x_cycle[s->x_i]), x_name(kind));
    if (big) {
        s->data_lo = d->x_min;
        s->data_hi = d->x_max;
        o.x_lo = s->zoom_lo;
        o.x_hi = s->zoom_hi;
        if (isfinite(s->zoom_lo))
            zoom_note(s, kind, note, sizeof(note));
    }
    snprintf(title, sizeof(title), "%s%s%s (%zu)%s", i == s->sel && !big ? "> " : "",
             d->name, s->log_y ? " log" : "", d->n_finite, note);
    o.title = title;
    rc = chart_render(&s->raster, lines, n, &o, e);
    if (rc == 0 && big && isfinite(s->cursor_goto)) {
        int col = chart_column_of(&s->raster, s->cursor_goto);

        s->cursor_col = col >= 0 ? col - s->raster.plot_x : s->raster.plot_w / 2;
        s->cursor_goto = NAN;
    }
    if (rc == 0 && big && s->cursor_col >= 0) {
        if (s->cursor_col >= s->raster.plot_w)
            s->cursor_col = s->raster.plot_w - 1;
        o.cursor_x = cursor_x(s, d);
        rc = chart_render(&s->raster, lines, n, &o, e);
    }
    series_free(d);
    series_free(sm);
    return rc;
}

/* Whose points are drawn: "host: algo-2 (1-9)" or "rank: 8 on algo-2 ([/])". */
static void procs_name(const struct metrics_state *s, char *buf, size_t size)
{
    char host[32];

    if (s->rank < 0) {
        snprintf(buf, size, "host: %s (1-9)", s->host[0] != '\0' ? s->host : "algo-1");
        return;
    }
    if (procprefix_host_of_rank(s->rank, s->per_host, (int)s->n_hosts, host, sizeof(host)) != 0)
        snprintf(host, sizeof(host), "?");
    snprintf(buf, size, "rank: %d on %s ([/])", s->rank, host);
}

static void draw_status(struct view *v, struct app *a, struct metrics_state *s, int y, int x,
                        int w)
{
    char follow[128] = "", line[600], ema[48], procs[64];

    app_follow_state(a, v->job, follow, sizeof(follow));
    procs_name(s, procs, sizeof(procs));
    if (s->ema_auto)
        snprintf(ema, sizeof(ema), "auto");
    else if (s->ema_i == 0)
        snprintf(ema, sizeof(ema), "off");
    else
        snprintf(ema, sizeof(ema), "%.2f", ema_steps[s->ema_i]);
    snprintf(line, sizeof(line),
             "x: %s (x)  log-y: %s (L)  EMA: %s (+/-)  %s%s%s  %zu metrics  %s  %s%s",
             x_name(x_cycle[s->x_i]), s->log_y ? "on" : "off", ema,
             s->zoom && isfinite(s->zoom_lo) ? "zoomed (Z)" : "",
             s->zoom && isfinite(s->zoom_lo) ? "  " : "",
             procs, s->n,
             s->status, cache_status_final(s->status) ? "" : "live: ",
             cache_status_final(s->status) ? "" : follow);
    draw_fill(y, x, w, theme_attr(TH_DIM));
    draw_str(y, x, w, line, theme_attr(TH_DIM));
}

static void metrics_draw(struct view *v, struct app *a, const struct rect *r)
{
    struct metrics_state *s = S(v);
    struct err e = { 0 };
    int cols, rows_vis, cw, ch, k;
    size_t i;

    if (v->stale) {
        reload(s, a, v->job);
        v->stale = false;
    }
    s->glyphs = app_utf8(a) ? CHART_GLYPHS_AUTO : CHART_GLYPHS_ASCII;
    s->body = *r;
    s->grid_rows = 0;
    for (k = 0; k < r->h; k++)
        draw_fill(r->y + k, r->x, r->w, theme_attr(TH_NORMAL));
    if (r->h < 3)
        return;
    draw_status(v, a, s, r->y + r->h - 1, r->x, r->w);
    if (s->error[0] != '\0' || s->n == 0) {
        draw_str(r->y + 1, r->x + 2, r->w - 4,
                 s->error[0] != '\0' ? s->error
                 : s->rank >= 0 || s->host[0] != '\0'
                     ? "no metric points of this process (0: back to the default)"
                 : cache_status_final(s->status)
                     ? "no metric points in the cache for this job"
                     : "no metric points yet: waiting for the job's log (loading…)",
                 theme_attr(s->error[0] != '\0' ? TH_ERROR : TH_DIM));
        return;
    }
    if (s->zoom) {
        if (r->w < 20 || r->h - 1 < 5 || render(s, s->sel, r->w, r->h - 1, true, &e) != 0) {
            draw_str(r->y + 1, r->x + 2, r->w - 4, "terminal too small for the chart",
                     theme_attr(TH_WARN));
            return;
        }
        chart_draw(stdscr, r->y, r->x, &s->raster);
        return;
    }
    cols = r->w / MV_CELL_MIN_W;
    if (cols < 1)
        cols = 1;
    if (cols > 4)
        cols = 4;
    if ((size_t)cols > s->n)
        cols = (int)s->n;
    s->grid_cols = cols;
    cw = r->w / cols;
    rows_vis = (r->h - 1) / MV_CELL_MIN_H;
    if (rows_vis < 1)
        rows_vis = 1;
    {
        size_t rows_all = (s->n + (size_t)cols - 1) / (size_t)cols;

        if ((size_t)rows_vis > rows_all)
            rows_vis = (int)rows_all;
        if (s->sel / (size_t)cols < s->top_row)
            s->top_row = s->sel / (size_t)cols;
        if (s->sel / (size_t)cols >= s->top_row + (size_t)rows_vis)
            s->top_row = s->sel / (size_t)cols - (size_t)rows_vis + 1;
    }
    ch = (r->h - 1) / rows_vis;
    s->grid_rows = rows_vis;
    s->cell_w = cw;
    s->cell_h = ch;
    if (cw < 20 || ch < 5) {
        draw_str(r->y + 1, r->x + 2, r->w - 4, "terminal too small for the charts",
                 theme_attr(TH_WARN));
        return;
    }
    for (i = s->top_row * (size_t)cols;
         i < s->n && i < (s->top_row + (size_t)rows_vis) * (size_t)cols; i++) {
        int gy = (int)(i / (size_t)cols - s->top_row), gx = (int)(i % (size_t)cols);
        int y = r->y + gy * ch, x = r->x + gx * cw;

        if (render(s, i, cw - 1, ch, false, &e) != 0)
            continue;
        chart_draw(stdscr, y, x, &s->raster);
        if (i == s->sel)
            mvchgat(y, x, cw - 1, theme_attr(TH_SELECTED), 0, NULL);
    }
}

/* ---- actions ------------------------------------------------------------------------ */

static void zoom_reset(struct metrics_state *s)
{
    s->zoom_lo = s->zoom_hi = NAN;
    s->cursor_col = -1;
    s->cursor_goto = NAN;
}

static int move_sel(struct view *v, long d)
{
    struct metrics_state *s = S(v);
    long n = (long)s->sel + d;

    if (s->n == 0 || n < 0 || n >= (long)s->n)
        return R_NONE;
    s->sel = (size_t)n;
    return R_REDRAW;
}

static int act_left(struct view *v, struct app *a)
{
    struct metrics_state *s = S(v);

    (void)a;
    if (!s->zoom)
        return move_sel(v, -1);
    if (s->cursor_col < 0)
        s->cursor_col = s->raster.plot_w > 0 ? s->raster.plot_w - 1 : 0;
    else if (s->cursor_col > 0)
        s->cursor_col--;
    return R_REDRAW;
}

static int act_right(struct view *v, struct app *a)
{
    struct metrics_state *s = S(v);

    (void)a;
    if (!s->zoom)
        return move_sel(v, 1);
    if (s->cursor_col < 0)
        s->cursor_col = 0;
    else
        s->cursor_col++;     /* clamped to the plot when drawn */
    return R_REDRAW;
}

static int act_down(struct view *v, struct app *a)
{
    (void)a;
    return S(v)->zoom ? R_NONE : move_sel(v, S(v)->grid_cols > 0 ? S(v)->grid_cols : 1);
}

static int act_up(struct view *v, struct app *a)
{
    (void)a;
    return S(v)->zoom ? R_NONE : move_sel(v, -(S(v)->grid_cols > 0 ? S(v)->grid_cols : 1));
}

static int act_zoom(struct view *v, struct app *a)
{
    (void)a;
    if (S(v)->n == 0)
        return R_NONE;
    S(v)->zoom = !S(v)->zoom;
    zoom_reset(S(v));
    return R_REDRAW;
}

/* z: the enlarged chart's x range halved around the cursor (or its middle). */
static int act_zoom_in(struct view *v, struct app *a)
{
    struct metrics_state *s = S(v);
    double lo = isfinite(s->zoom_lo) ? s->zoom_lo : s->data_lo;
    double hi = isfinite(s->zoom_hi) ? s->zoom_hi : s->data_hi, c, half;

    if (!s->zoom) {
        app_flash(a, true, "z zooms the enlarged chart: press Enter first");
        return R_REDRAW;
    }
    if (!(hi > lo)) {
        app_flash(a, true, "nothing to zoom: the chart has one x value");
        return R_REDRAW;
    }
    c = s->cursor_col >= 0 ? chart_x_at_column(&s->raster, s->raster.plot_x + s->cursor_col)
                           : (lo + hi) / 2;
    if (!isfinite(c))
        c = (lo + hi) / 2;
    half = (hi - lo) / 4;
    if (half * 2 < (s->data_hi - s->data_lo) * 1e-6) {
        app_flash(a, true, "zoomed in as far as it goes (Z resets)");
        return R_REDRAW;
    }
    /* inside the data: a window past its end shows nothing */
    if (c - half < s->data_lo)
        c = s->data_lo + half;
    if (c + half > s->data_hi)
        c = s->data_hi - half;
    s->zoom_lo = c - half;
    s->zoom_hi = c + half;
    if (s->cursor_col >= 0)
        s->cursor_goto = c;
    return R_REDRAW;
}

static int act_zoom_reset(struct view *v, struct app *a)
{
    if (!isfinite(S(v)->zoom_lo)) {
        app_flash(a, false, "not zoomed: the chart shows its whole x range");
        return R_REDRAW;
    }
    zoom_reset(S(v));
    app_flash(a, false, "zoom reset: the whole x range");
    return R_REDRAW;
}

/* 1..9: host algo-N's points; 0: the default. Said either way, and refused for a host the job
 * does not have. */
static int act_host(struct view *v, struct app *a)
{
    struct metrics_state *s = S(v);
    int k = app_key(a) - '0';

    if (k == 0 || (k == 1 && s->n_hosts <= 1)) {
        s->host[0] = '\0';
        s->rank = PROCSEL_FIRST;
        app_flash(a, false, "host algo-1 (the default): its first process's points");
    } else if ((size_t)k > s->n_hosts) {
        app_flash(a, true, "no host algo-%d: this job has %zu instance%s", k, s->n_hosts,
                  s->n_hosts == 1 ? "" : "s");
        return R_REDRAW;
    } else {
        snprintf(s->host, sizeof(s->host), "algo-%d", k);
        s->rank = PROCSEL_FIRST;
        app_flash(a, false, "host %s: its first process's points (%zu hosts)", s->host,
                  s->n_hosts);
    }
    v->stale = true;
    return R_REDRAW;
}

/* ] and [: the next / previous global rank of a launcher (from the default: rank 0; below 0:
 * the default again). A rank past the job's processes (hosts x processes per host) is said. */
static int act_rank(struct view *v, struct app *a)
{
    struct metrics_state *s = S(v);
    int want = app_key(a) == ']' ? (s->rank < 0 ? 0 : s->rank + 1) : s->rank - 1;
    int procs = s->per_host * (int)(s->n_hosts > 0 ? s->n_hosts : 1);
    char host[32];

    if (app_key(a) == '[' && s->rank < 0) {
        app_flash(a, true, "already the default process (rank 0 on algo-1): ] for ranks");
        return R_REDRAW;
    }
    if (want >= 0 && s->per_host <= 0) {
        app_flash(a, true, "no ranks known for this job (no processes-per-host hyperparameter "
                           "and no GPU instance type)");
        return R_REDRAW;
    }
    if (want >= procs) {
        app_flash(a, true, "no rank %d: this job runs ranks 0 to %d (%zu host%s x %d)", want,
                  procs - 1, s->n_hosts, s->n_hosts == 1 ? "" : "s", s->per_host);
        return R_REDRAW;
    }
    s->host[0] = '\0';
    s->rank = want < 0 ? PROCSEL_FIRST : want;
    if (s->rank < 0)
        app_flash(a, false, "the default process: rank 0 on algo-1");
    else if (procprefix_host_of_rank(s->rank, s->per_host, (int)s->n_hosts, host,
                                     sizeof(host)) == 0)
        app_flash(a, false, "rank %d (on %s): its points", s->rank, host);
    else
        app_flash(a, false, "rank %d: its points", s->rank);
    v->stale = true;
    return R_REDRAW;
}

/* A click: on the enlarged chart's plot puts the cursor there; on a grid chart selects it. */
static int act_mouse(struct view *v, struct app *a)
{
    struct metrics_state *s = S(v);
    struct list_mouse m;
    int gx, gy;
    size_t i;

    (void)a;
    if (!list_mouse_last(&m) || m.kind != LIST_MOUSE_CLICK)
        return R_UNHANDLED;
    if (s->zoom) {
        int col = m.x - s->body.x - s->raster.plot_x;

        if (col < 0 || col >= s->raster.plot_w)
            return R_NONE;
        s->cursor_col = col;
        return R_REDRAW;
    }
    if (s->grid_rows <= 0 || s->cell_w <= 0 || s->cell_h <= 0 || m.y < s->body.y ||
        m.x < s->body.x)
        return R_NONE;
    gy = (m.y - s->body.y) / s->cell_h;
    gx = (m.x - s->body.x) / s->cell_w;
    if (gy >= s->grid_rows || gx >= s->grid_cols)
        return R_NONE;
    i = (s->top_row + (size_t)gy) * (size_t)s->grid_cols + (size_t)gx;
    if (i >= s->n)
        return R_NONE;
    s->sel = i;
    return R_REDRAW;
}

static int act_x(struct view *v, struct app *a)
{
    static const char *const what[] = { "training step", "epoch", "time since start",
                                         "wall time" };

    S(v)->x_i = (S(v)->x_i + 1) % N_X_KINDS;
    zoom_reset(S(v));
    app_flash(a, false, "x axis: %s", what[S(v)->x_i]);
    return R_REDRAW;
}

static int act_log(struct view *v, struct app *a)
{
    (void)a;
    S(v)->log_y = !S(v)->log_y;
    return R_REDRAW;
}

/* +/- leave auto: the first + turns smoothing on at 0.3, the first - turns it off. */
static int act_ema_up(struct view *v, struct app *a)
{
    (void)a;
    if (S(v)->ema_auto)
        S(v)->ema_i = 0;
    S(v)->ema_auto = false;
    if (S(v)->ema_i + 1 < N_EMA_STEPS)
        S(v)->ema_i++;
    return R_REDRAW;
}

static int act_ema_down(struct view *v, struct app *a)
{
    (void)a;
    if (S(v)->ema_auto)
        S(v)->ema_i = 1;
    S(v)->ema_auto = false;
    if (S(v)->ema_i > 0)
        S(v)->ema_i--;
    return R_REDRAW;
}

static int act_top(struct view *v, struct app *a)
{
    (void)a;
    S(v)->sel = 0;
    return R_REDRAW;
}

static const struct key_binding metrics_keys[] = {
    { '\n', "Enter", "enlarge / grid", act_zoom, KB_FOOTER },
    { KEY_ENTER, "Enter", "enlarge", act_zoom, KB_HIDDEN },
    { '\r', "Enter", "enlarge", act_zoom, KB_HIDDEN },
    { KEY_LEFT, "Left/h", "previous chart; enlarged: move the cursor left", act_left, 0 },
    { 'h', "h", "left", act_left, KB_HIDDEN },
    { KEY_RIGHT, "Right/l", "next chart; enlarged: move the cursor right", act_right, 0 },
    { 'l', "l", "right", act_right, KB_HIDDEN },
    { KEY_DOWN, "Down/j", "chart below", act_down, 0 },
    { 'j', "j", "down", act_down, KB_HIDDEN },
    { KEY_UP, "Up/k", "chart above", act_up, 0 },
    { 'k', "k", "up", act_up, KB_HIDDEN },
    { 'g', "g", "first chart", act_top, 0 },
    { 'x', "x", "x axis", act_x, KB_FOOTER },
    { 'L', "L", "log y", act_log, KB_FOOTER },
    { '+', "+/-", "EMA", act_ema_up, KB_FOOTER },
    { '=', "=", "EMA stronger", act_ema_up, KB_HIDDEN },
    { '-', "-", "EMA weaker", act_ema_down, KB_HIDDEN },
    { 'z', "z/Z", "enlarged: zoom x around the cursor / reset", act_zoom_in, KB_FOOTER },
    { 'Z', "Z", "reset the zoom", act_zoom_reset, KB_HIDDEN },
    KEYS_DIGITS(act_host, "points of host algo-N", "the default process"),
    { ']', "]/[", "points of the next / previous rank", act_rank, 0 },
    { '[', "[", "previous rank", act_rank, KB_HIDDEN },
    { KEY_MOUSE, "click", "select a chart; enlarged: put the cursor there", act_mouse,
      KB_HIDDEN },
    { 0, NULL, NULL, NULL, 0 },
};

static int metrics_enter(struct view *v, struct app *a)
{
    struct metrics_state *s = calloc(1, sizeof(*s));

    (void)a;
    if (s == NULL)
        return -1;
    chart_raster_init(&s->raster);
    zoom_reset(s);
    s->rank = PROCSEL_FIRST;
    s->ema_auto = true;
    v->state = s;
    return 0;
}

static void metrics_leave(struct view *v, struct app *a)
{
    struct metrics_state *s = S(v);

    (void)a;
    if (s == NULL)
        return;
    clear_series(s);
    chart_raster_clean(&s->raster);
    free(s);
    v->state = NULL;
}

const struct view_ops view_metrics_ops = {
    .name = "metrics",
    .keys = metrics_keys,
    .on_enter = metrics_enter,
    .on_leave = metrics_leave,
    .draw = metrics_draw,
    .follows_jobs = true,
};
