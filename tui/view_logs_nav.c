/* view_logs_nav.c: the logs view's navigation, on the list widget (tui/list.h). The window of
 * lines on screen is shown to struct list as a text (no cursor) with a margin of lines above and
 * below it wherever the log goes on, so list_key() and list_mouse() decide what every key and
 * the wheel mean (scroll, page, g/G, Home/End, sideways) exactly as in the other lists; this
 * file turns the list's move back into the window's: a step of a few lines (read from the
 * cache, only the new ones), the log's first line, or following its end. Must not draw
 * (view_logs.c does) or read the window's lines itself (view_logs_window.c does). */
#include <curses.h>
#include <string.h>

#include "tui/keys.h"
#include "tui/view_logs_internal.h"

/* The rows the list pretends lie beyond the window where the log goes on: no page move or wheel
 * turn reaches across, so only g/Home and G/End land on the list's ends. */
#define LOGS_MARGIN ((size_t)1 << 30)

/* True when the window starts at the log's first line (known only for the whole log: with a
 * filter or a hidden instance there is no cheap answer, and the list keeps a margin). */
static bool at_start(const struct logs_state *s)
{
    int only;

    if (s->n == 0 || !s->have_first || s->filter[0] || s->procs_on ||
        logs_n_shown(s, &only) < s->n_inst)
        return false;
    return logs_pos_cmp(&s->lines[0].pos, &s->first) == 0;
}

void logs_list_sync(struct logs_state *s)
{
    size_t page = s->rows > 0 ? (size_t)s->rows : 1;
    size_t above = at_start(s) ? 0 : LOGS_MARGIN;
    size_t below = s->follow || s->at_end ? 0 : LOGS_MARGIN;

    s->list.cursor = false;
    s->list.page = (int)page;
    /* a window shorter than the screen (the log's end) counts as a full page */
    s->list.count = above + (s->n > page ? s->n : page) + below;
    s->list.top = s->list.cur = above;
}

bool logs_list_marked(const struct logs_state *s)
{
    int only;

    return s->n > 0 && !s->filter[0] && !s->procs_on && logs_n_shown(s, &only) == s->n_inst;
}

/* Scrolls the window by d visible lines (back when d < 0): the loaded window shifts when it
 * can, else the top anchor steps and the window is read again. */
static int scroll_lines(struct view *v, struct app *a, long d)
{
    struct logs_state *s = v->state;
    struct cache_log_pos p;

    if (s->n == 0)
        return R_NONE;
    logs_unfollow_at_top(s);
    /* after g the screen starts at the log's start with no anchor: the anchor is its top line */
    if (!s->top_set && logs_first_on_screen(s, &s->top))
        s->top_set = true;
    if (s->filter[0]) {
        struct cache_log_batch m = { 0 };
        struct cache_log_filter f;

        cache_logs_search(app_cache(a), v->job, s->filter, d < 0, &s->top,
                          d < 0 ? (size_t)-d : (size_t)d, logs_inst_filter(s, &f), &m, NULL);
        if (m.n > 0)
            s->top = d < 0 ? m.lines[0].pos : m.lines[m.n - 1].pos;
        else if (d > 0)
            s->follow = true;
        cache_log_batch_clean(&m);
    } else if (!s->stale && logs_shift_window(s, a, v->job, d)) {
        return R_REDRAW;
    } else if (logs_step_from(s, a, v->job, &s->top, d, &p)) {
        s->top = p;
    } else if (d > 0) {
        s->follow = true;      /* scrolled past the end: follow again */
    }
    s->stale = true;
    return R_REDRAW;
}

static int logs_act_top(struct view *v, struct app *a)
{
    struct logs_state *s = v->state;

    (void)a;
    s->follow = false;
    s->top_set = false;
    s->stale = true;
    return R_REDRAW;
}

static int logs_act_follow(struct view *v, struct app *a)
{
    struct logs_state *s = v->state;

    (void)a;
    s->follow = true;
    s->stale = true;
    return R_REDRAW;
}

int logs_act_toggle_follow(struct view *v, struct app *a)
{
    struct logs_state *s = v->state;

    if (s->follow) {
        logs_unfollow_at_top(s);
        s->stale = true;
        return R_REDRAW;
    }
    return logs_act_follow(v, a);
}

static bool forward_key(int key)
{
    return key == KEY_DOWN || key == 'j' || key == KEY_NPAGE || key == 6 || key == 'G' ||
           key == KEY_END;
}

/* The list's move, made on the window: its first row is the log's first line, its last page
 * the end (follow), anything between a step of that many lines. */
static int apply_move(struct view *v, struct app *a, size_t from)
{
    struct logs_state *s = v->state;
    const struct list *l = &s->list;
    size_t last = l->count - (size_t)l->page;

    if (l->top == from)
        return R_NONE;
    if (l->top == 0)
        return logs_act_top(v, a);
    if (l->top == last && last - from >= LOGS_MARGIN)
        return logs_act_follow(v, a);
    return scroll_lines(v, a, (long)l->top - (long)from);
}

/* Every navigation key and the mouse: the list widget says what they mean. Space and b page
 * (less); Left/Right and h/l scroll unwrapped lines sideways. */
int logs_act_nav(struct view *v, struct app *a)
{
    struct logs_state *s = v->state;
    int key = app_key(a), rc;
    size_t from;
    struct list_mouse m;

    if (key == ' ')
        key = KEY_NPAGE;
    else if (key == 'b')
        key = KEY_PPAGE;
    if (s->wrap && (key == KEY_LEFT || key == KEY_RIGHT || key == 'h' || key == 'l')) {
        app_flash(a, false, "lines wrap: w turns wrapping off to scroll sideways");
        return R_REDRAW;
    }
    logs_list_sync(s);
    from = s->list.top;
    if (key == KEY_MOUSE) {
        long row;

        if (!list_mouse_last(&m) ||
            list_mouse(&s->list, &m, s->rows_y, false, &row) != LIST_MOUSE_MOVED)
            return R_NONE;
        return apply_move(v, a, from);
    }
    if (key == KEY_LEFT || key == KEY_RIGHT || key == 'h' || key == 'l')
        return list_key(&s->list, key, LIST_KEYS_H_L) > 0 ? R_REDRAW : R_NONE;
    rc = list_key(&s->list, key, LIST_KEYS_HJKL | LIST_KEYS_G);
    if (rc == 0 && s->n > 0 && forward_key(key) && !s->follow)
        return logs_act_follow(v, a);   /* at the end, paused: going on follows again */
    if (rc == 0 && s->n > 0 && !forward_key(key) && s->follow)
        /* the whole log on screen, following: going back pauses (g: at the first line) */
        return key == 'g' || key == KEY_HOME ? logs_act_top(v, a)
                                             : logs_act_toggle_follow(v, a);
    return rc > 0 ? apply_move(v, a, from) : R_NONE;
}
