/* view_launch.c: the launch form. `n` opens a new estimator, `r` a re-launch of a job pre-filled
 * from its cached describe document (showing what changed against it). Fields are grouped, each
 * with its validation message next to it (every check of aws/estimator.h runs on each change,
 * in-process and instantly); Enter edits a field with completion (instance types, framework
 * versions, roles and buckets seen in past jobs), `a` adds a hyperparameter / channel / metric /
 * environment entry, `d` removes one, `v` reviews the exact CreateTrainingJob JSON, `e` edits
 * that JSON in $EDITOR, `s` submits after a confirmation.
 *
 * Submitting never blocks the UI: it runs this same program's `launch` command (the same global
 * options, so the same profile, region, endpoint and cache) as a child whose output is read on
 * each tick. The child packs and uploads the source, creates the job and stores it in the cache;
 * on success the form closes and the list refreshes; on failure (an AWS ValidationException,
 * say) its message is shown and the form is kept. The child is always reaped: on completion by
 * the tick, and when the form is left while it runs by a small waiter thread that drains its
 * output and waits for it (the launch the user confirmed goes on). At exit a launch still running
 * gets a few seconds to finish, then is terminated with its process group (git included) and
 * reaped, so no zombie or stray process outlives the UI; PR_SET_PDEATHSIG covers a killed UI.
 *
 * `r` on a job the cache has not described yet asks the worker for it (app_request_job) and
 * shows "loading…" until the document is in the cache; nothing waits. `t` on a metric
 * definition tests its regex on a chosen past job's cached log (metrics/metrics.h, the
 * extractor's own semantics), a few thousand lines per tick: the match count and the first
 * values, or PCRE2's message and offset. */
#include <errno.h>
#include <fcntl.h>
#include <jansson.h>
#include <math.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/time.h>
#include <sys/wait.h>
#ifdef __linux__
#include <sys/prctl.h>
#endif
#include <time.h>
#include <unistd.h>

#include "launch/estimator.h"
#include "metrics/metrics.h"
#include "tui/draw.h"
#include "tui/views.h"

#define MAX_SETS 128
#define MAX_ROWS 192
#define MAX_SEEN 16
#define MAX_PAST 40
#define RT_FIRST 6              /* values shown by the regex tester */
#define RT_LINES_PER_TICK 50000
#define RT_INSTANCES 8
#define LAUNCH_EXIT_GRACE_MS 5000

/* The regex tester's run: one metric definition over one job's cached log. */
struct regex_test {
    char key[96];               /* "metric.eval_loss" */
    char job[CACHE_JOB_NAME_MAX];
    struct mset *ms;
    struct cache_log_pos pos;
    bool running, started;
    char inst[RT_INSTANCES][MINSTANCE_MAX];
    struct mextract_state st[RT_INSTANCES];
    size_t n_inst;
    unsigned long long lines, values, unparsed;
    double first[RT_FIRST];
    size_t n_first;
    char text[512];
    bool err;
};

struct row {
    char key[96];
    const char *group;      /* non-NULL: a group heading row */
};

struct launch_state {
    bool relaunch;
    char source[CACHE_JOB_NAME_MAX];
    char *describe;
    size_t describe_len;
    char keys[MAX_SETS][96];
    char *vals[MAX_SETS];
    size_t n_sets;
    struct row rows[MAX_ROWS];
    size_t n_rows, cur, top;
    json_t *req, *src_req, *edited;
    struct estimator est;           /* new estimator: the current fields */
    struct estimator_issues issues;
    char build_msg[256];
    char diff[4096];
    size_t n_changed;
    bool review;
    int review_top;
    char editing[96];
    char roles[MAX_SEEN][256], buckets[MAX_SEEN][128];
    size_t n_roles, n_buckets;
    char past[MAX_PAST][CACHE_JOB_NAME_MAX];    /* for the regex tester's job completion */
    size_t n_past;
    /* re-launch of a job not described yet: waiting for the worker */
    bool loading, following;
    double loading_since;
    struct regex_test rt;
    /* the submitting child */
    pid_t pid;
    int fd;
    char out[4096];
    size_t out_len;
    char result[512];
    bool result_err;
};

/* ---- Field values --------------------------------------------------------------------------- */

static const char *set_get(const struct launch_state *st, const char *key)
{
    for (size_t i = 0; i < st->n_sets; i++)
        if (strcmp(st->keys[i], key) == 0)
            return st->vals[i];
    return NULL;
}

static void set_put(struct launch_state *st, const char *key, const char *value)
{
    for (size_t i = 0; i < st->n_sets; i++)
        if (strcmp(st->keys[i], key) == 0) {
            free(st->vals[i]);
            st->vals[i] = strdup(value);
            return;
        }
    if (st->n_sets == MAX_SETS)
        return;
    snprintf(st->keys[st->n_sets], sizeof(st->keys[0]), "%s", key);
    st->vals[st->n_sets++] = strdup(value);
}

static double now_s(void)
{
    struct timeval tv;

    gettimeofday(&tv, NULL);
    return (double)tv.tv_sec + (double)tv.tv_usec / 1e6;
}

/* The value of key in a request (re-launch form). */
static void req_value(const json_t *req, const char *key, char *buf, size_t size)
{
    static const struct {
        const char *key, *obj, *member;
    } map[] = {
        { "name", NULL, "TrainingJobName" },
        { "role", NULL, "RoleArn" },
        { "instance_type", "ResourceConfig", "InstanceType" },
        { "instance_count", "ResourceConfig", "InstanceCount" },
        { "volume_size", "ResourceConfig", "VolumeSizeInGB" },
        { "max_run", "StoppingCondition", "MaxRuntimeInSeconds" },
        { "max_wait", "StoppingCondition", "MaxWaitTimeInSeconds" },
        { "spot", NULL, "EnableManagedSpotTraining" },
        { "checkpoint_s3_uri", "CheckpointConfig", "S3Uri" },
        { "output_path", "OutputDataConfig", "S3OutputPath" },
        { "image_uri", "AlgorithmSpecification", "TrainingImage" },
    };
    const json_t *v = NULL;

    buf[0] = '\0';
    for (size_t i = 0; i < sizeof(map) / sizeof(map[0]); i++)
        if (strcmp(map[i].key, key) == 0)
            v = json_object_get(map[i].obj ? json_object_get(req, map[i].obj) : req,
                                map[i].member);
    if (strncmp(key, "hp.", 3) == 0)
        v = json_object_get(json_object_get(req, "HyperParameters"), key + 3);
    else if (strcmp(key, "entry_point") == 0)
        v = json_object_get(json_object_get(req, "HyperParameters"), "sagemaker_program");
    else if (strncmp(key, "env.", 4) == 0)
        v = json_object_get(json_object_get(req, "Environment"), key + 4);
    else if (strncmp(key, "input.", 6) == 0 || strncmp(key, "metric.", 7) == 0) {
        bool in = key[0] == 'i';
        const json_t *arr = in ? json_object_get(req, "InputDataConfig")
                               : json_object_get(json_object_get(req, "AlgorithmSpecification"),
                                                 "MetricDefinitions");
        size_t i;
        json_t *x;

        json_array_foreach(arr, i, x) {
            const char *n = json_string_value(json_object_get(x, in ? "ChannelName" : "Name"));

            if (n && strcmp(n, strchr(key, '.') + 1) == 0)
                v = in ? json_object_get(json_object_get(json_object_get(x, "DataSource"),
                                                         "S3DataSource"), "S3Uri")
                       : json_object_get(x, "Regex");
        }
    }
    if (json_is_string(v))
        snprintf(buf, size, "%s", json_string_value(v));
    else if (json_is_integer(v))
        snprintf(buf, size, "%lld", (long long)json_integer_value(v));
    else if (json_is_boolean(v))
        snprintf(buf, size, "%s", json_is_true(v) ? "true" : "false");
}

static void field_value(const struct launch_state *st, const char *key, char *buf, size_t size)
{
    if (st->relaunch)
        req_value(st->req, key, buf, size);
    else
        estimator_get(&st->est, key, buf, size);
}

/* ---- Rebuilding after each change ------------------------------------------------------------ */

static void add_row(struct launch_state *st, const char *key, const char *group)
{
    if (st->n_rows == MAX_ROWS)
        return;
    snprintf(st->rows[st->n_rows].key, sizeof(st->rows[0].key), "%s", key ? key : "");
    st->rows[st->n_rows++].group = group;
}

static void add_list_rows(struct launch_state *st, const char *prefix, const char *group)
{
    bool any = false;

    for (size_t i = 0; i < st->n_sets; i++)
        if (strncmp(st->keys[i], prefix, strlen(prefix)) == 0 && st->vals[i][0]) {
            if (!any)
                add_row(st, NULL, group);
            any = true;
            add_row(st, st->keys[i], NULL);
        }
}

static void rebuild(struct launch_state *st, struct app *a)
{
    struct err e = { 0 };
    char prev[96];

    snprintf(prev, sizeof(prev), "%s", st->cur < st->n_rows ? st->rows[st->cur].key : "");
    json_decref(st->req);
    st->req = NULL;
    st->issues.n = 0;
    st->build_msg[0] = '\0';
    st->n_rows = 0;
    if (st->relaunch) {
        static const char *const keys[] = { "name", "instance_type", "instance_count",
                                            "volume_size", "role", "output_path", "max_run",
                                            "spot", "max_wait", "checkpoint_s3_uri",
                                            "image_uri", "entry_point", NULL };
        static const char *const groups[] = { "Job", "Resources", NULL, NULL, NULL, NULL,
                                              "Stopping and spot", NULL, NULL, NULL,
                                              "Code", NULL };
        const char *name = set_get(st, "name");

        if (st->describe == NULL)
            return;     /* still loading */
        if (estimator_relaunch(st->describe, st->describe_len, name ? name : st->source,
                               &st->req, &e) != 0) {
            snprintf(st->build_msg, sizeof(st->build_msg), "%s", e.msg);
            return;
        }
        for (size_t i = 0; i < st->n_sets; i++)
            if (strcmp(st->keys[i], "name") != 0 &&
                estimator_request_set(st->req, st->keys[i], st->vals[i], &e) != 0)
                estimator_issue_add(&st->issues, st->keys[i], "%s", e.msg);
        for (size_t i = 0; keys[i]; i++) {
            if (groups[i])
                add_row(st, NULL, groups[i]);
            add_row(st, keys[i], NULL);
        }
        /* the request's own lists, so every entry is editable */
        const char *k;
        json_t *x;
        bool any = false;

        json_object_foreach(json_object_get(st->req, "HyperParameters"), k, x) {
            char key[96];

            if (strncmp(k, "sagemaker_", 10) == 0 || strcmp(k, "mp_parameters") == 0)
                continue;
            if (!any)
                add_row(st, NULL, "Hyperparameters");
            any = true;
            snprintf(key, sizeof(key), "hp.%.90s", k);
            add_row(st, key, NULL);
        }
        size_t i;

        any = false;
        json_array_foreach(json_object_get(st->req, "InputDataConfig"), i, x) {
            char key[96];

            if (!any)
                add_row(st, NULL, "Input channels");
            any = true;
            snprintf(key, sizeof(key), "input.%.80s",
                     json_string_value(json_object_get(x, "ChannelName")));
            add_row(st, key, NULL);
        }
        any = false;
        json_array_foreach(json_object_get(json_object_get(st->req, "AlgorithmSpecification"),
                                           "MetricDefinitions"), i, x) {
            char key[96];

            if (!any)
                add_row(st, NULL, "Metric definitions");
            any = true;
            snprintf(key, sizeof(key), "metric.%.80s",
                     json_string_value(json_object_get(x, "Name")));
            add_row(st, key, NULL);
        }
        add_list_rows(st, "env.", "Environment");
        estimator_check_request(st->req, &st->issues);
        st->n_changed = estimator_request_diff(st->src_req, st->req, st->diff, sizeof(st->diff));
    } else {
        struct cache *c = app_cache(a);
        const char *acct = c ? cache_scope_account(c) : NULL;
        struct estimator_context ctx = { c ? cache_scope_region(c) : "us-east-1",
                                         acct && strcmp(acct, "unknown") ? acct : NULL, now_s() };
        const char *group = NULL;

        estimator_clean(&st->est);
        estimator_init(&st->est);
        for (size_t i = 0; i < st->n_sets; i++)
            if (estimator_set(&st->est, st->keys[i], st->vals[i], &e) != 0)
                estimator_issue_add(&st->issues, st->keys[i], "%s", e.msg);
        for (size_t i = 0; i < estimator_n_fields; i++) {
            if (group == NULL || strcmp(group, estimator_fields[i].group) != 0)
                add_row(st, NULL, group = estimator_fields[i].group);
            add_row(st, estimator_fields[i].key, NULL);
        }
        add_list_rows(st, "hp.", "Hyperparameters");
        add_list_rows(st, "input.", "Input channels");
        add_list_rows(st, "metric.", "Metric definitions");
        add_list_rows(st, "env.", "Environment");
        add_list_rows(st, "tag.", "Tags");
        if (st->issues.n == 0) {
            struct estimator_plan plan;

            if (estimator_build(&st->est, &ctx, &st->req, &plan, &st->issues, &e) != 0 &&
                st->issues.n == 0)
                snprintf(st->build_msg, sizeof(st->build_msg), "%s", e.msg);
        }
    }
    if (st->edited) {
        json_decref(st->req);
        st->req = json_incref(st->edited);
        st->issues.n = 0;
        estimator_check_request(st->req, &st->issues);
    }
    st->cur = 0;
    for (size_t i = 0; i < st->n_rows; i++)
        if (st->rows[i].group == NULL && (prev[0] == '\0' || strcmp(st->rows[i].key, prev) == 0)) {
            st->cur = i;
            if (prev[0])
                break;
            if (prev[0] == '\0')
                break;
        }
}

/* ---- Entering and leaving -------------------------------------------------------------------- */

static void remember(char (*list)[256], size_t *n, size_t width, const char *s)
{
    if (s == NULL || s[0] == '\0' || *n == MAX_SEEN)
        return;
    for (size_t i = 0; i < *n; i++)
        if (strncmp(list[i], s, width - 1) == 0)
            return;
    snprintf(list[(*n)++], width, "%s", s);
}

/* Roles and buckets of past jobs, for completion. */
static void learn_past_jobs(struct launch_state *st, struct cache *c)
{
    struct cache_job_query q = { .descending = true };
    struct cache_job *jobs = calloc(40, sizeof(*jobs));
    size_t n = 0;

    if (jobs == NULL || cache_jobs_window(c, &q, 0, 40, jobs, &n, NULL) != 0)
        n = 0;
    for (size_t i = 0; i < n; i++) {
        char *doc = NULL;
        json_t *d;

        if (st->n_past < MAX_PAST)
            snprintf(st->past[st->n_past++], sizeof(st->past[0]), "%s", jobs[i].name);
        if (cache_job_describe_json(c, jobs[i].name, &doc, NULL) != 0)
            continue;
        d = json_loads(doc, 0, NULL);
        free(doc);
        remember(st->roles, &st->n_roles, sizeof(st->roles[0]),
                 json_string_value(json_object_get(d, "RoleArn")));
        const char *out = json_string_value(json_object_get(json_object_get(d,
                                                                            "OutputDataConfig"),
                                                            "S3OutputPath"));

        if (out && strncmp(out, "s3://", 5) == 0 && st->n_buckets < MAX_SEEN) {
            char b[128];
            const char *slash = strchr(out + 5, '/');
            bool dup = false;

            snprintf(b, sizeof(b), "s3://%.*s/",
                     (int)(slash ? (size_t)(slash - out - 5) : strlen(out + 5)), out + 5);
            for (size_t k = 0; k < st->n_buckets; k++)
                dup |= strcmp(st->buckets[k], b) == 0;
            if (!dup)
                snprintf(st->buckets[st->n_buckets++], sizeof(st->buckets[0]), "%s", b);
        }
        json_decref(d);
    }
    free(jobs);
}

/* The re-launch form from the job's describe document (in st->describe). */
static int relaunch_init(struct launch_state *st, struct app *a)
{
    struct err e = { 0 };
    char name[64];

    st->describe_len = strlen(st->describe);
    if (estimator_relaunch(st->describe, st->describe_len, st->source, &st->src_req, &e) != 0) {
        app_flash(a, true, "re-launch: %s", e.msg);
        return -1;
    }
    estimator_relaunch_name(st->source, now_s(), name, sizeof(name));
    set_put(st, "name", name);
    return 0;
}

static void state_free(struct launch_state *st)
{
    for (size_t i = 0; i < st->n_sets; i++)
        free(st->vals[i]);
    json_decref(st->req);
    json_decref(st->src_req);
    json_decref(st->edited);
    estimator_clean(&st->est);
    mset_free(st->rt.ms);
    free(st->describe);
    free(st);
}

static int launch_enter(struct view *v, struct app *a)
{
    struct launch_state *st = calloc(1, sizeof(*st));
    struct cache *c = app_cache(a);

    if (st == NULL)
        return -1;
    if (app_read_only(a)) {
        app_flash(a, true, "read-only: launching jobs is disabled");
        free(st);
        return -1;
    }
    st->fd = -1;
    estimator_init(&st->est);
    if (c)
        learn_past_jobs(st, c);
    if (v->job[0]) {
        st->relaunch = true;
        snprintf(st->source, sizeof(st->source), "%s", v->job);
        if (c && cache_job_describe_json(c, v->job, &st->describe, NULL) == 0) {
            if (relaunch_init(st, a) != 0) {
                state_free(st);
                return -1;
            }
        } else {
            char fs[128];

            app_follow_state(a, v->job, fs, sizeof(fs));
            if (strncmp(fs, "offline", 7) == 0) {
                app_flash(a, true, "re-launch: %s is not described in the cache, and the UI is "
                          "offline", v->job);
                state_free(st);
                return -1;
            }
            /* not described yet: the worker fetches it; the form opens when it is cached */
            st->loading = true;
            st->following = true;
            st->loading_since = now_s();
            app_request_job(a, v->job);
        }
    } else {
        /* a sensible start: the SDK's current HF image, the usual GPU, the last role */
        set_put(st, "entry_point", "train.py");
        set_put(st, "transformers_version", "4.26");
        set_put(st, "pytorch_version", "1.13");
        set_put(st, "py_version", "py39");
        set_put(st, "instance_type", "ml.p3.2xlarge");
        if (st->n_roles)
            set_put(st, "role", st->roles[0]);
    }
    v->state = st;
    rebuild(st, a);
    return 0;
}

/* ---- The submitting child, also after the form is gone ---------------------------------- */

/* Launches handed over by a form left while they ran. A waiter thread per entry drains the
 * pipe and reaps the child; the exit hook waits a little, then terminates what is left. */
#define BG_MAX 8
struct bg_launch {
    bool used;
    pid_t pid;
    int fd;
    char name[CACHE_JOB_NAME_MAX];
};
static pthread_mutex_t bg_lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t bg_cond = PTHREAD_COND_INITIALIZER;
static struct bg_launch bg[BG_MAX];
static bool bg_hook;

static void reap(pid_t pid, int *status)
{
    int s = 0;

    while (waitpid(pid, &s, 0) < 0 && errno == EINTR)
        ;
    if (status)
        *status = s;
}

static void *bg_wait(void *arg)
{
    struct bg_launch *b = arg;
    char buf[4096];
    int flags = fcntl(b->fd, F_GETFL);

    /* read to EOF so the child never blocks on (or dies of) a full or closed pipe */
    if (flags >= 0)
        fcntl(b->fd, F_SETFL, flags & ~O_NONBLOCK);
    for (;;) {
        ssize_t n = read(b->fd, buf, sizeof(buf));

        if (n > 0 || (n < 0 && errno == EINTR))
            continue;
        break;
    }
    close(b->fd);
    reap(b->pid, NULL);
    pthread_mutex_lock(&bg_lock);
    b->used = false;
    pthread_cond_broadcast(&bg_cond);
    pthread_mutex_unlock(&bg_lock);
    return NULL;
}

static size_t bg_running(void)
{
    size_t n = 0;

    for (size_t i = 0; i < BG_MAX; i++)
        n += bg[i].used;
    return n;
}

/* Waits (bg_lock held) until no launch runs or ms have passed. */
static void bg_wait_all(long ms)
{
    struct timespec t;

    clock_gettime(CLOCK_REALTIME, &t);
    t.tv_sec += ms / 1000;
    t.tv_nsec += (ms % 1000) * 1000000L;
    if (t.tv_nsec >= 1000000000L) {
        t.tv_sec++;
        t.tv_nsec -= 1000000000L;
    }
    while (bg_running() > 0 && pthread_cond_timedwait(&bg_cond, &bg_lock, &t) == 0)
        ;
}

static void bg_signal(int sig)
{
    for (size_t i = 0; i < BG_MAX; i++)
        if (bg[i].used)
            kill(-bg[i].pid, sig);
}

/* atexit: the curses screen is gone by now (tui_run ends it before returning). */
static void bg_at_exit(void)
{
    pthread_mutex_lock(&bg_lock);
    if (bg_running() > 0) {
        for (size_t i = 0; i < BG_MAX; i++)
            if (bg[i].used)
                fprintf(stderr, "sagetop: waiting for the launch of %s to finish…\n",
                        bg[i].name);
        bg_wait_all(LAUNCH_EXIT_GRACE_MS);
    }
    if (bg_running() > 0) {
        for (size_t i = 0; i < BG_MAX; i++)
            if (bg[i].used)
                fprintf(stderr, "sagetop: the launch of %s was still running and was stopped; "
                        "check the job list before launching it again\n", bg[i].name);
        bg_signal(SIGTERM);
        bg_wait_all(2000);
        bg_signal(SIGKILL);
        bg_wait_all(2000);
    }
    pthread_mutex_unlock(&bg_lock);
}

/* Hands a running child over to a waiter thread. Returns false when that is impossible (then
 * the caller terminates and reaps it itself). */
static bool bg_adopt(pid_t pid, int fd, const char *name)
{
    struct bg_launch *b = NULL;
    pthread_attr_t at;
    pthread_t t;
    bool ok = false;

    pthread_mutex_lock(&bg_lock);
    for (size_t i = 0; i < BG_MAX && b == NULL; i++)
        if (!bg[i].used)
            b = &bg[i];
    if (b) {
        b->used = true;
        b->pid = pid;
        b->fd = fd;
        snprintf(b->name, sizeof(b->name), "%s", name ? name : "");
        if (!bg_hook)
            bg_hook = atexit(bg_at_exit) == 0;
        pthread_attr_init(&at);
        pthread_attr_setdetachstate(&at, PTHREAD_CREATE_DETACHED);
        ok = bg_hook && pthread_create(&t, &at, bg_wait, b) == 0;
        pthread_attr_destroy(&at);
        if (!ok)
            b->used = false;
    }
    pthread_mutex_unlock(&bg_lock);
    return ok;
}

static void launch_leave(struct view *v, struct app *a)
{
    struct launch_state *st = v->state;

    if (st == NULL)
        return;
    if (st->following)
        app_request_unfollow(a, st->source);
    if (st->pid > 0) {
        const char *name = json_string_value(json_object_get(st->req, "TrainingJobName"));

        if (bg_adopt(st->pid, st->fd, name)) {
            app_flash(a, false, "the launch of %s goes on in the background; the list shows "
                      "the job when it is created", name ? name : "the job");
        } else {
            /* no thread: do not leave it behind unreaped */
            kill(-st->pid, SIGTERM);
            close(st->fd);
            reap(st->pid, NULL);
            app_flash(a, true, "the launch of %s was stopped", name ? name : "the job");
        }
        st->pid = 0;
        st->fd = -1;
    }
    if (st->fd >= 0)
        close(st->fd);
    state_free(st);
    v->state = NULL;
}

/* ---- Drawing --------------------------------------------------------------------------------- */

/* The launch's outcome at the bottom, wrapped over up to RESULT_LINES lines (AWS's messages
 * are long and the member they name comes last). */
#define RESULT_LINES 3
static int result_lines(const struct launch_state *st, int w)
{
    size_t len = strlen(st->result);
    int n;

    if (len == 0 || w <= 0)
        return 0;
    n = (int)((len + (size_t)w - 1) / (size_t)w);
    return n < RESULT_LINES ? n : RESULT_LINES;
}

static void draw_result(const struct launch_state *st, const struct rect *r)
{
    int n = result_lines(st, r->w);
    size_t len = strlen(st->result), off = 0;

    for (int i = 0; i < n && off < len; i++) {
        size_t take = len - off < (size_t)r->w ? len - off : (size_t)r->w;

        draw_untrusted(r->y + r->h - n + i, r->x, r->w, st->result + off, take,
                       theme_attr(st->result_err ? TH_ERROR : TH_OK));
        off += take;
    }
}

static void draw_review(struct launch_state *st, const struct rect *r)
{
    char *text = st->req ? json_dumps(st->req, JSON_INDENT(2)) : NULL;
    int y = r->y;
    const char *p = text;
    int line = 0;

    draw_fmt(y++, r->x, r->w, theme_attr(TH_TITLE),
             "Review: the exact CreateTrainingJob request%s  (s submit, e edit in $EDITOR, "
             "Esc back)", st->edited ? " (edited)" : "");
    while (p && *p && y < r->y + r->h - (st->result[0] ? result_lines(st, r->w) : 1)) {
        const char *nl = strchr(p, '\n');
        size_t len = nl ? (size_t)(nl - p) : strlen(p);

        if (line++ >= st->review_top)
            draw_untrusted(y++, r->x + 1, r->w - 1, p, len, theme_attr(TH_NORMAL));
        p = nl ? nl + 1 : NULL;
    }
    draw_result(st, r);
    free(text);
}

static void launch_draw(struct view *v, struct app *a, const struct rect *r)
{
    struct launch_state *st = v->state;
    int y = r->y, list_h, diff_h = 0;
    char val[512];

    if (st->loading) {
        char fs[160], age[32];

        app_follow_state(a, st->source, fs, sizeof(fs));
        snprintf(age, sizeof(age), "%.0f s", app_now(a) - st->loading_since);
        draw_fmt(y++, r->x, r->w, theme_attr(TH_TITLE), "Re-launch of %s", st->source);
        draw_fmt(++y, r->x + 2, r->w - 2, theme_attr(TH_DIM),
                 "loading… %s is not described in the cache yet: asked the worker %s ago (%s)",
                 st->source, age, fs);
        draw_fmt(y + 2, r->x + 2, r->w - 2, theme_attr(TH_DIM),
                 "the form opens when it arrives; q or Esc goes back");
        return;
    }
    if (st->review) {
        draw_review(st, r);
        return;
    }
    draw_fmt(y++, r->x, r->w, theme_attr(TH_TITLE), "%s%s%s   %s",
             st->relaunch ? "Re-launch of " : "New Hugging Face estimator",
             st->relaunch ? st->source : "", st->edited ? " (edited JSON)" : "",
             st->pid > 0 ? "submitting…" : st->issues.n ? "" : "ready: v review, s submit");
    if (st->relaunch)
        diff_h = (int)(st->n_changed < 8 ? st->n_changed : 8) + 1;
    list_h = r->h - 2 - diff_h - result_lines(st, r->w) - (st->rt.text[0] ? 1 : 0);
    if (list_h < 3)
        list_h = 3;
    if (st->cur < st->top)
        st->top = st->cur;
    if (st->cur >= st->top + (size_t)list_h)
        st->top = st->cur - (size_t)list_h + 1;
    for (size_t i = st->top; i < st->n_rows && y < r->y + 1 + list_h; i++, y++) {
        const struct row *row = &st->rows[i];
        const struct estimator_issue *is;
        bool sel = i == st->cur;
        attr_t at = theme_attr(sel ? TH_SELECTED : TH_NORMAL);
        int x = r->x;

        if (row->group) {
            draw_str(y, r->x, r->w, row->group, theme_attr(TH_TITLE));
            continue;
        }
        field_value(st, row->key, val, sizeof(val));
        if (sel)
            draw_fill(y, r->x, r->w, at);
        x += draw_fmt(y, x, 26, at, "  %-23.23s ", row->key);
        x += draw_untrusted(y, x, r->w / 2 - 26 > 10 ? r->w / 2 - 26 : 10, val, strlen(val), at);
        is = estimator_issue_find(&st->issues, row->key);
        if (is) {
            int mx = r->x + (r->w / 2 > x - r->x + 1 ? r->w / 2 : x - r->x + 1);

            draw_fmt(y, mx, r->x + r->w - mx, theme_attr(TH_ERROR), "%s %s",
                     draw_sym(SYM_ARROW), is->msg);
        }
    }
    /* problems on fields without a row (region, inputs, ...) */
    y = r->y + 1 + list_h;
    if (st->build_msg[0] || (st->issues.n && estimator_issue_find(&st->issues, "region"))) {
        draw_str(y - 1, r->x, r->w, st->build_msg[0] ? st->build_msg :
                 estimator_issue_find(&st->issues, "region")->msg, theme_attr(TH_ERROR));
    }
    draw_fmt(y++, r->x, r->w, theme_attr(st->issues.n ? TH_ERROR : TH_DIM), "%zu problem%s",
             st->issues.n, st->issues.n == 1 ? "" : "s");
    if (diff_h) {
        const char *p = st->diff;

        draw_fmt(y++, r->x, r->w, theme_attr(TH_TITLE), "Changes against %s (%zu)", st->source,
                 st->n_changed);
        for (int i = 0; i < diff_h - 1 && p && *p; i++) {
            const char *nl = strchr(p, '\n');

            draw_untrusted(y++, r->x + 2, r->w - 2, p, nl ? (size_t)(nl - p) : strlen(p),
                           theme_attr(TH_WARN));
            p = nl ? nl + 1 : NULL;
        }
    }
    if (st->rt.text[0])
        draw_untrusted(r->y + r->h - 1 - result_lines(st, r->w), r->x, r->w, st->rt.text,
                       strlen(st->rt.text), theme_attr(st->rt.err ? TH_ERROR : TH_OK));
    draw_result(st, r);
}

/* ---- Editing --------------------------------------------------------------------------------- */

static int on_field(struct view *v, struct app *a, const char *text)
{
    struct launch_state *st = v->state;

    set_put(st, st->editing, text);
    json_decref(st->edited);      /* a field change supersedes a hand-edited request */
    st->edited = NULL;
    rebuild(st, a);
    for (size_t i = 0; i < st->n_rows; i++)     /* follow the field, e.g. a new entry */
        if (st->rows[i].group == NULL && strcmp(st->rows[i].key, st->editing) == 0)
            st->cur = i;
    return R_REDRAW;
}

static size_t add_matches(const char *const *cands, size_t n, const char *word,
                          char (*out)[128], size_t max, size_t have)
{
    for (size_t i = 0; i < n && have < max; i++)
        if (cands[i] && strncmp(cands[i], word, strlen(word)) == 0)
            snprintf(out[have++], 128, "%s", cands[i]);
    return have;
}

static size_t complete(struct view *v, struct app *a, const char *line, const char *word,
                       char (*out)[128], size_t max)
{
    struct launch_state *st = v->state;
    const char *k = st->editing;
    const char *cands[160];
    size_t n = 0;

    (void)a;
    (void)line;
    if (strcmp(k, "instance_type") == 0) {
        while (estimator_instance_types[n] && n < 160) {
            cands[n] = estimator_instance_types[n];
            n++;
        }
    } else if (strcmp(k, "transformers_version") == 0) {
        n = hf_images_list("transformers", NULL, NULL, NULL, cands, 160);
    } else if (strcmp(k, "pytorch_version") == 0 || strcmp(k, "tensorflow_version") == 0) {
        n = hf_images_list(k[0] == 'p' ? "pytorch" : "tensorflow",
                           set_get(st, "transformers_version"), NULL, NULL, cands, 160);
    } else if (strcmp(k, "py_version") == 0) {
        n = hf_images_list("py", set_get(st, "transformers_version"),
                           set_get(st, "tensorflow_version") ? "tensorflow" : "pytorch",
                           set_get(st, "pytorch_version"), cands, 160);
    } else if (strcmp(k, "role") == 0) {
        for (; n < st->n_roles; n++)
            cands[n] = st->roles[n];
    } else if (strcmp(k, "output_path") == 0 || strcmp(k, "checkpoint_s3_uri") == 0 ||
               strncmp(k, "input.", 6) == 0 || strcmp(k, "submit_directory") == 0) {
        for (; n < st->n_buckets; n++)
            cands[n] = st->buckets[n];
    } else if (strcmp(k, "distribution") == 0) {
        static const char *const d[] = { ESTIMATOR_DIST_NONE, ESTIMATOR_DIST_SMDDP,
                                         ESTIMATOR_DIST_SMMP, ESTIMATOR_DIST_PYTORCHDDP,
                                         ESTIMATOR_DIST_TORCH };
        for (; n < 5; n++)
            cands[n] = d[n];
    } else if (strcmp(k, "spot") == 0) {
        cands[n++] = "true";
        cands[n++] = "false";
    }
    return add_matches(cands, n, word, out, max, 0);
}

static int act_edit(struct view *v, struct app *a)
{
    struct launch_state *st = v->state;
    char val[1024], label[128];

    if (st->review || st->cur >= st->n_rows || st->rows[st->cur].group)
        return R_NONE;
    snprintf(st->editing, sizeof(st->editing), "%s", st->rows[st->cur].key);
    field_value(st, st->editing, val, sizeof(val));
    snprintf(label, sizeof(label), "%s: ", st->editing);
    app_prompt(a, label, val, "launch", on_field, complete);
    return R_REDRAW;
}

static int on_add(struct view *v, struct app *a, const char *text)
{
    struct launch_state *st = v->state;
    const char *eq = strchr(text, '=');
    char key[96];

    if (eq == NULL || eq == text || (strncmp(text, "hp.", 3) && strncmp(text, "input.", 6) &&
                                     strncmp(text, "metric.", 7) && strncmp(text, "env.", 4) &&
                                     strncmp(text, "tag.", 4))) {
        app_flash(a, true, "add: write hp.KEY=VALUE, input.NAME=s3://..., metric.NAME=REGEX, "
                  "env.KEY=VALUE or tag.KEY=VALUE");
        return R_REDRAW;
    }
    snprintf(key, sizeof(key), "%.*s", (int)(eq - text), text);
    snprintf(st->editing, sizeof(st->editing), "%s", key);
    return on_field(v, a, eq + 1);
}

static int act_add(struct view *v, struct app *a)
{
    struct launch_state *st = v->state;

    if (st->loading)
        return R_NONE;
    app_prompt(a, "add (hp.KEY=VALUE, input.NAME=s3://…, metric.NAME=REGEX, env.K=V): ", "",
               "launch", on_add, NULL);
    return R_REDRAW;
}

static int act_delete(struct view *v, struct app *a)
{
    struct launch_state *st = v->state;
    const char *k;

    if (st->cur >= st->n_rows || st->rows[st->cur].group)
        return R_NONE;
    k = st->rows[st->cur].key;
    if (!strchr(k, '.')) {
        app_flash(a, false, "only list entries (hp., input., metric., env., tag.) can be "
                  "removed; Enter and an empty value clears a field");
        return R_REDRAW;
    }
    snprintf(st->editing, sizeof(st->editing), "%s", k);
    return on_field(v, a, "");
}

static int act_move(struct launch_state *st, int delta)
{
    size_t i = st->cur;

    if (st->review) {
        st->review_top += delta;
        if (st->review_top < 0)
            st->review_top = 0;
        return R_REDRAW;
    }
    do {
        if ((delta < 0 && i == 0) || (delta > 0 && i + 1 >= st->n_rows))
            return R_REDRAW;
        i = (size_t)((long)i + delta);
    } while (st->rows[i].group);
    st->cur = i;
    return R_REDRAW;
}

static int act_down(struct view *v, struct app *a) { (void)a; return act_move(v->state, 1); }
static int act_up(struct view *v, struct app *a) { (void)a; return act_move(v->state, -1); }

static int act_review(struct view *v, struct app *a)
{
    struct launch_state *st = v->state;

    if (st->loading)
        return R_NONE;
    if (st->issues.n > 0 || st->req == NULL) {
        app_flash(a, true, "fix the %zu problem%s first (%s: %s)", st->issues.n,
                  st->issues.n == 1 ? "" : "s", st->issues.n ? st->issues.v[0].field : "",
                  st->issues.n ? st->issues.v[0].msg : st->build_msg);
        return R_REDRAW;
    }
    /* pin the generated name so that what is reviewed is what is sent */
    if (!st->relaunch && set_get(st, "name") == NULL) {
        set_put(st, "name", json_string_value(json_object_get(st->req, "TrainingJobName")));
        rebuild(st, a);
    }
    st->review = !st->review;
    st->review_top = 0;
    return R_REDRAW;
}

static int act_edit_json(struct view *v, struct app *a)
{
    struct launch_state *st = v->state;
    char path[] = "/tmp/sagetop-request-XXXXXX.json", cmd[512];
    const char *editor = getenv("VISUAL") ? getenv("VISUAL") : getenv("EDITOR");
    json_error_t je;
    json_t *edited;
    int fd;

    if (st->loading)
        return R_NONE;
    if (st->req == NULL) {
        app_flash(a, true, "no request yet: fix the problems first");
        return R_REDRAW;
    }
    if (!st->relaunch && set_get(st, "name") == NULL)
        set_put(st, "name", json_string_value(json_object_get(st->req, "TrainingJobName")));
    fd = mkstemps(path, 5);
    if (fd < 0 || json_dumpfd(st->req, fd, JSON_INDENT(2)) != 0) {
        if (fd >= 0)
            close(fd);
        app_flash(a, true, "cannot write a temporary file for the editor");
        return R_REDRAW;
    }
    close(fd);
    snprintf(cmd, sizeof(cmd), "%s '%s'", editor && editor[0] ? editor : "vi", path);
    app_run_external(a, cmd);
    edited = json_load_file(path, 0, &je);
    unlink(path);
    if (!json_is_object(edited)) {
        app_flash(a, true, "edited request not used: %s (line %d)", edited ? "not an object"
                                                                            : je.text, je.line);
        json_decref(edited);
        return R_REDRAW;
    }
    json_decref(st->edited);
    st->edited = edited;
    rebuild(st, a);
    return R_REDRAW;
}

/* ---- Submitting ------------------------------------------------------------------------------ */

/* This program's global options, from its own command line (the UI runs with no command, so
 * every argument is one). */
static size_t own_args(char *buf, size_t size, char **argv, size_t max)
{
    int fd = open("/proc/self/cmdline", O_RDONLY | O_CLOEXEC);
    ssize_t n = fd >= 0 ? read(fd, buf, size - 1) : -1;
    size_t argc = 0;

    if (fd >= 0)
        close(fd);
    if (n <= 0)
        return 0;
    buf[n] = '\0';
    for (char *p = buf; p < buf + n && argc < max; p += strlen(p) + 1)
        argv[argc++] = p;
    return argc;
}

static int do_submit(struct view *v, struct app *a)
{
    struct launch_state *st = v->state;
    static char cmdline[8192];
    char *argv[2 * MAX_SETS + 64];
    char sets[MAX_SETS][1200];
    char reqpath[64] = "";
    size_t argc, n_own;
    int pfd[2];
    pid_t pid;

    if (st->pid > 0)
        return R_NONE;
    n_own = own_args(cmdline, sizeof(cmdline), argv, 48);
    if (n_own == 0) {
        app_flash(a, true, "cannot read /proc/self/cmdline to run the launch");
        return R_REDRAW;
    }
    argv[0] = (char *)"/proc/self/exe";
    argc = n_own;
    argv[argc++] = (char *)"launch";
    if (st->edited) {
        int fd;

        snprintf(reqpath, sizeof(reqpath), "/tmp/sagetop-request-XXXXXX.json");
        fd = mkstemps(reqpath, 5);
        if (fd < 0 || json_dumpfd(st->edited, fd, JSON_INDENT(1)) != 0) {
            if (fd >= 0)
                close(fd);
            app_flash(a, true, "cannot write the edited request");
            return R_REDRAW;
        }
        close(fd);
        argv[argc++] = (char *)"--request";
        argv[argc++] = reqpath;
    }
    if (st->relaunch && !st->edited) {
        argv[argc++] = (char *)"--from";
        argv[argc++] = st->source;
    }
    if (!st->relaunch || !st->edited)
        for (size_t i = 0; i < st->n_sets; i++) {
            if (st->relaunch && strcmp(st->keys[i], "name") == 0) {
                argv[argc++] = (char *)"--name";
                argv[argc++] = st->vals[i];
                continue;
            }
            if (!st->relaunch && st->vals[i][0] == '\0')
                continue;
            snprintf(sets[i], sizeof(sets[i]), "%s=%s", st->keys[i], st->vals[i]);
            argv[argc++] = (char *)"--set";
            argv[argc++] = sets[i];
        }
    argv[argc++] = (char *)"--yes";
    argv[argc] = NULL;
    if (pipe(pfd) != 0) {
        app_flash(a, true, "cannot start the launch: %s", strerror(errno));
        return R_REDRAW;
    }
    pid = fork();
    if (pid < 0) {
        close(pfd[0]);
        close(pfd[1]);
        app_flash(a, true, "cannot start the launch: %s", strerror(errno));
        return R_REDRAW;
    }
    if (pid == 0) {
        int devnull = open("/dev/null", O_RDONLY);

        /* its own process group (terminated with its git, if need be, as one) that never
           touches the terminal; and it goes when the UI is killed outright */
        setpgid(0, 0);
#ifdef __linux__
        prctl(PR_SET_PDEATHSIG, SIGTERM);
#endif
        if (devnull >= 0)
            dup2(devnull, 0);
        dup2(pfd[1], 1);
        dup2(pfd[1], 2);
        close(pfd[0]);
        close(pfd[1]);
        execv("/proc/self/exe", argv);
        _exit(127);
    }
    close(pfd[1]);
    setpgid(pid, pid);      /* also here: no window in which kill(-pid) misses */
    fcntl(pfd[0], F_SETFL, O_NONBLOCK);
    fcntl(pfd[0], F_SETFD, FD_CLOEXEC);
    st->pid = pid;
    st->fd = pfd[0];
    st->out_len = 0;
    st->result[0] = '\0';
    snprintf(st->result, sizeof(st->result), "submitting %s…",
             json_string_value(json_object_get(st->req, "TrainingJobName")));
    st->result_err = false;
    return R_REDRAW;
}

static int act_submit(struct view *v, struct app *a)
{
    struct launch_state *st = v->state;
    char q[160];

    if (st->pid > 0 || st->loading)
        return R_NONE;
    if (st->issues.n > 0 || st->req == NULL)
        return act_review(v, a);    /* says what to fix */
    if (!st->relaunch && set_get(st, "name") == NULL) {
        set_put(st, "name", json_string_value(json_object_get(st->req, "TrainingJobName")));
        rebuild(st, a);
    }
    snprintf(q, sizeof(q), "create training job %s?",
             json_string_value(json_object_get(st->req, "TrainingJobName")));
    app_confirm(a, q, do_submit);
    return R_REDRAW;
}

/* ---- Loading a re-launch's source job ------------------------------------------------------ */

static int loading_tick(struct view *v, struct app *a)
{
    struct launch_state *st = v->state;
    struct cache *c = app_cache(a);

    if (c == NULL || cache_job_describe_json(c, st->source, &st->describe, NULL) != 0)
        return R_REDRAW;        /* the age of "loading…" moves */
    st->loading = false;
    if (relaunch_init(st, a) != 0) {
        app_pop(a);
        return R_REDRAW;
    }
    /* the document is here: no need to keep following the job's logs */
    app_request_unfollow(a, st->source);
    st->following = false;
    rebuild(st, a);
    return R_REDRAW;
}

/* ---- The regex tester ----------------------------------------------------------------------- */

static int rt_point(const struct mpoint *p, void *ctx)
{
    struct regex_test *rt = ctx;

    if (p->flags & MPOINT_UNPARSED) {
        rt->unparsed++;
        return 0;
    }
    rt->values++;
    if (rt->n_first < RT_FIRST)
        rt->first[rt->n_first++] = p->value;
    return 0;
}

static struct mextract_state *rt_state(struct regex_test *rt, const char *instance)
{
    const char *name = instance ? instance : "";

    for (size_t i = 0; i < rt->n_inst; i++)
        if (strcmp(rt->inst[i], name) == 0)
            return &rt->st[i];
    if (rt->n_inst == RT_INSTANCES)
        return &rt->st[RT_INSTANCES - 1];
    snprintf(rt->inst[rt->n_inst], sizeof(rt->inst[0]), "%s", name);
    mextract_state_init(&rt->st[rt->n_inst], rt->inst[rt->n_inst]);
    return &rt->st[rt->n_inst++];
}

static void rt_summary(struct regex_test *rt, bool done)
{
    size_t n = (size_t)snprintf(rt->text, sizeof(rt->text), "%s on %s: %llu match%s in %llu "
                                "line%s%s", rt->key, rt->job, rt->values + rt->unparsed,
                                rt->values + rt->unparsed == 1 ? "" : "es", rt->lines,
                                rt->lines == 1 ? "" : "s", done ? "" : " so far…");

    if (rt->unparsed && n < sizeof(rt->text))
        n += (size_t)snprintf(rt->text + n, sizeof(rt->text) - n, " (%llu not a number)",
                              rt->unparsed);
    for (size_t i = 0; i < rt->n_first && n < sizeof(rt->text); i++)
        n += (size_t)snprintf(rt->text + n, sizeof(rt->text) - n, "%s%.6g",
                              i ? ", " : "; first: ", rt->first[i]);
    if (done && rt->lines == 0)
        snprintf(rt->text, sizeof(rt->text), "%s: no cached log lines for %s (open its log "
                 "first, or pick another job)", rt->key, rt->job);
    rt->err = done && (rt->lines == 0 || rt->values == 0);
}

/* Runs the test on the next lines of the log; the rest on the next tick. */
static int regex_test_step(struct launch_state *st, struct app *a)
{
    struct regex_test *rt = &st->rt;
    struct cache *c = app_cache(a);
    unsigned long long budget = RT_LINES_PER_TICK;
    struct err e = { 0 };

    while (rt->running && budget > 0) {
        struct cache_log_batch b;

        memset(&b, 0, sizeof(b));
        if (c == NULL || cache_logs_after(c, rt->job, rt->started ? &rt->pos : NULL, 4096, NULL,
                                          &b, &e) != 0) {
            snprintf(rt->text, sizeof(rt->text), "%s: reading the log of %s: %s", rt->key,
                     rt->job, c ? e.msg : "no cache");
            rt->err = true;
            rt->running = false;
            cache_log_batch_clean(&b);
            break;
        }
        rt->started = true;
        for (size_t i = 0; i < b.n; i++) {
            const struct cache_log_line *l = &b.lines[i];

            mset_extract(rt->ms, rt_state(rt, l->instance), l->text, l->len, l->pos.ts_ms,
                         rt_point, rt);
            rt->pos = l->pos;
        }
        rt->lines += b.n;
        budget = b.n >= budget ? 0 : budget - b.n;
        if (b.at_end || b.n == 0)
            rt->running = false;
        cache_log_batch_clean(&b);
    }
    rt_summary(rt, !rt->running);
    return R_REDRAW;
}

static int on_test_job(struct view *v, struct app *a, const char *text)
{
    struct launch_state *st = v->state;
    struct regex_test *rt = &st->rt;
    struct mdef_list l;
    struct err e = { 0 };
    char regex[1024];
    const char *name = strchr(rt->key, '.') + 1;

    while (*text == ' ')
        text++;
    if (text[0] == '\0')
        return R_NONE;
    mset_free(rt->ms);
    rt->ms = NULL;
    snprintf(rt->job, sizeof(rt->job), "%s", text);
    rt->running = rt->started = false;
    rt->n_inst = 0;
    rt->lines = rt->values = rt->unparsed = 0;
    rt->n_first = 0;
    field_value(st, rt->key, regex, sizeof(regex));
    mdef_list_init(&l);
    l.preset_hf = false;        /* this one definition, not the built-in preset */
    if (mdef_list_add(&l, name, regex, MDEF_JOB, &e) != 0 || (rt->ms = mset_new(&l, &e)) == NULL) {
        snprintf(rt->text, sizeof(rt->text), "%s: %s", rt->key, e.msg);
        rt->err = true;
    } else if (mset_error_count(rt->ms) > 0) {
        const struct mdef_error *d = mset_error(rt->ms, 0);

        snprintf(rt->text, sizeof(rt->text), "%s: regex does not compile: %s at offset %zu",
                 rt->key, d->msg, d->offset);
        rt->err = true;
        mset_free(rt->ms);
        rt->ms = NULL;
    } else {
        rt->running = true;
        regex_test_step(st, a);
    }
    mdef_list_clean(&l);
    return R_REDRAW;
}

static size_t complete_job(struct view *v, struct app *a, const char *line, const char *word,
                           char (*out)[128], size_t max)
{
    struct launch_state *st = v->state;
    const char *cands[MAX_PAST];

    (void)a;
    (void)line;
    for (size_t i = 0; i < st->n_past; i++)
        cands[i] = st->past[i];
    return add_matches(cands, st->n_past, word, out, max, 0);
}

static int act_test(struct view *v, struct app *a)
{
    struct launch_state *st = v->state;
    const char *k;
    char label[160];

    if (st->loading || st->review || st->cur >= st->n_rows || st->rows[st->cur].group)
        return R_NONE;
    k = st->rows[st->cur].key;
    if (strncmp(k, "metric.", 7) != 0) {
        app_flash(a, false, "t tests a metric definition's regex: move to a metric.NAME row");
        return R_REDRAW;
    }
    snprintf(st->rt.key, sizeof(st->rt.key), "%s", k);
    snprintf(label, sizeof(label), "test %.100s on the cached log of job: ", k);
    app_prompt(a, label, st->rt.job[0] ? st->rt.job : st->relaunch ? st->source :
               st->n_past ? st->past[0] : "", "launch-test", on_test_job, complete_job);
    return R_REDRAW;
}

/* Reads what the child wrote so far; past the buffer, the older half goes (the last lines say
 * what went wrong) so the child never blocks on a full pipe. */
static void drain_child(struct launch_state *st)
{
    ssize_t n;

    for (;;) {
        if (st->out_len == sizeof(st->out) - 1) {
            size_t half = st->out_len / 2;

            memmove(st->out, st->out + half, st->out_len - half);
            st->out_len -= half;
        }
        n = read(st->fd, st->out + st->out_len, sizeof(st->out) - 1 - st->out_len);
        if (n > 0)
            st->out_len += (size_t)n;
        else if (n < 0 && errno == EINTR)
            continue;
        else
            break;
    }
    st->out[st->out_len] = '\0';
}

static int launch_tick(struct view *v, struct app *a, bool changed)
{
    struct launch_state *st = v->state;
    int status;
    pid_t done;
    int r = R_NONE;

    (void)changed;
    if (st == NULL)
        return R_NONE;
    if (st->loading)
        return loading_tick(v, a);
    if (st->rt.running)
        r |= regex_test_step(st, a);
    if (st->pid <= 0)
        return r;
    drain_child(st);
    done = waitpid(st->pid, &status, WNOHANG);
    if (done != st->pid)
        return r;
    drain_child(st);
    close(st->fd);
    st->fd = -1;
    st->pid = 0;
    if (WIFEXITED(status) && WEXITSTATUS(status) == 0) {
        char name[CACHE_JOB_NAME_MAX];

        snprintf(name, sizeof(name), "%s",
                 json_string_value(json_object_get(st->req, "TrainingJobName")));
        app_flash(a, false, "created %s", name);
        app_request_refresh(a);
        app_pop(a);
        return R_REDRAW | R_REFRESH;
    }
    /* keep the form; show the command's own message (e.g. AWS's ValidationException): its
       lines without the program's prefix, the closing "nothing was created" left out */
    {
        size_t n = (size_t)snprintf(st->result, sizeof(st->result), "launch failed:");
        char *line = st->out;

        while (line && *line && n < sizeof(st->result) - 1) {
            char *nl = strchr(line, '\n');
            const char *t = line;

            if (nl)
                *nl = '\0';
            if (strncmp(t, "sagetop launch: ", 16) == 0)
                t += 16;
            else if (strncmp(t, "sagetop: ", 9) == 0)
                t += 9;
            if (t[0] && strncmp(t, "nothing was created", 19) != 0)
                n += (size_t)snprintf(st->result + n, sizeof(st->result) - n, " %s", t);
            line = nl ? nl + 1 : NULL;
        }
        if (strcmp(st->result, "launch failed:") == 0)
            snprintf(st->result, sizeof(st->result), "launch failed (exit status %d)",
                     WIFEXITED(status) ? WEXITSTATUS(status) : -1);
    }
    st->result_err = true;
    return R_REDRAW;
}

static int launch_key(struct view *v, struct app *a, int key)
{
    struct launch_state *st = v->state;

    (void)a;
    if (st->review && (key == KEY_ESCAPE || key == 'q')) {
        st->review = false;
        return R_REDRAW;
    }
    return R_UNHANDLED;
}

static void launch_title(struct view *v, struct app *a, char *buf, size_t size)
{
    struct launch_state *st = v->state;

    (void)a;
    if (st && st->relaunch)
        snprintf(buf, size, "launch: re-launch %s", st->source);
    else
        snprintf(buf, size, "launch: new estimator");
}

static const struct key_binding launch_keys[] = {
    { '\n', "Enter", "edit field", act_edit, KB_FOOTER },
    { '\r', "Enter", "edit field", act_edit, KB_HIDDEN },
    { KEY_ENTER, "Enter", "edit field", act_edit, KB_HIDDEN },
    { 'j', "j/k", "move", act_down, 0 },
    { KEY_DOWN, "Down", "move down", act_down, KB_HIDDEN },
    { 'k', "k", "move up", act_up, KB_HIDDEN },
    { KEY_UP, "Up", "move up", act_up, KB_HIDDEN },
    { 'a', "a", "add hp/input/metric/env", act_add, KB_FOOTER },
    { 'd', "d", "remove entry", act_delete, KB_FOOTER },
    { 'v', "v", "review JSON", act_review, KB_FOOTER },
    { 'e', "e", "edit JSON in $EDITOR", act_edit_json, KB_FOOTER },
    { 't', "t", "test a metric regex on a past job's log", act_test, KB_FOOTER },
    { 's', "s", "submit", act_submit, KB_FOOTER | KB_MUTATING },
    { 0 },
};

const struct view_ops view_launch_ops = {
    .name = "launch",
    .keys = launch_keys,
    .on_enter = launch_enter,
    .on_leave = launch_leave,
    .draw = launch_draw,
    .on_key = launch_key,
    .on_tick = launch_tick,
    .title = launch_title,
};
