/* relaunch.c: the CreateTrainingJob request of a described job (only CreateTrainingJob's own
 * members, read-only and empty ones dropped, the names rewritten, the source tarball reused) and
 * the --set changes made to such a request ("hp.epochs", "instance_type", "spot", ...).
 *
 * Owns: the list of CreateTrainingJob's input members. Must not: check the request
 * (validate.c), do I/O or print. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "launch/estimator_internal.h"

/* CreateTrainingJob's input members (botocore 1.43.11); everything else in a describe
 * document is output only. */
static const char *const create_members[] = {
    "TrainingJobName", "HyperParameters", "AlgorithmSpecification", "RoleArn",
    "InputDataConfig", "OutputDataConfig", "ResourceConfig", "VpcConfig", "StoppingCondition",
    "Tags", "EnableNetworkIsolation", "EnableInterContainerTrafficEncryption",
    "EnableManagedSpotTraining", "CheckpointConfig", "DebugHookConfig",
    "DebugRuleConfigurations", "TensorBoardOutputConfig", "ExperimentConfig", "ProfilerConfig",
    "ProfilerRuleConfigurations", "Environment", "RetryStrategy", "RemoteDebugConfig",
    "InfraCheckConfig", "SessionChainingConfig", NULL,
};

static int set_name(json_t *req, const char *name)
{
    json_t *hps = json_object_get(req, "HyperParameters");

    if (estimator_set_new(req, "TrainingJobName", json_string(name)))
        return ERR_NOMEM;
    if (hps && json_object_get(hps, "sagemaker_job_name"))
        return estimator_set_hp_string(hps, "sagemaker_job_name", name);
    return 0;
}

int estimator_relaunch(const char *json, size_t len, const char *new_name, json_t **out,
                       struct err *e)
{
    json_error_t je;
    json_t *doc = json_loadb(json, len, 0, &je);
    json_t *req, *odc, *rcfg;

    if (doc == NULL)
        return err_set(e, ERR_PARSE, "describe document: %s at byte %d", je.text, je.position);
    if (!json_is_object(doc) || !json_is_string(json_object_get(doc, "TrainingJobName"))) {
        json_decref(doc);
        return err_set(e, ERR_PARSE, "not a DescribeTrainingJob document (no TrainingJobName)");
    }
    req = json_object();
    for (size_t i = 0; req && create_members[i]; i++) {
        json_t *v = json_object_get(doc, create_members[i]);

        if (v && json_object_set(req, create_members[i], v) != 0) {
            json_decref(req);
            req = NULL;
        }
    }
    json_decref(doc);
    if (req == NULL)
        return err_set(e, ERR_NOMEM, "out of memory");
    /* the describe echoes empty KMS keys; the SDK never sends them */
    odc = json_object_get(req, "OutputDataConfig");
    if (json_is_string(json_object_get(odc, "KmsKeyId")) &&
        json_string_length(json_object_get(odc, "KmsKeyId")) == 0)
        json_object_del(odc, "KmsKeyId");
    rcfg = json_object_get(req, "ResourceConfig");
    if (json_is_string(json_object_get(rcfg, "VolumeKmsKeyId")) &&
        json_string_length(json_object_get(rcfg, "VolumeKmsKeyId")) == 0)
        json_object_del(rcfg, "VolumeKmsKeyId");
    if (set_name(req, new_name) != 0) {
        json_decref(req);
        return err_set(e, ERR_NOMEM, "out of memory");
    }
    *out = req;
    return 0;
}

const char *const estimator_request_keys[] = {
    "name", "hp.KEY", "instance_type", "instance_count", "volume_size", "max_run", "max_wait",
    "spot", "checkpoint_s3_uri", "checkpoint_local_path", "role", "output_path", "image_uri",
    "entry_point", "input.NAME", "env.KEY", "tag.KEY", "metric.NAME", NULL,
};

static json_t *ensure_object(json_t *req, const char *k)
{
    json_t *o = json_object_get(req, k);

    if (json_is_object(o))
        return o;
    o = json_object();
    if (o == NULL || json_object_set_new(req, k, o) != 0)
        return NULL;
    return o;
}

static int set_int_member(json_t *req, const char *obj, const char *k, const char *key,
                          const char *value, struct err *e)
{
    long v;
    json_t *o;

    if (estimator_parse_long(value, &v) != 0 || value[0] == '\0')
        return err_set(e, ERR_INVAL, "%s: '%s' is not a whole number", key, value);
    o = ensure_object(req, obj);
    if (o == NULL || estimator_set_new(o, k, json_integer(v)))
        return err_set(e, ERR_NOMEM, "out of memory");
    return 0;
}

/* Sets (or with "" removes) the entry named name of an array of objects keyed by id_key. */
static int set_array_entry(json_t *req, const char *arr_key, const char *id_key,
                           const char *name, json_t *entry)
{
    json_t *arr = json_object_get(req, arr_key);
    size_t i;
    json_t *x;

    if (arr == NULL && entry != NULL) {
        arr = json_array();
        if (arr == NULL || json_object_set_new(req, arr_key, arr) != 0)
            return ERR_NOMEM;
    }
    json_array_foreach(arr, i, x) {
        const char *n = json_string_value(json_object_get(x, id_key));

        if (n && strcmp(n, name) == 0) {
            if (entry == NULL)
                return json_array_remove(arr, i) == 0 ? 0 : ERR_NOMEM;
            return json_array_set_new(arr, i, entry) == 0 ? 0 : ERR_NOMEM;
        }
    }
    if (entry == NULL)
        return 0;
    return json_array_append_new(arr, entry) == 0 ? 0 : ERR_NOMEM;
}

/* spot=true also sets max_wait (to max_run) when it is not set; spot=false drops it. */
static int set_spot(json_t *req, const char *value, struct err *e)
{
    bool on;
    json_t *sc = ensure_object(req, "StoppingCondition");
    int rc;

    if (estimator_parse_bool(value, &on) != 0)
        return err_set(e, ERR_INVAL, "spot: '%s' is not true or false", value);
    if (sc == NULL)
        return err_set(e, ERR_NOMEM, "out of memory");
    if (on) {
        rc = estimator_set_new(req, "EnableManagedSpotTraining", json_true());
        if (rc == 0 && json_object_get(sc, "MaxWaitTimeInSeconds") == NULL) {
            json_t *run = json_object_get(sc, "MaxRuntimeInSeconds");

            rc = estimator_set_new(sc, "MaxWaitTimeInSeconds",
                                   json_integer(run ? json_integer_value(run) : 86400));
        }
    } else {
        rc = estimator_set_new(req, "EnableManagedSpotTraining", json_false());
        json_object_del(sc, "MaxWaitTimeInSeconds");
    }
    return rc ? err_set(e, ERR_NOMEM, "out of memory") : 0;
}

/* metric.NAME: the entry of AlgorithmSpecification.MetricDefinitions ("" removes it). */
static int set_metric(json_t *req, const char *name, const char *value, struct err *e)
{
    json_t *o = ensure_object(req, "AlgorithmSpecification");
    json_t *holder = json_object();
    int rc;

    /* reuse the array helper on a holder object that shares the array */
    if (o == NULL || holder == NULL) {
        json_decref(holder);
        return err_set(e, ERR_NOMEM, "out of memory");
    }
    if (json_object_get(o, "MetricDefinitions"))
        json_object_set(holder, "MetricDefinitions", json_object_get(o, "MetricDefinitions"));
    rc = set_array_entry(holder, "MetricDefinitions", "Name", name,
                         value[0] ? json_pack("{s:s,s:s}", "Name", name, "Regex", value) : NULL);
    if (rc == 0 && json_object_get(holder, "MetricDefinitions"))
        rc = json_object_set(o, "MetricDefinitions",
                             json_object_get(holder, "MetricDefinitions")) ? ERR_NOMEM : 0;
    json_decref(holder);
    return rc ? err_set(e, ERR_NOMEM, "out of memory") : 0;
}

static int unknown_key(const char *key, struct err *e)
{
    char known[512] = "";

    for (size_t i = 0; estimator_request_keys[i]; i++)
        snprintf(known + strlen(known), sizeof(known) - strlen(known), "%s%s", i ? ", " : "",
                 estimator_request_keys[i]);
    return err_set(e, ERR_INVAL, "%s: cannot be changed on a re-launch; known: %s", key, known);
}

int estimator_request_set(json_t *req, const char *key, const char *value, struct err *e)
{
    json_t *hps = json_object_get(req, "HyperParameters");
    int rc = 0;

    if (strncmp(key, "hp.", 3) == 0 && key[3]) {
        if (hps == NULL && (hps = ensure_object(req, "HyperParameters")) == NULL)
            return err_set(e, ERR_NOMEM, "out of memory");
        if (value[0] == '\0') {
            json_object_del(hps, key + 3);
            return 0;
        }
        rc = estimator_set_hp(hps, key + 3, value);
    } else if (strcmp(key, "name") == 0 || strcmp(key, "job_name") == 0) {
        rc = set_name(req, value);
    } else if (strcmp(key, "instance_type") == 0) {
        json_t *o = ensure_object(req, "ResourceConfig");

        rc = o ? estimator_set_new(o, "InstanceType", json_string(value)) : ERR_NOMEM;
        if (rc == 0 && hps && json_object_get(hps, "sagemaker_instance_type"))
            rc = estimator_set_hp_string(hps, "sagemaker_instance_type", value);
    } else if (strcmp(key, "instance_count") == 0) {
        return set_int_member(req, "ResourceConfig", "InstanceCount", key, value, e);
    } else if (strcmp(key, "volume_size") == 0) {
        return set_int_member(req, "ResourceConfig", "VolumeSizeInGB", key, value, e);
    } else if (strcmp(key, "max_run") == 0) {
        return set_int_member(req, "StoppingCondition", "MaxRuntimeInSeconds", key, value, e);
    } else if (strcmp(key, "max_wait") == 0) {
        if (value[0] == '\0') {
            json_object_del(json_object_get(req, "StoppingCondition"), "MaxWaitTimeInSeconds");
            return 0;
        }
        return set_int_member(req, "StoppingCondition", "MaxWaitTimeInSeconds", key, value, e);
    } else if (strcmp(key, "spot") == 0 || strcmp(key, "use_spot_instances") == 0) {
        return set_spot(req, value, e);
    } else if (strcmp(key, "checkpoint_s3_uri") == 0 ||
               strcmp(key, "checkpoint_local_path") == 0) {
        const char *member = key[11] == 's' ? "S3Uri" : "LocalPath";

        if (value[0] == '\0' && member[0] == 'S') {
            json_object_del(req, "CheckpointConfig");
            return 0;
        }
        json_t *o = ensure_object(req, "CheckpointConfig");

        rc = o ? estimator_set_new(o, member, json_string(value)) : ERR_NOMEM;
    } else if (strcmp(key, "role") == 0) {
        rc = estimator_set_new(req, "RoleArn", json_string(value));
    } else if (strcmp(key, "output_path") == 0) {
        json_t *o = ensure_object(req, "OutputDataConfig");

        rc = o ? estimator_set_new(o, "S3OutputPath", json_string(value)) : ERR_NOMEM;
    } else if (strcmp(key, "image_uri") == 0) {
        json_t *o = ensure_object(req, "AlgorithmSpecification");

        rc = o ? estimator_set_new(o, "TrainingImage", json_string(value)) : ERR_NOMEM;
    } else if (strcmp(key, "entry_point") == 0) {
        if (hps == NULL && (hps = ensure_object(req, "HyperParameters")) == NULL)
            return err_set(e, ERR_NOMEM, "out of memory");
        rc = estimator_set_hp_string(hps, "sagemaker_program", estimator_basename(value));
    } else if (strncmp(key, "input.", 6) == 0 && key[6]) {
        rc = set_array_entry(req, "InputDataConfig", "ChannelName", key + 6,
                             value[0] ? estimator_s3_channel(key + 6, value) : NULL);
    } else if (strncmp(key, "env.", 4) == 0 && key[4]) {
        json_t *o = ensure_object(req, "Environment");

        if (o && value[0] == '\0')
            json_object_del(o, key + 4);
        else
            rc = o ? estimator_set_new(o, key + 4, json_string(value)) : ERR_NOMEM;
    } else if (strncmp(key, "tag.", 4) == 0 && key[4]) {
        rc = set_array_entry(req, "Tags", "Key", key + 4,
                             value[0] ? json_pack("{s:s,s:s}", "Key", key + 4, "Value", value)
                                      : NULL);
    } else if (strncmp(key, "metric.", 7) == 0 && key[7]) {
        return set_metric(req, key + 7, value, e);
    } else {
        return unknown_key(key, e);
    }
    if (rc != 0)
        return err_set(e, ERR_NOMEM, "out of memory");
    return 0;
}

