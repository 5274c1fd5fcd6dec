/* bench_chart.c: time to rasterise a 1,000,000-point chart at 200×50 cells (target: under 5 ms).
 *
 * Renders one series of a million points (a noisy decaying loss with a spike) into a reused
 * raster, braille and ASCII, and prints the median and best of many runs. Also times the text
 * conversion `sagetop plot` adds. Prints one line per figure; exits 1 when the braille median
 * misses the target so `make bench` can flag it. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include "metrics/series.h"
#include "tui/chart.h"

#define POINTS 1000000
#define RUNS 41
#define TARGET_MS 5.0

static double now_ms(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec * 1e3 + (double)ts.tv_nsec / 1e6;
}

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;

    return x < y ? -1 : x > y;
}

static double time_render(struct chart_raster *r, const struct chart_line *l,
                          const struct chart_opts *o, bool text, double *best)
{
    double t[RUNS];
    struct err e;
    int i;

    err_clear(&e);
    for (i = 0; i < RUNS; i++) {
        double t0 = now_ms();
        char *out = NULL;

        if (chart_render(r, l, 1, o, &e) < 0) {
            fprintf(stderr, "bench_chart: %s\n", e.msg);
            exit(1);
        }
        if (text) {
            if (chart_raster_text(r, false, &out, NULL, NULL) < 0)
                exit(1);
            free(out);
        }
        t[i] = now_ms() - t0;
    }
    qsort(t, RUNS, sizeof(t[0]), cmp_double);
    *best = t[0];
    return t[RUNS / 2];
}

int main(void)
{
    struct series *s = series_new("loss");
    struct chart_raster r;
    struct chart_opts o;
    struct chart_line l;
    double med, best;
    unsigned seed = 12345;
    size_t i;
    int rc = 0;

    if (s == NULL || series_reserve(s, POINTS, NULL) < 0)
        return 1;
    for (i = 0; i < POINTS; i++) {
        double noise;

        seed = seed * 1103515245u + 12345u;
        noise = (double)((seed >> 16) & 0x7fff) / 32768.0 - 0.5;
        series_push(s, (double)i, 2.5 * exp(-(double)i / 150000.0) + 0.2 + 0.05 * noise +
                                      (i == 654321 ? 5.0 : 0), NULL);
    }
    l = (struct chart_line){ s, NULL, 0, false, false, false, false };
    chart_raster_init(&r);
    chart_opts_init(&o, 200, 50);
    o.title = "loss";

    o.glyphs = CHART_GLYPHS_BRAILLE;
    med = time_render(&r, &l, &o, false, &best);
    printf("chart: 1,000,000 points at 200x50, braille: %.2f ms median, %.2f ms best "
           "(target < %.0f ms)\n", med, best, TARGET_MS);
    if (med >= TARGET_MS)
        rc = 1;
    med = time_render(&r, &l, &o, true, &best);
    printf("chart: 1,000,000 points at 200x50, braille + text: %.2f ms median, %.2f ms best\n",
           med, best);
    o.glyphs = CHART_GLYPHS_ASCII;
    med = time_render(&r, &l, &o, false, &best);
    printf("chart: 1,000,000 points at 200x50, ascii: %.2f ms median, %.2f ms best\n", med,
           best);
    chart_raster_clean(&r);
    series_free(s);
    return rc;
}
