/* view_tuning_internal.h: what the tuning views share (view_tuning_list.c, the tuning list;
 * view_tuning_detail.c, one tuning job and its trials; view_tuning_table.c, the table both
 * draw their rows with, and the data both views read). Not for the other views.
 *
 * A tuning table is the list widget (list.h) plus column definitions; the view owns it and
 * its rows, and hands tuning_table_draw() a cell callback that fills one cell of one row. Only
 * the rows on screen are asked for. UI thread only; nothing here reads the cache. */
#ifndef SAGETOP_TUI_VIEW_TUNING_INTERNAL_H
#define SAGETOP_TUI_VIEW_TUNING_INTERNAL_H

#include <curses.h>
#include <stdbool.h>
#include <stddef.h>

#include "cache/tuning.h"
#include "tui/list.h"
#include "tui/view.h"

/* What the detail and the charts read of one tuning job. */
struct tuning_data {
    struct cache_tuning t;
    struct cache_tuning_range_list ranges;
    struct cache_kv_list parents;
    struct cache_trial_list trials;     /* in the order asked */
};
/* Reads it all again (what d held is freed first); on failure e says what and d holds what
 * was read before it. */
int tuning_data_load(struct cache *c, const char *name, enum cache_trial_order order,
                     struct tuning_data *d, struct err *e);
/* Safe on a zeroed struct and twice. */
void tuning_data_clean(struct tuning_data *d);

struct tuning_col {
    const char *title;      /* borrowed: a literal or a name the view keeps alive */
    int width;              /* 0: flexible (min 16, max 64) */
    bool right;             /* numbers: right-aligned */
    int priority;           /* list.h: the higher, the longer it stays */
};

struct tuning_table {
    struct list list;
    struct tuning_col cols[LIST_MAX_COLS];
    size_t n_cols;
    int sorted;             /* the column whose heading carries the sort arrow, -1 none */
    bool desc;
    int rows_y;             /* the screen row of the first row (set by the draw) */
};

/* Fills one cell (text into buf, its attribute into *attr) of row i, column c. */
typedef void (*tuning_cell_fn)(void *ctx, size_t i, size_t c, char *buf, size_t size,
                               attr_t *attr);
/* Fills true when row i is marked (NULL: no marks). */
typedef bool (*tuning_marked_fn)(void *ctx, size_t i);

/* Draws the headings on r's first row and the rows on screen under them, in r: the middle
 * of a text that does not fit is cut, dropped columns and cut rows are marked (› ↑ ↓). Sets
 * the list's page from r. empty is drawn when there are no rows. */
void tuning_table_draw(struct tuning_table *t, const struct rect *r, tuning_cell_fn cell,
                       tuning_marked_fn marked, void *ctx, const char *empty);

/* The list keys (KEYS_LIST_NAV) through the widget: R_REDRAW when something moved. */
int tuning_table_nav(struct tuning_table *t, struct app *a);

/* `:sort KEY [desc|asc]`'s arguments (query_sort_args()): false after flashing the usage. */
bool tuning_sort_args(struct app *a, int argc, char **argv, bool *desc);

/* Tab completion in the tuning views (view_ops.complete): what the word under the cursor is
 * for, from the line before it. */
enum tuning_arg {
    TUNING_ARG_OTHER,       /* not :sort or :filter: the job list's completion */
    TUNING_ARG_SORT_KEY,    /* `:sort KEY` */
    TUNING_ARG_SORT_ORDER,  /* `:sort KEY desc|asc` */
    TUNING_ARG_FILTER,      /* a term of `:filter` */
};
enum tuning_arg tuning_complete_arg(const char *line);
/* Appends cand to out[0..n) when it starts with word and there is room (max); a word that
 * starts with '!' (a negated filter term) matches after it and keeps it. Returns the new n. */
size_t tuning_complete_add(char (*out)[128], size_t n, size_t max, const char *word,
                           const char *cand);

#endif
