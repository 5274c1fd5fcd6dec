/* sync_logs.c: one pass of the sync engine over a job's logs: refresh the job's status, find
 * its streams, then read each stream from its saved cursor until caught up, extracting metric
 * points as pages arrive. A page of events, its points, the extractor state and the new
 * cursor commit together, and only at the cursor the page was fetched from, so a kill at any
 * moment resumes with no duplicates and no gaps. Runs on a worker thread; must not print. */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "aws/dynbuf.h"
#include "aws/userconfig.h"
#include "cache/internal.h"
#include "cache/sync_internal.h"

_Static_assert(CACHE_POINT_UNPARSED == MPOINT_UNPARSED, "flag bits shared with metrics.h");
_Static_assert(CACHE_POINT_REPAIRED == (MPOINT_REPAIRED_NUMBER | MPOINT_REPAIRED_SIGN),
               "flag bits shared with metrics.h");

static const char *intern(struct point_buf *pb, const char *name)
{
    size_t i;

    for (i = 0; i < pb->n_names; i++)
        if (strcmp(pb->names[i], name) == 0)
            return pb->names[i];
    if (vec_grow((void **)&pb->names, &pb->cap_names, pb->n_names + 1, sizeof(*pb->names)) != 0)
        return NULL;
    pb->names[pb->n_names] = strdup(name);
    return pb->names[pb->n_names] != NULL ? pb->names[pb->n_names++] : NULL;
}

int sync_logs_point(const struct mpoint *mp, void *ctx)
{
    struct point_buf *pb = ctx;
    const char *name;
    size_t i;
    int k = 0;

    if ((name = intern(pb, mp->name)) == NULL) {
        pb->oom = true;
        return 1;
    }
    if (vec_grow((void **)&pb->p, &pb->cap, pb->n + 1, sizeof(*pb->p)) != 0) {
        pb->oom = true;
        return 1;
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
    pb->p[pb->n].proc = mextract_proc_code(mp->rank, mp->rank_local);
    pb->p[pb->n].sagemaker_value = mp->sagemaker_value;
    pb->n++;
    return 0;
}

void sync_logs_points_clean(struct point_buf *pb)
{
    size_t i;

    for (i = 0; i < pb->n_names; i++)
        free(pb->names[i]);
    free(pb->names);
    free(pb->p);
    memset(pb, 0, sizeof(*pb));
}

struct replay_ctx {
    struct mset *ms;
    struct mextract_state *st;
    struct point_buf *pb;
};

static int replay_event(void *ctx, int64_t seq, int64_t ts_ms, const char *msg, size_t len)
{
    struct replay_ctx *rc = ctx;

    rc->pb->seq = seq;
    mset_extract(rc->ms, rc->st, msg, len, ts_ms, sync_logs_point, rc->pb);
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
    sync_logs_points_clean(&pb);
    return r;
}

void sync_logs_page_query(const struct cache_stream *cs, struct logs_get_query *q)
{
    memset(q, 0, sizeof(*q));
    q->stream = cs->name;
    q->next_token = cs->token[0] != '\0' ? cs->token : NULL;
    q->start_from_head = true;
    q->limit = 10000;
}

bool sync_logs_page_news(const struct logs_event_page *pg, const struct cache_stream *cs)
{
    return pg->count > 0 ||
           (pg->next_forward_token != NULL && strcmp(pg->next_forward_token, cs->token) != 0);
}

bool sync_logs_page_last(const struct logs_event_page *pg)
{
    return pg->caught_up || pg->next_forward_token == NULL;
}

int sync_logs_store_page(struct cache *c, int64_t job_id, struct cache_stream *cs,
                         const struct sync_page *pg, bool *applied, struct err *e)
{
    struct cache_cursor at = { cs->n_events, cs->token };
    const struct point_buf *pb = pg->pb;
    size_t i;
    int rc;

    *applied = true;
    if ((rc = cache_tx_begin(c, e)) != 0)
        return rc;
    rc = cache_stream_append_at(c, cs->id, &at, pg->ev, pg->n, pg->next_token, applied, e);
    /* !applied: another sync of this stream stored the page first */
    if (rc == 0 && *applied && pb->n > 0)
        rc = cache_points_add(c, cs->id, pb->p, pb->n, e);
    /* the metrics stay what these definitions extract (sync_logs_pass re-extracted any that
     * were not) */
    for (i = 0; rc == 0 && *applied && i < pb->n_names; i++)
        rc = cache_metric_set_hash(c, job_id, pb->names[i],
                                   sync_reextract_hash(pg->defs, pb->names[i]), e);
    if (rc == 0 && *applied && pg->st != NULL)
        rc = cache_stream_set_extract_state(c, cs->id, pg->st, sizeof(*pg->st), e);
    if (rc == 0 && *applied)
        rc = cache_tx_commit(c, e);
    else
        cache_tx_rollback(c);
    if (rc == 0 && *applied) {
        cs->n_events += (int64_t)pg->n;
        if (pg->next_token != NULL)
            snprintf(cs->token, sizeof(cs->token), "%s", pg->next_token);
    }
    return rc;
}

/* The stream's cursor and extractor state as stored. */
static int stream_load(struct cache *c, struct mset *ms, int64_t sid, struct cache_stream *cs,
                       struct mextract_state *st, struct err *e)
{
    int rc;

    if ((rc = cache_stream_get(c, sid, cs, e)) != 0)
        return rc;
    if (cache_stream_get_extract_state(c, sid, st, sizeof(*st), NULL) == 0)
        return 0;
    if (cs->n_events > 0 && ms != NULL)
        return rebuild_state(c, ms, cs, st, e);
    mextract_state_init(st, cs->instance);
    return 0;
}

/* The page's events as the store takes them, their points extracted into pb (ms may be
 * NULL: no definitions). *out is the caller's to free(). */
static int page_events(const struct logs_event_page *pg, int64_t first_seq, struct mset *ms,
                       struct mextract_state *st, struct point_buf *pb, struct cache_event **out,
                       struct err *e)
{
    struct cache_event *ev = NULL;
    size_t i;

    if (pg->count > 0 && (ev = malloc(pg->count * sizeof(*ev))) == NULL)
        return err_set(e, ERR_NOMEM, "out of memory");
    for (i = 0; i < pg->count; i++) {
        ev[i].ts_ms = pg->events[i].timestamp_ms;
        ev[i].msg = pg->events[i].message;
        ev[i].len = pg->events[i].message_len;
        if (ms != NULL) {
            pb->seq = first_seq + (int64_t)i;
            mset_extract(ms, st, ev[i].msg, ev[i].len, ev[i].ts_ms, sync_logs_point, pb);
        }
    }
    *out = ev;
    if (pb->oom)
        return err_set(e, ERR_NOMEM, "out of memory extracting metrics");
    return 0;
}

/* A page that leaves more waiting for sure: the query's limit in events, or about half of
 * AWS's 1 MB page cap (each event counts its message and 26 bytes, as PutLogEvents does). */
static bool page_full(const struct logs_event_page *pg, int limit)
{
    size_t i, bytes = 0;

    if (limit > 0 && pg->count >= (size_t)limit)
        return true;
    for (i = 0; i < pg->count; i++)
        bytes += pg->events[i].message_len + 26;
    return bytes >= PAGE_FULL_BYTES;
}

/* Reads one stream from its cursor: until caught up, or (one_page) one page, leaving the
 * check for the repeated token to the next pass. out->lines gets the events stored;
 * out->more is set when that one page was full. */
static int sync_stream(struct worker *w, const struct mdef_list *defs, struct mset *ms,
                       int64_t job_id, int64_t sid, bool one_page, struct sync_pass *out,
                       struct err *e)
{
    struct sync *s = w->s;
    struct cache_stream cs;
    struct mextract_state st;
    bool applied = false, done = false;
    int rc;

    while (!done) {
        struct logs_get_query q;
        struct logs_event_page pg;
        struct cache_event *ev = NULL;
        struct point_buf pb = { 0 };

        /* first, and after another writer stored a page first: go on from its cursor */
        if (!applied && (rc = stream_load(w->cache, ms, sid, &cs, &st, e)) != 0)
            return rc;
        if (s->stop_flag)
            return err_set(e, ERR_CANCELLED, "cancelled");
        memset(&pg, 0, sizeof(pg));
        sync_logs_page_query(&cs, &q);
        rc = logs_get_log_events(w->client, &q, &pg, e);
        sync_pool_count(s, &s->prog.requests, 1);
        if (rc != 0)
            return rc;
        applied = true;
        rc = page_events(&pg, cs.n_events, ms, &st, &pb, &ev, e);
        if (rc == 0 && sync_logs_page_news(&pg, &cs)) {
            struct sync_page sp = { ev, pg.count, pg.next_forward_token, &pb, defs,
                                    ms != NULL ? &st : NULL };

            rc = sync_logs_store_page(w->cache, job_id, &cs, &sp, &applied, e);
            if (rc == 0 && applied) {
                out->lines += (int64_t)pg.count;
                pthread_mutex_lock(&s->mu);
                s->prog.lines += (int64_t)pg.count;
                s->prog.points += (int64_t)pb.n;
                pthread_mutex_unlock(&s->mu);
            }
        }
        done = applied && sync_logs_page_last(&pg);
        if (applied && !done && one_page) {
            /* the next pass asks again (at once when this page was full): no request just to
             * see the repeated token, and other followed jobs get their turn meanwhile */
            out->more = out->more || page_full(&pg, q.limit);
            done = true;
        }
        free(ev);
        sync_logs_points_clean(&pb);
        logs_event_page_clean(&pg);
        if (rc != 0)
            return rc;
    }
    return 0;
}

/* The job's status, fresh enough for this pass: described when never described, when
 * running and its describe is older than the pass allows (any process's describe counts), or
 * when followed with a partial (Search) document, which the UI's detail and re-launch want full. */
static int pass_status(struct worker *w, const struct task *snap, struct cache_job *job,
                       struct err *e)
{
    int64_t every_ms = snap->follow ? FOLLOW_DESCRIBE_MS : DESCRIBE_EVERY_MS;
    bool have = cache_job_get(w->cache, snap->job, job, NULL) == 0 && job->described &&
                !(snap->follow && cache_job_doc_partial(w->cache, snap->job));
    int rc;

    if (have && (cache_status_final(job->status) ||
                 (sync_pool_wall_s() - job->described_at) * 1000.0 < (double)every_ms))
        return 0;
    if ((rc = sync_jobs_describe(w, snap->job, e)) != 0)
        return rc;
    return cache_job_get(w->cache, snap->job, job, e);
}

/* The job's streams into *sl, listed again (DescribeLogStreams) on a task's first pass, when
 * the job is final (the last streams), while it has fewer than its instances, and otherwise
 * every STREAMS_RELIST_MS. */
static int pass_streams(struct worker *w, struct task *snap, const struct cache_job *job,
                        bool final, struct cache_stream_list *sl, struct err *e)
{
    struct sync *s = w->s;
    struct logs_stream_list ll;
    char prefix[80];
    int64_t now = sync_pool_now_ms();
    size_t i;
    int rc;

    if ((rc = cache_streams(w->cache, snap->job, sl, e)) != 0)
        return rc;
    if (sl->n > 0 && !final && snap->passes > 0 &&
        (sl->n >= (size_t)(job->instance_count > 0 ? job->instance_count : 1) &&
         now - snap->streams_ms < STREAMS_RELIST_MS))
        return 0;
    snap->streams_ms = now;
    memset(&ll, 0, sizeof(ll));
    snprintf(prefix, sizeof(prefix), "%s/", snap->job);
    rc = logs_describe_log_streams(w->client, NULL, prefix, &ll, e);
    sync_pool_count(s, &s->prog.requests, 1);
    if (rc == ERR_NOTFOUND)
        rc = 0;
    for (i = 0; rc == 0 && i < ll.count; i++) {
        bool known = false;
        size_t k;

        for (k = 0; k < sl->n; k++)
            known = known || strcmp(sl->items[k].name, ll.items[i].name) == 0;
        if (!known) {
            rc = cache_stream_ensure(w->cache, snap->job, ll.items[i].name, NULL, e);
            sync_pool_count(s, &s->prog.streams, 1);
        }
    }
    logs_stream_list_clean(&ll);
    cache_stream_list_clean(sl);
    if (rc != 0)
        return rc;
    return cache_streams(w->cache, snap->job, sl, e);
}

/* The job's metric definitions as they are now (config edits apply while running). */
static void pass_defs(struct worker *w, const char *job, struct mdef_list *defs)
{
    struct sync *s = w->s;

    if (s->o.metrics_config != NULL) {
        sync_reextract_defs(w->cache, s->o.metrics_config, s->o.metrics_config_len, job, defs);
    } else {
        size_t cfg_len = 0;
        char *cfg = userconfig_read_text(&cfg_len);

        sync_reextract_defs(w->cache, cfg, cfg_len, job, defs);
        free(cfg);
    }
}

/* defs compiled, borrowed from the worker (NULL when out of memory): the worker's last set when
 * the definitions are the same, so the jobs of an account that share them are compiled once
 * per worker instead of once per job and pass. */
static struct mset *worker_mset(struct worker *w, const struct mdef_list *defs)
{
    struct mdef_list copy;

    if (w->ms != NULL && mdef_list_equal(&w->ms_defs, defs))
        return w->ms;
    sync_logs_worker_clean(w);
    if (mdef_list_copy(&copy, defs, NULL) != 0)
        return NULL;
    if ((w->ms = mset_new(defs, NULL)) == NULL) {
        mdef_list_clean(&copy);
        return NULL;
    }
    w->ms_defs = copy;
    return w->ms;
}

void sync_logs_worker_clean(struct worker *w)
{
    mset_free(w->ms);
    w->ms = NULL;
    mdef_list_clean(&w->ms_defs);
}

/* Reads stream sid of a job unless another worker is reading it or has taken its stream task
 * (claimed; by_its_task: this is that task); marks it done after draining a final job. */
static int read_claimed(struct worker *w, const struct mdef_list *defs, struct mset *ms,
                        int64_t job_id, const struct task *snap, int64_t sid, bool final,
                        struct sync_pass *out, struct err *e)
{
    bool by_its_task = snap->kind == TASK_STREAM;
    int rc;

    if (!sync_pool_stream_claim(w->s, sid, by_its_task))
        return 0;
    /* the pass's list of streams is from its start: a worker that read a final job's stream
     * to its end meanwhile (its task done and gone) has marked it done; not one page more */
    if (final) {
        struct cache_stream st;

        if (cache_stream_get(w->cache, sid, &st, e) == 0 && st.done) {
            sync_pool_stream_release(w->s, sid);
            return 0;
        }
    }
    rc = sync_stream(w, defs, ms, job_id, sid, snap->follow && !final, out, e);
    if (rc == ERR_NOTFOUND)
        rc = 0;     /* a stream that vanished (retention) is not fatal */
    if (rc == 0 && final)
        rc = cache_stream_set_done(w->cache, sid, true, e);
    sync_pool_stream_release(w->s, sid);
    return rc;
}

/* A job with several unfinished streams and more than one worker: the streams after the
 * first go in the queue, for idle workers to read meanwhile (the pass reads what none took). */
static void queue_streams(struct worker *w, const struct task *snap,
                          const struct cache_stream_list *sl, bool final)
{
    struct sync *s = w->s;
    int64_t now = sync_pool_now_ms();
    size_t i, open = 0;

    for (i = 0; i < sl->n; i++)
        open += !sl->items[i].done;
    if (open < 2 || s->n_threads < 2)
        return;
    pthread_mutex_lock(&s->mu);
    for (i = 0, open = 0; i < sl->n; i++) {
        struct task *t;

        if (sl->items[i].done || open++ == 0)
            continue;
        if ((t = sync_pool_stream_task_add(s, snap->job, sl->items[i].id, now)) != NULL) {
            t->follow = snap->follow;
            t->final = final;
            t->once = true;
        }
    }
    pthread_cond_broadcast(&s->cv);
    pthread_mutex_unlock(&s->mu);
}

int sync_logs_pass(struct worker *w, struct task *snap, struct sync_pass *out, struct err *e)
{
    struct sync *s = w->s;
    struct cache_job job;
    struct cache_stream_list sl = { 0 };
    struct mdef_list defs;
    struct mset *ms = NULL;
    int64_t job_id = 0;
    size_t i;
    int rc = 0;

    memset(out, 0, sizeof(*out));
    if ((rc = pass_status(w, snap, &job, e)) != 0)
        return rc;
    out->final = cache_status_final(job.status);
    if ((rc = pass_streams(w, snap, &job, out->final, &sl, e)) != 0)
        return rc;
    snap->passes++;
    sync_pool_notice(s, SYNC_LOGS, snap->job, 0, 0, "reading %zu log stream%s", sl.n,
                     sl.n == 1 ? "" : "s");
    /* definitions changed since the points were stored (config edited, the job's own
     * MetricDefinitions just described): extract those metrics again from the cached log */
    pass_defs(w, snap->job, &defs);
    if ((rc = cache_job_lookup(w->cache, snap->job, &job_id, e)) == 0)
        rc = sync_reextract_job(w->cache, &defs, snap->job, job_id, false, &s->stop_flag, e);
    ms = rc == 0 ? worker_mset(w, &defs) : NULL;
    if (rc == 0)
        queue_streams(w, snap, &sl, out->final);
    for (i = 0; rc == 0 && i < sl.n; i++)
        if (!sl.items[i].done)
            rc = read_claimed(w, &defs, ms, job_id, snap, sl.items[i].id, out->final, out, e);
    mdef_list_clean(&defs);
    cache_stream_list_clean(&sl);
    return rc;
}

int sync_logs_stream_task(struct worker *w, const struct task *snap, struct sync_pass *out,
                          struct err *e)
{
    struct mdef_list defs;
    struct mset *ms;
    int64_t job_id = 0;
    int rc;

    memset(out, 0, sizeof(*out));
    out->final = snap->final;
    if ((rc = cache_job_lookup(w->cache, snap->job, &job_id, e)) != 0)
        return rc;
    pass_defs(w, snap->job, &defs);
    ms = worker_mset(w, &defs);
    rc = read_claimed(w, &defs, ms, job_id, snap, snap->sid, snap->final, out, e);
    mdef_list_clean(&defs);
    return rc;
}
