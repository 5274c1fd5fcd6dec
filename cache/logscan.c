/* logscan.c: whole-stream scans (cache_stream_scan, and cache_stream_scan_ahead with its
 * read-ahead thread decoding a few pages ahead of the callback through a read-only connection
 * of its own). Used by re-extraction and extractor-state rebuilds, which read a stream from
 * seq 0 to its end. It must not write to the cache or talk to the network. */
#include <limits.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cache/internal.h"
#include "cache/logpage.h"
#include "cache/logstore.h"

/* Decoded pages a scan may hold ahead of its callback (typically ~40 KB each, at most
 * ~CACHE_PAGE_RAW_MAX + CACHE_LINE_MAX raw bytes), and how many a waiting side waits for: a
 * thread that has to wait sleeps until it can take (or fill) that many at once, so that the
 * two threads do not wake each other for every page (a wake-up costs about as much as
 * decompressing a page). */
#define SCAN_AHEAD_PAGES 8
#define SCAN_AHEAD_WAKE 4

#define SCAN_SQL CACHE_PAGE_COLS "WHERE stream_id=? AND first_seq+n_events>? ORDER BY first_seq"

/* Calls fn for the page's events from first_seq on; fn's first non-zero value stops it. */
static int page_emit(const struct logpage *pg, int64_t first_seq, cache_event_fn fn, void *ctx)
{
    int i, rc = 0;

    for (i = 0; i < pg->n && rc == 0; i++) {
        if (pg->first_seq + i < first_seq)
            continue;
        rc = fn(ctx, pg->first_seq + i, pg->ts[i], pg->text + pg->off[i], pg->len[i]);
    }
    return rc;
}

int cache_stream_scan(struct cache *c, int64_t stream_id, int64_t first_seq, cache_event_fn fn,
                      void *ctx, struct err *e)
{
    ZSTD_DCtx *dctx = ZSTD_createDCtx();     /* NULL is fine: logpage_decode makes its own */
    struct logpage pg = { 0 };
    sqlite3_stmt *st;
    int rc, s;

    if ((rc = cache_prepare(c, SCAN_SQL, &st, e)) != 0) {
        ZSTD_freeDCtx(dctx);
        return rc;
    }
    sqlite3_bind_int64(st, 1, stream_id);
    sqlite3_bind_int64(st, 2, first_seq);
    while (rc == 0 && (s = sqlite3_step(st)) == SQLITE_ROW) {
        if ((rc = cache_page_decode_row(st, dctx, &pg, e)) != 0)
            break;
        rc = page_emit(&pg, first_seq, fn, ctx);
    }
    if (rc == 0 && s != SQLITE_DONE)
        rc = cache_fail(c, e, "reading log pages");
    logpage_clean(&pg);
    sqlite3_finalize(st);
    ZSTD_freeDCtx(dctx);
    return rc;
}

/* The read-ahead of one scan: a worker thread reads the stream's pages in order through its
 * own read-only connection and decodes each into the next free slot of a ring; the caller's
 * thread runs fn over the oldest filled slot, then frees it. A slot's buffers serve page after
 * page, so memory stays at SCAN_AHEAD_PAGES pages. The worker owns wc, st, dctx and the free
 * slots while it runs, the caller the filled ones; head, count and what follows them are
 * shared under mu. */
struct ahead {
    struct cache *wc;
    sqlite3_stmt *st;
    ZSTD_DCtx *dctx;
    struct logpage ring[SCAN_AHEAD_PAGES];
    pthread_t thread;
    pthread_mutex_t mu;
    pthread_cond_t filled, freed;
    int head, count;             /* filled slots: ring[head], ... count of them */
    bool caller_waits;           /* for SCAN_AHEAD_WAKE filled slots */
    bool worker_waits;           /* for SCAN_AHEAD_WAKE free slots */
    bool stop;                   /* the caller takes no more pages: the worker leaves */
    bool done;                   /* the worker filled its last slot: rc and err are final */
    int rc;
    struct err err;
};

static void *ahead_main(void *arg)
{
    struct ahead *a = arg;
    struct err err = { 0 };
    bool stopped = false;
    int rc = 0, s;

    while ((s = sqlite3_step(a->st)) == SQLITE_ROW) {
        struct logpage *slot;

        pthread_mutex_lock(&a->mu);
        if (a->count == SCAN_AHEAD_PAGES) {
            a->worker_waits = true;
            while (a->count > SCAN_AHEAD_PAGES - SCAN_AHEAD_WAKE && !a->stop)
                pthread_cond_wait(&a->freed, &a->mu);
            a->worker_waits = false;
        }
        stopped = a->stop;
        slot = &a->ring[(a->head + a->count) % SCAN_AHEAD_PAGES];
        pthread_mutex_unlock(&a->mu);
        if (stopped)
            break;
        if ((rc = cache_page_decode_row(a->st, a->dctx, slot, &err)) != 0)
            break;
        pthread_mutex_lock(&a->mu);
        if (++a->count >= SCAN_AHEAD_WAKE && a->caller_waits)
            pthread_cond_signal(&a->filled);
        pthread_mutex_unlock(&a->mu);
    }
    if (rc == 0 && !stopped && s != SQLITE_DONE)
        rc = cache_fail(a->wc, &err, "reading log pages");
    pthread_mutex_lock(&a->mu);
    a->rc = rc;
    a->err = err;
    a->done = true;
    pthread_cond_signal(&a->filled);
    pthread_mutex_unlock(&a->mu);
    return NULL;
}

/* Only after the worker has been joined (or never started). */
static void ahead_free(struct ahead *a)
{
    int i;

    if (a == NULL)
        return;
    for (i = 0; i < SCAN_AHEAD_PAGES; i++)
        logpage_clean(&a->ring[i]);
    sqlite3_finalize(a->st);
    cache_close(a->wc);
    ZSTD_freeDCtx(a->dctx);
    pthread_cond_destroy(&a->freed);
    pthread_cond_destroy(&a->filled);
    pthread_mutex_destroy(&a->mu);
    free(a);
}

/* Opens the worker's connection to c's file, prepares its query and starts it; NULL when any
 * of it is not possible (no file behind c, not WAL, SQLite without threads, any error): the
 * caller scans synchronously then. */
static struct ahead *ahead_start(struct cache *c, int64_t stream_id, int64_t first_seq)
{
    const char *path = sqlite3_db_filename(c->db, "main");
    struct ahead *a;
    sqlite3_stmt *jm;
    sigset_t all, old;
    bool wal = false, started;

    /* a temporary or in-memory database has no file to open twice */
    if (!sqlite3_threadsafe() || path == NULL || path[0] == '\0')
        return NULL;
    if ((a = calloc(1, sizeof(*a))) == NULL)
        return NULL;
    pthread_mutex_init(&a->mu, NULL);
    pthread_cond_init(&a->filled, NULL);
    pthread_cond_init(&a->freed, NULL);
    if ((a->wc = calloc(1, sizeof(*a->wc))) == NULL || strlen(path) >= sizeof(a->wc->path))
        goto fail;
    snprintf(a->wc->path, sizeof(a->wc->path), "%s", path);
    a->wc->read_only = true;
    if (sqlite3_open_v2(path, &a->wc->db, SQLITE_OPEN_READONLY | SQLITE_OPEN_NOMUTEX, NULL)
        != SQLITE_OK)
        goto fail;
    sqlite3_extended_result_codes(a->wc->db, 1);
    sqlite3_busy_timeout(a->wc->db, 5000);
    /* In WAL mode this reader sees the last commit and never holds up the caller's writes,
     * even inside its transaction; with a rollback journal the caller's commit would wait for
     * it while it waits for the caller to take its pages. */
    if (sqlite3_prepare_v2(a->wc->db, "PRAGMA journal_mode", -1, &jm, NULL) == SQLITE_OK) {
        wal = sqlite3_step(jm) == SQLITE_ROW && sqlite3_column_text(jm, 0) != NULL &&
              strcmp((const char *)sqlite3_column_text(jm, 0), "wal") == 0;
        sqlite3_finalize(jm);
    }
    if (!wal)
        goto fail;
    /* one pass over the pages: a page cache would only hold what was read already */
    if (sqlite3_exec(a->wc->db, "PRAGMA cache_size=-256", NULL, NULL, NULL) != SQLITE_OK ||
        sqlite3_prepare_v2(a->wc->db, SCAN_SQL, -1, &a->st, NULL) != SQLITE_OK)
        goto fail;
    sqlite3_bind_int64(a->st, 1, stream_id);
    sqlite3_bind_int64(a->st, 2, first_seq);
    if ((a->dctx = ZSTD_createDCtx()) == NULL)
        goto fail;
    /* signals stay with the caller's threads: the worker starts with every one blocked */
    sigfillset(&all);
    pthread_sigmask(SIG_SETMASK, &all, &old);
    started = pthread_create(&a->thread, NULL, ahead_main, a) == 0;
    pthread_sigmask(SIG_SETMASK, &old, NULL);
    if (!started)
        goto fail;
    return a;
fail:
    ahead_free(a);
    return NULL;
}

/* Stops the worker (it may be waiting for room in the ring), joins it and frees everything. */
static void ahead_finish(struct ahead *a)
{
    pthread_mutex_lock(&a->mu);
    a->stop = true;
    pthread_cond_signal(&a->freed);
    pthread_mutex_unlock(&a->mu);
    pthread_join(a->thread, NULL);
    ahead_free(a);
}

int cache_stream_scan_ahead(struct cache *c, int64_t stream_id, int64_t first_seq,
                            cache_event_fn fn, void *ctx, struct err *e)
{
    struct ahead *a = ahead_start(c, stream_id, first_seq);
    int rc = 0;

    if (a == NULL)
        return cache_stream_scan(c, stream_id, first_seq, fn, ctx, e);
    while (rc == 0) {
        const struct logpage *slot;

        pthread_mutex_lock(&a->mu);
        if (a->count == 0) {
            a->caller_waits = true;
            while (a->count < SCAN_AHEAD_WAKE && !a->done)
                pthread_cond_wait(&a->filled, &a->mu);
            a->caller_waits = false;
        }
        if (a->count == 0) {
            /* drained: the worker's end comes after every page it filled, as in the plain
             * scan (a damaged page fails once the pages before it are through fn) */
            rc = a->rc;
            if (rc != 0 && e != NULL)
                *e = a->err;
            pthread_mutex_unlock(&a->mu);
            break;
        }
        slot = &a->ring[a->head];
        pthread_mutex_unlock(&a->mu);
        rc = page_emit(slot, first_seq, fn, ctx);
        pthread_mutex_lock(&a->mu);
        a->head = (a->head + 1) % SCAN_AHEAD_PAGES;
        if (--a->count <= SCAN_AHEAD_PAGES - SCAN_AHEAD_WAKE && a->worker_waits)
            pthread_cond_signal(&a->freed);
        pthread_mutex_unlock(&a->mu);
    }
    ahead_finish(a);
    return rc;
}
