/* tmpcache.c: scratch cache files for unit tests (see tmpcache.h). Test support only: never
 * linked into sagetop. */
#include "tests/unit/support/tmpcache.h"

#include <stdio.h>
#include <stdlib.h>

#include "cache/cache.h"

int tmpcache_make(const char *tag, char *dir, size_t dir_size, char *path, size_t path_size)
{
    snprintf(dir, dir_size, "/tmp/sagetop-%s.XXXXXX", tag);
    if (mkdtemp(dir) == NULL)
        return -1;
    snprintf(path, path_size, "%s/cache.db", dir);
    return 0;
}

int tmpcache_remove(const char *dir)
{
    char cmd[600];

    snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
    return system(cmd) == 0 ? 0 : -1;
}

struct cache *tmpcache_open(const char *path)
{
    struct cache *c = NULL;
    struct err e = { 0 };

    if (cache_open(path, 0, &c, NULL, 0, &e) != 0)
        return NULL;
    if (cache_scope_use(c, "111122223333", "us-east-1", &e) != 0) {
        cache_close(c);
        return NULL;
    }
    return c;
}
