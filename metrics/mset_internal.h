/* mset_internal.h: the compiled metric set's layout, shared by the files that build and run it
 * (mset.c: compile and extract; literal.c: required-literal analysis; prefilter.c/.h: the
 * literal scan and the line filter; preset.c/.h: the Hugging Face preset parser). Nothing outside
 * metrics/ includes it: the public contract is metrics.h.
 *
 * A struct mset belongs to one thread at a time (its match data, JIT stack and per-segment
 * scratch live in it); the helpers declared here follow the same rule. The extractor's hot path
 * runs through the static inline functions of prefilter.h and preset.h so that splitting the
 * files adds no call to the per-line loop. */
#ifndef SAGETOP_METRICS_MSET_INTERNAL_H
#define SAGETOP_METRICS_MSET_INTERNAL_H

#define PCRE2_CODE_UNIT_WIDTH 8
#include <pcre2.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "metrics/metrics.h"
#include "metrics/value.h"

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
    PRESET_SKIP_MAX = 64,
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

struct mset {
    struct cdef *defs; /* sorted by precedence */
    size_t ndefs;
    char **names;
    size_t nnames;
    size_t *name_len; /* strlen(names[i]), for lookup_n() */
    uint32_t *seen;   /* per name: == gen when a point was made in this segment */
    uint32_t *unp;    /* per name: == gen when an unparsed capture is pending */
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
    bool avx2;          /* the CPU runs prefilter_has_rare_avx2() */
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

/* literal.c: the longest run of literal bytes every match of re must contain, copied to out
 * (at most cap bytes, not NUL-terminated); its length, 0 when there is none or re is beyond the
 * analysis. *prefix tells whether every match starts with it. Pure. */
size_t literal_required(const char *re, char *out, size_t cap, bool *prefix);

/* mproc.c: the launcher prefix of a line and the process context it selects. */
struct procprefix;
/* Parses the prefix into *pp (pp->len 0 and no stream when none), makes that process's context
 * the one in force in st, and returns the bytes to skip. */
size_t mproc_enter(struct mextract_state *st, const char *line, size_t len,
                   struct procprefix *pp);
/* Whether text (a line after its prefix pp) is the copy, on the other standard stream, of a
 * line the current process printed lately; remembers it otherwise. */
bool mproc_is_copy(struct mextract_state *st, const struct procprefix *pp, const char *text,
                   size_t len);

#endif
