/* mset.c: compiled metric sets and the extractor — the hot loop from a log line to points.
 * Owns PCRE2 codes, the match data and JIT stack (one thread at a time), literal prefilters, the
 * Hugging Face Trainer preset (dict lines and "*****" metrics blocks) and the step/epoch context.
 * Must not allocate, print or block per line: everything a line needs lives in the set or in the
 * caller's state. See metrics.h for the contract and docs/metrics.md for the semantics. */
#define PCRE2_CODE_UNIT_WIDTH 8
#include <math.h>
#include <pcre2.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "aws/err.h"
#include "metrics/metrics.h"
#include "metrics/value.h"

#if defined(__SSE2__)
#include <emmintrin.h>
#endif
/* AVX2 for the line filter, chosen at run time: the build stays plain x86-64 (SSE2) */
#if defined(__SSE2__) && defined(__x86_64__) && defined(__GNUC__)
#include <immintrin.h>
#define MSET_AVX2 1
#endif

enum {
    PKEYS_MAX = 64,
    LIT_HASH_BITS = 12,
    LIT_HASH_SIZE = 1 << LIT_HASH_BITS,
    RARE_MAX = 8,
    ANCHOR_MAX = 4,
    /* how far ahead the line filter asks for memory: lines are read in order and usually lie
     * one after the other, and the hardware's own prefetch stops at each 4 KB page */
    PREFETCH_BYTES = 2048,
    MATCH_LIMIT = 20000000,
    JIT_STACK_MAX = 8 * 1024 * 1024,
};

struct cdef {
    char *name;
    char *regex;
    enum mdef_source source;
    int config_line;
    size_t def_index;
    int name_id;
    pcre2_code *code; /* NULL when it did not compile */
    int jit;
    int groups;
    char *lit; /* the longest literal every match contains, or NULL */
    size_t lit_len;
    bool lit_prefix;  /* every match starts with lit: matching may start where lit is first */
    size_t lit_off;   /* where in lit the shared scan's key starts (at its rarest byte) */
    uint32_t lit_key; /* lit's 4 bytes at lit_off when lit_len >= 4 (the shared scan's key) */
    int rare_idx;     /* index into mset.rare of the literal's rarest byte, -1 = none */
    size_t lit_next;  /* next def (index + 1) in the same hash chain, 0 = end */
};

/* A number the dict parser read up to the segment's end, for run_defs() to reuse. */
struct memo {
    const char *at;
    struct mvalue_scan r;
};

/* A value the preset found in the current segment. */
struct pkey {
    const char *key;
    size_t key_len;
    const char *raw;
    size_t raw_len;
    double value;
    unsigned flags;
};

struct pending {
    const char *raw;
    size_t raw_len;
    long def_index;
    enum mdef_source source;
};

#define PRESET_SKIP_MAX 64

struct mset {
    struct cdef *defs; /* sorted by precedence */
    size_t ndefs;
    char **names;
    size_t nnames;
    size_t *name_len; /* strlen(names[i]), for lookup_n() */
    uint32_t *seen;    /* per name: == gen when a point was made in this segment */
    uint32_t *unp;     /* per name: == gen when an unparsed capture is pending */
    struct pending *pend;
    int *pend_list;
    size_t npend;
    uint32_t gen;
    /* The shared literal scan: one pass over a segment finds every 4+ byte literal of every
     * definition (and the "*****" of block headers) through a hash of 4-byte windows, instead of
     * one memmem() per definition. */
    uint64_t lit_bits[LIT_HASH_SIZE / 64];
    unsigned char lit_first[256];   /* 1 for a byte that starts some key: hashed only there */
    size_t lit_head[LIT_HASH_SIZE]; /* def index + 1, 0 = none; STARS_ID + 1 for "****" */
    uint32_t *lit_seen;             /* per def: == gen when its literal is in the segment */
    size_t *lit_at;                 /* per def: where it is first, when lit_seen == gen */
    /* with at most 64 definitions, run_defs() visits only these: the ones whose 4+ byte literal
     * the scan found (cand) and the ones it cannot rule out (always) */
    uint64_t cand, always;
    /* the bytes that start a key, each 16 times, when there are at most ANCHOR_MAX of them
     * (nanchor == 0: too many, the scan looks each byte up in lit_first instead) */
    unsigned char anchor_vec[ANCHOR_MAX][16];
    int nanchor;
    int has_stars;
    /* The line filter: a few rare bytes (one per literal, plus '{' and '*' for the preset's
     * context) looked for in one vector pass; a line holding none of them cannot match and
     * carries no context, so it is skipped whole. */
    unsigned char rare[RARE_MAX];
    int nrare;
    unsigned char rare_vec[RARE_MAX][16]; /* each rare byte 16 times (unused: rare[0]) */
    bool filter_lines;  /* false when a definition has no literal: every line is examined */
    bool avx2;          /* the CPU runs has_rare_avx2() */
    unsigned line_mask; /* which rare bytes the current line may hold (all bits: not known) */
    struct mdef_error *errs;
    size_t nerrs;
    bool preset;
    /* keys the preset leaves alone (mset_preset_skip): not converted, not emitted */
    char skip[PRESET_SKIP_MAX][MPOINT_NAME_MAX];
    size_t skip_len[PRESET_SKIP_MAX];
    size_t nskip;
    pcre2_match_data *md;
    pcre2_match_context *mctx;
    pcre2_jit_stack *jstack;
    struct pkey pkeys[PKEYS_MAX];
    size_t npkeys;
    struct memo memo[PKEYS_MAX];
    size_t nmemo;
    unsigned seg_flags;
};

/* ---------------------------------------------------------------------------------------------
 * Compilation */

static int is_alnum_byte(char c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
}

/* Where the first `close` at or after re[i] is (n - 1 when none: the rest is skipped). */
static size_t skip_to(const char *re, size_t i, size_t n, char close)
{
    while (i < n && re[i] != close)
        i++;
    return i < n ? i : n - 1;
}

/* The escape at re[i] == '\\': the index of its last byte. *literal is 1 when it stands for its
 * second byte (\. \' \*), 0 otherwise: a class or assertion (\d, \b) or an escape with an
 * argument (\x41, \x{41}, \o{101}, \cA, \p{Lu}, \pL, \N{U+41}, \g{1}, \g-1, \k<name>, \1, \012),
 * whose argument is skipped whole rather than taken for literal text. */
static size_t escape_end(const char *re, size_t i, size_t n, int *literal)
{
    char c;

    *literal = 0;
    if (i + 1 >= n)
        return i;
    c = re[++i];
    if (!is_alnum_byte(c)) {
        *literal = 1;
        return i;
    }
    if (i + 1 >= n)
        return i;
    switch (c) {
    case 'x': {
        size_t k = i + 1;
        if (re[k] == '{')
            return skip_to(re, k, n, '}');
        while (k < n && k < i + 3 && re[k] != '\0' && strchr("0123456789abcdefABCDEF", re[k]))
            k++;
        return k - 1;
    }
    case 'o':
    case 'N':
        return re[i + 1] == '{' ? skip_to(re, i + 1, n, '}') : i;
    case 'p':
    case 'P':
        return re[i + 1] == '{' ? skip_to(re, i + 1, n, '}') : i + 1;
    case 'c':
        return i + 1;
    case 'g':
    case 'k':
        if (re[i + 1] == '{')
            return skip_to(re, i + 1, n, '}');
        if (re[i + 1] == '<')
            return skip_to(re, i + 1, n, '>');
        if (re[i + 1] == '\'')
            return skip_to(re, i + 2, n, '\'');
        if (re[i + 1] == '+' || re[i + 1] == '-')
            i++;
        break;
    default:
        if (!(c >= '0' && c <= '9'))
            return i;
    }
    /* a back reference or an octal code: its digits */
    while (i + 1 < n && re[i + 1] >= '0' && re[i + 1] <= '9')
        i++;
    return i;
}

/* The class at re[i] == '[': the index of its closing ']' (n when none). A ']' right after '['
 * or '[^' is literal, and "[:alpha:]" (also "[.x.]", "[=x=]") nests. */
static size_t class_end(const char *re, size_t i, size_t n)
{
    int lit;

    i++;
    if (i < n && re[i] == '^')
        i++;
    if (i < n && re[i] == ']')
        i++;
    for (; i < n && re[i] != ']'; i++) {
        if (re[i] == '\\') {
            i = escape_end(re, i, n, &lit);
        } else if (re[i] == '[' && i + 1 < n && strchr(":.=", re[i + 1]) != NULL) {
            char k = re[i + 1];
            for (i += 2; i + 1 < n && !(re[i] == k && re[i + 1] == ']'); i++)
                ;
            i++;
        }
    }
    return i;
}

/* Whether the '{' at re[i] opens a quantifier ({2}, {1,3}, {2,}, {,3}): digits, one comma and
 * blanks up to '}', with a digit. Otherwise PCRE2 reads the '{' as a literal byte. */
static bool is_quantifier(const char *re, size_t i, size_t n, size_t *end)
{
    bool digit = false;
    int commas = 0;

    for (i++; i < n && re[i] != '}'; i++) {
        if (re[i] >= '0' && re[i] <= '9')
            digit = true;
        else if (re[i] == ',')
            commas++;
        else if (re[i] != ' ')
            return false;
    }
    if (i >= n || !digit || commas > 1)
        return false;
    *end = i;
    return true;
}

/* The longest run of literal bytes that every match must contain: only the top level of the
 * pattern is read (groups are skipped whole), a top-level '|' or any inline option gives up, and
 * a character followed by a quantifier that allows zero repetitions is dropped; classes, escapes
 * with their arguments (\x41, \p{Lu}) and counts ({1,3}) are no text. Conservative by
 * construction: when in doubt, no prefilter. *prefix tells whether the run opens the pattern:
 * then every match starts with it (no option or group can come first). */
static size_t required_literal(const char *re, char *out, size_t cap, bool *prefix)
{
    size_t i, n = strlen(re), best = 0, cur = 0, start = 0;
    char run[MDEF_REGEX_MAX + 1];
    int depth = 0;

    *prefix = false;
    for (i = 0; i + 1 < n; i++)
        if (re[i] == '(' && re[i + 1] == '?' && i + 2 < n && strchr(":<P=!>|", re[i + 2]) == NULL)
            return 0; /* (?i) and friends change what a literal means */
    if (strstr(re, "\\Q") != NULL || strstr(re, "\\E") != NULL)
        return 0;
#define FLUSH()                                                                                    \
    do {                                                                                           \
        if (cur > best && cur <= cap) {                                                            \
            memcpy(out, run, cur);                                                                 \
            best = cur;                                                                            \
            *prefix = start == 0;                                                                  \
        }                                                                                          \
        cur = 0;                                                                                   \
    } while (0)
    for (i = 0; i < n; i++) {
        char c = re[i];
        size_t e;
        int lit;

        if (depth > 0) {
            if (c == '\\')
                i = escape_end(re, i, n, &lit);
            else if (c == '[')
                i = class_end(re, i, n);
            else if (c == '(')
                depth++;
            else if (c == ')')
                depth--;
            continue;
        }
        switch (c) {
        case '|':
            return 0;
        case '(':
            FLUSH();
            depth++;
            break;
        case '[':
            FLUSH();
            i = class_end(re, i, n);
            break;
        case '{':
            if (cur > 0)
                cur--;
            FLUSH();
            if (is_quantifier(re, i, n, &e))
                i = e; /* "{1,3}" is no text */
            break;
        case '?':
        case '*':
            if (cur > 0)
                cur--;
            FLUSH();
            break;
        case '+':
        case '.':
        case '^':
        case '$':
        case ')':
            FLUSH();
            break;
        case '\\':
            e = escape_end(re, i, n, &lit);
            if (!lit) {
                FLUSH();
                i = e;
                break;
            }
            if (cur == 0)
                start = i;
            run[cur++] = re[e];
            i = e;
            break;
        default:
            if (cur == 0)
                start = i;
            run[cur++] = c;
        }
    }
    FLUSH();
#undef FLUSH
    return best;
}

static int name_id(struct mset *s, const char *name)
{
    size_t i;

    for (i = 0; i < s->nnames; i++)
        if (strcmp(s->names[i], name) == 0)
            return (int)i;
    return -1;
}

static int lookup_n(const struct mset *s, const char *key, size_t n)
{
    size_t i;

    for (i = 0; i < s->nnames; i++)
        if (s->name_len[i] == n && s->names[i][0] == key[0] && memcmp(s->names[i], key, n) == 0)
            return (int)i;
    return -1;
}

static int compile_one(struct mset *s, struct cdef *d)
{
    int errcode;
    PCRE2_SIZE off;
    pcre2_code *code;
    uint32_t groups = 0;
    char lit[MDEF_REGEX_MAX + 1];
    size_t lit_len;

    code = pcre2_compile((PCRE2_SPTR)d->regex, PCRE2_ZERO_TERMINATED, 0, &errcode, &off, NULL);
    if (code == NULL) {
        struct mdef_error *x = &s->errs[s->nerrs++];

        x->def_index = d->def_index;
        x->name = d->name;
        x->regex = d->regex;
        x->source = d->source;
        x->config_line = d->config_line;
        x->offset = off;
        if (pcre2_get_error_message(errcode, (PCRE2_UCHAR *)x->msg, sizeof(x->msg)) < 0)
            snprintf(x->msg, sizeof(x->msg), "PCRE2 error %d", errcode);
        return 0;
    }
    d->code = code;
    d->jit = pcre2_jit_compile(code, PCRE2_JIT_COMPLETE) == 0;
    pcre2_pattern_info(code, PCRE2_INFO_CAPTURECOUNT, &groups);
    d->groups = (int)groups;
    lit_len = required_literal(d->regex, lit, sizeof(lit) - 1, &d->lit_prefix);
    if (lit_len > 0) {
        d->lit = malloc(lit_len + 1);
        if (d->lit == NULL)
            return ERR_NOMEM;
        memcpy(d->lit, lit, lit_len);
        d->lit[lit_len] = '\0';
        d->lit_len = lit_len;
    }
    return 0;
}

static const char STARS[4] = { '*', '*', '*', '*' };

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

static inline uint32_t lit_hash(uint32_t w)
{
    return (w * 2654435761u) >> (32 - LIT_HASH_BITS);
}

static void lit_insert(struct mset *s, uint32_t key, size_t id1, size_t *next)
{
    uint32_t h = lit_hash(key);
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

    memcpy(&key, STARS, 4);
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
static int has_rare_sse2(const struct mset *s, const char *p, size_t n)
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
            __m128i hit = _mm_or_si128(_mm_or_si128(_mm_cmpeq_epi8(x, r[0]), _mm_cmpeq_epi8(x, r[1])),
                                       _mm_or_si128(_mm_cmpeq_epi8(x, r[2]), _mm_cmpeq_epi8(x, r[3])));
            if (k > 4)
                hit = _mm_or_si128(
                    hit, _mm_or_si128(_mm_or_si128(_mm_cmpeq_epi8(x, r[4]), _mm_cmpeq_epi8(x, r[5])),
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
/* has_rare_sse2() 64 bytes at a time: nearly every byte of a log passes through here. */
__attribute__((target("avx2"))) static int has_rare_avx2(const struct mset *s, const char *p,
                                                         size_t n)
{
    __m256i r[RARE_MAX];
    size_t i = 0;
    int j, k = s->nrare;

    if (n < 32)
        return has_rare_sse2(s, p, n);
    for (j = 0; j < RARE_MAX; j++)
        r[j] = _mm256_set1_epi8((char)s->rare_vec[j][0]);
    for (; i + 64 <= n; i += 64) {
        __m256i x = _mm256_loadu_si256((const __m256i *)(const void *)(p + i));
        __m256i y = _mm256_loadu_si256((const __m256i *)(const void *)(p + i + 32));
        __m256i hit = _mm256_or_si256(
            _mm256_or_si256(_mm256_or_si256(_mm256_cmpeq_epi8(x, r[0]), _mm256_cmpeq_epi8(x, r[1])),
                            _mm256_or_si256(_mm256_cmpeq_epi8(x, r[2]), _mm256_cmpeq_epi8(x, r[3]))),
            _mm256_or_si256(_mm256_or_si256(_mm256_cmpeq_epi8(y, r[0]), _mm256_cmpeq_epi8(y, r[1])),
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
        __m256i hit =
            _mm256_or_si256(_mm256_or_si256(_mm256_cmpeq_epi8(x, r[0]), _mm256_cmpeq_epi8(x, r[1])),
                            _mm256_or_si256(_mm256_cmpeq_epi8(x, r[2]), _mm256_cmpeq_epi8(x, r[3])));
        if (k > 4)
            hit = _mm256_or_si256(
                hit,
                _mm256_or_si256(_mm256_or_si256(_mm256_cmpeq_epi8(x, r[4]), _mm256_cmpeq_epi8(x, r[5])),
                                _mm256_or_si256(_mm256_cmpeq_epi8(x, r[6]), _mm256_cmpeq_epi8(x, r[7]))));
        if (!_mm256_testz_si256(hit, hit))
            return 1;
        i = at + 32;
    }
    return 0;
}
#endif

static inline int has_rare(const struct mset *s, const char *p, size_t n)
{
#if defined(MSET_AVX2)
    if (s->avx2)
        return has_rare_avx2(s, p, n);
#endif
    return has_rare_sse2(s, p, n);
}

/* Whether [p, p+n) holds a byte that may start a segment separator ('\r', '\n', the '#' of
 * "#015"); when none, the line is one segment and the separator search is skipped. */
static int has_sep_byte(const char *p, size_t n)
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
static inline int lit_equal(const char *a, const char *b, size_t n)
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
__attribute__((always_inline)) static inline void lit_probe(struct mset *s, const char *p,
                                                             size_t n, size_t i)
{
    uint32_t w, h;
    size_t k;

    memcpy(&w, p + i, 4);
    h = lit_hash(w);
    if (!((s->lit_bits[h / 64] >> (h % 64)) & 1))
        return;
    for (k = s->lit_head[h]; k != 0;) {
        struct cdef *d;

        if (k == s->ndefs + 1) {
            if (memcmp(&w, STARS, 4) == 0)
                s->has_stars = 1;
            break; /* the stars entry was inserted first: it ends every chain */
        }
        d = &s->defs[k - 1];
        if (d->lit_key == w && s->lit_seen[k - 1] != s->gen && i >= d->lit_off &&
            d->lit_len - d->lit_off <= n - i &&
            lit_equal(p + i - d->lit_off, d->lit, d->lit_len)) {
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
static void lit_scan(struct mset *s, const char *p, size_t n)
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
                lit_probe(s, p, n, j);
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
            lit_probe(s, p, n, i);
}

static int by_source(const void *a, const void *b)
{
    const struct cdef *x = a, *y = b;

    if (x->source != y->source)
        return (int)x->source - (int)y->source;
    return x->def_index < y->def_index ? -1 : x->def_index > y->def_index;
}

struct mset *mset_new(const struct mdef_list *l, struct err *e)
{
    struct mset *s = calloc(1, sizeof(*s));
    size_t i, n = l != NULL ? l->n : 0;

    if (s == NULL)
        goto nomem;
    s->preset = l == NULL || l->preset_hf;
    s->gen = 1;
    if (n > 0) {
        s->defs = calloc(n, sizeof(*s->defs));
        s->names = calloc(n, sizeof(*s->names));
        s->errs = calloc(n, sizeof(*s->errs));
        if (s->defs == NULL || s->names == NULL || s->errs == NULL)
            goto nomem;
    }
    for (i = 0; i < n; i++) {
        s->defs[i].name = strdup(l->v[i].name);
        s->defs[i].regex = strdup(l->v[i].regex);
        if (s->defs[i].name == NULL || s->defs[i].regex == NULL)
            goto nomem;
        s->defs[i].source = l->v[i].source;
        s->defs[i].config_line = l->v[i].config_line;
        s->defs[i].def_index = i;
        s->ndefs++;
    }
    if (s->ndefs > 1)
        qsort(s->defs, s->ndefs, sizeof(*s->defs), by_source);
    for (i = 0; i < s->ndefs; i++) {
        int id = name_id(s, s->defs[i].name);

        if (id < 0) {
            id = (int)s->nnames;
            s->names[s->nnames++] = s->defs[i].name; /* borrowed from the def */
        }
        s->defs[i].name_id = id;
        if (compile_one(s, &s->defs[i]) != 0)
            goto nomem;
    }
    if (s->ndefs > 0 && ((s->lit_seen = calloc(s->ndefs, sizeof(*s->lit_seen))) == NULL ||
                         (s->lit_at = calloc(s->ndefs, sizeof(*s->lit_at))) == NULL))
        goto nomem;
    lit_table_build(s);
    rare_build(s);
#if defined(MSET_AVX2)
    s->avx2 = __builtin_cpu_supports("avx2");
#endif
    if (s->nnames > 0) {
        s->seen = calloc(s->nnames, sizeof(*s->seen));
        s->unp = calloc(s->nnames, sizeof(*s->unp));
        s->pend = calloc(s->nnames, sizeof(*s->pend));
        s->pend_list = calloc(s->nnames, sizeof(*s->pend_list));
        s->name_len = calloc(s->nnames, sizeof(*s->name_len));
        if (s->seen == NULL || s->unp == NULL || s->pend == NULL || s->pend_list == NULL ||
            s->name_len == NULL)
            goto nomem;
        for (i = 0; i < s->nnames; i++)
            s->name_len[i] = strlen(s->names[i]);
    }
    {
        /* an ovector shorter than the pattern's groups makes pcre2_match() return 0 */
        uint32_t pairs = 2;
        for (i = 0; i < s->ndefs; i++)
            if (s->defs[i].code != NULL && (uint32_t)s->defs[i].groups + 1 > pairs)
                pairs = (uint32_t)s->defs[i].groups + 1;
        s->md = pcre2_match_data_create(pairs, NULL);
    }
    s->mctx = pcre2_match_context_create(NULL);
    s->jstack = pcre2_jit_stack_create(32 * 1024, JIT_STACK_MAX, NULL);
    if (s->md == NULL || s->mctx == NULL || s->jstack == NULL)
        goto nomem;
    pcre2_set_match_limit(s->mctx, MATCH_LIMIT);
    pcre2_jit_stack_assign(s->mctx, NULL, s->jstack);
    return s;
nomem:
    mset_free(s);
    err_set(e, ERR_NOMEM, "out of memory compiling metric definitions");
    return NULL;
}

void mset_free(struct mset *s)
{
    size_t i;

    if (s == NULL)
        return;
    for (i = 0; i < s->ndefs; i++) {
        free(s->defs[i].name);
        free(s->defs[i].regex);
        free(s->defs[i].lit);
        pcre2_code_free(s->defs[i].code);
    }
    free(s->defs);
    free(s->names);
    free(s->errs);
    free(s->seen);
    free(s->lit_seen);
    free(s->lit_at);
    free(s->unp);
    free(s->pend);
    free(s->pend_list);
    free(s->name_len);
    pcre2_match_data_free(s->md);
    pcre2_match_context_free(s->mctx);
    pcre2_jit_stack_free(s->jstack);
    free(s);
}

size_t mset_error_count(const struct mset *s)
{
    return s->nerrs;
}

const struct mdef_error *mset_error(const struct mset *s, size_t i)
{
    return i < s->nerrs ? &s->errs[i] : NULL;
}

void mdef_error_format(const struct mdef_error *d, char *buf, size_t size)
{
    if (d->source == MDEF_USER && d->config_line > 0)
        snprintf(buf, size, "definition '%s' (config line %d): %s at offset %zu", d->name,
                 d->config_line, d->msg, d->offset);
    else
        snprintf(buf, size, "definition '%s' (%s): %s at offset %zu", d->name,
                 mdef_source_name(d->source), d->msg, d->offset);
}

size_t mset_name_count(const struct mset *s)
{
    return s->nnames;
}

const char *mset_name(const struct mset *s, size_t id)
{
    return id < s->nnames ? s->names[id] : NULL;
}

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

void mextract_state_init(struct mextract_state *st, const char *instance)
{
    memset(st, 0, sizeof(*st));
    if (instance != NULL)
        snprintf(st->instance, sizeof(st->instance), "%s", instance);
    st->step = -1;
    st->epoch = NAN;
}

/* ---------------------------------------------------------------------------------------------
 * The Hugging Face preset: context (epoch, step, blocks) and its own values */

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

/* A Trainer dict line: "{'loss': 0.35, 'learning_rate': 4.2e-05, 'epoch': 0.64}" at the end of
 * the segment (a rank prefix may come before). Flat, single-quoted keys; values are numbers,
 * quoted numbers, wrappers such as tensor(1.23, device='cuda:0') or np.float64(1.0), or scalars
 * that are skipped (None, True, strings). Returns 1 when the segment was such a line; b is the
 * segment's first '{'. */
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

static int parse_dict(struct mset *s, struct mextract_state *st, const char *p, size_t n,
                      const char *b)
{
    size_t i, kstart, klen, nkeys = 0;
    double epoch = NAN, step = NAN;
    int training = 0, want, emit_key;

    while (b != NULL && (size_t)(b - p) + 1 < n && b[1] != '\'')
        b = memchr(b + 1, '{', n - (size_t)(b + 1 - p));
    if (b == NULL || (size_t)(b - p) + 1 >= n)
        return 0;
    i = (size_t)(b - p) + 1;
    s->npkeys = 0;
    for (;;) {
        size_t vs, vl = 0;
        double v = NAN;
        int numeric = 0;

        while (i < n && is_blank(p[i]))
            i++;
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
        i++;
        while (i < n && is_blank(p[i]))
            i++;
        if (i >= n || p[i] != ':')
            return 0;
        i++;
        while (i < n && is_blank(p[i]))
            i++;
        if (i >= n)
            return 0;
        vs = i;
        if (p[i] == '\'' || p[i] == '"') {
            char q = p[i++];
            size_t qs = i;
            while (i < n && p[i] != q)
                i++;
            if (i >= n)
                return 0;
            vl = number_if(want, p + qs, i - qs, &v);
            if (vl > 0 && vl == i - qs) {
                numeric = 1;
                vs = qs;
            }
            i++;
        } else if ((p[i] >= 'a' && p[i] <= 'z') || (p[i] >= 'A' && p[i] <= 'Z') || p[i] == '_') {
            size_t ie = i;
            while (ie < n && is_ident(p[ie]))
                ie++;
            if (ie < n && p[ie] == '(') {
                /* tensor(1.2345, device='cuda:0'), np.float64(0.5) */
                int depth = 1;
                size_t a = ie + 1;
                while (a < n && is_blank(p[a]))
                    a++;
                vl = number_to_end(s, want, p + a, n - a, &v);
                if (vl > 0) {
                    numeric = 1;
                    vs = a;
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
            } else {
                vl = number_if(want, p + i, ie - i, &v);
                if (vl == ie - i)
                    numeric = 1; /* nan, inf */
                i = ie;
            }
        } else {
            vl = number_to_end(s, want, p + i, n - i, &v);
            if (vl == 0)
                return 0; /* nested dict, list: not a Trainer line */
            numeric = 1;
            i += vl;
        }
        while (i < n && is_blank(p[i]))
            i++;
        if (i >= n || (p[i] != ',' && p[i] != '}'))
            return 0;
        if (numeric) {
            const char *k = p + kstart;
            if (key_is(k, klen, "epoch"))
                epoch = v;
            else if (key_is(k, klen, "step") || key_is(k, klen, "global_step"))
                step = v;
            else {
                if (key_is(k, klen, "loss"))
                    training = 1;
                if (emit_key) /* without the preset only the context is wanted */
                    pkey_add(s, k, klen, p + vs, vl, v, 0);
            }
            nkeys++;
        }
        if (p[i] == '}')
            break;
        i++;
    }
    /* the dict must end the segment */
    for (i++; i < n; i++)
        if (!is_blank(p[i]))
            return s->npkeys = 0, 0;
    if (nkeys == 0)
        return 0;
    if (!isnan(epoch))
        st->epoch = epoch;
    if (training)
        st->log_lines++;
    if (!isnan(step) && step >= 0) {
        st->step = (int64_t)step;
        st->step_counted = 0;
    } else if (training) {
        st->step = st->log_lines;
        st->step_counted = 1;
    }
    return 1;
}

/* "  eval_loss               =     0.0364" inside a metrics block. */
static int parse_block_line(struct mset *s, struct mextract_state *st, const char *p, size_t n)
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
static void context_parse(struct mset *s, struct mextract_state *st, const char *p, size_t n)
{
    const char *h, *b;

    s->npkeys = 0;
    s->nmemo = 0;
    s->seg_flags = 0;
    if (s->has_stars && n >= 10 && (h = memmem(p, n, "*****", 5)) != NULL) {
        size_t a = (size_t)(h - p) + 5;
        const char *t = memmem(p + a, n - a, "*****", 5);
        if (t != NULL) {
            size_t tl = (size_t)(t - (p + a));
            st->block = contains_ci(p + a, tl, "metrics") || contains_ci(p + a, tl, "results");
            return;
        }
    }
    if (st->block) {
        if (parse_block_line(s, st, p, n)) {
            s->seg_flags = MPOINT_EVAL_BLOCK;
            return;
        }
        st->block = 0;
    }
    if ((b = memchr(p, '{', n)) != NULL && !parse_dict(s, st, p, n, b))
        s->npkeys = 0;
}

/* ---------------------------------------------------------------------------------------------
 * Extraction */

struct emit {
    struct mset *s;
    struct mextract_state *st;
    mpoint_fn cb;
    void *ctx;
    int64_t ts_ms;
    int count;
};

static int emit(struct emit *x, const char *name, int id, double v, double sm, unsigned flags,
                enum mdef_source src, long def_index, const char *raw, size_t raw_len)
{
    struct mpoint pt;

    pt.name = name;
    pt.name_id = id;
    pt.value = v;
    pt.sagemaker_value = sm;
    pt.ts_ms = x->ts_ms;
    pt.step = x->st->step;
    pt.epoch = x->st->epoch;
    pt.flags = flags | x->s->seg_flags | (x->st->step_counted && x->st->step >= 0 ?
                                           MPOINT_STEP_COUNTED : 0);
    pt.source = src;
    pt.def_index = def_index;
    pt.raw = raw;
    pt.raw_len = raw_len;
    pt.instance = x->st->instance;
    x->count++;
    x->st->points++;
    if (flags & MPOINT_UNPARSED)
        x->st->unparsed++;
    return x->cb != NULL ? x->cb(&pt, x->ctx) : 0;
}

static inline int is_digitc(char c)
{
    return c >= '0' && c <= '9';
}

static inline int is_alnum(char c)
{
    return is_digitc(c) || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

static inline int same_double(double a, double b)
{
    return a == b || (isnan(a) && isnan(b));
}

/* Value of the capture [cs, ce) of segment p, with SageMaker's value and the repairs. */
/* The scan of the number at p (to the segment's end), from the dict parser's memo or made now;
 * 0 when p does not start a number. */
static inline size_t scan_at(const struct mset *s, const char *p, size_t n, struct mvalue_scan *r)
{
    size_t i;

    for (i = 0; i < s->nmemo; i++)
        if (s->memo[i].at == p) {
            *r = s->memo[i].r;
            return r->len;
        }
    return mvalue_scan(p, n, r);
}

static int capture_value(const struct mset *s, const char *p, size_t n, size_t cs, size_t ce,
                         double *v, double *sm, unsigned *flags)
{
    size_t a = cs, b = ce, full;
    double rv;
    struct mvalue_scan r;

    /* The usual capture starts with a digit and is exactly one number, or the mantissa of one
     * (the notebooks' regex on "2.8732e-05"): one scan of the text gives its value, the whole
     * number and SageMaker's value. A number never ends in a blank, so there is nothing to trim
     * at the end; anything else takes the general path below. */
    if (cs < ce && ((p[cs] >= '0' && p[cs] <= '9') || p[cs] == '.') &&
        scan_at(s, p + cs, n - cs, &r) > 0 && r.ok &&
        (r.len == ce - cs || r.mant_len == ce - cs)) {
        *v = r.len == ce - cs ? r.value : r.mant_value;
        *sm = isfinite(*v) ? *v : NAN;
        if (r.len > ce - cs && !same_double(r.value, *v)) {
            *v = r.value;
            *flags |= MPOINT_REPAIRED_NUMBER;
        }
        goto sign;
    }
    if (metrics_parse_value(p + cs, ce - cs, v, flags) != 0)
        return -1;
    /* SageMaker parses the capture as a number and drops what is not one (durations);
     * CloudWatch takes no NaN or infinity */
    *sm = (*flags & MPOINT_DURATION) || !isfinite(*v) ? NAN : *v;
    if (*flags & MPOINT_DURATION)
        return 0;
    while (a < b && (p[a] == ' ' || p[a] == '\t'))
        a++;
    /* the capture is only the start of a longer number: "2.8732" of "2.8732e-05" */
    if (b == ce && b < n) {
        full = mvalue_number_len(p + a, n - a);
        if (a + full > b && mvalue_to_double(p + a, full, &rv) == 0 && !same_double(rv, *v)) {
            *v = rv;
            *flags |= MPOINT_REPAIRED_NUMBER;
        }
    }
sign:
    /* a '-' eaten just before the capture (\D* in "loss.*=\D*(.*?)$") */
    if (a == cs && cs > 0 && p[cs - 1] == '-' && (is_digitc(p[cs]) || p[cs] == '.') &&
        (cs == 1 || (!is_alnum(p[cs - 2]) && p[cs - 2] != '.' && p[cs - 2] != '-'))) {
        *v = -*v;
        *flags |= MPOINT_REPAIRED_SIGN;
    }
    return 0;
}

/* Matches d against the segment from start (see run_defs()): 1 with the capture in [*cs, *ce),
 * 0 no match, or PCRE2's negative error code. */
static int def_match(struct mset *s, const struct cdef *d, const char *p, size_t n, size_t start,
                     size_t *cs, size_t *ce)
{
    PCRE2_SIZE *ov;
    int rc;

    rc = d->jit ? pcre2_jit_match(d->code, (PCRE2_SPTR)p, n, start, 0, s->md, s->mctx)
                : pcre2_match(d->code, (PCRE2_SPTR)p, n, start, 0, s->md, s->mctx);
    if (rc == PCRE2_ERROR_NOMATCH)
        return 0;
    if (rc < 0)
        return rc;
    ov = pcre2_get_ovector_pointer(s->md);
    if (d->groups >= 1) {
        if ((rc > 0 && rc < 2) || ov[2] == PCRE2_UNSET) {
            *cs = *ce = ov[1]; /* group 1 did not take part: an empty capture */
        } else {
            *cs = ov[2];
            *ce = ov[3];
        }
    } else {
        *cs = ov[0];
        *ce = ov[1];
    }
    return 1;
}

static int run_defs(struct emit *x, const char *p, size_t n)
{
    struct mset *s = x->s;
    uint64_t todo = s->cand | s->always;
    size_t i = 0;
    int rc;

    for (;; i++) {
        struct cdef *d;
        size_t cs, ce, start = 0;
        double v, sm;
        unsigned flags = 0;

        if (s->ndefs <= 64) {
            if (todo == 0)
                break;
            i = (size_t)__builtin_ctzll(todo); /* in order: precedence is the defs' order */
            todo &= todo - 1;
        } else if (i >= s->ndefs) {
            break;
        }
        d = &s->defs[i];
        if (d->code == NULL || s->seen[d->name_id] == s->gen)
            continue;
        if (d->rare_idx >= 0 && !(s->line_mask & (1u << d->rare_idx)))
            continue;
        if (d->lit_len >= 4) {
            if (s->lit_seen[i] != s->gen)
                continue;
            start = s->lit_at[i];
        } else if (d->lit_len > 0) {
            const char *at = n < d->lit_len     ? NULL
                             : d->lit_len == 1 ? memchr(p, d->lit[0], n)
                                               : memmem(p, n, d->lit, d->lit_len);
            if (at == NULL)
                continue;
            start = (size_t)(at - p);
        }
        /* no match can start before the first occurrence of a literal it starts with; the
         * subject stays whole, so lookbehinds and \b still see what comes before */
        if (!d->lit_prefix)
            start = 0;
        rc = def_match(s, d, p, n, start, &cs, &ce);
        if (rc == 0)
            continue;
        if (rc < 0) {
            x->st->match_errors++;
            continue;
        }
        if (capture_value(s, p, n, cs, ce, &v, &sm, &flags) != 0) {
            if (s->unp[d->name_id] != s->gen) {
                struct pending *q = &s->pend[d->name_id];
                s->unp[d->name_id] = s->gen;
                q->raw = p + cs;
                q->raw_len = ce - cs;
                q->def_index = (long)d->def_index;
                q->source = d->source;
                s->pend_list[s->npend++] = d->name_id;
            }
            continue;
        }
        s->seen[d->name_id] = s->gen;
        if (emit(x, d->name, d->name_id, v, sm, flags, d->source, (long)d->def_index, p + cs,
                 ce - cs) != 0)
            return ERR_CANCELLED;
    }
    return 0;
}

static int segment(struct emit *x, const char *p, size_t n)
{
    struct mset *s = x->s;
    size_t i;

    x->st->segments++;
    if (++s->gen == 0) {
        if (s->nnames > 0) {
            memset(s->seen, 0, s->nnames * sizeof(*s->seen));
            memset(s->unp, 0, s->nnames * sizeof(*s->unp));
        }
        if (s->ndefs > 0)
            memset(s->lit_seen, 0, s->ndefs * sizeof(*s->lit_seen));
        s->gen = 1;
    }
    s->npend = 0;
    lit_scan(s, p, n);
    context_parse(s, x->st, p, n);
    if (run_defs(x, p, n) != 0)
        return ERR_CANCELLED;
    if (s->preset) {
        for (i = 0; i < s->npkeys; i++) {
            struct pkey *k = &s->pkeys[i];
            int id = lookup_n(s, k->key, k->key_len);
            double sm = NAN;

            if (id >= 0 && s->seen[id] == s->gen)
                continue;
            if (id >= 0 && !(k->flags & MPOINT_UNPARSED))
                s->seen[id] = s->gen;
            if (id >= 0 && (k->flags & MPOINT_UNPARSED) && s->unp[id] == s->gen)
                continue; /* the definition's own unparsed capture is reported below */
            memcpy(x->st->name_buf, k->key, k->key_len);
            x->st->name_buf[k->key_len] = '\0';
            if (emit(x, x->st->name_buf, id, k->value, sm, k->flags | MPOINT_PRESET,
                     MDEF_PRESET, -1, k->raw, k->raw_len) != 0)
                return ERR_CANCELLED;
        }
    }
    for (i = 0; i < s->npend; i++) {
        int id = s->pend_list[i];
        struct pending *q = &s->pend[id];

        if (s->seen[id] == s->gen)
            continue;
        if (emit(x, s->names[id], id, NAN, NAN, MPOINT_UNPARSED, q->source, q->def_index,
                 q->raw, q->raw_len) != 0)
            return ERR_CANCELLED;
    }
    return 0;
}

/* Where the next separator of each kind is ('\n', '\r', the literal "#015", CloudWatch's CR);
 * each search is redone only once passed, so a line costs one scan per kind. */
struct seps {
    size_t cr, nl, oc;
};

static size_t find_from(const char *p, size_t n, size_t i, const char *pat, size_t pl)
{
    const char *r;

    /* memchr on the first byte is vectorised and '#' is rare in logs; memmem costs a setup
     * per call that shows at millions of lines */
    while (i < n && (r = memchr(p + i, pat[0], n - i)) != NULL) {
        size_t at = (size_t)(r - p);
        if (at + pl <= n && memcmp(r + 1, pat + 1, pl - 1) == 0)
            return at;
        i = at + 1;
    }
    return n;
}

static size_t next_sep(const char *p, size_t n, size_t i, struct seps *c, size_t *sep_len)
{
    size_t best = n;

    if (c->cr < i)
        c->cr = find_from(p, n, i, "\r", 1);
    if (c->nl < i)
        c->nl = find_from(p, n, i, "\n", 1);
    if (c->oc < i)
        c->oc = find_from(p, n, i, "#015", 4);
    *sep_len = 0;
    if (c->cr < best) {
        best = c->cr;
        *sep_len = 1;
    }
    if (c->nl < best) {
        best = c->nl;
        *sep_len = 1;
    }
    if (c->oc < best) {
        best = c->oc;
        *sep_len = 4;
    }
    return best;
}

int mset_extract(struct mset *s, struct mextract_state *st, const char *line, size_t len,
                 int64_t ts_ms, mpoint_fn cb, void *ctx)
{
    struct emit x = { s, st, cb, ctx, ts_ms, 0 };
    struct seps c = { 0, 0, 0 };
    size_t i = 0;

    if (s == NULL || st == NULL || (line == NULL && len > 0))
        return ERR_INVAL;
    st->lines++;
    if (len == 0)
        return 0;
    /* the per-definition literal checks are exact, so a line that passes need not say which
     * rare bytes it holds */
    s->line_mask = ~0u;
    if (s->filter_lines && !st->block && !has_rare(s, line, len))
        return 0;
    if (!has_sep_byte(line, len)) {
        if (segment(&x, line, len) != 0)
            return ERR_CANCELLED;
        return x.count;
    }
    c.cr = c.nl = c.oc = (size_t)-1; /* "not searched yet" is fixed up below */
    c.cr = find_from(line, len, 0, "\r", 1);
    c.nl = find_from(line, len, 0, "\n", 1);
    c.oc = find_from(line, len, 0, "#015", 4);
    while (i < len) {
        size_t sl, e = next_sep(line, len, i, &c, &sl);
        if (e > i && segment(&x, line + i, e - i) != 0)
            return ERR_CANCELLED;
        if (sl == 0)
            break;
        i = e + sl;
    }
    return x.count;
}
