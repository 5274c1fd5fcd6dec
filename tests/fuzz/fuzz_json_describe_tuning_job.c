/* fuzz_json_describe_tuning_job.c: DescribeHyperParameterTuningJob (aws/sagemaker_tuning.c) on
 * arbitrary bytes: it fails with a filled struct err or returns a well-formed struct (ranges
 * named, categorical values present, the raw document kept), cleaned twice. Built by
 * tests/fuzz/run.sh. */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "aws/sagemaker_tuning.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct sagemaker_tuning_job t;
    struct err e = { 0 };
    size_t i, k;
    int rc;

    memset(&t, 0, sizeof(t));
    rc = sagemaker_parse_describe_tuning_job((const char *)data, size, &t, &e);
    if (rc != 0) {
        if (e.code != rc || e.msg[0] == '\0' || t.raw_json != NULL)
            abort();
        return 0;
    }
    if (t.raw_json == NULL || strlen(t.name) >= SAGEMAKER_NAME_MAX)
        abort();
    for (i = 0; i < t.n_ranges; i++) {
        if (t.ranges[i].name == NULL)
            abort();
        for (k = 0; k < t.ranges[i].n_values; k++)
            if (t.ranges[i].values[k] == NULL)
                abort();
    }
    for (i = 0; i < t.n_parents; i++)
        if (strlen(t.parents[i]) >= SAGEMAKER_NAME_MAX)
            abort();
    sagemaker_tuning_job_clean(&t);
    sagemaker_tuning_job_clean(&t);
    return 0;
}
