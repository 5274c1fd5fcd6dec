/* tuning_request.c: the CreateHyperParameterTuningJob request that the SageMaker Python SDK's
 * HyperparameterTuner(estimator, ...).fit() sends (tuning.h names the source followed), for an
 * estimator given as the CreateTrainingJob request of the source training job (a re-launch of
 * it), or as the TrainingJobDefinition of a parent tuning job (HyperparameterTuner.attach()).
 * Members are added in the SDK's order, so a dry run prints what the SDK would send.
 *
 * Owns: the mapping training request -> TrainingJobDefinition, the tuning configuration and
 * the tuning job's default name. Must not: check what AWS checks (tuning_validate.c), do I/O,
 * read the clock or print. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "launch/estimator_internal.h"
#include "launch/tuning.h"

void tuning_default_name(const char *base, double now, char *out, size_t size)
{
    time_t t = (time_t)now;
    struct tm tm;
    char ts[32];
    size_t keep;

    /* sagemaker_short_timestamp(): time.strftime("%y%m%d-%H%M"), in the local time of the
     * SDK's machine; here UTC, as on a SageMaker notebook and as the training job names */
    gmtime_r(&t, &tm);
    snprintf(ts, sizeof(ts), "%02d%02d%02d-%02d%02d", tm.tm_year % 100, tm.tm_mon + 1,
             tm.tm_mday, tm.tm_hour, tm.tm_min);
    keep = TUNING_NAME_MAX - strlen(ts) - 1;
    snprintf(out, size, "%.*s-%s", (int)(strlen(base) < keep ? strlen(base) : keep), base, ts);
}

/* The estimator class a script-mode image belongs to (the SDK adds it to the static
 * hyperparameters of a Framework estimator, for attach()); NULL for another image. */
struct framework_class {
    const char *repo_prefix;
    const char *name;
    const char *module;
};

static const struct framework_class framework_classes[] = {
    { "huggingface-", "HuggingFace", "sagemaker.huggingface.estimator" },
    { "pytorch-", "PyTorch", "sagemaker.pytorch.estimator" },
    { "tensorflow-", "TensorFlow", "sagemaker.tensorflow.estimator" },
    { NULL, NULL, NULL },
};

static const struct framework_class *framework_of(const char *image)
{
    char repo[256];

    estimator_base_from_image(image ? image : "", repo, sizeof(repo));
    for (const struct framework_class *f = framework_classes; f->repo_prefix; f++)
        if (strncmp(repo, f->repo_prefix, strlen(f->repo_prefix)) == 0)
            return f;
    return NULL;
}

static bool tuned(const struct tuning_spec *s, const char *name)
{
    for (size_t i = 0; i < s->n_ranges; i++)
        if (strcmp(s->ranges[i].name, name) == 0)
            return true;
    return false;
}

/* ---- ParameterRanges ------------------------------------------------------------------------ */

/* _prepare_parameter_ranges_for_tuning: the three lists in ParameterRange.__all_types__ order
 * (Continuous, Categorical, Integer), each in the order given, all three present. A Framework
 * estimator's categorical values are JSON-encoded strings (as_json_range: json.dumps(str(v))). */
static json_t *parameter_ranges(const struct tuning_spec *s, bool framework)
{
    static const enum tuning_kind order[] = { TUNING_CONTINUOUS, TUNING_CATEGORICAL,
                                              TUNING_INTEGER };
    static const char *const keys[] = { "ContinuousParameterRanges",
                                        "CategoricalParameterRanges", "IntegerParameterRanges" };
    json_t *pr = json_object();

    for (size_t k = 0; pr && k < 3; k++) {
        json_t *list = json_array();

        if (estimator_set_new(pr, keys[k], list))
            goto fail;
        for (size_t i = 0; i < s->n_ranges; i++) {
            const struct tuning_range *r = &s->ranges[i];
            json_t *o;

            if (r->kind != order[k])
                continue;
            if (r->kind != TUNING_CATEGORICAL) {
                o = json_pack("{s:s,s:s,s:s,s:s}", "Name", r->name, "MinValue", r->min,
                              "MaxValue", r->max, "ScalingType", r->scaling);
            } else {
                json_t *vals = json_array();

                o = json_pack("{s:s,s:o}", "Name", r->name, "Values", vals);
                for (size_t v = 0; o && v < r->n_values; v++) {
                    json_t *str = json_string(r->values[v]);
                    char *enc = framework && str ? estimator_py_json(str) : NULL;

                    if (json_array_append_new(vals, json_string(enc ? enc : r->values[v]))) {
                        json_decref(o);     /* and vals with it */
                        o = NULL;
                    }
                    free(enc);
                    json_decref(str);
                }
            }
            if (o == NULL || json_array_append_new(list, o))
                goto fail;
        }
    }
    return pr;
fail:
    json_decref(pr);
    return NULL;
}

/* ---- HyperParameterTuningJobConfig ---------------------------------------------------------- */

/* A member of the parent's configuration (NULL without a parent or when it has none). */
static const json_t *parent_get(const json_t *parent, const char *k1, const char *k2)
{
    const json_t *v = json_object_get(parent, k1);

    return k2 ? json_object_get(v, k2) : v;
}

static json_t *string_or(const char *given, const json_t *parent, const char *fallback)
{
    if (given && given[0])
        return json_string(given);
    if (json_is_string(parent))
        return json_copy((json_t *)parent);
    return fallback ? json_string(fallback) : NULL;
}

static json_t *integer_or(long given, const json_t *parent, long fallback)
{
    if (given > 0)
        return json_integer(given);
    if (json_is_integer(parent))
        return json_integer(json_integer_value(parent));
    return fallback > 0 ? json_integer(fallback) : NULL;
}

/* Adds k: v when v is set; a NULL v adds nothing (a missing value, not a failure, except when
 * the caller knows it made one). */
static int put(json_t *o, const char *k, json_t *v)
{
    return v == NULL ? 0 : estimator_set_new(o, k, v);
}

/* A JSON null (a describe document's "VpcConfig": null) counts as absent. */
static int put_copy(json_t *o, const char *k, const json_t *v)
{
    return v == NULL || json_is_null(v) ? 0 : estimator_set_new(o, k, json_deep_copy(v));
}

/* _map_tuning_config: Strategy, ResourceLimits, TrainingJobEarlyStoppingType, RandomSeed,
 * HyperParameterTuningJobObjective, ParameterRanges, StrategyConfig, TuningJobCompletionCriteria.
 * parent: the parent tuning job's configuration (attach()), or NULL. */
static json_t *tuning_config(const struct tuning_spec *s, const json_t *parent, bool framework)
{
    const json_t *plimits = parent_get(parent, "ResourceLimits", NULL);
    const json_t *pobj = parent_get(parent, "HyperParameterTuningJobObjective", NULL);
    const json_t *pranges = parent_get(parent, "ParameterRanges", NULL);
    json_t *c = json_object(), *limits, *objective;
    json_t *strategy = string_or(s->strategy, parent_get(parent, "Strategy", NULL), "Bayesian");
    bool grid = strategy && strcmp(json_string_value(strategy), "Grid") == 0;

    if (c == NULL || put(c, "Strategy", strategy) ||
        estimator_set_new(c, "ResourceLimits", json_object()))
        goto fail;
    limits = json_object_get(c, "ResourceLimits");
    /* max_jobs defaults to 1 except for Grid, where the service works it out */
    if (put(limits, "MaxNumberOfTrainingJobs",
            integer_or(s->max_jobs, json_object_get(plimits, "MaxNumberOfTrainingJobs"),
                       grid ? 0 : 1)) ||
        put(limits, "MaxParallelTrainingJobs",
            integer_or(s->max_parallel, json_object_get(plimits, "MaxParallelTrainingJobs"),
                       1)) ||
        put_copy(limits, "MaxRuntimeInSeconds", json_object_get(plimits, "MaxRuntimeInSeconds")) ||
        put(c, "TrainingJobEarlyStoppingType",
            string_or(s->early_stopping,
                      parent_get(parent, "TrainingJobEarlyStoppingType", NULL), "Off")) ||
        put_copy(c, "RandomSeed", parent_get(parent, "RandomSeed", NULL)) ||
        estimator_set_new(c, "HyperParameterTuningJobObjective", json_object()))
        goto fail;
    objective = json_object_get(c, "HyperParameterTuningJobObjective");
    if (put(objective, "Type",
            string_or(s->objective_type, json_object_get(pobj, "Type"), "Maximize")) ||
        put(objective, "MetricName",
            string_or(s->objective, json_object_get(pobj, "MetricName"), NULL)))
        goto fail;
    /* given ranges replace the parent's */
    if (s->n_ranges > 0 || pranges == NULL
            ? estimator_set_new(c, "ParameterRanges", parameter_ranges(s, framework))
            : put_copy(c, "ParameterRanges", pranges))
        goto fail;
    if (put_copy(c, "StrategyConfig", parent_get(parent, "StrategyConfig", NULL)) ||
        put_copy(c, "TuningJobCompletionCriteria",
                 parent_get(parent, "TuningJobCompletionCriteria", NULL)))
        goto fail;
    return c;
fail:
    if (c == NULL)
        json_decref(strategy);
    json_decref(c);
    return NULL;
}

/* ---- TrainingJobDefinition ------------------------------------------------------------------ */

/* _prepare_static_hyperparameters: the estimator's hyperparameters without the tuned ones, then
 * (a Framework estimator) its class and module, json.dumps()-ed. The training job name inside
 * them was set by the re-launch (estimator._prepare_for_training's new job name). */
static json_t *static_hyperparameters(const json_t *hps, const struct tuning_spec *s,
                                      const struct framework_class *fw)
{
    json_t *out = json_object();
    const char *k;
    json_t *v;

    json_object_foreach((json_t *)hps, k, v) {
        if (out == NULL)
            break;
        if (tuned(s, k) || strcmp(k, "sagemaker_estimator_class_name") == 0 ||
            strcmp(k, "sagemaker_estimator_module") == 0)
            continue;
        if (json_object_set(out, k, v) != 0) {
            json_decref(out);
            return NULL;
        }
    }
    if (out && fw && (estimator_set_hp_string(out, "sagemaker_estimator_class_name", fw->name) ||
                      estimator_set_hp_string(out, "sagemaker_estimator_module", fw->module))) {
        json_decref(out);
        return NULL;
    }
    return out;
}

/* _prepare_hp_resource_config: VolumeKmsKeyId (when set), InstanceCount, InstanceType,
 * VolumeSizeInGB. */
static json_t *resource_config(const json_t *rc)
{
    json_t *o = json_object();
    const json_t *kms = json_object_get(rc, "VolumeKmsKeyId");

    if (o == NULL || (json_is_string(kms) && json_string_length(kms) > 0 &&
                      put_copy(o, "VolumeKmsKeyId", kms)) ||
        put_copy(o, "InstanceCount", json_object_get(rc, "InstanceCount")) ||
        put_copy(o, "InstanceType", json_object_get(rc, "InstanceType")) ||
        put_copy(o, "VolumeSizeInGB", json_object_get(rc, "VolumeSizeInGB"))) {
        json_decref(o);
        return NULL;
    }
    return o;
}

/* _Job._load_config's output, stop and VPC configs, rebuilt in the SDK's member order from what
 * the source holds: {S3OutputPath, KmsKeyId (when set), CompressionType (NONE only: the SDK
 * sends it when compression is disabled)}, {MaxRuntimeInSeconds, MaxWaitTimeInSeconds,
 * MaxPendingTimeInSeconds}, {Subnets, SecurityGroupIds} (vpc_utils.to_dict). */
static json_t *output_config(const json_t *o)
{
    json_t *c = json_object();
    const json_t *kms = json_object_get(o, "KmsKeyId");
    const char *comp = json_string_value(json_object_get(o, "CompressionType"));

    if (c == NULL || put_copy(c, "S3OutputPath", json_object_get(o, "S3OutputPath")) ||
        (json_string_length(kms) > 0 && put_copy(c, "KmsKeyId", kms)) ||
        (comp && strcmp(comp, "NONE") == 0 && put_copy(c, "CompressionType",
                                                       json_object_get(o, "CompressionType")))) {
        json_decref(c);
        return NULL;
    }
    return c;
}

static json_t *members_in_order(const json_t *o, const char *const *keys)
{
    json_t *c = json_object();

    for (size_t i = 0; c && keys[i]; i++)
        if (put_copy(c, keys[i], json_object_get(o, keys[i]))) {
            json_decref(c);
            return NULL;
        }
    return c;
}

static const char *const stop_keys[] = { "MaxRuntimeInSeconds", "MaxWaitTimeInSeconds",
                                         "MaxPendingTimeInSeconds", NULL };
static const char *const vpc_keys[] = { "Subnets", "SecurityGroupIds", NULL };

/* AlgorithmSpecification: TrainingInputMode, MetricDefinitions (the tuner's: here the source's,
 * which hold the objective), TrainingImage (or AlgorithmName). */
static json_t *algorithm(const json_t *algo)
{
    json_t *o = json_object();
    const json_t *mode = json_object_get(algo, "TrainingInputMode");
    const json_t *name = json_object_get(algo, "AlgorithmName");

    if (o == NULL || put(o, "TrainingInputMode", string_or(NULL, mode, "File")) ||
        put_copy(o, "MetricDefinitions", json_object_get(algo, "MetricDefinitions")) ||
        (json_is_string(name) && json_string_length(name) > 0
             ? put_copy(o, "AlgorithmName", name)
             : put_copy(o, "TrainingImage", json_object_get(algo, "TrainingImage")))) {
        json_decref(o);
        return NULL;
    }
    return o;
}

static bool is_true(const json_t *v)
{
    return json_is_true(v);
}

/* Spot, checkpoints, retries, environment: _map_training_config's optional members. */
static int definition_options(json_t *d, const json_t *t)
{
    const json_t *cc = json_object_get(t, "CheckpointConfig");
    const json_t *retry = json_object_get(json_object_get(t, "RetryStrategy"),
                                          "MaximumRetryAttempts");
    const json_t *env = json_object_get(t, "Environment");

    if ((is_true(json_object_get(t, "EnableNetworkIsolation")) &&
         estimator_set_new(d, "EnableNetworkIsolation", json_true())) ||
        (is_true(json_object_get(t, "EnableInterContainerTrafficEncryption")) &&
         estimator_set_new(d, "EnableInterContainerTrafficEncryption", json_true())) ||
        (is_true(json_object_get(t, "EnableManagedSpotTraining")) &&
         estimator_set_new(d, "EnableManagedSpotTraining", json_true())))
        return ERR_NOMEM;
    if (json_is_string(json_object_get(cc, "S3Uri"))) {
        json_t *o = json_object();

        if (estimator_set_new(d, "CheckpointConfig", o) ||
            put_copy(o, "S3Uri", json_object_get(cc, "S3Uri")) ||
            put_copy(o, "LocalPath", json_object_get(cc, "LocalPath")))
            return ERR_NOMEM;
    }
    if (json_is_integer(retry) &&
        estimator_set_new(d, "RetryStrategy", json_pack("{s:O}", "MaximumRetryAttempts", retry)))
        return ERR_NOMEM;
    if (json_object_size(env) > 0 && put_copy(d, "Environment", env))
        return ERR_NOMEM;
    return 0;
}

/* _map_training_config for the estimator behind the training request t (CreateTrainingJob
 * member names; ResourceConfig may be named HyperParameterTuningResourceConfig). */
static json_t *training_definition(const json_t *t, const struct tuning_spec *s,
                                   const struct framework_class *fw)
{
    json_t *d = json_object();
    const json_t *rc = json_object_get(t, "ResourceConfig");

    if (rc == NULL)
        rc = json_object_get(t, "HyperParameterTuningResourceConfig");
    if (d == NULL ||
        estimator_set_new(d, "StaticHyperParameters",
                          static_hyperparameters(json_object_get(t, "HyperParameters"), s, fw)) ||
        put_copy(d, "RoleArn", json_object_get(t, "RoleArn")) ||
        estimator_set_new(d, "OutputDataConfig",
                          output_config(json_object_get(t, "OutputDataConfig"))) ||
        estimator_set_new(d, "StoppingCondition",
                          members_in_order(json_object_get(t, "StoppingCondition"), stop_keys)) ||
        estimator_set_new(d, "HyperParameterTuningResourceConfig", resource_config(rc)) ||
        estimator_set_new(d, "AlgorithmSpecification",
                          algorithm(json_object_get(t, "AlgorithmSpecification"))) ||
        put_copy(d, "InputDataConfig", json_object_get(t, "InputDataConfig")) ||
        (json_is_object(json_object_get(t, "VpcConfig")) &&
         estimator_set_new(d, "VpcConfig",
                           members_in_order(json_object_get(t, "VpcConfig"), vpc_keys))) ||
        definition_options(d, t)) {
        json_decref(d);
        return NULL;
    }
    return d;
}

/* ---- The request ---------------------------------------------------------------------------- */

/* WarmStartConfig.to_input_req(): the type, then the parents. The SDK keeps the parents in a
 * Python set (no defined order); here they stay in the order given. */
static json_t *warm_start(const struct tuning_spec *s)
{
    json_t *ws, *parents;

    if (s->n_parents == 0)
        return NULL;
    parents = json_array();
    ws = json_pack("{s:s,s:o}", "WarmStartType",
                   s->warm_start_type[0] ? s->warm_start_type : "IdenticalDataAndAlgorithm",
                   "ParentHyperParameterTuningJobs", parents);
    for (size_t i = 0; ws && i < s->n_parents; i++)
        if (json_array_append_new(parents, json_pack("{s:s}", "HyperParameterTuningJobName",
                                                     s->parents[i]))) {
            json_decref(ws);
            return NULL;
        }
    return ws;
}

void tuning_default_name_of(const json_t *t, double now, char *out, size_t size)
{
    const char *image = json_string_value(json_object_get(json_object_get(t,
                                                          "AlgorithmSpecification"),
                                                          "TrainingImage"));
    char base[256];

    estimator_base_from_image(image ? image : "", base, sizeof(base));
    tuning_default_name(base[0] ? base : "estimator", now, out, size);
}

/* The SDK's request: name, config, definition, warm start, tags. t: the estimator as a
 * training request; parent: the parent's describe document (attach()) or NULL. */
static json_t *assemble(const json_t *t, const json_t *parent, const struct tuning_spec *s,
                        const struct tuning_context *ctx)
{
    const json_t *algo = json_object_get(t, "AlgorithmSpecification");
    const char *image = json_string_value(json_object_get(algo, "TrainingImage"));
    const struct framework_class *fw = framework_of(image);
    /* a script-mode estimator (a Framework: its source goes in sagemaker_program) */
    bool framework = json_object_get(json_object_get(t, "HyperParameters"),
                                     "sagemaker_program") != NULL;
    char name[TUNING_NAME_MAX + 64];
    json_t *req = json_object();

    if (ctx->name)
        snprintf(name, sizeof(name), "%s", ctx->name);
    else
        tuning_default_name_of(t, ctx->now, name, sizeof(name));
    if (req == NULL ||
        estimator_set_new(req, "HyperParameterTuningJobName", json_string(name)) ||
        estimator_set_new(req, "HyperParameterTuningJobConfig",
                          tuning_config(s, json_object_get(parent,
                                                           "HyperParameterTuningJobConfig"),
                                        framework)) ||
        estimator_set_new(req, "TrainingJobDefinition",
                          training_definition(t, s, framework ? fw : NULL)) ||
        /* the parent's own warm start is not inherited: attach() + a new tuner drops it */
        (s->n_parents > 0 && estimator_set_new(req, "WarmStartConfig", warm_start(s))) ||
        (json_array_size(json_object_get(t, "Tags")) > 0 &&
         put_copy(req, "Tags", json_object_get(t, "Tags")))) {
        json_decref(req);
        return NULL;
    }
    return req;
}

static int finish(json_t *req, json_t **out, struct estimator_issues *is, struct err *e)
{
    if (req == NULL)
        return err_set(e, ERR_NOMEM, "out of memory building the tuning request");
    tuning_check_request(req, is);
    if (is->n > 0) {
        json_decref(req);
        return err_set(e, ERR_INVAL, "%zu problem%s: %s: %s", is->n, is->n == 1 ? "" : "s",
                       is->v[0].field, is->v[0].msg);
    }
    *out = req;
    return 0;
}

int tuning_request_from_training(const json_t *train_req, const struct tuning_spec *s,
                                 const struct tuning_context *ctx, json_t **out,
                                 struct estimator_issues *is, struct err *e)
{
    return finish(assemble(train_req, NULL, s, ctx), out, is, e);
}

/* The parent's TrainingJobDefinition as the estimator attach() makes of it: a training request
 * whose HyperParameters are the static ones, the training job name in them renewed. */
static json_t *estimator_of_parent(const json_t *def, double now)
{
    json_t *t = json_deep_copy(def);
    json_t *hps = json_object_get(t, "StaticHyperParameters");
    json_t *old = json_object_get(hps, "sagemaker_job_name");

    if (t == NULL)
        return NULL;
    if (hps && json_object_set(t, "HyperParameters", hps) != 0) {
        json_decref(t);
        return NULL;
    }
    if (json_is_string(old)) {
        json_t *dec = json_loads(json_string_value(old), JSON_DECODE_ANY, NULL);
        const char *prev = json_string_value(dec);
        char fresh[64];

        estimator_relaunch_name(prev ? prev : "estimator", now, fresh, sizeof(fresh));
        json_decref(dec);
        if (estimator_set_hp_string(hps, "sagemaker_job_name", fresh)) {
            json_decref(t);
            return NULL;
        }
    }
    return t;
}

int tuning_request_from_tuning(const char *json, size_t len, const struct tuning_spec *s,
                               const struct tuning_context *ctx, json_t **out,
                               struct estimator_issues *is, struct err *e)
{
    json_error_t je;
    json_t *doc = json_loadb(json, len, 0, &je), *t, *req;
    const json_t *def = json_object_get(doc, "TrainingJobDefinition");

    if (doc == NULL)
        return err_set(e, ERR_PARSE, "tuning job document: %s at byte %d", je.text,
                       je.position);
    if (!json_is_object(def)) {
        json_decref(doc);
        return err_set(e, ERR_INVAL, "the parent tuning job has no single TrainingJobDefinition "
                       "(tuning jobs with several definitions are not supported)");
    }
    t = estimator_of_parent(def, ctx->now);
    req = t ? assemble(t, doc, s, ctx) : NULL;
    json_decref(t);
    json_decref(doc);
    return finish(req, out, is, e);
}
