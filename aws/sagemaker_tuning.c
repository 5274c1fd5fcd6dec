/* sagemaker_tuning.c: DescribeHyperParameterTuningJob parsed into struct sagemaker_tuning_job,
 * and the listings of tuning jobs and of a tuning job's training jobs followed to their last
 * page.
 *
 * Owns the describe document's shape (HyperParameterTuningJobConfig, TrainingJobDefinition,
 * the counters, BestTrainingJob, WarmStartConfig) as botocore's model has it. The one-page
 * calls, the summaries and the trial rows are sagemaker.c's and sagemaker_parse.c's; signing
 * and retries are client.c's. Must not print, exit or keep references to inputs. */
#include "aws/sagemaker_tuning.h"

#include <stdlib.h>
#include <string.h>

#include "aws/dynbuf.h"
#include "aws/sagemaker_internal.h"

#define RANGE_TEXT_CAP 256u             /* MinValue, MaxValue, a categorical value: 256 */
#define TUNING_TEXT_CAP (64u * 1024u)

const char *sagemaker_range_kind_name(enum sagemaker_range_kind k)
{
    switch (k) {
    case SAGEMAKER_RANGE_CONTINUOUS: return "continuous";
    case SAGEMAKER_RANGE_INTEGER: return "integer";
    case SAGEMAKER_RANGE_CATEGORICAL: return "categorical";
    }
    return "?";
}

static void range_clean(struct sagemaker_param_range *r)
{
    size_t i;

    free(r->name);
    free(r->min_value);
    free(r->max_value);
    for (i = 0; i < r->n_values; i++)
        free(r->values[i]);
    free(r->values);
}

void sagemaker_tuning_job_clean(struct sagemaker_tuning_job *t)
{
    size_t i;

    if (t == NULL)
        return;
    free(t->failure_reason);
    free(t->objective_metric);
    for (i = 0; i < t->n_ranges; i++)
        range_clean(&t->ranges[i]);
    free(t->ranges);
    free(t->training_image);
    for (i = 0; i < t->n_metric_definitions; i++) {
        free(t->metric_definitions[i].name);
        free(t->metric_definitions[i].regex);
    }
    free(t->metric_definitions);
    sagemaker_kv_free(t->static_hyper_parameters, t->n_static_hyper_parameters);
    sagemaker_trial_clean(&t->best);
    free(t->parents);
    free(t->raw_json);
    memset(t, 0, sizeof(*t));
}

/* ---- small readers ----------------------------------------------------------------------- */

static int get_int(const json_t *o, const char *key, int *out, struct err *e)
{
    int64_t v = 0;
    int rc = json_optional(json_get_int64(o, key, &v, e));

    if (rc == 0 && json_object_get(o, key) != NULL) {
        if (v < 0 || v > 2147483647)
            return err_set(e, ERR_PARSE, "member \"%s\" is out of range", key);
        *out = (int)v;
    }
    return rc;
}

/* An optional sub-object (NULL when absent). */
static int sub(const json_t *o, const char *key, json_t **out, struct err *e)
{
    *out = NULL;
    return json_optional(json_get_object(o, key, out, e));
}

static int get_text(const json_t *o, const char *key, char **out, struct err *e)
{
    return json_optional(json_get_strdup(o, key, TUNING_TEXT_CAP, out, NULL, e));
}

/* ---- parameter ranges -------------------------------------------------------------------- */

static int read_bounds(const json_t *o, struct sagemaker_param_range *r, struct err *e)
{
    int rc;

    if ((rc = json_required(json_get_strdup(o, "Name", RANGE_TEXT_CAP, &r->name, NULL, e),
                            "Name", e)) != 0 ||
        (rc = json_required(json_get_strdup(o, "MinValue", RANGE_TEXT_CAP, &r->min_value, NULL,
                                            e), "MinValue", e)) != 0 ||
        (rc = json_required(json_get_strdup(o, "MaxValue", RANGE_TEXT_CAP, &r->max_value, NULL,
                                            e), "MaxValue", e)) != 0)
        return rc;
    return json_optional(json_get_str(o, "ScalingType", r->scaling, sizeof(r->scaling), e));
}

static int read_categorical(const json_t *o, struct sagemaker_param_range *r, struct err *e)
{
    json_t *vals = NULL, *v;
    size_t i;
    int rc;

    if ((rc = json_required(json_get_strdup(o, "Name", RANGE_TEXT_CAP, &r->name, NULL, e),
                            "Name", e)) != 0 ||
        (rc = json_required(json_get_array(o, "Values", &vals, e), "Values", e)) != 0)
        return rc;
    if (json_array_size(vals) == 0)
        return 0;
    if ((r->values = calloc(json_array_size(vals), sizeof(*r->values))) == NULL)
        return err_set(e, ERR_NOMEM, "out of memory");
    json_array_foreach(vals, i, v) {
        if (!json_is_string(v) || json_string_length(v) > RANGE_TEXT_CAP)
            return err_set(e, ERR_PARSE, "Values[%zu] is not a string", i);
        if ((r->values[i] = strndup(json_string_value(v), json_string_length(v))) == NULL)
            return err_set(e, ERR_NOMEM, "out of memory");
        r->n_values = i + 1;
    }
    return 0;
}

/* One list of ParameterRanges appended to t->ranges. */
static int read_ranges(const json_t *pr, const char *key, enum sagemaker_range_kind kind,
                       struct sagemaker_tuning_job *t, struct err *e)
{
    json_t *arr = NULL, *o;
    size_t i, cap = t->n_ranges;
    int rc = json_optional(json_get_array(pr, key, &arr, e));

    if (rc != 0 || arr == NULL || json_array_size(arr) == 0)
        return rc;
    if (vec_grow((void **)&t->ranges, &cap, t->n_ranges + json_array_size(arr),
                 sizeof(*t->ranges)) != 0)
        return err_set(e, ERR_NOMEM, "out of memory");
    json_array_foreach(arr, i, o) {
        struct sagemaker_param_range *r = &t->ranges[t->n_ranges];

        memset(r, 0, sizeof(*r));
        r->kind = kind;
        t->n_ranges++;
        if (!json_is_object(o))
            return err_set(e, ERR_PARSE, "%s[%zu] is not an object", key, i);
        rc = kind == SAGEMAKER_RANGE_CATEGORICAL ? read_categorical(o, r, e)
                                                 : read_bounds(o, r, e);
        if (rc != 0) {
            if (rc != ERR_NOMEM)
                err_prefix(e, "%s[%zu]", key, i);
            return rc;
        }
    }
    return 0;
}

/* ---- HyperParameterTuningJobConfig ------------------------------------------------------- */

static int read_config(const json_t *cfg, struct sagemaker_tuning_job *t, struct err *e)
{
    json_t *obj, *lim, *pr, *sc, *hb = NULL;
    int rc;

    if ((rc = json_optional(json_get_str(cfg, "Strategy", t->strategy, sizeof(t->strategy),
                                         e))) != 0 ||
        (rc = json_optional(json_get_str(cfg, "TrainingJobEarlyStoppingType",
                                         t->early_stopping, sizeof(t->early_stopping), e))) != 0 ||
        (rc = sub(cfg, "HyperParameterTuningJobObjective", &obj, e)) != 0 ||
        (rc = sub(cfg, "ResourceLimits", &lim, e)) != 0 ||
        (rc = sub(cfg, "ParameterRanges", &pr, e)) != 0 ||
        (rc = sub(cfg, "StrategyConfig", &sc, e)) != 0 ||
        (sc != NULL && (rc = sub(sc, "HyperbandStrategyConfig", &hb, e)) != 0))
        return rc;
    if (obj != NULL &&
        ((rc = json_optional(json_get_str(obj, "Type", t->objective_type,
                                          sizeof(t->objective_type), e))) != 0 ||
         (rc = get_text(obj, "MetricName", &t->objective_metric, e)) != 0))
        return rc;
    if (lim != NULL) {
        int64_t rt = 0;

        if ((rc = get_int(lim, "MaxNumberOfTrainingJobs", &t->max_jobs, e)) != 0 ||
            (rc = get_int(lim, "MaxParallelTrainingJobs", &t->max_parallel_jobs, e)) != 0 ||
            (rc = json_optional(json_get_int64(lim, "MaxRuntimeInSeconds", &rt, e))) != 0)
            return rc;
        t->max_runtime_s = (long)rt;
    }
    if (hb != NULL &&
        ((rc = get_int(hb, "MinResource", &t->hyperband_min_resource, e)) != 0 ||
         (rc = get_int(hb, "MaxResource", &t->hyperband_max_resource, e)) != 0))
        return rc;
    if (pr != NULL &&
        ((rc = read_ranges(pr, "IntegerParameterRanges", SAGEMAKER_RANGE_INTEGER, t, e)) != 0 ||
         (rc = read_ranges(pr, "ContinuousParameterRanges", SAGEMAKER_RANGE_CONTINUOUS, t,
                           e)) != 0 ||
         (rc = read_ranges(pr, "CategoricalParameterRanges", SAGEMAKER_RANGE_CATEGORICAL, t,
                           e)) != 0)) {
        if (rc != ERR_NOMEM)
            err_prefix(e, "ParameterRanges");
        return rc;
    }
    return 0;
}

/* TrainingJobDefinition, or the first of TrainingJobDefinitions. Ranges given only in the
 * definition (HyperParameterRanges: multi-algorithm tuning) are read from there. */
static int read_definition(const json_t *root, struct sagemaker_tuning_job *t, struct err *e)
{
    json_t *def = NULL, *defs = NULL, *as = NULL, *rc_cfg = NULL, *hpr = NULL;
    int rc = sub(root, "TrainingJobDefinition", &def, e);

    if (rc == 0 && def == NULL &&
        (rc = json_optional(json_get_array(root, "TrainingJobDefinitions", &defs, e))) == 0 &&
        defs != NULL && json_is_object(json_array_get(defs, 0)))
        def = json_array_get(defs, 0);
    if (rc != 0 || def == NULL)
        return rc;
    if ((rc = sub(def, "AlgorithmSpecification", &as, e)) != 0 ||
        (rc = sub(def, "ResourceConfig", &rc_cfg, e)) != 0 ||
        (rc = sub(def, "HyperParameterRanges", &hpr, e)) != 0 ||
        (rc = sagemaker_parse_kv_map(def, "StaticHyperParameters", &t->static_hyper_parameters,
                                     &t->n_static_hyper_parameters, e)) != 0)
        return rc;
    if (as != NULL &&
        ((rc = get_text(as, "TrainingImage", &t->training_image, e)) != 0 ||
         (rc = sagemaker_parse_opt_items(as, "MetricDefinitions",
                                         sizeof(*t->metric_definitions),
                                         sagemaker_parse_metric_definition_item,
                                         (void **)&t->metric_definitions,
                                         &t->n_metric_definitions, e)) != 0))
        return rc;
    if (rc_cfg != NULL &&
        ((rc = json_optional(json_get_str(rc_cfg, "InstanceType", t->instance_type,
                                          sizeof(t->instance_type), e))) != 0 ||
         (rc = get_int(rc_cfg, "InstanceCount", &t->instance_count, e)) != 0))
        return rc;
    if (hpr != NULL && t->n_ranges == 0 &&
        ((rc = read_ranges(hpr, "IntegerParameterRanges", SAGEMAKER_RANGE_INTEGER, t, e)) != 0 ||
         (rc = read_ranges(hpr, "ContinuousParameterRanges", SAGEMAKER_RANGE_CONTINUOUS, t,
                           e)) != 0 ||
         (rc = read_ranges(hpr, "CategoricalParameterRanges", SAGEMAKER_RANGE_CATEGORICAL, t,
                           e)) != 0))
        return rc;
    return 0;
}

/* ---- counters, best job, warm start ------------------------------------------------------ */

static int read_counters(const json_t *root, struct sagemaker_tuning_job *t, struct err *e)
{
    json_t *tc, *oc;
    int rc;

    if ((rc = sub(root, "TrainingJobStatusCounters", &tc, e)) != 0 ||
        (rc = sub(root, "ObjectiveStatusCounters", &oc, e)) != 0)
        return rc;
    if (tc != NULL &&
        ((rc = get_int(tc, "Completed", &t->completed, e)) != 0 ||
         (rc = get_int(tc, "InProgress", &t->in_progress, e)) != 0 ||
         (rc = get_int(tc, "RetryableError", &t->retryable_error, e)) != 0 ||
         (rc = get_int(tc, "NonRetryableError", &t->non_retryable_error, e)) != 0 ||
         (rc = get_int(tc, "Stopped", &t->stopped, e)) != 0))
        return rc;
    if (oc != NULL &&
        ((rc = get_int(oc, "Succeeded", &t->objective_succeeded, e)) != 0 ||
         (rc = get_int(oc, "Pending", &t->objective_pending, e)) != 0 ||
         (rc = get_int(oc, "Failed", &t->objective_failed, e)) != 0))
        return rc;
    return 0;
}

static int read_warm_start(const json_t *root, struct sagemaker_tuning_job *t, struct err *e)
{
    json_t *ws, *parents = NULL, *p;
    size_t i;
    int rc;

    if ((rc = sub(root, "WarmStartConfig", &ws, e)) != 0 || ws == NULL)
        return rc;
    if ((rc = json_optional(json_get_str(ws, "WarmStartType", t->warm_start_type,
                                         sizeof(t->warm_start_type), e))) != 0 ||
        (rc = json_optional(json_get_array(ws, "ParentHyperParameterTuningJobs", &parents,
                                           e))) != 0)
        return rc;
    if (parents == NULL || json_array_size(parents) == 0)
        return 0;
    if ((t->parents = calloc(json_array_size(parents), sizeof(*t->parents))) == NULL)
        return err_set(e, ERR_NOMEM, "out of memory");
    json_array_foreach(parents, i, p) {
        if (!json_is_object(p) ||
            (rc = json_required(json_get_str(p, "HyperParameterTuningJobName", t->parents[i],
                                             sizeof(t->parents[i]), e),
                                "HyperParameterTuningJobName", e)) != 0) {
            err_set(e, ERR_PARSE, "WarmStartConfig.ParentHyperParameterTuningJobs[%zu] is not "
                    "a tuning job reference", i);
            return ERR_PARSE;
        }
        t->n_parents = i + 1;
    }
    return 0;
}

static int read_best(const json_t *root, struct sagemaker_tuning_job *t, struct err *e)
{
    json_t *b;
    int rc = sub(root, "BestTrainingJob", &b, e);

    if (rc != 0 || b == NULL)
        return rc;
    if ((rc = sagemaker_parse_trial_item(b, &t->best, e)) != 0) {
        if (rc != ERR_NOMEM)
            err_prefix(e, "BestTrainingJob");
        return rc;
    }
    t->has_best = true;
    return 0;
}

static int tuning_json(const json_t *root, void *out, struct err *e)
{
    struct sagemaker_tuning_job t;
    json_t *cfg = NULL;
    int rc;

    memset(&t, 0, sizeof(t));
    if ((rc = json_required(json_get_str(root, "HyperParameterTuningJobName", t.name,
                                         sizeof(t.name), e),
                            "HyperParameterTuningJobName", e)) != 0 ||
        (rc = json_optional(json_get_str(root, "HyperParameterTuningJobArn", t.arn,
                                         sizeof(t.arn), e))) != 0 ||
        (rc = json_required(json_get_str(root, "HyperParameterTuningJobStatus", t.status,
                                         sizeof(t.status), e),
                            "HyperParameterTuningJobStatus", e)) != 0 ||
        (rc = get_text(root, "FailureReason", &t.failure_reason, e)) != 0 ||
        (rc = json_optional(json_get_time(root, "CreationTime", &t.creation_time, e))) != 0 ||
        (rc = json_optional(json_get_time(root, "HyperParameterTuningEndTime", &t.end_time,
                                          e))) != 0 ||
        (rc = json_optional(json_get_time(root, "LastModifiedTime", &t.last_modified_time,
                                          e))) != 0 ||
        (rc = json_required(json_get_object(root, "HyperParameterTuningJobConfig", &cfg, e),
                            "HyperParameterTuningJobConfig", e)) != 0 ||
        (rc = read_config(cfg, &t, e)) != 0 ||
        (rc = read_definition(root, &t, e)) != 0 ||
        (rc = read_counters(root, &t, e)) != 0 ||
        (rc = read_best(root, &t, e)) != 0 ||
        (rc = read_warm_start(root, &t, e)) != 0 ||
        (rc = json_dump_exact(root, &t.raw_json, &t.raw_json_len, e)) != 0) {
        sagemaker_tuning_job_clean(&t);
        return rc;
    }
    *(struct sagemaker_tuning_job *)out = t;
    return 0;
}

int sagemaker_parse_describe_tuning_job(const char *json, size_t len,
                                        struct sagemaker_tuning_job *out, struct err *e)
{
    return json_parse_doc(json, len, "DescribeHyperParameterTuningJob response", tuning_json,
                          out, e);
}

int sagemaker_describe_tuning_job(struct aws_client *c, const char *name,
                                  struct sagemaker_tuning_job *out, struct err *e)
{
    const char *op = "DescribeHyperParameterTuningJob";
    json_t *resp = NULL;
    int rc = sagemaker_call(c, op, sagemaker_name_request("HyperParameterTuningJobName", name),
                            &resp, e);

    if (rc != 0) {
        if (rc != ERR_NOTFOUND && strstr(aws_client_last_error_code(c), "ValidationException")
            && e != NULL && strstr(e->msg, "not found") != NULL)
            rc = e->code = ERR_NOTFOUND;
        return rc;
    }
    rc = sagemaker_parsed(tuning_json(resp, out, e), op, e);
    json_decref(resp);
    return rc;
}

/* ---- every page ---------------------------------------------------------------------------- */

/* One page of a listing, its rows handed over (*items malloc'ed, *next NULL on the last page). */
typedef int (*page_fn)(struct aws_client *c, const char *name,
                       const struct sagemaker_list_query *q, void **items, size_t *count,
                       char **next, struct err *e);

struct listing {
    const char *op;
    size_t elem;
    page_fn page;
    void (*free_items)(void *items, size_t count);   /* rows and the array */
};

static int tuning_page(struct aws_client *c, const char *name,
                       const struct sagemaker_list_query *q, void **items, size_t *count,
                       char **next, struct err *e)
{
    struct sagemaker_tuning_list l = { 0 };
    int rc = sagemaker_list_tuning_jobs(c, q, &l, e);

    (void)name;
    if (rc == 0) {
        *items = l.items;
        *count = l.count;
        *next = l.next_token;
    }
    return rc;
}

static void tuning_free(void *items, size_t count)
{
    (void)count;
    free(items);
}

static int trial_page(struct aws_client *c, const char *name,
                      const struct sagemaker_list_query *q, void **items, size_t *count,
                      char **next, struct err *e)
{
    struct sagemaker_trial_list l = { 0 };
    int rc = sagemaker_list_training_jobs_for_tuning_job(c, name, q, &l, e);

    if (rc == 0) {
        *items = l.items;
        *count = l.count;
        *next = l.next_token;
    }
    return rc;
}

static void trial_free(void *items, size_t count)
{
    struct sagemaker_trial_list l = { items, count, NULL };

    sagemaker_trial_list_clean(&l);
}

/* Every page of a listing into one array (100 rows a page unless q says). A NextToken that
 * comes back as the one sent would page for ever: an error. */
static int list_all(const struct listing *li, struct aws_client *c, const char *name,
                    const struct sagemaker_list_query *q, void **out, size_t *n_out,
                    struct err *e)
{
    struct sagemaker_list_query pq = { 0 };
    void *all = NULL, *items;
    size_t n = 0, cap = 0, count, pages = 0;
    char *token = NULL, *next;
    int rc;

    if (q != NULL)
        pq = *q;
    if (pq.max_results <= 0)
        pq.max_results = SAGEMAKER_PAGE_MAX;
    for (;;) {
        items = NULL;
        next = NULL;
        count = 0;
        if ((rc = li->page(c, name, &pq, &items, &count, &next, e)) != 0)
            break;
        pages++;
        if (count > 0 && vec_grow(&all, &cap, n + count, li->elem) != 0) {
            li->free_items(items, count);
            free(next);
            rc = err_set(e, ERR_NOMEM, "out of memory");
            break;
        }
        /* the rows move to all: their strings are all's to free now */
        if (count > 0)
            memcpy((char *)all + n * li->elem, items, count * li->elem);
        n += count;
        free(items);
        if (next == NULL || next[0] == '\0') {
            free(next);
            break;
        }
        if (token != NULL && strcmp(token, next) == 0) {
            free(next);
            rc = err_set(e, ERR_AWS, "SageMaker %s: the same NextToken came back twice; "
                         "stopping after %zu pages", li->op, pages);
            break;
        }
        free(token);
        token = next;
        pq.next_token = token;
    }
    free(token);
    if (rc != 0) {
        li->free_items(all, n);
        return rc;
    }
    *out = all;
    *n_out = n;
    return 0;
}

int sagemaker_list_tuning_jobs_all(struct aws_client *c, const struct sagemaker_list_query *q,
                                   struct sagemaker_tuning_list *out, struct err *e)
{
    static const struct listing li = { "ListHyperParameterTuningJobs",
                                       sizeof(struct sagemaker_tuning_summary), tuning_page,
                                       tuning_free };
    struct sagemaker_tuning_list l = { 0 };
    int rc = list_all(&li, c, NULL, q, (void **)&l.items, &l.count, e);

    if (rc == 0)
        *out = l;
    return rc;
}

int sagemaker_list_trials_all(struct aws_client *c, const char *tuning_job,
                              const struct sagemaker_list_query *q,
                              struct sagemaker_trial_list *out, struct err *e)
{
    static const struct listing li = { "ListTrainingJobsForHyperParameterTuningJob",
                                       sizeof(struct sagemaker_tuning_trial), trial_page,
                                       trial_free };
    struct sagemaker_trial_list l = { 0 };
    int rc = list_all(&li, c, tuning_job, q, (void **)&l.items, &l.count, e);

    if (rc == 0)
        *out = l;
    return rc;
}
