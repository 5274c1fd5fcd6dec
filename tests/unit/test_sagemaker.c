/* test_sagemaker.c: the SageMaker response parsers and request builders (aws/sagemaker.c) and
 * the JSON helpers they stand on (aws/json.c), on fixtures in tests/unit/data/. No network. */
#include <criterion/criterion.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "aws/json.h"
#include "aws/sagemaker.h"
#include "support/loopback_aws.h"

/* Reads tests/unit/data/<name> (from the repository root or $SAGETOP_TOP). */
static char *fixture(const char *name, size_t *len)
{
    char *buf = loopback_aws_read_data(name, len);

    cr_assert_not_null(buf, "cannot read tests/unit/data/%s", name);
    return buf;
}

static const char *kv_get(const struct sagemaker_kv *kv, size_t n, const char *key)
{
    size_t i;

    for (i = 0; i < n; i++)
        if (strcmp(kv[i].key, key) == 0)
            return kv[i].value;
    return NULL;
}

/* ---- json helpers ------------------------------------------------------------------------ */

Test(json, iso8601_matches_the_aws_cli)
{
    char buf[JSON_ISO8601_MAX];

    cr_assert_str_eq(json_iso8601(1794996672.123, buf, sizeof(buf)),
                     "2026-11-18T10:11:12.123000+00:00");
    cr_assert_str_eq(json_iso8601(1794998120.0, buf, sizeof(buf)), "2026-11-18T10:35:20+00:00");
    cr_assert_str_eq(json_iso8601(0.5, buf, sizeof(buf)), "1970-01-01T00:00:00.500000+00:00");
    /* rounding to the microsecond can carry into the seconds */
    cr_assert_str_eq(json_iso8601(59.9999996, buf, sizeof(buf)), "1970-01-01T00:01:00+00:00");
    cr_assert_str_eq(json_iso8601(NAN, buf, sizeof(buf)), "");
    cr_assert_str_eq(json_iso8601(1e300, buf, sizeof(buf)), "");
}

Test(json, iso8601_parses_dates_and_offsets)
{
    double t;

    cr_assert_eq(json_parse_iso8601("2026-11-18", &t, NULL), 0);
    cr_assert_float_eq(t, 1794960000.0, 1e-6);
    cr_assert_eq(json_parse_iso8601("2026-11-18T10:11:12.123Z", &t, NULL), 0);
    cr_assert_float_eq(t, 1794996672.123, 1e-6);
    cr_assert_eq(json_parse_iso8601("2026-11-18T12:11:12.123+02:00", &t, NULL), 0);
    cr_assert_float_eq(t, 1794996672.123, 1e-6);
    cr_assert_eq(json_parse_iso8601("2026-11-18 10:11", &t, NULL), 0);
    cr_assert_float_eq(t, 1794996660.0, 1e-6);
    cr_assert_eq(json_parse_iso8601("2026-11-18T10:11:12.123000+00:00", &t, NULL), 0);
    cr_assert_float_eq(t, 1794996672.123, 1e-6);
}

Test(json, iso8601_rejects_garbage)
{
    struct err e = { 0 };
    double t = 7;

    cr_assert_eq(json_parse_iso8601("2026-13-01", &t, &e), ERR_INVAL);
    cr_assert(strstr(e.msg, "2026-13-01") != NULL);
    cr_assert_eq(json_parse_iso8601("2026-11-18T25:00", &t, NULL), ERR_INVAL);
    cr_assert_eq(json_parse_iso8601("2026-11-18x", &t, NULL), ERR_INVAL);
    cr_assert_eq(json_parse_iso8601("yesterday", &t, NULL), ERR_INVAL);
    cr_assert_eq(json_parse_iso8601("", &t, NULL), ERR_INVAL);
    cr_assert_float_eq(t, 7.0, 0, "out untouched on failure");
}

Test(json, getters_check_types_and_caps)
{
    json_t *o;
    struct err e = { 0 };
    char small[4];
    char *s = NULL;
    size_t n = 0;
    double d = 0;
    int64_t i = 0;
    bool b = false;
    const char *doc = "{\"s\":\"abcd\",\"n\":1.5,\"i\":7,\"z\":null,\"b\":true,"
                      "\"nul\":\"a\\u0000b\"}";

    cr_assert_eq(json_parse_object(doc, strlen(doc), "doc", &o, &e), 0, "%s", e.msg);
    cr_assert_eq(json_get_str(o, "s", small, sizeof(small), &e), ERR_PARSE);
    cr_assert(strstr(e.msg, "\"s\"") != NULL);
    cr_assert_eq(json_get_str(o, "missing", small, sizeof(small), &e), ERR_NOTFOUND);
    cr_assert_eq(json_get_str(o, "z", small, sizeof(small), &e), ERR_NOTFOUND, "null is absent");
    cr_assert_eq(json_get_str(o, "n", small, sizeof(small), &e), ERR_PARSE);
    cr_assert_eq(json_get_str(o, "nul", small, sizeof(small), &e), ERR_PARSE);
    cr_assert_eq(json_get_strdup(o, "nul", 16, &s, &n, &e), 0);
    cr_assert_eq(n, 3);
    cr_assert_eq(memcmp(s, "a\0b", 3), 0);
    free(s);
    cr_assert_eq(json_get_double(o, "n", &d, &e), 0);
    cr_assert_float_eq(d, 1.5, 0);
    cr_assert_eq(json_get_int64(o, "i", &i, &e), 0);
    cr_assert_eq(i, 7);
    cr_assert_eq(json_get_bool(o, "b", &b, &e), 0);
    cr_assert(b);
    cr_assert_eq(json_get_bool(o, "i", &b, &e), ERR_PARSE);
    cr_assert_eq(json_required(json_get_double(o, "nope", &d, &e), "nope", &e), ERR_PARSE);
    cr_assert_str_eq(e.msg, "member \"nope\" is missing");
    json_decref(o);
}

Test(json, truncated_document_names_the_byte_offset)
{
    struct err e = { 0 };
    json_t *o = NULL;

    cr_assert_eq(json_parse_object("{\"a\": [1, 2", 11, "ListTrainingJobs response", &o, &e),
                 ERR_PARSE);
    cr_assert_null(o);
    cr_assert(strstr(e.msg, "ListTrainingJobs response: malformed JSON at byte 11") != NULL,
              "%s", e.msg);
    cr_assert_eq(json_parse_object("[1]", 3, "doc", &o, &e), ERR_PARSE);
    cr_assert_eq(json_parse_object("", 0, "doc", &o, &e), ERR_PARSE);
}

/* ---- ListTrainingJobs --------------------------------------------------------------------- */

Test(sagemaker, list_training_jobs_fixture)
{
    struct sagemaker_job_list l = { 0 };
    struct err e = { 0 };
    size_t len;
    char *doc = fixture("list_training_jobs.json", &len);

    cr_assert_eq(sagemaker_parse_list_training_jobs(doc, len, &l, &e), 0, "%s", e.msg);
    cr_assert_eq(l.count, 3);
    cr_assert_str_eq(l.items[0].name, "job-a");
    cr_assert_str_eq(l.items[0].arn,
                     "arn:aws:sagemaker:us-east-1:111122223333:training-job/job-a");
    cr_assert_str_eq(l.items[0].status, "Completed");
    cr_assert_str_eq(l.items[0].secondary_status, "Completed");
    cr_assert_str_eq(l.items[0].warm_pool_status, "Available");
    cr_assert_float_eq(l.items[0].creation_time, 1794996672.123, 1e-6);
    cr_assert_float_eq(l.items[0].training_end_time, 1794998055.789, 1e-6);
    cr_assert_float_eq(l.items[0].last_modified_time, 1794998120.0, 1e-6);
    cr_assert_str_eq(l.items[1].secondary_status, "Training");
    cr_assert_float_eq(l.items[1].training_end_time, 0, 0, "absent is 0");
    cr_assert_str_eq(l.items[2].secondary_status, "", "absent is empty");
    cr_assert_float_eq(l.items[2].creation_time, 1.7949e9, 1e-3, "exponent notation");
    cr_assert_str_eq(l.next_token, "eyJwYWdlIjogMn0=");
    sagemaker_job_list_clean(&l);
    sagemaker_job_list_clean(&l);
    free(doc);
}

Test(sagemaker, list_last_page_and_null_token)
{
    struct sagemaker_job_list l = { 0 };
    const char *doc = "{\"TrainingJobSummaries\": [], \"NextToken\": null}";

    cr_assert_eq(sagemaker_parse_list_training_jobs(doc, strlen(doc), &l, NULL), 0);
    cr_assert_eq(l.count, 0);
    cr_assert_null(l.next_token);
    sagemaker_job_list_clean(&l);
}

Test(sagemaker, list_accepts_iso_timestamps_from_emulators)
{
    struct sagemaker_job_list l = { 0 };
    const char *doc = "{\"TrainingJobSummaries\": [{\"TrainingJobName\": \"x\", \"TrainingJobArn\":"
                      " \"a\", \"TrainingJobStatus\": \"Completed\", \"CreationTime\": "
                      "\"2026-11-18T10:11:12.123000+00:00\"}]}";

    cr_assert_eq(sagemaker_parse_list_training_jobs(doc, strlen(doc), &l, NULL), 0);
    cr_assert_float_eq(l.items[0].creation_time, 1794996672.123, 1e-6);
    sagemaker_job_list_clean(&l);
}

Test(sagemaker, list_rejects_bad_shapes)
{
    struct sagemaker_job_list l = { 0 };
    struct err e = { 0 };
    static const char *bad[] = {
        "{}",
        "{\"TrainingJobSummaries\": {}}",
        "{\"TrainingJobSummaries\": [1]}",
        "{\"TrainingJobSummaries\": [{\"TrainingJobName\": \"x\"}]}",
        "{\"TrainingJobSummaries\": [{\"TrainingJobName\": 5, \"TrainingJobArn\": \"a\", "
        "\"TrainingJobStatus\": \"Completed\", \"CreationTime\": 1}]}",
        "{\"TrainingJobSummaries\": [], \"NextToken\": 3}",
        "{\"TrainingJobSummaries\": [{\"TrainingJobName\": \"xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx"
        "xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx\", \"TrainingJobArn\": \"a\", "
        "\"TrainingJobStatus\": \"Completed\", \"CreationTime\": 1}]}",
    };
    size_t i;

    for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        e.code = 0;
        cr_assert_eq(sagemaker_parse_list_training_jobs(bad[i], strlen(bad[i]), &l, &e),
                     ERR_PARSE, "case %zu", i);
        cr_assert(strncmp(e.msg, "ListTrainingJobs response: ", 27) == 0, "%s", e.msg);
        cr_assert_null(l.items, "out untouched");
    }
}

Test(sagemaker, list_truncated_response_gives_offset_not_crash)
{
    struct sagemaker_job_list l = { 0 };
    struct err e = { 0 };
    size_t len, cut;
    char *doc = fixture("list_training_jobs.json", &len);

    /* every prefix is either an error with a byte offset or (never) a success */
    for (cut = 0; cut < len - 2; cut += 7) {
        cr_assert_eq(sagemaker_parse_list_training_jobs(doc, cut, &l, &e), ERR_PARSE, "cut %zu",
                     cut);
        cr_assert(strstr(e.msg, "at byte") != NULL, "%s", e.msg);
    }
    free(doc);
}

Test(sagemaker, list_request_sends_every_filter)
{
    struct sagemaker_list_query q = {
        .name_contains = "bert", .status_equals = "InProgress",
        .creation_time_after = 1672531200, .creation_time_before = 1672531200.5,
        .last_modified_time_after = 10, .last_modified_time_before = 20,
        .sort_by = "CreationTime", .sort_order = "Descending", .max_results = 100,
        .next_token = "tok",
    };
    json_t *r = sagemaker_list_request(&q);
    char *s = json_dumps(r, JSON_COMPACT | JSON_SORT_KEYS);

    cr_assert_str_eq(s, "{\"CreationTimeAfter\":1672531200,\"CreationTimeBefore\":1672531200.5,"
                        "\"LastModifiedTimeAfter\":10,\"LastModifiedTimeBefore\":20,"
                        "\"MaxResults\":100,\"NameContains\":\"bert\",\"NextToken\":\"tok\","
                        "\"SortBy\":\"CreationTime\",\"SortOrder\":\"Descending\","
                        "\"StatusEquals\":\"InProgress\"}");
    free(s);
    json_decref(r);
    r = sagemaker_list_request(NULL);
    s = json_dumps(r, JSON_COMPACT);
    cr_assert_str_eq(s, "{}", "nothing set sends {}");
    free(s);
    json_decref(r);
}

/* ---- DescribeTrainingJob ------------------------------------------------------------------ */

Test(sagemaker, describe_realistic_document)
{
    struct sagemaker_job j;
    struct err e = { 0 };
    size_t len;
    char *doc = fixture("describe_training_job.json", &len);
    json_t *a, *b;

    cr_assert_eq(sagemaker_parse_describe_training_job(doc, len, &j, &e), 0, "%s", e.msg);
    cr_assert_str_eq(j.name, "hf-bert-imdb-2026-11-20-10-11-12-123");
    cr_assert(strstr(j.arn, ":training-job/hf-bert-imdb") != NULL);
    cr_assert_str_eq(j.status, "Completed");
    cr_assert_str_eq(j.secondary_status, "Completed");
    cr_assert_null(j.failure_reason);
    cr_assert_str_eq(j.role_arn, "arn:aws:iam::111122223333:role/service-role/"
                                 "AmazonSageMaker-ExecutionRole-20261101T000000");
    cr_assert_float_eq(j.creation_time, 1794996672.123, 1e-6);
    cr_assert_float_eq(j.training_start_time, 1794996792.456, 1e-6);
    cr_assert_float_eq(j.training_end_time, 1794998055.789, 1e-6);
    cr_assert_float_eq(j.last_modified_time, 1794998120.0, 1e-6);

    cr_assert_eq(j.n_transitions, 5);
    cr_assert_str_eq(j.transitions[2].status, "Training");
    cr_assert_float_eq(j.transitions[2].start_time, 1794996900.0, 1e-6);
    cr_assert_float_eq(j.transitions[2].end_time, 1794998000.0, 1e-6);
    cr_assert_str_eq(j.transitions[2].message,
                     "Training image download completed. Training in progress.");

    cr_assert(strstr(j.training_image, "huggingface-pytorch-training:1.13-transformers4.26") !=
              NULL);
    cr_assert_str_eq(j.training_input_mode, "File");
    cr_assert(j.metrics_time_series);
    cr_assert_eq(j.n_metric_definitions, 3);
    cr_assert_str_eq(j.metric_definitions[1].name, "eval_loss");
    cr_assert_str_eq(j.metric_definitions[1].regex, "'eval_loss': ([0-9]+(.|e\\-)[0-9]+),?");

    cr_assert_eq(j.n_hyper_parameters, 7);
    cr_assert_str_eq(j.hyper_parameters[0].key, "epochs", "document order kept");
    cr_assert_str_eq(kv_get(j.hyper_parameters, j.n_hyper_parameters, "learning_rate"), "5e-05");
    cr_assert_str_eq(kv_get(j.hyper_parameters, j.n_hyper_parameters, "model_name"),
                     "\"distilbert-base-uncased\"");

    cr_assert_str_eq(j.instance_type, "ml.p3.2xlarge");
    cr_assert_eq(j.instance_count, 1);
    cr_assert_eq(j.volume_size_gb, 30);
    cr_assert_eq(j.max_runtime_s, 86400);
    cr_assert_eq(j.max_wait_time_s, 172800);
    cr_assert(j.managed_spot);
    cr_assert_eq(j.training_time_s, 1263);
    cr_assert_eq(j.billable_time_s, 379);
    cr_assert_str_eq(j.checkpoint_s3_uri, "s3://my-bucket/checkpoints/hf-bert-imdb");
    cr_assert_str_eq(j.checkpoint_local_path, "/opt/ml/checkpoints");

    cr_assert_eq(j.n_channels, 2);
    cr_assert_str_eq(j.channels[0].name, "train");
    cr_assert_str_eq(j.channels[0].s3_uri, "s3://my-datasets/imdb/train");
    cr_assert_str_eq(j.channels[0].s3_data_type, "S3Prefix");
    cr_assert_null(j.channels[0].content_type);
    cr_assert_str_eq(j.channels[1].content_type, "application/x-parquet");
    cr_assert_str_eq(j.channels[1].input_mode, "FastFile");
    cr_assert_str_eq(j.output_s3_path, "s3://sagemaker-eu-west-1-111122223333/");
    cr_assert_str_eq(j.model_artifacts, "s3://sagemaker-eu-west-1-111122223333/"
                                        "hf-bert-imdb-2026-11-20-10-11-12-123/output/model.tar.gz");

    cr_assert_eq(j.n_final_metrics, 3);
    cr_assert_str_eq(j.final_metrics[1].name, "eval_loss");
    cr_assert_float_eq(j.final_metrics[1].value, 0.18592776, 1e-12);
    cr_assert_float_eq(j.final_metrics[1].timestamp, 1794998000.0, 1e-6);

    cr_assert_eq(j.n_environment, 2);
    cr_assert_str_eq(kv_get(j.environment, j.n_environment, "TOKENIZERS_PARALLELISM"), "false");
    cr_assert_eq(j.n_tags, 0);

    /* the raw document carries every member, including those the struct does not model */
    cr_assert_not_null(j.raw_json);
    cr_assert_eq(strlen(j.raw_json), j.raw_json_len);
    a = json_loadb(doc, len, 0, NULL);
    b = json_loads(j.raw_json, 0, NULL);
    cr_assert(json_equal(a, b), "raw_json round-trips the document");
    cr_assert(strstr(j.raw_json, "\"ProfilingStatus\":\"Enabled\"") != NULL);
    json_decref(a);
    json_decref(b);
    sagemaker_job_clean(&j);
    sagemaker_job_clean(&j);
    free(doc);
}

Test(sagemaker, describe_failed_job_without_optional_members)
{
    struct sagemaker_job j;
    struct err e = { 0 };
    size_t len;
    char *doc = fixture("describe_training_job_failed.json", &len);

    cr_assert_eq(sagemaker_parse_describe_training_job(doc, len, &j, &e), 0, "%s", e.msg);
    cr_assert_str_eq(j.status, "Failed");
    cr_assert(strstr(j.failure_reason, "CUDA out of memory") != NULL);
    cr_assert(strchr(j.failure_reason, '\n') != NULL, "newlines kept");
    cr_assert_float_eq(j.training_start_time, 0, 0);
    cr_assert_eq(j.training_time_s, 0);
    cr_assert_eq(j.billable_time_s, 0);
    cr_assert_eq(j.n_transitions, 1);
    cr_assert_float_eq(j.transitions[0].end_time, 0, 0, "current transition has no end");
    cr_assert_eq(j.instance_count, 2);
    cr_assert_eq(j.max_wait_time_s, 0);
    cr_assert(!j.managed_spot);
    cr_assert_eq(j.n_channels, 0);
    cr_assert_null(j.checkpoint_s3_uri);
    cr_assert_eq(j.n_hyper_parameters, 0);
    sagemaker_job_clean(&j);
    free(doc);
}

Test(sagemaker, describe_rejects_wrong_types_with_the_member_path)
{
    struct sagemaker_job j;
    struct err e = { 0 };
    const char *doc = "{\"TrainingJobName\":\"x\",\"TrainingJobArn\":\"a\",\"TrainingJobStatus\":"
                      "\"Failed\",\"SecondaryStatusTransitions\":[{\"Status\":\"Starting\","
                      "\"StartTime\":\"soon\"}]}";

    cr_assert_eq(sagemaker_parse_describe_training_job(doc, strlen(doc), &j, &e), ERR_PARSE);
    cr_assert(strstr(e.msg, "SecondaryStatusTransitions[0]") != NULL, "%s", e.msg);
    cr_assert(strstr(e.msg, "StartTime") != NULL, "%s", e.msg);

    doc = "{\"TrainingJobName\":\"x\",\"TrainingJobArn\":\"a\",\"TrainingJobStatus\":\"Failed\","
          "\"HyperParameters\":{\"lr\":0.1}}";
    cr_assert_eq(sagemaker_parse_describe_training_job(doc, strlen(doc), &j, &e), ERR_PARSE);
    cr_assert(strstr(e.msg, "HyperParameters.lr") != NULL, "%s", e.msg);

    doc = "{\"TrainingJobName\":\"x\",\"TrainingJobArn\":\"a\",\"TrainingJobStatus\":\"Failed\","
          "\"AlgorithmSpecification\":{\"MetricDefinitions\":[{\"Name\":\"m\"}]}}";
    cr_assert_eq(sagemaker_parse_describe_training_job(doc, strlen(doc), &j, &e), ERR_PARSE);
    cr_assert(strstr(e.msg, "MetricDefinitions[0]") != NULL, "%s", e.msg);
    cr_assert(strstr(e.msg, "Regex") != NULL, "%s", e.msg);
}

Test(sagemaker, describe_every_truncation_fails_cleanly)
{
    struct sagemaker_job j;
    struct err e = { 0 };
    size_t len, cut;
    char *doc = fixture("describe_training_job.json", &len);

    for (cut = 0; cut + 2 < len; cut++) {
        int rc = sagemaker_parse_describe_training_job(doc, cut, &j, &e);

        cr_assert_eq(rc, ERR_PARSE, "cut at %zu", cut);
    }
    free(doc);
}

/* ---- ListTags, CreateTrainingJob ---------------------------------------------------------- */

Test(sagemaker, list_tags)
{
    struct sagemaker_kv *kv = NULL;
    size_t n = 0, len;
    char *tok = NULL;
    char *doc = fixture("list_tags.json", &len);

    cr_assert_eq(sagemaker_parse_list_tags(doc, len, &kv, &n, &tok, NULL), 0);
    cr_assert_eq(n, 2);
    cr_assert_str_eq(kv[0].key, "project");
    cr_assert_str_eq(kv[0].value, "imdb");
    cr_assert_str_eq(kv[1].value, "");
    cr_assert_str_eq(tok, "tags-2");
    sagemaker_kv_free(kv, n);
    free(tok);
    free(doc);
}

Test(sagemaker, create_training_job_answer)
{
    char arn[SAGEMAKER_ARN_MAX], tiny[8];
    struct err e = { 0 };
    const char *doc = "{\"TrainingJobArn\":\"arn:aws:sagemaker:us-east-1:1:training-job/j\"}";

    cr_assert_eq(sagemaker_parse_create_training_job(doc, strlen(doc), arn, sizeof(arn), &e), 0);
    cr_assert_str_eq(arn, "arn:aws:sagemaker:us-east-1:1:training-job/j");
    cr_assert_eq(sagemaker_parse_create_training_job(doc, strlen(doc), tiny, sizeof(tiny), &e),
                 ERR_TOOBIG);
    cr_assert_eq(sagemaker_parse_create_training_job("{}", 2, arn, sizeof(arn), &e), ERR_PARSE);
    cr_assert(strstr(e.msg, "TrainingJobArn") != NULL);
}

/* ---- Search ------------------------------------------------------------------------------- */

Test(sagemaker, search_records_with_tags_and_metrics)
{
    struct sagemaker_search_page p = { 0 };
    struct err e = { 0 };
    size_t len;
    char *doc = fixture("search_training_jobs.json", &len);

    cr_assert_eq(sagemaker_parse_search(doc, len, &p, &e), 0, "%s", e.msg);
    cr_assert_eq(p.count, 2, "the Experiment record is skipped");
    cr_assert_str_eq(p.jobs[0].name, "s-1");
    cr_assert_eq(p.jobs[0].n_tags, 2);
    cr_assert_str_eq(p.jobs[0].tags[1].key, "owner");
    cr_assert_str_eq(p.jobs[0].tags[1].value, "ana");
    cr_assert_str_eq(kv_get(p.jobs[0].hyper_parameters, p.jobs[0].n_hyper_parameters, "lr"),
                     "0.001");
    cr_assert_float_eq(p.jobs[0].final_metrics[0].value, 0.5, 0);
    cr_assert_str_eq(p.jobs[1].status, "Stopped");
    cr_assert_not_null(p.jobs[1].raw_json);
    cr_assert_str_eq(p.next_token, "next-search");
    cr_assert_eq(p.total_hits, 42);
    sagemaker_search_page_clean(&p);
    free(doc);
}

Test(sagemaker, search_request_shape)
{
    struct sagemaker_search_filter f[] = {
        { "Metrics.eval_loss", "LessThan", "0.3" },
        { "HyperParameters.learning_rate", "Equals", "5e-05" },
        { "Tags.project", "Exists", NULL },
    };
    struct sagemaker_search_query q = { f, 3, "And", "Metrics.eval_loss", "Ascending", 50,
                                        NULL };
    json_t *r = sagemaker_search_request(&q);
    char *s = json_dumps(r, JSON_COMPACT | JSON_SORT_KEYS);

    cr_assert_str_eq(s, "{\"MaxResults\":50,\"Resource\":\"TrainingJob\",\"SearchExpression\":"
                        "{\"Filters\":[{\"Name\":\"Metrics.eval_loss\",\"Operator\":\"LessThan\","
                        "\"Value\":\"0.3\"},{\"Name\":\"HyperParameters.learning_rate\","
                        "\"Operator\":\"Equals\",\"Value\":\"5e-05\"},{\"Name\":\"Tags.project\","
                        "\"Operator\":\"Exists\"}],\"Operator\":\"And\"},\"SortBy\":"
                        "\"Metrics.eval_loss\",\"SortOrder\":\"Ascending\"}");
    free(s);
    json_decref(r);
}

/* ---- tuning ------------------------------------------------------------------------------- */

Test(sagemaker, list_tuning_jobs)
{
    struct sagemaker_tuning_list l = { 0 };
    struct err e = { 0 };
    size_t len;
    char *doc = fixture("list_tuning_jobs.json", &len);

    cr_assert_eq(sagemaker_parse_list_tuning_jobs(doc, len, &l, &e), 0, "%s", e.msg);
    cr_assert_eq(l.count, 1);
    cr_assert_str_eq(l.items[0].name, "tune-lr");
    cr_assert_str_eq(l.items[0].strategy, "Bayesian");
    cr_assert_str_eq(l.items[0].status, "Completed");
    cr_assert_eq(l.items[0].completed, 8);
    cr_assert_eq(l.items[0].retryable_error, 1);
    cr_assert_eq(l.items[0].non_retryable_error, 1);
    cr_assert_eq(l.items[0].max_parallel_jobs, 2);
    cr_assert_eq(l.items[0].max_jobs, 10);
    cr_assert_float_eq(l.items[0].end_time, 1794999000.0, 1e-6);
    cr_assert_null(l.next_token);
    sagemaker_tuning_list_clean(&l);
    free(doc);
}

Test(sagemaker, training_jobs_for_tuning_job)
{
    struct sagemaker_trial_list l = { 0 };
    struct err e = { 0 };
    size_t len;
    char *doc = fixture("list_tuning_trials.json", &len);

    cr_assert_eq(sagemaker_parse_list_training_jobs_for_tuning_job(doc, len, &l, &e), 0, "%s",
                 e.msg);
    cr_assert_eq(l.count, 2);
    cr_assert_str_eq(l.items[0].job.name, "tune-lr-001-abcdef");
    cr_assert_float_eq(l.items[0].job.training_start_time, 1794990100.0, 1e-6);
    cr_assert_eq(l.items[0].n_tuned_hyper_parameters, 2);
    cr_assert_str_eq(kv_get(l.items[0].tuned_hyper_parameters, 2, "learning_rate"), "0.0003");
    cr_assert(l.items[0].has_objective);
    cr_assert_str_eq(l.items[0].objective_metric, "eval_loss");
    cr_assert_float_eq(l.items[0].objective_value, 0.2125, 1e-12);
    cr_assert_str_eq(l.items[0].objective_status, "Succeeded");
    cr_assert(!l.items[1].has_objective);
    cr_assert_str_eq(l.items[1].failure_reason, "AlgorithmError: boom");
    cr_assert_str_eq(l.next_token, "t2");
    sagemaker_trial_list_clean(&l);
    free(doc);
}

/* ---- the calls, against a loopback server (the real client: signing, errors) ------------- */

#include <stdlib.h>

#include "aws/config.h"
#include "aws/creds.h"
#include "support/loopback_http.h"

struct live {
    struct loopback_http *srv;
    struct aws_config *cfg;
    struct aws_creds_provider *creds;
    struct aws_client *client;
};

static void live_open(struct live *l)
{
    struct aws_options opts = { 0 };
    struct err e = { 0 };

    l->srv = loopback_http_start();
    cr_assert_not_null(l->srv);
    setenv("AWS_ACCESS_KEY_ID", "AKIDEXAMPLE", 1);
    setenv("AWS_SECRET_ACCESS_KEY", "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY", 1);
    setenv("AWS_REGION", "us-east-1", 1);
    /* files that do not exist: no profile leaks in from the machine */
    setenv("AWS_CONFIG_FILE", "/nonexistent/sagetop-test/config", 1);
    setenv("AWS_SHARED_CREDENTIALS_FILE", "/nonexistent/sagetop-test/credentials", 1);
    setenv("AWS_EC2_METADATA_DISABLED", "true", 1);
    setenv("AWS_MAX_ATTEMPTS", "1", 1);
    setenv("AWS_ENDPOINT_URL", loopback_http_url(l->srv), 1);
    unsetenv("AWS_PROFILE");
    l->cfg = aws_config_load(&opts, &e);
    cr_assert_not_null(l->cfg, "%s", e.msg);
    l->creds = aws_creds_provider_new(l->cfg, &e);
    cr_assert_not_null(l->creds, "%s", e.msg);
    l->client = aws_client_new(l->cfg, l->creds, &e);
    cr_assert_not_null(l->client, "%s", e.msg);
}

static void live_close(struct live *l)
{
    aws_client_free(l->client);
    aws_creds_provider_free(l->creds);
    aws_config_free(l->cfg);
    loopback_http_stop(l->srv);
}

static int count_page(void *ctx, const struct sagemaker_job_summary *items, size_t count)
{
    (void)items;
    *(size_t *)ctx += count;
    return 0;
}

Test(sagemaker_call, list_sends_filters_and_follows_next_token)
{
    struct live l;
    struct sagemaker_list_query q = { .status_equals = "Failed", .name_contains = "bert" };
    struct loopback_request r;
    struct err e = { 0 };
    char target[128];
    size_t items = 0;
    int rc;

    live_open(&l);
    /* a server that always answers the same NextToken: followed once, then refused */
    loopback_http_route(l.srv, "POST", "/", 200, "application/x-amz-json-1.1",
                        "{\"TrainingJobSummaries\":[{\"TrainingJobName\":\"bert-1\","
                        "\"TrainingJobArn\":\"a\",\"TrainingJobStatus\":\"Failed\","
                        "\"CreationTime\":1}],\"NextToken\":\"same\"}");
    rc = sagemaker_list_training_jobs_each(l.client, &q, count_page, &items, &e);
    cr_assert_eq(rc, ERR_AWS, "%s", e.msg);
    cr_assert(strstr(e.msg, "same NextToken") != NULL, "%s", e.msg);
    cr_assert_eq(items, 2, "both pages delivered before the loop was caught");
    cr_assert_eq(loopback_http_count(l.srv), 2);
    cr_assert_eq(loopback_http_request(l.srv, 0, &r), 0);
    cr_assert_str_eq(loopback_header(&r, "X-Amz-Target", target, sizeof(target)),
                     "SageMaker.ListTrainingJobs");
    cr_assert(strstr(r.body, "\"StatusEquals\": \"Failed\"") != NULL ||
              strstr(r.body, "\"StatusEquals\":\"Failed\"") != NULL, "%s", r.body);
    cr_assert(strstr(r.body, "\"MaxResults\"") != NULL, "page size sent: %s", r.body);
    cr_assert(strstr(r.body, "NextToken") == NULL, "first page has no token: %s", r.body);
    cr_assert_eq(loopback_http_request(l.srv, 1, &r), 0);
    cr_assert(strstr(r.body, "\"same\"") != NULL, "second page sends the token: %s", r.body);
    live_close(&l);
}

Test(sagemaker_call, describe_missing_job_is_not_found)
{
    struct live l;
    struct sagemaker_job j;
    struct err e = { 0 };

    live_open(&l);
    loopback_http_route(l.srv, "POST", "/", 400, "application/x-amz-json-1.1",
                        "{\"__type\":\"ValidationException\","
                        "\"message\":\"Requested resource not found.\"}");
    cr_assert_eq(sagemaker_describe_training_job(l.client, "nope", false, &j, &e),
                 ERR_NOTFOUND, "%s", e.msg);
    cr_assert(strstr(e.msg, "Requested resource not found.") != NULL, "%s", e.msg);
    live_close(&l);
}

Test(sagemaker_call, create_keeps_the_validation_message)
{
    struct live l;
    char arn[SAGEMAKER_ARN_MAX] = "untouched";
    struct err e = { 0 };
    json_t *req = json_pack("{s:s}", "TrainingJobName", "bad_name");

    live_open(&l);
    loopback_http_route(l.srv, "POST", "/", 400, "application/x-amz-json-1.1",
                        "{\"__type\":\"ValidationException\",\"message\":\"1 validation error "
                        "detected: Value 'bad_name' at 'trainingJobName' failed to satisfy "
                        "constraint\"}");
    cr_assert_eq(sagemaker_create_training_job(l.client, req, arn, sizeof(arn), &e), ERR_AWS);
    cr_assert(strstr(e.msg, "Value 'bad_name' at 'trainingJobName' failed to satisfy") != NULL,
              "%s", e.msg);
    cr_assert_str_eq(arn, "untouched");
    json_decref(req);
    live_close(&l);
}

Test(sagemaker_call, describe_then_tags)
{
    struct live l;
    struct sagemaker_job j;
    struct err e = { 0 };
    size_t len;
    char *doc = fixture("describe_training_job.json", &len);

    live_open(&l);
    loopback_http_route(l.srv, "POST", "/", 200, "application/x-amz-json-1.1", doc);
    cr_assert_eq(sagemaker_describe_training_job(l.client, "hf-bert-imdb", false, &j, &e), 0,
                 "%s", e.msg);
    cr_assert_eq(j.n_transitions, 5);
    cr_assert_eq(j.n_tags, 0);
    sagemaker_job_clean(&j);
    live_close(&l);
    free(doc);
}

/* ---- page-level retry (aws/paging.c) ----------------------------------------------------- */

#include "aws/paging.h"

/* The page retry's waits go through this hook: it records them and, after `fix_after` waits,
 * makes the server answer the page (so the test runs in no time and controls the sequence). */
static struct {
    struct loopback_http *srv;
    long waits[16];
    int n_waits;
    int fix_after;              /* 0: never */
    const char *fixed_body;
} ph;

static void page_sleep(long ms)
{
    if (ph.n_waits < 16)
        ph.waits[ph.n_waits] = ms;
    ph.n_waits++;
    if (ph.fix_after > 0 && ph.n_waits == ph.fix_after)
        loopback_http_route(ph.srv, "POST", "/", 200, "application/x-amz-json-1.1",
                            ph.fixed_body);
}

/* After the first page: every request fails with the given answer. */
static int break_after_first(void *ctx, const struct sagemaker_job_summary *items, size_t count)
{
    const int *status = ctx;

    (void)items;
    (void)count;
    if (*status == 503)
        loopback_http_route(ph.srv, "POST", "/", 503, "application/x-amz-json-1.1",
                            "{\"__type\":\"ServiceUnavailable\",\"message\":\"try again\"}");
    else
        loopback_http_route(ph.srv, "POST", "/", 400, "application/x-amz-json-1.1",
                            "{\"__type\":\"ThrottlingException\",\"message\":\"Rate exceeded\"}");
    return 0;
}

static const char *const page1 =
    "{\"TrainingJobSummaries\":[{\"TrainingJobName\":\"a-1\",\"TrainingJobArn\":\"arn:1\","
    "\"TrainingJobStatus\":\"Completed\",\"CreationTime\":1}],\"NextToken\":\"tok-2\"}";
static const char *const page2 =
    "{\"TrainingJobSummaries\":[{\"TrainingJobName\":\"a-2\",\"TrainingJobArn\":\"arn:2\","
    "\"TrainingJobStatus\":\"Completed\",\"CreationTime\":2}]}";

Test(paging, retryable_errors)
{
    cr_assert(paging_retryable(ERR_THROTTLED, "ThrottlingException"));
    cr_assert(paging_retryable(ERR_NET, ""));
    cr_assert(paging_retryable(ERR_NET, NULL));
    cr_assert(paging_retryable(ERR_AWS, "ServiceUnavailable"));
    cr_assert(paging_retryable(ERR_AWS, "InternalFailure"));
    cr_assert(paging_retryable(ERR_AWS, "HTTP 502"));
    cr_assert(!paging_retryable(ERR_AWS, "ValidationException"));
    cr_assert(!paging_retryable(ERR_AWS, ""));
    cr_assert(!paging_retryable(ERR_AUTH, "ExpiredTokenException"));
    cr_assert(!paging_retryable(ERR_NOTFOUND, "ResourceNotFoundException"));
    cr_assert(!paging_retryable(ERR_PARSE, ""));
    cr_assert(!paging_retryable(ERR_CANCELLED, ""));
}

Test(paging, backoff_doubles_with_jitter_and_is_capped)
{
    uint64_t rng = 42;
    int retry, k;

    for (k = 0; k < 200; k++) {
        for (retry = 1; retry <= 8; retry++) {
            long d = PAGING_BASE_MS, ms;
            int i;

            for (i = 1; i < retry; i++)
                d = d * 2 > PAGING_MAX_MS ? PAGING_MAX_MS : d * 2;
            ms = paging_backoff_ms(retry, &rng);
            cr_assert(ms >= d / 2 && ms < d, "retry %d: %ld not in [%ld, %ld)", retry, ms,
                      d / 2, d);
        }
    }
}

Test(paging, a_page_that_fails_after_the_attempts_is_asked_again_with_the_same_token)
{
    struct live l;
    struct sagemaker_list_query q = { .sort_by = "CreationTime" };
    struct sagemaker_job_list all = { 0 };
    struct loopback_request r;
    struct err e = { 0 };
    int status = 503;
    size_t i;

    live_open(&l);     /* AWS_MAX_ATTEMPTS=1: every client-level failure reaches the pager */
    memset(&ph, 0, sizeof(ph));
    ph.srv = l.srv;
    ph.fix_after = 3;
    ph.fixed_body = page2;
    paging_set_sleep(page_sleep);
    loopback_http_route(l.srv, "POST", "/", 200, "application/x-amz-json-1.1", page1);
    /* the page callback breaks the server after page 1; the third wait mends it */
    cr_assert_eq(sagemaker_list_training_jobs_each(l.client, &q, break_after_first, &status, &e),
                 0, "%s", e.msg);
    cr_assert_eq(ph.n_waits, 3);
    cr_assert(ph.waits[0] >= 500 && ph.waits[0] < 1000, "%ld", ph.waits[0]);
    cr_assert(ph.waits[1] >= 1000 && ph.waits[1] < 2000, "%ld", ph.waits[1]);
    cr_assert(ph.waits[2] >= 2000 && ph.waits[2] < 4000, "%ld", ph.waits[2]);
    cr_assert_eq(loopback_http_count(l.srv), 5, "page 1, three failures, page 2");
    for (i = 1; i < 5; i++) {
        cr_assert_eq(loopback_http_request(l.srv, i, &r), 0);
        cr_assert(strstr(r.body, "tok-2") != NULL, "request %zu asks the same page: %s", i,
                  r.body);
    }

    /* the same through _all, with throttling: both jobs, in order */
    loopback_http_route(l.srv, "POST", "/", 200, "application/x-amz-json-1.1", page1);
    memset(&ph, 0, sizeof(ph));
    ph.srv = l.srv;
    ph.fix_after = 2;
    ph.fixed_body = page2;
    status = 400;
    cr_assert_eq(sagemaker_list_training_jobs_each(l.client, &q, break_after_first, &status, &e),
                 0, "%s", e.msg);
    cr_assert_eq(ph.n_waits, 2);
    loopback_http_route(l.srv, "POST", "/", 200, "application/x-amz-json-1.1", page2);
    cr_assert_eq(sagemaker_list_training_jobs_all(l.client, &q, 0, &all, &e), 0, "%s", e.msg);
    cr_assert_eq(all.count, 1);
    sagemaker_job_list_clean(&all);
    paging_set_sleep(NULL);
    live_close(&l);
}

Test(paging, gives_up_after_the_bounded_retries_with_the_last_error)
{
    struct live l;
    struct sagemaker_job_list page = { 0 };
    struct sagemaker_list_query q = { 0 };
    struct err e = { 0 };
    long total = 0;
    int i;

    live_open(&l);
    memset(&ph, 0, sizeof(ph));
    ph.srv = l.srv;
    paging_set_sleep(page_sleep);
    loopback_http_route(l.srv, "POST", "/", 400, "application/x-amz-json-1.1",
                        "{\"__type\":\"ThrottlingException\",\"message\":\"Rate exceeded\"}");
    cr_assert_eq(sagemaker_list_training_jobs(l.client, &q, &page, &e), ERR_THROTTLED);
    cr_assert(strstr(e.msg, "ThrottlingException") != NULL, "%s", e.msg);
    cr_assert_eq(ph.n_waits, PAGING_RETRIES);
    cr_assert_eq(loopback_http_count(l.srv), (size_t)PAGING_RETRIES + 1);
    for (i = 0; i < ph.n_waits; i++)
        total += ph.waits[i];
    cr_assert(total <= PAGING_WAIT_CAP_MS, "waited %ld ms", total);
    cr_assert(total >= 10000, "the waits grow (%ld ms)", total);
    cr_assert_null(page.items, "out untouched on failure");
    paging_set_sleep(NULL);
    live_close(&l);
}

Test(paging, other_errors_are_final_at_once)
{
    struct live l;
    struct sagemaker_search_query q = { 0 };
    struct sagemaker_search_page p = { 0 };
    struct err e = { 0 };

    live_open(&l);
    memset(&ph, 0, sizeof(ph));
    paging_set_sleep(page_sleep);
    loopback_http_route(l.srv, "POST", "/", 400, "application/x-amz-json-1.1",
                        "{\"__type\":\"ValidationException\",\"message\":\"bad filter\"}");
    cr_assert_eq(sagemaker_search(l.client, &q, &p, &e), ERR_AWS);
    cr_assert_eq(ph.n_waits, 0);
    cr_assert_eq(loopback_http_count(l.srv), 1);
    paging_set_sleep(NULL);
    live_close(&l);
}

/* ---- raw_json keeps what AWS sent ------------------------------------------------------- */

Test(json, dump_exact_keeps_numbers_as_sent)
{
    static const char doc[] =
        "{\"TrainingJobName\":\"j\\u00e9-\\\"q\\\"\\n\\u0000x\",\"CreationTime\":1677672000.123,"
        "\"A\":[0.1,1e-05,1.5e+20,-2.5,3.0,1677672000.0,0.30000000000000004],"
        "\"B\":[1796634853.76202,5e-324,1.2345678901234568e+17,123456789.12345679,"
        "2.2250738585072014e-308,1e+23],\"I\":42,"
        "\"N\":null,\"T\":true,\"F\":false,\"O\":{}}";
    json_t *root, *back;
    char *out = NULL;
    size_t len = 0;
    struct err e = { 0 };

    cr_assert_eq(json_parse_object(doc, sizeof(doc) - 1, "test", &root, &e), 0, "%s", e.msg);
    cr_assert_eq(json_dump_exact(root, &out, &len, &e), 0, "%s", e.msg);
    cr_assert_eq(len, strlen(out));
    cr_assert(strstr(out, "\"CreationTime\":1677672000.123,") != NULL, "%s", out);
    cr_assert(strstr(out, "[0.1,1e-05,1.5e+20,-2.5,3.0,1677672000.0,0.30000000000000004]")
              != NULL, "%s", out);
    /* 16 and 17 digits, a subnormal, the smallest normal */
    cr_assert(strstr(out, "[1796634853.76202,5e-324,1.2345678901234568e+17,123456789.12345679,"
                          "2.2250738585072014e-308,1e+23]") != NULL, "%s", out);
    cr_assert(strstr(out, "\"I\":42,\"N\":null,\"T\":true,\"F\":false,\"O\":{}") != NULL, "%s",
              out);
    cr_assert(strncmp(out, "{\"TrainingJobName\":\"j\xc3\xa9-\\\"q\\\"\\n\\u0000x\"", 36) == 0,
              "%s", out);
    /* and it reads back as the same document */
    cr_assert_eq(json_parse_object(out, len, "back", &back, &e), 0, "%s", e.msg);
    cr_assert(json_equal(root, back));
    json_decref(back);
    json_decref(root);
    free(out);
}

Test(sagemaker, describe_raw_json_keeps_fractional_timestamps)
{
    static const char doc[] =
        "{\"TrainingJobName\":\"t\",\"TrainingJobArn\":\"arn:aws:sagemaker:us-east-1:1:"
        "training-job/t\",\"TrainingJobStatus\":\"Completed\",\"CreationTime\":1677672000.123,"
        "\"TrainingEndTime\":1677675600.987654,\"LastModifiedTime\":1677675601,"
        "\"FinalMetricDataList\":[{\"MetricName\":\"loss\",\"Value\":0.1,"
        "\"Timestamp\":1677675600.1}]}";
    struct sagemaker_job j;
    struct err e = { 0 };

    cr_assert_eq(sagemaker_parse_describe_training_job(doc, sizeof(doc) - 1, &j, &e), 0, "%s",
                 e.msg);
    cr_assert_str_eq(j.raw_json, doc);
    cr_assert_eq(j.raw_json_len, sizeof(doc) - 1);
    sagemaker_job_clean(&j);
}
