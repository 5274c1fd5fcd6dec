/* test_cloudwatch.c: the CloudWatch metrics calls (aws/cloudwatch.c): the GetMetricData request
 * body, batching under the 500-query and data-point budgets, the answer parser (ids, order,
 * truncations), and the calls against the loopback server: JSON 1.0 headers, NextToken paging,
 * PartialData results continued on the next page, a throttled page asked again with the same
 * token, ListMetrics paging. */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "aws/cloudwatch.h"
#include "aws/paging.h"
#include "aws/ratelimit.h"
#include "support/loopback_aws.h"

static const char ctype[] = "application/x-amz-json-1.0";

static struct cloudwatch_query host_query(const char *metric, const char *host, int period)
{
    struct cloudwatch_query q = {.metric_name = metric, .period_s = period, .n_dims = 1};

    q.dims[0] = (struct cloudwatch_dimension){"Host", host};
    return q;
}

Test(cloudwatch, request_body_names_each_query_by_index)
{
    struct cloudwatch_query qs[3] = {host_query("CPUUtilization", "job/algo-1", 60),
                                     host_query("GPUUtilization", "job/algo-1", 60),
                                     host_query("GPUUtilization", "job/algo-2", 300)};
    struct err e = {0};
    json_t *req = NULL, *q;
    char *text;

    cr_assert_eq(cloudwatch_get_metric_data_request(qs, 1, 2, 1000, 4600, "tok", &req, &e), 0,
                 "%s", e.msg);
    text = json_dumps(req, JSON_COMPACT | JSON_SORT_KEYS);
    cr_assert_str_eq(text,
                     "{\"EndTime\":4600,\"MetricDataQueries\":["
                     "{\"Id\":\"q1\",\"MetricStat\":{\"Metric\":{\"Dimensions\":[{\"Name\":"
                     "\"Host\",\"Value\":\"job/algo-1\"}],\"MetricName\":\"GPUUtilization\","
                     "\"Namespace\":\"/aws/sagemaker/TrainingJobs\"},\"Period\":60,\"Stat\":"
                     "\"Average\"},\"ReturnData\":true},"
                     "{\"Id\":\"q2\",\"MetricStat\":{\"Metric\":{\"Dimensions\":[{\"Name\":"
                     "\"Host\",\"Value\":\"job/algo-2\"}],\"MetricName\":\"GPUUtilization\","
                     "\"Namespace\":\"/aws/sagemaker/TrainingJobs\"},\"Period\":300,\"Stat\":"
                     "\"Average\"},\"ReturnData\":true}],"
                     "\"NextToken\":\"tok\",\"ScanBy\":\"TimestampAscending\",\"StartTime\":1000}");
    q = json_array_get(json_object_get(req, "MetricDataQueries"), 0);
    cr_assert_not_null(q);
    free(text);
    json_decref(req);
    req = NULL;
    cr_assert_eq(cloudwatch_get_metric_data_request(qs, 0, 0, 1000, 4600, NULL, &req, &e),
                 ERR_INVAL);
    cr_assert_eq(cloudwatch_get_metric_data_request(qs, 0, 1, 4600, 4600, NULL, &req, &e),
                 ERR_INVAL, "an empty time range is refused");
    cr_assert_null(req);
}

Test(cloudwatch, batches_hold_500_queries_and_the_point_budget)
{
    static struct cloudwatch_query qs[1200];
    size_t per;

    for (size_t i = 0; i < 1200; i++)
        qs[i] = host_query("GPUUtilization", "job/algo-1", 60);
    /* 10 minutes: 11 points a query, 500 queries are 5,500 points */
    cr_assert_eq(cloudwatch_batch_size(qs, 0, 1200, 0, 600), 500);
    cr_assert_eq(cloudwatch_batch_size(qs, 1000, 1200, 0, 600), 200);
    cr_assert_eq(cloudwatch_batch_size(qs, 1200, 1200, 0, 600), 0);
    /* 1 day at 1 minute: 1,441 points a query */
    per = cloudwatch_batch_size(qs, 0, 1200, 0, 86400);
    cr_assert_eq(per, CLOUDWATCH_POINTS_PER_CALL / 1441);
    cr_assert(per * 1441 <= CLOUDWATCH_POINTS_PER_CALL);
    /* 15 days at 1 minute is more than a call's budget: still one query a call */
    cr_assert_eq(cloudwatch_batch_size(qs, 0, 1200, 0, 15 * 86400), 1);
    /* and the budget times our rate stays under the 180,000 DPS quota */
    cr_assert(CLOUDWATCH_POINTS_PER_CALL * CLOUDWATCH_GMD_PER_S <= 180000.0);
    cr_assert(CLOUDWATCH_GMD_PER_S <= 50.0);
    cr_assert_eq(ratelimit_preset_per_s(AWS_CLOUDWATCH, "GetMetricData"), CLOUDWATCH_GMD_PER_S);
}

static const char answer[] =
    "{\"MetricDataResults\":["
    "{\"Id\":\"q1\",\"Label\":\"GPU\",\"Timestamps\":[1796607374,1796607254,1796607314],"
    "\"Values\":[3.5,1.0,2.25],\"StatusCode\":\"PartialData\"},"
    "{\"Id\":\"q0\",\"Timestamps\":[],\"Values\":[],\"StatusCode\":\"Complete\"}],"
    "\"NextToken\":\"page-2\",\"Messages\":[]}";

Test(cloudwatch, parse_sorts_points_and_maps_ids)
{
    struct cloudwatch_page p = {0};
    struct err e = {0};

    cr_assert_eq(cloudwatch_parse_get_metric_data(answer, strlen(answer), 2, &p, &e), 0, "%s",
                 e.msg);
    cr_assert_eq(p.count, 2);
    cr_assert_eq(p.results[0].query, 1);
    cr_assert_str_eq(p.results[0].status, "PartialData");
    cr_assert_eq(p.results[0].count, 3);
    cr_assert_eq(p.results[0].timestamps_s[0], 1796607254);
    cr_assert_eq(p.results[0].values[0], 1.0);
    cr_assert_eq(p.results[0].timestamps_s[2], 1796607374);
    cr_assert_eq(p.results[0].values[2], 3.5);
    cr_assert_eq(p.results[1].query, 0);
    cr_assert_eq(p.results[1].count, 0);
    cr_assert_str_eq(p.next_token, "page-2");
    cloudwatch_page_clean(&p);
    cloudwatch_page_clean(&p);
}

Test(cloudwatch, parse_refuses_bad_ids_and_uneven_arrays)
{
    struct cloudwatch_page p = {0};
    struct err e = {0};
    const char *bad_id = "{\"MetricDataResults\":[{\"Id\":\"q7\"}]}";
    const char *uneven = "{\"MetricDataResults\":[{\"Id\":\"q0\",\"Timestamps\":[1,2],"
                         "\"Values\":[1]}]}";
    const char *text_value = "{\"MetricDataResults\":[{\"Id\":\"q0\",\"Timestamps\":[1],"
                             "\"Values\":[\"x\"]}]}";

    cr_assert_eq(cloudwatch_parse_get_metric_data(bad_id, strlen(bad_id), 2, &p, &e), ERR_PARSE);
    cr_assert(strstr(e.msg, "q7") != NULL, "%s", e.msg);
    cr_assert_eq(cloudwatch_parse_get_metric_data(uneven, strlen(uneven), 2, &p, &e), ERR_PARSE);
    cr_assert(strstr(e.msg, "2 Timestamps but 1 Values") != NULL, "%s", e.msg);
    cr_assert_eq(cloudwatch_parse_get_metric_data(text_value, strlen(text_value), 2, &p, &e),
                 ERR_PARSE);
    cr_assert_eq(p.count, 0, "untouched on failure");
}

/* Found by fuzz_json_cloudwatch: a timestamp no int64_t holds was converted anyway (undefined
 * behaviour; UBSan aborts). It is a parse error naming the point. */
Test(cloudwatch, parse_refuses_a_timestamp_out_of_range)
{
    struct cloudwatch_page p = {0};
    struct err e = {0};
    const char *huge = "{\"MetricDataResults\":[{\"Id\":\"q0\",\"Timestamps\":[60,1.5e72],"
                       "\"Values\":[1,2]}]}";
    const char *negative = "{\"MetricDataResults\":[{\"Id\":\"q0\",\"Timestamps\":[-1e300],"
                           "\"Values\":[1]}]}";

    cr_assert_eq(cloudwatch_parse_get_metric_data(huge, strlen(huge), 1, &p, &e), ERR_PARSE);
    cr_assert(strstr(e.msg, "point 1") != NULL && strstr(e.msg, "timestamp") != NULL, "%s",
              e.msg);
    cr_assert_eq(cloudwatch_parse_get_metric_data(negative, strlen(negative), 1, &p, &e),
                 ERR_PARSE);
    cr_assert_eq(p.count, 0, "untouched on failure");
}

Test(cloudwatch, every_truncation_of_an_answer_fails_cleanly)
{
    size_t n = strlen(answer);

    for (size_t len = 0; len < n; len++) {
        struct cloudwatch_page p = {0};
        struct err e = {0};

        cr_assert_eq(cloudwatch_parse_get_metric_data(answer, len, 2, &p, &e), ERR_PARSE,
                     "length %zu", len);
        cr_assert_null(p.results);
    }
}

/* ---- calls against the loopback server ------------------------------------------------- */

struct collect {
    struct loopback_http *srv;
    const char *next_body;      /* routed once the first page was seen */
    size_t pages;
    size_t points[4];
    double last[4];
    char status[4][32];
};

static int collect_page(void *ctx, const struct cloudwatch_result *r, size_t n)
{
    struct collect *c = ctx;

    for (size_t i = 0; i < n; i++) {
        cr_assert(r[i].query < 4);
        c->points[r[i].query] += r[i].count;
        if (r[i].count > 0)
            c->last[r[i].query] = r[i].values[r[i].count - 1];
        snprintf(c->status[r[i].query], sizeof(c->status[0]), "%s", r[i].status);
    }
    if (c->pages++ == 0 && c->next_body != NULL)
        loopback_http_route(c->srv, "POST", "/", 200, ctype, c->next_body);
    return 0;
}

Test(cloudwatch_call, pages_follow_next_token_and_partial_data_continues)
{
    struct loopback_aws l;
    struct err e = {0};
    struct cloudwatch_query qs[2] = {host_query("CPUUtilization", "j/algo-1", 60),
                                     host_query("GPUUtilization", "j/algo-1", 60)};
    struct collect c = {0};
    struct loopback_request r;
    char hdr[128];

    cr_assert_eq(loopback_aws_open(&l, &e), 0, "%s", e.msg);
    c.srv = l.srv;
    c.next_body = "{\"MetricDataResults\":[{\"Id\":\"q1\",\"Timestamps\":[1796607434],"
                  "\"Values\":[4.0],\"StatusCode\":\"Complete\"}]}";
    loopback_http_route(l.srv, "POST", "/", 200, ctype, answer);
    cr_assert_eq(cloudwatch_get_metric_data(l.client, qs, 2, 1796600000, 1796610000,
                                            collect_page, &c, &e),
                 0, "%s", e.msg);
    cr_assert_eq(c.pages, 2);
    cr_assert_eq(c.points[1], 4, "3 points, then the rest of the PartialData result");
    cr_assert_eq(c.last[1], 4.0);
    cr_assert_str_eq(c.status[1], "Complete");
    cr_assert_eq(loopback_http_count(l.srv), 2);
    cr_assert_eq(loopback_http_request(l.srv, 0, &r), 0);
    cr_assert_str_eq(loopback_header(&r, "X-Amz-Target", hdr, sizeof(hdr)),
                     "GraniteServiceVersion20100801.GetMetricData");
    cr_assert_str_eq(loopback_header(&r, "Content-Type", hdr, sizeof(hdr)), ctype);
    cr_assert(strstr(loopback_header(&r, "Authorization", hdr, sizeof(hdr)),
                     "/us-east-1/monitoring/aws4_request") != NULL, "%s", hdr);
    cr_assert(strstr(r.body, "NextToken") == NULL, "%s", r.body);
    cr_assert_eq(loopback_http_request(l.srv, 1, &r), 0);
    cr_assert(strstr(r.body, "\"NextToken\":\"page-2\"") != NULL, "%s", r.body);
    cr_assert(strstr(r.body, "\"StartTime\":1796600000") != NULL, "%s", r.body);
    loopback_aws_close(&l);
}

Test(cloudwatch_call, more_than_500_queries_make_several_calls)
{
    static struct cloudwatch_query qs[1001];
    struct loopback_aws l;
    struct err e = {0};
    struct collect c = {0};
    struct loopback_request r;

    for (size_t i = 0; i < 1001; i++)
        qs[i] = host_query("GPUUtilization", "j/algo-1", 60);
    cr_assert_eq(loopback_aws_open(&l, &e), 0, "%s", e.msg);
    loopback_http_route(l.srv, "POST", "/", 200, ctype, "{\"MetricDataResults\":[]}");
    cr_assert_eq(cloudwatch_get_metric_data(l.client, qs, 1001, 0, 600, collect_page, &c, &e),
                 0, "%s", e.msg);
    cr_assert_eq(loopback_http_count(l.srv), 3, "500 + 500 + 1");
    cr_assert_eq(loopback_http_request(l.srv, 2, &r), 0);
    cr_assert(strstr(r.body, "\"Id\":\"q1000\"") != NULL, "last batch: %.200s", r.body);
    loopback_aws_close(&l);
}

Test(cloudwatch_call, the_same_token_twice_stops)
{
    struct loopback_aws l;
    struct err e = {0};
    struct cloudwatch_query q = host_query("GPUUtilization", "j/algo-1", 60);
    struct collect c = {0};

    cr_assert_eq(loopback_aws_open(&l, &e), 0, "%s", e.msg);
    loopback_http_route(l.srv, "POST", "/", 200, ctype,
                        "{\"MetricDataResults\":[],\"NextToken\":\"same\"}");
    cr_assert_eq(cloudwatch_get_metric_data(l.client, &q, 1, 0, 600, collect_page, &c, &e),
                 ERR_AWS);
    cr_assert(strstr(e.msg, "same NextToken") != NULL, "%s", e.msg);
    cr_assert_eq(loopback_http_count(l.srv), 2);
    loopback_aws_close(&l);
}

static struct loopback_http *mend_srv;
static int n_sleeps;

static void mend_sleep(long ms)
{
    (void)ms;
    if (++n_sleeps == 2)
        loopback_http_route(mend_srv, "POST", "/", 200, ctype,
                            "{\"MetricDataResults\":[{\"Id\":\"q0\",\"Timestamps\":[60],"
                            "\"Values\":[7.5],\"StatusCode\":\"Complete\"}]}");
}

Test(cloudwatch_call, a_throttled_page_is_asked_again)
{
    struct loopback_aws l;
    struct err e = {0};
    struct cloudwatch_query q = host_query("GPUUtilization", "j/algo-1", 60);
    struct collect c = {0};
    struct loopback_request r0, r2;

    cr_assert_eq(loopback_aws_open(&l, &e), 0, "%s", e.msg);
    mend_srv = l.srv;
    n_sleeps = 0;
    paging_set_sleep(mend_sleep);
    loopback_http_route(l.srv, "POST", "/", 400, ctype,
                        "{\"__type\":\"com.amazonaws.cloudwatch#Throttling\","
                        "\"message\":\"Rate exceeded\"}");
    cr_assert_eq(cloudwatch_get_metric_data(l.client, &q, 1, 0, 600, collect_page, &c, &e), 0,
                 "%s", e.msg);
    paging_set_sleep(NULL);
    cr_assert_eq(n_sleeps, 2);
    cr_assert_eq(loopback_http_count(l.srv), 3, "two throttled, then the page");
    cr_assert_eq(c.points[0], 1);
    cr_assert_eq(c.last[0], 7.5);
    cr_assert_eq(loopback_http_request(l.srv, 0, &r0), 0);
    cr_assert_eq(loopback_http_request(l.srv, 2, &r2), 0);
    cr_assert_str_eq(r0.body, r2.body, "the same request again");
    cr_assert(ratelimit_wait_ms(AWS_CLOUDWATCH, "GetMetricData") >= 0);
    loopback_aws_close(&l);
}

Test(cloudwatch_call, a_final_error_is_reported)
{
    struct loopback_aws l;
    struct err e = {0};
    struct cloudwatch_query q = host_query("GPUUtilization", "j/algo-1", 60);
    struct collect c = {0};

    cr_assert_eq(loopback_aws_open(&l, &e), 0, "%s", e.msg);
    loopback_http_route(l.srv, "POST", "/", 400, ctype,
                        "{\"__type\":\"InvalidParameterValueException\","
                        "\"message\":\"The parameter StartTime must be less than EndTime\"}");
    cr_assert_eq(cloudwatch_get_metric_data(l.client, &q, 1, 0, 600, collect_page, &c, &e),
                 ERR_AWS);
    cr_assert(strstr(e.msg, "CloudWatch GetMetricData") != NULL, "%s", e.msg);
    cr_assert(strstr(e.msg, "InvalidParameterValueException") != NULL, "%s", e.msg);
    cr_assert_eq(c.pages, 0);
    loopback_aws_close(&l);
}

Test(cloudwatch_call, list_metrics_follows_next_token)
{
    struct loopback_aws l;
    struct err e = {0};
    struct cloudwatch_metric_list ml = {0};
    struct cloudwatch_metric_list parsed = {0};
    struct loopback_request r;
    const char *page1 = "{\"Metrics\":[{\"Namespace\":\"/aws/sagemaker/TrainingJobs\","
                        "\"MetricName\":\"GPUUtilization\",\"Dimensions\":[{\"Name\":\"Host\","
                        "\"Value\":\"j/algo-1\"}]}],\"NextToken\":\"n2\"}";

    cr_assert_eq(cloudwatch_parse_list_metrics(page1, strlen(page1), &parsed, &e), 0, "%s",
                 e.msg);
    cr_assert_eq(parsed.count, 1);
    cr_assert_str_eq(parsed.items[0].dim_value, "j/algo-1");
    cr_assert_str_eq(parsed.next_token, "n2");
    cloudwatch_metric_list_clean(&parsed);

    cr_assert_eq(loopback_aws_open(&l, &e), 0, "%s", e.msg);
    /* the same token twice is refused: the loop ends with an error after two calls */
    loopback_http_route(l.srv, "POST", "/", 200, ctype, page1);
    cr_assert_eq(cloudwatch_list_metrics(l.client, NULL, "Host", "j/algo-1", &ml, &e), ERR_AWS);
    cr_assert_eq(ml.count, 0, "untouched on failure");
    cr_assert_eq(loopback_http_count(l.srv), 2);
    cr_assert_eq(loopback_http_request(l.srv, 0, &r), 0);
    cr_assert(strstr(r.body, "\"Dimensions\":[{\"Name\":\"Host\",\"Value\":\"j/algo-1\"}]") !=
                  NULL, "%s", r.body);
    cr_assert_eq(loopback_http_request(l.srv, 1, &r), 0);
    cr_assert(strstr(r.body, "\"NextToken\":\"n2\"") != NULL, "%s", r.body);
    loopback_http_route(l.srv, "POST", "/", 200, ctype,
                        "{\"Metrics\":[{\"MetricName\":\"CPUUtilization\"},"
                        "{\"MetricName\":\"DiskUtilization\"}]}");
    cr_assert_eq(cloudwatch_list_metrics(l.client, NULL, NULL, NULL, &ml, &e), 0, "%s", e.msg);
    cr_assert_eq(ml.count, 2);
    cr_assert_str_eq(ml.items[1].name, "DiskUtilization");
    cr_assert_str_eq(ml.items[1].dim_name, "");
    cr_assert_null(ml.next_token);
    cloudwatch_metric_list_clean(&ml);
    loopback_aws_close(&l);
}

Test(cloudwatch_call, endpoint_is_monitoring_or_its_own_variable)
{
    struct aws_options opts = {0};
    struct aws_endpoint ep;
    struct aws_config *cfg;
    struct err e = {0};

    setenv("AWS_CONFIG_FILE", "/nonexistent/sagetop-test/config", 1);
    setenv("AWS_SHARED_CREDENTIALS_FILE", "/nonexistent/sagetop-test/credentials", 1);
    setenv("AWS_REGION", "eu-west-1", 1);
    unsetenv("AWS_ENDPOINT_URL");
    unsetenv("AWS_PROFILE");
    setenv("AWS_ENDPOINT_URL_CLOUDWATCH_LOGS", "http://127.0.0.1:9/logs-only", 1);
    cfg = aws_config_load(&opts, &e);
    cr_assert_not_null(cfg, "%s", e.msg);
    cr_assert_eq(aws_config_endpoint(cfg, AWS_CLOUDWATCH, &ep, &e), 0, "%s", e.msg);
    cr_assert_str_eq(ep.url, "https://monitoring.eu-west-1.amazonaws.com");
    cr_assert_str_eq(ep.signing_name, "monitoring");
    aws_config_free(cfg);
    setenv("AWS_ENDPOINT_URL_CLOUDWATCH", "http://127.0.0.1:9", 1);
    cfg = aws_config_load(&opts, &e);
    cr_assert_not_null(cfg, "%s", e.msg);
    cr_assert_eq(aws_config_endpoint(cfg, AWS_CLOUDWATCH, &ep, &e), 0, "%s", e.msg);
    cr_assert_str_eq(ep.url, "http://127.0.0.1:9");
    aws_config_free(cfg);
    unsetenv("AWS_ENDPOINT_URL_CLOUDWATCH");
    unsetenv("AWS_ENDPOINT_URL_CLOUDWATCH_LOGS");
}
