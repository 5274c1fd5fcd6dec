/* series_csv.c: the long CSV reader (`sagetop metrics --format csv`, `sagetop plot --csv`) and
 * the ISO 8601 timestamps it carries.
 *
 * Turns bytes into series of a caller's series_set: one series per (job, metric), sorted by x.
 * Owns nothing beyond one scratch row per call. Must not print, exit or do I/O; on failure the
 * set is left as it was. */
#include <ctype.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "metrics/series.h"


enum { COL_JOB, COL_METRIC, COL_TIME, COL_STEP, COL_EPOCH, COL_VALUE, COL_N };
#define CSV_FIELD_MAX 512
#define CSV_MAX_FIELDS 32

struct csv_row {
    char field[CSV_MAX_FIELDS][CSV_FIELD_MAX];
    size_t n;
};

/* Splits one record starting at *pos (RFC 4180 quoting, a quoted field may span lines). Returns
 * 1 with a row, 0 at the end of input, ERR_PARSE on an unterminated quote or a too long field. */
static int csv_next(const char *buf, size_t len, size_t *pos, struct csv_row *row)
{
    size_t p = *pos, k = 0;
    bool quoted = false, any = false;

    row->n = 0;
    if (p >= len)
        return 0;
    for (;;) {
        char c;

        if (p >= len) {
            if (quoted)
                return ERR_PARSE;
            break;
        }
        c = buf[p++];
        any = true;
        if (quoted) {
            if (c == '"') {
                if (p < len && buf[p] == '"') {
                    p++;
                } else {
                    quoted = false;
                    continue;
                }
            }
        } else if (c == '"') {
            quoted = true;
            continue;
        } else if (c == ',' || c == '\n') {
            if (row->n < CSV_MAX_FIELDS)
                row->field[row->n++][k] = '\0';
            k = 0;
            if (c == '\n') {
                *pos = p;
                return 1;
            }
            continue;
        } else if (c == '\r') {
            continue;
        }
        if (row->n < CSV_MAX_FIELDS) {
            if (k + 1 >= CSV_FIELD_MAX)
                return ERR_PARSE;
            row->field[row->n][k++] = c;
        }
    }
    if (any && row->n < CSV_MAX_FIELDS)
        row->field[row->n++][k] = '\0';
    *pos = p;
    return 1;
}

static bool parse_num(const char *s, double *out)
{
    char *end;
    double v;

    while (isspace((unsigned char)*s))
        s++;
    if (*s == '\0') {
        *out = NAN;
        return true;
    }
    v = strtod(s, &end);
    while (isspace((unsigned char)*end))
        end++;
    if (*end != '\0')
        return false;
    *out = v;
    return true;
}

static int digits(const char *s, size_t len, size_t at, size_t n, int *out)
{
    int v = 0;
    size_t i;

    if (at + n > len)
        return ERR_PARSE;
    for (i = at; i < at + n; i++) {
        if (s[i] < '0' || s[i] > '9')
            return ERR_PARSE;
        v = v * 10 + (s[i] - '0');
    }
    *out = v;
    return 0;
}

/* Days since 1970-01-01 of a civil date (Howard Hinnant's algorithm): no timegm, no TZ. */
static long long days_from_civil(int y, int m, int d)
{
    int era, yoe, doy, doe;

    y -= m <= 2;
    era = (y >= 0 ? y : y - 399) / 400;
    yoe = y - era * 400;
    doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
    doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return (long long)era * 146097 + doe - 719468;
}

int series_parse_time(const char *s, size_t len, double *out)
{
    int y, mo, d, h, mi, sec, oh = 0, om = 0;
    double frac = 0, t;
    size_t p = 19;

    if (digits(s, len, 0, 4, &y) || len < 19 || s[4] != '-' || digits(s, len, 5, 2, &mo) ||
        s[7] != '-' || digits(s, len, 8, 2, &d) || (s[10] != 'T' && s[10] != ' ') ||
        digits(s, len, 11, 2, &h) || s[13] != ':' || digits(s, len, 14, 2, &mi) ||
        s[16] != ':' || digits(s, len, 17, 2, &sec))
        return ERR_PARSE;
    if (mo < 1 || mo > 12 || d < 1 || d > 31 || h > 23 || mi > 59 || sec > 60)
        return ERR_PARSE;
    if (p < len && (s[p] == '.' || s[p] == ',')) {
        double scale = 0.1;

        for (p++; p < len && s[p] >= '0' && s[p] <= '9'; p++) {
            frac += (s[p] - '0') * scale;
            scale /= 10;
        }
    }
    if (p < len && (s[p] == 'Z' || s[p] == 'z')) {
        p++;
    } else if (p < len && (s[p] == '+' || s[p] == '-')) {
        int sign = s[p] == '-' ? -1 : 1;

        if (digits(s, len, p + 1, 2, &oh))
            return ERR_PARSE;
        p += 3;
        if (p < len && s[p] == ':')
            p++;
        if (p < len && digits(s, len, p, 2, &om) == 0)
            p += 2;
        oh *= sign;
        om *= sign;
    }
    if (p != len)
        return ERR_PARSE;
    t = (double)days_from_civil(y, mo, d) * 86400.0 + h * 3600 + mi * 60 + sec + frac;
    *out = t - oh * 3600 - om * 60;
    return 0;
}

static bool parse_time_field(const char *f, double *out)
{
    double v;

    if (series_parse_time(f, strlen(f), &v) == 0) {
        *out = v;
        return true;
    }
    if (!parse_num(f, &v))
        return false;
    if (isfinite(v) && fabs(v) > 1e11)
        v /= 1000;
    *out = v;
    return true;
}

static int csv_header(const struct csv_row *row, int col[COL_N], struct err *e)
{
    static const char *const names[COL_N] = { "job", "metric", "timestamp", "step", "epoch",
                                              "value" };
    size_t i;
    int c;

    for (c = 0; c < COL_N; c++) {
        col[c] = -1;
        for (i = 0; i < row->n; i++) {
            const char *f = row->field[i];

            while (*f == ' ')
                f++;
            if (strcasecmp(f, names[c]) == 0 ||
                (c == COL_TIME && strcasecmp(f, "time") == 0))
                col[c] = (int)i;
        }
    }
    if (col[COL_JOB] < 0 || col[COL_METRIC] < 0 || col[COL_VALUE] < 0)
        return err_set(e, ERR_PARSE,
                       "CSV line 1: the header must name the columns job, metric and value "
                       "(and timestamp, step or epoch)");
    return 0;
}

/* Finds or adds the series for (job, metric); a linear scan since a plot has a handful. */
static struct series *csv_series(struct series_set *set, size_t first, const char *job,
                                 const char *metric, bool qualify, struct err *e)
{
    char name[2 * CSV_FIELD_MAX + 2];
    struct series *s;
    size_t i;

    if (qualify)
        snprintf(name, sizeof(name), "%s/%s", job, metric);
    else
        snprintf(name, sizeof(name), "%s", job);
    for (i = first; i < set->len; i++)
        if (strcmp(set->v[i]->name, name) == 0)
            return set->v[i];
    s = series_new(name);
    if (s == NULL) {
        err_set(e, ERR_NOMEM, "out of memory reading CSV");
        return NULL;
    }
    if (series_set_take(set, s, e) < 0)
        return NULL;
    return s;
}

int series_csv_parse(const char *buf, size_t len, const char *metric, enum series_x_kind kind,
                     struct series_set *out, struct err *e)
{
    struct csv_row *row = malloc(sizeof(*row));
    size_t pos = 0, line = 0, first = out->len, i, matched = 0;
    int col[COL_N], rc, xcol;

    if (row == NULL)
        return err_set(e, ERR_NOMEM, "out of memory reading CSV");
    rc = csv_next(buf, len, &pos, row);
    line++;
    if (rc <= 0) {
        rc = err_set(e, ERR_PARSE, "CSV: empty input, expected a header line");
        goto out;
    }
    rc = csv_header(row, col, e);
    if (rc < 0)
        goto out;
    xcol = kind == SERIES_X_STEP ? col[COL_STEP] : kind == SERIES_X_EPOCH ? col[COL_EPOCH]
                                                                          : col[COL_TIME];
    if (xcol < 0) {
        rc = err_set(e, ERR_PARSE, "CSV: no %s column for the x axis",
                     kind == SERIES_X_STEP ? "step" : kind == SERIES_X_EPOCH ? "epoch"
                                                                              : "timestamp");
        goto out;
    }
    for (;;) {
        struct series_sample smp = { NAN, NAN, NAN, NAN };
        struct series *s;
        double x;

        rc = csv_next(buf, len, &pos, row);
        line++;
        if (rc == 0)
            break;
        if (rc < 0) {
            rc = err_set(e, ERR_PARSE, "CSV line %zu: unterminated quote or field over %d bytes",
                         line, CSV_FIELD_MAX - 1);
            goto out;
        }
        if (row->n == 1 && row->field[0][0] == '\0')
            continue; /* blank line */
        if ((size_t)col[COL_VALUE] >= row->n || (size_t)col[COL_JOB] >= row->n ||
            (size_t)col[COL_METRIC] >= row->n || (size_t)xcol >= row->n) {
            rc = err_set(e, ERR_PARSE, "CSV line %zu: %zu fields, fewer than the header", line,
                         row->n);
            goto out;
        }
        if (metric != NULL && strcmp(row->field[col[COL_METRIC]], metric) != 0)
            continue;
        if (!parse_num(row->field[col[COL_VALUE]], &smp.value) ||
            (col[COL_STEP] >= 0 && (size_t)col[COL_STEP] < row->n &&
             !parse_num(row->field[col[COL_STEP]], &smp.step)) ||
            (col[COL_EPOCH] >= 0 && (size_t)col[COL_EPOCH] < row->n &&
             !parse_num(row->field[col[COL_EPOCH]], &smp.epoch)) ||
            (col[COL_TIME] >= 0 && (size_t)col[COL_TIME] < row->n &&
             !parse_time_field(row->field[col[COL_TIME]], &smp.time_s))) {
            rc = err_set(e, ERR_PARSE, "CSV line %zu: a number or timestamp does not parse", line);
            goto out;
        }
        x = series_sample_x(&smp, kind == SERIES_X_ELAPSED ? SERIES_X_WALL : kind, 0);
        if (!isfinite(x) || isnan(smp.value))
            continue;
        s = csv_series(out, first, row->field[col[COL_JOB]], row->field[col[COL_METRIC]],
                       metric == NULL, e);
        if (s == NULL) {
            rc = e != NULL ? e->code : ERR_NOMEM;
            goto out;
        }
        rc = series_push(s, x, smp.value, e);
        if (rc < 0)
            goto out;
        matched++;
    }
    if (matched == 0) {
        rc = err_set(e, ERR_NOTFOUND, "CSV: no rows%s%s%s with a %s", metric ? " of metric '" : "",
                     metric ? metric : "", metric ? "'" : "",
                     kind == SERIES_X_STEP ? "step" : kind == SERIES_X_EPOCH ? "epoch"
                                                                              : "timestamp");
        goto out;
    }
    for (i = first; i < out->len; i++) {
        rc = series_sort(out->v[i], e);
        if (rc < 0)
            goto out;
        if (kind == SERIES_X_ELAPSED)
            series_shift_x(out->v[i], -out->v[i]->x_min);
    }
    rc = 0;
out:
    if (rc < 0) {
        /* out-parameters change only on success */
        for (i = first; i < out->len; i++)
            series_free(out->v[i]);
        out->len = first;
    }
    free(row);
    return rc;
}
