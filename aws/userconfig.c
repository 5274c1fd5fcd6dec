/* userconfig.c: reads, edits and atomically writes sagetop's own config file (userconfig.h).
 *
 * Keeps the file as text and edits it line by line, so a write changes one line and leaves
 * every comment, blank line and other module's section as it was. Knows nothing of what the
 * keys mean: the metric lines are metrics/mdefs.c's, the [ui] keys the UI's. Must not print;
 * the only I/O is userconfig_load/save/read_text on the one file. */
#include "aws/userconfig.h"

#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "aws/dynbuf.h"

struct userconfig {
    struct dynbuf text;
};

/* One line of the text: [start, end) without the newline and trailing blanks or '\r';
 * [body, end) without the leading blanks. */
struct uc_line {
    size_t start, body, end, next;
    int number;
};

static bool blank(char c)
{
    return c == ' ' || c == '\t';
}

/* The line starting at pos; false at the end of the text. */
static bool line_at(const char *t, size_t len, size_t pos, int number, struct uc_line *l)
{
    const char *nl;
    size_t end;

    if (pos >= len)
        return false;
    nl = memchr(t + pos, '\n', len - pos);
    end = nl ? (size_t)(nl - t) : len;
    l->start = pos;
    l->next = nl ? end + 1 : len;
    l->number = number;
    while (end > pos && (blank(t[end - 1]) || t[end - 1] == '\r'))
        end--;
    l->end = end;
    l->body = pos;
    while (l->body < end && blank(t[l->body]))
        l->body++;
    return true;
}

/* A "[name]" line: sets the trimmed name's bounds. */
static bool is_header(const char *t, const struct uc_line *l, size_t *a, size_t *b)
{
    if (l->body == l->end || t[l->body] != '[' || t[l->end - 1] != ']' || l->end - l->body < 2)
        return false;
    *a = l->body + 1;
    *b = l->end - 1;
    while (*a < *b && blank(t[*a]))
        (*a)++;
    while (*b > *a && blank(t[*b - 1]))
        (*b)--;
    return true;
}

static bool name_is(const char *t, size_t a, size_t b, const char *name)
{
    return strlen(name) == b - a && memcmp(t + a, name, b - a) == 0;
}

/* When l is "key ..." or "key=...", the offset of the value (trimmed, past an optional '='). */
static bool key_line(const char *t, const struct uc_line *l, const char *key, size_t *value)
{
    size_t kl = strlen(key), v = l->body + kl;

    if (l->end - l->body < kl || memcmp(t + l->body, key, kl) != 0)
        return false;
    if (v < l->end && !blank(t[v]) && t[v] != '=')
        return false;
    while (v < l->end && blank(t[v]))
        v++;
    if (v < l->end && t[v] == '=') {
        v++;
        while (v < l->end && blank(t[v]))
            v++;
    }
    *value = v;
    return true;
}

int userconfig_path(char *buf, size_t size, struct err *e)
{
    const char *x = getenv("XDG_CONFIG_HOME"), *h = getenv("HOME");
    int n;

    if (x != NULL && x[0] != '\0')
        n = snprintf(buf, size, "%s/sagetop/config", x);
    else if (h != NULL && h[0] != '\0')
        n = snprintf(buf, size, "%s/.config/sagetop/config", h);
    else
        return err_set(e, ERR_CONFIG, "no config directory: set XDG_CONFIG_HOME or HOME");
    if (n < 0 || (size_t)n >= size)
        return err_set(e, ERR_TOOBIG, "%s is too long", x && x[0] ? "XDG_CONFIG_HOME" : "HOME");
    return 0;
}

int userconfig_parse(const char *text, size_t len, const char *filename, struct userconfig **out,
                     struct err *e)
{
    struct userconfig *c;
    struct uc_line l;
    size_t pos = 0, a, b;
    int number = 1;

    if (len >= USERCONFIG_MAX_BYTES)
        return err_set(e, ERR_TOOBIG, "%s: over %u bytes", filename ? filename : "config",
                       USERCONFIG_MAX_BYTES);
    for (; line_at(text, len, pos, number, &l); pos = l.next, number++) {
        if (l.body < l.end && text[l.body] == '[' && !is_header(text, &l, &a, &b))
            return err_set(e, ERR_PARSE, "%s line %d: a section header ends with ']'",
                           filename ? filename : "config", l.number);
    }
    c = calloc(1, sizeof(*c));
    if (c == NULL)
        return err_set(e, ERR_NOMEM, "out of memory");
    dynbuf_init(&c->text, USERCONFIG_MAX_BYTES);
    if (dynbuf_add(&c->text, text, len) != 0 || dynbuf_addstr(&c->text, "") != 0) {
        userconfig_free(c);
        return err_set(e, ERR_NOMEM, "out of memory");
    }
    *out = c;
    return 0;
}

/* The file's bytes, or NULL with *missing set when it does not exist. */
static char *read_file(const char *path, size_t *len, bool *missing, struct err *e)
{
    struct dynbuf d;
    char chunk[8192];
    size_t got;
    FILE *f = fopen(path, "rb");

    *missing = false;
    if (f == NULL) {
        *missing = errno == ENOENT;
        err_set(e, ERR_IO, "cannot read %s: %s", path, strerror(errno));
        return NULL;
    }
    dynbuf_init(&d, USERCONFIG_MAX_BYTES);
    dynbuf_addstr(&d, "");
    while ((got = fread(chunk, 1, sizeof(chunk), f)) > 0)
        if (dynbuf_add(&d, chunk, got) != 0)
            break;
    if (ferror(f) && d.err == 0) {
        err_set(e, ERR_IO, "cannot read %s: %s", path, strerror(errno));
        fclose(f);
        dynbuf_free(&d);
        return NULL;
    }
    fclose(f);
    if (d.err != 0) {
        err_set(e, d.err, "%s: %s", path, d.err == ERR_TOOBIG ? "too large" : "out of memory");
        dynbuf_free(&d);
        return NULL;
    }
    *len = d.len;
    return dynbuf_take(&d);
}

int userconfig_load(const char *path, struct userconfig **out, struct err *e)
{
    char def[1024];
    char *text;
    size_t len = 0;
    bool missing;
    int rc;

    if (path == NULL) {
        if ((rc = userconfig_path(def, sizeof(def), e)) != 0)
            return rc;
        path = def;
    }
    text = read_file(path, &len, &missing, e);
    if (text == NULL && !missing)
        return e ? e->code : ERR_IO;
    rc = userconfig_parse(text ? text : "", len, path, out, e);
    free(text);
    return rc;
}

void userconfig_free(struct userconfig *c)
{
    if (c == NULL)
        return;
    dynbuf_free(&c->text);
    free(c);
}

const char *userconfig_text(const struct userconfig *c, size_t *len)
{
    if (len)
        *len = c->text.len;
    return dynbuf_str(&c->text);
}

/* Where key is in section: *key_line_at (the line, or SIZE_MAX when absent) and *insert_at
 * (just after the section's last non-blank line, or SIZE_MAX when the section is absent). */
static void locate(const struct userconfig *c, const char *section, const char *key,
                   struct uc_line *found, size_t *insert_at)
{
    const char *t = dynbuf_str(&c->text);
    size_t len = c->text.len, pos = 0, a, b, v;
    struct uc_line l;
    bool in = section[0] == '\0';
    int number = 1;

    found->start = SIZE_MAX;
    *insert_at = in ? 0 : SIZE_MAX;
    for (; line_at(t, len, pos, number, &l); pos = l.next, number++) {
        if (is_header(t, &l, &a, &b)) {
            in = name_is(t, a, b, section);
            if (in && *insert_at == SIZE_MAX)
                *insert_at = l.next;
            continue;
        }
        if (!in || l.body == l.end)
            continue;
        *insert_at = l.next;
        if (t[l.body] != '#' && t[l.body] != ';' && found->start == SIZE_MAX &&
            key_line(t, &l, key, &v))
            *found = l;
    }
}

bool userconfig_get(const struct userconfig *c, const char *section, const char *key, char *buf,
                    size_t size)
{
    const char *t = dynbuf_str(&c->text);
    struct uc_line l;
    size_t insert_at, v;

    locate(c, section, key, &l, &insert_at);
    if (l.start == SIZE_MAX || !key_line(t, &l, key, &v))
        return false;
    snprintf(buf, size, "%.*s", (int)(l.end - v), t + v);
    return true;
}

int userconfig_set(struct userconfig *c, const char *section, const char *key, const char *value,
                   struct err *e)
{
    const char *t = dynbuf_str(&c->text);
    struct dynbuf d;
    struct uc_line l;
    size_t insert_at, cut_from, cut_to;

    locate(c, section, key, &l, &insert_at);
    dynbuf_init(&d, USERCONFIG_MAX_BYTES);
    if (l.start != SIZE_MAX) {
        cut_from = l.start;
        cut_to = l.next;
    } else {
        cut_from = cut_to = insert_at == SIZE_MAX ? c->text.len : insert_at;
    }
    dynbuf_add(&d, t, cut_from);
    if (cut_from > 0 && t[cut_from - 1] != '\n')
        dynbuf_addc(&d, '\n');
    if (l.start == SIZE_MAX && insert_at == SIZE_MAX)
        dynbuf_printf(&d, "[%s]\n", section);
    dynbuf_printf(&d, "%s%s%s\n", key, value[0] ? " " : "", value);
    dynbuf_add(&d, t + cut_to, c->text.len - cut_to);
    if (d.err != 0) {
        int rc = d.err;

        dynbuf_free(&d);
        return err_set(e, rc, "the config file would be too large");
    }
    dynbuf_free(&c->text);
    c->text = d;
    return 0;
}

/* Creates path's directory and that directory's parent ($XDG_CONFIG_HOME and sagetop). */
static void make_dirs(const char *path)
{
    char dir[1024];
    char *slash;

    snprintf(dir, sizeof(dir), "%s", path);
    if ((slash = strrchr(dir, '/')) == NULL)
        return;
    *slash = '\0';
    if ((slash = strrchr(dir, '/')) != NULL && slash != dir) {
        *slash = '\0';
        (void)mkdir(dir, 0700);     /* exists already, or fopen below says why not */
        *slash = '/';
    }
    (void)mkdir(dir, 0700);
}

int userconfig_save(const struct userconfig *c, const char *path, struct err *e)
{
    char def[1024], tmp[1100];
    FILE *f;
    int rc;

    if (path == NULL) {
        if ((rc = userconfig_path(def, sizeof(def), e)) != 0)
            return rc;
        path = def;
    }
    make_dirs(path);
    if ((size_t)snprintf(tmp, sizeof(tmp), "%s.tmp", path) >= sizeof(tmp))
        return err_set(e, ERR_TOOBIG, "config path too long: %s", path);
    f = fopen(tmp, "wb");
    if (f == NULL)
        return err_set(e, ERR_IO, "cannot write %s: %s", tmp, strerror(errno));
    if (fwrite(dynbuf_str(&c->text), 1, c->text.len, f) != c->text.len || fflush(f) != 0 ||
        fsync(fileno(f)) != 0) {
        rc = err_set(e, ERR_IO, "cannot write %s: %s", tmp, strerror(errno));
        fclose(f);
        remove(tmp);
        return rc;
    }
    if (fclose(f) != 0 || rename(tmp, path) != 0) {
        rc = err_set(e, ERR_IO, "cannot replace %s: %s", path, strerror(errno));
        remove(tmp);
        return rc;
    }
    return 0;
}

char *userconfig_read_text(size_t *len)
{
    char path[1024];
    bool missing;

    *len = 0;
    if (userconfig_path(path, sizeof(path), NULL) != 0)
        return NULL;
    return read_file(path, len, &missing, NULL);
}
