/* value.c: turning captured text into numbers. Owns the number grammar the extractor uses for
 * values and for repairs (what counts as "the whole number" around a capture), and the duration
 * format the Trainer prints. Locale-free: a UI that called setlocale() must not turn "0.5" into 0.
 * No allocation, no I/O; inputs are (ptr, len) and never need a NUL. */
#include <locale.h>
#include <math.h>
#include <pthread.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "metrics/metrics.h"
#include "metrics/value.h"

static inline int is_digit(char c)
{
    return c >= '0' && c <= '9';
}

static inline int is_blank(char c)
{
    return c == ' ' || c == '\t' || c == '\r' || c == '\n' || c == '\v' || c == '\f';
}

static inline char lower(char c)
{
    return c >= 'A' && c <= 'Z' ? (char)(c - 'A' + 'a') : c;
}

static int prefix_ci(const char *p, size_t n, const char *word)
{
    size_t i;

    for (i = 0; word[i] != '\0'; i++)
        if (i >= n || lower(p[i]) != word[i])
            return 0;
    return 1;
}

/* Eight bytes at a time where the byte order allows it: numbers in logs are mostly runs of 4 to
 * 17 digits, and a branch per digit is what reading them would cost. */
#if defined(__BYTE_ORDER__) && defined(__ORDER_LITTLE_ENDIAN__)
#if __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
#define MVALUE_SWAR 1
#endif
#endif

/* Where the run of digits starting at p[i] ends (never past n). */
static inline size_t digit_run(const char *p, size_t i, size_t n)
{
#if defined(MVALUE_SWAR)
    for (; i + 8 <= n; i += 8) {
        uint64_t x, bad;

        memcpy(&x, p + i, 8);
        /* per byte, without carries between bytes: high nibble not 3, or low nibble above 9 */
        bad = ((x & 0xF0F0F0F0F0F0F0F0ULL) ^ 0x3030303030303030ULL) |
              (((x & 0x0F0F0F0F0F0F0F0FULL) + 0x0606060606060606ULL) & 0x1010101010101010ULL);
        if (bad != 0)
            return i + (size_t)(__builtin_ctzll(bad) / 8);
    }
#endif
    while (i < n && is_digit(p[i]))
        i++;
    return i;
}

/* m followed by the digits [a, b) of p (all digits, and the result below 2^64). */
static inline uint64_t digits_value(const char *p, size_t a, size_t b, uint64_t m)
{
#if defined(MVALUE_SWAR)
    for (; a + 8 <= b; a += 8) {
        uint64_t x;

        memcpy(&x, p + a, 8);
        x -= 0x3030303030303030ULL;
        x = x * 10 + (x >> 8);
        x = ((x & 0x000000FF000000FFULL) * (100 + (1000000ULL << 32)) +
             ((x >> 16) & 0x000000FF000000FFULL) * (1 + (10000ULL << 32))) >>
            32;
        m = m * 100000000ULL + (uint32_t)x;
    }
#endif
    for (; a < b; a++)
        m = m * 10 + (uint64_t)(p[a] - '0');
    return m;
}

size_t mvalue_number_len(const char *p, size_t n)
{
    size_t i = 0, digits, mant_end, a;

    if (i < n && (p[i] == '+' || p[i] == '-'))
        i++;
    if (i < n && !is_digit(p[i]) && p[i] != '.') {
        if (prefix_ci(p + i, n - i, "infinity"))
            return i + 8;
        if (prefix_ci(p + i, n - i, "inf"))
            return i + 3;
        if (prefix_ci(p + i, n - i, "nan"))
            return i + 3;
        return 0;
    }
    a = i;
    i = digit_run(p, i, n);
    digits = i - a;
    if (i < n && p[i] == '.') {
        a = i + 1;
        i = digit_run(p, a, n);
        digits += i - a;
    }
    if (digits == 0)
        return 0;
    mant_end = i;
    /* the exponent only counts when complete: "2e" is the number 2 followed by 'e' */
    if (i < n && (p[i] == 'e' || p[i] == 'E')) {
        i++;
        if (i < n && (p[i] == '+' || p[i] == '-'))
            i++;
        if (i < n && is_digit(p[i])) {
            while (i < n && is_digit(p[i]))
                i++;
            return i;
        }
    }
    return mant_end;
}

static const double pow10_exact[] = {
    1e0, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11,
    1e12, 1e13, 1e14, 1e15, 1e16, 1e17, 1e18, 1e19, 1e20, 1e21, 1e22,
};

static locale_t c_locale;
static pthread_once_t c_locale_once = PTHREAD_ONCE_INIT;

static void c_locale_init(void)
{
    c_locale = newlocale(LC_NUMERIC_MASK, "C", (locale_t)0);
}

/* The parts of the decimal number [p, p+n) (a sign, digits with at most one '.', an optional
 * exponent; what mvalue_number_len() measured): its significant digits as an integer (*m, at
 * most 19 of them: *sig), the power of ten that scales it and the sign. -1 when there are more
 * digits or the exponent is out of any double's reach. */
static int decimal_parts(const char *p, size_t n, uint64_t *m_out, int *sig_out, int *exp10_out,
                         int *neg_out)
{
    size_t i = 0;
    int neg = 0, exp10 = 0, frac = 0, sig = 0, eneg = 0, e = 0;
    uint64_t m = 0;

    if (p[i] == '+' || p[i] == '-')
        neg = p[i++] == '-';
    for (; i < n && (is_digit(p[i]) || p[i] == '.'); i++) {
        if (p[i] == '.') {
            frac = 1;
            continue;
        }
        if (m == 0 && p[i] == '0') {
            if (frac)
                exp10--;
            continue;
        }
        if (++sig > 19)
            return -1;
        m = m * 10 + (uint64_t)(p[i] - '0');
        if (frac)
            exp10--;
    }
    if (i < n) {
        i++; /* e/E */
        if (p[i] == '+' || p[i] == '-')
            eneg = p[i++] == '-';
        for (; i < n; i++) {
            if (e > 1000)
                return -1;
            e = e * 10 + (p[i] - '0');
        }
        exp10 += eneg ? -e : e;
    }
    *m_out = m;
    *sig_out = sig;
    *exp10_out = exp10;
    *neg_out = neg;
    return 0;
}

__extension__ typedef unsigned __int128 mvalue_u128;

static int bitlen128(mvalue_u128 x)
{
    uint64_t hi = (uint64_t)(x >> 64), lo = (uint64_t)x;

    return hi != 0 ? 128 - __builtin_clzll(hi) : lo != 0 ? 64 - __builtin_clzll(lo) : 0;
}

/* q * 2^exp2 for q <= 2^53: exact; the power of two is built from its bits when the result is
 * surely normal (what exact_from() makes always is), instead of a call to ldexp(). */
static inline double scale2(uint64_t q, int exp2)
{
    uint64_t bits;
    double f;

    if (exp2 < -1000 || exp2 > 900)
        return ldexp((double)q, exp2);
    bits = (uint64_t)(exp2 + 1023) << 52;
    memcpy(&f, &bits, sizeof(f));
    return (double)q * f;
}

/* Rounds q (with sticky != 0 meaning "more bits below") to 53 bits, half to even, and scales by
 * 2^exp2. */
static double round53(mvalue_u128 q, int sticky, int exp2)
{
    int extra = bitlen128(q) - 53;

    if (extra > 0) {
        mvalue_u128 rb = q & (((mvalue_u128)1 << extra) - 1), half = (mvalue_u128)1 << (extra - 1);
        q >>= extra;
        if (rb > half || (rb == half && (sticky || (q & 1))))
            q++;
        exp2 += extra;
    }
    return scale2((uint64_t)q, exp2);
}

/* round53() for a quotient that fits in 64 bits. */
static inline double round53_64(uint64_t q, int sticky, int exp2)
{
    int extra = 64 - __builtin_clzll(q) - 53;

    if (extra > 0) {
        uint64_t rb = q & (((uint64_t)1 << extra) - 1), half = (uint64_t)1 << (extra - 1);
        q >>= extra;
        if (rb > half || (rb == half && (sticky || (q & 1))))
            q++;
        exp2 += extra;
    }
    return scale2(q, exp2);
}

enum { EXACT_EXP10_MAX = 27 }; /* 5^27 < 2^63 */

static const uint64_t pow5_u64[EXACT_EXP10_MAX + 1] = {
    1ULL, 5ULL, 25ULL, 125ULL, 625ULL, 3125ULL, 15625ULL, 78125ULL, 390625ULL, 1953125ULL,
    9765625ULL, 48828125ULL, 244140625ULL, 1220703125ULL, 6103515625ULL, 30517578125ULL,
    152587890625ULL, 762939453125ULL, 3814697265625ULL, 19073486328125ULL, 95367431640625ULL,
    476837158203125ULL, 2384185791015625ULL, 11920928955078125ULL, 59604644775390625ULL,
    298023223876953125ULL, 1490116119384765625ULL, 7450580596923828125ULL,
};

/* m * 10^exp10 exactly, for m != 0 and |exp10| <= 27: 10^k = 5^k * 2^k, and 5^k fits in 64 bits,
 * so the product fits in 128 bits and the quotient of a 128-bit number by it in 64; one correctly
 * rounded step. */
static int exact_from(uint64_t m, int exp10, int neg, double *out)
{
    int s, mbits;
    uint64_t d, q;
    mvalue_u128 num;
    double v;

    if (m == 0 || exp10 < -EXACT_EXP10_MAX || exp10 > EXACT_EXP10_MAX)
        return -1;
    mbits = 64 - __builtin_clzll(m);
    if (exp10 >= 0) {
        v = round53((mvalue_u128)m * pow5_u64[exp10], 0, exp10);
    } else {
        d = pow5_u64[-exp10];
        /* shift so that the quotient has at least 55 bits (and at most 64) */
        s = 56 + (64 - __builtin_clzll(d)) - mbits;
        if (s < 0)
            s = 0;
        num = (mvalue_u128)m << s;
        q = (uint64_t)(num / d);
        v = round53_64(q, (uint64_t)(num - (mvalue_u128)q * d) != 0, -s + exp10);
    }
    *out = neg ? -v : v;
    return 0;
}

/* Clinger's fast path: a mantissa of at most 2^53 times or divided by an exact power of ten is
 * correctly rounded by one IEEE operation. Covers nearly every value a log prints. */
static inline int clinger(uint64_t m, int sig, int exp10, int neg, double *out)
{
    if (sig > 19 || m > ((uint64_t)1 << 53))
        return -1;
    if (m == 0) {
        *out = neg ? -0.0 : 0.0;
        return 0;
    }
    if (exp10 < -22 || exp10 > 22)
        return -1;
    *out = exp10 < 0 ? (double)m / pow10_exact[-exp10] : (double)m * pow10_exact[exp10];
    if (neg)
        *out = -*out;
    return 0;
}

/* Clinger's fast path, else the exact one (exact_from): up to 19 significant digits and
 * |exp10| <= 27, so the learning rates Python prints with repr() (17 digits) need no strtod's
 * multi-precision path. */
static inline int convert(uint64_t m, int sig, int exp10, int neg, double *out)
{
    return clinger(m, sig, exp10, neg, out) == 0 || exact_from(m, exp10, neg, out) == 0 ? 0 : -1;
}

size_t mvalue_scan(const char *p, size_t n, struct mvalue_scan *r)
{
    size_t i = 0, ib, ie, fb, fe, z, digits;
    int neg = 0, exp10, sig, eneg = 0, e = 0;
    uint64_t m = 0;

    r->ok = 0;
    r->len = r->mant_len = 0;
    if (i < n && (p[i] == '+' || p[i] == '-'))
        neg = p[i++] == '-';
    if (i < n && !is_digit(p[i]) && p[i] != '.') {
        /* nan, inf, infinity: measured here, converted by mvalue_to_double() */
        r->len = r->mant_len = mvalue_number_len(p, n);
        return r->len;
    }
    /* the integer digits [ib, ie) and the fraction's [fb, fe) */
    ib = i;
    ie = i = digit_run(p, i, n);
    fb = fe = i;
    if (i < n && p[i] == '.') {
        fb = i + 1;
        fe = i = digit_run(p, fb, n);
    }
    digits = (ie - ib) + (fe - fb);
    if (digits == 0)
        return 0;
    r->len = r->mant_len = i;
    if (i < n && (p[i] == 'e' || p[i] == 'E')) {
        size_t j = i + 1;
        if (j < n && (p[j] == '+' || p[j] == '-'))
            eneg = p[j++] == '-';
        if (j < n && is_digit(p[j])) {
            for (; j < n && is_digit(p[j]); j++)
                if (e <= 1000)
                    e = e * 10 + (p[j] - '0');
            r->len = j;
        }
    }
    /* mvalue_to_double() refuses 512 bytes and more: so must its shortcut */
    if (r->len >= 512 || e > 1000)
        return r->len;
    /* the same value as decimal_parts(): leading zeros are not significant digits */
    for (z = ib; z < ie && p[z] == '0'; z++)
        ;
    if (z == ie)
        for (z = fb; z < fe && p[z] == '0'; z++)
            ;
    sig = (int)(z < ie ? (ie - z) + (fe - fb) : fe - z);
    if (sig > 19)
        return r->len;
    m = digits_value(p, fb, fe, digits_value(p, ib, ie, 0));
    exp10 = -(int)(fe - fb);
    if (convert(m, sig, exp10, neg, &r->mant_value) != 0)
        return r->len;
    if (r->len == r->mant_len)
        r->value = r->mant_value;
    else if (convert(m, sig, exp10 + (eneg ? -e : e), neg, &r->value) != 0)
        return r->len;
    r->ok = 1;
    return r->len;
}

int mvalue_to_double(const char *p, size_t n, double *out)
{
    char buf[512];
    char *end;
    size_t i = 0;
    int neg = 0, sig, exp10;
    uint64_t m;
    double v;

    if (n == 0 || n >= sizeof(buf))
        return -1;
    if (p[0] == '+' || p[0] == '-') {
        neg = p[0] == '-';
        i = 1;
    }
    if (i < n && (lower(p[i]) == 'n' || lower(p[i]) == 'i')) {
        *out = lower(p[i]) == 'n' ? (neg ? -NAN : NAN) : (neg ? -INFINITY : INFINITY);
        return 0;
    }
    if (decimal_parts(p, n, &m, &sig, &exp10, &neg) == 0 && convert(m, sig, exp10, neg, out) == 0)
        return 0;
    memcpy(buf, p, n);
    buf[n] = '\0';
    pthread_once(&c_locale_once, c_locale_init);
    v = c_locale != (locale_t)0 ? strtod_l(buf, &end, c_locale) : strtod(buf, &end);
    if (end != buf + n)
        return -1;
    *out = v;
    return 0;
}

/* Reads 1+ digits into *v; returns the count. */
static size_t read_uint(const char *p, size_t n, double *v)
{
    size_t i = 0;

    *v = 0;
    while (i < n && is_digit(p[i]) && i < 18) {
        *v = *v * 10 + (p[i] - '0');
        i++;
    }
    return i;
}

int mvalue_duration(const char *p, size_t n, double *out)
{
    size_t i = 0, k;
    double days = 0, h, m, s, f = 0;

    /* str(datetime.timedelta) prints "1 day, 2:03:04" / "2 days, 2:03:04" past 24 h */
    k = read_uint(p, n, &days);
    if (k > 0 && k < n && p[k] == ' ') {
        i = k + 1;
        if (prefix_ci(p + i, n - i, "days, "))
            i += 6;
        else if (prefix_ci(p + i, n - i, "day, "))
            i += 5;
        else
            return -1;
    } else {
        days = 0;
    }
    k = read_uint(p + i, n - i, &h);
    if (k == 0 || i + k >= n || p[i + k] != ':')
        return -1;
    i += k + 1;
    k = read_uint(p + i, n - i, &m);
    if (k != 2 || i + k >= n || p[i + k] != ':' || m >= 60)
        return -1;
    i += k + 1;
    k = read_uint(p + i, n - i, &s);
    if (k != 2 || s >= 60)
        return -1;
    i += k;
    if (i < n && p[i] == '.') {
        double scale = 1;
        i++;
        if (i >= n || !is_digit(p[i]))
            return -1;
        while (i < n && is_digit(p[i])) {
            scale /= 10;
            f += (p[i] - '0') * scale;
            i++;
        }
    }
    if (i != n)
        return -1;
    *out = days * 86400 + h * 3600 + m * 60 + s + f;
    return 0;
}

int metrics_parse_value(const char *s, size_t len, double *out, unsigned *flags)
{
    size_t a = 0, b = len, n;
    struct mvalue_scan r;
    double v;

    while (a < b && is_blank(s[a]))
        a++;
    while (b > a && is_blank(s[b - 1]))
        b--;
    if (a == b)
        return ERR_PARSE;
    n = mvalue_scan(s + a, b - a, &r);
    if (n == b - a) {
        if (r.ok)
            v = r.value;
        else if (mvalue_to_double(s + a, n, &v) != 0)
            return ERR_PARSE;
        *out = v;
        return 0;
    }
    if (mvalue_duration(s + a, b - a, &v) == 0) {
        *out = v;
        if (flags != NULL)
            *flags |= MPOINT_DURATION;
        return 0;
    }
    return ERR_PARSE;
}
