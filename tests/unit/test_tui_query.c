/* test_tui_query.c: the filter language the lists share (tui/query.c) over the tuning list's
 * fields and the job list's: terms split and classified (a name regex, `!regex`, a field
 * comparison, a negated comparison), the name terms as one pattern and its match (every
 * term must hold, smart case), the text and number comparisons, `:sort`'s arguments, and the
 * errors. Pure: no cache, no terminal. */
#include <criterion/criterion.h>
#include <string.h>

#include "tui/query.h"

/* the tuning list's fields (view_tuning_list.c) */
static const struct query_field tuning[] = {
    { "status", false },    { "strategy", false }, { "objective", false },
    { "best", false },      { "completed", false }, { "running", false },
    { "failed", false },    { "stopped", false },   { "max", false },
    { NULL, false },
};
/* the job list's (view_jobs_query.c) */
static const struct query_field jobs[] = {
    { "status", false }, { "hp.", true }, { "m.", true }, { "sys.", true }, { NULL, false },
};

static struct query parse_ok(const char *text, const struct query_field *f)
{
    struct query q;
    struct err e = { 0 };

    cr_assert_eq(query_parse(text, f, &q, &e), 0, "%s: %s", text, e.msg);
    return q;
}

Test(query, tuning_terms_are_classified)
{
    struct query q = parse_ok("bayes !warm status=Completed strategy:Bayesian best<0.3", tuning);

    cr_assert_eq(q.n, 5);
    cr_assert_not(q.terms[0].is_field);
    cr_assert_not(q.terms[0].neg);
    cr_assert_str_eq(q.terms[0].text, "bayes");
    cr_assert_not(q.terms[1].is_field);
    cr_assert(q.terms[1].neg, "!warm: the name must not match");
    cr_assert_str_eq(q.terms[1].text, "warm");
    cr_assert(q.terms[2].is_field);
    cr_assert_eq(q.terms[2].field, &tuning[0]);
    cr_assert_str_eq(q.terms[2].name, "status");
    cr_assert_eq(q.terms[2].op, QUERY_EQ);
    cr_assert_str_eq(q.terms[2].value, "Completed");
    cr_assert_eq(q.terms[3].field, &tuning[1], "strategy:X is strategy=X");
    cr_assert_eq(q.terms[3].op, QUERY_EQ);
    cr_assert_str_eq(q.terms[3].value, "Bayesian");
    cr_assert_eq(q.terms[4].field, &tuning[3]);
    cr_assert_eq(q.terms[4].op, QUERY_LT);
    cr_assert_str_eq(q.terms[4].value, "0.3");
}

Test(query, every_operator_and_the_longest_first)
{
    static const struct { const char *t; enum query_op op; const char *v; } cases[] = {
        { "completed=3", QUERY_EQ, "3" },  { "completed==3", QUERY_EQ, "3" },
        { "completed:3", QUERY_EQ, "3" },  { "completed!=3", QUERY_NE, "3" },
        { "completed<3", QUERY_LT, "3" },  { "completed<=3", QUERY_LE, "3" },
        { "completed>3", QUERY_GT, "3" },  { "completed>=3", QUERY_GE, "3" },
    };
    size_t i;

    for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        struct query q = parse_ok(cases[i].t, tuning);

        cr_assert(q.terms[0].is_field, "%s", cases[i].t);
        cr_assert_eq(q.terms[0].op, cases[i].op, "%s", cases[i].t);
        cr_assert_str_eq(q.terms[0].value, cases[i].v, "%s", cases[i].t);
        cr_assert_str_eq(q.terms[0].name, "completed");
    }
}

Test(query, a_negated_comparison_inverts_its_operator)
{
    struct query q = parse_ok("!status=Failed !best<0.3 !completed>=10 !max!=20", tuning);

    cr_assert_eq(q.terms[0].op, QUERY_NE);
    cr_assert_eq(q.terms[1].op, QUERY_GE);
    cr_assert_eq(q.terms[2].op, QUERY_LT);
    cr_assert_eq(q.terms[3].op, QUERY_EQ);
    cr_assert_not(q.terms[0].neg, "the negation is in the operator, not a name inversion");
}

Test(query, what_is_not_a_field_is_a_name_regex)
{
    /* a field needs its operator right after it; an unknown field is a regex; so is "!" */
    struct query q = parse_ok("status statusx=1 bogus<3 ! a=b", tuning);
    size_t i;

    cr_assert_eq(q.n, 5);
    for (i = 0; i < q.n; i++)
        cr_assert_not(q.terms[i].is_field, "term %zu", i);
    cr_assert_str_eq(q.terms[2].text, "bogus<3");
    cr_assert_not(q.terms[3].neg, "a lone ! is the regex \"!\"");
    cr_assert_str_eq(q.terms[3].text, "!");
}

Test(query, prefix_fields_take_any_key)
{
    struct query q = parse_ok("hp.learning_rate:1e-5 m.eval_loss<0.3 sys.gpu>=50", jobs);

    cr_assert_eq(q.n, 3);
    cr_assert_str_eq(q.terms[0].name, "hp.learning_rate");
    cr_assert_eq(q.terms[0].op, QUERY_EQ);
    cr_assert_str_eq(q.terms[0].value, "1e-5");
    cr_assert_str_eq(q.terms[1].name, "m.eval_loss");
    cr_assert_eq(q.terms[1].op, QUERY_LT);
    cr_assert_str_eq(q.terms[2].name, "sys.gpu");
    cr_assert_eq(q.terms[2].op, QUERY_GE);
}

Test(query, errors_say_which_term)
{
    struct query q = { .n = 7 };
    struct err e = { 0 };

    cr_assert_eq(query_parse("imdb hp.lr", jobs, &q, &e), ERR_INVAL);
    cr_assert(strstr(e.msg, "'hp.lr'") && strstr(e.msg, "no operator"), "%s", e.msg);
    cr_assert_eq(q.n, 7, "q is written only on success");
    cr_assert_eq(query_parse("hp.=3", jobs, &q, &e), ERR_INVAL);
    cr_assert(strstr(e.msg, "missing key"), "%s", e.msg);
    cr_assert_eq(query_parse("a b c d e f g h i j k l m n o p q", tuning, &q, &e), ERR_INVAL);
    cr_assert(strstr(e.msg, "at most 16"), "%s", e.msg);
}

Test(query, the_name_terms_as_one_pattern)
{
    char re[256];
    bool inv = true;
    struct err e = { 0 };
    struct query q = parse_ok("status=Completed", tuning);

    cr_assert_eq(query_name_pattern(&q, re, sizeof(re), &inv, &e), 0);
    cr_assert_str_eq(re, "", "no name term: no pattern");
    cr_assert_not(inv);
    q = parse_ok("!warm best<1", tuning);
    cr_assert_eq(query_name_pattern(&q, re, sizeof(re), &inv, &e), 0);
    cr_assert_str_eq(re, "warm");
    cr_assert(inv, "one negated term: the pattern inverted");
    q = parse_ok("distil imdb !lr status=Failed", tuning);
    cr_assert_eq(query_name_pattern(&q, re, sizeof(re), &inv, &e), 0);
    cr_assert_str_eq(re, "^(?=.*(?:distil))(?=.*(?:imdb))(?!.*(?:lr))");
    cr_assert_not(inv);
    cr_assert_eq(query_name_pattern(&q, re, 20, &inv, &e), ERR_INVAL, "too long for re");
}

static bool names_match(const char *filter, const char *name)
{
    struct query_names *m = NULL;
    struct err e = { 0 };
    struct query q = parse_ok(filter, tuning);
    bool hit;

    cr_assert_eq(query_names_new(&q, &m, &e), 0, "%s: %s", filter, e.msg);
    hit = query_names_match(m, name);
    query_names_free(m);
    return hit;
}

Test(query, every_name_term_must_hold)
{
    cr_assert(names_match("hpo bayes", "hpo-distilbert-imdb-bayes"));
    cr_assert_not(names_match("hpo emotion", "hpo-distilbert-imdb-bayes"),
                  "the second term fails: no match (not only the last term counts)");
    cr_assert_not(names_match("hpo !bayes", "hpo-distilbert-imdb-bayes"));
    cr_assert(names_match("hpo !bayes", "hpo-distilbert-imdb-warm"));
    cr_assert(names_match("!bayes", "hpo-emotion-random-live"));
    cr_assert(names_match("status=Failed", "anything"), "no name term: every name");
    cr_assert(names_match("BAYES|imdb", "x-imdb"), "a regex");
    cr_assert(names_match("bayes", "HPO-BAYES"), "lower case: case-insensitive");
    cr_assert_not(names_match("Bayes", "hpo-bayes"), "a capital: case-sensitive");
    cr_assert(names_match("\\d+", "run-12"), "an escape is not a capital");
}

Test(query, a_bad_regex_is_refused)
{
    struct query_names *m = NULL;
    struct err e = { 0 };
    struct query q = parse_ok("(unclosed", tuning);

    cr_assert_eq(query_names_new(&q, &m, &e), ERR_INVAL);
    cr_assert_null(m);
    cr_assert(strstr(e.msg, "bad regex '(unclosed'"), "%s", e.msg);
    query_names_free(NULL);
}

Test(query, text_comparisons_ignore_case_and_take_lists)
{
    struct query q = parse_ok("status:InProgress,Stopping !strategy=bayesian objective<x", tuning);

    cr_assert(query_holds_text(&q.terms[0], "Stopping"));
    cr_assert(query_holds_text(&q.terms[0], "inprogress"));
    cr_assert_not(query_holds_text(&q.terms[0], "Completed"));
    cr_assert_not(query_holds_text(&q.terms[0], "InProg"), "a whole item, not a prefix");
    cr_assert_not(query_holds_text(&q.terms[1], "Bayesian"), "!strategy=bayesian");
    cr_assert(query_holds_text(&q.terms[1], "Random"));
    cr_assert_not(query_holds_text(&q.terms[2], "a"), "texts have no order");
}

Test(query, number_comparisons)
{
    struct query q = parse_ok("best<0.3 best>=1e-2 completed!=24 max=20 best<abc", tuning);
    double d = 0;

    cr_assert(query_holds_number(&q.terms[0], 0.29));
    cr_assert_not(query_holds_number(&q.terms[0], 0.3));
    cr_assert(query_holds_number(&q.terms[1], 0.01));
    cr_assert_not(query_holds_number(&q.terms[1], 0.009));
    cr_assert(query_holds_number(&q.terms[2], 23));
    cr_assert_not(query_holds_number(&q.terms[2], 24));
    cr_assert(query_holds_number(&q.terms[3], 20));
    cr_assert_not(query_holds_number(&q.terms[4], 0), "not a number: never holds");
    cr_assert(query_number(" 1.5e3 ", &d));
    cr_assert_float_eq(d, 1500.0, 1e-9);
    cr_assert_not(query_number("1.5x", &d));
    cr_assert_not(query_number("", &d));
    cr_assert_not(query_number("inf", &d));
}

Test(query, sort_arguments)
{
    char s[] = "sort", b[] = "best", d[] = "desc", as[] = "asc", dn[] = "down", x[] = "x";
    char *ok1[] = { s, b }, *ok2[] = { s, b, d }, *ok3[] = { s, b, as }, *bad1[] = { s },
         *bad2[] = { s, b, dn }, *bad3[] = { s, b, d, x };
    struct err e = { 0 };
    bool desc = true;

    cr_assert_eq(query_sort_args(2, ok1, &desc, &e), 0);
    cr_assert_not(desc);
    cr_assert_eq(query_sort_args(3, ok2, &desc, &e), 0);
    cr_assert(desc);
    cr_assert_eq(query_sort_args(3, ok3, &desc, &e), 0);
    cr_assert_not(desc);
    cr_assert_eq(query_sort_args(1, bad1, &desc, &e), ERR_INVAL);
    cr_assert_str_eq(e.msg, "usage: :sort COLUMN [desc|asc]");
    cr_assert_eq(query_sort_args(3, bad2, &desc, &e), ERR_INVAL);
    cr_assert_eq(query_sort_args(4, bad3, &desc, &e), ERR_INVAL);
}
