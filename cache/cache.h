/* cache.h: the local SQLite cache: every job, status, hyperparameter, log line and metric point
 * sagetop has seen, so every front end starts instantly and works offline.
 *
 * Threads: a struct cache is one SQLite connection and belongs to ONE thread. The UI opens its
 * own read-only handle (CACHE_READ_ONLY); the sync engine (sync.h) opens its own read-write
 * handles on its worker threads. WAL mode lets readers run while a writer commits; nothing
 * here blocks for longer than the busy timeout (5 s) on another connection's write.
 *
 * Scope: everything is kept per (account, region). A handle reads and writes one scope at a
 * time: cache_scope_use() selects it (created on first use). Until then the scope is
 * ("unknown", "unknown"). The front ends pick it with cache_session_open() (session.h), which
 * asks STS for the account and remembers it through cache_scope_pick().
 *
 * Ownership: results go into caller-owned structs and arrays; list results that must allocate
 * are returned in a struct with a matching *_clean(). Strings passed in are borrowed.
 *
 * Errors: every fallible function returns 0 or a negative ERR_* (aws/err.h) and fills e:
 * ERR_CACHE (SQLite: says which file and what to do), ERR_IO (directory, permissions, disk
 * full), ERR_INVAL (bad regex, bad filter: says where), ERR_NOTFOUND (no such job in the
 * cache). Nothing here prints, exits or aborts. Nothing secret is ever stored. */
#ifndef SAGETOP_CACHE_H
#define SAGETOP_CACHE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "aws/err.h"

struct procsel; /* metrics/procprefix.h */

struct cache;

/* ---- Opening -------------------------------------------------------------------------- */

enum cache_open_flags {
    CACHE_READ_ONLY = 1 << 0,   /* the UI's connection: never writes (a missing or older
                                   file is first created/migrated by a short-lived writer) */
    CACHE_RESET = 1 << 1,       /* --reset-cache: move an existing file aside first */
};

/* The current schema version (PRAGMA user_version). */
#define CACHE_SCHEMA_VERSION 9

/* Writes $XDG_CACHE_HOME/sagetop/cache.db (or ~/.cache/sagetop/cache.db) into buf. */
int cache_default_path(char *buf, size_t size, struct err *e);

/* Opens (creating the directory 0700 and the file 0600 when missing) and migrates forward.
 * path NULL = cache_default_path(). Refuses, without touching the file:
 *   - a cache written by a newer sagetop (user_version > CACHE_SCHEMA_VERSION): ERR_CACHE,
 *     "... was written by a newer sagetop (schema N > M); upgrade, or use --cache/--reset-cache";
 *   - a file that is not a sagetop cache (not SQLite, or SQLite without our marker): ERR_CACHE.
 * With CACHE_RESET an existing file (and its -wal/-shm) is renamed to
 * "<path>.old-<YYYYmmddTHHMMSS>" first; moved_to (may be NULL) receives that name or "".
 * Pragmas: journal_mode=WAL, foreign_keys=ON, busy_timeout=5000, synchronous=NORMAL. */
int cache_open(const char *path, unsigned flags, struct cache **out, char *moved_to,
               size_t moved_size, struct err *e);
void cache_close(struct cache *c);              /* NULL is a no-op */
/* Folds the WAL back into the file and truncates it (after a large import; the file size is
 * then the cache's real size). Read-write handles only. */
int cache_checkpoint(struct cache *c, struct err *e);
const char *cache_path(const struct cache *c);

/* Selects (creating in a read-write handle) the (account, region) scope. */
int cache_scope_use(struct cache *c, const char *account, const char *region, struct err *e);
/* How a front end picks its scope: identity_key names who/where it talks to (e.g.
 * "<profile>@<sagemaker endpoint host>"). Online, pass the account from STS
 * GetCallerIdentity: it is remembered for that key (read-write handles). Offline (account
 * NULL), the account last remembered for the key is used, else "unknown". Then as
 * cache_scope_use(). */
int cache_scope_pick(struct cache *c, const char *identity_key, const char *region,
                     const char *account, struct err *e);
const char *cache_scope_account(const struct cache *c);
const char *cache_scope_region(const struct cache *c);

/* A number that changes whenever any connection commits a change to the cache (PRAGMA
 * data_version plus this handle's own writes). The UI polls it each tick (microseconds) and
 * re-queries its visible window only when it moved. Never fails; 0 on a closed handle. */
uint64_t cache_data_version(struct cache *c);

/* Small key/value store of the current scope, for sync bookkeeping and the UI
 * ("jobs.synced_at" -> "1700000000.5"). value NULL deletes. */
int cache_state_set(struct cache *c, const char *key, const char *value, struct err *e);
/* Copies the value into buf; ERR_NOTFOUND when absent. */
int cache_state_get(struct cache *c, const char *key, char *buf, size_t size, struct err *e);

/* ---- Jobs ----------------------------------------------------------------------------- */

#define CACHE_JOB_NAME_MAX 64
#define CACHE_STATUS_MAX 32

struct cache_job {
    int64_t id;                          /* row id, stable for the life of the cache */
    char name[CACHE_JOB_NAME_MAX];
    char arn[256];
    char status[CACHE_STATUS_MAX];       /* InProgress Completed Failed Stopping Stopped */
    char secondary_status[CACHE_STATUS_MAX];
    double creation_time;                /* epoch seconds; 0 = unknown */
    double start_time;                   /* TrainingStartTime */
    double end_time;                     /* TrainingEndTime */
    double last_modified_time;
    char instance_type[32];              /* "" until described */
    int instance_count;
    int64_t training_seconds;            /* 0 = unknown */
    int64_t billable_seconds;
    bool spot;
    bool described;                      /* the full describe document is cached */
    double described_at;                 /* when it was fetched (epoch s) */
    char failure_reason[1025];
    bool pending;                        /* cache_jobs_window() only: the query's sort key or
                                            one of its conditions reads a field of the
                                            description (instance, start, billing, hp.X, m.X
                                            without a log value) and the job was only listed
                                            so far: kept, ordered after the known rows */
};

/* Completed, Failed or Stopped: nothing more will happen to the job. */
bool cache_status_final(const char *status);

/* The ordering and filters of the job list. A sort key is one of
 *   name status secondary created started ended modified duration instance_type
 *   instance_count billable spot_savings (1 - billable/training, spot jobs only)
 *   hp.<key>   (numeric when the values parse as numbers, else text; missing sort last)
 *   m.<metric> (the last extracted value, else the final metric; missing sort last)
 *   sys.<metric> (a host metric, cpu mem gpu gpu_mem disk or its CloudWatch name: the mean of
 *              the job's last 5 minutes over every host, GPU figures as a share of the
 *              instance's GPUs: cache/sysmetrics.h cache_sys_recent_sql(); missing sort last).
 * Exact while descriptions arrive: a job known only from ListTrainingJobs has no start time,
 * resources, billing, hyperparameters or final metrics yet. Sorting by such a key puts these
 * jobs after every job whose key is known (and after those that have no value), newest first,
 * whatever the direction; a hp./m. condition keeps them (never a false negative). Either
 * way cache_jobs_window() sets their cache_job.pending.
 * Filter conditions (all must hold):
 *   name_regex (PCRE2, case-insensitive when all lower case), inverted by name_invert;
 *   status: comma-separated list ("InProgress,Stopping"), NULL = any;
 *   conds: parsed with cache_cond_parse(). */
enum cache_cond_op { CACHE_OP_EQ, CACHE_OP_NE, CACHE_OP_LT, CACHE_OP_LE, CACHE_OP_GT, CACHE_OP_GE };
enum cache_cond_kind { CACHE_COND_HP, CACHE_COND_METRIC, CACHE_COND_STATUS, CACHE_COND_SYS };
struct cache_cond {
    enum cache_cond_kind kind;
    enum cache_cond_op op;
    char key[256];
    char value[256];                     /* compared numerically when both sides are numbers */
};
/* Parses "hp.lr:0.01", "hp.lr=0.01", "hp.model!=bert", "m.eval_loss<0.3", "m.acc>=0.9",
 * "sys.gpu<20" (key: the CloudWatch name; a number compared with the sort's value),
 * "status:Failed". ERR_INVAL with the offending text in e. */
int cache_cond_parse(const char *text, struct cache_cond *out, struct err *e);

#define CACHE_MAX_CONDS 8
struct cache_job_query {
    const char *sort;                    /* NULL = "created" */
    bool descending;
    const char *name_regex;
    bool name_invert;
    const char *status;
    struct cache_cond conds[CACHE_MAX_CONDS];
    size_t n_conds;
    double created_after;                /* epoch s: only jobs created at or after; 0 = any */
};

int cache_jobs_count(struct cache *c, const struct cache_job_query *q, size_t *count,
                     struct err *e);
/* Whether the query's sort key or a condition reads a field of the description (above):
 * then a job only listed so far is pending. */
bool cache_job_query_reads_description(const struct cache_job_query *q);
/* Whether key is a sort key of the job's own record (name, status, ..., spot_savings, hp.KEY,
 * m.METRIC): every key cache_job_query.sort takes but the host metrics (sys.). */
bool cache_job_sort_key_own(const char *key);
/* Fills out[0..*n) with at most limit rows starting at offset, in query order. */
int cache_jobs_window(struct cache *c, const struct cache_job_query *q, size_t offset,
                      size_t limit, struct cache_job *out, size_t *n, struct err *e);
/* One metric column of the job list for n jobs (cache_job.id, n <= 1024) in one query:
 * out[i] is the last extracted value (kind[i] = CACHE_MCOL_LOG), else SageMaker's final value
 * (CACHE_MCOL_FINAL), else kind[i] = CACHE_MCOL_NONE. */
enum { CACHE_MCOL_NONE, CACHE_MCOL_LOG, CACHE_MCOL_FINAL };
int cache_jobs_metric_column(struct cache *c, const int64_t *ids, size_t n, const char *metric,
                             double *out, unsigned char *kind, struct err *e);
/* One job by exact name, or ERR_NOTFOUND. */
int cache_job_get(struct cache *c, const char *name, struct cache_job *out, struct err *e);
/* The raw DescribeTrainingJob document (JSON text), malloc'd, caller frees; ERR_NOTFOUND
 * when the job was never described. */
int cache_job_describe_json(struct cache *c, const char *name, char **json, struct err *e);

/* Writers (the sync engine). Upsert from a ListTrainingJobs summary: never downgrades a row
 * that has a newer describe. */
struct cache_job_summary {
    const char *name;
    const char *arn;
    const char *status;
    const char *secondary_status;        /* may be NULL */
    double creation_time, end_time, last_modified_time;
};
int cache_job_upsert_summary(struct cache *c, const struct cache_job_summary *s, struct err *e);
/* Stores a DescribeTrainingJob response (JSON text, len bytes) and everything derived from it
 * (job row, hyperparameters, metric definitions, status transitions, final metrics) in one
 * transaction. ERR_PARSE when it is not a describe document. */
int cache_job_store_describe(struct cache *c, const char *json, size_t len, struct err *e);
/* The same for a Search record, which lacks some of DescribeTrainingJob's members (profiler,
 * debug rules, RemoteDebugConfig, InfraCheckConfig, ...): the job's document is marked partial
 * (a key of the scope's state) until a DescribeTrainingJob response is stored for it.
 * Inside the caller's transaction (a page of them) it takes no savepoint of its own: on
 * failure the caller rolls the transaction back. */
int cache_job_store_search(struct cache *c, const char *json, size_t len, struct err *e);
/* The same with the record already parsed (jansson's json_t of the same text, borrowed; NULL:
 * parsed here): the text is stored, the document read from doc. */
struct json_t;
int cache_job_store_search_doc(struct cache *c, const char *json, size_t len,
                               const struct json_t *doc, struct err *e);
/* The last complete listing of the scope's jobs: when it began, on our clock and (when an
 * answer carried a Date: aws_client_server_offset()) on the server's. A later listing with
 * LastModifiedTimeAfter cache_jobs_changed_since() returns every job created or changed since
 * (a status change moves LastModifiedTime): the server's mark less CACHE_JOBS_MARGIN_S (the
 * Date's whole second, the listing's own latency), else our clock's less
 * CACHE_JOBS_SKEW_UNKNOWN_S for an unknown skew; 0 when no complete listing is known. */
#define CACHE_JOBS_MARGIN_S 5.0
#define CACHE_JOBS_SKEW_UNKNOWN_S 300.0
int cache_jobs_mark_complete(struct cache *c, double began_local, const double *server_offset_s,
                             struct err *e);
double cache_jobs_changed_since(struct cache *c);
/* True when the job's cached document came from Search (see above) and was not described since. */
bool cache_job_doc_partial(struct cache *c, const char *name);
int cache_job_set_tags(struct cache *c, const char *name, const char *const *keys,
                       const char *const *values, size_t n, struct err *e);

/* ---- Job detail lists ----------------------------------------------------------------- */

struct cache_kv {
    char *key;
    char *value;
};
struct cache_kv_list {
    struct cache_kv *items;
    size_t n;
};
void cache_kv_list_clean(struct cache_kv_list *l);

/* Hyperparameters, key order, values with the SDK's JSON quoting removed ("\"train.py\"" ->
 * "train.py"). */
int cache_job_hyperparameters(struct cache *c, const char *name, struct cache_kv_list *out,
                              struct err *e);
/* MetricDefinitions: key = Name, value = Regex. */
int cache_job_metric_definitions(struct cache *c, const char *name, struct cache_kv_list *out,
                                 struct err *e);
int cache_job_tags(struct cache *c, const char *name, struct cache_kv_list *out, struct err *e);

struct cache_transition {
    char status[CACHE_STATUS_MAX];
    double start_time;
    double end_time;                     /* 0 = still in this state */
    char message[512];
};
struct cache_transition_list {
    struct cache_transition *items;
    size_t n;
};
void cache_transition_list_clean(struct cache_transition_list *l);
int cache_job_transitions(struct cache *c, const char *name, struct cache_transition_list *out,
                          struct err *e);

/* ---- Metrics -------------------------------------------------------------------------- */

struct cache_metric_stat {
    char name[256];
    double last, min, max;
    double last_ts_ms;
    int64_t count;                       /* extracted points; 0 = only a final value */
    bool has_final;
    double final_value;                  /* FinalMetricDataList */
    int64_t unparsed;                    /* captures that were not numbers (schema 2) */
    int64_t repaired;                    /* points whose value differs from SageMaker's */
};
struct cache_metric_stat_list {
    struct cache_metric_stat *items;
    size_t n;
};
void cache_metric_stat_list_clean(struct cache_metric_stat_list *l);
/* Every metric of a job: extracted stats merged with the final metrics, by name. */
int cache_job_metric_stats(struct cache *c, const char *name, struct cache_metric_stat_list *out,
                           struct err *e);

struct cache_point {
    int64_t ts_ms;
    double value;                        /* NaN for an unparsed capture (CACHE_POINT_UNPARSED) */
    int instance;                        /* index into cache_point_list.instances */
    /* Schema 2 (points stored by an older sagetop read as unknown: -1, NaN, 0, NaN): */
    int64_t step;                        /* -1 = unknown */
    double epoch;                        /* NaN = unknown */
    unsigned flags;                      /* metrics.h's enum mpoint_flags, as extracted */
    double sagemaker_value;              /* what SageMaker would have stored; NaN = nothing */
    int64_t stream;                      /* log stream row id and event ordinal: the point's */
    int64_t seq;                         /*   line is cache_logs_after({ts_ms, stream, seq-1}) */
    /* Schema 7: the launcher prefix's rank of the point's line (metrics/procprefix.h), -1 when
     * it had none (and for every point stored by an older sagetop). */
    int rank;
    bool rank_local;                     /* torchrun's local rank on the stream's host */
};
struct cache_point_list {
    struct cache_point *items;           /* time order */
    size_t n;
    char (*instances)[32];               /* "algo-1", ... */
    size_t n_instances;
};
void cache_point_list_clean(struct cache_point_list *l);
/* The points of one metric of a job, all instances (instance NULL) or one ("algo-2"): of
 * each of those hosts, its first process (PROCSEL_FIRST: rank 0 on algo-1, and the lines
 * without launcher prefix). Only parsed values (no unparsed captures), with step, epoch, flags
 * and SageMaker's value. */
int cache_job_metric_points(struct cache *c, const char *job, const char *metric,
                            const char *instance, struct cache_point_list *out, struct err *e);

/* Flag bits of cache_point.flags the cache itself interprets (the same bits as metrics.h). */
#define CACHE_POINT_UNPARSED (1u << 0)
#define CACHE_POINT_REPAIRED ((1u << 2) | (1u << 3))   /* number or sign repaired */

struct cache_point_query {
    const char *instance;                /* NULL = all instances */
    bool include_unparsed;               /* also the unparsed captures (value NaN) */
    int64_t since_ms, until_ms;          /* 0 = unbounded; until is exclusive */
    const struct procsel *procs;         /* which processes (metrics/procprefix.h); NULL =
                                          * every one. With procs, instance is ignored:
                                          * procs->host says which host */
};
/* The job's processes per host (procprefix_per_host() of its hyperparameter and instance
 * type); 0 when unknown or the job is not in the cache. */
int cache_job_procs_per_host(struct cache *c, const char *job);
/* As cache_job_metric_points(), with more choices (q NULL = the defaults above). */
int cache_job_metric_points_query(struct cache *c, const char *job, const char *metric,
                                  const struct cache_point_query *q,
                                  struct cache_point_list *out, struct err *e);

/* ---- Logs ----------------------------------------------------------------------------- */

/* A position in a job's merged log: events are ordered by (ts_ms, stream, seq) where seq is
 * the event's ordinal in its stream. {0,0,0} is before everything. */
struct cache_log_pos {
    int64_t ts_ms;
    int64_t stream;                      /* log stream row id */
    int64_t seq;
};

struct cache_log_line {
    struct cache_log_pos pos;
    const char *instance;                /* "algo-1"; points into the batch */
    const char *text;                    /* raw event bytes, NOT NUL-terminated, not sanitized */
    size_t len;
    size_t match_start, match_len;       /* cache_logs_search: the first match; else 0, 0 */
};
struct cache_log_batch {
    struct cache_log_line *lines;
    size_t n;
    bool at_end;                         /* no more lines in that direction (for now) */
    char *arena_;                        /* private */
    size_t arena_len_, arena_cap_;
};
void cache_log_batch_clean(struct cache_log_batch *b);

/* Restricts reads to one instance ("algo-2"); NULL = all instances. */
struct cache_log_filter {
    const char *instance;
    int64_t since_ms, until_ms;          /* 0 = unbounded; until is exclusive */
};

/* The next n lines strictly after pos (pos NULL = from the start), interleaved by time. */
int cache_logs_after(struct cache *c, const char *job, const struct cache_log_pos *pos,
                     size_t n, const struct cache_log_filter *f, struct cache_log_batch *out,
                     struct err *e);
/* The n lines strictly before pos (pos NULL = from the end), returned in time order. */
int cache_logs_before(struct cache *c, const char *job, const struct cache_log_pos *pos,
                      size_t n, const struct cache_log_filter *f, struct cache_log_batch *out,
                      struct err *e);
/* Up to max lines matching regex (PCRE2, JIT) strictly after pos (NULL = start), in time
 * order, each with its first match. backward = search before pos instead (nearest first
 * is NOT used: results are still in time order, the last max matches before pos). */
int cache_logs_search(struct cache *c, const char *job, const char *regex, bool backward,
                      const struct cache_log_pos *pos, size_t max,
                      const struct cache_log_filter *f, struct cache_log_batch *out,
                      struct err *e);
/* Totals for a job's cached log. */
struct cache_log_info {
    int64_t lines;
    int64_t raw_bytes;
    int64_t stored_bytes;
    int64_t first_ts_ms, last_ts_ms;
    size_t streams;
};
int cache_logs_info(struct cache *c, const char *job, struct cache_log_info *out, struct err *e);

/* The instances ("algo-1", ...) that have streams, sorted. */
int cache_logs_instances(struct cache *c, const char *job, struct cache_kv_list *out,
                         struct err *e);

#endif
