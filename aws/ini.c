/* ini.c: the parser behind ini.h, for the AWS shared config and credentials files.
 *
 * Owns nothing but the struct ini it returns. Must not read files, look at the environment or
 * know what a profile is (config.c does): it only turns bytes into sections, keys and nested
 * keys, and says on which line the bytes stopped making sense. */
#include "aws/ini.h"

#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <openssl/crypto.h>

/* A hostile file cannot make lookups quadratic for long. */
#define INI_MAX_SECTIONS 4096
#define INI_MAX_KEYS 4096

struct ini_parser {
    struct ini *ini;
    const char *file;
    int line;
    struct err *e;
    long sec;        /* current section index, -1 before the first header */
    long kv;         /* index of the last key in the current section, -1 none */
    size_t kv_indent;
};

static bool is_blank(char c)
{
    return c == ' ' || c == '\t' || c == '\f' || c == '\v';
}

static char *dup_range(const char *p, size_t n)
{
    char *s = malloc(n + 1);

    if (s == NULL)
        return NULL;
    memcpy(s, p, n);
    s[n] = '\0';
    return s;
}

static void trim(const char **p, size_t *n)
{
    while (*n > 0 && is_blank(**p)) {
        (*p)++;
        (*n)--;
    }
    while (*n > 0 && is_blank((*p)[*n - 1]))
        (*n)--;
}

static void lower(char *s)
{
    for (; *s; s++)
        if (*s >= 'A' && *s <= 'Z')
            *s = (char)(*s - 'A' + 'a');
}

static int perr(struct ini_parser *ps, int code, const char *what)
{
    return err_set(ps->e, code, "%s line %d: %s", ps->file, ps->line, what);
}

static void kv_clean(struct ini_kv *kv)
{
    size_t i;

    for (i = 0; i < kv->n_sub; i++)
        kv_clean(&kv->sub[i]);
    free(kv->sub);
    free(kv->key);
    /* the credentials file holds secret keys */
    if (kv->value != NULL)
        OPENSSL_cleanse(kv->value, strlen(kv->value));
    free(kv->value);
    memset(kv, 0, sizeof(*kv));
}

void ini_free(struct ini *ini)
{
    size_t i, j;

    if (ini == NULL)
        return;
    for (i = 0; i < ini->n_sections; i++) {
        struct ini_section *s = &ini->sections[i];

        for (j = 0; j < s->n_kv; j++)
            kv_clean(&s->kv[j]);
        free(s->kv);
        free(s->name);
    }
    free(ini->sections);
    free(ini);
}

/* Adds key=value to (kv, n), or replaces the value of an existing key. Takes key and value. */
static int kv_put(struct ini_kv **arr, size_t *n, char *key, char *value, int line, size_t *idx)
{
    struct ini_kv *grown;
    size_t i;

    for (i = 0; i < *n; i++) {
        if (strcmp((*arr)[i].key, key) == 0) {
            kv_clean(&(*arr)[i]);
            (*arr)[i].key = key;
            (*arr)[i].value = value;
            (*arr)[i].line = line;
            *idx = i;
            return 0;
        }
    }
    if (*n >= INI_MAX_KEYS)
        return ERR_TOOBIG;
    grown = realloc(*arr, (*n + 1) * sizeof(**arr));
    if (grown == NULL)
        return ERR_NOMEM;
    *arr = grown;
    memset(&grown[*n], 0, sizeof(grown[*n]));
    grown[*n].key = key;
    grown[*n].value = value;
    grown[*n].line = line;
    *idx = (*n)++;
    return 0;
}

static int on_header(struct ini_parser *ps, const char *p, size_t n)
{
    struct ini *ini = ps->ini;
    struct ini_section *grown;
    const char *close = NULL;
    size_t i;

    for (i = n; i > 1; i--) {
        if (p[i - 1] == ']') {
            close = p + i - 1;
            break;
        }
    }
    if (close == NULL)
        return perr(ps, ERR_PARSE, "section header without ']'");
    p++;
    n = (size_t)(close - p);
    trim(&p, &n);
    if (n == 0)
        return perr(ps, ERR_PARSE, "empty section name");
    ps->kv = -1;
    for (i = 0; i < ini->n_sections; i++) {
        if (strlen(ini->sections[i].name) == n && memcmp(ini->sections[i].name, p, n) == 0) {
            ps->sec = (long)i;
            return 0;
        }
    }
    if (ini->n_sections >= INI_MAX_SECTIONS)
        return perr(ps, ERR_TOOBIG, "too many sections");
    grown = realloc(ini->sections, (ini->n_sections + 1) * sizeof(*grown));
    if (grown == NULL)
        return err_set(ps->e, ERR_NOMEM, "out of memory parsing %s", ps->file);
    ini->sections = grown;
    memset(&grown[ini->n_sections], 0, sizeof(grown[0]));
    grown[ini->n_sections].name = dup_range(p, n);
    if (grown[ini->n_sections].name == NULL)
        return err_set(ps->e, ERR_NOMEM, "out of memory parsing %s", ps->file);
    grown[ini->n_sections].line = ps->line;
    ps->sec = (long)ini->n_sections++;
    return 0;
}

/* Splits "key <delim> value"; delims is "=" for nested lines, "=:" for top-level ones. */
static int split_kv(struct ini_parser *ps, const char *p, size_t n, const char *delims,
                    char **key, char **value)
{
    size_t i, kn, vn;
    const char *k, *v;

    for (i = 0; i < n; i++)
        if (strchr(delims, p[i]) != NULL)
            break;
    if (i == n)
        return perr(ps, ERR_PARSE, "expected 'key = value'");
    k = p;
    kn = i;
    trim(&k, &kn);
    if (kn == 0)
        return perr(ps, ERR_PARSE, "missing key before '='");
    v = p + i + 1;
    vn = n - i - 1;
    trim(&v, &vn);
    *key = dup_range(k, kn);
    *value = dup_range(v, vn);
    if (*key == NULL || *value == NULL) {
        free(*key);
        free(*value);
        return err_set(ps->e, ERR_NOMEM, "out of memory parsing %s", ps->file);
    }
    lower(*key);
    return 0;
}

static int on_key(struct ini_parser *ps, const char *p, size_t n, size_t indent)
{
    struct ini_section *s;
    char *key, *value;
    size_t idx;
    int rc;

    if (ps->sec < 0)
        return perr(ps, ERR_PARSE, "key outside a section (add a [section] header above it)");
    rc = split_kv(ps, p, n, "=:", &key, &value);
    if (rc != 0)
        return rc;
    s = &ps->ini->sections[ps->sec];
    rc = kv_put(&s->kv, &s->n_kv, key, value, ps->line, &idx);
    if (rc != 0) {
        free(key);
        free(value);
        return rc == ERR_TOOBIG ? perr(ps, rc, "too many keys in one section")
                                : err_set(ps->e, rc, "out of memory parsing %s", ps->file);
    }
    ps->kv = (long)idx;
    ps->kv_indent = indent;
    return 0;
}

static int on_continuation(struct ini_parser *ps, const char *p, size_t n)
{
    struct ini_kv *kv = &ps->ini->sections[ps->sec].kv[ps->kv];
    char *key, *value;
    size_t idx, old;
    int rc;

    if (kv->value[0] == '\0' || kv->n_sub > 0) {
        /* a nested block: every line is "sub = value" */
        rc = split_kv(ps, p, n, "=", &key, &value);
        if (rc != 0)
            return rc;
        rc = kv_put(&kv->sub, &kv->n_sub, key, value, ps->line, &idx);
        if (rc != 0) {
            free(key);
            free(value);
            return rc == ERR_TOOBIG ? perr(ps, rc, "too many nested keys")
                                    : err_set(ps->e, rc, "out of memory parsing %s", ps->file);
        }
        return 0;
    }
    old = strlen(kv->value);
    if (old + 1 + n >= INI_MAX_LINE * 4)
        return perr(ps, ERR_TOOBIG, "continued value too long");
    value = realloc(kv->value, old + 1 + n + 1);
    if (value == NULL)
        return err_set(ps->e, ERR_NOMEM, "out of memory parsing %s", ps->file);
    value[old] = '\n';
    memcpy(value + old + 1, p, n);
    value[old + 1 + n] = '\0';
    kv->value = value;
    return 0;
}

static int parse_line(struct ini_parser *ps, const char *p, size_t n)
{
    size_t indent = 0;

    if (n > INI_MAX_LINE)
        return perr(ps, ERR_TOOBIG, "line too long");
    if (memchr(p, '\0', n) != NULL)
        return perr(ps, ERR_PARSE, "NUL byte in line");
    if (n > 0 && p[n - 1] == '\r')
        n--;
    while (indent < n && is_blank(p[indent]))
        indent++;
    p += indent;
    n -= indent;
    trim(&p, &n);
    if (n == 0 || p[0] == '#' || p[0] == ';')
        return 0;
    if (indent > 0 && ps->kv >= 0 && indent > ps->kv_indent)
        return on_continuation(ps, p, n);
    if (p[0] == '[')
        return on_header(ps, p, n);
    return on_key(ps, p, n, indent);
}

struct ini *ini_parse(const char *buf, size_t len, const char *filename, struct err *e)
{
    struct ini_parser ps = {
        .file = filename != NULL ? filename : "config", .e = e, .sec = -1, .kv = -1,
    };
    size_t pos = 0;

    if (len > INI_MAX_BYTES) {
        err_set(e, ERR_TOOBIG, "%s: larger than %u bytes", ps.file, INI_MAX_BYTES);
        return NULL;
    }
    ps.ini = calloc(1, sizeof(*ps.ini));
    if (ps.ini == NULL) {
        err_set(e, ERR_NOMEM, "out of memory parsing %s", ps.file);
        return NULL;
    }
    if (len >= 3 && memcmp(buf, "\xEF\xBB\xBF", 3) == 0)
        pos = 3;
    while (pos < len) {
        const char *nl = memchr(buf + pos, '\n', len - pos);
        size_t n = nl != NULL ? (size_t)(nl - (buf + pos)) : len - pos;

        ps.line++;
        if (parse_line(&ps, buf + pos, n) != 0) {
            ini_free(ps.ini);
            return NULL;
        }
        pos += n + 1;
    }
    return ps.ini;
}

const struct ini_section *ini_section(const struct ini *ini, const char *name)
{
    size_t i;

    if (ini == NULL || name == NULL)
        return NULL;
    for (i = 0; i < ini->n_sections; i++)
        if (strcmp(ini->sections[i].name, name) == 0)
            return &ini->sections[i];
    return NULL;
}

const struct ini_kv *ini_find(const struct ini_section *s, const char *key)
{
    size_t i;

    if (s == NULL || key == NULL)
        return NULL;
    for (i = 0; i < s->n_kv; i++)
        if (strcasecmp(s->kv[i].key, key) == 0)
            return &s->kv[i];
    return NULL;
}

const char *ini_get(const struct ini_section *s, const char *key)
{
    const struct ini_kv *kv = ini_find(s, key);

    return kv != NULL ? kv->value : NULL;
}

const char *ini_get_nested(const struct ini_section *s, const char *key, const char *sub)
{
    const struct ini_kv *kv = ini_find(s, key);
    size_t i;

    if (kv == NULL || sub == NULL)
        return NULL;
    for (i = 0; i < kv->n_sub; i++)
        if (strcasecmp(kv->sub[i].key, sub) == 0)
            return kv->sub[i].value;
    return NULL;
}
