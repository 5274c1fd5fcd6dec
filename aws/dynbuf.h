/* dynbuf.h: one capped growable byte buffer and one array-growth helper, for every module.
 *
 * Like curl's dynbuf: a buffer with a hard cap (network-fed text never grows without bound),
 * always NUL-terminated once anything was added, that remembers its first failure so a builder
 * can append many pieces and check once at the end. Lives in aws/ because aws/ is the lowest
 * module; metrics/, cache/, launch/, tui/ and cli/ include it the way they include err.h.
 * Pure and thread-compatible: a dynbuf belongs to whoever initialised it. */
#ifndef SAGETOP_DYNBUF_H
#define SAGETOP_DYNBUF_H

#include <stdarg.h>
#include <stddef.h>

struct dynbuf {
    char *p;        /* NULL until the first append; NUL-terminated after it */
    size_t len;     /* bytes held, not counting the NUL */
    size_t cap;     /* bytes allocated */
    size_t max;     /* hard cap on len + 1 */
    int err;        /* first failure: ERR_NOMEM, or ERR_TOOBIG when max was hit; 0 otherwise */
};

#define DYNBUF_MAX_DEFAULT ((size_t)64 << 20)

/* Prepares b, empty, capped at max bytes (0 = DYNBUF_MAX_DEFAULT). Allocates nothing. */
void dynbuf_init(struct dynbuf *b, size_t max);
/* Frees b's storage (wiping it first when wipe is set: secrets) and leaves b empty, reusable. */
void dynbuf_free(struct dynbuf *b);
void dynbuf_free_wipe(struct dynbuf *b);
/* Empties b but keeps its storage and its cap; clears the failure. */
void dynbuf_reset(struct dynbuf *b);

/* Appends; return 0 or b->err (the first failure sticks and later appends do nothing). */
int dynbuf_add(struct dynbuf *b, const void *s, size_t n);
int dynbuf_addstr(struct dynbuf *b, const char *s);
int dynbuf_addc(struct dynbuf *b, char c);
int dynbuf_printf(struct dynbuf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
int dynbuf_vprintf(struct dynbuf *b, const char *fmt, va_list ap)
    __attribute__((format(printf, 2, 0)));
/* Cuts b to its first len bytes (len <= b->len). */
void dynbuf_truncate(struct dynbuf *b, size_t len);

/* The text ("" when nothing was added, never NULL); borrowed, valid until the next append. */
const char *dynbuf_str(const struct dynbuf *b);
/* Hands the storage to the caller (free() it; a malloc'ed "" when empty) and empties b.
 * NULL (and b freed) when b failed or the allocation fails. */
char *dynbuf_take(struct dynbuf *b);

/* Grows an array *items of *cap elements of elem bytes so that it holds at least need, doubling
 * from 16. Returns 0, or ERR_NOMEM leaving *items and *cap as they were. For the
 * "if (n == cap) realloc" sites: vec_grow((void **)&v->items, &v->cap, v->n + 1, sizeof *v->items). */
int vec_grow(void **items, size_t *cap, size_t need, size_t elem);
/* vsnprintf into a fixed buffer of size bytes (size > 0), for a line that is cut rather than
 * grown (a report row, a screen cell): returns the length kept, at most size - 1; on an encoding
 * error 0 and buf "". */
size_t fmt_fixed(char *buf, size_t size, const char *fmt, va_list ap)
    __attribute__((format(printf, 3, 0)));

#endif
