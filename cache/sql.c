/* sql.c: the small SQLite helpers every cache/ file uses: errors that say what to do, prepared
 * statements, column copies, one reader for "the rows of a job" lists, transactions and the
 * savepoints that let writers nest, and the REGEXP function. It must not know the schema
 * beyond the statements its callers hand it. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "aws/dynbuf.h"
#include "cache/internal.h"
#include "cache/logstore.h"

int cache_fail(struct cache *c, struct err *e, const char *what)
{
    const char *msg = c != NULL && c->db != NULL ? sqlite3_errmsg(c->db) : "no database";
    int ext = c != NULL && c->db != NULL ? sqlite3_extended_errcode(c->db) : 0;

    if ((ext & 0xff) == SQLITE_FULL)
        return err_set(e, ERR_IO, "cache %s: disk full (%s); nothing already stored was lost",
                       c->path, what);
    if ((ext & 0xff) == SQLITE_READONLY)
        return err_set(e, ERR_IO, "cache %s is read-only (%s): check the permissions of the "
                       "file and its directory, or use --cache PATH", c->path, what);
    if ((ext & 0xff) == SQLITE_CORRUPT || (ext & 0xff) == SQLITE_NOTADB)
        return err_set(e, ERR_CACHE, "cache %s is damaged (%s: %s); move it aside with "
                       "--reset-cache", c->path, what, msg);
    return err_set(e, ERR_CACHE, "cache %s: %s: %s", c != NULL ? c->path : "?", what, msg);
}

int cache_prepare(struct cache *c, const char *sql, sqlite3_stmt **st, struct err *e)
{
    if (sqlite3_prepare_v2(c->db, sql, -1, st, NULL) != SQLITE_OK) {
        *st = NULL;
        return cache_fail(c, e, "prepare");
    }
    return 0;
}

int cache_prepare_kept(struct cache *c, const char *sql, sqlite3_stmt **st, struct err *e)
{
    struct cache_kept *k;
    int i, rc;

    for (i = 0; i < c->n_kept; i++) {
        k = &c->kept[i];
        if (strcmp(sqlite3_sql(k->st), sql) != 0)
            continue;
        if (k->busy)
            return cache_prepare(c, sql, st, e);
        k->busy = true;
        *st = k->st;
        return 0;
    }
    if ((rc = cache_prepare(c, sql, st, e)) != 0 || c->n_kept == CACHE_KEPT_MAX)
        return rc;
    c->kept[c->n_kept++] = (struct cache_kept){ *st, true };
    return 0;
}

void cache_kept_done(struct cache *c, sqlite3_stmt *st)
{
    int i;

    for (i = 0; i < c->n_kept; i++) {
        if (c->kept[i].st == st) {
            sqlite3_reset(st);
            sqlite3_clear_bindings(st);
            c->kept[i].busy = false;
            return;
        }
    }
    sqlite3_finalize(st);
}

void cache_kept_clean(struct cache *c)
{
    int i;

    for (i = 0; i < c->n_kept; i++)
        sqlite3_finalize(c->kept[i].st);
    c->n_kept = 0;
}

int cache_exec(struct cache *c, const char *sql, struct err *e)
{
    if (sqlite3_exec(c->db, sql, NULL, NULL, NULL) != SQLITE_OK)
        return cache_fail(c, e, "exec");
    return 0;
}

int cache_require_rw(struct cache *c, struct err *e)
{
    if (c->read_only)
        return err_set(e, ERR_INVAL, "cache %s: this handle is read-only", c->path);
    return 0;
}

void cache_col_text(sqlite3_stmt *st, int col, char *buf, size_t size)
{
    const unsigned char *t = sqlite3_column_text(st, col);

    snprintf(buf, size, "%s", t != NULL ? (const char *)t : "");
}

char *cache_col_strdup(sqlite3_stmt *st, int col)
{
    const unsigned char *t = sqlite3_column_text(st, col);

    return strdup(t != NULL ? (const char *)t : "");
}


int cache_job_rows(struct cache *c, const char *sql, const char *job, struct cache_rows *r,
                   struct err *e)
{
    sqlite3_stmt *st;
    int rc, s;

    if ((rc = cache_prepare_kept(c, sql, &st, e)) != 0)
        return rc;
    sqlite3_bind_int64(st, 1, c->scope_id);
    sqlite3_bind_text(st, 2, job, -1, SQLITE_STATIC);
    while ((s = sqlite3_step(st)) == SQLITE_ROW) {
        if (vec_grow(&r->items, &r->cap, r->n + 1, r->elem) != 0) {
            rc = err_set(e, ERR_NOMEM, "out of memory");
            break;
        }
        r->read(st, (char *)r->items + r->n * r->elem);
        r->n++;
    }
    if (rc == 0 && s != SQLITE_DONE)
        rc = cache_fail(c, e, r->what);
    cache_kept_done(c, st);
    return rc;
}

int cache_tx_begin(struct cache *c, struct err *e)
{
    int rc;

    if ((rc = cache_require_rw(c, e)) != 0)
        return rc;
    return cache_exec(c, "BEGIN IMMEDIATE", e);
}

int cache_tx_commit(struct cache *c, struct err *e)
{
    int rc = cache_exec(c, "COMMIT", e);

    if (rc != 0) {
        sqlite3_exec(c->db, "ROLLBACK", NULL, NULL, NULL);
        return rc;
    }
    c->own_writes++;
    return 0;
}

void cache_tx_rollback(struct cache *c)
{
    if (!sqlite3_get_autocommit(c->db))
        sqlite3_exec(c->db, "ROLLBACK", NULL, NULL, NULL);
}

int cache_sp_begin(struct cache *c, struct err *e)
{
    int rc;

    if ((rc = cache_require_rw(c, e)) != 0)
        return rc;
    if (c->scope_id == 0 && (rc = cache_scope_use(c, c->account, c->region, e)) != 0)
        return rc;
    /* Outside a transaction a SAVEPOINT starts a deferred one, whose upgrade from reader to
     * writer fails at once with SQLITE_BUSY when another connection wrote meanwhile (no busy
     * wait is possible then): take the write lock up front instead. */
    if (sqlite3_get_autocommit(c->db)) {
        if ((rc = cache_exec(c, "BEGIN IMMEDIATE", e)) != 0)
            return rc;
        c->sp_began_tx = c->savepoints + 1;
    }
    if ((rc = cache_exec(c, "SAVEPOINT w", e)) != 0) {
        if (c->sp_began_tx == c->savepoints + 1) {
            sqlite3_exec(c->db, "ROLLBACK", NULL, NULL, NULL);
            c->sp_began_tx = 0;
        }
        return rc;
    }
    c->savepoints++;
    return 0;
}

int cache_sp_end(struct cache *c, int rc, struct err *e)
{
    bool outer = c->sp_began_tx == c->savepoints;

    c->savepoints--;
    if (outer)
        c->sp_began_tx = 0;
    if (rc == 0) {
        rc = cache_exec(c, "RELEASE w", e);
        if (rc == 0 && outer)
            rc = cache_exec(c, "COMMIT", e);
        if (rc == 0) {
            c->own_writes++;
            return 0;
        }
    }
    sqlite3_exec(c->db, "ROLLBACK TO w", NULL, NULL, NULL);
    sqlite3_exec(c->db, "RELEASE w", NULL, NULL, NULL);
    if (outer && !sqlite3_get_autocommit(c->db))
        sqlite3_exec(c->db, "ROLLBACK", NULL, NULL, NULL);
    return rc;
}

int cache_regex_compile(const char *re, pcre2_code **out, struct err *e)
{
    uint32_t opts = PCRE2_UTF | PCRE2_MATCH_INVALID_UTF;
    const char *p;
    int errcode;
    PCRE2_SIZE off;
    pcre2_code *code;
    bool upper = false;

    for (p = re; *p; p++) {
        if (*p == '\\' && p[1] != '\0') {
            p++;
            continue;
        }
        if (*p >= 'A' && *p <= 'Z')
            upper = true;
    }
    if (!upper)
        opts |= PCRE2_CASELESS;
    code = pcre2_compile((PCRE2_SPTR)re, PCRE2_ZERO_TERMINATED, opts, &errcode, &off, NULL);
    if (code == NULL) {
        PCRE2_UCHAR msg[160];

        pcre2_get_error_message(errcode, msg, sizeof(msg));
        return err_set(e, ERR_INVAL, "bad regex '%s': %s at offset %zu", re, (char *)msg,
                       (size_t)off);
    }
    pcre2_jit_compile(code, PCRE2_JIT_COMPLETE);   /* the interpreter is the fallback */
    *out = code;
    return 0;
}

static void free_code(void *p)
{
    pcre2_code_free(p);
}

/* regexp(pattern, text): the compiled pattern is cached on the statement (auxdata). */
static void regexp_fn(sqlite3_context *ctx, int argc, sqlite3_value **argv)
{
    pcre2_code *code = sqlite3_get_auxdata(ctx, 0);
    pcre2_match_data *md;
    const unsigned char *text;
    int rc;

    (void)argc;
    if (code == NULL) {
        const unsigned char *re = sqlite3_value_text(argv[0]);
        struct err e;

        if (re == NULL || cache_regex_compile((const char *)re, &code, &e) != 0) {
            sqlite3_result_error(ctx, re == NULL ? "null regex" : e.msg, -1);
            return;
        }
        sqlite3_set_auxdata(ctx, 0, code, free_code);
        code = sqlite3_get_auxdata(ctx, 0);
        if (code == NULL) {
            sqlite3_result_error_nomem(ctx);
            return;
        }
    }
    text = sqlite3_value_text(argv[1]);
    if (text == NULL) {
        sqlite3_result_int(ctx, 0);
        return;
    }
    md = pcre2_match_data_create(1, NULL);
    if (md == NULL) {
        sqlite3_result_error_nomem(ctx);
        return;
    }
    rc = pcre2_match(code, text, (PCRE2_SIZE)sqlite3_value_bytes(argv[1]), 0, 0, md, NULL);
    pcre2_match_data_free(md);
    sqlite3_result_int(ctx, rc >= 0);
}

int cache_regexp_register(struct cache *c, struct err *e)
{
    if (sqlite3_create_function(c->db, "regexp", 2, SQLITE_UTF8 | SQLITE_DETERMINISTIC, NULL,
                                regexp_fn, NULL, NULL) != SQLITE_OK)
        return cache_fail(c, e, "registering REGEXP");
    return 0;
}
