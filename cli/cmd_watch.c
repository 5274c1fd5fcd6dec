/* cmd_watch.c: `sagetop watch [JOB...|--all-running] [--once]` (placeholder until the alert
 * rules land: see the branch's report). */
#include "cli/cli.h"

int cmd_watch(const struct globals *g, int argc, char **argv)
{
    (void)g;
    (void)argc;
    (void)argv;
    return cli_usage_error("watch", "not available yet");
}
