/* worker.c: the UI's I/O thread and the message queues. Owns the AWS config/credentials/client
 * used for requests the UI makes (stop a job; launch one: worker_launch.c), the sync engine and
 * the alert checks (worker_alerts.c);
 * the UI thread only ever sees messages. Must not touch curses or the UI's cache connection. */
#include "tui/worker.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "aws/client.h"
#include "aws/config.h"
#include "aws/creds.h"
#include "aws/sagemaker.h"
#include "aws/sagemaker_tuning_launch.h"
#include "tui/scope.h"

#define WORKER_LAUNCH_GRACE_MS 5000

struct msgq {
    pthread_mutex_t mu;
    struct wmsg *head, *tail;
    int wake_fd;
};

struct worker {
    pthread_t thread;
    bool started;
    struct worker_options o;
    char profile[256], region[256], endpoint[512], cache_path[1024];
    int ui_pipe[2];              /* worker -> UI wake */
    int my_pipe[2];              /* UI -> worker wake */
    struct msgq *to_ui, *to_me;
    volatile sig_atomic_t cancel;
    atomic_bool launching;       /* a WREQ_LAUNCH runs: worker_stop gives it a grace period */
    /* owned by the worker thread */
    struct aws_config *cfg;
    struct aws_creds_provider *creds;
    struct aws_client *client;
    struct sync *sync;
    struct worker_alerts *alerts;
};

static double now_s(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_REALTIME, &ts);
    return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

struct wmsg *wmsg_new(enum wmsg_type type, const char *job)
{
    struct wmsg *m = calloc(1, sizeof(*m));

    if (!m)
        return NULL;
    m->type = type;
    m->at = now_s();
    if (job)
        snprintf(m->job, sizeof(m->job), "%s", job);
    return m;
}

void wmsg_free(struct wmsg *m)
{
    if (m && m->type == WREQ_LAUNCH)
        worker_launch_clean(&m->u.launch);
    free(m);
}

void wmsg_free_list(struct wmsg *m)
{
    while (m) {
        struct wmsg *next = m->next;

        wmsg_free(m);
        m = next;
    }
}

struct msgq *msgq_new(int wake_fd)
{
    struct msgq *q = calloc(1, sizeof(*q));

    if (!q)
        return NULL;
    pthread_mutex_init(&q->mu, NULL);
    q->wake_fd = wake_fd;
    return q;
}

void msgq_free(struct msgq *q)
{
    if (!q)
        return;
    wmsg_free_list(q->head);
    pthread_mutex_destroy(&q->mu);
    free(q);
}

void msgq_post(struct msgq *q, struct wmsg *m)
{
    if (!m)
        return;
    m->next = NULL;
    pthread_mutex_lock(&q->mu);
    if (q->tail)
        q->tail->next = m;
    else
        q->head = m;
    q->tail = m;
    pthread_mutex_unlock(&q->mu);
    if (q->wake_fd >= 0) {
        ssize_t r;

        /* The pipe is non-blocking: a full pipe already means "wake up". */
        do {
            r = write(q->wake_fd, "!", 1);
        } while (r < 0 && errno == EINTR);
    }
}

struct wmsg *msgq_take_all(struct msgq *q)
{
    struct wmsg *m;

    pthread_mutex_lock(&q->mu);
    m = q->head;
    q->head = q->tail = NULL;
    pthread_mutex_unlock(&q->mu);
    return m;
}

bool worker_endpoint_is_local(const char *url)
{
    const char *h;

    if (!url || !*url)
        return false;
    h = strstr(url, "://");
    h = h ? h + 3 : url;
    return strncmp(h, "127.", 4) == 0 || strncmp(h, "localhost", 9) == 0 ||
           strncmp(h, "[::1]", 5) == 0 || strncmp(h, "0.0.0.0", 7) == 0;
}

static void drain_fd(int fd)
{
    char buf[256];

    while (read(fd, buf, sizeof(buf)) > 0)
        ;
}

/* ---- the worker thread -------------------------------------------------------------------- */

static void post_result(struct worker *w, const char *job, int code, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));
static void post_result(struct worker *w, const char *job, int code, const char *fmt, ...)
{
    struct wmsg *m = wmsg_new(WMSG_RESULT, job);
    va_list ap;

    if (!m)
        return;
    m->u.result.code = code;
    va_start(ap, fmt);
    vsnprintf(m->u.result.text, sizeof(m->u.result.text), fmt, ap);
    va_end(ap);
    msgq_post(w->to_ui, m);
}

/* Runs on an engine thread: copy and post, nothing else. */
static void on_notice(void *ctx, const struct sync_notice *n)
{
    struct worker *w = ctx;
    struct wmsg *m = wmsg_new(WMSG_SYNC, n->job);

    if (!m)
        return;
    m->u.notice = *n;
    m->cloudwatch = n->state == SYNC_THROTTLED && n->cloudwatch;
    msgq_post(w->to_ui, m);
}

static void on_retry(void *ctx, enum aws_service svc, const char *op, const char *reason,
                     long delay_ms)
{
    struct worker *w = ctx;
    struct wmsg *m = wmsg_new(WMSG_SYNC, NULL);

    (void)op;
    if (!m)
        return;
    m->cloudwatch = svc == AWS_CLOUDWATCH;
    m->u.notice.state = SYNC_THROTTLED;
    m->u.notice.retry_ms = delay_ms;
    snprintf(m->u.notice.text, sizeof(m->u.notice.text), "%s", reason ? reason : "retrying");
    msgq_post(w->to_ui, m);
}

static void engine_close(struct worker *w)
{
    worker_alerts_free(w->alerts);
    w->alerts = NULL;
    sync_free(w->sync);
    w->sync = NULL;
    aws_client_free(w->client);
    w->client = NULL;
    aws_creds_provider_free(w->creds);
    w->creds = NULL;
    aws_config_free(w->cfg);
    w->cfg = NULL;
}

static void engine_open(struct worker *w)
{
    struct aws_options ao = {
        .profile = w->profile[0] ? w->profile : NULL,
        .region = w->region[0] ? w->region : NULL,
        .endpoint_url = w->endpoint[0] ? w->endpoint : NULL,
    };
    struct aws_endpoint ep;
    struct sync_options so;
    struct wmsg *m;
    struct err e = { 0 };
    char account[64] = "";

    w->cfg = aws_config_load(&ao, &e);
    if (!w->cfg) {
        post_result(w, NULL, e.code ? e.code : ERR_CONFIG, "%s", e.msg);
        return;
    }
    m = wmsg_new(WMSG_IDENTITY, NULL);
    if (m) {
        struct wmsg_identity *id = &m->u.identity;

        snprintf(id->profile, sizeof(id->profile), "%s", aws_config_profile(w->cfg));
        snprintf(id->region, sizeof(id->region), "%s", aws_config_region(w->cfg));
        if (aws_config_endpoint(w->cfg, AWS_SAGEMAKER, &ep, NULL) == 0)
            snprintf(id->endpoint, sizeof(id->endpoint), "%s", ep.url);
        id->demo = worker_endpoint_is_local(id->endpoint);
    }
    if (w->o.offline) {
        if (m) {
            tui_scope_account(w->cfg, w->cache_path[0] ? w->cache_path : NULL, NULL, true,
                              m->u.identity.account, sizeof(m->u.identity.account), NULL);
            msgq_post(w->to_ui, m);
        }
        return;
    }
    w->creds = aws_creds_provider_new(w->cfg, &e);
    if (w->creds)
        w->client = aws_client_new(w->cfg, w->creds, &e);
    if (w->client) {
        aws_client_set_cancel(w->client, &w->cancel);
        aws_client_set_retry_hook(w->client, on_retry, w);
    }
    if (!w->client || tui_scope_account(w->cfg, w->cache_path[0] ? w->cache_path : NULL,
                                        w->client, false, account, sizeof(account), &e) < 0) {
        if (m) {
            tui_scope_account(w->cfg, w->cache_path[0] ? w->cache_path : NULL, NULL, true,
                              m->u.identity.account, sizeof(m->u.identity.account), NULL);
            msgq_post(w->to_ui, m);
        }
        post_result(w, NULL, e.code ? e.code : ERR_AUTH, "%s", e.msg);
        return;
    }
    if (m) {
        snprintf(m->u.identity.account, sizeof(m->u.identity.account), "%s", account);
        msgq_post(w->to_ui, m);
    }
    memset(&so, 0, sizeof(so));
    so.cfg = w->cfg;
    so.creds = w->creds;
    so.cache_path = w->cache_path[0] ? w->cache_path : NULL;
    so.account = account;
    so.region = aws_config_region(w->cfg);
    so.cancel = &w->cancel;
    so.notice = on_notice;
    so.notice_ctx = w;
    /* every running job's host metrics (the GPU column), a finished one's when it is opened */
    so.host_metrics = true;
    w->sync = sync_new(&so, &e);
    if (!w->sync || sync_start(w->sync, &e) < 0) {
        sync_free(w->sync);
        w->sync = NULL;
        post_result(w, NULL, e.code ? e.code : ERR_CACHE, "%s", e.msg);
        return;
    }
    w->alerts = worker_alerts_new(so.cache_path, account, so.region, &e);
    if (!w->alerts)
        post_result(w, NULL, 0, "alerts off: %s", e.msg);
}

/* StopTrainingJob or StopHyperParameterTuningJob, then a list pass so the status shows. */
static void stop(struct worker *w, const char *name, bool tuning)
{
    struct err e = { 0 };
    int rc;

    if (!w->client) {
        post_result(w, name, ERR_NET, "cannot stop %s: not connected", name);
        return;
    }
    rc = tuning ? sagemaker_stop_tuning_job(w->client, name, &e)
                : sagemaker_stop_training_job(w->client, name, &e);
    if (rc < 0) {
        post_result(w, name, e.code ? e.code : ERR_AWS, "%s", e.msg);
        return;
    }
    post_result(w, name, 0, "stop requested for %s%s", tuning ? "tuning job " : "", name);
    if (w->sync)
        sync_refresh(w->sync);
}

static void handle(struct worker *w, struct wmsg *m)
{
    switch (m->type) {
    case WREQ_REFRESH:
        if (w->sync)
            sync_refresh(w->sync);
        break;
    case WREQ_FOLLOW:
        if (w->sync)
            sync_follow(w->sync, m->job);
        worker_alerts_follow(w->alerts, m->job, true);
        break;
    case WREQ_UNFOLLOW:
        if (w->sync)
            sync_unfollow(w->sync, m->job);
        worker_alerts_follow(w->alerts, m->job, false);
        break;
    case WREQ_STOP_JOB:
    case WREQ_STOP_TUNING:
        stop(w, m->job, m->type == WREQ_STOP_TUNING);
        break;
    case WREQ_SWITCH:
        if (m->u.sw.profile[0])
            snprintf(w->profile, sizeof(w->profile), "%s", m->u.sw.profile);
        if (m->u.sw.region[0])
            snprintf(w->region, sizeof(w->region), "%s", m->u.sw.region);
        engine_close(w);
        engine_open(w);
        break;
    case WREQ_LAUNCH:
        atomic_store(&w->launching, true);
        worker_launch(w->client, w->cfg, w->cache_path, w->to_ui, m);
        atomic_store(&w->launching, false);
        break;
    default:
        break;
    }
}

static void *worker_main(void *arg)
{
    struct worker *w = arg;

    engine_open(w);
    while (!w->cancel) {
        struct pollfd p = { .fd = w->my_pipe[0], .events = POLLIN };
        struct wmsg *m, *next;

        if (poll(&p, 1, 1000) < 0 && errno != EINTR)
            break;
        drain_fd(w->my_pipe[0]);
        m = msgq_take_all(w->to_me);
        while (m) {
            next = m->next;
            if (!w->cancel)
                handle(w, m);
            wmsg_free(m);
            m = next;
        }
        if (!w->cancel)
            worker_alerts_tick(w->alerts, now_s(), w->to_ui);
    }
    engine_close(w);
    return NULL;
}

static int make_pipe(int fds[2])
{
    if (pipe(fds) < 0)
        return -1;
    fcntl(fds[0], F_SETFL, O_NONBLOCK);
    fcntl(fds[1], F_SETFL, O_NONBLOCK);
    fcntl(fds[0], F_SETFD, FD_CLOEXEC);
    fcntl(fds[1], F_SETFD, FD_CLOEXEC);
    return 0;
}

struct worker *worker_start(const struct worker_options *o, struct err *e)
{
    struct worker *w = calloc(1, sizeof(*w));
    sigset_t all, old;

    if (!w) {
        err_set(e, ERR_NOMEM, "out of memory starting the worker");
        return NULL;
    }
    w->ui_pipe[0] = w->ui_pipe[1] = w->my_pipe[0] = w->my_pipe[1] = -1;
    w->o = *o;
    snprintf(w->profile, sizeof(w->profile), "%s", o->profile ? o->profile : "");
    snprintf(w->region, sizeof(w->region), "%s", o->region ? o->region : "");
    snprintf(w->endpoint, sizeof(w->endpoint), "%s", o->endpoint_url ? o->endpoint_url : "");
    snprintf(w->cache_path, sizeof(w->cache_path), "%s", o->cache_path ? o->cache_path : "");
    if (make_pipe(w->ui_pipe) < 0 || make_pipe(w->my_pipe) < 0) {
        err_set(e, ERR_IO, "cannot create the worker's pipes: %s", strerror(errno));
        goto fail;
    }
    w->to_ui = msgq_new(w->ui_pipe[1]);
    w->to_me = msgq_new(w->my_pipe[1]);
    if (!w->to_ui || !w->to_me) {
        err_set(e, ERR_NOMEM, "out of memory starting the worker");
        goto fail;
    }
    /* The worker and the engine threads it spawns inherit a mask with every signal blocked. */
    sigfillset(&all);
    pthread_sigmask(SIG_SETMASK, &all, &old);
    if (pthread_create(&w->thread, NULL, worker_main, w) != 0) {
        pthread_sigmask(SIG_SETMASK, &old, NULL);
        err_set(e, ERR_NOMEM, "cannot start the worker thread");
        goto fail;
    }
    pthread_sigmask(SIG_SETMASK, &old, NULL);
    w->started = true;
    return w;
fail:
    worker_stop(w);
    return NULL;
}

void worker_stop(struct worker *w)
{
    int i;

    if (!w)
        return;
    if (w->started) {
        /* a launch the user confirmed gets a few seconds to finish before it is cancelled */
        for (int ms = 0; ms < WORKER_LAUNCH_GRACE_MS && atomic_load(&w->launching); ms += 50)
            nanosleep(&(struct timespec){ .tv_nsec = 50 * 1000000L }, NULL);
        w->cancel = 1;
        if (w->my_pipe[1] >= 0 && write(w->my_pipe[1], "q", 1) < 0) {
            /* the flag alone stops it within a second */
        }
        pthread_join(w->thread, NULL);
    }
    msgq_free(w->to_ui);
    msgq_free(w->to_me);
    for (i = 0; i < 2; i++) {
        if (w->ui_pipe[i] >= 0)
            close(w->ui_pipe[i]);
        if (w->my_pipe[i] >= 0)
            close(w->my_pipe[i]);
    }
    free(w);
}

int worker_wake_fd(const struct worker *w)
{
    return w->ui_pipe[0];
}

void worker_post(struct worker *w, struct wmsg *m)
{
    if (!w) {
        wmsg_free(m);
        return;
    }
    msgq_post(w->to_me, m);
}

struct wmsg *worker_drain(struct worker *w)
{
    drain_fd(w->ui_pipe[0]);
    return msgq_take_all(w->to_ui);
}
