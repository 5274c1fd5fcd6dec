/* client_internal.h: the pure pieces of client.c, exposed for tests/unit/test_client.c only.
 * Service files use client.h. Every function here is pure (no I/O, no globals) and may be
 * called from any thread. */
#ifndef SAGETOP_CLIENT_INTERNAL_H
#define SAGETOP_CLIENT_INTERNAL_H

#include <stdint.h>
#include <time.h>

#include "aws/client.h"

#define AWS_CODE_MAX 128
#define AWS_MESSAGE_MAX 512

/* What an error answer says. */
struct aws_error_info {
    char code[AWS_CODE_MAX];        /* "ThrottlingException"; never empty after parsing */
    char message[AWS_MESSAGE_MAX];  /* "" when none */
    char request_id[HTTP_HEADER_VALUE_MAX];
};

/* Code: x-amzn-query-error ("Code;Sender"), else JSON __type (after its last '#'), code or
 * Code, else XML <Code>, else x-amzn-ErrorType (before ':'), else a name for the bare status
 * ("NotFound", "Forbidden", "HTTP 418"). Message: JSON message/Message, XML <Message>.
 * Request id: the header, else XML <RequestId>. Never fails. */
void aws_client_parse_error(const struct http_response *resp, struct aws_error_info *out);

enum aws_retry_kind {
    AWS_RETRY_NONE,
    AWS_RETRY_THROTTLE,     /* throttling codes and 429 */
    AWS_RETRY_TRANSIENT,    /* 5xx, RequestTimeout */
    AWS_RETRY_SKEW,         /* RequestTimeTooSkewed, "Signature expired", ... */
    AWS_RETRY_EXPIRED,      /* ExpiredToken: refresh credentials, once */
};
enum aws_retry_kind aws_client_classify(long status, const struct aws_error_info *info);

/* The ERR_* code a final error answer maps to. */
int aws_client_error_code(long status, const struct aws_error_info *info);

/* "<Service> <Operation>: <Code>: <message> (request id X)[: hint]" into e (fits 256 bytes:
 * the AWS message is shortened first). */
int aws_client_error_set(struct err *e, enum aws_service svc, const char *operation,
                         long status, const struct aws_error_info *info);

/* xorshift64*: the next pseudo-random number of the caller's state (0 = a fixed seed). For
 * jitter (here and paging.c), which needs spread, not secrecy. */
uint64_t aws_client_random(uint64_t *state);

/* Full-jitter exponential backoff before retry number `retry` (1 = first retry):
 * uniform in [0, min(20 s, 50 ms * 2^retry)), from the caller's PRNG state. */
long aws_client_backoff_ms(int retry, uint64_t *rng_state);

/* RFC 7231 IMF-fixdate ("Wed, 01 Mar 2023 12:00:00 GMT") to epoch seconds; -1 if not one. */
time_t aws_client_parse_http_date(const char *s);

/* Tests: replace time(NULL) for signing (to fake a skewed local clock). NULL restores. */
typedef time_t (*aws_client_clock_fn)(void);
void aws_client_set_clock(struct aws_client *c, aws_client_clock_fn fn);
/* The server-minus-local clock offset the client currently applies, in seconds. */
long aws_client_skew_s(const struct aws_client *c);

#endif
