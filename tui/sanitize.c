/* sanitize.c: makes untrusted text safe for the terminal. Owns nothing; must not allocate or
 * touch curses, so it can be unit-tested and used from the worker thread alike. Everything
 * that reaches the screen from the network goes through sanitize_text() first. */
#include "tui/sanitize.h"

#include <string.h>
#include <wchar.h>

size_t utf8_decode(const char *str, size_t len, int32_t *cp)
{
    const unsigned char *s = (const unsigned char *)str;
    unsigned char c = s[0];
    size_t need, i;
    int32_t v;
    unsigned char lo = 0x80, hi = 0xBF;

    if (c < 0x80) {
        *cp = c;
        return 1;
    }
    if (c >= 0xC2 && c <= 0xDF) {
        need = 1;
        v = c & 0x1F;
    } else if (c >= 0xE0 && c <= 0xEF) {
        need = 2;
        v = c & 0x0F;
        if (c == 0xE0)
            lo = 0xA0;          /* overlong */
        else if (c == 0xED)
            hi = 0x9F;          /* surrogates */
    } else if (c >= 0xF0 && c <= 0xF4) {
        need = 3;
        v = c & 0x07;
        if (c == 0xF0)
            lo = 0x90;          /* overlong */
        else if (c == 0xF4)
            hi = 0x8F;          /* above U+10FFFF */
    } else {
        *cp = -1;
        return 1;
    }
    for (i = 1; i <= need; i++) {
        unsigned char b;

        if (i >= len) {
            *cp = -1;
            return i;
        }
        b = s[i];
        if (b < lo || b > hi) {
            *cp = -1;
            return i;
        }
        lo = 0x80;
        hi = 0xBF;
        v = (v << 6) | (b & 0x3F);
    }
    *cp = v;
    return need + 1;
}

static size_t utf8_encode(int32_t cp, char *out)
{
    if (cp < 0x80) {
        out[0] = (char)cp;
        return 1;
    }
    if (cp < 0x800) {
        out[0] = (char)(0xC0 | (cp >> 6));
        out[1] = (char)(0x80 | (cp & 0x3F));
        return 2;
    }
    if (cp < 0x10000) {
        out[0] = (char)(0xE0 | (cp >> 12));
        out[1] = (char)(0x80 | ((cp >> 6) & 0x3F));
        out[2] = (char)(0x80 | (cp & 0x3F));
        return 3;
    }
    out[0] = (char)(0xF0 | (cp >> 18));
    out[1] = (char)(0x80 | ((cp >> 12) & 0x3F));
    out[2] = (char)(0x80 | ((cp >> 6) & 0x3F));
    out[3] = (char)(0x80 | (cp & 0x3F));
    return 4;
}

/* Length of the escape sequence starting with ESC at s[0] (the whole of it, so that none of
 * its parameters leak as text). An unterminated string sequence swallows the rest. */
static size_t escape_len(const unsigned char *s, size_t len)
{
    size_t i;

    if (len < 2)
        return len;
    switch (s[1]) {
    case '[':           /* CSI: parameters 0x30-0x3F, intermediates 0x20-0x2F, final 0x40-0x7E */
        for (i = 2; i < len; i++) {
            if (s[i] >= 0x40 && s[i] <= 0x7E)
                return i + 1;
            if (s[i] < 0x20 || s[i] > 0x3F) {
                if (!(s[i] >= 0x20 && s[i] <= 0x2F))
                    return i;   /* malformed: drop what we saw, keep the byte */
            }
        }
        return len;
    case ']':           /* OSC: ends with BEL or ST (ESC \) */
    case 'P':           /* DCS */
    case 'X':           /* SOS */
    case '^':           /* PM */
    case '_':           /* APC */
        for (i = 2; i < len; i++) {
            if (s[i] == 0x07)
                return i + 1;
            if (s[i] == 0x1B && i + 1 < len && s[i + 1] == '\\')
                return i + 2;
        }
        return len;
    default:
        /* nF sequences: intermediates then a final byte; else a two-byte sequence */
        i = 1;
        while (i < len && s[i] >= 0x20 && s[i] <= 0x2F)
            i++;
        if (i < len && s[i] >= 0x30 && s[i] <= 0x7E)
            return i + 1;
        return i;
    }
}

static bool is_bidi_control(int32_t cp)
{
    return (cp >= 0x202A && cp <= 0x202E) || (cp >= 0x2066 && cp <= 0x2069) ||
           cp == 0x200E || cp == 0x200F || cp == 0x061C;
}

size_t sanitize_text(const char *in, size_t len, char *out, size_t cap, unsigned flags)
{
    const unsigned char *s = (const unsigned char *)in;
    size_t start = 0, end = len, i, o = 0;
    int col = 0;

    if (cap == 0)
        return 0;
    /* A trailing CR/LF ends the line; the last CR before that starts the last redraw. */
    while (end > 0 && (s[end - 1] == '\r' || s[end - 1] == '\n'))
        end--;
    for (i = end; i > 0; i--) {
        if (s[i - 1] == '\r') {
            start = i;
            break;
        }
    }
    i = start;
    while (i < end) {
        char buf[8];
        size_t n = 0, adv;
        int32_t cp;

        if (s[i] == 0x1B) {
            i += escape_len(s + i, end - i);
            continue;
        }
        adv = utf8_decode((const char *)s + i, end - i, &cp);
        i += adv;
        if (cp == '\t' && !(flags & SANITIZE_KEEP_TABS)) {
            int spaces = 8 - (col % 8);

            if (o + (size_t)spaces >= cap)
                break;
            memset(out + o, ' ', (size_t)spaces);
            o += (size_t)spaces;
            col += spaces;
            continue;
        }
        if (cp == '\t') {
            buf[n++] = '\t';
        } else if (cp >= 0 && (cp < 0x20 || cp == 0x7F || (cp >= 0x80 && cp < 0xA0))) {
            continue;           /* C0, DEL, C1 (0x9B is a one-byte CSI): never drawn */
        } else if (cp < 0 || is_bidi_control(cp)) {
            cp = 0xFFFD;
        }
        if (n == 0) {
            if (cp >= 0x80 && (flags & SANITIZE_ASCII))
                buf[n++] = '?';
            else
                n = utf8_encode(cp, buf);
        }
        if (o + n >= cap)
            break;
        memcpy(out + o, buf, n);
        o += n;
        col++;
    }
    out[o] = '\0';
    return o;
}

static int cp_width(int32_t cp)
{
    int w;

    if (cp < 0)
        return 1;
    if (cp < 0x7F)
        return cp >= 0x20 ? 1 : 0;
    w = wcwidth((wchar_t)cp);
    return w < 0 ? 1 : w;
}

int utf8_width(const char *s, size_t len)
{
    int used;

    utf8_fit(s, len, 1 << 30, &used);
    return used;
}

size_t utf8_fit(const char *s, size_t len, int cols, int *used)
{
    size_t i = 0;
    int w = 0;

    while (i < len) {
        int32_t cp;
        size_t n = utf8_decode(s + i, len - i, &cp);
        int cw = cp_width(cp);

        if (w + cw > cols)
            break;
        w += cw;
        i += n;
    }
    if (used)
        *used = w;
    return i;
}

size_t utf8_offset_at_col(const char *s, size_t len, int col)
{
    size_t i = 0;
    int w = 0;

    while (i < len && w < col) {
        int32_t cp;
        size_t n = utf8_decode(s + i, len - i, &cp);

        w += cp_width(cp);
        i += n;
    }
    return i;
}

void str_copy(char *dst, size_t size, const char *src)
{
    size_t n = strlen(src);

    if (n >= size) {
        n = size - 1;
        while (n > 0 && ((unsigned char)src[n] & 0xC0) == 0x80)
            n--;
    }
    memcpy(dst, src, n);
    dst[n] = '\0';
}
