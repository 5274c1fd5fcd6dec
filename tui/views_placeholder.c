/* views_placeholder.c: a weak stand-in for the launch view until tui/view_launch.c lands, so
 * that the UI links and its keys answer. Delete it then: in a static archive a weak definition
 * that is already linked keeps the real object from being pulled in. Must stay tiny. */
#include "tui/views.h"

static int not_yet(struct view *v, struct app *a)
{
    app_flash(a, true, "the %s view is not available in this build yet", v->ops->name);
    return -1;      /* not pushed */
}

__attribute__((weak)) const struct view_ops view_launch_ops = { .name = "launch", .on_enter = not_yet };
