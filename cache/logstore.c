/* logstore.c: log streams, their sync cursors (cache_stream_append_at) and the page store:
 * events appended to a stream's open page, encoded by logpage.c and written one row per page,
 * and each stream's saved extractor state. Whole-stream scans are in logscan.c, merged reads
 * and search in logread.c. It must not talk to the network or know about metric definitions.
 *
 * Pages are immutable once full; only a stream's last page is rewritten while it fills. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "aws/dynbuf.h"
#include "cache/internal.h"
#include "cache/logpage.h"
#include "cache/logstore.h"

/* Decodes the current row of a CACHE_PAGE_COLS query. */
int cache_page_decode_row(sqlite3_stmt *st, ZSTD_DCtx *dctx, struct logpage *pg, struct err *e)
{
    return logpage_decode(sqlite3_column_blob(st, 4), (size_t)sqlite3_column_bytes(st, 4),
                          (size_t)sqlite3_column_int64(st, 3), sqlite3_column_int64(st, 2),
                          sqlite3_column_int64(st, 0), dctx, pg, e);
}

/* Encodes the builder and writes it as the page at first_seq (replacing an open page with the
 * same first_seq). Adds the stored size to *stored. */
static int builder_flush(struct cache *c, int64_t sid, struct logpage_builder *b,
                         int64_t *stored, struct err *e)
{
    size_t raw_len, zlen;
    sqlite3_stmt *st;
    int rc;

    if (b->n == 0)
        return 0;
    if ((rc = logpage_builder_encode(b, &zlen, &raw_len, e)) != 0)
        return rc;
    if ((rc = cache_prepare_kept(c, "INSERT OR REPLACE INTO log_pages(stream_id, first_seq,"
                                 " n_events, first_ts, last_ts, raw_bytes, data)"
                                 " VALUES(?,?,?,?,?,?,?)", &st, e)) != 0)
        return rc;
    sqlite3_bind_int64(st, 1, sid);
    sqlite3_bind_int64(st, 2, b->first_seq);
    sqlite3_bind_int(st, 3, b->n);
    sqlite3_bind_int64(st, 4, b->ts[0]);
    sqlite3_bind_int64(st, 5, b->ts[b->n - 1]);
    sqlite3_bind_int64(st, 6, (int64_t)raw_len);
    sqlite3_bind_blob(st, 7, b->z, (int)zlen, SQLITE_STATIC);
    rc = sqlite3_step(st) == SQLITE_DONE ? 0 : cache_fail(c, e, "storing a log page");
    cache_kept_done(c, st);
    if (rc == 0)
        *stored += (int64_t)zlen;
    logpage_builder_next(b);
    return rc;
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
    if ((rc = cache_prepare_kept(c, "INSERT OR IGNORE INTO log_streams(job_id, name, instance)"
                                 " VALUES(?,?,?)", &st, e)) != 0)
        goto out;
    sqlite3_bind_int64(st, 1, job_id);
    sqlite3_bind_text(st, 2, stream_name, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 3, instance, -1, SQLITE_STATIC);
    rc = sqlite3_step(st) == SQLITE_DONE ? 0 : cache_fail(c, e, "registering a log stream");
    cache_kept_done(c, st);
    if (rc != 0 || id == NULL)
        goto out;
    if ((rc = cache_prepare_kept(c, "SELECT id FROM log_streams WHERE job_id=? AND name=?",
                                 &st, e)) != 0)
        goto out;
    sqlite3_bind_int64(st, 1, job_id);
    sqlite3_bind_text(st, 2, stream_name, -1, SQLITE_STATIC);
    if (sqlite3_step(st) == SQLITE_ROW)
        *id = sqlite3_column_int64(st, 0);
    else
        rc = cache_fail(c, e, "registering a log stream");
    cache_kept_done(c, st);
out:
    return cache_sp_end(c, rc, e);
}

#define STREAM_COLS "s.id, s.name, s.instance, s.token, s.n_events, s.last_ts, s.done"

static void read_stream(sqlite3_stmt *st, void *item)
{
    struct cache_stream *s = item;

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
    struct cache_rows r = { .elem = sizeof(struct cache_stream), .read = read_stream,
                            .what = "listing log streams" };
    struct cache_stream_list l;
    int rc = cache_job_rows(c, "SELECT " STREAM_COLS " FROM log_streams s JOIN jobs j ON"
                            " j.id=s.job_id WHERE j.scope_id=? AND j.name=? ORDER BY s.name",
                            job, &r, e);

    l.items = r.items;
    l.n = r.n;
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

    if ((rc = cache_prepare_kept(c, "SELECT " STREAM_COLS " FROM log_streams s WHERE s.id=?",
                                 &st, e)) != 0)
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
    cache_kept_done(c, st);
    return rc;
}

int cache_stream_set_done(struct cache *c, int64_t stream_id, bool done, struct err *e)
{
    sqlite3_stmt *st;
    int rc;

    if ((rc = cache_sp_begin(c, e)) != 0)
        return rc;
    if ((rc = cache_prepare_kept(c, "UPDATE log_streams SET done=? WHERE id=?", &st, e)) == 0) {
        sqlite3_bind_int(st, 1, done);
        sqlite3_bind_int64(st, 2, stream_id);
        rc = sqlite3_step(st) == SQLITE_DONE ? 0 : cache_fail(c, e, "updating a log stream");
        cache_kept_done(c, st);
    }
    return cache_sp_end(c, rc, e);
}

/* Loads the page holding first_seq..: the stream's last page when it is still open. */
static int load_open_page(struct cache *c, int64_t sid, struct logpage_builder *b,
                          int64_t *stored_old, struct err *e)
{
    sqlite3_stmt *st;
    int rc, i;

    if ((rc = cache_prepare_kept(c, CACHE_PAGE_COLS "WHERE stream_id=?"
                                 " ORDER BY first_seq DESC LIMIT 1", &st, e)) != 0)
        return rc;
    sqlite3_bind_int64(st, 1, sid);
    rc = sqlite3_step(st);
    if (rc == SQLITE_ROW && sqlite3_column_int(st, 1) < CACHE_PAGE_EVENTS &&
        sqlite3_column_int64(st, 3) < CACHE_PAGE_RAW_MAX) {
        struct logpage pg = { 0 };

        rc = cache_page_decode_row(st, NULL, &pg, e);
        if (rc == 0) {
            *stored_old = sqlite3_column_bytes(st, 4);
            b->first_seq = pg.first_seq;
            for (i = 0; i < pg.n && rc == 0; i++)
                rc = logpage_builder_add(b, pg.ts[i], pg.text + pg.off[i], pg.len[i]) == 0
                     ? 0 : err_set(e, ERR_NOMEM, "out of memory");
            logpage_clean(&pg);
        }
    } else if (rc == SQLITE_ROW || rc == SQLITE_DONE) {
        rc = 0;
    } else {
        rc = cache_fail(c, e, "reading a log page");
    }
    cache_kept_done(c, st);
    return rc;
}

/* The one append path. expect NULL: append unconditionally; else only when the stored cursor
 * is still expect's (*applied says which). */
static int stream_append(struct cache *c, int64_t stream_id, const struct cache_cursor *expect,
                         const struct cache_event *ev, size_t n, const char *next_token,
                         bool *applied, struct err *e)
{
    struct logpage_builder *b = c->builder != NULL ? c->builder : calloc(1, sizeof(*b));
    struct cache_stream s;
    int64_t stored = 0, stored_old = 0, raw = 0, last_ts;
    sqlite3_stmt *st;
    size_t i;
    int rc;

    if (applied != NULL)
        *applied = false;
    if (b == NULL)
        return err_set(e, ERR_NOMEM, "out of memory storing log events");
    /* kept on the handle: its buffers and zstd context serve every append */
    c->builder = b;
    b->n = 0;
    b->text_len = 0;
    if ((rc = cache_sp_begin(c, e)) != 0)
        return rc;
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

        if (logpage_builder_full(b) && (rc = builder_flush(c, stream_id, b, &stored, e)) != 0)
            goto out;
        if (logpage_builder_add(b, ts, ev[i].msg, len) != 0) {
            rc = err_set(e, ERR_NOMEM, "out of memory storing log events");
            goto out;
        }
        last_ts = ts;
        raw += (int64_t)len;
    }
    if ((rc = builder_flush(c, stream_id, b, &stored, e)) != 0)
        goto out;
    if ((rc = cache_prepare_kept(c, "UPDATE log_streams SET n_events=n_events+?, last_ts=?,"
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
    cache_kept_done(c, st);
    if (rc == 0 && applied != NULL)
        *applied = true;
out:
    b->n = 0;
    b->text_len = 0;
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

int cache_stream_set_extract_state(struct cache *c, int64_t stream_id, const void *state,
                                   size_t size, struct err *e)
{
    sqlite3_stmt *st;
    int rc;

    if ((rc = cache_sp_begin(c, e)) != 0)
        return rc;
    if ((rc = cache_prepare_kept(c, "UPDATE log_streams SET extract_state=? WHERE id=?", &st,
                                 e)) == 0) {
        sqlite3_bind_blob(st, 1, state, (int)size, SQLITE_STATIC);
        sqlite3_bind_int64(st, 2, stream_id);
        rc = sqlite3_step(st) == SQLITE_DONE ? 0 : cache_fail(c, e, "saving extractor state");
        cache_kept_done(c, st);
    }
    return cache_sp_end(c, rc, e);
}

int cache_stream_get_extract_state(struct cache *c, int64_t stream_id, void *state, size_t size,
                                   struct err *e)
{
    sqlite3_stmt *st;
    int rc;

    if ((rc = cache_prepare_kept(c, "SELECT extract_state FROM log_streams WHERE id=?", &st,
                                 e)) != 0)
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
    cache_kept_done(c, st);
    return rc;
}
