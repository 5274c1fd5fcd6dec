/* preset.c: the Hugging Face Trainer preset, read from each segment the extractor hands it.
 *
 * Owns the reading of Trainer output: dict lines ("{'loss': 0.35, 'epoch': 0.64}", parsed by the
 * inline half in preset.h) give the step/epoch context and, with the preset on, a point per
 * numeric key; "***** eval metrics *****" blocks (here) give one point per "key = value" line.
 * Values found are left in the set's pkeys for mset.c to emit after the definitions (which take
 * precedence). Also the preset's public calls (mset_preset_skip). Must not allocate, print or
 * emit: everything lives in struct mset and the caller's state. */
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "metrics/preset.h"

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

void preset_pkey_add(struct mset *s, const char *k, size_t kn, const char *raw, size_t rn, double v,
                     unsigned flags)
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
    while (ke > 0 && preset_is_blank(p[ke - 1]))
        ke--;
    k = ke;
    while (k > 0 && preset_is_ident(p[k - 1]))
        k--;
    if (k == ke || (k > 0 && !preset_is_blank(p[k - 1])))
        return 0;
    vs = (size_t)(eq - p) + 1;
    ve = n;
    while (vs < ve && preset_is_blank(p[vs]))
        vs++;
    while (ve > vs && preset_is_blank(p[ve - 1]))
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
    if (preset_key_is(p + k, ke - k, "epoch")) {
        if (!(flags & MPOINT_UNPARSED))
            st->epoch = v;
        return 1;
    }
    s->npkeys = 0;
    if (s->nskip == 0 || !preset_skips(s, p + k, ke - k))
        preset_pkey_add(s, p + k, ke - k, p + vs, ve - vs, v, flags);
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
