/* test_tuning_launch.c: launch/tuning*.c. The request of four tuner shapes equals, member for
 * member and in order, the one the SageMaker Python SDK's HyperparameterTuner.fit() sends
 * (tests/unit/data/tuning/expected_*.json, written by gen_expected.py from the SDK's rules, not
 * from this code); a tuning launch from a parent tuning job; the CLI words; every check AWS
 * makes, each with the field it names; and launch_run() with a tuning spec against a loopback
 * server (what it sends, and that a problem sends nothing). No other network. */
#include <criterion/criterion.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "launch/launch.h"
#include "launch/tuning.h"
#include "support/loopback_aws.h"
#include "support/loopback_http.h"

#define NOW 1765000000.25   /* gen_expected.py's NOW */

/* tests/unit/data/tuning/<name>; the caller frees it. */
static char *read_data(const char *name, size_t *len)
{
    char path[256];
    char *buf;

    snprintf(path, sizeof(path), "tuning/%s", name);
    buf = loopback_aws_read_data(path, len);
    cr_assert_not_null(buf, "cannot read tests/unit/data/%s", path);
    return buf;
}

/* "KEY=VALUE" pairs, NULL-terminated, split at the first '='. */
static void split(const char *kv, char *key, size_t size, const char **value)
{
    const char *eq = strchr(kv, '=');

    cr_assert_not_null(eq, "%s", kv);
    snprintf(key, size, "%.*s", (int)(eq - kv), kv);
    *value = eq + 1;
}

static struct tuning_spec *spec_of(const char *const *words)
{
    struct tuning_spec *s = malloc(sizeof(*s));
    struct err e = { 0 };

    tuning_spec_init(s);
    for (size_t i = 0; words[i]; i++) {
        char key[64];
        const char *v;

        split(words[i], key, sizeof(key), &v);
        cr_assert_eq(tuning_spec_set(s, key, v, &e), 0, "%s: %s", words[i], e.msg);
    }
    return s;
}

/* The source job re-launched (sets applied) as launch_run() does, then the tuning request.
 * Returns the rc; *out and is filled. */
static int build(const char *const *sets, const char *const *words, const char *name,
                 json_t **out, struct estimator_issues *is)
{
    size_t len;
    char *doc = read_data("source_training_job.json", &len);
    struct tuning_spec *s = spec_of(words);
    struct tuning_context ctx = { name, NOW };
    struct err e = { 0 };
    char train_name[64];
    json_t *train = NULL;
    int rc;

    estimator_relaunch_name("bert-imdb-2025-11-30-10-00-00-123", NOW, train_name,
                            sizeof(train_name));
    cr_assert_eq(estimator_relaunch(doc, len, train_name, &train, &e), 0, "%s", e.msg);
    for (size_t i = 0; sets && sets[i]; i++) {
        char key[64];
        const char *v;

        split(sets[i], key, sizeof(key), &v);
        cr_assert_eq(estimator_request_set(train, key, v, &e), 0, "%s", e.msg);
    }
    is->n = 0;
    rc = tuning_request_from_training(train, s, &ctx, out, is, &e);
    json_decref(train);
    free(s);
    free(doc);
    return rc;
}

/* The request equals the expected file in every member and in member order. */
static void expect_file(const json_t *req, const char *file)
{
    size_t len;
    char *text = read_data(file, &len);
    json_error_t je;
    json_t *want = json_loadb(text, len, 0, &je);
    char *got_s, *want_s;

    cr_assert_not_null(want, "%s: %s", file, je.text);
    got_s = json_dumps(req, JSON_INDENT(1));
    want_s = json_dumps(want, JSON_INDENT(1));
    cr_assert_str_eq(got_s, want_s, "%s differs:\n--- got\n%s\n--- want\n%s", file, got_s,
                     want_s);
    free(got_s);
    free(want_s);
    json_decref(want);
    free(text);
}

static json_t *build_ok(const char *const *sets, const char *const *words, const char *name)
{
    struct estimator_issues is = { .n = 0 };
    json_t *req = NULL;
    int rc = build(sets, words, name, &req, &is);

    cr_assert_eq(rc, 0, "rc %d, %zu issues: %s: %s", rc, is.n, is.n ? is.v[0].field : "-",
                 is.n ? is.v[0].msg : "-");
    return req;
}

Test(tuning_sdk, continuous_log_range)
{
    /* sagetop tuning launch --from SRC --tune hp.learning_rate=1e-5:1e-4:log
     *   --objective eval_loss:min --max-jobs 20 --parallel 4 */
    const char *words[] = { "tune=hp.learning_rate=1e-5:1e-4:log", "objective=eval_loss:min",
                            "max_jobs=20", "parallel=4", NULL };
    json_t *req = build_ok(NULL, words, NULL);

    expect_file(req, "expected_continuous_log.json");
    json_decref(req);
}

Test(tuning_sdk, integer_ranges)
{
    const char *sets[] = { "instance_type=ml.g5.4xlarge", NULL };
    const char *words[] = { "tune=hp.epochs=int:1:4", "tune=hp.train_batch_size=int:8:64:log",
                            "objective=eval_accuracy", "strategy=random", "max_jobs=8",
                            "parallel=2", "early_stopping=auto", NULL };
    json_t *req = build_ok(sets, words, NULL);

    expect_file(req, "expected_integer.json");
    json_decref(req);
}

Test(tuning_sdk, categorical_ranges_grid)
{
    const char *words[] = { "tune=hp.optim=cat:adamw_torch,adafactor",
                            "tune=hp.train_batch_size=cat:16,32", "objective=eval_loss:min",
                            "strategy=Grid", "parallel=2", NULL };
    json_t *req = build_ok(NULL, words, NULL);

    expect_file(req, "expected_categorical.json");
    json_decref(req);
}

Test(tuning_sdk, warm_start)
{
    const char *sets[] = { "tag.team=nlp", NULL };
    const char *words[] = { "tune=hp.learning_rate=1e-5:5e-4", "tune=hp.epochs=int:2:6",
                            "objective=eval_loss:min", "strategy=hyperband", "max_jobs=30",
                            "parallel=5", "warm_start=bert-imdb-hpo-1,bert-imdb-hpo-2",
                            "warm_start_type=TransferLearning", NULL };
    json_t *req = build_ok(sets, words, "bert-imdb-hpo-3");

    expect_file(req, "expected_warm_start.json");
    json_decref(req);
}

/* HyperparameterTuner.attach(parent) and a new tuner from it: the parent's settings stay unless
 * given again; given ranges replace the parent's; the parent's own warm start is not kept. */
Test(tuning_parent, settings_inherited_ranges_replaced)
{
    size_t len;
    char *doc = read_data("parent_tuning_job.json", &len);
    const char *words[] = { "tune=hp.epochs=int:1:4", "max_jobs=12", NULL };
    struct tuning_spec *s = spec_of(words);
    struct tuning_context ctx = { "bert-imdb-hpo-2", NOW };
    struct estimator_issues is = { .n = 0 };
    struct err e = { 0 };
    json_t *req = NULL, *c, *hps, *ranges;
    const char *k, *last = NULL;
    json_t *v;

    cr_assert_eq(tuning_request_from_tuning(doc, len, s, &ctx, &req, &is, &e), 0, "%s", e.msg);
    c = json_object_get(req, "HyperParameterTuningJobConfig");
    cr_assert_str_eq(json_string_value(json_object_get(c, "Strategy")), "Bayesian");
    cr_assert_eq(json_integer_value(json_object_get(json_object_get(c, "ResourceLimits"),
                                                    "MaxNumberOfTrainingJobs")), 12);
    cr_assert_eq(json_integer_value(json_object_get(json_object_get(c, "ResourceLimits"),
                                                    "MaxParallelTrainingJobs")), 2);
    cr_assert_eq(json_integer_value(json_object_get(c, "RandomSeed")), 7);
    cr_assert_str_eq(json_string_value(json_object_get(
                         json_object_get(c, "HyperParameterTuningJobObjective"), "MetricName")),
                     "eval_loss");
    ranges = json_object_get(c, "ParameterRanges");
    cr_assert_eq(json_array_size(json_object_get(ranges, "ContinuousParameterRanges")), 0);
    cr_assert_str_eq(json_string_value(json_object_get(
                         json_array_get(json_object_get(ranges, "IntegerParameterRanges"), 0),
                         "Name")), "epochs");
    hps = json_object_get(json_object_get(req, "TrainingJobDefinition"),
                          "StaticHyperParameters");
    cr_assert_null(json_object_get(hps, "epochs"), "a tuned hyperparameter is not static");
    /* the parent's tuned learning_rate is tuned no more, and it has no static value either */
    cr_assert_null(json_object_get(hps, "learning_rate"));
    cr_assert_str_eq(json_string_value(json_object_get(hps, "sagemaker_job_name")),
                     "\"bert-imdb-2025-12-06-05-46-40-25\"");
    json_object_foreach(hps, k, v)
        last = k;
    cr_assert_str_eq(last, "sagemaker_estimator_module", "the class metadata comes last, once");
    cr_assert_null(json_object_get(req, "WarmStartConfig"));
    json_decref(req);
    free(s);
    free(doc);
}

Test(tuning_parent, not_a_tuning_document)
{
    struct tuning_spec s;
    struct tuning_context ctx = { NULL, NOW };
    struct estimator_issues is = { .n = 0 };
    struct err e = { 0 };
    json_t *req = NULL;

    tuning_spec_init(&s);
    cr_assert_eq(tuning_request_from_tuning("{\"x\":1}", 7, &s, &ctx, &req, &is, &e), ERR_INVAL);
    cr_assert(strstr(e.msg, "TrainingJobDefinition") != NULL, "%s", e.msg);
    cr_assert_null(req);
}

/* ---- The CLI's words ---------------------------------------------------------------------- */

Test(tuning_spec, words)
{
    const char *words[] = { "tune=hp.lr=1E-3:0.1:ReverseLogarithmic", "tune=hp.n=integer:+07:010",
                            "objective=validation:accuracy", "strategy=GRID",
                            "early_stopping=off", "warm_start=a,b", "warm_start=c",
                            "warm_start_type=transfer", NULL };
    struct tuning_spec *s = spec_of(words);

    cr_assert_eq(s->n_ranges, 2);
    cr_assert_str_eq(s->ranges[0].min, "0.001");
    cr_assert_str_eq(s->ranges[0].max, "0.1");
    cr_assert_str_eq(s->ranges[0].scaling, "ReverseLogarithmic");
    cr_assert_eq(s->ranges[1].kind, TUNING_INTEGER);
    cr_assert_str_eq(s->ranges[1].min, "7", "str(int('+07')) in Python");
    cr_assert_str_eq(s->ranges[1].max, "10");
    /* a metric name may hold colons (built-in algorithms' "validation:accuracy") */
    cr_assert_str_eq(s->objective, "validation:accuracy");
    cr_assert_str_eq(s->objective_type, "");
    cr_assert_str_eq(s->strategy, "Grid");
    cr_assert_str_eq(s->early_stopping, "Off");
    cr_assert_eq(s->n_parents, 3);
    cr_assert_str_eq(s->parents[2], "c");
    cr_assert_str_eq(s->warm_start_type, "TransferLearning");
    free(s);
}

/* The UI's form fields (tuning_spec_set_field) make the spec the CLI's words make. */
Test(tuning_spec, form_fields_equal_the_cli_words)
{
    const char *cli[] = { "tune=hp.learning_rate=1e-5:1e-4:log", "objective=eval_loss:min",
                          "max_jobs=4", "parallel=2", "warm_start=p1,p2", NULL };
    const char *form[][2] = { { "name", "hpo-ui" }, { "hp.epochs", "" },
                              { "hp.learning_rate", "1e-5:1e-4:log" },
                              { "objective", "eval_loss" }, { "objective_type", "Minimize" },
                              { "max_jobs", "4" }, { "parallel", "2" }, { "strategy", "" },
                              { "warm_start", "p1,p2" } };
    struct tuning_spec *want = spec_of(cli), *got = malloc(sizeof(*got));
    struct estimator_issues is = { .n = 0 };

    tuning_spec_init(got);
    for (size_t i = 0; i < sizeof(form) / sizeof(form[0]); i++)
        cr_assert_eq(tuning_spec_set_field(got, form[i][0], form[i][1], &is), 0, "%s: %s",
                     form[i][0], is.n ? is.v[0].msg : "");
    cr_assert_eq(is.n, 0);
    cr_assert_str_eq(got->objective_type, "Minimize");
    cr_assert_eq(got->n_ranges, 1, "an empty range leaves the hyperparameter static");
    cr_assert(memcmp(want, got, sizeof(*got)) == 0, "the form's spec differs from the CLI's");
    free(want);
    free(got);
}

/* A field's problem is an issue on the field tuning_check_request() names, in the CLI's words. */
Test(tuning_spec, form_field_problems)
{
    struct tuning_spec *s = malloc(sizeof(*s));
    struct estimator_issues is = { .n = 0 };

    tuning_spec_init(s);
    cr_assert_neq(tuning_spec_set_field(s, "hp.learning_rate", "abc:1", &is), 0);
    cr_assert_neq(tuning_spec_set_field(s, "objective_type", "sideways", &is), 0);
    cr_assert_neq(tuning_spec_set_field(s, "max_jobs", "0", &is), 0);
    cr_assert_eq(is.n, 3);
    cr_assert_str_eq(is.v[0].field, "tune.learning_rate");
    cr_assert_str_eq(is.v[0].msg, "tune hp.learning_rate=abc:1: 'abc' is not a number");
    cr_assert_str_eq(is.v[1].field, "objective_type");
    cr_assert_str_eq(is.v[1].msg, "objective_type: 'sideways': expected Minimize or Maximize");
    cr_assert_str_eq(is.v[2].field, "max_jobs");
    cr_assert_eq(s->n_ranges, 0);
    free(s);
}

/* The default name the form pins is the one a request built without a name gets. */
Test(tuning_names, default_name_of_a_request)
{
    json_t *t = json_pack("{s:{s:s}}", "AlgorithmSpecification", "TrainingImage",
                          "763104351884.dkr.ecr.us-east-1.amazonaws.com/huggingface-pytorch-"
                          "training:1.13-transformers4.26-gpu-py39-cu117-ubuntu20.04");
    json_t *none = json_object();
    char got[64], want[64];

    tuning_default_name_of(t, NOW, got, sizeof(got));
    tuning_default_name("huggingface-pytorch-training", NOW, want, sizeof(want));
    cr_assert_str_eq(got, want);
    tuning_default_name_of(none, NOW, got, sizeof(got));
    tuning_default_name("estimator", NOW, want, sizeof(want));
    cr_assert_str_eq(got, want);
    json_decref(t);
    json_decref(none);
}

Test(tuning_spec, a_name_given_again_replaces_its_range)
{
    const char *words[] = { "tune=hp.lr=1:2", "tune=hp.lr=cat:x", "objective=loss:MAX", NULL };
    struct tuning_spec *s = spec_of(words);

    cr_assert_eq(s->n_ranges, 1);
    cr_assert_eq(s->ranges[0].kind, TUNING_CATEGORICAL);
    cr_assert_str_eq(s->ranges[0].values[0], "x");
    cr_assert_str_eq(s->objective, "loss");
    cr_assert_str_eq(s->objective_type, "Maximize");
    free(s);
}

static void refused(const char *key, const char *value, const char *want)
{
    struct tuning_spec *s = malloc(sizeof(*s));
    struct err e = { 0 };

    tuning_spec_init(s);
    for (int i = 0; strcmp(key, "tune31") == 0 && i < 30; i++) {
        char t[32];

        snprintf(t, sizeof(t), "hp.p%d=1:2", i);
        cr_assert_eq(tuning_spec_set(s, "tune", t, &e), 0, "%s", e.msg);
    }
    cr_assert_eq(tuning_spec_set(s, strcmp(key, "tune31") == 0 ? "tune" : key, value, &e),
                 ERR_INVAL, "%s=%s was taken", key, value);
    cr_assert(strstr(e.msg, want) != NULL, "%s=%s: '%s' lacks '%s'", key, value, e.msg, want);
    free(s);
}

Test(tuning_spec, refusals)
{
    refused("tune", "hp.lr", "expected hp.NAME=MIN:MAX");
    refused("tune", "hp.lr=1e-5", "expected MIN:MAX");
    refused("tune", "hp.lr=a:b", "'a' is not a number");
    refused("tune", "hp.lr=1:2:cubic", "scaling 'cubic'");
    refused("tune", "hp.opt=cat:a,,b", "categorical value");
    refused("tune", "hp.opt=cat:a,b,c,d,e,f,g,h,i,j,k,l,m,n,o,p,q,r,s,t,u,v,w,x,y,z,0,1,2,3,4",
            "at most 30 categorical values");
    refused("tune31", "hp.p30=1:2", "at most 30 hyperparameters");
    refused("objective", ":min", "expected METRIC");
    refused("strategy", "genetic", "Bayesian, Random, Hyperband or Grid");
    refused("max_jobs", "0", "at least 1");
    refused("parallel", "two", "whole number");
    refused("early_stopping", "soon", "Off or Auto");
    refused("warm_start", "a,b,c,d,e,f", "at most 5 parent");
    refused("warm_start_type", "copy", "IdenticalDataAndAlgorithm or TransferLearning");
    refused("budget", "1", "unknown");
}

/* ---- AWS's checks ------------------------------------------------------------------------- */

/* Builds shape words (plus extra) and expects ERR_INVAL with an issue on field saying want. */
static void issue(const char *const *extra, const char *name, const char *field,
                  const char *want)
{
    const char *words[16] = { "objective=eval_loss:min", "max_jobs=4", "parallel=2" };
    size_t n = 3;
    struct estimator_issues is = { .n = 0 };
    json_t *req = NULL;
    const struct estimator_issue *it;

    for (size_t i = 0; extra[i]; i++)
        words[n++] = extra[i];
    words[n] = NULL;
    cr_assert_eq(build(NULL, words, name, &req, &is), ERR_INVAL, "accepted: %s", extra[0]);
    cr_assert_null(req);
    it = estimator_issue_find(&is, field);
    cr_assert_not_null(it, "no issue on %s (first: %s: %s)", field, is.n ? is.v[0].field : "-",
                       is.n ? is.v[0].msg : "-");
    cr_assert(strstr(it->msg, want) != NULL, "%s: '%s' lacks '%s'", field, it->msg, want);
}

Test(tuning_check, ranges)
{
    issue((const char *[]){ "tune=hp.lr=1e-4:1e-5", NULL }, NULL, "tune.lr",
          "MinValue 0.0001 must be less than MaxValue 1e-05");
    issue((const char *[]){ "tune=hp.lr=0:1:log", NULL }, NULL, "tune.lr",
          "logarithmic scaling needs MinValue > 0");
    issue((const char *[]){ "tune=hp.lr=0.5:2:reverselog", NULL }, NULL, "tune.lr",
          "0 <= MinValue < MaxValue < 1");
    issue((const char *[]){ "tune=hp.epochs=int:1.5:4", NULL }, NULL, "tune.epochs",
          "whole numbers");
    issue((const char *[]){ "tune=hp.epochs=int:1:4:reverselog", NULL }, NULL, "tune.epochs",
          "continuous ranges only");
    issue((const char *[]){ NULL }, NULL, "tune", "no hyperparameter to tune");
}

Test(tuning_check, configuration)
{
    issue((const char *[]){ "tune=hp.lr=1e-5:1e-4", "parallel=5", NULL }, NULL, "parallel",
          "5 parallel jobs is more than the 4 training jobs");
    issue((const char *[]){ "tune=hp.lr=1e-5:1e-4", "objective=f1:max", NULL }, NULL,
          "objective", "'f1' is not among the metric definitions");
    issue((const char *[]){ "tune=hp.lr=1e-5:1e-4", "strategy=grid", NULL }, NULL, "strategy",
          "Grid search takes categorical ranges only");
    issue((const char *[]){ "tune=hp.lr=1e-5:1e-4", "strategy=hyperband",
                            "early_stopping=auto", NULL }, NULL, "early_stopping",
          "must be Off");
    issue((const char *[]){ "tune=hp.lr=1e-5:1e-4", NULL }, "bad_name", "name",
          "'bad_name': 1 to 32 letters, digits and hyphens");
    issue((const char *[]){ "tune=hp.lr=1e-5:1e-4", NULL },
          "a23456789012345678901234567890123", "name", "1 to 32");
    issue((const char *[]){ "tune=hp.lr=1e-5:1e-4", "warm_start=-parent", NULL }, NULL,
          "warm_start", "'-parent'");
}

/* No objective anywhere: the SDK requires objective_metric_name; so does AWS. */
Test(tuning_check, objective_required)
{
    const char *words[] = { "tune=hp.lr=1e-5:1e-4", NULL };
    struct estimator_issues is = { .n = 0 };
    json_t *req = NULL;

    cr_assert_eq(build(NULL, words, NULL, &req, &is), ERR_INVAL);
    cr_assert_not_null(estimator_issue_find(&is, "objective"));
}

Test(tuning_check, grid_needs_no_max_jobs_others_do)
{
    const char *grid[] = { "tune=hp.optim=cat:a,b", "objective=eval_loss:min",
                           "strategy=grid", NULL };
    json_t *req = build_ok(NULL, grid, NULL), *limits;
    struct estimator_issues is = { .n = 0 };

    limits = json_object_get(json_object_get(req, "HyperParameterTuningJobConfig"),
                             "ResourceLimits");
    cr_assert_null(json_object_get(limits, "MaxNumberOfTrainingJobs"));
    json_object_del(limits, "MaxNumberOfTrainingJobs");
    json_object_set_new(json_object_get(req, "HyperParameterTuningJobConfig"), "Strategy",
                        json_string("Random"));
    tuning_check_request(req, &is);
    cr_assert_not_null(estimator_issue_find(&is, "max_jobs"));
    json_decref(req);
}

Test(tuning_names, default_name)
{
    char out[64];

    tuning_default_name("huggingface-pytorch-training", NOW, out, sizeof(out));
    cr_assert_str_eq(out, "huggingface-pytorch--251206-0546");
    tuning_default_name("bert", NOW, out, sizeof(out));
    cr_assert_str_eq(out, "bert-251206-0546");
}

/* ---- launch_run() with a tuning spec ------------------------------------------------------ */

#define TUNING_ARN "arn:aws:sagemaker:us-east-1:123456789012:hyper-parameter-tuning-job/hpo-x"
/* One answer for CreateHyperParameterTuningJob and DescribeHyperParameterTuningJob (POST /). */
static const char tuning_doc[] =
    "{\"HyperParameterTuningJobArn\":\"" TUNING_ARN "\",\"HyperParameterTuningJobName\":"
    "\"hpo-x\",\"HyperParameterTuningJobStatus\":\"InProgress\"}";

struct stages {
    enum launch_stage v[16];
    size_t n;
};

static void on_stage(enum launch_stage stage, const char *msg, void *ctx)
{
    struct stages *s = ctx;

    cr_assert(strstr(msg, launch_stage_name(stage)) == msg, "'%s' starts with the stage", msg);
    if (s->n < 16)
        s->v[s->n++] = stage;
}

static void assert_target(struct loopback_http *srv, size_t i, const char *target)
{
    struct loopback_request req;
    char got[128];

    cr_assert_eq(loopback_http_request(srv, i, &req), 0);
    cr_assert_str_eq(loopback_header(&req, "X-Amz-Target", got, sizeof(got)), target);
}

/* The continuous-log shape launched from the source's describe document (as the front ends
 * hand it from their cache), with tune words. */
static int run_tuning(struct loopback_aws *l, const char *const *words, bool dry_run,
                      struct stages *seen, struct launch_result *r, struct err *e)
{
    size_t len;
    char *doc = read_data("source_training_job.json", &len);
    struct tuning_spec *s = spec_of(words);
    struct launch_request q = {
        .client = l->client, .region = "us-east-1", .now = NOW,
        .from = "bert-imdb-2025-11-30-10-00-00-123", .from_json = doc, .from_json_len = len,
        .name = "hpo-x", .dry_run = dry_run, .tuning = s,
    };
    struct launch_callbacks cb = { .progress = on_stage, .ctx = seen };
    int rc = launch_run(&q, &cb, r, e);

    free(s);
    free(doc);
    return rc;
}

Test(tuning_run, creates_the_tuning_job_then_describes_it)
{
    const char *words[] = { "tune=hp.learning_rate=1e-5:1e-4:log", "objective=eval_loss:min",
                            "max_jobs=20", "parallel=4", NULL };
    static const enum launch_stage want[] = { LAUNCH_CHECK, LAUNCH_CONFIRM, LAUNCH_CREATE,
                                              LAUNCH_REPORT };
    struct loopback_aws l;
    struct stages seen = { .n = 0 };
    struct launch_result r;
    struct loopback_request req;
    struct err e = { 0 };

    cr_assert_eq(loopback_aws_open(&l, &e), 0, "%s", e.msg);
    loopback_http_route(l.srv, "POST", "/", 200, "application/x-amz-json-1.1", tuning_doc);
    cr_assert_eq(run_tuning(&l, words, false, &seen, &r, &e), 0, "%s", e.msg);
    cr_assert_eq(r.stage, LAUNCH_DONE);
    cr_assert_eq(seen.n, 4, "%zu steps reported", seen.n);
    for (size_t i = 0; i < 4; i++)
        cr_assert_eq(seen.v[i], want[i], "step %zu: %d", i, seen.v[i]);
    cr_assert_str_eq(r.job_name, "hpo-x");
    cr_assert_str_eq(r.arn, TUNING_ARN);
    cr_assert_eq(r.plan.upload, false, "the source's tarball is reused");
    cr_assert_not_null(r.describe_json);
    cr_assert_eq(loopback_http_count(l.srv), 2);
    assert_target(l.srv, 0, "SageMaker.CreateHyperParameterTuningJob");
    assert_target(l.srv, 1, "SageMaker.DescribeHyperParameterTuningJob");
    cr_assert_eq(loopback_http_request(l.srv, 0, &req), 0);
    cr_assert(strstr(req.body, "\"HyperParameterTuningJobName\":\"hpo-x\"") != NULL, "%s",
              req.body);
    cr_assert(strstr(req.body, "\"TrainingJobName\"") == NULL, "no training job member: %s",
              req.body);
    launch_result_clean(&r);
    loopback_aws_close(&l);
}

Test(tuning_run, a_problem_stops_at_the_checks_and_sends_nothing)
{
    const char *words[] = { "tune=hp.learning_rate=1e-4:1e-5", "objective=eval_loss:min",
                            NULL };
    struct loopback_aws l;
    struct stages seen = { .n = 0 };
    struct launch_result r;
    struct err e = { 0 };

    cr_assert_eq(loopback_aws_open(&l, &e), 0, "%s", e.msg);
    loopback_http_route(l.srv, "POST", "/", 200, "application/x-amz-json-1.1", tuning_doc);
    cr_assert_eq(run_tuning(&l, words, false, &seen, &r, &e), ERR_INVAL);
    cr_assert_eq(r.stage, LAUNCH_CHECK);
    cr_assert_not_null(estimator_issue_find(&r.issues, "tune.learning_rate"));
    cr_assert_null(r.request);
    cr_assert_eq(loopback_http_count(l.srv), 0, "nothing was sent");
    launch_result_clean(&r);
    loopback_aws_close(&l);
}

Test(tuning_run, dry_run_from_a_tuning_document_sends_nothing)
{
    size_t len;
    char *doc = read_data("parent_tuning_job.json", &len);
    const char *words[] = { "tune=hp.epochs=int:1:4", NULL };
    struct tuning_spec *s = spec_of(words);
    struct loopback_aws l;
    struct launch_result r;
    struct err e = { 0 };

    cr_assert_eq(loopback_aws_open(&l, &e), 0, "%s", e.msg);
    struct launch_request q = {
        .client = l.client, .region = "us-east-1", .now = NOW, .from = "bert-imdb-hpo-1",
        .from_json = doc, .from_json_len = len, .from_is_tuning = true, .dry_run = true,
        .tuning = s,
    };

    cr_assert_eq(launch_run(&q, NULL, &r, &e), 0, "%s", e.msg);
    cr_assert_str_eq(r.job_name, "huggingface-pytorch--251206-0546", "the SDK's default name");
    cr_assert_eq(loopback_http_count(l.srv), 0);
    launch_result_clean(&r);
    loopback_aws_close(&l);
    free(s);
    free(doc);
}
