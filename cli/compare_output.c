/* compare_output.c: `sagetop compare`'s four formats (table, Markdown, CSV, JSON) of a run
 * loaded by cmd_compare.c.
 *
 * Owns the layout only: the tables are metrics/compare.h's, computed before; this file must
 * not load, compute or decide anything about the jobs. Every text from AWS is sanitized. */
#include <jansson.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/compare_internal.h"
#include "metrics/prices.h"
#include "tui/sanitize.h"

/* Untrusted text made safe for a terminal, in a static buffer rotated over a few slots so a
 * printf line can hold several. */
static const char *safe(const char *s)
{
    static char bufs[4][1024];
    static int k;
    char *b = bufs[k++ & 3];

    sanitize_text(s != NULL ? s : "", s != NULL ? strlen(s) : 0, b, sizeof(bufs[0]), 0);
    return b;
}

/* Whether job j's curve of metric is indexed by step (else by elapsed seconds). */
static bool job_x_step(const struct cmp_job *j, const char *metric)
{
    size_t i;

    for (i = 0; i < j->n_mi; i++) {
        if (strcmp(j->mi[i].name, metric) == 0)
            return j->mi_step[i];
    }
    return false;
}


/* ---- formatting helpers ----------------------------------------------------------------- */

static void fmt_num(double v, char *buf, size_t size)
{
    if (isnan(v))
        snprintf(buf, size, "-");
    else
        snprintf(buf, size, "%.6g", v);
}

static void fmt_dur(double s, char *buf, size_t size)
{
    long v;

    if (!isfinite(s) || s < 0) {
        snprintf(buf, size, "-");
        return;
    }
    v = (long)(s + 0.5);
    if (v >= 3600)
        snprintf(buf, size, "%ldh%02ldm%02lds", v / 3600, v % 3600 / 60, v % 60);
    else if (v >= 60)
        snprintf(buf, size, "%ldm%02lds", v / 60, v % 60);
    else
        snprintf(buf, size, "%lds", v);
}

static void fmt_instances(const struct cmp_job *j, char *buf, size_t size)
{
    if (j->cj.instance_type[0] == '\0')
        snprintf(buf, size, "-");
    else
        snprintf(buf, size, "%s x %d", j->cj.instance_type,
                 j->cj.instance_count > 0 ? j->cj.instance_count : 1);
}

static void fmt_savings(const struct cmp_job *j, char *buf, size_t size)
{
    if (!j->cj.spot)
        snprintf(buf, size, "no spot");
    else if (isnan(j->res.spot_savings_pct))
        snprintf(buf, size, "spot");
    else
        snprintf(buf, size, "%.0f%%", j->res.spot_savings_pct);
}

static void fmt_cost(const struct cmp_job *j, char *buf, size_t size)
{
    if (!j->res.price_known || j->cj.billable_seconds <= 0)
        snprintf(buf, size, "-");
    else
        snprintf(buf, size, "$%.2f", j->res.cost_usd);
}

static const char *dir_name(enum series_dir d) { return d == SERIES_DIR_UP ? "max" : "min"; }

/* ---- table and Markdown ----------------------------------------------------------------- */

/* A grid of cells printed with aligned columns (table) or as a Markdown table. */
struct grid {
    char **cells;
    size_t rows, cols;
};

static int grid_init(struct grid *g, size_t rows, size_t cols)
{
    g->rows = rows;
    g->cols = cols;
    g->cells = calloc(rows * cols + 1, sizeof(char *));
    return g->cells != NULL ? 0 : ERR_NOMEM;
}

static void grid_set(struct grid *g, size_t r, size_t c, const char *s)
{
    free(g->cells[r * g->cols + c]);
    g->cells[r * g->cols + c] = strdup(safe(s));
}

static void grid_clean(struct grid *g)
{
    size_t i;

    for (i = 0; g->cells != NULL && i < g->rows * g->cols; i++)
        free(g->cells[i]);
    free(g->cells);
    g->cells = NULL;
}

static size_t cols_of(const char *s)
{
    size_t n = 0;

    for (; *s; s++)
        n += ((unsigned char)*s & 0xc0) != 0x80;
    return n;
}

static void grid_print(const struct grid *g, bool md)
{
    size_t *w = calloc(g->cols + 1, sizeof(size_t)), r, c;

    if (w == NULL)
        return;
    for (r = 0; r < g->rows; r++)
        for (c = 0; c < g->cols; c++) {
            const char *s = g->cells[r * g->cols + c];
            size_t n = s != NULL ? cols_of(s) : 0;

            if (n > w[c])
                w[c] = n;
        }
    for (r = 0; r < g->rows; r++) {
        size_t last = g->cols;

        /* a table row stops at its last non-empty cell: no trailing blanks */
        while (!md && last > 1 && (g->cells[r * g->cols + last - 1] == NULL ||
                                   g->cells[r * g->cols + last - 1][0] == '\0'))
            last--;
        for (c = 0; c < (md ? g->cols : last); c++) {
            const char *s = g->cells[r * g->cols + c];

            if (s == NULL)
                s = "";
            if (md)
                printf("| %s%*s ", s, (int)(w[c] - cols_of(s)), "");
            else if (c + 1 < last)
                printf("%s%*s  ", s, (int)(w[c] - cols_of(s)), "");
            else
                printf("%s", s);
        }
        printf(md ? "|\n" : "\n");
        if (md && r == 0) {
            for (c = 0; c < g->cols; c++) {
                printf("|");
                for (size_t k = 0; k < w[c] + 2; k++)
                    putchar('-');
            }
            printf("|\n");
        }
    }
    free(w);
}

/* Hyperparameters: one row per key, one column per job. */
static int print_hp_table(const struct cmp_run *run, bool md)
{
    struct grid g = { 0 };
    char buf[128];
    size_t r, k;
    int rc;

    printf(md ? "### Hyperparameters\n" : "HYPERPARAMETERS");
    if (!md && (run->hp.hidden_equal > 0 || run->hp.hidden_internal > 0))
        printf(" (%zu equal and %zu sagemaker_* hidden: --all, --internal)", run->hp.hidden_equal,
               run->hp.hidden_internal);
    printf("\n");
    if (run->hp.n_rows == 0) {
        printf("%s\n\n", md ? "_no hyperparameter differs_" : "  no hyperparameter differs");
    } else {
        if ((rc = grid_init(&g, run->hp.n_rows + 1, run->n + 1)) < 0)
            return rc;
        grid_set(&g, 0, 0, md ? "key" : "  KEY");
        for (k = 0; k < run->n; k++)
            grid_set(&g, 0, k + 1, run->names[k]);
        for (r = 0; r < run->hp.n_rows; r++) {
            const struct compare_hp_row *h = &run->hp.rows[r];

            snprintf(buf, sizeof(buf), "%s%s", md ? "" : "  ", h->key);
            grid_set(&g, r + 1, 0, buf);
            for (k = 0; k < run->n; k++)
                grid_set(&g, r + 1, k + 1, h->values[k] != NULL ? h->values[k] : "-");
        }
        grid_print(&g, md);
        grid_clean(&g);
        printf("\n");
    }
    return 0;
}

/* What the AT column holds: the step of the best, and the time since start only when some
 * present cell is a metric logged without steps. */
static const char *at_legend(const struct cmp_run *run)
{
    bool step = false, time = false;
    size_t r, k;

    for (r = 0; r < run->mt.n_rows; r++)
        for (k = 0; k < run->n; k++) {
            if (!run->mt.rows[r].cells[k].present)
                continue;
            if (job_x_step(&run->jobs[k], run->mt.rows[r].name))
                step = true;
            else
                time = true;
        }
    if (time && step)
        return "at = the step of the best, or the time since start without steps";
    return time ? "at = the time since start of the best" : "at = the step of the best";
}

/* Whether job k reached its metric's best value: every job of a tie, not only the first. */
static bool cell_best(const struct compare_metric_row *m, size_t k)
{
    return m->best_job >= 0 && m->cells[k].present &&
           m->cells[k].best == m->cells[m->best_job].best;
}

/* Whether some metric's best is reached by more than one job. */
static bool ties_any(const struct cmp_run *run)
{
    size_t r, k, n;

    for (r = 0; r < run->mt.n_rows; r++) {
        for (k = 0, n = 0; k < run->n; k++)
            n += cell_best(&run->mt.rows[r], k);
        if (n > 1)
            return true;
    }
    return false;
}

/* Metrics: one row per (metric, job), every job that reached the best marked with *. */
static int print_metric_table(const struct cmp_run *run, bool md)
{
    struct grid g = { 0 };
    char buf[128];
    size_t r, k, row;
    int rc;

    printf(md ? "### Metrics\n\n" : "METRICS (best by direction; * the best job%s; %s)\n",
           ties_any(run) ? "s (tied)" : "", at_legend(run));
    if (run->mt.n_rows == 0) {
        printf("  no metric points in the cache\n\n");
    } else {
        if ((rc = grid_init(&g, run->mt.n_rows * run->n + 1, 8)) < 0)
            return rc;
        {
            static const char *const head[] = { "  METRIC", "JOB", "LAST", "MIN", "MAX", "BEST",
                                                "AT", "" };
            static const char *const head_md[] = { "metric", "job", "last", "min", "max",
                                                   "best", "at", "" };

            for (k = 0; k < 8; k++)
                grid_set(&g, 0, k, md ? head_md[k] : head[k]);
        }
        row = 1;
        for (r = 0; r < run->mt.n_rows; r++) {
            const struct compare_metric_row *m = &run->mt.rows[r];

            for (k = 0; k < run->n; k++, row++) {
                const struct compare_metric_cell *cl = &m->cells[k];

                snprintf(buf, sizeof(buf), "%s%s (%s)", md ? "" : "  ", m->name,
                         dir_name(m->dir));
                grid_set(&g, row, 0, k == 0 || md ? buf : "");
                grid_set(&g, row, 1, run->names[k]);
                if (!cl->present) {
                    for (size_t f = 2; f < 7; f++)
                        grid_set(&g, row, f, "-");
                    continue;
                }
                fmt_num(cl->last, buf, sizeof(buf));
                grid_set(&g, row, 2, buf);
                fmt_num(cl->min, buf, sizeof(buf));
                grid_set(&g, row, 3, buf);
                fmt_num(cl->max, buf, sizeof(buf));
                grid_set(&g, row, 4, buf);
                fmt_num(cl->best, buf, sizeof(buf));
                grid_set(&g, row, 5, buf);
                if (job_x_step(&run->jobs[k], m->name))
                    snprintf(buf, sizeof(buf), "step %.0f", cl->best_x);
                else
                    fmt_dur(cl->best_x, buf, sizeof(buf));
                grid_set(&g, row, 6, buf);
                grid_set(&g, row, 7, cell_best(m, k) ? (md ? "**best**" : "*") : "");
            }
        }
        grid_print(&g, md);
        grid_clean(&g);
        printf("\n");
    }
    return 0;
}

/* Resources: one row per job. */
static int print_resource_table(const struct cmp_run *run, bool md)
{
    struct grid g = { 0 };
    char buf[128];
    size_t k;
    int rc;

    printf(md ? "### Resources and cost\n\n" : "RESOURCES (on-demand %s prices of %s)\n",
           prices_region, prices_date);
    if (md)
        printf("On-demand %s prices of %s.\n\n", prices_region, prices_date);
    if ((rc = grid_init(&g, run->n + 1, 7)) < 0)
        return rc;
    {
        static const char *const head[] = { "  JOB", "STATUS", "INSTANCES", "TRAINING",
                                            "BILLABLE", "SPOT SAVED", "COST" };
        static const char *const head_md[] = { "job", "status", "instances", "training",
                                               "billable", "spot saved", "cost" };

        for (k = 0; k < 7; k++)
            grid_set(&g, 0, k, md ? head_md[k] : head[k]);
    }
    for (k = 0; k < run->n; k++) {
        const struct cmp_job *j = &run->jobs[k];

        snprintf(buf, sizeof(buf), "%s%s", md ? "" : "  ", run->names[k]);
        grid_set(&g, k + 1, 0, buf);
        grid_set(&g, k + 1, 1, j->cj.status);
        fmt_instances(j, buf, sizeof(buf));
        grid_set(&g, k + 1, 2, buf);
        fmt_dur(j->cj.training_seconds > 0 ? (double)j->cj.training_seconds : NAN, buf,
                sizeof(buf));
        grid_set(&g, k + 1, 3, buf);
        fmt_dur(j->cj.billable_seconds > 0 ? (double)j->cj.billable_seconds : NAN, buf,
                sizeof(buf));
        grid_set(&g, k + 1, 4, buf);
        fmt_savings(j, buf, sizeof(buf));
        grid_set(&g, k + 1, 5, buf);
        fmt_cost(j, buf, sizeof(buf));
        grid_set(&g, k + 1, 6, buf);
    }
    grid_print(&g, md);
    grid_clean(&g);
    return 0;
}

static int print_tables(const struct cmp_run *run, bool md)
{
    int rc;

    if ((rc = print_hp_table(run, md)) < 0 || (rc = print_metric_table(run, md)) < 0)
        return rc;
    return print_resource_table(run, md);
}

/* ---- CSV -------------------------------------------------------------------------------- */

static void csv_field(const char *s)
{
    const char *p;

    s = safe(s);
    if (strpbrk(s, ",\"\n") == NULL) {
        fputs(s, stdout);
        return;
    }
    putchar('"');
    for (p = s; *p; p++) {
        if (*p == '"')
            putchar('"');
        putchar(*p);
    }
    putchar('"');
}

static void csv_row(const char *section, const char *name, const char *job, const char *field,
                    const char *value)
{
    csv_field(section);
    putchar(',');
    csv_field(name);
    putchar(',');
    csv_field(job);
    putchar(',');
    csv_field(field);
    putchar(',');
    csv_field(value);
    putchar('\n');
}

static void csv_num(const char *section, const char *name, const char *job, const char *field,
                    double v)
{
    char buf[64];

    if (isnan(v))
        buf[0] = '\0';
    else
        snprintf(buf, sizeof(buf), "%.17g", v);
    csv_row(section, name, job, field, buf);
}

static void print_csv(const struct cmp_run *run)
{
    size_t r, k;

    printf("section,name,job,field,value\n");
    for (r = 0; r < run->hp.n_rows; r++)
        for (k = 0; k < run->n; k++)
            if (run->hp.rows[r].values[k] != NULL)
                csv_row("hyperparameter", run->hp.rows[r].key, run->names[k], "value",
                        run->hp.rows[r].values[k]);
    for (r = 0; r < run->mt.n_rows; r++) {
        const struct compare_metric_row *m = &run->mt.rows[r];

        for (k = 0; k < run->n; k++) {
            const struct compare_metric_cell *c = &m->cells[k];

            if (!c->present)
                continue;
            csv_num("metric", m->name, run->names[k], "last", c->last);
            csv_num("metric", m->name, run->names[k], "min", c->min);
            csv_num("metric", m->name, run->names[k], "max", c->max);
            csv_num("metric", m->name, run->names[k], "best", c->best);
            csv_num("metric", m->name, run->names[k],
                    job_x_step(&run->jobs[k], m->name) ? "best_step" : "best_at_s", c->best_x);
            csv_row("metric", m->name, run->names[k], "is_best",
                    cell_best(m, k) ? "true" : "false");
        }
    }
    for (k = 0; k < run->n; k++) {
        const struct cmp_job *j = &run->jobs[k];
        char buf[64];

        csv_row("resources", "", run->names[k], "status", j->cj.status);
        csv_row("resources", "", run->names[k], "instance_type", j->cj.instance_type);
        snprintf(buf, sizeof(buf), "%d", j->cj.instance_count);
        csv_row("resources", "", run->names[k], "instance_count", buf);
        csv_num("resources", "", run->names[k], "training_s", (double)j->cj.training_seconds);
        csv_num("resources", "", run->names[k], "billable_s", (double)j->cj.billable_seconds);
        csv_row("resources", "", run->names[k], "spot", j->cj.spot ? "true" : "false");
        csv_num("resources", "", run->names[k], "spot_savings_pct", j->res.spot_savings_pct);
        csv_num("resources", "", run->names[k], "cost_usd",
                j->res.price_known ? j->res.cost_usd : NAN);
    }
}

/* ---- JSON ------------------------------------------------------------------------------- */

static json_t *num_or_null(double v)
{
    return isfinite(v) ? json_real(v) : json_null();
}

static int print_json(const struct cmp_run *run)
{
    json_t *root = json_object(), *jobs = json_array(), *hp = json_object();
    json_t *mt = json_object(), *res = json_object();
    size_t r, k;
    char *s;

    if (root == NULL || jobs == NULL || hp == NULL || mt == NULL || res == NULL) {
        json_decref(root);
        json_decref(jobs);
        json_decref(hp);
        json_decref(mt);
        json_decref(res);
        return ERR_NOMEM;
    }
    for (k = 0; k < run->n; k++)
        json_array_append_new(jobs, json_string(safe(run->names[k])));
    for (r = 0; r < run->hp.n_rows; r++) {
        json_t *row = json_object();

        for (k = 0; k < run->n; k++)
            json_object_set_new(row, run->names[k],
                                run->hp.rows[r].values[k] != NULL
                                    ? json_string(safe(run->hp.rows[r].values[k]))
                                    : json_null());
        json_object_set_new(hp, safe(run->hp.rows[r].key), row);
    }
    for (r = 0; r < run->mt.n_rows; r++) {
        const struct compare_metric_row *m = &run->mt.rows[r];
        json_t *row = json_object(), *per = json_object();

        json_object_set_new(row, "direction", json_string(dir_name(m->dir)));
        json_object_set_new(row, "best_job", m->best_job >= 0
                                                 ? json_string(run->names[m->best_job])
                                                 : json_null());
        for (k = 0; k < run->n; k++) {
            const struct compare_metric_cell *c = &m->cells[k];

            if (!c->present)
                continue;
            json_object_set_new(per, run->names[k],
                                json_pack("{s:o,s:o,s:o,s:o,s:o,s:I}", "last",
                                          num_or_null(c->last), "min", num_or_null(c->min),
                                          "max", num_or_null(c->max), "best",
                                          num_or_null(c->best),
                                          job_x_step(&run->jobs[k], m->name) ? "best_step"
                                                                             : "best_at_s",
                                          num_or_null(c->best_x), "count",
                                          (json_int_t)c->count));
        }
        json_object_set_new(row, "jobs", per);
        json_object_set_new(mt, safe(m->name), row);
    }
    for (k = 0; k < run->n; k++) {
        const struct cmp_job *j = &run->jobs[k];

        json_object_set_new(
            res, run->names[k],
            json_pack("{s:s,s:s,s:i,s:I,s:I,s:b,s:o,s:o,s:o}", "status", j->cj.status,
                      "instance_type", j->cj.instance_type, "instance_count",
                      j->cj.instance_count, "training_s", (json_int_t)j->cj.training_seconds,
                      "billable_s", (json_int_t)j->cj.billable_seconds, "spot", j->cj.spot,
                      "spot_savings_pct", num_or_null(j->res.spot_savings_pct), "usd_per_hour",
                      j->res.price_known ? json_real(j->res.usd_per_hour) : json_null(),
                      "cost_usd", j->res.price_known ? json_real(j->res.cost_usd)
                                                     : json_null()));
    }
    json_object_set_new(root, "jobs", jobs);
    json_object_set_new(root, "hyperparameters", hp);
    json_object_set_new(root, "hidden_equal", json_integer((json_int_t)run->hp.hidden_equal));
    json_object_set_new(root, "hidden_internal",
                        json_integer((json_int_t)run->hp.hidden_internal));
    json_object_set_new(root, "metrics", mt);
    json_object_set_new(root, "resources", res);
    json_object_set_new(root, "prices", json_pack("{s:s,s:s,s:s}", "region", prices_region,
                                                  "date", prices_date, "source", prices_source));
    s = json_dumps(root, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
    json_decref(root);
    if (s == NULL)
        return ERR_NOMEM;
    printf("%s\n", s);
    free(s);
    return 0;
}

int compare_output_write(const struct cmp_run *run, enum cmp_format fmt)
{
    switch (fmt) {
    case CMP_TABLE:
        return print_tables(run, false);
    case CMP_MD:
        return print_tables(run, true);
    case CMP_CSV:
        print_csv(run);
        return 0;
    case CMP_JSON:
        return print_json(run);
    }
    return 0;
}
