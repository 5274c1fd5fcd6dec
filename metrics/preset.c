/* preset.c: the Hugging Face Trainer preset, read from each segment the extractor hands it.
 *
 * Owns the reading of Trainer output: dict lines ("{'loss': 0.35, 'epoch': 0.64}") give the
 * step/epoch context and, with the preset on, a point per numeric key; "***** eval metrics *****"
 * blocks give one point per "key = value" line. Values found are left in the set's pkeys for
 * mset.c to emit after the definitions (which take precedence); unquoted numbers read to the
 * segment's end are kept in the memo for capture_value() to reuse. Must not allocate, print or
 * emit: everything lives in struct mset and the caller's state. */
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "metrics/mset_internal.h"

bool mset_has_preset(const struct mset *s)
{
    return s->preset;
}

int mset_preset_skip(struct mset *s, const char *name)
{
    size_t n = strlen(name);

    if (s->nskip == PRESET_SKIP_MAX || n == 0 || n >= MPOINT_NAME_MAX)
        return -1;
    memcpy(s->skip[s->nskip], name, n + 1);
    s->skip_len[s->nskip++] = n;
    return 0;
}

static inline bool preset_skips(const struct mset *s, const char *k, size_t n)
{
    size_t i;

    for (i = 0; i < s->nskip; i++)
        if (s->skip_len[i] == n && memcmp(s->skip[i], k, n) == 0)
            return true;
    return false;
}

static inline int is_blank(char c)
{
    return c == ' ' || c == '\t';
}

static inline int is_ident(char c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
           c == '_' || c == '.' || c == '/' || c == '-';
}

static inline int key_is(const char *k, size_t n, const char *w)
{
    size_t wn = strlen(w);

    /* a constant length once inlined: the compiler compares in place of calling memcmp() */
    return wn == n && memcmp(k, w, wn) == 0;
}

static int contains_ci(const char *p, size_t n, const char *w)
{
    size_t wn = strlen(w), i, j;

    for (i = 0; i + wn <= n; i++) {
        for (j = 0; j < wn; j++) {
            char c = p[i + j];
            if (c >= 'A' && c <= 'Z')
                c = (char)(c - 'A' + 'a');
            if (c != w[j])
                break;
        }
        if (j == wn)
            return 1;
    }
    return 0;
}

/* Whether [k, k+n) holds a control byte (below 0x20, or DEL), eight bytes at a time. */
static inline int has_control(const char *k, size_t n)
{
    size_t i = 0;

    for (; i + 8 <= n; i += 8) {
        uint64_t x, y;

        memcpy(&x, k + i, 8);
        y = x ^ 0x7f7f7f7f7f7f7f7fULL; /* DEL becomes a zero byte */
        /* nonzero exactly when some byte is below 0x20, or zero */
        if ((((x - 0x2020202020202020ULL) & ~x) | ((y - 0x0101010101010101ULL) & ~y)) &
            0x8080808080808080ULL)
            return 1;
    }
    for (; i < n; i++)
        if ((unsigned char)k[i] < 0x20 || k[i] == 0x7f)
            return 1;
    return 0;
}

static void pkey_add(struct mset *s, const char *k, size_t kn, const char *raw, size_t rn,
                     double v, unsigned flags)
{
    struct pkey *p;

    if (s->npkeys == PKEYS_MAX || kn == 0 || kn >= MPOINT_NAME_MAX)
        return;
    if (has_control(k, kn))
        return; /* a name must print and must not end early at a NUL (found by fuzzing) */
    p = &s->pkeys[s->npkeys++];
    p->key = k;
    p->key_len = kn;
    p->raw = raw;
    p->raw_len = rn;
    p->value = v;
    p->flags = flags;
}

/* Length of the number at p, converted into *v only when it will be used (without the preset a
 * dict line is read for its epoch and step alone); 0 when there is none or it does not convert.
 * Measuring and converting are one pass (mvalue_scan). */
static inline size_t number_if(int want, const char *p, size_t n, double *v)
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

/* number_if() on a number that runs to the segment's end (an unquoted value): always scanned,
 * and the scan kept for capture_value(), since a definition usually captures that very number
 * (the notebooks' "'loss': ([0-9]+..."). */
static inline size_t number_to_end(struct mset *s, int want, const char *p, size_t n, double *v)
{
    struct mvalue_scan *r;
    size_t len;

    if (s->nmemo == PKEYS_MAX)
        return number_if(want, p, n, v);
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
static inline size_t quote_end(const char *p, size_t i, size_t n)
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

/* A dict value the parser read: where its number is ([vs, vs+vl), value v) when numeric. */
struct dict_val {
    size_t vs, vl;
    double v;
    int numeric;
};

/* A quoted value at p[i] ('0.5' or "0.5"): numeric when the quotes hold exactly a number. */
static inline int dict_quoted(int want, const char *p, size_t n, size_t *ip, struct dict_val *dv)
{
    size_t i = *ip;
    char q = p[i++];
    size_t qs = i;

    while (i < n && p[i] != q)
        i++;
    if (i >= n)
        return 0;
    dv->vl = number_if(want, p + qs, i - qs, &dv->v);
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
                             struct dict_val *dv)
{
    size_t i = *ip, ie = i, a;
    int depth = 1;

    while (ie < n && is_ident(p[ie]))
        ie++;
    if (ie >= n || p[ie] != '(') {
        dv->vl = number_if(want, p + i, ie - i, &dv->v);
        if (dv->vl == ie - i)
            dv->numeric = 1; /* nan, inf */
        *ip = ie;
        return 1;
    }
    a = ie + 1;
    while (a < n && is_blank(p[a]))
        a++;
    dv->vl = number_to_end(s, want, p + a, n - a, &dv->v);
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
                             struct dict_val *dv)
{
    size_t i = *ip;

    dv->vs = i;
    dv->vl = 0;
    dv->v = NAN;
    dv->numeric = 0;
    if (p[i] == '\'' || p[i] == '"')
        return dict_quoted(want, p, n, ip, dv);
    if ((p[i] >= 'a' && p[i] <= 'z') || (p[i] >= 'A' && p[i] <= 'Z') || p[i] == '_')
        return dict_named(s, want, p, n, ip, dv);
    dv->vl = number_to_end(s, want, p + i, n - i, &dv->v);
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
                             const char *p, const struct dict_val *dv, int emit_key)
{
    if (key_is(k, klen, "epoch"))
        c->epoch = dv->v;
    else if (key_is(k, klen, "step") || key_is(k, klen, "global_step"))
        c->step = dv->v;
    else {
        if (key_is(k, klen, "loss"))
            c->training = 1;
        if (emit_key) /* without the preset only the context is wanted */
            pkey_add(s, k, klen, p + dv->vs, dv->vl, dv->v, 0);
    }
    c->nkeys++;
}

/* The context a whole dict line gives: its epoch, its step, or a counted one for a training
 * line without a step. */
static void dict_commit(struct mextract_state *st, const struct dict_ctx *c)
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

static inline size_t skip_blanks(const char *p, size_t i, size_t n)
{
    while (i < n && is_blank(p[i]))
        i++;
    return i;
}

/* A Trainer dict line: "{'loss': 0.35, 'learning_rate': 4.2e-05, 'epoch': 0.64}" at the end of
 * the segment (a rank prefix may come before). Flat, single-quoted keys; values are numbers,
 * quoted numbers, wrappers such as tensor(1.23, device='cuda:0') or np.float64(1.0), or scalars
 * that are skipped (None, True, strings). Returns 1 when the segment was such a line; b is the
 * segment's first '{'. */
int preset_dict(struct mset *s, struct mextract_state *st, const char *p, size_t n, const char *b)
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

        i = skip_blanks(p, i, n);
        if (i < n && p[i] == '}')
            break;
        if (i >= n || p[i] != '\'')
            return 0;
        kstart = ++i;
        i = quote_end(p, i, n);
        if (i >= n)
            return 0;
        klen = i - kstart;
        emit_key = s->preset && (s->nskip == 0 || !preset_skips(s, p + kstart, klen));
        want = emit_key || key_is(p + kstart, klen, "epoch") || key_is(p + kstart, klen, "step") ||
               key_is(p + kstart, klen, "global_step");
        i = skip_blanks(p, i + 1, n);
        if (i >= n || p[i] != ':')
            return 0;
        i = skip_blanks(p, i + 1, n);
        if (i >= n || !dict_value(s, want, p, n, &i, &dv))
            return 0;
        i = skip_blanks(p, i, n);
        if (i >= n || (p[i] != ',' && p[i] != '}'))
            return 0;
        if (dv.numeric)
            dict_take(s, &c, p + kstart, klen, p, &dv, emit_key);
        if (p[i] == '}')
            break;
        i++;
    }
    /* the dict must end the segment */
    for (i++; i < n; i++)
        if (!is_blank(p[i]))
            return s->npkeys = 0, 0;
    if (c.nkeys == 0)
        return 0;
    dict_commit(st, &c);
    return 1;
}

/* "  eval_loss               =     0.0364" inside a metrics block. */
int preset_block_line(struct mset *s, struct mextract_state *st, const char *p, size_t n)
{
    const char *eq = memchr(p, '=', n);
    size_t k, ke, vs, ve;
    unsigned flags = MPOINT_EVAL_BLOCK;
    double v = NAN;

    if (eq == NULL)
        return 0;
    ke = (size_t)(eq - p);
    while (ke > 0 && is_blank(p[ke - 1]))
        ke--;
    k = ke;
    while (k > 0 && is_ident(p[k - 1]))
        k--;
    if (k == ke || (k > 0 && !is_blank(p[k - 1])))
        return 0;
    vs = (size_t)(eq - p) + 1;
    ve = n;
    while (vs < ve && is_blank(p[vs]))
        vs++;
    while (ve > vs && is_blank(p[ve - 1]))
        ve--;
    if (metrics_parse_value(p + vs, ve - vs, &v, &flags) != 0) {
        /* Trainer.metrics_format: total_flos as "NNNGF" (>> 30), memory as "NNNMB" (>> 20) */
        size_t nl = mvalue_number_len(p + vs, ve - vs);
        if (nl > 0 && nl + 2 == ve - vs && mvalue_to_double(p + vs, nl, &v) == 0 &&
            (memcmp(p + vs + nl, "GF", 2) == 0 || memcmp(p + vs + nl, "MB", 2) == 0)) {
            v *= p[vs + nl] == 'G' ? 1073741824.0 : 1048576.0;
            flags |= MPOINT_UNIT;
        } else {
            v = NAN;
            flags |= MPOINT_UNPARSED;
        }
    }
    if (key_is(p + k, ke - k, "epoch")) {
        if (!(flags & MPOINT_UNPARSED))
            st->epoch = v;
        return 1;
    }
    s->npkeys = 0;
    if (s->nskip == 0 || !preset_skips(s, p + k, ke - k))
        pkey_add(s, p + k, ke - k, p + vs, ve - vs, v, flags);
    return 1;
}

/* Reads the segment for context and preset values (left in s->pkeys). */

int preset_block_header(struct mextract_state *st, const char *p, size_t n)
{
    const char *h = memmem(p, n, "*****", 5), *t;
    size_t a, tl;

    if (h == NULL)
        return 0;
    a = (size_t)(h - p) + 5;
    t = memmem(p + a, n - a, "*****", 5);
    if (t == NULL)
        return 0;
    tl = (size_t)(t - (p + a));
    st->block = contains_ci(p + a, tl, "metrics") || contains_ci(p + a, tl, "results");
    return 1;
}
