/* merr.h: internal to metrics/ — filling a struct err without linking aws/ (the archives link
 * metrics after aws, so metrics/ must not call into libaws; it shares only the struct). */
#ifndef SAGETOP_METRICS_MERR_H
#define SAGETOP_METRICS_MERR_H

#include "aws/err.h"

/* Like err_set(): fills e when not NULL and returns code. */
int merr_set(struct err *e, int code, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
/* Like err_prefix(): "what: " before e->msg. */
void merr_prefix(struct err *e, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

#endif
