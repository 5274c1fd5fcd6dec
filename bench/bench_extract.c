/* bench_extract.c: throughput of the metric extractor over a real-shaped Hugging Face log.
 *
 * Usage: bench_extract LOG DEFS [SCENARIO...]
 *   (DEFS: NAME<TAB>REGEX per line, as bench/gen_hf_log.py writes; default: every scenario)
 * Prints one line per scenario, "key=value" fields, for bench/run.sh. Each figure is the best of
 * BENCH_EXTRACT_REPEAT runs (default 3); the log is read into memory first, as the peer's page
 * cache holds it.
 *   defs       the DEFS definitions only (what the Python peer and grep run), file in → points
 *              out: the timed loop splits the text into lines itself, as the peer does
 *   defs_split the same extraction over lines already split (what the cache feeds): the
 *              extractor alone, without the bench's own line splitting
 *   preset     DEFS plus the built-in Hugging Face preset (sagetop's default), file in
 *   reextract  a new definition added, over the lines already split in memory (the cache's
 *              re-extraction path without SQLite), preset on, compilation included
 *   cache      (only when BENCH_EXTRACT_DB names a cache file to create) the log stored in a
 *              sagetop cache as one job's stream, the DEFS as the job's MetricDefinitions;
 *              after a first extraction from scratch (full_seconds), one definition is added
 *              and the job re-extracted from the cache (seconds): what `sagetop sync` does
 *              when the config changes, SQLite, page decoding and point writes included */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include <jansson.h>

#include "cache/cache.h"
#include "cache/logstore.h"
#include "cache/sync.h"
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

/* One timed run. lines == NULL: split buf on '\n' inside the timed loop (file in → points out);
 * else extract the lines already split. compile: include mset_new() in the time. */
static double run_once(const struct mdef_list *l, const char *buf, size_t len,
                       const struct line *lines, size_t nlines, int compile, struct counts *c,
                       size_t *nread)
{
    struct err e = { 0 };
    struct mset *s = NULL;
    struct mextract_state st;
    size_t pos = 0, n = 0, i;
    double t0 = 0;

    if (compile)
        t0 = now_s();
    s = mset_new(l, &e);
    if (s == NULL) {
        fprintf(stderr, "bench_extract: %s\n", e.msg);
        return -1;
    }
    mextract_state_init(&st, "algo-1");
    c->points = c->unparsed = 0;
    if (!compile)
        t0 = now_s();
    if (lines == NULL) {
        while (pos < len) {
            const char *nl = memchr(buf + pos, '\n', len - pos);
            size_t k = nl != NULL ? (size_t)(nl - (buf + pos)) : len - pos;
            mset_extract(s, &st, buf + pos, k, (int64_t)n, count_cb, c);
            n++;
            pos += k + 1;
        }
    } else {
        for (i = 0; i < nlines; i++)
            mset_extract(s, &st, lines[i].p, lines[i].n, (int64_t)i, count_cb, c);
        n = nlines;
    }
    t0 = now_s() - t0;
    mset_free(s);
    *nread = n;
    return t0;
}

static int run(const char *what, const struct mdef_list *l, const char *buf, size_t len,
               const struct line *lines, size_t nlines, int compile, int repeat)
{
    struct counts c = { 0, 0 };
    double best = -1, t;
    size_t n = 0;
    int r;

    for (r = 0; r < repeat; r++) {
        t = run_once(l, buf, len, lines, nlines, compile, &c, &n);
        if (t < 0)
            return 1;
        if (best < 0 || t < best)
            best = t;
    }
    report(what, best, len, n, &c);
    return 0;
}

#define BENCH_ACCOUNT "111122223333"
#define BENCH_REGION "us-east-1"
#define BENCH_JOB "bench-hf"
#define NEW_DEF "metric grad_norm 'grad_norm': ([0-9.e+-]+)\n"

/* The job as DescribeTrainingJob would give it, with DEFS as its MetricDefinitions. */
static char *describe_doc(const struct mdef_list *l)
{
    json_t *doc = json_object(), *alg = json_object(), *defs = json_array();
    char *text;
    size_t i;

    for (i = 0; i < l->n; i++)
        json_array_append_new(defs, json_pack("{s:s, s:s}", "Name", l->v[i].name, "Regex",
                                              l->v[i].regex));
    json_object_set_new(alg, "MetricDefinitions", defs);
    json_object_set_new(alg, "TrainingInputMode", json_string("File"));
    json_object_set_new(doc, "TrainingJobName", json_string(BENCH_JOB));
    json_object_set_new(doc, "TrainingJobArn", json_string("arn:aws:sagemaker:" BENCH_REGION ":"
                                                           BENCH_ACCOUNT ":training-job/" BENCH_JOB));
    json_object_set_new(doc, "TrainingJobStatus", json_string("Completed"));
    json_object_set_new(doc, "CreationTime", json_real(1714550400.0));
    json_object_set_new(doc, "AlgorithmSpecification", alg);
    text = json_dumps(doc, 0);
    json_decref(doc);
    return text;
}

/* Stores the lines as the job's one stream, 10,000 events per transaction as sync does. */
static int build_cache(const char *path, const struct mdef_list *l, const struct line *lines,
                       size_t nlines, struct err *e)
{
    struct cache *c = NULL;
    struct cache_event *ev = malloc(10000 * sizeof(*ev));
    char *doc = describe_doc(l);
    int64_t sid = 0;
    size_t i, n;
    int rc;

    remove(path);
    if (ev == NULL || doc == NULL) {
        free(ev);
        free(doc);
        return err_set(e, ERR_NOMEM, "out of memory");
    }
    if ((rc = cache_open(path, 0, &c, NULL, 0, e)) == 0 &&
        (rc = cache_scope_use(c, BENCH_ACCOUNT, BENCH_REGION, e)) == 0 &&
        (rc = cache_job_store_describe(c, doc, strlen(doc), e)) == 0)
        rc = cache_stream_ensure(c, BENCH_JOB, BENCH_JOB "/algo-1-1714550400", &sid, e);
    for (i = 0; rc == 0 && i < nlines; i += n) {
        size_t k;

        n = nlines - i < 10000 ? nlines - i : 10000;
        for (k = 0; k < n; k++) {
            ev[k].ts_ms = 1714550400000LL + 10 * (int64_t)(i + k);
            ev[k].msg = lines[i + k].p;
            ev[k].len = lines[i + k].n;
        }
        if ((rc = cache_tx_begin(c, e)) == 0) {
            rc = cache_stream_append(c, sid, ev, n, "f/token", e);
            if (rc == 0)
                rc = cache_tx_commit(c, e);
            else
                cache_tx_rollback(c);
        }
    }
    cache_close(c);
    free(ev);
    free(doc);
    return rc;
}

static int run_cache(const char *path, const struct mdef_list *l, const struct line *lines,
                     size_t nlines)
{
    struct err e = { 0 };
    struct cache *c = NULL;
    struct cache_metric_stat_list ms = { 0 };
    struct stat sb;
    double t0, full, re;
    int64_t points = 0;
    size_t i;

    if (build_cache(path, l, lines, nlines, &e) != 0) {
        fprintf(stderr, "bench_extract: building %s: %s\n", path, e.msg);
        return 1;
    }
    t0 = now_s();
    if (sync_reextract(path, BENCH_ACCOUNT, BENCH_REGION, BENCH_JOB, NULL, 0, &e) != 0)
        goto fail;
    full = now_s() - t0;
    t0 = now_s();
    if (sync_reextract(path, BENCH_ACCOUNT, BENCH_REGION, BENCH_JOB, NEW_DEF, strlen(NEW_DEF),
                       &e) != 0)
        goto fail;
    re = now_s() - t0;
    if (cache_open(path, CACHE_READ_ONLY, &c, NULL, 0, &e) != 0 ||
        cache_scope_use(c, BENCH_ACCOUNT, BENCH_REGION, &e) != 0 ||
        cache_job_metric_stats(c, BENCH_JOB, &ms, &e) != 0)
        goto fail;
    for (i = 0; i < ms.n; i++)
        if (strcmp(ms.items[i].name, "grad_norm") == 0)
            points = ms.items[i].count;
    cache_metric_stat_list_clean(&ms);
    cache_close(c);
    printf("reextract_cache seconds=%.3f full_seconds=%.3f lines=%zu new_points=%lld "
           "db_mb=%.1f\n", re, full, nlines, (long long)points,
           stat(path, &sb) == 0 ? (double)sb.st_size / 1e6 : 0.0);
    return 0;
fail:
    cache_close(c);
    fprintf(stderr, "bench_extract: re-extraction: %s\n", e.msg);
    return 1;
}

static int wanted(int argc, char **argv, const char *what)
{
    int i;

    if (argc <= 3)
        return 1;
    for (i = 3; i < argc; i++)
        if (strcmp(argv[i], what) == 0)
            return 1;
    return 0;
}

int main(int argc, char **argv)
{
    struct mdef_list l;
    struct err e = { 0 };
    struct line *lines;
    size_t len, nlines = 0, cap = 1 << 20, pos = 0;
    const char *rep = getenv("BENCH_EXTRACT_REPEAT");
    int repeat = rep != NULL && atoi(rep) > 0 ? atoi(rep) : 3, rc = 0;
    char *buf;

    if (argc < 3) {
        fprintf(stderr, "usage: bench_extract LOG DEFS [defs|defs_split|preset|reextract]...\n");
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
    /* the lines as rows in memory, as the cache hands them over */
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
    l.preset_hf = false;
    if (rc == 0 && wanted(argc, argv, "defs"))
        rc = run("defs", &l, buf, len, NULL, 0, 0, repeat);
    if (rc == 0 && wanted(argc, argv, "defs_split"))
        rc = run("defs_split", &l, buf, len, lines, nlines, 0, repeat);
    l.preset_hf = true;
    if (rc == 0 && wanted(argc, argv, "preset"))
        rc = run("preset", &l, buf, len, NULL, 0, 0, repeat);
    /* re-extraction: the lines are already rows in memory; a definition was added */
    if (rc == 0 && wanted(argc, argv, "reextract") &&
        (rc = mdef_list_add(&l, "grad_norm", "'grad_norm': ([0-9.eE+-]+)", MDEF_CLI, &e)) == 0)
        rc = run("reextract", &l, buf, len, lines, nlines, 1, repeat);
    l.preset_hf = true;
    if (rc == 0 && getenv("BENCH_EXTRACT_DB") != NULL && wanted(argc, argv, "cache")) {
        mdef_list_clean(&l);
        mdef_list_init(&l);
        rc = load_defs(argv[2], &l, &e) != 0 || run_cache(getenv("BENCH_EXTRACT_DB"), &l, lines,
                                                          nlines);
    }
    mdef_list_clean(&l);
    free(lines);
    free(buf);
    return rc != 0;
}
