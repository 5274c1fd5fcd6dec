/* query.c: the filter language the lists share (query.h): splitting a filter into terms,
 * telling a field comparison from a name regex, the name terms as one pattern and its match,
 * the comparisons a list tests in memory, and `:sort`'s arguments. Owns nothing past a call
 * but a query_names; must not read the cache, draw or know what a list's fields mean. */
#include <ctype.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#define PCRE2_CODE_UNIT_WIDTH 8
#include <pcre2.h>

#include "tui/query.h"
#include "tui/sanitize.h"

/* At one position the longer operators first, as cache_cond_parse() reads them. */
static const struct {
    const char *s;
    enum query_op op;
} ops[] = {
    { "!=", QUERY_NE }, { "<=", QUERY_LE }, { ">=", QUERY_GE }, { "==", QUERY_EQ },
    { ":", QUERY_EQ },  { "=", QUERY_EQ },  { "<", QUERY_LT },  { ">", QUERY_GT },
};
#define N_OPS (sizeof(ops) / sizeof(ops[0]))

const char *query_op_text(enum query_op op)
{
    static const char *const text[] = { "=", "!=", "<", "<=", ">", ">=" };

    return (unsigned)op < sizeof(text) / sizeof(text[0]) ? text[op] : "?";
}

/* The operator at p, its length into *len; -1 when none starts there. */
static int op_at(const char *p, size_t *len)
{
    size_t i;

    for (i = 0; i < N_OPS; i++) {
        if (strncmp(p, ops[i].s, strlen(ops[i].s)) == 0) {
            *len = strlen(ops[i].s);
            return (int)ops[i].op;
        }
    }
    return -1;
}

static enum query_op op_negate(enum query_op op)
{
    static const enum query_op neg[] = { [QUERY_EQ] = QUERY_NE, [QUERY_NE] = QUERY_EQ,
                                         [QUERY_LT] = QUERY_GE, [QUERY_LE] = QUERY_GT,
                                         [QUERY_GT] = QUERY_LE, [QUERY_GE] = QUERY_LT };

    return neg[op];
}

/* The field of fields term starts with, and where its operator is (*at); NULL when none: an
 * exact field needs its operator right after the name, a prefix one a key before it. */
static const struct query_field *field_of(const char *term, const struct query_field *fields,
                                          const char **at, struct err *e, int *rc)
{
    const struct query_field *f;
    size_t n, len;
    const char *p;

    for (f = fields; f && f->name; f++) {
        n = strlen(f->name);
        if (strncmp(term, f->name, n) != 0)
            continue;
        if (!f->prefix) {
            if (op_at(term + n, &len) < 0)
                continue;
            *at = term + n;
            return f;
        }
        for (p = term + n; *p && op_at(p, &len) < 0; p++)
            ;
        if (!*p)
            *rc = err_set(e, ERR_INVAL, "bad filter '%s': no operator (: = != < <= > >=)", term);
        else if (p == term + n)
            *rc = err_set(e, ERR_INVAL, "bad filter '%s': missing key after %s", term, f->name);
        *at = p;
        return f;
    }
    return NULL;
}

static int parse_term(const char *tok, const struct query_field *fields, struct query_term *t,
                      struct err *e)
{
    bool bang = tok[0] == '!' && tok[1];
    const char *text = bang ? tok + 1 : tok, *at = NULL;
    const struct query_field *f;
    size_t len = 0;
    int rc = 0;

    memset(t, 0, sizeof(*t));
    if (strlen(text) >= sizeof(t->text))
        return err_set(e, ERR_INVAL, "filter term too long: %.40s…", text);
    str_copy(t->text, sizeof(t->text), text);
    f = field_of(text, fields, &at, e, &rc);
    if (rc != 0)
        return rc;
    if (f == NULL) {
        t->neg = bang;
        return 0;
    }
    t->is_field = true;
    t->field = f;
    t->op = (enum query_op)op_at(at, &len);
    if (bang)
        t->op = op_negate(t->op);
    if ((size_t)(at - text) >= sizeof(t->name) || strlen(at + len) >= sizeof(t->value))
        return err_set(e, ERR_INVAL, "bad filter '%s': too long", text);
    memcpy(t->name, text, (size_t)(at - text));
    str_copy(t->value, sizeof(t->value), at + len);
    return 0;
}

int query_parse(const char *text, const struct query_field *fields, struct query *q,
                struct err *e)
{
    char buf[1024];
    char *tok, *save = NULL;
    struct query out;
    int rc;

    if (strlen(text) >= sizeof(buf))
        return err_set(e, ERR_INVAL, "the filter is too long");
    out.n = 0;
    str_copy(buf, sizeof(buf), text);
    for (tok = strtok_r(buf, " ", &save); tok; tok = strtok_r(NULL, " ", &save)) {
        if (out.n == QUERY_MAX_TERMS)
            return err_set(e, ERR_INVAL, "at most %d filter terms", QUERY_MAX_TERMS);
        if ((rc = parse_term(tok, fields, &out.terms[out.n], e)) != 0)
            return rc;
        out.n++;
    }
    memcpy(q, &out, sizeof(out));
    return 0;
}

int query_name_pattern(const struct query *q, char *re, size_t size, bool *invert,
                       struct err *e)
{
    const struct query_term *only = NULL;
    size_t i, n = 0, used = 0;
    int w;

    for (i = 0; i < q->n; i++)
        if (!q->terms[i].is_field) {
            only = &q->terms[i];
            n++;
        }
    *invert = false;
    if (size > 0)
        re[0] = '\0';
    if (n == 0)
        return 0;
    if (n == 1) {
        if (strlen(only->text) >= size)
            return err_set(e, ERR_INVAL, "the name terms are too long");
        str_copy(re, size, only->text);
        *invert = only->neg;
        return 0;
    }
    /* the cache matches one pattern per query: every term a lookahead from the start */
    for (i = 0; i < q->n; i++) {
        const struct query_term *t = &q->terms[i];

        if (t->is_field)
            continue;
        w = snprintf(re + used, size - used, "%s(?%c.*(?:%s))", used ? "" : "^",
                     t->neg ? '!' : '=', t->text);
        if (w < 0 || (size_t)w >= size - used) {
            re[0] = '\0';
            return err_set(e, ERR_INVAL, "the name terms are too long");
        }
        used += (size_t)w;
    }
    return 0;
}

struct query_names {
    pcre2_code *re;
    pcre2_match_data *md;
    bool invert;
};

void query_names_free(struct query_names *m)
{
    if (m == NULL)
        return;
    pcre2_match_data_free(m->md);
    pcre2_code_free(m->re);
    free(m);
}

int query_names_new(const struct query *q, struct query_names **out, struct err *e)
{
    struct query_names *m = calloc(1, sizeof(*m));
    uint32_t opts = PCRE2_UTF | PCRE2_MATCH_INVALID_UTF | PCRE2_CASELESS;
    char pat[1024];
    PCRE2_SIZE off;
    const char *p;
    int rc, code;

    if (m == NULL)
        return err_set(e, ERR_NOMEM, "out of memory");
    if ((rc = query_name_pattern(q, pat, sizeof(pat), &m->invert, e)) != 0)
        goto fail;
    /* smart case: a capital outside an escape makes it case-sensitive (as the cache's) */
    for (p = pat; *p; p++) {
        if (*p == '\\' && p[1])
            p++;
        else if (isupper((unsigned char)*p))
            opts &= ~(uint32_t)PCRE2_CASELESS;
    }
    if (pat[0] && (m->re = pcre2_compile((PCRE2_SPTR)pat, PCRE2_ZERO_TERMINATED, opts, &code,
                                         &off, NULL)) == NULL) {
        PCRE2_UCHAR msg[160];

        pcre2_get_error_message(code, msg, sizeof(msg));
        rc = err_set(e, ERR_INVAL, "bad regex '%s': %s at offset %zu", pat, (char *)msg,
                     (size_t)off);
        goto fail;
    }
    if (m->re && (m->md = pcre2_match_data_create_from_pattern(m->re, NULL)) == NULL) {
        rc = err_set(e, ERR_NOMEM, "out of memory");
        goto fail;
    }
    *out = m;
    return 0;
fail:
    query_names_free(m);
    return rc;
}

bool query_names_match(const struct query_names *m, const char *name)
{
    bool hit;

    if (m == NULL || m->re == NULL)
        return true;
    hit = pcre2_match(m->re, (PCRE2_SPTR)name, strlen(name), 0, 0, m->md, NULL) >= 0;
    return hit != m->invert;
}

bool query_number(const char *s, double *out)
{
    char *end;
    double d;

    while (isspace((unsigned char)*s))
        s++;
    if (!*s)
        return false;
    d = strtod(s, &end);
    while (isspace((unsigned char)*end))
        end++;
    if (*end || !isfinite(d))
        return false;
    *out = d;
    return true;
}

bool query_holds_number(const struct query_term *t, double have)
{
    double want;

    if (!query_number(t->value, &want))
        return false;
    switch (t->op) {
    case QUERY_EQ: return have == want;
    case QUERY_NE: return have != want;
    case QUERY_LT: return have < want;
    case QUERY_LE: return have <= want;
    case QUERY_GT: return have > want;
    case QUERY_GE: return have >= want;
    }
    return false;
}

bool query_holds_text(const struct query_term *t, const char *have)
{
    const char *p = t->value, *comma;
    bool any = false;
    size_t n;

    while (!any) {
        comma = strchr(p, ',');
        n = comma ? (size_t)(comma - p) : strlen(p);
        any = n == strlen(have) && strncasecmp(p, have, n) == 0;
        if (!comma)
            break;
        p = comma + 1;
    }
    return t->op == QUERY_NE ? !any : t->op == QUERY_EQ && any;
}

int query_sort_args(int argc, char **argv, bool *desc, struct err *e)
{
    if (argc < 2 || argc > 3 ||
        (argc == 3 && strcmp(argv[2], "desc") != 0 && strcmp(argv[2], "asc") != 0))
        return err_set(e, ERR_INVAL, "usage: :sort COLUMN [desc|asc]");
    *desc = argc == 3 && strcmp(argv[2], "desc") == 0;
    return 0;
}
