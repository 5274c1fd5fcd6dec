/* test_series.c: metrics/series.c and metrics/ticks.c: statistics, EMA, downsampling that keeps
 * extremes, the long CSV reader, tick choice and labels. */
#include <criterion/criterion.h>
#include <math.h>
#include <stdint.h>
#include <string.h>

#include "metrics/series.h"
#include "metrics/ticks.h"

static struct series *make(const char *name, const double *xs, const double *ys, size_t n)
{
    struct series *s = series_new(name);
    size_t i;

    cr_assert_not_null(s);
    for (i = 0; i < n; i++)
        cr_assert_eq(series_push(s, xs[i], ys[i], NULL), 0);
    return s;
}

/* ---- series ---------------------------------------------------------------------------- */

Test(series, push_tracks_range_and_first_extremes)
{
    double xs[] = { 0, 1, 2, 3, 4 }, ys[] = { 5, 1, NAN, 1, 9 };
    struct series *s = make("loss", xs, ys, 5);
    struct series_stats st;

    cr_expect_eq(s->len, 5);
    cr_expect_eq(s->n_finite, 4);
    cr_expect_eq(s->y_min, 1);
    cr_expect_eq(s->i_min, 1, "first occurrence of the min");
    cr_expect_eq(s->y_max, 9);
    cr_expect_eq(s->x_min, 0);
    cr_expect_eq(s->x_max, 4);
    cr_expect(s->sorted);
    cr_assert(series_stats(s, &st));
    cr_expect_eq(st.last, 9);
    cr_expect_eq(st.last_x, 4);
    cr_expect_eq(st.min_x, 1);
    series_free(s);
}

Test(series, push_rejects_non_finite_x)
{
    struct series *s = series_new("x");
    struct err e = { 0 };

    cr_expect_eq(series_push(s, NAN, 1, &e), ERR_INVAL);
    cr_expect_eq(e.code, ERR_INVAL);
    cr_expect(strstr(e.msg, "finite") != NULL, "%s", e.msg);
    err_clear(&e);
    cr_expect_eq(e.code, 0);
    cr_expect_eq(s->len, 0);
    series_free(s);
    series_free(NULL);
}

Test(series, stats_on_empty_or_all_nan_is_false)
{
    double xs[] = { 0, 1 }, ys[] = { NAN, INFINITY };
    struct series *s = make("x", xs, ys, 2);
    struct series_stats st = { .count = 77 };
    struct series_point p = { 7, 7 };

    cr_expect_not(series_stats(s, &st));
    cr_expect_eq(st.count, 77, "untouched on failure");
    cr_expect_not(series_best(s, SERIES_DIR_DOWN, &p));
    cr_expect_eq(p.x, 7);
    cr_expect_eq(series_nearest(s, 0), SIZE_MAX);
    series_free(s);
}

Test(series, sort_is_stable_and_rebuilds_stats)
{
    double xs[] = { 3, 1, 2, 1 }, ys[] = { 30, 10, 20, 11 };
    struct series *s = make("x", xs, ys, 4);

    cr_expect_not(s->sorted);
    cr_assert_eq(series_sort(s, NULL), 0);
    cr_expect(s->sorted);
    cr_expect_eq(s->pts[0].y, 10);
    cr_expect_eq(s->pts[1].y, 11, "equal x keep push order");
    cr_expect_eq(s->pts[2].y, 20);
    cr_expect_eq(s->pts[3].y, 30);
    cr_expect_eq(s->i_max, 3);
    series_free(s);
}

Test(series, best_by_direction)
{
    double xs[] = { 10, 20, 30, 40 }, ys[] = { 0.9, 0.4, 0.7, 0.4 };
    struct series *s = make("eval_loss", xs, ys, 4);
    struct series_point p;

    cr_assert(series_best(s, SERIES_DIR_DOWN, &p));
    cr_expect_eq(p.x, 20, "earliest step of the best");
    cr_expect_eq(p.y, 0.4);
    cr_assert(series_best(s, SERIES_DIR_UP, &p));
    cr_expect_eq(p.x, 10);
    series_free(s);
}

Test(series, direction_guess)
{
    cr_expect_eq(series_dir_guess("eval_loss"), SERIES_DIR_DOWN);
    cr_expect_eq(series_dir_guess("train:Loss"), SERIES_DIR_DOWN);
    cr_expect_eq(series_dir_guess("validation:error"), SERIES_DIR_DOWN);
    cr_expect_eq(series_dir_guess("eval_accuracy"), SERIES_DIR_UP);
    cr_expect_eq(series_dir_guess("eval_f1"), SERIES_DIR_UP);
    cr_expect_eq(series_dir_guess("validation:auc"), SERIES_DIR_UP);
    cr_expect_eq(series_dir_guess("weird"), SERIES_DIR_DOWN);
    cr_expect_eq(series_dir_guess(NULL), SERIES_DIR_DOWN);
}

Test(series, nearest_picks_closest_finite_point)
{
    double xs[] = { 0, 10, 20, 30 }, ys[] = { 1, 2, NAN, 4 };
    struct series *s = make("x", xs, ys, 4);

    cr_expect_eq(series_nearest(s, -5), 0);
    cr_expect_eq(series_nearest(s, 4), 0);
    cr_expect_eq(series_nearest(s, 5), 0, "tie goes to the earlier point");
    cr_expect_eq(series_nearest(s, 6), 1);
    cr_expect_eq(series_nearest(s, 21), 3, "NaN at 20 is skipped: 30 is nearer than 10");
    cr_expect_eq(series_nearest(s, 99), 3);
    series_free(s);
}

Test(series, ema_debiased_like_tensorboard)
{
    double xs[] = { 0, 1, 2, 3 }, ys[] = { 1, 0, NAN, 1 };
    struct series *s = make("x", xs, ys, 4);
    struct series *d = series_new("smooth");
    struct err e;

    cr_assert_eq(series_ema(s, 0.5, d, NULL), 0);
    cr_assert_eq(d->len, 4);
    cr_expect_float_eq(d->pts[0].y, 1.0, 1e-12, "the first value is not pulled to zero");
    /* acc = 0.25; debias 1 - 0.25 = 0.75 */
    cr_expect_float_eq(d->pts[1].y, 0.25 / 0.75, 1e-12);
    cr_expect(isnan(d->pts[2].y));
    /* acc = 0.125 + 0.5 = 0.625; debias 1 - 0.125 */
    cr_expect_float_eq(d->pts[3].y, 0.625 / 0.875, 1e-12);
    cr_expect_str_eq(d->name, "smooth");
    cr_assert_eq(series_ema(s, 0, d, NULL), 0);
    cr_expect_eq(d->pts[1].y, 0, "weight 0 copies");
    cr_expect_eq(series_ema(s, 1.0, d, &e), ERR_INVAL);
    series_free(s);
    series_free(d);
}

Test(series, m4_keeps_first_min_max_last_per_bucket)
{
    double xs[] = { 0, 1, 2, 3, 4, 5, 6, 7 }, ys[] = { 5, 1, 9, 4, 3, 3, 8, 2 };
    struct series *s = make("x", xs, ys, 8);
    struct series_point out[16];
    size_t n = series_downsample_m4(s->pts, s->len, 0, 8, 2, out, 16);

    /* bucket [0,4): first 5, min 1, max 9, last 4 -> all four; bucket [4,8]: 3, 2(min) 8(max) */
    cr_assert_eq(n, 7);
    cr_expect_eq(out[0].y, 5);
    cr_expect_eq(out[1].y, 1);
    cr_expect_eq(out[2].y, 9);
    cr_expect_eq(out[3].y, 4);
    cr_expect_eq(out[4].y, 3);
    cr_expect_eq(out[5].y, 8);
    cr_expect_eq(out[6].y, 2);
    cr_expect_eq(series_downsample_m4(s->pts, s->len, 0, 8, 2, out, 3), 3, "out_cap holds");
    series_free(s);
}

Test(series, m4_single_spike_in_a_million_survives)
{
    size_t n = 1000000, i, m, spike = 654321, dip = 123457;
    struct series *s = series_new("loss");
    struct series_point *out = malloc(4 * 400 * sizeof(*out));
    bool saw_spike = false, saw_dip = false;

    cr_assert_eq(series_reserve(s, n, NULL), 0);
    for (i = 0; i < n; i++) {
        double y = 1.0 + 0.01 * sin((double)i / 1000);

        if (i == spike)
            y = 100;
        if (i == dip)
            y = -50;
        cr_assert_eq(series_push(s, (double)i, y, NULL), 0);
    }
    m = series_downsample_m4(s->pts, s->len, s->x_min, s->x_max, 400, out, 4 * 400);
    cr_expect_leq(m, 1600);
    cr_expect_geq(m, 800);
    for (i = 0; i < m; i++) {
        saw_spike |= out[i].y == 100 && out[i].x == (double)spike;
        saw_dip |= out[i].y == -50 && out[i].x == (double)dip;
        if (i > 0)
            cr_assert_lt(out[i - 1].x, out[i].x, "x order kept");
    }
    cr_expect(saw_spike);
    cr_expect(saw_dip);
    cr_expect_eq(out[0].x, 0);
    cr_expect_eq(out[m - 1].x, (double)(n - 1));
    free(out);
    series_free(s);
}

Test(series, lttb_keeps_ends_and_spike)
{
    size_t n = 1000000, i, m, spike = 500001;
    struct series_point *pts = malloc(n * sizeof(*pts));
    struct series_point out[300];
    bool saw = false;

    for (i = 0; i < n; i++) {
        pts[i].x = (double)i;
        pts[i].y = i == spike ? 42.0 : 0.001 * (double)(i % 7);
    }
    m = series_downsample_lttb(pts, n, 300, out);
    cr_assert_eq(m, 300);
    cr_expect_eq(out[0].x, 0);
    cr_expect_eq(out[299].x, (double)(n - 1));
    for (i = 0; i < m; i++)
        saw |= out[i].y == 42.0;
    cr_expect(saw, "the spike is the largest triangle of its bucket");
    cr_expect_eq(series_downsample_lttb(pts, 10, 300, out), 10, "fewer points than asked: copy");
    cr_expect_eq(out[9].x, 9);
    free(pts);
}

Test(series, sample_x_by_kind)
{
    struct series_sample smp = { 1000, 42, 1.5, 0.3 };

    cr_expect_eq(series_sample_x(&smp, SERIES_X_STEP, 0), 42);
    cr_expect_eq(series_sample_x(&smp, SERIES_X_EPOCH, 0), 1.5);
    cr_expect_eq(series_sample_x(&smp, SERIES_X_WALL, 0), 1000);
    cr_expect_eq(series_sample_x(&smp, SERIES_X_ELAPSED, 400), 600);
}

Test(series, parse_time_iso8601)
{
    double t = 0;
    const char *s = "2024-03-01T12:00:30.5Z";

    cr_assert_eq(series_parse_time(s, strlen(s), &t), 0);
    cr_expect_float_eq(t, 1709294430.5, 1e-6);
    s = "2024-03-01 14:00:30+02:00";
    cr_assert_eq(series_parse_time(s, strlen(s), &t), 0);
    cr_expect_float_eq(t, 1709294430, 1e-6);
    s = "1970-01-01T00:00:00Z";
    cr_assert_eq(series_parse_time(s, strlen(s), &t), 0);
    cr_expect_eq(t, 0);
    s = "2024-13-01T00:00:00Z";
    cr_expect_eq(series_parse_time(s, strlen(s), &t), ERR_PARSE);
    cr_expect_eq(series_parse_time("2024-03-01", 10, &t), ERR_PARSE);
    s = "2024-03-01T12:00:30Zjunk";
    cr_expect_eq(series_parse_time(s, strlen(s), &t), ERR_PARSE);
}

static const char csv[] =
    "job,metric,timestamp,step,epoch,value\n"
    "run-b,loss,2024-03-01T12:00:10Z,20,1,0.5\n"
    "run-a,loss,2024-03-01T12:00:00Z,0,0,2.0\n"
    "run-a,acc,2024-03-01T12:00:00Z,0,0,0.1\n"
    "\"run-a\",loss,2024-03-01T12:00:05Z,10,0.5,1.0\n"
    "run-b,loss,2024-03-01T12:00:00Z,10,0.5,\"0.75\"\n"
    "run-a,loss,2024-03-01T12:00:20Z,,1,0.8\n";

Test(series, csv_groups_by_job_and_sorts)
{
    struct series_set set;
    struct series *a, *b;

    series_set_init(&set);
    cr_assert_eq(series_csv_parse(csv, sizeof(csv) - 1, "loss", SERIES_X_STEP, &set, NULL), 0);
    cr_assert_eq(set.len, 2);
    b = series_set_find(&set, "run-b");
    a = series_set_find(&set, "run-a");
    cr_assert_not_null(a);
    cr_assert_not_null(b);
    cr_expect_eq(a->len, 2, "the row without a step is skipped");
    cr_expect_eq(a->pts[0].y, 2.0);
    cr_expect_eq(a->pts[1].x, 10);
    cr_expect_eq(b->pts[0].x, 10, "sorted by step");
    cr_expect_eq(b->pts[0].y, 0.75);
    series_set_clean(&set);
}

Test(series, csv_elapsed_and_all_metrics)
{
    struct series_set set;
    struct series *a;

    series_set_init(&set);
    cr_assert_eq(series_csv_parse(csv, sizeof(csv) - 1, "loss", SERIES_X_ELAPSED, &set, NULL), 0);
    a = series_set_find(&set, "run-a");
    cr_assert_not_null(a);
    cr_assert_eq(a->len, 3);
    cr_expect_eq(a->pts[0].x, 0);
    cr_expect_eq(a->pts[1].x, 5);
    cr_expect_eq(a->pts[2].x, 20);
    series_set_clean(&set);

    series_set_init(&set);
    cr_assert_eq(series_csv_parse(csv, sizeof(csv) - 1, NULL, SERIES_X_EPOCH, &set, NULL), 0);
    cr_expect_not_null(series_set_find(&set, "run-a/acc"));
    cr_expect_not_null(series_set_find(&set, "run-b/loss"));
    series_set_clean(&set);
}

Test(series, csv_errors_leave_the_set_alone)
{
    struct series_set set;
    struct err e = { 0 };
    const char bad[] = "job,metric,step,value\nrun-a,loss,1,0.5\nrun-a,loss,2,zebra\n";
    const char nohdr[] = "a,b,c\n1,2,3\n";
    const char quote[] = "job,metric,step,value\nrun-a,\"loss,1,0.5\n";

    series_set_init(&set);
    cr_expect_eq(series_csv_parse(bad, sizeof(bad) - 1, "loss", SERIES_X_STEP, &set, &e),
                 ERR_PARSE);
    cr_expect(strstr(e.msg, "line 3") != NULL, "%s", e.msg);
    cr_expect_eq(set.len, 0);
    cr_expect_eq(series_csv_parse(nohdr, sizeof(nohdr) - 1, "loss", SERIES_X_STEP, &set, &e),
                 ERR_PARSE);
    cr_expect_eq(series_csv_parse(quote, sizeof(quote) - 1, "loss", SERIES_X_STEP, &set, &e),
                 ERR_PARSE);
    cr_expect_eq(series_csv_parse(csv, sizeof(csv) - 1, "nope", SERIES_X_STEP, &set, &e),
                 ERR_NOTFOUND);
    cr_expect(strstr(e.msg, "nope") != NULL, "%s", e.msg);
    cr_expect_eq(series_csv_parse(bad, 10, "loss", SERIES_X_STEP, &set, &e), ERR_PARSE,
                 "a truncated header is not read past len");
    cr_expect_eq(set.len, 0);
    series_set_clean(&set);
}

/* ---- ticks ----------------------------------------------------------------------------- */

Test(ticks, nice_step_is_1_2_5)
{
    cr_expect_float_eq(ticks_nice_step(10, 5), 2, 1e-12);
    cr_expect_float_eq(ticks_nice_step(10, 10), 1, 1e-12);
    cr_expect_float_eq(ticks_nice_step(1, 4), 0.5, 1e-12);
    cr_expect_float_eq(ticks_nice_step(0.003, 3), 0.001, 1e-15);
    cr_expect_float_eq(ticks_nice_step(7000, 5), 2000, 1e-9);
    cr_expect_float_eq(ticks_nice_step(30, 5), 10, 1e-9);
}

Test(ticks, linear_loose_widens_to_round_ends)
{
    struct ticks t;

    cr_assert_eq(ticks_linear(0.13, 2.31, 5, true, &t), 0);
    cr_expect_float_eq(t.step, 0.5, 1e-12);
    cr_expect_float_eq(t.lo, 0, 1e-12);
    cr_expect_float_eq(t.hi, 2.5, 1e-12);
    cr_assert_eq(t.n, 6);
    cr_expect_float_eq(t.v[3], 1.5, 1e-12);
    /* 1..11 by 5 would need 3 intervals: the step grows instead */
    cr_assert_eq(ticks_linear(1, 11, 2, true, &t), 0);
    cr_expect_float_eq(t.step, 10, 1e-12);
    cr_expect_eq(t.n, 3);
}

Test(ticks, linear_tight_stays_inside_and_no_float_noise)
{
    struct ticks t;

    cr_assert_eq(ticks_linear(-0.3, 0.7, 10, false, &t), 0);
    cr_expect_float_eq(t.step, 0.1, 1e-12);
    cr_expect_eq(t.lo, -0.3);
    cr_expect_eq(t.v[3], 0.0, "exactly zero, not 5.5e-17");
    cr_expect_eq(t.n, 11);
    cr_expect_leq(t.v[t.n - 1], 0.7 + 1e-12);
}

Test(ticks, linear_flat_range_and_bad_input)
{
    struct ticks t = { .n = 99 };

    cr_assert_eq(ticks_linear(5, 5, 4, true, &t), 0);
    cr_expect_lt(t.lo, 5);
    cr_expect_gt(t.hi, 5);
    t.n = 99;
    cr_expect_eq(ticks_linear(2, 1, 4, true, &t), ERR_INVAL);
    cr_expect_eq(ticks_linear(NAN, 1, 4, true, &t), ERR_INVAL);
    cr_expect_eq(t.n, 99);
}

Test(ticks, log10_decades_and_subdivisions)
{
    struct ticks t;

    cr_assert_eq(ticks_log10(0.02, 3, 12, &t), 0);
    cr_expect_float_eq(t.lo, 0.01, 1e-15);
    cr_expect_float_eq(t.hi, 10, 1e-12);
    cr_assert_eq(t.n, 10, "1 2 5 in three decades plus 10");
    cr_expect_float_eq(t.v[1], 0.02, 1e-15);
    cr_expect_float_eq(t.v[2], 0.05, 1e-15);
    cr_assert_eq(ticks_log10(1e-5, 1e3, 4, &t), 0);
    cr_expect_float_eq(t.step, 100, 1e-9, "8 decades in 4 ticks: every second decade");
    cr_expect_float_eq(t.v[1], 1e-4, 1e-18);
    cr_expect_eq(ticks_log10(0, 1, 4, &t), ERR_INVAL);
}

Test(ticks, time_steps_are_clock_friendly)
{
    struct ticks t;

    cr_assert_eq(ticks_time(0, 3500, 5, false, &t), 0);
    cr_expect_eq(t.step, 900, "15 minutes");
    cr_assert_eq(ticks_time(0, 7 * 3600, 5, true, &t), 0);
    cr_expect_eq(t.step, 7200);
    cr_expect_eq(t.hi, 8 * 3600);
    cr_assert_eq(ticks_time(100, 190, 4, false, &t), 0);
    cr_expect_eq(t.step, 30);
    cr_expect_eq(t.v[0], 120);
}

Test(ticks, format_numbers)
{
    char b[32];

    ticks_format_number(1200, 200, b, sizeof(b));
    cr_expect_str_eq(b, "1.2k");
    ticks_format_number(2000, 1000, b, sizeof(b));
    cr_expect_str_eq(b, "2k");
    ticks_format_number(3e6, 1e6, b, sizeof(b));
    cr_expect_str_eq(b, "3M");
    ticks_format_number(3e-05, 1e-05, b, sizeof(b));
    cr_expect_str_eq(b, "3e-05");
    ticks_format_number(0.25, 0.05, b, sizeof(b));
    cr_expect_str_eq(b, "0.25");
    ticks_format_number(1.5, 0.5, b, sizeof(b));
    cr_expect_str_eq(b, "1.5");
    ticks_format_number(2, 0.5, b, sizeof(b));
    cr_expect_str_eq(b, "2.0");
    ticks_format_number(-20, 10, b, sizeof(b));
    cr_expect_str_eq(b, "-20");
    ticks_format_number(1e-17, 0.1, b, sizeof(b));
    cr_expect_str_eq(b, "0");
    cr_expect_eq(ticks_format_number(123456, 1, b, 4), 3, "truncated to cap");
}

Test(ticks, format_values_and_durations)
{
    char b[32];

    ticks_format_value(0.213456, 4, b, sizeof(b));
    cr_expect_str_eq(b, "0.2135");
    ticks_format_value(123456, 4, b, sizeof(b));
    cr_expect_str_eq(b, "123.5k");
    ticks_format_value(3.21e-5, 3, b, sizeof(b));
    cr_expect_str_eq(b, "3.21e-05");
    ticks_format_value(NAN, 3, b, sizeof(b));
    cr_expect_str_eq(b, "nan");
    ticks_format_duration(0, 60, b, sizeof(b));
    cr_expect_str_eq(b, "0");
    ticks_format_duration(45, 15, b, sizeof(b));
    cr_expect_str_eq(b, "45s");
    ticks_format_duration(90, 30, b, sizeof(b));
    cr_expect_str_eq(b, "1m30s");
    ticks_format_duration(5400, 1800, b, sizeof(b));
    cr_expect_str_eq(b, "1h30m");
    ticks_format_duration(7200, 3600, b, sizeof(b));
    cr_expect_str_eq(b, "2h");
    ticks_format_duration(3630, 30, b, sizeof(b));
    cr_expect_str_eq(b, "1h0m30s");
    ticks_format_duration(129600, 43200, b, sizeof(b));
    cr_expect_str_eq(b, "1d12h");
    ticks_format_duration(0.5, 0.5, b, sizeof(b));
    cr_expect_str_eq(b, "0.5s");
    ticks_format_wall(1709294430, 30, b, sizeof(b));
    cr_expect_str_eq(b, "12:00:30");
    ticks_format_wall(1709294430, 900, b, sizeof(b));
    cr_expect_str_eq(b, "12:00");
    ticks_format_wall(1709294430, 86400, b, sizeof(b));
    cr_expect_str_eq(b, "03-01");
}

Test(series, ema_keeps_a_constant_series_exact)
{
    struct series *s = series_new("flat"), *d = series_new("d");
    size_t i;

    for (i = 0; i < 4; i++)
        cr_assert_eq(series_push(s, (double)i, 772.639, NULL), 0);
    cr_assert_eq(series_ema(s, 0.6, d, NULL), 0);
    cr_assert_eq(d->len, 4);
    for (i = 0; i < 4; i++)
        cr_expect_eq(d->pts[i].y, 772.639, "point %zu: %.17g", i, d->pts[i].y);
    cr_expect_eq(d->y_min, d->y_max);
    series_free(s);
    series_free(d);
}
