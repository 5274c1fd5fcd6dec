/* view_compare_internal.h: what the compare view's two files share and nothing else includes.
 *
 *   view_compare.c       the view: loading the jobs, the tables' model, the chart, the keys
 *   view_compare_page.c  the text page: the hyperparameter, metric and resource tables as lines
 *                        of cells, and drawing one line scrolled sideways
 *
 * UI thread only. */
#ifndef SAGETOP_TUI_VIEW_COMPARE_INTERNAL_H
#define SAGETOP_TUI_VIEW_COMPARE_INTERNAL_H

#include <stdbool.h>
#include <stddef.h>

#include "aws/dynbuf.h"
#include "metrics/compare.h"
#include "tui/chart.h"
#include "tui/list.h"
#include "tui/views.h"

#define CV_MAX_METRICS 64
#define CV_COL_MAX 32
#define CV_CELLS (VIEW_MAX_JOBS + 1 > 8 ? VIEW_MAX_JOBS + 1 : 8)

enum cv_stat { CV_BEST, CV_LAST, CV_MIN, CV_MAX, CV_AT, CV_NSTATS };
struct cv_job {
    struct cache_job cj;
    struct cache_kv_list hp;
    struct compare_kv *kv;
    struct compare_metric_in mi[CV_MAX_METRICS];   /* names and series owned; x = step */
    struct series_sample *smp[CV_MAX_METRICS];     /* the same points with every x; owned */
    size_t n_smp[CV_MAX_METRICS];
    bool by_step[CV_MAX_METRICS];                  /* false: mi's x is the time since start */
    double start_s;
    size_t n_mi;
    struct compare_resources res;
};

/* One line of the text page: cells drawn at the section's column positions. */
struct cv_line {
    int section;
    int ncells;
    char cell[CV_CELLS][112];     /* a title line uses its first cell whole */
    int role[CV_CELLS];          /* enum theme_role per cell */
    bool bold[CV_CELLS];
    int mt_row;                  /* the metric table's row this line shows, else -1 */
};

enum { SEC_TITLE, SEC_HP, SEC_MT, SEC_RES, SEC_COUNT };

struct compare_state {
    struct cv_job *jobs;
    size_t n;
    struct compare_hp_table hp;
    struct compare_metric_table mt;
    bool all, internal, transpose;
    enum cv_stat stat;
    size_t x_i;                  /* the chart's x: index into x_cycle */
    size_t chart_metric;         /* row of mt shown as the chart */
    bool hidden[VIEW_MAX_JOBS];  /* the chart leaves job k's curve out (keys 1..9) */
    int layout;                  /* 0 tables + chart, 1 tables, 2 chart */
    struct cv_line *lines;
    size_t n_lines, cap_lines;
    int colw[SEC_COUNT][CV_CELLS];
    struct list list;            /* the text page: no cursor; top, page and horizontal scroll */
    int rows_y;                  /* the screen row of its first line, as last drawn */
    int cursor_col;              /* the chart's cursor: column within the plot, -1 none */
    int chart_y, chart_x;        /* the chart's top-left cell as last drawn; chart_y -1: none */
    char error[CACHE_JOB_NAME_MAX + ERR_MSG_MAX + 8];
    struct chart_raster raster;
};

/* view_compare_page.c */
/* The index of a metric in a job's mi, or n_mi. */
size_t compare_metric_index(const struct cv_job *j, const char *name);
/* Rebuilds s->lines (and the column widths) from the tables. */
void compare_build_page(struct compare_state *s);
/* The width of a table line: its cells at their section's column widths, two apart. */
int compare_line_width(const struct compare_state *s, const struct cv_line *l);
/* The text of line l as `|` hands it to the pager: its cells at the column widths, two
 * apart, no trailing blanks (into out, emptied first). */
void compare_line_text(const struct compare_state *s, const struct cv_line *l, struct dynbuf *out);
/* Draws line l at row y from column x0, w columns, scrolled left by hoff (title lines never
 * scroll); a table line cut at either side gets a marker there. */
void compare_draw_line(const struct compare_state *s, const struct cv_line *l, int y, int x0,
                       int w, int hoff);

#endif
