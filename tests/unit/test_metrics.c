/* test_metrics.c: the extractor — SageMaker semantics, repairs, the Hugging Face preset over the
 * shapes several transformers versions print, precedence, hostile input. */
#include <criterion/criterion.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "metrics/metrics.h"
#include "metrics/value.h"

#define MAXP 256

struct got {
    char name[MPOINT_NAME_MAX];
    char raw[64];
    char instance[MINSTANCE_MAX];
    double value, sm, epoch;
    int64_t step, ts_ms;
    unsigned flags;
    enum mdef_source source;
    long def_index;
};

struct sink {
    struct got p[MAXP];
    size_t n;
};

static int collect(const struct mpoint *pt, void *ctx)
{
    struct sink *k = ctx;
    struct got *g;

    cr_assert(k->n < MAXP);
    g = &k->p[k->n++];
    snprintf(g->name, sizeof(g->name), "%s", pt->name);
    snprintf(g->raw, sizeof(g->raw), "%.*s", (int)(pt->raw_len < 63 ? pt->raw_len : 63),
             pt->raw);
    snprintf(g->instance, sizeof(g->instance), "%s", pt->instance);
    g->value = pt->value;
    g->sm = pt->sagemaker_value;
    g->epoch = pt->epoch;
    g->step = pt->step;
    g->ts_ms = pt->ts_ms;
    g->flags = pt->flags;
    g->source = pt->source;
    g->def_index = pt->def_index;
    return 0;
}

static const struct got *find(const struct sink *k, const char *name)
{
    size_t i;

    for (i = 0; i < k->n; i++)
        if (strcmp(k->p[i].name, name) == 0)
            return &k->p[i];
    return NULL;
}

static size_t count_name(const struct sink *k, const char *name)
{
    size_t i, c = 0;

    for (i = 0; i < k->n; i++)
        c += strcmp(k->p[i].name, name) == 0;
    return c;
}

/* A set from NAME, REGEX pairs (NULL-terminated), all of one source; preset as asked. */
static struct mset *set_of(bool preset, enum mdef_source src, ...)
{
    struct mdef_list l;
    struct mset *s;
    struct err e = { 0 };
    va_list ap;
    const char *name;

    mdef_list_init(&l);
    l.preset_hf = preset;
    va_start(ap, src);
    while ((name = va_arg(ap, const char *)) != NULL) {
        const char *re = va_arg(ap, const char *);
        cr_assert_eq(mdef_list_add(&l, name, re, src, &e), 0, "%s", e.msg);
    }
    va_end(ap);
    s = mset_new(&l, &e);
    cr_assert_not_null(s, "%s", e.msg);
    mdef_list_clean(&l);
    return s;
}

static int feed(struct mset *s, struct mextract_state *st, struct sink *k, const char *line)
{
    return mset_extract(s, st, line, strlen(line), 1000, collect, k);
}

/* Feeds a multi-line text one line at a time (the way the cache stores lines). */
static void feed_text(struct mset *s, struct mextract_state *st, struct sink *k, const char *t)
{
    while (*t) {
        const char *nl = strchr(t, '\n');
        size_t n = nl ? (size_t)(nl - t) : strlen(t);
        cr_assert_geq(mset_extract(s, st, t, n, 42, collect, k), 0);
        t += n + (nl != NULL);
    }
}

/* ------------------------------------------------------------------------------------------- */

Test(metrics_sagemaker, documented_example)
{
    struct mset *s = set_of(false, MDEF_JOB, "train:error", "Train_error=(.*?);",
                            "validation:error", "Valid_error=(.*?);", NULL);
    struct mextract_state st;
    struct sink k = { 0 };

    mextract_state_init(&st, "algo-1");
    cr_assert_eq(feed(s, &st, &k, "Train_error=0.138318;  Valid_error=0.324557;"), 2);
    cr_assert_str_eq(k.p[0].name, "train:error");
    cr_assert_float_eq(k.p[0].value, 0.138318, 1e-12);
    cr_assert_float_eq(k.p[0].sm, 0.138318, 1e-12);
    cr_assert_eq(k.p[0].flags, 0);
    cr_assert_eq(k.p[0].ts_ms, 1000);
    cr_assert_str_eq(k.p[0].instance, "algo-1");
    cr_assert_str_eq(k.p[1].name, "validation:error");
    cr_assert_float_eq(k.p[1].value, 0.324557, 1e-12);
    mset_free(s);
}

Test(metrics_sagemaker, one_match_per_definition_per_line)
{
    struct mset *s = set_of(false, MDEF_JOB, "err", "err=([0-9.]+)", NULL);
    struct mextract_state st;
    struct sink k = { 0 };

    mextract_state_init(&st, NULL);
    cr_assert_eq(feed(s, &st, &k, "err=1.5 err=2.5 err=3.5"), 1);
    cr_assert_float_eq(k.p[0].value, 1.5, 0);
    mset_free(s);
}

Test(metrics_values, floats_scientific_nan_inf_negative)
{
    struct mset *s = set_of(false, MDEF_JOB, "v", "v=(\\S+)", NULL);
    struct mextract_state st;
    const struct {
        const char *line;
        double want;
    } cases[] = {
        { "v=1e-05", 1e-05 },  { "v=-0.5", -0.5 },   { "v=3", 3 },
        { "v=.25", 0.25 },     { "v=2.5E+3", 2500 }, { "v=0.00012", 0.00012 },
        { "v=+7", 7 },         { "v=2.8732394366197188e-05", 2.8732394366197188e-05 },
        { "v=inf", INFINITY }, { "v=-Infinity", -INFINITY },
    };
    size_t i;

    mextract_state_init(&st, NULL);
    for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        struct sink k = { 0 };
        cr_assert_eq(feed(s, &st, &k, cases[i].line), 1, "%s", cases[i].line);
        cr_assert_eq(k.p[0].value, cases[i].want, "%s gave %.17g", cases[i].line, k.p[0].value);
        cr_assert_eq(k.p[0].flags & MPOINT_UNPARSED, 0);
    }
    {
        struct sink k = { 0 };
        cr_assert_eq(feed(s, &st, &k, "v=nan"), 1);
        cr_assert(isnan(k.p[0].value));
        cr_assert_eq(k.p[0].flags & MPOINT_UNPARSED, 0, "nan is a value, not unparsed");
        cr_assert(isnan(k.p[0].sm), "CloudWatch stores no NaN");
    }
    mset_free(s);
}

Test(metrics_values, duration_becomes_seconds)
{
    struct mset *s = set_of(false, MDEF_JOB, "train_runtime", "train_runtime.*=\\D*(.*?)$",
                            NULL);
    struct mextract_state st;
    struct sink k = { 0 };

    mextract_state_init(&st, NULL);
    cr_assert_eq(feed(s, &st, &k, "  train_runtime            = 0:01:12.41"), 1);
    cr_assert_float_eq(k.p[0].value, 72.41, 1e-9);
    cr_assert(k.p[0].flags & MPOINT_DURATION);
    cr_assert(isnan(k.p[0].sm), "SageMaker drops a non-number");
    cr_assert_eq(feed(s, &st, &k, "train_runtime = 1 day, 2:00:01.5"), 1);
    cr_assert_float_eq(k.p[1].value, 86400 + 7201.5, 1e-9);
    mset_free(s);
}

Test(metrics_values, parse_value_helper)
{
    double v = 7;
    unsigned f = 0;

    cr_assert_eq(metrics_parse_value(" 0.5 ", 5, &v, &f), 0);
    cr_assert_float_eq(v, 0.5, 0);
    cr_assert_eq(metrics_parse_value("", 0, &v, &f), ERR_PARSE);
    cr_assert_eq(metrics_parse_value("12GF", 4, &v, &f), ERR_PARSE);
    cr_assert_eq(metrics_parse_value("0x10", 4, &v, &f), ERR_PARSE, "no hex floats");
    cr_assert_eq(metrics_parse_value("1,5", 3, &v, &f), ERR_PARSE);
    cr_assert_eq(metrics_parse_value("1:2:3", 5, &v, &f), ERR_PARSE);
    cr_assert_eq(metrics_parse_value("0:61:00", 7, &v, &f), ERR_PARSE);
    cr_assert_float_eq(v, 0.5, 0, "out untouched on failure");
    cr_assert_eq(metrics_parse_value("12:00:00", 8, &v, &f), 0);
    cr_assert_float_eq(v, 43200, 0);
    cr_assert(f & MPOINT_DURATION);
}

Test(metrics_values, non_numeric_and_empty_are_unparsed_never_zero)
{
    struct mset *s = set_of(false, MDEF_JOB, "flos", "total_flos.*=\\D*(.*?)$", "acc",
                            "acc=(.*?);", NULL);
    struct mextract_state st;
    struct sink k = { 0 };

    mextract_state_init(&st, NULL);
    cr_assert_eq(feed(s, &st, &k, "  total_flos = 1234GF"), 1);
    cr_assert(k.p[0].flags & MPOINT_UNPARSED);
    cr_assert(isnan(k.p[0].value));
    cr_assert_str_eq(k.p[0].raw, "1234GF");
    cr_assert_eq(feed(s, &st, &k, "acc=;"), 1);
    cr_assert(k.p[1].flags & MPOINT_UNPARSED);
    cr_assert_str_eq(k.p[1].raw, "");
    cr_assert_eq(st.unparsed, 2);
    mset_free(s);
}

Test(metrics_repair, exponent_lost_by_notebook_regex)
{
    struct mset *s = set_of(false, MDEF_JOB, "learning_rate",
                            "'learning_rate': ([0-9]+(.|e\\-)[0-9]+),?", NULL);
    struct mextract_state st;
    struct sink k = { 0 };

    mextract_state_init(&st, NULL);
    feed(s, &st, &k, "{'loss': 0.4127, 'learning_rate': 2.8732394366197188e-05, 'epoch': 0.64}");
    cr_assert_eq(k.n, 1);
    cr_assert_eq(k.p[0].value, 2.8732394366197188e-05, "%.17g %.17g %x %s", k.p[0].value, k.p[0].sm, k.p[0].flags, k.p[0].raw);
    cr_assert_eq(k.p[0].sm, 2.8732394366197188, "SageMaker's value kept beside");
    cr_assert(k.p[0].flags & MPOINT_REPAIRED_NUMBER);
    /* 5e-05 survives the notebook regex ((.|e\-) eats "e-"): no repair needed */
    feed(s, &st, &k, "{'loss': 0.6931, 'learning_rate': 5e-05, 'epoch': 0.01}");
    cr_assert_eq(k.n, 2);
    cr_assert_eq(k.p[1].value, 5e-05);
    cr_assert_eq(k.p[1].flags & MPOINT_REPAIRED_NUMBER, 0);
    mset_free(s);
}

Test(metrics_repair, minus_eaten_by_backslash_D)
{
    struct mset *s = set_of(false, MDEF_JOB, "eval_loss", "eval_loss.*=\\D*(.*?)$", NULL);
    struct mextract_state st;
    struct sink k = { 0 };

    mextract_state_init(&st, NULL);
    cr_assert_eq(feed(s, &st, &k, "  eval_loss = -0.5"), 1);
    cr_assert_eq(k.p[0].value, -0.5);
    cr_assert_eq(k.p[0].sm, 0.5);
    cr_assert(k.p[0].flags & MPOINT_REPAIRED_SIGN);
    /* a hyphen that is part of a word is no sign */
    cr_assert_eq(feed(s, &st, &k, "eval_loss = run-3"), 1);
    cr_assert_eq(k.p[1].value, 3);
    cr_assert_eq(k.p[1].flags & MPOINT_REPAIRED_SIGN, 0);
    mset_free(s);
}

Test(metrics_repair, same_value_is_not_flagged)
{
    struct mset *s = set_of(false, MDEF_JOB, "epoch", "epoch ([0-9]+)", NULL);
    struct mextract_state st;
    struct sink k = { 0 };

    mextract_state_init(&st, NULL);
    feed(s, &st, &k, "epoch 3. done");
    cr_assert_eq(k.p[0].value, 3);
    cr_assert_eq(k.p[0].flags, 0);
    mset_free(s);
}

Test(metrics_lines, crlf_and_progress_segments)
{
    struct mset *s = set_of(false, MDEF_JOB, "eval_loss", "eval_loss.*=\\D*(.*?)$", "loss",
                            "'loss': ([0-9.e-]+)", NULL);
    struct mextract_state st;
    struct sink k = { 0 };
    const char *tqdm = " 10%|#         | 50/500 [00:10<01:30,  5.0it/s]\r"
                       "{'loss': 0.25, 'epoch': 0.1}\r"
                       " 11%|#1        | 55/500 [00:11<01:29,  5.0it/s]\r"
                       "{'loss': 0.2, 'epoch': 0.11}";

    mextract_state_init(&st, NULL);
    cr_assert_eq(feed(s, &st, &k, "  eval_loss = 0.0364\r\n"), 1);
    cr_assert_eq(k.p[0].value, 0.0364, "no \\r in the capture");
    k.n = 0;
    cr_assert_eq(feed(s, &st, &k, tqdm), 2, "one point per segment");
    cr_assert_eq(k.p[0].value, 0.25);
    cr_assert_eq(k.p[1].value, 0.2);
    cr_assert_float_eq(k.p[1].epoch, 0.11, 1e-12);
    /* CloudWatch shows CR as the literal text #015 */
    k.n = 0;
    cr_assert_eq(feed(s, &st, &k, " 98%|#########8| 339/345#015{'loss': 0.125, 'epoch': 1.0}"),
                 1);
    cr_assert_eq(k.p[0].value, 0.125);
    mset_free(s);
}

Test(metrics_lines, invalid_utf8_is_harmless)
{
    struct mset *s = set_of(true, MDEF_JOB, "loss", "loss=(\\S+)", "acc", "acc.=(.*)$", NULL);
    struct mextract_state st;
    struct sink k = { 0 };
    const char line[] = "\xff\xfe loss=0.5 \xc3\x28 acc\xe2=0.75\x80";

    mextract_state_init(&st, NULL);
    cr_assert_eq(mset_extract(s, &st, line, sizeof(line) - 1, 0, collect, &k), 2);
    cr_assert_eq(find(&k, "loss")->value, 0.5);
    cr_assert(find(&k, "acc")->flags & MPOINT_UNPARSED, "0.75\\x80 is no number");
    mset_free(s);
}

Test(metrics_lines, one_megabyte_line)
{
    struct mset *s = set_of(true, MDEF_JOB, "eval_loss", "eval_loss.*=\\D*(.*?)$", "loss",
                            "'loss': ([0-9]+(.|e\\-)[0-9]+),?", NULL);
    struct mextract_state st;
    struct sink k = { 0 };
    size_t n = 1024 * 1024, i;
    char *big = malloc(n);

    cr_assert_not_null(big);
    for (i = 0; i < n; i++)
        big[i] = "eval_loss 'loss': x= \xe2\x96\x88"[i % 25];
    memcpy(big + n - 12, "= 0.123 abc", 11);
    big[n - 1] = '\n';
    mextract_state_init(&st, NULL);
    cr_assert_geq(mset_extract(s, &st, big, n, 0, collect, &k), 0);
    /* whatever it finds, it returned; now the same line with the value at the end */
    memcpy(big + n - 12, "= 0.5      ", 11);
    k.n = 0;
    cr_assert_geq(mset_extract(s, &st, big, n, 0, collect, &k), 1);
    cr_assert_eq(find(&k, "eval_loss")->value, 0.5);
    free(big);
    mset_free(s);
}

Test(metrics_lines, empty_and_null_lines)
{
    struct mset *s = set_of(true, MDEF_JOB, "a", "a=(\\d+)", NULL);
    struct mextract_state st;

    mextract_state_init(&st, NULL);
    cr_assert_eq(mset_extract(s, &st, "", 0, 0, collect, NULL), 0);
    cr_assert_eq(mset_extract(s, &st, NULL, 0, 0, collect, NULL), 0);
    cr_assert_eq(mset_extract(s, &st, "\r\n\r\n#015", 8, 0, collect, NULL), 0);
    cr_assert_eq(mset_extract(s, &st, NULL, 3, 0, collect, NULL), ERR_INVAL);
    mset_free(s);
}

static int stop_cb(const struct mpoint *p, void *ctx)
{
    (void)p;
    ++*(int *)ctx;
    return 1;
}

Test(metrics_lines, callback_can_stop)
{
    struct mset *s = set_of(false, MDEF_JOB, "a", "a=(\\d+)", "b", "b=(\\d+)", NULL);
    struct mextract_state st;
    int calls = 0;

    mextract_state_init(&st, NULL);
    cr_assert_eq(mset_extract(s, &st, "a=1 b=2", 7, 0, stop_cb, &calls), ERR_CANCELLED);
    cr_assert_eq(calls, 1);
    mset_free(s);
}

Test(metrics_lines, group_not_taking_part_and_no_group)
{
    struct mset *s = set_of(false, MDEF_JOB, "a", "a=(x)?\\d", "whole", "[0-9]+\\.[0-9]+", NULL);
    struct mextract_state st;
    struct sink k = { 0 };

    mextract_state_init(&st, NULL);
    cr_assert_eq(feed(s, &st, &k, "a=5 t 1.25"), 2);
    cr_assert(find(&k, "a")->flags & MPOINT_UNPARSED);
    cr_assert_eq(find(&k, "whole")->value, 1.25, "no group: the whole match");
    mset_free(s);
}

/* ------------------------------------------------------------------------------------------- */

Test(metrics_errors, invalid_regex_named_with_offset_others_work)
{
    struct mdef_list l;
    struct mset *s;
    struct err e = { 0 };
    struct mextract_state st;
    struct sink k = { 0 };
    char msg[400];
    const struct mdef_error *x;

    mdef_list_init(&l);
    cr_assert_eq(mdef_list_add(&l, "bad", "loss=([0-9.]+", MDEF_JOB, &e), 0);
    cr_assert_eq(mdef_list_add(&l, "good", "acc=([0-9.]+)", MDEF_JOB, &e), 0);
    cr_assert_eq(mdef_list_parse_config(&l, "metric worse a[b\n", 17, NULL, &e), 0);
    s = mset_new(&l, &e);
    cr_assert_not_null(s);
    cr_assert_eq(mset_error_count(s), 2);
    x = mset_error(s, 0);
    cr_assert_str_eq(x->name, "bad");
    cr_assert_eq(x->source, MDEF_JOB);
    cr_assert_eq(x->offset, 13);
    cr_assert_eq(x->def_index, 0);
    mdef_error_format(x, msg, sizeof(msg));
    cr_assert_str_eq(msg, "definition 'bad' (job): missing closing parenthesis at offset 13");
    x = mset_error(s, 1);
    cr_assert_str_eq(x->name, "worse");
    cr_assert_eq(x->offset, 3);
    mdef_error_format(x, msg, sizeof(msg));
    cr_assert(strstr(msg, "(config line 1)") != NULL, "%s", msg);
    cr_assert(strstr(msg, "missing terminating ] for character class") != NULL, "%s", msg);
    cr_assert_null(mset_error(s, 2));
    mextract_state_init(&st, NULL);
    cr_assert_eq(feed(s, &st, &k, "loss=1 acc=0.5"), 1);
    cr_assert_str_eq(k.p[0].name, "good");
    mdef_list_clean(&l);
    mset_free(s);
}

Test(metrics_precedence, job_then_cli_then_config_then_preset)
{
    struct mdef_list l;
    struct mset *s;
    struct err e = { 0 };
    struct mextract_state st;
    struct sink k = { 0 };
    const char *cfg = "metric eval_loss 'eval_loss': ([0-9.]+)\nmetric extra 'eval_loss': (.)\n";

    mdef_list_init(&l);
    cr_assert_eq(mdef_list_parse_config(&l, cfg, strlen(cfg), "job-a", &e), 0, "%s", e.msg);
    cr_assert_eq(mdef_list_add_cli(&l, "eval_loss='eval_loss': ([0-9])", &e), 0);
    cr_assert_eq(mdef_list_add(&l, "eval_loss", "eval_loss': (0\\.[0-9]{2})", MDEF_JOB, &e), 0);
    s = mset_new(&l, &e);
    mextract_state_init(&st, NULL);
    feed(s, &st, &k, "{'eval_loss': 0.3512, 'eval_accuracy': 0.91, 'epoch': 1.0}");
    cr_assert_eq(count_name(&k, "eval_loss"), 1, "one point per name per line");
    cr_assert_eq(find(&k, "eval_loss")->source, MDEF_JOB);
    cr_assert_eq(find(&k, "eval_loss")->value, 0.3512, "the job's own regex, repaired");
    cr_assert_eq(find(&k, "eval_loss")->sm, 0.35, "SageMaker's value kept");
    cr_assert(find(&k, "eval_loss")->flags & MPOINT_REPAIRED_NUMBER);
    cr_assert_eq(find(&k, "eval_accuracy")->source, MDEF_PRESET);
    cr_assert_eq(find(&k, "extra")->source, MDEF_USER);

    /* the job's definition does not match: the CLI one wins over the config */
    k.n = 0;
    feed(s, &st, &k, "{'eval_loss': 7.5, 'epoch': 2.0}");
    cr_assert_eq(find(&k, "eval_loss")->source, MDEF_CLI);
    cr_assert_eq(count_name(&k, "eval_loss"), 1);
    mdef_list_clean(&l);
    mset_free(s);
}

Test(metrics_precedence, unparsed_definition_loses_to_a_value)
{
    struct mset *s = set_of(true, MDEF_JOB, "eval_loss", "'eval_loss': (\\w+)x", "eval_f1",
                            "'eval_f1': (\\D*)", NULL);
    struct mextract_state st;
    struct sink k = { 0 };

    mextract_state_init(&st, NULL);
    feed(s, &st, &k, "{'eval_loss': 0.5, 'eval_f1': 0.8, 'epoch': 1.0}");
    cr_assert_eq(count_name(&k, "eval_f1"), 1);
    cr_assert_eq(find(&k, "eval_f1")->value, 0.8, "the preset's value beats an empty capture");
    cr_assert_eq(find(&k, "eval_f1")->source, MDEF_PRESET);
    mset_free(s);
}

/* ------------------------------------------------------------------------------------------- */
/* The Hugging Face preset over several transformers versions */

/* transformers 4.6 - 4.20 (SageMaker DLCs 2021-2022) */
static const char *log_v4_17 =
    "***** Running training *****\n"
    "  Num examples = 25000\n"
    "  Num Epochs = 2\n"
    "  Total optimization steps = 1564\n"
    "  0%|          | 0/1564 [00:00<?, ?it/s]\n"
    "{'loss': 0.3453, 'learning_rate': 4.6803069053708444e-05, 'epoch': 0.13}\n"
    "{'loss': 0.2641, 'learning_rate': 4.360613810741688e-05, 'epoch': 0.26}\n"
    "***** Running Evaluation *****\n"
    "  Num examples = 10000\n"
    "  Batch size = 64\n"
    "{'eval_loss': 0.2398, 'eval_accuracy': 0.9126, 'eval_f1': 0.9127, 'eval_runtime': 41.1952, "
    "'eval_samples_per_second': 242.746, 'eval_steps_per_second': 3.811, 'epoch': 1.0}\n"
    "{'train_runtime': 874.1914, 'train_samples_per_second': 57.197, "
    "'train_steps_per_second': 1.789, 'train_loss': 0.2411, 'epoch': 2.0}\n"
    "***** train metrics *****\n"
    "  epoch                    =        2.0\n"
    "  train_loss               =     0.2411\n"
    "  train_runtime            = 0:14:34.19\n"
    "  train_samples            =      25000\n"
    "  total_flos               =  6183207GF\n"
    "***** eval metrics *****\n"
    "  epoch                   =        2.0\n"
    "  eval_accuracy           =     0.9126\n"
    "  eval_loss               =    -0.0364\n"
    "2022-06-26 18:50:01,123 sagemaker-training-toolkit INFO     Reporting training SUCCESS\n";

Test(metrics_preset, transformers_4_17_dicts_and_blocks)
{
    struct mset *s = set_of(true, MDEF_JOB, NULL);
    struct mextract_state st;
    struct sink k = { 0 };
    const struct got *g;

    mextract_state_init(&st, "algo-1");
    feed_text(s, &st, &k, log_v4_17);
    cr_assert_null(find(&k, "Num examples"), "Running blocks are no metrics");
    cr_assert_null(find(&k, "Num Epochs"));
    cr_assert_null(find(&k, "epoch"), "epoch is context, not a point");
    cr_assert_eq(count_name(&k, "loss"), 2);
    g = find(&k, "loss");
    cr_assert_eq(g->value, 0.3453);
    cr_assert_eq(g->step, 1);
    cr_assert_float_eq(g->epoch, 0.13, 1e-12);
    cr_assert(g->flags & MPOINT_STEP_COUNTED);
    cr_assert(g->flags & MPOINT_PRESET);
    cr_assert_eq(g->source, MDEF_PRESET);
    g = find(&k, "learning_rate");
    cr_assert_eq(g->value, 4.6803069053708444e-05, "full precision, exponent kept");
    g = find(&k, "eval_accuracy");
    cr_assert_eq(g->value, 0.9126);
    cr_assert_eq(g->step, 2, "eval takes the step in force");
    cr_assert_float_eq(g->epoch, 1.0, 0);
    cr_assert_eq(count_name(&k, "train_runtime"), 2, "dict and block");
    cr_assert_eq(k.p[k.n - 1].value, -0.0364);
    /* the block's train_runtime: duration with its block epoch */
    {
        size_t i;
        const struct got *blk = NULL;
        for (i = 0; i < k.n; i++)
            if (strcmp(k.p[i].name, "train_runtime") == 0 && (k.p[i].flags & MPOINT_EVAL_BLOCK))
                blk = &k.p[i];
        cr_assert_not_null(blk);
        cr_assert_float_eq(blk->value, 874.19, 1e-9);
        cr_assert(blk->flags & MPOINT_DURATION);
        cr_assert_float_eq(blk->epoch, 2.0, 0);
    }
    g = find(&k, "total_flos");
    cr_assert_eq(g->value, 6183207.0 * 1073741824.0);
    cr_assert(g->flags & MPOINT_UNIT);
    cr_assert_null(find(&k, "Reporting training SUCCESS"));
    mset_free(s);
}

/* transformers 4.38+: grad_norm; some versions print tensors, numpy 2 prints np.float64(...) */
Test(metrics_preset, newer_shapes_grad_norm_tensor_numpy)
{
    struct mset *s = set_of(true, MDEF_JOB, NULL);
    struct mextract_state st;
    struct sink k = { 0 };

    mextract_state_init(&st, NULL);
    feed(s, &st, &k, "{'loss': 0.6931, 'grad_norm': 2.345, 'learning_rate': 4.8e-05, "
                     "'epoch': 0.16}");
    feed(s, &st, &k, "{'loss': 0.61, 'grad_norm': tensor(1.2345, device='cuda:0'), "
                     "'learning_rate': 4.6e-05, 'epoch': 0.32}");
    feed(s, &st, &k, "{'eval_loss': 0.5, 'eval_model_preparation_time': 0.0021, "
                     "'eval_accuracy': np.float64(0.875), 'epoch': np.float64(1.0)}");
    feed(s, &st, &k, "{'loss': '0.4400', 'grad_norm': None, 'epoch': 1.1}");
    cr_assert_eq(count_name(&k, "grad_norm"), 2);
    cr_assert_eq(k.p[4].value, 1.2345, "tensor(...) unwrapped");
    cr_assert_eq(find(&k, "eval_accuracy")->value, 0.875);
    cr_assert_eq(find(&k, "eval_accuracy")->epoch, 1.0);
    cr_assert_eq(find(&k, "eval_accuracy")->step, 2);
    cr_assert_eq(k.p[k.n - 1].value, 0.44, "quoted numbers");
    cr_assert_eq(k.p[k.n - 1].step, 3);
    mset_free(s);
}

/* transformers 3.x / early 4.x example scripts: logger lines with prefixes, "Eval results" */
Test(metrics_preset, old_example_scripts_eval_results)
{
    struct mset *s = set_of(true, MDEF_JOB, NULL);
    struct mextract_state st;
    struct sink k = { 0 };
    const char *log =
        "01/02/2021 10:00:00 - INFO - __main__ -   ***** Eval results sst-2 *****\n"
        "01/02/2021 10:00:00 - INFO - __main__ -     eval_loss = 0.35\n"
        "01/02/2021 10:00:00 - INFO - __main__ -     eval_acc = 0.9105504587155964\n"
        "01/02/2021 10:00:00 - INFO - __main__ -     epoch = 3.0\n"
        "01/02/2021 10:00:01 - INFO - __main__ -   Saving model\n"
        "  eval_ignored = 9\n";

    mextract_state_init(&st, NULL);
    feed_text(s, &st, &k, log);
    cr_assert_eq(k.n, 2);
    cr_assert_eq(find(&k, "eval_loss")->value, 0.35);
    cr_assert_eq(find(&k, "eval_acc")->value, 0.9105504587155964);
    cr_assert_eq(st.block, 0, "a non key=value line ends the block");
    cr_assert_eq(st.epoch, 3.0);
    mset_free(s);
}

Test(metrics_preset, rank_prefix_and_non_trainer_dicts)
{
    struct mset *s = set_of(true, MDEF_JOB, NULL);
    struct mextract_state st;
    struct sink k = { 0 };

    mextract_state_init(&st, NULL);
    feed(s, &st, &k, "[1,mpirank:0,algo-1]<stdout>:{'loss': 0.5, 'epoch': 0.5}");
    cr_assert_eq(k.n, 1);
    feed(s, &st, &k, "Training Env: {'hosts': ['algo-1'], 'num_gpus': 1}");
    feed(s, &st, &k, "SM_HPS={\"epochs\":3,\"train_batch_size\":32}");
    feed(s, &st, &k, "{'loss': 0.5, 'epoch': 0.5} trailing text");
    feed(s, &st, &k, "{'nested': {'a': 1}}");
    cr_assert_eq(k.n, 1, "only the Trainer line");
    mset_free(s);
}

Test(metrics_preset, off_keeps_context_for_definitions)
{
    struct mset *s = set_of(false, MDEF_JOB, "eval_loss", "eval_loss.*=\\D*(.*?)$", NULL);
    struct mextract_state st;
    struct sink k = { 0 };

    mextract_state_init(&st, NULL);
    feed_text(s, &st, &k, log_v4_17);
    cr_assert_eq(k.n, 1, "only the definition's points");
    cr_assert_eq(k.p[0].value, -0.0364);
    cr_assert(k.p[0].flags & MPOINT_REPAIRED_SIGN);
    cr_assert_eq(k.p[0].epoch, 2.0);
    cr_assert_eq(k.p[0].step, 2);
    cr_assert(k.p[0].flags & MPOINT_EVAL_BLOCK);
    mset_free(s);
}

Test(metrics_preset, notebook_definitions_on_real_shapes)
{
    /* the 06_sagemaker_metrics notebook list, as SageMaker would apply it */
    struct mset *s = set_of(false, MDEF_JOB, "loss", "'loss': ([0-9]+(.|e\\-)[0-9]+),?",
                            "learning_rate", "'learning_rate': ([0-9]+(.|e\\-)[0-9]+),?",
                            "eval_loss", "'eval_loss': ([0-9]+(.|e\\-)[0-9]+),?",
                            "eval_accuracy", "'eval_accuracy': ([0-9]+(.|e\\-)[0-9]+),?",
                            "epoch", "'epoch': ([0-9]+(.|e\\-)[0-9]+),?", NULL);
    struct mextract_state st;
    struct sink k = { 0 };

    mextract_state_init(&st, NULL);
    feed_text(s, &st, &k, log_v4_17);
    cr_assert_eq(count_name(&k, "loss"), 2, "'loss' does not match 'train_loss'");
    cr_assert_eq(count_name(&k, "eval_loss"), 1, "block lines have no quotes");
    cr_assert_eq(count_name(&k, "epoch"), 4);
    cr_assert_eq(find(&k, "learning_rate")->sm, 4.6803069053708444);
    cr_assert_eq(find(&k, "learning_rate")->value, 4.6803069053708444e-05);
    mset_free(s);
}

/* ------------------------------------------------------------------------------------------- */

Test(metrics_instances, stream_names_and_points_keep_instance)
{
    char out[MINSTANCE_MAX];
    const char *s1 = "hf-job-2022-06-26-18-32-18-724/algo-2-1656268442";
    struct mset *s = set_of(true, MDEF_JOB, NULL);
    struct mextract_state a, b;
    struct sink k = { 0 };

    cr_assert_eq(metrics_instance_from_stream(s1, strlen(s1), out, sizeof(out)), 0);
    cr_assert_str_eq(out, "algo-2");
    cr_assert_eq(metrics_instance_from_stream("algo-1", 6, out, sizeof(out)), 0);
    cr_assert_str_eq(out, "algo-1");
    cr_assert_eq(metrics_instance_from_stream("job/", 4, out, sizeof(out)), ERR_INVAL);
    cr_assert_eq(metrics_instance_from_stream(s1, strlen(s1), out, 4), ERR_TOOBIG);

    mextract_state_init(&a, "algo-1");
    mextract_state_init(&b, "algo-2");
    feed(s, &a, &k, "{'loss': 0.5, 'epoch': 0.5}");
    feed(s, &b, &k, "{'loss': 0.5, 'epoch': 0.5}");
    feed(s, &a, &k, "{'loss': 0.4, 'epoch': 1.0}");
    cr_assert_eq(k.n, 3);
    cr_assert_str_eq(k.p[0].instance, "algo-1");
    cr_assert_str_eq(k.p[1].instance, "algo-2");
    cr_assert_eq(k.p[1].step, 1, "each stream counts its own steps");
    cr_assert_eq(k.p[2].step, 2);
    mset_free(s);
}

/* The fast conversions must agree with strtod bit for bit. */
Test(metrics_values, conversion_matches_strtod)
{
    char buf[64];
    unsigned seed = 12345;
    int i;

    for (i = 0; i < 200000; i++) {
        double want, got = 0;
        unsigned long long m;
        int digits, ex;
        unsigned f = 0;

        seed = seed * 1103515245u + 12345u;
        digits = 1 + (int)(seed >> 8) % 19;
        m = 0;
        for (int d = 0; d < digits; d++) {
            seed = seed * 1103515245u + 12345u;
            m = m * 10 + (seed >> 16) % 10;
        }
        seed = seed * 1103515245u + 12345u;
        ex = (int)((seed >> 8) % 61) - 30;
        snprintf(buf, sizeof(buf), "%llue%d", m, ex);
        if (i % 3 == 1)
            snprintf(buf, sizeof(buf), "0.%0*llu", digits, m);
        else if (i % 3 == 2)
            snprintf(buf, sizeof(buf), "%llu.%llue-%d", m % 10, m, -ex > 0 ? -ex : ex);
        want = strtod(buf, NULL);
        cr_assert_eq(metrics_parse_value(buf, strlen(buf), &got, &f), 0, "%s", buf);
        cr_assert(got == want, "%s: %.17g != %.17g", buf, got, want);
    }
}

/* found by tests/fuzz/fuzz_extract.c: a dict key holding NUL bytes gave an empty name */
Test(metrics_fuzz, dict_key_with_nul_or_control_bytes_is_no_metric)
{
    struct mset *s = set_of(true, MDEF_JOB, NULL);
    struct mextract_state st;
    struct sink k = { 0 };
    const char line[] = "{'\0\0x': 1.5, '': 2, 'a\tb': 3, 'ok': 4}";

    mextract_state_init(&st, NULL);
    cr_assert_eq(mset_extract(s, &st, line, sizeof(line) - 1, 0, collect, &k), 1);
    cr_assert_str_eq(k.p[0].name, "ok");
    mset_free(s);
}

/* Python's repr() prints learning rates with 16-17 significant digits; those whose mantissa is
 * at most 2^53 take Clinger's fast path, the others the exact 128-bit path. Both must give
 * strtod's correctly rounded double, bit for bit. */
Test(metrics_values, long_mantissas_round_like_strtod)
{
    static const char *fixed[] = {
        "5.000092045454546e-05", "1.9181585677749415e-07", "4.9810606060606065e-05",
        "9007199254740992e-10",  "9007199254740993e-10",   "0.2732496412563737",
        "1.0017050298380237e-06", "4.962121212121213e-05", "1234567890123456789e-21",
    };
    unsigned seed = 12345;
    char buf[64];
    size_t i;
    int k;

    for (i = 0; i < sizeof(fixed) / sizeof(fixed[0]); i++) {
        double v = 0;
        cr_assert_eq(metrics_parse_value(fixed[i], strlen(fixed[i]), &v, NULL), 0);
        cr_assert(v == strtod(fixed[i], NULL), "%s: %.17g != %.17g", fixed[i], v,
                  strtod(fixed[i], NULL));
    }
    for (k = 0; k < 200000; k++) {
        unsigned long long m = 0;
        int digits = 15 + k % 5, j, e;
        double v = 0;

        for (j = 0; j < digits; j++) {
            seed = seed * 1103515245u + 12345u;
            m = m * 10 + (seed >> 16) % 10;
        }
        seed = seed * 1103515245u + 12345u;
        e = (int)((seed >> 16) % 45) - 22;
        snprintf(buf, sizeof(buf), "%llu.%de%d", m / 10, (int)(m % 10), e);
        cr_assert_eq(metrics_parse_value(buf, strlen(buf), &v, NULL), 0, "%s", buf);
        cr_assert(v == strtod(buf, NULL), "%s: %.17g != %.17g", buf, v, strtod(buf, NULL));
    }
}

/* mvalue_scan() measures and converts in one pass for the extractor's hot path: its length must
 * be mvalue_number_len()'s and, whenever it converts, its values those of mvalue_to_double() on
 * the whole number and on the mantissa alone, bit for bit (random strings over the grammar's
 * bytes, plus the edges: long zero runs, 19+ digits, huge exponents, nan/inf, a bare sign). */
Test(metrics_values, one_pass_scan_matches_length_and_conversion)
{
    static const char alphabet[] = "0123456789.eE+-  x9nNiIaf0001";
    static const char *fixed[] = {
        "-", "+.", ".", "1.", "-0.0", "0e999999", "1e1001", "1e-1001", "12345678901234567890",
        "9007199254740993", "-inf", "nan", "2.8732e-05", "2.8732e-", "4.9988636363636366e-05",
    };
    char buf[700];
    unsigned seed = 777;
    size_t i, n;
    int k;

    for (k = 0; k < 300000 + (int)(sizeof(fixed) / sizeof(fixed[0])) + 2; k++) {
        struct mvalue_scan r;
        double v, mv;

        if (k < (int)(sizeof(fixed) / sizeof(fixed[0]))) {
            n = strlen(fixed[k]);
            memcpy(buf, fixed[k], n);
        } else if (k >= 300000 + (int)(sizeof(fixed) / sizeof(fixed[0]))) {
            /* 600 bytes: mvalue_to_double() refuses 512 and more, so must the scan */
            n = 600;
            memset(buf, '0', n);
            buf[1] = '.';
            buf[n - 1] = k % 2 ? '1' : '0';
        } else {
            seed = seed * 1103515245u + 12345u;
            n = (seed >> 16) % 24;
            for (i = 0; i < n; i++) {
                seed = seed * 1103515245u + 12345u;
                buf[i] = alphabet[(seed >> 16) % (sizeof(alphabet) - 1)];
            }
        }
        cr_assert_eq(mvalue_scan(buf, n, &r), mvalue_number_len(buf, n), "%.*s", (int)n, buf);
        if (r.len == 0 || !r.ok)
            continue;
        cr_assert_eq(mvalue_number_len(buf, r.mant_len), r.mant_len, "%.*s", (int)n, buf);
        cr_assert_eq(mvalue_to_double(buf, r.len, &v), 0, "%.*s", (int)n, buf);
        cr_assert_eq(mvalue_to_double(buf, r.mant_len, &mv), 0, "%.*s", (int)n, buf);
        cr_assert(memcmp(&v, &r.value, sizeof(v)) == 0, "%.*s", (int)n, buf);
        cr_assert(memcmp(&mv, &r.mant_value, sizeof(mv)) == 0, "%.*s", (int)n, buf);
    }
}

/* ------------------------------------------------------------------------------------------- */

/* The literal prefilter takes only text every match holds: an escape's argument (\x41, \p{Lu}),
 * a counted repeat ({1,3}) and a POSIX class ([[:alpha:]]) are no text. */
Test(metrics_prefilter, escapes_counts_and_classes_are_no_literal)
{
    struct mset *s = set_of(false, MDEF_JOB, "acc", "[0-9]{1,3}\\.[0-9]{2}", "hex",
                            "\\x41B=(\\d+)", "upper", "\\p{Lu}x=(\\d+)", "alpha",
                            "[[:alpha:]]y=(\\d+)", "ctl", "(?:\\c)qqqq)?z=(\\d+)", NULL);
    struct mextract_state st;
    struct sink k = { 0 };

    mextract_state_init(&st, NULL);
    cr_assert_eq(feed(s, &st, &k, "acc 12.34 AB=5 Qx=7 ay=9 z=3"), 5);
    cr_assert_eq(find(&k, "acc")->value, 12.34);
    cr_assert_eq(find(&k, "hex")->value, 5);
    cr_assert_eq(find(&k, "upper")->value, 7);
    cr_assert_eq(find(&k, "alpha")->value, 9);
    cr_assert_eq(find(&k, "ctl")->value, 3, "the ')' of \\c) is no group's end");
    mset_free(s);
}

/* The notebooks' value pattern, matched from its literal's first occurrence: every case gives
 * what PCRE2 gives from offset 0 for the same regex made unrecognisable by a trailing "(?:)". */
Test(metrics_prefilter, notebook_pattern_from_the_literal_is_pcre2s)
{
    static const char *lines[] = {
        "{'loss': 0.6873, 'epoch': 0.01}", "'loss': 5e-05", "'loss': 5e-x", "'loss': 12,",
        "'loss': 123,", "'loss': 1234", "'loss': 12 'loss': 0.25", "'loss': 7.5",
        "'loss': 3.5220409090909096e-05,", "'loss': 1x2", "'loss': 1\v2 'loss': 3.25",
        "'loss': 1\f2", "'loss': 1\x85" "2", "'loss': 99\x01" "5", "'loss': ", "'loss': .5",
        "'loss': 1e-", "'loss': 1e-5e-6", "x'loss': 42.0e-3",
    };
    struct mset *a = set_of(false, MDEF_JOB, "loss", "'loss': ([0-9]+(.|e\\-)[0-9]+),?", NULL);
    struct mset *b =
        set_of(false, MDEF_JOB, "loss", "'loss': ([0-9]+(.|e\\-)[0-9]+),?(?:)", NULL);
    struct mextract_state sa, sb;
    size_t i;

    mextract_state_init(&sa, NULL);
    mextract_state_init(&sb, NULL);
    for (i = 0; i < sizeof(lines) / sizeof(lines[0]); i++) {
        struct sink ka = { 0 }, kb = { 0 };

        cr_assert_eq(feed(a, &sa, &ka, lines[i]), feed(b, &sb, &kb, lines[i]), "%s", lines[i]);
        if (ka.n == 0)
            continue;
        cr_assert_str_eq(ka.p[0].raw, kb.p[0].raw, "%s", lines[i]);
        cr_assert(memcmp(&ka.p[0].value, &kb.p[0].value, sizeof(double)) == 0, "%s", lines[i]);
        cr_assert_eq(ka.p[0].flags, kb.p[0].flags, "%s", lines[i]);
    }
    mset_free(a);
    mset_free(b);
}

/* Up to 64 definitions run_defs() visits only the ones whose literal is in the segment; past
 * that, every one: both find the same points. */
Test(metrics_prefilter, more_than_64_definitions)
{
    struct mdef_list l;
    struct mset *s;
    struct mextract_state st;
    struct sink k = { 0 };
    char name[16], re[32];
    int i;

    mdef_list_init(&l);
    l.preset_hf = false;
    for (i = 0; i < 70; i++) {
        snprintf(name, sizeof(name), "m%d", i);
        snprintf(re, sizeof(re), "key%d=([0-9.]+)", i);
        cr_assert_eq(mdef_list_add(&l, name, re, MDEF_JOB, NULL), 0);
    }
    s = mset_new(&l, NULL);
    cr_assert_not_null(s);
    mdef_list_clean(&l);
    mextract_state_init(&st, NULL);
    cr_assert_eq(feed(s, &st, &k, "key3=1 key69=2.5 key64=4"), 3);
    cr_assert_eq(find(&k, "m3")->value, 1);
    cr_assert_eq(find(&k, "m64")->value, 4);
    cr_assert_eq(find(&k, "m69")->value, 2.5);
    mset_free(s);
}

/* repr() learning rates with exponents down to -27 convert exactly without strtod(). */
Test(metrics_values, exact_path_to_exponent_27)
{
    static const char *fixed[] = {
        "7.6292159090909075e-06", "1.2345678901234567e-27", "9.999999999999999e+26",
        "12345678901234567890e-27", "18446744073709551615e7", "1e-27", "3.5220409090909096e-05",
    };
    size_t i;

    for (i = 0; i < sizeof(fixed) / sizeof(fixed[0]); i++) {
        struct mvalue_scan r;
        double v = 0;

        cr_assert_eq(mvalue_to_double(fixed[i], strlen(fixed[i]), &v), 0, "%s", fixed[i]);
        cr_assert(v == strtod(fixed[i], NULL), "%s: %.17g != %.17g", fixed[i], v,
                  strtod(fixed[i], NULL));
        cr_assert_eq(mvalue_scan(fixed[i], strlen(fixed[i]), &r), strlen(fixed[i]));
        cr_assert(!r.ok || r.value == v, "%s", fixed[i]);
    }
}

/* Re-extraction keeps the metrics whose definitions did not change: the preset leaves their keys
 * alone, and the context (epoch) is still read from them. */
Test(metrics_preset, skipped_keys_are_not_emitted)
{
    struct mset *s = set_of(true, MDEF_JOB, "grad", "'grad_norm': ([0-9.]+)", NULL);
    struct mextract_state st;
    struct sink k = { 0 };

    cr_assert_eq(mset_preset_skip(s, "loss"), 0);
    cr_assert_eq(mset_preset_skip(s, "learning_rate"), 0);
    mextract_state_init(&st, NULL);
    feed(s, &st, &k, "{'loss': 0.25, 'grad_norm': 1.5, 'learning_rate': 4e-05, 'epoch': 0.5}");
    cr_assert_null(find(&k, "loss"));
    cr_assert_null(find(&k, "learning_rate"));
    cr_assert_not_null(find(&k, "grad"));
    cr_assert_float_eq(find(&k, "grad")->value, 1.5, 1e-12);
    cr_assert_float_eq(find(&k, "grad")->epoch, 0.5, 1e-12);
    cr_assert_not_null(find(&k, "grad_norm"));      /* the preset's own, not skipped */
    mset_free(s);
}
