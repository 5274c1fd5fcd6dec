/* mset.c: compiled metric sets and the extractor — the hot loop from a log line to points.
 * Owns PCRE2 codes, the match data and JIT stack (one thread at a time) and the step/epoch
 * context; the literal analysis (literal.c), the prefilters (prefilter.c/.h) and the Hugging Face
 * preset (preset.c) work on the same struct mset (mset_internal.h).
 * Must not allocate, print or block per line: everything a line needs lives in the set or in the
 * caller's state. See metrics.h for the contract and docs/metrics.md for the semantics. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "aws/err.h"
#include "metrics/mset_internal.h"
#include "metrics/procprefix.h"
#include "metrics/prefilter.h"
#include "metrics/preset.h"

/* ---------------------------------------------------------------------------------------------
 * Compilation */

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
    lit_len = literal_required(d->regex, lit, sizeof(lit) - 1, &d->lit_prefix);
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
    prefilter_build(s);
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

void mextract_state_init(struct mextract_state *st, const char *instance)
{
    memset(st, 0, sizeof(*st));
    if (instance != NULL)
        snprintf(st->instance, sizeof(st->instance), "%s", instance);
    st->step = -1;
    st->epoch = NAN;
    st->cur_rank = -1;
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
    pt.rank = x->st->cur_rank;
    pt.rank_local = x->st->cur_local;
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
    prefilter_lit_scan(s, p, n);
    preset_context(s, x->st, p, n);
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
    struct procprefix pp;
    size_t i = 0, skip;

    if (s == NULL || st == NULL || (line == NULL && len > 0))
        return ERR_INVAL;
    st->lines++;
    if (len == 0)
        return 0;
    if (procprefix_maybe(line, len) || st->cur_code != 0)
        skip = mproc_enter(st, line, len, &pp);
    else
        skip = 0;
    line += skip;
    len -= skip;
    if (len == 0)
        return 0;
    /* the per-definition literal checks are exact, so a line that passes need not say which
     * rare bytes it holds */
    s->line_mask = ~0u;
    if (s->filter_lines && !st->block && !prefilter_has_rare(s, line, len))
        return 0;
    if (skip > 0 && mproc_is_copy(st, &pp, line, len))
        return 0;
    if (!prefilter_has_sep_byte(line, len)) {
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
        /* a progress bar's "#015" pieces each carry the prefix again */
        if (i > 0 && e > i && procprefix_maybe(line + i, e - i) &&
            procprefix_parse(line + i, e - i, &pp))
            i += pp.len;
        if (e > i && segment(&x, line + i, e - i) != 0)
            return ERR_CANCELLED;
        if (sl == 0)
            break;
        i = e + sl;
    }
    return x.count;
}
