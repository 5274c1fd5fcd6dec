/* json.c: typed getters over jansson and the ISO 8601 conversions the service files and the
 * commands share. Owns no state; must not print, exit or keep references to its inputs. */
#include "aws/json.h"

#include <ctype.h>
#include <float.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "aws/dynbuf.h"

int json_parse_object(const char *doc, size_t len, const char *what, json_t **out,
                      struct err *e)
{
    json_error_t jerr;
    json_t *root;

    if (doc == NULL && len > 0)
        return err_set(e, ERR_INVAL, "%s: no document", what);
    if (len > JSON_DOC_MAX_BYTES)
        return err_set(e, ERR_TOOBIG, "%s: %zu bytes is over the %u-byte cap", what, len,
                       JSON_DOC_MAX_BYTES);
    root = json_loadb(doc != NULL ? doc : "", len, JSON_ALLOW_NUL | JSON_REJECT_DUPLICATES,
                      &jerr);
    if (root == NULL)
        return err_set(e, ERR_PARSE, "%s: malformed JSON at byte %d: %s", what, jerr.position,
                       jerr.text);
    if (!json_is_object(root)) {
        json_decref(root);
        return err_set(e, ERR_PARSE, "%s: malformed JSON at byte 0: not an object", what);
    }
    *out = root;
    return 0;
}

int json_parse_doc(const char *doc, size_t len, const char *what, json_doc_fn fn, void *out,
                   struct err *e)
{
    json_t *root;
    int rc = json_parse_object(doc, len, what, &root, e);

    if (rc != 0)
        return rc;
    rc = fn(root, out, e);
    if (rc != 0 && rc != ERR_NOMEM)
        err_prefix(e, "%s", what);
    json_decref(root);
    return rc;
}

/* The member, or NULL when absent or null. */
static json_t *member(const json_t *obj, const char *key)
{
    json_t *v;

    if (!json_is_object(obj))
        return NULL;
    v = json_object_get(obj, key);
    return json_is_null(v) ? NULL : v;
}

static int wrong_type(struct err *e, const char *key, const char *want)
{
    return err_set(e, ERR_PARSE, "member \"%s\" is not %s", key, want);
}

int json_get_str(const json_t *obj, const char *key, char *out, size_t outlen, struct err *e)
{
    json_t *v = member(obj, key);
    size_t n;

    if (v == NULL)
        return ERR_NOTFOUND;
    if (!json_is_string(v))
        return wrong_type(e, key, "a string");
    n = json_string_length(v);
    if (n >= outlen)
        return err_set(e, ERR_PARSE, "member \"%s\" is %zu bytes, over its %zu-byte cap", key,
                       n, outlen - 1);
    if (memchr(json_string_value(v), '\0', n) != NULL)
        return err_set(e, ERR_PARSE, "member \"%s\" holds a NUL byte", key);
    memcpy(out, json_string_value(v), n);
    out[n] = '\0';
    return 0;
}

int json_get_strdup(const json_t *obj, const char *key, size_t max_len, char **out,
                    size_t *len_out, struct err *e)
{
    json_t *v = member(obj, key);
    size_t n;
    char *s;

    if (v == NULL)
        return ERR_NOTFOUND;
    if (!json_is_string(v))
        return wrong_type(e, key, "a string");
    n = json_string_length(v);
    if (n > max_len)
        return err_set(e, ERR_PARSE, "member \"%s\" is %zu bytes, over its %zu-byte cap", key,
                       n, max_len);
    s = malloc(n + 1);
    if (s == NULL)
        return err_set(e, ERR_NOMEM, "out of memory copying \"%s\"", key);
    memcpy(s, json_string_value(v), n);
    s[n] = '\0';
    *out = s;
    if (len_out != NULL)
        *len_out = n;
    return 0;
}

int json_get_double(const json_t *obj, const char *key, double *out, struct err *e)
{
    json_t *v = member(obj, key);

    if (v == NULL)
        return ERR_NOTFOUND;
    if (!json_is_number(v))
        return wrong_type(e, key, "a number");
    *out = json_number_value(v);
    return 0;
}

int json_get_int64(const json_t *obj, const char *key, int64_t *out, struct err *e)
{
    json_t *v = member(obj, key);
    double d;

    if (v == NULL)
        return ERR_NOTFOUND;
    if (json_is_integer(v)) {
        *out = (int64_t)json_integer_value(v);
        return 0;
    }
    if (!json_is_real(v))
        return wrong_type(e, key, "a number");
    d = json_real_value(v);
    if (!(d > -9.2e18 && d < 9.2e18))
        return err_set(e, ERR_PARSE, "member \"%s\" is out of range", key);
    *out = (int64_t)d;
    return 0;
}

int json_get_bool(const json_t *obj, const char *key, bool *out, struct err *e)
{
    json_t *v = member(obj, key);

    if (v == NULL)
        return ERR_NOTFOUND;
    if (!json_is_boolean(v))
        return wrong_type(e, key, "a boolean");
    *out = json_is_true(v);
    return 0;
}

/* A member of JSON type t (an object or an array: what names it), borrowed. */
static int typed_member(const json_t *obj, const char *key, json_type t, const char *what,
                        json_t **out, struct err *e)
{
    json_t *v = member(obj, key);

    if (v == NULL)
        return ERR_NOTFOUND;
    if (json_typeof(v) != t)
        return wrong_type(e, key, what);
    *out = v;
    return 0;
}

int json_get_object(const json_t *obj, const char *key, json_t **out, struct err *e)
{
    return typed_member(obj, key, JSON_OBJECT, "an object", out, e);
}

int json_get_array(const json_t *obj, const char *key, json_t **out, struct err *e)
{
    return typed_member(obj, key, JSON_ARRAY, "an array", out, e);
}

char *json_iso8601(double epoch_s, char *out, size_t outlen)
{
    struct tm tm;
    time_t secs;
    double whole;
    long usec;
    char date[32];

    if (outlen == 0)
        return out;
    out[0] = '\0';
    /* years 1..9999 only: Python cannot print others either */
    if (!isfinite(epoch_s) || epoch_s < -62135596800.0 || epoch_s > 253402300799.0)
        return out;
    whole = floor(epoch_s);
    usec = lround((epoch_s - whole) * 1e6);
    if (usec >= 1000000) {
        whole += 1;
        usec -= 1000000;
    }
    secs = (time_t)whole;
    if (gmtime_r(&secs, &tm) == NULL)
        return out;
    strftime(date, sizeof(date), "%Y-%m-%dT%H:%M:%S", &tm);
    if (usec != 0)
        snprintf(out, outlen, "%s.%06ld+00:00", date, usec);
    else
        snprintf(out, outlen, "%s+00:00", date);
    return out;
}

/* Reads exactly n digits at *p into *v. */
static bool digits(const char **p, int n, int *v)
{
    int i, x = 0;

    for (i = 0; i < n; i++) {
        if (!isdigit((unsigned char)(*p)[i]))
            return false;
        x = x * 10 + ((*p)[i] - '0');
    }
    *p += n;
    *v = x;
    return true;
}

/* Days since 1970-01-01 of a proleptic Gregorian date (Howard Hinnant's algorithm). */
static long long days_from_civil(int y, int m, int d)
{
    long long era, yoe, doy, doe;

    y -= m <= 2;
    era = (y >= 0 ? y : y - 399) / 400;
    yoe = y - era * 400;
    doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
    doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return era * 146097 + doe - 719468;
}

int json_parse_iso8601(const char *s, double *out, struct err *e)
{
    const char *p = s;
    int y, mo, d, h = 0, mi = 0, sec = 0, oh = 0, om = 0, sign = 0;
    double frac = 0, scale = 0.1;
    static const int mdays[] = { 31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31 };

    if (s == NULL)
        goto bad;
    if (!digits(&p, 4, &y) || *p++ != '-' || !digits(&p, 2, &mo) || *p++ != '-' ||
        !digits(&p, 2, &d))
        goto bad;
    if (mo < 1 || mo > 12 || d < 1 || d > mdays[mo - 1])
        goto bad;
    if (*p == 'T' || *p == 't' || *p == ' ') {
        p++;
        if (!digits(&p, 2, &h) || *p++ != ':' || !digits(&p, 2, &mi))
            goto bad;
        if (*p == ':') {
            p++;
            if (!digits(&p, 2, &sec))
                goto bad;
            if (*p == '.' || *p == ',') {
                p++;
                if (!isdigit((unsigned char)*p))
                    goto bad;
                while (isdigit((unsigned char)*p)) {
                    frac += (*p - '0') * scale;
                    scale /= 10;
                    p++;
                }
            }
        }
        if (h > 23 || mi > 59 || sec > 60)
            goto bad;
        if (*p == 'Z' || *p == 'z') {
            p++;
        } else if (*p == '+' || *p == '-') {
            sign = *p++ == '-' ? -1 : 1;
            if (!digits(&p, 2, &oh))
                goto bad;
            if (*p == ':')
                p++;
            if (!digits(&p, 2, &om) || oh > 23 || om > 59)
                goto bad;
        }
    }
    if (*p != '\0')
        goto bad;
    *out = (double)(days_from_civil(y, mo, d) * 86400LL + h * 3600LL + mi * 60LL + sec) + frac -
           sign * (oh * 3600.0 + om * 60.0);
    return 0;
bad:
    return err_set(e, ERR_INVAL, "\"%s\" is not an ISO 8601 date (2026-11-20 or "
                   "2026-11-20T10:11:12Z)", s != NULL ? s : "");
}

int json_get_time(const json_t *obj, const char *key, double *out, struct err *e)
{
    json_t *v = member(obj, key);
    double t;

    if (v == NULL)
        return ERR_NOTFOUND;
    if (json_is_number(v)) {
        *out = json_number_value(v);
        return 0;
    }
    if (json_is_string(v) && json_parse_iso8601(json_string_value(v), &t, NULL) == 0) {
        *out = t;
        return 0;
    }
    return wrong_type(e, key, "a timestamp");
}

int json_required(int rc, const char *key, struct err *e)
{
    if (rc == ERR_NOTFOUND)
        return err_set(e, ERR_PARSE, "member \"%s\" is missing", key);
    return rc;
}

/* ---- exact serialisation --------------------------------------------------------------- */

/* The text grows in a struct dynbuf capped at JSON_DOC_MAX_BYTES (NUL included). */
static void db_put(struct dynbuf *b, const char *s, size_t n)
{
    dynbuf_add(b, s, n);
}

static void db_str(struct dynbuf *b, const char *s, size_t n)
{
    static const char hex[] = "0123456789abcdef";
    size_t i, run = 0;

    db_put(b, "\"", 1);
    for (i = 0; i < n; i++) {
        unsigned char ch = (unsigned char)s[i];
        char esc[8];
        size_t el = 2;

        if (ch >= 0x20 && ch != '"' && ch != '\\')
            continue;
        db_put(b, s + run, i - run);
        run = i + 1;
        esc[0] = '\\';
        switch (ch) {
        case '"': esc[1] = '"'; break;
        case '\\': esc[1] = '\\'; break;
        case '\n': esc[1] = 'n'; break;
        case '\r': esc[1] = 'r'; break;
        case '\t': esc[1] = 't'; break;
        case '\b': esc[1] = 'b'; break;
        case '\f': esc[1] = 'f'; break;
        default:
            memcpy(esc + 1, "u00", 3);
            esc[4] = hex[ch >> 4];
            esc[5] = hex[ch & 15];
            el = 6;
        }
        db_put(b, esc, el);
    }
    db_put(b, s + run, n - run);
    db_put(b, "\"", 1);
}

/* The shortest text that reads back as the same double, laid out as Python's repr() (what
 * the AWS services and the emulator send): fixed notation for exponents -4..15, else
 * scientific ("1677672000.0", "0.001", "1e-05", "1.5e+20"). */
static void db_real(struct dynbuf *b, double v)
{
    char buf[64];
    int prec, n = 0, exp10;
    char *c;

    if (!isfinite(v)) {
        db_put(b, "null", 4);
        return;
    }
    /* 15 significant digits: when they read back, the shortest are these less their
     * trailing zeros (a shorter form that reads back lies within half an ulp, closer than
     * half of this grid's step, so it is this rounding padded with zeros); else 16 or 17.
     * Three conversions at most, not one per length (a timestamp took 16). Subnormals
     * have fewer bits: every length is tried. */
    snprintf(buf, sizeof(buf), "%.14e", v);
    if (fabs(v) >= DBL_MIN && strtod(buf, NULL) == v) {
        for (prec = 15, c = strchr(buf, 'e') - 1; prec > 1 && *c == '0'; c--)
            prec--;
        n = snprintf(buf, sizeof(buf), "%.*e", prec - 1, v);
    } else {
        for (prec = fabs(v) >= DBL_MIN ? 16 : 1; prec <= 17; prec++) {
            n = snprintf(buf, sizeof(buf), "%.*e", prec - 1, v);
            if (strtod(buf, NULL) == v)
                break;
        }
    }
    c = strchr(buf, 'e');
    exp10 = c != NULL ? atoi(c + 1) : 0;
    if (exp10 >= -4 && exp10 < 16) {
        int decimals = prec - 1 - exp10;

        n = snprintf(buf, sizeof(buf) - 3, "%.*f", decimals > 0 ? decimals : 0, v);
    }
    /* whatever the locale's decimal point, JSON's is '.' */
    for (c = buf; *c != '\0'; c++)
        if (*c == ',')
            *c = '.';
    if (strpbrk(buf, ".eE") == NULL) {
        memcpy(buf + n, ".0", 3);
        n += 2;
    }
    db_put(b, buf, (size_t)n);
}

static void db_value(struct dynbuf *b, const json_t *v, int depth)
{
    char buf[32];
    const char *key;
    json_t *m;
    size_t i;
    int n;

    if (depth > 2048) {
        b->err = ERR_TOOBIG;
        return;
    }
    switch (json_typeof(v)) {
    case JSON_OBJECT:
        db_put(b, "{", 1);
        i = 0;
        json_object_foreach((json_t *)v, key, m) {
            if (i++ > 0)
                db_put(b, ",", 1);
            db_str(b, key, strlen(key));
            db_put(b, ":", 1);
            db_value(b, m, depth + 1);
        }
        db_put(b, "}", 1);
        break;
    case JSON_ARRAY:
        db_put(b, "[", 1);
        for (i = 0; i < json_array_size(v); i++) {
            if (i > 0)
                db_put(b, ",", 1);
            db_value(b, json_array_get(v, i), depth + 1);
        }
        db_put(b, "]", 1);
        break;
    case JSON_STRING:
        db_str(b, json_string_value(v), json_string_length(v));
        break;
    case JSON_INTEGER:
        n = snprintf(buf, sizeof(buf), "%" JSON_INTEGER_FORMAT, json_integer_value(v));
        db_put(b, buf, (size_t)n);
        break;
    case JSON_REAL:
        db_real(b, json_real_value(v));
        break;
    case JSON_TRUE:
        db_put(b, "true", 4);
        break;
    case JSON_FALSE:
        db_put(b, "false", 5);
        break;
    case JSON_NULL:
        db_put(b, "null", 4);
        break;
    }
}

int json_dump_exact(const json_t *v, char **out, size_t *len_out, struct err *e)
{
    struct dynbuf b;
    size_t len;
    char *text;

    if (v == NULL)
        return err_set(e, ERR_INVAL, "no JSON value to write");
    dynbuf_init(&b, JSON_DOC_MAX_BYTES);
    db_value(&b, v, 0);
    if (b.err != 0) {
        int code = b.err;

        dynbuf_free(&b);
        return err_set(e, code, code == ERR_NOMEM ? "out of memory writing JSON"
                                                  : "JSON document over %u bytes or too deep",
                       JSON_DOC_MAX_BYTES);
    }
    len = b.len;
    if ((text = dynbuf_take(&b)) == NULL)
        return err_set(e, ERR_NOMEM, "out of memory writing JSON");
    *out = text;
    if (len_out != NULL)
        *len_out = len;
    return 0;
}
