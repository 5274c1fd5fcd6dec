/* tuning_plot.c: the points a tuning chart draws, from what the tuning readers return: each
 * trial's final objective over completion order with the running best as a step line, or vs
 * one tuned hyperparameter (log10 x for a logarithmic range, the value's position for a
 * categorical one), and the chart's title saying so. Shared by `sagetop tuning plot` and the
 * TUI's tuning charts. Pure: no SQL, no I/O; must not render (tui/chart.c does). */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "aws/dynbuf.h"
#include "cache/tuning.h"
#include "metrics/series.h"

const struct cache_tuning_range *cache_tuning_range_find(const struct cache_tuning_range_list *rl,
                                                         const char *name)
{
    size_t i;

    for (i = 0; name != NULL && i < rl->n; i++)
        if (strcmp(rl->items[i].name, name) == 0)
            return &rl->items[i];
    return NULL;
}

bool cache_tuning_range_log(const struct cache_tuning_range *r)
{
    return r != NULL && strcmp(r->scaling, "Logarithmic") == 0;
}

double cache_tuning_hp_x(const struct cache_trial *t, const char *hp,
                         const struct cache_tuning_range *r)
{
    const char *v = NULL;
    char *end;
    double x;
    size_t i;

    for (i = 0; i < t->n_hps; i++)
        if (strcmp(t->hps[i].key, hp) == 0)
            v = t->hps[i].value;
    if (v == NULL)
        return NAN;
    if (r != NULL && strcmp(r->kind, "categorical") == 0) {
        /* the value's 1-based position in the range's list */
        const char *p = r->values;
        size_t n = strlen(v);

        for (i = 1; *p != '\0'; i++) {
            if (strncmp(p, v, n) == 0 && (p[n] == ',' || p[n] == '\0'))
                return (double)i;
            p = strchr(p, ',');
            if (p == NULL)
                break;
            p++;
        }
        return NAN;
    }
    x = strtod(v, &end);
    if (end == v || !isfinite(x))
        return NAN;
    if (cache_tuning_range_log(r))
        return x > 0 ? log10(x) : NAN;
    return x;
}

int cache_tuning_objective_series(const struct cache_tuning *tj, const struct cache_trial_list *l,
                                  const char *by, const struct cache_tuning_range *r,
                                  struct series *pts, struct series *best, struct err *e)
{
    bool maximize = strcmp(tj->objective_type, "Maximize") == 0;
    double cur = NAN, x;
    size_t i, k = 0;
    int rc = 0;

    for (i = 0; rc == 0 && i < l->n; i++) {
        const struct cache_trial *t = &l->items[i];

        if (!t->has_objective || !isfinite(t->objective))
            continue;
        if (by != NULL) {
            x = cache_tuning_hp_x(t, by, r);
            if (isfinite(x))
                rc = series_push(pts, x, t->objective, e);
            continue;
        }
        x = (double)++k;
        rc = series_push(pts, x, t->objective, e);
        /* a step: the old best up to this trial, then the new one */
        if (rc == 0 && best != NULL && isfinite(cur))
            rc = series_push(best, x, cur, e);
        if (!isfinite(cur) || (maximize ? t->objective > cur : t->objective < cur))
            cur = t->objective;
        if (rc == 0 && best != NULL)
            rc = series_push(best, x, cur, e);
    }
    if (rc == 0)
        rc = series_sort(pts, e);
    return rc;
}

void cache_tuning_plot_title(const struct cache_tuning *tj, const char *by,
                             const struct cache_tuning_range *r, struct dynbuf *out)
{
    bool cat = r != NULL && strcmp(r->kind, "categorical") == 0;

    dynbuf_printf(out, "%s: %s (%s) ", tj->name, tj->objective_metric, tj->objective_type);
    if (by == NULL)
        dynbuf_addstr(out, "by completion order");
    else
        dynbuf_printf(out, "vs %s%s%s%s%s", cache_tuning_range_log(r) ? "log10 " : "", by,
                      cat ? " (1.. = " : "", cat ? r->values : "", cat ? ")" : "");
}
