/* prefilter.h: the extractor's prefilters, the part that runs on every line.
 *
 * Two filters stand before PCRE2 (see metrics.h for why): the line filter (a vector pass for a
 * few rare bytes; a line holding none of them is skipped whole) and the shared literal scan (one
 * pass over a segment marks every definition whose required literal it holds, and where). Their
 * tables are built once by prefilter_build() (prefilter.c) from what literal.c found. The per-line
 * and per-segment scans are static inline here so they inline into the extractor's loop in
 * mset.c exactly as they did when everything was one file: the extractor's speed depends on it.
 * Same thread rule as struct mset; no allocation, no I/O. */
#ifndef SAGETOP_METRICS_PREFILTER_H
#define SAGETOP_METRICS_PREFILTER_H

#include <string.h>

#include "metrics/mset_internal.h"

#if defined(__SSE2__)
#include <emmintrin.h>
#endif
/* AVX2 for the line filter, chosen at run time: the build stays plain x86-64 (SSE2) */
#if defined(__SSE2__) && defined(__x86_64__) && defined(__GNUC__)
#define MSET_AVX2 1
#endif

/* Builds the literal hash, the key anchors and the line filter's rare bytes of a compiled set
 * (its defs' literals filled in) and whether the CPU has AVX2. Cannot fail. */
void prefilter_build(struct mset *s);

/* Whether any of s's rare bytes occurs in [p, p+n): SSE2 (or bytewise), and AVX2 for a CPU
 * that runs it (s->avx2). Called through prefilter_has_rare(). */
int prefilter_has_rare_sse2(const struct mset *s, const char *p, size_t n);
#if defined(MSET_AVX2)
int prefilter_has_rare_avx2(const struct mset *s, const char *p, size_t n);
#endif

static inline int prefilter_has_rare(const struct mset *s, const char *p, size_t n)
{
#if defined(MSET_AVX2)
    if (s->avx2)
        return prefilter_has_rare_avx2(s, p, n);
#endif
    return prefilter_has_rare_sse2(s, p, n);
}

static inline uint32_t prefilter_lit_hash(uint32_t w)
{
    return (w * 2654435761u) >> (32 - LIT_HASH_BITS);
}

/* Whether [p, p+n) holds a byte that may start a segment separator ('\r', '\n', the '#' of
 * "#015"); when none, the line is one segment and the separator search is skipped. */
static inline int prefilter_has_sep_byte(const char *p, size_t n)
{
    size_t i = 0;

#if defined(__SSE2__)
    if (n >= 16) {
        const __m128i cr = _mm_set1_epi8('\r'), nl = _mm_set1_epi8('\n'), hs = _mm_set1_epi8('#');
        for (;;) {
            const char *q = p + (i + 16 <= n ? i : n - 16);
            __m128i x = _mm_loadu_si128((const __m128i *)(const void *)q);
            __m128i hit = _mm_or_si128(_mm_or_si128(_mm_cmpeq_epi8(x, cr), _mm_cmpeq_epi8(x, nl)),
                                       _mm_cmpeq_epi8(x, hs));
            if (_mm_movemask_epi8(hit) != 0)
                return 1;
            i += 16;
            if (i >= n)
                return 0;
        }
    }
#endif
    for (; i < n; i++)
        if (p[i] == '\r' || p[i] == '\n' || p[i] == '#')
            return 1;
    return 0;
}

/* Whether the n >= 4 bytes at a and b are the same: a literal is short, and memcmp() costs a
 * call. */
static inline int prefilter_lit_equal(const char *a, const char *b, size_t n)
{
    uint64_t x, y;
    uint32_t u, v;
    size_t i;

    if (n < 8) {
        memcpy(&u, a, 4);
        memcpy(&v, b, 4);
        if (u != v)
            return 0;
        memcpy(&u, a + n - 4, 4);
        memcpy(&v, b + n - 4, 4);
        return u == v;
    }
    for (i = 0; i + 8 < n; i += 8) {
        memcpy(&x, a + i, 8);
        memcpy(&y, b + i, 8);
        if (x != y)
            return 0;
    }
    memcpy(&x, a + n - 8, 8);
    memcpy(&y, b + n - 8, 8);
    return x == y;
}

/* The key at p + i (i + 4 <= n) against the definitions it may start: marks (lit_seen = gen,
 * lit_at) each one whose whole literal is there, and has_stars for "****". */
__attribute__((always_inline)) static inline void prefilter_lit_probe(struct mset *s, const char *p,
                                                                      size_t n, size_t i)
{
    uint32_t w, h;
    size_t k;

    memcpy(&w, p + i, 4);
    h = prefilter_lit_hash(w);
    if (!((s->lit_bits[h / 64] >> (h % 64)) & 1))
        return;
    for (k = s->lit_head[h]; k != 0;) {
        struct cdef *d;

        if (k == s->ndefs + 1) {
            if (memcmp(&w, "****", 4) == 0)
                s->has_stars = 1;
            break; /* the stars entry was inserted first: it ends every chain */
        }
        d = &s->defs[k - 1];
        if (d->lit_key == w && s->lit_seen[k - 1] != s->gen && i >= d->lit_off &&
            d->lit_len - d->lit_off <= n - i &&
            prefilter_lit_equal(p + i - d->lit_off, d->lit, d->lit_len)) {
            s->lit_seen[k - 1] = s->gen;
            s->lit_at[k - 1] = i - d->lit_off;
            if (k - 1 < 64)
                s->cand |= (uint64_t)1 << (k - 1);
        }
        k = d->lit_next;
    }
}

/* Marks (lit_seen = gen) every definition whose 4+ byte literal occurs in [p, p+n), with where it
 * is first (lit_at): keys are probed in order of position. With SSE2 and few key bytes, 16 bytes
 * are compared with each at once. */
static inline void prefilter_lit_scan(struct mset *s, const char *p, size_t n)
{
    size_t i = 0;

    s->has_stars = 0;
    s->cand = 0;
#if defined(__SSE2__)
    if (s->nanchor > 0 && n >= 16) {
        const __m128i a0 = _mm_loadu_si128((const __m128i *)(const void *)s->anchor_vec[0]);
        const __m128i a1 = _mm_loadu_si128((const __m128i *)(const void *)s->anchor_vec[1]);
        const __m128i a2 = _mm_loadu_si128((const __m128i *)(const void *)s->anchor_vec[2]);
        const __m128i a3 = _mm_loadu_si128((const __m128i *)(const void *)s->anchor_vec[3]);

        for (;;) {
            /* the last block overlaps the previous one; its bits before i were seen */
            size_t at = i + 16 <= n ? i : n - 16;
            __m128i x = _mm_loadu_si128((const __m128i *)(const void *)(p + at));
            __m128i hit = _mm_or_si128(_mm_or_si128(_mm_cmpeq_epi8(x, a0), _mm_cmpeq_epi8(x, a1)),
                                       _mm_or_si128(_mm_cmpeq_epi8(x, a2), _mm_cmpeq_epi8(x, a3)));
            unsigned m = (unsigned)_mm_movemask_epi8(hit) & (0xffffu << (i - at));

            while (m != 0) {
                size_t j = at + (size_t)__builtin_ctz(m);
                if (j + 4 > n)
                    return;
                prefilter_lit_probe(s, p, n, j);
                m &= m - 1;
            }
            i = at + 16;
            if (i >= n)
                return;
        }
    }
#endif
    for (; i + 4 <= n; i++)
        if (s->lit_first[(unsigned char)p[i]])
            prefilter_lit_probe(s, p, n, i);
}

#endif
