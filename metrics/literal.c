/* literal.c: required-literal analysis of a metric definition's regex, at compile time.
 *
 * Finds the longest run of bytes every match must contain, so that the extractor can rule a line
 * out (prefilter.c) or start matching late (mset.c) without running PCRE2. Owns nothing and
 * allocates nothing; reads the pattern text only. Must stay conservative: when the pattern is
 * beyond this reading (alternation at the top, inline options, \Q...\E), it answers "no literal",
 * which costs speed and never a point. */
#include <stdbool.h>
#include <string.h>

#include "metrics/mset_internal.h"

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

/* The run of literal text being read, and the longest one so far (in out). */
struct lit_run {
    char *out;
    size_t cap;
    bool *prefix;
    size_t best, cur, start;
    char run[MDEF_REGEX_MAX + 1];
};

/* Ends the current run, keeping it when it is the longest yet. */
static void run_flush(struct lit_run *r)
{
    if (r->cur > r->best && r->cur <= r->cap) {
        memcpy(r->out, r->run, r->cur);
        r->best = r->cur;
        *r->prefix = r->start == 0;
    }
    r->cur = 0;
}

static void run_add(struct lit_run *r, size_t at, char c)
{
    if (r->cur == 0)
        r->start = at;
    r->run[r->cur++] = c;
}

/* A character followed by a quantifier that allows zero repetitions is no required text. */
static void run_drop_last(struct lit_run *r)
{
    if (r->cur > 0)
        r->cur--;
    run_flush(r);
}

/* Whether re holds what changes the meaning of its literal text: an inline option ((?i) and
 * friends) or a \Q...\E quote. */
static bool beyond_reading(const char *re, size_t n)
{
    size_t i;

    for (i = 0; i + 1 < n; i++)
        if (re[i] == '(' && re[i + 1] == '?' && i + 2 < n && strchr(":<P=!>|", re[i + 2]) == NULL)
            return true;
    return strstr(re, "\\Q") != NULL || strstr(re, "\\E") != NULL;
}

/* Inside a group: the index of the last byte of the token at re[i], and the depth after it. */
static size_t group_token_end(const char *re, size_t i, size_t n, int *depth)
{
    int lit;

    if (re[i] == '\\')
        return escape_end(re, i, n, &lit);
    if (re[i] == '[')
        return class_end(re, i, n);
    if (re[i] == '(')
        (*depth)++;
    else if (re[i] == ')')
        (*depth)--;
    return i;
}

/* The longest run of literal bytes that every match must contain: only the top level of the
 * pattern is read (groups are skipped whole), a top-level '|' or any inline option gives up, and
 * a character followed by a quantifier that allows zero repetitions is dropped; classes, escapes
 * with their arguments (\x41, \p{Lu}) and counts ({1,3}) are no text. Conservative by
 * construction: when in doubt, no prefilter. *prefix tells whether the run opens the pattern:
 * then every match starts with it (no option or group can come first). */
size_t literal_required(const char *re, char *out, size_t cap, bool *prefix)
{
    struct lit_run r;
    size_t i, n = strlen(re);
    int depth = 0;

    *prefix = false;
    if (beyond_reading(re, n))
        return 0;
    r.out = out;
    r.cap = cap;
    r.prefix = prefix;
    r.best = r.cur = r.start = 0;
    for (i = 0; i < n; i++) {
        char c = re[i];
        size_t e;
        int lit;

        if (depth > 0) {
            i = group_token_end(re, i, n, &depth);
            continue;
        }
        switch (c) {
        case '|':
            return 0;
        case '(':
            run_flush(&r);
            depth++;
            break;
        case '[':
            run_flush(&r);
            i = class_end(re, i, n);
            break;
        case '{':
            run_drop_last(&r);
            if (is_quantifier(re, i, n, &e))
                i = e; /* "{1,3}" is no text */
            break;
        case '?':
        case '*':
            run_drop_last(&r);
            break;
        case '+':
        case '.':
        case '^':
        case '$':
        case ')':
            run_flush(&r);
            break;
        case '\\':
            e = escape_end(re, i, n, &lit);
            if (!lit) {
                run_flush(&r);
                i = e;
                break;
            }
            run_add(&r, i, re[e]);
            i = e;
            break;
        default:
            run_add(&r, i, c);
        }
    }
    run_flush(&r);
    return r.best;
}
