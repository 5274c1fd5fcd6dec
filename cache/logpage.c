/* logpage.c: the log page codec (see logpage.h): varints, decoding a stored page blob of
 * either codec, and building and compressing a new page. Pure: it must not touch SQLite, the
 * network or a file; logstore.c stores what it encodes and the readers hand it what they read. */
#include <stdlib.h>
#include <string.h>
#include <zlib.h>
#include <zstd.h>

#include "aws/dynbuf.h"
#include "cache/logpage.h"

/* zstd 6: over the 7,813 pages of a 405 MB Hugging Face log it compresses to 0.101 of the raw
 * size (2: 0.114, 3: 0.123, zlib 6: 0.135) and decompresses in 0.17 s (2 and 3: 0.22 s, zlib 6:
 * 0.66 s), what re-extraction waits for; compressing takes 2.1 s (2: 0.53 s), ~200 MB/s, far
 * above what GetLogEvents delivers (1 MB a call). Level 9 decompresses no faster. */
#define PAGE_ZSTD_LEVEL 6

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

void logpage_clean(struct logpage *pg)
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

int logpage_decode(const void *blob, size_t blob_len, size_t raw_len, int64_t first_ts,
                   int64_t first_seq, ZSTD_DCtx *dctx, struct logpage *pg, struct err *e)
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
            logpage_clean(pg);
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
            logpage_clean(pg);
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
    logpage_clean(pg);
    return err_set(e, ERR_CACHE, "a log page in the cache is damaged; --reset-cache rebuilds "
                   "the cache");
}


int logpage_builder_add(struct logpage_builder *b, int64_t ts, const char *msg, size_t len)
{
    if (vec_grow((void **)&b->text, &b->text_cap, b->text_len + len, 1) != 0)
        return ERR_NOMEM;
    memcpy(b->text + b->text_len, msg, len);
    b->text_len += len;
    b->ts[b->n] = ts;
    b->len[b->n] = (uint32_t)len;
    b->n++;
    return 0;
}

bool logpage_builder_full(const struct logpage_builder *b)
{
    return b->n >= CACHE_PAGE_EVENTS || b->text_len >= CACHE_PAGE_RAW_MAX;
}

/* Grows a scratch buffer to at least need bytes (its contents are not kept). */
static int scratch(unsigned char **p, size_t *cap, size_t need)
{
    unsigned char *np;

    if (need <= *cap)
        return 0;
    if ((np = realloc(*p, need)) == NULL)
        return ERR_NOMEM;
    *p = np;
    *cap = need;
    return 0;
}

int logpage_builder_encode(struct logpage_builder *b, size_t *z_len, size_t *raw_len,
                           struct err *e)
{
    size_t hdr_max = 10 + (size_t)b->n * 20, raw = 0, zlen;
    int64_t prev;
    int i;

    if (scratch(&b->raw, &b->raw_cap, hdr_max + b->text_len) != 0)
        return err_set(e, ERR_NOMEM, "out of memory storing log events");
    raw += cache_put_varint(b->raw, (uint64_t)b->n);
    prev = b->n > 0 ? b->ts[0] : 0;
    for (i = 0; i < b->n; i++) {
        raw += cache_put_varint(b->raw + raw, (uint64_t)(b->ts[i] - prev));
        prev = b->ts[i];
        raw += cache_put_varint(b->raw + raw, b->len[i]);
    }
    if (b->text_len > 0)
        memcpy(b->raw + raw, b->text, b->text_len);
    raw += b->text_len;
    if (scratch(&b->z, &b->z_cap, ZSTD_compressBound(raw)) != 0)
        return err_set(e, ERR_NOMEM, "out of memory storing log events");
    if (b->zc == NULL) {
        /* the checksum keeps zlib's guarantee: a damaged page is refused, never misread */
        if ((b->zc = ZSTD_createCCtx()) == NULL ||
            ZSTD_isError(ZSTD_CCtx_setParameter(b->zc, ZSTD_c_compressionLevel,
                                                PAGE_ZSTD_LEVEL)) ||
            ZSTD_isError(ZSTD_CCtx_setParameter(b->zc, ZSTD_c_checksumFlag, 1)))
            return err_set(e, ERR_NOMEM, "out of memory storing log events");
    }
    zlen = ZSTD_compress2(b->zc, b->z, b->z_cap, b->raw, raw);
    if (ZSTD_isError(zlen))
        return err_set(e, ERR_NOMEM, "cannot compress a log page: %s", ZSTD_getErrorName(zlen));
    *z_len = zlen;
    *raw_len = raw;
    return 0;
}

void logpage_builder_next(struct logpage_builder *b)
{
    b->first_seq += b->n;
    b->n = 0;
    b->text_len = 0;
}

void logpage_builder_clean(struct logpage_builder *b)
{
    if (b == NULL)
        return;
    free(b->text);
    free(b->raw);
    free(b->z);
    ZSTD_freeCCtx(b->zc);
    memset(b, 0, sizeof(*b));
}
