/* view_launch_regex.c: the launch form's metric regex tester. `t` on a metric definition tests
 * its regex on a chosen past job's cached log with the extractor's own semantics
 * (metrics/metrics.h), a few thousand lines per tick: the match count and the first values, or
 * PCRE2's message and offset.
 *
 * Owns: the test's run (struct regex_test in the form's state). Must not: read the network or
 * hold the UI thread for more than RT_LINES_PER_TICK lines. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tui/view_launch.h"

/* ---- The regex tester ----------------------------------------------------------------------- */

static int rt_point(const struct mpoint *p, void *ctx)
{
    struct regex_test *rt = ctx;

    if (p->flags & MPOINT_UNPARSED) {
        rt->unparsed++;
        return 0;
    }
    rt->values++;
    if (rt->n_first < RT_FIRST)
        rt->first[rt->n_first++] = p->value;
    return 0;
}

static struct mextract_state *rt_state(struct regex_test *rt, const char *instance)
{
    const char *name = instance ? instance : "";

    for (size_t i = 0; i < rt->n_inst; i++)
        if (strcmp(rt->inst[i], name) == 0)
            return &rt->st[i];
    if (rt->n_inst == RT_INSTANCES)
        return &rt->st[RT_INSTANCES - 1];
    snprintf(rt->inst[rt->n_inst], sizeof(rt->inst[0]), "%s", name);
    mextract_state_init(&rt->st[rt->n_inst], rt->inst[rt->n_inst]);
    return &rt->st[rt->n_inst++];
}

static void rt_summary(struct regex_test *rt, bool done)
{
    size_t n = (size_t)snprintf(rt->text, sizeof(rt->text), "%s on %s: %llu match%s in %llu "
                                "line%s%s", rt->key, rt->job, rt->values + rt->unparsed,
                                rt->values + rt->unparsed == 1 ? "" : "es", rt->lines,
                                rt->lines == 1 ? "" : "s", done ? "" : " so far…");

    if (rt->unparsed && n < sizeof(rt->text))
        n += (size_t)snprintf(rt->text + n, sizeof(rt->text) - n, " (%llu not a number)",
                              rt->unparsed);
    for (size_t i = 0; i < rt->n_first && n < sizeof(rt->text); i++)
        n += (size_t)snprintf(rt->text + n, sizeof(rt->text) - n, "%s%.6g",
                              i ? ", " : "; first: ", rt->first[i]);
    if (done && rt->lines == 0)
        snprintf(rt->text, sizeof(rt->text), "%s: no cached log lines for %s (open its log "
                 "first, or pick another job)", rt->key, rt->job);
    rt->err = done && (rt->lines == 0 || rt->values == 0);
}

int launch_regex_step(struct launch_state *st, struct app *a)
{
    struct regex_test *rt = &st->rt;
    struct cache *c = app_cache(a);
    unsigned long long budget = RT_LINES_PER_TICK;
    struct err e = { 0 };

    while (rt->running && budget > 0) {
        struct cache_log_batch b;

        memset(&b, 0, sizeof(b));
        if (c == NULL || cache_logs_after(c, rt->job, rt->started ? &rt->pos : NULL, 4096, NULL,
                                          &b, &e) != 0) {
            snprintf(rt->text, sizeof(rt->text), "%s: reading the log of %s: %s", rt->key,
                     rt->job, c ? e.msg : "no cache");
            rt->err = true;
            rt->running = false;
            cache_log_batch_clean(&b);
            break;
        }
        rt->started = true;
        for (size_t i = 0; i < b.n; i++) {
            const struct cache_log_line *l = &b.lines[i];

            mset_extract(rt->ms, rt_state(rt, l->instance), l->text, l->len, l->pos.ts_ms,
                         rt_point, rt);
            rt->pos = l->pos;
        }
        rt->lines += b.n;
        budget = b.n >= budget ? 0 : budget - b.n;
        if (b.at_end || b.n == 0)
            rt->running = false;
        cache_log_batch_clean(&b);
    }
    rt_summary(rt, !rt->running);
    return R_REDRAW;
}

static int on_test_job(struct view *v, struct app *a, const char *text)
{
    struct launch_state *st = v->state;
    struct regex_test *rt = &st->rt;
    struct mdef_list l;
    struct err e = { 0 };
    char regex[1024];
    const char *name = strchr(rt->key, '.') + 1;

    while (*text == ' ')
        text++;
    if (text[0] == '\0')
        return R_NONE;
    mset_free(rt->ms);
    rt->ms = NULL;
    snprintf(rt->job, sizeof(rt->job), "%s", text);
    rt->running = rt->started = false;
    rt->n_inst = 0;
    rt->lines = rt->values = rt->unparsed = 0;
    rt->n_first = 0;
    launch_field_value(st, rt->key, regex, sizeof(regex));
    mdef_list_init(&l);
    l.preset_hf = false;        /* this one definition, not the built-in preset */
    if (mdef_list_add(&l, name, regex, MDEF_JOB, &e) != 0 || (rt->ms = mset_new(&l, &e)) == NULL) {
        snprintf(rt->text, sizeof(rt->text), "%s: %s", rt->key, e.msg);
        rt->err = true;
    } else if (mset_error_count(rt->ms) > 0) {
        const struct mdef_error *d = mset_error(rt->ms, 0);

        snprintf(rt->text, sizeof(rt->text), "%s: regex does not compile: %s at offset %zu",
                 rt->key, d->msg, d->offset);
        rt->err = true;
        mset_free(rt->ms);
        rt->ms = NULL;
    } else {
        rt->running = true;
        launch_regex_step(st, a);
    }
    mdef_list_clean(&l);
    return R_REDRAW;
}

static size_t complete_job(struct view *v, struct app *a, const char *line, const char *word,
                           char (*out)[128], size_t max)
{
    struct launch_state *st = v->state;
    const char *cands[MAX_PAST];

    (void)a;
    (void)line;
    for (size_t i = 0; i < st->n_past; i++)
        cands[i] = st->past[i];
    return launch_add_matches(cands, st->n_past, word, out, max, 0);
}

int launch_act_test(struct view *v, struct app *a)
{
    struct launch_state *st = v->state;
    const char *k;
    char label[160];

    if (st->loading || (k = launch_selected(st)) == NULL)
        return R_NONE;
    if (strncmp(k, "metric.", 7) != 0) {
        app_flash(a, false, "t tests a metric definition's regex: move to a metric.NAME row");
        return R_REDRAW;
    }
    snprintf(st->rt.key, sizeof(st->rt.key), "%s", k);
    snprintf(label, sizeof(label), "test %.100s on the cached log of job: ", k);
    app_prompt(a, label, st->rt.job[0] ? st->rt.job : st->relaunch ? st->source :
               st->n_past ? st->past[0] : "", "launch-test", on_test_job, complete_job);
    return R_REDRAW;
}

