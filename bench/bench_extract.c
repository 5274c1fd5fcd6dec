/* bench_extract.c: throughput of the metric extractor over a real-shaped Hugging Face log.
 *
 * Usage: bench_extract LOG DEFS   (DEFS: NAME<TAB>REGEX per line, as bench/gen_hf_log.py writes)
 * Prints one line per scenario, "key=value" fields, for bench/run.sh:
 *   defs       the DEFS definitions only (what the Python peer and grep run), streaming the file
 *   preset     DEFS plus the built-in Hugging Face preset (sagetop's default)
 *   reextract  a new definition added, over the lines already split in memory (the cache's
 *              re-extraction path without SQLite), preset on */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "metrics/metrics.h"

struct line {
    const char *p;
    size_t n;
};

struct counts {
    unsigned long long points, unparsed;
};

static int count_cb(const struct mpoint *p, void *ctx)
{
    struct counts *c = ctx;

    if (p->flags & MPOINT_UNPARSED)
        c->unparsed++;
    else
        c->points++;
    return 0;
}

static double now_s(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static char *slurp(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    char *buf = NULL;
    long sz;

    if (f == NULL)
        return NULL;
    if (fseek(f, 0, SEEK_END) == 0 && (sz = ftell(f)) >= 0 && fseek(f, 0, SEEK_SET) == 0) {
        buf = malloc((size_t)sz + 1);
        if (buf != NULL && fread(buf, 1, (size_t)sz, f) != (size_t)sz) {
            free(buf);
            buf = NULL;
        }
        *len = (size_t)sz;
    }
    fclose(f);
    return buf;
}

static int load_defs(const char *path, struct mdef_list *l, struct err *e)
{
    size_t len, pos = 0;
    char *t = slurp(path, &len);

    if (t == NULL)
        return -1;
    t[len] = '\0';
    while (pos < len) {
        char *nl = strchr(t + pos, '\n'), *tab;
        if (nl != NULL)
            *nl = '\0';
        tab = strchr(t + pos, '\t');
        if (tab != NULL) {
            *tab = '\0';
            if (mdef_list_add(l, t + pos, tab + 1, MDEF_JOB, e) != 0) {
                free(t);
                return -1;
            }
        }
        if (nl == NULL)
            break;
        pos = (size_t)(nl - t) + 1;
    }
    free(t);
    return 0;
}

static void report(const char *what, double secs, size_t bytes, size_t lines,
                   const struct counts *c)
{
    printf("%s seconds=%.3f mb_s=%.1f lines_s=%.0f points=%llu unparsed=%llu\n", what, secs,
           (double)bytes / 1e6 / secs, (double)lines / secs, c->points, c->unparsed);
}

static int run_stream(const char *what, const struct mdef_list *l, const char *buf, size_t len)
{
    struct err e = { 0 };
    struct mset *s = mset_new(l, &e);
    struct mextract_state st;
    struct counts c = { 0, 0 };
    size_t pos = 0, lines = 0;
    double t0;

    if (s == NULL) {
        fprintf(stderr, "bench_extract: %s\n", e.msg);
        return 1;
    }
    mextract_state_init(&st, "algo-1");
    t0 = now_s();
    while (pos < len) {
        const char *nl = memchr(buf + pos, '\n', len - pos);
        size_t n = nl != NULL ? (size_t)(nl - (buf + pos)) : len - pos;
        mset_extract(s, &st, buf + pos, n, (int64_t)lines, count_cb, &c);
        lines++;
        pos += n + 1;
    }
    report(what, now_s() - t0, len, lines, &c);
    mset_free(s);
    return 0;
}

int main(int argc, char **argv)
{
    struct mdef_list l;
    struct err e = { 0 };
    struct line *lines;
    size_t len, nlines = 0, cap = 1 << 20, pos = 0, i;
    char *buf;
    struct mset *s;
    struct mextract_state st;
    struct counts c = { 0, 0 };
    double t0;

    if (argc != 3) {
        fprintf(stderr, "usage: bench_extract LOG DEFS\n");
        return 2;
    }
    buf = slurp(argv[1], &len);
    if (buf == NULL) {
        fprintf(stderr, "bench_extract: cannot read %s\n", argv[1]);
        return 1;
    }
    mdef_list_init(&l);
    if (load_defs(argv[2], &l, &e) != 0) {
        fprintf(stderr, "bench_extract: cannot load %s: %s\n", argv[2], e.msg);
        return 1;
    }
    l.preset_hf = false;
    if (run_stream("defs", &l, buf, len) != 0)
        return 1;
    l.preset_hf = true;
    if (run_stream("preset", &l, buf, len) != 0)
        return 1;

    /* re-extraction: the lines are already rows in memory; a definition was added */
    lines = malloc(cap * sizeof(*lines));
    while (lines != NULL && pos < len) {
        const char *nl = memchr(buf + pos, '\n', len - pos);
        size_t n = nl != NULL ? (size_t)(nl - (buf + pos)) : len - pos;
        if (nlines == cap) {
            struct line *bigger = realloc(lines, 2 * cap * sizeof(*lines));
            if (bigger == NULL)
                break;
            lines = bigger;
            cap *= 2;
        }
        lines[nlines].p = buf + pos;
        lines[nlines].n = n;
        nlines++;
        pos += n + 1;
    }
    if (lines == NULL || pos < len) {
        fprintf(stderr, "bench_extract: out of memory\n");
        return 1;
    }
    mdef_list_add(&l, "grad_norm", "'grad_norm': ([0-9.eE+-]+)", MDEF_CLI, &e);
    t0 = now_s();
    s = mset_new(&l, &e);
    if (s == NULL)
        return 1;
    mextract_state_init(&st, "algo-1");
    for (i = 0; i < nlines; i++)
        mset_extract(s, &st, lines[i].p, lines[i].n, (int64_t)i, count_cb, &c);
    report("reextract", now_s() - t0, len, nlines, &c);
    mset_free(s);
    mdef_list_clean(&l);
    free(lines);
    free(buf);
    return 0;
}
