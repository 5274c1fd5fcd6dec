/* validate.c: every check AWS makes on a CreateTrainingJob request, one message per field
 * (name pattern, instance types, counts, limits, S3 URIs, role ARNs, channels, metric
 * definitions whose regexes must compile, distribution keys against the instance), and the
 * estimator's own checks the SDK makes before it builds a request.
 *
 * Also what the SDK would send but the user surely did not mean: a hyperparameter typed as
 * text where the source job (or the Hugging Face scripts) has a number, and a local entry point
 * or source_dir that is not there (the SDK's validate_source_dir, before anything is built).
 *
 * Owns: the instance type list and the issue list. Must not: change a request, print, or do I/O
 * beyond estimator_check_source()'s two stat() calls. Regexes are compiled with PCRE2 directly
 * (metrics/ is not a dependency of launch/). */
#include <ctype.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define PCRE2_CODE_UNIT_WIDTH 8
#include <pcre2.h>

#include "launch/estimator_internal.h"

/* ---- Instance types ------------------------------------------------------------------------- */

/* botocore 1.43.11 sagemaker TrainingInstanceType. */
const char *const estimator_instance_types[] = {
    "ml.m4.xlarge", "ml.m4.2xlarge", "ml.m4.4xlarge", "ml.m4.10xlarge", "ml.m4.16xlarge",
    "ml.g4dn.xlarge", "ml.g4dn.2xlarge", "ml.g4dn.4xlarge", "ml.g4dn.8xlarge", "ml.g4dn.12xlarge",
    "ml.g4dn.16xlarge", "ml.m5.large", "ml.m5.xlarge", "ml.m5.2xlarge", "ml.m5.4xlarge",
    "ml.m5.12xlarge", "ml.m5.24xlarge", "ml.c4.xlarge", "ml.c4.2xlarge", "ml.c4.4xlarge",
    "ml.c4.8xlarge", "ml.p2.xlarge", "ml.p2.8xlarge", "ml.p2.16xlarge", "ml.p3.2xlarge",
    "ml.p3.8xlarge", "ml.p3.16xlarge", "ml.p3dn.24xlarge", "ml.p4d.24xlarge", "ml.p4de.24xlarge",
    "ml.p5.48xlarge", "ml.p5e.48xlarge", "ml.p5en.48xlarge", "ml.c5.xlarge", "ml.c5.2xlarge",
    "ml.c5.4xlarge", "ml.c5.9xlarge", "ml.c5.18xlarge", "ml.c5n.xlarge", "ml.c5n.2xlarge",
    "ml.c5n.4xlarge", "ml.c5n.9xlarge", "ml.c5n.18xlarge", "ml.g5.xlarge", "ml.g5.2xlarge",
    "ml.g5.4xlarge", "ml.g5.8xlarge", "ml.g5.16xlarge", "ml.g5.12xlarge", "ml.g5.24xlarge",
    "ml.g5.48xlarge", "ml.g6.xlarge", "ml.g6.2xlarge", "ml.g6.4xlarge", "ml.g6.8xlarge",
    "ml.g6.16xlarge", "ml.g6.12xlarge", "ml.g6.24xlarge", "ml.g6.48xlarge", "ml.g6e.xlarge",
    "ml.g6e.2xlarge", "ml.g6e.4xlarge", "ml.g6e.8xlarge", "ml.g6e.16xlarge", "ml.g6e.12xlarge",
    "ml.g6e.24xlarge", "ml.g6e.48xlarge", "ml.trn1.2xlarge", "ml.trn1.32xlarge",
    "ml.trn1n.32xlarge", "ml.trn2.48xlarge", "ml.m6i.large", "ml.m6i.xlarge", "ml.m6i.2xlarge",
    "ml.m6i.4xlarge", "ml.m6i.8xlarge", "ml.m6i.12xlarge", "ml.m6i.16xlarge", "ml.m6i.24xlarge",
    "ml.m6i.32xlarge", "ml.c6i.xlarge", "ml.c6i.2xlarge", "ml.c6i.8xlarge", "ml.c6i.4xlarge",
    "ml.c6i.12xlarge", "ml.c6i.16xlarge", "ml.c6i.24xlarge", "ml.c6i.32xlarge", "ml.r5d.large",
    "ml.r5d.xlarge", "ml.r5d.2xlarge", "ml.r5d.4xlarge", "ml.r5d.8xlarge", "ml.r5d.12xlarge",
    "ml.r5d.16xlarge", "ml.r5d.24xlarge", "ml.t3.medium", "ml.t3.large", "ml.t3.xlarge",
    "ml.t3.2xlarge", "ml.r5.large", "ml.r5.xlarge", "ml.r5.2xlarge", "ml.r5.4xlarge",
    "ml.r5.8xlarge", "ml.r5.12xlarge", "ml.r5.16xlarge", "ml.r5.24xlarge", "ml.p6-b200.48xlarge",
    "ml.m7i.large", "ml.m7i.xlarge", "ml.m7i.2xlarge", "ml.m7i.4xlarge", "ml.m7i.8xlarge",
    "ml.m7i.12xlarge", "ml.m7i.16xlarge", "ml.m7i.24xlarge", "ml.m7i.48xlarge", "ml.c7i.large",
    "ml.c7i.xlarge", "ml.c7i.2xlarge", "ml.c7i.4xlarge", "ml.c7i.8xlarge", "ml.c7i.12xlarge",
    "ml.c7i.16xlarge", "ml.c7i.24xlarge", "ml.c7i.48xlarge", "ml.r7i.large", "ml.r7i.xlarge",
    "ml.r7i.2xlarge", "ml.r7i.4xlarge", "ml.r7i.8xlarge", "ml.r7i.12xlarge", "ml.r7i.16xlarge",
    "ml.r7i.24xlarge", "ml.r7i.48xlarge", "ml.p6e-gb200.36xlarge", "ml.p5.4xlarge",
    "ml.p6-b300.48xlarge", "ml.g7e.2xlarge", "ml.g7e.4xlarge", "ml.g7e.8xlarge",
    "ml.g7e.12xlarge", "ml.g7e.24xlarge", "ml.g7e.48xlarge", NULL,
};

bool estimator_known_instance_type(const char *type)
{
    for (size_t i = 0; estimator_instance_types[i]; i++)
        if (strcmp(estimator_instance_types[i], type) == 0)
            return true;
    return false;
}

/* The SDK's SMDDP list (fw_utils.SM_DATAPARALLEL_SUPPORTED_INSTANCE_TYPES). */
static const char *const smddp_types[] = {
    "ml.p3.16xlarge", "ml.p3dn.24xlarge", "ml.p4d.24xlarge", "ml.p4de.24xlarge", NULL,
};

static bool in_list(const char *const *l, const char *s)
{
    for (size_t i = 0; l[i]; i++)
        if (strcmp(l[i], s) == 0)
            return true;
    return false;
}

static bool gpu_type(const char *t)
{
    return strncmp(t, "ml.g", 4) == 0 || strncmp(t, "ml.p", 4) == 0;
}

/* ---- Issues --------------------------------------------------------------------------------- */

void estimator_issue_add(struct estimator_issues *is, const char *field, const char *fmt, ...)
{
    va_list ap;

    if (is == NULL || is->n >= ESTIMATOR_ISSUES_MAX)
        return;
    snprintf(is->v[is->n].field, sizeof(is->v[is->n].field), "%s", field);
    va_start(ap, fmt);
    vsnprintf(is->v[is->n].msg, sizeof(is->v[is->n].msg), fmt, ap);
    va_end(ap);
    is->n++;
}

const struct estimator_issue *estimator_issue_find(const struct estimator_issues *is,
                                                   const char *field)
{
    for (size_t i = 0; i < is->n; i++)
        if (strcmp(is->v[i].field, field) == 0)
            return &is->v[i];
    return NULL;
}

/* ---- Checks --------------------------------------------------------------------------------- */

/* Whole-string match of pattern against s. */
static bool full_match(const char *pattern, const char *s)
{
    int ec;
    PCRE2_SIZE off;
    pcre2_code *re = pcre2_compile((PCRE2_SPTR)pattern, PCRE2_ZERO_TERMINATED, PCRE2_ANCHORED |
                                   PCRE2_ENDANCHORED, &ec, &off, NULL);
    pcre2_match_data *md;
    int rc;

    if (re == NULL)
        return false;
    md = pcre2_match_data_create_from_pattern(re, NULL);
    rc = md ? pcre2_match(re, (PCRE2_SPTR)s, strlen(s), 0, 0, md, NULL) : -1;
    pcre2_match_data_free(md);
    pcre2_code_free(re);
    return rc >= 0;
}

static void check_s3_uri(struct estimator_issues *is, const char *field, const char *uri,
                         bool required)
{
    const char *b, *slash;
    size_t blen;

    if (uri == NULL || uri[0] == '\0') {
        if (required)
            estimator_issue_add(is, field, "required: an s3://bucket/prefix URI");
        return;
    }
    if (strlen(uri) > 1024) {
        estimator_issue_add(is, field, "%zu characters; at most 1024", strlen(uri));
        return;
    }
    if (strncmp(uri, "s3://", 5) != 0) {
        estimator_issue_add(is, field, "'%.120s' is not an S3 URI (s3://bucket/prefix)", uri);
        return;
    }
    b = uri + 5;
    slash = strchr(b, '/');
    blen = slash ? (size_t)(slash - b) : strlen(b);
    bool ok = blen >= 3 && blen <= 63 && isalnum((unsigned char)b[0]) &&
              isalnum((unsigned char)b[blen - 1]);

    for (size_t i = 0; ok && i < blen; i++)
        ok = islower((unsigned char)b[i]) || isdigit((unsigned char)b[i]) || b[i] == '-' ||
             b[i] == '.';
    if (!ok)
        estimator_issue_add(is, field, "'%.*s' is not a valid bucket name in '%.100s' (3-63 "
                            "lower-case letters, digits, dots, hyphens)", (int)blen, b, uri);
}

static const char *str_at(const json_t *o, const char *k1, const char *k2)
{
    const json_t *v = json_object_get(o, k1);

    if (k2)
        v = json_object_get(v, k2);
    return json_string_value(v);
}

static bool int_at(const json_t *o, const char *k1, const char *k2, long long *out)
{
    const json_t *v = json_object_get(json_object_get(o, k1), k2);

    if (!json_is_integer(v))
        return false;
    *out = json_integer_value(v);
    return true;
}

static void check_name(struct estimator_issues *is, const char *name)
{
    bool ok;
    size_t len;

    if (name == NULL || name[0] == '\0') {
        estimator_issue_add(is, "name", "required");
        return;
    }
    len = strlen(name);
    if (len > 63) {
        estimator_issue_add(is, "name", "%zu characters; at most 63", len);
        return;
    }
    ok = isalnum((unsigned char)name[0]) && isalnum((unsigned char)name[len - 1]);
    for (size_t i = 0; ok && i < len; i++)
        ok = isalnum((unsigned char)name[i]) || name[i] == '-';
    if (!ok)
        estimator_issue_add(is, "name", "'%s' must match ^[a-zA-Z0-9](-*[a-zA-Z0-9]){0,62}: "
                            "letters, digits and hyphens, starting and ending with a letter "
                            "or digit", name);
}

static void check_metrics(struct estimator_issues *is, const json_t *defs)
{
    size_t i;
    json_t *d;
    char field[48];

    if (defs == NULL)
        return;
    if (!json_is_array(defs)) {
        estimator_issue_add(is, "metric_definitions", "must be a list of {Name, Regex}");
        return;
    }
    if (json_array_size(defs) > 40)
        estimator_issue_add(is, "metric_definitions", "%zu definitions; at most 40",
                            json_array_size(defs));
    json_array_foreach(defs, i, d) {
        const char *n = json_string_value(json_object_get(d, "Name"));
        const char *r = json_string_value(json_object_get(d, "Regex"));
        int ec;
        PCRE2_SIZE off;
        pcre2_code *re;

        snprintf(field, sizeof(field), "metric.%.40s", n ? n : "?");
        if (n == NULL || n[0] == '\0' || strlen(n) > 255) {
            estimator_issue_add(is, field, "Name must be 1 to 255 characters");
            continue;
        }
        if (r == NULL || r[0] == '\0' || strlen(r) > 500) {
            estimator_issue_add(is, field, "Regex must be 1 to 500 characters (has %zu)",
                                r ? strlen(r) : (size_t)0);
            continue;
        }
        re = pcre2_compile((PCRE2_SPTR)r, PCRE2_ZERO_TERMINATED, 0, &ec, &off, NULL);
        if (re == NULL) {
            char msg[160];

            if (pcre2_get_error_message(ec, (PCRE2_UCHAR *)msg, sizeof(msg)) < 0)
                snprintf(msg, sizeof(msg), "PCRE2 error %d", ec);
            estimator_issue_add(is, field, "regex does not compile: %s at offset %zu", msg,
                                (size_t)off);
        }
        pcre2_code_free(re);
    }
}

/* Distribution from the keys the SDK adds to the hyperparameters. */
static void check_distribution(struct estimator_issues *is, const json_t *hps,
                               const char *type, long long count)
{
    const char *ddp = json_string_value(
        json_object_get(hps, "sagemaker_distributed_dataparallel_enabled"));
    const char *mpi = json_string_value(json_object_get(hps, "sagemaker_mpi_enabled"));
    const char *pddp = json_string_value(json_object_get(hps, "sagemaker_pytorch_ddp_enabled"));
    const char *torch = json_string_value(
        json_object_get(hps, "sagemaker_torch_distributed_enabled"));
    const char *mp = json_string_value(json_object_get(hps, "mp_parameters"));

    if (type == NULL)
        return;
    if (ddp && strcmp(ddp, "true") == 0 && !in_list(smddp_types, type))
        estimator_issue_add(is, "distribution", "smdistributed data parallel needs "
                            "ml.p3.16xlarge, ml.p3dn.24xlarge, ml.p4d.24xlarge or "
                            "ml.p4de.24xlarge, not %s", type);
    /* MPI alone runs on any instance type (the SDK checks none) but Trainium, where
       fw_utils.validate_distribution_for_instance_type allows torch_distributed only */
    if (strncmp(type, "ml.trn", 6) == 0 &&
        ((mpi && strcmp(mpi, "true") == 0) || (pddp && strcmp(pddp, "true") == 0) ||
         (ddp && strcmp(ddp, "true") == 0)))
        estimator_issue_add(is, "distribution", "Trainium instances (%s) support "
                            "torch_distributed only", type);
    else if (((mp && mpi && strcmp(mpi, "true") == 0) || (pddp && strcmp(pddp, "true") == 0)) &&
             !gpu_type(type))
        estimator_issue_add(is, "distribution", "%s needs a GPU instance type (ml.g*, ml.p*), "
                            "not %s", mp ? "smdistributed model parallel" : "this distribution",
                            type);
    if (torch && strcmp(torch, "true") == 0 && !gpu_type(type) && strncmp(type, "ml.trn", 6))
        estimator_issue_add(is, "distribution", "torch_distributed needs a GPU or Trainium "
                            "instance type, not %s", type);
    if (mp != NULL) {
        json_t *params = estimator_json_loadb(mp, strlen(mp), 0, NULL);
        json_t *p = json_object_get(params, "partitions");
        const char *pph = json_string_value(
            json_object_get(hps, "sagemaker_mpi_num_of_processes_per_host"));
        long long procs = pph ? atoll(pph) : 0;

        if (params == NULL)
            estimator_issue_add(is, "mp_parameters", "not a JSON object");
        else if (mpi == NULL || strcmp(mpi, "true") != 0)
            estimator_issue_add(is, "distribution", "model parallel needs MPI enabled");
        else if (procs < 1)
            estimator_issue_add(is, "processes_per_host", "model parallel needs MPI processes "
                                "per host (1 or more)");
        else if (json_is_integer(p) && json_integer_value(p) > 0 &&
                 (procs * count) % json_integer_value(p) != 0)
            estimator_issue_add(is, "distribution", "model parallel with %lld partitions needs "
                                "a multiple of %lld processes; processes_per_host x "
                                "instance_count = %lld", (long long)json_integer_value(p),
                                (long long)json_integer_value(p), procs * count);
        json_decref(params);
    }
}

/* The job's name, role and image (and the algorithm's input mode and metric definitions). */
static void check_identity(struct estimator_issues *is, const json_t *req)
{
    const json_t *algo = json_object_get(req, "AlgorithmSpecification");
    const char *role = str_at(req, "RoleArn", NULL);
    const char *image = str_at(algo, "TrainingImage", NULL);

    check_name(is, str_at(req, "TrainingJobName", NULL));

    if (role == NULL || role[0] == '\0')
        estimator_issue_add(is, "role", "required: an IAM role ARN "
                            "(arn:aws:iam::123456789012:role/NAME)");
    else if (strlen(role) < 20 || strlen(role) > 2048 ||
             !full_match("arn:aws[a-z\\-]*:iam::\\d{12}:role/?[a-zA-Z_0-9+=,.@\\-_/]+", role))
        estimator_issue_add(is, "role", "'%.120s' is not an IAM role ARN "
                            "(arn:aws:iam::<12-digit account>:role/NAME)", role);

    if (image == NULL && str_at(algo, "AlgorithmName", NULL) == NULL)
        estimator_issue_add(is, "image_uri", "required: a training image");
    else if (image != NULL && (strlen(image) > 255 || image[0] == '\0' ||
                               strpbrk(image, " \t\n") != NULL))
        estimator_issue_add(is, "image_uri", "'%.120s' is not an image URI (no spaces, at "
                            "most 255 characters)", image);
    if (algo != NULL) {
        const char *mode = str_at(algo, "TrainingInputMode", NULL);

        if (mode && strcmp(mode, "File") && strcmp(mode, "Pipe") && strcmp(mode, "FastFile"))
            estimator_issue_add(is, "input_mode", "'%s' is not File, Pipe or FastFile", mode);
        check_metrics(is, json_object_get(algo, "MetricDefinitions"));
    }
}

/* Instance type, count and volume, and the stopping condition; *count for the distribution. */
static void check_resources(struct estimator_issues *is, const json_t *req, long long *count)
{
    const char *type = str_at(req, "ResourceConfig", "InstanceType");
    long long vol = 0, run = 0, wait = 0;
    bool has_wait, spot = json_is_true(json_object_get(req, "EnableManagedSpotTraining"));

    if (type == NULL || type[0] == '\0')
        estimator_issue_add(is, "instance_type", "required, e.g. ml.p3.2xlarge");
    else if (!estimator_known_instance_type(type))
        estimator_issue_add(is, "instance_type", "'%s' is not a SageMaker training instance "
                            "type (e.g. ml.p3.2xlarge, ml.g5.2xlarge, ml.p4d.24xlarge)", type);
    if (!int_at(req, "ResourceConfig", "InstanceCount", count) || *count < 1)
        estimator_issue_add(is, "instance_count", "must be 1 or more");
    if (!int_at(req, "ResourceConfig", "VolumeSizeInGB", &vol) || vol < 1)
        estimator_issue_add(is, "volume_size", "must be 1 GB or more");

    if (!int_at(req, "StoppingCondition", "MaxRuntimeInSeconds", &run) || run < 1)
        estimator_issue_add(is, "max_run", "must be 1 second or more");
    has_wait = int_at(req, "StoppingCondition", "MaxWaitTimeInSeconds", &wait);
    if (spot && !has_wait)
        estimator_issue_add(is, "max_wait", "required with spot: at least max_run (%lld)", run);
    else if (spot && wait < run)
        estimator_issue_add(is, "max_wait", "%lld is less than max_run (%lld); with spot "
                            "max_wait must be at least max_run", wait, run);
    else if (!spot && has_wait)
        estimator_issue_add(is, "max_wait", "only allowed with spot (set spot=true or clear "
                            "max_wait)");
}

static void check_channels(struct estimator_issues *is, const json_t *chans)
{
    char field[48];
    size_t i;
    json_t *v;

    if (chans == NULL)
        return;
    if (json_array_size(chans) > 20)
        estimator_issue_add(is, "inputs", "%zu channels; at most 20",
                            json_array_size(chans));
    json_array_foreach(chans, i, v) {
        const char *n = str_at(v, "ChannelName", NULL);
        const json_t *s3 = json_object_get(json_object_get(v, "DataSource"),
                                           "S3DataSource");

        snprintf(field, sizeof(field), "input.%.40s", n ? n : "?");
        if (n == NULL || n[0] == '\0' || strlen(n) > 64 ||
            !full_match("[A-Za-z0-9\\.\\-_]+", n))
            estimator_issue_add(is, field, "channel name must be 1 to 64 letters, digits, "
                                "dots, hyphens or underscores");
        for (size_t j = 0; j < i && n; j++)
            if (strcmp(n, str_at(json_array_get(chans, j), "ChannelName", NULL)
                              ? str_at(json_array_get(chans, j), "ChannelName", NULL)
                              : "") == 0)
                estimator_issue_add(is, field, "channel '%s' given twice", n);
        if (s3 != NULL)
            check_s3_uri(is, field, str_at(s3, "S3Uri", NULL), true);
    }
}

static void check_hyperparameters(struct estimator_issues *is, const json_t *hps,
                                  const char *type, long long count)
{
    char field[48];
    const char *k;
    json_t *v;

    if (hps == NULL)
        return;
    if (json_object_size(hps) > 100)
        estimator_issue_add(is, "hyperparameters", "%zu hyperparameters; at most 100",
                            json_object_size(hps));
    json_object_foreach((json_t *)hps, k, v) {
        snprintf(field, sizeof(field), "hp.%.40s", k);
        if (strlen(k) > 256)
            estimator_issue_add(is, field, "key longer than 256 characters");
        else if (!json_is_string(v))
            estimator_issue_add(is, field, "value must be a string");
        else if (json_string_length(v) > 2500)
            estimator_issue_add(is, field, "value has %zu characters; at most 2500",
                                json_string_length(v));
    }
    check_distribution(is, hps, type, count);
}

static void check_environment(struct estimator_issues *is, const json_t *env)
{
    char field[48];
    const char *k;
    json_t *v;

    if (env == NULL)
        return;
    if (json_object_size(env) > 48)
        estimator_issue_add(is, "environment", "%zu variables; at most 48",
                            json_object_size(env));
    json_object_foreach((json_t *)env, k, v) {
        snprintf(field, sizeof(field), "env.%.40s", k);
        if (strlen(k) > 512 || !full_match("[a-zA-Z_][a-zA-Z0-9_]*", k))
            estimator_issue_add(is, field, "not a variable name ([a-zA-Z_][a-zA-Z0-9_]*)");
        else if (!json_is_string(v) || json_string_length(v) > 512)
            estimator_issue_add(is, field, "value must be a string of at most 512 "
                                "characters");
    }
}

static void check_tags(struct estimator_issues *is, const json_t *tags)
{
    char field[48];
    size_t i;
    json_t *v;

    if (tags == NULL)
        return;
    if (json_array_size(tags) > 50)
        estimator_issue_add(is, "tags", "%zu tags; at most 50", json_array_size(tags));
    json_array_foreach(tags, i, v) {
        const char *tk = str_at(v, "Key", NULL), *tv = str_at(v, "Value", NULL);

        snprintf(field, sizeof(field), "tag.%.40s", tk ? tk : "?");
        if (tk == NULL || tk[0] == '\0' || strlen(tk) > 128)
            estimator_issue_add(is, field, "key must be 1 to 128 characters");
        else if (tv == NULL || strlen(tv) > 256)
            estimator_issue_add(is, field, "value must be at most 256 characters");
    }
}

void estimator_check_request(const json_t *req, struct estimator_issues *is)
{
    long long count = 0;

    check_identity(is, req);
    check_resources(is, req, &count);
    check_s3_uri(is, "output_path", str_at(req, "OutputDataConfig", "S3OutputPath"), true);
    if (json_object_get(req, "CheckpointConfig"))
        check_s3_uri(is, "checkpoint_s3_uri", str_at(req, "CheckpointConfig", "S3Uri"), true);
    check_channels(is, json_object_get(req, "InputDataConfig"));
    check_hyperparameters(is, json_object_get(req, "HyperParameters"),
                          str_at(req, "ResourceConfig", "InstanceType"), count);
    check_environment(is, json_object_get(req, "Environment"));
    check_tags(is, json_object_get(req, "Tags"));
}


static bool full_version(const char *v)
{
    int dots = 0;

    for (; *v; v++)
        dots += *v == '.';
    return dots >= 2;
}

/* ---- What the user surely did not mean ------------------------------------------------------- */

/* Hyperparameters the Hugging Face examples parse as numbers (argparse type=int / float). */
static const char *const numeric_hp_names[] = {
    "learning_rate", "lr", "epochs", "num_train_epochs", "batch_size", "train_batch_size",
    "eval_batch_size", "per_device_train_batch_size", "per_device_eval_batch_size",
    "weight_decay", "warmup_steps", "warmup_ratio", "max_steps", "seed", "logging_steps",
    "save_steps", "eval_steps", "gradient_accumulation_steps", "max_seq_length", NULL,
};

void estimator_check_hp_text(struct estimator_issues *is, const char *key, const char *text,
                             const char *source_wire)
{
    json_t *v, *src;
    bool numeric;
    char field[48], *sent;

    if (text == NULL || text[0] == '\0')
        return;
    /* JSON text (a number, true, "a quoted string") is what the user wrote on purpose */
    v = estimator_json_loadb(text, strlen(text), JSON_DECODE_ANY, NULL);
    if (v != NULL) {
        json_decref(v);
        return;
    }
    src = source_wire ? estimator_json_loadb(source_wire, strlen(source_wire), JSON_DECODE_ANY,
                                             NULL) : NULL;
    numeric = source_wire ? json_is_number(src) || estimator_json_big_integer(src) != NULL
                          : in_list(numeric_hp_names, key);
    json_decref(src);
    if (!numeric)
        return;
    sent = estimator_hp_encode(text);
    snprintf(field, sizeof(field), "hp.%.40s", key);
    if (source_wire)
        estimator_issue_add(is, field, "'%s' is not a number: the SDK would send the string %s "
                            "where the source job sends the number %s; write it quoted (\"...\") "
                            "if a string is meant", text, sent ? sent : text, source_wire);
    else
        estimator_issue_add(is, field, "'%s' is not a number: the SDK would send the string %s, "
                            "and the Hugging Face scripts parse %s as a number; write it quoted "
                            "(\"...\") if a string is meant", text, sent ? sent : text, key);
    free(sent);
}

void estimator_check_set(struct estimator_issues *is, const json_t *src_req, const char *key,
                         const char *value)
{
    if (strncmp(key, "hp.", 3) == 0)
        estimator_check_hp_text(is, key + 3, value, str_at(src_req, "HyperParameters", key + 3));
}

void estimator_check_source(const struct estimator *est, struct estimator_issues *is)
{
    struct stat sb;
    char path[2048], cwd[1024];
    const char *dir = est->source_dir, *entry = est->entry_point;

    /* a git source is checked once cloned, an S3 one by SageMaker */
    if (entry == NULL || est->git_repo || est->submit_directory ||
        (dir && strncmp(dir, "s3://", 5) == 0) || strncmp(entry, "s3://", 5) == 0)
        return;
    if (dir) {
        if (stat(dir, &sb) != 0)
            estimator_issue_add(is, "source_dir", "no directory %s: %s", dir, strerror(errno));
        else if (!S_ISDIR(sb.st_mode))
            estimator_issue_add(is, "source_dir", "%s is not a directory", dir);
        else if (snprintf(path, sizeof(path), "%s/%s", dir, entry) < (int)sizeof(path) &&
                 (stat(path, &sb) != 0 || !S_ISREG(sb.st_mode)))
            estimator_issue_add(is, "entry_point", "no file %s in source_dir %s", entry, dir);
        return;
    }
    if (stat(entry, &sb) != 0 || !S_ISREG(sb.st_mode))
        estimator_issue_add(is, "entry_point", "no file %s%s%s: set source_dir to the folder "
                            "that holds it", entry, entry[0] == '/' ? "" : " in ",
                            entry[0] == '/' ? "" : getcwd(cwd, sizeof(cwd)) ? cwd : ".");
}

/* The estimator's own checks (the SDK's constructor and fit-time validation). */
void estimator_check_fields(const struct estimator *est, struct estimator_issues *is)
{
    const char *d = est->distribution;

    if (est->name && strlen(est->name) > 63)
        estimator_issue_add(is, "name", "%zu characters; at most 63", strlen(est->name));
    if (est->entry_point == NULL)
        estimator_issue_add(is, "entry_point", "required: the script to run, e.g. train.py");
    if (est->submit_directory != NULL && (est->source_dir || est->git_repo))
        estimator_issue_add(is, "submit_directory", "give either submit_directory or a source "
                            "(source_dir / git_repo), not both");
    if (est->submit_directory)
        check_s3_uri(is, "submit_directory", est->submit_directory, true);
    if ((est->git_branch || est->git_commit) && est->git_repo == NULL)
        estimator_issue_add(is, "git_repo", "required with git_branch / git_commit");
    if (est->code_bucket) {
        char uri[1100];

        snprintf(uri, sizeof(uri), "%s%s%s", strncmp(est->code_bucket, "s3://", 5) ? "s3://" : "",
                 est->code_bucket, strchr(est->code_bucket, '/') ? "" : "/");
        check_s3_uri(is, "code_bucket", uri, true);
    }
    if (est->image_uri == NULL) {
        if (est->transformers_version == NULL)
            estimator_issue_add(is, "transformers_version", "required (or image_uri)");
        if ((est->pytorch_version == NULL) == (est->tensorflow_version == NULL))
            estimator_issue_add(is, est->pytorch_version ? "tensorflow_version"
                                                         : "pytorch_version",
                                "exactly one of pytorch_version or tensorflow_version is "
                                "required (or image_uri)");
        if (est->py_version == NULL)
            estimator_issue_add(is, "py_version", "required (or image_uri), e.g. py39");
        if (est->transformers_version && est->pytorch_version &&
            full_version(est->transformers_version) != full_version(est->pytorch_version))
            estimator_issue_add(is, "pytorch_version", "use either full versions or short "
                                "versions for both transformers_version and pytorch_version");
    }
    if (est->instance_count < 0)
        estimator_issue_add(is, "instance_count", "must be 1 or more");
    if (est->volume_size_gb < 0)
        estimator_issue_add(is, "volume_size", "must be 1 GB or more");
    if (est->max_run_s < 0)
        estimator_issue_add(is, "max_run", "must be 1 second or more");
    if (d != NULL && strcmp(d, ESTIMATOR_DIST_NONE) && strcmp(d, ESTIMATOR_DIST_SMDDP) &&
        strcmp(d, ESTIMATOR_DIST_SMMP) && strcmp(d, ESTIMATOR_DIST_PYTORCHDDP) &&
        strcmp(d, ESTIMATOR_DIST_TORCH) && strcmp(d, ESTIMATOR_DIST_MPI))
        estimator_issue_add(is, "distribution", "'%s' is not one of none, "
                            "smdistributed_dataparallel, smdistributed_modelparallel, "
                            "pytorchddp, torch_distributed, mpi", d);
    if (d && strcmp(d, ESTIMATOR_DIST_SMDDP) == 0 && est->pytorch_version &&
        !full_version(est->pytorch_version))
        estimator_issue_add(is, "pytorch_version", "smdistributed data parallel needs a full "
                            "PyTorch version (e.g. 1.13.1), not %s", est->pytorch_version);
    if (d && strcmp(d, ESTIMATOR_DIST_SMMP) == 0) {
        json_t *mp = est->mp_parameters ? estimator_json_loadb(est->mp_parameters, strlen(est->mp_parameters), 0,
                                             NULL) : NULL;

        if (est->mp_parameters && !json_is_object(mp))
            estimator_issue_add(is, "mp_parameters", "must be a JSON object, e.g. "
                                "{\"partitions\": 2, \"microbatches\": 4}");
        if (est->processes_per_host < 1)
            estimator_issue_add(is, "processes_per_host", "model parallel needs MPI processes "
                                "per host (1 or more)");
        json_decref(mp);
    }
    for (size_t i = 0; i < est->inputs.n; i++) {
        char field[48];

        snprintf(field, sizeof(field), "input.%.40s", est->inputs.v[i].key);
        check_s3_uri(is, field, est->inputs.v[i].value, true);
    }
    for (size_t i = 0; i < est->hyperparameters.n; i++)
        estimator_check_hp_text(is, est->hyperparameters.v[i].key,
                                est->hyperparameters.v[i].value, NULL);
}
