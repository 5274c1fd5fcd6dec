/* view_launch_review.c: the launch form's drawing (through tui/form.c), its review of the exact
 * CreateTrainingJob JSON (CreateHyperParameterTuningJob for the tuning form) (a view of its own, view_launch_review_ops, on the list widget: long
 * lines cut in the middle, `|` for the whole request in $PAGER), the $EDITOR step (argv, no
 * shell: tui/pager.h), and the submit: after a confirmation the form hands what to
 * launch to the worker (a WREQ_LAUNCH message; worker_launch.c runs launch_run() there) and shows
 * each step as it comes back. On success the form closes and the list refreshes; on failure (an
 * AWS ValidationException, say) the message is shown and the form is kept. A form left while
 * its launch runs lets it go on: the outcome comes back as a flash.
 *
 * Owns: the open form's attachment to launch messages, the review's text. Must not: run the
 * launch itself, start a process other than $EDITOR / $PAGER, or wait for the worker. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "aws/dynbuf.h"
#include "tui/draw.h"
#include "tui/list.h"
#include "tui/pager.h"
#include "tui/sanitize.h"
#include "tui/view_launch.h"
#include "tui/worker.h"

/* The open form, the only one that launch messages update (the UI has one form at a time). */
static struct launch_state *attached;

void launch_attach(struct launch_state *st)
{
    attached = st;
}

/* The request's job name (a training job's or a tuning job's), or NULL. */
static const char *launch_request_name(const struct launch_state *st)
{
    return json_string_value(json_object_get(st->req, st->tuning ? "HyperParameterTuningJobName"
                                                                 : "TrainingJobName"));
}

/* The problem shown on field key's row. */
static const struct estimator_issue *row_issue(const struct launch_state *st, const char *key)
{
    char field[96];

    return estimator_issue_find(&st->issues, st->tuning ? tuning_launch_issue_field(
                                                              key, field, sizeof(field))
                                                        : key);
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

/* Row i of the form: a group heading, or a field with its value and its problem. */
static void form_row(void *ctx, size_t i, struct form_row *fr, char *buf, size_t size)
{
    const struct launch_state *st = ctx;
    const struct row *row = &st->rows[i];
    const struct estimator_issue *is;

    memset(fr, 0, sizeof(*fr));
    fr->heading = row->group != NULL;
    fr->label = row->group ? row->group : row->key;
    if (row->group)
        return;
    launch_field_value(st, row->key, buf, size);
    fr->value = buf;
    is = row_issue(st, row->key);
    fr->message = is ? is->msg : NULL;
}

void launch_draw(struct view *v, struct app *a, const struct rect *r)
{
    struct launch_state *st = v->state;
    int y = r->y, list_h, diff_h = 0, msg_h = 0;
    const struct estimator_issue *sel_is, *rowless;

    if (st->loading) {
        char fs[160], age[32];

        app_follow_state(a, st->source, fs, sizeof(fs));
        snprintf(age, sizeof(age), "%.0f s", app_now(a) - st->loading_since);
        draw_fmt(y++, r->x, r->w, theme_attr(TH_TITLE), "%s of %s",
                 st->tuning ? "Tuning launch" : "Re-launch", st->source);
        draw_fmt(++y, r->x + 2, r->w - 2, theme_attr(TH_DIM),
                 st->partial ? "loading the full description… of %s (the cached one came from "
                               "Search): asked the worker %s ago (%s)"
                             : "loading… %s is not described in the cache yet: asked the worker "
                               "%s ago (%s)", st->source, age, fs);
        draw_fmt(y + 2, r->x + 2, r->w - 2, theme_attr(TH_DIM),
                 "the form opens when it arrives; q or Esc goes back");
        return;
    }
    draw_fmt(y++, r->x, r->w, theme_attr(TH_TITLE), "%s%s%s   %s",
             st->tuning ? "Tuning launch from " : st->relaunch ? "Re-launch of "
                                                                : "New Hugging Face estimator",
             st->relaunch || st->tuning ? st->source : "", st->edited ? " (edited JSON)" : "",
             st->submitting ? "submitting…" : st->issues.n ? "" : "ready: v review, s submit");
    if (st->relaunch)
        diff_h = (int)(st->n_changed < 8 ? st->n_changed : 8) + 1;
    /* the selected field's problem in full under the count, when it does not fit beside it */
    sel_is = launch_selected(st) ? row_issue(st, launch_selected(st)) : NULL;
    msg_h = form_message_rows(sel_is ? sel_is->msg : NULL, r->w);
    list_h = r->h - 2 - diff_h - msg_h - result_lines(st, r->w) - (st->rt.text[0] ? 1 : 0);
    if (list_h < 3)
        list_h = 3;
    form_draw(&st->form, &(struct rect){ .y = y, .x = r->x, .h = list_h, .w = r->w }, form_row,
              st);
    /* problems on fields without a row (region, inputs, ...) */
    y = r->y + 1 + list_h;
    rowless = st->tuning ? tuning_launch_rowless_issue(st)
                         : estimator_issue_find(&st->issues, "region");
    if (st->build_msg[0] || rowless)
        draw_str(y - 1, r->x, r->w, st->build_msg[0] ? st->build_msg : rowless->msg,
                 theme_attr(TH_ERROR));
    draw_fmt(y++, r->x, r->w, theme_attr(st->issues.n ? TH_ERROR : TH_DIM), "%zu problem%s",
             st->issues.n, st->issues.n == 1 ? "" : "s");
    form_draw_message(y, r->x, r->w, msg_h, sel_is ? sel_is->msg : NULL);
    y += msg_h;
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

/* Review and submit refuse while the form has problems, naming the first. */
static int refuse(const struct launch_state *st, struct app *a)
{
    app_flash(a, true, "fix the %zu problem%s first (%s: %s)", st->issues.n,
              st->issues.n == 1 ? "" : "s", st->issues.n ? st->issues.v[0].field : "",
              st->issues.n ? st->issues.v[0].msg : st->build_msg);
    return R_REDRAW;
}

int launch_act_review(struct view *v, struct app *a)
{
    struct launch_state *st = v->state;

    if (st->loading)
        return R_NONE;
    if (st->issues.n > 0 || st->req == NULL) {
        return refuse(st, a);
    }
    /* pin the generated name so that what is reviewed is what is sent */
    if (!st->relaunch && launch_set_get(st, "name") == NULL) {
        launch_set_put(st, "name", launch_request_name(st));
        launch_rebuild(st, a);
    }
    app_push(a, &view_launch_review_ops, v->job, NULL, 0);
    return R_REDRAW;
}

static int edit_json(struct launch_state *st, struct app *a)
{
    char path[] = "/tmp/sagetop-request-XXXXXX.json", buf[1024], *argv[PAGER_ARGV_MAX];
    const char *editor = getenv("VISUAL") && getenv("VISUAL")[0] ? getenv("VISUAL")
                                                                 : getenv("EDITOR");
    json_error_t je;
    json_t *edited;
    int fd;

    if (st->loading)
        return R_NONE;
    if (st->tuning) {
        app_flash(a, true, "the tuning request is built from the form's fields: change those");
        return R_REDRAW;
    }
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
    if (pager_run(a, argv) < 0) {
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

int launch_act_edit_json(struct view *v, struct app *a)
{
    return edit_json(v->state, a);
}

/* ---- Submitting ------------------------------------------------------------------------------ */

/* What the worker launches: the re-launch's request as shown (changes and name applied, or as
 * edited), or the new estimator from the form's fields (with the edited request, if any). */
static int launch_what(const struct launch_state *st, struct wmsg_launch *l)
{
    struct err e = { 0 };

    if (st->tuning)
        return tuning_launch_what(st, l);
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

/* The confirmation's yes: from the form or its review (the form below), so the open form. */
static int do_submit(struct view *v, struct app *a)
{
    struct launch_state *st = attached;
    const char *name = st ? launch_request_name(st) : NULL;
    struct wmsg *m;

    (void)v;
    if (st == NULL || st->submitting || name == NULL)
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

static int submit(struct launch_state *st, struct app *a)
{
    char q[160];

    if (st->submitting || st->loading)
        return R_NONE;
    if (st->issues.n > 0 || st->req == NULL) {
        return refuse(st, a);
    }
    if (!st->relaunch && launch_set_get(st, "name") == NULL) {
        launch_set_put(st, "name", launch_request_name(st));
        launch_rebuild(st, a);
    }
    snprintf(q, sizeof(q), "create %s job %s?", st->tuning ? "tuning" : "training",
             launch_request_name(st));
    app_confirm(a, q, do_submit);
    return R_REDRAW;
}

int launch_act_submit(struct view *v, struct app *a)
{
    return submit(v->state, a);
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
        if (mine && st->review)
            app_pop(a);         /* the review, then the form */
        if (mine)
            app_pop(a);
    } else if (mine) {
        snprintf(st->result, sizeof(st->result), "launch failed: %s", p->text);
        st->result_err = true;
    } else {
        app_flash(a, true, "the launch of %s failed: %s", m->job, p->text);
    }
}

/* ---- The review: the exact request, a view of its own ----------------------------------------- */

/* The request as JSON lines on the list widget (scrolling, no cursor). A line wider than the
 * screen is cut in the middle with a marker ("…"), so both the key and the value's end show;
 * `|` shows the whole request in $PAGER. */
struct review {
    struct launch_state *st;
    char *text;                 /* json_dumps() of the request */
    size_t *line_at;            /* offset of each line */
    size_t n;
    struct list l;
    bool cut;                   /* a line on screen was cut */
};

static void review_load(struct review *rv)
{
    size_t cap = 0;

    free(rv->text);
    free(rv->line_at);
    rv->line_at = NULL;
    rv->n = 0;
    rv->text = rv->st->req ? json_dumps(rv->st->req, JSON_INDENT(2)) : NULL;
    for (const char *p = rv->text; p && *p;) {
        const char *nl = strchr(p, '\n');

        if (vec_grow((void **)&rv->line_at, &cap, rv->n + 1, sizeof(*rv->line_at)) != 0)
            break;
        rv->line_at[rv->n++] = (size_t)(p - rv->text);
        p = nl ? nl + 1 : p + strlen(p);
    }
}

static void review_line(const struct review *rv, size_t i, const char **s, size_t *len)
{
    const char *p = rv->text + rv->line_at[i], *nl = strchr(p, '\n');

    *s = p;
    *len = nl ? (size_t)(nl - p) : strlen(p);
}

static int review_enter(struct view *v, struct app *a)
{
    struct review *rv = calloc(1, sizeof(*rv));

    (void)a;
    if (rv == NULL || attached == NULL) {
        free(rv);
        return -1;
    }
    rv->st = attached;
    rv->st->review = true;
    review_load(rv);
    v->state = rv;
    return 0;
}

static void review_leave(struct view *v, struct app *a)
{
    struct review *rv = v->state;

    (void)a;
    if (rv == NULL)
        return;
    if (attached == rv->st)
        rv->st->review = false;
    free(rv->text);
    free(rv->line_at);
    free(rv);
    v->state = NULL;
}

static void review_draw(struct view *v, struct app *a, const struct rect *r)
{
    struct review *rv = v->state;
    struct launch_state *st = rv->st;
    int res = result_lines(st, r->w), rows = r->h - 1 - (res ? res : 1), y = r->y + 1;
    char clean[4096], cut[4096];

    (void)a;
    if (rows < 1)
        rows = 1;
    list_resize(&rv->l, rv->n, rows);
    draw_fmt(r->y, r->x, r->w, theme_attr(TH_TITLE),
             "Review: the exact %s request%s   lines %zu-%zu of %zu",
             st->tuning ? "CreateHyperParameterTuningJob" : "CreateTrainingJob",
             st->edited ? " (edited)" : "", rv->n ? rv->l.top + 1 : 0,
             rv->l.top + (size_t)rows < rv->n ? rv->l.top + (size_t)rows : rv->n, rv->n);
    rv->cut = false;
    for (size_t i = rv->l.top; i < rv->n && y < r->y + 1 + rows; i++, y++) {
        const char *s;
        size_t len, k;

        review_line(rv, i, &s, &len);
        k = sanitize_text(s, len, clean, sizeof(clean), 0);
        if (list_ellipsize_middle(clean, k, r->w - 2, draw_sym(SYM_ELLIPSIS), cut, sizeof(cut))) {
            rv->cut = true;
            draw_str(y, r->x + 1, r->w - 2, cut, theme_attr(TH_NORMAL));
        } else {
            draw_str(y, r->x + 1, r->w - 2, clean, theme_attr(TH_NORMAL));
        }
    }
    if (res == 0 && rv->cut)
        draw_fmt(r->y + r->h - 1, r->x, r->w, theme_attr(TH_DIM),
                 "%s: a value too wide, cut in the middle; | shows the whole request in $PAGER",
                 draw_sym(SYM_ELLIPSIS));
    draw_result(st, r);
}

static int review_key(struct view *v, struct app *a, int key)
{
    struct review *rv = v->state;

    if (key == KEY_ESCAPE) {
        app_pop(a);
        return R_REDRAW;
    }
    return list_key(&rv->l, key, LIST_KEYS_HJKL | LIST_KEYS_G) >= 0 ? R_REDRAW : R_UNHANDLED;
}

/* A tick runs the frame's navigation: the pops a finished launch asks for happen then. */
static int review_tick(struct view *v, struct app *a, bool changed)
{
    struct review *rv = v->state;

    (void)a;
    (void)changed;
    return rv && rv->st->submitting ? R_REDRAW : R_NONE;
}

static int review_submit(struct view *v, struct app *a)
{
    return submit(((struct review *)v->state)->st, a);
}

static int review_edit(struct view *v, struct app *a)
{
    struct review *rv = v->state;
    int rc = edit_json(rv->st, a);

    review_load(rv);
    return rc;
}

static int review_pager(struct view *v, struct app *a)
{
    struct review *rv = v->state;
    struct pager pg;
    struct err e = { 0 };

    if (pager_open(&pg, &e) != 0) {
        app_flash(a, true, "%s", e.msg);
        return R_REDRAW;
    }
    for (size_t i = 0; i < rv->n; i++) {
        const char *s;
        size_t len;

        review_line(rv, i, &s, &len);
        pager_line(&pg, s, len);
    }
    pager_show(a, &pg, (long)rv->l.top + 1);
    return R_REDRAW;
}

/* j/k, g/G, PgUp/PgDn, Home/End run in review_key (the list widget); listed for the footer and
 * help */
static int review_listed(struct view *v, struct app *a)
{
    (void)v;
    (void)a;
    return R_NONE;
}

static const struct key_binding review_keys[] = {
    { 'j', "j/k", "scroll", review_listed, KB_FOOTER },
    { 'g', "g/G", "top / end", review_listed, KB_FOOTER },
    { KEY_NPAGE, "PgDn/PgUp", "page down / up", review_listed, 0 },
    { 's', "s", "submit", review_submit, KB_FOOTER | KB_MUTATING },
    { 'e', "e", "edit in $EDITOR", review_edit, KB_FOOTER },
    { '|', "|", "whole request in $PAGER", review_pager, KB_FOOTER },
    { KEY_ESCAPE, "Esc", "back to the form", review_listed, 0 },
    { 0 },
};

const struct view_ops view_launch_review_ops = {
    .name = "review",
    .keys = review_keys,
    .on_enter = review_enter,
    .on_leave = review_leave,
    .draw = review_draw,
    .on_key = review_key,
    .on_tick = review_tick,
};
