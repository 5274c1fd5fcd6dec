/* scope.h: which account the UI is looking at. The cache keeps each (account, region) apart;
 * the UI must pick the same scope the sync engine writes. Callable from any thread (each call
 * uses only what it is given). */
#ifndef SAGETOP_TUI_SCOPE_H
#define SAGETOP_TUI_SCOPE_H

#include <stdbool.h>
#include <stddef.h>

#include "aws/client.h"
#include "aws/config.h"
#include "aws/err.h"

/* Writes the account id for cfg's profile into buf. With a client (and !cached_only) it asks
 * AWS and remembers the answer; cached_only returns the last answer remembered for the profile
 * (or "unknown"). 0 ok, negative ERR_* with e filled. */
int tui_scope_account(const struct aws_config *cfg, const char *cache_path,
                      struct aws_client *client, bool cached_only, char *buf, size_t size,
                      struct err *e);

#endif
