/* list.c: the scrolling list/table widget (see list.h): selection, scrolling, paging, the
 * horizontal offset, mouse events, column layout by priority and middle-ellipsis cutting. Owns
 * no rows and allocates nothing; must not draw rows (the caller does, with the widths and the
 * window it gets here). Only list_mouse_read() and list_define_keys() touch curses. */
#include "tui/list.h"

#include <curses.h>
#include <stdlib.h>
#include <string.h>

#include "tui/sanitize.h"

static void clamp(struct list *l)
{
    size_t page = l->page > 0 ? (size_t)l->page : 1;

    if (l->count == 0) {
        l->cur = l->top = 0;
        return;
    }
    if (l->cur >= l->count)
        l->cur = l->count - 1;
    if (!l->cursor) {
        /* a text: the last page is full, never a screen of nothing */
        size_t last = l->count > page ? l->count - page : 0;

        if (l->top > last)
            l->top = last;
        l->cur = l->top;
        return;
    }
    if (l->cur < l->top)
        l->top = l->cur;
    if (l->cur >= l->top + page)
        l->top = l->cur - page + 1;
    if (l->top + page > l->count)
        l->top = l->count > page ? l->count - page : 0;
}

void list_resize(struct list *l, size_t count, int page)
{
    l->count = count;
    l->page = page > 0 ? page : 1;
    clamp(l);
}

bool list_goto(struct list *l, size_t i)
{
    size_t cur = l->cur, top = l->top;

    if (l->cursor)
        l->cur = i;
    else
        l->top = i;
    clamp(l);
    return l->cur != cur || l->top != top;
}

bool list_move(struct list *l, long delta)
{
    long from = (long)(l->cursor ? l->cur : l->top), to = from + delta;

    if (to < 0)
        to = 0;
    return list_goto(l, (size_t)to);
}

bool list_hscroll(struct list *l, int delta)
{
    int max = l->content_w - l->view_w, h = l->hoff + delta;

    if (max < 0)
        max = 0;
    if (h > max)
        h = max;
    if (h < 0)
        h = 0;
    if (h == l->hoff)
        return false;
    l->hoff = h;
    return true;
}

int list_key(struct list *l, int key, unsigned flags)
{
    long page = l->page > 1 ? l->page - 1 : 1;
    bool moved;

    switch (key) {
    case 'j':
    case 'k':
        if (!(flags & LIST_KEYS_HJKL))
            return -1;
        moved = list_move(l, key == 'j' ? 1 : -1);
        break;
    case KEY_DOWN:
    case KEY_UP:
        moved = list_move(l, key == KEY_DOWN ? 1 : -1);
        break;
    case KEY_NPAGE:
    case 6:     /* ^F */
        moved = list_move(l, page);
        break;
    case KEY_PPAGE:
    case 2:     /* ^B */
        moved = list_move(l, -page);
        break;
    case 'g':
    case 'G':
        if (!(flags & LIST_KEYS_G))
            return -1;
        moved = key == 'g' ? list_goto(l, 0) : list_goto(l, l->count ? l->count - 1 : 0);
        break;
    case KEY_HOME:
        moved = list_goto(l, 0);
        break;
    case KEY_END:
        moved = list_goto(l, l->count ? l->count - 1 : 0);
        break;
    case 'h':
    case 'l':
        if (!(flags & LIST_KEYS_H_L))
            return -1;
        moved = list_hscroll(l, key == 'l' ? 8 : -8);
        break;
    case KEY_RIGHT:
    case KEY_LEFT:
        moved = list_hscroll(l, key == KEY_RIGHT ? 8 : -8);
        break;
    default:
        return -1;
    }
    return moved ? 1 : 0;
}

void list_define_keys(void)
{
    static const char *const home[] = { "\033[1~", "\033[7~", "\033[H", "\033OH" };
    static const char *const end[] = { "\033[4~", "\033[8~", "\033[F", "\033OF" };
    size_t i;

    for (i = 0; i < sizeof(home) / sizeof(home[0]); i++) {
        define_key(home[i], KEY_HOME);
        define_key(end[i], KEY_END);
    }
}

bool list_more_above(const struct list *l)
{
    return l->top > 0;
}

bool list_more_below(const struct list *l)
{
    return l->top + (size_t)(l->page > 0 ? l->page : 1) < l->count;
}

bool list_more_left(const struct list *l)
{
    return l->hoff > 0;
}

bool list_more_right(const struct list *l)
{
    return l->content_w > l->hoff + l->view_w;
}

/* ---- mouse --------------------------------------------------------------------------------- */

enum list_mouse_result list_mouse(struct list *l, const struct list_mouse *m, int rows_y,
                                  bool has_header, long *row)
{
    long r;

    switch (m->kind) {
    case LIST_MOUSE_WHEEL_UP:
    case LIST_MOUSE_WHEEL_DOWN: {
        /* the wheel scrolls the screen; the selection stays on it */
        size_t top = l->top, page = l->page > 0 ? (size_t)l->page : 1;
        long to = (long)l->top + (m->kind == LIST_MOUSE_WHEEL_UP ? -3 : 3);
        size_t last = l->count > page ? l->count - page : 0;

        if (to < 0)
            to = 0;
        l->top = (size_t)to > last ? last : (size_t)to;
        if (l->cursor) {
            if (l->cur < l->top)
                l->cur = l->top;
            if (l->cur >= l->top + page)
                l->cur = l->top + page - 1;
        }
        clamp(l);
        return l->top != top ? LIST_MOUSE_MOVED : LIST_MOUSE_IGNORED;
    }
    case LIST_MOUSE_CLICK:
        if (has_header && m->y == rows_y - 1) {
            *row = -1;
            return LIST_MOUSE_HEADER;
        }
        r = (long)m->y - rows_y;
        if (r < 0 || r >= l->page || l->top + (size_t)r >= l->count)
            return LIST_MOUSE_IGNORED;
        *row = (long)l->top + r;
        if (l->cursor)
            l->cur = (size_t)*row;
        return LIST_MOUSE_ROW;
    default:
        return LIST_MOUSE_IGNORED;
    }
}

/* The last event read: the frame reads it once (curses gives each event once) and the focused
 * view's action asks for it with list_mouse_last(). UI thread only. */
static struct list_mouse last_event;
static bool have_last_event;

bool list_mouse_last(struct list_mouse *out)
{
    if (have_last_event)
        *out = last_event;
    return have_last_event;
}

bool list_mouse_read(struct list_mouse *out)
{
    MEVENT ev;

    have_last_event = false;
    if (getmouse(&ev) != OK)
        return false;
    out->y = ev.y;
    out->x = ev.x;
    if (ev.bstate & BUTTON4_PRESSED)
        out->kind = LIST_MOUSE_WHEEL_UP;
#ifdef BUTTON5_PRESSED
    else if (ev.bstate & BUTTON5_PRESSED)
        out->kind = LIST_MOUSE_WHEEL_DOWN;
#endif
    else if (ev.bstate & (BUTTON1_PRESSED | BUTTON1_CLICKED | BUTTON1_RELEASED))
        out->kind = LIST_MOUSE_CLICK;
    else
        return false;
    last_event = *out;
    have_last_event = true;
    return true;
}

/* ---- columns ------------------------------------------------------------------------------ */

static int fixed_need(const struct list_col *c, const int *out, size_t n, int lead, int *flex_min)
{
    int need = lead, k = 0;
    size_t i;

    *flex_min = 0;
    for (i = 0; i < n; i++) {
        if (c[i].width == 0) {
            *flex_min += c[i].min_w;
            need += (k++ ? 1 : 0) + c[i].min_w;
        } else if (out[i] > 0) {
            need += (k++ ? 1 : 0) + out[i];
        }
    }
    return need;
}

int list_layout(const struct list_col *cols, size_t n, int w, int lead, int *out)
{
    int dropped = 0, flex_min, left, n_flex = 0, k;
    size_t i;

    if (n > LIST_MAX_COLS)
        n = LIST_MAX_COLS;
    for (i = 0; i < n; i++) {
        out[i] = cols[i].width;
        n_flex += cols[i].width == 0;
    }
    /* drop the lowest priority (the rightmost among equals) until the minimum fits */
    while (fixed_need(cols, out, n, lead, &flex_min) > w) {
        int best = -1;

        for (i = 0; i < n; i++)
            if (cols[i].width > 0 && out[i] > 0 &&
                (best < 0 || cols[i].priority <= cols[best].priority))
                best = (int)i;
        if (best < 0)
            break;
        out[best] = 0;
        dropped++;
    }
    /* what is left goes to the flexible columns, up to their max */
    left = w - fixed_need(cols, out, n, lead, &flex_min) + flex_min;
    for (i = 0, k = 0; i < n; i++) {
        int share;

        if (cols[i].width != 0)
            continue;
        share = n_flex - k > 0 ? left / (n_flex - k) : 0;
        if (cols[i].max_w > 0 && share > cols[i].max_w)
            share = cols[i].max_w;
        if (share < cols[i].min_w)
            share = cols[i].min_w;
        out[i] = share;
        left -= share;
        k++;
    }
    return dropped;
}

int list_column_at(const int *widths, size_t n, int x0, int lead, int x)
{
    int at = x0 + lead;
    size_t i;

    for (i = 0; i < n; i++) {
        if (widths[i] <= 0)
            continue;
        if (x >= at && x < at + widths[i])
            return (int)i;
        at += widths[i] + 1;
    }
    return -1;
}

bool list_ellipsize_middle(const char *s, size_t len, int w, const char *ell, char *out,
                           size_t size)
{
    int total = utf8_width(s, len), head_w, tail_w, used = 0;
    size_t head, tail, off;
    int prefix = 0;

    if (size == 0)
        return false;
    if (total <= w || w < 3) {
        size_t n = total <= w ? len : utf8_fit(s, len, w > 0 ? w : 0, NULL);

        if (n >= size)
            n = size - 1;
        memcpy(out, s, n);
        out[n] = '\0';
        return total > w;
    }
    /* the tail keeps the larger half: a job name's distinguishing timestamp is at its end */
    head_w = (w - 1) / 2;
    tail_w = w - 1 - head_w;
    head = utf8_fit(s, len, head_w, &used);
    /* the tail starts at the first character boundary whose suffix fits in tail_w */
    for (off = 0; off < len;) {
        size_t step = 1;

        while (off + step < len && ((unsigned char)s[off + step] & 0xC0) == 0x80)
            step++;
        if (total - prefix <= tail_w)
            break;
        prefix += utf8_width(s + off, step);
        off += step;
    }
    tail = off;
    if (head + strlen(ell) + (len - tail) >= size) {
        out[0] = '\0';
        return true;
    }
    memcpy(out, s, head);
    memcpy(out + head, ell, strlen(ell));
    memcpy(out + head + strlen(ell), s + tail, len - tail);
    out[head + strlen(ell) + len - tail] = '\0';
    return true;
}

int list_frac_cols(const char *text)
{
    char *end;
    const char *p;

    if (!text[0] || (strtod(text, &end), *end != '\0'))
        return 0;
    p = strchr(text, '.');
    if (!p)
        p = strpbrk(text, "eE");
    return p ? (int)strlen(p) : 0;
}
