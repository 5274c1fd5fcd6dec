/* view_tuning_table.c: the table the tuning views draw (headings with the sort arrow, rows on
 * the list widget, middle ellipsis, markers for cut rows and dropped columns), and the one
 * read of a tuning job the detail and the charts share, `:sort`'s arguments with their
 * message, and which argument of `:sort` / `:filter` Tab completes. Owns no view state: the cells come from the view's callback; must not keep state
 * between calls. */
#include <stdio.h>
#include <string.h>

#include "tui/draw.h"
#include "tui/keys.h"
#include "tui/query.h"
#include "tui/sanitize.h"
#include "tui/view_tuning_internal.h"

static void draw_cell(const struct tuning_col *col, int y, int x, int w, const char *text,
                      attr_t at)
{
    int tw = utf8_width(text, strlen(text));
    char cut[300];

    if (tw > w) {
        /* both ends stay: a name's timestamp, a number's exponent */
        list_ellipsize_middle(text, strlen(text), w, draw_sym(SYM_ELLIPSIS), cut, sizeof(cut));
        draw_str(y, x, w, cut, at);
    } else if (col->right) {
        draw_str(y, x + w - tw, w, text, at);
    } else {
        draw_str(y, x, w, text, at);
    }
}

static int layout(const struct tuning_table *t, int w, int *widths)
{
    struct list_col lc[LIST_MAX_COLS] = { { 0 } };
    size_t i;

    for (i = 0; i < t->n_cols; i++) {
        lc[i].width = t->cols[i].width;
        lc[i].min_w = 16;
        lc[i].max_w = 64;
        lc[i].priority = t->cols[i].priority;
    }
    return list_layout(lc, t->n_cols, w, 2, widths);
}

void tuning_table_draw(struct tuning_table *t, const struct rect *r, tuning_cell_fn cell,
                       tuning_marked_fn marked, void *ctx, const char *empty)
{
    int widths[LIST_MAX_COLS], rows = r->h - 1, x, hidden;
    size_t c, i;

    if (rows < 1)
        return;
    list_resize(&t->list, t->list.count, rows);
    t->rows_y = r->y + 1;
    hidden = layout(t, r->w - 1, widths);
    draw_fill(r->y, r->x, r->w, theme_attr(TH_TITLE));
    x = r->x + 2;
    for (c = 0; c < t->n_cols; c++) {
        char h[160];

        if (widths[c] == 0)
            continue;
        snprintf(h, sizeof(h), "%s%s", t->cols[c].title,
                 (int)c == t->sorted ? draw_sym(t->desc ? SYM_DOWN : SYM_UP) : "");
        draw_cell(&t->cols[c], r->y, x, widths[c], h, theme_attr(TH_TITLE));
        x += widths[c] + 1;
    }
    if (hidden > 0)
        draw_str(r->y, r->x + r->w - 1, 1, draw_sym(SYM_MORE_RIGHT),
                 theme_attr(TH_TITLE) | A_BOLD);
    if (t->list.count == 0) {
        draw_str(r->y + 2, r->x + 2, r->w - 2, empty, theme_attr(TH_DIM));
        return;
    }
    for (i = 0; (int)i < rows && t->list.top + i < t->list.count; i++) {
        size_t row = t->list.top + i;
        bool sel = row == t->list.cur, mark = marked && marked(ctx, row);
        attr_t base = sel ? theme_attr(TH_SELECTED) : 0;
        int y = r->y + 1 + (int)i;

        draw_fill(y, r->x, r->w, base);
        if (mark)
            draw_str(y, r->x, 2, draw_sym(SYM_MARK), base | theme_attr(TH_MARKED));
        x = r->x + 2;
        for (c = 0; c < t->n_cols; c++) {
            char buf[300];
            attr_t at = 0;

            if (widths[c] == 0)
                continue;
            buf[0] = '\0';
            cell(ctx, row, c, buf, sizeof(buf), &at);
            if (sel)
                at = base | (at & A_BOLD);
            draw_cell(&t->cols[c], y, x, widths[c], buf, at);
            x += widths[c] + 1;
        }
    }
    if (list_more_above(&t->list))
        draw_str(r->y + 1, r->x + r->w - 1, 1, draw_sym(SYM_UP), theme_attr(TH_DIM) | A_BOLD);
    if (list_more_below(&t->list))
        draw_str(r->y + rows, r->x + r->w - 1, 1, draw_sym(SYM_DOWN),
                 theme_attr(TH_DIM) | A_BOLD);
}

int tuning_table_nav(struct tuning_table *t, struct app *a)
{
    int key = app_key(a);
    struct list_mouse m;
    long row;

    if (key == KEY_MOUSE) {
        if (!list_mouse_last(&m))
            return R_NONE;
        /* a click on a row selects it; the headings sort by key, not by click */
        switch (list_mouse(&t->list, &m, t->rows_y, true, &row)) {
        case LIST_MOUSE_MOVED:
        case LIST_MOUSE_ROW:
            return R_REDRAW;
        default:
            return R_NONE;
        }
    }
    return list_key(&t->list, key, LIST_KEYS_HJKL | LIST_KEYS_G) > 0 ? R_REDRAW : R_NONE;
}

bool tuning_sort_args(struct app *a, int argc, char **argv, bool *desc)
{
    struct err e = { 0 };

    if (query_sort_args(argc, argv, desc, &e) == 0)
        return true;
    app_flash(a, true, "%s", e.msg);
    return false;
}

enum tuning_arg tuning_complete_arg(const char *line)
{
    size_t words = 0;   /* the words typed in full before the one under the cursor */
    const char *p;

    if (strncmp(line, "filter ", 7) == 0)
        return TUNING_ARG_FILTER;
    if (strncmp(line, "sort ", 5) != 0)
        return TUNING_ARG_OTHER;
    for (p = line; *p; p++)
        if (*p != ' ' && p[1] == ' ')
            words++;
    return words <= 1 ? TUNING_ARG_SORT_KEY : words == 2 ? TUNING_ARG_SORT_ORDER
                                                          : TUNING_ARG_OTHER;
}

size_t tuning_complete_add(char (*out)[128], size_t n, size_t max, const char *word,
                           const char *cand)
{
    bool neg = word[0] == '!';

    if (n < max && strncmp(cand, word + neg, strlen(word + neg)) == 0)
        snprintf(out[n++], 128, "%s%.120s", neg ? "!" : "", cand);
    return n;
}

void tuning_data_clean(struct tuning_data *d)
{
    cache_tuning_range_list_clean(&d->ranges);
    cache_kv_list_clean(&d->parents);
    cache_trial_list_clean(&d->trials);
}

int tuning_data_load(struct cache *c, const char *name, enum cache_trial_order order,
                     struct tuning_data *d, struct err *e)
{
    int rc;

    tuning_data_clean(d);
    if ((rc = cache_tuning_get(c, name, &d->t, e)) == 0 &&
        (rc = cache_tuning_ranges(c, name, &d->ranges, e)) == 0 &&
        (rc = cache_tuning_parents(c, name, &d->parents, e)) == 0)
        rc = cache_tuning_trials(c, name, order, &d->trials, e);
    return rc;
}
