/* views.h: every screen of the UI, by its vtable. The frame (app.c) and the views push each
 * other through these names only.
 *
 * Owners: jobs, detail, logs, metrics (`m` on a job), compare (`c` on marked jobs), launch
 * (`n` new, `r` re-launch), hosts (`H` on a job's detail: view_hosts.c): tui/view_jobs.c, view_detail.c, view_logs.c, view_metrics.c,
 * view_compare.c, view_launch.c. Each is an ordinary strong definition: a missing view is a
 * link error, never a silent stand-in.
 *
 * How each is opened (struct view fields set by app_push):
 *   view_detail_ops, view_logs_ops, view_metrics_ops: v->job = the job
 *   view_compare_ops: v->jobs[0..n_jobs) = the marked jobs (2..VIEW_MAX_JOBS)
 *   view_launch_ops: v->job = the job to re-launch, "" for a new estimator
 *   view_tuning_list_ops (`T` on the jobs list, `:tuning`): no argument
 *   view_tuning_detail_ops, view_tuning_chart_ops: v->job = the tuning job
 *   view_tuning_launch_ops (`U` on a job): v->job = the training job to tune;
 *   view_tuning_relaunch_ops (`L` on a tuning job): v->job = the tuning job to start from
 *     (tui/view_tuning_launch.c)
 *     (tui/view_tuning_list.c, view_tuning_detail.c, view_tuning_chart.c) */
#ifndef SAGETOP_TUI_VIEWS_H
#define SAGETOP_TUI_VIEWS_H

#include "tui/view.h"

extern const struct view_ops view_jobs_ops;
extern const struct view_ops view_detail_ops;
extern const struct view_ops view_logs_ops;
extern const struct view_ops view_metrics_ops;
extern const struct view_ops view_compare_ops;
extern const struct view_ops view_launch_ops;
extern const struct view_ops view_tuning_list_ops;
extern const struct view_ops view_tuning_detail_ops;
extern const struct view_ops view_tuning_chart_ops;
extern const struct view_ops view_tuning_launch_ops;
extern const struct view_ops view_tuning_relaunch_ops;
extern const struct view_ops view_hosts_ops;     /* view_hosts.c: v->job = the job */
extern const struct view_ops view_alerts_ops;    /* view_alerts.c (`!`): no job */

/* Completion for the `:` line's arguments that name list columns and statuses (the jobs
 * view knows them). v may be any view. */
size_t view_jobs_complete(struct view *v, struct app *a, const char *line, const char *word,
                          char (*out)[128], size_t max);
/* `:sort KEY [desc|asc]` for the job list (view_jobs_query.c): true when the cache knows the
 * key (a query asking for no rows), *desc (may be NULL) set; else flashes the usage or the
 * cache's list of keys and returns false, changing nothing. */
bool view_jobs_sort_valid(struct app *a, int argc, char **argv, bool *desc);

struct wmsg;
/* A launch's step or outcome (WMSG_LAUNCH) for the launch form, or a flash when it is closed. */
void view_launch_message(struct app *a, const struct wmsg *m);

struct series_sample;
struct procsel;
/* The stored points of a job's metric as samples (time, step, epoch, value): of the processes
 * sel selects (metrics/procprefix.h: a host's first, a global rank), or with sel NULL of the
 * first instance only when there are several; *out is the caller's to free(). *start (Unix
 * seconds) is set from the first point when it is not positive yet. The metrics and compare
 * views. */
int view_metric_samples(struct cache *c, const char *job, const char *name,
                        const struct procsel *sel, double *start, struct series_sample **out,
                        size_t *n_out, struct err *e);

#endif
