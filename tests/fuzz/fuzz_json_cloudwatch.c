/* fuzz_json_cloudwatch.c: the CloudWatch parsers (aws/cloudwatch.c) on arbitrary bytes, picked
 * by the first byte: GetMetricData (result ids below the query count, points sorted oldest
 * first) and ListMetrics (names NUL-terminated). Failures fill the struct err and leave the
 * outputs empty. Built by tests/fuzz/run.sh. */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "aws/cloudwatch.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const char *doc = (const char *)data + 1;
    struct cloudwatch_page p = {0};
    struct cloudwatch_metric_list l = {0};
    struct err e = {0};
    size_t n_queries;
    int rc;

    if (size == 0)
        return 0;
    size--;
    n_queries = data[0] % 16;
    if (data[0] & 0x80) {
        rc = cloudwatch_parse_list_metrics(doc, size, &l, &e);
        for (size_t i = 0; rc == 0 && i < l.count; i++)
            if (memchr(l.items[i].name, '\0', sizeof(l.items[i].name)) == NULL)
                abort();
    } else {
        rc = cloudwatch_parse_get_metric_data(doc, size, n_queries, &p, &e);
        for (size_t i = 0; rc == 0 && i < p.count; i++) {
            if (p.results[i].query >= n_queries)
                abort();
            for (size_t k = 1; k < p.results[i].count; k++)
                if (p.results[i].timestamps_s[k - 1] > p.results[i].timestamps_s[k])
                    abort();
        }
        if (rc != 0 && p.results != NULL)
            abort();
    }
    if (rc != 0 && (e.code != rc || e.msg[0] == '\0'))
        abort();
    cloudwatch_page_clean(&p);
    cloudwatch_metric_list_clean(&l);
    return 0;
}
