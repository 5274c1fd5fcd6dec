/* test_client.c: http.c and client.c against a scripted HTTP/1.1 server on 127.0.0.1.
 *
 * The server answers each request with the next canned raw response (the last one repeats),
 * keeps connections alive unless told to close, and records every request. That lets the
 * tests drive retries (throttling, 5xx, expired tokens, clock skew), error parsing (JSON,
 * XML, x-amzn-query-error), caps, cancel and connection reuse. The pure pieces of client.c
 * (client_internal.h) are tested directly. */
#include <arpa/inet.h>
#include <criterion/criterion.h>
#include <netinet/in.h>
#include <poll.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <unistd.h>

#include "aws/client.h"
#include "aws/client_internal.h"
#include "aws/ratelimit.h"
#include "aws/sigv4.h"

/* ---- the scripted server ------------------------------------------------------------------ */

#define SRV_MAX 32
#define SRV_REQ_MAX 65536

struct srv {
    int fd;
    int port;
    char url[64];
    pthread_t th;
    pthread_mutex_t lock;
    char *resp[SRV_MAX];
    size_t n_resp, next;
    char req[SRV_MAX][SRV_REQ_MAX];
    size_t n_req;
    int connections;
    int delay_ms;
    volatile int stop;
};

static struct srv *S;

static bool read_request(int c, char *buf, size_t cap, size_t *len)
{
    size_t n = 0, need = 0;
    char *end = NULL;

    for (;;) {
        ssize_t r = recv(c, buf + n, cap - 1 - n, 0);
        if (r <= 0)
            return false;
        n += (size_t)r;
        buf[n] = '\0';
        if (end == NULL && (end = strstr(buf, "\r\n\r\n")) != NULL) {
            const char *cl = strcasestr(buf, "\r\nContent-Length:");
            need = (size_t)(end - buf) + 4 + (cl && cl < end ? strtoul(cl + 17, NULL, 10) : 0);
        }
        if (end != NULL && n >= need) {
            *len = n;
            return true;
        }
        if (n + 1 >= cap)
            return false;
    }
}

static void serve_connection(struct srv *s, int c)
{
    static char buf[SRV_REQ_MAX];
    size_t len;

    while (!s->stop && read_request(c, buf, sizeof(buf), &len)) {
        char *out;
        pthread_mutex_lock(&s->lock);
        if (s->n_req < SRV_MAX)
            memcpy(s->req[s->n_req++], buf, len + 1);
        out = s->n_resp ? s->resp[s->next < s->n_resp ? s->next : s->n_resp - 1] : NULL;
        s->next++;
        int delay = s->delay_ms;
        pthread_mutex_unlock(&s->lock);
        if (delay > 0)
            usleep((useconds_t)delay * 1000);
        if (out == NULL || send(c, out, strlen(out), MSG_NOSIGNAL) < 0)
            break;
        if (strstr(out, "Connection: close") != NULL)
            break;
    }
    close(c);
}

static void *srv_main(void *arg)
{
    struct srv *s = arg;

    while (!s->stop) {
        struct pollfd p = {s->fd, POLLIN, 0};
        if (poll(&p, 1, 50) <= 0)
            continue;
        int c = accept(s->fd, NULL, NULL);
        if (c < 0)
            continue;
        pthread_mutex_lock(&s->lock);
        s->connections++;
        pthread_mutex_unlock(&s->lock);
        serve_connection(s, c);
    }
    return NULL;
}

static struct srv *srv_start(void)
{
    struct srv *s = calloc(1, sizeof(*s));
    struct sockaddr_in a = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
    socklen_t al = sizeof(a);

    cr_assert_not_null(s);
    s->fd = socket(AF_INET, SOCK_STREAM, 0);
    cr_assert(s->fd >= 0);
    cr_assert_eq(bind(s->fd, (struct sockaddr *)&a, sizeof(a)), 0);
    cr_assert_eq(listen(s->fd, 8), 0);
    getsockname(s->fd, (struct sockaddr *)&a, &al);
    s->port = ntohs(a.sin_port);
    snprintf(s->url, sizeof(s->url), "http://127.0.0.1:%d", s->port);
    pthread_mutex_init(&s->lock, NULL);
    pthread_create(&s->th, NULL, srv_main, s);
    return s;
}

static void srv_stop(struct srv *s)
{
    s->stop = 1;
    pthread_join(s->th, NULL);
    close(s->fd);
    for (size_t i = 0; i < s->n_resp; i++)
        free(s->resp[i]);
    free(s);
}

/* Queues a response: status, extra header lines ("Name: v\r\n"...), body. */
static void srv_push(int status, const char *headers, const char *body)
{
    char *r;

    cr_assert(asprintf(&r, "HTTP/1.1 %d X\r\nContent-Length: %zu\r\n%s\r\n%s", status,
                       strlen(body), headers ? headers : "", body) > 0);
    pthread_mutex_lock(&S->lock);
    S->resp[S->n_resp++] = r;
    pthread_mutex_unlock(&S->lock);
}

static size_t srv_count(void)
{
    pthread_mutex_lock(&S->lock);
    size_t n = S->n_req;
    pthread_mutex_unlock(&S->lock);
    return n;
}

/* The value of header name in request i ("" when absent). */
static const char *req_header(size_t i, const char *name, char *out, size_t n)
{
    char pat[128];
    const char *p, *end;

    snprintf(pat, sizeof(pat), "\r\n%s:", name);
    p = strcasestr(S->req[i], pat);
    end = strstr(S->req[i], "\r\n\r\n");
    out[0] = '\0';
    if (p == NULL || p > end)
        return out;
    p += strlen(pat);
    while (*p == ' ')
        p++;
    snprintf(out, n, "%.*s", (int)strcspn(p, "\r"), p);
    return out;
}

static const char *req_body(size_t i)
{
    const char *b = strstr(S->req[i], "\r\n\r\n");
    return b ? b + 4 : "";
}

/* ---- client fixtures ---------------------------------------------------------------------- */

static struct aws_config *cfg;
static struct aws_creds_provider *prov;
static struct aws_client *cli;

static void setup(void)
{
    struct aws_options o = {0};
    struct err e = {0};

    S = srv_start();
    setenv("AWS_CONFIG_FILE", "/nonexistent/sagetop-config", 1);
    setenv("AWS_SHARED_CREDENTIALS_FILE", "/nonexistent/sagetop-credentials", 1);
    setenv("AWS_ACCESS_KEY_ID", "AKIDTEST", 1);
    setenv("AWS_SECRET_ACCESS_KEY", "secret/TEST+key", 1);
    unsetenv("AWS_SESSION_TOKEN");
    unsetenv("AWS_PROFILE");
    unsetenv("AWS_ENDPOINT_URL");
    if (getenv("AWS_MAX_ATTEMPTS") == NULL)
        setenv("AWS_MAX_ATTEMPTS", "3", 1);
    o.region = "us-east-1";
    o.endpoint_url = S->url;
    cfg = aws_config_load(&o, &e);
    cr_assert_not_null(cfg, "%s", e.msg);
    prov = aws_creds_provider_new(cfg, &e);
    cr_assert_not_null(prov, "%s", e.msg);
    cli = aws_client_new(cfg, prov, &e);
    cr_assert_not_null(cli, "%s", e.msg);
    ratelimit_reset();
}

static void teardown(void)
{
    aws_client_free(cli);
    aws_creds_provider_free(prov);
    aws_config_free(cfg);
    srv_stop(S);
}

struct hook_log {
    int calls;
    char reasons[8][64];
    long delays[8];
};

static void hook(void *ctx, enum aws_service svc, const char *op, const char *reason, long ms)
{
    struct hook_log *l = ctx;

    (void)svc;
    (void)op;
    if (l->calls < 8) {
        snprintf(l->reasons[l->calls], sizeof(l->reasons[0]), "%s", reason);
        l->delays[l->calls] = ms;
    }
    l->calls++;
}

#define JSON_HDR "Content-Type: application/x-amz-json-1.1\r\nx-amzn-RequestId: abc\r\n"
#define THROTTLE "{\"__type\":\"ThrottlingException\",\"message\":\"Rate exceeded\"}"

/* ---- JSON protocol ------------------------------------------------------------------------ */

TestSuite(client, .init = setup, .fini = teardown, .timeout = 30);

Test(client, json_call_posts_target_signed_headers_and_body)
{
    json_t *req = json_pack("{s:i}", "MaxResults", 10), *out = NULL;
    char v[2048];
    struct err e = {0};

    srv_push(200, JSON_HDR, "{\"TrainingJobSummaries\":[],\"NextToken\":\"t\"}");
    cr_assert_eq(aws_json_call(cli, AWS_SAGEMAKER, "ListTrainingJobs", req, &out, &e), 0, "%s",
                 e.msg);
    cr_assert_str_eq(json_string_value(json_object_get(out, "NextToken")), "t");
    cr_assert_eq(srv_count(), 1);
    cr_assert(strncmp(S->req[0], "POST / HTTP/1.1\r\n", 17) == 0, "%.40s", S->req[0]);
    cr_assert_str_eq(req_header(0, "X-Amz-Target", v, sizeof(v)), "SageMaker.ListTrainingJobs");
    cr_assert_str_eq(req_header(0, "Content-Type", v, sizeof(v)), "application/x-amz-json-1.1");
    cr_assert_str_eq(req_body(0), "{\"MaxResults\":10}");
    req_header(0, "Authorization", v, sizeof(v));
    cr_assert(strncmp(v, "AWS4-HMAC-SHA256 Credential=AKIDTEST/", 37) == 0, "%s", v);
    cr_assert(strstr(v, "/us-east-1/sagemaker/aws4_request, SignedHeaders=content-type;host;"
                        "x-amz-date;x-amz-target, Signature=") != NULL, "%s", v);
    cr_assert_str_eq(req_header(0, "Expect", v, sizeof(v)), "");
    cr_assert_str_eq(req_header(0, "Accept", v, sizeof(v)), "");
    cr_assert_eq(strlen(req_header(0, "X-Amz-Date", v, sizeof(v))), 16);
    cr_assert_str_eq(aws_client_last_error_code(cli), "");
    json_decref(req);
    json_decref(out);
}

Test(client, json_call_signature_verifies_with_the_secret)
{
    /* re-sign what the server received with the known secret and compare signatures */
    char auth[2048], date[32], target[128], sig_hex[SIGV4_HEX_LEN + 1], host[64];
    json_t *out = NULL;
    struct sigv4_signed s;

    srv_push(200, JSON_HDR, "{}");
    cr_assert_eq(aws_json_call(cli, AWS_LOGS, "GetLogEvents", NULL, &out, NULL), 0);
    json_decref(out);
    req_header(0, "Authorization", auth, sizeof(auth));
    req_header(0, "X-Amz-Date", date, sizeof(date));
    req_header(0, "X-Amz-Target", target, sizeof(target));
    req_header(0, "Host", host, sizeof(host));
    cr_assert_str_eq(target, "Logs_20140328.GetLogEvents");
    cr_assert_str_eq(req_body(0), "{}");
    struct http_header h[] = {{"Content-Type", "application/x-amz-json-1.1"},
                              {"X-Amz-Target", target}};
    char hash[SIGV4_HEX_LEN + 1];
    sigv4_payload_hash("{}", 2, hash);
    struct sigv4_request r = {"POST", host, "/", NULL, h, 2, hash};
    struct sigv4_credentials cr = {"AKIDTEST", "secret/TEST+key", NULL, "us-east-1", "logs"};
    struct tm tm = {0};
    strptime(date, "%Y%m%dT%H%M%SZ", &tm);
    cr_assert_eq(sigv4_sign(&cr, &r, timegm(&tm), 0, &s, NULL, NULL), 0);
    snprintf(sig_hex, sizeof(sig_hex), "%s", strstr(s.authorization, "Signature=") + 10);
    cr_assert(strstr(auth, sig_hex) != NULL, "%s vs %s", auth, s.authorization);
}

Test(client, connection_is_reused_between_calls)
{
    json_t *out = NULL;

    srv_push(200, JSON_HDR, "{}");
    for (int i = 0; i < 3; i++) {
        cr_assert_eq(aws_json_call(cli, AWS_SAGEMAKER, "DescribeTrainingJob", NULL, &out, NULL),
                     0);
        json_decref(out);
    }
    cr_assert_eq(srv_count(), 3);
    cr_assert_eq(S->connections, 1, "one TCP connection for three calls, got %d",
                 S->connections);
}

Test(client, throttling_is_retried_then_succeeds_and_slows_the_operation)
{
    struct hook_log log = {0};
    json_t *out = NULL;
    struct err e = {0};

    aws_client_set_retry_hook(cli, hook, &log);
    srv_push(400, JSON_HDR, THROTTLE);
    srv_push(400, JSON_HDR, THROTTLE);
    srv_push(200, JSON_HDR, "{\"ok\":true}");
    cr_assert_eq(aws_json_call(cli, AWS_LOGS, "FilterLogEvents", NULL, &out, &e), 0, "%s",
                 e.msg);
    json_decref(out);
    cr_assert_eq(srv_count(), 3);
    cr_assert_eq(log.calls, 2);
    cr_assert_str_eq(log.reasons[0], "throttled");
    cr_assert(log.delays[0] >= 0 && log.delays[0] < 100, "first backoff < 100 ms");
    cr_assert(log.delays[1] >= 0 && log.delays[1] < 200, "second backoff < 200 ms");
    cr_assert_gt(ratelimit_wait_ms(AWS_LOGS, "FilterLogEvents"), 0,
                 "the limiter slowed FilterLogEvents down");
}

Test(client, throttling_gives_up_after_max_attempts_with_readable_line)
{
    json_t *out = NULL;
    struct err e = {0};

    srv_push(400, JSON_HDR, THROTTLE);
    cr_assert_eq(aws_json_call(cli, AWS_SAGEMAKER, "ListTrainingJobs", NULL, &out, &e),
                 ERR_THROTTLED);
    cr_assert_null(out);
    cr_assert_eq(srv_count(), 3, "AWS_MAX_ATTEMPTS=3");
    cr_assert(strncmp(e.msg, "SageMaker ListTrainingJobs: ThrottlingException: Rate exceeded "
                             "(request id abc)", 79) == 0, "%s", e.msg);
    cr_assert_str_eq(aws_client_last_error_code(cli), "ThrottlingException");
}

Test(client, server_errors_are_retried)
{
    json_t *out = NULL;

    srv_push(503, "", "");
    srv_push(500, JSON_HDR, "{\"__type\":\"InternalFailure\"}");
    srv_push(200, JSON_HDR, "{\"x\":1}");
    cr_assert_eq(aws_json_call(cli, AWS_SAGEMAKER, "ListTrainingJobs", NULL, &out, NULL), 0);
    cr_assert_eq(json_integer_value(json_object_get(out, "x")), 1);
    json_decref(out);
    cr_assert_eq(srv_count(), 3);
}

Test(client, validation_error_is_final_and_strips_type_prefix)
{
    json_t *out = NULL;
    struct err e = {0};

    srv_push(400, JSON_HDR, "{\"__type\":\"com.amazon.coral.validate#ValidationException\","
                            "\"Message\":\"1 validation error detected\"}");
    cr_assert_eq(aws_json_call(cli, AWS_SAGEMAKER, "ListTrainingJobs", NULL, &out, &e),
                 ERR_AWS);
    cr_assert_eq(srv_count(), 1);
    cr_assert_str_eq(e.msg, "SageMaker ListTrainingJobs: ValidationException: 1 validation "
                            "error detected (request id abc)");
    cr_assert_str_eq(aws_client_last_error_code(cli), "ValidationException");
}

Test(client, not_found_maps_to_err_notfound)
{
    json_t *out = NULL;
    struct err e = {0};

    srv_push(400, JSON_HDR, "{\"__type\":\"ResourceNotFoundException\",\"message\":\"The "
                            "specified log group does not exist.\"}");
    cr_assert_eq(aws_json_call(cli, AWS_LOGS, "GetLogEvents", NULL, &out, &e), ERR_NOTFOUND);
    cr_assert(strncmp(e.msg, "CloudWatch Logs GetLogEvents: ResourceNotFoundException: ", 57)
              == 0, "%s", e.msg);
}

Test(client, xml_signature_error_says_check_the_secret)
{
    json_t *out = NULL;
    struct err e = {0};

    srv_push(403, "Content-Type: text/xml\r\n",
             "<?xml version=\"1.0\"?><ErrorResponse><Error><Type>Sender</Type>"
             "<Code>SignatureDoesNotMatch</Code><Message>The request signature we calculated "
             "does not match the signature you provided.</Message></Error>"
             "<RequestId>r-123</RequestId></ErrorResponse>");
    cr_assert_eq(aws_json_call(cli, AWS_SAGEMAKER, "ListTrainingJobs", NULL, &out, &e),
                 ERR_AUTH);
    cr_assert_eq(srv_count(), 1, "auth failures are not retried");
    cr_assert(strstr(e.msg, "SageMaker ListTrainingJobs: SignatureDoesNotMatch: The request "
                            "signature") == e.msg, "%s", e.msg);
    cr_assert(strstr(e.msg, "(request id r-123): check the secret access key for this "
                            "profile") != NULL, "%s", e.msg);
    cr_assert(strstr(e.msg, "secret/TEST+key") == NULL);
}

Test(client, expired_token_refreshes_credentials_once)
{
    json_t *out = NULL;
    struct err e = {0};
    char tok[64];

    setenv("AWS_SESSION_TOKEN", "token-one", 1);
    srv_push(400, JSON_HDR, "{\"__type\":\"ExpiredTokenException\",\"message\":\"The security "
                            "token included in the request is expired\"}");
    cr_assert_eq(aws_json_call(cli, AWS_SAGEMAKER, "ListTrainingJobs", NULL, &out, &e),
                 ERR_AUTH);
    cr_assert_eq(srv_count(), 2, "one refresh and retry, then the answer stands");
    cr_assert_str_eq(req_header(0, "X-Amz-Security-Token", tok, sizeof(tok)), "token-one");
    cr_assert_str_eq(e.msg, "SageMaker ListTrainingJobs: ExpiredTokenException: The security "
                            "token included in the request is expired (request id abc): the "
                            "session token has expired; refresh the profile's credentials");
    unsetenv("AWS_SESSION_TOKEN");
}

static void rotate_token(void *ctx, enum aws_service svc, const char *op, const char *reason,
                         long ms)
{
    (void)ctx;
    (void)svc;
    (void)op;
    (void)ms;
    if (strcmp(reason, "expired credentials") == 0)
        setenv("AWS_SESSION_TOKEN", "token-two", 1);
}

Test(client, expired_token_then_fresh_credentials_succeed)
{
    json_t *out = NULL;
    struct err e = {0};
    char tok[64], auth[1024];

    setenv("AWS_SESSION_TOKEN", "token-one", 1);
    aws_client_set_retry_hook(cli, rotate_token, NULL);
    srv_push(400, JSON_HDR, "{\"__type\":\"ExpiredToken\"}");
    srv_push(200, JSON_HDR, "{}");
    cr_assert_eq(aws_json_call(cli, AWS_SAGEMAKER, "ListTrainingJobs", NULL, &out, &e), 0,
                 "%s", e.msg);
    json_decref(out);
    cr_assert_eq(srv_count(), 2);
    cr_assert_str_eq(req_header(0, "X-Amz-Security-Token", tok, sizeof(tok)), "token-one");
    /* the provider was invalidated and asked again: the retry carries the new token */
    cr_assert_str_eq(req_header(1, "X-Amz-Security-Token", tok, sizeof(tok)), "token-two");
    req_header(1, "Authorization", auth, sizeof(auth));
    cr_assert(strstr(auth, "x-amz-security-token") != NULL, "%s", auth);
    unsetenv("AWS_SESSION_TOKEN");
}

static time_t slow_clock(void)
{
    return time(NULL) - 3600;
}

Test(client, clock_skew_is_corrected_from_the_date_header)
{
    json_t *out = NULL;
    struct err e = {0};
    char hdr[256], date_hdr[64], amz1[32], amz2[32];
    time_t now = time(NULL);
    struct tm tm;

    aws_client_set_clock(cli, slow_clock);
    gmtime_r(&now, &tm);
    strftime(date_hdr, sizeof(date_hdr), "%a, %d %b %Y %H:%M:%S GMT", &tm);
    snprintf(hdr, sizeof(hdr), JSON_HDR "Date: %s\r\n", date_hdr);
    srv_push(400, hdr, "{\"__type\":\"InvalidSignatureException\",\"message\":\"Signature "
                       "expired: 20230301T110000Z is now earlier than 20230301T115500Z\"}");
    srv_push(200, JSON_HDR, "{}");
    cr_assert_eq(aws_json_call(cli, AWS_SAGEMAKER, "ListTrainingJobs", NULL, &out, &e), 0,
                 "%s", e.msg);
    json_decref(out);
    long skew = aws_client_skew_s(cli);
    cr_assert(skew >= 3599 && skew <= 3602, "skew %ld", skew);
    req_header(0, "X-Amz-Date", amz1, sizeof(amz1));
    req_header(1, "X-Amz-Date", amz2, sizeof(amz2));
    cr_assert_str_neq(amz1, amz2, "the retry is signed at the server's time");
}

/* The server's clock measured from every answer's Date (what a warm `sagetop jobs` re-lists
 * from): none before an answer with a Date, then a lower bound, the largest seen. */
Test(client, server_offset_is_measured_from_each_date)
{
    json_t *out = NULL;
    struct err e = {0};
    char hdr[256], date_hdr[64];
    double off = 12345;
    time_t t = 1700000000;      /* the server says 2023-11-14T22:13:20Z, we say an hour later */
    struct tm tm;

    aws_client_set_clock(cli, slow_clock);
    srv_push(200, JSON_HDR, "{}");
    cr_assert_eq(aws_json_call(cli, AWS_SAGEMAKER, "ListTrainingJobs", NULL, &out, &e), 0,
                 "%s", e.msg);
    json_decref(out);
    cr_assert_not(aws_client_server_offset(cli, &off), "no Date yet");
    cr_assert(off == 12345, "untouched");
    for (int i = 0; i < 2; i++) {
        time_t at = i == 0 ? t : t + 1;  /* a second later: the bound tightens */

        gmtime_r(&at, &tm);
        strftime(date_hdr, sizeof(date_hdr), "%a, %d %b %Y %H:%M:%S GMT", &tm);
        snprintf(hdr, sizeof(hdr), JSON_HDR "Date: %s\r\n", date_hdr);
        srv_push(200, hdr, "{}");
        cr_assert_eq(aws_json_call(cli, AWS_SAGEMAKER, "ListTrainingJobs", NULL, &out, &e), 0,
                     "%s", e.msg);
        json_decref(out);
    }
    cr_assert(aws_client_server_offset(cli, &off));
    /* ours: now - 3600; the server's: t + 1 */
    {
        double want = (double)(t + 1) - (double)slow_clock();

        cr_assert(off <= want + 1 && off >= want - 2, "offset %.1f, want about %.1f", off, want);
    }
}

Test(client, malformed_json_answer_gives_byte_offset)
{
    json_t *out = NULL;
    struct err e = {0};

    srv_push(200, JSON_HDR, "{\"TrainingJobSummaries\": [1, 2,, 3]}");
    cr_assert_eq(aws_json_call(cli, AWS_SAGEMAKER, "ListTrainingJobs", NULL, &out, &e),
                 ERR_PARSE);
    cr_assert_null(out);
    cr_assert(strstr(e.msg, "SageMaker ListTrainingJobs: malformed JSON response at byte 32")
              == e.msg, "%s", e.msg);
}

Test(client, truncated_json_answer_is_parse_error)
{
    json_t *out = NULL;
    struct err e = {0};

    srv_push(200, JSON_HDR, "{\"logStreams\": [{\"logStreamName\": \"a");
    cr_assert_eq(aws_json_call(cli, AWS_LOGS, "DescribeLogStreams", NULL, &out, &e), ERR_PARSE);
    cr_assert(strstr(e.msg, "at byte 36") != NULL, "%s", e.msg);
}

Test(client, empty_2xx_answer_is_an_empty_object)
{
    json_t *out = NULL;

    srv_push(200, JSON_HDR, "");
    cr_assert_eq(aws_json_call(cli, AWS_SAGEMAKER, "StopTrainingJob", NULL, &out, NULL), 0);
    cr_assert(json_is_object(out) && json_object_size(out) == 0);
    json_decref(out);
}

Test(client, query_error_header_wins)
{
    json_t *out = NULL;
    struct err e = {0};

    srv_push(400, JSON_HDR "x-amzn-query-error: AWS.SimpleQueueService.Thing;Sender\r\n",
             "{\"__type\":\"Other\",\"message\":\"m\"}");
    cr_assert_eq(aws_json_call(cli, AWS_SAGEMAKER, "ListTrainingJobs", NULL, &out, &e), ERR_AWS);
    cr_assert_str_eq(aws_client_last_error_code(cli), "AWS.SimpleQueueService.Thing");
}

Test(client, cancel_flag_stops_before_sending)
{
    static volatile sig_atomic_t cancel = 1;
    json_t *out = NULL;
    struct err e = {0};

    aws_client_set_cancel(cli, &cancel);
    srv_push(200, JSON_HDR, "{}");
    cr_assert_eq(aws_json_call(cli, AWS_SAGEMAKER, "ListTrainingJobs", NULL, &out, &e),
                 ERR_CANCELLED);
    cr_assert_eq(srv_count(), 0);
}

/* ---- REST / S3 ---------------------------------------------------------------------------- */

Test(client, s3_put_from_file_path_style_with_payload_hash)
{
    char path[] = "/tmp/sagetop-client-XXXXXX", v[256], hash[SIGV4_HEX_LEN + 1];
    struct http_response r;
    struct err e = {0};
    int fd = mkstemp(path);
    static const char content[] = "tarball bytes\n";
    struct http_header h[] = {{"Content-Type", "application/x-tar"}};
    struct aws_rest_request rq = {.method = "PUT", .path = "/hf%20job/source.tar.gz",
                                  .bucket = "my-bucket", .headers = h, .n_headers = 1,
                                  .body_path = path, .operation = "PutObject"};

    cr_assert(fd >= 0);
    cr_assert_eq(write(fd, content, sizeof(content) - 1), (ssize_t)sizeof(content) - 1);
    close(fd);
    srv_push(200, "ETag: \"abc\"\r\nx-amz-request-id: s3req\r\n", "");
    cr_assert_eq(aws_rest_call(cli, AWS_S3, &rq, &r, &e), 0, "%s", e.msg);
    cr_assert_str_eq(r.etag, "\"abc\"");
    cr_assert_str_eq(r.request_id, "s3req");
    http_response_clean(&r);
    unlink(path);
    cr_assert(strncmp(S->req[0], "PUT /my-bucket/hf%20job/source.tar.gz HTTP/1.1\r\n", 48) == 0,
              "%.60s", S->req[0]);
    cr_assert_str_eq(req_body(0), content);
    cr_assert_str_eq(req_header(0, "Content-Length", v, sizeof(v)), "14");
    cr_assert_str_eq(req_header(0, "Transfer-Encoding", v, sizeof(v)), "");
    sigv4_payload_hash(content, sizeof(content) - 1, hash);
    cr_assert_str_eq(req_header(0, "X-Amz-Content-SHA256", v, sizeof(v)), hash);
}

Test(client, s3_head_missing_object_is_notfound)
{
    struct http_response r;
    struct err e = {0};
    struct aws_rest_request rq = {.method = "HEAD", .path = "/nokey", .bucket = "b1",
                                  .operation = "HeadObject"};

    srv_push(404, "x-amz-request-id: rid404\r\n", "");
    cr_assert_eq(aws_rest_call(cli, AWS_S3, &rq, &r, &e), ERR_NOTFOUND);
    cr_assert_str_eq(e.msg, "S3 HeadObject: NotFound (request id rid404)");
}

Test(client, s3_missing_body_file_is_io_error)
{
    struct http_response r;
    struct err e = {0};
    struct aws_rest_request rq = {.method = "PUT", .path = "/k", .bucket = "b1",
                                  .body_path = "/nonexistent/file.tar.gz",
                                  .operation = "PutObject"};

    cr_assert_eq(aws_rest_call(cli, AWS_S3, &rq, &r, &e), ERR_IO);
    cr_assert(strstr(e.msg, "/nonexistent/file.tar.gz") != NULL, "%s", e.msg);
    cr_assert_eq(srv_count(), 0);
}

Test(client, sts_query_get_with_xml_error)
{
    struct http_response r;
    struct err e = {0};
    struct aws_rest_request rq = {.method = "GET", .path = "/",
                                  .query = "Action=GetCallerIdentity&Version=2011-06-15",
                                  .operation = "GetCallerIdentity"};

    srv_push(403, "Content-Type: text/xml\r\n",
             "<ErrorResponse><Error><Code>InvalidClientTokenId</Code><Message>The security "
             "token included in the request is invalid.</Message></Error><RequestId>q1"
             "</RequestId></ErrorResponse>");
    cr_assert_eq(aws_rest_call(cli, AWS_STS, &rq, &r, &e), ERR_AUTH);
    cr_assert(strncmp(S->req[0], "GET /?Action=GetCallerIdentity&Version=2011-06-15 HTTP", 53)
              == 0, "%.80s", S->req[0]);
    cr_assert(strstr(e.msg, "InvalidClientTokenId") != NULL && strstr(e.msg, "q1") != NULL,
              "%s", e.msg);
}

/* ---- transport (http.c directly) ---------------------------------------------------------- */

Test(client, transport_failure_is_retried_then_err_net)
{
    struct hook_log log = {0};
    json_t *out = NULL;
    struct err e = {0};

    /* the client's endpoint is this server's port: close it, keep a fresh one for teardown */
    srv_stop(S);
    S = srv_start();
    aws_client_set_retry_hook(cli, hook, &log);
    /* the configured endpoint is the first server's: closed now */
    cr_assert_eq(aws_json_call(cli, AWS_SAGEMAKER, "ListTrainingJobs", NULL, &out, &e),
                 ERR_NET);
    cr_assert_eq(log.calls, 2, "two retries for three attempts");
    cr_assert_str_eq(log.reasons[0], "network error");
    cr_assert(strstr(e.msg, "SageMaker ListTrainingJobs: ") == e.msg, "%s", e.msg);
}

Test(client, http_response_cap_is_err_toobig)
{
    struct http_client *h = http_client_new(NULL, NULL);
    struct http_request rq = {.method = "GET", .url = S->url, .max_response_bytes = 10};
    struct http_response r;
    struct err e = {0};

    srv_push(200, "", "0123456789abcdef");
    cr_assert_eq(http_perform(h, &rq, &r, &e), ERR_TOOBIG);
    rq.max_response_bytes = 16;
    cr_assert_eq(http_perform(h, &rq, &r, &e), 0, "%s", e.msg);
    cr_assert_eq(r.body_len, 16);
    cr_assert_eq(r.content_length, 16);
    cr_assert_eq(r.body[16], '\0');
    http_response_clean(&r);
    http_client_free(h);
}

Test(client, http_total_timeout_is_err_net)
{
    struct http_client *h = http_client_new(NULL, NULL);
    struct http_request rq = {.method = "GET", .url = S->url, .timeout_ms = 200};
    struct http_response r;
    struct err e = {0};

    S->delay_ms = 1500;
    srv_push(200, "", "late");
    cr_assert_eq(http_perform(h, &rq, &r, &e), ERR_NET);
    cr_assert(strstr(e.msg, "imeout") != NULL || strstr(e.msg, "timed out") != NULL, "%s",
              e.msg);
    http_client_free(h);
}

static volatile sig_atomic_t cancel_late;

static void *set_cancel_later(void *arg)
{
    (void)arg;
    usleep(150 * 1000);
    cancel_late = 1;
    return NULL;
}

Test(client, http_cancel_stops_an_exchange_in_flight)
{
    struct http_client *h = http_client_new(NULL, NULL);
    struct http_request rq = {.method = "GET", .url = S->url};
    struct http_response r;
    struct err e = {0};
    pthread_t th;
    struct timespec a, b;

    S->delay_ms = 3000;
    srv_push(200, "", "late");
    http_client_set_cancel(h, &cancel_late);
    clock_gettime(CLOCK_MONOTONIC, &a);
    pthread_create(&th, NULL, set_cancel_later, NULL);
    cr_assert_eq(http_perform(h, &rq, &r, &e), ERR_CANCELLED);
    clock_gettime(CLOCK_MONOTONIC, &b);
    pthread_join(th, NULL);
    cr_assert_lt(b.tv_sec - a.tv_sec, 2, "cancelled long before the answer");
    http_client_free(h);
}

Test(client, http_headers_are_captured_and_reset_per_response)
{
    struct http_client *h = http_client_new(NULL, NULL);
    struct http_request rq = {.method = "POST", .url = S->url, .body = "x", .body_len = 1};
    struct http_response r;
    struct err e = {0};
    char v[64];

    srv_push(400, "x-amzn-RequestId: r1\r\nx-amzn-query-error: Code;Sender\r\n"
                  "x-amzn-ErrorType: ValidationException:http://internal/\r\n"
                  "Date: Wed, 01 Mar 2023 12:00:00 GMT\r\nRetry-After: 3\r\n", "{}");
    cr_assert_eq(http_perform(h, &rq, &r, &e), 0, "%s", e.msg);
    cr_assert_eq(r.status, 400);
    cr_assert_str_eq(r.request_id, "r1");
    cr_assert_str_eq(r.query_error, "Code;Sender");
    cr_assert_str_eq(r.error_type, "ValidationException:http://internal/");
    cr_assert_str_eq(r.date, "Wed, 01 Mar 2023 12:00:00 GMT");
    cr_assert_str_eq(r.retry_after, "3");
    cr_assert_str_eq(req_header(0, "Content-Type", v, sizeof(v)), "", "no form content type");
    http_response_clean(&r);
    http_client_free(h);
}

/* ---- pure pieces -------------------------------------------------------------------------- */

static struct http_response answer(long status, const char *body)
{
    struct http_response r = {0};

    r.status = status;
    r.body = (char *)body;
    r.body_len = strlen(body);
    return r;
}

Test(client_pure, error_code_sources_in_botocore_order)
{
    struct aws_error_info i;
    struct http_response r = answer(400, "{\"__type\":\"a.b#Thing\",\"message\":\"m\"}");

    aws_client_parse_error(&r, &i);
    cr_assert_str_eq(i.code, "Thing");
    cr_assert_str_eq(i.message, "m");
    snprintf(r.error_type, sizeof(r.error_type), "Other:http://x");
    r.body_len = 0;
    aws_client_parse_error(&r, &i);
    cr_assert_str_eq(i.code, "Other");
    r = answer(418, "");
    aws_client_parse_error(&r, &i);
    cr_assert_str_eq(i.code, "HTTP 418");
    r = answer(400, "  <Error><Code>SlowDown</Code><Message>x</Message></Error>");
    aws_client_parse_error(&r, &i);
    cr_assert_str_eq(i.code, "SlowDown");
    cr_assert_eq(aws_client_classify(503, &i), AWS_RETRY_THROTTLE);
    r = answer(400, "{not json");
    aws_client_parse_error(&r, &i);
    cr_assert_str_eq(i.code, "BadRequest");
}

Test(client_pure, classification_and_error_codes)
{
    struct aws_error_info i = {0};

    snprintf(i.code, sizeof(i.code), "TooManyRequestsException");
    cr_assert_eq(aws_client_classify(400, &i), AWS_RETRY_THROTTLE);
    cr_assert_eq(aws_client_error_code(400, &i), ERR_THROTTLED);
    snprintf(i.code, sizeof(i.code), "ValidationException");
    cr_assert_eq(aws_client_classify(400, &i), AWS_RETRY_NONE);
    cr_assert_eq(aws_client_error_code(400, &i), ERR_AWS);
    snprintf(i.message, sizeof(i.message), "Requested resource not found.");
    cr_assert_eq(aws_client_error_code(400, &i), ERR_NOTFOUND, "SageMaker's quirk");
    snprintf(i.code, sizeof(i.code), "HTTP 502");
    cr_assert_eq(aws_client_classify(502, &i), AWS_RETRY_TRANSIENT);
    snprintf(i.code, sizeof(i.code), "RequestTimeTooSkewed");
    cr_assert_eq(aws_client_classify(403, &i), AWS_RETRY_SKEW);
    cr_assert_eq(aws_client_error_code(403, &i), ERR_AUTH);
    snprintf(i.code, sizeof(i.code), "AccessDeniedException");
    cr_assert_eq(aws_client_error_code(400, &i), ERR_AUTH);
    snprintf(i.code, sizeof(i.code), "Whatever");
    cr_assert_eq(aws_client_classify(429, &i), AWS_RETRY_THROTTLE);
}

Test(client_pure, backoff_is_full_jitter_under_a_growing_cap)
{
    uint64_t rng = 42;
    long max_seen[8] = {0};

    for (int k = 0; k < 2000; k++) {
        for (int retry = 1; retry < 8; retry++) {
            long d = aws_client_backoff_ms(retry, &rng);
            long cap = 50L << retry;
            cr_assert(d >= 0 && d < (cap < 20000 ? cap : 20000), "retry %d: %ld", retry, d);
            if (d > max_seen[retry])
                max_seen[retry] = d;
        }
    }
    cr_assert_gt(max_seen[7], 3000, "jitter spans the range");
    cr_assert_lt(aws_client_backoff_ms(30, &rng), 20000);
}

Test(client_pure, http_date_parsing)
{
    cr_assert_eq(aws_client_parse_http_date("Wed, 01 Mar 2023 12:00:00 GMT"), 1677672000);
    cr_assert_eq(aws_client_parse_http_date("Wed, 01 Foo 2023 12:00:00 GMT"), -1);
    cr_assert_eq(aws_client_parse_http_date("yesterday"), -1);
    cr_assert_eq(aws_client_parse_http_date(""), -1);
}

Test(client_pure, long_messages_keep_code_request_id_and_hint)
{
    struct aws_error_info i = {0};
    struct err e;

    snprintf(i.code, sizeof(i.code), "SignatureDoesNotMatch");
    memset(i.message, 'm', 400);
    snprintf(i.request_id, sizeof(i.request_id), "0123456789abcdef0123456789abcdef");
    cr_assert_eq(aws_client_error_set(&e, AWS_SAGEMAKER, "ListTrainingJobs", 403, &i), ERR_AUTH);
    cr_assert_lt(strlen(e.msg), ERR_MSG_MAX);
    cr_assert(strstr(e.msg, "SignatureDoesNotMatch: mmm") != NULL, "%s", e.msg);
    cr_assert(strstr(e.msg, "...") != NULL, "%s", e.msg);
    cr_assert(strstr(e.msg, "(request id 0123456789abcdef0123456789abcdef): check the secret "
                            "access key for this profile") != NULL, "%s", e.msg);
}
