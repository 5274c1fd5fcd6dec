/* test_logpages.c: the log page codec and whole-stream scans (cache/logstore.c): new pages are
 * zstd frames and round-trip, pages an older build wrote with zlib still read back exactly
 * (and an open one is rewritten as zstd on the next append), a damaged page of either codec
 * is an error and never a crash, and cache_stream_scan_ahead() delivers exactly what
 * cache_stream_scan() does, stops when the callback says so, and runs beside writes in the
 * caller's own transaction. The codec itself (cache/logpage.c) is tested on its own, with no
 * SQLite: suite logpage_codec. */
#include <criterion/criterion.h>
#include <dirent.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <zlib.h>

#include "cache/cache.h"
#include "cache/logpage.h"
#include "cache/logstore.h"
#include "support/tmp_cache.h"

static void setup(void)
{
    cr_assert_eq(tmp_cache_make("logpages", "cache.db"), 0);
}

static void teardown(void)
{
    cr_assert_eq(tmp_cache_remove(), 0);
}

TestSuite(logpages, .init = setup, .fini = teardown);

static struct cache *open_rw(void)
{
    struct err e = { 0 };
    struct cache *c = tmp_cache_open(&e);

    cr_assert_not_null(c, "%s", e.msg);
    return c;
}

/* A job "job-a" with one stream; returns the stream's id. */
static int64_t job_with_stream(struct cache *c)
{
    static const char doc[] =
        "{\"TrainingJobName\":\"job-a\",\"TrainingJobArn\":\"arn:aws:sagemaker:us-east-1:1:"
        "training-job/job-a\",\"TrainingJobStatus\":\"Completed\",\"SecondaryStatus\":"
        "\"Completed\",\"CreationTime\":1000,\"LastModifiedTime\":1100}";
    struct err e = { 0 };
    int64_t sid = 0;

    cr_assert_eq(cache_job_store_describe(c, doc, strlen(doc), &e), 0, "%s", e.msg);
    cr_assert_eq(cache_stream_ensure(c, "job-a", "job-a/algo-1-1700000000", &sid, &e), 0, "%s",
                 e.msg);
    return sid;
}

/* Event i's text: "line <i>", padded now and then so pages vary in size. */
static size_t line_text(int i, char *buf, size_t size)
{
    int pad = i % 97 == 0 ? 900 : i % 5;

    return (size_t)snprintf(buf, size, "line %d %.*s", i, pad,
                            "abcdefghijklmnopqrstuvwxyz0123456789abcdefghijklmnopqrstuvwxyz01234"
                            "56789abcdefghijklmnopqrstuvwxyz0123456789abcdefghijklmnopqrstuvwxyz"
                            "0123456789abcdefghijklmnopqrstuvwxyz0123456789abcdefghijklmnopqrst"
                            "uvwxyz0123456789abcdefghijklmnopqrstuvwxyz0123456789abcdefghijklmn"
                            "opqrstuvwxyz0123456789abcdefghijklmnopqrstuvwxyz0123456789abcdefgh"
                            "ijklmnopqrstuvwxyz0123456789abcdefghijklmnopqrstuvwxyz0123456789ab"
                            "cdefghijklmnopqrstuvwxyz0123456789abcdefghijklmnopqrstuvwxyz012345"
                            "6789abcdefghijklmnopqrstuvwxyz0123456789abcdefghijklmnopqrstuvwxyz"
                            "0123456789abcdefghijklmnopqrstuvwxyz0123456789abcdefghijklmnopqrst"
                            "uvwxyz0123456789abcdefghijklmnopqrstuvwxyz0123456789abcdefghijklmn"
                            "opqrstuvwxyz0123456789abcdefghijklmnopqrstuvwxyz0123456789abcdefgh"
                            "ijklmnopqrstuvwxyz0123456789abcdefghijklmnopqrstuvwxyz0123456789ab"
                            "cdefghijklmnopqrstuvwxyz0123456789abcdefghijklmnopqrstuvwxyz012345"
                            "6789abcdefghijklmnopqrstuvwxyz0123456789abcdefghijklmnopqrstuvwxyz");
}

static int64_t line_ts(int i)
{
    return 1700000000000LL + (int64_t)i * 7 + (i % 3 == 0 ? 0 : 1);
}

/* Appends events [from, from + count), batch at a time, through the normal write path. */
static void append_lines(struct cache *c, int64_t sid, int from, int count, int batch)
{
    struct cache_event *ev = calloc((size_t)batch, sizeof(*ev));
    char (*buf)[1024] = calloc((size_t)batch, sizeof(*buf));
    struct err e = { 0 };
    int i = from;

    cr_assert(ev != NULL && buf != NULL);
    while (i < from + count) {
        int k = 0;

        for (; k < batch && i < from + count; k++, i++) {
            ev[k].len = line_text(i, buf[k], sizeof(buf[k]));
            ev[k].msg = buf[k];
            ev[k].ts_ms = line_ts(i);
        }
        cr_assert_eq(cache_stream_append(c, sid, ev, (size_t)k, NULL, &e), 0, "%s", e.msg);
    }
    free(ev);
    free(buf);
}

/* What a scan saw: each event is checked against line_text/line_ts as it arrives. */
struct seen {
    int64_t next_seq;      /* the seq the next event must have */
    int64_t n;
    int64_t stop_at;       /* return stop_rc at this seq; -1 never */
    int stop_rc;
    bool bad;
    char why[128];
};

static int check_event(void *ctx, int64_t seq, int64_t ts_ms, const char *msg, size_t len)
{
    struct seen *s = ctx;
    char want[1024];
    size_t want_len = line_text((int)seq, want, sizeof(want));

    if (!s->bad && (seq != s->next_seq || ts_ms != line_ts((int)seq) || len != want_len ||
                    memcmp(msg, want, len) != 0)) {
        s->bad = true;
        snprintf(s->why, sizeof(s->why), "seq %lld (want %lld): \"%.*s\"", (long long)seq,
                 (long long)s->next_seq, (int)(len < 40 ? len : 40), msg);
    }
    s->next_seq = seq + 1;
    s->n++;
    return seq == s->stop_at ? s->stop_rc : 0;
}

static struct seen scan(struct cache *c, int64_t sid, int64_t first_seq, bool ahead, int want_rc,
                        struct err *e)
{
    struct seen s = { first_seq, 0, -1, 0, false, "" };
    int rc = ahead ? cache_stream_scan_ahead(c, sid, first_seq, check_event, &s, e)
                   : cache_stream_scan(c, sid, first_seq, check_event, &s, e);

    cr_assert_eq(rc, want_rc, "%s scan from %lld: rc %d (%s)", ahead ? "ahead" : "plain",
                 (long long)first_seq, rc, e->msg);
    cr_assert_not(s.bad, "%s", s.why);
    return s;
}

static sqlite3 *raw_db(void)
{
    sqlite3 *db;

    cr_assert_eq(sqlite3_open(tmp_cache.path, &db), SQLITE_OK);
    sqlite3_busy_timeout(db, 5000);
    return db;
}

/* The codec of each page of a stream in first_seq order: 's' zstd frame, 'z' zlib stream. */
static void page_codecs(int64_t sid, char *out, size_t size)
{
    sqlite3 *db = raw_db();
    sqlite3_stmt *st;
    size_t n = 0;

    cr_assert_eq(sqlite3_prepare_v2(db, "SELECT data FROM log_pages WHERE stream_id=? ORDER BY"
                                    " first_seq", -1, &st, NULL), SQLITE_OK);
    sqlite3_bind_int64(st, 1, sid);
    while (sqlite3_step(st) == SQLITE_ROW && n + 1 < size) {
        const unsigned char *b = sqlite3_column_blob(st, 0);
        int len = sqlite3_column_bytes(st, 0);

        if (len >= 4 && memcmp(b, "\x28\xb5\x2f\xfd", 4) == 0)
            out[n++] = 's';
        else if (len >= 2 && (b[0] & 0x0f) == 8 && ((b[0] << 8) | b[1]) % 31 == 0)
            out[n++] = 'z';
        else
            out[n++] = '?';
    }
    out[n] = '\0';
    sqlite3_finalize(st);
    sqlite3_close(db);
}

/* Stores events [from, from + count) as one page the way builds before zstd did: the raw
 * layout (varint n, n x (varint ts delta, varint length), the texts) through compress2 at
 * level 6, inserted with SQL, and the stream's counters moved on as stream_append does. */
static void store_zlib_page(int64_t sid, int from, int count)
{
    unsigned char *raw = malloc((size_t)count * 1044 + 16), *z;
    size_t raw_len = cache_put_varint(raw, (uint64_t)count), text_len = 0;
    char *text = malloc((size_t)count * 1024);
    uLongf zlen;
    sqlite3 *db = raw_db();
    sqlite3_stmt *st;
    int i;

    cr_assert(raw != NULL && text != NULL);
    for (i = from; i < from + count; i++) {
        size_t len = line_text(i, text + text_len, 1024);
        int64_t prev_ts = line_ts(i > from ? i - 1 : from);

        raw_len += cache_put_varint(raw + raw_len, (uint64_t)(line_ts(i) - prev_ts));
        raw_len += cache_put_varint(raw + raw_len, len);
        text_len += len;
    }
    memcpy(raw + raw_len, text, text_len);
    raw_len += text_len;
    zlen = compressBound((uLong)raw_len);
    z = malloc(zlen);
    cr_assert_not_null(z);
    cr_assert_eq(compress2(z, &zlen, raw, (uLong)raw_len, 6), Z_OK);
    cr_assert_eq(sqlite3_exec(db, "BEGIN IMMEDIATE", NULL, NULL, NULL), SQLITE_OK);
    cr_assert_eq(sqlite3_prepare_v2(db, "INSERT INTO log_pages(stream_id, first_seq, n_events,"
                                    " first_ts, last_ts, raw_bytes, data)"
                                    " VALUES(?,?,?,?,?,?,?)", -1, &st, NULL), SQLITE_OK);
    sqlite3_bind_int64(st, 1, sid);
    sqlite3_bind_int64(st, 2, from);
    sqlite3_bind_int(st, 3, count);
    sqlite3_bind_int64(st, 4, line_ts(from));
    sqlite3_bind_int64(st, 5, line_ts(from + count - 1));
    sqlite3_bind_int64(st, 6, (int64_t)raw_len);
    sqlite3_bind_blob(st, 7, z, (int)zlen, SQLITE_STATIC);
    cr_assert_eq(sqlite3_step(st), SQLITE_DONE, "%s", sqlite3_errmsg(db));
    sqlite3_finalize(st);
    cr_assert_eq(sqlite3_prepare_v2(db, "UPDATE log_streams SET n_events=n_events+?, last_ts=?,"
                                    " raw_bytes=raw_bytes+?, stored_bytes=stored_bytes+?"
                                    " WHERE id=?", -1, &st, NULL), SQLITE_OK);
    sqlite3_bind_int(st, 1, count);
    sqlite3_bind_int64(st, 2, line_ts(from + count - 1));
    sqlite3_bind_int64(st, 3, (int64_t)text_len);
    sqlite3_bind_int64(st, 4, (int64_t)zlen);
    sqlite3_bind_int64(st, 5, sid);
    cr_assert_eq(sqlite3_step(st), SQLITE_DONE, "%s", sqlite3_errmsg(db));
    sqlite3_finalize(st);
    cr_assert_eq(sqlite3_exec(db, "COMMIT", NULL, NULL, NULL), SQLITE_OK);
    sqlite3_close(db);
    free(z);
    free(text);
    free(raw);
}

/* Runs sql (with ?1 = sid) on the file through a connection of its own. */
static void damage(int64_t sid, const char *sql)
{
    sqlite3 *db = raw_db();
    sqlite3_stmt *st;

    cr_assert_eq(sqlite3_prepare_v2(db, sql, -1, &st, NULL), SQLITE_OK, "%s", sqlite3_errmsg(db));
    sqlite3_bind_int64(st, 1, sid);
    cr_assert_eq(sqlite3_step(st), SQLITE_DONE, "%s", sqlite3_errmsg(db));
    cr_assert_eq(sqlite3_changes(db), 1);
    sqlite3_finalize(st);
    sqlite3_close(db);
}

/* Every line through the merged reader, checked like a scan. */
static void check_merged(struct cache *c, int n)
{
    struct cache_log_batch b = { 0 };
    struct err e = { 0 };
    int i;

    cr_assert_eq(cache_logs_after(c, "job-a", NULL, (size_t)n + 10, NULL, &b, &e), 0, "%s",
                 e.msg);
    cr_assert_eq(b.n, (size_t)n);
    for (i = 0; i < n; i++) {
        char want[1024];
        size_t len = line_text(i, want, sizeof(want));

        cr_assert_eq(b.lines[i].pos.seq, i);
        cr_assert_eq(b.lines[i].len, len, "line %d", i);
        cr_assert(memcmp(b.lines[i].text, want, len) == 0, "line %d", i);
    }
    cache_log_batch_clean(&b);
}

Test(logpages, new_pages_are_zstd_frames_and_round_trip)
{
    struct cache *c = open_rw();
    struct err e = { 0 };
    struct seen s;
    char codecs[64];
    int64_t sid = job_with_stream(c);

    /* small appends rewrite the open page, then whole pages */
    append_lines(c, sid, 0, 30, 3);
    append_lines(c, sid, 30, 1000, 1000);
    page_codecs(sid, codecs, sizeof(codecs));
    cr_assert_str_eq(codecs, "sssss");
    s = scan(c, sid, 0, false, 0, &e);
    cr_assert_eq(s.n, 1030);
    s = scan(c, sid, 0, true, 0, &e);
    cr_assert_eq(s.n, 1030);
    check_merged(c, 1030);
    cache_close(c);
}

Test(logpages, old_zlib_pages_still_read_back_and_the_open_one_becomes_zstd)
{
    struct cache *c = open_rw();
    struct err e = { 0 };
    struct cache_stream cs;
    struct seen s;
    char codecs[64];
    int64_t sid = job_with_stream(c);

    store_zlib_page(sid, 0, 256);
    store_zlib_page(sid, 256, 256);
    store_zlib_page(sid, 512, 40);        /* open: an append rewrites it */
    page_codecs(sid, codecs, sizeof(codecs));
    cr_assert_str_eq(codecs, "zzz");
    s = scan(c, sid, 0, false, 0, &e);
    cr_assert_eq(s.n, 552);
    s = scan(c, sid, 300, true, 0, &e);
    cr_assert_eq(s.n, 252);
    check_merged(c, 552);

    append_lines(c, sid, 552, 300, 300);
    page_codecs(sid, codecs, sizeof(codecs));
    cr_assert_str_eq(codecs, "zzss");
    cr_assert_eq(cache_stream_get(c, sid, &cs, &e), 0, "%s", e.msg);
    cr_assert_eq(cs.n_events, 852);
    s = scan(c, sid, 0, false, 0, &e);
    cr_assert_eq(s.n, 852);
    s = scan(c, sid, 0, true, 0, &e);
    cr_assert_eq(s.n, 852);
    check_merged(c, 852);
    cache_close(c);
}

/* Damages the third page (events 512..767) with sql, then both scans must deliver the first
 * two pages exactly and fail on the third with the cache's "damaged" error. */
static void third_page_damaged(bool zlib, const char *sql)
{
    struct cache *c = open_rw();
    struct err e = { 0 };
    struct seen s;
    int64_t sid = job_with_stream(c);
    int ahead;

    if (zlib) {
        store_zlib_page(sid, 0, 256);
        store_zlib_page(sid, 256, 256);
        store_zlib_page(sid, 512, 256);
        store_zlib_page(sid, 768, 256);
    } else {
        append_lines(c, sid, 0, 1024, 1024);
    }
    damage(sid, sql);
    for (ahead = 0; ahead < 2; ahead++) {
        memset(&e, 0, sizeof(e));
        s = scan(c, sid, 0, ahead, ERR_CACHE, &e);
        cr_assert_eq(s.n, 512, "%s: %lld events before the error", ahead ? "ahead" : "plain",
                     (long long)s.n);
        cr_assert_eq(e.code, ERR_CACHE);
        cr_assert(strstr(e.msg, "log page in the cache is damaged") != NULL, "%s", e.msg);
        memset(&e, 0, sizeof(e));
        s = scan(c, sid, 700, ahead, ERR_CACHE, &e);
        cr_assert_eq(s.n, 0);
        memset(&e, 0, sizeof(e));
        s = scan(c, sid, 768, ahead, 0, &e);
        cr_assert_eq(s.n, 256);
    }
    cache_close(c);
}

Test(logpages, truncated_zstd_page_is_an_error)
{
    third_page_damaged(false, "UPDATE log_pages SET data=substr(data, 1, length(data) - 7)"
                       " WHERE stream_id=?1 AND first_seq=512");
}

Test(logpages, zstd_page_with_a_flipped_byte_is_an_error)
{
    /* a byte in the middle of the frame: the frame's checksum (or its structure) refuses it */
    third_page_damaged(false, "UPDATE log_pages SET data=substr(data, 1, length(data) / 2)"
                       " || (CASE WHEN substr(data, length(data) / 2 + 1, 1) = x'5a'"
                       "      THEN x'a5' ELSE x'5a' END)"
                       " || substr(data, length(data) / 2 + 2)"
                       " WHERE stream_id=?1 AND first_seq=512");
}

Test(logpages, zstd_magic_then_garbage_is_an_error)
{
    third_page_damaged(false, "UPDATE log_pages SET data=x'28b52ffd00112233445566778899'"
                       " WHERE stream_id=?1 AND first_seq=512");
}

Test(logpages, zstd_page_of_the_wrong_size_is_an_error)
{
    third_page_damaged(false, "UPDATE log_pages SET raw_bytes=raw_bytes-1"
                       " WHERE stream_id=?1 AND first_seq=512");
}

Test(logpages, truncated_zlib_page_is_an_error)
{
    third_page_damaged(true, "UPDATE log_pages SET data=substr(data, 1, length(data) - 7)"
                       " WHERE stream_id=?1 AND first_seq=512");
}

Test(logpages, blob_of_neither_codec_is_an_error)
{
    third_page_damaged(false, "UPDATE log_pages SET data=x'00' WHERE stream_id=?1"
                       " AND first_seq=512");
}

Test(logpages, scan_ahead_matches_scan_from_any_first_seq)
{
    static const int64_t from[] = { 0, 1, 255, 256, 257, 1037, 4095, 4999, 5000, 6000 };
    struct cache *c = open_rw();
    struct err e = { 0 };
    int64_t sid = job_with_stream(c), other;
    size_t i;

    append_lines(c, sid, 0, 5000, 1000);          /* 20 pages: more than the ring holds */
    cr_assert_eq(cache_stream_ensure(c, "job-a", "job-a/algo-2-1700000000", &other, &e), 0);
    for (i = 0; i < sizeof(from) / sizeof(from[0]); i++) {
        struct seen a = scan(c, sid, from[i], false, 0, &e);
        struct seen b = scan(c, sid, from[i], true, 0, &e);
        int64_t want = from[i] < 5000 ? 5000 - from[i] : 0;

        cr_assert_eq(a.n, want, "from %lld", (long long)from[i]);
        cr_assert_eq(b.n, want, "from %lld", (long long)from[i]);
    }
    cr_assert_eq(scan(c, other, 0, true, 0, &e).n, 0);     /* a stream with no page */
    cr_assert_eq(scan(c, 99999, 0, true, 0, &e).n, 0);     /* no such stream */
    cache_close(c);
}

static int count_threads(void)
{
    DIR *d = opendir("/proc/self/task");
    struct dirent *de;
    int n = 0;

    cr_assert_not_null(d);
    while ((de = readdir(d)) != NULL)
        if (de->d_name[0] != '.')
            n++;
    closedir(d);
    return n;
}

Test(logpages, scan_ahead_stops_when_the_callback_says_so)
{
    static const int64_t stop[] = { 0, 3, 255, 256, 2000, 4999 };
    struct cache *c = open_rw();
    struct err e = { 0 };
    int64_t sid = job_with_stream(c);
    int threads;
    size_t i;

    append_lines(c, sid, 0, 5000, 1000);
    threads = count_threads();
    for (i = 0; i < sizeof(stop) / sizeof(stop[0]); i++) {
        struct seen s = { 0, 0, stop[i], 42, false, "" };

        cr_assert_eq(cache_stream_scan_ahead(c, sid, 0, check_event, &s, &e), 42);
        cr_assert_not(s.bad, "%s", s.why);
        cr_assert_eq(s.n, stop[i] + 1);
        cr_assert_eq(count_threads(), threads, "a scan thread outlived its scan");
    }
    cache_close(c);
}

static int threads_at_first_event(void *ctx, int64_t seq, int64_t ts_ms, const char *msg,
                                  size_t len)
{
    int *n = ctx;

    (void)seq, (void)ts_ms, (void)msg, (void)len;
    if (*n == 0)
        *n = count_threads();
    return 0;
}

Test(logpages, scan_ahead_decodes_on_a_second_thread_and_plain_scan_does_not)
{
    struct cache *c = open_rw();
    struct err e = { 0 };
    int64_t sid = job_with_stream(c);
    int threads, during = 0;

    append_lines(c, sid, 0, 3000, 1000);
    threads = count_threads();
    cr_assert_eq(cache_stream_scan_ahead(c, sid, 0, threads_at_first_event, &during, &e), 0);
    cr_assert_eq(during, threads + 1);
    during = 0;
    cr_assert_eq(cache_stream_scan(c, sid, 0, threads_at_first_event, &during, &e), 0);
    cr_assert_eq(during, threads);
    cr_assert_eq(count_threads(), threads);
    cache_close(c);
}

/* sync_reextract's shape: inside the caller's write transaction, the callback writes points
 * through the same handle while the scan reads ahead on its own connection. */
struct writer {
    struct cache *c;
    int64_t sid;
    struct err *e;
};

static int write_point(void *ctx, int64_t seq, int64_t ts_ms, const char *msg, size_t len)
{
    struct writer *w = ctx;
    struct cache_point_in p = { "n", seq, 0, ts_ms, (double)len, seq, 0.0, 0, (double)len, 0 };

    (void)msg;
    return cache_points_add(w->c, w->sid, &p, 1, w->e);
}

Test(logpages, scan_ahead_runs_beside_writes_in_the_callers_transaction)
{
    struct cache *c = open_rw();
    struct err e = { 0 };
    int64_t sid = job_with_stream(c);
    struct writer w = { c, sid, &e };
    struct cache_metric_stat_list ms = { 0 };

    append_lines(c, sid, 0, 3000, 1000);
    cr_assert_eq(cache_tx_begin(c, &e), 0, "%s", e.msg);
    cr_assert_eq(cache_stream_scan_ahead(c, sid, 0, write_point, &w, &e), 0, "%s", e.msg);
    cr_assert_eq(cache_tx_commit(c, &e), 0, "%s", e.msg);
    cr_assert_eq(cache_job_metric_stats(c, "job-a", &ms, &e), 0, "%s", e.msg);
    cr_assert_eq(ms.n, 1);
    cr_assert_str_eq(ms.items[0].name, "n");
    cr_assert_eq(ms.items[0].count, 3000);
    cache_metric_stat_list_clean(&ms);
    cache_close(c);
}

Test(logpages, scan_ahead_on_a_read_only_handle)
{
    struct cache *c = open_rw(), *ro = NULL;
    struct err e = { 0 };
    int64_t sid = job_with_stream(c);

    append_lines(c, sid, 0, 1500, 500);
    cr_assert_eq(cache_open(tmp_cache.path, CACHE_READ_ONLY, &ro, NULL, 0, &e), 0, "%s", e.msg);
    cr_assert_eq(scan(ro, sid, 10, true, 0, &e).n, 1490);
    cache_close(ro);
    cache_close(c);
}

/* ---- the page codec alone (no SQLite) ---------------------------------------------------- */

TestSuite(logpage_codec);

Test(logpage_codec, varints_round_trip_with_exact_bytes)
{
    static const uint64_t v[] = { 0, 1, 127, 128, 300, 16383, 16384, UINT32_MAX, UINT64_MAX };
    static const size_t bytes[] = { 1, 1, 1, 2, 2, 2, 3, 5, 10 };
    unsigned char buf[16];
    size_t i;

    for (i = 0; i < sizeof(v) / sizeof(v[0]); i++) {
        const unsigned char *p = buf;
        uint64_t got = 0;

        cr_assert_eq(cache_put_varint(buf, v[i]), bytes[i], "value %llu",
                     (unsigned long long)v[i]);
        cr_assert_eq(cache_get_varint(&p, buf + bytes[i], &got), 0);
        cr_assert_eq(got, v[i]);
        cr_assert_eq(p, buf + bytes[i], "get consumed exactly what put wrote");
    }
    cache_put_varint(buf, 300);
    cr_assert_eq(buf[0], 0xac);
    cr_assert_eq(buf[1], 0x02);
}

Test(logpage_codec, varint_truncated_or_overlong_is_refused)
{
    static const unsigned char cut[] = { 0xac };
    static const unsigned char overlong[] = { 0x80, 0x80, 0x80, 0x80, 0x80, 0x80,
                                              0x80, 0x80, 0x80, 0x80, 0x01 };
    const unsigned char *p = cut;
    uint64_t got = 7;

    cr_assert_eq(cache_get_varint(&p, cut + sizeof(cut), &got), -1);
    p = overlong;
    cr_assert_eq(cache_get_varint(&p, overlong + sizeof(overlong), &got), -1);
    cr_assert_eq(got, 7, "nothing written on failure");
}

/* Three events: "a" at 1000, "hello" at 1000, "" at 1005. */
static void build_three(struct logpage_builder *b)
{
    cr_assert_eq(logpage_builder_add(b, 1000, "a", 1), 0);
    cr_assert_eq(logpage_builder_add(b, 1000, "hello", 5), 0);
    cr_assert_eq(logpage_builder_add(b, 1005, "", 0), 0);
}

static void assert_three(const struct logpage *pg, int64_t first_seq)
{
    cr_assert_eq(pg->first_seq, first_seq);
    cr_assert_eq(pg->n, 3);
    cr_assert_eq(pg->ts[0], 1000);
    cr_assert_eq(pg->ts[1], 1000);
    cr_assert_eq(pg->ts[2], 1005);
    cr_assert_eq(pg->len[0], 1);
    cr_assert_eq(pg->len[1], 5);
    cr_assert_eq(pg->len[2], 0);
    /* header: n, then (delta, length) x 3, one byte each: 7 bytes before the texts */
    cr_assert_eq(pg->off[0], 7);
    cr_assert_eq(pg->off[1], 8);
    cr_assert_eq(pg->off[2], 13);
    cr_assert_eq(memcmp(pg->text + pg->off[0], "a", 1), 0);
    cr_assert_eq(memcmp(pg->text + pg->off[1], "hello", 5), 0);
    cr_assert_eq(pg->raw_len, 13);
}

Test(logpage_codec, encode_decode_round_trip_as_a_checksummed_zstd_frame)
{
    struct logpage_builder b = { 0 };
    struct logpage pg = { 0 };
    struct err e = { 0 };
    size_t zlen = 0, raw_len = 0;

    b.first_seq = 42;
    build_three(&b);
    cr_assert_eq(logpage_builder_encode(&b, &zlen, &raw_len, &e), 0, "%s", e.msg);
    cr_assert_eq(raw_len, 13);
    cr_assert(zlen >= 4);
    cr_assert_eq(b.z[0], 0x28);
    cr_assert_eq(b.z[1], 0xb5);
    cr_assert_eq(b.z[2], 0x2f);
    cr_assert_eq(b.z[3], 0xfd);
    cr_assert_eq(b.z[4] & 0x04, 0x04, "frame header says: content checksum");
    cr_assert_eq(logpage_decode(b.z, zlen, raw_len, 1000, b.first_seq, NULL, &pg, &e), 0, "%s",
                 e.msg);
    assert_three(&pg, 42);
    /* the same page decoded again into the same buffers */
    cr_assert_eq(logpage_decode(b.z, zlen, raw_len, 1000, 7, NULL, &pg, &e), 0, "%s", e.msg);
    assert_three(&pg, 7);
    logpage_clean(&pg);
    cr_assert_null(pg.text);
    logpage_builder_next(&b);
    cr_assert_eq(b.first_seq, 45);
    cr_assert_eq(b.n, 0);
    cr_assert_eq(b.text_len, 0);
    logpage_builder_clean(&b);
}

Test(logpage_codec, a_zlib_page_of_an_older_build_decodes)
{
    unsigned char raw[64], z[128];
    uLongf zlen = sizeof(z);
    struct logpage pg = { 0 };
    struct err e = { 0 };
    size_t n = 0;

    n += cache_put_varint(raw + n, 3);
    n += cache_put_varint(raw + n, 0);
    n += cache_put_varint(raw + n, 1);
    n += cache_put_varint(raw + n, 0);
    n += cache_put_varint(raw + n, 5);
    n += cache_put_varint(raw + n, 5);
    n += cache_put_varint(raw + n, 0);
    memcpy(raw + n, "ahello", 6);
    n += 6;
    cr_assert_eq(compress2(z, &zlen, raw, n, 6), Z_OK);
    cr_assert_eq(logpage_decode(z, zlen, n, 1000, 0, NULL, &pg, &e), 0, "%s", e.msg);
    assert_three(&pg, 0);
    logpage_clean(&pg);
}

Test(logpage_codec, a_damaged_or_mislabelled_page_is_refused_and_cleaned)
{
    struct logpage_builder b = { 0 };
    struct logpage pg = { 0 };
    struct err e = { 0 };
    size_t zlen = 0, raw_len = 0;

    build_three(&b);
    cr_assert_eq(logpage_builder_encode(&b, &zlen, &raw_len, &e), 0, "%s", e.msg);
    /* a raw size that is not the page's */
    cr_assert_eq(logpage_decode(b.z, zlen, raw_len + 1, 1000, 0, NULL, &pg, &e), ERR_CACHE);
    cr_assert(strstr(e.msg, "damaged") != NULL, "%s", e.msg);
    cr_assert_null(pg.text);
    /* a flipped byte in the compressed body: the checksum catches it */
    b.z[zlen - 6] ^= 0x5a;
    cr_assert_eq(logpage_decode(b.z, zlen, raw_len, 1000, 0, NULL, &pg, &e), ERR_CACHE);
    cr_assert_null(pg.ts);
    /* not a compressed blob at all */
    cr_assert_eq(logpage_decode("plain text", 10, 10, 0, 0, NULL, &pg, &e), ERR_CACHE);
    logpage_builder_clean(&b);
}

Test(logpage_codec, a_header_whose_lengths_overrun_the_page_is_refused)
{
    unsigned char raw[16], z[64];
    uLongf zlen = sizeof(z);
    struct logpage pg = { 0 };
    struct err e = { 0 };
    size_t n = 0;

    n += cache_put_varint(raw + n, 1);
    n += cache_put_varint(raw + n, 0);
    n += cache_put_varint(raw + n, 9);      /* 9 bytes claimed, 2 present */
    memcpy(raw + n, "ab", 2);
    n += 2;
    cr_assert_eq(compress2(z, &zlen, raw, n, 6), Z_OK);
    cr_assert_eq(logpage_decode(z, zlen, n, 0, 0, NULL, &pg, &e), ERR_CACHE);
}

Test(logpage_codec, a_builder_is_full_at_the_event_or_byte_cap)
{
    struct logpage_builder b = { 0 };
    static char big[CACHE_PAGE_RAW_MAX];
    int i;

    for (i = 0; i < CACHE_PAGE_EVENTS - 1; i++)
        cr_assert_eq(logpage_builder_add(&b, i, "x", 1), 0);
    cr_assert(!logpage_builder_full(&b));
    cr_assert_eq(logpage_builder_add(&b, i, "x", 1), 0);
    cr_assert(logpage_builder_full(&b));
    logpage_builder_next(&b);
    cr_assert_eq(b.first_seq, CACHE_PAGE_EVENTS);
    cr_assert(!logpage_builder_full(&b));
    memset(big, 'y', sizeof(big));
    cr_assert_eq(logpage_builder_add(&b, 0, big, sizeof(big) - 1), 0);
    cr_assert(!logpage_builder_full(&b));
    cr_assert_eq(logpage_builder_add(&b, 0, "z", 1), 0);
    cr_assert(logpage_builder_full(&b));
    logpage_builder_clean(&b);
}
