/* jobs.c: the job table group: job rows (summary + the full describe document),
 * hyperparameters, metric definitions, tags, status transitions and final metrics (the job
 * list query is joblist.c's). It parses describe documents with jansson itself so the cache never depends on how aws/
 * models a job. It must not touch logs. */
#include <ctype.h>
#include <jansson.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "aws/dynbuf.h"
#include "cache/internal.h"
#include "cache/logstore.h"

int cache_job_lookup(struct cache *c, const char *name, int64_t *id, struct err *e)
{
    sqlite3_stmt *st;
    int rc;

    if ((rc = cache_prepare(c, "SELECT id FROM jobs WHERE scope_id=? AND name=?", &st, e)) != 0)
        return rc;
    sqlite3_bind_int64(st, 1, c->scope_id);
    sqlite3_bind_text(st, 2, name, -1, SQLITE_STATIC);
    rc = sqlite3_step(st);
    if (rc == SQLITE_ROW) {
        *id = sqlite3_column_int64(st, 0);
        rc = 0;
    } else if (rc == SQLITE_DONE) {
        rc = err_set(e, ERR_NOTFOUND, "no job %s in the cache (%s, %s)", name, c->account,
                     c->region);
    } else {
        rc = cache_fail(c, e, "looking up a job");
    }
    sqlite3_finalize(st);
    return rc;
}

int cache_job_id(struct cache *c, const char *name, int64_t *id, struct err *e)
{
    return cache_job_lookup(c, name, id, e);
}

int cache_job_upsert_summary(struct cache *c, const struct cache_job_summary *s, struct err *e)
{
    /* A describe newer than this summary wins for status fields. */
    static const char sql[] =
        "INSERT INTO jobs(scope_id, name, arn, status, secondary_status, creation_time,"
        " end_time, last_modified, listed_at)"
        " VALUES(?1,?2,?3,?4,?5,?6,?7,?8,(julianday('now')-2440587.5)*86400.0)"
        " ON CONFLICT(scope_id, name) DO UPDATE SET"
        "  arn=excluded.arn, creation_time=excluded.creation_time,"
        "  listed_at=excluded.listed_at,"
        "  status=CASE WHEN coalesce(last_modified,0) <= excluded.last_modified"
        "   THEN excluded.status ELSE status END,"
        "  secondary_status=CASE WHEN coalesce(last_modified,0) <= excluded.last_modified"
        "   AND excluded.secondary_status IS NOT NULL THEN excluded.secondary_status"
        "   ELSE secondary_status END,"
        "  end_time=CASE WHEN excluded.end_time > 0 THEN excluded.end_time ELSE end_time END,"
        "  last_modified=max(coalesce(last_modified,0), excluded.last_modified)";
    sqlite3_stmt *st;
    int rc;

    if ((rc = cache_sp_begin(c, e)) != 0)
        return rc;
    if ((rc = cache_prepare(c, sql, &st, e)) == 0) {
        sqlite3_bind_int64(st, 1, c->scope_id);
        sqlite3_bind_text(st, 2, s->name, -1, SQLITE_STATIC);
        sqlite3_bind_text(st, 3, s->arn != NULL ? s->arn : "", -1, SQLITE_STATIC);
        sqlite3_bind_text(st, 4, s->status != NULL ? s->status : "", -1, SQLITE_STATIC);
        if (s->secondary_status != NULL && s->secondary_status[0] != '\0')
            sqlite3_bind_text(st, 5, s->secondary_status, -1, SQLITE_STATIC);
        sqlite3_bind_double(st, 6, s->creation_time);
        sqlite3_bind_double(st, 7, s->end_time);
        sqlite3_bind_double(st, 8, s->last_modified_time);
        rc = sqlite3_step(st) == SQLITE_DONE ? 0 : cache_fail(c, e, "storing a job summary");
        sqlite3_finalize(st);
    }
    return cache_sp_end(c, rc, e);
}

static const char *jstr(json_t *o, const char *key)
{
    const char *s = json_string_value(json_object_get(o, key));

    return s != NULL ? s : "";
}

static double jnum(json_t *o, const char *key)
{
    json_t *v = json_object_get(o, key);

    return json_is_number(v) ? json_number_value(v) : 0;
}

/* The SDK JSON-encodes hyperparameter values ("\"train.py\""): undo one level of it. */
static char *unquote_hp(const char *v)
{
    size_t n = strlen(v);

    if (n >= 2 && v[0] == '"' && v[n - 1] == '"') {
        json_t *s = json_loadb(v, n, JSON_DECODE_ANY, NULL);

        if (json_is_string(s)) {
            char *r = strdup(json_string_value(s));

            json_decref(s);
            return r;
        }
        json_decref(s);
    }
    return strdup(v);
}

bool cache_parse_number(const char *s, double *out)
{
    char *end;
    double d;

    while (isspace((unsigned char)*s))
        s++;
    if (*s == '\0')
        return false;
    d = strtod(s, &end);
    while (isspace((unsigned char)*end))
        end++;
    if (*end != '\0' || !isfinite(d))
        return false;
    *out = d;
    return true;
}

static int run_stmt(struct cache *c, sqlite3_stmt *st, struct err *e, const char *what)
{
    int rc = sqlite3_step(st) == SQLITE_DONE ? 0 : cache_fail(c, e, what);

    sqlite3_reset(st);
    sqlite3_clear_bindings(st);
    return rc;
}

/* Binds one array item from ?3 on (?1 = the job, ?2 = the item's index, which a statement may
 * leave unused). */
typedef void (*bind_item_fn)(sqlite3_stmt *st, json_t *v);

static void bind_definition(sqlite3_stmt *st, json_t *v)
{
    sqlite3_bind_text(st, 3, jstr(v, "Name"), -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 4, jstr(v, "Regex"), -1, SQLITE_STATIC);
}

static void bind_transition(sqlite3_stmt *st, json_t *v)
{
    sqlite3_bind_text(st, 3, jstr(v, "Status"), -1, SQLITE_STATIC);
    sqlite3_bind_double(st, 4, jnum(v, "StartTime"));
    sqlite3_bind_double(st, 5, jnum(v, "EndTime"));
    sqlite3_bind_text(st, 6, jstr(v, "StatusMessage"), -1, SQLITE_STATIC);
}

static void bind_final_metric(sqlite3_stmt *st, json_t *v)
{
    sqlite3_bind_text(st, 3, jstr(v, "MetricName"), -1, SQLITE_STATIC);
    sqlite3_bind_double(st, 4, jnum(v, "Value"));
    sqlite3_bind_double(st, 5, jnum(v, "Timestamp"));
}

/* Inserts one row per item of the JSON array arr (NULL or not an array: none). */
static int store_array(struct cache *c, const char *sql, int64_t id, json_t *arr,
                       bind_item_fn bind, const char *what, struct err *e)
{
    sqlite3_stmt *st;
    json_t *v;
    size_t i;
    int rc;

    if ((rc = cache_prepare(c, sql, &st, e)) != 0)
        return rc;
    json_array_foreach(arr, i, v) {
        sqlite3_bind_int64(st, 1, id);
        sqlite3_bind_int(st, 2, (int)i);
        bind(st, v);
        if ((rc = run_stmt(c, st, e, what)) != 0)
            break;
    }
    sqlite3_finalize(st);
    return rc;
}

static int store_children(struct cache *c, int64_t id, json_t *doc, struct err *e)
{
    sqlite3_stmt *st = NULL;
    json_t *hp = json_object_get(doc, "HyperParameters");
    json_t *alg = json_object_get(doc, "AlgorithmSpecification");
    json_t *defs = json_object_get(alg, "MetricDefinitions");
    json_t *tr = json_object_get(doc, "SecondaryStatusTransitions");
    json_t *fm = json_object_get(doc, "FinalMetricDataList");
    const char *key;
    json_t *v;
    size_t i;
    int rc, idx = 0;
    static const char *const wipe[] = {
        "DELETE FROM hyperparameters WHERE job_id=?",
        "DELETE FROM metric_definitions WHERE job_id=?",
        "DELETE FROM transitions WHERE job_id=?",
        "DELETE FROM final_metrics WHERE job_id=?",
    };

    for (i = 0; i < sizeof(wipe) / sizeof(wipe[0]); i++) {
        if ((rc = cache_prepare(c, wipe[i], &st, e)) != 0)
            return rc;
        sqlite3_bind_int64(st, 1, id);
        rc = run_stmt(c, st, e, "replacing job details");
        sqlite3_finalize(st);
        if (rc != 0)
            return rc;
    }
    if ((rc = cache_prepare(c, "INSERT OR REPLACE INTO hyperparameters VALUES(?,?,?,?,?)", &st,
                            e)) != 0)
        return rc;
    json_object_foreach(hp, key, v) {
        char *val = unquote_hp(json_is_string(v) ? json_string_value(v) : "");
        double d;

        if (val == NULL) {
            rc = err_set(e, ERR_NOMEM, "out of memory");
            break;
        }
        sqlite3_bind_int64(st, 1, id);
        sqlite3_bind_int(st, 2, idx++);
        sqlite3_bind_text(st, 3, key, -1, SQLITE_STATIC);
        sqlite3_bind_text(st, 4, val, -1, SQLITE_TRANSIENT);
        if (cache_parse_number(val, &d))
            sqlite3_bind_double(st, 5, d);
        free(val);
        if ((rc = run_stmt(c, st, e, "storing hyperparameters")) != 0)
            break;
    }
    sqlite3_finalize(st);
    if (rc == 0)
        rc = store_array(c, "INSERT INTO metric_definitions VALUES(?,?,?,?)", id, defs,
                         bind_definition, "storing metric definitions", e);
    if (rc == 0)
        rc = store_array(c, "INSERT INTO transitions VALUES(?,?,?,?,?,?)", id, tr,
                         bind_transition, "storing status transitions", e);
    if (rc == 0)
        rc = store_array(c, "INSERT OR REPLACE INTO final_metrics VALUES(?1,?3,?4,?5)", id, fm,
                         bind_final_metric, "storing final metrics", e);
    return rc;
}

/* The state key that marks name's document partial. */
static void partial_key(const char *name, char *key, size_t size)
{
    snprintf(key, size, "partial_doc:%s", name);
}

/* Stores the document; partial says whether it came from Search (marked) or from
 * DescribeTrainingJob (the mark cleared). own_sp: under a savepoint of its own (else the
 * caller's transaction, which it rolls back on failure, holds it). */
static int store_doc(struct cache *c, const char *json, size_t len, const json_t *parsed,
                     bool partial, bool own_sp, struct err *e)
{
    static const char sql[] =
        "INSERT INTO jobs(scope_id, name, arn, status, secondary_status, creation_time,"
        " start_time, end_time, last_modified, instance_type, instance_count,"
        " training_seconds, billable_seconds, spot, failure_reason, describe_json,"
        " described_at)"
        " VALUES(?1,?2,?3,?4,?5,?6,?7,?8,?9,?10,?11,?12,?13,?14,?15,?16,"
        " (julianday('now')-2440587.5)*86400.0)"
        " ON CONFLICT(scope_id, name) DO UPDATE SET arn=excluded.arn, status=excluded.status,"
        "  secondary_status=excluded.secondary_status, creation_time=excluded.creation_time,"
        "  start_time=excluded.start_time, end_time=excluded.end_time,"
        "  last_modified=excluded.last_modified, instance_type=excluded.instance_type,"
        "  instance_count=excluded.instance_count, training_seconds=excluded.training_seconds,"
        "  billable_seconds=excluded.billable_seconds, spot=excluded.spot,"
        "  failure_reason=excluded.failure_reason, describe_json=excluded.describe_json,"
        "  described_at=excluded.described_at";
    json_error_t jerr = { 0 };
    json_t *doc = parsed != NULL ? json_incref((json_t *)parsed) : json_loadb(json, len, 0, &jerr);
    json_t *rcfg;
    sqlite3_stmt *st = NULL;
    const char *name;
    int64_t id;
    int rc;

    if (!json_is_object(doc) || (name = jstr(doc, "TrainingJobName"))[0] == '\0') {
        json_decref(doc);
        return err_set(e, ERR_PARSE, "not a DescribeTrainingJob document (%s)",
                       doc == NULL ? jerr.text : "no TrainingJobName");
    }
    rcfg = json_object_get(doc, "ResourceConfig");
    if (own_sp && (rc = cache_sp_begin(c, e)) != 0) {
        json_decref(doc);
        return rc;
    }
    if ((rc = cache_prepare(c, sql, &st, e)) != 0)
        goto out;
    sqlite3_bind_int64(st, 1, c->scope_id);
    sqlite3_bind_text(st, 2, name, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 3, jstr(doc, "TrainingJobArn"), -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 4, jstr(doc, "TrainingJobStatus"), -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 5, jstr(doc, "SecondaryStatus"), -1, SQLITE_STATIC);
    sqlite3_bind_double(st, 6, jnum(doc, "CreationTime"));
    sqlite3_bind_double(st, 7, jnum(doc, "TrainingStartTime"));
    sqlite3_bind_double(st, 8, jnum(doc, "TrainingEndTime"));
    sqlite3_bind_double(st, 9, jnum(doc, "LastModifiedTime"));
    sqlite3_bind_text(st, 10, jstr(rcfg, "InstanceType"), -1, SQLITE_STATIC);
    sqlite3_bind_int64(st, 11, (int64_t)jnum(rcfg, "InstanceCount"));
    sqlite3_bind_int64(st, 12, (int64_t)jnum(doc, "TrainingTimeInSeconds"));
    sqlite3_bind_int64(st, 13, (int64_t)jnum(doc, "BillableTimeInSeconds"));
    sqlite3_bind_int(st, 14, json_is_true(json_object_get(doc, "EnableManagedSpotTraining")));
    sqlite3_bind_text(st, 15, jstr(doc, "FailureReason"), -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 16, json, (int)len, SQLITE_STATIC);
    rc = sqlite3_step(st) == SQLITE_DONE ? 0 : cache_fail(c, e, "storing a job");
    sqlite3_finalize(st);
    if (rc != 0)
        goto out;
    if ((rc = cache_job_lookup(c, name, &id, e)) != 0)
        goto out;
    if ((rc = store_children(c, id, doc, e)) == 0) {
        char key[320];

        partial_key(name, key, sizeof(key));
        rc = cache_state_set(c, key, partial ? "1" : NULL, e);
    }
out:
    json_decref(doc);
    return own_sp ? cache_sp_end(c, rc, e) : rc;
}

int cache_job_store_describe(struct cache *c, const char *json, size_t len, struct err *e)
{
    return store_doc(c, json, len, NULL, false, true, e);
}

int cache_job_store_search(struct cache *c, const char *json, size_t len, struct err *e)
{
    /* a page of 100 in the caller's transaction: a savepoint each would journal every
     * b-tree page the job touches (some 50), spilling to a temporary file */
    return store_doc(c, json, len, NULL, true, sqlite3_get_autocommit(c->db), e);
}

int cache_job_store_search_doc(struct cache *c, const char *json, size_t len,
                               const struct json_t *doc, struct err *e)
{
    return store_doc(c, json, len, doc, true, sqlite3_get_autocommit(c->db), e);
}

/* Marks of the last complete listing, in the scope's state: "jobs.complete_at", our clock
 * when it began (what sagetop wrote before it measured the server's clock), and
 * "jobs.complete_at_server", the server's. */
#define JOBS_COMPLETE_AT "jobs.complete_at"
#define JOBS_COMPLETE_AT_SERVER "jobs.complete_at_server"

int cache_jobs_mark_complete(struct cache *c, double began_local, const double *server_offset_s,
                             struct err *e)
{
    char buf[32];
    int rc;

    snprintf(buf, sizeof(buf), "%.3f", began_local);
    if ((rc = cache_state_set(c, JOBS_COMPLETE_AT, buf, e)) != 0)
        return rc;
    if (server_offset_s == NULL)
        return cache_state_set(c, JOBS_COMPLETE_AT_SERVER, NULL, e);
    snprintf(buf, sizeof(buf), "%.3f", began_local + *server_offset_s);
    return cache_state_set(c, JOBS_COMPLETE_AT_SERVER, buf, e);
}

double cache_jobs_changed_since(struct cache *c)
{
    char buf[32] = "";

    if (cache_state_get(c, JOBS_COMPLETE_AT_SERVER, buf, sizeof(buf), NULL) == 0)
        return atof(buf) - CACHE_JOBS_MARGIN_S;
    if (cache_state_get(c, JOBS_COMPLETE_AT, buf, sizeof(buf), NULL) == 0)
        return atof(buf) - CACHE_JOBS_SKEW_UNKNOWN_S;
    return 0;
}

bool cache_job_doc_partial(struct cache *c, const char *name)
{
    char key[320], v[8];

    partial_key(name, key, sizeof(key));
    return cache_state_get(c, key, v, sizeof(v), NULL) == 0;
}

int cache_job_set_tags(struct cache *c, const char *name, const char *const *keys,
                       const char *const *values, size_t n, struct err *e)
{
    sqlite3_stmt *st = NULL;
    int64_t id;
    size_t i;
    int rc;

    if ((rc = cache_sp_begin(c, e)) != 0)
        return rc;
    if ((rc = cache_job_lookup(c, name, &id, e)) != 0)
        goto out;
    if ((rc = cache_prepare(c, "DELETE FROM tags WHERE job_id=?", &st, e)) != 0)
        goto out;
    sqlite3_bind_int64(st, 1, id);
    rc = run_stmt(c, st, e, "replacing tags");
    sqlite3_finalize(st);
    if (rc != 0 || (rc = cache_prepare(c, "INSERT OR REPLACE INTO tags VALUES(?,?,?)", &st, e))
        != 0)
        goto out;
    for (i = 0; i < n && rc == 0; i++) {
        sqlite3_bind_int64(st, 1, id);
        sqlite3_bind_text(st, 2, keys[i], -1, SQLITE_STATIC);
        sqlite3_bind_text(st, 3, values[i], -1, SQLITE_STATIC);
        rc = run_stmt(c, st, e, "storing tags");
    }
    sqlite3_finalize(st);
out:
    return cache_sp_end(c, rc, e);
}

/* ---- Reading jobs ---------------------------------------------------------------------- */

void cache_job_read_row(sqlite3_stmt *st, struct cache_job *j)
{
    memset(j, 0, sizeof(*j));
    j->id = sqlite3_column_int64(st, 0);
    cache_col_text(st, 1, j->name, sizeof(j->name));
    cache_col_text(st, 2, j->arn, sizeof(j->arn));
    cache_col_text(st, 3, j->status, sizeof(j->status));
    cache_col_text(st, 4, j->secondary_status, sizeof(j->secondary_status));
    j->creation_time = sqlite3_column_double(st, 5);
    j->start_time = sqlite3_column_double(st, 6);
    j->end_time = sqlite3_column_double(st, 7);
    j->last_modified_time = sqlite3_column_double(st, 8);
    cache_col_text(st, 9, j->instance_type, sizeof(j->instance_type));
    j->instance_count = sqlite3_column_int(st, 10);
    j->training_seconds = sqlite3_column_int64(st, 11);
    j->billable_seconds = sqlite3_column_int64(st, 12);
    j->spot = sqlite3_column_int(st, 13) != 0;
    j->described = sqlite3_column_int(st, 14) != 0;
    j->described_at = sqlite3_column_double(st, 15);
    cache_col_text(st, 16, j->failure_reason, sizeof(j->failure_reason));
}

int cache_job_get(struct cache *c, const char *name, struct cache_job *out, struct err *e)
{
    sqlite3_stmt *st;
    int rc;

    if ((rc = cache_prepare(c, "SELECT " CACHE_JOB_COLS " FROM jobs j WHERE j.scope_id=? AND j.name=?",
                            &st, e)) != 0)
        return rc;
    sqlite3_bind_int64(st, 1, c->scope_id);
    sqlite3_bind_text(st, 2, name, -1, SQLITE_STATIC);
    rc = sqlite3_step(st);
    if (rc == SQLITE_ROW) {
        cache_job_read_row(st, out);
        rc = 0;
    } else if (rc == SQLITE_DONE) {
        rc = err_set(e, ERR_NOTFOUND, "no job %s in the cache (%s, %s)", name, c->account,
                     c->region);
    } else {
        rc = cache_fail(c, e, "reading a job");
    }
    sqlite3_finalize(st);
    return rc;
}

int cache_read_doc(struct cache *c, const char *sql, const char *name, const char *what,
                   char **json, struct err *e)
{
    sqlite3_stmt *st;
    int rc;

    if ((rc = cache_prepare(c, sql, &st, e)) != 0)
        return rc;
    sqlite3_bind_int64(st, 1, c->scope_id);
    sqlite3_bind_text(st, 2, name, -1, SQLITE_STATIC);
    rc = sqlite3_step(st);
    if (rc == SQLITE_ROW && sqlite3_column_type(st, 0) != SQLITE_NULL) {
        char *s = cache_col_strdup(st, 0);

        rc = s != NULL ? 0 : err_set(e, ERR_NOMEM, "out of memory");
        if (s != NULL)
            *json = s;
    } else if (rc == SQLITE_ROW || rc == SQLITE_DONE) {
        rc = err_set(e, ERR_NOTFOUND, "%s %s has not been described yet", what, name);
    } else {
        rc = cache_fail(c, e, "reading a job");
    }
    sqlite3_finalize(st);
    return rc;
}

int cache_job_describe_json(struct cache *c, const char *name, char **json, struct err *e)
{
    return cache_read_doc(c, "SELECT describe_json FROM jobs WHERE scope_id=? AND name=?", name,
                          "job", json, e);
}

/* ---- Detail lists ---------------------------------------------------------------------- */

void cache_kv_list_clean(struct cache_kv_list *l)
{
    size_t i;

    if (l == NULL)
        return;
    for (i = 0; i < l->n; i++) {
        free(l->items[i].key);
        free(l->items[i].value);
    }
    free(l->items);
    l->items = NULL;
    l->n = 0;
}

/* Runs sql (?1 = scope, ?2 = job name) and collects column 0/1 pairs. */
static void read_kv(sqlite3_stmt *st, void *item)
{
    struct cache_kv *kv = item;

    kv->key = cache_col_strdup(st, 0);
    kv->value = cache_col_strdup(st, 1);
}

void cache_kv_read_row(sqlite3_stmt *st, void *item)
{
    read_kv(st, item);
}

int cache_kv_rows(struct cache *c, const char *sql, const char *job, cache_row_fn read,
                  const char *what, struct cache_kv_list *out, struct err *e)
{
    struct cache_rows r = { .elem = sizeof(struct cache_kv), .read = read, .what = what };
    struct cache_kv_list l;
    int rc = cache_job_rows(c, sql, job, &r, e);

    l.items = r.items;
    l.n = r.n;
    if (rc != 0) {
        cache_kv_list_clean(&l);
        return rc;
    }
    *out = l;
    return 0;
}

int cache_job_hyperparameters(struct cache *c, const char *name, struct cache_kv_list *out,
                              struct err *e)
{
    return cache_kv_rows(c, "SELECT h.key, h.value FROM hyperparameters h JOIN jobs j ON"
                         " j.id=h.job_id WHERE j.scope_id=?1 AND j.name=?2 ORDER BY h.key",
                         name, read_kv, "reading job details", out, e);
}

int cache_job_metric_definitions(struct cache *c, const char *name, struct cache_kv_list *out,
                                 struct err *e)
{
    return cache_kv_rows(c, "SELECT d.name, d.regex FROM metric_definitions d JOIN jobs j ON"
                         " j.id=d.job_id WHERE j.scope_id=?1 AND j.name=?2 ORDER BY d.idx",
                         name, read_kv, "reading job details", out, e);
}

int cache_job_tags(struct cache *c, const char *name, struct cache_kv_list *out, struct err *e)
{
    return cache_kv_rows(c, "SELECT t.key, t.value FROM tags t JOIN jobs j ON j.id=t.job_id"
                         " WHERE j.scope_id=?1 AND j.name=?2 ORDER BY t.key", name, read_kv,
                         "reading job details", out, e);
}

void cache_transition_list_clean(struct cache_transition_list *l)
{
    if (l == NULL)
        return;
    free(l->items);
    l->items = NULL;
    l->n = 0;
}

static void read_transition(sqlite3_stmt *st, void *item)
{
    struct cache_transition *t = item;

    cache_col_text(st, 0, t->status, sizeof(t->status));
    t->start_time = sqlite3_column_double(st, 1);
    t->end_time = sqlite3_column_double(st, 2);
    cache_col_text(st, 3, t->message, sizeof(t->message));
}

int cache_job_transitions(struct cache *c, const char *name, struct cache_transition_list *out,
                          struct err *e)
{
    struct cache_rows r = { .elem = sizeof(struct cache_transition), .read = read_transition,
                            .what = "reading transitions" };
    struct cache_transition_list l;
    int rc = cache_job_rows(c, "SELECT t.status, t.start_time, t.end_time, t.message FROM"
                            " transitions t JOIN jobs j ON j.id=t.job_id WHERE j.scope_id=?"
                            " AND j.name=? ORDER BY t.idx", name, &r, e);

    l.items = r.items;
    l.n = r.n;
    if (rc != 0) {
        cache_transition_list_clean(&l);
        return rc;
    }
    *out = l;
    return 0;
}
