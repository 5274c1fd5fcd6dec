/* view_jobs_draw.c: the job list on screen: the columns laid out by priority and scrolled
 * sideways, the headings with the sort arrow, the rows (marks, the selection, names cut in the
 * middle, numbers aligned on the decimal point, "…" for a job whose place waits for its
 * description), the markers of cut rows, and the title. Reads
 * the state and the window of rows; must not change the query or the selection (view_jobs.c
 * and view_jobs_query.c do) or read the cache beyond the rows on screen. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tui/draw.h"
#include "tui/list.h"
#include "tui/sanitize.h"
#include "tui/view_jobs_internal.h"

/* Whether a column's cells read its sort key backwards: AGE falls as the creation time rises. */
static bool col_reversed(const struct column *c)
{
    return strcmp(c->key, "created") == 0;
}

/* ---- drawing ---------------------------------------------------------------------------- */

static void cell_text(struct jobs_state *s, struct app *a, const struct row *r, size_t c,
                      char *buf, size_t size, attr_t *attr)
{
    const struct cache_job *j = &r->job;
    const char *k = s->cols[c].key;
    double now = app_now(a);

    *attr = 0;
    buf[0] = '\0';
    if (strcmp(k, "name") == 0) {
        sanitize_text(j->name, strlen(j->name), buf, size, draw_utf8() ? 0 : SANITIZE_ASCII);
    } else if (strcmp(k, "status") == 0) {
        str_copy(buf, size, j->status);
        *attr = theme_status_attr(j->status);
    } else if (strcmp(k, "secondary") == 0) {
        str_copy(buf, size, j->secondary_status);
        *attr = theme_attr(TH_DIM);
    } else if (strcmp(k, "created") == 0) {
        if (j->creation_time > 0)
            fmt_age(now - j->creation_time, buf, size);
        *attr = theme_attr(TH_DIM);
    } else if (strcmp(k, "duration") == 0) {
        /* training time, as everywhere (docs/ui.md): start to end, to now while running */
        double end = j->end_time > 0 ? j->end_time
                     : cache_status_final(j->status) ? j->last_modified_time : now;

        if (j->start_time > 0)
            fmt_duration(end > j->start_time ? end - j->start_time : 0, buf, size);
    } else if (strcmp(k, "instance") == 0) {
        if (j->instance_type[0]) {
            snprintf(buf, size, "%s%s%d", j->instance_type, draw_utf8() ? "×" : "x",
                     j->instance_count ? j->instance_count : 1);
        } else if (!j->described) {
            /* ListTrainingJobs has no resources: the describe pass fills them in */
            str_copy(buf, size, draw_sym(SYM_ELLIPSIS));
            *attr = theme_attr(TH_DIM);
        }
    } else if (strcmp(k, "spot") == 0) {
        if (!j->described) {
            str_copy(buf, size, draw_sym(SYM_ELLIPSIS));
            *attr = theme_attr(TH_DIM);
            return;
        }
        if (j->spot && j->training_seconds > 0 && j->billable_seconds > 0)
            snprintf(buf, size, "%d%%",
                     (int)lround(100.0 * (1.0 - (double)j->billable_seconds / (double)j->training_seconds)));
        else
            snprintf(buf, size, "%s", j->spot ? "spot" : "-");
        *attr = j->spot ? theme_attr(TH_OK) : theme_attr(TH_DIM);
    } else if (!r->user[c][0] && !j->described) {
        /* a hyperparameter or final metric the description has not brought yet */
        str_copy(buf, size, draw_sym(SYM_ELLIPSIS));
        *attr = theme_attr(TH_DIM);
    } else {
        str_copy(buf, size, r->user[c][0] ? r->user[c] : "-");
        /* SageMaker's final metric (the log is not cached) reads dim, the log's value bright */
        if (!r->user[c][0] || r->user_final[c])
            *attr = theme_attr(TH_DIM);
    }
}

int jobs_layout(const struct jobs_state *s, int w, int *widths)
{
    struct list_col lc[MAX_COLS] = { { 0 } };
    int out[MAX_COLS];
    size_t map[MAX_COLS], i, n = 0;
    int hidden = 0;

    /* the columns scrolled off to the left (1..hcol) take no part in the layout */
    for (i = 0; i < s->n_cols; i++) {
        widths[i] = 0;
        if (i > 0 && i <= s->hcol)
            continue;
        lc[n].width = i == 0 ? 0 : s->cols[i].width;
        lc[n].min_w = 20;
        lc[n].max_w = 64;
        lc[n].priority = s->cols[i].priority;
        map[n++] = i;
    }
    list_layout(lc, n, w > 0 ? w : 80, 2, out);
    for (i = 0; i < n; i++)
        widths[map[i]] = out[i];
    for (i = 1; i < s->n_cols; i++)
        hidden += widths[i] == 0;
    return hidden;
}

/* Whether a column holds numbers to align on the decimal point: metric and hyperparameter
 * columns. */
static bool is_decimal_col(const struct column *col)
{
    return col->right && (strncmp(col->key, "m.", 2) == 0 || strncmp(col->key, "hp.", 3) == 0);
}

/* One cell at (y, x) in w columns: right-aligned numbers (frac: the column's widest part after
 * a decimal point, so points line up), the name cut in the middle (its end, a timestamp, tells
 * jobs apart). */
static void draw_cell(const struct column *col, bool is_name, int y, int x, int w, int frac,
                      const char *text, attr_t at)
{
    int tw = utf8_width(text, strlen(text));
    char cut[300];

    if (col->right) {
        int pad = frac > 0 ? frac - list_frac_cols(text) : 0;

        if (pad < 0 || tw + pad > w)
            pad = 0;
        draw_str(y, x + (w > tw + pad ? w - tw - pad : 0), w, text, at);
    } else if (is_name && tw > w) {
        list_ellipsize_middle(text, strlen(text), w, draw_sym(SYM_ELLIPSIS), cut, sizeof(cut));
        draw_str(y, x, w, cut, at);
    } else {
        draw_str(y, x, w, text, at);
    }
}

static void draw_headings(struct jobs_state *s, const struct rect *r, const int *widths,
                          int hidden)
{
    int x = r->x + 2;
    size_t c, right_cut = 0;

    draw_fill(r->y, r->x, r->w, theme_attr(TH_TITLE));
    if (s->hcol > 0)
        draw_str(r->y, r->x, 1, draw_sym(SYM_MORE_LEFT), theme_attr(TH_TITLE) | A_BOLD);
    for (c = 0; c < s->n_cols; c++) {
        char t[48];
        bool sorted = strcmp(jobs_col_sort_key(&s->cols[c]), s->sort) == 0;

        if (widths[c] == 0) {
            right_cut += c > s->hcol;
            continue;
        }
        /* ▼: the values shown fall down the list (newest first is AGE▲: ages rise) */
        snprintf(t, sizeof(t), "%s%s", s->cols[c].title,
                 sorted ? draw_sym(s->desc != col_reversed(&s->cols[c]) ? SYM_DOWN : SYM_UP) : "");
        if (s->cols[c].right && c > 0 && utf8_width(t, strlen(t)) == widths[c] + 1)
            /* DURATION▼ in an 8-column DURATION: the arrow takes the gap on the left */
            draw_cell(&s->cols[c], false, r->y, x - 1, widths[c] + 1, 0, t, theme_attr(TH_TITLE));
        else
            draw_cell(&s->cols[c], false, r->y, x, widths[c], 0, t, theme_attr(TH_TITLE));
        x += widths[c] + 1;
    }
    /* columns that did not fit: a marker at the right end (Right scrolls to them) */
    if (hidden > 0 && right_cut > 0)
        draw_str(r->y, r->x + r->w - 1, 1, draw_sym(SYM_MORE_RIGHT),
                 theme_attr(TH_TITLE) | A_BOLD);
}

static void draw_row(struct jobs_state *s, struct app *a, const struct row *row, bool sel,
                     int y, const struct rect *r, const int *widths, const int *frac)
{
    bool mark = jobs_is_marked(s, row->job.name, NULL);
    attr_t base = sel ? theme_attr(TH_SELECTED) : 0;
    int x = r->x + 2;
    size_t c;

    draw_fill(y, r->x, r->w, base);
    if (mark)
        draw_str(y, r->x, 2, draw_sym(SYM_MARK), base | theme_attr(TH_MARKED));
    else if (row->job.pending)
        /* its place rests on the sort key or a filter's field, not described yet: kept,
         * after the known rows (cache.h), and says so */
        draw_str(y, r->x, 2, draw_sym(SYM_ELLIPSIS), base | theme_attr(TH_DIM));
    for (c = 0; c < s->n_cols; c++) {
        char buf[256];
        attr_t at;

        if (widths[c] == 0)
            continue;
        cell_text(s, a, row, c, buf, sizeof(buf), &at);
        if (sel)
            at = base | (at & A_BOLD);
        else if (c == 0 && mark)
            at = theme_attr(TH_MARKED);
        draw_cell(&s->cols[c], c == 0, y, x, widths[c], frac[c], buf, at);
        x += widths[c] + 1;
    }
}

/* For each number column on screen, the widest part after a decimal point among the rows on
 * screen (0 for the other columns). */
static void decimal_widths(struct jobs_state *s, struct app *a, size_t top, int rows,
                           const int *widths, int *frac)
{
    size_t c, i;

    for (c = 0; c < s->n_cols; c++) {
        frac[c] = 0;
        if (widths[c] == 0 || !is_decimal_col(&s->cols[c]))
            continue;
        for (i = 0; top + i < s->rows_top + s->n_rows && (int)i < rows; i++) {
            char buf[256];
            attr_t at;
            int f;

            cell_text(s, a, &s->rows[top - s->rows_top + i], c, buf, sizeof(buf), &at);
            f = list_frac_cols(buf);
            frac[c] = f > frac[c] ? f : frac[c];
        }
    }
}

void jobs_draw(struct view *v, struct app *a, const struct rect *r)
{
    struct jobs_state *s = v->state;
    int widths[MAX_COLS], frac[MAX_COLS], rows = r->h - 1, hidden;
    size_t i, top;

    if (s->stale || s->list.page != (rows > WINDOW_MAX / 3 ? WINDOW_MAX / 3 : rows) ||
        (s->n_rows == 0 && s->list.count > 0))
        jobs_refresh_window(s, a, rows, true);
    /* the cursor may have moved out of the screen, the screen out of the fetched rows */
    if (s->list.cur < s->list.top || s->list.cur >= s->list.top + (size_t)rows ||
        s->list.top < s->rows_top ||
        (s->list.top + (size_t)rows > s->rows_top + s->n_rows &&
         s->rows_top + s->n_rows < s->list.count))
        jobs_refresh_window(s, a, rows, false);
    s->width = r->w - 1;
    s->rect = *r;
    /* one column kept for the markers of cut rows and columns */
    hidden = jobs_layout(s, r->w - 1, widths);
    memcpy(s->widths, widths, sizeof(s->widths));
    draw_headings(s, r, widths, hidden);
    if (s->error[0]) {
        draw_str(r->y + 1, r->x + 2, r->w - 2, s->error, theme_attr(TH_ERROR));
        return;
    }
    if (s->list.count == 0) {
        draw_str(r->y + 2, r->x + 2, r->w - 2,
                 s->filter[0] || s->status[0] ? "no job matches the filter (Esc clears it)"
                                               : "no jobs in the cache yet: syncing…",
                 theme_attr(TH_DIM));
        return;
    }
    top = s->list.top;
    if (top >= s->rows_top && top < s->rows_top + s->n_rows) {
        size_t vis = s->rows_top + s->n_rows - top;

        jobs_load_cells(s, a, &s->rows[top - s->rows_top], vis < (size_t)rows ? vis : (size_t)rows);
    }
    decimal_widths(s, a, top, rows, widths, frac);
    for (i = 0; top + i < s->rows_top + s->n_rows && (int)i < rows; i++)
        draw_row(s, a, &s->rows[top - s->rows_top + i], top + i == s->list.cur,
                 r->y + 1 + (int)i, r, widths, frac);
    if (list_more_above(&s->list))
        draw_str(r->y + 1, r->x + r->w - 1, 1, draw_sym(SYM_UP), theme_attr(TH_DIM) | A_BOLD);
    if (list_more_below(&s->list))
        draw_str(r->y + rows, r->x + r->w - 1, 1, draw_sym(SYM_DOWN), theme_attr(TH_DIM) | A_BOLD);
}

void jobs_title(struct view *v, struct app *a, char *buf, size_t size)
{
    struct jobs_state *s = v->state;
    char marks[64] = "";

    (void)a;
    if (s->n_marks)
        snprintf(marks, sizeof(marks), "  %zu marked", s->n_marks);
    snprintf(buf, size, "jobs (%zu)  sort: %s%s%s%s%s%s%s%s", s->list.count, s->sort,
             s->desc ? " desc" : "", s->filter[0] ? "  filter: " : "", s->filter,
             s->status[0] && !strstr(s->filter, "status") ? "  status: " : "",
             s->status[0] && !strstr(s->filter, "status") ? s->status : "",
             s->since[0] ? "  since: " : "", s->since);
    if (marks[0] && strlen(buf) + strlen(marks) < size)
        strcat(buf, marks);
}

