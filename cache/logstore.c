/* logstore.c: log streams, their sync cursors and the page store, and every read of a job's
 * log: the next/previous screenful interleaved across streams and regex search.
 *
 * Page format (before compression): varint n, then n x (varint ts delta from the previous
 * event, the first from the row's first_ts; varint length), then the n messages back to back.
 * A page is stored as one zstd frame (with its checksum); pages written before zstd are zlib
 * streams and stay readable: the blob's first bytes tell which (no migration, no rewrite).
 * Pages are immutable once full; only a stream's last page is rewritten while it fills. Reads
 * decode one page per stream at a time, so memory stays bounded whatever the log size; a whole
 * stream scan may decode a few pages ahead on a thread of its own (cache_stream_scan_ahead).
 * It must not talk to the network or know about metrics definitions. */
#include <limits.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <zlib.h>
#include <zstd.h>

#include "cache/internal.h"
#include "cache/logstore.h"

/* zstd 6: over the 7,813 pages of a 405 MB Hugging Face log it compresses to 0.101 of the raw
 * size (2: 0.114, 3: 0.123, zlib 6: 0.135) and decompresses in 0.17 s (2 and 3: 0.22 s, zlib 6:
 * 0.66 s), what re-extraction waits for; compressing takes 2.1 s (2: 0.53 s), ~200 MB/s, far
 * above what GetLogEvents delivers (1 MB a call). Level 9 decompresses no faster. */
#define PAGE_ZSTD_LEVEL 6
/* Decoded pages a scan may hold ahead of its callback (typically ~40 KB each, at most
 * ~CACHE_PAGE_RAW_MAX + CACHE_LINE_MAX raw bytes), and how many a waiting side waits for: a
 * thread that has to wait sleeps until it can take (or fill) that many at once, so that the
 * two threads do not wake each other for every page (a wake-up costs about as much as
 * decompressing a page). */
#define SCAN_AHEAD_PAGES 8
#define SCAN_AHEAD_WAKE 4

/* ---- varints and page coding ------------------------------------------------------------ */

size_t cache_put_varint(unsigned char *p, uint64_t v)
{
    size_t n = 0;

    while (v >= 0x80) {
        p[n++] = (unsigned char)(v | 0x80);
        v >>= 7;
    }
    p[n++] = (unsigned char)v;
    return n;
}

int cache_get_varint(const unsigned char **p, const unsigned char *end, uint64_t *out)
{
    uint64_t v = 0;
    int shift = 0;

    while (*p < end && shift < 64) {
        unsigned char b = *(*p)++;

        v |= (uint64_t)(b & 0x7f) << shift;
        if (!(b & 0x80)) {
            *out = v;
            return 0;
        }
        shift += 7;
    }
    return -1;
}

/* A decoded page: events [0, n) with seq first_seq + i. Its buffers serve the next page
 * decoded into it: a zeroed page starts with none, page_clean() frees them. */
struct page {
    int64_t first_seq;
    int n;
    int64_t *ts;
    uint32_t *off;
    uint32_t *len;
    char *text;          /* the raw page; messages live inside it */
    size_t raw_len;
    size_t text_cap;     /* allocated bytes of text, events of ts/off/len */
    size_t ev_cap;
};

static void page_clean(struct page *pg)
{
    free(pg->ts);
    free(pg->off);
    free(pg->len);
    free(pg->text);
    memset(pg, 0, sizeof(*pg));
}

/* A zstd frame starts with the magic 28 B5 2F FD; a zlib stream never does (0x28B5 is not a
 * valid CMF-FLG pair), so anything else is handed to zlib, which checks its own header. */
static bool blob_is_zstd(const unsigned char *blob, size_t blob_len)
{
    return blob_len >= 4 && blob[0] == 0x28 && blob[1] == 0xb5 && blob[2] == 0x2f &&
           blob[3] == 0xfd;
}

/* Decompresses a page blob of either codec into exactly raw_len bytes; -1 when it does not.
 * dctx may be NULL (zstd then makes a context for this call). */
static int page_inflate(const void *blob, size_t blob_len, char *out, size_t raw_len,
                        ZSTD_DCtx *dctx)
{
    uLongf dest_len = (uLongf)raw_len;
    size_t got;

    if (blob != NULL && blob_is_zstd(blob, blob_len)) {
        got = dctx != NULL ? ZSTD_decompressDCtx(dctx, out, raw_len, blob, blob_len)
                           : ZSTD_decompress(out, raw_len, blob, blob_len);
        return !ZSTD_isError(got) && got == raw_len ? 0 : -1;
    }
    if (uncompress((Bytef *)out, &dest_len, blob, (uLong)blob_len) != Z_OK ||
        dest_len != raw_len)
        return -1;
    return 0;
}

/* Decodes a page blob into pg (zeroed, or holding an earlier page whose buffers it reuses).
 * On failure pg is cleaned. dctx may be NULL. */
static int page_decode(const void *blob, size_t blob_len, size_t raw_len, int64_t first_ts,
                       int64_t first_seq, ZSTD_DCtx *dctx, struct page *pg, struct err *e)
{
    const unsigned char *p, *end;
    uint64_t n, v;
    uint32_t off;
    int64_t ts = first_ts;
    int i;

    pg->n = 0;
    pg->raw_len = 0;
    if (pg->text == NULL || raw_len > pg->text_cap) {
        free(pg->text);
        pg->text_cap = raw_len ? raw_len : 1;
        if ((pg->text = malloc(pg->text_cap)) == NULL) {
            page_clean(pg);
            return err_set(e, ERR_NOMEM, "out of memory decoding a log page");
        }
    }
    if (page_inflate(blob, blob_len, pg->text, raw_len, dctx) != 0)
        goto corrupt;
    pg->raw_len = raw_len;
    p = (const unsigned char *)pg->text;
    end = p + raw_len;
    if (cache_get_varint(&p, end, &n) != 0 || n > CACHE_PAGE_EVENTS * 4)
        goto corrupt;
    pg->first_seq = first_seq;
    if (pg->ts == NULL || n > pg->ev_cap) {
        free(pg->ts);
        free(pg->off);
        free(pg->len);
        pg->ev_cap = n ? n : 1;
        pg->ts = malloc(pg->ev_cap * sizeof(*pg->ts));
        pg->off = malloc(pg->ev_cap * sizeof(*pg->off));
        pg->len = malloc(pg->ev_cap * sizeof(*pg->len));
        if (pg->ts == NULL || pg->off == NULL || pg->len == NULL) {
            page_clean(pg);
            return err_set(e, ERR_NOMEM, "out of memory decoding a log page");
        }
    }
    pg->n = (int)n;
    for (i = 0; i < pg->n; i++) {
        if (cache_get_varint(&p, end, &v) != 0)
            goto corrupt;
        ts += (int64_t)v;
        pg->ts[i] = ts;
        if (cache_get_varint(&p, end, &v) != 0 || v > CACHE_LINE_MAX)
            goto corrupt;
        pg->len[i] = (uint32_t)v;
    }
    off = (uint32_t)(p - (const unsigned char *)pg->text);
    for (i = 0; i < pg->n; i++) {
        pg->off[i] = off;
        off += pg->len[i];
        if (off > raw_len)
            goto corrupt;
    }
    return 0;
corrupt:
    page_clean(pg);
    return err_set(e, ERR_CACHE, "a log page in the cache is damaged; --reset-cache rebuilds "
                   "the cache");
}

/* Decodes the current row of a PAGE_COLS query. */
static int page_decode_row(sqlite3_stmt *st, ZSTD_DCtx *dctx, struct page *pg, struct err *e)
{
    return page_decode(sqlite3_column_blob(st, 4), (size_t)sqlite3_column_bytes(st, 4),
                       (size_t)sqlite3_column_int64(st, 3), sqlite3_column_int64(st, 2),
                       sqlite3_column_int64(st, 0), dctx, pg, e);
}

#define PAGE_COLS "SELECT first_seq, n_events, first_ts, raw_bytes, data FROM log_pages "

/* Events gathered for one page before it is compressed. */
struct builder {
    int n;
    int64_t first_seq;
    int64_t ts[CACHE_PAGE_EVENTS];
    uint32_t len[CACHE_PAGE_EVENTS];
    char *text;
    size_t text_len, text_cap;
    unsigned char *raw, *z;        /* scratch */
    size_t raw_cap, z_cap;
    ZSTD_CCtx *zc;                 /* made at the first flush, kept for the next ones */
};

static int builder_add(struct builder *b, int64_t ts, const char *msg, size_t len)
{
    if (b->text_len + len > b->text_cap) {
        size_t nc = b->text_cap ? b->text_cap : 64 * 1024;
        char *nt;

        while (nc < b->text_len + len)
            nc *= 2;
        nt = realloc(b->text, nc);
        if (nt == NULL)
            return ERR_NOMEM;
        b->text = nt;
        b->text_cap = nc;
    }
    memcpy(b->text + b->text_len, msg, len);
    b->text_len += len;
    b->ts[b->n] = ts;
    b->len[b->n] = (uint32_t)len;
    b->n++;
    return 0;
}

static bool builder_full(const struct builder *b)
{
    return b->n >= CACHE_PAGE_EVENTS || b->text_len >= CACHE_PAGE_RAW_MAX;
}

/* Encodes and compresses the builder and writes it as the page at first_seq (replacing an
 * open page with the same first_seq). Adds the stored size to *stored. */
static int builder_flush(struct cache *c, int64_t sid, struct builder *b, int64_t *stored,
                         struct err *e)
{
    size_t hdr_max = 10 + (size_t)b->n * 20, raw_len = 0, need, zlen;
    sqlite3_stmt *st;
    int64_t prev;
    int i, rc;

    if (b->n == 0)
        return 0;
    need = hdr_max + b->text_len;
    if (need > b->raw_cap) {
        unsigned char *nr = realloc(b->raw, need);

        if (nr == NULL)
            return err_set(e, ERR_NOMEM, "out of memory storing log events");
        b->raw = nr;
        b->raw_cap = need;
    }
    raw_len += cache_put_varint(b->raw, (uint64_t)b->n);
    prev = b->ts[0];
    for (i = 0; i < b->n; i++) {
        raw_len += cache_put_varint(b->raw + raw_len, (uint64_t)(b->ts[i] - prev));
        prev = b->ts[i];
        raw_len += cache_put_varint(b->raw + raw_len, b->len[i]);
    }
    memcpy(b->raw + raw_len, b->text, b->text_len);
    raw_len += b->text_len;
    zlen = ZSTD_compressBound(raw_len);
    if (zlen > b->z_cap) {
        unsigned char *nz = realloc(b->z, zlen);

        if (nz == NULL)
            return err_set(e, ERR_NOMEM, "out of memory storing log events");
        b->z = nz;
        b->z_cap = zlen;
    }
    if (b->zc == NULL) {
        /* the checksum keeps zlib's guarantee: a damaged page is refused, never misread */
        if ((b->zc = ZSTD_createCCtx()) == NULL ||
            ZSTD_isError(ZSTD_CCtx_setParameter(b->zc, ZSTD_c_compressionLevel,
                                                PAGE_ZSTD_LEVEL)) ||
            ZSTD_isError(ZSTD_CCtx_setParameter(b->zc, ZSTD_c_checksumFlag, 1)))
            return err_set(e, ERR_NOMEM, "out of memory storing log events");
    }
    zlen = ZSTD_compress2(b->zc, b->z, b->z_cap, b->raw, raw_len);
    if (ZSTD_isError(zlen))
        return err_set(e, ERR_NOMEM, "cannot compress a log page: %s", ZSTD_getErrorName(zlen));
    if ((rc = cache_prepare(c, "INSERT OR REPLACE INTO log_pages(stream_id, first_seq, n_events,"
                            " first_ts, last_ts, raw_bytes, data) VALUES(?,?,?,?,?,?,?)", &st, e))
        != 0)
        return rc;
    sqlite3_bind_int64(st, 1, sid);
    sqlite3_bind_int64(st, 2, b->first_seq);
    sqlite3_bind_int(st, 3, b->n);
    sqlite3_bind_int64(st, 4, b->ts[0]);
    sqlite3_bind_int64(st, 5, b->ts[b->n - 1]);
    sqlite3_bind_int64(st, 6, (int64_t)raw_len);
    sqlite3_bind_blob(st, 7, b->z, (int)zlen, SQLITE_STATIC);
    rc = sqlite3_step(st) == SQLITE_DONE ? 0 : cache_fail(c, e, "storing a log page");
    sqlite3_finalize(st);
    if (rc == 0)
        *stored += (int64_t)zlen;
    b->first_seq += b->n;
    b->n = 0;
    b->text_len = 0;
    return rc;
}

static void builder_clean(struct builder *b)
{
    free(b->text);
    free(b->raw);
    free(b->z);
    ZSTD_freeCCtx(b->zc);
}

/* ---- streams ---------------------------------------------------------------------------- */

void cache_stream_list_clean(struct cache_stream_list *l)
{
    if (l == NULL)
        return;
    free(l->items);
    l->items = NULL;
    l->n = 0;
}

/* "<job>/algo-1-1656268442" -> "algo-1"; "<job>/algo-1-1656268442/ssm" -> "algo-1/ssm". */
static void instance_of(const char *stream, char *out, size_t size)
{
    const char *p = strchr(stream, '/');
    const char *q;
    size_t n;

    p = p != NULL ? p + 1 : stream;
    q = strchr(p, '/');
    n = q != NULL ? (size_t)(q - p) : strlen(p);
    /* drop a "-<digits>" tail (the start epoch) */
    {
        size_t k = n;

        while (k > 0 && p[k - 1] >= '0' && p[k - 1] <= '9')
            k--;
        if (k > 1 && k < n && p[k - 1] == '-' && n - k >= 6)
            n = k - 1;
    }
    if (n >= size)
        n = size - 1;
    memcpy(out, p, n);
    out[n] = '\0';
    if (q != NULL && strlen(out) + strlen(q) < size)
        strcat(out, q);
}

int cache_stream_ensure(struct cache *c, const char *job, const char *stream_name, int64_t *id,
                        struct err *e)
{
    char instance[32];
    sqlite3_stmt *st;
    int64_t job_id;
    int rc;

    if ((rc = cache_sp_begin(c, e)) != 0)
        return rc;
    if ((rc = cache_job_lookup(c, job, &job_id, e)) != 0)
        goto out;
    instance_of(stream_name, instance, sizeof(instance));
    if ((rc = cache_prepare(c, "INSERT OR IGNORE INTO log_streams(job_id, name, instance)"
                            " VALUES(?,?,?)", &st, e)) != 0)
        goto out;
    sqlite3_bind_int64(st, 1, job_id);
    sqlite3_bind_text(st, 2, stream_name, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 3, instance, -1, SQLITE_STATIC);
    rc = sqlite3_step(st) == SQLITE_DONE ? 0 : cache_fail(c, e, "registering a log stream");
    sqlite3_finalize(st);
    if (rc != 0 || id == NULL)
        goto out;
    if ((rc = cache_prepare(c, "SELECT id FROM log_streams WHERE job_id=? AND name=?", &st, e))
        != 0)
        goto out;
    sqlite3_bind_int64(st, 1, job_id);
    sqlite3_bind_text(st, 2, stream_name, -1, SQLITE_STATIC);
    if (sqlite3_step(st) == SQLITE_ROW)
        *id = sqlite3_column_int64(st, 0);
    else
        rc = cache_fail(c, e, "registering a log stream");
    sqlite3_finalize(st);
out:
    return cache_sp_end(c, rc, e);
}

#define STREAM_COLS "s.id, s.name, s.instance, s.token, s.n_events, s.last_ts, s.done"

static void read_stream(sqlite3_stmt *st, struct cache_stream *s)
{
    memset(s, 0, sizeof(*s));
    s->id = sqlite3_column_int64(st, 0);
    cache_col_text(st, 1, s->name, sizeof(s->name));
    cache_col_text(st, 2, s->instance, sizeof(s->instance));
    cache_col_text(st, 3, s->token, sizeof(s->token));
    s->n_events = sqlite3_column_int64(st, 4);
    s->last_ts_ms = sqlite3_column_int64(st, 5);
    s->done = sqlite3_column_int(st, 6) != 0;
}

int cache_streams(struct cache *c, const char *job, struct cache_stream_list *out, struct err *e)
{
    struct cache_stream_list l = { NULL, 0 };
    size_t cap = 0;
    sqlite3_stmt *st;
    int rc, s;

    if ((rc = cache_prepare(c, "SELECT " STREAM_COLS " FROM log_streams s JOIN jobs j ON"
                            " j.id=s.job_id WHERE j.scope_id=? AND j.name=? ORDER BY s.name",
                            &st, e)) != 0)
        return rc;
    sqlite3_bind_int64(st, 1, c->scope_id);
    sqlite3_bind_text(st, 2, job, -1, SQLITE_STATIC);
    while ((s = sqlite3_step(st)) == SQLITE_ROW) {
        if (l.n == cap) {
            size_t nc = cap ? cap * 2 : 8;
            struct cache_stream *ni = realloc(l.items, nc * sizeof(*ni));

            if (ni == NULL) {
                rc = err_set(e, ERR_NOMEM, "out of memory");
                break;
            }
            l.items = ni;
            cap = nc;
        }
        read_stream(st, &l.items[l.n++]);
    }
    if (rc == 0 && s != SQLITE_DONE)
        rc = cache_fail(c, e, "listing log streams");
    sqlite3_finalize(st);
    if (rc != 0) {
        cache_stream_list_clean(&l);
        return rc;
    }
    *out = l;
    return 0;
}

int cache_stream_get(struct cache *c, int64_t stream_id, struct cache_stream *out, struct err *e)
{
    sqlite3_stmt *st;
    int rc;

    if ((rc = cache_prepare(c, "SELECT " STREAM_COLS " FROM log_streams s WHERE s.id=?", &st, e))
        != 0)
        return rc;
    sqlite3_bind_int64(st, 1, stream_id);
    rc = sqlite3_step(st);
    if (rc == SQLITE_ROW) {
        read_stream(st, out);
        rc = 0;
    } else if (rc == SQLITE_DONE) {
        rc = err_set(e, ERR_NOTFOUND, "no log stream %lld", (long long)stream_id);
    } else {
        rc = cache_fail(c, e, "reading a log stream");
    }
    sqlite3_finalize(st);
    return rc;
}

int cache_stream_set_done(struct cache *c, int64_t stream_id, bool done, struct err *e)
{
    sqlite3_stmt *st;
    int rc;

    if ((rc = cache_sp_begin(c, e)) != 0)
        return rc;
    if ((rc = cache_prepare(c, "UPDATE log_streams SET done=? WHERE id=?", &st, e)) == 0) {
        sqlite3_bind_int(st, 1, done);
        sqlite3_bind_int64(st, 2, stream_id);
        rc = sqlite3_step(st) == SQLITE_DONE ? 0 : cache_fail(c, e, "updating a log stream");
        sqlite3_finalize(st);
    }
    return cache_sp_end(c, rc, e);
}

/* Loads the page holding first_seq..: the stream's last page when it is still open. */
static int load_open_page(struct cache *c, int64_t sid, struct builder *b, int64_t *stored_old,
                          struct err *e)
{
    sqlite3_stmt *st;
    int rc, i;

    if ((rc = cache_prepare(c, PAGE_COLS "WHERE stream_id=? ORDER BY first_seq DESC LIMIT 1",
                            &st, e)) != 0)
        return rc;
    sqlite3_bind_int64(st, 1, sid);
    rc = sqlite3_step(st);
    if (rc == SQLITE_ROW && sqlite3_column_int(st, 1) < CACHE_PAGE_EVENTS &&
        sqlite3_column_int64(st, 3) < CACHE_PAGE_RAW_MAX) {
        struct page pg = { 0 };

        rc = page_decode_row(st, NULL, &pg, e);
        if (rc == 0) {
            *stored_old = sqlite3_column_bytes(st, 4);
            b->first_seq = pg.first_seq;
            for (i = 0; i < pg.n && rc == 0; i++)
                rc = builder_add(b, pg.ts[i], pg.text + pg.off[i], pg.len[i]) == 0
                     ? 0 : err_set(e, ERR_NOMEM, "out of memory");
            page_clean(&pg);
        }
    } else if (rc == SQLITE_ROW || rc == SQLITE_DONE) {
        rc = 0;
    } else {
        rc = cache_fail(c, e, "reading a log page");
    }
    sqlite3_finalize(st);
    return rc;
}

/* The one append path. expect NULL: append unconditionally; else only when the stored cursor
 * is still expect's (*applied says which). */
static int stream_append(struct cache *c, int64_t stream_id, const struct cache_cursor *expect,
                         const struct cache_event *ev, size_t n, const char *next_token,
                         bool *applied, struct err *e)
{
    struct builder *b = calloc(1, sizeof(*b));
    struct cache_stream s;
    int64_t stored = 0, stored_old = 0, raw = 0, last_ts;
    sqlite3_stmt *st;
    size_t i;
    int rc;

    if (applied != NULL)
        *applied = false;
    if (b == NULL)
        return err_set(e, ERR_NOMEM, "out of memory storing log events");
    if ((rc = cache_sp_begin(c, e)) != 0) {
        free(b);
        return rc;
    }
    if ((rc = cache_stream_get(c, stream_id, &s, e)) != 0)
        goto out;
    /* Read under the write lock (the caller's BEGIN IMMEDIATE, or our savepoint's): another
     * writer (a second sync of the same job, another process) that stored this page first
     * has moved the cursor, and storing the page again would double it. */
    if (expect != NULL && (s.n_events != expect->n_events ||
                           strcmp(s.token, expect->token != NULL ? expect->token : "") != 0))
        goto out;
    last_ts = s.last_ts_ms;
    b->first_seq = s.n_events;
    if (n > 0 && (rc = load_open_page(c, stream_id, b, &stored_old, e)) != 0)
        goto out;
    for (i = 0; i < n; i++) {
        size_t len = ev[i].len > CACHE_LINE_MAX ? CACHE_LINE_MAX : ev[i].len;
        /* The ordering time never goes backwards within a stream (see logstore.h). */
        int64_t ts = ev[i].ts_ms < last_ts ? last_ts : ev[i].ts_ms;

        if (builder_full(b) && (rc = builder_flush(c, stream_id, b, &stored, e)) != 0)
            goto out;
        if (builder_add(b, ts, ev[i].msg, len) != 0) {
            rc = err_set(e, ERR_NOMEM, "out of memory storing log events");
            goto out;
        }
        last_ts = ts;
        raw += (int64_t)len;
    }
    if ((rc = builder_flush(c, stream_id, b, &stored, e)) != 0)
        goto out;
    if ((rc = cache_prepare(c, "UPDATE log_streams SET n_events=n_events+?, last_ts=?,"
                            " raw_bytes=raw_bytes+?, stored_bytes=stored_bytes+?,"
                            " token=coalesce(?, token),"
                            " synced_at=(julianday('now')-2440587.5)*86400.0 WHERE id=?",
                            &st, e)) != 0)
        goto out;
    sqlite3_bind_int64(st, 1, (int64_t)n);
    sqlite3_bind_int64(st, 2, last_ts);
    sqlite3_bind_int64(st, 3, raw);
    sqlite3_bind_int64(st, 4, stored - stored_old);
    if (next_token != NULL)
        sqlite3_bind_text(st, 5, next_token, -1, SQLITE_STATIC);
    sqlite3_bind_int64(st, 6, stream_id);
    rc = sqlite3_step(st) == SQLITE_DONE ? 0 : cache_fail(c, e, "saving a stream cursor");
    sqlite3_finalize(st);
    if (rc == 0 && applied != NULL)
        *applied = true;
out:
    builder_clean(b);
    free(b);
    return cache_sp_end(c, rc, e);
}

int cache_stream_append(struct cache *c, int64_t stream_id, const struct cache_event *ev,
                        size_t n, const char *next_token, struct err *e)
{
    return stream_append(c, stream_id, NULL, ev, n, next_token, NULL, e);
}

int cache_stream_append_at(struct cache *c, int64_t stream_id, const struct cache_cursor *expect,
                           const struct cache_event *ev, size_t n, const char *next_token,
                           bool *applied, struct err *e)
{
    return stream_append(c, stream_id, expect, ev, n, next_token, applied, e);
}

/* ---- whole-stream scans ------------------------------------------------------------------ */

#define SCAN_SQL PAGE_COLS "WHERE stream_id=? AND first_seq+n_events>? ORDER BY first_seq"

/* Calls fn for the page's events from first_seq on; fn's first non-zero value stops it. */
static int page_emit(const struct page *pg, int64_t first_seq, cache_event_fn fn, void *ctx)
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
    ZSTD_DCtx *dctx = ZSTD_createDCtx();     /* NULL is fine: page_decode makes its own */
    struct page pg = { 0 };
    sqlite3_stmt *st;
    int rc, s;

    if ((rc = cache_prepare(c, SCAN_SQL, &st, e)) != 0) {
        ZSTD_freeDCtx(dctx);
        return rc;
    }
    sqlite3_bind_int64(st, 1, stream_id);
    sqlite3_bind_int64(st, 2, first_seq);
    while (rc == 0 && (s = sqlite3_step(st)) == SQLITE_ROW) {
        if ((rc = page_decode_row(st, dctx, &pg, e)) != 0)
            break;
        rc = page_emit(&pg, first_seq, fn, ctx);
    }
    if (rc == 0 && s != SQLITE_DONE)
        rc = cache_fail(c, e, "reading log pages");
    page_clean(&pg);
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
    struct page ring[SCAN_AHEAD_PAGES];
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
        struct page *slot;

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
        if ((rc = page_decode_row(a->st, a->dctx, slot, &err)) != 0)
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
        page_clean(&a->ring[i]);
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
        const struct page *slot;

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

/* ---- merged reading --------------------------------------------------------------------- */

/* One stream's read position: the decoded page and the index of the current event. */
struct scur {
    int64_t sid;
    size_t instance_off;     /* into the batch arena */
    struct page pg;
    int idx;                 /* current event in pg; valid when !eof */
    bool eof;
};

struct reader {
    struct cache *c;
    struct scur *s;
    size_t n;
    bool backward;
    sqlite3_stmt *seek_fwd_seq, *seek_fwd_ts_gt, *seek_fwd_ts_ge;
    sqlite3_stmt *seek_bwd_seq, *seek_bwd_ts_le, *seek_bwd_ts_lt;
    sqlite3_stmt *next_page, *prev_page;
    ZSTD_DCtx *dctx;
};

static int pos_cmp(int64_t ts, int64_t sid, int64_t seq, const struct cache_log_pos *p)
{
    if (ts != p->ts_ms)
        return ts < p->ts_ms ? -1 : 1;
    if (sid != p->stream)
        return sid < p->stream ? -1 : 1;
    if (seq != p->seq)
        return seq < p->seq ? -1 : 1;
    return 0;
}

/* Runs a page query (?1 = stream, ?2 = value) and decodes its row into cur->pg. */
static int fetch_page(struct reader *r, sqlite3_stmt *st, struct scur *cur, int64_t value,
                      struct err *e)
{
    int rc, s;

    page_clean(&cur->pg);
    sqlite3_reset(st);
    sqlite3_bind_int64(st, 1, cur->sid);
    sqlite3_bind_int64(st, 2, value);
    s = sqlite3_step(st);
    if (s == SQLITE_DONE) {
        cur->eof = true;
        rc = 0;
    } else if (s == SQLITE_ROW) {
        if (r->dctx == NULL)
            r->dctx = ZSTD_createDCtx();     /* NULL is fine: page_decode makes its own */
        rc = page_decode_row(st, r->dctx, &cur->pg, e);
        if (rc == 0 && cur->pg.n == 0)
            cur->eof = true;
    } else {
        rc = cache_fail(r->c, e, "reading log pages");
    }
    sqlite3_reset(st);
    return rc;
}

/* Places cur on its first event strictly after (forward) / before (backward) pos. */
static int cur_seek(struct reader *r, struct scur *cur, const struct cache_log_pos *pos,
                    struct err *e)
{
    int rc;

    cur->eof = false;
    if (!r->backward) {
        if (cur->sid == pos->stream)
            rc = fetch_page(r, r->seek_fwd_seq, cur, pos->seq + 1, e);
        else if (cur->sid < pos->stream)
            rc = fetch_page(r, r->seek_fwd_ts_gt, cur, pos->ts_ms, e);
        else
            rc = fetch_page(r, r->seek_fwd_ts_ge, cur, pos->ts_ms, e);
        if (rc != 0 || cur->eof)
            return rc;
        for (cur->idx = 0; cur->idx < cur->pg.n; cur->idx++)
            if (pos_cmp(cur->pg.ts[cur->idx], cur->sid, cur->pg.first_seq + cur->idx, pos) > 0)
                return 0;
        /* the whole page was at or before pos: take the next one */
        rc = fetch_page(r, r->next_page, cur, cur->pg.first_seq, e);
        cur->idx = 0;
        return rc;
    }
    if (cur->sid == pos->stream)
        rc = pos->seq <= 0 ? (cur->eof = true, 0)
                           : fetch_page(r, r->seek_bwd_seq, cur, pos->seq - 1, e);
    else if (cur->sid < pos->stream)
        rc = fetch_page(r, r->seek_bwd_ts_le, cur, pos->ts_ms, e);
    else
        rc = fetch_page(r, r->seek_bwd_ts_lt, cur, pos->ts_ms, e);
    if (rc != 0 || cur->eof)
        return rc;
    for (cur->idx = cur->pg.n - 1; cur->idx >= 0; cur->idx--)
        if (pos_cmp(cur->pg.ts[cur->idx], cur->sid, cur->pg.first_seq + cur->idx, pos) < 0)
            return 0;
    rc = fetch_page(r, r->prev_page, cur, cur->pg.first_seq, e);
    cur->idx = cur->pg.n - 1;
    return rc;
}

static int cur_advance(struct reader *r, struct scur *cur, struct err *e)
{
    int rc;

    if (!r->backward) {
        if (++cur->idx < cur->pg.n)
            return 0;
        rc = fetch_page(r, r->next_page, cur, cur->pg.first_seq, e);
        cur->idx = 0;
        return rc;
    }
    if (--cur->idx >= 0)
        return 0;
    rc = fetch_page(r, r->prev_page, cur, cur->pg.first_seq, e);
    cur->idx = cur->pg.n - 1;
    return rc;
}

/* The stream whose current event comes next in the reading direction, or NULL. */
static struct scur *reader_pick(struct reader *r)
{
    struct scur *best = NULL;
    size_t i;

    for (i = 0; i < r->n; i++) {
        struct scur *s = &r->s[i];
        struct cache_log_pos bp;
        int cmp;

        if (s->eof)
            continue;
        if (best == NULL) {
            best = s;
            continue;
        }
        bp.ts_ms = best->pg.ts[best->idx];
        bp.stream = best->sid;
        bp.seq = best->pg.first_seq + best->idx;
        cmp = pos_cmp(s->pg.ts[s->idx], s->sid, s->pg.first_seq + s->idx, &bp);
        if ((!r->backward && cmp < 0) || (r->backward && cmp > 0))
            best = s;
    }
    return best;
}

static void reader_clean(struct reader *r)
{
    size_t i;

    for (i = 0; i < r->n; i++)
        page_clean(&r->s[i].pg);
    free(r->s);
    sqlite3_finalize(r->seek_fwd_seq);
    sqlite3_finalize(r->seek_fwd_ts_gt);
    sqlite3_finalize(r->seek_fwd_ts_ge);
    sqlite3_finalize(r->seek_bwd_seq);
    sqlite3_finalize(r->seek_bwd_ts_le);
    sqlite3_finalize(r->seek_bwd_ts_lt);
    sqlite3_finalize(r->next_page);
    sqlite3_finalize(r->prev_page);
    ZSTD_freeDCtx(r->dctx);
}

static int arena_put(struct cache_log_batch *b, const char *s, size_t len, size_t *off)
{
    if (b->arena_len_ + len + 1 > b->arena_cap_) {
        size_t nc = b->arena_cap_ ? b->arena_cap_ : 16 * 1024;
        char *na;

        while (nc < b->arena_len_ + len + 1)
            nc *= 2;
        na = realloc(b->arena_, nc);
        if (na == NULL)
            return ERR_NOMEM;
        b->arena_ = na;
        b->arena_cap_ = nc;
    }
    memcpy(b->arena_ + b->arena_len_, s, len);
    b->arena_[b->arena_len_ + len] = '\0';
    *off = b->arena_len_;
    b->arena_len_ += len + 1;
    return 0;
}

/* Sets up one cursor per stream of the job (one instance when filtered), seeked to pos. */
static int reader_open(struct cache *c, const char *job, const struct cache_log_pos *pos,
                       bool backward, const struct cache_log_filter *f,
                       struct cache_log_batch *b, struct reader *r, struct err *e)
{
    struct cache_stream_list l = { NULL, 0 };
    size_t i;
    int rc;

    memset(r, 0, sizeof(*r));
    r->c = c;
    r->backward = backward;
    if ((rc = cache_streams(c, job, &l, e)) != 0)
        return rc;
    r->s = calloc(l.n ? l.n : 1, sizeof(*r->s));
    if (r->s == NULL) {
        cache_stream_list_clean(&l);
        return err_set(e, ERR_NOMEM, "out of memory");
    }
    for (i = 0; i < l.n; i++) {
        if (f != NULL && f->instance != NULL && f->instance[0] != '\0' &&
            strcmp(f->instance, l.items[i].instance) != 0)
            continue;
        r->s[r->n].sid = l.items[i].id;
        if (arena_put(b, l.items[i].instance, strlen(l.items[i].instance),
                      &r->s[r->n].instance_off) != 0) {
            cache_stream_list_clean(&l);
            return err_set(e, ERR_NOMEM, "out of memory");
        }
        r->n++;
    }
    cache_stream_list_clean(&l);
    if ((rc = cache_prepare(c, PAGE_COLS "WHERE stream_id=?1 AND first_seq<=?2 ORDER BY"
                            " first_seq DESC LIMIT 1", &r->seek_fwd_seq, e)) != 0 ||
        (rc = cache_prepare(c, PAGE_COLS "WHERE stream_id=?1 AND last_ts>?2 ORDER BY"
                            " last_ts, first_seq LIMIT 1", &r->seek_fwd_ts_gt, e)) != 0 ||
        (rc = cache_prepare(c, PAGE_COLS "WHERE stream_id=?1 AND last_ts>=?2 ORDER BY"
                            " last_ts, first_seq LIMIT 1", &r->seek_fwd_ts_ge, e)) != 0 ||
        (rc = cache_prepare(c, PAGE_COLS "WHERE stream_id=?1 AND first_seq<=?2 ORDER BY"
                            " first_seq DESC LIMIT 1", &r->seek_bwd_seq, e)) != 0 ||
        (rc = cache_prepare(c, PAGE_COLS "WHERE stream_id=?1 AND first_ts<=?2 ORDER BY"
                            " first_ts DESC, first_seq DESC LIMIT 1", &r->seek_bwd_ts_le, e))
        != 0 ||
        (rc = cache_prepare(c, PAGE_COLS "WHERE stream_id=?1 AND first_ts<?2 ORDER BY"
                            " first_ts DESC, first_seq DESC LIMIT 1", &r->seek_bwd_ts_lt, e))
        != 0 ||
        (rc = cache_prepare(c, PAGE_COLS "WHERE stream_id=?1 AND first_seq>?2 ORDER BY"
                            " first_seq LIMIT 1", &r->next_page, e)) != 0 ||
        (rc = cache_prepare(c, PAGE_COLS "WHERE stream_id=?1 AND first_seq<?2 ORDER BY"
                            " first_seq DESC LIMIT 1", &r->prev_page, e)) != 0)
        return rc;
    for (i = 0; i < r->n; i++)
        if ((rc = cur_seek(r, &r->s[i], pos, e)) != 0)
            return rc;
    return 0;
}

void cache_log_batch_clean(struct cache_log_batch *b)
{
    if (b == NULL)
        return;
    free(b->lines);
    free(b->arena_);
    memset(b, 0, sizeof(*b));
}

/* Walks the merged log from pos in one direction, keeping lines that match (code may be NULL)
 * until max are kept. */
static int walk(struct cache *c, const char *job, const struct cache_log_pos *pos_in,
                bool backward, size_t max, const struct cache_log_filter *f, pcre2_code *code,
                struct cache_log_batch *out, struct err *e)
{
    struct cache_log_batch b;
    struct cache_log_pos pos;
    struct reader r;
    pcre2_match_data *md = NULL;
    size_t cap = 0, i;
    int64_t since = f != NULL ? f->since_ms : 0, until = f != NULL ? f->until_ms : 0;
    int rc;

    memset(&b, 0, sizeof(b));
    if (!backward) {
        if (pos_in != NULL)
            pos = *pos_in;
        else
            pos = (struct cache_log_pos){ INT64_MIN, 0, 0 };
        if (since > 0 && pos.ts_ms < since)
            pos = (struct cache_log_pos){ since, 0, 0 };
    } else {
        if (pos_in != NULL)
            pos = *pos_in;
        else
            pos = (struct cache_log_pos){ INT64_MAX, INT64_MAX, 0 };
        if (until > 0 && pos.ts_ms >= until)
            pos = (struct cache_log_pos){ until, 0, 0 };
    }
    if (code != NULL && (md = pcre2_match_data_create_from_pattern(code, NULL)) == NULL)
        return err_set(e, ERR_NOMEM, "out of memory");
    rc = reader_open(c, job, &pos, backward, f, &b, &r, e);
    while (rc == 0 && b.n < max) {
        struct scur *s = reader_pick(&r);
        struct cache_log_line *ln;
        const char *text;
        size_t len, off, mstart = 0, mlen = 0;
        int64_t ts;

        if (s == NULL) {
            b.at_end = true;
            break;
        }
        ts = s->pg.ts[s->idx];
        if ((!backward && until > 0 && ts >= until) || (backward && since > 0 && ts < since)) {
            b.at_end = true;
            break;
        }
        text = s->pg.text + s->pg.off[s->idx];
        len = s->pg.len[s->idx];
        if (code != NULL) {
            int m = pcre2_match(code, (PCRE2_SPTR)text, len, 0, 0, md, NULL);

            if (m < 0) {
                rc = cur_advance(&r, s, e);
                continue;
            }
            mstart = pcre2_get_ovector_pointer(md)[0];
            mlen = pcre2_get_ovector_pointer(md)[1] - mstart;
        }
        if (b.n == cap) {
            size_t nc = cap ? cap * 2 : (max < 256 ? max : 256);
            struct cache_log_line *nl = realloc(b.lines, nc * sizeof(*nl));

            if (nl == NULL) {
                rc = err_set(e, ERR_NOMEM, "out of memory");
                break;
            }
            b.lines = nl;
            cap = nc;
        }
        if (arena_put(&b, text, len, &off) != 0) {
            rc = err_set(e, ERR_NOMEM, "out of memory");
            break;
        }
        ln = &b.lines[b.n++];
        ln->pos.ts_ms = ts;
        ln->pos.stream = s->sid;
        ln->pos.seq = s->pg.first_seq + s->idx;
        /* pointers are fixed up once the arena stops moving */
        ln->instance = (const char *)(uintptr_t)s->instance_off;
        ln->text = (const char *)(uintptr_t)off;
        ln->len = len;
        ln->match_start = mstart;
        ln->match_len = mlen;
        rc = cur_advance(&r, s, e);
    }
    if (rc == 0 && !b.at_end && b.n == max && reader_pick(&r) == NULL)
        b.at_end = true;
    reader_clean(&r);
    pcre2_match_data_free(md);
    if (rc != 0) {
        cache_log_batch_clean(&b);
        return rc;
    }
    for (i = 0; i < b.n; i++) {
        b.lines[i].instance = b.arena_ + (uintptr_t)b.lines[i].instance;
        b.lines[i].text = b.arena_ + (uintptr_t)b.lines[i].text;
    }
    if (backward) {
        for (i = 0; i < b.n / 2; i++) {
            struct cache_log_line t = b.lines[i];

            b.lines[i] = b.lines[b.n - 1 - i];
            b.lines[b.n - 1 - i] = t;
        }
    }
    cache_log_batch_clean(out);
    *out = b;
    return 0;
}

int cache_logs_after(struct cache *c, const char *job, const struct cache_log_pos *pos,
                     size_t n, const struct cache_log_filter *f, struct cache_log_batch *out,
                     struct err *e)
{
    return walk(c, job, pos, false, n, f, NULL, out, e);
}

int cache_logs_before(struct cache *c, const char *job, const struct cache_log_pos *pos,
                      size_t n, const struct cache_log_filter *f, struct cache_log_batch *out,
                      struct err *e)
{
    return walk(c, job, pos, true, n, f, NULL, out, e);
}

int cache_logs_search(struct cache *c, const char *job, const char *regex, bool backward,
                      const struct cache_log_pos *pos, size_t max,
                      const struct cache_log_filter *f, struct cache_log_batch *out,
                      struct err *e)
{
    pcre2_code *code;
    int rc;

    if ((rc = cache_regex_compile(regex, &code, e)) != 0)
        return rc;
    rc = walk(c, job, pos, backward, max, f, code, out, e);
    pcre2_code_free(code);
    return rc;
}

int cache_logs_info(struct cache *c, const char *job, struct cache_log_info *out, struct err *e)
{
    sqlite3_stmt *st;
    int rc;

    if ((rc = cache_prepare(c, "SELECT coalesce(sum(s.n_events),0), coalesce(sum(s.raw_bytes),0),"
                            " coalesce(sum(s.stored_bytes),0), count(s.id),"
                            " (SELECT min(p.first_ts) FROM log_pages p JOIN log_streams s2 ON"
                            "  s2.id=p.stream_id WHERE s2.job_id=j.id),"
                            " coalesce(max(s.last_ts),0)"
                            " FROM jobs j LEFT JOIN log_streams s ON s.job_id=j.id"
                            " WHERE j.scope_id=? AND j.name=? GROUP BY j.id", &st, e)) != 0)
        return rc;
    sqlite3_bind_int64(st, 1, c->scope_id);
    sqlite3_bind_text(st, 2, job, -1, SQLITE_STATIC);
    rc = sqlite3_step(st);
    if (rc == SQLITE_ROW) {
        memset(out, 0, sizeof(*out));
        out->lines = sqlite3_column_int64(st, 0);
        out->raw_bytes = sqlite3_column_int64(st, 1);
        out->stored_bytes = sqlite3_column_int64(st, 2);
        out->streams = (size_t)sqlite3_column_int64(st, 3);
        out->first_ts_ms = sqlite3_column_int64(st, 4);
        out->last_ts_ms = sqlite3_column_int64(st, 5);
        rc = 0;
    } else if (rc == SQLITE_DONE) {
        rc = err_set(e, ERR_NOTFOUND, "no job %s in the cache", job);
    } else {
        rc = cache_fail(c, e, "reading log totals");
    }
    sqlite3_finalize(st);
    return rc;
}

int cache_logs_instances(struct cache *c, const char *job, struct cache_kv_list *out,
                         struct err *e)
{
    struct cache_kv_list l = { NULL, 0 };
    size_t cap = 0;
    sqlite3_stmt *st;
    int rc, s;

    if ((rc = cache_prepare(c, "SELECT DISTINCT s.instance FROM log_streams s JOIN jobs j ON"
                            " j.id=s.job_id WHERE j.scope_id=? AND j.name=? ORDER BY"
                            " length(s.instance), s.instance", &st, e)) != 0)
        return rc;
    sqlite3_bind_int64(st, 1, c->scope_id);
    sqlite3_bind_text(st, 2, job, -1, SQLITE_STATIC);
    while ((s = sqlite3_step(st)) == SQLITE_ROW) {
        if (l.n == cap) {
            size_t nc = cap ? cap * 2 : 8;
            struct cache_kv *ni = realloc(l.items, nc * sizeof(*ni));

            if (ni == NULL) {
                rc = err_set(e, ERR_NOMEM, "out of memory");
                break;
            }
            l.items = ni;
            cap = nc;
        }
        l.items[l.n].key = cache_col_strdup(st, 0);
        l.items[l.n].value = NULL;
        l.n++;
    }
    if (rc == 0 && s != SQLITE_DONE)
        rc = cache_fail(c, e, "listing instances");
    sqlite3_finalize(st);
    if (rc != 0) {
        cache_kv_list_clean(&l);
        return rc;
    }
    *out = l;
    return 0;
}

int cache_stream_set_extract_state(struct cache *c, int64_t stream_id, const void *state,
                                   size_t size, struct err *e)
{
    sqlite3_stmt *st;
    int rc;

    if ((rc = cache_sp_begin(c, e)) != 0)
        return rc;
    if ((rc = cache_prepare(c, "UPDATE log_streams SET extract_state=? WHERE id=?", &st, e))
        == 0) {
        sqlite3_bind_blob(st, 1, state, (int)size, SQLITE_STATIC);
        sqlite3_bind_int64(st, 2, stream_id);
        rc = sqlite3_step(st) == SQLITE_DONE ? 0 : cache_fail(c, e, "saving extractor state");
        sqlite3_finalize(st);
    }
    return cache_sp_end(c, rc, e);
}

int cache_stream_get_extract_state(struct cache *c, int64_t stream_id, void *state, size_t size,
                                   struct err *e)
{
    sqlite3_stmt *st;
    int rc;

    if ((rc = cache_prepare(c, "SELECT extract_state FROM log_streams WHERE id=?", &st, e)) != 0)
        return rc;
    sqlite3_bind_int64(st, 1, stream_id);
    rc = sqlite3_step(st);
    if (rc == SQLITE_ROW && sqlite3_column_type(st, 0) == SQLITE_BLOB &&
        (size_t)sqlite3_column_bytes(st, 0) == size) {
        memcpy(state, sqlite3_column_blob(st, 0), size);
        rc = 0;
    } else if (rc == SQLITE_ROW || rc == SQLITE_DONE) {
        rc = err_set(e, ERR_NOTFOUND, "no extractor state for stream %lld",
                     (long long)stream_id);
    } else {
        rc = cache_fail(c, e, "reading extractor state");
    }
    sqlite3_finalize(st);
    return rc;
}
