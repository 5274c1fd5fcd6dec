/* estimator_internal.h: what the estimator's files (estimator.c, hyperparams.c, names.c,
 * validate.c, request.c, relaunch.c, diff.c) share and nothing outside launch/ may use.
 * Everything here is pure, like estimator.h: no I/O, no clock, any thread. */
#ifndef SAGETOP_LAUNCH_ESTIMATOR_INTERNAL_H
#define SAGETOP_LAUNCH_ESTIMATOR_INTERNAL_H

#include <jansson.h>
#include <stdbool.h>

#include "launch/estimator.h"

/* estimator.c: the --set value parsers ("true"/"false"/"1"/"0"; a whole number). 0 or -1. */
int estimator_parse_bool(const char *s, bool *out);
int estimator_parse_long(const char *s, long *out);

/* hyperparams.c: Python's repr(float): the shortest digits that read back. */
void estimator_py_float(double d, char *out, size_t size);
/* hyperparams.c: json_object_set_new() that takes NULL as out of memory (0 or ERR_NOMEM). */
int estimator_set_new(json_t *o, const char *k, json_t *v);
/* hps[k] = the SDK's encoding of text (estimator_hp_encode()). 0 or ERR_NOMEM. */
int estimator_set_hp(json_t *hps, const char *k, const char *text);
/* hps[k] = the string s as Python would write it (quoted). 0 or ERR_NOMEM. */
int estimator_set_hp_string(json_t *hps, const char *k, const char *s);

/* hyperparams.c: json_loadb() that also reads integers beyond int64 (as Python does), kept as
 * their digits: estimator_json_big_integer() gives them back (NULL for any other value),
 * estimator_py_json() and estimator_json_dumps() (json_dumps() otherwise) write them. */
json_t *estimator_json_loadb(const char *text, size_t len, size_t flags, json_error_t *je);
const char *estimator_json_big_integer(const json_t *v);
char *estimator_json_dumps(const json_t *v, size_t flags);

/* validate.c: the estimator's own checks (the SDK's constructor and fit-time validation). */
void estimator_check_fields(const struct estimator *est, struct estimator_issues *is);

/* request.c: one S3Prefix, FullyReplicated channel; the part of path after its last '/'. */
json_t *estimator_s3_channel(const char *name, const char *uri);
const char *estimator_basename(const char *path);

#endif
