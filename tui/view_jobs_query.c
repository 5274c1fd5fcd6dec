/* view_jobs_query.c: what the job list shows: the query (its fields of the filter language,
 * tui/query.h, turned into the cache's terms; the sort and `:sort`'s check; the creation-time
 * bound), the window of rows read from the cache around the cursor (only the
 * visible ones, so 100,000 jobs cost what 50 do), the user columns' cells, and the extra
 * columns remembered in the config file's [ui] section (through aws/userconfig.h). Must not
 * draw or handle keys (view_jobs.c does). */
#include <ctype.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "aws/dynbuf.h"
#include "aws/userconfig.h"
#include "cache/session.h"
#include "cache/sysmetrics.h"
#include "tui/draw.h"
#include "tui/query.h"
#include "tui/sanitize.h"
#include "tui/spark.h"
#include "tui/view_jobs_internal.h"
#include "tui/views.h"

#define JOBS_SPARK_N 5          /* minutes in a sys.X cell's sparkline */

/* ---- columns remembered in the config ([ui] section, "columns hp.x m.y") ---------------- */

void jobs_add_user_col(struct jobs_state *s, const char *key)
{
    struct column *c;
    size_t i;

    if (s->n_cols == MAX_COLS || (strncmp(key, "hp.", 3) != 0 && strncmp(key, "m.", 2) != 0) ||
        !key[key[0] == 'h' ? 3 : 2])
        return;
    for (i = 0; i < s->n_cols; i++)
        if (strcmp(s->cols[i].key, key) == 0)
            return;
    c = &s->cols[s->n_cols++];
    memset(c, 0, sizeof(*c));
    str_copy(c->key, sizeof(c->key), key);
    str_copy(c->title, sizeof(c->title), key);
    for (i = 0; c->title[i]; i++)
        c->title[i] = (char)toupper((unsigned char)c->title[i]);
    c->width = (int)strlen(c->title) < 10 ? 10 : (int)strlen(c->title);
    if (c->width > 18)
        c->width = 18;
    c->right = true;
    c->priority = 5;    /* above DURATION, INSTANCE, SPOT, SECONDARY */
}

void jobs_load_columns(struct jobs_state *s)
{
    struct userconfig *cfg = NULL;
    char value[1024];
    char *tok, *save = NULL;

    if (userconfig_load(NULL, &cfg, NULL) != 0)
        return;
    if (userconfig_get(cfg, "ui", "columns", value, sizeof(value)))
        for (tok = strtok_r(value, " \t", &save); tok; tok = strtok_r(NULL, " \t", &save))
            jobs_add_user_col(s, tok);
    userconfig_free(cfg);
}

/* Sets "columns ..." in the config's [ui] section, keeping every other line as it was. */
static int save_columns(struct jobs_state *s, struct err *e)
{
    struct userconfig *cfg = NULL;
    struct dynbuf cols;
    size_t i;
    int rc;

    if ((rc = userconfig_load(NULL, &cfg, e)) != 0)
        return rc;
    dynbuf_init(&cols, 4096);
    dynbuf_addstr(&cols, "");
    for (i = s->n_builtin; i < s->n_cols; i++)
        dynbuf_printf(&cols, "%s%s", i > s->n_builtin ? " " : "", s->cols[i].key);
    rc = cols.err ? err_set(e, cols.err, "too many columns")
                  : userconfig_set(cfg, "ui", "columns", dynbuf_str(&cols), e);
    if (rc == 0)
        rc = userconfig_save(cfg, NULL, e);
    dynbuf_free(&cols);
    userconfig_free(cfg);
    return rc;
}

/* ---- the query ------------------------------------------------------------------------------ */

/* The job list's fields of the filter language (tui/query.h); the other terms are name
 * regexes. status:Failed (or status:InProgress,Stopping), hp.K:V hp.K!=V, m.K<V m.K>=V ...,
 * sys.gpu<20 (a host metric's mean over the last 5 minutes: cpu mem gpu gpu_mem disk). */
static const struct query_field job_fields[] = {
    { "status", false }, { "hp.", true }, { "m.", true }, { "sys.", true }, { NULL, false },
};

int jobs_parse_filter(struct jobs_state *s, const char *text, struct err *e)
{
    struct query qy;
    struct cache_job_query q;
    char name_re[256] = "", status[128] = "", cond[400];
    bool invert = false;
    size_t i;
    int rc;

    memset(&q, 0, sizeof(q));
    if ((rc = query_parse(text, job_fields, &qy, e)) != 0 ||
        (rc = query_name_pattern(&qy, name_re, sizeof(name_re), &invert, e)) != 0)
        return rc;
    for (i = 0; i < qy.n; i++) {
        const struct query_term *t = &qy.terms[i];

        if (!t->is_field)
            continue;
        if (strcmp(t->name, "status") == 0 && t->op == QUERY_EQ) {
            str_copy(status, sizeof(status), t->value);
            continue;
        }
        /* the cache's condition: status!=X, hp., m., sys. */
        if (q.n_conds == CACHE_MAX_CONDS)
            return err_set(e, ERR_INVAL, "at most %d conditions", CACHE_MAX_CONDS);
        snprintf(cond, sizeof(cond), "%s%s%s", t->name, query_op_text(t->op), t->value);
        if (cache_cond_parse(cond, &q.conds[q.n_conds], e) < 0)
            return -1;
        q.n_conds++;
    }
    str_copy(s->filter, sizeof(s->filter), text);
    str_copy(s->name_regex, sizeof(s->name_regex), name_re);
    str_copy(s->status, sizeof(s->status), status);
    s->name_invert = invert;
    memcpy(s->q.conds, q.conds, sizeof(q.conds));
    s->q.n_conds = q.n_conds;
    return 0;
}

bool view_jobs_sort_valid(struct app *a, int argc, char **argv, bool *desc)
{
    struct cache_job_query q = { 0 };
    struct err e = { 0 };
    size_t n = 0;
    bool d;

    if (query_sort_args(argc, argv, &d, &e) != 0) {
        app_flash(a, true, "%s", e.msg);
        return false;
    }
    if ((strncmp(argv[1], "hp.", 3) == 0 && !argv[1][3]) ||
        (strncmp(argv[1], "m.", 2) == 0 && !argv[1][2])) {
        app_flash(a, true, "sort: %s needs a name after the dot", argv[1]);
        return false;
    }
    q.sort = argv[1];
    if (cache_jobs_window(app_cache(a), &q, 0, 0, NULL, &n, &e) != 0 && e.code == ERR_INVAL) {
        app_flash(a, true, "%s", e.msg);
        return false;
    }
    if (desc)
        *desc = d;
    return true;
}

void jobs_build_query(struct jobs_state *s)
{
    s->q.sort = s->sort;
    s->q.descending = s->desc;
    s->q.name_regex = s->name_regex[0] ? s->name_regex : NULL;
    s->q.name_invert = s->name_invert;
    s->q.status = s->status[0] ? s->status : NULL;
    s->q.created_after = s->created_after;
    s->stale = true;
}

/* A sys.X column's cells (column c) of rows[0..n): "▂▁▁ 12%", the sparkline of the newest
 * minutes then the mean of the last 5 (cache_sys_recent()); "" when the job has none. */
static void jobs_load_sys_cells(struct app *a, const char *name, struct row *rows, size_t n,
                                size_t c)
{
    const char *metric = cache_sys_metric_resolve(name);
    int64_t ids[WINDOW_MAX];
    double vals[WINDOW_MAX], spark[JOBS_SPARK_N];
    bool has[WINDOW_MAX];

    for (size_t i = 0; i < n; i++)
        ids[i] = rows[i].job.id;
    if (metric == NULL || cache_sys_recent(app_cache(a), ids, n, metric, vals, has, NULL) < 0)
        return;
    for (size_t i = 0; i < n; i++) {
        char sp[JOBS_SPARK_N * 3 + 1] = "";
        size_t k;

        if (!has[i])
            continue;
        k = cache_sys_spark(app_cache(a), ids[i], rows[i].job.instance_type, metric, spark,
                            JOBS_SPARK_N);
        spark_text(spark, k, 0, 100, draw_utf8(), sp, sizeof(sp));
        snprintf(rows[i].user[c], sizeof(rows[i].user[c]), "%s%s%3.0f%%", sp, k ? " " : "",
                 vals[i]);
    }
}

/* The hp.X and m.X cells of rows[0..n) (the visible ones): one query per metric column for
 * all of them; hyperparameters per row, only when such a column is shown. */
void jobs_load_cells(struct jobs_state *s, struct app *a, struct row *rows, size_t n)
{
    int64_t ids[WINDOW_MAX];
    double vals[WINDOW_MAX];
    unsigned char kind[WINDOW_MAX];
    bool need_hp = false;
    size_t c, i;

    for (i = 0; i < n && rows[i].cells_loaded; i++)
        ;
    if (i == n)
        return;
    for (i = 0; i < n; i++) {
        ids[i] = rows[i].job.id;
        memset(rows[i].user, 0, sizeof(rows[i].user));
        memset(rows[i].user_final, 0, sizeof(rows[i].user_final));
        rows[i].cells_loaded = true;
    }
    for (c = 0; c < s->n_cols && c < MAX_COLS; c++) {
        const char *k = s->cols[c].key;

        need_hp |= strncmp(k, "hp.", 3) == 0;
        if (strncmp(k, "sys.", 4) == 0)
            jobs_load_sys_cells(a, k + 4, rows, n, c);
        if (strncmp(k, "m.", 2) != 0 ||
            cache_jobs_metric_column(app_cache(a), ids, n, k + 2, vals, kind, NULL) < 0)
            continue;
        for (i = 0; i < n; i++) {
            /* the log's last value when the log is cached, else SageMaker's (drawn dim) */
            if (kind[i] != CACHE_MCOL_NONE)
                fmt_value(vals[i], rows[i].user[c], sizeof(rows[i].user[c]));
            rows[i].user_final[c] = kind[i] == CACHE_MCOL_FINAL;
        }
    }
    for (i = 0; need_hp && i < n; i++) {
        struct cache_kv_list hp = { 0 };
        size_t h;

        cache_job_hyperparameters(app_cache(a), rows[i].job.name, &hp, NULL);
        for (c = 0; c < s->n_cols && c < MAX_COLS; c++) {
            const char *k = s->cols[c].key;

            for (h = 0; strncmp(k, "hp.", 3) == 0 && h < hp.n; h++)
                if (strcmp(hp.items[h].key, k + 3) == 0)
                    sanitize_text(hp.items[h].value, strlen(hp.items[h].value), rows[i].user[c],
                                  sizeof(rows[i].user[c]), draw_utf8() ? 0 : SANITIZE_ASCII);
        }
        cache_kv_list_clean(&hp);
    }
}

/* Fetches the rows around the visible ones: a page above, the page, a page below, so that
 * scrolling costs one query per page, not one per key; the count only when the query or the
 * cache changed (recount). */
void jobs_refresh_window(struct jobs_state *s, struct app *a, int rows, bool recount)
{
    struct err e = { 0 };
    size_t n = 0, i, from, limit;

    if (rows < 1)
        rows = 1;
    if (rows > WINDOW_MAX / 3)
        rows = WINDOW_MAX / 3;
    s->list.cursor = true;
    s->list.page = rows;
    s->error[0] = '\0';
    if (recount && cache_jobs_count(app_cache(a), &s->q, &s->list.count, &e) < 0) {
        str_copy(s->error, sizeof(s->error), e.msg);
        s->list.count = 0;
        s->n_rows = 0;
        s->stale = false;
        return;
    }
    list_resize(&s->list, s->list.count, rows);
    if (!s->rows)
        s->rows = calloc(WINDOW_MAX, sizeof(*s->rows));
    if (!s->rows)
        return;
    from = s->list.top > (size_t)rows ? s->list.top - (size_t)rows : 0;
    limit = 3 * (size_t)rows;
    {
        struct cache_job *jobs = calloc(limit, sizeof(*jobs));

        if (!jobs)
            return;
        if (cache_jobs_window(app_cache(a), &s->q, from, limit, jobs, &n, &e) < 0) {
            str_copy(s->error, sizeof(s->error), e.msg);
            n = 0;
        }
        for (i = 0; i < n; i++) {
            s->rows[i].job = jobs[i];
            /* the metric and hyperparameter cells cost a query per row: read when drawn */
            s->rows[i].cells_loaded = false;
        }
        free(jobs);
    }
    s->n_rows = n;
    s->rows_top = from;
    s->stale = false;
}

const struct cache_job *jobs_current_job(struct jobs_state *s)
{
    if (s->n_rows == 0 || s->list.cur < s->rows_top || s->list.cur >= s->rows_top + s->n_rows)
        return NULL;
    return &s->rows[s->list.cur - s->rows_top].job;
}

int jobs_cmd_cols(struct jobs_state *s, int argc, char **argv, struct app *a)
{
    struct err e = { 0 };
    int i;

    for (i = 1; i < argc; i++) {
        const char *t = argv[i];

        if (t[0] == '-') {
            size_t k;

            for (k = s->n_builtin; k < s->n_cols; k++) {
                if (strcmp(s->cols[k].key, t + 1) == 0) {
                    memmove(&s->cols[k], &s->cols[k + 1], (s->n_cols - k - 1) * sizeof(s->cols[0]));
                    s->n_cols--;
                    break;
                }
            }
        } else if (strcmp(t, "reset") == 0) {
            s->n_cols = s->n_builtin;
        } else {
            const char *key = t[0] == '+' ? t + 1 : t;

            if (strncmp(key, "hp.", 3) != 0 && strncmp(key, "m.", 2) != 0) {
                app_flash(a, true, "cols: '%s' is not hp.NAME or m.NAME", key);
                return R_REDRAW;
            }
            jobs_add_user_col(s, key);
        }
    }
    if (save_columns(s, &e) < 0) {
        app_flash(a, true, "columns set, but the config file could not be written: %s", e.msg);
    } else {
        int widths[MAX_COLS];
        size_t k, hidden = 0;
        const char *first = NULL;

        jobs_layout(s, s->width, widths);
        for (k = s->n_builtin; k < s->n_cols; k++)
            if (widths[k] == 0 && !hidden++)
                first = s->cols[k].key;
        if (hidden && s->width > 0)
            app_flash(a, true, "columns saved; %s%s does not fit in %d columns: widen the "
                      "terminal, scroll with Right, or remove a column", first,
                      hidden > 1 ? " and more" : "", s->width);
        else
            app_flash(a, false, "columns saved to the config");
    }
    s->stale = true;
    return R_REDRAW;
}

