/* view_hosts.c: one job's CloudWatch host metrics (`H` on a job's detail): one row per host
 * with a sparkline and the current value of each metric (CPU, memory, GPU, GPU memory, disk);
 * Enter enlarges the selected metric into a chart over the job's life with every host
 * overlaid (tui/chart.c), the GPU memory chart marking the 100 % line. GPU figures are a share
 * of the instance's GPUs (CloudWatch sums them over the GPUs: cache/sysmetrics.h).
 *
 * Reads the cache only (cache_sys_points on the UI's connection), again when the cache
 * changes; the worker fetches the metrics while the view follows the job (a finished job's
 * once). Must not fetch, write to the cache or wait on anything. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "aws/instance_types.h"
#include "cache/sysmetrics.h"
#include "metrics/series.h"
#include "tui/chart.h"
#include "tui/chart_draw.h"
#include "tui/draw.h"
#include "tui/keys.h"
#include "tui/sanitize.h"
#include "tui/spark.h"
#include "tui/views.h"

#define HOSTS_MAX CACHE_SYS_HOSTS_MAX
#define HOSTS_N_METRICS 5           /* cache_sys_metric_names[] */
#define HOST_COL_W 9                /* "algo-12  " */
#define VALUE_W 5                   /* " 100%" */

static const char *const metric_titles[HOSTS_N_METRICS] = {"CPU", "MEM", "GPU", "GPU MEM",
                                                           "DISK"};

struct host {
    char name[CACHE_SYS_HOST_MAX];
    struct series *s[HOSTS_N_METRICS];   /* x: epoch s, y: percent (GPU: share); owned */
};

struct hosts_state {
    struct cache_job job;
    bool have_job;
    int gpus;                        /* of the instance type, 0 unknown or none */
    struct host hosts[HOSTS_MAX];
    size_t n_hosts;
    size_t n_points;
    size_t sel_host, sel_metric;
    bool zoom;
    struct chart_raster raster;
    char error[256];
};

static struct hosts_state *S(struct view *v)
{
    return v->state;
}

static void clear_hosts(struct hosts_state *s)
{
    for (size_t i = 0; i < s->n_hosts; i++)
        for (size_t m = 0; m < HOSTS_N_METRICS; m++)
            series_free(s->hosts[i].s[m]);
    s->n_hosts = 0;
    s->n_points = 0;
}

static int metric_index(const char *metric)
{
    for (size_t m = 0; m < HOSTS_N_METRICS && m < cache_sys_n_metrics; m++)
        if (strcmp(cache_sys_metric_names[m], metric) == 0)
            return (int)m;
    return -1;
}

static struct host *host_of(struct hosts_state *s, const char *name)
{
    struct host *h;

    for (size_t i = 0; i < s->n_hosts; i++)
        if (strcmp(s->hosts[i].name, name) == 0)
            return &s->hosts[i];
    if (s->n_hosts == HOSTS_MAX)
        return NULL;
    h = &s->hosts[s->n_hosts];
    memset(h, 0, sizeof(*h));
    str_copy(h->name, sizeof(h->name), name);
    for (size_t m = 0; m < HOSTS_N_METRICS; m++)
        if ((h->s[m] = series_new(name)) == NULL) {
            for (size_t k = 0; k < m; k++)
                series_free(h->s[k]);
            return NULL;
        }
    s->n_hosts++;
    return h;
}

/* Hosts in their number's order: algo-2 before algo-10. */
static int host_cmp(const void *x, const void *y)
{
    const struct host *a = x, *b = y;
    const char *da = strrchr(a->name, '-'), *db = strrchr(b->name, '-');

    if (da != NULL && db != NULL && atoi(da + 1) != atoi(db + 1))
        return atoi(da + 1) < atoi(db + 1) ? -1 : 1;
    return strcmp(a->name, b->name);
}

static void reload(struct hosts_state *s, struct app *a, const char *job)
{
    struct cache_sys_point_list l = {0};
    struct err e = {0};

    clear_hosts(s);
    s->error[0] = '\0';
    s->have_job = cache_job_get(app_cache(a), job, &s->job, NULL) == 0;
    s->gpus = s->have_job ? instance_types_gpus(s->job.instance_type) : 0;
    if (cache_sys_points(app_cache(a), job, NULL, NULL, &l, &e) != 0) {
        str_copy(s->error, sizeof(s->error), e.msg);
        return;
    }
    for (size_t i = 0; i < l.n; i++) {
        const struct cache_sys_point *p = &l.items[i];
        int m = metric_index(p->metric);
        struct host *h = m >= 0 ? host_of(s, p->host) : NULL;
        double y = cache_sys_metric_per_gpu(p->metric) ? cache_sys_share(p->value, s->gpus)
                                                       : p->value;

        if (h != NULL && series_push(h->s[m], (double)p->ts_s, y, NULL) == 0)
            s->n_points++;
    }
    cache_sys_point_list_clean(&l);
    qsort(s->hosts, s->n_hosts, sizeof(s->hosts[0]), host_cmp);
    if (s->sel_host >= s->n_hosts)
        s->sel_host = s->n_hosts > 0 ? s->n_hosts - 1 : 0;
}

/* The newest finite value of a series, NaN when none. */
static double last_value(const struct series *sr)
{
    for (size_t i = sr->len; i > 0; i--)
        if (isfinite(sr->pts[i - 1].y))
            return sr->pts[i - 1].y;
    return NAN;
}

/* One cell: the sparkline of the newest values that fit, then the current value. */
static void draw_cell(int y, int x, int w, const struct series *sr, bool utf8, attr_t attr)
{
    double v[128];
    char sp[128 * 3 + 1];
    int n_sp = w - VALUE_W - 1;
    size_t n = 0;
    double last = last_value(sr);

    draw_fill(y, x, w, attr);
    if (n_sp > 128)
        n_sp = 128;
    for (size_t i = sr->len > (size_t)(n_sp > 0 ? n_sp : 0) ? sr->len - (size_t)n_sp : 0;
         n_sp > 0 && i < sr->len; i++)
        v[n++] = sr->pts[i].y;
    spark_text(v, n, 0, 100, utf8, sp, sizeof(sp));
    draw_str(y, x, n_sp > 0 ? n_sp : 0, sp, attr);
    if (isfinite(last))
        draw_fmt(y, x + w - VALUE_W - 1, VALUE_W, attr, "%4.0f%%", last);
    else
        draw_str(y, x + w - 2, 1, "-", attr | theme_attr(TH_DIM));
}

static void draw_grid(struct hosts_state *s, struct app *a, const struct rect *r)
{
    int cw = (r->w - HOST_COL_W) / HOSTS_N_METRICS;
    attr_t t = theme_attr(TH_TITLE);

    draw_str(r->y, r->x, HOST_COL_W, "HOST", t);
    for (size_t m = 0; m < HOSTS_N_METRICS; m++)
        draw_fmt(r->y, r->x + HOST_COL_W + (int)m * cw, cw - 1, t, "%*s", cw - 2,
                 metric_titles[m]);
    for (size_t i = 0; i < s->n_hosts && (int)i + 1 < r->h - 1; i++) {
        int y = r->y + 1 + (int)i;

        draw_untrusted(y, r->x, HOST_COL_W, s->hosts[i].name, strlen(s->hosts[i].name),
                 i == s->sel_host ? theme_attr(TH_SELECTED) : theme_attr(TH_NORMAL));
        for (size_t m = 0; m < HOSTS_N_METRICS; m++)
            draw_cell(y, r->x + HOST_COL_W + (int)m * cw, cw - 1, s->hosts[i].s[m],
                      app_utf8(a),
                      i == s->sel_host && m == s->sel_metric ? theme_attr(TH_SELECTED)
                                                             : theme_attr(TH_NORMAL));
    }
}

/* The selected metric over the job's life, every host a line; GPU memory gets its 100 %
 * line (dim): past it the GPUs' memory is full. */
static int render_chart(struct hosts_state *s, struct app *a, int w, int h, struct err *e)
{
    struct chart_line lines[HOSTS_MAX + 1];
    struct series *full = NULL;
    struct chart_opts o;
    const char *metric = cache_sys_metric_names[s->sel_metric];
    char title[160];
    size_t n = 0;
    int rc;

    memset(lines, 0, sizeof(lines));
    for (size_t i = 0; i < s->n_hosts; i++) {
        lines[n].s = s->hosts[i].s[s->sel_metric];
        lines[n].label = s->hosts[i].name;
        lines[n].run = (int)i;
        n++;
    }
    if (strcmp(metric, "GPUMemoryUtilization") == 0 && s->n_hosts > 0) {
        full = series_new("100 %");
        if (full == NULL)
            return err_set(e, ERR_NOMEM, "out of memory");
        for (size_t i = 0; i < s->n_hosts; i++) {
            const struct series *sr = s->hosts[i].s[s->sel_metric];

            if (sr->len > 0) {
                series_push(full, sr->x_min, 100.0, NULL);
                series_push(full, sr->x_max, 100.0, NULL);
            }
        }
        series_sort(full, NULL);
        lines[n].s = full;
        lines[n].label = "100 %";
        lines[n].run = (int)s->n_hosts;
        lines[n].dim = true;
        n++;
    }
    chart_opts_init(&o, w, h);
    o.glyphs = app_utf8(a) ? CHART_GLYPHS_AUTO : CHART_GLYPHS_ASCII;
    o.x_kind = SERIES_X_WALL;
    o.legend = true;
    o.markers = true;
    if (cache_sys_metric_per_gpu(metric) && s->gpus > 0)
        snprintf(title, sizeof(title), "%s, %% of the %d GPU%s of each host, %zu host%s", metric,
                 s->gpus, s->gpus == 1 ? "" : "s", s->n_hosts, s->n_hosts == 1 ? "" : "s");
    else
        snprintf(title, sizeof(title), "%s %%, %zu host%s", metric, s->n_hosts,
                 s->n_hosts == 1 ? "" : "s");
    o.title = title;
    rc = chart_render(&s->raster, lines, n, &o, e);
    series_free(full);
    return rc;
}

static void draw_status(struct hosts_state *s, int y, int x, int w)
{
    char line[256];

    snprintf(line, sizeof(line), "%zu host%s  %zu points  %s  %s", s->n_hosts,
             s->n_hosts == 1 ? "" : "s", s->n_points,
             s->gpus > 0 ? "GPU: share of the instance's GPUs" : "",
             s->have_job && !cache_status_final(s->job.status) ? "live: every minute" : "");
    draw_fill(y, x, w, theme_attr(TH_DIM));
    draw_str(y, x, w, line, theme_attr(TH_DIM));
}

static void hosts_draw(struct view *v, struct app *a, const struct rect *r)
{
    struct hosts_state *s = S(v);
    struct err e = {0};

    if (v->stale) {
        reload(s, a, v->job);
        v->stale = false;
    }
    for (int k = 0; k < r->h; k++)
        draw_fill(r->y + k, r->x, r->w, theme_attr(TH_NORMAL));
    if (r->h < 3)
        return;
    draw_status(s, r->y + r->h - 1, r->x, r->w);
    if (s->error[0] != '\0' || s->n_hosts == 0) {
        bool running = s->have_job && !cache_status_final(s->job.status);

        draw_str(r->y + 1, r->x + 2, r->w - 4,
                 s->error[0] != '\0' ? s->error
                 : running ? "no host metrics yet (CloudWatch publishes them every minute): "
                             "loading…"
                           : "no host metrics in the cache for this job (loading…)",
                 theme_attr(s->error[0] != '\0' ? TH_ERROR : TH_DIM));
        return;
    }
    if (!s->zoom) {
        draw_grid(s, a, r);
        return;
    }
    if (r->w < 20 || r->h - 1 < 5 || render_chart(s, a, r->w, r->h - 1, &e) != 0) {
        draw_str(r->y + 1, r->x + 2, r->w - 4,
                 e.msg[0] ? e.msg : "terminal too small for the chart", theme_attr(TH_WARN));
        return;
    }
    chart_draw(stdscr, r->y, r->x, &s->raster);
}

static void hosts_title(struct view *v, struct app *a, char *buf, size_t size)
{
    struct hosts_state *s = S(v);

    (void)a;
    if (s->zoom)
        snprintf(buf, size, "hosts: %s: %s", v->job, metric_titles[s->sel_metric]);
    else
        snprintf(buf, size, "hosts: %s", v->job);
}

/* ---- actions ------------------------------------------------------------------------------ */

static int act_zoom(struct view *v, struct app *a)
{
    (void)a;
    S(v)->zoom = !S(v)->zoom;
    return R_REDRAW;
}

static int act_metric(struct view *v, struct app *a)
{
    struct hosts_state *s = S(v);
    int k = app_key(a);

    if ((k == KEY_RIGHT || k == 'l') && s->sel_metric + 1 < HOSTS_N_METRICS)
        s->sel_metric++;
    else if ((k == KEY_LEFT || k == 'h') && s->sel_metric > 0)
        s->sel_metric--;
    return R_REDRAW;
}

static int act_host(struct view *v, struct app *a)
{
    struct hosts_state *s = S(v);
    int k = app_key(a);

    if ((k == KEY_DOWN || k == 'j') && s->sel_host + 1 < s->n_hosts)
        s->sel_host++;
    else if ((k == KEY_UP || k == 'k') && s->sel_host > 0)
        s->sel_host--;
    return R_REDRAW;
}

static const struct key_binding hosts_keys[] = {
    {'\n', "Enter", "chart: the metric over the job's life, all hosts", act_zoom, KB_FOOTER},
    {KEY_ENTER, "Enter", "chart", act_zoom, KB_HIDDEN},
    {'\r', "Enter", "chart", act_zoom, KB_HIDDEN},
    {KEY_LEFT, "Left/h", "previous metric", act_metric, KB_FOOTER},
    {'h', "h", "previous metric", act_metric, KB_HIDDEN},
    {KEY_RIGHT, "Right/l", "next metric", act_metric, KB_FOOTER},
    {'l', "l", "next metric", act_metric, KB_HIDDEN},
    {KEY_DOWN, "Down/j", "next host", act_host, 0},
    {'j', "j", "next host", act_host, KB_HIDDEN},
    {KEY_UP, "Up/k", "previous host", act_host, 0},
    {'k', "k", "previous host", act_host, KB_HIDDEN},
    {0, NULL, NULL, NULL, 0},
};

static int hosts_enter(struct view *v, struct app *a)
{
    struct hosts_state *s = calloc(1, sizeof(*s));

    (void)a;
    if (s == NULL)
        return -1;
    chart_raster_init(&s->raster);
    s->sel_metric = 2;          /* GPU: what the view is opened for */
    v->state = s;
    return 0;
}

static void hosts_leave(struct view *v, struct app *a)
{
    struct hosts_state *s = S(v);

    (void)a;
    if (s == NULL)
        return;
    clear_hosts(s);
    chart_raster_clean(&s->raster);
    free(s);
    v->state = NULL;
}

const struct view_ops view_hosts_ops = {
    .name = "hosts",
    .keys = hosts_keys,
    .on_enter = hosts_enter,
    .on_leave = hosts_leave,
    .draw = hosts_draw,
    .title = hosts_title,
    .follows_jobs = true,
};
