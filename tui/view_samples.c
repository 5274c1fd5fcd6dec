/* view_samples.c: a job's stored metric points as samples (time, step, epoch, value) for the
 * metric and compare views (view_metric_samples() in tui/views.h): one host's or rank's points
 * as a procsel selects, or the first instance's by default. Reads the UI's cache connection
 * only; must not draw or keep state. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "metrics/procprefix.h"
#include "metrics/series.h"
#include "tui/views.h"

/* One metric's points (by default the first instance's: every host logs the same Trainer
 * lines) as samples with time, step and epoch, so any x axis can be drawn without reading them
 * again. */
int view_metric_samples(struct cache *c, const char *job, const char *name,
                        const struct procsel *sel, double *start, struct series_sample **out,
                        size_t *n_out, struct err *e)
{
    struct cache_point_query q = { .procs = sel };
    struct cache_point_list pl;
    struct series_sample *smp;
    size_t i, n = 0;

    memset(&pl, 0, sizeof(pl));
    if ((sel != NULL ? cache_job_metric_points_query(c, job, name, &q, &pl, e)
                     : cache_job_metric_points(c, job, name, NULL, &pl, e)) != 0)
        return e->code != 0 ? e->code : ERR_CACHE;
    if ((smp = calloc(pl.n + 1, sizeof(*smp))) == NULL) {
        cache_point_list_clean(&pl);
        return err_set(e, ERR_NOMEM, "out of memory");
    }
    if (!(*start > 0) && pl.n > 0)
        *start = (double)pl.items[0].ts_ms / 1000.0;
    for (i = 0; i < pl.n; i++) {
        const struct cache_point *p = &pl.items[i];

        if (sel == NULL && pl.n_instances > 1 && p->instance != 0)
            continue;
        smp[n].time_s = (double)p->ts_ms / 1000.0;
        smp[n].step = p->step >= 0 ? (double)p->step : NAN;
        smp[n].epoch = p->epoch;
        smp[n].value = p->value;
        n++;
    }
    cache_point_list_clean(&pl);
    *out = smp;
    *n_out = n;
    return 0;
}
