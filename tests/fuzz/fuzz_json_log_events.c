/* fuzz_json_log_events.c: the CloudWatch Logs parsers on arbitrary bytes, picked by the first
 * byte: GetLogEvents (with and without a sent token), FilterLogEvents, DescribeLogStreams.
 * Messages must be message_len bytes plus a NUL, within LOGS_MESSAGE_MAX; failures fill the
 * struct err. Built by tests/fuzz/run.sh. */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "aws/logs.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void check_page(const struct logs_event_page *p, bool filtered)
{
    size_t i;

    for (i = 0; i < p->count; i++) {
        const struct logs_event *ev = &p->events[i];

        if (ev->message == NULL || ev->message_len > LOGS_MESSAGE_MAX ||
            ev->message[ev->message_len] != '\0')
            abort();
        if (!filtered && (ev->stream_name != NULL || ev->event_id != NULL))
            abort();
    }
    if (p->caught_up && p->next_forward_token == NULL)
        abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const char *doc = (const char *)data + 1;
    struct logs_event_page p = { 0 };
    struct logs_stream_list l = { 0 };
    struct err e = { 0 };
    size_t i;
    int rc;

    if (size == 0)
        return 0;
    size--;
    switch (data[0] % 4) {
    case 0:
    case 1:
        rc = logs_parse_get_log_events(doc, size, data[0] % 4 ? "f/1" : NULL, &p, &e);
        if (rc == 0)
            check_page(&p, false);
        break;
    case 2:
        rc = logs_parse_filter_log_events(doc, size, &p, &e);
        if (rc == 0)
            check_page(&p, true);
        break;
    default:
        rc = logs_parse_describe_log_streams(doc, size, &l, &e);
        for (i = 0; rc == 0 && i < l.count; i++)
            if (memchr(l.items[i].name, '\0', sizeof(l.items[i].name)) == NULL)
                abort();
        break;
    }
    if (rc != 0 && (e.code != rc || e.msg[0] == '\0' || p.events != NULL || l.items != NULL))
        abort();
    logs_event_page_clean(&p);
    logs_stream_list_clean(&l);
    return 0;
}
