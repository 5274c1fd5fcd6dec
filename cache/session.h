/* session.h: how a front end opens the cache for the AWS identity it talks to.
 *
 * The scope is (account, region). Online, the account comes from STS GetCallerIdentity and is
 * remembered under "<profile>@<SageMaker endpoint host>"; offline (client NULL) the account
 * remembered for that key is used, else "unknown". STS failing online is not an error: the
 * remembered account is used. Runs on the caller's thread (it uses the caller's client). */
#ifndef SAGETOP_CACHE_SESSION_H
#define SAGETOP_CACHE_SESSION_H

#include <stddef.h>

#include "aws/client.h"
#include "aws/config.h"
#include "aws/err.h"
#include "cache/cache.h"

/* path NULL = the default location; flags as cache_open(). */
int cache_session_open(const struct aws_config *cfg, struct aws_client *client, const char *path,
                       unsigned flags, struct cache **out, char *moved_to, size_t moved_size,
                       struct err *e);

/* Parses a --since/--until value into epoch seconds: a duration back from now ("90s", "15m",
 * "2h30m", "1d", "1w") or an absolute time ("2024-05-01", "2024-05-01T12:00:00Z", or epoch
 * seconds "@1714567890"). ERR_INVAL saying what is accepted. */
int cache_parse_time(const char *text, double now, double *out, struct err *e);

#endif
