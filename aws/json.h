/* json.h: small typed helpers over jansson for the service parsers (sagemaker.c, logs.c, ...).
 *
 * Pure: no I/O, no global state. Thread-safe. Every getter reads a member of a borrowed object
 * and fills the caller's storage; none keeps a reference. Getters take a member name, accept an
 * absent member or JSON null (ERR_NOTFOUND, out untouched) and refuse a member of the wrong type
 * or over its cap (ERR_PARSE, saying which member). They never print.
 *
 * Timestamps: SageMaker sends epoch seconds as JSON numbers (may have a fraction or exponent):
 * kept as double. CloudWatch Logs sends epoch milliseconds: kept as int64_t. */
#ifndef SAGETOP_AWS_JSON_H
#define SAGETOP_AWS_JSON_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "aws/err.h"

/* Largest document any parser accepts (the transport caps bodies too). */
#define JSON_DOC_MAX_BYTES (64u * 1024u * 1024u)

/* Parses (ptr, len) (no NUL needed; embedded \u0000 allowed in strings). On success *out owns
 * an object (a non-object top level is ERR_PARSE). Malformed or truncated input: ERR_PARSE with
 * "<what>: malformed JSON at byte N: <reason>". what names the document ("ListTrainingJobs
 * response"). */
int json_parse_object(const char *doc, size_t len, const char *what, json_t **out,
                      struct err *e);

/* Reads a document's root object into out; the shape of every service parser's *_from_json(). */
typedef int (*json_doc_fn)(const json_t *root, void *out, struct err *e);
/* A parser's whole round: json_parse_object(), then fn(root, out), a failure of fn (other than
 * ERR_NOMEM) prefixed with what ("<what>: <fn's message>"), the root freed. */
int json_parse_doc(const char *doc, size_t len, const char *what, json_doc_fn fn, void *out,
                   struct err *e);

/* Copies a string member into out[outlen] (NUL-terminated). Longer than outlen-1 or embedded
 * NUL: ERR_PARSE. */
int json_get_str(const json_t *obj, const char *key, char *out, size_t outlen, struct err *e);
/* Duplicates a string member (malloc, NUL-terminated); longer than max_len bytes: ERR_PARSE.
 * *len_out (optional) gets the byte length (the string may hold NULs). */
int json_get_strdup(const json_t *obj, const char *key, size_t max_len, char **out,
                    size_t *len_out, struct err *e);
/* A number member (integer or real) as double / int64 (a real is truncated toward zero). */
int json_get_double(const json_t *obj, const char *key, double *out, struct err *e);
int json_get_int64(const json_t *obj, const char *key, int64_t *out, struct err *e);
int json_get_bool(const json_t *obj, const char *key, bool *out, struct err *e);
/* An object / array member (borrowed). */
int json_get_object(const json_t *obj, const char *key, json_t **out, struct err *e);
int json_get_array(const json_t *obj, const char *key, json_t **out, struct err *e);

/* A timestamp member in epoch seconds: a JSON number (SageMaker's form) or, leniently, an
 * ISO 8601 string (some emulators send those). */
int json_get_time(const json_t *obj, const char *key, double *out, struct err *e);

/* For a getter's result: an absent member is fine (0) / is ERR_PARSE "member K is missing". */
static inline int json_optional(int rc)
{
    return rc == ERR_NOTFOUND ? 0 : rc;
}
int json_required(int rc, const char *key, struct err *e);

/* Compact JSON text of v that means exactly what was received: numbers as the shortest text
 * that reads back as the same double (1677672000.123 stays 1677672000.123, where jansson's
 * %.17g would write 1677672000.1229999), integers as integers, members in document order,
 * strings escaped minimally (UTF-8 kept, NUL as \u0000). On success *out is malloc'd and
 * NUL-terminated, *len_out (optional) its length. ERR_TOOBIG over JSON_DOC_MAX_BYTES. */
int json_dump_exact(const json_t *v, char **out, size_t *len_out, struct err *e);

/* ISO 8601 in UTC as the AWS CLI prints SageMaker timestamps (Python's isoformat()):
 * "2026-11-20T10:11:12.123000+00:00", and "2026-11-20T10:11:12+00:00" for whole seconds.
 * The fraction is rounded to microseconds. out should hold JSON_ISO8601_MAX bytes. Returns out
 * ("" when epoch_s is out of range). */
#define JSON_ISO8601_MAX 40
char *json_iso8601(double epoch_s, char *out, size_t outlen);

/* Parses an ISO 8601 date or date-time ("2026-11-20", "2026-11-20T10:11:12Z",
 * "2026-11-20T10:11:12.5+02:00", "2026-11-20 10:11") into epoch seconds. ERR_INVAL otherwise. */
int json_parse_iso8601(const char *s, double *out, struct err *e);

#endif
