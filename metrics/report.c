/* report.c: per (job, metric, instance) summaries and the table / JSON / CSV text of
 * `sagetop metrics`. Formats through a write callback; no I/O of its own, no curses. */
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "aws/dynbuf.h"
#include "aws/err.h"
#include "metrics/report.h"

void mreport_init(struct mreport *r, bool keep_points)
{
    memset(r, 0, sizeof(*r));
    r->keep_points = keep_points;
}

void mreport_clean(struct mreport *r)
{
    size_t i;

    if (r == NULL)
        return;
    for (i = 0; i < r->n; i++) {
        free(r->rows[i].job);
        free(r->rows[i].name);
        free(r->rows[i].pts);
    }
    free(r->rows);
    mreport_init(r, r->keep_points);
}

static struct mreport_row *row_for(struct mreport *r, const char *job, const struct mpoint *p)
{
    struct mreport_row *w;
    size_t i;

    /* the last row is the likeliest: points of one metric come in runs */
    for (i = r->n; i > 0; i--) {
        w = &r->rows[i - 1];
        if (strcmp(w->name, p->name) == 0 && strcmp(w->job, job) == 0 &&
            strcmp(w->instance, p->instance) == 0)
            return w;
    }
    if (vec_grow((void **)&r->rows, &r->cap, r->n + 1, sizeof(*r->rows)) != 0)
        return NULL;
    w = &r->rows[r->n];
    memset(w, 0, sizeof(*w));
    w->job = strdup(job);
    w->name = strdup(p->name);
    if (w->job == NULL || w->name == NULL) {
        free(w->job);
        free(w->name);
        return NULL;
    }
    snprintf(w->instance, sizeof(w->instance), "%s", p->instance != NULL ? p->instance : "");
    w->last = w->min = w->max = NAN;
    r->n++;
    return w;
}

int mreport_add(struct mreport *r, const char *job, const struct mpoint *p, struct err *e)
{
    struct mreport_row *w = row_for(r, job, p);

    if (w == NULL)
        return err_set(e, ERR_NOMEM, "out of memory summarising metrics");
    if (p->flags & MPOINT_UNPARSED) {
        w->unparsed++;
        return 0;
    }
    w->count++;
    if (p->flags & (MPOINT_REPAIRED_NUMBER | MPOINT_REPAIRED_SIGN))
        w->repaired++;
    w->last = p->value;
    w->last_ts_ms = p->ts_ms;
    if (!isnan(p->value)) {
        if (isnan(w->min) || p->value < w->min)
            w->min = p->value;
        if (isnan(w->max) || p->value > w->max)
            w->max = p->value;
    }
    if (r->keep_points) {
        if (vec_grow((void **)&w->pts, &w->cap, w->npts + 1, sizeof(*w->pts)) != 0)
            return err_set(e, ERR_NOMEM, "out of memory keeping metric points");
        w->pts[w->npts++] = (struct mreport_point){ p->ts_ms, p->step, p->epoch, p->value,
                                                    p->flags };
    }
    return 0;
}

/* ---------------------------------------------------------------------------------------------
 * Text */

struct out {
    mreport_write_fn w;
    void *ctx;
    int failed;
};

static void put(struct out *o, const char *s, size_t n)
{
    if (!o->failed && n > 0 && o->w(o->ctx, s, n) != 0)
        o->failed = 1;
}

static void putf(struct out *o, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void putf(struct out *o, const char *fmt, ...)
{
    char buf[1024];
    va_list ap;
    size_t n;

    va_start(ap, fmt);
    n = fmt_fixed(buf, sizeof(buf), fmt, ap);
    va_end(ap);
    put(o, buf, n);
}

/* %.6g, but "nan"/"inf" spelled the same everywhere and "-" for "no value" */
static void fmt_num(char *buf, size_t size, double v, bool have)
{
    if (!have)
        snprintf(buf, size, "-");
    else if (isnan(v))
        snprintf(buf, size, "nan");
    else if (isinf(v))
        snprintf(buf, size, v < 0 ? "-inf" : "inf");
    else
        snprintf(buf, size, "%.6g", v);
}

int mreport_write_table(const struct mreport *r, bool show_instance, mreport_write_fn w,
                        void *ctx)
{
    struct out o = { w, ctx, 0 };
    size_t i, wj = 3, wm = 6, wi = 8;
    bool inst = false;

    for (i = 0; i < r->n; i++) {
        size_t a = strlen(r->rows[i].job), b = strlen(r->rows[i].name),
               c = strlen(r->rows[i].instance);
        wj = a > wj ? a : wj;
        wm = b > wm ? b : wm;
        wi = c > wi ? c : wi;
        inst |= c > 0;
    }
    inst &= show_instance;
    putf(&o, "%-*s  %-*s  ", (int)wj, "JOB", (int)wm, "METRIC");
    if (inst)
        putf(&o, "%-*s  ", (int)wi, "INSTANCE");
    putf(&o, "%12s %12s %12s %8s %8s\n", "LAST", "MIN", "MAX", "COUNT", "UNPARSED");
    for (i = 0; i < r->n; i++) {
        const struct mreport_row *x = &r->rows[i];
        char l[32], mn[32], mx[32];

        fmt_num(l, sizeof(l), x->last, x->count > 0);
        fmt_num(mn, sizeof(mn), x->min, x->count > 0 && !isnan(x->min));
        fmt_num(mx, sizeof(mx), x->max, x->count > 0 && !isnan(x->max));
        putf(&o, "%-*s  %-*s  ", (int)wj, x->job, (int)wm, x->name);
        if (inst)
            putf(&o, "%-*s  ", (int)wi, x->instance);
        putf(&o, "%12s %12s %12s %8llu %8llu\n", l, mn, mx, (unsigned long long)x->count,
             (unsigned long long)x->unparsed);
    }
    return o.failed ? ERR_IO : 0;
}

static void json_str(struct out *o, const char *s)
{
    const unsigned char *p = (const unsigned char *)s;

    put(o, "\"", 1);
    for (; *p; p++) {
        if (*p == '"' || *p == '\\')
            putf(o, "\\%c", *p);
        else if (*p < 0x20)
            putf(o, "\\u%04x", *p);
        else
            put(o, (const char *)p, 1);
    }
    put(o, "\"", 1);
}

/* The shortest of %.15g/%.16g/%.17g that reads back as v (0.3453, not 0.34529999999999998). */
static void fmt_exact(char *buf, size_t size, double v)
{
    int prec;

    for (prec = 15; prec < 17; prec++) {
        snprintf(buf, size, "%.*g", prec, v);
        if (strtod(buf, NULL) == v)
            return;
    }
    snprintf(buf, size, "%.17g", v);
}

/* JSON has no NaN or infinity: those become null */
static void json_num(struct out *o, double v)
{
    char buf[40];

    if (!isfinite(v)) {
        put(o, "null", 4);
        return;
    }
    fmt_exact(buf, sizeof(buf), v);
    put(o, buf, strlen(buf));
}

int mreport_write_json(const struct mreport *r, mreport_write_fn w, void *ctx)
{
    struct out o = { w, ctx, 0 };
    size_t i, j, k;
    bool first_job = true;

    put(&o, "{\"jobs\":[", 9);
    for (i = 0; i < r->n; i++) {
        bool seen = false, first_m = true;

        for (j = 0; j < i; j++)
            if (strcmp(r->rows[j].job, r->rows[i].job) == 0)
                seen = true;
        if (seen)
            continue;
        if (!first_job)
            put(&o, ",", 1);
        first_job = false;
        put(&o, "{\"job\":", 7);
        json_str(&o, r->rows[i].job);
        put(&o, ",\"metrics\":[", 12);
        for (j = i; j < r->n; j++) {
            const struct mreport_row *x = &r->rows[j];
            if (strcmp(x->job, r->rows[i].job) != 0)
                continue;
            if (!first_m)
                put(&o, ",", 1);
            first_m = false;
            put(&o, "{\"name\":", 8);
            json_str(&o, x->name);
            put(&o, ",\"instance\":", 12);
            json_str(&o, x->instance);
            put(&o, ",\"last\":", 8);
            json_num(&o, x->count ? x->last : NAN);
            put(&o, ",\"min\":", 7);
            json_num(&o, x->min);
            put(&o, ",\"max\":", 7);
            json_num(&o, x->max);
            putf(&o, ",\"count\":%llu,\"unparsed\":%llu,\"repaired\":%llu",
                 (unsigned long long)x->count, (unsigned long long)x->unparsed,
                 (unsigned long long)x->repaired);
            if (r->keep_points) {
                put(&o, ",\"points\":[", 11);
                for (k = 0; k < x->npts; k++) {
                    const struct mreport_point *p = &x->pts[k];
                    putf(&o, "%s{\"ts_ms\":%lld,\"step\":", k ? "," : "", (long long)p->ts_ms);
                    if (p->step >= 0)
                        putf(&o, "%lld", (long long)p->step);
                    else
                        put(&o, "null", 4);
                    put(&o, ",\"epoch\":", 9);
                    json_num(&o, p->epoch);
                    put(&o, ",\"value\":", 9);
                    json_num(&o, p->value);
                    put(&o, "}", 1);
                }
                put(&o, "]", 1);
            }
            put(&o, "}", 1);
        }
        put(&o, "]}", 2);
    }
    put(&o, "]}\n", 3);
    return o.failed ? ERR_IO : 0;
}

int mreport_csv_header(mreport_write_fn w, void *ctx)
{
    struct out o = { w, ctx, 0 };

    put(&o, "job,metric,timestamp,step,epoch,value\n", 38);
    return o.failed ? ERR_IO : 0;
}

static void csv_field(struct out *o, const char *s)
{
    if (strpbrk(s, ",\"\n\r") == NULL) {
        put(o, s, strlen(s));
        return;
    }
    put(o, "\"", 1);
    for (; *s; s++) {
        if (*s == '"')
            put(o, "\"", 1);
        put(o, s, 1);
    }
    put(o, "\"", 1);
}

int mreport_csv_point(const char *job, const struct mpoint *p, mreport_write_fn w, void *ctx)
{
    struct out o = { w, ctx, 0 };
    time_t secs = (time_t)(p->ts_ms >= 0 ? p->ts_ms / 1000 : (p->ts_ms - 999) / 1000);
    int ms = (int)(p->ts_ms - (int64_t)secs * 1000);
    struct tm tm;
    char ts[96], v[40];

    if (p->flags & MPOINT_UNPARSED)
        return 0;
    gmtime_r(&secs, &tm);
    snprintf(ts, sizeof(ts), "%04d-%02d-%02dT%02d:%02d:%02d.%03dZ", tm.tm_year + 1900,
             tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec, ms);
    csv_field(&o, job);
    put(&o, ",", 1);
    csv_field(&o, p->name);
    putf(&o, ",%s,", ts);
    if (p->step >= 0)
        putf(&o, "%lld", (long long)p->step);
    put(&o, ",", 1);
    if (!isnan(p->epoch)) {
        fmt_exact(v, sizeof(v), p->epoch);
        put(&o, v, strlen(v));
    }
    fmt_num(v, sizeof(v), p->value, true);
    if (isfinite(p->value))
        fmt_exact(v, sizeof(v), p->value);
    putf(&o, ",%s\n", v);
    return o.failed ? ERR_IO : 0;
}
