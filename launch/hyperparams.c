/* hyperparams.c: hyperparameters as the SageMaker Python SDK sends them
 * (EstimatorBase._json_encode_hyperparameters): every value is the text of Python's
 * json.dumps(value), with its ", " and ": " separators, ensure_ascii escapes and repr() floats,
 * so a request built here is byte for byte the SDK's.
 *
 * Owns: the Python-compatible JSON encoder and the helpers that put encoded values into a
 * request's HyperParameters. Must not: decide which hyperparameters a request has (request.c,
 * relaunch.c), do I/O or print. Text is built in an aws/dynbuf.h buffer. */
#include <ctype.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "aws/dynbuf.h"
#include "launch/estimator_internal.h"

/* repr(float): the shortest digits that read back, fixed notation for 1e-4 <= |d| < 1e16. */
void estimator_py_float(double d, char *out, size_t size)
{
    char tmp[40], digits[24];
    int prec, exp10, nd = 0;
    const char *p;
    size_t o = 0;

    if (isnan(d)) {
        snprintf(out, size, "NaN");
        return;
    }
    if (isinf(d)) {
        snprintf(out, size, d > 0 ? "Infinity" : "-Infinity");
        return;
    }
    for (prec = 1; prec <= 17; prec++) {
        snprintf(tmp, sizeof(tmp), "%.*e", prec - 1, d);
        if (strtod(tmp, NULL) == d)
            break;
    }
    p = tmp;
    if (*p == '-') {
        out[o++] = '-';
        p++;
    }
    for (; *p && *p != 'e'; p++)
        if (isdigit((unsigned char)*p))
            digits[nd++] = *p;
    digits[nd] = '\0';
    exp10 = atoi(p + 1);
    while (nd > 1 && digits[nd - 1] == '0')
        digits[--nd] = '\0';
    if (exp10 >= -4 && exp10 < 16) {
        if (exp10 >= 0) {
            for (int i = 0; i <= exp10; i++)
                out[o++] = i < nd ? digits[i] : '0';
            out[o++] = '.';
            if (nd > exp10 + 1)
                for (int i = exp10 + 1; i < nd; i++)
                    out[o++] = digits[i];
            else
                out[o++] = '0';
        } else {
            out[o++] = '0';
            out[o++] = '.';
            for (int i = 0; i < -exp10 - 1; i++)
                out[o++] = '0';
            for (int i = 0; i < nd; i++)
                out[o++] = digits[i];
        }
        out[o] = '\0';
    } else {
        out[o++] = digits[0];
        if (nd > 1) {
            out[o++] = '.';
            for (int i = 1; i < nd; i++)
                out[o++] = digits[i];
        }
        snprintf(out + o, size - o, "e%c%02d", exp10 < 0 ? '-' : '+', abs(exp10));
    }
}

static void py_string(struct dynbuf *b, const char *s, size_t len)
{
    char u[16];

    dynbuf_add(b, "\"", 1);
    for (size_t i = 0; i < len;) {
        unsigned char c = (unsigned char)s[i];
        uint32_t cp;
        size_t n;

        if (c < 0x80) {
            i++;
            switch (c) {
            case '"': dynbuf_addstr(b, "\\\""); break;
            case '\\': dynbuf_addstr(b, "\\\\"); break;
            case '\n': dynbuf_addstr(b, "\\n"); break;
            case '\r': dynbuf_addstr(b, "\\r"); break;
            case '\t': dynbuf_addstr(b, "\\t"); break;
            case '\b': dynbuf_addstr(b, "\\b"); break;
            case '\f': dynbuf_addstr(b, "\\f"); break;
            default:
                if (c < 0x20) {
                    snprintf(u, sizeof(u), "\\u%04x", c);
                    dynbuf_addstr(b, u);
                } else {
                    dynbuf_add(b, (const char *)&c, 1);
                }
            }
            continue;
        }
        /* jansson strings are valid UTF-8 */
        n = c >= 0xf0 ? 4 : c >= 0xe0 ? 3 : 2;
        cp = c & (n == 4 ? 0x07 : n == 3 ? 0x0f : 0x1f);
        for (size_t k = 1; k < n && i + k < len; k++)
            cp = (cp << 6) | ((unsigned char)s[i + k] & 0x3f);
        i += n;
        if (cp >= 0x10000) {
            cp -= 0x10000;
            snprintf(u, sizeof(u), "\\u%04x\\u%04x", 0xd800 + (cp >> 10), 0xdc00 + (cp & 0x3ff));
        } else {
            snprintf(u, sizeof(u), "\\u%04x", cp);
        }
        dynbuf_addstr(b, u);
    }
    dynbuf_add(b, "\"", 1);
}

/* ---- Integers beyond int64 ------------------------------------------------------------------
 * jansson refuses them ("too big integer"; JSON_DECODE_INT_AS_REAL would lose digits) while
 * Python's json reads any int and json.dumps writes its digits back. estimator_json_loadb()
 * keeps such a literal as a string of a NUL followed by its digits: a value no spec can hold,
 * since a "\u0000" in the text is refused as jansson refuses it. */

/* Where a number token that starts at s ends; *integer: no fraction, no exponent. */
static size_t number_end(const char *s, size_t len, bool *integer)
{
    size_t i = s[0] == '-' ? 1 : 0;

    *integer = true;
    while (i < len && (isdigit((unsigned char)s[i]) || strchr(".eE+-", s[i]))) {
        if (!isdigit((unsigned char)s[i]))
            *integer = *integer && (s[i] == '-' && i == 0);
        i++;
    }
    return i;
}

static bool beyond_int64(const char *s, size_t n)
{
    size_t digits = n - (s[0] == '-');
    const char *d = s + (s[0] == '-');
    const char *lim = s[0] == '-' ? "9223372036854775808" : "9223372036854775807";

    return digits > 19 || (digits == 19 && strncmp(d, lim, 19) > 0);
}

/* The text with each integer beyond int64 rewritten as "\u0000<digits>"; NULL when there is
 * none, or the text has a \u0000 of its own. */
static char *quote_big_integers(const char *text, size_t len)
{
    struct dynbuf b;
    bool in_string = false, found = false;
    size_t i = 0, start = 0;

    dynbuf_init(&b, 0);
    while (i < len) {
        char c = text[i];

        if (in_string) {
            if (c == '\\' && i + 1 < len) {
                if (len - i >= 6 && strncmp(text + i, "\\u0000", 6) == 0)
                    goto none;
                i += 2;
                continue;
            }
            in_string = c != '"';
            i++;
        } else if (c == '"') {
            in_string = true;
            i++;
        } else if (c == '-' || isdigit((unsigned char)c)) {
            bool integer;
            size_t n = number_end(text + i, len - i, &integer);

            if (integer && beyond_int64(text + i, n)) {
                dynbuf_add(&b, text + start, i - start);
                dynbuf_printf(&b, "\"\\u0000%.*s\"", (int)n, text + i);
                start = i + n;
                found = true;
            }
            i += n;
        } else {
            i++;
        }
    }
    dynbuf_add(&b, text + start, len - start);
    if (found && b.err == 0)
        return dynbuf_take(&b);
none:
    dynbuf_free(&b);
    return NULL;
}

json_t *estimator_json_loadb(const char *text, size_t len, size_t flags, json_error_t *je)
{
    json_t *v = json_loadb(text, len, flags, je);
    char *quoted;

    if (v != NULL || (quoted = quote_big_integers(text, len)) == NULL)
        return v;
    v = json_loads(quoted, flags | JSON_ALLOW_NUL, NULL);
    free(quoted);
    return v;
}

const char *estimator_json_big_integer(const json_t *v)
{
    const char *s = json_string_value(v);

    return s && json_string_length(v) > 1 && s[0] == '\0' ? s + 1 : NULL;
}

char *estimator_json_dumps(const json_t *v, size_t flags)
{
    char *text = json_dumps(v, flags);
    char *out, *r, *w;

    if (text == NULL || strstr(text, "\"\\u0000") == NULL)
        return text;
    /* "\u0000<digits>" back to the digits (a \u0000 is never anything else, see above) */
    out = text;
    for (r = w = text; *r;) {
        if (strncmp(r, "\"\\u0000", 7) == 0) {
            r += 7;
            while (*r && *r != '"')
                *w++ = *r++;
            if (*r == '"')
                r++;
        } else {
            *w++ = *r++;
        }
    }
    *w = '\0';
    return out;
}

static void py_value(struct dynbuf *b, const json_t *v)
{
    char num[64];

    if (estimator_json_big_integer(v)) {
        dynbuf_addstr(b, estimator_json_big_integer(v));
        return;
    }
    switch (json_typeof(v)) {
    case JSON_OBJECT: {
        const char *k;
        json_t *x;
        bool first = true;

        dynbuf_addstr(b, "{");
        json_object_foreach((json_t *)v, k, x) {
            if (!first)
                dynbuf_addstr(b, ", ");
            first = false;
            py_string(b, k, strlen(k));
            dynbuf_addstr(b, ": ");
            py_value(b, x);
        }
        dynbuf_addstr(b, "}");
        break;
    }
    case JSON_ARRAY: {
        size_t i;
        json_t *x;

        dynbuf_addstr(b, "[");
        json_array_foreach(v, i, x) {
            if (i > 0)
                dynbuf_addstr(b, ", ");
            py_value(b, x);
        }
        dynbuf_addstr(b, "]");
        break;
    }
    case JSON_STRING:
        py_string(b, json_string_value(v), json_string_length(v));
        break;
    case JSON_INTEGER:
        snprintf(num, sizeof(num), "%" JSON_INTEGER_FORMAT, json_integer_value(v));
        dynbuf_addstr(b, num);
        break;
    case JSON_REAL:
        estimator_py_float(json_real_value(v), num, sizeof(num));
        dynbuf_addstr(b, num);
        break;
    case JSON_TRUE:
        dynbuf_addstr(b, "true");
        break;
    case JSON_FALSE:
        dynbuf_addstr(b, "false");
        break;
    case JSON_NULL:
        dynbuf_addstr(b, "null");
        break;
    }
}

char *estimator_py_json(const json_t *value)
{
    struct dynbuf b;

    dynbuf_init(&b, 0);
    py_value(&b, value);
    return dynbuf_take(&b);
}

char *estimator_hp_encode(const char *text)
{
    json_t *v = estimator_json_loadb(text, strlen(text), JSON_DECODE_ANY, NULL);
    char *out;

    if (v == NULL)
        v = json_string(text);
    if (v == NULL)
        return NULL;
    out = estimator_py_json(v);
    json_decref(v);
    return out;
}


int estimator_set_new(json_t *o, const char *k, json_t *v)
{
    return v == NULL ? ERR_NOMEM : json_object_set_new(o, k, v) == 0 ? 0 : ERR_NOMEM;
}

int estimator_set_hp(json_t *hps, const char *k, const char *text)
{
    char *enc = estimator_hp_encode(text);
    int rc;

    if (enc == NULL)
        return ERR_NOMEM;
    rc = estimator_set_new(hps, k, json_string(enc));
    free(enc);
    return rc;
}

/* A Python value as the SDK would write it into a hyperparameter: a string gets quoted. */
int estimator_set_hp_string(json_t *hps, const char *k, const char *s)
{
    json_t *v = json_string(s);
    char *enc = v ? estimator_py_json(v) : NULL;
    int rc = enc ? estimator_set_new(hps, k, json_string(enc)) : ERR_NOMEM;

    json_decref(v);
    free(enc);
    return rc;
}
