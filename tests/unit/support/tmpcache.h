/* tmpcache.h: a scratch directory with a cache file path in it, for unit tests of the cache.
 * Not thread-safe: call from a suite's .init/.fini (and the test's own thread). */
#ifndef SAGETOP_TEST_TMPCACHE_H
#define SAGETOP_TEST_TMPCACHE_H

#include <stddef.h>

struct cache;

/* Makes a fresh directory named after tag under /tmp; path gets "<dir>/cache.db". 0 or -1. */
int tmpcache_make(const char *tag, char *dir, size_t dir_size, char *path, size_t path_size);
/* Removes the directory and everything in it. 0 or -1. */
int tmpcache_remove(const char *dir);
/* Opens path read-write in the scope (111122223333, us-east-1); NULL on failure. */
struct cache *tmpcache_open(const char *path);

#endif
