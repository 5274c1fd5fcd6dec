/* cmd_stop.c: `sagetop stop JOB [--yes]`: StopTrainingJob after a confirmation on a terminal
 * (or --yes; without a terminal and without --yes it refuses). The job's new state goes into
 * the cache. --read-only refuses. */
#include <stdio.h>
#include <string.h>

#include "aws/sagemaker.h"
#include "cache/session.h"
#include "cli/cli.h"

static void usage(FILE *f)
{
    fprintf(f, "usage: sagetop stop JOB [--yes]\n");
}

int cmd_stop(const struct globals *g, int argc, char **argv)
{
    const char *job = NULL;
    bool yes = false;
    struct cli_aws a = { 0 };
    struct sagemaker_job sj = { 0 };
    struct cache *c = NULL;
    struct err e = { 0 };

    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], "--help") == 0 || strcmp(argv[i], "-h") == 0) {
            usage(stdout);
            return EXIT_OK;
        } else if (strcmp(argv[i], "--yes") == 0 || strcmp(argv[i], "-y") == 0) {
            yes = true;
        } else if (argv[i][0] == '-') {
            return cli_usage_error("stop", "unknown option '%s'", argv[i]);
        } else if (job == NULL) {
            job = argv[i];
        } else {
            return cli_usage_error("stop", "one job at a time ('%s' is extra)", argv[i]);
        }
    }
    if (job == NULL)
        return cli_usage_error("stop", "which job? sagetop stop JOB");
    if (g->read_only) {
        fprintf(stderr, "sagetop stop: refused: --read-only disables stopping jobs\n");
        return EXIT_ERROR;
    }
    if (g->offline) {
        fprintf(stderr, "sagetop stop: refused: --offline cannot stop jobs\n");
        return EXIT_ERROR;
    }
    if (!yes) {
        char action[300], question[300];

        snprintf(action, sizeof(action), "stop %s", job);
        snprintf(question, sizeof(question), "Stop training job %s?", job);
        if (!cli_confirm("stop", action, question))
            return EXIT_ERROR;
    }
    if (cli_aws_open(g, &a, &e) != 0)
        return cli_fail(&e);
    if (sagemaker_stop_training_job(a.client, job, &e) != 0) {
        cli_aws_close(&a);
        return cli_fail(&e);
    }
    printf("stopping %s\n", job);
    fflush(stdout);
    /* best effort: the list shows Stopping at once */
    if (sagemaker_describe_training_job(a.client, job, false, &sj, &e) == 0 &&
        cache_session_open(a.cfg, a.client, g->cache_path, 0, &c, NULL, 0, &e) == 0)
        cache_job_store_describe(c, sj.raw_json, sj.raw_json_len, &e);
    cache_close(c);
    sagemaker_job_clean(&sj);
    cli_aws_close(&a);
    return EXIT_OK;
}
