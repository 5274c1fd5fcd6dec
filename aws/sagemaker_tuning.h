/* sagemaker_tuning.h: Automatic Model Tuning as plain C structs: DescribeHyperParameterTuningJob
 * and every page of ListTrainingJobsForHyperParameterTuningJob (the one-page calls and the
 * summaries of ListHyperParameterTuningJobs are in sagemaker.h).
 *
 * Same rules as sagemaker.h: sagemaker_parse_describe_tuning_job() is pure ((ptr, len) in, a
 * struct out, no NUL needed, any thread); the calls run on the thread that owns the client.
 * Out-parameters are written only on success; sagemaker_tuning_job_clean() is safe on a zeroed
 * struct and twice in a row. Range bounds stay strings as on the wire (SageMaker sends
 * "1e-05"). */
#ifndef SAGETOP_SAGEMAKER_TUNING_H
#define SAGETOP_SAGEMAKER_TUNING_H

#include <stdbool.h>
#include <stddef.h>

#include "aws/client.h"
#include "aws/err.h"
#include "aws/sagemaker.h"

enum sagemaker_range_kind {
    SAGEMAKER_RANGE_CONTINUOUS,
    SAGEMAKER_RANGE_INTEGER,
    SAGEMAKER_RANGE_CATEGORICAL,
};
const char *sagemaker_range_kind_name(enum sagemaker_range_kind k); /* "continuous", ... */

/* One entry of ParameterRanges. */
struct sagemaker_param_range {
    enum sagemaker_range_kind kind;
    char *name;
    char *min_value;                    /* MinValue / MaxValue (NULL for categorical) */
    char *max_value;
    char scaling[24];                   /* Auto|Linear|Logarithmic|ReverseLogarithmic, "" */
    char **values;                      /* categorical Values */
    size_t n_values;
};

struct sagemaker_tuning_job {
    char name[SAGEMAKER_NAME_MAX];
    char arn[SAGEMAKER_ARN_MAX];
    char status[SAGEMAKER_STATUS_MAX];  /* HyperParameterTuningJobStatus */
    char *failure_reason;
    double creation_time, end_time, last_modified_time;

    /* HyperParameterTuningJobConfig */
    char strategy[SAGEMAKER_STATUS_MAX];           /* Bayesian|Random|Hyperband|Grid */
    char objective_type[16];                       /* Minimize|Maximize */
    char *objective_metric;                        /* MetricName */
    int max_jobs, max_parallel_jobs;               /* ResourceLimits */
    long max_runtime_s;
    char early_stopping[16];                       /* TrainingJobEarlyStoppingType: Off|Auto */
    int hyperband_min_resource, hyperband_max_resource;
    struct sagemaker_param_range *ranges;          /* integer, continuous, categorical order */
    size_t n_ranges;

    /* TrainingJobDefinition (the first of TrainingJobDefinitions when only those are given) */
    char *training_image;
    struct sagemaker_metric_definition *metric_definitions;
    size_t n_metric_definitions;
    struct sagemaker_kv *static_hyper_parameters;
    size_t n_static_hyper_parameters;
    char instance_type[SAGEMAKER_STATUS_MAX];
    int instance_count;

    /* TrainingJobStatusCounters / ObjectiveStatusCounters */
    int completed, in_progress, retryable_error, non_retryable_error, stopped;
    int objective_succeeded, objective_pending, objective_failed;

    struct sagemaker_tuning_trial best;            /* BestTrainingJob */
    bool has_best;

    /* WarmStartConfig */
    char warm_start_type[40];                      /* IdenticalDataAndAlgorithm|TransferLearning */
    char (*parents)[SAGEMAKER_NAME_MAX];           /* ParentHyperParameterTuningJobs */
    size_t n_parents;

    char *raw_json;                                /* the response, compact (json_dump_exact) */
    size_t raw_json_len;
};
void sagemaker_tuning_job_clean(struct sagemaker_tuning_job *t);

int sagemaker_parse_describe_tuning_job(const char *json, size_t len,
                                        struct sagemaker_tuning_job *out, struct err *e);
/* Not found (ResourceNotFound, or a ValidationException saying so) is ERR_NOTFOUND. */
int sagemaker_describe_tuning_job(struct aws_client *c, const char *name,
                                  struct sagemaker_tuning_job *out, struct err *e);

/* Every page of ListHyperParameterTuningJobs (q: its filters; q->next_token the start). */
int sagemaker_list_tuning_jobs_all(struct aws_client *c, const struct sagemaker_list_query *q,
                                   struct sagemaker_tuning_list *out, struct err *e);
/* Every page of ListTrainingJobsForHyperParameterTuningJob (100 a page unless q says), in the
 * order the service gives (q->sort_by/sort_order/status_equals are sent as given). */
int sagemaker_list_trials_all(struct aws_client *c, const char *tuning_job,
                              const struct sagemaker_list_query *q,
                              struct sagemaker_trial_list *out, struct err *e);

#endif
