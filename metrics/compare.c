/* compare.c: run comparison tables (hyperparameters, metrics, resources) over plain structs.
 *
 * Owns the tables it builds and the strings copied into them; borrows its inputs. Must not do
 * I/O or know how a table is shown: `sagetop compare` formats table/md/csv/json and the TUI
 * draws cells from the same rows.
 */
#include <ctype.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "aws/hexdigit.h"
#include "metrics/compare.h"
#include "metrics/prices.h"

/* Appends code point cp as UTF-8 when it fits; returns the new length. */
static size_t put_utf8(char *out, size_t n, size_t cap, unsigned cp)
{
    char b[4];
    size_t k = 0, i;

    if (cp < 0x80) {
        b[k++] = (char)cp;
    } else if (cp < 0x800) {
        b[k++] = (char)(0xc0 | (cp >> 6));
        b[k++] = (char)(0x80 | (cp & 0x3f));
    } else {
        b[k++] = (char)(0xe0 | (cp >> 12));
        b[k++] = (char)(0x80 | ((cp >> 6) & 0x3f));
        b[k++] = (char)(0x80 | (cp & 0x3f));
    }
    for (i = 0; i < k && n + 1 < cap; i++)
        out[n++] = b[i];
    return n;
}

size_t compare_unquote(const char *v, size_t len, char *out, size_t cap)
{
    size_t i, n = 0;

    if (cap == 0)
        return 0;
    if (len < 2 || v[0] != '"' || v[len - 1] != '"') {
        n = len < cap - 1 ? len : cap - 1;
        memcpy(out, v, n);
        out[n] = '\0';
        return n;
    }
    for (i = 1; i + 1 < len && n + 1 < cap; i++) {
        char c = v[i];

        if (c == '\\' && i + 2 < len) {
            c = v[++i];
            switch (c) {
            case 'n':
                c = '\n';
                break;
            case 't':
                c = '\t';
                break;
            case 'r':
                c = '\r';
                break;
            case 'b':
                c = '\b';
                break;
            case 'f':
                c = '\f';
                break;
            case 'u':
                if (i + 4 < len - 1) {
                    int h0 = hex_digit_value(v[i + 1]), h1 = hex_digit_value(v[i + 2]);
                    int h2 = hex_digit_value(v[i + 3]), h3 = hex_digit_value(v[i + 4]);

                    if (h0 >= 0 && h1 >= 0 && h2 >= 0 && h3 >= 0) {
                        n = put_utf8(out, n, cap,
                                     (unsigned)(h0 << 12 | h1 << 8 | h2 << 4 | h3));
                        i += 4;
                        continue;
                    }
                }
                c = 'u';
                break;
            default: /* \" \\ \/ and anything unknown: the character itself */
                break;
            }
        }
        out[n++] = c;
    }
    out[n] = '\0';
    return n;
}

static bool as_number(const char *s, double *out)
{
    char *end;

    while (isspace((unsigned char)*s))
        s++;
    if (*s == '\0')
        return false;
    *out = strtod(s, &end);
    while (isspace((unsigned char)*end))
        end++;
    return *end == '\0' && isfinite(*out);
}

bool compare_values_equal(const char *a, const char *b)
{
    double x, y;

    if (a == NULL || b == NULL)
        return a == b;
    if (strcmp(a, b) == 0)
        return true;
    return as_number(a, &x) && as_number(b, &y) && x == y;
}

static int cmp_str(const void *a, const void *b)
{
    return strcmp(*(const char *const *)a, *(const char *const *)b);
}

static char *unquoted_copy(const char *v)
{
    size_t len = strlen(v);
    char *out = malloc(len + 1);

    if (out != NULL)
        compare_unquote(v, len, out, len + 1);
    return out;
}

void compare_hp_clean(struct compare_hp_table *t)
{
    size_t i, j;

    for (i = 0; i < t->n_rows; i++) {
        free(t->rows[i].key);
        for (j = 0; t->rows[i].values != NULL && j < t->n_jobs; j++)
            free(t->rows[i].values[j]);
        free(t->rows[i].values);
    }
    free(t->rows);
    memset(t, 0, sizeof(*t));
}

/* The sorted, distinct keys of every job (borrowed pointers). */
static const char **all_keys(const struct compare_hp_job *jobs, size_t n_jobs, size_t *n_keys)
{
    size_t total = 0, i, j, k = 0;
    const char **keys;

    for (i = 0; i < n_jobs; i++)
        total += jobs[i].n;
    keys = malloc((total > 0 ? total : 1) * sizeof(*keys));
    if (keys == NULL)
        return NULL;
    for (i = 0; i < n_jobs; i++)
        for (j = 0; j < jobs[i].n; j++)
            keys[k++] = jobs[i].items[j].key;
    qsort(keys, k, sizeof(*keys), cmp_str);
    for (i = 0, j = 0; i < k; i++)
        if (j == 0 || strcmp(keys[j - 1], keys[i]) != 0)
            keys[j++] = keys[i];
    *n_keys = j;
    return keys;
}

static const char *find_value(const struct compare_hp_job *job, const char *key)
{
    size_t i;

    for (i = 0; i < job->n; i++)
        if (strcmp(job->items[i].key, key) == 0)
            return job->items[i].value;
    return NULL;
}

int compare_hp_build(const struct compare_hp_job *jobs, size_t n_jobs, unsigned flags,
                     struct compare_hp_table *out, struct err *e)
{
    struct compare_hp_table t = { NULL, 0, n_jobs, 0, 0 };
    const char **keys = NULL;
    size_t n_keys = 0, i, j;
    int rc = 0;

    if (n_jobs == 0 || n_jobs > COMPARE_MAX_JOBS)
        return err_set(e, ERR_INVAL, "compare: %zu jobs, need 1 to %d", n_jobs,
                       COMPARE_MAX_JOBS);
    keys = all_keys(jobs, n_jobs, &n_keys);
    if (keys == NULL)
        goto nomem;
    t.rows = calloc(n_keys > 0 ? n_keys : 1, sizeof(*t.rows));
    if (t.rows == NULL)
        goto nomem;
    for (i = 0; i < n_keys; i++) {
        struct compare_hp_row *row = &t.rows[t.n_rows];
        bool differs = false;

        if (!(flags & COMPARE_HP_INTERNAL) && strncmp(keys[i], "sagemaker_", 10) == 0) {
            t.hidden_internal++;
            continue;
        }
        row->values = calloc(n_jobs, sizeof(*row->values));
        row->key = strdup(keys[i]);
        t.n_rows++;
        if (row->values == NULL || row->key == NULL)
            goto nomem;
        for (j = 0; j < n_jobs; j++) {
            const char *v = find_value(&jobs[j], keys[i]);

            if (v != NULL && (row->values[j] = unquoted_copy(v)) == NULL)
                goto nomem;
            if (j > 0 && !compare_values_equal(row->values[0], row->values[j]))
                differs = true;
        }
        row->differs = differs;
        if (!differs && !(flags & COMPARE_HP_ALL)) {
            /* drop it again: free this row's strings and reuse the slot */
            for (j = 0; j < n_jobs; j++)
                free(row->values[j]);
            free(row->values);
            free(row->key);
            memset(row, 0, sizeof(*row));
            t.n_rows--;
            t.hidden_equal++;
        }
    }
    free(keys);
    *out = t;
    return 0;
nomem:
    free(keys);
    compare_hp_clean(&t);
    rc = err_set(e, ERR_NOMEM, "compare: out of memory building the hyperparameter table");
    return rc;
}

/* ---- metrics ------------------------------------------------------------------------ */

static int cmp_metric_name(const void *a, const void *b)
{
    return strcmp(*(const char *const *)a, *(const char *const *)b);
}

void compare_metrics_clean(struct compare_metric_table *t)
{
    size_t i;

    for (i = 0; i < t->n_rows; i++) {
        free(t->rows[i].name);
        free(t->rows[i].cells);
    }
    free(t->rows);
    memset(t, 0, sizeof(*t));
}

static enum series_dir direction(const char *name, const struct compare_dir_rule *rules,
                                 size_t n_rules)
{
    size_t i;

    for (i = 0; i < n_rules; i++)
        if (rules[i].metric != NULL && strcmp(rules[i].metric, name) == 0)
            return rules[i].dir;
    return series_dir_guess(name);
}

static bool better(enum series_dir dir, double a, double b)
{
    return dir == SERIES_DIR_UP ? a > b : a < b;
}

int compare_metrics_build(const struct compare_metrics_job *jobs, size_t n_jobs,
                          const struct compare_dir_rule *rules, size_t n_rules,
                          struct compare_metric_table *out, struct err *e)
{
    struct compare_metric_table t = { NULL, 0, n_jobs };
    const char **names = NULL;
    size_t total = 0, n_names = 0, i, j, k;

    if (n_jobs == 0 || n_jobs > COMPARE_MAX_JOBS)
        return err_set(e, ERR_INVAL, "compare: %zu jobs, need 1 to %d", n_jobs,
                       COMPARE_MAX_JOBS);
    for (i = 0; i < n_jobs; i++)
        total += jobs[i].n;
    names = malloc((total > 0 ? total : 1) * sizeof(*names));
    if (names == NULL)
        goto nomem;
    for (i = 0; i < n_jobs; i++)
        for (j = 0; j < jobs[i].n; j++)
            names[n_names++] = jobs[i].metrics[j].name;
    qsort(names, n_names, sizeof(*names), cmp_metric_name);
    for (i = 0, j = 0; i < n_names; i++)
        if (j == 0 || strcmp(names[j - 1], names[i]) != 0)
            names[j++] = names[i];
    n_names = j;
    t.rows = calloc(n_names > 0 ? n_names : 1, sizeof(*t.rows));
    if (t.rows == NULL)
        goto nomem;
    for (i = 0; i < n_names; i++) {
        struct compare_metric_row *row = &t.rows[i];

        t.n_rows++;
        row->name = strdup(names[i]);
        row->cells = calloc(n_jobs, sizeof(*row->cells));
        if (row->name == NULL || row->cells == NULL)
            goto nomem;
        row->dir = direction(names[i], rules, n_rules);
        row->best_job = -1;
        for (j = 0; j < n_jobs; j++) {
            struct compare_metric_cell *c = &row->cells[j];
            const struct series *s = NULL;
            struct series_stats st;
            struct series_point best;

            for (k = 0; k < jobs[j].n && s == NULL; k++)
                if (strcmp(jobs[j].metrics[k].name, names[i]) == 0)
                    s = jobs[j].metrics[k].s;
            if (s == NULL || !series_stats(s, &st) || !series_best(s, row->dir, &best))
                continue;
            c->present = true;
            c->count = st.count;
            c->last = st.last;
            c->min = st.min;
            c->max = st.max;
            c->best = best.y;
            c->best_x = best.x;
            /* ties keep the earlier job: the first to get there */
            if (row->best_job < 0 || better(row->dir, c->best, row->cells[row->best_job].best))
                row->best_job = (int)j;
        }
    }
    free(names);
    *out = t;
    return 0;
nomem:
    free(names);
    compare_metrics_clean(&t);
    return err_set(e, ERR_NOMEM, "compare: out of memory building the metrics table");
}

/* ---- resources ---------------------------------------------------------------------- */

void compare_resources_compute(const struct compare_resources_in *in,
                               struct compare_resources *out)
{
    double price = 0;

    memset(out, 0, sizeof(*out));
    out->spot_savings_pct = NAN;
    out->price_known = prices_lookup(in->instance_type, &price);
    if (out->price_known) {
        out->usd_per_hour = price;
        out->cost_usd = prices_estimate_usd(price, in->instance_count, in->billable_s);
        out->on_demand_usd = prices_estimate_usd(price, in->instance_count, in->training_s);
    }
    if (in->spot && in->training_s > 0 && in->billable_s >= 0 && isfinite(in->billable_s))
        out->spot_savings_pct = (1.0 - in->billable_s / in->training_s) * 100.0;
}
