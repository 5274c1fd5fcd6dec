/* scope.c: the account behind a profile, for the cache scope. Thin on purpose: the resolution
 * itself belongs to cache/ (cache_scope_resolve) once it lands; until then the account is
 * "unknown", which keeps the UI and the engine on one shared scope per region. */
#include "tui/scope.h"

#include <stdio.h>

int tui_scope_account(const struct aws_config *cfg, const char *cache_path,
                      struct aws_client *client, bool cached_only, char *buf, size_t size,
                      struct err *e)
{
    (void)cfg;
    (void)cache_path;
    (void)client;
    (void)cached_only;
    (void)e;
    snprintf(buf, size, "unknown");
    return 0;
}
