/* cmd_tuning.c: `sagetop tuning SUBCOMMAND ...`, a plain table of subcommand -> function (the
 * subcommands live in their own files: cmd_tuning_launch.c for launch and stop).
 *
 * Owns: the table and the usage line. Must not: do any subcommand's work. */
#include <stdio.h>
#include <string.h>

#include "cli/cli.h"

struct tuning_command {
    const char *name;
    cmd_fn fn;
    const char *summary;
};

static const struct tuning_command tuning_commands[] = {
    { "launch", cmd_tuning_launch, "launch a tuning job from a past training or tuning job" },
    { "stop",   cmd_tuning_stop,   "stop a tuning job (asks first)" },
};

static void usage(FILE *f)
{
    fprintf(f, "usage: sagetop tuning SUBCOMMAND [args]\n");
    for (size_t i = 0; i < sizeof(tuning_commands) / sizeof(tuning_commands[0]); i++)
        fprintf(f, "  %-8s %s\n", tuning_commands[i].name, tuning_commands[i].summary);
    fprintf(f, "Run 'sagetop tuning SUBCOMMAND --help' for its options.\n");
}

int cmd_tuning(const struct globals *g, int argc, char **argv)
{
    if (argc < 2) {
        usage(stderr);
        return EXIT_USAGE;
    }
    if (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0) {
        usage(stdout);
        return EXIT_OK;
    }
    for (size_t i = 0; i < sizeof(tuning_commands) / sizeof(tuning_commands[0]); i++)
        if (strcmp(argv[1], tuning_commands[i].name) == 0)
            return tuning_commands[i].fn(g, argc - 1, argv + 1);
    return cli_usage_error("tuning", "unknown subcommand '%s'", argv[1]);
}
