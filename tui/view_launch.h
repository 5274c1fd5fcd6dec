/* view_launch.h: what the launch forms' files share (view_launch.c: the form and its fields;
 * view_launch_review.c: drawing, the review view, the submit and its outcome; view_launch_regex.c:
 * the metric regex tester; view_tuning_launch.c: the tuning launch's fields on the same form).
 * Nothing outside these files includes it. UI thread only. */
#ifndef SAGETOP_TUI_VIEW_LAUNCH_H
#define SAGETOP_TUI_VIEW_LAUNCH_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>

#include "launch/estimator.h"
#include "launch/tuning.h"
#include "metrics/metrics.h"
#include "tui/form.h"
#include "tui/views.h"

struct wmsg_launch;

#define MAX_SETS 128
#define MAX_ROWS 192
#define MAX_SEEN 16
#define MAX_PAST 40
#define RT_FIRST 6              /* values shown by the regex tester */
#define RT_LINES_PER_TICK 50000
#define RT_INSTANCES 8

/* The regex tester's run: one metric definition over one job's cached log. */
struct regex_test {
    char key[96];               /* "metric.eval_loss" */
    char job[CACHE_JOB_NAME_MAX];
    struct mset *ms;
    struct cache_log_pos pos;
    bool running, started;
    char inst[RT_INSTANCES][MINSTANCE_MAX];
    struct mextract_state st[RT_INSTANCES];
    size_t n_inst;
    unsigned long long lines, values, unparsed;
    double first[RT_FIRST];
    size_t n_first;
    char text[512];
    bool err;
};

struct row {
    char key[96];
    const char *group;      /* non-NULL: a group heading row */
};

struct launch_state {
    bool relaunch;
    /* a tuning launch (view_tuning_launch.c): from a training job (describe: its document,
     * src_req its request) or, from_tuning, a tuning job (src_doc: its describe document);
     * req is the CreateHyperParameterTuningJob request built from spec */
    bool tuning, from_tuning;
    struct tuning_spec *spec;       /* heap */
    json_t *src_doc;
    char source[CACHE_JOB_NAME_MAX];
    char *describe;
    size_t describe_len;
    char keys[MAX_SETS][96];
    char *vals[MAX_SETS];
    size_t n_sets;
    struct row rows[MAX_ROWS];
    size_t n_rows;
    struct form form;               /* the cursor and scrolling over rows */
    json_t *req, *src_req, *edited;
    struct estimator est;           /* new estimator: the current fields */
    struct estimator_issues issues;
    char build_msg[256];
    char diff[4096];
    size_t n_changed;
    bool review;                    /* its review (view_launch_review_ops) is open on top */
    char editing[96];
    char roles[MAX_SEEN][256], buckets[MAX_SEEN][128];
    size_t n_roles, n_buckets;
    char past[MAX_PAST][CACHE_JOB_NAME_MAX];    /* for the regex tester's job completion */
    size_t n_past;
    /* re-launch of a job not described yet: waiting for the worker */
    bool loading, following;
    bool partial;                   /* loading: the cached document came from Search */
    double loading_since;
    struct regex_test rt;
    /* the submit, running on the worker (worker_launch.c) */
    bool submitting;
    char submit_job[CACHE_JOB_NAME_MAX];
    char result[640];
    bool result_err;
};

/* view_launch.c */
const char *launch_set_get(const struct launch_state *st, const char *key);
void launch_set_put(struct launch_state *st, const char *key, const char *value);
/* The field's value as the form shows it (the estimator's, or the re-launch request's). */
void launch_field_value(const struct launch_state *st, const char *key, char *buf, size_t size);
/* A row: a field (key) or a group heading (group, a static string). */
void launch_add_row(struct launch_state *st, const char *key, const char *group);
/* The selected field's key, or NULL (no rows). */
const char *launch_selected(const struct launch_state *st);
/* form_heading_fn over st->rows. */
bool launch_row_heading(void *st, size_t i);
/* Rebuilds the rows, the request and its issues after a change. */
void launch_rebuild(struct launch_state *st, struct app *a);
/* The source job's describe document into st->describe from the cache, and the form's start;
 * or, not described yet, asked of the worker (st->loading). -1 (flashed): no form. */
int launch_open_source(struct launch_state *st, struct app *a, const char *job);
void launch_state_free(struct launch_state *st);
/* The view_ops members both forms use. */
void launch_view_leave(struct view *v, struct app *a);
int launch_view_key(struct view *v, struct app *a, int key);
int launch_view_tick(struct view *v, struct app *a, bool changed);
/* The navigation keys (form_key(), in launch_view_key()): listed in the tables for the footer
 * and help, they do nothing themselves. */
int launch_act_listed(struct view *v, struct app *a);
/* The first entries of a form's key table: Enter (edit_fn, help edit_help) and the moves. */
#define LAUNCH_FORM_KEYS(edit_help, edit_fn)                                                    \
    { '\n', "Enter", edit_help, edit_fn, KB_FOOTER },                                           \
    { '\r', "Enter", "edit field", edit_fn, KB_HIDDEN },                                        \
    { KEY_ENTER, "Enter", "edit field", edit_fn, KB_HIDDEN },                                   \
    { 'j', "j/k", "move", launch_act_listed, 0 },                                               \
    { 'g', "g/G", "first / last field", launch_act_listed, 0 },                                 \
    { KEY_NPAGE, "PgDn/PgUp", "a page of fields down / up (Home/End: first / last)",           \
      launch_act_listed, 0 }
/* The prompt's answer for the field st->editing. */
int launch_on_field(struct view *v, struct app *a, const char *text);
size_t launch_add_matches(const char *const *cands, size_t n, const char *word,
                          char (*out)[128], size_t max, size_t have);

/* view_launch_review.c */
void launch_draw(struct view *v, struct app *a, const struct rect *r);
int launch_act_review(struct view *v, struct app *a);
int launch_act_edit_json(struct view *v, struct app *a);
int launch_act_submit(struct view *v, struct app *a);
/* The open form (NULL: none) that view_launch_message() reports to. */
void launch_attach(struct launch_state *st);

/* The review of the exact request, pushed over the form by launch_act_review(). */
extern const struct view_ops view_launch_review_ops;

/* view_tuning_launch.c */
/* The start of a tuning form once st->describe holds the source's document. */
int tuning_launch_init(struct launch_state *st, struct app *a);
/* Rows, spec, request and issues after a change. */
void tuning_launch_rebuild(struct launch_state *st, struct app *a);
/* The field's value: what the user set, else the request's (the source's); for_edit leaves out
 * what is not editable text (a static hyperparameter's value). */
void tuning_launch_field_value(const struct launch_state *st, const char *key, bool for_edit,
                               char *buf, size_t size);
/* The issue field of the form's key ("hp.NAME" -> "tune.NAME"). */
const char *tuning_launch_issue_field(const char *key, char *buf, size_t size);
/* The first problem without a row of its own, or NULL. */
const struct estimator_issue *tuning_launch_rowless_issue(const struct launch_state *st);
/* What the worker launches (the spec, the source and its document), into l. */
int tuning_launch_what(const struct launch_state *st, struct wmsg_launch *l);

/* view_launch_regex.c */
int launch_act_test(struct view *v, struct app *a);
/* Runs the regex test on the next lines of the log; the rest on the next tick. */
int launch_regex_step(struct launch_state *st, struct app *a);

#endif
