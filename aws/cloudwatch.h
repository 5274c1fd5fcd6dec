/* cloudwatch.h: the CloudWatch metrics calls sagetop makes (GetMetricData, ListMetrics), as
 * plain C structs in and out. SageMaker publishes each training host's CPU, memory, GPU and
 * disk use there (namespace CLOUDWATCH_SAGEMAKER_NAMESPACE, dimension Host = "JOB/algo-N").
 *
 * Protocol: awsJson1_0 (X-Amz-Target "GraniteServiceVersion20100801.<Op>"), one of the three
 * protocols botocore's `monitoring` 2010-08-01 model lists (smithy-rpc-v2-cbor, json, query);
 * timestamps travel as epoch seconds. Signing, retries and error mapping are client.c's; each
 * page goes through paging.h's page-level retry (a throttled page is asked again with the same
 * NextToken).
 *
 * Quotas (https://docs.aws.amazon.com/AmazonCloudWatch/latest/monitoring/cloudwatch_limits.html
 * and the knowledge-center page "cloudwatch-getmetricdata-api"): GetMetricData takes at most 500
 * queries a call and returns at most 100,800 data points a call; 50 TPS; 180,000 data points
 * per second when StartTime is within 3 hours of now (396,000 otherwise). ListMetrics: 25 TPS.
 * The client-side rate limiter (ratelimit.c) holds GetMetricData to CLOUDWATCH_GMD_PER_S calls
 * a second, and cloudwatch_get_metric_data() cuts its batches so that a call asks for at most
 * CLOUDWATCH_POINTS_PER_CALL points: CLOUDWATCH_GMD_PER_S x CLOUDWATCH_POINTS_PER_CALL stays
 * under the 180,000 DPS quota.
 *
 * Two layers, as in logs.h: pure builders/parsers (no I/O, input as (ptr, len)) and calls on
 * the client's thread. Out-parameters are written only on success; clean what was filled with
 * the matching *_clean(). */
#ifndef SAGETOP_CLOUDWATCH_H
#define SAGETOP_CLOUDWATCH_H

#include <jansson.h>
#include <stddef.h>
#include <stdint.h>

#include "aws/client.h"
#include "aws/err.h"

#define CLOUDWATCH_SAGEMAKER_NAMESPACE "/aws/sagemaker/TrainingJobs"
#define CLOUDWATCH_MAX_QUERIES 500          /* MetricDataQueries per GetMetricData call */
#define CLOUDWATCH_MAX_POINTS 100800        /* data points one call returns at most */
#define CLOUDWATCH_GMD_PER_S 4.0            /* our GetMetricData calls a second (quota 50) */
#define CLOUDWATCH_POINTS_PER_CALL 40000    /* x 4/s = 160,000 DPS < the 180,000 DPS quota */
#define CLOUDWATCH_NAME_MAX 256             /* metric and dimension names */
#define CLOUDWATCH_VALUE_MAX 1024           /* dimension values */
#define CLOUDWATCH_TOKEN_MAX 8192
#define CLOUDWATCH_MAX_DIMS 4               /* per query; SageMaker's host metrics use one */

struct cloudwatch_dimension {
    const char *name;                   /* borrowed */
    const char *value;
};

/* One MetricStat query. Everything is borrowed from the caller. */
struct cloudwatch_query {
    const char *namespace_name;         /* NULL: CLOUDWATCH_SAGEMAKER_NAMESPACE */
    const char *metric_name;
    struct cloudwatch_dimension dims[CLOUDWATCH_MAX_DIMS];
    size_t n_dims;
    int period_s;                       /* 60, 300, ... */
    const char *stat;                   /* NULL: "Average" */
};

/* One MetricDataResult of a page: the points of query index `query` (into the caller's array;
 * the wire Id is "q<index>"), oldest first. */
struct cloudwatch_result {
    size_t query;
    char status[32];                    /* Complete, PartialData, InternalError, Forbidden */
    size_t count;
    int64_t *timestamps_s;              /* epoch seconds */
    double *values;
};

struct cloudwatch_page {
    struct cloudwatch_result *results;
    size_t count;
    char *next_token;                   /* NULL: last page of this batch */
};
void cloudwatch_page_clean(struct cloudwatch_page *p);

/* Pure: the GetMetricData request for queries [first, first + n) of qs (n <= 500), times in
 * epoch seconds [start_s, end_s), ids "q<index>", ScanBy TimestampAscending, and NextToken when
 * next_token is not NULL. On success *out owns the object. */
int cloudwatch_get_metric_data_request(const struct cloudwatch_query *qs, size_t first, size_t n,
                                       int64_t start_s, int64_t end_s, const char *next_token,
                                       json_t **out, struct err *e);
/* Pure: one GetMetricData answer. n_queries bounds the ids ("q<index>" with index <
 * n_queries); each result's points are sorted oldest first. */
int cloudwatch_parse_get_metric_data(const char *json, size_t len, size_t n_queries,
                                     struct cloudwatch_page *out, struct err *e);
/* Pure: how many queries of qs, from first on, fit one call (1..500): no more than
 * CLOUDWATCH_POINTS_PER_CALL expected points over [start_s, end_s). */
size_t cloudwatch_batch_size(const struct cloudwatch_query *qs, size_t first, size_t n,
                             int64_t start_s, int64_t end_s);

/* Called for each page, results borrowed for the call; a non-zero return stops (and is
 * returned). */
typedef int (*cloudwatch_page_fn)(void *ctx, const struct cloudwatch_result *results,
                                  size_t count);
/* Every point of n queries over [start_s, end_s): batches per cloudwatch_batch_size(), each
 * batch followed through its NextTokens (a PartialData result continues on the next page).
 * A NextToken that comes back twice is ERR_AWS. */
int cloudwatch_get_metric_data(struct aws_client *c, const struct cloudwatch_query *qs, size_t n,
                               int64_t start_s, int64_t end_s, cloudwatch_page_fn fn, void *ctx,
                               struct err *e);

/* ---- ListMetrics ------------------------------------------------------------------------ */

struct cloudwatch_metric {
    char name[CLOUDWATCH_NAME_MAX];
    char dim_name[CLOUDWATCH_NAME_MAX];     /* the first dimension, "" when none */
    char dim_value[CLOUDWATCH_VALUE_MAX];
};

struct cloudwatch_metric_list {
    struct cloudwatch_metric *items;
    size_t count;
    size_t cap;
    char *next_token;
};
void cloudwatch_metric_list_clean(struct cloudwatch_metric_list *l);

/* Pure: appends one ListMetrics answer's metrics to l and replaces l->next_token. */
int cloudwatch_parse_list_metrics(const char *json, size_t len, struct cloudwatch_metric_list *l,
                                  struct err *e);
/* Every metric of namespace_name (NULL: SageMaker's) with dimension dim_name = dim_value (both
 * NULL: any), following NextToken to the end. */
int cloudwatch_list_metrics(struct aws_client *c, const char *namespace_name,
                            const char *dim_name, const char *dim_value,
                            struct cloudwatch_metric_list *out, struct err *e);

#endif
