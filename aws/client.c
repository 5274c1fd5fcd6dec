/* client.c: a signed, retried AWS call (client.h): rate limiter -> credentials -> SigV4 ->
 * http_perform, in the SDKs' standard retry mode, and AWS error answers made readable.
 *
 * What an error answer says and how it is retried is in client_errors.c.
 * Owns the http_client of its thread, the clock-skew estimate and the last error code. Borrows
 * the config and the credentials provider. Must not print, cache credentials (each attempt
 * asks the provider and wipes its copy) or put a secret into a message. */
#include "aws/client.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "aws/client_internal.h"
#include "aws/ratelimit.h"
#include "aws/sigv4.h"

#define BACKOFF_BASE_MS 50L
#define BACKOFF_CAP_MS 20000L
#define SLEEP_SLICE_MS 50L
#define URL_MAX 8192
#define CLIENT_MAX_HEADERS 48

#ifndef SAGETOP_VERSION
#define SAGETOP_VERSION "0"
#endif

struct aws_client {
    const struct aws_config *cfg;
    struct aws_creds_provider *creds;
    struct http_client *http;
    volatile sig_atomic_t *cancel;
    aws_retry_fn retry_fn;
    void *retry_ctx;
    aws_client_clock_fn clock;
    long skew_s;                    /* server time minus ours, learnt from a skew error */
    double offset_s;                /* server time minus ours, a lower bound from the Date of
                                       every answer (aws_client_server_offset) */
    bool have_offset;
    int max_attempts;
    uint64_t rng;
    char last_code[AWS_CODE_MAX];
    struct aws_page_store pages;    /* logs.c's page storage, kept across pages */
};

/* One logical call, the same for every attempt. */
struct call {
    enum aws_service svc;
    const char *operation;
    const char *method;
    char url[URL_MAX];
    char host[320];
    char path[URL_MAX];             /* as sent, without the query */
    const char *query;              /* borrowed from the caller, or NULL */
    struct http_header headers[CLIENT_MAX_HEADERS];
    size_t n_headers;
    const void *body;
    size_t body_len;
    const char *body_path;
    char payload_hash[SIGV4_HEX_LEN + 1];
    unsigned sign_flags;
};

/* ---- lifecycle ---------------------------------------------------------------------------- */

struct aws_client *aws_client_new(const struct aws_config *cfg, struct aws_creds_provider *creds,
                                  struct err *e)
{
    struct aws_client *c;
    struct timespec ts;

    if (cfg == NULL) {
        err_set(e, ERR_INVAL, "aws_client_new: no config");
        return NULL;
    }
    c = calloc(1, sizeof(*c));
    if (c == NULL) {
        err_set(e, ERR_NOMEM, "out of memory creating an AWS client");
        return NULL;
    }
    c->http = http_client_new(aws_config_ca_bundle(cfg), e);
    if (c->http == NULL) {
        free(c);
        return NULL;
    }
    c->cfg = cfg;
    c->creds = creds;
    c->max_attempts = aws_config_max_attempts(cfg);
    if (c->max_attempts < 1)
        c->max_attempts = 1;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    c->rng = (uint64_t)ts.tv_nsec * 6364136223846793005ULL ^ (uint64_t)(uintptr_t)c ^
             (uint64_t)ts.tv_sec;
    return c;
}

void aws_client_free(struct aws_client *c)
{
    if (c == NULL)
        return;
    http_client_free(c->http);
    free(c->pages.arena);
    free(c->pages.events);
    free(c);
}

void aws_client_keep_body(struct aws_client *c, struct http_response *r)
{
    http_client_keep_body(c != NULL ? c->http : NULL, r);
    http_response_clean(r);
}

struct aws_page_store *aws_client_page_store(struct aws_client *c)
{
    return &c->pages;
}

void aws_client_set_cancel(struct aws_client *c, volatile sig_atomic_t *cancel)
{
    c->cancel = cancel;
    http_client_set_cancel(c->http, cancel);
}

bool aws_client_cancelled(const struct aws_client *c)
{
    return c != NULL && c->cancel != NULL && *c->cancel != 0;
}

void aws_client_set_retry_hook(struct aws_client *c, aws_retry_fn fn, void *ctx)
{
    c->retry_fn = fn;
    c->retry_ctx = ctx;
}

const char *aws_client_last_error_code(const struct aws_client *c)
{
    return c->last_code;
}

void aws_client_set_clock(struct aws_client *c, aws_client_clock_fn fn)
{
    c->clock = fn;
}

long aws_client_skew_s(const struct aws_client *c)
{
    return c->skew_s;
}

/* ---- backoff, dates, sleeping -------------------------------------------------------------- */

uint64_t aws_client_random(uint64_t *s)
{
    /* xorshift64*: jitter needs spread, not secrecy */
    uint64_t x = *s ? *s : 0x9E3779B97F4A7C15ULL;

    x ^= x >> 12;
    x ^= x << 25;
    x ^= x >> 27;
    *s = x;
    return x * 2685821657736338717ULL;
}

long aws_client_backoff_ms(int retry, uint64_t *rng_state)
{
    long ceiling = BACKOFF_BASE_MS;

    for (int i = 0; i < retry && ceiling < BACKOFF_CAP_MS; i++)
        ceiling *= 2;
    if (ceiling > BACKOFF_CAP_MS)
        ceiling = BACKOFF_CAP_MS;
    return (long)(aws_client_random(rng_state) % (uint64_t)ceiling);
}

time_t aws_client_parse_http_date(const char *s)
{
    static const char months[] = "JanFebMarAprMayJunJulAugSepOctNovDec";
    char mon[4];
    int day, year, hh, mm, ss, consumed = 0;
    struct tm tm = {0};
    const char *p;

    if (s == NULL || strlen(s) < 29 || s[3] != ',')
        return -1;
    if (sscanf(s + 4, " %2d %3s %4d %2d:%2d:%2d GMT%n", &day, mon, &year, &hh, &mm, &ss,
               &consumed) != 6 || consumed == 0)
        return -1;
    p = strstr(months, mon);
    if (p == NULL || (p - months) % 3 != 0 || day < 1 || day > 31 || hh > 23 || mm > 59 ||
        ss > 60)
        return -1;
    tm.tm_mday = day;
    tm.tm_mon = (int)(p - months) / 3;
    tm.tm_year = year - 1900;
    tm.tm_hour = hh;
    tm.tm_min = mm;
    tm.tm_sec = ss;
    return timegm(&tm);
}

static bool cancelled(const struct aws_client *c)
{
    return c->cancel != NULL && *c->cancel != 0;
}

static int sleep_cancellable(struct aws_client *c, long ms)
{
    while (ms > 0) {
        long step = ms < SLEEP_SLICE_MS ? ms : SLEEP_SLICE_MS;
        struct timespec ts = {0, step * 1000000L};
        if (cancelled(c))
            return ERR_CANCELLED;
        nanosleep(&ts, NULL);
        ms -= step;
    }
    return cancelled(c) ? ERR_CANCELLED : 0;
}

static time_t client_now(const struct aws_client *c)
{
    return (c->clock != NULL ? c->clock() : time(NULL)) + c->skew_s;
}

/* ---- one attempt ---------------------------------------------------------------------------- */

/* Fills out[]: the call's own headers, the signer's, a User-Agent. */
static size_t merge_headers(const struct call *k, const struct sigv4_signed *sig,
                            struct http_header *out)
{
    size_t n = 0;

    for (size_t i = 0; i < k->n_headers; i++)
        out[n++] = k->headers[i];
    for (size_t i = 0; i < sig->n_headers; i++)
        out[n++] = sig->headers[i];
    out[n++] = (struct http_header){"User-Agent", "sagetop/" SAGETOP_VERSION};
    return n;
}

/* Rate limiter, fresh credentials, signature, one exchange. The credentials copy lives only
 * for this attempt (the signed headers point into it) and is wiped before returning. */
static int attempt(struct aws_client *c, const struct call *k, const struct aws_endpoint *ep,
                   struct http_response *resp, struct err *e)
{
    struct http_header all[CLIENT_MAX_HEADERS + 8];
    struct sigv4_request sr = {k->method, k->host, k->path, k->query, k->headers, k->n_headers,
                               k->payload_hash};
    struct sigv4_credentials sc;
    struct sigv4_signed sig;
    struct http_request req;
    struct aws_creds cr;
    int rc;

    memset(&cr, 0, sizeof(cr));
    rc = ratelimit_acquire(k->svc, aws_config_region(c->cfg), k->operation, c->cancel);
    if (rc != 0) {
        rc = err_set(e, rc, "%s %s: cancelled", aws_service_name(k->svc), k->operation);
        goto out;
    }
    memset(&sig, 0, sizeof(sig));
    if (c->creds != NULL) {
        rc = aws_creds_provider_get(c->creds, &cr, e);
        if (rc != 0) {
            err_prefix(e, "%s %s", aws_service_name(k->svc), k->operation);
            goto out;
        }
        sc = (struct sigv4_credentials){cr.access_key_id, cr.secret_access_key,
                                        cr.session_token, ep->signing_region, ep->signing_name};
        rc = sigv4_sign(&sc, &sr, client_now(c), k->sign_flags, &sig, NULL, e);
        if (rc != 0)
            goto out;
    }
    req = (struct http_request){.method = k->method, .url = k->url, .headers = all,
                                .n_headers = merge_headers(k, &sig, all), .body = k->body,
                                .body_len = k->body_len, .body_path = k->body_path};
    rc = http_perform(c->http, &req, resp, e);
    if (rc != 0)
        err_prefix(e, "%s %s", aws_service_name(k->svc), k->operation);
out:
    aws_creds_clean(&cr);
    return rc;
}

/* ---- the retry loop ---------------------------------------------------------------------- */

static void retry_reason(enum aws_retry_kind kind, const struct aws_error_info *info,
                         char *out, size_t n)
{
    switch (kind) {
    case AWS_RETRY_THROTTLE: snprintf(out, n, "throttled"); break;
    case AWS_RETRY_SKEW: snprintf(out, n, "clock skew"); break;
    case AWS_RETRY_EXPIRED: snprintf(out, n, "expired credentials"); break;
    default: snprintf(out, n, "%s", info->code[0] ? info->code : "server error"); break;
    }
}

enum verdict {
    FINAL,              /* e is set */
    RETRY,              /* counts as an attempt */
    RETRY_FREE,         /* a credential refresh or clock fix: not one of the attempts */
};

/* The server's clock from its Date header, when it says ours is off. */
static void correct_skew(struct aws_client *c, const struct http_response *r)
{
    time_t server = aws_client_parse_http_date(r->date);
    time_t local = c->clock != NULL ? c->clock() : time(NULL);

    if (server > 0)
        c->skew_s = (long)(server - local);
}

/* Each answer's Date (whole seconds, stamped before the answer left) minus our clock when it
 * arrived is at most the true offset: the largest seen is the tightest bound. */
static void note_server_time(struct aws_client *c, const struct http_response *r)
{
    time_t server = r->date[0] != '\0' ? aws_client_parse_http_date(r->date) : 0;
    struct timespec ts;
    double local, off;

    if (server <= 0)
        return;
    if (c->clock != NULL) {
        local = (double)c->clock();
    } else {
        clock_gettime(CLOCK_REALTIME, &ts);
        local = (double)ts.tv_sec + ts.tv_nsec / 1e9;
    }
    off = (double)server - local;
    if (!c->have_offset || off > c->offset_s)
        c->offset_s = off;
    c->have_offset = true;
}

bool aws_client_server_offset(const struct aws_client *c, double *offset_s)
{
    if (!c->have_offset)
        return false;
    *offset_s = c->offset_s;
    return true;
}

/* Decides about an error answer; a retry waits *delay_ms first. */
static enum verdict judge_answer(struct aws_client *c, const struct call *k,
                                 const struct http_response *r, int attempt_no, bool *refreshed,
                                 bool *refreshed_clock, long *delay_ms, char *reason, size_t reason_len, int *code,
                                 struct err *e)
{
    struct aws_error_info info;
    enum aws_retry_kind kind;

    aws_client_parse_error(r, &info);
    snprintf(c->last_code, sizeof(c->last_code), "%s", info.code);
    kind = aws_client_classify(r->status, &info);
    retry_reason(kind, &info, reason, reason_len);
    *delay_ms = aws_client_backoff_ms(attempt_no, &c->rng);
    if (kind == AWS_RETRY_THROTTLE)
        ratelimit_on_throttle(k->svc, aws_config_region(c->cfg), k->operation);
    if (kind == AWS_RETRY_EXPIRED && !*refreshed) {
        /* one refresh, outside the attempt budget: new credentials are a new request */
        aws_creds_provider_invalidate(c->creds);
        *refreshed = true;
        *delay_ms = 0;
        return RETRY_FREE;
    }
    if (kind == AWS_RETRY_SKEW && r->date[0] != '\0' && !*refreshed_clock) {
        long before = c->skew_s;
        correct_skew(c, r);
        *refreshed_clock = true;
        *delay_ms = 0;
        if (c->skew_s != before)
            return RETRY_FREE;
    }
    if ((kind == AWS_RETRY_THROTTLE || kind == AWS_RETRY_TRANSIENT) &&
        attempt_no < c->max_attempts) {
        long ra = atol(r->retry_after);
        if (ra > 0 && ra * 1000 > *delay_ms)
            *delay_ms = ra * 1000 < BACKOFF_CAP_MS ? ra * 1000 : BACKOFF_CAP_MS;
        return RETRY;
    }
    *code = aws_client_error_set(e, k->svc, k->operation, r->status, &info);
    return FINAL;
}

static bool retryable_transport(int rc)
{
    return rc == ERR_NET;
}

/* Runs the attempts. On success *out holds the 2xx answer. */
static int run_call(struct aws_client *c, struct call *k, const struct aws_endpoint *ep,
                    struct http_response *out, struct err *e)
{
    struct http_response r;
    bool refreshed = false, refreshed_clock = false;
    int rc = 0;

    c->last_code[0] = '\0';
    for (int n = 1;; n++) {
        char reason[AWS_CODE_MAX] = "network error";
        long delay = 0;

        memset(&r, 0, sizeof(r));
        if (cancelled(c))
            return err_set(e, ERR_CANCELLED, "%s %s: cancelled", aws_service_name(k->svc),
                           k->operation);
        rc = attempt(c, k, ep, &r, e);
        if (rc == 0)
            note_server_time(c, &r);
        if (rc == 0 && r.status >= 200 && r.status < 300) {
            *out = r;
            return 0;
        }
        if (rc == 0) {
            enum verdict v = judge_answer(c, k, &r, n, &refreshed, &refreshed_clock, &delay,
                                          reason, sizeof(reason), &rc, e);
            http_response_clean(&r);
            if (v == FINAL)
                return rc;
            /* a refresh or a clock fix (each at most once a call) is not an attempt */
            if (v == RETRY_FREE)
                n--;
        } else if (!retryable_transport(rc) || n >= c->max_attempts) {
            return rc;
        } else {
            delay = aws_client_backoff_ms(n, &c->rng);
        }
        if (c->retry_fn != NULL)
            c->retry_fn(c->retry_ctx, k->svc, k->operation, reason, delay);
        if (sleep_cancellable(c, delay) != 0)
            return err_set(e, ERR_CANCELLED, "%s %s: cancelled", aws_service_name(k->svc),
                           k->operation);
    }
}

/* ---- building calls -------------------------------------------------------------------------- */

/* scheme://authority and the base path of an endpoint URL ("" when none). */
static void split_endpoint(const struct aws_endpoint *ep, char *scheme, size_t slen,
                           const char **base_path)
{
    const char *sep = strstr(ep->url, "://");
    const char *auth = sep ? sep + 3 : ep->url;
    const char *slash = strchr(auth, '/');

    snprintf(scheme, slen, "%.*s", sep ? (int)(sep - ep->url) : 0, ep->url);
    *base_path = slash ? slash : "";
}

/* A bucket S3 serves as <bucket>.<host> with a valid TLS name: lower-case letters, digits
 * and '-' (no dots: they break the wildcard certificate). */
static bool virtual_host_bucket(const char *b)
{
    size_t n = strlen(b);

    if (n < 3 || n > 63 || b[0] == '-' || b[n - 1] == '-')
        return false;
    for (size_t i = 0; i < n; i++) {
        if (!(islower((unsigned char)b[i]) || isdigit((unsigned char)b[i]) || b[i] == '-'))
            return false;
    }
    return true;
}

static int url_too_long(const struct call *k, struct err *e)
{
    return err_set(e, ERR_INVAL, "%s %s: the URL is over %d bytes", aws_service_name(k->svc),
                   k->operation, URL_MAX);
}

/* url = scheme://host + base path + [/bucket (path style)] + path + [?query]; the signer gets
 * host, path and query separately. */
static int build_url(struct call *k, const struct aws_endpoint *ep, const char *bucket,
                     const char *path, const char *query, struct err *e)
{
    char scheme[16];
    const char *base;
    int n;

    split_endpoint(ep, scheme, sizeof(scheme), &base);
    if (path == NULL || path[0] != '/')
        path = "/";
    if (bucket != NULL && bucket[0] == '\0')
        bucket = NULL;
    if (bucket != NULL && !ep->custom && virtual_host_bucket(bucket)) {
        n = snprintf(k->host, sizeof(k->host), "%s.%s", bucket, ep->host);
        bucket = NULL;
    } else {
        n = snprintf(k->host, sizeof(k->host), "%s", ep->host);
    }
    if (n < 0 || (size_t)n >= sizeof(k->host))
        return url_too_long(k, e);
    if (bucket != NULL)
        n = snprintf(k->path, sizeof(k->path), "%s/%s%s", base, bucket,
                     strcmp(path, "/") == 0 ? "" : path);
    else
        n = snprintf(k->path, sizeof(k->path), "%s%s", base, path);
    if (n < 0 || (size_t)n >= sizeof(k->path))
        return url_too_long(k, e);
    k->query = query != NULL && query[0] != '\0' ? query : NULL;
    n = snprintf(k->url, sizeof(k->url), "%s://%s%s%s%s", scheme, k->host, k->path,
                 k->query ? "?" : "", k->query ? k->query : "");
    if (n < 0 || (size_t)n >= sizeof(k->url))
        return url_too_long(k, e);
    return 0;
}

static const char *json_target_prefix(enum aws_service svc)
{
    switch (svc) {
    case AWS_SAGEMAKER: return "SageMaker";
    case AWS_LOGS: return "Logs_20140328";
    case AWS_CLOUDWATCH: return "GraniteServiceVersion20100801";     /* awsJson1_0 */
    default: return NULL;
    }
}

int aws_json_call_raw(struct aws_client *c, enum aws_service svc, const char *operation,
                      const json_t *request, struct http_response *out, struct err *e)
{
    struct aws_endpoint ep;
    struct http_response r = {0};
    struct call *k = NULL;
    char target[160];
    char *body = NULL;
    int rc;

    if (c == NULL || operation == NULL || out == NULL || json_target_prefix(svc) == NULL)
        return err_set(e, ERR_INVAL, "aws_json_call: bad arguments");
    rc = aws_config_endpoint(c->cfg, svc, &ep, e);
    if (rc != 0)
        return rc;
    k = calloc(1, sizeof(*k));
    body = request != NULL ? json_dumps(request, JSON_COMPACT) : strdup("{}");
    if (k == NULL || body == NULL) {
        rc = err_set(e, ERR_NOMEM, "%s %s: out of memory", aws_service_name(svc), operation);
        goto out;
    }
    snprintf(target, sizeof(target), "%s.%s", json_target_prefix(svc), operation);
    *k = (struct call){.svc = svc, .operation = operation, .method = "POST", .body = body,
                       .body_len = strlen(body)};
    k->headers[k->n_headers++] = (struct http_header){
        "Content-Type", svc == AWS_CLOUDWATCH ? "application/x-amz-json-1.0"
                                              : "application/x-amz-json-1.1"};
    k->headers[k->n_headers++] = (struct http_header){"X-Amz-Target", target};
    sigv4_payload_hash(body, k->body_len, k->payload_hash);
    rc = build_url(k, &ep, NULL, "/", NULL, e);
    if (rc == 0)
        rc = run_call(c, k, &ep, &r, e);
    if (rc == 0) {
        *out = r;
        memset(&r, 0, sizeof(r));
    }
out:
    http_response_clean(&r);
    free(body);
    free(k);
    return rc;
}

int aws_json_call(struct aws_client *c, enum aws_service svc, const char *operation,
                  const json_t *request, json_t **out, struct err *e)
{
    struct http_response r = {0};
    json_t *doc;
    json_error_t je;
    int rc = out != NULL ? aws_json_call_raw(c, svc, operation, request, &r, e)
                         : err_set(e, ERR_INVAL, "aws_json_call: bad arguments");

    if (rc != 0)
        return rc;
    /* an operation without output may answer with nothing */
    doc = r.body_len == 0 ? json_object()
                          : json_loadb(r.body, r.body_len, JSON_REJECT_DUPLICATES, &je);
    if (doc == NULL && r.body_len == 0)
        rc = err_set(e, ERR_NOMEM, "%s %s: out of memory", aws_service_name(svc), operation);
    else if (doc == NULL)
        rc = err_set(e, ERR_PARSE, "%s %s: malformed JSON response at byte %d: %s",
                     aws_service_name(svc), operation, je.position, je.text);
    else if (!json_is_object(doc))
        rc = err_set(e, ERR_PARSE, "%s %s: the JSON response is not an object",
                     aws_service_name(svc), operation);
    if (rc == 0)
        *out = doc;
    else
        json_decref(doc);
    aws_client_keep_body(c, &r);     /* its buffer serves the next answer */
    return rc;
}

static int rest_payload_hash(struct call *k, const struct aws_rest_request *req, struct err *e)
{
    if (req->body_path != NULL)
        return sigv4_file_hash(req->body_path, k->payload_hash, e);
    sigv4_payload_hash(req->body, req->body_len, k->payload_hash);
    return 0;
}

int aws_rest_call(struct aws_client *c, enum aws_service svc, const struct aws_rest_request *req,
                  struct http_response *out, struct err *e)
{
    struct aws_endpoint ep;
    struct http_response r = {0};
    struct call *k = NULL;
    int rc;

    if (c == NULL || req == NULL || req->method == NULL || out == NULL ||
        req->n_headers > CLIENT_MAX_HEADERS)
        return err_set(e, ERR_INVAL, "aws_rest_call: bad arguments");
    rc = aws_config_endpoint(c->cfg, svc, &ep, e);
    if (rc != 0)
        return rc;
    k = calloc(1, sizeof(*k));
    if (k == NULL)
        return err_set(e, ERR_NOMEM, "out of memory");
    *k = (struct call){.svc = svc, .operation = req->operation ? req->operation : req->method,
                       .method = req->method, .body = req->body, .body_len = req->body_len,
                       .body_path = req->body_path,
                       .sign_flags = svc == AWS_S3 ? SIGV4_S3 : 0};
    for (size_t i = 0; i < req->n_headers; i++)
        k->headers[k->n_headers++] = req->headers[i];
    rc = rest_payload_hash(k, req, e);
    if (rc == 0)
        rc = build_url(k, &ep, svc == AWS_S3 ? req->bucket : NULL, req->path, req->query, e);
    if (rc == 0)
        rc = run_call(c, k, &ep, &r, e);
    if (rc == 0) {
        *out = r;
        memset(&r, 0, sizeof(r));
    }
    http_response_clean(&r);
    free(k);
    return rc;
}
