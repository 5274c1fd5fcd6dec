/* view_tuning.c: the tuning list (`:tuning`): one row per tuning job from the cache (newest
 * first): status, strategy, objective, trials completed/running/failed/stopped of the limit,
 * the best value and its trial, elapsed. Enter opens the best trial as any job (the detail
 * view). Re-read whenever the cache changes (the sync engine lists tuning jobs after each job
 * list pass), so a running tuning job's counters move live.
 *
 * Owns its rows and selection (struct list, only the visible rows drawn). Reads the cache
 * through app_cache() (cache/tuning.h); must not call AWS or block. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cache/tuning.h"
#include "tui/draw.h"
#include "tui/list.h"
#include "tui/views.h"

struct tuning_state {
    struct cache_tuning_list l;
    struct list list;
    char error[256];
};

static struct tuning_state *S(struct view *v)
{
    return v->state;
}

static void tuning_load(struct view *v, struct app *a)
{
    struct tuning_state *s = S(v);
    struct err e = { 0 };

    cache_tuning_list_clean(&s->l);
    s->error[0] = '\0';
    if (cache_tuning_list(app_cache(a), NULL, &s->l, &e) != 0)
        snprintf(s->error, sizeof(s->error), "%s", e.msg);
    list_resize(&s->list, s->l.n, s->list.page > 0 ? s->list.page : 1);
    v->stale = false;
}

static int tuning_enter(struct view *v, struct app *a)
{
    struct tuning_state *s = calloc(1, sizeof(*s));

    if (s == NULL)
        return -1;
    s->list.cursor = true;
    v->state = s;
    tuning_load(v, a);
    return 0;
}

static void tuning_leave(struct view *v, struct app *a)
{
    (void)a;
    if (v->state != NULL)
        cache_tuning_list_clean(&S(v)->l);
    free(v->state);
    v->state = NULL;
}

static void row_text(const struct cache_tuning *t, double now, char *out, size_t n)
{
    char el[32], best[32];
    double end = t->end_time > 0 ? t->end_time
                 : cache_tuning_final(t->status) ? t->last_modified : now;

    fmt_duration(t->creation_time > 0 && end > t->creation_time ? end - t->creation_time : 0,
                 el, sizeof(el));
    if (t->best_job[0] != '\0')
        snprintf(best, sizeof(best), "%.4g", t->best_value);
    else
        snprintf(best, sizeof(best), "-");
    snprintf(out, n, "%-10s %-9s %-18.18s %-3s %4d %4d %4d %4d /%-4d %9s  %-8s %s",
             t->status, t->strategy[0] ? t->strategy : "-", t->objective_metric,
             strcmp(t->objective_type, "Maximize") == 0 ? "max" : "min", t->completed,
             t->in_progress, t->failed, t->stopped, t->max_jobs, best, el,
             t->best_job[0] ? t->best_job : "-");
}

static void tuning_draw(struct view *v, struct app *a, const struct rect *r)
{
    struct tuning_state *s = S(v);
    int wname = 28, y;
    size_t i;
    char text[512];

    if (v->stale)
        tuning_load(v, a);
    list_resize(&s->list, s->l.n, r->h > 2 ? r->h - 1 : 1);
    draw_fmt(r->y, r->x, r->w, theme_attr(TH_TITLE), "  %-*s %-10s %-9s %-18s %-3s %4s %4s %4s "
             "%4s %-5s %9s  %-8s %s", wname, "NAME", "STATUS", "STRATEGY", "OBJECTIVE", "", "DONE",
             "RUN", "FAIL", "STOP", "LIMIT", "BEST", "ELAPSED", "BEST TRIAL");
    if (s->error[0] != '\0') {
        draw_untrusted(r->y + 1, r->x, r->w, s->error, strlen(s->error), theme_attr(TH_ERROR));
        return;
    }
    if (s->l.n == 0) {
        draw_str(r->y + 1, r->x + 2, r->w - 2, "no tuning jobs in the cache (yet)",
                 theme_attr(TH_DIM));
        return;
    }
    for (i = s->list.top, y = r->y + 1; i < s->l.n && y < r->y + r->h; i++, y++) {
        const struct cache_tuning *t = &s->l.items[i];
        attr_t at = i == s->list.cur ? theme_attr(TH_SELECTED) : theme_attr(TH_NORMAL);

        draw_fill(y, r->x, r->w, at);
        draw_fmt(y, r->x, 2, at, "%s", i == s->list.cur ? ">" : " ");
        draw_untrusted(y, r->x + 2, wname, t->name, strlen(t->name), at);
        row_text(t, app_now(a), text, sizeof(text));
        draw_untrusted(y, r->x + 3 + wname, r->w - 3 - wname, text, strlen(text),
                       i == s->list.cur ? at : theme_status_attr(t->status));
    }
}

static int tuning_key(struct view *v, struct app *a, int key)
{
    (void)a;
    switch (list_key(&S(v)->list, key, LIST_KEYS_HJKL | LIST_KEYS_G)) {
    case 1:
        return R_REDRAW;
    case 0:
        return R_NONE;
    default:
        return R_UNHANDLED;
    }
}

/* Enter: the best trial, as any job. */
static int act_open_best(struct view *v, struct app *a)
{
    struct tuning_state *s = S(v);
    const struct cache_tuning *t;

    if (s->l.n == 0)
        return R_NONE;
    t = &s->l.items[s->list.cur];
    if (t->best_job[0] == '\0') {
        app_flash(a, false, "%s has no best trial yet", t->name);
        return R_REDRAW;
    }
    app_push(a, &view_detail_ops, t->best_job, NULL, 0);
    return R_REDRAW;
}

static void tuning_title(struct view *v, struct app *a, char *buf, size_t size)
{
    (void)a;
    snprintf(buf, size, "tuning (%zu)", S(v)->l.n);
}

static const struct key_binding tuning_keys[] = {
    { '\r', "Enter", "open the best trial", act_open_best, KB_FOOTER },
    { '\n', "Enter", "open the best trial", act_open_best, KB_HIDDEN },
    { KEY_ENTER, "Enter", "open the best trial", act_open_best, KB_HIDDEN },
    { 0, NULL, NULL, NULL, 0 },
};

const struct view_ops view_tuning_ops = {
    .name = "tuning",
    .keys = tuning_keys,
    .on_enter = tuning_enter,
    .on_leave = tuning_leave,
    .draw = tuning_draw,
    .on_key = tuning_key,
    .title = tuning_title,
};
