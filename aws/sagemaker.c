/* sagemaker.c: SageMaker requests built from plain structs and responses parsed into them.
 *
 * Owns the request shapes and the parsers; signing, retries and error mapping belong to
 * client.c. Parsers are pure (json text or a borrowed json_t in, struct out) so they can be
 * tested and fuzzed without a network. Must not print, exit or keep references to inputs. */
#include "aws/sagemaker.h"

#include <stdlib.h>
#include <string.h>

#include "aws/json.h"
#include "aws/paging.h"

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

/* Grows *arr (of elem bytes) to hold n items. */
static int grow(void **arr, size_t *cap, size_t n, size_t elem, struct err *e)
{
    size_t ncap;
    void *p;

    if (n <= *cap)
        return 0;
    ncap = *cap ? *cap * 2 : 16;
    while (ncap < n)
        ncap *= 2;
    p = realloc(*arr, ncap * elem);
    if (p == NULL)
        return err_set(e, ERR_NOMEM, "out of memory");
    memset((char *)p + *cap * elem, 0, (ncap - *cap) * elem);
    *arr = p;
    *cap = ncap;
    return 0;
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

/* A [{"Key": k, "Value": v}] list (Tags). */
static int parse_tag_list(json_t *arr, struct sagemaker_kv **out, size_t *n_out, struct err *e)
{
    struct sagemaker_kv *kv;
    json_t *t;
    size_t i, n = json_array_size(arr);
    int rc = 0;

    if (n == 0)
        return 0;
    kv = calloc(n, sizeof(*kv));
    if (kv == NULL)
        return err_set(e, ERR_NOMEM, "out of memory");
    for (i = 0; i < n; i++) {
        if ((rc = elem_object(arr, i, "Tags", &t, e)) != 0 ||
            (rc = json_required(json_get_strdup(t, "Key", TEXT_CAP, &kv[i].key, NULL, e),
                                "Key", e)) != 0 ||
            (rc = opt_strdup(t, "Value", &kv[i].value, e)) != 0)
            goto fail;
        if (kv[i].value == NULL && (kv[i].value = strdup("")) == NULL) {
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

/* Parses text into an object and hands it to parse_fn, prefixing errors with what. */
static int parse_text(const char *json, size_t len, const char *what, json_t **root,
                      struct err *e)
{
    return json_parse_object(json, len, what, root, e);
}

static int set_next_token(const json_t *o, char **out, struct err *e)
{
    *out = NULL;
    return json_optional(json_get_strdup(o, "NextToken", SAGEMAKER_TOKEN_MAX, out, NULL, e));
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

static int parse_summary(const json_t *o, struct sagemaker_job_summary *s, struct err *e)
{
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

/* Appends the summaries of one page (member key) to l. */
static int append_summaries(const json_t *root, const char *key, struct sagemaker_job_list *l,
                            struct err *e)
{
    json_t *arr = NULL, *o;
    size_t i, n;
    int rc;

    rc = json_required(json_get_array(root, key, &arr, e), key, e);
    if (rc != 0)
        return rc;
    n = json_array_size(arr);
    if ((rc = grow((void **)&l->items, &l->cap, l->count + n, sizeof(*l->items), e)) != 0)
        return rc;
    for (i = 0; i < n; i++) {
        if ((rc = elem_object(arr, i, key, &o, e)) != 0)
            return rc;
        if ((rc = parse_summary(o, &l->items[l->count], e)) != 0) {
            err_prefix(e, "%s[%zu]", key, i);
            return rc;
        }
        l->count++;
    }
    return 0;
}

static int list_from_json(const json_t *root, struct sagemaker_job_list *out, struct err *e)
{
    struct sagemaker_job_list l = { 0 };
    int rc;

    if ((rc = append_summaries(root, "TrainingJobSummaries", &l, e)) != 0 ||
        (rc = set_next_token(root, &l.next_token, e)) != 0) {
        sagemaker_job_list_clean(&l);
        return rc;
    }
    *out = l;
    return 0;
}

int sagemaker_parse_list_training_jobs(const char *json, size_t len,
                                       struct sagemaker_job_list *out, struct err *e)
{
    json_t *root;
    int rc = parse_text(json, len, "ListTrainingJobs response", &root, e);

    if (rc != 0)
        return rc;
    rc = list_from_json(root, out, e);
    if (rc != 0 && rc != ERR_NOMEM)
        err_prefix(e, "ListTrainingJobs response");
    json_decref(root);
    return rc;
}

/* Adds key: value when value is set. json_object_set_new failures only happen out of memory;
 * the caller checks the result object as a whole. */
static void put_str(json_t *o, const char *key, const char *value)
{
    if (value != NULL && value[0] != '\0')
        json_object_set_new(o, key, json_string(value));
}

static void put_time(json_t *o, const char *key, double t)
{
    if (t != 0) {
        /* whole seconds go as integers, as botocore sends them */
        if (t == (double)(long long)t)
            json_object_set_new(o, key, json_integer((json_int_t)t));
        else
            json_object_set_new(o, key, json_real(t));
    }
}

static void put_int(json_t *o, const char *key, long v)
{
    if (v > 0)
        json_object_set_new(o, key, json_integer(v));
}

json_t *sagemaker_list_request(const struct sagemaker_list_query *q)
{
    json_t *o = json_object();

    if (o == NULL || q == NULL)
        return o;
    put_str(o, "NameContains", q->name_contains);
    put_str(o, "StatusEquals", q->status_equals);
    put_time(o, "CreationTimeAfter", q->creation_time_after);
    put_time(o, "CreationTimeBefore", q->creation_time_before);
    put_time(o, "LastModifiedTimeAfter", q->last_modified_time_after);
    put_time(o, "LastModifiedTimeBefore", q->last_modified_time_before);
    put_str(o, "SortBy", q->sort_by);
    put_str(o, "SortOrder", q->sort_order);
    put_str(o, "WarmPoolStatusEquals", q->warm_pool_status_equals);
    put_int(o, "MaxResults", q->max_results);
    put_str(o, "NextToken", q->next_token);
    return o;
}

/* One JSON call with a request we own; takes ownership of req. */
static int call(struct aws_client *c, const char *op, json_t *req, json_t **out, struct err *e)
{
    int rc;

    if (req == NULL)
        return err_set(e, ERR_NOMEM, "SageMaker %s: out of memory building the request", op);
    rc = aws_json_call(c, AWS_SAGEMAKER, op, req, out, e);
    json_decref(req);
    return rc;
}

/* The same for a page of a paginated operation: a page that still fails with a retryable
 * error after the client's attempts is asked again (paging.h). */
static int call_page(struct aws_client *c, const char *op, json_t *req, json_t **out,
                     struct err *e)
{
    int rc;

    if (req == NULL)
        return err_set(e, ERR_NOMEM, "SageMaker %s: out of memory building the request", op);
    rc = paging_json_call(c, AWS_SAGEMAKER, op, req, out, e);
    json_decref(req);
    return rc;
}

/* Prefixes a parse failure of a live response with the operation. */
static int parsed(int rc, const char *op, struct err *e)
{
    if (rc != 0 && rc != ERR_NOMEM)
        err_prefix(e, "SageMaker %s response", op);
    return rc;
}

int sagemaker_list_training_jobs(struct aws_client *c, const struct sagemaker_list_query *q,
                                 struct sagemaker_job_list *out, struct err *e)
{
    json_t *resp = NULL;
    int rc = call_page(c, "ListTrainingJobs", sagemaker_list_request(q), &resp, e);

    if (rc != 0)
        return rc;
    rc = parsed(list_from_json(resp, out, e), "ListTrainingJobs", e);
    json_decref(resp);
    return rc;
}

int sagemaker_list_training_jobs_each(struct aws_client *c, const struct sagemaker_list_query *q,
                                      sagemaker_page_fn fn, void *ctx, struct err *e)
{
    struct sagemaker_list_query pq = { 0 };
    struct sagemaker_job_list page = { 0 };
    char *token = NULL;
    size_t pages = 0;
    int rc = 0;

    if (q != NULL)
        pq = *q;
    if (pq.max_results <= 0)
        pq.max_results = SAGEMAKER_PAGE_MAX;
    for (;;) {
        rc = sagemaker_list_training_jobs(c, &pq, &page, e);
        if (rc != 0)
            break;
        if (fn(ctx, page.items, page.count) != 0)
            break;
        if (page.next_token == NULL || page.next_token[0] == '\0')
            break;
        /* a service that hands back the token it was given would loop for ever */
        if (token != NULL && strcmp(token, page.next_token) == 0) {
            rc = err_set(e, ERR_AWS, "SageMaker ListTrainingJobs: the same NextToken came "
                         "back twice; stopping after %zu pages", pages + 1);
            break;
        }
        free(token);
        token = page.next_token;
        page.next_token = NULL;
        pq.next_token = token;
        sagemaker_job_list_clean(&page);
        pages++;
    }
    sagemaker_job_list_clean(&page);
    free(token);
    return rc;
}

struct collect_ctx {
    struct sagemaker_job_list *l;
    size_t limit;
    int rc;
    struct err *e;
};

static int collect_page(void *ctx, const struct sagemaker_job_summary *items, size_t count)
{
    struct collect_ctx *cc = ctx;
    struct sagemaker_job_list *l = cc->l;

    if (cc->limit > 0 && l->count + count > cc->limit)
        count = cc->limit - l->count;
    cc->rc = grow((void **)&l->items, &l->cap, l->count + count, sizeof(*l->items), cc->e);
    if (cc->rc != 0)
        return 1;
    memcpy(l->items + l->count, items, count * sizeof(*items));
    l->count += count;
    return cc->limit > 0 && l->count >= cc->limit;
}

int sagemaker_list_training_jobs_all(struct aws_client *c, const struct sagemaker_list_query *q,
                                     size_t limit, struct sagemaker_job_list *out,
                                     struct err *e)
{
    struct sagemaker_job_list l = { 0 };
    struct collect_ctx cc = { &l, limit, 0, e };
    int rc = sagemaker_list_training_jobs_each(c, q, collect_page, &cc, e);

    if (rc == 0)
        rc = cc.rc;
    if (rc != 0) {
        sagemaker_job_list_clean(&l);
        return rc;
    }
    *out = l;
    return 0;
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
    memset(j, 0, sizeof(*j));
}

static int parse_transitions(const json_t *o, struct sagemaker_job *j, struct err *e)
{
    json_t *arr, *t;
    size_t i, n;
    int rc = opt_array(o, "SecondaryStatusTransitions", &arr, e);

    if (rc != 0 || arr == NULL || (n = json_array_size(arr)) == 0)
        return rc;
    j->transitions = calloc(n, sizeof(*j->transitions));
    if (j->transitions == NULL)
        return err_set(e, ERR_NOMEM, "out of memory");
    for (i = 0; i < n; i++) {
        struct sagemaker_status_transition *st = &j->transitions[i];

        j->n_transitions = i + 1;
        if ((rc = elem_object(arr, i, "SecondaryStatusTransitions", &t, e)) != 0 ||
            (rc = json_required(json_get_str(t, "Status", st->status, sizeof(st->status), e),
                                "Status", e)) != 0 ||
            (rc = opt_time(t, "StartTime", &st->start_time, e)) != 0 ||
            (rc = opt_time(t, "EndTime", &st->end_time, e)) != 0 ||
            (rc = opt_strdup(t, "StatusMessage", &st->message, e)) != 0) {
            err_prefix(e, "SecondaryStatusTransitions[%zu]", i);
            return rc;
        }
    }
    return 0;
}

static int parse_algorithm(const json_t *o, struct sagemaker_job *j, struct err *e)
{
    json_t *as = NULL, *arr, *m;
    size_t i, n;
    int rc = json_optional(json_get_object(o, "AlgorithmSpecification", &as, e));

    if (rc != 0 || as == NULL)
        return rc;
    if ((rc = opt_strdup(as, "TrainingImage", &j->training_image, e)) != 0 ||
        (rc = opt_strdup(as, "AlgorithmName", &j->algorithm_name, e)) != 0 ||
        (rc = json_optional(json_get_str(as, "TrainingInputMode", j->training_input_mode,
                                         sizeof(j->training_input_mode), e))) != 0 ||
        (rc = json_optional(json_get_bool(as, "EnableSageMakerMetricsTimeSeries",
                                          &j->metrics_time_series, e))) != 0 ||
        (rc = opt_array(as, "MetricDefinitions", &arr, e)) != 0)
        goto out;
    if (arr == NULL || (n = json_array_size(arr)) == 0)
        goto out;
    j->metric_definitions = calloc(n, sizeof(*j->metric_definitions));
    if (j->metric_definitions == NULL)
        return err_set(e, ERR_NOMEM, "out of memory");
    for (i = 0; i < n; i++) {
        struct sagemaker_metric_definition *md = &j->metric_definitions[i];

        j->n_metric_definitions = i + 1;
        if ((rc = elem_object(arr, i, "MetricDefinitions", &m, e)) != 0 ||
            (rc = json_required(json_get_strdup(m, "Name", TEXT_CAP, &md->name, NULL, e),
                                "Name", e)) != 0 ||
            (rc = json_required(json_get_strdup(m, "Regex", TEXT_CAP, &md->regex, NULL, e),
                                "Regex", e)) != 0) {
            err_prefix(e, "MetricDefinitions[%zu]", i);
            goto out;
        }
    }
out:
    if (rc != 0 && rc != ERR_NOMEM)
        err_prefix(e, "AlgorithmSpecification");
    return rc;
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

static int parse_channels(const json_t *o, struct sagemaker_job *j, struct err *e)
{
    json_t *arr, *ch, *ds, *s3;
    size_t i, n;
    int rc = opt_array(o, "InputDataConfig", &arr, e);

    if (rc != 0 || arr == NULL || (n = json_array_size(arr)) == 0)
        return rc;
    j->channels = calloc(n, sizeof(*j->channels));
    if (j->channels == NULL)
        return err_set(e, ERR_NOMEM, "out of memory");
    for (i = 0; i < n; i++) {
        struct sagemaker_channel *c = &j->channels[i];

        j->n_channels = i + 1;
        ds = s3 = NULL;
        if ((rc = elem_object(arr, i, "InputDataConfig", &ch, e)) != 0 ||
            (rc = json_required(json_get_strdup(ch, "ChannelName", TEXT_CAP, &c->name, NULL,
                                                e), "ChannelName", e)) != 0 ||
            (rc = opt_strdup(ch, "ContentType", &c->content_type, e)) != 0 ||
            (rc = opt_strdup(ch, "InputMode", &c->input_mode, e)) != 0 ||
            (rc = json_optional(json_get_object(ch, "DataSource", &ds, e))) != 0)
            goto fail;
        if (ds != NULL &&
            (rc = json_optional(json_get_object(ds, "S3DataSource", &s3, e))) != 0)
            goto fail;
        if (s3 != NULL &&
            ((rc = opt_strdup(s3, "S3Uri", &c->s3_uri, e)) != 0 ||
             (rc = opt_strdup(s3, "S3DataType", &c->s3_data_type, e)) != 0))
            goto fail;
    }
    return 0;
fail:
    if (rc != ERR_NOMEM)
        err_prefix(e, "InputDataConfig[%zu]", i);
    return rc;
}

static int parse_final_metrics(const json_t *o, struct sagemaker_job *j, struct err *e)
{
    json_t *arr, *m;
    size_t i, n;
    int rc = opt_array(o, "FinalMetricDataList", &arr, e);

    if (rc != 0 || arr == NULL || (n = json_array_size(arr)) == 0)
        return rc;
    j->final_metrics = calloc(n, sizeof(*j->final_metrics));
    if (j->final_metrics == NULL)
        return err_set(e, ERR_NOMEM, "out of memory");
    for (i = 0; i < n; i++) {
        struct sagemaker_final_metric *fm = &j->final_metrics[i];

        j->n_final_metrics = i + 1;
        if ((rc = elem_object(arr, i, "FinalMetricDataList", &m, e)) != 0 ||
            (rc = opt_strdup(m, "MetricName", &fm->name, e)) != 0 ||
            (rc = json_optional(json_get_double(m, "Value", &fm->value, e))) != 0 ||
            (rc = opt_time(m, "Timestamp", &fm->timestamp, e)) != 0) {
            err_prefix(e, "FinalMetricDataList[%zu]", i);
            return rc;
        }
    }
    return 0;
}

/* The DescribeTrainingJob shape (also a Search record's TrainingJob). */
static int job_from_json(const json_t *o, struct sagemaker_job *out, struct err *e)
{
    struct sagemaker_job j;
    json_t *tags = NULL;
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
        (rc = parse_transitions(o, &j, e)) != 0 ||
        (rc = parse_algorithm(o, &j, e)) != 0 ||
        (rc = parse_map(o, "HyperParameters", &j.hyper_parameters, &j.n_hyper_parameters,
                        e)) != 0 ||
        (rc = parse_map(o, "Environment", &j.environment, &j.n_environment, e)) != 0 ||
        (rc = parse_resources(o, &j, e)) != 0 ||
        (rc = json_optional(json_get_bool(o, "EnableManagedSpotTraining", &j.managed_spot,
                                          e))) != 0 ||
        (rc = opt_long(o, "TrainingTimeInSeconds", &j.training_time_s, e)) != 0 ||
        (rc = opt_long(o, "BillableTimeInSeconds", &j.billable_time_s, e)) != 0 ||
        (rc = parse_channels(o, &j, e)) != 0 ||
        (rc = parse_final_metrics(o, &j, e)) != 0 ||
        (rc = opt_array(o, "Tags", &tags, e)) != 0)
        goto fail;
    if (tags != NULL && (rc = parse_tag_list(tags, &j.tags, &j.n_tags, e)) != 0)
        goto fail;
    /* not json_dumps(): its %.17g turns 1677672000.123 into 1677672000.1229999 */
    if ((rc = json_dump_exact(o, &j.raw_json, &j.raw_json_len, e)) != 0)
        goto fail;
    *out = j;
    return 0;
fail:
    sagemaker_job_clean(&j);
    return rc;
}

int sagemaker_parse_describe_training_job(const char *json, size_t len, struct sagemaker_job *out,
                                          struct err *e)
{
    json_t *root;
    int rc;

    if (len > SAGEMAKER_DESCRIBE_MAX_BYTES)
        return err_set(e, ERR_TOOBIG, "DescribeTrainingJob response: %zu bytes is over the "
                       "%u-byte cap", len, SAGEMAKER_DESCRIBE_MAX_BYTES);
    rc = parse_text(json, len, "DescribeTrainingJob response", &root, e);
    if (rc != 0)
        return rc;
    rc = job_from_json(root, out, e);
    if (rc != 0 && rc != ERR_NOMEM)
        err_prefix(e, "DescribeTrainingJob response");
    json_decref(root);
    return rc;
}

static json_t *name_request(const char *key, const char *name)
{
    json_t *o = json_object();

    if (o != NULL && json_object_set_new(o, key, json_string(name != NULL ? name : "")) != 0) {
        json_decref(o);
        return NULL;
    }
    return o;
}

int sagemaker_describe_training_job(struct aws_client *c, const char *name, bool with_tags,
                                    struct sagemaker_job *out, struct err *e)
{
    struct sagemaker_job j;
    json_t *resp = NULL;
    int rc;

    rc = call(c, "DescribeTrainingJob", name_request("TrainingJobName", name), &resp, e);
    if (rc != 0) {
        /* SageMaker says ValidationException "Requested resource not found." for a missing
         * job, not the modeled ResourceNotFound */
        if (rc != ERR_NOTFOUND && strstr(aws_client_last_error_code(c), "ValidationException") &&
            e != NULL && strstr(e->msg, "not found") != NULL)
            rc = e->code = ERR_NOTFOUND;
        return rc;
    }
    rc = parsed(job_from_json(resp, &j, e), "DescribeTrainingJob", e);
    json_decref(resp);
    if (rc != 0)
        return rc;
    if (with_tags && (rc = sagemaker_list_tags(c, j.arn, &j.tags, &j.n_tags, e)) != 0) {
        sagemaker_job_clean(&j);
        return rc;
    }
    *out = j;
    return 0;
}

/* ---- ListTags ---------------------------------------------------------------------------- */

static int tags_from_json(const json_t *root, struct sagemaker_kv **out, size_t *n_out,
                          char **next_token, struct err *e)
{
    struct sagemaker_kv *kv = NULL;
    size_t n = 0;
    char *token = NULL;
    json_t *arr;
    int rc;

    if ((rc = opt_array(root, "Tags", &arr, e)) != 0 ||
        (arr != NULL && (rc = parse_tag_list(arr, &kv, &n, e)) != 0))
        return rc;
    if ((rc = set_next_token(root, &token, e)) != 0) {
        sagemaker_kv_free(kv, n);
        return rc;
    }
    *out = kv;
    *n_out = n;
    if (next_token != NULL)
        *next_token = token;
    else
        free(token);
    return 0;
}

int sagemaker_parse_list_tags(const char *json, size_t len, struct sagemaker_kv **out,
                              size_t *n_out, char **next_token, struct err *e)
{
    json_t *root;
    int rc = parse_text(json, len, "ListTags response", &root, e);

    if (rc != 0)
        return rc;
    rc = tags_from_json(root, out, n_out, next_token, e);
    if (rc != 0 && rc != ERR_NOMEM)
        err_prefix(e, "ListTags response");
    json_decref(root);
    return rc;
}

int sagemaker_list_tags(struct aws_client *c, const char *arn, struct sagemaker_kv **out,
                        size_t *n_out, struct err *e)
{
    struct sagemaker_kv *all = NULL, *page, *p;
    size_t n_all = 0, n_page;
    char *token = NULL;
    json_t *req, *resp;
    int rc;

    do {
        req = name_request("ResourceArn", arn);
        if (req != NULL && token != NULL)
            json_object_set_new(req, "NextToken", json_string(token));
        resp = NULL;
        if ((rc = call_page(c, "ListTags", req, &resp, e)) != 0)
            goto fail;
        free(token);
        token = NULL;
        page = NULL;
        n_page = 0;
        rc = parsed(tags_from_json(resp, &page, &n_page, &token, e), "ListTags", e);
        json_decref(resp);
        if (rc != 0)
            goto fail;
        if (n_page > 0) {
            p = realloc(all, (n_all + n_page) * sizeof(*all));
            if (p == NULL) {
                sagemaker_kv_free(page, n_page);
                rc = err_set(e, ERR_NOMEM, "out of memory");
                goto fail;
            }
            all = p;
            memcpy(all + n_all, page, n_page * sizeof(*page));
            n_all += n_page;
            free(page);
        }
    } while (token != NULL && token[0] != '\0');
    free(token);
    *out = all;
    *n_out = n_all;
    return 0;
fail:
    free(token);
    sagemaker_kv_free(all, n_all);
    return rc;
}

/* ---- CreateTrainingJob / StopTrainingJob ----------------------------------------------- */

static int arn_from_json(const json_t *root, char *arn_out, size_t arn_len, struct err *e)
{
    char arn[SAGEMAKER_ARN_MAX];
    int rc = json_required(json_get_str(root, "TrainingJobArn", arn, sizeof(arn), e),
                           "TrainingJobArn", e);

    if (rc != 0)
        return rc;
    if (strlen(arn) >= arn_len)
        return err_set(e, ERR_TOOBIG, "TrainingJobArn does not fit in %zu bytes", arn_len);
    strcpy(arn_out, arn);
    return 0;
}

int sagemaker_parse_create_training_job(const char *json, size_t len, char *arn_out,
                                        size_t arn_len, struct err *e)
{
    json_t *root;
    int rc = parse_text(json, len, "CreateTrainingJob response", &root, e);

    if (rc != 0)
        return rc;
    rc = arn_from_json(root, arn_out, arn_len, e);
    if (rc != 0 && rc != ERR_NOMEM)
        err_prefix(e, "CreateTrainingJob response");
    json_decref(root);
    return rc;
}

int sagemaker_create_training_job(struct aws_client *c, const json_t *request, char *arn_out,
                                  size_t arn_len, struct err *e)
{
    json_t *resp = NULL;
    int rc;

    if (!json_is_object(request))
        return err_set(e, ERR_INVAL, "SageMaker CreateTrainingJob: the request is not an "
                       "object");
    /* the message of a ValidationException is the user's only clue: pass it through as is */
    rc = aws_json_call(c, AWS_SAGEMAKER, "CreateTrainingJob", request, &resp, e);
    if (rc != 0)
        return rc;
    rc = parsed(arn_from_json(resp, arn_out, arn_len, e), "CreateTrainingJob", e);
    json_decref(resp);
    return rc;
}

int sagemaker_stop_training_job(struct aws_client *c, const char *name, struct err *e)
{
    json_t *resp = NULL;
    int rc = call(c, "StopTrainingJob", name_request("TrainingJobName", name), &resp, e);

    if (rc == 0)
        json_decref(resp);
    else if (rc != ERR_NOTFOUND && strstr(aws_client_last_error_code(c), "ValidationException")
             && e != NULL && strstr(e->msg, "not found") != NULL)
        rc = e->code = ERR_NOTFOUND;
    return rc;
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

json_t *sagemaker_search_request(const struct sagemaker_search_query *q)
{
    json_t *o = json_object(), *expr, *filters, *f;
    size_t i;

    if (o == NULL)
        return NULL;
    json_object_set_new(o, "Resource", json_string("TrainingJob"));
    if (q == NULL)
        return o;
    if (q->n_filters > 0) {
        expr = json_object();
        filters = json_array();
        if (expr == NULL || filters == NULL) {
            json_decref(expr);
            json_decref(filters);
            json_decref(o);
            return NULL;
        }
        for (i = 0; i < q->n_filters; i++) {
            f = json_object();
            put_str(f, "Name", q->filters[i].name);
            put_str(f, "Operator", q->filters[i].op);
            if (q->filters[i].value != NULL)
                json_object_set_new(f, "Value", json_string(q->filters[i].value));
            json_array_append_new(filters, f);
        }
        json_object_set_new(expr, "Filters", filters);
        put_str(expr, "Operator", q->boolean_operator);
        json_object_set_new(o, "SearchExpression", expr);
    }
    put_str(o, "SortBy", q->sort_by);
    put_str(o, "SortOrder", q->sort_order);
    put_int(o, "MaxResults", q->max_results);
    put_str(o, "NextToken", q->next_token);
    return o;
}

static int search_from_json(const json_t *root, struct sagemaker_search_page *out,
                            struct err *e)
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
        if ((rc = job_from_json(tj, &p.jobs[p.count], e)) != 0) {
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
    *out = p;
    return 0;
fail:
    sagemaker_search_page_clean(&p);
    return rc;
}

int sagemaker_parse_search(const char *json, size_t len, struct sagemaker_search_page *out,
                           struct err *e)
{
    json_t *root;
    int rc = parse_text(json, len, "Search response", &root, e);

    if (rc != 0)
        return rc;
    rc = search_from_json(root, out, e);
    if (rc != 0 && rc != ERR_NOMEM)
        err_prefix(e, "Search response");
    json_decref(root);
    return rc;
}

int sagemaker_search(struct aws_client *c, const struct sagemaker_search_query *q,
                     struct sagemaker_search_page *out, struct err *e)
{
    json_t *resp = NULL;
    int rc = call_page(c, "Search", sagemaker_search_request(q), &resp, e);

    if (rc != 0)
        return rc;
    rc = parsed(search_from_json(resp, out, e), "Search", e);
    json_decref(resp);
    return rc;
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

static int parse_tuning(const json_t *o, struct sagemaker_tuning_summary *t, struct err *e)
{
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

static int tuning_from_json(const json_t *root, struct sagemaker_tuning_list *out,
                            struct err *e)
{
    struct sagemaker_tuning_list l = { 0 };
    const char *key = "HyperParameterTuningJobSummaries";
    json_t *arr = NULL, *o;
    size_t i, n;
    int rc = json_required(json_get_array(root, key, &arr, e), key, e);

    if (rc != 0)
        return rc;
    n = json_array_size(arr);
    if (n > 0 && (l.items = calloc(n, sizeof(*l.items))) == NULL)
        return err_set(e, ERR_NOMEM, "out of memory");
    for (i = 0; i < n; i++) {
        if ((rc = elem_object(arr, i, key, &o, e)) != 0)
            goto fail;
        if ((rc = parse_tuning(o, &l.items[i], e)) != 0) {
            err_prefix(e, "%s[%zu]", key, i);
            goto fail;
        }
        l.count++;
    }
    if ((rc = set_next_token(root, &l.next_token, e)) != 0)
        goto fail;
    *out = l;
    return 0;
fail:
    sagemaker_tuning_list_clean(&l);
    return rc;
}

int sagemaker_parse_list_tuning_jobs(const char *json, size_t len,
                                     struct sagemaker_tuning_list *out, struct err *e)
{
    json_t *root;
    int rc = parse_text(json, len, "ListHyperParameterTuningJobs response", &root, e);

    if (rc != 0)
        return rc;
    rc = tuning_from_json(root, out, e);
    if (rc != 0 && rc != ERR_NOMEM)
        err_prefix(e, "ListHyperParameterTuningJobs response");
    json_decref(root);
    return rc;
}

int sagemaker_list_tuning_jobs(struct aws_client *c, const struct sagemaker_list_query *q,
                               struct sagemaker_tuning_list *out, struct err *e)
{
    json_t *req = sagemaker_list_request(q), *resp = NULL;
    int rc;

    /* no WarmPoolStatusEquals on this operation */
    if (req != NULL)
        json_object_del(req, "WarmPoolStatusEquals");
    if ((rc = call_page(c, "ListHyperParameterTuningJobs", req, &resp, e)) != 0)
        return rc;
    rc = parsed(tuning_from_json(resp, out, e), "ListHyperParameterTuningJobs", e);
    json_decref(resp);
    return rc;
}

void sagemaker_trial_list_clean(struct sagemaker_trial_list *l)
{
    size_t i;

    if (l == NULL)
        return;
    for (i = 0; i < l->count; i++) {
        sagemaker_kv_free(l->items[i].tuned_hyper_parameters,
                          l->items[i].n_tuned_hyper_parameters);
        free(l->items[i].failure_reason);
        free(l->items[i].objective_metric);
    }
    free(l->items);
    free(l->next_token);
    memset(l, 0, sizeof(*l));
}

static int parse_trial(const json_t *o, struct sagemaker_tuning_trial *t, struct err *e)
{
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

static int trials_from_json(const json_t *root, struct sagemaker_trial_list *out,
                            struct err *e)
{
    struct sagemaker_trial_list l = { 0 };
    const char *key = "TrainingJobSummaries";
    json_t *arr = NULL, *o;
    size_t i, n;
    int rc = json_required(json_get_array(root, key, &arr, e), key, e);

    if (rc != 0)
        return rc;
    n = json_array_size(arr);
    if (n > 0 && (l.items = calloc(n, sizeof(*l.items))) == NULL)
        return err_set(e, ERR_NOMEM, "out of memory");
    for (i = 0; i < n; i++) {
        if ((rc = elem_object(arr, i, key, &o, e)) != 0)
            goto fail;
        l.count++;
        if ((rc = parse_trial(o, &l.items[i], e)) != 0) {
            err_prefix(e, "%s[%zu]", key, i);
            goto fail;
        }
    }
    if ((rc = set_next_token(root, &l.next_token, e)) != 0)
        goto fail;
    *out = l;
    return 0;
fail:
    sagemaker_trial_list_clean(&l);
    return rc;
}

int sagemaker_parse_list_training_jobs_for_tuning_job(const char *json, size_t len,
                                                      struct sagemaker_trial_list *out,
                                                      struct err *e)
{
    json_t *root;
    int rc = parse_text(json, len, "ListTrainingJobsForHyperParameterTuningJob response",
                        &root, e);

    if (rc != 0)
        return rc;
    rc = trials_from_json(root, out, e);
    if (rc != 0 && rc != ERR_NOMEM)
        err_prefix(e, "ListTrainingJobsForHyperParameterTuningJob response");
    json_decref(root);
    return rc;
}

int sagemaker_list_training_jobs_for_tuning_job(struct aws_client *c, const char *tuning_job,
                                                const struct sagemaker_list_query *q,
                                                struct sagemaker_trial_list *out, struct err *e)
{
    json_t *req = name_request("HyperParameterTuningJobName", tuning_job), *resp = NULL;
    int rc;

    if (req != NULL && q != NULL) {
        put_str(req, "StatusEquals", q->status_equals);
        put_str(req, "SortBy", q->sort_by);
        put_str(req, "SortOrder", q->sort_order);
        put_int(req, "MaxResults", q->max_results);
        put_str(req, "NextToken", q->next_token);
    }
    if ((rc = call_page(c, "ListTrainingJobsForHyperParameterTuningJob", req, &resp, e)) != 0)
        return rc;
    rc = parsed(trials_from_json(resp, out, e), "ListTrainingJobsForHyperParameterTuningJob", e);
    json_decref(resp);
    return rc;
}
