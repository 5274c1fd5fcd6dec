/* app.h: the frame's private side: the actions of the global key table (keys.c) and the entry
 * point used by cli/cmd_tui.c. Views use view.h only. */
#ifndef SAGETOP_TUI_APP_H
#define SAGETOP_TUI_APP_H

#include <signal.h>
#include <stdbool.h>

#include "aws/err.h"
#include "tui/view.h"
#include "tui/worker.h"

struct tui_options {
    /* profile, region, endpoint, cache path (NULL = the default), offline: what the worker
     * connects with (its copy of cache_path is replaced by the resolved default) */
    struct worker_options conn;
    bool no_color;
    bool no_mouse;                          /* --no-mouse: leave the mouse to the terminal */
    bool read_only;
    bool reset_cache;
    volatile sig_atomic_t *interrupted;    /* set by the process's SIGINT/SIGTERM handler */
};

/* Runs the full-screen UI until the user quits. stdin and stdout must be a terminal.
 * Returns 0, or a negative ERR_* with e filled (the terminal is restored first). */
int tui_run(const struct tui_options *o, struct err *e);

/* Global actions (keys.c's table). */
int app_act_help(struct view *v, struct app *a);
int app_act_back(struct view *v, struct app *a);
int app_act_quit(struct view *v, struct app *a);
int app_act_command(struct view *v, struct app *a);
int app_act_redraw(struct view *v, struct app *a);
int app_act_refresh(struct view *v, struct app *a);
int app_act_profile(struct view *v, struct app *a);
int app_act_region(struct view *v, struct app *a);
int app_act_alerts(struct view *v, struct app *a);

#endif
