/* view_logs_window.c: the logs view's window of lines. Fills it from the cache with only the
 * lines on screen (cache_logs_after/before/search), skipping hidden instances, grouping the &
 * filter's matches with their context, marking lines where a metric matched, and shifting it
 * by a few lines without reading it again. Sanitizes every line as it is taken in; must not
 * draw or handle keys (view_logs.c does). */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "aws/userconfig.h"
#include "tui/draw.h"
#include "tui/sanitize.h"
#include "tui/view_logs_internal.h"

void logs_free_lines(struct logs_state *s)
{
    size_t i;

    for (i = 0; i < s->n; i++)
        free(s->lines[i].text);
    s->n = 0;
}

int logs_inst_index(struct logs_state *s, const char *name)
{
    size_t i;

    if (!name)
        return -1;
    for (i = 0; i < s->n_inst; i++)
        if (strcmp(s->inst[i], name) == 0)
            return (int)i;
    if (s->n_inst < MAX_INST) {
        str_copy(s->inst[s->n_inst], 32, name);
        s->shown[s->n_inst] = true;
        return (int)s->n_inst++;
    }
    return -1;
}

static void load_instances(struct logs_state *s, struct app *a, const char *job)
{
    struct cache_kv_list l = { 0 };
    size_t i;

    if (cache_logs_instances(app_cache(a), job, &l, NULL) == 0)
        for (i = 0; i < l.n; i++)
            logs_inst_index(s, l.items[i].key);
    cache_kv_list_clean(&l);
}

size_t logs_n_shown(const struct logs_state *s, int *only)
{
    size_t i, n = 0;

    for (i = 0; i < s->n_inst; i++) {
        if (s->shown[i]) {
            n++;
            *only = (int)i;
        }
    }
    return n;
}

/* The cache filter for the instance toggles: one instance → server-side; else NULL and the
 * hidden ones are skipped here. */
const struct cache_log_filter *logs_inst_filter(struct logs_state *s, struct cache_log_filter *f)
{
    int only = -1;

    memset(f, 0, sizeof(*f));
    if (s->n_inst > 1 && logs_n_shown(s, &only) == 1) {
        f->instance = s->inst[only];
        return f;
    }
    return NULL;
}

void logs_split_prefix(const char *text, size_t len, size_t *lead, size_t *skip, char *tag,
                       int *rank)
{
    struct procprefix pr;
    size_t i;

    *lead = 0;
    *skip = 0;
    tag[0] = '\0';
    *rank = -1;
    if (!procprefix_maybe(text, len) || !procprefix_parse(text, len, &pr))
        return;
    /* what comes before the prefix's '[' (blanks, a timestamp) is the line's own text */
    for (i = 0; i < pr.len && text[i] != '['; i++)
        ;
    *lead = i;
    *skip = pr.len - i;
    *rank = pr.rank;
    if (pr.rank >= 0)
        snprintf(tag, 12, "%s%d", pr.rank_global ? "r" : "L", pr.rank);
}

bool logs_visible(struct logs_state *s, const struct cache_log_line *l)
{
    int i = logs_inst_index(s, l->instance);
    struct procprefix pr;
    char host[32];
    const char *stream_host = l->instance;

    if (i >= 0 && !s->shown[i])
        return false;
    if (!s->procs_on)
        return true;
    if (!procprefix_maybe(l->text, l->len) || !procprefix_parse(l->text, l->len, &pr)) {
        pr.rank = -1;
        pr.rank_global = true;
    } else if (pr.host && pr.host_len > 0 && pr.host_len < sizeof(host)) {
        /* model parallel's prefix names the process's host itself */
        memcpy(host, pr.host, pr.host_len);
        host[pr.host_len] = '\0';
        stream_host = host;
    }
    return procsel_match(&s->procs, pr.rank, !pr.rank_global, stream_host);
}

void logs_copy_selection(struct logs_state *dst, const struct logs_state *src)
{
    memcpy(dst->inst, src->inst, sizeof(src->inst));
    memcpy(dst->shown, src->shown, sizeof(src->shown));
    dst->n_inst = src->n_inst;
    dst->procs_on = src->procs_on;
    dst->procs = src->procs;
    memcpy(dst->procs_host, src->procs_host, sizeof(src->procs_host));
    if (src->procs.host)
        dst->procs.host = dst->procs_host;
}

/* The position just before p: "strictly after prev(p)" starts at p itself. */
struct cache_log_pos logs_pos_prev(struct cache_log_pos p)
{
    if (p.seq > 0)
        p.seq--;
    else {
        p.stream--;
        p.seq = INT64_MAX;
    }
    return p;
}

int logs_pos_cmp(const struct cache_log_pos *a, const struct cache_log_pos *b)
{
    if (a->ts_ms != b->ts_ms)
        return a->ts_ms < b->ts_ms ? -1 : 1;
    if (a->stream != b->stream)
        return a->stream < b->stream ? -1 : 1;
    if (a->seq != b->seq)
        return a->seq < b->seq ? -1 : 1;
    return 0;
}

/* ---- metric marks --------------------------------------------------------------------------- */

static void build_mset(struct logs_state *s, struct app *a, const char *job)
{
    struct mdef_list l;
    struct cache_kv_list md = { 0 };
    char *cfg;
    size_t i, cfg_len;

    s->mset_tried = true;
    mdef_list_init(&l);
    if (cache_job_metric_definitions(app_cache(a), job, &md, NULL) == 0)
        for (i = 0; i < md.n; i++)
            mdef_list_add(&l, md.items[i].key, md.items[i].value, MDEF_JOB, NULL);
    cache_kv_list_clean(&md);
    if ((cfg = userconfig_read_text(&cfg_len)) != NULL) {
        mdef_list_parse_config(&l, cfg, cfg_len, job, NULL);
        free(cfg);
    }
    s->mset = mset_new(&l, NULL);
    mdef_list_clean(&l);
}

struct mark_ctx {
    char *out;
    size_t size;
};

static int on_point(const struct mpoint *p, void *ctx)
{
    struct mark_ctx *m = ctx;
    char v[32];

    if (m->out[0])
        return 1;
    fmt_value(p->value, v, sizeof(v));
    snprintf(m->out, m->size, "%.60s=%s", p->name, v);
    return 1;
}

/* ---- fetching the window ------------------------------------------------------------------ */

static void take_line(struct logs_state *s, struct logs_state *unused, const struct cache_log_line *l)
{
    struct lline *d;
    char clean[CLEAN_MAX];
    size_t n, lead, skip;
    unsigned flags = draw_utf8() ? 0 : SANITIZE_ASCII;

    (void)unused;
    if (s->n == WIN_MAX)
        return;
    d = &s->lines[s->n];
    memset(d, 0, sizeof(*d));
    d->pos = l->pos;
    d->inst = logs_inst_index(s, l->instance);
    logs_split_prefix(l->text, l->len, &lead, &skip, d->tag, &d->rank);
    n = sanitize_text(l->text, lead, clean, sizeof(clean), flags);
    n += sanitize_text(l->text + lead + skip, l->len - lead - skip, clean + n, sizeof(clean) - n,
                       flags);
    d->text = malloc(n + 1);
    if (!d->text)
        return;
    memcpy(d->text, clean, n + 1);
    d->len = n;
    if (s->mset) {
        struct mextract_state st;
        struct mark_ctx m = { d->metric, sizeof(d->metric) };

        mextract_state_init(&st, l->instance);
        mset_extract(s->mset, &st, l->text, l->len, l->pos.ts_ms, on_point, &m);
    }
    s->n++;
}

/* Up to want visible lines after pos (NULL = start), in time order, into the window. */
static void fetch_after(struct logs_state *s, struct app *a, const char *job,
                        const struct cache_log_pos *pos, size_t want)
{
    struct cache_log_filter f;
    const struct cache_log_filter *fp = logs_inst_filter(s, &f);
    struct cache_log_pos p = pos ? *pos : (struct cache_log_pos){ 0, 0, 0 };
    bool have_pos = pos != NULL;
    size_t got = 0, i;

    while (got < want) {
        struct cache_log_batch b = { 0 };

        if (cache_logs_after(app_cache(a), job, have_pos ? &p : NULL, want - got + 16, fp, &b,
                             NULL) < 0 || b.n == 0) {
            s->at_end = true;
            cache_log_batch_clean(&b);
            break;
        }
        for (i = 0; i < b.n && got < want; i++) {
            if (!logs_visible(s, &b.lines[i]))
                continue;
            take_line(s, NULL, &b.lines[i]);
            got++;
        }
        p = b.lines[b.n - 1].pos;
        have_pos = true;
        s->at_end = b.at_end && i >= b.n;
        cache_log_batch_clean(&b);
        if (s->at_end)
            break;
    }
}

/* The want visible lines before pos (NULL = the end), in time order, into the window. */
static void fetch_before(struct logs_state *s, struct app *a, const char *job,
                         const struct cache_log_pos *pos, size_t want)
{
    struct cache_log_filter f;
    const struct cache_log_filter *fp = logs_inst_filter(s, &f);
    struct cache_log_pos p = pos ? *pos : (struct cache_log_pos){ 0, 0, 0 };
    bool have_pos = pos != NULL;
    struct cache_log_line *keep = NULL;
    struct cache_log_batch *batches = NULL;
    size_t n_b = 0, got = 0, i;

    /* Walk backwards, keeping batches alive until the lines are copied in time order. */
    batches = calloc(64, sizeof(*batches));
    keep = calloc(want ? want : 1, sizeof(*keep));
    if (!batches || !keep)
        goto out;
    while (got < want && n_b < 64) {
        struct cache_log_batch *b = &batches[n_b];

        if (cache_logs_before(app_cache(a), job, have_pos ? &p : NULL, want - got + 16, fp, b,
                              NULL) < 0 || b->n == 0)
            break;
        n_b++;
        for (i = b->n; i > 0 && got < want; i--)
            if (logs_visible(s, &b->lines[i - 1]))
                keep[got++] = b->lines[i - 1];
        p = b->lines[0].pos;
        have_pos = true;
        if (b->at_end)
            break;
    }
    for (i = got; i > 0; i--)
        take_line(s, NULL, &keep[i - 1]);
out:
    for (i = 0; i < n_b; i++)
        cache_log_batch_clean(&batches[i]);
    free(batches);
    free(keep);
}

/* One position `count` visible lines away from p (backwards when count < 0); false if none. */
bool logs_step_from(struct logs_state *s, struct app *a, const char *job,
                    const struct cache_log_pos *p, long count, struct cache_log_pos *out)
{
    struct logs_state tmp;
    bool ok = false;

    memset(&tmp, 0, sizeof(tmp));
    logs_copy_selection(&tmp, s);
    if (count > WIN_MAX)
        count = WIN_MAX;
    if (count < -WIN_MAX)
        count = -WIN_MAX;
    if (count > 0)
        fetch_after(&tmp, a, job, p, (size_t)count);
    else if (count < 0)
        fetch_before(&tmp, a, job, p, (size_t)-count);
    if (tmp.n > 0) {
        *out = count > 0 ? tmp.lines[tmp.n - 1].pos : tmp.lines[0].pos;
        ok = true;
    }
    logs_free_lines(&tmp);
    return ok;
}

/* One match and its -C context into the window, after a "--" when it does not touch the
 * previous group; lines the previous group showed are not repeated. */
static void add_group(struct logs_state *s, struct app *a, const char *job,
                      const struct cache_log_line *match, struct cache_log_pos *last,
                      bool *have_last)
{
    struct logs_state ctx;
    size_t k;

    memset(&ctx, 0, sizeof(ctx));
    logs_copy_selection(&ctx, s);
    if (s->context > 0)
        fetch_before(&ctx, a, job, &match->pos, (size_t)s->context);
    take_line(&ctx, NULL, match);
    if (s->context > 0)
        fetch_after(&ctx, a, job, &match->pos, (size_t)s->context);
    for (k = 0; k < ctx.n && s->n < WIN_MAX; k++) {
        if (*have_last && logs_pos_cmp(&ctx.lines[k].pos, last) <= 0)
            continue;       /* already shown by the previous group */
        if (*have_last && k == 0 && s->context > 0 && s->n < WIN_MAX) {
            struct lline *sep = &s->lines[s->n++];

            memset(sep, 0, sizeof(*sep));
            sep->separator = true;
        }
        s->lines[s->n] = ctx.lines[k];
        ctx.lines[k].text = NULL;
        s->n++;
        *last = s->lines[s->n - 1].pos;
        *have_last = true;
    }
    logs_free_lines(&ctx);
}

/* & filter: matches with -C context, "--" between groups that do not touch. With rank:/host:
 * terms the cache's matches are thinned on this side, so more are read: in follow mode the
 * window then starts at the match that leaves the newest ones on screen. */
static void fetch_filtered(struct logs_state *s, struct app *a, const char *job, size_t want)
{
    struct cache_log_filter f;
    const struct cache_log_filter *fp = logs_inst_filter(s, &f);
    struct cache_log_batch m = { 0 };
    struct cache_log_pos last = { 0, 0, 0 };
    bool have_last = false;
    size_t i = 0, per = (size_t)(1 + 2 * s->context);
    size_t max = want / (per ? per : 1) + 1, ask = s->procs_on ? max * 16 : max;

    if (s->follow || !s->top_set) {
        cache_logs_search(app_cache(a), job, s->filter, s->follow, NULL, ask, fp, &m, NULL);
    } else {
        struct cache_log_pos p = logs_pos_prev(s->top);

        cache_logs_search(app_cache(a), job, s->filter, false, &p, ask, fp, &m, NULL);
        if (m.n == 0) {
            /* nothing at or after the position: the filter covers the whole log, so the
             * last matches before it are shown (never "no line matches" while some do) */
            cache_log_batch_clean(&m);
            memset(&m, 0, sizeof(m));
            cache_logs_search(app_cache(a), job, s->filter, true, &s->top, ask, fp, &m, NULL);
            if (m.n > 0)
                s->top = m.lines[0].pos;
        }
    }
    if (s->procs_on && s->follow) {
        size_t seen = 0;

        for (i = m.n; i > 0 && seen < max; i--)
            seen += logs_visible(s, &m.lines[i - 1]);
    }
    for (; i < m.n && s->n < want; i++)
        if (logs_visible(s, &m.lines[i]))
            add_group(s, a, job, &m.lines[i], &last, &have_last);
    s->at_end = m.at_end;
    cache_log_batch_clean(&m);
}

/* The log's first line: a window that starts later has lines above it. Read again only when
 * the log grew (a new stream may start earlier), so g/G and scrolling pay nothing for it. */
static void read_first(struct logs_state *s, struct app *a, const char *job)
{
    struct cache_log_batch b = { 0 };

    if (s->have_first && s->first_lines == s->info.lines)
        return;
    s->first_lines = s->info.lines;
    s->have_first = cache_logs_after(app_cache(a), job, NULL, 1, NULL, &b, NULL) == 0 && b.n > 0;
    if (s->have_first)
        s->first = b.lines[0].pos;
    cache_log_batch_clean(&b);
}

void logs_reload(struct logs_state *s, struct app *a, const char *job, int rows)
{
    logs_free_lines(s);
    if (!s->mset_tried)
        build_mset(s, a, job);
    load_instances(s, a, job);
    cache_logs_info(app_cache(a), job, &s->info, NULL);
    read_first(s, a, job);
    s->rows = rows;
    if (s->filter[0])
        fetch_filtered(s, a, job, (size_t)rows);
    else if (s->follow)
        fetch_before(s, a, job, NULL, (size_t)rows);
    else if (s->top_set) {
        struct cache_log_pos p = logs_pos_prev(s->top);

        fetch_after(s, a, job, &p, (size_t)rows);
    } else
        fetch_after(s, a, job, NULL, (size_t)rows);
    s->stale = false;
}


void logs_unfollow_at_top(struct logs_state *s)
{
    if (s->follow) {
        s->follow = false;
        if (s->n > 0) {
            size_t i = 0;

            while (i < s->n && s->lines[i].separator)
                i++;
            if (i < s->n) {
                s->top = s->lines[i].pos;
                s->top_set = true;
            }
        }
    }
}

/* Scrolls the loaded window by d lines without reloading it: the lines that stay are kept
 * (already read, sanitized and matched), only the |d| new ones are read. A 10,000,000-line log
 * then costs one small read per key. False when the window cannot be shifted (filtered, or
 * fewer lines loaded than the step); the caller reloads. */
bool logs_shift_window(struct logs_state *s, struct app *a, const char *job, long d)
{
    struct logs_state *tmp;
    size_t k, i, keep;

    if (s->filter[0] || s->follow || !s->top_set || s->n == 0 || s->rows <= 0 ||
        s->n > (size_t)s->rows || d == 0 || (d > 0 ? (size_t)d : (size_t)-d) >= s->n ||
        logs_pos_cmp(&s->lines[0].pos, &s->top) != 0)
        return false;
    if (d > 0) {
        for (i = 0; i < (size_t)d; i++)
            free(s->lines[i].text);
        memmove(s->lines, s->lines + d, (s->n - (size_t)d) * sizeof(s->lines[0]));
        s->n -= (size_t)d;
        fetch_after(s, a, job, &s->lines[s->n - 1].pos, (size_t)s->rows - s->n);
        s->top = s->lines[0].pos;
        return true;
    }
    tmp = calloc(1, sizeof(*tmp));
    if (!tmp)
        return false;
    logs_copy_selection(tmp, s);
    tmp->mset = s->mset;          /* borrowed: lines are matched as a reload would */
    fetch_before(tmp, a, job, &s->top, (size_t)-d);
    k = tmp->n;
    if (k > 0) {
        keep = s->n + k > (size_t)s->rows ? (size_t)s->rows - k : s->n;
        for (i = keep; i < s->n; i++)
            free(s->lines[i].text);
        memmove(s->lines + k, s->lines, keep * sizeof(s->lines[0]));
        memcpy(s->lines, tmp->lines, k * sizeof(s->lines[0]));
        s->n = keep + k;
        s->top = s->lines[0].pos;
        s->at_end = false;
    }
    tmp->n = 0;                   /* the texts moved into s */
    free(tmp);
    return true;
}

