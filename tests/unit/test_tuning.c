/* test_tuning.c: Automatic Model Tuning: DescribeHyperParameterTuningJob parsed (botocore's
 * shapes: the three range kinds with scaling, Hyperband's strategy config, counters, the best
 * training job, warm start, the definition's metric definitions), its failures named, and the
 * cache's tuning tables: schema 9 migrated from 8, trials stored and read back by objective
 * (Minimize and Maximize) with the best flagged, trials as jobs, and a trial's extraction
 * definitions including its tuning job's. */
#include <criterion/criterion.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "aws/sagemaker_tuning.h"
#include "cache/cache.h"
#include "metrics/metrics.h"
#include "tests/unit/support/loopback_aws.h"
#include "support/tmp_cache.h"
#include "cache/tuning.h"

/* A DescribeHyperParameterTuningJob answer as botocore's model has it (shortened values). */
static const char describe_doc[] =
    "{\"HyperParameterTuningJobName\":\"hpo-a\","
    "\"HyperParameterTuningJobArn\":\"arn:aws:sagemaker:us-east-1:1:hyper-parameter-tuning-job/hpo-a\","
    "\"HyperParameterTuningJobConfig\":{\"Strategy\":\"Hyperband\","
    " \"StrategyConfig\":{\"HyperbandStrategyConfig\":{\"MinResource\":1,\"MaxResource\":9}},"
    " \"HyperParameterTuningJobObjective\":{\"Type\":\"Minimize\",\"MetricName\":\"eval_loss\"},"
    " \"ResourceLimits\":{\"MaxNumberOfTrainingJobs\":20,\"MaxParallelTrainingJobs\":4,"
    "  \"MaxRuntimeInSeconds\":3600},"
    " \"ParameterRanges\":{\"IntegerParameterRanges\":[{\"Name\":\"epochs\",\"MinValue\":\"1\","
    "  \"MaxValue\":\"3\",\"ScalingType\":\"Linear\"}],"
    "  \"ContinuousParameterRanges\":[{\"Name\":\"learning_rate\",\"MinValue\":\"1e-05\","
    "  \"MaxValue\":\"0.001\",\"ScalingType\":\"Logarithmic\"}],"
    "  \"CategoricalParameterRanges\":[{\"Name\":\"batch\",\"Values\":[\"16\",\"32\"]}]},"
    " \"TrainingJobEarlyStoppingType\":\"Auto\"},"
    "\"TrainingJobDefinition\":{\"StaticHyperParameters\":{\"model\":\"\\\"bert\\\"\"},"
    " \"AlgorithmSpecification\":{\"TrainingImage\":\"img:1\",\"TrainingInputMode\":\"File\","
    "  \"MetricDefinitions\":[{\"Name\":\"eval_loss\",\"Regex\":\"'eval_loss': ([0-9.]+)\"}]},"
    " \"ResourceConfig\":{\"InstanceType\":\"ml.g5.xlarge\",\"InstanceCount\":1,"
    "  \"VolumeSizeInGB\":30}},"
    "\"HyperParameterTuningJobStatus\":\"InProgress\",\"CreationTime\":1700000000.5,"
    "\"LastModifiedTime\":1700000900,"
    "\"TrainingJobStatusCounters\":{\"Completed\":3,\"InProgress\":2,\"RetryableError\":0,"
    " \"NonRetryableError\":1,\"Stopped\":1},"
    "\"ObjectiveStatusCounters\":{\"Succeeded\":4,\"Pending\":2,\"Failed\":1},"
    "\"BestTrainingJob\":{\"TrainingJobName\":\"hpo-a-002-bbbbbbbb\",\"TrainingJobArn\":\"arn:b\","
    " \"CreationTime\":1700000100,\"TrainingJobStatus\":\"Completed\","
    " \"TunedHyperParameters\":{\"epochs\":\"2\"},\"ObjectiveStatus\":\"Succeeded\","
    " \"FinalHyperParameterTuningJobObjectiveMetric\":{\"Type\":\"Minimize\","
    "  \"MetricName\":\"eval_loss\",\"Value\":0.125}},"
    "\"WarmStartConfig\":{\"ParentHyperParameterTuningJobs\":[{\"HyperParameterTuningJobName\":"
    " \"hpo-parent\"}],\"WarmStartType\":\"TransferLearning\"}}";

Test(tuning, describe_reads_every_member)
{
    struct sagemaker_tuning_job t;
    struct err e = { 0 };

    cr_assert_eq(sagemaker_parse_describe_tuning_job(describe_doc, strlen(describe_doc), &t, &e),
                 0, "%s", e.msg);
    cr_expect_str_eq(t.name, "hpo-a");
    cr_expect_str_eq(t.status, "InProgress");
    cr_expect_str_eq(t.strategy, "Hyperband");
    cr_expect_eq(t.hyperband_min_resource, 1);
    cr_expect_eq(t.hyperband_max_resource, 9);
    cr_expect_str_eq(t.objective_type, "Minimize");
    cr_expect_str_eq(t.objective_metric, "eval_loss");
    cr_expect_eq(t.max_jobs, 20);
    cr_expect_eq(t.max_parallel_jobs, 4);
    cr_expect_eq(t.max_runtime_s, 3600);
    cr_expect_str_eq(t.early_stopping, "Auto");
    cr_assert_eq(t.n_ranges, 3);
    cr_expect_eq(t.ranges[0].kind, SAGEMAKER_RANGE_INTEGER);
    cr_expect_str_eq(t.ranges[0].name, "epochs");
    cr_expect_str_eq(t.ranges[0].scaling, "Linear");
    cr_expect_eq(t.ranges[1].kind, SAGEMAKER_RANGE_CONTINUOUS);
    cr_expect_str_eq(t.ranges[1].min_value, "1e-05");
    cr_expect_str_eq(t.ranges[1].max_value, "0.001");
    cr_expect_str_eq(t.ranges[1].scaling, "Logarithmic");
    cr_expect_eq(t.ranges[2].kind, SAGEMAKER_RANGE_CATEGORICAL);
    cr_assert_eq(t.ranges[2].n_values, 2);
    cr_expect_str_eq(t.ranges[2].values[1], "32");
    cr_expect_str_eq(t.training_image, "img:1");
    cr_assert_eq(t.n_metric_definitions, 1);
    cr_expect_str_eq(t.metric_definitions[0].name, "eval_loss");
    cr_assert_eq(t.n_static_hyper_parameters, 1);
    cr_expect_str_eq(t.static_hyper_parameters[0].value, "\"bert\"");
    cr_expect_str_eq(t.instance_type, "ml.g5.xlarge");
    cr_expect_eq(t.completed, 3);
    cr_expect_eq(t.in_progress, 2);
    cr_expect_eq(t.non_retryable_error, 1);
    cr_expect_eq(t.stopped, 1);
    cr_expect_eq(t.objective_succeeded, 4);
    cr_expect_eq(t.objective_pending, 2);
    cr_expect_eq(t.objective_failed, 1);
    cr_assert(t.has_best);
    cr_expect_str_eq(t.best.job.name, "hpo-a-002-bbbbbbbb");
    cr_expect(t.best.has_objective);
    cr_expect_eq(t.best.objective_value, 0.125);
    cr_expect_str_eq(t.warm_start_type, "TransferLearning");
    cr_assert_eq(t.n_parents, 1);
    cr_expect_str_eq(t.parents[0], "hpo-parent");
    cr_expect_eq(t.creation_time, 1700000000.5);
    cr_expect_neq(strstr(t.raw_json, "\"CreationTime\":1700000000.5"), NULL);
    sagemaker_tuning_job_clean(&t);
    sagemaker_tuning_job_clean(&t);
}

/* Multi-algorithm tuning: no TrainingJobDefinition, the first of TrainingJobDefinitions, with
 * the ranges in the definition. */
Test(tuning, describe_takes_the_first_definition_and_its_ranges)
{
    static const char doc[] =
        "{\"HyperParameterTuningJobName\":\"m\",\"HyperParameterTuningJobStatus\":\"Completed\","
        "\"HyperParameterTuningJobConfig\":{\"Strategy\":\"Random\"},"
        "\"TrainingJobDefinitions\":[{\"DefinitionName\":\"a\",\"HyperParameterRanges\":"
        " {\"CategoricalParameterRanges\":[{\"Name\":\"opt\",\"Values\":[\"adam\"]}]},"
        " \"AlgorithmSpecification\":{\"MetricDefinitions\":[{\"Name\":\"acc\",\"Regex\":\"a=(.*)\"}]}}]}";
    struct sagemaker_tuning_job t;
    struct err e = { 0 };

    cr_assert_eq(sagemaker_parse_describe_tuning_job(doc, strlen(doc), &t, &e), 0, "%s", e.msg);
    cr_assert_eq(t.n_ranges, 1);
    cr_expect_str_eq(t.ranges[0].name, "opt");
    cr_assert_eq(t.n_metric_definitions, 1);
    cr_expect_not(t.has_best);
    cr_expect_eq(t.n_parents, 0);
    sagemaker_tuning_job_clean(&t);
}

Test(tuning, describe_failures_name_the_member)
{
    static const char no_config[] =
        "{\"HyperParameterTuningJobName\":\"x\",\"HyperParameterTuningJobStatus\":\"Completed\"}";
    static const char bad_values[] =
        "{\"HyperParameterTuningJobName\":\"x\",\"HyperParameterTuningJobStatus\":\"Completed\","
        "\"HyperParameterTuningJobConfig\":{\"ParameterRanges\":{\"CategoricalParameterRanges\":"
        "[{\"Name\":\"b\",\"Values\":\"16\"}]}}}";
    static const char truncated[] = "{\"HyperParameterTuningJobName\":\"x\",";
    struct sagemaker_tuning_job t;
    struct err e = { 0 };

    memset(&t, 0, sizeof(t));
    cr_expect_eq(sagemaker_parse_describe_tuning_job(no_config, strlen(no_config), &t, &e),
                 ERR_PARSE);
    cr_expect_neq(strstr(e.msg, "HyperParameterTuningJobConfig"), NULL, "%s", e.msg);
    cr_expect_eq(sagemaker_parse_describe_tuning_job(bad_values, strlen(bad_values), &t, &e),
                 ERR_PARSE);
    cr_expect_neq(strstr(e.msg, "CategoricalParameterRanges[0]"), NULL, "%s", e.msg);
    cr_expect_eq(sagemaker_parse_describe_tuning_job(truncated, strlen(truncated), &t, &e),
                 ERR_PARSE);
    cr_expect_eq(t.name[0], '\0', "nothing written on failure");
}

/* ---- the calls, against a loopback server ---------------------------------------------- */

/* A server that answers every page with the same NextToken: the second page is asked with
 * it, then the loop is refused and nothing is handed out (the rows read are freed). */
Test(tuning_call, trials_follow_next_token_and_refuse_a_loop)
{
    struct loopback_aws l;
    struct sagemaker_trial_list out = { 0 };
    struct loopback_request r;
    struct err e = { 0 };

    cr_assert_eq(loopback_aws_open(&l, &e), 0, "%s", e.msg);
    loopback_http_route(l.srv, "POST", "/", 200, "application/x-amz-json-1.1",
                        "{\"TrainingJobSummaries\":[{\"TrainingJobName\":\"t-001\","
                        "\"TrainingJobArn\":\"a\",\"TrainingJobStatus\":\"Completed\","
                        "\"CreationTime\":1,\"TunedHyperParameters\":{\"lr\":\"0.1\"}}],"
                        "\"NextToken\":\"same\"}");
    cr_assert_eq(sagemaker_list_trials_all(l.client, "hpo-a", NULL, &out, &e), ERR_AWS);
    cr_expect_neq(strstr(e.msg, "same NextToken"), NULL, "%s", e.msg);
    cr_expect_eq(out.items, NULL, "nothing handed out on failure");
    cr_assert_eq(loopback_http_count(l.srv), 2);
    cr_assert_eq(loopback_http_request(l.srv, 0, &r), 0);
    cr_expect_neq(strstr(r.body, "\"HyperParameterTuningJobName\""), NULL, "%s", r.body);
    cr_expect_neq(strstr(r.body, "\"MaxResults\""), NULL, "a full page asked: %s", r.body);
    cr_expect_eq(strstr(r.body, "NextToken"), NULL, "no token on the first page: %s", r.body);
    cr_assert_eq(loopback_http_request(l.srv, 1, &r), 0);
    cr_expect_neq(strstr(r.body, "\"same\""), NULL, "the second page sends it: %s", r.body);
    loopback_aws_close(&l);
}

Test(tuning_call, every_page_of_one_page_and_describe_not_found)
{
    struct loopback_aws l;
    struct sagemaker_tuning_list out = { 0 };
    struct sagemaker_tuning_job t;
    struct err e = { 0 };

    cr_assert_eq(loopback_aws_open(&l, &e), 0, "%s", e.msg);
    loopback_http_route(l.srv, "POST", "/", 200, "application/x-amz-json-1.1",
                        "{\"HyperParameterTuningJobSummaries\":[{\"HyperParameterTuningJobName\":"
                        "\"a\",\"HyperParameterTuningJobStatus\":\"Completed\"},"
                        "{\"HyperParameterTuningJobName\":\"b\","
                        "\"HyperParameterTuningJobStatus\":\"InProgress\"}]}");
    cr_assert_eq(sagemaker_list_tuning_jobs_all(l.client, NULL, &out, &e), 0, "%s", e.msg);
    cr_assert_eq(out.count, 2);
    cr_expect_str_eq(out.items[1].name, "b");
    cr_expect_eq(loopback_http_count(l.srv), 1, "no NextToken: one page");
    sagemaker_tuning_list_clean(&out);
    loopback_http_route(l.srv, "POST", "/", 400, "application/x-amz-json-1.1",
                        "{\"__type\":\"ResourceNotFound\",\"message\":\"Amazon SageMaker "
                        "can't find a tuning job with name x\"}");
    memset(&t, 0, sizeof(t));
    cr_expect_eq(sagemaker_describe_tuning_job(l.client, "x", &t, &e), ERR_NOTFOUND, "%s",
                 e.msg);
    cr_expect_eq(t.raw_json, NULL);
    loopback_aws_close(&l);
}

/* ---- cache ------------------------------------------------------------------------------- */

/* A private cache per test (support/tmp_cache.h). */
static void setup(void)
{
    cr_assert_eq(tmp_cache_make("tuning", "cache.db"), 0);
}

static void teardown(void)
{
    cr_assert_eq(tmp_cache_remove(), 0);
}

static struct cache *open_rw(void)
{
    struct err e = { 0 };
    struct cache *c = tmp_cache_open(&e);

    cr_assert_not_null(c, "opening %s: %s", tmp_cache.path, e.msg);
    return c;
}

/* Four trials of hpo-a: objectives 0.5, 0.125, none (failed), 0.25. */
static void store_trials(struct cache *c)
{
    static const char *const hp[4][2][2] = {
        { { "epochs", "1" }, { "learning_rate", "1e-05" } },
        { { "epochs", "2" }, { "learning_rate", "0.0001" } },
        { { "epochs", "3" }, { "learning_rate", "0.001" } },
        { { "epochs", "1" }, { "learning_rate", "3e-05" } },
    };
    struct sagemaker_kv kv[4][2];
    static const char *const names[4] = { "hpo-a-001-aaaaaaaa", "hpo-a-002-bbbbbbbb",
                                           "hpo-a-003-cccccccc", "hpo-a-004-dddddddd" };
    static const char *const status[4] = { "Completed", "Completed", "Failed", "Stopped" };
    static const double obj[4] = { 0.5, 0.125, 0, 0.25 };
    struct sagemaker_tuning_trial tr[4];
    struct err e = { 0 };
    int i;

    memset(tr, 0, sizeof(tr));
    for (i = 0; i < 4; i++) {
        snprintf(tr[i].job.name, sizeof(tr[i].job.name), "%s", names[i]);
        snprintf(tr[i].job.status, sizeof(tr[i].job.status), "%s", status[i]);
        tr[i].job.creation_time = 1700000000 + 100 * i;
        tr[i].job.training_start_time = tr[i].job.creation_time + 10;
        tr[i].job.training_end_time = tr[i].job.creation_time + 1000 - 200 * i;
        for (int k = 0; k < 2; k++) {
            kv[i][k].key = (char *)hp[i][k][0];    /* borrowed: the store copies */
            kv[i][k].value = (char *)hp[i][k][1];
        }
        tr[i].tuned_hyper_parameters = kv[i];
        tr[i].n_tuned_hyper_parameters = 2;
        tr[i].has_objective = i != 2;
        tr[i].objective_value = obj[i];
        snprintf(tr[i].objective_status, sizeof(tr[i].objective_status), "%s",
                 i == 2 ? "Failed" : "Succeeded");
    }
    cr_assert_eq(cache_tuning_store_trials(c, "hpo-a", tr, 4, 1700005000, &e), 0, "%s", e.msg);
}

static void store_describe(struct cache *c, const char *objective_type)
{
    struct sagemaker_tuning_job t;
    struct err e = { 0 };

    cr_assert_eq(sagemaker_parse_describe_tuning_job(describe_doc, strlen(describe_doc), &t, &e),
                 0);
    snprintf(t.objective_type, sizeof(t.objective_type), "%s", objective_type);
    cr_assert_eq(cache_tuning_store(c, &t, &e), 0, "%s", e.msg);
    sagemaker_tuning_job_clean(&t);
}

TestSuite(tuning_cache, .init = setup, .fini = teardown);

Test(tuning_cache, trials_read_back_by_objective_with_the_best_first)
{
    struct cache *c = open_rw();
    struct cache_trial_list l = { 0 };
    struct cache_tuning t;
    struct cache_job j;
    char tn[64];
    struct err e = { 0 };

    store_describe(c, "Minimize");
    store_trials(c);
    cr_assert_eq(cache_tuning_get(c, "hpo-a", &t, &e), 0, "%s", e.msg);
    cr_expect_str_eq(t.strategy, "Hyperband");
    cr_expect_str_eq(t.best_job, "hpo-a-002-bbbbbbbb");
    cr_expect_eq(t.best_value, 0.125);
    cr_expect_eq(t.failed, 1);
    cr_expect_eq(t.n_trials, 4);
    cr_expect_str_eq(t.warm_start_type, "TransferLearning");
    cr_assert_eq(cache_tuning_trials(c, "hpo-a", CACHE_TRIALS_BY_OBJECTIVE, &l, &e), 0, "%s",
                 e.msg);
    cr_assert_eq(l.n, 4);
    cr_expect_str_eq(l.items[0].job, "hpo-a-002-bbbbbbbb");
    cr_expect(l.items[0].best);
    cr_expect_str_eq(l.items[1].job, "hpo-a-004-dddddddd");
    cr_expect_str_eq(l.items[2].job, "hpo-a-001-aaaaaaaa");
    cr_expect_str_eq(l.items[3].job, "hpo-a-003-cccccccc", "no objective: last");
    cr_expect_not(l.items[3].has_objective);
    cr_expect_not(l.items[1].best);
    cr_assert_eq(l.items[0].n_hps, 2);
    cr_expect_str_eq(l.items[0].hps[1].key, "learning_rate");
    cr_expect_str_eq(l.items[0].hps[1].value, "0.0001");
    cr_expect_eq(l.items[0].training_seconds, 790);
    cache_trial_list_clean(&l);
    /* completion order: by end time (trial 4 ended first) */
    cr_assert_eq(cache_tuning_trials(c, "hpo-a", CACHE_TRIALS_BY_COMPLETION, &l, &e), 0);
    cr_expect_str_eq(l.items[0].job, "hpo-a-004-dddddddd");
    cr_expect_str_eq(l.items[3].job, "hpo-a-001-aaaaaaaa");
    cr_expect(l.items[2].best, "the best is flagged in any order");
    cache_trial_list_clean(&l);
    /* trials are jobs, and know their tuning job */
    cr_assert_eq(cache_job_get(c, "hpo-a-003-cccccccc", &j, &e), 0, "%s", e.msg);
    cr_expect_str_eq(j.status, "Failed");
    cr_assert_eq(cache_tuning_of_job(c, "hpo-a-003-cccccccc", tn, sizeof(tn), &e), 0);
    cr_expect_str_eq(tn, "hpo-a");
    cr_expect_eq(cache_tuning_of_job(c, "not-a-trial", tn, sizeof(tn), NULL), ERR_NOTFOUND);
    cr_expect_eq(cache_tuning_trials(c, "nope", CACHE_TRIALS_BY_OBJECTIVE, &l, NULL),
                 ERR_NOTFOUND);
    cache_close(c);
}

Test(tuning_cache, maximize_reverses_the_order)
{
    struct cache *c = open_rw();
    struct cache_trial_list l = { 0 };
    struct err e = { 0 };

    store_describe(c, "Maximize");
    store_trials(c);
    cr_assert_eq(cache_tuning_trials(c, "hpo-a", CACHE_TRIALS_BY_OBJECTIVE, &l, &e), 0);
    cr_assert_eq(l.n, 4);
    cr_expect_str_eq(l.items[0].job, "hpo-a-001-aaaaaaaa");
    cr_expect(l.items[0].best);
    cr_expect_str_eq(l.items[3].job, "hpo-a-003-cccccccc");
    cache_trial_list_clean(&l);
    cache_close(c);
}

Test(tuning_cache, ranges_parents_definitions_and_list_filter)
{
    struct cache *c = open_rw();
    struct cache_tuning_range_list rl = { 0 };
    struct cache_kv_list kv = { 0 };
    struct cache_tuning_list tl = { 0 };
    struct sagemaker_tuning_summary s;
    struct err e = { 0 };

    store_describe(c, "Minimize");
    /* stored twice: the detail rows are replaced, not doubled */
    store_describe(c, "Minimize");
    cr_assert_eq(cache_tuning_ranges(c, "hpo-a", &rl, &e), 0);
    cr_assert_eq(rl.n, 3);
    cr_expect_str_eq(rl.items[1].kind, "continuous");
    cr_expect_str_eq(rl.items[1].scaling, "Logarithmic");
    cr_expect_str_eq(rl.items[2].values, "16,32");
    cache_tuning_range_list_clean(&rl);
    cr_assert_eq(cache_tuning_parents(c, "hpo-a", &kv, &e), 0);
    cr_assert_eq(kv.n, 1);
    cr_expect_str_eq(kv.items[0].key, "hpo-parent");
    cache_kv_list_clean(&kv);
    cr_assert_eq(cache_tuning_metric_definitions(c, "hpo-a", &kv, &e), 0);
    cr_assert_eq(kv.n, 1);
    cr_expect_str_eq(kv.items[0].value, "'eval_loss': ([0-9.]+)");
    cache_kv_list_clean(&kv);
    /* a listed-only tuning job */
    memset(&s, 0, sizeof(s));
    snprintf(s.name, sizeof(s.name), "hpo-b");
    snprintf(s.status, sizeof(s.status), "Completed");
    s.creation_time = 1600000000;
    cr_assert_eq(cache_tuning_store_summary(c, &s, &e), 0, "%s", e.msg);
    cr_assert_eq(cache_tuning_list(c, NULL, &tl, &e), 0);
    cr_assert_eq(tl.n, 2);
    cr_expect_str_eq(tl.items[0].name, "hpo-a", "newest first");
    cr_expect(tl.items[0].described);
    cr_expect_not(tl.items[1].described);
    cache_tuning_list_clean(&tl);
    cr_assert_eq(cache_tuning_list(c, "Stopped,Completed", &tl, &e), 0);
    cr_assert_eq(tl.n, 1);
    cr_expect_str_eq(tl.items[0].name, "hpo-b");
    cache_tuning_list_clean(&tl);
    cache_close(c);
}

/* A trial's extraction definitions: its own, then its tuning job's (the objective). */
Test(tuning_cache, a_trial_is_extracted_with_its_tuning_definitions)
{
    struct cache *c = open_rw();
    struct mdef_list l;
    size_t i;
    bool found = false;

    store_describe(c, "Minimize");
    store_trials(c);
    mdef_list_init(&l);
    cache_tuning_trial_defs(c, "hpo-a-001-aaaaaaaa", &l);
    for (i = 0; i < l.n; i++)
        found |= strcmp(l.v[i].name, "eval_loss") == 0;
    cr_expect(found, "eval_loss comes from the tuning job");
    mdef_list_clean(&l);
    mdef_list_init(&l);
    cache_tuning_trial_defs(c, "not-a-trial", &l);
    cr_expect_eq(l.n, 0);
    mdef_list_clean(&l);
    cache_close(c);
}

/* A schema 8 cache (what migrations 1..8 make: this one with the tuning tables taken away)
 * opens as 9 with its jobs kept and the tuning tables usable. */
Test(tuning_cache, migrates_from_schema_8)
{
    struct cache *c = open_rw();
    struct cache_job_summary sm = { "old-job", "arn:old", "Completed", NULL, 1, 2, 3 };
    struct cache_job j;
    struct err e = { 0 };
    sqlite3 *db;
    sqlite3_stmt *st;

    cr_assert_eq(cache_job_upsert_summary(c, &sm, &e), 0, "%s", e.msg);
    cache_close(c);
    cr_assert_eq(sqlite3_open(tmp_cache.path, &db), SQLITE_OK);
    cr_assert_eq(sqlite3_exec(db, "DROP TABLE tuning_trial_hps; DROP TABLE tuning_trials;"
                              "DROP TABLE tuning_metric_definitions; DROP TABLE tuning_parents;"
                              "DROP TABLE tuning_ranges; DROP TABLE tuning_jobs;"
                              "PRAGMA user_version=8;", NULL, NULL, NULL), SQLITE_OK);
    sqlite3_close(db);
    c = open_rw();
    cr_assert_eq(cache_job_get(c, "old-job", &j, &e), 0, "%s", e.msg);
    store_describe(c, "Minimize");
    store_trials(c);
    cache_close(c);
    cr_assert_eq(sqlite3_open(tmp_cache.path, &db), SQLITE_OK);
    cr_assert_eq(sqlite3_prepare_v2(db, "PRAGMA user_version", -1, &st, NULL), SQLITE_OK);
    cr_assert_eq(sqlite3_step(st), SQLITE_ROW);
    cr_expect_eq(sqlite3_column_int(st, 0), 9);
    sqlite3_finalize(st);
    cr_assert_eq(sqlite3_prepare_v2(db, "SELECT count(*) FROM tuning_trials", -1, &st, NULL),
                 SQLITE_OK);
    cr_assert_eq(sqlite3_step(st), SQLITE_ROW);
    cr_expect_eq(sqlite3_column_int(st, 0), 4);
    sqlite3_finalize(st);
    sqlite3_close(db);
}
