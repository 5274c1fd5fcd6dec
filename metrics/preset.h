/* preset.h: the Hugging Face Trainer preset's reading of a segment, as the extractor calls it.
 *
 * preset_context() reads a segment for the step/epoch context and the preset's own values (left
 * in the set's pkeys for mset.c to emit after the definitions, which take precedence); unquoted
 * numbers read to the segment's end are kept in the memo for capture_value() to reuse. The Trainer
 * dict parser is static inline here because it runs on every dict line inside the extractor's
 * per-segment step (mset.c) and was tuned inlined there; the rarer "***** eval metrics *****"
 * blocks, the public preset calls and the key checks that were never inlined live in preset.c.
 * Same thread rule as struct mset; no allocation, no I/O, no emission. */
#ifndef SAGETOP_METRICS_PRESET_H
#define SAGETOP_METRICS_PRESET_H

#include <math.h>
#include <string.h>

#include "metrics/mset_internal.h"

/* Adds a value the preset found to s->pkeys (up to PKEYS_MAX), unless its name is empty, too long
 * or holds a control byte. */
void preset_pkey_add(struct mset *s, const char *k, size_t kn, const char *raw, size_t rn, double v,
                     unsigned flags);

static inline bool preset_skips(const struct mset *s, const char *k, size_t n)
{
    size_t i;

    for (i = 0; i < s->nskip; i++)
        if (s->skip_len[i] == n && memcmp(s->skip[i], k, n) == 0)
            return true;
    return false;
}

static inline int preset_is_blank(char c)
{
    return c == ' ' || c == '\t';
}

static inline int preset_is_ident(char c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
           c == '_' || c == '.' || c == '/' || c == '-';
}

static inline int preset_key_is(const char *k, size_t n, const char *w)
{
    size_t wn = strlen(w);

    /* a constant length once inlined: the compiler compares in place of calling memcmp() */
    return wn == n && memcmp(k, w, wn) == 0;
}

/* Length of the number at p, converted into *v only when it will be used (without the preset a
 * dict line is read for its epoch and step alone); 0 when there is none or it does not convert.
 * Measuring and converting are one pass (mvalue_scan). */
static inline size_t preset_number_if(int want, const char *p, size_t n, double *v)
{
    struct mvalue_scan r;
    size_t len;

    if (!want) {
        *v = 0;
        return mvalue_number_len(p, n);
    }
    len = mvalue_scan(p, n, &r);
    if (len == 0)
        return 0;
    if (r.ok) {
        *v = r.value;
        return len;
    }
    return mvalue_to_double(p, len, v) == 0 ? len : 0;
}

/* preset_number_if() on a number that runs to the segment's end (an unquoted value): always
 * scanned, and the scan kept for capture_value(), since a definition usually captures that very
 * number (the notebooks' "'loss': ([0-9]+..."). */
static inline size_t preset_number_to_end(struct mset *s, int want, const char *p, size_t n,
                                          double *v)
{
    struct mvalue_scan *r;
    size_t len;

    if (s->nmemo == PKEYS_MAX)
        return preset_number_if(want, p, n, v);
    r = &s->memo[s->nmemo].r;
    len = mvalue_scan(p, n, r);
    if (len == 0)
        return 0;
    s->memo[s->nmemo++].at = p;
    if (!want) {
        *v = 0;
        return len;
    }
    if (r->ok) {
        *v = r->value;
        return len;
    }
    return mvalue_to_double(p, len, v) == 0 ? len : 0;
}

/* Where the next '\'' at or after p[i] is (n when none): eight bytes at a time where the byte
 * order allows, since every dict key is searched for its closing quote. */
static inline size_t preset_quote_end(const char *p, size_t i, size_t n)
{
#if defined(__BYTE_ORDER__) && defined(__ORDER_LITTLE_ENDIAN__)
#if __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
    for (; i + 8 <= n; i += 8) {
        uint64_t x, z;

        memcpy(&x, p + i, 8);
        x ^= 0x2727272727272727ULL; /* a quote becomes a zero byte */
        /* the lowest flagged byte is the first zero byte (only bytes above it can be false) */
        z = (x - 0x0101010101010101ULL) & ~x & 0x8080808080808080ULL;
        if (z != 0)
            return i + (size_t)(__builtin_ctzll(z) / 8);
    }
#endif
#endif
    while (i < n && p[i] != '\'')
        i++;
    return i;
}

/* A dict value the parser read: where its number is ([vs, vs+vl)) when numeric. Its value goes
 * apart (a double *), since its address reaches mvalue_to_double() and the rest should stay in
 * registers. */
struct dict_val {
    size_t vs, vl;
    int numeric;
};

/* A quoted value at p[i] ('0.5' or "0.5"): numeric when the quotes hold exactly a number. */
static inline int dict_quoted(int want, const char *p, size_t n, size_t *ip, struct dict_val *dv,
                              double *v)
{
    size_t i = *ip;
    char q = p[i++];
    size_t qs = i;

    while (i < n && p[i] != q)
        i++;
    if (i >= n)
        return 0;
    dv->vl = preset_number_if(want, p + qs, i - qs, v);
    if (dv->vl > 0 && dv->vl == i - qs) {
        dv->numeric = 1;
        dv->vs = qs;
    }
    *ip = i + 1;
    return 1;
}

/* A name at p[i]: a wrapper such as tensor(1.2345, device='cuda:0') or np.float64(0.5), whose
 * first argument is the value, or a bare word (nan, inf are numbers; None, True are skipped). */
static inline int dict_named(struct mset *s, int want, const char *p, size_t n, size_t *ip,
                             struct dict_val *dv, double *v)
{
    size_t i = *ip, ie = i, a;
    int depth = 1;

    while (ie < n && preset_is_ident(p[ie]))
        ie++;
    if (ie >= n || p[ie] != '(') {
        dv->vl = preset_number_if(want, p + i, ie - i, v);
        if (dv->vl == ie - i)
            dv->numeric = 1; /* nan, inf */
        *ip = ie;
        return 1;
    }
    a = ie + 1;
    while (a < n && preset_is_blank(p[a]))
        a++;
    dv->vl = preset_number_to_end(s, want, p + a, n - a, v);
    if (dv->vl > 0) {
        dv->numeric = 1;
        dv->vs = a;
    }
    i = ie + 1;
    while (i < n && depth > 0) {
        if (p[i] == '(')
            depth++;
        else if (p[i] == ')')
            depth--;
        else if (p[i] == '\'' || p[i] == '"') {
            char q = p[i++];
            while (i < n && p[i] != q)
                i++;
        }
        i++;
    }
    if (depth > 0)
        return 0;
    *ip = i;
    return 1;
}

/* The value at p[i] (i < n): 1 with *ip past it, 0 when the segment is no Trainer dict line. */
static inline int dict_value(struct mset *s, int want, const char *p, size_t n, size_t *ip,
                             struct dict_val *dv, double *v)
{
    size_t i = *ip;

    dv->vs = i;
    dv->vl = 0;
    *v = NAN;
    dv->numeric = 0;
    if (p[i] == '\'' || p[i] == '"')
        return dict_quoted(want, p, n, ip, dv, v);
    if ((p[i] >= 'a' && p[i] <= 'z') || (p[i] >= 'A' && p[i] <= 'Z') || p[i] == '_')
        return dict_named(s, want, p, n, ip, dv, v);
    dv->vl = preset_number_to_end(s, want, p + i, n - i, v);
    if (dv->vl == 0)
        return 0; /* nested dict, list: not a Trainer line */
    dv->numeric = 1;
    *ip = i + dv->vl;
    return 1;
}

/* What a dict line says about the context. */
struct dict_ctx {
    double epoch, step;
    int training;
    size_t nkeys;
};

/* A numeric key-value pair: the context's own keys, or a preset value (when emit_key). */
static inline void dict_take(struct mset *s, struct dict_ctx *c, const char *k, size_t klen,
                             const char *p, const struct dict_val *dv, double v, int emit_key)
{
    if (preset_key_is(k, klen, "epoch"))
        c->epoch = v;
    else if (preset_key_is(k, klen, "step") || preset_key_is(k, klen, "global_step"))
        c->step = v;
    else {
        if (preset_key_is(k, klen, "loss"))
            c->training = 1;
        if (emit_key) /* without the preset only the context is wanted */
            preset_pkey_add(s, k, klen, p + dv->vs, dv->vl, v, 0);
    }
    c->nkeys++;
}

/* The context a whole dict line gives: its epoch, its step, or a counted one for a training
 * line without a step. */
static inline void preset_dict_commit(struct mextract_state *st, const struct dict_ctx *c)
{
    if (!isnan(c->epoch))
        st->epoch = c->epoch;
    if (c->training)
        st->log_lines++;
    if (!isnan(c->step) && c->step >= 0) {
        st->step = (int64_t)c->step;
        st->step_counted = 0;
    } else if (c->training) {
        st->step = st->log_lines;
        st->step_counted = 1;
    }
}

/* A Trainer dict line: "{'loss': 0.35, 'learning_rate': 4.2e-05, 'epoch': 0.64}" at the end of
 * the segment (a rank prefix may come before). Flat, single-quoted keys; values are numbers,
 * quoted numbers, wrappers such as tensor(1.23, device='cuda:0') or np.float64(1.0), or scalars
 * that are skipped (None, True, strings). Returns 1 when the segment was such a line; b is the
 * segment's first '{'. */
static inline int preset_dict(struct mset *s, struct mextract_state *st, const char *p, size_t n,
                              const char *b)
{
    struct dict_ctx c = { NAN, NAN, 0, 0 };
    size_t i, kstart, klen;
    int want, emit_key;

    while (b != NULL && (size_t)(b - p) + 1 < n && b[1] != '\'')
        b = memchr(b + 1, '{', n - (size_t)(b + 1 - p));
    if (b == NULL || (size_t)(b - p) + 1 >= n)
        return 0;
    i = (size_t)(b - p) + 1;
    s->npkeys = 0;
    for (;;) {
        struct dict_val dv;
        double v;

        while (i < n && preset_is_blank(p[i]))
            i++;
        if (i < n && p[i] == '}')
            break;
        if (i >= n || p[i] != '\'')
            return 0;
        kstart = ++i;
        i = preset_quote_end(p, i, n);
        if (i >= n)
            return 0;
        klen = i - kstart;
        emit_key = s->preset && (s->nskip == 0 || !preset_skips(s, p + kstart, klen));
        want = emit_key || preset_key_is(p + kstart, klen, "epoch") ||
               preset_key_is(p + kstart, klen, "step") ||
               preset_key_is(p + kstart, klen, "global_step");
        i++;
        while (i < n && preset_is_blank(p[i]))
            i++;
        if (i >= n || p[i] != ':')
            return 0;
        i++;
        while (i < n && preset_is_blank(p[i]))
            i++;
        if (i >= n || !dict_value(s, want, p, n, &i, &dv, &v))
            return 0;
        while (i < n && preset_is_blank(p[i]))
            i++;
        if (i >= n || (p[i] != ',' && p[i] != '}'))
            return 0;
        if (dv.numeric)
            dict_take(s, &c, p + kstart, klen, p, &dv, v, emit_key);
        if (p[i] == '}')
            break;
        i++;
    }
    /* the dict must end the segment */
    for (i++; i < n; i++)
        if (!preset_is_blank(p[i]))
            return s->npkeys = 0, 0;
    if (c.nkeys == 0)
        return 0;
    preset_dict_commit(st, &c);
    return 1;
}

/* preset.c, for preset_context() below: each returns 1 when the segment was what it reads. A
 * "***** eval metrics *****" header (sets st->block); a "key = value" line of such a block
 * (its value left in s->pkeys). */
int preset_block_header(struct mextract_state *st, const char *p, size_t n);
int preset_block_line(struct mset *s, struct mextract_state *st, const char *p, size_t n);

/* Reads the segment for context (st's epoch, step, block) and preset values (left in
 * s->pkeys). Inline so that a segment with none of them costs no call. */
static inline void preset_context(struct mset *s, struct mextract_state *st, const char *p,
                                  size_t n)
{
    const char *b;

    s->npkeys = 0;
    s->nmemo = 0;
    s->seg_flags = 0;
    if (s->has_stars && n >= 10 && preset_block_header(st, p, n))
        return;
    if (st->block) {
        if (preset_block_line(s, st, p, n)) {
            s->seg_flags = MPOINT_EVAL_BLOCK;
            return;
        }
        st->block = 0;
    }
    if ((b = memchr(p, '{', n)) != NULL && !preset_dict(s, st, p, n, b))
        s->npkeys = 0;
}

#endif
