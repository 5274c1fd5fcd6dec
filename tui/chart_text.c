/* chart_text.c: a chart raster as text, plain or with ANSI colours, and the one-call plot of
 * series used by `sagetop plot`. Reads a raster, writes a malloc'd string; must not lay out
 * anything itself (chart.c does) nor include curses. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tui/chart_internal.h"

static size_t sgr(char *p, int color, int attr)
{
    size_t len = 0;
    int c = chart_color_xterm256(color);

    len += (size_t)sprintf(p + len, "\x1b[0");
    if (attr & CHART_ATTR_BOLD)
        len += (size_t)sprintf(p + len, ";1");
    if (attr & CHART_ATTR_DIM)
        len += (size_t)sprintf(p + len, ";2");
    if (c >= 0)
        len += (size_t)sprintf(p + len, ";38;5;%d", c);
    len += (size_t)sprintf(p + len, "m");
    return len;
}

int chart_raster_text(const struct chart_raster *r, bool ansi, char **out, size_t *len,
                      struct err *e)
{
    /* per cell: 4 bytes of text and, with ansi, at most 22 of SGR */
    size_t cap = (size_t)r->width * (size_t)r->height * (ansi ? 26 : 4) +
                 (size_t)r->height * 6 + 1;
    char *buf = malloc(cap), *p;
    int row, col;

    if (buf == NULL)
        return err_set(e, ERR_NOMEM, "chart: out of memory for text");
    p = buf;
    for (row = 0; row < r->height; row++) {
        int end = r->width, cur_color = 0, cur_attr = 0;

        while (end > 0 && r->cells[(size_t)row * (size_t)r->width + (size_t)end - 1].ch[0] ==
                              ' ')
            end--;
        for (col = 0; col < end; col++) {
            const struct chart_cell *c = &r->cells[(size_t)row * (size_t)r->width + (size_t)col];
            size_t n = strlen(c->ch);
            int color = c->ch[0] == ' ' ? cur_color : c->color;
            int attr = c->ch[0] == ' ' ? cur_attr : c->attr;

            if (ansi && (color != cur_color || attr != cur_attr)) {
                p += sgr(p, color, attr);
                cur_color = color;
                cur_attr = attr;
            }
            memcpy(p, c->ch, n);
            p += n;
        }
        if (ansi && (cur_color != 0 || cur_attr != 0)) {
            memcpy(p, "\x1b[0m", 4);
            p += 4;
        }
        *p++ = '\n';
    }
    *p = '\0';
    *out = buf;
    if (len != NULL)
        *len = (size_t)(p - buf);
    return 0;
}

int chart_render_text(const struct chart_line *lines, size_t n, const struct chart_opts *o,
                      bool ansi, char **out, size_t *len, struct err *e)
{
    struct chart_raster r;
    int rc;

    chart_raster_init(&r);
    rc = chart_render(&r, lines, n, o, e);
    if (rc == 0)
        rc = chart_raster_text(&r, ansi, out, len, e);
    chart_raster_clean(&r);
    return rc;
}

int chart_plot_text(struct series *const *v, size_t n, const char *metric, double ema,
                    const struct chart_opts *o, bool ansi, char **out, size_t *len,
                    struct err *e)
{
    /* with ema: raw (dim) then its EMA for each series, so the smoothed line is drawn on top */
    size_t per = ema > 0 ? 2 : 1, i, nl = 0;
    struct chart_line *lines = calloc(n > 0 ? n * per : 1, sizeof(*lines));
    struct series **smooth = calloc(n > 0 ? n : 1, sizeof(*smooth));
    char **labels = calloc(n > 0 ? n : 1, sizeof(*labels));
    struct chart_opts opts = *o;
    char title[256];
    int rc = 0;

    if (lines == NULL || smooth == NULL || labels == NULL) {
        rc = err_set(e, ERR_NOMEM, "plot: out of memory");
        goto out;
    }
    for (i = 0; i < n; i++) {
        lines[nl].s = v[i];
        lines[nl].label = v[i]->name;
        lines[nl].run = (int)i;
        lines[nl].dim = ema > 0;
        nl++;
        if (ema > 0) {
            size_t cap = strlen(v[i]->name) + 32;

            smooth[i] = series_new(v[i]->name);
            labels[i] = malloc(cap);
            if (smooth[i] == NULL || labels[i] == NULL) {
                rc = err_set(e, ERR_NOMEM, "plot: out of memory");
                goto out;
            }
            rc = series_ema(v[i], ema, smooth[i], e);
            if (rc < 0)
                goto out;
            snprintf(labels[i], cap, "%s EMA %g", v[i]->name, ema);
            lines[nl].s = smooth[i];
            lines[nl].label = labels[i];
            lines[nl].run = (int)i;
            lines[nl].smoothed = true;
            nl++;
        }
    }
    if (opts.title == NULL) {
        int k = snprintf(title, sizeof(title), "%s", metric != NULL ? metric : "metrics");

        if (ema > 0 && k >= 0 && (size_t)k < sizeof(title))
            k += snprintf(title + k, sizeof(title) - (size_t)k, "  (EMA %g)", ema);
        if (o->log_y && k >= 0 && (size_t)k < sizeof(title))
            snprintf(title + k, sizeof(title) - (size_t)k, "  (log y)");
        opts.title = title;
    }
    rc = chart_render_text(lines, nl, &opts, ansi, out, len, e);
out:
    for (i = 0; i < n; i++) {
        if (smooth != NULL)
            series_free(smooth[i]);
        if (labels != NULL)
            free(labels[i]);
    }
    free(labels);
    free(smooth);
    free(lines);
    return rc;
}
