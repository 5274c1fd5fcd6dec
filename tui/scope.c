/* scope.c: the account behind a profile, for the cache scope. Thin on purpose: the resolution
 * itself belongs to cache/session.c (STS online, the remembered account offline); this only
 * opens a short-lived handle, reads the scope it chose and closes it again. */
#include "tui/scope.h"

#include <stdio.h>

#include "cache/session.h"
#include "tui/sanitize.h"

int tui_scope_account(const struct aws_config *cfg, const char *cache_path,
                      struct aws_client *client, bool cached_only, char *buf, size_t size,
                      struct err *e)
{
    struct cache *c = NULL;
    int rc;

    rc = cache_session_open(cfg, cached_only ? NULL : client, cache_path,
                            cached_only ? CACHE_READ_ONLY : 0, &c, NULL, 0, e);
    if (rc < 0) {
        str_copy(buf, size, "unknown");
        return rc;
    }
    str_copy(buf, size, cache_scope_account(c));
    cache_close(c);
    return 0;
}
