/* fuzz_json_sagemaker_small.c: the smaller SageMaker parsers on arbitrary bytes, picked by the
 * first byte: ListTags, CreateTrainingJob, ListHyperParameterTuningJobs,
 * ListTrainingJobsForHyperParameterTuningJob. Each fails with a filled struct err or returns
 * well-formed output. Built by tests/fuzz/run.sh. */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "aws/sagemaker.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void check_err(int rc, const struct err *e)
{
    if (rc != 0 && (e->code != rc || e->msg[0] == '\0'))
        abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const char *doc = (const char *)data + 1;
    struct err e = { 0 };
    size_t i, n = 0;
    int rc;

    if (size == 0)
        return 0;
    size--;
    switch (data[0] % 4) {
    case 0: {
        struct sagemaker_kv *kv = NULL;
        char *tok = NULL;

        rc = sagemaker_parse_list_tags(doc, size, &kv, &n, &tok, &e);
        check_err(rc, &e);
        for (i = 0; rc == 0 && i < n; i++)
            if (kv[i].key == NULL || kv[i].value == NULL)
                abort();
        if (rc == 0) {
            sagemaker_kv_free(kv, n);
            free(tok);
        }
        break;
    }
    case 1: {
        char arn[SAGEMAKER_ARN_MAX];

        rc = sagemaker_parse_create_training_job(doc, size, arn, sizeof(arn), &e);
        check_err(rc, &e);
        if (rc == 0 && strlen(arn) >= sizeof(arn))
            abort();
        break;
    }
    case 2: {
        struct sagemaker_tuning_list l = { 0 };

        rc = sagemaker_parse_list_tuning_jobs(doc, size, &l, &e);
        check_err(rc, &e);
        for (i = 0; rc == 0 && i < l.count; i++)
            if (strlen(l.items[i].name) >= SAGEMAKER_NAME_MAX)
                abort();
        sagemaker_tuning_list_clean(&l);
        break;
    }
    default: {
        struct sagemaker_trial_list l = { 0 };

        rc = sagemaker_parse_list_training_jobs_for_tuning_job(doc, size, &l, &e);
        check_err(rc, &e);
        for (i = 0; rc == 0 && i < l.count; i++)
            if (l.items[i].n_tuned_hyper_parameters > 0 &&
                l.items[i].tuned_hyper_parameters == NULL)
                abort();
        sagemaker_trial_list_clean(&l);
        break;
    }
    }
    return 0;
}
