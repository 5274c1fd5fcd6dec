/* view_compare_page.c: the compare view's text page: the hyperparameters that differ, the metric
 * table with every job that reached the best starred, and resources and cost, as lines of cells
 * laid out in columns per section; and one such line drawn, scrolled sideways with markers where
 * it is cut. Reads the tables view_compare.c built (metrics/compare.h); must not load anything
 * nor handle keys. UI thread only. */
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "aws/dynbuf.h"
#include "tui/draw.h"
#include "tui/sanitize.h"
#include "tui/view_compare_internal.h"

static const char *const stat_names[CV_NSTATS] = { "best", "last", "min", "max", "best at" };

static struct cv_line *add_line(struct compare_state *s, int section)
{
    struct cv_line *l;

    if (vec_grow((void **)&s->lines, &s->cap_lines, s->n_lines + 1, sizeof(*s->lines)) != 0)
        return NULL;
    l = &s->lines[s->n_lines++];
    memset(l, 0, sizeof(*l));
    l->section = section;
    l->mt_row = -1;
    return l;
}

static void set_cell(struct compare_state *s, struct cv_line *l, int c, const char *text,
                     int role, bool bold)
{
    int w;

    if (l == NULL || c >= CV_CELLS)
        return;
    sanitize_text(text, strlen(text), l->cell[c], sizeof(l->cell[c]),
                  draw_utf8() ? 0 : SANITIZE_ASCII);
    l->role[c] = role;
    l->bold[c] = bold;
    if (c + 1 > l->ncells)
        l->ncells = c + 1;
    w = (int)strlen(l->cell[c]);
    if (w > CV_COL_MAX)
        w = CV_COL_MAX;
    if (l->section != SEC_TITLE && w > s->colw[l->section][c])
        s->colw[l->section][c] = w;
}

static void title_line(struct compare_state *s, const char *text)
{
    struct cv_line *l = add_line(s, SEC_TITLE);

    set_cell(s, l, 0, text, TH_TITLE, true);
}

static void fmt_cell_value(double v, char *buf, size_t size)
{
    if (isnan(v))
        snprintf(buf, size, "-");
    else
        snprintf(buf, size, "%.4g", v);
}

size_t compare_metric_index(const struct cv_job *j, const char *name)
{
    size_t i;

    for (i = 0; i < j->n_mi; i++)
        if (strcmp(j->mi[i].name, name) == 0)
            break;
    return i;
}

/* A table's heading: its first column's name, then each job's name in its run colour. */
static void heading_line(struct compare_state *s, int section, const char *first)
{
    struct cv_line *l = add_line(s, section);
    size_t k;

    set_cell(s, l, 0, first, TH_TITLE, false);
    for (k = 0; k < s->n; k++)
        set_cell(s, l, (int)k + 1, s->jobs[k].cj.name, TH_SERIES0 + (int)k % 8, false);
}

/* The hyperparameter table: a row per key (a column per job), or transposed. */
static void page_hyperparameters(struct compare_state *s)
{
    struct cv_line *l;
    char buf[160];
    size_t r, k;

    snprintf(buf, sizeof(buf), "Hyperparameters: %s%s  (%zu equal, %zu sagemaker_* hidden)",
             s->all ? "all rows" : "only rows that differ",
             s->transpose ? ", transposed" : "", s->hp.hidden_equal, s->hp.hidden_internal);
    title_line(s, buf);
    if (s->hp.n_rows == 0) {
        l = add_line(s, SEC_HP);
        set_cell(s, l, 0, "  no hyperparameter differs (a: all rows)", TH_DIM, false);
    } else if (!s->transpose) {
        heading_line(s, SEC_HP, "  KEY");
        for (r = 0; r < s->hp.n_rows; r++) {
            const struct compare_hp_row *h = &s->hp.rows[r];

            l = add_line(s, SEC_HP);
            snprintf(buf, sizeof(buf), "  %s", h->key);
            set_cell(s, l, 0, buf, h->differs ? TH_NORMAL : TH_DIM, false);
            for (k = 0; k < s->n; k++)
                set_cell(s, l, (int)k + 1, h->values[k] != NULL ? h->values[k] : "-",
                         h->differs ? TH_NORMAL : TH_DIM, false);
        }
    } else {
        l = add_line(s, SEC_HP);
        set_cell(s, l, 0, "  JOB", TH_TITLE, false);
        for (r = 0; r < s->hp.n_rows && r + 1 < CV_CELLS; r++)
            set_cell(s, l, (int)r + 1, s->hp.rows[r].key, TH_TITLE, false);
        for (k = 0; k < s->n; k++) {
            l = add_line(s, SEC_HP);
            snprintf(buf, sizeof(buf), "  %s", s->jobs[k].cj.name);
            set_cell(s, l, 0, buf, TH_SERIES0 + (int)k % 8, false);
            for (r = 0; r < s->hp.n_rows && r + 1 < CV_CELLS; r++)
                set_cell(s, l, (int)r + 1,
                         s->hp.rows[r].values[k] != NULL ? s->hp.rows[r].values[k] : "-",
                         TH_NORMAL, false);
        }
    }
    title_line(s, "");

}

/* The metric table: a row per metric, the chosen statistic per job, the best one starred. */
static void page_metrics(struct compare_state *s)
{
    struct cv_line *l;
    char buf[160];
    size_t r, k;

    snprintf(buf, sizeof(buf),
             "Metrics: %s (s: best/last/min/max/best at; the best in bold, ties all starred)",
             stat_names[s->stat]);
    title_line(s, buf);
    if (s->mt.n_rows == 0) {
        l = add_line(s, SEC_MT);
        set_cell(s, l, 0, "  no metric points yet (loading the logs…)", TH_DIM, false);
    }
    heading_line(s, SEC_MT, "  METRIC");
    for (r = 0; r < s->mt.n_rows; r++) {
        const struct compare_metric_row *m = &s->mt.rows[r];

        l = add_line(s, SEC_MT);
        if (l != NULL)
            l->mt_row = (int)r;
        snprintf(buf, sizeof(buf), "%s %s %s", r == s->chart_metric ? ">" : " ", m->name,
                 m->dir == SERIES_DIR_UP ? "(max)" : "(min)");
        set_cell(s, l, 0, buf, r == s->chart_metric ? TH_SELECTED : TH_NORMAL, false);
        for (k = 0; k < s->n; k++) {
            const struct compare_metric_cell *c = &m->cells[k];
            /* every job that reached the best value is starred: a tie has no single winner,
             * and starring the first of them would rank jobs by their position */
            bool best = m->best_job >= 0 && c->present &&
                        c->best == m->cells[m->best_job].best;
            double v = NAN;

            if (c->present) {
                switch (s->stat) {
                case CV_BEST: v = c->best; break;
                case CV_LAST: v = c->last; break;
                case CV_MIN: v = c->min; break;
                case CV_MAX: v = c->max; break;
                case CV_AT: v = c->best_x; break;
                case CV_NSTATS: break;
                }
            }
            if (s->stat == CV_AT && c->present) {
                size_t mi = compare_metric_index(&s->jobs[k], m->name);

                if (mi < s->jobs[k].n_mi && s->jobs[k].by_step[mi])
                    snprintf(buf, sizeof(buf), "step %.0f", v);
                else
                    fmt_duration(v, buf, sizeof(buf));
            } else
                fmt_cell_value(v, buf, sizeof(buf));
            if (best) {
                size_t n = strlen(buf);

                snprintf(buf + n, sizeof(buf) - n, " *");
            }
            set_cell(s, l, (int)k + 1, buf, best ? TH_OK : TH_NORMAL, best);
        }
    }
    title_line(s, "");

}

/* The resources and cost table: a row per job. */
static void page_resources(struct compare_state *s)
{
    struct cv_line *l;
    char buf[160];
    size_t k;

    title_line(s, "Resources and cost (on-demand price estimate)");
    l = add_line(s, SEC_RES);
    {
        static const char *const head[] = { "  JOB", "STATUS", "INSTANCES", "TRAINING",
                                            "BILLABLE", "SPOT SAVED", "COST" };

        for (k = 0; k < 7; k++)
            set_cell(s, l, (int)k, head[k], TH_TITLE, false);
    }
    for (k = 0; k < s->n; k++) {
        const struct cv_job *j = &s->jobs[k];

        l = add_line(s, SEC_RES);
        snprintf(buf, sizeof(buf), "  %s", j->cj.name);
        set_cell(s, l, 0, buf, TH_SERIES0 + (int)k % 8, false);
        set_cell(s, l, 1, j->cj.status, TH_NORMAL, false);
        if (j->cj.instance_type[0] != '\0')
            snprintf(buf, sizeof(buf), "%s x %d", j->cj.instance_type,
                     j->cj.instance_count > 0 ? j->cj.instance_count : 1);
        else
            snprintf(buf, sizeof(buf), "-");
        set_cell(s, l, 2, buf, TH_NORMAL, false);
        fmt_duration((double)j->cj.training_seconds, buf, sizeof(buf));
        set_cell(s, l, 3, j->cj.training_seconds > 0 ? buf : "-", TH_NORMAL, false);
        fmt_duration((double)j->cj.billable_seconds, buf, sizeof(buf));
        set_cell(s, l, 4, j->cj.billable_seconds > 0 ? buf : "-", TH_NORMAL, false);
        if (!j->cj.spot)
            snprintf(buf, sizeof(buf), "no spot");
        else if (isnan(j->res.spot_savings_pct))
            snprintf(buf, sizeof(buf), "spot");
        else
            snprintf(buf, sizeof(buf), "%.0f%%", j->res.spot_savings_pct);
        set_cell(s, l, 5, buf, TH_NORMAL, false);
        if (j->res.price_known && j->cj.billable_seconds > 0)
            snprintf(buf, sizeof(buf), "$%.2f", j->res.cost_usd);
        else
            snprintf(buf, sizeof(buf), "-");
        set_cell(s, l, 6, buf, TH_NORMAL, false);
    }
}

void compare_build_page(struct compare_state *s)
{
    s->n_lines = 0;
    memset(s->colw, 0, sizeof(s->colw));
    page_hyperparameters(s);
    page_metrics(s);
    page_resources(s);
}

int compare_line_width(const struct compare_state *s, const struct cv_line *l)
{
    int c, w = 0;

    if (l->section == SEC_TITLE)
        return 0;
    for (c = 0; c < l->ncells; c++)
        w += s->colw[l->section][c] + (c > 0 ? 2 : 0);
    return w;
}

void compare_line_text(const struct compare_state *s, const struct cv_line *l, struct dynbuf *out)
{
    int c;

    dynbuf_reset(out);
    for (c = 0; c < l->ncells; c++) {
        int pad = l->section == SEC_TITLE ? 0
                                          : s->colw[l->section][c] - utf8_width(l->cell[c],
                                                                                strlen(l->cell[c]));

        dynbuf_printf(out, "%s%s%*s", c > 0 ? "  " : "", l->cell[c],
                      c + 1 < l->ncells && pad > 0 ? pad : 0, "");
    }
}

/* Past the first n characters of sanitized text (one column each). */
static const char *skip_cols(const char *p, int n)
{
    while (n > 0 && *p != '\0') {
        p++;
        while ((*p & 0xc0) == 0x80)
            p++;
        n--;
    }
    return p;
}

void compare_draw_line(const struct compare_state *s, const struct cv_line *l, int y, int x0,
                       int w, int hoff)
{
    int vx = 0, c, lw = compare_line_width(s, l);

    if (l->section == SEC_TITLE)
        hoff = 0;
    for (c = 0; c < l->ncells && vx - hoff < w; c++) {
        int cw = l->section == SEC_TITLE ? w : s->colw[l->section][c];
        int cut = hoff > vx ? hoff - vx : 0, x = x0 + vx + cut - hoff;
        attr_t at = theme_attr((enum theme_role)l->role[c]) | (l->bold[c] ? A_BOLD : 0);

        if (l->role[c] >= TH_SERIES0)
            at = theme_series_attr(l->role[c] - TH_SERIES0);
        if (cut < cw) {
            int show = cw - cut < x0 + w - x ? cw - cut : x0 + w - x;

            draw_str(y, x, show, skip_cols(l->cell[c], cut), at);
        }
        vx += cw + 2;
    }
    if (hoff > 0 && lw > 0)
        draw_str(y, x0, 1, draw_sym(SYM_MORE_LEFT), theme_attr(TH_TITLE) | A_BOLD);
    if (lw - hoff > w)
        draw_str(y, x0 + w - 1, 1, draw_sym(SYM_MORE_RIGHT), theme_attr(TH_TITLE) | A_BOLD);
}
