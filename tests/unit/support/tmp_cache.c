/* tmp_cache.c: the per-test cache directory of tmp_cache.h. Test support only: it runs `rm -rf`
 * on the directory it made and must not be linked into the program. */
#include "tmp_cache.h"

#include <stdio.h>
#include <stdlib.h>

struct tmp_cache tmp_cache;

int tmp_cache_make(const char *name, const char *file)
{
    snprintf(tmp_cache.dir, sizeof(tmp_cache.dir), "/tmp/sagetop-%s-test.XXXXXX", name);
    if (mkdtemp(tmp_cache.dir) == NULL)
        return -1;
    snprintf(tmp_cache.path, sizeof(tmp_cache.path), "%s/%s", tmp_cache.dir, file);
    return 0;
}

int tmp_cache_remove(void)
{
    char cmd[400];

    snprintf(cmd, sizeof(cmd), "rm -rf '%s'", tmp_cache.dir);
    return system(cmd) == 0 ? 0 : -1;
}

struct cache *tmp_cache_open(struct err *e)
{
    struct cache *c = NULL;

    if (cache_open(tmp_cache.path, 0, &c, NULL, 0, e) != 0)
        return NULL;
    if (cache_scope_use(c, "111122223333", "us-east-1", e) != 0) {
        cache_close(c);
        return NULL;
    }
    return c;
}
