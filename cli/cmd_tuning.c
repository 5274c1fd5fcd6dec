/* cmd_tuning.c: `sagetop tuning [SUBCOMMAND]`: Automatic Model Tuning in line mode. A plain
 * table of subcommand -> function (no subcommand, or an option first: the list) and the
 * session every subcommand opens: the AWS side, the cache, one tuning sync pass unless
 * --offline. The subcommands live in cmd_tuning_*.c. No curses. */
#include <stdio.h>
#include <string.h>

#include "cache/session.h"
#include "cache/sync.h"
#include "cli/tuning_internal.h"

static const struct {
    const char *name;
    cmd_fn fn;
    const char *help;
} subcommands[] = {
    { "list", cmd_tuning_list, "tuning jobs (--status S --format table|json|csv); the default" },
    { "show", cmd_tuning_show, "one tuning job: ranges, limits, best trial, warm-start parents" },
    { "trials", cmd_tuning_trials, "a tuning job's trials by objective (--format table|json|csv)" },
    { "plot", cmd_tuning_plot, "objective over completion order, or vs a hyperparameter (--by)" },
    { "launch", cmd_tuning_launch, "launch a tuning job from a past training or tuning job" },
    { "stop", cmd_tuning_stop, "stop a tuning job (asks first)" },
};
#define N_SUBCOMMANDS (sizeof(subcommands) / sizeof(subcommands[0]))

static void tuning_usage(FILE *f)
{
    size_t i;

    fprintf(f, "usage: sagetop tuning [SUBCOMMAND] [options]\n\n");
    for (i = 0; i < N_SUBCOMMANDS; i++)
        fprintf(f, "  %-8s %s\n", subcommands[i].name, subcommands[i].help);
}

int cmd_tuning(const struct globals *g, int argc, char **argv)
{
    size_t i;

    if (argc < 2 || argv[1][0] == '-') {
        if (argc >= 2 && (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0)) {
            tuning_usage(stdout);
            return EXIT_OK;
        }
        return cmd_tuning_list(g, argc, argv);
    }
    for (i = 0; i < N_SUBCOMMANDS; i++)
        if (strcmp(argv[1], subcommands[i].name) == 0)
            return subcommands[i].fn(g, argc - 1, argv + 1);
    tuning_usage(stderr);
    return cli_usage_error("tuning", "unknown subcommand '%s'", argv[1]);
}

int tuning_format_parse(const char *s, unsigned allowed)
{
    static const char *const names[] = { "table", "json", "csv" };
    int i;

    for (i = 0; i < 3; i++)
        if (strcmp(s, names[i]) == 0 && (allowed & (1u << i)))
            return i;
    return -1;
}

int tuning_session_open(const struct globals *g, const char *sub, struct tuning_session *t,
                        struct err *e)
{
    char moved[4200] = "";
    int rc;

    memset(t, 0, sizeof(*t));
    if ((rc = cli_aws_open(g, &t->aws, e)) != 0)
        return rc;
    rc = cache_session_open(t->aws.cfg, g->offline ? NULL : t->aws.client, g->cache_path,
                            g->reset_cache ? CACHE_RESET : 0, &t->cache, moved, sizeof(moved), e);
    if (rc != 0) {
        tuning_session_close(t);
        return rc;
    }
    if (moved[0] != '\0')
        fprintf(stderr, "sagetop: the old cache was moved to %s\n", moved);
    if (!g->offline) {
        struct sync_options so;
        struct sync *s;
        struct err se = { 0 };

        cli_sync_options(&so, &t->aws, t->cache, 2);
        s = sync_new(&so, &se);
        if (s == NULL || sync_run_tuning(s, &se) != 0) {
            if (se.code == ERR_CANCELLED) {
                sync_free(s);
                *e = se;
                tuning_session_close(t);
                return ERR_CANCELLED;
            }
            fprintf(stderr, "sagetop tuning %s: could not refresh the tuning jobs (%s); "
                    "showing the cache\n", sub, se.msg);
        }
        sync_free(s);
    }
    return 0;
}

void tuning_session_close(struct tuning_session *t)
{
    cache_close(t->cache);
    t->cache = NULL;
    cli_aws_close(&t->aws);
}
