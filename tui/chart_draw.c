/* chart_draw.c: a chart raster onto a curses window, the only chart file that includes curses.
 *
 * Owns nothing: it reads a raster and writes cells. Must not compute any layout (that is
 * tui/chart.c) nor choose colours itself (the theme in tui/theme.c does). Attributes are
 * switched only when they change along a row, so a 200×50 chart costs a few hundred calls.
 */
#include "tui/chart_draw.h"
#include "tui/draw.h"

attr_t chart_draw_attr(int color, int attr)
{
    attr_t a;

    if (color >= CHART_COLOR_RUN0 && color < CHART_COLORS)
        a = theme_series_attr(color - CHART_COLOR_RUN0);
    else if (color == CHART_COLOR_AXIS)
        a = theme_attr(TH_DIM);
    else if (color == CHART_COLOR_CURSOR)
        a = theme_attr(TH_MARKED);
    else
        a = theme_attr(TH_NORMAL);
    if (attr & CHART_ATTR_BOLD)
        a |= A_BOLD;
    if (attr & CHART_ATTR_DIM)
        a |= A_DIM;
    return a;
}

void chart_draw(WINDOW *w, int top, int left, const struct chart_raster *r)
{
    int max_y, max_x, row, col;

    getmaxyx(w, max_y, max_x);
    for (row = 0; row < r->height && top + row < max_y; row++) {
        int cur = -1;

        if (top + row < 0)
            continue;
        for (col = 0; col < r->width && left + col < max_x; col++) {
            const struct chart_cell *c = &r->cells[(size_t)row * (size_t)r->width + (size_t)col];
            int key = c->color << 8 | c->attr;

            if (left + col < 0)
                continue;
            if (key != cur) {
                wattrset(w, chart_draw_attr(c->color, c->attr));
                cur = key;
            }
            mvwaddstr(w, top + row, left + col, c->ch);
        }
    }
    wattrset(w, A_NORMAL);
}
