/* err.h: the one error record every module fills for a human.
 *
 * A function that can fail returns int (0 ok, a negative ERR_* code) and fills an optional
 * struct err: what failed, on what, and what to do. It lives in aws/ because aws/ is the lowest
 * module with failures; metrics/ and cache/ include it too (the one sideways include allowed).
 * Thread-safe: no global state. Never put a secret into msg. */
#ifndef SAGETOP_ERR_H
#define SAGETOP_ERR_H

#include <stddef.h>

enum err_code {
    ERR_OK = 0,
    ERR_INVAL = -1,      /* bad input from the user or a caller */
    ERR_NOMEM = -2,
    ERR_IO = -3,         /* file or pipe */
    ERR_NET = -4,        /* connect, reset, timeout after retries */
    ERR_PARSE = -5,      /* malformed or truncated JSON/XML/INI */
    ERR_AWS = -6,        /* AWS answered with an error (code in msg) */
    ERR_AUTH = -7,       /* credentials missing, expired or refused */
    ERR_CONFIG = -8,     /* region, profile, endpoint settings */
    ERR_NOTFOUND = -9,
    ERR_THROTTLED = -10, /* still throttled after every retry */
    ERR_CANCELLED = -11, /* Ctrl-C or a shutdown request */
    ERR_CACHE = -12,     /* SQLite */
    ERR_TOOBIG = -13,    /* a cap was hit (response body, line) */
};

#define ERR_MSG_MAX 256

struct err {
    int code;
    char msg[ERR_MSG_MAX];
};

/* Fills e (when not NULL) and returns code, so "return err_set(e, ERR_INVAL, ...)" reads well. */
int err_set(struct err *e, int code, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
/* Prefixes e->msg with "what: " (keeps e->code). No-op when e is NULL. */
void err_prefix(struct err *e, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void err_clear(struct err *e);
const char *err_code_name(int code);

#endif
