/* series.c: metric series, their statistics, EMA smoothing and downsampling (the long CSV reader
 * that fills them is series_csv.c).
 *
 * Owns the point arrays of its series and nothing else. Must not print, exit or do I/O: callers
 * hand it bytes and get points back. Statistics are maintained on push so charts and tables
 * never rescan; downsampling is a single pass without allocation so a million points cost about
 * a millisecond.
 */
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "aws/dynbuf.h"
#include "metrics/series.h"

static void stats_reset(struct series *s)
{
    s->n_finite = 0;
    s->x_min = s->x_max = NAN;
    s->y_min = s->y_max = NAN;
    s->i_min = s->i_max = SIZE_MAX;
    s->sorted = true;
}

static void stats_add(struct series *s, size_t i)
{
    double x = s->pts[i].x, y = s->pts[i].y;

    if (i == 0) {
        s->x_min = s->x_max = x;
    } else {
        if (x < s->pts[i - 1].x)
            s->sorted = false;
        if (x < s->x_min)
            s->x_min = x;
        if (x > s->x_max)
            s->x_max = x;
    }
    if (!isfinite(y))
        return;
    if (s->n_finite == 0 || y < s->y_min) {
        s->y_min = y;
        s->i_min = i;
    }
    if (s->n_finite == 0 || y > s->y_max) {
        s->y_max = y;
        s->i_max = i;
    }
    s->n_finite++;
}

struct series *series_new(const char *name)
{
    struct series *s = calloc(1, sizeof(*s));

    if (s == NULL)
        return NULL;
    s->name = strdup(name != NULL ? name : "");
    if (s->name == NULL) {
        free(s);
        return NULL;
    }
    stats_reset(s);
    return s;
}

void series_free(struct series *s)
{
    if (s == NULL)
        return;
    free(s->name);
    free(s->pts);
    free(s);
}

int series_set_name(struct series *s, const char *name, struct err *e)
{
    char *n = strdup(name != NULL ? name : "");

    if (n == NULL)
        return err_set(e, ERR_NOMEM, "out of memory naming a series");
    free(s->name);
    s->name = n;
    return 0;
}

int series_reserve(struct series *s, size_t n, struct err *e)
{
    struct series_point *p;

    if (n <= s->cap)
        return 0;
    if (n > SERIES_MAX_POINTS)
        return err_set(e, ERR_TOOBIG, "series %s: more than %zu points", s->name,
                       SERIES_MAX_POINTS);
    p = realloc(s->pts, n * sizeof(*p));
    if (p == NULL)
        return err_set(e, ERR_NOMEM, "series %s: out of memory for %zu points", s->name, n);
    s->pts = p;
    s->cap = n;
    return 0;
}

int series_push(struct series *s, double x, double y, struct err *e)
{
    int rc;

    if (!isfinite(x))
        return err_set(e, ERR_INVAL, "series %s: x must be finite", s->name);
    if (s->len == s->cap) {
        size_t want = s->cap < 64 ? 64 : s->cap * 2;

        if (want > SERIES_MAX_POINTS)
            want = SERIES_MAX_POINTS;
        if (want <= s->len)
            return err_set(e, ERR_TOOBIG, "series %s: more than %zu points", s->name,
                           SERIES_MAX_POINTS);
        rc = series_reserve(s, want, e);
        if (rc < 0)
            return rc;
    }
    s->pts[s->len].x = x;
    s->pts[s->len].y = y;
    stats_add(s, s->len);
    s->len++;
    return 0;
}

void series_clear(struct series *s)
{
    s->len = 0;
    stats_reset(s);
}

static void stats_rebuild(struct series *s)
{
    size_t i;

    stats_reset(s);
    for (i = 0; i < s->len; i++)
        stats_add(s, i);
}

/* Bottom-up merge sort: stable, O(n log n) and no recursion, unlike qsort. */
int series_sort(struct series *s, struct err *e)
{
    struct series_point *tmp, *a, *b, *swap;
    size_t width, lo;

    if (s->sorted)
        return 0;
    tmp = malloc(s->len * sizeof(*tmp));
    if (tmp == NULL)
        return err_set(e, ERR_NOMEM, "series %s: out of memory sorting", s->name);
    a = s->pts;
    b = tmp;
    for (width = 1; width < s->len; width *= 2) {
        for (lo = 0; lo < s->len; lo += 2 * width) {
            size_t mid = lo + width < s->len ? lo + width : s->len;
            size_t hi = lo + 2 * width < s->len ? lo + 2 * width : s->len;
            size_t i = lo, j = mid, k = lo;

            while (i < mid && j < hi)
                b[k++] = a[j].x < a[i].x ? a[j++] : a[i++];
            while (i < mid)
                b[k++] = a[i++];
            while (j < hi)
                b[k++] = a[j++];
        }
        swap = a;
        a = b;
        b = swap;
    }
    if (a != s->pts)
        memcpy(s->pts, a, s->len * sizeof(*a));
    free(tmp);
    stats_rebuild(s);
    return 0;
}

void series_shift_x(struct series *s, double dx)
{
    size_t i;

    for (i = 0; i < s->len; i++)
        s->pts[i].x += dx;
    if (s->len > 0) {
        s->x_min += dx;
        s->x_max += dx;
    }
}

double series_sample_x(const struct series_sample *smp, enum series_x_kind kind, double start_s)
{
    switch (kind) {
    case SERIES_X_STEP:
        return smp->step;
    case SERIES_X_EPOCH:
        return smp->epoch;
    case SERIES_X_WALL:
        return smp->time_s;
    case SERIES_X_ELAPSED:
        return smp->time_s - start_s;
    }
    return NAN;
}

bool series_stats(const struct series *s, struct series_stats *out)
{
    size_t i;

    if (s->n_finite == 0)
        return false;
    for (i = s->len; i-- > 0;)
        if (isfinite(s->pts[i].y))
            break;
    out->count = s->n_finite;
    out->last = s->pts[i].y;
    out->last_x = s->pts[i].x;
    out->min = s->y_min;
    out->min_x = s->pts[s->i_min].x;
    out->max = s->y_max;
    out->max_x = s->pts[s->i_max].x;
    return true;
}

bool series_best(const struct series *s, enum series_dir dir, struct series_point *out)
{
    size_t i = dir == SERIES_DIR_UP ? s->i_max : s->i_min;

    if (s->n_finite == 0)
        return false;
    *out = s->pts[i];
    return true;
}

/* Case-insensitive substring search; metric names are short, so the naive loop is fine. */
static bool has_word(const char *hay, const char *needle)
{
    size_t n = strlen(needle);

    for (; *hay != '\0'; hay++)
        if (strncasecmp(hay, needle, n) == 0)
            return true;
    return false;
}

enum series_dir series_dir_guess(const char *metric_name)
{
    static const char *const down[] = {
        "loss", "err", "perplexity", "ppl", "mse", "mae", "rmse", "wer", "cer",
        "latency", "time", "runtime", "nll", "distance",
    };
    static const char *const up[] = {
        "acc", "f1", "auc", "precision", "recall", "bleu", "rouge", "map", "iou",
        "score", "reward", "r2", "exact_match", "throughput", "per_second", "samples_per",
    };
    size_t i;

    if (metric_name == NULL)
        return SERIES_DIR_DOWN;
    /* "down" words first: "eval_loss" must win over nothing, "err" over "score" in "error". */
    for (i = 0; i < sizeof(down) / sizeof(down[0]); i++)
        if (has_word(metric_name, down[i]))
            return SERIES_DIR_DOWN;
    for (i = 0; i < sizeof(up) / sizeof(up[0]); i++)
        if (has_word(metric_name, up[i]))
            return SERIES_DIR_UP;
    return SERIES_DIR_DOWN;
}

size_t series_nearest(const struct series *s, double x)
{
    size_t lo = 0, hi = s->len, i, best = SIZE_MAX;
    double best_d = INFINITY;

    if (s->n_finite == 0)
        return SIZE_MAX;
    /* lo = first index with pts[lo].x >= x */
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;

        if (s->pts[mid].x < x)
            lo = mid + 1;
        else
            hi = mid;
    }
    /* Walk out both ways to the nearest finite point; gaps are rare and short. */
    for (i = lo; i-- > 0;) {
        if (isfinite(s->pts[i].y)) {
            best = i;
            best_d = x - s->pts[i].x;
            break;
        }
    }
    for (i = lo; i < s->len; i++) {
        if (isfinite(s->pts[i].y)) {
            if (s->pts[i].x - x < best_d) {
                /* the earliest of equal x */
                size_t j = i;

                while (j > 0 && s->pts[j - 1].x == s->pts[i].x && isfinite(s->pts[j - 1].y))
                    j--;
                best = j;
            }
            break;
        }
    }
    return best;
}

int series_ema(const struct series *src, double w, struct series *dst, struct err *e)
{
    double acc = 0, wp = 1;
    size_t i;
    int rc;

    /* TensorBoard's smoothing (tensorflow/tensorboard, tensorboard/components/vz_line_chart2/
     * line-chart.ts, LineChart.resmoothDataset): last = last * w + (1 - w) * y over the finite
     * points only, divided by the debias weight 1 - w^n (n = finite points so far), because an
     * EMA started at 0 gives c * (1 - w^n) for a constant c. A constant series is copied as it
     * is, so rounding in that division never turns a flat line into a slope. */
    if (!(w >= 0 && w < 1))
        return err_set(e, ERR_INVAL, "EMA weight %g: must be in [0, 1)", w);
    if (src->n_finite > 0 && src->y_min == src->y_max)
        w = 0;
    series_clear(dst);
    rc = series_reserve(dst, src->len, e);
    if (rc < 0)
        return rc;
    for (i = 0; i < src->len; i++) {
        double y = src->pts[i].y;

        if (isfinite(y)) {
            acc = acc * w + (1 - w) * y;
            wp *= w;
            y = wp < 1 ? acc / (1 - wp) : y;
        }
        rc = series_push(dst, src->pts[i].x, y, e);
        if (rc < 0)
            return rc;
    }
    return 0;
}

/* Emits the bucket's (up to) four indices in array order without repeats. */
static size_t m4_flush(const struct series_point *pts, size_t idx[4], struct series_point *out,
                       size_t n_out, size_t out_cap)
{
    size_t a, b, t;

    for (a = 1; a < 4; a++)
        for (b = a; b > 0 && idx[b - 1] > idx[b]; b--) {
            t = idx[b];
            idx[b] = idx[b - 1];
            idx[b - 1] = t;
        }
    for (a = 0; a < 4 && n_out < out_cap; a++)
        if (a == 0 || idx[a] != idx[a - 1])
            out[n_out++] = pts[idx[a]];
    return n_out;
}

size_t series_downsample_m4(const struct series_point *pts, size_t n, double x_lo, double x_hi,
                            size_t buckets, struct series_point *out, size_t out_cap)
{
    size_t i, cur = SIZE_MAX, n_out = 0, idx[4] = { 0, 0, 0, 0 };
    double scale, y_min = 0, y_max = 0;

    if (buckets == 0 || out_cap == 0 || !(x_hi >= x_lo))
        return 0;
    scale = x_hi > x_lo ? (double)buckets / (x_hi - x_lo) : 0;
    for (i = 0; i < n; i++) {
        double x = pts[i].x, y = pts[i].y;
        size_t b;

        if (!(x >= x_lo && x <= x_hi) || !isfinite(y))
            continue;
        b = (size_t)((x - x_lo) * scale);
        if (b >= buckets)
            b = buckets - 1;
        if (b != cur) {
            if (cur != SIZE_MAX) {
                n_out = m4_flush(pts, idx, out, n_out, out_cap);
                if (n_out == out_cap)
                    return n_out;
            }
            cur = b;
            idx[0] = idx[1] = idx[2] = idx[3] = i;
            y_min = y_max = y;
            continue;
        }
        idx[3] = i;
        if (y < y_min) {
            y_min = y;
            idx[1] = i;
        } else if (y > y_max) {
            y_max = y;
            idx[2] = i;
        }
    }
    if (cur != SIZE_MAX)
        n_out = m4_flush(pts, idx, out, n_out, out_cap);
    return n_out;
}

size_t series_downsample_lttb(const struct series_point *pts, size_t n, size_t threshold,
                              struct series_point *out)
{
    double every;
    size_t a = 0, i, n_out = 0;

    if (threshold >= n || threshold < 3) {
        size_t m = threshold >= n ? n : threshold;

        memcpy(out, pts, m * sizeof(*pts));
        return m;
    }
    every = (double)(n - 2) / (double)(threshold - 2);
    out[n_out++] = pts[0];
    for (i = 0; i < threshold - 2; i++) {
        /* Average of the next bucket: the third corner of the triangle. */
        size_t nb_lo = (size_t)floor((double)(i + 1) * every) + 1;
        size_t nb_hi = (size_t)floor((double)(i + 2) * every) + 1;
        size_t lo = (size_t)floor((double)i * every) + 1;
        size_t hi = nb_lo, j, pick = lo;
        double ax, ay, cx = 0, cy = 0, best = -1;

        if (nb_hi > n)
            nb_hi = n;
        for (j = nb_lo; j < nb_hi; j++) {
            cx += pts[j].x;
            cy += pts[j].y;
        }
        if (nb_hi > nb_lo) {
            cx /= (double)(nb_hi - nb_lo);
            cy /= (double)(nb_hi - nb_lo);
        } else {
            cx = pts[n - 1].x;
            cy = pts[n - 1].y;
        }
        ax = pts[a].x;
        ay = pts[a].y;
        for (j = lo; j < hi; j++) {
            double area = fabs((ax - cx) * (pts[j].y - ay) - (ax - pts[j].x) * (cy - ay));

            if (area > best) {
                best = area;
                pick = j;
            }
        }
        out[n_out++] = pts[pick];
        a = pick;
    }
    out[n_out++] = pts[n - 1];
    return n_out;
}

void series_set_init(struct series_set *set)
{
    memset(set, 0, sizeof(*set));
}

void series_set_clean(struct series_set *set)
{
    size_t i;

    for (i = 0; i < set->len; i++)
        series_free(set->v[i]);
    free(set->v);
    memset(set, 0, sizeof(*set));
}

int series_set_take(struct series_set *set, struct series *s, struct err *e)
{
    if (vec_grow((void **)&set->v, &set->cap, set->len + 1, sizeof(*set->v)) != 0) {
        series_free(s);
        return err_set(e, ERR_NOMEM, "out of memory adding a series");
    }
    set->v[set->len++] = s;
    return 0;
}

struct series *series_set_find(const struct series_set *set, const char *name)
{
    size_t i;

    for (i = 0; i < set->len; i++)
        if (strcmp(set->v[i]->name, name) == 0)
            return set->v[i];
    return NULL;
}
