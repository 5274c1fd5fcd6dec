/* bench_cache.c: the cache at scale, built through the logstore write API (no network).
 *
 * Usage: bench_cache DIR [LINES] [JOBS]   (defaults 10,000,000 lines and 100,000 jobs)
 * Builds DIR/cache.db: JOBS job rows, one job "big-job" with LINES Hugging Face-shaped log
 * events over four instance streams (stored as sync does: pages of 10,000 events per
 * transaction), and one job "reext-job" with 2,000,000 events. In the same run it builds the
 * peers over the same lines: DIR/raw.log (one event per line, what `grep -c` reads) and
 * DIR/naive.db (a row-per-line SQLite table with an index on time). Then it measures, and prints
 * one "key=value" line per figure for bench/run.sh:
 *   build       store time and lines/s, cache file size against the raw bytes
 *   jobs        the first screenful of JOBS jobs sorted by creation (median µs), and a count
 *   after       the next 50 lines after a random time T (median/p99 µs), sagetop and naive
 *   before      the previous 50 lines before a random T, sagetop and naive
 *   search      every line matching a regex over the whole job (s, MB/s), sagetop and naive;
 *               grep -ciE over raw.log is timed by bench/run.sh
 *   reextract   re-extraction of reext-job's 2,000,000 cached lines with a new definition (s;
 *               after a first extraction from scratch, full_seconds: only the new definition's
 *               metric is written), against extracting the same lines from memory with the same
 *               definitions
 *   rss         peak RSS of this process when sagetop's own measurements are done
 * Deterministic (fixed seed). */
#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <time.h>

#define PCRE2_CODE_UNIT_WIDTH 8
#include <pcre2.h>
#include <sqlite3.h>

#include "cache/cache.h"
#include "cache/logstore.h"
#include "cache/sync.h"
#include "metrics/metrics.h"

#define N_STREAMS 4
#define BATCH 10000
#define QUERIES 400
#define SEARCH_RE "'eval_loss': [0-9.]+"
#define REEXT_LINES 2000000
#define REEXT_CONFIG "metric grad_norm 'grad_norm': ([0-9.e+-]+)\n"

static double now_s(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static uint64_t rng_state = 0x9e3779b97f4a7c15ull;

static uint64_t rnd(void)
{
    rng_state ^= rng_state << 13;
    rng_state ^= rng_state >> 7;
    rng_state ^= rng_state << 17;
    return rng_state;
}

static double rnd01(void)
{
    return (double)(rnd() >> 11) / 9007199254740992.0;
}

/* One stream's generator state: what a Trainer on that host has printed so far. */
struct gen {
    int64_t ts_ms;
    int64_t n;
    int step, total_steps;
    double epoch;
};

/* Writes the next event of a stream into buf; returns its length. The mix follows what HF
 * jobs print: mostly tqdm progress (several "\r" segments per event), dict lines every few
 * events, eval dicts, toolkit INFO lines and warnings. */
static size_t gen_line(struct gen *g, char *buf, size_t size)
{
    unsigned r = (unsigned)(rnd() % 100);
    int n;

    g->ts_ms += (int64_t)(rnd() % 120);
    g->n++;
    if (r < 55) {
        int a = g->step % g->total_steps, k, w = 0;

        for (k = 0; k < 3; k++, a++)
            w += snprintf(buf + w, size - (size_t)w, "%s%3d%%|%.*s| %d/%d [%02d:%02d<%02d:%02d,"
                          " %5.2fit/s]", k ? "\r" : "", a * 100 / g->total_steps,
                          1 + a * 10 / g->total_steps, "##########", a, g->total_steps,
                          a / 600 % 60, a / 10 % 60, (g->total_steps - a) / 600 % 60,
                          (g->total_steps - a) / 10 % 60, 8 + rnd01() * 4);
        g->step += 3;
        n = w;
    } else if (r < 75) {
        g->epoch += 0.01;
        n = snprintf(buf, size, "{'loss': %.4f, 'grad_norm': %.6f, 'learning_rate': %.4e, "
                     "'epoch': %.2f}", 2.5 * exp(-g->epoch / 3) + rnd01() * 0.1,
                     1 + rnd01() * 3, 5e-05 * (1 - g->epoch / 100), g->epoch);
    } else if (r < 80) {
        n = snprintf(buf, size, "{'eval_loss': %.6f, 'eval_accuracy': %.4f, 'eval_runtime': "
                     "%.3f, 'eval_samples_per_second': %.2f, 'epoch': %.2f}",
                     1.9 * exp(-g->epoch / 4), 0.5 + 0.45 * (1 - exp(-g->epoch)),
                     12 + rnd01() * 3, 80 + rnd01() * 10, g->epoch);
    } else if (r < 92) {
        n = snprintf(buf, size, "[INFO|trainer.py:%d] %" PRId64 " >> Saving model checkpoint "
                     "to /opt/ml/checkpoints/checkpoint-%d", 2700 + (int)(rnd() % 200),
                     g->ts_ms / 1000, g->step);
    } else if (r < 97) {
        n = snprintf(buf, size, "2024-05-01 12:%02d:%02d,%03d sagemaker-training-toolkit INFO"
                     "     Reporting training SUCCESS for host algo-%d batch %" PRId64,
                     (int)(g->n / 60 % 60), (int)(g->n % 60), (int)(g->ts_ms % 1000),
                     (int)(rnd() % 4) + 1, g->n);
    } else {
        n = snprintf(buf, size, "/opt/conda/lib/python3.10/site-packages/transformers/optimiza"
                     "tion.py:411: FutureWarning: This implementation of AdamW is deprecated "
                     "and will be removed in a future version (step %d)", g->step);
    }
    return (size_t)n < size ? (size_t)n : size - 1;
}

static int die(const char *what, const struct err *e)
{
    fprintf(stderr, "bench_cache: %s: %s\n", what, e != NULL ? e->msg : "");
    return 1;
}

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;

    return x < y ? -1 : x > y;
}

static void pct(double *v, size_t n, double *median, double *p99)
{
    qsort(v, n, sizeof(*v), cmp_double);
    *median = v[n / 2];
    *p99 = v[(size_t)((double)n * 0.99)];
}

static int64_t file_size(const char *path)
{
    struct stat st;

    return stat(path, &st) == 0 ? (int64_t)st.st_size : 0;
}

static long peak_rss_kb(void)
{
    struct rusage ru;

    getrusage(RUSAGE_SELF, &ru);
    return ru.ru_maxrss;
}

/* Stores lines events of a job over n_streams streams, 10,000 per transaction per stream as
 * sync does; also writes them to raw (may be NULL) and the naive table (ins may be NULL). */
static int build_job(struct cache *c, const char *job, int64_t lines, int n_streams, FILE *raw,
                     sqlite3_stmt *ins, int64_t *raw_bytes, struct err *e)
{
    struct gen g[N_STREAMS];
    int64_t sid[N_STREAMS], done = 0;
    struct cache_event *ev = malloc(BATCH * sizeof(*ev));
    char *text = malloc((size_t)BATCH * 1024);
    int s, rc = 0;

    if (ev == NULL || text == NULL)
        return -1;
    for (s = 0; s < n_streams; s++) {
        char name[128];

        snprintf(name, sizeof(name), "%s/algo-%d-1714550400", job, s + 1);
        sid[s] = s + 1;
        if (c != NULL && (rc = cache_stream_ensure(c, job, name, &sid[s], e)) != 0)
            goto out;
        g[s] = (struct gen){ 1714550400000LL + s * 7, 0, 0, 4000, 0 };
    }
    while (done < lines && rc == 0) {
        for (s = 0; s < n_streams && done < lines; s++) {
            size_t i, n = 0, off = 0;

            while (n < BATCH && done < lines) {
                size_t len = gen_line(&g[s], text + off, 1024);

                ev[n].ts_ms = g[s].ts_ms;
                ev[n].msg = text + off;
                ev[n].len = len;
                if (raw != NULL) {
                    fwrite(text + off, 1, len, raw);
                    fputc('\n', raw);
                }
                *raw_bytes += (int64_t)len;
                off += len;
                n++;
                done++;
            }
            if (c != NULL) {
                if ((rc = cache_tx_begin(c, e)) != 0)
                    goto out;
                rc = cache_stream_append(c, sid[s], ev, n, "f/token", e);
                if (rc == 0)
                    rc = cache_tx_commit(c, e);
                else
                    cache_tx_rollback(c);
            }
            for (i = 0; ins != NULL && i < n && rc == 0; i++) {
                sqlite3_bind_int64(ins, 1, sid[s]);
                sqlite3_bind_int64(ins, 2, g[s].n - (int64_t)n + (int64_t)i);
                sqlite3_bind_int64(ins, 3, ev[i].ts_ms);
                sqlite3_bind_text(ins, 4, ev[i].msg, (int)ev[i].len, SQLITE_STATIC);
                if (sqlite3_step(ins) != SQLITE_DONE)
                    rc = -1;
                sqlite3_reset(ins);
            }
        }
    }
out:
    free(ev);
    free(text);
    return rc;
}

static int naive_exec(sqlite3 *db, const char *sql)
{
    char *msg = NULL;

    if (sqlite3_exec(db, sql, NULL, NULL, &msg) != SQLITE_OK) {
        fprintf(stderr, "bench_cache: naive: %s: %s\n", sql, msg);
        sqlite3_free(msg);
        return -1;
    }
    return 0;
}

/* The naive peer's screenful: 50 rows after/before T by the time index, texts copied out. */
static double naive_screen(sqlite3_stmt *st, int64_t t)
{
    double t0 = now_s();
    size_t bytes = 0;

    sqlite3_bind_int64(st, 1, t);
    while (sqlite3_step(st) == SQLITE_ROW)
        bytes += (size_t)sqlite3_column_bytes(st, 0);
    sqlite3_reset(st);
    return bytes > 0 ? now_s() - t0 : now_s() - t0;
}

struct xcount {
    uint64_t points;
};

static int count_point(const struct mpoint *p, void *ctx)
{
    (void)p;
    ((struct xcount *)ctx)->points++;
    return 0;
}

struct mem_lines {
    char *text;
    size_t len, cap;
    size_t *off;
    int64_t *ts;
    size_t n, ncap;
};

static int collect_line(void *ctx, int64_t seq, int64_t ts_ms, const char *msg, size_t len)
{
    struct mem_lines *m = ctx;

    (void)seq;
    if (m->len + len > m->cap) {
        m->cap = (m->cap + len) * 2;
        if ((m->text = realloc(m->text, m->cap)) == NULL)
            return -1;
    }
    if (m->n == m->ncap) {
        m->ncap = m->ncap ? m->ncap * 2 : 1 << 16;
        m->off = realloc(m->off, (m->ncap + 1) * sizeof(*m->off));
        m->ts = realloc(m->ts, m->ncap * sizeof(*m->ts));
        if (m->off == NULL || m->ts == NULL)
            return -1;
    }
    memcpy(m->text + m->len, msg, len);
    m->off[m->n] = m->len;
    m->ts[m->n++] = ts_ms;
    m->len += len;
    m->off[m->n] = m->len;
    return 0;
}

/* What the phases share: the cache, the naive peer and the figures later phases print. */
struct bench {
    const char *dir;
    int64_t lines, jobs;
    char path[4096], raw_path[4096], naive_path[4096];
    struct cache *c;
    sqlite3 *nd;
    int64_t raw_bytes;          /* the big job's log text, in bytes */
    struct cache_log_info info; /* the big job's log, once stored */
    size_t matches;             /* lines the cache's search found */
    double search_s;            /* and its time */
};

/* JOBS job rows in one transaction. */
static int bench_jobs_build(struct bench *bn, struct err *e)
{
    double t0 = now_s();
    int64_t j;

    if (cache_tx_begin(bn->c, e) != 0)
        return die("begin", e);
    for (j = 0; j < bn->jobs; j++) {
        char name[64], arn[128];
        struct cache_job_summary s = { 0 };

        snprintf(name, sizeof(name), "hf-job-%06" PRId64, j);
        snprintf(arn, sizeof(arn), "arn:aws:sagemaker:us-east-1:111122223333:training-job/%s",
                 name);
        s.name = j == 0 ? "big-job" : j == 1 ? "reext-job" : name;
        s.arn = arn;
        s.status = j % 17 == 0 ? "Failed" : "Completed";
        s.secondary_status = s.status;
        s.creation_time = 1.7e9 + (double)j * 60;
        s.end_time = s.creation_time + 3600;
        s.last_modified_time = s.end_time;
        if (cache_job_upsert_summary(bn->c, &s, e) != 0)
            return die("jobs", e);
    }
    if (cache_tx_commit(bn->c, e) != 0)
        return die("commit", e);
    printf("jobs_build jobs=%" PRId64 " seconds=%.2f\n", bn->jobs, now_s() - t0);
    return 0;
}

/* The big job's log in the cache, then the same lines in raw.log and the naive table. */
static int bench_big_job(struct bench *bn, struct err *e)
{
    sqlite3_stmt *ins = NULL;
    int64_t peer_raw = 0;
    double t0, t1;
    FILE *raw;

    if (sqlite3_open(bn->naive_path, &bn->nd) != SQLITE_OK ||
        naive_exec(bn->nd, "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;"
                   "CREATE TABLE lines(id INTEGER PRIMARY KEY, stream INTEGER, seq INTEGER,"
                   " ts INTEGER, text TEXT); BEGIN") != 0 ||
        sqlite3_prepare_v2(bn->nd, "INSERT INTO lines(stream, seq, ts, text) VALUES(?,?,?,?)",
                           -1, &ins, NULL) != SQLITE_OK)
        return die("naive table", NULL);
    if ((raw = fopen(bn->raw_path, "w")) == NULL)
        return die("raw file", NULL);

    t0 = now_s();
    if (build_job(bn->c, "big-job", bn->lines, N_STREAMS, NULL, NULL, &bn->raw_bytes, e) != 0)
        return die("storing the big job", e);
    t1 = now_s();
    if (cache_checkpoint(bn->c, e) != 0)
        return die("checkpoint", e);
    printf("build lines=%" PRId64 " streams=%d seconds=%.2f lines_s=%.0f mb_s=%.1f\n",
           bn->lines, N_STREAMS, t1 - t0, (double)bn->lines / (t1 - t0),
           (double)bn->raw_bytes / 1e6 / (t1 - t0));

    /* the peers get the same lines (the generator is deterministic: rerun it; jobs draw no
     * random numbers, so the sequence restarts exactly) */
    rng_state = 0x9e3779b97f4a7c15ull;
    t0 = now_s();
    if (build_job(NULL, "big-job", bn->lines, N_STREAMS, raw, ins, &peer_raw, e) != 0)
        return die("peers", e);
    fclose(raw);
    if (naive_exec(bn->nd, "COMMIT") != 0)
        return die("naive commit", NULL);
    sqlite3_finalize(ins);
    t1 = now_s();
    if (naive_exec(bn->nd, "CREATE INDEX lines_ts ON lines(ts, stream, seq);"
                   "PRAGMA wal_checkpoint(TRUNCATE)") != 0)
        return die("naive index", NULL);
    printf("naive_build seconds=%.2f index_seconds=%.2f\n", t1 - t0, now_s() - t1);

    if (cache_logs_info(bn->c, "big-job", &bn->info, e) != 0)
        return die("info", e);
    printf("size raw_bytes=%" PRId64 " cache_file=%" PRId64 " log_stored=%" PRId64
           " naive_file=%" PRId64 " raw_file=%" PRId64 " cache_ratio=%.3f naive_ratio=%.3f\n",
           bn->info.raw_bytes, file_size(bn->path), bn->info.stored_bytes,
           file_size(bn->naive_path), file_size(bn->raw_path),
           (double)file_size(bn->path) / (double)bn->info.raw_bytes,
           (double)file_size(bn->naive_path) / (double)bn->info.raw_bytes);
    return 0;
}

/* The job list: 100,000 jobs cost what 50 do. */
static int bench_jobs_window(struct bench *bn, struct err *e)
{
    struct cache_job_query jq = { 0 };
    struct cache_job *rows = calloc(50, sizeof(*rows));
    double t0, lat[50], nlat[50], med, p99, nmed, np99;
    size_t n = 0, cnt = 0;
    int q;

    if (rows == NULL)
        return die("jobs window", NULL);
    jq.sort = "created";
    jq.descending = true;
    for (q = 0; q < 50; q++) {
        t0 = now_s();
        if (cache_jobs_window(bn->c, &jq, (size_t)(rnd() % (uint64_t)bn->jobs), 50, rows, &n, e)
            != 0)
            return die("jobs window", e);
        lat[q] = (now_s() - t0) * 1e6;
    }
    pct(lat, 50, &med, &p99);
    for (q = 0; q < 50; q++) {
        t0 = now_s();
        if (cache_jobs_window(bn->c, &jq, 0, 50, rows, &n, e) != 0)
            return die("jobs window", e);
        nlat[q] = (now_s() - t0) * 1e6;
    }
    pct(nlat, 50, &nmed, &np99);
    t0 = now_s();
    if (cache_jobs_count(bn->c, &jq, &cnt, e) != 0)
        return die("jobs count", e);
    printf("jobs first_median_us=%.0f window_median_us=%.0f window_p99_us=%.0f count=%zu "
           "count_us=%.0f\n", nmed, med, p99, cnt, (now_s() - t0) * 1e6);
    free(rows);
    return 0;
}

/* QUERIES screenfuls after (before) random times, sagetop's and the naive peer's; prints the
 * line named what. */
static int bench_screens(struct bench *bn, bool before, struct cache_log_batch *b, struct err *e)
{
    const char *what = before ? "before" : "after";
    sqlite3_stmt *st = NULL;
    double t0, lat[QUERIES], nlat[QUERIES], med, p99, nmed, np99;
    int64_t span = bn->info.last_ts_ms - bn->info.first_ts_ms;
    int q;

    if (sqlite3_prepare_v2(bn->nd, before ?
                           "SELECT text, ts, stream, seq FROM lines WHERE ts<? ORDER BY"
                           " ts DESC, stream DESC, seq DESC LIMIT 50" :
                           "SELECT text, ts, stream, seq FROM lines WHERE ts>=? ORDER BY"
                           " ts, stream, seq LIMIT 50", -1, &st, NULL) != SQLITE_OK)
        return die("naive prepare", NULL);
    for (q = 0; q < QUERIES; q++) {
        int64_t t = bn->info.first_ts_ms + (before ? 1 : 0) + (int64_t)(rnd01() * (double)span);
        struct cache_log_pos pos = { t, 0, 0 };
        int rc;

        t0 = now_s();
        rc = before ? cache_logs_before(bn->c, "big-job", &pos, 50, NULL, b, e) :
                      cache_logs_after(bn->c, "big-job", &pos, 50, NULL, b, e);
        if (rc != 0 || b->n == 0)
            return die(what, e);
        lat[q] = (now_s() - t0) * 1e6;
        nlat[q] = naive_screen(st, t) * 1e6;
    }
    sqlite3_finalize(st);
    pct(lat, QUERIES, &med, &p99);
    pct(nlat, QUERIES, &nmed, &np99);
    printf("%s median_us=%.0f p99_us=%.0f naive_median_us=%.0f naive_p99_us=%.0f\n", what, med,
           p99, nmed, np99);
    return 0;
}

/* Every matching line, in time order, in batches as a pager would; the figures wait for the
 * naive peer's pass (bench_naive_search). */
static int bench_search(struct bench *bn, struct cache_log_batch *b, struct err *e)
{
    struct cache_log_pos pos;
    bool first = true;
    double t0 = now_s();

    for (;;) {
        if (cache_logs_search(bn->c, "big-job", SEARCH_RE, false, first ? NULL : &pos, 10000,
                              NULL, b, e) != 0)
            return die("search", e);
        bn->matches += b->n;
        first = false;
        if (b->n > 0)
            pos = b->lines[b->n - 1].pos;
        if (b->at_end || b->n == 0)
            break;
    }
    bn->search_s = now_s() - t0;
    return 0;
}

/* The floor for re-extraction: the same definitions over reext-job's lines already in memory;
 * seconds in *mem_s, points in *points. */
static int bench_reextract_floor(struct bench *bn, double *mem_s, uint64_t *points,
                                 struct err *e)
{
    struct mem_lines m = { 0 };
    struct cache_stream_list sl = { 0 };
    struct mdef_list dl;
    struct mset *ms;
    struct mextract_state st;
    struct xcount xc = { 0 };
    size_t i;
    double t0;

    if (cache_streams(bn->c, "reext-job", &sl, e) != 0)
        return die("streams", e);
    mdef_list_init(&dl);
    mdef_list_parse_config(&dl, REEXT_CONFIG, strlen(REEXT_CONFIG), "reext-job", NULL);
    ms = mset_new(&dl, e);
    *mem_s = 0;
    for (i = 0; i < sl.n; i++) {
        size_t k, from = m.n;

        if (cache_stream_scan(bn->c, sl.items[i].id, 0, collect_line, &m, e) != 0)
            return die("scan", e);
        t0 = now_s();
        mextract_state_init(&st, sl.items[i].instance);
        for (k = from; k < m.n; k++)
            mset_extract(ms, &st, m.text + m.off[k], m.off[k + 1] - m.off[k], m.ts[k],
                         count_point, &xc);
        *mem_s += now_s() - t0;
    }
    *points = xc.points;
    mset_free(ms);
    mdef_list_clean(&dl);
    cache_stream_list_clean(&sl);
    free(m.text);
    free(m.off);
    free(m.ts);
    return 0;
}

/* Re-extraction of a 2,000,000-line job with a new definition, and the process's peak RSS. */
static int bench_reextract(struct bench *bn, struct err *e)
{
    struct cache_metric_stat_list stats = { 0 };
    double t0, re_s, full_s, mem_s = 0;
    int64_t points = 0, reext_raw = 0;
    uint64_t mem_points = 0;
    size_t i;

    rng_state = 0x1234567ull;
    if (build_job(bn->c, "reext-job", REEXT_LINES, 2, NULL, NULL, &reext_raw, e) != 0)
        return die("storing the re-extraction job", e);
    /* from scratch: every metric the preset finds (what a first extraction writes) */
    t0 = now_s();
    if (sync_reextract(bn->path, "111122223333", "us-east-1", "reext-job", NULL, 0, e) != 0)
        return die("reextract", e);
    full_s = now_s() - t0;
    /* then one definition added: only its metric is written */
    t0 = now_s();
    if (sync_reextract(bn->path, "111122223333", "us-east-1", "reext-job", REEXT_CONFIG,
                       strlen(REEXT_CONFIG), e) != 0)
        return die("reextract", e);
    re_s = now_s() - t0;
    printf("rss peak_kb=%ld\n", peak_rss_kb());   /* before the in-memory floor below */
    if (cache_job_metric_stats(bn->c, "reext-job", &stats, e) != 0)
        return die("stats", e);
    for (i = 0; i < stats.n; i++)
        points += stats.items[i].count + stats.items[i].unparsed;
    cache_metric_stat_list_clean(&stats);
    if (bench_reextract_floor(bn, &mem_s, &mem_points, e) != 0)
        return 1;
    printf("reextract lines=%d seconds=%.2f points=%" PRId64 " mem_seconds=%.2f "
           "mem_points=%" PRIu64 " ratio=%.2f mb=%.1f full_seconds=%.2f\n", REEXT_LINES,
           re_s, points, mem_s, mem_points, re_s / mem_s, (double)reext_raw / 1e6, full_s);
    return 0;
}

/* The naive peer's regex pass (every row in time order, the same JIT pattern), then the search
 * line with both figures. */
static int bench_naive_search(struct bench *bn)
{
    sqlite3_stmt *nall = NULL;
    pcre2_code *code;
    pcre2_match_data *md;
    size_t nmatches = 0;
    double t0, naive_s;
    PCRE2_SIZE eoff;
    int errc;

    code = pcre2_compile((PCRE2_SPTR)SEARCH_RE, PCRE2_ZERO_TERMINATED,
                         PCRE2_UTF | PCRE2_MATCH_INVALID_UTF | PCRE2_CASELESS, &errc, &eoff, NULL);
    if (code == NULL)
        return die("pcre2", NULL);
    pcre2_jit_compile(code, PCRE2_JIT_COMPLETE);
    md = pcre2_match_data_create_from_pattern(code, NULL);
    if (sqlite3_prepare_v2(bn->nd, "SELECT text FROM lines ORDER BY ts, stream, seq", -1, &nall,
                           NULL) != SQLITE_OK)
        return die("naive prepare", NULL);
    t0 = now_s();
    while (sqlite3_step(nall) == SQLITE_ROW)
        if (pcre2_match(code, sqlite3_column_text(nall, 0),
                        (PCRE2_SIZE)sqlite3_column_bytes(nall, 0), 0, 0, md, NULL) >= 0)
            nmatches++;
    naive_s = now_s() - t0;
    printf("search regex=%s matches=%zu seconds=%.2f mb_s=%.0f naive_matches=%zu "
           "naive_seconds=%.2f naive_mb_s=%.0f\n", SEARCH_RE, bn->matches, bn->search_s,
           (double)bn->raw_bytes / 1e6 / bn->search_s, nmatches, naive_s,
           (double)bn->raw_bytes / 1e6 / naive_s);
    pcre2_match_data_free(md);
    pcre2_code_free(code);
    sqlite3_finalize(nall);
    return 0;
}

int main(int argc, char **argv)
{
    struct bench bn = { 0 };
    struct cache_log_batch b = { 0 };
    struct err e = { 0 };
    char cmd[8300];
    int rc;

    bn.dir = argc > 1 ? argv[1] : "build/bench-data/cache";
    bn.lines = argc > 2 ? atoll(argv[2]) : 10000000;
    bn.jobs = argc > 3 ? atoll(argv[3]) : 100000;
    snprintf(cmd, sizeof(cmd), "rm -rf '%s' && mkdir -p '%s'", bn.dir, bn.dir);
    if (system(cmd) != 0)
        return die("cannot prepare the work directory", NULL);
    snprintf(bn.path, sizeof(bn.path), "%s/cache.db", bn.dir);
    snprintf(bn.raw_path, sizeof(bn.raw_path), "%s/raw.log", bn.dir);
    snprintf(bn.naive_path, sizeof(bn.naive_path), "%s/naive.db", bn.dir);
    if (cache_open(bn.path, 0, &bn.c, NULL, 0, &e) != 0 ||
        cache_scope_use(bn.c, "111122223333", "us-east-1", &e) != 0)
        return die("open", &e);

    /* the phases in the order bench/run.sh reads their lines */
    rc = bench_jobs_build(&bn, &e);
    if (rc == 0)
        rc = bench_big_job(&bn, &e);
    if (rc == 0)
        rc = bench_jobs_window(&bn, &e);
    if (rc == 0)
        rc = bench_screens(&bn, false, &b, &e);
    if (rc == 0)
        rc = bench_screens(&bn, true, &b, &e);
    if (rc == 0)
        rc = bench_search(&bn, &b, &e);
    cache_log_batch_clean(&b);
    if (rc == 0)
        rc = bench_reextract(&bn, &e);
    if (rc == 0)
        rc = bench_naive_search(&bn);
    sqlite3_close(bn.nd);
    cache_close(bn.c);
    return rc;
}
