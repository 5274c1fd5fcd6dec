/* sync.h: the sync engine: fills the cache from AWS (aws/sagemaker.h, aws/logs.h) through the
 * metric extractor (metrics/metrics.h).
 *
 * What one pass does:
 *   jobs   ListTrainingJobs newest first, page by page, until a page holds nothing new; then
 *          DescribeTrainingJob for every job never described and every job not yet final
 *          (Completed/Failed/Stopped jobs are described once).
 *   tuning after each job list pass (not when following named jobs): every tuning job listed,
 *          the new, running or changed ones described and their trials listed (every page);
 *          trials are stored as jobs too (cache/tuning.h), and a trial's metrics are extracted
 *          with its tuning job's metric definitions as well as its own.
 *   logs   for each followed job: DescribeLogStreams("<job>/") to find its streams (again on
 *          each pass while it has fewer streams than instances, then every 30 s, and once
 *          when it is final), then GetLogEvents per stream from its
 *          saved cursor (startFromHead on the first read, nextForwardToken after; the same token
 *          back = caught up). Each page of events, its metric points and the new cursor are
 *          stored in ONE transaction, and only if the stream's cursor is still the one the page
 *          was fetched from (cache_stream_append_at: another sync of the same stream, even in
 *          another process, that stored it first wins and this one goes on from the new
 *          cursor); the schema refuses a page that does not start where the stream ends. A
 *          kill at any moment resumes with no duplicates and no gaps.
 *   follow while a followed job runs, each pass reads ONE page per stream (no request just to
 *          see the repeated token): the next pass comes at once after a full page, 1 s after a
 *          pass that brought lines, doubling to 10 s while quiet; its status is described again
 *          every 20 s and its tags fetched once per engine (again after sync_refresh()); once
 *          the job is final, the streams are drained and the job is dropped from the follow
 *          set. A run with named jobs describes each once (their log tasks do it); following
 *          named jobs (plan.follow) lists the account's jobs without describing them.
 *
 * Concurrency: the engine runs N worker threads (sync_options.workers, default 4, at most 8),
 * each with its own aws_client and its own read-write cache connection. Work items (list jobs,
 * describe a job, poll one job's logs) sit in one queue ordered by due time, so at most N
 * requests are ever in flight, whatever the number of followed jobs; the process-wide
 * per-API rate limiter in aws/client.c keeps the rate inside AWS's quotas, and a throttled
 * answer backs the item off (reported as SYNC_THROTTLED). A job's logs are only ever worked on
 * by one thread at a time.
 *
 * Threads and ownership: sync_new() borrows cfg and creds (they outlive the engine) and opens
 * nothing. sync_start() spawns the workers; sync_stop() (any thread) cancels requests in flight
 * (the transaction in progress rolls back, nothing half-written) and joins them. The notice
 * callback runs ON A WORKER THREAD: it must only copy what it needs and post it (the TUI posts
 * a message and writes its wake pipe); it must not call back into the engine.
 * sync_run() is the blocking form for the line-mode commands: start, wait until the plan is
 * done (or cancelled through opts.cancel), stop.
 *
 * Errors: sync_new/sync_start fail with ERR_CACHE/ERR_INVAL/ERR_NOMEM; failures of individual
 * requests are never fatal. A transient one (throttled, 5xx, network) that outlasted the
 * client's attempts (and paging.h's, for pages) puts the work item back in the queue after a
 * backoff (0.5 s doubling to 8 s, up to 10 times in a row, about a minute), reported as
 * SYNC_THROTTLED / SYNC_OFFLINE; logs resume from their cursor. Anything else, or a transient
 * failure that persists, is reported as SYNC_ERROR (SYNC_OFFLINE for the network); in the
 * background mode the item is tried again on a later pass. sync_run() returns 0 when every
 * item of the plan was done, else the first error, with a message naming what is missing
 * ("sync incomplete: 2 items not fetched (details of job-a, logs of job-b); first error: ...").
 * Ctrl-C (opts.cancel) stops every wait and request in flight at once: ERR_CANCELLED. */
#ifndef SAGETOP_SYNC_H
#define SAGETOP_SYNC_H

#include <signal.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "aws/config.h"
#include "aws/creds.h"
#include "aws/err.h"

enum sync_state {
    SYNC_IDLE,        /* nothing to do right now */
    SYNC_LISTING,     /* ListTrainingJobs */
    SYNC_DESCRIBING,  /* DescribeTrainingJob */
    SYNC_LOGS,        /* reading log streams */
    SYNC_SYNCED,      /* a unit of work finished: "synced" (the UI keeps the time for the age) */
    SYNC_THROTTLED,   /* "throttled, retrying in 4 s": retry_ms set */
    SYNC_OFFLINE,     /* network unreachable: "offline, retrying in 30 s" */
    SYNC_ERROR,       /* an AWS or cache error, text says what */
    SYNC_DONE,        /* sync_run: the plan is complete */
};
const char *sync_state_name(enum sync_state s);   /* "synced", "throttled", ... */

/* Running totals since sync_start(). */
struct sync_progress {
    int64_t jobs_listed;         /* summaries seen */
    int64_t jobs_new;            /* not in the cache before */
    int64_t jobs_described;
    int64_t streams;
    int64_t lines;               /* log events stored */
    int64_t points;              /* metric points stored */
    int64_t requests;            /* AWS calls made */
    double elapsed_s;
    double lines_per_s;
};

struct sync_notice {
    enum sync_state state;
    char job[64];                /* "" = about the job list / the engine */
    char text[256];              /* one line for a human: "throttled, retrying in 4 s" */
    long retry_ms;               /* THROTTLED/OFFLINE: the wait before the retry */
    int err_code;                /* ERR_* for SYNC_ERROR/SYNC_OFFLINE */
    bool cloudwatch;             /* THROTTLED: it is CloudWatch (host metrics) that throttles */
    struct sync_progress progress;
};
typedef void (*sync_notice_fn)(void *ctx, const struct sync_notice *n);

enum sync_log_mode {
    SYNC_LOGS_NONE,              /* jobs only */
    SYNC_LOGS_NAMED,             /* logs of the named jobs (sync_follow / plan.jobs) */
    SYNC_LOGS_ALL,               /* logs of every job created after plan.since */
};

struct sync_options {
    const struct aws_config *cfg;           /* borrowed */
    struct aws_creds_provider *creds;       /* borrowed */
    const char *cache_path;                 /* NULL = cache_default_path() */
    const char *account;                    /* the cache scope (cache_scope_use) */
    const char *region;
    int workers;                            /* 0 = 4; capped at 8 */
    int jobs_interval_s;                    /* sync_start: re-list every N s (0 = 15) */
    volatile sig_atomic_t *cancel;          /* borrowed; set = stop (Ctrl-C) */
    sync_notice_fn notice;                  /* may be NULL */
    void *notice_ctx;
    /* Metric definitions beyond the job's own: config text; NULL = the user's config file
     * (userconfig_read_text()), read again at each pass over a job's logs so that edits apply
     * to a running sync. Metrics whose definitions changed are extracted again from the cached
     * log before new events are fetched. */
    const char *metrics_config;
    size_t metrics_config_len;
    /* Also keep each synced job's CloudWatch host metrics (cache/sysmetrics.h): every minute
     * while it runs, once more when it has ended. In the background mode (the TUI) every
     * running job's, followed or not; a finished job's once when it is followed. */
    bool host_metrics;
};

struct sync;

struct sync *sync_new(const struct sync_options *o, struct err *e);
void sync_free(struct sync *s);          /* stops first; NULL is a no-op */

/* Background mode (the TUI): list jobs every jobs_interval_s, describe what changed, and
 * follow the logs of the jobs in the follow set. */
int sync_start(struct sync *s, struct err *e);
void sync_stop(struct sync *s);
/* Any thread. Adds/removes a job's logs to the follow set (the TUI follows the jobs whose log
 * view is open, and the running jobs on screen). A job that is final is synced to the end once
 * and then dropped. */
void sync_follow(struct sync *s, const char *job);
void sync_unfollow(struct sync *s, const char *job);
/* Any thread: run the job list pass now (the user pressed refresh). */
void sync_refresh(struct sync *s);
/* Any thread: the totals so far. */
void sync_get_progress(struct sync *s, struct sync_progress *out);

/* Blocking mode (line-mode commands). */
struct sync_plan {
    bool jobs;                   /* list + describe pass */
    const char *const *names;    /* jobs whose logs to sync (describe them too) */
    size_t n_names;
    enum sync_log_mode logs;
    double since;                /* SYNC_LOGS_ALL: jobs created after this epoch (0 = all) */
    bool follow;                 /* keep following until every named job is final and drained */
};
int sync_run(struct sync *s, const struct sync_plan *plan, struct err *e);

/* Blocking: one pass over the tuning jobs alone (ListHyperParameterTuningJobs, then each new,
 * running or changed tuning job described and its trials listed, every page), as the
 * background mode does after each job list pass. Trials are stored as job summaries too. */
int sync_run_tuning(struct sync *s, struct err *e);

/* Re-extracts every metric point of a job from its cached log (no network): used when metric
 * definitions change. Runs on the caller's thread with its own read-write handle. */
int sync_reextract(const char *cache_path, const char *account, const char *region,
                   const char *job, const char *metrics_config, size_t metrics_config_len,
                   struct err *e);

#endif
