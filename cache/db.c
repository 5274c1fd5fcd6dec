/* db.c: the cache file itself: where it lives, opening it safely (0600, WAL, foreign keys,
 * busy timeout), recognising it (a newer schema or a foreign file is refused, never
 * overwritten), migrating it forward with user_version, moving it aside on --reset-cache,
 * scopes and the key/value state (the SQLite helpers and transactions are in sql.c). It must
 * not know about jobs or logs beyond the schema text. */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "cache/internal.h"
#include "cache/logstore.h"

#define CACHE_APP_MARKER "sagetop-cache"

/* Migration N takes the schema from user_version N-1 to N. Never edit a shipped step. */
static const char *const migrations[] = {
    /* 1 */
    "CREATE TABLE meta(key TEXT PRIMARY KEY, value TEXT NOT NULL);"
    "INSERT INTO meta VALUES('app','" CACHE_APP_MARKER "');"
    "CREATE TABLE scopes(id INTEGER PRIMARY KEY, account TEXT NOT NULL, region TEXT NOT NULL,"
    "  UNIQUE(account, region));"
    "CREATE TABLE identities(key TEXT PRIMARY KEY, account TEXT NOT NULL, seen_at REAL);"
    "CREATE TABLE state(scope_id INTEGER NOT NULL REFERENCES scopes(id) ON DELETE CASCADE,"
    "  key TEXT NOT NULL, value TEXT NOT NULL, updated_at REAL, PRIMARY KEY(scope_id, key));"
    "CREATE TABLE jobs(id INTEGER PRIMARY KEY,"
    "  scope_id INTEGER NOT NULL REFERENCES scopes(id) ON DELETE CASCADE,"
    "  name TEXT NOT NULL, arn TEXT, status TEXT, secondary_status TEXT,"
    "  creation_time REAL, start_time REAL, end_time REAL, last_modified REAL,"
    "  instance_type TEXT, instance_count INTEGER, training_seconds INTEGER,"
    "  billable_seconds INTEGER, spot INTEGER, failure_reason TEXT,"
    "  describe_json TEXT, described_at REAL, listed_at REAL,"
    "  UNIQUE(scope_id, name));"
    "CREATE INDEX jobs_created ON jobs(scope_id, creation_time);"
    "CREATE TABLE hyperparameters(job_id INTEGER NOT NULL REFERENCES jobs(id) ON DELETE CASCADE,"
    "  idx INTEGER NOT NULL, key TEXT NOT NULL, value TEXT, num REAL,"
    "  PRIMARY KEY(job_id, key));"
    "CREATE INDEX hyperparameters_key ON hyperparameters(key, num);"
    "CREATE TABLE metric_definitions(job_id INTEGER NOT NULL REFERENCES jobs(id) ON DELETE CASCADE,"
    "  idx INTEGER NOT NULL, name TEXT NOT NULL, regex TEXT NOT NULL, PRIMARY KEY(job_id, idx));"
    "CREATE TABLE tags(job_id INTEGER NOT NULL REFERENCES jobs(id) ON DELETE CASCADE,"
    "  key TEXT NOT NULL, value TEXT, PRIMARY KEY(job_id, key));"
    "CREATE TABLE transitions(job_id INTEGER NOT NULL REFERENCES jobs(id) ON DELETE CASCADE,"
    "  idx INTEGER NOT NULL, status TEXT, start_time REAL, end_time REAL, message TEXT,"
    "  PRIMARY KEY(job_id, idx));"
    "CREATE TABLE final_metrics(job_id INTEGER NOT NULL REFERENCES jobs(id) ON DELETE CASCADE,"
    "  name TEXT NOT NULL, value REAL, ts REAL, PRIMARY KEY(job_id, name));"
    "CREATE TABLE log_streams(id INTEGER PRIMARY KEY,"
    "  job_id INTEGER NOT NULL REFERENCES jobs(id) ON DELETE CASCADE,"
    "  name TEXT NOT NULL, instance TEXT NOT NULL, token TEXT NOT NULL DEFAULT '',"
    "  n_events INTEGER NOT NULL DEFAULT 0, last_ts INTEGER NOT NULL DEFAULT 0,"
    "  raw_bytes INTEGER NOT NULL DEFAULT 0, stored_bytes INTEGER NOT NULL DEFAULT 0,"
    "  extract_state BLOB,"
    "  done INTEGER NOT NULL DEFAULT 0, synced_at REAL,"
    "  UNIQUE(job_id, name));"
    "CREATE TABLE log_pages(id INTEGER PRIMARY KEY,"
    "  stream_id INTEGER NOT NULL REFERENCES log_streams(id) ON DELETE CASCADE,"
    "  first_seq INTEGER NOT NULL, n_events INTEGER NOT NULL,"
    "  first_ts INTEGER NOT NULL, last_ts INTEGER NOT NULL, raw_bytes INTEGER NOT NULL,"
    "  data BLOB NOT NULL, UNIQUE(stream_id, first_seq));"
    "CREATE INDEX log_pages_last_ts ON log_pages(stream_id, last_ts);"
    "CREATE INDEX log_pages_first_ts ON log_pages(stream_id, first_ts);"
    "CREATE TABLE metrics(id INTEGER PRIMARY KEY,"
    "  job_id INTEGER NOT NULL REFERENCES jobs(id) ON DELETE CASCADE, name TEXT NOT NULL,"
    "  last REAL, min REAL, max REAL, last_ts INTEGER, count INTEGER NOT NULL DEFAULT 0,"
    "  UNIQUE(job_id, name));"
    "CREATE TABLE metric_points(metric_id INTEGER NOT NULL REFERENCES metrics(id) ON DELETE CASCADE,"
    "  stream_id INTEGER NOT NULL, seq INTEGER NOT NULL, k INTEGER NOT NULL,"
    "  ts_ms INTEGER NOT NULL, value REAL,"
    "  PRIMARY KEY(metric_id, stream_id, seq, k)) WITHOUT ROWID;",
    /* 2: what the extractor knows about each point (step, epoch, flags such as REPAIRED, and
     * SageMaker's own value beside a repaired one); unparsed captures are kept as rows with a
     * NULL value so they are counted once, idempotently. Older points read as "unknown". */
    "ALTER TABLE metric_points ADD COLUMN step INTEGER;"
    "ALTER TABLE metric_points ADD COLUMN epoch REAL;"
    "ALTER TABLE metric_points ADD COLUMN flags INTEGER NOT NULL DEFAULT 0;"
    "ALTER TABLE metric_points ADD COLUMN sm_value REAL;"
    "ALTER TABLE metrics ADD COLUMN unparsed INTEGER NOT NULL DEFAULT 0;"
    "ALTER TABLE metrics ADD COLUMN repaired INTEGER NOT NULL DEFAULT 0;",
    /* 3: the job list's default order (created, either direction, missing last, newest id
     * first on ties) straight from an index: a screenful of 100,000 jobs no longer sorts them
     * all (bench/bench_cache.c: 116 ms -> well under 1 ms). */
    "CREATE INDEX jobs_created_desc ON jobs(scope_id, (creation_time IS NULL),"
    "  creation_time DESC, id DESC);"
    "CREATE INDEX jobs_created_asc ON jobs(scope_id, (creation_time IS NULL),"
    "  creation_time ASC, id DESC);",
    /* 4: each event of a stream is stored once, in order: a page starts exactly where the
     * stream's previous page ends (no gap, no overlap) and nothing is stored after it; the
     * open last page may be rewritten in place (same first_seq). Two index probes per page. */
    "CREATE TRIGGER log_pages_contiguous BEFORE INSERT ON log_pages"
    " WHEN coalesce((SELECT p.first_seq + p.n_events FROM log_pages p"
    "   WHERE p.stream_id = NEW.stream_id AND p.first_seq < NEW.first_seq"
    "   ORDER BY p.first_seq DESC LIMIT 1), 0) <> NEW.first_seq"
    "  OR EXISTS(SELECT 1 FROM log_pages p WHERE p.stream_id = NEW.stream_id"
    "   AND p.first_seq > NEW.first_seq)"
    " BEGIN SELECT RAISE(ABORT, 'log page out of sequence (would duplicate or skip events)');"
    " END;",
    /* 5: the fingerprint of the definitions a metric's points were all extracted with (NULL:
     * unknown, e.g. written by sync): re-extraction rewrites only the metrics whose definitions
     * changed (bench/bench_cache.c, one new definition over 2,000,000 lines: 2.7 s -> 1.6 s). */
    "ALTER TABLE metrics ADD COLUMN defs_hash INTEGER;",
    /* 6: points stored packed, up to 1,024 per row (cache/points.c), instead of a row each:
     * writing one new definition's 400,000 points took 0.9 s as rows. The old rows are packed
     * by cache_points_migrate_v6() right after this statement, which then drops metric_points. */
    "CREATE TABLE metric_chunks(id INTEGER PRIMARY KEY,"
    "  metric_id INTEGER NOT NULL REFERENCES metrics(id) ON DELETE CASCADE,"
    "  stream_id INTEGER NOT NULL, first_seq INTEGER NOT NULL, last_seq INTEGER NOT NULL,"
    "  last_k INTEGER NOT NULL, n INTEGER NOT NULL, min_ts INTEGER NOT NULL,"
    "  max_ts INTEGER NOT NULL, data BLOB NOT NULL, UNIQUE(metric_id, stream_id, first_seq));",
    /* 7: CloudWatch host metrics (cache/sysmetrics.c): one row per (job, host, metric, time),
     * raw as CloudWatch gives them (GPU utilization summed over the instance's GPUs); the
     * fetch cursor of each job; and the alerts fired (cache/alerts.c), one row per (job, rule,
     * key) so an alert fires once and a restart does not fire it again. */
    "CREATE TABLE sys_points(job_id INTEGER NOT NULL REFERENCES jobs(id) ON DELETE CASCADE,"
    "  host TEXT NOT NULL, metric TEXT NOT NULL, ts INTEGER NOT NULL, period INTEGER NOT NULL,"
    "  value REAL, PRIMARY KEY(job_id, metric, host, ts)) WITHOUT ROWID;"
    "CREATE TABLE sys_cursors(job_id INTEGER PRIMARY KEY REFERENCES jobs(id) ON DELETE CASCADE,"
    "  last_ts INTEGER NOT NULL DEFAULT 0, done INTEGER NOT NULL DEFAULT 0, synced_at REAL);"
    "CREATE TABLE alerts(id INTEGER PRIMARY KEY,"
    "  job_id INTEGER NOT NULL REFERENCES jobs(id) ON DELETE CASCADE, rule TEXT NOT NULL,"
    "  key TEXT NOT NULL DEFAULT '', message TEXT NOT NULL, fired_at REAL NOT NULL,"
    "  UNIQUE(job_id, rule, key));",
    /* 8: a point's blob record may carry the process that printed its line (points.c's
     * TAG_PROC: the rank of a launcher prefix), which an older sagetop would misread. Points
     * stored before were extracted with the prefixes in the text, every rank mixed: forgetting
     * their definitions' fingerprint makes the next sync extract them again (sync_reextract.c),
     * and the saved extractor states no longer fit, so they are rebuilt. */
    "UPDATE metrics SET defs_hash=NULL; UPDATE log_streams SET extract_state=NULL;",
    /* 9: Automatic Model Tuning (cache/tuning.c): tuning jobs with their ranges, warm-start
     * parents and metric definitions, and their trials (each also a row of jobs, joined by
     * name) with the tuned hyperparameters. */
    "CREATE TABLE tuning_jobs(id INTEGER PRIMARY KEY,"
    "  scope_id INTEGER NOT NULL REFERENCES scopes(id) ON DELETE CASCADE,"
    "  name TEXT NOT NULL, arn TEXT, status TEXT, strategy TEXT, objective_metric TEXT,"
    "  objective_type TEXT, max_jobs INTEGER, max_parallel INTEGER, completed INTEGER,"
    "  in_progress INTEGER, failed INTEGER, stopped INTEGER, best_job TEXT, best_value REAL,"
    "  creation_time REAL, end_time REAL, last_modified REAL, early_stopping TEXT,"
    "  warm_start_type TEXT, failure_reason TEXT, describe_json TEXT, described_at REAL,"
    "  trials_synced_at REAL, UNIQUE(scope_id, name));"
    "CREATE TABLE tuning_ranges(tuning_id INTEGER NOT NULL REFERENCES tuning_jobs(id)"
    "  ON DELETE CASCADE, idx INTEGER NOT NULL, name TEXT NOT NULL, kind TEXT NOT NULL,"
    "  min_value TEXT, max_value TEXT, scaling TEXT, vals TEXT, PRIMARY KEY(tuning_id, idx));"
    "CREATE TABLE tuning_parents(tuning_id INTEGER NOT NULL REFERENCES tuning_jobs(id)"
    "  ON DELETE CASCADE, idx INTEGER NOT NULL, parent TEXT NOT NULL,"
    "  PRIMARY KEY(tuning_id, idx));"
    "CREATE TABLE tuning_metric_definitions(tuning_id INTEGER NOT NULL REFERENCES"
    "  tuning_jobs(id) ON DELETE CASCADE, idx INTEGER NOT NULL, name TEXT NOT NULL,"
    "  regex TEXT NOT NULL, PRIMARY KEY(tuning_id, idx));"
    "CREATE TABLE tuning_trials(tuning_id INTEGER NOT NULL REFERENCES tuning_jobs(id)"
    "  ON DELETE CASCADE, job_name TEXT NOT NULL, status TEXT, objective_status TEXT,"
    "  objective REAL, creation_time REAL, start_time REAL, end_time REAL,"
    "  failure_reason TEXT, PRIMARY KEY(tuning_id, job_name));"
    "CREATE INDEX tuning_trials_job ON tuning_trials(job_name);"
    "CREATE TABLE tuning_trial_hps(tuning_id INTEGER NOT NULL REFERENCES tuning_jobs(id)"
    "  ON DELETE CASCADE, job_name TEXT NOT NULL, idx INTEGER NOT NULL, key TEXT NOT NULL,"
    "  value TEXT, PRIMARY KEY(tuning_id, job_name, key));",
};
#define N_MIGRATIONS ((int)(sizeof(migrations) / sizeof(migrations[0])))

_Static_assert(N_MIGRATIONS == CACHE_SCHEMA_VERSION, "one migration per schema version");

int cache_default_path(char *buf, size_t size, struct err *e)
{
    const char *xdg = getenv("XDG_CACHE_HOME");
    const char *home = getenv("HOME");
    int n;

    if (xdg != NULL && xdg[0] == '/')
        n = snprintf(buf, size, "%s/sagetop/cache.db", xdg);
    else if (home != NULL && home[0] != '\0')
        n = snprintf(buf, size, "%s/.cache/sagetop/cache.db", home);
    else
        return err_set(e, ERR_CONFIG, "no cache location: set XDG_CACHE_HOME or HOME, "
                       "or pass --cache PATH");
    if (n < 0 || (size_t)n >= size)
        return err_set(e, ERR_TOOBIG, "cache path too long");
    return 0;
}

/* mkdir -p for the parent directory of path, mode 0700 for what it creates. */
static int make_parent(const char *path, struct err *e)
{
    char dir[4096];
    char *p;

    snprintf(dir, sizeof(dir), "%s", path);
    p = strrchr(dir, '/');
    if (p == NULL || p == dir)
        return 0;
    *p = '\0';
    for (p = dir + 1; *p; p++) {
        if (*p != '/')
            continue;
        *p = '\0';
        if (mkdir(dir, 0700) != 0 && errno != EEXIST)
            return err_set(e, ERR_IO, "cannot create %s: %s", dir, strerror(errno));
        *p = '/';
    }
    if (mkdir(dir, 0700) != 0 && errno != EEXIST)
        return err_set(e, ERR_IO, "cannot create cache directory %s: %s", dir, strerror(errno));
    return 0;
}

static int move_aside(const char *path, char *moved_to, size_t moved_size, struct err *e)
{
    static const char *const suffixes[] = { "", "-wal", "-shm" };
    char stamp[32], to[4200], from[4200];
    time_t now = time(NULL);
    struct tm tm;
    size_t i;

    gmtime_r(&now, &tm);
    strftime(stamp, sizeof(stamp), "%Y%m%dT%H%M%S", &tm);
    for (i = 0; i < sizeof(suffixes) / sizeof(suffixes[0]); i++) {
        snprintf(from, sizeof(from), "%s%s", path, suffixes[i]);
        snprintf(to, sizeof(to), "%s.old-%s%s", path, stamp, suffixes[i]);
        if (rename(from, to) != 0) {
            if (errno == ENOENT)
                continue;
            return err_set(e, ERR_IO, "cannot move %s aside: %s", from, strerror(errno));
        }
        if (i == 0 && moved_to != NULL)
            snprintf(moved_to, moved_size, "%s", to);
    }
    return 0;
}

/* Is the file missing/empty (0), SQLite (1) or something else (-1)? Reads the header only,
 * through SQLite's own VFS: a plain open()/close() of the file would drop every POSIX lock
 * this process holds on it (the sync workers' connections), letting another connection
 * checkpoint and reset the WAL under them: the corruption 20 kill -9 in a row exposed. */
static int sniff(const char *path, struct err *e, int *kind)
{
    sqlite3_vfs *vfs = sqlite3_vfs_find(NULL);
    sqlite3_file *f;
    sqlite3_int64 size = 0;
    char head[16];
    int out_flags, rc;

    if (access(path, F_OK) != 0) {
        if (errno == ENOENT) {
            *kind = 0;
            return 0;
        }
        return err_set(e, ERR_IO, "cannot read cache %s: %s", path, strerror(errno));
    }
    if (vfs == NULL || (f = calloc(1, (size_t)vfs->szOsFile)) == NULL)
        return err_set(e, ERR_NOMEM, "out of memory opening the cache");
    rc = vfs->xOpen(vfs, path, f, SQLITE_OPEN_READONLY | SQLITE_OPEN_MAIN_DB, &out_flags);
    if (rc != SQLITE_OK) {
        free(f);
        return err_set(e, ERR_IO, "cannot read cache %s: %s", path,
                       access(path, R_OK) != 0 ? strerror(errno) : "open failed");
    }
    rc = f->pMethods->xFileSize(f, &size);
    if (rc == SQLITE_OK && size == 0) {
        *kind = 0;
    } else if (rc == SQLITE_OK) {
        rc = f->pMethods->xRead(f, head, sizeof(head), 0);
        *kind = rc == SQLITE_OK && memcmp(head, "SQLite format 3", 16) == 0 ? 1 : -1;
        rc = SQLITE_OK;
    }
    f->pMethods->xClose(f);
    free(f);
    if (rc != SQLITE_OK)
        return err_set(e, ERR_IO, "cannot read cache %s", path);
    return 0;
}

static int get_int(struct cache *c, const char *sql, int64_t *out, struct err *e)
{
    sqlite3_stmt *st;
    int rc = cache_prepare(c, sql, &st, e);

    if (rc != 0)
        return rc;
    rc = sqlite3_step(st);
    if (rc == SQLITE_ROW) {
        *out = sqlite3_column_int64(st, 0);
        rc = 0;
    } else if (rc == SQLITE_DONE) {
        *out = 0;
        rc = 0;
    } else {
        rc = cache_fail(c, e, "read");
    }
    sqlite3_finalize(st);
    return rc;
}

/* Refuses a file that is not ours or is newer; migrates an older one (rw only). */
static int check_and_migrate(struct cache *c, struct err *e)
{
    int64_t version = 0, tables = 0, marker = 0;
    int rc, v;

    if ((rc = get_int(c, "PRAGMA user_version", &version, e)) != 0)
        return rc;
    if ((rc = get_int(c, "SELECT count(*) FROM sqlite_master", &tables, e)) != 0)
        return rc;
    if (tables > 0) {
        int64_t has_meta = 0;

        if ((rc = get_int(c, "SELECT count(*) FROM sqlite_master WHERE type='table' AND "
                          "name='meta'", &has_meta, e)) != 0)
            return rc;
        if (has_meta &&
            (rc = get_int(c, "SELECT count(*) FROM meta WHERE key='app' AND value='"
                          CACHE_APP_MARKER "'", &marker, e)) != 0)
            return rc;
        if (!marker)
            return err_set(e, ERR_CACHE, "%s is not a sagetop cache (an SQLite database of "
                           "something else); it was left untouched: pass --cache PATH to "
                           "use another file", c->path);
    }
    if (version > CACHE_SCHEMA_VERSION)
        return err_set(e, ERR_CACHE, "cache %s was written by a newer sagetop (schema %lld > "
                       "%d); it was left untouched: upgrade sagetop, use --cache PATH, or "
                       "--reset-cache to move it aside", c->path, (long long)version,
                       CACHE_SCHEMA_VERSION);
    if (version == CACHE_SCHEMA_VERSION)
        return 0;
    if (c->read_only)
        return err_set(e, ERR_CACHE, "cache %s needs a migration (schema %lld)", c->path,
                       (long long)version);
    if ((rc = cache_exec(c, "BEGIN IMMEDIATE", e)) != 0)
        return rc;
    /* Re-read under the write lock: another process may have migrated meanwhile. */
    if ((rc = get_int(c, "PRAGMA user_version", &version, e)) != 0)
        goto fail;
    for (v = (int)version; v < CACHE_SCHEMA_VERSION; v++) {
        char pragma[64];

        if ((rc = cache_exec(c, migrations[v], e)) != 0 ||
            (v + 1 == 6 && (rc = cache_points_migrate_v6(c, e)) != 0)) {
            err_prefix(e, "migrating to schema %d", v + 1);
            goto fail;
        }
        snprintf(pragma, sizeof(pragma), "PRAGMA user_version=%d", v + 1);
        if ((rc = cache_exec(c, pragma, e)) != 0)
            goto fail;
    }
    if ((rc = cache_exec(c, "COMMIT", e)) != 0)
        goto fail;
    return 0;
fail:
    sqlite3_exec(c->db, "ROLLBACK", NULL, NULL, NULL);
    return rc;
}

static int open_conn(struct cache *c, bool read_only, struct err *e)
{
    int flags = read_only ? SQLITE_OPEN_READONLY : SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE;

    flags |= SQLITE_OPEN_NOMUTEX;   /* one thread per handle: see cache.h */
    if (sqlite3_open_v2(c->path, &c->db, flags, NULL) != SQLITE_OK) {
        int rc = cache_fail(c, e, "open");

        sqlite3_close(c->db);
        c->db = NULL;
        return rc;
    }
    sqlite3_extended_result_codes(c->db, 1);
    sqlite3_busy_timeout(c->db, 5000);
    return 0;
}

static int set_pragmas(struct cache *c, struct err *e)
{
    int rc;

    if (!c->read_only) {
        sqlite3_stmt *st;

        if ((rc = cache_prepare(c, "PRAGMA journal_mode=WAL", &st, e)) != 0)
            return rc;
        rc = sqlite3_step(st);
        sqlite3_finalize(st);
        if (rc != SQLITE_ROW)
            return cache_fail(c, e, "enabling WAL");
        if ((rc = cache_exec(c, "PRAGMA synchronous=NORMAL", e)) != 0)
            return rc;
    }
    if ((rc = cache_exec(c, "PRAGMA foreign_keys=ON", e)) != 0)
        return rc;
    return 0;
}

int cache_open(const char *path, unsigned flags, struct cache **out, char *moved_to,
               size_t moved_size, struct err *e)
{
    struct cache *c = calloc(1, sizeof(*c));
    int rc, kind = 0;

    if (moved_to != NULL && moved_size > 0)
        moved_to[0] = '\0';
    if (c == NULL)
        return err_set(e, ERR_NOMEM, "out of memory opening the cache");
    if (path != NULL && path[0] != '\0') {
        if (strlen(path) >= sizeof(c->path)) {
            rc = err_set(e, ERR_TOOBIG, "cache path too long");
            goto fail;
        }
        snprintf(c->path, sizeof(c->path), "%s", path);
    } else if ((rc = cache_default_path(c->path, sizeof(c->path), e)) != 0) {
        goto fail;
    }
    snprintf(c->account, sizeof(c->account), "unknown");
    snprintf(c->region, sizeof(c->region), "unknown");

    if (flags & CACHE_RESET) {
        if ((rc = move_aside(c->path, moved_to, moved_size, e)) != 0)
            goto fail;
    }
    if ((rc = sniff(c->path, e, &kind)) != 0)
        goto fail;
    if (kind < 0) {
        rc = err_set(e, ERR_CACHE, "%s is not a sagetop cache (not an SQLite database); it "
                     "was left untouched: pass --cache PATH to use another file", c->path);
        goto fail;
    }
    if (kind == 0 || (flags & CACHE_READ_ONLY)) {
        /* Create (0600) or migrate with a short-lived writer, then open as asked. */
        struct cache *w = NULL;
        int fd;

        /* only a missing file: an empty one may be a fresh WAL database another connection
         * of this process holds, and closing our own fd on it would drop that one's locks */
        if (kind == 0 && access(c->path, F_OK) != 0) {
            if ((rc = make_parent(c->path, e)) != 0)
                goto fail;
            fd = open(c->path, O_WRONLY | O_CREAT | O_CLOEXEC, 0600);
            if (fd < 0) {
                rc = err_set(e, ERR_IO, "cannot create cache %s: %s", c->path,
                             strerror(errno));
                goto fail;
            }
            close(fd);
        }
        if (flags & CACHE_READ_ONLY) {
            if ((rc = cache_open(c->path, 0, &w, NULL, 0, e)) != 0)
                goto fail;
            cache_close(w);
        }
    }
    c->read_only = (flags & CACHE_READ_ONLY) != 0;
    if ((rc = open_conn(c, c->read_only, e)) != 0)
        goto fail;
    if ((rc = set_pragmas(c, e)) != 0)
        goto fail;
    if ((rc = check_and_migrate(c, e)) != 0)
        goto fail;
    if ((rc = cache_regexp_register(c, e)) != 0 || (rc = cache_sys_sql_register(c, e)) != 0)
        goto fail;
    if (!c->read_only)
        chmod(c->path, 0600);
    *out = c;
    return 0;
fail:
    cache_close(c);
    return rc;
}

void cache_close(struct cache *c)
{
    if (c == NULL)
        return;
    cache_kept_clean(c);
    logpage_builder_clean(c->builder);
    free(c->builder);
    if (c->db != NULL)
        sqlite3_close_v2(c->db);
    free(c);
}

int cache_checkpoint(struct cache *c, struct err *e)
{
    int rc;

    if ((rc = cache_require_rw(c, e)) != 0)
        return rc;
    if (sqlite3_wal_checkpoint_v2(c->db, NULL, SQLITE_CHECKPOINT_TRUNCATE, NULL, NULL)
        != SQLITE_OK)
        return cache_fail(c, e, "checkpoint");
    return 0;
}

const char *cache_path(const struct cache *c)
{
    return c->path;
}

uint64_t cache_data_version(struct cache *c)
{
    int64_t v = 0;

    if (c == NULL || c->db == NULL)
        return 0;
    if (get_int(c, "PRAGMA data_version", &v, NULL) != 0)
        return 0;
    /* data_version moves on other connections' commits; own_writes on ours. */
    return ((uint64_t)v << 32) + c->own_writes;
}

/* Runs a statement with two text parameters and no result rows. */
static int exec_texts(struct cache *c, const char *sql, const char *a, const char *b,
                      const char *what, struct err *e)
{
    sqlite3_stmt *st;
    int rc;

    if ((rc = cache_prepare(c, sql, &st, e)) != 0)
        return rc;
    sqlite3_bind_text(st, 1, a, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 2, b, -1, SQLITE_STATIC);
    rc = sqlite3_step(st) == SQLITE_DONE ? 0 : cache_fail(c, e, what);
    sqlite3_finalize(st);
    return rc;
}

static int scope_lookup(struct cache *c, const char *account, const char *region, bool create,
                        struct err *e)
{
    sqlite3_stmt *st;
    int rc;

    if (create) {
        if ((rc = exec_texts(c, "INSERT OR IGNORE INTO scopes(account, region) VALUES(?,?)",
                             account, region, "creating the scope", e)) != 0)
            return rc;
    }
    if ((rc = cache_prepare(c, "SELECT id FROM scopes WHERE account=? AND region=?", &st, e))
        != 0)
        return rc;
    sqlite3_bind_text(st, 1, account, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 2, region, -1, SQLITE_STATIC);
    rc = sqlite3_step(st);
    c->scope_id = rc == SQLITE_ROW ? sqlite3_column_int64(st, 0) : 0;
    sqlite3_finalize(st);
    if (rc != SQLITE_ROW && rc != SQLITE_DONE)
        return cache_fail(c, e, "reading the scope");
    return 0;
}

int cache_scope_use(struct cache *c, const char *account, const char *region, struct err *e)
{
    int rc;

    if (account == NULL || account[0] == '\0')
        account = "unknown";
    if (region == NULL || region[0] == '\0')
        region = "unknown";
    if (strlen(account) >= sizeof(c->account) || strlen(region) >= sizeof(c->region))
        return err_set(e, ERR_INVAL, "account or region name too long");
    if ((rc = scope_lookup(c, account, region, !c->read_only, e)) != 0)
        return rc;
    snprintf(c->account, sizeof(c->account), "%s", account);
    snprintf(c->region, sizeof(c->region), "%s", region);
    return 0;
}

int cache_scope_pick(struct cache *c, const char *identity_key, const char *region,
                     const char *account, struct err *e)
{
    char remembered[64] = "unknown";
    sqlite3_stmt *st;
    int rc;

    if (account != NULL && account[0] != '\0') {
        if (!c->read_only && identity_key != NULL) {
            if ((rc = exec_texts(c, "INSERT OR REPLACE INTO identities VALUES(?,?,"
                                 "((julianday('now')-2440587.5)*86400.0))", identity_key,
                                 account, "remembering the account", e)) != 0)
                return rc;
            c->own_writes++;
        }
        return cache_scope_use(c, account, region, e);
    }
    if (identity_key != NULL) {
        if ((rc = cache_prepare(c, "SELECT account FROM identities WHERE key=?", &st, e)) != 0)
            return rc;
        sqlite3_bind_text(st, 1, identity_key, -1, SQLITE_STATIC);
        if (sqlite3_step(st) == SQLITE_ROW)
            cache_col_text(st, 0, remembered, sizeof(remembered));
        sqlite3_finalize(st);
    }
    return cache_scope_use(c, remembered, region, e);
}

const char *cache_scope_account(const struct cache *c)
{
    return c->account;
}

const char *cache_scope_region(const struct cache *c)
{
    return c->region;
}

int cache_state_set(struct cache *c, const char *key, const char *value, struct err *e)
{
    sqlite3_stmt *st;
    int rc;

    if ((rc = cache_require_rw(c, e)) != 0)
        return rc;
    if (c->scope_id == 0 && (rc = cache_scope_use(c, c->account, c->region, e)) != 0)
        return rc;
    rc = cache_prepare(c, value != NULL
                       ? "INSERT OR REPLACE INTO state VALUES(?,?,?,"
                         "(julianday('now')-2440587.5)*86400.0)"
                       : "DELETE FROM state WHERE scope_id=? AND key=?", &st, e);
    if (rc != 0)
        return rc;
    sqlite3_bind_int64(st, 1, c->scope_id);
    sqlite3_bind_text(st, 2, key, -1, SQLITE_STATIC);
    if (value != NULL)
        sqlite3_bind_text(st, 3, value, -1, SQLITE_STATIC);
    rc = sqlite3_step(st) == SQLITE_DONE ? 0 : cache_fail(c, e, "writing state");
    sqlite3_finalize(st);
    if (rc == 0)
        c->own_writes++;
    return rc;
}

int cache_state_get(struct cache *c, const char *key, char *buf, size_t size, struct err *e)
{
    sqlite3_stmt *st;
    int rc;

    if ((rc = cache_prepare(c, "SELECT value FROM state WHERE scope_id=? AND key=?", &st, e))
        != 0)
        return rc;
    sqlite3_bind_int64(st, 1, c->scope_id);
    sqlite3_bind_text(st, 2, key, -1, SQLITE_STATIC);
    rc = sqlite3_step(st);
    if (rc == SQLITE_ROW) {
        cache_col_text(st, 0, buf, size);
        rc = 0;
    } else if (rc == SQLITE_DONE) {
        rc = err_set(e, ERR_NOTFOUND, "no state %s", key);
    } else {
        rc = cache_fail(c, e, "reading state");
    }
    sqlite3_finalize(st);
    return rc;
}

bool cache_status_final(const char *status)
{
    return status != NULL && (strcmp(status, "Completed") == 0 ||
                              strcmp(status, "Failed") == 0 || strcmp(status, "Stopped") == 0);
}
