/* test_metrics_report.c: summaries and the table / CSV / JSON of `sagetop metrics`. */
#include <criterion/criterion.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "metrics/report.h"

struct buf {
    char s[8192];
    size_t n;
};

static int to_buf(void *ctx, const char *s, size_t n)
{
    struct buf *b = ctx;

    cr_assert_lt(b->n + n, sizeof(b->s));
    memcpy(b->s + b->n, s, n);
    b->n += n;
    b->s[b->n] = '\0';
    return 0;
}

static struct mpoint pt(const char *name, double v, int64_t ts, int64_t step, double epoch,
                        unsigned flags)
{
    struct mpoint p;

    memset(&p, 0, sizeof(p));
    p.name = name;
    p.value = v;
    p.ts_ms = ts;
    p.step = step;
    p.epoch = epoch;
    p.flags = flags;
    p.instance = "algo-1";
    return p;
}

Test(metrics_report, summary_table)
{
    struct mreport r;
    struct buf b = { .n = 0 };
    struct mpoint p;

    mreport_init(&r, false);
    p = pt("loss", 0.5, 1000, 1, 0.1, 0);
    cr_assert_eq(mreport_add(&r, "job-a", &p, NULL), 0);
    p = pt("loss", 0.25, 2000, 2, 0.2, MPOINT_REPAIRED_NUMBER);
    mreport_add(&r, "job-a", &p, NULL);
    p = pt("loss", 0.75, 3000, 3, 0.3, 0);
    mreport_add(&r, "job-a", &p, NULL);
    p = pt("train_runtime", NAN, 3000, 3, 0.3, MPOINT_UNPARSED);
    mreport_add(&r, "job-a", &p, NULL);
    cr_assert_eq(r.n, 2);
    cr_assert_eq(r.rows[0].count, 3);
    cr_assert_eq(r.rows[0].last, 0.75);
    cr_assert_eq(r.rows[0].min, 0.25);
    cr_assert_eq(r.rows[0].max, 0.75);
    cr_assert_eq(r.rows[0].repaired, 1);
    cr_assert_eq(r.rows[1].count, 0);
    cr_assert_eq(r.rows[1].unparsed, 1);
    cr_assert_eq(mreport_write_table(&r, false, to_buf, &b), 0);
    cr_assert_str_eq(b.s,
                     "JOB    METRIC                 LAST          MIN          MAX    COUNT "
                     "UNPARSED\n"
                     "job-a  loss                   0.75         0.25         0.75        3 "
                     "       0\n"
                     "job-a  train_runtime             -            -            -        0 "
                     "       1\n");
    mreport_clean(&r);
}

Test(metrics_report, csv_long_form)
{
    struct buf b = { .n = 0 };
    struct mpoint p = pt("eval_loss", 0.3453, 1656268442123LL, 500, 1.0, 0);

    cr_assert_eq(mreport_csv_header(to_buf, &b), 0);
    cr_assert_eq(mreport_csv_point("job-a", &p, to_buf, &b), 0);
    p = pt("lr", 2.8732394366197188e-05, 0, -1, NAN, 0);
    mreport_csv_point("job,b", &p, to_buf, &b);
    p = pt("x", NAN, 0, -1, NAN, MPOINT_UNPARSED);
    mreport_csv_point("job-a", &p, to_buf, &b);
    cr_assert_str_eq(b.s, "job,metric,timestamp,step,epoch,value\n"
                          "job-a,eval_loss,2022-06-26T18:34:02.123Z,500,1,0.3453\n"
                          "\"job,b\",lr,1970-01-01T00:00:00.000Z,,,2.8732394366197188e-05\n");
}

Test(metrics_report, json_with_points_and_nulls)
{
    struct mreport r;
    struct buf b = { .n = 0 };
    struct mpoint p;

    mreport_init(&r, true);
    p = pt("loss", 0.5, 1000, 1, 0.1, 0);
    mreport_add(&r, "a", &p, NULL);
    p = pt("acc", NAN, 2000, -1, NAN, 0);
    mreport_add(&r, "b\"q", &p, NULL);
    cr_assert_eq(mreport_write_json(&r, to_buf, &b), 0);
    cr_assert_str_eq(b.s,
                     "{\"jobs\":[{\"job\":\"a\",\"metrics\":[{\"name\":\"loss\",\"instance\":"
                     "\"algo-1\",\"last\":0.5,\"min\":0.5,\"max\":0.5,\"count\":1,\"unparsed\":0,"
                     "\"repaired\":0,\"points\":[{\"ts_ms\":1000,\"step\":1,\"epoch\":0.1,"
                     "\"value\":0.5}]}]},{\"job\":\"b\\\"q\",\"metrics\":[{\"name\":\"acc\","
                     "\"instance\":\"algo-1\",\"last\":null,\"min\":null,\"max\":null,\"count\":1,"
                     "\"unparsed\":0,\"repaired\":0,\"points\":[{\"ts_ms\":2000,\"step\":null,"
                     "\"epoch\":null,\"value\":null}]}]}]}\n");
    mreport_clean(&r);
    mreport_clean(NULL);
}
