/* view_logs.c: a job's log, every instance interleaved by time. Owns the follow/wrap/timestamp
 * modes, the search and filter patterns, the drawing and the actions; the window of lines on
 * screen is view_logs_window.c's, which reads only those lines from the cache, so a
 * 10,000,000-line log scrolls as fast as a short one. Never draws raw bytes: every line went
 * through sanitize_text() when it was taken in. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "tui/draw.h"
#include "tui/keys.h"
#include "tui/pager.h"
#include "tui/sanitize.h"
#include "tui/view_logs_internal.h"
#include "tui/views.h"


enum { TS_COLS = 23 };      /* "2026-12-07 03:12:45.123" */

static struct logs_state *S(struct view *v)
{
    return v->state;
}

/* ---- drawing ---------------------------------------------------------------------------- */

/* The time of a line as `t` shows it: date, time to the millisecond, in local time or UTC. */
static void format_ts(const struct logs_state *s, int64_t ts_ms, char *buf, size_t size)
{
    time_t t = (time_t)(ts_ms / 1000);
    struct tm tm;
    char hms[24];

    if (s->timestamps == LOGS_TS_UTC)
        gmtime_r(&t, &tm);
    else
        localtime_r(&t, &tm);
    strftime(hms, sizeof(hms), "%Y-%m-%d %H:%M:%S", &tm);
    snprintf(buf, size, "%s.%03d", hms, (int)(ts_ms % 1000));
}

/* Columns of the prefix before a line's text: time, instance, process tag. */
static int prefix_cols(const struct logs_state *s)
{
    return (s->timestamps ? TS_COLS + 1 : 0) + (s->n_inst > 1 ? 7 : 0) +
           (s->tagw > 0 ? s->tagw + 1 : 0);
}

static int prefix(struct logs_state *s, const struct lline *l, int y, int x, int w)
{
    int used = 0;

    if (s->timestamps) {
        char buf[40];

        format_ts(s, l->pos.ts_ms, buf, sizeof(buf));
        used += draw_fmt(y, x, w, theme_attr(TH_DIM), "%-*s ", TS_COLS, buf);
    }
    if (s->n_inst > 1 && l->inst >= 0)
        used += draw_fmt(y, x + used, w - used, theme_series_attr(l->inst), "%-6s ",
                         s->inst[l->inst]);
    if (s->tagw > 0)
        used += draw_fmt(y, x + used, w - used,
                         l->rank >= 0 ? theme_series_attr(l->rank) | A_BOLD : 0, "%-*s ",
                         s->tagw, l->tag);
    return used;
}

/* Draws text with every search match highlighted. */
static void draw_highlighted(struct logs_state *s, int y, int x, int w, const char *t, size_t len,
                             attr_t base)
{
    size_t off = 0;
    int col = 0;

    if (s->re && s->md) {
        while (off <= len && col < w) {
            int rc = pcre2_match(s->re, (PCRE2_SPTR)t, len, off, 0, s->md, NULL);
            PCRE2_SIZE *ov;
            size_t ms, me;

            if (rc < 0)
                break;
            ov = pcre2_get_ovector_pointer(s->md);
            ms = ov[0];
            me = ov[1];
            if (ms > off)
                col += draw_text(y, x + col, w - col, t + off, ms - off, base);
            if (me > ms)
                col += draw_text(y, x + col, w - col, t + ms, me - ms, theme_attr(TH_MATCH));
            off = me > ms ? me : me + 1;
            while (off < len && ((unsigned char)t[off] & 0xC0) == 0x80)
                off++;
            if (me == ms && ms < len) {
                /* empty match: draw one character and go on */
                col += draw_text(y, x + col, w - col, t + ms, off - ms, base);
            }
        }
    }
    if (off < len && col < w)
        draw_text(y, x + col, w - col, t + off, len - off, base);
}

/* The columns for a line's text: the metric readout keeps its own place at the right, so it
 * never covers the line's end. */
static int text_cols(const struct lline *l, int textw)
{
    if (l->metric[0])
        textw -= (int)strlen(l->metric) + 2;
    return textw < 10 ? 10 : textw;
}

static int line_rows(struct logs_state *s, const struct lline *l, int textw)
{
    int w;

    textw = text_cols(l, textw);
    if (!s->wrap || textw <= 0)
        return 1;
    w = utf8_width(l->text, l->len);
    return w <= textw ? 1 : (w + textw - 1) / textw;
}

/* One unwrapped line from the list's horizontal offset, with a marker where text is cut on
 * either side. */
static void draw_unwrapped(struct logs_state *s, const struct lline *l, int y, int x, int textw,
                           attr_t base)
{
    int hoff = s->list.hoff;
    size_t off = hoff > 0 ? utf8_offset_at_col(l->text, l->len, hoff) : 0;
    int rest = utf8_width(l->text + off, l->len - off);
    attr_t mk = theme_attr(TH_DIM) | A_BOLD;

    if (off > 0) {
        draw_str(y, x, 1, draw_sym(SYM_MORE_LEFT), mk);
        x++;
        textw--;
    }
    if (off >= l->len)
        return;
    if (rest > textw) {
        draw_str(y, x + textw - 1, 1, draw_sym(SYM_MORE_RIGHT), mk);
        textw--;
    }
    draw_highlighted(s, y, x, textw, l->text + off, l->len - off, base);
}

static void draw_line(struct logs_state *s, const struct lline *l, int y, int x, int w, int maxrows)
{
    int px, textw, r = 0;
    size_t off = 0;
    attr_t base = 0;

    if (l->separator) {
        draw_str(y, x, w, "--", theme_attr(TH_DIM));
        return;
    }
    if (s->match_set && logs_pos_cmp(&l->pos, &s->match) == 0)
        base = A_BOLD;
    px = prefix(s, l, y, x + 1, w - 1) + 1;
    if (l->metric[0])
        draw_str(y, x, 1, draw_sym(SYM_BULLET), theme_attr(TH_METRIC));
    textw = text_cols(l, w - px);
    if (!s->wrap) {
        draw_unwrapped(s, l, y, x + px, textw, base);
        r = 1;
    }
    while (s->wrap && off < l->len && r < maxrows) {
        size_t n = utf8_fit(l->text + off, l->len - off, textw, NULL);

        if (n == 0)
            n = 1;
        draw_highlighted(s, y + r, x + px, textw, l->text + off, n, base);
        off += n;
        r++;
    }
    if (l->metric[0]) {
        int mw = (int)strlen(l->metric);

        draw_str(y + (r > 0 ? r - 1 : 0), x + w - mw, mw, l->metric, theme_attr(TH_METRIC));
    }
}

/* ▲ on the first row when the log has lines above the window, ▼ on the last when it has lines
 * below (paused): the list's markers, drawn only where the list knows (logs_list_marked()). */
static void draw_more(struct logs_state *s, const struct rect *r)
{
    attr_t mk = theme_attr(TH_DIM) | A_BOLD;

    if (!logs_list_marked(s))
        return;
    logs_list_sync(s);
    if (list_more_above(&s->list))
        draw_str(r->y, r->x + r->w - 1, 1, draw_sym(SYM_UP), mk);
    if (list_more_below(&s->list))
        draw_str(r->y + r->h - 1, r->x + r->w - 1, 1, draw_sym(SYM_DOWN), mk);
}

/* The list's horizontal extent: the widest line on screen against the text columns (none
 * when lines wrap), so Right stops where the longest line's end shows. */
static void set_extent(struct logs_state *s, int textw)
{
    size_t i;
    int widest = 0;

    for (i = 0; i < s->n && !s->wrap; i++) {
        int w = utf8_width(s->lines[i].text, s->lines[i].len) +
                (s->lines[i].metric[0] ? (int)strlen(s->lines[i].metric) + 2 : 0);

        widest = w > widest ? w : widest;
    }
    s->list.content_w = widest;
    s->list.view_w = textw;
    list_hscroll(&s->list, 0);
}

static void logs_draw(struct view *v, struct app *a, const struct rect *r)
{
    struct logs_state *s = S(v);
    int y = r->y, rows = r->h, textw;
    size_t i = 0;

    if (s->stale || s->rows != rows || s->width != r->w)
        logs_reload(s, a, v->job, rows);
    s->width = r->w;
    s->rows_y = r->y;
    if (s->n == 0) {
        draw_str(r->y + 1, r->x + 2, r->w - 2,
                 s->filter[0] || s->procs_on
                     ? "no line matches the filter (& then Enter on an empty line clears it)"
                              : "no log lines cached yet: following…",
                 theme_attr(TH_DIM));
        return;
    }
    s->tagw = 0;
    for (i = 0; i < s->n; i++) {
        int tw = (int)strlen(s->lines[i].tag);

        s->tagw = tw > s->tagw ? tw : s->tagw;
    }
    i = 0;
    textw = r->w - 2 - prefix_cols(s);      /* the last column: the ▲/▼ markers */
    set_extent(s, textw);
    if (s->follow && s->wrap) {
        /* fill from the bottom: skip the oldest lines that do not fit */
        int need = 0;

        for (i = s->n; i > 0; i--) {
            need += line_rows(s, &s->lines[i - 1], textw);
            if (need > rows)
                break;
        }
    }
    for (; i < s->n && y < r->y + rows; i++) {
        int lr = line_rows(s, &s->lines[i], textw);

        draw_line(s, &s->lines[i], y, r->x, r->w - 1, r->y + rows - y);
        y += lr;
    }
    draw_more(s, r);
}

/* "  times UTC", "  times local (CET, UTC+0100)": which clock the timestamps read. */
static void times_label(const struct logs_state *s, char *buf, size_t size)
{
    time_t now = time(NULL);
    struct tm tm;
    char z[32];

    buf[0] = '\0';
    if (s->timestamps == LOGS_TS_UTC)
        snprintf(buf, size, "  times UTC");
    if (s->timestamps != LOGS_TS_LOCAL)
        return;
    localtime_r(&now, &tm);
    strftime(z, sizeof(z), "%Z, UTC%z", &tm);
    snprintf(buf, size, "  times local (%s)", z);
}

static void logs_title(struct view *v, struct app *a, char *buf, size_t size)
{
    struct logs_state *s = S(v);
    char st[200], ins[200] = "", times[64];
    size_t i;

    app_follow_state(a, v->job, st, sizeof(st));
    if (s->n_inst > 1) {
        for (i = 0; i < s->n_inst; i++) {
            char one[48];

            snprintf(one, sizeof(one), " %zu:%s%s", i + 1, s->shown[i] ? "" : "-", s->inst[i]);
            if (strlen(ins) + strlen(one) < sizeof(ins))
                strcat(ins, one);
        }
    }
    times_label(s, times, sizeof(times));
    /* the clock of the timestamps last: the instance toggles must stay on a narrow title */
    snprintf(buf, size, "logs: %s  %lld lines  %s%s%s%s%s%s  %s%s%s%s", v->job,
             (long long)s->info.lines, s->follow ? "FOLLOW" : "paused (G follows)",
             s->wrap ? " wrap" : "", s->filter[0] || s->procs_on ? "  & " : "",
             s->procs_text, s->procs_text[0] && s->filter[0] ? " " : "", s->filter,
             st, ins[0] ? "  " : "", ins, times);
}

/* ---- actions ---------------------------------------------------------------------------- */

static int act_wrap(struct view *v, struct app *a) { (void)a; S(v)->wrap = !S(v)->wrap; return R_REDRAW; }

/* t: off → local time → UTC → off; the flash and the end of the title say which clock (the
 * title may be cut on a narrow screen, the flash is not). */
static int act_ts(struct view *v, struct app *a)
{
    struct logs_state *s = S(v);
    char times[64];

    s->timestamps = s->timestamps == LOGS_TS_OFF ? LOGS_TS_LOCAL
                    : s->timestamps == LOGS_TS_LOCAL ? LOGS_TS_UTC : LOGS_TS_OFF;
    times_label(s, times, sizeof(times));
    if (s->timestamps == LOGS_TS_OFF)
        app_flash(a, false, "timestamps off (t: local time)");
    else if (s->timestamps == LOGS_TS_LOCAL)
        app_flash(a, false, "timestamps in local time%s (t: UTC)", times + strlen("  times local"));
    else
        app_flash(a, false, "timestamps in UTC (t: off)");
    return R_REDRAW;
}

/* Shows or hides instance i, and says what it did: a toggle is otherwise invisible when the
 * instance has no line on screen. */
static int toggle_inst(struct view *v, struct app *a, int i)
{
    struct logs_state *s = S(v);
    int only;
    size_t shown;

    if (i >= (int)s->n_inst) {
        app_flash(a, true, "no instance %d: this job has %zu instance%s", i + 1, s->n_inst,
                  s->n_inst == 1 ? "" : "s");
        return R_REDRAW;
    }
    s->shown[i] = !s->shown[i];
    if (logs_n_shown(s, &only) == 0) {
        s->shown[i] = true;       /* never hide everything */
        app_flash(a, true, "%s is the only instance shown: it stays", s->inst[i]);
        return R_REDRAW;
    }
    shown = logs_n_shown(s, &only);
    app_flash(a, false, "%s %s (%zu of %zu instances shown)", s->inst[i],
              s->shown[i] ? "shown" : "hidden", shown, s->n_inst);
    s->stale = true;
    return R_REDRAW;
}

static int act_inst(struct view *v, struct app *a) { return toggle_inst(v, a, app_key(a) - '1'); }

static int act_all_inst(struct view *v, struct app *a)
{
    size_t i;

    (void)a;
    for (i = 0; i < S(v)->n_inst; i++)
        S(v)->shown[i] = true;
    S(v)->stale = true;
    return R_REDRAW;
}

static long count_newlines(const char *p, size_t len)
{
    long n = 0;
    const char *e = p + len;

    while (p < e && (p = memchr(p, '\n', (size_t)(e - p))) != NULL) {
        n++;
        p++;
    }
    return n;
}

/* Writes the whole cached log (shown instances) to f: raw bytes or sanitized. Returns the
 * lines written: an event holding newlines is several lines of the file. */
static int write_log(struct logs_state *s, struct app *a, const char *job, FILE *f, bool raw)
{
    struct cache_log_filter flt;
    const struct cache_log_filter *fp = logs_inst_filter(s, &flt);
    struct cache_log_pos p;
    bool have = false;
    long n = 0;

    for (;;) {
        struct cache_log_batch b = { 0 };
        size_t i;

        if (cache_logs_after(app_cache(a), job, have ? &p : NULL, 4096, fp, &b, NULL) < 0 || b.n == 0) {
            cache_log_batch_clean(&b);
            break;
        }
        for (i = 0; i < b.n; i++) {
            const struct cache_log_line *l = &b.lines[i];

            if (!logs_visible(s, l))
                continue;
            if (s->n_inst > 1)
                fprintf(f, "[%s] ", l->instance ? l->instance : "?");
            if (raw) {
                fwrite(l->text, 1, l->len, f);
                n += count_newlines(l->text, l->len);
            } else {
                char clean[CLEAN_MAX];
                size_t k = sanitize_text(l->text, l->len, clean, sizeof(clean), 0);

                fwrite(clean, 1, k, f);
                n += count_newlines(clean, k);
            }
            fputc('\n', f);
            n++;
        }
        p = b.lines[b.n - 1].pos;
        have = true;
        cache_log_batch_clean(&b);
    }
    return (int)(n > 0x7fffffff ? 0x7fffffff : n);
}

static int submit_save(struct view *v, struct app *a, const char *path)
{
    FILE *f;
    int n;

    if (!path[0])
        return R_REDRAW;
    f = fopen(path, "w");
    if (!f) {
        app_flash(a, true, "cannot write %s: %s", path, strerror(errno));
        return R_REDRAW;
    }
    n = write_log(S(v), a, v->job, f, true);
    if (fclose(f) != 0)
        app_flash(a, true, "writing %s failed: %s", path, strerror(errno));
    else
        app_flash(a, false, "saved %d line%s to %s", n, n == 1 ? "" : "s", path);
    return R_REDRAW;
}

static int act_save(struct view *v, struct app *a)
{
    char init[300];

    snprintf(init, sizeof(init), "%s.log", v->job);
    app_prompt(a, "save to: ", init, "save", submit_save, NULL);
    return R_REDRAW;
}

/* `|`: the log (with the view's instance choice) in $PAGER, at the line on top of the screen. */
static int act_pager(struct view *v, struct app *a)
{
    struct logs_state *s = S(v);
    struct cache_log_filter flt;
    const struct cache_log_filter *fp = logs_inst_filter(s, &flt);
    struct cache_log_pos p;
    struct pager pg;
    struct err e = { 0 };
    bool have = false;
    long at = 0;

    if (pager_open(&pg, &e) != 0) {
        app_flash(a, true, "%s", e.msg);
        return R_REDRAW;
    }
    for (;;) {
        struct cache_log_batch b = { 0 };

        if (cache_logs_after(app_cache(a), v->job, have ? &p : NULL, 4096, fp, &b, NULL) < 0 ||
            b.n == 0) {
            cache_log_batch_clean(&b);
            break;
        }
        for (size_t i = 0; i < b.n; i++) {
            const struct cache_log_line *l = &b.lines[i];
            char line[CLEAN_MAX + 128];
            size_t k = 0, len = l->len < CLEAN_MAX ? l->len : CLEAN_MAX;

            if (!logs_visible(s, l))
                continue;
            if (at == 0 && s->n > 0 && logs_pos_cmp(&l->pos, &s->lines[0].pos) >= 0)
                at = pg.lines + 1;
            if (s->n_inst > 1)
                k = (size_t)snprintf(line, 128, "[%.100s] ", l->instance ? l->instance : "?");
            memcpy(line + k, l->text, len);
            pager_line(&pg, line, k + len);
        }
        p = b.lines[b.n - 1].pos;
        have = true;
        cache_log_batch_clean(&b);
    }
    pager_show(a, &pg, at);
    return R_REDRAW;
}

/* "HH:MM[:SS]" on the day of the line at the top, in the clock the timestamps show (UTC when
 * `t` shows UTC, else local time). */
static int submit_time(struct view *v, struct app *a, const char *text)
{
    struct logs_state *s = S(v);
    int hh = 0, mm = 0, ss = 0;
    time_t base;
    struct tm tm;
    struct cache_log_pos p;

    if (sscanf(text, "%d:%d:%d", &hh, &mm, &ss) < 2) {
        app_flash(a, true, "time: use HH:MM or HH:MM:SS");
        return R_REDRAW;
    }
    base = (time_t)((s->n > 0 ? s->lines[0].pos.ts_ms : s->info.first_ts_ms) / 1000);
    if (s->timestamps == LOGS_TS_UTC)
        gmtime_r(&base, &tm);
    else
        localtime_r(&base, &tm);
    tm.tm_hour = hh;
    tm.tm_min = mm;
    tm.tm_sec = ss;
    tm.tm_isdst = -1;
    p.ts_ms = (int64_t)(s->timestamps == LOGS_TS_UTC ? timegm(&tm) : mktime(&tm)) * 1000 - 1;
    p.stream = INT64_MAX;
    p.seq = INT64_MAX;
    if (!logs_step_from(s, a, v->job, &p, 1, &s->top)) {
        app_flash(a, true, "no line at or after %s", text);
        return R_REDRAW;
    }
    s->top_set = true;
    s->follow = false;
    s->stale = true;
    return R_REDRAW;
}

static int act_time(struct view *v, struct app *a)
{
    app_prompt(a, S(v)->timestamps == LOGS_TS_UTC ? "jump to time (HH:MM[:SS] UTC): "
                                                  : "jump to time (HH:MM[:SS] local): ",
               "", "time", submit_time, NULL);
    return R_REDRAW;
}

static int act_metrics(struct view *v, struct app *a) { app_push(a, &view_metrics_ops, v->job, NULL, 0); return R_REDRAW; }
static int act_detail(struct view *v, struct app *a) { app_push(a, &view_detail_ops, v->job, NULL, 0); return R_REDRAW; }

static const struct key_binding logs_keys[] = {
    { '/', "/", "search: highlights every match", logs_act_search, KB_FOOTER },
    { 'n', "n/N", "next/prev match", logs_act_next, KB_FOOTER },
    { 'N', "N", "previous match", logs_act_prev, KB_HIDDEN },
    { '&', "&", "filter: only matching lines, -C N for context, rank:N host:algo-K", logs_act_filter,
      KB_FOOTER },
    /* the navigation keys: one action, the list widget says what each means */
    { 'G', "G/End", "follow: the end of the log", logs_act_nav, KB_FOOTER },
    { KEY_END, "End", "follow", logs_act_nav, KB_HIDDEN },
    { 'f', "f", "follow on/off", logs_act_toggle_follow, 0 },
    { 'g', "g/Home", "first line", logs_act_nav, 0 },
    { KEY_HOME, "Home", "first line", logs_act_nav, KB_HIDDEN },
    KEYS_SCROLL_LINES(logs_act_nav, logs_act_nav),
    { KEY_NPAGE, "PgDn/space", "page down", logs_act_nav, 0 },
    { ' ', "space", "", logs_act_nav, KB_HIDDEN },
    { 6, "^F", "", logs_act_nav, KB_HIDDEN },
    { KEY_PPAGE, "PgUp/b", "page up", logs_act_nav, 0 },
    { 'b', "b", "", logs_act_nav, KB_HIDDEN },
    { 2, "^B", "", logs_act_nav, KB_HIDDEN },
    { KEY_MOUSE, "mouse", "the wheel scrolls", logs_act_nav, KB_HIDDEN },
    { 'T', "T", "jump to a time", act_time, 0 },
    { 'w', "w", "wrap: long lines", act_wrap, KB_FOOTER },
    KEYS_LIST_SIDEWAYS(logs_act_nav),
    { 'l', "l", "", logs_act_nav, KB_HIDDEN },
    { 'h', "h", "", logs_act_nav, KB_HIDDEN },
    { 't', "t", "time: timestamps (date and time), local → UTC → off", act_ts, KB_FOOTER },
    { '1', "1..9", "show / hide instance N", act_inst, 0 },
    { '2', "2", "", act_inst, KB_HIDDEN },
    { '3', "3", "", act_inst, KB_HIDDEN },
    { '4', "4", "", act_inst, KB_HIDDEN },
    { '5', "5", "", act_inst, KB_HIDDEN },
    { '6', "6", "", act_inst, KB_HIDDEN },
    { '7', "7", "", act_inst, KB_HIDDEN },
    { '8', "8", "", act_inst, KB_HIDDEN },
    { '9', "9", "", act_inst, KB_HIDDEN },
    { '0', "0", "show every instance", act_all_inst, 0 },
    { '|', "|", "open the log in $PAGER", act_pager, 0 },
    { 's', "s", "save the log to a file", act_save, 0 },
    { 'm', "m", "metric charts", act_metrics, 0 },
    { 'd', "d", "job detail", act_detail, 0 },
    { 0, NULL, NULL, NULL, 0 },
};

static int logs_command(struct view *v, struct app *a, int argc, char **argv)
{
    if (strcmp(argv[0], "time") == 0 && argc > 1)
        return submit_time(v, a, argv[1]);
    if (strcmp(argv[0], "save") == 0 && argc > 1)
        return submit_save(v, a, argv[1]);
    if (strcmp(argv[0], "wrap") == 0)
        return act_wrap(v, a);
    if (strcmp(argv[0], "timestamps") == 0)
        return act_ts(v, a);
    return R_UNHANDLED;
}

static int logs_enter(struct view *v, struct app *a)
{
    struct logs_state *s = calloc(1, sizeof(*s));

    if (!s)
        return -1;
    s->follow = true;
    s->stale = true;
    (void)a;
    v->state = s;
    return 0;
}

static void logs_leave(struct view *v, struct app *a)
{
    struct logs_state *s = S(v);

    (void)a;
    if (!s)
        return;
    logs_free_lines(s);
    pcre2_code_free(s->re);
    pcre2_match_data_free(s->md);
    mset_free(s->mset);
    free(s);
    v->state = NULL;
}

static int logs_tick(struct view *v, struct app *a, bool changed)
{
    (void)a;
    if (changed)
        S(v)->stale = true;
    return R_REDRAW;      /* the poll age in the title moves */
}

const struct view_ops view_logs_ops = {
    .name = "logs",
    .keys = logs_keys,
    .on_enter = logs_enter,
    .on_leave = logs_leave,
    .draw = logs_draw,
    .on_tick = logs_tick,
    .on_command = logs_command,
    .title = logs_title,
    .follows_jobs = true,
};

