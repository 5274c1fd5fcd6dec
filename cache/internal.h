/* internal.h: what the cache/ files share and nobody outside cache/ may include: the handle's
 * layout and the small SQLite helpers (sql.c). */
#ifndef SAGETOP_CACHE_INTERNAL_H
#define SAGETOP_CACHE_INTERNAL_H

#ifndef PCRE2_CODE_UNIT_WIDTH
#define PCRE2_CODE_UNIT_WIDTH 8
#endif
#include <pcre2.h>
#include <sqlite3.h>
#include <stdbool.h>
#include <stdint.h>

#include "aws/err.h"
#include "cache/cache.h"
#include "cache/logpage.h"

#define CACHE_KEPT_MAX 24

struct cache {
    sqlite3 *db;
    char path[4096];
    bool read_only;
    int64_t scope_id;            /* 0 = scope not created yet (read-only, unknown scope) */
    char account[64];
    char region[64];
    uint64_t own_writes;         /* commits made through this handle */
    int savepoints;              /* nesting depth of cache_sp_begin */
    int sp_began_tx;             /* depth at which cache_sp_begin opened BEGIN IMMEDIATE, 0 */
    /* statements kept prepared for the next call (cache_prepare_kept), finalized by
     * cache_close(); busy while a caller holds one */
    struct cache_kept {
        sqlite3_stmt *st;
        bool busy;
    } kept[CACHE_KEPT_MAX];
    int n_kept;
    /* the page builder of cache_stream_append (its buffers and zstd context kept from one
     * append to the next); NULL until the first append */
    struct logpage_builder *builder;
};

/* ERR_CACHE with "what: <sqlite message> (<path>)". Returns the code. */
int cache_fail(struct cache *c, struct err *e, const char *what);
/* Prepares sql; on failure fills e. */
int cache_prepare(struct cache *c, const char *sql, sqlite3_stmt **st, struct err *e);
/* The statement for sql kept prepared on this connection from one call to the next (the
 * per-page and per-job statements of a sync: preparing costs more than running them). Hand it
 * back with cache_kept_done() instead of sqlite3_finalize(); it is reset and its bindings
 * cleared. When sql's statement is already held (nested use) or the table is full, a fresh
 * statement is prepared, which cache_kept_done() finalizes. On failure fills e. */
int cache_prepare_kept(struct cache *c, const char *sql, sqlite3_stmt **st, struct err *e);
void cache_kept_done(struct cache *c, sqlite3_stmt *st);
/* Finalizes every kept statement (cache_close()). */
void cache_kept_clean(struct cache *c);
/* Runs sql with no results. */
int cache_exec(struct cache *c, const char *sql, struct err *e);

/* A SAVEPOINT around one writer, so writers nest inside cache_tx_begin(). */
int cache_sp_begin(struct cache *c, struct err *e);
int cache_sp_end(struct cache *c, int rc, struct err *e);   /* releases on rc == 0, else rolls back */

int cache_require_rw(struct cache *c, struct err *e);
/* The job row id in the current scope; ERR_NOTFOUND naming the job. */
int cache_job_lookup(struct cache *c, const char *name, int64_t *id, struct err *e);

/* Schema 6: packs every metric_points row into metric_chunks, then drops metric_points. */
int cache_points_migrate_v6(struct cache *c, struct err *e);

/* Log pages (logstore.c): the columns every page query selects, in the order
 * cache_page_decode_row() reads them; it decodes the current row into pg (see logpage.h). */
#define CACHE_PAGE_COLS "SELECT first_seq, n_events, first_ts, raw_bytes, data FROM log_pages "
int cache_page_decode_row(sqlite3_stmt *st, ZSTD_DCtx *dctx, struct logpage *pg, struct err *e);

/* The rows of one job as a growing array (sql.c): runs sql with ?1 = the handle's scope and
 * ?2 = the job's name, and for each row calls read(st, item) on the next zeroed-by-nobody item
 * of elem bytes. On failure (ERR_NOMEM, or ERR_CACHE naming `what`) the items read so far stay
 * in items/n for the caller's own clean function. */
typedef void (*cache_row_fn)(sqlite3_stmt *st, void *item);
struct cache_rows {
    size_t elem;
    cache_row_fn read;
    const char *what;            /* "reading tags": for the error message */
    void *items;                 /* the caller's to free */
    size_t n, cap;
};
int cache_job_rows(struct cache *c, const char *sql, const char *job, struct cache_rows *r,
                   struct err *e);

/* Job rows (jobs.c): the columns cache_job_read_row() reads from a "jobs j" query, in order;
 * cache_parse_number(): the whole of s (spaces around allowed) is one finite number. */
#define CACHE_JOB_COLS "j.id, j.name, j.arn, j.status, j.secondary_status, j.creation_time," \
    " j.start_time, j.end_time, j.last_modified, j.instance_type, j.instance_count," \
    " j.training_seconds, j.billable_seconds, j.spot, j.describe_json IS NOT NULL," \
    " j.described_at, j.failure_reason"
#define CACHE_JOB_NCOLS 17      /* the columns above; cache_jobs_window() adds one after them */
void cache_job_read_row(sqlite3_stmt *st, struct cache_job *j);
bool cache_parse_number(const char *s, double *out);
/* The same into a cache_kv_list (jobs.c); read fills one struct cache_kv. */
int cache_kv_rows(struct cache *c, const char *sql, const char *job, cache_row_fn read,
                  const char *what, struct cache_kv_list *out, struct err *e);
/* The cache_row_fn of a two-column (key, value) query. */
void cache_kv_read_row(sqlite3_stmt *st, void *item);

/* Copies a column's text (or "") into buf. */
void cache_col_text(sqlite3_stmt *st, int col, char *buf, size_t size);
char *cache_col_strdup(sqlite3_stmt *st, int col);
/* A stored document: sql selects it with ?1 the scope and ?2 name; *json (caller frees) only on
 * success; ERR_NOTFOUND "<what> NAME has not been described yet" when absent or NULL. */
int cache_read_doc(struct cache *c, const char *sql, const char *name, const char *what,
                   char **json, struct err *e);

/* Registers REGEXP (PCRE2, smart case) on the connection. */
int cache_regexp_register(struct cache *c, struct err *e);
/* Registers gpus(instance_type) (sysread.c: instance_types_gpus()) on the connection. */
int cache_sys_sql_register(struct cache *c, struct err *e);
/* Compiles a user regex with smart case; ERR_INVAL with the offset on error. */
int cache_regex_compile(const char *re, pcre2_code **out, struct err *e);

/* Packed metric points (points.c): one metric_chunks row holds up to CACHE_CHUNK_POINTS points
 * of a metric in one stream. cache_chunk_decode() decodes a row's blob of len bytes holding n
 * points into out; -1 when the blob is damaged. */
#define CACHE_CHUNK_POINTS 1024
struct cache_chunk_rec {
    int64_t seq, ts_ms, step;
    double value, epoch, sm;
    uint32_t flags, k;
    uint32_t proc;                       /* mextract_proc_code(), 0 = no launcher prefix */
};
int cache_chunk_decode(const unsigned char *p, size_t len, size_t n, struct cache_chunk_rec *out);

/* Re-extraction (points.c). A metric's defs_hash fingerprints the definitions all its points
 * were extracted with; every cache_points_add() that stores a point forgets it (sync does not
 * record it), so a metric with a known hash holds exactly what those definitions extract. */
struct cache_metric_hash {
    char name[256];
    bool known;          /* false: defs_hash is NULL */
    int64_t hash;
};
/* The job's metrics with their hashes; *out is the caller's to free(). */
int cache_metric_hashes(struct cache *c, int64_t job_id, struct cache_metric_hash **out,
                        size_t *n_out, struct err *e);
/* Deletes one metric of a job with its points and summary. */
int cache_metric_drop(struct cache *c, int64_t job_id, const char *name, struct err *e);
/* Records hash on the metric (created empty when missing): call after storing all its points. */
int cache_metric_set_hash(struct cache *c, int64_t job_id, const char *name, int64_t hash,
                          struct err *e);

#endif
