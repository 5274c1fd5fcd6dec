/* view_jobs_internal.h: the job list's state, shared by its three files and nothing else.
 *
 *   view_jobs.c        the actions and their key table, `:` commands, completion, the marks,
 *                      the view's lifecycle
 *   view_jobs_draw.c   drawing: column layout, headings, rows, markers, the title
 *   view_jobs_query.c  the query (filter grammar, sort) and the window of rows read from the
 *                      cache, and the user's extra columns remembered in the config file
 *
 * UI thread only. */
#ifndef SAGETOP_TUI_VIEW_JOBS_INTERNAL_H
#define SAGETOP_TUI_VIEW_JOBS_INTERNAL_H

#include <stdbool.h>
#include <stddef.h>

#include "aws/err.h"
#include "cache/cache.h"
#include "tui/list.h"
#include "tui/view.h"

#define MAX_COLS 24
#define MAX_MARKS 64
#define WINDOW_MAX 512

struct column {
    char key[128];        /* "name", "status", ..., "hp.learning_rate", "m.eval_f1" */
    char title[32];
    const char *sort;     /* cache sort key; NULL = key itself */
    int width;            /* 0 = flexible (the name) */
    bool right;
    int priority;         /* the higher, the longer it stays on a narrow screen (list.h) */
};

struct row {
    struct cache_job job;
    char user[MAX_COLS][32];
    bool user_final[MAX_COLS];   /* the value is SageMaker's final metric, not from the log */
    bool cells_loaded;           /* user[] filled (on the first draw of the row) */
};

struct jobs_state {
    struct column cols[MAX_COLS];
    size_t n_cols, n_builtin;
    /* the query */
    char sort[128];
    bool desc;
    char filter[512];            /* as typed */
    char name_regex[256];
    bool name_invert;
    char status[128];
    char since[32];              /* as typed after since= ("2d"); "" = any age */
    double created_after;
    struct cache_job_query q;
    /* the window: list.count jobs match, rows [list.top, list.top + list.page) are on screen */
    struct list list;
    struct row *rows;
    size_t n_rows, rows_top;
    bool stale;
    int width;                   /* the table's width at the last draw (for `:cols`) */
    struct rect rect;            /* where it was drawn, and */
    int widths[MAX_COLS];        /* its columns' widths (for mouse clicks) */
    size_t hcol;                 /* horizontal scroll: columns after NAME skipped */
    char error[256];
    char marks[MAX_MARKS][CACHE_JOB_NAME_MAX];
    size_t n_marks;
    char followed[CACHE_JOB_NAME_MAX];
};

/* view_jobs.c */
/* The cache sort key of a column. */
const char *jobs_col_sort_key(const struct column *c);
/* Whether the job is marked (*at: its index in marks, when at is not NULL). */
bool jobs_is_marked(const struct jobs_state *s, const char *name, size_t *at);

/* view_jobs_draw.c */
void jobs_draw(struct view *v, struct app *a, const struct rect *r);
void jobs_title(struct view *v, struct app *a, char *buf, size_t size);
/* Each column's width for a table w columns wide (0: not shown: dropped by priority, or
 * scrolled off by hcol). Returns how many columns are not shown. */
int jobs_layout(const struct jobs_state *s, int w, int *widths);

/* view_jobs_query.c */
/* Adds an "hp.NAME" / "m.NAME" column (ignored when not one, a duplicate, or no room). */
void jobs_add_user_col(struct jobs_state *s, const char *key);
/* The extra columns from the config's [ui] "columns" line; nothing when there is none. */
void jobs_load_columns(struct jobs_state *s);
/* `:cols +hp.x -m.y reset`: changes the columns and saves them to the config. */
int jobs_cmd_cols(struct jobs_state *s, int argc, char **argv, struct app *a);
/* The filter text into the query's terms; ERR_INVAL with a message for a bad term. */
int jobs_parse_filter(struct jobs_state *s, const char *text, struct err *e);
/* s->q from the sort, filter and since fields. */
void jobs_build_query(struct jobs_state *s);
/* The user columns' values of n rows (read when a row is first drawn). */
void jobs_load_cells(struct jobs_state *s, struct app *a, struct row *rows, size_t n);
/* Reads the window of rows around the cursor for a page of rows; recount: the total too. */
void jobs_refresh_window(struct jobs_state *s, struct app *a, int rows, bool recount);
/* The job under the cursor, or NULL. */
const struct cache_job *jobs_current_job(struct jobs_state *s);

#endif
