/* chart_dots.c: the plot area of a chart raster in dots. Maps values to dots, draws each series
 * as lines of dots (reduced with M4 to at most four points per dot column first, so the cost
 * depends on the chart's size, not on the number of points), and encodes the dot bits as
 * braille, quadrant or ASCII cells. Must not lay out axes or labels (chart.c does) nor include
 * curses. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "tui/chart_internal.h"

/* Quadrant blocks by bits TL=1 TR=2 BL=4 BR=8. */
static const char *const quadrant[16] = {
    " ", "\u2598", "\u259d", "\u2580", "\u2596", "\u258c", "\u259e", "\u259b",
    "\u2597", "\u259a", "\u2590", "\u259c", "\u2584", "\u2599", "\u259f", "\u2588",
};

/* Braille dot bits by [row][column] within a cell (ISO/TR 11548-1 numbering). */
static const uint8_t braille_bit[4][2] = {
    { 0x01, 0x08 }, { 0x02, 0x10 }, { 0x04, 0x20 }, { 0x40, 0x80 },
};
static const uint8_t quadrant_bit[2][2] = { { 1, 2 }, { 4, 8 } };

void chart_dots_per_cell(enum chart_glyphs g, int *dx, int *dy)
{
    *dx = g == CHART_GLYPHS_ASCII ? 1 : 2;
    *dy = g == CHART_GLYPHS_BRAILLE ? 4 : g == CHART_GLYPHS_BLOCK ? 2 : 1;
}


int chart_dot_x(const struct frame *f, double x)
{
    double p = (x - f->x_lo) / (f->x_hi - f->x_lo) * (f->wd - 1);

    if (!(p >= 0))
        return 0;
    return p > f->wd - 1 ? f->wd - 1 : (int)lround(p);
}

int chart_dot_y(const struct frame *f, double y)
{
    double p = (f->y_hi - y) / (f->y_hi - f->y_lo) * (f->hd - 1);

    if (!(p >= 0))
        return 0;
    return p > f->hd - 1 ? f->hd - 1 : (int)lround(p);
}

static void set_dot(struct chart_raster *r, const struct frame *f, int px, int py, int owner)
{
    size_t ci = (size_t)(py / f->dy) * (size_t)r->plot_w + (size_t)(px / f->dx);
    int cx = px % f->dx, cy = py % f->dy;

    if (f->dx == 1)
        r->bits_[ci] = 1;
    else if (f->dy == 4)
        r->bits_[ci] |= braille_bit[cy][cx];
    else
        r->bits_[ci] |= quadrant_bit[cy][cx];
    r->owner_[ci] = (uint8_t)owner;
}

uint8_t chart_dot_bit(enum chart_glyphs g, int cx, int cy)
{
    if (g == CHART_GLYPHS_ASCII)
        return cx == 0 && cy == 0 ? 1 : 0;
    if (cx < 0 || cx > 1 || cy < 0)
        return 0;
    if (g == CHART_GLYPHS_BLOCK)
        return cy < 2 ? quadrant_bit[cy][cx] : 0;
    return cy < 4 ? braille_bit[cy][cx] : 0;
}

static void line_dots(struct chart_raster *r, const struct frame *f, int x0, int y0, int x1,
                      int y1, int owner)
{
    int ddx = abs(x1 - x0), sx = x0 < x1 ? 1 : -1;
    int ddy = -abs(y1 - y0), sy = y0 < y1 ? 1 : -1;
    int er = ddx + ddy;

    for (;;) {
        int e2;

        set_dot(r, f, x0, y0, owner);
        if (x0 == x1 && y0 == y1)
            break;
        e2 = 2 * er;
        if (e2 >= ddy) {
            er += ddy;
            x0 += sx;
        }
        if (e2 <= ddx) {
            er += ddx;
            y0 += sy;
        }
    }
}

/* Transforms a value to the axis space; false when it cannot be drawn (log of y <= 0). */
bool chart_axis_y(const struct frame *f, double y, double *out)
{
    if (!isfinite(y))
        return false;
    if (f->log_y) {
        if (!(y > 0))
            return false;
        y = log10(y);
    }
    *out = y;
    return true;
}

/* A scatter: each point in range its own dot (M4 would drop the points between a column's
 * extremes, which a line hides and a scatter must not). */
static void draw_points(struct chart_raster *r, const struct frame *f, const struct series *s,
                        int owner)
{
    size_t i;
    double y;

    for (i = 0; i < s->len; i++)
        if (s->pts[i].x >= f->x_lo && s->pts[i].x <= f->x_hi &&
            chart_axis_y(f, s->pts[i].y, &y))
            set_dot(r, f, chart_dot_x(f, s->pts[i].x), chart_dot_y(f, y), owner);
}

void chart_draw_series(struct chart_raster *r, const struct frame *f, const struct series *s,
                       bool points, int owner)
{
    size_t n, i;
    int px = 0, py = 0;
    bool have_prev = false;

    if (points) {
        draw_points(r, f, s, owner);
        return;
    }
    n = series_downsample_m4(s->pts, s->len, f->x_lo, f->x_hi, (size_t)f->wd, r->pts_,
                             r->pts_cap_);
    for (i = 0; i < n; i++) {
        double y;
        int qx, qy;

        if (!chart_axis_y(f, r->pts_[i].y, &y)) {
            have_prev = false;
            continue;
        }
        qx = chart_dot_x(f, r->pts_[i].x);
        qy = chart_dot_y(f, y);
        if (have_prev)
            line_dots(r, f, px, py, qx, qy, owner);
        else
            set_dot(r, f, qx, qy, owner);
        px = qx;
        py = qy;
        have_prev = true;
    }
}

/* UTF-8 of a braille pattern U+2800 + bits. */
static void braille_utf8(uint8_t bits, char out[5])
{
    out[0] = (char)0xe2;
    out[1] = (char)(0xa0 | (bits >> 6));
    out[2] = (char)(0x80 | (bits & 0x3f));
    out[3] = '\0';
}

void chart_cell_glyph(enum chart_glyphs g, uint8_t bits, int run, char out[5])
{
    int m = run % CHART_RUN_COLORS;

    if (m < 0)
        m += CHART_RUN_COLORS;
    if (bits == 0) {
        strcpy(out, " ");
    } else if (g == CHART_GLYPHS_ASCII) {
        out[0] = chart_run_ascii[m];
        out[1] = '\0';
    } else if (g == CHART_GLYPHS_BLOCK) {
        strcpy(out, quadrant[bits & 15]);
    } else {
        braille_utf8(bits, out);
    }
}

void chart_encode_plot(struct chart_raster *r, const struct chart_line *lines, int cursor_col,
                        const struct box_glyphs *bx)
{
    int row, col;

    for (row = 0; row < r->plot_h; row++) {
        for (col = 0; col < r->plot_w; col++) {
            size_t ci = (size_t)row * (size_t)r->plot_w + (size_t)col;
            uint8_t b = r->bits_[ci];
            char ch[5];

            if (b == 0) {
                if (col == cursor_col)
                    chart_cell_set(r, r->plot_y + row, r->plot_x + col, bx->cursor, CHART_COLOR_CURSOR,
                             0);
                continue;
            }
            {
                const struct chart_line *l = &lines[r->owner_[ci] - 1];

                chart_cell_glyph(r->glyphs, b, l->run, ch);
                /* ASCII has no faint text: a raw line under its EMA is drawn in dots */
                if (l->dim && r->glyphs == CHART_GLYPHS_ASCII)
                    strcpy(ch, ".");
                chart_cell_set(r, r->plot_y + row, r->plot_x + col, ch, chart_run_color(l->run),
                         l->dim ? CHART_ATTR_DIM : 0);
            }
        }
    }
}

