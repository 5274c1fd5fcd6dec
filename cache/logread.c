/* logread.c: every merged read of a job's log: the next/previous screenful interleaved across
 * its streams by time, regex search forward and backward, and the log's totals and
 * instances. Reads decode one page per stream at a time, so memory stays bounded whatever the
 * log size. Read-only: it must not write to the cache or talk to the network. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "aws/dynbuf.h"
#include "cache/internal.h"
#include "cache/logpage.h"
#include "cache/logstore.h"

/* One stream's read position: the decoded page and the index of the current event. */
struct scur {
    int64_t sid;
    size_t instance_off;     /* into the batch arena */
    struct logpage pg;
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

    logpage_clean(&cur->pg);
    sqlite3_reset(st);
    sqlite3_bind_int64(st, 1, cur->sid);
    sqlite3_bind_int64(st, 2, value);
    s = sqlite3_step(st);
    if (s == SQLITE_DONE) {
        cur->eof = true;
        rc = 0;
    } else if (s == SQLITE_ROW) {
        if (r->dctx == NULL)
            r->dctx = ZSTD_createDCtx();     /* NULL is fine: logpage_decode makes its own */
        rc = cache_page_decode_row(st, r->dctx, &cur->pg, e);
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
        logpage_clean(&r->s[i].pg);
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
    if ((rc = cache_prepare(c, CACHE_PAGE_COLS "WHERE stream_id=?1 AND first_seq<=?2 ORDER BY"
                            " first_seq DESC LIMIT 1", &r->seek_fwd_seq, e)) != 0 ||
        (rc = cache_prepare(c, CACHE_PAGE_COLS "WHERE stream_id=?1 AND last_ts>?2 ORDER BY"
                            " last_ts, first_seq LIMIT 1", &r->seek_fwd_ts_gt, e)) != 0 ||
        (rc = cache_prepare(c, CACHE_PAGE_COLS "WHERE stream_id=?1 AND last_ts>=?2 ORDER BY"
                            " last_ts, first_seq LIMIT 1", &r->seek_fwd_ts_ge, e)) != 0 ||
        (rc = cache_prepare(c, CACHE_PAGE_COLS "WHERE stream_id=?1 AND first_seq<=?2 ORDER BY"
                            " first_seq DESC LIMIT 1", &r->seek_bwd_seq, e)) != 0 ||
        (rc = cache_prepare(c, CACHE_PAGE_COLS "WHERE stream_id=?1 AND first_ts<=?2 ORDER BY"
                            " first_ts DESC, first_seq DESC LIMIT 1", &r->seek_bwd_ts_le, e))
        != 0 ||
        (rc = cache_prepare(c, CACHE_PAGE_COLS "WHERE stream_id=?1 AND first_ts<?2 ORDER BY"
                            " first_ts DESC, first_seq DESC LIMIT 1", &r->seek_bwd_ts_lt, e))
        != 0 ||
        (rc = cache_prepare(c, CACHE_PAGE_COLS "WHERE stream_id=?1 AND first_seq>?2 ORDER BY"
                            " first_seq LIMIT 1", &r->next_page, e)) != 0 ||
        (rc = cache_prepare(c, CACHE_PAGE_COLS "WHERE stream_id=?1 AND first_seq<?2 ORDER BY"
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
        if (vec_grow((void **)&b.lines, &cap, b.n + 1, sizeof(*b.lines)) != 0) {
            rc = err_set(e, ERR_NOMEM, "out of memory");
            break;
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

static void read_instance(sqlite3_stmt *st, void *item)
{
    struct cache_kv *kv = item;

    kv->key = cache_col_strdup(st, 0);
    kv->value = NULL;
}

int cache_logs_instances(struct cache *c, const char *job, struct cache_kv_list *out,
                         struct err *e)
{
    return cache_kv_rows(c, "SELECT DISTINCT s.instance FROM log_streams s JOIN jobs j ON"
                         " j.id=s.job_id WHERE j.scope_id=? AND j.name=? ORDER BY"
                         " length(s.instance), s.instance", job, read_instance,
                         "listing instances", out, e);
}
