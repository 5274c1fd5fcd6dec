/* cli.h: the line-mode front end. main.c takes the global options (before or after the command)
 * and hands them to one cmd_*() per command. Commands print results to stdout and one clear error line to stderr, and
 * return the exit status: 0 success, 1 an error, 2 bad usage. No curses here. */
#ifndef SAGETOP_CLI_H
#define SAGETOP_CLI_H

#include <stdbool.h>
#include <signal.h>
#include <stdio.h>

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
    bool no_mouse;              /* --no-mouse: the full-screen UI leaves the mouse alone */
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
struct cache;
struct sync_options;
/* Fills so for a sync of c's scope over a (both borrowed, to outlive so): workers threads,
 * Ctrl-C cancels; every other member zero. */
void cli_sync_options(struct sync_options *so, const struct cli_aws *a, struct cache *c,
                      int workers);

/* Prints "sagetop: <msg>" on stderr and returns EXIT_ERROR. */
int cli_fail(const struct err *e);
/* Prints "sagetop <cmd>: <msg>" and the command's usage hint on stderr; returns EXIT_USAGE. */
int cli_usage_error(const char *cmd, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* Options (cli/options.c). A table ends with a NULL name; alias is a short form or NULL. */
struct cli_opt {
    const char *name;       /* "--format" */
    const char *alias;      /* "-f" or NULL */
    bool takes_value;       /* "--format VALUE" or "--format=VALUE" */
};
struct cli_command_opts {
    const char *command;
    const struct cli_opt *opts;
};
/* The global options (taken before or after the command) and each command's own. */
extern const struct cli_opt cli_global_opts[];
extern const struct cli_command_opts cli_command_opts[];
/* t's entry for arg ("--name", "--name=value" or the alias), or NULL. */
const struct cli_opt *cli_opt_find(const struct cli_opt *t, const char *arg);
/* The table of command (NULL for an unknown command or one without options). */
const struct cli_opt *cli_command_options(const char *command);
/* Takes "--opt VALUE" or "--opt=VALUE" at argv[*i] (advancing *i past the value): 1 when
 * argv[*i] was opt and *out is set, 0 when it was not, -1 when the value is missing. */
int cli_take_value(int argc, char **argv, int *i, const char *opt, const char **out);
/* Takes one global option at argv[*i] into g: 1 taken, 0 not a global one, -1 missing value. */
int cli_global_take(int argc, char **argv, int *i, struct globals *g);
enum { CLI_ARG_UNKNOWN = -1, CLI_ARG_NO_VALUE = -2 };
/* The pre-pass over a command's argv (argv[0] the command): takes the global options out into
 * g and compacts argv in place to what the command parses (*out_argc entries, NULL after them).
 * Values of the command's own options are left alone, and everything after "--" too. Returns 0,
 * or CLI_ARG_UNKNOWN / CLI_ARG_NO_VALUE with *bad the offending argument (borrowed). */
int cli_command_args(const char *command, int argc, char **argv, struct globals *g, int *out_argc,
                     const char **bad);

/* A mutating command's question: on a terminal, question + " [y/N] " on stderr and true for
 * an answer starting with y; without one, "sagetop CMD: not a terminal: pass --yes to ACTION
 * without confirmation". A refusal says "sagetop CMD: cancelled". */
bool cli_confirm(const char *cmd, const char *action, const char *question);

/* True when stdout is a pipe whose reader has gone (a write there fails with EPIPE). */
bool cli_stdout_gone(void);
/* The end of a command that prints: flushes stdout and returns its exit status. rc != 0 prints
 * e (cli_fail), a failed write says so, except when the reader of stdout has gone: that ends
 * quietly with EXIT_OK, as `sagetop jobs | head -1` should. */
int cli_stdout_finish(int rc, const struct err *e);

/* A span for a table: "42s", "3m07s", "2h05m", "1d04h" (negative: "0s"). */
void cli_fmt_span(double secs, char *out, size_t n);
/* One CSV field, RFC 4180: quoted when needed, quotes doubled. */
void cli_csv_field(FILE *f, const char *s);

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
int cmd_tuning(const struct globals *g, int argc, char **argv);   /* cmd_tuning.c */
/* The subcommands of `sagetop tuning` (argv[0] is the subcommand). */
int cmd_tuning_launch(const struct globals *g, int argc, char **argv);
int cmd_tuning_stop(const struct globals *g, int argc, char **argv);
int cmd_sync(const struct globals *g, int argc, char **argv);
int cmd_whoami(const struct globals *g, int argc, char **argv);
int cmd_sysmetrics(const struct globals *g, int argc, char **argv);
int cmd_watch(const struct globals *g, int argc, char **argv);

/* `sagetop plot --metric sys.NAME` (cmd_sysmetrics.c): one series per host of job's host
 * metric NAME (cpu, gpu, GPUUtilization...) from the cache, raw values, on x_kind (an enum
 * series_x_kind: time or elapsed only). */
struct series_set;
int cli_sys_series(struct cache *c, const char *job, const char *name, int x_kind,
                   struct series_set *set, struct err *e);

#endif
