/* cloudwatch.c: GetMetricData and ListMetrics requests built from plain structs and their
 * answers parsed into them (cloudwatch.h).
 *
 * Owns the request shapes, the batching rule (500 queries, the data-point budget of a call)
 * and the paging rules; signing, retries, the rate limit and error mapping belong to client.c
 * and paging.c. Builders and parsers are pure. Must not print, exit or keep references to its
 * inputs. */
#include "aws/cloudwatch.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "aws/dynbuf.h"
#include "aws/json.h"
#include "aws/paging.h"

static const char *ns_or_default(const char *ns)
{
    return ns != NULL && ns[0] != '\0' ? ns : CLOUDWATCH_SAGEMAKER_NAMESPACE;
}

/* ---- GetMetricData request ------------------------------------------------------------- */

static json_t *query_json(const struct cloudwatch_query *q, size_t index)
{
    json_t *dims = json_array(), *o;
    char id[32];

    if (dims == NULL)
        return NULL;
    for (size_t i = 0; i < q->n_dims && i < CLOUDWATCH_MAX_DIMS; i++)
        json_array_append_new(dims, json_pack("{s:s, s:s}", "Name", q->dims[i].name, "Value",
                                               q->dims[i].value));
    snprintf(id, sizeof(id), "q%zu", index);
    o = json_pack("{s:s, s:{s:{s:s, s:s, s:o}, s:i, s:s}, s:b}", "Id", id, "MetricStat",
                  "Metric", "Namespace", ns_or_default(q->namespace_name), "MetricName",
                  q->metric_name, "Dimensions", dims, "Period", q->period_s > 0 ? q->period_s : 60,
                  "Stat", q->stat != NULL ? q->stat : "Average", "ReturnData", 1);
    return o;
}

int cloudwatch_get_metric_data_request(const struct cloudwatch_query *qs, size_t first, size_t n,
                                       int64_t start_s, int64_t end_s, const char *next_token,
                                       json_t **out, struct err *e)
{
    json_t *req, *arr;

    if (qs == NULL || n == 0 || n > CLOUDWATCH_MAX_QUERIES || end_s <= start_s)
        return err_set(e, ERR_INVAL, "CloudWatch GetMetricData: 1 to %d queries and a time "
                       "range are needed", CLOUDWATCH_MAX_QUERIES);
    for (size_t i = first; i < first + n; i++)
        if (qs[i].metric_name == NULL)
            return err_set(e, ERR_INVAL, "CloudWatch GetMetricData: query %zu has no metric", i);
    req = json_pack("{s:[], s:I, s:I, s:s}", "MetricDataQueries", "StartTime",
                    (json_int_t)start_s, "EndTime", (json_int_t)end_s, "ScanBy",
                    "TimestampAscending");
    if (req == NULL)
        return err_set(e, ERR_NOMEM, "out of memory");
    arr = json_object_get(req, "MetricDataQueries");
    for (size_t i = first; i < first + n; i++) {
        if (json_array_append_new(arr, query_json(&qs[i], i)) != 0) {
            json_decref(req);
            return err_set(e, ERR_NOMEM, "out of memory");
        }
    }
    if (next_token != NULL && json_object_set_new(req, "NextToken", json_string(next_token)))
        goto nomem;
    *out = req;
    return 0;
nomem:
    json_decref(req);
    return err_set(e, ERR_NOMEM, "out of memory");
}

size_t cloudwatch_batch_size(const struct cloudwatch_query *qs, size_t first, size_t n,
                             int64_t start_s, int64_t end_s)
{
    int64_t points = 0, span = end_s > start_s ? end_s - start_s : 0;
    size_t k;

    for (k = 0; first + k < n && k < CLOUDWATCH_MAX_QUERIES; k++) {
        int period = qs[first + k].period_s > 0 ? qs[first + k].period_s : 60;
        int64_t p = span / period + 1;

        if (k > 0 && points + p > CLOUDWATCH_POINTS_PER_CALL)
            break;
        points += p;
    }
    return k > 0 ? k : (first < n ? 1 : 0);
}

/* ---- GetMetricData answer -------------------------------------------------------------- */

void cloudwatch_page_clean(struct cloudwatch_page *p)
{
    if (p == NULL)
        return;
    for (size_t i = 0; i < p->count; i++) {
        free(p->results[i].timestamps_s);
        free(p->results[i].values);
    }
    free(p->results);
    free(p->next_token);
    memset(p, 0, sizeof(*p));
}

/* Insertion sort by time: pages come back ascending (ScanBy), so this is a check, not work. */
static void sort_points(struct cloudwatch_result *r)
{
    for (size_t i = 1; i < r->count; i++) {
        int64_t t = r->timestamps_s[i];
        double v = r->values[i];
        size_t j = i;

        for (; j > 0 && r->timestamps_s[j - 1] > t; j--) {
            r->timestamps_s[j] = r->timestamps_s[j - 1];
            r->values[j] = r->values[j - 1];
        }
        r->timestamps_s[j] = t;
        r->values[j] = v;
    }
}

static int result_points(const json_t *o, struct cloudwatch_result *r, struct err *e)
{
    json_t *ts = NULL, *vs = NULL;
    int rc;

    if ((rc = json_optional(json_get_array(o, "Timestamps", &ts, e))) != 0 ||
        (rc = json_optional(json_get_array(o, "Values", &vs, e))) != 0)
        return rc;
    if (json_array_size(ts) != json_array_size(vs))
        return err_set(e, ERR_PARSE, "%zu Timestamps but %zu Values", json_array_size(ts),
                       json_array_size(vs));
    r->count = json_array_size(ts);
    if (r->count == 0)
        return 0;
    r->timestamps_s = malloc(r->count * sizeof(*r->timestamps_s));
    r->values = malloc(r->count * sizeof(*r->values));
    if (r->timestamps_s == NULL || r->values == NULL)
        return err_set(e, ERR_NOMEM, "out of memory");
    for (size_t i = 0; i < r->count; i++) {
        json_t *t = json_array_get(ts, i), *v = json_array_get(vs, i);

        if (!json_is_number(t) || !json_is_number(v))
            return err_set(e, ERR_PARSE, "point %zu is not a number", i);
        /* epoch seconds, 1970 to 9999: anything else is no time (and no int64_t may hold it) */
        if (!(json_number_value(t) >= 0 && json_number_value(t) <= 253402300799.0))
            return err_set(e, ERR_PARSE, "point %zu: timestamp %g out of range", i,
                           json_number_value(t));
        r->timestamps_s[i] = (int64_t)json_number_value(t);
        r->values[i] = json_number_value(v);
    }
    sort_points(r);
    return 0;
}

static int result_from_json(const json_t *o, size_t n_queries, struct cloudwatch_result *r,
                            struct err *e)
{
    char id[32], *end;
    unsigned long long idx;
    int rc;

    if (!json_is_object(o))
        return err_set(e, ERR_PARSE, "not an object");
    if ((rc = json_required(json_get_str(o, "Id", id, sizeof(id), e), "Id", e)) != 0)
        return rc;
    idx = id[0] == 'q' ? strtoull(id + 1, &end, 10) : 0;
    if (id[0] != 'q' || end == id + 1 || *end != '\0' || idx >= n_queries)
        return err_set(e, ERR_PARSE, "unknown Id \"%s\"", id);
    r->query = (size_t)idx;
    if ((rc = json_optional(json_get_str(o, "StatusCode", r->status, sizeof(r->status), e))))
        return rc;
    return result_points(o, r, e);
}

struct gmd_parse {
    size_t n_queries;
    struct cloudwatch_page *page;
};

static int gmd_from_json(const json_t *root, void *out, struct err *e)
{
    struct gmd_parse *gp = out;
    struct cloudwatch_page *p = gp->page;
    json_t *arr = NULL;
    int rc;

    if ((rc = json_optional(json_get_array(root, "MetricDataResults", &arr, e))) != 0)
        return rc;
    if (json_array_size(arr) > 0) {
        p->results = calloc(json_array_size(arr), sizeof(*p->results));
        if (p->results == NULL)
            return err_set(e, ERR_NOMEM, "out of memory");
    }
    for (size_t i = 0; i < json_array_size(arr); i++) {
        rc = result_from_json(json_array_get(arr, i), gp->n_queries, &p->results[i], e);
        p->count++;
        if (rc != 0) {
            if (rc != ERR_NOMEM)
                err_prefix(e, "MetricDataResults[%zu]", i);
            return rc;
        }
    }
    return json_optional(json_get_strdup(root, "NextToken", CLOUDWATCH_TOKEN_MAX,
                                         &p->next_token, NULL, e));
}

int cloudwatch_parse_get_metric_data(const char *json, size_t len, size_t n_queries,
                                     struct cloudwatch_page *out, struct err *e)
{
    struct cloudwatch_page p = {0};
    struct gmd_parse gp = {n_queries, &p};
    int rc = json_parse_doc(json, len, "GetMetricData response", gmd_from_json, &gp, e);

    if (rc != 0) {
        cloudwatch_page_clean(&p);
        return rc;
    }
    if (p.next_token != NULL && p.next_token[0] == '\0') {
        free(p.next_token);
        p.next_token = NULL;
    }
    *out = p;
    return 0;
}

/* One call: the page of the batch [first, first + n) at token. */
static int gmd_page(struct aws_client *c, const struct cloudwatch_query *qs, size_t n_all,
                    size_t first, size_t n, int64_t start_s, int64_t end_s, const char *token,
                    struct cloudwatch_page *out, struct err *e)
{
    json_t *req = NULL, *resp = NULL;
    char *text = NULL;
    int rc;

    rc = cloudwatch_get_metric_data_request(qs, first, n, start_s, end_s, token, &req, e);
    if (rc == 0)
        rc = paging_json_call(c, AWS_CLOUDWATCH, "GetMetricData", req, &resp, e);
    json_decref(req);
    if (rc != 0)
        return rc;
    /* the parser takes text, as every pure parser here does, so that it is fuzzable */
    text = json_dumps(resp, JSON_COMPACT);
    json_decref(resp);
    if (text == NULL)
        return err_set(e, ERR_NOMEM, "out of memory");
    rc = cloudwatch_parse_get_metric_data(text, strlen(text), n_all, out, e);
    free(text);
    if (rc != 0 && rc != ERR_NOMEM)
        err_prefix(e, "CloudWatch");
    return rc;
}

/* Every page of one batch. */
static int gmd_batch(struct aws_client *c, const struct cloudwatch_query *qs, size_t n_all,
                     size_t first, size_t n, int64_t start_s, int64_t end_s,
                     cloudwatch_page_fn fn, void *ctx, struct err *e)
{
    struct cloudwatch_page page = {0};
    char *token = NULL;
    size_t pages = 0;
    int rc;

    for (;;) {
        rc = gmd_page(c, qs, n_all, first, n, start_s, end_s, token, &page, e);
        if (rc != 0)
            break;
        rc = fn(ctx, page.results, page.count);
        if (rc != 0 || page.next_token == NULL)
            break;
        pages++;
        if (token != NULL && strcmp(token, page.next_token) == 0) {
            rc = err_set(e, ERR_AWS, "CloudWatch GetMetricData: the same NextToken came back "
                         "twice; stopping after %zu pages", pages);
            break;
        }
        free(token);
        token = page.next_token;
        page.next_token = NULL;
        cloudwatch_page_clean(&page);
    }
    cloudwatch_page_clean(&page);
    free(token);
    return rc;
}

int cloudwatch_get_metric_data(struct aws_client *c, const struct cloudwatch_query *qs, size_t n,
                               int64_t start_s, int64_t end_s, cloudwatch_page_fn fn, void *ctx,
                               struct err *e)
{
    size_t first = 0;
    int rc = 0;

    if (c == NULL || fn == NULL || (n > 0 && qs == NULL))
        return err_set(e, ERR_INVAL, "cloudwatch_get_metric_data: bad arguments");
    while (rc == 0 && first < n) {
        size_t k = cloudwatch_batch_size(qs, first, n, start_s, end_s);

        rc = gmd_batch(c, qs, n, first, k, start_s, end_s, fn, ctx, e);
        first += k;
    }
    return rc;
}

/* ---- ListMetrics ----------------------------------------------------------------------- */

void cloudwatch_metric_list_clean(struct cloudwatch_metric_list *l)
{
    if (l == NULL)
        return;
    free(l->items);
    free(l->next_token);
    memset(l, 0, sizeof(*l));
}

static int metric_from_json(const json_t *o, struct cloudwatch_metric *m, struct err *e)
{
    json_t *dims = NULL, *d;
    int rc;

    memset(m, 0, sizeof(*m));
    if (!json_is_object(o))
        return err_set(e, ERR_PARSE, "not an object");
    if ((rc = json_required(json_get_str(o, "MetricName", m->name, sizeof(m->name), e),
                            "MetricName", e)) != 0 ||
        (rc = json_optional(json_get_array(o, "Dimensions", &dims, e))) != 0)
        return rc;
    d = json_array_get(dims, 0);
    if (d == NULL)
        return 0;
    if (!json_is_object(d))
        return err_set(e, ERR_PARSE, "Dimensions[0] is not an object");
    if ((rc = json_optional(json_get_str(d, "Name", m->dim_name, sizeof(m->dim_name), e))))
        return rc;
    return json_optional(json_get_str(d, "Value", m->dim_value, sizeof(m->dim_value), e));
}

static int lm_from_json(const json_t *root, void *out, struct err *e)
{
    struct cloudwatch_metric_list *l = out;
    json_t *arr = NULL;
    size_t n;
    int rc;

    if ((rc = json_optional(json_get_array(root, "Metrics", &arr, e))) != 0)
        return rc;
    n = json_array_size(arr);
    if (vec_grow((void **)&l->items, &l->cap, l->count + n, sizeof(*l->items)) != 0)
        return err_set(e, ERR_NOMEM, "out of memory");
    for (size_t i = 0; i < n; i++) {
        rc = metric_from_json(json_array_get(arr, i), &l->items[l->count], e);
        if (rc != 0) {
            if (rc != ERR_NOMEM)
                err_prefix(e, "Metrics[%zu]", i);
            return rc;
        }
        l->count++;
    }
    free(l->next_token);
    l->next_token = NULL;
    rc = json_optional(json_get_strdup(root, "NextToken", CLOUDWATCH_TOKEN_MAX, &l->next_token,
                                       NULL, e));
    if (rc == 0 && l->next_token != NULL && l->next_token[0] == '\0') {
        free(l->next_token);
        l->next_token = NULL;
    }
    return rc;
}

int cloudwatch_parse_list_metrics(const char *json, size_t len, struct cloudwatch_metric_list *l,
                                  struct err *e)
{
    return json_parse_doc(json, len, "ListMetrics response", lm_from_json, l, e);
}

static json_t *list_request(const char *ns, const char *dim_name, const char *dim_value,
                            const char *token)
{
    json_t *req = json_pack("{s:s}", "Namespace", ns_or_default(ns));

    if (req == NULL)
        return NULL;
    if (dim_name != NULL) {
        json_t *d = dim_value != NULL
                        ? json_pack("{s:s, s:s}", "Name", dim_name, "Value", dim_value)
                        : json_pack("{s:s}", "Name", dim_name);

        json_object_set_new(req, "Dimensions", json_pack("[o]", d));
    }
    if (token != NULL)
        json_object_set_new(req, "NextToken", json_string(token));
    return req;
}

int cloudwatch_list_metrics(struct aws_client *c, const char *namespace_name,
                            const char *dim_name, const char *dim_value,
                            struct cloudwatch_metric_list *out, struct err *e)
{
    struct cloudwatch_metric_list l = {0};
    json_t *req, *resp = NULL;
    char *prev = NULL, *text;
    int rc;

    for (;;) {
        req = list_request(namespace_name, dim_name, dim_value, l.next_token);
        if (req == NULL) {
            rc = err_set(e, ERR_NOMEM, "out of memory");
            break;
        }
        rc = paging_json_call(c, AWS_CLOUDWATCH, "ListMetrics", req, &resp, e);
        json_decref(req);
        if (rc != 0)
            break;
        text = json_dumps(resp, JSON_COMPACT);
        json_decref(resp);
        free(prev);
        prev = l.next_token;
        l.next_token = NULL;
        rc = text != NULL ? cloudwatch_parse_list_metrics(text, strlen(text), &l, e)
                          : err_set(e, ERR_NOMEM, "out of memory");
        free(text);
        if (rc != 0 || l.next_token == NULL)
            break;
        if (prev != NULL && strcmp(prev, l.next_token) == 0) {
            rc = err_set(e, ERR_AWS, "CloudWatch ListMetrics: the same NextToken came back "
                         "twice");
            break;
        }
    }
    free(prev);
    if (rc != 0) {
        cloudwatch_metric_list_clean(&l);
        return rc;
    }
    *out = l;
    return 0;
}
