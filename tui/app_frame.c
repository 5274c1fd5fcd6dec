/* app_frame.c: draws the frame around the focused view: the header (scope, DEMO, sync state,
 * follows), the title line (the view path), the footer (prompt, question, flash, or the keys
 * marked KB_FOOTER), the help overlay and the picker box. Reads the frame's state and writes
 * only the screen; must not change the state (except clamping the help's scroll position and
 * remembering the sync label it drew, which app_header_stale() compares with). */
#include <stdio.h>
#include <string.h>

#include "tui/app_internal.h"
#include "tui/draw.h"
#include "tui/keys.h"
#include "tui/sanitize.h"

/* ---- drawing ----------------------------------------------------------------------------------- */

static void sync_label(struct app *a, char *buf, size_t size, attr_t *attr)
{
    char age[32];
    double wait;

    *attr = theme_attr(TH_HEADER);
    if (a->o.conn.offline) {
        snprintf(buf, size, "offline (cache only)");
        return;
    }
    if (!a->have_sync) {
        snprintf(buf, size, "%s", a->sync_text[0] ? a->sync_text : "connecting…");
        return;
    }
    switch (a->sync_state) {
    case SYNC_THROTTLED:
    case SYNC_OFFLINE:
        wait = a->retry_until - a->now;
        snprintf(buf, size, "%s, retrying in %d s",
                 a->sync_state == SYNC_OFFLINE ? "offline"
                 : a->cw_throttled_until >= a->retry_until ? "GetMetricData throttled"
                 : "throttled", wait > 0 ? (int)(wait + 0.99) : 0);
        if (wait <= 0 && a->synced_at > 0)
            goto synced;
        return;
    case SYNC_ERROR:
        snprintf(buf, size, "error: %s", a->sync_text);
        return;
    case SYNC_LISTING:
    case SYNC_DESCRIBING:
    case SYNC_LOGS:
        if (a->synced_at == 0) {
            snprintf(buf, size, "syncing…");
            return;
        }
        goto synced;
    default:
        if (a->synced_at == 0) {
            snprintf(buf, size, "syncing…");
            return;
        }
        goto synced;
    }
synced:
    fmt_age(a->now - a->synced_at, age, sizeof(age));
    snprintf(buf, size, "synced %s ago", age);
}

/* The sync state is drawn first, at the right, and never dropped: the scope on the left gets
 * what is left (the endpoint goes first, then the scope is cut), the follow count goes when
 * even the sync state alone is tight. */
bool app_header_stale(struct app *a)
{
    char sync[300];
    attr_t sa;

    sync_label(a, sync, sizeof(sync), &sa);
    return strcmp(sync, a->sync_drawn) != 0;
}

static void draw_header(struct app *a)
{
    attr_t h = theme_attr(TH_HEADER), sa;
    char sync[300], tail[400];
    int x = 0, w, room;
    size_t i, live;

    draw_fill(0, 0, COLS, h);
    sync_label(a, sync, sizeof(sync), &sa);
    str_copy(a->sync_drawn, sizeof(a->sync_drawn), sync);
    snprintf(tail, sizeof(tail), "%s ", sync);
    /* only the jobs really followed: a finished job's log is fetched once, then left alone */
    for (i = 0, live = 0; i < a->n_follows; i++) {
        struct cache_job cj;

        if (a->cache == NULL || cache_job_get(a->cache, a->follows[i].job, &cj, NULL) != 0 ||
            !cache_status_final(cj.status))
            live++;
    }
    if (live > 0) {
        char with[400];

        snprintf(with, sizeof(with), "%s %s following %zu job%s ", sync, draw_sym(SYM_BULLET),
                 live, live == 1 ? "" : "s");
        if (utf8_width(with, strlen(with)) <= COLS / 2)
            str_copy(tail, sizeof(tail), with);
    }
    w = utf8_width(tail, strlen(tail));
    if (w > COLS)
        w = COLS;
    draw_str(0, COLS - w, w, tail, a->sync_state == SYNC_ERROR && a->have_sync
             ? theme_attr(TH_HEADER) | A_BOLD : h);
    room = COLS - w - 1;
    x += draw_fmt(0, x, room - x, h | A_BOLD, " sagetop ");
    if (a->demo)
        x += draw_str(0, x, room - x, " DEMO ", theme_attr(TH_HEADER_DEMO));
    x += draw_fmt(0, x, room - x, h, " %s@%s %s", a->profile,
                  a->account[0] ? a->account : "…", a->region);
    if (a->endpoint[0] && (a->demo || !strstr(a->endpoint, "amazonaws.com")) && room - x > 12)
        draw_fmt(0, x, room - x, h, "  %s", a->endpoint);
}

static void draw_title_line(struct app *a)
{
    struct view *v = app_top(a);
    char title[512] = "";
    int x = 0;
    size_t i;

    draw_fill(1, 0, COLS, 0);
    for (i = 1; i < a->depth; i++)
        x += draw_fmt(1, x, COLS - x, theme_attr(TH_DIM), "%s %s ", a->stack[i - 1].ops->name,
                      draw_sym(SYM_ARROW));
    if (v->ops->title)
        v->ops->title(v, a, title, sizeof(title));
    else if (v->n_jobs > 0)
        snprintf(title, sizeof(title), "%s: %zu jobs", v->ops->name, v->n_jobs);
    else if (v->job[0])
        snprintf(title, sizeof(title), "%s: %s", v->ops->name, v->job);
    else
        snprintf(title, sizeof(title), "%s", v->ops->name);
    x += draw_str(1, x, COLS - x, title, theme_attr(TH_TITLE));
    if (a->alerts_unseen > 0 && COLS - x > 12) {
        /* the newest unseen alert, right-aligned, at most half the line */
        char line[400];
        int w;

        snprintf(line, sizeof(line), " ! %s%s (! lists) ", a->alert_line,
                 a->alerts_unseen > 1 ? " +more" : "");
        w = utf8_width(line, strlen(line));
        if (w > COLS - x - 1)
            w = COLS - x - 1;
        if (w > COLS / 2 && COLS / 2 < COLS - x - 1)
            w = COLS / 2;
        draw_str(1, COLS - w, w, line, theme_attr(TH_WARN) | A_BOLD);
    }
}

/* One key of the footer: its label and its help text up to the first ':' or '(' ("filter"). */
struct footer_key {
    const char *label, *help;
    int help_len, w;             /* w: the columns it takes, two blanks after it included */
    bool global;                 /* ?, :, q: these stay when the footer is cut */
};

#define FOOTER_MAX 32

static size_t footer_keys(struct app *a, const struct key_binding *const tables[2],
                          struct footer_key *out)
{
    size_t n = 0, t;

    for (t = 0; t < 2; t++) {
        const struct key_binding *b;

        for (b = tables[t]; b && b->label && n < FOOTER_MAX; b++) {
            struct footer_key *f = &out[n];
            const char *h;

            if (!(b->flags & KB_FOOTER) || (a->o.read_only && (b->flags & KB_MUTATING)))
                continue;
            h = t == 1 && b->key == 'q' ? (a->depth <= 1 ? "quit" : "back")
                : t == 1 && b->key == '?' ? "help"
                : t == 1 && b->key == ':' ? "cmd" : b->help;
            f->label = b->label;
            f->help = h;
            f->help_len = (int)strcspn(h, ":(");
            while (f->help_len > 0 && h[f->help_len - 1] == ' ')
                f->help_len--;
            f->w = utf8_width(b->label, strlen(b->label)) + 1 + f->help_len + 2;
            f->global = t == 1;
            n++;
        }
    }
    return n;
}

/* The view's keys, then the global ones. When they do not all fit, the view's last keys go
 * first (a table lists its keys by importance) and "…" stands where they were: `?` help, `:`
 * and q always stay. */
static void draw_footer_keys(struct app *a, const struct key_binding *const tables[2], int y)
{
    struct footer_key keys[FOOTER_MAX];
    bool shown[FOOTER_MAX];
    size_t n = footer_keys(a, tables, keys), i;
    attr_t f = theme_attr(TH_FOOTER), k = theme_attr(TH_FOOTER_KEY);
    int x = 0, need = 0, cut = 0;
    bool marked = false;

    for (i = 0; i < n; i++) {
        shown[i] = true;
        need += keys[i].w;
    }
    /* the last view key first, then (a very narrow screen) the last global key */
    for (int pass = 0; pass < 2 && need > COLS - 1; pass++)
        for (i = n; i > 0 && need + (cut ? 3 : 0) > COLS - 1; i--)
            if (shown[i - 1] && keys[i - 1].global == (pass == 1)) {
                shown[i - 1] = false;
                need -= keys[i - 1].w;
                cut++;
            }
    for (i = 0; i < n; i++) {
        if (!shown[i]) {
            if (!marked)
                x += draw_str(y, x, COLS - x, draw_sym(SYM_ELLIPSIS), k);
            x += marked ? 0 : draw_str(y, x, COLS - x, "  ", f);
            marked = true;
            continue;
        }
        x += draw_str(y, x, COLS - x, keys[i].label, k);
        x += draw_fmt(y, x, COLS - x, f, " %.*s  ", keys[i].help_len, keys[i].help);
    }
}

static void draw_footer(struct app *a)
{
    struct view *v = app_top(a);
    const struct key_binding *const tables[2] = { v->ops->keys, keys_global };
    attr_t f = theme_attr(TH_FOOTER), k = theme_attr(TH_FOOTER_KEY);
    int y = LINES - 1, x = 0;

    draw_fill(y, 0, COLS, f);
    if (a->prompt == PROMPT_TEXT) {
        int cx;

        x += draw_str(y, 0, COLS, a->prompt_label, k);
        cx = input_cursor_col(&a->input);
        /* keep the cursor on screen for long lines */
        if (x + cx >= COLS - 1) {
            size_t off = utf8_offset_at_col(a->input.buf, a->input.len, x + cx - (COLS - 2));

            draw_text(y, x, COLS - x, a->input.buf + off, a->input.len - off, f);
            move(y, COLS - 2);
        } else {
            draw_text(y, x, COLS - x, a->input.buf, a->input.len, f);
            move(y, x + cx);
        }
        return;
    }
    if (a->prompt == PROMPT_CONFIRM) {
        draw_fmt(y, 0, COLS, theme_attr(TH_WARN) | A_BOLD, "%s [y/N]", a->prompt_label);
        return;
    }
    if (a->flash[0] && a->now < a->flash_until) {
        draw_str(y, 0, COLS, a->flash, a->flash_error ? theme_attr(TH_ERROR) : f);
        return;
    }
    draw_footer_keys(a, tables, y);
}

static int count_help_lines(const struct key_binding *t, bool ro)
{
    int n = 0;

    for (; t && t->label; t++)
        if (!(t->flags & KB_HIDDEN) && !(ro && (t->flags & KB_MUTATING)))
            n++;
    return n;
}

static void draw_help(struct app *a)
{
    struct view *v = app_top(a);
    const struct key_binding *tables[2] = { v->ops->keys, keys_global };
    int h = LINES - 4, w = COLS - 8, y0 = 2, x0 = 4, row = 0, total, t, top;
    attr_t n = theme_attr(TH_NORMAL), k = theme_attr(TH_FOOTER_KEY);
    char title[96];

    if (w > 90) {
        x0 = (COLS - 90) / 2;
        w = 90;
    }
    total = count_help_lines(tables[0], a->o.read_only) + count_help_lines(keys_global, false) + 3;
    if (h > total + 2)
        h = total + 2;
    list_resize(&a->help_list, (size_t)total, h - 2);
    top = (int)a->help_list.top;
    snprintf(title, sizeof(title), "keys: %s (%sother keys close)", v->ops->name,
             total > h - 2 ? "j/k PgDn/PgUp scroll, " : "");
    draw_box(y0, x0, h, w, title, n);
    /* rows cut above or below: a marker on the box's edge */
    if (list_more_above(&a->help_list))
        draw_fmt(y0, x0 + w - 10, 8, theme_attr(TH_TITLE), " %s more ", draw_sym(SYM_UP));
    if (list_more_below(&a->help_list))
        draw_fmt(y0 + h - 1, x0 + w - 10, 8, theme_attr(TH_TITLE), " %s more ", draw_sym(SYM_DOWN));
    for (t = 0; t < 2; t++) {
        const struct key_binding *b;
        int y;

        y = y0 + 1 + row - top;
        if (y > y0 && y < y0 + h - 1)
            draw_str(y, x0 + 2, w - 4, t == 0 ? v->ops->name : "everywhere", theme_attr(TH_TITLE));
        row++;
        for (b = tables[t]; b && b->label; b++) {
            if ((b->flags & KB_HIDDEN) || (a->o.read_only && (b->flags & KB_MUTATING)))
                continue;
            y = y0 + 1 + row - top;
            row++;
            if (y <= y0 || y >= y0 + h - 1)
                continue;
            draw_str(y, x0 + 4, 12, b->label, k);
            draw_str(y, x0 + 17, w - 19, b->help, n);
        }
        row++;
    }
}

/* The picker box: its filter in the title, the items shown, markers where rows are cut. */
static void draw_picker(struct app *a)
{
    int h = (int)a->n_pick + 2, w = 40, y0, x0, i;
    char title[128];
    struct list *l = &a->pick_list;

    if (h > LINES - 4)
        h = LINES - 4;
    y0 = (LINES - h) / 2;
    x0 = (COLS - w) / 2;
    list_resize(l, l->count, h - 2);
    if (a->pick_filter[0])
        snprintf(title, sizeof(title), "%s: %s (%zu of %zu)", a->pick_kind == 0 ? "profile" : "region",
                 a->pick_filter, l->count, a->n_pick);
    else
        snprintf(title, sizeof(title), "%s (type to filter)",
                 a->pick_kind == 0 ? "profile" : "region");
    draw_box(y0, x0, h, w, title, theme_attr(TH_NORMAL));
    if (l->count == 0)
        draw_str(y0 + 1, x0 + 2, w - 4, "no match (Backspace, or Esc clears)", theme_attr(TH_DIM));
    for (i = 0; i < h - 2 && l->top + (size_t)i < l->count; i++) {
        size_t row = l->top + (size_t)i;
        bool sel = row == l->cur;

        draw_fill(y0 + 1 + i, x0 + 1, w - 2, sel ? theme_attr(TH_SELECTED) : 0);
        draw_str(y0 + 1 + i, x0 + 2, w - 4, a->pick_items[a->pick_shown[row]],
                 sel ? theme_attr(TH_SELECTED) : 0);
    }
    if (list_more_above(l))
        draw_str(y0 + 1, x0 + w - 2, 1, draw_sym(SYM_UP), theme_attr(TH_DIM) | A_BOLD);
    if (list_more_below(l))
        draw_str(y0 + h - 2, x0 + w - 2, 1, draw_sym(SYM_DOWN), theme_attr(TH_DIM) | A_BOLD);
}

void app_render(struct app *a)
{
    struct view *v = app_top(a);
    struct rect r = { 2, 0, LINES - 3, COLS };

    erase();
    curs_set(0);
    if (COLS < MIN_COLS || LINES < MIN_LINES) {
        a->too_small = true;
        mvprintw(0, 0, "terminal too small");
        mvprintw(1, 0, "%dx%d, need %dx%d", COLS, LINES, MIN_COLS, MIN_LINES);
        mvprintw(2, 0, "q quits");
        refresh();
        return;
    }
    a->too_small = false;
    draw_header(a);
    /* the body first: it refreshes the view's window, and the title reports on it (the
     * job count, the line count); drawn the other way round the first frame said "jobs (0)" */
    v->ops->draw(v, a, &r);
    draw_title_line(a);
    if (a->help)
        draw_help(a);
    if (a->prompt == PROMPT_PICK)
        draw_picker(a);
    draw_footer(a);
    if (a->prompt == PROMPT_TEXT)
        curs_set(1);
    refresh();
}

