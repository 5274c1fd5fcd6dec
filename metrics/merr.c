/* merr.c: the struct err filler metrics/ uses (see merr.h for why it is not aws/err.c's). */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "metrics/merr.h"

int merr_set(struct err *e, int code, const char *fmt, ...)
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

void merr_prefix(struct err *e, const char *fmt, ...)
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
    if (n >= 0 && (size_t)n + 2 < sizeof(e->msg)) {
        size_t left = sizeof(e->msg) - (size_t)n - 2;
        size_t ol = strnlen(old, sizeof(old) - 1);

        e->msg[n] = ':';
        e->msg[n + 1] = ' ';
        if (ol > left - 1)
            ol = left - 1;
        memcpy(e->msg + n + 2, old, ol);
        e->msg[n + 2 + ol] = '\0';
    }
}
