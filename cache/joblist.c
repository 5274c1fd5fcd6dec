/* joblist.c: the job list query: filters parsed from the user's text (hp.KEY:VALUE,
 * m.METRIC<VALUE, status:STATUS), one SQL statement built with its bindings (sort by any column,
 * hp.X or m.X; name regex), counted or read one window at a time, and one metric column for
 * the rows on screen. Only the visible rows are ever read, so 100,000 jobs cost what 50 do.
 * Read-only: it must not write to the cache. */
#include <ctype.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cache/internal.h"
#include "cache/logstore.h"
#include "cache/sysmetrics.h"

int cache_cond_parse(const char *text, struct cache_cond *out, struct err *e)
{
    static const struct { const char *s; enum cache_cond_op op; } ops[] = {
        { "!=", CACHE_OP_NE }, { "<=", CACHE_OP_LE }, { ">=", CACHE_OP_GE },
        { "==", CACHE_OP_EQ }, { ":", CACHE_OP_EQ }, { "=", CACHE_OP_EQ },
        { "<", CACHE_OP_LT }, { ">", CACHE_OP_GT },
    };
    struct cache_cond cd;
    const char *rest, *p;
    size_t i, klen;

    memset(&cd, 0, sizeof(cd));
    if (strncmp(text, "hp.", 3) == 0) {
        cd.kind = CACHE_COND_HP;
        rest = text + 3;
    } else if (strncmp(text, "m.", 2) == 0) {
        cd.kind = CACHE_COND_METRIC;
        rest = text + 2;
    } else if (strncmp(text, "sys.", 4) == 0) {
        cd.kind = CACHE_COND_SYS;
        rest = text + 4;
    } else if (strncmp(text, "status", 6) == 0) {
        cd.kind = CACHE_COND_STATUS;
        rest = text + 6;
    } else {
        return err_set(e, ERR_INVAL, "bad filter '%s': expected hp.KEY:VALUE, m.METRIC<VALUE, "
                       "sys.gpu<VALUE or status:STATUS", text);
    }
    for (p = rest; *p; p++) {
        for (i = 0; i < sizeof(ops) / sizeof(ops[0]); i++)
            if (strncmp(p, ops[i].s, strlen(ops[i].s)) == 0)
                goto found;
    }
    return err_set(e, ERR_INVAL, "bad filter '%s': no operator (: = != < <= > >=)", text);
found:
    klen = (size_t)(p - rest);
    if ((cd.kind != CACHE_COND_STATUS && klen == 0) || klen >= sizeof(cd.key))
        return err_set(e, ERR_INVAL, "bad filter '%s': missing or too long key", text);
    memcpy(cd.key, rest, klen);
    cd.op = ops[i].op;
    p += strlen(ops[i].s);
    if (strlen(p) >= sizeof(cd.value))
        return err_set(e, ERR_INVAL, "bad filter '%s': value too long", text);
    snprintf(cd.value, sizeof(cd.value), "%s", p);
    if (cd.kind == CACHE_COND_SYS) {
        const char *m = cache_sys_metric_resolve(cd.key);
        double d;

        if (m == NULL)
            return err_set(e, ERR_INVAL, "bad filter '%s': host metrics are cpu mem gpu "
                           "gpu_mem disk", text);
        if (cd.op == CACHE_OP_EQ || cd.op == CACHE_OP_NE || !cache_parse_number(p, &d))
            return err_set(e, ERR_INVAL, "bad filter '%s': use sys.%s<N, <=, > or >= a number",
                           text, cd.key);
        snprintf(cd.key, sizeof(cd.key), "%s", m);
    }
    if (cd.kind == CACHE_COND_STATUS && (klen != 0 || (cd.op != CACHE_OP_EQ &&
                                                       cd.op != CACHE_OP_NE)))
        return err_set(e, ERR_INVAL, "bad filter '%s': use status:STATUS or status!=STATUS",
                       text);
    *out = cd;
    return 0;
}

/* The query under construction: SQL text plus text/number bindings in order. */
#define Q_MAX_BINDS 48
struct qbuild {
    char sql[4096];
    size_t len;
    bool overflow;
    struct { bool is_num; double num; const char *text; } binds[Q_MAX_BINDS];
    int n_binds;
};

static void q_add(struct qbuild *q, const char *s)
{
    size_t n = strlen(s);

    if (q->len + n + 1 > sizeof(q->sql)) {
        q->overflow = true;
        return;
    }
    memcpy(q->sql + q->len, s, n + 1);
    q->len += n;
}

static void q_text(struct qbuild *q, const char *t)
{
    if (q->n_binds >= Q_MAX_BINDS) {
        q->overflow = true;
        return;
    }
    q->binds[q->n_binds].is_num = false;
    q->binds[q->n_binds++].text = t;
}

static void q_num(struct qbuild *q, double d)
{
    if (q->n_binds >= Q_MAX_BINDS) {
        q->overflow = true;
        return;
    }
    q->binds[q->n_binds].is_num = true;
    q->binds[q->n_binds++].num = d;
}

static const char *op_sql(enum cache_cond_op op)
{
    switch (op) {
    case CACHE_OP_NE: return " != ?";
    case CACHE_OP_LT: return " < ?";
    case CACHE_OP_LE: return " <= ?";
    case CACHE_OP_GT: return " > ?";
    case CACHE_OP_GE: return " >= ?";
    default: return " = ?";
    }
}

/* The hyperparameter condition's predicate; != means "has a different value or none". */
static void add_hp_cond(struct qbuild *q, const struct cache_cond *cd)
{
    double d;
    bool num = cache_parse_number(cd->value, &d);

    q_add(q, cd->op == CACHE_OP_NE ? "NOT EXISTS(" : "EXISTS(");
    q_add(q, "SELECT 1 FROM hyperparameters h WHERE h.job_id=j.id AND h.key=? AND ");
    q_text(q, cd->key);
    q_add(q, num ? "h.num" : "h.value");
    q_add(q, cd->op == CACHE_OP_NE ? " = ?" : op_sql(cd->op));
    q_add(q, ")");
    if (num)
        q_num(q, d);
    else
        q_text(q, cd->value);
}

/* The metric condition's predicate: the last extracted value, else the final metric. */
static void add_metric_cond(struct qbuild *q, const struct cache_cond *cd)
{
    double d;

    q_add(q, "coalesce((SELECT m.last FROM metrics m WHERE m.job_id=j.id AND m.name=?),"
             " (SELECT f.value FROM final_metrics f WHERE f.job_id=j.id AND f.name=?))");
    q_text(q, cd->key);
    q_text(q, cd->key);
    q_add(q, op_sql(cd->op));
    if (cache_parse_number(cd->value, &d))
        q_num(q, d);
    else
        q_text(q, cd->value);
}

/* The host-metric condition's predicate (a number, checked by cache_cond_parse()). */
static void add_sys_cond(struct qbuild *q, const struct cache_cond *cd)
{
    double d = 0;

    q_add(q, cache_sys_recent_sql(cache_sys_metric_per_gpu(cd->key)));
    q_text(q, cd->key);
    q_text(q, cd->key);
    q_add(q, op_sql(cd->op));
    cache_parse_number(cd->value, &d);
    q_num(q, d);
}

/* Whether the condition reads a field the job's description gives (hyperparameters, final
 * metrics): until then the job's answer is unknown, not "no". */
static bool cond_reads_description(const struct cache_cond *cd)
{
    return cd->kind == CACHE_COND_HP || cd->kind == CACHE_COND_METRIC;
}

/* The SQL that is true while the condition's field is unknown: the job was listed, never
 * described, and (for a metric) no value was extracted from its log either. */
static void add_cond_pending(struct qbuild *q, const struct cache_cond *cd)
{
    if (cd->kind == CACHE_COND_METRIC) {
        q_add(q, "(j.describe_json IS NULL AND NOT EXISTS(SELECT 1 FROM metrics pm WHERE"
                 " pm.job_id=j.id AND pm.name=? AND pm.last IS NOT NULL))");
        q_text(q, cd->key);
    } else {
        q_add(q, "(j.describe_json IS NULL)");
    }
}

/* One filter condition. A job whose field is pending passes (it is kept and marked, never
 * hidden as a false negative). */
static void add_cond(struct qbuild *q, const struct cache_cond *cd)
{
    if (cd->kind == CACHE_COND_STATUS) {
        q_add(q, cd->op == CACHE_OP_NE ? " AND j.status != ? COLLATE NOCASE"
                                       : " AND j.status = ? COLLATE NOCASE");
        q_text(q, cd->value);
        return;
    }
    if (cd->kind == CACHE_COND_SYS) {
        q_add(q, " AND ");
        add_sys_cond(q, cd);
        return;
    }
    q_add(q, " AND (");
    add_cond_pending(q, cd);
    q_add(q, " OR ");
    if (cd->kind == CACHE_COND_METRIC)
        add_metric_cond(q, cd);
    else
        add_hp_cond(q, cd);
    q_add(q, ")");
}

/* The sort key resolved: its expression, the SQL true while a job's value waits for its
 * description (NULL: the listing gives it), and the host metric it reads (NULL: none). */
struct sort_key {
    const char *expr;
    const char *pending;
    const char *sys_metric;
};

#define PENDING_DESCRIBE "j.describe_json IS NULL"

/* The job's own sort keys (host metrics, hp. and m. aside): the SQL each reads, and whether
 * only the description gives it. */
static const struct { const char *key, *expr; bool described; } sort_cols[] = {
    { "name", "j.name", false }, { "status", "j.status", false },
    { "secondary", "j.secondary_status", false }, { "created", "j.creation_time", false },
    { "started", "j.start_time", true }, { "ended", "j.end_time", false },
    { "modified", "j.last_modified", false },
    { "duration", "(CASE WHEN j.start_time > 0 THEN (CASE WHEN j.end_time > 0"
      " THEN j.end_time ELSE (julianday('now')-2440587.5)*86400.0 END) - j.start_time END)",
      true },
    { "instance_type", "j.instance_type", true },
    { "instance_count", "j.instance_count", true },
    { "billable", "j.billable_seconds", true },
    { "spot_savings", "(CASE WHEN j.spot AND j.training_seconds > 0 AND"
      " j.billable_seconds > 0 THEN 1.0 - CAST(j.billable_seconds AS REAL)"
      " / j.training_seconds END)", true },
};

/* The index in sort_cols of a job's own sort key, or -1. */
static int sort_col_find(const char *key)
{
    size_t i;

    for (i = 0; i < sizeof(sort_cols) / sizeof(sort_cols[0]); i++)
        if (strcmp(sort_cols[i].key, key) == 0)
            return (int)i;
    return -1;
}

bool cache_job_sort_key_own(const char *key)
{
    if ((strncmp(key, "hp.", 3) == 0 && key[3] != '\0') ||
        (strncmp(key, "m.", 2) == 0 && key[2] != '\0'))
        return true;
    return sort_col_find(key) >= 0;
}

/* Resolves the sort key and adds the joins it reads (before WHERE). */
static int add_sort_joins(struct qbuild *q, const char *sort, struct sort_key *k,
                          struct err *e)
{
    int i;

    memset(k, 0, sizeof(*k));
    if (strncmp(sort, "hp.", 3) == 0) {
        q_add(q, " LEFT JOIN hyperparameters hs ON hs.job_id=j.id AND hs.key=?");
        q_text(q, sort + 3);
        k->expr = "coalesce(hs.num, hs.value)";
        k->pending = PENDING_DESCRIBE;
    } else if (strncmp(sort, "m.", 2) == 0) {
        q_add(q, " LEFT JOIN metrics ms ON ms.job_id=j.id AND ms.name=?"
                 " LEFT JOIN final_metrics fs ON fs.job_id=j.id AND fs.name=?");
        q_text(q, sort + 2);
        q_text(q, sort + 2);
        /* the last extracted value, else the final metric */
        k->expr = "coalesce(ms.last, fs.value)";
        k->pending = PENDING_DESCRIBE " AND ms.last IS NULL";
    } else if (strncmp(sort, "sys.", 4) == 0) {
        if ((k->sys_metric = cache_sys_metric_resolve(sort + 4)) == NULL)
            return err_set(e, ERR_INVAL, "unknown sort key '%s' (host metrics: sys.cpu sys.mem "
                           "sys.gpu sys.gpu_mem sys.disk)", sort);
        k->expr = cache_sys_recent_sql(cache_sys_metric_per_gpu(k->sys_metric));
    } else {
        if ((i = sort_col_find(sort)) < 0)
            return err_set(e, ERR_INVAL, "unknown sort key '%s' (name status secondary created "
                           "started ended modified duration instance_type instance_count "
                           "billable spot_savings hp.KEY m.METRIC)", sort);
        k->expr = sort_cols[i].expr;
        k->pending = sort_cols[i].described ? PENDING_DESCRIBE : NULL;
    }
    return 0;
}

/* The WHERE clause: the scope, the name, the creation time, the statuses, the conditions. */
static int add_where(struct cache *c, const struct cache_job_query *qq, struct qbuild *q,
                     struct err *e)
{
    size_t i;
    int rc;

    q_add(q, " WHERE j.scope_id=?");
    q_num(q, (double)c->scope_id);
    if (qq == NULL)
        return 0;
    if (qq->name_regex != NULL && qq->name_regex[0] != '\0') {
        pcre2_code *code;

        if ((rc = cache_regex_compile(qq->name_regex, &code, e)) != 0)
            return rc;
        pcre2_code_free(code);
        q_add(q, qq->name_invert ? " AND NOT regexp(?, j.name)" : " AND regexp(?, j.name)");
        q_text(q, qq->name_regex);
    }
    if (qq->created_after > 0) {
        q_add(q, " AND j.creation_time >= ?");
        q_num(q, qq->created_after);
    }
    if (qq->status != NULL && qq->status[0] != '\0') {
        q_add(q, " AND (',' || lower(?) || ',') LIKE ('%,' || lower(j.status) || ',%')");
        q_text(q, qq->status);
    }
    for (i = 0; i < qq->n_conds && i < CACHE_MAX_CONDS; i++)
        add_cond(q, &qq->conds[i]);
    return 0;
}

/* ORDER BY: the jobs whose key is pending after every known one (ascending or descending: a
 * pending job's place is not known, so it takes none among them), then missing values, then
 * the key, newest first among equals. */
static void add_order(const struct cache_job_query *qq, const struct sort_key *k,
                      struct qbuild *q)
{
    q_add(q, " ORDER BY ");
    if (k->pending != NULL) {
        q_add(q, "(");
        q_add(q, k->pending);
        q_add(q, "), ");
    }
    q_add(q, "(");
    q_add(q, k->expr);
    q_add(q, ") IS NULL, ");
    q_add(q, k->expr);
    q_add(q, qq != NULL && qq->descending ? " DESC" : " ASC");
    /* the host-metric expression holds the metric twice, and is written twice */
    for (int i = 0; k->sys_metric != NULL && i < 4; i++)
        q_text(q, k->sys_metric);
    /* the same tie-break either way; for "created" its first term would be redundant and
     * would keep SQLite from walking the jobs_created_* index */
    q_add(q, strcmp(k->expr, "j.creation_time") == 0 ? ", j.id DESC"
                                                     : ", j.creation_time DESC, j.id DESC");
}

/* Builds "FROM ... WHERE ..." (and the ORDER BY when order is true; sort receives the key). */
static int build_query(struct cache *c, const struct cache_job_query *qq, struct qbuild *q,
                       bool order, struct sort_key *sort, struct err *e)
{
    const char *key = qq != NULL && qq->sort != NULL ? qq->sort : "created";
    struct sort_key k = { 0 };
    int rc;

    q_add(q, " FROM jobs j");
    if (order && (rc = add_sort_joins(q, key, &k, e)) != 0)
        return rc;
    if ((rc = add_where(c, qq, q, e)) != 0)
        return rc;
    if (order)
        add_order(qq, &k, q);
    if (q->overflow)
        return err_set(e, ERR_TOOBIG, "job query too complex");
    if (sort != NULL)
        *sort = k;
    return 0;
}

/* The select list's last column: true when the job's place in the order or its passing a
 * filter rests on a field not known yet (cache_job.pending). */
static void add_pending_col(const struct cache_job_query *qq, const struct sort_key *k,
                            struct qbuild *q)
{
    size_t i;

    q_add(q, ", (0");
    if (k->pending != NULL) {
        q_add(q, " OR (");
        q_add(q, k->pending);
        q_add(q, ")");
    }
    for (i = 0; qq != NULL && i < qq->n_conds && i < CACHE_MAX_CONDS; i++)
        if (cond_reads_description(&qq->conds[i])) {
            q_add(q, " OR ");
            add_cond_pending(q, &qq->conds[i]);
        }
    q_add(q, ")");
}

/* Appends src's text and bindings to dst. */
static void q_append(struct qbuild *dst, const struct qbuild *src)
{
    int i;

    q_add(dst, src->sql);
    for (i = 0; i < src->n_binds; i++) {
        if (dst->n_binds >= Q_MAX_BINDS) {
            dst->overflow = true;
            return;
        }
        dst->binds[dst->n_binds++] = src->binds[i];
    }
}

bool cache_job_query_reads_description(const struct cache_job_query *qq)
{
    struct sort_key k;
    struct qbuild *q;
    size_t i;
    bool r = false;

    if (qq == NULL)
        return false;
    for (i = 0; i < qq->n_conds && i < CACHE_MAX_CONDS; i++)
        r = r || cond_reads_description(&qq->conds[i]);
    if (r || (q = calloc(1, sizeof(*q))) == NULL)
        return r;
    r = add_sort_joins(q, qq->sort != NULL ? qq->sort : "created", &k, NULL) == 0 &&
        k.pending != NULL;
    free(q);
    return r;
}

static int bind_all(sqlite3_stmt *st, const struct qbuild *q)
{
    int i;

    for (i = 0; i < q->n_binds; i++) {
        if (q->binds[i].is_num) {
            double d = q->binds[i].num;

            if (d == (double)(int64_t)d)
                sqlite3_bind_int64(st, i + 1, (int64_t)d);
            else
                sqlite3_bind_double(st, i + 1, d);
        } else {
            sqlite3_bind_text(st, i + 1, q->binds[i].text, -1, SQLITE_STATIC);
        }
    }
    return i;
}

int cache_jobs_count(struct cache *c, const struct cache_job_query *qq, size_t *count,
                     struct err *e)
{
    struct qbuild *q = calloc(1, sizeof(*q));
    sqlite3_stmt *st = NULL;
    int rc;

    if (q == NULL)
        return err_set(e, ERR_NOMEM, "out of memory");
    q_add(q, "SELECT count(*)");
    if ((rc = build_query(c, qq, q, false, NULL, e)) != 0)
        goto out;
    if ((rc = cache_prepare(c, q->sql, &st, e)) != 0)
        goto out;
    bind_all(st, q);
    if (sqlite3_step(st) == SQLITE_ROW) {
        *count = (size_t)sqlite3_column_int64(st, 0);
        rc = 0;
    } else {
        rc = cache_fail(c, e, "counting jobs");
    }
out:
    sqlite3_finalize(st);
    free(q);
    return rc;
}

int cache_jobs_window(struct cache *c, const struct cache_job_query *qq, size_t offset,
                      size_t limit, struct cache_job *out, size_t *n, struct err *e)
{
    struct qbuild *body = calloc(1, sizeof(*body)), *q = calloc(1, sizeof(*q));
    struct sort_key k;
    sqlite3_stmt *st = NULL;
    size_t got = 0;
    int rc, s = SQLITE_DONE;

    if (q == NULL || body == NULL) {
        rc = err_set(e, ERR_NOMEM, "out of memory");
        goto out;
    }
    if ((rc = build_query(c, qq, body, true, &k, e)) != 0)
        goto out;
    q_add(q, "SELECT " CACHE_JOB_COLS);
    add_pending_col(qq, &k, q);
    q_append(q, body);
    q_add(q, " LIMIT ? OFFSET ?");
    q_num(q, (double)limit);
    q_num(q, (double)offset);
    if (q->overflow) {
        rc = err_set(e, ERR_TOOBIG, "job query too complex");
        goto out;
    }
    if ((rc = cache_prepare(c, q->sql, &st, e)) != 0)
        goto out;
    bind_all(st, q);
    while (got < limit && (s = sqlite3_step(st)) == SQLITE_ROW) {
        cache_job_read_row(st, &out[got]);
        out[got++].pending = sqlite3_column_int(st, CACHE_JOB_NCOLS) != 0;
    }
    if (got < limit && s != SQLITE_DONE) {
        rc = cache_fail(c, e, "listing jobs");
        goto out;
    }
    *n = got;
out:
    sqlite3_finalize(st);
    free(body);
    free(q);
    return rc;
}

int cache_jobs_metric_column(struct cache *c, const int64_t *ids, size_t n, const char *metric,
                             double *out, unsigned char *kind, struct err *e)
{
    static const char head[] =
        "SELECT j.id, m.last, m.count, f.value FROM jobs j"
        " LEFT JOIN metrics m ON m.job_id=j.id AND m.name=?1"
        " LEFT JOIN final_metrics f ON f.job_id=j.id AND f.name=?1 WHERE j.id IN (";
    sqlite3_stmt *st = NULL;
    char *sql;
    size_t i, len = sizeof(head) - 1;
    int rc, s;

    if (n == 0)
        return 0;
    if (n > 1024)
        return err_set(e, ERR_INVAL, "at most 1024 jobs per metric column query");
    if ((sql = malloc(len + 2 * n + 2)) == NULL)
        return err_set(e, ERR_NOMEM, "out of memory");
    memcpy(sql, head, len);
    for (i = 0; i < n; i++) {
        sql[len++] = i ? ',' : '?';
        if (i)
            sql[len++] = '?';
    }
    sql[len++] = ')';
    sql[len] = '\0';
    rc = cache_prepare(c, sql, &st, e);
    free(sql);
    if (rc != 0)
        return rc;
    sqlite3_bind_text(st, 1, metric, -1, SQLITE_STATIC);
    for (i = 0; i < n; i++) {
        sqlite3_bind_int64(st, (int)i + 2, ids[i]);
        kind[i] = CACHE_MCOL_NONE;
        out[i] = NAN;
    }
    while ((s = sqlite3_step(st)) == SQLITE_ROW) {
        int64_t id = sqlite3_column_int64(st, 0);

        for (i = 0; i < n; i++) {
            if (ids[i] != id)
                continue;
            if (sqlite3_column_type(st, 1) != SQLITE_NULL && sqlite3_column_int64(st, 2) > 0) {
                out[i] = sqlite3_column_double(st, 1);
                kind[i] = CACHE_MCOL_LOG;
            } else if (sqlite3_column_type(st, 3) != SQLITE_NULL) {
                out[i] = sqlite3_column_double(st, 3);
                kind[i] = CACHE_MCOL_FINAL;
            }
        }
    }
    rc = s == SQLITE_DONE ? 0 : cache_fail(c, e, "reading a metric column");
    sqlite3_finalize(st);
    return rc;
}

