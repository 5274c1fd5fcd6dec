/* cmd_sync.c: placeholder until its issue lands. */
#include <stdio.h>

#include "cli/cli.h"

int cmd_sync(const struct globals *g, int argc, char **argv)
{
    (void)g;
    (void)argc;
    (void)argv;
    fprintf(stderr, "sagetop: 'sync' is not available yet\n");
    return EXIT_ERROR;
}
