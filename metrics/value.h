/* value.h: internal to metrics/ — scanning numbers inside log text. Pure, thread-safe. */
#ifndef SAGETOP_METRICS_VALUE_H
#define SAGETOP_METRICS_VALUE_H

#include <stddef.h>

/* Length of the longest number at the start of p (sign, digits, '.', exponent, nan, inf,
 * infinity); 0 when p does not start with a number. Never reads past n. */
size_t mvalue_number_len(const char *p, size_t n);
/* Converts exactly [p, p+n) (already checked by mvalue_number_len) to a double, locale-free.
 * 0 ok, -1 when too long or malformed. */
int mvalue_to_double(const char *p, size_t n, double *out);
/* One pass that both measures and converts the number at the start of p: the extractor's hot
 * path, where a capture is usually exactly one number or the mantissa of one ("2.8732" of
 * "2.8732e-05"). */
struct mvalue_scan {
    size_t len;        /* mvalue_number_len(p, n) */
    size_t mant_len;   /* where the mantissa (sign, digits, '.') ends; == len without exponent */
    double value;      /* [p, p+len) as mvalue_to_double() gives it, when ok */
    double mant_value; /* [p, p+mant_len) likewise, when ok (== value without exponent) */
    int ok;            /* 0: not converted here (nan, inf, long or huge); call mvalue_to_double */
};
/* Fills *r and returns r->len (0 when p does not start with a number). Never reads past n. */
size_t mvalue_scan(const char *p, size_t n, struct mvalue_scan *r);
/* Parses "H:MM:SS(.ff)" or "N day(s), H:MM:SS(.ff)" exactly; 0 ok, -1 otherwise. */
int mvalue_duration(const char *p, size_t n, double *out);

#endif
