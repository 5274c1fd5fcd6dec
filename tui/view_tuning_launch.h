/* view_tuning_launch.h: what the tuning views call besides pushing the tuning launch form
 * (views.h: view_tuning_launch_ops from a training job, view_tuning_relaunch_ops from a tuning
 * job): stopping a tuning job. UI thread only. */
#ifndef SAGETOP_TUI_VIEW_TUNING_LAUNCH_H
#define SAGETOP_TUI_VIEW_TUNING_LAUNCH_H

struct app;

/* `x` on a tuning job: "stop NAME?" (as `x` asks for a training job), then the worker's
 * StopHyperParameterTuningJob; a finished one is refused with its status. Returns R_* flags. */
int view_tuning_stop(struct app *a, const char *name);

#endif
