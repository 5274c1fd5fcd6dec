/* sync_reextract.c: which metric definitions apply to a job, a fingerprint of each metric's
 * definitions, and re-extraction of the metrics whose stored points were extracted with other
 * definitions, from the cached log (no network). Called by a sync pass before it fetches new
 * events, and by sync_reextract() on the caller's thread. Must not print. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cache/internal.h"
#include "cache/sync_internal.h"
#include "cache/tuning.h"

/* A job's definitions: its own MetricDefinitions, its tuning job's, the config, the preset. */
void sync_reextract_defs(struct cache *c, const char *config, size_t config_len,
                         const char *job, struct mdef_list *l)
{
    struct cache_kv_list defs = { 0 };
    size_t i;

    mdef_list_init(l);
    if (cache_job_metric_definitions(c, job, &defs, NULL) == 0) {
        for (i = 0; i < defs.n; i++)
            mdef_list_add(l, defs.items[i].key, defs.items[i].value, MDEF_JOB, NULL);
        cache_kv_list_clean(&defs);
    }
    /* a trial: its tuning job's definitions (the objective) too */
    cache_tuning_trial_defs(c, job, l);
    if (config != NULL)
        mdef_list_parse_config(l, config, config_len, job, NULL);
}

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
int64_t sync_reextract_hash(const struct mdef_list *l, const char *name)
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
    return sync_logs_point(mp, &r->pb);
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
int sync_reextract_job(struct cache *c, const struct mdef_list *l, const char *job,
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
        if (stored[i].known && stored[i].hash == sync_reextract_hash(l, stored[i].name))
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
    /* no event stored yet (a first sync): nothing to read again, only the fingerprints to
     * write, and the definitions are not compiled for nothing */
    for (i = 0; i < sl.n && sl.items[i].n_events == 0; i++)
        ;
    if (i == sl.n)
        cache_stream_list_clean(&sl);
    if (sl.n > 0 && (r.ms = mset_new(&run, NULL)) == NULL) {
        rc = err_set(e, ERR_NOMEM, "out of memory compiling metric definitions");
        goto out;
    }
    for (i = 0; r.ms != NULL && i < r.n_keep; i++)
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
        rc = cache_metric_set_hash(c, job_id, r.pb.names[i],
                                   sync_reextract_hash(l, r.pb.names[i]), e);
    for (i = 0; rc == 0 && i < l->n; i++)
        rc = cache_metric_set_hash(c, job_id, l->v[i].name,
                                   sync_reextract_hash(l, l->v[i].name), e);
    if (rc == 0)
        rc = cache_tx_commit(c, e);
    else
        cache_tx_rollback(c);
out:
    free(stored);
    free(r.keep);
    mdef_list_clean(&run);
    sync_logs_points_clean(&r.pb);
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
        sync_reextract_defs(c, metrics_config, metrics_config_len, job, &l);
        rc = sync_reextract_job(c, &l, job, job_id, true, NULL, e);
        mdef_list_clean(&l);
    }
    cache_close(c);
    return rc;
}
