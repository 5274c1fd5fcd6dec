/* app_alerts.c: the frame's side of the alerts the worker fires (tui/worker_alerts.c): the
 * newest unseen one kept for the header (app_frame.c draws it), the bell and the desktop
 * notification, and the `!` key that opens the alerts list (view_alerts.c). UI thread only;
 * must not fire or store alerts. */
#include <stdio.h>
#include <string.h>

#include "tui/app_internal.h"
#include "tui/draw.h"
#include "tui/sanitize.h"
#include "tui/views.h"

void app_alert_message(struct app *a, const struct wmsg *m)
{
    char text[300];

    snprintf(text, sizeof(text), "%s: %s", m->u.alert.rule, m->u.alert.message);
    /* the message holds job and metric names: nothing of it may reach the terminal raw */
    sanitize_text(text, strlen(text), a->alert_line, sizeof(a->alert_line),
                  a->utf8 ? 0 : SANITIZE_ASCII);
    a->alerts_unseen++;
    a->alert_ring = true;
    a->dirty = true;
}

/* OSC 9, and OSC 777 for the terminals that only know that one; both travel over SSH. Written
 * after curses' own output of the turn, so no sequence of it is split. */
void app_alert_ring(struct app *a)
{
    a->alert_ring = false;
    beep();
    printf("\033]9;sagetop: %s\007\033]777;notify;sagetop;%s\007", a->alert_line,
           a->alert_line);
    fflush(stdout);
}

int app_act_alerts(struct view *v, struct app *a)
{
    (void)v;
    if (app_top(a) == NULL || app_top(a)->ops != &view_alerts_ops)
        app_push(a, &view_alerts_ops, NULL, NULL, 0);
    return R_REDRAW;
}

void app_alerts_seen(struct app *a)
{
    a->alerts_unseen = 0;
}
