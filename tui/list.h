/* list.h: the scrolling list/table widget every list-shaped screen uses (jobs, logs, help,
 * pickers, compare and detail tables, the launch review).
 *
 * The widget is state plus pure functions: struct list holds the row count, the selection, the
 * first row on screen and the horizontal offset; list_key() and list_mouse() turn keys and
 * mouse events into moves; list_layout() gives table columns their widths by priority;
 * list_ellipsize_middle() cuts text in the middle. None of these call curses, so they are unit
 * tested (tests/unit/test_list.c). list_mouse_read() and list_define_keys() are the only curses
 * parts. The caller owns struct list (no allocation); it fetches and draws only the rows
 * [top, top + page), so a list of 100,000 rows costs what one of 50 does.
 *
 * Two modes: with a cursor (jobs, pickers) the selection moves and the screen follows it;
 * without (help, a text) the keys scroll the screen and `cur` stays equal to `top`.
 * UI thread only. */
#ifndef SAGETOP_TUI_LIST_H
#define SAGETOP_TUI_LIST_H

#include <stdbool.h>
#include <stddef.h>

struct list {
    size_t count;       /* rows */
    size_t cur;         /* the selected row (== top without a cursor) */
    size_t top;         /* the first row on screen */
    int page;           /* rows on screen (>= 1 once drawn) */
    bool cursor;        /* true: a selection moves; false: the keys scroll */
    int hoff;           /* horizontal scroll, in display columns */
    int content_w;      /* the widest row in columns (0: no horizontal scroll) */
    int view_w;         /* the columns on screen */
};

/* Sets the row count and the page height, then clamps cur and top (keeping cur on screen). */
void list_resize(struct list *l, size_t count, int page);
/* Moves the selection (or the screen, without a cursor) by delta rows, clamped. Returns true
 * when something moved. */
bool list_move(struct list *l, long delta);
/* Puts row i at the selection (cursor mode) or at the top of the screen. */
bool list_goto(struct list *l, size_t i);
/* Horizontal scroll by delta columns, clamped to [0, content_w - view_w]. */
bool list_hscroll(struct list *l, int delta);

enum list_key_flags {
    LIST_KEYS_HJKL = 1 << 0,     /* j/k also move (k9s, less) */
    LIST_KEYS_G = 1 << 1,        /* g/G top/bottom */
    LIST_KEYS_H_L = 1 << 2,      /* h/l scroll sideways (when the view does not use them) */
};
/* The navigation keys: Up/Down, PgUp/PgDn (and ^B/^F), Home/End, Left/Right (sideways), and
 * those named by flags. Returns 1 when the key moved the list, 0 when it was a navigation key
 * that changed nothing (at an end), -1 when it is not a navigation key. */
int list_key(struct list *l, int key, unsigned flags);

/* Teaches curses the other sequences terminals send for Home and End (tmux and rxvt send
 * "\e[1~"/"\e[4~" or "\e[7~"/"\e[8~" where the terminfo entry, xterm's, names "\eOH"/"\eOF"),
 * so they arrive as KEY_HOME/KEY_END and not as Escape and three letters. Once, after
 * keypad(). */
void list_define_keys(void);

/* True when rows are cut: above the screen / below it. */
bool list_more_above(const struct list *l);
bool list_more_below(const struct list *l);
/* Columns cut left / right by the horizontal scroll. */
bool list_more_left(const struct list *l);
bool list_more_right(const struct list *l);

/* ---- mouse --------------------------------------------------------------------------------- */

enum list_mouse_kind { LIST_MOUSE_NONE, LIST_MOUSE_CLICK, LIST_MOUSE_WHEEL_UP,
                       LIST_MOUSE_WHEEL_DOWN };
struct list_mouse {
    enum list_mouse_kind kind;
    int y, x;           /* screen cell */
};
enum list_mouse_result { LIST_MOUSE_IGNORED, LIST_MOUSE_MOVED, LIST_MOUSE_ROW,
                         LIST_MOUSE_HEADER };
/* Applies an event to a list whose first row is drawn at screen row rows_y (the header, when
 * there is one, at rows_y - 1). Wheel scrolls 3 rows; a click on a row selects it
 * (LIST_MOUSE_ROW, *row = the row); a click on the header row gives LIST_MOUSE_HEADER and
 * *row = -1 (the caller finds the column with list_column_at()). */
enum list_mouse_result list_mouse(struct list *l, const struct list_mouse *m, int rows_y,
                                  bool has_header, long *row);
/* Reads the mouse event curses has after KEY_MOUSE (the frame, once per event); false when
 * there was none or it is not one the widget knows. */
bool list_mouse_read(struct list_mouse *out);
/* That event again, for the view whose action runs on KEY_MOUSE; false when there is none. */
bool list_mouse_last(struct list_mouse *out);

/* ---- columns ------------------------------------------------------------------------------ */

#define LIST_MAX_COLS 32

/* A table column as the layout sees it. width 0 = flexible (takes what is left, between
 * min_w and max_w). priority: the higher, the longer it stays as the table narrows (0 = the
 * first to go); flexible columns are never dropped. */
struct list_col {
    int width;
    int min_w, max_w;     /* for a flexible column */
    int priority;
};
/* Gives each of n columns its width in out[] (0: dropped) for w columns, with one space
 * between columns and `lead` columns before the first. Drops the lowest-priority columns
 * (rightmost first among equals) until the rest fit. Returns the number dropped. */
int list_layout(const struct list_col *cols, size_t n, int w, int lead, int *out);
/* Which column (index) screen column x falls in, given the widths list_layout() gave and the
 * table's left edge (x0 + lead); -1 for none. */
int list_column_at(const int *widths, size_t n, int x0, int lead, int x);

/* Cuts s (clean UTF-8, len bytes) to at most w display columns by removing its middle and
 * putting the ellipsis (ell, one column) there, so both ends stay: "pytorch-…-2026-11-20".
 * Writes a NUL-terminated string to out (size bytes). Returns true when it cut. */
bool list_ellipsize_middle(const char *s, size_t len, int w, const char *ell, char *out,
                           size_t size);

/* Columns of a number's text from its decimal point (or exponent) to its end: 3 for "0.25",
 * 4 for "1e-05", 0 for "12" and for what is no number ("-"). A number column right-aligns each
 * cell this many columns short of the column's widest, so the points line up. */
int list_frac_cols(const char *text);

#endif
