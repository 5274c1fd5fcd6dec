/* sigv4.h: AWS Signature Version 4 (AWS4-HMAC-SHA256), pure: request, clock and credentials
 * in, headers out. No I/O except sigv4_file_hash(); no global state; any thread may call.
 *
 * The stages are exported so they can be checked one by one against botocore's signer:
 *   sigv4_canonical_request() -> sigv4_string_to_sign() -> sigv4_signing_key() ->
 *   sigv4_signature(); sigv4_sign() runs them all and returns the headers to send.
 * The rules are botocore's (auth.py SigV4Auth / S3SigV4Auth):
 *   - path: S3 (SIGV4_S3) signs the path as sent (the caller encoded each key segment once);
 *     other services drop empty and dot segments and URI-encode the path again ("/~" kept).
 *   - query: each "k=v" pair is decoded and re-encoded (RFC 3986 unreserved kept), pairs sorted
 *     by key then value; "k" and "k=" both sign as "k=".
 *   - headers: names lower-cased, values trimmed with runs of whitespace collapsed, repeated
 *     names joined with ","; hop-by-hop names and user-agent/expect/x-amzn-trace-id unsigned.
 *   - X-Amz-Date always, X-Amz-Security-Token when there is a session token, and for S3
 *     X-Amz-Content-SHA256 (the payload hash, or UNSIGNED-PAYLOAD): all three are signed.
 *
 * Ownership: every pointer parameter is borrowed. Strings a function returns through char **
 * are malloc'd and owned by the caller. The secret and derived keys never leave the stack of
 * sigv4_sign()/sigv4_signing_key()'s caller and are wiped with OPENSSL_cleanse().
 * Failures: ERR_INVAL (missing member, a header or buffer over its cap), ERR_NOMEM, ERR_IO
 * (sigv4_file_hash). Messages never contain a secret. */
#ifndef SAGETOP_SIGV4_H
#define SAGETOP_SIGV4_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <time.h>

#include "aws/err.h"
#include "aws/http.h"

#define SIGV4_HEX_LEN 64                     /* a hex SHA-256 without its NUL */
#define SIGV4_KEY_LEN 32                     /* a raw HMAC-SHA256 key */
#define SIGV4_DATE_LEN 16                    /* "20230301T120000Z" */
#define SIGV4_MAX_HEADERS 64                 /* headers one request may sign */
#define SIGV4_MAX_CANONICAL (1024 * 1024)    /* cap on the canonical request */
#define SIGV4_AUTH_MAX 2048                  /* cap on the Authorization value */
#define SIGV4_UNSIGNED_PAYLOAD "UNSIGNED-PAYLOAD"
#define SIGV4_EMPTY_SHA256 "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"

/* Flags for sigv4_sign() and sigv4_canonical_request(). */
enum sigv4_flags {
    SIGV4_S3 = 1u << 0,                      /* S3 rules: path signed as sent, content hash */
};

/* Flags for sigv4_uri_encode(). */
enum sigv4_encode_flags {
    SIGV4_ENC_KEEP_SLASH = 1u << 0,          /* paths: "/" stays; queries: "/" -> %2F */
};

struct sigv4_credentials {
    const char *access_key_id;
    const char *secret_access_key;
    const char *session_token;               /* NULL or "" when none */
    const char *region;                      /* signing region */
    const char *service;                     /* signing name: "sagemaker", "logs", "s3" */
};

struct sigv4_request {
    const char *method;                      /* "GET", "POST", ... */
    const char *host;                        /* host[:port]; ignored when headers hold Host */
    const char *path;                        /* as sent, already encoded; NULL or "" = "/" */
    const char *query;                       /* as sent, without '?'; NULL or "" when none */
    const struct http_header *headers;       /* extra headers to sign, as they will be sent */
    size_t n_headers;
    const char *payload_hash;                /* hex SHA-256 of the body or UNSIGNED-PAYLOAD;
                                                NULL = the empty body's hash */
};

/* What sigv4_sign() adds to the request. headers[] point into this struct and into the
 * credentials (session token), so it must not outlive them. */
struct sigv4_signed {
    char amz_date[SIGV4_DATE_LEN + 1];
    char content_sha256[SIGV4_HEX_LEN + 32];  /* S3 only */
    char authorization[SIGV4_AUTH_MAX];
    struct http_header headers[4];           /* X-Amz-Date, [X-Amz-Security-Token],
                                                [X-Amz-Content-SHA256], Authorization */
    size_t n_headers;
};

/* Optional debug output of sigv4_sign(): the intermediate stages (owned; free with
 * sigv4_trace_clean()). They hold no secret. */
struct sigv4_trace {
    char *canonical_request;
    char *string_to_sign;
    char signature[SIGV4_HEX_LEN + 1];
};
void sigv4_trace_clean(struct sigv4_trace *t);

/* "20230301T120000Z" for a UTC instant. out has room for SIGV4_DATE_LEN + 1. */
void sigv4_format_date(time_t now, char out[SIGV4_DATE_LEN + 1]);

/* Lower-case hex SHA-256 of len bytes (data may be NULL when len is 0). */
void sigv4_payload_hash(const void *data, size_t len, char out[SIGV4_HEX_LEN + 1]);
/* The same for a file's whole content (streamed, any size). ERR_IO names the path. */
int sigv4_file_hash(const char *path, char out[SIGV4_HEX_LEN + 1], struct err *e);

/* RFC 3986 percent-encoding of len bytes (upper-case hex; A-Z a-z 0-9 - _ . ~ kept, and "/"
 * with SIGV4_ENC_KEEP_SLASH). Writes at most outlen bytes including the NUL and returns the
 * length the whole result needs (without NUL), as snprintf does. */
size_t sigv4_uri_encode(const char *in, size_t len, unsigned flags, char *out, size_t outlen);
/* The same into a new malloc'd string (NULL when out of memory). */
char *sigv4_uri_encode_dup(const char *in, size_t len, unsigned flags);

/* Stage 1: the canonical request of a request whose headers[] already hold every header to
 * sign (host and x-amz-date included). *out and *signed_headers are malloc'd on success. */
int sigv4_canonical_request(const struct sigv4_request *req, unsigned flags, char **out,
                            char **signed_headers, struct err *e);
/* Stage 2: "AWS4-HMAC-SHA256\n<date>\n<scope>\n<hex sha256(creq)>". *out malloc'd. */
int sigv4_string_to_sign(const char *amz_date, const char *region, const char *service,
                         const char *canonical_request, size_t creq_len, char **out,
                         struct err *e);
/* Stage 3: kSigning = HMAC(HMAC(HMAC(HMAC("AWS4"+secret, yyyymmdd), region), service),
 * "aws4_request"). The caller wipes key with OPENSSL_cleanse() when done. */
int sigv4_signing_key(const char *secret, const char *yyyymmdd, const char *region,
                      const char *service, uint8_t key[SIGV4_KEY_LEN], struct err *e);
/* Stage 4: hex HMAC(key, string_to_sign). */
void sigv4_signature(const uint8_t key[SIGV4_KEY_LEN], const char *string_to_sign, size_t len,
                     char out[SIGV4_HEX_LEN + 1]);

/* All stages at instant now (the caller corrects for clock skew). out is written only on
 * success; trace (may be NULL) receives the stages when given. */
int sigv4_sign(const struct sigv4_credentials *cr, const struct sigv4_request *req, time_t now,
               unsigned flags, struct sigv4_signed *out, struct sigv4_trace *trace,
               struct err *e);

#endif
