/* dynbuf.c: the capped growable buffer and the array-growth helper (see dynbuf.h).
 * Owns nothing beyond the storage it is handed; never prints. */
#include "aws/dynbuf.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/crypto.h>

#include "aws/err.h"

void dynbuf_init(struct dynbuf *b, size_t max)
{
    b->p = NULL;
    b->len = 0;
    b->cap = 0;
    b->max = max ? max : DYNBUF_MAX_DEFAULT;
    b->err = 0;
}

void dynbuf_free(struct dynbuf *b)
{
    free(b->p);
    dynbuf_init(b, b->max);
}

void dynbuf_free_wipe(struct dynbuf *b)
{
    if (b->p != NULL)
        OPENSSL_cleanse(b->p, b->cap);
    dynbuf_free(b);
}

void dynbuf_reset(struct dynbuf *b)
{
    b->len = 0;
    b->err = 0;
    if (b->p != NULL)
        b->p[0] = '\0';
}

static int dynbuf_reserve(struct dynbuf *b, size_t need)
{
    size_t ncap;
    char *np;

    if (need <= b->cap)
        return 0;
    ncap = b->cap ? b->cap : 64;
    while (ncap < need)
        ncap = ncap > SIZE_MAX / 2 ? need : ncap * 2;
    if (ncap > b->max)
        ncap = b->max;
    np = realloc(b->p, ncap);
    if (np == NULL)
        return b->err = ERR_NOMEM;
    b->p = np;
    b->cap = ncap;
    return 0;
}

int dynbuf_add(struct dynbuf *b, const void *s, size_t n)
{
    if (b->err != 0)
        return b->err;
    if (n > b->max || b->len + 1 > b->max - n)
        return b->err = ERR_TOOBIG;
    if (dynbuf_reserve(b, b->len + n + 1) != 0)
        return b->err;
    if (n > 0)
        memcpy(b->p + b->len, s, n);
    b->len += n;
    b->p[b->len] = '\0';
    return 0;
}

int dynbuf_addstr(struct dynbuf *b, const char *s)
{
    return dynbuf_add(b, s, strlen(s));
}

int dynbuf_addc(struct dynbuf *b, char c)
{
    return dynbuf_add(b, &c, 1);
}

int dynbuf_vprintf(struct dynbuf *b, const char *fmt, va_list ap)
{
    va_list ap2;
    int n;

    if (b->err != 0)
        return b->err;
    va_copy(ap2, ap);
    n = vsnprintf(NULL, 0, fmt, ap2);
    va_end(ap2);
    if (n < 0)
        return b->err = ERR_INVAL;
    if ((size_t)n > b->max || b->len + 1 > b->max - (size_t)n)
        return b->err = ERR_TOOBIG;
    if (dynbuf_reserve(b, b->len + (size_t)n + 1) != 0)
        return b->err;
    vsnprintf(b->p + b->len, (size_t)n + 1, fmt, ap);
    b->len += (size_t)n;
    return 0;
}

int dynbuf_printf(struct dynbuf *b, const char *fmt, ...)
{
    va_list ap;
    int rc;

    va_start(ap, fmt);
    rc = dynbuf_vprintf(b, fmt, ap);
    va_end(ap);
    return rc;
}

void dynbuf_truncate(struct dynbuf *b, size_t len)
{
    if (len < b->len) {
        b->len = len;
        b->p[len] = '\0';
    }
}

const char *dynbuf_str(const struct dynbuf *b)
{
    return b->p != NULL ? b->p : "";
}

char *dynbuf_take(struct dynbuf *b)
{
    char *p;

    if (b->err != 0) {
        dynbuf_free(b);
        return NULL;
    }
    p = b->p != NULL ? b->p : strdup("");
    dynbuf_init(b, b->max);
    return p;
}

int vec_grow(void **items, size_t *cap, size_t need, size_t elem)
{
    size_t ncap;
    void *np;

    if (need <= *cap)
        return 0;
    ncap = *cap ? *cap : 16;
    while (ncap < need) {
        if (ncap > SIZE_MAX / 2)
            return ERR_NOMEM;
        ncap *= 2;
    }
    if (elem != 0 && ncap > SIZE_MAX / elem)
        return ERR_NOMEM;
    np = realloc(*items, ncap * elem);
    if (np == NULL)
        return ERR_NOMEM;
    *items = np;
    *cap = ncap;
    return 0;
}

size_t fmt_fixed(char *buf, size_t size, const char *fmt, va_list ap)
{
    int n = vsnprintf(buf, size, fmt, ap);

    if (n < 0) {
        buf[0] = '\0';
        return 0;
    }
    return (size_t)n < size ? (size_t)n : size - 1;
}
