/* view_logs_internal.h: the logs view's state, shared by its two files and nothing else.
 *
 *   view_logs.c         drawing, the actions and their key table, the view's vtable
 *   view_logs_nav.c     navigation: the window shown to the list widget (tui/list.h) and
 *                       the list's moves made on the window (steps, first line, follow)
 *   view_logs_find.c    search (/ n N) and the & filter with its rank:/host: terms
 *   view_logs_window.c  the window of lines on screen: instances, fetching before/after a
 *                       position, the & filter's groups, metric marks, shifting by a few lines
 *
 * UI thread only. The window's lines are sanitized copies owned by the state. */
#ifndef SAGETOP_TUI_VIEW_LOGS_INTERNAL_H
#define SAGETOP_TUI_VIEW_LOGS_INTERNAL_H

#include <stdbool.h>
#include <stddef.h>

#define PCRE2_CODE_UNIT_WIDTH 8
#include <pcre2.h>

#include "metrics/metrics.h"
#include "metrics/procprefix.h"
#include "tui/list.h"
#include "tui/view.h"

#define MAX_INST 16
#define WIN_MAX 400
#define CLEAN_MAX 4096

struct lline {
    struct cache_log_pos pos;
    int inst;                    /* index into instances, -1 unknown */
    char *text;                  /* sanitized */
    size_t len;
    char metric[96];             /* "eval_loss=0.25" when a metric matched */
    char tag[12];                /* "r3", "L0": the launcher prefix's process, "" when none */
    int rank;                    /* the prefix's rank (for the tag's colour), -1 when none */
    bool separator;              /* "--" between filter groups */
};

/* How `t` shows each line's time. */
enum logs_ts { LOGS_TS_OFF, LOGS_TS_LOCAL, LOGS_TS_UTC };

struct logs_state {
    char inst[MAX_INST][32];
    bool shown[MAX_INST];
    size_t n_inst;
    bool follow, wrap;
    enum logs_ts timestamps;
    struct list list;            /* navigation (view_logs_nav.c); list.hoff: the sideways
                                    scroll of unwrapped lines, in columns */
    struct cache_log_pos top;    /* first visible line (when !follow) */
    bool top_set;
    struct lline lines[WIN_MAX];
    size_t n;
    bool stale;
    int rows, width;
    int rows_y;                  /* the screen row of the first line (for the mouse) */
    /* search */
    char search[256];
    pcre2_code *re;
    pcre2_match_data *md;
    struct cache_log_pos match;
    bool match_set;
    /* & filter: the regex part; the rank:/host: terms select processes (on this side) */
    char filter[256];
    int context;
    bool procs_on;
    struct procsel procs;
    char procs_host[32];         /* procs.host points here */
    char procs_text[64];         /* "rank:0 host:algo-2", as typed */
    int tagw;                    /* columns of the widest tag on screen (0: none), set by draw */
    /* metrics */
    struct mset *mset;
    bool mset_tried;
    struct cache_log_info info;
    bool at_end;                 /* no line after the window (paused mode) */
    struct cache_log_pos first;  /* the log's first line (every instance), for the ▲ marker */
    bool have_first;
    int64_t first_lines;         /* info.lines when first was read */
};

/* view_logs_find.c: the actions of the keys / n N & */
int logs_act_search(struct view *v, struct app *a);
int logs_act_next(struct view *v, struct app *a);
int logs_act_prev(struct view *v, struct app *a);
int logs_act_filter(struct view *v, struct app *a);
/* The first line on screen (a separator is no line), or false when none is. */
bool logs_first_on_screen(const struct logs_state *s, struct cache_log_pos *out);

/* view_logs_nav.c: every navigation key and the wheel through the list widget; g, G and f */
int logs_act_nav(struct view *v, struct app *a);
int logs_act_toggle_follow(struct view *v, struct app *a);
/* Shows the window to s->list: the lines on screen with a margin above and below where the log
 * goes on, top on the window's first line. */
void logs_list_sync(struct logs_state *s);
/* Whether the list's ▲/▼ are known (the whole log: no filter, no hidden instance). */
bool logs_list_marked(const struct logs_state *s);

/* view_logs_window.c */
void logs_free_lines(struct logs_state *s);
/* The instance's index (added, shown, when new and there is room), -1 for NULL or no room. */
int logs_inst_index(struct logs_state *s, const char *name);
/* How many instances are shown; *only = the last shown one. */
size_t logs_n_shown(const struct logs_state *s, int *only);
/* The cache filter for the instance toggles: one instance shown → server-side; else NULL and
 * the hidden ones are skipped on this side. */
const struct cache_log_filter *logs_inst_filter(struct logs_state *s, struct cache_log_filter *f);
/* Whether a cached line is shown: its instance is not hidden and its process passes the
 * rank:/host: terms. */
bool logs_visible(struct logs_state *s, const struct cache_log_line *l);
/* The text to show of a raw line: its launcher prefix ("[1,3]<stdout>:") taken out (what was
 * before it, a timestamp, stays). Sets *tag ("r3"; "" when none, size >= 12) and *rank. */
void logs_split_prefix(const char *text, size_t len, size_t *lead, size_t *skip, char *tag,
                       int *rank);
/* Copies the instance toggles and rank:/host: terms of src (a window reading like src's). */
void logs_copy_selection(struct logs_state *dst, const struct logs_state *src);
/* The position just before p: "strictly after prev(p)" starts at p itself. */
struct cache_log_pos logs_pos_prev(struct cache_log_pos p);
int logs_pos_cmp(const struct cache_log_pos *a, const struct cache_log_pos *b);
/* One position `count` visible lines away from p (backwards when count < 0); false if none. */
bool logs_step_from(struct logs_state *s, struct app *a, const char *job,
                    const struct cache_log_pos *p, long count, struct cache_log_pos *out);
/* Reads the window again for rows lines (follow, filter, or from the top anchor). */
void logs_reload(struct logs_state *s, struct app *a, const char *job, int rows);
/* Leaving follow mode: the anchor becomes the first line on screen. */
void logs_unfollow_at_top(struct logs_state *s);
/* Scrolls the loaded window by d lines, reading only the new ones; false: reload instead. */
bool logs_shift_window(struct logs_state *s, struct app *a, const char *job, long d);

#endif
