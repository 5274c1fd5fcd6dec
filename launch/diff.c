/* diff.c: what a re-launch changes: two requests flattened to "Path: value" pairs
 * ("HyperParameters.epochs", "InputDataConfig[train].DataSource...") and compared, one
 * "Path: old -> new" line per changed path.
 *
 * Owns: the flattening. Must not: change either request, do I/O or print. */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "aws/dynbuf.h"
#include "launch/estimator_internal.h"

struct flat_entry {
    char *path;
    char *value;        /* compact JSON */
};

struct flat {
    struct flat_entry *v;
    size_t n, cap;
};

/* Best effort: an entry that cannot be stored is left out of the comparison. */
static void flat_add(struct flat *f, const char *path, const json_t *v)
{
    struct flat_entry x;

    if (vec_grow((void **)&f->v, &f->cap, f->n + 1, sizeof(*f->v)) != 0)
        return;
    x.path = strdup(path);
    x.value = json_dumps(v, JSON_ENCODE_ANY | JSON_COMPACT);
    if (x.path == NULL || x.value == NULL) {
        free(x.path);
        free(x.value);
        return;
    }
    f->v[f->n++] = x;
}

static void flatten(struct flat *f, const char *prefix, const json_t *v)
{
    char path[512];

    if (json_is_object(v) && json_object_size(v) > 0) {
        const char *k;
        json_t *x;

        json_object_foreach((json_t *)v, k, x) {
            snprintf(path, sizeof(path), "%s%s%s", prefix, prefix[0] ? "." : "", k);
            flatten(f, path, x);
        }
    } else if (json_is_array(v) && json_array_size(v) > 0) {
        size_t i;
        json_t *x;

        json_array_foreach(v, i, x) {
            /* channels, tags and metric definitions are named by their key member */
            const char *id = json_string_value(json_object_get(x, "ChannelName"));

            if (id == NULL)
                id = json_string_value(json_object_get(x, "Name"));
            if (id == NULL)
                id = json_string_value(json_object_get(x, "Key"));
            if (id)
                snprintf(path, sizeof(path), "%s[%s]", prefix, id);
            else
                snprintf(path, sizeof(path), "%s[%zu]", prefix, i);
            flatten(f, path, x);
        }
    } else {
        flat_add(f, prefix, v);
    }
}

static void flat_clean(struct flat *f)
{
    for (size_t i = 0; i < f->n; i++) {
        free(f->v[i].path);
        free(f->v[i].value);
    }
    free(f->v);
}

static const char *flat_get(const struct flat *f, const char *path)
{
    for (size_t i = 0; i < f->n; i++)
        if (strcmp(f->v[i].path, path) == 0)
            return f->v[i].value;
    return NULL;
}

static void out_line(char *buf, size_t size, size_t *len, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));
static void out_line(char *buf, size_t size, size_t *len, const char *fmt, ...)
{
    va_list ap;
    int n;

    if (*len >= size)
        return;
    va_start(ap, fmt);
    n = vsnprintf(buf + *len, size - *len, fmt, ap);
    va_end(ap);
    if (n < 0)
        return;
    if ((size_t)n >= size - *len) {
        if (size >= 5)
            memcpy(buf + size - 5, "...\n", 5);
        *len = size;
        return;
    }
    *len += (size_t)n;
}

size_t estimator_request_diff(const json_t *old_req, const json_t *new_req, char *buf,
                              size_t size)
{
    struct flat a = { 0 }, b = { 0 };
    size_t changed = 0, len = 0;

    if (size > 0)
        buf[0] = '\0';
    flatten(&a, "", old_req);
    flatten(&b, "", new_req);
    for (size_t i = 0; i < b.n; i++) {
        const char *ov = flat_get(&a, b.v[i].path);

        if (ov && strcmp(ov, b.v[i].value) == 0)
            continue;
        changed++;
        out_line(buf, size, &len, "%s: %s -> %s\n", b.v[i].path, ov ? ov : "(absent)",
                 b.v[i].value);
    }
    for (size_t i = 0; i < a.n; i++) {
        if (flat_get(&b, a.v[i].path))
            continue;
        changed++;
        out_line(buf, size, &len, "%s: %s -> (absent)\n", a.v[i].path, a.v[i].value);
    }
    flat_clean(&a);
    flat_clean(&b);
    return changed;
}
