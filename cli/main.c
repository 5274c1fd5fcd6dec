/* main.c: argv -> command. Parses the global options once (they come before the command), then
 * dispatches to one cmd_*() per command. Owns the process: signal handlers and exit status.
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
    { "jobs",       cmd_jobs,       "list training jobs (--status --name-contains --since --limit --format)" },
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
        "global options:\n"
        "  --profile NAME       AWS profile (default: AWS_PROFILE, then \"default\")\n"
        "  --region REGION      AWS region (default: AWS_REGION, AWS_DEFAULT_REGION, profile)\n"
        "  --endpoint-url URL   send every AWS request to URL (e.g. a local emulator)\n"
        "  --cache PATH         cache database (default: $XDG_CACHE_HOME/sagetop/cache.db)\n"
        "  --reset-cache        move the existing cache aside and start a new one\n"
        "  --offline            use only the cache, never the network\n"
        "  --no-color           no colours (also NO_COLOR)\n"
        "  --read-only          hide and refuse every mutating action (launch, stop)\n"
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

/* Takes "--opt VALUE" or "--opt=VALUE"; returns 1 when argv[*i] was opt, -1 on a missing value. */
static int take_value(int argc, char **argv, int *i, const char *opt, const char **out)
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

int main(int argc, char **argv)
{
    static const char *value_opts[] = { "--profile", "--region", "--endpoint-url", "--cache" };
    struct globals g = { 0 };
    const char **slots[] = { &g.profile, &g.region, &g.endpoint_url, &g.cache_path };
    struct sigaction sa;
    int i;
    size_t k;

    for (i = 1; i < argc; i++) {
        const char *a = argv[i];
        int taken = 0;

        if (a[0] != '-' || strcmp(a, "-") == 0)
            break;
        if (strcmp(a, "--") == 0) {
            i++;
            break;
        }
        for (k = 0; k < sizeof(value_opts) / sizeof(value_opts[0]) && !taken; k++) {
            taken = take_value(argc, argv, &i, value_opts[k], slots[k]);
            if (taken < 0) {
                fprintf(stderr, "sagetop: %s needs a value\n", value_opts[k]);
                return EXIT_USAGE;
            }
        }
        if (taken)
            continue;
        if (strcmp(a, "--offline") == 0) {
            g.offline = true;
        } else if (strcmp(a, "--no-color") == 0) {
            g.no_color = true;
        } else if (strcmp(a, "--read-only") == 0) {
            g.read_only = true;
        } else if (strcmp(a, "--reset-cache") == 0) {
            g.reset_cache = true;
        } else if (strcmp(a, "--version") == 0 || strcmp(a, "-V") == 0) {
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
    if (getenv("NO_COLOR") != NULL && getenv("NO_COLOR")[0] != '\0')
        g.no_color = true;

    memset(&sa, 0, sizeof(sa));
    sa.sa_handler = on_signal;
    sigemptyset(&sa.sa_mask);
    sigaction(SIGINT, &sa, NULL);
    sigaction(SIGTERM, &sa, NULL);
    signal(SIGPIPE, SIG_IGN);

    if (i >= argc)
        return cmd_tui(&g, 0, argv + i);
    if (strcmp(argv[i], "help") == 0) {
        usage(stdout);
        return EXIT_OK;
    }
    for (k = 0; k < sizeof(commands) / sizeof(commands[0]); k++) {
        if (strcmp(argv[i], commands[k].name) == 0)
            return commands[k].fn(&g, argc - i, argv + i);
    }
    fprintf(stderr, "sagetop: unknown command '%s'\n", argv[i]);
    usage(stderr);
    return EXIT_USAGE;
}
