/* view_launch_review.c: the launch form's drawing, its review of the exact CreateTrainingJob
 * JSON (and the $EDITOR step), and the submit: after a confirmation the form hands what to
 * launch to the worker (a WREQ_LAUNCH message; worker_launch.c runs launch_run() there) and shows
 * each step as it comes back. On success the form closes and the list refreshes; on failure (an
 * AWS ValidationException, say) the message is shown and the form is kept. A form left while
 * its launch runs lets it go on: the outcome comes back as a flash.
 *
 * Owns: the open form's attachment to launch messages. Must not: run the launch itself, start
 * a process or wait for the worker. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "tui/draw.h"
#include "tui/pager.h"
#include "tui/view_launch.h"
#include "tui/worker.h"

/* The open form, the only one that launch messages update (the UI has one form at a time). */
static struct launch_state *attached;

void launch_attach(struct launch_state *st)
{
    attached = st;
}

/* ---- Drawing --------------------------------------------------------------------------------- */

/* The launch's outcome at the bottom, wrapped over up to RESULT_LINES lines (AWS's messages
 * are long and the member they name comes last). */
#define RESULT_LINES 3
static int result_lines(const struct launch_state *st, int w)
{
    size_t len = strlen(st->result);
    int n;

    if (len == 0 || w <= 0)
        return 0;
    n = (int)((len + (size_t)w - 1) / (size_t)w);
    return n < RESULT_LINES ? n : RESULT_LINES;
}

static void draw_result(const struct launch_state *st, const struct rect *r)
{
    int n = result_lines(st, r->w);
    size_t len = strlen(st->result), off = 0;

    for (int i = 0; i < n && off < len; i++) {
        size_t take = len - off < (size_t)r->w ? len - off : (size_t)r->w;

        draw_untrusted(r->y + r->h - n + i, r->x, r->w, st->result + off, take,
                       theme_attr(st->result_err ? TH_ERROR : TH_OK));
        off += take;
    }
}

static void draw_review(struct launch_state *st, const struct rect *r)
{
    char *text = st->req ? json_dumps(st->req, JSON_INDENT(2)) : NULL;
    int y = r->y;
    const char *p = text;
    int line = 0, total = 0, rows = r->h - 1 - (st->result[0] ? result_lines(st, r->w) : 1);

    /* the view's keys move review_top freely (G: to the end); the last page stays full */
    for (const char *q = text; q && *q; q = strchr(q, '\n') ? strchr(q, '\n') + 1 : NULL)
        total++;
    if (st->review_top > total - rows)
        st->review_top = total - rows;
    if (st->review_top < 0)
        st->review_top = 0;
    draw_fmt(y++, r->x, r->w, theme_attr(TH_TITLE),
             "Review: the exact CreateTrainingJob request%s  (s submit, e edit in $EDITOR, "
             "Esc back)", st->edited ? " (edited)" : "");
    while (p && *p && y < r->y + r->h - (st->result[0] ? result_lines(st, r->w) : 1)) {
        const char *nl = strchr(p, '\n');
        size_t len = nl ? (size_t)(nl - p) : strlen(p);

        if (line++ >= st->review_top)
            draw_untrusted(y++, r->x + 1, r->w - 1, p, len, theme_attr(TH_NORMAL));
        p = nl ? nl + 1 : NULL;
    }
    draw_result(st, r);
    free(text);
}

void launch_draw(struct view *v, struct app *a, const struct rect *r)
{
    struct launch_state *st = v->state;
    int y = r->y, list_h, diff_h = 0;
    char val[512];

    if (st->loading) {
        char fs[160], age[32];

        app_follow_state(a, st->source, fs, sizeof(fs));
        snprintf(age, sizeof(age), "%.0f s", app_now(a) - st->loading_since);
        draw_fmt(y++, r->x, r->w, theme_attr(TH_TITLE), "Re-launch of %s", st->source);
        draw_fmt(++y, r->x + 2, r->w - 2, theme_attr(TH_DIM),
                 "loading… %s is not described in the cache yet: asked the worker %s ago (%s)",
                 st->source, age, fs);
        draw_fmt(y + 2, r->x + 2, r->w - 2, theme_attr(TH_DIM),
                 "the form opens when it arrives; q or Esc goes back");
        return;
    }
    if (st->review) {
        draw_review(st, r);
        return;
    }
    draw_fmt(y++, r->x, r->w, theme_attr(TH_TITLE), "%s%s%s   %s",
             st->relaunch ? "Re-launch of " : "New Hugging Face estimator",
             st->relaunch ? st->source : "", st->edited ? " (edited JSON)" : "",
             st->submitting ? "submitting…" : st->issues.n ? "" : "ready: v review, s submit");
    if (st->relaunch)
        diff_h = (int)(st->n_changed < 8 ? st->n_changed : 8) + 1;
    list_h = r->h - 2 - diff_h - result_lines(st, r->w) - (st->rt.text[0] ? 1 : 0);
    if (list_h < 3)
        list_h = 3;
    if (st->cur < st->top)
        st->top = st->cur;
    if (st->cur >= st->top + (size_t)list_h)
        st->top = st->cur - (size_t)list_h + 1;
    for (size_t i = st->top; i < st->n_rows && y < r->y + 1 + list_h; i++, y++) {
        const struct row *row = &st->rows[i];
        const struct estimator_issue *is;
        bool sel = i == st->cur;
        attr_t at = theme_attr(sel ? TH_SELECTED : TH_NORMAL);
        int x = r->x;

        if (row->group) {
            draw_str(y, r->x, r->w, row->group, theme_attr(TH_TITLE));
            continue;
        }
        launch_field_value(st, row->key, val, sizeof(val));
        if (sel)
            draw_fill(y, r->x, r->w, at);
        x += draw_fmt(y, x, 26, at, "  %-23.23s ", row->key);
        x += draw_untrusted(y, x, r->w / 2 - 26 > 10 ? r->w / 2 - 26 : 10, val, strlen(val), at);
        is = estimator_issue_find(&st->issues, row->key);
        if (is) {
            int mx = r->x + (r->w / 2 > x - r->x + 1 ? r->w / 2 : x - r->x + 1);

            draw_fmt(y, mx, r->x + r->w - mx, theme_attr(TH_ERROR), "%s %s",
                     draw_sym(SYM_ARROW), is->msg);
        }
    }
    /* problems on fields without a row (region, inputs, ...) */
    y = r->y + 1 + list_h;
    if (st->build_msg[0] || (st->issues.n && estimator_issue_find(&st->issues, "region"))) {
        draw_str(y - 1, r->x, r->w, st->build_msg[0] ? st->build_msg :
                 estimator_issue_find(&st->issues, "region")->msg, theme_attr(TH_ERROR));
    }
    draw_fmt(y++, r->x, r->w, theme_attr(st->issues.n ? TH_ERROR : TH_DIM), "%zu problem%s",
             st->issues.n, st->issues.n == 1 ? "" : "s");
    if (diff_h) {
        const char *p = st->diff;

        draw_fmt(y++, r->x, r->w, theme_attr(TH_TITLE), "Changes against %s (%zu)", st->source,
                 st->n_changed);
        for (int i = 0; i < diff_h - 1 && p && *p; i++) {
            const char *nl = strchr(p, '\n');

            draw_untrusted(y++, r->x + 2, r->w - 2, p, nl ? (size_t)(nl - p) : strlen(p),
                           theme_attr(TH_WARN));
            p = nl ? nl + 1 : NULL;
        }
    }
    if (st->rt.text[0])
        draw_untrusted(r->y + r->h - 1 - result_lines(st, r->w), r->x, r->w, st->rt.text,
                       strlen(st->rt.text), theme_attr(st->rt.err ? TH_ERROR : TH_OK));
    draw_result(st, r);
}

int launch_act_review(struct view *v, struct app *a)
{
    struct launch_state *st = v->state;

    if (st->loading)
        return R_NONE;
    if (st->issues.n > 0 || st->req == NULL) {
        app_flash(a, true, "fix the %zu problem%s first (%s: %s)", st->issues.n,
                  st->issues.n == 1 ? "" : "s", st->issues.n ? st->issues.v[0].field : "",
                  st->issues.n ? st->issues.v[0].msg : st->build_msg);
        return R_REDRAW;
    }
    /* pin the generated name so that what is reviewed is what is sent */
    if (!st->relaunch && launch_set_get(st, "name") == NULL) {
        launch_set_put(st, "name", json_string_value(json_object_get(st->req, "TrainingJobName")));
        launch_rebuild(st, a);
    }
    st->review = !st->review;
    st->review_top = 0;
    return R_REDRAW;
}

int launch_act_edit_json(struct view *v, struct app *a)
{
    struct launch_state *st = v->state;
    char path[] = "/tmp/sagetop-request-XXXXXX.json", buf[1024], *argv[PAGER_ARGV_MAX];
    const char *editor = getenv("VISUAL") && getenv("VISUAL")[0] ? getenv("VISUAL")
                                                                 : getenv("EDITOR");
    json_error_t je;
    json_t *edited;
    int fd;

    if (st->loading)
        return R_NONE;
    if (st->req == NULL) {
        app_flash(a, true, "no request yet: fix the problems first");
        return R_REDRAW;
    }
    if (!st->relaunch && launch_set_get(st, "name") == NULL)
        launch_set_put(st, "name", json_string_value(json_object_get(st->req, "TrainingJobName")));
    fd = mkstemps(path, 5);     /* mode 0600 */
    if (fd < 0 || json_dumpfd(st->req, fd, JSON_INDENT(2)) != 0) {
        if (fd >= 0) {
            close(fd);
            unlink(path);
        }
        app_flash(a, true, "cannot write a temporary file for the editor");
        return R_REDRAW;
    }
    close(fd);
    if (pager_argv(editor && editor[0] ? editor : "vi", path, 0, buf, sizeof(buf), argv) == 0) {
        unlink(path);
        app_flash(a, true, "$EDITOR is too long");
        return R_REDRAW;
    }
    if (app_run_argv(a, argv) < 0) {
        unlink(path);
        return R_REDRAW;
    }
    edited = json_load_file(path, 0, &je);
    unlink(path);
    if (!json_is_object(edited)) {
        app_flash(a, true, "edited request not used: %s (line %d)", edited ? "not an object"
                                                                            : je.text, je.line);
        json_decref(edited);
        return R_REDRAW;
    }
    json_decref(st->edited);
    st->edited = edited;
    launch_rebuild(st, a);
    return R_REDRAW;
}

/* ---- Submitting ------------------------------------------------------------------------------ */

/* What the worker launches: the re-launch's request as shown (changes and name applied, or as
 * edited), or the new estimator from the form's fields (with the edited request, if any). */
static int launch_what(const struct launch_state *st, struct wmsg_launch *l)
{
    struct err e = { 0 };

    if (st->relaunch)
        return (l->request = json_deep_copy(st->req)) ? 0 : ERR_NOMEM;
    if ((l->est = calloc(1, sizeof(*l->est))) == NULL)
        return ERR_NOMEM;
    estimator_init(l->est);
    for (size_t i = 0; i < st->n_sets; i++)
        if (st->vals[i][0] && estimator_set(l->est, st->keys[i], st->vals[i], &e) != 0)
            return e.code;
    if (st->edited && (l->request = json_deep_copy(st->edited)) == NULL)
        return ERR_NOMEM;
    return 0;
}

static int do_submit(struct view *v, struct app *a)
{
    struct launch_state *st = v->state;
    const char *name = json_string_value(json_object_get(st->req, "TrainingJobName"));
    struct wmsg *m;

    if (st->submitting || name == NULL)
        return R_NONE;
    m = wmsg_new(WREQ_LAUNCH, name);
    if (m == NULL || launch_what(st, &m->u.launch) != 0) {
        wmsg_free(m);
        app_flash(a, true, "cannot start the launch: out of memory");
        return R_REDRAW;
    }
    app_request_launch(a, m);
    st->submitting = true;
    snprintf(st->submit_job, sizeof(st->submit_job), "%s", name);
    snprintf(st->result, sizeof(st->result), "submitting %s…", name);
    st->result_err = false;
    return R_REDRAW;
}

int launch_act_submit(struct view *v, struct app *a)
{
    struct launch_state *st = v->state;
    char q[160];

    if (st->submitting || st->loading)
        return R_NONE;
    if (st->issues.n > 0 || st->req == NULL)
        return launch_act_review(v, a);    /* says what to fix */
    if (!st->relaunch && launch_set_get(st, "name") == NULL) {
        launch_set_put(st, "name", json_string_value(json_object_get(st->req, "TrainingJobName")));
        launch_rebuild(st, a);
    }
    snprintf(q, sizeof(q), "create training job %s?",
             json_string_value(json_object_get(st->req, "TrainingJobName")));
    app_confirm(a, q, do_submit);
    return R_REDRAW;
}

void view_launch_message(struct app *a, const struct wmsg *m)
{
    const struct wmsg_launch_progress *p = &m->u.progress;
    struct launch_state *st = attached;
    bool mine = st && st->submitting && strcmp(st->submit_job, m->job) == 0;

    if (!p->done) {
        if (mine)
            snprintf(st->result, sizeof(st->result), "submitting %s: %s…", m->job, p->text);
        return;
    }
    if (mine)
        st->submitting = false;
    if (p->code == 0) {
        app_flash(a, false, "%s", p->text);
        app_request_refresh(a);
        if (mine)
            app_pop(a);
    } else if (mine) {
        snprintf(st->result, sizeof(st->result), "launch failed: %s", p->text);
        st->result_err = true;
    } else {
        app_flash(a, true, "the launch of %s failed: %s", m->job, p->text);
    }
}
