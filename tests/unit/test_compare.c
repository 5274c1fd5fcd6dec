/* test_compare.c: metrics/compare.c and metrics/prices.c: hyperparameter diffs (only differing
 * rows, sagemaker_* hidden, JSON quoting removed), metric tables with best by direction, and
 * cost estimates from the price table. */
#include <criterion/criterion.h>
#include <math.h>
#include <string.h>

#include "metrics/compare.h"
#include "metrics/prices.h"

Test(prices, table_sorted_and_lookup)
{
    size_t n, i;
    const struct price_entry *t = prices_table(&n);
    double p = -1;

    cr_assert_gt(n, 20);
    for (i = 1; i < n; i++)
        cr_expect_lt(strcmp(t[i - 1].instance_type, t[i].instance_type), 0,
                     "%s before %s: keep the table sorted", t[i - 1].instance_type,
                     t[i].instance_type);
    for (i = 0; i < n; i++) {
        cr_expect_eq(strncmp(t[i].instance_type, "ml.", 3), 0);
        cr_expect_gt(t[i].usd_per_hour, 0);
        cr_expect(prices_lookup(t[i].instance_type, &p));
        cr_expect_eq(p, t[i].usd_per_hour);
    }
    cr_expect(prices_lookup("ml.g5.xlarge", &p));
    cr_expect_gt(p, 0.5);
    p = -1;
    cr_expect_not(prices_lookup("ml.z9.mega", &p));
    cr_expect_not(prices_lookup(NULL, &p));
    cr_expect_eq(p, -1, "untouched when unknown");
    cr_expect_str_eq(prices_region, "us-east-1");
    cr_expect(strstr(prices_source, "aws.amazon.com") != NULL);
}

Test(prices, estimate_is_rate_times_count_times_billable_hours)
{
    cr_expect_float_eq(prices_estimate_usd(3.6, 2, 1800), 3.6, 1e-12);
    cr_expect_float_eq(prices_estimate_usd(1.0, 1, 36), 0.01, 1e-12);
    cr_expect_eq(prices_estimate_usd(1.0, 0, 3600), 0);
    cr_expect_eq(prices_estimate_usd(1.0, 1, -5), 0);
    cr_expect_eq(prices_estimate_usd(NAN, 1, 5), 0);
}

Test(compare, unquote_sdk_values)
{
    char b[64];

    compare_unquote("\"train.py\"", 10, b, sizeof(b));
    cr_expect_str_eq(b, "train.py");
    {
        const char *q = "\"a \\\"b\\\" \\\\ \\u00e9\"";

        compare_unquote(q, strlen(q), b, sizeof(b));
    }
    cr_expect_str_eq(b, "a \"b\" \\ \xc3\xa9");
    compare_unquote("3e-05", 5, b, sizeof(b));
    cr_expect_str_eq(b, "3e-05");
    compare_unquote("\"\"", 2, b, sizeof(b));
    cr_expect_str_eq(b, "");
    compare_unquote("\"", 1, b, sizeof(b));
    cr_expect_str_eq(b, "\"", "a lone quote is not quoting");
    cr_expect_eq(compare_unquote("\"abcdef\"", 8, b, 4), 3, "capped");
    cr_expect_str_eq(b, "abc");
}

Test(compare, values_equal_by_text_or_number)
{
    cr_expect(compare_values_equal("bert", "bert"));
    cr_expect(compare_values_equal("0.001", "1e-3"));
    cr_expect(compare_values_equal("3", "3.0"));
    cr_expect_not(compare_values_equal("3", "4"));
    cr_expect_not(compare_values_equal("bert", NULL));
    cr_expect(compare_values_equal(NULL, NULL));
    cr_expect_not(compare_values_equal("true", "True"));
}

static const struct compare_kv hp_a[] = {
    { "epochs", "3" },
    { "learning_rate", "\"5e-05\"" },
    { "model_name", "\"bert-base-uncased\"" },
    { "sagemaker_program", "\"train.py\"" },
    { "sagemaker_job_name", "\"job-a\"" },
    { "seed", "42" },
};
static const struct compare_kv hp_b[] = {
    { "seed", "42" },
    { "epochs", "3" },
    { "learning_rate", "\"0.0001\"" },
    { "model_name", "\"bert-base-uncased\"" },
    { "sagemaker_program", "\"train.py\"" },
    { "sagemaker_job_name", "\"job-b\"" },
    { "warmup_steps", "500" },
};
static const struct compare_kv hp_c[] = {
    { "epochs", "3.0" },
    { "learning_rate", "5e-5" },
    { "model_name", "\"roberta-base\"" },
    { "sagemaker_program", "\"train.py\"" },
    { "sagemaker_job_name", "\"job-c\"" },
    { "seed", "42" },
};

Test(compare, hp_only_differing_rows_by_default)
{
    struct compare_hp_job jobs[3] = { { hp_a, 6 }, { hp_b, 7 }, { hp_c, 6 } };
    struct compare_hp_table t;

    cr_assert_eq(compare_hp_build(jobs, 3, 0, &t, NULL), 0);
    cr_assert_eq(t.n_rows, 3, "learning_rate, model_name, warmup_steps");
    cr_expect_str_eq(t.rows[0].key, "learning_rate");
    cr_expect_str_eq(t.rows[0].values[0], "5e-05", "quoting removed");
    cr_expect_str_eq(t.rows[0].values[1], "0.0001");
    cr_expect_str_eq(t.rows[0].values[2], "5e-5");
    cr_expect_str_eq(t.rows[1].key, "model_name");
    cr_expect_str_eq(t.rows[1].values[2], "roberta-base");
    cr_expect_str_eq(t.rows[2].key, "warmup_steps");
    cr_expect_null(t.rows[2].values[0], "missing is NULL");
    cr_expect_str_eq(t.rows[2].values[1], "500");
    cr_expect(t.rows[2].differs);
    cr_expect_eq(t.hidden_equal, 2, "epochs (3 == 3.0) and seed");
    cr_expect_eq(t.hidden_internal, 2);
    compare_hp_clean(&t);
}

Test(compare, hp_all_and_internal_on_request)
{
    struct compare_hp_job jobs[2] = { { hp_a, 6 }, { hp_b, 7 } };
    struct compare_hp_table t;
    size_t i;
    bool saw_job_name = false, saw_epochs = false;

    cr_assert_eq(compare_hp_build(jobs, 2, COMPARE_HP_ALL | COMPARE_HP_INTERNAL, &t, NULL), 0);
    cr_expect_eq(t.n_rows, 7);
    cr_expect_eq(t.hidden_equal + t.hidden_internal, 0);
    for (i = 0; i < t.n_rows; i++) {
        if (strcmp(t.rows[i].key, "sagemaker_job_name") == 0) {
            saw_job_name = true;
            cr_expect(t.rows[i].differs);
        }
        if (strcmp(t.rows[i].key, "epochs") == 0) {
            saw_epochs = true;
            cr_expect_not(t.rows[i].differs);
        }
        if (i > 0)
            cr_expect_lt(strcmp(t.rows[i - 1].key, t.rows[i].key), 0, "sorted");
    }
    cr_expect(saw_job_name);
    cr_expect(saw_epochs);
    compare_hp_clean(&t);
    {
        struct err e;

        err_clear(&e);
        cr_expect_eq(compare_hp_build(jobs, 0, 0, &t, &e), ERR_INVAL);
        cr_expect(strstr(e.msg, "0 jobs") != NULL, "%s", e.msg);
    }
}

static struct series *curve(const char *name, const double *ys, size_t n)
{
    struct series *s = series_new(name);
    size_t i;

    for (i = 0; i < n; i++)
        series_push(s, (double)(i * 100), ys[i], NULL);
    return s;
}

Test(compare, metrics_best_by_direction)
{
    double la[] = { 2.0, 0.9, 0.5, 0.6 }, lb[] = { 2.1, 0.7, 0.45, 0.45 };
    double aa[] = { 0.5, 0.8, 0.91, 0.9 }, ab[] = { 0.5, 0.85, 0.88, 0.89 };
    double fa[] = { 0.3, 0.2 };
    struct series *sla = curve("eval_loss", la, 4), *slb = curve("eval_loss", lb, 4);
    struct series *saa = curve("eval_accuracy", aa, 4), *sab = curve("eval_accuracy", ab, 4);
    struct series *sfa = curve("weird", fa, 2);
    struct compare_metric_in ma[] = { { "eval_loss", sla }, { "eval_accuracy", saa },
                                      { "weird", sfa } };
    struct compare_metric_in mb[] = { { "eval_accuracy", sab }, { "eval_loss", slb } };
    struct compare_metrics_job jobs[2] = { { ma, 3 }, { mb, 2 } };
    struct compare_dir_rule rules[] = { { "weird", SERIES_DIR_UP } };
    struct compare_metric_table t;

    cr_assert_eq(compare_metrics_build(jobs, 2, rules, 1, &t, NULL), 0);
    cr_assert_eq(t.n_rows, 3);
    cr_expect_str_eq(t.rows[0].name, "eval_accuracy");
    cr_expect_eq(t.rows[0].dir, SERIES_DIR_UP);
    cr_expect_eq(t.rows[0].cells[0].best, 0.91);
    cr_expect_eq(t.rows[0].cells[0].best_x, 200);
    cr_expect_eq(t.rows[0].cells[0].last, 0.9);
    cr_expect_eq(t.rows[0].best_job, 0);
    cr_expect_str_eq(t.rows[1].name, "eval_loss");
    cr_expect_eq(t.rows[1].dir, SERIES_DIR_DOWN);
    cr_expect_eq(t.rows[1].cells[1].best, 0.45);
    cr_expect_eq(t.rows[1].cells[1].best_x, 200, "the first step reaching the best");
    cr_expect_eq(t.rows[1].cells[1].max, 2.1);
    cr_expect_eq(t.rows[1].best_job, 1);
    cr_expect_str_eq(t.rows[2].name, "weird");
    cr_expect_eq(t.rows[2].dir, SERIES_DIR_UP, "the rule wins over the guess");
    cr_expect_eq(t.rows[2].cells[0].best, 0.3);
    cr_expect_not(t.rows[2].cells[1].present);
    cr_expect_eq(t.rows[2].best_job, 0);
    compare_metrics_clean(&t);
    series_free(sla);
    series_free(slb);
    series_free(saa);
    series_free(sab);
    series_free(sfa);
}

Test(compare, resources_cost_and_spot_savings)
{
    struct compare_resources_in in = { "ml.p3.2xlarge", 2, 3600, 1200, true };
    struct compare_resources r;
    double p;

    cr_assert(prices_lookup("ml.p3.2xlarge", &p));
    compare_resources_compute(&in, &r);
    cr_expect(r.price_known);
    cr_expect_float_eq(r.cost_usd, p * 2 * 1200 / 3600, 1e-9);
    cr_expect_float_eq(r.on_demand_usd, p * 2, 1e-9);
    cr_expect_float_eq(r.spot_savings_pct, 66.666666, 1e-4);
    in.instance_type = "ml.unknown";
    in.spot = false;
    compare_resources_compute(&in, &r);
    cr_expect_not(r.price_known);
    cr_expect_eq(r.cost_usd, 0);
    cr_expect(isnan(r.spot_savings_pct));
}
