/* fuzz_json_list_training_jobs.c: sagemaker_parse_list_training_jobs() on arbitrary bytes.
 *
 * The parser must either fail with a filled struct err (and leave out untouched) or return a
 * list whose strings are NUL-terminated within their arrays. Built by tests/fuzz/run.sh. */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "aws/sagemaker.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct sagemaker_job_list l = { 0 };
    struct err e = { 0 };
    size_t i;
    int rc = sagemaker_parse_list_training_jobs((const char *)data, size, &l, &e);

    if (rc != 0) {
        if (e.code != rc || e.msg[0] == '\0' || l.items != NULL || l.next_token != NULL)
            abort();
        return 0;
    }
    for (i = 0; i < l.count; i++) {
        const struct sagemaker_job_summary *s = &l.items[i];

        if (memchr(s->name, '\0', sizeof(s->name)) == NULL ||
            memchr(s->arn, '\0', sizeof(s->arn)) == NULL ||
            memchr(s->status, '\0', sizeof(s->status)) == NULL ||
            memchr(s->secondary_status, '\0', sizeof(s->secondary_status)) == NULL)
            abort();
    }
    if (l.next_token != NULL && strlen(l.next_token) > SAGEMAKER_TOKEN_MAX)
        abort();
    sagemaker_job_list_clean(&l);
    return 0;
}
