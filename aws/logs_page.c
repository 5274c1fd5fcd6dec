/* logs_page.c: a dedicated reader for the one document a log sync reads most, the
 * GetLogEvents response page ({"events":[{"timestamp":..,"message":"..","ingestionTime":..}],
 * "nextForwardToken":"..","nextBackwardToken":".."}), without a DOM and without an allocation
 * per event: the body is copied once into the page's arena and each message is unescaped in
 * place there (an escape never decodes longer than it is written), so a page of 10,000 events
 * costs three allocations (arena, events array, tokens) instead of jansson's tree plus a copy
 * per message.
 *
 * Owns only this shape. Anything it does not read exactly as jansson does (an unknown member,
 * a duplicate key, a real number, a lone surrogate, invalid UTF-8, a control character in a
 * string, a token with an escape) makes it answer LOGS_PAGE_DEFER, and the caller parses the
 * body with jansson (logs_parse_get_log_events), which decides. So on every body it accepts,
 * its page equals jansson's (tests/unit/test_logs_page.c checks it on a corpus and on mutated
 * bodies; tests/fuzz/fuzz_logs_page.c under libFuzzer). It must not do I/O or print; it
 * never reads past len and does not rely on a NUL terminator. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "aws/dynbuf.h"
#include "aws/json.h"
#include "aws/logs.h"

struct rd {
    char *p, *end;          /* the arena: read pointer and end */
};

static void ws(struct rd *r)
{
    while (r->p < r->end && (*r->p == ' ' || *r->p == '\t' || *r->p == '\n' || *r->p == '\r'))
        r->p++;
}

static bool eat(struct rd *r, char c)
{
    ws(r);
    if (r->p < r->end && *r->p == c) {
        r->p++;
        return true;
    }
    return false;
}

static bool literal(struct rd *r, const char *word)
{
    size_t n = strlen(word);

    ws(r);
    if ((size_t)(r->end - r->p) < n || memcmp(r->p, word, n) != 0)
        return false;
    r->p += n;
    return true;
}

static int hex4(const char *s)
{
    int v = 0;

    for (int i = 0; i < 4; i++) {
        char c = s[i];
        v = v * 16 + (c >= '0' && c <= '9' ? c - '0' : c >= 'a' && c <= 'f' ? c - 'a' + 10
                      : c >= 'A' && c <= 'F' ? c - 'A' + 10 : -65536);
    }
    return v < 0 ? -1 : v;
}

/* Length of the valid UTF-8 sequence at s (RFC 3629: no overlong forms, no surrogates,
 * nothing past U+10FFFF), 0 when invalid. */
static size_t utf8_len(const unsigned char *s, const unsigned char *end)
{
    size_t n = s[0] >= 0xf0 ? 4 : s[0] >= 0xe0 ? 3 : 2;
    uint32_t cp;

    if (s[0] < 0xc2 || s[0] > 0xf4 || (size_t)(end - s) < n)
        return 0;
    cp = s[0] & (n == 2 ? 0x1f : n == 3 ? 0x0f : 0x07);
    for (size_t i = 1; i < n; i++) {
        if ((s[i] & 0xc0) != 0x80)
            return 0;
        cp = cp << 6 | (s[i] & 0x3f);
    }
    if ((n == 3 && (cp < 0x800 || (cp >= 0xd800 && cp <= 0xdfff))) ||
        (n == 4 && (cp < 0x10000 || cp > 0x10ffff)))
        return 0;
    return n;
}

/* Writes code point cp as UTF-8 at w; returns the bytes written. */
static size_t put_utf8(char *w, uint32_t cp)
{
    if (cp < 0x80) {
        w[0] = (char)cp;
        return 1;
    }
    if (cp < 0x800) {
        w[0] = (char)(0xc0 | cp >> 6);
        w[1] = (char)(0x80 | (cp & 0x3f));
        return 2;
    }
    if (cp < 0x10000) {
        w[0] = (char)(0xe0 | cp >> 12);
        w[1] = (char)(0x80 | (cp >> 6 & 0x3f));
        w[2] = (char)(0x80 | (cp & 0x3f));
        return 3;
    }
    w[0] = (char)(0xf0 | cp >> 18);
    w[1] = (char)(0x80 | (cp >> 12 & 0x3f));
    w[2] = (char)(0x80 | (cp >> 6 & 0x3f));
    w[3] = (char)(0x80 | (cp & 0x3f));
    return 4;
}

/* One \u escape at *s (past the backslash-u), with its low half when it is a high surrogate.
 * Returns the code point, -1 for what jansson rejects (a lone or reversed surrogate). */
static long unicode_escape(char **s, const char *end)
{
    long hi, lo;

    if (end - *s < 4 || (hi = hex4(*s)) < 0)
        return -1;
    *s += 4;
    if (hi >= 0xdc00 && hi <= 0xdfff)
        return -1;
    if (hi < 0xd800 || hi > 0xdbff)
        return hi;
    if (end - *s < 6 || (*s)[0] != '\\' || (*s)[1] != 'u' || (lo = hex4(*s + 2)) < 0 ||
        lo < 0xdc00 || lo > 0xdfff)
        return -1;
    *s += 6;
    return 0x10000 + ((hi - 0xd800) << 10) + (lo - 0xdc00);
}

/* Whether none of the 8 bytes of x needs a look: no quote, backslash, control character or
 * non-ASCII byte. Per byte, v - 0x20 and (v ^ '"') - 1 and (v ^ '\\') - 1 set the top bit
 * when v is below 0x20, a quote or a backslash; a borrow into the next byte comes only from
 * a byte already caught, so a plain word is never taken for special (and a special one is
 * only ever reported). */
static bool plain8(uint64_t x)
{
    const uint64_t lo = 0x0101010101010101ull, hi = 0x8080808080808080ull;

    return (((x - lo * 0x20) | ((x ^ lo * '"') - lo) | ((x ^ lo * '\\') - lo) | x) & hi) == 0;
}

/* A string at r->p (opening quote next), unescaped in place; *out its first byte, *n its
 * length, NUL-terminated. false: not a string, or something jansson would refuse. */
static bool string(struct rd *r, char **out, size_t *n)
{
    char *s, *w;

    if (!eat(r, '"'))
        return false;
    s = w = r->p;
    *out = w;
    while (s < r->end) {
        unsigned char c;

        /* plain text, the bulk of a message, 8 bytes at a time (moved only after an escape) */
        while (r->end - s >= 8) {
            uint64_t x;

            memcpy(&x, s, 8);
            if (!plain8(x))
                break;
            if (w != s)
                memmove(w, s, 8);
            w += 8;
            s += 8;
        }
        if (s >= r->end)
            break;
        c = (unsigned char)*s;

        if (c == '"') {
            *n = (size_t)(w - *out);
            *w = '\0';              /* w <= s: the closing quote's place at the latest */
            r->p = s + 1;
            return true;
        }
        if (c < 0x20)
            return false;
        if (c >= 0x80) {
            size_t k = utf8_len((const unsigned char *)s, (const unsigned char *)r->end);

            if (k == 0)
                return false;
            memmove(w, s, k);
            w += k;
            s += k;
            continue;
        }
        if (c != '\\') {
            *w++ = *s++;
            continue;
        }
        if (++s >= r->end)
            return false;
        switch (*s++) {
        case '"': *w++ = '"'; break;
        case '\\': *w++ = '\\'; break;
        case '/': *w++ = '/'; break;
        case 'b': *w++ = '\b'; break;
        case 'f': *w++ = '\f'; break;
        case 'n': *w++ = '\n'; break;
        case 'r': *w++ = '\r'; break;
        case 't': *w++ = '\t'; break;
        case 'u': {
            long cp = unicode_escape(&s, r->end);

            if (cp < 0)
                return false;
            w += put_utf8(w, (uint32_t)cp);
            break;
        }
        default:
            return false;
        }
    }
    return false;
}

/* An integer as jansson reads one (no fraction or exponent: those defer; at most 18 digits,
 * so it never overflows). */
static bool integer(struct rd *r, int64_t *out)
{
    char *p, *lim, *first;
    bool neg;
    int64_t v = 0;

    ws(r);
    /* a local cursor: stores through r->p would make the compiler reload it for every digit */
    p = r->p;
    neg = p < r->end && *p == '-';
    p += neg;
    if (r->end - p > 1 && p[0] == '0' && (unsigned char)(p[1] - '0') < 10)
        return false;       /* a leading zero: jansson refuses it */
    first = p;
    lim = r->end - p > 18 ? p + 18 : r->end;
    while (p < lim && (unsigned char)(*p - '0') < 10)
        v = v * 10 + (*p++ - '0');
    if (p == first || (p < r->end && ((unsigned char)(*p - '0') < 10 || *p == '.' ||
                                      *p == 'e' || *p == 'E')))
        return false;       /* none, a 19th digit, a fraction or an exponent */
    r->p = p;
    *out = neg ? -v : v;
    return true;
}

/* A member name: ASCII without escapes (every name of this shape). */
static bool key(struct rd *r, const char **out, size_t *n)
{
    char *k;

    if (!string(r, &k, n) || memchr(k, '\\', *n) != NULL || !eat(r, ':'))
        return false;
    *out = k;
    return true;
}

#define IS(k, n, lit) ((n) == sizeof(lit) - 1 && memcmp((k), (lit), (n)) == 0)

/* One event object. */
static bool event(struct rd *r, struct logs_event *ev)
{
    unsigned seen = 0;
    const char *k;
    size_t n;

    memset(ev, 0, sizeof(*ev));
    if (!eat(r, '{'))
        return false;
    if (eat(r, '}'))
        return false;               /* no timestamp: jansson's path says so */
    do {
        unsigned bit;

        if (!key(r, &k, &n))
            return false;
        bit = IS(k, n, "timestamp") ? 1 : IS(k, n, "message") ? 2 : IS(k, n, "ingestionTime") ? 4
                                                                                              : 0;
        if (bit == 0 || (seen & bit) != 0)
            return false;           /* unknown or duplicate member */
        seen |= bit;
        if (bit == 1 && !integer(r, &ev->timestamp_ms))
            return false;
        if (bit == 4 && !literal(r, "null") && !integer(r, &ev->ingestion_time_ms))
            return false;
        if (bit == 2 && !literal(r, "null") && !string(r, &ev->message, &ev->message_len))
            return false;
    } while (eat(r, ','));
    if (!eat(r, '}') || !(seen & 1))
        return false;
    if (ev->message_len > LOGS_MESSAGE_MAX) {
        ev->message_len = LOGS_MESSAGE_MAX;
        ev->message[LOGS_MESSAGE_MAX] = '\0';
        ev->truncated = true;
    }
    return true;
}

static bool events(struct rd *r, struct logs_event_page *p, size_t *cap)
{
    if (literal(r, "null"))
        return true;
    if (!eat(r, '['))
        return false;
    if (eat(r, ']'))
        return true;
    do {
        if (vec_grow((void **)&p->events, cap, p->count + 1, sizeof(*p->events)) != 0)
            return false;
        if (!event(r, &p->events[p->count]))
            return false;
        p->count++;
    } while (eat(r, ','));
    return eat(r, ']');
}

/* A token: null, or a string of at most LOGS_TOKEN_MAX bytes without NUL, copied out. */
static bool token(struct rd *r, char **out)
{
    char *s;
    size_t n;

    if (literal(r, "null"))
        return true;
    if (!string(r, &s, &n) || n > LOGS_TOKEN_MAX || memchr(s, '\0', n) != NULL)
        return false;
    *out = strdup(s);
    return *out != NULL;
}

/* Empty messages (null or absent) point at the arena's last byte, a NUL. */
static void empty_messages(struct logs_event_page *p, char *nul)
{
    for (size_t i = 0; i < p->count; i++)
        if (p->events[i].message == NULL)
            p->events[i].message = nul;
}

/* Reads the page at arena (len bytes and a NUL: the body's copy, unescaped in place) into *out;
 * its events array is *evs (*cap entries, grown as needed, the caller's either way). */
static int page_read(char *arena, size_t len, struct logs_event **evs, size_t *cap,
                     const char *sent_token, struct logs_event_page *out)
{
    struct logs_event_page p = { 0 };
    struct rd r = { arena, arena + len };
    unsigned seen = 0;
    size_t n;
    const char *k;
    bool ok = eat(&r, '{');

    p.events = *evs;
    if (ok && !eat(&r, '}')) {
        do {
            unsigned bit;

            if (!(ok = key(&r, &k, &n)))
                break;
            bit = IS(k, n, "events") ? 1 : IS(k, n, "nextForwardToken") ? 2
                : IS(k, n, "nextBackwardToken") ? 4 : 0;
            if (!(ok = bit != 0 && (seen & bit) == 0))
                break;
            seen |= bit;
            ok = bit == 1 ? events(&r, &p, cap)
                 : token(&r, bit == 2 ? &p.next_forward_token : &p.next_backward_token);
        } while (ok && eat(&r, ','));
        ok = ok && eat(&r, '}');
    }
    ws(&r);
    *evs = p.events;
    if (!ok || r.p != r.end) {
        free(p.next_forward_token);
        free(p.next_backward_token);
        return LOGS_PAGE_DEFER;
    }
    p.arena = arena;
    empty_messages(&p, arena + len);
    p.caught_up = sent_token != NULL && p.next_forward_token != NULL &&
                  strcmp(sent_token, p.next_forward_token) == 0;
    *out = p;
    return 0;
}

int logs_page_read(const char *body, size_t len, const char *sent_token,
                   struct logs_event_page *out, struct err *e)
{
    struct logs_event *ev = NULL;
    size_t cap = 0;
    char *arena;
    int rc;

    if (body == NULL || len == 0 || len > JSON_DOC_MAX_BYTES)
        return LOGS_PAGE_DEFER;
    if ((arena = malloc(len + 1)) == NULL)
        return err_set(e, ERR_NOMEM, "out of memory reading a log page");
    memcpy(arena, body, len);
    arena[len] = '\0';
    if ((rc = page_read(arena, len, &ev, &cap, sent_token, out)) != 0) {
        free(arena);
        free(ev);
    }
    return rc;
}

int logs_page_read_kept(const char *body, size_t len, const char *sent_token,
                        struct aws_page_store *ps, struct logs_event_page *out, struct err *e)
{
    int rc;

    if (body == NULL || len == 0 || len > JSON_DOC_MAX_BYTES)
        return LOGS_PAGE_DEFER;
    if (ps->arena_cap < len + 1) {
        /* doubled, so that pages a little longer each time do not each get a new one; the
         * old contents do not matter: no realloc copy */
        size_t cap = ps->arena_cap * 2 > len + 1 ? ps->arena_cap * 2 : len + 1;

        free(ps->arena);
        ps->arena_cap = 0;
        if ((ps->arena = malloc(cap)) == NULL)
            return err_set(e, ERR_NOMEM, "out of memory reading a log page");
        ps->arena_cap = cap;
    }
    memcpy(ps->arena, body, len);
    ps->arena[len] = '\0';
    rc = page_read(ps->arena, len, &ps->events, &ps->events_cap, sent_token, out);
    if (rc == 0)
        out->kept = true;
    return rc;
}

int logs_parse_get_log_events_fast(const char *json, size_t len, const char *sent_token,
                                   struct logs_event_page *out, struct err *e)
{
    int rc = logs_page_read(json, len, sent_token, out, e);

    if (rc != LOGS_PAGE_DEFER)
        return rc;
    return logs_parse_get_log_events(json, len, sent_token, out, e);
}
