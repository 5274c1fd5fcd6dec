/* logs.c: CloudWatch Logs requests built from plain structs and responses parsed into them.
 *
 * Owns the request shapes, the parsers and the paging rules (DescribeLogStreams to the end,
 * GetLogEvents' "same token back means caught up"); signing, retries and error mapping belong
 * to client.c. Parsers are pure. Must not print, exit or keep references to inputs. */
#include "aws/logs.h"

#include <stdlib.h>
#include <string.h>

#include "aws/dynbuf.h"
#include "aws/json.h"
#include "aws/paging.h"

static const char *group_or_default(const char *group)
{
    return group != NULL && group[0] != '\0' ? group : LOGS_SAGEMAKER_TRAINING_GROUP;
}

static int opt_ms(const json_t *o, const char *key, int64_t *out, struct err *e)
{
    return json_optional(json_get_int64(o, key, out, e));
}

static int token_member(const json_t *o, const char *key, char **out, struct err *e)
{
    *out = NULL;
    return json_optional(json_get_strdup(o, key, LOGS_TOKEN_MAX, out, NULL, e));
}

/* ---- DescribeLogStreams ---------------------------------------------------------------- */

void logs_stream_list_clean(struct logs_stream_list *l)
{
    if (l == NULL)
        return;
    free(l->items);
    free(l->next_token);
    memset(l, 0, sizeof(*l));
}

/* Appends one page's streams to l and replaces l->next_token. */
static int streams_append(const json_t *root, struct logs_stream_list *l, struct err *e)
{
    json_t *arr = NULL, *o;
    size_t i, n;
    int rc = json_optional(json_get_array(root, "logStreams", &arr, e));

    if (rc != 0)
        return rc;
    n = json_array_size(arr);
    if (vec_grow((void **)&l->items, &l->cap, l->count + n, sizeof(*l->items)) != 0)
        return err_set(e, ERR_NOMEM, "out of memory");
    for (i = 0; i < n; i++) {
        struct logs_stream *s = &l->items[l->count];

        memset(s, 0, sizeof(*s));
        o = json_array_get(arr, i);
        if (!json_is_object(o))
            return err_set(e, ERR_PARSE, "logStreams[%zu] is not an object", i);
        if ((rc = json_required(json_get_str(o, "logStreamName", s->name, sizeof(s->name), e),
                                "logStreamName", e)) != 0 ||
            (rc = opt_ms(o, "creationTime", &s->creation_time_ms, e)) != 0 ||
            (rc = opt_ms(o, "firstEventTimestamp", &s->first_event_ms, e)) != 0 ||
            (rc = opt_ms(o, "lastEventTimestamp", &s->last_event_ms, e)) != 0 ||
            (rc = opt_ms(o, "lastIngestionTime", &s->last_ingestion_ms, e)) != 0) {
            err_prefix(e, "logStreams[%zu]", i);
            return rc;
        }
        l->count++;
    }
    free(l->next_token);
    return token_member(root, "nextToken", &l->next_token, e);
}

int logs_parse_describe_log_streams(const char *json, size_t len, struct logs_stream_list *out,
                                    struct err *e)
{
    struct logs_stream_list l = { 0 };
    json_t *root;
    int rc = json_parse_object(json, len, "DescribeLogStreams response", &root, e);

    if (rc != 0)
        return rc;
    rc = streams_append(root, &l, e);
    json_decref(root);
    if (rc != 0) {
        if (rc != ERR_NOMEM)
            err_prefix(e, "DescribeLogStreams response");
        logs_stream_list_clean(&l);
        return rc;
    }
    *out = l;
    return 0;
}

int logs_describe_log_streams(struct aws_client *c, const char *group, const char *prefix,
                              struct logs_stream_list *out, struct err *e)
{
    struct logs_stream_list l = { 0 };
    json_t *req, *resp;
    char *prev = NULL;
    int rc;

    for (;;) {
        req = json_pack("{s:s, s:s}", "logGroupName", group_or_default(group), "orderBy",
                        "LogStreamName");
        if (req == NULL) {
            rc = err_set(e, ERR_NOMEM, "out of memory");
            goto fail;
        }
        if (prefix != NULL && prefix[0] != '\0')
            json_object_set_new(req, "logStreamNamePrefix", json_string(prefix));
        if (l.next_token != NULL)
            json_object_set_new(req, "nextToken", json_string(l.next_token));
        resp = NULL;
        rc = paging_json_call(c, AWS_LOGS, "DescribeLogStreams", req, &resp, e);
        json_decref(req);
        if (rc == ERR_NOTFOUND && l.count == 0 && l.next_token == NULL) {
            /* no group yet: SageMaker creates it with the first line any job logs */
            err_clear(e);
            break;
        }
        if (rc != 0)
            goto fail;
        free(prev);
        prev = l.next_token;
        l.next_token = NULL;
        rc = streams_append(resp, &l, e);
        json_decref(resp);
        if (rc != 0) {
            if (rc != ERR_NOMEM)
                err_prefix(e, "CloudWatch Logs DescribeLogStreams response");
            goto fail;
        }
        if (l.next_token == NULL || l.next_token[0] == '\0')
            break;
        if (prev != NULL && strcmp(prev, l.next_token) == 0) {
            rc = err_set(e, ERR_AWS, "CloudWatch Logs DescribeLogStreams: the same nextToken "
                         "came back twice");
            goto fail;
        }
    }
    free(prev);
    free(l.next_token);
    l.next_token = NULL;
    *out = l;
    return 0;
fail:
    free(prev);
    logs_stream_list_clean(&l);
    return rc;
}

/* ---- events ---------------------------------------------------------------------------- */

void logs_event_page_clean(struct logs_event_page *p)
{
    size_t i;

    if (p == NULL)
        return;
    for (i = 0; i < p->count; i++) {
        if (p->arena == NULL)
            free(p->events[i].message);
        free(p->events[i].stream_name);
        free(p->events[i].event_id);
    }
    if (!p->kept) {
        free(p->events);
        free(p->arena);
    }
    free(p->next_forward_token);
    free(p->next_backward_token);
    free(p->next_token);
    memset(p, 0, sizeof(*p));
}

/* The message member, any bytes, cut at LOGS_MESSAGE_MAX. */
static int event_message(const json_t *o, struct logs_event *ev, struct err *e)
{
    json_t *v = json_object_get(o, "message");
    size_t n;

    if (v == NULL || json_is_null(v)) {
        ev->message = calloc(1, 1);
        return ev->message != NULL ? 0 : err_set(e, ERR_NOMEM, "out of memory");
    }
    if (!json_is_string(v))
        return err_set(e, ERR_PARSE, "member \"message\" is not a string");
    n = json_string_length(v);
    if (n > LOGS_MESSAGE_MAX) {
        n = LOGS_MESSAGE_MAX;
        ev->truncated = true;
    }
    ev->message = malloc(n + 1);
    if (ev->message == NULL)
        return err_set(e, ERR_NOMEM, "out of memory");
    memcpy(ev->message, json_string_value(v), n);
    ev->message[n] = '\0';
    ev->message_len = n;
    return 0;
}

/* Parses the events array; filtered: the FilterLogEvents shape (stream name, event id). */
static int events_from_json(const json_t *root, bool filtered, struct logs_event_page *p,
                            struct err *e)
{
    json_t *arr = NULL, *o;
    size_t i, n;
    int rc = json_optional(json_get_array(root, "events", &arr, e));

    if (rc != 0)
        return rc;
    n = json_array_size(arr);
    if (n == 0)
        return 0;
    p->events = calloc(n, sizeof(*p->events));
    if (p->events == NULL)
        return err_set(e, ERR_NOMEM, "out of memory");
    for (i = 0; i < n; i++) {
        struct logs_event *ev = &p->events[i];

        o = json_array_get(arr, i);
        if (!json_is_object(o))
            return err_set(e, ERR_PARSE, "events[%zu] is not an object", i);
        p->count++;
        if ((rc = json_required(json_get_int64(o, "timestamp", &ev->timestamp_ms, e),
                                "timestamp", e)) != 0 ||
            (rc = opt_ms(o, "ingestionTime", &ev->ingestion_time_ms, e)) != 0 ||
            (rc = event_message(o, ev, e)) != 0 ||
            (filtered &&
             ((rc = json_optional(json_get_strdup(o, "logStreamName", LOGS_NAME_MAX,
                                                  &ev->stream_name, NULL, e))) != 0 ||
              (rc = json_optional(json_get_strdup(o, "eventId", LOGS_TOKEN_MAX, &ev->event_id,
                                                  NULL, e))) != 0))) {
            if (rc != ERR_NOMEM)
                err_prefix(e, "events[%zu]", i);
            return rc;
        }
    }
    return 0;
}

static int get_events_from_json(const json_t *root, const char *sent_token,
                                struct logs_event_page *out, struct err *e)
{
    struct logs_event_page p = { 0 };
    int rc;

    if ((rc = events_from_json(root, false, &p, e)) != 0 ||
        (rc = token_member(root, "nextForwardToken", &p.next_forward_token, e)) != 0 ||
        (rc = token_member(root, "nextBackwardToken", &p.next_backward_token, e)) != 0) {
        logs_event_page_clean(&p);
        return rc;
    }
    /* "If you have reached the end of the stream, it returns the same token you passed in." */
    p.caught_up = sent_token != NULL && p.next_forward_token != NULL &&
                  strcmp(sent_token, p.next_forward_token) == 0;
    *out = p;
    return 0;
}

int logs_parse_get_log_events(const char *json, size_t len, const char *sent_token,
                              struct logs_event_page *out, struct err *e)
{
    json_t *root;
    int rc = json_parse_object(json, len, "GetLogEvents response", &root, e);

    if (rc != 0)
        return rc;
    rc = get_events_from_json(root, sent_token, out, e);
    if (rc != 0 && rc != ERR_NOMEM)
        err_prefix(e, "GetLogEvents response");
    json_decref(root);
    return rc;
}

int logs_get_log_events(struct aws_client *c, const struct logs_get_query *q,
                        struct logs_event_page *out, struct err *e)
{
    struct http_response resp = { 0 };
    json_t *req;
    int rc;

    if (q == NULL || q->stream == NULL || q->stream[0] == '\0')
        return err_set(e, ERR_INVAL, "CloudWatch Logs GetLogEvents: no stream name");
    req = json_pack("{s:s, s:s, s:b}", "logGroupName", group_or_default(q->group),
                    "logStreamName", q->stream, "startFromHead", q->start_from_head);
    if (req == NULL)
        return err_set(e, ERR_NOMEM, "out of memory");
    if (q->start_time_ms > 0)
        json_object_set_new(req, "startTime", json_integer(q->start_time_ms));
    if (q->end_time_ms > 0)
        json_object_set_new(req, "endTime", json_integer(q->end_time_ms));
    if (q->next_token != NULL && q->next_token[0] != '\0')
        json_object_set_new(req, "nextToken", json_string(q->next_token));
    if (q->limit > 0)
        json_object_set_new(req, "limit", json_integer(q->limit));
    /* the page comes back raw and is read without a DOM (logs_page.c): the sync's hot path */
    rc = paging_json_call_raw(c, AWS_LOGS, "GetLogEvents", req, &resp, e);
    json_decref(req);
    if (rc != 0)
        return rc;
    if (resp.body_len == 0) {
        rc = logs_parse_get_log_events("{}", 2, q->next_token, out, e);  /* as jansson's {} */
    } else {
        rc = logs_page_read_kept(resp.body, resp.body_len, q->next_token,
                                 aws_client_page_store(c), out, e);
        if (rc == LOGS_PAGE_DEFER)
            rc = logs_parse_get_log_events(resp.body, resp.body_len, q->next_token, out, e);
    }
    if (rc != 0 && rc != ERR_NOMEM)
        err_prefix(e, "CloudWatch Logs");
    aws_client_keep_body(c, &resp);     /* the next page is read into the same buffers */
    return rc;
}

/* FilterLogEvents' shape (json_doc_fn: out is a struct logs_event_page). */
static int filter_from_json(const json_t *root, void *out, struct err *e)
{
    struct logs_event_page p = { 0 };
    int rc;

    if ((rc = events_from_json(root, true, &p, e)) != 0 ||
        (rc = token_member(root, "nextToken", &p.next_token, e)) != 0) {
        logs_event_page_clean(&p);
        return rc;
    }
    *(struct logs_event_page *)out = p;
    return 0;
}

int logs_parse_filter_log_events(const char *json, size_t len, struct logs_event_page *out,
                                 struct err *e)
{
    return json_parse_doc(json, len, "FilterLogEvents response", filter_from_json, out, e);
}

int logs_filter_log_events(struct aws_client *c, const struct logs_filter_query *q,
                           struct logs_event_page *out, struct err *e)
{
    json_t *req, *names, *resp = NULL;
    size_t i;
    int rc;

    if (q == NULL)
        return err_set(e, ERR_INVAL, "CloudWatch Logs FilterLogEvents: no query");
    if (q->n_stream_names > 0 && q->stream_prefix != NULL && q->stream_prefix[0] != '\0')
        return err_set(e, ERR_INVAL, "CloudWatch Logs FilterLogEvents: stream names and a "
                       "stream prefix cannot be combined");
    req = json_pack("{s:s}", "logGroupName", group_or_default(q->group));
    if (req == NULL)
        return err_set(e, ERR_NOMEM, "out of memory");
    if (q->n_stream_names > 0) {
        names = json_array();
        for (i = 0; i < q->n_stream_names; i++)
            json_array_append_new(names, json_string(q->stream_names[i]));
        json_object_set_new(req, "logStreamNames", names);
    }
    if (q->stream_prefix != NULL && q->stream_prefix[0] != '\0')
        json_object_set_new(req, "logStreamNamePrefix", json_string(q->stream_prefix));
    if (q->start_time_ms > 0)
        json_object_set_new(req, "startTime", json_integer(q->start_time_ms));
    if (q->end_time_ms > 0)
        json_object_set_new(req, "endTime", json_integer(q->end_time_ms));
    if (q->filter_pattern != NULL && q->filter_pattern[0] != '\0')
        json_object_set_new(req, "filterPattern", json_string(q->filter_pattern));
    if (q->next_token != NULL && q->next_token[0] != '\0')
        json_object_set_new(req, "nextToken", json_string(q->next_token));
    if (q->limit > 0)
        json_object_set_new(req, "limit", json_integer(q->limit));
    rc = paging_json_call(c, AWS_LOGS, "FilterLogEvents", req, &resp, e);
    json_decref(req);
    if (rc != 0)
        return rc;
    rc = filter_from_json(resp, out, e);
    if (rc != 0 && rc != ERR_NOMEM)
        err_prefix(e, "CloudWatch Logs FilterLogEvents response");
    json_decref(resp);
    return rc;
}
