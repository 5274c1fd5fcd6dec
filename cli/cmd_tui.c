/* cmd_tui.c: `sagetop` with no command. On a terminal it starts the full-screen UI (tui/);
 * otherwise (a pipe, a file, CI) it prints a short summary of the cached jobs and exits 0, so
 * that `sagetop | head` never leaves curses garbage behind. */
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "cache/cache.h"
#include "cache/session.h"
#include "cli/cli.h"
#include "tui/app.h"

static void summary_row(const struct cache_job *j, double now)
{
    double age = j->creation_time > 0 ? now - j->creation_time : 0;
    char when[32];

    if (age < 3600)
        snprintf(when, sizeof(when), "%dm ago", (int)(age / 60));
    else if (age < 86400 * 2)
        snprintf(when, sizeof(when), "%dh ago", (int)(age / 3600));
    else
        snprintf(when, sizeof(when), "%dd ago", (int)(age / 86400));
    printf("%-48.48s  %-11s  %s\n", j->name, j->status, j->creation_time > 0 ? when : "-");
}

/* Prints the newest cached jobs of the scope the UI would open first (the account remembered
 * for the profile, offline: no network here). */
static int print_summary(const struct globals *g)
{
    struct aws_options ao = { g->profile, g->region, g->endpoint_url };
    struct aws_config *cfg;
    struct cache *c = NULL;
    struct cache_job jobs[20];
    struct cache_job_query q = { .sort = "created", .descending = true };
    struct err e = { 0 };
    size_t n = 0, total = 0, i;
    const char *region;
    double now = (double)time(NULL);

    cfg = aws_config_load(&ao, &e);
    region = cfg ? aws_config_region(cfg) : (g->region ? g->region : "unknown");
    if (!cfg || cache_session_open(cfg, NULL, g->cache_path, CACHE_READ_ONLY, &c, NULL, 0, &e) < 0 ||
        cache_jobs_count(c, &q, &total, &e) < 0 ||
        cache_jobs_window(c, &q, 0, 20, jobs, &n, &e) < 0) {
        /* no cache yet is not an error for a summary */
        printf("sagetop: no cached jobs (run 'sagetop sync' or open the UI on a terminal)\n");
        cache_close(c);
        aws_config_free(cfg);
        return EXIT_OK;
    }
    printf("%zu job%s in the cache (%s); newest first:\n", total, total == 1 ? "" : "s", region);
    for (i = 0; i < n; i++)
        summary_row(&jobs[i], now);
    if (total > n)
        printf("... and %zu more ('sagetop jobs' lists them all)\n", total - n);
    cache_close(c);
    aws_config_free(cfg);
    return EXIT_OK;
}

int cmd_tui(const struct globals *g, int argc, char **argv)
{
    struct tui_options o;
    struct err e = { 0 };

    (void)argc;
    (void)argv;
    if (!isatty(STDOUT_FILENO) || !isatty(STDIN_FILENO))
        return print_summary(g);
    memset(&o, 0, sizeof(o));
    o.conn.profile = g->profile;
    o.conn.region = g->region;
    o.conn.endpoint_url = g->endpoint_url;
    o.conn.cache_path = g->cache_path;
    o.conn.offline = g->offline;
    o.no_color = g->no_color;
    o.no_mouse = g->no_mouse;
    o.read_only = g->read_only;
    o.reset_cache = g->reset_cache;
    o.interrupted = &cli_interrupted;
    if (tui_run(&o, &e) < 0)
        return cli_fail(&e);
    return EXIT_OK;
}
