/* sync.c: the sync engine (see sync.h): a small pool of worker threads, each with its own
 * aws_client and read-write cache connection, taking work items (list jobs, describe a job,
 * read one job's logs) from one queue ordered by due time. Logs go through the metric
 * extractor as they are stored; a page of events, its points, the extractor state and the new
 * cursor commit together. It must not print: everything it has to say goes out as a notice.
 *
 * Why a pool and not one thread interleaving everything: a GetLogEvents round trip is mostly
 * waiting (latency), so one thread following 50 jobs would poll each job every 50 round trips;
 * N workers keep N requests in flight, and the shared rate limiter (aws/ratelimit.c) keeps the
 * total inside AWS's per-API quotas however many workers there are. */
#include <errno.h>
#include <math.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "aws/client.h"
#include "aws/logs.h"
#include "aws/paging.h"
#include "aws/sagemaker.h"
#include "aws/userconfig.h"
#include "cache/cache.h"
#include "cache/internal.h"
#include "cache/logstore.h"
#include "cache/sync.h"
#include "metrics/metrics.h"

#define SYNC_MAX_WORKERS 8
#define FOLLOW_FAST_MS 1000
#define FOLLOW_SLOW_MS 10000
#define OFFLINE_RETRY_MS 30000
#define DESCRIBE_EVERY_MS 5000
#define STREAMS_EVERY_PASSES 5
/* A work item that failed with a transient error (throttled, 5xx, network) after the client's
 * own attempts goes back in the queue after paging.h's backoff (0.5 s doubling to 8 s), at
 * most this many times in a row (about a minute), before it counts as failed. */
#define TASK_RETRIES 10
#define MISSING_MAX 6           /* names listed in "what is missing" */

enum task_kind { TASK_LIST, TASK_DESCRIBE, TASK_LOGS };

struct task {
    enum task_kind kind;
    char job[64];
    int64_t due_ms;
    bool busy;
    bool follow;            /* TASK_LOGS: keep going until the job is final and drained */
    bool once;              /* run-mode item: removed when done */
    int interval_ms;        /* TASK_LOGS: current poll interval */
    int passes;
    int64_t described_ms;   /* TASK_LOGS: when the job status was last refreshed */
    int retries;            /* transient failures in a row */
    bool dead;              /* to be removed */
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
    struct sync_plan plan;
    int first_err;
    struct err first_e;
    /* run mode: work items given up after TASK_RETRIES transient failures, or at once on a
     * final error: what the summary names as missing */
    size_t n_missing;
    char missing[MISSING_MAX][80];
    struct sync_progress prog;
    int64_t started_ms;
};

static int64_t now_ms(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static double wall_s(void)
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
    out->elapsed_s = (double)(now_ms() - s->started_ms) / 1000.0;
    out->lines_per_s = out->elapsed_s > 0 ? (double)out->lines / out->elapsed_s : 0;
}

static void notice(struct sync *s, enum sync_state st, const char *job, long retry_ms,
                   int code, const char *fmt, ...) __attribute__((format(printf, 6, 7)));

static void notice(struct sync *s, enum sync_state st, const char *job, long retry_ms,
                   int code, const char *fmt, ...)
{
    struct sync_notice n;
    va_list ap;

    if (s->o.notice == NULL)
        return;
    memset(&n, 0, sizeof(n));
    n.state = st;
    snprintf(n.job, sizeof(n.job), "%s", job != NULL ? job : "");
    n.retry_ms = retry_ms;
    n.err_code = code;
    va_start(ap, fmt);
    vsnprintf(n.text, sizeof(n.text), fmt, ap);
    va_end(ap);
    pthread_mutex_lock(&s->mu);
    progress_snapshot(s, &n.progress);
    pthread_mutex_unlock(&s->mu);
    s->o.notice(s->o.notice_ctx, &n);
}

static void count(struct sync *s, int64_t *field, int64_t by)
{
    pthread_mutex_lock(&s->mu);
    *field += by;
    pthread_mutex_unlock(&s->mu);
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
        notice(s, st, job, s->run_mode ? 0 : OFFLINE_RETRY_MS, e->code, "offline: %s", e->msg);
    else
        notice(s, st, job, 0, e->code, "%s", e->msg);
}

/* The retry hook of every worker's client: "throttled, retrying in 4 s". */
static void on_retry(void *ctx, enum aws_service svc, const char *operation, const char *reason,
                     long delay_ms)
{
    struct sync *s = ctx;

    (void)svc;
    notice(s, SYNC_THROTTLED, NULL, delay_ms, 0, "%s %s, retrying in %.0f s", operation,
           reason != NULL ? reason : "failed", ceil((double)delay_ms / 1000.0));
}

/* ---- the queue (callers hold s->mu) -------------------------------------------------------- */

static struct task *task_find(struct sync *s, enum task_kind k, const char *job)
{
    size_t i;

    for (i = 0; i < s->n_tasks; i++)
        if (!s->tasks[i].dead && s->tasks[i].kind == k &&
            strcmp(s->tasks[i].job, job != NULL ? job : "") == 0)
            return &s->tasks[i];
    return NULL;
}

static struct task *task_add(struct sync *s, enum task_kind k, const char *job, int64_t due)
{
    struct task *t = task_find(s, k, job);

    if (t != NULL) {
        if (!t->busy && due < t->due_ms)
            t->due_ms = due;
        return t;
    }
    if (s->n_tasks == s->cap_tasks) {
        size_t nc = s->cap_tasks ? s->cap_tasks * 2 : 64;
        struct task *nt = realloc(s->tasks, nc * sizeof(*nt));

        if (nt == NULL)
            return NULL;
        s->tasks = nt;
        s->cap_tasks = nc;
    }
    t = &s->tasks[s->n_tasks++];
    memset(t, 0, sizeof(*t));
    t->kind = k;
    snprintf(t->job, sizeof(t->job), "%s", job != NULL ? job : "");
    t->due_ms = due;
    t->interval_ms = FOLLOW_FAST_MS;
    t->once = s->run_mode;
    return t;
}

static void tasks_compact(struct sync *s)
{
    size_t i, j = 0;

    for (i = 0; i < s->n_tasks; i++)
        if (!s->tasks[i].dead)
            s->tasks[j++] = s->tasks[i];
    s->n_tasks = j;
}

/* ---- work --------------------------------------------------------------------------------- */

struct worker {
    struct sync *s;
    struct aws_client *client;
    struct cache *cache;
    uint64_t rng;           /* backoff jitter */
};

struct list_ctx {
    struct worker *w;
    bool full_before;       /* a complete listing happened before: stop at a known page */
    int64_t seen, fresh;
    int rc;
    struct err e;
};

static int on_list_page(void *ctx, const struct sagemaker_job_summary *items, size_t n)
{
    struct list_ctx *lc = ctx;
    struct cache *c = lc->w->cache;
    size_t i, fresh = 0;

    if (lc->w->s->stop_flag)
        return 1;
    if (cache_tx_begin(c, &lc->e) != 0) {
        lc->rc = lc->e.code;
        return 1;
    }
    for (i = 0; i < n; i++) {
        struct cache_job old;
        struct cache_job_summary sm = {
            items[i].name, items[i].arn, items[i].status, items[i].secondary_status,
            items[i].creation_time, items[i].training_end_time, items[i].last_modified_time,
        };
        bool known = cache_job_get(c, items[i].name, &old, NULL) == 0;

        if (!known || strcmp(old.status, items[i].status) != 0 ||
            old.last_modified_time < items[i].last_modified_time)
            fresh++;
        if (!known)
            lc->fresh++;
        if (cache_job_upsert_summary(c, &sm, &lc->e) != 0) {
            cache_tx_rollback(c);
            lc->rc = lc->e.code;
            return 1;
        }
    }
    if (cache_tx_commit(c, &lc->e) != 0) {
        lc->rc = lc->e.code;
        return 1;
    }
    lc->seen += (int64_t)n;
    count(lc->w->s, &lc->w->s->prog.requests, 1);
    /* newest first: a page with nothing new means the rest is known too */
    return lc->full_before && n > 0 && fresh == 0;
}

static int do_list(struct worker *w, struct err *e)
{
    struct sync *s = w->s;
    struct sagemaker_list_query q = { 0 };
    struct list_ctx lc = { 0 };
    char buf[32];
    int rc;

    notice(s, SYNC_LISTING, NULL, 0, 0, "listing jobs");
    lc.w = w;
    lc.full_before = cache_state_get(w->cache, "jobs.full_listed", buf, sizeof(buf), NULL) == 0;
    q.sort_by = "CreationTime";
    q.sort_order = "Descending";
    q.max_results = 100;
    rc = sagemaker_list_training_jobs_each(w->client, &q, on_list_page, &lc, e);
    if (rc == 0 && lc.rc != 0) {
        *e = lc.e;
        rc = lc.rc;
    }
    if (rc != 0)
        return rc;
    if (s->stop_flag)
        return err_set(e, ERR_CANCELLED, "cancelled");
    if (!lc.full_before)
        cache_state_set(w->cache, "jobs.full_listed", "1", NULL);
    snprintf(buf, sizeof(buf), "%.3f", wall_s());
    cache_state_set(w->cache, "jobs.synced_at", buf, NULL);
    pthread_mutex_lock(&s->mu);
    s->prog.jobs_listed += lc.seen;
    s->prog.jobs_new += lc.fresh;
    pthread_mutex_unlock(&s->mu);
    return 0;
}

/* Jobs whose describe is missing, stale, or not final yet. */
static int queue_describes(struct worker *w, struct err *e)
{
    struct cache_job_query q = { 0 };
    struct cache_job *rows;
    size_t n = 0, total = 0, off = 0, i;
    int rc;

    if ((rc = cache_jobs_count(w->cache, &q, &total, e)) != 0)
        return rc;
    rows = malloc(256 * sizeof(*rows));
    if (rows == NULL)
        return err_set(e, ERR_NOMEM, "out of memory");
    while (off < total) {
        if ((rc = cache_jobs_window(w->cache, &q, off, 256, rows, &n, e)) != 0 || n == 0)
            break;
        pthread_mutex_lock(&w->s->mu);
        for (i = 0; i < n; i++) {
            bool stale = !rows[i].described || !cache_status_final(rows[i].status);

            if (!stale) {
                /* listed as final after being described while running */
                char *doc = NULL;

                if (cache_job_describe_json(w->cache, rows[i].name, &doc, NULL) == 0) {
                    char want[64];

                    snprintf(want, sizeof(want), "\"TrainingJobStatus\":\"%s\"",
                             rows[i].status);
                    stale = strstr(doc, want) == NULL;
                    free(doc);
                }
            }
            if (stale)
                task_add(w->s, TASK_DESCRIBE, rows[i].name, now_ms());
        }
        pthread_cond_broadcast(&w->s->cv);
        pthread_mutex_unlock(&w->s->mu);
        off += n;
    }
    free(rows);
    return rc;
}

/* Tags are not in the describe document: ListTags on the job's ARN. Best effort: a role
 * without sagemaker:ListTags, or a throttled answer, keeps the job and its old tags. */
static void store_tags(struct worker *w, const char *job, const char *arn)
{
    struct sagemaker_kv *tags = NULL;
    const char **keys = NULL, **values = NULL;
    size_t n = 0, i;
    struct err te;

    err_clear(&te);
    count(w->s, &w->s->prog.requests, 1);
    if (sagemaker_list_tags(w->client, arn, &tags, &n, &te) != 0)
        return;
    keys = calloc(n + 1, sizeof(*keys));
    values = calloc(n + 1, sizeof(*values));
    if (keys != NULL && values != NULL) {
        for (i = 0; i < n; i++) {
            keys[i] = tags[i].key;
            values[i] = tags[i].value;
        }
        (void)cache_job_set_tags(w->cache, job, keys, values, n, &te);
    }
    free(keys);
    free(values);
    sagemaker_kv_free(tags, n);
}

static int do_describe(struct worker *w, const char *job, struct err *e)
{
    struct sagemaker_job j;
    int rc;

    memset(&j, 0, sizeof(j));
    rc = sagemaker_describe_training_job(w->client, job, false, &j, e);
    count(w->s, &w->s->prog.requests, 1);
    if (rc == 0) {
        rc = cache_job_store_describe(w->cache, j.raw_json, j.raw_json_len, e);
        if (rc == 0)
            count(w->s, &w->s->prog.jobs_described, 1);
    }
    if (rc == 0 && j.arn[0] != '\0')
        store_tags(w, job, j.arn);
    sagemaker_job_clean(&j);
    return rc;
}

_Static_assert(CACHE_POINT_UNPARSED == MPOINT_UNPARSED, "flag bits shared with metrics.h");
_Static_assert(CACHE_POINT_REPAIRED == (MPOINT_REPAIRED_NUMBER | MPOINT_REPAIRED_SIGN),
               "flag bits shared with metrics.h");

/* Collects the points of one page of events (unparsed captures too: they are counted). */
struct point_buf {
    struct cache_point_in *p;
    size_t n, cap;
    char **names;
    size_t n_names, cap_names;
    int64_t seq;            /* the event being extracted */
    bool oom;
};

static const char *intern(struct point_buf *pb, const char *name)
{
    size_t i;

    for (i = 0; i < pb->n_names; i++)
        if (strcmp(pb->names[i], name) == 0)
            return pb->names[i];
    if (pb->n_names == pb->cap_names) {
        size_t nc = pb->cap_names ? pb->cap_names * 2 : 16;
        char **nn = realloc(pb->names, nc * sizeof(*nn));

        if (nn == NULL)
            return NULL;
        pb->names = nn;
        pb->cap_names = nc;
    }
    pb->names[pb->n_names] = strdup(name);
    return pb->names[pb->n_names] != NULL ? pb->names[pb->n_names++] : NULL;
}

static int on_point(const struct mpoint *mp, void *ctx)
{
    struct point_buf *pb = ctx;
    const char *name;
    size_t i;
    int k = 0;

    if ((name = intern(pb, mp->name)) == NULL) {
        pb->oom = true;
        return 1;
    }
    if (pb->n == pb->cap) {
        size_t nc = pb->cap ? pb->cap * 2 : 256;
        struct cache_point_in *np = realloc(pb->p, nc * sizeof(*np));

        if (np == NULL) {
            pb->oom = true;
            return 1;
        }
        pb->p = np;
        pb->cap = nc;
    }
    for (i = pb->n; i > 0 && pb->p[i - 1].seq == pb->seq; i--)
        if (pb->p[i - 1].metric == name)
            k++;
    pb->p[pb->n].metric = name;
    pb->p[pb->n].seq = pb->seq;
    pb->p[pb->n].index = k;
    pb->p[pb->n].ts_ms = mp->ts_ms;
    pb->p[pb->n].value = mp->value;
    pb->p[pb->n].step = mp->step;
    pb->p[pb->n].epoch = mp->epoch;
    pb->p[pb->n].flags = mp->flags;
    pb->p[pb->n].sagemaker_value = mp->sagemaker_value;
    pb->n++;
    return 0;
}

static void point_buf_clean(struct point_buf *pb)
{
    size_t i;

    for (i = 0; i < pb->n_names; i++)
        free(pb->names[i]);
    free(pb->names);
    free(pb->p);
    memset(pb, 0, sizeof(*pb));
}

/* A job's definitions: its own MetricDefinitions, the config, the preset. */
static void job_defs(struct cache *c, const char *config, size_t config_len, const char *job,
                     struct mdef_list *l)
{
    struct cache_kv_list defs = { 0 };
    size_t i;

    mdef_list_init(l);
    if (cache_job_metric_definitions(c, job, &defs, NULL) == 0) {
        for (i = 0; i < defs.n; i++)
            mdef_list_add(l, defs.items[i].key, defs.items[i].value, MDEF_JOB, NULL);
        cache_kv_list_clean(&defs);
    }
    if (config != NULL)
        mdef_list_parse_config(l, config, config_len, job, NULL);
}

static int64_t defs_hash(const struct mdef_list *l, const char *name);
static int reextract_job(struct cache *c, const struct mdef_list *l, const char *job,
                         int64_t job_id, bool force, volatile sig_atomic_t *cancel,
                         struct err *e);

struct replay_ctx {
    struct mset *ms;
    struct mextract_state *st;
    struct point_buf *pb;
};

static int replay_event(void *ctx, int64_t seq, int64_t ts_ms, const char *msg, size_t len)
{
    struct replay_ctx *rc = ctx;

    rc->pb->seq = seq;
    mset_extract(rc->ms, rc->st, msg, len, ts_ms, on_point, rc->pb);
    return rc->pb->oom ? ERR_NOMEM : 0;
}

/* Rebuilds a stream's extractor state by replaying what is stored (the saved one is missing
 * or from another build). Points found again are already stored: they are dropped. */
static int rebuild_state(struct cache *c, struct mset *ms, const struct cache_stream *cs,
                         struct mextract_state *st, struct err *e)
{
    struct point_buf pb = { 0 };
    struct replay_ctx rc = { ms, st, &pb };
    int r;

    mextract_state_init(st, cs->instance);
    r = cache_stream_scan(c, cs->id, 0, replay_event, &rc, e);
    point_buf_clean(&pb);
    return r;
}

/* Reads one stream from its cursor until caught up. *lines gets the events stored. */
static int sync_stream(struct worker *w, const struct mdef_list *defs, struct mset *ms,
                       int64_t job_id, int64_t sid, int64_t *lines, struct err *e)
{
    struct sync *s = w->s;
    struct cache_stream cs;
    struct mextract_state st;
    int rc;

reload:
    if ((rc = cache_stream_get(w->cache, sid, &cs, e)) != 0)
        return rc;
    if (cache_stream_get_extract_state(w->cache, sid, &st, sizeof(st), NULL) != 0) {
        if (cs.n_events > 0 && ms != NULL) {
            if ((rc = rebuild_state(w->cache, ms, &cs, &st, e)) != 0)
                return rc;
        } else {
            mextract_state_init(&st, cs.instance);
        }
    }
    for (;;) {
        bool applied = true;

        struct logs_get_query q = { 0 };
        struct logs_event_page pg;
        struct cache_event *ev = NULL;
        struct point_buf pb = { 0 };
        size_t i;

        if (s->stop_flag)
            return err_set(e, ERR_CANCELLED, "cancelled");
        memset(&pg, 0, sizeof(pg));
        q.stream = cs.name;
        q.next_token = cs.token[0] != '\0' ? cs.token : NULL;
        q.start_from_head = true;
        q.limit = 10000;
        rc = logs_get_log_events(w->client, &q, &pg, e);
        count(s, &s->prog.requests, 1);
        if (rc != 0)
            return rc;
        if (pg.count > 0) {
            ev = malloc(pg.count * sizeof(*ev));
            if (ev == NULL) {
                logs_event_page_clean(&pg);
                return err_set(e, ERR_NOMEM, "out of memory");
            }
        }
        for (i = 0; i < pg.count; i++) {
            ev[i].ts_ms = pg.events[i].timestamp_ms;
            ev[i].msg = pg.events[i].message;
            ev[i].len = pg.events[i].message_len;
            if (ms != NULL) {
                pb.seq = cs.n_events + (int64_t)i;
                mset_extract(ms, &st, ev[i].msg, ev[i].len, ev[i].ts_ms, on_point, &pb);
            }
        }
        if (pb.oom) {
            rc = err_set(e, ERR_NOMEM, "out of memory extracting metrics");
        } else if (pg.count > 0 || (pg.next_forward_token != NULL &&
                                    strcmp(pg.next_forward_token, cs.token) != 0)) {
            /* events, points, extractor state and cursor: all or nothing */
            struct cache_cursor at = { cs.n_events, cs.token };

            if ((rc = cache_tx_begin(w->cache, e)) == 0) {
                rc = cache_stream_append_at(w->cache, sid, &at, ev, pg.count,
                                            pg.next_forward_token, &applied, e);
                /* !applied: another sync of this stream stored the page first */
                if (rc == 0 && applied && pb.n > 0)
                    rc = cache_points_add(w->cache, sid, pb.p, pb.n, e);
                /* the metrics stay what these definitions extract (do_logs re-extracted
                 * any that were not) */
                for (i = 0; rc == 0 && applied && i < pb.n_names; i++)
                    rc = cache_metric_set_hash(w->cache, job_id, pb.names[i],
                                               defs_hash(defs, pb.names[i]), e);
                if (rc == 0 && applied && ms != NULL)
                    rc = cache_stream_set_extract_state(w->cache, sid, &st, sizeof(st), e);
                if (rc == 0 && applied)
                    rc = cache_tx_commit(w->cache, e);
                else
                    cache_tx_rollback(w->cache);
            }
            if (rc == 0 && applied) {
                cs.n_events += (int64_t)pg.count;
                if (pg.next_forward_token != NULL)
                    snprintf(cs.token, sizeof(cs.token), "%s", pg.next_forward_token);
                *lines += (int64_t)pg.count;
                pthread_mutex_lock(&s->mu);
                s->prog.lines += (int64_t)pg.count;
                s->prog.points += (int64_t)pb.n;
                pthread_mutex_unlock(&s->mu);
            }
        }
        {
            bool done = pg.caught_up || pg.next_forward_token == NULL;

            free(ev);
            point_buf_clean(&pb);
            logs_event_page_clean(&pg);
            if (rc != 0)
                return rc;
            if (!applied)
                goto reload;    /* go on from the cursor that was stored */
            if (done)
                return rc;
        }
    }
}

/* One pass over a job's logs. *final: the job was final before the pass began (so this pass
 * drained it); *lines: events stored. */
static int do_logs(struct worker *w, struct task *snap, bool *final, int64_t *lines,
                   struct err *e)
{
    struct sync *s = w->s;
    struct cache_job job;
    struct cache_stream_list sl = { 0 };
    struct mdef_list defs;
    struct mset *ms = NULL;
    int64_t job_id = 0;
    bool have_job;
    size_t i;
    int rc = 0;

    *final = false;
    have_job = cache_job_get(w->cache, snap->job, &job, NULL) == 0 && job.described;
    if (!have_job || (!cache_status_final(job.status) &&
                      now_ms() - snap->described_ms >= DESCRIBE_EVERY_MS)) {
        if ((rc = do_describe(w, snap->job, e)) != 0)
            return rc;
        snap->described_ms = now_ms();
        if ((rc = cache_job_get(w->cache, snap->job, &job, e)) != 0)
            return rc;
    }
    *final = cache_status_final(job.status);
    if ((rc = cache_streams(w->cache, snap->job, &sl, e)) != 0)
        return rc;
    if (sl.n == 0 || *final || snap->passes % STREAMS_EVERY_PASSES == 0) {
        struct logs_stream_list ll;
        char prefix[80];

        memset(&ll, 0, sizeof(ll));
        snprintf(prefix, sizeof(prefix), "%s/", snap->job);
        rc = logs_describe_log_streams(w->client, NULL, prefix, &ll, e);
        count(s, &s->prog.requests, 1);
        if (rc == ERR_NOTFOUND)
            rc = 0;
        for (i = 0; rc == 0 && i < ll.count; i++) {
            bool known = false;
            size_t k;

            for (k = 0; k < sl.n; k++)
                known = known || strcmp(sl.items[k].name, ll.items[i].name) == 0;
            if (!known) {
                rc = cache_stream_ensure(w->cache, snap->job, ll.items[i].name, NULL, e);
                count(s, &s->prog.streams, 1);
            }
        }
        logs_stream_list_clean(&ll);
        cache_stream_list_clean(&sl);
        if (rc != 0 || (rc = cache_streams(w->cache, snap->job, &sl, e)) != 0)
            return rc;
    }
    snap->passes++;
    notice(s, SYNC_LOGS, snap->job, 0, 0, "reading %zu log stream%s", sl.n, sl.n == 1 ? "" : "s");
    /* definitions changed since the points were stored (config edited, the job's own
     * MetricDefinitions just described): extract those metrics again from the cached log */
    if (s->o.metrics_config != NULL) {
        job_defs(w->cache, s->o.metrics_config, s->o.metrics_config_len, snap->job, &defs);
    } else {
        size_t cfg_len = 0;
        char *cfg = userconfig_read_text(&cfg_len);   /* each pass: edits apply while running */

        job_defs(w->cache, cfg, cfg_len, snap->job, &defs);
        free(cfg);
    }
    if ((rc = cache_job_lookup(w->cache, snap->job, &job_id, e)) == 0)
        rc = reextract_job(w->cache, &defs, snap->job, job_id, false, &s->stop_flag, e);
    ms = rc == 0 ? mset_new(&defs, NULL) : NULL;
    for (i = 0; rc == 0 && i < sl.n; i++) {
        if (sl.items[i].done)
            continue;
        rc = sync_stream(w, &defs, ms, job_id, sl.items[i].id, lines, e);
        if (rc == ERR_NOTFOUND)
            rc = 0;     /* a stream that vanished (retention) is not fatal */
        if (rc == 0 && *final)
            rc = cache_stream_set_done(w->cache, sl.items[i].id, true, e);
    }
    mset_free(ms);
    mdef_list_clean(&defs);
    cache_stream_list_clean(&sl);
    return rc;
}

static void record_missing(struct sync *s, const struct task *t)
{
    pthread_mutex_lock(&s->mu);
    if (s->n_missing < MISSING_MAX)
        snprintf(s->missing[s->n_missing], sizeof(s->missing[0]), "%s%s",
                 t->kind == TASK_LIST ? "the job list" : t->kind == TASK_DESCRIBE
                 ? "details of " : "logs of ", t->job);
    s->n_missing++;
    pthread_mutex_unlock(&s->mu);
}

/* A failure worth another try later in the same run: throttled, 5xx, network. */
static bool transient(struct worker *w, int rc)
{
    return rc != ERR_CANCELLED && !w->s->stop_flag &&
           paging_retryable(rc, aws_client_last_error_code(w->client));
}

/* Runs one task (the lock is NOT held) and returns when it should run again (-1: never). */
static int64_t run_task(struct worker *w, struct task *snap)
{
    struct sync *s = w->s;
    struct err e = { 0 };
    int rc = 0;

    switch (snap->kind) {
    case TASK_LIST:
        rc = do_list(w, &e);
        if (rc == 0)
            rc = queue_describes(w, &e);
        if (rc == 0 && s->run_mode && s->plan.logs == SYNC_LOGS_ALL) {
            struct cache_job_query q = { 0 };
            struct cache_job *rows = malloc(100 * sizeof(*rows));
            size_t n = 0, off = 0, i;

            q.sort = "created";
            q.descending = true;
            while (rows != NULL && cache_jobs_window(w->cache, &q, off, 100, rows, &n, NULL) == 0
                   && n > 0) {
                pthread_mutex_lock(&s->mu);
                for (i = 0; i < n; i++)
                    if (rows[i].creation_time >= s->plan.since)
                        task_add(s, TASK_LOGS, rows[i].name, now_ms())->follow = s->plan.follow;
                pthread_cond_broadcast(&s->cv);
                pthread_mutex_unlock(&s->mu);
                off += n;
                if (rows[n - 1].creation_time < s->plan.since)
                    break;
            }
            free(rows);
        }
        if (rc == 0)
            notice(s, SYNC_SYNCED, NULL, 0, 0, "jobs synced");
        break;
    case TASK_DESCRIBE:
        notice(s, SYNC_DESCRIBING, snap->job, 0, 0, "describing %s", snap->job);
        rc = do_describe(w, snap->job, &e);
        break;
    case TASK_LOGS: {
        bool final = false;
        int64_t lines = 0;

        rc = do_logs(w, snap, &final, &lines, &e);
        if (rc != 0)
            break;
        snap->retries = 0;
        notice(s, SYNC_SYNCED, snap->job, 0, 0, "%lld new line%s%s", (long long)lines,
               lines == 1 ? "" : "s", final ? ", job ended" : "");
        if (final || !snap->follow)
            return -1;
        snap->interval_ms = lines > 0 ? FOLLOW_FAST_MS
                            : (snap->interval_ms * 2 > FOLLOW_SLOW_MS ? FOLLOW_SLOW_MS
                                                                       : snap->interval_ms * 2);
        return now_ms() + snap->interval_ms;
    }
    }
    if (rc != 0 && transient(w, rc) && snap->retries < TASK_RETRIES) {
        /* throttled or a 5xx/network failure that outlasted the client's attempts: the work
         * is still to do, so it goes back in the queue (logs resume from their cursor) and
         * the other items go on meanwhile */
        long d;

        snap->retries++;
        d = paging_backoff_ms(snap->retries < 5 ? snap->retries : 5, &w->rng);
        notice(s, rc == ERR_NET ? SYNC_OFFLINE : SYNC_THROTTLED, snap->job, d, rc,
               "%s; trying again in %.1f s", e.msg, (double)d / 1000.0);
        return now_ms() + d;
    }
    if (rc != 0) {
        record_error(s, snap->job[0] ? snap->job : NULL, &e);
        if (rc != ERR_CANCELLED && s->run_mode)
            record_missing(s, snap);
        if (rc == ERR_CANCELLED || s->run_mode)
            return -1;
        return now_ms() + (rc == ERR_NET ? OFFLINE_RETRY_MS : FOLLOW_SLOW_MS);
    }
    snap->retries = 0;
    if (snap->kind == TASK_LIST && !s->run_mode)
        return now_ms() + (s->o.jobs_interval_s > 0 ? s->o.jobs_interval_s : 15) * 1000;
    return -1;
}

static void *worker_main(void *arg)
{
    struct worker *w = arg;
    struct sync *s = w->s;

    pthread_mutex_lock(&s->mu);
    for (;;) {
        struct task *best = NULL, snap;
        int64_t now = now_ms(), next;
        size_t i;

        if (s->stopping)
            break;
        for (i = 0; i < s->n_tasks; i++) {
            struct task *t = &s->tasks[i];

            if (!t->dead && !t->busy && (best == NULL || t->due_ms < best->due_ms))
                best = t;
        }
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
        {
            struct task *t = task_find(s, snap.kind, snap.job);

            if (t != NULL) {
                t->busy = false;
                t->interval_ms = snap.interval_ms;
                t->passes = snap.passes;
                t->described_ms = snap.described_ms;
                t->retries = snap.retries;
                if (next < 0 || s->stop_flag || (snap.kind == TASK_LOGS && !t->follow))
                    t->dead = true;
                else
                    t->due_ms = next;
            }
        }
        tasks_compact(s);
        pthread_cond_broadcast(&s->cv);
    }
    pthread_mutex_unlock(&s->mu);
    return NULL;
}

static void *worker_thread(void *arg)
{
    struct sync *s = arg;
    struct worker w = { s, NULL, NULL, 0 };
    struct err e = { 0 };

    w.rng = (uint64_t)now_ms() * 0x9e3779b97f4a7c15u ^ (uint64_t)(uintptr_t)&w;

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

    s->started_ms = now_ms();
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
    task_add(s, TASK_LIST, NULL, now_ms());
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
    free(s->tasks);
    pthread_mutex_destroy(&s->mu);
    pthread_cond_destroy(&s->cv);
    free(s);
}

void sync_follow(struct sync *s, const char *job)
{
    struct task *t;

    pthread_mutex_lock(&s->mu);
    t = task_add(s, TASK_LOGS, job, now_ms());
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
    t = task_find(s, TASK_LOGS, job);
    if (t != NULL) {
        if (t->busy)
            t->follow = false;    /* the pass in progress finishes, then it is dropped */
        else
            t->dead = true;
    }
    tasks_compact(s);
    pthread_mutex_unlock(&s->mu);
}

void sync_refresh(struct sync *s)
{
    pthread_mutex_lock(&s->mu);
    task_add(s, TASK_LIST, NULL, now_ms());
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
    size_t i;
    int rc;

    if (s->running)
        return err_set(e, ERR_INVAL, "sync: already running");
    s->run_mode = true;
    s->plan = *plan;
    s->first_err = 0;
    s->n_missing = 0;
    pthread_mutex_lock(&s->mu);
    if (plan->jobs || plan->logs == SYNC_LOGS_ALL)
        task_add(s, TASK_LIST, NULL, now_ms());
    for (i = 0; i < plan->n_names; i++) {
        if (plan->logs != SYNC_LOGS_NONE) {
            struct task *t = task_add(s, TASK_LOGS, plan->names[i], now_ms());

            if (t != NULL)
                t->follow = plan->follow;
        } else {
            task_add(s, TASK_DESCRIBE, plan->names[i], now_ms());
        }
    }
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
    notice(s, SYNC_DONE, NULL, 0, 0, "done");
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

/* ---- re-extraction ------------------------------------------------------------------------ */

struct reext_ctx {
    struct cache *c;
    struct mset *ms;
    struct mextract_state st;
    struct point_buf pb;
    int64_t sid;
    volatile sig_atomic_t *cancel;    /* may be NULL; set: roll back and stop */
    struct cache_metric_hash *keep;   /* metrics whose stored points are already right */
    size_t n_keep;
    struct err *e;
};

/* A metric's points depend only on the definitions of its name (in list order) and on whether
 * the preset runs: the context (step, epoch, blocks) is read the same whatever is defined. */
static int64_t defs_hash(const struct mdef_list *l, const char *name)
{
    uint64_t h = 0xcbf29ce484222325ull;
    size_t i;
    const char *q;

    h = (h ^ (l->preset_hf ? 1u : 2u)) * 0x100000001b3ull;
    for (i = 0; i < l->n; i++) {
        if (strcmp(l->v[i].name, name) != 0)
            continue;
        h = (h ^ (3u + (unsigned)l->v[i].source)) * 0x100000001b3ull;
        for (q = l->v[i].regex; *q != '\0'; q++)
            h = (h ^ (unsigned char)*q) * 0x100000001b3ull;
        h = (h ^ 0xffu) * 0x100000001b3ull;
    }
    return (int64_t)h;
}

static int reext_point(const struct mpoint *mp, void *ctx)
{
    struct reext_ctx *r = ctx;
    size_t i;

    for (i = 0; i < r->n_keep; i++)
        if (strcmp(r->keep[i].name, mp->name) == 0)
            return 0;
    return on_point(mp, &r->pb);
}

static int reext_event(void *ctx, int64_t seq, int64_t ts_ms, const char *msg, size_t len)
{
    struct reext_ctx *r = ctx;
    int rc;

    if ((seq & 4095) == 0 && r->cancel != NULL && *r->cancel)
        return err_set(r->e, ERR_CANCELLED, "cancelled");
    r->pb.seq = seq;
    mset_extract(r->ms, &r->st, msg, len, ts_ms, reext_point, r);
    if (r->pb.oom)
        return err_set(r->e, ERR_NOMEM, "out of memory");
    if (r->pb.n >= 65536) {
        rc = cache_points_add(r->c, r->sid, r->pb.p, r->pb.n, r->e);
        r->pb.n = 0;
        return rc;
    }
    return 0;
}

static bool kept(const struct cache_metric_hash *k, size_t n, const char *name)
{
    size_t i;

    for (i = 0; i < n; i++)
        if (strcmp(k[i].name, name) == 0)
            return true;
    return false;
}

/* Extracts again, from the cached log, the metrics of a job whose stored points were not
 * extracted with the definitions l (by defs_hash): those are dropped and rewritten, the others
 * are kept untouched. Only the definitions of the changed names are run (a metric's points do
 * not depend on other names' definitions), so one new definition costs one regex over the log.
 * Nothing to do when every metric is up to date, unless force (nothing stored yet). One
 * transaction on c. */
static int reextract_job(struct cache *c, const struct mdef_list *l, const char *job,
                         int64_t job_id, bool force, volatile sig_atomic_t *cancel,
                         struct err *e)
{
    struct cache_stream_list sl = { 0 };
    struct cache_metric_hash *stored = NULL;
    struct mdef_list run;
    struct reext_ctx r;
    size_t i, n_stored = 0, n_changed = 0;
    int rc;

    memset(&r, 0, sizeof(r));
    r.cancel = cancel;
    mdef_list_init(&run);
    run.preset_hf = l->preset_hf;
    if ((rc = cache_metric_hashes(c, job_id, &stored, &n_stored, e)) != 0)
        goto out;
    /* stored metrics under the same definitions are kept; every other one is redone */
    if (n_stored > 0 && (r.keep = malloc(n_stored * sizeof(*r.keep))) == NULL) {
        rc = err_set(e, ERR_NOMEM, "out of memory");
        goto out;
    }
    for (i = 0; i < n_stored; i++) {
        if (stored[i].known && stored[i].hash == defs_hash(l, stored[i].name))
            r.keep[r.n_keep++] = stored[i];
        else
            n_changed++;
    }
    for (i = 0; i < l->n; i++) {
        if (!kept(r.keep, r.n_keep, l->v[i].name)) {
            n_changed++;
            if (mdef_list_add(&run, l->v[i].name, l->v[i].regex, l->v[i].source, NULL) != 0) {
                rc = err_set(e, ERR_NOMEM, "out of memory");
                goto out;
            }
        }
    }
    if (n_changed == 0 && !(force && n_stored == 0))
        goto out;
    if ((rc = cache_streams(c, job, &sl, e)) != 0)
        goto out;
    r.ms = mset_new(&run, NULL);
    if (r.ms == NULL) {
        rc = err_set(e, ERR_NOMEM, "out of memory compiling metric definitions");
        goto out;
    }
    for (i = 0; i < r.n_keep; i++)
        mset_preset_skip(r.ms, r.keep[i].name);   /* past 64, reext_point() drops them */
    if ((rc = cache_tx_begin(c, e)) != 0)
        goto out;
    for (i = 0; rc == 0 && i < n_stored; i++)
        if (!kept(r.keep, r.n_keep, stored[i].name))
            rc = cache_metric_drop(c, job_id, stored[i].name, e);
    for (i = 0; rc == 0 && i < sl.n; i++) {
        r.c = c;
        r.sid = sl.items[i].id;
        r.e = e;
        mextract_state_init(&r.st, sl.items[i].instance);
        rc = cache_stream_scan_ahead(c, sl.items[i].id, 0, reext_event, &r, e);
        if (rc == 0 && r.pb.n > 0)
            rc = cache_points_add(c, r.sid, r.pb.p, r.pb.n, e);
        r.pb.n = 0;
        if (rc == 0)
            rc = cache_stream_set_extract_state(c, r.sid, &r.st, sizeof(r.st), e);
    }
    /* every metric written now, and every defined one (even with no point), is up to date */
    for (i = 0; rc == 0 && i < r.pb.n_names; i++)
        rc = cache_metric_set_hash(c, job_id, r.pb.names[i], defs_hash(l, r.pb.names[i]), e);
    for (i = 0; rc == 0 && i < l->n; i++)
        rc = cache_metric_set_hash(c, job_id, l->v[i].name, defs_hash(l, l->v[i].name), e);
    if (rc == 0)
        rc = cache_tx_commit(c, e);
    else
        cache_tx_rollback(c);
out:
    free(stored);
    free(r.keep);
    mdef_list_clean(&run);
    point_buf_clean(&r.pb);
    mset_free(r.ms);
    cache_stream_list_clean(&sl);
    return rc;
}

int sync_reextract(const char *cache_path, const char *account, const char *region,
                   const char *job, const char *metrics_config, size_t metrics_config_len,
                   struct err *e)
{
    struct cache *c = NULL;
    struct mdef_list l;
    int64_t job_id = 0;
    int rc;

    if ((rc = cache_open(cache_path, 0, &c, NULL, 0, e)) != 0)
        return rc;
    if ((rc = cache_scope_use(c, account, region, e)) == 0 &&
        (rc = cache_job_lookup(c, job, &job_id, e)) == 0) {
        job_defs(c, metrics_config, metrics_config_len, job, &l);
        rc = reextract_job(c, &l, job, job_id, true, NULL, e);
        mdef_list_clean(&l);
    }
    cache_close(c);
    return rc;
}
