/* launch.c: the launch workflow behind `sagetop launch`, `sagetop tuning launch` and the UI's
 * launch form: prepare and check the request (re-launch, new estimator, a given request, or a
 * tuning launch from a training or tuning job: tuning.h), pack the source, confirm,
 * make the default bucket, upload, create, describe the new job. One step per function; every
 * step after the checks is preceded by a cancellation check.
 *
 * Owns: the order of the steps and the temporary tarball (always removed). Must not: print,
 * prompt, read files the user names (the front ends do), or touch a cache (launch/ sits below
 * cache/ and depends on aws/ only). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "aws/s3.h"
#include "aws/sagemaker_tuning_launch.h"
#include "aws/sts.h"
#include "launch/launch.h"
#include "launch/sourcedir.h"

/* One run's state. */
struct run {
    const struct launch_request *req;
    const struct launch_callbacks *cb;
    struct launch_result *r;
    json_t *src;                    /* re-launch: the source's own request, for the diff */
    char tarball[1024];             /* "" until packed */
};

static const char *const stage_names[] = {
    [LAUNCH_DESCRIBE] = "describing the source job",
    [LAUNCH_ACCOUNT] = "resolving the account",
    [LAUNCH_CHECK] = "checking the request",
    [LAUNCH_PACK] = "packing the source",
    [LAUNCH_CONFIRM] = "waiting for a confirmation",
    [LAUNCH_BUCKET] = "making the bucket",
    [LAUNCH_UPLOAD] = "uploading the source",
    [LAUNCH_CREATE] = "creating the job",
    [LAUNCH_REPORT] = "describing the new job",
    [LAUNCH_DONE] = "done",
};

const char *launch_stage_name(enum launch_stage stage)
{
    return (unsigned)stage <= LAUNCH_DONE ? stage_names[stage] : "?";
}

void launch_result_clean(struct launch_result *r)
{
    if (r == NULL)
        return;
    json_decref(r->request);
    r->request = NULL;
    free(r->describe_json);
    r->describe_json = NULL;
    r->describe_len = 0;
}

/* Enters stage: reports it, then says whether the run may go on. */
static int step(struct run *run, enum launch_stage stage, const char *detail, struct err *e)
{
    const struct launch_callbacks *cb = run->cb;
    char msg[1200];

    run->r->stage = stage;
    if ((cb->cancelled && cb->cancelled(cb->ctx)) || aws_client_cancelled(run->req->client))
        return err_set(e, ERR_CANCELLED, "cancelled before %s; nothing more was done",
                       launch_stage_name(stage));
    if (cb->progress) {
        snprintf(msg, sizeof(msg), "%s%s%s", launch_stage_name(stage), detail ? ": " : "",
                 detail ? detail : "");
        cb->progress(stage, msg, cb->ctx);
    }
    return 0;
}

/* ---- Preparing the request ------------------------------------------------------------------ */

/* Re-launch: the source's request under the new name, the changes applied, then checked. */
static int prepare_relaunch(struct run *run, struct err *e)
{
    const struct launch_request *q = run->req;
    struct launch_result *r = run->r;
    struct sagemaker_job job = { 0 };
    const char *doc = q->from_json;
    size_t len = q->from_json_len;
    char name[64];
    int rc;

    if (doc == NULL) {
        if ((rc = step(run, LAUNCH_DESCRIBE, q->from, e)) != 0 ||
            (rc = sagemaker_describe_training_job(q->client, q->from, false, &job, e)) != 0)
            return rc;
        doc = job.raw_json;
        len = job.raw_json_len;
    }
    if ((rc = step(run, LAUNCH_CHECK, NULL, e)) == 0) {
        if (q->name)
            snprintf(name, sizeof(name), "%s", q->name);
        else
            estimator_relaunch_name(q->from, q->now, name, sizeof(name));
        rc = estimator_relaunch(doc, len, q->name ? q->name : name, &r->request, e);
        if (rc == 0)
            rc = estimator_relaunch(doc, len, q->from, &run->src, e);
    }
    sagemaker_job_clean(&job);
    if (rc != 0)
        return rc;
    if (q->name && strlen(q->name) > 63)
        estimator_issue_add(&r->issues, "name", "%zu characters; at most 63", strlen(q->name));
    for (size_t i = 0; i < q->n_sets; i++) {
        const char *eq = strchr(q->sets[i], '=');
        char key[128];

        if (eq == NULL)
            return err_set(e, ERR_INVAL, "%s: expected KEY=VALUE", q->sets[i]);
        snprintf(key, sizeof(key), "%.*s", (int)(eq - q->sets[i]), q->sets[i]);
        estimator_check_set(&r->issues, run->src, key, eq + 1);
        if ((rc = estimator_request_set(r->request, key, eq + 1, e)) != 0)
            return rc;
    }
    estimator_check_request(r->request, &r->issues);
    r->n_changed = estimator_request_diff(run->src, r->request, r->diff, sizeof(r->diff));
    return 0;
}

/* A given request, sent as is once checked. */
static int use_request(struct run *run, struct err *e)
{
    struct launch_result *r = run->r;

    json_decref(r->request);
    r->request = json_deep_copy(run->req->request);
    if (r->request == NULL)
        return err_set(e, ERR_NOMEM, "out of memory copying the request");
    r->issues.n = 0;
    estimator_check_request(r->request, &r->issues);
    return 0;
}

/* New estimator: the account (for the default bucket), then the SDK's request. */
static int prepare_estimator(struct run *run, struct err *e)
{
    const struct launch_request *q = run->req;
    struct launch_result *r = run->r;
    struct estimator_context ctx = { q->region, NULL, q->now };
    struct sts_identity id = { 0 };
    const json_t *given_name = q->request ? json_object_get(q->request, "TrainingJobName") : NULL;
    struct err se = { 0 };
    int rc;

    /* the source (if any) is uploaded under the given request's own name */
    if (json_is_string(given_name))
        estimator_set(q->est, "name", json_string_value(given_name), NULL);
    else if (q->request == NULL && q->name && (rc = estimator_set(q->est, "name", q->name, e)))
        return rc;
    if ((rc = step(run, LAUNCH_ACCOUNT, NULL, e)) != 0)
        return rc;
    /* its absence is reported per field, by the build, when the default bucket is needed */
    if (sts_get_caller_identity(q->client, &id, &se) == 0)
        ctx.account = id.account;
    if ((rc = step(run, LAUNCH_CHECK, NULL, e)) != 0)
        return rc;
    rc = estimator_build(q->est, &ctx, &r->request, &r->plan, &r->issues, e);
    if (rc != 0 && r->issues.n == 0)
        return rc;
    if (rc == 0 && q->request && (rc = use_request(run, e)) != 0)
        return rc;
    estimator_check_source(q->est, &r->issues);
    return 0;
}

/* Tuning launch: the source described (a training job, else a tuning job), then its request:
 * a training job's re-launch (sets applied, checked, diffed) mapped to a tuning request, or the
 * parent tuning job's definition with the spec applied (tuning.h). */
static int prepare_tuning(struct run *run, struct err *e)
{
    const struct launch_request *q = run->req;
    struct launch_request tq = *q;
    struct tuning_context ctx = { q->name, q->now };
    struct sagemaker_job job = { 0 };
    char *doc = NULL;
    size_t len = 0;
    json_t *train = NULL;
    int rc = 0;

    if (q->from == NULL)
        return err_set(e, ERR_INVAL, "a tuning launch starts from a training job or a tuning "
                       "job: --from NAME");
    if (q->from_json == NULL) {
        if ((rc = step(run, LAUNCH_DESCRIBE, q->from, e)) != 0)
            return rc;
        rc = sagemaker_describe_training_job(q->client, q->from, false, &job, e);
        if (rc == 0) {
            tq.from_json = job.raw_json;
            tq.from_json_len = job.raw_json_len;
        } else if (rc == ERR_NOTFOUND) {
            tq.from_is_tuning = true;
            rc = sagemaker_describe_tuning_job_json(q->client, q->from, &doc, &len, e);
            tq.from_json = doc;
            tq.from_json_len = len;
            if (rc == ERR_NOTFOUND)
                rc = err_set(e, ERR_NOTFOUND, "no training job or tuning job named %s",
                             q->from);
        }
    }
    if (rc == 0 && tq.from_is_tuning && q->n_sets > 0) {
        rc = err_set(e, ERR_INVAL, "%s is a tuning job: KEY=VALUE changes apply to a training "
                     "job's request; start from one of its training jobs instead", q->from);
    } else if (rc == 0 && tq.from_is_tuning) {
        if ((rc = step(run, LAUNCH_CHECK, NULL, e)) == 0)
            rc = tuning_request_from_tuning(tq.from_json, tq.from_json_len, q->tuning, &ctx,
                                            &run->r->request, &run->r->issues, e);
    } else if (rc == 0) {
        /* the estimator: the source's request under a new training job name */
        tq.name = NULL;
        run->req = &tq;
        rc = prepare_relaunch(run, e);
        run->req = q;
        train = run->r->request;
        run->r->request = NULL;
        if (rc == 0 && run->r->issues.n == 0)
            rc = tuning_request_from_training(train, q->tuning, &ctx, &run->r->request,
                                              &run->r->issues, e);
    }
    json_decref(train);
    sagemaker_job_clean(&job);
    free(doc);
    /* problems per field are reported by prepare() */
    return rc == ERR_INVAL && run->r->issues.n > 0 ? 0 : rc;
}

static int prepare(struct run *run, struct err *e)
{
    const struct launch_request *q = run->req;
    struct launch_result *r = run->r;
    int rc;

    if (q->tuning)
        rc = prepare_tuning(run, e);
    else if (q->from)
        rc = prepare_relaunch(run, e);
    else if (q->est)
        rc = prepare_estimator(run, e);
    else if (q->request)
        rc = (rc = step(run, LAUNCH_CHECK, NULL, e)) ? rc : use_request(run, e);
    else
        rc = err_set(e, ERR_INVAL, "nothing to launch: no source job, estimator or request");
    if (rc != 0)
        return rc;
    if (r->issues.n > 0)
        return err_set(e, ERR_INVAL, "%zu problem%s: %s: %s", r->issues.n,
                       r->issues.n == 1 ? "" : "s", r->issues.v[0].field, r->issues.v[0].msg);
    snprintf(r->job_name, sizeof(r->job_name), "%s",
             json_string_value(json_object_get(r->request, q->tuning
                                                               ? "HyperParameterTuningJobName"
                                                               : "TrainingJobName")));
    return 0;
}

/* ---- Packing, making, creating ------------------------------------------------------------ */

/* The path to pack (inside a fresh clone for a git source) and what to call it. */
static int source_path(const struct estimator *est, char *clone, size_t clone_size, char *path,
                       size_t path_size, char *what, size_t what_size, struct err *e)
{
    const char *rel = est->source_dir ? est->source_dir : est->entry_point;
    int rc;

    if (est->git_repo == NULL) {
        snprintf(path, path_size, "%s", rel);
        snprintf(what, what_size, "%s", path);
        return 0;
    }
    if ((rc = sourcedir_git_clone(est->git_repo, est->git_branch, est->git_commit, clone,
                                  clone_size, e)) != 0)
        return rc;
    snprintf(path, path_size, "%s/%s", clone, rel);
    snprintf(what, what_size, "%s%s%s", est->git_repo, est->source_dir ? ":" : "",
             est->source_dir ? est->source_dir : "");
    return 0;
}

/* Packs the estimator's source into a temporary sourcedir.tar.gz (run->tarball). */
static int pack(struct run *run, struct err *e)
{
    const char *tmp = getenv("TMPDIR");
    char clone[1024] = "", path[2048];
    int fd, rc;

    if ((rc = step(run, LAUNCH_PACK, NULL, e)) != 0 ||
        (rc = source_path(run->req->est, clone, sizeof(clone), path, sizeof(path),
                          run->r->source, sizeof(run->r->source), e)) != 0)
        return rc;
    snprintf(run->tarball, sizeof(run->tarball), "%s/sagetop-sourcedir-XXXXXX.tar.gz",
             tmp && tmp[0] ? tmp : "/tmp");
    fd = mkstemps(run->tarball, 7);
    if (fd < 0) {
        run->tarball[0] = '\0';
        rc = err_set(e, ERR_IO, "cannot make a temporary file for sourcedir.tar.gz");
    } else {
        close(fd);
        rc = sourcedir_pack(path, run->tarball, &run->r->n_files, e);
        if (rc != 0)
            err_prefix(e, "source");
    }
    if (clone[0])
        sourcedir_remove_tree(clone);
    return rc;
}

/* HeadBucket, then CreateBucket when missing (the SDK's default bucket), then the upload. */
static int upload(struct run *run, struct err *e)
{
    const struct estimator_plan *p = &run->r->plan;
    struct aws_client *c = run->req->client;
    bool exists = false;
    int rc;

    if (p->default_bucket) {
        if ((rc = step(run, LAUNCH_BUCKET, p->bucket, e)) != 0 ||
            (rc = s3_bucket_exists(c, p->bucket, &exists, e)) != 0 ||
            (!exists && (rc = s3_create_bucket(c, p->bucket, run->req->region, e)) != 0))
            return rc;
    }
    if ((rc = step(run, LAUNCH_UPLOAD, run->r->source, e)) != 0)
        return rc;
    /* tar_and_upload_dir's default (SessionSettings.encrypt_repacked_artifacts, True unless
       the user turns it off): ServerSideEncryption aws:kms with the AWS managed key (a kms_key
       would add SSEKMSKeyId: no such field here). AWS_NOTES §4.2. */
    return s3_put_object_file(c, p->bucket, p->key, run->tarball, "application/x-tar", "aws:kms",
                              NULL, e);
}

/* The new job's describe document, for the front end's cache (best effort: a note). */
static void report(struct run *run)
{
    struct launch_result *r = run->r;
    struct sagemaker_job job = { 0 };
    struct err e = { 0 };

    if (run->cb->progress)
        run->cb->progress(LAUNCH_REPORT, launch_stage_name(LAUNCH_REPORT), run->cb->ctx);
    if (run->req->tuning) {
        if (sagemaker_describe_tuning_job_json(run->req->client, r->job_name, &r->describe_json,
                                               &r->describe_len, &e) != 0)
            snprintf(r->note, sizeof(r->note), "the tuning job was created but not described "
                     "yet: %s", e.msg);
        return;
    }
    if (sagemaker_describe_training_job(run->req->client, r->job_name, false, &job, &e) == 0) {
        r->describe_json = job.raw_json;
        r->describe_len = job.raw_json_len;
        job.raw_json = NULL;
    } else {
        snprintf(r->note, sizeof(r->note), "the job was created but not described yet: %s",
                 e.msg);
    }
    sagemaker_job_clean(&job);
}

int launch_run(const struct launch_request *req, const struct launch_callbacks *cb,
               struct launch_result *result, struct err *e)
{
    static const struct launch_callbacks none = { 0 };
    struct run run = { .req = req, .cb = cb ? cb : &none, .r = result };
    int rc;

    memset(result, 0, sizeof(*result));
    if ((rc = prepare(&run, e)) != 0)
        goto out;
    if (result->plan.upload && (rc = pack(&run, e)) != 0)
        goto out;
    if (req->dry_run) {
        result->stage = LAUNCH_DONE;
        goto out;
    }
    if ((rc = step(&run, LAUNCH_CONFIRM, NULL, e)) != 0)
        goto out;
    if (run.cb->confirm && !run.cb->confirm(result, run.cb->ctx)) {
        rc = err_set(e, ERR_CANCELLED, "cancelled; nothing was created");
        goto out;
    }
    if (result->plan.upload && (rc = upload(&run, e)) != 0)
        goto out;
    if ((rc = step(&run, LAUNCH_CREATE, result->job_name, e)) != 0 ||
        (rc = req->tuning ? sagemaker_create_tuning_job(req->client, result->request,
                                                        result->arn, sizeof(result->arn), e)
                          : sagemaker_create_training_job(req->client, result->request,
                                                          result->arn, sizeof(result->arn), e))
            != 0)
        goto out;
    report(&run);
    result->stage = LAUNCH_DONE;
out:
    if (run.tarball[0])
        unlink(run.tarball);
    json_decref(run.src);
    return rc;
}
