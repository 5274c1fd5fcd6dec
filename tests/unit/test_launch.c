/* test_launch.c: launch/launch.c, launch_run() against a loopback server (the real client:
 * signing, S3 path-style addressing, errors): the steps it reports, the requests it sends and,
 * above all, what it does NOT send when it is cancelled, refused or finds a problem. */
#include <criterion/criterion.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "launch/launch.h"
#include "launch/sourcedir.h"
#include "support/loopback_aws.h"

struct live {
    struct loopback_aws aws;
    struct loopback_http *srv;
    struct aws_client *client;
};

static void live_open(struct live *l)
{
    struct err e = { 0 };

    cr_assert_eq(loopback_aws_open(&l->aws, &e), 0, "%s", e.msg);
    l->srv = l->aws.srv;
    l->client = l->aws.client;
}

static void live_close(struct live *l)
{
    loopback_aws_close(&l->aws);
}

/* One answer for CreateTrainingJob and DescribeTrainingJob alike (both POST /). */
#define JOB_ARN "arn:aws:sagemaker:us-east-1:123456789012:training-job/relaunch-1"
static const char job_doc[] =
    "{\"TrainingJobArn\":\"" JOB_ARN "\",\"TrainingJobName\":\"relaunch-1\","
    "\"TrainingJobStatus\":\"InProgress\",\"CreationTime\":1700000000}";

static char *read_data(const char *name, size_t *len)
{
    char *buf = loopback_aws_read_data(name, len);

    cr_assert_not_null(buf, "cannot read tests/unit/data/%s", name);
    return buf;
}

/* What the callbacks saw. */
struct seen {
    enum launch_stage stages[16];
    size_t n;
    enum launch_stage cancel_after;     /* cancelled() is true once this stage was reported */
    bool cancel;                        /* whether to cancel at all */
    int confirm;                        /* -1: no confirm callback; 0 refuse; 1 accept */
    char confirm_job[64];
    char confirm_diff[8192];
};

static void on_progress(enum launch_stage stage, const char *msg, void *ctx)
{
    struct seen *s = ctx;

    cr_assert_not_null(msg);
    cr_assert(strstr(msg, launch_stage_name(stage)) == msg, "'%s' starts with the stage", msg);
    if (s->n < 16)
        s->stages[s->n++] = stage;
}

static bool on_cancelled(void *ctx)
{
    struct seen *s = ctx;

    if (!s->cancel)
        return false;
    for (size_t i = 0; i < s->n; i++)
        if (s->stages[i] == s->cancel_after)
            return true;
    return false;
}

static bool on_confirm(const struct launch_result *r, void *ctx)
{
    struct seen *s = ctx;

    snprintf(s->confirm_job, sizeof(s->confirm_job), "%s", r->job_name);
    snprintf(s->confirm_diff, sizeof(s->confirm_diff), "%s", r->diff);
    return s->confirm == 1;
}

static struct launch_callbacks callbacks(struct seen *s)
{
    struct launch_callbacks cb = { on_progress, on_cancelled, on_confirm, s };

    if (s->confirm < 0)
        cb.confirm = NULL;
    return cb;
}

/* A re-launch of the demo job with epochs changed, from its (cached) describe document. */
static int relaunch(struct live *l, struct seen *s, const char *set, struct launch_result *r,
                    struct err *e)
{
    size_t len = 0;
    char *doc = read_data("estimator_describe_demo.json", &len);
    const char *sets[] = { set };
    struct launch_request q = {
        .client = l->client, .region = "us-east-1", .now = 1700000000.0,
        .from = "distilbert-imdb-lr5e5-ep3", .from_json = doc, .from_json_len = len,
        .sets = sets, .n_sets = 1, .name = "relaunch-1",
    };
    struct launch_callbacks cb = callbacks(s);
    int rc = launch_run(&q, &cb, r, e);

    free(doc);
    return rc;
}

static void assert_target(struct live *l, size_t i, const char *target)
{
    struct loopback_request req;
    char got[128];

    cr_assert_eq(loopback_http_request(l->srv, i, &req), 0);
    cr_assert_str_eq(loopback_header(&req, "X-Amz-Target", got, sizeof(got)), target);
}

Test(launch_run, relaunch_reports_each_step_creates_and_describes)
{
    struct live l;
    struct seen s = { .confirm = 1 };
    struct launch_result r;
    struct loopback_request req;
    struct err e = { 0 };
    static const enum launch_stage want[] = { LAUNCH_CHECK, LAUNCH_CONFIRM, LAUNCH_CREATE,
                                              LAUNCH_REPORT };

    live_open(&l);
    loopback_http_route(l.srv, "POST", "/", 200, "application/x-amz-json-1.1", job_doc);
    cr_assert_eq(relaunch(&l, &s, "hp.epochs=5", &r, &e), 0, "%s", e.msg);
    cr_assert_eq(r.stage, LAUNCH_DONE);
    cr_assert_eq(s.n, 4, "%zu steps reported", s.n);
    for (size_t i = 0; i < 4; i++)
        cr_assert_eq(s.stages[i], want[i], "step %zu: %d", i, s.stages[i]);
    cr_assert_str_eq(s.confirm_job, "relaunch-1");
    cr_assert(strstr(s.confirm_diff, "HyperParameters.epochs: \"3\" -> \"5\"") != NULL, "%s",
              s.confirm_diff);
    cr_assert_str_eq(r.arn, JOB_ARN);
    cr_assert_eq(r.plan.upload, false, "a re-launch reuses the source tarball");
    cr_assert_not_null(r.describe_json, "the new job is described for the cache");
    cr_assert(strstr(r.describe_json, "relaunch-1") != NULL);
    cr_assert_eq(loopback_http_count(l.srv), 2);
    assert_target(&l, 0, "SageMaker.CreateTrainingJob");
    assert_target(&l, 1, "SageMaker.DescribeTrainingJob");
    cr_assert_eq(loopback_http_request(l.srv, 0, &req), 0);
    cr_assert(strstr(req.body, "\"relaunch-1\"") != NULL, "%s", req.body);
    cr_assert(strstr(req.body, "\\\"5\\\"") == NULL && strstr(req.body, "\"5\"") != NULL,
              "epochs sent as the SDK encodes it: %s", req.body);
    launch_result_clean(&r);
    live_close(&l);
}

Test(launch_run, cancelled_between_steps_sends_nothing)
{
    struct live l;
    struct seen s = { .confirm = -1, .cancel = true, .cancel_after = LAUNCH_CHECK };
    struct launch_result r;
    struct err e = { 0 };

    live_open(&l);
    loopback_http_route(l.srv, "POST", "/", 200, "application/x-amz-json-1.1", job_doc);
    cr_assert_eq(relaunch(&l, &s, "hp.epochs=5", &r, &e), ERR_CANCELLED, "%s", e.msg);
    cr_assert_eq(r.stage, LAUNCH_CONFIRM, "stopped at the step after the checks: %d", r.stage);
    cr_assert(strstr(e.msg, "cancelled") != NULL, "%s", e.msg);
    cr_assert_eq(loopback_http_count(l.srv), 0, "no CreateTrainingJob after a cancel");
    cr_assert_str_eq(r.arn, "");
    launch_result_clean(&r);
    live_close(&l);
}

Test(launch_run, the_clients_cancel_flag_stops_it_too)
{
    static volatile sig_atomic_t flag = 1;
    struct live l;
    struct seen s = { .confirm = 1 };
    struct launch_result r;
    struct err e = { 0 };

    live_open(&l);
    loopback_http_route(l.srv, "POST", "/", 200, "application/x-amz-json-1.1", job_doc);
    aws_client_set_cancel(l.client, &flag);
    cr_assert_eq(relaunch(&l, &s, "hp.epochs=5", &r, &e), ERR_CANCELLED, "%s", e.msg);
    cr_assert_eq(s.n, 0, "no step started");
    cr_assert_eq(loopback_http_count(l.srv), 0);
    launch_result_clean(&r);
    live_close(&l);
}

Test(launch_run, a_refused_confirmation_creates_nothing)
{
    struct live l;
    struct seen s = { .confirm = 0 };
    struct launch_result r;
    struct err e = { 0 };

    live_open(&l);
    loopback_http_route(l.srv, "POST", "/", 200, "application/x-amz-json-1.1", job_doc);
    cr_assert_eq(relaunch(&l, &s, "hp.epochs=5", &r, &e), ERR_CANCELLED, "%s", e.msg);
    cr_assert_eq(r.stage, LAUNCH_CONFIRM);
    cr_assert_str_eq(s.confirm_job, "relaunch-1", "the question named the job");
    cr_assert_eq(loopback_http_count(l.srv), 0);
    launch_result_clean(&r);
    live_close(&l);
}

Test(launch_run, a_problem_stops_at_the_checks_with_one_issue_per_field)
{
    struct live l;
    struct seen s = { .confirm = 1 };
    struct launch_result r;
    struct err e = { 0 };

    live_open(&l);
    cr_assert_eq(relaunch(&l, &s, "instance_type=ml.x9.huge", &r, &e), ERR_INVAL, "%s", e.msg);
    cr_assert_eq(r.stage, LAUNCH_CHECK);
    cr_assert_not_null(estimator_issue_find(&r.issues, "instance_type"));
    cr_assert_eq(loopback_http_count(l.srv), 0);
    launch_result_clean(&r);
    live_close(&l);
}

Test(launch_run, dry_run_builds_and_checks_only)
{
    struct live l;
    size_t len = 0;
    char *doc = read_data("estimator_describe_demo.json", &len);
    struct seen s = { .confirm = 1 };
    struct launch_callbacks cb = callbacks(&s);
    struct launch_request q = {
        .client = NULL, .region = "us-east-1", .now = 1700000000.0,
        .from = "distilbert-imdb-lr5e5-ep3", .from_json = doc, .from_json_len = len,
        .dry_run = true,
    };
    struct launch_result r;
    struct err e = { 0 };

    live_open(&l);
    q.client = l.client;
    cr_assert_eq(launch_run(&q, &cb, &r, &e), 0, "%s", e.msg);
    cr_assert_eq(r.stage, LAUNCH_DONE);
    cr_assert_not_null(r.request);
    cr_assert(strncmp(r.job_name, "distilbert-imdb-lr5e5-ep3-", 26) == 0, "default name: %s",
              r.job_name);
    cr_assert_eq(s.confirm_job[0], '\0', "a dry run asks nothing");
    cr_assert_eq(loopback_http_count(l.srv), 0);
    launch_result_clean(&r);
    free(doc);
    live_close(&l);
}

/* A new estimator with its own source: packed, uploaded with SSE aws:kms; cancelled after the
 * upload, so no job. */
Test(launch_run, new_estimator_uploads_then_a_cancel_stops_before_create)
{
    struct live l;
    struct seen s = { .confirm = 1, .cancel = true, .cancel_after = LAUNCH_UPLOAD };
    struct launch_callbacks cb = callbacks(&s);
    struct estimator est;
    struct launch_result r;
    struct loopback_request req;
    struct err e = { 0 };
    char dir[] = "/tmp/sagetop-test-launch-XXXXXX", path[128], got[64];
    const char *key = "/code-bkt/upload-1/source/sourcedir.tar.gz";
    static const char *const fields[][2] = {
        { "name", "upload-1" }, { "entry_point", "train.py" }, { "source_dir", NULL },
        { "transformers_version", "4.26" }, { "pytorch_version", "1.13" },
        { "py_version", "py39" }, { "instance_type", "ml.p3.2xlarge" },
        { "role", "arn:aws:iam::123456789012:role/sm" }, { "code_bucket", "code-bkt" },
        { "output_path", "s3://out-bkt/" },
    };
    FILE *f;
    bool put = false;

    cr_assert_not_null(mkdtemp(dir));
    snprintf(path, sizeof(path), "%s/train.py", dir);
    f = fopen(path, "w");
    cr_assert_not_null(f);
    fputs("print('hi')\n", f);
    fclose(f);
    estimator_init(&est);
    for (size_t i = 0; i < sizeof(fields) / sizeof(fields[0]); i++)
        cr_assert_eq(estimator_set(&est, fields[i][0], fields[i][1] ? fields[i][1] : dir, &e), 0,
                     "%s", e.msg);
    live_open(&l);
    loopback_http_route(l.srv, "PUT", key, 200, NULL, "");
    struct launch_request q = { .client = l.client, .region = "us-east-1", .now = 1700000000.0,
                                .est = &est };

    cr_assert_eq(launch_run(&q, &cb, &r, &e), ERR_CANCELLED, "%s", e.msg);
    cr_assert_eq(r.stage, LAUNCH_CREATE);
    cr_assert_eq(r.plan.upload, true);
    cr_assert_eq(r.plan.default_bucket, false, "code_bucket given: no bucket step");
    cr_assert_eq(r.n_files, 1);
    for (size_t i = 0; i < loopback_http_count(l.srv); i++) {
        cr_assert_eq(loopback_http_request(l.srv, i, &req), 0);
        cr_assert(loopback_header(&req, "X-Amz-Target", got, sizeof(got)) == NULL ||
                  strcmp(got, "SageMaker.CreateTrainingJob") != 0, "no job after a cancel");
        if (strcmp(req.method, "PUT") == 0 && strcmp(req.target, key) == 0) {
            put = true;
            cr_assert_str_eq(loopback_header(&req, "x-amz-server-side-encryption", got,
                                             sizeof(got)), "aws:kms");
        }
    }
    cr_assert(put, "the tarball was uploaded to s3:/%s", key);
    launch_result_clean(&r);
    estimator_clean(&est);
    live_close(&l);
    sourcedir_remove_tree(dir);
}

/* A git source: cloned into a temporary directory (git run with posix_spawnp), then removed. */
Test(sourcedir, git_clone_of_a_local_repository)
{
    char repo[] = "/tmp/sagetop-test-repo-XXXXXX", cmd[512], dir[1024], path[1100];
    struct stat sb;
    struct err e = { 0 };

    cr_assert_not_null(mkdtemp(repo));
    snprintf(cmd, sizeof(cmd), "cd %s && git init -q -b main . && echo x > train.py && "
             "git add train.py && git -c user.name=t -c user.email=t@t commit -qm one", repo);
    cr_assert_eq(system(cmd), 0);
    cr_assert_eq(sourcedir_git_clone(repo, "main", NULL, dir, sizeof(dir), &e), 0, "%s", e.msg);
    snprintf(path, sizeof(path), "%s/train.py", dir);
    cr_assert_eq(stat(path, &sb), 0, "cloned: %s", path);
    cr_assert_eq(sourcedir_remove_tree(dir), 0);
    cr_assert_neq(stat(dir, &sb), 0, "removed");
    cr_assert_eq(sourcedir_git_clone(repo, "no-such-branch", NULL, dir, sizeof(dir), &e), ERR_IO);
    cr_assert(strstr(e.msg, "git clone") != NULL && strstr(e.msg, "no-such-branch") != NULL,
              "%s", e.msg);
    sourcedir_remove_tree(repo);
}

/* output_path given, no code_bucket: the SDK (estimator.py _stage_user_code_in_s3) uploads to
 * output_path's bucket, which it never creates, and never asks for the default bucket. So no
 * HeadBucket, no CreateBucket: the requests are STS (the account, unused), the PutObject,
 * CreateTrainingJob and DescribeTrainingJob. */
Test(launch_run, output_path_given_uploads_there_and_makes_no_bucket)
{
    struct live l;
    struct seen s = { .confirm = 1 };
    struct launch_callbacks cb = callbacks(&s);
    struct estimator est;
    struct launch_result r;
    struct loopback_request req;
    struct err e = { 0 };
    char dir[] = "/tmp/sagetop-test-launch-XXXXXX", path[128], got[64];
    const char *key = "/out-bkt/upload-2/source/sourcedir.tar.gz";
    static const char *const fields[][2] = {
        { "name", "upload-2" }, { "entry_point", "train.py" }, { "source_dir", NULL },
        { "transformers_version", "4.26" }, { "pytorch_version", "1.13" },
        { "py_version", "py39" }, { "instance_type", "ml.p3.2xlarge" },
        { "role", "arn:aws:iam::123456789012:role/sm" }, { "output_path", "s3://out-bkt/models" },
    };
    FILE *f;
    size_t puts_seen = 0, creates = 0;

    cr_assert_not_null(mkdtemp(dir));
    snprintf(path, sizeof(path), "%s/train.py", dir);
    f = fopen(path, "w");
    cr_assert_not_null(f);
    fputs("print('hi')\n", f);
    fclose(f);
    estimator_init(&est);
    for (size_t i = 0; i < sizeof(fields) / sizeof(fields[0]); i++)
        cr_assert_eq(estimator_set(&est, fields[i][0], fields[i][1] ? fields[i][1] : dir, &e), 0,
                     "%s", e.msg);
    live_open(&l);
    loopback_http_route(l.srv, "PUT", key, 200, NULL, "");
    loopback_http_route(l.srv, "POST", "/", 200, "application/x-amz-json-1.1", job_doc);
    struct launch_request q = { .client = l.client, .region = "us-east-1", .now = 1700000000.0,
                                .est = &est };

    cr_assert_eq(launch_run(&q, &cb, &r, &e), 0, "%s", e.msg);
    cr_assert_eq(r.plan.default_bucket, false);
    for (size_t i = 0; i < sizeof(s.stages) / sizeof(s.stages[0]) && i < s.n; i++)
        cr_assert_neq(s.stages[i], LAUNCH_BUCKET, "no bucket step");
    for (size_t i = 0; i < loopback_http_count(l.srv); i++) {
        cr_assert_eq(loopback_http_request(l.srv, i, &req), 0);
        cr_assert_str_neq(req.method, "HEAD", "no HeadBucket: %s", req.target);
        if (strcmp(req.method, "PUT") == 0) {
            cr_assert_str_eq(req.target, key, "the only PUT is the tarball (no CreateBucket)");
            puts_seen++;
        }
        if (loopback_header(&req, "X-Amz-Target", got, sizeof(got)) &&
            strcmp(got, "SageMaker.CreateTrainingJob") == 0) {
            creates++;
            cr_assert(strstr(req.body, "s3://out-bkt/upload-2/source/sourcedir.tar.gz") != NULL,
                      "%s", req.body);
        }
    }
    cr_assert_eq(puts_seen, 1);
    cr_assert_eq(creates, 1);
    launch_result_clean(&r);
    estimator_clean(&est);
    live_close(&l);
    sourcedir_remove_tree(dir);
}
