/* cmd_sync.c: `sagetop sync [JOB...] [--follow] [--all-logs] [--since T] [--workers N]`: fills
 * the cache (jobs, and logs of the named jobs or of every job since T). Progress goes to stderr
 * (a live line on a terminal; throttling, offline and errors always). Ctrl-C stops cleanly:
 * what was stored stays, consistent. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "cache/session.h"
#include "cache/sync.h"
#include "cli/cli.h"

static void usage(FILE *f)
{
    fprintf(f,
        "usage: sagetop sync [JOB...] [--follow] [--all-logs] [--since T] [--workers N] [--quiet]\n"
        "  Fills the local cache: the job list and every job's details; with JOB names, also\n"
        "  their logs (and metrics extracted from them).\n"
        "  --follow      keep following the named jobs' logs until they end (only they are\n"
        "                described; the other jobs are listed)\n"
        "  --all-logs    logs of every job (created after --since, when given)\n"
        "  --since T     logs of every job created since T (2h, 3d, 2024-05-01 ...); with JOB\n"
        "                names it needs --all-logs (the named jobs and every job since T)\n"
        "  --workers N   requests in flight (1-8, default 4)\n"
        "  --quiet       no progress line\n");
}

struct progress_ctx {
    bool tty;
    bool quiet;
    bool line_open;
};

static void on_notice(void *ctx, const struct sync_notice *n)
{
    struct progress_ctx *p = ctx;

    switch (n->state) {
    case SYNC_THROTTLED:
    case SYNC_OFFLINE:
    case SYNC_ERROR:
        if (p->line_open) {
            fputc('\n', stderr);
            p->line_open = false;
        }
        fprintf(stderr, "sagetop sync: %s%s%s\n", n->job, n->job[0] ? ": " : "", n->text);
        return;
    default:
        break;
    }
    if (p->quiet || !p->tty)
        return;
    fprintf(stderr, "\r\033[Kjobs %lld (%lld new), described %lld, streams %lld, lines %lld "
            "(%.0f/s), requests %lld",
            (long long)n->progress.jobs_listed, (long long)n->progress.jobs_new,
            (long long)n->progress.jobs_described, (long long)n->progress.streams,
            (long long)n->progress.lines, n->progress.lines_per_s,
            (long long)n->progress.requests);
    p->line_open = true;
}

int cmd_sync(const struct globals *g, int argc, char **argv)
{
    struct progress_ctx pc = { isatty(2) != 0, false, false };
    struct cli_aws a;
    struct err e = { 0 };
    struct cache *c = NULL;
    struct sync_options o = { 0 };
    struct sync_plan plan = { 0 };
    struct sync *s = NULL;
    struct sync_progress pr;
    const char **names = NULL;
    size_t n_names = 0;
    char moved[4200];
    bool all_logs = false;
    int i, rc, workers = 0;

    names = calloc((size_t)argc + 1, sizeof(*names));
    if (names == NULL)
        return cli_fail(&(struct err){ ERR_NOMEM, "out of memory" });
    plan.jobs = true;
    for (i = 1; i < argc; i++) {
        const char *arg = argv[i];

        if (strcmp(arg, "--help") == 0 || strcmp(arg, "-h") == 0) {
            usage(stdout);
            free(names);
            return EXIT_OK;
        } else if (strcmp(arg, "--follow") == 0 || strcmp(arg, "-f") == 0) {
            plan.follow = true;
        } else if (strcmp(arg, "--all-logs") == 0) {
            all_logs = true;
        } else if (strcmp(arg, "--quiet") == 0 || strcmp(arg, "-q") == 0) {
            pc.quiet = true;
        } else if (strcmp(arg, "--since") == 0 && i + 1 < argc) {
            if (cache_parse_time(argv[++i], (double)time(NULL), &plan.since, &e) != 0) {
                free(names);
                return cli_usage_error("sync", "%s", e.msg);
            }
        } else if (strcmp(arg, "--workers") == 0 && i + 1 < argc) {
            workers = atoi(argv[++i]);
            if (workers < 1 || workers > 8) {
                free(names);
                return cli_usage_error("sync", "--workers takes 1 to 8");
            }
        } else if (arg[0] == '-') {
            free(names);
            return cli_usage_error("sync", "unknown option '%s'", arg);
        } else {
            names[n_names++] = arg;
        }
    }
    if (plan.since > 0 && n_names > 0 && !all_logs) {
        free(names);
        return cli_usage_error("sync", "--since selects jobs by creation time: give JOB names "
                               "or --since, or add --all-logs for both");
    }
    if (plan.since > 0)
        all_logs = true;       /* "logs of every job started in the last --since" */
    if (g->offline) {
        free(names);
        fprintf(stderr, "sagetop sync: --offline: nothing to do\n");
        return EXIT_USAGE;
    }
    if (cli_aws_open(g, &a, &e) != 0) {
        free(names);
        return cli_fail(&e);
    }
    rc = cache_session_open(a.cfg, a.client, g->cache_path, g->reset_cache ? CACHE_RESET : 0, &c,
                            moved, sizeof(moved), &e);
    if (rc != 0)
        goto out;
    if (moved[0] != '\0')
        fprintf(stderr, "sagetop: the old cache was moved to %s\n", moved);
    cli_sync_options(&o, &a, c, workers);
    o.notice = on_notice;
    o.notice_ctx = &pc;
    plan.names = names;
    plan.n_names = n_names;
    plan.logs = all_logs ? SYNC_LOGS_ALL : n_names > 0 ? SYNC_LOGS_NAMED : SYNC_LOGS_NONE;
    s = sync_new(&o, &e);
    if (s == NULL) {
        rc = e.code;
        goto out;
    }
    rc = sync_run(s, &plan, &e);
    sync_get_progress(s, &pr);
    if (pc.line_open)
        fputc('\n', stderr);
    if (!pc.quiet)
        fprintf(stderr, "sagetop sync: %lld jobs (%lld new), %lld described, %lld lines, "
                "%lld points, %lld requests in %.1f s\n",
                (long long)pr.jobs_listed, (long long)pr.jobs_new, (long long)pr.jobs_described,
                (long long)pr.lines, (long long)pr.points, (long long)pr.requests, pr.elapsed_s);
out:
    sync_free(s);
    cache_close(c);
    cli_aws_close(&a);
    free(names);
    if (rc == ERR_CANCELLED) {
        fprintf(stderr, "sagetop sync: interrupted; everything fetched so far is kept\n");
        return 130;
    }
    return rc != 0 ? cli_fail(&e) : EXIT_OK;
}
