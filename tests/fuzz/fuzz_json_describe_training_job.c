/* fuzz_json_describe_training_job.c: sagemaker_parse_describe_training_job() on arbitrary
 * bytes. On success every counted array is readable, raw_json is the NUL-terminated document of
 * raw_json_len bytes and parses again; on failure the struct err is filled. Built by
 * tests/fuzz/run.sh. */
#include <jansson.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "aws/sagemaker.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct sagemaker_job j;
    struct err e = { 0 };
    volatile size_t sum = 0;
    size_t i;
    json_t *again;
    int rc = sagemaker_parse_describe_training_job((const char *)data, size, &j, &e);

    if (rc != 0) {
        if (e.code != rc || e.msg[0] == '\0')
            abort();
        return 0;
    }
    /* touch everything the views would read */
    for (i = 0; i < j.n_transitions; i++)
        sum += strlen(j.transitions[i].status) + (j.transitions[i].message ?
                                                  strlen(j.transitions[i].message) : 0);
    for (i = 0; i < j.n_metric_definitions; i++)
        sum += strlen(j.metric_definitions[i].name) + strlen(j.metric_definitions[i].regex);
    for (i = 0; i < j.n_hyper_parameters; i++)
        sum += strlen(j.hyper_parameters[i].key) + strlen(j.hyper_parameters[i].value);
    for (i = 0; i < j.n_environment; i++)
        sum += strlen(j.environment[i].key) + strlen(j.environment[i].value);
    for (i = 0; i < j.n_channels; i++)
        sum += strlen(j.channels[i].name) + (j.channels[i].s3_uri ? strlen(j.channels[i].s3_uri)
                                                                  : 0);
    for (i = 0; i < j.n_final_metrics; i++)
        sum += j.final_metrics[i].name ? strlen(j.final_metrics[i].name) : 0;
    for (i = 0; i < j.n_tags; i++)
        sum += strlen(j.tags[i].key) + strlen(j.tags[i].value);
    if (j.raw_json == NULL || strlen(j.raw_json) != j.raw_json_len)
        abort();
    again = json_loadb(j.raw_json, j.raw_json_len, JSON_ALLOW_NUL, NULL);
    if (again == NULL)
        abort();
    json_decref(again);
    (void)sum;
    sagemaker_job_clean(&j);
    return 0;
}
