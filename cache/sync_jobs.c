/* sync_jobs.c: the sync engine's job work items: the list pass (ListTrainingJobs newest first,
 * one transaction per page, stopping at a page with nothing new), the first listing's bulk
 * fetch through Search (100 full job documents with their tags per request), the describes
 * it queues, DescribeTrainingJob with the job's tags, and the run-mode queueing of every
 * job's logs. It runs on a worker thread with that worker's handles and must not print or
 * touch the queue without s->mu. */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cache/sync_internal.h"

int sync_jobs_list_page(void *ctx, const struct sagemaker_job_summary *items, size_t n)
{
    struct sync_list_ctx *lc = ctx;
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
    sync_pool_count(lc->w->s, &lc->w->s->prog.requests, 1);
    /* newest first: a page with nothing new means the rest is known too */
    return lc->full_before && n > 0 && fresh == 0;
}

/* Stores a job's tags (kv pairs); best effort. */
static void put_tags(struct worker *w, const char *job, const struct sagemaker_kv *tags,
                     size_t n)
{
    const char **keys = calloc(n + 1, sizeof(*keys)), **values = calloc(n + 1, sizeof(*values));
    struct err te;
    size_t i;

    err_clear(&te);
    if (keys != NULL && values != NULL) {
        for (i = 0; i < n; i++) {
            keys[i] = tags[i].key;
            values[i] = tags[i].value;
        }
        (void)cache_job_set_tags(w->cache, job, keys, values, n, &te);
    }
    free(keys);
    free(values);
}

/* Tags are not in the describe document: ListTags on the job's ARN. Best effort: a role
 * without sagemaker:ListTags, or a throttled answer, keeps the job and its old tags. */
static void store_tags(struct worker *w, const char *job, const char *arn)
{
    struct sagemaker_kv *tags = NULL;
    size_t n = 0;
    struct err te;

    err_clear(&te);
    sync_pool_count(w->s, &w->s->prog.requests, 1);
    if (sagemaker_list_tags(w->client, arn, &tags, &n, &te) != 0)
        return;
    put_tags(w, job, tags, n);
    sagemaker_kv_free(tags, n);
}

/* One Search page stored in one transaction: each record as the job's description (unless a
 * full one as recent is cached), marked partial (Search's TrainingJob is DescribeTrainingJob's shape plus Tags, less the profiler,
 * debug, remote-debug, infra-check, MLflow and progress members a re-launch copies: the
 * re-launch and the detail view describe such a job first), and its tags. */
static int search_page_store(struct worker *w, const struct sagemaker_search_page *pg,
                             int64_t *fresh, struct err *e)
{
    struct cache *c = w->cache;
    size_t i;
    int rc;

    if ((rc = cache_tx_begin(c, e)) != 0)
        return rc;
    for (i = 0; rc == 0 && i < pg->count; i++) {
        const struct sagemaker_job *j = &pg->jobs[i];
        struct cache_job old;
        bool have = cache_job_get(c, j->name, &old, NULL) == 0;

        if (!have)
            (*fresh)++;
        /* described (a log task got there first) and no older: the full document stays */
        if (!have || !old.described || old.last_modified_time < j->last_modified_time ||
            cache_job_doc_partial(c, j->name))
            rc = cache_job_store_search_doc(c, j->raw_json, j->raw_json_len, j->doc, e);
        if (rc == 0) {
            put_tags(w, j->name, j->tags, j->n_tags);
            (void)sync_pool_tags_seen(w->s, j->name);
        }
    }
    if (rc != 0) {
        cache_tx_rollback(c);
        return rc;
    }
    return cache_tx_commit(c, e);
}

/* The first listing in bulk: Search over every training job, newest first, 100 documents per
 * request. ERR_DENIED and the like fall back to ListTrainingJobs and describes. */
static int search_all(struct worker *w, struct sync_list_ctx *lc, struct err *e)
{
    struct sync *s = w->s;
    struct sagemaker_search_query q = { 0 };
    char *token = NULL;
    int64_t described = 0;
    int rc = 0;

    q.sort_by = "CreationTime";
    q.sort_order = "Descending";
    q.max_results = 100;
    do {
        struct sagemaker_search_page pg = { 0 };

        if (s->stop_flag) {
            rc = err_set(e, ERR_CANCELLED, "cancelled");
            break;
        }
        q.next_token = token;
        rc = sagemaker_search(w->client, &q, &pg, e);
        sync_pool_count(s, &s->prog.requests, 1);
        if (rc == 0)
            rc = search_page_store(w, &pg, &lc->fresh, e);
        if (rc == 0) {
            lc->seen += (int64_t)pg.count;
            described += (int64_t)pg.count;
        }
        free(token);
        token = pg.next_token;
        pg.next_token = NULL;
        sagemaker_search_page_clean(&pg);
    } while (rc == 0 && token != NULL);
    free(token);
    sync_pool_count(s, &s->prog.jobs_described, described);
    return rc;
}

/* Search's index lags the jobs by seconds: a job changed just before a listing through Search
 * may show its old state, so its mark is set this much earlier (cmd_jobs.c re-lists from it). */
#define SYNC_SEARCH_LAG_S 30.0

/* Marks a complete listing that began at our wall time t0 (cache.h), on the server's clock
 * when this worker's answers gave it. */
static void mark_complete(struct worker *w, double t0)
{
    double offset;

    cache_jobs_mark_complete(w->cache, t0, aws_client_server_offset(w->client, &offset)
                                               ? &offset : NULL, NULL);
}

int sync_jobs_list(struct worker *w, struct err *e)
{
    struct sync *s = w->s;
    struct sagemaker_list_query q = { 0 };
    struct sync_list_ctx lc = { 0 };
    char buf[32];
    double t0 = sync_pool_wall_s();
    int rc;

    sync_pool_notice(s, SYNC_LISTING, NULL, 0, 0, "listing jobs");
    lc.w = w;
    lc.full_before = cache_state_get(w->cache, "jobs.full_listed", buf, sizeof(buf), NULL) == 0;
    if (!lc.full_before) {
        /* a first listing: every job's document and tags in bulk; then the newest page of
         * the listing below, as after any full listing, catches a job Search's index does
         * not show yet (it lags creation by seconds) */
        struct err se;

        err_clear(&se);
        rc = search_all(w, &lc, &se);
        if (rc == 0) {
            cache_state_set(w->cache, "jobs.full_listed", "1", NULL);
            mark_complete(w, t0 - SYNC_SEARCH_LAG_S);
            lc.full_before = true;
        } else if (rc != ERR_AWS && rc != ERR_AUTH) {
            *e = se;        /* throttled, offline, cancelled: the task is tried again */
            return rc;
        }                   /* no sagemaker:Search: list and describe one by one */
    }
    q.sort_by = "CreationTime";
    q.sort_order = "Descending";
    q.max_results = 100;
    rc = sagemaker_list_training_jobs_each(w->client, &q, sync_jobs_list_page, &lc, e);
    if (rc == 0 && lc.rc != 0) {
        *e = lc.e;
        rc = lc.rc;
    }
    if (rc != 0)
        return rc;
    if (s->stop_flag)
        return err_set(e, ERR_CANCELLED, "cancelled");
    if (!lc.full_before) {
        cache_state_set(w->cache, "jobs.full_listed", "1", NULL);
        mark_complete(w, t0);
    }
    snprintf(buf, sizeof(buf), "%.3f", sync_pool_wall_s());
    cache_state_set(w->cache, "jobs.synced_at", buf, NULL);
    pthread_mutex_lock(&s->mu);
    s->prog.jobs_listed += lc.seen;
    s->prog.jobs_new += lc.fresh;
    pthread_mutex_unlock(&s->mu);
    return 0;
}

/* Jobs whose describe is missing, stale, or not final yet. */
int sync_jobs_queue_describes(struct worker *w, struct err *e)
{
    struct cache_job_query q = { 0 };
    struct cache_job *rows;
    size_t n = 0, total = 0, off = 0, i;
    int64_t now = sync_pool_now_ms();
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
            bool running = !cache_status_final(rows[i].status);
            bool stale = !rows[i].described || running;

            /* a job new or running with a log task is described by that task; in a run, one
             * described since the run began is fresh enough */
            if ((stale && sync_pool_task_find(w->s, TASK_LOGS, rows[i].name) != NULL) ||
                (w->s->run_mode && running && rows[i].described &&
                 rows[i].described_at >= w->s->started_wall))
                continue;
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
            /* running jobs first (their status is what moves), then the rest */
            if (stale)
                sync_pool_task_add(w->s, TASK_DESCRIBE, rows[i].name, running ? now : now + 1);
        }
        pthread_cond_broadcast(&w->s->cv);
        pthread_mutex_unlock(&w->s->mu);
        off += n;
    }
    free(rows);
    return rc;
}

void sync_jobs_queue_logs(struct worker *w)
{
    struct sync *s = w->s;
    struct cache_job_query q = { 0 };
    struct cache_job *rows = malloc(100 * sizeof(*rows));
    size_t n = 0, off = 0, i;

    q.sort = "created";
    q.descending = true;
    while (rows != NULL && cache_jobs_window(w->cache, &q, off, 100, rows, &n, NULL) == 0 &&
           n > 0) {
        pthread_mutex_lock(&s->mu);
        for (i = 0; i < n; i++) {
            struct task *t;

            if (rows[i].creation_time >= s->plan.since &&
                (t = sync_pool_task_add(s, TASK_LOGS, rows[i].name, sync_pool_now_ms())) != NULL)
                t->follow = s->plan.follow;
        }
        pthread_cond_broadcast(&s->cv);
        pthread_mutex_unlock(&s->mu);
        off += n;
        if (rows[n - 1].creation_time < s->plan.since)
            break;
    }
    free(rows);
}

void sync_jobs_queue_sys(struct worker *w)
{
    struct sync *s = w->s;
    struct cache_job_query q = { 0 };
    struct cache_job *rows = malloc(SYNC_SYS_RUNNING_MAX * sizeof(*rows));
    size_t n = 0;

    q.status = "InProgress,Stopping";
    if (rows == NULL ||
        cache_jobs_window(w->cache, &q, 0, SYNC_SYS_RUNNING_MAX, rows, &n, NULL) != 0)
        n = 0;
    pthread_mutex_lock(&s->mu);
    for (size_t i = 0; i < n; i++) {
        struct task *t;

        /* the hosts come from the describe: an undescribed job waits for the next pass */
        if (!rows[i].described || sync_pool_task_find(s, TASK_SYS, rows[i].name) != NULL)
            continue;
        if ((t = sync_pool_task_add(s, TASK_SYS, rows[i].name, sync_pool_now_ms())) != NULL)
            t->follow = true;
    }
    pthread_cond_broadcast(&s->cv);
    pthread_mutex_unlock(&s->mu);
    free(rows);
}

int sync_jobs_describe(struct worker *w, const char *job, struct err *e)
{
    struct sagemaker_job j;
    int rc;

    memset(&j, 0, sizeof(j));
    rc = sagemaker_describe_training_job(w->client, job, false, &j, e);
    sync_pool_count(w->s, &w->s->prog.requests, 1);
    if (rc == 0) {
        rc = cache_job_store_describe(w->cache, j.raw_json, j.raw_json_len, e);
        if (rc == 0)
            sync_pool_count(w->s, &w->s->prog.jobs_described, 1);
    }
    /* tags once per job and engine (sync_refresh() forgets them) */
    if (rc == 0 && j.arn[0] != '\0' && !sync_pool_tags_seen(w->s, job))
        store_tags(w, job, j.arn);
    sagemaker_job_clean(&j);
    return rc;
}
