/* chart_draw.h: puts a chart raster (tui/chart.h) on a curses window. UI thread only.
 *
 * Colours come from the theme (tui/draw.h): run k uses theme_series_attr(k), the same role the
 * log view gives instance k, so a run looks the same in every view; axes are TH_DIM, the cursor
 * TH_MARKED. With no colours the theme's monochrome looks apply. Cells outside the window are
 * clipped; nothing is drawn past the raster. */
#ifndef SAGETOP_TUI_CHART_DRAW_H
#define SAGETOP_TUI_CHART_DRAW_H

#include <curses.h>

#include "tui/chart.h"

/* The curses attributes for a raster cell's colour index and CHART_ATTR_* bits. */
attr_t chart_draw_attr(int color, int attr);
/* Draws r with its top-left cell at (top, left) of w; does not refresh. */
void chart_draw(WINDOW *w, int top, int left, const struct chart_raster *r);

#endif
