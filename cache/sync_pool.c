/* sync_pool.c: the sync engine's machinery (see sync.h): the work queue ordered by due time
 * and its scheduling rules, the pool of worker threads (each with its own aws_client and
 * read-write cache connection), notices and progress, and the public entry points
 * (sync_new/start/stop/follow/run). The queue's own rules live in sync_queue.c, what a
 * work item does in sync_jobs.c and sync_logs.c. It must not print: everything it has to say goes out as a notice.
 *
 * Why a pool and not one thread interleaving everything: a GetLogEvents round trip is mostly
 * waiting (latency), so one thread following 50 jobs would poll each job every 50 round trips;
 * N workers keep N requests in flight, and the shared rate limiter (aws/ratelimit.c) keeps the
 * total inside AWS's per-API quotas however many workers there are. */
#include <errno.h>
#ifdef __GLIBC__
#endif
#include <math.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "aws/dynbuf.h"
#include "aws/paging.h"
#include "cache/sync_internal.h"
#include "cache/sysmetrics.h"

int64_t sync_pool_now_ms(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

double sync_pool_wall_s(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_REALTIME, &ts);
    return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

const char *sync_state_name(enum sync_state s)
{
    static const char *const names[] = {
        "idle", "listing", "describing", "logs", "synced", "throttled", "offline", "error",
        "done",
    };

    return (unsigned)s < sizeof(names) / sizeof(names[0]) ? names[s] : "?";
}

/* ---- notices and progress (workers call these without the lock held) ------------------- */

static void progress_snapshot(struct sync *s, struct sync_progress *out)
{
    *out = s->prog;
    out->elapsed_s = (double)(sync_pool_now_ms() - s->started_ms) / 1000.0;
    out->lines_per_s = out->elapsed_s > 0 ? (double)out->lines / out->elapsed_s : 0;
}

static void notice_v(struct sync *s, enum sync_state st, const char *job, long retry_ms,
                     int code, bool cloudwatch, const char *fmt, va_list ap)
{
    struct sync_notice n;

    if (s->o.notice == NULL)
        return;
    memset(&n, 0, sizeof(n));
    n.state = st;
    snprintf(n.job, sizeof(n.job), "%s", job != NULL ? job : "");
    n.retry_ms = retry_ms;
    n.err_code = code;
    n.cloudwatch = cloudwatch;
    vsnprintf(n.text, sizeof(n.text), fmt, ap);
    pthread_mutex_lock(&s->mu);
    progress_snapshot(s, &n.progress);
    pthread_mutex_unlock(&s->mu);
    s->o.notice(s->o.notice_ctx, &n);
}

void sync_pool_notice(struct sync *s, enum sync_state st, const char *job, long retry_ms,
                      int code, const char *fmt, ...)
{
    va_list ap;

    va_start(ap, fmt);
    notice_v(s, st, job, retry_ms, code, false, fmt, ap);
    va_end(ap);
}

/* A throttled or offline wait, saying whether CloudWatch (host metrics) is the one waited on. */
static void __attribute__((format(printf, 7, 8)))
wait_notice(struct sync *s, enum sync_state st, const char *job, long retry_ms, int code,
            bool cloudwatch, const char *fmt, ...)
{
    va_list ap;

    va_start(ap, fmt);
    notice_v(s, st, job, retry_ms, code, cloudwatch, fmt, ap);
    va_end(ap);
}

void sync_pool_count(struct sync *s, int64_t *field, int64_t by)
{
    pthread_mutex_lock(&s->mu);
    *field += by;
    pthread_mutex_unlock(&s->mu);
}

/* FNV-1a: the slot of a name in the tags set. */
static size_t name_hash(const char *name)
{
    uint64_t h = 1469598103934665603u;

    for (; *name; name++)
        h = (h ^ (unsigned char)*name) * 1099511628211u;
    return (size_t)h;
}

/* Caller holds s->mu. Puts name (the table takes it) into a table of cap slots, not full. */
static void tags_insert(char **slots, size_t cap, char *name)
{
    size_t i = name_hash(name) & (cap - 1);

    while (slots[i] != NULL)
        i = (i + 1) & (cap - 1);
    slots[i] = name;
}

/* Caller holds s->mu. Doubles the table (kept at most half full). */
static int tags_grow(struct sync *s)
{
    size_t cap = s->cap_tagged ? s->cap_tagged * 2 : 64, i;
    char **slots = calloc(cap, sizeof(*slots));

    if (slots == NULL)
        return ERR_NOMEM;
    for (i = 0; i < s->cap_tagged; i++)
        if (s->tagged[i] != NULL)
            tags_insert(slots, cap, s->tagged[i]);
    free(s->tagged);
    s->tagged = slots;
    s->cap_tagged = cap;
    return 0;
}

/* Caller holds s->mu. Forgets every job's tags (they are fetched again). */
static void tags_clear(struct sync *s)
{
    size_t i;

    for (i = 0; i < s->cap_tagged; i++)
        free(s->tagged[i]);
    free(s->tagged);
    s->tagged = NULL;
    s->n_tagged = s->cap_tagged = 0;
}

bool sync_pool_tags_seen(struct sync *s, const char *job)
{
    bool seen = false;
    char *copy;
    size_t i;

    pthread_mutex_lock(&s->mu);
    if (s->cap_tagged > 0) {
        for (i = name_hash(job) & (s->cap_tagged - 1); s->tagged[i] != NULL;
             i = (i + 1) & (s->cap_tagged - 1))
            if (strcmp(s->tagged[i], job) == 0) {
                seen = true;
                break;
            }
    }
    if (!seen && ((s->n_tagged + 1) * 2 <= s->cap_tagged || tags_grow(s) == 0) &&
        (copy = strdup(job)) != NULL) {
        tags_insert(s->tagged, s->cap_tagged, copy);
        s->n_tagged++;
    }
    pthread_mutex_unlock(&s->mu);
    return seen;
}

static void record_error(struct sync *s, const char *job, const struct err *e)
{
    enum sync_state st = e->code == ERR_NET ? SYNC_OFFLINE : SYNC_ERROR;

    pthread_mutex_lock(&s->mu);
    if (s->first_err == 0 && e->code != ERR_CANCELLED) {
        s->first_err = e->code;
        s->first_e = *e;
    }
    pthread_mutex_unlock(&s->mu);
    if (e->code == ERR_CANCELLED)
        return;
    if (st == SYNC_OFFLINE)
        sync_pool_notice(s, st, job, s->run_mode ? 0 : OFFLINE_RETRY_MS, e->code, "offline: %s",
                         e->msg);
    else
        sync_pool_notice(s, st, job, 0, e->code, "%s", e->msg);
}

/* The retry hook of every worker's client: "throttled, retrying in 4 s". */
static void on_retry(void *ctx, enum aws_service svc, const char *operation, const char *reason,
                     long delay_ms)
{
    struct sync *s = ctx;

    wait_notice(s, SYNC_THROTTLED, NULL, delay_ms, 0, svc == AWS_CLOUDWATCH,
                "%s %s, retrying in %.0f s", operation, reason != NULL ? reason : "failed",
                ceil((double)delay_ms / 1000.0));
}

static void record_missing(struct sync *s, const struct task *t)
{
    char what[sizeof(s->missing[0])];
    size_t i;

    snprintf(what, sizeof(what), "%s%s",
             t->kind == TASK_LIST ? "the job list" : t->kind == TASK_TUNING ? "the tuning jobs"
             : t->kind == TASK_DESCRIBE ? "details of "
             : t->kind == TASK_SYS ? "host metrics of " : "logs of ", t->job);
    pthread_mutex_lock(&s->mu);
    /* a job's logs task and its streams' tasks name the same thing: once */
    for (i = 0; i < s->n_missing && i < MISSING_MAX; i++)
        if (strcmp(s->missing[i], what) == 0)
            break;
    if (i == s->n_missing || i == MISSING_MAX) {
        if (s->n_missing < MISSING_MAX)
            memcpy(s->missing[s->n_missing], what, sizeof(what));
        s->n_missing++;
    }
    pthread_mutex_unlock(&s->mu);
}

/* A failure worth another try later in the same run: throttled, 5xx, network. */
static bool transient(struct worker *w, int rc)
{
    return rc != ERR_CANCELLED && !w->s->stop_flag &&
           paging_retryable(rc, aws_client_last_error_code(w->client));
}

/* After a logs pass (the job is described by then): its host metrics, when wanted and not
 * queued yet. */
static void queue_sys(struct sync *s, const struct task *logs)
{
    struct task *t;

    if (!s->o.host_metrics)
        return;
    pthread_mutex_lock(&s->mu);
    if (sync_pool_task_find(s, TASK_SYS, logs->job) == NULL &&
        (t = sync_pool_task_add(s, TASK_SYS, logs->job, sync_pool_now_ms())) != NULL) {
        t->follow = logs->follow;
        t->once = logs->once;
        pthread_cond_broadcast(&s->cv);
    }
    pthread_mutex_unlock(&s->mu);
}

/* After a job list pass: the tuning jobs and their trials (sync_tuning.c). */
static void queue_tuning(struct sync *s)
{
    pthread_mutex_lock(&s->mu);
    if (sync_pool_task_add(s, TASK_TUNING, NULL, sync_pool_now_ms()) != NULL)
        pthread_cond_broadcast(&s->cv);
    pthread_mutex_unlock(&s->mu);
}

/* A stream task found lines: its job's followed logs task comes back at the fast pace (at
 * once when a page was full), as if its own pass had found them. */
static void logs_sooner(struct sync *s, const char *job, bool now)
{
    struct task *t;
    int64_t due = sync_pool_now_ms() + (now ? 0 : FOLLOW_FAST_MS);

    pthread_mutex_lock(&s->mu);
    if ((t = sync_pool_task_find(s, TASK_LOGS, job)) != NULL && t->follow) {
        t->interval_ms = FOLLOW_FAST_MS;
        if (!t->busy && due < t->due_ms)
            t->due_ms = due;
    }
    pthread_mutex_unlock(&s->mu);
}

/* Runs one task (the lock is NOT held) and returns when it should run again (-1: never). */
static int64_t run_task(struct worker *w, struct task *snap)
{
    struct sync *s = w->s;
    struct err e = { 0 };
    int rc = 0;

    switch (snap->kind) {
    case TASK_LIST:
        rc = sync_jobs_list(w, &e);
        /* following named jobs is about them: their log tasks describe them, the rest of the
         * account is only listed */
        if (rc == 0 && !(s->run_mode && s->plan.follow && s->plan.n_names > 0 &&
                         s->plan.logs == SYNC_LOGS_NAMED))
            rc = sync_jobs_queue_describes(w, &e);
        if (rc == 0 && s->run_mode && s->plan.logs == SYNC_LOGS_ALL)
            sync_jobs_queue_logs(w);
        if (rc == 0 && !(s->run_mode && s->plan.follow && s->plan.n_names > 0))
            queue_tuning(s);
        if (rc == 0 && !s->run_mode && s->o.host_metrics)
            sync_jobs_queue_sys(w);
        if (rc == 0)
            sync_pool_notice(s, SYNC_SYNCED, NULL, 0, 0, "jobs synced");
        break;
    case TASK_TUNING:
        rc = sync_tuning_pass(w, &e);
        /* a role without the tuning permissions: the UI goes on without tuning jobs rather
         * than showing the same error every pass (a line-mode run reports it) */
        if (rc != 0 && !s->run_mode &&
            strstr(aws_client_last_error_code(w->client), "AccessDenied") != NULL) {
            sync_pool_notice(s, SYNC_SYNCED, NULL, 0, 0, "tuning jobs not synced: %s", e.msg);
            return -1;
        }
        if (rc == 0)
            sync_pool_notice(s, SYNC_SYNCED, NULL, 0, 0, "tuning jobs synced");
        break;
    case TASK_DESCRIBE:
        sync_pool_notice(s, SYNC_DESCRIBING, snap->job, 0, 0, "describing %s", snap->job);
        rc = sync_jobs_describe(w, snap->job, &e);
        break;
    case TASK_LOGS: {
        struct sync_pass ps;

        rc = sync_logs_pass(w, snap, &ps, &e);
        if (rc != 0)
            break;
        snap->retries = 0;
        queue_sys(s, snap);
        sync_pool_notice(s, SYNC_SYNCED, snap->job, 0, 0, "%lld new line%s%s",
                         (long long)ps.lines, ps.lines == 1 ? "" : "s",
                         ps.final ? ", job ended" : "");
        if (ps.final || !snap->follow)
            return -1;
        snap->interval_ms = sync_pool_follow_interval_ms(snap->interval_ms, ps.lines);
        /* a full page: the rest is waiting, read on once the other items had their turn */
        return sync_pool_now_ms() + (ps.more ? 0 : snap->interval_ms);
    }
    case TASK_STREAM: {
        struct sync_pass ps;

        rc = sync_logs_stream_task(w, snap, &ps, &e);
        if (rc != 0)
            break;
        if (ps.lines > 0 || ps.more)
            logs_sooner(s, snap->job, ps.more);
        return -1;
    }
    case TASK_SYS: {
        int64_t points = 0;
        bool done = false;

        rc = cache_sys_fetch(w->cache, w->client, snap->job, (int64_t)sync_pool_wall_s(),
                             &points, &done, &e);
        if (rc != 0)
            break;
        snap->retries = 0;
        sync_pool_count(s, &s->prog.points, points);
        if (done || !snap->follow)
            return -1;
        return sync_pool_now_ms() + SYS_EVERY_MS;
    }
    }
    if (rc != 0 && transient(w, rc) && snap->retries < TASK_RETRIES) {
        /* throttled or a 5xx/network failure that outlasted the client's attempts: the work
         * is still to do, so it goes back in the queue (logs resume from their cursor) and
         * the other items go on meanwhile */
        long d;

        snap->retries++;
        d = paging_backoff_ms(snap->retries < 5 ? snap->retries : 5, &w->rng);
        wait_notice(s, rc == ERR_NET ? SYNC_OFFLINE : SYNC_THROTTLED, snap->job, d, rc,
                    snap->kind == TASK_SYS, "%s; trying again in %.1f s", e.msg,
                    (double)d / 1000.0);
        return sync_pool_now_ms() + d;
    }
    if (rc != 0) {
        record_error(s, snap->job[0] ? snap->job : NULL, &e);
        if (rc != ERR_CANCELLED && s->run_mode)
            record_missing(s, snap);
        if (rc == ERR_CANCELLED || s->run_mode)
            return -1;
        return sync_pool_now_ms() + (rc == ERR_NET ? OFFLINE_RETRY_MS : FOLLOW_SLOW_MS);
    }
    snap->retries = 0;
    if (snap->kind == TASK_LIST && !s->run_mode)
        return sync_pool_now_ms() + (s->o.jobs_interval_s > 0 ? s->o.jobs_interval_s : 15) * 1000;
    return -1;
}

static void *worker_main(void *arg)
{
    struct worker *w = arg;
    struct sync *s = w->s;

    pthread_mutex_lock(&s->mu);
    for (;;) {
        struct task *best = NULL, snap;
        int64_t now = sync_pool_now_ms(), next;

        if (s->stopping)
            break;
        best = sync_pool_task_pick_at(s, now);
        if (best == NULL) {
            if (s->run_mode && s->active == 0) {
                s->stopping = true;
                pthread_cond_broadcast(&s->cv);
                break;
            }
            pthread_cond_wait(&s->cv, &s->mu);
            continue;
        }
        if (best->due_ms > now) {
            struct timespec ts;
            int64_t wait = best->due_ms - now;

            clock_gettime(CLOCK_REALTIME, &ts);
            ts.tv_sec += wait / 1000;
            ts.tv_nsec += (wait % 1000) * 1000000;
            if (ts.tv_nsec >= 1000000000) {
                ts.tv_sec++;
                ts.tv_nsec -= 1000000000;
            }
            pthread_cond_timedwait(&s->cv, &s->mu, &ts);
            continue;
        }
        best->busy = true;
        s->active++;
        snap = *best;
        pthread_mutex_unlock(&s->mu);

        next = run_task(w, &snap);

        pthread_mutex_lock(&s->mu);
        s->active--;
        sync_pool_task_settle(s, &snap, next);
        pthread_cond_broadcast(&s->cv);
    }
    pthread_mutex_unlock(&s->mu);
    return NULL;
}

static void *worker_thread(void *arg)
{
    struct sync *s = arg;
    struct worker w = { .s = s };
    struct err e = { 0 };

    w.rng = (uint64_t)sync_pool_now_ms() * 0x9e3779b97f4a7c15u ^ (uint64_t)(uintptr_t)&w;

    w.client = aws_client_new(s->o.cfg, s->o.creds, &e);
    if (w.client == NULL)
        goto fail;
    aws_client_set_cancel(w.client, &s->stop_flag);
    aws_client_set_retry_hook(w.client, on_retry, s);
    if (cache_open(s->cache_path, 0, &w.cache, NULL, 0, &e) != 0)
        goto fail;
    if (cache_scope_use(w.cache, s->account, s->region, &e) != 0)
        goto fail;
    worker_main(&w);
    sync_logs_worker_clean(&w);
    cache_close(w.cache);
    aws_client_free(w.client);
    return NULL;
fail:
    record_error(s, NULL, &e);
    cache_close(w.cache);
    aws_client_free(w.client);
    pthread_mutex_lock(&s->mu);
    /* a worker that cannot start leaves the others to do the work; if none can, stop */
    s->n_threads--;
    if (s->n_threads <= 0) {
        s->stopping = true;
    }
    pthread_cond_broadcast(&s->cv);
    pthread_mutex_unlock(&s->mu);
    return NULL;
}

struct sync *sync_new(const struct sync_options *o, struct err *e)
{
    struct sync *s;

    if (o == NULL || o->cfg == NULL || o->creds == NULL) {
        err_set(e, ERR_INVAL, "sync: missing AWS configuration");
        return NULL;
    }
    s = calloc(1, sizeof(*s));
    if (s == NULL) {
        err_set(e, ERR_NOMEM, "out of memory");
        return NULL;
    }
    s->o = *o;
    if (o->cache_path != NULL)
        snprintf(s->cache_path, sizeof(s->cache_path), "%s", o->cache_path);
    else if (cache_default_path(s->cache_path, sizeof(s->cache_path), e) != 0) {
        free(s);
        return NULL;
    }
    snprintf(s->account, sizeof(s->account), "%s", o->account ? o->account : "unknown");
    snprintf(s->region, sizeof(s->region), "%s", o->region ? o->region : "unknown");
    s->o.cache_path = s->cache_path;
    s->o.account = s->account;
    s->o.region = s->region;
    if (s->o.workers <= 0)
        s->o.workers = 4;
    if (s->o.workers > SYNC_MAX_WORKERS)
        s->o.workers = SYNC_MAX_WORKERS;
    pthread_mutex_init(&s->mu, NULL);
    pthread_cond_init(&s->cv, NULL);
    return s;
}

static int start_threads(struct sync *s, struct err *e)
{
    int i;

    s->started_ms = sync_pool_now_ms();
    s->started_wall = sync_pool_wall_s();
    s->stopping = false;
    s->stop_flag = 0;
    s->n_threads = 0;
    for (i = 0; i < s->o.workers; i++) {
        if (pthread_create(&s->threads[i], NULL, worker_thread, s) != 0)
            break;
        s->n_threads++;
    }
    if (s->n_threads == 0)
        return err_set(e, ERR_NOMEM, "sync: cannot start a worker thread");
    s->running = true;
    return 0;
}

int sync_start(struct sync *s, struct err *e)
{
    if (s->running)
        return 0;
    s->run_mode = false;
    pthread_mutex_lock(&s->mu);
    sync_pool_task_add(s, TASK_LIST, NULL, sync_pool_now_ms());
    pthread_mutex_unlock(&s->mu);
    return start_threads(s, e);
}

void sync_stop(struct sync *s)
{
    int i, n;

    if (s == NULL || !s->running)
        return;
    pthread_mutex_lock(&s->mu);
    s->stopping = true;
    s->stop_flag = 1;
    n = s->o.workers;
    pthread_cond_broadcast(&s->cv);
    pthread_mutex_unlock(&s->mu);
    for (i = 0; i < n && i < SYNC_MAX_WORKERS; i++)
        if (s->threads[i])
            pthread_join(s->threads[i], NULL);
    memset(s->threads, 0, sizeof(s->threads));
    s->running = false;
}

void sync_free(struct sync *s)
{
    if (s == NULL)
        return;
    sync_stop(s);
    tags_clear(s);
    free(s->tasks);
    pthread_mutex_destroy(&s->mu);
    pthread_cond_destroy(&s->cv);
    free(s);
}

void sync_follow(struct sync *s, const char *job)
{
    struct task *t;

    pthread_mutex_lock(&s->mu);
    t = sync_pool_task_add(s, TASK_LOGS, job, sync_pool_now_ms());
    if (t != NULL) {
        t->follow = true;
        t->once = false;
    }
    pthread_cond_broadcast(&s->cv);
    pthread_mutex_unlock(&s->mu);
}

void sync_unfollow(struct sync *s, const char *job)
{
    struct task *t;

    pthread_mutex_lock(&s->mu);
    for (int k = TASK_LOGS; k <= TASK_SYS; k++) {
        t = sync_pool_task_find(s, (enum task_kind)k, job);
        if (t == NULL)
            continue;
        if (t->busy)
            t->follow = false;    /* the pass in progress finishes, then it is dropped */
        else
            t->dead = true;
    }
    sync_pool_tasks_compact(s);
    pthread_mutex_unlock(&s->mu);
}

void sync_refresh(struct sync *s)
{
    pthread_mutex_lock(&s->mu);
    tags_clear(s);      /* an explicit refresh fetches tags again */
    sync_pool_task_add(s, TASK_LIST, NULL, sync_pool_now_ms());
    pthread_cond_broadcast(&s->cv);
    pthread_mutex_unlock(&s->mu);
}

void sync_get_progress(struct sync *s, struct sync_progress *out)
{
    pthread_mutex_lock(&s->mu);
    progress_snapshot(s, out);
    pthread_mutex_unlock(&s->mu);
}

int sync_run(struct sync *s, const struct sync_plan *plan, struct err *e)
{
    int rc;

    if (s->running)
        return err_set(e, ERR_INVAL, "sync: already running");
    s->run_mode = true;
    s->plan = *plan;
    s->first_err = 0;
    s->n_missing = 0;
    pthread_mutex_lock(&s->mu);
    sync_pool_plan(s, plan, sync_pool_now_ms());
    pthread_mutex_unlock(&s->mu);
    if ((rc = start_threads(s, e)) != 0)
        return rc;
    pthread_mutex_lock(&s->mu);
    while (!s->stopping) {
        struct timespec ts;

        if (s->o.cancel != NULL && *s->o.cancel) {
            s->stop_flag = 1;
            s->stopping = true;
            pthread_cond_broadcast(&s->cv);
            break;
        }
        clock_gettime(CLOCK_REALTIME, &ts);
        ts.tv_nsec += 100 * 1000000;
        if (ts.tv_nsec >= 1000000000) {
            ts.tv_sec++;
            ts.tv_nsec -= 1000000000;
        }
        pthread_cond_timedwait(&s->cv, &s->mu, &ts);
    }
    pthread_mutex_unlock(&s->mu);
    sync_stop(s);
    pthread_mutex_lock(&s->mu);
    s->n_tasks = 0;
    pthread_mutex_unlock(&s->mu);
    if (s->o.cancel != NULL && *s->o.cancel)
        return err_set(e, ERR_CANCELLED, "sync interrupted; what was fetched is kept");
    sync_pool_notice(s, SYNC_DONE, NULL, 0, 0, "done");
    if (s->n_missing > 0) {
        /* name what could not be fetched; everything else was stored */
        char what[200] = "";
        size_t k, used = 0;

        for (k = 0; k < s->n_missing && k < MISSING_MAX; k++) {
            int m = snprintf(what + used, sizeof(what) - used, "%s%s", k ? ", " : "",
                             s->missing[k]);

            if (m < 0 || (size_t)m >= sizeof(what) - used)
                break;
            used += (size_t)m;
        }
        err_set(e, s->first_err != 0 ? s->first_err : ERR_AWS,
                "sync incomplete: %zu item%s not fetched (%s%s); first error: %s",
                s->n_missing, s->n_missing == 1 ? "" : "s", what,
                s->n_missing > MISSING_MAX ? ", ..." : "", s->first_e.msg);
        return s->first_err != 0 ? s->first_err : ERR_AWS;
    }
    if (s->first_err != 0) {
        if (e != NULL)
            *e = s->first_e;
        return s->first_err;
    }
    return 0;
}

int sync_run_tuning(struct sync *s, struct err *e)
{
    struct sync_plan none = { 0 };
    int rc;

    s->plan_tuning = true;
    rc = sync_run(s, &none, e);
    s->plan_tuning = false;
    return rc;
}
