/* sagemaker_parse.c: SageMaker responses parsed into the plain structs of sagemaker.h.
 *
 * Owns the parsers and the structs' cleanup. Pure: JSON text or a borrowed json_t in, a struct
 * out, so they can be tested and fuzzed without a network. Every array member goes through
 * parse_items() (one loop: objects only, "Key[i]: ..." on failure). Must not build requests or
 * call AWS (sagemaker.c does), print, exit, or keep references to inputs. */
#include <stdlib.h>
#include <string.h>

#include "aws/dynbuf.h"
#include "aws/sagemaker_internal.h"

#define TEXT_CAP (64u * 1024u)          /* any one free-text member (FailureReason: 1024) */

/* ---- small helpers --------------------------------------------------------------------- */
static int opt_strdup(const json_t *o, const char *key, char **out, struct err *e)
{
    return json_optional(json_get_strdup(o, key, TEXT_CAP, out, NULL, e));
}

static int opt_time(const json_t *o, const char *key, double *out, struct err *e)
{
    return json_optional(json_get_time(o, key, out, e));
}

static int opt_long(const json_t *o, const char *key, long *out, struct err *e)
{
    int64_t v = 0;
    int rc = json_get_int64(o, key, &v, e);

    if (rc == 0)
        *out = (long)v;
    return json_optional(rc);
}

static int opt_int(const json_t *o, const char *key, int *out, struct err *e)
{
    int64_t v = 0;
    int rc = json_get_int64(o, key, &v, e);

    if (rc == 0) {
        if (v < -2147483647 || v > 2147483647)
            return err_set(e, ERR_PARSE, "member \"%s\" is out of range", key);
        *out = (int)v;
    }
    return json_optional(rc);
}

/* An optional array member: *arr NULL and 0 items when absent. */
static int opt_array(const json_t *o, const char *key, json_t **arr, struct err *e)
{
    *arr = NULL;
    return json_optional(json_get_array(o, key, arr, e));
}

/* An array element that must be an object. */
static int elem_object(json_t *arr, size_t i, const char *key, json_t **out, struct err *e)
{
    json_t *v = json_array_get(arr, i);

    *out = v;
    if (!json_is_object(v))
        return err_set(e, ERR_PARSE, "%s[%zu] is not an object", key, i);
    *out = v;
    return 0;
}
/* Reads one array element (an object) into item (zeroed storage of the caller's type). */
typedef int (*item_fn)(const json_t *o, void *item, struct err *e);

/* The one array loop: every element of arr (member key, for messages) must be an object and is
 * read by fn into a calloc'ed array of elem-byte items. *items and *count are set even on
 * failure, *count then covering the element that failed, so the caller's cleanup frees what
 * was read; n == 0 leaves *items NULL. */
static int parse_items(const json_t *arr, const char *key, size_t elem, item_fn fn, void **items,
                       size_t *count, struct err *e)
{
    size_t i, n = json_array_size(arr);
    json_t *o;
    char *p;
    int rc;

    *items = NULL;
    *count = 0;
    if (n == 0)
        return 0;
    if ((p = calloc(n, elem)) == NULL)
        return err_set(e, ERR_NOMEM, "out of memory");
    *items = p;
    for (i = 0; i < n; i++) {
        *count = i + 1;
        if ((rc = elem_object((json_t *)arr, i, key, &o, e)) != 0)
            return rc;
        if ((rc = fn(o, p + i * elem, e)) != 0) {
            if (rc != ERR_NOMEM)
                err_prefix(e, "%s[%zu]", key, i);
            return rc;
        }
    }
    return 0;
}

/* An optional array member read by parse_items() (absent: nothing). */
static int opt_items(const json_t *o, const char *key, size_t elem, item_fn fn, void **items,
                     size_t *count, struct err *e)
{
    json_t *arr;
    int rc = opt_array(o, key, &arr, e);

    *items = NULL;
    *count = 0;
    if (rc != 0 || arr == NULL)
        return rc;
    return parse_items(arr, key, elem, fn, items, count, e);
}

void sagemaker_kv_free(struct sagemaker_kv *kv, size_t n)
{
    size_t i;

    if (kv == NULL)
        return;
    for (i = 0; i < n; i++) {
        free(kv[i].key);
        free(kv[i].value);
    }
    free(kv);
}

/* A string->string map member ({"k": "v"}) into a kv array in document order. */
static int parse_map(const json_t *o, const char *key, struct sagemaker_kv **out, size_t *n_out,
                     struct err *e)
{
    json_t *m = NULL, *v;
    const char *k;
    struct sagemaker_kv *kv = NULL;
    size_t n = 0, size;
    int rc = json_get_object(o, key, &m, e);

    if (rc == ERR_NOTFOUND)
        return 0;
    if (rc != 0)
        return rc;
    size = json_object_size(m);
    if (size == 0)
        return 0;
    kv = calloc(size, sizeof(*kv));
    if (kv == NULL)
        return err_set(e, ERR_NOMEM, "out of memory");
    json_object_foreach(m, k, v) {
        if (!json_is_string(v)) {
            rc = err_set(e, ERR_PARSE, "%s.%s is not a string", key, k);
            goto fail;
        }
        kv[n].key = strdup(k);
        kv[n].value = strndup(json_string_value(v), json_string_length(v));
        n++;
        if (kv[n - 1].key == NULL || kv[n - 1].value == NULL) {
            rc = err_set(e, ERR_NOMEM, "out of memory");
            goto fail;
        }
    }
    *out = kv;
    *n_out = n;
    return 0;
fail:
    sagemaker_kv_free(kv, n);
    return rc;
}

/* One {"Key": k, "Value": v} of a Tags list (an absent Value is ""). */
static int parse_tag(const json_t *t, void *item, struct err *e)
{
    struct sagemaker_kv *kv = item;
    int rc;

    if ((rc = json_required(json_get_strdup(t, "Key", TEXT_CAP, &kv->key, NULL, e), "Key",
                            e)) != 0 ||
        (rc = opt_strdup(t, "Value", &kv->value, e)) != 0)
        return rc;
    if (kv->value == NULL && (kv->value = strdup("")) == NULL)
        return err_set(e, ERR_NOMEM, "out of memory");
    return 0;
}

/* An optional Tags member ([{"Key": k, "Value": v}]). */
static int parse_tags(const json_t *o, struct sagemaker_kv **out, size_t *n_out, struct err *e)
{
    struct sagemaker_kv *kv;
    size_t n;
    int rc = opt_items(o, "Tags", sizeof(*kv), parse_tag, (void **)&kv, &n, e);

    if (rc != 0) {
        sagemaker_kv_free(kv, n);
        return rc;
    }
    *out = kv;
    *n_out = n;
    return 0;
}

static int set_next_token(const json_t *o, char **out, struct err *e)
{
    *out = NULL;
    return json_optional(json_get_strdup(o, "NextToken", SAGEMAKER_TOKEN_MAX, out, NULL, e));
}

/* A page of a listing: the required array member key read by parse_items(), and NextToken.
 * Like parse_items(), sets the outputs even on failure for the caller's cleanup. */
static int parse_page(const json_t *root, const char *key, size_t elem, item_fn fn, void **items,
                      size_t *count, char **next_token, struct err *e)
{
    json_t *arr = NULL;
    int rc = json_required(json_get_array(root, key, &arr, e), key, e);

    *items = NULL;
    *count = 0;
    *next_token = NULL;
    if (rc == 0)
        rc = parse_items(arr, key, elem, fn, items, count, e);
    if (rc == 0)
        rc = set_next_token(root, next_token, e);
    return rc;
}

/* ---- ListTrainingJobs ------------------------------------------------------------------ */

void sagemaker_job_list_clean(struct sagemaker_job_list *l)
{
    if (l == NULL)
        return;
    free(l->items);
    free(l->next_token);
    memset(l, 0, sizeof(*l));
}

static int parse_summary(const json_t *o, void *item, struct err *e)
{
    struct sagemaker_job_summary *s = item;
    json_t *wp = NULL;
    int rc;

    memset(s, 0, sizeof(*s));
    if ((rc = json_required(json_get_str(o, "TrainingJobName", s->name, sizeof(s->name), e),
                            "TrainingJobName", e)) != 0 ||
        (rc = json_required(json_get_str(o, "TrainingJobArn", s->arn, sizeof(s->arn), e),
                            "TrainingJobArn", e)) != 0 ||
        (rc = json_required(json_get_str(o, "TrainingJobStatus", s->status, sizeof(s->status),
                                         e), "TrainingJobStatus", e)) != 0 ||
        (rc = json_required(json_get_time(o, "CreationTime", &s->creation_time, e),
                            "CreationTime", e)) != 0 ||
        (rc = json_optional(json_get_str(o, "SecondaryStatus", s->secondary_status,
                                         sizeof(s->secondary_status), e))) != 0 ||
        (rc = opt_time(o, "TrainingStartTime", &s->training_start_time, e)) != 0 ||
        (rc = opt_time(o, "TrainingEndTime", &s->training_end_time, e)) != 0 ||
        (rc = opt_time(o, "LastModifiedTime", &s->last_modified_time, e)) != 0)
        return rc;
    rc = json_optional(json_get_object(o, "WarmPoolStatus", &wp, e));
    if (rc == 0 && wp != NULL)
        rc = json_optional(json_get_str(wp, "Status", s->warm_pool_status,
                                        sizeof(s->warm_pool_status), e));
    return rc;
}

int sagemaker_parse_list_json(const json_t *root, void *out, struct err *e)
{
    struct sagemaker_job_list l = { 0 };
    int rc = parse_page(root, "TrainingJobSummaries", sizeof(*l.items), parse_summary,
                        (void **)&l.items, &l.count, &l.next_token, e);

    if (rc != 0) {
        sagemaker_job_list_clean(&l);
        return rc;
    }
    l.cap = l.count;
    *(struct sagemaker_job_list *)out = l;
    return 0;
}

int sagemaker_parse_list_training_jobs(const char *json, size_t len,
                                       struct sagemaker_job_list *out, struct err *e)
{
    return json_parse_doc(json, len, "ListTrainingJobs response", sagemaker_parse_list_json, out,
                          e);
}

/* ---- DescribeTrainingJob --------------------------------------------------------------- */

void sagemaker_job_clean(struct sagemaker_job *j)
{
    size_t i;

    if (j == NULL)
        return;
    free(j->failure_reason);
    free(j->tuning_job_arn);
    free(j->role_arn);
    for (i = 0; i < j->n_transitions; i++)
        free(j->transitions[i].message);
    free(j->transitions);
    free(j->training_image);
    free(j->algorithm_name);
    for (i = 0; i < j->n_metric_definitions; i++) {
        free(j->metric_definitions[i].name);
        free(j->metric_definitions[i].regex);
    }
    free(j->metric_definitions);
    sagemaker_kv_free(j->hyper_parameters, j->n_hyper_parameters);
    sagemaker_kv_free(j->environment, j->n_environment);
    sagemaker_kv_free(j->tags, j->n_tags);
    free(j->checkpoint_s3_uri);
    free(j->checkpoint_local_path);
    for (i = 0; i < j->n_channels; i++) {
        free(j->channels[i].name);
        free(j->channels[i].s3_uri);
        free(j->channels[i].s3_data_type);
        free(j->channels[i].content_type);
        free(j->channels[i].input_mode);
    }
    free(j->channels);
    free(j->output_s3_path);
    free(j->output_kms_key_id);
    free(j->model_artifacts);
    for (i = 0; i < j->n_final_metrics; i++)
        free(j->final_metrics[i].name);
    free(j->final_metrics);
    free(j->raw_json);
    json_decref(j->doc);
    memset(j, 0, sizeof(*j));
}

static int parse_transition(const json_t *t, void *item, struct err *e)
{
    struct sagemaker_status_transition *st = item;
    int rc;

    if ((rc = json_required(json_get_str(t, "Status", st->status, sizeof(st->status), e),
                            "Status", e)) != 0 ||
        (rc = opt_time(t, "StartTime", &st->start_time, e)) != 0 ||
        (rc = opt_time(t, "EndTime", &st->end_time, e)) != 0 ||
        (rc = opt_strdup(t, "StatusMessage", &st->message, e)) != 0)
        return rc;
    return 0;
}

static int parse_metric_definition(const json_t *m, void *item, struct err *e)
{
    struct sagemaker_metric_definition *md = item;
    int rc;

    if ((rc = json_required(json_get_strdup(m, "Name", TEXT_CAP, &md->name, NULL, e), "Name",
                            e)) != 0 ||
        (rc = json_required(json_get_strdup(m, "Regex", TEXT_CAP, &md->regex, NULL, e),
                            "Regex", e)) != 0)
        return rc;
    return 0;
}

static int parse_algorithm(const json_t *o, struct sagemaker_job *j, struct err *e)
{
    json_t *as = NULL;
    int rc = json_optional(json_get_object(o, "AlgorithmSpecification", &as, e));

    if (rc != 0 || as == NULL)
        return rc;
    if ((rc = opt_strdup(as, "TrainingImage", &j->training_image, e)) != 0 ||
        (rc = opt_strdup(as, "AlgorithmName", &j->algorithm_name, e)) != 0 ||
        (rc = json_optional(json_get_str(as, "TrainingInputMode", j->training_input_mode,
                                         sizeof(j->training_input_mode), e))) != 0 ||
        (rc = json_optional(json_get_bool(as, "EnableSageMakerMetricsTimeSeries",
                                          &j->metrics_time_series, e))) != 0 ||
        (rc = opt_items(as, "MetricDefinitions", sizeof(*j->metric_definitions),
                        parse_metric_definition, (void **)&j->metric_definitions,
                        &j->n_metric_definitions, e)) != 0) {
        if (rc != ERR_NOMEM)
            err_prefix(e, "AlgorithmSpecification");
        return rc;
    }
    return 0;
}

static int parse_resources(const json_t *o, struct sagemaker_job *j, struct err *e)
{
    json_t *rcfg = NULL, *sc = NULL, *ck = NULL, *od = NULL, *ma = NULL;
    int rc;

    if ((rc = json_optional(json_get_object(o, "ResourceConfig", &rcfg, e))) != 0)
        return rc;
    if (rcfg != NULL &&
        ((rc = json_optional(json_get_str(rcfg, "InstanceType", j->instance_type,
                                          sizeof(j->instance_type), e))) != 0 ||
         (rc = opt_int(rcfg, "InstanceCount", &j->instance_count, e)) != 0 ||
         (rc = opt_int(rcfg, "VolumeSizeInGB", &j->volume_size_gb, e)) != 0 ||
         (rc = opt_int(rcfg, "KeepAlivePeriodInSeconds", &j->keep_alive_period_s, e)) != 0))
        return rc;
    if ((rc = json_optional(json_get_object(o, "StoppingCondition", &sc, e))) != 0)
        return rc;
    if (sc != NULL &&
        ((rc = opt_long(sc, "MaxRuntimeInSeconds", &j->max_runtime_s, e)) != 0 ||
         (rc = opt_long(sc, "MaxWaitTimeInSeconds", &j->max_wait_time_s, e)) != 0 ||
         (rc = opt_long(sc, "MaxPendingTimeInSeconds", &j->max_pending_time_s, e)) != 0))
        return rc;
    if ((rc = json_optional(json_get_object(o, "CheckpointConfig", &ck, e))) != 0)
        return rc;
    if (ck != NULL &&
        ((rc = opt_strdup(ck, "S3Uri", &j->checkpoint_s3_uri, e)) != 0 ||
         (rc = opt_strdup(ck, "LocalPath", &j->checkpoint_local_path, e)) != 0))
        return rc;
    if ((rc = json_optional(json_get_object(o, "OutputDataConfig", &od, e))) != 0)
        return rc;
    if (od != NULL &&
        ((rc = opt_strdup(od, "S3OutputPath", &j->output_s3_path, e)) != 0 ||
         (rc = opt_strdup(od, "KmsKeyId", &j->output_kms_key_id, e)) != 0))
        return rc;
    if ((rc = json_optional(json_get_object(o, "ModelArtifacts", &ma, e))) != 0)
        return rc;
    if (ma != NULL && (rc = opt_strdup(ma, "S3ModelArtifacts", &j->model_artifacts, e)) != 0)
        return rc;
    return 0;
}

static int parse_channel(const json_t *ch, void *item, struct err *e)
{
    struct sagemaker_channel *c = item;
    json_t *ds = NULL, *s3 = NULL;
    int rc;

    if ((rc = json_required(json_get_strdup(ch, "ChannelName", TEXT_CAP, &c->name, NULL, e),
                            "ChannelName", e)) != 0 ||
        (rc = opt_strdup(ch, "ContentType", &c->content_type, e)) != 0 ||
        (rc = opt_strdup(ch, "InputMode", &c->input_mode, e)) != 0 ||
        (rc = json_optional(json_get_object(ch, "DataSource", &ds, e))) != 0)
        return rc;
    if (ds != NULL && (rc = json_optional(json_get_object(ds, "S3DataSource", &s3, e))) != 0)
        return rc;
    if (s3 != NULL &&
        ((rc = opt_strdup(s3, "S3Uri", &c->s3_uri, e)) != 0 ||
         (rc = opt_strdup(s3, "S3DataType", &c->s3_data_type, e)) != 0))
        return rc;
    return 0;
}

static int parse_final_metric(const json_t *m, void *item, struct err *e)
{
    struct sagemaker_final_metric *fm = item;
    int rc;

    if ((rc = opt_strdup(m, "MetricName", &fm->name, e)) != 0 ||
        (rc = json_optional(json_get_double(m, "Value", &fm->value, e))) != 0 ||
        (rc = opt_time(m, "Timestamp", &fm->timestamp, e)) != 0)
        return rc;
    return 0;
}

/* The DescribeTrainingJob shape (also a Search record's TrainingJob). */
int sagemaker_parse_job_json(const json_t *o, void *out, struct err *e)
{
    struct sagemaker_job j;
    int rc;

    memset(&j, 0, sizeof(j));
    if ((rc = json_required(json_get_str(o, "TrainingJobName", j.name, sizeof(j.name), e),
                            "TrainingJobName", e)) != 0 ||
        (rc = json_required(json_get_str(o, "TrainingJobArn", j.arn, sizeof(j.arn), e),
                            "TrainingJobArn", e)) != 0 ||
        (rc = json_required(json_get_str(o, "TrainingJobStatus", j.status, sizeof(j.status), e),
                            "TrainingJobStatus", e)) != 0 ||
        (rc = json_optional(json_get_str(o, "SecondaryStatus", j.secondary_status,
                                         sizeof(j.secondary_status), e))) != 0 ||
        (rc = opt_strdup(o, "FailureReason", &j.failure_reason, e)) != 0 ||
        (rc = opt_strdup(o, "TuningJobArn", &j.tuning_job_arn, e)) != 0 ||
        (rc = opt_strdup(o, "RoleArn", &j.role_arn, e)) != 0 ||
        (rc = opt_time(o, "CreationTime", &j.creation_time, e)) != 0 ||
        (rc = opt_time(o, "TrainingStartTime", &j.training_start_time, e)) != 0 ||
        (rc = opt_time(o, "TrainingEndTime", &j.training_end_time, e)) != 0 ||
        (rc = opt_time(o, "LastModifiedTime", &j.last_modified_time, e)) != 0 ||
        (rc = opt_items(o, "SecondaryStatusTransitions", sizeof(*j.transitions),
                        parse_transition, (void **)&j.transitions, &j.n_transitions, e)) != 0 ||
        (rc = parse_algorithm(o, &j, e)) != 0 ||
        (rc = parse_map(o, "HyperParameters", &j.hyper_parameters, &j.n_hyper_parameters,
                        e)) != 0 ||
        (rc = parse_map(o, "Environment", &j.environment, &j.n_environment, e)) != 0 ||
        (rc = parse_resources(o, &j, e)) != 0 ||
        (rc = json_optional(json_get_bool(o, "EnableManagedSpotTraining", &j.managed_spot,
                                          e))) != 0 ||
        (rc = opt_long(o, "TrainingTimeInSeconds", &j.training_time_s, e)) != 0 ||
        (rc = opt_long(o, "BillableTimeInSeconds", &j.billable_time_s, e)) != 0 ||
        (rc = opt_items(o, "InputDataConfig", sizeof(*j.channels), parse_channel,
                        (void **)&j.channels, &j.n_channels, e)) != 0 ||
        (rc = opt_items(o, "FinalMetricDataList", sizeof(*j.final_metrics), parse_final_metric,
                        (void **)&j.final_metrics, &j.n_final_metrics, e)) != 0 ||
        (rc = parse_tags(o, &j.tags, &j.n_tags, e)) != 0)
        goto fail;
    /* not json_dumps(): its %.17g turns 1677672000.123 into 1677672000.1229999 */
    if ((rc = json_dump_exact(o, &j.raw_json, &j.raw_json_len, e)) != 0)
        goto fail;
    j.doc = json_incref((json_t *)o);
    *(struct sagemaker_job *)out = j;
    return 0;
fail:
    sagemaker_job_clean(&j);
    return rc;
}

int sagemaker_parse_describe_training_job(const char *json, size_t len, struct sagemaker_job *out,
                                          struct err *e)
{
    if (len > SAGEMAKER_DESCRIBE_MAX_BYTES)
        return err_set(e, ERR_TOOBIG, "DescribeTrainingJob response: %zu bytes is over the "
                       "%u-byte cap", len, SAGEMAKER_DESCRIBE_MAX_BYTES);
    return json_parse_doc(json, len, "DescribeTrainingJob response", sagemaker_parse_job_json,
                          out, e);
}

/* ---- ListTags ---------------------------------------------------------------------------- */

int sagemaker_parse_tags_json(const json_t *root, void *out, struct err *e)
{
    struct sagemaker_tags_out t = { NULL, 0, NULL };
    int rc;

    if ((rc = parse_tags(root, &t.kv, &t.n, e)) != 0)
        return rc;
    if ((rc = set_next_token(root, &t.next_token, e)) != 0) {
        sagemaker_kv_free(t.kv, t.n);
        return rc;
    }
    *(struct sagemaker_tags_out *)out = t;
    return 0;
}

int sagemaker_parse_list_tags(const char *json, size_t len, struct sagemaker_kv **out,
                              size_t *n_out, char **next_token, struct err *e)
{
    struct sagemaker_tags_out t;
    int rc = json_parse_doc(json, len, "ListTags response", sagemaker_parse_tags_json, &t, e);

    if (rc != 0)
        return rc;
    *out = t.kv;
    *n_out = t.n;
    if (next_token != NULL)
        *next_token = t.next_token;
    else
        free(t.next_token);
    return 0;
}

/* ---- CreateTrainingJob ------------------------------------------------------------------- */

int sagemaker_parse_arn_json(const json_t *root, void *out, struct err *e)
{
    struct sagemaker_arn_out *a = out;
    char arn[SAGEMAKER_ARN_MAX];
    int rc = json_required(json_get_str(root, "TrainingJobArn", arn, sizeof(arn), e),
                           "TrainingJobArn", e);

    if (rc != 0)
        return rc;
    if (strlen(arn) >= a->len)
        return err_set(e, ERR_TOOBIG, "TrainingJobArn does not fit in %zu bytes", a->len);
    strcpy(a->arn, arn);
    return 0;
}

int sagemaker_parse_create_training_job(const char *json, size_t len, char *arn_out,
                                        size_t arn_len, struct err *e)
{
    struct sagemaker_arn_out a = { arn_out, arn_len };

    return json_parse_doc(json, len, "CreateTrainingJob response", sagemaker_parse_arn_json, &a,
                          e);
}

/* ---- Search ------------------------------------------------------------------------------ */

void sagemaker_search_page_clean(struct sagemaker_search_page *p)
{
    size_t i;

    if (p == NULL)
        return;
    for (i = 0; i < p->count; i++)
        sagemaker_job_clean(&p->jobs[i]);
    free(p->jobs);
    free(p->next_token);
    memset(p, 0, sizeof(*p));
}

int sagemaker_parse_search_json(const json_t *root, void *out, struct err *e)
{
    struct sagemaker_search_page p = { 0 };
    json_t *arr, *rec, *tj, *hits = NULL;
    size_t i, n;
    int64_t total = -1;
    int rc;

    if ((rc = opt_array(root, "Results", &arr, e)) != 0)
        return rc;
    n = json_array_size(arr);
    if (n > 0 && (p.jobs = calloc(n, sizeof(*p.jobs))) == NULL)
        return err_set(e, ERR_NOMEM, "out of memory");
    for (i = 0; i < n; i++) {
        tj = NULL;
        if ((rc = elem_object(arr, i, "Results", &rec, e)) != 0 ||
            (rc = json_optional(json_get_object(rec, "TrainingJob", &tj, e))) != 0)
            goto fail;
        if (tj == NULL)
            continue;
        if ((rc = sagemaker_parse_job_json(tj, &p.jobs[p.count], e)) != 0) {
            err_prefix(e, "Results[%zu].TrainingJob", i);
            goto fail;
        }
        p.count++;
    }
    if ((rc = set_next_token(root, &p.next_token, e)) != 0 ||
        (rc = json_optional(json_get_object(root, "TotalHits", &hits, e))) != 0 ||
        (hits != NULL && (rc = json_optional(json_get_int64(hits, "Value", &total, e))) != 0))
        goto fail;
    p.total_hits = (long)total;
    *(struct sagemaker_search_page *)out = p;
    return 0;
fail:
    sagemaker_search_page_clean(&p);
    return rc;
}

int sagemaker_parse_search(const char *json, size_t len, struct sagemaker_search_page *out,
                           struct err *e)
{
    return json_parse_doc(json, len, "Search response", sagemaker_parse_search_json, out, e);
}

/* ---- Hyperparameter tuning -------------------------------------------------------------- */

void sagemaker_tuning_list_clean(struct sagemaker_tuning_list *l)
{
    if (l == NULL)
        return;
    free(l->items);
    free(l->next_token);
    memset(l, 0, sizeof(*l));
}

static int parse_tuning(const json_t *o, void *item, struct err *e)
{
    struct sagemaker_tuning_summary *t = item;
    json_t *cnt = NULL, *lim = NULL;
    int rc;

    memset(t, 0, sizeof(*t));
    if ((rc = json_required(json_get_str(o, "HyperParameterTuningJobName", t->name,
                                         sizeof(t->name), e),
                            "HyperParameterTuningJobName", e)) != 0 ||
        (rc = json_optional(json_get_str(o, "HyperParameterTuningJobArn", t->arn,
                                         sizeof(t->arn), e))) != 0 ||
        (rc = json_required(json_get_str(o, "HyperParameterTuningJobStatus", t->status,
                                         sizeof(t->status), e),
                            "HyperParameterTuningJobStatus", e)) != 0 ||
        (rc = json_optional(json_get_str(o, "Strategy", t->strategy, sizeof(t->strategy),
                                         e))) != 0 ||
        (rc = opt_time(o, "CreationTime", &t->creation_time, e)) != 0 ||
        (rc = opt_time(o, "HyperParameterTuningEndTime", &t->end_time, e)) != 0 ||
        (rc = opt_time(o, "LastModifiedTime", &t->last_modified_time, e)) != 0 ||
        (rc = json_optional(json_get_object(o, "TrainingJobStatusCounters", &cnt, e))) != 0 ||
        (rc = json_optional(json_get_object(o, "ResourceLimits", &lim, e))) != 0)
        return rc;
    if (cnt != NULL &&
        ((rc = opt_int(cnt, "Completed", &t->completed, e)) != 0 ||
         (rc = opt_int(cnt, "InProgress", &t->in_progress, e)) != 0 ||
         (rc = opt_int(cnt, "RetryableError", &t->retryable_error, e)) != 0 ||
         (rc = opt_int(cnt, "NonRetryableError", &t->non_retryable_error, e)) != 0 ||
         (rc = opt_int(cnt, "Stopped", &t->stopped, e)) != 0))
        return rc;
    if (lim != NULL &&
        ((rc = opt_int(lim, "MaxParallelTrainingJobs", &t->max_parallel_jobs, e)) != 0 ||
         (rc = opt_int(lim, "MaxNumberOfTrainingJobs", &t->max_jobs, e)) != 0))
        return rc;
    return 0;
}

int sagemaker_parse_tuning_json(const json_t *root, void *out, struct err *e)
{
    struct sagemaker_tuning_list l = { 0 };
    int rc = parse_page(root, "HyperParameterTuningJobSummaries", sizeof(*l.items), parse_tuning,
                        (void **)&l.items, &l.count, &l.next_token, e);

    if (rc != 0) {
        sagemaker_tuning_list_clean(&l);
        return rc;
    }
    *(struct sagemaker_tuning_list *)out = l;
    return 0;
}

int sagemaker_parse_list_tuning_jobs(const char *json, size_t len,
                                     struct sagemaker_tuning_list *out, struct err *e)
{
    return json_parse_doc(json, len, "ListHyperParameterTuningJobs response",
                          sagemaker_parse_tuning_json, out, e);
}

void sagemaker_trial_clean(struct sagemaker_tuning_trial *t)
{
    sagemaker_kv_free(t->tuned_hyper_parameters, t->n_tuned_hyper_parameters);
    free(t->failure_reason);
    free(t->objective_metric);
    memset(t, 0, sizeof(*t));
}

void sagemaker_trial_list_clean(struct sagemaker_trial_list *l)
{
    size_t i;

    if (l == NULL)
        return;
    for (i = 0; i < l->count; i++)
        sagemaker_trial_clean(&l->items[i]);
    free(l->items);
    free(l->next_token);
    memset(l, 0, sizeof(*l));
}

static int parse_trial(const json_t *o, void *item, struct err *e)
{
    struct sagemaker_tuning_trial *t = item;
    json_t *obj = NULL;
    int rc;

    if ((rc = parse_summary(o, &t->job, e)) != 0 ||
        (rc = parse_map(o, "TunedHyperParameters", &t->tuned_hyper_parameters,
                        &t->n_tuned_hyper_parameters, e)) != 0 ||
        (rc = opt_strdup(o, "FailureReason", &t->failure_reason, e)) != 0 ||
        (rc = json_optional(json_get_str(o, "ObjectiveStatus", t->objective_status,
                                         sizeof(t->objective_status), e))) != 0 ||
        (rc = json_optional(json_get_object(o, "FinalHyperParameterTuningJobObjectiveMetric",
                                            &obj, e))) != 0)
        return rc;
    if (obj != NULL) {
        if ((rc = opt_strdup(obj, "MetricName", &t->objective_metric, e)) != 0 ||
            (rc = json_required(json_get_double(obj, "Value", &t->objective_value, e),
                                "Value", e)) != 0)
            return rc;
        t->has_objective = true;
    }
    return 0;
}

int sagemaker_parse_trials_json(const json_t *root, void *out, struct err *e)
{
    struct sagemaker_trial_list l = { 0 };
    int rc = parse_page(root, "TrainingJobSummaries", sizeof(*l.items), parse_trial,
                        (void **)&l.items, &l.count, &l.next_token, e);

    if (rc != 0) {
        sagemaker_trial_list_clean(&l);
        return rc;
    }
    *(struct sagemaker_trial_list *)out = l;
    return 0;
}

int sagemaker_parse_list_training_jobs_for_tuning_job(const char *json, size_t len,
                                                      struct sagemaker_trial_list *out,
                                                      struct err *e)
{
    return json_parse_doc(json, len, "ListTrainingJobsForHyperParameterTuningJob response",
                          sagemaker_parse_trials_json, out, e);
}

/* ---- for sagemaker_tuning.c ------------------------------------------------------------ */

int sagemaker_parse_opt_items(const json_t *o, const char *key, size_t elem, sagemaker_item_fn fn,
                              void **items, size_t *count, struct err *e)
{
    return opt_items(o, key, elem, fn, items, count, e);
}

int sagemaker_parse_trial_item(const json_t *o, void *item, struct err *e)
{
    return parse_trial(o, item, e);
}

int sagemaker_parse_metric_definition_item(const json_t *o, void *item, struct err *e)
{
    return parse_metric_definition(o, item, e);
}

int sagemaker_parse_kv_map(const json_t *o, const char *key, struct sagemaker_kv **out,
                           size_t *n_out, struct err *e)
{
    return parse_map(o, key, out, n_out, e);
}
