/* view_alerts.c: the alerts list (`!` anywhere): every alert that fired in this account and
 * region, newest first (cache/alerts.h: the alerts table, written by the TUI's worker and by
 * `sagetop watch`): when, which job, which rule, the message. Enter opens the job's detail.
 * Opening it marks the alerts seen (the header stops showing the newest).
 *
 * Reads the cache only, again when it changes. Must not fire, store or deliver alerts. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "cache/alerts.h"
#include "tui/draw.h"
#include "tui/keys.h"
#include "tui/list.h"
#include "tui/sanitize.h"
#include "tui/views.h"

#define ALERTS_SHOWN 1000       /* the newest; the table keeps every one */
#define TIME_W 16               /* "12-07 03:12:44  " */
#define RULE_W 11

struct alerts_state {
    struct cache_alert_list l;
    struct list list;
    char error[256];
};

static struct alerts_state *S(struct view *v)
{
    return v->state;
}

static void reload(struct alerts_state *s, struct app *a)
{
    struct err e = {0};

    cache_alert_list_clean(&s->l);
    s->error[0] = '\0';
    if (cache_alerts_list(app_cache(a), ALERTS_SHOWN, &s->l, &e) != 0)
        str_copy(s->error, sizeof(s->error), e.msg);
}

static void alerts_draw(struct view *v, struct app *a, const struct rect *r)
{
    struct alerts_state *s = S(v);
    int job_w = r->w / 4 > 20 ? r->w / 4 : 20;
    attr_t t = theme_attr(TH_TITLE);

    if (v->stale) {
        reload(s, a);
        v->stale = false;
    }
    app_alerts_seen(a);
    for (int k = 0; k < r->h; k++)
        draw_fill(r->y + k, r->x, r->w, theme_attr(TH_NORMAL));
    if (s->error[0] != '\0' || s->l.n == 0) {
        draw_str(r->y + 1, r->x + 2, r->w - 4,
                 s->error[0] ? s->error : "no alert has fired (rules: docs/alerts.md)",
                 theme_attr(s->error[0] ? TH_ERROR : TH_DIM));
        return;
    }
    draw_str(r->y, r->x, TIME_W, "FIRED", t);
    draw_str(r->y, r->x + TIME_W, job_w, "JOB", t);
    draw_str(r->y, r->x + TIME_W + job_w + 1, RULE_W, "RULE", t);
    draw_str(r->y, r->x + TIME_W + job_w + 1 + RULE_W, r->w - TIME_W - job_w - 1 - RULE_W,
             "MESSAGE", t);
    s->list.cursor = true;
    list_resize(&s->list, s->l.n, r->h - 1);
    for (size_t i = s->list.top; i < s->l.n && (int)(i - s->list.top) < r->h - 1; i++) {
        const struct cache_alert *al = &s->l.items[i];
        int y = r->y + 1 + (int)(i - s->list.top), x = r->x;
        attr_t at = i == s->list.cur ? theme_attr(TH_SELECTED) : theme_attr(TH_NORMAL);
        time_t ft = (time_t)al->fired_at;
        struct tm tm;
        char when[32] = "";

        if (localtime_r(&ft, &tm) != NULL)
            strftime(when, sizeof(when), "%m-%d %H:%M:%S", &tm);
        draw_fill(y, x, r->w, at);
        x += TIME_W;
        draw_str(y, r->x, TIME_W, when, at | theme_attr(TH_DIM));
        draw_untrusted(y, x, job_w, al->job, strlen(al->job), at);
        x += job_w + 1;
        draw_str(y, x, RULE_W, al->rule,
                 strcmp(al->rule, "ended") == 0 ? at : at | theme_attr(TH_WARN));
        x += RULE_W;
        draw_untrusted(y, x, r->w - (x - r->x), al->message, strlen(al->message), at);
    }
}

static int act_nav(struct view *v, struct app *a)
{
    return list_key(&S(v)->list, app_key(a), LIST_KEYS_HJKL | LIST_KEYS_G) >= 0 ? R_REDRAW
                                                                               : R_UNHANDLED;
}

static int act_open(struct view *v, struct app *a)
{
    struct alerts_state *s = S(v);

    if (s->list.cur < s->l.n)
        app_push(a, &view_detail_ops, s->l.items[s->list.cur].job, NULL, 0);
    return R_REDRAW;
}

static const struct key_binding alerts_keys[] = {
    {'\n', "Enter", "detail of the alert's job", act_open, KB_FOOTER},
    {KEY_ENTER, "Enter", "detail", act_open, KB_HIDDEN},
    {'\r', "Enter", "detail", act_open, KB_HIDDEN},
    KEYS_LIST_NAV(act_nav, "next alert", "previous alert", "newest", "oldest"),
    {0, NULL, NULL, NULL, 0},
};

static int alerts_enter(struct view *v, struct app *a)
{
    (void)a;
    v->state = calloc(1, sizeof(struct alerts_state));
    return v->state != NULL ? 0 : -1;
}

static void alerts_leave(struct view *v, struct app *a)
{
    struct alerts_state *s = S(v);

    (void)a;
    if (s == NULL)
        return;
    cache_alert_list_clean(&s->l);
    free(s);
    v->state = NULL;
}

static void alerts_title(struct view *v, struct app *a, char *buf, size_t size)
{
    (void)a;
    snprintf(buf, size, "alerts (%zu)", S(v)->l.n);
}

const struct view_ops view_alerts_ops = {
    .name = "alerts",
    .keys = alerts_keys,
    .on_enter = alerts_enter,
    .on_leave = alerts_leave,
    .draw = alerts_draw,
    .title = alerts_title,
};
