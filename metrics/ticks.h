/* ticks.h: round axis tick values and short labels for charts.
 *
 * Linear axes step by 1, 2 or 5 × 10^k; log axes by decades (with 2 and 5 in between when there
 * is room); time axes by clock-friendly steps (1 s ... 30 s, 1 min ... 30 min, 1 h ... 12 h, days).
 * Labels are short: 1.2k, 0.25, 3e-05, 1h30m, 14:05. Pure computation: no I/O, no allocation,
 * thread-safe. Functions that can fail return 0 or ERR_INVAL and leave *out untouched.
 */
#ifndef SAGETOP_TICKS_H
#define SAGETOP_TICKS_H

#include <stdbool.h>
#include <stddef.h>

#define TICKS_MAX 32

struct ticks {
    double lo, hi;        /* the axis range: the data range, or widened to round ends (loose) */
    double step;          /* linear and time axes; for log axes the ratio between ticks */
    int n;                /* ticks, ascending, all within [lo, hi] */
    double v[TICKS_MAX];
};

/* The smallest 1/2/5 × 10^k step that splits span into at most max_ticks intervals. */
double ticks_nice_step(double span, int max_ticks);
/* Ticks for [lo, hi] with at most max_ticks + 1 ticks. loose widens the range to round ends;
 * otherwise ticks fall inside the data range. An empty range (lo == hi) is widened around it.
 * ERR_INVAL for non-finite bounds, lo > hi or max_ticks < 1. */
int ticks_linear(double lo, double hi, int max_ticks, bool loose, struct ticks *out);
/* Log-scale ticks for 0 < lo <= hi: the range widens to whole decades; decades are thinned to fit
 * max_ticks and 2 and 5 are added within a decade when there is room. */
int ticks_log10(double lo, double hi, int max_ticks, struct ticks *out);
/* Ticks for a span of seconds (durations or Unix time) on clock-friendly steps; spans under a
 * second fall back to ticks_linear. */
int ticks_time(double lo_s, double hi_s, int max_ticks, bool loose, struct ticks *out);

/* Formats a tick value with as many decimals as the step needs: 1.2k, 15M, 0.25, 3e-05, -2.
 * Writes a NUL-terminated string of at most cap - 1 bytes; returns its length. */
size_t ticks_format_number(double v, double step, char *buf, size_t cap);
/* A value for a readout with `sig` significant digits: 0.2134, 1.235k, 3.21e-05. */
size_t ticks_format_value(double v, int sig, char *buf, size_t cap);
/* A duration: 0, 45s, 1m30s, 2h, 1h30m, 3d, 1d12h; 0.5s under a one-second step. */
size_t ticks_format_duration(double s, double step, char *buf, size_t cap);
/* A wall-clock tick in UTC: HH:MM:SS under a minute step, HH:MM under a day, else MM-DD. */
size_t ticks_format_wall(double unix_s, double step, char *buf, size_t cap);

#endif
