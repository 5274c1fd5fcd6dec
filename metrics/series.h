/* series.h: a metric series as (x, y) points, and the maths charts and tables need from it.
 *
 * A series owns its name and its point array; nothing else. Points arrive with series_push()
 * (amortised growth, no allocation per point once reserved) and keep running statistics
 * (x and y range, first index of the min and max y) so a chart never scans a million points to
 * find its axes. y may be NaN or infinite (a diverged loss): such points are kept, skipped by
 * every statistic and by downsampling, and drawn as gaps. x must be finite.
 *
 * Downsampling keeps extremes: series_downsample_m4() keeps the first, last, min and max point of
 * every bucket (one bucket per pixel column draws exactly like the full series); LTTB keeps the
 * visual shape with a fixed point budget. A single spike in a million points survives both.
 *
 * Pure computation: no I/O, no printing. Not thread-safe per object; distinct series may be used
 * from distinct threads. Failing functions return 0 or a negative ERR_* and fill an optional err.
 */
#ifndef SAGETOP_SERIES_H
#define SAGETOP_SERIES_H

#include <stdbool.h>
#include <stddef.h>

#include "aws/err.h"

/* Hard cap on the points of one series (about 1.6 GB of points): beyond it push fails. */
#define SERIES_MAX_POINTS ((size_t)100 * 1000 * 1000)

/* What x means. Wall time is seconds since the Unix epoch; elapsed is seconds since start. */
enum series_x_kind {
    SERIES_X_STEP,
    SERIES_X_EPOCH,
    SERIES_X_WALL,
    SERIES_X_ELAPSED,
};

/* Which way is better: loss goes down, accuracy goes up. */
enum series_dir {
    SERIES_DIR_DOWN,
    SERIES_DIR_UP,
};

struct series_point {
    double x;
    double y;
};

/* Read the fields freely; change them only through the functions below. */
struct series {
    char *name;                /* legend label, owned; never NULL */
    struct series_point *pts;  /* len points, in push order (sorted by x after series_sort) */
    size_t len;
    size_t cap;
    size_t n_finite;           /* points whose y is finite */
    double x_min, x_max;       /* over all points; NaN when empty */
    double y_min, y_max;       /* over finite y; NaN when none */
    size_t i_min, i_max;       /* first index of y_min / y_max; SIZE_MAX when none */
    bool sorted;               /* x never decreased */
};

/* One metric observation as the cache and the CSV carry it; NaN marks a missing field. */
struct series_sample {
    double time_s;   /* Unix seconds */
    double step;
    double epoch;
    double value;
};

struct series_stats {
    size_t count;          /* finite points */
    double last, last_x;   /* the last finite point in array order */
    double min, min_x;     /* first occurrence */
    double max, max_x;
};

/* Returns NULL when out of memory. name may be NULL (empty label). */
struct series *series_new(const char *name);
void series_free(struct series *s);

int series_set_name(struct series *s, const char *name, struct err *e);
int series_reserve(struct series *s, size_t n, struct err *e);
/* ERR_INVAL for a non-finite x, ERR_TOOBIG past SERIES_MAX_POINTS, ERR_NOMEM. */
int series_push(struct series *s, double x, double y, struct err *e);
/* Drops the points, keeps the name and the storage. */
void series_clear(struct series *s);
/* Stable sort by x (equal x keep push order); statistics are recomputed. */
int series_sort(struct series *s, struct err *e);
/* Adds dx to every x (e.g. -start to turn wall time into time since start). */
void series_shift_x(struct series *s, double dx);

/* x of a sample for a kind; start_s is subtracted for SERIES_X_ELAPSED. NaN when missing. */
double series_sample_x(const struct series_sample *smp, enum series_x_kind kind, double start_s);

/* false (and *out untouched) when the series has no finite point. */
bool series_stats(const struct series *s, struct series_stats *out);
/* The best point by direction (first occurrence); false when no finite point. */
bool series_best(const struct series *s, enum series_dir dir, struct series_point *out);
/* Guesses the direction from a metric name: loss/error/perplexity/... down, accuracy/f1/... up.
 * Unknown names count as down. Case-insensitive. */
enum series_dir series_dir_guess(const char *metric_name);
/* Index of the point whose x is nearest to x (the earlier one on a tie) among points with a
 * finite y, for a sorted series; SIZE_MAX when there is none. */
size_t series_nearest(const struct series *s, double x);

/* Exponential moving average with weight w in [0, 1) (0 copies, 0.99 is heavy), debiased like
 * TensorBoard so the start is not pulled toward zero. dst is cleared and refilled; non-finite y
 * pass through unsmoothed. dst keeps its own name. */
int series_ema(const struct series *src, double w, struct series *dst, struct err *e);

/* M4 downsampling: splits [x_lo, x_hi] into `buckets` equal columns and keeps, per column, the
 * first, min, max and last point with a finite y, in array order. Points outside the range or
 * with a non-finite y are skipped. For x-sorted input at most 4 * buckets points are written;
 * never more than out_cap. Returns the number written. One pass, no allocation. */
size_t series_downsample_m4(const struct series_point *pts, size_t n, double x_lo, double x_hi,
                            size_t buckets, struct series_point *out, size_t out_cap);
/* Largest-Triangle-Three-Buckets: picks `threshold` points (first and last always) keeping the
 * visual shape. Input sorted by x with finite y. Writes min(n, threshold) points to out (which
 * holds at least that many) and returns that count; threshold < 3 copies the first n points up to
 * threshold. */
size_t series_downsample_lttb(const struct series_point *pts, size_t n, size_t threshold,
                              struct series_point *out);

/* A list of owned series, e.g. one per job. */
struct series_set {
    struct series **v;
    size_t len;
    size_t cap;
};

void series_set_init(struct series_set *set);
/* Frees every series in the set. */
void series_set_clean(struct series_set *set);
/* Takes ownership of s (also on failure, when it is freed). */
int series_set_take(struct series_set *set, struct series *s, struct err *e);
struct series *series_set_find(const struct series_set *set, const char *name);

/* Parses the long CSV `sagetop metrics --format csv` prints: a header naming the columns job,
 * metric, timestamp, step, epoch, value (any order; extra columns ignored; fields may be quoted).
 * Timestamps are Unix seconds (milliseconds when above 1e11) or ISO 8601 UTC. Keeps rows whose
 * metric equals `metric` (every metric when NULL) and appends one series per job (named after
 * the job; "job/metric" when metric is NULL), sorted by x, to out. Rows without the x kind's
 * field are skipped. For SERIES_X_ELAPSED each job starts at its first timestamp.
 * ERR_PARSE names the line; ERR_NOTFOUND when no row matched. buf needs no NUL terminator. */
int series_csv_parse(const char *buf, size_t len, const char *metric, enum series_x_kind kind,
                     struct series_set *out, struct err *e);

/* Parses ISO 8601 "YYYY-MM-DDTHH:MM:SS[.fff][Z|+HH:MM]" (or a space for T) as Unix seconds.
 * Returns 0 and writes *out, or ERR_PARSE. s need not be NUL terminated. */
int series_parse_time(const char *s, size_t len, double *out);

#endif
