/* logstore.h: the write side of the cache: log streams, their cursors, log pages and metric
 * points. Used by the sync engine (sync_*.c) and the tests; the UI only reads (cache.h).
 *
 * Storage: a stream's events are kept in pages of up to CACHE_PAGE_EVENTS events (or
 * CACHE_PAGE_RAW_MAX raw bytes), zstd-compressed (pages older builds wrote with zlib stay
 * readable), one row per page, indexed by (stream, first_seq) and (stream, last_ts). Within a
 * stream, events keep the order GetLogEvents returned them in (seq = ordinal), and their
 * ordering timestamp is clamped to be non-decreasing so a time seek is a binary search. The
 * last page of a stream stays "open" (re-written on append) until it is full, so following a
 * quiet job does not leave a trail of one-line pages.
 *
 * Transactions: every writer here runs inside a SAVEPOINT, so a caller may group several
 * (events + cursor + points) into one cache_tx_begin()/cache_tx_commit(): a kill at any moment
 * leaves either all of them or none. Same thread rules and errors as cache.h. */
#ifndef SAGETOP_CACHE_LOGSTORE_H
#define SAGETOP_CACHE_LOGSTORE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "aws/err.h"
#include "cache/cache.h"

#define CACHE_PAGE_EVENTS 256
#define CACHE_PAGE_RAW_MAX (64 * 1024)
#define CACHE_TOKEN_MAX 4096

/* BEGIN IMMEDIATE / COMMIT / ROLLBACK on this handle. */
int cache_tx_begin(struct cache *c, struct err *e);
int cache_tx_commit(struct cache *c, struct err *e);
void cache_tx_rollback(struct cache *c);

/* The job's row id in the current scope, or ERR_NOTFOUND. */
int cache_job_id(struct cache *c, const char *name, int64_t *id, struct err *e);

struct cache_stream {
    int64_t id;
    char name[512];                      /* "<job>/algo-1-1656268442" */
    char instance[32];                   /* "algo-1" */
    char token[CACHE_TOKEN_MAX];         /* GetLogEvents nextForwardToken; "" = from head */
    int64_t n_events;                    /* events stored = the next event's seq */
    int64_t last_ts_ms;
    bool done;                           /* drained after the job ended */
};
struct cache_stream_list {
    struct cache_stream *items;
    size_t n;
};
void cache_stream_list_clean(struct cache_stream_list *l);

/* Registers a stream of a job (no-op when known); *id (may be NULL) receives its row id. */
int cache_stream_ensure(struct cache *c, const char *job, const char *stream_name, int64_t *id,
                        struct err *e);
int cache_streams(struct cache *c, const char *job, struct cache_stream_list *out, struct err *e);
int cache_stream_get(struct cache *c, int64_t stream_id, struct cache_stream *out, struct err *e);

struct cache_event {
    int64_t ts_ms;
    const char *msg;                     /* borrowed, not NUL-terminated */
    size_t len;
};
/* Appends events (seq n_events, n_events+1, ...) and sets the stream's cursor to next_token,
 * atomically. next_token NULL leaves the cursor as it is. A message longer than
 * CACHE_LINE_MAX is cut there. */
#define CACHE_LINE_MAX (256 * 1024)
int cache_stream_append(struct cache *c, int64_t stream_id, const struct cache_event *ev,
                        size_t n, const char *next_token, struct err *e);
/* The same, conditional on the cursor the page was fetched from: the events are stored only
 * when the stream still has expect->n_events events and the token expect->token ("" or NULL =
 * from head). Otherwise nothing is written, *applied is false and 0 is returned: someone else
 * (another worker or process syncing the same stream) stored that page first; re-read the
 * stream and go on from its cursor. This check under the write lock is what makes "a page and
 * its cursor in one transaction" hold with several writers: a page is never stored twice. */
struct cache_cursor {
    int64_t n_events;
    const char *token;
};
int cache_stream_append_at(struct cache *c, int64_t stream_id, const struct cache_cursor *expect,
                           const struct cache_event *ev, size_t n, const char *next_token,
                           bool *applied, struct err *e);
int cache_stream_set_done(struct cache *c, int64_t stream_id, bool done, struct err *e);

/* The metric extractor's per-stream state (an opaque blob, e.g. struct mextract_state), saved
 * in the same transaction as the events it has seen. get: ERR_NOTFOUND when none is saved or
 * its size differs from size (then the caller replays the stream to rebuild it). */
int cache_stream_set_extract_state(struct cache *c, int64_t stream_id, const void *state,
                                   size_t size, struct err *e);
int cache_stream_get_extract_state(struct cache *c, int64_t stream_id, void *state, size_t size,
                                   struct err *e);

/* Metric points extracted from a stream's events (seq is the event's ordinal). Duplicates
 * (same job, metric, stream, seq, index) are ignored, so re-extraction is idempotent. Keeps the
 * per-job last/min/max/count/unparsed/repaired summary current. A point flagged
 * CACHE_POINT_UNPARSED is kept (value NULL) and counted as unparsed; any other NaN value is
 * dropped (SQLite cannot store NaN). */
struct cache_point_in {
    const char *metric;
    int64_t seq;
    int index;                           /* nth point of this metric in the event (0, 1, ...) */
    int64_t ts_ms;
    double value;
    int64_t step;                        /* -1 = unknown (NB: a zeroed struct says step 0) */
    double epoch;                        /* NaN = unknown */
    unsigned flags;                      /* metrics.h's enum mpoint_flags */
    double sagemaker_value;              /* NaN = SageMaker would store nothing */
    int32_t proc;                        /* mextract_proc_code(): the printing process, 0 none */
};
int cache_points_add(struct cache *c, int64_t stream_id, const struct cache_point_in *p,
                     size_t n, struct err *e);
/* Forgets every extracted point of a job (before re-extraction with new definitions). */
int cache_points_clear(struct cache *c, const char *job, struct err *e);

/* Reads one stream's events in seq order from first_seq, calling fn for each until it returns
 * non-zero (that value is returned, e untouched) or the stream ends. A damaged page fails with
 * ERR_CACHE after fn has seen every event before it. For re-extraction and tests. */
typedef int (*cache_event_fn)(void *ctx, int64_t seq, int64_t ts_ms, const char *msg,
                              size_t len);
int cache_stream_scan(struct cache *c, int64_t stream_id, int64_t first_seq, cache_event_fn fn,
                      void *ctx, struct err *e);
/* The same, with the pages read and decompressed a few ahead (at most 8 decoded pages held) on
 * a thread of its own through a second, read-only connection to c's file, so that fn (still
 * called on the caller's thread, in order) overlaps decompression. fn may write through c,
 * even inside the caller's transaction. The thread is joined before this returns, on every
 * path. The second connection reads the last committed state: call it only when this
 * connection's open transaction, if any, has not written to the stream's log pages
 * (cache_stream_append*); use cache_stream_scan() then. Falls back to cache_stream_scan() when
 * the second connection cannot be had (in-memory or temporary database, not in WAL mode, any
 * error opening it). */
int cache_stream_scan_ahead(struct cache *c, int64_t stream_id, int64_t first_seq,
                            cache_event_fn fn, void *ctx, struct err *e);

#endif
