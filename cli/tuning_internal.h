/* tuning_internal.h: what the `sagetop tuning` files share (cmd_tuning.c, the dispatcher and
 * the session; cmd_tuning_list.c, list and show; cmd_tuning_trials.c; cmd_tuning_plot.c).
 * Not for the other commands. */
#ifndef SAGETOP_CLI_TUNING_INTERNAL_H
#define SAGETOP_CLI_TUNING_INTERNAL_H

#include "cache/cache.h"
#include "cache/tuning.h"
#include "cli/cli.h"

enum tuning_format { TUNING_TABLE, TUNING_JSON, TUNING_CSV };

/* The AWS side and the cache of one tuning subcommand. */
struct tuning_session {
    struct cli_aws aws;
    struct cache *cache;
};
/* Opens both and, unless --offline, runs one tuning sync pass first (a failure there is one
 * line on stderr and the cache is shown). sub names the subcommand for that line. */
int tuning_session_open(const struct globals *g, const char *sub, struct tuning_session *t,
                        struct err *e);
void tuning_session_close(struct tuning_session *t);
/* "table", "json", "csv" (allowed a bitmask of 1 << enum tuning_format); -1 otherwise. */
int tuning_format_parse(const char *s, unsigned allowed);

/* Each subcommand: argv[0] is its name. */
int cmd_tuning_list(const struct globals *g, int argc, char **argv);
int cmd_tuning_show(const struct globals *g, int argc, char **argv);
int cmd_tuning_trials(const struct globals *g, int argc, char **argv);
int cmd_tuning_plot(const struct globals *g, int argc, char **argv);

#endif
