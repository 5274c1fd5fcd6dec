/* test_logs.c: the CloudWatch Logs response parsers (aws/logs.c) on fixtures in
 * tests/unit/data/: streams, events with any bytes, the "same token means caught up" rule,
 * FilterLogEvents' event ids and paging. No network. */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "aws/logs.h"
#include "support/loopback_aws.h"

static char *fixture(const char *name, size_t *len)
{
    char *buf = loopback_aws_read_data(name, len);

    cr_assert_not_null(buf, "cannot read tests/unit/data/%s", name);
    return buf;
}

Test(logs, describe_log_streams)
{
    struct logs_stream_list l = { 0 };
    struct err e = { 0 };
    size_t len;
    char *doc = fixture("describe_log_streams.json", &len);

    cr_assert_eq(logs_parse_describe_log_streams(doc, len, &l, &e), 0, "%s", e.msg);
    cr_assert_eq(l.count, 2);
    cr_assert_str_eq(l.items[0].name, "hf-bert-imdb/algo-1-1794996800");
    cr_assert_eq(l.items[0].creation_time_ms, 1794996800123LL);
    cr_assert_eq(l.items[0].first_event_ms, 1794996801000LL);
    cr_assert_eq(l.items[0].last_event_ms, 1794998050000LL);
    cr_assert_eq(l.items[0].last_ingestion_ms, 1794998051000LL);
    cr_assert_eq(l.items[1].last_event_ms, 0, "absent is 0");
    cr_assert_str_eq(l.next_token, "streams-2");
    logs_stream_list_clean(&l);
    logs_stream_list_clean(&l);
    free(doc);
}

Test(logs, describe_log_streams_empty_and_bad)
{
    struct logs_stream_list l = { 0 };
    struct err e = { 0 };

    cr_assert_eq(logs_parse_describe_log_streams("{\"logStreams\":[]}", 17, &l, &e), 0);
    cr_assert_eq(l.count, 0);
    cr_assert_null(l.next_token);
    logs_stream_list_clean(&l);
    cr_assert_eq(logs_parse_describe_log_streams("{\"logStreams\":[{}]}", 19, &l, &e),
                 ERR_PARSE);
    cr_assert(strstr(e.msg, "logStreams[0]") != NULL, "%s", e.msg);
    cr_assert(strstr(e.msg, "logStreamName") != NULL, "%s", e.msg);
}

Test(logs, get_log_events_messages_keep_every_byte)
{
    struct logs_event_page p = { 0 };
    struct err e = { 0 };
    size_t len;
    char *doc = fixture("get_log_events.json", &len);

    cr_assert_eq(logs_parse_get_log_events(doc, len, NULL, &p, &e), 0, "%s", e.msg);
    cr_assert_eq(p.count, 4);
    cr_assert_eq(p.events[0].timestamp_ms, 1794996801000LL);
    cr_assert_eq(p.events[0].ingestion_time_ms, 1794996802000LL);
    cr_assert_str_eq(p.events[0].message,
                     "bash: cannot set terminal process group (-1): Inappropriate ioctl for device");
    /* tqdm bar: UTF-8 block characters decoded from \u escapes */
    cr_assert(strstr(p.events[1].message, "98%|\xe2\x96\x88") != NULL);
    cr_assert(strstr(p.events[1].message, "\xe2\x96\x8a| 339/345") != NULL);
    cr_assert_eq(p.events[2].message[p.events[2].message_len - 1], '\n', "trailing newline kept");
    cr_assert_eq(p.events[3].message_len, 8);
    cr_assert_eq(memcmp(p.events[3].message, "nul\0byte", 8), 0, "embedded NUL kept");
    cr_assert_null(p.events[0].event_id);
    cr_assert_null(p.events[0].stream_name);
    cr_assert_str_eq(p.next_forward_token,
                     "f/00000000000000000000000000000000000000000000000000000003");
    cr_assert_str_eq(p.next_backward_token,
                     "b/00000000000000000000000000000000000000000000000000000000");
    cr_assert(!p.caught_up, "no token sent: not caught up");
    logs_event_page_clean(&p);
    free(doc);
}

Test(logs, same_forward_token_back_means_caught_up)
{
    struct logs_event_page p = { 0 };
    const char *doc = "{\"events\":[],\"nextForwardToken\":\"f/7\",\"nextBackwardToken\":\"b/1\"}";

    cr_assert_eq(logs_parse_get_log_events(doc, strlen(doc), "f/7", &p, NULL), 0);
    cr_assert(p.caught_up);
    cr_assert_eq(p.count, 0);
    logs_event_page_clean(&p);
    /* an empty page with a new token is NOT the end */
    cr_assert_eq(logs_parse_get_log_events(doc, strlen(doc), "f/6", &p, NULL), 0);
    cr_assert(!p.caught_up);
    logs_event_page_clean(&p);
}

Test(logs, long_message_is_cut_at_the_cap_and_flagged)
{
    struct logs_event_page p = { 0 };
    size_t n = LOGS_MESSAGE_MAX + 1000, i;
    char *doc = malloc(n + 128);
    int off;

    cr_assert_not_null(doc);
    off = sprintf(doc, "{\"events\":[{\"timestamp\":1,\"message\":\"");
    for (i = 0; i < n; i++)
        doc[off + (int)i] = 'x';
    off += (int)n;
    off += sprintf(doc + off, "\"}]}");
    cr_assert_eq(logs_parse_get_log_events(doc, (size_t)off, NULL, &p, NULL), 0);
    cr_assert_eq(p.events[0].message_len, LOGS_MESSAGE_MAX);
    cr_assert(p.events[0].truncated);
    cr_assert_eq(p.events[0].message[LOGS_MESSAGE_MAX], '\0');
    logs_event_page_clean(&p);
    free(doc);
}

Test(logs, message_of_256k_is_whole)
{
    struct logs_event_page p = { 0 };
    size_t n = 256 * 1024, i;
    char *doc = malloc(n + 128);
    int off;

    cr_assert_not_null(doc);
    off = sprintf(doc, "{\"events\":[{\"timestamp\":1,\"ingestionTime\":2,\"message\":\"");
    for (i = 0; i < n; i++)
        doc[off + (int)i] = (char)('a' + i % 26);
    off += (int)n;
    off += sprintf(doc + off, "\"}],\"nextForwardToken\":\"f\"}");
    cr_assert_eq(logs_parse_get_log_events(doc, (size_t)off, NULL, &p, NULL), 0);
    cr_assert_eq(p.events[0].message_len, n);
    cr_assert(!p.events[0].truncated);
    cr_assert_eq(p.events[0].message[n - 1], (char)('a' + (n - 1) % 26));
    logs_event_page_clean(&p);
    free(doc);
}

Test(logs, filter_log_events_ids_and_streams)
{
    struct logs_event_page p = { 0 };
    struct err e = { 0 };
    size_t len;
    char *doc = fixture("filter_log_events.json", &len);

    cr_assert_eq(logs_parse_filter_log_events(doc, len, &p, &e), 0, "%s", e.msg);
    cr_assert_eq(p.count, 2);
    cr_assert_str_eq(p.events[0].stream_name, "hf-bert-imdb/algo-1-1794996800");
    cr_assert_str_eq(p.events[1].stream_name, "hf-bert-imdb/algo-2-1794996800");
    cr_assert_str_eq(p.events[0].event_id,
                     "37712345678901234567890123456789012345678901234567890001");
    cr_assert_eq(p.events[0].timestamp_ms, p.events[1].timestamp_ms);
    cr_assert_str_eq(p.events[1].message, "{'eval_loss': 0.1859, 'epoch': 1.0}");
    cr_assert_str_eq(p.next_token, "filter-2");
    cr_assert_null(p.next_forward_token);
    logs_event_page_clean(&p);
    free(doc);
}

Test(logs, filter_last_page_has_no_token)
{
    struct logs_event_page p = { 0 };
    const char *doc = "{\"events\":[],\"searchedLogStreams\":[]}";

    cr_assert_eq(logs_parse_filter_log_events(doc, strlen(doc), &p, NULL), 0);
    cr_assert_null(p.next_token);
    logs_event_page_clean(&p);
}

Test(logs, bad_events_fail_with_position)
{
    struct logs_event_page p = { 0 };
    struct err e = { 0 };
    static const char *bad[] = {
        "{\"events\":[{\"message\":\"no timestamp\"}]}",
        "{\"events\":[{\"timestamp\":\"1\",\"message\":\"x\"}]}",
        "{\"events\":[{\"timestamp\":1,\"message\":5}]}",
        "{\"events\":[1]}",
        "{\"events\":{}}",
        "{\"events\":[],\"nextForwardToken\":7}",
    };
    size_t i;

    for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        cr_assert_eq(logs_parse_get_log_events(bad[i], strlen(bad[i]), NULL, &p, &e), ERR_PARSE,
                     "case %zu", i);
        cr_assert(strncmp(e.msg, "GetLogEvents response: ", 23) == 0, "%s", e.msg);
        cr_assert_null(p.events);
    }
}

Test(logs, every_truncation_of_a_page_fails_cleanly)
{
    struct logs_event_page p = { 0 };
    struct err e = { 0 };
    size_t len, cut;
    char *doc = fixture("filter_log_events.json", &len);

    for (cut = 0; cut + 2 < len; cut++) {
        cr_assert_eq(logs_parse_filter_log_events(doc, cut, &p, &e), ERR_PARSE, "cut %zu", cut);
        cr_assert(strstr(e.msg, "malformed JSON at byte") != NULL, "%s", e.msg);
    }
    free(doc);
}

/* ---- the calls, against a loopback server (the real client) -------------------------------- */

#include "aws/config.h"
#include "aws/creds.h"
#include "support/loopback_http.h"

struct live {
    struct loopback_http *srv;
    struct aws_config *cfg;
    struct aws_creds_provider *creds;
    struct aws_client *client;
};

static void live_open(struct live *l)
{
    struct aws_options opts = { 0 };
    struct err e = { 0 };

    l->srv = loopback_http_start();
    cr_assert_not_null(l->srv);
    setenv("AWS_ACCESS_KEY_ID", "AKIDEXAMPLE", 1);
    setenv("AWS_SECRET_ACCESS_KEY", "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY", 1);
    setenv("AWS_REGION", "us-east-1", 1);
    setenv("AWS_CONFIG_FILE", "/nonexistent/sagetop-test/config", 1);
    setenv("AWS_SHARED_CREDENTIALS_FILE", "/nonexistent/sagetop-test/credentials", 1);
    setenv("AWS_EC2_METADATA_DISABLED", "true", 1);
    setenv("AWS_MAX_ATTEMPTS", "1", 1);
    setenv("AWS_ENDPOINT_URL", loopback_http_url(l->srv), 1);
    unsetenv("AWS_PROFILE");
    l->cfg = aws_config_load(&opts, &e);
    cr_assert_not_null(l->cfg, "%s", e.msg);
    l->creds = aws_creds_provider_new(l->cfg, &e);
    cr_assert_not_null(l->creds, "%s", e.msg);
    l->client = aws_client_new(l->cfg, l->creds, &e);
    cr_assert_not_null(l->client, "%s", e.msg);
}

static void live_close(struct live *l)
{
    aws_client_free(l->client);
    aws_creds_provider_free(l->creds);
    aws_config_free(l->cfg);
    loopback_http_stop(l->srv);
}

Test(logs_call, get_log_events_request_and_caught_up)
{
    struct live l;
    struct logs_get_query q = { .stream = "job/algo-1-1", .next_token = "f/9",
                                .start_from_head = true, .limit = 500 };
    struct logs_event_page p = { 0 };
    struct loopback_request r;
    struct err e = { 0 };
    char target[128];

    live_open(&l);
    loopback_http_route(l.srv, "POST", "/", 200, "application/x-amz-json-1.1",
                        "{\"events\":[],\"nextForwardToken\":\"f/9\",\"nextBackwardToken\":\"b/0\"}");
    cr_assert_eq(logs_get_log_events(l.client, &q, &p, &e), 0, "%s", e.msg);
    cr_assert(p.caught_up, "the same token came back");
    cr_assert_eq(loopback_http_request(l.srv, 0, &r), 0);
    cr_assert_str_eq(loopback_header(&r, "X-Amz-Target", target, sizeof(target)),
                     "Logs_20140328.GetLogEvents");
    cr_assert(strstr(r.body, "/aws/sagemaker/TrainingJobs") != NULL, "%s", r.body);
    cr_assert(strstr(r.body, "\"startFromHead\": true") != NULL ||
              strstr(r.body, "\"startFromHead\":true") != NULL, "%s", r.body);
    cr_assert(strstr(r.body, "f/9") != NULL, "%s", r.body);
    logs_event_page_clean(&p);
    live_close(&l);
}

/* The sync's hot path: the page comes back raw and is read by logs_page_read() (its messages
 * live in the page's arena, no copy each), a body the reader defers (here an unknown member)
 * is still read by jansson, an empty body is an empty page as before, and a cut body is a
 * clear parse error naming the call. */
Test(logs_call, get_log_events_reads_the_raw_page_without_jansson)
{
    struct live l;
    struct logs_get_query q = { .stream = "job/algo-1-1", .next_token = "f/1",
                                .start_from_head = true };
    struct logs_event_page p = { 0 };
    struct err e = { 0 };

    live_open(&l);
    loopback_http_route(l.srv, "POST", "/", 200, "application/x-amz-json-1.1",
                        "{\"events\":[{\"timestamp\":5,\"message\":\"a\\u0000b\\n\","
                        "\"ingestionTime\":6}],\"nextForwardToken\":\"f/2\","
                        "\"nextBackwardToken\":\"b/0\"}");
    cr_assert_eq(logs_get_log_events(l.client, &q, &p, &e), 0, "%s", e.msg);
    cr_assert_not_null(p.arena, "read by the page reader");
    cr_assert_eq(p.count, 1);
    cr_assert_eq(p.events[0].message_len, 4);
    cr_assert_eq(memcmp(p.events[0].message, "a\0b\n", 4), 0);
    cr_assert_str_eq(p.next_forward_token, "f/2");
    cr_assert_not(p.caught_up);
    logs_event_page_clean(&p);

    loopback_http_route(l.srv, "POST", "/", 200, "application/x-amz-json-1.1",
                        "{\"events\":[{\"timestamp\":5,\"message\":\"x\"}],"
                        "\"nextForwardToken\":\"f/1\",\"somethingNew\":1}");
    cr_assert_eq(logs_get_log_events(l.client, &q, &p, &e), 0, "%s", e.msg);
    cr_assert_null(p.arena, "deferred to jansson");
    cr_assert_eq(p.count, 1);
    cr_assert_str_eq(p.events[0].message, "x");
    cr_assert(p.caught_up);
    logs_event_page_clean(&p);

    loopback_http_route(l.srv, "POST", "/", 200, "application/x-amz-json-1.1", "");
    cr_assert_eq(logs_get_log_events(l.client, &q, &p, &e), 0, "%s", e.msg);
    cr_assert_eq(p.count, 0);
    cr_assert_null(p.next_forward_token, "an empty answer: no token, the stream's end");
    logs_event_page_clean(&p);

    loopback_http_route(l.srv, "POST", "/", 200, "application/x-amz-json-1.1",
                        "{\"events\":[{\"timestamp\":5,\"message\":\"cut her");
    cr_assert_eq(logs_get_log_events(l.client, &q, &p, &e), ERR_PARSE);
    cr_assert(strstr(e.msg, "CloudWatch Logs") != NULL && strstr(e.msg, "GetLogEvents") != NULL &&
              strstr(e.msg, "malformed JSON at byte") != NULL, "%s", e.msg);
    live_close(&l);
}

/* A sync reads page after page on one client: the second page is read into the same storage
 * as the first (the client's page store, not a few MB allocated and freed per page), and a
 * page the reader defers in between does not disturb it. */
Test(logs_call, get_log_events_reuses_the_clients_page_storage)
{
    static const char page[] = "{\"events\":[{\"timestamp\":%d,\"message\":\"line %d\\t\"},"
                               "{\"timestamp\":%d,\"message\":\"more\"}],"
                               "\"nextForwardToken\":\"f/%d\",\"nextBackwardToken\":\"b/0\"}";
    struct live l;
    struct logs_get_query q = { .stream = "job/algo-1-1", .next_token = "f/1",
                                .start_from_head = true };
    struct logs_event_page p = { 0 };
    struct err e = { 0 };
    char body[256], *arena;
    struct logs_event *events;

    live_open(&l);
    snprintf(body, sizeof(body), page, 5, 1, 6, 2);
    loopback_http_route(l.srv, "POST", "/", 200, "application/x-amz-json-1.1", body);
    cr_assert_eq(logs_get_log_events(l.client, &q, &p, &e), 0, "%s", e.msg);
    cr_assert(p.kept, "read into the client's page store");
    arena = p.arena;
    events = p.events;
    logs_event_page_clean(&p);

    loopback_http_route(l.srv, "POST", "/", 200, "application/x-amz-json-1.1",
                        "{\"events\":[],\"nextForwardToken\":\"f/1\",\"new\":1}");
    cr_assert_eq(logs_get_log_events(l.client, &q, &p, &e), 0, "%s", e.msg);
    cr_assert_not(p.kept, "deferred to jansson: its own storage");
    logs_event_page_clean(&p);

    snprintf(body, sizeof(body), page, 7, 2, 8, 3);
    loopback_http_route(l.srv, "POST", "/", 200, "application/x-amz-json-1.1", body);
    cr_assert_eq(logs_get_log_events(l.client, &q, &p, &e), 0, "%s", e.msg);
    cr_assert(p.kept);
    cr_assert_eq(p.arena, arena, "the same arena");
    cr_assert_eq(p.events, events, "the same events array");
    cr_assert_eq(p.count, 2);
    cr_assert_eq(p.events[0].timestamp_ms, 7);
    cr_assert_eq(p.events[0].message_len, 7);
    cr_assert_eq(memcmp(p.events[0].message, "line 2\t", 7), 0);
    cr_assert_str_eq(p.events[1].message, "more");
    cr_assert_str_eq(p.next_forward_token, "f/3");
    logs_event_page_clean(&p);
    live_close(&l);
}

Test(logs_call, missing_group_is_an_empty_stream_list)
{
    struct live l;
    struct logs_stream_list s = { 0 };
    struct err e = { 0 };

    live_open(&l);
    loopback_http_route(l.srv, "POST", "/", 400, "application/x-amz-json-1.1",
                        "{\"__type\":\"ResourceNotFoundException\","
                        "\"message\":\"The specified log group does not exist.\"}");
    cr_assert_eq(logs_describe_log_streams(l.client, NULL, "job/", &s, &e), 0, "%s", e.msg);
    cr_assert_eq(s.count, 0);
    logs_stream_list_clean(&s);
    live_close(&l);
}

Test(logs_call, filter_rejects_names_with_prefix)
{
    const char *names[] = { "a" };
    struct logs_filter_query q = { .stream_names = names, .n_stream_names = 1,
                                   .stream_prefix = "job/" };
    struct logs_event_page p = { 0 };
    struct err e = { 0 };

    cr_assert_eq(logs_filter_log_events(NULL, &q, &p, &e), ERR_INVAL);
    cr_assert(strstr(e.msg, "cannot be combined") != NULL);
}

/* ---- page-level retry (aws/paging.c) on the Logs pages ------------------------------------ */

#include "aws/paging.h"

static struct {
    struct loopback_http *srv;
    int n_waits;
    int fix_after;
    const char *fixed_body;
} lph;

static void logs_page_sleep(long ms)
{
    (void)ms;
    if (++lph.n_waits == lph.fix_after)
        loopback_http_route(lph.srv, "POST", "/", 200, "application/x-amz-json-1.1",
                            lph.fixed_body);
}

Test(logs_call, get_log_events_page_retried_through_throttling_and_5xx)
{
    struct live l;
    struct logs_get_query q = { .stream = "job/algo-1-1", .next_token = "f/7",
                                .start_from_head = true };
    struct logs_event_page p = { 0 };
    struct loopback_request r;
    struct err e = { 0 };
    size_t i;

    live_open(&l);
    memset(&lph, 0, sizeof(lph));
    lph.srv = l.srv;
    lph.fix_after = 2;
    lph.fixed_body = "{\"events\":[{\"timestamp\":5,\"message\":\"hello\",\"ingestionTime\":6}],"
                     "\"nextForwardToken\":\"f/8\",\"nextBackwardToken\":\"b/0\"}";
    paging_set_sleep(logs_page_sleep);
    loopback_http_route(l.srv, "POST", "/", 400, "application/x-amz-json-1.1",
                        "{\"__type\":\"ThrottlingException\",\"message\":\"Rate exceeded\"}");
    cr_assert_eq(logs_get_log_events(l.client, &q, &p, &e), 0, "%s", e.msg);
    cr_assert_eq(p.count, 1);
    cr_assert_str_eq(p.events[0].message, "hello");
    cr_assert_str_eq(p.next_forward_token, "f/8");
    cr_assert_eq(loopback_http_count(l.srv), 3);
    for (i = 0; i < 3; i++) {
        cr_assert_eq(loopback_http_request(l.srv, i, &r), 0);
        cr_assert(strstr(r.body, "f/7") != NULL, "same token each time: %s", r.body);
    }
    logs_event_page_clean(&p);

    /* FilterLogEvents and DescribeLogStreams pages through 503s */
    memset(&lph, 0, sizeof(lph));
    lph.srv = l.srv;
    lph.fix_after = 1;
    lph.fixed_body = "{\"events\":[],\"searchedLogStreams\":[]}";
    loopback_http_route(l.srv, "POST", "/", 503, "application/x-amz-json-1.1",
                        "{\"__type\":\"ServiceUnavailableException\",\"message\":\"busy\"}");
    {
        struct logs_filter_query fq = { .stream_prefix = "job/" };

        cr_assert_eq(logs_filter_log_events(l.client, &fq, &p, &e), 0, "%s", e.msg);
        cr_assert_eq(lph.n_waits, 1);
        cr_assert_null(p.next_token);
        logs_event_page_clean(&p);
    }
    memset(&lph, 0, sizeof(lph));
    lph.srv = l.srv;
    lph.fix_after = 4;
    lph.fixed_body = "{\"logStreams\":[{\"logStreamName\":\"job/algo-1-1\"}]}";
    loopback_http_route(l.srv, "POST", "/", 500, "application/x-amz-json-1.1",
                        "{\"__type\":\"InternalFailure\",\"message\":\"oops\"}");
    {
        struct logs_stream_list s = { 0 };

        cr_assert_eq(logs_describe_log_streams(l.client, NULL, "job/", &s, &e), 0, "%s", e.msg);
        cr_assert_eq(lph.n_waits, 4);
        cr_assert_eq(s.count, 1);
        logs_stream_list_clean(&s);
    }
    paging_set_sleep(NULL);
    live_close(&l);
}
