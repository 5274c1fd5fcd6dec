/* alerts.c (cache): the alerts table (alerts.h): what fired, so each alert fires once.
 * Must not decide whether something is an alert (metrics/alerts.c does) or deliver one. */
#include "cache/alerts.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "aws/dynbuf.h"
#include "cache/internal.h"

int cache_alert_fire(struct cache *c, const char *job, const char *rule, const char *key,
                     const char *message, double now_s, bool *fired_now, struct err *e)
{
    sqlite3_stmt *st;
    int64_t id;
    int rc;

    if ((rc = cache_require_rw(c, e)) != 0 || (rc = cache_job_lookup(c, job, &id, e)) != 0)
        return rc;
    if ((rc = cache_prepare(c, "INSERT OR IGNORE INTO alerts(job_id, rule, key, message,"
                               " fired_at) VALUES(?,?,?,?,?)", &st, e)) != 0)
        return rc;
    sqlite3_bind_int64(st, 1, id);
    sqlite3_bind_text(st, 2, rule, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 3, key != NULL ? key : "", -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 4, message != NULL ? message : "", -1, SQLITE_STATIC);
    sqlite3_bind_double(st, 5, now_s);
    if (sqlite3_step(st) != SQLITE_DONE) {
        rc = cache_fail(c, e, "recording an alert");
    } else {
        *fired_now = sqlite3_changes(c->db) > 0;
        if (*fired_now)
            c->own_writes++;
    }
    sqlite3_finalize(st);
    return rc;
}

void cache_alert_list_clean(struct cache_alert_list *l)
{
    if (l == NULL)
        return;
    free(l->items);
    memset(l, 0, sizeof(*l));
}

int cache_alerts_list(struct cache *c, size_t limit, struct cache_alert_list *out, struct err *e)
{
    struct cache_alert_list l = {0};
    sqlite3_stmt *st;
    int rc, step;

    if ((rc = cache_prepare(c, "SELECT j.name, a.rule, a.key, a.message, a.fired_at FROM alerts a"
                               " JOIN jobs j ON j.id = a.job_id WHERE j.scope_id = ?"
                               " ORDER BY a.fired_at DESC, a.id DESC LIMIT ?", &st, e)) != 0)
        return rc;
    sqlite3_bind_int64(st, 1, c->scope_id);
    sqlite3_bind_int64(st, 2, limit > 0 ? (sqlite3_int64)limit : -1);
    while ((step = sqlite3_step(st)) == SQLITE_ROW) {
        struct cache_alert *a;

        if (vec_grow((void **)&l.items, &l.cap, l.n + 1, sizeof(*l.items)) != 0) {
            rc = err_set(e, ERR_NOMEM, "out of memory");
            break;
        }
        a = &l.items[l.n++];
        cache_col_text(st, 0, a->job, sizeof(a->job));
        cache_col_text(st, 1, a->rule, sizeof(a->rule));
        cache_col_text(st, 2, a->key, sizeof(a->key));
        cache_col_text(st, 3, a->message, sizeof(a->message));
        a->fired_at = sqlite3_column_double(st, 4);
    }
    if (rc == 0 && step != SQLITE_DONE)
        rc = cache_fail(c, e, "reading alerts");
    sqlite3_finalize(st);
    if (rc != 0) {
        cache_alert_list_clean(&l);
        return rc;
    }
    *out = l;
    return 0;
}
