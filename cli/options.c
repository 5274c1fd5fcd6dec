/* options.c: the option tables of the line-mode front end, and the global options taken from
 * anywhere on the line (as the AWS CLI takes --region or --profile after the command).
 *
 * Owns: the one table of global options, one static const table per command (the options the
 * command's parser handles), and the pre-pass main.c runs over a command's arguments: globals
 * are taken out, values of the command's own options are skipped (so `--grep --region` greps
 * for "--region"), anything else that looks like an option is refused. A command's table is
 * therefore the gate: an option missing from it never reaches the command.
 * A command option with the name of a global one would be shadowed; tests/unit/test_cli_options.c
 * walks these very tables (it compiles this file) and fails on such a clash, so `make test`
 * catches it. C11 cannot compare strings at compile time, hence a unit test, not a build error.
 * Must not: parse any command's values, print (the caller reports), or depend on anything but
 * libc: the unit test compiles this file alone. */
#include <string.h>

#include "cli/cli.h"

/* --help / -h and --version are not listed: after a command, --help is the command's own. */
const struct cli_opt cli_global_opts[] = {
    { "--profile", NULL, true },
    { "--region", NULL, true },
    { "--endpoint-url", NULL, true },
    { "--cache", NULL, true },
    { "--offline", NULL, false },
    { "--no-color", NULL, false },
    { "--read-only", NULL, false },
    { "--reset-cache", NULL, false },
    { "--no-mouse", NULL, false },
    { NULL, NULL, false },
};

static const struct cli_opt jobs_opts[] = {
    { "--status", NULL, true },
    { "--name-contains", NULL, true },
    { "--since", NULL, true },
    { "--limit", NULL, true },
    { "--sort", NULL, true },
    { "--desc", NULL, false },
    { "--filter", NULL, true },
    { "--format", NULL, true },
    { NULL, NULL, false },
};

static const struct cli_opt show_opts[] = {
    { "--format", NULL, true },
    { NULL, NULL, false },
};

static const struct cli_opt logs_opts[] = {
    { "--follow", "-f", false },
    { "--timestamps", "-t", false },
    { "--grep", NULL, true },
    { "--instance", NULL, true },
    { "--since", NULL, true },
    { "--until", NULL, true },
    { "--format", NULL, true },
    { NULL, NULL, false },
};

static const struct cli_opt metrics_opts[] = {
    { "--metric", NULL, true },
    { "--reextract", NULL, false },
    { "--instance", NULL, true },
    { "--rank", NULL, true },
    { "--format", NULL, true },
    { NULL, NULL, false },
};

static const struct cli_opt regex_test_opts[] = {
    { "--all", NULL, false },
    { "--instance", NULL, true },
    { "--rank", NULL, true },
    { NULL, NULL, false },
};

static const struct cli_opt compare_opts[] = {
    { "--all", NULL, false },
    { "--internal", NULL, false },
    { "--format", NULL, true },
    { NULL, NULL, false },
};

static const struct cli_opt plot_opts[] = {
    { "--ascii", NULL, false },
    { "--log", NULL, false },
    { "--no-legend", NULL, false },
    { "--no-markers", NULL, false },
    { "--metric", NULL, true },
    { "--csv", NULL, true },
    { "--x", NULL, true },
    { "--width", NULL, true },
    { "--height", NULL, true },
    { "--glyphs", NULL, true },
    { "--ema", NULL, true },
    { "--cursor", NULL, true },
    { "--instance", NULL, true },
    { "--rank", NULL, true },
    { NULL, NULL, false },
};

static const struct cli_opt launch_opts[] = {
    { "--dry-run", NULL, false },
    { "--yes", "-y", false },
    { "--set", NULL, true },
    { "--from", NULL, true },
    { "--spec", NULL, true },
    { "--request", NULL, true },
    { "--name", NULL, true },
    { NULL, NULL, false },
};

static const struct cli_opt stop_opts[] = {
    { "--yes", "-y", false },
    { NULL, NULL, false },
};

/* `sagetop tuning [list]|show|trials|plot` (cmd_tuning_*.c) and `launch|stop`
 * (cmd_tuning_launch.c): one table for the command, each subcommand checks its own. */
static const struct cli_opt tuning_opts[] = {
    { "--status", NULL, true },
    { "--format", NULL, true },
    { "--by", NULL, true },
    { "--width", NULL, true },
    { "--height", NULL, true },
    { "--ascii", NULL, false },
    { "--dry-run", NULL, false },
    { "--yes", "-y", false },
    { "--set", NULL, true },
    { "--from", NULL, true },
    { "--name", NULL, true },
    { "--tune", NULL, true },
    { "--objective", NULL, true },
    { "--strategy", NULL, true },
    { "--max-jobs", NULL, true },
    { "--parallel", NULL, true },
    { "--early-stopping", NULL, true },
    { "--warm-start", NULL, true },
    { "--warm-start-type", NULL, true },
    { NULL, NULL, false },
};

static const struct cli_opt sync_opts[] = {
    { "--follow", "-f", false },
    { "--all-logs", NULL, false },
    { "--quiet", "-q", false },
    { "--since", NULL, true },
    { "--workers", NULL, true },
    { NULL, NULL, false },
};

static const struct cli_opt whoami_opts[] = {
    { "--format", NULL, true },
    { NULL, NULL, false },
};

static const struct cli_opt sysmetrics_opts[] = {
    { "--metric", NULL, true },
    { "--host", NULL, true },
    { "--format", NULL, true },
    { NULL, NULL, false },
};

static const struct cli_opt watch_opts[] = {
    { "--all-running", NULL, false },
    { "--once", NULL, false },
    { "--interval", NULL, true },
    { NULL, NULL, false },
};

const struct cli_command_opts cli_command_opts[] = {
    { "jobs", jobs_opts },
    { "show", show_opts },
    { "logs", logs_opts },
    { "metrics", metrics_opts },
    { "regex-test", regex_test_opts },
    { "compare", compare_opts },
    { "plot", plot_opts },
    { "launch", launch_opts },
    { "stop", stop_opts },
    { "tuning", tuning_opts },
    { "sync", sync_opts },
    { "whoami", whoami_opts },
    { "sysmetrics", sysmetrics_opts },
    { "watch", watch_opts },
    { NULL, NULL },
};

/* The entry of t named by arg ("--name", "--name=value" or the alias), or NULL. */
const struct cli_opt *cli_opt_find(const struct cli_opt *t, const char *arg)
{
    const char *eq = strchr(arg, '=');
    size_t n = eq != NULL ? (size_t)(eq - arg) : strlen(arg);

    for (; t != NULL && t->name != NULL; t++) {
        if (strlen(t->name) == n && strncmp(t->name, arg, n) == 0)
            return t;
        if (t->alias != NULL && strcmp(t->alias, arg) == 0)
            return t;
    }
    return NULL;
}

const struct cli_opt *cli_command_options(const char *command)
{
    const struct cli_command_opts *c;

    for (c = cli_command_opts; c->command != NULL; c++)
        if (strcmp(c->command, command) == 0)
            return c->opts;
    return NULL;
}

int cli_take_value(int argc, char **argv, int *i, const char *opt, const char **out)
{
    size_t n = strlen(opt);
    const char *a = argv[*i];

    if (strncmp(a, opt, n) != 0)
        return 0;
    if (a[n] == '=') {
        *out = a + n + 1;
        return 1;
    }
    if (a[n] != '\0')
        return 0;
    if (*i + 1 >= argc)
        return -1;
    *out = argv[++*i];
    return 1;
}

int cli_global_take(int argc, char **argv, int *i, struct globals *g)
{
    const char **slots[] = { &g->profile, &g->region, &g->endpoint_url, &g->cache_path };
    bool *flags[] = { &g->offline, &g->no_color, &g->read_only, &g->reset_cache, &g->no_mouse };
    size_t k;
    int r;

    /* the table's order: four value options, then five flags */
    for (k = 0; k < 4; k++) {
        r = cli_take_value(argc, argv, i, cli_global_opts[k].name, slots[k]);
        if (r != 0)
            return r;
    }
    for (k = 0; k < sizeof(flags) / sizeof(flags[0]); k++) {
        if (strcmp(argv[*i], cli_global_opts[4 + k].name) == 0) {
            *flags[k] = true;
            return 1;
        }
    }
    return 0;
}

int cli_command_args(const char *command, int argc, char **argv, struct globals *g, int *out_argc,
                     const char **bad)
{
    const struct cli_opt *own = cli_command_options(command), *o;
    int i, n = 1, r;

    for (i = 1; i < argc; i++) {
        const char *a = argv[i];

        if (strcmp(a, "--") == 0) {
            /* the rest is the command's, untouched (a regex that starts with '-') */
            while (i < argc)
                argv[n++] = argv[i++];
            break;
        }
        if (a[0] != '-' || a[1] == '\0' || strcmp(a, "--help") == 0 || strcmp(a, "-h") == 0) {
            argv[n++] = argv[i];
            continue;
        }
        if ((o = cli_opt_find(own, a)) != NULL) {
            argv[n++] = argv[i];
            /* the value is the option's, whatever it looks like */
            if (o->takes_value && strchr(a, '=') == NULL && i + 1 < argc)
                argv[n++] = argv[++i];
            continue;
        }
        r = cli_global_take(argc, argv, &i, g);
        if (r < 0) {
            *bad = a;
            return CLI_ARG_NO_VALUE;
        }
        if (r == 0) {
            *bad = a;
            return CLI_ARG_UNKNOWN;
        }
    }
    argv[n] = NULL;
    *out_argc = n;
    return 0;
}
