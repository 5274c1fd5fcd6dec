/* points.c: storing extracted metric points, packed in chunks, with the per-job metric summary
 * (last/min/max/count), the schema-6 migration to chunks, and the metrics' definition hashes.
 * Points are keyed by (metric, stream, seq, k) so storing the same extraction twice changes
 * nothing. Reading them is pointread.c's. It must not parse logs (metrics/ does). */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "aws/dynbuf.h"
#include "cache/internal.h"
#include "cache/logstore.h"

static int metric_id(struct cache *c, int64_t job_id, const char *name, int64_t *id,
                     struct err *e)
{
    sqlite3_stmt *st;
    int rc;

    if ((rc = cache_prepare_kept(c, "INSERT OR IGNORE INTO metrics(job_id, name) VALUES(?,?)", &st,
                                 e)) != 0)
        return rc;
    sqlite3_bind_int64(st, 1, job_id);
    sqlite3_bind_text(st, 2, name, -1, SQLITE_STATIC);
    rc = sqlite3_step(st) == SQLITE_DONE ? 0 : cache_fail(c, e, "storing a metric");
    cache_kept_done(c, st);
    if (rc != 0)
        return rc;
    if ((rc = cache_prepare_kept(c, "SELECT id FROM metrics WHERE job_id=? AND name=?", &st,
                                 e)) != 0)
        return rc;
    sqlite3_bind_int64(st, 1, job_id);
    sqlite3_bind_text(st, 2, name, -1, SQLITE_STATIC);
    if (sqlite3_step(st) == SQLITE_ROW)
        *id = sqlite3_column_int64(st, 0);
    else
        rc = cache_fail(c, e, "storing a metric");
    cache_kept_done(c, st);
    return rc;
}

/* ---- packed points ---------------------------------------------------------------------
 * A metric's points of one stream are stored in (seq, k) order, up to CHUNK_POINTS per
 * metric_chunks row. Rows carry the last (seq, k), so an append knows what is already stored
 * without reading the blob, and min/max ts, so a time window skips whole rows. A row per point
 * cost ~2 us to write (0.9 s for one definition's 400,000 points); a chunk costs one blob.
 * The blob: per point, a tag byte, then varints of the differences from the previous point
 * (seq; zigzag ts; zigzag step unless unknown; flags and k when not 0), then the 8-byte
 * little-endian doubles that are not implied by the tag (value unless unparsed, epoch unless
 * the previous one, SageMaker's value unless none or the value itself): ~20 bytes a point
 * where fixed records took 56. */
#define CHUNK_POINTS CACHE_CHUNK_POINTS
#define REC_MAX 71                   /* tag, 6 varints (10+10+10+5+5+5), 3 doubles */
/* The per-metric summary (last/min/max/count) counts the lines without launcher prefix and
 * rank 0's (global or local: process codes 0, 1, 2), not every rank's copy of a value. */
#define SUMMARY_PROC_MAX 2u

enum {
    TAG_EPOCH_SAME = 1 << 0,
    TAG_SM_NONE = 1 << 1,
    TAG_SM_VALUE = 1 << 2,
    TAG_UNPARSED = 1 << 3,
    TAG_FLAGS = 1 << 4,
    TAG_K = 1 << 5,
    TAG_STEP_UNKNOWN = 1 << 6,
    TAG_PROC = 1 << 7,        /* a varint process code follows the k (schema 6 blobs: none) */
};

static uint64_t zigzag(int64_t v)
{
    return ((uint64_t)v << 1) ^ (uint64_t)(v >> 63);
}

static int64_t unzigzag(uint64_t v)
{
    return (int64_t)(v >> 1) ^ -(int64_t)(v & 1);
}

static size_t put_f64(unsigned char *p, double d)
{
    uint64_t v;
    int i;

    memcpy(&v, &d, sizeof(v));
    for (i = 0; i < 8; i++)
        p[i] = (unsigned char)(v >> (8 * i));
    return 8;
}

static int get_f64(const unsigned char **p, const unsigned char *end, double *d)
{
    uint64_t v = 0;
    int i;

    if (end - *p < 8)
        return -1;
    for (i = 7; i >= 0; i--)
        v = (v << 8) | (*p)[i];
    *p += 8;
    memcpy(d, &v, sizeof(*d));
    return 0;
}

static bool same_bits(double a, double b)
{
    return memcmp(&a, &b, sizeof(a)) == 0;
}

/* Encodes n points into out (room for n * REC_MAX bytes); returns the bytes written. */
static size_t chunk_encode(const struct cache_chunk_rec *r, size_t n, unsigned char *out)
{
    struct cache_chunk_rec prev = { 0, 0, 0, 0, NAN, 0, 0, 0, 0 };
    size_t i, o = 0;

    for (i = 0; i < n; i++) {
        const struct cache_chunk_rec *x = &r[i];
        unsigned tag = 0;

        if (same_bits(x->epoch, prev.epoch))
            tag |= TAG_EPOCH_SAME;
        if (isnan(x->sm))
            tag |= TAG_SM_NONE;
        else if (same_bits(x->sm, x->value))
            tag |= TAG_SM_VALUE;
        if (isnan(x->value))
            tag |= TAG_UNPARSED;
        if (x->flags != 0)
            tag |= TAG_FLAGS;
        if (x->k != 0)
            tag |= TAG_K;
        if (x->step < 0)
            tag |= TAG_STEP_UNKNOWN;
        if (x->proc != 0)
            tag |= TAG_PROC;
        out[o++] = (unsigned char)tag;
        o += cache_put_varint(out + o, (uint64_t)(x->seq - prev.seq));
        o += cache_put_varint(out + o, zigzag(x->ts_ms - prev.ts_ms));
        if (x->step >= 0) {
            o += cache_put_varint(out + o, zigzag(x->step - prev.step));
            prev.step = x->step;
        }
        if (tag & TAG_FLAGS)
            o += cache_put_varint(out + o, x->flags);
        if (tag & TAG_K)
            o += cache_put_varint(out + o, x->k);
        if (tag & TAG_PROC)
            o += cache_put_varint(out + o, x->proc);
        if (!(tag & TAG_UNPARSED))
            o += put_f64(out + o, x->value);
        if (!(tag & TAG_EPOCH_SAME))
            o += put_f64(out + o, x->epoch);
        if (!(tag & (TAG_SM_NONE | TAG_SM_VALUE)))
            o += put_f64(out + o, x->sm);
        prev.seq = x->seq;
        prev.ts_ms = x->ts_ms;
        prev.epoch = x->epoch;
    }
    return o;
}

/* Decodes exactly n points of a blob; -1 when it does not hold them. */
int cache_chunk_decode(const unsigned char *p, size_t len, size_t n,
                       struct cache_chunk_rec *out)
{
    const unsigned char *end = p + len;
    int64_t seq = 0, ts = 0, step = 0;
    double epoch = NAN;
    size_t i;

    for (i = 0; i < n; i++) {
        struct cache_chunk_rec *x = &out[i];
        uint64_t v;
        unsigned tag;

        if (p >= end)
            return -1;
        tag = *p++;
        if (cache_get_varint(&p, end, &v) != 0)
            return -1;
        seq += (int64_t)v;
        if (cache_get_varint(&p, end, &v) != 0)
            return -1;
        ts += unzigzag(v);
        x->seq = seq;
        x->ts_ms = ts;
        x->step = -1;
        if (!(tag & TAG_STEP_UNKNOWN)) {
            if (cache_get_varint(&p, end, &v) != 0)
                return -1;
            step += unzigzag(v);
            x->step = step;
        }
        x->flags = 0;
        x->k = 0;
        if ((tag & TAG_FLAGS) && (cache_get_varint(&p, end, &v) != 0 || v > UINT32_MAX))
            return -1;
        if (tag & TAG_FLAGS)
            x->flags = (uint32_t)v;
        if ((tag & TAG_K) && (cache_get_varint(&p, end, &v) != 0 || v > UINT32_MAX))
            return -1;
        if (tag & TAG_K)
            x->k = (uint32_t)v;
        x->proc = 0;
        if ((tag & TAG_PROC) && (cache_get_varint(&p, end, &v) != 0 || v > INT32_MAX))
            return -1;
        if (tag & TAG_PROC)
            x->proc = (uint32_t)v;
        x->value = NAN;
        if (!(tag & TAG_UNPARSED) && get_f64(&p, end, &x->value) != 0)
            return -1;
        if (!(tag & TAG_EPOCH_SAME) && get_f64(&p, end, &epoch) != 0)
            return -1;
        x->epoch = epoch;
        x->sm = NAN;
        if (tag & TAG_SM_VALUE)
            x->sm = x->value;
        else if (!(tag & TAG_SM_NONE) && get_f64(&p, end, &x->sm) != 0)
            return -1;
    }
    return p == end ? 0 : -1;
}

/* Where a metric's stored points of a stream end, and the open (not full) last row. */
struct chunk_tail {
    bool any;
    int64_t last_seq, last_k;
    int64_t id;                          /* the last row, 0 = none */
    int n;
    int64_t min_ts, max_ts;
};

static int chunk_tail_get(struct cache *c, int64_t metric_id, int64_t stream_id,
                          struct chunk_tail *t, struct err *e)
{
    sqlite3_stmt *st;
    int rc, s;

    memset(t, 0, sizeof(*t));
    if ((rc = cache_prepare_kept(c, "SELECT id, n, last_seq, last_k, min_ts, max_ts FROM"
                                 " metric_chunks WHERE metric_id=? AND stream_id=? ORDER BY"
                                 " first_seq DESC LIMIT 1", &st, e)) != 0)
        return rc;
    sqlite3_bind_int64(st, 1, metric_id);
    sqlite3_bind_int64(st, 2, stream_id);
    if ((s = sqlite3_step(st)) == SQLITE_ROW) {
        t->any = true;
        t->id = sqlite3_column_int64(st, 0);
        t->n = sqlite3_column_int(st, 1);
        t->last_seq = sqlite3_column_int64(st, 2);
        t->last_k = sqlite3_column_int64(st, 3);
        t->min_ts = sqlite3_column_int64(st, 4);
        t->max_ts = sqlite3_column_int64(st, 5);
    } else if (s != SQLITE_DONE) {
        rc = cache_fail(c, e, "reading metric points");
    }
    cache_kept_done(c, st);
    return rc;
}

static void ts_range(const struct cache_chunk_rec *r, size_t n, int64_t *lo, int64_t *hi)
{
    size_t i;

    for (i = 0; i < n; i++) {
        if (r[i].ts_ms < *lo)
            *lo = r[i].ts_ms;
        if (r[i].ts_ms > *hi)
            *hi = r[i].ts_ms;
    }
}

/* Appends n records (in (seq, k) order, after what is stored) to a metric's points of a
 * stream: first into the open last row, then in new rows. buf: scratch of CHUNK_POINTS *
 * REC_MAX bytes; tmp: of CHUNK_POINTS records. */
static int chunks_append(struct cache *c, int64_t metric_id, int64_t stream_id,
                         const struct chunk_tail *t, const struct cache_chunk_rec *r, size_t n,
                         unsigned char *buf, struct cache_chunk_rec *tmp, struct err *e)
{
    sqlite3_stmt *st = NULL;
    size_t i, done = 0, bytes;
    int rc = 0;

    if (n == 0)
        return 0;
    if (t->id != 0 && t->n < CHUNK_POINTS) {
        size_t take = (size_t)(CHUNK_POINTS - t->n);
        int64_t lo = t->min_ts, hi = t->max_ts;

        if (take > n)
            take = n;
        if ((rc = cache_prepare_kept(c, "SELECT data FROM metric_chunks WHERE id=?", &st, e)) != 0)
            return rc;
        sqlite3_bind_int64(st, 1, t->id);
        if (sqlite3_step(st) != SQLITE_ROW)
            rc = cache_fail(c, e, "reading metric points");
        else if (t->n < 0 || cache_chunk_decode(sqlite3_column_blob(st, 0),
                                          (size_t)sqlite3_column_bytes(st, 0), (size_t)t->n,
                                          tmp) != 0)
            rc = err_set(e, ERR_CACHE, "cache: a metric points row is damaged (%d points); "
                         "--reset-cache rebuilds it", t->n);
        cache_kept_done(c, st);
        if (rc != 0)
            return rc;
        for (i = 0; i < take; i++)
            tmp[(size_t)t->n + i] = r[i];
        bytes = chunk_encode(tmp, (size_t)t->n + take, buf);
        ts_range(r, take, &lo, &hi);
        if ((rc = cache_prepare_kept(c, "UPDATE metric_chunks SET n=?, last_seq=?, last_k=?,"
                                     " min_ts=?, max_ts=?, data=? WHERE id=?", &st, e)) != 0)
            return rc;
        sqlite3_bind_int(st, 1, t->n + (int)take);
        sqlite3_bind_int64(st, 2, r[take - 1].seq);
        sqlite3_bind_int64(st, 3, r[take - 1].k);
        sqlite3_bind_int64(st, 4, lo);
        sqlite3_bind_int64(st, 5, hi);
        sqlite3_bind_blob(st, 6, buf, (int)bytes, SQLITE_STATIC);
        sqlite3_bind_int64(st, 7, t->id);
        rc = sqlite3_step(st) == SQLITE_DONE ? 0 : cache_fail(c, e, "storing metric points");
        cache_kept_done(c, st);
        if (rc != 0)
            return rc;
        done = take;
    }
    if (done == n)
        return 0;
    if ((rc = cache_prepare_kept(c, "INSERT INTO metric_chunks(metric_id, stream_id, first_seq,"
                                 " last_seq, last_k, n, min_ts, max_ts, data)"
                                 " VALUES(?,?,?,?,?,?,?,?,?)", &st, e)) != 0)
        return rc;
    while (done < n && rc == 0) {
        size_t k = n - done < CHUNK_POINTS ? n - done : CHUNK_POINTS;
        int64_t lo = INT64_MAX, hi = INT64_MIN;

        bytes = chunk_encode(r + done, k, buf);
        ts_range(r + done, k, &lo, &hi);
        sqlite3_bind_int64(st, 1, metric_id);
        sqlite3_bind_int64(st, 2, stream_id);
        sqlite3_bind_int64(st, 3, r[done].seq);
        sqlite3_bind_int64(st, 4, r[done + k - 1].seq);
        sqlite3_bind_int64(st, 5, r[done + k - 1].k);
        sqlite3_bind_int(st, 6, (int)k);
        sqlite3_bind_int64(st, 7, lo);
        sqlite3_bind_int64(st, 8, hi);
        sqlite3_bind_blob(st, 9, buf, (int)bytes, SQLITE_STATIC);
        if (sqlite3_step(st) != SQLITE_DONE)
            rc = cache_fail(c, e, "storing metric points");
        sqlite3_reset(st);
        done += k;
    }
    cache_kept_done(c, st);
    return rc;
}

/* The summary of one metric's new points in a cache_points_add() call, written once at the
 * end: a re-extraction stores millions of points, and one UPDATE per point dominated. */
struct msum {
    const char *name;                    /* borrowed from the caller's points */
    int64_t id;
    int64_t count, unparsed, repaired;
    double min, max, last;
    int64_t last_ts;
    struct cache_chunk_rec *r;                       /* this call's new points, in order */
    size_t n, cap;
};

static struct msum *msum_find(struct msum **v, size_t *n, size_t *cap, const char *name)
{
    size_t i;

    for (i = *n; i > 0; i--)             /* the most recent names are the likeliest */
        if ((*v)[i - 1].name == name || strcmp((*v)[i - 1].name, name) == 0)
            return &(*v)[i - 1];
    if (vec_grow((void **)v, cap, *n + 1, sizeof(**v)) != 0)
        return NULL;
    memset(&(*v)[*n], 0, sizeof(**v));
    (*v)[*n].name = name;
    (*v)[*n].id = -1;
    return &(*v)[(*n)++];
}

static int msum_push(struct msum *m, const struct cache_chunk_rec *r)
{
    if (vec_grow((void **)&m->r, &m->cap, m->n + 1, sizeof(*m->r)) != 0)
        return -1;
    m->r[m->n++] = *r;
    return 0;
}

static int stream_job(struct cache *c, int64_t stream_id, int64_t *job_id,
                                 struct err *e)
{
    sqlite3_stmt *st;
    int rc;

    if ((rc = cache_prepare_kept(c, "SELECT job_id FROM log_streams WHERE id=?", &st, e)) != 0)
        return rc;
    sqlite3_bind_int64(st, 1, stream_id);
    if (sqlite3_step(st) == SQLITE_ROW)
        *job_id = sqlite3_column_int64(st, 0);
    else
        rc = err_set(e, ERR_NOTFOUND, "no log stream %lld", (long long)stream_id);
    cache_kept_done(c, st);
    return rc;
}

/* Adds a newly stored point to its metric's summary. */
static void msum_count(struct msum *s, const struct cache_chunk_rec *r)
{
    if (r->proc > SUMMARY_PROC_MAX)
        return;
    if (r->flags & CACHE_POINT_UNPARSED) {
        s->unparsed++;
        return;
    }
    if (isnan(r->value))
        return;     /* a genuine "nan" is stored, but is no count, min, max or last */
    if (s->count == 0 || r->value < s->min)
        s->min = r->value;
    if (s->count == 0 || r->value > s->max)
        s->max = r->value;
    if (s->count == 0 || r->ts_ms >= s->last_ts) {
        s->last = r->value;
        s->last_ts = r->ts_ms;
    }
    s->count++;
    s->repaired += (r->flags & CACHE_POINT_REPAIRED) != 0;
}

int cache_points_add(struct cache *c, int64_t stream_id, const struct cache_point_in *p,
                     size_t n, struct err *e)
{
    sqlite3_stmt *upd = NULL;
    struct msum *sums = NULL, *m = NULL;
    size_t n_sums = 0, cap_sums = 0;
    unsigned char *buf = NULL;
    struct cache_chunk_rec *tmp = NULL;
    int64_t job_id = 0;
    size_t i;
    int rc;

    if (n == 0)
        return 0;
    if ((rc = cache_sp_begin(c, e)) != 0)
        return rc;
    if ((rc = stream_job(c, stream_id, &job_id, e)) != 0)
        goto out;
    /* group by metric, keeping each metric's order */
    for (i = 0; i < n && rc == 0; i++) {
        bool unparsed = (p[i].flags & CACHE_POINT_UNPARSED) != 0;
        struct cache_chunk_rec r;

        if (m == NULL || (m->name != p[i].metric && strcmp(m->name, p[i].metric) != 0)) {
            if ((m = msum_find(&sums, &n_sums, &cap_sums, p[i].metric)) == NULL) {
                rc = err_set(e, ERR_NOMEM, "out of memory storing metric points");
                break;
            }
        }
        r.seq = p[i].seq;
        r.ts_ms = p[i].ts_ms;
        r.step = p[i].step;
        r.value = unparsed ? NAN : p[i].value;
        r.epoch = p[i].epoch;
        r.sm = p[i].sagemaker_value;
        r.flags = p[i].flags;
        r.k = p[i].index < 0 ? 0 : (uint32_t)p[i].index;
        r.proc = p[i].proc < 0 ? 0 : (uint32_t)p[i].proc;
        if (msum_push(m, &r) != 0)
            rc = err_set(e, ERR_NOMEM, "out of memory storing metric points");
    }
    if (rc == 0 && ((buf = malloc((size_t)CHUNK_POINTS * REC_MAX)) == NULL ||
                    (tmp = malloc(CHUNK_POINTS * sizeof(*tmp))) == NULL))
        rc = err_set(e, ERR_NOMEM, "out of memory storing metric points");
    for (i = 0; i < n_sums && rc == 0; i++) {
        struct msum *s = &sums[i];
        struct chunk_tail t;
        int64_t at_seq, at_k;
        size_t j, kept = 0;
        bool any;

        if ((rc = metric_id(c, job_id, s->name, &s->id, e)) != 0 ||
            (rc = chunk_tail_get(c, s->id, stream_id, &t, e)) != 0)
            break;
        /* what is at or before the stored end (or repeated in this call) is stored already */
        any = t.any;
        at_seq = t.last_seq;
        at_k = t.last_k;
        for (j = 0; j < s->n; j++) {
            const struct cache_chunk_rec *r = &s->r[j];

            if (any && (r->seq < at_seq || (r->seq == at_seq && (int64_t)r->k <= at_k)))
                continue;
            any = true;
            at_seq = r->seq;
            at_k = r->k;
            s->r[kept++] = *r;
            msum_count(s, r);
        }
        rc = chunks_append(c, s->id, stream_id, &t, s->r, kept, buf, tmp, e);
    }
    if (rc == 0 && n_sums > 0 &&
        (rc = cache_prepare_kept(c, "UPDATE metrics SET count=count+?4, unparsed=unparsed+?5,"
                                 " repaired=repaired+?6, min=CASE WHEN ?4=0 THEN min ELSE"
                                 " min(coalesce(min,?7),?7) END, max=CASE WHEN ?4=0 THEN max"
                                 " ELSE max(coalesce(max,?8),?8) END,"
                                 " last=CASE WHEN ?4>0 AND (last_ts IS NULL OR ?2>=last_ts)"
                                 " THEN ?1 ELSE last END, last_ts=CASE WHEN ?4=0 THEN last_ts"
                                 " ELSE max(coalesce(last_ts,?2),?2) END, defs_hash=NULL"
                                 " WHERE id=?3", &upd, e)) == 0) {
        for (i = 0; i < n_sums && rc == 0; i++) {
            struct msum *s = &sums[i];

            if (s->count == 0 && s->unparsed == 0)
                continue;
            sqlite3_bind_double(upd, 1, s->last);
            sqlite3_bind_int64(upd, 2, s->last_ts);
            sqlite3_bind_int64(upd, 3, s->id);
            sqlite3_bind_int64(upd, 4, s->count);
            sqlite3_bind_int64(upd, 5, s->unparsed);
            sqlite3_bind_int64(upd, 6, s->repaired);
            sqlite3_bind_double(upd, 7, s->min);
            sqlite3_bind_double(upd, 8, s->max);
            if (sqlite3_step(upd) != SQLITE_DONE)
                rc = cache_fail(c, e, "updating a metric summary");
            sqlite3_reset(upd);
        }
    }
out:
    for (i = 0; i < n_sums; i++)
        free(sums[i].r);
    free(sums);
    free(buf);
    free(tmp);
    cache_kept_done(c, upd);
    return cache_sp_end(c, rc, e);
}

int cache_points_migrate_v6(struct cache *c, struct err *e)
{
    sqlite3_stmt *st;
    struct cache_chunk_rec *r = NULL;
    unsigned char *buf = NULL;
    struct chunk_tail none;
    int64_t metric = -1, stream = -1;
    size_t n = 0;
    int rc, s;

    memset(&none, 0, sizeof(none));
    r = malloc(CHUNK_POINTS * sizeof(*r));
    buf = malloc((size_t)CHUNK_POINTS * REC_MAX);
    if (r == NULL || buf == NULL) {
        free(r);
        free(buf);
        return err_set(e, ERR_NOMEM, "out of memory migrating metric points");
    }
    if ((rc = cache_prepare(c, "SELECT metric_id, stream_id, seq, k, ts_ms, value, step, epoch,"
                            " flags, sm_value FROM metric_points ORDER BY metric_id, stream_id,"
                            " seq, k", &st, e)) != 0)
        goto out;
    for (;;) {
        s = sqlite3_step(st);
        if (s == SQLITE_ROW && n < CHUNK_POINTS && sqlite3_column_int64(st, 0) == metric &&
            sqlite3_column_int64(st, 1) == stream) {
            /* same row group: fall through to append */
        } else if (n > 0) {
            if ((rc = chunks_append(c, metric, stream, &none, r, n, buf, NULL, e)) != 0)
                break;
            n = 0;
        }
        if (s != SQLITE_ROW)
            break;
        metric = sqlite3_column_int64(st, 0);
        stream = sqlite3_column_int64(st, 1);
        r[n].seq = sqlite3_column_int64(st, 2);
        r[n].k = (uint32_t)sqlite3_column_int64(st, 3);
        r[n].ts_ms = sqlite3_column_int64(st, 4);
        r[n].value = sqlite3_column_type(st, 5) == SQLITE_NULL ? NAN
                                                                : sqlite3_column_double(st, 5);
        r[n].step = sqlite3_column_type(st, 6) == SQLITE_NULL ? -1 : sqlite3_column_int64(st, 6);
        r[n].epoch = sqlite3_column_type(st, 7) == SQLITE_NULL ? NAN
                                                                : sqlite3_column_double(st, 7);
        r[n].flags = (uint32_t)sqlite3_column_int64(st, 8);
        r[n].sm = sqlite3_column_type(st, 9) == SQLITE_NULL ? NAN : sqlite3_column_double(st, 9);
        r[n].proc = 0;
        n++;
    }
    if (rc == 0 && s != SQLITE_DONE)
        rc = cache_fail(c, e, "migrating metric points");
    sqlite3_finalize(st);
    if (rc == 0)
        rc = cache_exec(c, "DROP TABLE metric_points", e);
out:
    free(r);
    free(buf);
    return rc;
}

int cache_points_clear(struct cache *c, const char *job, struct err *e)
{
    sqlite3_stmt *st;
    int64_t id;
    int rc;

    if ((rc = cache_sp_begin(c, e)) != 0)
        return rc;
    if ((rc = cache_job_lookup(c, job, &id, e)) == 0 &&
        (rc = cache_prepare(c, "DELETE FROM metrics WHERE job_id=?", &st, e)) == 0) {
        sqlite3_bind_int64(st, 1, id);
        rc = sqlite3_step(st) == SQLITE_DONE ? 0 : cache_fail(c, e, "clearing metric points");
        sqlite3_finalize(st);
    }
    return cache_sp_end(c, rc, e);
}

int cache_metric_hashes(struct cache *c, int64_t job_id, struct cache_metric_hash **out,
                        size_t *n_out, struct err *e)
{
    struct cache_metric_hash *v = NULL;
    size_t n = 0, cap = 0;
    sqlite3_stmt *st;
    int rc, s;

    if ((rc = cache_prepare_kept(c, "SELECT name, defs_hash FROM metrics WHERE job_id=?", &st,
                                 e)) != 0)
        return rc;
    sqlite3_bind_int64(st, 1, job_id);
    while ((s = sqlite3_step(st)) == SQLITE_ROW) {
        if (vec_grow((void **)&v, &cap, n + 1, sizeof(*v)) != 0) {
            rc = err_set(e, ERR_NOMEM, "out of memory reading metrics");
            break;
        }
        cache_col_text(st, 0, v[n].name, sizeof(v[n].name));
        v[n].known = sqlite3_column_type(st, 1) != SQLITE_NULL;
        v[n].hash = v[n].known ? sqlite3_column_int64(st, 1) : 0;
        n++;
    }
    if (rc == 0 && s != SQLITE_DONE)
        rc = cache_fail(c, e, "reading metrics");
    cache_kept_done(c, st);
    if (rc != 0) {
        free(v);
        return rc;
    }
    *out = v;
    *n_out = n;
    return 0;
}

int cache_metric_drop(struct cache *c, int64_t job_id, const char *name, struct err *e)
{
    sqlite3_stmt *st;
    int rc;

    if ((rc = cache_prepare(c, "DELETE FROM metrics WHERE job_id=? AND name=?", &st, e)) != 0)
        return rc;
    sqlite3_bind_int64(st, 1, job_id);
    sqlite3_bind_text(st, 2, name, -1, SQLITE_STATIC);
    rc = sqlite3_step(st) == SQLITE_DONE ? 0 : cache_fail(c, e, "clearing metric points");
    sqlite3_finalize(st);
    return rc;
}

int cache_metric_set_hash(struct cache *c, int64_t job_id, const char *name, int64_t hash,
                          struct err *e)
{
    sqlite3_stmt *st;
    int64_t id;
    int rc;

    if ((rc = metric_id(c, job_id, name, &id, e)) != 0)
        return rc;
    if ((rc = cache_prepare_kept(c, "UPDATE metrics SET defs_hash=? WHERE id=?", &st, e)) != 0)
        return rc;
    sqlite3_bind_int64(st, 1, hash);
    sqlite3_bind_int64(st, 2, id);
    rc = sqlite3_step(st) == SQLITE_DONE ? 0 : cache_fail(c, e, "storing a metric");
    cache_kept_done(c, st);
    return rc;
}
