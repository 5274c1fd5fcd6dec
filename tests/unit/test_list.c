/* test_list.c: the list widget's pure parts (tui/list.c): moving, paging, the ends, the
 * "more" markers, horizontal scroll, mouse events, column layout by priority, middle-ellipsis
 * cutting, and the logs view's window shown to a list. No terminal is started. */
#include <criterion/criterion.h>
#include <curses.h>
#include <stdlib.h>
#include <string.h>

#include "tui/list.h"
#include "tui/view_logs_internal.h"

static struct list cursor_list(size_t count, int page)
{
    struct list l = { 0 };

    l.cursor = true;
    list_resize(&l, count, page);
    return l;
}

Test(list, moves_clamp_at_both_ends)
{
    struct list l = cursor_list(5, 3);

    cr_assert_eq(list_key(&l, KEY_UP, 0), 0, "Up at the top moves nothing");
    cr_assert_eq(list_key(&l, KEY_DOWN, 0), 1);
    cr_assert_eq(l.cur, 1);
    cr_assert_eq(list_key(&l, KEY_END, 0), 1);
    cr_assert_eq(l.cur, 4);
    cr_assert_eq(l.top, 2, "the screen follows the selection");
    cr_assert_eq(list_key(&l, KEY_DOWN, 0), 0, "Down at the bottom moves nothing");
    cr_assert_eq(list_key(&l, KEY_HOME, 0), 1);
    cr_assert_eq(l.cur, 0);
    cr_assert_eq(l.top, 0);
}

Test(list, j_k_g_only_when_asked)
{
    struct list l = cursor_list(50, 10);

    cr_assert_eq(list_key(&l, 'j', 0), -1);
    cr_assert_eq(list_key(&l, 'G', 0), -1);
    cr_assert_eq(list_key(&l, 'j', LIST_KEYS_HJKL), 1);
    cr_assert_eq(list_key(&l, 'G', LIST_KEYS_G), 1);
    cr_assert_eq(l.cur, 49);
    cr_assert_eq(list_key(&l, 'g', LIST_KEYS_G), 1);
    cr_assert_eq(l.cur, 0);
    cr_assert_eq(list_key(&l, 'x', LIST_KEYS_G | LIST_KEYS_HJKL), -1);
}

Test(list, page_keeps_one_row_of_context)
{
    struct list l = cursor_list(100, 10);

    cr_assert_eq(list_key(&l, KEY_NPAGE, 0), 1);
    cr_assert_eq(l.cur, 9);
    cr_assert_eq(list_key(&l, 6, 0), 1, "^F pages too");
    cr_assert_eq(l.cur, 18);
    cr_assert_eq(list_key(&l, KEY_PPAGE, 0), 1);
    cr_assert_eq(l.cur, 9);
}

Test(list, a_text_scrolls_and_its_last_page_is_full)
{
    struct list l = { 0 };

    list_resize(&l, 30, 10);
    cr_assert(list_more_below(&l));
    cr_assert_not(list_more_above(&l));
    cr_assert_eq(list_key(&l, KEY_END, 0), 1);
    cr_assert_eq(l.top, 20, "End shows the last full page, not one line");
    cr_assert_eq(l.cur, l.top);
    cr_assert_not(list_more_below(&l));
    cr_assert(list_more_above(&l));
    cr_assert_eq(list_key(&l, KEY_DOWN, 0), 0);
    list_resize(&l, 5, 10);
    cr_assert_eq(l.top, 0, "a shorter text moves back to the top");
}

Test(list, resize_keeps_the_selection_on_screen)
{
    struct list l = cursor_list(100, 20);

    list_goto(&l, 19);
    list_resize(&l, 100, 5);
    cr_assert_eq(l.cur, 19);
    cr_assert(l.cur >= l.top && l.cur < l.top + 5);
    list_resize(&l, 3, 5);
    cr_assert_eq(l.cur, 2, "fewer rows: the selection moves to the last");
    list_resize(&l, 0, 5);
    cr_assert_eq(l.cur, 0);
    cr_assert_eq(l.top, 0);
}

Test(list, horizontal_scroll_and_its_markers)
{
    struct list l = { 0 };

    l.content_w = 100;
    l.view_w = 40;
    cr_assert(list_more_right(&l));
    cr_assert_not(list_more_left(&l));
    cr_assert_eq(list_key(&l, KEY_RIGHT, 0), 1);
    cr_assert_eq(l.hoff, 8);
    cr_assert(list_more_left(&l));
    cr_assert_eq(list_key(&l, 'l', 0), -1, "l is the view's unless asked");
    cr_assert_eq(list_key(&l, 'l', LIST_KEYS_H_L), 1);
    for (int i = 0; i < 20; i++)
        list_key(&l, KEY_RIGHT, 0);
    cr_assert_eq(l.hoff, 60, "stops with the end on screen");
    cr_assert_not(list_more_right(&l));
    cr_assert_eq(list_key(&l, KEY_RIGHT, 0), 0);
    l.content_w = 30;
    l.hoff = 0;
    cr_assert_eq(list_key(&l, KEY_RIGHT, 0), 0, "nothing to scroll when it fits");
}

Test(list, wheel_scrolls_and_keeps_the_selection_on_screen)
{
    struct list l = cursor_list(100, 10);
    struct list_mouse m = { LIST_MOUSE_WHEEL_DOWN, 5, 5 };
    long row = 0;

    cr_assert_eq(list_mouse(&l, &m, 2, true, &row), LIST_MOUSE_MOVED);
    cr_assert_eq(l.top, 3);
    cr_assert_eq(l.cur, 3, "the selection stays on screen");
    m.kind = LIST_MOUSE_WHEEL_UP;
    cr_assert_eq(list_mouse(&l, &m, 2, true, &row), LIST_MOUSE_MOVED);
    cr_assert_eq(l.top, 0);
    cr_assert_eq(list_mouse(&l, &m, 2, true, &row), LIST_MOUSE_IGNORED, "at the top");
}

Test(list, click_selects_a_row_or_names_the_header)
{
    struct list l = cursor_list(4, 10);
    struct list_mouse m = { LIST_MOUSE_CLICK, 4, 10 };
    long row = -5;

    cr_assert_eq(list_mouse(&l, &m, 2, true, &row), LIST_MOUSE_ROW);
    cr_assert_eq(row, 2);
    cr_assert_eq(l.cur, 2);
    m.y = 1;
    cr_assert_eq(list_mouse(&l, &m, 2, true, &row), LIST_MOUSE_HEADER);
    m.y = 9;
    cr_assert_eq(list_mouse(&l, &m, 2, true, &row), LIST_MOUSE_IGNORED, "below the last row");
    cr_assert_eq(l.cur, 2);
}

Test(list, layout_drops_the_lowest_priority_first)
{
    /* name (flex), status 10 p9, secondary 13 p1, age 6 p5, eval 10 p6 */
    const struct list_col c[] = {
        { 0, 20, 64, 10 }, { 10, 0, 0, 9 }, { 13, 0, 0, 1 }, { 6, 0, 0, 5 }, { 10, 0, 0, 6 },
    };
    int w[5];

    cr_assert_eq(list_layout(c, 5, 200, 2, w), 0);
    cr_assert_eq(w[0], 64, "the name stops at its max");
    cr_assert_eq(w[2], 13);
    /* 2 + 20 + 11 + 14 + 7 + 11 = 65: at 60 one column goes, and it is SECONDARY */
    cr_assert_eq(list_layout(c, 5, 60, 2, w), 1);
    cr_assert_eq(w[2], 0, "SECONDARY goes first");
    cr_assert_eq(w[4], 10, "EVAL stays");
    cr_assert_eq(w[0], 60 - 2 - 11 - 7 - 11, "the name takes the rest");
    cr_assert_eq(list_layout(c, 5, 45, 2, w), 2);
    cr_assert_eq(w[3], 0, "AGE next");
    cr_assert_eq(w[1], 10);
}

Test(list, column_at_finds_the_clicked_column)
{
    int w[] = { 20, 0, 6, 8 };

    cr_assert_eq(list_column_at(w, 4, 0, 2, 1), -1, "the lead is no column");
    cr_assert_eq(list_column_at(w, 4, 0, 2, 2), 0);
    cr_assert_eq(list_column_at(w, 4, 0, 2, 21), 0);
    cr_assert_eq(list_column_at(w, 4, 0, 2, 22), -1, "the gap");
    cr_assert_eq(list_column_at(w, 4, 0, 2, 23), 2, "the dropped column is skipped");
    cr_assert_eq(list_column_at(w, 4, 0, 2, 30), 3);
}

Test(list, middle_ellipsis_keeps_both_ends)
{
    char out[64];
    const char *name = "bert-base-finetune-2026-11-20-10-31-07-123";

    cr_assert_not(list_ellipsize_middle("short", 5, 10, "~", out, sizeof(out)));
    cr_assert_str_eq(out, "short");
    cr_assert(list_ellipsize_middle(name, strlen(name), 21, "~", out, sizeof(out)));
    cr_assert_str_eq(out, "bert-base-~-31-07-123");
    cr_assert(list_ellipsize_middle(name, strlen(name), 21, "\xe2\x80\xa6", out, sizeof(out)));
    cr_assert_str_eq(out, "bert-base-\xe2\x80\xa6-31-07-123");
}

Test(list, middle_ellipsis_counts_columns_not_bytes)
{
    char out[64];
    /* "é" is 2 bytes, 1 column */
    const char *s = "\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9";

    cr_assert(list_ellipsize_middle(s, strlen(s), 5, "~", out, sizeof(out)));
    cr_assert_str_eq(out, "\xc3\xa9\xc3\xa9~\xc3\xa9\xc3\xa9");
}

Test(list, frac_cols_align_decimal_points)
{
    cr_assert_eq(list_frac_cols("0.25"), 3);
    cr_assert_eq(list_frac_cols("0.1730"), 5);
    cr_assert_eq(list_frac_cols("12"), 0);
    cr_assert_eq(list_frac_cols("1e-05"), 4);
    cr_assert_eq(list_frac_cols("1.5e-05"), 6);
    cr_assert_eq(list_frac_cols("-"), 0);
    cr_assert_eq(list_frac_cols(""), 0);
    cr_assert_eq(list_frac_cols("12%"), 0);
}

/* The logs view's window as a list (tui/view_logs_nav.c): margins where the log goes on, so
 * the keys mean what they mean in every list and only g/G reach the list's ends. */
Test(list, logs_window_as_a_list)
{
    struct logs_state *s = calloc(1, sizeof(*s));
    size_t top;

    cr_assert_not_null(s);
    s->rows = 10;
    s->n = 10;
    s->follow = true;                /* following: lines above (unknown start), none below */
    logs_list_sync(s);
    top = s->list.top;
    cr_assert(list_more_above(&s->list));
    cr_assert_not(list_more_below(&s->list));
    cr_assert_eq(list_key(&s->list, KEY_NPAGE, LIST_KEYS_G), 0, "nothing below the end");
    cr_assert_eq(list_key(&s->list, KEY_PPAGE, LIST_KEYS_G), 1);
    cr_assert_eq(s->list.top, top - 9, "a page back is the page less one line");
    cr_assert_eq(list_key(&s->list, 'g', LIST_KEYS_G), 1);
    cr_assert_eq(s->list.top, 0, "g: the list's first row, the log's first line");

    s->follow = false;               /* paused in the middle: lines below too */
    logs_list_sync(s);
    cr_assert(list_more_below(&s->list));
    cr_assert_eq(list_key(&s->list, KEY_NPAGE, LIST_KEYS_G), 1);
    cr_assert_eq(s->list.top, top + 9);
    cr_assert_eq(list_key(&s->list, 'G', LIST_KEYS_G), 1);
    cr_assert_eq(s->list.top, s->list.count - 10, "G: the last page, the log's end");

    s->at_end = true;                /* paused at the end, the window short: a full page */
    s->n = 4;
    logs_list_sync(s);
    cr_assert_not(list_more_below(&s->list));
    cr_assert_eq(list_key(&s->list, KEY_DOWN, LIST_KEYS_G), 0);
    free(s);
}
