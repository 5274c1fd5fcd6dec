/* input.c: the line editor. Owns only its buffer; knows nothing of curses or views, so the
 * behaviour (history, completion, UTF-8 editing) is tested without a terminal. */
#include "tui/input.h"

#include <curses.h>
#include <stdlib.h>
#include <string.h>

#include "tui/sanitize.h"

void history_add(struct history *h, const char *line)
{
    char *copy;

    if (!line || !*line)
        return;
    if (h->n > 0 && strcmp(h->items[h->n - 1], line) == 0)
        return;
    copy = strdup(line);
    if (!copy)
        return;
    if (h->n == HISTORY_MAX) {
        free(h->items[0]);
        memmove(h->items, h->items + 1, (HISTORY_MAX - 1) * sizeof(h->items[0]));
        h->n--;
    }
    h->items[h->n++] = copy;
}

void history_clean(struct history *h)
{
    size_t i;

    for (i = 0; i < h->n; i++)
        free(h->items[i]);
    h->n = 0;
}

struct history *history_set_get(struct history_set *set, const char *name)
{
    size_t i, len = name ? strlen(name) : 0;

    if (len == 0 || len >= sizeof(set->kinds[0].name))
        return NULL;
    for (i = 0; i < set->n; i++)
        if (strcmp(set->kinds[i].name, name) == 0)
            return &set->kinds[i].h;
    if (set->n == HISTORY_KINDS_MAX)
        return NULL;
    memcpy(set->kinds[set->n].name, name, len + 1);
    set->kinds[set->n].h.n = 0;
    return &set->kinds[set->n++].h;
}

void history_set_clean(struct history_set *set)
{
    size_t i;

    for (i = 0; i < set->n; i++)
        history_clean(&set->kinds[i].h);
    set->n = 0;
}

static void set_text(struct input *in, const char *s)
{
    size_t n = strlen(s);

    if (n >= INPUT_MAX)
        n = INPUT_MAX - 1;
    memcpy(in->buf, s, n);
    in->buf[n] = '\0';
    in->len = in->cur = n;
}

void input_init(struct input *in, const char *initial, struct history *hist)
{
    memset(in, 0, sizeof(*in));
    in->hist = hist;
    in->hist_pos = hist ? hist->n : 0;
    set_text(in, initial ? initial : "");
}

static size_t prev_char(const struct input *in, size_t pos)
{
    if (pos == 0)
        return 0;
    pos--;
    while (pos > 0 && ((unsigned char)in->buf[pos] & 0xC0) == 0x80)
        pos--;
    return pos;
}

static size_t next_char(const struct input *in, size_t pos)
{
    if (pos >= in->len)
        return in->len;
    pos++;
    while (pos < in->len && ((unsigned char)in->buf[pos] & 0xC0) == 0x80)
        pos++;
    return pos;
}

static void delete_range(struct input *in, size_t from, size_t to)
{
    memmove(in->buf + from, in->buf + to, in->len - to + 1);
    in->len -= to - from;
    in->cur = from;
}

static void insert_bytes(struct input *in, const char *s, size_t n)
{
    if (in->len + n >= INPUT_MAX)
        return;
    memmove(in->buf + in->cur + n, in->buf + in->cur, in->len - in->cur + 1);
    memcpy(in->buf + in->cur, s, n);
    in->len += n;
    in->cur += n;
}

static void insert_cp(struct input *in, int32_t cp)
{
    char b[4];
    size_t n;

    if (cp < 0x20 || cp == 0x7F || (cp >= 0x80 && cp < 0xA0) || cp > 0x10FFFF)
        return;
    if (cp < 0x80) {
        b[0] = (char)cp;
        n = 1;
    } else if (cp < 0x800) {
        b[0] = (char)(0xC0 | (cp >> 6));
        b[1] = (char)(0x80 | (cp & 0x3F));
        n = 2;
    } else if (cp < 0x10000) {
        b[0] = (char)(0xE0 | (cp >> 12));
        b[1] = (char)(0x80 | ((cp >> 6) & 0x3F));
        b[2] = (char)(0x80 | (cp & 0x3F));
        n = 3;
    } else {
        b[0] = (char)(0xF0 | (cp >> 18));
        b[1] = (char)(0x80 | ((cp >> 12) & 0x3F));
        b[2] = (char)(0x80 | ((cp >> 6) & 0x3F));
        b[3] = (char)(0x80 | (cp & 0x3F));
        n = 4;
    }
    insert_bytes(in, b, n);
}

static void history_move(struct input *in, int dir)
{
    struct history *h = in->hist;

    if (!h || h->n == 0)
        return;
    if (in->hist_pos == h->n)
        memcpy(in->saved, in->buf, in->len + 1);
    if (dir < 0 && in->hist_pos > 0)
        in->hist_pos--;
    else if (dir > 0 && in->hist_pos < h->n)
        in->hist_pos++;
    else
        return;
    set_text(in, in->hist_pos == h->n ? in->saved : h->items[in->hist_pos]);
}

enum input_result input_key(struct input *in, int key)
{
    size_t p;

    if (key != '\t')
        in->cycling = false;
    switch (key) {
    case '\n':
    case '\r':
    case KEY_ENTER:
        return INPUT_SUBMIT;
    case 27:
    case 3:
        return INPUT_CANCEL;
    case '\t':
        return INPUT_COMPLETE;
    case KEY_BACKSPACE:
    case 127:
    case 8:
        if (in->len == 0)
            return INPUT_CANCEL;
        if (in->cur > 0)
            delete_range(in, prev_char(in, in->cur), in->cur);
        return INPUT_CHANGED;
    case KEY_DC:
    case 4:
        if (in->cur < in->len)
            delete_range(in, in->cur, next_char(in, in->cur));
        return INPUT_CHANGED;
    case KEY_LEFT:
    case 2:
        in->cur = prev_char(in, in->cur);
        return INPUT_CHANGED;
    case KEY_RIGHT:
    case 6:
        in->cur = next_char(in, in->cur);
        return INPUT_CHANGED;
    case KEY_HOME:
    case 1:
        in->cur = 0;
        return INPUT_CHANGED;
    case KEY_END:
    case 5:
        in->cur = in->len;
        return INPUT_CHANGED;
    case 21:            /* Ctrl-U: kill to the start */
        delete_range(in, 0, in->cur);
        return INPUT_CHANGED;
    case 11:            /* Ctrl-K: kill to the end */
        in->buf[in->cur] = '\0';
        in->len = in->cur;
        return INPUT_CHANGED;
    case 23:            /* Ctrl-W: kill the word before the cursor */
        p = in->cur;
        while (p > 0 && in->buf[p - 1] == ' ')
            p--;
        while (p > 0 && in->buf[p - 1] != ' ')
            p--;
        delete_range(in, p, in->cur);
        return INPUT_CHANGED;
    case KEY_UP:
    case 16:
        history_move(in, -1);
        return INPUT_CHANGED;
    case KEY_DOWN:
    case 14:
        history_move(in, +1);
        return INPUT_CHANGED;
    default:
        break;
    }
    if (key >= INPUT_KEY_UNICODE) {
        insert_cp(in, key - INPUT_KEY_UNICODE);
        return INPUT_CHANGED;
    }
    if (key >= 0x20 && key < 0x7F) {
        insert_cp(in, key);
        return INPUT_CHANGED;
    }
    return INPUT_NONE;
}

const char *input_word(const struct input *in, char *buf, size_t size)
{
    size_t s = in->cur, n;

    while (s > 0 && in->buf[s - 1] != ' ')
        s--;
    n = in->cur - s;
    if (n >= size)
        n = size - 1;
    memcpy(buf, in->buf + s, n);
    buf[n] = '\0';
    return buf;
}

static void replace_word(struct input *in, const char *with, bool space)
{
    delete_range(in, in->word_start, in->cur);
    insert_bytes(in, with, strlen(with));
    if (space && (in->cur == in->len || in->buf[in->cur] != ' '))
        insert_bytes(in, " ", 1);
}

void input_complete(struct input *in, char (*cands)[128], size_t n)
{
    size_t i, common;

    if (in->cycling && in->n_cands > 1) {
        in->cand_pos = (in->cand_pos + 1) % in->n_cands;
        replace_word(in, in->cands[in->cand_pos], false);
        return;
    }
    in->word_start = in->cur;
    while (in->word_start > 0 && in->buf[in->word_start - 1] != ' ')
        in->word_start--;
    if (n == 0)
        return;
    if (n == 1) {
        replace_word(in, cands[0], true);
        return;
    }
    common = strlen(cands[0]);
    for (i = 1; i < n; i++) {
        size_t k = 0;

        while (k < common && cands[i][k] == cands[0][k])
            k++;
        common = k;
    }
    if (n > 32)
        n = 32;
    for (i = 0; i < n; i++)
        memcpy(in->cands[i], cands[i], 128);
    in->n_cands = n;
    if (common > in->cur - in->word_start) {
        char pre[128];

        memcpy(pre, cands[0], common);
        pre[common] = '\0';
        replace_word(in, pre, false);
        in->cand_pos = n - 1;   /* the next Tab shows the first candidate */
    } else {
        in->cand_pos = 0;
        replace_word(in, in->cands[0], false);
    }
    in->cycling = true;
}

int input_cursor_col(const struct input *in)
{
    return utf8_width(in->buf, in->cur);
}
