/* views_placeholder.c: weak stand-ins for the views other issues write (metrics, compare,
 * launch), so that the UI links and its keys answer before those land. A strong definition in
 * tui/view_metrics.c, view_compare.c or view_launch.c wins at link time. Must stay tiny. */
#include "tui/views.h"

static int not_yet(struct view *v, struct app *a)
{
    app_flash(a, true, "the %s view is not available in this build yet", v->ops->name);
    return -1;      /* not pushed */
}

__attribute__((weak)) const struct view_ops view_metrics_ops = { .name = "metrics", .on_enter = not_yet };
__attribute__((weak)) const struct view_ops view_compare_ops = { .name = "compare", .on_enter = not_yet };
__attribute__((weak)) const struct view_ops view_launch_ops = { .name = "launch", .on_enter = not_yet };
