/* cmd_regex_test.c: placeholder until its issue lands. */
#include <stdio.h>

#include "cli/cli.h"

int cmd_regex_test(const struct globals *g, int argc, char **argv)
{
    (void)g;
    (void)argc;
    (void)argv;
    fprintf(stderr, "sagetop: 'regex_test' is not available yet\n");
    return EXIT_ERROR;
}
