/* ticks.c: round tick values and short labels for chart axes.
 *
 * Owns nothing: every function works on its arguments and returns. Must not print, allocate or
 * read the environment (wall-clock labels are UTC so output never depends on TZ). Tick values
 * are computed as integer multiples of the step, never by repeated addition, so 0.1 + 0.2 noise
 * never reaches a label.
 */
#include <math.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "aws/err.h"
#include "metrics/ticks.h"

double ticks_nice_step(double span, int max_ticks)
{
    double raw, mag, norm;

    if (!(span > 0) || !isfinite(span) || max_ticks < 1)
        return 1;
    raw = span / max_ticks;
    mag = pow(10, floor(log10(raw)));
    norm = raw / mag;
    if (norm <= 1 + 1e-9)
        return mag;
    if (norm <= 2 + 1e-9)
        return 2 * mag;
    if (norm <= 5 + 1e-9)
        return 5 * mag;
    return 10 * mag;
}

static double next_nice(double step)
{
    double mag = pow(10, floor(log10(step) + 1e-9));
    double norm = step / mag;

    if (norm < 1.5)
        return 2 * mag;
    if (norm < 3.5)
        return 5 * mag;
    return 10 * mag;
}

/* Fills ticks k0*step .. k1*step; values within a hair of zero print as 0, not -1e-17. */
static void fill_multiples(struct ticks *t, double k0, double k1, double step)
{
    double k;

    t->n = 0;
    for (k = k0; k <= k1 + 0.5 && t->n < TICKS_MAX; k++) {
        double v = k * step;

        t->v[t->n++] = fabs(v) < step * 1e-9 ? 0 : v;
    }
}

static int ticks_with_steps(double lo, double hi, int max_ticks, bool loose, double step,
                            double (*next)(double), struct ticks *out)
{
    double k0, k1;

    if (max_ticks > TICKS_MAX - 1)
        max_ticks = TICKS_MAX - 1;
    for (;;) {
        k0 = loose ? floor(lo / step + 1e-9) : ceil(lo / step - 1e-9);
        k1 = loose ? ceil(hi / step - 1e-9) : floor(hi / step + 1e-9);
        if (k1 - k0 <= max_ticks)
            break;
        step = next(step);
    }
    out->step = step;
    out->lo = loose ? k0 * step : lo;
    out->hi = loose ? k1 * step : hi;
    if (fabs(out->lo) < step * 1e-9)
        out->lo = 0;
    fill_multiples(out, k0, k1, step);
    return 0;
}

int ticks_linear(double lo, double hi, int max_ticks, bool loose, struct ticks *out)
{
    if (!isfinite(lo) || !isfinite(hi) || lo > hi || max_ticks < 1)
        return ERR_INVAL;
    if (lo == hi) {
        double d = lo == 0 ? 1 : fabs(lo) * 0.1;

        lo -= d;
        hi += d;
    }
    return ticks_with_steps(lo, hi, max_ticks, loose, ticks_nice_step(hi - lo, max_ticks),
                            next_nice, out);
}

int ticks_log10(double lo, double hi, int max_ticks, struct ticks *out)
{
    double d0, d1, k;
    int decades, every, i;

    if (!isfinite(lo) || !isfinite(hi) || !(lo > 0) || lo > hi || max_ticks < 1)
        return ERR_INVAL;
    if (max_ticks > TICKS_MAX - 1)
        max_ticks = TICKS_MAX - 1;
    d0 = floor(log10(lo) + 1e-9);
    d1 = ceil(log10(hi) - 1e-9);
    if (d1 <= d0)
        d1 = d0 + 1;
    decades = (int)(d1 - d0);
    out->n = 0;
    if (decades * 3 <= max_ticks) {
        static const double mult[3] = { 1, 2, 5 };

        for (k = d0; k < d1; k++)
            for (i = 0; i < 3; i++)
                out->v[out->n++] = mult[i] * pow(10, k);
        out->v[out->n++] = pow(10, d1);
        out->step = 10;
    } else {
        every = (decades + max_ticks - 1) / max_ticks;
        d0 = floor(d0 / every) * every;
        d1 = ceil(d1 / every) * every;
        for (k = d0; k <= d1 && out->n < TICKS_MAX; k += every)
            out->v[out->n++] = pow(10, k);
        out->step = pow(10, every);
    }
    out->lo = pow(10, d0);
    out->hi = pow(10, d1);
    return 0;
}

static const double time_steps[] = {
    1, 2, 5, 10, 15, 30,                          /* seconds */
    60, 120, 300, 600, 900, 1800,                 /* minutes */
    3600, 7200, 10800, 21600, 43200,              /* hours */
    86400, 172800, 604800,                        /* days, a week */
};
#define N_TIME_STEPS (sizeof(time_steps) / sizeof(time_steps[0]))

static double next_time_step(double step)
{
    size_t i;

    for (i = 0; i < N_TIME_STEPS; i++)
        if (time_steps[i] > step + 1e-9)
            return time_steps[i];
    /* past a week: 1/2/5 weeks and so on */
    return next_nice(step / 604800) * 604800;
}

int ticks_time(double lo_s, double hi_s, int max_ticks, bool loose, struct ticks *out)
{
    double step;

    if (!isfinite(lo_s) || !isfinite(hi_s) || lo_s > hi_s || max_ticks < 1)
        return ERR_INVAL;
    if (hi_s - lo_s < max_ticks)
        return ticks_linear(lo_s, hi_s, max_ticks, loose, out);
    step = (hi_s - lo_s) / max_ticks;
    step = next_time_step(step - 1e-9 * step);
    return ticks_with_steps(lo_s, hi_s, max_ticks, loose, step, next_time_step, out);
}

/* Decimals needed to print multiples of step exactly (at most 6). */
static int decimals_for(double step)
{
    int d;

    step = fabs(step);
    if (!(step > 0) || !isfinite(step))
        return 0;
    for (d = 0; d < 6; d++) {
        double m = step * pow(10, d);

        if (fabs(m - round(m)) < 1e-6 * m)
            return d;
    }
    return 6;
}

static const char suffixes[] = " kMGTPE";

size_t ticks_format_number(double v, double step, char *buf, size_t cap)
{
    double a = fabs(v);
    int n;

    if (cap == 0)
        return 0;
    if (!isfinite(v)) {
        n = snprintf(buf, cap, "%s", isnan(v) ? "nan" : v > 0 ? "inf" : "-inf");
    } else if (a < fabs(step) * 1e-9 || a == 0) {
        n = snprintf(buf, cap, "0");
    } else if (a >= 1000) {
        double scale = 1;
        int k = 0;

        while (a / scale >= 1000 && k < 6) {
            scale *= 1000;
            k++;
        }
        n = snprintf(buf, cap, "%.*f%c", decimals_for(step / scale), v / scale, suffixes[k]);
    } else if (a < 1e-3) {
        int dig = (int)(floor(log10(a)) - floor(log10(fabs(step)) + 1e-9)) + 1;

        if (dig < 1)
            dig = 1;
        if (dig > 6)
            dig = 6;
        n = snprintf(buf, cap, "%.*g", dig, v);
    } else {
        n = snprintf(buf, cap, "%.*f", decimals_for(step), v);
    }
    if (n < 0)
        n = 0;
    return (size_t)n < cap ? (size_t)n : cap - 1;
}

size_t ticks_format_value(double v, int sig, char *buf, size_t cap)
{
    double a = fabs(v);
    int n;

    if (cap == 0)
        return 0;
    if (sig < 1)
        sig = 1;
    if (!isfinite(v)) {
        n = snprintf(buf, cap, "%s", isnan(v) ? "nan" : v > 0 ? "inf" : "-inf");
    } else if (a >= 10000) {
        double scale = 1;
        int k = 0;

        while (a / scale >= 1000 && k < 6) {
            scale *= 1000;
            k++;
        }
        n = snprintf(buf, cap, "%.*g%c", sig, v / scale, suffixes[k]);
    } else {
        n = snprintf(buf, cap, "%.*g", sig, v);
    }
    if (n < 0)
        n = 0;
    return (size_t)n < cap ? (size_t)n : cap - 1;
}

size_t ticks_format_duration(double s, double step, char *buf, size_t cap)
{
    static const struct {
        double secs;
        char unit;
    } units[] = { { 86400, 'd' }, { 3600, 'h' }, { 60, 'm' }, { 1, 's' } };
    size_t len = 0, u;
    double rest;
    bool started = false;
    int n;

    if (cap == 0)
        return 0;
    buf[0] = '\0';
    if (!isfinite(s))
        return ticks_format_number(s, 1, buf, cap);
    if (fabs(s) < 1e-9 || (fabs(step) > 0 && fabs(s) < fabs(step) * 1e-9)) {
        n = snprintf(buf, cap, "0");
        return n > 0 && (size_t)n < cap ? (size_t)n : 0;
    }
    if (fabs(step) < 1) {
        n = snprintf(buf, cap, "%.*fs", decimals_for(step), s);
        return n > 0 && (size_t)n < cap ? (size_t)n : 0;
    }
    if (s < 0) {
        buf[len++] = '-';
        s = -s;
    }
    rest = round(s);
    for (u = 0; u < sizeof(units) / sizeof(units[0]) && len + 1 < cap; u++) {
        double q = floor(rest / units[u].secs);

        rest -= q * units[u].secs;
        if (q == 0 && !started)
            continue;
        /* stop once what remains is below both the step and this unit */
        if (q == 0 && rest == 0)
            break;
        n = snprintf(buf + len, cap - len, "%.0f%c", q, units[u].unit);
        if (n < 0 || (size_t)n >= cap - len)
            break;
        len += (size_t)n;
        started = true;
        if (rest == 0)
            break;
    }
    buf[len] = '\0';
    return len;
}

size_t ticks_format_wall(double unix_s, double step, char *buf, size_t cap)
{
    time_t t;
    struct tm tm;
    size_t n;

    if (cap == 0)
        return 0;
    if (!isfinite(unix_s))
        return ticks_format_number(unix_s, 1, buf, cap);
    t = (time_t)floor(unix_s);
    if (gmtime_r(&t, &tm) == NULL) {
        buf[0] = '\0';
        return 0;
    }
    if (step < 60)
        n = strftime(buf, cap, "%H:%M:%S", &tm);
    else if (step < 86400)
        n = strftime(buf, cap, "%H:%M", &tm);
    else
        n = strftime(buf, cap, "%m-%d", &tm);
    if (n == 0)
        buf[0] = '\0';
    return n;
}
