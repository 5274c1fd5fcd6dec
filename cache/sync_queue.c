/* sync_queue.c: the sync engine's work queue (see sync_internal.h): finding, adding and
 * dropping work items, which one a worker picks next (due first; among log tasks, the job
 * with the fewest running, so followed jobs share the GetLogEvents budget and a job alone
 * gets every idle worker for its streams), the claims that keep one reader per stream, how a
 * run's outcome reschedules an item, the follow interval and a run's plan. Callers hold s->mu
 * except where a function says otherwise. It does no I/O, never blocks and never prints. */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "aws/dynbuf.h"
#include "cache/sync_internal.h"

/* The live task of (kind, job, sid). */
static struct task *task_find_sid(struct sync *s, enum task_kind k, const char *job, int64_t sid)
{
    size_t i;

    for (i = 0; i < s->n_tasks; i++)
        if (!s->tasks[i].dead && s->tasks[i].kind == k && s->tasks[i].sid == sid &&
            strcmp(s->tasks[i].job, job != NULL ? job : "") == 0)
            return &s->tasks[i];
    return NULL;
}

struct task *sync_pool_task_find(struct sync *s, enum task_kind k, const char *job)
{
    return task_find_sid(s, k, job, 0);
}

struct task *sync_pool_task_add(struct sync *s, enum task_kind k, const char *job, int64_t due)
{
    struct task *t = sync_pool_task_find(s, k, job);

    if (t != NULL) {
        if (!t->busy && due < t->due_ms)
            t->due_ms = due;
        return t;
    }
    if (vec_grow((void **)&s->tasks, &s->cap_tasks, s->n_tasks + 1, sizeof(*s->tasks)) != 0)
        return NULL;
    t = &s->tasks[s->n_tasks++];
    memset(t, 0, sizeof(*t));
    t->kind = k;
    snprintf(t->job, sizeof(t->job), "%s", job != NULL ? job : "");
    t->due_ms = due;
    t->interval_ms = FOLLOW_FAST_MS;
    t->once = s->run_mode;
    return t;
}

void sync_pool_tasks_compact(struct sync *s)
{
    size_t i, j = 0;

    for (i = 0; i < s->n_tasks; i++)
        if (!s->tasks[i].dead)
            s->tasks[j++] = s->tasks[i];
    s->n_tasks = j;
}
/* A task that spends the logs budget (GetLogEvents): what the fair pick shares out. */
static bool reads_logs(const struct task *t)
{
    return t->kind == TASK_LOGS || t->kind == TASK_STREAM;
}

struct task *sync_pool_task_pick(struct sync *s)
{
    return sync_pool_task_pick_at(s, INT64_MIN);
}

struct task *sync_pool_task_pick_at(struct sync *s, int64_t now)
{
    const char *running[SYNC_MAX_WORKERS * 2];
    struct task *best = NULL;
    size_t i, k, n_running = 0, best_load = 0;

    for (i = 0; i < s->n_tasks && n_running < sizeof(running) / sizeof(running[0]); i++)
        if (!s->tasks[i].dead && s->tasks[i].busy && reads_logs(&s->tasks[i]))
            running[n_running++] = s->tasks[i].job;
    for (i = 0; i < s->n_tasks; i++) {
        struct task *t = &s->tasks[i];
        size_t load = 0;

        if (t->dead || t->busy)
            continue;
        if (t->due_ms > now) {
            /* not due: only the earliest one, when nothing is due */
            if (best == NULL || (best->due_ms > now && t->due_ms < best->due_ms))
                best = t, best_load = 0;
            continue;
        }
        if (best != NULL && best->due_ms <= now && best_load == 0 && t->due_ms >= best->due_ms)
            continue;   /* cannot beat a due task of an idle job (the common case: cheap) */
        for (k = 0; k < n_running && reads_logs(t); k++)
            load += strcmp(running[k], t->job) == 0;
        if (best == NULL || best->due_ms > now || load < best_load ||
            (load == best_load && t->due_ms < best->due_ms))
            best = t, best_load = load;
    }
    return best;
}

struct task *sync_pool_stream_task_add(struct sync *s, const char *job, int64_t sid,
                                       int64_t due)
{
    struct task *t = task_find_sid(s, TASK_STREAM, job, sid);

    if (t != NULL)
        return t;
    if ((t = sync_pool_task_add(s, TASK_STREAM, job, due)) == NULL)
        return NULL;
    /* task_add matched no (TASK_STREAM, job, 0) task, so t is new: give it its stream */
    t->sid = sid;
    return t;
}

bool sync_pool_stream_claim(struct sync *s, int64_t sid, bool by_its_task)
{
    struct task *queued = NULL;
    size_t i, slot = SYNC_MAX_WORKERS;
    bool ok = true;

    pthread_mutex_lock(&s->mu);
    for (i = 0; i < SYNC_MAX_WORKERS; i++) {
        if (s->claimed[i] == sid)
            ok = false;
        else if (s->claimed[i] == 0 && slot == SYNC_MAX_WORKERS)
            slot = i;
    }
    for (i = 0; i < s->n_tasks && queued == NULL; i++)
        if (s->tasks[i].kind == TASK_STREAM && s->tasks[i].sid == sid && !s->tasks[i].dead)
            queued = &s->tasks[i];
    /* a worker took the stream's task and will claim it: it reads the stream, not the pass */
    if (queued != NULL && queued->busy && !by_its_task)
        ok = false;
    if (ok && slot < SYNC_MAX_WORKERS) {
        s->claimed[slot] = sid;
        if (queued != NULL && !queued->busy)
            queued->dead = true;
    }
    pthread_mutex_unlock(&s->mu);
    return ok;
}

void sync_pool_stream_release(struct sync *s, int64_t sid)
{
    size_t i;

    pthread_mutex_lock(&s->mu);
    for (i = 0; i < SYNC_MAX_WORKERS; i++)
        if (s->claimed[i] == sid)
            s->claimed[i] = 0;
    pthread_mutex_unlock(&s->mu);
}

void sync_pool_task_settle(struct sync *s, const struct task *snap, int64_t next)
{
    struct task *t = task_find_sid(s, snap->kind, snap->job, snap->sid);

    if (t != NULL) {
        t->busy = false;
        t->interval_ms = snap->interval_ms;
        t->passes = snap->passes;
        t->streams_ms = snap->streams_ms;
        t->retries = snap->retries;
        if (next < 0 || s->stop_flag ||
            ((snap->kind == TASK_LOGS || snap->kind == TASK_SYS) && !t->follow))
            t->dead = true;
        else
            t->due_ms = next;
    }
    sync_pool_tasks_compact(s);
}

int sync_pool_follow_interval_ms(int interval_ms, int64_t lines)
{
    if (lines > 0)
        return FOLLOW_FAST_MS;
    return interval_ms * 2 > FOLLOW_SLOW_MS ? FOLLOW_SLOW_MS : interval_ms * 2;
}

void sync_pool_plan(struct sync *s, const struct sync_plan *plan, int64_t now)
{
    size_t i;

    if (plan->jobs || plan->logs == SYNC_LOGS_ALL)
        sync_pool_task_add(s, TASK_LIST, NULL, now);
    if (s->plan_tuning)
        sync_pool_task_add(s, TASK_TUNING, NULL, now);
    for (i = 0; i < plan->n_names; i++) {
        if (plan->logs != SYNC_LOGS_NONE) {
            struct task *t = sync_pool_task_add(s, TASK_LOGS, plan->names[i], now);

            if (t != NULL)
                t->follow = plan->follow;
        } else {
            sync_pool_task_add(s, TASK_DESCRIBE, plan->names[i], now);
        }
    }
}

