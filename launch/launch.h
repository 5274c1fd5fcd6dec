/* launch.h: the whole launch workflow, one call for every front end: a new estimator or a
 * re-launch of a described job becomes a checked CreateTrainingJob request (a tuning launch: a
 * CreateHyperParameterTuningJob request around the re-launched one, tuning.h); then the source is
 * packed (sourcedir.h), the account resolved and the default bucket made when missing, the
 * tarball uploaded as the SDK uploads it, the job created, and the new job described so the
 * front end can put it into its cache at once.
 *
 * Every check runs before anything is created: a problem stops the run with the per-field
 * issues and nothing cloned, made, uploaded or created. launch/ depends on aws/ only: a front
 * end hands it the source job's describe document (from its cache) and puts the new job's
 * describe document into its cache itself.
 *
 * Threads: launch_run() runs on the caller's thread and blocks (git, disk, network); the client
 * must be used by that thread only for the call's duration. The callbacks run on that thread.
 * Cancellation: the cancelled callback is polled between steps, and the client's own cancel flag
 * (aws_client_set_cancel) both between steps and inside an exchange in flight (the upload
 * included); either ends the run with ERR_CANCELLED. Once CreateTrainingJob was sent nothing is
 * cancelled: the job exists.
 *
 * Ownership: the request's pointers are borrowed for the call. The result owns its request and
 * describe document (launch_result_clean()). Errors: 0 or a negative ERR_* with e filled; per-field
 * problems are ERR_INVAL with result->issues filled. Nothing prints. */
#ifndef SAGETOP_LAUNCH_LAUNCH_H
#define SAGETOP_LAUNCH_LAUNCH_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>

#include "aws/client.h"
#include "aws/err.h"
#include "aws/sagemaker.h"
#include "launch/estimator.h"
#include "launch/tuning.h"

/* The steps, in order; a progress callback sees each one start. */
enum launch_stage {
    LAUNCH_DESCRIBE,     /* re-launch: DescribeTrainingJob of the source (no document handed);
                            tuning: then DescribeHyperParameterTuningJob when no such job */
    LAUNCH_ACCOUNT,      /* STS GetCallerIdentity: the default bucket's account */
    LAUNCH_CHECK,        /* building and checking the request */
    LAUNCH_PACK,         /* cloning (git sources) and packing sourcedir.tar.gz */
    LAUNCH_CONFIRM,      /* the confirm callback */
    LAUNCH_BUCKET,       /* HeadBucket, CreateBucket when missing */
    LAUNCH_UPLOAD,       /* PutObject of the tarball */
    LAUNCH_CREATE,       /* CreateTrainingJob (CreateHyperParameterTuningJob) */
    LAUNCH_REPORT,       /* DescribeTrainingJob of the new job (its tuning job's describe) */
    LAUNCH_DONE,
};

/* "creating the job", for progress lines (a step's detail names the job). */
const char *launch_stage_name(enum launch_stage stage);

/* What to launch. Exactly one source of the request:
 *   - tuning launch (tuning set): from names a training job or a tuning job (from_json, when
 *     given, is its describe document; from_is_tuning says which); a training job's request
 *     is re-launched (sets applied, checked) and becomes the TrainingJobDefinition of a
 *     CreateHyperParameterTuningJob request (tuning.h); name is the tuning job's; nothing is
 *     packed or uploaded (the source's tarball is reused);
 *   - re-launch: from (and optionally from_json), with sets applied to its request;
 *   - new estimator: est (its fields already set), optionally with request replacing the built
 *     request (an edited one: the source is still packed and uploaded for it);
 *   - request alone: sent as is (checked first), nothing uploaded. */
struct launch_request {
    struct aws_client *client;      /* borrowed; required */
    const char *region;             /* required */
    double now;                     /* epoch seconds: default job names */
    const char *from;               /* re-launch of this job */
    const char *from_json;          /* its DescribeTrainingJob document; NULL: described here */
    size_t from_json_len;
    const char *const *sets;        /* re-launch: "KEY=VALUE" (estimator_request_set()) */
    size_t n_sets;
    struct estimator *est;          /* new estimator; with request, its name is set to the
                                       request's TrainingJobName (where the source goes) */
    const json_t *request;          /* borrowed; copied */
    const char *name;               /* the new job's name; NULL: a default one */
    bool dry_run;                   /* stop after packing: nothing made, uploaded or created */
    const struct tuning_spec *tuning;   /* borrowed; a tuning launch (see above) */
    bool from_is_tuning;            /* from_json is a DescribeHyperParameterTuningJob document */
};

/* Where the run got, and what it decided. */
struct launch_result {
    enum launch_stage stage;        /* the stage that failed, or LAUNCH_DONE */
    json_t *request;                /* the request sent (or, dry run, that would be); owned */
    char job_name[64];
    char arn[SAGEMAKER_ARN_MAX];    /* "" until created */
    struct estimator_plan plan;     /* plan.upload: a tarball was (or would be) uploaded */
    char source[2100];              /* what was packed: a path, or "repo:dir" */
    size_t n_files;
    char diff[8192];                /* re-launch: estimator_request_diff() against the source */
    size_t n_changed;
    struct estimator_issues issues; /* ERR_INVAL at LAUNCH_CHECK: one per field */
    char *describe_json;            /* the new job's DescribeTrainingJob document (tuning:
                                       DescribeHyperParameterTuningJob), or NULL */
    size_t describe_len;
    char note[320];                 /* a best-effort step that failed ("not described yet: ...") */
};

void launch_result_clean(struct launch_result *r);

typedef void launch_progress_fn(enum launch_stage stage, const char *msg, void *ctx);
typedef bool launch_cancelled_fn(void *ctx);
/* Asked once everything is checked and packed, before anything is made: r holds the request,
 * the plan, the diff and what was packed. false ends the run with ERR_CANCELLED. */
typedef bool launch_confirm_fn(const struct launch_result *r, void *ctx);

/* Every member may be NULL. */
struct launch_callbacks {
    launch_progress_fn *progress;
    launch_cancelled_fn *cancelled;
    launch_confirm_fn *confirm;     /* NULL: yes */
    void *ctx;
};

/* Runs the workflow (see the top of this file). result is always initialised (clean it);
 * result->stage says where a failure happened. */
int launch_run(const struct launch_request *req, const struct launch_callbacks *cb,
               struct launch_result *result, struct err *e);

#endif
