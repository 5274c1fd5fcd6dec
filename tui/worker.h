/* worker.h: the I/O thread behind the UI, and the message queues between them.
 *
 * The worker owns everything that may block: the AWS config reload on a profile/region switch,
 * the credentials provider, its own aws_client (for StopTrainingJob and
 * StopHyperParameterTuningJob, and for launches: launch_run() in worker_launch.c), and the sync
 * engine (cache/sync.h, which runs its own threads and its own read-write cache connections).
 * The UI thread never touches any of those.
 *
 * Messages are heap objects (wmsg_new) travelling in mutex-protected queues; posting hands
 * ownership to the receiver, which frees with wmsg_free. Worker → UI posts also write a byte to
 * the UI's wake pipe (worker_wake_fd) so the UI's poll() returns; UI → worker posts write the
 * worker's own pipe. Signals are blocked on the worker (and so on the engine's threads) so that
 * SIGWINCH/SIGINT/SIGTERM always reach the UI thread. */
#ifndef SAGETOP_TUI_WORKER_H
#define SAGETOP_TUI_WORKER_H

#include <stdbool.h>
#include <stddef.h>

#include <jansson.h>

#include "aws/err.h"
#include "cache/sync.h"

struct aws_client;
struct aws_config;
struct estimator;
struct tuning_spec;

enum wmsg_type {
    /* UI -> worker */
    WREQ_REFRESH,        /* list jobs now */
    WREQ_FOLLOW,         /* job: follow its logs (and describe it) */
    WREQ_UNFOLLOW,       /* job */
    WREQ_STOP_JOB,       /* job: StopTrainingJob */
    WREQ_SWITCH,         /* u.sw: a profile and/or region to switch to */
    WREQ_LAUNCH,         /* u.launch, job = the new job's name: launch_run() on the worker */
    WREQ_STOP_TUNING,    /* job = a tuning job: StopHyperParameterTuningJob */
    /* worker -> UI */
    WMSG_IDENTITY,       /* u.identity: who and where the worker now talks to */
    WMSG_SYNC,           /* u.notice: a copy of the engine's notice */
    WMSG_RESULT,         /* u.result: the outcome of a request */
    WMSG_LAUNCH,         /* u.progress, job = the new job's name: a launch's step or outcome */
    WMSG_ALERT,          /* u.alert, job: an alert that fired for the first time */
};

/* WREQ_SWITCH: "" keeps the current value. */
struct wmsg_switch {
    char profile[256];
    char region[64];
};

/* WMSG_IDENTITY: the resolved scope after a (re)load of the AWS config. */
struct wmsg_identity {
    char profile[256];
    char region[64];
    char account[64];            /* "" when it could not be resolved */
    char endpoint[512];          /* the SageMaker endpoint URL, "" = unknown */
    bool demo;                   /* the endpoint is this machine (the local emulator) */
};

/* WMSG_RESULT: code 0 ok or a negative ERR_*, text for a human ("" = nothing to say). */
struct wmsg_result {
    int code;
    char text[256];
};

/* WREQ_LAUNCH: what to launch (launch/launch.h), owned by the message: wmsg_free frees it.
 * A new estimator (est, with request when the user edited it), a request alone, or a tuning
 * launch (tuning set: from, from_json and the spec, the tuning job's name in job). */
struct wmsg_launch {
    struct estimator *est;       /* heap; NULL for a request alone */
    json_t *request;             /* NULL: built from est */
    struct tuning_spec *tuning;  /* heap; a tuning launch */
    char *from;                  /* heap: the source training job or tuning job */
    char *from_json;             /* heap: its describe document */
    bool from_is_tuning;
};

/* WMSG_LAUNCH: a step of a launch (done false), or its outcome (done true, code 0: created). */
struct wmsg_launch_progress {
    int stage;                   /* enum launch_stage */
    bool done;
    int code;
    char text[512];              /* the step, or "created ..." / what went wrong */
};

/* WMSG_ALERT: what cache_alerts_check() fired (the alerts table has it too). */
struct wmsg_alert {
    char rule[32];               /* "ended", "stalled", "nonfinite", "threshold", "spot" */
    char message[256];           /* one line for a human, from metrics/alerts.c */
    double fired_at;
};

/* One message. Which member of the union is valid follows from type (see enum wmsg_type);
 * the requests that name only a job carry nothing else. */
struct wmsg {
    struct wmsg *next;
    enum wmsg_type type;
    char job[64];
    double at;                   /* epoch seconds when posted */
    bool cloudwatch;             /* WMSG_SYNC THROTTLED: about CloudWatch's GetMetricData (the
                                  * host metrics), not the SageMaker/logs sync */
    union {
        struct wmsg_switch sw;
        struct wmsg_identity identity;
        struct wmsg_result result;
        struct sync_notice notice;
        struct wmsg_launch launch;
        struct wmsg_launch_progress progress;
        struct wmsg_alert alert;
    } u;
};

struct wmsg *wmsg_new(enum wmsg_type type, const char *job);   /* NULL on out-of-memory */
void wmsg_free(struct wmsg *m);                                /* frees one message */
void wmsg_free_list(struct wmsg *m);                           /* and its successors */

/* A mutex-protected FIFO with an optional pipe written on each post. */
struct msgq;
struct msgq *msgq_new(int wake_fd);            /* wake_fd -1 = none; not owned */
void msgq_free(struct msgq *q);                /* frees queued messages */
void msgq_post(struct msgq *q, struct wmsg *m);   /* takes ownership; NULL is ignored */
struct wmsg *msgq_take_all(struct msgq *q);    /* the whole queue, oldest first, or NULL */

struct worker_options {
    const char *profile;         /* NULL = default resolution */
    const char *region;
    const char *endpoint_url;
    const char *cache_path;
    bool offline;                /* no engine, no network */
};

struct worker;

/* Starts the thread. The options are copied. */
struct worker *worker_start(const struct worker_options *o, struct err *e);
/* Stops the engine, joins the thread and frees everything, including undelivered messages. */
void worker_stop(struct worker *w);
/* UI side. */
int worker_wake_fd(const struct worker *w);       /* readable when messages wait */
void worker_post(struct worker *w, struct wmsg *m);  /* takes ownership */
struct wmsg *worker_drain(struct worker *w);      /* empties the wake pipe and the queue */

/* worker_launch.c, on the worker thread: runs m's launch with client, posts WMSG_LAUNCH steps
 * and the outcome to to_ui, and stores the new job's describe document in the cache at
 * cache_path ("" = the default). The client's cancel flag stops it. */
void worker_launch(struct aws_client *client, const struct aws_config *cfg,
                   const char *cache_path, struct msgq *to_ui, struct wmsg *m);
/* Frees what a WREQ_LAUNCH owns (wmsg_free calls it). */
void worker_launch_clean(struct wmsg_launch *l);

/* worker_alerts.c, on the worker thread: the alert checks (see there). new() reads the user's
 * [alerts] config and opens a read-write cache connection on (account, region); NULL with e
 * when either fails. follow() tells which jobs' logs the UI keeps current (their stall rule
 * runs); tick() checks at most every WORKER_ALERTS_EVERY_S and posts a WMSG_ALERT per alert
 * that fired for the first time, starting the config's notify-command for it (reaped by later
 * ticks without waiting; a failure is posted as a WMSG_RESULT line). */
#define WORKER_ALERTS_EVERY_S 10.0
struct worker_alerts;
struct worker_alerts *worker_alerts_new(const char *cache_path, const char *account,
                                        const char *region, struct err *e);
void worker_alerts_free(struct worker_alerts *wa);           /* NULL is a no-op */
void worker_alerts_follow(struct worker_alerts *wa, const char *job, bool on);
void worker_alerts_tick(struct worker_alerts *wa, double now_s, struct msgq *to_ui);

/* True when url points at this machine (the local emulator): the header shows DEMO. */
bool worker_endpoint_is_local(const char *url);

#endif
