/* sagemaker_tuning_launch.h: the calls that change hyperparameter tuning jobs, for the tuning
 * launch (launch/) and `sagetop tuning stop`: CreateHyperParameterTuningJob with a request built
 * elsewhere (launch/tuning.h), StopHyperParameterTuningJob, and DescribeHyperParameterTuningJob
 * as the raw document (the tuning launch from a parent reads it; parsing it into structs is
 * aws/sagemaker_tuning.c's business).
 *
 * Threads: the client's (one thread at a time). Ownership: requests are borrowed; the describe
 * document is the caller's to free. Errors: 0 or a negative ERR_*; a missing job is
 * ERR_NOTFOUND; AWS's ValidationException message is passed through as is (the user's only
 * clue). Nothing prints. */
#ifndef SAGETOP_AWS_SAGEMAKER_TUNING_LAUNCH_H
#define SAGETOP_AWS_SAGEMAKER_TUNING_LAUNCH_H

#include <jansson.h>
#include <stddef.h>

#include "aws/client.h"
#include "aws/err.h"

/* CreateHyperParameterTuningJob: the new job's ARN into arn_out (arn_len bytes). */
int sagemaker_create_tuning_job(struct aws_client *c, const json_t *request, char *arn_out,
                                size_t arn_len, struct err *e);
/* StopHyperParameterTuningJob. */
int sagemaker_stop_tuning_job(struct aws_client *c, const char *name, struct err *e);
/* DescribeHyperParameterTuningJob: the response as compact JSON text (*json, NUL-terminated,
 * *len bytes), caller frees. */
int sagemaker_describe_tuning_job_json(struct aws_client *c, const char *name, char **json,
                                       size_t *len, struct err *e);

#endif
