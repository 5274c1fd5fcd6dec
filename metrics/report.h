/* report.h: summaries and output formats of extracted points for `sagetop metrics`.
 *
 * An mreport gathers points per (job, metric, instance): last, min, max, count, unparsed, and
 * (when keep_points) every point for JSON. Writers format through a caller's write function, so
 * nothing here does I/O. One thread at a time; the report owns everything it holds. */
#ifndef SAGETOP_METRICS_REPORT_H
#define SAGETOP_METRICS_REPORT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "metrics/metrics.h"

struct mreport_point {
    int64_t ts_ms;
    int64_t step;   /* -1 unknown */
    double epoch;   /* NaN unknown */
    double value;
    unsigned flags; /* enum mpoint_flags */
};

struct mreport_row {
    char *job;
    char *name;
    char instance[MINSTANCE_MAX];
    double last, min, max;
    int64_t last_ts_ms;
    uint64_t count;    /* points with a value (NaN included) */
    uint64_t unparsed; /* captures that were not numbers */
    uint64_t repaired; /* values repaired (exponent or sign) */
    struct mreport_point *pts;
    size_t npts, cap;
};

struct mreport {
    struct mreport_row *rows; /* in order of first appearance */
    size_t n, cap;
    bool keep_points;
};

void mreport_init(struct mreport *r, bool keep_points);
void mreport_clean(struct mreport *r);
/* Adds one point of job (borrowed). ERR_NOMEM. */
int mreport_add(struct mreport *r, const char *job, const struct mpoint *p, struct err *e);

/* Receives output text; a nonzero return stops the writer (which then returns ERR_IO). */
typedef int (*mreport_write_fn)(void *ctx, const char *s, size_t n);

/* Aligned table: JOB METRIC [INSTANCE] LAST MIN MAX COUNT UNPARSED (instance column when any
 * row has one and show_instance). */
int mreport_write_table(const struct mreport *r, bool show_instance, mreport_write_fn w,
                        void *ctx);
/* {"jobs":[{"job":..,"metrics":[{"name":..,"instance":..,"last":..,"min":..,"max":..,
 *  "count":..,"unparsed":..,"points":[{"ts_ms":..,"step":..,"epoch":..,"value":..}]}]}]} */
int mreport_write_json(const struct mreport *r, mreport_write_fn w, void *ctx);
/* CSV long form, streamed: the header "job,metric,timestamp,step,epoch,value" and one row per
 * point (timestamp ISO 8601 UTC with milliseconds; empty step/epoch when unknown; unparsed
 * points are not rows). Fields are quoted when they hold a comma, quote or newline. */
int mreport_csv_header(mreport_write_fn w, void *ctx);
int mreport_csv_point(const char *job, const struct mpoint *p, mreport_write_fn w, void *ctx);

#endif
