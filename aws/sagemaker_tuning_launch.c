/* sagemaker_tuning_launch.c: CreateHyperParameterTuningJob, StopHyperParameterTuningJob and the
 * raw DescribeHyperParameterTuningJob document (sagemaker_tuning_launch.h).
 *
 * Owns: these three calls and the mapping of SageMaker's "not found" ValidationException to
 * ERR_NOTFOUND for them. Must not: build or check a tuning request (launch/tuning*.c), parse a
 * describe document into structs, print or keep references to inputs. */
#include "aws/sagemaker_tuning_launch.h"

#include <string.h>

#include "aws/json.h"
#include "aws/sagemaker.h"

/* {"HyperParameterTuningJobName": name} sent as op; SageMaker answers a missing job with a
 * ValidationException "... not found" (or ResourceNotFound): both become ERR_NOTFOUND. */
static int call_named(struct aws_client *c, const char *op, const char *name, json_t **out,
                      struct err *e)
{
    json_t *req = json_pack("{s:s}", "HyperParameterTuningJobName", name ? name : "");
    int rc;

    if (req == NULL)
        return err_set(e, ERR_NOMEM, "SageMaker %s: out of memory building the request", op);
    rc = aws_json_call(c, AWS_SAGEMAKER, op, req, out, e);
    json_decref(req);
    if (rc != 0 && rc != ERR_NOTFOUND && e != NULL &&
        strstr(aws_client_last_error_code(c), "ValidationException") &&
        (strstr(e->msg, "not found") || strstr(e->msg, "Could not find")))
        rc = e->code = ERR_NOTFOUND;
    return rc;
}

int sagemaker_create_tuning_job(struct aws_client *c, const json_t *request, char *arn_out,
                                size_t arn_len, struct err *e)
{
    json_t *resp = NULL;
    char arn[SAGEMAKER_ARN_MAX];
    int rc;

    if (!json_is_object(request))
        return err_set(e, ERR_INVAL, "SageMaker CreateHyperParameterTuningJob: the request is "
                       "not an object");
    rc = aws_json_call(c, AWS_SAGEMAKER, "CreateHyperParameterTuningJob", request, &resp, e);
    if (rc != 0)
        return rc;
    rc = json_required(json_get_str(resp, "HyperParameterTuningJobArn", arn, sizeof(arn), e),
                       "HyperParameterTuningJobArn", e);
    json_decref(resp);
    if (rc != 0) {
        err_prefix(e, "SageMaker CreateHyperParameterTuningJob response");
        return rc;
    }
    if (strlen(arn) >= arn_len)
        return err_set(e, ERR_TOOBIG, "HyperParameterTuningJobArn does not fit in %zu bytes",
                       arn_len);
    memcpy(arn_out, arn, strlen(arn) + 1);
    return 0;
}

int sagemaker_stop_tuning_job(struct aws_client *c, const char *name, struct err *e)
{
    json_t *resp = NULL;
    int rc = call_named(c, "StopHyperParameterTuningJob", name, &resp, e);

    json_decref(resp);
    return rc;
}

int sagemaker_describe_tuning_job_json(struct aws_client *c, const char *name, char **json,
                                       size_t *len, struct err *e)
{
    json_t *resp = NULL;
    int rc = call_named(c, "DescribeHyperParameterTuningJob", name, &resp, e);

    if (rc != 0)
        return rc;
    rc = json_dump_exact(resp, json, len, e);
    json_decref(resp);
    return rc;
}
