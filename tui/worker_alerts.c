/* worker_alerts.c: the TUI's alerts, on the worker thread. Every WORKER_ALERTS_EVERY_S it runs
 * the same check as `sagetop watch` (cache/alerts.h: cache_alerts_check, the rules of the
 * user's [alerts] config) over the running jobs and those seen running since the TUI started
 * (so that their end fires), on its own read-write cache connection; each alert that fires for
 * the first time (the alerts table remembers, across restarts) goes to the UI as a WMSG_ALERT,
 * which shows it in the header and rings. A job's stall rule runs only while the UI follows its
 * log (the only logs the TUI keeps current). Each such alert also starts the config's
 * notify-command (cache/alert_notify.h, output to /dev/null: the terminal is curses'); the
 * children are reaped without waiting on every turn of the worker's loop, so neither the UI
 * nor the worker waits on a slow command; a failure comes to the UI as a WMSG_RESULT line.
 *
 * Owns: its cache connection, the parsed rules, and (file scope) the running notify-commands.
 * Must not: touch curses or the UI's cache connection, or fetch anything. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "aws/userconfig.h"
#include "cache/alert_notify.h"
#include "cache/alerts.h"
#include "tui/worker.h"

#define SEEN_MAX 256
#define NOTIFY_RUNNING_MAX 32

struct worker_alerts {
    struct cache *c;
    struct alerts_config cfg;
    double next_s;
    char seen[SEEN_MAX][CACHE_JOB_NAME_MAX];      /* running at some check */
    size_t n_seen;
    char followed[SEEN_MAX][CACHE_JOB_NAME_MAX];  /* logs kept current by the UI */
    size_t n_followed;
};

/* The notify-commands not reaped yet. File scope, not the struct's: a worker_alerts freed on a
 * profile switch leaves its running children to the next one to reap (worker thread only). */
static pid_t notify_pids[NOTIFY_RUNNING_MAX];
static size_t n_notify_pids;

static long find(char (*names)[CACHE_JOB_NAME_MAX], size_t n, const char *job)
{
    for (size_t i = 0; i < n; i++)
        if (strcmp(names[i], job) == 0)
            return (long)i;
    return -1;
}

static void add_name(char (*names)[CACHE_JOB_NAME_MAX], size_t *n, const char *job)
{
    if (*n < SEEN_MAX && find(names, *n, job) < 0)
        snprintf(names[(*n)++], CACHE_JOB_NAME_MAX, "%s", job);
}

static void drop_name(char (*names)[CACHE_JOB_NAME_MAX], size_t *n, const char *job)
{
    long i = find(names, *n, job);

    if (i >= 0)
        memmove(names[i], names[--*n], CACHE_JOB_NAME_MAX);
}

struct worker_alerts *worker_alerts_new(const char *cache_path, const char *account,
                                        const char *region, struct err *e)
{
    struct worker_alerts *wa = calloc(1, sizeof(*wa));
    size_t len = 0;
    char *text = userconfig_read_text(&len);
    int rc;

    if (wa == NULL) {
        free(text);
        err_set(e, ERR_NOMEM, "out of memory");
        return NULL;
    }
    rc = alerts_config_parse(text != NULL ? text : "", text != NULL ? len : 0, &wa->cfg, e);
    free(text);
    if (rc == 0)
        rc = cache_open(cache_path, 0, &wa->c, NULL, 0, e);
    if (rc == 0)
        rc = cache_scope_use(wa->c, account, region, e);
    if (rc != 0) {
        worker_alerts_free(wa);
        return NULL;
    }
    return wa;
}

/* A notify-command's failure, as a line for the UI (to_ui NULL: dropped). */
static void post_failure(struct msgq *to_ui, const char *job, const struct err *e)
{
    struct wmsg *m = to_ui != NULL ? wmsg_new(WMSG_RESULT, job) : NULL;

    if (m == NULL)
        return;
    snprintf(m->u.result.text, sizeof(m->u.result.text), "%s", e->msg);
    msgq_post(to_ui, m);
}

/* Reaps the notify-commands that ended (all: wait true, else without waiting); a failure is
 * told to the UI (to_ui NULL: dropped). */
static void notify_reap(struct worker_alerts *wa, bool wait, struct msgq *to_ui)
{
    for (size_t i = 0; i < n_notify_pids;) {
        struct err e = {0};
        bool done = false;
        int rc = alert_notify_reap(notify_pids[i], wa->cfg.notify_command, wait, &done, &e);

        if (!done) {
            i++;
            continue;
        }
        notify_pids[i] = notify_pids[--n_notify_pids];
        if (rc != 0)
            post_failure(to_ui, "", &e);
    }
}

/* Starts notify-command for an alert; with NOTIFY_RUNNING_MAX still running, waits for them
 * first (the worker's thread, never the UI's). */
static void notify_start(struct worker_alerts *wa, const char *job, const struct alerts_alert *al,
                         double now_s, struct msgq *to_ui)
{
    struct err e = {0};
    pid_t pid;

    if (wa->cfg.notify_command[0] == '\0')
        return;
    if (n_notify_pids == NOTIFY_RUNNING_MAX)
        notify_reap(wa, true, to_ui);
    if (alert_notify_spawn(wa->cfg.notify_command, job, al, now_s, true, &pid, &e) == 0)
        notify_pids[n_notify_pids++] = pid;
    else
        post_failure(to_ui, job, &e);
}

void worker_alerts_free(struct worker_alerts *wa)
{
    if (wa == NULL)
        return;
    /* the ended ones; one still running is reaped by the next worker_alerts (a profile switch)
     * or, after the TUI exits, by init */
    notify_reap(wa, false, NULL);
    cache_close(wa->c);
    free(wa);
}

void worker_alerts_follow(struct worker_alerts *wa, const char *job, bool on)
{
    if (wa == NULL)
        return;
    if (on)
        add_name(wa->followed, &wa->n_followed, job);
    else
        drop_name(wa->followed, &wa->n_followed, job);
}

static void post_alert(struct msgq *to_ui, const char *job, const struct alerts_alert *al,
                       double now_s)
{
    struct wmsg *m = wmsg_new(WMSG_ALERT, job);

    if (m == NULL)
        return;
    snprintf(m->u.alert.rule, sizeof(m->u.alert.rule), "%s", alerts_rule_name(al->rule));
    snprintf(m->u.alert.message, sizeof(m->u.alert.message), "%s", al->message);
    m->u.alert.fired_at = now_s;
    msgq_post(to_ui, m);
}

/* The running jobs join the seen set. */
static void note_running(struct worker_alerts *wa)
{
    struct cache_job_query q = {0};
    struct cache_job *rows = malloc(SEEN_MAX * sizeof(*rows));
    size_t n = 0;

    q.status = "InProgress,Stopping";
    if (rows != NULL && cache_jobs_window(wa->c, &q, 0, SEEN_MAX, rows, &n, NULL) == 0)
        for (size_t i = 0; i < n; i++)
            add_name(wa->seen, &wa->n_seen, rows[i].name);
    free(rows);
}

void worker_alerts_tick(struct worker_alerts *wa, double now_s, struct msgq *to_ui)
{
    if (wa == NULL)
        return;
    notify_reap(wa, false, to_ui);
    if (now_s < wa->next_s)
        return;
    wa->next_s = now_s + WORKER_ALERTS_EVERY_S;
    note_running(wa);
    for (size_t i = 0; i < wa->n_seen;) {
        struct alerts_alert out[16];
        size_t n = 0;
        bool final = false;
        const char *job = wa->seen[i];
        bool logs = find(wa->followed, wa->n_followed, job) >= 0;

        if (cache_alerts_check(wa->c, &wa->cfg, job, now_s, logs, out, 16, &n, &final,
                               NULL) != 0) {
            i++;
            continue;
        }
        for (size_t k = 0; k < n; k++) {
            post_alert(to_ui, job, &out[k], now_s);
            notify_start(wa, job, &out[k], now_s, to_ui);
        }
        if (final)
            drop_name(wa->seen, &wa->n_seen, job);  /* its end is told: it leaves the set */
        else
            i++;
    }
}
