/* err.c: filling struct err. No I/O, no allocation. */
#include "aws/err.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

int err_set(struct err *e, int code, const char *fmt, ...)
{
    va_list ap;

    if (e == NULL)
        return code;
    e->code = code;
    va_start(ap, fmt);
    vsnprintf(e->msg, sizeof(e->msg), fmt, ap);
    va_end(ap);
    return code;
}

void err_prefix(struct err *e, const char *fmt, ...)
{
    char old[ERR_MSG_MAX];
    va_list ap;
    int n;

    if (e == NULL)
        return;
    memcpy(old, e->msg, sizeof(old));
    va_start(ap, fmt);
    n = vsnprintf(e->msg, sizeof(e->msg), fmt, ap);
    va_end(ap);
    if (n < 0 || (size_t)n >= sizeof(e->msg) - 2)
        return;
    /* what fits of the old message after "head: " */
    e->msg[n] = ':';
    e->msg[n + 1] = ' ';
    strncpy(e->msg + n + 2, old, sizeof(e->msg) - (size_t)n - 3);
    e->msg[sizeof(e->msg) - 1] = '\0';
}

void err_clear(struct err *e)
{
    if (e == NULL)
        return;
    e->code = 0;
    e->msg[0] = '\0';
}

const char *err_code_name(int code)
{
    switch (code) {
    case ERR_OK: return "ok";
    case ERR_INVAL: return "invalid input";
    case ERR_NOMEM: return "out of memory";
    case ERR_IO: return "i/o error";
    case ERR_NET: return "network error";
    case ERR_PARSE: return "parse error";
    case ERR_AWS: return "AWS error";
    case ERR_AUTH: return "authentication error";
    case ERR_CONFIG: return "configuration error";
    case ERR_NOTFOUND: return "not found";
    case ERR_THROTTLED: return "throttled";
    case ERR_CANCELLED: return "cancelled";
    case ERR_CACHE: return "cache error";
    case ERR_TOOBIG: return "too large";
    }
    return "error";
}
