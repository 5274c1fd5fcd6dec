/* ini.h: the INI dialect of the AWS shared files (~/.aws/config, ~/.aws/credentials).
 *
 * What botocore's configloader accepts: "[section]" headers, "key = value" or "key: value"
 * (the first of '=' or ':' splits), full-line comments starting with '#' or ';', blank lines,
 * CRLF line ends and a UTF-8 BOM. A key whose value is empty and that is followed by indented
 * "sub = value" lines holds a nested sub-section (the `services` form:
 * "sagemaker =\n  endpoint_url = http://..."); indented lines after a non-empty value continue
 * it (joined with '\n'). Keys are lower-cased (ASCII), values are trimmed and otherwise literal:
 * no quote stripping, no inline comments. A repeated section merges into the first; a repeated
 * key takes the later value.
 *
 * Pure: (ptr, len) in, never reads past len, no NUL terminator needed, no I/O. Errors are
 * ERR_PARSE and name the file (as given) and the line; ERR_NOMEM; ERR_TOOBIG past the caps.
 * A parsed struct ini is immutable and may be read from any thread; ini_free() wipes the
 * values (OPENSSL_cleanse), which may be secret keys. */
#ifndef SAGETOP_INI_H
#define SAGETOP_INI_H

#include <stddef.h>

#include "aws/err.h"

#define INI_MAX_BYTES (4u << 20)   /* a larger shared file is refused */
#define INI_MAX_LINE 8192

struct ini_kv {
    char *key;
    char *value;            /* "" for a nested parent */
    struct ini_kv *sub;     /* nested entries, n_sub of them */
    size_t n_sub;
    int line;
};

struct ini_section {
    char *name;             /* trimmed text between the brackets */
    struct ini_kv *kv;
    size_t n_kv;
    int line;
};

struct ini {
    struct ini_section *sections;
    size_t n_sections;
};

/* filename is only used in messages (may be NULL). */
struct ini *ini_parse(const char *buf, size_t len, const char *filename, struct err *e);
void ini_free(struct ini *ini);

/* Lookups return NULL when absent. Names compare exactly; keys case-insensitively. */
const struct ini_section *ini_section(const struct ini *ini, const char *name);
const struct ini_kv *ini_find(const struct ini_section *s, const char *key);
const char *ini_get(const struct ini_section *s, const char *key);
/* The value of `sub` under the nested parent `key`, or NULL. */
const char *ini_get_nested(const struct ini_section *s, const char *key, const char *sub);

#endif
