/* view.h: the contract between the frame (app.c) and a screen (view_*.c).
 *
 * A view is a const vtable plus a per-instance state pointer. The frame owns the terminal, the
 * view stack, the header (profile, account, region, sync state), the footer (the view's keys
 * marked KB_FOOTER), the help overlay (`?`: every key of the view's table plus the global keys),
 * the `:` command line and the prompts. A view draws its body into the rectangle it is given,
 * and answers keys through actions that change state and return R_* flags; actions never draw.
 *
 * Threads: everything here runs on the UI thread. Views read the cache through app_cache()
 * (the UI's read-only connection) and ask the worker for network work with app_request_*().
 *
 * Writing a new view (e.g. view_compare.c):
 *     static const struct key_binding compare_keys[] = {
 *         { 'a', "a", "all rows", act_all, KB_FOOTER },
 *         { 0 }
 *     };
 *     const struct view_ops view_compare_ops = {
 *         .name = "compare", .keys = compare_keys,
 *         .on_enter = compare_enter, .on_leave = compare_leave,
 *         .draw = compare_draw, .on_key = NULL,      // NULL: the key table alone
 *     };
 * on_enter allocates v->state from v->job / v->jobs; on_leave frees it. Keys the view does not
 * handle (return R_UNHANDLED) fall through to the global keys (q/Esc back, ? help, : command). */
#ifndef SAGETOP_TUI_VIEW_H
#define SAGETOP_TUI_VIEW_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "cache/cache.h"

/* Action results; combine with |. */
enum {
    R_NONE = 0,
    R_REDRAW = 1 << 0,      /* something visible changed: redraw at the end of the turn */
    R_REFRESH = 1 << 1,     /* ask the worker to sync now (and redraw) */
    R_QUIT = 1 << 2,        /* leave the program */
    R_UNHANDLED = 1 << 3,   /* on_key: not mine, try the global keys */
};

/* Special keys beyond curses' KEY_*: Ctrl-X is (X & 0x1f), Esc is 27. */
enum { KEY_ESCAPE = 27, KEY_CTRL_L = 12, KEY_CTRL_C = 3 };

struct app;
struct view;

typedef int (*action_fn)(struct view *v, struct app *a);

/* One line of a key → action table. A table ends with a zeroed entry. */
enum {
    KB_FOOTER = 1 << 0,     /* show in the footer */
    KB_MUTATING = 1 << 1,   /* launch, stop: hidden and refused with --read-only */
    KB_HIDDEN = 1 << 2,     /* an alias: not listed in the help */
};
struct key_binding {
    int key;                /* curses key code or character */
    const char *label;      /* "Enter", "space", "g/G"; how the help shows it */
    const char *help;       /* what it does, for the footer and the help overlay */
    action_fn fn;
    unsigned flags;
};

/* The body rectangle a view draws into (stdscr coordinates). */
struct rect {
    int y, x, h, w;
};

struct view_ops {
    const char *name;                        /* "jobs", "detail", "logs", "compare", ... */
    const struct key_binding *keys;
    int (*on_enter)(struct view *v, struct app *a);     /* 0 ok; <0 the view is not pushed */
    void (*on_leave)(struct view *v, struct app *a);    /* free v->state */
    void (*draw)(struct view *v, struct app *a, const struct rect *r);
    /* Optional: keys before the table (e.g. counts, text modes). R_UNHANDLED passes on. */
    int (*on_key)(struct view *v, struct app *a, int key);
    /* Optional: called each tick and when the cache changed (changed = true); R_REDRAW when
     * the view wants to be redrawn (live data, ageing labels). Without it the frame sets
     * v->stale and redraws when the cache changed. */
    int (*on_tick)(struct view *v, struct app *a, bool changed);
    /* Optional: a `:` command the frame does not know (argv[0] is the command). Returns R_*
     * flags, or R_UNHANDLED when the view does not know it either. */
    int (*on_command)(struct view *v, struct app *a, int argc, char **argv);
    /* Optional: Tab completion of a `:` command's arguments for a view with commands of its
     * own (line: the text before the cursor, word: the word under it): fills out[0..max) and
     * returns how many. Without it the job list's (its columns and statuses), as its list
     * commands act from any view. */
    size_t (*complete)(struct view *v, struct app *a, const char *line, const char *word,
                       char (*out)[128], size_t max);
    /* Optional: the title shown in the header's second line ("logs: job-name"). Without it:
     * "NAME: N jobs" on marked jobs, "NAME: JOB" on a job, else the name. */
    void (*title)(struct view *v, struct app *a, char *buf, size_t size);
    /* The frame follows the view's job(s) while it is open: app_request_job() for v->job or
     * each of v->jobs after on_enter succeeds, app_request_unfollow() before on_leave. */
    bool follows_jobs;
};

#define VIEW_MAX_JOBS 16

/* A pushed view. job / jobs are what the view was opened on (copies, owned by the frame).
 * stale: true when the view is pushed and (for views without on_tick) whenever the cache
 * changed; the view re-reads what it shows and clears it. */
struct view {
    const struct view_ops *ops;
    void *state;
    char job[CACHE_JOB_NAME_MAX];
    char jobs[VIEW_MAX_JOBS][CACHE_JOB_NAME_MAX];
    size_t n_jobs;
    bool stale;
};

/* ---- What views may ask of the frame ---------------------------------------------------- */

/* The UI's read-only cache connection (scoped to the current account and region). */
struct cache *app_cache(struct app *a);
bool app_read_only(const struct app *a);
bool app_utf8(const struct app *a);          /* false: draw ASCII only */
/* Wall clock in epoch seconds, as the frame saw it at the start of this turn. */
double app_now(const struct app *a);

/* The key the current action was bound to (one action may serve several keys). */
int app_key(const struct app *a);

/* Opens a view on top of the current one (after the current action returns). job may be NULL;
 * jobs/n_jobs the marked jobs (n_jobs <= VIEW_MAX_JOBS). */
void app_push(struct app *a, const struct view_ops *ops, const char *job,
              const char (*jobs)[CACHE_JOB_NAME_MAX], size_t n_jobs);
/* Closes the current view (the jobs view, the bottom, is never closed: q quits there). */
void app_pop(struct app *a);

/* One line of feedback in the footer for a few seconds ("saved to x.log", errors). */
void app_flash(struct app *a, bool error, const char *fmt, ...) __attribute__((format(printf, 3, 4)));

/* The prompt line. on_submit gets the text on Enter (not on Esc). complete may be NULL;
 * it fills up to max candidates for the word being typed and returns how many. history is a
 * name ("filter", "search", "cmd"): each name keeps its own history for the session. */
typedef int (*prompt_submit_fn)(struct view *v, struct app *a, const char *text);
typedef size_t (*prompt_complete_fn)(struct view *v, struct app *a, const char *line,
                                     const char *word, char (*out)[128], size_t max);
void app_prompt(struct app *a, const char *label, const char *initial, const char *history,
                prompt_submit_fn on_submit, prompt_complete_fn complete);
/* A yes/no question; on_yes runs on 'y'. */
void app_confirm(struct app *a, const char *question, action_fn on_yes);

/* Requests to the worker (non-blocking; the screen updates when it reports). */
void app_request_refresh(struct app *a);                 /* sync the job list now */
void app_request_job(struct app *a, const char *job);    /* describe now, follow its logs */
void app_request_unfollow(struct app *a, const char *job);
void app_request_stop(struct app *a, const char *job);   /* StopTrainingJob (not read-only) */
/* StopHyperParameterTuningJob (not read-only) */
void app_request_stop_tuning(struct app *a, const char *tuning_job);
struct wmsg;
void app_request_launch(struct app *a, struct wmsg *m);  /* a WREQ_LAUNCH; takes ownership */

/* The alerts list is on screen: the header stops showing the newest unseen alert. */
void app_alerts_seen(struct app *a);

/* What the worker last reported for a job's log ("following, last poll 2 s ago, lag 1 s"). */
void app_follow_state(struct app *a, const char *job, char *buf, size_t size);
/* True while a followed job's log may still be arriving (not polled yet, or its first poll is
 * in progress with no lines so far); false offline. */
bool app_follow_pending(struct app *a, const char *job);

#endif
