/* fuzz_json_search.c: sagemaker_parse_search() on arbitrary bytes: fails with a filled struct
 * err, or returns count well-formed job records. Built by tests/fuzz/run.sh. */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "aws/sagemaker.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct sagemaker_search_page p = { 0 };
    struct err e = { 0 };
    size_t i;
    int rc = sagemaker_parse_search((const char *)data, size, &p, &e);

    if (rc != 0) {
        if (e.code != rc || e.msg[0] == '\0' || p.jobs != NULL)
            abort();
        return 0;
    }
    for (i = 0; i < p.count; i++)
        if (p.jobs[i].raw_json == NULL || strlen(p.jobs[i].name) >= SAGEMAKER_NAME_MAX)
            abort();
    sagemaker_search_page_clean(&p);
    return 0;
}
