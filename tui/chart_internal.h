/* chart_internal.h: what the chart's files share and nothing else includes.
 *
 *   chart.c       the raster (cells, text, colours), the layout of a chart (ranges, ticks,
 *                 axes, labels, markers, legend) and the cursor's column <-> x
 *   chart_dots.c  the plot area in dots: value -> dot, M4-reduced series as dot lines, the
 *                 dot bits encoded as braille / quadrant / ASCII cells
 *   chart_text.c  a raster as text (ANSI or plain) for `sagetop plot`
 *   chart_legend.c the legend lines and the cursor's readout
 *
 * Pure (no curses, no terminal); one render at a time per raster. */
#ifndef SAGETOP_TUI_CHART_INTERNAL_H
#define SAGETOP_TUI_CHART_INTERNAL_H

#include <stdbool.h>

#include "tui/chart.h"

struct box_glyphs {
    const char *vert, *tick_y, *corner, *horiz, *tick_x, *cursor, *max, *min, *last;
};

/* The per-render geometry in dots. */
struct frame {
    int dx, dy, wd, hd;
    double x_lo, x_hi, y_lo, y_hi;
    bool log_y;
};

/* chart.c */
/* The ASCII mark of each run colour ('*', '+', ...): the plot and the legend use the same. */
extern const char chart_run_ascii[CHART_RUN_COLORS];
/* Sets one cell (clipped to the raster; ch at most 4 bytes of UTF-8). */
void chart_cell_set(struct chart_raster *r, int row, int col, const char *ch, int color, int attr);
/* Writes text from (row, col), one character per cell (invalid UTF-8 and controls as '?'), at
 * most max cells; returns the cells used. */
int chart_put_text(struct chart_raster *r, int row, int col, const char *text, int max,
                   int color, int attr);
/* Characters (cells) in UTF-8 text. */
int chart_text_cells(const char *text);

/* chart_legend.c */
const char *chart_x_kind_name(enum series_x_kind kind);   /* "step", "time (UTC)", ... */
/* The legend from row top, at most rows lines; cursor_on: first a line with the cursor's x. */
void chart_draw_legend(struct chart_raster *r, const struct chart_line *lines, size_t n,
                       int top, int rows, const struct chart_opts *o, bool cursor_on);

/* chart_dots.c */
void chart_dots_per_cell(enum chart_glyphs g, int *dx, int *dy);
int chart_dot_x(const struct frame *f, double x);     /* clamped to the plot */
int chart_dot_y(const struct frame *f, double y);
/* A value in axis space (log10 when log_y); false when it cannot be drawn. */
bool chart_axis_y(const struct frame *f, double y, double *out);
/* The series' M4-reduced points as lines of dots owned by `owner` (1-based line index); with
 * points, every point a dot of its own (a scatter). */
void chart_draw_series(struct chart_raster *r, const struct frame *f, const struct series *s,
                       bool points, int owner);
/* The plot's dot bits into cells, each in its owner's colour; the cursor column where empty. */
void chart_encode_plot(struct chart_raster *r, const struct chart_line *lines, int cursor_col,
                       const struct box_glyphs *bx);

#endif
