/* paging.h: the page-level retry of the paginated calls (ListTrainingJobs, Search, ListTags,
 * the tuning lists, DescribeLogStreams, GetLogEvents, FilterLogEvents).
 *
 * The client (client.h) already retries each request as the SDKs' standard mode does (3
 * attempts by default). A listing of 1,234 jobs is 13 requests; under sustained throttling
 * or a burst of 5xx one of them can exhaust its attempts, and the whole listing would fail
 * after the other pages were fetched. So a page that still fails with a retryable error
 * (ERR_THROTTLED, ERR_NET, a 5xx or request timeout) is asked again, with the SAME request
 * (same NextToken), after a longer capped exponential backoff: PAGING_RETRIES more times at
 * most, PAGING_WAIT_CAP_MS of waiting in total per page. Any other error is final at once.
 *
 * Cancellation: the wait sleeps in 50 ms slices and ends as soon as the client's cancel flag
 * is set (aws_client_cancelled(): Ctrl-C seen by another thread) or a signal interrupts it;
 * the next attempt then sees the flag and returns ERR_CANCELLED.
 *
 * Runs on the thread that owns the client. Never prints. */
#ifndef SAGETOP_PAGING_H
#define SAGETOP_PAGING_H

#include <jansson.h>
#include <stdbool.h>
#include <stdint.h>

#include "aws/client.h"
#include "aws/err.h"

#define PAGING_RETRIES 6              /* page retries after the client's attempts */
#define PAGING_BASE_MS 1000           /* first page-retry wait: 0.5..1 s, then doubling */
#define PAGING_MAX_MS 8000            /* one wait at most */
#define PAGING_WAIT_CAP_MS 30000      /* all waits of one page at most */

/* Pure: is a failed call worth asking again? rc is the call's ERR_*, aws_code the AWS error
 * code it carried ("" or NULL when none). */
bool paging_retryable(int rc, const char *aws_code);

/* Pure: the wait before page retry number `retry` (1 = the first), "equal jitter" in
 * [d/2, d) where d = min(PAGING_MAX_MS, PAGING_BASE_MS * 2^(retry-1)), from the caller's PRNG
 * state. */
long paging_backoff_ms(int retry, uint64_t *rng_state);

/* aws_json_call() with the page-level retry. request is borrowed; on success *out owns the
 * response. On failure e holds the last attempt's error. */
int paging_json_call(struct aws_client *c, enum aws_service svc, const char *operation,
                     const json_t *request, json_t **out, struct err *e);
/* The same, with the answer left raw (aws_json_call_raw()): *out is the caller's to clean. */
int paging_json_call_raw(struct aws_client *c, enum aws_service svc, const char *operation,
                         const json_t *request, struct http_response *out, struct err *e);

/* Tests: replaces the wait (NULL restores nanosleep slices). Process-wide; set it before
 * starting threads. */
typedef void (*paging_sleep_fn)(long ms);
void paging_set_sleep(paging_sleep_fn fn);

#endif
