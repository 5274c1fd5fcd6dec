/* worker_launch.c: the worker's side of the launch forms' submit (a training job's, a tuning
 * job's). The workflow is launch_run() (launch/launch.h), run here on the worker thread with the
 * worker's client; each step and the outcome go back to the UI as WMSG_LAUNCH messages, and the
 * new job's describe document goes into the cache (the worker's own connection) so the list (the
 * tuning list) shows the job at once.
 *
 * Owns: nothing past the call. Must not: touch curses or the UI's cache connection, start a
 * process, or wait for the UI. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "aws/client.h"
#include "aws/config.h"
#include "aws/sagemaker_tuning.h"
#include "cache/session.h"
#include "cache/tuning.h"
#include "launch/launch.h"
#include "tui/worker.h"

struct progress_ctx {
    struct msgq *to_ui;
    const char *job;
};

static void post(struct msgq *to_ui, const char *job, int stage, bool done, int code,
                 const char *text)
{
    struct wmsg *m = wmsg_new(WMSG_LAUNCH, job);

    if (m == NULL)
        return;
    m->u.progress.stage = stage;
    m->u.progress.done = done;
    m->u.progress.code = code;
    snprintf(m->u.progress.text, sizeof(m->u.progress.text), "%s", text);
    msgq_post(to_ui, m);
}

static void on_progress(enum launch_stage stage, const char *msg, void *ctx)
{
    struct progress_ctx *p = ctx;

    post(p->to_ui, p->job, (int)stage, false, 0, msg);
}

/* A tuning job's describe document into the cache, as the sync stores one. */
static int store_tuning(struct cache *c, const struct launch_result *r, struct err *e)
{
    struct sagemaker_tuning_job t;
    int rc;

    memset(&t, 0, sizeof(t));
    rc = sagemaker_parse_describe_tuning_job(r->describe_json, r->describe_len, &t, e);
    if (rc == 0)
        rc = cache_tuning_store(c, &t, e);
    sagemaker_tuning_job_clean(&t);
    return rc;
}

/* Best effort, like the CLI: a failure only delays the job's row until the next list sync. */
static void store_job(const struct aws_config *cfg, struct aws_client *client,
                      const char *cache_path, const struct launch_result *r, bool tuning,
                      char *note, size_t size)
{
    struct cache *c = NULL;
    struct err e = { 0 };

    if (r->describe_json == NULL) {
        snprintf(note, size, "; %s", r->note);
        return;
    }
    if (cache_session_open(cfg, client, cache_path && cache_path[0] ? cache_path : NULL, 0, &c,
                           NULL, 0, &e) != 0 ||
        (tuning ? store_tuning(c, r, &e)
                : cache_job_store_describe(c, r->describe_json, r->describe_len, &e)) != 0)
        snprintf(note, size, "; not cached yet: %s", e.msg);
    cache_close(c);
}

static double now_s(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_REALTIME, &ts);
    return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

void worker_launch(struct aws_client *client, const struct aws_config *cfg,
                   const char *cache_path, struct msgq *to_ui, struct wmsg *m)
{
    struct progress_ctx pc = { to_ui, m->job };
    struct launch_callbacks cb = { .progress = on_progress, .ctx = &pc };
    struct launch_result *r;
    struct err e = { 0 };
    char text[512], note[400] = "";
    int rc;

    if (client == NULL || cfg == NULL) {
        post(to_ui, m->job, LAUNCH_CHECK, true, ERR_NET, "not connected to AWS");
        return;
    }
    struct launch_request req = {
        .client = client, .region = aws_config_region(cfg), .now = now_s(),
        .est = m->u.launch.est, .request = m->u.launch.request,
        .tuning = m->u.launch.tuning, .from = m->u.launch.from,
        .from_json = m->u.launch.from_json, .from_is_tuning = m->u.launch.from_is_tuning,
    };

    if (req.tuning) {
        req.name = m->job;
        req.from_json_len = req.from_json ? strlen(req.from_json) : 0;
    }
    r = calloc(1, sizeof(*r));      /* large: not on the worker's stack */
    if (r == NULL) {
        post(to_ui, m->job, LAUNCH_CHECK, true, ERR_NOMEM, "out of memory");
        return;
    }
    rc = launch_run(&req, &cb, r, &e);
    if (rc == 0) {
        store_job(cfg, client, cache_path, r, req.tuning != NULL, note, sizeof(note));
        snprintf(text, sizeof(text), "created %s%s", r->job_name, note);
    } else {
        snprintf(text, sizeof(text), "%s", e.msg[0] ? e.msg : "failed");
    }
    post(to_ui, m->job, (int)r->stage, true, rc, text);
    launch_result_clean(r);
    free(r);
}

void worker_launch_clean(struct wmsg_launch *l)
{
    if (l->est) {
        estimator_clean(l->est);
        free(l->est);
    }
    json_decref(l->request);
    free(l->tuning);
    free(l->from);
    free(l->from_json);
    l->est = NULL;
    l->request = NULL;
    l->tuning = NULL;
    l->from = NULL;
    l->from_json = NULL;
}
