/* fuzz_logs_page.c: the dedicated GetLogEvents page reader (aws/logs_page.c) against jansson's
 * parse of the same bytes. Whenever the reader accepts, jansson must accept too and both pages
 * must be equal field by field (count, timestamps, ingestion times, message bytes, lengths,
 * NUL terminators, truncation, tokens, caught_up); the reader answers only 0 or
 * LOGS_PAGE_DEFER. The same bytes read into a page store kept from one input to the next (as
 * a sync's client keeps it, logs_page_read_kept) answer the same and give the same page.
 * Built by tests/fuzz/run.sh; seeds in tests/fuzz/corpus/fuzz_logs_page/. */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "aws/logs.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static bool same_str(const char *a, const char *b)
{
    return (a == NULL) == (b == NULL) && (a == NULL || strcmp(a, b) == 0);
}

static void compare(const struct logs_event_page *a, const struct logs_event_page *b)
{
    if (a->count != b->count || a->caught_up != b->caught_up ||
        !same_str(a->next_forward_token, b->next_forward_token) ||
        !same_str(a->next_backward_token, b->next_backward_token))
        abort();
    for (size_t i = 0; i < a->count; i++) {
        const struct logs_event *x = &a->events[i], *y = &b->events[i];

        if (x->timestamp_ms != y->timestamp_ms || x->ingestion_time_ms != y->ingestion_time_ms ||
            x->message_len != y->message_len || x->truncated != y->truncated ||
            x->message[x->message_len] != '\0' ||
            memcmp(x->message, y->message, x->message_len) != 0)
            abort();
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct logs_event_page fast = { 0 }, ref = { 0 };
    const char *sent = size > 0 && (data[0] & 1) ? "f/1/s" : NULL;
    int rf = logs_page_read((const char *)data, size, sent, &fast, NULL);
    int rj = logs_parse_get_log_events((const char *)data, size, sent, &ref, NULL);
    static struct aws_page_store store;     /* kept across inputs, as a client keeps it */
    struct logs_event_page kept = { 0 };
    int rk = logs_page_read_kept((const char *)data, size, sent, &store, &kept, NULL);

    if ((rf != 0 && rf != LOGS_PAGE_DEFER) || rk != rf || (rk == 0) != kept.kept)
        abort();
    if (rf == 0) {
        if (rj != 0)
            abort();
        compare(&fast, &ref);
        compare(&kept, &ref);
    }
    logs_event_page_clean(&kept);
    logs_event_page_clean(&fast);
    logs_event_page_clean(&ref);
    return 0;
}
