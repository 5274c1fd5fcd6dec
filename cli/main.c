/* main.c: argv -> command. Takes the global options before the command, and after it through
 * cli_command_args() (options.c, which knows each command's own options), then dispatches to one cmd_*() per command. Owns the process: signal handlers and exit status.
 * Must not do any command's work itself. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"

volatile sig_atomic_t cli_interrupted;

struct command {
    const char *name;
    cmd_fn fn;
    const char *summary;
};

static const struct command commands[] = {
    { "jobs",       cmd_jobs,       "list training jobs (--status --name-contains --since --sort --filter --format)" },
    { "show",       cmd_show,       "show one job: status timeline, resources, hyperparameters, metrics" },
    { "logs",       cmd_logs,       "print or follow a job's CloudWatch logs (--follow --grep --since)" },
    { "metrics",    cmd_metrics,    "metrics extracted from a job's logs (--metric --format)" },
    { "regex-test", cmd_regex_test, "try a metric regex on a job's cached log or stdin" },
    { "compare",    cmd_compare,    "compare jobs side by side (--all --format table|md|csv|json)" },
    { "plot",       cmd_plot,       "draw a metric of one or more jobs as a chart on stdout" },
    { "launch",     cmd_launch,     "launch or re-launch a Hugging Face training job" },
    { "stop",       cmd_stop,       "stop a training job" },
    { "sync",       cmd_sync,       "fill the local cache from AWS (jobs, logs, metrics)" },
    { "whoami",     cmd_whoami,     "account, ARN, profile, region and endpoints in use" },
    { "sysmetrics", cmd_sysmetrics, "a job's CPU, memory, GPU and disk per host from CloudWatch" },
    { "watch",      cmd_watch,      "follow jobs without a UI and deliver alerts (--all-running --once)" },
    { "tuning",     cmd_tuning,     "tuning jobs, their trials, the best one (show, trials, plot, launch, stop)" },
};

static void usage(FILE *f)
{
    size_t i;

    fprintf(f,
        "usage: sagetop [global options] [command [args]]\n"
        "\n"
        "A terminal experiment tracker for Amazon SageMaker training jobs.\n"
        "With no command, opens the full-screen UI.\n"
        "\n"
        "commands:\n");
    for (i = 0; i < sizeof(commands) / sizeof(commands[0]); i++)
        fprintf(f, "  %-11s %s\n", commands[i].name, commands[i].summary);
    fprintf(f,
        "\n"
        "global options (before or after the command):\n"
        "  --profile NAME       AWS profile (default: AWS_PROFILE, then \"default\")\n"
        "  --region REGION      AWS region (default: AWS_REGION, AWS_DEFAULT_REGION, profile)\n"
        "  --endpoint-url URL   send every AWS request to URL (e.g. a local emulator)\n"
        "  --cache PATH         cache database (default: $XDG_CACHE_HOME/sagetop/cache.db)\n"
        "  --reset-cache        move the existing cache aside and start a new one\n"
        "  --offline            use only the cache, never the network\n"
        "  --no-color           no colours (also NO_COLOR)\n"
        "  --read-only          hide and refuse every mutating action (launch, stop)\n"
        "  --no-mouse           the full-screen UI does not take the mouse (click, wheel)\n"
        "  --version            print the version and exit\n"
        "  --help               print this help and exit\n"
        "\n"
        "Run 'sagetop COMMAND --help' for a command's options.\n");
}

static void on_signal(int sig)
{
    (void)sig;
    cli_interrupted = 1;
}

int main(int argc, char **argv)
{
    struct globals g = { 0 };
    struct sigaction sa;
    const char *bad = NULL;
    int i, cargc, r;
    size_t k;

    for (i = 1; i < argc; i++) {
        const char *a = argv[i];

        if (a[0] != '-' || strcmp(a, "-") == 0)
            break;
        if (strcmp(a, "--") == 0) {
            i++;
            break;
        }
        r = cli_global_take(argc, argv, &i, &g);
        if (r < 0) {
            fprintf(stderr, "sagetop: %s needs a value\n", a);
            return EXIT_USAGE;
        }
        if (r > 0)
            continue;
        if (strcmp(a, "--version") == 0 || strcmp(a, "-V") == 0) {
            printf("sagetop %s\n", SAGETOP_VERSION);
            return EXIT_OK;
        } else if (strcmp(a, "--help") == 0 || strcmp(a, "-h") == 0) {
            usage(stdout);
            return EXIT_OK;
        } else {
            fprintf(stderr, "sagetop: unknown option '%s'\n", a);
            usage(stderr);
            return EXIT_USAGE;
        }
    }
    memset(&sa, 0, sizeof(sa));
    sa.sa_handler = on_signal;
    sigemptyset(&sa.sa_mask);
    sigaction(SIGINT, &sa, NULL);
    sigaction(SIGTERM, &sa, NULL);
    signal(SIGPIPE, SIG_IGN);

    if (getenv("NO_COLOR") != NULL && getenv("NO_COLOR")[0] != '\0')
        g.no_color = true;
    if (i >= argc)
        return cmd_tui(&g, 0, argv + i);
    if (strcmp(argv[i], "help") == 0) {
        usage(stdout);
        return EXIT_OK;
    }
    for (k = 0; k < sizeof(commands) / sizeof(commands[0]); k++) {
        if (strcmp(argv[i], commands[k].name) != 0)
            continue;
        /* global options after the command too, as the AWS CLI takes them */
        r = cli_command_args(commands[k].name, argc - i, argv + i, &g, &cargc, &bad);
        if (r == CLI_ARG_NO_VALUE)
            return cli_usage_error(commands[k].name, "%s needs a value", bad);
        if (r != 0)
            return cli_usage_error(commands[k].name, "unknown option '%s'", bad);
        return commands[k].fn(&g, cargc, argv + i);
    }
    fprintf(stderr, "sagetop: unknown command '%s'\n", argv[i]);
    usage(stderr);
    return EXIT_USAGE;
}
