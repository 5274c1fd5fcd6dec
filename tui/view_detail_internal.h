/* view_detail_internal.h: the job detail page's state, shared by its two files and nothing else.
 *
 *   view_detail.c           the page's rows: items added, laid out into rows for a width,
 *                           drawn; the keys, the actions and the view's lifecycle
 *   view_detail_sections.c  what the page says: its sections built from the cache (job,
 *                           failure with the log's last error lines, timeline, resources, host
 *                           metrics, spot, hyperparameters, data, metrics, tags)
 *
 * UI thread only. */
#ifndef SAGETOP_TUI_VIEW_DETAIL_INTERNAL_H
#define SAGETOP_TUI_VIEW_DETAIL_INTERNAL_H

#include <curses.h>
#include <stdbool.h>
#include <stddef.h>

#include "tui/list.h"
#include "tui/view.h"

/* One value as the page's sections add it: laid out into rows for a width
 * (view_detail.c). */
struct ditem {
    char *label;             /* owned */
    char *value;             /* raw, owned; sanitized when laid out */
    size_t len;
    attr_t attr;
    bool heading;
};

/* One display row: long values are wrapped into several rows when the page is laid out (again
 * when the width changes), so scrolling and drawing only walk rows. */
struct dline {
    const char *label;       /* the item's (a borrow), "" on a value's later rows */
    char *value;             /* sanitized, owned */
    attr_t attr;
    bool heading;
    int value_x;             /* the value column of the row's section */
};

struct detail_state {
    struct ditem *items;
    size_t n_items, cap_items;
    struct dline *lines;
    size_t n, cap;
    struct list list;        /* rows: the lines; no cursor, the keys scroll the page */
    int rows_y;              /* the screen row of the first line (for the mouse) */
    int width;               /* the width the page was laid out for */
};

/* view_detail.c */
/* Adds a value of len bytes to the page (copied); the label goes on its first row only. */
void detail_add(struct detail_state *s, const char *label, const char *value, size_t len,
                attr_t attr, bool heading);
/* detail_add() of a formatted value (cut at 2 KiB). */
void detail_addf(struct detail_state *s, const char *label, attr_t attr, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));
/* A section's title, after a blank row unless it is the first. */
void detail_heading(struct detail_state *s, const char *title);
/* Frees the items and their rows (the arrays stay for reuse). */
void detail_clear_items(struct detail_state *s);

/* view_detail_sections.c */
/* The page's items for job name, from the cache (what was there is cleared first). */
void detail_build(struct detail_state *s, struct app *a, const char *name);

#endif
