/* form.h: the form widget (the launch form): rows of fields under group headings, a cursor
 * that only rests on fields, scrolling, and each field's validation message beside it, the
 * selected field's message also in full under the form.
 *
 * struct form is state on the list widget (tui/list.h): the same keys do the same things as in
 * every list (j/k, Up/Down, PgUp/PgDn, g/G, Home/End), and a move that lands on a heading goes
 * on to the next field in its direction. form_key() is pure (unit tested: tests/unit/
 * test_tui_form.c); form_draw() draws through a callback that describes row i, and fetches
 * only the rows on screen. The caller owns struct form (no allocation) and the rows.
 * UI thread only. */
#ifndef SAGETOP_TUI_FORM_H
#define SAGETOP_TUI_FORM_H

#include <stdbool.h>
#include <stddef.h>

#include "tui/list.h"

struct rect;

/* Row i as the form draws it. heading: a group title (label), not selectable; else the field's
 * label, its value (untrusted text) and its problem (NULL: none). */
struct form_row {
    bool heading;
    const char *label;
    const char *value;
    const char *message;
};
/* Fills *row for row i; the strings must live until the next call. buf (size bytes) is the
 * caller's scratch space for the value. */
typedef void form_row_fn(void *ctx, size_t i, struct form_row *row, char *buf, size_t size);
/* Whether row i is a heading. */
typedef bool form_heading_fn(void *ctx, size_t i);

struct form {
    struct list l;          /* cursor mode; count = rows (headings included) */
};

/* n rows, the first field selected. */
void form_init(struct form *f, size_t n, form_heading_fn *heading, void *ctx);
/* The row count changed (a rebuild): keeps the cursor at row cur (clamped, onto a field). */
void form_reset(struct form *f, size_t n, size_t cur, form_heading_fn *heading, void *ctx);
/* The navigation keys of the list widget (with j/k and g/G). Returns 1 when the cursor
 * moved, 0 for a navigation key that changed nothing, -1 for any other key. */
int form_key(struct form *f, int key, form_heading_fn *heading, void *ctx);
/* The selected row. */
size_t form_cur(const struct form *f);

/* The screen rows the selected field's message takes in full under the form (0, 1 or 2) when
 * it does not fit beside the field at width w. */
int form_message_rows(const char *message, int w);
/* Draws rows [top, top + page) into r (r->h rows; the page is r->h), labels in a column as wide
 * as the longest label shown (at most a third of r->w), values after them and messages beside
 * the values (from the middle of r->w); markers when rows are cut above or below. */
void form_draw(struct form *f, const struct rect *r, form_row_fn *row, void *ctx);
/* The selected field's message wrapped over rows (form_message_rows()) at y. */
void form_draw_message(int y, int x, int w, int rows, const char *message);

#endif
