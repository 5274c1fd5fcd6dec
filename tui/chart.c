/* chart.c: the chart raster: series -> a grid of UTF-8 cells with colour indices, and the
 * layout around the plot (ranges, ticks, axes, labels, markers, legend).
 *
 * Owns the raster's cells and scratch buffers. Must not include curses or write to a terminal:
 * tui/chart_draw.c puts a raster on a window and `sagetop plot` prints chart_raster_text().
 * Layout, axes and labels are laid out here; the maths (ticks, downsampling) lives in metrics/.
 * The plot area's dots are chart_dots.c's, the legend chart_legend.c's, the text output
 * chart_text.c's.
 */
#include <langinfo.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "metrics/ticks.h"
#include "tui/chart.h"
#include "tui/chart_internal.h"

#define CHART_MAX_SIDE 2000
#define LABEL_MAX 48
#define GUTTER_MAX 10
#define CHART_MAX_LINES 250

const char chart_run_ascii[CHART_RUN_COLORS] = { '*', '+', 'o', 'x', '#', '@', '%', '&' };

static const struct box_glyphs box_unicode = {
    "\u2502", "\u2524", "\u2514", "\u2500", "\u252c", "\u2502", "\u25b2", "\u25bc", "\u25c2",
};
static const struct box_glyphs box_ascii = { "|", "+", "+", "-", "+", ":", "^", "v", "<" };


void chart_opts_init(struct chart_opts *o, int width, int height)
{
    memset(o, 0, sizeof(*o));
    o->width = width;
    o->height = height;
    o->glyphs = CHART_GLYPHS_AUTO;
    o->x_kind = SERIES_X_STEP;
    o->legend = true;
    o->markers = true;
    o->cursor_x = NAN;
    o->x_lo = o->x_hi = NAN;
}

int chart_run_color(int run)
{
    int m = run % CHART_RUN_COLORS;

    return CHART_COLOR_RUN0 + (m < 0 ? m + CHART_RUN_COLORS : m);
}

int chart_color_xterm256(int color)
{
    /* The series hues of the TUI theme (tui/theme.c), so `plot` output matches the screen. */
    static const int runs[CHART_RUN_COLORS] = { 81, 213, 114, 221, 75, 209, 252, 151 };

    if (color >= CHART_COLOR_RUN0 && color < CHART_COLORS)
        return runs[color - CHART_COLOR_RUN0];
    if (color == CHART_COLOR_AXIS)
        return 244;
    if (color == CHART_COLOR_CURSOR)
        return 213;
    return -1;
}

int chart_color_basic(int color)
{
    static const int runs[CHART_RUN_COLORS] = { 6, 5, 2, 3, 4, 1, 7, 2 };

    if (color >= CHART_COLOR_RUN0 && color < CHART_COLORS)
        return runs[color - CHART_COLOR_RUN0];
    if (color == CHART_COLOR_CURSOR)
        return 5;
    return -1;
}

enum chart_glyphs chart_glyphs_pick(const char *codeset, const char *term)
{
    if (codeset == NULL ||
        (strcasecmp(codeset, "UTF-8") != 0 && strcasecmp(codeset, "UTF8") != 0))
        return CHART_GLYPHS_ASCII;
    if (term != NULL && strncmp(term, "linux", 5) == 0)
        return CHART_GLYPHS_BLOCK;
    if (term != NULL && strcmp(term, "dumb") == 0)
        return CHART_GLYPHS_ASCII;
    return CHART_GLYPHS_BRAILLE;
}

enum chart_glyphs chart_glyphs_detect(void)
{
    return chart_glyphs_pick(nl_langinfo(CODESET), getenv("TERM"));
}

void chart_raster_init(struct chart_raster *r)
{
    memset(r, 0, sizeof(*r));
}

void chart_raster_clean(struct chart_raster *r)
{
    free(r->cells);
    free(r->bits_);
    free(r->owner_);
    free(r->pts_);
    memset(r, 0, sizeof(*r));
}

static struct chart_cell *cell_at(struct chart_raster *r, int row, int col)
{
    return &r->cells[(size_t)row * (size_t)r->width + (size_t)col];
}

void chart_cell_set(struct chart_raster *r, int row, int col, const char *ch, int color,
                     int attr)
{
    struct chart_cell *c;
    size_t n = strlen(ch);

    if (row < 0 || row >= r->height || col < 0 || col >= r->width || n > 4)
        return;
    c = cell_at(r, row, col);
    memcpy(c->ch, ch, n + 1);
    c->color = (uint8_t)color;
    c->attr = (uint8_t)attr;
}

static bool cell_blank(const struct chart_raster *r, int row, int col)
{
    const struct chart_cell *c = &r->cells[(size_t)row * (size_t)r->width + (size_t)col];

    return c->ch[0] == ' ' && c->ch[1] == '\0';
}

/* Length of a valid UTF-8 sequence at s (0 when invalid), so labels from the network never put
 * a broken or control character into the raster. */
static size_t utf8_len(const unsigned char *s)
{
    size_t n, i;

    if (s[0] < 0x80)
        return s[0] >= 0x20 && s[0] != 0x7f ? 1 : 0;
    if (s[0] >= 0xc2 && s[0] <= 0xdf)
        n = 2;
    else if (s[0] >= 0xe0 && s[0] <= 0xef)
        n = 3;
    else if (s[0] >= 0xf0 && s[0] <= 0xf4)
        n = 4;
    else
        return 0;
    for (i = 1; i < n; i++)
        if ((s[i] & 0xc0) != 0x80)
            return 0;
    /* C1 controls U+0080..U+009F */
    if (n == 2 && s[0] == 0xc2 && s[1] < 0xa0)
        return 0;
    return n;
}

int chart_put_text(struct chart_raster *r, int row, int col, const char *text, int max,
                    int color, int attr)
{
    const unsigned char *p = (const unsigned char *)text;
    int used = 0;

    while (*p != '\0' && used < max && col + used < r->width) {
        size_t n = utf8_len(p);
        char ch[5] = "?";

        if (n > 0 && !(n > 1 && r->glyphs == CHART_GLYPHS_ASCII)) {
            memcpy(ch, p, n);
            ch[n] = '\0';
        }
        chart_cell_set(r, row, col + used, ch, color, attr);
        used++;
        if (n == 0) {
            /* skip the rest of a broken sequence */
            p++;
            while ((*p & 0xc0) == 0x80)
                p++;
        } else {
            p += n;
        }
    }
    return used;
}

int chart_text_cells(const char *text)
{
    const unsigned char *p = (const unsigned char *)text;
    int n = 0;

    for (; *p != '\0'; p++)
        if ((*p & 0xc0) != 0x80)
            n++;
    return n;
}

static int grow(struct chart_raster *r, int width, int height, size_t pts_need, struct err *e)
{
    size_t cells = (size_t)width * (size_t)height;

    if (cells > r->cells_cap_) {
        struct chart_cell *c = realloc(r->cells, cells * sizeof(*c));
        uint8_t *b, *o;

        if (c == NULL)
            return err_set(e, ERR_NOMEM, "chart: out of memory for %dx%d cells", width, height);
        r->cells = c;
        b = realloc(r->bits_, cells);
        if (b == NULL)
            return err_set(e, ERR_NOMEM, "chart: out of memory");
        r->bits_ = b;
        o = realloc(r->owner_, cells);
        if (o == NULL)
            return err_set(e, ERR_NOMEM, "chart: out of memory");
        r->owner_ = o;
        r->cells_cap_ = cells;
    }
    if (pts_need > r->pts_cap_) {
        struct series_point *p = realloc(r->pts_, pts_need * sizeof(*p));

        if (p == NULL)
            return err_set(e, ERR_NOMEM, "chart: out of memory");
        r->pts_ = p;
        r->pts_cap_ = pts_need;
    }
    r->width = width;
    r->height = height;
    return 0;
}

static void blank(struct chart_raster *r)
{
    size_t i, n = (size_t)r->width * (size_t)r->height;

    for (i = 0; i < n; i++) {
        r->cells[i].ch[0] = ' ';
        r->cells[i].ch[1] = '\0';
        r->cells[i].color = CHART_COLOR_DEFAULT;
        r->cells[i].attr = 0;
    }
}

/* Smallest positive finite y, for a log axis of a series that touches zero. */
static double min_positive(const struct series *s)
{
    double m = INFINITY;
    size_t i;

    if (s->y_min > 0)
        return s->y_min;
    for (i = 0; i < s->len; i++)
        if (s->pts[i].y > 0 && s->pts[i].y < m && isfinite(s->pts[i].y))
            m = s->pts[i].y;
    return m;
}

static size_t format_x(enum series_x_kind kind, double v, double step, char *buf, size_t cap)
{
    switch (kind) {
    case SERIES_X_WALL:
        return ticks_format_wall(v, step, buf, cap);
    case SERIES_X_ELAPSED:
        return ticks_format_duration(v, step, buf, cap);
    case SERIES_X_STEP:
    case SERIES_X_EPOCH:
        break;
    }
    return ticks_format_number(v, step, buf, cap);
}

static int point_row(const struct chart_raster *r, const struct frame *f, double y)
{
    return r->plot_y + chart_dot_y(f, y) / f->dy;
}

static int point_col(const struct chart_raster *r, const struct frame *f, double x)
{
    return r->plot_x + chart_dot_x(f, x) / f->dx;
}

static void draw_markers(struct chart_raster *r, const struct frame *f,
                         const struct chart_line *lines, size_t n, int gutter_w,
                         const struct box_glyphs *bx)
{
    size_t i;

    for (i = 0; i < n; i++) {
        const struct series *s = lines[i].s;
        struct series_stats st;
        double y;
        int color = chart_run_color(lines[i].run);

        if (s == NULL || !series_stats(s, &st) || lines[i].smoothed)
            continue;
        if (chart_axis_y(f, st.max, &y))
            chart_cell_set(r, point_row(r, f, y), point_col(r, f, st.max_x), bx->max, color,
                     CHART_ATTR_BOLD);
        if (st.min != st.max && chart_axis_y(f, st.min, &y))
            chart_cell_set(r, point_row(r, f, y), point_col(r, f, st.min_x), bx->min, color,
                     CHART_ATTR_BOLD);
        if (gutter_w > 0 && chart_axis_y(f, st.last, &y)) {
            char label[LABEL_MAX];
            int want = point_row(r, f, y), d, col = r->plot_x + r->plot_w;

            snprintf(label, sizeof(label), "%s", bx->last);
            ticks_format_value(st.last, 4, label + strlen(label),
                               sizeof(label) - strlen(label));
            /* the nearest free gutter row, so two runs ending together both show */
            for (d = 0; d < r->plot_h; d++) {
                int row = want + (d % 2 == 0 ? d / 2 : -(d / 2 + 1));

                if (row < r->plot_y || row >= r->plot_y + r->plot_h || !cell_blank(r, row, col))
                    continue;
                chart_put_text(r, row, col, label, gutter_w, color, 0);
                break;
            }
        }
    }
}

/* The x and y ranges of every drawable series; false (and a unit range) when there is none. */
static bool data_ranges(const struct chart_line *lines, size_t n, bool log_y, double *xlo,
                        double *xhi, double *ylo, double *yhi)
{
    size_t k;
    bool any = false;

    *xlo = *ylo = INFINITY;
    *xhi = *yhi = -INFINITY;
    for (k = 0; k < n; k++) {
        const struct series *s = lines[k].s;
        double lo, hi;

        if (s == NULL || s->n_finite == 0)
            continue;
        lo = log_y ? min_positive(s) : s->y_min;
        hi = s->y_max;
        if (!isfinite(lo) || (log_y && !(hi > 0)))
            continue;
        any = true;
        *xlo = fmin(*xlo, s->x_min);
        *xhi = fmax(*xhi, s->x_max);
        *ylo = fmin(*ylo, lo);
        *yhi = fmax(*yhi, hi);
    }
    if (!any) {
        *xlo = 0;
        *xhi = 1;
        *ylo = log_y ? 1 : 0;
        *yhi = log_y ? 10 : 1;
    }
    return any;
}

/* True for a value range that is one value but for rounding (an EMA of a constant differs from
 * it in the last bits): drawn as a flat line, not stretched to the full height. */
static bool range_flat(double lo, double hi)
{
    return hi - lo <= 1e-9 * fmax(fabs(lo), fabs(hi));
}

/* A flat series sits in the middle: the axis is widened to be symmetric around its value, so the
 * line lands on the middle row whatever round ticks were chosen around it. */
static void centre_flat(struct frame *f, double value)
{
    double half = fmax(value - f->y_lo, f->y_hi - value);

    f->y_lo = value - half;
    f->y_hi = value + half;
}

/* Rows: title, plot, axis, x labels, legend. Sets the plot's rows; returns the legend's. */
static int layout_rows(struct chart_raster *r, const struct chart_opts *o, size_t n)
{
    int title_rows = o->title != NULL ? 1 : 0;
    /* the legend gets at most half of what the axes leave, the plot at least two rows */
    int legend_rows = o->legend ? (int)n + (isfinite(o->cursor_x) ? 1 : 0) : 0;

    if (legend_rows > (o->height - title_rows - 2) / 2)
        legend_rows = (o->height - title_rows - 2) / 2;
    if (o->height - title_rows - 2 - legend_rows < 2)
        legend_rows = o->height - title_rows - 2 - 2;
    if (legend_rows < 0)
        legend_rows = 0;
    r->plot_y = title_rows;
    r->plot_h = o->height - title_rows - 2 - legend_rows;
    return legend_rows;
}

/* The width of the marker gutter right of the plot: the widest last value, capped. */
static int gutter_width(const struct chart_line *lines, size_t n, const struct chart_opts *o)
{
    int gutter_w = 0;
    size_t k;

    if (!o->markers)
        return 0;
    for (k = 0; k < n; k++) {
        struct series_stats st;
        char v[LABEL_MAX];
        int w;

        if (lines[k].s == NULL || lines[k].smoothed || !series_stats(lines[k].s, &st))
            continue;
        w = (int)ticks_format_value(st.last, 4, v, sizeof(v)) + 1;
        if (w > gutter_w)
            gutter_w = w;
    }
    return gutter_w > GUTTER_MAX ? GUTTER_MAX : gutter_w;
}

/* The y axis line, its ticks and their labels (right-aligned in label_w cells). */
static void draw_y_axis(struct chart_raster *r, const struct frame *f, const struct ticks *yt,
                        char (*ylab)[LABEL_MAX], int label_w, const struct box_glyphs *bx)
{
    int i;

    for (i = 0; i < r->plot_h; i++)
        chart_cell_set(r, r->plot_y + i, r->plot_x - 1, bx->vert, CHART_COLOR_AXIS, 0);
    for (i = 0; i < yt->n; i++) {
        int row = point_row(r, f, f->log_y ? log10(yt->v[i]) : yt->v[i]);
        int w = chart_text_cells(ylab[i]);

        if (!cell_blank(r, row, 0) || !cell_blank(r, row, r->plot_x - 2))
            continue; /* two ticks on one row: keep the first */
        chart_cell_set(r, row, r->plot_x - 1, bx->tick_y, CHART_COLOR_AXIS, 0);
        chart_put_text(r, row, r->plot_x - 1 - (w < label_w ? w : label_w), ylab[i], label_w,
                 CHART_COLOR_LABEL, 0);
    }
}

/* The x axis line, its ticks and labels (skipping one that would touch the previous), and the
 * axis name at the end of the labels, else at the end of the title line. */
static void draw_x_axis(struct chart_raster *r, const struct frame *f, const struct ticks *xt,
                        const struct chart_opts *o, const struct box_glyphs *bx)
{
    int axis_row = r->plot_y + r->plot_h, lab_row = axis_row + 1;
    const char *name = o->x_name != NULL ? o->x_name : chart_x_kind_name(o->x_kind);
    int name_w = chart_text_cells(name), last_end = -2, i;
    char xl[LABEL_MAX];

    chart_cell_set(r, axis_row, r->plot_x - 1, bx->corner, CHART_COLOR_AXIS, 0);
    for (i = 0; i < r->plot_w; i++)
        chart_cell_set(r, axis_row, r->plot_x + i, bx->horiz, CHART_COLOR_AXIS, 0);
    for (i = 0; i < xt->n; i++) {
        int col = point_col(r, f, xt->v[i]), w, start;

        w = (int)format_x(o->x_kind, xt->v[i], xt->step, xl, sizeof(xl));
        chart_cell_set(r, axis_row, col, bx->tick_x, CHART_COLOR_AXIS, 0);
        start = col - w / 2;
        if (start < 0)
            start = 0;
        if (start + w > o->width)
            start = o->width - w;
        if (start <= last_end + 1)
            continue;
        chart_put_text(r, lab_row, start, xl, w, CHART_COLOR_LABEL, 0);
        last_end = start + w - 1;
    }
    if (o->width - name_w > last_end + 2) {
        chart_put_text(r, lab_row, o->width - name_w, name, name_w, CHART_COLOR_AXIS, 0);
    } else if (o->title != NULL) {
        char xn[32];
        int w;

        snprintf(xn, sizeof(xn), "x: %s", name);
        w = chart_text_cells(xn);
        if (chart_text_cells(o->title) + 2 + w <= o->width)
            chart_put_text(r, 0, o->width - w, xn, w, CHART_COLOR_AXIS, 0);
    }
}

static bool zoomed(const struct chart_opts *o)
{
    return isfinite(o->x_lo) && isfinite(o->x_hi) && o->x_hi > o->x_lo;
}

/* The ranges to plot: the data's (the zoom's x range when zoomed), a flat y range widened to
 * 10% of its value around it (*flat). Returns whether there is any data. */
static bool plot_ranges(const struct chart_line *lines, size_t n, const struct chart_opts *o,
                        double *xlo, double *xhi, double *ylo, double *yhi, bool *flat)
{
    bool any = data_ranges(lines, n, o->log_y, xlo, xhi, ylo, yhi);

    if (zoomed(o)) {
        *xlo = o->x_lo;
        *xhi = o->x_hi;
    }
    *flat = any && !o->log_y && range_flat(*ylo, *yhi);
    if (*flat) {
        double c = (*ylo + *yhi) / 2, d = c == 0 ? 1 : fabs(c) * 0.1;

        *ylo = c - d;
        *yhi = c + d;
    }
    return any;
}

/* The y ticks of [ylo, yhi] for the plot's rows and their labels, *label_w the widest (at most
 * 10 cells). They come first: their labels decide where the plot starts. */
static int y_ticks(struct chart_raster *r, const struct chart_opts *o, double ylo, double yhi,
                   struct ticks *yt, char (*ylab)[LABEL_MAX], int *label_w, struct err *e)
{
    /* a label every 3 rows; every 2 on a short chart, which would otherwise get two */
    int max_ticks = r->plot_h <= 10 ? r->plot_h / 2 : r->plot_h / 3, rc, i;

    if (max_ticks < 1)
        max_ticks = 1;
    rc = o->log_y ? ticks_log10(ylo, yhi, max_ticks, yt)
                  : ticks_linear(ylo, yhi, max_ticks, true, yt);
    if (rc < 0) {
        blank(r);
        return err_set(e, ERR_INVAL, "chart: value range %g..%g cannot be drawn", ylo, yhi);
    }
    *label_w = 1;
    for (i = 0; i < yt->n; i++) {
        int w = (int)ticks_format_number(yt->v[i], o->log_y ? yt->v[i] : yt->step, ylab[i],
                                         LABEL_MAX);

        if (w > *label_w)
            *label_w = w;
    }
    if (*label_w > 10)
        *label_w = 10;
    return 0;
}

/* The plot's columns, between the y labels and the marker gutter (dropped when the plot would
 * be narrower than 8). Returns the gutter's width. */
static int layout_columns(struct chart_raster *r, const struct chart_line *lines, size_t n,
                          const struct chart_opts *o, int label_w)
{
    int gutter_w = gutter_width(lines, n, o);

    r->plot_x = label_w + 1;
    r->plot_w = o->width - r->plot_x - gutter_w;
    if (r->plot_w < 8) {
        gutter_w = 0;
        r->plot_w = o->width - r->plot_x;
    }
    return gutter_w;
}

/* The x ticks of [xlo, xhi] for the plot's columns (rounded outwards unless zoomed). */
static int x_ticks(struct chart_raster *r, const struct chart_opts *o, double xlo, double xhi,
                   struct ticks *xt, struct err *e)
{
    int max_ticks = r->plot_w / 10 > 1 ? r->plot_w / 10 : 1, rc;

    rc = o->x_kind == SERIES_X_WALL || o->x_kind == SERIES_X_ELAPSED
             ? ticks_time(xlo, xhi, max_ticks, !zoomed(o), xt)
             : ticks_linear(xlo, xhi, max_ticks, !zoomed(o), xt);
    if (rc < 0) {
        blank(r);
        return err_set(e, ERR_INVAL, "chart: x range %g..%g cannot be drawn", xlo, xhi);
    }
    return 0;
}

/* The frame from data to dots: the ticks' ranges (log10 on a log y axis), a flat series centred;
 * the raster keeps the ranges for chart_column_of() and the cursor. */
static void set_frame(struct chart_raster *r, struct frame *f, const struct ticks *xt,
                      const struct ticks *yt, bool log_y, bool flat, double flat_y)
{
    f->wd = r->plot_w * f->dx;
    f->hd = r->plot_h * f->dy;
    f->x_lo = r->x_lo = xt->lo;
    f->x_hi = r->x_hi = xt->hi;
    f->y_lo = r->y_lo = log_y ? log10(yt->lo) : yt->lo;
    f->y_hi = r->y_hi = log_y ? log10(yt->hi) : yt->hi;
    if (flat) {
        centre_flat(f, flat_y);
        r->y_lo = f->y_lo;
        r->y_hi = f->y_hi;
    }
}

/* The curves into the plot's cells, dimmed ones first so the others are drawn over them, and
 * the cursor's column (returned, -1 when none is in range). */
static int draw_curves(struct chart_raster *r, const struct frame *f,
                       const struct chart_line *lines, size_t n, const struct chart_opts *o,
                       const struct box_glyphs *bx)
{
    int cursor_col = -1;
    size_t k;

    memset(r->bits_, 0, (size_t)r->plot_w * (size_t)r->plot_h);
    for (k = 0; k < n; k++)
        if (lines[k].s != NULL && lines[k].dim)
            chart_draw_series(r, f, lines[k].s, lines[k].points, (int)k + 1);
    for (k = 0; k < n; k++)
        if (lines[k].s != NULL && !lines[k].dim)
            chart_draw_series(r, f, lines[k].s, lines[k].points, (int)k + 1);
    if (isfinite(o->cursor_x) && o->cursor_x >= f->x_lo && o->cursor_x <= f->x_hi)
        cursor_col = chart_dot_x(f, o->cursor_x) / f->dx;
    chart_encode_plot(r, lines, cursor_col, bx);
    return cursor_col;
}

/* Renders lines as given: hidden ones carry no series, zoomed ones only the points in range. */
static int render_lines(struct chart_raster *r, const struct chart_line *lines, size_t n,
                        const struct chart_opts *o, struct err *e)
{
    const struct box_glyphs *bx;
    struct frame f;
    struct ticks yt, xt;
    char ylab[TICKS_MAX][LABEL_MAX];
    double xlo, xhi, ylo, yhi;
    int legend_rows, label_w = 1, gutter_w, rc, cursor_col;
    bool any, flat;

    if (o->width < 20 || o->height < 5 || o->width > CHART_MAX_SIDE ||
        o->height > CHART_MAX_SIDE)
        return err_set(e, ERR_INVAL, "chart: size %dx%d out of range (20x5 to %dx%d)", o->width,
                       o->height, CHART_MAX_SIDE, CHART_MAX_SIDE);
    r->glyphs = o->glyphs == CHART_GLYPHS_AUTO ? chart_glyphs_detect() : o->glyphs;
    bx = r->glyphs == CHART_GLYPHS_ASCII ? &box_ascii : &box_unicode;
    chart_dots_per_cell(r->glyphs, &f.dx, &f.dy);
    rc = grow(r, o->width, o->height, (size_t)o->width * (size_t)f.dx * 4, e);
    if (rc < 0)
        return rc;
    blank(r);
    f.log_y = r->log_y = o->log_y;
    any = plot_ranges(lines, n, o, &xlo, &xhi, &ylo, &yhi, &flat);
    legend_rows = layout_rows(r, o, n);
    if ((rc = y_ticks(r, o, ylo, yhi, &yt, ylab, &label_w, e)) < 0)
        return rc;
    gutter_w = layout_columns(r, lines, n, o, label_w);
    if ((rc = x_ticks(r, o, xlo, xhi, &xt, e)) < 0)
        return rc;
    set_frame(r, &f, &xt, &yt, o->log_y, flat, (ylo + yhi) / 2);
    cursor_col = draw_curves(r, &f, lines, n, o, bx);
    if (!any)
        chart_put_text(r, r->plot_y + r->plot_h / 2, r->plot_x + (r->plot_w - 7) / 2, "no data", 7,
                 CHART_COLOR_LABEL, 0);
    draw_y_axis(r, &f, &yt, ylab, label_w, bx);
    draw_x_axis(r, &f, &xt, o, bx);
    if (o->markers && any)
        draw_markers(r, &f, lines, n, gutter_w, bx);
    if (o->title != NULL)
        chart_put_text(r, 0, 0, o->title, o->width, CHART_COLOR_LABEL, CHART_ATTR_BOLD);
    if (legend_rows > 0)
        chart_draw_legend(r, lines, n, r->plot_y + r->plot_h + 2, legend_rows, o,
                    cursor_col >= 0);
    return 0;
}

/* The points of s with x in [lo, hi], as a new series (NULL when out of memory). */
static struct series *series_window(const struct series *s, double lo, double hi)
{
    struct series *w = series_new(s->name);
    size_t i;

    if (w == NULL)
        return NULL;
    for (i = 0; i < s->len; i++)
        if (s->pts[i].x >= lo && s->pts[i].x <= hi && series_push(w, s->pts[i].x, s->pts[i].y,
                                                                   NULL) != 0) {
            series_free(w);
            return NULL;
        }
    return w;
}

int chart_render(struct chart_raster *r, const struct chart_line *lines, size_t n,
                 const struct chart_opts *o, struct err *e)
{
    struct chart_line drawn[CHART_MAX_LINES];
    struct series *window[CHART_MAX_LINES];
    size_t k;
    int rc = 0;

    if (n > CHART_MAX_LINES)
        return err_set(e, ERR_INVAL, "chart: %zu series, at most %d", n, CHART_MAX_LINES);
    for (k = 0; k < n; k++) {
        drawn[k] = lines[k];
        window[k] = NULL;
        if (lines[k].hidden) {
            drawn[k].s = NULL;
            if (drawn[k].label == NULL && lines[k].s != NULL)
                drawn[k].label = lines[k].s->name;   /* the legend still names it */
        } else if (zoomed(o) && lines[k].s != NULL) {
            if ((window[k] = series_window(lines[k].s, o->x_lo, o->x_hi)) == NULL)
                rc = err_set(e, ERR_NOMEM, "chart: out of memory");
            drawn[k].s = window[k];
        }
    }
    if (rc == 0)
        rc = render_lines(r, drawn, n, o, e);
    for (k = 0; k < n; k++)
        series_free(window[k]);
    return rc;
}

int chart_column_of(const struct chart_raster *r, double x)
{
    struct frame f;

    if (r->plot_w <= 0 || !(x >= r->x_lo && x <= r->x_hi))
        return -1;
    chart_dots_per_cell(r->glyphs, &f.dx, &f.dy);
    f.wd = r->plot_w * f.dx;
    f.x_lo = r->x_lo;
    f.x_hi = r->x_hi;
    return r->plot_x + chart_dot_x(&f, x) / f.dx;
}

double chart_x_at_column(const struct chart_raster *r, int col)
{
    int dx, dy, wd;
    double centre;

    if (r->plot_w <= 0 || col < r->plot_x || col >= r->plot_x + r->plot_w)
        return NAN;
    chart_dots_per_cell(r->glyphs, &dx, &dy);
    wd = r->plot_w * dx;
    centre = (double)(col - r->plot_x) * dx + (dx - 1) / 2.0;
    if (wd <= 1)
        return r->x_lo;
    return r->x_lo + centre / (wd - 1) * (r->x_hi - r->x_lo);
}

