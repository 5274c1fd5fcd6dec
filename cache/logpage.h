/* logpage.h: the log page codec, pure (no SQLite, no I/O): what logstore.c writes into a
 * log_pages row's data blob and what every reader decodes from it. Nobody outside cache/ (and
 * its unit tests) may include it.
 *
 * Page format (before compression): varint n, then n x (varint ts delta from the previous
 * event, the first from the row's first_ts; varint length), then the n messages back to back.
 * A page is stored as one zstd frame with its checksum; pages written before zstd are zlib
 * streams and stay readable: the blob's first bytes tell which. Decoding checks every count,
 * length and offset against the raw size, so a damaged blob is refused (ERR_CACHE), never
 * misread. Thread-compatible: a page or builder belongs to whoever initialised it. */
#ifndef SAGETOP_CACHE_LOGPAGE_H
#define SAGETOP_CACHE_LOGPAGE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <zstd.h>

#include "aws/err.h"
#include "cache/logstore.h"

/* LEB128 varints (log pages, packed points): put returns the bytes written (at most 10);
 * get advances *p, -1 when the bytes end first or the value is over 64 bits. */
size_t cache_put_varint(unsigned char *p, uint64_t v);
int cache_get_varint(const unsigned char **p, const unsigned char *end, uint64_t *out);

/* A decoded page: events [0, n) with seq first_seq + i. Its buffers serve the next page
 * decoded into it: a zeroed page starts with none, logpage_clean() frees them. */
struct logpage {
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
void logpage_clean(struct logpage *pg);

/* Decodes a page blob (zstd or zlib) of raw_len bytes once inflated, whose first event is at
 * first_ts and has seq first_seq, into pg (zeroed, or holding an earlier page whose buffers it
 * reuses). ERR_CACHE when the blob is damaged, ERR_NOMEM; on failure pg is cleaned. dctx may
 * be NULL (zstd then makes a context for this call). */
int logpage_decode(const void *blob, size_t blob_len, size_t raw_len, int64_t first_ts,
                   int64_t first_seq, ZSTD_DCtx *dctx, struct logpage *pg, struct err *e);

/* Events gathered for one page before it is encoded. Zero it to start. */
struct logpage_builder {
    int n;
    int64_t first_seq;
    int64_t ts[CACHE_PAGE_EVENTS];
    uint32_t len[CACHE_PAGE_EVENTS];
    char *text;
    size_t text_len, text_cap;
    unsigned char *raw, *z;        /* scratch; z holds the last encoded page */
    size_t raw_cap, z_cap;
    ZSTD_CCtx *zc;                 /* made at the first encode, kept for the next ones */
};
/* Adds one event (ts non-decreasing is the caller's rule); ERR_NOMEM. */
int logpage_builder_add(struct logpage_builder *b, int64_t ts, const char *msg, size_t len);
/* The builder holds a full page: CACHE_PAGE_EVENTS events or CACHE_PAGE_RAW_MAX bytes. */
bool logpage_builder_full(const struct logpage_builder *b);
/* Encodes and compresses the n > 0 events held into b->z: *z_len compressed bytes of a page of
 * *raw_len raw bytes. The events stay (the caller empties the builder once stored). */
int logpage_builder_encode(struct logpage_builder *b, size_t *z_len, size_t *raw_len,
                           struct err *e);
/* Forgets the events held: the next page starts at first_seq + n. */
void logpage_builder_next(struct logpage_builder *b);
void logpage_builder_clean(struct logpage_builder *b);     /* NULL: no-op */

#endif
