/* chart.h: line charts rasterised into a plain grid of cells (UTF-8 text + colour index).
 *
 * chart_render() turns series into a raster: braille (2×4 dots per cell), quadrant blocks (2×2)
 * or ASCII (1×1, one glyph per run), axes with round ticks, a legend, last/min/max markers and an
 * optional cursor whose x reads out every series' value. The raster knows nothing of curses:
 * `sagetop plot` prints it with chart_raster_text(), the TUI puts it on a window with
 * chart_draw() (tui/chart_draw.c, the only chart file that includes curses).
 *
 * A million points cost one pass: each series is downsampled (M4: first/min/max/last per dot
 * column, so the picture is exact and spikes survive) before any dot is set.
 *
 * Ownership: the raster owns its cells and scratch memory and is reused across renders
 * (chart_raster_init/clean). Series and labels are borrowed for the duration of one call.
 * Thread: any, one raster per thread. Failures return a negative ERR_* and fill an optional err;
 * the raster is then left blank but valid.
 */
#ifndef SAGETOP_CHART_H
#define SAGETOP_CHART_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "aws/err.h"
#include "metrics/series.h"

enum chart_glyphs {
    CHART_GLYPHS_AUTO,     /* from the locale and TERM: chart_glyphs_detect() */
    CHART_GLYPHS_BRAILLE,  /* U+2800..U+28FF, 2×4 dots per cell */
    CHART_GLYPHS_BLOCK,    /* quadrant blocks U+2596..U+259F, 2×2 */
    CHART_GLYPHS_ASCII,    /* 7-bit only, 1×1, a distinct glyph per run */
};

/* Colour indices stored in cells. Runs get CHART_COLOR_RUN0 + (run % CHART_RUN_COLORS), so a
 * run keeps its colour in every view that passes the same run index. */
enum {
    CHART_COLOR_DEFAULT = 0,
    CHART_COLOR_AXIS = 1,
    CHART_COLOR_LABEL = 2,
    CHART_COLOR_CURSOR = 3,
    CHART_COLOR_RUN0 = 8,
};
#define CHART_RUN_COLORS 8
#define CHART_COLORS (CHART_COLOR_RUN0 + CHART_RUN_COLORS)

enum {
    CHART_ATTR_BOLD = 1,
    CHART_ATTR_DIM = 2,
};

struct chart_cell {
    char ch[5];       /* one UTF-8 character, NUL-terminated; " " when empty */
    uint8_t color;    /* CHART_COLOR_* */
    uint8_t attr;     /* CHART_ATTR_* */
};

struct chart_raster {
    int width, height;          /* cells */
    struct chart_cell *cells;   /* height rows of width cells */
    /* Where the last render put things, for hit-testing a mouse or moving a cursor. */
    int plot_x, plot_y, plot_w, plot_h;
    double x_lo, x_hi;          /* x at the left edge of the first and right of the last column */
    double y_lo, y_hi;          /* value axis; log10 of the values when log_y */
    bool log_y;
    enum chart_glyphs glyphs;   /* what was used (never AUTO) */
    /* private scratch, reused across renders */
    uint8_t *bits_;
    uint8_t *owner_;
    struct series_point *pts_;
    size_t cells_cap_, pts_cap_;
};

/* One line of the chart. */
struct chart_line {
    const struct series *s;   /* borrowed; drawn in array order, so sort it by x first */
    const char *label;        /* legend text; NULL uses s->name */
    int run;                  /* run index: picks the colour and the ASCII glyph */
    bool dim;                 /* faint: the raw series under its EMA */
    bool smoothed;            /* an EMA drawn over its (dim) raw line: it gets no markers and
                               * no last/min/max, which always read the raw values */
    bool hidden;              /* toggled off: not drawn, not in the ranges; the legend keeps
                               * its line and says "hidden" */
    bool points;              /* a scatter: every point a dot, none joined or downsampled */
};

struct chart_opts {
    int width, height;            /* the whole chart, in cells (at least 20×5) */
    enum chart_glyphs glyphs;
    enum series_x_kind x_kind;    /* how x tick labels read: 1.2k, 1h30m, 14:05 */
    const char *x_name;           /* the x axis' name; NULL: from x_kind ("step", ...) */
    bool log_y;                   /* values <= 0 are left out */
    bool legend;                  /* one line per series under the axis, if height allows */
    bool markers;                 /* max ▲ and min ▼ on the curve, last value at the right */
    double cursor_x;              /* NaN for none; else a vertical line, a legend line saying
                                   * the cursor's x, and per series the raw value of the point
                                   * nearest to it (with that point's x, "nearest" when it is
                                   * not the cursor's own) */
    double x_lo, x_hi;            /* NaN: the data's x range; else zoomed to [x_lo, x_hi]: only
                                   * the points inside are drawn, ranged, marked and summed up
                                   * in the legend, and the axis spans exactly that range */
    const char *title;            /* first line; NULL for none */
};

/* Defaults: braille-or-fallback by detection, step x, legend and markers on, no cursor, no
 * zoom. */
void chart_opts_init(struct chart_opts *o, int width, int height);

/* CHART_COLOR_RUN0 + run % CHART_RUN_COLORS (non-negative for any run). */
int chart_run_color(int run);
/* The xterm-256 colour number for a colour index, shared by the ANSI text and curses; -1 for
 * the terminal's default. */
int chart_color_xterm256(int color);
/* The 8-colour curses/ANSI colour (0..7) for a colour index; -1 for the default. */
int chart_color_basic(int color);

/* Pure choice: UTF-8 codeset -> braille (block on the Linux console, whose font lacks braille),
 * anything else -> ASCII. Either argument may be NULL. */
enum chart_glyphs chart_glyphs_pick(const char *codeset, const char *term);
/* chart_glyphs_pick(nl_langinfo(CODESET), getenv("TERM")); call setlocale() first. */
enum chart_glyphs chart_glyphs_detect(void);

/* Dot level, for tests and sparklines: the bit of dot (cx, cy) inside a cell (braille
 * 0 <= cx < 2, 0 <= cy < 4: (0,0) is 0x01 -> U+2801; block 2×2; ASCII 1×1), and the character
 * of a cell whose dots are `bits` (ASCII: the run's glyph, * + o x # @ % &). */
uint8_t chart_dot_bit(enum chart_glyphs g, int cx, int cy);
void chart_cell_glyph(enum chart_glyphs g, uint8_t bits, int run, char out[5]);

void chart_raster_init(struct chart_raster *r);
void chart_raster_clean(struct chart_raster *r);

/* Renders n lines into r (resized to o->width × o->height). ERR_INVAL for a size under 20×5,
 * ERR_NOMEM. An empty chart (no finite point) still draws its frame and says "no data". */
int chart_render(struct chart_raster *r, const struct chart_line *lines, size_t n,
                 const struct chart_opts *o, struct err *e);

/* The raster as text: one line per row, trailing blanks trimmed, each ending in '\n'. With ansi,
 * colours and attributes as SGR sequences (xterm-256) reset at each line end. *out is
 * NUL-terminated and the caller frees it. */
int chart_raster_text(const struct chart_raster *r, bool ansi, char **out, size_t *len,
                      struct err *e);

/* Renders and returns text in one call: what `sagetop plot` prints. */
int chart_render_text(const struct chart_line *lines, size_t n, const struct chart_opts *o,
                      bool ansi, char **out, size_t *len, struct err *e);

/* What `sagetop plot` draws: one line per series (run index = position, so colours follow the
 * order of the jobs given). With ema > 0 each raw series is drawn faint with its EMA (weight ema,
 * debiased) over it, labelled "NAME EMA 0.6"; markers and the last-value label stay on the raw
 * points. Titled "metric" plus the options in effect unless o->title is set. */
int chart_plot_text(struct series *const *v, size_t n, const char *metric, double ema,
                    const struct chart_opts *o, bool ansi, char **out, size_t *len,
                    struct err *e);

/* The cursor's x as the legend says it ("step 1200": steps whole, epochs to two decimals,
 * durations and clock times to the second). */
void chart_format_cursor_x(enum series_x_kind kind, double x, char *buf, size_t cap);

/* The cell column (within the raster) of x on the last render's x axis; -1 outside the plot. */
int chart_column_of(const struct chart_raster *r, double x);
/* The x at the centre of a raster column, for moving a cursor by columns. NaN outside. */
double chart_x_at_column(const struct chart_raster *r, int col);

#endif
