/* view_logs_find.c: the logs view's search (`/`, `n`, `N`) and filter (`&`): the patterns,
 * the rank:/host: terms of the filter, and the jumps to a match. A search starts at the top line
 * on screen and wraps at either end; the filter covers the whole cached log. Changes the view's
 * state and returns R_* flags; must not draw (view_logs.c does) or read the window's lines
 * (view_logs_window.c does). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tui/sanitize.h"
#include "tui/view_logs_internal.h"

static int set_search(struct logs_state *s, struct app *a, const char *text)
{
    int errc;
    PCRE2_SIZE erroff;
    uint32_t opts = PCRE2_UTF | PCRE2_MATCH_INVALID_UTF;
    const char *p;
    bool upper = false;

    pcre2_code_free(s->re);
    pcre2_match_data_free(s->md);
    s->re = NULL;
    s->md = NULL;
    str_copy(s->search, sizeof(s->search), text);
    if (!text[0])
        return R_REDRAW;
    for (p = text; *p; p++)
        upper |= *p >= 'A' && *p <= 'Z';
    if (!upper)
        opts |= PCRE2_CASELESS;     /* smart case, like the cache's search */
    s->re = pcre2_compile((PCRE2_SPTR)text, PCRE2_ZERO_TERMINATED, opts, &errc, &erroff, NULL);
    if (!s->re) {
        PCRE2_UCHAR msg[128];

        pcre2_get_error_message(errc, msg, sizeof(msg));
        app_flash(a, true, "search: %s at offset %zu", (const char *)msg, (size_t)erroff);
        s->search[0] = '\0';
        return R_REDRAW;
    }
    s->md = pcre2_match_data_create_from_pattern(s->re, NULL);
    return R_REDRAW;
}

/* The first line on screen (a separator is no line), or false when none is. */
bool logs_first_on_screen(const struct logs_state *s, struct cache_log_pos *out)
{
    size_t i;

    for (i = 0; i < s->n; i++) {
        if (!s->lines[i].separator) {
            *out = s->lines[i].pos;
            return true;
        }
    }
    return false;
}

/* Jumps to the next (dir 1) or previous (-1) match, keeping a third of a screen of context. A
 * new search starts at the top line on screen (in follow mode too); at either end it wraps
 * round and says so. */
static int find(struct view *v, struct app *a, int dir)
{
    struct logs_state *s = v->state;
    struct cache_log_batch m = { 0 };
    struct cache_log_filter f;
    struct cache_log_pos from, p;
    struct err e = { 0 };
    bool have_from = true, wrapped = false;

    if (!s->search[0]) {
        app_flash(a, true, "no search yet: press /");
        return R_REDRAW;
    }
    if (s->match_set)
        from = s->match;
    else if (logs_first_on_screen(s, &from))
        from = dir > 0 ? logs_pos_prev(from) : from;
    else
        have_from = false;
    if (cache_logs_search(app_cache(a), v->job, s->search, dir < 0, have_from ? &from : NULL, 1,
                          logs_inst_filter(s, &f), &m, &e) < 0) {
        app_flash(a, true, "search: %s", e.msg);
        return R_REDRAW;
    }
    if (m.n == 0 && have_from) {
        cache_log_batch_clean(&m);
        memset(&m, 0, sizeof(m));
        cache_logs_search(app_cache(a), v->job, s->search, dir < 0, NULL, 1,
                          logs_inst_filter(s, &f), &m, NULL);
        wrapped = true;
    }
    if (m.n == 0) {
        app_flash(a, true, "no match for /%s/", s->search);
        cache_log_batch_clean(&m);
        return R_REDRAW;
    }
    if (wrapped)
        app_flash(a, false, "search wrapped to the %s", dir > 0 ? "top" : "bottom");
    s->match = m.lines[0].pos;
    s->match_set = true;
    cache_log_batch_clean(&m);
    s->follow = false;
    s->top = s->match;
    if (s->rows > 3 && logs_step_from(s, a, v->job, &s->match, -(s->rows / 3), &p))
        s->top = p;
    s->top_set = true;
    s->stale = true;
    return R_REDRAW;
}

static int submit_search(struct view *v, struct app *a, const char *text)
{
    struct logs_state *s = v->state;

    set_search(s, a, text);
    s->match_set = false;
    return s->search[0] ? find(v, a, 1) : R_REDRAW;
}

int logs_act_search(struct view *v, struct app *a)
{
    (void)v;
    app_prompt(a, "/", "", "logs-search", submit_search, NULL);
    return R_REDRAW;
}

int logs_act_next(struct view *v, struct app *a) { return find(v, a, 1); }
int logs_act_prev(struct view *v, struct app *a) { return find(v, a, -1); }

/* Takes the rank:N and host:NAME terms out of text (whole words) into s's process selection;
 * the rest, blanks squeezed at the ends, stays in text. Returns false with a message when a
 * term's value is not valid. */
static bool take_proc_terms(struct logs_state *s, struct app *a, const char *job, char *text)
{
    char *w = text, *p = text;
    int rank = PROCSEL_ALL;
    const char *host = NULL;

    s->procs_text[0] = '\0';
    while (*p) {
        size_t n = strcspn(p, " "), sp = strspn(p + n, " ");
        bool rk = strncmp(p, "rank:", 5) == 0, hs = strncmp(p, "host:", 5) == 0;

        if ((rk || hs) && (p == text || p[-1] == ' ')) {
            char val[32];

            snprintf(val, sizeof(val), "%.*s", (int)(n - 5 < 31 ? n - 5 : 31), p + 5);
            if (rk && (rank = procsel_parse_rank(val)) == PROCSEL_FIRST) {
                app_flash(a, true, "filter: rank:%s is not a rank (a number, or all)", val);
                return false;
            }
            if (hs && !val[0]) {
                app_flash(a, true, "filter: host: needs a host name (host:algo-2)");
                return false;
            }
            if (hs) {
                str_copy(s->procs_host, sizeof(s->procs_host), val);
                host = s->procs_host;
            }
            snprintf(s->procs_text + strlen(s->procs_text),
                     sizeof(s->procs_text) - strlen(s->procs_text), "%s%.*s",
                     s->procs_text[0] ? " " : "", (int)n, p);
            p += n + sp;
            continue;
        }
        memmove(w, p, n + sp);
        w += n + sp;
        p += n + sp;
    }
    while (w > text && w[-1] == ' ')
        w--;
    *w = '\0';
    s->procs_on = s->procs_text[0] != '\0';
    s->procs.rank = rank;
    s->procs.host = host;
    s->procs.per_host = s->procs_on ? cache_job_procs_per_host(app_cache(a), job) : 0;
    return true;
}

/* "& [-C N] [rank:N] [host:NAME] regex"; an empty line clears the filter. */
static int submit_filter(struct view *v, struct app *a, const char *text)
{
    struct logs_state *s = v->state;
    const char *p = text;
    char rest[256];
    int ctx = 0;
    pcre2_code *test;
    int errc;
    PCRE2_SIZE off;

    while (*p == ' ')
        p++;
    if (strncmp(p, "-C", 2) == 0) {
        char *end;

        p += 2;
        ctx = (int)strtol(p, &end, 10);
        p = end;
        while (*p == ' ')
            p++;
    }
    if (ctx < 0 || ctx > 20)
        ctx = ctx < 0 ? 0 : 20;
    str_copy(rest, sizeof(rest), p);
    if (!take_proc_terms(s, a, v->job, rest))
        return R_REDRAW;
    if (rest[0]) {
        test = pcre2_compile((PCRE2_SPTR)rest, PCRE2_ZERO_TERMINATED, 0, &errc, &off, NULL);
        if (!test) {
            app_flash(a, true, "filter: bad regex at offset %zu", (size_t)off);
            return R_REDRAW;
        }
        pcre2_code_free(test);
    }
    str_copy(s->filter, sizeof(s->filter), rest);
    s->context = ctx;
    if (s->filter[0] && !s->search[0])
        set_search(s, a, s->filter);      /* highlight what the filter kept */
    s->stale = true;
    return R_REDRAW;
}

int logs_act_filter(struct view *v, struct app *a)
{
    struct logs_state *s = v->state;
    char init[400];

    snprintf(init, sizeof(init), "%s%.0d%s%s%s%s", s->context ? "-C " : "", s->context,
             s->context ? " " : "", s->procs_text, s->procs_text[0] && s->filter[0] ? " " : "",
             s->filter);
    app_prompt(a, "& [-C N] [rank:N host:H] ", init, "logs-filter", submit_filter, NULL);
    return R_REDRAW;
}

