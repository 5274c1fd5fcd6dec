/* test_chart.c: tui/chart.c, the curses-free chart raster: braille dot patterns, Bresenham lines,
 * linear and log scaling, spikes surviving a million points, fallbacks, legend, cursor, colours,
 * and `sagetop plot` output for a fixed dataset against checked-in expected text. */
#include <criterion/criterion.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "metrics/series.h"
#include "tui/chart.h"

static struct series *make(const char *name, const double *xs, const double *ys, size_t n)
{
    struct series *s = series_new(name);
    size_t i;

    cr_assert_not_null(s);
    for (i = 0; i < n; i++)
        cr_assert_eq(series_push(s, xs[i], ys[i], NULL), 0);
    return s;
}

static const struct chart_cell *at(const struct chart_raster *r, int row, int col)
{
    cr_assert(row >= 0 && row < r->height && col >= 0 && col < r->width, "cell %d,%d", row, col);
    return &r->cells[(size_t)row * (size_t)r->width + (size_t)col];
}

/* Dots of a braille cell, or -1 when the cell holds something else. */
static int braille_bits(const struct chart_cell *c)
{
    const unsigned char *p = (const unsigned char *)c->ch;

    if (p[0] == 0xe2 && (p[1] & 0xfc) == 0xa0 && (p[2] & 0xc0) == 0x80 && p[3] == 0)
        return ((p[1] & 3) << 6) | (p[2] & 0x3f);
    if (p[0] == ' ' && p[1] == 0)
        return 0;
    return -1;
}

/* The plot area as a dot grid (1 = set), decoded back from the braille characters. */
static unsigned char *decode_dots(const struct chart_raster *r)
{
    int wd = r->plot_w * 2, hd = r->plot_h * 4, row, col, cx, cy;
    unsigned char *g = calloc((size_t)wd * (size_t)hd, 1);

    for (row = 0; row < r->plot_h; row++)
        for (col = 0; col < r->plot_w; col++) {
            int b = braille_bits(at(r, r->plot_y + row, r->plot_x + col));

            cr_assert_geq(b, 0, "plot cell %d,%d is not braille: '%s'", row, col,
                          at(r, r->plot_y + row, r->plot_x + col)->ch);
            for (cy = 0; cy < 4; cy++)
                for (cx = 0; cx < 2; cx++)
                    if (b & chart_dot_bit(CHART_GLYPHS_BRAILLE, cx, cy))
                        g[(size_t)(row * 4 + cy) * (size_t)wd + (size_t)(col * 2 + cx)] = 1;
        }
    return g;
}

static struct chart_opts bare(int w, int h, enum chart_glyphs g)
{
    struct chart_opts o;

    chart_opts_init(&o, w, h);
    o.glyphs = g;
    o.legend = false;
    o.markers = false;
    return o;
}

/* Finds text in a raster row (cells joined); returns the starting column or -1. */
static int find_in_row(const struct chart_raster *r, int row, const char *text)
{
    char line[4096];
    size_t len = 0;
    int col, cols[4096];
    char *hit;

    for (col = 0; col < r->width && len + 5 < sizeof(line); col++) {
        const char *ch = at(r, row, col)->ch;
        size_t k;

        for (k = 0; ch[k] != '\0'; k++) {
            cols[len] = col;
            line[len++] = ch[k];
        }
    }
    line[len] = '\0';
    hit = strstr(line, text);
    return hit == NULL ? -1 : cols[hit - line];
}

static int find_row(const struct chart_raster *r, const char *text, int *col)
{
    int row, c;

    for (row = 0; row < r->height; row++)
        if ((c = find_in_row(r, row, text)) >= 0) {
            if (col != NULL)
                *col = c;
            return row;
        }
    return -1;
}

/* ---- dots and glyphs ------------------------------------------------------------------- */

Test(chart, braille_dot_patterns)
{
    char ch[5];

    cr_expect_eq(chart_dot_bit(CHART_GLYPHS_BRAILLE, 0, 0), 0x01);
    cr_expect_eq(chart_dot_bit(CHART_GLYPHS_BRAILLE, 0, 2), 0x04);
    cr_expect_eq(chart_dot_bit(CHART_GLYPHS_BRAILLE, 1, 0), 0x08);
    cr_expect_eq(chart_dot_bit(CHART_GLYPHS_BRAILLE, 0, 3), 0x40);
    cr_expect_eq(chart_dot_bit(CHART_GLYPHS_BRAILLE, 1, 3), 0x80);
    cr_expect_eq(chart_dot_bit(CHART_GLYPHS_BRAILLE, 2, 0), 0, "outside the cell");
    chart_cell_glyph(CHART_GLYPHS_BRAILLE, 0x01, 0, ch);
    cr_expect_str_eq(ch, "\u2801", "a point at dot (0,0) is U+2801");
    chart_cell_glyph(CHART_GLYPHS_BRAILLE, 0x80, 0, ch);
    cr_expect_str_eq(ch, "\u2880");
    chart_cell_glyph(CHART_GLYPHS_BRAILLE, 0x47, 0, ch);
    cr_expect_str_eq(ch, "\u2847", "left column full");
    chart_cell_glyph(CHART_GLYPHS_BRAILLE, 0xff, 0, ch);
    cr_expect_str_eq(ch, "\u28ff");
    chart_cell_glyph(CHART_GLYPHS_BRAILLE, 0, 0, ch);
    cr_expect_str_eq(ch, " ");
}

Test(chart, block_and_ascii_glyphs)
{
    char ch[5];

    chart_cell_glyph(CHART_GLYPHS_BLOCK, chart_dot_bit(CHART_GLYPHS_BLOCK, 0, 0), 0, ch);
    cr_expect_str_eq(ch, "\u2598");
    chart_cell_glyph(CHART_GLYPHS_BLOCK, chart_dot_bit(CHART_GLYPHS_BLOCK, 1, 1), 0, ch);
    cr_expect_str_eq(ch, "\u2597");
    chart_cell_glyph(CHART_GLYPHS_BLOCK, 0x3, 0, ch);
    cr_expect_str_eq(ch, "\u2580", "upper half");
    chart_cell_glyph(CHART_GLYPHS_BLOCK, 0xf, 0, ch);
    cr_expect_str_eq(ch, "\u2588");
    chart_cell_glyph(CHART_GLYPHS_ASCII, 1, 0, ch);
    cr_expect_str_eq(ch, "*");
    chart_cell_glyph(CHART_GLYPHS_ASCII, 1, 1, ch);
    cr_expect_str_eq(ch, "+");
    chart_cell_glyph(CHART_GLYPHS_ASCII, 1, 9, ch);
    cr_expect_str_eq(ch, "+", "glyphs cycle with colours");
}

Test(chart, glyph_fallbacks_from_locale_and_term)
{
    cr_expect_eq(chart_glyphs_pick("UTF-8", "xterm-256color"), CHART_GLYPHS_BRAILLE);
    cr_expect_eq(chart_glyphs_pick("utf8", "tmux-256color"), CHART_GLYPHS_BRAILLE);
    cr_expect_eq(chart_glyphs_pick("UTF-8", "linux"), CHART_GLYPHS_BLOCK);
    cr_expect_eq(chart_glyphs_pick("UTF-8", "dumb"), CHART_GLYPHS_ASCII);
    cr_expect_eq(chart_glyphs_pick("ANSI_X3.4-1968", "xterm"), CHART_GLYPHS_ASCII);
    cr_expect_eq(chart_glyphs_pick("ISO-8859-1", NULL), CHART_GLYPHS_ASCII);
    cr_expect_eq(chart_glyphs_pick(NULL, NULL), CHART_GLYPHS_ASCII);
}

Test(chart, run_colours_are_stable)
{
    cr_expect_eq(chart_run_color(0), CHART_COLOR_RUN0);
    cr_expect_eq(chart_run_color(3), CHART_COLOR_RUN0 + 3);
    cr_expect_eq(chart_run_color(CHART_RUN_COLORS + 1), CHART_COLOR_RUN0 + 1);
    cr_expect_eq(chart_run_color(-1), CHART_COLOR_RUN0 + CHART_RUN_COLORS - 1);
    cr_expect_neq(chart_color_xterm256(chart_run_color(0)), chart_color_xterm256(chart_run_color(1)));
    cr_expect_eq(chart_color_xterm256(CHART_COLOR_DEFAULT), -1);
}

/* ---- rasterisation --------------------------------------------------------------------- */

Test(chart, bresenham_diagonal_one_dot_per_column)
{
    double xs[] = { 0, 10 }, ys[] = { 0, 10 };
    struct series *s = make("d", xs, ys, 2);
    struct chart_line l = { s, NULL, 0, false, false, false, false };
    struct chart_opts o = bare(20, 5, CHART_GLYPHS_BRAILLE);
    struct chart_raster r;
    unsigned char *g;
    int wd, hd, x, y, prev = -1;

    chart_raster_init(&r);
    cr_assert_eq(chart_render(&r, &l, 1, &o, NULL), 0);
    /* y 0..10 and x 0..10 on round ends: the line spans the whole plot */
    cr_expect_eq(r.y_lo, 0);
    cr_expect_eq(r.y_hi, 10);
    cr_expect_eq(r.x_lo, 0);
    cr_expect_eq(r.x_hi, 10);
    cr_expect_eq(r.plot_x, 3, "labels '0' and '10' then the axis");
    cr_expect_eq(r.plot_h, 3);
    g = decode_dots(&r);
    wd = r.plot_w * 2;
    hd = r.plot_h * 4;
    cr_expect(g[(size_t)(hd - 1) * (size_t)wd + 0], "start at the bottom-left dot");
    cr_expect(g[(size_t)wd - 1], "end at the top-right dot");
    /* bottom-left cell has dot (0,3) = 0x40; top-right has dot (1,0) = 0x08 */
    cr_expect(braille_bits(at(&r, r.plot_y + r.plot_h - 1, r.plot_x)) & 0x40);
    cr_expect(braille_bits(at(&r, r.plot_y, r.plot_x + r.plot_w - 1)) & 0x08);
    /* a shallow Bresenham line: exactly one dot per column, rising by 0 or 1 dot */
    for (x = 0; x < wd; x++) {
        int count = 0, yy = -1;

        for (y = 0; y < hd; y++)
            if (g[(size_t)y * (size_t)wd + (size_t)x]) {
                count++;
                yy = y;
            }
        cr_expect_eq(count, 1, "column %d has %d dots", x, count);
        if (prev >= 0)
            cr_expect(prev - yy == 0 || prev - yy == 1, "column %d: %d after %d", x, yy, prev);
        prev = yy;
    }
    free(g);
    chart_raster_clean(&r);
    series_free(s);
}

/* A scatter (points): every point its own dot, none joined, none dropped by M4 (three points
 * in one dot column all show). */
Test(chart, points_are_dots_not_joined)
{
    double xs[] = { 0, 5, 5, 5, 10 }, ys[] = { 0, 2, 5, 8, 10 };
    struct series *s = make("pts", xs, ys, 5);
    struct chart_line l = { s, NULL, 0, false, false, false, true };
    struct chart_opts o = bare(20, 5, CHART_GLYPHS_BRAILLE);
    struct chart_raster r;
    unsigned char *g;
    int wd, hd, n = 0, i;

    chart_raster_init(&r);
    cr_assert_eq(chart_render(&r, &l, 1, &o, NULL), 0);
    g = decode_dots(&r);
    wd = r.plot_w * 2;
    hd = r.plot_h * 4;
    for (i = 0; i < wd * hd; i++)
        n += g[i] != 0;
    /* a line through the same points would light a dot in every column */
    cr_expect_eq(n, 5, "five points, five dots (got %d)", n);
    free(g);
    chart_raster_clean(&r);
    series_free(s);
}

Test(chart, steep_line_is_connected)
{
    double xs[] = { 0, 1, 2 }, ys[] = { 0, 100, 0 };
    struct series *s = make("steep", xs, ys, 3);
    struct chart_line l = { s, NULL, 0, false, false, false, false };
    struct chart_opts o = bare(30, 14, CHART_GLYPHS_BRAILLE);
    struct chart_raster r;
    unsigned char *g;
    int wd, hd, y, x, rows_hit = 0;

    chart_raster_init(&r);
    cr_assert_eq(chart_render(&r, &l, 1, &o, NULL), 0);
    g = decode_dots(&r);
    wd = r.plot_w * 2;
    hd = r.plot_h * 4;
    /* every dot row is crossed twice (up and down), so no gaps in a steep line */
    for (y = 0; y < hd; y++) {
        int n = 0;

        for (x = 0; x < wd; x++)
            n += g[(size_t)y * (size_t)wd + (size_t)x];
        rows_hit += n > 0;
        cr_expect_geq(n, 1, "dot row %d empty", y);
    }
    cr_expect_eq(rows_hit, hd);
    free(g);
    chart_raster_clean(&r);
    series_free(s);
}

Test(chart, linear_scale_puts_ticks_on_their_rows)
{
    double xs[] = { 0, 50, 100 }, ys[] = { 0, 35, 100 };
    struct series *s = make("lin", xs, ys, 3);
    struct chart_line l = { s, NULL, 0, false, false, false, false };
    struct chart_opts o = bare(60, 13, CHART_GLYPHS_BRAILLE);
    struct chart_raster r;
    int col;

    chart_raster_init(&r);
    cr_assert_eq(chart_render(&r, &l, 1, &o, NULL), 0);
    cr_expect_eq(r.plot_h, 11);
    cr_expect_eq(find_row(&r, "100\u2524", NULL), r.plot_y, "top tick on the top row");
    cr_expect_eq(find_row(&r, "  0\u2524", &col), r.plot_y + r.plot_h - 1);
    cr_expect_eq(col, 0);
    cr_expect_eq(find_row(&r, "50\u2524", NULL), r.plot_y + 5, "half way: dot 22 of 44 -> row 5");
    /* x labels under their ticks */
    cr_expect_eq(find_row(&r, "\u2514\u252c", NULL), r.plot_y + r.plot_h);
    cr_expect_geq(find_in_row(&r, r.plot_y + r.plot_h + 1, "100"), 0);
    cr_expect_eq(find_in_row(&r, r.plot_y + r.plot_h + 1, "step"), -1, "no room after 100");
    o.title = "lin";
    cr_assert_eq(chart_render(&r, &l, 1, &o, NULL), 0);
    cr_expect_eq(find_in_row(&r, 0, "x: step"), 60 - 7, "so the axis is named on the title line");
    chart_raster_clean(&r);
    series_free(s);
}

Test(chart, log_scale_spaces_decades_evenly)
{
    double xs[] = { 0, 1, 2, 3 }, ys[] = { 1, 10, 100, 1000 };
    struct series *s = make("log", xs, ys, 4);
    struct chart_line l = { s, NULL, 0, false, false, false, false };
    struct chart_opts o = bare(40, 15, CHART_GLYPHS_BRAILLE);
    struct chart_raster r;
    int r1, r10, r100, r1k;

    o.log_y = true;
    chart_raster_init(&r);
    cr_assert_eq(chart_render(&r, &l, 1, &o, NULL), 0);
    cr_expect(r.log_y);
    cr_expect_float_eq(r.y_lo, 0, 1e-12);
    cr_expect_float_eq(r.y_hi, 3, 1e-12);
    r1k = find_row(&r, "1k\u2524", NULL);
    r100 = find_row(&r, "100\u2524", NULL);
    r10 = find_row(&r, "10\u2524", NULL);
    r1 = find_row(&r, " 1\u2524", NULL);
    cr_assert(r1k >= 0 && r100 >= 0 && r10 >= 0 && r1 >= 0, "%d %d %d %d", r1k, r100, r10, r1);
    cr_expect_eq(r100 - r1k, r10 - r100, "equal distance per decade");
    cr_expect_eq(r1 - r10, r10 - r100);
    /* the straight line in log space passes the 10 tick row at x = 1 */
    cr_expect_neq(braille_bits(at(&r, r10, chart_column_of(&r, 1))), 0);
    chart_raster_clean(&r);
    series_free(s);
}

Test(chart, log_scale_drops_non_positive_values)
{
    double xs[] = { 0, 1, 2 }, ys[] = { 0, 1, 10 };
    struct series *s = make("z", xs, ys, 3);
    struct chart_line l = { s, NULL, 0, false, false, false, false };
    struct chart_opts o = bare(30, 8, CHART_GLYPHS_BRAILLE);
    struct chart_raster r;

    o.log_y = true;
    chart_raster_init(&r);
    cr_assert_eq(chart_render(&r, &l, 1, &o, NULL), 0);
    cr_expect_float_eq(r.y_lo, 0, 1e-12, "from 1, the smallest positive value");
    chart_raster_clean(&r);
    series_free(s);
}

Test(chart, spike_in_a_million_points_is_drawn)
{
    size_t n = 1000000, i, spike = 777777;
    struct series *s = series_new("loss");
    struct chart_line l = { s, NULL, 0, false, false, false, false };
    struct chart_opts o = bare(200, 50, CHART_GLYPHS_BRAILLE);
    struct chart_raster r;
    int col, row, top_hits = 0;

    cr_assert_eq(series_reserve(s, n, NULL), 0);
    for (i = 0; i < n; i++)
        series_push(s, (double)i, i == spike ? 100.0 : 1.0 + 0.001 * (double)(i % 13), NULL);
    chart_raster_init(&r);
    cr_assert_eq(chart_render(&r, &l, 1, &o, NULL), 0);
    cr_expect_eq(r.y_hi, 100);
    /* the top plot row holds dots only at the spike's column */
    for (col = r.plot_x; col < r.plot_x + r.plot_w; col++)
        if (braille_bits(at(&r, r.plot_y, col)) > 0) {
            top_hits++;
            cr_expect_eq(col, chart_column_of(&r, (double)spike));
        }
    cr_expect_eq(top_hits, 1);
    /* and it is a spike: a vertical run of dots down to the baseline */
    for (row = r.plot_y; row < r.plot_y + r.plot_h - 1; row++)
        cr_expect_gt(braille_bits(at(&r, row, chart_column_of(&r, (double)spike))), 0,
                     "row %d", row);
    chart_raster_clean(&r);
    series_free(s);
}

Test(chart, colours_and_overlap_follow_runs)
{
    double xs[] = { 0, 10 }, ya[] = { 0, 0 }, yb[] = { 10, 10 };
    struct series *a = make("a", xs, ya, 2), *b = make("b", xs, yb, 2);
    struct chart_line l[2] = { { a, NULL, 0, false, false, false, false }, { b, NULL, 5, false, false, false, false } };
    struct chart_opts o = bare(30, 8, CHART_GLYPHS_BRAILLE);
    struct chart_raster r;
    int mid;

    chart_raster_init(&r);
    cr_assert_eq(chart_render(&r, l, 2, &o, NULL), 0);
    mid = r.plot_x + r.plot_w / 2;
    cr_expect_eq(at(&r, r.plot_y, mid)->color, chart_run_color(5), "b along the top");
    cr_expect_eq(at(&r, r.plot_y + r.plot_h - 1, mid)->color, chart_run_color(0));
    cr_expect_eq(at(&r, r.plot_y, r.plot_x - 1)->color, CHART_COLOR_AXIS);
    chart_raster_clean(&r);
    series_free(a);
    series_free(b);
}

Test(chart, block_and_ascii_fallbacks_render)
{
    double xs[] = { 0, 5, 10 }, ys[] = { 0, 10, 0 };
    struct series *s = make("r\xc3\xbcn\x1b[31m", xs, ys, 3);
    struct chart_line l = { s, NULL, 0, false, false, false, false };
    struct chart_opts o = bare(30, 8, CHART_GLYPHS_ASCII);
    char *text = NULL;
    size_t len = 0, i;

    o.legend = true;
    o.markers = true;
    cr_assert_eq(chart_render_text(&l, 1, &o, false, &text, &len, NULL), 0);
    for (i = 0; i < len; i++)
        cr_assert_lt((unsigned char)text[i], 0x80, "byte %zu is not ASCII:\n%s", i, text);
    cr_expect(strstr(text, "* r?n?[31m") != NULL, "label sanitised:\n%s", text);
    cr_expect(strstr(text, "^") != NULL, "max marker");
    cr_expect(strstr(text, "<0") != NULL, "last value in the gutter");
    cr_expect(strchr(text, '\x1b') == NULL);
    free(text);
    o.glyphs = CHART_GLYPHS_BLOCK;
    cr_assert_eq(chart_render_text(&l, 1, &o, false, &text, &len, NULL), 0);
    cr_expect(strstr(text, "\u2584") != NULL || strstr(text, "\u2580") != NULL ||
                  strstr(text, "\u259e") != NULL || strstr(text, "\u259a") != NULL,
              "quadrant blocks:\n%s", text);
    cr_expect(strstr(text, "\u2588 r\xc3\xbcn?[31m") != NULL, "UTF-8 kept, ESC dropped:\n%s",
              text);
    free(text);
    series_free(s);
}

Test(chart, cursor_reads_out_each_series)
{
    double xs[] = { 0, 10, 20, 30 }, ya[] = { 4, 3, 2, 1 }, yb[] = { 1, 2, 3, 4 };
    struct series *a = make("run-a", xs, ya, 4), *b = make("run-b", xs, yb, 4);
    struct chart_line l[2] = { { a, NULL, 0, false, false, false, false }, { b, NULL, 1, false, false, false, false } };
    struct chart_opts o;
    struct chart_raster r;
    int col, row;

    chart_opts_init(&o, 60, 14);
    o.glyphs = CHART_GLYPHS_BRAILLE;
    o.cursor_x = 19;
    chart_raster_init(&r);
    cr_assert_eq(chart_render(&r, l, 2, &o, NULL), 0);
    cr_expect_geq(find_row(&r, "run-a  2 at step 20", NULL), 0);
    cr_expect_geq(find_row(&r, "run-b  3 at step 20", NULL), 0);
    col = chart_column_of(&r, 19);
    cr_assert_geq(col, r.plot_x);
    for (row = r.plot_y; row < r.plot_y + r.plot_h; row++) {
        const struct chart_cell *c = at(&r, row, col);

        cr_expect(strcmp(c->ch, "\u2502") == 0 || braille_bits(c) > 0, "row %d: %s", row,
                  c->ch);
    }
    cr_expect_float_eq(chart_x_at_column(&r, chart_column_of(&r, 15)), 15, 30.0 / r.plot_w);
    cr_expect(isnan(chart_x_at_column(&r, 0)));
    cr_expect_eq(chart_column_of(&r, 1e9), -1);
    chart_raster_clean(&r);
    series_free(a);
    series_free(b);
}

/* Issue 13: the cursor's legend line says its x; a series read at its own x says no more, one
 * read at a neighbouring point says which and that it is the nearest; an EMA line reads out
 * nothing (the raw values are the readout). */
Test(chart, cursor_says_its_x_and_which_point_when_not_exact)
{
    double xs[] = { 0, 10, 20, 30 }, xb[] = { 0, 15, 25, 30 };
    double ya[] = { 4, 3, 2, 1 }, yb[] = { 1, 2, 3, 4 };
    struct series *a = make("run-a", xs, ya, 4), *b = make("run-b", xb, yb, 4);
    struct series *sm = make("run-a EMA 0.6", xs, yb, 4);
    struct chart_line l[3] = { { a, NULL, 0, true, false, false, false },
                               { sm, NULL, 0, false, true, false, false },
                               { b, NULL, 1, false, false, false, false } };
    struct chart_opts o;
    struct chart_raster r;
    int row;

    chart_opts_init(&o, 70, 16);
    o.glyphs = CHART_GLYPHS_BRAILLE;
    o.cursor_x = 20;
    chart_raster_init(&r);
    cr_assert_eq(chart_render(&r, l, 3, &o, NULL), 0);
    row = find_row(&r, "cursor: step 20", NULL);
    cr_expect_geq(row, r.plot_y + r.plot_h, "the cursor's x under the plot");
    row = find_row(&r, "2 at step 20", NULL);
    cr_expect_geq(row, 0, "run-a has a point at step 20");
    cr_expect_geq(find_in_row(&r, row, "run-a"), 0);
    cr_expect_lt(find_in_row(&r, row, "nearest"), 0, "exact: not said to be the nearest");
    cr_expect_geq(find_row(&r, "2 at step 15 (nearest)", NULL), 0, "run-b has no step 20");
    cr_expect_lt(find_row(&r, "run-a EMA 0.6  3", NULL), 0, "no smoothed readout");
    cr_expect_lt(find_row(&r, "run-a EMA 0.6  2", NULL), 0, "no smoothed readout");
    /* a cursor between logged steps reads as a whole step */
    o.cursor_x = 19.4;
    cr_assert_eq(chart_render(&r, l, 3, &o, NULL), 0);
    cr_expect_geq(find_row(&r, "cursor: step 19", NULL), 0);
    cr_expect_geq(find_row(&r, "2 at step 20 (nearest)", NULL), 0);
    chart_raster_clean(&r);
    series_free(a);
    series_free(b);
    series_free(sm);
}

/* Issue 13: x zoom. The axis spans exactly the range asked for, only the points inside it are
 * drawn, and the legend's figures are those of the points in view. */
Test(chart, zoom_shows_only_the_x_range)
{
    double xs[100], ys[100];
    struct series *a;
    struct chart_line l[1];
    struct chart_opts o;
    struct chart_raster r;
    unsigned char *g;
    int wd, hd, x, y, lo_col = -1, hi_col = -1;
    size_t i;

    for (i = 0; i < 100; i++) {
        xs[i] = (double)i * 10;
        ys[i] = (double)i;      /* y = x / 10 */
    }
    a = make("loss", xs, ys, 100);
    memset(l, 0, sizeof(l));
    l[0].s = a;
    chart_opts_init(&o, 80, 20);
    o.glyphs = CHART_GLYPHS_BRAILLE;
    o.markers = false;
    o.x_lo = 200;
    o.x_hi = 400;
    chart_raster_init(&r);
    cr_assert_eq(chart_render(&r, l, 1, &o, NULL), 0);
    cr_expect_float_eq(r.x_lo, 200, 1e-9);
    cr_expect_float_eq(r.x_hi, 400, 1e-9);
    cr_expect_geq(find_row(&r, "last 40  min 20  max 40", NULL), 0, "figures of the window");
    cr_expect_leq(r.y_hi, 45, "y fits the window's values, not all of them (max 99)");
    /* the curve spans the plot from its left to its right edge: no point piled at an edge */
    g = decode_dots(&r);
    wd = r.plot_w * 2;
    hd = r.plot_h * 4;
    for (x = 0; x < wd; x++)
        for (y = 0; y < hd; y++)
            if (g[(size_t)y * (size_t)wd + (size_t)x]) {
                if (lo_col < 0)
                    lo_col = x;
                hi_col = x;
            }
    cr_expect_leq(lo_col, 1);
    cr_expect_geq(hi_col, wd - 2);
    /* the top-right dot is the window's highest value, not a clamped later one */
    for (y = 0; y < hd && !g[(size_t)y * (size_t)wd + (size_t)hi_col]; y++)
        ;
    cr_expect_leq(y, 1 + hd / 10);
    free(g);
    chart_raster_clean(&r);
    series_free(a);
}

/* Issue 17: NaN points are not drawn and not ranged; the legend counts them. */
Test(chart, nan_points_are_skipped_and_counted_in_the_legend)
{
    double xs[] = { 0, 10, 20, 30, 40 }, ys[] = { 1, 2, 3, NAN, NAN };
    struct series *a = make("run-a", xs, ys, 5);
    struct chart_line l[1] = { { a, NULL, 0, false, false, false, false } };
    struct chart_opts o;
    struct chart_raster r;

    chart_opts_init(&o, 60, 14);
    o.glyphs = CHART_GLYPHS_BRAILLE;
    chart_raster_init(&r);
    cr_assert_eq(chart_render(&r, l, 1, &o, NULL), 0);
    cr_expect_geq(find_row(&r, "run-a  last 3  min 1  max 3  2 NaN", NULL), 0);
    cr_expect(isfinite(r.y_lo) && isfinite(r.y_hi), "the axis range stays finite");
    chart_raster_clean(&r);
    series_free(a);
}

/* Issue 13: a run toggled off is not drawn and not ranged; its legend line stays and says so. */
Test(chart, hidden_line_is_not_drawn_and_legend_says_so)
{
    double xs[] = { 0, 10, 20 }, ya[] = { 1, 2, 3 }, yb[] = { 100, 200, 300 };
    struct series *a = make("run-a", xs, ya, 3), *b = make("run-b", xs, yb, 3);
    struct chart_line l[2] = { { a, NULL, 0, false, false, false, false },
                               { b, NULL, 1, false, false, true, false } };
    struct chart_opts o;
    struct chart_raster r;
    int row, col;

    chart_opts_init(&o, 60, 14);
    o.glyphs = CHART_GLYPHS_BRAILLE;
    chart_raster_init(&r);
    cr_assert_eq(chart_render(&r, l, 2, &o, NULL), 0);
    cr_expect_geq(find_row(&r, "run-b  hidden", NULL), 0);
    cr_expect_geq(find_row(&r, "run-a  last 3  min 1  max 3", NULL), 0);
    cr_expect_lt(r.y_hi, 10, "the hidden run's values (100..300) leave the axis alone");
    for (row = r.plot_y; row < r.plot_y + r.plot_h; row++)
        for (col = r.plot_x; col < r.plot_x + r.plot_w; col++)
            cr_expect_neq(at(&r, row, col)->color, chart_run_color(1), "run-b drawn at %d,%d",
                          row, col);
    chart_raster_clean(&r);
    series_free(a);
    series_free(b);
}

Test(chart, legend_shows_last_min_max_and_truncates)
{
    double xs[] = { 0, 1, 2 }, ys[] = { 2.5, 0.125, 0.5 };
    struct series *s[5];
    struct chart_line l[5];
    struct chart_opts o;
    struct chart_raster r;
    int i;

    for (i = 0; i < 5; i++) {
        char name[16];

        snprintf(name, sizeof(name), "job-%d", i);
        s[i] = make(name, xs, ys, 3);
        l[i] = (struct chart_line){ s[i], NULL, i, false, false, false, false };
    }
    chart_opts_init(&o, 60, 9);
    o.glyphs = CHART_GLYPHS_BRAILLE;
    chart_raster_init(&r);
    cr_assert_eq(chart_render(&r, l, 1, &o, NULL), 0);
    cr_expect_geq(find_row(&r, "\u28ff job-0  last 0.5  min 0.125  max 2.5", NULL), 0);
    /* 5 series in 9 rows: the legend gets 3 rows, and says how many are left */
    cr_assert_eq(chart_render(&r, l, 5, &o, NULL), 0);
    cr_expect_eq(r.plot_h, 4);
    cr_expect_geq(find_row(&r, "job-1", NULL), 0);
    cr_expect_eq(find_row(&r, "job-2", NULL), -1);
    cr_expect_geq(find_row(&r, "+3 more", NULL), 0);
    /* a long job name is cut in the middle, keeping the end where job names differ */
    cr_assert_eq(series_set_name(s[0], "hf-bert-base-uncased-lr3e-5-2024-03-01-12-00-01", NULL),
                 0);
    cr_assert_eq(chart_render(&r, l, 1, &o, NULL), 0);
    cr_expect_geq(find_row(&r, "\u28ff hf-bert-b\u20261-12-00-01  last 0.5", NULL), 0);
    chart_raster_clean(&r);
    for (i = 0; i < 5; i++)
        series_free(s[i]);
}

Test(chart, empty_and_too_small)
{
    struct series *s = series_new("empty");
    struct chart_line l = { s, NULL, 0, false, false, false, false };
    struct chart_opts o = bare(30, 8, CHART_GLYPHS_BRAILLE);
    struct chart_raster r;
    struct err e = { 0 };

    chart_raster_init(&r);
    cr_assert_eq(chart_render(&r, &l, 1, &o, NULL), 0);
    cr_expect_geq(find_row(&r, "no data", NULL), 0);
    o.width = 10;
    cr_expect_eq(chart_render(&r, &l, 1, &o, &e), ERR_INVAL);
    cr_expect(strstr(e.msg, "10x8") != NULL, "%s", e.msg);
    cr_expect_str_eq(err_code_name(e.code), err_code_name(ERR_INVAL));
    chart_raster_clean(&r);
    series_free(s);
}

Test(chart, ansi_text_colours_and_resets)
{
    double xs[] = { 0, 10 }, ys[] = { 0, 10 };
    struct series *s = make("a", xs, ys, 2);
    struct chart_line l = { s, NULL, 2, false, false, false, false };
    struct chart_opts o = bare(30, 6, CHART_GLYPHS_BRAILLE);
    char *text = NULL, *p, want[32];
    size_t len = 0;

    cr_assert_eq(chart_render_text(&l, 1, &o, true, &text, &len, NULL), 0);
    cr_expect_eq(strlen(text), len);
    snprintf(want, sizeof(want), "\x1b[0;38;5;%dm", chart_color_xterm256(chart_run_color(2)));
    cr_expect(strstr(text, want) != NULL, "run colour SGR");
    for (p = strchr(text, '\n'); p != NULL; p = strchr(p + 1, '\n')) {
        /* a line that set a colour resets it before its end */
        const char *start = p;

        while (start > text && start[-1] != '\n')
            start--;
        if (memchr(start, '\x1b', (size_t)(p - start)) != NULL)
            cr_expect(p - start >= 4 && memcmp(p - 4, "\x1b[0m", 4) == 0);
    }
    free(text);
    series_free(s);
}

/* ---- `sagetop plot` for a fixed dataset ------------------------------------------------ */

/* Two runs, 200 steps each, a decaying loss with a deterministic wobble, a spike in run-b. */
static char *fixed_csv(size_t *len)
{
    size_t cap = 64 * 1024, n = 0, i;
    char *buf = malloc(cap);

    n += (size_t)snprintf(buf + n, cap - n, "job,metric,timestamp,step,epoch,value\n");
    for (i = 0; i <= 200; i++) {
        double a = 2.4 * exp(-(double)i / 40) + 0.2 + 0.03 * sin((double)i / 3);
        double b = 2.0 * exp(-(double)i / 70) + 0.35 + (i == 120 ? 1.1 : 0);

        n += (size_t)snprintf(buf + n, cap - n,
                              "run-a,loss,2024-03-01T12:%02zu:%02zuZ,%zu,%.2f,%.6f\n", i / 60,
                              i % 60, i * 10, (double)i / 50, a);
        n += (size_t)snprintf(buf + n, cap - n,
                              "run-b,loss,2024-03-01T12:%02zu:%02zuZ,%zu,%.2f,%.6f\n",
                              (i * 2) / 60, (i * 2) % 60, i * 10, (double)i / 50, b);
    }
    *len = n;
    return buf;
}

static char *read_file(const char *path)
{
    FILE *f = fopen(path, "rb");
    char *buf;
    long n;

    if (f == NULL)
        return NULL;
    fseek(f, 0, SEEK_END);
    n = ftell(f);
    fseek(f, 0, SEEK_SET);
    buf = calloc((size_t)n + 1, 1);
    if (fread(buf, 1, (size_t)n, f) != (size_t)n) {
        free(buf);
        buf = NULL;
    }
    fclose(f);
    return buf;
}

/* Compares with tests/unit/data/<name>; SAGETOP_UPDATE_EXPECTED=1 rewrites the file instead. */
static void expect_file(const char *name, const char *got)
{
    char path[512];
    const char *top = getenv("SAGETOP_TOP");
    char *want;

    snprintf(path, sizeof(path), "%s/tests/unit/data/%s", top != NULL ? top : ".", name);
    if (getenv("SAGETOP_UPDATE_EXPECTED") != NULL) {
        FILE *f = fopen(path, "wb");

        cr_assert_not_null(f, "cannot write %s", path);
        fputs(got, f);
        fclose(f);
    }
    want = read_file(path);
    cr_assert_not_null(want, "cannot read %s (run from the repository root)", path);
    cr_expect_str_eq(got, want, "differs from %s; got:\n%s", path, got);
    free(want);
}

static char *plot_fixed(enum series_x_kind kind, enum chart_glyphs g, bool log_y, double ema,
                        double cursor_x)
{
    struct series_set set;
    struct chart_opts o;
    size_t len;
    char *csv = fixed_csv(&len), *text = NULL;
    struct err e = { 0 };

    series_set_init(&set);
    cr_assert_eq(series_csv_parse(csv, len, "loss", kind, &set, &e), 0, "%s", e.msg);
    cr_assert_eq(set.len, 2);
    chart_opts_init(&o, 80, 22);
    o.glyphs = g;
    o.x_kind = kind;
    o.log_y = log_y;
    o.cursor_x = cursor_x;
    cr_assert_eq(chart_plot_text(set.v, set.len, "loss", ema, &o, false, &text, &len, &e), 0,
                 "%s", e.msg);
    series_set_clean(&set);
    free(csv);
    return text;
}

Test(plot, braille_by_step_matches_expected)
{
    char *text = plot_fixed(SERIES_X_STEP, CHART_GLYPHS_BRAILLE, false, 0, NAN);

    expect_file("plot_braille_step.expected", text);
    free(text);
}

Test(plot, ascii_log_ema_elapsed_matches_expected)
{
    char *text = plot_fixed(SERIES_X_ELAPSED, CHART_GLYPHS_ASCII, true, 0.6, NAN);

    cr_expect(strstr(text, "loss  (EMA 0.6)  (log y)") != NULL);
    expect_file("plot_ascii_log_ema.expected", text);
    free(text);
}

Test(plot, block_wall_time_with_cursor_matches_expected)
{
    char *text = plot_fixed(SERIES_X_WALL, CHART_GLYPHS_BLOCK, false, 0, 1709294460.0);

    expect_file("plot_block_cursor.expected", text);
    free(text);
}

/* ---- raw values under smoothing, flat series (issue 13, items 3 and 4) ------------------- */

static char *plot_series(struct series *s, double ema, int w, int h)
{
    struct chart_opts o;
    char *text = NULL;
    size_t len;
    struct err e = { 0 };

    chart_opts_init(&o, w, h);
    o.glyphs = CHART_GLYPHS_BRAILLE;
    cr_assert_eq(chart_plot_text(&s, 1, "eval_loss", ema, &o, false, &text, &len, &e), 0, "%s",
                 e.msg);
    return text;
}

Test(chart, markers_and_last_label_read_raw_values_under_an_ema)
{
    double xs[] = { 1, 2, 3, 4 }, ys[] = { 0.3, 0.25, 0.2, 0.173 };
    struct series *s = make("eval", xs, ys, 4);
    char *text = plot_series(s, 0.6, 60, 16);

    /* the last value label and the legend give the raw last and min, not the EMA's 0.1921 */
    cr_expect(strstr(text, "\u25c20.173") != NULL, "no raw last label:\n%s", text);
    cr_expect(strstr(text, "last 0.173  min 0.173  max 0.3") != NULL, "%s", text);
    cr_expect(strstr(text, "0.192") == NULL, "a smoothed value is shown:\n%s", text);
    cr_expect(strstr(text, "eval EMA 0.6") != NULL, "legend has no EMA line:\n%s", text);
    free(text);
    series_free(s);
}

Test(chart, raw_line_is_drawn_dim_under_its_ema)
{
    double xs[] = { 0, 1, 2, 3, 4, 5 }, ys[] = { 10, 0, 10, 0, 10, 0 };
    struct series *raw = make("raw", xs, ys, 6), *sm = series_new("raw EMA 0.6");
    struct chart_line l[2] = { { raw, NULL, 0, true, false, false, false }, { sm, NULL, 0, false, true, false, false } };
    struct chart_opts o;
    struct chart_raster r;
    int row, col, dim = 0, bright = 0;

    cr_assert_eq(series_ema(raw, 0.6, sm, NULL), 0);
    chart_opts_init(&o, 40, 12);
    o.glyphs = CHART_GLYPHS_BRAILLE;
    o.legend = false;
    chart_raster_init(&r);
    cr_assert_eq(chart_render(&r, l, 2, &o, NULL), 0);
    for (row = r.plot_y; row < r.plot_y + r.plot_h; row++)
        for (col = r.plot_x; col < r.plot_x + r.plot_w; col++)
            if (braille_bits(at(&r, row, col)) > 0) {
                if (at(&r, row, col)->attr & CHART_ATTR_DIM)
                    dim++;
                else
                    bright++;
            }
    cr_expect_gt(dim, 0, "the raw line is not drawn faint");
    cr_expect_gt(bright, 0, "the smoothed line is not drawn");
    /* the max marker sits on the raw maximum's row (the top of the plot) */
    cr_expect_eq(find_row(&r, "\u25b2", NULL), r.plot_y);
    chart_raster_clean(&r);
    series_free(raw);
    series_free(sm);
}

/* Rows of the plot that hold a braille dot. */
static int dot_rows(const struct chart_raster *r, int *first)
{
    int row, col, n = 0;

    *first = -1;
    for (row = r->plot_y; row < r->plot_y + r->plot_h; row++)
        for (col = r->plot_x; col < r->plot_x + r->plot_w; col++)
            if (braille_bits(at(r, row, col)) > 0) {
                if (*first < 0)
                    *first = row;
                n++;
                break;
            }
    return n;
}

Test(chart, flat_series_is_a_flat_line_in_the_middle)
{
    double xs[] = { 1, 2, 3, 4 }, ys[] = { 772.639, 772.639, 772.639, 772.639 };
    struct series *raw = make("flat", xs, ys, 4), *sm = series_new("flat EMA 0.6");
    struct chart_line l[2] = { { raw, NULL, 0, true, false, false, false }, { sm, NULL, 0, false, true, false, false } };
    struct chart_opts o;
    struct chart_raster r;
    int h, first, labels, row;

    cr_assert_eq(series_ema(raw, 0.6, sm, NULL), 0);
    for (h = 8; h <= 24; h += 8) {
        chart_opts_init(&o, 50, h);
        o.glyphs = CHART_GLYPHS_BRAILLE;
        o.legend = false;
        o.markers = false;
        chart_raster_init(&r);
        cr_assert_eq(chart_render(&r, l, 2, &o, NULL), 0);
        cr_expect_eq(dot_rows(&r, &first), 1, "h=%d: the flat series spans several rows", h);
        cr_expect_leq(abs(first - (r.plot_y + r.plot_h / 2)), 1,
                      "h=%d: flat line on row %d, plot rows %d..%d", h, first, r.plot_y,
                      r.plot_y + r.plot_h - 1);
        for (labels = 0, row = r.plot_y; row < r.plot_y + r.plot_h; row++)
            labels += at(&r, row, r.plot_x - 1)->ch[0] != '\0' &&
                      strcmp(at(&r, row, r.plot_x - 1)->ch, "\u2524") == 0;
        cr_expect_geq(labels, 2, "h=%d: %d y labels", h, labels);
        chart_raster_clean(&r);
    }
    series_free(raw);
    series_free(sm);
}

/* The x axis is named by the caller when x is not a step, epoch or time (a tuning chart's x is
 * a trial's rank or a hyperparameter's value): never "step" for what is not a step. */
Test(chart, x_axis_named_by_the_caller)
{
    double xs[] = { -5, -4, -3 }, ys[] = { 0.3, 0.2, 0.25 };
    struct series *s = make("objective", xs, ys, 3);
    struct chart_line l = { s, NULL, 0, false, false, false, true };
    struct chart_opts o = bare(60, 10, CHART_GLYPHS_ASCII);
    char *text = NULL;
    size_t len = 0;

    o.title = "objective";      /* the name goes on the title row when the ticks fill theirs */
    o.x_name = "log10 learning_rate";
    cr_assert_eq(chart_render_text(&l, 1, &o, false, &text, &len, NULL), 0);
    cr_expect(strstr(text, "x: log10 learning_rate") != NULL, "the name on the axis:\n%s", text);
    cr_expect(strstr(text, "step") == NULL, "not 'step':\n%s", text);
    free(text);
    o.x_name = NULL;
    cr_assert_eq(chart_render_text(&l, 1, &o, false, &text, &len, NULL), 0);
    cr_expect(strstr(text, "x: step") != NULL, "the kind's name by default:\n%s", text);
    free(text);
    series_free(s);
}
