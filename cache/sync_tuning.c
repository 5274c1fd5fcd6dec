/* sync_tuning.c: the sync engine's tuning work item: ListHyperParameterTuningJobs (every
 * page), then for each tuning job that is new, running, or changed since it was stored,
 * DescribeHyperParameterTuningJob and every page of ListTrainingJobsForHyperParameterTuningJob,
 * each stored in one transaction (trials also land in the jobs table: the job pass describes
 * them and their logs sync like any job's). Queued after each job list pass, so a running
 * tuning job's new trials are in the cache one poll after SageMaker lists them.
 *
 * Runs on a worker thread with that worker's handles; must not print or touch the queue
 * without s->mu. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "aws/sagemaker_tuning.h"
#include "cache/sync_internal.h"
#include "cache/tuning.h"

/* Does the cached row of s need a describe and a trials listing? */
static bool tuning_stale(struct cache *c, const struct sagemaker_tuning_summary *s)
{
    struct cache_tuning t;

    if (cache_tuning_get(c, s->name, &t, NULL) != 0 || !t.described || t.trials_synced_at <= 0)
        return true;
    if (!cache_tuning_final(t.status) || strcmp(t.status, s->status) != 0)
        return true;
    /* final and stored since its last change: nothing more will happen to it */
    return t.last_modified < s->last_modified_time || t.trials_synced_at < t.end_time;
}

static int sync_one(struct worker *w, const char *name, struct err *e)
{
    struct sagemaker_tuning_job t;
    struct sagemaker_trial_list trials = { 0 };
    double now = sync_pool_wall_s();
    int rc;

    memset(&t, 0, sizeof(t));
    rc = sagemaker_describe_tuning_job(w->client, name, &t, e);
    sync_pool_count(w->s, &w->s->prog.requests, 1);
    if (rc == 0)
        rc = cache_tuning_store(w->cache, &t, e);
    sagemaker_tuning_job_clean(&t);
    if (rc != 0)
        return rc;
    rc = sagemaker_list_trials_all(w->client, name, NULL, &trials, e);
    if (rc == 0)
        rc = cache_tuning_store_trials(w->cache, name, trials.items, trials.count, now, e);
    sagemaker_trial_list_clean(&trials);
    return rc;
}

int sync_tuning_pass(struct worker *w, struct err *e)
{
    struct sync *s = w->s;
    struct sagemaker_list_query q = { 0 };
    struct sagemaker_tuning_list l = { 0 };
    bool *stale = NULL;
    size_t i;
    int rc;
    char buf[32];

    sync_pool_notice(s, SYNC_LISTING, NULL, 0, 0, "listing tuning jobs");
    q.sort_by = "CreationTime";
    q.sort_order = "Descending";
    if ((rc = sagemaker_list_tuning_jobs_all(w->client, &q, &l, e)) != 0)
        return rc;
    sync_pool_count(s, &s->prog.requests, 1);
    if (l.count > 0 && (stale = calloc(l.count, sizeof(*stale))) == NULL) {
        sagemaker_tuning_list_clean(&l);
        return err_set(e, ERR_NOMEM, "out of memory");
    }
    /* the summaries first, in one transaction: the list is right even if a describe fails */
    if ((rc = cache_tx_begin(w->cache, e)) != 0)
        goto out;
    for (i = 0; rc == 0 && i < l.count; i++) {
        stale[i] = tuning_stale(w->cache, &l.items[i]);
        rc = cache_tuning_store_summary(w->cache, &l.items[i], e);
    }
    if (rc != 0) {
        cache_tx_rollback(w->cache);
        goto out;
    }
    if ((rc = cache_tx_commit(w->cache, e)) != 0)
        goto out;
    for (i = 0; rc == 0 && i < l.count; i++) {
        if (s->stop_flag) {
            rc = err_set(e, ERR_CANCELLED, "cancelled");
            break;
        }
        if (stale[i])
            rc = sync_one(w, l.items[i].name, e);
    }
    if (rc == 0) {
        snprintf(buf, sizeof(buf), "%.3f", sync_pool_wall_s());
        cache_state_set(w->cache, "tuning.synced_at", buf, NULL);
    }
out:
    free(stale);
    sagemaker_tuning_list_clean(&l);
    return rc;
}
