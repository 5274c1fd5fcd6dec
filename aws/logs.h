/* logs.h: the CloudWatch Logs calls sagetop makes (DescribeLogStreams, GetLogEvents,
 * FilterLogEvents), as plain C structs in and out.
 *
 * Same two layers as sagemaker.h: pure parsers logs_parse_*(json, len, ...) that never need a
 * NUL terminator and fail with ERR_PARSE (byte offset, or the member at fault), and calls
 * logs_*(client, ...) that go through aws_json_call() on the client's thread (each page with
 * the page-level retry of paging.h: a throttled or 5xx page is asked again, same token).
 * GetLogEvents, the sync's hot path, takes the raw body (aws_json_call_raw()) and reads it with
 * logs_page_read(), no jansson tree and no allocation per event (jansson only decides the
 * bodies the reader defers).
 * Out-parameters are written only on success; clean what was filled with the matching
 * *_clean().
 *
 * Times here are epoch milliseconds (int64_t), CloudWatch Logs' wire form; 0 means absent.
 * Messages are (ptr, len): they may hold any bytes, including NUL, and are up to
 * LOGS_MESSAGE_MAX bytes (longer ones are cut there and flagged truncated). Each message is
 * also NUL-terminated for convenience, but len is the truth. */
#ifndef SAGETOP_LOGS_H
#define SAGETOP_LOGS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "aws/client.h"
#include "aws/err.h"

#define LOGS_SAGEMAKER_TRAINING_GROUP "/aws/sagemaker/TrainingJobs"
#define LOGS_MESSAGE_MAX (1024u * 1024u)   /* AWS allows 256 KB per event (1 MB since 2025) */
#define LOGS_NAME_MAX 512                  /* group and stream names */
#define LOGS_TOKEN_MAX 4096

/* ---- DescribeLogStreams ----------------------------------------------------------------- */

struct logs_stream {
    char name[LOGS_NAME_MAX];           /* logStreamName, e.g. "job/algo-1-1656268442" */
    int64_t creation_time_ms;
    int64_t first_event_ms;             /* firstEventTimestamp */
    int64_t last_event_ms;              /* lastEventTimestamp (eventually consistent) */
    int64_t last_ingestion_ms;          /* lastIngestionTime */
};

struct logs_stream_list {
    struct logs_stream *items;
    size_t count;
    size_t cap;
    char *next_token;                   /* NULL: last page */
};
void logs_stream_list_clean(struct logs_stream_list *l);

int logs_parse_describe_log_streams(const char *json, size_t len, struct logs_stream_list *out,
                                    struct err *e);
/* Every stream of group (NULL: the SageMaker training group) whose name starts with prefix
 * (for a job: "<job>/"), following nextToken to the end, ordered by name. A missing group is
 * not an error: an empty list (SageMaker creates it with the first log line). */
int logs_describe_log_streams(struct aws_client *c, const char *group, const char *prefix,
                              struct logs_stream_list *out, struct err *e);

/* ---- GetLogEvents / FilterLogEvents ----------------------------------------------------- */

struct logs_event {
    int64_t timestamp_ms;
    int64_t ingestion_time_ms;
    char *message;                      /* owned by the page; message_len bytes (+ NUL) */
    size_t message_len;
    bool truncated;                     /* cut at LOGS_MESSAGE_MAX */
    char *stream_name;                  /* FilterLogEvents only, else NULL */
    char *event_id;                     /* FilterLogEvents only, else NULL */
};

struct logs_event_page {
    struct logs_event *events;
    size_t count;
    /* GetLogEvents */
    char *next_forward_token;
    char *next_backward_token;
    /* True when the nextForwardToken that came back equals the token that was sent: the stream
     * has nothing more for now; keep the token and poll again later with it. An empty page with
     * a different token is NOT the end (ask again at once). */
    bool caught_up;
    /* FilterLogEvents: NULL means done (empty pages with a token are normal) */
    char *next_token;
    /* logs_page_read(): the body, its messages unescaped in place; the events' messages
     * point into it (not freed one by one). NULL for pages parsed through jansson. */
    char *arena;
    /* logs_page_read_kept(): arena and events are the client's page store (valid until the
     * next GetLogEvents on that client), not freed with the page */
    bool kept;
};
void logs_event_page_clean(struct logs_event_page *p);

/* The dedicated GetLogEvents page reader (logs_page.c): 0 and *out (events in out->arena),
 * LOGS_PAGE_DEFER when the body holds anything it does not read exactly as jansson does
 * (parse it with logs_parse_get_log_events, which decides), or ERR_NOMEM. body (ptr, len) is
 * copied; no NUL terminator needed. */
#define LOGS_PAGE_DEFER 1
int logs_page_read(const char *body, size_t len, const char *sent_token,
                   struct logs_event_page *out, struct err *e);
/* logs_page_read() into the client's page store ps (arena and events reused from page to
 * page; out->kept): the page is valid until ps is used again. */
int logs_page_read_kept(const char *body, size_t len, const char *sent_token,
                        struct aws_page_store *ps, struct logs_event_page *out, struct err *e);
/* logs_page_read(), and jansson's parse when it defers. */
int logs_parse_get_log_events_fast(const char *json, size_t len, const char *sent_token,
                                   struct logs_event_page *out, struct err *e);

struct logs_get_query {
    const char *group;                  /* NULL: LOGS_SAGEMAKER_TRAINING_GROUP */
    const char *stream;                 /* required */
    int64_t start_time_ms;              /* 0: unset (inclusive) */
    int64_t end_time_ms;                /* 0: unset (exclusive) */
    const char *next_token;             /* a previous next_forward_token */
    int limit;                          /* 1..10000, 0: unset */
    bool start_from_head;               /* must be true when following forward tokens */
};

/* sent_token: the nextToken of the request (NULL for none), for the caught_up rule. */
int logs_parse_get_log_events(const char *json, size_t len, const char *sent_token,
                              struct logs_event_page *out, struct err *e);
/* A missing group or stream is ERR_NOTFOUND. The page's events usually live in c's page
 * store (out->kept): clean the page before the next GetLogEvents on c. */
int logs_get_log_events(struct aws_client *c, const struct logs_get_query *q,
                        struct logs_event_page *out, struct err *e);

struct logs_filter_query {
    const char *group;                  /* NULL: LOGS_SAGEMAKER_TRAINING_GROUP */
    const char *const *stream_names;    /* logStreamNames (1..100) or ... */
    size_t n_stream_names;
    const char *stream_prefix;          /* ... logStreamNamePrefix (not both) */
    int64_t start_time_ms;              /* 0: unset */
    int64_t end_time_ms;
    const char *filter_pattern;         /* NULL or "": every event */
    const char *next_token;
    int limit;                          /* 1..10000, 0: unset */
};

int logs_parse_filter_log_events(const char *json, size_t len, struct logs_event_page *out,
                                 struct err *e);
/* One page; follow out->next_token until it is NULL. */
int logs_filter_log_events(struct aws_client *c, const struct logs_filter_query *q,
                           struct logs_event_page *out, struct err *e);

#endif
