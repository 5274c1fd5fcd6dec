/* test_logs_page.c: the dedicated GetLogEvents page reader (aws/logs_page.c) against jansson's
 * parse of the same body (logs_parse_get_log_events), differentially: on a corpus of real
 * shapes and hostile ones (escapes, \u surrogate pairs and lone halves, invalid UTF-8, NUL,
 * control characters, a 1 MB and a 1 MB + 1 byte message, duplicates, unknown members, reals,
 * truncated bodies) and on thousands of mutations of them. Whenever the reader accepts a body,
 * jansson accepts it too and both pages are equal field by field; on the well-formed AWS
 * shapes the reader must accept (no silent fallback on what a sync reads every second). */
#include <criterion/criterion.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "aws/logs.h"

static void assert_same(const struct logs_event_page *a, const struct logs_event_page *b,
                        const char *what)
{
    cr_assert_eq(a->count, b->count, "%s: count %zu vs %zu", what, a->count, b->count);
    for (size_t i = 0; i < a->count; i++) {
        const struct logs_event *x = &a->events[i], *y = &b->events[i];

        cr_assert_eq(x->timestamp_ms, y->timestamp_ms, "%s: event %zu timestamp", what, i);
        cr_assert_eq(x->ingestion_time_ms, y->ingestion_time_ms, "%s: event %zu ingestion",
                     what, i);
        cr_assert_eq(x->message_len, y->message_len, "%s: event %zu length %zu vs %zu", what, i,
                     x->message_len, y->message_len);
        cr_assert(memcmp(x->message, y->message, x->message_len) == 0, "%s: event %zu bytes",
                  what, i);
        cr_assert_eq(x->message[x->message_len], '\0', "%s: event %zu NUL-terminated", what, i);
        cr_assert_eq(x->truncated, y->truncated, "%s: event %zu truncated", what, i);
    }
    cr_assert_eq(a->next_forward_token == NULL, b->next_forward_token == NULL, "%s", what);
    cr_assert_eq(a->next_backward_token == NULL, b->next_backward_token == NULL, "%s", what);
    if (a->next_forward_token != NULL)
        cr_assert_str_eq(a->next_forward_token, b->next_forward_token, "%s", what);
    if (a->next_backward_token != NULL)
        cr_assert_str_eq(a->next_backward_token, b->next_backward_token, "%s", what);
    cr_assert_eq(a->caught_up, b->caught_up, "%s: caught_up", what);
}

/* The invariant: accepted by the reader => accepted by jansson, and equal. Returns whether
 * the reader accepted. */
static bool differential(const char *body, size_t len, const char *sent, const char *what)
{
    struct logs_event_page fast = { 0 }, ref = { 0 };
    struct err e1 = { 0 }, e2 = { 0 };
    int rf = logs_page_read(body, len, sent, &fast, &e1);
    int rj = logs_parse_get_log_events(body, len, sent, &ref, &e2);

    cr_assert(rf == 0 || rf == LOGS_PAGE_DEFER, "%s: reader rc %d", what, rf);
    if (rf == 0) {
        cr_assert_eq(rj, 0, "%s: the reader accepted what jansson refuses (%s)", what, e2.msg);
        assert_same(&fast, &ref, what);
    }
    logs_event_page_clean(&fast);
    logs_event_page_clean(&ref);
    return rf == 0;
}

#define TOK "f/39422374612345678901234567890123456789012345678901234567/s"

struct sample {
    const char *name;
    const char *body;
    bool must_accept;       /* a well-formed AWS page */
};

static const struct sample corpus[] = {
    {"empty page", "{\"events\":[],\"nextForwardToken\":\"" TOK "\",\"nextBackwardToken\":\"b/1\"}",
     true},
    {"plain", "{\"events\":[{\"timestamp\":1700000000000,\"message\":\"step 1 loss=0.5\","
              "\"ingestionTime\":1700000000123}],\"nextForwardToken\":\"" TOK "\","
              "\"nextBackwardToken\":\"b/2\"}", true},
    {"whitespace", " {\n\t\"events\" : [ { \"timestamp\" : 1 , \"message\" : \"a\" } ] ,\r\n"
                   "\"nextForwardToken\" : null } ", true},
    {"escapes", "{\"events\":[{\"timestamp\":2,\"message\":\"q\\\"b\\\\s\\/n\\nr\\rt\\tb\\bf\\f\"}]}",
     true},
    {"ansi and tqdm", "{\"events\":[{\"timestamp\":3,\"message\":\"\\u001b[31mred\\u001b[0m "
                      "45%|\\u2588\\u2588\\u2588\\u258c | 9/20\"}]}", true},
    {"surrogate pair", "{\"events\":[{\"timestamp\":4,\"message\":\"emoji \\ud83d\\ude00 ok\"}]}",
     true},
    {"raw utf-8", "{\"events\":[{\"timestamp\":5,\"message\":\"caf\xc3\xa9 \xe2\x82\xac "
                  "\xf0\x9f\x98\x80\"}]}", true},
    {"nul escape", "{\"events\":[{\"timestamp\":6,\"message\":\"a\\u0000b\"}]}", true},
    {"null message", "{\"events\":[{\"timestamp\":7,\"message\":null},{\"timestamp\":8}]}", true},
    {"negative, zero", "{\"events\":[{\"timestamp\":-5,\"message\":\"\"},{\"timestamp\":0,"
                       "\"message\":\"x\",\"ingestionTime\":null}]}", true},
    {"18 digits", "{\"events\":[{\"timestamp\":999999999999999999,\"message\":\"x\"}]}", true},
    {"no events member", "{\"nextForwardToken\":\"" TOK "\"}", true},
    {"events null", "{\"events\":null}", true},
    {"empty object", "{}", true},
    /* hostile: the reader defers, jansson decides */
    {"lone low surrogate", "{\"events\":[{\"timestamp\":9,\"message\":\"\\udc80\"}]}", false},
    {"lone high surrogate", "{\"events\":[{\"timestamp\":9,\"message\":\"\\ud83d x\"}]}", false},
    {"invalid utf-8", "{\"events\":[{\"timestamp\":9,\"message\":\"bad \xff byte\"}]}", false},
    {"overlong utf-8", "{\"events\":[{\"timestamp\":9,\"message\":\"\xc0\xaf\"}]}", false},
    {"utf-8 surrogate", "{\"events\":[{\"timestamp\":9,\"message\":\"\xed\xa0\x80\"}]}", false},
    {"cut utf-8", "{\"events\":[{\"timestamp\":9,\"message\":\"\xe2\x82\"}]}", false},
    {"control char", "{\"events\":[{\"timestamp\":9,\"message\":\"a\tb\"}]}", false},
    {"bad escape", "{\"events\":[{\"timestamp\":9,\"message\":\"\\x41\"}]}", false},
    {"short \\u", "{\"events\":[{\"timestamp\":9,\"message\":\"\\u12\"}]}", false},
    {"duplicate top", "{\"events\":[],\"events\":[]}", false},
    {"duplicate in event", "{\"events\":[{\"timestamp\":1,\"timestamp\":2}]}", false},
    {"unknown member", "{\"events\":[],\"other\":1}", false},
    {"unknown in event", "{\"events\":[{\"timestamp\":1,\"eventId\":\"x\"}]}", false},
    {"real timestamp", "{\"events\":[{\"timestamp\":1.5,\"message\":\"x\"}]}", false},
    {"exponent", "{\"events\":[{\"timestamp\":1e3,\"message\":\"x\"}]}", false},
    {"leading zero", "{\"events\":[{\"timestamp\":01,\"message\":\"x\"}]}", false},
    {"huge integer", "{\"events\":[{\"timestamp\":123456789012345678901234,\"message\":\"x\"}]}",
     false},
    {"19 digits (fuzz: overflowed once)",
     "{\"events\":[{\"timestamp\":9999999999999999999,\"message\":\"x\"}]}", false},
    {"no timestamp", "{\"events\":[{\"message\":\"x\"}]}", false},
    {"empty event", "{\"events\":[{}]}", false},
    {"message not string", "{\"events\":[{\"timestamp\":1,\"message\":5}]}", false},
    {"event not object", "{\"events\":[1]}", false},
    {"events not array", "{\"events\":{}}", false},
    {"token not string", "{\"nextForwardToken\":5}", false},
    {"trailing comma", "{\"events\":[{\"timestamp\":1},]}", false},
    {"trailing garbage", "{\"events\":[]} x", false},
    {"two documents", "{}{}", false},
    {"truncated", "{\"events\":[{\"timestamp\":1,\"message\":\"abc", false},
    {"not an object", "[]", false},
    {"empty body", "", false},
};

Test(logs_page, corpus_equals_jansson)
{
    for (size_t i = 0; i < sizeof(corpus) / sizeof(corpus[0]); i++) {
        bool accepted = differential(corpus[i].body, strlen(corpus[i].body), NULL,
                                     corpus[i].name);

        if (corpus[i].must_accept)
            cr_assert(accepted, "%s: a well-formed page must be read, not deferred",
                      corpus[i].name);
    }
}

Test(logs_page, caught_up_and_tokens)
{
    const char *body = "{\"events\":[],\"nextForwardToken\":\"" TOK "\"}";
    struct logs_event_page p = { 0 };

    cr_assert(differential(body, strlen(body), TOK, "same token"));
    cr_assert_eq(logs_page_read(body, strlen(body), TOK, &p, NULL), 0);
    cr_assert(p.caught_up);
    cr_assert_str_eq(p.next_forward_token, TOK);
    logs_event_page_clean(&p);
    cr_assert(differential(body, strlen(body), "f/other/s", "other token"));
}

/* A page body of one message of n bytes (escaped every 7th byte as \n). */
static char *big_page(size_t n, size_t *len)
{
    char *b = malloc(2 * n + 100);
    size_t k = (size_t)sprintf(b, "{\"events\":[{\"timestamp\":42,\"message\":\"");

    for (size_t i = 0; i < n; i++) {
        if (i % 7 == 6) {
            b[k++] = '\\';
            b[k++] = 'n';
        } else {
            b[k++] = (char)('a' + i % 26);
        }
    }
    k += (size_t)sprintf(b + k, "\"}],\"nextForwardToken\":\"" TOK "\"}");
    *len = k;
    return b;
}

Test(logs_page, one_megabyte_messages)
{
    size_t len;
    char *b = big_page(LOGS_MESSAGE_MAX, &len);
    struct logs_event_page p = { 0 };

    cr_assert(differential(b, len, NULL, "1 MB message"));
    cr_assert_eq(logs_page_read(b, len, NULL, &p, NULL), 0);
    cr_assert_eq(p.events[0].message_len, LOGS_MESSAGE_MAX);
    cr_assert_not(p.events[0].truncated);
    logs_event_page_clean(&p);
    free(b);
    b = big_page(LOGS_MESSAGE_MAX + 1, &len);
    cr_assert(differential(b, len, NULL, "1 MB + 1 message"));
    cr_assert_eq(logs_page_read(b, len, NULL, &p, NULL), 0);
    cr_assert_eq(p.events[0].message_len, LOGS_MESSAGE_MAX);
    cr_assert(p.events[0].truncated, "cut at the cap, as the jansson path does");
    logs_event_page_clean(&p);
    free(b);
}

Test(logs_page, ten_thousand_events)
{
    size_t cap = 10000 * 80 + 200, k;
    char *b = malloc(cap);

    k = (size_t)sprintf(b, "{\"events\":[");
    for (int i = 0; i < 10000; i++)
        k += (size_t)sprintf(b + k, "%s{\"timestamp\":%d,\"message\":\"step %d loss=0.%04d\","
                             "\"ingestionTime\":%d}", i ? "," : "", 1000 + i, i, i, 2000 + i);
    k += (size_t)sprintf(b + k, "],\"nextForwardToken\":\"" TOK "\",\"nextBackwardToken\":\"b\"}");
    cr_assert(differential(b, k, NULL, "10,000 events"));
    free(b);
}

/* Mutations: byte flips, cuts and insertions of JSON-significant bytes in every corpus body;
 * the invariant must hold for each. */
Test(logs_page, mutations_never_disagree)
{
    static const char bytes[] = "\"\\{}[],:0u\xff\x80\xed\x01 ne-.";
    uint64_t x = 0x9e3779b97f4a7c15u;
    char buf[512], what[96];

    for (size_t i = 0; i < sizeof(corpus) / sizeof(corpus[0]); i++) {
        size_t n = strlen(corpus[i].body);

        if (n == 0 || n >= sizeof(buf) - 2)
            continue;
        for (int m = 0; m < 300; m++) {
            size_t len = n, at;

            memcpy(buf, corpus[i].body, n);
            x ^= x << 13, x ^= x >> 7, x ^= x << 17;
            at = (size_t)(x % n);
            switch (x >> 60 & 3) {
            case 0: buf[at] = bytes[(x >> 20) % (sizeof(bytes) - 1)]; break;
            case 1: len = at; break;
            case 2:
                memmove(buf + at + 1, buf + at, n - at);
                buf[at] = bytes[(x >> 20) % (sizeof(bytes) - 1)];
                len = n + 1;
                break;
            default: memmove(buf + at, buf + at + 1, n - at - 1); len = n - 1; break;
            }
            snprintf(what, sizeof(what), "%s, mutation %d", corpus[i].name, m);
            differential(buf, len, NULL, what);
        }
    }
}

/* The reader skips plain text 8 bytes at a time: every kind of byte that needs a look (quote,
 * backslash escapes, a control character, UTF-8, an invalid byte), at each offset of a word,
 * before and after a first escape (when the text already read moves down), reads as jansson
 * reads it, or defers. */
Test(logs_page, special_bytes_at_every_offset_of_a_word)
{
    static const char *const special[] = { "\\\"", "\\\\", "\\n", "\\u00e9", "\\ud83d\\ude00",
                                           "\xc3\xa9", "\xf0\x9f\x98\x80", "\x01", "\xff",
                                           "~", " " };
    char body[512], msg[128], what[160];
    size_t i;
    int at, escaped_first;

    for (i = 0; i < sizeof(special) / sizeof(special[0]); i++)
        for (at = 0; at < 17; at++)
            for (escaped_first = 0; escaped_first < 2; escaped_first++) {
                snprintf(msg, sizeof(msg), "%s%.*s%sabcdefghijklmnop", escaped_first ? "\\t" : "",
                         at, "0123456789ABCDEFGHIJ", special[i]);
                snprintf(body, sizeof(body), "{\"events\":[{\"timestamp\":1,\"message\":\"%s\"}],"
                         "\"nextForwardToken\":\"f/1\"}", msg);
                snprintf(what, sizeof(what), "special %zu at %d%s", i, at,
                         escaped_first ? " after an escape" : "");
                cr_assert(differential(body, strlen(body), NULL, what) ||
                          (unsigned char)special[i][0] < 0x20 ||
                          (unsigned char)special[i][0] == 0xff, "%s: deferred", what);
            }
}
