/* form.c: the form widget (see form.h): field rows under headings on the list widget, the
 * cursor kept on fields, the fields drawn with their messages. Owns no rows and allocates
 * nothing; must not know what a field means (the view does, through the callbacks). */
#include "tui/form.h"

#include <string.h>

#include "tui/draw.h"
#include "tui/sanitize.h"
#include "tui/view.h"

/* From row i, the nearest field in direction dir (then the other way); i when none. */
static size_t onto_field(size_t n, size_t i, int dir, form_heading_fn *heading, void *ctx)
{
    for (int pass = 0; pass < 2; pass++, dir = -dir)
        for (long k = (long)i; k >= 0 && k < (long)n; k += dir)
            if (!heading(ctx, (size_t)k))
                return (size_t)k;
    return i;
}

void form_init(struct form *f, size_t n, form_heading_fn *heading, void *ctx)
{
    memset(f, 0, sizeof(*f));
    f->l.cursor = true;
    form_reset(f, n, 0, heading, ctx);
}

void form_reset(struct form *f, size_t n, size_t cur, form_heading_fn *heading, void *ctx)
{
    list_resize(&f->l, n, f->l.page);
    list_goto(&f->l, n ? onto_field(n, cur < n ? cur : n - 1, 1, heading, ctx) : 0);
}

int form_key(struct form *f, int key, form_heading_fn *heading, void *ctx)
{
    size_t from = f->l.cur;
    int dir, rc = list_key(&f->l, key, LIST_KEYS_HJKL | LIST_KEYS_G);

    if (rc < 0 || f->l.count == 0)
        return rc;
    /* a heading is passed over in the direction of the move (g: down onto the first field) */
    dir = f->l.cur > from || key == 'g' || key == KEY_HOME ? 1 : -1;
    list_goto(&f->l, onto_field(f->l.count, f->l.cur, dir, heading, ctx));
    return f->l.cur != from ? 1 : 0;
}

size_t form_cur(const struct form *f)
{
    return f->l.cur;
}

int form_message_rows(const char *message, int w)
{
    int len = message ? (int)strlen(message) : 0;

    if (len == 0 || len + 2 <= w - w / 2)
        return 0;
    return len + 2 > w - 2 ? 2 : 1;
}

void form_draw_message(int y, int x, int w, int rows, const char *message)
{
    int len = message ? (int)strlen(message) : 0, off = 0;

    for (int i = 0; i < rows && off < len; i++) {
        int take = len - off < w - 2 ? len - off : w - 2;

        draw_untrusted(y + i, x + 2, w - 2, message + off, (size_t)take, theme_attr(TH_ERROR));
        off += take;
    }
}

void form_draw(struct form *f, const struct rect *r, form_row_fn *row, void *ctx)
{
    struct form_row fr;
    char buf[1024];
    int label_w = 0, y;

    list_resize(&f->l, f->l.count, r->h);
    for (size_t i = f->l.top; i < f->l.count && i < f->l.top + (size_t)r->h; i++) {
        row(ctx, i, &fr, buf, sizeof(buf));
        if (!fr.heading && utf8_width(fr.label, strlen(fr.label)) > label_w)
            label_w = utf8_width(fr.label, strlen(fr.label));
    }
    if (label_w < 23)
        label_w = 23;       /* the column does not jump as the form scrolls */
    if (label_w > r->w / 3)
        label_w = r->w / 3;
    y = r->y;
    for (size_t i = f->l.top; i < f->l.count && y < r->y + r->h; i++, y++) {
        bool sel = i == f->l.cur;
        attr_t at = theme_attr(sel ? TH_SELECTED : TH_NORMAL);
        int x = r->x, vw, mx;

        row(ctx, i, &fr, buf, sizeof(buf));
        if (fr.heading) {
            draw_str(y, r->x, r->w, fr.label, theme_attr(TH_TITLE));
            continue;
        }
        if (sel)
            draw_fill(y, r->x, r->w, at);
        x += 2;
        x += draw_str(y, x, label_w, fr.label, at);
        x = r->x + 2 + label_w + 1;
        vw = r->w / 2 - (x - r->x) > 10 ? r->w / 2 - (x - r->x) : 10;
        x += draw_untrusted(y, x, vw, fr.value ? fr.value : "", fr.value ? strlen(fr.value) : 0,
                            at);
        if (fr.message) {
            mx = r->x + (r->w / 2 > x - r->x + 1 ? r->w / 2 : x - r->x + 1);
            draw_fmt(y, mx, r->x + r->w - mx, theme_attr(TH_ERROR), "%s %s",
                     draw_sym(SYM_ARROW), fr.message);
        }
    }
    if (list_more_above(&f->l))
        draw_str(r->y, r->x + r->w - 1, 1, draw_sym(SYM_UP), theme_attr(TH_DIM) | A_BOLD);
    if (list_more_below(&f->l))
        draw_str(r->y + r->h - 1, r->x + r->w - 1, 1, draw_sym(SYM_DOWN),
                 theme_attr(TH_DIM) | A_BOLD);
}
