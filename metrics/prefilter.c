/* prefilter.c: building the extractor's prefilters, and the vector line filter.
 *
 * Owns the tables of struct mset that prefilter.h's scans read: the hash of 4-byte literal keys,
 * the key anchors, the rare bytes of the line filter. Built once per compiled set from the
 * literals literal.c found; how rare a byte is comes from what training logs hold. The line
 * filter itself (SSE2, or AVX2 chosen at run time) lives here because it was never inlined: a
 * target("avx2") function cannot be. Must not allocate or touch anything but the set. */
#include <string.h>

#if defined(__SSE2__) && defined(__x86_64__) && defined(__GNUC__)
#include <immintrin.h>
#endif

#include "metrics/prefilter.h"

/* How common a byte is in training logs (lower = rarer): progress bars are made of digits,
 * '%', '|', '/', '[', ':' and block characters; words of letters and '_'; quotes, '=', braces
 * and '*' are rare. */
static int byte_commonness(unsigned char c)
{
    if ((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == ' ')
        return 100;
    if (c >= 'A' && c <= 'Z')
        return 60;
    if (c >= 0x80 || strchr(".,:-/%|[]()<>", c) != NULL)
        return 50;
    if (c == '_')
        return 20;
    if (c == '=' || c == '"')
        return 15;
    if (c == '\'' || c == '{' || c == '}' || c == ';' || c == '*')
        return 10;
    return 30;
}

static void lit_insert(struct mset *s, uint32_t key, size_t id1, size_t *next)
{
    uint32_t h = prefilter_lit_hash(key);
    unsigned char first;

    memcpy(&first, &key, 1); /* the key's first byte: the scan hashes only where it occurs */
    s->lit_first[first] = 1;
    s->lit_bits[h / 64] |= (uint64_t)1 << (h % 64);
    *next = s->lit_head[h];
    s->lit_head[h] = id1;
}

/* Each literal's key is its 4 bytes starting at its rarest byte (the last 4 when the rarest is
 * nearer the end): a Trainer dict line is full of the letters keys would otherwise start with,
 * and every occurrence of a key's first byte costs a hash. */
static void lit_table_build(struct mset *s)
{
    size_t stars_next; /* 0: the stars entry goes in first, so it ends its chain */
    uint32_t key;
    size_t i, j;
    int c;

    memcpy(&key, "****", 4);
    lit_insert(s, key, s->ndefs + 1, &stars_next);
    for (i = 0; i < s->ndefs; i++) {
        struct cdef *d = &s->defs[i];
        if (d->code == NULL || d->lit_len < 4)
            continue;
        d->lit_off = 0;
        for (j = 1; j + 4 <= d->lit_len; j++)
            if (byte_commonness((unsigned char)d->lit[j]) <
                byte_commonness((unsigned char)d->lit[d->lit_off]))
                d->lit_off = j;
        memcpy(&d->lit_key, d->lit + d->lit_off, 4);
        lit_insert(s, d->lit_key, i + 1, &d->lit_next);
    }
    s->always = 0;
    for (i = 0; i < s->ndefs && i < 64; i++)
        if (s->defs[i].code != NULL && s->defs[i].lit_len < 4)
            s->always |= (uint64_t)1 << i;
    s->nanchor = 0;
    for (c = 0; c < 256; c++) {
        if (!s->lit_first[c])
            continue;
        if (s->nanchor == ANCHOR_MAX) {
            s->nanchor = 0;
            break;
        }
        memset(s->anchor_vec[s->nanchor++], c, 16);
    }
    for (i = (size_t)s->nanchor; s->nanchor > 0 && i < ANCHOR_MAX; i++)
        memcpy(s->anchor_vec[i], s->anchor_vec[0], 16);
}

static int rare_slot(struct mset *s, unsigned char c)
{
    int i;

    for (i = 0; i < s->nrare; i++)
        if (s->rare[i] == c)
            return i;
    if (s->nrare == RARE_MAX)
        return -1;
    s->rare[s->nrare] = c;
    return s->nrare++;
}

static void rare_build(struct mset *s)
{
    size_t i, j;

    s->filter_lines = true;
    rare_slot(s, '{');
    rare_slot(s, '*');
    for (i = 0; i < s->ndefs; i++) {
        struct cdef *d = &s->defs[i];
        unsigned char best;

        d->rare_idx = -1;
        if (d->code == NULL)
            continue;
        if (d->lit_len == 0) {
            s->filter_lines = false;
            continue;
        }
        best = (unsigned char)d->lit[0];
        for (j = 1; j < d->lit_len; j++)
            if (byte_commonness((unsigned char)d->lit[j]) < byte_commonness(best))
                best = (unsigned char)d->lit[j];
        d->rare_idx = rare_slot(s, best);
        if (d->rare_idx < 0)
            s->filter_lines = false;
    }
    for (i = 0; i < RARE_MAX; i++)
        memset(s->rare_vec[i], s->rare[(int)i < s->nrare ? i : 0], sizeof(s->rare_vec[i]));
}

/* Whether any rare byte occurs in [p, p+n): with SSE2 one pass compares 16 bytes at a time
 * with every rare byte and stops at the first hit (a Trainer dict line hits at its '{'); most
 * lines (progress bars) hold none and cost one pass instead of one memchr() per rare byte. */
int prefilter_has_rare_sse2(const struct mset *s, const char *p, size_t n)
{
    size_t i = 0;
    int j;

#if defined(__SSE2__)
    if (n >= 16) {
        __m128i r[RARE_MAX];
        int k = s->nrare;

        for (j = 0; j < RARE_MAX; j++)
            r[j] = _mm_loadu_si128((const __m128i *)(const void *)s->rare_vec[j]);
        for (;;) {
            /* the last block overlaps the previous one rather than read past the line */
            const char *q = p + (i + 16 <= n ? i : n - 16);
            __m128i x = _mm_loadu_si128((const __m128i *)(const void *)q);
            __m128i hit =
                _mm_or_si128(_mm_or_si128(_mm_cmpeq_epi8(x, r[0]), _mm_cmpeq_epi8(x, r[1])),
                             _mm_or_si128(_mm_cmpeq_epi8(x, r[2]), _mm_cmpeq_epi8(x, r[3])));
            if (k > 4)
                hit = _mm_or_si128(
                    hit,
                    _mm_or_si128(_mm_or_si128(_mm_cmpeq_epi8(x, r[4]), _mm_cmpeq_epi8(x, r[5])),
                                 _mm_or_si128(_mm_cmpeq_epi8(x, r[6]), _mm_cmpeq_epi8(x, r[7]))));
            if (_mm_movemask_epi8(hit) != 0)
                return 1;
            if ((i & 63) == 0)
                __builtin_prefetch(p + i + PREFETCH_BYTES);
            i += 16;
            if (i >= n)
                return 0;
        }
    }
#endif
    for (; i < n; i++)
        for (j = 0; j < s->nrare; j++)
            if ((unsigned char)p[i] == s->rare[j])
                return 1;
    return 0;
}

#if defined(MSET_AVX2)
/* prefilter_has_rare_sse2() 64 bytes at a time: nearly every byte of a log passes through here. */
__attribute__((target("avx2"))) int prefilter_has_rare_avx2(const struct mset *s, const char *p,
                                                            size_t n)
{
    __m256i r[RARE_MAX];
    size_t i = 0;
    int j, k = s->nrare;

    if (n < 32)
        return prefilter_has_rare_sse2(s, p, n);
    for (j = 0; j < RARE_MAX; j++)
        r[j] = _mm256_set1_epi8((char)s->rare_vec[j][0]);
    for (; i + 64 <= n; i += 64) {
        __m256i x = _mm256_loadu_si256((const __m256i *)(const void *)(p + i));
        __m256i y = _mm256_loadu_si256((const __m256i *)(const void *)(p + i + 32));
        __m256i hit = _mm256_or_si256(
            _mm256_or_si256(
                _mm256_or_si256(_mm256_cmpeq_epi8(x, r[0]), _mm256_cmpeq_epi8(x, r[1])),
                _mm256_or_si256(_mm256_cmpeq_epi8(x, r[2]), _mm256_cmpeq_epi8(x, r[3]))),
            _mm256_or_si256(
                _mm256_or_si256(_mm256_cmpeq_epi8(y, r[0]), _mm256_cmpeq_epi8(y, r[1])),
                _mm256_or_si256(_mm256_cmpeq_epi8(y, r[2]), _mm256_cmpeq_epi8(y, r[3]))));
        if (k > 4)
            hit = _mm256_or_si256(
                hit,
                _mm256_or_si256(
                    _mm256_or_si256(
                        _mm256_or_si256(_mm256_cmpeq_epi8(x, r[4]), _mm256_cmpeq_epi8(x, r[5])),
                        _mm256_or_si256(_mm256_cmpeq_epi8(x, r[6]), _mm256_cmpeq_epi8(x, r[7]))),
                    _mm256_or_si256(
                        _mm256_or_si256(_mm256_cmpeq_epi8(y, r[4]), _mm256_cmpeq_epi8(y, r[5])),
                        _mm256_or_si256(_mm256_cmpeq_epi8(y, r[6]), _mm256_cmpeq_epi8(y, r[7])))));
        if (!_mm256_testz_si256(hit, hit))
            return 1;
        __builtin_prefetch(p + i + PREFETCH_BYTES);
    }
    while (i < n) {
        /* the last block overlaps the previous one rather than read past the line */
        size_t at = i + 32 <= n ? i : n - 32;
        __m256i x = _mm256_loadu_si256((const __m256i *)(const void *)(p + at));
        __m256i hit = _mm256_or_si256(
            _mm256_or_si256(_mm256_cmpeq_epi8(x, r[0]), _mm256_cmpeq_epi8(x, r[1])),
            _mm256_or_si256(_mm256_cmpeq_epi8(x, r[2]), _mm256_cmpeq_epi8(x, r[3])));
        if (k > 4)
            hit = _mm256_or_si256(
                hit, _mm256_or_si256(
                         _mm256_or_si256(_mm256_cmpeq_epi8(x, r[4]), _mm256_cmpeq_epi8(x, r[5])),
                         _mm256_or_si256(_mm256_cmpeq_epi8(x, r[6]), _mm256_cmpeq_epi8(x, r[7]))));
        if (!_mm256_testz_si256(hit, hit))
            return 1;
        i = at + 32;
    }
    return 0;
}
#endif

void prefilter_build(struct mset *s)
{
    lit_table_build(s);
    rare_build(s);
#if defined(MSET_AVX2)
    s->avx2 = __builtin_cpu_supports("avx2");
#endif
}
