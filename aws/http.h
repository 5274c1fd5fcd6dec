/* http.h: one HTTP exchange through libcurl. http.c is the only file that includes curl.
 *
 * One struct http_client per thread (it owns a curl easy handle and its connection cache, so
 * connections are reused; HTTP/2 is used where the server offers it over TLS). Not thread-safe:
 * never share a client between threads. TLS verification is always on; ca_bundle (AWS_CA_BUNDLE)
 * only changes which CAs are trusted. Proxies come from the usual variables (HTTPS_PROXY,
 * HTTP_PROXY, NO_PROXY), as curl reads them.
 *
 * http_perform() makes exactly one attempt: retries, signing and AWS error parsing are the
 * caller's (aws/client.c). Fails with ERR_NET on a transport failure (connect, reset, timeout:
 * all retryable), ERR_TOOBIG when the body passes max_response_bytes, ERR_IO when body_path
 * cannot be read, ERR_CANCELLED when the cancel flag is set. An HTTP error status is not a
 * failure: it comes back in resp->status. */
#ifndef SAGETOP_HTTP_H
#define SAGETOP_HTTP_H

#include <signal.h>
#include <stdbool.h>
#include <stddef.h>

#include "aws/err.h"

struct http_header {
    const char *name;
    const char *value;
};

struct http_request {
    const char *method;                 /* "GET", "POST", "PUT", "HEAD" */
    const char *url;                    /* absolute, already encoded */
    const struct http_header *headers;  /* sent as given; Host comes from url */
    size_t n_headers;
    const void *body;                   /* borrowed; may be NULL with body_len 0 */
    size_t body_len;
    const char *body_path;              /* when set, the body is streamed from this file */
    long connect_timeout_ms;            /* 0: 5,000 */
    long timeout_ms;                    /* 0: 60,000 (whole exchange) */
    size_t max_response_bytes;          /* 0: 64 MiB */
};

#define HTTP_HEADER_VALUE_MAX 256

struct http_response {
    long status;                        /* 0 when no response */
    char *body;                         /* owned, NUL-terminated (NUL not counted) */
    size_t body_len;
    size_t body_cap;                    /* bytes allocated at body (http_client_keep_body) */
    char request_id[HTTP_HEADER_VALUE_MAX];    /* x-amzn-RequestId, x-amz-request-id */
    char date[HTTP_HEADER_VALUE_MAX];          /* Date */
    char content_type[HTTP_HEADER_VALUE_MAX];
    char query_error[HTTP_HEADER_VALUE_MAX];   /* x-amzn-query-error */
    char error_type[HTTP_HEADER_VALUE_MAX];    /* x-amzn-ErrorType */
    char etag[HTTP_HEADER_VALUE_MAX];
    char retry_after[HTTP_HEADER_VALUE_MAX];
    long long content_length;           /* -1 when absent (HEAD answers) */
};

struct http_client;

struct http_client *http_client_new(const char *ca_bundle, struct err *e);
void http_client_free(struct http_client *c);
/* When *cancel becomes non-zero an exchange in flight stops with ERR_CANCELLED (borrowed). */
void http_client_set_cancel(struct http_client *c, volatile sig_atomic_t *cancel);
int http_perform(struct http_client *c, const struct http_request *req,
                 struct http_response *resp, struct err *e);
void http_response_clean(struct http_response *resp);
/* Hands a response body (resp->body, resp->body_cap bytes; taken, resp->body becomes NULL)
 * back to the client, whose next response is written into it instead of a buffer grown anew:
 * one thread's large pages (GetLogEvents) reuse one buffer. The client keeps one, of at most
 * HTTP_KEEP_BODY_MAX bytes; it frees any other. */
#define HTTP_KEEP_BODY_MAX (8u << 20)
void http_client_keep_body(struct http_client *c, struct http_response *resp);
#endif
