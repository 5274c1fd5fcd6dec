/* session.c: opening the cache for an AWS identity (see session.h) and the time arguments the
 * cache-reading commands share. It must not print. */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "aws/sts.h"
#include "cache/session.h"

int cache_session_open(const struct aws_config *cfg, struct aws_client *client, const char *path,
                       unsigned flags, struct cache **out, char *moved_to, size_t moved_size,
                       struct err *e)
{
    struct aws_endpoint ep;
    struct sts_identity id;
    struct cache *c = NULL;
    char key[400];
    const char *account = NULL;
    int rc;

    if ((rc = cache_open(path, flags, &c, moved_to, moved_size, e)) != 0)
        return rc;
    memset(&ep, 0, sizeof(ep));
    if (aws_config_endpoint(cfg, AWS_SAGEMAKER, &ep, NULL) != 0)
        snprintf(ep.host, sizeof(ep.host), "default");
    snprintf(key, sizeof(key), "%s@%s", aws_config_profile(cfg), ep.host);
    memset(&id, 0, sizeof(id));
    if (client != NULL && sts_get_caller_identity(client, &id, NULL) == 0 && id.account[0])
        account = id.account;
    if ((rc = cache_scope_pick(c, key, aws_config_region(cfg), account, e)) != 0) {
        cache_close(c);
        return rc;
    }
    *out = c;
    return 0;
}

int cache_parse_time(const char *text, double now, double *out, struct err *e)
{
    static const struct { char unit; double s; } units[] = {
        { 's', 1 }, { 'm', 60 }, { 'h', 3600 }, { 'd', 86400 }, { 'w', 604800 },
    };
    const char *p = text;
    double total = 0;
    struct tm tm;
    char *end;

    if (text == NULL || *text == '\0')
        goto bad;
    if (*p == '@') {
        double v = strtod(p + 1, &end);

        if (end == p + 1 || *end != '\0')
            goto bad;
        *out = v;
        return 0;
    }
    if (strlen(text) >= 10 && isdigit((unsigned char)text[0]) && text[4] == '-') {
        const char *fmts[] = { "%Y-%m-%dT%H:%M:%SZ", "%Y-%m-%dT%H:%M:%S", "%Y-%m-%d %H:%M:%S",
                               "%Y-%m-%dT%H:%M", "%Y-%m-%d" };
        size_t i;

        for (i = 0; i < sizeof(fmts) / sizeof(fmts[0]); i++) {
            memset(&tm, 0, sizeof(tm));
            end = strptime(text, fmts[i], &tm);
            if (end != NULL && *end == '\0') {
                *out = (double)timegm(&tm);
                return 0;
            }
        }
        goto bad;
    }
    while (*p) {
        double v = strtod(p, &end);
        size_t i;

        if (end == p || v < 0)
            goto bad;
        for (i = 0; i < sizeof(units) / sizeof(units[0]); i++)
            if (*end == units[i].unit)
                break;
        if (i == sizeof(units) / sizeof(units[0]))
            goto bad;
        total += v * units[i].s;
        p = end + 1;
    }
    *out = now - total;
    return 0;
bad:
    return err_set(e, ERR_INVAL, "bad time '%s': use a duration (90s, 15m, 2h30m, 1d, 1w), a "
                   "date (2024-05-01, 2024-05-01T12:00:00Z) or @EPOCH", text ? text : "");
}
