/* mdefs.c: gathering metric definitions from their sources — the list that owns them, the
 * --metric NAME=REGEX argument, the metric part of the user's config file, and the stream-name →
 * instance helper. Pure: it parses the config text it is given; finding and reading the file is
 * aws/userconfig.c's (userconfig_read_text), called by the front ends and the sync engine. */
#include <fnmatch.h>
#include <stdlib.h>
#include <string.h>

#include "aws/err.h"
#include "metrics/metrics.h"

const char *mdef_source_name(enum mdef_source s)
{
    switch (s) {
    case MDEF_JOB: return "job";
    case MDEF_CLI: return "--metric";
    case MDEF_USER: return "config";
    case MDEF_PRESET: return "preset";
    }
    return "?";
}

void mdef_list_init(struct mdef_list *l)
{
    memset(l, 0, sizeof(*l));
    l->preset_hf = true;
}

void mdef_list_clean(struct mdef_list *l)
{
    size_t i;

    if (l == NULL)
        return;
    for (i = 0; i < l->n; i++) {
        free(l->v[i].name);
        free(l->v[i].regex);
    }
    free(l->v);
    mdef_list_init(l);
}

static char *dup_n(const char *s, size_t n)
{
    char *d = malloc(n + 1);

    if (d != NULL) {
        memcpy(d, s, n);
        d[n] = '\0';
    }
    return d;
}

static int add_n(struct mdef_list *l, const char *name, size_t name_len, const char *regex,
                 size_t regex_len, enum mdef_source src, int line, struct err *e)
{
    struct mdef *d;

    if (name_len == 0)
        return err_set(e, ERR_INVAL, "metric definition without a name");
    if (name_len > MDEF_NAME_MAX)
        return err_set(e, ERR_INVAL, "metric name '%.40s...' is longer than %d bytes", name,
                       MDEF_NAME_MAX);
    if (memchr(name, '\0', name_len) != NULL || memchr(regex, '\0', regex_len) != NULL)
        return err_set(e, ERR_INVAL, "metric '%.*s': NUL byte in definition", (int)name_len,
                       name);
    if (regex_len == 0)
        return err_set(e, ERR_INVAL, "metric '%.*s' has an empty regex", (int)name_len, name);
    if (regex_len > MDEF_REGEX_MAX)
        return err_set(e, ERR_INVAL, "metric '%.*s': regex longer than %d bytes", (int)name_len,
                       name, MDEF_REGEX_MAX);
    if (l->n == l->cap) {
        size_t cap = l->cap ? l->cap * 2 : 16;
        struct mdef *v = realloc(l->v, cap * sizeof(*v));

        if (v == NULL)
            return err_set(e, ERR_NOMEM, "out of memory adding metric definitions");
        l->v = v;
        l->cap = cap;
    }
    d = &l->v[l->n];
    d->name = dup_n(name, name_len);
    d->regex = dup_n(regex, regex_len);
    if (d->name == NULL || d->regex == NULL) {
        free(d->name);
        free(d->regex);
        return err_set(e, ERR_NOMEM, "out of memory adding metric definitions");
    }
    d->source = src;
    d->config_line = line;
    l->n++;
    return 0;
}

int mdef_list_copy(struct mdef_list *dst, const struct mdef_list *src, struct err *e)
{
    struct mdef_list l;
    size_t i;
    int rc;

    mdef_list_init(&l);
    l.preset_hf = src->preset_hf;
    for (i = 0; i < src->n; i++) {
        const struct mdef *d = &src->v[i];

        if ((rc = add_n(&l, d->name, strlen(d->name), d->regex, strlen(d->regex), d->source,
                        d->config_line, e)) != 0) {
            mdef_list_clean(&l);
            return rc;
        }
    }
    *dst = l;
    return 0;
}

bool mdef_list_equal(const struct mdef_list *a, const struct mdef_list *b)
{
    size_t i;

    if (a->n != b->n || a->preset_hf != b->preset_hf)
        return false;
    for (i = 0; i < a->n; i++)
        if (a->v[i].source != b->v[i].source || a->v[i].config_line != b->v[i].config_line ||
            strcmp(a->v[i].name, b->v[i].name) != 0 || strcmp(a->v[i].regex, b->v[i].regex) != 0)
            return false;
    return true;
}

int mdef_list_add(struct mdef_list *l, const char *name, const char *regex, enum mdef_source src,
                  struct err *e)
{
    if (name == NULL || regex == NULL)
        return err_set(e, ERR_INVAL, "metric definition without a name or regex");
    return add_n(l, name, strlen(name), regex, strlen(regex), src, 0, e);
}

int mdef_list_add_cli(struct mdef_list *l, const char *arg, struct err *e)
{
    const char *eq = arg != NULL ? strchr(arg, '=') : NULL;

    if (eq == NULL || eq == arg)
        return err_set(e, ERR_INVAL, "--metric wants NAME=REGEX, got '%s'",
                       arg != NULL ? arg : "");
    return add_n(l, arg, (size_t)(eq - arg), eq + 1, strlen(eq + 1), MDEF_CLI, 0, e);
}

static inline int blank(char c)
{
    return c == ' ' || c == '\t';
}

/* Section state while reading the config: do "metric" lines apply to this job? */
enum { SEC_GLOBAL, SEC_JOB_MATCH, SEC_SKIP };

static int section(const char *p, size_t n, const char *job_name, int line, int *sec,
                   struct err *e)
{
    char glob[512];
    size_t a, b;

    if (n < 2 || p[n - 1] != ']')
        return err_set(e, ERR_PARSE, "config line %d: a section header ends with ']'", line);
    a = 1;
    b = n - 1;
    while (a < b && blank(p[a]))
        a++;
    while (b > a && blank(p[b - 1]))
        b--;
    if (b - a == 7 && memcmp(p + a, "metrics", 7) == 0) {
        *sec = SEC_GLOBAL;
        return 0;
    }
    if (b - a > 4 && memcmp(p + a, "job", 3) == 0 && blank(p[a + 3])) {
        a += 4;
        while (a < b && blank(p[a]))
            a++;
        if (b - a >= sizeof(glob))
            return err_set(e, ERR_PARSE, "config line %d: job pattern too long", line);
        memcpy(glob, p + a, b - a);
        glob[b - a] = '\0';
        *sec = job_name != NULL && fnmatch(glob, job_name, 0) == 0 ? SEC_JOB_MATCH : SEC_SKIP;
        return 0;
    }
    *sec = SEC_SKIP; /* another module's section */
    return 0;
}

int mdef_list_parse_config(struct mdef_list *l, const char *text, size_t len,
                           const char *job_name, struct err *e)
{
    size_t pos = 0;
    int line = 0, sec = SEC_GLOBAL, rc;

    while (pos < len) {
        const char *p = text + pos, *nl = memchr(p, '\n', len - pos);
        size_t n = nl != NULL ? (size_t)(nl - p) : len - pos, a = 0;

        pos += n + (nl != NULL);
        line++;
        while (n > 0 && (blank(p[n - 1]) || p[n - 1] == '\r'))
            n--;
        while (a < n && blank(p[a]))
            a++;
        p += a;
        n -= a;
        if (n == 0 || p[0] == '#' || p[0] == ';')
            continue;
        if (p[0] == '[') {
            rc = section(p, n, job_name, line, &sec, e);
            if (rc != 0)
                return rc;
            continue;
        }
        if (sec == SEC_SKIP)
            continue;
        if (n > 14 && memcmp(p, "metric-preset", 13) == 0 && blank(p[13])) {
            const char *v = p + 14;
            size_t vn = n - 14;

            while (vn > 0 && blank(*v)) {
                v++;
                vn--;
            }
            if (vn == 2 && memcmp(v, "hf", 2) == 0)
                l->preset_hf = true;
            else if (vn == 4 && memcmp(v, "none", 4) == 0)
                l->preset_hf = false;
            else
                return err_set(e, ERR_PARSE, "config line %d: metric-preset is 'hf' or 'none'",
                               line);
            continue;
        }
        if (n > 6 && memcmp(p, "metric", 6) == 0 && blank(p[6])) {
            size_t ns = 7, ne, rs;

            while (ns < n && blank(p[ns]))
                ns++;
            ne = ns;
            while (ne < n && !blank(p[ne]))
                ne++;
            rs = ne;
            while (rs < n && blank(p[rs]))
                rs++;
            if (ne == ns || rs == n)
                return err_set(e, ERR_PARSE, "config line %d: expected 'metric NAME REGEX'",
                               line);
            rc = add_n(l, p + ns, ne - ns, p + rs, n - rs, MDEF_USER, line, e);
            if (rc != 0) {
                err_prefix(e, "config line %d", line);
                return rc;
            }
        }
        /* anything else belongs to another module */
    }
    return 0;
}

int metrics_instance_from_stream(const char *stream, size_t len, char *out, size_t size)
{
    size_t a = 0, b = len, i;

    for (i = 0; i < len; i++)
        if (stream[i] == '/')
            a = i + 1;
    /* "algo-1-1656268442": drop the "-<epoch seconds>" tail (all digits, at least 9) */
    for (i = b; i > a && stream[i - 1] >= '0' && stream[i - 1] <= '9'; i--)
        ;
    if (i > a && stream[i - 1] == '-' && b - i >= 9)
        b = i - 1;
    if (b == a)
        return ERR_INVAL;
    if (b - a >= size)
        return ERR_TOOBIG;
    memcpy(out, stream + a, b - a);
    out[b - a] = '\0';
    return 0;
}
