/* names.c: training job names as the SDK makes them: name_from_base() (a base trimmed to fit
 * plus sagemaker_timestamp()), base_name_from_image(), and a re-launch's new name (the source's
 * name without its SDK timestamp, plus a new one).
 *
 * Owns: the name format. Must not: read the clock (the time is an input), do I/O or print. */
#include <ctype.h>
#include <math.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "launch/estimator_internal.h"

void estimator_base_from_image(const char *image, char *out, size_t size)
{
    /* ^(.+/)?([^:/]+)(:[^:]+)?$ -> group 2 */
    const char *slash = strrchr(image, '/');
    const char *start = slash ? slash + 1 : image;
    const char *colon = strchr(start, ':');
    size_t n = colon ? (size_t)(colon - start) : strlen(start);

    snprintf(out, size, "%.*s", (int)n, start);
}

/* sagemaker_timestamp(): "%Y-%m-%d-%H-%M-%S-" + the first three decimals of repr(time). */
static void sdk_timestamp(double now, char *out, size_t size)
{
    char rep[64], ms[4] = "0";
    time_t t = (time_t)floor(now);
    struct tm tm;
    const char *dot;

    estimator_py_float(now, rep, sizeof(rep));
    dot = strchr(rep, '.');
    if (dot != NULL)
        snprintf(ms, sizeof(ms), "%.3s", dot + 1);
    gmtime_r(&t, &tm);
    snprintf(out, size, "%04d-%02d-%02d-%02d-%02d-%02d-%s", tm.tm_year + 1900, tm.tm_mon + 1,
             tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec, ms);
}

void estimator_default_name(const char *base, double now, char *out, size_t size)
{
    char ts[48];
    size_t keep;

    sdk_timestamp(now, ts, sizeof(ts));
    keep = strlen(ts) + 1 < 63 ? 63 - strlen(ts) - 1 : 0;
    snprintf(out, size, "%.*s-%s", (int)(strlen(base) < keep ? strlen(base) : keep), base, ts);
}

/* True when s ends with "-YYYY-MM-DD-HH-MM-SS-mmm" (1 to 3 digits of ms); n is its length. */
static bool ends_with_timestamp(const char *s, size_t *n)
{
    static const char shape[] = "-dddd-dd-dd-dd-dd-dd-";
    size_t len = strlen(s), ms = 0;

    while (ms < 3 && ms < len && isdigit((unsigned char)s[len - 1 - ms]))
        ms++;
    if (ms == 0 || len < ms + sizeof(shape) - 1)
        return false;
    const char *p = s + len - ms - (sizeof(shape) - 1);

    for (size_t i = 0; i < sizeof(shape) - 1; i++)
        if (shape[i] == 'd' ? !isdigit((unsigned char)p[i]) : p[i] != '-')
            return false;
    *n = ms + sizeof(shape) - 1;
    return true;
}

void estimator_relaunch_name(const char *source, double now, char *out, size_t size)
{
    char base[64];
    size_t cut;

    snprintf(base, sizeof(base), "%s", source);
    if (ends_with_timestamp(base, &cut))
        base[strlen(base) - cut] = '\0';
    estimator_default_name(base, now, out, size);
}

