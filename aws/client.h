/* client.h: a signed, retried AWS call. The one path every service file goes through, the same
 * against real AWS and against the emulator (the endpoint is the only difference).
 *
 * An aws_client belongs to one thread (it owns an http_client). It borrows the config and the
 * credentials provider, which may be shared between clients of several threads.
 *
 * Each attempt: rate limiter (ratelimit.h, shared process-wide per API) -> fresh credentials ->
 * SigV4 -> http_perform. Retries follow the SDKs' standard mode: max attempts from config
 * (default 3), exponential backoff with full jitter (base 50 ms... cap 20 s), re-signed each
 * attempt, on throttling codes (Throttling, ThrottlingException, ThrottledException,
 * RequestThrottledException, TooManyRequestsException, RequestLimitExceeded,
 * SlowDown, 429), 5xx, transport failures; clock skew corrected from the server's Date on
 * RequestTimeTooSkewed / InvalidSignatureException "Signature expired"; ExpiredToken once
 * invalidates the provider and retries.
 *
 * Errors: one readable line in e->msg, "<Service> <Operation>: <Code>: <message> (request id X)"
 * plus what to do where known, and a code: ERR_AUTH (signature, expired or invalid token,
 * AccessDenied), ERR_THROTTLED, ERR_NOTFOUND (ResourceNotFoundException, NoSuchKey, 404),
 * ERR_AWS (others, e.g. ValidationException), ERR_NET, ERR_PARSE (malformed or truncated JSON:
 * says the byte offset), ERR_CANCELLED. JSON error bodies (__type, message/Message) and XML
 * ones (<Code>, <Message>) are both understood. The AWS error code itself is copied to
 * aws_code when the caller passes one. */
#ifndef SAGETOP_CLIENT_H
#define SAGETOP_CLIENT_H

#include <jansson.h>
#include <signal.h>
#include <stdbool.h>
#include <stddef.h>

#include "aws/config.h"
#include "aws/creds.h"
#include "aws/err.h"
#include "aws/http.h"

struct aws_client;

/* cfg and creds are borrowed and must outlive the client. A NULL creds makes an anonymous
 * client whose requests go unsigned (STS AssumeRoleWithWebIdentity, as the SDKs send it). */
struct aws_client *aws_client_new(const struct aws_config *cfg, struct aws_creds_provider *creds,
                                  struct err *e);
void aws_client_free(struct aws_client *c);
void aws_client_set_cancel(struct aws_client *c, volatile sig_atomic_t *cancel);
/* Whether the cancel flag is set (waits outside the client, e.g. paging.c's, stop at once). */
bool aws_client_cancelled(const struct aws_client *c);

/* Called before each retry wait, from the calling thread: what was retried and how long the
 * client will wait (the TUI shows "throttled, retrying in 4 s"). */
typedef void (*aws_retry_fn)(void *ctx, enum aws_service svc, const char *operation,
                             const char *reason, long delay_ms);
void aws_client_set_retry_hook(struct aws_client *c, aws_retry_fn fn, void *ctx);

/* The last AWS error code seen by this client (e.g. "ValidationException"), "" when none. */
const char *aws_client_last_error_code(const struct aws_client *c);
/* The server's clock minus ours (seconds), measured from the Date header of the answers so
 * far: a lower bound (Date has whole seconds and is stamped before the answer travels), the
 * true offset lies at most about 1 s plus a round trip above it. false (offset_s untouched)
 * until an answer carried a Date. */
bool aws_client_server_offset(const struct aws_client *c, double *offset_s);

/* awsJson1_1 (SageMaker, CloudWatch Logs) and awsJson1_0 (CloudWatch): POST / with X-Amz-Target
 * "<prefix>.<operation>".
 * request is borrowed (NULL sends "{}"); on success *out owns the parsed response object. */
int aws_json_call(struct aws_client *c, enum aws_service svc, const char *operation,
                  const json_t *request, json_t **out, struct err *e);
/* aws_json_call() with the 2xx answer left as it came: *out holds the raw body (possibly
 * empty), for the one page a dedicated reader parses without jansson (GetLogEvents,
 * logs_page.c); the caller cleans it with http_response_clean(). Errors as aws_json_call(). */
int aws_json_call_raw(struct aws_client *c, enum aws_service svc, const char *operation,
                      const json_t *request, struct http_response *out, struct err *e);
/* Hands a raw body back to the client (out's buffer taken, *r cleaned): the client's next
 * answer is written into it instead of a buffer grown anew (http_client_keep_body). */
void aws_client_keep_body(struct aws_client *c, struct http_response *r);

/* Storage a client keeps for its thread's log pages (logs.c's GetLogEvents reader): the
 * arena the messages are unescaped into and the events array, reused from page to page
 * instead of a few MB allocated and freed per page. Freed by aws_client_free(). */
struct logs_event;
struct aws_page_store {
    char *arena;
    size_t arena_cap;
    struct logs_event *events;
    size_t events_cap;
};
struct aws_page_store *aws_client_page_store(struct aws_client *c);

/* A REST or query-protocol request (S3, STS). path is already URI-encoded (S3 keys encoded
 * once); query is the canonical-ready "a=1&b=2" or NULL. For S3 the payload hash header is
 * added (of body, or of the file at body_path). A 2xx response is returned in *out (caller
 * cleans it); anything else becomes an error as above. */
struct aws_rest_request {
    const char *method;
    const char *path;                 /* "/" or "/key" within bucket when bucket is set (the
                                         client adds "/bucket" for path style); else the whole
                                         path, e.g. "/bucket/key" */
    const char *query;
    const char *bucket;               /* S3: virtual-host style on AWS (names of a-z 0-9 -),
                                         path style on custom endpoints and dotted names */
    const struct http_header *headers;
    size_t n_headers;
    const void *body;
    size_t body_len;
    const char *body_path;
    const char *operation;            /* for messages and the rate limiter: "PutObject" */
};
int aws_rest_call(struct aws_client *c, enum aws_service svc, const struct aws_rest_request *req,
                  struct http_response *out, struct err *e);

#endif
