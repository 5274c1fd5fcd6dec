/* test_metrics_defs.c: definition sources — the list, --metric, the config file, the path. */
#include <criterion/criterion.h>
#include <stdlib.h>
#include <string.h>

#include "metrics/metrics.h"

Test(metrics_defs, cli_argument)
{
    struct mdef_list l;
    struct err e = { 0 };

    mdef_list_init(&l);
    cr_assert(l.preset_hf);
    cr_assert_eq(mdef_list_add_cli(&l, "acc=acc=([0-9.]+)", &e), 0);
    cr_assert_str_eq(l.v[0].name, "acc");
    cr_assert_str_eq(l.v[0].regex, "acc=([0-9.]+)", "the first '=' splits");
    cr_assert_eq(l.v[0].source, MDEF_CLI);
    cr_assert_eq(mdef_list_add_cli(&l, "noequals", &e), ERR_INVAL);
    cr_assert(strstr(e.msg, "NAME=REGEX") != NULL);
    cr_assert_eq(mdef_list_add_cli(&l, "=x", &e), ERR_INVAL);
    cr_assert_eq(mdef_list_add_cli(&l, "x=", &e), ERR_INVAL);
    cr_assert_eq(l.n, 1);
    mdef_list_clean(&l);
    cr_assert_eq(l.n, 0);
    mdef_list_clean(NULL);
}

Test(metrics_defs, limits)
{
    struct mdef_list l;
    struct err e = { 0 };
    char name[300];

    memset(name, 'n', sizeof(name) - 1);
    name[sizeof(name) - 1] = '\0';
    mdef_list_init(&l);
    cr_assert_eq(mdef_list_add(&l, name, "x", MDEF_JOB, &e), ERR_INVAL);
    cr_assert_eq(mdef_list_add(&l, "", "x", MDEF_JOB, &e), ERR_INVAL);
    cr_assert_eq(mdef_list_add(&l, "a", "", MDEF_JOB, &e), ERR_INVAL);
    cr_assert_eq(mdef_list_add(&l, NULL, "x", MDEF_JOB, &e), ERR_INVAL);
    cr_assert_eq(l.n, 0);
    mdef_list_clean(&l);
}

static const char *cfg =
    "# sagetop config\n"
    "[ui]\n"
    "metric ignored-in-ui-section x(\\d)\n"
    "theme = dark\n"
    "[metrics]\n"
    "metric  eval_bleu   eval_bleu = ([0-9.]+)  \r\n"
    "\n"
    "[job bert-*]\n"
    "metric bert_only bert: (\\d+)\n"
    "metric-preset none\n"
    "[job gpt-*]\n"
    "metric gpt_only gpt: (\\d+)\n"
    "[metrics]\n"
    "metric tail tail=(\\S+)\n";

Test(metrics_defs, config_sections_and_globs)
{
    struct mdef_list l;
    struct err e = { 0 };

    mdef_list_init(&l);
    cr_assert_eq(mdef_list_parse_config(&l, cfg, strlen(cfg), "bert-base-2024", &e), 0, "%s",
                 e.msg);
    cr_assert_eq(l.n, 3);
    cr_assert_str_eq(l.v[0].name, "eval_bleu");
    cr_assert_str_eq(l.v[0].regex, "eval_bleu = ([0-9.]+)", "trailing blanks and CR trimmed");
    cr_assert_eq(l.v[0].source, MDEF_USER);
    cr_assert_eq(l.v[0].config_line, 6);
    cr_assert_str_eq(l.v[1].name, "bert_only");
    cr_assert_str_eq(l.v[2].name, "tail");
    cr_assert_not(l.preset_hf);
    mdef_list_clean(&l);

    mdef_list_init(&l);
    cr_assert_eq(mdef_list_parse_config(&l, cfg, strlen(cfg), NULL, &e), 0);
    cr_assert_eq(l.n, 2, "no job: only the global part");
    cr_assert(l.preset_hf);
    mdef_list_clean(&l);
}

Test(metrics_defs, config_errors_name_the_line)
{
    struct mdef_list l;
    struct err e = { 0 };
    const char *bad1 = "metric ok a(\\d)\nmetric lonely\n";
    const char *bad2 = "[job x\n";
    const char *bad3 = "metric-preset maybe\n";

    mdef_list_init(&l);
    cr_assert_eq(mdef_list_parse_config(&l, bad1, strlen(bad1), NULL, &e), ERR_PARSE);
    cr_assert_str_eq(e.msg, "config line 2: expected 'metric NAME REGEX'");
    cr_assert_eq(l.n, 1, "what came before stays");
    cr_assert_eq(mdef_list_parse_config(&l, bad2, strlen(bad2), NULL, &e), ERR_PARSE);
    cr_assert(strstr(e.msg, "line 1") != NULL);
    cr_assert_eq(mdef_list_parse_config(&l, bad3, strlen(bad3), NULL, &e), ERR_PARSE);
    mdef_list_clean(&l);
}

Test(metrics_defs, source_names)
{
    cr_assert_str_eq(mdef_source_name(MDEF_JOB), "job");
    cr_assert_str_eq(mdef_source_name(MDEF_USER), "config");
    cr_assert_str_eq(mdef_source_name(MDEF_PRESET), "preset");
}

/* A sync worker keeps its last compiled set while the definitions are equal: a copy is equal,
 * and any change that mset_new() would compile differently (a regex, a name, the source, the
 * order, the preset) is not. */
Test(metrics_defs, copy_is_equal_and_every_change_is_seen)
{
    struct mdef_list a, b;

    mdef_list_init(&a);
    cr_assert_eq(mdef_list_add(&a, "loss", "loss=([0-9.]+)", MDEF_JOB, NULL), 0);
    cr_assert_eq(mdef_list_add(&a, "acc", "acc=([0-9.]+)", MDEF_USER, NULL), 0);
    cr_assert_eq(mdef_list_copy(&b, &a, NULL), 0);
    cr_assert(mdef_list_equal(&a, &b));
    cr_assert_neq(b.v[0].name, a.v[0].name, "the copy owns its strings");
    b.preset_hf = !b.preset_hf;
    cr_assert_not(mdef_list_equal(&a, &b), "preset");
    b.preset_hf = a.preset_hf;
    b.v[1].source = MDEF_JOB;
    cr_assert_not(mdef_list_equal(&a, &b), "source");
    b.v[1].source = MDEF_USER;
    b.v[1].regex[0] = 'A';
    cr_assert_not(mdef_list_equal(&a, &b), "regex");
    mdef_list_clean(&b);
    mdef_list_init(&b);
    cr_assert_eq(mdef_list_add(&b, "acc", "acc=([0-9.]+)", MDEF_USER, NULL), 0);
    cr_assert_eq(mdef_list_add(&b, "loss", "loss=([0-9.]+)", MDEF_JOB, NULL), 0);
    cr_assert_not(mdef_list_equal(&a, &b), "order");
    mdef_list_clean(&b);
    mdef_list_init(&b);
    cr_assert_not(mdef_list_equal(&a, &b), "count");
    mdef_list_clean(&a);
    mdef_list_clean(&b);
}
