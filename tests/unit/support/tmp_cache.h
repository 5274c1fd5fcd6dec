/* tmp_cache.h: a private cache file per unit test, in a temp directory of its own, for the tests
 * that need a real cache (test_cache, test_logpages, test_sync, test_sysmetrics). Test support
 * only. Not thread-safe: one test at a time per process (Criterion runs each test in a process
 * of its own), called from a suite's .init/.fini and the test itself. */
#ifndef SAGETOP_TEST_TMP_CACHE_H
#define SAGETOP_TEST_TMP_CACHE_H

#include "aws/err.h"
#include "cache/cache.h"

/* The current test's directory and cache file; set by tmp_cache_make. */
struct tmp_cache {
    char dir[256];
    char path[300];
};
extern struct tmp_cache tmp_cache;

/* Makes /tmp/sagetop-NAME-test.XXXXXX and sets tmp_cache.path to DIR/FILE (FILE may name a
 * subdirectory that does not exist yet, e.g. "sub/cache.db"). Returns 0, or -1 (errno). */
int tmp_cache_make(const char *name, const char *file);
/* Removes the directory and everything in it. Returns 0, or -1. */
int tmp_cache_remove(void);
/* Opens tmp_cache.path read-write in the scope 111122223333/us-east-1: the cache, or NULL with
 * e filled. The caller closes it (cache_close). */
struct cache *tmp_cache_open(struct err *e);

#endif
