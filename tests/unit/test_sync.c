/* test_sync.c: the sync engine's scheduling and cursors, without a network or a terminal.
 *
 * Scheduling (suite sync_queue, no SQLite): which work items a plan queues and in what order a
 * worker picks them, how a run's outcome reschedules or drops an item, the follow interval
 * (1 s after lines, doubling to 10 s while quiet), and the public follow/unfollow/refresh
 * calls on an engine that was never started. Cursors and job passes (suite sync_cache, a
 * real cache in a temp dir): where GetLogEvents resumes from, which pages are stored, a page
 * and its cursor committed together and persisted across a reopen (resume after a kill), a
 * page fetched from a stale cursor refused, and which jobs the list pass queues for describes
 * and logs. These drive the steps of cache/sync_*.c directly through cache/sync_internal.h. */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cache/cache.h"
#include "cache/internal.h"
#include "cache/logstore.h"
#include "cache/sync_internal.h"
#include "support/tmp_cache.h"

/* An engine that is never started: its queue is what the tests look at. */
static struct sync *engine(bool run_mode)
{
    static long long fake[8];     /* stands for the borrowed config and provider: no worker runs,
                                   * so neither is ever used */
    struct sync_options o = { 0 };
    struct err e = { 0 };
    struct sync *s;

    o.cfg = (const struct aws_config *)fake;
    o.creds = (struct aws_creds_provider *)fake;
    o.cache_path = "/nonexistent/cache.db";
    s = sync_new(&o, &e);
    cr_assert_not_null(s, "%s", e.msg);
    s->run_mode = run_mode;
    return s;
}

static void assert_task(const struct task *t, enum task_kind k, const char *job, int64_t due)
{
    cr_assert_not_null(t);
    cr_assert_eq(t->kind, k);
    cr_assert_str_eq(t->job, job);
    cr_assert_eq(t->due_ms, due, "due %lld, want %lld", (long long)t->due_ms, (long long)due);
}

TestSuite(sync_queue);

Test(sync_queue, a_task_is_added_once_and_only_brought_forward_when_idle)
{
    struct sync *s = engine(false);
    struct task *t;

    t = sync_pool_task_add(s, TASK_LOGS, "job-a", 5000);
    assert_task(t, TASK_LOGS, "job-a", 5000);
    cr_assert_eq(t->interval_ms, FOLLOW_FAST_MS);
    cr_assert(!t->once, "background items stay");
    cr_assert_eq(sync_pool_task_add(s, TASK_LOGS, "job-a", 9000), t, "same (kind, job)");
    cr_assert_eq(t->due_ms, 5000, "a later due time does not push it back");
    sync_pool_task_add(s, TASK_LOGS, "job-a", 3000);
    cr_assert_eq(t->due_ms, 3000, "an earlier one brings it forward");
    t->busy = true;
    sync_pool_task_add(s, TASK_LOGS, "job-a", 1000);
    cr_assert_eq(t->due_ms, 3000, "a running task keeps its time");
    cr_assert_neq(sync_pool_task_add(s, TASK_DESCRIBE, "job-a", 1000), t, "other kind");
    cr_assert_eq(s->n_tasks, 2);
    cr_assert_eq(sync_pool_task_find(s, TASK_LIST, NULL), NULL);
    cr_assert_eq(sync_pool_task_add(s, TASK_LIST, NULL, 10)->job[0], '\0');
    cr_assert_not_null(sync_pool_task_find(s, TASK_LIST, ""));
    sync_free(s);
}

Test(sync_queue, run_mode_items_are_once)
{
    struct sync *s = engine(true);

    cr_assert(sync_pool_task_add(s, TASK_DESCRIBE, "j", 0)->once);
    sync_free(s);
}

Test(sync_queue, the_worker_picks_the_idle_task_due_first)
{
    struct sync *s = engine(false);

    cr_assert_null(sync_pool_task_pick(s), "empty queue");
    sync_pool_task_add(s, TASK_LOGS, "late", 300);
    sync_pool_task_add(s, TASK_LOGS, "tie-1", 100);
    sync_pool_task_add(s, TASK_LOGS, "tie-2", 100);
    sync_pool_task_add(s, TASK_LIST, NULL, 200);
    assert_task(sync_pool_task_pick(s), TASK_LOGS, "tie-1", 100);
    sync_pool_task_find(s, TASK_LOGS, "tie-1")->busy = true;
    assert_task(sync_pool_task_pick(s), TASK_LOGS, "tie-2", 100);
    sync_pool_task_find(s, TASK_LOGS, "tie-2")->dead = true;
    assert_task(sync_pool_task_pick(s), TASK_LIST, "", 200);
    sync_pool_task_find(s, TASK_LIST, NULL)->busy = true;
    assert_task(sync_pool_task_pick(s), TASK_LOGS, "late", 300);
    sync_pool_task_find(s, TASK_LOGS, "late")->busy = true;
    cr_assert_null(sync_pool_task_pick(s), "everything busy");
    sync_free(s);
}

/* Fair share: jobs share the workers (and so the rate limit) evenly; a job alone gets every
 * worker for its streams. */
Test(sync_queue, the_fair_pick_prefers_the_job_with_fewest_running_tasks)
{
    struct sync *s = engine(false);
    struct task *a1, *a2, *b;

    sync_pool_task_add(s, TASK_LOGS, "a", 100)->busy = true;
    a1 = sync_pool_stream_task_add(s, "a", 11, 100);
    a2 = sync_pool_stream_task_add(s, "a", 12, 150);
    cr_assert_neq(a1, a2, "one task per stream");
    cr_assert_eq(sync_pool_stream_task_add(s, "a", 11, 50), a1, "same stream, same task");
    cr_assert_eq(a1->sid, 11);
    /* a alone: its streams are picked (every worker helps) */
    cr_assert_eq(sync_pool_task_pick_at(s, 1000), a1);
    a1->busy = true;
    /* b due later than a's second stream: picked first, a already runs two */
    b = sync_pool_task_add(s, TASK_LOGS, "b", 400);
    cr_assert_eq(sync_pool_task_pick_at(s, 1000), b, "the job with no running task first");
    b->busy = true;
    cr_assert_eq(sync_pool_task_pick_at(s, 1000), a2, "then a's next stream");
    /* nothing due yet: the earliest, whatever its job */
    a2->busy = true;
    sync_pool_task_add(s, TASK_LOGS, "c", 5000);
    sync_pool_task_add(s, TASK_DESCRIBE, "a", 3000);
    assert_task(sync_pool_task_pick_at(s, 1000), TASK_DESCRIBE, "a", 3000);
    /* the plain pick keeps its meaning: due first */
    assert_task(sync_pool_task_pick(s), TASK_DESCRIBE, "a", 3000);
    sync_free(s);
}

Test(sync_queue, a_claimed_stream_is_read_by_one_worker_and_its_queued_task_dropped)
{
    struct sync *s = engine(false);
    struct task *t = sync_pool_stream_task_add(s, "a", 7, 0);

    cr_assert(sync_pool_stream_claim(s, 7, false));
    cr_assert(t->dead, "the claimer reads it: the queued task goes");
    cr_assert_not(sync_pool_stream_claim(s, 7, false), "one reader at a time");
    cr_assert(sync_pool_stream_claim(s, 8, false), "other streams are free");
    sync_pool_stream_release(s, 7);
    cr_assert(sync_pool_stream_claim(s, 7, false), "free again after release");
    sync_free(s);
}

/* The flake of test_sync_requests.sh's "each page fetched once": a worker picked the stream's
 * task (busy) but had not claimed the stream yet (it compiles the job's definitions first);
 * the job's pass claimed and drained it, and the worker then read it again: one GetLogEvents
 * more than a single worker sends. The pass leaves a taken stream to the worker that took it. */
Test(sync_queue, a_stream_whose_task_a_worker_took_is_left_to_that_worker)
{
    struct sync *s = engine(false);
    struct task *t = sync_pool_stream_task_add(s, "a", 7, 0);

    t->busy = true;
    cr_assert_not(sync_pool_stream_claim(s, 7, false), "the pass does not read a taken stream");
    cr_assert_not(t->dead);
    cr_assert(sync_pool_stream_claim(s, 7, true), "its task's worker reads it");
    cr_assert_not(sync_pool_stream_claim(s, 7, false), "one reader at a time");
    sync_pool_stream_release(s, 7);
    t->dead = true;     /* settled */
    cr_assert(sync_pool_stream_claim(s, 7, false), "the next pass reads it again");
    sync_free(s);
}

Test(sync_queue, settling_a_run_reschedules_or_drops_and_keeps_the_order)
{
    struct sync *s = engine(false);
    struct task snap;

    sync_pool_task_add(s, TASK_LOGS, "a", 0);
    sync_pool_task_add(s, TASK_LOGS, "b", 0)->follow = true;
    sync_pool_task_add(s, TASK_LOGS, "c", 0)->follow = true;
    /* b ran: its snapshot carries what the run learnt */
    snap = *sync_pool_task_find(s, TASK_LOGS, "b");
    sync_pool_task_find(s, TASK_LOGS, "b")->busy = true;
    snap.interval_ms = 4000;
    snap.passes = 3;
    snap.streams_ms = 777;
    snap.retries = 2;
    sync_pool_task_settle(s, &snap, 12345);
    {
        const struct task *b = sync_pool_task_find(s, TASK_LOGS, "b");

        assert_task(b, TASK_LOGS, "b", 12345);
        cr_assert(!b->busy);
        cr_assert_eq(b->interval_ms, 4000);
        cr_assert_eq(b->passes, 3);
        cr_assert_eq(b->streams_ms, 777);
        cr_assert_eq(b->retries, 2);
    }
    /* a (not followed) finished its one pass: dropped; the others keep their order */
    snap = *sync_pool_task_find(s, TASK_LOGS, "a");
    sync_pool_task_settle(s, &snap, 999);
    cr_assert_eq(s->n_tasks, 2);
    cr_assert_str_eq(s->tasks[0].job, "b");
    cr_assert_str_eq(s->tasks[1].job, "c");
    /* c: next < 0 means never again */
    snap = *sync_pool_task_find(s, TASK_LOGS, "c");
    sync_pool_task_settle(s, &snap, -1);
    cr_assert_eq(s->n_tasks, 1);
    /* stopping: nothing is rescheduled */
    s->stop_flag = 1;
    snap = *sync_pool_task_find(s, TASK_LOGS, "b");
    sync_pool_task_settle(s, &snap, 50);
    cr_assert_eq(s->n_tasks, 0);
    sync_free(s);
}

Test(sync_queue, the_follow_interval_doubles_while_quiet_and_resets_on_lines)
{
    static const int want[] = { 2000, 4000, 8000, 10000, 10000 };
    int iv = FOLLOW_FAST_MS;
    size_t i;

    for (i = 0; i < sizeof(want) / sizeof(want[0]); i++) {
        iv = sync_pool_follow_interval_ms(iv, 0);
        cr_assert_eq(iv, want[i], "quiet pass %zu: %d", i, iv);
    }
    cr_assert_eq(sync_pool_follow_interval_ms(iv, 1), FOLLOW_FAST_MS);
    cr_assert_eq(sync_pool_follow_interval_ms(FOLLOW_SLOW_MS, 250), 1000);
}

/* sync_run_tuning's plan: the tuning item alone, however the plan is zeroed. */
Test(sync_queue, a_tuning_run_queues_the_tuning_item_alone)
{
    struct sync_plan p = { 0 };
    struct sync *s = engine(true);

    s->plan_tuning = true;
    sync_pool_plan(s, &p, 9);
    cr_assert_eq(s->n_tasks, 1);
    assert_task(&s->tasks[0], TASK_TUNING, "", 9);
    cr_assert(s->tasks[0].once, "run mode");
    sync_free(s);
}

Test(sync_queue, a_plan_queues_the_list_then_each_named_job_in_order)
{
    static const char *const names[] = { "job-b", "job-a" };
    struct sync_plan p = { 0 };
    struct sync *s = engine(true);

    p.jobs = true;
    p.names = names;
    p.n_names = 2;
    p.logs = SYNC_LOGS_NAMED;
    p.follow = true;
    sync_pool_plan(s, &p, 50);
    cr_assert_eq(s->n_tasks, 3);
    assert_task(&s->tasks[0], TASK_LIST, "", 50);
    assert_task(&s->tasks[1], TASK_LOGS, "job-b", 50);
    assert_task(&s->tasks[2], TASK_LOGS, "job-a", 50);
    cr_assert(s->tasks[1].follow && s->tasks[2].follow);
    cr_assert(s->tasks[1].once, "run mode");
    sync_free(s);

    /* no logs wanted: the named jobs are only described, and no list without p.jobs */
    s = engine(true);
    p.jobs = false;
    p.logs = SYNC_LOGS_NONE;
    p.follow = false;
    sync_pool_plan(s, &p, 7);
    cr_assert_eq(s->n_tasks, 2);
    assert_task(&s->tasks[0], TASK_DESCRIBE, "job-b", 7);
    assert_task(&s->tasks[1], TASK_DESCRIBE, "job-a", 7);
    sync_free(s);

    /* every job's logs: the list comes first (it finds the jobs), even without p.jobs */
    s = engine(true);
    p.n_names = 0;
    p.logs = SYNC_LOGS_ALL;
    sync_pool_plan(s, &p, 7);
    cr_assert_eq(s->n_tasks, 1);
    assert_task(&s->tasks[0], TASK_LIST, "", 7);
    sync_free(s);
}

Test(sync_queue, follow_unfollow_and_refresh_on_an_idle_engine)
{
    struct sync *s = engine(false);
    struct task *t;

    sync_follow(s, "job-a");
    t = sync_pool_task_find(s, TASK_LOGS, "job-a");
    cr_assert_not_null(t);
    cr_assert(t->follow);
    cr_assert(!t->once);
    sync_refresh(s);
    cr_assert_not_null(sync_pool_task_find(s, TASK_LIST, NULL));
    /* a pass in progress finishes first; an idle one goes at once */
    sync_pool_task_find(s, TASK_LOGS, "job-a")->busy = true;
    sync_unfollow(s, "job-a");
    t = sync_pool_task_find(s, TASK_LOGS, "job-a");
    cr_assert_not_null(t);
    cr_assert(!t->follow);
    t->busy = false;
    sync_unfollow(s, "job-a");
    cr_assert_null(sync_pool_task_find(s, TASK_LOGS, "job-a"));
    cr_assert_eq(s->n_tasks, 1);
    sync_free(s);
}

/* ---- cursors and job passes against a real cache ----------------------------------------- */

static void setup(void)
{
    cr_assert_eq(tmp_cache_make("sync", "cache.db"), 0);
}

static void teardown(void)
{
    cr_assert_eq(tmp_cache_remove(), 0);
}

TestSuite(sync_cache, .init = setup, .fini = teardown);

static struct cache *open_rw(void)
{
    struct err e = { 0 };
    struct cache *c = tmp_cache_open(&e);

    cr_assert_not_null(c, "%s", e.msg);
    return c;
}

static void describe(struct cache *c, const char *job, const char *status, int created)
{
    char doc[512];
    struct err e = { 0 };

    snprintf(doc, sizeof(doc), "{\"TrainingJobName\":\"%s\",\"TrainingJobArn\":\"arn:aws:"
             "sagemaker:us-east-1:1:training-job/%s\",\"TrainingJobStatus\":\"%s\","
             "\"SecondaryStatus\":\"%s\",\"CreationTime\":%d,\"LastModifiedTime\":%d}",
             job, job, status, status, created, created + 100);
    cr_assert_eq(cache_job_store_describe(c, doc, strlen(doc), &e), 0, "%s", e.msg);
}

static void listed(struct cache *c, const char *job, const char *status, double created)
{
    struct cache_job_summary sm = { job, "arn", status, NULL, created, 0, created + 100 };
    struct err e = { 0 };

    cr_assert_eq(cache_job_upsert_summary(c, &sm, &e), 0, "%s", e.msg);
}

static struct cache_stream stream_of(struct cache *c, int64_t sid)
{
    struct cache_stream cs;
    struct err e = { 0 };

    cr_assert_eq(cache_stream_get(c, sid, &cs, &e), 0, "%s", e.msg);
    return cs;
}

Test(sync_cache, get_log_events_starts_from_head_then_from_the_saved_token)
{
    struct cache_stream cs = { 0 };
    struct logs_get_query q;

    snprintf(cs.name, sizeof(cs.name), "job-a/algo-1-1700000000");
    sync_logs_page_query(&cs, &q);
    cr_assert_str_eq(q.stream, "job-a/algo-1-1700000000");
    cr_assert_null(q.next_token);
    cr_assert(q.start_from_head);
    cr_assert_eq(q.limit, 10000);
    snprintf(cs.token, sizeof(cs.token), "f/0001");
    sync_logs_page_query(&cs, &q);
    cr_assert_str_eq(q.next_token, "f/0001");
    cr_assert(q.start_from_head, "a token wins over the direction, but keep it forward");
}

Test(sync_cache, which_pages_are_stored_and_when_a_stream_is_caught_up)
{
    struct cache_stream cs = { 0 };
    struct logs_event_page pg = { 0 };
    char f1[] = "f/1", f2[] = "f/2";

    snprintf(cs.token, sizeof(cs.token), "f/1");
    pg.next_forward_token = f1;
    cr_assert(!sync_logs_page_news(&pg, &cs), "no events, same token: nothing to store");
    cr_assert(!sync_logs_page_last(&pg), "not said caught up");
    pg.caught_up = true;
    cr_assert(sync_logs_page_last(&pg));
    pg.caught_up = false;
    pg.next_forward_token = f2;
    cr_assert(sync_logs_page_news(&pg, &cs), "the cursor moves even with no events");
    pg.next_forward_token = NULL;
    cr_assert(!sync_logs_page_news(&pg, &cs));
    cr_assert(sync_logs_page_last(&pg), "no token: the end");
    pg.count = 2;
    cr_assert(sync_logs_page_news(&pg, &cs));
}

Test(sync_cache, a_page_and_its_cursor_commit_together_and_survive_a_reopen)
{
    static const struct cache_event ev[] = {
        { 1000, "epoch 1 loss=0.5", 16 }, { 1001, "hello", 5 }, { 1002, "epoch 2 loss=0.25", 17 },
    };
    struct cache *c = open_rw();
    struct cache_stream cs, stale;
    struct mdef_list defs;
    struct point_buf pb = { 0 };
    struct mextract_state st;
    struct mextract_state back;
    struct cache_metric_hash *h = NULL;
    struct sync_page sp = { 0 };
    struct logs_get_query q;
    struct err e = { 0 };
    int64_t sid = 0, job_id = 0;
    size_t n_h = 0;
    bool applied = false;

    describe(c, "job-a", "InProgress", 1000);
    cr_assert_eq(cache_stream_ensure(c, "job-a", "job-a/algo-1-1700000000", &sid, &e), 0, "%s",
                 e.msg);
    cr_assert_eq(cache_job_lookup(c, "job-a", &job_id, &e), 0, "%s", e.msg);
    cs = stream_of(c, sid);
    stale = cs;
    mdef_list_init(&defs);
    cr_assert_eq(mdef_list_add(&defs, "loss", "loss=([0-9.]+)", MDEF_USER, &e), 0, "%s", e.msg);
    {
        struct mpoint mp = { 0 };

        mp.name = "loss";
        mp.value = 0.5;
        mp.ts_ms = 1000;
        pb.seq = 0;
        cr_assert_eq(sync_logs_point(&mp, &pb), 0);
        mp.value = 0.25;
        mp.ts_ms = 1002;
        pb.seq = 2;
        cr_assert_eq(sync_logs_point(&mp, &pb), 0);
    }
    cr_assert_eq(pb.n, 2);
    cr_assert_eq(pb.n_names, 1, "names interned once");
    mextract_state_init(&st, "algo-1");
    st.step = 41;
    sp.ev = ev;
    sp.n = 3;
    sp.next_token = "f/0003";
    sp.pb = &pb;
    sp.defs = &defs;
    sp.st = &st;
    cr_assert_eq(sync_logs_store_page(c, job_id, &cs, &sp, &applied, &e), 0, "%s", e.msg);
    cr_assert(applied);
    cr_assert_eq(cs.n_events, 3, "the in-memory cursor moved");
    cr_assert_str_eq(cs.token, "f/0003");
    cr_assert_eq(cache_metric_hashes(c, job_id, &h, &n_h, &e), 0, "%s", e.msg);
    cr_assert_eq(n_h, 1);
    cr_assert_str_eq(h[0].name, "loss");
    cr_assert(h[0].known);
    cr_assert_eq(h[0].hash, sync_reextract_hash(&defs, "loss"),
                 "the metric is marked as extracted with these definitions");
    free(h);

    /* a second writer that fetched the same page from the old cursor: refused, nothing doubled */
    applied = true;
    sp.pb = &(struct point_buf){ 0 };
    cr_assert_eq(sync_logs_store_page(c, job_id, &stale, &sp, &applied, &e), 0, "%s", e.msg);
    cr_assert(!applied);
    cr_assert_eq(stale.n_events, 0, "a refused page does not move the caller's cursor");
    cr_assert_eq(stream_of(c, sid).n_events, 3);

    /* no events but a new token: only the cursor moves */
    sp.ev = NULL;
    sp.n = 0;
    sp.next_token = "f/0004";
    sp.st = NULL;
    cr_assert_eq(sync_logs_store_page(c, job_id, &cs, &sp, &applied, &e), 0, "%s", e.msg);
    cr_assert(applied);
    cr_assert_eq(cs.n_events, 3);
    cache_close(c);

    /* killed here: a new process resumes from what was committed */
    c = open_rw();
    cs = stream_of(c, sid);
    cr_assert_eq(cs.n_events, 3);
    cr_assert_str_eq(cs.token, "f/0004");
    cr_assert_eq(cs.last_ts_ms, 1002);
    sync_logs_page_query(&cs, &q);
    cr_assert_str_eq(q.next_token, "f/0004");
    cr_assert_eq(cache_stream_get_extract_state(c, sid, &back, sizeof(back), &e), 0, "%s",
                 e.msg);
    cr_assert_eq(back.step, 41, "the extractor state of the last stored page");
    cr_assert_str_eq(back.instance, "algo-1");
    sync_logs_points_clean(&pb);
    cr_assert_null(pb.p);
    mdef_list_clean(&defs);
    cache_close(c);
}

/* A worker with a cache and no client, on an engine that never starts. */
static struct worker worker_on(struct sync *s, struct cache *c)
{
    struct worker w = { .s = s, .cache = c, .rng = 1 };

    return w;
}

Test(sync_cache, describes_are_queued_for_new_running_and_newly_final_jobs)
{
    struct cache *c = open_rw();
    struct sync *s = engine(false);
    struct worker w = worker_on(s, c);
    struct err e = { 0 };

    describe(c, "done-ok", "Completed", 100);        /* final and described: left alone */
    describe(c, "running", "InProgress", 200);       /* not final: again */
    listed(c, "new", "InProgress", 300);             /* never described */
    describe(c, "ended", "InProgress", 400);         /* described while running... */
    listed(c, "ended", "Failed", 400);               /* ...then listed as final */
    cr_assert_eq(sync_jobs_queue_describes(&w, &e), 0, "%s", e.msg);
    cr_assert_eq(s->n_tasks, 3);
    cr_assert_not_null(sync_pool_task_find(s, TASK_DESCRIBE, "running"));
    cr_assert_not_null(sync_pool_task_find(s, TASK_DESCRIBE, "new"));
    cr_assert_not_null(sync_pool_task_find(s, TASK_DESCRIBE, "ended"));
    cr_assert_null(sync_pool_task_find(s, TASK_DESCRIBE, "done-ok"));
    sync_free(s);
    cache_close(c);
}

/* Issue 15, section 3: what needs a describe one by one goes running jobs first (newer
 * finished jobs wait), whatever the list's order. */
Test(sync_cache, running_jobs_are_described_first)
{
    struct cache *c = open_rw();
    struct sync *s = engine(false);
    struct worker w = worker_on(s, c);
    struct err e = { 0 };
    struct task *t;

    listed(c, "run-old", "InProgress", 100);
    listed(c, "done-new", "Completed", 300);
    listed(c, "done-newer", "Failed", 400);
    describe(c, "run-new", "InProgress", 500);
    cr_assert_eq(sync_jobs_queue_describes(&w, &e), 0, "%s", e.msg);
    cr_assert_eq(s->n_tasks, 4);
    for (int k = 0; k < 4; k++) {
        t = sync_pool_task_pick_at(s, INT64_MAX);
        cr_assert_not_null(t);
        cr_assert_eq(t->kind, TASK_DESCRIBE);
        if (k < 2)
            cr_assert(strncmp(t->job, "run-", 4) == 0, "pick %d: %s before the running jobs", k,
                      t->job);
        else
            cr_assert(strncmp(t->job, "done-", 5) == 0, "pick %d: %s", k, t->job);
        t->busy = true;
    }
    sync_free(s);
    cache_close(c);
}

Test(sync_cache, a_run_describes_each_job_once_and_leaves_named_jobs_to_their_log_tasks)
{
    struct cache *c = open_rw();
    struct sync *s = engine(true);
    struct worker w = worker_on(s, c);
    struct err e = { 0 };

    s->started_wall = sync_pool_wall_s() - 60;
    describe(c, "running-now", "InProgress", 100);   /* described in this run: fresh */
    listed(c, "named-new", "InProgress", 200);       /* its log task describes it */
    describe(c, "named-run", "InProgress", 250);
    listed(c, "other-new", "InProgress", 300);       /* nobody else will: queued */
    describe(c, "named-ended", "InProgress", 400);   /* described running, listed final: */
    listed(c, "named-ended", "Failed", 400);         /* the log task would not, so queued */
    sync_pool_task_add(s, TASK_LOGS, "named-new", 0);
    sync_pool_task_add(s, TASK_LOGS, "named-ended", 0);
    cr_assert_eq(sync_jobs_queue_describes(&w, &e), 0, "%s", e.msg);
    cr_assert_eq(s->n_tasks, 4);
    cr_assert_not_null(sync_pool_task_find(s, TASK_DESCRIBE, "other-new"));
    cr_assert_not_null(sync_pool_task_find(s, TASK_DESCRIBE, "named-ended"));
    cr_assert_null(sync_pool_task_find(s, TASK_DESCRIBE, "running-now"));
    cr_assert_null(sync_pool_task_find(s, TASK_DESCRIBE, "named-new"));
    cr_assert_null(sync_pool_task_find(s, TASK_DESCRIBE, "named-run"));
    sync_free(s);
    cache_close(c);
}

Test(sync_queue, tags_are_fetched_once_per_job_until_a_refresh)
{
    struct sync *s = engine(false);
    char name[32];
    int i;

    for (i = 0; i < 300; i++) {     /* past a few growths of the set */
        snprintf(name, sizeof(name), "job-%d", i);
        cr_assert_not(sync_pool_tags_seen(s, name), "%s", name);
    }
    for (i = 0; i < 300; i++) {
        snprintf(name, sizeof(name), "job-%d", i);
        cr_assert(sync_pool_tags_seen(s, name), "%s", name);
    }
    sync_refresh(s);
    cr_assert_not(sync_pool_tags_seen(s, "job-7"));
    cr_assert(sync_pool_tags_seen(s, "job-7"));
    sync_free(s);
}

Test(sync_cache, all_logs_queues_jobs_created_since_newest_first)
{
    struct cache *c = open_rw();
    struct sync *s = engine(true);
    struct worker w = worker_on(s, c);

    listed(c, "old", "Completed", 100);
    listed(c, "mid", "Completed", 200);
    listed(c, "new", "InProgress", 300);
    s->plan.logs = SYNC_LOGS_ALL;
    s->plan.since = 150;
    s->plan.follow = true;
    sync_jobs_queue_logs(&w);
    cr_assert_eq(s->n_tasks, 2);
    cr_assert_eq(s->tasks[0].kind, TASK_LOGS);
    cr_assert_str_eq(s->tasks[0].job, "new");
    cr_assert_str_eq(s->tasks[1].job, "mid");
    cr_assert(s->tasks[0].follow && s->tasks[1].follow);
    sync_free(s);
    cache_close(c);
}

Test(sync_cache, a_list_page_with_nothing_new_stops_the_listing_after_a_full_one)
{
    struct cache *c = open_rw();
    struct sync *s = engine(false);
    struct worker w = worker_on(s, c);
    struct sync_list_ctx lc = { 0 };
    struct sagemaker_job_summary page[2];

    memset(page, 0, sizeof(page));
    snprintf(page[0].name, sizeof(page[0].name), "job-b");
    snprintf(page[0].status, sizeof(page[0].status), "InProgress");
    page[0].creation_time = 200;
    page[0].last_modified_time = 210;
    snprintf(page[1].name, sizeof(page[1].name), "job-a");
    snprintf(page[1].status, sizeof(page[1].status), "Completed");
    page[1].creation_time = 100;
    page[1].last_modified_time = 110;
    lc.w = &w;
    lc.full_before = true;
    cr_assert_eq(sync_jobs_list_page(&lc, page, 2), 0, "new jobs: go on");
    cr_assert_eq(lc.seen, 2);
    cr_assert_eq(lc.fresh, 2);
    cr_assert_eq(s->prog.requests, 1);
    cr_assert_eq(sync_jobs_list_page(&lc, page, 2), 1, "the same page again: stop");
    cr_assert_eq(lc.fresh, 2);
    snprintf(page[0].status, sizeof(page[0].status), "Completed");
    cr_assert_eq(sync_jobs_list_page(&lc, page, 2), 0, "a status changed: go on");
    cr_assert_eq(lc.fresh, 2, "changed, not new");
    lc.full_before = false;
    cr_assert_eq(sync_jobs_list_page(&lc, page, 2), 0, "never fully listed: never stop early");
    s->stop_flag = 1;
    cr_assert_eq(sync_jobs_list_page(&lc, page, 2), 1, "cancelled");
    cr_assert_eq(lc.rc, 0);
    sync_free(s);
    cache_close(c);
}
