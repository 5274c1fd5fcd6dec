/* cli.h: the line-mode front end. main.c parses the global options once and hands them to one
 * cmd_*() per command. Commands print results to stdout and one clear error line to stderr, and
 * return the exit status: 0 success, 1 an error, 2 bad usage. No curses here. */
#ifndef SAGETOP_CLI_H
#define SAGETOP_CLI_H

#include <stdbool.h>
#include <signal.h>

#include "aws/client.h"
#include "aws/config.h"
#include "aws/creds.h"

enum { EXIT_OK = 0, EXIT_ERROR = 1, EXIT_USAGE = 2 };

struct globals {
    const char *profile;        /* --profile */
    const char *region;         /* --region */
    const char *endpoint_url;   /* --endpoint-url */
    const char *cache_path;     /* --cache */
    bool offline;               /* --offline: cache only, no network */
    bool no_color;              /* --no-color or NO_COLOR */
    bool read_only;             /* --read-only: no launch, no stop */
    bool reset_cache;           /* --reset-cache: move the old cache aside */
};

/* Set by SIGINT/SIGTERM (cli/main.c installs the handler); long commands poll it. */
extern volatile sig_atomic_t cli_interrupted;

/* The AWS side of a command: config, credentials provider and a client for this thread. */
struct cli_aws {
    struct aws_config *cfg;
    struct aws_creds_provider *creds;
    struct aws_client *client;
};
/* Opens all three; on failure prints nothing, fills e and leaves a clean struct. */
int cli_aws_open(const struct globals *g, struct cli_aws *a, struct err *e);
void cli_aws_close(struct cli_aws *a);

/* Prints "sagetop: <msg>" on stderr and returns EXIT_ERROR. */
int cli_fail(const struct err *e);
/* Prints "sagetop <cmd>: <msg>" and the command's usage hint on stderr; returns EXIT_USAGE. */
int cli_usage_error(const char *cmd, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* Each command: argv[0] is the command name; argv holds the command's own arguments. */
typedef int (*cmd_fn)(const struct globals *g, int argc, char **argv);
int cmd_tui(const struct globals *g, int argc, char **argv);     /* no command */
int cmd_jobs(const struct globals *g, int argc, char **argv);
int cmd_show(const struct globals *g, int argc, char **argv);
int cmd_logs(const struct globals *g, int argc, char **argv);
int cmd_metrics(const struct globals *g, int argc, char **argv);
int cmd_regex_test(const struct globals *g, int argc, char **argv);
int cmd_compare(const struct globals *g, int argc, char **argv);
int cmd_plot(const struct globals *g, int argc, char **argv);
int cmd_launch(const struct globals *g, int argc, char **argv);
int cmd_stop(const struct globals *g, int argc, char **argv);
int cmd_sync(const struct globals *g, int argc, char **argv);
int cmd_whoami(const struct globals *g, int argc, char **argv);

#endif
