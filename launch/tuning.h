/* tuning.h: a hyperparameter tuning launch (Automatic Model Tuning) from a past training job or
 * a past tuning job: what to tune (struct tuning_spec, parsed from the CLI's and the form's
 * words) and the CreateHyperParameterTuningJob request that HyperparameterTuner(estimator,
 * ...).fit() of the SageMaker Python SDK would send for it, checked the way AWS checks it.
 *
 * Followed: sagemaker-python-sdk src/sagemaker/tuner.py (HyperparameterTuner.__init__,
 * _prepare_static_hyperparameters, _prepare_parameter_ranges_for_tuning, _prepare_job_name_for_
 * tuning, _TuningJob._get_tuner_args / _prepare_training_config / _prepare_hp_resource_config)
 * and src/sagemaker/session.py (_get_tuning_request, _map_tuning_config, _map_training_config)
 * as vendored in aws/amazon-sagemaker-examples@ab7bc9d5eb0d1dc7db9d265b7ed7db2ee17d5613
 * (venv/lib/python3.7/site-packages/sagemaker/), cross-checked with aws/sagemaker-python-sdk
 * tuner.py@8d4d8a4c969f5ebaaf6c99bff9d2a4d5f38a8c7e and parameter.py@f0291e84ddff9f04277cc0ceb8ed8d4cf27da30a.
 *
 * Everything here is pure: no network, no files, no clock (the time is an input), any thread.
 * Creating the job is launch_run()'s business (launch.h, with launch_request.tuning set).
 * Ownership: a spec owns nothing on the heap (fixed buffers); requests are json_t owned by the
 * caller. Errors: 0 or a negative ERR_* with e filled; per-field problems go into
 * struct estimator_issues (field names "tune.NAME", "objective", "max_jobs", ...). */
#ifndef SAGETOP_LAUNCH_TUNING_H
#define SAGETOP_LAUNCH_TUNING_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>

#include "aws/err.h"
#include "launch/estimator.h"

/* AWS's limits (botocore 1.43.11 and the "Tuning limits" page of the developer guide). */
#define TUNING_RANGES_MAX 30        /* hyperparameters tuned, all kinds together */
#define TUNING_VALUES_MAX 30        /* values of one categorical range */
#define TUNING_PARENTS_MAX 5        /* warm-start parents */
#define TUNING_NAME_MAX 32          /* HyperParameterTuningJobName */

enum tuning_kind { TUNING_CONTINUOUS, TUNING_INTEGER, TUNING_CATEGORICAL };

/* One tuned hyperparameter, as its ParameterRange would hold it. */
struct tuning_range {
    char name[257];
    enum tuning_kind kind;
    char min[64];                   /* continuous/integer: the SDK's str(value) */
    char max[64];
    char scaling[24];               /* "Auto", "Linear", "Logarithmic", "ReverseLogarithmic" */
    char values[TUNING_VALUES_MAX][257];    /* categorical, as written */
    size_t n_values;
};

/* What the user asked for. Unset members keep the source's choice (a tuning job's), else the
 * SDK's default: objective type Maximize, strategy Bayesian, max jobs 1 (none for Grid),
 * parallel 1, early stopping Off, warm start type IdenticalDataAndAlgorithm. */
struct tuning_spec {
    struct tuning_range ranges[TUNING_RANGES_MAX];
    size_t n_ranges;
    char objective[256];            /* metric name; "" unset */
    char objective_type[16];        /* "Minimize" / "Maximize"; "" unset */
    char strategy[16];              /* "Bayesian", "Random", "Hyperband", "Grid"; "" unset */
    long max_jobs;                  /* 0 unset */
    long max_parallel;              /* 0 unset */
    char early_stopping[8];         /* "Off" / "Auto"; "" unset */
    char parents[TUNING_PARENTS_MAX][TUNING_NAME_MAX + 1];
    size_t n_parents;
    char warm_start_type[32];       /* "" unset */
};

void tuning_spec_init(struct tuning_spec *s);

/* Sets one member by its name (the CLI's options, the form's fields):
 *   "tune"            "hp.NAME=MIN:MAX[:SCALING]" continuous, "hp.NAME=int:MIN:MAX[:SCALING]",
 *                     "hp.NAME=cat:A,B,C" (also "cont:"/"continuous:", "integer:",
 *                     "categorical:"); SCALING is auto, linear, log or reverselog (or AWS's
 *                     words); a name given again replaces its range
 *   "objective"       "NAME[:min|:max]" (also minimize/maximize)
 *   "objective_type"  min, max, Minimize or Maximize
 *   "strategy"        Bayesian, Random, Hyperband, Grid (any case)
 *   "max_jobs", "parallel"      a whole number
 *   "early_stopping"  Off or Auto
 *   "warm_start"      "PARENT[,PARENT]..." (added to the parents)
 *   "warm_start_type" IdenticalDataAndAlgorithm or TransferLearning
 * ERR_INVAL "KEY: ..." naming what is accepted. Values are checked for shape here; the ranges
 * themselves (min < max, log scaling, limits) by tuning_check_request(), as AWS would. */
int tuning_spec_set(struct tuning_spec *s, const char *key, const char *value, struct err *e);

/* One field of the UI's tuning form into s: "hp.NAME" takes a range as "tune" writes it after
 * the "=" ("1e-5:1e-3:log", "int:1:4", "cat:a,b"), every other key is tuning_spec_set()'s;
 * "name" (the request's, not the spec's) and an empty value (unset: the source's choice) change
 * nothing. A problem becomes an issue on the field tuning_check_request() uses for it
 * ("tune.NAME" for "hp.NAME", else the key), worded as the CLI prints it. 0 or ERR_*. */
int tuning_spec_set_field(struct tuning_spec *s, const char *key, const char *value,
                          struct estimator_issues *is);

/* The tuning job's name and the time for a default one. */
struct tuning_context {
    const char *name;               /* NULL: tuning_default_name() of the image's repository */
    double now;                     /* epoch seconds */
};

/* The request from a CreateTrainingJob request (a re-launch of the source training job:
 * estimator_relaunch(), whose names and HyperParameters are the estimator's): the static
 * hyperparameters (the tuned ones removed, the SDK's class metadata added for a Hugging Face
 * image), the TrainingJobDefinition and HyperParameterTuningJobConfig in the SDK's member
 * order, the warm start and the tags. Then tuning_check_request(). ERR_INVAL with the issues
 * appended to is (*out untouched) when is holds any afterwards: start with an empty one. */
int tuning_request_from_training(const json_t *train_req, const struct tuning_spec *s,
                                 const struct tuning_context *ctx, json_t **out,
                                 struct estimator_issues *is, struct err *e);

/* The request from a DescribeHyperParameterTuningJob document (json, len): the parent's
 * TrainingJobDefinition and configuration (only CreateHyperParameterTuningJob's members), with
 * the spec's choices applied (its ranges, when any, replace the parent's; a tuned name leaves
 * the static hyperparameters). Then tuning_check_request(). */
int tuning_request_from_tuning(const char *json, size_t len, const struct tuning_spec *s,
                               const struct tuning_context *ctx, json_t **out,
                               struct estimator_issues *is, struct err *e);

/* Every check AWS makes on a CreateHyperParameterTuningJob request, one issue per field: the
 * name (1-32, [a-zA-Z0-9](-*[a-zA-Z0-9])*), strategy, objective (type, and its metric among
 * the algorithm's metric definitions), resource limits (at least 1, parallel <= max jobs, no
 * max jobs only for Grid), each range (names unique, numbers, min < max, integer ranges of
 * integers, Logarithmic needs min > 0, ReverseLogarithmic 0 <= min < max < 1, 1-30 categorical
 * values), at most 30 ranges, Grid only with categorical ranges, Hyperband without early
 * stopping, static hyperparameters (at most 100, no tuned one), warm start (1-5 parents, type). */
void tuning_check_request(const json_t *req, struct estimator_issues *is);

/* name_from_base(base, max_length=32, short=True): "<base trimmed to 20>-%y%m%d-%H%M" (UTC, as
 * the training job names are; the SDK uses its machine's local time). The SDK's base is the image's repository (base_name_from_image)
 * for a new tuner and for one made from a parent alike. */
void tuning_default_name(const char *base, double now, char *out, size_t size);

/* The default name of a tuning job over t (a CreateTrainingJob request or a parent's
 * TrainingJobDefinition): tuning_default_name() of its image's repository, "estimator" when it
 * has none: the name a request built without tuning_context.name gets. */
void tuning_default_name_of(const json_t *t, double now, char *out, size_t size);

#endif
