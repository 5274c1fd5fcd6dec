/* app_internal.h: the frame's state, shared by the four files of the frame and by nothing else.
 *
 *   app.c         the event loop, the state's lifetime, the view stack, worker messages
 *   app_prompt.c  the prompt line, yes/no questions, the profile/region pickers, the `:`
 *                 commands, per-prompt history and Tab completion
 *   app_frame.c   drawing the frame around a view: header, title line, footer, help, picker
 *   app_alerts.c  the alerts the worker fires: the header's newest unseen one, bell, `!`
 *
 * Everything runs on the UI thread. Views never include this: they use view.h. */
#ifndef SAGETOP_TUI_APP_INTERNAL_H
#define SAGETOP_TUI_APP_INTERNAL_H

#include <stdbool.h>
#include <stdint.h>

#include "tui/app.h"
#include "tui/input.h"
#include "tui/list.h"
#include "tui/worker.h"

#define MIN_COLS 60
#define MIN_LINES 15
#define STACK_MAX 8
#define FOLLOW_MAX 32
#define TICK_MS 1000

enum prompt_kind { PROMPT_NONE, PROMPT_TEXT, PROMPT_CONFIRM, PROMPT_PICK };

struct follow_info {
    char job[CACHE_JOB_NAME_MAX];
    double last_poll;            /* last notice about this job's logs */
    double last_lines_at;        /* last notice that brought lines */
    int64_t lines;
    enum sync_state state;
    char text[128];
    int refs;                    /* open views that follow it */
};

#define PICK_MAX 64

struct app {
    struct tui_options o;
    struct cache *cache;
    char cache_path[1024];
    struct worker *worker;
    struct view stack[STACK_MAX];
    size_t depth;
    /* pending navigation, applied after the current action */
    int pending_pop;
    bool pending_push;
    struct view pushed;
    /* header */
    char profile[128], region[64], account[64], endpoint[512];
    bool demo;
    enum sync_state sync_state;
    char sync_text[256];
    double synced_at, retry_until;
    double cw_throttled_until;   /* GetMetricData was throttled: the header says so until then */
    bool have_sync;
    char sync_drawn[300];        /* the sync label as last drawn (app_header_stale()) */
    struct follow_info follows[FOLLOW_MAX];
    size_t n_follows;
    /* alerts (WMSG_ALERT): the newest unseen one for the header, and a bell owed */
    char alert_line[320];
    size_t alerts_unseen;
    bool alert_ring;
    /* footer flash */
    char flash[256];
    bool flash_error;
    double flash_until;
    /* prompt / confirm / picker */
    enum prompt_kind prompt;
    char prompt_label[64];
    struct input input;
    prompt_submit_fn on_submit;
    prompt_complete_fn on_complete;
    action_fn on_yes;
    char (*pick_items)[128];
    size_t n_pick;
    int pick_kind;               /* 0 profile, 1 region */
    char pick_filter[64];        /* typed in the picker: items holding it (any case) are shown */
    size_t pick_shown[PICK_MAX]; /* the items shown, indices into pick_items */
    struct list pick_list;       /* rows: the items shown; cur: the one Enter picks */
    struct history_set hist;     /* one history per prompt kind */
    bool help;
    struct list help_list;       /* the help overlay's scroll (rows: its lines) */
    int key;                     /* the key being handled (app_key()) */
    /* terminal */
    bool utf8, too_small, dirty, quit;
    double now;
    uint64_t data_version;
    int sig_pipe[2];
};

/* app.c */
double app_clock(void);                      /* the wall clock, epoch seconds */
struct view *app_top(struct app *a);         /* the focused view, NULL before the first */

/* app_prompt.c */
/* A key while a prompt, question or picker is open; returns R_* flags. */
int app_prompt_key(struct app *a, int key);
/* Frees the pickers' items and the histories (at exit). */
void app_prompt_clean(struct app *a);

/* app_alerts.c */
/* A WMSG_ALERT: kept for the header, counted unseen, a ring owed. */
void app_alert_message(struct app *a, const struct wmsg *m);
/* The bell and the desktop notification of the newest alert (after the turn's redraw). */
void app_alert_ring(struct app *a);

/* app_frame.c */
/* Draws the whole screen: header, the top view's body, title, help, picker, footer. */
void app_render(struct app *a);
/* True when the header's sync label ("synced 5 s ago") reads differently now than when it was
 * last drawn: every view's screen is redrawn for it, whatever the view's own ticks say. */
bool app_header_stale(struct app *a);

#endif
