/* chart_legend.c: the legend under a chart: one line per series (its run's glyph, its label cut
 * in the middle, and its raw last/min/max; "hidden" for a series toggled off) and, while a cursor
 * is on, a first line saying the cursor's x and per series the raw value of the point nearest to
 * it. Owns no memory; writes cells through chart_cell_set/chart_put_text. Must not lay out the
 * plot or axes (chart.c does) nor include curses. */
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "metrics/ticks.h"
#include "tui/chart_internal.h"

#define LABEL_MAX 48

const char *chart_x_kind_name(enum series_x_kind kind)
{
    switch (kind) {
    case SERIES_X_STEP:
        return "step";
    case SERIES_X_EPOCH:
        return "epoch";
    case SERIES_X_WALL:
        return "time (UTC)";
    case SERIES_X_ELAPSED:
        return "elapsed";
    }
    return "x";
}

/* A readout of x: exact steps and epochs, durations and clock times to the second. */
static void format_x_exact(enum series_x_kind kind, double x, char *buf, size_t cap)
{
    if (kind == SERIES_X_WALL)
        ticks_format_wall(x, 1, buf, cap);
    else if (kind == SERIES_X_ELAPSED)
        ticks_format_duration(x, 1, buf, cap);
    else
        ticks_format_value(x, 7, buf, cap);
}

void chart_format_cursor_x(enum series_x_kind kind, double x, char *buf, size_t cap)
{
    /* a cursor sits between logged x values: steps are whole, epochs read to two decimals */
    if (kind == SERIES_X_STEP)
        x = round(x);
    else if (kind == SERIES_X_EPOCH)
        x = round(x * 100) / 100;
    format_x_exact(kind, x, buf, cap);
}

/* Shortens text to max cells by cutting its middle ("hf-bert-…-0412"): job names that differ
 * only at the end stay apart. out holds at least 4 * max + 4 bytes. */
static void ellipsize(const char *text, int max, bool ascii, char *out, size_t cap)
{
    const char *mark = ascii ? "~" : "\u2026";
    int w = chart_text_cells(text), head, tail, i = 0;
    const char *p = text, *q;

    if (w <= max || max < 3) {
        snprintf(out, cap, "%s", text);
        return;
    }
    head = (max - 1) / 2;
    tail = max - 1 - head;
    /* the byte where the head ends and where the tail starts, on character boundaries */
    for (; *p != '\0' && i < head; i++)
        for (p++; (*p & 0xc0) == 0x80; p++)
            ;
    q = p;
    for (i = head; *q != '\0' && i < w - tail; i++)
        for (q++; (*q & 0xc0) == 0x80; q++)
            ;
    snprintf(out, cap, "%.*s%s%s", (int)(p - text), text, mark, q);
}

static const char *line_label(const struct chart_line *l)
{
    return l->label != NULL ? l->label : l->s != NULL ? l->s->name : "";
}

/* NaN points are not drawn: the legend says how many there are ("  3 NaN"). */
static void legend_nan_count(const struct chart_line *l, char *text, size_t cap)
{
    size_t i, nan = 0, len = strlen(text);

    if (l->s == NULL || l->hidden || l->smoothed)
        return;
    for (i = 0; i < l->s->len; i++)
        nan += isnan(l->s->pts[i].y) != 0;
    if (nan > 0 && len < cap)
        snprintf(text + len, cap - len, "  %zu NaN", nan);
}

/* The figures after a series' label: its raw value at the cursor, or its last/min/max. */
static void legend_figures(const struct chart_line *l, const struct chart_opts *o,
                           const char *cursor_x, char *text, size_t cap)
{
    const struct series *s = l->s;
    char v[LABEL_MAX], a[LABEL_MAX], b[LABEL_MAX];
    struct series_stats st;

    text[0] = '\0';
    if (l->hidden) {
        snprintf(text, cap, "  hidden");
    } else if (s != NULL && l->smoothed) {
        /* the label says "EMA w"; the raw line's entry has the figures, also at the cursor */
    } else if (s != NULL && cursor_x != NULL) {
        size_t k = series_nearest(s, o->cursor_x);

        if (k != SIZE_MAX) {
            ticks_format_value(s->pts[k].y, 4, v, sizeof(v));
            format_x_exact(o->x_kind, s->pts[k].x, a, sizeof(a));
            snprintf(text, cap, "  %s at %s %s%s", v,
                     o->x_name != NULL ? o->x_name : chart_x_kind_name(o->x_kind), a,
                     strcmp(a, cursor_x) == 0 ? "" : " (nearest)");
        } else {
            snprintf(text, cap, "  no data");
        }
    } else if (s != NULL && series_stats(s, &st)) {
        ticks_format_value(st.last, 4, v, sizeof(v));
        ticks_format_value(st.min, 4, a, sizeof(a));
        ticks_format_value(st.max, 4, b, sizeof(b));
        snprintf(text, cap, "  last %s  min %s  max %s", v, a, b);
    } else {
        snprintf(text, cap, "  no data");
    }
    legend_nan_count(l, text, cap);
}

void chart_draw_legend(struct chart_raster *r, const struct chart_line *lines, size_t n,
                       int top, int rows, const struct chart_opts *o, bool cursor_on)
{
    size_t i;
    int row = top, pad = 0;
    char cx[LABEL_MAX] = "";

    if (cursor_on && rows > 0) {
        char text[LABEL_MAX + 32];

        chart_format_cursor_x(o->x_kind, o->cursor_x, cx, sizeof(cx));
        snprintf(text, sizeof(text), "cursor: %s %s",
                 o->x_name != NULL ? o->x_name : chart_x_kind_name(o->x_kind), cx);
        chart_put_text(r, row++, 0, text, r->width, CHART_COLOR_CURSOR, CHART_ATTR_BOLD);
    }
    /* labels padded to one width so the figures line up, but never more than a third */
    for (i = 0; i < n; i++) {
        int w = chart_text_cells(line_label(&lines[i]));

        if (w > pad)
            pad = w;
    }
    if (pad > r->width / 3)
        pad = r->width / 3;
    if (pad > 700)
        pad = 700;
    for (i = 0; i < n && row < top + rows; i++, row++) {
        char text[256], short_label[4 * 700 + 4];
        int col = 0, color = chart_run_color(lines[i].run);
        int attr = lines[i].hidden ? CHART_ATTR_DIM : 0;

        if (row == top + rows - 1 && i + 1 < n) {
            snprintf(text, sizeof(text), "+%zu more", n - i);
            chart_put_text(r, row, 0, text, r->width, CHART_COLOR_LABEL, 0);
            break;
        }
        if (lines[i].hidden) {
            chart_cell_set(r, row, col, r->glyphs == CHART_GLYPHS_ASCII ? "-" : "\u00b7", color,
                           attr);
        } else if (r->glyphs == CHART_GLYPHS_ASCII) {
            char g[2] = { chart_run_ascii[color - CHART_COLOR_RUN0], '\0' };

            chart_cell_set(r, row, col, g, color, CHART_ATTR_BOLD);
        } else {
            chart_cell_set(r, row, col, r->glyphs == CHART_GLYPHS_BRAILLE ? "\u28ff" : "\u2588",
                           color, 0);
        }
        col += 2;
        ellipsize(line_label(&lines[i]), pad, r->glyphs == CHART_GLYPHS_ASCII, short_label,
                  sizeof(short_label));
        col += chart_put_text(r, row, col, short_label, pad, color, attr);
        if (col < 2 + pad)
            col = 2 + pad;
        legend_figures(&lines[i], o, cursor_on ? cx : NULL, text, sizeof(text));
        chart_put_text(r, row, col, text, r->width - col, CHART_COLOR_LABEL, attr);
    }
}
