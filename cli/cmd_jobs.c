/* cmd_jobs.c: placeholder until its issue lands. */
#include <stdio.h>

#include "cli/cli.h"

int cmd_jobs(const struct globals *g, int argc, char **argv)
{
    (void)g;
    (void)argc;
    (void)argv;
    fprintf(stderr, "sagetop: 'jobs' is not available yet\n");
    return EXIT_ERROR;
}
