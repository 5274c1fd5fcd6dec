/* request.c: the CreateTrainingJob request the SageMaker Python SDK would send for an estimator
 * (HuggingFace.__init__, Framework._prepare_for_training and _script_mode_hyperparam_update,
 * _distribution_configuration, Session._get_train_request; AWS_NOTES §4): the image from the
 * table, the job name, where the source goes, and each section of the request in the SDK's
 * order (member order is kept: a dry run prints what the SDK would).
 *
 * Owns: estimator_build() and its per-section helpers. Must not: pack or upload anything (the
 * plan says what to upload; launch.c does it), do I/O, read the clock or print. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "aws/dynbuf.h"
#include "launch/estimator_internal.h"

/* What the build decided before the request is assembled. */
struct build {
    const struct estimator *est;
    const char *region;             /* may be NULL: reported as an issue */
    struct estimator_plan p;
    char image[512];
    /* an S3 bucket name is at most 63 characters: default_bucket matches p.bucket */
    char default_bucket[64];
    char output[1100];
};

json_t *estimator_s3_channel(const char *name, const char *uri)
{
    return json_pack("{s:{s:{s:s,s:s,s:s}},s:s}", "DataSource", "S3DataSource", "S3DataType",
                     "S3Prefix", "S3Uri", uri, "S3DataDistributionType", "FullyReplicated",
                     "ChannelName", name);
}

const char *estimator_basename(const char *path)
{
    const char *s = strrchr(path, '/');

    return s ? s + 1 : path;
}

static const char *image_issue_field(const struct err *ie, const struct estimator *est)
{
    if (strstr(ie->msg, "transformers version") || strstr(ie->msg, "not published"))
        return "transformers_version";
    if (strstr(ie->msg, "py_version"))
        return "py_version";
    if (strstr(ie->msg, "GPU"))
        return "instance_type";
    return est->pytorch_version ? "pytorch_version" : "tensorflow_version";
}

static int add_distribution(json_t *hps, const struct estimator *est)
{
    const char *d = est->distribution;
    const char *mpi_opts = est->custom_mpi_options ? est->custom_mpi_options : "";
    char num[32];
    int rc = 0;

    if (d == NULL || strcmp(d, ESTIMATOR_DIST_NONE) == 0)
        return 0;
    if (strcmp(d, ESTIMATOR_DIST_PYTORCHDDP) == 0) {
        rc |= estimator_set_hp(hps, "sagemaker_pytorch_ddp_enabled", "true");
        rc |= estimator_set_hp_string(hps, "sagemaker_instance_type", est->instance_type);
    } else if (strcmp(d, ESTIMATOR_DIST_TORCH) == 0) {
        rc |= estimator_set_hp(hps, "sagemaker_torch_distributed_enabled", "true");
        rc |= estimator_set_hp_string(hps, "sagemaker_instance_type", est->instance_type);
    } else if (strcmp(d, ESTIMATOR_DIST_SMDDP) == 0) {
        rc |= estimator_set_hp(hps, "sagemaker_distributed_dataparallel_enabled", "true");
        rc |= estimator_set_hp_string(hps, "sagemaker_instance_type", est->instance_type);
        rc |= estimator_set_hp_string(hps, "sagemaker_distributed_dataparallel_custom_mpi_options",
                            mpi_opts);
    } else if (strcmp(d, ESTIMATOR_DIST_MPI) == 0) {
        /* _distribution_configuration's "mpi" block: the count only when given, the options
           always (default "") */
        rc |= estimator_set_hp(hps, "sagemaker_mpi_enabled", "true");
        if (est->processes_per_host > 0) {
            snprintf(num, sizeof(num), "%ld", est->processes_per_host);
            rc |= estimator_set_hp(hps, "sagemaker_mpi_num_of_processes_per_host", num);
        }
        rc |= estimator_set_hp_string(hps, "sagemaker_mpi_custom_mpi_options", mpi_opts);
    } else if (strcmp(d, ESTIMATOR_DIST_SMMP) == 0) {
        /* _distribution_configuration: the mpi block first, then the smdistributed one */
        rc |= estimator_set_hp(hps, "sagemaker_mpi_enabled", "true");
        snprintf(num, sizeof(num), "%ld", est->processes_per_host);
        rc |= estimator_set_hp(hps, "sagemaker_mpi_num_of_processes_per_host", num);
        rc |= estimator_set_hp_string(hps, "sagemaker_mpi_custom_mpi_options", mpi_opts);
        if (est->mp_parameters)
            rc |= estimator_set_hp(hps, "mp_parameters", est->mp_parameters);
        rc |= estimator_set_hp(hps, "sagemaker_distributed_dataparallel_enabled", "false");
        rc |= estimator_set_hp_string(hps, "sagemaker_instance_type", est->instance_type);
    }
    return rc ? ERR_NOMEM : 0;
}

/* The image: the given one, else the table's (an issue on the field that picked a bad one). */
static void resolve_image(struct build *b, struct estimator_issues *is)
{
    const struct estimator *est = b->est;
    struct err ie = { 0 };

    if (est->image_uri) {
        snprintf(b->image, sizeof(b->image), "%s", est->image_uri);
        return;
    }
    if (!est->transformers_version || !est->py_version || !b->region ||
        (est->pytorch_version != NULL) == (est->tensorflow_version != NULL))
        return;     /* the missing field is reported by estimator_check_fields() */
    /* without an instance type (reported on its own) resolve as for a GPU one */
    if (hf_images_uri(est->transformers_version, est->pytorch_version ? "pytorch" : "tensorflow",
                      est->pytorch_version ? est->pytorch_version : est->tensorflow_version,
                      est->py_version, est->instance_type ? est->instance_type : "ml.p3.2xlarge",
                      b->region, b->image, sizeof(b->image), &ie) != 0)
        estimator_issue_add(is, image_issue_field(&ie, est), "%s", ie.msg);
}

/* The SDK's default bucket, sagemaker-<region>-<account>: only when output_path is not given
 * (EstimatorBase._prepare_for_training); the source then goes there too unless code_location
 * says otherwise. With output_path given the default bucket is never used. */
static void resolve_default_bucket(struct build *b, const char *account,
                                   struct estimator_issues *is)
{
    if (b->est->output_path != NULL)
        return;
    if (account == NULL || account[0] == '\0')
        estimator_issue_add(is, "output_path", "the default bucket needs the account id "
                            "(STS GetCallerIdentity failed); give output_path");
    else
        snprintf(b->default_bucket, sizeof(b->default_bucket), "sagemaker-%s-%s",
                 b->region ? b->region : "", account);
}

/* parse_s3_url: "s3://bucket/key prefix" (or a bare "bucket[/prefix]") → bucket, prefix. */
static void split_s3(const char *uri, char *bucket, size_t bucket_size, const char **prefix)
{
    const char *s = strncmp(uri, "s3://", 5) == 0 ? uri + 5 : uri;
    size_t n = strcspn(s, "/");

    snprintf(bucket, bucket_size, "%.*s", (int)n, s);
    *prefix = s + n;
}

/* Where the source goes: EstimatorBase._stage_user_code_in_s3 and _assign_s3_prefix. With
 * code_location (here also code_bucket), its bucket and s3_path_join(prefix, job, "source");
 * else, with output_path given, output_path's bucket and "<job>/source" (its key prefix is not
 * used); else the default bucket. Then tar_and_upload_dir's "<prefix>/sourcedir.tar.gz". */
static void plan_source(struct build *b)
{
    const struct estimator *est = b->est;
    struct estimator_plan *p = &b->p;
    const char *prefix = "";
    struct dynbuf key;

    if (est->code_bucket) {
        split_s3(est->code_bucket, p->bucket, sizeof(p->bucket), &prefix);
    } else if (est->output_path) {
        split_s3(est->output_path, p->bucket, sizeof(p->bucket), &prefix);
        prefix = "";
    } else {
        snprintf(p->bucket, sizeof(p->bucket), "%s", b->default_bucket);
    }
    /* s3_path_join: the parts without their slashes, empty ones skipped */
    dynbuf_init(&key, 0);
    for (const char *s = prefix; *s;) {
        size_t n;

        s += strspn(s, "/");
        n = strcspn(s, "/");
        if (n > 0)
            dynbuf_printf(&key, "%.*s/", (int)n, s);
        s += n;
    }
    dynbuf_printf(&key, "%s/source/sourcedir.tar.gz", p->job_name);
    /* a key over S3's 1024 bytes is cut short (and refused by S3) */
    snprintf(p->key, sizeof(p->key), "%s", dynbuf_str(&key));
    dynbuf_free(&key);
    snprintf(p->submit_uri, sizeof(p->submit_uri), "s3://%s/%s", p->bucket, p->key);
    p->upload = true;
    p->default_bucket = est->code_bucket == NULL && est->output_path == NULL;
}

/* The job name (given, else base_job_name or the image's repository + timestamp), where the
 * source goes, and the output path. */
static void plan_paths(struct build *b, double now)
{
    const struct estimator *est = b->est;
    struct estimator_plan *p = &b->p;
    char base[128];

    if (est->name) {
        snprintf(p->job_name, sizeof(p->job_name), "%s", est->name);
    } else {
        if (est->base_job_name)
            snprintf(base, sizeof(base), "%s", est->base_job_name);
        else
            estimator_base_from_image(b->image, base, sizeof(base));
        estimator_default_name(base, now, p->job_name, sizeof(p->job_name));
    }
    if (est->submit_directory)
        snprintf(p->submit_uri, sizeof(p->submit_uri), "%s", est->submit_directory);
    else
        plan_source(b);
    if (est->output_path)
        snprintf(b->output, sizeof(b->output), "%s", est->output_path);
    else
        snprintf(b->output, sizeof(b->output), "s3://%s/", b->default_bucket);
}

/* ---- The request's sections, in the SDK's member order; each returns 0 or ERR_NOMEM ------- */

/* A list of {k1: key, k2: value} objects from an estimator list (metrics, tags). */
static int add_pairs(json_t *o, const char *member, const struct estimator_kvs *l,
                     const char *k1, const char *k2)
{
    json_t *arr;

    if (l->n == 0)
        return 0;
    arr = json_array();
    if (estimator_set_new(o, member, arr))
        return ERR_NOMEM;
    for (size_t i = 0; i < l->n; i++)
        if (json_array_append_new(arr, json_pack("{s:s,s:s}", k1, l->v[i].key, k2,
                                                 l->v[i].value)))
            return ERR_NOMEM;
    return 0;
}

static int add_algorithm(json_t *req, const struct build *b)
{
    json_t *algo = json_object();

    if (estimator_set_new(req, "AlgorithmSpecification", algo) ||
        estimator_set_new(algo, "TrainingInputMode", json_string("File")) ||
        estimator_set_new(algo, "TrainingImage", json_string(b->image)) ||
        add_pairs(algo, "MetricDefinitions", &b->est->metric_definitions, "Name", "Regex") ||
        estimator_set_new(algo, "EnableSageMakerMetricsTimeSeries", json_true()))
        return ERR_NOMEM;
    return 0;
}

static int add_stopping(json_t *req, const struct estimator *est)
{
    long run = est->max_run_s ? est->max_run_s : 86400;
    json_t *sc = json_object();

    if (estimator_set_new(req, "StoppingCondition", sc) ||
        estimator_set_new(sc, "MaxRuntimeInSeconds", json_integer(run)))
        return ERR_NOMEM;
    if ((est->spot || est->max_wait_s) &&
        estimator_set_new(sc, "MaxWaitTimeInSeconds",
                          json_integer(est->max_wait_s ? est->max_wait_s : run)))
        return ERR_NOMEM;
    return 0;
}

static int add_resources(json_t *req, const struct estimator *est)
{
    json_t *rc = json_object();

    if (estimator_set_new(req, "ResourceConfig", rc) ||
        estimator_set_new(rc, "VolumeSizeInGB",
                          json_integer(est->volume_size_gb ? est->volume_size_gb : 30)) ||
        estimator_set_new(rc, "InstanceCount",
                          json_integer(est->instance_count ? est->instance_count : 1)) ||
        estimator_set_new(rc, "InstanceType",
                          json_string(est->instance_type ? est->instance_type : "")))
        return ERR_NOMEM;
    if (est->role && estimator_set_new(req, "RoleArn", json_string(est->role)))
        return ERR_NOMEM;
    return 0;
}

static int add_inputs(json_t *req, const struct estimator *est)
{
    json_t *chans;

    if (est->inputs.n == 0)
        return 0;
    chans = json_array();
    if (estimator_set_new(req, "InputDataConfig", chans))
        return ERR_NOMEM;
    for (size_t i = 0; i < est->inputs.n; i++)
        if (json_array_append_new(chans, estimator_s3_channel(est->inputs.v[i].key,
                                                              est->inputs.v[i].value)))
            return ERR_NOMEM;
    return 0;
}

/* The user's hyperparameters, then the script-mode ones, then the distribution's. */
static int add_hyperparameters(json_t *req, const struct build *b)
{
    const struct estimator *est = b->est;
    json_t *hps = json_object();
    char num[32];

    if (estimator_set_new(req, "HyperParameters", hps))
        return ERR_NOMEM;
    for (size_t i = 0; i < est->hyperparameters.n; i++)
        if (estimator_set_hp(hps, est->hyperparameters.v[i].key,
                             est->hyperparameters.v[i].value))
            return ERR_NOMEM;
    snprintf(num, sizeof(num), "%ld", est->container_log_level ? est->container_log_level : 20);
    if (estimator_set_hp_string(hps, "sagemaker_submit_directory", b->p.submit_uri) ||
        estimator_set_hp_string(hps, "sagemaker_program",
                                est->entry_point ? estimator_basename(est->entry_point) : "") ||
        estimator_set_hp(hps, "sagemaker_container_log_level", num) ||
        estimator_set_hp_string(hps, "sagemaker_job_name", b->p.job_name) ||
        estimator_set_hp_string(hps, "sagemaker_region", b->region ? b->region : "") ||
        add_distribution(hps, est))
        return ERR_NOMEM;
    return 0;
}

/* Spot, checkpoints and the environment. */
static int add_options(json_t *req, const struct estimator *est)
{
    if (est->spot && estimator_set_new(req, "EnableManagedSpotTraining", json_true()))
        return ERR_NOMEM;
    if (est->checkpoint_s3_uri) {
        json_t *cc = json_pack("{s:s}", "S3Uri", est->checkpoint_s3_uri);

        if (estimator_set_new(req, "CheckpointConfig", cc) ||
            (est->checkpoint_local_path &&
             estimator_set_new(cc, "LocalPath", json_string(est->checkpoint_local_path))))
            return ERR_NOMEM;
    }
    if (est->environment.n > 0) {
        json_t *env = json_object();

        if (estimator_set_new(req, "Environment", env))
            return ERR_NOMEM;
        for (size_t i = 0; i < est->environment.n; i++)
            if (estimator_set_new(env, est->environment.v[i].key,
                                  json_string(est->environment.v[i].value)))
                return ERR_NOMEM;
    }
    return 0;
}

/* fw_utils.py DEBUGGER_UNSUPPORTED_REGIONS and PROFILER_UNSUPPORTED_REGIONS (the same list). */
static const char *const sdk_debugger_unsupported_regions[] = {
    "us-iso-east-1", "us-isob-east-1", "ap-southeast-3", "ap-southeast-4", "eu-south-2",
    "me-central-1", "ap-south-2", "eu-central-2", "us-gov-east-1", NULL,
};

static bool region_supports_debugger(const char *region)
{
    for (size_t i = 0; region && sdk_debugger_unsupported_regions[i]; i++)
        if (strcasecmp(region, sdk_debugger_unsupported_regions[i]) == 0)
            return false;
    return true;
}

/* fw_utils._instance_type_supports_profiler (true means "Trainium: the profiler is off"):
 * ^ml[._]([a-z\d]+) whose family starts with "trn" (trn1, trn1n, trn2...). */
static bool trainium(const char *type)
{
    return type && (strncmp(type, "ml.trn", 6) == 0 || strncmp(type, "ml_trn", 6) == 0);
}

/* EstimatorBase._validate_and_set_debugger_configs: the default hook where the region supports
 * Debugger, none elsewhere. _prepare_profiler_for_training: the profiler on, writing to the
 * output path, unless __init__ disabled it (an unsupported region or a Trainium instance):
 * then ProfilerConfig(disable_profiler=True), which _to_request_dict sends without a path. */
static int add_debugger_profiler(json_t *req, const struct build *b)
{
    bool debugger = region_supports_debugger(b->region);
    bool profiler = debugger && !trainium(b->est->instance_type);

    if (debugger &&
        estimator_set_new(req, "DebugHookConfig", json_pack("{s:s,s:[]}", "S3OutputPath",
                                                            b->output,
                                                            "CollectionConfigurations")))
        return ERR_NOMEM;
    if (profiler)
        return estimator_set_new(req, "ProfilerConfig", json_pack("{s:s,s:b}", "S3OutputPath",
                                                                  b->output, "DisableProfiler",
                                                                  0));
    return estimator_set_new(req, "ProfilerConfig", json_pack("{s:b}", "DisableProfiler", 1));
}

/* The whole request, or NULL when out of memory. */
static json_t *assemble(const struct build *b)
{
    const struct estimator *est = b->est;
    json_t *req = json_object();

    if (req == NULL || add_algorithm(req, b) ||
        estimator_set_new(req, "OutputDataConfig", json_pack("{s:s}", "S3OutputPath",
                                                             b->output)) ||
        estimator_set_new(req, "TrainingJobName", json_string(b->p.job_name)) ||
        add_stopping(req, est) || add_resources(req, est) || add_inputs(req, est) ||
        add_hyperparameters(req, b) || add_pairs(req, "Tags", &est->tags, "Key", "Value") ||
        add_options(req, est) || add_debugger_profiler(req, b)) {
        json_decref(req);
        return NULL;
    }
    return req;
}

int estimator_build(const struct estimator *est, const struct estimator_context *ctx,
                    json_t **out, struct estimator_plan *plan, struct estimator_issues *issues,
                    struct err *e)
{
    struct estimator_issues local = { .n = 0 };
    struct estimator_issues *is = issues ? issues : &local;
    struct build b;
    json_t *req = NULL;

    memset(&b, 0, sizeof(b));
    b.est = est;
    b.region = ctx->region;
    is->n = 0;
    estimator_check_fields(est, is);
    if (b.region == NULL || b.region[0] == '\0')
        estimator_issue_add(is, "region", "no region: set AWS_REGION or pass --region");
    resolve_image(&b, is);
    resolve_default_bucket(&b, ctx->account, is);
    if (is->n > 0 && b.image[0] == '\0')
        goto issues;
    plan_paths(&b, ctx->now);
    if ((req = assemble(&b)) == NULL)
        return err_set(e, ERR_NOMEM, "out of memory building the request");
    estimator_check_request(req, is);
    if (is->n > 0)
        goto issues;
    *out = req;
    if (plan)
        *plan = b.p;
    return 0;

issues:
    json_decref(req);
    return err_set(e, ERR_INVAL, "%zu problem%s: %s: %s", is->n, is->n == 1 ? "" : "s",
                   is->v[0].field, is->v[0].msg);
}
