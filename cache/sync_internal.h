/* sync_internal.h: what the sync engine's files share and nobody outside cache/ (and its unit
 * tests) may include: the work queue's layout, the worker, and the steps each file offers.
 *
 *   sync_pool.c       the worker threads, notices and progress, sync_* entry points
 *   sync_queue.c      the queue and its scheduling rules (fair pick, stream claims)
 *   sync_jobs.c       the job list pass and describes (ListTrainingJobs, DescribeTrainingJob)
 *   sync_logs.c       one pass over a job's logs: streams, pages, cursors, points
 *   sync_reextract.c  metric definitions of a job, their fingerprints, re-extraction
 *   sync_tuning.c     tuning jobs and their trials (queued after each job list pass)
 *
 * Locking: s->mu guards the queue (tasks, n_tasks, active, stopping), the progress totals and
 * the error record. Functions documented "caller holds s->mu" never lock; the others lock
 * what they touch themselves and must be called without it. */
#ifndef SAGETOP_CACHE_SYNC_INTERNAL_H
#define SAGETOP_CACHE_SYNC_INTERNAL_H

#include <pthread.h>
#include <signal.h>
#include <stdbool.h>
#include <stdint.h>

#include "aws/client.h"
#include "aws/err.h"
#include "aws/logs.h"
#include "aws/sagemaker.h"
#include "cache/cache.h"
#include "cache/logstore.h"
#include "cache/sync.h"
#include "metrics/metrics.h"

#define SYNC_MAX_WORKERS 8
#define FOLLOW_FAST_MS 1000
#define FOLLOW_SLOW_MS 10000
#define OFFLINE_RETRY_MS 30000
/* How often a job's status is fetched again (DescribeTrainingJob) while its logs are read:
 * a one-shot pass takes a describe at most this old; a followed job re-checks at this pace
 * (it ends the follow, nothing else depends on it). */
#define DESCRIBE_EVERY_MS 5000
#define FOLLOW_DESCRIBE_MS 20000
/* A followed job's streams are listed on each pass while it has fewer than its instance
 * count (late instances), then once in this long (a spot restart's new stream, a host the
 * count did not announce). */
#define STREAMS_RELIST_MS 30000
/* A page at least this large (or of the query's limit in events) means more is waiting: a
 * follow pass reads on at once instead of leaving the rest for the next pass. */
#define PAGE_FULL_BYTES (512 * 1024)
/* A work item that failed with a transient error (throttled, 5xx, network) after the client's
 * own attempts goes back in the queue after paging.h's backoff (0.5 s doubling to 8 s), at
 * most this many times in a row (about a minute), before it counts as failed. */
#define TASK_RETRIES 10
#define MISSING_MAX 6           /* names listed in "what is missing" */

/* TASK_SYS: a job's CloudWatch host metrics (cache_sys_fetch), queued by its logs pass when
 * sync_options.host_metrics is set (following the job as its logs task does), and in the
 * background mode after each list pass for every running job (sync_jobs_queue_sys).
 * TASK_STREAM: one stream of a job (task.sid), queued by the job's logs pass for its other
 * unfinished streams so that idle workers read them concurrently; the pass reads what no
 * worker took (a claimed stream is read by one worker at a time). Runs once. */
enum task_kind { TASK_LIST, TASK_DESCRIBE, TASK_LOGS, TASK_SYS, TASK_STREAM,
                 TASK_TUNING };
#define SYS_EVERY_MS 60000      /* host metrics are sampled every minute */

struct task {
    enum task_kind kind;
    char job[64];
    int64_t due_ms;
    bool busy;
    bool follow;            /* TASK_LOGS: keep going until the job is final and drained */
    bool once;              /* run-mode item: removed when done */
    int interval_ms;        /* TASK_LOGS: current poll interval */
    int passes;
    int64_t streams_ms;     /* TASK_LOGS: when the job's streams were last listed */
    int retries;            /* transient failures in a row */
    bool dead;              /* to be removed */
    int64_t sid;            /* TASK_STREAM: the stream's id (0 for the other kinds) */
    bool final;             /* TASK_STREAM: the job was final when queued (drain, mark done) */
};

struct sync {
    struct sync_options o;
    char cache_path[4096];
    char account[64], region[64];
    pthread_mutex_t mu;
    pthread_cond_t cv;
    pthread_t threads[SYNC_MAX_WORKERS];
    int n_threads;
    bool running;
    bool stopping;
    volatile sig_atomic_t stop_flag;     /* handed to every aws_client */
    struct task *tasks;
    size_t n_tasks, cap_tasks;
    size_t active;                       /* tasks being executed */
    bool run_mode;                       /* sync_run: stop when no task is left */
    bool plan_tuning;                    /* sync_run_tuning: the run is the tuning item alone */
    struct sync_plan plan;
    int first_err;
    struct err first_e;
    /* run mode: work items given up after TASK_RETRIES transient failures, or at once on a
     * final error: what the summary names as missing */
    size_t n_missing;
    char missing[MISSING_MAX][80];
    struct sync_progress prog;
    int64_t started_ms;
    double started_wall;                 /* sync_pool_wall_s() at start: "described in this run" */
    /* jobs whose tags were fetched by this engine: tags are fetched once per job (again after
     * sync_refresh()); an open-addressed set of names, guarded by s->mu */
    char **tagged;
    size_t n_tagged, cap_tagged;
    /* streams being read (a worker reads at most one at a time), guarded by s->mu */
    int64_t claimed[SYNC_MAX_WORKERS];
};

/* One worker thread's own handles (never shared). */
struct worker {
    struct sync *s;
    struct aws_client *client;
    struct cache *cache;
    uint64_t rng;           /* backoff jitter */
    /* the last definitions compiled (sync_logs_mset) and their set, kept for the next job:
     * the jobs of an account mostly share them; freed by sync_logs_worker_clean() */
    struct mdef_list ms_defs;
    struct mset *ms;
};

/* ---- sync_pool.c ---------------------------------------------------------------------- */

int64_t sync_pool_now_ms(void);     /* CLOCK_MONOTONIC */
double sync_pool_wall_s(void);      /* CLOCK_REALTIME, seconds since the epoch */
/* Sends a notice (no-op without a callback). Without s->mu held. */
void sync_pool_notice(struct sync *s, enum sync_state st, const char *job, long retry_ms,
                      int code, const char *fmt, ...) __attribute__((format(printf, 6, 7)));
/* *field += by under s->mu. */
void sync_pool_count(struct sync *s, int64_t *field, int64_t by);
/* Without s->mu held. Marks job's tags as fetched by this engine; returns true when they had
 * been already (the caller skips ListTags). Out of memory counts as not fetched. */
bool sync_pool_tags_seen(struct sync *s, const char *job);

/* ---- sync_queue.c (the names keep their sync_pool_ prefix: other branches call them) ---- */

/* The queue; caller holds s->mu. find: the live task of (kind, job) (job NULL = ""). add: that
 * task, created when missing (due at due, polled every FOLLOW_FAST_MS, once in run mode), or
 * brought forward to due when it is idle and due later; NULL when out of memory. compact:
 * drops dead tasks, keeping the order of the others. pick: the idle task due first (the
 * earliest added on a tie), NULL when every task is busy or none is left. */
struct task *sync_pool_task_find(struct sync *s, enum task_kind k, const char *job);
struct task *sync_pool_task_add(struct sync *s, enum task_kind k, const char *job, int64_t due);
void sync_pool_tasks_compact(struct sync *s);
struct task *sync_pool_task_pick(struct sync *s);
/* Caller holds s->mu. The fair pick at now: among the idle tasks due by now, the one with the
 * fewest log tasks (TASK_LOGS, TASK_STREAM) of its job running when it reads logs itself, so
 * followed jobs share the workers, and with them the GetLogEvents budget, evenly, while a job
 * alone gets every idle worker for its streams; the earliest due on a tie. Other kinds count
 * no load. When none is due, the idle task due first. */
struct task *sync_pool_task_pick_at(struct sync *s, int64_t now);
/* Caller holds s->mu. Queues the TASK_STREAM of (job, sid), due at due, unless one exists;
 * NULL when out of memory. */
struct task *sync_pool_stream_task_add(struct sync *s, const char *job, int64_t sid,
                                       int64_t due);
/* Without s->mu held. claim: true when this worker may read stream sid now: no other worker
 * is reading it and, unless by_its_task (the claimer runs the stream's TASK_STREAM), no worker
 * has taken its TASK_STREAM (that worker reads it: a page is never fetched twice); a queued
 * TASK_STREAM not yet taken is dropped (the claimer reads it). release: after reading. */
bool sync_pool_stream_claim(struct sync *s, int64_t sid, bool by_its_task);
void sync_pool_stream_release(struct sync *s, int64_t sid);
/* Caller holds s->mu. Writes back what a run changed on its snapshot (interval, passes,
 * streams listing time, retries) and reschedules the task at next, or drops it when next < 0, the
 * engine is stopping, or its logs were unfollowed during the run. */
void sync_pool_task_settle(struct sync *s, const struct task *snap, int64_t next);
/* The next poll interval of a followed job: FOLLOW_FAST_MS after a pass that stored lines,
 * else the current one doubled, at most FOLLOW_SLOW_MS. */
int sync_pool_follow_interval_ms(int interval_ms, int64_t lines);
/* Caller holds s->mu. Queues the run-mode work of plan at now: the job list when the plan
 * lists jobs or wants every job's logs; each named job's logs (following when plan->follow),
 * or only its describe when the plan wants no logs. */
void sync_pool_plan(struct sync *s, const struct sync_plan *plan, int64_t now);

/* ---- sync_jobs.c ---------------------------------------------------------------------- */

/* One page of ListTrainingJobs stored in one transaction (paging callback). */
struct sync_list_ctx {
    struct worker *w;
    bool full_before;       /* a complete listing happened before: stop at a known page */
    int64_t seen, fresh;    /* summaries stored; jobs not in the cache before */
    int rc;
    struct err e;
};
/* Returns 1 to stop the listing: cancelled, a cache error (lc->rc, lc->e), or a page with
 * nothing new after a full listing (newest first: the rest is known too). */
int sync_jobs_list_page(void *ctx, const struct sagemaker_job_summary *items, size_t n);
/* The list pass: pages until nothing new, then "jobs.full_listed" and "jobs.synced_at". */
int sync_jobs_list(struct worker *w, struct err *e);
/* Queues a TASK_DESCRIBE (due now) for every cached job never described, not final, or
 * described while running but since listed as final. */
int sync_jobs_queue_describes(struct worker *w, struct err *e);
/* sync_run with SYNC_LOGS_ALL: queues the logs of every cached job created at or after
 * plan.since, newest first. */
void sync_jobs_queue_logs(struct worker *w);
/* Background mode with host_metrics: queues a following TASK_SYS for every running, described
 * job that has none (at most SYNC_SYS_RUNNING_MAX, newest first), so that every running job's
 * host metrics are kept whether a view follows its logs or not (the job list's GPU column). */
#define SYNC_SYS_RUNNING_MAX 256
void sync_jobs_queue_sys(struct worker *w);
/* DescribeTrainingJob stored, then its tags (best effort). */
int sync_jobs_describe(struct worker *w, const char *job, struct err *e);

/* ---- sync_logs.c ---------------------------------------------------------------------- */

/* Collects the points of one page of events (unparsed captures too: they are counted). */
struct point_buf {
    struct cache_point_in *p;
    size_t n, cap;
    char **names;
    size_t n_names, cap_names;
    int64_t seq;            /* the event being extracted */
    bool oom;
};
/* mset_extract's callback: appends mp at pb->seq (index = its rank among the same metric's
 * points of that event). 1 and pb->oom on allocation failure. */
int sync_logs_point(const struct mpoint *mp, void *pb);
void sync_logs_points_clean(struct point_buf *pb);

/* GetLogEvents from a stream's cursor: its token when it has one, else from the head. */
void sync_logs_page_query(const struct cache_stream *cs, struct logs_get_query *q);
/* A page to store: events, or a new token with none (the cursor moves). */
bool sync_logs_page_news(const struct logs_event_page *pg, const struct cache_stream *cs);
/* The stream is caught up after this page. */
bool sync_logs_page_last(const struct logs_event_page *pg);
/* Stores one page at the cursor cs: events, their points (pb), the metrics' definition hashes
 * (defs), the extractor state st (when ms is set) and the new cursor, in ONE transaction.
 * *applied false: another writer moved the cursor first and nothing was written (re-read the
 * stream and go on from there). On success (applied) cs->n_events and cs->token advance. */
struct sync_page {
    const struct cache_event *ev;
    size_t n;
    const char *next_token;             /* NULL: keep the current token */
    const struct point_buf *pb;
    const struct mdef_list *defs;
    const struct mextract_state *st;    /* NULL: no extractor (no definitions) */
};
int sync_logs_store_page(struct cache *c, int64_t job_id, struct cache_stream *cs,
                         const struct sync_page *pg, bool *applied, struct err *e);
/* One pass over a job's logs. A job that is final (or a task that does not follow) has each
 * stream read until caught up; a followed running job gets one page per stream (more only
 * while pages come back full), so a quiet stream costs one request a pass. */
struct sync_pass {
    bool final;             /* the job was final before the pass began (so the pass drained it) */
    bool more;              /* a followed stream's last page was full: pass again at once */
    int64_t lines;          /* events stored */
};
int sync_logs_pass(struct worker *w, struct task *snap, struct sync_pass *out, struct err *e);
/* A TASK_STREAM: reads stream snap->sid of snap->job (one page when following a running job,
 * else until caught up), marks it done when snap->final. Nothing when another worker reads
 * it. */
int sync_logs_stream_task(struct worker *w, const struct task *snap, struct sync_pass *out,
                          struct err *e);
/* Frees what the worker keeps from one pass to the next (its compiled definitions). */
void sync_logs_worker_clean(struct worker *w);

/* ---- sync_tuning.c -------------------------------------------------------------------- */

/* TASK_TUNING: tuning jobs listed (every page), and each new, running or changed one
 * described and its trials listed (every page) into the cache. */
int sync_tuning_pass(struct worker *w, struct err *e);

/* ---- sync_reextract.c ----------------------------------------------------------------- */

/* A job's definitions: its own MetricDefinitions, then the config text (may be NULL). */
void sync_reextract_defs(struct cache *c, const char *config, size_t config_len,
                         const char *job, struct mdef_list *l);
/* Fingerprint of the definitions of name in l (and of whether the preset runs). */
int64_t sync_reextract_hash(const struct mdef_list *l, const char *name);
/* Extracts again the metrics of job whose stored points do not match l (see the file); force:
 * also when nothing is stored yet. cancel may be NULL. One transaction on c. */
int sync_reextract_job(struct cache *c, const struct mdef_list *l, const char *job,
                       int64_t job_id, bool force, volatile sig_atomic_t *cancel,
                       struct err *e);

#endif
