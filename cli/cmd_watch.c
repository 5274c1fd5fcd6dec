/* cmd_watch.c: `sagetop watch [JOB...|--all-running] [--once] [--interval S]`: follows jobs
 * without a UI (tmux panes, cron, systemd user units) and delivers their alerts: a line on
 * stdout; on a terminal also the bell and a desktop notification (OSC 9 and OSC 777, which
 * terminals pass through SSH); and the config's `notify-command` (cache/alert_notify.h: never
 * through a shell; the alert in SAGETOP_ALERT_* variables and as JSON on stdin), waited for.
 * Exits 0 when every watched job has ended (or after one pass with --once).
 *
 * The rules are metrics/alerts.c's; the check on the cache's state of a job and what fired
 * are cache/alerts.h's (each alert once, also across restarts; the TUI runs the same check).
 * This file only chooses the jobs, syncs them and delivers. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "aws/userconfig.h"
#include "cache/alert_notify.h"
#include "cache/alerts.h"
#include "cache/cache.h"
#include "cache/session.h"
#include "cache/sync.h"
#include "cli/cli.h"
#include "metrics/alerts.h"

#define WATCH_MAX_JOBS 256

struct watch_args {
    const char **jobs;
    size_t n_jobs;
    bool all_running, once;
    int interval_s;
};

struct watch {
    struct cli_aws aws;
    struct cache *c;
    struct alerts_config cfg;
    bool tty;
    char names[WATCH_MAX_JOBS][CACHE_JOB_NAME_MAX];
    size_t n;
};

static void watch_usage(FILE *f)
{
    fputs("usage: sagetop watch [JOB...|--all-running] [--once] [--interval SECONDS]\n"
          "  alerts: [alerts] in $XDG_CONFIG_HOME/sagetop/config (see docs/alerts.md)\n",
          f);
}

static int parse_args(int argc, char **argv, struct watch_args *a, bool *help)
{
    const char *v;

    memset(a, 0, sizeof(*a));
    a->interval_s = 30;
    *help = false;
    a->jobs = calloc((size_t)argc, sizeof(*a->jobs));
    if (a->jobs == NULL)
        return EXIT_ERROR;
    for (int i = 1; i < argc; i++) {
        int t;

        if (strcmp(argv[i], "--help") == 0 || strcmp(argv[i], "-h") == 0) {
            *help = true;
        } else if (strcmp(argv[i], "--all-running") == 0) {
            a->all_running = true;
        } else if (strcmp(argv[i], "--once") == 0) {
            a->once = true;
        } else if ((t = cli_take_value(argc, argv, &i, "--interval", &v)) != 0) {
            char *end;
            long s = t > 0 ? strtol(v, &end, 10) : 0;

            if (t < 0 || *end != '\0' || s < 1 || s > 3600)
                return cli_usage_error("watch", "--interval takes 1 to 3600 seconds");
            a->interval_s = (int)s;
        } else if (argv[i][0] == '-') {
            return cli_usage_error("watch", "unknown option '%s'", argv[i]);
        } else {
            a->jobs[a->n_jobs++] = argv[i];
        }
    }
    if (!*help && a->n_jobs == 0 && !a->all_running)
        return cli_usage_error("watch", "which jobs? sagetop watch JOB... or --all-running");
    if (a->n_jobs > WATCH_MAX_JOBS)
        return cli_usage_error("watch", "at most %d jobs", WATCH_MAX_JOBS);
    return 0;
}

/* ---- delivery ---------------------------------------------------------------------------- */

/* Control characters out of text that reaches a terminal (log text could carry escapes). */
static void printable(const char *s, char *out, size_t n)
{
    size_t k = 0;

    for (; *s != '\0' && k + 1 < n; s++)
        out[k++] = (unsigned char)*s < 0x20 || *s == 0x7f ? ' ' : *s;
    out[k] = '\0';
}

static void deliver(const struct watch *w, const char *job, const struct alerts_alert *a,
                    double now_s)
{
    char msg[ALERTS_MSG_MAX];

    printable(a->message, msg, sizeof(msg));
    printf("alert %s %s: %s\n", job, alerts_rule_name(a->rule), msg);
    if (w->tty)
        printf("\a\033]9;sagetop: %s\007\033]777;notify;sagetop;%s\007", msg, msg);
    fflush(stdout);
    if (w->cfg.notify_command[0] != '\0') {
        struct err e = {0};

        /* a failure is told, never fatal: the other alerts are still delivered */
        if (alert_notify_run(w->cfg.notify_command, job, a, now_s, false, &e) != 0)
            fprintf(stderr, "sagetop watch: %s\n", e.msg);
    }
}

/* Evaluates one job and delivers what fired for the first time. *final: the job has ended. */
static int watch_job(struct watch *w, const char *job, double now_s, bool *final,
                     struct err *e)
{
    struct alerts_alert out[16];
    size_t n = 0;
    int rc = cache_alerts_check(w->c, &w->cfg, job, now_s, true, out, 16, &n, final, e);

    for (size_t i = 0; rc == 0 && i < n; i++)
        deliver(w, job, &out[i], now_s);
    return rc;
}

/* ---- the loop ---------------------------------------------------------------------------- */

/* The running jobs of the cache (after a job-list sync). */
static int running_jobs(struct watch *w, struct err *e)
{
    struct cache_job_query q = {0};
    struct cache_job *jobs = calloc(WATCH_MAX_JOBS, sizeof(*jobs));
    size_t n = 0;
    int rc;

    if (jobs == NULL)
        return err_set(e, ERR_NOMEM, "out of memory");
    q.status = "InProgress,Stopping";
    rc = cache_jobs_window(w->c, &q, 0, WATCH_MAX_JOBS, jobs, &n, e);
    for (size_t i = 0; rc == 0 && i < n; i++)
        snprintf(w->names[w->n++], sizeof(w->names[0]), "%s", jobs[i].name);
    free(jobs);
    return rc;
}

/* One pass: logs, describes and host metrics of every watched job, then the rules. */
static int pass(struct watch *w, const struct globals *g, bool *all_final, struct err *e)
{
    const char *names[WATCH_MAX_JOBS];
    struct sync_options so;
    struct sync *s;
    int rc = 0;

    for (size_t i = 0; i < w->n; i++)
        names[i] = w->names[i];
    if (!g->offline) {
        struct sync_plan plan = {false, names, w->n, SYNC_LOGS_NAMED, 0, false};
        struct err se = {0};

        cli_sync_options(&so, &w->aws, w->c, 2);
        so.host_metrics = true;
        s = sync_new(&so, &se);
        if (s == NULL || sync_run(s, &plan, &se) != 0)
            if (se.code != ERR_CANCELLED)
                fprintf(stderr, "sagetop watch: %s (the rules run on the cache)\n", se.msg);
        sync_free(s);
    }
    *all_final = true;
    for (size_t i = 0; rc == 0 && i < w->n; i++) {
        bool final = false;

        rc = watch_job(w, w->names[i], (double)time(NULL), &final, e);
        if (rc == ERR_NOTFOUND) {
            fprintf(stderr, "sagetop watch: %s\n", e->msg);
            rc = 0;
            continue;
        }
        *all_final = *all_final && final;
    }
    return rc;
}

static int load_rules(struct alerts_config *cfg, struct err *e)
{
    size_t len = 0;
    char *text = userconfig_read_text(&len);
    int rc = alerts_config_parse(text != NULL ? text : "", text != NULL ? len : 0, cfg, e);

    free(text);
    return rc;
}

int cmd_watch(const struct globals *g, int argc, char **argv)
{
    struct watch_args a;
    struct watch *w = calloc(1, sizeof(*w));
    struct err e = {0};
    bool help = false, all_final = false;
    int rc;

    if (w == NULL)
        return EXIT_ERROR;
    if ((rc = parse_args(argc, argv, &a, &help)) != 0 || help) {
        if (help)
            watch_usage(stdout);
        goto done;
    }
    w->tty = isatty(STDOUT_FILENO);
    if ((rc = load_rules(&w->cfg, &e)) != 0 || (rc = cli_aws_open(g, &w->aws, &e)) != 0)
        goto fail;
    if ((rc = cache_session_open(w->aws.cfg, g->offline ? NULL : w->aws.client, g->cache_path,
                                 g->reset_cache ? CACHE_RESET : 0, &w->c, NULL, 0, &e)) != 0)
        goto fail;
    for (size_t i = 0; i < a.n_jobs; i++)
        snprintf(w->names[w->n++], sizeof(w->names[0]), "%s", a.jobs[i]);
    if (a.all_running) {
        if (!g->offline) {
            struct sync_options so;
            struct sync_plan plan = {true, NULL, 0, SYNC_LOGS_NONE, 0, false};
            struct sync *s;

            cli_sync_options(&so, &w->aws, w->c, 2);
            if ((s = sync_new(&so, &e)) == NULL || (rc = sync_run(s, &plan, &e)) != 0) {
                sync_free(s);
                goto fail;
            }
            sync_free(s);
        }
        if ((rc = running_jobs(w, &e)) != 0)
            goto fail;
    }
    while (rc == 0 && !cli_interrupted) {
        rc = pass(w, g, &all_final, &e);
        if (rc != 0 || a.once || all_final)
            break;
        for (int t = 0; t < a.interval_s * 10 && !cli_interrupted; t++)
            usleep(100000);
    }
fail:
    if (rc != 0)
        rc = cli_fail(&e);
    else if (cli_interrupted)
        rc = EXIT_ERROR;
    cache_close(w->c);
    cli_aws_close(&w->aws);
done:
    free(a.jobs);
    free(w);
    return rc;
}
