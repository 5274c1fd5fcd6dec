/* query.h: the filter language the lists share (the job list, the tuning list) and the
 * arguments of `:sort`. A filter is space-separated terms; every term must hold:
 *   regex              the name matches (PCRE2; case-insensitive when it has no capital)
 *   !regex             the name does not match
 *   FIELD:VALUE  FIELD=VALUE  FIELD!=VALUE  FIELD<VALUE  FIELD<=VALUE  FIELD>VALUE  FIELD>=VALUE
 *                      a comparison on a field the list names (struct query_field): "status",
 *                      or any key after a prefix ("hp." "m."); `:` and `==` mean `=`
 *   !FIELD=VALUE       the comparison negated (= becomes !=, < becomes >=, ...)
 * A term that starts with no field of the list is a name regex (status alone, a=b).
 *
 * The parser only splits and classifies: each list decides what a field means (the job list
 * hands the comparisons to the cache's query, the tuning list tests its rows in memory with
 * query_holds_*()). Pure: no cache, no curses; any thread. Results go into caller-owned
 * structs; strings passed in are borrowed. */
#ifndef SAGETOP_TUI_QUERY_H
#define SAGETOP_TUI_QUERY_H

#include <stdbool.h>
#include <stddef.h>

#include "aws/err.h"

enum query_op { QUERY_EQ, QUERY_NE, QUERY_LT, QUERY_LE, QUERY_GT, QUERY_GE };

/* One field of a list's language; a table of them ends with { NULL }. */
struct query_field {
    const char *name;       /* "status"; with prefix, what every key starts with: "hp." */
    bool prefix;
};

struct query_term {
    bool is_field;                      /* false: a name regex (text) */
    bool neg;                           /* a name term's leading `!` (a field's inverts op) */
    const struct query_field *field;    /* the list's field (is_field), borrowed */
    char name[128];                     /* the field as typed: "status", "hp.lr" */
    enum query_op op;
    char value[256];
    char text[300];                     /* the term as typed, without its leading `!` */
};

#define QUERY_MAX_TERMS 16
struct query {
    struct query_term terms[QUERY_MAX_TERMS];
    size_t n;
};

/* Splits text into q's terms against the list's fields. ERR_INVAL with the term in e: too
 * many or too long terms, a field with no operator or no key after its prefix. */
int query_parse(const char *text, const struct query_field *fields, struct query *q,
                struct err *e);
/* "=", "!=", "<", "<=", ">", ">=". */
const char *query_op_text(enum query_op op);
/* The name terms as one PCRE2 pattern in which every term must hold, into re: "" when there
 * is none; one term as it is (*invert for `!regex`); several as lookaheads from the start,
 * "^(?=.*(?:distil))(?!.*(?:lr))" (*invert false). ERR_INVAL when it does not fit. */
int query_name_pattern(const struct query *q, char *re, size_t size, bool *invert,
                       struct err *e);
/* The name terms compiled once (the pattern above, smart case as the cache's REGEXP), then
 * tested on each name: true when every term holds (always with no name term). new: ERR_INVAL
 * for a bad regex, ERR_NOMEM; *out is freed with query_names_free() (NULL: no-op). */
struct query_names;
int query_names_new(const struct query *q, struct query_names **out, struct err *e);
bool query_names_match(const struct query_names *m, const char *name);
void query_names_free(struct query_names *m);

/* A numeric comparison: have OP the term's value (a number: query_number()). */
bool query_holds_number(const struct query_term *t, double have);
/* A text comparison, case-insensitive: = holds when have is one of the value's
 * comma-separated items ("InProgress,Stopping"), != when it is none of them; no order. */
bool query_holds_text(const struct query_term *t, const char *have);
/* True when the whole of s (spaces around allowed) is one finite number, into *out. */
bool query_number(const char *s, double *out);

/* `:sort KEY [desc|asc]`'s arguments (argv[0] is "sort"): *desc true for desc, else false
 * (asc or none: ascending, as the jobs list). ERR_INVAL with the usage in e. */
int query_sort_args(int argc, char **argv, bool *desc, struct err *e);

#endif
