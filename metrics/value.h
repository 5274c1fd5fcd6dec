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
/* Parses "H:MM:SS(.ff)" or "N day(s), H:MM:SS(.ff)" exactly; 0 ok, -1 otherwise. */
int mvalue_duration(const char *p, size_t n, double *out);

#endif
