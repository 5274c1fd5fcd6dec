/* alerts.h (cache): the alerts that fired, one row per (job, rule, key) in the alerts table, so
 * that each alert fires once, also across restarts. The rules themselves are metrics/alerts.h.
 * Threads and errors as cache.h. */
#ifndef SAGETOP_CACHE_ALERTS_H
#define SAGETOP_CACHE_ALERTS_H

#include <stdbool.h>
#include <stddef.h>

#include "aws/err.h"
#include "cache/cache.h"
#include "metrics/alerts.h"

/* Records the alert unless that (job, rule, key) already fired: *fired_now is true when this
 * call recorded it (deliver it), false when it had fired before (stay quiet). */
int cache_alert_fire(struct cache *c, const char *job, const char *rule, const char *key,
                     const char *message, double now_s, bool *fired_now, struct err *e);

struct cache_alert {
    char job[CACHE_JOB_NAME_MAX];
    char rule[32];
    char key[160];
    char message[256];
    double fired_at;
};
struct cache_alert_list {
    struct cache_alert *items;
    size_t n, cap;
};
void cache_alert_list_clean(struct cache_alert_list *l);
/* Every alert of the scope, newest first (at most limit; 0 = all). */
int cache_alerts_list(struct cache *c, size_t limit, struct cache_alert_list *out, struct err *e);

/* One job's check (alertcheck.c; c read-write): its rules from cfg evaluated on the cache's
 * state of it (status, newest log line, log metrics, host metrics) at now_s, and every alert
 * that fires recorded. out[0..*n_out) gets those that fired for the first time (at most cap):
 * the caller delivers them. *final: the job has ended. logs_synced false: the job's log is not
 * being kept up to date, so the stall rule is skipped (no new line would prove nothing).
 * ERR_NOTFOUND: no such job in the cache. */
int cache_alerts_check(struct cache *c, const struct alerts_config *cfg, const char *job,
                       double now_s, bool logs_synced, struct alerts_alert *out, size_t cap,
                       size_t *n_out, bool *final, struct err *e);

#endif
