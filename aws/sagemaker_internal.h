/* sagemaker_internal.h: what sagemaker.c (requests, calls) and sagemaker_parse.c (responses)
 * share inside the module. Not for other modules: they use sagemaker.h.
 *
 * Each *_json() reads the root object of one response (borrowed) into the struct behind out
 * (the json_doc_fn shape of json.h), filling it only on success. */
#ifndef SAGETOP_AWS_SAGEMAKER_INTERNAL_H
#define SAGETOP_AWS_SAGEMAKER_INTERNAL_H

#include "aws/json.h"
#include "aws/sagemaker.h"

/* ListTags: the tags and the next page's token (NULL when there is none). */
struct sagemaker_tags_out {
    struct sagemaker_kv *kv;
    size_t n;
    char *next_token;
};
/* CreateTrainingJob: the ARN into the caller's buffer. */
struct sagemaker_arn_out {
    char *arn;
    size_t len;
};

int sagemaker_parse_list_json(const json_t *root, void *out, struct err *e);   /* job_list */
int sagemaker_parse_job_json(const json_t *root, void *out, struct err *e);    /* job */
int sagemaker_parse_tags_json(const json_t *root, void *out, struct err *e);   /* tags_out */
int sagemaker_parse_arn_json(const json_t *root, void *out, struct err *e);    /* arn_out */
int sagemaker_parse_search_json(const json_t *root, void *out, struct err *e); /* search_page */
int sagemaker_parse_tuning_json(const json_t *root, void *out, struct err *e); /* tuning_list */
int sagemaker_parse_trials_json(const json_t *root, void *out, struct err *e); /* trial_list */

#endif
