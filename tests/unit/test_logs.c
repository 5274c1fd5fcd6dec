/* test_logs.c: the CloudWatch Logs response parsers (aws/logs.c) on fixtures in
 * tests/unit/data/: streams, events with any bytes, the "same token means caught up" rule,
 * FilterLogEvents' event ids and paging. No network. */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "aws/logs.h"

static char *fixture(const char *name, size_t *len)
{
    const char *top = getenv("SAGETOP_TOP");
    char path[1024];
    FILE *f;
    long n;
    char *buf;

    snprintf(path, sizeof(path), "%s/tests/unit/data/%s", top != NULL ? top : ".", name);
    f = fopen(path, "rb");
    cr_assert_not_null(f, "fixture %s", path);
    fseek(f, 0, SEEK_END);
    n = ftell(f);
    fseek(f, 0, SEEK_SET);
    buf = malloc((size_t)n + 1);
    cr_assert_not_null(buf);
    cr_assert_eq(fread(buf, 1, (size_t)n, f), (size_t)n);
    buf[n] = '\0';
    fclose(f);
    *len = (size_t)n;
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
