/* view_detail.c: one job, everything the cache knows about it, as a scrollable page. This file
 * owns the page's rows and the view: the items the sections add (view_detail_sections.c says
 * what they are) are laid out into rows when the width changes (each section's label column as
 * wide as its labels; long values and multi-line messages wrapped into rows then), drawing only
 * walks the rows, and the keys scroll the page or open the job's other views. It reads nothing
 * from the cache itself and never waits on the network. */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "aws/dynbuf.h"
#include "tui/draw.h"
#include "tui/keys.h"
#include "tui/list.h"
#include "tui/pager.h"
#include "tui/sanitize.h"
#include "tui/view_detail_internal.h"
#include "tui/views.h"

#define LABEL_X 3               /* the label column */
#define LABEL_MIN 8             /* the narrowest label column */

static void clear_lines(struct detail_state *s)
{
    size_t i;

    for (i = 0; i < s->n; i++)
        free(s->lines[i].value);
    s->n = 0;
}

void detail_clear_items(struct detail_state *s)
{
    size_t i;

    clear_lines(s);
    for (i = 0; i < s->n_items; i++) {
        free(s->items[i].label);
        free(s->items[i].value);
    }
    s->n_items = 0;
}

static void push_row(struct detail_state *s, const char *label, const char *text, size_t len,
                     attr_t attr, bool heading, int value_x)
{
    struct dline *d;
    char *v;

    if (vec_grow((void **)&s->lines, &s->cap, s->n + 1, sizeof(*s->lines)) != 0)
        return;
    v = malloc(len + 1);
    if (!v)
        return;
    memcpy(v, text, len);
    v[len] = '\0';
    d = &s->lines[s->n++];
    memset(d, 0, sizeof(*d));
    d->label = label;
    d->value = v;
    d->attr = attr;
    d->heading = heading;
    d->value_x = value_x;
}

/* Adds a value to the page (copied); the label goes on its first row only. */
void detail_add(struct detail_state *s, const char *label, const char *value, size_t len,
                attr_t attr, bool heading)
{
    struct ditem *it;
    char *l = strdup(label), *v = malloc(len + 1);

    if (!l || !v || vec_grow((void **)&s->items, &s->cap_items, s->n_items + 1,
                             sizeof(*s->items)) != 0) {
        free(l);
        free(v);
        return;
    }
    memcpy(v, value, len);
    v[len] = '\0';
    it = &s->items[s->n_items++];
    it->label = l;
    it->value = v;
    it->len = len;
    it->attr = attr;
    it->heading = heading;
}

/* Where a row breaks a clean value of n bytes from off, to fit width columns: after a space
 * when one is in the row's second half, else (an S3 path, an ARN) after a '/' or ':' so each
 * row holds whole names and the rows joined give the path back. */
static size_t break_at(const char *clean, size_t off, size_t n, int width)
{
    int used;
    size_t fit = utf8_fit(clean + off, n - off, width, &used), k;

    if (off + fit >= n)
        return fit;
    for (k = fit; k > fit / 2; k--)
        if (clean[off + k - 1] == ' ')
            return k;
    for (k = fit; k > 0; k--)
        if (clean[off + k - 1] == '/' || clean[off + k - 1] == ':')
            return k;
    return fit > 0 ? fit : 1;
}

/* One item into rows: each of its lines (AWS messages and log lines carry '\n') sanitized,
 * then wrapped to width columns. */
static void layout_item(struct detail_state *s, const struct ditem *it, int value_x, int width)
{
    const char *value = it->value;
    size_t start = 0, len = it->len;
    bool first = true;

    if (it->heading || width < 8)
        width = 1 << 20;
    do {
        const char *nl = memchr(value + start, '\n', len - start);
        size_t seg = nl ? (size_t)(nl - (value + start)) : len - start;
        size_t cap = seg * 3 + 16, n, off = 0, raw = seg;   /* invalid byte -> U+FFFD */
        char *clean = malloc(cap);

        if (!clean)
            return;
        while (raw > 0 && value[start + raw - 1] == '\r')
            raw--;      /* "\r\n" endings: not a progress bar redraw */
        n = sanitize_text(value + start, raw, clean, cap, draw_utf8() ? 0 : SANITIZE_ASCII);
        while (n > 0 && clean[n - 1] == ' ')
            n--;
        do {
            size_t cut = break_at(clean, off, n, width);

            push_row(s, first ? it->label : "", clean + off, cut, it->attr, it->heading, value_x);
            first = false;
            off += cut;
        } while (off < n);
        free(clean);
        start += seg + (nl ? 1 : 0);
    } while (start < len);
}

/* The page's rows for width columns. Each section (from one heading to the next) gets a label
 * column as wide as its widest label, at most two fifths of the width (a longer label is cut
 * with a marker), so short labels leave their values the room: at 60 columns an ARN takes two
 * rows, not three. */
static void layout(struct detail_state *s, int width)
{
    size_t i, j;

    clear_lines(s);
    for (i = 0; i < s->n_items; i = j) {
        int lw = LABEL_MIN, cap = width * 2 / 5;

        for (j = i; j < s->n_items && (j == i || !s->items[j].heading); j++) {
            int w = utf8_width(s->items[j].label, strlen(s->items[j].label));

            lw = w > lw ? w : lw;
        }
        lw = lw > cap ? (cap > LABEL_MIN ? cap : LABEL_MIN) : lw;
        for (; i < j; i++)
            layout_item(s, &s->items[i], LABEL_X + lw + 2, width - (LABEL_X + lw + 2) - 1);
    }
    s->width = width;
}

void detail_addf(struct detail_state *s, const char *label, attr_t attr, const char *fmt, ...)
{
    char buf[2048];
    va_list ap;

    va_start(ap, fmt);
    vsnprintf(buf, sizeof(buf), fmt, ap);
    va_end(ap);
    detail_add(s, label, buf, strlen(buf), attr, false);
}

void detail_heading(struct detail_state *s, const char *title)
{
    if (s->n_items > 0)
        detail_add(s, "", "", 0, 0, false);
    detail_add(s, "", title, strlen(title), theme_attr(TH_TITLE), true);
}

static struct detail_state *S(struct view *v)
{
    return v->state;
}

static void detail_draw(struct view *v, struct app *a, const struct rect *r)
{
    struct detail_state *s = S(v);
    int y;
    size_t i;

    if (v->stale) {
        detail_build(s, a, v->job);
        v->stale = false;
        s->width = 0;
    }
    if (s->width != r->w)
        layout(s, r->w);
    list_resize(&s->list, s->n, r->h);
    s->rows_y = r->y;
    for (y = 0, i = s->list.top; y < r->h && i < s->n; y++, i++) {
        const struct dline *d = &s->lines[i];
        int lw = d->value_x - LABEL_X - 2;
        char cut[256];

        if (d->heading) {
            draw_str(r->y + y, r->x + 1, r->w - 1, d->value, d->attr);
            continue;
        }
        if (d->label[0]) {
            /* a label wider than its column keeps both ends: "sagemaker_mpi…_per_host" */
            list_ellipsize_middle(d->label, strlen(d->label), lw, draw_sym(SYM_ELLIPSIS), cut,
                                  sizeof(cut));
            draw_str(r->y + y, r->x + LABEL_X, lw, cut, theme_attr(TH_DIM));
        }
        draw_str(r->y + y, r->x + d->value_x, r->w - d->value_x - 1, d->value, d->attr);
    }
    /* rows cut above or below: a marker in the right column */
    if (list_more_above(&s->list))
        draw_str(r->y, r->x + r->w - 1, 1, draw_sym(SYM_UP), theme_attr(TH_DIM) | A_BOLD);
    if (list_more_below(&s->list))
        draw_str(r->y + r->h - 1, r->x + r->w - 1, 1, draw_sym(SYM_DOWN),
                 theme_attr(TH_DIM) | A_BOLD);
}

/* The list keys (KEYS_LIST_NAV, space) through the widget: the page scrolls, g/G go to its
 * ends, the wheel scrolls. */
static int act_nav(struct view *v, struct app *a)
{
    struct detail_state *s = S(v);
    struct list_mouse m;
    int key = app_key(a);

    if (key == KEY_MOUSE) {
        if (!list_mouse_last(&m))
            return R_NONE;
        return list_mouse(&s->list, &m, s->rows_y, false, NULL) == LIST_MOUSE_MOVED ? R_REDRAW : R_NONE;
    }
    if (key == ' ')
        key = KEY_NPAGE;
    return list_key(&s->list, key, LIST_KEYS_HJKL | LIST_KEYS_G) > 0 ? R_REDRAW : R_NONE;
}

/* Row i of the page as text: the label in its column, the value in its own, as on screen. */
static void page_line(void *ctx, size_t i, struct dynbuf *out)
{
    const struct detail_state *s = ctx;
    const struct dline *d = &s->lines[i];

    dynbuf_reset(out);
    dynbuf_printf(out, "%*s%-*s%s", d->heading ? 1 : LABEL_X, "",
                  d->heading ? 0 : d->value_x - LABEL_X, d->heading ? "" : d->label, d->value);
}

/* `|`: the page as text in $PAGER, at the line on top of the screen. */
static int act_pager(struct view *v, struct app *a)
{
    pager_show_text(a, S(v)->n, page_line, S(v), S(v)->n ? (long)S(v)->list.top + 1 : 0);
    return R_REDRAW;
}

static int act_logs(struct view *v, struct app *a) { app_push(a, &view_logs_ops, v->job, NULL, 0); return R_REDRAW; }
static int act_metrics(struct view *v, struct app *a) { app_push(a, &view_metrics_ops, v->job, NULL, 0); return R_REDRAW; }
static int act_hosts(struct view *v, struct app *a) { app_push(a, &view_hosts_ops, v->job, NULL, 0); return R_REDRAW; }
static int act_relaunch(struct view *v, struct app *a) { app_push(a, &view_launch_ops, v->job, NULL, 0); return R_REDRAW; }
static int act_tune(struct view *v, struct app *a) { app_push(a, &view_tuning_launch_ops, v->job, NULL, 0); return R_REDRAW; }

static int do_stop(struct view *v, struct app *a)
{
    app_request_stop(a, v->job);
    app_flash(a, false, "stopping %s…", v->job);
    return R_REDRAW;
}

static int act_stop(struct view *v, struct app *a)
{
    char q[128];

    snprintf(q, sizeof(q), "stop %s?", v->job);
    app_confirm(a, q, do_stop);
    return R_REDRAW;
}

static const struct key_binding detail_keys[] = {
    { 'l', "l", "logs", act_logs, KB_FOOTER },
    { 'm', "m", "metrics: charts", act_metrics, KB_FOOTER },
    { 'H', "H", "hosts: CPU, memory, GPU, disk per host", act_hosts, KB_FOOTER },
    KEYS_LIST_NAV(act_nav, "scroll down", "scroll up", "top", "bottom"),
    { ' ', "space", "page down", act_nav, KB_HIDDEN },
    { '|', "|", "open the page in $PAGER", act_pager, 0 },
    { 'r', "r", "re-launch with changes", act_relaunch, KB_MUTATING },
    { 'U', "U", "tune: a tuning job over this job's hyperparameters", act_tune, KB_MUTATING },
    { 'x', "x", "stop: stop this job (asks first)", act_stop, KB_MUTATING | KB_FOOTER },
    { 0, NULL, NULL, NULL, 0 },
};

static int detail_enter(struct view *v, struct app *a)
{
    struct detail_state *s = calloc(1, sizeof(*s));

    (void)a;
    if (!s)
        return -1;
    v->state = s;
    return 0;
}

static void detail_leave(struct view *v, struct app *a)
{
    struct detail_state *s = S(v);

    (void)a;
    if (!s)
        return;
    detail_clear_items(s);
    free(s->items);
    free(s->lines);
    free(s);
    v->state = NULL;
}

const struct view_ops view_detail_ops = {
    .name = "detail",
    .keys = detail_keys,
    .on_enter = detail_enter,
    .on_leave = detail_leave,
    .draw = detail_draw,
    .follows_jobs = true,
};
