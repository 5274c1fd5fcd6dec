/* test_estimator.c: launch/ (the estimator files, hf_image_uris.c and sourcedir.c). Requests built from
 * spec files are compared with checked-in CreateTrainingJob JSON derived from what the SageMaker
 * Python SDK's own code produced (AWS_NOTES §4); each AWS check is driven with a bad value and
 * its per-field message asserted. No network. */
#include <archive.h>
#include <archive_entry.h>
#include <criterion/criterion.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "launch/estimator.h"
#include "launch/sourcedir.h"
#include "support/loopback_aws.h"

static char *read_data(const char *name, size_t *len)
{
    char *buf = loopback_aws_read_data(name, len);

    cr_assert_not_null(buf, "cannot read tests/unit/data/%s", name);
    return buf;
}

static json_t *load_json(const char *name)
{
    size_t len;
    char *text = read_data(name, &len);
    json_error_t je;
    json_t *v = json_loadb(text, len, 0, &je);

    cr_assert_not_null(v, "%s: %s", name, je.text);
    free(text);
    return v;
}

static const struct estimator_context ctx_us = { "us-east-1", "111122223333", 1677672000.0 };

/* Builds the spec and compares with the expected request, showing the difference. */
static void check_build(const char *spec_name, const char *expected_name)
{
    struct estimator est;
    struct estimator_issues is;
    struct estimator_plan plan;
    struct err e = { 0 };
    size_t len;
    char *spec = read_data(spec_name, &len);
    json_t *req = NULL, *want = load_json(expected_name);
    char diff[4096];

    estimator_init(&est);
    cr_assert_eq(estimator_from_spec(&est, spec, len, &e), 0, "%s", e.msg);
    cr_assert_eq(estimator_build(&est, &ctx_us, &req, &plan, &is, &e), 0, "%s", e.msg);
    estimator_request_diff(want, req, diff, sizeof(diff));
    cr_assert(json_equal(req, want), "%s differs from %s:\n%s", spec_name, expected_name, diff);
    cr_assert(plan.upload);
    cr_assert_str_eq(plan.bucket, "sagemaker-us-east-1-111122223333");
    {
        char key[256];

        snprintf(key, sizeof(key), "%s/source/sourcedir.tar.gz", plan.job_name);
        cr_assert_str_eq(plan.key, key);
    }
    json_decref(req);
    json_decref(want);
    estimator_clean(&est);
    free(spec);
}

Test(estimator_build, plain_matches_sdk) { check_build("estimator_plain_spec.json", "estimator_plain.json"); }
Test(estimator_build, spot_with_checkpoints) { check_build("estimator_spot_spec.json", "estimator_spot.json"); }
Test(estimator_build, smdistributed_dataparallel) { check_build("estimator_smddp_spec.json", "estimator_smddp.json"); }
Test(estimator_build, smdistributed_modelparallel) { check_build("estimator_modelparallel_spec.json", "estimator_modelparallel.json"); }
Test(estimator_build, git_source) { check_build("estimator_git_spec.json", "estimator_git.json"); }

Test(estimator_build, hyperparameter_order_is_the_sdks)
{
    /* user keys first, then the script-mode keys, then the distribution keys */
    struct estimator est;
    struct estimator_issues is;
    struct err e = { 0 };
    size_t len;
    char *spec = read_data("estimator_smddp_spec.json", &len);
    json_t *req = NULL;
    const char *order[] = { "epochs", "sagemaker_submit_directory", "sagemaker_program",
                            "sagemaker_container_log_level", "sagemaker_job_name",
                            "sagemaker_region", "sagemaker_distributed_dataparallel_enabled",
                            "sagemaker_instance_type",
                            "sagemaker_distributed_dataparallel_custom_mpi_options" };
    const char *k;
    json_t *v;
    size_t i = 0;

    estimator_init(&est);
    cr_assert_eq(estimator_from_spec(&est, spec, len, &e), 0, "%s", e.msg);
    cr_assert_eq(estimator_build(&est, &ctx_us, &req, NULL, &is, &e), 0, "%s", e.msg);
    json_object_foreach(json_object_get(req, "HyperParameters"), k, v) {
        cr_assert_lt(i, 9);
        cr_assert_str_eq(k, order[i]);
        i++;
    }
    cr_assert_eq(i, 9);
    json_decref(req);
    estimator_clean(&est);
    free(spec);
}

Test(estimator_build, default_name_from_image)
{
    struct estimator est;
    struct estimator_issues is;
    struct estimator_plan plan;
    struct err e = { 0 };
    size_t len;
    char *spec = read_data("estimator_plain_spec.json", &len);
    json_t *req = NULL;
    struct estimator_context ctx = { "us-east-1", "111122223333", 1625576908.472 };

    estimator_init(&est);
    cr_assert_eq(estimator_from_spec(&est, spec, len, &e), 0);
    cr_assert_eq(estimator_set(&est, "name", "", &e), 0);
    cr_assert_eq(estimator_build(&est, &ctx, &req, &plan, &is, &e), 0, "%s", e.msg);
    cr_assert_str_eq(plan.job_name, "huggingface-pytorch-training-2021-07-06-13-08-28-472");
    cr_assert_str_eq(json_string_value(json_object_get(json_object_get(req, "HyperParameters"),
                                                       "sagemaker_job_name")),
                     "\"huggingface-pytorch-training-2021-07-06-13-08-28-472\"");
    json_decref(req);
    estimator_clean(&est);
    free(spec);
}

/* ---- Python encoding ------------------------------------------------------------------------ */

static void check_py(const char *json_text, const char *want)
{
    json_t *v = json_loads(json_text, JSON_DECODE_ANY, NULL);
    char *got;

    cr_assert_not_null(v, "%s", json_text);
    got = estimator_py_json(v);
    cr_assert_str_eq(got, want, "json.dumps(%s)", json_text);
    free(got);
    json_decref(v);
}

Test(estimator_encode, like_python_json_dumps)
{
    check_py("1", "1");
    check_py("5e-5", "5e-05");
    check_py("0.0001", "0.0001");
    check_py("0.00001", "1e-05");
    check_py("0.1", "0.1");
    check_py("123.0", "123.0");
    check_py("1e16", "1e+16");
    check_py("1e15", "1000000000000000.0");
    check_py("-2.5e-7", "-2.5e-07");
    check_py("3e-05", "3e-05");
    check_py("true", "true");
    check_py("null", "null");
    check_py("\"distilbert-base-uncased\"", "\"distilbert-base-uncased\"");
    check_py("[1, 2.5, \"a\"]", "[1, 2.5, \"a\"]");
    check_py("{\"partitions\":2,\"microbatches\":4}", "{\"partitions\": 2, \"microbatches\": 4}");
    check_py("\"caf\\u00e9 \\\"q\\\"\\n\"", "\"caf\\u00e9 \\\"q\\\"\\n\"");
    check_py("\"\\ud83d\\ude00\"", "\"\\ud83d\\ude00\"");
}

Test(estimator_encode, hyperparameter_text)
{
    const char *cases[][2] = {
        { "5", "5" }, { "5e-5", "5e-05" }, { "true", "true" }, { "bert", "\"bert\"" },
        { "\"5\"", "\"5\"" }, { "full_shard auto_wrap", "\"full_shard auto_wrap\"" },
        { "[1,2]", "[1, 2]" },
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        char *got = estimator_hp_encode(cases[i][0]);

        cr_assert_str_eq(got, cases[i][1], "hp %s", cases[i][0]);
        free(got);
    }
}

Test(estimator_names, default_and_relaunch)
{
    char out[64];

    estimator_default_name("hf-demo", 1677672000.0, out, sizeof(out));
    cr_assert_str_eq(out, "hf-demo-2023-03-01-12-00-00-0");
    estimator_default_name("a-very-long-base-job-name-that-goes-on-and-on-and-on", 1625576908.472,
                           out, sizeof(out));
    cr_assert_eq(strlen(out), 63);
    cr_assert_str_eq(out, "a-very-long-base-job-name-that-goes-on--2021-07-06-13-08-28-472");
    estimator_relaunch_name("hf-demo-2023-03-01-12-00-00-000", 1625576908.472, out, sizeof(out));
    cr_assert_str_eq(out, "hf-demo-2021-07-06-13-08-28-472");
    estimator_relaunch_name("distilbert-imdb-lr5e5-ep3", 1625576908.472, out, sizeof(out));
    cr_assert_str_eq(out, "distilbert-imdb-lr5e5-ep3-2021-07-06-13-08-28-472");
    estimator_base_from_image("763104351884.dkr.ecr.us-east-1.amazonaws.com/"
                              "huggingface-pytorch-training:1.13-transformers4.26-gpu", out,
                              sizeof(out));
    cr_assert_str_eq(out, "huggingface-pytorch-training");
}

/* ---- Image table ---------------------------------------------------------------------------- */

static void check_uri(const char *tf, const char *pt, const char *py, const char *type,
                      const char *region, const char *want)
{
    char uri[512];
    struct err e = { 0 };

    cr_assert_eq(hf_images_uri(tf, "pytorch", pt, py, type, region, uri, sizeof(uri), &e), 0,
                 "%s", e.msg);
    cr_assert_str_eq(uri, want);
}

Test(hf_images, sdk_uris)
{
    check_uri("4.26", "1.13", "py39", "ml.p3.2xlarge", "us-east-1",
              "763104351884.dkr.ecr.us-east-1.amazonaws.com/huggingface-pytorch-training:"
              "1.13-transformers4.26-gpu-py39-cu117-ubuntu20.04");
    check_uri("4.26.0", "1.13.1", "py39", "ml.p3.2xlarge", "us-east-1",
              "763104351884.dkr.ecr.us-east-1.amazonaws.com/huggingface-pytorch-training:"
              "1.13.1-transformers4.26.0-gpu-py39-cu117-ubuntu20.04");
    check_uri("4.26", "1.13", "py39", "ml.p3.2xlarge", "eu-west-1",
              "763104351884.dkr.ecr.eu-west-1.amazonaws.com/huggingface-pytorch-training:"
              "1.13-transformers4.26-gpu-py39-cu117-ubuntu20.04");
    check_uri("4.26", "1.13", "py39", "ml.p3.2xlarge", "ap-east-1",
              "871362719292.dkr.ecr.ap-east-1.amazonaws.com/huggingface-pytorch-training:"
              "1.13-transformers4.26-gpu-py39-cu117-ubuntu20.04");
    check_uri("4.26", "1.13", "py39", "ml.p3.2xlarge", "cn-north-1",
              "727897471807.dkr.ecr.cn-north-1.amazonaws.com.cn/huggingface-pytorch-training:"
              "1.13-transformers4.26-gpu-py39-cu117-ubuntu20.04");
    check_uri("4.26", "1.13", "py39", "ml.p4d.24xlarge", "us-east-1",
              "763104351884.dkr.ecr.us-east-1.amazonaws.com/huggingface-pytorch-training:"
              "1.13-transformers4.26-gpu-py39-cu117-ubuntu20.04");
    check_uri("4.28.1", "2.0.0", "py310", "ml.g5.2xlarge", "us-east-1",
              "763104351884.dkr.ecr.us-east-1.amazonaws.com/huggingface-pytorch-training:"
              "2.0.0-transformers4.28.1-gpu-py310-cu118-ubuntu20.04");
    check_uri("4.6", "1.7", "py36", "ml.p3.2xlarge", "us-east-1",
              "763104351884.dkr.ecr.us-east-1.amazonaws.com/huggingface-pytorch-training:"
              "1.7-transformers4.6-gpu-py36-cu110-ubuntu18.04");
}

Test(hf_images, unknown_combinations_list_valid_ones)
{
    char uri[512];
    struct err e = { 0 };

    cr_assert_eq(hf_images_uri("4.99", "pytorch", "1.13", "py39", "ml.p3.2xlarge", "us-east-1",
                               uri, sizeof(uri), &e), ERR_INVAL);
    cr_assert(strstr(e.msg, "unsupported transformers version '4.99'"), "%s", e.msg);
    cr_assert(strstr(e.msg, "4.26.0") && strstr(e.msg, "4.28"), "%s", e.msg);
    cr_assert_eq(hf_images_uri("4.26", "pytorch", "1.12", "py39", "ml.p3.2xlarge", "us-east-1",
                               uri, sizeof(uri), &e), ERR_INVAL);
    cr_assert(strstr(e.msg, "valid: 1.13.1, 1.13"), "%s", e.msg);
    cr_assert_eq(hf_images_uri("4.26", "pytorch", "1.13", "py38", "ml.p3.2xlarge", "us-east-1",
                               uri, sizeof(uri), &e), ERR_INVAL);
    cr_assert(strstr(e.msg, "valid: py39"), "%s", e.msg);
    cr_assert_eq(hf_images_uri("4.26", "pytorch", "1.13", "py39", "ml.m5.xlarge", "us-east-1",
                               uri, sizeof(uri), &e), ERR_INVAL);
    cr_assert(strstr(e.msg, "not a GPU instance type"), "%s", e.msg);
    cr_assert_eq(hf_images_uri("4.26", "tensorflow", "2.4", "py37", "ml.p3.2xlarge", "us-east-1",
                               uri, sizeof(uri), &e), ERR_INVAL);
}

static void check_fw_uri(const char *tf, const char *fw, const char *ver, const char *py,
                         const char *region, const char *want)
{
    char uri[512];
    struct err e = { 0 };

    cr_assert_eq(hf_images_uri(tf, fw, ver, py, "ml.p3.2xlarge", region, uri, sizeof(uri), &e),
                 0, "%s", e.msg);
    cr_assert_str_eq(uri, want);
}

/* Rows of the full table (the SDK's huggingface.json "training", data/huggingface.json). The
 * 4.38.2 rows of the former hand-made table came from a fork (no commit of the SDK has them):
 * their checks became 4.46.1 and 4.49.0 rows, which the SDK's file has. */
Test(hf_images, table_rows)
{
    check_fw_uri("4.10", "pytorch", "1.9", "py38", "us-east-1",
                 "763104351884.dkr.ecr.us-east-1.amazonaws.com/huggingface-pytorch-training:"
                 "1.9-transformers4.10-gpu-py38-cu111-ubuntu20.04");
    check_fw_uri("4.10.2", "pytorch", "1.9.0", "py38", "us-west-2",
                 "763104351884.dkr.ecr.us-west-2.amazonaws.com/huggingface-pytorch-training:"
                 "1.9.0-transformers4.10.2-gpu-py38-cu111-ubuntu20.04");
    check_fw_uri("4.10", "pytorch", "1.8", "py36", "us-east-1",
                 "763104351884.dkr.ecr.us-east-1.amazonaws.com/huggingface-pytorch-training:"
                 "1.8-transformers4.10-gpu-py36-cu110-ubuntu18.04");
    check_fw_uri("4.10", "tensorflow", "2.5", "py37", "us-east-1",
                 "763104351884.dkr.ecr.us-east-1.amazonaws.com/huggingface-tensorflow-training:"
                 "2.5-transformers4.10-gpu-py37-cu112-ubuntu18.04");
    check_fw_uri("4.17", "pytorch", "1.10", "py38", "us-east-1",
                 "763104351884.dkr.ecr.us-east-1.amazonaws.com/huggingface-pytorch-training:"
                 "1.10-transformers4.17-gpu-py38-cu113-ubuntu20.04");
    check_fw_uri("4.17.0", "tensorflow", "2.6.3", "py38", "eu-central-1",
                 "763104351884.dkr.ecr.eu-central-1.amazonaws.com/"
                 "huggingface-tensorflow-training:2.6.3-transformers4.17.0-gpu-py38-"
                 "cu112-ubuntu20.04");
    check_fw_uri("4.17", "tensorflow", "2.6", "py38", "us-east-1",
                 "763104351884.dkr.ecr.us-east-1.amazonaws.com/huggingface-tensorflow-training:"
                 "2.6-transformers4.17-gpu-py38-cu112-ubuntu20.04");
    check_fw_uri("4.12", "pytorch", "1.9", "py38", "us-east-1",
                 "763104351884.dkr.ecr.us-east-1.amazonaws.com/huggingface-pytorch-training:"
                 "1.9-transformers4.12-gpu-py38-cu111-ubuntu20.04");
    check_fw_uri("4.36", "pytorch", "2.1", "py310", "us-east-1",
                 "763104351884.dkr.ecr.us-east-1.amazonaws.com/huggingface-pytorch-training:"
                 "2.1-transformers4.36-gpu-py310-cu121-ubuntu20.04");
    check_fw_uri("4.46.1", "pytorch", "2.3.0", "py311", "us-east-1",
                 "763104351884.dkr.ecr.us-east-1.amazonaws.com/huggingface-pytorch-training:"
                 "2.3.0-transformers4.46.1-gpu-py311-cu121-ubuntu20.04");
    /* No container_version in the 4.4.2 row: the SDK's default. */
    check_fw_uri("4.4", "tensorflow", "2.4", "py37", "us-east-1",
                 "763104351884.dkr.ecr.us-east-1.amazonaws.com/huggingface-tensorflow-training:"
                 "2.4-transformers4.4-gpu-py37-cu110-ubuntu18.04");
    /* China: own account and the .com.cn endpoint. */
    check_fw_uri("4.17", "pytorch", "1.10", "py38", "cn-northwest-1",
                 "727897471807.dkr.ecr.cn-northwest-1.amazonaws.com.cn/"
                 "huggingface-pytorch-training:1.10-transformers4.17-gpu-py38-cu113-ubuntu20.04");
    /* Regions with their own accounts. */
    check_fw_uri("4.10", "pytorch", "1.9", "py38", "ap-east-1",
                 "871362719292.dkr.ecr.ap-east-1.amazonaws.com/huggingface-pytorch-training:"
                 "1.9-transformers4.10-gpu-py38-cu111-ubuntu20.04");
    check_fw_uri("4.49", "pytorch", "2.5", "py311", "ap-east-1",
                 "871362719292.dkr.ecr.ap-east-1.amazonaws.com/huggingface-pytorch-training:"
                 "2.5-transformers4.49-gpu-py311-cu124-ubuntu22.04");
    check_fw_uri("4.17", "pytorch", "1.10", "py38", "ap-south-2",
                 "772153158452.dkr.ecr.ap-south-2.amazonaws.com/huggingface-pytorch-training:"
                 "1.10-transformers4.17-gpu-py38-cu113-ubuntu20.04");
    check_fw_uri("4.28", "pytorch", "2.0", "py310", "ca-west-1",
                 "204538143572.dkr.ecr.ca-west-1.amazonaws.com/huggingface-pytorch-training:"
                 "2.0-transformers4.28-gpu-py310-cu118-ubuntu20.04");
}

Test(hf_images, full_table_refusals_list_valid_ones)
{
    char uri[512];
    struct err e = { 0 };

    cr_assert_eq(hf_images_uri("4.29", "pytorch", "2.0", "py310", "ml.p3.2xlarge", "us-east-1",
                               uri, sizeof(uri), &e), ERR_INVAL);
    /* the full versions (the aliases would not fit an error message) */
    cr_assert(strstr(e.msg, "unsupported transformers version '4.29'; valid: 4.4.2, 4.5.0, "
                            "4.6.1, 4.10.2, 4.11.0, 4.12.3, 4.17.0, 4.26.0, 4.28.1, 4.36.0, "
                            "4.46.1, 4.48.0, 4.49.0, 4.55.0, 4.56.2, 5.3.0"),
              "%s", e.msg);
    cr_assert_eq(hf_images_uri("4.38", "pytorch", "2.1", "py310", "ml.p3.2xlarge", "us-east-1",
                               uri, sizeof(uri), &e), ERR_INVAL);
    cr_assert(strstr(e.msg, "unsupported transformers version '4.38'"), "%s", e.msg);
    cr_assert_eq(hf_images_uri("4.10", "pytorch", "1.13", "py38", "ml.p3.2xlarge", "us-east-1",
                               uri, sizeof(uri), &e), ERR_INVAL);
    cr_assert(strstr(e.msg, "valid: 1.8.1, 1.8, 1.9.0, 1.9"), "%s", e.msg);
    cr_assert_eq(hf_images_uri("4.11", "tensorflow", "2.4", "py37", "ml.p3.2xlarge", "us-east-1",
                               uri, sizeof(uri), &e), ERR_INVAL);
    cr_assert(strstr(e.msg, "valid: 2.5.1, 2.5"), "%s", e.msg);
    cr_assert_eq(hf_images_uri("4.10", "pytorch", "1.9", "py36", "ml.p3.2xlarge", "us-east-1",
                               uri, sizeof(uri), &e), ERR_INVAL);
    cr_assert(strstr(e.msg, "valid: py38"), "%s", e.msg);
    /* ap-south-2 is listed for the 4.17.0 rows but not for 4.26.0. */
    cr_assert_eq(hf_images_uri("4.26", "pytorch", "1.13", "py39", "ml.p3.2xlarge", "ap-south-2",
                               uri, sizeof(uri), &e), ERR_INVAL);
    cr_assert(strstr(e.msg, "not published in ap-south-2"), "%s", e.msg);
}

/* ---- Checks: one bad value per field --------------------------------------------------------- */

/* Builds the plain spec with one --set applied; returns the issue text for field. */
static void expect_issue(const char *key, const char *value, const char *field,
                         const char *fragment)
{
    struct estimator est;
    struct estimator_issues is;
    struct err e = { 0 };
    size_t len;
    char *spec = read_data("estimator_plain_spec.json", &len);
    json_t *req = NULL;
    const struct estimator_issue *it;

    estimator_init(&est);
    cr_assert_eq(estimator_from_spec(&est, spec, len, &e), 0);
    cr_assert_eq(estimator_set(&est, key, value, &e), 0, "%s", e.msg);
    cr_assert_eq(estimator_build(&est, &ctx_us, &req, NULL, &is, &e), ERR_INVAL,
                 "%s=%s was accepted", key, value);
    cr_assert_null(req);
    it = estimator_issue_find(&is, field);
    cr_assert_not_null(it, "%s=%s: no issue for %s (first: %s: %s)", key, value, field,
                       is.n ? is.v[0].field : "-", is.n ? is.v[0].msg : "-");
    cr_assert(strstr(it->msg, fragment), "%s: '%s' lacks '%s'", field, it->msg, fragment);
    estimator_clean(&est);
    free(spec);
}

Test(estimator_check, every_field_has_its_message)
{
    expect_issue("name", "bad_name!", "name", "must match ^[a-zA-Z0-9](-*[a-zA-Z0-9]){0,62}");
    expect_issue("name", "ends-with-", "name", "must match");
    expect_issue("name", "a234567890123456789012345678901234567890123456789012345678901234",
                 "name", "64 characters; at most 63");
    expect_issue("instance_type", "ml.p3.3xlarge", "instance_type",
                 "not a SageMaker training instance type");
    expect_issue("instance_type", "ml.m5.xlarge", "instance_type", "not a GPU instance type");
    expect_issue("role", "SageMakerRole", "role", "not an IAM role ARN");
    expect_issue("role", "arn:aws:iam::1234:role/x", "role", "not an IAM role ARN");
    expect_issue("input.train", "imdb/train", "input.train", "not an S3 URI");
    expect_issue("input.bad name", "s3://my-bucket/x", "input.bad name", "channel name");
    expect_issue("output_path", "s3://My_Bucket/out", "output_path", "not a valid bucket name");
    expect_issue("checkpoint_s3_uri", "/local/ckpt", "checkpoint_s3_uri", "not an S3 URI");
    expect_issue("metric.loss", "loss: ([0-9", "metric.loss",
                 "regex does not compile: missing terminating ] for character class at offset 11");
    expect_issue("metric.acc", "acc=(\\d+", "metric.acc", "missing closing parenthesis at offset 8");
    expect_issue("max_wait", "60", "max_wait", "only allowed with spot");
    expect_issue("transformers_version", "4.99", "transformers_version",
                 "unsupported transformers version");
    expect_issue("py_version", "py27", "py_version", "valid: py39");
    expect_issue("entry_point", "", "entry_point", "required");
    expect_issue("distribution", "horovod", "distribution", "not one of");
    expect_issue("env.1BAD", "x", "env.1BAD", "not a variable name");
}

Test(estimator_check, spot_needs_max_wait_at_least_max_run)
{
    struct estimator est;
    struct estimator_issues is;
    struct err e = { 0 };
    size_t len;
    char *spec = read_data("estimator_spot_spec.json", &len);
    json_t *req = NULL;

    estimator_init(&est);
    cr_assert_eq(estimator_from_spec(&est, spec, len, &e), 0);
    cr_assert_eq(estimator_set(&est, "max_wait", "1800", &e), 0);
    cr_assert_eq(estimator_build(&est, &ctx_us, &req, NULL, &is, &e), ERR_INVAL);
    cr_assert_str_eq(is.v[0].field, "max_wait");
    cr_assert(strstr(is.v[0].msg, "1800 is less than max_run (3600)"), "%s", is.v[0].msg);
    estimator_clean(&est);
    free(spec);
}

Test(estimator_check, distribution_needs_supported_type_and_count)
{
    struct estimator est;
    struct estimator_issues is;
    struct err e = { 0 };
    size_t len;
    char *spec = read_data("estimator_smddp_spec.json", &len);
    json_t *req = NULL;
    const struct estimator_issue *it;

    estimator_init(&est);
    cr_assert_eq(estimator_from_spec(&est, spec, len, &e), 0);
    cr_assert_eq(estimator_set(&est, "instance_type", "ml.p3.2xlarge", &e), 0);
    cr_assert_eq(estimator_build(&est, &ctx_us, &req, NULL, &is, &e), ERR_INVAL);
    it = estimator_issue_find(&is, "distribution");
    cr_assert_not_null(it);
    cr_assert(strstr(it->msg, "smdistributed data parallel needs ml.p3.16xlarge"), "%s", it->msg);
    estimator_clean(&est);
    free(spec);

    spec = read_data("estimator_modelparallel_spec.json", &len);
    estimator_init(&est);
    cr_assert_eq(estimator_from_spec(&est, spec, len, &e), 0);
    cr_assert_eq(estimator_set(&est, "processes_per_host", "3", &e), 0);
    cr_assert_eq(estimator_set(&est, "instance_count", "1", &e), 0);
    cr_assert_eq(estimator_build(&est, &ctx_us, &req, NULL, &is, &e), ERR_INVAL);
    it = estimator_issue_find(&is, "distribution");
    cr_assert_not_null(it);
    cr_assert(strstr(it->msg, "2 partitions needs a multiple of 2 processes"), "%s", it->msg);
    estimator_clean(&est);
    free(spec);
}

Test(estimator_check, unknown_field)
{
    struct estimator est;
    struct err e = { 0 };

    estimator_init(&est);
    cr_assert_eq(estimator_set(&est, "instance_typo", "x", &e), ERR_INVAL);
    cr_assert(strstr(e.msg, "instance_typo: unknown field"), "%s", e.msg);
    cr_assert_eq(estimator_set(&est, "max_run", "ten", &e), ERR_INVAL);
    cr_assert(strstr(e.msg, "not a whole number"), "%s", e.msg);
    cr_assert_eq(estimator_set(&est, "instance_count", "0", &e), ERR_INVAL);
    cr_assert_str_eq(e.msg, "instance_count: must be 1 or more");
    estimator_clean(&est);
}

Test(estimator_check, hyperparameter_text_where_a_number_is_meant)
{
    struct estimator_issues is = { .n = 0 };
    const struct estimator_issue *it;

    /* a re-launch: the source job sends a number */
    estimator_check_hp_text(&is, "learning_rate", "abc", "5e-05");
    cr_assert_eq(is.n, 1);
    it = estimator_issue_find(&is, "hp.learning_rate");
    cr_assert_not_null(it);
    cr_assert(strstr(it->msg, "'abc' is not a number: the SDK would send the string \"abc\" "
                     "where the source job sends the number 5e-05"), "%s", it->msg);
    /* numbers, JSON text and a string where the source has one are what was meant */
    estimator_check_hp_text(&is, "learning_rate", "3e-5", "5e-05");
    estimator_check_hp_text(&is, "learning_rate", "\"abc\"", "5e-05");
    estimator_check_hp_text(&is, "model_name", "bert-base", "\"distilbert\"");
    estimator_check_hp_text(&is, "learning_rate", "", "5e-05");
    cr_assert_eq(is.n, 1);
    /* a new estimator: the names the Hugging Face scripts parse as numbers */
    estimator_check_hp_text(&is, "epochs", "three", NULL);
    estimator_check_hp_text(&is, "model_name", "bert-base", NULL);
    cr_assert_eq(is.n, 2);
    cr_assert(strstr(is.v[1].msg, "the Hugging Face scripts parse epochs as a number"), "%s",
              is.v[1].msg);
    /* through a re-launch's changes, and through the estimator's build */
    json_t *src = json_pack("{s:{s:s}}", "HyperParameters", "epochs", "3");

    estimator_check_set(&is, src, "hp.epochs", "4x");
    estimator_check_set(&is, src, "instance_type", "4x");
    cr_assert_eq(is.n, 3);
    cr_assert_str_eq(is.v[2].field, "hp.epochs");
    json_decref(src);
    expect_issue("hp.learning_rate", "abc", "hp.learning_rate", "the SDK would send the string");
}

Test(estimator_check, entry_point_and_source_dir_must_exist)
{
    char dir[] = "/tmp/sagetop-test-src-XXXXXX", path[256];
    struct estimator est;
    struct estimator_issues is = { .n = 0 };
    struct err e = { 0 };
    FILE *f;

    cr_assert_not_null(mkdtemp(dir));
    snprintf(path, sizeof(path), "%s/train.py", dir);
    f = fopen(path, "w");
    cr_assert_not_null(f);
    fclose(f);
    estimator_init(&est);
    cr_assert_eq(estimator_set(&est, "entry_point", "train.py", &e), 0);
    cr_assert_eq(estimator_set(&est, "source_dir", dir, &e), 0);
    estimator_check_source(&est, &is);
    cr_assert_eq(is.n, 0, "%s", is.n ? is.v[0].msg : "");
    cr_assert_eq(estimator_set(&est, "entry_point", "nope.py", &e), 0);
    estimator_check_source(&est, &is);
    cr_assert_eq(is.n, 1);
    cr_assert_str_eq(is.v[0].field, "entry_point");
    cr_assert(strstr(is.v[0].msg, "no file nope.py in source_dir /tmp/sagetop-test-src-"), "%s",
              is.v[0].msg);
    cr_assert_eq(estimator_set(&est, "source_dir", "/no-such-dir", &e), 0);
    estimator_check_source(&est, &is);
    cr_assert_eq(is.n, 2);
    cr_assert_str_eq(is.v[1].field, "source_dir");
    cr_assert_str_eq(is.v[1].msg, "no directory /no-such-dir: No such file or directory");
    /* no source_dir: the entry point is a path from the current directory */
    cr_assert_eq(estimator_set(&est, "source_dir", "", &e), 0);
    cr_assert_eq(estimator_set(&est, "entry_point", path, &e), 0);
    estimator_check_source(&est, &is);
    cr_assert_eq(is.n, 2);
    cr_assert_eq(estimator_set(&est, "entry_point", "/no-such-dir/train.py", &e), 0);
    estimator_check_source(&est, &is);
    cr_assert_eq(is.n, 3);
    cr_assert_str_eq(is.v[2].msg, "no file /no-such-dir/train.py: set source_dir to the folder "
                     "that holds it");
    /* a git source is checked once cloned */
    cr_assert_eq(estimator_set(&est, "git_repo", "https://example.com/x.git", &e), 0);
    estimator_check_source(&est, &is);
    cr_assert_eq(is.n, 3);
    estimator_clean(&est);
    unlink(path);
    rmdir(dir);
}

/* ---- Re-launch ------------------------------------------------------------------------------ */

Test(estimator_relaunch, keeps_request_rewrites_names)
{
    size_t len;
    char *doc = read_data("estimator_describe_demo.json", &len);
    json_t *req = NULL, *src = NULL;
    struct err e = { 0 };
    struct estimator_issues is = { .n = 0 };
    char diff[2048];
    const char *k;
    json_t *v;

    cr_assert_eq(estimator_relaunch(doc, len, "distilbert-imdb-lr5e5-ep3-2", &req, &e), 0,
                 "%s", e.msg);
    cr_assert_eq(estimator_relaunch(doc, len, "distilbert-imdb-lr5e5-ep3", &src, &e), 0);
    /* read-only members are gone */
    json_object_foreach(req, k, v) {
        cr_assert(strcmp(k, "TrainingJobArn") && strcmp(k, "TrainingJobStatus") &&
                  strcmp(k, "CreationTime") && strcmp(k, "FinalMetricDataList") &&
                  strcmp(k, "ModelArtifacts") && strcmp(k, "ProfilingStatus") &&
                  strcmp(k, "SecondaryStatusTransitions"), "%s kept", k);
    }
    cr_assert_null(json_object_get(json_object_get(req, "OutputDataConfig"), "KmsKeyId"));
    cr_assert_str_eq(json_string_value(json_object_get(req, "TrainingJobName")),
                     "distilbert-imdb-lr5e5-ep3-2");
    cr_assert_str_eq(json_string_value(json_object_get(json_object_get(req, "HyperParameters"),
                                                       "sagemaker_submit_directory")),
                     "\"s3://sagemaker-us-east-1-123456789012/distilbert-imdb-lr5e5-ep3/source/"
                     "sourcedir.tar.gz\"");
    cr_assert_eq(estimator_request_set(req, "hp.epochs", "5", &e), 0);
    cr_assert_eq(estimator_request_diff(src, req, diff, sizeof(diff)), 3, "%s", diff);
    cr_assert(strstr(diff, "HyperParameters.epochs: \"3\" -> \"5\"\n"), "%s", diff);
    cr_assert(strstr(diff, "HyperParameters.sagemaker_job_name: "
                           "\"\\\"distilbert-imdb-lr5e5-ep3\\\"\" -> "
                           "\"\\\"distilbert-imdb-lr5e5-ep3-2\\\"\""), "%s", diff);
    cr_assert(strstr(diff, "TrainingJobName: "), "%s", diff);
    estimator_check_request(req, &is);
    cr_assert_eq(is.n, 0, "%s: %s", is.v[0].field, is.v[0].msg);
    json_decref(req);
    json_decref(src);
    free(doc);
}

Test(estimator_relaunch, set_keys)
{
    size_t len;
    char *doc = read_data("estimator_describe_demo.json", &len);
    json_t *req = NULL;
    struct err e = { 0 };
    struct estimator_issues is = { .n = 0 };
    json_t *sc;

    cr_assert_eq(estimator_relaunch(doc, len, "x-1", &req, &e), 0);
    cr_assert_eq(estimator_request_set(req, "spot", "true", &e), 0);
    sc = json_object_get(req, "StoppingCondition");
    cr_assert_eq(json_integer_value(json_object_get(sc, "MaxWaitTimeInSeconds")), 86400);
    cr_assert(json_is_true(json_object_get(req, "EnableManagedSpotTraining")));
    cr_assert_eq(estimator_request_set(req, "max_wait", "100", &e), 0);
    estimator_check_request(req, &is);
    cr_assert_not_null(estimator_issue_find(&is, "max_wait"));
    cr_assert_eq(estimator_request_set(req, "instance_type", "ml.g5.2xlarge", &e), 0);
    cr_assert_str_eq(json_string_value(json_object_get(json_object_get(req, "ResourceConfig"),
                                                       "InstanceType")), "ml.g5.2xlarge");
    cr_assert_eq(estimator_request_set(req, "hp.model_name_or_path", "bert-base-cased", &e), 0);
    cr_assert_str_eq(json_string_value(json_object_get(json_object_get(req, "HyperParameters"),
                                                       "model_name_or_path")),
                     "\"bert-base-cased\"");
    cr_assert_eq(estimator_request_set(req, "input.test", "s3://b-1/test", &e), 0);
    cr_assert_eq(json_array_size(json_object_get(req, "InputDataConfig")), 2);
    cr_assert_eq(estimator_request_set(req, "metric.loss", "loss=(\\S+)", &e), 0);
    cr_assert_eq(json_array_size(json_object_get(json_object_get(req, "AlgorithmSpecification"),
                                                 "MetricDefinitions")), 3);
    cr_assert_eq(estimator_request_set(req, "colour", "blue", &e), ERR_INVAL);
    cr_assert(strstr(e.msg, "colour: cannot be changed"), "%s", e.msg);
    json_decref(req);
    free(doc);
}

/* ---- Source packing ------------------------------------------------------------------------- */

Test(sourcedir, packs_contents_at_root)
{
    char dir[] = "/tmp/sagetop-test-src.XXXXXX", path[512], out[512];
    struct err e = { 0 };
    size_t n = 0;
    struct archive *a;
    struct archive_entry *ent;
    char names[8][64];
    size_t nn = 0;
    FILE *f;

    cr_assert_not_null(mkdtemp(dir));
    snprintf(path, sizeof(path), "%s/train.py", dir);
    f = fopen(path, "w");
    fputs("print('hi')\n", f);
    fclose(f);
    snprintf(path, sizeof(path), "%s/lib", dir);
    mkdir(path, 0755);
    snprintf(path, sizeof(path), "%s/lib/util.py", dir);
    f = fopen(path, "w");
    fputs("X = 1\n", f);
    fclose(f);
    snprintf(out, sizeof(out), "%s.tar.gz", dir);
    cr_assert_eq(sourcedir_pack(dir, out, &n, &e), 0, "%s", e.msg);
    cr_assert_eq(n, 2);
    a = archive_read_new();
    archive_read_support_filter_gzip(a);
    archive_read_support_format_tar(a);
    cr_assert_eq(archive_read_open_filename(a, out, 10240), ARCHIVE_OK);
    while (archive_read_next_header(a, &ent) == ARCHIVE_OK && nn < 8)
        snprintf(names[nn++], sizeof(names[0]), "%s", archive_entry_pathname(ent));
    archive_read_free(a);
    cr_assert_eq(nn, 3);
    cr_assert_str_eq(names[0], "lib/");     /* libarchive marks directories */
    cr_assert_str_eq(names[1], "lib/util.py");
    cr_assert_str_eq(names[2], "train.py");
    unlink(out);
    cr_assert_eq(sourcedir_remove_tree(dir), 0);
    cr_assert_eq(sourcedir_pack(dir, out, &n, &e), ERR_NOTFOUND);
}
