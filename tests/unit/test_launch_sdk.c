/* test_launch_sdk.c: launch/ where sagetop's request once differed from the SageMaker Python
 * SDK's (issue 14, "Request building where the SDK differs"). Each expected value is derived from
 * the SDK's source (aws/sagemaker-python-sdk, src/sagemaker/estimator.py and fw_utils.py), the
 * function named in the test's comment. No network. */
#include <criterion/criterion.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "launch/estimator.h"
#include "support/loopback_aws.h"

static char *read_data(const char *name, size_t *len)
{
    char *buf = loopback_aws_read_data(name, len);

    cr_assert_not_null(buf, "cannot read tests/unit/data/%s", name);
    return buf;
}

/* The plain spec (tests/unit/data/estimator_plain_spec.json) with the "KEY=VALUE" changes, built
 * for region; the request (the caller frees it) and the plan. */
static json_t *build(const char *region, const char *const *sets, struct estimator_plan *plan)
{
    struct estimator_context ctx = { region, "111122223333", 1677672000.0 };
    struct estimator est;
    struct estimator_issues is = { .n = 0 };
    struct err e = { 0 };
    size_t len;
    char *spec = read_data("estimator_plain_spec.json", &len);
    json_t *req = NULL;

    estimator_init(&est);
    cr_assert_eq(estimator_from_spec(&est, spec, len, &e), 0, "%s", e.msg);
    for (size_t i = 0; sets && sets[i]; i++) {
        char key[64];
        const char *eq = strchr(sets[i], '=');

        snprintf(key, sizeof(key), "%.*s", (int)(eq - sets[i]), sets[i]);
        cr_assert_eq(estimator_set(&est, key, eq + 1, &e), 0, "%s", e.msg);
    }
    cr_assert_eq(estimator_build(&est, &ctx, &req, plan, &is, &e), 0, "%s (%s: %s)", e.msg,
                 is.n ? is.v[0].field : "-", is.n ? is.v[0].msg : "-");
    estimator_clean(&est);
    free(spec);
    return req;
}

static void assert_member(const json_t *req, const char *member, const char *want_json)
{
    json_t *want = json_loads(want_json, 0, NULL);
    json_t *got = json_object_get(req, member);
    char *text = got ? json_dumps(got, JSON_COMPACT) : NULL;

    cr_assert_not_null(want);
    cr_assert(json_equal(got, want), "%s: %s, want %s", member, text ? text : "(absent)",
              want_json);
    free(text);
    json_decref(want);
}

/* ---- Debugger and profiler -------------------------------------------------------------------- */

/* fw_utils.py DEBUGGER_UNSUPPORTED_REGIONS / PROFILER_UNSUPPORTED_REGIONS; estimator.py
 * _validate_and_set_debugger_configs sets debugger_hook_config = False there (no
 * DebugHookConfig), EstimatorBase.__init__ sets disable_profiler = True and
 * _prepare_profiler_for_training then sends ProfilerConfig(disable_profiler=True), whose
 * _to_request_dict (debugger/profiler_config.py) has no S3OutputPath. */
Test(sdk_debugger, unsupported_regions_drop_the_hook_and_disable_the_profiler)
{
    static const char *const regions[] = {
        "us-iso-east-1", "us-isob-east-1", "ap-southeast-3", "ap-southeast-4", "eu-south-2",
        "me-central-1", "ap-south-2", "eu-central-2", "us-gov-east-1",
    };
    /* an explicit image: the HF table does not matter here */
    static const char *const sets[] = {
        "image_uri=763104351884.dkr.ecr.us-east-1.amazonaws.com/huggingface-pytorch-training:x",
        NULL,
    };

    for (size_t i = 0; i < sizeof(regions) / sizeof(regions[0]); i++) {
        struct estimator_plan plan;
        json_t *req = build(regions[i], sets, &plan);

        cr_assert_null(json_object_get(req, "DebugHookConfig"), "%s: no DebugHookConfig",
                       regions[i]);
        assert_member(req, "ProfilerConfig", "{\"DisableProfiler\": true}");
        json_decref(req);
    }
}

Test(sdk_debugger, supported_region_keeps_both)
{
    json_t *req = build("eu-west-1", NULL, NULL);

    assert_member(req, "DebugHookConfig", "{\"S3OutputPath\": \"s3://sagemaker-eu-west-1-"
                  "111122223333/\", \"CollectionConfigurations\": []}");
    assert_member(req, "ProfilerConfig", "{\"S3OutputPath\": \"s3://sagemaker-eu-west-1-"
                  "111122223333/\", \"DisableProfiler\": false}");
    json_decref(req);
}

/* fw_utils._instance_type_supports_profiler: ^ml[._]([a-z\d]+) with a family starting "trn"
 * (trn1, trn1n, trn2) turns the profiler off in EstimatorBase.__init__; the debug hook depends
 * on the region only (_validate_and_set_debugger_configs), so it stays. */
Test(sdk_debugger, trainium_disables_the_profiler_keeps_the_hook)
{
    static const char *const types[] = { "ml.trn1.2xlarge", "ml.trn1n.32xlarge",
                                         "ml.trn2.48xlarge" };

    for (size_t i = 0; i < sizeof(types) / sizeof(types[0]); i++) {
        char type[64];
        const char *sets[] = {
            "image_uri=763104351884.dkr.ecr.us-east-1.amazonaws.com/"
            "huggingface-pytorch-training-neuronx:x", type, NULL,
        };
        json_t *req;

        snprintf(type, sizeof(type), "instance_type=%s", types[i]);
        if (!estimator_known_instance_type(types[i]))
            continue;   /* not in botocore's enum: the build refuses it */
        req = build("us-east-1", sets, NULL);
        assert_member(req, "DebugHookConfig", "{\"S3OutputPath\": \"s3://sagemaker-us-east-1-"
                      "111122223333/\", \"CollectionConfigurations\": []}");
        assert_member(req, "ProfilerConfig", "{\"DisableProfiler\": true}");
        json_decref(req);
    }
    cr_assert(estimator_known_instance_type("ml.trn1.2xlarge"));
}

/* ---- Where the source goes -------------------------------------------------------------------- */

#define JOB "hf-demo-2023-03-01-12-00-00-000"

static const char *hp(const json_t *req, const char *key)
{
    return json_string_value(json_object_get(json_object_get(req, "HyperParameters"), key));
}

/* estimator.py _stage_user_code_in_s3: output_path given (not from the default bucket),
 * code_location unset: code_bucket, _ = parse_s3_url(output_path) and
 * _assign_s3_prefix() = s3_path_join("", job, "source"): output_path's prefix is not used.
 * _prepare_for_training calls default_bucket() only when output_path is None, so no account is
 * needed and no bucket is made. */
Test(sdk_code_location, output_path_bucket_without_its_prefix)
{
    struct estimator_context ctx = { "us-east-1", NULL, 1677672000.0 };
    struct estimator est;
    struct estimator_issues is = { .n = 0 };
    struct estimator_plan plan;
    struct err e = { 0 };
    size_t len;
    char *spec = read_data("estimator_plain_spec.json", &len);
    json_t *req = NULL;

    estimator_init(&est);
    cr_assert_eq(estimator_from_spec(&est, spec, len, &e), 0, "%s", e.msg);
    cr_assert_eq(estimator_set(&est, "output_path", "s3://out-bkt/models/run1", &e), 0, "%s", e.msg);
    cr_assert_eq(estimator_build(&est, &ctx, &req, &plan, &is, &e), 0,
                 "no account needed with output_path: %s", e.msg);
    cr_assert_str_eq(plan.bucket, "out-bkt");
    cr_assert_str_eq(plan.key, JOB "/source/sourcedir.tar.gz");
    cr_assert_eq(plan.upload, true);
    cr_assert_eq(plan.default_bucket, false, "the output bucket is never created");
    cr_assert_str_eq(hp(req, "sagemaker_submit_directory"),
                     "\"s3://out-bkt/" JOB "/source/sourcedir.tar.gz\"");
    assert_member(req, "OutputDataConfig", "{\"S3OutputPath\": \"s3://out-bkt/models/run1\"}");
    assert_member(req, "DebugHookConfig", "{\"S3OutputPath\": \"s3://out-bkt/models/run1\", "
                  "\"CollectionConfigurations\": []}");
    json_decref(req);
    estimator_clean(&est);
    free(spec);
}

/* _stage_user_code_in_s3 with code_location: code_bucket, key_prefix = parse_s3_url(...) and
 * s3_path_join(key_prefix, job, "source") (slashes stripped, empty parts skipped); then
 * tar_and_upload_dir's "%s/sourcedir.tar.gz". The output still defaults to the default bucket. */
Test(sdk_code_location, code_location_prefix_is_honoured)
{
    static const struct {
        const char *location, *bucket, *key;
    } cases[] = {
        { "s3://code-bkt/team/a/", "code-bkt", "team/a/" JOB "/source/sourcedir.tar.gz" },
        { "s3://code-bkt/team", "code-bkt", "team/" JOB "/source/sourcedir.tar.gz" },
        { "s3://code-bkt", "code-bkt", JOB "/source/sourcedir.tar.gz" },
        { "code-bkt", "code-bkt", JOB "/source/sourcedir.tar.gz" },
    };

    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        char set[128], want[256];
        const char *sets[] = { set, NULL };
        struct estimator_plan plan;
        json_t *req;

        snprintf(set, sizeof(set), "code_location=%s", cases[i].location);
        req = build("us-east-1", sets, &plan);
        cr_assert_str_eq(plan.bucket, cases[i].bucket, "%s", cases[i].location);
        cr_assert_str_eq(plan.key, cases[i].key, "%s", cases[i].location);
        cr_assert_eq(plan.default_bucket, false);
        snprintf(want, sizeof(want), "\"s3://%s/%s\"", cases[i].bucket, cases[i].key);
        cr_assert_str_eq(hp(req, "sagemaker_submit_directory"), want);
        assert_member(req, "OutputDataConfig",
                      "{\"S3OutputPath\": \"s3://sagemaker-us-east-1-111122223333/\"}");
        json_decref(req);
    }
}

/* ---- distribution={"mpi": {...}} alone ------------------------------------------------------- */

/* The plain spec with the members of extra (a JSON object's text) added, built; the request.
 * Spliced as text: extra may hold what jansson alone cannot read. */
static json_t *build_with(const char *extra)
{
    struct estimator_context ctx = { "us-east-1", "111122223333", 1677672000.0 };
    struct estimator est;
    struct estimator_issues is = { .n = 0 };
    struct err e = { 0 };
    size_t len;
    char *text = read_data("estimator_plain_spec.json", &len);
    char *close = strrchr(text, '}');
    json_t *req = NULL;
    char merged[4096];

    cr_assert(close != NULL && extra[0] == '{');
    snprintf(merged, sizeof(merged), "%.*s, %s", (int)(close - text), text, extra + 1);
    estimator_init(&est);
    cr_assert_eq(estimator_from_spec(&est, merged, strlen(merged), &e), 0, "%s", e.msg);
    cr_assert_eq(estimator_build(&est, &ctx, &req, NULL, &is, &e), 0, "%s (%s: %s)", e.msg,
                 is.n ? is.v[0].field : "-", is.n ? is.v[0].msg : "-");
    estimator_clean(&est);
    free(text);
    return req;
}

/* The hyperparameters after sagemaker_region (the script-mode ones), as "k=v" lines. */
static void assert_tail_hps(const json_t *req, const char *want)
{
    const char *k;
    json_t *v;
    bool after = false;
    char got[1024] = "";

    json_object_foreach(json_object_get(req, "HyperParameters"), k, v) {
        if (after)
            snprintf(got + strlen(got), sizeof(got) - strlen(got), "%s=%s\n", k,
                     json_string_value(v));
        after = after || strcmp(k, "sagemaker_region") == 0;
    }
    cr_assert_str_eq(got, want);
}

/* estimator.py Framework._distribution_configuration (HuggingFace.hyperparameters and PyTorch
 * use it): "mpi" in distribution → LAUNCH_MPI_ENV_NAME (sagemaker_mpi_enabled) = enabled;
 * MPI_NUM_PROCESSES_PER_HOST only `if mpi_dict.get("processes_per_host")`;
 * MPI_CUSTOM_MPI_OPTIONS = mpi_dict.get("custom_mpi_options", "") always; then
 * _json_encode_hyperparameters (json.dumps of each value). */
Test(sdk_distribution, mpi_alone_is_accepted)
{
    json_t *req = build_with("{\"distribution\": {\"mpi\": {\"enabled\": true, "
                             "\"processes_per_host\": 8, \"custom_mpi_options\": \"-verbose "
                             "-x NCCL_DEBUG=INFO\"}}}");

    assert_tail_hps(req, "sagemaker_mpi_enabled=true\n"
                         "sagemaker_mpi_num_of_processes_per_host=8\n"
                         "sagemaker_mpi_custom_mpi_options=\"-verbose -x NCCL_DEBUG=INFO\"\n");
    json_decref(req);
    req = build_with("{\"distribution\": {\"mpi\": {\"enabled\": true}}}");
    assert_tail_hps(req, "sagemaker_mpi_enabled=true\n"
                         "sagemaker_mpi_custom_mpi_options=\"\"\n");
    json_decref(req);
}

Test(sdk_distribution, mpi_by_field_name)
{
    static const char *const sets[] = { "distribution=mpi", "processes_per_host=4", NULL };
    json_t *req = build("us-east-1", sets, NULL);

    assert_tail_hps(req, "sagemaker_mpi_enabled=true\n"
                         "sagemaker_mpi_num_of_processes_per_host=4\n"
                         "sagemaker_mpi_custom_mpi_options=\"\"\n");
    json_decref(req);
}

/* fw_utils.validate_distribution_for_instance_type: on Trainium only torch_distributed. */
Test(sdk_distribution, mpi_on_trainium_is_refused)
{
    struct estimator_context ctx = { "us-east-1", "111122223333", 1677672000.0 };
    struct estimator est;
    struct estimator_issues is = { .n = 0 };
    struct err e = { 0 };
    json_t *req = NULL;
    const struct estimator_issue *it;

    estimator_init(&est);
    cr_assert_eq(estimator_set(&est, "entry_point", "train.py", &e), 0);
    cr_assert_eq(estimator_set(&est, "image_uri", "1.dkr.ecr.us-east-1.amazonaws.com/x:y", &e), 0);
    cr_assert_eq(estimator_set(&est, "instance_type", "ml.trn1.32xlarge", &e), 0);
    cr_assert_eq(estimator_set(&est, "role", "arn:aws:iam::111122223333:role/r", &e), 0);
    cr_assert_eq(estimator_set(&est, "distribution", "mpi", &e), 0);
    cr_assert_eq(estimator_build(&est, &ctx, &req, NULL, &is, &e), ERR_INVAL);
    it = estimator_issue_find(&is, "distribution");
    cr_assert_not_null(it);
    cr_assert(strstr(it->msg, "torch_distributed only") != NULL, "%s", it->msg);
    estimator_clean(&est);
}

/* ---- Integers beyond int64 -------------------------------------------------------------------- */

/* estimator.py EstimatorBase._json_encode_hyperparameters: json.dumps(value) of the Python int
 * the spec held, any size: its digits, unquoted. Nested values too (json.dumps of a dict). */
Test(sdk_hyperparameters, integers_beyond_int64_keep_their_digits)
{
    json_t *req = build_with("{\"hyperparameters\": {\"seed\": 123456789012345678901234567890, "
                             "\"neg\": -9223372036854775809, \"max\": 9223372036854775807, "
                             "\"nested\": {\"a\": [18446744073709551616, 1.5]}, "
                             "\"text\": \"123456789012345678901234567890\"}}");
    const json_t *hps = json_object_get(req, "HyperParameters");

    cr_assert_str_eq(json_string_value(json_object_get(hps, "seed")),
                     "123456789012345678901234567890");
    cr_assert_str_eq(json_string_value(json_object_get(hps, "neg")), "-9223372036854775809");
    cr_assert_str_eq(json_string_value(json_object_get(hps, "max")), "9223372036854775807");
    cr_assert_str_eq(json_string_value(json_object_get(hps, "nested")),
                     "{\"a\": [18446744073709551616, 1.5]}");
    cr_assert_str_eq(json_string_value(json_object_get(hps, "text")),
                     "\"123456789012345678901234567890\"", "a string stays a string");
    json_decref(req);
}

/* --set hp.KEY=VALUE, the form's fields and a re-launch's hp.KEY all go through
 * estimator_hp_encode(). */
Test(sdk_hyperparameters, set_values_beyond_int64)
{
    static const char *const cases[][2] = {
        { "123456789012345678901234567890", "123456789012345678901234567890" },
        { "-123456789012345678901234567890", "-123456789012345678901234567890" },
        { "[99999999999999999999, 1]", "[99999999999999999999, 1]" },
        { "1e400x", "\"1e400x\"" },
    };
    json_t *req = json_pack("{s:s,s:{}}", "TrainingJobName", "j", "HyperParameters");
    struct err e = { 0 };

    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        char *got = estimator_hp_encode(cases[i][0]);

        cr_assert_str_eq(got, cases[i][1], "hp %s", cases[i][0]);
        free(got);
    }
    cr_assert_eq(estimator_request_set(req, "hp.seed", "123456789012345678901234567890", &e), 0,
                 "%s", e.msg);
    cr_assert_str_eq(json_string_value(json_object_get(json_object_get(req, "HyperParameters"),
                                                       "seed")),
                     "123456789012345678901234567890");
    json_decref(req);
}

/* A \u0000 of the spec's own is refused as before (jansson's message), not read as a number. */
Test(sdk_hyperparameters, a_nul_escape_is_still_refused)
{
    static const char spec[] = "{\"hyperparameters\": {\"a\": \"\\u0000123\", "
                               "\"b\": 123456789012345678901234567890}}";
    struct estimator est;
    struct err e = { 0 };

    estimator_init(&est);
    cr_assert_eq(estimator_from_spec(&est, spec, strlen(spec), &e), ERR_PARSE);
    cr_assert(strstr(e.msg, "spec:") != NULL, "%s", e.msg);
    estimator_clean(&est);
}
