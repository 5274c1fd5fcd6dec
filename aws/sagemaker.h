/* sagemaker.h: the SageMaker API calls sagetop makes, as plain C structs in and out.
 *
 * Two layers:
 *  - pure parsers sagemaker_parse_*(json, len, out, e): (ptr, len) of a response body in, a
 *    struct out. No network, no NUL terminator needed, any thread. Malformed or truncated JSON
 *    is ERR_PARSE with the byte offset; a missing required member or a wrong type is ERR_PARSE
 *    naming the member. They are what the unit tests and fuzz targets drive.
 *  - calls sagemaker_*(client, ...): build the request, go through aws_json_call() (signing,
 *    retries, error mapping: see client.h) and parse. They run on the thread that owns the
 *    client and block until done or cancelled. A page of a paginated call (ListTrainingJobs,
 *    Search, ListTags, the tuning lists) that still fails with a retryable error after the
 *    client's attempts is asked again, same NextToken, after a longer backoff (paging.h), so
 *    a long listing survives sustained throttling and 5xx.
 * Out-parameters are written only on success. Whatever a function fills, the caller cleans
 * with the matching *_clean() (safe on a zeroed struct and twice in a row).
 *
 * Times are epoch seconds as double (SageMaker's wire form); 0 means absent. Integers that
 * may be absent are 0 when absent. Strings in fixed arrays are always NUL-terminated; a value
 * longer than its array is ERR_PARSE (the model's limits are below every cap here). Pointer
 * strings are NULL when absent. */
#ifndef SAGETOP_SAGEMAKER_H
#define SAGETOP_SAGEMAKER_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>

#include "aws/client.h"
#include "aws/err.h"

#define SAGEMAKER_NAME_MAX 64        /* job names: 1..63 chars */
#define SAGEMAKER_ARN_MAX 256
#define SAGEMAKER_STATUS_MAX 32
#define SAGEMAKER_TOKEN_MAX 8192     /* NextToken */
#define SAGEMAKER_PAGE_MAX 100       /* MaxResults per page */

/* ---- ListTrainingJobs ------------------------------------------------------------------- */

/* One row of ListTrainingJobs (and of ListTrainingJobsForHyperParameterTuningJob). */
struct sagemaker_job_summary {
    char name[SAGEMAKER_NAME_MAX];                 /* TrainingJobName */
    char arn[SAGEMAKER_ARN_MAX];                   /* TrainingJobArn */
    char status[SAGEMAKER_STATUS_MAX];             /* TrainingJobStatus: InProgress, ... */
    char secondary_status[SAGEMAKER_STATUS_MAX];   /* SecondaryStatus, "" when absent */
    char warm_pool_status[SAGEMAKER_STATUS_MAX];   /* WarmPoolStatus.Status, "" when absent */
    double creation_time;                          /* CreationTime (required) */
    double training_start_time;                    /* TrainingStartTime (tuning lists only) */
    double training_end_time;                      /* TrainingEndTime */
    double last_modified_time;                     /* LastModifiedTime */
};

/* A growable list of summaries plus the page's NextToken (NULL: last page). */
struct sagemaker_job_list {
    struct sagemaker_job_summary *items;
    size_t count;
    size_t cap;
    char *next_token;
};
void sagemaker_job_list_clean(struct sagemaker_job_list *l);

/* Every ListTrainingJobs filter. NULL / 0 members are not sent. */
struct sagemaker_list_query {
    const char *name_contains;          /* NameContains */
    const char *status_equals;          /* StatusEquals: InProgress|Completed|Failed|... */
    double creation_time_after;         /* CreationTimeAfter (epoch s), 0: unset */
    double creation_time_before;
    double last_modified_time_after;
    double last_modified_time_before;
    const char *sort_by;                /* SortBy: Name|CreationTime|Status */
    const char *sort_order;             /* SortOrder: Ascending|Descending */
    const char *warm_pool_status_equals;
    int max_results;                    /* MaxResults 1..100, 0: unset */
    const char *next_token;             /* NextToken */
};

/* The request body for q (caller owns the result). Exposed for tests. */
json_t *sagemaker_list_request(const struct sagemaker_list_query *q);

/* One page. */
int sagemaker_parse_list_training_jobs(const char *json, size_t len,
                                       struct sagemaker_job_list *out, struct err *e);
int sagemaker_list_training_jobs(struct aws_client *c, const struct sagemaker_list_query *q,
                                 struct sagemaker_job_list *out, struct err *e);

/* Called once per page as pages arrive (a page may be empty while more follow: StatusEquals
 * is applied after MaxResults). Return non-zero to stop early (not an error). */
typedef int (*sagemaker_page_fn)(void *ctx, const struct sagemaker_job_summary *items,
                                 size_t count);
/* Follows NextToken to the end (q->next_token is the starting point; q->max_results is the page
 * size, default 100). Stops on the first failure (the pages already delivered stay delivered). */
int sagemaker_list_training_jobs_each(struct aws_client *c, const struct sagemaker_list_query *q,
                                      sagemaker_page_fn fn, void *ctx, struct err *e);
/* Collects every page into out (at most limit items when limit > 0). */
int sagemaker_list_training_jobs_all(struct aws_client *c, const struct sagemaker_list_query *q,
                                     size_t limit, struct sagemaker_job_list *out,
                                     struct err *e);

/* ---- DescribeTrainingJob ---------------------------------------------------------------- */

struct sagemaker_kv {
    char *key;
    char *value;
};

struct sagemaker_status_transition {
    char status[SAGEMAKER_STATUS_MAX];  /* Starting, Downloading, Training, ... */
    double start_time;
    double end_time;                    /* 0 while current */
    char *message;                      /* StatusMessage */
};

struct sagemaker_metric_definition {
    char *name;                         /* 1..255 */
    char *regex;                        /* 1..500 */
};

struct sagemaker_channel {
    char *name;                         /* ChannelName */
    char *s3_uri;                       /* DataSource.S3DataSource.S3Uri (NULL: not S3) */
    char *s3_data_type;                 /* S3Prefix|ManifestFile|AugmentedManifestFile */
    char *content_type;
    char *input_mode;                   /* per-channel InputMode */
};

struct sagemaker_final_metric {
    char *name;                         /* MetricName */
    double value;
    double timestamp;
};

/* DescribeTrainingJob (and a Search TrainingJob record, which has the same shape plus Tags). */
struct sagemaker_job {
    char name[SAGEMAKER_NAME_MAX];
    char arn[SAGEMAKER_ARN_MAX];
    char status[SAGEMAKER_STATUS_MAX];
    char secondary_status[SAGEMAKER_STATUS_MAX];
    char *failure_reason;
    char *tuning_job_arn;               /* TuningJobArn */
    char *role_arn;

    double creation_time;
    double training_start_time;
    double training_end_time;
    double last_modified_time;

    struct sagemaker_status_transition *transitions;   /* SecondaryStatusTransitions */
    size_t n_transitions;

    /* AlgorithmSpecification */
    char *training_image;
    char *algorithm_name;
    char training_input_mode[16];       /* Pipe|File|FastFile */
    bool metrics_time_series;           /* EnableSageMakerMetricsTimeSeries */
    struct sagemaker_metric_definition *metric_definitions;
    size_t n_metric_definitions;

    struct sagemaker_kv *hyper_parameters;   /* in the document's order */
    size_t n_hyper_parameters;
    struct sagemaker_kv *environment;
    size_t n_environment;
    struct sagemaker_kv *tags;               /* Search records, or filled by the describe call
                                                when asked (ListTags) */
    size_t n_tags;

    /* ResourceConfig */
    char instance_type[SAGEMAKER_STATUS_MAX];    /* "" with InstanceGroups */
    int instance_count;
    int volume_size_gb;
    int keep_alive_period_s;

    /* StoppingCondition */
    long max_runtime_s;
    long max_wait_time_s;
    long max_pending_time_s;

    bool managed_spot;                  /* EnableManagedSpotTraining */
    long training_time_s;               /* TrainingTimeInSeconds */
    long billable_time_s;               /* BillableTimeInSeconds */

    char *checkpoint_s3_uri;            /* CheckpointConfig */
    char *checkpoint_local_path;

    struct sagemaker_channel *channels;      /* InputDataConfig */
    size_t n_channels;
    char *output_s3_path;               /* OutputDataConfig.S3OutputPath */
    char *output_kms_key_id;
    char *model_artifacts;              /* ModelArtifacts.S3ModelArtifacts */

    struct sagemaker_final_metric *final_metrics;   /* FinalMetricDataList */
    size_t n_final_metrics;

    /* The whole document as received (the cache stores it): compact JSON text of the
     * response (DescribeTrainingJob) or of the record (Search), numbers written back exactly
     * as sent (json_dump_exact: 1677672000.123 stays 1677672000.123). NUL-terminated. */
    char *raw_json;
    size_t raw_json_len;
    json_t *doc;             /* the same, parsed (a reference, dropped by sagemaker_job_clean):
                                the cache stores a Search page's records without reading
                                their text again */
};
void sagemaker_job_clean(struct sagemaker_job *j);

/* Largest DescribeTrainingJob document accepted. */
#define SAGEMAKER_DESCRIBE_MAX_BYTES (4u * 1024u * 1024u)

int sagemaker_parse_describe_training_job(const char *json, size_t len, struct sagemaker_job *out,
                                          struct err *e);
/* Not found (ValidationException "Requested resource not found." or ResourceNotFound) is
 * ERR_NOTFOUND. with_tags: also calls ListTags on the job's ARN (needs sagemaker:ListTags). */
int sagemaker_describe_training_job(struct aws_client *c, const char *name, bool with_tags,
                                    struct sagemaker_job *out, struct err *e);

/* ListTags: {"Tags":[{"Key","Value"}],"NextToken"}; every page is followed. */
int sagemaker_parse_list_tags(const char *json, size_t len, struct sagemaker_kv **out,
                              size_t *n_out, char **next_token, struct err *e);
int sagemaker_list_tags(struct aws_client *c, const char *arn, struct sagemaker_kv **out,
                        size_t *n_out, struct err *e);
void sagemaker_kv_free(struct sagemaker_kv *kv, size_t n);

/* ---- CreateTrainingJob / StopTrainingJob ------------------------------------------------ */

/* request is built by the caller (borrowed). On success arn_out gets TrainingJobArn.
 * AWS's message (e.g. a ValidationException's) comes back intact in e->msg. */
int sagemaker_parse_create_training_job(const char *json, size_t len, char *arn_out,
                                        size_t arn_len, struct err *e);
int sagemaker_create_training_job(struct aws_client *c, const json_t *request, char *arn_out,
                                  size_t arn_len, struct err *e);
/* Asks SageMaker to stop the job (status goes Stopping -> Stopped). */
int sagemaker_stop_training_job(struct aws_client *c, const char *name, struct err *e);

/* ---- Search (Resource TrainingJob) ------------------------------------------------------ */

/* One filter: Name is a resource property such as "TrainingJobStatus", "Metrics.eval_loss",
 * "HyperParameters.learning_rate", "Tags.project"; Operator Equals|NotEquals|GreaterThan|
 * GreaterThanOrEqualTo|LessThan|LessThanOrEqualTo|Contains|Exists|NotExists|In; Value is
 * always a string on the wire (NULL for Exists/NotExists). */
struct sagemaker_search_filter {
    const char *name;
    const char *op;
    const char *value;
};

struct sagemaker_search_query {
    const struct sagemaker_search_filter *filters;
    size_t n_filters;
    const char *boolean_operator;       /* SearchExpression.Operator: And|Or (NULL: And) */
    const char *sort_by;                /* e.g. "CreationTime", "Metrics.eval_loss" */
    const char *sort_order;             /* Ascending|Descending */
    int max_results;                    /* 1..100, 0: unset */
    const char *next_token;
};

struct sagemaker_search_page {
    struct sagemaker_job *jobs;         /* records whose TrainingJob member is present */
    size_t count;
    char *next_token;                   /* NULL: last page */
    long total_hits;                    /* TotalHits.Value, -1 when absent */
};
void sagemaker_search_page_clean(struct sagemaker_search_page *p);

json_t *sagemaker_search_request(const struct sagemaker_search_query *q);
int sagemaker_parse_search(const char *json, size_t len, struct sagemaker_search_page *out,
                           struct err *e);
/* One page; call again with q->next_token = out->next_token for the next. */
int sagemaker_search(struct aws_client *c, const struct sagemaker_search_query *q,
                     struct sagemaker_search_page *out, struct err *e);

/* ---- Hyperparameter tuning -------------------------------------------------------------- */

struct sagemaker_tuning_summary {
    char name[SAGEMAKER_NAME_MAX];      /* HyperParameterTuningJobName */
    char arn[SAGEMAKER_ARN_MAX];
    char status[SAGEMAKER_STATUS_MAX];  /* Completed|InProgress|Failed|Stopped|Stopping|... */
    char strategy[SAGEMAKER_STATUS_MAX];/* Bayesian|Random|Hyperband|Grid */
    double creation_time;
    double end_time;                    /* HyperParameterTuningEndTime */
    double last_modified_time;
    int completed, in_progress, retryable_error, non_retryable_error, stopped;
                                        /* TrainingJobStatusCounters */
    int max_parallel_jobs;              /* ResourceLimits (0 when absent) */
    int max_jobs;
};

struct sagemaker_tuning_list {
    struct sagemaker_tuning_summary *items;
    size_t count;
    char *next_token;
};
void sagemaker_tuning_list_clean(struct sagemaker_tuning_list *l);

/* Same filters as training jobs (SortBy Name|Status|CreationTime). */
int sagemaker_parse_list_tuning_jobs(const char *json, size_t len,
                                     struct sagemaker_tuning_list *out, struct err *e);
int sagemaker_list_tuning_jobs(struct aws_client *c, const struct sagemaker_list_query *q,
                               struct sagemaker_tuning_list *out, struct err *e);

/* One training job of a tuning job: the summary plus its tuned hyperparameters and objective. */
struct sagemaker_tuning_trial {
    struct sagemaker_job_summary job;
    struct sagemaker_kv *tuned_hyper_parameters;
    size_t n_tuned_hyper_parameters;
    char *failure_reason;
    char objective_status[SAGEMAKER_STATUS_MAX];   /* Succeeded|Pending|Failed */
    char *objective_metric;             /* FinalHyperParameterTuningJobObjectiveMetric */
    double objective_value;
    bool has_objective;
};

struct sagemaker_trial_list {
    struct sagemaker_tuning_trial *items;
    size_t count;
    char *next_token;
};
void sagemaker_trial_list_clean(struct sagemaker_trial_list *l);

int sagemaker_parse_list_training_jobs_for_tuning_job(const char *json, size_t len,
                                                      struct sagemaker_trial_list *out,
                                                      struct err *e);
/* q: status_equals, sort_by (Name|CreationTime|Status|FinalObjectiveMetricValue), sort_order,
 * max_results, next_token are used; one page. */
int sagemaker_list_training_jobs_for_tuning_job(struct aws_client *c, const char *tuning_job,
                                                const struct sagemaker_list_query *q,
                                                struct sagemaker_trial_list *out, struct err *e);

#endif
